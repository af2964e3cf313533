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

use crate::work_xlsx::{
    RowReader, SheetSpec, column_formats, drop_down, guide_with_notes, read_sheet, version_rule,
    write_date, write_fen,
};
use crate::xlsx_export::{Formats, Grid};
use crate::{IoError, RowError};
use gongfu_core::Fen;
use gongfu_core::ops::talent::{
    EntrepreneurDraft, EntrepreneurKind, EntrepreneurRecord, Training, TrainingDraft,
};
use gongfu_store::talent::{EntrepreneurImportRow, TrainingImportRow};
use rust_xlsxwriter::{Workbook, XlsxError};
use time::Date;

pub const TRAININGS_SHEET: &str = "培训";
pub const PEOPLE_SHEET: &str = "创业人才";
pub use crate::work_xlsx::GUIDE_SHEET;

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

fn training_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[Training],
    names: Option<&TalentNames>,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(TRAININGS_SHEET)?;
    column_formats(ws, f, &[t::HOURS], &[], &[t::HELD_ON])?;
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
            write_date(&mut g, f, r, t::HELD_ON, Some(tr.held_on))?;
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
    column_formats(ws, f, &[p::VILLAGE], &[], &[p::SINCE])?;
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
            write_date(&mut g, f, r, p::SINCE, Some(e.since))?;
            write_fen(&mut g, f, r, p::GRANTED, Fen((n.granted)(e.id)))?;
            g.int(r, p::VERSION as u16, e.version)?;
        }
    }
    g.finish()
}

fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    crate::xlsx_export::demo_sheet(
        book,
        f,
        &[format!(
            "本文件（{what}）导出自演示数据库：其中的人员、培训和扶持均为程序生成的演示数据，姓名为虚构，不得引用、上报或用于决策。"
        )],
    )
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
    guide_with_notes(&mut book, &f, &columns, &[], &NOTES)?;
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
    guide_with_notes(&mut book, &f, &columns, &[], &NOTES)?;
    Ok(book.save_to_buffer()?)
}

// ---- import ----

const TRAINING_SPEC: SheetSpec<{ TRAINING_HEADERS.len() }> = SheetSpec {
    name: TRAININGS_SHEET,
    headers: &TRAINING_HEADERS,
    key: t::TOPIC,
    read_only: &t::READ_ONLY,
    id: Some(t::ID),
    id_header: COL_TRAINING_ID,
    what: "培训",
    a_row: "培训",
};

const PERSON_SPEC: SheetSpec<{ PERSON_HEADERS.len() }> = SheetSpec {
    name: PEOPLE_SHEET,
    headers: &PERSON_HEADERS,
    key: p::NAME,
    read_only: &p::READ_ONLY,
    id: Some(p::ID),
    id_header: COL_PERSON_ID,
    what: "创业人才",
    a_row: "创业人才",
};

/// Every importable cell of the row as text (dates as YYYY-MM-DD); read-only ones empty.
fn row_texts<const N: usize>(
    r: &mut RowReader<'_, N>,
    read_only: &[usize],
    dates: &[usize],
) -> [String; N] {
    std::array::from_fn(|k| {
        if read_only.contains(&k) {
            String::new()
        } else if dates.contains(&k) {
            r.date(k)
        } else {
            r.text(k)
        }
    })
}

/// The (编号, 版本) of a row, when both read well (`None` inside: a new record).
fn existing(
    id: Result<Option<i64>, ()>,
    version: Option<Option<i64>>,
) -> Option<Option<(i64, i64)>> {
    match (id, version) {
        (Ok(None), Some(None)) => Some(None),
        (Ok(Some(id)), Some(Some(v))) => Some(Some((id, v))),
        _ => None,
    }
}

/// Reads a 培训 upload (dated against `today`) into checked rows, or every problem in it.
pub fn parse_trainings_xlsx(
    bytes: &[u8],
    today: Date,
) -> Result<Vec<TrainingImportRow>, Vec<RowError>> {
    read_sheet(bytes, &TRAINING_SPEC, |r, n, id| {
        let version = r.version(t::VERSION, id);
        let c = row_texts(r, &t::READ_ONLY, &[t::HELD_ON]);
        let draft = TrainingDraft {
            zone: c[t::ZONE_ID].clone(),
            topic: c[t::TOPIC].clone(),
            held_on: c[t::HELD_ON].clone(),
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
        match draft.parse(today) {
            Ok(spec) => Some(TrainingImportRow {
                row: n,
                existing: existing(id, version)?,
                spec,
            }),
            Err(es) => {
                r.draft_errors(es, column, |k| c[k].clone());
                None
            }
        }
    })
}

/// Reads a 创业人才 upload into checked rows, or every problem in it.
pub fn parse_entrepreneurs_xlsx(
    bytes: &[u8],
    today: Date,
) -> Result<Vec<EntrepreneurImportRow>, Vec<RowError>> {
    read_sheet(bytes, &PERSON_SPEC, |r, n, id| {
        let version = r.version(p::VERSION, id);
        let c = row_texts(r, &p::READ_ONLY, &[p::SINCE]);
        let draft = EntrepreneurDraft {
            name: c[p::NAME].clone(),
            kind: c[p::KIND].clone(),
            zone: String::new(),
            village_code: c[p::VILLAGE].clone(),
            project: c[p::PROJECT].clone(),
            incubator: c[p::INCUBATOR].clone(),
            since: c[p::SINCE].clone(),
        };
        let column = |f: &str| match f {
            "kind" => p::KIND,
            "village_code" | "zone" => p::VILLAGE,
            "project" => p::PROJECT,
            "incubator" => p::INCUBATOR,
            "since" => p::SINCE,
            _ => p::NAME,
        };
        match draft.parse(today) {
            Ok(spec) => Some(EntrepreneurImportRow {
                row: n,
                existing: existing(id, version)?,
                spec,
            }),
            Err(es) => {
                r.draft_errors(es, column, |k| c[k].clone());
                None
            }
        }
    })
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
