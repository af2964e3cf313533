//! 运营团队 (operating teams): the list with each contract's state and the latest year's
//! revenue, the register / edit form, the team page (zones served, KPIs by year and zone with
//! totals, evaluation history, forms to enter a year's KPIs and an evaluation), and each zone's
//! operation plan with its IP logo (一片一IP).

use super::villages::{Opt, opt};
use super::work::money;
use super::work::zone_name as zone_label;
use super::{Layout, error_status, field_errors, form_pairs, form_value, form_values};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::teams_api::{TeamQuery, team_or_404};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::money::count_string;
use gongfu_core::ops::teams::{
    BusinessType, ContractState, EvaluationDraft, Grade, Kpi, KpiDraft, KpiTotals, OperationPlan,
    Team, TeamDraft, ZoneServiceDraft, score_string,
};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, Fen, ZoneId};
use gongfu_store::Actor;
use gongfu_store::teams::{LogoChange, may_enter_zone_figures};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list).post(create_submit))
        .route("/teams/new", get(new_form))
        .route("/teams/{id}", get(detail))
        .route("/teams/{id}/edit", get(edit_form).post(edit_submit))
        .route("/teams/{id}/kpis", post(kpi_submit))
        .route("/teams/{id}/evaluations", post(evaluation_submit))
        .route(
            "/zones/{id}/operation-plan",
            get(plan_page).post(plan_submit),
        )
}

fn state_class(s: ContractState) -> &'static str {
    match s {
        ContractState::Active => "ok",
        ContractState::ExpiringSoon => "warn",
        ContractState::Expired => "weak",
        ContractState::NotStarted => "muted",
    }
}

// ---------------------------------------------------------------- list

pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub types: String,
    pub zones: Vec<(i64, String)>,
    pub period: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub latest_year: String,
    pub latest_revenue: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "team_list.html")]
pub struct TeamsPage {
    pub layout: Layout,
    pub rows: Vec<TeamRow>,
    pub zones: Vec<Opt>,
    /// The zone filter, for the export link.
    pub zone: String,
    pub expiring: usize,
    pub expired: usize,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<TeamQuery>,
) -> Result<TeamsPage, PageError> {
    let zone = q.zone()?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let teams = st.store.teams(zone).await?;
    let kpis = st.store.team_kpis(None).await?;
    let current = q.zone.clone().unwrap_or_default();
    let zones = super::work::zone_filter_opts(&snap, day, &current);
    let rows: Vec<TeamRow> = teams
        .iter()
        .map(|t| {
            let mine: Vec<&Kpi> = kpis
                .iter()
                .filter(|(_, k)| k.team == t.id)
                .map(|(_, k)| k)
                .collect();
            let latest = mine.iter().map(|k| k.year).max();
            let state = t.contract_state(day);
            TeamRow {
                id: t.id,
                name: t.name.clone(),
                types: t
                    .business_types
                    .iter()
                    .map(|b| b.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                zones: t
                    .zones
                    .iter()
                    .filter(|z| z.covers(day))
                    .map(|z| (z.zone, zone_label(&snap, z.zone)))
                    .collect(),
                period: format!(
                    "{} 至 {}",
                    date_string(t.contract_start),
                    date_string(t.contract_end)
                ),
                state: state.label(),
                state_class: state_class(state),
                // This year's figures are the year so far.
                latest_year: latest
                    .map(|y| {
                        if y.get() == day.year() {
                            format!("{}年截至目前", y.get())
                        } else {
                            format!("{}年", y.get())
                        }
                    })
                    .unwrap_or_default(),
                latest_revenue: latest
                    .map(|y| {
                        money(KpiTotals::of(mine.iter().copied().filter(|k| k.year == y)).revenue)
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    Ok(TeamsPage {
        layout: Layout::new("运营团队", "ops", snap.is_demo),
        expiring: teams
            .iter()
            .filter(|t| t.contract_state(day) == ContractState::ExpiringSoon)
            .count(),
        expired: teams
            .iter()
            .filter(|t| t.contract_state(day) == ContractState::Expired)
            .count(),
        rows,
        zones,
        zone: current,
    })
}

// ---------------------------------------------------------------- team form

pub struct ZoneLine {
    pub id: i64,
    pub name: String,
    pub checked: bool,
    pub from: String,
    pub until: String,
}

pub struct TypeBox {
    pub key: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// The form's fields as typed.
#[derive(Default, Clone)]
pub struct TeamForm {
    pub name: String,
    pub credit_code: String,
    pub actor: String,
    pub contact_person: String,
    pub phone: String,
    pub business_types: Vec<String>,
    pub contract_start: String,
    pub contract_end: String,
    pub terms: String,
    /// (zone, from, until) of the zones ticked.
    pub zones: Vec<(i64, String, String)>,
    pub version: i64,
}

impl TeamForm {
    fn read(body: &[u8]) -> TeamForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        TeamForm {
            name: v("name"),
            credit_code: v("credit_code"),
            actor: v("actor"),
            contact_person: v("contact_person"),
            phone: v("phone"),
            business_types: form_values(&p, "business_types"),
            contract_start: v("contract_start"),
            contract_end: v("contract_end"),
            terms: v("terms"),
            zones: form_values(&p, "zone")
                .iter()
                .filter_map(|z| z.parse::<i64>().ok())
                .map(|z| (z, v(&format!("from_{z}")), v(&format!("until_{z}"))))
                .collect(),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(t: &Team) -> TeamForm {
        TeamForm {
            name: t.name.clone(),
            credit_code: t
                .credit_code
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            actor: t.actor.map(|a| a.to_string()).unwrap_or_default(),
            contact_person: t.contact_person.clone(),
            phone: t.phone.clone(),
            business_types: t
                .business_types
                .iter()
                .map(|b| b.key().to_string())
                .collect(),
            contract_start: date_string(t.contract_start),
            contract_end: date_string(t.contract_end),
            terms: t.terms.clone(),
            zones: t
                .zones
                .iter()
                .map(|z| {
                    (
                        z.zone,
                        date_string(z.from),
                        z.until.map(date_string).unwrap_or_default(),
                    )
                })
                .collect(),
            version: t.version,
        }
    }
    fn draft(&self) -> TeamDraft {
        TeamDraft {
            name: self.name.clone(),
            credit_code: self.credit_code.clone(),
            contact_person: self.contact_person.clone(),
            phone: self.phone.clone(),
            business_types: self.business_types.join("、"),
            contract_start: self.contract_start.clone(),
            contract_end: self.contract_end.clone(),
            terms: self.terms.clone(),
            actor: self.actor.trim().parse().ok(),
            zones: self
                .zones
                .iter()
                .map(|(z, f, u)| ZoneServiceDraft {
                    zone: *z,
                    from: f.clone(),
                    until: u.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "team_form.html")]
pub struct TeamFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub v: TeamForm,
    pub types: Vec<TypeBox>,
    pub zones: Vec<ZoneLine>,
    pub actors: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

impl TeamFormPage {
    pub fn error_for(&self, field: &str) -> String {
        super::errors_for(&self.errors, field)
    }
    /// The errors of a served zone line (`zones[i]…`, i its position among those ticked).
    pub fn zone_error(&self, zone: &i64) -> String {
        match self.v.zones.iter().position(|(z, _, _)| z == zone) {
            Some(i) => super::errors_for(&self.errors, &format!("zones[{i}]")),
            None => String::new(),
        }
    }
}

async fn form_page(
    st: &AppState,
    id: Option<i64>,
    v: TeamForm,
    errors: Vec<(String, String)>,
) -> Result<TeamFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let mut zs: Vec<_> = snap
        .zones
        .iter()
        .filter(|z| z.is_live_on(day) || v.zones.iter().any(|(id, _, _)| *id == z.id.0))
        .collect();
    zs.sort_by(|a, b| a.name.cmp(&b.name));
    let zones = zs
        .iter()
        .map(|z| {
            let mine = v.zones.iter().find(|(id, _, _)| *id == z.id.0);
            ZoneLine {
                id: z.id.0,
                name: z.name.clone(),
                checked: mine.is_some(),
                from: mine.map(|m| m.1.clone()).unwrap_or_default(),
                until: mine.map(|m| m.2.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let mut actors = vec![opt("", "（不关联）", &v.actor)];
    actors.extend(
        st.store
            .actors()
            .await?
            .iter()
            .map(|a| opt(a.id.to_string(), a.name.clone(), &v.actor)),
    );
    let f = super::form_frame(id, "编辑运营团队", "登记运营团队", &v.name, "/teams");
    Ok(TeamFormPage {
        layout: Layout::new(f.title, "ops", snap.is_demo),
        heading: f.heading,
        action: f.action,
        cancel: f.cancel,
        types: BusinessType::ALL
            .iter()
            .map(|b| TypeBox {
                key: b.key(),
                label: b.label(),
                checked: v.business_types.iter().any(|k| k == b.key()),
            })
            .collect(),
        zones,
        actors,
        v,
        errors,
    })
}

pub async fn new_form(State(st): State<AppState>) -> Result<TeamFormPage, PageError> {
    form_page(&st, None, TeamForm::default(), Vec::new()).await
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = TeamForm::read(&body);
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_team(&actor, &spec).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/teams/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            Ok((status, form_page(&st, None, v, field_errors(e)).await?).into_response())
        }
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<TeamFormPage, PageError> {
    let t = team_or_404(&st, id).await?;
    form_page(&st, Some(id), TeamForm::of(&t), Vec::new()).await
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = TeamForm::read(&body);
    let current = team_or_404(&st, id).await?;
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        st.store.update_team(&actor, id, v.version, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/teams/{id}")).into_response()),
        Err(e) => {
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                format!(
                    "当前内容：「{}」，合同期 {} 至 {}，服务 {} 个片区。",
                    current.name,
                    date_string(current.contract_start),
                    date_string(current.contract_end),
                    current.zones.len()
                )
            });
            Ok((status, form_page(&st, Some(id), v, errors).await?).into_response())
        }
    }
}

// ---------------------------------------------------------------- team page

pub struct ServedRow {
    pub id: i64,
    pub name: String,
    pub from: String,
    pub until: String,
    pub serving: bool,
    pub ip_name: String,
}

pub struct KpiCells {
    pub revenue: String,
    pub visitors: String,
    pub events: String,
    pub jobs: String,
    pub collective_income: String,
}

impl KpiCells {
    fn of(t: &KpiTotals) -> KpiCells {
        KpiCells {
            revenue: money(t.revenue),
            visitors: count_string(t.visitors),
            events: count_string(t.events),
            jobs: count_string(t.jobs),
            collective_income: money(t.collective_income),
        }
    }
}

pub struct KpiLine {
    pub zone_id: i64,
    pub zone: String,
    pub year: i32,
    pub cells: KpiCells,
    pub editable: bool,
}

pub struct YearBlock {
    pub year: i32,
    /// This year: the figures so far.
    pub so_far: bool,
    pub lines: Vec<KpiLine>,
    pub total: KpiCells,
}

pub struct EvalRow {
    pub year: i32,
    pub score: String,
    pub grade: &'static str,
    pub grade_class: &'static str,
    pub comment: String,
    pub reviewer: String,
    pub recorded_on: String,
}

/// The KPI entry form as typed.
#[derive(Default, Clone)]
pub struct KpiForm {
    pub zone: String,
    pub year: String,
    pub revenue: String,
    pub visitors: String,
    pub events: String,
    pub jobs: String,
    pub collective_income: String,
    pub version: i64,
}

impl KpiForm {
    fn read(p: &[(String, String)]) -> KpiForm {
        let v = |k: &str| form_value(p, k);
        KpiForm {
            zone: v("zone"),
            year: v("year"),
            revenue: v("revenue"),
            visitors: v("visitors"),
            events: v("events"),
            jobs: v("jobs"),
            collective_income: v("collective_income"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(k: &Kpi) -> KpiForm {
        let yuan = |f: Fen| f.yuan_string().replace(',', "");
        KpiForm {
            zone: k.zone.to_string(),
            year: k.year.get().to_string(),
            revenue: yuan(k.revenue),
            visitors: k.visitors.to_string(),
            events: k.events.to_string(),
            jobs: k.jobs.to_string(),
            collective_income: yuan(k.collective_income),
            version: k.version,
        }
    }
}

#[derive(Default, Clone)]
pub struct EvalForm {
    pub year: String,
    pub score: String,
    pub grade: String,
    pub comment: String,
    pub reviewer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "team_page.html")]
pub struct TeamPage {
    pub layout: Layout,
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub actor: Option<(i64, String)>,
    pub contact: String,
    pub types: String,
    pub period: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub terms: String,
    pub served: Vec<ServedRow>,
    pub years: Vec<YearBlock>,
    pub grand: KpiCells,
    pub evaluations: Vec<EvalRow>,
    pub can_admin: bool,
    /// The zones whose KPIs this account may enter, as options.
    pub kpi_zones: Vec<Opt>,
    pub kpi: KpiForm,
    pub kpi_errors: Vec<(String, String)>,
    pub eval: EvalForm,
    pub grades: Vec<Opt>,
    pub eval_errors: Vec<(String, String)>,
}

impl TeamPage {
    pub fn kpi_error(&self, field: &str) -> String {
        super::errors_for(&self.kpi_errors, field)
    }
    pub fn eval_error(&self, field: &str) -> String {
        super::errors_for(&self.eval_errors, field)
    }
}

fn grade_class(g: Grade) -> &'static str {
    match g {
        Grade::Excellent => "ok",
        Grade::Good => "key",
        Grade::Pass => "warn",
        Grade::Fail => "weak",
    }
}

async fn team_page(
    st: &AppState,
    actor: &Actor,
    id: i64,
    kpi: Option<KpiForm>,
    kpi_errors: Vec<(String, String)>,
    eval: Option<EvalForm>,
    eval_errors: Vec<(String, String)>,
) -> Result<TeamPage, PageError> {
    let t = team_or_404(st, id).await?;
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let kpis = st.store.team_kpis(Some(id)).await?;
    let ips = st.store.zone_ip_names().await?;
    let may = |z: i64| may_enter_zone_figures(actor, &snap, z);
    let mut years: Vec<i32> = kpis.iter().map(|(_, k)| k.year.get()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let blocks = years
        .iter()
        .map(|y| {
            let of_year: Vec<&Kpi> = kpis
                .iter()
                .map(|(_, k)| k)
                .filter(|k| k.year.get() == *y)
                .collect();
            YearBlock {
                year: *y,
                so_far: *y == day.year(),
                lines: of_year
                    .iter()
                    .map(|k| KpiLine {
                        zone_id: k.zone,
                        zone: zone_label(&snap, k.zone),
                        year: *y,
                        cells: KpiCells::of(&KpiTotals::of([*k])),
                        editable: may(k.zone),
                    })
                    .collect(),
                total: KpiCells::of(&KpiTotals::of(of_year.iter().copied())),
            }
        })
        .collect();
    let state = t.contract_state(day);
    let actor_name = match t.actor {
        Some(a) => st.store.actor(a).await?.map(|x| (a, x.name)),
        None => None,
    };
    let kpi = kpi.unwrap_or_else(|| KpiForm {
        year: day.year().to_string(),
        zone: t
            .zones
            .iter()
            .find(|z| z.covers(day) && may(z.zone))
            .map(|z| z.zone.to_string())
            .unwrap_or_default(),
        ..Default::default()
    });
    let kpi_zones = t
        .zones
        .iter()
        .filter(|z| may(z.zone))
        .map(|z| opt(z.zone.to_string(), zone_label(&snap, z.zone), &kpi.zone))
        .collect();
    let eval = eval.unwrap_or_else(|| EvalForm {
        year: (day.year() - 1).to_string(),
        ..Default::default()
    });
    let mut grades = vec![opt("", "按得分自动评定", &eval.grade)];
    grades.extend(Grade::ALL.map(|g| opt(g.key(), g.label(), &eval.grade)));
    let mut evaluations: Vec<EvalRow> = st
        .store
        .evaluations(Some(id))
        .await?
        .iter()
        .map(|e| EvalRow {
            year: e.year.get(),
            score: score_string(e.score_tenths),
            grade: e.grade.label(),
            grade_class: grade_class(e.grade),
            comment: e.comment.clone(),
            reviewer: e.reviewer.clone(),
            recorded_on: e.recorded_at.chars().take(10).collect(),
        })
        .collect();
    evaluations.reverse();
    Ok(TeamPage {
        layout: Layout::new(t.name.clone(), "ops", snap.is_demo),
        id,
        name: t.name.clone(),
        credit_code: t
            .credit_code
            .as_ref()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        actor: actor_name,
        contact: [t.contact_person.as_str(), t.phone.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · "),
        types: t
            .business_types
            .iter()
            .map(|b| b.label())
            .collect::<Vec<_>>()
            .join("、"),
        period: format!(
            "{} 至 {}",
            date_string(t.contract_start),
            date_string(t.contract_end)
        ),
        state: state.label(),
        state_class: state_class(state),
        terms: t.terms.clone(),
        served: t
            .zones
            .iter()
            .map(|z| ServedRow {
                id: z.zone,
                name: zone_label(&snap, z.zone),
                from: date_string(z.from),
                until: z.until.map(date_string).unwrap_or_default(),
                serving: z.covers(day),
                ip_name: ips.get(&z.zone).cloned().unwrap_or_default(),
            })
            .collect(),
        years: blocks,
        grand: KpiCells::of(&KpiTotals::of(kpis.iter().map(|(_, k)| k))),
        evaluations,
        can_admin: gongfu_core::auth::may_administer(&actor.role),
        kpi_zones,
        kpi,
        kpi_errors,
        eval,
        grades,
        eval_errors,
    })
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    /// Pre-fill the KPI form with this zone and year's figures (修改).
    pub kpi_zone: Option<i64>,
    pub kpi_year: Option<i32>,
}

pub async fn detail(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<TeamPage, PageError> {
    let kpi = match (q.kpi_zone, q.kpi_year) {
        (Some(z), Some(y)) => st
            .store
            .team_kpis(Some(id))
            .await?
            .into_iter()
            .find(|(_, k)| k.zone == z && k.year.get() == y)
            .map(|(_, k)| KpiForm::of(&k)),
        _ => None,
    };
    team_page(&st, &actor, id, kpi, Vec::new(), None, Vec::new()).await
}

pub async fn kpi_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let mut v = KpiForm::read(&p);
    let r = async {
        let mut errors = Vec::new();
        let zone: Option<i64> = v.zone.trim().parse().ok();
        if zone.is_none() {
            errors.push(gongfu_core::DomainError::new(
                "required",
                "zone",
                "请选择片区",
            ));
        }
        let year = DataYear::parse(&v.year)
            .map_err(|mut e| {
                e.field = "year".into();
                errors.push(e)
            })
            .ok();
        let spec = KpiDraft {
            revenue: v.revenue.clone(),
            visitors: v.visitors.clone(),
            events: v.events.clone(),
            jobs: v.jobs.clone(),
            collective_income: v.collective_income.clone(),
        }
        .parse()
        .map_err(|e| errors.extend(e))
        .ok();
        match (zone, year, spec) {
            (Some(zone), Some(year), Some(spec)) if errors.is_empty() => {
                st.store
                    .put_kpi(&actor, id, zone, year, Some(v.version), &spec)
                    .await?;
                Ok(())
            }
            _ => Err(ApiError::invalid(errors)),
        }
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/teams/{id}#kpis")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let conflict = e.code == "version_conflict";
            let mut errors = field_errors(e);
            if conflict {
                let current = st
                    .store
                    .team_kpis(Some(id))
                    .await?
                    .into_iter()
                    .find(|(_, k)| {
                        Some(k.zone) == v.zone.trim().parse().ok()
                            && Some(k.year.get()) == v.year.trim().parse().ok()
                    });
                if let Some((_, k)) = current {
                    errors.push(super::stale_line(
                        format!(
                            "该片区 {} 年的绩效已有人填报：运营收入 {} 元，游客 {} 人次，活动 {} 场，就业 {} 人，村集体增收 {} 元。",
                            k.year.get(),
                            k.revenue.yuan_string(),
                            k.visitors,
                            k.events,
                            k.jobs,
                            k.collective_income.yuan_string()
                        ),
                    ));
                    v.version = k.version;
                }
            }
            let page = team_page(&st, &actor, id, Some(v), errors, None, Vec::new()).await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn evaluation_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let v = EvalForm {
        year: form_value(&p, "year"),
        score: form_value(&p, "score"),
        grade: form_value(&p, "grade"),
        comment: form_value(&p, "comment"),
        reviewer: form_value(&p, "reviewer"),
    };
    let r = async {
        let spec = EvaluationDraft {
            year: v.year.clone(),
            score: v.score.clone(),
            grade: v.grade.clone(),
            comment: v.comment.clone(),
            reviewer: v.reviewer.clone(),
        }
        .parse()
        .map_err(ApiError::invalid)?;
        st.store.add_evaluation(&actor, id, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/teams/{id}#evaluations")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let page =
                team_page(&st, &actor, id, None, Vec::new(), Some(v), field_errors(e)).await?;
            Ok((status, page).into_response())
        }
    }
}

// ---------------------------------------------------------------- operation plan

#[derive(Default, Clone)]
pub struct PlanForm {
    pub theme: String,
    pub market_analysis: String,
    pub product_design: String,
    pub promotion: String,
    pub ip_name: String,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "team_operation_plan.html")]
pub struct PlanPage {
    pub layout: Layout,
    pub zone_id: i64,
    pub zone: String,
    /// The saved plan (what is shown); empty when none yet.
    pub saved: Option<OperationPlan>,
    pub logo_url: Option<String>,
    pub logo_name: String,
    pub updated: String,
    pub teams: Vec<(i64, String)>,
    pub can_edit: bool,
    pub v: PlanForm,
    pub errors: Vec<(String, String)>,
}

error_for!(PlanPage);

async fn plan_view(
    st: &AppState,
    actor: &Actor,
    zone: i64,
    form: Option<PlanForm>,
    errors: Vec<(String, String)>,
) -> Result<PlanPage, PageError> {
    let snap = st.store.snapshot().await?;
    let z = snap
        .zone(ZoneId(zone))
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")))?;
    let rec = st.store.operation_plan(zone).await?;
    let day = st.today();
    let teams = st
        .store
        .teams(Some(zone))
        .await?
        .into_iter()
        .filter(|t| t.serves(zone, day))
        .map(|t| (t.id, t.name))
        .collect();
    let v = form.unwrap_or_else(|| match &rec {
        Some(r) => PlanForm {
            theme: r.plan.theme.clone(),
            market_analysis: r.plan.market_analysis.clone(),
            product_design: r.plan.product_design.clone(),
            promotion: r.plan.promotion.clone(),
            ip_name: r.plan.ip_name.clone(),
            version: r.version,
        },
        None => PlanForm::default(),
    });
    Ok(PlanPage {
        layout: Layout::new(format!("{} · 运营方案", z.name), "ops", snap.is_demo),
        zone_id: zone,
        zone: z.name.clone(),
        logo_url: rec.as_ref().and_then(|r| {
            r.logo
                .as_ref()
                .map(|_| format!("/api/v1/zones/{zone}/operation-plan/logo?v={}", r.version))
        }),
        logo_name: rec
            .as_ref()
            .and_then(|r| r.logo.as_ref())
            .map(|l| l.file_name.clone())
            .unwrap_or_default(),
        updated: rec
            .as_ref()
            .map(|r| {
                format!(
                    "{} 由 {} 更新",
                    r.updated_at.chars().take(10).collect::<String>(),
                    r.updated_by.trim_start_matches("system:")
                )
            })
            .unwrap_or_default(),
        saved: rec.map(|r| r.plan),
        teams,
        can_edit: may_enter_zone_figures(actor, &snap, zone),
        v,
        errors,
    })
}

pub async fn plan_page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(zone): Path<i64>,
) -> Result<PlanPage, PageError> {
    plan_view(&st, &actor, zone, None, Vec::new()).await
}

pub async fn plan_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(zone): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let mut v = PlanForm::default();
    let mut remove = false;
    let mut logo: Option<(String, Vec<u8>)> = None;
    let r = async {
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(format!("上传内容无法读取：{e}")))?
        {
            let name = field.name().unwrap_or("").to_string();
            if name == "logo" {
                let file = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("上传内容无法读取：{e}")))?;
                if !bytes.is_empty() {
                    logo = Some((file, bytes.to_vec()));
                }
                continue;
            }
            let text = field.text().await.unwrap_or_default();
            match name.as_str() {
                "theme" => v.theme = text,
                "market_analysis" => v.market_analysis = text,
                "product_design" => v.product_design = text,
                "promotion" => v.promotion = text,
                "ip_name" => v.ip_name = text,
                "version" => v.version = text.trim().parse().unwrap_or(0),
                "remove_logo" => remove = text == "1",
                _ => {}
            }
        }
        let plan = OperationPlan {
            theme: v.theme.clone(),
            market_analysis: v.market_analysis.clone(),
            product_design: v.product_design.clone(),
            promotion: v.promotion.clone(),
            ip_name: v.ip_name.clone(),
        }
        .parse()
        .map_err(ApiError::invalid)?;
        let change = match logo.take() {
            Some((n, b)) => LogoChange::Set(n, b),
            None if remove => LogoChange::Remove,
            None => LogoChange::Keep,
        };
        st.store
            .put_operation_plan(&actor, zone, Some(v.version), &plan, &change)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{zone}/operation-plan")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let conflict = e.code == "version_conflict";
            let mut errors = field_errors(e);
            if conflict && let Some(cur) = st.store.operation_plan(zone).await? {
                errors.push(super::stale_line(format!(
                    "方案已被 {} 于 {} 更新（IP「{}」）。",
                    cur.updated_by.trim_start_matches("system:"),
                    cur.updated_at.chars().take(10).collect::<String>(),
                    cur.plan.ip_name
                )));
                v.version = cur.version;
            }
            let page = plan_view(&st, &actor, zone, Some(v), errors).await?;
            Ok((status, page).into_response())
        }
    }
}
