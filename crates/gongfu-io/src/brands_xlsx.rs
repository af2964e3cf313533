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

use crate::xlsx_export::{Formats, Grid};
use crate::xlsx_import::{NOT_XLSX, find_header};
use crate::{IoError, RowError};
use calamine::{Data, Reader, Xlsx};
use gongfu_core::ops::brands::{Brand, Chain, Licence};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, Fen};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::Cursor;
use time::Date;

pub const BRANDS_SHEET: &str = "品牌";
pub const LICENCES_SHEET: &str = "授权";
pub const OUTPUT_SHEET: &str = "产业链产值";
pub const GUIDE_SHEET: &str = "填表说明";

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

const MONEY_FORMAT: &str = "#,##0.00";

fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 100)?;
    ws.write_string_with_format(0, 0, "演示数据", &f.header)?;
    ws.write_string_with_format(
        1,
        0,
        format!("本文件（{what}）导出自演示数据库：其中的品牌、授权、产业链和产值均为演示数据，由程序生成，不得引用、上报或用于决策。"),
        &f.wrap,
    )?;
    Ok(())
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
    ws.set_column_format(2, &Format::new().set_num_format(MONEY_FORMAT))?;
    let mut g = Grid::new(ws, &OUTPUT_HEADERS, f)?;
    let mut r = 1u32;
    for c in chains {
        for o in &c.output {
            g.text(r, 0, &c.name)?;
            g.int(r, 1, i64::from(o.year.get()))?;
            // The one place fen becomes a float: exact for any amount below 2^53 fen.
            g.ws.write_number_with_format(r, 2, o.value.0 as f64 / 100.0, &f.money)?;
            g.seen(r, 2, o.value.yuan_string().len());
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
    let ws = book.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "列名", &f.header)?;
    ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
    let lines = [
        (COL_CHAIN, "必填。产业链名称，须与平台中登记的名称完全一致（见下方列表）。".to_string()),
        (COL_YEAR, format!("必填。产值所属年份，{} 至 {} 之间的整数，如 2025。", DataYear::MIN, DataYear::MAX)),
        (COL_OUTPUT, "必填。该产业链当年的产值，单位元，不小于 0，最多两位小数（精确到分），不超过 100 亿元。".to_string()),
        (COL_VERSION, "修改已填报的年份时必填：请保留导出文件中的数字，不要改动；新填报的年份请留空。导入时若该年产值在导出后已被他人修改（版本已变），该行报错且整个文件不导入：请重新导出最新数据后再改。".to_string()),
    ];
    let mut r = 1u32;
    for (col, text) in &lines {
        ws.write_string(r, 0, *col)?;
        ws.write_string_with_format(r, 1, text, &f.wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "已登记的产业链", &f.header)?;
    for name in chain_names {
        r += 1;
        ws.write_string(r, 0, name)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, "说明", &f.header)?;
    for note in [
        "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。同一产业链同一年份只能出现一次。",
        "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
        "全部无误后确认导入：所有行一起写入，任何一行写入失败则全部不写入（全部成功或全部不变）。",
        "各年产值按产业链环节村所在片区的村数比例计入片区指标“产业链产值（按村分摊）”。",
    ] {
        r += 1;
        ws.write_string_with_format(r, 1, note, &f.wrap)?;
    }
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

/// A cell as the person who filled it in would read it, or why it has none.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::work_xlsx::number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => crate::work_xlsx::number_text(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => {
            return Err(format!(
                "单元格是错误值「{e}」（多为公式出错）：请改为要填写的内容"
            ));
        }
    })
}

/// Reads the 产业链产值 sheet (or the first sheet) into checked rows, in file order, or every
/// problem in it: a missing column, a missing 产业链, a year that is not a whole number from
/// 2000 to 2100, an output that is not a non-negative yuan amount with at most two decimals,
/// a 版本 that is not a positive whole number, an error value in a cell, and the same chain
/// and year twice. Blank rows are skipped; a file without data rows, or that is not .xlsx,
/// is one error on row 0.
pub fn parse_outputs_xlsx(bytes: &[u8]) -> Result<Vec<OutputLine>, Vec<RowError>> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == OUTPUT_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| vec![RowError::file("工作簿中没有工作表")])?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let Some((row0, _)) = range.start() else {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」是空的：请使用导入模板，第一行为表头"
        ))]);
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let row_no = |i: usize| row0 as usize + i + 1;
    let (header_at, found) = find_header(&rows, &OUTPUT_HEADERS, 0);
    let mut errors = Vec::new();
    let mut cols = [0usize; 4];
    for (k, c) in found.iter().enumerate() {
        match c.as_slice() {
            [one] => cols[k] = *one,
            [] => errors.push(RowError::new(
                row_no(header_at),
                OUTPUT_HEADERS[k],
                "",
                format!("缺少必填列「{}」：请使用导入模板的表头", OUTPUT_HEADERS[k]),
            )),
            _ => errors.push(RowError::new(
                row_no(header_at),
                OUTPUT_HEADERS[k],
                "",
                format!("列「{}」出现了不止一次", OUTPUT_HEADERS[k]),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<OutputLine> = Vec::new();
    let mut seen: Vec<(String, i32, usize)> = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(header_at + 1) {
        let n = row_no(i);
        let mut text = [String::new(), String::new(), String::new(), String::new()];
        let mut row_errors = Vec::new();
        for k in 0..4 {
            let cell = cells.get(cols[k]).unwrap_or(&Data::Empty);
            match cell_text(cell) {
                Ok(t) => text[k] = t,
                Err(reason) => row_errors.push(RowError::new(n, OUTPUT_HEADERS[k], "", reason)),
            }
        }
        if row_errors.is_empty() && text.iter().all(String::is_empty) {
            continue;
        }
        let chain = text[0].clone();
        if chain.is_empty() {
            row_errors.push(RowError::new(n, COL_CHAIN, "", "请填写产业链名称"));
        }
        let year = if text[1].is_empty() {
            row_errors.push(RowError::new(n, COL_YEAR, "", "请填写年份"));
            None
        } else {
            DataYear::parse(&text[1])
                .map_err(|e| row_errors.push(RowError::new(n, COL_YEAR, &text[1], e.message)))
                .ok()
        };
        let value = if text[2].is_empty() {
            row_errors.push(RowError::new(n, COL_OUTPUT, "", "请填写产值（元）"));
            None
        } else {
            gongfu_core::ops::parse_money(&text[2], "output", "产值")
                .map_err(|e| row_errors.push(RowError::new(n, COL_OUTPUT, &text[2], e.message)))
                .ok()
        };
        let version = if text[3].is_empty() {
            Some(0)
        } else {
            match text[3].parse::<i64>() {
                Ok(v) if v > 0 => Some(v),
                _ => {
                    row_errors.push(RowError::new(
                        n,
                        COL_VERSION,
                        &text[3],
                        "版本应为导出文件中的正整数；新填报的年份请留空",
                    ));
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
                row_errors.push(RowError::new(
                    n,
                    COL_YEAR,
                    y.get().to_string(),
                    format!(
                        "「{chain}」{} 年在第 {first} 行已填写：同一产业链同一年份只能出现一次",
                        y.get()
                    ),
                ));
            } else {
                seen.push((chain.clone(), y.get(), n));
            }
        }
        match (year, value, version) {
            (Some(year), Some(value), Some(version)) if row_errors.is_empty() => {
                out.push(OutputLine {
                    row: n,
                    chain,
                    year,
                    value,
                    version,
                })
            }
            _ => errors.append(&mut row_errors),
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」中没有数据行：从第二行起每行填写一个产业链一个年份的产值"
        ))]);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
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
                (4, "产值（元）"),
                (4, "年份"),
                (5, "产值（元）"),
            ]
        );
        assert!(e[5].reason.contains("第 2 行"));
        assert_eq!(parse_outputs_xlsx(b"not a workbook").unwrap_err()[0].row, 0);
    }
}
