//! 项目清单 (projects): the list with filters, the form for a new project (also from a plan
//! task or a meeting decision), the detail page with its status moves, sub-items, milestones
//! and their evidence.

use super::villages::{Opt, opt};
use super::work::{can_manage, money, zone_filter_opts, zone_name};
use super::{Layout, error_status, field_errors, form_pairs, form_value, form_values};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::work_api::{ProjectQuery, parse_items, read_file};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::village::date_string;
use gongfu_core::work::Mechanism;
use gongfu_core::work::project::{
    FundSource, MilestoneDraft, Origin, Project, ProjectDraft, ProjectKind, ProjectStatus,
};
use gongfu_core::{Fen, ZoneId};
use gongfu_store::work::attachments::{AttachmentMeta, Owner};
use gongfu_store::{Actor, Snapshot};
use time::Date;

/// One project as a row.
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub zone_id: i64,
    pub zone: String,
    pub mechanism: &'static str,
    pub kind: &'static str,
    pub lead_unit: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub progress: u8,
    pub planned: String,
    pub actual: String,
    pub end: String,
    pub overdue: Option<i64>,
}

pub fn project_row(snap: &Snapshot, p: &Project, today: Date) -> ProjectRow {
    ProjectRow {
        id: p.id,
        name: p.name.clone(),
        zone_id: p.zone,
        zone: zone_name(snap, p.zone),
        mechanism: p.mechanism.label(),
        kind: p.kind.label(),
        lead_unit: p.lead_unit.clone(),
        status: p.status.key(),
        status_label: p.status.label(),
        progress: p.progress().get(),
        planned: money(p.investment.planned_total()),
        actual: money(p.investment.actual_total()),
        end: p.end.map(date_string).unwrap_or_else(|| "—".into()),
        overdue: p.days_overdue(today),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "projects.html")]
pub struct ProjectsPage {
    pub layout: Layout,
    pub rows: Vec<ProjectRow>,
    pub zones: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub mechanisms: Vec<Opt>,
    pub overdue: bool,
    pub planned: String,
    pub actual: String,
    pub query: String,
    pub can_create: bool,
    pub zone: String,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<ProjectQuery>,
) -> Result<ProjectsPage, PageError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let projects = st.store.projects(&filter).await?;
    let planned: Fen = projects.iter().map(|p| p.investment.planned_total()).sum();
    let actual: Fen = projects.iter().map(|p| p.investment.actual_total()).sum();
    let zone = q.zone.clone().unwrap_or_default();
    let status = q.status.clone().unwrap_or_default();
    let mechanism = q.mechanism.clone().unwrap_or_default();
    let mut statuses = vec![opt("", "全部状态", &status)];
    statuses.extend(ProjectStatus::ALL.map(|s| opt(s.key(), s.label(), &status)));
    let mut mechanisms = vec![opt("", "全部机制", &mechanism)];
    mechanisms.extend(Mechanism::ALL.map(|m| opt(m.key(), m.label(), &mechanism)));
    let zones = zone_filter_opts(&snap, today, &zone);
    let overdue = filter.overdue_on.is_some();
    let layout = Layout::new("项目清单", "work", snap.is_demo);
    let can_create = layout.can("zones") || layout.role == "department";
    Ok(ProjectsPage {
        layout,
        rows: projects
            .iter()
            .map(|p| project_row(&snap, p, today))
            .collect(),
        zones,
        statuses,
        mechanisms,
        overdue,
        planned: money(planned),
        actual: money(actual),
        query: super::query_string(&[
            ("zone", &q.zone),
            ("status", &q.status),
            ("mechanism", &q.mechanism),
            ("overdue", &q.overdue),
        ]),
        can_create,
        zone,
    })
}

// ---------------------------------------------------------------- form

/// What the form holds, as typed.
#[derive(Default, Clone)]
pub struct ProjectForm {
    pub zone: String,
    pub status: String,
    pub origin: String,
    pub draft: ProjectDraftView,
    pub version: i64,
}

/// The draft's fields, for the template.
#[derive(Default, Clone)]
pub struct ProjectDraftView {
    pub name: String,
    pub mechanism: String,
    pub kind: String,
    pub lead_unit: String,
    pub villages: Vec<String>,
    pub planned: [String; 3],
    pub actual: [String; 3],
    pub start: String,
    pub end: String,
    pub progress: String,
    pub note: String,
}

impl ProjectDraftView {
    fn to_draft(&self) -> ProjectDraft {
        ProjectDraft {
            name: self.name.clone(),
            mechanism: self.mechanism.clone(),
            kind: self.kind.clone(),
            lead_unit: self.lead_unit.clone(),
            villages: self.villages.join(","),
            planned_fiscal: self.planned[0].clone(),
            planned_collective: self.planned[1].clone(),
            planned_social: self.planned[2].clone(),
            actual_fiscal: self.actual[0].clone(),
            actual_collective: self.actual[1].clone(),
            actual_social: self.actual[2].clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            progress: self.progress.clone(),
            note: self.note.clone(),
        }
    }
    fn of(p: &Project) -> ProjectDraftView {
        let yuan = |f: Fen| {
            if f == Fen::ZERO {
                String::new()
            } else {
                f.yuan_string().replace(',', "")
            }
        };
        ProjectDraftView {
            name: p.name.clone(),
            mechanism: p.mechanism.key().into(),
            kind: p.kind.key().into(),
            lead_unit: p.lead_unit.clone(),
            villages: p.villages.iter().map(|v| v.to_string()).collect(),
            planned: FundSource::ALL.map(|s| yuan(p.investment.planned_of(s))),
            actual: FundSource::ALL.map(|s| yuan(p.investment.actual_of(s))),
            start: p.start.map(date_string).unwrap_or_default(),
            end: p.end.map(date_string).unwrap_or_default(),
            progress: p.reported_progress.get().to_string(),
            note: p.note.clone(),
        }
    }
}

fn read_form(body: &[u8]) -> ProjectForm {
    let p = form_pairs(body);
    let v = |k: &str| form_value(&p, k);
    ProjectForm {
        zone: v("zone"),
        status: v("status"),
        origin: v("origin"),
        draft: ProjectDraftView {
            name: v("name"),
            mechanism: v("mechanism"),
            kind: v("kind"),
            lead_unit: v("lead_unit"),
            villages: form_values(&p, "villages"),
            planned: [
                v("planned_fiscal"),
                v("planned_collective"),
                v("planned_social"),
            ],
            actual: [
                v("actual_fiscal"),
                v("actual_collective"),
                v("actual_social"),
            ],
            start: v("start"),
            end: v("end"),
            progress: v("progress"),
            note: v("note"),
        },
        version: v("version").parse().unwrap_or(0),
    }
}

pub struct VillageCheck {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "project_form.html")]
pub struct ProjectFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub new: bool,
    pub zone_name: String,
    pub v: ProjectForm,
    pub mechanisms: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub villages: Vec<VillageCheck>,
    pub origin_label: String,
    pub errors: Vec<(String, String)>,
}

error_for!(ProjectFormPage);

/// Where a new project says it came from, as the form carries it (`task:12`, `decision:7`).
fn parse_origin(s: &str) -> Option<Origin> {
    let (kind, id) = s.split_once(':')?;
    let id: i64 = id.parse().ok()?;
    match kind {
        "task" => Some(Origin::PlanTask(id)),
        "decision" => Some(Origin::Decision(id)),
        _ => None,
    }
}

async fn origin_label(
    st: &AppState,
    zone: i64,
    origin: Option<Origin>,
) -> Result<String, PageError> {
    Ok(match origin {
        None => String::new(),
        Some(Origin::Decision(d)) => {
            let meetings = st.store.meetings(None).await?;
            meetings
                .iter()
                .find_map(|m| {
                    m.decisions.iter().find(|x| x.id == d).map(|x| {
                        format!(
                            "会议「{}」（{}）第 {} 条决定：{}",
                            m.title,
                            date_string(m.held_on),
                            x.seq,
                            x.text
                        )
                    })
                })
                .unwrap_or_else(|| format!("决定事项 {d}"))
        }
        Some(Origin::PlanTask(t)) => {
            let mut found = None;
            for p in st.store.zone_plans(zone).await? {
                if let Some(task) = p.tasks.iter().find(|x| x.id == t) {
                    found = Some(format!(
                        "第 {} 版片区规划 · 建设任务 {}：{}",
                        p.version_no, task.seq, task.title
                    ));
                }
            }
            found.unwrap_or_else(|| format!("规划建设任务 {t}"))
        }
    })
}

async fn form_page(
    st: &AppState,
    snap: &Snapshot,
    id: Option<i64>,
    v: ProjectForm,
    errors: Vec<(String, String)>,
) -> Result<ProjectFormPage, PageError> {
    let zone: i64 = v.zone.parse().unwrap_or(0);
    let today = st.today();
    let members: Vec<VillageCheck> = super::work::zone_members(snap, zone, today)
        .into_iter()
        .map(|(code, name)| VillageCheck {
            checked: v.draft.villages.contains(&code),
            code,
            name,
        })
        .collect();
    let mut kinds = vec![opt("", "请选择", &v.draft.kind)];
    kinds.extend(ProjectKind::ALL.map(|k| opt(k.key(), k.label(), &v.draft.kind)));
    let mut mechanisms = vec![opt("", "请选择", &v.draft.mechanism)];
    mechanisms.extend(Mechanism::ALL.map(|m| opt(m.key(), m.label(), &v.draft.mechanism)));
    let status = if v.status.is_empty() {
        "conceived".to_string()
    } else {
        v.status.clone()
    };
    let statuses: Vec<Opt> = ProjectStatus::ALL
        .iter()
        .map(|s| opt(s.key(), s.label(), &status))
        .collect();
    let origin = origin_label(st, zone, parse_origin(&v.origin)).await?;
    let f = super::form_frame(id, "编辑项目", "新建项目", &v.draft.name, "/projects");
    Ok(ProjectFormPage {
        layout: Layout::new(f.title, "work", snap.is_demo),
        heading: f.heading,
        action: f.action,
        cancel: match id {
            Some(_) => f.cancel,
            None => format!("/projects?zone={zone}"),
        },
        new: id.is_none(),
        zone_name: zone_name(snap, zone),
        v,
        mechanisms,
        kinds,
        statuses,
        villages: members,
        origin_label: origin,
        errors,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    pub zone: Option<String>,
    pub decision: Option<String>,
    pub task: Option<String>,
}

pub async fn new_form(
    State(st): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let zone = q.zone.clone().unwrap_or_default();
    let Ok(zid) = zone.parse::<i64>() else {
        return Ok(Redirect::to("/work").into_response());
    };
    if snap.zone(ZoneId(zid)).is_none() {
        return Err(ApiError::not_found(format!("片区 {zid} 不存在")).into());
    }
    let origin = match (q.decision.as_deref(), q.task.as_deref()) {
        (Some(d), _) if !d.is_empty() => format!("decision:{d}"),
        (_, Some(t)) if !t.is_empty() => format!("task:{t}"),
        _ => String::new(),
    };
    let v = ProjectForm {
        zone,
        origin,
        ..Default::default()
    };
    Ok(form_page(&st, &snap, None, v, Vec::new())
        .await?
        .into_response())
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = read_form(&body);
    let result = async {
        let zone: i64 = v
            .zone
            .parse()
            .map_err(|_| ApiError::bad_request("请选择片区"))?;
        let spec = v.draft.to_draft().parse().map_err(ApiError::invalid)?;
        let status = ProjectStatus::parse(if v.status.is_empty() {
            "conceived"
        } else {
            &v.status
        })?;
        let id = st
            .store
            .create_project(&actor, zone, &spec, status, parse_origin(&v.origin))
            .await?;
        Ok::<i64, ApiError>(id)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let status = error_status(&e);
            Ok((
                status,
                form_page(&st, &snap, None, v, field_errors(e)).await?,
            )
                .into_response())
        }
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ProjectFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let p = project_or_404(&st, id).await?;
    let v = ProjectForm {
        zone: p.zone.to_string(),
        status: p.status.key().into(),
        origin: String::new(),
        draft: ProjectDraftView::of(&p),
        version: p.version,
    };
    form_page(&st, &snap, Some(id), v, Vec::new()).await
}

async fn project_or_404(st: &AppState, id: i64) -> Result<Project, PageError> {
    Ok(st
        .store
        .project(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("项目 {id} 不存在")))?
        .project)
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = read_form(&body);
    let result = async {
        let spec = v.draft.to_draft().parse().map_err(ApiError::invalid)?;
        st.store
            .update_project(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let current = project_or_404(&st, id).await?;
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                let now = ProjectDraftView::of(&current);
                format!(
                    "当前内容：名称「{}」，牵头单位「{}」，计划完工 {}，计划投资 {} 万元，状态「{}」。",
                    now.name,
                    now.lead_unit,
                    if now.end.is_empty() { "—" } else { &now.end },
                    money(current.investment.planned_total()),
                    current.status.label()
                )
            });
            v.zone = current.zone.to_string();
            Ok((status, form_page(&st, &snap, Some(id), v, errors).await?).into_response())
        }
    }
}

// ---------------------------------------------------------------- detail

pub struct MilestoneRow {
    pub id: i64,
    pub name: String,
    pub due: String,
    pub done_on: String,
    pub note: String,
    pub overdue: Option<i64>,
    pub version: i64,
    pub evidence: Vec<AttachmentMeta>,
}

pub struct ItemRow {
    pub name: String,
    pub weight: u32,
    pub progress: u8,
}

pub struct InvestRow {
    pub source: &'static str,
    pub planned: String,
    pub actual: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "project.html")]
pub struct ProjectPage {
    pub layout: Layout,
    pub r: ProjectRow,
    pub p: Project,
    pub villages: Vec<(String, String)>,
    pub invest: Vec<InvestRow>,
    pub items: Vec<ItemRow>,
    pub milestones: Vec<MilestoneRow>,
    pub next: Vec<Opt>,
    pub origin: String,
    pub origin_link: String,
    pub can_edit: bool,
    pub errors: Vec<String>,
    pub today: String,
    pub changes: Vec<gongfu_store::accounts::AuditEntry>,
}

pub async fn detail(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
) -> Result<ProjectPage, PageError> {
    detail_page(&st, &actor, id, Vec::new()).await
}

async fn detail_page(
    st: &AppState,
    actor: &Actor,
    id: i64,
    errors: Vec<String>,
) -> Result<ProjectPage, PageError> {
    let snap = st.store.snapshot().await?;
    let today = st.today();
    let d = st
        .store
        .project(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("项目 {id} 不存在")))?;
    let p = d.project;
    let mut milestones = Vec::new();
    for m in &d.milestones {
        milestones.push(MilestoneRow {
            id: m.id,
            name: m.name.clone(),
            due: date_string(m.due),
            done_on: m.done_on.map(date_string).unwrap_or_default(),
            note: m.note.clone(),
            overdue: m.days_overdue(today),
            version: m.version,
            evidence: st.store.attachments(Owner::Milestone(m.id)).await?,
        });
    }
    let origin = origin_label(st, p.zone, p.origin).await?;
    let origin_link = match p.origin {
        Some(Origin::Decision(d)) => {
            let meetings = st.store.meetings(Some(p.zone)).await?;
            meetings
                .iter()
                .find(|m| m.decisions.iter().any(|x| x.id == d))
                .map(|m| format!("/meetings/{}", m.id))
                .unwrap_or_default()
        }
        Some(Origin::PlanTask(_)) => format!("/zones/{}/plan", p.zone),
        None => String::new(),
    };
    let lead =
        matches!(&actor.role, gongfu_core::auth::Role::Department { unit } if *unit == p.lead_unit);
    Ok(ProjectPage {
        layout: Layout::new(p.name.clone(), "work", snap.is_demo),
        r: project_row(&snap, &p, today),
        villages: p
            .villages
            .iter()
            .map(|v| {
                (
                    v.to_string(),
                    snap.division(v)
                        .map(|d| d.division.name.clone())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        invest: FundSource::ALL
            .iter()
            .map(|s| InvestRow {
                source: s.label(),
                planned: money(p.investment.planned_of(*s)),
                actual: money(p.investment.actual_of(*s)),
            })
            .collect(),
        items: p
            .items
            .iter()
            .map(|i| ItemRow {
                name: i.name.clone(),
                weight: i.weight,
                progress: i.progress.get(),
            })
            .collect(),
        milestones,
        next: p
            .status
            .next()
            .iter()
            .map(|s| opt(s.key(), s.label(), ""))
            .collect(),
        origin,
        origin_link,
        can_edit: lead || can_manage(actor, &snap, p.zone),
        p,
        errors,
        today: date_string(today),
        changes: st.store.history("project", &id.to_string()).await?,
    })
}

/// Answers a failed write on the detail page: the page again, with the reason on top.
async fn with_error(
    st: &AppState,
    actor: &Actor,
    id: i64,
    e: ApiError,
) -> Result<Response, PageError> {
    let status = error_status(&e);
    let msgs = field_errors(e).into_iter().map(|(_, m)| m).collect();
    Ok((status, detail_page(st, actor, id, msgs).await?).into_response())
}

pub async fn status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let r = async {
        let to = ProjectStatus::parse(&form_value(&p, "status"))?;
        st.store.move_project(&actor, id, version, to).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}")).into_response()),
        Err(e) => with_error(&st, &actor, id, e).await,
    }
}

pub async fn items_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let names = form_values(&p, "item_name");
    let weights = form_values(&p, "item_weight");
    let progress = form_values(&p, "item_progress");
    // Rows left blank (the spare row of the form) are not items.
    let raw: Vec<(String, String, String)> = names
        .into_iter()
        .zip(weights)
        .zip(progress)
        .map(|((n, w), p)| (n, w, p))
        .filter(|(n, w, p)| !(n.trim().is_empty() && w.trim().is_empty() && p.trim().is_empty()))
        .collect();
    let r = async {
        let items = parse_items(&raw).map_err(ApiError::invalid)?;
        st.store
            .set_project_items(&actor, id, version, &items)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}#items")).into_response()),
        Err(e) => with_error(&st, &actor, id, e).await,
    }
}

fn milestone_draft(p: &[(String, String)]) -> MilestoneDraft {
    MilestoneDraft {
        name: form_value(p, "name"),
        due: form_value(p, "due"),
        done_on: form_value(p, "done_on"),
        note: form_value(p, "note"),
    }
}

pub async fn milestone_add(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let r = async {
        let spec = milestone_draft(&p).parse().map_err(ApiError::invalid)?;
        st.store.add_milestone(&actor, id, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}#milestones")).into_response()),
        Err(e) => with_error(&st, &actor, id, e).await,
    }
}

pub async fn milestone_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((id, mid)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let r = async {
        let spec = milestone_draft(&p).parse().map_err(ApiError::invalid)?;
        st.store
            .update_milestone(&actor, mid, version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}#milestones")).into_response()),
        Err(e) => with_error(&st, &actor, id, e).await,
    }
}

/// Evidence on a milestone: a multipart form with the CSRF token and the file.
pub async fn evidence_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((id, mid)): Path<(i64, i64)>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let r = async {
        let (name, bytes) = read_file(mp).await?;
        st.store
            .attach(&actor, Owner::Milestone(mid), &name, &bytes)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/projects/{id}#milestones")).into_response()),
        Err(e) => with_error(&st, &actor, id, e).await,
    }
}
