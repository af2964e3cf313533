//! The JSON API of benefit sharing (利益共享): entities with holders and share classes, change
//! requests (待审批 → 已批准 / 已驳回) whose approval writes a numbered register line, the
//! register as of a date, and yearly distributions (草案 → 审核 → 已批准, then locked; a
//! correction is a new distribution naming the one it corrects). Money is integer fen in
//! answers and yuan in requests. Writes: district administrators only (`gongfu_store::equity`).

use crate::AppState;
use crate::api::{RequestActor, present};
use crate::error::{ApiError, JsonBody, PathParam};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gongfu_core::equity::entity::ShareClassDraft;
use gongfu_core::equity::{
    ChangeRequestDraft, EntityDraft, Holder, HolderDraft, HolderId, WaterfallDraft,
};
use gongfu_core::village::{date_string, parse_date};
use gongfu_core::work::actor::CreditCode;
use gongfu_core::{DataYear, DomainError, Fen, ZoneId};
use gongfu_store::Snapshot;
use gongfu_store::equity::{
    DistributionFigures, DistributionRecord, DistributionStatus, EntityInput, EntityRecord,
    LineRecord, RequestRecord,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/entities", get(list_entities).post(create_entity))
        .route("/api/v1/entities/{id}", get(get_entity))
        .route("/api/v1/entities/{id}/holders", post(add_holder))
        .route("/api/v1/entities/{id}/register", get(get_register))
        .route("/api/v1/entities/{id}/requests", post(submit_request))
        .route("/api/v1/requests/{id}/decision", post(decide_request))
        .route(
            "/api/v1/distributions",
            get(list_distributions).post(draft_distribution),
        )
        .route(
            "/api/v1/distributions/{id}",
            get(get_distribution).put(update_distribution),
        )
        .route(
            "/api/v1/distributions/{id}/status",
            post(set_distribution_status),
        )
}

/// The request bodies, for the OpenAPI document.
pub fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    let yuan = |d: &str| json!({"type": ["string", "number"], "description": d});
    json!({
        "EquityEntity": {"type": "object", "required": ["name", "kind", "classes"], "properties": {
            "name": s("string"),
            "kind": {"type": "string", "enum": ["strong_village_company", "zone_platform", "joint_stock_cooperative", "cooperative"], "description": "也可用 强村公司、片区平台公司、股份经济合作社、合作社"},
            "zone": {"type": ["integer", "null"], "description": "所属片区编号（可空）"},
            "credit_code": {"type": "string", "description": "统一社会信用代码（可空）"},
            "classes": {"type": "array", "items": {"type": "object", "required": ["name", "kind", "basis", "split_percent"], "properties": {
                "id": {"type": "integer", "description": "类别编号；全部省略时按顺序编为 1、2、3…"},
                "name": s("string"),
                "kind": {"type": "string", "enum": ["ordinary", "collective", "individual", "incentive"], "description": "也可用 普通股、集体股、个人股、激励股"},
                "basis": {"type": "string", "enum": ["equal", "population", "capital", "land_area", "trade_volume", "shares"], "description": "也可用 均等、人口、出资额、土地面积、交易量、股数"},
                "split_percent": yuan("分配比例（%），各类别合计 100")}}},
            "holders": {"type": "array", "items": {"$ref": "#/components/schemas/EquityHolder"}}}},
        "EquityHolder": {"type": "object", "required": ["name", "kind"], "properties": {
            "name": s("string"),
            "kind": {"type": "string", "enum": ["village_collective", "enterprise", "state_company", "household", "member"], "description": "也可用 村集体、企业、国有公司、农户、社员"},
            "village_code": {"type": "string", "description": "所属村 12 位代码（村集体必填）"},
            "version": {"type": "integer", "description": "新增股东时必填：主体的版本号"}}},
        "EquityRequest": {"type": "object", "required": ["kind", "effective", "holder", "class", "units"], "properties": {
            "kind": {"type": "string", "enum": ["subscription", "in_kind", "transfer", "redemption", "conversion"], "description": "也可用 认购、资源入股、转让、退股、转换"},
            "effective": {"type": "string", "format": "date"}, "holder": s("integer"), "to_holder": s("integer"),
            "class": s("integer"), "to_class": s("integer"),
            "units": yuan("数量：出资额与交易量为元，土地为亩（两位小数），其余为整数"), "to_units": yuan("转换后的数量"),
            "amount": yuan("金额（元）：认购款、评估价值、转让价格或退还金额"),
            "asset": s("string"), "valuer": {"type": "string", "description": "资源入股的评估机构"}}},
        "EquityDecision": {"type": "object", "required": ["verdict", "version"], "properties": {
            "verdict": {"type": "string", "enum": ["approve", "refuse"]},
            "reason": {"type": "string", "description": "驳回时必填"}, "version": s("integer")}},
        "EquityDistribution": {"type": "object", "required": ["entity", "year", "net_income", "distribute_percent"], "properties": {
            "entity": s("integer"), "year": s("integer"),
            "net_income": yuan("净收益（元，亏损为负）"), "prior_loss": yuan("上期结转亏损（元）"),
            "reserves_available": yuan("可动用公积金（元），保底可从中支付时用"),
            "cover_prior_losses": s("boolean"), "reserve_percent": yuan("公积金比例 %"), "welfare_percent": yuan("公益金比例 %"),
            "guarantee_kind": {"type": "string", "description": "保底方式：percent_of_capital、per_share、per_mu、deposit_multiple，空为不保底"},
            "guarantee_class": s("integer"), "guarantee_rate_percent": yuan("保底比例或存款利率 %"),
            "guarantee_amount": yuan("每股或每亩保底金额（元）"), "guarantee_multiple": yuan("利率倍数，如 1.12"),
            "guarantee_from_reserves": s("boolean"),
            "incentive_operator": {"type": "integer", "description": "经营者（股东编号）；0 为无激励"},
            "incentive_percent": yuan("激励比例 %"), "incentive_on_increment": s("boolean"),
            "incentive_prior_income": yuan("上年净收益（元）"), "incentive_cap": yuan("激励封顶（元）"),
            "distribute_percent": yuan("剩余收益分配比例 %"),
            "class_split": {"type": "array", "description": "[[类别编号, 比例 %], …]；空为主体的默认比例"},
            "time_weighted": s("boolean"),
            "corrects": {"type": ["integer", "null"], "description": "更正方案时：被更正的已批准方案编号"},
            "version": {"type": "integer", "description": "修改草案时必填"}}},
        "EquityDistributionStatus": {"type": "object", "required": ["status", "version"], "properties": {
            "status": {"type": "string", "enum": ["draft", "review", "approved"], "description": "也可用 草案、审核、已批准"},
            "version": s("integer")}},
    })
}

fn zone_ref(snap: &Snapshot, zone: Option<i64>) -> Value {
    zone.and_then(|z| snap.zone(ZoneId(z)))
        .map(|z| json!({"id": z.id.0, "name": z.name}))
        .unwrap_or(Value::Null)
}

fn holder_json(snap: &Snapshot, h: &Holder) -> Value {
    json!({
        "id": h.id.0,
        "name": h.name,
        "kind": h.kind.key(),
        "kind_label": h.kind.label(),
        "village_code": h.village.as_ref().map(|v| v.as_str()),
        "village_name": h.village.as_ref().and_then(|v| snap.division(v)).map(|d| d.division.name.clone()),
    })
}

pub fn entity_json(snap: &Snapshot, e: &EntityRecord) -> Value {
    json!({
        "id": e.id,
        "name": e.spec.name(),
        "kind": e.spec.kind().key(),
        "kind_label": e.spec.kind().label(),
        "zone": zone_ref(snap, e.zone),
        "credit_code": e.credit_code,
        "classes": e.spec.classes().iter().map(|c| json!({
            "id": c.id.0, "name": c.name, "kind": c.kind.key(), "kind_label": c.kind.label(),
            "basis": c.basis.key(), "basis_label": c.basis.label(), "unit": c.basis.unit_label(),
            "split_bp": c.split.get(),
        })).collect::<Vec<_>>(),
        "holders": e.holders.iter().map(|h| holder_json(snap, h)).collect::<Vec<_>>(),
        "version": e.version,
    })
}

fn request_json(r: &RequestRecord) -> Value {
    json!({
        "id": r.id,
        "entity": r.entity,
        "status": r.status.key(),
        "status_label": r.status.label(),
        "kind_label": r.request.change.label(),
        "effective": date_string(r.request.effective),
        "change": r.request.change,
        "requested_by": r.requested_by,
        "requested_on": date_string(r.requested_on),
        "decided_by": r.decided_by,
        "decided_on": r.decided_on.map(date_string),
        "reason": r.reason,
        "line_no": r.line_no,
        "version": r.version,
    })
}

fn line_json(l: &LineRecord) -> Value {
    json!({
        "no": l.line.no(),
        "effective": date_string(l.line.effective()),
        "kind_label": l.line.change().label(),
        "change": l.line.change(),
        "approved_by": l.approved_by,
        "approved_on": date_string(l.line.approved_on()),
        "request": l.request,
    })
}

fn distribution_json(
    d: &DistributionRecord,
    entity: Option<&EntityRecord>,
    corrected_by: &[i64],
) -> Value {
    let name = |h: HolderId| {
        entity
            .and_then(|e| e.holder(h))
            .map(|h| h.name.clone())
            .unwrap_or_default()
    };
    let parts_of = |h: HolderId| {
        d.result["payouts"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["holder"] == h.0))
            .map(|p| p["parts"].clone())
            .unwrap_or(Value::Null)
    };
    json!({
        "id": d.id,
        "entity": {"id": d.entity, "name": entity.map(|e| e.spec.name())},
        "year": d.year,
        "status": d.status.key(),
        "status_label": d.status.label(),
        "locked": d.status == DistributionStatus::Approved,
        "net_income_fen": d.net_income.0,
        "retained_fen": d.retained.0,
        "paid_fen": d.payouts.iter().map(|(_, a)| a.0).sum::<i64>(),
        "prior_loss_fen": d.figures.prior_loss.0,
        "loss_carried_forward_fen": d.result["loss_carried_forward"],
        "payouts": d.payouts.iter().map(|(h, a)| json!({
            "holder": h.0, "holder_name": name(*h), "amount_fen": a.0, "parts": parts_of(*h),
        })).collect::<Vec<_>>(),
        "steps": d.result["steps"],
        "class_pools": d.result["class_pools"],
        "village_income": d.result["village_income"],
        "waterfall": d.parts,
        "figures": {
            "net_income_fen": d.figures.net_income.0,
            "prior_loss_fen": d.figures.prior_loss.0,
            "reserves_available_fen": d.figures.reserves_available.0,
        },
        "corrects": d.corrects,
        "corrected_by": corrected_by,
        "drafted_by": d.drafted_by,
        "drafted_on": date_string(d.drafted_on),
        "approved_by": d.approved_by,
        "approved_on": d.approved_on.map(date_string),
        "version": d.version,
    })
}

#[derive(Deserialize, Default)]
pub struct EntityQuery {
    /// A zone id: only that zone's entities.
    pub zone: Option<String>,
}

async fn list_entities(
    State(st): State<AppState>,
    Query(q): Query<EntityQuery>,
) -> Result<Json<Value>, ApiError> {
    let zone = present(&q.zone)
        .map(crate::api::zone_id)
        .transpose()
        .map_err(|e| ApiError::invalid(vec![e]))?;
    let snap = st.store.snapshot().await?;
    let items: Vec<Value> = st
        .store
        .equity_entities()
        .await?
        .iter()
        .filter(|e| zone.is_none() || e.zone == zone)
        .map(|e| entity_json(&snap, e))
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn entity_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let e = st
        .store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    let mut v = entity_json(&snap, &e);
    v["requests"] = st
        .store
        .equity_requests(id)
        .await?
        .iter()
        .map(request_json)
        .collect();
    v["distributions"] = st
        .store
        .equity_distributions(None, Some(id))
        .await?
        .iter()
        .map(|d| json!({"id": d.id, "year": d.year, "status": d.status.key(), "status_label": d.status.label(), "corrects": d.corrects}))
        .collect();
    Ok(v)
}

async fn get_entity(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(entity_answer(&st, id).await?))
}

/// POST /api/v1/entities: the entity draft with its zone, credit code and first holders.
#[derive(Deserialize, Default)]
pub struct EntityBody {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub zone: Option<i64>,
    #[serde(default)]
    pub credit_code: String,
    #[serde(default)]
    pub classes: Vec<ShareClassDraft>,
    #[serde(default)]
    pub holders: Vec<HolderDraft>,
}

impl EntityBody {
    /// Every error at once, holder fields named `holders[i].…`.
    pub fn parse(mut self) -> Result<EntityInput, Vec<DomainError>> {
        // Class ids left out are numbered in order, as a person lists them.
        if self.classes.iter().all(|c| c.id == 0) {
            for (i, c) in self.classes.iter_mut().enumerate() {
                c.id = i as i64 + 1;
            }
        }
        let draft = EntityDraft {
            name: self.name,
            kind: self.kind,
            classes: self.classes,
        };
        let mut errors = Vec::new();
        let spec = draft.parse().map_err(|e| errors.extend(e)).ok();
        let credit_code = if self.credit_code.trim().is_empty() {
            None
        } else {
            CreditCode::parse(&self.credit_code)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let mut holders = Vec::new();
        for (i, h) in self.holders.iter().enumerate() {
            match h.parse(HolderId(0)) {
                Ok(h) => holders.push(h),
                Err(es) => errors.extend(es.into_iter().map(|e| DomainError {
                    field: format!("holders[{i}].{}", e.field),
                    ..e
                })),
            }
        }
        match spec {
            Some(spec) if errors.is_empty() => Ok(EntityInput {
                spec,
                zone: self.zone,
                credit_code,
                holders,
            }),
            _ => Err(errors),
        }
    }
}

async fn create_entity(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<EntityBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = b.parse().map_err(ApiError::invalid)?;
    let id = st.store.create_equity_entity(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(entity_answer(&st, id).await?)))
}

async fn add_holder(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<crate::api::Versioned<HolderDraft>>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let h = b.draft.parse(HolderId(0)).map_err(ApiError::invalid)?;
    st.store
        .add_equity_holder(&actor, id, b.version, &h)
        .await?;
    Ok((StatusCode::CREATED, Json(entity_answer(&st, id).await?)))
}

#[derive(Deserialize, Default)]
pub struct RegisterQuery {
    pub as_of: Option<String>,
}

async fn get_register(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
    Query(q): Query<RegisterQuery>,
) -> Result<Json<Value>, ApiError> {
    let as_of = match present(&q.as_of) {
        Some(s) => parse_date("as_of", s).map_err(|e| ApiError::invalid(vec![e]))?,
        None => st.today(),
    };
    let e = st
        .store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))?;
    let r = st.store.equity_register(id, as_of).await?;
    let holdings: Vec<Value> = r
        .holdings
        .iter()
        .map(|(h, c, units)| {
            json!({
                "holder": h.0,
                "holder_name": e.holder(h).map(|h| h.name.clone()),
                "class": c.0,
                "class_name": e.spec.class(c).map(|c| c.name.clone()),
                "units": units,
            })
        })
        .collect();
    let totals: Vec<Value> = e
        .spec
        .classes()
        .iter()
        .map(|c| json!({"class": c.id.0, "name": c.name, "units": r.holdings.class_total(c.id)}))
        .collect();
    Ok(Json(json!({
        "entity": {"id": e.id, "name": e.spec.name()},
        "as_of": date_string(r.as_of),
        "lines": r.lines.iter().map(line_json).collect::<Vec<_>>(),
        "holdings": holdings,
        "class_totals": totals,
    })))
}

async fn submit_request(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(d): JsonBody<ChangeRequestDraft>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let e = st
        .store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))?;
    let req = d.parse(&e.spec).map_err(ApiError::invalid)?;
    let rid = st
        .store
        .submit_equity_request(&actor, id, &req, st.today())
        .await?;
    let r = st
        .store
        .equity_request(rid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权变动申请 {rid} 不存在")))?;
    Ok((StatusCode::CREATED, Json(request_json(&r))))
}

#[derive(Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

async fn decide_request(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let approve = match b.verdict.trim() {
        "approve" | "批准" | "通过" => true,
        "refuse" | "驳回" => false,
        other => {
            return Err(ApiError::invalid(vec![DomainError::new(
                "invalid_choice",
                "verdict",
                format!("审批意见「{other}」无效：应为 approve（批准）或 refuse（驳回）"),
            )]));
        }
    };
    let r = st
        .store
        .decide_equity_request(&actor, id, b.version, approve, &b.reason, st.today())
        .await?;
    Ok(Json(request_json(&r)))
}

#[derive(Deserialize, Default)]
pub struct DistributionQuery {
    pub year: Option<String>,
    pub entity: Option<String>,
}

async fn list_distributions(
    State(st): State<AppState>,
    Query(q): Query<DistributionQuery>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = Vec::new();
    let year = present(&q.year).and_then(|y| {
        DataYear::parse(y)
            .map(|y| y.get())
            .map_err(|e| errors.push(e))
            .ok()
    });
    let entity = present(&q.entity).and_then(|e| {
        e.parse::<i64>()
            .map_err(|_| {
                errors.push(DomainError::new(
                    "invalid_entity",
                    "entity",
                    format!("股权主体「{e}」无效：应为主体编号"),
                ))
            })
            .ok()
    });
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let list = st.store.equity_distributions(year, entity).await?;
    let entities = st.store.equity_entities().await?;
    let items: Vec<Value> = list
        .iter()
        .map(|d| {
            let by: Vec<i64> = list
                .iter()
                .filter(|o| o.corrects == Some(d.id))
                .map(|o| o.id)
                .collect();
            let mut v = distribution_json(d, entities.iter().find(|e| e.id == d.entity), &by);
            // The list stays light: the statement parts are on the distribution itself.
            if let Some(ps) = v["payouts"].as_array_mut() {
                for p in ps {
                    if let Some(o) = p.as_object_mut() {
                        o.remove("parts");
                    }
                }
            }
            v
        })
        .collect();
    Ok(Json(json!({"total": items.len(), "items": items})))
}

async fn distribution_answer(st: &AppState, id: i64) -> Result<Value, ApiError> {
    let d = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let e = st.store.equity_entity(d.entity).await?;
    let by: Vec<i64> = st
        .store
        .equity_distributions(Some(d.year), Some(d.entity))
        .await?
        .iter()
        .filter(|o| o.corrects == Some(id))
        .map(|o| o.id)
        .collect();
    Ok(distribution_json(&d, e.as_ref(), &by))
}

async fn get_distribution(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(distribution_answer(&st, id).await?))
}

/// A distribution as typed: the entity, the year's figures in yuan, the waterfall, and for a
/// correction the approved distribution it corrects.
#[derive(Deserialize, Default)]
pub struct DistributionBody {
    #[serde(default)]
    pub entity: i64,
    #[serde(default)]
    pub net_income: String,
    #[serde(default)]
    pub prior_loss: String,
    #[serde(default)]
    pub reserves_available: String,
    #[serde(default)]
    pub corrects: Option<i64>,
    #[serde(flatten)]
    pub waterfall: WaterfallDraft,
}

fn figures(b: &DistributionBody) -> Result<DistributionFigures, Vec<DomainError>> {
    let mut errors = Vec::new();
    let net_income = Fen::parse_yuan(&b.net_income)
        .map_err(|_| {
            errors.push(DomainError::new(
                "invalid_amount",
                "net_income",
                format!(
                    "净收益「{}」无效：应为金额（元，亏损为负），最多两位小数",
                    b.net_income.trim()
                ),
            ))
        })
        .unwrap_or_default();
    let mut non_negative = |s: &str, field: &str, what: &str| -> Fen {
        if s.trim().is_empty() {
            return Fen::ZERO;
        }
        match Fen::parse_yuan(s) {
            Ok(f) if f.0 >= 0 => f,
            _ => {
                errors.push(DomainError::new(
                    "invalid_amount",
                    field,
                    format!(
                        "{what}「{}」无效：应为不小于零的金额（元），最多两位小数",
                        s.trim()
                    ),
                ));
                Fen::ZERO
            }
        }
    };
    let prior_loss = non_negative(&b.prior_loss, "prior_loss", "上期结转亏损");
    let reserves_available =
        non_negative(&b.reserves_available, "reserves_available", "可动用公积金");
    if errors.is_empty() {
        Ok(DistributionFigures {
            net_income,
            prior_loss,
            reserves_available,
        })
    } else {
        Err(errors)
    }
}

/// The waterfall checked against the entity, and the figures, every error at once. Shared
/// with the page forms (`pages/equity_forms.rs`), which fill a [`DistributionBody`] from
/// their fields.
pub fn distribution_input(
    e: &EntityRecord,
    b: &DistributionBody,
) -> Result<(gongfu_core::equity::WaterfallParts, DistributionFigures), Vec<DomainError>> {
    let mut errors = Vec::new();
    let w = b
        .waterfall
        .parse(&e.spec)
        .map_err(|e| errors.extend(e))
        .ok();
    let f = figures(b).map_err(|e| errors.extend(e)).ok();
    match (w, f) {
        (Some(w), Some(f)) if errors.is_empty() => Ok((w.parts().clone(), f)),
        _ => Err(errors),
    }
}

/// [`distribution_input`] for the entity with id `entity`.
async fn parse_distribution(
    st: &AppState,
    entity: i64,
    b: &DistributionBody,
) -> Result<(gongfu_core::equity::WaterfallParts, DistributionFigures), ApiError> {
    let e = st.store.equity_entity(entity).await?.ok_or_else(|| {
        ApiError::invalid(vec![DomainError::new(
            "unknown_entity",
            "entity",
            format!("股权主体 {entity} 不存在"),
        )])
    })?;
    distribution_input(&e, b).map_err(ApiError::invalid)
}

async fn draft_distribution(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    JsonBody(b): JsonBody<DistributionBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (parts, f) = parse_distribution(&st, b.entity, &b).await?;
    let id = st
        .store
        .draft_equity_distribution(&actor, b.entity, &parts, &f, b.corrects, st.today())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(distribution_answer(&st, id).await?),
    ))
}

async fn update_distribution(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<crate::api::Versioned<DistributionBody>>,
) -> Result<Json<Value>, ApiError> {
    let current = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let (parts, f) = parse_distribution(&st, current.entity, &b.draft).await?;
    st.store
        .update_equity_distribution(&actor, id, b.version, &parts, &f)
        .await?;
    Ok(Json(distribution_answer(&st, id).await?))
}

#[derive(Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub status: String,
    pub version: i64,
}

async fn set_distribution_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let to =
        DistributionStatus::parse(&b.status, "status").map_err(|e| ApiError::invalid(vec![e]))?;
    st.store
        .set_equity_distribution_status(&actor, id, b.version, to, st.today())
        .await?;
    Ok(Json(distribution_answer(&st, id).await?))
}
