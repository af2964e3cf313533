//! The 运营绩效 workbook of operating teams: export, import template with its 填表说明, and
//! the importer.
//!
//! One row per team, zone and year. Team and zone are named as the platform names them; a
//! year already entered carries the 版本 it was exported at (the store refuses the row when
//! the record has changed since), a year not entered yet has none. The importer reads every
//! cell as typed into the core [`KpiDraft`] and reports every bad cell of every row at once;
//! rows are returned only when the whole file is good. Whether the team and zone exist, the
//! team serves the zone and the version is current is the store's check at apply time.

use crate::xlsx_export::{Formats, Grid};
use crate::xlsx_import::{NOT_XLSX, cell_at, find_header, is_blank, read_count, shown};
use crate::{IoError, RowError};
use calamine::{Data, Reader, Xlsx};
use gongfu_core::ops::teams::{Kpi, KpiDraft};
use gongfu_core::{DataYear, Fen};
use gongfu_store::teams::KpiImportRow;
use rust_xlsxwriter::{Format, Workbook};
use std::io::Cursor;

pub const KPI_SHEET: &str = "运营绩效";
pub const GUIDE_SHEET: &str = "填表说明";

pub const COL_TEAM: &str = "团队";
pub const COL_ZONE: &str = "片区";
pub const COL_YEAR: &str = "年份";
pub const COL_REVENUE: &str = "运营收入（元）";
pub const COL_VISITORS: &str = "接待游客人次";
pub const COL_EVENTS: &str = "举办活动场次";
pub const COL_JOBS: &str = "带动就业人数";
pub const COL_COLLECTIVE: &str = "带动村集体增收（元）";
pub const COL_VERSION: &str = "版本";

pub const KPI_HEADERS: [&str; 9] = [
    COL_TEAM,
    COL_ZONE,
    COL_YEAR,
    COL_REVENUE,
    COL_VISITORS,
    COL_EVENTS,
    COL_JOBS,
    COL_COLLECTIVE,
    COL_VERSION,
];

/// One exported row: the team's and zone's names and the record.
pub struct KpiExportRow<'a> {
    pub team: &'a str,
    pub zone: &'a str,
    pub kpi: &'a Kpi,
}

fn write_sheet(book: &mut Workbook, f: &Formats, rows: &[KpiExportRow]) -> Result<(), IoError> {
    let ws = book.add_worksheet();
    ws.set_name(KPI_SHEET)?;
    // Money columns typed by hand look like what the importer reads.
    let money = Format::new().set_num_format("#,##0.00");
    ws.set_column_format(3, &money)?;
    ws.set_column_format(7, &money)?;
    let mut g = Grid::new(ws, &KPI_HEADERS, f)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        g.text(row, 0, r.team)?;
        g.text(row, 1, r.zone)?;
        g.int(row, 2, i64::from(r.kpi.year.get()))?;
        fen(&mut g, f, row, 3, r.kpi.revenue)?;
        g.count(row, 4, r.kpi.visitors, f)?;
        g.count(row, 5, r.kpi.events, f)?;
        g.count(row, 6, r.kpi.jobs, f)?;
        fen(&mut g, f, row, 7, r.kpi.collective_income)?;
        g.int(row, 8, r.kpi.version)?;
    }
    g.finish()?;
    Ok(())
}

fn fen(g: &mut Grid, f: &Formats, r: u32, c: u16, v: Fen) -> Result<(), IoError> {
    // The one place fen becomes a float: exact for any amount below 2^53 fen.
    g.ws.write_number_with_format(r, c, v.0 as f64 / 100.0, &f.money)?;
    g.seen(r, c, v.yuan_string().len());
    Ok(())
}

/// 运营绩效 of the given records, in the importer's columns (so the file can be corrected
/// and uploaded again).
pub fn export_kpis(rows: &[KpiExportRow], demo: bool) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, rows)?;
    if demo {
        let ws = book.add_worksheet();
        ws.set_name("说明")?;
        ws.set_column_width(0, 100)?;
        ws.write_string_with_format(0, 0, "演示数据", &f.header)?;
        ws.write_string_with_format(
            1,
            0,
            "本文件导出自演示数据库：其中的运营团队和绩效均为演示数据，由程序生成，不得引用、上报或用于决策。",
            &f.wrap,
        )?;
    }
    Ok(book.save_to_buffer()?)
}

/// The import template: the header row and a 填表说明 sheet.
pub fn kpi_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, &[])?;
    let ws = book.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "列名", &f.header)?;
    ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
    let money = "选填。单位元，不小于 0，最多两位小数（精确到分），不超过 100 亿元；留空按 0 计。";
    let lines: [(&str, &str); 9] = [
        (
            COL_TEAM,
            "必填。运营团队名称，须与平台中登记的名称完全一致（见运营团队列表）。",
        ),
        (
            COL_ZONE,
            "必填。片区名称，须与平台中的片区名称完全一致，且是该团队的服务片区。",
        ),
        (
            COL_YEAR,
            "必填。绩效所属年度，四位数字，如 2025；不能填未来的年份。当年可填截至目前的累计数。",
        ),
        (COL_REVENUE, money),
        (
            COL_VISITORS,
            "选填。整数，单位人次，不小于 0；留空按 0 计。",
        ),
        (COL_EVENTS, "选填。整数，单位场，不小于 0；留空按 0 计。"),
        (COL_JOBS, "选填。整数，单位人，不小于 0；留空按 0 计。"),
        (COL_COLLECTIVE, money),
        (
            COL_VERSION,
            "修改已填报的年度时必填：请保留导出文件中的数字，不要改动；新填一个年度请留空。若该记录在导出后已被他人修改（版本已变），该行报错且整个文件不导入：请重新导出最新数据后再改。",
        ),
    ];
    for (i, (c, t)) in lines.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *c)?;
        ws.write_string_with_format(i as u32 + 1, 1, *t, &f.wrap)?;
    }
    let notes = [
        "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。",
        "同一团队、片区、年份只能填一行。",
        "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
        "全部无误后确认导入：所有行一起写入，任何一行写入失败则全部不写入（全部成功或全部不变）。",
    ];
    let mut r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, "说明", &f.header)?;
    for n in notes {
        r += 1;
        ws.write_string_with_format(r, 1, n, &f.wrap)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A cell as the text a person typed: numbers without float artefacts.
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::work_xlsx::number_text(*f),
        other => shown(other),
    }
}

/// Reads the 运营绩效 sheet (or the first sheet): every row's problems at once, or the rows.
pub fn parse_kpis_xlsx(bytes: &[u8]) -> Result<Vec<KpiImportRow>, Vec<RowError>> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == KPI_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| vec![RowError::file("工作簿中没有工作表")])?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let empty = || {
        vec![RowError::file(format!(
            "工作表「{sheet}」中没有数据行：请在第一行填写表头，从第二行起每行填写一个团队一个片区一年的绩效"
        ))]
    };
    let Some((row0, _)) = range.start() else {
        return Err(empty());
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_at, found) = find_header(&rows, &KPI_HEADERS, 0);
    let header_row = row0 as usize + header_at + 1;
    let missing: Vec<String> = KPI_HEADERS
        .iter()
        .enumerate()
        .filter(|(k, _)| found[*k].is_empty())
        .map(|(_, h)| format!("「{h}」"))
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError::new(
            header_row,
            "",
            "",
            format!(
                "缺少必填列{}：请使用运营绩效导入模板的表头（表头文字请勿修改，列的顺序可以调整）",
                missing.join("")
            ),
        )]);
    }
    let cols: [usize; 9] = std::array::from_fn(|k| found[k][0]);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(header_at + 1) {
        if cols.iter().all(|c| is_blank(cell_at(cells, *c))) {
            continue;
        }
        let n = row0 as usize + i + 1;
        let cell = |k: usize| cell_at(cells, cols[k]);
        let mut bad = |k: usize, reason: String| {
            errors.push(RowError::new(n, KPI_HEADERS[k], shown(cell(k)), reason))
        };
        let mut ok = true;
        let team = text_of(cell(0));
        if team.is_empty() {
            bad(0, "团队为必填项，不能为空".into());
            ok = false;
        }
        let zone = text_of(cell(1));
        if zone.is_empty() {
            bad(1, "片区为必填项，不能为空".into());
            ok = false;
        }
        let year = match DataYear::parse(&text_of(cell(2))) {
            Ok(y) => Some(y),
            Err(e) => {
                bad(2, e.message);
                ok = false;
                None
            }
        };
        let draft = KpiDraft {
            revenue: text_of(cell(3)),
            visitors: text_of(cell(4)),
            events: text_of(cell(5)),
            jobs: text_of(cell(6)),
            collective_income: text_of(cell(7)),
        };
        let spec = match draft.parse() {
            Ok(s) => Some(s),
            Err(es) => {
                for e in es {
                    let k = match e.field.as_str() {
                        "revenue" => 3,
                        "visitors" => 4,
                        "events" => 5,
                        "jobs" => 6,
                        _ => 7,
                    };
                    bad(k, e.message);
                }
                ok = false;
                None
            }
        };
        let version = if is_blank(cell(8)) {
            None
        } else {
            match read_count(cell(8), COL_VERSION) {
                Ok(v) if v > 0 => Some(v),
                Ok(_) => {
                    bad(8, "版本应为正整数".into());
                    ok = false;
                    None
                }
                Err(e) => {
                    bad(8, e);
                    ok = false;
                    None
                }
            }
        };
        if let (true, Some(year), Some(spec)) = (ok, year, spec) {
            out.push(KpiImportRow {
                row: n,
                team,
                zone,
                year,
                spec,
                version,
            });
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(empty());
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn book(rows: &[[&str; 9]]) -> Vec<u8> {
        let mut b = Workbook::new();
        let ws = b.add_worksheet();
        ws.set_name(KPI_SHEET).unwrap();
        for (c, h) in KPI_HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
        b.save_to_buffer().unwrap()
    }

    #[test]
    fn every_bad_cell_is_named_and_good_rows_are_read() {
        let e = parse_kpis_xlsx(&book(&[
            ["", "某片区", "2025", "-1", "很多", "", "", "", ""],
            ["某团队", "某片区", "1999", "", "", "", "", "", "0"],
        ]))
        .unwrap_err();
        let cells: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cells,
            [
                (2, COL_TEAM),
                (2, COL_REVENUE),
                (2, COL_VISITORS),
                (3, COL_YEAR),
                (3, COL_VERSION)
            ]
        );
        let ok = parse_kpis_xlsx(&book(&[[
            "某团队",
            "某片区",
            "2025",
            "1,200,000.50",
            "3000",
            "4",
            "12",
            "50000",
            "2",
        ]]))
        .unwrap();
        assert_eq!(ok[0].spec.revenue, Fen(120_000_050));
        assert_eq!((ok[0].row, ok[0].version), (2, Some(2)));
        assert!(parse_kpis_xlsx(b"not a workbook").is_err());
        assert!(
            parse_kpis_xlsx(&kpi_template().unwrap()).is_err(),
            "no rows"
        );
    }
}
