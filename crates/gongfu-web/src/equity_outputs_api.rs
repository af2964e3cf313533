//! What officials hand out from benefit sharing (利益共享), as files and JSON: a holder's
//! statement of a distribution (股东分配对账单), the payout sheet (发放清单, xlsx), and the
//! register (股东名册) and a holder's share certificate (股权证) as PDF. Read-only, open to
//! every signed-in role like the other equity reads; every amount is the stored
//! distribution's (`gongfu_store::equity_outputs`), never recomputed here.

use crate::AppState;
use crate::api::{file_response, io_err, present, xlsx_response};
use crate::error::{ApiError, PathParam};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use gongfu_core::equity::distribution::Source;
use gongfu_core::equity::{Basis, HolderKind};
use gongfu_core::village::{date_string, parse_date};
use gongfu_io::equity_pdf::{
    CertificateClass, CertificateDoc, RegisterDoc, RegisterLineText, RegisterRow,
    certificate_number, certificate_pdf, register_pdf, share_percent,
};
use gongfu_io::equity_xlsx::{PayoutSheet, payout_sheet};
use gongfu_store::Snapshot;
use gongfu_store::equity::{DistributionStatus, EntityRecord};
use gongfu_store::equity_outputs::HolderStatement;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/distributions/{id}/holders/{holder}",
            get(statement_json),
        )
        .route("/api/v1/distributions/{id}/payouts.xlsx", get(payouts_xlsx))
        .route("/api/v1/entities/{id}/register.pdf", get(register_file))
        .route(
            "/api/v1/entities/{id}/holders/{holder}/certificate.pdf",
            get(certificate_file),
        )
}

/// The name of a village by code, from the snapshot (the code itself when unknown).
pub fn village_name(snap: &Snapshot, code: &str) -> String {
    gongfu_core::VillageCode::parse(code)
        .ok()
        .and_then(|v| snap.division(&v).map(|d| d.division.name.clone()))
        .unwrap_or_else(|| code.to_string())
}

/// A part's source in Chinese.
pub fn source_label(s: Source) -> &'static str {
    match s {
        Source::Guarantee => "保底",
        Source::Dividend => "分红",
        Source::Incentive => "运营激励",
    }
}

fn basis_of(e: &EntityRecord, class: Option<gongfu_core::equity::ClassId>) -> Option<Basis> {
    class.and_then(|c| e.spec.class(c)).map(|c| c.basis)
}

fn class_name(e: &EntityRecord, class: Option<gongfu_core::equity::ClassId>) -> String {
    class
        .and_then(|c| e.spec.class(c))
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// The statement as JSON: every amount in fen, each line with its formula in words.
pub fn statement_value(snap: &Snapshot, s: &HolderStatement) -> Value {
    let e = &s.entity;
    let d = &s.distribution;
    let st = &s.statement;
    let tw = st.time_weighted;
    let village = s.holder.village.as_ref().map(|v| v.as_str().to_string());
    json!({
        "distribution": {
            "id": d.id, "year": d.year, "status": d.status.key(), "status_label": d.status.label(),
            "locked": d.status == DistributionStatus::Approved, "corrects": d.corrects,
        },
        "entity": {"id": e.id, "name": e.spec.name(), "kind_label": e.spec.kind().label()},
        "holder": {
            "id": s.holder.id.0, "name": s.holder.name, "kind": s.holder.kind.key(),
            "kind_label": s.holder.kind.label(),
            "village_code": village,
            "village_name": village.as_deref().map(|v| village_name(snap, v)),
        },
        "time_weighted": tw,
        "holdings": s.holdings.iter().map(|h| {
            let basis = e.spec.class(h.class).map(|c| c.basis);
            json!({
                "class": h.class.0, "class_name": class_name(e, Some(h.class)),
                "units": h.units_at_end,
                "units_text": basis.map(|b| b.units_text(h.units_at_end)),
                "unit_days": i64::try_from(h.unit_days).ok(),
            })
        }).collect::<Vec<_>>(),
        "class_pools": s.computed.class_pools.iter().map(|p| json!({
            "class": p.class.0, "class_name": class_name(e, Some(p.class)),
            "split_bp": p.split.get(), "pool_fen": p.pool.0, "total_weight": p.total_weight,
        })).collect::<Vec<_>>(),
        "lines": st.lines.iter().map(|l| json!({
            "source": l.source, "source_label": source_label(l.source),
            "class": l.class.map(|c| c.0), "class_name": class_name(e, l.class),
            "weight": l.weight, "total_weight": l.total_weight, "pool_fen": l.pool.0,
            "floor_fen": l.floor_share.0, "remainder_fen": l.remainder_fen, "amount_fen": l.amount.0,
            "formula": l.formula(basis_of(e, l.class), tw),
        })).collect::<Vec<_>>(),
        "guarantee_fen": st.guarantee.0,
        "dividend_fen": st.dividend.0,
        "incentive_fen": st.incentive.0,
        "total_fen": st.total.0,
        // 村集体分配额: what counts toward the village's collective income.
        "village_amount_fen": (s.holder.kind == HolderKind::VillageCollective).then_some(st.total.0),
    })
}

async fn statement_json(
    State(st): State<AppState>,
    PathParam((id, holder)): PathParam<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let s = st.store.equity_statement(id, holder).await?;
    let snap = st.store.snapshot().await?;
    Ok(Json(statement_value(&snap, &s)))
}

async fn payouts_xlsx(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Response, ApiError> {
    let d = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let e = st
        .store
        .equity_entity(d.entity)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {} 不存在", d.entity)))?;
    let computed = d.computed()?;
    let snap = st.store.snapshot().await?;
    let names = |code: &str| village_name(&snap, code);
    let bytes = payout_sheet(&PayoutSheet {
        record: &d,
        computed: &computed,
        entity: &e,
        village_name: &names,
        demo: snap.is_demo,
    })
    .map_err(io_err)?;
    Ok(xlsx_response(
        bytes,
        &format!("{}-{}年度发放清单-方案{}.xlsx", e.spec.name(), d.year, d.id),
    ))
}

#[derive(Deserialize, Default)]
pub struct AsOfQuery {
    pub as_of: Option<String>,
}

fn as_of(st: &AppState, q: &AsOfQuery) -> Result<Date, ApiError> {
    match present(&q.as_of) {
        Some(s) => parse_date("as_of", s).map_err(|e| ApiError::invalid(vec![e])),
        None => Ok(st.today()),
    }
}

async fn entity(st: &AppState, id: i64) -> Result<EntityRecord, ApiError> {
    st.store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    file_response(bytes, "application/pdf", filename, false)
}

/// Class headers with their unit, as the tables print them.
fn class_header(basis: Basis, name: &str) -> String {
    let unit = match basis {
        Basis::Capital | Basis::TradeVolume => "元",
        Basis::LandArea => "亩",
        Basis::Population => "人",
        Basis::Shares => "股",
        Basis::Equal => "份",
    };
    format!("{name}（{unit}）")
}

/// Units in a table cell under a header that already names the unit: the number only.
fn units_cell(basis: Basis, units: i64) -> String {
    let t = basis.units_text(units);
    t.rsplit_once(' ').map(|(n, _)| n.to_string()).unwrap_or(t)
}

async fn register_file(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, ApiError> {
    let day = as_of(&st, &q)?;
    let e = entity(&st, id).await?;
    let r = st.store.equity_register(id, day).await?;
    let snap = st.store.snapshot().await?;
    let classes = e.spec.classes();
    let rows = e
        .holders
        .iter()
        .filter(|h| classes.iter().any(|c| r.holdings.units(h.id, c.id) != 0))
        .map(|h| RegisterRow {
            name: h.name.clone(),
            kind: h.kind.label().to_string(),
            cells: classes
                .iter()
                .map(|c| match r.holdings.units(h.id, c.id) {
                    0 => String::new(),
                    u => units_cell(c.basis, u),
                })
                .collect(),
        })
        .collect();
    let doc = RegisterDoc {
        entity: e.spec.name().to_string(),
        kind: e.spec.kind().label().to_string(),
        credit_code: e.credit_code.clone().unwrap_or_default(),
        as_of: date_string(day),
        classes: classes
            .iter()
            .map(|c| class_header(c.basis, &c.name))
            .collect(),
        rows,
        totals: classes
            .iter()
            .map(|c| units_cell(c.basis, r.holdings.class_total(c.id)))
            .collect(),
        lines: r
            .lines
            .iter()
            .map(|l| RegisterLineText {
                no: l.line.no(),
                effective: date_string(l.line.effective()),
                kind: l.line.change().label().to_string(),
                text: crate::pages::equity::describe(&e, l.line.change()),
                approved: format!("{} {}", l.approved_by, date_string(l.line.approved_on())),
            })
            .collect(),
        printed_on: date_string(st.today()),
        demo: snap.is_demo,
    };
    Ok(pdf_response(
        register_pdf(&doc),
        &format!("{}-股东名册-{}.pdf", e.spec.name(), date_string(day)),
    ))
}

async fn certificate_file(
    State(st): State<AppState>,
    PathParam((id, holder)): PathParam<(i64, i64)>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, ApiError> {
    let day = as_of(&st, &q)?;
    let e = entity(&st, id).await?;
    let h = e
        .holder(gongfu_core::equity::HolderId(holder))
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!("「{}」没有编号为 {holder} 的股东", e.spec.name()))
        })?;
    let r = st.store.equity_register(id, day).await?;
    let snap = st.store.snapshot().await?;
    let classes = e
        .spec
        .classes()
        .iter()
        .filter_map(|c| {
            let u = r.holdings.units(h.id, c.id);
            (u != 0).then(|| CertificateClass {
                class: c.name.clone(),
                basis: c.basis.label().to_string(),
                units: c.basis.units_text(u),
                percent: share_percent(u, r.holdings.class_total(c.id)),
            })
        })
        .collect();
    let number = certificate_number(e.id, h.id.0);
    let doc = CertificateDoc {
        number: number.clone(),
        entity: e.spec.name().to_string(),
        entity_kind: e.spec.kind().label().to_string(),
        credit_code: e.credit_code.clone().unwrap_or_default(),
        holder: h.name.clone(),
        holder_kind: h.kind.label().to_string(),
        village: h
            .village
            .as_ref()
            .map(|v| village_name(&snap, v.as_str()))
            .unwrap_or_default(),
        classes,
        as_of: date_string(day),
        demo: snap.is_demo,
    };
    Ok(pdf_response(
        certificate_pdf(&doc),
        &format!("{}-股权证-{}-{number}.pdf", e.spec.name(), h.name),
    ))
}
