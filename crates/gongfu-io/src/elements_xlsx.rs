//! 共富元素 workbook: export of the list (in the importer's columns, so a file can be corrected
//! and uploaded again), the import template with its 填表说明, and the importer that reads
//! every row into an [`ElementDraft`] and reports every bad cell at once (row, column,
//! reason). Checks against the database (the 编号 exists, the 版本 is current, the writer's
//! scope) are the store's (`Store::import_elements`).

use crate::IoError;
use crate::RowError;
use crate::work_xlsx::{
    RowReader, SheetSpec, column_formats, drop_down, guide, labels, money_rule, read_sheet,
    version_rule, write_date, write_fen,
};
use crate::xlsx_export::{Formats, Grid, demo_notice};
use gongfu_core::ops::elements::{Element, ElementDraft, ElementType};
use rust_xlsxwriter::{Workbook, XlsxError};

pub const ELEMENTS_SHEET: &str = "共富元素";

pub const COL_ID: &str = "编号";
pub const COL_TYPE: &str = "类型";
pub const COL_NAME: &str = "名称";
pub const COL_CODE: &str = "村代码";
pub const COL_VILLAGE: &str = "所在村";
pub const COL_ZONE: &str = "片区";
pub const COL_LON: &str = "经度";
pub const COL_LAT: &str = "纬度";
pub const COL_OPENED: &str = "开业日期";
pub const COL_CLOSED: &str = "停办日期";
pub const COL_JOBS: &str = "吸纳就业人数";
pub const COL_LOW: &str = "其中低收入农户人数";
pub const COL_GAIN: &str = "人均月增收（元）";
pub const COL_INCOME: &str = "带动村集体年收入（元）";
pub const COL_OPERATOR: &str = "运营主体";
pub const COL_NOTE: &str = "备注";
pub const COL_VERSION: &str = "版本";

pub const ELEMENT_HEADERS: [&str; 17] = [
    COL_ID,
    COL_TYPE,
    COL_NAME,
    COL_CODE,
    COL_VILLAGE,
    COL_ZONE,
    COL_LON,
    COL_LAT,
    COL_OPENED,
    COL_CLOSED,
    COL_JOBS,
    COL_LOW,
    COL_GAIN,
    COL_INCOME,
    COL_OPERATOR,
    COL_NOTE,
    COL_VERSION,
];

/// Column positions in [`ELEMENT_HEADERS`].
mod c {
    pub const ID: usize = 0;
    pub const TYPE: usize = 1;
    pub const NAME: usize = 2;
    pub const CODE: usize = 3;
    pub const VILLAGE: usize = 4;
    pub const ZONE: usize = 5;
    pub const LON: usize = 6;
    pub const LAT: usize = 7;
    pub const OPENED: usize = 8;
    pub const CLOSED: usize = 9;
    pub const JOBS: usize = 10;
    pub const LOW: usize = 11;
    pub const GAIN: usize = 12;
    pub const INCOME: usize = 13;
    pub const OPERATOR: usize = 14;
    pub const NOTE: usize = 15;
    pub const VERSION: usize = 16;
    /// Exported for reading; the importer does not need them.
    pub const READ_ONLY: [usize; 4] = [VILLAGE, ZONE, LON, LAT];
}

const SPEC: SheetSpec<{ ELEMENT_HEADERS.len() }> = SheetSpec {
    name: ELEMENTS_SHEET,
    headers: &ELEMENT_HEADERS,
    key: c::NAME,
    read_only: &c::READ_ONLY,
    id: Some(c::ID),
    id_header: COL_ID,
    what: "共富元素",
    a_row: "共富元素",
};

/// An exported element and what the reader needs beside it.
pub struct ElementExportRow<'a> {
    pub element: &'a Element,
    pub village_name: String,
    pub zone_name: String,
}

fn write_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[ElementExportRow],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(ELEMENTS_SHEET)?;
    column_formats(
        ws,
        f,
        &[c::CODE],
        &[c::GAIN, c::INCOME],
        &[c::OPENED, c::CLOSED],
    )?;
    drop_down(ws, c::TYPE, &labels(&ElementType::ALL, ElementType::label))?;
    let mut g = Grid::new(ws, &ELEMENT_HEADERS, f)?;
    g.widths[c::CODE] = g.widths[c::CODE].max(14);
    for (i, row) in rows.iter().enumerate() {
        let e = row.element;
        let r = i as u32 + 1;
        g.int(r, c::ID as u16, e.id)?;
        g.text(r, c::TYPE as u16, e.kind.label())?;
        g.text(r, c::NAME as u16, &e.name)?;
        g.ws.write_string_with_format(r, c::CODE as u16, e.village.as_str(), &f.text)?;
        g.seen(r, c::CODE as u16, 12);
        g.text(r, c::VILLAGE as u16, &row.village_name)?;
        g.text(r, c::ZONE as u16, &row.zone_name)?;
        if let (Some(lon), Some(lat)) = (e.lon, e.lat) {
            g.ws.write_number(r, c::LON as u16, lon)?;
            g.ws.write_number(r, c::LAT as u16, lat)?;
            g.seen(r, c::LON as u16, 11);
            g.seen(r, c::LAT as u16, 10);
        }
        write_date(&mut g, f, r, c::OPENED, Some(e.opened_on))?;
        write_date(&mut g, f, r, c::CLOSED, e.closed_on)?;
        g.int(r, c::JOBS as u16, e.jobs)?;
        g.int(r, c::LOW as u16, e.low_income_jobs)?;
        write_fen(&mut g, f, r, c::GAIN, e.monthly_gain)?;
        write_fen(&mut g, f, r, c::INCOME, e.collective_income)?;
        g.text(r, c::OPERATOR as u16, &e.operator)?;
        g.text(r, c::NOTE as u16, &e.note)?;
        g.int(r, c::VERSION as u16, e.version)?;
    }
    g.finish()
}

/// 共富元素: the given elements; a demo database's file says so on a 说明 sheet.
pub fn export_elements(rows: &[ElementExportRow], demo: bool) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, rows)?;
    if demo {
        demo_notice(&mut book, &f, "共富元素")?;
    }
    Ok(book.save_to_buffer()?)
}

/// The import template: the header row (a drop-down list for 类型) and its 填表说明.
pub fn elements_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, &[])?;
    let read_only = "仅供阅读核对，导入时不使用。".to_string();
    let columns: Vec<(&str, String)> = vec![
        (
            COL_ID,
            "新增请留空；修改已登记的共富元素时保留导出文件中的编号（同时保留版本）。".into(),
        ),
        (
            COL_TYPE,
            format!(
                "必填。{} 之一。",
                labels(&ElementType::ALL, ElementType::label).join("、")
            ),
        ),
        (COL_NAME, "必填。不超过 60 个字。".into()),
        (
            COL_CODE,
            "必填。所在村（社区）的 12 位统计用区划代码，请保持文本格式。".into(),
        ),
        (COL_VILLAGE, read_only.clone()),
        (COL_ZONE, read_only.clone()),
        (
            COL_LON,
            "仅供阅读：导入不改动位置（新增的共富元素定位在所在村，可在平台上调整）。".into(),
        ),
        (COL_LAT, "仅供阅读，同经度。".into()),
        (COL_OPENED, "必填。YYYY-MM-DD，不能晚于今天。".into()),
        (
            COL_CLOSED,
            "选填。已停办的填写停办日期（不早于开业日期、不晚于今天）；仍在办的留空。".into(),
        ),
        (
            COL_JOBS,
            "选填。吸纳就业的人数，0 以上的整数；留空按 0 计。".into(),
        ),
        (
            COL_LOW,
            "选填。上述人数中来自低收入农户的人数，不能超过吸纳就业人数。".into(),
        ),
        (COL_GAIN, money_rule("就业人员人均每月增收")),
        (COL_INCOME, money_rule("每年带动村集体增收")),
        (COL_OPERATOR, "选填。负责运营的单位或个人。".into()),
        (COL_NOTE, "选填。".into()),
        (COL_VERSION, version_rule("共富元素")),
    ];
    guide(&mut book, &f, &columns, &[])?;
    Ok(book.save_to_buffer()?)
}

/// One row read from a 共富元素 sheet.
#[derive(Debug, Clone)]
pub struct ElementImportRow {
    /// 1-based sheet row.
    pub row: usize,
    /// 编号: `None` registers a new element.
    pub id: Option<i64>,
    /// 版本: given exactly when `id` is.
    pub version: Option<i64>,
    pub draft: ElementDraft,
}

fn element_column(field: &str) -> usize {
    match field {
        "type" => c::TYPE,
        "village_code" => c::CODE,
        "opened_on" => c::OPENED,
        "closed_on" => c::CLOSED,
        "jobs" => c::JOBS,
        "low_income_jobs" => c::LOW,
        "monthly_gain" => c::GAIN,
        "collective_income" => c::INCOME,
        "operator" => c::OPERATOR,
        "note" => c::NOTE,
        _ => c::NAME,
    }
}

/// Reads the 共富元素 sheet (or the first sheet) of an .xlsx workbook, in file order, or every
/// problem in it: a missing column, a bad 编号 or 版本, and every field error of
/// [`ElementDraft::parse`] at its column (type, name, village code, dates, counts, low-income
/// jobs above jobs, amounts in yuan). Blank rows are skipped. `today` bounds the dates.
pub fn parse_elements_xlsx(
    bytes: &[u8],
    today: time::Date,
) -> Result<Vec<ElementImportRow>, Vec<RowError>> {
    read_sheet(bytes, &SPEC, |r: &mut RowReader<'_, 17>, n, id| {
        let version = r.version(c::VERSION, id);
        let draft = ElementDraft {
            kind: r.text(c::TYPE),
            name: r.text(c::NAME),
            village_code: r.text(c::CODE),
            lon: None,
            lat: None,
            opened_on: r.date(c::OPENED),
            closed_on: r.date(c::CLOSED),
            jobs: r.text(c::JOBS),
            low_income_jobs: r.text(c::LOW),
            monthly_gain: r.text(c::GAIN),
            collective_income: r.text(c::INCOME),
            operator: r.text(c::OPERATOR),
            note: r.text(c::NOTE),
        };
        if let Err(errors) = draft.parse(today) {
            let d = draft.clone();
            r.draft_errors(errors, element_column, |k| match k {
                c::TYPE => d.kind.clone(),
                c::CODE => d.village_code.clone(),
                c::OPENED => d.opened_on.clone(),
                c::CLOSED => d.closed_on.clone(),
                c::JOBS => d.jobs.clone(),
                c::LOW => d.low_income_jobs.clone(),
                c::GAIN => d.monthly_gain.clone(),
                c::INCOME => d.collective_income.clone(),
                c::OPERATOR => d.operator.clone(),
                c::NOTE => d.note.clone(),
                _ => d.name.clone(),
            });
        }
        Some(ElementImportRow {
            row: n,
            id: id.ok().flatten(),
            version: version.flatten(),
            draft,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::{Fen, VillageCode};
    use rust_xlsxwriter::Workbook;
    use time::macros::date;

    fn element() -> Element {
        Element {
            id: 7,
            kind: ElementType::Workshop,
            name: "香榧共富工坊".into(),
            village: VillageCode::parse("330603110201").unwrap(),
            lon: Some(120.61),
            lat: Some(29.85),
            opened_on: date!(2025 - 03 - 01),
            closed_on: None,
            jobs: 36,
            low_income_jobs: 9,
            monthly_gain: Fen(180_050),
            collective_income: Fen(12_000_000),
            operator: "稽东镇强村公司".into(),
            note: String::new(),
            version: 3,
        }
    }

    #[test]
    fn an_export_reads_back_as_the_same_element() {
        let e = element();
        let bytes = export_elements(
            &[ElementExportRow {
                element: &e,
                village_name: "某村".into(),
                zone_name: "某片区".into(),
            }],
            true,
        )
        .unwrap();
        let rows = parse_elements_xlsx(&bytes, date!(2026 - 11 - 29)).unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!((r.row, r.id, r.version), (2, Some(7), Some(3)));
        let spec = r.draft.parse(date!(2026 - 11 - 29)).unwrap();
        assert_eq!(spec.kind, ElementType::Workshop);
        assert_eq!(spec.monthly_gain, Fen(180_050));
        assert_eq!(spec.collective_income, Fen(12_000_000));
        assert_eq!(spec.village, e.village);
        assert_eq!(spec.opened_on, e.opened_on);
        assert!(elements_template().unwrap().starts_with(b"PK"));
    }

    #[test]
    fn every_bad_cell_is_named() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (k, h) in ELEMENT_HEADERS.iter().enumerate() {
            ws.write_string(0, k as u16, *h).unwrap();
        }
        let row = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, cells: &[(usize, &str)]| {
            for (k, v) in cells {
                ws.write_string(r, *k as u16, *v).unwrap();
            }
        };
        row(
            ws,
            1,
            &[
                (c::TYPE, "共富超市"),
                (c::NAME, "甲"),
                (c::CODE, "330603110201"),
                (c::OPENED, "2025-03-01"),
            ],
        );
        row(
            ws,
            2,
            &[
                (c::TYPE, "共富工坊"),
                (c::NAME, "乙"),
                (c::CODE, "330603110201"),
                (c::OPENED, "2025/3/1"),
                (c::JOBS, "5"),
                (c::LOW, "6"),
            ],
        );
        row(
            ws,
            3,
            &[
                (c::ID, "4"),
                (c::TYPE, "共富市集"),
                (c::NAME, "丙"),
                (c::CODE, "330603110201"),
                (c::OPENED, "2025-03-01"),
            ],
        );
        let bytes = book.save_to_buffer().unwrap();
        let errors = parse_elements_xlsx(&bytes, date!(2026 - 11 - 29)).unwrap_err();
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(found, [(2, COL_TYPE), (3, COL_LOW), (4, COL_VERSION)]);
    }
}
