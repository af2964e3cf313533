//! Reading a filled-in 年度数据 workbook (the template of [`crate::years_template`], or the
//! export of [`crate::export_years`] edited by hand).
//!
//! Columns are found by their header text, in any order. Every bad cell of every row is
//! reported at once, so an official fixes the whole file in one go; nothing is returned as
//! valid unless the whole file is.

use crate::RowError;
use calamine::{Data, Range, Reader, Xlsx};
use gongfu_core::village::{DivisionKind, YearlyFigures};
use gongfu_core::{DataYear, Fen, VillageCode};
use gongfu_store::Snapshot;
use std::collections::HashMap;
use std::io::Cursor;

/// Name of the data sheet in the template and the yearly export.
pub const YEARS_SHEET: &str = "年度数据";

pub const COL_CODE: &str = "村代码";
pub const COL_NAME: &str = "村名";
pub const COL_YEAR: &str = "数据年度";
pub const COL_POPULATION: &str = "户籍人口";
pub const COL_HOUSEHOLDS: &str = "户数";
pub const COL_OPERATING: &str = "经营性收入（元）";
pub const COL_DISPOSABLE: &str = "人均可支配收入（元）";
pub const COL_AREA: &str = "面积（平方公里）";

/// The template's header row, in the order the template writes it.
pub const YEARS_HEADERS: [&str; 8] = [
    COL_CODE,
    COL_NAME,
    COL_YEAR,
    COL_POPULATION,
    COL_HOUSEHOLDS,
    COL_OPERATING,
    COL_DISPOSABLE,
    COL_AREA,
];

/// The message for bytes that are not an .xlsx workbook.
pub const NOT_XLSX: &str = "文件不是有效的 Excel（.xlsx）文件";

/// How many rows from the top are searched for the header row (a title line above it is
/// common in hand-made sheets).
pub(crate) const HEADER_SEARCH_ROWS: usize = 20;

/// Indices of the template's columns in `YEARS_HEADERS` order; 村名 is optional.
const REQUIRED: [usize; 7] = [0, 2, 3, 4, 5, 6, 7];

/// Header text as people type it: spaces dropped, ASCII brackets and commas made full-width.
pub(crate) fn normalise_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            other => other,
        })
        .collect()
}

/// A cell's value as the user sees it, for `RowError::value`.
pub(crate) fn shown(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => format!("{}", d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e}"),
    }
}

static EMPTY: Data = Data::Empty;

pub(crate) fn cell_at(r: &[Data], c: usize) -> &Data {
    r.get(c).unwrap_or(&EMPTY)
}

pub(crate) fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Text typed by a person, with thousands separators and full-width digits undone.
pub(crate) fn plain_number_text(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            other => other,
        })
        .collect()
}

/// A spreadsheet number at the 15 significant digits Excel shows, so a formula's binary noise
/// (0.1 + 0.2 = 0.30000000000000004) reads as what the official sees (0.3). A real third
/// decimal (1234.005) survives this and is still refused.
pub(crate) fn excel_precision(f: f64) -> f64 {
    format!("{f:.14e}").parse().unwrap_or(f)
}

/// A whole number: 户籍人口, 户数.
pub(crate) fn read_count(cell: &Data, what: &str) -> Result<i64, String> {
    let n = match cell {
        Data::Int(i) => *i,
        Data::Float(f) => {
            let f = excel_precision(*f);
            if !f.is_finite() || f.abs() >= 9.0e15 {
                return Err(format!("{what}不是有效数值"));
            }
            if f.fract() != 0.0 {
                return Err(format!("{what}应为整数"));
            }
            f as i64
        }
        Data::String(s) => {
            let t = plain_number_text(s);
            match t.parse::<i64>() {
                Ok(n) => n,
                Err(_) if t.parse::<f64>().is_ok_and(f64::is_finite) => {
                    return Err(format!("{what}应为整数"));
                }
                Err(_) => return Err(format!("{what}不是数字")),
            }
        }
        _ => return Err(format!("{what}不是数字")),
    };
    if n < 0 {
        return Err(format!("{what}不能为负数"));
    }
    Ok(n)
}

/// An amount in yuan with at most two decimals.
fn read_money(cell: &Data) -> Result<Fen, String> {
    match cell {
        Data::Int(i) => i
            .checked_mul(100)
            .map(Fen)
            .ok_or_else(|| format!("金额「{i}」无效：数值过大")),
        Data::Float(f) => Fen::from_yuan_f64(*f)
            .or_else(|e| Fen::from_yuan_f64(excel_precision(*f)).map_err(|_| e))
            .map_err(|e| e.message),
        Data::String(s) => Fen::parse_yuan(s).map_err(|e| e.message),
        _ => Err("金额不是数字".to_string()),
    }
}

fn read_area(cell: &Data) -> Result<f64, String> {
    let v = match cell {
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        Data::String(s) => plain_number_text(s)
            .parse::<f64>()
            .map_err(|_| "面积不是数字".to_string())?,
        _ => return Err("面积不是数字".to_string()),
    };
    if !v.is_finite() || v < 0.0 {
        return Err("面积应为不小于 0 的数（平方公里）".to_string());
    }
    Ok(v)
}

fn read_year(cell: &Data) -> Result<DataYear, String> {
    match cell {
        Data::Int(i) => DataYear::new(*i).map_err(|e| e.message),
        Data::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.0e9 => {
            DataYear::new(*f as i64).map_err(|e| e.message)
        }
        Data::String(s) => DataYear::parse(&plain_number_text(s)).map_err(|e| e.message),
        other => Err(format!("数据年度「{}」不是整数年份", shown(other))),
    }
}

/// A village code: text, or a number Excel made of it (330603105201 as a float).
pub(crate) fn read_code(cell: &Data) -> Result<VillageCode, String> {
    let text = match cell {
        Data::Float(f) if f.is_finite() && f.fract() == 0.0 && *f >= 0.0 && *f < 1.0e13 => {
            format!("{}", *f as i64)
        }
        Data::Int(i) => i.to_string(),
        Data::String(s) => plain_number_text(s),
        other => shown(other),
    };
    VillageCode::parse(&text).map_err(|e| e.message)
}

/// Maps the field a `YearlyFigures::validate` error names to the column a user sees.
fn column_of_field(field: &str) -> &'static str {
    match field {
        "population" => COL_POPULATION,
        "households" => COL_HOUSEHOLDS,
        "operating_income" => COL_OPERATING,
        "disposable_income" => COL_DISPOSABLE,
        "area_km2" => COL_AREA,
        "year" => COL_YEAR,
        _ => COL_CODE,
    }
}

/// Reads the 年度数据 sheet (or the first sheet) of an .xlsx workbook into validated yearly
/// figures, in file order.
///
/// Refused, with every problem listed: a missing header (on the header row); a village code
/// that is not 12 digits, not in the registry, or a community's (社区不填报); a year outside
/// 2000–2100; counts that are not whole non-negative numbers; money that is not a number or
/// has more than two decimals; households above the population and the other
/// [`YearlyFigures::validate`] rules; the same village and year twice (each row is told the
/// other rows). Blank rows are skipped, and so are rows whose five figure cells are all empty
/// (a prefilled template row nobody filled in). A file that is not .xlsx, has no sheet, or no
/// data row gives a single error on row 0.
pub fn parse_years_xlsx(
    bytes: &[u8],
    snap: &Snapshot,
) -> Result<Vec<(VillageCode, YearlyFigures)>, Vec<RowError>> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == YEARS_SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| vec![RowError::file("工作簿中没有工作表")])?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    parse_range(&range, &sheet, snap)
}

/// The columns of each expected header in one row (a header may appear more than once).
fn header_columns<const N: usize>(cells: &[Data], headers: &[&str; N]) -> [Vec<usize>; N] {
    let mut found: [Vec<usize>; N] = std::array::from_fn(|_| Vec::new());
    for (c, cell) in cells.iter().enumerate() {
        if let Data::String(s) = cell {
            let h = normalise_header(s);
            if let Some(k) = headers.iter().position(|x| *x == h) {
                found[k].push(c);
            }
        }
    }
    found
}

/// The header row — the first of the top rows that names the `key` column (a title row above
/// the table is common in hand-made sheets), else the first — and its columns.
pub(crate) fn find_header<const N: usize>(
    rows: &[&[Data]],
    headers: &[&str; N],
    key: usize,
) -> (usize, [Vec<usize>; N]) {
    let at = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| !header_columns(r, headers)[key].is_empty())
        .unwrap_or(0);
    (at, header_columns(rows[at], headers))
}

fn parse_range(
    range: &Range<Data>,
    sheet: &str,
    snap: &Snapshot,
) -> Result<Vec<(VillageCode, YearlyFigures)>, Vec<RowError>> {
    let Some((row0, _)) = range.start() else {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」是空的：请在第一行填写表头，从第二行起每行填一个村一个年度的数据"
        ))]);
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    // Spreadsheet row number (1-based) of rows[i].
    let row_no = |i: usize| row0 as usize + i + 1;

    let (header_at, found) = find_header(&rows, &YEARS_HEADERS, 0);
    let mut errors = Vec::new();
    for k in REQUIRED {
        if found[k].is_empty() {
            errors.push(RowError::new(
                row_no(header_at),
                YEARS_HEADERS[k],
                "",
                format!("缺少必填列「{}」：请使用导入模板的表头", YEARS_HEADERS[k]),
            ));
        }
    }
    for (k, cols) in found.iter().enumerate() {
        if cols.len() > 1 {
            errors.push(RowError::new(
                row_no(header_at),
                YEARS_HEADERS[k],
                "",
                format!(
                    "表头「{}」出现了 {} 次，只能有一列",
                    YEARS_HEADERS[k],
                    cols.len()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let cols: [usize; 8] = std::array::from_fn(|k| found[k].first().copied().unwrap_or(usize::MAX));

    let mut out: Vec<(usize, VillageCode, YearlyFigures)> = Vec::new();
    // (code, year) → spreadsheet rows, for duplicates.
    let mut seen: HashMap<(VillageCode, DataYear), Vec<usize>> = HashMap::new();
    let mut data_rows = 0usize;
    for (i, r) in rows.iter().enumerate().skip(header_at + 1) {
        let n = row_no(i);
        // Blank, or a prefilled template row whose figures nobody filled in.
        if (3..8).all(|k| is_blank(cell_at(r, cols[k]))) {
            continue;
        }
        data_rows += 1;
        let before = errors.len();
        let mut bad = |k: usize, reason: String| {
            errors.push(RowError::new(
                n,
                YEARS_HEADERS[k],
                shown(cell_at(r, cols[k])),
                reason,
            ));
        };
        let required = |k: usize| -> Result<&Data, String> {
            let c = cell_at(r, cols[k]);
            if is_blank(c) {
                Err(format!("{}为必填项，不能为空", YEARS_HEADERS[k]))
            } else {
                Ok(c)
            }
        };

        let code = match required(0).and_then(read_code) {
            Ok(code) => match snap.division(&code) {
                None => {
                    bad(0, format!("村代码「{code}」不在区划名录中"));
                    None
                }
                Some(d) if d.division.kind == DivisionKind::Community => {
                    bad(
                        0,
                        format!("「{}」是社区，社区不填报年度数据", d.division.name),
                    );
                    None
                }
                Some(_) => Some(code),
            },
            Err(e) => {
                bad(0, e);
                None
            }
        };
        let year = required(2).and_then(read_year).map_err(|e| bad(2, e)).ok();
        let population = required(3)
            .and_then(|c| read_count(c, COL_POPULATION))
            .map_err(|e| bad(3, e))
            .ok();
        let households = required(4)
            .and_then(|c| read_count(c, COL_HOUSEHOLDS))
            .map_err(|e| bad(4, e))
            .ok();
        let operating = required(5).and_then(read_money).map_err(|e| bad(5, e)).ok();
        let disposable = required(6).and_then(read_money).map_err(|e| bad(6, e)).ok();
        let area = required(7).and_then(read_area).map_err(|e| bad(7, e)).ok();

        if let (Some(code), Some(year)) = (&code, year) {
            seen.entry((code.clone(), year)).or_default().push(n);
        }
        let (
            Some(code),
            Some(year),
            Some(population),
            Some(households),
            Some(operating_income),
            Some(disposable_income),
            Some(area_km2),
        ) = (
            code, year, population, households, operating, disposable, area,
        )
        else {
            continue;
        };
        let figures = YearlyFigures {
            year,
            population,
            households,
            operating_income,
            disposable_income,
            area_km2,
        };
        if let Err(e) = figures.validate() {
            let k = YEARS_HEADERS
                .iter()
                .position(|h| *h == column_of_field(&e.field))
                .unwrap_or(0);
            bad(k, e.message);
            continue;
        }
        if errors.len() == before {
            out.push((n, code, figures));
        }
    }

    if data_rows == 0 && errors.is_empty() {
        return Err(vec![RowError::file(format!(
            "工作表「{sheet}」中没有数据行：请从表头下一行起填写"
        ))]);
    }
    let mut dupes: Vec<(&(VillageCode, DataYear), &Vec<usize>)> =
        seen.iter().filter(|(_, rows)| rows.len() > 1).collect();
    dupes.sort_by_key(|(_, rows)| rows[0]);
    for ((code, year), rows) in dupes {
        let list = rows
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("、");
        for &r in rows {
            errors.push(RowError::new(
                r,
                COL_CODE,
                code.as_str(),
                format!("村代码「{code}」的 {year} 年度数据重复出现（第 {list} 行），同一村同一年度只能填一行"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out.into_iter().map(|(_, c, f)| (c, f)).collect())
    } else {
        let order = |e: &RowError| YEARS_HEADERS.iter().position(|h| *h == e.column);
        errors.sort_by_key(|e| (e.row, order(e)));
        Err(errors)
    }
}
