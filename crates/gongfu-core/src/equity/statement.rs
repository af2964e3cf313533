//! 股东分配对账单 (a holder's statement): one holder's part of a computed distribution, split by
//! split, with the arithmetic spelled out so a villager can check it with a calculator.
//!
//! Pure and read-only: it reads the [`Distribution`] as it was computed and stored, and
//! never recomputes an amount. Each line's amount is the stored payout part; the pool and the
//! total weight of a split are the sums of every holder's stored parts of that same split, so
//! `floor(pool × weight ÷ total weight) + remainder fen = amount` is shown on the very figures
//! the distribution paid, and the lines add up to the holder's stored payout.

use super::distribution::{Distribution, Source};
use super::entity::{Basis, ClassId, HolderId};
use crate::Fen;
use serde::Serialize;

/// One part of a holder's payout: their share of one split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub source: Source,
    /// The class split; `None` for the operator incentive.
    pub class: Option<ClassId>,
    /// The holder's weight: units, or unit-days (units × days held) when time-weighted; 1 for
    /// the incentive.
    pub weight: i64,
    /// Σ every holder's weight in this split.
    pub total_weight: i64,
    /// The amount split: the class pool (分红), or the 保底 paid on the class.
    pub pool: Fen,
    /// `floor(pool × weight ÷ total_weight)`.
    pub floor_share: Fen,
    /// Fen the largest-remainder rule added (0 or 1): 余数补差.
    pub remainder_fen: i64,
    /// What the holder is paid from this split.
    pub amount: Fen,
}

impl StatementLine {
    /// The line's arithmetic in words and numbers, e.g. 「本类别分配额 1,000.00 元 × 本股东
    /// 500,000.00 元 ÷ 该类别合计 2,000,000.00 元 = 250.00 元」; `basis` is the class's, for
    /// the units.
    pub fn formula(&self, basis: Option<Basis>, time_weighted: bool) -> String {
        if self.source == Source::Incentive {
            return format!(
                "经营者激励 {} 元，全额支付给经营者",
                self.amount.yuan_string()
            );
        }
        let w = |v: i64| match basis {
            Some(b) => b.weight_text(v, time_weighted),
            None => v.to_string(),
        };
        let (pool_label, mine) = match (self.source, time_weighted) {
            (Source::Guarantee, false) => ("本类别保底总额", "本股东持有"),
            (Source::Guarantee, true) => ("本类别保底总额", "本股东持有 × 天数"),
            (_, false) => ("本类别分配额", "本股东持有"),
            (_, true) => ("本类别分配额", "本股东持有 × 天数"),
        };
        let mut s = format!(
            "{pool_label} {} 元 × {mine} {} ÷ 该类别合计 {} = {} 元",
            self.pool.yuan_string(),
            w(self.weight),
            w(self.total_weight),
            self.floor_share.yuan_string(),
        );
        if self.remainder_fen != 0 {
            s.push_str(&format!(
                "（向下取整到分），加余数补差 {} 元 = {} 元",
                Fen(self.remainder_fen).yuan_string(),
                self.amount.yuan_string()
            ));
        } else {
            s.push_str("（向下取整到分）");
        }
        s
    }
}

/// A holder's statement of one distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub holder: HolderId,
    pub year: i32,
    pub time_weighted: bool,
    /// In the payout's order: 保底, then 分红 by class, then the incentive.
    pub lines: Vec<StatementLine>,
    /// 保底部分
    pub guarantee: Fen,
    pub dividend: Fen,
    pub incentive: Fen,
    /// 分配额: Σ lines, equal to the holder's stored payout (zero when not paid this year).
    pub total: Fen,
}

/// The statement of `holder` in `d`. A holder with no payout (none at year end, or a class
/// with nobody weighed) gets an empty statement with a total of zero.
pub fn statement(d: &Distribution, holder: HolderId, time_weighted: bool) -> Statement {
    let split_key = |source: Source, class: Option<ClassId>| (source, class);
    // Pool and total weight per split, from every holder's stored parts.
    let totals = |source: Source, class: Option<ClassId>| -> (i64, i64) {
        d.payouts
            .iter()
            .flat_map(|p| &p.parts)
            .filter(|q| split_key(q.source, q.class) == split_key(source, class))
            .fold((0, 0), |(pool, weight), q| {
                (pool + q.amount.0, weight + q.weight)
            })
    };
    let parts = d
        .payouts
        .iter()
        .find(|p| p.holder == holder)
        .map(|p| p.parts.as_slice())
        .unwrap_or(&[]);
    let lines: Vec<StatementLine> = parts
        .iter()
        .map(|q| {
            let (pool, total_weight) = totals(q.source, q.class);
            let floor = if total_weight == 0 {
                0
            } else {
                (i128::from(pool) * i128::from(q.weight)).div_euclid(i128::from(total_weight))
                    as i64
            };
            StatementLine {
                source: q.source,
                class: q.class,
                weight: q.weight,
                total_weight,
                pool: Fen(pool),
                floor_share: Fen(floor),
                remainder_fen: q.remainder_fen,
                amount: q.amount,
            }
        })
        .collect();
    let sum = |s: Source| -> Fen {
        lines
            .iter()
            .filter(|l| l.source == s)
            .map(|l| l.amount)
            .sum()
    };
    Statement {
        holder,
        year: d.year,
        time_weighted,
        guarantee: sum(Source::Guarantee),
        dividend: sum(Source::Dividend),
        incentive: sum(Source::Incentive),
        total: lines.iter().map(|l| l.amount).sum(),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equity::distribution::{ClassPool, Payout, PayoutPart};
    use crate::equity::{Bp, HolderId};

    fn part(source: Source, class: Option<i64>, weight: i64, amount: i64, rem: i64) -> PayoutPart {
        PayoutPart {
            source,
            class: class.map(ClassId),
            weight,
            amount: Fen(amount),
            remainder_fen: rem,
        }
    }

    /// 100 fen split 1:1:1 → 34 / 33 / 33; 30 fen of 保底 on holder 1 alone; 5 fen incentive.
    fn sample() -> Distribution {
        let payouts = vec![
            Payout {
                holder: HolderId(1),
                amount: Fen(34 + 30 + 5),
                parts: vec![
                    part(Source::Guarantee, Some(2), 10, 30, 0),
                    part(Source::Dividend, Some(1), 1, 34, 1),
                    part(Source::Incentive, None, 1, 5, 0),
                ],
            },
            Payout {
                holder: HolderId(2),
                amount: Fen(33),
                parts: vec![part(Source::Dividend, Some(1), 1, 33, 0)],
            },
            Payout {
                holder: HolderId(3),
                amount: Fen(33),
                parts: vec![part(Source::Dividend, Some(1), 1, 33, 0)],
            },
        ];
        Distribution {
            year: 2025,
            net_income: Fen(1_000),
            prior_loss: Fen(0),
            loss_cover: Fen(0),
            reserve: Fen(0),
            welfare: Fen(0),
            guarantee_due: Fen(30),
            guarantee_from_profit: Fen(30),
            guarantee_from_reserves: Fen(0),
            guarantee_unpaid: Fen(0),
            incentive: Fen(5),
            residual: Fen(965),
            distributed: Fen(100),
            undistributed: Fen(865),
            retained: Fen(1_000 - 135),
            loss_carried_forward: Fen(0),
            class_pools: vec![ClassPool {
                class: ClassId(1),
                split: Bp::FULL,
                pool: Fen(100),
                total_weight: 3,
                leftover_fen: 1,
            }],
            payouts,
            steps: vec![],
        }
    }

    #[test]
    fn a_statement_shows_the_stored_parts_and_their_arithmetic() {
        let d = sample();
        let s = statement(&d, HolderId(1), false);
        assert_eq!(s.total, Fen(69));
        assert_eq!(
            (s.guarantee, s.dividend, s.incentive),
            (Fen(30), Fen(34), Fen(5))
        );
        let div = &s.lines[1];
        assert_eq!(
            (div.pool, div.total_weight, div.floor_share),
            (Fen(100), 3, Fen(33))
        );
        assert_eq!(div.floor_share.0 + div.remainder_fen, div.amount.0);
        let f = div.formula(Some(Basis::Equal), false);
        assert!(
            f.contains("本类别分配额 1.00 元 × 本股东持有 1 份 ÷ 该类别合计 3 份 = 0.33 元"),
            "{f}"
        );
        assert!(f.contains("余数补差 0.01 元 = 0.34 元"), "{f}");
        let g = s.lines[0].formula(Some(Basis::Capital), true);
        assert!(
            g.contains("本类别保底总额 0.30 元") && g.contains("元·天"),
            "{g}"
        );
        assert!(
            s.lines[2]
                .formula(None, false)
                .contains("经营者激励 0.05 元")
        );
    }

    #[test]
    fn every_statement_adds_up_to_the_payouts() {
        let d = sample();
        let sum: i64 = (1..=4)
            .map(|h| statement(&d, HolderId(h), false).total.0)
            .sum();
        assert_eq!(sum, d.total_paid().0);
        let nobody = statement(&d, HolderId(4), false);
        assert!(nobody.lines.is_empty());
        assert_eq!(nobody.total, Fen::ZERO);
    }
}
