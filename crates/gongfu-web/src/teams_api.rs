//! The JSON API of operating teams (运营团队): teams with their contracts and served zones,
//! their yearly KPIs per zone (create or update with a version), each zone's operation plan
//! with its IP logo (一片一IP), the evaluation history (年度考评), and the KPI sheet in Excel.

use crate::AppState;
use crate::api::zone_name as zone_label;
use crate::api::{RequestActor, file_response};
use crate::error::{ApiError, JsonBody, PathParam};
use crate::work_xlsx_api::{ImportQuery, Kind, answer, template};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::ops::teams::{
    Evaluation, EvaluationDraft, Kpi, KpiDraft, KpiTotals, OperationPlan, Team, TeamDraft,
    score_string,
};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, DomainError, ZoneId};
use gongfu_store::Snapshot;
use gongfu_store::teams::{LogoChange, PlanRecord};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/teams", get(list_teams).post(create_team))
        .route("/api/v1/teams/{id}", get(get_team).put(update_team))
        .route("/api/v1/teams/{id}/kpis", get(team_kpis))
        .route("/api/v1/teams/{id}/kpis/{zone}/{year}", put(put_kpi))
        .route(
            "/api/v1/teams/{id}/evaluations",
            get(list_evaluations).post(add_evaluation),
        )
        .route(
            "/api/v1/zones/{id}/operation-plan",
            get(get_plan).put(put_plan),
        )
        .route("/api/v1/zones/{id}/operation-plan/logo", get(logo))
        .route("/api/v1/export/team-kpis.xlsx", get(export_kpis))
        .route(
            "/api/v1/import/team-kpis/template.xlsx",
            get(|st| template(st, Kind::TeamKpis)),
        )
        .route("/api/v1/import/team-kpis", post(import_kpis))
}

pub fn kpi_json(snap: &Snapshot, id: i64, k: &Kpi) -> Value {
    json!({
        "id": id,
        "team": k.team,
        "zone": {"id": k.zone, "name": zone_label(snap, k.zone)},
        "year": k.year.get(),
        "revenue_fen": k.revenue.0,
        "visitors": k.visitors,
        "events": k.events,
        "jobs": k.jobs,
        "collective_income_fen": k.collective_income.0,
        "version": k.version,
    })
}

fn totals_json(t: &KpiTotals) -> Value {
    json!({
        "revenue_fen": t.revenue.0, "visitors": t.visitors, "events": t.events, "jobs": t.jobs,
        "collective_income_fen": t.collective_income.0,
    })
}

pub fn evaluation_json(e: &Evaluation) -> Value {
    json!({
        "id": e.id,
        "year": e.year.get(),
        "score_tenths": e.score_tenths,
        "score": score_string(e.score_tenths),
        "grade": e.grade.key(),
        "grade_label": e.grade.label(),
        "comment": e.comment,
        "reviewer": e.reviewer,
        "recorded_at": e.recorded_at,
    })
}

pub fn team_json(snap: &Snapshot, t: &Team, day: Date, kpis: &[(i64, Kpi)]) -> Value {
    let state = t.contract_state(day);
    let mine: Vec<&Kpi> = kpis
        .iter()
        .filter(|(_, k)| k.team == t.id)
        .map(|(_, k)| k)
        .collect();
    let latest_year = mine.iter().map(|k| k.year).max();
    let latest = latest_year.map(|y| {
        let tot = KpiTotals::of(mine.iter().copied().filter(|k| k.year == y));
        json!({"year": y.get(), "totals": totals_json(&tot)})
    });
    json!({
        "id": t.id,
        "name": t.name,
        "credit_code": t.credit_code.as_ref().map(|c| c.as_str()),
        "actor": t.actor,
        "contact_person": t.contact_person,
        "phone": t.phone,
        "business_types": t.business_types.iter().map(|b| b.key()).collect::<Vec<_>>(),
        "business_type_labels": t.business_types.iter().map(|b| b.label()).collect::<Vec<_>>(),
        "contract_start": date_string(t.contract_start),
        "contract_end": date_string(t.contract_end),
        "contract_state": state,
        "contract_state_label": state.label(),
        "terms": t.terms,
        "zones": t.zones.iter().map(|z| json!({
            "id": z.zone, "name": zone_label(snap, z.zone), "from": date_string(z.from),
            "until": z.until.map(date_string), "serving": z.covers(day),
        })).collect::<Vec<_>>(),
        "latest_kpis": latest,
        "version": t.version,
    })
}

#[derive(Deserialize, Default)]
pub struct TeamQuery {
    pub zone: Option<String>,
}

impl TeamQuery {
    pub fn zone(&self) -> Result<Option<i64>, ApiError> {
        crate::api::zone_param(&self.zone)
    }
}

async fn list_teams(
    State(st): State<AppState>,
    Query(q): Query<TeamQuery>,
) -> Result<Json<Value>, ApiError> {
    let zone = q.zone()?;
    let snap = st.store.snapshot().await?;
    let kpis = st.store.team_kpis(None).await?;
    let day = st.today();
    let items: Vec<Value> = st
        .store
        .teams(zone)
        .await?
        .iter()
        .map(|t| team_json(&snap, t, day, &kpis))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

pub async fn team_or_404(st: &AppState, id: i64) -> Result<Team, ApiError> {
    st.store
        .team(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("运营团队 {id} 不存在")))
}

async fn team_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let t = team_or_404(st, id).await?;
    let snap = st.store.snapshot().await?;
    let kpis = st.store.team_kpis(Some(id)).await?;
    let mut v = team_json(&snap, &t, st.today(), &kpis);
    let evals = st.store.evaluations(Some(id)).await?;
    v["evaluations"] = json!(evals.iter().map(evaluation_json).collect::<Vec<_>>());
    Ok(v)
}

async fn get_team(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(team_answer(&st, id).await?))
}

async fn create_team(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<TeamDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_team(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(team_answer(&st, id).await?)))
}

pub type TeamBody = crate::api::Versioned<TeamDraft>;

async fn update_team(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<TeamBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store.update_team(&actor, id, b.version, &spec).await?;
    Ok(Json(team_answer(&st, id).await?))
}

async fn team_kpis(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    team_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    let kpis = st.store.team_kpis(Some(id)).await?;
    let mut years: Vec<i32> = kpis.iter().map(|(_, k)| k.year.get()).collect();
    years.sort_unstable();
    years.dedup();
    let by_year: Vec<Value> = years
        .iter()
        .map(|y| {
            let t = KpiTotals::of(kpis.iter().map(|(_, k)| k).filter(|k| k.year.get() == *y));
            json!({"year": y, "totals": totals_json(&t)})
        })
        .collect();
    Ok(Json(json!({
        "items": kpis.iter().map(|(i, k)| kpi_json(&snap, *i, k)).collect::<Vec<_>>(),
        "by_year": by_year,
        "totals": totals_json(&KpiTotals::of(kpis.iter().map(|(_, k)| k))),
    })))
}

#[derive(Deserialize)]
pub struct KpiBody {
    #[serde(flatten)]
    pub draft: KpiDraft,
    /// Absent or 0 when entering the year's figures for the first time.
    #[serde(default)]
    pub version: Option<i64>,
}

async fn put_kpi(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((id, zone, year)): PathParam<(i64, i64, String)>,
    JsonBody(b): JsonBody<KpiBody>,
) -> Result<Json<Value>, ApiError> {
    let year = DataYear::parse(&year).map_err(|mut e| {
        e.field = "year".into();
        e
    })?;
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    let kid = st
        .store
        .put_kpi(&actor, id, zone, year, b.version, &spec)
        .await?;
    let snap = st.store.snapshot().await?;
    let (_, k) = st
        .store
        .team_kpis(Some(id))
        .await?
        .into_iter()
        .find(|(i, _)| *i == kid)
        .ok_or_else(|| ApiError::not_found("绩效记录不存在"))?;
    Ok(Json(kpi_json(&snap, kid, &k)))
}

async fn list_evaluations(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    team_or_404(&st, id).await?;
    let items: Vec<Value> = st
        .store
        .evaluations(Some(id))
        .await?
        .iter()
        .map(evaluation_json)
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn add_evaluation(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<EvaluationDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let eid = st.store.add_evaluation(&actor, id, &spec).await?;
    let e = st
        .store
        .evaluations(Some(id))
        .await?
        .into_iter()
        .find(|e| e.id == eid)
        .ok_or_else(|| ApiError::not_found("考评记录不存在"))?;
    Ok((StatusCode::CREATED, Json(evaluation_json(&e))))
}

pub fn plan_json(zone: i64, zone_name: &str, p: Option<&PlanRecord>) -> Value {
    let plan = p.map(|p| p.plan.clone()).unwrap_or_default();
    json!({
        "zone": {"id": zone, "name": zone_name},
        "theme": plan.theme,
        "market_analysis": plan.market_analysis,
        "product_design": plan.product_design,
        "promotion": plan.promotion,
        "ip_name": plan.ip_name,
        "logo": p.and_then(|p| p.logo.as_ref()).map(|l| json!({
            "url": format!("/api/v1/zones/{zone}/operation-plan/logo"),
            "file_name": l.file_name, "content_type": l.content_type,
            "size_bytes": l.size_bytes, "sha256": l.sha256,
        })),
        "updated_by": p.map(|p| p.updated_by.clone()),
        "updated_at": p.map(|p| p.updated_at.clone()),
        "version": p.map_or(0, |p| p.version),
    })
}

async fn plan_answer(st: &AppState, zone: i64) -> Result<Value, ApiError> {
    let snap = st.store.snapshot().await?;
    let z = snap
        .zone(ZoneId(zone))
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")))?;
    let p = st.store.operation_plan(zone).await?;
    Ok(plan_json(zone, &z.name, p.as_ref()))
}

async fn get_plan(
    State(st): State<AppState>,
    PathParam(zone): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(plan_answer(&st, zone).await?))
}

#[derive(Deserialize, Default)]
pub struct PlanBody {
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub market_analysis: String,
    #[serde(default)]
    pub product_design: String,
    #[serde(default)]
    pub promotion: String,
    #[serde(default)]
    pub ip_name: String,
    /// 0 or absent for the zone's first plan.
    #[serde(default)]
    pub version: Option<i64>,
    /// A new logo: its file name and its bytes in base64.
    #[serde(default)]
    pub logo_name: Option<String>,
    #[serde(default)]
    pub logo_base64: Option<String>,
    #[serde(default)]
    pub remove_logo: bool,
}

async fn put_plan(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(zone): PathParam<i64>,
    JsonBody(b): JsonBody<PlanBody>,
) -> Result<Json<Value>, ApiError> {
    let plan = OperationPlan {
        theme: b.theme,
        market_analysis: b.market_analysis,
        product_design: b.product_design,
        promotion: b.promotion,
        ip_name: b.ip_name,
    }
    .parse()
    .map_err(ApiError::invalid)?;
    let logo = match (b.logo_base64.as_deref(), b.remove_logo) {
        (Some(data), _) if !data.trim().is_empty() => {
            let bytes = gongfu_store::teams::decode_base64(data).ok_or_else(|| {
                DomainError::new("invalid_base64", "logo", "标识图片的 base64 内容无法解码")
            })?;
            LogoChange::Set(b.logo_name.unwrap_or_else(|| "logo".into()), bytes)
        }
        (_, true) => LogoChange::Remove,
        _ => LogoChange::Keep,
    };
    st.store
        .put_operation_plan(&actor, zone, b.version, &plan, &logo)
        .await?;
    Ok(Json(plan_answer(&st, zone).await?))
}

async fn logo(
    State(st): State<AppState>,
    PathParam(zone): PathParam<i64>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = st
        .store
        .operation_logo(zone)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 没有上传标识")))?;
    Ok(file_response(
        bytes,
        &meta.content_type,
        &meta.file_name,
        true,
    ))
}

fn io_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "export_failed",
        format!("生成文件失败：{e}"),
    )
}

/// 运营绩效 as Excel: every team's KPIs (`?zone=` for one zone's), by team, year and zone.
async fn export_kpis(
    State(st): State<AppState>,
    Query(q): Query<TeamQuery>,
) -> Result<Response, ApiError> {
    let zone = q.zone()?;
    let snap = st.store.snapshot().await?;
    let teams = st.store.teams(None).await?;
    let kpis = st.store.team_kpis(None).await?;
    let names: Vec<(String, String, &Kpi)> = kpis
        .iter()
        .filter(|(_, k)| zone.is_none_or(|z| k.zone == z))
        .map(|(_, k)| {
            let team = teams
                .iter()
                .find(|t| t.id == k.team)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            (team, zone_label(&snap, k.zone), k)
        })
        .collect();
    let rows: Vec<gongfu_io::teams_xlsx::KpiExportRow> = names
        .iter()
        .map(|(t, z, k)| gongfu_io::teams_xlsx::KpiExportRow {
            team: t,
            zone: z,
            kpi: k,
        })
        .collect();
    Ok(crate::api::xlsx_response(
        gongfu_io::teams_xlsx::export_kpis(&rows, snap.is_demo).map_err(io_err)?,
        "运营绩效.xlsx",
    ))
}

async fn import_kpis(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::TeamKpis, &q, &body).await
}
