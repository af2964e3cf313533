//! The talent workbooks (人才共创): 培训 and 创业人才 — export, import templates with a 填表说明
//! sheet, and importers.
//!
//! One row per training / entrepreneur. A row with an 编号 changes that record and carries the
//! 版本 it was exported at (the store refuses it when the record has changed since); a row
//! without one adds a record. Every cell is read as the text a person would have typed into
//! the core drafts ([`TrainingDraft`], [`EntrepreneurDraft`]), each checked by its own `parse`;
//! every bad cell of every row is reported at once as a [`RowError`] naming the row and the
//! Chinese column, and rows are returned only when the whole file is good (a dry run shows the
//! errors; the store applies all or nothing). Whether an 编号 exists, its 版本 is current, or
//! the actor may write the zone / village is the store's check.

use crate::xlsx_export::{Formats, Grid};
use crate::xlsx_import::{NOT_XLSX, cell_at, find_header, is_blank, read_count, shown};
use crate::{IoError, RowError};
use calamine::{Data, Reader, Xlsx};
use gongfu_core::DomainError;
use gongfu_core::ops::talent::{
    EntrepreneurDraft, EntrepreneurKind, EntrepreneurRecord, Training, TrainingDraft,
};
use gongfu_core::village::date_string;
use gongfu_store::talent::{EntrepreneurImportRow, TrainingImportRow};
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;
use std::io::Cursor;
use time::Date;

pub const TRAININGS_SHEET: &str = "培训";
pub const PEOPLE_SHEET: &str = "创业人才";
pub const GUIDE_SHEET: &str = "填表说明";

pub const COL_TRAINING_ID: &str = "培训编号";
pub const COL_ZONE_ID: &str = "片区编号";
pub const COL_ZONE: &str = "片区";
pub const COL_TOPIC: &str = "培训主题";
pub const COL_HELD_ON: &str = "培训日期";
pub const COL_AUDIENCE: &str = "培训对象";
pub const COL_ATTENDEES: &str = "参训人数";
pub const COL_HOURS: &str = "学时";
pub const COL_VERSION: &str = "版本";

pub const COL_PERSON_ID: &str = "人才编号";
pub const COL_NAME: &str = "姓名";
pub const COL_KIND: &str = "类型";
pub const COL_VILLAGE: &str = "所在村代码";
pub const COL_VILLAGE_NAME: &str = "所在村";
pub const COL_PROJECT: &str = "创业项目";
pub const COL_INCUBATOR: &str = "孵化平台";
pub const COL_SINCE: &str = "创业起始日期";
pub const COL_GRANTED: &str = "已批准扶持资金（元）";

pub const TRAINING_HEADERS: [&str; 9] = [
    COL_TRAINING_ID,
    COL_ZONE_ID,
    COL_ZONE,
    COL_TOPIC,
    COL_HELD_ON,
    COL_AUDIENCE,
    COL_ATTENDEES,
    COL_HOURS,
    COL_VERSION,
];

pub const PERSON_HEADERS: [&str; 11] = [
    COL_PERSON_ID,
    COL_NAME,
    COL_KIND,
    COL_VILLAGE,
    COL_VILLAGE_NAME,
    COL_ZONE,
    COL_PROJECT,
    COL_INCUBATOR,
    COL_SINCE,
    COL_GRANTED,
    COL_VERSION,
];

/// 培训 columns by position.
mod t {
    pub const ID: usize = 0;
    pub const ZONE_ID: usize = 1;
    pub const ZONE: usize = 2;
    pub const TOPIC: usize = 3;
    pub const HELD_ON: usize = 4;
    pub const AUDIENCE: usize = 5;
    pub const ATTENDEES: usize = 6;
    pub const HOURS: usize = 7;
    pub const VERSION: usize = 8;
    pub const READ_ONLY: [usize; 1] = [ZONE];
}

/// 创业人才 columns by position.
mod p {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const KIND: usize = 2;
    pub const VILLAGE: usize = 3;
    pub const VILLAGE_NAME: usize = 4;
    pub const ZONE: usize = 5;
    pub const PROJECT: usize = 6;
    pub const INCUBATOR: usize = 7;
    pub const SINCE: usize = 8;
    pub const GRANTED: usize = 9;
    pub const VERSION: usize = 10;
    pub const READ_ONLY: [usize; 3] = [VILLAGE_NAME, ZONE, GRANTED];
}

/// Names the export needs: a zone's, a village's (by code).
pub struct TalentNames<'a> {
    pub zone: &'a dyn Fn(i64) -> String,
    pub village: &'a dyn Fn(&str) -> String,
    /// Approved grants of an entrepreneur, in fen.
    pub granted: &'a dyn Fn(i64) -> i64,
    pub demo: bool,
}

fn hours_text(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn date_cell(g: &mut Grid, f: &Formats, r: u32, c: usize, d: Date) -> Result<(), XlsxError> {
    match rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day()) {
        Ok(x) => {
            g.ws.write_datetime_with_format(r, c as u16, &x, &f.date)?;
            g.seen(r, c as u16, 10);
            Ok(())
        }
        Err(_) => g.text(r, c as u16, &date_string(d)),
    }
}

fn drop_down(ws: &mut Worksheet, c: usize, items: &[&str]) -> Result<(), XlsxError> {
    ws.add_data_validation(
        1,
        c as u16,
        10_000,
        c as u16,
        &DataValidation::new().allow_list_strings(items)?,
    )?;
    Ok(())
}

fn training_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[Training],
    names: Option<&TalentNames>,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(TRAININGS_SHEET)?;
    ws.set_column_format(
        t::HELD_ON as u16,
        &Format::new().set_num_format("yyyy-mm-dd"),
    )?;
    ws.set_column_format(t::HOURS as u16, &f.text)?;
    let mut g = Grid::new(ws, &TRAINING_HEADERS, f)?;
    if let Some(n) = names {
        for (i, tr) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, t::ID as u16, tr.id)?;
            match tr.zone {
                Some(z) => {
                    g.int(r, t::ZONE_ID as u16, z)?;
                    g.text(r, t::ZONE as u16, &(n.zone)(z))?;
                }
                None => g.text(r, t::ZONE as u16, "全区")?,
            }
            g.text(r, t::TOPIC as u16, &tr.topic)?;
            date_cell(&mut g, f, r, t::HELD_ON, tr.held_on)?;
            g.text(r, t::AUDIENCE as u16, &tr.audience)?;
            g.int(r, t::ATTENDEES as u16, tr.attendees)?;
            g.text(r, t::HOURS as u16, &hours_text(tr.hours_tenths))?;
            g.int(r, t::VERSION as u16, tr.version)?;
        }
    }
    g.finish()
}

fn person_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[EntrepreneurRecord],
    names: Option<&TalentNames>,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(PEOPLE_SHEET)?;
    ws.set_column_format(p::VILLAGE as u16, &f.text)?;
    ws.set_column_format(p::SINCE as u16, &Format::new().set_num_format("yyyy-mm-dd"))?;
    drop_down(
        ws,
        p::KIND,
        &EntrepreneurKind::ALL.map(EntrepreneurKind::label),
    )?;
    let mut g = Grid::new(ws, &PERSON_HEADERS, f)?;
    if let Some(n) = names {
        for (i, rec) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            let e = &rec.person;
            g.int(r, p::ID as u16, e.id)?;
            g.text(r, p::NAME as u16, &e.name)?;
            g.text(r, p::KIND as u16, e.kind.label())?;
            g.ws.write_string_with_format(r, p::VILLAGE as u16, rec.village.as_str(), &f.text)?;
            g.seen(r, p::VILLAGE as u16, 12);
            g.text(
                r,
                p::VILLAGE_NAME as u16,
                &(n.village)(rec.village.as_str()),
            )?;
            g.text(r, p::ZONE as u16, &(n.zone)(e.zone))?;
            g.text(r, p::PROJECT as u16, &e.project)?;
            g.text(r, p::INCUBATOR as u16, &e.incubator)?;
            date_cell(&mut g, f, r, p::SINCE, e.since)?;
            let fen = (n.granted)(e.id);
            g.ws.write_number_with_format(r, p::GRANTED as u16, fen as f64 / 100.0, &f.money)?;
            g.seen(r, p::GRANTED as u16, 12);
            g.int(r, p::VERSION as u16, e.version)?;
        }
    }
    g.finish()
}

fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 100)?;
    ws.write_string_with_format(0, 0, "演示数据", &f.header)?;
    ws.write_string_with_format(
        1,
        0,
        format!("本文件（{what}）导出自演示数据库：其中的人员、培训和扶持均为程序生成的演示数据，姓名为虚构，不得引用、上报或用于决策。"),
        &f.wrap,
    )?;
    Ok(())
}

/// 培训: the given trainings in the importer's columns (片区 for reading).
pub fn export_trainings(rows: &[Training], names: &TalentNames) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    training_sheet(&mut book, &f, rows, Some(names))?;
    if names.demo {
        demo_notice(&mut book, &f, "培训")?;
    }
    Ok(book.save_to_buffer()?)
}

/// 创业人才: the given entrepreneurs in the importer's columns, with 所在村, 片区 and the
/// support approved them for reading.
pub fn export_entrepreneurs(
    rows: &[EntrepreneurRecord],
    names: &TalentNames,
) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    person_sheet(&mut book, &f, rows, Some(names))?;
    if names.demo {
        demo_notice(&mut book, &f, "创业人才")?;
    }
    Ok(book.save_to_buffer()?)
}

const NOTES: [&str; 5] = [
    "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。标有「仅供阅读」的列可以删除。",
    "日期一律按 YYYY-MM-DD 填写（如 2025-03-01），也可以使用 Excel 的日期单元格。",
    "修改已有记录：先在平台导出，在导出文件上修改，保留编号和版本；新增记录：编号和版本留空。",
    "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
    "全部无误后确认导入：所有行一起写入，任何一行有问题则全部不写入。",
];

fn guide(book: &mut Workbook, f: &Formats, columns: &[(&str, String)]) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "列名", &f.header)?;
    ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
    let mut r = 1u32;
    for (c, text) in columns {
        ws.write_string(r, 0, *c)?;
        ws.write_string_with_format(r, 1, text, &f.wrap)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, "说明", &f.header)?;
    for n in NOTES {
        r += 1;
        ws.write_string_with_format(r, 1, n, &f.wrap)?;
    }
    Ok(())
}

fn version_rule(what: &str) -> String {
    format!(
        "修改已有{what}时必填，保留导出文件中的数字，不要改动；新增{what}（编号为空）请留空。导出后若该{what}已被他人修改，该行报错、整个文件不导入：请重新导出后再改。"
    )
}

/// The 培训 import template with its 填表说明 sheet.
pub fn trainings_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    training_sheet(&mut book, &f, &[], None)?;
    let columns: Vec<(&str, String)> = vec![
        (COL_TRAINING_ID, "新增培训请留空；修改已有培训时保留导出文件中的编号（同时保留版本）。".into()),
        (COL_ZONE_ID, "片区培训填片区编号（正整数，见片区名录）；全区性培训留空（仅区管理员可导入）。镇街用户只能导入本镇街片区的培训。".into()),
        (COL_ZONE, "仅供阅读核对，导入时不使用：以片区编号为准。".into()),
        (COL_TOPIC, "必填。不超过 200 个字，如「村书记经营村庄能力提升班」。".into()),
        (COL_HELD_ON, "必填。YYYY-MM-DD，不能晚于今天（登记已经举办的培训）。".into()),
        (COL_AUDIENCE, "选填。如 村党组织书记、村两委成员、运营人才，不超过 60 个字。".into()),
        (COL_ATTENDEES, "必填。参训人数，1 到 100000 的整数。".into()),
        (COL_HOURS, "必填。学时，0.5 到 200，最多一位小数（如 3.5）。".into()),
        (COL_VERSION, version_rule("培训")),
    ];
    guide(&mut book, &f, &columns)?;
    Ok(book.save_to_buffer()?)
}

/// The 创业人才 import template (drop-down list for 类型) with its 填表说明 sheet.
pub fn entrepreneurs_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    person_sheet(&mut book, &f, &[], None)?;
    let columns: Vec<(&str, String)> = vec![
        (COL_PERSON_ID, "新增创业人才请留空；修改已有的保留导出文件中的编号（同时保留版本）。".into()),
        (COL_NAME, "必填。不超过 30 个字。".into()),
        (COL_KIND, "必填。农创客、新农人、返乡青年之一。".into()),
        (COL_VILLAGE, "必填。所在村的 12 位代码（文本格式，见村庄名录）；该村须属于某个片区，片区即取该村所属片区。镇街用户只能导入本镇街的村。".into()),
        (COL_VILLAGE_NAME, "仅供阅读核对，导入时不使用。".into()),
        (COL_ZONE, "仅供阅读核对，导入时不使用。".into()),
        (COL_PROJECT, "必填。创业项目，不超过 200 个字。".into()),
        (COL_INCUBATOR, "选填。使用的孵化平台，如 柯桥区农创客孵化园、某村青年入乡实践站。".into()),
        (COL_SINCE, "必填。创业起始日期，YYYY-MM-DD，不能晚于今天。".into()),
        (COL_GRANTED, "仅供阅读：已批准的租金减免、生活补贴、以奖代补之和。扶持申请与审批在平台中办理，不能导入。".into()),
        (COL_VERSION, version_rule("创业人才")),
    ];
    guide(&mut book, &f, &columns)?;
    Ok(book.save_to_buffer()?)
}

// ---- import ----

fn date_text(d: &calamine::ExcelDateTime) -> Option<String> {
    let v = d.as_f64();
    if !d.is_datetime() || !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    let (y, m, day, ..) = d.to_ymd_hms_milli();
    Some(format!("{y:04}-{m:02}-{day:02}"))
}

/// Hand-typed dates (`2025/3/1`, `2025.3.1`, `2025年3月1日`) as YYYY-MM-DD; else as typed.
fn normalise_date(s: &str) -> String {
    let t = s.trim();
    let body = t.strip_suffix('日').unwrap_or(t);
    let parts: Vec<&str> = body.split(['-', '/', '.', '年', '月']).collect();
    if let [y, m, d] = parts.as_slice()
        && y.len() == 4
        && (1..=2).contains(&m.len())
        && (1..=2).contains(&d.len())
        && [y, m, d]
            .iter()
            .all(|x| x.bytes().all(|b| b.is_ascii_digit()))
    {
        return format!("{y}-{m:0>2}-{d:0>2}");
    }
    t.to_string()
}

/// A cell as the text a person typed, or why it has none.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => crate::work_xlsx::number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => {
            date_text(d).unwrap_or_else(|| crate::work_xlsx::number_text(d.as_f64()))
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => {
            return Err(format!(
                "单元格是错误值「{e}」（多为公式出错）：请改为要填写的内容"
            ));
        }
    })
}

/// One data row: its spreadsheet number and the text of every column (empty when absent).
struct Row<const N: usize> {
    n: usize,
    cells: [String; N],
    /// The raw 编号 and 版本 cells, read as counts.
    id: Result<Option<i64>, String>,
    version: Result<Option<i64>, String>,
}

/// A sheet as the importer reads it: name, headers, the column the header row is found by,
/// the columns only exported, the 编号 and 版本 columns, and what a row is called.
struct SheetSpec<const N: usize> {
    name: &'static str,
    headers: &'static [&'static str; N],
    key: usize,
    read_only: &'static [usize],
    id_col: usize,
    version_col: usize,
    what: &'static str,
}

/// Reads the sheet `spec.name` (else the first): the header row, every non-blank data row.
fn read_rows<const N: usize>(
    bytes: &[u8],
    spec: &SheetSpec<N>,
) -> Result<(Vec<Row<N>>, Vec<RowError>), Vec<RowError>> {
    let SheetSpec {
        name,
        headers,
        key,
        read_only,
        id_col,
        version_col,
        what,
    } = *spec;
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim() == name)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| vec![RowError::file("工作簿中没有工作表")])?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let empty = || {
        vec![RowError::file(format!(
            "工作表「{sheet}」中没有数据行：请在第一行填写表头，从第二行起每行填写一个{what}"
        ))]
    };
    let Some((row0, _)) = range.start() else {
        return Err(empty());
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_at, found) = find_header(&rows, headers, key);
    let header_row = row0 as usize + header_at + 1;
    let missing: Vec<String> = (0..N)
        .filter(|k| !read_only.contains(k) && found[*k].is_empty())
        .map(|k| format!("「{}」", headers[k]))
        .collect();
    let mut errors = Vec::new();
    if !missing.is_empty() {
        errors.push(RowError::new(
            header_row,
            "",
            "",
            format!(
                "缺少必填列{}：请使用{what}导入模板的表头（表头文字请勿修改）",
                missing.join("")
            ),
        ));
    }
    for (k, cols) in found.iter().enumerate() {
        if cols.len() > 1 {
            errors.push(RowError::new(
                header_row,
                headers[k],
                "",
                format!("表头「{}」出现了 {} 次，只能有一列", headers[k], cols.len()),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let cols: [usize; N] = std::array::from_fn(|k| found[k].first().copied().unwrap_or(usize::MAX));
    let mut out = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(header_at + 1) {
        if (0..N)
            .filter(|k| !read_only.contains(k))
            .all(|k| is_blank(cell_at(cells, cols[k])))
        {
            continue;
        }
        let n = row0 as usize + i + 1;
        let mut texts: [String; N] = std::array::from_fn(|_| String::new());
        for k in 0..N {
            if read_only.contains(&k) {
                continue;
            }
            let c = cell_at(cells, cols[k]);
            match cell_text(c) {
                Ok(t) => texts[k] = t,
                Err(reason) => errors.push(RowError::new(n, headers[k], shown(c), reason)),
            }
        }
        let count = |k: usize| {
            let c = cell_at(cells, cols[k]);
            if is_blank(c) {
                return Ok(None);
            }
            match read_count(c, headers[k]) {
                Ok(0) => Err(format!("{}应为正整数", headers[k])),
                Ok(v) => Ok(Some(v)),
                Err(e) => Err(e),
            }
        };
        out.push(Row {
            n,
            cells: texts,
            id: count(id_col),
            version: count(version_col),
        });
    }
    if out.is_empty() && errors.is_empty() {
        return Err(empty());
    }
    Ok((out, errors))
}

/// The (编号, 版本) of a row, with errors for a bad or half-given pair and repeated 编号.
fn existing<const N: usize>(
    r: &Row<N>,
    headers: &[&'static str; N],
    id_col: usize,
    version_col: usize,
    errors: &mut Vec<RowError>,
) -> Result<Option<(i64, i64)>, ()> {
    let mut bad = |k: usize, reason: String| {
        errors.push(RowError::new(r.n, headers[k], r.cells[k].clone(), reason));
    };
    match (&r.id, &r.version) {
        (Err(e), _) => {
            bad(id_col, e.clone());
            Err(())
        }
        (_, Err(e)) => {
            bad(version_col, e.clone());
            Err(())
        }
        (Ok(None), Ok(None)) => Ok(None),
        (Ok(Some(id)), Ok(Some(v))) => Ok(Some((*id, *v))),
        (Ok(Some(_)), Ok(None)) => {
            bad(
                version_col,
                "修改已有记录时版本为必填项：请保留导出文件中的版本，不要改动".into(),
            );
            Err(())
        }
        (Ok(None), Ok(Some(_))) => {
            bad(
                version_col,
                "新增的记录（编号为空）不填写版本：修改已有记录请同时保留编号和版本".into(),
            );
            Err(())
        }
    }
}

/// Adds an error on every row of an 编号 given more than once; sorts; returns the rows only
/// when there is no error.
fn finish<T, const N: usize>(
    out: Vec<T>,
    mut errors: Vec<RowError>,
    ids: BTreeMap<i64, Vec<usize>>,
    headers: &[&'static str; N],
    id_col: usize,
) -> Result<Vec<T>, Vec<RowError>> {
    for (id, rows) in ids.iter().filter(|(_, r)| r.len() > 1) {
        let list = rows
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("、");
        for &r in rows {
            errors.push(RowError::new(
                r,
                headers[id_col],
                id.to_string(),
                format!(
                    "{} {id} 在文件中出现了不止一次（第 {list} 行）",
                    headers[id_col]
                ),
            ));
        }
    }
    if errors.is_empty() {
        return Ok(out);
    }
    let order = |e: &RowError| headers.iter().position(|h| *h == e.column);
    errors.sort_by(|x, y| (x.row, order(x), &x.reason).cmp(&(y.row, order(y), &y.reason)));
    errors.dedup();
    Err(errors)
}

fn draft_errors<const N: usize>(
    n: usize,
    es: Vec<DomainError>,
    headers: &[&'static str; N],
    cells: &[String; N],
    column: impl Fn(&str) -> usize,
    errors: &mut Vec<RowError>,
) {
    for e in es {
        let k = column(&e.field);
        errors.push(RowError::new(n, headers[k], cells[k].clone(), e.message));
    }
}

/// Reads a 培训 upload (dated against `today`) into checked rows, or every problem in it.
pub fn parse_trainings_xlsx(
    bytes: &[u8],
    today: Date,
) -> Result<Vec<TrainingImportRow>, Vec<RowError>> {
    let h = &TRAINING_HEADERS;
    let (rows, mut errors) = read_rows(
        bytes,
        &SheetSpec {
            name: TRAININGS_SHEET,
            headers: &TRAINING_HEADERS,
            key: t::TOPIC,
            read_only: &t::READ_ONLY,
            id_col: t::ID,
            version_col: t::VERSION,
            what: "培训",
        },
    )?;
    let mut out = Vec::new();
    let mut ids: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for r in &rows {
        let c = &r.cells;
        let existing = existing(r, h, t::ID, t::VERSION, &mut errors);
        if let Ok(Some((id, _))) = existing {
            ids.entry(id).or_default().push(r.n);
        }
        let draft = TrainingDraft {
            zone: c[t::ZONE_ID].clone(),
            topic: c[t::TOPIC].clone(),
            held_on: normalise_date(&c[t::HELD_ON]),
            attendees: c[t::ATTENDEES].clone(),
            hours: c[t::HOURS].clone(),
            audience: c[t::AUDIENCE].clone(),
        };
        let column = |f: &str| match f {
            "zone" => t::ZONE_ID,
            "held_on" => t::HELD_ON,
            "attendees" => t::ATTENDEES,
            "hours" => t::HOURS,
            "audience" => t::AUDIENCE,
            _ => t::TOPIC,
        };
        match (draft.parse(today), existing) {
            (Ok(spec), Ok(existing)) => out.push(TrainingImportRow {
                row: r.n,
                existing,
                spec,
            }),
            (Err(es), _) => draft_errors(r.n, es, h, c, column, &mut errors),
            _ => {}
        }
    }
    finish(out, errors, ids, h, t::ID)
}

/// Reads a 创业人才 upload into checked rows, or every problem in it.
pub fn parse_entrepreneurs_xlsx(
    bytes: &[u8],
    today: Date,
) -> Result<Vec<EntrepreneurImportRow>, Vec<RowError>> {
    let h = &PERSON_HEADERS;
    let (rows, mut errors) = read_rows(
        bytes,
        &SheetSpec {
            name: PEOPLE_SHEET,
            headers: &PERSON_HEADERS,
            key: p::NAME,
            read_only: &p::READ_ONLY,
            id_col: p::ID,
            version_col: p::VERSION,
            what: "创业人才",
        },
    )?;
    let mut out = Vec::new();
    let mut ids: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for r in &rows {
        let c = &r.cells;
        let existing = existing(r, h, p::ID, p::VERSION, &mut errors);
        if let Ok(Some((id, _))) = existing {
            ids.entry(id).or_default().push(r.n);
        }
        let draft = EntrepreneurDraft {
            name: c[p::NAME].clone(),
            kind: c[p::KIND].clone(),
            zone: String::new(),
            village_code: c[p::VILLAGE].clone(),
            project: c[p::PROJECT].clone(),
            incubator: c[p::INCUBATOR].clone(),
            since: normalise_date(&c[p::SINCE]),
        };
        let column = |f: &str| match f {
            "kind" => p::KIND,
            "village_code" | "zone" => p::VILLAGE,
            "project" => p::PROJECT,
            "incubator" => p::INCUBATOR,
            "since" => p::SINCE,
            _ => p::NAME,
        };
        match (draft.parse(today), existing) {
            (Ok(spec), Ok(existing)) => out.push(EntrepreneurImportRow {
                row: r.n,
                existing,
                spec,
            }),
            (Err(es), _) => draft_errors(r.n, es, h, c, column, &mut errors),
            _ => {}
        }
    }
    finish(out, errors, ids, h, p::ID)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sheet(name: &str, headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn trainings_round_trip_and_bad_cells_are_named() {
        let day = date!(2025 - 06 - 30);
        let tr = Training {
            id: 4,
            zone: Some(2),
            topic: "村书记经营村庄能力提升班".into(),
            held_on: date!(2025 - 04 - 10),
            attendees: 42,
            hours_tenths: 35,
            audience: "村党组织书记".into(),
            version: 3,
        };
        let zone = |_: i64| "兰亭片区".to_string();
        let village = |_: &str| String::new();
        let granted = |_: i64| 0;
        let names = TalentNames {
            zone: &zone,
            village: &village,
            granted: &granted,
            demo: true,
        };
        let bytes = export_trainings(std::slice::from_ref(&tr), &names).unwrap();
        let rows = parse_trainings_xlsx(&bytes, day).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].existing, Some((4, 3)));
        assert_eq!(rows[0].spec.zone, Some(2));
        assert_eq!(rows[0].spec.hours_tenths, 35);
        assert_eq!(rows[0].spec.held_on, tr.held_on);
        let bad = sheet(
            TRAININGS_SHEET,
            &TRAINING_HEADERS,
            &[
                &["", "", "", "全区培训", "2025/5/1", "", "80", "8", ""],
                &["7", "x", "", "", "2026-01-01", "", "0", "0.25", ""],
                &["", "", "", "培训", "2025-05-01", "", "10", "2", "3"],
            ],
        );
        let e = parse_trainings_xlsx(&bad, day).unwrap_err();
        let got: Vec<(usize, &str)> = e.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, COL_ZONE_ID),
                (3, COL_TOPIC),
                (3, COL_HELD_ON),
                (3, COL_ATTENDEES),
                (3, COL_HOURS),
                (3, COL_VERSION),
                (4, COL_VERSION),
            ],
            "{e:?}"
        );
        assert!(trainings_template().is_ok() && entrepreneurs_template().is_ok());
    }

    #[test]
    fn entrepreneurs_parse_with_their_village() {
        let bytes = sheet(
            PEOPLE_SHEET,
            &PERSON_HEADERS,
            &[
                &[
                    "",
                    "沈若溪",
                    "农创客",
                    "330603110201",
                    "",
                    "",
                    "兰花组培",
                    "柯桥区农创客孵化园",
                    "2024-03-01",
                    "",
                    "",
                ],
                &["", "", "创客", "12", "", "", "", "", "", "", ""],
            ],
        );
        let e = parse_entrepreneurs_xlsx(&bytes, date!(2025 - 06 - 30)).unwrap_err();
        let cols: Vec<&str> = e.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            cols,
            [COL_NAME, COL_KIND, COL_VILLAGE, COL_PROJECT, COL_SINCE]
        );
        assert!(e.iter().all(|e| e.row == 3));
    }
}
