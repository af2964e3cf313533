//! The yearly distribution waterfall (年度收益分配), from net income to every holder's payout
//! in fen.
//!
//! Order of the steps (rules.md, "Equity and income distribution"):
//!
//! 1. cover prior-year losses (弥补以前年度亏损);
//! 2. 公积金 and 3. 公益金 reserves, each a % of what is left after step 1;
//! 4. 保底 (guaranteed minimum): % of capital, fen per share, fen per 亩, or a multiple of a
//!    deposit rate; paid from the year's profit and, if so configured, from reserves;
//! 5. operator incentive (经营者激励): % of profit or of the increase over last year, capped;
//! 6. the residual: a configured part is distributed, the rest is retained for development;
//! 7. the distributed residual is split between share classes, then pro rata within each class
//!    by the holders' weights (units, or units × days held when time-weighted).
//!
//! **Rounding rule.** Every step amount is `floor(base × rate)` in whole fen, computed in i128
//! from basis points (1/10,000) and parts per million, never f64; the fraction of a fen a step
//! cannot take stays in what passes to the next step, so nothing is lost. Every split of one
//! amount into parts (classes, holders) uses [`crate::money::largest_remainder`]: the floor
//! share each, then the fen left over one each to the largest remainders, **ties to the earlier
//! part** — classes in their configured order, holders in ascending holder id. So the parts
//! always add up exactly, and the same input gives the same output.
//!
//! **Who is paid.** Only holders with a holding at 31 December take part (the 天台 rule: a
//! member who leaves mid-year gets principal and interest back through the redemption line, but
//! no dividend for the year). With time-weighting, a mid-year joiner weighs units × days held.
//!
//! **Invariant.** `retained + Σ payouts == net_income` always; in a profit year retained is
//! loss cover + reserves + undistributed − reserves drawn for 保底. A loss year pays nothing
//! (unless 保底 is configured to be paid from reserves) and carries the loss forward.

use super::entity::{Basis, ClassId, EntityKind, EntitySpec, Holder, HolderId, HolderKind};
use super::register::{RegisterLine, year_holdings};
use super::{BP_FULL, Bp, PPM_FULL, parse_decimal};
use crate::money::largest_remainder;
use crate::work::parse_choice;
use crate::{DomainError, Fen, VillageCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 保底 (guaranteed minimum return), always on one class whose basis it fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Guarantee {
    /// 按出资额的百分比 (e.g. 6 % of capital): the class must be a capital class.
    PercentOfCapital { class: ClassId, rate: Bp },
    /// 每股固定金额: a shares class.
    PerShare { class: ClassId, per_share: Fen },
    /// 每亩固定金额 (land rent-style floor): a land-area class, units 0.01 亩.
    PerMu { class: ClassId, per_mu: Fen },
    /// 银行存款利率的倍数 (e.g. 1.12 × a 1.45 % one-year deposit rate) on a capital class.
    DepositMultiple {
        class: ClassId,
        deposit_rate: Bp,
        /// The multiple in parts per million: 1.12× is 1,120,000.
        multiple_ppm: i64,
    },
}

impl Guarantee {
    pub fn class(&self) -> ClassId {
        match self {
            Guarantee::PercentOfCapital { class, .. }
            | Guarantee::PerShare { class, .. }
            | Guarantee::PerMu { class, .. }
            | Guarantee::DepositMultiple { class, .. } => *class,
        }
    }
    /// The basis the class must have, and `(numerator, denominator)` so that the amount due is
    /// `floor(units × numerator / denominator)` fen.
    fn terms(&self) -> (Basis, i128, i128) {
        match self {
            Guarantee::PercentOfCapital { rate, .. } => {
                (Basis::Capital, i128::from(rate.get()), i128::from(BP_FULL))
            }
            Guarantee::PerShare { per_share, .. } => (Basis::Shares, i128::from(per_share.0), 1),
            // Units are hundredths of a 亩.
            Guarantee::PerMu { per_mu, .. } => (Basis::LandArea, i128::from(per_mu.0), 100),
            Guarantee::DepositMultiple {
                deposit_rate,
                multiple_ppm,
                ..
            } => (
                Basis::Capital,
                i128::from(deposit_rate.get()) * i128::from(*multiple_ppm),
                i128::from(BP_FULL) * i128::from(PPM_FULL),
            ),
        }
    }
}

/// What the operator incentive is a percentage of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IncentiveBase {
    /// The year's net income (净收益).
    Profit,
    /// The increase of net income over last year's (增量收益): pays only for growth.
    Increment { prior_net_income: Fen },
}

/// 经营者激励: paid to the operator (a holder id, which need not hold shares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incentive {
    pub operator: HolderId,
    pub rate: Bp,
    pub base: IncentiveBase,
    /// 封顶: at most this much; `None` only for a rate the board accepts uncapped.
    pub cap: Option<Fen>,
}

/// The typed parts of a waterfall, before they are checked against the entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaterfallParts {
    pub year: i32,
    /// 弥补以前年度亏损 first (the company-law default).
    pub cover_prior_losses: bool,
    /// 公积金 (statutory reserve) as a share of income after loss cover.
    pub reserve: Bp,
    /// 公益金 (welfare reserve), same base.
    pub welfare: Bp,
    pub guarantee: Option<Guarantee>,
    /// Pay 保底 from reserves when the year's profit is short (fixed-return 飞地 projects).
    pub guarantee_from_reserves: bool,
    pub incentive: Option<Incentive>,
    /// Share of the residual distributed; the rest is retained for development.
    pub distribute: Bp,
    /// Split of the distributed residual between classes, in the entity's class order.
    pub class_split: Vec<(ClassId, Bp)>,
    /// Weigh holders by units × days held instead of units at year end.
    pub time_weighted: bool,
}

/// A waterfall checked against its entity: classes exist, splits add to 100 %, 保底 fits its
/// class, and a co-operative's patronage refund is configured at 60 % or more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waterfall(WaterfallParts);

impl Waterfall {
    pub fn new(entity: &EntitySpec, p: WaterfallParts) -> Result<Waterfall, Vec<DomainError>> {
        let mut errors = Vec::new();
        if !(2000..=2100).contains(&p.year) {
            errors.push(DomainError::new(
                "invalid_year",
                "year",
                "年度应在 2000 到 2100 之间",
            ));
        }
        if p.reserve.get() + p.welfare.get() > BP_FULL {
            errors.push(DomainError::new(
                "out_of_range",
                "welfare_percent",
                "公积金与公益金比例合计不能超过 100%",
            ));
        }
        let total: i64 = p.class_split.iter().map(|(_, b)| b.get()).sum();
        if total != BP_FULL {
            errors.push(DomainError::new(
                "split_not_full",
                "class_split",
                format!(
                    "各类别分配比例合计应为 100%，现为 {}.{:02}%",
                    total / 100,
                    total % 100
                ),
            ));
        }
        for (i, (c, _)) in p.class_split.iter().enumerate() {
            if entity.class(*c).is_none() {
                errors.push(DomainError::new(
                    "unknown_class",
                    format!("class_split[{i}]"),
                    format!("股份类别 {} 不属于「{}」", c.0, entity.name()),
                ));
            } else if p.class_split[..i].iter().any(|(o, _)| o == c) {
                errors.push(DomainError::new(
                    "duplicate",
                    format!("class_split[{i}]"),
                    format!("股份类别 {} 重复", c.0),
                ));
            }
        }
        if let Some(g) = &p.guarantee {
            let (basis, num, _) = g.terms();
            match entity.class(g.class()) {
                None => errors.push(DomainError::new(
                    "unknown_class",
                    "guarantee_class",
                    format!("保底所依据的股份类别 {} 不存在", g.class().0),
                )),
                Some(c) if c.basis != basis => errors.push(DomainError::new(
                    "guarantee_basis",
                    "guarantee_class",
                    format!(
                        "该保底方式须依据「{}」类别，而「{}」按{}分配",
                        basis.label(),
                        c.name,
                        c.basis.label()
                    ),
                )),
                Some(_) => {}
            }
            if num < 0 {
                errors.push(DomainError::new(
                    "negative",
                    "guarantee_amount",
                    "保底金额不能为负",
                ));
            }
        }
        if let Some(inc) = &p.incentive
            && inc.cap.is_some_and(|c| c.0 < 0)
        {
            errors.push(DomainError::new(
                "negative",
                "incentive_cap",
                "激励封顶金额不能为负",
            ));
        }
        // 农民专业合作社法 第四十四条: the patronage refund is at least 60 % of the
        // distributable surplus. Checked here on the configured shares, and again on the
        // year's figures, where 保底 and the incentive may push it under.
        if entity.kind() == EntityKind::Cooperative {
            let patronage = patronage_bp(entity, &p.class_split);
            let share = i128::from(p.distribute.get()) * i128::from(patronage);
            if share * 10 < 6 * i128::from(BP_FULL) * i128::from(BP_FULL) {
                errors.push(DomainError::new(
                    "patronage_below_60",
                    "class_split",
                    format!(
                        "合作社按交易量（额）返还的比例为可分配盈余的 {}，低于《农民专业合作社法》规定的 60%",
                        percent_2(share, i128::from(BP_FULL) * i128::from(BP_FULL))
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(Waterfall(p))
        } else {
            Err(errors)
        }
    }
    pub fn parts(&self) -> &WaterfallParts {
        &self.0
    }
}

fn patronage_bp(entity: &EntitySpec, split: &[(ClassId, Bp)]) -> i64 {
    split
        .iter()
        .filter(|(c, _)| {
            entity
                .class(*c)
                .is_some_and(|c| c.basis == Basis::TradeVolume)
        })
        .map(|(_, b)| b.get())
        .sum()
}

/// `num / den` as a percentage with two decimals, floored: 「59.99%」.
fn percent_2(num: i128, den: i128) -> String {
    if den == 0 {
        return "0.00%".into();
    }
    let hundredths = (num * 10_000).div_euclid(den);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// How a step's amount was rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// An input or a difference of whole fen: nothing to round.
    Exact,
    /// `floor(base × rate)`: the fraction of a fen stays in the next step.
    Floor,
    /// Split by the largest-remainder rule, ties to the earlier part.
    LargestRemainder,
}

impl Rounding {
    pub fn label(self) -> &'static str {
        match self {
            Rounding::Exact => "精确（整分相减）",
            Rounding::Floor => "向下取整到分，不足一分的尾数留给下一步",
            Rounding::LargestRemainder => "最大余数法，余数相同者按顺序在前者优先",
        }
    }
}

/// One row of the waterfall as officials read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Machine code: `net_income`, `loss_cover`, `reserve`, … `class_pool`.
    pub code: &'static str,
    /// Chinese row label.
    pub label: String,
    pub amount: Fen,
    pub rounding: Rounding,
}

/// A class's share of the distributed residual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassPool {
    pub class: ClassId,
    pub split: Bp,
    pub pool: Fen,
    /// Σ weights of the eligible holders; 0 means nobody to pay, and the pool is retained.
    pub total_weight: i64,
    /// Fen the largest-remainder rule placed within the class (the remainder audit row).
    pub leftover_fen: i64,
}

impl ClassPool {
    /// Dividend per unit of weight in fen × 10,000 (four decimals kept internally, two shown),
    /// floored.
    pub fn per_unit_e4(&self) -> i64 {
        if self.total_weight == 0 {
            return 0;
        }
        (i128::from(self.pool.0) * 10_000 / i128::from(self.total_weight)) as i64
    }
}

/// Where a part of a payout comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 保底收益
    Guarantee,
    /// 经营者激励
    Incentive,
    /// 分红 (a class's share of the distributed residual)
    Dividend,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutPart {
    pub source: Source,
    pub class: Option<ClassId>,
    /// The holder's weight in that split (units, or unit-days), for the statement.
    pub weight: i64,
    pub amount: Fen,
    /// Fen this part got from the largest-remainder rule on top of its floor share (0 or 1):
    /// the remainder audit column (余数补差).
    pub remainder_fen: i64,
}

/// What one holder is paid, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub holder: HolderId,
    pub amount: Fen,
    pub parts: Vec<PayoutPart>,
}

/// A computed distribution: every step, every class pool, every holder's payout.
///
/// Read back from its stored JSON (the store keeps it as computed when drafted), so the
/// outputs — statements, payout sheets — show the very fen that were approved, never a
/// recomputation. The step rows are not read back: their codes are static labels, and every
/// amount they show is a field here too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub year: i32,
    /// 净收益 of the year (negative in a loss year).
    pub net_income: Fen,
    /// 上期结转: losses carried in from earlier years.
    pub prior_loss: Fen,
    pub loss_cover: Fen,
    pub reserve: Fen,
    pub welfare: Fen,
    pub guarantee_due: Fen,
    pub guarantee_from_profit: Fen,
    pub guarantee_from_reserves: Fen,
    /// 保底 that neither profit nor reserves could pay (not accrued to next year).
    pub guarantee_unpaid: Fen,
    pub incentive: Fen,
    /// What is left after 保底 and the incentive.
    pub residual: Fen,
    pub distributed: Fen,
    /// Residual kept for development, plus any class pool with nobody to pay.
    pub undistributed: Fen,
    /// 本期留存 = net income − Σ payouts.
    pub retained: Fen,
    /// Loss carried to next year's 上期结转.
    pub loss_carried_forward: Fen,
    pub class_pools: Vec<ClassPool>,
    /// In ascending holder id.
    pub payouts: Vec<Payout>,
    #[serde(skip_deserializing, default)]
    pub steps: Vec<Step>,
}

impl Distribution {
    pub fn total_paid(&self) -> Fen {
        self.payouts.iter().map(|p| p.amount).sum()
    }

    /// Each village's attributed income (村集体分配额): what its collective holders were paid,
    /// by village code. This is what feeds the village's collective operating income (D8)
    /// and the dividends-paid indicator; holders without a village (enterprises, state
    /// companies) are left out.
    pub fn village_income(&self, holders: &[Holder]) -> Vec<(VillageCode, Fen)> {
        let villages: BTreeMap<HolderId, &VillageCode> = holders
            .iter()
            .filter(|h| h.kind == HolderKind::VillageCollective)
            .filter_map(|h| h.village.as_ref().map(|v| (h.id, v)))
            .collect();
        let mut by: BTreeMap<VillageCode, Fen> = BTreeMap::new();
        for p in &self.payouts {
            if let Some(v) = villages.get(&p.holder) {
                let e = by.entry((*v).clone()).or_default();
                *e = *e + p.amount;
            }
        }
        by.into_iter().collect()
    }
}

/// The year's figures a waterfall runs on.
#[derive(Debug, Clone, Copy)]
pub struct DistributionInput<'a> {
    pub entity: &'a EntitySpec,
    pub waterfall: &'a Waterfall,
    pub lines: &'a [RegisterLine],
    /// 净收益 of the year.
    pub net_income: Fen,
    /// Losses carried in (≥ 0).
    pub prior_loss: Fen,
    /// Reserve balance at the start of the year, for 保底 paid from reserves (≥ 0).
    pub reserves_available: Fen,
}

/// The largest amount a distribution accepts, in fen.
pub const MAX_AMOUNT: i64 = 10_000_000_000_000_000;

fn overflow() -> DomainError {
    DomainError::new("overflow", "net_income", "金额过大，超出可计算范围")
}

fn to_i64(v: i128) -> Result<i64, DomainError> {
    i64::try_from(v).map_err(|_| overflow())
}

/// Runs the waterfall of `input.waterfall` for its year over the register lines.
///
/// Refused with a Chinese reason when inputs are negative where they cannot be, or when a
/// co-operative's patronage refund would fall under 60 % of its distributable surplus.
pub fn distribute(input: &DistributionInput) -> Result<Distribution, DomainError> {
    let w = input.waterfall.parts();
    let entity = input.entity;
    if input.prior_loss.0 < 0 {
        return Err(DomainError::new(
            "negative",
            "prior_loss",
            "上期结转亏损不能为负",
        ));
    }
    if input.reserves_available.0 < 0 {
        return Err(DomainError::new(
            "negative",
            "reserves_available",
            "可动用公积金不能为负",
        ));
    }
    // Far above any real company, and far enough below i64::MAX that no sum of these can
    // overflow: 10^16 fen is 100 万亿元.
    for (v, field) in [
        (input.net_income, "net_income"),
        (input.prior_loss, "prior_loss"),
        (input.reserves_available, "reserves_available"),
    ] {
        if v.0.unsigned_abs() > MAX_AMOUNT as u64 {
            return Err(DomainError::new(
                "too_large",
                field,
                "金额过大，超出可计算范围",
            ));
        }
    }
    let n = input.net_income.0;
    let prior = input.prior_loss.0;

    // Weights per class: only holders still holding at year end (天台 rule).
    let year = year_holdings(input.lines, w.year)?;
    let mut weights: BTreeMap<ClassId, Vec<(HolderId, i64)>> = BTreeMap::new();
    for (&(h, c), y) in &year {
        let Some(class) = entity.class(c) else {
            continue;
        };
        if y.units_at_end <= 0 {
            continue;
        }
        let weight = match (w.time_weighted, class.basis) {
            (false, Basis::Equal) => 1,
            (false, _) => y.units_at_end,
            (true, Basis::Equal) => y.days_held,
            (true, _) => to_i64(y.unit_days)?,
        };
        if weight > 0 {
            weights.entry(c).or_default().push((h, weight));
        }
    }
    // BTreeMap iteration already gives ascending holder ids within a class.
    let class_weight = |c: ClassId| -> i128 {
        weights
            .get(&c)
            .map_or(0, |v| v.iter().map(|(_, x)| i128::from(*x)).sum())
    };

    // 1. Loss cover, 2–3. reserves.
    let loss_cover = if w.cover_prior_losses {
        n.clamp(0, prior)
    } else {
        0
    };
    let mut avail = n.max(0) - loss_cover;
    let loss_carried_forward = prior
        .checked_sub(loss_cover)
        .and_then(|x| x.checked_add((-n).max(0)))
        .ok_or_else(overflow)?;
    let reserve = w.reserve.of_floor(avail);
    let welfare = w.welfare.of_floor(avail);
    avail -= reserve + welfare;
    // 可分配盈余 of a co-operative: after loss cover and reserves.
    let surplus = avail;

    // 4. 保底.
    let guarantee_due = match &w.guarantee {
        None => 0,
        Some(g) => {
            let (_, num, den) = g.terms();
            let total = class_weight(g.class());
            // Unit-days are units × days: divide by the days of the year to get back to a
            // year's worth, so a half-year joiner is due half.
            let den = if w.time_weighted {
                den * i128::from(days_in_year(w.year))
            } else {
                den
            };
            to_i64((total * num).div_euclid(den))?
        }
    };
    let guarantee_from_profit = guarantee_due.min(avail);
    avail -= guarantee_from_profit;
    let guarantee_from_reserves = if w.guarantee_from_reserves {
        (guarantee_due - guarantee_from_profit).min(input.reserves_available.0)
    } else {
        0
    };
    let guarantee_unpaid = guarantee_due - guarantee_from_profit - guarantee_from_reserves;

    // 5. Operator incentive.
    let incentive = match &w.incentive {
        None => 0,
        Some(inc) => {
            let base = match inc.base {
                IncentiveBase::Profit => n.max(0),
                IncentiveBase::Increment { prior_net_income } => {
                    n.saturating_sub(prior_net_income.0).max(0)
                }
            };
            inc.rate
                .of_floor(base)
                .min(inc.cap.map_or(i64::MAX, |c| c.0))
                .min(avail)
                .max(0)
        }
    };
    avail -= incentive;

    // 6. Residual: distributed and retained for development.
    let residual = avail;
    let distributed = w.distribute.of_floor(residual);
    let mut undistributed = residual - distributed;

    if entity.kind() == EntityKind::Cooperative && surplus > 0 {
        let patronage = i128::from(patronage_bp(entity, &w.class_split));
        let refund_e8 = i128::from(residual) * i128::from(w.distribute.get()) * patronage;
        let full_e8 = i128::from(BP_FULL) * i128::from(BP_FULL);
        if refund_e8 * 10 < i128::from(surplus) * 6 * full_e8 {
            return Err(DomainError::new(
                "patronage_below_60",
                "waterfall",
                format!(
                    "按交易量（额）返还 {} 元，仅占可分配盈余 {} 元的 {}，低于《农民专业合作社法》规定的 60%：请降低保底或经营者激励",
                    Fen(to_i64(refund_e8 / full_e8)?).yuan_string(),
                    Fen(surplus).yuan_string(),
                    percent_2(refund_e8, i128::from(surplus) * full_e8)
                ),
            ));
        }
    }

    // 7. Between classes, then within each class.
    let split_weights: Vec<i64> = w.class_split.iter().map(|(_, b)| b.get()).collect();
    let pools = largest_remainder(distributed, &split_weights);
    // Every holder with a weight, and the operator: one payout each, in ascending holder id.
    // A sorted list searched by halving rather than a map: at 100,000 members the map's
    // entries were a large part of the time (docs/benchmarks.md).
    let mut payees: Vec<HolderId> = weights
        .values()
        .flat_map(|hs| hs.iter().map(|(h, _)| *h))
        .chain(w.incentive.as_ref().map(|inc| inc.operator))
        .collect();
    payees.sort_unstable();
    payees.dedup();
    let mut parts: Vec<Vec<PayoutPart>> = vec![Vec::new(); payees.len()];
    // Always found: `payees` lists every weighted holder and the operator.
    let slot = |h: HolderId| match payees.binary_search(&h) {
        Ok(i) | Err(i) => i,
    };
    // Returns the fen placed by the remainder rule, for the audit row.
    let mut pay_class = |source: Source, class: ClassId, amount: i64| -> i64 {
        let hs = weights.get(&class).map(Vec::as_slice).unwrap_or(&[]);
        let ws: Vec<i64> = hs.iter().map(|(_, x)| *x).collect();
        let sum: i128 = ws.iter().map(|x| i128::from(*x)).sum();
        let mut leftover = 0;
        for ((h, weight), a) in hs.iter().zip(largest_remainder(amount, &ws)) {
            let floor = (i128::from(amount) * i128::from(*weight)).div_euclid(sum.max(1));
            let remainder_fen = (i128::from(a) - floor) as i64;
            leftover += remainder_fen;
            parts[slot(*h)].push(PayoutPart {
                source,
                class: Some(class),
                weight: *weight,
                amount: Fen(a),
                remainder_fen,
            });
        }
        leftover
    };
    if let Some(g) = &w.guarantee {
        pay_class(
            Source::Guarantee,
            g.class(),
            guarantee_from_profit + guarantee_from_reserves,
        );
    }
    let mut class_pools = Vec::new();
    for (&(class, split), &pool) in w.class_split.iter().zip(&pools) {
        let total_weight = to_i64(class_weight(class))?;
        let leftover_fen = if total_weight == 0 {
            // Nobody holds this class at year end: its pool stays with the entity.
            undistributed += pool;
            0
        } else {
            pay_class(Source::Dividend, class, pool)
        };
        class_pools.push(ClassPool {
            class,
            split,
            pool: Fen(pool),
            total_weight,
            leftover_fen,
        });
    }
    if let Some(inc) = &w.incentive {
        parts[slot(inc.operator)].push(PayoutPart {
            source: Source::Incentive,
            class: None,
            weight: 1,
            amount: Fen(incentive),
            remainder_fen: 0,
        });
    }
    let payouts: Vec<Payout> = payees
        .iter()
        .zip(parts)
        .map(|(&holder, parts)| Payout {
            holder,
            amount: parts.iter().map(|p| p.amount).sum(),
            parts,
        })
        .collect();
    let paid: i64 = payouts.iter().map(|p| p.amount.0).sum();
    let retained = n - paid;
    debug_assert_eq!(
        retained,
        loss_cover + reserve + welfare + undistributed - guarantee_from_reserves + n.min(0)
    );

    let step = |code, label: &str, amount, rounding| Step {
        code,
        label: label.to_string(),
        amount: Fen(amount),
        rounding,
    };
    let mut steps = vec![
        step("net_income", "净收益", n, Rounding::Exact),
        step("prior_loss", "上期结转亏损", prior, Rounding::Exact),
        step(
            "loss_cover",
            "弥补以前年度亏损",
            loss_cover,
            Rounding::Exact,
        ),
        step("reserve", "提取公积金", reserve, Rounding::Floor),
        step("welfare", "提取公益金", welfare, Rounding::Floor),
        step(
            "guarantee_due",
            "应付保底收益",
            guarantee_due,
            Rounding::Floor,
        ),
        step(
            "guarantee_from_profit",
            "当年收益支付保底",
            guarantee_from_profit,
            Rounding::Exact,
        ),
        step(
            "guarantee_from_reserves",
            "动用公积金支付保底",
            guarantee_from_reserves,
            Rounding::Exact,
        ),
        step("incentive", "经营者激励", incentive, Rounding::Floor),
        step("residual", "剩余收益", residual, Rounding::Exact),
        step(
            "distributed",
            "剩余收益分配额",
            distributed,
            Rounding::Floor,
        ),
    ];
    for p in &class_pools {
        let name = entity.class(p.class).map_or("", |c| c.name.as_str());
        steps.push(step(
            "class_pool",
            &format!("类别分配：{name}"),
            p.pool.0,
            Rounding::LargestRemainder,
        ));
    }
    steps.push(step(
        "undistributed",
        "留存发展（未分配）",
        undistributed,
        Rounding::Exact,
    ));
    steps.push(step(
        "paid",
        "股东分配额合计",
        paid,
        Rounding::LargestRemainder,
    ));
    steps.push(step("retained", "本期留存", retained, Rounding::Exact));
    steps.push(step(
        "loss_carried_forward",
        "结转下期亏损",
        loss_carried_forward,
        Rounding::Exact,
    ));

    Ok(Distribution {
        year: w.year,
        net_income: Fen(n),
        prior_loss: Fen(prior),
        loss_cover: Fen(loss_cover),
        reserve: Fen(reserve),
        welfare: Fen(welfare),
        guarantee_due: Fen(guarantee_due),
        guarantee_from_profit: Fen(guarantee_from_profit),
        guarantee_from_reserves: Fen(guarantee_from_reserves),
        guarantee_unpaid: Fen(guarantee_unpaid),
        incentive: Fen(incentive),
        residual: Fen(residual),
        distributed: Fen(distributed),
        undistributed: Fen(undistributed),
        retained: Fen(retained),
        loss_carried_forward: Fen(loss_carried_forward),
        class_pools,
        payouts,
        steps,
    })
}

fn days_in_year(year: i32) -> i64 {
    if time::util::is_leap_year(year) {
        366
    } else {
        365
    }
}

/// A waterfall as typed in the form; percentages as `10` or `6.25`, amounts in yuan.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WaterfallDraft {
    #[serde(default)]
    pub year: i32,
    #[serde(default)]
    pub cover_prior_losses: bool,
    #[serde(default)]
    pub reserve_percent: String,
    #[serde(default)]
    pub welfare_percent: String,
    /// "" (none), percent_of_capital / 按出资比例, per_share / 每股, per_mu / 每亩,
    /// deposit_multiple / 存款利率倍数.
    #[serde(default)]
    pub guarantee_kind: String,
    #[serde(default)]
    pub guarantee_class: i64,
    /// The % of capital, or the deposit rate.
    #[serde(default)]
    pub guarantee_rate_percent: String,
    /// Yuan per share or per 亩.
    #[serde(default)]
    pub guarantee_amount: String,
    /// The deposit-rate multiple, e.g. `1.12` (up to six decimals).
    #[serde(default)]
    pub guarantee_multiple: String,
    #[serde(default)]
    pub guarantee_from_reserves: bool,
    /// 0: no incentive.
    #[serde(default)]
    pub incentive_operator: i64,
    #[serde(default)]
    pub incentive_percent: String,
    /// Pay the incentive on the increase over `incentive_prior_income` (元) rather than on profit.
    #[serde(default)]
    pub incentive_on_increment: bool,
    #[serde(default)]
    pub incentive_prior_income: String,
    /// 元; empty: no cap.
    #[serde(default)]
    pub incentive_cap: String,
    #[serde(default)]
    pub distribute_percent: String,
    /// (class id, percent); empty: the entity's own split.
    #[serde(default)]
    pub class_split: Vec<(i64, String)>,
    #[serde(default)]
    pub time_weighted: bool,
}

const GUARANTEE_KEYS: [&str; 4] = [
    "percent_of_capital",
    "per_share",
    "per_mu",
    "deposit_multiple",
];
const GUARANTEE_LABELS: [&str; 4] = ["按出资比例", "每股", "每亩", "存款利率倍数"];

impl WaterfallDraft {
    pub fn parse(&self, entity: &EntitySpec) -> Result<Waterfall, Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut pct = |s: &str, field: &str, what: &str, empty_zero: bool| -> Bp {
            if empty_zero && s.trim().is_empty() {
                return Bp::ZERO;
            }
            Bp::parse_percent(s, field, what).unwrap_or_else(|e| {
                errors.push(e);
                Bp::ZERO
            })
        };
        let reserve = pct(&self.reserve_percent, "reserve_percent", "公积金比例", true);
        let welfare = pct(&self.welfare_percent, "welfare_percent", "公益金比例", true);
        let distribute = pct(
            &self.distribute_percent,
            "distribute_percent",
            "剩余收益分配比例",
            false,
        );
        let class_split: Vec<(ClassId, Bp)> = if self.class_split.is_empty() {
            entity.classes().iter().map(|c| (c.id, c.split)).collect()
        } else {
            self.class_split
                .iter()
                .enumerate()
                .map(|(i, (c, p))| {
                    (
                        ClassId(*c),
                        pct(p, &format!("class_split[{i}]"), "类别分配比例", false),
                    )
                })
                .collect()
        };
        let guarantee_rate = if self.guarantee_rate_percent.trim().is_empty() {
            Bp::ZERO
        } else {
            pct(
                &self.guarantee_rate_percent,
                "guarantee_rate_percent",
                "保底比例",
                false,
            )
        };
        let yuan =
            |s: &str, field: &str, what: &str, errors: &mut Vec<DomainError>| -> Option<Fen> {
                match Fen::parse_yuan(s) {
                    Ok(f) if f.0 >= 0 => Some(f),
                    _ => {
                        errors.push(DomainError::new(
                            "invalid_amount",
                            field,
                            format!(
                                "{what}「{}」无效：应为不小于零的金额（元），最多两位小数",
                                s.trim()
                            ),
                        ));
                        None
                    }
                }
            };
        let class = ClassId(self.guarantee_class);
        let guarantee = if self.guarantee_kind.trim().is_empty() {
            None
        } else {
            match parse_choice(
                &self.guarantee_kind,
                &[0usize, 1, 2, 3],
                |i| GUARANTEE_KEYS[i],
                |i| GUARANTEE_LABELS[i],
            ) {
                None => {
                    errors.push(DomainError::new(
                        "invalid_choice",
                        "guarantee_kind",
                        format!(
                            "保底方式「{}」无效：应为{}之一",
                            self.guarantee_kind.trim(),
                            GUARANTEE_LABELS.join("、")
                        ),
                    ));
                    None
                }
                Some(0) => Some(Guarantee::PercentOfCapital {
                    class,
                    rate: guarantee_rate,
                }),
                Some(1) => yuan(
                    &self.guarantee_amount,
                    "guarantee_amount",
                    "每股保底金额",
                    &mut errors,
                )
                .map(|per_share| Guarantee::PerShare { class, per_share }),
                Some(2) => yuan(
                    &self.guarantee_amount,
                    "guarantee_amount",
                    "每亩保底金额",
                    &mut errors,
                )
                .map(|per_mu| Guarantee::PerMu { class, per_mu }),
                Some(_) => match parse_decimal(&self.guarantee_multiple, 6) {
                    Some(m) if m > 0 => Some(Guarantee::DepositMultiple {
                        class,
                        deposit_rate: guarantee_rate,
                        multiple_ppm: m,
                    }),
                    _ => {
                        errors.push(DomainError::new(
                            "invalid_multiple",
                            "guarantee_multiple",
                            format!(
                                "利率倍数「{}」无效：应为大于零的数，最多六位小数，如 1.12",
                                self.guarantee_multiple.trim()
                            ),
                        ));
                        None
                    }
                },
            }
        };
        let incentive = if self.incentive_operator == 0 {
            None
        } else {
            let rate = Bp::parse_percent(&self.incentive_percent, "incentive_percent", "激励比例")
                .map_err(|e| errors.push(e))
                .ok();
            let base = if self.incentive_on_increment {
                yuan(
                    &self.incentive_prior_income,
                    "incentive_prior_income",
                    "上年净收益",
                    &mut errors,
                )
                .map(|prior_net_income| IncentiveBase::Increment { prior_net_income })
            } else {
                Some(IncentiveBase::Profit)
            };
            let cap = if self.incentive_cap.trim().is_empty() {
                Some(None)
            } else {
                yuan(
                    &self.incentive_cap,
                    "incentive_cap",
                    "激励封顶金额",
                    &mut errors,
                )
                .map(Some)
            };
            match (rate, base, cap) {
                (Some(rate), Some(base), Some(cap)) => Some(Incentive {
                    operator: HolderId(self.incentive_operator),
                    rate,
                    base,
                    cap,
                }),
                _ => None,
            }
        };
        let parts = WaterfallParts {
            year: self.year,
            cover_prior_losses: self.cover_prior_losses,
            reserve,
            welfare,
            guarantee,
            guarantee_from_reserves: self.guarantee_from_reserves,
            incentive,
            distribute,
            class_split,
            time_weighted: self.time_weighted,
        };
        match Waterfall::new(entity, parts) {
            Ok(w) if errors.is_empty() => Ok(w),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests;
