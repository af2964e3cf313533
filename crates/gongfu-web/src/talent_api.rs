//! The JSON API of talent (人才共创): training sessions, entrepreneurs with their support
//! applications (申请 → 批准 / 驳回) and yearly reviews (年度考评, on which 以奖代补 awards rest).
//! Money is integer fen; hours are tenths. Writes: see `gongfu_store::talent` for who may.

use crate::AppState;
use crate::api::present;
use crate::api::{RequestActor, xlsx_response};
use crate::error::{ApiError, JsonBody, PathParam};
use crate::work_xlsx_api::{ImportQuery, Kind, answer, template};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongfu_core::DomainError;
use gongfu_core::ops::talent::{
    DecisionDraft, EntrepreneurDraft, EntrepreneurKind, EntrepreneurRecord, Review, ReviewDraft,
    SupportDraft, SupportRecord, Training, TrainingDraft, approved_totals,
};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, ZoneId};
use gongfu_io::talent_xlsx::{self, TalentNames};
use gongfu_store::Snapshot;
use gongfu_store::talent::{EntrepreneurFilter, TrainingFilter, TrainingZone};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/talent/trainings",
            get(list_trainings).post(create_training),
        )
        .route(
            "/api/v1/talent/trainings/{id}",
            get(get_training).put(update_training),
        )
        .route(
            "/api/v1/talent/entrepreneurs",
            get(list_entrepreneurs).post(create_entrepreneur),
        )
        .route(
            "/api/v1/talent/entrepreneurs/{id}",
            get(get_entrepreneur).put(update_entrepreneur),
        )
        .route(
            "/api/v1/talent/entrepreneurs/{id}/supports",
            post(apply_support),
        )
        .route(
            "/api/v1/talent/entrepreneurs/{id}/reviews",
            post(add_review),
        )
        .route(
            "/api/v1/talent/supports/{id}/decision",
            post(decide_support),
        )
        .route("/api/v1/talent/trainings.xlsx", get(export_trainings))
        .route(
            "/api/v1/talent/entrepreneurs.xlsx",
            get(export_entrepreneurs),
        )
        .route(
            "/api/v1/talent/import/trainings/template.xlsx",
            get(|st| template(st, Kind::Trainings)),
        )
        .route(
            "/api/v1/talent/import/entrepreneurs/template.xlsx",
            get(|st| template(st, Kind::Entrepreneurs)),
        )
        .route("/api/v1/talent/import/trainings", post(import_trainings))
        .route(
            "/api/v1/talent/import/entrepreneurs",
            post(import_entrepreneurs),
        )
}

/// The request bodies, for the OpenAPI document.
pub fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    let num = |d: &str| json!({"type": ["string", "number"], "description": d});
    json!({
        "Training": {"type": "object", "required": ["topic", "held_on", "attendees", "hours"], "properties": {
            "zone": {"type": ["integer", "string", "null"], "description": "片区编号；空为全区性培训（仅区管理员）"},
            "topic": s("string"), "held_on": {"type": "string", "format": "date"},
            "attendees": num("参训人数"), "hours": num("学时，最多一位小数，如 3.5"),
            "audience": {"type": "string", "description": "培训对象，如 村党组织书记、村两委成员"},
            "version": {"type": "integer", "description": "编辑时必填"}}},
        "Entrepreneur": {"type": "object", "required": ["name", "kind", "village_code", "project", "since"], "properties": {
            "name": s("string"),
            "kind": {"type": "string", "enum": ["agri_maker", "new_farmer", "returning_youth"], "description": "也可用 农创客、新农人、返乡青年"},
            "zone": {"type": ["integer", "string", "null"], "description": "片区编号；可空，取所在村今天所属片区"},
            "village_code": {"type": "string", "description": "所在村 12 位代码"},
            "project": s("string"), "incubator": {"type": "string", "description": "孵化平台，如 柯桥区农创客孵化园、青年入乡实践站"},
            "since": {"type": "string", "format": "date"},
            "version": {"type": "integer", "description": "编辑时必填"}}},
        "Support": {"type": "object", "required": ["kind", "amount", "from", "to"], "properties": {
            "kind": {"type": "string", "enum": ["rent_relief", "living_subsidy", "loan", "guarantee", "award"], "description": "也可用中文：租金减免、生活补贴、贷款、担保、以奖代补"},
            "amount": num("金额（元）"), "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "review": {"type": ["integer", "string", "null"], "description": "以奖代补必填：所依据的年度考评编号（优秀或良好）"}}},
        "SupportDecision": {"type": "object", "required": ["verdict", "version"], "properties": {
            "verdict": {"type": "string", "enum": ["approve", "refuse"]},
            "reason": {"type": "string", "description": "驳回时必填"}, "version": s("integer")}},
        "Review": {"type": "object", "required": ["year", "grade", "reviewer"], "properties": {
            "year": {"type": ["integer", "string"]},
            "grade": {"type": "string", "enum": ["excellent", "good", "pass", "fail"], "description": "也可用 优秀、良好、合格、不合格"},
            "comment": s("string"), "reviewer": {"type": "string", "description": "考评人或考评单位"}}},
    })
}

fn zone_ref(snap: &Snapshot, zone: Option<i64>) -> Value {
    zone.and_then(|z| snap.zone(ZoneId(z)))
        .map(|z| json!({"id": z.id.0, "name": z.name}))
        .unwrap_or(Value::Null)
}

/// Tenths of an hour as typed: 35 → `3.5`, 60 → `6`.
pub fn hours_text(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

pub fn training_json(snap: &Snapshot, t: &Training) -> Value {
    json!({
        "id": t.id,
        "zone": zone_ref(snap, t.zone),
        "district_wide": t.zone.is_none(),
        "topic": t.topic,
        "held_on": date_string(t.held_on),
        "attendees": t.attendees,
        "hours_tenths": t.hours_tenths,
        "hours": hours_text(t.hours_tenths),
        "audience": t.audience,
        "version": t.version,
    })
}

pub fn support_json(r: &SupportRecord) -> Value {
    json!({
        "id": r.support.id,
        "kind": r.support.kind.key(),
        "kind_label": r.support.kind.label(),
        "grant": r.support.kind.is_grant(),
        "amount_fen": r.support.amount.0,
        "from": date_string(r.support.from),
        "to": date_string(r.support.to),
        "status": r.status.key(),
        "status_label": r.status.label(),
        "applied_by": r.applied_by,
        "applied_on": date_string(r.applied_on),
        "decided_by": r.decided_by,
        "decided_on": r.decided_on.map(date_string),
        "reason": r.reason,
        "review": r.review,
        "version": r.support.version,
    })
}

pub fn review_json(r: &Review) -> Value {
    json!({
        "id": r.id,
        "year": r.year,
        "grade": r.grade.key(),
        "grade_label": r.grade.label(),
        "earns_award": r.grade.earns_award(),
        "comment": r.comment,
        "reviewer": r.reviewer,
        "version": r.version,
    })
}

pub fn entrepreneur_json(
    snap: &Snapshot,
    p: &EntrepreneurRecord,
    supports: &[SupportRecord],
) -> Value {
    let (grants, credit) = approved_totals(supports);
    let e = &p.person;
    json!({
        "id": e.id,
        "name": e.name,
        "kind": e.kind.key(),
        "kind_label": e.kind.label(),
        "zone": zone_ref(snap, Some(e.zone)),
        "village_code": p.village.as_str(),
        "village_name": snap.division(&p.village).map(|d| d.division.name.clone()),
        "project": e.project,
        "incubator": e.incubator,
        "since": date_string(e.since),
        "approved_grant_fen": grants.0,
        "approved_credit_fen": credit.0,
        "version": e.version,
    })
}

#[derive(Deserialize, Default)]
pub struct TrainingQuery {
    /// A zone id, or `district` for district-wide sessions only.
    pub zone: Option<String>,
    pub year: Option<String>,
}

impl TrainingQuery {
    pub fn parse(&self) -> Result<TrainingFilter, ApiError> {
        let mut errors = Vec::new();
        let mut f = TrainingFilter::default();
        match present(&self.zone) {
            None => {}
            Some("district" | "全区") => f.zone = TrainingZone::District,
            Some(z) => match z.parse::<i64>() {
                Ok(z) => f.zone = TrainingZone::Zone(z),
                Err(_) => errors.push(DomainError::new(
                    "invalid_zone",
                    "zone",
                    format!("片区「{z}」无效：应为片区编号或 district（全区）"),
                )),
            },
        }
        if let Some(y) = present(&self.year) {
            f.year = DataYear::parse(y)
                .map(|y| y.get())
                .map_err(|e| errors.push(e))
                .ok();
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct EntrepreneurQuery {
    pub zone: Option<String>,
    pub kind: Option<String>,
}

impl EntrepreneurQuery {
    pub fn parse(&self) -> Result<EntrepreneurFilter, ApiError> {
        let mut errors = Vec::new();
        let mut f = EntrepreneurFilter::default();
        // 全区 (district-wide) narrows trainings only; for people it is everyone.
        if let Some(z) = present(&self.zone).filter(|z| !matches!(*z, "district" | "全区")) {
            f.zone = crate::api::zone_id(z).map_err(|e| errors.push(e)).ok();
        }
        if let Some(k) = present(&self.kind) {
            f.kind = EntrepreneurKind::parse(k).map_err(|e| errors.push(e)).ok();
        }
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(ApiError::invalid(errors))
        }
    }
}

async fn list_trainings(
    State(st): State<AppState>,
    Query(q): Query<TrainingQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = q.parse()?;
    let snap = st.store.snapshot().await?;
    let list = st.store.trainings(&filter).await?;
    let items: Vec<Value> = list.iter().map(|t| training_json(&snap, t)).collect();
    Ok(Json(json!({
        "total": items.len(),
        "attendees": list.iter().map(|t| t.attendees).sum::<i64>(),
        "hours_tenths": list.iter().map(|t| t.hours_tenths).sum::<i64>(),
        "items": items,
    })))
}

async fn training_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let t = st
        .store
        .training(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("培训 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    Ok(training_json(&snap, &t))
}

async fn get_training(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(training_answer(&st, id).await?))
}

async fn create_training(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<TrainingDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse(st.today()).map_err(ApiError::invalid)?;
    let id = st.store.create_training(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(training_answer(&st, id).await?)))
}

pub type TrainingBody = crate::api::Versioned<TrainingDraft>;

async fn update_training(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<TrainingBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse(st.today()).map_err(ApiError::invalid)?;
    st.store
        .update_training(&actor, id, b.version, &spec)
        .await?;
    Ok(Json(training_answer(&st, id).await?))
}

async fn list_entrepreneurs(
    State(st): State<AppState>,
    Query(q): Query<EntrepreneurQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = q.parse()?;
    let snap = st.store.snapshot().await?;
    let people = st.store.entrepreneurs(&filter).await?;
    let supports = st.store.supports(None).await?;
    let items: Vec<Value> = people
        .iter()
        .map(|p| {
            let mine: Vec<SupportRecord> = supports
                .iter()
                .filter(|s| s.support.entrepreneur == p.person.id)
                .cloned()
                .collect();
            entrepreneur_json(&snap, p, &mine)
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn entrepreneur_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let p = st
        .store
        .entrepreneur(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("创业人才 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    let supports = st.store.supports(Some(id)).await?;
    let reviews = st.store.reviews(id).await?;
    let mut v = entrepreneur_json(&snap, &p, &supports);
    v["supports"] = supports.iter().map(support_json).collect();
    v["reviews"] = reviews.iter().map(review_json).collect();
    Ok(v)
}

async fn get_entrepreneur(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(entrepreneur_answer(&st, id).await?))
}

async fn create_entrepreneur(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<EntrepreneurDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse(st.today()).map_err(ApiError::invalid)?;
    let id = st.store.create_entrepreneur(&actor, &spec).await?;
    Ok((
        StatusCode::CREATED,
        Json(entrepreneur_answer(&st, id).await?),
    ))
}

pub type EntrepreneurBody = crate::api::Versioned<EntrepreneurDraft>;

async fn update_entrepreneur(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<EntrepreneurBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse(st.today()).map_err(ApiError::invalid)?;
    st.store
        .update_entrepreneur(&actor, id, b.version, &spec)
        .await?;
    Ok(Json(entrepreneur_answer(&st, id).await?))
}

async fn apply_support(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<SupportDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let sid = st
        .store
        .apply_support(&actor, id, &spec, st.today())
        .await?;
    let rec = st
        .store
        .support(sid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("扶持申请 {sid} 不存在")))?;
    Ok((StatusCode::CREATED, Json(support_json(&rec))))
}

pub type DecisionBody = crate::api::Versioned<DecisionDraft>;

async fn decide_support(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let d = b.draft.parse().map_err(ApiError::invalid)?;
    let rec = st
        .store
        .decide_support(&actor, id, b.version, &d, st.today())
        .await?;
    Ok(Json(support_json(&rec)))
}

async fn add_review(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<ReviewDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse(st.today()).map_err(ApiError::invalid)?;
    let rid = st.store.add_review(&actor, id, &spec).await?;
    let r = st
        .store
        .reviews(id)
        .await?
        .into_iter()
        .find(|r| r.id == rid)
        .ok_or_else(|| ApiError::not_found(format!("年度考评 {rid} 不存在")))?;
    Ok((StatusCode::CREATED, Json(review_json(&r))))
}

// ---- Excel ----

fn io_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "export_failed",
        format!("生成 Excel 文件失败：{e}"),
    )
}

async fn export_trainings(
    State(st): State<AppState>,
    Query(q): Query<TrainingQuery>,
) -> Result<Response, ApiError> {
    let filter = q.parse()?;
    let snap = st.store.snapshot().await?;
    let rows = st.store.trainings(&filter).await?;
    let zone = |z: i64| {
        snap.zone(ZoneId(z))
            .map(|z| z.name.clone())
            .unwrap_or_default()
    };
    let village = |_: &str| String::new();
    let granted = |_: i64| 0;
    let names = TalentNames {
        zone: &zone,
        village: &village,
        granted: &granted,
        demo: snap.is_demo,
    };
    Ok(xlsx_response(
        talent_xlsx::export_trainings(&rows, &names).map_err(io_err)?,
        "培训.xlsx",
    ))
}

async fn export_entrepreneurs(
    State(st): State<AppState>,
    Query(q): Query<EntrepreneurQuery>,
) -> Result<Response, ApiError> {
    let filter = q.parse()?;
    let snap = st.store.snapshot().await?;
    let rows = st.store.entrepreneurs(&filter).await?;
    let supports = st.store.supports(None).await?;
    let zone = |z: i64| {
        snap.zone(ZoneId(z))
            .map(|z| z.name.clone())
            .unwrap_or_default()
    };
    let village = |code: &str| {
        gongfu_core::VillageCode::parse(code)
            .ok()
            .and_then(|c| snap.division(&c).map(|d| d.division.name.clone()))
            .unwrap_or_default()
    };
    let granted = |id: i64| {
        let mine: Vec<SupportRecord> = supports
            .iter()
            .filter(|s| s.support.entrepreneur == id)
            .cloned()
            .collect();
        approved_totals(&mine).0.0
    };
    let names = TalentNames {
        zone: &zone,
        village: &village,
        granted: &granted,
        demo: snap.is_demo,
    };
    Ok(xlsx_response(
        talent_xlsx::export_entrepreneurs(&rows, &names).map_err(io_err)?,
        "创业人才.xlsx",
    ))
}

async fn import_trainings(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Trainings, &q, &body).await
}

async fn import_entrepreneurs(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Entrepreneurs, &q, &body).await
}
