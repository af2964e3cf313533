//! The JSON API of operations (issue 7) so far: common-prosperity elements (共富元素) and the
//! named indicator figures of a zone and year (`GET /api/v1/indicators`), each figure with its
//! rule and the records it was computed from.

use crate::AppState;
use crate::api::present;
use crate::api::{RequestActor, io_err, xlsx_response};
use crate::error::{ApiError, JsonBody, PathParam};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use gongfu_core::ops::elements::{Element, ElementDraft, ElementType};
use gongfu_core::ops::indicators::{Indicator, display};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, DomainError, VillageCode, ZoneId};
use gongfu_io::indicators_xlsx::export_indicator_table;
use gongfu_store::Snapshot;
use gongfu_store::ops::ElementFilter;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/elements", get(list_elements).post(create_element))
        .route(
            "/api/v1/elements/{id}",
            get(get_element).put(update_element),
        )
        .route("/api/v1/indicators", get(indicators))
        .route("/api/v1/indicators.xlsx", get(indicators_xlsx))
}

pub fn element_json(snap: &Snapshot, e: &Element, day: Date) -> Value {
    let zone = snap
        .membership_of(&e.village, day)
        .and_then(|m| snap.zone(m.zone))
        .map(|z| json!({"id": z.id.0, "name": z.name}));
    let d = snap.division(&e.village);
    let point = e
        .lon
        .zip(e.lat)
        .or_else(|| d.and_then(|d| d.lon.zip(d.lat)));
    json!({
        "id": e.id,
        "type": e.kind.key(),
        "type_label": e.kind.label(),
        "name": e.name,
        "village_code": e.village.as_str(),
        "village_name": d.map(|d| d.division.name.clone()),
        "zone": zone,
        "lon": point.map(|p| p.0),
        "lat": point.map(|p| p.1),
        "location": if e.lon.is_some() { "own" } else { "village" },
        "opened_on": date_string(e.opened_on),
        "closed_on": e.closed_on.map(date_string),
        "jobs": e.jobs,
        "low_income_jobs": e.low_income_jobs,
        "monthly_gain_fen": e.monthly_gain.0,
        "collective_income_fen": e.collective_income.0,
        "operator": e.operator,
        "note": e.note,
        "version": e.version,
    })
}

#[derive(Deserialize, Default)]
pub struct ElementQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub zone: Option<String>,
    pub village: Option<String>,
    /// `true`: only those not closed.
    pub open: Option<String>,
}

impl ElementQuery {
    pub fn parse(&self) -> Result<ElementFilter, ApiError> {
        let mut errors = Vec::new();
        let mut f = ElementFilter::default();
        if let Some(k) = present(&self.kind) {
            f.kind = ElementType::parse(k).map_err(|e| errors.push(e)).ok();
        }
        if let Some(z) = present(&self.zone) {
            f.zone = crate::api::zone_id(z).map_err(|e| errors.push(e)).ok();
        }
        if let Some(v) = present(&self.village) {
            f.village = VillageCode::parse(v).map_err(|e| errors.push(e)).ok();
        }
        f.open_only = matches!(present(&self.open), Some("true" | "1"));
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

async fn list_elements(
    State(st): State<AppState>,
    Query(q): Query<ElementQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = q.parse()?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let items: Vec<Value> = st
        .store
        .elements(&filter, day)
        .await?
        .iter()
        .map(|e| element_json(&snap, e, day))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn element_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let e = st
        .store
        .element(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("共富元素 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    Ok(element_json(&snap, &e, st.today()))
}

async fn get_element(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(element_answer(&st, id).await?))
}

async fn create_element(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<ElementDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse(st.today()).map_err(ApiError::invalid)?;
    let id = st.store.create_element(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(element_answer(&st, id).await?)))
}

pub type ElementBody = crate::api::Versioned<ElementDraft>;

async fn update_element(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ElementBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse(st.today()).map_err(ApiError::invalid)?;
    st.store
        .update_element(&actor, id, b.version, &spec)
        .await?;
    Ok(Json(element_answer(&st, id).await?))
}

#[derive(Deserialize, Default)]
pub struct IndicatorQuery {
    pub zone: Option<String>,
    pub year: Option<String>,
}

async fn indicators(
    State(st): State<AppState>,
    Query(q): Query<IndicatorQuery>,
) -> Result<Json<Value>, ApiError> {
    let zone: i64 = present(&q.zone)
        .ok_or_else(|| DomainError::new("required", "zone", "请给出片区编号 zone"))?
        .parse()
        .map_err(|_| DomainError::new("invalid_zone", "zone", "片区编号应为整数"))?;
    let year = YearQuery { year: q.year }.year(st.today())?;
    let snap = st.store.snapshot().await?;
    let z = snap
        .zone(ZoneId(zone))
        .ok_or_else(|| ApiError::not_found(format!("片区 {zone} 不存在")))?;
    let figures = st.store.indicator_figures(zone, year).await?;
    let items: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({
                "key": f.indicator.key(),
                "name": f.indicator.label(),
                "unit": f.indicator.unit(),
                "unit_label": f.indicator.unit().label(),
                "value": f.value,
                "display": display(f.indicator, f.value),
                "rule": f.indicator.rule(),
                "sources": f.sources,
            })
        })
        .collect();
    Ok(Json(json!({
        "zone": {"id": zone, "name": z.name},
        "year": year,
        "indicators": items,
        "keys": Indicator::ALL.map(Indicator::key),
    })))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<String>,
}

impl YearQuery {
    /// The year asked for, this year when none is given.
    pub fn year(&self, today: Date) -> Result<i32, DomainError> {
        match present(&self.year) {
            Some(y) => Ok(DataYear::parse(y)?.get()),
            None => Ok(today.year()),
        }
    }
}

async fn indicators_xlsx(
    State(st): State<AppState>,
    Query(q): Query<YearQuery>,
) -> Result<Response, ApiError> {
    let year = q.year(st.today())?;
    let rows = st.store.indicator_table(year).await?;
    let demo = st.store.snapshot().await?.is_demo;
    let bytes = export_indicator_table(year, &rows, demo).map_err(io_err)?;
    Ok(xlsx_response(bytes, &format!("片区指标数据表-{year}.xlsx")))
}
