//! 总览 (dashboard), 全域覆盖 (coverage) and 目标任务 (targets).

use super::{Layout, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::PageError;
use crate::views::{self, Dashboard};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::coverage::CoverageReport;
use gongfu_core::money::bp_percent_string;
use gongfu_core::targets::{Metric, Progress, Target};
use gongfu_core::{DataYear, DomainError, Fen};

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub d: Dashboard,
    pub data_json: String,
    /// Zone work on the day (片区工作): the district's figures.
    pub work: gongfu_store::work::summary::ZoneWork,
    /// Zones with overdue projects or action items: (id, name, projects, actions).
    pub late_zones: Vec<(i64, String, usize, usize)>,
    /// The signed-in account's open action items (我的待办), overdue first.
    pub mine: Vec<super::work::ActionRow>,
    /// Where the action forms return to.
    pub back: String,
}

impl DashboardPage {
    pub fn coverage_pct(&self) -> String {
        bp_percent_string(self.d.coverage_bp)
    }
    pub fn income_total(&self) -> String {
        Fen(self.d.income_total_fen).wan_yuan_string()
    }
    pub fn income_median(&self) -> String {
        self.d
            .income_median_fen
            .map(|f| Fen(f).wan_yuan_string())
            .unwrap_or_else(|| "—".into())
    }
    pub fn growth(&self) -> String {
        self.d
            .income_growth_bp
            .map(bp_percent_string)
            .unwrap_or_else(|| "—".into())
    }
    pub fn uncovered(&self) -> usize {
        self.d.villages_total - self.d.villages_covered
    }
    pub fn year_text(&self) -> String {
        self.d
            .year
            .map(|y| format!("{y}年"))
            .unwrap_or_else(|| "暂无数据".into())
    }
}

pub async fn page(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let today = st.today();
    let cached = views::cached_dashboard(&snap, today);
    let d = cached.dashboard.clone();
    let data_json = String::from_utf8_lossy(&cached.json).replace("</", "<\\/");
    let (zones, work) = st.store.work_summary(today).await?;
    let late_zones = zones
        .iter()
        .filter(|w| w.overdue_projects + w.overdue_actions > 0)
        .map(|w| {
            (
                w.zone,
                super::work::zone_name(&snap, w.zone),
                w.overdue_projects,
                w.overdue_actions,
            )
        })
        .collect();
    let mine = super::work::my_actions(&st, &actor, &snap, today).await?;
    Ok(DashboardPage {
        layout: Layout::new("总览", "dashboard", snap.is_demo),
        d,
        data_json,
        work,
        late_zones,
        mine,
        back: "/".into(),
    }
    .into_response())
}

pub struct TownRow {
    pub code: String,
    pub name: String,
    pub total: usize,
    pub covered: usize,
    pub pct: String,
    pub pct_width: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "coverage.html")]
pub struct CoveragePage {
    pub layout: Layout,
    pub c: CoverageReport,
    pub share: String,
    pub towns: Vec<TownRow>,
    pub day: String,
}

pub async fn coverage_page(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let c = snap.coverage(day);
    let towns = c
        .by_town
        .iter()
        .map(|t| {
            let bp = if t.total == 0 {
                0
            } else {
                t.covered as i64 * 10_000 / t.total as i64
            };
            TownRow {
                code: t.town_code.to_string(),
                name: t.town.clone(),
                total: t.total,
                covered: t.covered,
                pct: bp_percent_string(bp),
                pct_width: bp / 100,
            }
        })
        .collect();
    Ok(CoveragePage {
        layout: Layout::new("全域覆盖", "coverage", snap.is_demo),
        share: bp_percent_string(c.share_bp()),
        c,
        towns,
        day: gongfu_core::village::date_string(day),
    }
    .into_response())
}

pub struct TargetRow {
    pub year: i32,
    pub label: String,
    pub target: String,
    pub actual: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub note: String,
    /// `year:metric`, for the row's 修改 link.
    pub key: String,
}

/// What the target form shows: a target being edited (with the version it was read at), or
/// the user's input kept after a refusal.
#[derive(Debug, Clone)]
pub struct TargetDraft {
    pub year: String,
    pub metric: String,
    pub value: String,
    pub note: String,
    pub version: i64,
}

impl Default for TargetDraft {
    fn default() -> Self {
        TargetDraft {
            year: "2026".into(),
            metric: String::new(),
            value: String::new(),
            note: String::new(),
            version: 0,
        }
    }
}

impl TargetDraft {
    /// The saved target `year:metric` as a draft, or `None` when there is none.
    fn of(snap: &gongfu_store::Snapshot, key: &str) -> Option<TargetDraft> {
        let (year, metric) = key.split_once(':')?;
        let (year, metric) = (year.parse::<i32>().ok()?, Metric::parse(metric).ok()?);
        let t = snap
            .targets
            .iter()
            .find(|t| t.year == year && t.metric == metric)?;
        Some(TargetDraft {
            year: year.to_string(),
            metric: metric.key(),
            value: if metric.is_bp() {
                Fen(t.value).yuan_string()
            } else {
                t.value.to_string()
            },
            note: t.note.clone(),
            version: snap.target_version(year, metric),
        })
    }
}

fn format_value(metric: Metric, v: i64) -> String {
    if metric.is_bp() {
        bp_percent_string(v)
    } else {
        format!("{v} 个")
    }
}

fn target_rows(progress: &[Progress]) -> Vec<TargetRow> {
    progress
        .iter()
        .map(|p| TargetRow {
            year: p.target.year,
            label: p.target.metric.label(),
            target: format_value(p.target.metric, p.target.value),
            actual: p
                .actual
                .map(|a| format_value(p.target.metric, a))
                .unwrap_or_else(|| "暂无数据".into()),
            state: match (p.actual, p.met) {
                (None, _) => "待数据",
                (_, true) => "已达成",
                _ => "未达成",
            },
            state_class: match (p.actual, p.met) {
                (None, _) => "muted",
                (_, true) => "ok",
                _ => "warn",
            },
            note: p.target.note.clone(),
            key: format!("{}:{}", p.target.year, p.target.metric.key()),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
pub struct TargetsPage {
    pub layout: Layout,
    pub rows: Vec<TargetRow>,
    pub metrics: Vec<(String, String)>,
    pub weak_threshold_yuan: String,
    pub weak_version: i64,
    pub draft: TargetDraft,
    pub errors: Vec<String>,
    pub saved: bool,
}

/// Input kept when a save is refused, so nothing typed is lost.
#[derive(Default)]
struct Kept {
    target: Option<TargetDraft>,
    /// The threshold as typed; the form then carries the current version to save over.
    weak_yuan: Option<String>,
    /// The save was refused because someone else saved first (answered with 409).
    conflict: bool,
}

async fn render_targets(
    st: &AppState,
    errors: Vec<String>,
    saved: bool,
    kept: Kept,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let progress = gongfu_core::targets::progress(&snap.targets, &snap.target_facts(st.today()));
    let mut metrics: Vec<(String, String)> = gongfu_core::zone::Tier::ALL
        .iter()
        .map(|t| Metric::ZonesOfTier(*t))
        .chain([
            Metric::DistrictZonesCumulative,
            Metric::OperatingIncomeGrowthBp,
            Metric::CoverageBp,
        ])
        .map(|m| (m.key(), m.label()))
        .collect();
    metrics.dedup();
    let status = if kept.conflict {
        axum::http::StatusCode::CONFLICT
    } else {
        super::form_status(errors.is_empty())
    };
    Ok((
        status,
        TargetsPage {
            layout: Layout::new("目标任务", "targets", snap.is_demo),
            rows: target_rows(&progress),
            metrics,
            weak_threshold_yuan: kept
                .weak_yuan
                .unwrap_or_else(|| (snap.weak_rule.income_below.0 / 100).to_string()),
            weak_version: snap.weak_rule_version,
            draft: kept.target.unwrap_or_default(),
            errors,
            saved,
        },
    )
        .into_response())
}

pub async fn targets_page(
    State(st): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let kept = Kept {
        target: q.get("edit").and_then(|k| TargetDraft::of(&snap, k)),
        ..Kept::default()
    };
    render_targets(&st, vec![], q.contains_key("saved"), kept).await
}

/// Saves either a target (`form=target`) or the weak-village threshold (`form=weak`).
pub async fn targets_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let version = form_value(&pairs, "version").parse::<i64>().unwrap_or(-1);
    let is_weak = form_value(&pairs, "form") == "weak";
    let result: Result<(), Vec<DomainError>> = async {
        match form_value(&pairs, "form").as_str() {
            "weak" => {
                let fen = Fen::parse_yuan(&form_value(&pairs, "weak_income_below_yuan")).map_err(
                    |mut e| {
                        e.message = format!("薄弱村标准：{}", e.message);
                        vec![e]
                    },
                )?;
                st.store
                    .set_weak_threshold(&actor, fen, version)
                    .await
                    .map_err(store_errors)
            }
            _ => {
                let metric = Metric::parse(&form_value(&pairs, "metric")).map_err(|e| vec![e])?;
                let year = DataYear::parse(&form_value(&pairs, "year"))
                    .map_err(|e| vec![e])?
                    .get();
                let raw = form_value(&pairs, "value");
                let value = if metric.is_bp() {
                    // Rates are typed as percentages (12.5) and stored as basis points.
                    Fen::parse_yuan(raw.trim_end_matches('%'))
                        .map(|f| f.0)
                        .map_err(|_| {
                            vec![DomainError::new(
                                "invalid_number",
                                "value",
                                format!("目标值「{raw}」不是有效的百分数"),
                            )]
                        })?
                } else {
                    raw.trim().parse::<i64>().map_err(|_| {
                        vec![DomainError::new(
                            "invalid_number",
                            "value",
                            format!("目标值「{raw}」不是整数"),
                        )]
                    })?
                };
                let t = Target {
                    year,
                    metric,
                    value,
                    note: form_value(&pairs, "note"),
                };
                st.store
                    .set_target(&actor, &t, version)
                    .await
                    .map_err(store_errors)
            }
        }
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/targets?saved=1").into_response()),
        Err(errors) => {
            let snap = st.store.snapshot().await?;
            let mut messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            let kept = if is_weak {
                let conflict = version != snap.weak_rule_version;
                if conflict {
                    messages.push(format!(
                        "当前保存的标准为 {} 元；如仍要改为您填写的值，请再次保存。",
                        snap.weak_rule.income_below.0 / 100
                    ));
                }
                Kept {
                    target: None,
                    weak_yuan: Some(form_value(&pairs, "weak_income_below_yuan")),
                    conflict,
                }
            } else {
                let mut draft = TargetDraft {
                    year: form_value(&pairs, "year"),
                    metric: form_value(&pairs, "metric"),
                    value: form_value(&pairs, "value"),
                    note: form_value(&pairs, "note"),
                    version,
                };
                let saved = TargetDraft::of(&snap, &format!("{}:{}", draft.year, draft.metric));
                let current = saved.as_ref().map_or(0, |d| d.version);
                let conflict = current != version && version >= 0;
                if conflict {
                    if let Some(d) = &saved {
                        messages.push(format!(
                            "当前保存的目标值为 {}（说明：{}）；如仍要改为您填写的值，请再次保存。",
                            d.value,
                            if d.note.is_empty() { "无" } else { &d.note }
                        ));
                    }
                    draft.version = current;
                }
                Kept {
                    target: Some(draft),
                    weak_yuan: None,
                    conflict,
                }
            };
            render_targets(&st, messages, false, kept).await
        }
    }
}

pub fn store_errors(e: gongfu_store::StoreError) -> Vec<DomainError> {
    match e {
        gongfu_store::StoreError::Invalid(v) => v,
        other => vec![DomainError::new("refused", "", other.to_string())],
    }
}
