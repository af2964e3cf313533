//! The JSON API of shared facilities (设施共通): the facilities registry, each village's and
//! each zone's infrastructure checklist (一片一标准), service coverage (服务覆盖), and the
//! facilities workbook in and out. Handlers parse, call the store, answer; every label is
//! Chinese and every coverage answer states its assumptions in `method`.

use crate::AppState;
use crate::api::present;
use crate::api::{RequestActor, io_err, optional_date, xlsx_response};
use crate::error::{ApiError, JsonBody, PathParam};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::facilities::{
    Compliance, Facility, FacilityDraft, FacilityStatus, FacilityType, InfraItem, Reach,
};
use gongfu_core::village::date_string;
use gongfu_core::{DomainError, TownCode, VillageCode, ZoneId};
use gongfu_store::Snapshot;
use gongfu_store::facilities::FacilityFilter;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/facilities",
            get(list_facilities).post(create_facility),
        )
        .route(
            "/api/v1/facilities/{id}",
            get(get_facility).put(update_facility),
        )
        .route("/api/v1/facilities/{id}/status", post(set_facility_status))
        .route("/api/v1/villages/{code}/infra", get(village_infra))
        .route("/api/v1/villages/{code}/infra/{item}", put(set_infra))
        .route("/api/v1/zones/{id}/infra", get(zone_infra))
        .route("/api/v1/coverage/services", get(service_coverage))
        .route("/api/v1/export/facilities.xlsx", get(export_facilities))
        .route("/api/v1/import/facilities", post(import_facilities))
        .route(
            "/api/v1/import/facilities/template.xlsx",
            get(facilities_template),
        )
}

fn village_name(snap: &Snapshot, code: &VillageCode) -> String {
    snap.division(code)
        .map(|d| d.division.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A facility as the API shows it: keys with their Chinese labels, where it is (its own
/// point or its village's), its village, town and zone on `day`.
pub fn facility_json(snap: &Snapshot, f: &Facility, day: Date) -> Value {
    let town = f.village.town();
    let point = snap.facility_point(f);
    let zone = snap
        .membership_of(&f.village, day)
        .and_then(|m| snap.zone(m.zone))
        .map(|z| json!({"id": z.id.0, "name": z.name}));
    json!({
        "id": f.id,
        "type": f.kind.key(),
        "type_label": f.kind.label(),
        "category": if f.kind.is_public_service() { "public_service" } else { "production" },
        "category_label": f.kind.category_label(),
        "demand": f.kind.demand().as_str(),
        "demand_label": f.kind.demand().label(),
        "name": f.name,
        "village_code": f.village.as_str(),
        "village_name": village_name(snap, &f.village),
        "town_code": town.as_str(),
        "town": snap.town_name(&town),
        "zone": zone,
        "lon": point.map(|p| p.0),
        "lat": point.map(|p| p.1),
        "location": if f.lon.is_some() { "own" } else { "village" },
        "location_label": if f.lon.is_some() { "设施坐标" } else { "取所在村位置" },
        "capacity": f.capacity,
        "capacity_unit": f.kind.capacity_unit(),
        "status": f.status.key(),
        "status_label": f.status.label(),
        "opening_year": f.opening_year.map(|y| y.get()),
        "upkeep_unit": f.upkeep_unit,
        "note": f.note,
        "version": f.version,
    })
}

/// Filters of the list and the export; every one optional.
#[derive(Deserialize, Default)]
pub struct FacilityQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub town: Option<String>,
    pub zone: Option<String>,
    pub village: Option<String>,
    pub day: Option<String>,
}

fn parse_zone_id(field: &str, s: &str) -> Result<ZoneId, ApiError> {
    s.parse::<i64>().map(ZoneId).map_err(|_| {
        DomainError::new(
            "invalid_zone",
            field,
            format!("片区编号「{s}」无效：应为整数"),
        )
        .into()
    })
}

fn known_zone(snap: &Snapshot, id: ZoneId) -> Result<(), ApiError> {
    snap.zone(id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("片区 {id} 不存在")))
}

impl FacilityQuery {
    pub(crate) fn parse(&self, snap: &Snapshot) -> Result<FacilityFilter, ApiError> {
        let mut errors = Vec::new();
        let mut filter = FacilityFilter::default();
        if let Some(t) = present(&self.kind) {
            filter.kind = FacilityType::parse(t).map_err(|e| errors.push(e)).ok();
        }
        if let Some(s) = present(&self.status) {
            filter.status = FacilityStatus::parse(s).map_err(|e| errors.push(e)).ok();
        }
        if let Some(t) = present(&self.town) {
            filter.town = TownCode::parse(t)
                .map_err(|mut e| {
                    e.field = "town".into();
                    errors.push(e)
                })
                .ok();
        }
        if let Some(v) = present(&self.village) {
            filter.village = VillageCode::parse(v)
                .map_err(|mut e| {
                    e.field = "village".into();
                    errors.push(e)
                })
                .ok();
        }
        if let Some(z) = present(&self.zone) {
            match parse_zone_id("zone", z) {
                Ok(id) => filter.zone = Some(id),
                Err(e) => return Err(e),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        if let Some(z) = filter.zone {
            known_zone(snap, z)?;
        }
        Ok(filter)
    }
}

async fn list_facilities(
    State(st): State<AppState>,
    Query(q): Query<FacilityQuery>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    let day = optional_date("day", q.day.as_deref())?.unwrap_or_else(|| st.today());
    let filter = q.parse(&snap)?;
    let items: Vec<Value> = snap
        .facilities_where(&filter, day)
        .into_iter()
        .map(|f| facility_json(&snap, f, day))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

fn facility_or_404(snap: &Snapshot, id: i64) -> Result<&Facility, ApiError> {
    snap.facility(id)
        .ok_or_else(|| ApiError::not_found(format!("设施 {id} 不存在")))
}

async fn get_facility(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(facility_json(
        &snap,
        facility_or_404(&snap, id)?,
        st.today(),
    )))
}

async fn create_facility(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(draft): JsonBody<FacilityDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = draft.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_facility(&actor, &spec).await?;
    let snap = st.store.snapshot().await?;
    Ok((
        StatusCode::CREATED,
        Json(facility_json(
            &snap,
            facility_or_404(&snap, id)?,
            st.today(),
        )),
    ))
}

/// The body of `PUT /api/v1/facilities/{id}`: every field, and the version read.
#[derive(Deserialize)]
pub struct FacilityUpdate {
    #[serde(flatten)]
    pub draft: FacilityDraft,
    pub version: i64,
}

async fn update_facility(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(body): JsonBody<FacilityUpdate>,
) -> Result<Json<Value>, ApiError> {
    let mut draft = body.draft;
    if draft.status.is_none() {
        // Left out: the status stays as it is (changes go through …/status or here).
        let snap = st.store.snapshot().await?;
        draft.status = Some(facility_or_404(&snap, id)?.status.key().to_string());
    }
    let spec = draft.parse().map_err(ApiError::invalid)?;
    st.store
        .update_facility(&actor, id, body.version, &spec)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(facility_json(
        &snap,
        facility_or_404(&snap, id)?,
        st.today(),
    )))
}

#[derive(Deserialize)]
pub struct StatusBody {
    pub status: String,
    pub version: i64,
}

async fn set_facility_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let status = FacilityStatus::parse(&b.status)?;
    st.store
        .set_facility_status(&actor, id, b.version, status)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(facility_json(
        &snap,
        facility_or_404(&snap, id)?,
        st.today(),
    )))
}

/// One village's checklist: all five items, 未填报 for those not assessed yet.
pub fn village_infra_json(snap: &Snapshot, code: &VillageCode) -> Result<Value, ApiError> {
    let d = snap
        .division(code)
        .ok_or_else(|| ApiError::not_found(format!("村代码「{code}」不在名录中")))?;
    let records = snap.infra_of(code);
    let mut counts = [0usize; 4];
    let items: Vec<Value> = InfraItem::ALL
        .into_iter()
        .map(|item| match records.iter().find(|r| r.item == item) {
            Some(r) => {
                counts[match r.status {
                    Compliance::Compliant => 0,
                    Compliance::NonCompliant => 1,
                    Compliance::NotApplicable => 2,
                }] += 1;
                json!({"item": item.key(), "label": item.label(), "status": r.status.key(),
                       "status_label": r.status.label(), "gap": r.gap, "version": r.version})
            }
            None => {
                counts[3] += 1;
                json!({"item": item.key(), "label": item.label(), "status": "unknown",
                       "status_label": "未填报", "gap": "", "version": 0})
            }
        })
        .collect();
    Ok(json!({
        "village_code": code.as_str(),
        "name": d.division.name,
        "town_code": d.division.town.as_str(),
        "town": snap.town_name(&d.division.town),
        "kind": d.division.kind.as_str(),
        "items": items,
        "summary": {"compliant": counts[0], "non_compliant": counts[1], "not_applicable": counts[2], "unknown": counts[3]},
    }))
}

fn parse_code(s: &str) -> Result<VillageCode, ApiError> {
    Ok(VillageCode::parse(s)?)
}

async fn village_infra(
    State(st): State<AppState>,
    PathParam(code): PathParam<String>,
) -> Result<Json<Value>, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(Json(village_infra_json(&snap, &parse_code(&code)?)?))
}

#[derive(Deserialize)]
pub struct InfraBody {
    pub status: String,
    #[serde(default)]
    pub gap: String,
    /// The record's version as read; 0 when it was not assessed yet.
    pub version: i64,
}

async fn set_infra(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((code, item)): PathParam<(String, String)>,
    JsonBody(b): JsonBody<InfraBody>,
) -> Result<Json<Value>, ApiError> {
    let code = parse_code(&code)?;
    let item = InfraItem::parse(&item)?;
    let status = Compliance::parse(&b.status)?;
    st.store
        .set_infra(&actor, &code, item, status, &b.gap, b.version)
        .await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(village_infra_json(&snap, &code)?))
}

#[derive(Deserialize, Default)]
pub struct DayQuery {
    pub day: Option<String>,
}

async fn zone_infra(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
    Query(q): Query<DayQuery>,
) -> Result<Json<Value>, ApiError> {
    let day = optional_date("day", q.day.as_deref())?.unwrap_or_else(|| st.today());
    let snap = st.store.snapshot().await?;
    let zone = snap
        .zone(ZoneId(id))
        .ok_or_else(|| ApiError::not_found(format!("片区 {id} 不存在")))?;
    let Some((villages, list)) = snap.zone_infra(zone.id, day) else {
        return Err(ApiError::not_found(format!("片区 {id} 不存在")));
    };
    let v = |c: &VillageCode| json!({"code": c.as_str(), "name": village_name(&snap, c)});
    let items: Vec<Value> = list
        .iter()
        .map(|c| {
            json!({
                "item": c.item.key(),
                "label": c.item.label(),
                "meets_standard": c.meets_standard(),
                "counts": {"compliant": c.compliant.len(), "non_compliant": c.non_compliant.len(),
                           "not_applicable": c.not_applicable.len(), "unknown": c.unknown.len()},
                "compliant": c.compliant.iter().map(v).collect::<Vec<_>>(),
                "non_compliant": c.non_compliant.iter().map(|(code, gap)| {
                    json!({"code": code.as_str(), "name": village_name(&snap, code), "gap": gap})
                }).collect::<Vec<_>>(),
                "not_applicable": c.not_applicable.iter().map(v).collect::<Vec<_>>(),
                "unknown": c.unknown.iter().map(v).collect::<Vec<_>>(),
            })
        })
        .collect();
    let meeting = list.iter().filter(|c| c.meets_standard()).count();
    Ok(Json(json!({
        "zone_id": zone.id.0,
        "name": zone.name,
        "day": date_string(day),
        "villages": villages.iter().map(v).collect::<Vec<_>>(),
        "items": items,
        "summary": {
            "items": list.len(),
            "items_meeting_standard": meeting,
            "text": format!("{} 项中 {} 项全片达标", list.len(), meeting),
        },
        "note": "达标：该项所有适用的村均达标；未填报的村视为未达标，不适用的村不计。",
    })))
}

/// `GET /api/v1/coverage/services` parameters: the type, and either `radius_m` or `minutes`
/// with `speed_kmh` (and optionally `detour`).
#[derive(Deserialize, Default)]
pub struct ServiceQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub radius_m: Option<String>,
    pub minutes: Option<String>,
    pub speed_kmh: Option<String>,
    pub detour: Option<String>,
    pub zone: Option<String>,
    /// `1` / `true`: count planned and building facilities as if open.
    pub include_planned: Option<String>,
    pub day: Option<String>,
}

fn number(field: &str, s: &str) -> Result<f64, DomainError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            DomainError::new(
                "invalid_number",
                field,
                format!("参数 {field}「{s}」不是数字"),
            )
        })
}

impl ServiceQuery {
    fn reach(&self) -> Result<Reach, DomainError> {
        match (present(&self.radius_m), present(&self.minutes)) {
            (Some(_), Some(_)) => Err(DomainError::new(
                "conflicting",
                "radius_m",
                "radius_m（直线半径）与 minutes（时间）只能给出一个",
            )),
            (Some(r), None) => Reach::metres(number("radius_m", r)?),
            (None, Some(m)) => {
                let speed = present(&self.speed_kmh).ok_or_else(|| {
                    DomainError::new(
                        "required",
                        "speed_kmh",
                        "按时间计算覆盖时请同时给出速度 speed_kmh（公里/小时），如步行 5、电动车 15、汽车 30",
                    )
                })?;
                let detour = present(&self.detour)
                    .map(|d| number("detour", d))
                    .transpose()?;
                Reach::minutes(number("minutes", m)?, number("speed_kmh", speed)?, detour)
            }
            (None, None) => Err(DomainError::new(
                "required",
                "radius_m",
                "请给出服务半径 radius_m（米），或时间 minutes 与速度 speed_kmh（可选绕行系数 detour，默认 1.3）",
            )),
        }
    }
}

fn reach_json(r: Reach) -> Value {
    match r {
        Reach::Metres(m) => json!({"kind": "metres", "radius_m": m}),
        Reach::Minutes {
            minutes,
            speed_kmh,
            detour,
        } => json!({"kind": "minutes", "minutes": minutes, "speed_kmh": speed_kmh,
                  "detour": detour, "radius_m": r.radius_m()}),
    }
}

/// Distance rounded to a decimetre, for the JSON.
fn metres(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

async fn service_coverage(
    State(st): State<AppState>,
    Query(q): Query<ServiceQuery>,
) -> Result<Json<Value>, ApiError> {
    let day = optional_date("day", q.day.as_deref())?.unwrap_or_else(|| st.today());
    let mut errors = Vec::new();
    let kind = match present(&q.kind) {
        Some(t) => FacilityType::parse(t).map_err(|e| errors.push(e)).ok(),
        None => {
            errors.push(DomainError::new(
                "required",
                "type",
                "请给出设施类型 type，如 clinic、elderly_care、culture",
            ));
            None
        }
    };
    let reach = q.reach().map_err(|e| errors.push(e)).ok();
    let zone = match present(&q.zone) {
        Some(z) => Some(parse_zone_id("zone", z)?),
        None => None,
    };
    let (Some(kind), Some(reach)) = (kind, reach) else {
        return Err(ApiError::invalid(errors));
    };
    let include_planned = present(&q.include_planned).is_some_and(|v| v == "1" || v == "true");
    let snap = st.store.snapshot().await?;
    if let Some(z) = zone {
        known_zone(&snap, z)?;
        if !snap.zone(z).is_some_and(|r| r.is_live_on(day)) {
            return Err(ApiError::not_found(format!(
                "片区 {z} 在 {} 不存续",
                date_string(day)
            )));
        }
    }
    let cov = snap.service_coverage(kind, reach, day, include_planned);
    let zone_of = |c: &VillageCode| snap.membership_of(c, day).map(|m| m.zone);
    let in_scope = |c: &VillageCode| zone.is_none_or(|z| zone_of(c) == Some(z));
    let uncovered: Vec<Value> = cov
        .result
        .uncovered
        .iter()
        .filter(|u| in_scope(&u.village))
        .map(|u| {
            let d = snap.division(&u.village);
            let town = u.village.town();
            let z = zone_of(&u.village).and_then(|z| snap.zone(z));
            json!({
                "code": u.village.as_str(),
                "name": d.map(|d| d.division.name.clone()),
                "town": snap.town_name(&town),
                "weight": u.weight,
                "nearest_m": u.nearest_m.map(metres),
                "zone_id": z.map(|z| z.id.0),
                "zone": z.map(|z| z.name.clone()),
                "lon": d.and_then(|d| d.lon),
                "lat": d.and_then(|d| d.lat),
            })
        })
        .collect();
    let villages = cov.demand_points.len();
    let villages_covered = cov.result.points.iter().filter(|p| p.covered).count();
    let zones: Vec<Value> = cov
        .zones
        .iter()
        .filter(|z| zone.is_none_or(|id| z.zone == id))
        .map(|z| {
            json!({
                "zone_id": z.zone.0, "name": z.name, "covered": z.covered_weight,
                "total": z.total_weight, "share_bp": z.share_bp,
                "uncovered": z.uncovered.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "type": kind.key(),
        "type_label": kind.label(),
        "demand": cov.demand.as_str(),
        "demand_label": cov.demand.label(),
        "method": cov.method(),
        "reach": reach_json(reach),
        "include_planned": include_planned,
        "day": date_string(day),
        "year": cov.year,
        "sites": cov.sites.len(),
        "site_ids": cov.sites,
        "unplaced_sites": cov.unplaced,
        "district": {
            "covered": cov.result.covered_weight,
            "total": cov.result.total_weight,
            "share_bp": cov.result.share_bp,
            "villages": villages,
            "villages_covered": villages_covered,
        },
        "zone": zone.map(|z| z.0),
        "zones": zones,
        "uncovered": uncovered,
        "unlocated": cov.unlocated.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    })))
}

async fn export_facilities(
    State(st): State<AppState>,
    Query(q): Query<FacilityQuery>,
) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let day = optional_date("day", q.day.as_deref())?.unwrap_or_else(|| st.today());
    let filter = q.parse(&snap)?;
    let rows = snap.facilities_where(&filter, day);
    Ok(xlsx_response(
        gongfu_io::export_facilities(&snap, &rows).map_err(io_err)?,
        "设施名录.xlsx",
    ))
}

async fn facilities_template(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    Ok(xlsx_response(
        gongfu_io::facilities_template(&snap).map_err(io_err)?,
        "设施导入模板.xlsx",
    ))
}

#[derive(Deserialize, Default)]
pub struct ImportQuery {
    /// `dry_run` (default) only checks; `apply` writes, all or nothing.
    pub mode: Option<String>,
}

/// Result of a facilities import, dry run or applied.
#[derive(Serialize)]
pub struct FacilityImportReport {
    pub ok: bool,
    pub applied: bool,
    pub rows: usize,
    /// New facilities in the file (created when applied).
    pub created: usize,
    /// Changes to existing facilities in the file (made when applied).
    pub updated: usize,
    pub errors: Vec<gongfu_io::RowError>,
}

/// Checks a facilities workbook, and with `apply` saves it, all or nothing.
pub async fn run_facilities_import(
    st: &AppState,
    actor: &gongfu_store::Actor,
    bytes: &[u8],
    apply: bool,
    source: &str,
) -> Result<FacilityImportReport, ApiError> {
    let snap = st.store.snapshot().await?;
    match gongfu_io::parse_facilities_xlsx(bytes, &snap) {
        Err(errors) => Ok(FacilityImportReport {
            ok: false,
            applied: false,
            rows: 0,
            created: 0,
            updated: 0,
            errors,
        }),
        Ok(rows) => {
            let created = rows.iter().filter(|r| r.existing.is_none()).count();
            if apply {
                st.store.import_facilities(actor, &rows, source).await?;
            }
            Ok(FacilityImportReport {
                ok: true,
                applied: apply,
                rows: rows.len(),
                created,
                updated: rows.len() - created,
                errors: vec![],
            })
        }
    }
}

async fn import_facilities(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let apply = match q.mode.as_deref().unwrap_or("dry_run") {
        "dry_run" => false,
        "apply" => true,
        other => {
            return Err(ApiError::bad_request(format!(
                "mode「{other}」无效：应为 dry_run 或 apply"
            )));
        }
    };
    let report = run_facilities_import(&st, &actor, &body, apply, "api").await?;
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}
