//! Benefit sharing (利益共享): who holds which shares of a joint company or co-operative, and
//! how its yearly income is distributed, to the fen.
//!
//! The policy asks villages, enterprises and villagers to put money or resources into joint
//! projects for quantified shares (资源变股权、农民变股东) and to distribute income by clear
//! rules. Three pure parts:
//!
//! - [`entity`]: the entity (强村公司, 片区平台公司, 股份经济合作社, 合作社), its holders and its
//!   share classes, each with a weight basis, and the split between classes in basis points;
//! - [`register`]: approved change requests become immutable numbered register lines, and the
//!   holdings as of any date are replayed from them;
//! - [`distribution`]: the yearly waterfall, from net income to every holder's payout in fen;
//! - [`statement`]: one holder's 对账单 of a stored distribution, with its arithmetic.
//!
//! Money is integer fen and rates are basis points or parts per million: a payout sheet that is
//! off by a fen cannot be published, so no step ever goes through f64.

pub mod distribution;
pub mod entity;
pub mod register;
pub mod statement;

pub use distribution::{
    Distribution, DistributionInput, Guarantee, Incentive, IncentiveBase, Payout, Waterfall,
    WaterfallDraft, WaterfallParts, distribute,
};
pub use entity::{
    Basis, ClassId, ClassKind, EntityDraft, EntityKind, EntitySpec, Holder, HolderDraft, HolderId,
    HolderKind, ShareClass,
};
pub use register::{
    Change, ChangeRequest, ChangeRequestDraft, Holdings, RegisterLine, approve, paid_in_capital,
    replay, year_holdings,
};
pub use statement::{Statement, StatementLine, statement};

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// 10,000 basis points make 100 %.
pub const BP_FULL: i64 = 10_000;
/// 1,000,000 parts per million make 1×.
pub const PPM_FULL: i64 = 1_000_000;

/// A share of a whole in basis points (基点, 1 bp = 0.01 %), from 0 to 10,000 (100 %).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Bp(i64);

impl Bp {
    pub const ZERO: Bp = Bp(0);
    pub const FULL: Bp = Bp(BP_FULL);

    pub fn new(v: i64) -> Option<Bp> {
        (0..=BP_FULL).contains(&v).then_some(Bp(v))
    }
    pub fn get(self) -> i64 {
        self.0
    }
    /// `floor(amount × self / 10,000)` in i128, so no product overflows. Floor, because the
    /// fraction of a fen a step cannot pay stays in the amount passed on to the next step.
    pub fn of_floor(self, amount: i64) -> i64 {
        (i128::from(amount) * i128::from(self.0)).div_euclid(i128::from(BP_FULL)) as i64
    }
    /// Parses a percentage as a person writes it — `40`, `37.5`, `6.25%`, `６` — into basis
    /// points. At most two decimals (0.01 % = 1 bp); more would be refused, not rounded.
    pub fn parse_percent(s: &str, field: &str, what: &str) -> Result<Bp, DomainError> {
        let t = s.trim();
        let err = |why: &str| {
            DomainError::new(
                "invalid_percent",
                field,
                format!("{what}「{t}」无效：{why}"),
            )
        };
        let v = parse_decimal(t.trim_end_matches(['%', '％']), 2)
            .ok_or_else(|| err("应为 0 到 100 之间的百分数，最多两位小数"))?;
        Bp::new(v).ok_or_else(|| err("应在 0% 到 100% 之间"))
    }
}

impl TryFrom<i64> for Bp {
    type Error = DomainError;
    fn try_from(v: i64) -> Result<Bp, DomainError> {
        Bp::new(v).ok_or_else(|| {
            DomainError::new(
                "out_of_range",
                "bp",
                format!("基点 {v} 应在 0 到 10000 之间"),
            )
        })
    }
}
impl From<Bp> for i64 {
    fn from(b: Bp) -> i64 {
        b.0
    }
}

/// Parses a non-negative decimal with at most `decimals` decimals into an integer scaled by
/// `10^decimals` (`"12.5"`, 2 → 1250). Full-width digits and thousands commas are accepted
/// because people paste them from Word and WPS.
pub(crate) fn parse_decimal(s: &str, decimals: usize) -> Option<i64> {
    let n: String = s
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            other => other,
        })
        .collect();
    let (int, frac) = n.split_once('.').unwrap_or((n.as_str(), ""));
    if (int.is_empty() && frac.is_empty())
        || frac.len() > decimals
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i64.checked_pow(decimals as u32)?;
    let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..decimals {
        f *= 10;
    }
    i.checked_mul(scale)?.checked_add(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_to_basis_points_exactly() {
        assert_eq!(Bp::parse_percent("40", "f", "比例").unwrap(), Bp(4000));
        assert_eq!(Bp::parse_percent("37.5%", "f", "比例").unwrap(), Bp(3750));
        assert_eq!(Bp::parse_percent("６.２５", "f", "比例").unwrap(), Bp(625));
        let e = Bp::parse_percent("12.345", "f", "比例").unwrap_err();
        assert!(e.message.contains("两位小数"));
        assert!(Bp::parse_percent("101", "f", "比例").is_err());
        assert!(Bp::parse_percent("-1", "f", "比例").is_err());
        assert!(Bp::parse_percent("", "f", "比例").is_err());
    }

    #[test]
    fn a_basis_point_share_floors() {
        assert_eq!(Bp(1000).of_floor(300_000_000), 30_000_000);
        assert_eq!(Bp(3333).of_floor(100), 33);
        assert_eq!(Bp(FULL_TEST).of_floor(i64::MAX / 2), i64::MAX / 2);
    }
    const FULL_TEST: i64 = BP_FULL;

    #[test]
    fn decimals_scale_exactly() {
        assert_eq!(parse_decimal("12.5", 2), Some(1250));
        assert_eq!(parse_decimal("1,000", 0), Some(1000));
        assert_eq!(parse_decimal("1.12", 6), Some(1_120_000));
        assert_eq!(parse_decimal("1.234", 2), None);
        assert_eq!(parse_decimal("-1", 2), None);
    }
}
