//! The JSON API of brands and industry chains (品牌与产业链): brands with their
//! geographical-indication details and licences (to actors of the registry, for a period;
//! revoking keeps the row), the "6+X" chains with their links (growing, processing, sales,
//! tourism — actors and villages, each village with its zone) and yearly output.
//!
//! Everyone signed in reads; only the district administrator writes (the store refuses
//! others with 403).

use crate::AppState;
use crate::api::{RequestActor, xlsx_response};
use crate::error::{ApiError, JsonBody, PathParam};
use crate::work_xlsx_api::{ImportQuery, Kind, answer, template};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::ops::brands::{
    Brand, BrandDraft, Chain, ChainDraft, Licence, LicenceDraft, LinkKind, OutputDraft,
};
use gongfu_core::village::date_string;
use gongfu_core::work::actor::Actor as Participant;
use gongfu_core::{DataYear, VillageCode};
use gongfu_io::brands_xlsx;
use gongfu_store::Snapshot;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/brands", get(list_brands).post(create_brand))
        .route("/api/v1/brands/{id}", get(get_brand).put(update_brand))
        .route("/api/v1/brands/{id}/licences", post(create_licence))
        .route("/api/v1/brands/{id}/licences/{lid}", put(update_licence))
        .route("/api/v1/chains", get(list_chains).post(create_chain))
        .route("/api/v1/chains/{id}", get(get_chain).put(update_chain))
        .route("/api/v1/chains/{id}/output/{year}", put(set_output))
        .route("/api/v1/export/brands.xlsx", get(export_brands))
        .route("/api/v1/export/chain-outputs.xlsx", get(export_outputs))
        .route(
            "/api/v1/import/chain-outputs/template.xlsx",
            get(|st| template(st, Kind::ChainOutputs)),
        )
        .route("/api/v1/import/chain-outputs", post(import_outputs))
}

fn io_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "export_failed",
        format!("生成文件失败：{e}"),
    )
}

async fn export_brands(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let brands = st.store.brands().await?;
    let licences = st.store.licences(None).await?;
    let actors = actor_names(&st).await?;
    let name = |id: i64| {
        actors
            .get(&id)
            .map(|a| (a.name.clone(), a.credit_code.to_string()))
            .unwrap_or_else(|| (format!("主体 {id}"), String::new()))
    };
    let bytes = brands_xlsx::export_brands(&brands, &licences, &name, st.today(), snap.is_demo)
        .map_err(io_err)?;
    Ok(xlsx_response(bytes, "品牌与授权.xlsx"))
}

async fn export_outputs(State(st): State<AppState>) -> Result<Response, ApiError> {
    let snap = st.store.snapshot().await?;
    let chains = st.store.chains().await?;
    let bytes = brands_xlsx::export_outputs(&chains, snap.is_demo).map_err(io_err)?;
    Ok(xlsx_response(bytes, "产业链产值.xlsx"))
}

async fn import_outputs(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::ChainOutputs, &q, &body).await
}

/// The registry's actors by id, for naming them.
pub type ActorNames = HashMap<i64, Participant>;

pub async fn actor_names(st: &AppState) -> Result<ActorNames, ApiError> {
    Ok(st
        .store
        .actors()
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

fn actor_json(actors: &ActorNames, id: i64) -> Value {
    match actors.get(&id) {
        Some(a) => json!({"id": id, "name": a.name, "credit_code": a.credit_code.as_str()}),
        None => json!({"id": id, "name": format!("主体 {id}"), "credit_code": null}),
    }
}

pub fn licence_json(l: &Licence, actors: &ActorNames, day: Date) -> Value {
    let status = l.status_on(day);
    json!({
        "id": l.id,
        "brand": l.brand,
        "actor": actor_json(actors, l.actor),
        "from": date_string(l.from),
        "to": date_string(l.to),
        "revoked_on": l.revoked_on.map(date_string),
        "status": status.key(),
        "status_label": status.label(),
        "note": l.note,
        "version": l.version,
    })
}

pub fn brand_json(b: &Brand, licences: &[Licence], day: Date) -> Value {
    let mine: Vec<&Licence> = licences.iter().filter(|l| l.brand == b.id).collect();
    json!({
        "id": b.id,
        "name": b.name,
        "kind": b.kind.key(),
        "kind_label": b.kind.label(),
        "product": b.product,
        "gi": b.gi.as_ref().map(|g| json!({"number": g.number, "holder": g.holder, "area": g.area})),
        "licences_total": mine.len(),
        "licences_valid": mine.iter().filter(|l| l.valid_on(day)).count(),
        "version": b.version,
    })
}

pub fn village_json(snap: &Snapshot, v: &VillageCode, day: Date) -> Value {
    let zone = snap
        .membership_of(v, day)
        .and_then(|m| snap.zone(m.zone))
        .map(|z| json!({"id": z.id.0, "name": z.name}));
    json!({
        "code": v.as_str(),
        "name": snap.division(v).map(|d| d.division.name.clone()),
        "town": snap.town_name(&v.town()),
        "zone": zone,
    })
}

pub fn chain_json(
    c: &Chain,
    brands: &[Brand],
    actors: &ActorNames,
    snap: &Snapshot,
    day: Date,
) -> Value {
    let brand = c
        .brand
        .and_then(|b| brands.iter().find(|x| x.id == b))
        .map(|b| json!({"id": b.id, "name": b.name}));
    let links: Vec<Value> = LinkKind::ALL
        .iter()
        .map(|&kind| {
            let l = c.link(kind);
            json!({
                "kind": kind.key(),
                "label": kind.label(),
                "actors": l.map_or(vec![], |l| l.actors.iter().map(|a| actor_json(actors, *a)).collect()),
                "villages": l.map_or(vec![], |l| l.villages.iter().map(|v| village_json(snap, v, day)).collect()),
            })
        })
        .collect();
    json!({
        "id": c.id,
        "name": c.name,
        "brand": brand,
        "note": c.note,
        "links": links,
        "villages_total": c.villages().len(),
        "output": c.output.iter().map(|o| json!({
            "year": o.year.get(), "output_fen": o.value.0,
            "display": format!("{} 元", o.value.yuan_string()), "version": o.version,
        })).collect::<Vec<_>>(),
        "version": c.version,
    })
}

async fn list_brands(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let day = st.today();
    let licences = st.store.licences(None).await?;
    let items: Vec<Value> = st
        .store
        .brands()
        .await?
        .iter()
        .map(|b| brand_json(b, &licences, day))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn brand_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let b = st
        .store
        .brand(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("品牌 {id} 不存在")))?;
    let day = st.today();
    let licences = st.store.licences(Some(id)).await?;
    let actors = actor_names(st).await?;
    let mut v = brand_json(&b, &licences, day);
    v["licences"] = json!(
        licences
            .iter()
            .map(|l| licence_json(l, &actors, day))
            .collect::<Vec<_>>()
    );
    Ok(v)
}

async fn get_brand(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(brand_answer(&st, id).await?))
}

async fn create_brand(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<BrandDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_brand(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(brand_answer(&st, id).await?)))
}

pub type BrandBody = crate::api::Versioned<BrandDraft>;

async fn update_brand(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<BrandBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store.update_brand(&actor, id, b.version, &spec).await?;
    Ok(Json(brand_answer(&st, id).await?))
}

async fn create_licence(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<LicenceDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    st.store.create_licence(&actor, id, &spec).await?;
    Ok((StatusCode::CREATED, Json(brand_answer(&st, id).await?)))
}

pub type LicenceBody = crate::api::Versioned<LicenceDraft>;

async fn update_licence(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((id, lid)): PathParam<(i64, i64)>,
    JsonBody(b): JsonBody<LicenceBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store
        .update_licence(&actor, id, lid, b.version, &spec)
        .await?;
    Ok(Json(brand_answer(&st, id).await?))
}

#[derive(Deserialize, Default)]
pub struct ChainQuery {
    pub zone: Option<String>,
}

async fn list_chains(
    State(st): State<AppState>,
    Query(q): Query<ChainQuery>,
) -> Result<Json<Value>, ApiError> {
    let zone = crate::api::zone_param(&q.zone)?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let brands = st.store.brands().await?;
    let actors = actor_names(&st).await?;
    let items: Vec<Value> = st
        .store
        .chains_in_zone(zone, day)
        .await?
        .iter()
        .map(|c| chain_json(c, &brands, &actors, &snap, day))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn chain_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let c = st
        .store
        .chain(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("产业链 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    let brands = st.store.brands().await?;
    let actors = actor_names(st).await?;
    Ok(chain_json(&c, &brands, &actors, &snap, st.today()))
}

async fn get_chain(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(chain_answer(&st, id).await?))
}

async fn create_chain(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(d): JsonBody<ChainDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec = d.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_chain(&actor, &spec).await?;
    Ok((StatusCode::CREATED, Json(chain_answer(&st, id).await?)))
}

pub type ChainBody = crate::api::Versioned<ChainDraft>;

async fn update_chain(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<ChainBody>,
) -> Result<Json<Value>, ApiError> {
    let spec = b.draft.parse().map_err(ApiError::invalid)?;
    st.store.update_chain(&actor, id, b.version, &spec).await?;
    Ok(Json(chain_answer(&st, id).await?))
}

async fn set_output(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((id, year)): PathParam<(i64, String)>,
    JsonBody(d): JsonBody<OutputDraft>,
) -> Result<Json<Value>, ApiError> {
    let year = DataYear::parse(&year)?;
    let value = d.parse().map_err(ApiError::invalid)?;
    st.store
        .set_chain_output(&actor, id, year, d.version, value)
        .await?;
    Ok(Json(chain_answer(&st, id).await?))
}

/// The bodies of this API, for the OpenAPI document.
pub fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    json!({
        "Brand": {"type": "object", "required": ["name", "kind"], "properties": {
            "name": s("string"), "kind": {"type": "string", "enum": ["regional", "product"], "description": "也可用中文：区域公用品牌、产品品牌"},
            "product": {"type": "string", "description": "产品品牌所指的产品，如 日铸茶"},
            "gi_number": {"type": "string", "description": "地理标志登记 / 注册编号；填写地理标志时三项都要填"},
            "gi_holder": s("string"), "gi_area": {"type": "string", "description": "保护范围"},
            "version": {"type": "integer", "description": "编辑时必填"}}},
        "Licence": {"type": "object", "required": ["actor", "from", "to"], "properties": {
            "actor": {"type": ["integer", "string"], "description": "被授权主体（主体名录编号）"},
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "revoked_on": {"type": "string", "format": "date", "description": "撤销日期；填写即撤销（记录保留）"},
            "note": s("string"), "version": {"type": "integer", "description": "编辑时必填"}}},
        "Chain": {"type": "object", "required": ["name"], "properties": {
            "name": s("string"), "brand": {"type": ["integer", "null"]}, "note": s("string"),
            "links": {"type": "array", "description": "每个环节一项（种养、加工、销售、文旅），环节不重复", "items": {"type": "object", "required": ["kind"], "properties": {
                "kind": {"type": "string", "enum": ["growing", "processing", "sales", "tourism"]},
                "actors": {"type": "array", "items": s("integer"), "description": "主体名录编号"},
                "villages": {"type": "array", "items": s("string"), "description": "村 12 位代码"}}}},
            "version": {"type": "integer", "description": "编辑时必填"}}},
        "ChainOutput": {"type": "object", "required": ["output", "version"], "properties": {
            "output": {"type": "string", "description": "年产值（元，最多两位小数）"},
            "version": {"type": "integer", "description": "该年产值的版本；首次填报为 0"}}},
    })
}
