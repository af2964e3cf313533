//! 参与主体 (actors registry) and 联席会议成员 (a zone's joint committee): pages.
//!
//! The registry lists every actor with its roles in the zones, filtered by type, zone and text;
//! actors are registered and edited through a form (credit code checked, stale saves refused
//! with 409 and the input kept); the detail page sets and ends an actor's role in a zone. The
//! committee page lists a zone's joint-committee members and adds or retires them. Controls are
//! only shown to those the store would let write; the store checks every write itself.

use super::villages::{Opt, messages, opt};
use super::work::zone_name as zone_label;
use super::{Layout, field_errors, form_pairs, form_value, is_htmx};
use crate::AppState;
use crate::api::RequestActor;
use crate::api::present;
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::work::actor::{Actor as Participant, ActorDraft, ActorKind, parse_zone_role};
use gongfu_core::work::committee::{CommitteeMember, MemberDraft, MemberRole};
use gongfu_core::{DomainError, ZoneId};
use gongfu_store::work::actors::ZoneRole;
use gongfu_store::work::may_manage_zone;
use gongfu_store::{Actor, Snapshot};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actors", get(list).post(create_submit))
        .route("/actors/new", get(new_form))
        .route("/actors/{id}", get(detail))
        .route("/actors/{id}/edit", get(edit_form).post(edit_submit))
        .route("/actors/{id}/roles", post(role_submit))
        .route("/actors/{id}/roles/{zone}/end", post(role_end_submit))
        .route("/zones/{id}/committee", get(committee).post(member_submit))
        .route("/zones/{id}/committee/{member}/retire", post(retire_submit))
}

/// 409 and 403 as they are; anything else the user can fix is 422.
fn write_status(e: &ApiError) -> StatusCode {
    if e.status == StatusCode::CONFLICT || e.status == StatusCode::FORBIDDEN {
        e.status
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Whether the signed-in person keeps the registry (区、镇街、部门). Only a hint for the UI.
fn may_register(layout: &Layout) -> bool {
    matches!(layout.role, "admin" | "town" | "department")
}

fn zone_town(snap: &Snapshot, zone: i64) -> String {
    snap.zone(ZoneId(zone))
        .map(|z| snap.town_name(&z.key_village.town()).to_string())
        .unwrap_or_default()
}

/// One actor's part in one zone, as shown.
pub struct RoleRow {
    pub zone: i64,
    pub zone_name: String,
    pub town: String,
    pub role: String,
    /// The signed-in person may end this role.
    pub may_end: bool,
}

fn role_rows(snap: &Snapshot, roles: &[ZoneRole], actor: i64, who: Option<&Actor>) -> Vec<RoleRow> {
    roles
        .iter()
        .filter(|r| r.actor == actor)
        .map(|r| RoleRow {
            zone: r.zone,
            zone_name: zone_label(snap, r.zone),
            town: zone_town(snap, r.zone),
            role: r.role.clone(),
            may_end: who.is_some_and(|a| may_manage_zone(a, snap, r.zone)),
        })
        .collect()
}

// ---------------------------------------------------------------- list

/// One actor as a row of the registry.
pub struct ActorRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub credit_code: String,
    pub contact_person: String,
    pub phone: String,
    pub zones: Vec<RoleRow>,
}

fn actor_row(snap: &Snapshot, roles: &[ZoneRole], a: &Participant) -> ActorRow {
    ActorRow {
        id: a.id,
        name: a.name.clone(),
        kind: a.kind.label(),
        credit_code: a.credit_code.to_string(),
        contact_person: a.contact_person.clone(),
        phone: a.phone.clone(),
        zones: role_rows(snap, roles, a.id, None),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub zone: Option<String>,
    pub q: Option<String>,
}

/// The table part of the registry, also the htmx answer.
pub struct TableData {
    pub rows: Vec<ActorRow>,
    pub total: usize,
    pub all: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "actor_table.html")]
pub struct ActorTable {
    pub t: TableData,
}

#[derive(Template, WebTemplate)]
#[template(path = "actors.html")]
pub struct ActorsPage {
    pub layout: Layout,
    pub t: TableData,
    pub q: String,
    pub kinds: Vec<Opt>,
    pub zones: Vec<Opt>,
    pub can_register: bool,
}

fn parse_zone_id(s: &str) -> Result<i64, ApiError> {
    s.trim().parse::<i64>().map_err(|_| {
        ApiError::invalid(vec![DomainError::new(
            "invalid_zone",
            "zone",
            format!("片区编号「{}」无效", s.trim()),
        )])
    })
}

fn live_zone_opts(snap: &Snapshot, day: Date, current: &str, first: &str) -> Vec<Opt> {
    let mut zones = vec![opt("", first, current)];
    zones.extend(
        snap.zones
            .iter()
            .filter(|z| z.is_live_on(day) || z.id.to_string() == current)
            .map(|z| {
                opt(
                    z.id.to_string(),
                    format!("{} · {}", snap.town_name(&z.key_village.town()), z.name),
                    current,
                )
            }),
    );
    zones
}

pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let kind = present(&q.kind).map(ActorKind::parse).transpose()?;
    let zone = present(&q.zone).map(parse_zone_id).transpose()?;
    let snap = st.store.snapshot().await?;
    let roles = st.store.zone_roles(None, None).await?;
    let actors = st.store.actors().await?;
    let needle = present(&q.q).unwrap_or("");
    let upper = needle.to_ascii_uppercase();
    let rows: Vec<ActorRow> = actors
        .iter()
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .filter(|a| zone.is_none_or(|z| roles.iter().any(|r| r.actor == a.id && r.zone == z)))
        .filter(|a| {
            needle.is_empty() || a.name.contains(needle) || a.credit_code.as_str().contains(&upper)
        })
        .map(|a| actor_row(&snap, &roles, a))
        .collect();
    let t = TableData {
        total: rows.len(),
        all: actors.len(),
        rows,
    };
    if is_htmx(&headers) {
        return Ok(ActorTable { t }.into_response());
    }
    let cur = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut kinds = vec![opt("", "全部类型", &cur(&q.kind))];
    kinds.extend(
        ActorKind::ALL
            .iter()
            .map(|k| opt(k.key(), k.label(), &cur(&q.kind))),
    );
    let zones = live_zone_opts(&snap, st.today(), &cur(&q.zone), "全部片区");
    let layout = Layout::new("参与主体名录", "work", snap.is_demo);
    Ok(ActorsPage {
        can_register: may_register(&layout),
        layout,
        t,
        q: q.q.clone().unwrap_or_default(),
        kinds,
        zones,
    }
    .into_response())
}

// ---------------------------------------------------------------- detail

#[derive(Template, WebTemplate)]
#[template(path = "actor.html")]
pub struct ActorDetailPage {
    pub layout: Layout,
    pub a: Participant,
    pub kind: &'static str,
    pub roles: Vec<RoleRow>,
    /// Zones the signed-in person may set a role in; empty hides the form.
    pub role_zones: Vec<Opt>,
    /// The role typed into the form (kept when refused).
    pub role_text: String,
    pub errors: Vec<String>,
    pub can_register: bool,
    pub changes: Vec<gongfu_store::accounts::AuditEntry>,
}

async fn actor_or_404(st: &AppState, id: i64) -> Result<Participant, ApiError> {
    st.store
        .actor(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("主体 {id} 不存在")))
}

/// Shows an actor; `form` is the role form's input kept after a refusal (zone, role).
async fn render_detail(
    st: &AppState,
    who: &Actor,
    id: i64,
    form: (String, String),
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let a = actor_or_404(st, id).await?;
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let all_roles = st.store.zone_roles(None, Some(id)).await?;
    let roles = role_rows(&snap, &all_roles, id, Some(who));
    let (zone_in, role_text) = form;
    let mut role_zones: Vec<Opt> = vec![];
    let manageable: Vec<Opt> = snap
        .zones
        .iter()
        .filter(|z| z.is_live_on(day) && may_manage_zone(who, &snap, z.id.0))
        .map(|z| {
            opt(
                z.id.to_string(),
                format!("{} · {}", snap.town_name(&z.key_village.town()), z.name),
                &zone_in,
            )
        })
        .collect();
    if !manageable.is_empty() {
        role_zones.push(opt("", "请选择片区", &zone_in));
        role_zones.extend(manageable);
    }
    let mut changes = st.store.history("actor", &id.to_string()).await?;
    for c in &mut changes {
        if c.action == "zone_role" {
            c.action = "片区角色".into();
        }
    }
    let layout = Layout::new(a.name.clone(), "work", snap.is_demo);
    Ok((
        status,
        ActorDetailPage {
            can_register: may_register(&layout),
            layout,
            kind: a.kind.label(),
            a,
            roles,
            role_zones,
            role_text,
            errors,
            changes,
        },
    )
        .into_response())
}

pub async fn detail(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    render_detail(&st, &who, id, Default::default(), vec![], StatusCode::OK).await
}

pub async fn role_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let zone_in = form_value(&p, "zone");
    let role_in = form_value(&p, "role");
    let result = async {
        let mut errors = Vec::new();
        let zone = zone_in
            .trim()
            .parse::<i64>()
            .map_err(|_| errors.push(DomainError::new("required", "zone", "请选择片区")))
            .ok();
        let role = parse_zone_role(&role_in).map_err(|e| errors.push(e)).ok();
        let (Some(zone), Some(role)) = (zone, role) else {
            return Err(ApiError::invalid(errors));
        };
        st.store.set_zone_role(&who, zone, id, Some(&role)).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/actors/{id}#zones")).into_response()),
        Err(e) => {
            let status = write_status(&e);
            render_detail(&st, &who, id, (zone_in, role_in), messages(e), status).await
        }
    }
}

pub async fn role_end_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path((id, zone)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let result = async {
        let has = !st.store.zone_roles(Some(zone), Some(id)).await?.is_empty();
        if !has {
            return Err(ApiError::invalid(vec![DomainError::new(
                "no_role",
                "zone",
                "该主体未参与此片区，无需退出",
            )]));
        }
        st.store.set_zone_role(&who, zone, id, None).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/actors/{id}#zones")).into_response()),
        Err(e) => {
            let status = write_status(&e);
            render_detail(&st, &who, id, Default::default(), messages(e), status).await
        }
    }
}

// ---------------------------------------------------------------- create / edit

#[derive(Template, WebTemplate)]
#[template(path = "actor_form.html")]
pub struct ActorFormPage {
    pub layout: Layout,
    pub action: String,
    pub heading: String,
    pub cancel: String,
    pub v: FormValues,
    pub kinds: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

error_for!(ActorFormPage);

/// The form's fields as typed.
#[derive(Default, Clone)]
pub struct FormValues {
    pub name: String,
    pub kind: String,
    pub credit_code: String,
    pub contact_person: String,
    pub phone: String,
    pub address: String,
    pub note: String,
    pub version: i64,
}

fn read_form(body: &[u8]) -> FormValues {
    let p = form_pairs(body);
    FormValues {
        name: form_value(&p, "name"),
        kind: form_value(&p, "kind"),
        credit_code: form_value(&p, "credit_code"),
        contact_person: form_value(&p, "contact_person"),
        phone: form_value(&p, "phone"),
        address: form_value(&p, "address"),
        note: form_value(&p, "note"),
        version: form_value(&p, "version").parse().unwrap_or(0),
    }
}

fn values_of(a: &Participant) -> FormValues {
    FormValues {
        name: a.name.clone(),
        kind: a.kind.key().into(),
        credit_code: a.credit_code.to_string(),
        contact_person: a.contact_person.clone(),
        phone: a.phone.clone(),
        address: a.address.clone(),
        note: a.note.clone(),
        version: a.version,
    }
}

fn draft_of(v: &FormValues) -> ActorDraft {
    ActorDraft {
        name: v.name.clone(),
        kind: v.kind.clone(),
        credit_code: v.credit_code.clone(),
        contact_person: v.contact_person.clone(),
        phone: v.phone.clone(),
        address: v.address.clone(),
        note: v.note.clone(),
    }
}

fn form_page(
    snap: &Snapshot,
    current: Option<&Participant>,
    v: FormValues,
    errors: Vec<(String, String)>,
) -> ActorFormPage {
    let mut kinds = vec![opt("", "请选择主体类型", &v.kind)];
    kinds.extend(
        ActorKind::ALL
            .iter()
            .map(|k| opt(k.key(), k.label(), &v.kind)),
    );
    let (title, heading, action, cancel) = match current {
        Some(a) => (
            "编辑主体",
            format!("编辑主体：{}", a.name),
            format!("/actors/{}/edit", a.id),
            format!("/actors/{}", a.id),
        ),
        None => (
            "登记主体",
            "登记参与主体".to_string(),
            "/actors".to_string(),
            "/actors".to_string(),
        ),
    };
    ActorFormPage {
        layout: Layout::new(title, "work", snap.is_demo),
        action,
        heading,
        cancel,
        v,
        kinds,
        errors,
    }
}

pub async fn new_form(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    Ok(form_page(&snap, None, FormValues::default(), vec![]).into_response())
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = read_form(&body);
    let result = async {
        let spec = draft_of(&v).parse().map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_actor(&who, &spec).await?)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/actors/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let status = write_status(&e);
            Ok((status, form_page(&snap, None, v, field_errors(e))).into_response())
        }
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let a = actor_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    Ok(form_page(&snap, Some(&a), values_of(&a), vec![]).into_response())
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = read_form(&body);
    let result = async {
        let spec = draft_of(&v).parse().map_err(ApiError::invalid)?;
        st.store.update_actor(&who, id, v.version, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/actors/{id}")).into_response()),
        Err(e) => {
            let a = actor_or_404(&st, id).await?;
            let snap = st.store.snapshot().await?;
            let status = write_status(&e);
            let conflict = e.status == StatusCode::CONFLICT && e.code == "version_conflict";
            let mut errors = field_errors(e);
            if conflict {
                // What is saved now; the form keeps the user's input and, with the current
                // version, saving again is a deliberate choice to replace it.
                errors.push((
                    String::new(),
                    format!(
                        "当前内容：名称「{}」，类型「{}」，统一社会信用代码 {}，联系人「{}」，电话「{}」，地址「{}」",
                        a.name,
                        a.kind.label(),
                        a.credit_code,
                        a.contact_person,
                        a.phone,
                        a.address
                    ),
                ));
                v.version = a.version;
            }
            Ok((status, form_page(&snap, Some(&a), v, errors)).into_response())
        }
    }
}

// ---------------------------------------------------------------- committee

/// One committee member as shown.
pub struct MemberRow {
    pub id: i64,
    pub person: String,
    pub unit: String,
    pub role: &'static str,
    pub title: String,
    pub active: bool,
}

fn member_row(m: &CommitteeMember) -> MemberRow {
    MemberRow {
        id: m.id,
        person: m.person.clone(),
        unit: m.unit.clone(),
        role: m.role.label(),
        title: m.title.clone(),
        active: m.active,
    }
}

/// An actor taking part in the zone, as shown on the committee page.
pub struct ZoneActorRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub role: String,
}

/// The add form's fields as typed.
#[derive(Default, Clone)]
pub struct MemberValues {
    pub person: String,
    pub unit: String,
    pub role: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "committee.html")]
pub struct CommitteePage {
    pub layout: Layout,
    pub zone: i64,
    pub zone_name: String,
    pub town: String,
    pub lead_official: String,
    pub dissolved: bool,
    pub members: Vec<MemberRow>,
    pub active: usize,
    pub actors: Vec<ZoneActorRow>,
    /// The signed-in person may add and retire members.
    pub may_manage: bool,
    pub v: MemberValues,
    pub roles: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

impl CommitteePage {
    pub fn error_for(&self, field: &str) -> String {
        super::errors_for(&self.errors, field)
    }
    /// Errors not tied to one field of the add form.
    pub fn general_errors(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(f, _)| !matches!(f.as_str(), "person" | "unit" | "role" | "title"))
            .map(|(_, m)| m.clone())
            .collect()
    }
}

async fn render_committee(
    st: &AppState,
    who: &Actor,
    zone: i64,
    v: MemberValues,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let z = snap
        .zone(ZoneId(zone))
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")))?;
    let members: Vec<MemberRow> = st
        .store
        .committee(zone)
        .await?
        .iter()
        .map(member_row)
        .collect();
    let participants = st.store.actors().await?;
    let actors = st
        .store
        .zone_roles(Some(zone), None)
        .await?
        .into_iter()
        .filter_map(|r| {
            participants
                .iter()
                .find(|a| a.id == r.actor)
                .map(|a| ZoneActorRow {
                    id: a.id,
                    name: a.name.clone(),
                    kind: a.kind.label(),
                    role: r.role,
                })
        })
        .collect();
    let dissolved = z.dissolved_on.is_some_and(|d| d <= day);
    let roles = {
        let mut r = vec![opt("", "请选择角色", &v.role)];
        r.extend(
            MemberRole::ALL
                .iter()
                .map(|m| opt(m.key(), m.label(), &v.role)),
        );
        r
    };
    Ok((
        status,
        CommitteePage {
            layout: Layout::new(format!("{} · 联席会议", z.name), "work", snap.is_demo),
            zone,
            zone_name: z.name.clone(),
            town: snap.town_name(&z.key_village.town()).to_string(),
            lead_official: z.lead_official.clone(),
            dissolved,
            active: members.iter().filter(|m| m.active).count(),
            members,
            actors,
            may_manage: !dissolved && may_manage_zone(who, &snap, zone),
            v,
            roles,
            errors,
        },
    )
        .into_response())
}

pub async fn committee(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path(zone): Path<i64>,
) -> Result<Response, PageError> {
    render_committee(
        &st,
        &who,
        zone,
        MemberValues::default(),
        vec![],
        StatusCode::OK,
    )
    .await
}

pub async fn member_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path(zone): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let v = MemberValues {
        person: form_value(&p, "person"),
        unit: form_value(&p, "unit"),
        role: form_value(&p, "role"),
        title: form_value(&p, "title"),
    };
    let result = async {
        let spec = MemberDraft {
            person: v.person.clone(),
            unit: v.unit.clone(),
            role: v.role.clone(),
            title: v.title.clone(),
        }
        .parse()
        .map_err(ApiError::invalid)?;
        st.store.add_committee_member(&who, zone, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{zone}/committee")).into_response()),
        Err(e) => {
            let status = write_status(&e);
            render_committee(&st, &who, zone, v, field_errors(e), status).await
        }
    }
}

pub async fn retire_submit(
    State(st): State<AppState>,
    RequestActor(who): RequestActor,
    Path((zone, member)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let result = async {
        let m = st
            .store
            .committee(zone)
            .await?
            .into_iter()
            .find(|m| m.id == member)
            .ok_or_else(|| ApiError::not_found(format!("本片区联席会议没有成员 {member}")))?;
        if !m.active {
            return Err(ApiError::invalid(vec![DomainError::new(
                "retired",
                "member",
                format!("「{}」已退出联席会议", m.unit),
            )]));
        }
        st.store.retire_committee_member(&who, member).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{zone}/committee")).into_response()),
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(PageError(e)),
        Err(e) => {
            let status = write_status(&e);
            let errors = messages(e)
                .into_iter()
                .map(|m| (String::new(), m))
                .collect();
            render_committee(&st, &who, zone, MemberValues::default(), errors, status).await
        }
    }
}
