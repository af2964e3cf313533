//! The rubric workbook (评分细则): a [`Rubric`] written out for officials to read and edit in
//! Excel, and read back into a validated `Rubric`.
//!
//! Sheets: 指标 (one row per scoring rule, with its dimension and indicator repeated on every
//! row, the method's parameters in the grammar of [`gongfu_core::scoring::params`]),
//! 加减分与否决 (bonus, penalty and veto items and the overall bonus cap), 等级 (grade bands)
//! and 说明 (how to edit, the methods, the platform figures). The importer reads every cell,
//! groups the rows into dimensions and indicators in the order they first appear, and then
//! runs [`Rubric::validate`]; every problem comes back as a [`RowError`] naming the row and
//! the column (prefixed with the sheet for the two small sheets). Any error: no rubric.

use crate::work_xlsx::{RowReader, SheetSpec, drop_down, guide_with_notes, read_sheet};
use crate::xlsx_export::{Formats, Grid};
use crate::xlsx_import::NOT_XLSX;
use crate::{IoError, RowError};
use calamine::{Reader, Xlsx};
use gongfu_core::DomainError;
use gongfu_core::scoring::{
    Band, BonusItem, Combine, Dimension, Figure, Indicator, MethodCode, PenaltyItem, Points,
    Rating, Rubric, RubricKind, Rule, Source, Unit, VetoItem, params_text, parse_params,
    parse_points,
};
use rust_xlsxwriter::{Workbook, XlsxError};
use std::io::Cursor;

pub const INDICATORS_SHEET: &str = "指标";
pub const ITEMS_SHEET: &str = "加减分与否决";
pub const BANDS_SHEET: &str = "等级";
pub const NOTES_SHEET: &str = "说明";

pub const INDICATOR_HEADERS: [&str; 16] = [
    "维度编号",
    "维度",
    "维度分值",
    "指标编号",
    "指标",
    "指标分值",
    "合并方式",
    "规则键",
    "规则说明",
    "单位",
    "方法",
    "规则分值",
    "参数",
    "数据来源",
    "评分责任部门",
    "需佐证材料",
];

/// 指标 columns by position.
mod c {
    pub const DIM_ID: usize = 0;
    pub const DIM: usize = 1;
    pub const DIM_MAX: usize = 2;
    pub const IND_ID: usize = 3;
    pub const IND: usize = 4;
    pub const IND_MAX: usize = 5;
    pub const COMBINE: usize = 6;
    pub const KEY: usize = 7;
    pub const LABEL: usize = 8;
    pub const UNIT: usize = 9;
    pub const METHOD: usize = 10;
    pub const MAX: usize = 11;
    pub const PARAMS: usize = 12;
    pub const SOURCE: usize = 13;
    pub const DEPT: usize = 14;
    pub const EVIDENCE: usize = 15;
}

pub const ITEM_HEADERS: [&str; 6] = ["类别", "编号", "名称", "每项分值", "上限", "互斥组"];

/// 加减分与否决 columns by position.
mod it {
    pub const KIND: usize = 0;
    pub const ID: usize = 1;
    pub const LABEL: usize = 2;
    pub const EACH: usize = 3;
    pub const CAP: usize = 4;
    pub const GROUP: usize = 5;
}

pub const BAND_HEADERS: [&str; 2] = ["等级", "最低分"];

const BONUS: &str = "加分项";
const PENALTY: &str = "扣分项";
const VETO: &str = "否决项";
const BONUS_CAP: &str = "加分总上限";
const MANUAL: &str = "人工填报";
const PLATFORM: &str = "平台自动取数";

/// The figure's key as the rubric JSON spells it (`project_completion_rate`): serde's name,
/// so the workbook and the stored rubric never disagree.
pub fn figure_key(f: Figure) -> String {
    match serde_json::to_value(f) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{f:?}"),
    }
}

fn figure_from_key(key: &str) -> Option<Figure> {
    serde_json::from_value(serde_json::Value::String(key.trim().to_string())).ok()
}

/// 数据来源 as written: 人工填报, or 平台自动取数:<figure key>.
pub fn source_text(s: Source) -> String {
    match s {
        Source::Manual => MANUAL.to_string(),
        Source::Platform(f) => format!("{PLATFORM}:{}", figure_key(f)),
    }
}

fn parse_source(s: &str) -> Result<Source, String> {
    let t = s.trim();
    if t == MANUAL {
        return Ok(Source::Manual);
    }
    if let Some(k) = t
        .strip_prefix(PLATFORM)
        .and_then(|k| k.trim_start().strip_prefix([':', '：']))
    {
        return figure_from_key(k)
            .map(Source::Platform)
            .ok_or_else(|| format!("平台指标键「{}」不存在：可用的键见「说明」页", k.trim()));
    }
    Err(format!(
        "应为「{MANUAL}」或「{PLATFORM}:指标键」（指标键见「说明」页）"
    ))
}

fn points_cell(g: &mut Grid, r: u32, col: usize, p: Points) -> Result<(), XlsxError> {
    // Hundredths as a float are exact enough for Excel to show and give back 2 decimals.
    g.ws.write_number(r, col as u16, p.0 as f64 / 100.0)?;
    g.seen(r, col as u16, p.short_string().len() + 2);
    Ok(())
}

/// The rubric as a workbook: 指标, 加减分与否决, 等级 and 说明.
pub fn export_rubric(rubric: &Rubric) -> Result<Vec<u8>, IoError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    {
        let ws = book.add_worksheet();
        ws.set_name(INDICATORS_SHEET)?;
        // IDs such as 1.10 must stay text, not become the number 1.1.
        for col in [c::DIM_ID, c::IND_ID, c::KEY, c::PARAMS] {
            ws.set_column_format(col as u16, &f.text)?;
        }
        let methods: Vec<&str> = MethodCode::ALL.iter().map(|m| m.as_str()).collect();
        drop_down(ws, c::METHOD, &methods)?;
        let units: Vec<&str> = Unit::ALL.iter().map(|u| u.label()).collect();
        drop_down(ws, c::UNIT, &units)?;
        drop_down(ws, c::COMBINE, &["相加", "取高"])?;
        drop_down(ws, c::EVIDENCE, &["是", "否"])?;
        let mut g = Grid::new(ws, &INDICATOR_HEADERS, &f)?;
        for (i, (d, ind, rule)) in rubric.rules().enumerate() {
            let r = i as u32 + 1;
            g.text(r, c::DIM_ID as u16, &d.id)?;
            g.text(r, c::DIM as u16, &d.name)?;
            points_cell(&mut g, r, c::DIM_MAX, d.max)?;
            g.text(r, c::IND_ID as u16, &ind.id)?;
            g.text(r, c::IND as u16, &ind.name)?;
            points_cell(&mut g, r, c::IND_MAX, ind.max)?;
            g.text(r, c::COMBINE as u16, ind.combine.label())?;
            g.text(r, c::KEY as u16, &rule.key)?;
            g.text(r, c::LABEL as u16, &rule.label)?;
            g.text(r, c::UNIT as u16, rule.unit.label())?;
            g.text(r, c::METHOD as u16, rule.method.code().as_str())?;
            points_cell(&mut g, r, c::MAX, rule.max)?;
            g.text(r, c::PARAMS as u16, &params_text(&rule.method, rule.unit))?;
            g.text(r, c::SOURCE as u16, &source_text(rule.source))?;
            g.text(r, c::DEPT as u16, &ind.department)?;
            g.text(
                r,
                c::EVIDENCE as u16,
                if ind.evidence_required { "是" } else { "否" },
            )?;
        }
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(ITEMS_SHEET)?;
        ws.set_column_format(it::ID as u16, &f.text)?;
        drop_down(ws, it::KIND, &[BONUS, PENALTY, VETO, BONUS_CAP])?;
        let mut g = Grid::new(ws, &ITEM_HEADERS, &f)?;
        let mut r = 0u32;
        for b in &rubric.bonus {
            r += 1;
            g.text(r, 0, BONUS)?;
            g.text(r, 1, &b.id)?;
            g.text(r, 2, &b.label)?;
            points_cell(&mut g, r, it::EACH, b.points_each)?;
            points_cell(&mut g, r, it::CAP, b.cap)?;
            g.text(r, 5, b.group.as_deref().unwrap_or(""))?;
        }
        for p in &rubric.penalties {
            r += 1;
            g.text(r, 0, PENALTY)?;
            g.text(r, 1, &p.id)?;
            g.text(r, 2, &p.label)?;
            points_cell(&mut g, r, it::EACH, p.points_each)?;
            if let Some(cap) = p.cap {
                points_cell(&mut g, r, it::CAP, cap)?;
            }
        }
        for v in &rubric.vetoes {
            r += 1;
            g.text(r, 0, VETO)?;
            g.text(r, 1, &v.id)?;
            g.text(r, 2, &v.label)?;
        }
        r += 1;
        g.text(r, 0, BONUS_CAP)?;
        g.text(r, 2, "各加分项合计后的总上限")?;
        points_cell(&mut g, r, it::CAP, rubric.bonus_cap)?;
        g.finish()?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name(BANDS_SHEET)?;
        let ratings: Vec<&str> = RATINGS.iter().map(|r| r.label()).collect();
        drop_down(ws, 0, &ratings)?;
        let mut g = Grid::new(ws, &BAND_HEADERS, &f)?;
        for (i, b) in rubric.bands.iter().enumerate() {
            let r = i as u32 + 1;
            g.text(r, 0, b.rating.label())?;
            points_cell(&mut g, r, 1, b.min)?;
        }
        g.finish()?;
    }
    notes_sheet(&mut book, &f, rubric)?;
    Ok(book.save_to_buffer()?)
}

const RATINGS: [Rating; 4] = [Rating::Excellent, Rating::Good, Rating::Pass, Rating::Fail];

fn notes_sheet(book: &mut Workbook, f: &Formats, rubric: &Rubric) -> Result<(), XlsxError> {
    let columns: Vec<(&str, String)> = vec![
        ("维度编号 / 维度 / 维度分值", "一级指标。同一维度的每一行都填写相同的编号、名称和分值；各维度分值之和为总分。".into()),
        ("指标编号 / 指标 / 指标分值", "二级指标。同一指标的各条规则各占一行，编号、名称、分值、合并方式、责任部门和需佐证材料每行相同。指标分值应等于其规则分值之和（合并方式「相加」）或其中最高者（「取高」）。".into()),
        ("合并方式", "相加：各规则得分相加；取高：取得分最高的一条（如「项数或面积」二选一）。".into()),
        ("规则键", "规则的唯一标识，整份细则内不得重复；指标只有一条规则时用指标编号。评分数据按规则键填报，已有规则请勿改键。".into()),
        ("单位", "规则数值的单位：%、万元、个、人、人次、项、平方米。参数中的数值按此单位书写。".into()),
        ("方法 / 参数", "计分方法及其参数，写法见下表。比例类得分一律向下取整到 0.01 分，不超过规则分值。".into()),
        ("规则分值", "该规则的满分，最多两位小数。阶梯、对标的最高档应得满分。".into()),
        ("数据来源", format!("「{MANUAL}」由责任部门填报并上传佐证；「{PLATFORM}:指标键」由平台根据业务数据计算，指标键见下表。")),
        ("需佐证材料", "是 / 否。".into()),
    ];
    let methods = vec![
        (
            "STEP 阶梯计分".to_string(),
            "「≥4→3；≥3→2；≥2→1」：达到门槛得对应分，取达到的最高档，未达最低档得 0。「>0万元→1」表示大于 0 即得 1 分。".to_string(),
        ),
        (
            "LIN 折算计分".to_string(),
            "「目标 90%；起算 0%；低于 50% 得 0」：得分 = 分值 × 实际 ÷ 目标（有起算值时按 (实际 − 起算) ÷ (目标 − 起算)），封顶满分；「起算」「低于 … 得 0」可省略。".to_string(),
        ),
        (
            "COV 覆盖率".to_string(),
            "「无对象时满分」或留空：得分 = 分值 × 覆盖数 ÷ 总数；无应覆盖对象时按此参数得满分，留空则得 0。".to_string(),
        ),
        (
            "REL 对标计分".to_string(),
            "「≥对标+1pp→3；≥对标→2」：与对标值（如全区平均）比较，pp 为百分点，从高到低排列，都未达到得 0。".to_string(),
        ),
        (
            "GRADE 等级评定".to_string(),
            "「A=100%（含运营方案）；B=70%（已批复）；C=40%；D=0%」：评定等级得分值的相应比例，括号内为等级含义，只列可评的等级；A 应为 100%。".to_string(),
        ),
        ("BIN 是否".to_string(), "留空：是得满分，否得 0。".to_string()),
    ];
    let figures: Vec<(String, String)> = Figure::ALL
        .iter()
        .map(|f| (figure_key(*f), format!("{PLATFORM}:{}", figure_key(*f))))
        .collect();
    let sections = [
        ("计分方法", "参数写法（分号「；」分隔）", methods),
        ("平台指标键", "数据来源写法", figures),
    ];
    let title = format!("本文件为「{}」的评分细则表", rubric.name);
    let notes = [
        title.as_str(),
        "第一行表头文字请勿修改；列的顺序可以调整，多出的列在导入时忽略。",
        "加减分与否决：类别为加分项、扣分项、否决项或加分总上限；加分项须填每项分值和上限，同一互斥组的加分项不叠加、取高者；扣分项上限可留空（不封顶）；否决项只填编号和名称；加分总上限填在「上限」列。",
        "等级：从高到低填写优秀、良好、合格、不合格及各自最低分，不合格的最低分为 0。",
        "导入时一次列出所有有问题的单元格（工作表、第几行、哪一列、原因）；全部无误才会生成新版本的评分细则，已在使用的版本不会被修改。",
    ];
    guide_with_notes(book, f, &columns, &sections, &notes)?;
    book.worksheet_from_name(crate::work_xlsx::GUIDE_SHEET)?
        .set_name(NOTES_SHEET)?;
    Ok(())
}

/// One 指标 row as read.
struct RuleRow {
    row: usize,
    dim_id: String,
    dim_name: String,
    dim_max: Points,
    ind_id: String,
    ind_name: String,
    ind_max: Points,
    combine: Combine,
    department: String,
    evidence: bool,
    rule: Rule,
}

const INDICATOR_SPEC: SheetSpec<16> = SheetSpec {
    name: INDICATORS_SHEET,
    headers: &INDICATOR_HEADERS,
    key: c::IND_ID,
    read_only: &[],
    id: None,
    id_header: "",
    what: "评分细则",
    a_row: "评分规则",
};

const ITEM_SPEC: SheetSpec<6> = SheetSpec {
    name: ITEMS_SHEET,
    headers: &ITEM_HEADERS,
    key: it::KIND,
    read_only: &[],
    id: None,
    id_header: "",
    what: "评分细则",
    a_row: "加分、扣分或否决项",
};

const BAND_SPEC: SheetSpec<2> = SheetSpec {
    name: BANDS_SHEET,
    headers: &BAND_HEADERS,
    key: 0,
    read_only: &[],
    id: None,
    id_header: "",
    what: "评分细则",
    a_row: "等级",
};

/// A required text cell (reported when blank).
fn required<const N: usize>(r: &mut RowReader<'_, N>, k: usize, what: &str) -> Option<String> {
    let t = r.text(k);
    if t.is_empty() {
        r.bad(k, String::new(), format!("{what}为必填项，不能为空"));
        None
    } else {
        Some(t)
    }
}

/// A points cell; blank is `None` unless `required`.
fn points<const N: usize>(
    r: &mut RowReader<'_, N>,
    k: usize,
    what: &str,
    required: bool,
) -> Option<Option<Points>> {
    let t = r.text(k);
    if t.is_empty() {
        if required {
            r.bad(k, t, format!("{what}为必填项，不能为空"));
            return None;
        }
        return Some(None);
    }
    match parse_points(&t) {
        Ok(p) => Some(Some(p)),
        Err(e) => {
            r.bad(k, t, e.message);
            None
        }
    }
}

fn parse_with<T, const N: usize>(
    r: &mut RowReader<'_, N>,
    k: usize,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let t = r.text(k);
    match parse(&t) {
        Ok(v) => Some(v),
        Err(m) => {
            r.bad(k, t, m);
            None
        }
    }
}

fn msg(e: DomainError) -> String {
    e.message
}

fn read_rule_row(r: &mut RowReader<'_, 16>, n: usize) -> Option<RuleRow> {
    let dim_id = required(r, c::DIM_ID, "维度编号");
    let dim_name = required(r, c::DIM, "维度");
    let dim_max = points(r, c::DIM_MAX, "维度分值", true);
    let ind_id = required(r, c::IND_ID, "指标编号");
    let ind_name = required(r, c::IND, "指标");
    let ind_max = points(r, c::IND_MAX, "指标分值", true);
    let combine = parse_with(r, c::COMBINE, |t| Combine::parse(t).map_err(msg));
    let key = required(r, c::KEY, "规则键");
    let label = required(r, c::LABEL, "规则说明");
    let unit = parse_with(r, c::UNIT, |t| Unit::parse(t).map_err(msg));
    let code = parse_with(r, c::METHOD, |t| MethodCode::parse(t).map_err(msg));
    let max = points(r, c::MAX, "规则分值", true);
    let params = r.text(c::PARAMS);
    let method = match (code, unit) {
        (Some(code), Some(unit)) => match parse_params(code, &params, unit) {
            Ok(m) => Some(m),
            Err(e) => {
                r.bad(c::PARAMS, params, e.message);
                None
            }
        },
        _ => None,
    };
    let source = parse_with(r, c::SOURCE, parse_source);
    let department = required(r, c::DEPT, "评分责任部门");
    let evidence = parse_with(r, c::EVIDENCE, |t| match t {
        "是" => Ok(true),
        "否" => Ok(false),
        _ => Err("需佐证材料应填「是」或「否」".to_string()),
    });
    Some(RuleRow {
        row: n,
        dim_id: dim_id?,
        dim_name: dim_name?,
        dim_max: dim_max??,
        ind_id: ind_id?,
        ind_name: ind_name?,
        ind_max: ind_max??,
        combine: combine?,
        department: department?,
        evidence: evidence?,
        rule: Rule {
            key: key?,
            label: label?,
            max: max??,
            unit: unit?,
            method: method?,
            source: source?,
        },
    })
}

/// One 加减分与否决 row as read.
enum ItemRow {
    Bonus(BonusItem),
    Penalty(PenaltyItem),
    Veto(VetoItem),
    Cap(Points),
}

fn read_item_row(r: &mut RowReader<'_, 6>) -> Option<ItemRow> {
    let kind = r.text(it::KIND);
    match kind.as_str() {
        BONUS | PENALTY => {
            let what = kind.clone();
            let id = required(r, it::ID, "编号");
            let label = required(r, it::LABEL, "名称");
            let each = points(r, it::EACH, "每项分值", true);
            let cap = points(r, it::CAP, "上限", kind == BONUS);
            let group = r.text(it::GROUP);
            if what == BONUS {
                Some(ItemRow::Bonus(BonusItem {
                    id: id?,
                    label: label?,
                    points_each: each??,
                    cap: cap??,
                    group: (!group.is_empty()).then_some(group),
                }))
            } else {
                if !group.is_empty() {
                    r.bad(it::GROUP, group, "只有加分项可以设互斥组".into());
                }
                Some(ItemRow::Penalty(PenaltyItem {
                    id: id?,
                    label: label?,
                    points_each: each??,
                    cap: cap?,
                }))
            }
        }
        VETO => Some(ItemRow::Veto(VetoItem {
            id: required(r, it::ID, "编号")?,
            label: required(r, it::LABEL, "名称")?,
        })),
        BONUS_CAP => Some(ItemRow::Cap(points(r, it::CAP, "上限", true)??)),
        _ => {
            r.bad(
                it::KIND,
                kind,
                format!("类别应为「{BONUS}」「{PENALTY}」「{VETO}」或「{BONUS_CAP}」"),
            );
            None
        }
    }
}

fn read_band_row(r: &mut RowReader<'_, 2>) -> Option<Band> {
    let rating = parse_with(r, 0, |t| {
        RATINGS
            .into_iter()
            .find(|x| x.label() == t)
            .ok_or_else(|| "等级应为优秀、良好、合格或不合格".to_string())
    });
    let min = points(r, 1, "最低分", true);
    Some(Band {
        rating: rating?,
        min: min??,
    })
}

/// Errors of a small sheet: the column named with its sheet, so 「第 3 行」 is not read as a
/// row of 指标.
fn in_sheet(sheet: &str, mut errors: Vec<RowError>) -> Vec<RowError> {
    for e in &mut errors {
        if e.row > 0 {
            e.column = if e.column.is_empty() {
                sheet.to_string()
            } else {
                format!("{sheet}／{}", e.column)
            };
        }
    }
    errors
}

/// Where each part of the rubric came from, to put validation errors back on their cells.
#[derive(Default)]
struct Origins {
    /// Per dimension, its first row; per indicator, its first row; per rule, its row.
    dims: Vec<usize>,
    inds: Vec<Vec<usize>>,
    rules: Vec<Vec<Vec<usize>>>,
    bonus: Vec<usize>,
    penalties: Vec<usize>,
    vetoes: Vec<usize>,
    cap: usize,
    bands: Vec<usize>,
}

/// `name[3]` → (`name`, Some(3)).
fn segment(s: &str) -> (&str, Option<usize>) {
    match s.split_once('[') {
        Some((n, rest)) => (n, rest.trim_end_matches(']').parse().ok()),
        None => (s, None),
    }
}

/// A validation error of [`Rubric::validate`] at its sheet, row and column.
fn place(e: DomainError, o: &Origins) -> RowError {
    let segs: Vec<(&str, Option<usize>)> = e.field.split('.').map(segment).collect();
    let h = |k: usize| INDICATOR_HEADERS[k].to_string();
    let (row, column) = match segs.as_slice() {
        [("dimensions", Some(d)), rest @ ..] => match rest {
            [("indicators", Some(i)), rest @ ..] => match rest {
                [("rules", Some(r)), rest @ ..] => {
                    let row = o.rules[*d][*i][*r];
                    let col = match rest.first().map(|s| s.0) {
                        Some("key") => c::KEY,
                        Some("max") => c::MAX,
                        Some("label") => c::LABEL,
                        _ => c::PARAMS,
                    };
                    (row, h(col))
                }
                _ => {
                    let col = match rest.first().map(|s| s.0) {
                        Some("id") => c::IND_ID,
                        Some("name") => c::IND,
                        Some("department") => c::DEPT,
                        Some("rules") => c::KEY,
                        _ => c::IND_MAX,
                    };
                    (o.inds[*d][*i], h(col))
                }
            },
            _ => {
                let col = match rest.first().map(|s| s.0) {
                    Some("id") => c::DIM_ID,
                    Some("name") => c::DIM,
                    Some("indicators") => c::IND_ID,
                    _ => c::DIM_MAX,
                };
                (o.dims[*d], h(col))
            }
        },
        [
            (list @ ("bonus" | "penalties" | "vetoes"), Some(i)),
            rest @ ..,
        ] => {
            let rows = match *list {
                "bonus" => &o.bonus,
                "penalties" => &o.penalties,
                _ => &o.vetoes,
            };
            let col = match rest.first().map(|s| s.0) {
                Some("points_each") => it::EACH,
                Some("cap") => it::CAP,
                _ => it::ID,
            };
            (rows[*i], format!("{ITEMS_SHEET}／{}", ITEM_HEADERS[col]))
        }
        [("bonus_cap", _)] => (o.cap, format!("{ITEMS_SHEET}／{}", ITEM_HEADERS[it::CAP])),
        [("bands", Some(i)), ..] => (
            o.bands.get(*i).copied().unwrap_or(0),
            format!("{BANDS_SHEET}／{}", BAND_HEADERS[1]),
        ),
        [("bands", None)] => (0, BANDS_SHEET.to_string()),
        _ => (0, String::new()),
    };
    RowError::new(row, column, "", e.message)
}

/// Reads a rubric workbook (as [`export_rubric`] writes it, edited) into a validated rubric
/// of the given kind, year, version and name. The total is the sum of the dimensions. Every
/// problem at once, naming sheet, row and column; any problem: no rubric.
pub fn parse_rubric_xlsx(
    bytes: &[u8],
    kind: RubricKind,
    year: i32,
    version: u32,
    name: &str,
) -> Result<Rubric, Vec<RowError>> {
    let book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|_| vec![RowError::file(NOT_XLSX)])?;
    let names: Vec<String> = book
        .sheet_names()
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let missing: Vec<String> = [INDICATORS_SHEET, ITEMS_SHEET, BANDS_SHEET]
        .iter()
        .filter(|s| !names.iter().any(|n| n == *s))
        .map(|s| format!("「{s}」"))
        .collect();
    if !missing.is_empty() {
        return Err(vec![RowError::file(format!(
            "工作簿缺少工作表{}：请使用平台导出的评分细则表修改后上传",
            missing.join("")
        ))]);
    }
    let mut errors = Vec::new();
    let rows = read_sheet(bytes, &INDICATOR_SPEC, |r, n, _| read_rule_row(r, n))
        .map_err(|e| errors.extend(e))
        .unwrap_or_default();
    let items = read_sheet(bytes, &ITEM_SPEC, |r, n, _| Some((n, read_item_row(r)?)))
        .map_err(|e| errors.extend(in_sheet(ITEMS_SHEET, e)))
        .unwrap_or_default();
    let bands = read_sheet(bytes, &BAND_SPEC, |r, n, _| Some((n, read_band_row(r)?)))
        .map_err(|e| errors.extend(in_sheet(BANDS_SHEET, e)))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors);
    }

    // Rows into dimensions and indicators, in the order they first appear; the repeated
    // cells must agree with the first row of their dimension or indicator.
    let mut o = Origins::default();
    let mut dims: Vec<Dimension> = Vec::new();
    let h = |k: usize| INDICATOR_HEADERS[k];
    let mut first_ind: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for row in rows {
        let n = row.row;
        let d = match dims.iter().position(|d| d.id == row.dim_id) {
            Some(d) => {
                let dim = &dims[d];
                let first = o.dims[d];
                if dim.name != row.dim_name {
                    errors.push(RowError::new(
                        n,
                        h(c::DIM),
                        &row.dim_name,
                        format!(
                            "与第 {first} 行同一维度 {} 的名称「{}」不一致",
                            dim.id, dim.name
                        ),
                    ));
                }
                if dim.max != row.dim_max {
                    errors.push(RowError::new(
                        n,
                        h(c::DIM_MAX),
                        row.dim_max.short_string(),
                        format!(
                            "与第 {first} 行同一维度 {} 的分值 {} 不一致",
                            dim.id,
                            dim.max.short_string()
                        ),
                    ));
                }
                d
            }
            None => {
                dims.push(Dimension {
                    id: row.dim_id.clone(),
                    name: row.dim_name.clone(),
                    max: row.dim_max,
                    indicators: Vec::new(),
                });
                o.dims.push(n);
                o.inds.push(Vec::new());
                o.rules.push(Vec::new());
                dims.len() - 1
            }
        };
        let i = match dims[d].indicators.iter().position(|i| i.id == row.ind_id) {
            Some(i) => {
                let ind = &dims[d].indicators[i];
                let first = o.inds[d][i];
                let mut differ = |k: usize, same: bool, shown: String| {
                    if !same {
                        errors.push(RowError::new(
                            n,
                            h(k),
                            shown,
                            format!("与第 {first} 行同一指标 {} 的「{}」不一致", ind.id, h(k)),
                        ));
                    }
                };
                differ(c::IND, ind.name == row.ind_name, row.ind_name.clone());
                differ(
                    c::IND_MAX,
                    ind.max == row.ind_max,
                    row.ind_max.short_string(),
                );
                differ(
                    c::COMBINE,
                    ind.combine == row.combine,
                    row.combine.label().into(),
                );
                differ(
                    c::DEPT,
                    ind.department == row.department,
                    row.department.clone(),
                );
                differ(
                    c::EVIDENCE,
                    ind.evidence_required == row.evidence,
                    if row.evidence { "是" } else { "否" }.into(),
                );
                i
            }
            None => {
                if let Some((fd, frow)) = first_ind.get(&row.ind_id)
                    && *fd != d
                {
                    errors.push(RowError::new(
                        n,
                        h(c::IND_ID),
                        &row.ind_id,
                        format!(
                            "指标 {} 已在第 {frow} 行列于维度 {} 下：同一指标的规则应属同一维度",
                            row.ind_id, dims[*fd].id
                        ),
                    ));
                }
                first_ind.entry(row.ind_id.clone()).or_insert((d, n));
                dims[d].indicators.push(Indicator {
                    id: row.ind_id.clone(),
                    name: row.ind_name.clone(),
                    max: row.ind_max,
                    department: row.department.clone(),
                    evidence_required: row.evidence,
                    combine: row.combine,
                    rules: Vec::new(),
                });
                o.inds[d].push(n);
                o.rules[d].push(Vec::new());
                dims[d].indicators.len() - 1
            }
        };
        dims[d].indicators[i].rules.push(row.rule);
        o.rules[d][i].push(n);
    }

    let mut bonus = Vec::new();
    let mut penalties = Vec::new();
    let mut vetoes = Vec::new();
    let mut cap: Option<Points> = None;
    for (n, item) in items {
        match item {
            ItemRow::Bonus(b) => {
                bonus.push(b);
                o.bonus.push(n);
            }
            ItemRow::Penalty(p) => {
                penalties.push(p);
                o.penalties.push(n);
            }
            ItemRow::Veto(v) => {
                vetoes.push(v);
                o.vetoes.push(n);
            }
            ItemRow::Cap(p) => {
                if cap.is_some() {
                    errors.push(RowError::new(
                        n,
                        format!("{ITEMS_SHEET}／{}", ITEM_HEADERS[it::KIND]),
                        BONUS_CAP,
                        format!("「{BONUS_CAP}」只能填一行"),
                    ));
                }
                cap = Some(p);
                o.cap = n;
            }
        }
    }
    if cap.is_none() && !bonus.is_empty() {
        errors.push(RowError::file(format!(
            "工作表「{ITEMS_SHEET}」缺少类别为「{BONUS_CAP}」的一行（在「上限」列填写加分合计的上限）"
        )));
    }
    let bands: Vec<Band> = bands
        .into_iter()
        .map(|(n, b)| {
            o.bands.push(n);
            b
        })
        .collect();
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    let rubric = Rubric {
        kind,
        year,
        version,
        name: name.trim().to_string(),
        total: dims.iter().map(|d| d.max).sum(),
        dimensions: dims,
        bonus_cap: cap.unwrap_or(Points::ZERO),
        bonus,
        penalties,
        vetoes,
        bands,
    };
    match rubric.validate() {
        Ok(()) => Ok(rubric),
        Err(es) => Err(es.into_iter().map(|e| place(e, &o)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::scoring::{default_team_rubric, default_zone_rubric};
    use rust_xlsxwriter::Workbook;

    fn round_trip(r: &Rubric) -> Result<Rubric, Vec<RowError>> {
        let bytes = export_rubric(r).unwrap();
        parse_rubric_xlsx(&bytes, r.kind, r.year, r.version, &r.name)
    }

    #[test]
    fn the_default_rubrics_round_trip_exactly() {
        for r in [default_zone_rubric(2025), default_team_rubric(2026)] {
            assert_eq!(round_trip(&r), Ok(r.clone()));
        }
    }

    /// The exported workbook's sheets as rows of strings (every cell as text), for editing.
    fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        names
            .into_iter()
            .map(|n| {
                let range = book.worksheet_range(&n).unwrap();
                let rows = range
                    .rows()
                    .map(|r| {
                        r.iter()
                            .map(|c| match c {
                                calamine::Data::Float(f) => crate::work_xlsx::number_text(*f),
                                other => other.to_string(),
                            })
                            .collect()
                    })
                    .collect();
                (n, rows)
            })
            .collect()
    }

    /// Writes sheets of text back (numbers as text: the importer reads both alike).
    fn workbook(sheets: &[(String, Vec<Vec<String>>)]) -> Vec<u8> {
        let mut book = Workbook::new();
        for (name, rows) in sheets {
            let ws = book.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r as u32, c as u16, v).unwrap();
                    }
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    fn edited(edit: impl FnOnce(&mut Vec<(String, Vec<Vec<String>>)>)) -> Vec<RowError> {
        let r = default_zone_rubric(2025);
        let mut s = sheets(&export_rubric(&r).unwrap());
        edit(&mut s);
        parse_rubric_xlsx(&workbook(&s), r.kind, r.year, r.version, &r.name).unwrap_err()
    }

    /// The 指标 row (0-based in the sheet, header 0) of rule `key`.
    fn row_of(s: &[(String, Vec<Vec<String>>)], key: &str) -> usize {
        s[0].1.iter().position(|r| r[c::KEY] == key).unwrap()
    }

    #[test]
    fn text_cells_read_the_same_as_numbers() {
        let r = default_zone_rubric(2025);
        let s = sheets(&export_rubric(&r).unwrap());
        let back = parse_rubric_xlsx(&workbook(&s), r.kind, r.year, r.version, &r.name);
        assert_eq!(back, Ok(r));
    }

    #[test]
    fn a_bad_parameter_cell_names_its_row_and_column() {
        let errs = edited(|s| {
            let i = row_of(s, "1.2");
            s[0].1[i][c::PARAMS] = "目标 九成".into();
        });
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].column, "参数");
        assert_eq!(errs[0].row, 3);
        assert!(errs[0].reason.contains("应写成百分数"), "{}", errs[0]);
    }

    #[test]
    fn an_unknown_method_or_unit_or_source_is_refused() {
        let errs = edited(|s| {
            let i = row_of(s, "1.3");
            s[0].1[i][c::METHOD] = "AVG".into();
            s[0].1[i][c::SOURCE] = "平台自动取数:no_such_figure".into();
            let j = row_of(s, "2.2");
            s[0].1[j][c::UNIT] = "公斤".into();
        });
        let cols: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            cols,
            [(4, "方法"), (4, "数据来源"), (6, "单位")],
            "{errs:?}"
        );
        assert!(errs[0].reason.contains("AVG"));
        assert!(errs[1].reason.contains("no_such_figure"));
    }

    #[test]
    fn points_that_do_not_add_up_are_named_at_their_row_and_column() {
        let errs = edited(|s| {
            let i = row_of(s, "1.2");
            s[0].1[i][c::MAX] = "3".into();
        });
        // Rule 1.2 (LIN) now tops out at 3 while its indicator says 4.
        assert!(
            errs.iter().any(|e| e.row == 3
                && e.column == "指标分值"
                && e.reason.contains("与指标分值 4 分不符")),
            "{errs:?}"
        );
        let errs = edited(|s| {
            let i = row_of(s, "4.1");
            s[0].1[i][c::IND_MAX] = "4".into();
        });
        assert!(
            errs.iter()
                .any(|e| e.row == 12 && e.column == "指标分值" && e.reason.contains("不符")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.column == "维度分值" && e.reason.contains("D4")),
            "{errs:?}"
        );
        for e in &errs {
            assert!(e.row > 0, "{e}");
        }
    }

    #[test]
    fn small_sheets_name_themselves_and_missing_sheets_are_one_error() {
        let errs = edited(|s| {
            s[1].1[1][it::EACH] = "x".into();
            s[2].1[1][1] = "-".into();
        });
        let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(cols, ["加减分与否决／每项分值", "等级／最低分"], "{errs:?}");
        let errs = edited(|s| {
            s.remove(2);
        });
        assert_eq!(errs.len(), 1);
        assert!(errs[0].reason.contains("「等级」"));
        assert_eq!(
            parse_rubric_xlsx(b"not excel", RubricKind::Zone, 2025, 1, "x").unwrap_err()[0].reason,
            NOT_XLSX
        );
    }

    #[test]
    fn bands_out_of_order_are_placed_on_the_bands_sheet() {
        let errs = edited(|s| {
            s[2].1[2][1] = "95".into();
        });
        assert!(
            errs.iter()
                .any(|e| e.column == "等级／最低分" && e.row == 3),
            "{errs:?}"
        );
    }
}
