//! 联席会议 (joint-committee meetings): the list, recording a meeting with its decisions, and
//! the meeting page where each decision becomes an action item (转为待办) or a project
//! (转为项目), with the minutes' files.

use super::villages::{Opt, opt};
use super::work::{ActionRow, action_row, can_manage, zone_name, zone_opts};
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::work_api::read_file;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::village::date_string;
use gongfu_core::work::committee::{ActionDraft, Meeting, MeetingDraft};
use gongfu_core::work::project::Origin;
use gongfu_store::work::attachments::{AttachmentMeta, Owner};
use gongfu_store::work::committee::ActionFilter;
use gongfu_store::work::projects::ProjectFilter;
use gongfu_store::{Actor, Snapshot};
use serde::Deserialize;

pub struct MeetingRow {
    pub id: i64,
    pub zone_id: i64,
    pub zone: String,
    pub held_on: String,
    pub title: String,
    pub attendees: usize,
    pub decisions: usize,
}

fn meeting_row(snap: &Snapshot, m: &Meeting) -> MeetingRow {
    MeetingRow {
        id: m.id,
        zone_id: m.zone,
        zone: zone_name(snap, m.zone),
        held_on: date_string(m.held_on),
        title: m.title.clone(),
        attendees: m.attendees.len(),
        decisions: m.decisions.len(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub zone: Option<String>,
    pub year: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings.html")]
pub struct MeetingsPage {
    pub layout: Layout,
    pub rows: Vec<MeetingRow>,
    pub zones: Vec<Opt>,
    pub years: Vec<Opt>,
    pub zone: String,
    pub can_record: bool,
}

pub async fn list(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ListQuery>,
) -> Result<MeetingsPage, PageError> {
    let snap = st.store.snapshot().await?;
    let today = st.today();
    let zone = q.zone.clone().unwrap_or_default();
    let zid: Option<i64> = zone.parse().ok();
    let year = q.year.clone().unwrap_or_default();
    let all = st.store.meetings(zid).await?;
    let mut years: Vec<i32> = all.iter().map(|m| m.held_on.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let rows = all
        .iter()
        .filter(|m| year.is_empty() || m.held_on.year().to_string() == year)
        .map(|m| meeting_row(&snap, m))
        .collect();
    let zones = super::work::zone_filter_opts(&snap, today, &zone);
    let mut year_opts = vec![opt("", "全部年份", &year)];
    year_opts.extend(
        years
            .iter()
            .map(|y| opt(y.to_string(), format!("{y} 年"), &year)),
    );
    let layout = Layout::new("联席会议", "work", snap.is_demo);
    let can_record = match zid {
        Some(z) => can_manage(&actor, &snap, z),
        None => layout.can("zones"),
    };
    Ok(MeetingsPage {
        layout,
        rows,
        zones,
        years: year_opts,
        zone,
        can_record,
    })
}

// ---------------------------------------------------------------- form

#[derive(Default, Clone)]
pub struct MeetingForm {
    pub zone: String,
    pub held_on: String,
    pub title: String,
    pub location: String,
    pub attendees: String,
    pub agenda: String,
    pub minutes: String,
    pub decisions: String,
    pub version: i64,
}

impl MeetingForm {
    fn read(body: &[u8]) -> MeetingForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        MeetingForm {
            zone: v("zone"),
            held_on: v("held_on"),
            title: v("title"),
            location: v("location"),
            attendees: v("attendees"),
            agenda: v("agenda"),
            minutes: v("minutes"),
            decisions: v("decisions"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(m: &Meeting) -> MeetingForm {
        MeetingForm {
            zone: m.zone.to_string(),
            held_on: date_string(m.held_on),
            title: m.title.clone(),
            location: m.location.clone(),
            attendees: m.attendees.join("\n"),
            agenda: m.agenda.clone(),
            minutes: m.minutes.clone(),
            decisions: m
                .decisions
                .iter()
                .map(|d| format!("{}. {}", d.seq, d.text))
                .collect::<Vec<_>>()
                .join("\n"),
            version: m.version,
        }
    }
    fn draft(&self) -> MeetingDraft {
        MeetingDraft {
            held_on: self.held_on.clone(),
            title: self.title.clone(),
            location: self.location.clone(),
            attendees: self.attendees.clone(),
            agenda: self.agenda.clone(),
            minutes: self.minutes.clone(),
            decisions: self.decisions.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting_form.html")]
pub struct MeetingFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub new: bool,
    pub zones: Vec<Opt>,
    pub committee: Vec<String>,
    pub v: MeetingForm,
    pub errors: Vec<(String, String)>,
}

error_for!(MeetingFormPage);

async fn form_page(
    st: &AppState,
    id: Option<i64>,
    v: MeetingForm,
    errors: Vec<(String, String)>,
) -> Result<MeetingFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let zone: Option<i64> = v.zone.parse().ok();
    // The committee's active members, as a prompt for the attendee list.
    let committee = match zone {
        Some(z) => st
            .store
            .committee(z)
            .await?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| {
                if m.person.is_empty() {
                    m.unit
                } else {
                    format!("{}（{}）", m.person, m.unit)
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let f = super::form_frame(id, "更正会议记录", "登记会议", &v.title, "/meetings");
    Ok(MeetingFormPage {
        layout: Layout::new(f.title, "work", snap.is_demo),
        heading: f.heading,
        action: f.action,
        cancel: f.cancel,
        new: id.is_none(),
        zones: zone_opts(&snap, st.today(), &v.zone),
        committee,
        v,
        errors,
    })
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    pub zone: Option<String>,
}

pub async fn new_form(
    State(st): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<MeetingFormPage, PageError> {
    let v = MeetingForm {
        zone: q.zone.unwrap_or_default(),
        held_on: date_string(st.today()),
        ..Default::default()
    };
    form_page(&st, None, v, Vec::new()).await
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = MeetingForm::read(&body);
    let r = async {
        let zone: i64 = v.zone.parse().map_err(|_| {
            ApiError::invalid(vec![gongfu_core::DomainError::new(
                "required",
                "zone",
                "请选择片区",
            )])
        })?;
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.record_meeting(&actor, zone, &spec).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            Ok((status, form_page(&st, None, v, field_errors(e)).await?).into_response())
        }
    }
}

async fn meeting_or_404(st: &AppState, id: i64) -> Result<Meeting, PageError> {
    Ok(st
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("会议 {id} 不存在")))?)
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<MeetingFormPage, PageError> {
    let m = meeting_or_404(&st, id).await?;
    form_page(&st, Some(id), MeetingForm::of(&m), Vec::new()).await
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = MeetingForm::read(&body);
    let r = async {
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        st.store
            .update_meeting(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(e) => {
            let current = meeting_or_404(&st, id).await?;
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                format!(
                    "当前记录：{}「{}」，参会 {} 人，决定事项 {} 条。",
                    date_string(current.held_on),
                    current.title,
                    current.attendees.len(),
                    current.decisions.len()
                )
            });
            v.zone = current.zone.to_string();
            Ok((status, form_page(&st, Some(id), v, errors).await?).into_response())
        }
    }
}

// ---------------------------------------------------------------- detail

pub struct DecisionView {
    pub id: i64,
    pub seq: i64,
    pub text: String,
    pub actions: Vec<ActionRow>,
    pub projects: Vec<(i64, String, &'static str)>,
}

/// The fields of the 转为待办 form, as typed (kept when refused).
#[derive(Default)]
pub struct ActionForm {
    pub decision: i64,
    pub title: String,
    pub owner_unit: String,
    pub owner_user: String,
    pub due: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub layout: Layout,
    pub m: Meeting,
    pub held_on: String,
    pub zone: String,
    pub decisions: Vec<DecisionView>,
    pub users: Vec<Opt>,
    pub files: Vec<AttachmentMeta>,
    pub can_manage: bool,
    pub form: ActionForm,
    pub errors: Vec<String>,
    pub back: String,
}

async fn detail_page(
    st: &AppState,
    actor: &Actor,
    id: i64,
    form: ActionForm,
    errors: Vec<String>,
) -> Result<MeetingPage, PageError> {
    let snap = st.store.snapshot().await?;
    let today = st.today();
    let m = meeting_or_404(st, id).await?;
    let actions = st
        .store
        .actions(&ActionFilter {
            zone: Some(m.zone),
            ..Default::default()
        })
        .await?;
    let projects = st
        .store
        .projects(&ProjectFilter {
            zone: Some(m.zone),
            ..Default::default()
        })
        .await?;
    let decisions = m
        .decisions
        .iter()
        .map(|d| DecisionView {
            id: d.id,
            seq: d.seq,
            text: d.text.clone(),
            actions: actions
                .iter()
                .filter(|a| a.decision == Some(d.id))
                .map(|a| action_row(&snap, a, today, actor))
                .collect(),
            projects: projects
                .iter()
                .filter(|p| p.origin == Some(Origin::Decision(d.id)))
                .map(|p| (p.id, p.name.clone(), p.status.label()))
                .collect(),
        })
        .collect();
    let can = can_manage(actor, &snap, m.zone);
    // Accounts an item may be assigned to: active ones, by name (only managers see the list).
    let users = if can {
        let mut v = vec![opt("", "不指派账号（仅责任单位）", &form.owner_user)];
        v.extend(
            st.store
                .users()
                .await?
                .into_iter()
                .filter(|u| u.active)
                .map(|u| {
                    opt(
                        u.id.to_string(),
                        format!("{}（{}）", u.display_name, u.role.label()),
                        &form.owner_user,
                    )
                }),
        );
        v
    } else {
        Vec::new()
    };
    Ok(MeetingPage {
        layout: Layout::new(m.title.clone(), "work", snap.is_demo),
        held_on: date_string(m.held_on),
        zone: zone_name(&snap, m.zone),
        decisions,
        users,
        files: st.store.attachments(Owner::Meeting(id)).await?,
        can_manage: can,
        form,
        errors,
        back: format!("/meetings/{id}"),
        m,
    })
}

pub async fn detail(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
) -> Result<MeetingPage, PageError> {
    detail_page(&st, &actor, id, ActionForm::default(), Vec::new()).await
}

/// 转为待办: an action item from one of the meeting's decisions.
pub async fn action_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let form = ActionForm {
        decision: form_value(&p, "decision").parse().unwrap_or(0),
        title: form_value(&p, "title"),
        owner_unit: form_value(&p, "owner_unit"),
        owner_user: form_value(&p, "owner_user"),
        due: form_value(&p, "due"),
    };
    let m = meeting_or_404(&st, id).await?;
    let r = async {
        let spec = ActionDraft {
            title: form.title.clone(),
            owner_unit: form.owner_unit.clone(),
            due: form.due.clone(),
        }
        .parse()
        .map_err(ApiError::invalid)?;
        let owner: Option<i64> = form.owner_user.trim().parse().ok();
        st.store
            .create_action(&actor, m.zone, Some(form.decision), &spec, owner)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => {
            Ok(Redirect::to(&format!("/meetings/{id}#decision-{}", form.decision)).into_response())
        }
        Err(e) => {
            let status = error_status(&e);
            let msgs = field_errors(e).into_iter().map(|(_, m)| m).collect();
            Ok((status, detail_page(&st, &actor, id, form, msgs).await?).into_response())
        }
    }
}

pub async fn file_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let r = async {
        let (name, bytes) = read_file(mp).await?;
        st.store
            .attach(&actor, Owner::Meeting(id), &name, &bytes)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}#files")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let msgs = field_errors(e).into_iter().map(|(_, m)| m).collect();
            Ok((
                status,
                detail_page(&st, &actor, id, ActionForm::default(), msgs).await?,
            )
                .into_response())
        }
    }
}
