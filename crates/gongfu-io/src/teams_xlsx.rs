//! The 运营绩效 workbook of operating teams: export, import template with its 填表说明, and
//! the importer.
//!
//! One row per team, zone and year. Team and zone are named as the platform names them; a
//! year already entered carries the 版本 it was exported at (the store refuses the row when
//! the record has changed since), a year not entered yet has none. The importer reads every
//! cell as typed into the core [`KpiDraft`] and reports every bad cell of every row at once;
//! rows are returned only when the whole file is good. Whether the team and zone exist, the
//! team serves the zone and the version is current is the store's check at apply time.

use crate::work_xlsx::{SheetSpec, column_formats, guide_with_notes, read_sheet, write_fen};
use crate::xlsx_export::{Formats, Grid};
use crate::{IoError, RowError};
use gongfu_core::DataYear;
use gongfu_core::ops::teams::{Kpi, KpiDraft};
use gongfu_store::teams::KpiImportRow;
use rust_xlsxwriter::Workbook;

pub const KPI_SHEET: &str = "运营绩效";
pub use crate::work_xlsx::GUIDE_SHEET;

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
    column_formats(ws, f, &[], &[k::REVENUE, k::COLLECTIVE], &[])?;
    let mut g = Grid::new(ws, &KPI_HEADERS, f)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        g.text(row, 0, r.team)?;
        g.text(row, 1, r.zone)?;
        g.int(row, 2, i64::from(r.kpi.year.get()))?;
        write_fen(&mut g, f, row, k::REVENUE, r.kpi.revenue)?;
        g.count(row, 4, r.kpi.visitors, f)?;
        g.count(row, 5, r.kpi.events, f)?;
        g.count(row, 6, r.kpi.jobs, f)?;
        write_fen(&mut g, f, row, k::COLLECTIVE, r.kpi.collective_income)?;
        g.int(row, 8, r.kpi.version)?;
    }
    g.finish()?;
    Ok(())
}

/// 运营绩效 of the given records, in the importer's columns (so the file can be corrected
/// and uploaded again).
pub fn export_kpis(rows: &[KpiExportRow], demo: bool) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, rows)?;
    if demo {
        crate::xlsx_export::demo_sheet(
            &mut book,
            &f,
            &[
                "本文件导出自演示数据库：其中的运营团队和绩效均为演示数据，由程序生成，不得引用、上报或用于决策。",
            ],
        )?;
    }
    Ok(book.save_to_buffer()?)
}

/// The import template: the header row and a 填表说明 sheet.
pub fn kpi_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_sheet(&mut book, &f, &[])?;
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
    let notes = [
        "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。",
        "同一团队、片区、年份只能填一行。",
        "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
        "全部无误后确认导入：所有行一起写入，任何一行写入失败则全部不写入（全部成功或全部不变）。",
    ];
    let lines: Vec<(&str, String)> = lines.iter().map(|(c, t)| (*c, t.to_string())).collect();
    guide_with_notes(&mut book, &f, &lines, &[], &notes)?;
    Ok(book.save_to_buffer()?)
}

/// 运营绩效 columns by position.
mod k {
    pub const TEAM: usize = 0;
    pub const ZONE: usize = 1;
    pub const YEAR: usize = 2;
    pub const REVENUE: usize = 3;
    pub const VISITORS: usize = 4;
    pub const EVENTS: usize = 5;
    pub const JOBS: usize = 6;
    pub const COLLECTIVE: usize = 7;
    pub const VERSION: usize = 8;
}

/// A row is named by its team, zone and year (no 编号 column); every column is required.
const SPEC: SheetSpec<{ KPI_HEADERS.len() }> = SheetSpec {
    name: KPI_SHEET,
    headers: &KPI_HEADERS,
    key: k::TEAM,
    read_only: &[],
    id: None,
    id_header: "",
    what: "运营绩效",
    a_row: "团队一个片区一年的绩效",
};

/// Reads the 运营绩效 sheet (or the first sheet): every row's problems at once, or the rows.
pub fn parse_kpis_xlsx(bytes: &[u8]) -> Result<Vec<KpiImportRow>, Vec<RowError>> {
    read_sheet(bytes, &SPEC, |r, n, _| {
        let team = r.text(k::TEAM);
        if team.is_empty() {
            r.bad(k::TEAM, team.clone(), "团队为必填项，不能为空".into());
        }
        let zone = r.text(k::ZONE);
        if zone.is_empty() {
            r.bad(k::ZONE, zone.clone(), "片区为必填项，不能为空".into());
        }
        let year_text = r.text(k::YEAR);
        let year = DataYear::parse(&year_text)
            .map_err(|e| r.bad(k::YEAR, year_text, e.message))
            .ok();
        let draft = KpiDraft {
            revenue: r.text(k::REVENUE),
            visitors: r.text(k::VISITORS),
            events: r.text(k::EVENTS),
            jobs: r.text(k::JOBS),
            collective_income: r.text(k::COLLECTIVE),
        };
        let spec = draft
            .parse()
            .map_err(|es| {
                let column = |f: &str| match f {
                    "revenue" => k::REVENUE,
                    "visitors" => k::VISITORS,
                    "events" => k::EVENTS,
                    "jobs" => k::JOBS,
                    _ => k::COLLECTIVE,
                };
                let text = |c: usize| match c {
                    k::REVENUE => draft.revenue.clone(),
                    k::VISITORS => draft.visitors.clone(),
                    k::EVENTS => draft.events.clone(),
                    k::JOBS => draft.jobs.clone(),
                    _ => draft.collective_income.clone(),
                };
                r.draft_errors(es, column, text)
            })
            .ok();
        let version = r.id(k::VERSION).ok()?;
        Some(KpiImportRow {
            row: n,
            team,
            zone,
            year: year?,
            spec: spec?,
            version,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::Fen;
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
