//! Excel workbooks for download: 村庄名录, 片区名录, 年度数据 and the 年度数据 import template.
//!
//! Every data sheet has a bold header row, frozen, with an autofilter, and columns sized to
//! their contents. Money is written as a number of yuan (`#,##0.00`), converted from integer
//! fen only in the cell it goes into, so sums in Excel stay right to the fen.

use crate::IoError;
use crate::xlsx_import::{
    COL_AREA, COL_CODE, COL_DISPOSABLE, COL_HOUSEHOLDS, COL_NAME, COL_OPERATING, COL_POPULATION,
    COL_YEAR, YEARS_HEADERS, YEARS_SHEET,
};
use gongfu_core::village::{DivisionKind, VillageStatus, date_string};
use gongfu_core::zone::{MemberRole, Membership};
use gongfu_core::{Fen, VillageCode, ZoneId};
use gongfu_store::Snapshot;
use gongfu_store::snapshot::ZoneRec;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::collections::{BTreeSet, HashMap};
use time::Date;

const MONEY: &str = "#,##0.00";
const COUNT: &str = "#,##0";
const AREA: &str = "0.00";
const DATE: &str = "yyyy-mm-dd";

/// The formats a sheet uses, made once per workbook.
pub(crate) struct Formats {
    pub(crate) header: Format,
    pub(crate) money: Format,
    pub(crate) count: Format,
    pub(crate) area: Format,
    pub(crate) date: Format,
    pub(crate) text: Format,
    pub(crate) wrap: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_align(FormatAlign::Center),
            money: Format::new().set_num_format(MONEY),
            count: Format::new().set_num_format(COUNT),
            area: Format::new().set_num_format(AREA),
            date: Format::new().set_num_format(DATE),
            text: Format::new().set_num_format("@"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// Display width of text in Excel character units: CJK and full-width characters take two.
pub(crate) fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// A data sheet being written: header in row 0, data from row 1, widths tracked per column.
pub(crate) struct Grid<'a> {
    pub(crate) ws: &'a mut Worksheet,
    pub(crate) widths: Vec<usize>,
    last_row: u32,
}

impl<'a> Grid<'a> {
    pub(crate) fn new(
        ws: &'a mut Worksheet,
        headers: &[&str],
        f: &Formats,
    ) -> Result<Grid<'a>, XlsxError> {
        let mut widths = Vec::with_capacity(headers.len());
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
            widths.push(text_width(h) + 2);
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Grid {
            ws,
            widths,
            last_row: 0,
        })
    }

    pub(crate) fn seen(&mut self, row: u32, col: u16, width: usize) {
        self.last_row = self.last_row.max(row);
        let w = &mut self.widths[col as usize];
        *w = (*w).max(width);
    }

    pub(crate) fn text(&mut self, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
        if !s.is_empty() {
            self.ws.write_string(row, col, s)?;
        }
        self.seen(row, col, text_width(s));
        Ok(())
    }

    fn fen(&mut self, row: u32, col: u16, v: Fen, f: &Formats) -> Result<(), XlsxError> {
        // The one place fen becomes a float: exact for any amount below 2^53 fen.
        self.ws
            .write_number_with_format(row, col, v.0 as f64 / 100.0, &f.money)?;
        self.seen(row, col, v.yuan_string().len());
        Ok(())
    }

    pub(crate) fn count(
        &mut self,
        row: u32,
        col: u16,
        v: i64,
        f: &Formats,
    ) -> Result<(), XlsxError> {
        self.ws
            .write_number_with_format(row, col, v as f64, &f.count)?;
        self.seen(row, col, v.to_string().len() * 4 / 3 + 1);
        Ok(())
    }

    /// A plain integer without separators (years, ids).
    pub(crate) fn int(&mut self, row: u32, col: u16, v: i64) -> Result<(), XlsxError> {
        self.ws.write_number(row, col, v as f64)?;
        self.seen(row, col, v.to_string().len());
        Ok(())
    }

    fn area(&mut self, row: u32, col: u16, v: f64, f: &Formats) -> Result<(), XlsxError> {
        self.ws.write_number_with_format(row, col, v, &f.area)?;
        self.seen(row, col, format!("{v:.2}").len());
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, d: Date, f: &Formats) -> Result<(), XlsxError> {
        match ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day()) {
            Ok(x) => {
                self.ws.write_datetime_with_format(row, col, &x, &f.date)?;
                self.seen(row, col, 10);
                Ok(())
            }
            // Outside Excel's calendar (before 1900): keep the date as text.
            Err(_) => self.text(row, col, &date_string(d)),
        }
    }

    /// Autofilter over the written rows and column widths from the contents (8 to 60).
    pub(crate) fn finish(self) -> Result<(), XlsxError> {
        let last_col = (self.widths.len().max(1) - 1) as u16;
        self.ws.autofilter(0, 0, self.last_row, last_col)?;
        for (c, w) in self.widths.iter().enumerate() {
            self.ws
                .set_column_width(c as u16, (*w).clamp(8, 60) as f64 + 1.0)?;
        }
        Ok(())
    }
}

/// The 说明 sheet of a demo database's export: the heading 演示数据, then `lines`.
pub(crate) fn demo_sheet<S: AsRef<str>>(
    book: &mut Workbook,
    f: &Formats,
    lines: &[S],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("说明")?;
    ws.set_column_width(0, 100)?;
    ws.write_string_with_format(0, 0, "演示数据", &f.header)?;
    for (i, line) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32 + 1, 0, line.as_ref(), &f.wrap)?;
    }
    Ok(())
}

/// The 说明 sheet of a demo database's exports: the figures are invented.
pub(crate) fn demo_notice(book: &mut Workbook, f: &Formats, what: &str) -> Result<(), XlsxError> {
    let lines = [
        format!(
            "本文件（{what}）导出自演示数据库：其中的人口、户数、收入、面积、村界和片区均为演示数据，由程序随机生成，不是真实统计数据，不得引用、上报或用于决策。"
        ),
        "村代码、村名和镇街取自柯桥区统计用区划代码名录，是真实名录。".to_string(),
        "正式使用前，请在平台中导入真实的年度数据和村界。".to_string(),
    ];
    demo_sheet(book, f, &lines)
}

fn status_text(status: &VillageStatus, snap: &Snapshot, day: Date) -> String {
    match status {
        VillageStatus::Active => "正常".to_string(),
        s if s.is_active_on(day) => "正常".to_string(),
        VillageStatus::Merged { from, into } => {
            let into_name = snap
                .division(into)
                .map(|d| d.division.name.clone())
                .unwrap_or_else(|| into.to_string());
            format!("已撤并（{} 起并入{into_name}）", date_string(*from))
        }
        VillageStatus::Withdrawn { from } => format!("已撤销（{} 起）", date_string(*from)),
    }
}

/// Membership lines current on `day`, by village: one pass instead of a scan per village.
fn current_members(snap: &Snapshot, day: Date) -> HashMap<&VillageCode, &Membership> {
    snap.memberships
        .iter()
        .filter(|m| m.is_current_on(day))
        .map(|m| (&m.village, m))
        .collect()
}

fn zones_by_id(snap: &Snapshot) -> HashMap<ZoneId, &ZoneRec> {
    snap.zones.iter().map(|z| (z.id, z)).collect()
}

/// 村庄名录: one row per division (villages and communities, whatever their status), with
/// its zone and role on `day` and its own latest yearly figures.
pub fn export_villages(snap: &Snapshot, day: Date) -> Result<Vec<u8>, IoError> {
    let all: Vec<usize> = (0..snap.divisions.len()).collect();
    export_village_rows(snap, day, &all)
}

/// [`export_villages`] for the divisions at `rows` (positions in `snap.divisions`), in that
/// order: what a filtered, sorted list page shows.
pub fn export_village_rows(snap: &Snapshot, day: Date, rows: &[usize]) -> Result<Vec<u8>, IoError> {
    const HEADERS: [&str; 15] = [
        "村代码",
        "村名",
        "镇街",
        "类型",
        "状态",
        "所属片区",
        "角色",
        "最新年度",
        "户籍人口",
        "户数",
        "经营性收入（元）",
        "人均可支配收入（元）",
        "面积（平方公里）",
        "薄弱村",
        "产业标签",
    ];
    let f = Formats::new();
    let mut book = Workbook::new();
    let members = current_members(snap, day);
    let zones = zones_by_id(snap);
    {
        let ws = book.add_worksheet();
        ws.set_name("村庄名录")?;
        let mut g = Grid::new(ws, &HEADERS, &f)?;
        for (i, d) in rows
            .iter()
            .filter_map(|i| snap.divisions.get(*i))
            .enumerate()
        {
            let r = i as u32 + 1;
            let code = &d.division.code;
            g.text(r, 0, code.as_str())?;
            g.text(r, 1, &d.division.name)?;
            g.text(r, 2, snap.town_name(&d.division.town))?;
            g.text(r, 3, d.division.kind.label())?;
            g.text(r, 4, &status_text(&d.division.status, snap, day))?;
            if let Some(m) = members.get(code) {
                let zone = zones.get(&m.zone).map(|z| z.name.as_str()).unwrap_or("");
                g.text(r, 5, zone)?;
                g.text(r, 6, m.role.label())?;
            }
            if let Some(y) = snap.years(code).last() {
                g.int(r, 7, y.year.get() as i64)?;
                g.count(r, 8, y.population, &f)?;
                g.count(r, 9, y.households, &f)?;
                g.fen(r, 10, y.operating_income, &f)?;
                g.fen(r, 11, y.disposable_income, &f)?;
                g.area(r, 12, y.area_km2, &f)?;
                let weak = snap.weak_rule.is_weak(y);
                g.text(r, 13, if weak { "是" } else { "否" })?;
            }
            g.text(r, 14, &d.tags.join("、"))?;
        }
        g.finish()?;
    }
    if snap.is_demo {
        demo_notice(&mut book, &f, "村庄名录")?;
    }
    Ok(book.save_to_buffer()?)
}

/// 等级 of a zone: its latest designation, e.g. `省级 认定（2025年）`.
fn designation_text(snap: &Snapshot, zone: ZoneId) -> String {
    snap.designations_of(zone)
        .into_iter()
        .max_by_key(|d| d.year)
        .map(|d| format!("{} {}（{}年）", d.tier.label(), d.status.label(), d.year))
        .unwrap_or_default()
}

/// 片区名录: one row per zone, dissolved ones included (their members as of the day before
/// dissolution). Income and weak villages are for the newest data year of the registry.
pub fn export_zones(snap: &Snapshot, day: Date) -> Result<Vec<u8>, IoError> {
    let latest = snap.latest_year();
    let (income_header, weak_header) = match latest {
        Some(y) => (
            format!("合计经营性收入（元，{y}年）"),
            format!("薄弱村数（{y}年）"),
        ),
        None => ("合计经营性收入（元）".to_string(), "薄弱村数".to_string()),
    };
    let headers = [
        "片区编号",
        "片区名称",
        "主题/IP",
        "镇街",
        "重点村",
        "联结村",
        "村数",
        "牵头领导",
        "等级",
        "成立日期",
        "状态",
        income_header.as_str(),
        weak_header.as_str(),
    ];
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let ws = book.add_worksheet();
        ws.set_name("片区名录")?;
        let mut g = Grid::new(ws, &headers, &f)?;
        for (i, z) in snap.zones.iter().enumerate() {
            let r = i as u32 + 1;
            let dissolved = z.dissolved_on.filter(|d| *d <= day);
            let member_day = dissolved.and_then(|d| d.previous_day()).unwrap_or(day);
            let members = snap.members(z.id, member_day);
            let name_of = |c: &VillageCode| {
                snap.division(c)
                    .map(|d| d.division.name.clone())
                    .unwrap_or_else(|| c.to_string())
            };
            let mut towns: Vec<String> = Vec::new();
            let mut seen_towns = BTreeSet::new();
            for m in &members {
                let town = m.village.town();
                if seen_towns.insert(town.clone()) {
                    towns.push(snap.town_name(&town).to_string());
                }
            }
            let names = |role: MemberRole| {
                members
                    .iter()
                    .filter(|m| m.role == role)
                    .map(|m| name_of(&m.village))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            g.int(r, 0, z.id.0)?;
            g.text(r, 1, &z.name)?;
            g.text(r, 2, &z.theme)?;
            g.text(r, 3, &towns.join("、"))?;
            g.text(r, 4, &names(MemberRole::Key))?;
            g.text(r, 5, &names(MemberRole::Linked))?;
            g.int(r, 6, members.len() as i64)?;
            g.text(r, 7, &z.lead_official)?;
            g.text(r, 8, &designation_text(snap, z.id))?;
            g.date(r, 9, z.founded_on, &f)?;
            g.text(
                r,
                10,
                if dissolved.is_some() {
                    "已撤销"
                } else {
                    "存续"
                },
            )?;
            if let Some(y) = latest {
                let figures: Vec<_> = members
                    .iter()
                    .filter_map(|m| snap.figures(&m.village, y))
                    .collect();
                if !figures.is_empty() {
                    let total: Fen = figures.iter().map(|x| x.operating_income).sum();
                    let weak = figures.iter().filter(|x| snap.weak_rule.is_weak(x)).count();
                    g.fen(r, 11, total, &f)?;
                    g.int(r, 12, weak as i64)?;
                }
            }
        }
        g.finish()?;
    }
    if snap.is_demo {
        demo_notice(&mut book, &f, "片区名录")?;
    }
    Ok(book.save_to_buffer()?)
}

/// Writes the template's header row and column formats on the 年度数据 sheet.
fn years_sheet<'a>(ws: &'a mut Worksheet, f: &Formats) -> Result<Grid<'a>, XlsxError> {
    ws.set_name(YEARS_SHEET)?;
    // Text, so Excel never turns a 12-digit code into 3.30603E+11.
    ws.set_column_format(0, &f.text)?;
    for c in [5u16, 6] {
        ws.set_column_format(c, &f.money)?;
    }
    let mut g = Grid::new(ws, &YEARS_HEADERS, f)?;
    g.widths[0] = 14;
    Ok(g)
}

/// 年度数据: one row per village (not community) per data year, oldest first, in exactly
/// the template's columns, so the file can be corrected and uploaded again.
pub fn export_years(snap: &Snapshot) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let mut g = years_sheet(book.add_worksheet(), &f)?;
        let mut r = 0u32;
        for d in &snap.divisions {
            if d.division.kind != DivisionKind::Village {
                continue;
            }
            for y in snap.years(&d.division.code) {
                r += 1;
                g.text(r, 0, d.division.code.as_str())?;
                g.text(r, 1, &d.division.name)?;
                g.int(r, 2, y.year.get() as i64)?;
                g.int(r, 3, y.population)?;
                g.int(r, 4, y.households)?;
                g.fen(r, 5, y.operating_income, &f)?;
                g.fen(r, 6, y.disposable_income, &f)?;
                g.ws.write_number(r, 7, y.area_km2)?;
                g.seen(r, 7, 8);
            }
        }
        g.finish()?;
    }
    if snap.is_demo {
        demo_notice(&mut book, &f, "年度数据")?;
    }
    Ok(book.save_to_buffer()?)
}

/// The year a prefilled template asks for: the one after the newest in the registry, else
/// last year (China time).
fn next_data_year(snap: &Snapshot) -> i32 {
    match snap.latest_year() {
        Some(y) => y + 1,
        None => gongfu_store::service::today().year() - 1,
    }
}

/// The 年度数据 import template: the header row on sheet 年度数据 and a 填表说明 sheet. With a
/// snapshot, 村代码 and 村名 are filled in for every village that exists at the start of the
/// next data year, and 数据年度 with that year.
pub fn years_template(snap: Option<&Snapshot>) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let mut g = years_sheet(book.add_worksheet(), &f)?;
        if let Some(snap) = snap {
            let year = next_data_year(snap);
            let start = Date::from_calendar_date(year, time::Month::January, 1).ok();
            let mut r = 0u32;
            for d in &snap.divisions {
                let exists = start.is_none_or(|s| d.division.status.is_active_on(s));
                if d.division.kind != DivisionKind::Village || !exists {
                    continue;
                }
                r += 1;
                g.ws.write_string_with_format(r, 0, d.division.code.as_str(), &f.text)?;
                g.seen(r, 0, 12);
                g.text(r, 1, &d.division.name)?;
                g.int(r, 2, year as i64)?;
            }
        }
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name("填表说明")?;
        ws.set_column_width(0, 24)?;
        ws.set_column_width(1, 90)?;
        ws.write_string_with_format(0, 0, "列名", &f.header)?;
        ws.write_string_with_format(0, 1, "填写要求", &f.header)?;
        let columns: [(&str, &str); 8] = [
            (
                COL_CODE,
                "必填。12 位统计用区划代码，导入时以村代码识别村庄。请保持文本格式，避免 Excel 把代码变成科学计数法。",
            ),
            (
                COL_NAME,
                "仅供阅读核对，导入时不使用：数据归属以村代码为准，改动村名不会改变数据归属。",
            ),
            (
                COL_YEAR,
                "必填。数据所属年份，4 位整数，2000 至 2100 之间，如 2025。",
            ),
            (COL_POPULATION, "必填。整数，不小于 0。"),
            (COL_HOUSEHOLDS, "必填。整数，不小于 0，且不大于户籍人口。"),
            (
                COL_OPERATING,
                "必填。村集体经营性收入，单位为元（不是万元），最多保留两位小数（精确到分）；亏损年份可填负数。",
            ),
            (
                COL_DISPOSABLE,
                "必填。农村居民人均可支配收入，单位为元，最多保留两位小数，不小于 0。",
            ),
            (COL_AREA, "必填。村域面积，单位为平方公里，不小于 0。"),
        ];
        for (i, (col, text)) in columns.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, *col)?;
            ws.write_string_with_format(r, 1, *text, &f.wrap)?;
        }
        let notes = [
            "每行填一个村一个年度；同一村同一年度只能出现一次。",
            "社区（居委会）不填报年度数据。",
            "第一行表头文字请勿修改；列的顺序可以调整。",
            "只有村代码、村名、年度而五项数字全部为空的行视为未填写，导入时跳过。",
            "上传后会一次列出所有有问题的单元格；全部无误才会导入，已有的同村同年度数据将被覆盖。",
        ];
        let r0 = columns.len() as u32 + 2;
        ws.write_string_with_format(r0, 0, "说明", &f.header)?;
        for (i, n) in notes.iter().enumerate() {
            ws.write_string_with_format(r0 + 1 + i as u32, 1, *n, &f.wrap)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

/// 审计日志 export: one row per line, newest first, before / after as JSON text.
pub fn export_audit(entries: &[gongfu_store::accounts::AuditEntry]) -> Result<Vec<u8>, IoError> {
    const HEADERS: [&str; 8] = [
        "编号",
        "时间（UTC）",
        "操作人",
        "来源地址",
        "操作",
        "对象",
        "对象编号",
        "变更前 / 变更后",
    ];
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let ws = book.add_worksheet();
        ws.set_name("审计日志")?;
        let mut g = Grid::new(ws, &HEADERS, &f)?;
        for (i, e) in entries.iter().enumerate() {
            let r = i as u32 + 1;
            g.text(r, 0, &e.id.to_string())?;
            g.text(r, 1, &e.at)?;
            g.text(r, 2, &e.actor)?;
            g.text(r, 3, &e.address)?;
            g.text(r, 4, &e.action)?;
            g.text(r, 5, &e.entity)?;
            g.text(r, 6, &e.entity_id)?;
            let change = format!(
                "{} → {}",
                e.before.as_deref().unwrap_or("—"),
                e.after.as_deref().unwrap_or("—")
            );
            // Cells hold at most 32,767 characters.
            let change: String = change.chars().take(32_000).collect();
            g.text(r, 7, &change)?;
        }
        g.finish()?;
    }
    Ok(book.save_to_buffer()?)
}
