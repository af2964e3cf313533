//! The zone work workbooks (片区工作): 项目清单, 里程碑 and 待办事项 — export, import
//! templates and importers.
//!
//! One sheet per workbook, one row per project / milestone / action item. A row with an 编号
//! changes that record and carries the 版本 it was exported at (the store refuses it when the
//! record has changed since); a row without one adds a record and has no 版本. The importers read every cell as the
//! text a person would have typed (numbers without float artefacts, Excel dates as
//! YYYY-MM-DD) into the core drafts ([`ProjectDraft`], [`MilestoneDraft`], [`ActionDraft`]),
//! check each draft with its own `parse`, and report every bad cell of every row at once as
//! [`RowError`]s naming the row and the Chinese column. Rows are returned only when the whole
//! file is good: the caller shows the errors of a dry run (试导入) and applies the rows all
//! or nothing. Whether an 编号 exists, belongs to the zone, or allows the status change is
//! the store's check at apply time: these parsers read no database.
//!
//! Money is written as a number of yuan (`#,##0.00`), converted from integer fen only in the
//! cell it goes into, as in [`crate::xlsx_export`]; it is read back as text and turned into
//! fen by the drafts, exactly.

use crate::xlsx_export::{Formats, Grid};
use crate::xlsx_import::{
    NOT_XLSX, cell_at, excel_precision, find_header, is_blank, read_count, shown,
};
use crate::{IoError, RowError};
use calamine::{Data, Range, Reader, Xlsx};
use gongfu_core::work::Mechanism;
use gongfu_core::work::committee::{self, ActionDraft, ActionItem, ActionStatus};
use gongfu_core::work::parse_optional_date;
use gongfu_core::work::project::{
    FundSource, Milestone, MilestoneDraft, Project, ProjectDraft, ProjectKind, ProjectStatus,
};
use gongfu_core::{DomainError, Fen, ZoneId};
use gongfu_store::Snapshot;
use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;
use std::io::Cursor;
use time::Date;

/// Names of the data sheets.
pub const PROJECTS_SHEET: &str = "项目清单";
pub const MILESTONES_SHEET: &str = "里程碑";
pub const ACTIONS_SHEET: &str = "待办事项";
/// Name of the explanation sheet of the templates.
pub const GUIDE_SHEET: &str = "填表说明";

// ---------------------------------------------------------------------------------------
// Columns. Headers are written (and matched) with full-width brackets: the header finder
// turns typed ASCII brackets into full-width ones before comparing.

pub const COL_PROJECT_ID: &str = "项目编号";
pub const COL_ZONE_ID: &str = "片区编号";
pub const COL_ZONE: &str = "片区";
pub const COL_PROJECT_NAME: &str = "项目名称";
pub const COL_MECHANISM: &str = "所属机制";
pub const COL_KIND: &str = "项目类型";
pub const COL_LEAD: &str = "牵头单位";
pub const COL_VILLAGES: &str = "涉及村（代码，顿号分隔）";
pub const COL_PLANNED_FISCAL: &str = "计划投资-财政资金（元）";
pub const COL_PLANNED_COLLECTIVE: &str = "计划投资-村集体（元）";
pub const COL_PLANNED_SOCIAL: &str = "计划投资-社会资本（元）";
pub const COL_ACTUAL_FISCAL: &str = "实际投资-财政资金（元）";
pub const COL_ACTUAL_COLLECTIVE: &str = "实际投资-村集体（元）";
pub const COL_ACTUAL_SOCIAL: &str = "实际投资-社会资本（元）";
pub const COL_START: &str = "开工日期";
pub const COL_END: &str = "计划完工日期";
pub const COL_STATUS: &str = "状态";
pub const COL_PROGRESS: &str = "进度（%）";
pub const COL_OVERDUE: &str = "逾期天数";
pub const COL_NOTE: &str = "备注";

pub const COL_MILESTONE_ID: &str = "里程碑编号";
pub const COL_MILESTONE: &str = "里程碑";
pub const COL_DUE: &str = "计划完成日期";
pub const COL_DONE_ON: &str = "实际完成日期";
pub const COL_EXPLANATION: &str = "说明";

pub const COL_ACTION_ID: &str = "待办编号";
pub const COL_SOURCE: &str = "来源（会议决定）";
pub const COL_ACTION: &str = "待办事项";
pub const COL_OWNER: &str = "责任单位";
pub const COL_DEADLINE: &str = "完成时限";
pub const COL_FINISHED_ON: &str = "完成日期";
pub const COL_RESULT: &str = "办理结果";
/// The version a record was exported at (all three workbooks): an update whose version is
/// no longer the database's is refused, so two people never overwrite each other unseen.
pub const COL_VERSION: &str = "版本";

/// The 项目清单 header row, in the order export and template write it.
pub const PROJECT_HEADERS: [&str; 21] = [
    COL_PROJECT_ID,
    COL_ZONE_ID,
    COL_ZONE,
    COL_PROJECT_NAME,
    COL_MECHANISM,
    COL_KIND,
    COL_LEAD,
    COL_VILLAGES,
    COL_PLANNED_FISCAL,
    COL_PLANNED_COLLECTIVE,
    COL_PLANNED_SOCIAL,
    COL_ACTUAL_FISCAL,
    COL_ACTUAL_COLLECTIVE,
    COL_ACTUAL_SOCIAL,
    COL_START,
    COL_END,
    COL_STATUS,
    COL_PROGRESS,
    COL_OVERDUE,
    COL_NOTE,
    COL_VERSION,
];

/// The 里程碑 header row.
pub const MILESTONE_HEADERS: [&str; 9] = [
    COL_MILESTONE_ID,
    COL_PROJECT_ID,
    COL_PROJECT_NAME,
    COL_MILESTONE,
    COL_DUE,
    COL_DONE_ON,
    COL_EXPLANATION,
    COL_OVERDUE,
    COL_VERSION,
];

/// The 待办事项 header row.
pub const ACTION_HEADERS: [&str; 12] = [
    COL_ACTION_ID,
    COL_ZONE_ID,
    COL_ZONE,
    COL_SOURCE,
    COL_ACTION,
    COL_OWNER,
    COL_DEADLINE,
    COL_STATUS,
    COL_FINISHED_ON,
    COL_RESULT,
    COL_OVERDUE,
    COL_VERSION,
];

// Positions in PROJECT_HEADERS.
mod p {
    pub const ID: usize = 0;
    pub const ZONE_ID: usize = 1;
    pub const ZONE: usize = 2;
    pub const NAME: usize = 3;
    pub const MECHANISM: usize = 4;
    pub const KIND: usize = 5;
    pub const LEAD: usize = 6;
    pub const VILLAGES: usize = 7;
    /// Planned fiscal, collective, social, then actual fiscal, collective, social.
    pub const MONEY: [usize; 6] = [8, 9, 10, 11, 12, 13];
    pub const START: usize = 14;
    pub const END: usize = 15;
    pub const STATUS: usize = 16;
    pub const PROGRESS: usize = 17;
    pub const OVERDUE: usize = 18;
    pub const NOTE: usize = 19;
    pub const VERSION: usize = 20;
    /// For reading only: the importer ignores them, and a file may lack them.
    pub const READ_ONLY: [usize; 2] = [ZONE, OVERDUE];
}

// Positions in MILESTONE_HEADERS.
mod m {
    pub const ID: usize = 0;
    pub const PROJECT: usize = 1;
    pub const PROJECT_NAME: usize = 2;
    pub const NAME: usize = 3;
    pub const DUE: usize = 4;
    pub const DONE_ON: usize = 5;
    pub const NOTE: usize = 6;
    pub const OVERDUE: usize = 7;
    pub const VERSION: usize = 8;
    pub const READ_ONLY: [usize; 2] = [PROJECT_NAME, OVERDUE];
}

// Positions in ACTION_HEADERS.
mod a {
    pub const ID: usize = 0;
    pub const ZONE_ID: usize = 1;
    pub const ZONE: usize = 2;
    pub const SOURCE: usize = 3;
    pub const TITLE: usize = 4;
    pub const OWNER: usize = 5;
    pub const DUE: usize = 6;
    pub const STATUS: usize = 7;
    pub const DONE_ON: usize = 8;
    pub const RESULT: usize = 9;
    pub const OVERDUE: usize = 10;
    pub const VERSION: usize = 11;
    pub const READ_ONLY: [usize; 3] = [ZONE, SOURCE, OVERDUE];
}

// ---------------------------------------------------------------------------------------
// Export.

/// What an export needs besides the records: the day overdue days are counted on, the
/// zone names, and whether the database is the demo (the file then says so).
pub struct WorkExport<'a> {
    pub today: Date,
    /// The name of a zone by its id (empty when unknown).
    pub zone_name: &'a dyn Fn(i64) -> String,
    pub demo: bool,
}

impl<'a> WorkExport<'a> {
    pub fn new(today: Date, zone_name: &'a dyn Fn(i64) -> String) -> WorkExport<'a> {
        WorkExport {
            today,
            zone_name,
            demo: false,
        }
    }
}

/// Zone names from a snapshot, for [`WorkExport::zone_name`].
pub fn snapshot_zone_names(snap: &Snapshot) -> impl Fn(i64) -> String + '_ {
    move |id| {
        snap.zone(ZoneId(id))
            .map(|z| z.name.clone())
            .unwrap_or_default()
    }
}

const MONEY_FORMAT: &str = "#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";

pub(crate) fn write_fen(
    g: &mut Grid,
    f: &Formats,
    r: u32,
    c: usize,
    v: Fen,
) -> Result<(), XlsxError> {
    // The one place fen becomes a float: exact for any amount below 2^53 fen.
    g.ws.write_number_with_format(r, c as u16, v.0 as f64 / 100.0, &f.money)?;
    g.seen(r, c as u16, v.yuan_string().len());
    Ok(())
}

pub(crate) fn write_date(
    g: &mut Grid,
    f: &Formats,
    r: u32,
    c: usize,
    d: Option<Date>,
) -> Result<(), XlsxError> {
    let Some(d) = d else {
        return Ok(());
    };
    match ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day()) {
        Ok(x) => {
            g.ws.write_datetime_with_format(r, c as u16, &x, &f.date)?;
            g.seen(r, c as u16, 10);
            Ok(())
        }
        // Outside Excel's calendar (before 1900): keep the date as text.
        Err(_) => g.text(r, c as u16, &gongfu_core::village::date_string(d)),
    }
}

fn write_overdue(g: &mut Grid, r: u32, c: usize, days: Option<i64>) -> Result<(), XlsxError> {
    match days {
        Some(d) => g.int(r, c as u16, d),
        None => Ok(()),
    }
}

/// A drop-down list over the data rows of column `c`.
pub(crate) fn drop_down(ws: &mut Worksheet, c: usize, items: &[&str]) -> Result<(), XlsxError> {
    ws.add_data_validation(
        1,
        c as u16,
        10_000,
        c as u16,
        &DataValidation::new().allow_list_strings(items)?,
    )?;
    Ok(())
}

/// Column formats that make typed values look like what the importer reads.
pub(crate) fn column_formats(
    ws: &mut Worksheet,
    f: &Formats,
    text: &[usize],
    money: &[usize],
    dates: &[usize],
) -> Result<(), XlsxError> {
    for &c in text {
        ws.set_column_format(c as u16, &f.text)?;
    }
    let money_fmt = Format::new().set_num_format(MONEY_FORMAT);
    for &c in money {
        ws.set_column_format(c as u16, &money_fmt)?;
    }
    let date_fmt = Format::new().set_num_format(DATE_FORMAT);
    for &c in dates {
        ws.set_column_format(c as u16, &date_fmt)?;
    }
    Ok(())
}

pub(crate) fn labels<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|x| label(*x)).collect()
}

fn write_projects_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[Project],
    ctx: Option<&WorkExport>,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(PROJECTS_SHEET)?;
    column_formats(ws, f, &[p::VILLAGES], &p::MONEY, &[p::START, p::END])?;
    drop_down(ws, p::MECHANISM, &labels(&Mechanism::ALL, Mechanism::label))?;
    drop_down(ws, p::KIND, &labels(&ProjectKind::ALL, ProjectKind::label))?;
    drop_down(
        ws,
        p::STATUS,
        &labels(&ProjectStatus::ALL, ProjectStatus::label),
    )?;
    let mut g = Grid::new(ws, &PROJECT_HEADERS, f)?;
    g.widths[p::VILLAGES] = g.widths[p::VILLAGES].max(14);
    if let Some(ctx) = ctx {
        for (i, pr) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, p::ID as u16, pr.id)?;
            g.int(r, p::ZONE_ID as u16, pr.zone)?;
            g.text(r, p::ZONE as u16, &(ctx.zone_name)(pr.zone))?;
            g.text(r, p::NAME as u16, &pr.name)?;
            g.text(r, p::MECHANISM as u16, pr.mechanism.label())?;
            g.text(r, p::KIND as u16, pr.kind.label())?;
            g.text(r, p::LEAD as u16, &pr.lead_unit)?;
            let villages: Vec<&str> = pr.villages.iter().map(|v| v.as_str()).collect();
            let villages = villages.join("、");
            if !villages.is_empty() {
                g.ws.write_string_with_format(r, p::VILLAGES as u16, &villages, &f.text)?;
            }
            g.seen(r, p::VILLAGES as u16, villages.len());
            for (k, s) in FundSource::ALL.into_iter().enumerate() {
                write_fen(&mut g, f, r, p::MONEY[k], pr.investment.planned_of(s))?;
                write_fen(&mut g, f, r, p::MONEY[3 + k], pr.investment.actual_of(s))?;
            }
            write_date(&mut g, f, r, p::START, pr.start)?;
            write_date(&mut g, f, r, p::END, pr.end)?;
            g.text(r, p::STATUS as u16, pr.status.label())?;
            g.int(r, p::PROGRESS as u16, i64::from(pr.progress().get()))?;
            write_overdue(&mut g, r, p::OVERDUE, pr.days_overdue(ctx.today))?;
            g.text(r, p::NOTE as u16, &pr.note)?;
            g.int(r, p::VERSION as u16, pr.version)?;
        }
    }
    g.finish()
}

fn write_milestones_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[(Milestone, String)],
    today: Date,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(MILESTONES_SHEET)?;
    column_formats(ws, f, &[], &[], &[m::DUE, m::DONE_ON])?;
    let mut g = Grid::new(ws, &MILESTONE_HEADERS, f)?;
    for (i, (ms, project_name)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        g.int(r, m::ID as u16, ms.id)?;
        g.int(r, m::PROJECT as u16, ms.project)?;
        g.text(r, m::PROJECT_NAME as u16, project_name)?;
        g.text(r, m::NAME as u16, &ms.name)?;
        write_date(&mut g, f, r, m::DUE, Some(ms.due))?;
        write_date(&mut g, f, r, m::DONE_ON, ms.done_on)?;
        g.text(r, m::NOTE as u16, &ms.note)?;
        write_overdue(&mut g, r, m::OVERDUE, ms.days_overdue(today))?;
        g.int(r, m::VERSION as u16, ms.version)?;
    }
    g.finish()
}

fn write_actions_sheet(
    book: &mut Workbook,
    f: &Formats,
    rows: &[(ActionItem, String)],
    ctx: Option<&WorkExport>,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(ACTIONS_SHEET)?;
    column_formats(ws, f, &[], &[], &[a::DUE, a::DONE_ON])?;
    drop_down(
        ws,
        a::STATUS,
        &labels(&ActionStatus::ALL, ActionStatus::label),
    )?;
    let mut g = Grid::new(ws, &ACTION_HEADERS, f)?;
    if let Some(ctx) = ctx {
        for (i, (item, source)) in rows.iter().enumerate() {
            let r = i as u32 + 1;
            g.int(r, a::ID as u16, item.id)?;
            g.int(r, a::ZONE_ID as u16, item.zone)?;
            g.text(r, a::ZONE as u16, &(ctx.zone_name)(item.zone))?;
            g.text(r, a::SOURCE as u16, source)?;
            g.text(r, a::TITLE as u16, &item.title)?;
            g.text(r, a::OWNER as u16, &item.owner_unit)?;
            write_date(&mut g, f, r, a::DUE, Some(item.due))?;
            g.text(r, a::STATUS as u16, item.status.label())?;
            // The store records the day of a cancellation too; the sheet shows a 完成日期
            // only for 已完成, as the importer reads it.
            let done_on = item.done_on.filter(|_| item.status == ActionStatus::Done);
            write_date(&mut g, f, r, a::DONE_ON, done_on)?;
            g.text(r, a::RESULT as u16, &item.result)?;
            write_overdue(&mut g, r, a::OVERDUE, item.days_overdue(ctx.today))?;
            g.int(r, a::VERSION as u16, item.version)?;
        }
    }
    g.finish()
}

/// The 说明 sheet of a demo database's exports: the records are invented.
fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    let lines = [
        format!(
            "本文件（{what}）导出自演示数据库：其中的项目、投资、里程碑、会议和待办事项均为演示数据，由程序生成，不是真实工作记录，不得引用、上报或用于决策。"
        ),
        "正式使用前，请在平台中登记真实的片区工作。".to_string(),
    ];
    crate::xlsx_export::demo_sheet(book, f, &lines)
}

/// 项目清单: the given projects in the importer's columns (so the file can be corrected and
/// uploaded again), with 片区 and 逾期天数 (on `ctx.today`) for reading. 进度 is the
/// project's progress as shown (rolled up from its sub-items when it has any).
pub fn export_projects(rows: &[Project], ctx: &WorkExport) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_projects_sheet(&mut book, &f, rows, Some(ctx))?;
    if ctx.demo {
        demo_notice(&mut book, &f, "项目清单")?;
    }
    Ok(book.save_to_buffer()?)
}

/// 里程碑: each milestone with the name of its project, and 逾期天数 on `ctx.today`.
pub fn export_milestones(
    rows: &[(Milestone, String)],
    ctx: &WorkExport,
) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_milestones_sheet(&mut book, &f, rows, ctx.today)?;
    if ctx.demo {
        demo_notice(&mut book, &f, "里程碑")?;
    }
    Ok(book.save_to_buffer()?)
}

/// 待办事项: each action item with the caller's text for where it came from (the meeting
/// and its decision, or empty), and 逾期天数 on `ctx.today`.
pub fn export_actions(rows: &[(ActionItem, String)], ctx: &WorkExport) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_actions_sheet(&mut book, &f, rows, Some(ctx))?;
    if ctx.demo {
        demo_notice(&mut book, &f, "待办事项")?;
    }
    Ok(book.save_to_buffer()?)
}

const IMPORT_NOTES: [&str; 5] = [
    "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。标有「仅供阅读」的列可以删除。",
    "日期一律按 YYYY-MM-DD 填写（如 2025-03-01），也可以使用 Excel 的日期单元格。",
    "金额单位为元，不小于 0，最多保留两位小数（精确到分）。",
    "上传后先试导入：一次列出所有有问题的行和单元格（第几行、哪一列、原因），此时不写入任何数据。",
    "全部无误后确认导入：所有行一起写入，任何一行写入失败则全部不写入（全部成功或全部不变）。",
];

/// A titled list in a 填表说明 sheet: title, second heading, then (value, meaning) lines.
pub(crate) type Section<'a> = (&'a str, &'a str, Vec<(String, String)>);

/// Writes a 填表说明 sheet: one line per column, then extra sections, then the notes.
pub(crate) fn guide(
    book: &mut Workbook,
    f: &Formats,
    columns: &[(&str, String)],
    sections: &[Section],
) -> Result<(), XlsxError> {
    guide_with_notes(book, f, columns, sections, &IMPORT_NOTES)
}

/// [`guide`] with the workbook's own 说明 notes.
pub(crate) fn guide_with_notes(
    book: &mut Workbook,
    f: &Formats,
    columns: &[(&str, String)],
    sections: &[Section],
    notes: &[&str],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(GUIDE_SHEET)?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "列名", &f.header)?;
    ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
    let mut r = 1u32;
    for (col, text) in columns {
        ws.write_string(r, 0, *col)?;
        ws.write_string_with_format(r, 1, text, &f.wrap)?;
        r += 1;
    }
    for (title, second, lines) in sections {
        r += 1;
        ws.write_string_with_format(r, 0, *title, &f.header)?;
        ws.write_string_with_format(r, 1, *second, &f.header)?;
        r += 1;
        for (k, v) in lines {
            ws.write_string(r, 0, k)?;
            ws.write_string_with_format(r, 1, v, &f.wrap)?;
            r += 1;
        }
    }
    r += 1;
    ws.write_string_with_format(r, 0, "说明", &f.header)?;
    for note in notes {
        r += 1;
        ws.write_string_with_format(r, 1, *note, &f.wrap)?;
    }
    Ok(())
}

/// The 版本 line of a 填表说明.
pub(crate) fn version_rule(what: &str) -> String {
    format!(
        "修改已有{what}时必填，请保留导出文件中的数字，不要改动；新增{what}（编号为空）请留空。导入时若该{what}在导出后已被他人修改（版本已变），该行报错且整个文件不导入：请重新导出最新数据后再改，以免覆盖他人的修改。"
    )
}

pub(crate) fn money_rule(what: &str) -> String {
    format!(
        "选填。{what}，单位元，不小于 0，最多两位小数（精确到分），不超过 100 亿元；留空按 0 计。"
    )
}

/// The 项目清单 import template: the header row (drop-down lists for 所属机制, 项目类型 and
/// 状态) and a 填表说明 sheet explaining every column, the allowed values and the status flow.
pub fn projects_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_projects_sheet(&mut book, &f, &[], None)?;
    let mechanisms = labels(&Mechanism::ALL, Mechanism::label).join("、");
    let kinds = labels(&ProjectKind::ALL, ProjectKind::label).join("、");
    let statuses = labels(&ProjectStatus::ALL, ProjectStatus::label).join("、");
    let columns: Vec<(&str, String)> = vec![
        (
            COL_PROJECT_ID,
            "新增项目请留空；修改已有项目时保留导出文件中的编号（同时保留版本）。同一编号在文件中只能出现一次。".into(),
        ),
        (
            COL_ZONE_ID,
            "必填。项目所属片区的编号（正整数，见片区名录或项目清单导出）。".into(),
        ),
        (COL_ZONE, "仅供阅读核对，导入时不使用：以片区编号为准。".into()),
        (
            COL_PROJECT_NAME,
            format!(
                "必填。不超过 {} 个字。",
                gongfu_core::work::project::NAME_MAX
            ),
        ),
        (
            COL_MECHANISM,
            format!("必填。四联四共之一，从下拉列表中选择：{mechanisms}。"),
        ),
        (
            COL_KIND,
            format!("必填。从下拉列表中选择：{kinds}。"),
        ),
        (
            COL_LEAD,
            format!(
                "必填。牵头实施的单位，不超过 {} 个字。",
                gongfu_core::work::project::UNIT_MAX
            ),
        ),
        (
            COL_VILLAGES,
            "选填。涉及村（社区）的 12 位统计用区划代码，多个用顿号「、」分隔（逗号、空格也可），同一村不要重复；请保持文本格式。".into(),
        ),
        (COL_PLANNED_FISCAL, money_rule("计划投入的财政资金")),
        (COL_PLANNED_COLLECTIVE, money_rule("计划投入的村集体资金")),
        (COL_PLANNED_SOCIAL, money_rule("计划引入的社会资本")),
        (COL_ACTUAL_FISCAL, money_rule("已到位的财政资金")),
        (COL_ACTUAL_COLLECTIVE, money_rule("已投入的村集体资金")),
        (COL_ACTUAL_SOCIAL, money_rule("已到位的社会资本")),
        (COL_START, "选填。YYYY-MM-DD，如 2025-03-01；项目转为「在建」前须填写。".into()),
        (
            COL_END,
            "选填。YYYY-MM-DD，不早于开工日期；过了计划完工日期仍未完工（谋划、立项、在建）的项目计为逾期。".into(),
        ),
        (
            COL_STATUS,
            format!(
                "选填。{statuses}之一；留空表示不改变状态（新增项目为「谋划」）。修改已有项目的状态只能按下方的流程推进一步，不能回退；转为「在建」须有开工日期，转为「完工」须子项和里程碑全部完成。新增项目可直接登记为任一状态，「在建」及以后的须填写开工日期。"
            ),
        ),
        (
            COL_PROGRESS,
            "选填。0 到 100 的整数（可带 %），留空按 0 计；有子项的项目，进度由子项按权重汇总，此列不参与汇总。".into(),
        ),
        (COL_OVERDUE, "仅供阅读：导出当天计算，导入时不使用。".into()),
        (
            COL_NOTE,
            format!(
                "选填。不超过 {} 个字。",
                gongfu_core::work::project::NOTE_MAX
            ),
        ),
        (COL_VERSION, version_rule("项目")),
    ];
    let flow: Vec<(String, String)> = ProjectStatus::ALL
        .into_iter()
        .map(|s| {
            let next = labels(s.next(), ProjectStatus::label);
            (
                s.label().to_string(),
                if next.is_empty() {
                    "最终状态，不再变化".to_string()
                } else {
                    format!("可改为：{}", next.join("、"))
                },
            )
        })
        .collect();
    let mechanisms: Vec<(String, String)> = Mechanism::ALL
        .into_iter()
        .map(|m| (m.label().to_string(), format!("也可填写 {}", m.key())))
        .collect();
    guide(
        &mut book,
        &f,
        &columns,
        &[
            ("状态流程", "谋划 → 立项 → 在建 → 完工 → 运营 → 验收", flow),
            ("所属机制", "四联四共", mechanisms),
        ],
    )?;
    Ok(book.save_to_buffer()?)
}

/// The 里程碑 import template, with its 填表说明 sheet.
pub fn milestones_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_milestones_sheet(&mut book, &f, &[], Date::MIN)?;
    let columns: Vec<(&str, String)> = vec![
        (
            COL_MILESTONE_ID,
            "新增里程碑请留空；修改已有里程碑时保留导出文件中的编号（同时保留版本）。同一编号在文件中只能出现一次。".into(),
        ),
        (
            COL_PROJECT_ID,
            "必填。里程碑所属项目的编号（正整数，见项目清单导出）。".into(),
        ),
        (COL_PROJECT_NAME, "仅供阅读核对，导入时不使用：以项目编号为准。".into()),
        (
            COL_MILESTONE,
            format!(
                "必填。里程碑名称，如「完成施工招标」，不超过 {} 个字。",
                gongfu_core::work::project::NAME_MAX
            ),
        ),
        (COL_DUE, "必填。YYYY-MM-DD，如 2025-06-30。".into()),
        (
            COL_DONE_ON,
            "选填。里程碑完成的日期，YYYY-MM-DD；未完成请留空。过了计划完成日期仍未填写的里程碑计为逾期。".into(),
        ),
        (
            COL_EXPLANATION,
            format!(
                "选填。不超过 {} 个字。",
                gongfu_core::work::project::NOTE_MAX
            ),
        ),
        (COL_OVERDUE, "仅供阅读：导出当天计算，导入时不使用。".into()),
        (COL_VERSION, version_rule("里程碑")),
    ];
    guide(&mut book, &f, &columns, &[])?;
    Ok(book.save_to_buffer()?)
}

/// The 待办事项 import template (drop-down list for 状态), with its 填表说明 sheet.
pub fn actions_template() -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    write_actions_sheet(&mut book, &f, &[], None)?;
    let columns: Vec<(&str, String)> = vec![
        (
            COL_ACTION_ID,
            "新增待办请留空；修改已有待办时保留导出文件中的编号（同时保留版本）。同一编号在文件中只能出现一次。".into(),
        ),
        (
            COL_ZONE_ID,
            "必填。待办所属片区的编号（正整数，见片区名录或待办导出）。".into(),
        ),
        (COL_ZONE, "仅供阅读核对，导入时不使用：以片区编号为准。".into()),
        (
            COL_SOURCE,
            "仅供阅读，导入时不使用：待办来自哪次会议的哪项决定，在平台中关联。".into(),
        ),
        (
            COL_ACTION,
            format!(
                "必填。要办的事，不超过 {} 个字。",
                committee::DECISION_MAX
            ),
        ),
        (
            COL_OWNER,
            format!(
                "必填。负责办理的单位，不超过 {} 个字。",
                committee::UNIT_MAX
            ),
        ),
        (
            COL_DEADLINE,
            "必填。YYYY-MM-DD；过了完成时限仍未办结（未开始、推进中）的待办计为逾期。".into(),
        ),
        (
            COL_STATUS,
            "选填。未开始、推进中、已完成、已取消之一；留空表示不改变状态（新增待办为「未开始」）。已完成、已取消的待办不能再改状态，也不能再修改其他内容。".into(),
        ),
        (
            COL_FINISHED_ON,
            "选填。状态为「已完成」时填写办结的日期，YYYY-MM-DD；其他状态请留空。".into(),
        ),
        (
            COL_RESULT,
            format!(
                "状态为「已完成」时必填办理结果，为「已取消」时必填取消原因；不超过 {} 个字。",
                committee::TEXT_MAX
            ),
        ),
        (COL_OVERDUE, "仅供阅读：导出当天计算，导入时不使用。".into()),
        (COL_VERSION, version_rule("待办")),
    ];
    let flow: Vec<(String, String)> = ActionStatus::ALL
        .into_iter()
        .map(|s| {
            let next: Vec<&str> = ActionStatus::ALL
                .into_iter()
                .filter(|n| s.can_move_to(*n))
                .map(|n| n.label())
                .collect();
            (
                s.label().to_string(),
                if next.is_empty() {
                    "已办结，不再变化".to_string()
                } else {
                    format!("可改为：{}", next.join("、"))
                },
            )
        })
        .collect();
    guide(
        &mut book,
        &f,
        &columns,
        &[("状态变化规则", "未开始 → 推进中 → 已完成 / 已取消", flow)],
    )?;
    Ok(book.save_to_buffer()?)
}

// ---------------------------------------------------------------------------------------
// Import.

/// One row of a 项目清单 upload, read and checked (its draft parses).
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// The 1-based spreadsheet row, as Excel numbers it.
    pub row: usize,
    /// 项目编号: `None` adds a project.
    pub id: Option<i64>,
    /// 版本: the version the project was exported at; given exactly when `id` is.
    pub version: Option<i64>,
    /// 片区编号.
    pub zone: i64,
    pub draft: ProjectDraft,
    /// `None`: not given (unchanged, or the first status of a new project).
    pub status: Option<ProjectStatus>,
}

/// One row of a 里程碑 upload, read and checked.
#[derive(Debug, Clone)]
pub struct MilestoneRow {
    pub row: usize,
    /// 里程碑编号: `None` adds a milestone.
    pub id: Option<i64>,
    /// 版本: given exactly when `id` is.
    pub version: Option<i64>,
    /// 项目编号.
    pub project: i64,
    pub draft: MilestoneDraft,
}

/// One row of a 待办事项 upload, read and checked.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub row: usize,
    /// 待办编号: `None` adds an action item.
    pub id: Option<i64>,
    /// 版本: given exactly when `id` is.
    pub version: Option<i64>,
    /// 片区编号.
    pub zone: i64,
    pub draft: ActionDraft,
    /// `None`: not given (unchanged, or 未开始 for a new item).
    pub status: Option<ActionStatus>,
    /// 完成日期: only with the status 已完成.
    pub done_on: Option<Date>,
    /// 办理结果 (trimmed): required when the status is 已完成 or 已取消.
    pub result: String,
}

/// A number as Excel shows it: 15 significant digits, no float artefacts, no exponent
/// (`1200000.5`, `0.3` for 0.1 + 0.2, `45` for 45.0).
pub(crate) fn number_text(f: f64) -> String {
    let f = excel_precision(f);
    if f == 0.0 {
        // Also -0.
        return "0".to_string();
    }
    format!("{f}")
}

/// An Excel serial date (1900 or 1904 system, as the file says) as YYYY-MM-DD, when it is
/// one: from 1900-01-01 up to 9999-12-31.
fn excel_date_text(d: &calamine::ExcelDateTime) -> Option<String> {
    let v = d.as_f64();
    if !d.is_datetime() || !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    let (y, m, day, ..) = d.to_ymd_hms_milli();
    Some(format!("{y:04}-{m:02}-{day:02}"))
}

/// Dates typed by hand in the usual other ways (`2025/3/1`, `2025.3.1`, `2025-3-1`,
/// `2025年3月1日`) made YYYY-MM-DD; anything else is left as typed for the draft to refuse.
pub(crate) fn normalise_date_text(s: &str) -> String {
    let t = s.trim();
    let body = t.strip_suffix('日').unwrap_or(t);
    let parts: Vec<&str> = body.split(['-', '/', '.', '年', '月']).collect();
    if let [y, m, d] = parts.as_slice()
        && y.len() == 4
        && (1..=2).contains(&m.len())
        && (1..=2).contains(&d.len())
        && [y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return format!("{y}-{m:0>2}-{d:0>2}");
    }
    t.to_string()
}

/// The text of a cell as the person who filled it in would read it, or why it has none.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => excel_date_text(d).unwrap_or_else(|| number_text(d.as_f64())),
        Data::DateTimeIso(s) => {
            let day = s.get(..10).unwrap_or(s);
            if gongfu_core::village::parse_date("", day).is_ok() {
                day.to_string()
            } else {
                s.trim().to_string()
            }
        }
        Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => {
            return Err(format!(
                "单元格是错误值「{e}」（多为公式出错）：请改为要填写的内容"
            ));
        }
    })
}

/// The header row and the columns found, after the header checks.
struct Table<'a, const N: usize> {
    rows: Vec<&'a [Data]>,
    /// 0-based sheet row of `rows[0]`.
    row0: usize,
    header_at: usize,
    /// The column of each header (`usize::MAX` when an optional one is absent).
    cols: [usize; N],
}

impl<const N: usize> Table<'_, N> {
    fn row_no(&self, i: usize) -> usize {
        self.row0 + i + 1
    }
}

/// Opens the workbook and the sheet named `name` (else the first).
fn open_sheet(bytes: &[u8], name: &str) -> Result<(Range<Data>, String), Vec<RowError>> {
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
    Ok((range, sheet))
}

fn no_data_rows(sheet: &str, what: &str) -> RowError {
    RowError::file(format!(
        "工作表「{sheet}」中没有数据行：请在第一行填写表头，从第二行起每行填写一个{what}"
    ))
}

/// Finds the header row (the first of the top rows naming the `key` column) and checks that
/// every column but the `read_only` ones is there, once.
fn locate<'a, const N: usize>(
    range: &'a Range<Data>,
    sheet: &str,
    spec: &SheetSpec<N>,
) -> Result<Table<'a, N>, Vec<RowError>> {
    let SheetSpec {
        headers,
        key,
        read_only,
        what,
        ..
    } = *spec;
    let Some((row0, _)) = range.start() else {
        return Err(vec![no_data_rows(sheet, spec.a_row)]);
    };
    let rows: Vec<&[Data]> = range.rows().collect();
    let (header_at, found) = find_header(&rows, headers, key);
    let header_row = row0 as usize + header_at + 1;
    let mut errors = Vec::new();
    let missing: Vec<String> = (0..N)
        .filter(|k| !read_only.contains(k) && found[*k].is_empty())
        .map(|k| format!("「{}」", headers[k]))
        .collect();
    if !missing.is_empty() {
        errors.push(RowError::new(
            header_row,
            "",
            "",
            format!(
                "缺少必填列{}：请使用{what}导入模板的表头（表头文字请勿修改，列的顺序可以调整）",
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
    let cols = std::array::from_fn(|k| found[k].first().copied().unwrap_or(usize::MAX));
    Ok(Table {
        rows,
        row0: row0 as usize,
        header_at,
        cols,
    })
}

/// One data row being read: its cells by header position, and its errors.
pub(crate) struct RowReader<'a, const N: usize> {
    n: usize,
    cells: &'a [Data],
    cols: &'a [usize; N],
    headers: &'a [&'static str; N],
    errors: Vec<RowError>,
    /// Columns already reported, so a draft's own complaint about the same cell is not added.
    reported: [bool; N],
}

impl<'a, const N: usize> RowReader<'a, N> {
    fn new(
        n: usize,
        cells: &'a [Data],
        t: &'a Table<'a, N>,
        headers: &'a [&'static str; N],
    ) -> Self {
        RowReader {
            n,
            cells,
            cols: &t.cols,
            headers,
            errors: Vec::new(),
            reported: [false; N],
        }
    }

    pub(crate) fn cell(&self, k: usize) -> &'a Data {
        cell_at(self.cells, self.cols[k])
    }

    pub(crate) fn bad(&mut self, k: usize, value: String, reason: String) {
        self.errors
            .push(RowError::new(self.n, self.headers[k], clip(&value), reason));
        self.reported[k] = true;
    }

    /// The cell as text (an error value is reported and read as empty).
    pub(crate) fn text(&mut self, k: usize) -> String {
        match cell_text(self.cell(k)) {
            Ok(t) => t,
            Err(reason) => {
                let v = shown(self.cell(k));
                self.bad(k, v, reason);
                String::new()
            }
        }
    }

    /// A date cell as text, YYYY-MM-DD when it reads as a date.
    pub(crate) fn date(&mut self, k: usize) -> String {
        normalise_date_text(&self.text(k))
    }

    /// An 编号 (or a 版本 read on its own): blank is `Ok(None)`; otherwise a positive whole
    /// number.
    pub(crate) fn id(&mut self, k: usize) -> Result<Option<i64>, ()> {
        let c = self.cell(k);
        if is_blank(c) {
            return Ok(None);
        }
        let what = self.headers[k];
        match read_count(c, what) {
            Ok(0) => {
                self.bad(k, shown(c), format!("{what}应为正整数"));
                Err(())
            }
            Ok(n) => Ok(Some(n)),
            Err(e) => {
                self.bad(k, shown(c), e);
                Err(())
            }
        }
    }

    /// The 版本 of a row whose 编号 read as `id`: required with an 编号, refused without one.
    /// `None` when reported.
    pub(crate) fn version(&mut self, k: usize, id: Result<Option<i64>, ()>) -> Option<Option<i64>> {
        let c = self.cell(k);
        match id {
            Ok(None) if is_blank(c) => Some(None),
            Ok(None) => {
                self.bad(
                    k,
                    shown(c),
                    "新增的记录（编号为空）不填写版本：版本由系统生成；修改已有记录请同时保留导出文件中的编号和版本".to_string(),
                );
                None
            }
            Ok(Some(_)) => match self.id(k) {
                Ok(Some(v)) => Some(Some(v)),
                Ok(None) => {
                    self.bad(
                        k,
                        String::new(),
                        "修改已有记录时版本为必填项：请保留导出文件中的版本，不要改动".to_string(),
                    );
                    None
                }
                Err(()) => None,
            },
            Err(()) => {
                let _ = self.id(k);
                None
            }
        }
    }

    /// A required 编号.
    fn required_id(&mut self, k: usize) -> Option<i64> {
        match self.id(k) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                let what = self.headers[k];
                self.bad(k, String::new(), format!("{what}为必填项，不能为空"));
                None
            }
            Err(()) => None,
        }
    }

    /// A draft's field errors, each at the column of its field (unless that cell was already
    /// reported), with the text that was read.
    pub(crate) fn draft_errors(
        &mut self,
        errors: Vec<DomainError>,
        column: impl Fn(&str) -> usize,
        text: impl Fn(usize) -> String,
    ) {
        for e in errors {
            let k = column(&e.field);
            if !self.reported[k] {
                self.errors.push(RowError::new(
                    self.n,
                    self.headers[k],
                    clip(&text(k)),
                    e.message,
                ));
            }
        }
    }
}

/// A value as shown in an error: at most 40 characters (a 2,000-character note is not
/// echoed whole).
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX {
        s.chars().take(MAX).chain(['…']).collect()
    } else {
        s.to_string()
    }
}

/// Every importable cell of the row is blank.
fn blank_row<const N: usize>(cells: &[Data], cols: &[usize; N], read_only: &[usize]) -> bool {
    (0..N)
        .filter(|k| !read_only.contains(k))
        .all(|k| is_blank(cell_at(cells, cols[k])))
}

/// Adds an error on every row of an 编号 given more than once.
fn duplicate_ids(
    ids: &BTreeMap<i64, Vec<usize>>,
    column: &str,
    what: &str,
    errors: &mut Vec<RowError>,
) {
    for (id, rows) in ids.iter().filter(|(_, r)| r.len() > 1) {
        let list = rows
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("、");
        for &r in rows {
            errors.push(RowError::new(
                r,
                column,
                id.to_string(),
                format!(
                    "{column} {id} 在文件中出现了不止一次（第 {list} 行）：每个{what}只能填一行"
                ),
            ));
        }
    }
}

/// Sorted by row, then column in header order, then reason; repeats removed.
fn finish<T, const N: usize>(
    out: Vec<T>,
    mut errors: Vec<RowError>,
    headers: &[&str; N],
) -> Result<Vec<T>, Vec<RowError>> {
    if errors.is_empty() {
        return Ok(out);
    }
    let order = |e: &RowError| headers.iter().position(|h| *h == e.column);
    errors.sort_by(|x, y| (x.row, order(x), &x.reason).cmp(&(y.row, order(y), &y.reason)));
    errors.dedup();
    Err(errors)
}

/// One workbook's sheet as the importer reads it: its name, headers, the column that names a
/// row's record (where the header row is found), the columns only exported, the 编号 column,
/// and what one row is called in messages.
pub(crate) struct SheetSpec<const N: usize> {
    pub(crate) name: &'static str,
    pub(crate) headers: &'static [&'static str; N],
    pub(crate) key: usize,
    pub(crate) read_only: &'static [usize],
    /// The 编号 column; `None` for a sheet whose rows are named by other columns (a team, a
    /// zone and a year), where the closure checks repeats itself.
    pub(crate) id: Option<usize>,
    pub(crate) id_header: &'static str,
    pub(crate) what: &'static str,
    /// What one data row holds, for the message on a sheet without data rows (usually
    /// `what`).
    pub(crate) a_row: &'static str,
}

const PROJECT_SHEET_SPEC: SheetSpec<{ PROJECT_HEADERS.len() }> = SheetSpec {
    name: PROJECTS_SHEET,
    headers: &PROJECT_HEADERS,
    key: p::NAME,
    read_only: &p::READ_ONLY,
    id: Some(p::ID),
    id_header: COL_PROJECT_ID,
    what: "项目",
    a_row: "项目",
};

const MILESTONE_SHEET_SPEC: SheetSpec<{ MILESTONE_HEADERS.len() }> = SheetSpec {
    name: MILESTONES_SHEET,
    headers: &MILESTONE_HEADERS,
    key: m::NAME,
    read_only: &m::READ_ONLY,
    id: Some(m::ID),
    id_header: COL_MILESTONE_ID,
    what: "里程碑",
    a_row: "里程碑",
};

const ACTION_SHEET_SPEC: SheetSpec<{ ACTION_HEADERS.len() }> = SheetSpec {
    name: ACTIONS_SHEET,
    headers: &ACTION_HEADERS,
    key: a::TITLE,
    read_only: &a::READ_ONLY,
    id: Some(a::ID),
    id_header: COL_ACTION_ID,
    what: "待办事项",
    a_row: "待办事项",
};

/// Reads every data row of a sheet with `read` (given the row, its number and its 编号),
/// keeping the rows read without a problem; then names repeated 编号 and sorts the errors.
pub(crate) fn read_sheet<T, const N: usize>(
    bytes: &[u8],
    spec: &SheetSpec<N>,
    mut read: impl FnMut(&mut RowReader<'_, N>, usize, Result<Option<i64>, ()>) -> Option<T>,
) -> Result<Vec<T>, Vec<RowError>> {
    let (range, sheet) = open_sheet(bytes, spec.name)?;
    let t = locate(&range, &sheet, spec)?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut ids: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut data_rows = 0usize;
    for (i, cells) in t.rows.iter().enumerate().skip(t.header_at + 1) {
        if blank_row(cells, &t.cols, spec.read_only) {
            continue;
        }
        data_rows += 1;
        let n = t.row_no(i);
        let mut r = RowReader::new(n, cells, &t, spec.headers);
        let id = match spec.id {
            Some(k) => r.id(k),
            None => Ok(None),
        };
        if let Ok(Some(id)) = id {
            ids.entry(id).or_default().push(n);
        }
        let row = read(&mut r, n, id);
        if r.errors.is_empty()
            && let Some(row) = row
        {
            out.push(row);
        }
        errors.append(&mut r.errors);
    }
    if data_rows == 0 && errors.is_empty() {
        return Err(vec![no_data_rows(&sheet, spec.a_row)]);
    }
    duplicate_ids(&ids, spec.id_header, spec.what, &mut errors);
    finish(out, errors, spec.headers)
}

fn project_column(field: &str) -> usize {
    match field {
        "name" => p::NAME,
        "mechanism" => p::MECHANISM,
        "kind" => p::KIND,
        "lead_unit" => p::LEAD,
        "villages" => p::VILLAGES,
        "planned_fiscal" => p::MONEY[0],
        "planned_collective" => p::MONEY[1],
        "planned_social" => p::MONEY[2],
        "actual_fiscal" => p::MONEY[3],
        "actual_collective" => p::MONEY[4],
        "actual_social" => p::MONEY[5],
        "start" => p::START,
        "end" => p::END,
        "progress" => p::PROGRESS,
        "note" => p::NOTE,
        _ => p::NAME,
    }
}

fn project_field(d: &ProjectDraft, k: usize) -> String {
    let fields = [
        (p::NAME, &d.name),
        (p::MECHANISM, &d.mechanism),
        (p::KIND, &d.kind),
        (p::LEAD, &d.lead_unit),
        (p::VILLAGES, &d.villages),
        (p::MONEY[0], &d.planned_fiscal),
        (p::MONEY[1], &d.planned_collective),
        (p::MONEY[2], &d.planned_social),
        (p::MONEY[3], &d.actual_fiscal),
        (p::MONEY[4], &d.actual_collective),
        (p::MONEY[5], &d.actual_social),
        (p::START, &d.start),
        (p::END, &d.end),
        (p::PROGRESS, &d.progress),
        (p::NOTE, &d.note),
    ];
    fields
        .iter()
        .find(|(c, _)| *c == k)
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// Reads the 项目清单 sheet (or the first sheet) of an .xlsx workbook into checked rows, in
/// file order, or every problem in it.
///
/// Columns are found by header text in any order; extra columns are ignored, and so are
/// 片区 and 逾期天数 (for reading only), which may be absent. Every other column of the
/// template must be there (a missing one is one error naming them all), so that an update
/// never blanks a field because its column was lost. Refused, each with row, column and
/// reason: an 项目编号 or 片区编号 that is not a positive whole number, a missing 片区编号, an
/// unknown 状态, every field error of [`ProjectDraft::parse`] (name, mechanism, type, lead
/// unit, village codes, amounts in yuan with at most two decimals, dates as YYYY-MM-DD, end
/// before start, progress 0–100, note length), a 版本 missing beside an 项目编号 or given
/// without one (all three sheets), an error value in a cell, and the same
/// 项目编号 twice in the file. Blank rows are skipped; a file without data rows, or that is
/// not .xlsx, is one error on row 0.
pub fn parse_projects_xlsx(bytes: &[u8]) -> Result<Vec<ProjectRow>, Vec<RowError>> {
    read_sheet(bytes, &PROJECT_SHEET_SPEC, |r, n, id| {
        let version = r.version(p::VERSION, id);
        let zone = r.required_id(p::ZONE_ID);
        let draft = ProjectDraft {
            name: r.text(p::NAME),
            mechanism: r.text(p::MECHANISM),
            kind: r.text(p::KIND),
            lead_unit: r.text(p::LEAD),
            villages: r.text(p::VILLAGES),
            planned_fiscal: r.text(p::MONEY[0]),
            planned_collective: r.text(p::MONEY[1]),
            planned_social: r.text(p::MONEY[2]),
            actual_fiscal: r.text(p::MONEY[3]),
            actual_collective: r.text(p::MONEY[4]),
            actual_social: r.text(p::MONEY[5]),
            start: r.date(p::START),
            end: r.date(p::END),
            progress: r.text(p::PROGRESS),
            note: r.text(p::NOTE),
        };
        let status_text = r.text(p::STATUS);
        let status = if status_text.is_empty() {
            Some(None)
        } else {
            match ProjectStatus::parse(&status_text) {
                Ok(s) => Some(Some(s)),
                Err(e) => {
                    r.bad(p::STATUS, status_text, e.message);
                    None
                }
            }
        };
        if let Err(es) = draft.parse() {
            r.draft_errors(es, project_column, |k| project_field(&draft, k));
        }
        if let (Ok(id), Some(version), Some(zone), Some(status)) = (id, version, zone, status) {
            return Some(ProjectRow {
                row: n,
                id,
                version,
                zone,
                draft,
                status,
            });
        }
        None
    })
}

fn milestone_column(field: &str) -> usize {
    match field {
        "due" => m::DUE,
        "done_on" => m::DONE_ON,
        "note" => m::NOTE,
        _ => m::NAME,
    }
}

fn milestone_field(d: &MilestoneDraft, k: usize) -> String {
    match k {
        m::NAME => &d.name,
        m::DUE => &d.due,
        m::DONE_ON => &d.done_on,
        m::NOTE => &d.note,
        _ => "",
    }
    .to_string()
}

/// Reads the 里程碑 sheet (or the first sheet) into checked rows, in file order, or every
/// problem in it: as [`parse_projects_xlsx`], with 项目名称 and 逾期天数 for reading only, a
/// required 项目编号, and the field errors of [`MilestoneDraft::parse`] (name, 计划完成日期
/// required, dates as YYYY-MM-DD, note length).
pub fn parse_milestones_xlsx(bytes: &[u8]) -> Result<Vec<MilestoneRow>, Vec<RowError>> {
    read_sheet(bytes, &MILESTONE_SHEET_SPEC, |r, n, id| {
        let version = r.version(m::VERSION, id);
        let project = r.required_id(m::PROJECT);
        let draft = MilestoneDraft {
            name: r.text(m::NAME),
            due: r.date(m::DUE),
            done_on: r.date(m::DONE_ON),
            note: r.text(m::NOTE),
        };
        if let Err(es) = draft.parse() {
            r.draft_errors(es, milestone_column, |k| milestone_field(&draft, k));
        }
        if let (Ok(id), Some(version), Some(project)) = (id, version, project) {
            return Some(MilestoneRow {
                row: n,
                id,
                version,
                project,
                draft,
            });
        }
        None
    })
}

fn action_column(field: &str) -> usize {
    match field {
        "owner_unit" => a::OWNER,
        "due" => a::DUE,
        _ => a::TITLE,
    }
}

fn action_field(d: &ActionDraft, k: usize) -> String {
    match k {
        a::TITLE => &d.title,
        a::OWNER => &d.owner_unit,
        a::DUE => &d.due,
        _ => "",
    }
    .to_string()
}

/// Reads the 待办事项 sheet (or the first sheet) into checked rows, in file order, or every
/// problem in it: as [`parse_projects_xlsx`], with 片区, 来源（会议决定） and 逾期天数 for
/// reading only, a required 片区编号, the field errors of [`ActionDraft::parse`] (title, owner
/// unit, 完成时限 required as YYYY-MM-DD), an unknown 状态, a 完成日期 that is not a date or
/// is given with a status other than 已完成, a missing 办理结果 for 已完成 / 已取消, and a
/// 办理结果 over 10,000 characters.
pub fn parse_actions_xlsx(bytes: &[u8]) -> Result<Vec<ActionRow>, Vec<RowError>> {
    read_sheet(bytes, &ACTION_SHEET_SPEC, |r, n, id| {
        let version = r.version(a::VERSION, id);
        let zone = r.required_id(a::ZONE_ID);
        let draft = ActionDraft {
            title: r.text(a::TITLE),
            owner_unit: r.text(a::OWNER),
            due: r.date(a::DUE),
        };
        let status_text = r.text(a::STATUS);
        let status = if status_text.is_empty() {
            Some(None)
        } else {
            match ActionStatus::parse(&status_text) {
                Ok(s) => Some(Some(s)),
                Err(e) => {
                    r.bad(a::STATUS, status_text, e.message);
                    None
                }
            }
        };
        let done_text = r.date(a::DONE_ON);
        let done_on = match parse_optional_date("done_on", &done_text) {
            Ok(d) => Some(d),
            Err(e) => {
                if !r.reported[a::DONE_ON] {
                    r.bad(a::DONE_ON, done_text.clone(), e.message);
                }
                None
            }
        };
        if let (Some(Some(_)), Some(Some(s))) = (done_on, status)
            && s != ActionStatus::Done
        {
            r.bad(
                a::DONE_ON,
                done_text,
                format!(
                    "状态为「{}」的待办不填写完成日期：办结的请把状态改为「已完成」，否则请清空完成日期",
                    s.label()
                ),
            );
        }
        let result = r.text(a::RESULT);
        if let Some(Some(s)) = status
            && s.is_closed()
            && result.is_empty()
            && !r.reported[a::RESULT]
        {
            r.bad(
                a::RESULT,
                String::new(),
                if s == ActionStatus::Done {
                    "状态为「已完成」时请填写办理结果".to_string()
                } else {
                    "状态为「已取消」时请填写取消原因".to_string()
                },
            );
        }
        if result.chars().count() > committee::TEXT_MAX {
            r.bad(
                a::RESULT,
                result.clone(),
                format!("办理结果不超过 {} 个字", committee::TEXT_MAX),
            );
        }
        if let Err(es) = draft.parse() {
            r.draft_errors(es, action_column, |k| action_field(&draft, k));
        }
        if let (Ok(id), Some(version), Some(zone), Some(status), Some(done_on)) =
            (id, version, zone, status, done_on)
        {
            return Some(ActionRow {
                row: n,
                id,
                version,
                zone,
                draft,
                status,
                done_on,
                result,
            });
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_sees_them() {
        assert_eq!(number_text(1_200_000.5), "1200000.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(45.0), "45");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(330_603_105_201.0), "330603105201");
        assert_eq!(number_text(1234.005), "1234.005");
        assert_eq!(number_text(1e20), "100000000000000000000");
    }

    #[test]
    fn typed_dates_are_made_iso() {
        assert_eq!(normalise_date_text("2025/3/1"), "2025-03-01");
        assert_eq!(normalise_date_text(" 2025.12.31 "), "2025-12-31");
        assert_eq!(normalise_date_text("2025年3月1日"), "2025-03-01");
        assert_eq!(normalise_date_text("2025-03-01"), "2025-03-01");
        assert_eq!(normalise_date_text("3/1/2025"), "3/1/2025");
        assert_eq!(normalise_date_text("明年"), "明年");
        assert_eq!(normalise_date_text("2025-1-1-1"), "2025-1-1-1");
    }

    #[test]
    fn excel_dates_become_iso_text() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        let d = ExcelDateTime::new(45717.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)).unwrap(), "2025-03-01");
        let d = ExcelDateTime::new(45717.75, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(d)).unwrap(), "2025-03-01");
        let iso = Data::DateTimeIso("2025-03-01T00:00:00".into());
        assert_eq!(cell_text(&iso).unwrap(), "2025-03-01");
        let time_only = ExcelDateTime::new(0.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(time_only)).unwrap(), "0.5");
        assert!(cell_text(&Data::Error(calamine::CellErrorType::NA)).is_err());
    }

    #[test]
    fn every_draft_field_has_its_column() {
        for f in [
            "name",
            "mechanism",
            "kind",
            "lead_unit",
            "villages",
            "planned_fiscal",
            "planned_collective",
            "planned_social",
            "actual_fiscal",
            "actual_collective",
            "actual_social",
            "start",
            "end",
            "progress",
            "note",
        ] {
            let k = project_column(f);
            assert!(k != p::NAME || f == "name", "{f}");
            assert!(!p::READ_ONLY.contains(&k));
        }
        assert_eq!(PROJECT_HEADERS[p::MONEY[0]], COL_PLANNED_FISCAL);
        assert_eq!(PROJECT_HEADERS[p::MONEY[5]], COL_ACTUAL_SOCIAL);
        assert_eq!(PROJECT_HEADERS[p::NOTE], COL_NOTE);
        assert_eq!(MILESTONE_HEADERS[m::NOTE], COL_EXPLANATION);
        assert_eq!(ACTION_HEADERS[a::RESULT], COL_RESULT);
    }
}
