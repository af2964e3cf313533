//! 评分细则 pages (issue 9): the rubric of a year as officials read it (dimension → indicator
//! → rule with points, method, parameters, data source, department, evidence; bonus, penalty
//! and veto items; grade bands), its versions, the draft editor, publishing, and the workbook
//! in and out. Everyone signed in reads; the district administrator writes (the store checks).
//!
//! The editor starts from the stored draft and changes only the editable cells: parameters
//! are read by `gongfu_core::scoring::parse_params` in the rule's unit, then the whole rubric
//! by `Rubric::validate`, whose field paths are mapped back to the form's inputs so every
//! message stands beside its rule.

use super::Layout;
use super::villages::messages;
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::rubric_xlsx_api::{kind_label, run_rubric_import};
use crate::work_xlsx_api::refused;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::DomainError;
use gongfu_core::scoring::{
    MethodCode, Points, Rubric, RubricKind, Source, params_text, parse_params, parse_points,
};
use gongfu_core::village::date_string;
use gongfu_store::scoring::{RubricStatus, RubricVersion, kind_key, parse_kind};
use gongfu_store::work::import::{ImportRowError, WorkImportReport};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scoring/rubrics", get(page))
        .route("/scoring/rubrics/{year}/drafts", post(create_draft))
        .route(
            "/scoring/rubrics/{year}/versions/{n}/edit",
            get(edit_form).post(edit_submit),
        )
        .route(
            "/scoring/rubrics/{year}/versions/{n}/publish",
            post(publish_submit),
        )
        .route("/scoring/rubrics/{year}/import", post(import_submit))
}

#[derive(Deserialize, Default)]
pub struct RubricQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

fn kind_of(k: Option<&str>) -> Result<RubricKind, ApiError> {
    parse_kind(k.unwrap_or("")).map_err(|e| ApiError::invalid(vec![e]))
}

fn year_of(y: Option<&str>, this_year: i32) -> Result<i32, ApiError> {
    match y.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(this_year),
        Some(t) => t
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| {
                ApiError::invalid(vec![DomainError::new(
                    "invalid_year",
                    "year",
                    format!("年度「{t}」无效：应为四位年份，如 2025"),
                )])
            }),
    }
}

fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "只有区管理员可以修改评分细则",
    )
}

/// The page's own address for a year, kind and (optionally) version.
fn page_url(year: i32, kind: RubricKind, version: Option<u32>) -> String {
    let mut u = format!("/scoring/rubrics?year={year}&kind={}", kind_key(kind));
    if let Some(n) = version {
        u.push_str(&format!("&version={n}"));
    }
    u
}

// ---------------------------------------------------------------- read

/// A rule as the page shows it.
pub struct RuleView {
    pub key: String,
    pub label: String,
    pub unit: &'static str,
    pub max: String,
    pub code: &'static str,
    pub method: &'static str,
    pub params: String,
    pub source: String,
    pub platform: bool,
}

pub struct IndicatorView {
    pub id: String,
    pub name: String,
    pub max: String,
    pub department: String,
    pub evidence: bool,
    /// 相加 / 取高, said only when there are several rules.
    pub combine: &'static str,
    pub rules: Vec<RuleView>,
}

pub struct DimensionView {
    pub id: String,
    pub name: String,
    pub max: String,
    pub indicators: Vec<IndicatorView>,
}

/// A bonus or penalty item: id, name, points each, cap (empty: none), exclusive group.
pub struct ItemView {
    pub id: String,
    pub label: String,
    pub each: String,
    pub cap: String,
    pub group: String,
}

pub struct RubricView {
    pub name: String,
    pub total: String,
    pub dimensions: Vec<DimensionView>,
    pub bonus_cap: String,
    pub bonus: Vec<ItemView>,
    pub penalties: Vec<ItemView>,
    pub vetoes: Vec<(String, String)>,
    /// (grade, minimum points).
    pub bands: Vec<(&'static str, String)>,
}

/// 数据来源 in words: 平台自动取数（what the figure is）or 人工填报.
fn source_words(s: Source) -> String {
    match s {
        Source::Manual => "人工填报".into(),
        Source::Platform(f) => format!("平台自动取数：{}", f.label()),
    }
}

/// The bonus items sharing `b`'s exclusive group, as officials read it (「与 B2 不叠加，取高者」);
/// the group's key itself is an identifier, not Chinese.
fn exclusive_with(r: &Rubric, b: &gongfu_core::scoring::BonusItem) -> String {
    let Some(g) = &b.group else {
        return String::new();
    };
    let others: Vec<&str> = r
        .bonus
        .iter()
        .filter(|o| o.id != b.id && o.group.as_ref() == Some(g))
        .map(|o| o.id.as_str())
        .collect();
    if others.is_empty() {
        String::new()
    } else {
        format!("与 {} 不叠加，取高者", others.join("、"))
    }
}

impl RubricView {
    fn of(r: &Rubric) -> RubricView {
        RubricView {
            name: r.name.clone(),
            total: r.total.short_string(),
            dimensions: r
                .dimensions
                .iter()
                .map(|d| DimensionView {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    max: d.max.short_string(),
                    indicators: d
                        .indicators
                        .iter()
                        .map(|i| IndicatorView {
                            id: i.id.clone(),
                            name: i.name.clone(),
                            max: i.max.short_string(),
                            department: i.department.clone(),
                            evidence: i.evidence_required,
                            combine: if i.rules.len() > 1 {
                                i.combine.label()
                            } else {
                                ""
                            },
                            rules: i
                                .rules
                                .iter()
                                .map(|r| RuleView {
                                    key: r.key.clone(),
                                    label: r.label.clone(),
                                    unit: r.unit.label(),
                                    max: r.max.short_string(),
                                    code: r.method.code().as_str(),
                                    method: r.method.code().label(),
                                    params: params_text(&r.method, r.unit),
                                    source: source_words(r.source),
                                    platform: matches!(r.source, Source::Platform(_)),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            bonus_cap: r.bonus_cap.short_string(),
            bonus: r
                .bonus
                .iter()
                .map(|b| ItemView {
                    id: b.id.clone(),
                    label: b.label.clone(),
                    each: b.points_each.short_string(),
                    cap: b.cap.short_string(),
                    group: exclusive_with(r, b),
                })
                .collect(),
            penalties: r
                .penalties
                .iter()
                .map(|p| ItemView {
                    id: p.id.clone(),
                    label: p.label.clone(),
                    each: p.points_each.short_string(),
                    cap: p.cap.map(|c| c.short_string()).unwrap_or_default(),
                    group: String::new(),
                })
                .collect(),
            vetoes: r
                .vetoes
                .iter()
                .map(|v| (v.id.clone(), v.label.clone()))
                .collect(),
            bands: r
                .bands
                .iter()
                .map(|b| (b.rating.label(), b.min.short_string()))
                .collect(),
        }
    }
}

/// A line of the versions list.
pub struct VersionRow {
    pub no: u32,
    pub status: &'static str,
    pub status_key: &'static str,
    pub created: String,
    pub published: String,
    pub note: String,
    pub version: i64,
    pub is_draft: bool,
    pub url: String,
    pub shown: bool,
}

impl VersionRow {
    fn of(v: &RubricVersion, shown: u32) -> VersionRow {
        // The platform's own writes (the shipped default) are named as such, not by their key.
        fn who(name: &str) -> &str {
            if name.starts_with("system:") {
                "系统（默认细则）"
            } else {
                name
            }
        }
        VersionRow {
            no: v.version_no,
            status: v.status.label(),
            status_key: v.status.key(),
            created: format!("{} · {}", who(&v.created_by), date_string(v.created_on)),
            published: match (&v.published_by, v.published_on) {
                (Some(by), Some(on)) => format!("{} · {}", who(by), date_string(on)),
                _ => String::new(),
            },
            note: v.note.clone(),
            version: v.version,
            is_draft: v.status == RubricStatus::Draft,
            url: page_url(v.year, v.kind, Some(v.version_no)),
            shown: v.version_no == shown,
        }
    }
}

/// The upload of a rubric workbook and its report.
#[derive(Default)]
pub struct ImportView {
    pub report: Option<WorkImportReport>,
    pub file_name: String,
    /// The checked file, hex-encoded, carried by 确认导入.
    pub data: String,
    /// The draft version the apply created.
    pub created: Option<u32>,
}

impl ImportView {
    pub fn can_apply(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.ok && !r.applied)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rubric_page.html")]
pub struct RubricPage {
    pub layout: Layout,
    pub year: i32,
    pub years: Vec<i32>,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub shown: VersionRow,
    pub in_force: u32,
    pub rubric: RubricView,
    pub versions: Vec<VersionRow>,
    /// The newest draft, if any: 编辑 leads there instead of making another.
    pub draft: Option<u32>,
    pub import: ImportView,
}

impl RubricPage {
    pub fn kind_url(&self, kind: &str) -> String {
        format!("/scoring/rubrics?year={}&kind={kind}", self.year)
    }
}

async fn rubric_page(
    st: &AppState,
    year: i32,
    kind: RubricKind,
    version: Option<u32>,
    import: ImportView,
) -> Result<RubricPage, ApiError> {
    let snap = st.store.snapshot().await?;
    let in_force = st.store.rubric_in_force(kind, year).await?;
    let versions = st.store.rubric_versions(kind, year).await?;
    let shown = match version {
        None => in_force.clone(),
        Some(n) => versions
            .iter()
            .find(|v| v.version_no == n)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("{year} 年度评分细则第 {n} 版不存在")))?,
    };
    let this_year = st.today().year();
    let mut years: Vec<i32> = (this_year - 2..=this_year + 1).collect();
    if !years.contains(&year) {
        years.push(year);
        years.sort();
    }
    let k = kind_label(kind);
    Ok(RubricPage {
        layout: Layout::new(format!("{year} 年度{k}评分细则"), "scoring", snap.is_demo),
        year,
        years,
        kind: kind_key(kind),
        kind_label: k,
        shown: VersionRow::of(&shown, shown.version_no),
        in_force: in_force.version_no,
        rubric: RubricView::of(&shown.rubric),
        versions: versions
            .iter()
            .rev()
            .map(|v| VersionRow::of(v, shown.version_no))
            .collect(),
        draft: versions
            .iter()
            .rev()
            .find(|v| v.status == RubricStatus::Draft)
            .map(|v| v.version_no),
        import,
    })
}

pub async fn page(
    State(st): State<AppState>,
    Query(q): Query<RubricQuery>,
) -> Result<RubricPage, PageError> {
    let year = year_of(q.year.as_deref(), st.today().year())?;
    let kind = kind_of(q.kind.as_deref())?;
    let version = q
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| ApiError::not_found(format!("评分细则版本「{v}」不存在")))
        })
        .transpose()?;
    Ok(rubric_page(&st, year, kind, version, ImportView::default()).await?)
}

#[derive(Deserialize, Default)]
pub struct KindQuery {
    #[serde(default)]
    kind: Option<String>,
}

/// 新建修订版（草案）: a copy of the version in force, then its editor.
pub async fn create_draft(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(year): Path<i32>,
    Query(q): Query<KindQuery>,
) -> Result<Redirect, PageError> {
    let kind = kind_of(q.kind.as_deref())?;
    let n = st
        .store
        .create_rubric_draft(&actor, kind, year, None, "", st.today())
        .await?;
    Ok(Redirect::to(&edit_url(year, kind, n)))
}

fn edit_url(year: i32, kind: RubricKind, n: u32) -> String {
    format!(
        "/scoring/rubrics/{year}/versions/{n}/edit?kind={}",
        kind_key(kind)
    )
}

pub async fn publish_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((year, n)): Path<(i32, u32)>,
    Query(q): Query<KindQuery>,
    body: Bytes,
) -> Result<Redirect, PageError> {
    let kind = kind_of(q.kind.as_deref())?;
    let pairs = super::form_pairs(&body);
    let version = super::form_value(&pairs, "version")
        .trim()
        .parse::<i64>()
        .unwrap_or(0);
    st.store
        .publish_rubric(&actor, kind, year, n, version, st.today())
        .await?;
    Ok(Redirect::to(&page_url(year, kind, None)))
}

fn one_error(reason: String) -> WorkImportReport {
    refused(vec![ImportRowError::new(0, "", "", reason)])
}

pub async fn import_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(year): Path<i32>,
    Query(q): Query<KindQuery>,
    form: Multipart,
) -> Result<Response, PageError> {
    let kind = kind_of(q.kind.as_deref())?;
    let super::ImportForm {
        mode,
        file_name,
        bytes,
    } = super::read_import_form(form).await?;
    let (report, created) = if bytes.is_empty() {
        (one_error("请先选择要上传的文件".into()), None)
    } else {
        match run_rubric_import(&st, &actor, kind, year, &bytes, mode == "apply", &file_name).await
        {
            Ok(r) => r,
            Err(e) if e.status == StatusCode::FORBIDDEN => return Err(e.into()),
            Err(e) => (one_error(messages(e).join("；")), None),
        }
    };
    let status = super::form_status(report.ok);
    let import = ImportView {
        data: if report.ok && !report.applied {
            super::hex_encode(&bytes)
        } else {
            String::new()
        },
        file_name,
        report: Some(report),
        created,
    };
    Ok((status, rubric_page(&st, year, kind, None, import).await?).into_response())
}

// ---------------------------------------------------------------- edit

/// A rule's editable cells, as typed.
pub struct RuleForm {
    pub key: String,
    pub label: String,
    pub unit: &'static str,
    pub max: String,
    /// The method code (STEP …).
    pub method: String,
    pub params: String,
    pub source: String,
}

pub struct IndicatorForm {
    pub id: String,
    pub name: String,
    pub max: String,
    pub department: String,
    pub evidence: bool,
    pub combine: &'static str,
    pub rules: Vec<RuleForm>,
}

pub struct DimensionForm {
    pub id: String,
    pub name: String,
    pub max: String,
    pub indicators: Vec<IndicatorForm>,
}

pub struct ItemForm {
    pub id: String,
    pub label: String,
    pub each: String,
    pub cap: String,
    pub group: String,
}

/// The editor's fields. Field names: `d.{id}.max`, `i.{id}.max|dept|evidence`,
/// `r.{key}.max|method|params`, `b.{id}.each|cap`, `p.{id}.each|cap`, `bonus_cap`,
/// `band.{i}.min`, `note`, `version` — the attribute last, so no name is another's prefix.
pub struct RubricForm {
    pub dimensions: Vec<DimensionForm>,
    pub bonus: Vec<ItemForm>,
    pub penalties: Vec<ItemForm>,
    pub vetoes: Vec<(String, String)>,
    pub bonus_cap: String,
    /// (grade, minimum, position).
    pub bands: Vec<(&'static str, String, usize)>,
    pub note: String,
    pub version: i64,
}

impl RubricForm {
    fn of(v: &RubricVersion) -> RubricForm {
        let r = &v.rubric;
        let pts = |p: Points| p.short_string();
        RubricForm {
            dimensions: r
                .dimensions
                .iter()
                .map(|d| DimensionForm {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    max: pts(d.max),
                    indicators: d
                        .indicators
                        .iter()
                        .map(|i| IndicatorForm {
                            id: i.id.clone(),
                            name: i.name.clone(),
                            max: pts(i.max),
                            department: i.department.clone(),
                            evidence: i.evidence_required,
                            combine: i.combine.label(),
                            rules: i
                                .rules
                                .iter()
                                .map(|r| RuleForm {
                                    key: r.key.clone(),
                                    label: r.label.clone(),
                                    unit: r.unit.label(),
                                    max: pts(r.max),
                                    method: r.method.code().as_str().to_string(),
                                    params: params_text(&r.method, r.unit),
                                    source: source_words(r.source),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            bonus: r
                .bonus
                .iter()
                .map(|b| ItemForm {
                    id: b.id.clone(),
                    label: b.label.clone(),
                    each: pts(b.points_each),
                    cap: pts(b.cap),
                    group: exclusive_with(r, b),
                })
                .collect(),
            penalties: r
                .penalties
                .iter()
                .map(|p| ItemForm {
                    id: p.id.clone(),
                    label: p.label.clone(),
                    each: pts(p.points_each),
                    cap: p.cap.map(pts).unwrap_or_default(),
                    group: String::new(),
                })
                .collect(),
            vetoes: r
                .vetoes
                .iter()
                .map(|v| (v.id.clone(), v.label.clone()))
                .collect(),
            bonus_cap: pts(r.bonus_cap),
            bands: r
                .bands
                .iter()
                .enumerate()
                .map(|(i, b)| (b.rating.label(), pts(b.min), i))
                .collect(),
            note: v.note.clone(),
            version: v.version,
        }
    }

    /// The stored draft's shape with the values posted (a missing field keeps its value, an
    /// unchecked box is false).
    fn read(v: &RubricVersion, body: &[u8]) -> RubricForm {
        let pairs = super::form_pairs(body);
        let has = |k: &str| pairs.iter().any(|(f, _)| f == k);
        let get = |k: &str, old: &mut String| {
            if has(k) {
                *old = super::form_value(&pairs, k);
            }
        };
        let mut f = RubricForm::of(v);
        for d in &mut f.dimensions {
            get(&format!("d.{}.max", d.id), &mut d.max);
            for i in &mut d.indicators {
                get(&format!("i.{}.max", i.id), &mut i.max);
                get(&format!("i.{}.dept", i.id), &mut i.department);
                i.evidence = super::form_value(&pairs, &format!("i.{}.evidence", i.id)) == "1";
                for r in &mut i.rules {
                    get(&format!("r.{}.max", r.key), &mut r.max);
                    get(&format!("r.{}.method", r.key), &mut r.method);
                    get(&format!("r.{}.params", r.key), &mut r.params);
                }
            }
        }
        for b in &mut f.bonus {
            get(&format!("b.{}.each", b.id), &mut b.each);
            get(&format!("b.{}.cap", b.id), &mut b.cap);
        }
        for p in &mut f.penalties {
            get(&format!("p.{}.each", p.id), &mut p.each);
            get(&format!("p.{}.cap", p.id), &mut p.cap);
        }
        get("bonus_cap", &mut f.bonus_cap);
        for (i, b) in f.bands.iter_mut().enumerate() {
            get(&format!("band.{i}.min"), &mut b.1);
        }
        get("note", &mut f.note);
        f.version = super::form_value(&pairs, "version")
            .trim()
            .parse()
            .unwrap_or(0);
        f
    }

    /// The draft with these values, parsed by the core's grammar and validated; or every
    /// problem as (field, message).
    fn parse(&self, base: &Rubric) -> Result<Rubric, Vec<(String, String)>> {
        let mut errs: Vec<(String, String)> = Vec::new();
        let mut r = base.clone();
        let mut points = |field: String, who: String, text: &str| -> Points {
            parse_points(text).unwrap_or_else(|e| {
                errs.push((field, format!("{who}：{}", e.message)));
                Points::ZERO
            })
        };
        let mut params_errs = Vec::new();
        for (d, df) in r.dimensions.iter_mut().zip(&self.dimensions) {
            d.max = points(
                format!("d.{}.max", d.id),
                format!("一级指标 {} 分值", d.id),
                &df.max,
            );
            for (i, inf) in d.indicators.iter_mut().zip(&df.indicators) {
                i.max = points(
                    format!("i.{}.max", i.id),
                    format!("指标 {} 分值", i.id),
                    &inf.max,
                );
                i.department = inf.department.trim().to_string();
                i.evidence_required = inf.evidence;
                let several = i.rules.len() > 1;
                for (rule, rf) in i.rules.iter_mut().zip(&inf.rules) {
                    let who = if several {
                        format!("指标 {}「{}」", i.id, rule.label)
                    } else {
                        format!("指标 {} ", i.id)
                    };
                    rule.max = points(
                        format!("r.{}.max", rule.key),
                        format!("{}规则分值", who),
                        &rf.max,
                    );
                    match MethodCode::parse(&rf.method) {
                        Err(e) => params_errs.push((
                            format!("r.{}.method", rule.key),
                            format!("{who}方法：{}", e.message),
                        )),
                        Ok(code) => match parse_params(code, &rf.params, rule.unit) {
                            Ok(m) => rule.method = m,
                            Err(e) => params_errs.push((
                                format!("r.{}.params", rule.key),
                                format!("{who}参数：{}", e.message),
                            )),
                        },
                    }
                }
            }
        }
        for (b, bf) in r.bonus.iter_mut().zip(&self.bonus) {
            b.points_each = points(
                format!("b.{}.each", b.id),
                format!("加分项 {} 每项分值", b.id),
                &bf.each,
            );
            b.cap = points(
                format!("b.{}.cap", b.id),
                format!("加分项 {} 上限", b.id),
                &bf.cap,
            );
        }
        for (p, pf) in r.penalties.iter_mut().zip(&self.penalties) {
            p.points_each = points(
                format!("p.{}.each", p.id),
                format!("扣分项 {} 每项分值", p.id),
                &pf.each,
            );
            p.cap = if pf.cap.trim().is_empty() {
                None
            } else {
                Some(points(
                    format!("p.{}.cap", p.id),
                    format!("扣分项 {} 上限", p.id),
                    &pf.cap,
                ))
            };
        }
        r.bonus_cap = points("bonus_cap".into(), "加分总上限".into(), &self.bonus_cap);
        for (i, (b, bf)) in r.bands.iter_mut().zip(&self.bands).enumerate() {
            b.min = points(
                format!("band.{i}.min"),
                format!("等次「{}」最低分", bf.0),
                &bf.1,
            );
        }
        errs.extend(params_errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        // The total follows the dimensions, as the workbook import does.
        r.total = r.dimensions.iter().map(|d| d.max).sum();
        match r.validate() {
            Ok(()) => Ok(r),
            Err(es) => Err(es
                .into_iter()
                .map(|e| (field_of(&r, &e.field), e.message))
                .collect()),
        }
    }
}

/// `name[3]` → (`name`, Some(3)); `name` → (`name`, None).
fn segment(s: &str) -> (&str, Option<usize>) {
    match s.split_once('[') {
        Some((n, rest)) => (n, rest.trim_end_matches(']').parse().ok()),
        None => (s, None),
    }
}

/// The form field of a `Rubric::validate` path (`dimensions[0].indicators[1].rules[0].method
/// .steps[1]` → `r.1.2.params`), or empty for a form-wide problem.
fn field_of(r: &Rubric, path: &str) -> String {
    let path = path.strip_prefix("rubric.").unwrap_or(path);
    let segs: Vec<(&str, Option<usize>)> = path.split('.').map(segment).collect();
    let dim = |i: Option<usize>| i.and_then(|i| r.dimensions.get(i));
    match segs.as_slice() {
        [
            ("dimensions", di),
            ("indicators", ii),
            ("rules", ri),
            rest @ ..,
        ] => {
            let Some(rule) = dim(*di)
                .and_then(|d| d.indicators.get((*ii)?))
                .and_then(|i| i.rules.get((*ri)?))
            else {
                return String::new();
            };
            let attr = if rest.first().is_some_and(|s| s.0 == "max") {
                "max"
            } else {
                "params"
            };
            format!("r.{}.{attr}", rule.key)
        }
        [("dimensions", di), ("indicators", ii), rest @ ..] => {
            let Some(ind) = dim(*di).and_then(|d| d.indicators.get((*ii)?)) else {
                return String::new();
            };
            let attr = if rest.first().is_some_and(|s| s.0 == "department") {
                "dept"
            } else {
                "max"
            };
            format!("i.{}.{attr}", ind.id)
        }
        [("dimensions", di), ..] => dim(*di)
            .map(|d| format!("d.{}.max", d.id))
            .unwrap_or_default(),
        [(list @ ("bonus" | "penalties"), Some(i)), rest @ ..] => {
            let (prefix, id) = if *list == "bonus" {
                ("b", r.bonus.get(*i).map(|b| b.id.clone()))
            } else {
                ("p", r.penalties.get(*i).map(|p| p.id.clone()))
            };
            let attr = if rest.first().is_some_and(|s| s.0 == "cap") {
                "cap"
            } else {
                "each"
            };
            id.map(|id| format!("{prefix}.{id}.{attr}"))
                .unwrap_or_default()
        }
        [("bonus_cap", None)] => "bonus_cap".into(),
        [("bands", Some(i)), ..] => format!("band.{i}.min"),
        _ => String::new(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "rubric_edit.html")]
pub struct RubricEditPage {
    pub layout: Layout,
    pub year: i32,
    pub kind_label: &'static str,
    pub no: u32,
    pub name: String,
    pub action: String,
    pub cancel: String,
    pub methods: Vec<(&'static str, &'static str)>,
    pub v: RubricForm,
    pub errors: Vec<(String, String)>,
}

error_for!(RubricEditPage);

async fn edit_page(
    st: &AppState,
    current: &RubricVersion,
    v: RubricForm,
    errors: Vec<(String, String)>,
) -> Result<RubricEditPage, ApiError> {
    let snap = st.store.snapshot().await?;
    let (year, kind, n) = (current.year, current.kind, current.version_no);
    let k = kind_label(kind);
    Ok(RubricEditPage {
        layout: Layout::new(
            format!("编辑 {year} 年度{k}评分细则第 {n} 版"),
            "scoring",
            snap.is_demo,
        ),
        year,
        kind_label: k,
        no: n,
        name: current.rubric.name.clone(),
        action: edit_url(year, kind, n),
        cancel: page_url(year, kind, Some(n)),
        methods: MethodCode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        v,
        errors,
    })
}

async fn version_or_404(
    st: &AppState,
    kind: RubricKind,
    year: i32,
    n: u32,
) -> Result<RubricVersion, ApiError> {
    st.store
        .rubric_version(kind, year, n)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{year} 年度评分细则第 {n} 版不存在")))
}

/// Only a draft has an editor; a version in use says why not and what to do instead.
fn not_a_draft(v: &RubricVersion) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "published",
        format!(
            "第 {} 版细则{}，不能修改；如需调整请新建草案并发布以替代",
            v.version_no,
            v.status.label()
        ),
    )
}

pub async fn edit_form(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((year, n)): Path<(i32, u32)>,
    Query(q): Query<KindQuery>,
) -> Result<RubricEditPage, PageError> {
    if !gongfu_core::auth::may_administer(&actor.role) {
        return Err(forbidden().into());
    }
    let kind = kind_of(q.kind.as_deref())?;
    let current = version_or_404(&st, kind, year, n).await?;
    if current.status != RubricStatus::Draft {
        return Err(not_a_draft(&current).into());
    }
    Ok(edit_page(&st, &current, RubricForm::of(&current), Vec::new()).await?)
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((year, n)): Path<(i32, u32)>,
    Query(q): Query<KindQuery>,
    body: Bytes,
) -> Result<Response, PageError> {
    if !gongfu_core::auth::may_administer(&actor.role) {
        return Err(forbidden().into());
    }
    let kind = kind_of(q.kind.as_deref())?;
    let current = version_or_404(&st, kind, year, n).await?;
    if current.status != RubricStatus::Draft {
        // The store's own refusal, so the page and the API say the same.
        st.store
            .update_rubric_draft(
                &actor,
                kind,
                year,
                n,
                current.version,
                current.rubric.clone(),
                &current.note,
            )
            .await?;
        return Err(not_a_draft(&current).into());
    }
    let mut v = RubricForm::read(&current, &body);
    let rubric = match v.parse(&current.rubric) {
        Ok(r) => r,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&st, &current, v, errors).await?,
            )
                .into_response());
        }
    };
    match st
        .store
        .update_rubric_draft(&actor, kind, year, n, v.version, rubric.clone(), &v.note)
        .await
    {
        Ok(()) => Ok(Redirect::to(&page_url(year, kind, Some(n))).into_response()),
        Err(e) => {
            let latest = version_or_404(&st, kind, year, n).await?;
            let (status, errors) =
                super::save_failed(e.into(), &mut v.version, latest.version, || {
                    format!(
                        "当前内容：第 {n} 版细则（{}）已被他人修改，说明「{}」。",
                        latest.status.label(),
                        latest.note
                    )
                });
            let errors: Vec<(String, String)> = errors
                .into_iter()
                .map(|(f, m)| (field_of(&rubric, &f), m))
                .collect();
            Ok((status, edit_page(&st, &latest, v, errors).await?).into_response())
        }
    }
}
