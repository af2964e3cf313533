//! The JSON API under `/api/v1`. Handlers parse, call the store's service functions, and
//! answer with the same view models the pages use.

use crate::AppState;
use crate::error::{ApiError, JsonBody, PathParam};
use crate::views::{self, VillageQuery};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::targets::{Metric, Target};
use gongfu_core::village::{VillageStatus, date_string, parse_date};
use gongfu_core::zone::{DesignationStatus, Tier};
use gongfu_core::{DataYear, DomainError, Fen, VillageCode, ZoneId};
use gongfu_store::Actor;
use gongfu_store::service::ZoneInput;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::net::SocketAddr;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/api/v1/dashboard", get(dashboard))
        .route("/api/v1/villages", get(list_villages))
        .route("/api/v1/villages/{code}", get(get_village))
        .route("/api/v1/villages/{code}/status", post(set_village_status))
        .route("/api/v1/villages/{code}/move", post(move_village))
        .route("/api/v1/villages/{code}/tags", put(set_village_tags))
        .route("/api/v1/zones", get(list_zones).post(create_zone))
        .route("/api/v1/zones/{id}", get(get_zone).put(update_zone))
        .route("/api/v1/zones/{id}/dissolve", post(dissolve_zone))
        .route(
            "/api/v1/zones/{id}/designations/{year}",
            put(set_designation),
        )
        .route("/api/v1/coverage", get(coverage))
        .route("/api/v1/targets", get(targets).put(set_target))
        .route("/api/v1/settings", get(settings).put(set_settings))
        .route("/api/v1/map/villages.geojson", get(map_geojson))
        .route("/api/v1/import/years", post(import_years))
        .route("/api/v1/import/years/template.xlsx", get(years_template))
        .route("/api/v1/import/boundaries", post(import_boundaries))
        .route("/api/v1/export/villages.xlsx", get(export_villages))
        .route("/api/v1/export/zones.xlsx", get(export_zones))
        .route("/api/v1/export/years.xlsx", get(export_years))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/plan/runs", post(crate::planning::start_run))
        .route("/api/v1/plan/runs/{id}", get(crate::planning::run_status))
        .route(
            "/api/v1/plan/runs/{id}/cancel",
            post(crate::planning::cancel_run),
        )
        .route(
            "/api/v1/plan/scenarios",
            get(crate::planning::list_scenarios).post(crate::planning::save_scenario),
        )
        .route(
            "/api/v1/plan/scenarios/{id}",
            get(crate::planning::get_scenario),
        )
        .route(
            "/api/v1/plan/scenarios/{id}/adopt",
            post(crate::planning::adopt_scenario),
        )
        .route(
            "/api/v1/plan/scenarios/{id}/delete",
            post(crate::planning::delete_scenario),
        )
        .route("/api/v1/plan/sites", post(crate::siting_api::plan_sites))
        .route(
            "/api/v1/zones/{id}/plan/service-layout",
            post(crate::siting_api::save_to_plan),
        )
        .route("/api/v1/export/audit.xlsx", get(export_audit))
        .merge(crate::facilities_api::routes())
}

/// The acting user for the audit log: the remote address until accounts arrive.
pub struct RequestActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for RequestActor {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        // The middleware has already refused unsigned requests to everything that writes;
        // a caller-less request here is a public page, which acts as a viewer.
        Ok(RequestActor(match crate::auth::current() {
            Some(c) => c.user.actor(&address),
            None => Actor {
                name: "未登录".into(),
                address,
                user_id: None,
                role: gongfu_core::auth::Role::Viewer,
            },
        }))
    }
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.generation().await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {e}"),
        )
            .into_response(),
    }
}

async fn dashboard(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let d = views::cached_dashboard(&snap, st.today());
    Ok(([(header::CONTENT_TYPE, "application/json")], d.json.clone()).into_response())
}

#[derive(Serialize)]
struct VillageList {
    total: usize,
    page: usize,
    per_page: usize,
    pages: usize,
    year: Option<i32>,
    items: Vec<views::VillageRow>,
}

async fn list_villages(
    State(st): State<AppState>,
    Query(q): Query<VillageQuery>,
) -> Result<Json<VillageList>, ApiError> {
    let snap = st.store.snapshot().await?;
    let p = views::village_page(&snap, st.today(), &q);
    Ok(Json(VillageList {
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        pages: p.pages,
        year: p.year,
        items: p.rows,
    }))
}

/// Everything about one village: the row, the yearly series, the zone and its history.
pub fn village_detail(
    snap: &gongfu_store::Snapshot,
    code: &str,
    day: Date,
) -> Result<Value, ApiError> {
    let code = VillageCode::parse(code)?;
    let idx = snap
        .division_index(&code)
        .ok_or_else(|| ApiError::not_found(format!("村代码「{code}」不在名录中")))?;
    let row = views::village_row(snap, idx, day, snap.latest_year());
    let d = &snap.divisions[idx];
    let years: Vec<Value> = snap
        .years(&code)
        .iter()
        .map(|f| {
            json!({
                "year": f.year.get(), "population": f.population, "households": f.households,
                "operating_income_fen": f.operating_income.0, "disposable_income_fen": f.disposable_income.0,
                "area_km2": f.area_km2, "weak": d.division.kind == gongfu_core::village::DivisionKind::Village && snap.weak_rule.is_weak(f),
            })
        })
        .collect();
    let history: Vec<Value> = snap
        .memberships
        .iter()
        .filter(|m| m.village == code)
        .map(|m| {
            json!({
                "zone_id": m.zone.0, "zone_name": snap.zone(m.zone).map(|z| z.name.clone()),
                "role": m.role.as_str(), "from": date_string(m.from), "to": m.to.map(date_string),
            })
        })
        .collect();
    let (status_from, merged_into) = match &d.division.status {
        VillageStatus::Active => (None, None),
        VillageStatus::Merged { from, into } => {
            (Some(date_string(*from)), Some(into.as_str().to_string()))
        }
        VillageStatus::Withdrawn { from } => (Some(date_string(*from)), None),
    };
    let boundary: Value = d
        .boundary
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    Ok(json!({
        "village": row, "version": d.version, "status_from": status_from, "merged_into": merged_into,
        "weak_rule_income_below_fen": snap.weak_rule.income_below.0,
        "years": years, "membership_history": history, "boundary": boundary, "demo": snap.is_demo,
    }))
}

async fn get_village(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(village_detail(&snap, &code, st.today())?))
}

#[derive(Deserialize)]
pub struct StatusBody {
    pub status: String,
    /// The village version the caller read (`GET /api/v1/villages/{code}`).
    pub version: i64,
    pub from: Option<String>,
    pub merged_into: Option<String>,
}

pub fn parse_status(b: &StatusBody) -> Result<VillageStatus, ApiError> {
    let from =
        || -> Result<Date, ApiError> { Ok(parse_date("from", b.from.as_deref().unwrap_or(""))?) };
    Ok(match b.status.as_str() {
        "active" => VillageStatus::Active,
        "merged" => VillageStatus::Merged {
            from: from()?,
            into: VillageCode::parse(b.merged_into.as_deref().unwrap_or("")).map_err(|mut e| {
                e.field = "merged_into".into();
                e
            })?,
        },
        "withdrawn" => VillageStatus::Withdrawn { from: from()? },
        other => {
            return Err(DomainError::new(
                "invalid_status",
                "status",
                format!("状态「{other}」无效：应为 active、merged 或 withdrawn"),
            )
            .into());
        }
    })
}

async fn set_village_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let status = parse_status(&b)?;
    st.store
        .set_village_status(&actor, &code, b.version, status)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(village_detail(&snap, &code, st.today())?))
}

#[derive(Deserialize)]
pub struct TagsBody {
    pub tags: Vec<String>,
    pub version: i64,
}

async fn set_village_tags(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<TagsBody>,
) -> Result<Json<Value>, ApiError> {
    st.store
        .set_village_tags(&actor, &code, b.version, &b.tags.join(","))
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(village_detail(&snap, &code, st.today())?))
}

#[derive(Deserialize)]
pub struct MoveBody {
    pub zone_id: Option<i64>,
    pub effective: Option<String>,
}

async fn move_village(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<MoveBody>,
) -> Result<Json<Value>, ApiError> {
    let day = optional_date("effective", b.effective.as_deref())?.unwrap_or_else(|| st.today());
    st.store
        .move_village(&actor, &code, b.zone_id.map(ZoneId), day)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(village_detail(&snap, &code, st.today())?))
}

/// A zone's name, or 「片区 {id}」 for one not in the snapshot.
pub fn zone_name(snap: &gongfu_store::Snapshot, zone: i64) -> String {
    snap.zone(ZoneId(zone))
        .map(|z| z.name.clone())
        .unwrap_or_else(|| format!("片区 {zone}"))
}

/// A record's draft with the version it was read at, as an update's body sends it.
#[derive(Deserialize)]
pub struct Versioned<D> {
    #[serde(flatten)]
    pub draft: D,
    pub version: i64,
}

/// A query parameter that was given and is not blank, trimmed.
pub fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A zone id as typed in a query (`?zone=`).
pub fn zone_id(z: &str) -> Result<i64, DomainError> {
    z.parse().map_err(|_| {
        DomainError::new(
            "invalid_zone",
            "zone",
            format!("片区编号「{z}」无效：应为整数"),
        )
    })
}

/// `?zone=` as a zone id, or none.
pub fn zone_param(z: &Option<String>) -> Result<Option<i64>, ApiError> {
    Ok(present(z).map(zone_id).transpose()?)
}

pub fn optional_date(field: &str, s: Option<&str>) -> Result<Option<Date>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(parse_date(field, s)?)),
    }
}

#[derive(Deserialize, Default)]
pub struct ListZonesQuery {
    pub include_dissolved: Option<String>,
    #[serde(flatten)]
    pub filter: views::ZoneQuery,
}

async fn list_zones(
    State(st): State<AppState>,
    Query(q): Query<ListZonesQuery>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let items = if q
        .include_dissolved
        .as_deref()
        .is_some_and(|v| v == "1" || v == "true")
    {
        views::zone_rows(&snap, day, true)
    } else {
        views::zone_list(&snap, day, &q.filter)
    };
    Ok(Json(json!({ "total": items.len(), "items": items })))
}

#[derive(Deserialize)]
pub struct DesignationBody {
    /// Taken from the path on `PUT …/designations/{year}`.
    #[serde(default)]
    pub year: i64,
    pub tier: String,
    pub status: Option<String>,
}

/// The body of `POST /api/v1/zones` and `PUT /api/v1/zones/{id}`.
#[derive(Deserialize)]
pub struct ZoneBody {
    pub name: String,
    pub key_village: String,
    pub villages: Vec<String>,
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub lead_official: String,
    #[serde(default)]
    pub note: String,
    pub effective: Option<String>,
    pub designation: Option<DesignationBody>,
    /// Required on update: the version the client read.
    pub version: Option<i64>,
}

pub fn parse_designation(d: &DesignationBody) -> Result<(i32, Tier, DesignationStatus), ApiError> {
    let year = DataYear::new(d.year)?.get();
    let tier = Tier::parse(&d.tier)?;
    let status = match d.status.as_deref() {
        Some(s) if !s.trim().is_empty() => DesignationStatus::parse(s)?,
        _ => DesignationStatus::Applied,
    };
    Ok((year, tier, status))
}

impl ZoneBody {
    pub fn to_input(&self) -> Result<ZoneInput, ApiError> {
        Ok(ZoneInput {
            name: self.name.clone(),
            theme: self.theme.clone(),
            key_village: self.key_village.clone(),
            villages: self.villages.clone(),
            lead_official: self.lead_official.clone(),
            note: self.note.clone(),
            effective: optional_date("effective", self.effective.as_deref())?,
            designation: self
                .designation
                .as_ref()
                .map(parse_designation)
                .transpose()?,
        })
    }
}

/// Everything about one zone.
pub fn zone_detail(snap: &gongfu_store::Snapshot, id: i64, day: Date) -> Result<Value, ApiError> {
    let z = snap
        .zone(ZoneId(id))
        .ok_or_else(|| ApiError::not_found(format!("片区 {id} 不存在")))?;
    let row = views::zone_row(snap, z, day);
    let members = views::zone_members(snap, z.id, day);
    let designations: Vec<Value> = snap
        .designations_of(z.id)
        .iter()
        .map(|d| json!({"year": d.year, "tier": d.tier.as_str(), "tier_label": d.tier.label(), "status": d.status.as_str(), "status_label": d.status.label()}))
        .collect();
    let history: Vec<Value> = snap
        .memberships
        .iter()
        .filter(|m| m.zone == z.id)
        .map(|m| {
            json!({"village": m.village.as_str(), "name": snap.division(&m.village).map(|d| d.division.name.clone()),
                   "role": m.role.as_str(), "from": date_string(m.from), "to": m.to.map(date_string)})
        })
        .collect();
    let mut v = serde_json::to_value(&row).map_err(|e| ApiError::bad_request(e.to_string()))?;
    v["note"] = json!(z.note);
    v["members"] = json!(members);
    v["designations"] = json!(designations);
    v["membership_history"] = json!(history);
    Ok(v)
}

async fn get_zone(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(zone_detail(&snap, id, st.today())?))
}

async fn create_zone(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Result<Json<ZoneBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let id = st
        .store
        .create_zone(&actor, &body.to_input()?, st.today())
        .await?;
    let snap = st.store.snapshot().await?;
    Ok((
        StatusCode::CREATED,
        Json(zone_detail(&snap, id.0, st.today())?),
    ))
}

async fn update_zone(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    body: Result<Json<ZoneBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let version = body.version.ok_or_else(|| {
        ApiError::from(DomainError::new(
            "required",
            "version",
            "更新片区时必须提供读取时的版本号 version",
        ))
    })?;
    st.store
        .update_zone(&actor, ZoneId(id), version, &body.to_input()?, st.today())
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(zone_detail(&snap, id, st.today())?))
}

#[derive(Deserialize)]
pub struct DissolveBody {
    pub version: i64,
    pub effective: Option<String>,
}

async fn dissolve_zone(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<DissolveBody>,
) -> Result<Json<Value>, ApiError> {
    let day = optional_date("effective", b.effective.as_deref())?.unwrap_or_else(|| st.today());
    st.store
        .dissolve_zone(&actor, ZoneId(id), b.version, day)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(zone_detail(&snap, id, st.today())?))
}

async fn set_designation(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((id, year)): PathParam<(i64, i64)>,
    JsonBody(b): JsonBody<DesignationBody>,
) -> Result<Json<Value>, ApiError> {
    let (year, tier, status) = parse_designation(&DesignationBody { year, ..b })?;
    st.store
        .set_designation(&actor, ZoneId(id), year, tier, status)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(zone_detail(&snap, id, st.today())?))
}

fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_json",
        format!("请求体不是有效的 JSON 或缺少必填字段：{}", e.body_text()),
    )
}

/// The coverage answer; its shape is fixed because scripts rely on it.
pub fn coverage_json(snap: &gongfu_store::Snapshot, day: Date) -> Value {
    let c = snap.coverage(day);
    json!({
        "total": c.total,
        "covered": c.covered,
        "uncovered": c.uncovered.iter().map(|u| json!({"code": u.code.as_str(), "name": u.name, "town": u.town})).collect::<Vec<_>>(),
        "share_bp": c.share_bp(),
        "day": date_string(day),
        "by_town": c.by_town.iter().map(|t| json!({"town_code": t.town_code.as_str(), "town": t.town, "total": t.total, "covered": t.covered})).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    pub day: Option<String>,
}

async fn coverage(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<DayQuery>,
) -> Result<Response, ApiError> {
    let day = optional_date("day", q.day.as_deref())?.unwrap_or_else(|| st.today());
    let snap = st.store.snapshot().await?;
    // Built once per snapshot and day: at province scale it is a megabyte of JSON.
    Ok(cached_body(
        &snap,
        &headers,
        &format!("coverage:{day}"),
        "application/json",
        || coverage_json(&snap, day).to_string().into_bytes(),
    ))
}

/// Answers with a body built once per snapshot under `key` and kept plain and gzipped, so
/// large answers are neither rebuilt nor recompressed per request.
fn cached_body(
    snap: &gongfu_store::Snapshot,
    headers: &axum::http::HeaderMap,
    key: &str,
    content_type: &'static str,
    make: impl FnOnce() -> Vec<u8>,
) -> Response {
    let cached = snap.derived.get_or_insert(key, || {
        let plain = make();
        let gz = gzip(&plain);
        (Bytes::from(plain), Bytes::from(gz))
    });
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let ctype = [
        (header::CONTENT_TYPE, content_type),
        (header::VARY, "accept-encoding"),
    ];
    if gzip_ok {
        (
            ctype,
            [(header::CONTENT_ENCODING, "gzip")],
            cached.1.clone(),
        )
            .into_response()
    } else {
        (ctype, cached.0.clone()).into_response()
    }
}

pub fn targets_json(snap: &gongfu_store::Snapshot, day: Date) -> Value {
    let p = gongfu_core::targets::progress(&snap.targets, &snap.target_facts(day));
    json!({
        "items": p.iter().map(|p| json!({
            "year": p.target.year, "metric": p.target.metric.key(), "label": p.target.metric.label(),
            "unit": if p.target.metric.is_bp() { "bp" } else { "count" },
            "value": p.target.value, "actual": p.actual, "met": p.met, "note": p.target.note,
            "version": snap.target_version(p.target.year, p.target.metric),
        })).collect::<Vec<_>>()
    })
}

async fn targets(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(targets_json(&snap, st.today())))
}

#[derive(Deserialize)]
pub struct TargetBody {
    pub year: i64,
    pub metric: String,
    pub value: i64,
    #[serde(default)]
    pub note: String,
    /// The version the caller read; 0 for a target not set yet.
    pub version: i64,
}

async fn set_target(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<TargetBody>,
) -> Result<Json<Value>, ApiError> {
    let t = Target {
        year: DataYear::new(b.year)?.get(),
        metric: Metric::parse(&b.metric)?,
        value: b.value,
        note: b.note,
    };
    st.store.set_target(&actor, &t, b.version).await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(targets_json(&snap, st.today())))
}

async fn settings(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(
        json!({"weak_income_below_fen": snap.weak_rule.income_below.0, "version": snap.weak_rule_version, "demo": snap.is_demo}),
    ))
}

#[derive(Deserialize)]
pub struct SettingsBody {
    pub weak_income_below_fen: i64,
    /// The version the caller read (`GET /api/v1/settings`).
    pub version: i64,
}

async fn set_settings(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<SettingsBody>,
) -> Result<Json<Value>, ApiError> {
    st.store
        .set_weak_threshold(&actor, Fen(b.weak_income_below_fen), b.version)
        .await?;
    settings(State(st)).await
}

#[derive(Deserialize, Default)]
pub struct MapQuery {
    pub zone: Option<i64>,
}

/// The map layer, built once per snapshot and day, kept both plain and gzipped: at province
/// scale it is megabytes, too much to build or compress per request.
/// The map layer: at province scale it is megabytes, so it is cached (see [`cached_body`]).
async fn map_geojson(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    Ok(match q.zone {
        None => cached_body(
            &snap,
            &headers,
            &format!("map:{day}"),
            "application/geo+json",
            || gongfu_io::map_feature_collection(&snap, day, snap.latest_year()),
        ),
        Some(z) => (
            [(header::CONTENT_TYPE, "application/geo+json")],
            gongfu_io::map_feature_collection_where(&snap, day, snap.latest_year(), |code| {
                snap.membership_of(code, day).is_some_and(|m| m.zone.0 == z)
            }),
        )
            .into_response(),
    })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 6),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct ImportQuery {
    /// `dry_run` (default) only checks; `apply` writes, all or nothing.
    pub mode: Option<String>,
}

/// Result of an import, dry run or applied.
#[derive(Serialize)]
pub struct ImportReport {
    pub ok: bool,
    pub applied: bool,
    pub rows: usize,
    pub errors: Vec<gongfu_io::RowError>,
}

pub async fn run_years_import(
    st: &AppState,
    actor: &Actor,
    bytes: &[u8],
    apply: bool,
    source: &str,
) -> Result<ImportReport, ApiError> {
    let snap = st.store.snapshot().await?;
    match gongfu_io::parse_years_xlsx(bytes, &snap) {
        Err(errors) => Ok(ImportReport {
            ok: false,
            applied: false,
            rows: 0,
            errors,
        }),
        Ok(rows) => {
            if apply {
                st.store.import_years(actor, &rows, source).await?;
            }
            Ok(ImportReport {
                ok: true,
                applied: apply,
                rows: rows.len(),
                errors: vec![],
            })
        }
    }
}

pub async fn run_boundaries_import(
    st: &AppState,
    actor: &Actor,
    bytes: &[u8],
    apply: bool,
    source: &str,
) -> Result<ImportReport, ApiError> {
    let snap = st.store.snapshot().await?;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            return Ok(ImportReport {
                ok: false,
                applied: false,
                rows: 0,
                errors: vec![gongfu_io::RowError {
                    row: 0,
                    column: "文件".into(),
                    value: String::new(),
                    reason: "文件不是 UTF-8 编码的 GeoJSON 文本".into(),
                }],
            });
        }
    };
    match gongfu_io::parse_boundaries_geojson(text, &snap) {
        Err(errors) => Ok(ImportReport {
            ok: false,
            applied: false,
            rows: 0,
            errors,
        }),
        Ok(rows) => {
            if apply {
                st.store.import_boundaries(actor, &rows, source).await?;
            }
            Ok(ImportReport {
                ok: true,
                applied: apply,
                rows: rows.len(),
                errors: vec![],
            })
        }
    }
}

fn is_apply(q: &ImportQuery) -> Result<bool, ApiError> {
    match q.mode.as_deref().unwrap_or("dry_run") {
        "dry_run" => Ok(false),
        "apply" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "mode「{other}」无效：应为 dry_run 或 apply"
        ))),
    }
}

fn report_response(r: ImportReport) -> Response {
    let status = if r.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Json(r)).into_response()
}

async fn import_years(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let apply = is_apply(&q)?;
    Ok(report_response(
        run_years_import(&st, &actor, &body, apply, "api").await?,
    ))
}

async fn import_boundaries(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let apply = is_apply(&q)?;
    Ok(report_response(
        run_boundaries_import(&st, &actor, &body, apply, "api").await?,
    ))
}

/// A file answer: its type, and its name encoded per RFC 5987 so Chinese file names survive
/// every browser; `inline` files (photos) show in the browser, the others download.
pub fn file_response(bytes: Vec<u8>, content_type: &str, filename: &str, inline: bool) -> Response {
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let fallback = match filename.rsplit_once('.') {
        Some((_, ext)) if ext.bytes().all(|b| b.is_ascii_alphanumeric()) => format!("file.{ext}"),
        _ => "file".to_string(),
    };
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    file_response(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
        false,
    )
}

pub fn io_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "export_failed",
        format!("生成文件失败：{e}"),
    )
}

async fn years_template(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(xlsx_response(
        gongfu_io::years_template(Some(&snap)).map_err(io_err)?,
        "年度数据导入模板.xlsx",
    ))
}

/// Exports the divisions a list query selects, with the same filters and defaults as
/// `GET /api/v1/villages` (`kind=all` for villages and communities).
async fn export_villages(
    State(st): State<AppState>,
    Query(q): Query<VillageQuery>,
) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let (_, rows) = views::village_hits(&snap, st.today(), &q);
    Ok(xlsx_response(
        gongfu_io::export_village_rows(&snap, st.today(), &rows).map_err(io_err)?,
        "村庄名录.xlsx",
    ))
}

async fn export_zones(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(xlsx_response(
        gongfu_io::export_zones(&snap, st.today()).map_err(io_err)?,
        "共富片区.xlsx",
    ))
}

async fn export_years(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(xlsx_response(
        gongfu_io::export_years(&snap).map_err(io_err)?,
        "村年度数据.xlsx",
    ))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(flatten)]
    pub filter: gongfu_store::accounts::AuditFilter,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// 审计日志 for administrators and auditors: filter by person, record, date.
async fn audit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let per_page = q.per_page.unwrap_or(100).clamp(1, 1000);
    let page = q.page.unwrap_or(1).max(1);
    let (total, items) = st
        .store
        .audit_entries(&actor, &q.filter, per_page, (page - 1) * per_page)
        .await?;
    Ok(Json(
        json!({"total": total, "page": page, "per_page": per_page, "items": items}),
    ))
}

async fn export_audit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let (_, items) = st.store.audit_entries(&actor, &q.filter, 10_000, 0).await?;
    Ok(xlsx_response(
        gongfu_io::export_audit(&items).map_err(io_err)?,
        "审计日志.xlsx",
    ))
}
