//! 人才共创 (talent): `/talent` lists training sessions (with totals) and entrepreneurs (with
//! the support approved them); forms register and edit both; an entrepreneur's page shows the
//! project, the support applied for with its approval (批准 / 驳回 for an administrator other
//! than the applicant), the yearly reviews and the 以奖代补 awards resting on them.

use super::villages::{Opt, opt};
use super::work::zone_opts;
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::talent_api::{EntrepreneurQuery, TrainingQuery, hours_text};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::Fen;
use gongfu_core::ops::talent::{
    DecisionDraft, EntrepreneurDraft, EntrepreneurKind, EntrepreneurRecord, Grade, ReviewDraft,
    SupportDraft, SupportKind, SupportRecord, SupportStatus, Training, TrainingDraft,
    approved_totals,
};
use gongfu_core::village::date_string;
use gongfu_store::{Actor, Snapshot};
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/talent", get(list))
        .route("/talent/trainings", post(training_create))
        .route("/talent/trainings/new", get(training_new))
        .route(
            "/talent/trainings/{id}/edit",
            get(training_edit).post(training_update),
        )
        .route("/talent/entrepreneurs", post(person_create))
        .route("/talent/entrepreneurs/new", get(person_new))
        .route("/talent/entrepreneurs/{id}", get(person_page))
        .route(
            "/talent/entrepreneurs/{id}/edit",
            get(person_edit).post(person_update),
        )
        .route("/talent/entrepreneurs/{id}/supports", post(support_submit))
        .route("/talent/entrepreneurs/{id}/reviews", post(review_submit))
        .route("/talent/supports/{id}/decision", post(decision_submit))
}

fn yuan(f: Fen) -> String {
    f.yuan_string()
}

fn zone_label(snap: &Snapshot, zone: Option<i64>) -> String {
    match zone {
        None => "全区".into(),
        Some(z) => super::work::zone_name(snap, z),
    }
}

pub struct TrainingRow {
    pub id: i64,
    pub zone_id: Option<i64>,
    pub zone: String,
    pub topic: String,
    pub audience: String,
    pub held_on: String,
    pub attendees: i64,
    pub hours: String,
}

fn training_row(snap: &Snapshot, t: &Training) -> TrainingRow {
    TrainingRow {
        id: t.id,
        zone_id: t.zone,
        zone: zone_label(snap, t.zone),
        topic: t.topic.clone(),
        audience: t.audience.clone(),
        held_on: date_string(t.held_on),
        attendees: t.attendees,
        hours: hours_text(t.hours_tenths),
    }
}

pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub zone_id: i64,
    pub zone: String,
    pub village: String,
    pub project: String,
    pub incubator: String,
    pub since: String,
    pub grants: String,
    pub credit: String,
    pub pending: usize,
}

fn person_row(snap: &Snapshot, p: &EntrepreneurRecord, supports: &[SupportRecord]) -> PersonRow {
    let mine: Vec<SupportRecord> = supports
        .iter()
        .filter(|s| s.support.entrepreneur == p.person.id)
        .cloned()
        .collect();
    let (g, c) = approved_totals(&mine);
    PersonRow {
        id: p.person.id,
        name: p.person.name.clone(),
        kind: p.person.kind.label(),
        zone_id: p.person.zone,
        zone: zone_label(snap, Some(p.person.zone)),
        village: snap
            .division(&p.village)
            .map(|d| d.division.name.clone())
            .unwrap_or_default(),
        project: p.person.project.clone(),
        incubator: p.person.incubator.clone(),
        since: date_string(p.person.since),
        grants: yuan(g),
        credit: yuan(c),
        pending: mine
            .iter()
            .filter(|s| s.status == SupportStatus::Applied)
            .count(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub zone: Option<String>,
    pub year: Option<String>,
    pub kind: Option<String>,
    /// Which tab: `trainings` (default) or `people`.
    pub view: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "talent_list.html")]
pub struct TalentPage {
    pub layout: Layout,
    pub trainings: Vec<TrainingRow>,
    pub people: Vec<PersonRow>,
    pub zones: Vec<Opt>,
    pub years: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub attendees: i64,
    pub hours: String,
    pub grants: String,
    pub credit: String,
    pub pending: usize,
    /// `people` shows the entrepreneurs tab, anything else the trainings tab.
    pub people_tab: bool,
    /// The filters as a query string, for the tab and export links.
    pub filters: String,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<TalentPage, PageError> {
    let tfilter = TrainingQuery {
        zone: q.zone.clone(),
        year: q.year.clone(),
    }
    .parse()?;
    // District-wide sessions have no entrepreneurs: the people list then shows everyone.
    let ezone = q.zone.clone().filter(|z| z != "district");
    let efilter = EntrepreneurQuery {
        zone: ezone,
        kind: q.kind.clone(),
    }
    .parse()?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let trainings = st.store.trainings(&tfilter).await?;
    let people = st.store.entrepreneurs(&efilter).await?;
    let supports = st.store.supports(None).await?;
    let mine: Vec<SupportRecord> = supports
        .iter()
        .filter(|s| people.iter().any(|p| p.person.id == s.support.entrepreneur))
        .cloned()
        .collect();
    let (grants, credit) = approved_totals(&mine);
    let zone = q.zone.clone().unwrap_or_default();
    let year = q.year.clone().unwrap_or_default();
    let kind = q.kind.clone().unwrap_or_default();
    let people_tab = q.view.as_deref() == Some("people");
    let mut zones = vec![opt("", "全部片区", &zone)];
    if !people_tab {
        zones.push(opt("district", "全区性培训", &zone));
    }
    zones.extend(zone_opts(&snap, day, &zone));
    let mut years = vec![opt("", "全部年份", &year)];
    years.extend(
        (2023..=day.year())
            .rev()
            .map(|y| opt(y.to_string(), format!("{y} 年"), &year)),
    );
    let mut kinds = vec![opt("", "全部类型", &kind)];
    kinds.extend(EntrepreneurKind::ALL.map(|k| opt(k.key(), k.label(), &kind)));
    Ok(TalentPage {
        layout: Layout::new("人才共创", "ops", snap.is_demo),
        attendees: trainings.iter().map(|t| t.attendees).sum(),
        hours: hours_text(trainings.iter().map(|t| t.hours_tenths).sum()),
        grants: yuan(grants),
        credit: yuan(credit),
        pending: mine
            .iter()
            .filter(|s| s.status == SupportStatus::Applied)
            .count(),
        trainings: trainings.iter().map(|t| training_row(&snap, t)).collect(),
        people: people
            .iter()
            .map(|p| person_row(&snap, p, &supports))
            .collect(),
        zones,
        years,
        kinds,
        people_tab,
        filters: super::query_string(&[("zone", &q.zone), ("year", &q.year), ("kind", &q.kind)]),
    })
}

// ---- training form ----

#[derive(Default, Clone)]
pub struct TrainingForm {
    pub zone: String,
    pub topic: String,
    pub held_on: String,
    pub attendees: String,
    pub hours: String,
    pub audience: String,
    pub version: i64,
}

impl TrainingForm {
    fn read(body: &[u8]) -> TrainingForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        TrainingForm {
            zone: v("zone"),
            topic: v("topic"),
            held_on: v("held_on"),
            attendees: v("attendees"),
            hours: v("hours"),
            audience: v("audience"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(t: &Training) -> TrainingForm {
        TrainingForm {
            zone: t.zone.map(|z| z.to_string()).unwrap_or_default(),
            topic: t.topic.clone(),
            held_on: date_string(t.held_on),
            attendees: t.attendees.to_string(),
            hours: hours_text(t.hours_tenths),
            audience: t.audience.clone(),
            version: t.version,
        }
    }
    fn draft(&self) -> TrainingDraft {
        TrainingDraft {
            zone: self.zone.clone(),
            topic: self.topic.clone(),
            held_on: self.held_on.clone(),
            attendees: self.attendees.clone(),
            hours: self.hours.clone(),
            audience: self.audience.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "talent_training_form.html")]
pub struct TrainingFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub v: TrainingForm,
    pub zones: Vec<Opt>,
    pub audiences: Vec<&'static str>,
    pub errors: Vec<(String, String)>,
}

error_for!(TrainingFormPage);

fn training_form(
    snap: &Snapshot,
    day: Date,
    id: Option<i64>,
    v: TrainingForm,
    errors: Vec<(String, String)>,
) -> TrainingFormPage {
    let mut zones = vec![opt("", "全区（全区性培训，仅区管理员）", &v.zone)];
    zones.extend(zone_opts(snap, day, &v.zone));
    let f = super::form_frame(id, "编辑培训", "登记培训", &v.topic, "/talent/trainings");
    TrainingFormPage {
        layout: Layout::new(f.heading.clone(), "ops", snap.is_demo),
        heading: f.heading,
        action: f.action,
        zones,
        audiences: vec![
            "村党组织书记",
            "村两委成员",
            "运营人才",
            "农创客",
            "返乡青年",
        ],
        v,
        errors,
    }
}

pub async fn training_new(State(st): State<AppState>) -> Result<TrainingFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let v = TrainingForm {
        held_on: date_string(st.today()),
        ..Default::default()
    };
    Ok(training_form(&snap, st.today(), None, v, Vec::new()))
}

pub async fn training_create(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = TrainingForm::read(&body);
    let r = async {
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        st.store.create_training(&actor, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/talent#trainings").into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let status = error_status(&e);
            Ok((
                status,
                training_form(&snap, st.today(), None, v, field_errors(e)),
            )
                .into_response())
        }
    }
}

async fn training_or_404(st: &AppState, id: i64) -> Result<Training, PageError> {
    Ok(st
        .store
        .training(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("培训 {id} 不存在")))?)
}

pub async fn training_edit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<TrainingFormPage, PageError> {
    let t = training_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    Ok(training_form(
        &snap,
        st.today(),
        Some(id),
        TrainingForm::of(&t),
        Vec::new(),
    ))
}

pub async fn training_update(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = TrainingForm::read(&body);
    let current = training_or_404(&st, id).await?;
    let r = async {
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        st.store
            .update_training(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/talent#trainings").into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                format!(
                    "当前内容：{}「{}」，{}，{} 人参训，{} 学时。",
                    zone_label(&snap, current.zone),
                    current.topic,
                    date_string(current.held_on),
                    current.attendees,
                    hours_text(current.hours_tenths)
                )
            });
            Ok((
                status,
                training_form(&snap, st.today(), Some(id), v, errors),
            )
                .into_response())
        }
    }
}

// ---- entrepreneur form ----

#[derive(Default, Clone)]
pub struct PersonForm {
    pub name: String,
    pub kind: String,
    pub village_code: String,
    pub project: String,
    pub incubator: String,
    pub since: String,
    pub version: i64,
}

impl PersonForm {
    fn read(body: &[u8]) -> PersonForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        PersonForm {
            name: v("name"),
            kind: v("kind"),
            village_code: v("village_code"),
            project: v("project"),
            incubator: v("incubator"),
            since: v("since"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(p: &EntrepreneurRecord) -> PersonForm {
        PersonForm {
            name: p.person.name.clone(),
            kind: p.person.kind.key().into(),
            village_code: p.village.to_string(),
            project: p.person.project.clone(),
            incubator: p.person.incubator.clone(),
            since: date_string(p.person.since),
            version: p.person.version,
        }
    }
    fn draft(&self) -> EntrepreneurDraft {
        EntrepreneurDraft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            zone: String::new(),
            village_code: self.village_code.clone(),
            project: self.project.clone(),
            incubator: self.incubator.clone(),
            since: self.since.clone(),
        }
    }
}

/// The villages of the live zones, grouped by zone (an entrepreneur works in a zone's village).
pub struct ZoneGroup {
    pub zone: String,
    pub villages: Vec<Opt>,
}

fn zone_groups(snap: &Snapshot, day: Date, current: &str) -> Vec<ZoneGroup> {
    let mut zones: Vec<_> = snap.zones.iter().filter(|z| z.is_live_on(day)).collect();
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    zones
        .into_iter()
        .map(|z| ZoneGroup {
            zone: z.name.clone(),
            villages: snap
                .members(z.id, day)
                .iter()
                .map(|m| {
                    let name = snap
                        .division(&m.village)
                        .map(|d| d.division.name.clone())
                        .unwrap_or_else(|| m.village.to_string());
                    opt(m.village.to_string(), name, current)
                })
                .collect(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "talent_person_form.html")]
pub struct PersonFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub v: PersonForm,
    pub kinds: Vec<Opt>,
    pub groups: Vec<ZoneGroup>,
    pub incubators: Vec<&'static str>,
    pub errors: Vec<(String, String)>,
}

error_for!(PersonFormPage);

/// Incubators offered as suggestions (any other may be typed).
pub const INCUBATORS: [&str; 5] = [
    "柯桥区农创客孵化园",
    "青年入乡实践站",
    "柯桥区返乡创业孵化基地",
    "镇街农创客服务站",
    "共富工坊创业点",
];

fn person_form(
    snap: &Snapshot,
    day: Date,
    id: Option<i64>,
    v: PersonForm,
    errors: Vec<(String, String)>,
) -> PersonFormPage {
    let mut kinds = vec![opt("", "请选择类型", &v.kind)];
    kinds.extend(EntrepreneurKind::ALL.map(|k| opt(k.key(), k.label(), &v.kind)));
    let f = super::form_frame(
        id,
        "编辑创业人才",
        "登记创业人才",
        &v.name,
        "/talent/entrepreneurs",
    );
    PersonFormPage {
        layout: Layout::new(f.heading.clone(), "ops", snap.is_demo),
        heading: f.heading,
        action: f.action,
        cancel: match id {
            Some(_) => f.cancel,
            None => "/talent?view=people#entrepreneurs".into(),
        },
        groups: zone_groups(snap, day, &v.village_code),
        incubators: INCUBATORS.to_vec(),
        kinds,
        v,
        errors,
    }
}

pub async fn person_new(State(st): State<AppState>) -> Result<PersonFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    Ok(person_form(
        &snap,
        st.today(),
        None,
        PersonForm::default(),
        Vec::new(),
    ))
}

pub async fn person_create(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = PersonForm::read(&body);
    let r = async {
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_entrepreneur(&actor, &spec).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/talent/entrepreneurs/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let status = error_status(&e);
            Ok((
                status,
                person_form(&snap, st.today(), None, v, field_errors(e)),
            )
                .into_response())
        }
    }
}

async fn person_or_404(st: &AppState, id: i64) -> Result<EntrepreneurRecord, PageError> {
    Ok(st
        .store
        .entrepreneur(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("创业人才 {id} 不存在")))?)
}

pub async fn person_edit(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<PersonFormPage, PageError> {
    let p = person_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    Ok(person_form(
        &snap,
        st.today(),
        Some(id),
        PersonForm::of(&p),
        Vec::new(),
    ))
}

pub async fn person_update(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = PersonForm::read(&body);
    let current = person_or_404(&st, id).await?;
    let r = async {
        let spec = v.draft().parse(st.today()).map_err(ApiError::invalid)?;
        st.store
            .update_entrepreneur(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/talent/entrepreneurs/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let (status, errors) =
                super::save_failed(e, &mut v.version, current.person.version, || {
                    let p = &current.person;
                    format!(
                        "当前内容：{}（{}），项目「{}」，孵化平台「{}」，{} 起。",
                        p.name,
                        p.kind.label(),
                        p.project,
                        p.incubator,
                        date_string(p.since)
                    )
                });
            Ok((status, person_form(&snap, st.today(), Some(id), v, errors)).into_response())
        }
    }
}

// ---- entrepreneur page ----

pub struct SupportRow {
    pub id: i64,
    pub kind: &'static str,
    pub amount: String,
    pub period: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub applied: String,
    pub decided: String,
    pub reason: String,
    pub review_year: Option<i32>,
    pub version: i64,
    /// Whether the viewer may decide it now (an administrator who did not apply).
    pub can_decide: bool,
    /// A pending application the viewer made themselves.
    pub own: bool,
}

pub struct ReviewRow {
    pub id: i64,
    pub year: i32,
    pub grade: &'static str,
    pub grade_key: &'static str,
    pub comment: String,
    pub reviewer: String,
    /// The 以奖代补 resting on it, as `金额 元（状态）`.
    pub award: String,
    pub earns_award: bool,
}

/// What was typed in one of the page's small forms, kept when it failed.
#[derive(Default, Clone)]
pub struct SmallForms {
    pub kind: String,
    pub amount: String,
    pub from: String,
    pub to: String,
    pub review: String,
    pub year: String,
    pub grade: String,
    pub comment: String,
    pub reviewer: String,
    /// Which form the errors belong to: `support`, `review` or `decision:{id}`.
    pub which: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "talent_person.html")]
pub struct PersonPage {
    pub layout: Layout,
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub zone_id: i64,
    pub zone: String,
    pub village_code: String,
    pub village: String,
    pub project: String,
    pub incubator: String,
    pub since: String,
    pub grants: String,
    pub credit: String,
    pub supports: Vec<SupportRow>,
    pub reviews: Vec<ReviewRow>,
    pub support_kinds: Vec<Opt>,
    pub award_reviews: Vec<Opt>,
    pub grades: Vec<Opt>,
    pub f: SmallForms,
    pub errors: Vec<(String, String)>,
}

error_for!(PersonPage);

async fn person_view(
    st: &AppState,
    actor: &Actor,
    id: i64,
    f: SmallForms,
    errors: Vec<(String, String)>,
) -> Result<PersonPage, PageError> {
    let p = person_or_404(st, id).await?;
    let snap = st.store.snapshot().await?;
    let supports = st.store.supports(Some(id)).await?;
    let reviews = st.store.reviews(id).await?;
    let layout = Layout::new(format!("创业人才：{}", p.person.name), "ops", snap.is_demo);
    let admin = layout.can("admin");
    let (g, c) = approved_totals(&supports);
    let year_of = |review: Option<i64>| {
        review.and_then(|r| reviews.iter().find(|x| x.id == r).map(|x| x.year))
    };
    let support_rows: Vec<SupportRow> = supports
        .iter()
        .map(|s| {
            let pending = s.status == SupportStatus::Applied;
            SupportRow {
                id: s.support.id,
                kind: s.support.kind.label(),
                amount: yuan(s.support.amount),
                period: format!(
                    "{} 至 {}",
                    date_string(s.support.from),
                    date_string(s.support.to)
                ),
                status: s.status.label(),
                status_key: s.status.key(),
                applied: format!("{} {}", date_string(s.applied_on), s.applied_by),
                decided: match (&s.decided_by, s.decided_on) {
                    (Some(b), Some(d)) => format!("{} {}", date_string(d), b),
                    _ => String::new(),
                },
                reason: s.reason.clone(),
                review_year: year_of(s.review),
                version: s.support.version,
                can_decide: admin && pending && s.applied_by != actor.name,
                own: pending && s.applied_by == actor.name,
            }
        })
        .collect();
    let review_rows: Vec<ReviewRow> = reviews
        .iter()
        .map(|r| {
            let award = supports
                .iter()
                .filter(|s| s.review == Some(r.id))
                .map(|s| format!("{} 元（{}）", yuan(s.support.amount), s.status.label()))
                .collect::<Vec<_>>()
                .join("；");
            ReviewRow {
                id: r.id,
                year: r.year,
                grade: r.grade.label(),
                grade_key: r.grade.key(),
                comment: r.comment.clone(),
                reviewer: r.reviewer.clone(),
                award,
                earns_award: r.grade.earns_award(),
            }
        })
        .collect();
    // Reviews that may still carry an award: 优秀 / 良好, none pending or approved on them.
    let mut award_reviews = vec![opt("", "不适用（以奖代补时选择考评）", &f.review)];
    award_reviews.extend(
        reviews
            .iter()
            .filter(|r| r.grade.earns_award())
            .filter(|r| {
                !supports
                    .iter()
                    .any(|s| s.review == Some(r.id) && s.status != SupportStatus::Refused)
            })
            .map(|r| {
                opt(
                    r.id.to_string(),
                    format!("{} 年度 {}", r.year, r.grade.label()),
                    &f.review,
                )
            }),
    );
    let mut support_kinds = vec![opt("", "请选择扶持方式", &f.kind)];
    support_kinds.extend(SupportKind::ALL.map(|k| opt(k.key(), k.label(), &f.kind)));
    let mut grades = vec![opt("", "请选择等次", &f.grade)];
    grades.extend(Grade::ALL.map(|g| opt(g.key(), g.label(), &f.grade)));
    Ok(PersonPage {
        layout,
        id,
        name: p.person.name.clone(),
        kind: p.person.kind.label(),
        zone_id: p.person.zone,
        zone: zone_label(&snap, Some(p.person.zone)),
        village_code: p.village.to_string(),
        village: snap
            .division(&p.village)
            .map(|d| d.division.name.clone())
            .unwrap_or_default(),
        project: p.person.project.clone(),
        incubator: p.person.incubator.clone(),
        since: date_string(p.person.since),
        grants: yuan(g),
        credit: yuan(c),
        supports: support_rows,
        reviews: review_rows,
        support_kinds,
        award_reviews,
        grades,
        f,
        errors,
    })
}

pub async fn person_page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
) -> Result<PersonPage, PageError> {
    let today = st.today();
    // The review form offers last year, or this year once last year is reviewed.
    let reviewed: Vec<i32> = st.store.reviews(id).await?.iter().map(|r| r.year).collect();
    let year = if reviewed.contains(&(today.year() - 1)) {
        today.year()
    } else {
        today.year() - 1
    };
    let f = SmallForms {
        from: date_string(today),
        to: date_string(today),
        year: year.to_string(),
        ..Default::default()
    };
    person_view(&st, &actor, id, f, Vec::new()).await
}

/// Shows the page again with a failed small form's errors and input.
async fn page_with_errors(
    st: &AppState,
    actor: &Actor,
    id: i64,
    f: SmallForms,
    e: ApiError,
) -> Result<Response, PageError> {
    let status = error_status(&e);
    let page = person_view(st, actor, id, f, field_errors(e)).await?;
    Ok((status, page).into_response())
}

pub async fn support_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let v = |k: &str| form_value(&p, k);
    let f = SmallForms {
        kind: v("kind"),
        amount: v("amount"),
        from: v("from"),
        to: v("to"),
        review: v("review"),
        year: (st.today().year() - 1).to_string(),
        which: "support".into(),
        ..Default::default()
    };
    let draft = SupportDraft {
        kind: f.kind.clone(),
        amount: f.amount.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        review: f.review.clone(),
    };
    let r = async {
        let spec = draft.parse().map_err(ApiError::invalid)?;
        st.store
            .apply_support(&actor, id, &spec, st.today())
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/talent/entrepreneurs/{id}#supports")).into_response()),
        Err(e) => page_with_errors(&st, &actor, id, f, e).await,
    }
}

pub async fn review_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let v = |k: &str| form_value(&p, k);
    let today = st.today();
    let f = SmallForms {
        year: v("year"),
        grade: v("grade"),
        comment: v("comment"),
        reviewer: v("reviewer"),
        from: date_string(today),
        to: date_string(today),
        which: "review".into(),
        ..Default::default()
    };
    let draft = ReviewDraft {
        year: f.year.clone(),
        grade: f.grade.clone(),
        comment: f.comment.clone(),
        reviewer: f.reviewer.clone(),
    };
    let r = async {
        let spec = draft.parse(today).map_err(ApiError::invalid)?;
        st.store.add_review(&actor, id, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/talent/entrepreneurs/{id}#reviews")).into_response()),
        Err(e) => page_with_errors(&st, &actor, id, f, e).await,
    }
}

pub async fn decision_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let v = |k: &str| form_value(&p, k);
    let rec = st
        .store
        .support(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("扶持申请 {id} 不存在")))?;
    let person = rec.support.entrepreneur;
    let draft = DecisionDraft {
        verdict: v("verdict"),
        reason: v("reason"),
    };
    let version: i64 = v("version").parse().unwrap_or(0);
    let r = async {
        let d = draft.parse().map_err(ApiError::invalid)?;
        st.store
            .decide_support(&actor, id, version, &d, st.today())
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => {
            Ok(Redirect::to(&format!("/talent/entrepreneurs/{person}#supports")).into_response())
        }
        Err(e) => {
            let today = st.today();
            let f = SmallForms {
                from: date_string(today),
                to: date_string(today),
                year: (today.year() - 1).to_string(),
                which: format!("decision:{id}"),
                ..Default::default()
            };
            let status = if e.status == StatusCode::CONFLICT {
                StatusCode::CONFLICT
            } else {
                error_status(&e)
            };
            let page = person_view(&st, &actor, person, f, field_errors(e)).await?;
            Ok((status, page).into_response())
        }
    }
}
