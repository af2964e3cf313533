//! The JSON API of scoring and awards (四联四共评分与奖补, issue 9): rubric versions (草案 →
//! 已发布 → 已废止), per-subject assessments with manual entries and the 经办 → 复核 → 审批
//! flow (approval freezes a snapshot), the ranked score list, and the yearly award list
//! (草案 → 已批准, then locked). Points are integer hundredths (`*_hundredths`) beside a
//! display string; money is integer fen. Rules and roles: `gongfu_store::scoring`.

use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, JsonBody, PathParam};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use gongfu_core::DomainError;
use gongfu_core::scoring::{Input, Points, Rubric, RubricKind, Scorecard, Source};
use gongfu_store::scoring::{
    Assessed, AssessmentItems, AssessmentStatus, AwardListRecord, AwardRules, EntryInput, Evidence,
    RubricVersion, ScoreRow, kind_key, parse_kind,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/rubrics/{year}",
            get(get_rubric).post(create_rubric),
        )
        .route("/api/v1/rubrics/{year}/versions", get(list_rubrics))
        .route("/api/v1/rubrics/{year}/versions/{n}", put(update_rubric))
        .route(
            "/api/v1/rubrics/{year}/versions/{n}/publish",
            post(publish_rubric),
        )
        .route("/api/v1/scores", get(list_scores))
        .route("/api/v1/scores/{kind}/{year}/{subject}", get(get_score))
        .route(
            "/api/v1/scores/{kind}/{year}/{subject}/entries/{key}",
            put(put_entry),
        )
        .route(
            "/api/v1/scores/{kind}/{year}/{subject}/items",
            post(put_items),
        )
        .route(
            "/api/v1/scores/{kind}/{year}/{subject}/status",
            post(set_status),
        )
        .route("/api/v1/awards", get(get_awards).post(compute_awards))
        .route("/api/v1/awards/{year}/status", post(set_award_status))
}

/// The request bodies, for the OpenAPI document.
pub fn schemas() -> Value {
    let s = |t: &str| json!({"type": t});
    json!({
        "RubricDraft": {"type": "object", "properties": {
            "rubric": {"type": "object", "description": "评分细则 JSON（与 GET 返回的 rubric 同结构）；省略则复制现行版本"},
            "note": s("string")}},
        "RubricUpdate": {"type": "object", "required": ["rubric", "version"], "properties": {
            "rubric": {"type": "object", "description": "评分细则 JSON；校验不通过时 422，字段以 rubric. 开头"},
            "note": s("string"), "version": s("integer")}},
        "Version": {"type": "object", "required": ["version"], "properties": {"version": s("integer")}},
        "ScoreEntry": {"type": "object", "required": ["value", "version"], "properties": {
            "value": {"type": "object", "description": "按计分方法填写：{\"number\": 7200}（STEP/LIN，百分比为基点、金额为分）、{\"ratio\": {\"covered\": 5, \"total\": 6}}（COV）、{\"compared\": {\"value\": 800, \"benchmark\": 650}}（REL）、{\"mark\": \"A\"}（GRADE）、{\"yes\": true}（BIN）"},
            "evidence": {"type": "object", "properties": {"text": s("string"), "links": {"type": "array", "items": s("string")}, "attachments": {"type": "array", "items": s("integer"), "description": "已上传佐证附件编号"}}},
            "comment": s("string"),
            "version": {"type": "integer", "description": "评分的版本；该对象首次填报为 0"}}},
        "ScoreItems": {"type": "object", "required": ["version"], "properties": {
            "bonus": {"type": "object", "additionalProperties": {"type": "object", "properties": {"count": s("integer"), "reason": s("string")}}},
            "penalties": {"type": "object", "additionalProperties": {"type": "object", "properties": {"count": s("integer"), "reason": {"type": "string", "description": "扣分须说明原因"}}}},
            "vetoes": {"type": "object", "additionalProperties": {"type": "string", "description": "否决原因（必填）"}},
            "version": {"type": "integer", "description": "评分的版本；首次为 0"}}},
        "ScoreStatus": {"type": "object", "required": ["status", "version"], "properties": {
            "status": {"type": "string", "enum": ["entering", "reviewed", "approved"], "description": "也可用 经办、复核、审批；退回 / 重新打开为 entering，须填 reason"},
            "reason": s("string"), "version": s("integer")}},
        "AwardRules": {"type": "object", "required": ["version"], "properties": {
            "zone": {"type": "object", "description": "片区奖补：cap（分）、mode（{\"mode\":\"GRADE\",\"excellent_bp\",\"good_bp\",\"pass_bp\"} 或 {\"mode\":\"LINEAR\",\"low\",\"high\"}，分数为百分之一分）、investment_share_bp"},
            "team": {"type": "object", "description": "运营团队奖补：amount（分）、max_teams、pass_share_bp"},
            "budget": {"type": ["integer", "null"], "description": "年度预算（分），空为不限"},
            "shortfall": {"type": "string", "enum": ["pro_rata", "rank_order"]},
            "version": {"type": "integer", "description": "名单的版本；首次计算为 0"}}},
        "AwardStatus": {"type": "object", "required": ["status", "version"], "properties": {
            "status": {"type": "string", "enum": ["approved"], "description": "也可用 已批准"}, "version": s("integer")}},
    })
}

#[derive(Deserialize)]
struct KindQuery {
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct YearKindQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

fn kind_of(k: &Option<String>) -> Result<RubricKind, ApiError> {
    parse_kind(k.as_deref().unwrap_or("")).map_err(|e| ApiError::invalid(vec![e]))
}

fn year_of(y: &Option<String>) -> Result<i32, ApiError> {
    let t = y.as_deref().unwrap_or("").trim();
    t.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| {
            ApiError::invalid(vec![DomainError::new(
                "invalid_year",
                "year",
                format!("年度「{t}」无效：应为四位年份，如 2025"),
            )])
        })
}

fn points(p: Points) -> Value {
    json!({"hundredths": p.0, "display": p.hundredths_string()})
}

fn rubric_json(v: &RubricVersion) -> Value {
    json!({
        "stored": true, "kind": kind_key(v.kind), "year": v.year, "version_no": v.version_no,
        "status": v.status.key(), "status_label": v.status.label(), "note": v.note,
        "created_by": v.created_by, "created_on": gongfu_core::village::date_string(v.created_on),
        "published_by": v.published_by,
        "published_on": v.published_on.map(gongfu_core::village::date_string),
        "version": v.version, "rubric": v.rubric,
    })
}

async fn get_rubric(
    State(st): State<AppState>,
    PathParam(year): PathParam<i32>,
    Query(q): Query<KindQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&q.kind)?;
    Ok(Json(rubric_json(
        &st.store.rubric_in_force(kind, year).await?,
    )))
}

async fn list_rubrics(
    State(st): State<AppState>,
    PathParam(year): PathParam<i32>,
    Query(q): Query<KindQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&q.kind)?;
    // The version in force exists once asked for, so the list is never empty.
    st.store.rubric_in_force(kind, year).await?;
    let items: Vec<Value> = st
        .store
        .rubric_versions(kind, year)
        .await?
        .iter()
        .map(rubric_json)
        .collect();
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
struct RubricBody {
    #[serde(default)]
    rubric: Option<Rubric>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

async fn create_rubric(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(year): PathParam<i32>,
    Query(q): Query<KindQuery>,
    JsonBody(b): JsonBody<RubricBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = kind_of(&q.kind)?;
    let n = st
        .store
        .create_rubric_draft(&actor, kind, year, b.rubric, &b.note, st.today())
        .await?;
    let v = st
        .store
        .rubric_version(kind, year, n)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("细则第 {n} 版不存在")))?;
    Ok((StatusCode::CREATED, Json(rubric_json(&v))))
}

async fn update_rubric(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((year, n)): PathParam<(i32, u32)>,
    Query(q): Query<KindQuery>,
    JsonBody(b): JsonBody<RubricBody>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&q.kind)?;
    let Some(rubric) = b.rubric else {
        return Err(ApiError::invalid(vec![DomainError::new(
            "required",
            "rubric",
            "请提供评分细则 rubric",
        )]));
    };
    st.store
        .update_rubric_draft(&actor, kind, year, n, b.version, rubric, &b.note)
        .await?;
    let v = st
        .store
        .rubric_version(kind, year, n)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("细则第 {n} 版不存在")))?;
    Ok(Json(rubric_json(&v)))
}

#[derive(Deserialize)]
struct VersionBody {
    version: i64,
}

async fn publish_rubric(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((year, n)): PathParam<(i32, u32)>,
    Query(q): Query<KindQuery>,
    JsonBody(b): JsonBody<VersionBody>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&q.kind)?;
    st.store
        .publish_rubric(&actor, kind, year, n, b.version, st.today())
        .await?;
    Ok(Json(rubric_json(
        &st.store.rubric_in_force(kind, year).await?,
    )))
}

/// The subject as `{id, name}` under the key `zone` or `team`.
fn subject_key(kind: RubricKind) -> &'static str {
    kind_key(kind)
}

fn dimensions(card: &Scorecard) -> Value {
    let mut m = serde_json::Map::new();
    for d in &card.dimensions {
        m.insert(
            d.id.clone(),
            json!({"name": d.name, "points": d.points.0 as f64 / 100.0, "points_hundredths": d.points.0,
                "max": d.max.0 as f64 / 100.0, "max_hundredths": d.max.0}),
        );
    }
    Value::Object(m)
}

fn total_fields(card: &Scorecard) -> Value {
    json!({
        "total": card.total.0 as f64 / 100.0,
        "total_hundredths": card.total.0,
        "total_display": card.total.one_decimal_string(),
        "max_hundredths": card.max.0,
        "grade": card.rating.label(),
        "rating": card.rating,
        "vetoed": card.vetoed(),
    })
}

fn row_json(r: &ScoreRow, names: &BTreeMap<i64, String>) -> Value {
    let a = &r.assessed;
    let mut v = total_fields(&a.card);
    v[subject_key(a.kind)] = json!({"id": a.subject, "name": names.get(&a.subject)});
    v["dimensions"] = dimensions(&a.card);
    v["status"] = json!(a.status.key());
    v["status_label"] = json!(a.status.label());
    v["frozen"] = json!(a.frozen);
    v["rubric_version"] = json!(a.rubric.version);
    v["version"] = json!(a.assessment.as_ref().map_or(0, |x| x.version));
    v["position"] = json!(r.ranked.position);
    v["change"] = json!(r.ranked.change.map(|c| c.0 as f64 / 100.0));
    v["change_hundredths"] = json!(r.ranked.change.map(|c| c.0));
    v["last_total_hundredths"] = json!(r.ranked.last_total.map(|c| c.0));
    v
}

async fn list_scores(
    State(st): State<AppState>,
    Query(q): Query<YearKindQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&q.kind)?;
    let year = year_of(&q.year)?;
    let names = gongfu_store::scoring::subject_names(&st.store.scoring_subjects(kind).await?);
    let rows = st.store.score_list(kind, year).await?;
    let items: Vec<Value> = rows.iter().map(|r| row_json(r, &names)).collect();
    Ok(Json(
        json!({"kind": kind_key(kind), "year": year, "items": items}),
    ))
}

/// The full scorecard: every indicator's rules with value, points, explanation, and for
/// platform rules the formula and sources, for manual rules the entry (evidence, comment,
/// department, who and when).
fn scorecard_json(a: &Assessed, name: Option<&String>) -> Value {
    let mut v = total_fields(&a.card);
    v[subject_key(a.kind)] = json!({"id": a.subject, "name": name});
    v["kind"] = json!(kind_key(a.kind));
    v["year"] = json!(a.year);
    v["status"] = json!(a.status.key());
    v["status_label"] = json!(a.status.label());
    v["frozen"] = json!(a.frozen);
    v["rubric_version"] = json!(a.rubric.version);
    let rec = a.assessment.as_ref();
    v["version"] = json!(rec.map_or(0, |x| x.version));
    v["reviewed_by"] = json!(rec.and_then(|x| x.reviewed_by.clone()));
    v["approved_by"] = json!(rec.and_then(|x| x.approved_by.clone()));
    v["enterers"] = json!(rec.map(|x| x.enterers.clone()).unwrap_or_default());
    v["base_hundredths"] = json!(a.card.base.0);
    v["bonus_total_hundredths"] = json!(a.card.bonus_total.0);
    v["penalty_total_hundredths"] = json!(a.card.penalty_total.0);
    let entries: BTreeMap<&str, &gongfu_store::scoring::Entry> =
        a.entries.iter().map(|e| (e.rule_key.as_str(), e)).collect();
    let dims: Vec<Value> = a
        .card
        .dimensions
        .iter()
        .map(|d| {
            let inds: Vec<Value> = d
                .indicators
                .iter()
                .map(|i| {
                    let rules: Vec<Value> = i
                        .rules
                        .iter()
                        .map(|r| {
                            let mut rv = json!({
                                "key": r.key, "label": r.label, "method": r.method.as_str(),
                                "source": r.source, "value": r.value,
                                "points": points(r.points), "max": points(r.max),
                                "explanation": r.explanation, "rounding": r.rounding(),
                            });
                            match r.source {
                                Source::Platform(_) => {
                                    let m = a.figures.get(&r.key);
                                    rv["formula"] = json!(m.map(|m| m.formula.clone()));
                                    rv["sources"] = json!(m.map(|m| m.sources.clone()).unwrap_or_default());
                                }
                                Source::Manual => {
                                    rv["entry"] = json!(entries.get(r.key.as_str()));
                                }
                            }
                            rv
                        })
                        .collect();
                    json!({"id": i.id, "name": i.name, "department": i.department,
                        "evidence_required": i.evidence_required, "missing": i.missing,
                        "points": points(i.points), "max": points(i.max), "rules": rules})
                })
                .collect();
            json!({"id": d.id, "name": d.name, "points": points(d.points), "max": points(d.max), "indicators": inds})
        })
        .collect();
    v["dimensions"] = json!(dims);
    v["bonus"] = json!(a.card.bonus);
    v["penalties"] = json!(a.card.penalties);
    v["vetoes"] = json!(a.card.vetoes);
    v["items"] = json!(a.items);
    v
}

async fn score_answer(
    st: &AppState,
    kind: RubricKind,
    year: i32,
    subject: i64,
) -> Result<Value, ApiError> {
    let names = gongfu_store::scoring::subject_names(&st.store.scoring_subjects(kind).await?);
    let Some(name) = names.get(&subject) else {
        return Err(ApiError::not_found(format!(
            "{} {subject} 不存在",
            if kind == RubricKind::Zone {
                "片区"
            } else {
                "运营团队"
            }
        )));
    };
    let a = st.store.assessed(kind, year, subject).await?;
    Ok(scorecard_json(&a, Some(name)))
}

/// The scorecard as JSON, or (`{subject}.pdf`) as a PDF — one route, because the router
/// cannot tell `{subject}` from `{subject}.pdf` by itself.
async fn get_score(
    State(st): State<AppState>,
    PathParam((kind, year, subject)): PathParam<(String, i32, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let kind = kind_of(&Some(kind))?;
    let (id, pdf) = match subject.strip_suffix(".pdf") {
        Some(s) => (s, true),
        None => (subject.as_str(), false),
    };
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::not_found(format!("评分对象「{subject}」不存在")))?;
    if pdf {
        return crate::pages::scoring::scorecard_pdf(&st, kind, year, id).await;
    }
    Ok(Json(score_answer(&st, kind, year, id).await?).into_response())
}

#[derive(Deserialize)]
struct EntryBody {
    value: Input,
    #[serde(default)]
    evidence: Evidence,
    #[serde(default)]
    comment: String,
    version: i64,
}

async fn put_entry(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((kind, year, subject, key)): PathParam<(String, i32, i64, String)>,
    JsonBody(b): JsonBody<EntryBody>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&Some(kind))?;
    let entry = EntryInput {
        input: b.value,
        evidence: b.evidence,
        comment: b.comment,
    };
    st.store
        .put_score_entry(
            &actor,
            kind,
            year,
            subject,
            &key,
            &entry,
            b.version,
            st.today(),
        )
        .await?;
    Ok(Json(score_answer(&st, kind, year, subject).await?))
}

#[derive(Deserialize)]
struct ItemsBody {
    #[serde(flatten)]
    items: AssessmentItems,
    version: i64,
}

async fn put_items(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((kind, year, subject)): PathParam<(String, i32, i64)>,
    JsonBody(b): JsonBody<ItemsBody>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&Some(kind))?;
    st.store
        .put_score_items(&actor, kind, year, subject, &b.items, b.version)
        .await?;
    Ok(Json(score_answer(&st, kind, year, subject).await?))
}

#[derive(Deserialize)]
struct StatusBody {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    version: i64,
}

async fn set_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam((kind, year, subject)): PathParam<(String, i32, i64)>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind_of(&Some(kind))?;
    let to =
        AssessmentStatus::parse(&b.status, "status").map_err(|e| ApiError::invalid(vec![e]))?;
    st.store
        .set_assessment_status(
            &actor,
            kind,
            year,
            subject,
            to,
            b.version,
            &b.reason,
            st.today(),
        )
        .await?;
    Ok(Json(score_answer(&st, kind, year, subject).await?))
}

fn award_json(
    st_names: (&BTreeMap<i64, String>, &BTreeMap<i64, String>),
    l: &AwardListRecord,
) -> Value {
    let (zn, tn) = st_names;
    let r = &l.result;
    let zones: Vec<Value> = r
        .zones
        .iter()
        .map(|z| {
            json!({"zone": {"id": z.zone, "name": zn.get(&z.zone)}, "amount_fen": z.amount.0,
                "claim_fen": z.claim.0, "partial": z.partial, "eligible": z.eligible,
                "reasons": z.reasons, "formula": z.formula, "total_hundredths": z.total.0,
                "grade": z.rating.label()})
        })
        .collect();
    let teams: Vec<Value> = r
        .teams
        .iter()
        .map(|t| {
            json!({"team": {"id": t.team, "name": tn.get(&t.team)}, "amount_fen": t.amount.0,
                "claim_fen": t.claim.0, "partial": t.partial, "eligible": t.eligible,
                "position": t.position, "reasons": t.reasons, "exit_flag": t.exit_flag,
                "total_hundredths": t.total.0})
        })
        .collect();
    json!({
        "year": l.year, "stored": true, "status": l.status.key(), "status_label": l.status.label(),
        "budget_fen": l.rules.budget.map(|b| b.0),
        "mode": l.rules.zone.mode,
        "mode_label": l.rules.zone.mode.label(),
        "shortfall": l.rules.shortfall, "shortfall_label": l.rules.shortfall.label(),
        "rules": l.rules,
        "claims_total_fen": r.claims_total.0, "paid_total_fen": r.paid_total.0,
        "scale": r.scale, "note": r.note,
        "zones": zones, "teams": teams,
        "inputs": r.input, "sources": l.sources,
        "drafted_by": l.drafted_by, "approved_by": l.approved_by, "version": l.version,
    })
}

async fn award_answer(st: &AppState, year: i32) -> Result<Value, ApiError> {
    let zn =
        gongfu_store::scoring::subject_names(&st.store.scoring_subjects(RubricKind::Zone).await?);
    let tn =
        gongfu_store::scoring::subject_names(&st.store.scoring_subjects(RubricKind::Team).await?);
    match st.store.award_list(year).await? {
        Some(l) => Ok(award_json((&zn, &tn), &l)),
        None => Err(ApiError::not_found(format!(
            "{year} 年度尚未计算奖补名单（POST /api/v1/awards?year={year} 计算草案）"
        ))),
    }
}

async fn get_awards(
    State(st): State<AppState>,
    Query(q): Query<YearKindQuery>,
) -> Result<Json<Value>, ApiError> {
    let year = year_of(&q.year)?;
    Ok(Json(award_answer(&st, year).await?))
}

#[derive(Deserialize)]
struct AwardBody {
    #[serde(flatten)]
    rules: AwardRules,
    #[serde(default)]
    version: i64,
}

async fn compute_awards(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<YearKindQuery>,
    JsonBody(b): JsonBody<AwardBody>,
) -> Result<Json<Value>, ApiError> {
    let year = year_of(&q.year)?;
    st.store
        .compute_award_list(&actor, year, &b.rules, b.version, st.today())
        .await?;
    Ok(Json(award_answer(&st, year).await?))
}

async fn set_award_status(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(year): PathParam<i32>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let to = gongfu_store::scoring::AwardStatus::parse(&b.status, "status")
        .map_err(|e| ApiError::invalid(vec![e]))?;
    if to != gongfu_store::scoring::AwardStatus::Approved {
        return Err(ApiError::invalid(vec![DomainError::new(
            "invalid_transition",
            "status",
            "奖补名单只能批准；如需修改请重新计算草案",
        )]));
    }
    st.store
        .approve_award_list(&actor, year, b.version, st.today())
        .await?;
    Ok(Json(award_answer(&st, year).await?))
}
