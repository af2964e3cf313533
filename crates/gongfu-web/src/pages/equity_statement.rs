//! 股东分配对账单: one holder's statement of a distribution, for printing on A4 and handing
//! to the holder (a village's 经合社, an enterprise, a household), and readable on a phone.
//! It shows what the store's statement says — the holder's units per class, each class pool,
//! the holder's share with its arithmetic, 保底, the total 分配额 (as 村集体分配额 for a village
//! collective) — and recomputes nothing: the total equals the distribution's stored payout.

use super::Layout;
use crate::AppState;
use crate::equity_outputs_api::{source_label, village_name};
use crate::error::PageError;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use gongfu_core::equity::HolderKind;
use gongfu_core::money::bp_percent_string;
use gongfu_core::village::date_string;
use gongfu_store::equity::DistributionStatus;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/equity/distributions/{id}/holders/{holder}",
        get(statement),
    )
}

pub struct HoldingRow {
    pub class: String,
    pub units: String,
    /// Units × days held, when the distribution is time-weighted.
    pub unit_days: String,
}

pub struct PoolRow {
    pub class: String,
    pub split: String,
    pub pool: String,
    pub total_weight: String,
}

pub struct LineRow {
    pub what: String,
    pub amount: String,
    pub formula: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "equity_statement.html")]
pub struct StatementPage {
    pub layout: Layout,
    pub id: i64,
    pub entity_id: i64,
    pub entity: String,
    pub year: i32,
    pub status: &'static str,
    pub locked: bool,
    pub corrects: Option<i64>,
    pub holder_id: i64,
    pub holder: String,
    pub holder_kind: &'static str,
    pub village: String,
    pub is_village: bool,
    pub time_weighted: bool,
    pub holdings: Vec<HoldingRow>,
    pub pools: Vec<PoolRow>,
    pub lines: Vec<LineRow>,
    pub guarantee: String,
    pub dividend: String,
    pub incentive: String,
    pub has_incentive: bool,
    pub total: String,
    pub today: String,
    pub demo: bool,
}

pub async fn statement(
    State(st): State<AppState>,
    Path((id, holder)): Path<(i64, i64)>,
) -> Result<StatementPage, PageError> {
    let s = st.store.equity_statement(id, holder).await?;
    let snap = st.store.snapshot().await?;
    let e = &s.entity;
    let tw = s.statement.time_weighted;
    let class_name = |c: Option<gongfu_core::equity::ClassId>| {
        c.and_then(|c| e.spec.class(c))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let holdings = s
        .holdings
        .iter()
        .filter_map(|h| {
            let c = e.spec.class(h.class)?;
            Some(HoldingRow {
                class: c.name.clone(),
                units: c.basis.units_text(h.units_at_end),
                unit_days: i64::try_from(h.unit_days)
                    .map(|d| c.basis.weight_text(d, true))
                    .unwrap_or_default(),
            })
        })
        .collect();
    let pools = s
        .computed
        .class_pools
        .iter()
        .map(|p| PoolRow {
            class: class_name(Some(p.class)),
            split: bp_percent_string(p.split.get()),
            pool: p.pool.yuan_string(),
            total_weight: e
                .spec
                .class(p.class)
                .map(|c| c.basis.weight_text(p.total_weight, tw))
                .unwrap_or_default(),
        })
        .collect();
    let lines = s
        .statement
        .lines
        .iter()
        .map(|l| LineRow {
            what: format!("{}{}", class_name(l.class), source_label(l.source)),
            amount: l.amount.yuan_string(),
            formula: l.formula(l.class.and_then(|c| e.spec.class(c)).map(|c| c.basis), tw),
        })
        .collect();
    let d = &s.distribution;
    let entity = e.spec.name().to_string();
    Ok(StatementPage {
        layout: Layout::new(
            format!("{} {} 年度分配对账单", s.holder.name, d.year),
            "ops",
            snap.is_demo,
        ),
        id: d.id,
        entity_id: e.id,
        entity,
        year: d.year,
        status: d.status.label(),
        locked: d.status == DistributionStatus::Approved,
        corrects: d.corrects,
        holder_id: s.holder.id.0,
        holder: s.holder.name.clone(),
        holder_kind: s.holder.kind.label(),
        village: s
            .holder
            .village
            .as_ref()
            .map(|v| village_name(&snap, v.as_str()))
            .unwrap_or_default(),
        is_village: s.holder.kind == HolderKind::VillageCollective,
        time_weighted: tw,
        holdings,
        pools,
        lines,
        guarantee: s.statement.guarantee.yuan_string(),
        dividend: s.statement.dividend.yuan_string(),
        incentive: s.statement.incentive.yuan_string(),
        has_incentive: s.statement.incentive.0 != 0,
        total: s.statement.total.yuan_string(),
        today: date_string(st.today()),
        demo: snap.is_demo,
    })
}
