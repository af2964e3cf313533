//! The JSON API of zone work (issue 6): zone plans and their approval, projects with status,
//! sub-items and milestones, the joint committee, meetings and their decisions, action items,
//! actors, evidence files, the zone chain and the work summary. Handlers parse, call the
//! store, answer; labels are Chinese beside the machine keys.

use crate::AppState;
use crate::api::present;
use crate::api::{RequestActor, file_response};
use crate::error::{ApiError, JsonBody, PathParam};
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::DomainError;
use gongfu_core::village::date_string;
use gongfu_core::work::actor::{Actor as Participant, ActorDraft, parse_zone_role};
use gongfu_core::work::committee::{
    ActionDraft, ActionItem, ActionStatus, CommitteeMember, Meeting, MeetingDraft, MemberDraft,
};
use gongfu_core::work::plan::{PlanDraft, PlanStep};
use gongfu_core::work::project::{
    FundSource, Milestone, MilestoneDraft, Origin, Project, ProjectDraft, ProjectStatus, SubItem,
    parse_item_name, parse_weight,
};
use gongfu_core::work::{Mechanism, Percent};
use gongfu_store::Snapshot;
use gongfu_store::work::attachments::{AttachmentMeta, Owner};
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::work::summary::ZoneWork;
use gongfu_store::work::zone_plan::ZonePlan;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/zones/{id}/plan", get(zone_plan))
        .route("/api/v1/zones/{id}/plan/versions", post(new_plan_version))
        .route("/api/v1/plans/{id}", put(save_plan))
        .route("/api/v1/plans/{id}/step", post(plan_step))
        .route("/api/v1/projects", get(list_projects).post(create_project))
        .route(
            "/api/v1/projects/{id}",
            get(get_project).put(update_project),
        )
        .route("/api/v1/projects/{id}/status", post(move_project))
        .route("/api/v1/projects/{id}/items", put(set_items))
        .route("/api/v1/projects/{id}/milestones", post(add_milestone))
        .route("/api/v1/milestones/{id}", put(update_milestone))
        .route(
            "/api/v1/zones/{id}/committee",
            get(committee).post(add_member),
        )
        .route("/api/v1/committee/{id}/retire", post(retire_member))
        .route("/api/v1/meetings", get(list_meetings).post(record_meeting))
        .route(
            "/api/v1/meetings/{id}",
            get(get_meeting).put(update_meeting),
        )
        .route("/api/v1/actions", get(list_actions).post(create_action))
        .route("/api/v1/actions/{id}", get(get_action).put(update_action))
        .route("/api/v1/actions/{id}/status", post(action_status))
        .route("/api/v1/actors", get(list_actors).post(create_actor))
        .route("/api/v1/actors/{id}", get(get_actor).put(update_actor))
        .route(
            "/api/v1/zones/{zone}/actors/{actor}",
            put(set_zone_role).delete(end_zone_role),
        )
        .route("/api/v1/zones/{id}/timeline", get(timeline))
        .route("/api/v1/work/summary", get(summary))
        .route("/api/v1/attachments", post(upload))
        .route("/api/v1/attachments/{id}", get(download))
}

fn zone_ref(snap: &Snapshot, zone: i64) -> Value {
    let name = snap
        .zone(gongfu_core::ZoneId(zone))
        .map(|z| z.name.clone())
        .unwrap_or_default();
    json!({"id": zone, "name": name})
}

fn fen_by_source(v: &[gongfu_core::Fen; 3]) -> Value {
    let mut m = serde_json::Map::new();
    for s in FundSource::ALL {
        m.insert(format!("{}_fen", s.key()), json!(v[s as usize].0));
    }
    m.insert(
        "total_fen".into(),
        json!(v.iter().map(|f| f.0).sum::<i64>()),
    );
    Value::Object(m)
}

pub fn project_json(snap: &Snapshot, p: &Project, today: Date) -> Value {
    json!({
        "id": p.id,
        "zone": zone_ref(snap, p.zone),
        "name": p.name,
        "mechanism": p.mechanism.key(),
        "mechanism_label": p.mechanism.label(),
        "kind": p.kind.key(),
        "kind_label": p.kind.label(),
        "lead_unit": p.lead_unit,
        "villages": p.villages.iter().map(|v| json!({
            "code": v.as_str(),
            "name": snap.division(v).map(|d| d.division.name.clone()).unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "planned": fen_by_source(&p.investment.planned),
        "actual": fen_by_source(&p.investment.actual),
        "start": p.start.map(date_string),
        "end": p.end.map(date_string),
        "status": p.status.key(),
        "status_label": p.status.label(),
        "next_statuses": p.status.next().iter().map(|s| json!({"status": s.key(), "label": s.label()})).collect::<Vec<_>>(),
        "progress": p.progress().get(),
        "reported_progress": p.reported_progress.get(),
        "items": p.items,
        "days_overdue": p.days_overdue(today),
        "origin": p.origin,
        "note": p.note,
        "version": p.version,
    })
}

fn milestone_json(m: &Milestone, today: Date) -> Value {
    json!({
        "id": m.id, "project": m.project, "name": m.name, "due": date_string(m.due),
        "done_on": m.done_on.map(date_string), "note": m.note,
        "days_overdue": m.days_overdue(today), "version": m.version,
    })
}

pub fn action_json(snap: &Snapshot, a: &ActionItem, today: Date) -> Value {
    json!({
        "id": a.id, "zone": zone_ref(snap, a.zone), "decision": a.decision, "title": a.title,
        "owner_unit": a.owner_unit, "owner_user": a.owner_user, "due": date_string(a.due),
        "status": a.status.key(), "status_label": a.status.label(),
        "done_on": a.done_on.map(date_string), "result": a.result,
        "days_overdue": a.days_overdue(today), "version": a.version,
    })
}

fn meeting_json(snap: &Snapshot, m: &Meeting) -> Value {
    json!({
        "id": m.id, "zone": zone_ref(snap, m.zone), "held_on": date_string(m.held_on),
        "title": m.title, "location": m.location, "attendees": m.attendees, "agenda": m.agenda,
        "minutes": m.minutes, "decisions": m.decisions, "version": m.version,
    })
}

fn plan_json(p: &ZonePlan) -> Value {
    json!({
        "id": p.id, "zone": p.zone, "version_no": p.version_no, "status": p.status.key(),
        "status_label": p.status.label(),
        "positioning": p.content.positioning, "spatial_structure": p.content.spatial_structure,
        "industry_layout": p.content.industry_layout,
        "land_use_mu": p.content.land_use.to_string(),
        "reserved_quota_mu": p.content.reserved_quota.to_string(),
        "reserve_note": p.content.reserve_note, "operation_model": p.content.operation_model,
        "tasks": p.tasks, "created_by": p.created_by, "created_at": p.created_at,
        "approved_by": p.approved_by, "approved_at": p.approved_at, "version": p.version,
    })
}

fn member_json(m: &CommitteeMember) -> Value {
    json!({
        "id": m.id, "zone": m.zone, "person": m.person, "unit": m.unit, "role": m.role.key(),
        "role_label": m.role.label(), "title": m.title, "active": m.active,
    })
}

fn actor_json(a: &Participant) -> Value {
    json!({
        "id": a.id, "name": a.name, "kind": a.kind.key(), "kind_label": a.kind.label(),
        "credit_code": a.credit_code.as_str(), "contact_person": a.contact_person,
        "phone": a.phone, "address": a.address, "note": a.note, "version": a.version,
    })
}

fn attachment_json(a: &AttachmentMeta) -> Value {
    json!({
        "id": a.id, "owner_kind": a.owner_kind, "owner_id": a.owner_id, "file_name": a.file_name,
        "content_type": a.content_type, "size_bytes": a.size_bytes, "sha256": a.sha256,
        "uploaded_by": a.uploaded_by, "uploaded_at": a.uploaded_at,
        "url": format!("/api/v1/attachments/{}", a.id),
    })
}

fn known_zone(snap: &Snapshot, zone: i64) -> Result<(), ApiError> {
    snap.zone(gongfu_core::ZoneId(zone))
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")))
}

fn parse_id(field: &str, s: &str, what: &str) -> Result<i64, ApiError> {
    s.trim().parse::<i64>().map_err(|_| {
        DomainError::new(
            "invalid_id",
            field,
            format!("{what}「{}」无效：应为整数", s.trim()),
        )
        .into()
    })
}

fn is_true(s: &Option<String>) -> bool {
    matches!(present(s), Some("true" | "1" | "yes" | "on"))
}

// ---- zone plans ----

async fn zone_plan(
    State(st): State<AppState>,
    PathParam(zone): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    known_zone(&snap, zone)?;
    let versions = st.store.zone_plans(zone).await?;
    let in_force = versions
        .iter()
        .find(|p| p.status == gongfu_core::work::plan::PlanStatus::Approved);
    Ok(Json(json!({
        "zone": zone_ref(&snap, zone),
        "in_force": in_force.map(plan_json),
        "versions": versions.iter().map(plan_json).collect::<Vec<_>>(),
    })))
}

async fn new_plan_version(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(zone): PathParam<i64>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = st.store.new_plan_version(&actor, zone).await?;
    let p = st
        .store
        .zone_plan(id)
        .await?
        .ok_or_else(|| ApiError::not_found("规划不存在"))?;
    Ok((StatusCode::CREATED, Json(plan_json(&p))))
}

pub type PlanBody = crate::api::Versioned<PlanDraft>;

async fn save_plan(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<PlanBody>,
) -> Result<Json<Value>, ApiError> {
    let content = b.draft.parse().map_err(ApiError::invalid)?;
    st.store.save_plan(&actor, id, b.version, &content).await?;
    let p = st
        .store
        .zone_plan(id)
        .await?
        .ok_or_else(|| ApiError::not_found("规划不存在"))?;
    Ok(Json(plan_json(&p)))
}

#[derive(Deserialize)]
pub struct StepBody {
    pub step: String,
    pub version: i64,
}

async fn plan_step(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<Value>, ApiError> {
    let step = PlanStep::parse(&b.step)?;
    st.store.plan_step(&actor, id, b.version, step).await?;
    let p = st
        .store
        .zone_plan(id)
        .await?
        .ok_or_else(|| ApiError::not_found("规划不存在"))?;
    Ok(Json(plan_json(&p)))
}

// ---- projects ----

#[derive(Deserialize, Default)]
pub struct ProjectQuery {
    pub zone: Option<String>,
    pub status: Option<String>,
    pub mechanism: Option<String>,
    pub overdue: Option<String>,
    pub village: Option<String>,
    pub lead_unit: Option<String>,
}

impl ProjectQuery {
    pub fn parse(&self, today: Date) -> Result<ProjectFilter, ApiError> {
        let mut errors = Vec::new();
        let mut f = ProjectFilter::default();
        if let Some(z) = present(&self.zone) {
            f.zone = Some(parse_id("zone", z, "片区编号")?);
        }
        if let Some(s) = present(&self.status) {
            f.status = ProjectStatus::parse(s).map_err(|e| errors.push(e)).ok();
        }
        if let Some(m) = present(&self.mechanism) {
            f.mechanism = Mechanism::parse(m).map_err(|e| errors.push(e)).ok();
        }
        if let Some(v) = present(&self.village) {
            f.village = gongfu_core::VillageCode::parse(v)
                .map_err(|e| errors.push(e))
                .ok();
        }
        f.lead_unit = present(&self.lead_unit).map(str::to_string);
        if is_true(&self.overdue) {
            f.overdue_on = Some(today);
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

async fn list_projects(
    State(st): State<AppState>,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<Value>, ApiError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let items: Vec<Value> = st
        .store
        .projects(&filter)
        .await?
        .iter()
        .map(|p| project_json(&snap, p, today))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn project_detail_json(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let today = st.today();
    let snap = st.store.snapshot().await?;
    let d = st
        .store
        .project(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("项目 {id} 不存在")))?;
    let mut v = project_json(&snap, &d.project, today);
    let mut ms = Vec::new();
    for m in &d.milestones {
        let mut j = milestone_json(m, today);
        j["evidence"] = json!(
            st.store
                .attachments(Owner::Milestone(m.id))
                .await?
                .iter()
                .map(attachment_json)
                .collect::<Vec<_>>()
        );
        ms.push(j);
    }
    v["milestones"] = json!(ms);
    Ok(v)
}

async fn get_project(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(project_detail_json(&st, id).await?))
}

/// Where a new project came from, as the API takes it.
#[derive(Deserialize)]
pub struct OriginBody {
    pub kind: String,
    pub id: i64,
}

impl OriginBody {
    fn parse(&self) -> Result<Origin, ApiError> {
        match self.kind.as_str() {
            "plan_task" => Ok(Origin::PlanTask(self.id)),
            "decision" => Ok(Origin::Decision(self.id)),
            other => Err(DomainError::new(
                "invalid_origin",
                "origin",
                format!("来源类型「{other}」无效：应为 plan_task 或 decision"),
            )
            .into()),
        }
    }
}

#[derive(Deserialize)]
pub struct NewProjectBody {
    pub zone: i64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub origin: Option<OriginBody>,
    #[serde(flatten)]
    pub draft: ProjectDraft,
}

async fn create_project(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<NewProjectBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    let status = match b.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => ProjectStatus::parse(s)?,
        None => ProjectStatus::Conceived,
    };
    let origin = b.origin.as_ref().map(OriginBody::parse).transpose()?;
    let id = st
        .store
        .create_project(&actor, b.zone, &spec, status, origin)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(project_detail_json(&st, id).await?),
    ))
}

pub type ProjectBody = crate::api::Versioned<ProjectDraft>;

async fn update_project(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ProjectBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store
        .update_project(&actor, id, b.version, &spec)
        .await?;
    Ok(Json(project_detail_json(&st, id).await?))
}

#[derive(Deserialize)]
pub struct StatusBody {
    pub status: String,
    pub version: i64,
    #[serde(default)]
    pub result: String,
}

async fn move_project(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let to = ProjectStatus::parse(&b.status)?;
    st.store.move_project(&actor, id, b.version, to).await?;
    Ok(Json(project_detail_json(&st, id).await?))
}

#[derive(Deserialize)]
pub struct ItemBody {
    pub name: String,
    pub weight: i64,
    pub progress: i64,
}

#[derive(Deserialize)]
pub struct ItemsBody {
    pub items: Vec<ItemBody>,
    pub version: i64,
}

/// Parses sub-items, naming each bad one by its place (`items[2].weight`).
pub fn parse_items(items: &[(String, String, String)]) -> Result<Vec<SubItem>, Vec<DomainError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, (name, weight, progress)) in items.iter().enumerate() {
        let at = |mut e: DomainError, f: &str| {
            e.field = format!("items[{i}].{f}");
            e
        };
        let name = parse_item_name(name)
            .map_err(|e| errors.push(at(e, "name")))
            .ok();
        let weight = parse_weight(weight, "weight")
            .map_err(|e| errors.push(at(e, "weight")))
            .ok();
        let progress = Percent::parse(progress, "progress")
            .map_err(|e| errors.push(at(e, "progress")))
            .ok();
        if let (Some(name), Some(weight), Some(progress)) = (name, weight, progress) {
            out.push(SubItem {
                name,
                weight,
                progress,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn set_items(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ItemsBody>,
) -> Result<Json<Value>, ApiError> {
    let raw: Vec<(String, String, String)> = b
        .items
        .iter()
        .map(|i| (i.name.clone(), i.weight.to_string(), i.progress.to_string()))
        .collect();
    let items = parse_items(&raw).map_err(ApiError::invalid)?;
    st.store
        .set_project_items(&actor, id, b.version, &items)
        .await?;
    Ok(Json(project_detail_json(&st, id).await?))
}

async fn add_milestone(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<MilestoneDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    st.store.add_milestone(&actor, id, &spec).await?;
    Ok((
        StatusCode::CREATED,
        Json(project_detail_json(&st, id).await?),
    ))
}

pub type MilestoneBody = crate::api::Versioned<MilestoneDraft>;

async fn update_milestone(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<MilestoneBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store
        .update_milestone(&actor, id, b.version, &spec)
        .await?;
    let project = st
        .store
        .milestones()
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .map(|m| m.project)
        .ok_or_else(|| ApiError::not_found(format!("里程碑 {id} 不存在")))?;
    Ok(Json(project_detail_json(&st, project).await?))
}

// ---- committee and meetings ----

async fn committee(
    State(st): State<AppState>,
    PathParam(zone): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    known_zone(&snap, zone)?;
    let members: Vec<Value> = st
        .store
        .committee(zone)
        .await?
        .iter()
        .map(member_json)
        .collect();
    Ok(Json(
        json!({"zone": zone_ref(&snap, zone), "members": members}),
    ))
}

async fn add_member(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(zone): PathParam<i64>,
    JsonBody(d): JsonBody<MemberDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let id = st.store.add_committee_member(&actor, zone, &spec).await?;
    let m = st
        .store
        .committee(zone)
        .await?
        .into_iter()
        .find(|m| m.id == id);
    Ok((
        StatusCode::CREATED,
        Json(m.as_ref().map(member_json).unwrap_or(Value::Null)),
    ))
}

async fn retire_member(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
) -> Result<StatusCode, ApiError> {
    st.store.retire_committee_member(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct MeetingQuery {
    pub zone: Option<String>,
    pub year: Option<String>,
}

async fn list_meetings(
    State(st): State<AppState>,
    Query(q): Query<MeetingQuery>,
) -> Result<Json<Value>, ApiError> {
    let zone = present(&q.zone)
        .map(|z| parse_id("zone", z, "片区编号"))
        .transpose()?;
    let year = present(&q.year)
        .map(|y| gongfu_core::DataYear::parse(y).map(|y| y.get()))
        .transpose()?;
    let snap = st.store.snapshot().await?;
    let items: Vec<Value> = st
        .store
        .meetings(zone)
        .await?
        .iter()
        .filter(|m| year.is_none_or(|y| m.held_on.year() == y))
        .map(|m| meeting_json(&snap, m))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn get_meeting(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    let m = st
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("会议 {id} 不存在")))?;
    let mut v = meeting_json(&snap, &m);
    let today = st.today();
    let actions = st
        .store
        .actions(&ActionFilter {
            zone: Some(m.zone),
            ..Default::default()
        })
        .await?;
    v["actions"] = json!(
        actions
            .iter()
            .filter(|a| m.decisions.iter().any(|d| Some(d.id) == a.decision))
            .map(|a| action_json(&snap, a, today))
            .collect::<Vec<_>>()
    );
    v["minutes_files"] = json!(
        st.store
            .attachments(Owner::Meeting(id))
            .await?
            .iter()
            .map(attachment_json)
            .collect::<Vec<_>>()
    );
    Ok(Json(v))
}

#[derive(Deserialize)]
pub struct NewMeetingBody {
    pub zone: i64,
    #[serde(flatten)]
    pub draft: MeetingDraft,
}

async fn record_meeting(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<NewMeetingBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = b.draft.parse(st.today()).map_err(ApiError::invalid)?;
    let id = st.store.record_meeting(&actor, b.zone, &spec).await?;
    let snap = st.store.snapshot().await?;
    let m = st
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| ApiError::not_found("会议不存在"))?;
    Ok((StatusCode::CREATED, Json(meeting_json(&snap, &m))))
}

pub type MeetingBody = crate::api::Versioned<MeetingDraft>;

async fn update_meeting(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<MeetingBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse(st.today()).map_err(ApiError::invalid)?;
    st.store
        .update_meeting(&actor, id, b.version, &spec)
        .await?;
    let snap = st.store.snapshot().await?;
    let m = st
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| ApiError::not_found("会议不存在"))?;
    Ok(Json(meeting_json(&snap, &m)))
}

// ---- action items ----

#[derive(Deserialize, Default)]
pub struct ActionQuery {
    pub zone: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<String>,
    /// `me`: the items assigned to the caller's account.
    pub owner: Option<String>,
    pub owner_unit: Option<String>,
    pub open: Option<String>,
}

impl ActionQuery {
    pub fn parse(&self, today: Date) -> Result<ActionFilter, ApiError> {
        let mut f = ActionFilter::default();
        if let Some(z) = present(&self.zone) {
            f.zone = Some(parse_id("zone", z, "片区编号")?);
        }
        if let Some(s) = present(&self.status) {
            f.status = Some(ActionStatus::parse(s)?);
        }
        if is_true(&self.overdue) {
            f.overdue_on = Some(today);
        }
        match present(&self.owner) {
            None => {}
            Some("me") => {
                f.owner_user = Some(crate::auth::current().map_or(-1, |c| c.user.id));
            }
            Some(o) => f.owner_user = Some(parse_id("owner", o, "账号编号")?),
        }
        f.owner_unit = present(&self.owner_unit).map(str::to_string);
        f.open_only = is_true(&self.open);
        Ok(f)
    }
}

async fn list_actions(
    State(st): State<AppState>,
    Query(q): Query<ActionQuery>,
) -> Result<Json<Value>, ApiError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let items: Vec<Value> = st
        .store
        .actions(&filter)
        .await?
        .iter()
        .map(|a| action_json(&snap, a, today))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn get_action(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(action_answer(&st, id).await?))
}

/// An action item as the API answers it, or 404.
async fn action_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let snap = st.store.snapshot().await?;
    let a = st
        .store
        .action(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("待办事项 {id} 不存在")))?;
    Ok(action_json(&snap, &a, st.today()))
}

#[derive(Deserialize)]
pub struct NewActionBody {
    pub zone: i64,
    #[serde(default)]
    pub decision: Option<i64>,
    #[serde(default)]
    pub owner_user: Option<i64>,
    #[serde(flatten)]
    pub draft: ActionDraft,
}

async fn create_action(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<NewActionBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    let id = st
        .store
        .create_action(&actor, b.zone, b.decision, &spec, b.owner_user)
        .await?;
    Ok((StatusCode::CREATED, Json(action_answer(&st, id).await?)))
}

#[derive(Deserialize)]
pub struct ActionBody {
    #[serde(flatten)]
    pub draft: ActionDraft,
    #[serde(default)]
    pub owner_user: Option<i64>,
    pub version: i64,
}

async fn update_action(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ActionBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store
        .update_action(&actor, id, b.version, &spec, b.owner_user)
        .await?;
    Ok(Json(action_answer(&st, id).await?))
}

async fn action_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let to = ActionStatus::parse(&b.status)?;
    st.store
        .set_action_status(&actor, id, b.version, to, &b.result)
        .await?;
    Ok(Json(action_answer(&st, id).await?))
}

// ---- actors ----

#[derive(Deserialize, Default)]
pub struct ActorQuery {
    pub kind: Option<String>,
    pub zone: Option<String>,
    pub q: Option<String>,
}

async fn list_actors(
    State(st): State<AppState>,
    Query(q): Query<ActorQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = present(&q.kind)
        .map(gongfu_core::work::actor::ActorKind::parse)
        .transpose()?;
    let zone = present(&q.zone)
        .map(|z| parse_id("zone", z, "片区编号"))
        .transpose()?;
    let roles = st.store.zone_roles(zone, None).await?;
    let snap = st.store.snapshot().await?;
    let text = present(&q.q);
    let items: Vec<Value> = st
        .store
        .actors()
        .await?
        .iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .filter(|a| zone.is_none() || roles.iter().any(|r| r.actor == a.id))
        .filter(|a| text.is_none_or(|t| a.name.contains(t) || a.credit_code.as_str().contains(t)))
        .map(|a| {
            let mut v = actor_json(a);
            v["zones"] = json!(
                roles
                    .iter()
                    .filter(|r| r.actor == a.id)
                    .map(|r| json!({"zone": zone_ref(&snap, r.zone), "role": r.role}))
                    .collect::<Vec<_>>()
            );
            v
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn actor_detail(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let a = st
        .store
        .actor(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("主体 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    let mut v = actor_json(&a);
    v["zones"] = json!(
        st.store
            .zone_roles(None, Some(id))
            .await?
            .iter()
            .map(|r| json!({"zone": zone_ref(&snap, r.zone), "role": r.role}))
            .collect::<Vec<_>>()
    );
    Ok(v)
}

async fn get_actor(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(actor_detail(&st, id).await?))
}

async fn create_actor(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<ActorDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_actor(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(actor_detail(&st, id).await?)))
}

pub type ActorBody = crate::api::Versioned<ActorDraft>;

async fn update_actor(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ActorBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store.update_actor(&actor, id, b.version, &spec).await?;
    Ok(Json(actor_detail(&st, id).await?))
}

#[derive(Deserialize)]
pub struct RoleBody {
    pub role: String,
}

async fn set_zone_role(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((zone, participant)): PathParam<(i64, i64)>,
    JsonBody(b): JsonBody<RoleBody>,
) -> Result<Json<Value>, ApiError> {
    let role = parse_zone_role(&b.role)?;
    st.store
        .set_zone_role(&actor, zone, participant, Some(&role))
        .await?;
    Ok(Json(actor_detail(&st, participant).await?))
}

async fn end_zone_role(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((zone, participant)): PathParam<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    st.store
        .set_zone_role(&actor, zone, participant, None)
        .await?;
    Ok(Json(actor_detail(&st, participant).await?))
}

// ---- chain, summary, files ----

async fn timeline(
    State(st): State<AppState>,
    PathParam(zone): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    known_zone(&snap, zone)?;
    let t = st.store.timeline(zone).await?;
    Ok(Json(serde_json::to_value(&t).unwrap_or(Value::Null)))
}

pub fn zone_work_json(snap: &Snapshot, w: &ZoneWork) -> Value {
    json!({
        "zone": if w.zone == 0 { Value::Null } else { zone_ref(snap, w.zone) },
        "projects": w.projects, "complete": w.complete, "completion_bp": w.completion_bp,
        "planned": fen_by_source(&w.planned), "actual": fen_by_source(&w.actual),
        "overdue_projects": w.overdue_projects, "open_actions": w.open_actions,
        "overdue_actions": w.overdue_actions, "meetings_this_year": w.meetings_this_year,
        "last_meeting": w.last_meeting.map(date_string),
    })
}

async fn summary(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let today = st.today();
    let (zones, total) = st.store.work_summary(today).await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(json!({
        "day": date_string(today),
        "district": zone_work_json(&snap, &total),
        "zones": zones.iter().map(|w| zone_work_json(&snap, w)).collect::<Vec<_>>(),
    })))
}

/// The owner an upload names (`owner=milestone&id=12`).
#[derive(Deserialize)]
pub struct OwnerQuery {
    pub owner: String,
    pub id: i64,
}

pub fn parse_owner(kind: &str, id: i64) -> Result<Owner, ApiError> {
    Ok(match kind {
        "plan" => Owner::Plan(id),
        "milestone" => Owner::Milestone(id),
        "meeting" => Owner::Meeting(id),
        "project" => Owner::Project(id),
        other => {
            return Err(DomainError::new(
                "invalid_owner",
                "owner",
                format!("附件归属「{other}」无效：应为 plan、milestone、meeting 或 project"),
            )
            .into());
        }
    })
}

/// Reads the one `file` part of a multipart upload.
pub async fn read_file(mut mp: Multipart) -> Result<(String, Vec<u8>), ApiError> {
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("上传内容无法读取：{e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::bad_request(format!("上传内容无法读取：{e}")))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(DomainError::new("required", "file", "请选择要上传的文件").into())
}

async fn upload(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<OwnerQuery>,
    mp: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let owner = parse_owner(&q.owner, q.id)?;
    let (name, bytes) = read_file(mp).await?;
    let id = st.store.attach(&actor, owner, &name, &bytes).await?;
    let meta = st
        .store
        .attachments(owner)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("附件不存在"))?;
    Ok((StatusCode::CREATED, Json(attachment_json(&meta))))
}

async fn download(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = st
        .store
        .attachment(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("附件 {id} 不存在")))?;
    // Photos show inline; documents download. The type is the one checked on upload.
    Ok(file_response(
        bytes,
        &meta.content_type,
        &meta.file_name,
        meta.is_image(),
    ))
}
