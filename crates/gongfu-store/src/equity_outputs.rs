//! What officials hand out from benefit sharing (利益共享): a holder's statement (股东分配对账单)
//! of a stored distribution. Read-only: the money is the distribution's stored result, read
//! back as computed when it was drafted, and checked against the stored payout rows; nothing
//! here recomputes a fen.

use crate::StoreError;
use crate::db::Store;
use crate::equity::{DistributionRecord, EntityRecord};
use crate::work::{corrupt, not_found};
use gongfu_core::equity::register::year_holdings;
use gongfu_core::equity::{ClassId, Distribution, Holder, HolderId, RegisterLine, Statement};

impl DistributionRecord {
    /// The computed distribution as stored when it was drafted (or last edited as a draft).
    pub fn computed(&self) -> Result<Distribution, StoreError> {
        serde_json::from_value(self.result.clone()).map_err(|e| corrupt("分配结果", e))
    }
}

/// A holder's units in one class over the distribution's year, for the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassHolding {
    pub class: ClassId,
    /// Units at 31 December of the year.
    pub units_at_end: i64,
    /// Σ units × days held in the year.
    pub unit_days: i128,
}

/// 股东分配对账单: the distribution, its entity and holder, the holder's statement and their
/// holdings over the year.
#[derive(Debug, Clone)]
pub struct HolderStatement {
    pub distribution: DistributionRecord,
    pub computed: Distribution,
    pub entity: EntityRecord,
    pub holder: Holder,
    pub statement: Statement,
    /// In the entity's class order; classes the holder did not hold in the year are left out.
    pub holdings: Vec<ClassHolding>,
}

impl Store {
    /// The statement of `holder` in distribution `id`. Not found when either is unknown or the
    /// holder is not the distribution's entity's. The statement's total is checked against
    /// the stored payout row: a difference means the stored result was tampered with, and is
    /// refused rather than shown.
    pub async fn equity_statement(
        &self,
        id: i64,
        holder: i64,
    ) -> Result<HolderStatement, StoreError> {
        let distribution = self
            .equity_distribution(id)
            .await?
            .ok_or_else(|| not_found(format!("分配方案 {id}")))?;
        let entity = self
            .equity_entity(distribution.entity)
            .await?
            .ok_or_else(|| not_found(format!("股权主体 {}", distribution.entity)))?;
        let h = entity
            .holder(HolderId(holder))
            .cloned()
            .ok_or_else(|| not_found(format!("「{}」的股东 {holder}", entity.spec.name())))?;
        let computed = distribution.computed()?;
        let statement =
            gongfu_core::equity::statement(&computed, h.id, distribution.parts.time_weighted);
        let stored = distribution
            .payouts
            .iter()
            .find(|(p, _)| *p == h.id)
            .map(|(_, a)| *a)
            .unwrap_or_default();
        if stored != statement.total {
            return Err(corrupt(
                "分配结果",
                format!(
                    "股东 {} 的明细合计 {} 元与发放额 {} 元不符",
                    h.name,
                    statement.total.yuan_string(),
                    stored.yuan_string()
                ),
            ));
        }
        // The register as the distribution saw it: lines approved by the day it was drafted
        // (lines are numbered in approval order, so this is a prefix).
        let lines: Vec<RegisterLine> = self
            .equity_lines(entity.id)
            .await?
            .into_iter()
            .map(|l| l.line)
            .filter(|l| l.approved_on() <= distribution.drafted_on)
            .collect();
        let year =
            year_holdings(&lines, distribution.year).map_err(|e| corrupt("股权登记簿", e))?;
        let holdings = entity
            .spec
            .classes()
            .iter()
            .filter_map(|c| {
                year.get(&(h.id, c.id)).map(|y| ClassHolding {
                    class: c.id,
                    units_at_end: y.units_at_end,
                    unit_days: y.unit_days,
                })
            })
            .collect();
        Ok(HolderStatement {
            distribution,
            computed,
            entity,
            holder: h,
            statement,
            holdings,
        })
    }
}
