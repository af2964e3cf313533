//! 片区工作 (zone work): the hub with every zone's figures, the zone plan and its approval,
//! action items, the chain per zone and the printable one-page progress report. Projects and
//! meetings have their own modules.

use super::projects::{ProjectRow, project_row};
use super::villages::{Opt, opt};
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::work_api::{ActionQuery, read_file};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::money::bp_percent_string;
use gongfu_core::village::date_string;
use gongfu_core::work::committee::{ActionItem, ActionStatus};
use gongfu_core::work::plan::{PlanDraft, PlanStatus, PlanStep};
use gongfu_core::work::project::FundSource;
use gongfu_core::{Fen, ZoneId};
use gongfu_store::work::attachments::{AttachmentMeta, Owner};
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::work::summary::{Timeline, ZoneWork};
use gongfu_store::work::zone_plan::ZonePlan;
use gongfu_store::{Actor, Snapshot};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work", get(hub))
        .route("/zones/{id}/plan", get(plan_page))
        .route("/zones/{id}/plan/new", post(plan_new_submit))
        .route("/plans/{id}", post(plan_save_submit))
        .route("/plans/{id}/step", post(plan_step_submit))
        .route("/plans/{id}/files", post(plan_file_submit))
        .route("/zones/{id}/timeline", get(timeline_page))
        .route("/zones/{id}/report", get(report_page))
        .route("/actions", get(actions_page))
        .route("/actions/{id}/status", post(action_status_submit))
        .route(
            "/projects",
            get(super::projects::list).post(super::projects::create_submit),
        )
        .route("/projects/new", get(super::projects::new_form))
        .route("/projects/{id}", get(super::projects::detail))
        .route(
            "/projects/{id}/edit",
            get(super::projects::edit_form).post(super::projects::edit_submit),
        )
        .route(
            "/projects/{id}/status",
            post(super::projects::status_submit),
        )
        .route("/projects/{id}/items", post(super::projects::items_submit))
        .route(
            "/projects/{id}/milestones",
            post(super::projects::milestone_add),
        )
        .route(
            "/projects/{id}/milestones/{mid}",
            post(super::projects::milestone_submit),
        )
        .route(
            "/projects/{id}/milestones/{mid}/evidence",
            post(super::projects::evidence_submit),
        )
        .route(
            "/meetings",
            get(super::meetings::list).post(super::meetings::create_submit),
        )
        .route("/meetings/new", get(super::meetings::new_form))
        .route("/meetings/{id}", get(super::meetings::detail))
        .route(
            "/meetings/{id}/edit",
            get(super::meetings::edit_form).post(super::meetings::edit_submit),
        )
        .route(
            "/meetings/{id}/actions",
            post(super::meetings::action_submit),
        )
        .route("/meetings/{id}/files", post(super::meetings::file_submit))
}

/// Money in 万元 with one decimal, as officials read it.
pub fn money(f: Fen) -> String {
    f.wan_yuan_string()
}

pub use crate::api::zone_name;

/// Live zones as options, by name.
pub fn zone_opts(snap: &Snapshot, day: Date, current: &str) -> Vec<Opt> {
    let mut zones: Vec<_> = snap.zones.iter().filter(|z| z.is_live_on(day)).collect();
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    zones
        .into_iter()
        .map(|z| opt(z.id.0.to_string(), z.name.clone(), current))
        .collect()
}

/// The zone filter of a list: 全部片区, then the zones standing on `day`.
pub fn zone_filter_opts(snap: &Snapshot, day: Date, current: &str) -> Vec<Opt> {
    let mut zones = vec![opt("", "全部片区", current)];
    zones.extend(zone_opts(snap, day, current));
    zones
}

/// A zone's members on `day` as (code, name), key village first.
pub fn zone_members(snap: &Snapshot, zone: i64, day: Date) -> Vec<(String, String)> {
    let key = snap.zone(ZoneId(zone)).map(|z| z.key_village.clone());
    let mut v: Vec<_> = snap
        .members(ZoneId(zone), day)
        .into_iter()
        .map(|m| m.village.clone())
        .collect();
    v.sort_by_key(|c| (Some(c) != key.as_ref(), c.clone()));
    v.into_iter()
        .map(|c| {
            let name = snap
                .division(&c)
                .map(|d| d.division.name.clone())
                .unwrap_or_default();
            (c.to_string(), name)
        })
        .collect()
}

/// Whether the actor may manage the zone's work (a hint for showing controls; the store
/// checks every write).
pub fn can_manage(actor: &Actor, snap: &Snapshot, zone: i64) -> bool {
    actor.user_id.is_some() && gongfu_store::work::may_manage_zone(actor, snap, zone)
}

fn zone_or_404(snap: &Snapshot, zone: i64) -> Result<(), PageError> {
    snap.zone(ZoneId(zone))
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")).into())
}

// ---------------------------------------------------------------- hub

pub struct ZoneWorkRow {
    pub id: i64,
    pub name: String,
    pub plan: String,
    pub plan_ok: bool,
    pub projects: usize,
    pub completion: String,
    pub completion_pct: i64,
    pub planned: String,
    pub actual: String,
    pub overdue_projects: usize,
    pub overdue_actions: usize,
    pub meetings: usize,
    pub last_meeting: String,
}

pub struct SourceRow {
    pub label: &'static str,
    pub planned: String,
    pub actual: String,
    pub pct: String,
}

pub fn source_rows(w: &ZoneWork) -> Vec<SourceRow> {
    let row = |label, p: Fen, a: Fen| SourceRow {
        label,
        planned: money(p),
        actual: money(a),
        pct: if p.0 > 0 {
            bp_percent_string((a.0 as i128 * 10_000 / p.0 as i128) as i64)
        } else {
            "—".into()
        },
    };
    let mut rows: Vec<SourceRow> = FundSource::ALL
        .iter()
        .map(|s| row(s.label(), w.planned[*s as usize], w.actual[*s as usize]))
        .collect();
    rows.push(row("合计", w.planned_total(), w.actual_total()));
    rows
}

#[derive(Template, WebTemplate)]
#[template(path = "work.html")]
pub struct HubPage {
    pub layout: Layout,
    pub day: String,
    pub year: i32,
    pub total: ZoneWork,
    pub sources: Vec<SourceRow>,
    pub rows: Vec<ZoneWorkRow>,
    pub mine: Vec<ActionRow>,
    /// Where the action forms return to.
    pub back: String,
}

pub async fn hub(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
) -> Result<HubPage, PageError> {
    let today = st.today();
    let snap = st.store.snapshot().await?;
    let (zones, total) = st.store.work_summary(today).await?;
    let mut rows = Vec::new();
    let mut live: Vec<_> = snap.zones.iter().filter(|z| z.is_live_on(today)).collect();
    live.sort_by(|a, b| a.name.cmp(&b.name));
    for z in live {
        let w = zones
            .iter()
            .find(|w| w.zone == z.id.0)
            .cloned()
            .unwrap_or(ZoneWork {
                zone: z.id.0,
                ..Default::default()
            });
        let plans = st.store.zone_plans(z.id.0).await?;
        let in_force = plans.iter().find(|p| p.status == PlanStatus::Approved);
        let pending = plans.iter().find(|p| p.status.in_progress());
        let plan = match (in_force, pending) {
            (Some(p), Some(q)) => format!(
                "第 {} 版已批复（第 {} 版{}）",
                p.version_no,
                q.version_no,
                q.status.label()
            ),
            (Some(p), None) => format!("第 {} 版已批复", p.version_no),
            (None, Some(q)) => format!("第 {} 版{}", q.version_no, q.status.label()),
            (None, None) => "未编制".into(),
        };
        rows.push(ZoneWorkRow {
            id: z.id.0,
            name: z.name.clone(),
            plan,
            plan_ok: in_force.is_some(),
            projects: w.projects,
            completion: w.completion_text(),
            completion_pct: w.completion_bp / 100,
            planned: money(w.planned_total()),
            actual: money(w.actual_total()),
            overdue_projects: w.overdue_projects,
            overdue_actions: w.overdue_actions,
            meetings: w.meetings_this_year,
            last_meeting: w
                .last_meeting
                .map(date_string)
                .unwrap_or_else(|| "—".into()),
        });
    }
    // Work zones first: those with projects or meetings, then the rest by name.
    rows.sort_by_key(|r| {
        (
            r.projects == 0 && r.meetings == 0 && r.last_meeting == "—",
            r.name.clone(),
        )
    });
    let mine = my_actions(&st, &actor, &snap, today).await?;
    Ok(HubPage {
        layout: Layout::new("片区工作", "work", snap.is_demo),
        day: date_string(today),
        year: today.year(),
        sources: source_rows(&total),
        total,
        rows,
        mine,
        back: "/work".into(),
    })
}

/// The open items assigned to the signed-in account, overdue first.
pub async fn my_actions(
    st: &AppState,
    actor: &Actor,
    snap: &Snapshot,
    today: Date,
) -> Result<Vec<ActionRow>, PageError> {
    let Some(uid) = actor.user_id else {
        return Ok(Vec::new());
    };
    let mut items = st
        .store
        .actions(&ActionFilter {
            owner_user: Some(uid),
            open_only: true,
            ..Default::default()
        })
        .await?;
    items.sort_by_key(|a| (a.days_overdue(today).is_none(), a.due));
    Ok(items
        .iter()
        .map(|a| action_row(snap, a, today, actor))
        .collect())
}

// ---------------------------------------------------------------- action items

#[derive(Clone)]
pub struct ActionRow {
    pub id: i64,
    pub zone_id: i64,
    pub zone: String,
    pub title: String,
    pub owner_unit: String,
    pub due: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub done_on: String,
    pub result: String,
    pub overdue: Option<i64>,
    pub version: i64,
    pub started: bool,
    /// The signed-in person may move it (owner, owning department or zone manager).
    pub can_move: bool,
}

pub fn action_row(snap: &Snapshot, a: &ActionItem, today: Date, actor: &Actor) -> ActionRow {
    let owner = actor.user_id.is_some() && a.owner_user == actor.user_id;
    let unit = matches!(&actor.role, gongfu_core::auth::Role::Department { unit } if *unit == a.owner_unit);
    ActionRow {
        id: a.id,
        zone_id: a.zone,
        zone: zone_name(snap, a.zone),
        title: a.title.clone(),
        owner_unit: a.owner_unit.clone(),
        due: date_string(a.due),
        status: a.status.key(),
        status_label: a.status.label(),
        done_on: a.done_on.map(date_string).unwrap_or_default(),
        result: a.result.clone(),
        overdue: a.days_overdue(today),
        version: a.version,
        started: a.status == ActionStatus::InProgress,
        can_move: !a.status.is_closed() && (owner || unit || can_manage(actor, snap, a.zone)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "actions.html")]
pub struct ActionsPage {
    pub layout: Layout,
    /// The items listed (named as in the shared list fragment).
    pub mine: Vec<ActionRow>,
    pub zones: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub overdue: bool,
    pub only_mine: bool,
    pub open: bool,
    pub errors: Vec<String>,
    pub back: String,
}

pub async fn actions_page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ActionQuery>,
) -> Result<ActionsPage, PageError> {
    actions_view(&st, &actor, &q, Vec::new()).await
}

async fn actions_view(
    st: &AppState,
    actor: &Actor,
    q: &ActionQuery,
    errors: Vec<String>,
) -> Result<ActionsPage, PageError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let mut items = st.store.actions(&filter).await?;
    items.sort_by_key(|a| (a.status.is_closed(), a.days_overdue(today).is_none(), a.due));
    let zone = q.zone.clone().unwrap_or_default();
    let status = q.status.clone().unwrap_or_default();
    let zones = zone_filter_opts(&snap, today, &zone);
    let mut statuses = vec![opt("", "全部状态", &status)];
    statuses.extend(ActionStatus::ALL.map(|s| opt(s.key(), s.label(), &status)));
    Ok(ActionsPage {
        layout: Layout::new("待办事项", "work", snap.is_demo),
        mine: items
            .iter()
            .map(|a| action_row(&snap, a, today, actor))
            .collect(),
        zones,
        statuses,
        overdue: filter.overdue_on.is_some(),
        only_mine: filter.owner_user.is_some(),
        open: filter.open_only,
        errors,
        back: format!(
            "/actions?{}",
            super::query_string(&[
                ("zone", &q.zone),
                ("status", &q.status),
                ("overdue", &q.overdue),
                ("owner", &q.owner),
                ("open", &q.open),
            ])
        ),
    })
}

/// 推进 / 办结 / 取消 from a list (the action list, a meeting, the home page): back to where
/// the form said it came from.
pub async fn action_status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let back = form_value(&p, "back");
    // Only our own pages, never an address from elsewhere.
    let back = if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/actions".to_string()
    };
    let r = async {
        let to = ActionStatus::parse(&form_value(&p, "status"))?;
        st.store
            .set_action_status(&actor, id, version, to, &form_value(&p, "result"))
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let title = st
                .store
                .action(id)
                .await?
                .map(|a| a.title)
                .unwrap_or_default();
            let msgs = field_errors(e)
                .into_iter()
                .map(|(_, m)| format!("「{title}」未更新：{m}"))
                .collect();
            let page = actions_view(&st, &actor, &ActionQuery::default(), msgs).await?;
            Ok((status, page).into_response())
        }
    }
}

// ---------------------------------------------------------------- zone plan

#[derive(Clone)]
pub struct PlanView {
    pub id: i64,
    pub version_no: i64,
    pub status: &'static str,
    pub status_label: &'static str,
    pub positioning: String,
    pub spatial_structure: String,
    pub industry_layout: String,
    pub land_use: String,
    pub reserved_quota: String,
    pub reserve_note: String,
    pub tasks: Vec<(i64, i64, String)>,
    pub operation_model: String,
    pub created: String,
    pub approved: String,
    pub version: i64,
    pub files: Vec<AttachmentMeta>,
    /// 公共服务布局: the service planner's proposals saved into this version.
    pub layouts: Vec<LayoutView>,
}

/// A saved service layout as the plan page shows it.
#[derive(Clone)]
pub struct LayoutView {
    pub kind: &'static str,
    pub model: &'static str,
    pub radius_km: String,
    pub before: String,
    pub after: String,
    pub gain: i64,
    pub gap_text: String,
    pub method: String,
    pub hub: String,
    pub points: Vec<String>,
    pub saved: String,
}

fn layout_view(snap: &Snapshot, l: &gongfu_store::work::zone_plan::ServiceLayout) -> LayoutView {
    let name = |c: &gongfu_core::VillageCode| {
        snap.division(c)
            .map(|d| d.division.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let share = |covered: i64| {
        format!(
            "{}（{} / {} 人）",
            bp_percent_string(gongfu_core::facilities::share_bp(covered, l.total_weight)),
            covered,
            l.total_weight
        )
    };
    LayoutView {
        kind: l.facility_type.label(),
        model: match l.model.as_str() {
            "pmedian" => "总出行距离最短",
            "lscp" => "最少设施全覆盖",
            "pcenter" => "最远距离最短",
            _ => "覆盖人口最多",
        },
        radius_km: format!("{:.1}", l.radius_m / 1000.0),
        before: share(l.covered_before),
        after: share(l.covered_after),
        gain: l.covered_after - l.covered_before,
        gap_text: l.gap_text.clone(),
        method: l.method.clone(),
        hub: l
            .sites
            .iter()
            .find(|s| s.hub)
            .map(|s| format!("{}（新增覆盖 {} 人）", name(&s.village), s.added))
            .unwrap_or_default(),
        points: l
            .sites
            .iter()
            .filter(|s| !s.hub)
            .map(|s| format!("{}（新增覆盖 {} 人）", name(&s.village), s.added))
            .collect(),
        saved: format!("{} · {}", l.saved_by, crate::views::local_time(&l.saved_at)),
    }
}

fn plan_view(p: &ZonePlan, files: Vec<AttachmentMeta>) -> PlanView {
    PlanView {
        id: p.id,
        version_no: p.version_no,
        status: p.status.key(),
        status_label: p.status.label(),
        positioning: p.content.positioning.clone(),
        spatial_structure: p.content.spatial_structure.clone(),
        industry_layout: p.content.industry_layout.clone(),
        land_use: p.content.land_use.to_string(),
        reserved_quota: p.content.reserved_quota.to_string(),
        reserve_note: p.content.reserve_note.clone(),
        tasks: p
            .tasks
            .iter()
            .map(|t| (t.id, t.seq, t.title.clone()))
            .collect(),
        operation_model: p.content.operation_model.clone(),
        created: format!(
            "{} · {}",
            p.created_by,
            crate::views::local_time(&p.created_at)
        ),
        approved: match (&p.approved_by, &p.approved_at) {
            (Some(b), Some(a)) => format!("{b} · {}", crate::views::local_time(a)),
            _ => String::new(),
        },
        version: p.version,
        files,
        layouts: Vec::new(),
    }
}

/// The draft form's fields as typed.
#[derive(Default)]
pub struct PlanForm {
    pub positioning: String,
    pub spatial_structure: String,
    pub industry_layout: String,
    pub land_use: String,
    pub reserved_quota: String,
    pub reserve_note: String,
    pub tasks: String,
    pub operation_model: String,
    pub version: i64,
}

impl PlanForm {
    fn of(p: &PlanView) -> PlanForm {
        PlanForm {
            positioning: p.positioning.clone(),
            spatial_structure: p.spatial_structure.clone(),
            industry_layout: p.industry_layout.clone(),
            land_use: if p.land_use == "0" {
                String::new()
            } else {
                p.land_use.clone()
            },
            reserved_quota: if p.reserved_quota == "0" {
                String::new()
            } else {
                p.reserved_quota.clone()
            },
            reserve_note: p.reserve_note.clone(),
            tasks: p
                .tasks
                .iter()
                .map(|t| t.2.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            operation_model: p.operation_model.clone(),
            version: p.version,
        }
    }
    fn read(body: &[u8]) -> PlanForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        PlanForm {
            positioning: v("positioning"),
            spatial_structure: v("spatial_structure"),
            industry_layout: v("industry_layout"),
            land_use: v("land_use"),
            reserved_quota: v("reserved_quota"),
            reserve_note: v("reserve_note"),
            tasks: v("tasks"),
            operation_model: v("operation_model"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn draft(&self) -> PlanDraft {
        PlanDraft {
            positioning: self.positioning.clone(),
            spatial_structure: self.spatial_structure.clone(),
            industry_layout: self.industry_layout.clone(),
            land_use: self.land_use.clone(),
            reserved_quota: self.reserved_quota.clone(),
            reserve_note: self.reserve_note.clone(),
            tasks: self.tasks.clone(),
            operation_model: self.operation_model.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "zone_plan.html")]
pub struct PlanPage {
    pub layout: Layout,
    pub zone_id: i64,
    pub zone: String,
    pub in_force: Option<PlanView>,
    /// The version being written or reviewed, if any.
    pub pending: Option<PlanView>,
    pub form: Option<PlanForm>,
    pub versions: Vec<PlanView>,
    /// Projects per task of the plan in force.
    pub task_projects: Vec<(i64, Vec<ProjectRow>)>,
    pub can_manage: bool,
    pub errors: Vec<(String, String)>,
}

impl PlanPage {
    pub fn error_for(&self, field: &str) -> String {
        super::errors_for(&self.errors, field)
    }
    pub fn projects_of(&self, task: &i64) -> Vec<&ProjectRow> {
        self.task_projects
            .iter()
            .filter(|(t, _)| t == task)
            .flat_map(|(_, v)| v.iter())
            .collect()
    }
}

async fn plan_view_page(
    st: &AppState,
    actor: &Actor,
    zone: i64,
    form: Option<PlanForm>,
    errors: Vec<(String, String)>,
) -> Result<PlanPage, PageError> {
    let snap = st.store.snapshot().await?;
    zone_or_404(&snap, zone)?;
    let today = st.today();
    let mut versions = Vec::new();
    for p in st.store.zone_plans(zone).await? {
        let files = st.store.attachments(Owner::Plan(p.id)).await?;
        let mut v = plan_view(&p, files);
        v.layouts = st
            .store
            .service_layouts(p.id)
            .await?
            .iter()
            .map(|l| layout_view(&snap, l))
            .collect();
        versions.push(v);
    }
    let in_force = versions.iter().find(|v| v.status == "approved").cloned();
    let pending = versions
        .iter()
        .find(|v| v.status == "draft" || v.status == "review")
        .cloned();
    let projects = st
        .store
        .projects(&ProjectFilter {
            zone: Some(zone),
            ..Default::default()
        })
        .await?;
    let task_projects = in_force
        .as_ref()
        .map(|p| {
            p.tasks
                .iter()
                .map(|(tid, _, _)| {
                    (
                        *tid,
                        projects
                            .iter()
                            .filter(|x| {
                                x.origin == Some(gongfu_core::work::project::Origin::PlanTask(*tid))
                            })
                            .map(|x| project_row(&snap, x, today))
                            .collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let can = can_manage(actor, &snap, zone);
    let form = form.or_else(|| {
        pending
            .as_ref()
            .filter(|p| p.status == "draft" && can)
            .map(PlanForm::of)
    });
    Ok(PlanPage {
        layout: Layout::new(
            format!("{} · 片区规划", zone_name(&snap, zone)),
            "work",
            snap.is_demo,
        ),
        zone_id: zone,
        zone: zone_name(&snap, zone),
        in_force,
        pending,
        form,
        versions,
        task_projects,
        can_manage: can,
        errors,
    })
}

pub async fn plan_page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(zone): Path<i64>,
) -> Result<PlanPage, PageError> {
    plan_view_page(&st, &actor, zone, None, Vec::new()).await
}

async fn plan_failed(
    st: &AppState,
    actor: &Actor,
    zone: i64,
    form: Option<PlanForm>,
    e: ApiError,
) -> Result<Response, PageError> {
    let status = error_status(&e);
    let errors = field_errors(e);
    Ok((status, plan_view_page(st, actor, zone, form, errors).await?).into_response())
}

pub async fn plan_new_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(zone): Path<i64>,
) -> Result<Response, PageError> {
    match st.store.new_plan_version(&actor, zone).await {
        Ok(_) => Ok(Redirect::to(&format!("/zones/{zone}/plan#draft")).into_response()),
        Err(e) => plan_failed(&st, &actor, zone, None, e.into()).await,
    }
}

async fn plan_zone(st: &AppState, id: i64) -> Result<ZonePlan, PageError> {
    Ok(st
        .store
        .zone_plan(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("规划 {id} 不存在")))?)
}

pub async fn plan_save_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let plan = plan_zone(&st, id).await?;
    let mut form = PlanForm::read(&body);
    let r = async {
        let content = form.draft().parse().map_err(ApiError::invalid)?;
        st.store
            .save_plan(&actor, id, form.version, &content)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{}/plan#draft", plan.zone)).into_response()),
        Err(e) => {
            if e.code == "version_conflict" {
                form.version = plan.version;
            }
            plan_failed(&st, &actor, plan.zone, Some(form), e).await
        }
    }
}

pub async fn plan_step_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let plan = plan_zone(&st, id).await?;
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let r = async {
        let step = PlanStep::parse(&form_value(&p, "step"))?;
        st.store.plan_step(&actor, id, version, step).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{}/plan", plan.zone)).into_response()),
        Err(e) => plan_failed(&st, &actor, plan.zone, None, e).await,
    }
}

pub async fn plan_file_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let plan = plan_zone(&st, id).await?;
    let r = async {
        let (name, bytes) = read_file(mp).await?;
        st.store
            .attach(&actor, Owner::Plan(id), &name, &bytes)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{}/plan", plan.zone)).into_response()),
        Err(e) => plan_failed(&st, &actor, plan.zone, None, e).await,
    }
}

// ---------------------------------------------------------------- chain and report

#[derive(Template, WebTemplate)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    pub layout: Layout,
    pub zone_id: i64,
    pub zone: String,
    pub t: Timeline,
    pub today: Date,
}

impl TimelinePage {
    pub fn date(&self, d: &Date) -> String {
        date_string(*d)
    }
    pub fn late(&self, due: &Date, closed: bool) -> Option<i64> {
        if closed {
            None
        } else {
            gongfu_core::work::days_late(*due, self.today)
        }
    }
}

pub async fn timeline_page(
    State(st): State<AppState>,
    Path(zone): Path<i64>,
) -> Result<TimelinePage, PageError> {
    let snap = st.store.snapshot().await?;
    zone_or_404(&snap, zone)?;
    let t = st.store.timeline(zone).await?;
    Ok(TimelinePage {
        layout: Layout::new(
            format!("{} · 工作链条", zone_name(&snap, zone)),
            "work",
            snap.is_demo,
        ),
        zone_id: zone,
        zone: zone_name(&snap, zone),
        t,
        today: st.today(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub zone_id: i64,
    pub zone: String,
    pub key_village: String,
    pub members: usize,
    pub day: String,
    pub w: ZoneWork,
    pub sources: Vec<SourceRow>,
    pub plan: String,
    pub positioning: String,
    pub projects: Vec<ProjectRow>,
    pub overdue_actions: Vec<ActionRow>,
    pub last_meetings: Vec<(String, String, usize)>,
}

pub async fn report_page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(zone): Path<i64>,
) -> Result<ReportPage, PageError> {
    let snap = st.store.snapshot().await?;
    zone_or_404(&snap, zone)?;
    let today = st.today();
    let z = snap.zone(ZoneId(zone)).expect("checked above");
    let (zones, _) = st.store.work_summary(today).await?;
    let w = zones
        .into_iter()
        .find(|w| w.zone == zone)
        .unwrap_or(ZoneWork {
            zone,
            ..Default::default()
        });
    let plan = st.store.plan_in_force(zone).await?;
    let mut projects = st
        .store
        .projects(&ProjectFilter {
            zone: Some(zone),
            ..Default::default()
        })
        .await?;
    projects.sort_by_key(|p| {
        (
            p.days_overdue(today).is_none(),
            p.status.is_complete(),
            p.id,
        )
    });
    let actions = st
        .store
        .actions(&ActionFilter {
            zone: Some(zone),
            overdue_on: Some(today),
            ..Default::default()
        })
        .await?;
    let meetings = st.store.meetings(Some(zone)).await?;
    Ok(ReportPage {
        layout: Layout::new(format!("{} · 工作进度报告", z.name), "work", snap.is_demo),
        zone_id: zone,
        zone: z.name.clone(),
        key_village: snap
            .division(&z.key_village)
            .map(|d| d.division.name.clone())
            .unwrap_or_default(),
        members: snap.members(ZoneId(zone), today).len(),
        day: date_string(today),
        sources: source_rows(&w),
        w,
        plan: plan
            .as_ref()
            .map(|p| {
                format!(
                    "第 {} 版（{} 批复）",
                    p.version_no,
                    p.approved_at
                        .as_deref()
                        .map(crate::views::local_time)
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "尚无已批复的规划".into()),
        positioning: plan.map(|p| p.content.positioning).unwrap_or_default(),
        projects: projects
            .iter()
            .map(|p| project_row(&snap, p, today))
            .collect(),
        overdue_actions: actions
            .iter()
            .map(|a| action_row(&snap, a, today, &actor))
            .collect(),
        last_meetings: meetings
            .iter()
            .take(3)
            .map(|m| (date_string(m.held_on), m.title.clone(), m.decisions.len()))
            .collect(),
    })
}
