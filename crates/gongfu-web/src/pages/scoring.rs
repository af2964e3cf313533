//! 评分奖补 (issue 9) pages: the hub (`/scoring`, the ranked list of a year's zones or teams with
//! the eight dimensions, grades, status and year-on-year change) and the scorecard
//! (`/scoring/{kind}/{year}/{subject}`: radar chart, every indicator's rules with value,
//! points, explanation and source, and — while 经办 — the forms that enter manual values, the
//! bonus / penalty / veto items and move the status). Every write goes through
//! `gongfu_store::scoring`, which checks roles, the 经办 → 复核 → 审批 flow and separation of
//! duties; the pages only show what it says. The award list pages are in `awards`.

use super::radar::{Axis, radar_svg};
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::{RequestActor, file_response};
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::auth::Role;
use gongfu_core::scoring::{Input, Method, Points, Rating, Ratio, RubricKind, Rule, Source, Unit};
use gongfu_store::Actor;
use gongfu_store::scoring::{
    Assessed, AssessmentItems, AssessmentStatus, Counted, EntryInput, Evidence, kind_key,
    parse_kind, subject_names,
};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scoring", get(hub))
        .route("/api/v1/scores.xlsx", get(ranking_xlsx))
        .route("/scoring/{kind}/{year}/{subject}", get(card))
        .route(
            "/scoring/{kind}/{year}/{subject}/entries/{key}",
            post(entry_submit),
        )
        .route("/scoring/{kind}/{year}/{subject}/items", post(items_submit))
        .route(
            "/scoring/{kind}/{year}/{subject}/status",
            post(status_submit),
        )
}

/// The tag colour of a grade (等级).
pub(crate) fn rating_class(r: Rating, vetoed: bool) -> &'static str {
    if vetoed {
        return "bad";
    }
    match r {
        Rating::Excellent => "ok",
        Rating::Good => "good",
        Rating::Pass => "warn",
        Rating::Fail => "bad",
    }
}

fn status_class(s: AssessmentStatus) -> &'static str {
    match s {
        AssessmentStatus::Entering => "muted",
        AssessmentStatus::Reviewed => "warn",
        AssessmentStatus::Approved => "ok",
    }
}

/// 已审批 rather than the bare 审批 of the stored label: on a page it is a state, not a step.
fn status_text(s: AssessmentStatus) -> &'static str {
    match s {
        AssessmentStatus::Entering => "经办",
        AssessmentStatus::Reviewed => "已复核",
        AssessmentStatus::Approved => "已审批",
    }
}

fn kind_label(k: RubricKind) -> &'static str {
    match k {
        RubricKind::Zone => "片区",
        RubricKind::Team => "运营团队",
    }
}

/// A year-on-year change with its sign, one decimal: 「+2.5」, 「-0.3」, 「0.0」.
fn change_text(c: Option<Points>) -> String {
    match c {
        None => "—".into(),
        Some(p) if p.0 > 0 => format!("+{}", p.one_decimal_string()),
        Some(p) => p.one_decimal_string(),
    }
}

/// The year shown when none is asked for: this year once anything of it is assessed, else the
/// year before (assessments happen after the year ends).
async fn default_year(st: &AppState, kind: RubricKind) -> Result<i32, ApiError> {
    let this = st.today().year();
    if !st.store.assessments(kind, this).await?.is_empty() {
        Ok(this)
    } else {
        Ok(this - 1)
    }
}

fn year_param(s: &Option<String>) -> Option<i32> {
    s.as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
}

// ---------------------------------------------------------------- hub

#[derive(Deserialize, Default)]
pub struct HubQuery {
    pub year: Option<String>,
    pub kind: Option<String>,
}

pub struct HubRow {
    pub position: usize,
    pub id: i64,
    pub name: String,
    pub total: String,
    pub total_hundredths: i64,
    pub grade: &'static str,
    pub grade_class: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    pub change: String,
    pub change_class: &'static str,
    pub vetoed: bool,
    pub dims: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "scoring_hub.html")]
pub struct HubPage {
    pub layout: Layout,
    pub year: i32,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub years: Vec<i32>,
    /// Dimension names (zones only), the columns after 总分.
    pub dims: Vec<String>,
    pub rows: Vec<HubRow>,
    pub approved: usize,
    pub pending: usize,
    pub average: String,
    pub vetoed: usize,
}

/// The kind (片区 by default) and year (this year if anything is assessed, else last) asked.
async fn kind_and_year(st: &AppState, q: &HubQuery) -> Result<(RubricKind, i32), ApiError> {
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => parse_kind(k).map_err(|e| ApiError::invalid(vec![e]))?,
        None => RubricKind::Zone,
    };
    let year = match year_param(&q.year) {
        Some(y) => y,
        None => default_year(st, kind).await?,
    };
    Ok((kind, year))
}

/// `GET /api/v1/scores.xlsx?year=&kind=`: the hub's ranking as a workbook.
pub async fn ranking_xlsx(
    State(st): State<AppState>,
    Query(q): Query<HubQuery>,
) -> Result<Response, ApiError> {
    let (kind, year) = kind_and_year(&st, &q).await?;
    let names = subject_names(&st.store.scoring_subjects(kind).await?);
    let list = st.store.score_list(kind, year).await?;
    let lines: Vec<gongfu_io::ranking_xlsx::RankingLine> = list
        .iter()
        .map(|r| gongfu_io::ranking_xlsx::RankingLine {
            ranked: &r.ranked,
            name: names.get(&r.assessed.subject).map_or("", String::as_str),
            card: &r.assessed.card,
            status: status_text(r.assessed.status),
        })
        .collect();
    let title = format!("{year}年度{}评分", kind_label(kind));
    let bytes =
        gongfu_io::ranking_xlsx::export_ranking(&title, &lines).map_err(crate::api::io_err)?;
    Ok(crate::api::xlsx_response(
        bytes,
        &format!("{title}排名.xlsx"),
    ))
}

pub async fn hub(
    State(st): State<AppState>,
    Query(q): Query<HubQuery>,
) -> Result<HubPage, PageError> {
    let (kind, year) = kind_and_year(&st, &q).await?;
    let names = subject_names(&st.store.scoring_subjects(kind).await?);
    let list = st.store.score_list(kind, year).await?;
    let zone = kind == RubricKind::Zone;
    let dims = if zone {
        list.first()
            .map(|r| {
                r.assessed
                    .card
                    .dimensions
                    .iter()
                    .map(|d| d.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let rows: Vec<HubRow> = list
        .iter()
        .map(|r| {
            let a = &r.assessed;
            let c = r.ranked.change;
            HubRow {
                position: r.ranked.position,
                id: a.subject,
                name: names.get(&a.subject).cloned().unwrap_or_default(),
                total: a.card.total.one_decimal_string(),
                total_hundredths: a.card.total.0,
                grade: a.card.rating.label(),
                grade_class: rating_class(a.card.rating, a.card.vetoed()),
                status: status_text(a.status),
                status_class: status_class(a.status),
                change: change_text(c),
                change_class: match c {
                    Some(p) if p.0 > 0 => "up",
                    Some(p) if p.0 < 0 => "down",
                    _ => "",
                },
                vetoed: a.card.vetoed(),
                dims: if zone {
                    a.card
                        .dimensions
                        .iter()
                        .map(|d| d.points.hundredths_string())
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let approved = list
        .iter()
        .filter(|r| r.assessed.status == AssessmentStatus::Approved)
        .count();
    // The mean of the totals, floored to 0.01 like every score, shown to one decimal.
    let average = if rows.is_empty() {
        "—".to_string()
    } else {
        let sum: i64 = rows.iter().map(|r| r.total_hundredths).sum();
        Points(sum.div_euclid(rows.len() as i64)).one_decimal_string()
    };
    let vetoed = rows.iter().filter(|r| r.vetoed).count();
    let snap = st.store.snapshot().await?;
    let now = st.today().year();
    Ok(HubPage {
        layout: Layout::new(format!("{year} 年度评分"), "scoring", snap.is_demo),
        year,
        kind: kind_key(kind),
        kind_label: kind_label(kind),
        years: ((now - 4)..=now).rev().collect(),
        dims,
        pending: rows.len() - approved,
        rows,
        approved,
        average,
        vetoed,
    })
}

// ---------------------------------------------------------------- scorecard

/// A manual rule's form, as the page shows it again after a failed save.
#[derive(Default, Clone)]
pub struct EntryForm {
    /// STEP / LIN number, REL value, GRADE mark or BIN 是 / 否, as typed.
    pub value: String,
    pub covered: String,
    pub total: String,
    pub benchmark: String,
    pub evidence: String,
    pub comment: String,
    pub errors: Vec<(String, String)>,
}

error_for!(EntryForm);

pub struct RuleView {
    pub key: String,
    pub label: String,
    pub method: &'static str,
    pub value: String,
    pub points: String,
    pub max: String,
    pub explanation: String,
    pub rounding: &'static str,
    pub platform: bool,
    pub formula: String,
    /// Source records: (text, link or empty).
    pub sources: Vec<(String, String)>,
    /// Manual: who entered it and when, the evidence and the comment.
    pub entered: String,
    pub evidence: String,
    pub comment: String,
    /// The entry form (manual rules, while 经办, for someone who may enter).
    pub form: Option<EntryForm>,
    /// What the form asks for: `number`, `ratio`, `compared`, `mark`, `yes`.
    pub input: &'static str,
    /// The unit the number is typed in (「%」, 「万元」, 「个」 …).
    pub unit: &'static str,
    /// GRADE marks: (mark, 「A（100%）：…」).
    pub marks: Vec<(String, String)>,
}

pub struct IndicatorView {
    pub id: String,
    pub name: String,
    pub points: String,
    pub max: String,
    pub department: String,
    pub evidence_required: bool,
    pub missing: bool,
    pub rules: Vec<RuleView>,
}

pub struct DimensionView {
    pub id: String,
    pub name: String,
    pub points: String,
    pub max: String,
    pub indicators: Vec<IndicatorView>,
}

/// A bonus, penalty or veto line of the card and its form field.
pub struct ItemView {
    pub id: String,
    pub label: String,
    pub count: u32,
    pub points: String,
    pub note: String,
    pub reason: String,
    /// Vetoes: whether it applies.
    pub on: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "scoring_card.html")]
pub struct CardPage {
    pub layout: Layout,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub year: i32,
    pub subject: i64,
    pub name: String,
    pub total: String,
    pub max: String,
    pub base: String,
    pub bonus_total: String,
    pub penalty_total: String,
    pub grade: &'static str,
    pub grade_class: &'static str,
    pub vetoed: bool,
    pub status: &'static str,
    pub status_class: &'static str,
    pub rubric_version: u32,
    /// 「已审批，数据已冻结于 …」 when approved.
    pub frozen_note: String,
    pub people: String,
    pub radar: String,
    pub has_last: bool,
    pub dimensions: Vec<DimensionView>,
    pub bonus: Vec<ItemView>,
    pub penalties: Vec<ItemView>,
    pub vetoes: Vec<ItemView>,
    pub version: i64,
    /// 加分、扣分、否决 form and status buttons: an administrator.
    pub admin: bool,
    /// Still 经办: values and items may change.
    pub entering: bool,
    /// Status moves: (status key, button text, needs a reason).
    pub moves: Vec<(&'static str, &'static str, bool)>,
    /// Why a write was refused, shown at the top.
    pub messages: Vec<String>,
    pub items_errors: Vec<(String, String)>,
}

impl CardPage {
    pub fn items_error(&self, field: &str) -> String {
        super::errors_for(&self.items_errors, field)
    }
}

/// Whether `actor` may enter values of an indicator of `dept` — the store's rule, for showing
/// the forms only (it checks again, with the town's exact zones).
fn may_enter(actor: &Actor, kind: RubricKind, dept: &str) -> bool {
    match &actor.role {
        Role::Admin => true,
        Role::Department { unit } => unit.trim() == dept.trim(),
        Role::Town { .. } => kind == RubricKind::Zone,
        _ => false,
    }
}

fn unit_word(u: Unit) -> &'static str {
    match u {
        Unit::Percent => "%",
        Unit::Fen => "万元",
        Unit::Count => "个",
        Unit::Persons => "人",
        Unit::PersonTimes => "人次",
        Unit::Items => "项",
        Unit::SquareMetres => "平方米",
    }
}

/// A value with its unit, as the card shows it.
fn value_text(v: Option<&Input>, unit: Unit) -> String {
    match v {
        None => "未填报".into(),
        Some(Input::Number(n)) => unit.show(*n),
        Some(Input::Ratio(r)) => format!("{} / {}", r.covered(), r.total()),
        Some(Input::Compared { value, benchmark }) => format!(
            "{}（对标 {}）",
            Unit::Percent.show(*value),
            Unit::Percent.show(*benchmark)
        ),
        Some(Input::Mark(m)) => m.label().to_string(),
        Some(Input::Yes(b)) => if *b { "是" } else { "否" }.to_string(),
    }
}

/// A number as typed in its unit's field (the unit is beside the field): 7200 bp → 「72」.
fn number_input(n: i64, unit: Unit) -> String {
    let t = gongfu_core::scoring::params::value_text(n, unit);
    t.trim_end_matches('%').trim_end_matches("万元").to_string()
}

/// The form of a stored value, for editing it.
fn form_of(input: Option<&Input>, unit: Unit, evidence: &str, comment: &str) -> EntryForm {
    let mut f = EntryForm {
        evidence: evidence.to_string(),
        comment: comment.to_string(),
        ..Default::default()
    };
    match input {
        Some(Input::Number(n)) => f.value = number_input(*n, unit),
        Some(Input::Ratio(r)) => {
            f.covered = r.covered().to_string();
            f.total = r.total().to_string();
        }
        Some(Input::Compared { value, benchmark }) => {
            f.value = number_input(*value, Unit::Percent);
            f.benchmark = number_input(*benchmark, Unit::Percent);
        }
        Some(Input::Mark(m)) => f.value = m.label().to_string(),
        Some(Input::Yes(b)) => f.value = if *b { "yes" } else { "no" }.to_string(),
        None => {}
    }
    f
}

fn input_kind(m: &Method) -> &'static str {
    match m {
        Method::Step { .. } | Method::Lin { .. } => "number",
        Method::Cov { .. } => "ratio",
        Method::Rel { .. } => "compared",
        Method::Grade { .. } => "mark",
        Method::Bin => "yes",
    }
}

/// A number typed in `unit`'s field; the unit is added when left out.
fn parse_number(s: &str, unit: Unit, field: &str) -> Result<i64, (String, String)> {
    let t = s.trim();
    if t.is_empty() {
        return Err((field.into(), "请填写数值".into()));
    }
    let with_unit = match unit {
        Unit::Percent if !t.ends_with(['%', '％']) => format!("{t}%"),
        Unit::Fen if !t.ends_with('元') && !t.ends_with('万') => format!("{t}万元"),
        _ => t.to_string(),
    };
    gongfu_core::scoring::params::parse_value(&with_unit, unit).map_err(|m| (field.into(), m))
}

fn parse_count(s: &str, field: &str, what: &str) -> Result<i64, (String, String)> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| (field.into(), format!("{what}「{}」应为非负整数", s.trim())))
}

/// The typed value of a rule's form, or the field errors naming what is wrong.
fn parse_entry(rule: &Rule, f: &EntryForm) -> Result<Input, Vec<(String, String)>> {
    let one = |r: Result<Input, (String, String)>| r.map_err(|e| vec![e]);
    match &rule.method {
        Method::Step { .. } | Method::Lin { .. } => {
            one(parse_number(&f.value, rule.unit, "value").map(Input::Number))
        }
        Method::Cov { .. } => {
            let c = parse_count(&f.covered, "covered", "覆盖数");
            let t = parse_count(&f.total, "total", "总数");
            match (c, t) {
                (Ok(c), Ok(t)) => Ratio::new(c, t)
                    .map(Input::Ratio)
                    .map_err(|e| vec![("covered".into(), e.message)]),
                (c, t) => Err([c.err(), t.err()].into_iter().flatten().collect()),
            }
        }
        Method::Rel { .. } => {
            let v = parse_number(&f.value, Unit::Percent, "value");
            let b = parse_number(&f.benchmark, Unit::Percent, "benchmark");
            match (v, b) {
                (Ok(value), Ok(benchmark)) => Ok(Input::Compared { value, benchmark }),
                (v, b) => Err([v.err(), b.err()].into_iter().flatten().collect()),
            }
        }
        Method::Grade { levels } => {
            let t = f.value.trim();
            levels
                .iter()
                .find(|l| l.mark.label() == t)
                .map(|l| Input::Mark(l.mark))
                .ok_or_else(|| {
                    let allowed: Vec<&str> = levels.iter().map(|l| l.mark.label()).collect();
                    vec![(
                        "value".into(),
                        format!("请选择等级（{}）", allowed.join("/")),
                    )]
                })
        }
        Method::Bin => match f.value.trim() {
            "yes" | "是" => Ok(Input::Yes(true)),
            "no" | "否" => Ok(Input::Yes(false)),
            _ => Err(vec![("value".into(), "请选择 是 或 否".into())]),
        },
    }
}

/// The page of a source record, where the platform has one.
fn source_link(kind: &str, id: i64) -> (String, String) {
    let (label, base) = match kind {
        "village_year" => ("村年度数据", Some("/villages")),
        "project" => ("项目", Some("/projects")),
        "meeting" => ("会议", Some("/meetings")),
        "entity" => ("股权主体", Some("/equity")),
        "chain" => ("产业链", Some("/chains")),
        "facility" => ("设施", Some("/facilities")),
        "entrepreneur" => ("人才", None),
        "kpi" => ("运营指标", None),
        "element" => ("共富要素", None),
        "training" => ("培训", None),
        other => (other, None),
    };
    (
        format!("{label} {id}"),
        base.map(|b| format!("{b}/{id}")).unwrap_or_default(),
    )
}

/// What a failed post brings back to the page.
#[derive(Default)]
pub struct Filled {
    /// The entry form of one rule, as typed, with its errors.
    pub entry: Option<(String, EntryForm)>,
    pub items_errors: Vec<(String, String)>,
    pub messages: Vec<String>,
}

fn items_of(
    card_items: &[gongfu_core::scoring::ItemScore],
    stored: &BTreeMap<String, Counted>,
) -> Vec<ItemView> {
    card_items
        .iter()
        .map(|i| ItemView {
            id: i.id.clone(),
            label: i.label.clone(),
            count: i.count,
            points: i.points.hundredths_string(),
            note: i.note.clone(),
            reason: stored
                .get(&i.id)
                .map(|c| c.reason.clone())
                .unwrap_or_default(),
            on: i.count > 0,
        })
        .collect()
}

async fn subject_name(st: &AppState, kind: RubricKind, subject: i64) -> Result<String, ApiError> {
    subject_names(&st.store.scoring_subjects(kind).await?)
        .remove(&subject)
        .ok_or_else(|| ApiError::not_found(format!("{} {subject} 不存在", kind_label(kind))))
}

fn kind_param(kind: &str) -> Result<RubricKind, ApiError> {
    parse_kind(kind).map_err(|e| ApiError::invalid(vec![e]))
}

pub(super) async fn card_page(
    st: &AppState,
    actor: &Actor,
    kind: RubricKind,
    year: i32,
    subject: i64,
    filled: Filled,
) -> Result<CardPage, PageError> {
    let name = subject_name(st, kind, subject).await?;
    let a = st.store.assessed(kind, year, subject).await?;
    let last = st.store.assessment(kind, year - 1, subject).await?;
    let last: Option<Assessed> = match last {
        Some(r) if r.status == AssessmentStatus::Approved => {
            Some(st.store.assessed(kind, year - 1, subject).await?)
        }
        _ => None,
    };
    let axes = |c: &gongfu_core::scoring::Scorecard| -> Vec<Axis> {
        c.dimensions
            .iter()
            .map(|d| Axis {
                label: d.name.clone(),
                points: d.points.0,
                max: d.max.0,
            })
            .collect()
    };
    let now_axes = axes(&a.card);
    let last_axes = last.as_ref().map(|l| axes(&l.card));
    let radar = radar_svg(
        &format!("{name} {year} 年度各维度得分"),
        &now_axes,
        last_axes.as_deref(),
    );
    let entering = !a.frozen && a.status == AssessmentStatus::Entering;
    let admin = matches!(actor.role, Role::Admin);
    let entries: BTreeMap<&str, &gongfu_store::scoring::Entry> =
        a.entries.iter().map(|e| (e.rule_key.as_str(), e)).collect();
    let rules: BTreeMap<&str, (&gongfu_core::scoring::Indicator, &Rule)> = a
        .rubric
        .rules()
        .map(|(_, i, r)| (r.key.as_str(), (i, r)))
        .collect();
    let mut filled_entry = filled.entry;
    let dimensions = a
        .card
        .dimensions
        .iter()
        .map(|d| DimensionView {
            id: d.id.clone(),
            name: d.name.clone(),
            points: d.points.hundredths_string(),
            max: d.max.hundredths_string(),
            indicators: d
                .indicators
                .iter()
                .map(|i| IndicatorView {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    points: i.points.hundredths_string(),
                    max: i.max.hundredths_string(),
                    department: i.department.clone(),
                    evidence_required: i.evidence_required,
                    missing: i.missing,
                    rules: i
                        .rules
                        .iter()
                        .map(|r| {
                            let rule = rules.get(r.key.as_str()).map(|(_, r)| *r);
                            let unit = rule.map_or(Unit::Count, |r| r.unit);
                            let platform = matches!(r.source, Source::Platform(_));
                            let m = a.figures.get(&r.key);
                            let e = entries.get(r.key.as_str());
                            let form =
                                (!platform && entering && may_enter(actor, kind, &i.department))
                                    .then(|| match filled_entry.take_if(|(k, _)| *k == r.key) {
                                        Some((_, f)) => f,
                                        None => form_of(
                                            r.value.as_ref(),
                                            unit,
                                            e.map(|e| e.evidence.text.as_str()).unwrap_or(""),
                                            e.map(|e| e.comment.as_str()).unwrap_or(""),
                                        ),
                                    });
                            let marks = match rule.map(|r| &r.method) {
                                Some(Method::Grade { levels }) => levels
                                    .iter()
                                    .map(|l| {
                                        (
                                            l.mark.label().to_string(),
                                            format!(
                                                "{}（{}）{}",
                                                l.mark.label(),
                                                gongfu_core::scoring::params::value_text(
                                                    l.share_bp,
                                                    Unit::Percent
                                                ),
                                                if l.meaning.is_empty() {
                                                    String::new()
                                                } else {
                                                    format!("：{}", l.meaning)
                                                }
                                            ),
                                        )
                                    })
                                    .collect(),
                                _ => Vec::new(),
                            };
                            RuleView {
                                key: r.key.clone(),
                                label: r.label.clone(),
                                method: r.method.as_str(),
                                value: value_text(r.value.as_ref(), unit),
                                points: r.points.hundredths_string(),
                                max: r.max.hundredths_string(),
                                explanation: r.explanation.clone(),
                                rounding: r.rounding(),
                                platform,
                                formula: m.map(|m| m.formula.clone()).unwrap_or_default(),
                                sources: m
                                    .map(|m| {
                                        m.sources
                                            .iter()
                                            .map(|s| source_link(&s.kind, s.id))
                                            .collect()
                                    })
                                    .unwrap_or_default(),
                                entered: e
                                    .map(|e| {
                                        format!(
                                            "{} 于 {} 填报",
                                            e.entered_by,
                                            gongfu_core::village::date_string(e.entered_on)
                                        )
                                    })
                                    .unwrap_or_default(),
                                evidence: e
                                    .map(|e| {
                                        let mut v = vec![e.evidence.text.clone()];
                                        v.extend(e.evidence.links.iter().cloned());
                                        v.extend(
                                            e.evidence
                                                .attachments
                                                .iter()
                                                .map(|x| format!("附件 {x}")),
                                        );
                                        v.retain(|s| !s.trim().is_empty());
                                        v.join("；")
                                    })
                                    .unwrap_or_default(),
                                comment: e.map(|e| e.comment.clone()).unwrap_or_default(),
                                form,
                                input: rule.map_or("number", |r| input_kind(&r.method)),
                                unit: unit_word(unit),
                                marks,
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let rec = a.assessment.as_ref();
    let version = rec.map_or(0, |r| r.version);
    let frozen_note = match rec.and_then(|r| r.approved_on.map(|d| (d, r.approved_by.clone()))) {
        Some((d, by)) if a.frozen => format!(
            "已审批，数据已冻结于 {}（审批人：{}）；之后业务记录的变动不影响本评分。如需修改须由区管理员说明原因重新打开。",
            gongfu_core::village::date_string(d),
            by.unwrap_or_default()
        ),
        _ => String::new(),
    };
    let mut people = Vec::new();
    if let Some(r) = rec {
        if !r.enterers.is_empty() {
            people.push(format!("经办：{}", r.enterers.join("、")));
        }
        if let Some(b) = &r.reviewed_by {
            people.push(format!("复核：{b}"));
        }
        if let Some(b) = &r.approved_by {
            people.push(format!("审批：{b}"));
        }
    }
    let moves: Vec<(&'static str, &'static str, bool)> = if !admin || rec.is_none() {
        Vec::new()
    } else {
        match a.status {
            AssessmentStatus::Entering => vec![("reviewed", "提交复核（复核通过）", false)],
            AssessmentStatus::Reviewed => vec![
                ("approved", "审批通过", false),
                ("entering", "退回经办", true),
            ],
            AssessmentStatus::Approved => vec![("entering", "重新打开", true)],
        }
    };
    let snap = st.store.snapshot().await?;
    Ok(CardPage {
        layout: Layout::new(format!("{name} {year} 年度评分"), "scoring", snap.is_demo),
        kind: kind_key(kind),
        kind_label: kind_label(kind),
        year,
        subject,
        name,
        total: a.card.total.one_decimal_string(),
        max: a.card.max.short_string(),
        base: a.card.base.hundredths_string(),
        bonus_total: a.card.bonus_total.hundredths_string(),
        penalty_total: a.card.penalty_total.hundredths_string(),
        grade: a.card.rating.label(),
        grade_class: rating_class(a.card.rating, a.card.vetoed()),
        vetoed: a.card.vetoed(),
        status: status_text(a.status),
        status_class: status_class(a.status),
        rubric_version: a.rubric.version,
        frozen_note,
        people: people.join("；"),
        radar,
        has_last: last_axes.is_some(),
        dimensions,
        bonus: items_of(&a.card.bonus, &a.items.bonus),
        penalties: items_of(&a.card.penalties, &a.items.penalties),
        vetoes: a
            .card
            .vetoes
            .iter()
            .map(|v| ItemView {
                id: v.id.clone(),
                label: v.label.clone(),
                count: v.count,
                points: String::new(),
                note: v.note.clone(),
                reason: a.items.vetoes.get(&v.id).cloned().unwrap_or_default(),
                on: a.items.vetoes.contains_key(&v.id),
            })
            .collect(),
        version,
        admin,
        entering,
        moves,
        messages: filled.messages,
        items_errors: filled.items_errors,
    })
}

pub async fn card(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((kind, year, subject)): Path<(String, i32, i64)>,
) -> Result<CardPage, PageError> {
    let kind = kind_param(&kind)?;
    card_page(&st, &actor, kind, year, subject, Filled::default()).await
}

fn card_url(kind: RubricKind, year: i32, subject: i64) -> String {
    format!("/scoring/{}/{year}/{subject}", kind_key(kind))
}

async fn again(
    st: &AppState,
    actor: &Actor,
    kind: RubricKind,
    year: i32,
    subject: i64,
    status: StatusCode,
    filled: Filled,
) -> Result<Response, PageError> {
    Ok((
        status,
        card_page(st, actor, kind, year, subject, filled).await?,
    )
        .into_response())
}

/// 填报: one manual rule's value, evidence and comment. Back to the card at the rule on success;
/// the card again with the form as typed and its errors otherwise.
pub async fn entry_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((kind, year, subject, key)): Path<(String, i32, i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let kind = kind_param(&kind)?;
    if !matches!(
        actor.role,
        Role::Admin | Role::Department { .. } | Role::Town { .. }
    ) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "评分数值由责任单位或区管理员填报",
        )
        .into());
    }
    let p = form_pairs(&body);
    let mut f = EntryForm {
        value: form_value(&p, "value"),
        covered: form_value(&p, "covered"),
        total: form_value(&p, "total"),
        benchmark: form_value(&p, "benchmark"),
        evidence: form_value(&p, "evidence"),
        comment: form_value(&p, "comment"),
        errors: Vec::new(),
    };
    let version: i64 = form_value(&p, "version").trim().parse().unwrap_or(0);
    let a = st.store.assessed(kind, year, subject).await?;
    let rule = a
        .rubric
        .rules()
        .find(|(_, _, r)| r.key == key)
        .map(|(_, _, r)| r.clone());
    let Some(rule) = rule else {
        return Err(ApiError::not_found(format!("评分细则中没有规则「{key}」")).into());
    };
    let r = match parse_entry(&rule, &f) {
        Err(errs) => Err((StatusCode::UNPROCESSABLE_ENTITY, errs)),
        Ok(input) => {
            let entry = EntryInput {
                input,
                evidence: Evidence {
                    text: f.evidence.trim().to_string(),
                    ..Default::default()
                },
                comment: f.comment.clone(),
            };
            st.store
                .put_score_entry(
                    &actor,
                    kind,
                    year,
                    subject,
                    &key,
                    &entry,
                    version,
                    st.today(),
                )
                .await
                .map_err(|e| {
                    let e = ApiError::from(e);
                    (error_status(&e), field_errors(e))
                })
        }
    };
    match r {
        Ok(_) => Ok(
            Redirect::to(&format!("{}#rule-{key}", card_url(kind, year, subject))).into_response(),
        ),
        Err((status, errs)) => {
            // The store names `values.<key>` / `evidence.<key>`; the form's fields are plain.
            f.errors = errs
                .into_iter()
                .map(|(field, m)| {
                    let field = if field.starts_with("evidence") {
                        "evidence".to_string()
                    } else if field.starts_with("values") {
                        "value".to_string()
                    } else {
                        field
                    };
                    (field, m)
                })
                .collect();
            let filled = Filled {
                entry: Some((key, f)),
                ..Default::default()
            };
            again(&st, &actor, kind, year, subject, status, filled).await
        }
    }
}

/// 加分项、扣分项、否决项: the counts with their reasons, replacing the assessment's items.
pub async fn items_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((kind, year, subject)): Path<(String, i32, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let kind = kind_param(&kind)?;
    admin_only(&actor)?;
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").trim().parse().unwrap_or(0);
    let a = st.store.assessed(kind, year, subject).await?;
    let mut items = AssessmentItems::default();
    let mut errs = Vec::new();
    let counted = |prefix: &str, id: &str, errs: &mut Vec<(String, String)>| {
        let field = format!("{prefix}.{id}");
        let raw = form_value(&p, &format!("{field}.count"));
        let reason = form_value(&p, &format!("{field}.reason"))
            .trim()
            .to_string();
        let n = if raw.trim().is_empty() {
            0
        } else {
            match raw.trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    errs.push((field.clone(), format!("次数「{}」应为非负整数", raw.trim())));
                    0
                }
            }
        };
        (n > 0).then_some(Counted { count: n, reason })
    };
    for b in &a.rubric.bonus {
        if let Some(c) = counted("bonus", &b.id, &mut errs) {
            items.bonus.insert(b.id.clone(), c);
        }
    }
    for b in &a.rubric.penalties {
        if let Some(c) = counted("penalties", &b.id, &mut errs) {
            items.penalties.insert(b.id.clone(), c);
        }
    }
    for v in &a.rubric.vetoes {
        if form_value(&p, &format!("vetoes.{}", v.id)) == "on" {
            items.vetoes.insert(
                v.id.clone(),
                form_value(&p, &format!("vetoes.{}.reason", v.id))
                    .trim()
                    .to_string(),
            );
        }
    }
    let r = if errs.is_empty() {
        st.store
            .put_score_items(&actor, kind, year, subject, &items, version)
            .await
            .map_err(|e| {
                let e = ApiError::from(e);
                (error_status(&e), field_errors(e))
            })
    } else {
        Err((StatusCode::UNPROCESSABLE_ENTITY, errs))
    };
    match r {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}#items", card_url(kind, year, subject))).into_response())
        }
        Err((status, errs)) => {
            let messages = errs.iter().map(|(_, m)| m.clone()).collect();
            let filled = Filled {
                items_errors: errs,
                messages,
                ..Default::default()
            };
            again(&st, &actor, kind, year, subject, status, filled).await
        }
    }
}

fn admin_only(actor: &Actor) -> Result<(), PageError> {
    if matches!(actor.role, Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "加分、扣分、否决与评分复核、审批由区管理员办理",
        )
        .into())
    }
}

/// 提交复核 / 审批通过 / 退回 / 重新打开. A refusal (separation of duties, a missing reason, a
/// stale version) is shown at the top of the card.
pub async fn status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((kind, year, subject)): Path<(String, i32, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let kind = kind_param(&kind)?;
    admin_only(&actor)?;
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").trim().parse().unwrap_or(0);
    let reason = form_value(&p, "reason");
    let r = async {
        let to = AssessmentStatus::parse(&form_value(&p, "status"), "status")
            .map_err(|e| ApiError::invalid(vec![e]))?;
        st.store
            .set_assessment_status(
                &actor,
                kind,
                year,
                subject,
                to,
                version,
                &reason,
                st.today(),
            )
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&card_url(kind, year, subject)).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let messages = field_errors(e).into_iter().map(|(_, m)| m).collect();
            let filled = Filled {
                messages,
                ..Default::default()
            };
            again(&st, &actor, kind, year, subject, status, filled).await
        }
    }
}

/// `GET /api/v1/scores/{kind}/{year}/{subject}.pdf`: the scorecard as an A4 PDF.
pub async fn scorecard_pdf(
    st: &AppState,
    kind: RubricKind,
    year: i32,
    subject: i64,
) -> Result<Response, ApiError> {
    let name = subject_name(st, kind, subject).await?;
    let a = st.store.assessed(kind, year, subject).await?;
    let snap = st.store.snapshot().await?;
    let bytes = gongfu_io::scoring_pdf::scorecard_pdf(&a.card, &name, snap.is_demo);
    Ok(file_response(
        bytes,
        "application/pdf",
        &format!("{name}-{year}年度评分表.pdf"),
        false,
    ))
}
