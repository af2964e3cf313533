//! Brands and industry chains in Excel (品牌与产业链): the export of brands with their
//! licences (two sheets, for reading), and the yearly chain output sheet (产业链产值) —
//! export, import template with its 填表说明, and the importer.
//!
//! The output sheet has one row per chain and year: 产业链 (the chain's name, as registered),
//! 年份, 产值（元） and 版本 (the version of that year's figure as exported; empty for a year
//! not reported yet). The importer reads every cell as the text a person would have typed,
//! checks each row, and reports every bad cell at once as [`RowError`]s naming the row and the
//! column; rows come back only when the whole file is good. Whether the chain exists and the
//! 版本 is current is the store's check (it reads the database): the caller shows the dry
//! run's errors and applies all or nothing.

use crate::work_xlsx::{SheetSpec, column_formats, guide_with_notes, read_sheet, write_fen};
use crate::xlsx_export::{Formats, Grid};
use crate::{IoError, RowError};
use gongfu_core::ops::brands::{Brand, Chain, Licence};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, Fen};
use rust_xlsxwriter::{Workbook, XlsxError};
use time::Date;

pub const BRANDS_SHEET: &str = "品牌";
pub const LICENCES_SHEET: &str = "授权";
pub const OUTPUT_SHEET: &str = "产业链产值";
pub use crate::work_xlsx::GUIDE_SHEET;

pub const COL_CHAIN: &str = "产业链";
pub const COL_YEAR: &str = "年份";
pub const COL_OUTPUT: &str = "产值（元）";
pub const COL_VERSION: &str = "版本";

/// The 产业链产值 header row, in the order export and template write it.
pub const OUTPUT_HEADERS: [&str; 4] = [COL_CHAIN, COL_YEAR, COL_OUTPUT, COL_VERSION];

const BRAND_HEADERS: [&str; 8] = [
    "品牌编号",
    "品牌",
    "类别",
    "产品",
    "地理标志编号",
    "地理标志持有人",
    "保护范围",
    "有效授权数",
];

const LICENCE_HEADERS: [&str; 8] = [
    "品牌",
    "被授权主体",
    "统一社会信用代码",
    "授权起始日期",
    "授权截止日期",
    "撤销日期",
    "状态",
    "备注",
];

fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    crate::xlsx_export::demo_sheet(
        book,
        f,
        &[format!(
            "本文件（{what}）导出自演示数据库：其中的品牌、授权、产业链和产值均为演示数据，由程序生成，不得引用、上报或用于决策。"
        )],
    )
}

/// 品牌 and 授权: every brand with its GI details and valid licences on `today`, and every
/// licence with its status. `actor` names an actor id: (name, credit code).
pub fn export_brands(
    brands: &[Brand],
    licences: &[Licence],
    actor: &dyn Fn(i64) -> (String, String),
    today: Date,
    demo: bool,
) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let ws = book.add_worksheet();
        ws.set_name(BRANDS_SHEET)?;
        let mut g = Grid::new(ws, &BRAND_HEADERS, &f)?;
        for (i, b) in brands.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, 0, b.id)?;
            g.text(r, 1, &b.name)?;
            g.text(r, 2, b.kind.label())?;
            g.text(r, 3, &b.product)?;
            if let Some(gi) = &b.gi {
                g.text(r, 4, &gi.number)?;
                g.text(r, 5, &gi.holder)?;
                g.text(r, 6, &gi.area)?;
            }
            let valid = licences
                .iter()
                .filter(|l| l.brand == b.id && l.valid_on(today))
                .count();
            g.int(r, 7, valid as i64)?;
        }
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(LICENCES_SHEET)?;
        let mut g = Grid::new(ws, &LICENCE_HEADERS, &f)?;
        for (i, l) in licences.iter().enumerate() {
            let r = i as u32 + 1;
            let brand = brands
                .iter()
                .find(|b| b.id == l.brand)
                .map(|b| b.name.clone())
                .unwrap_or_default();
            let (name, code) = actor(l.actor);
            g.text(r, 0, &brand)?;
            g.text(r, 1, &name)?;
            g.text(r, 2, &code)?;
            g.text(r, 3, &date_string(l.from))?;
            g.text(r, 4, &date_string(l.to))?;
            g.text(r, 5, &l.revoked_on.map(date_string).unwrap_or_default())?;
            g.text(r, 6, l.status_on(today).label())?;
            g.text(r, 7, &l.note)?;
        }
        g.finish()?;
    }
    if demo {
        demo_notice(&mut book, &f, "品牌与授权")?;
    }
    Ok(book.save_to_buffer()?)
}

fn write_output_sheet(book: &mut Workbook, f: &Formats, chains: &[Chain]) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(OUTPUT_SHEET)?;
    column_formats(ws, f, &[], &[2], &[])?;
    let mut g = Grid::new(ws, &OUTPUT_HEADERS, f)?;
    let mut r = 1u32;
    for c in chains {
        for o in &c.output {
            g.text(r, 0, &c.name)?;
            g.int(r, 1, i64::from(o.year.get()))?;
            write_fen(&mut g, f, r, 2, o.value)?;
            g.int(r, 3, o.version)?;
            r += 1;
        }
    }
    g.finish()
}

/// 产业链产值: every chain's reported years, in the importer's columns (so the file can be
/// corrected, extended with new years, and uploaded again).
pub fn export_outputs(chains: &[Chain], demo: bool) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_output_sheet(&mut book, &f, chains)?;
    if demo {
        demo_notice(&mut book, &f, "产业链产值")?;
    }
    Ok(book.save_to_buffer()?)
}

/// The 产业链产值 import template: the header row, and a 填表说明 sheet explaining each
/// column and listing the registered chains' names.
pub fn outputs_template(chain_names: &[String]) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_output_sheet(&mut book, &f, &[])?;
    let lines: [(&str, String); 4] = [
        (COL_CHAIN, "必填。产业链名称，须与平台中登记的名称完全一致（见下方列表）。".to_string()),
        (COL_YEAR, format!("必填。产值所属年份，{} 至 {} 之间的整数，如 2025。", DataYear::MIN, DataYear::MAX)),
        (COL_OUTPUT, "必填。该产业链当年的产值，单位元，不小于 0，最多两位小数（精确到分），不超过 100 亿元。".to_string()),
        (COL_VERSION, "修改已填报的年份时必填：请保留导出文件中的数字，不要改动；新填报的年份请留空。导入时若该年产值在导出后已被他人修改（版本已变），该行报错且整个文件不导入：请重新导出最新数据后再改。".to_string()),
    ];
    let chains: Vec<(String, String)> = chain_names
        .iter()
        .map(|n| (n.clone(), String::new()))
        .collect();
    let notes = [
        "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。同一产业链同一年份只能出现一次。",
        "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
        "全部无误后确认导入：所有行一起写入，任何一行写入失败则全部不写入（全部成功或全部不变）。",
        "各年产值按产业链环节村所在片区的村数比例计入片区指标“产业链产值（按村分摊）”。",
    ];
    guide_with_notes(
        &mut book,
        &f,
        &lines,
        &[("已登记的产业链", "", chains)],
        &notes,
    )?;
    Ok(book.save_to_buffer()?)
}

/// One checked row of a 产业链产值 upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    /// The 1-based spreadsheet row.
    pub row: usize,
    /// The chain's name as typed (trimmed).
    pub chain: String,
    pub year: DataYear,
    pub value: Fen,
    /// 0 for a year not reported before (版本 empty).
    pub version: i64,
}

/// 产业链产值 columns by position.
mod o {
    pub const CHAIN: usize = 0;
    pub const YEAR: usize = 1;
    pub const OUTPUT: usize = 2;
    pub const VERSION: usize = 3;
}

/// A row is named by its chain and year (no 编号 column); every column is required.
const SPEC: SheetSpec<{ OUTPUT_HEADERS.len() }> = SheetSpec {
    name: OUTPUT_SHEET,
    headers: &OUTPUT_HEADERS,
    key: o::CHAIN,
    read_only: &[],
    id: None,
    id_header: "",
    what: "产业链产值",
    a_row: "产业链一个年份的产值",
};

/// Reads the 产业链产值 sheet (or the first sheet) into checked rows, in file order, or every
/// problem in it: a missing column, a missing 产业链, a year that is not a whole number from
/// 2000 to 2100, an output that is not a non-negative yuan amount with at most two decimals,
/// a 版本 that is not a positive whole number, an error value in a cell, and the same chain
/// and year twice. Blank rows are skipped; a file without data rows, or that is not .xlsx,
/// is one error on row 0.
pub fn parse_outputs_xlsx(bytes: &[u8]) -> Result<Vec<OutputLine>, Vec<RowError>> {
    let mut seen: Vec<(String, i32, usize)> = Vec::new();
    read_sheet(bytes, &SPEC, |r, n, _| {
        let chain = r.text(o::CHAIN);
        if chain.is_empty() {
            r.bad(o::CHAIN, String::new(), "请填写产业链名称".into());
        }
        let text = r.text(o::YEAR);
        let year = if text.is_empty() {
            r.bad(o::YEAR, text, "请填写年份".into());
            None
        } else {
            DataYear::parse(&text)
                .map_err(|e| r.bad(o::YEAR, text, e.message))
                .ok()
        };
        let text = r.text(o::OUTPUT);
        let value = if text.is_empty() {
            r.bad(o::OUTPUT, text, "请填写产值（元）".into());
            None
        } else {
            gongfu_core::ops::parse_money(&text, "output", "产值")
                .map_err(|e| r.bad(o::OUTPUT, text, e.message))
                .ok()
        };
        let text = r.text(o::VERSION);
        let version = if text.is_empty() {
            Some(0)
        } else {
            match text.parse::<i64>() {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    r.bad(
                        o::VERSION,
                        text,
                        "版本应为导出文件中的正整数；新填报的年份请留空".into(),
                    );
                    None
                }
            }
        };
        if let Some(y) = year
            && !chain.is_empty()
        {
            if let Some((_, _, first)) =
                seen.iter().find(|(c, yy, _)| *c == chain && *yy == y.get())
            {
                r.bad(
                    o::YEAR,
                    y.get().to_string(),
                    format!(
                        "「{chain}」{} 年在第 {first} 行已填写：同一产业链同一年份只能出现一次",
                        y.get()
                    ),
                );
            } else {
                seen.push((chain.clone(), y.get(), n));
            }
        }
        Some(OutputLine {
            row: n,
            chain,
            year: year?,
            value: value?,
            version: version?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::ops::brands::ChainOutput;

    fn chain(name: &str, outputs: &[(i32, i64, i64)]) -> Chain {
        Chain {
            id: 1,
            name: name.into(),
            brand: None,
            note: String::new(),
            links: vec![],
            output: outputs
                .iter()
                .map(|(y, v, ver)| ChainOutput {
                    year: DataYear::new(i64::from(*y)).unwrap(),
                    value: Fen(*v),
                    version: *ver,
                })
                .collect(),
            version: 1,
        }
    }

    #[test]
    fn an_exported_sheet_reads_back_exactly() {
        let chains = [
            chain("茶产业链", &[(2024, 22_321_440_012, 1), (2025, 1, 3)]),
            chain("香榧产业链", &[(2025, 10_000_000_050, 2)]),
        ];
        let bytes = export_outputs(&chains, true).unwrap();
        let rows = parse_outputs_xlsx(&bytes).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (
                rows[0].chain.as_str(),
                rows[0].year.get(),
                rows[0].value,
                rows[0].version,
                rows[0].row
            ),
            ("茶产业链", 2024, Fen(22_321_440_012), 1, 2)
        );
        assert_eq!(rows[2].value, Fen(10_000_000_050));
        assert!(outputs_template(&["茶产业链".into()]).is_ok());
    }

    #[test]
    fn every_bad_cell_is_named() {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in ["产业链", "年份", "产值(元)", "版本"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let rows: [[&str; 4]; 4] = [
            ["茶产业链", "2025", "100", ""],
            ["", "20245", "-1", "x"],
            ["茶产业链", "2025", "abc", ""],
            ["香榧产业链", "2024", "1.234", "2"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
        let e = parse_outputs_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, "产业链"),
                (3, "年份"),
                (3, "产值（元）"),
                (3, "版本"),
                (4, "年份"),
                (4, "产值（元）"),
                (5, "产值（元）"),
            ]
        );
        assert!(e[4].reason.contains("第 2 行"));
        assert_eq!(parse_outputs_xlsx(b"not a workbook").unwrap_err()[0].row, 0);
    }
}
