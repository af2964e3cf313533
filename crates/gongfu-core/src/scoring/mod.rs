//! Scoring and awards (四联四共评分与奖补, issue 9): the rubric (评分细则), the pure scoring
//! engine, ranking, and the award allocation. No I/O: the store keeps rubric versions as JSON
//! and hands the engine plain inputs.
//!
//! **Exact numbers.** Points are [`Points`], integer hundredths of a point (rules.md: "store
//! each indicator score to 2 decimals, show totals to 1 decimal"). Indicator values are exact
//! integers in the rule's [`Unit`]: percentages in basis points (1 = 0.01 %, so 72 % = 7,200),
//! money in fen, counts, persons, items and m² as whole numbers; coverage is an integer
//! `covered / total` pair ([`Ratio`]); a comparison with a benchmark carries both values in
//! basis points. Nothing is a float. Every method floors to 0.01 point, so an indicator never
//! exceeds its maximum and is never negative (see [`Method::rounding`]).
//!
//! **Money** is `Fen`; every split of a budget goes through `money::largest_remainder`.

mod award;
mod defaults;
pub mod figures;
mod gather;
pub mod method;
pub mod params;
mod rubric;
mod score;

#[cfg(test)]
mod tests;

pub use award::{
    AwardInput, AwardResult, Fraction, Shortfall, TeamAward, TeamAwardRules, TeamCandidate,
    ZoneAward, ZoneAwardMode, ZoneAwardRules, ZoneCandidate, allocate,
};
pub use defaults::{default_team_rubric, default_zone_rubric};
pub use gather::{Items, gather};
pub use method::{Input, Method, MethodCode, Ratio, RelTier, Step};
pub use params::{params_text, parse_params, parse_points};
pub use rubric::{
    Band, BonusItem, Combine, Dimension, Figure, Indicator, MarkLevel, PenaltyItem, Rubric,
    RubricKind, Rule, Source, Unit, VetoItem,
};
pub use score::{
    DimensionScore, IndicatorScore, Inputs, ItemScore, Ranked, RuleScore, Scorecard, rank, score,
};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// Points in hundredths (分值，精确到 0.01 分): `Points(320)` is 3.20 points.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Whole points: `Points::whole(4)` is 4.00.
    pub const fn whole(n: i64) -> Points {
        Points(n * 100)
    }

    /// Two decimals, the stored precision: `3.20`.
    pub fn hundredths_string(self) -> String {
        let a = self.0.unsigned_abs();
        format!(
            "{}{}.{:02}",
            if self.0 < 0 { "-" } else { "" },
            a / 100,
            a % 100
        )
    }

    /// One decimal, as totals are shown. Floored (toward zero), not rounded, so a total of
    /// 89.96 shows as 89.9 beside its grade 良好 rather than as a misleading 90.0.
    pub fn one_decimal_string(self) -> String {
        let a = self.0.unsigned_abs() / 10;
        format!("{}{}.{}", if self.0 < 0 { "-" } else { "" }, a / 10, a % 10)
    }

    /// Without trailing zeros, as maxima are written in formulas: `4`, `2.5`, `0.25`.
    pub fn short_string(self) -> String {
        trim_decimals(&self.hundredths_string())
    }

    /// `floor(self × num / den)` in i128, clamped to `[0, self]`; `den > 0`. The one rounding
    /// every proportional method uses: down to 0.01, so a share of the maximum never exceeds it.
    pub(crate) fn share_floor(self, num: i64, den: i64) -> Points {
        if den <= 0 || num <= 0 {
            return Points::ZERO;
        }
        if num >= den {
            return self;
        }
        let v = (i128::from(self.0) * i128::from(num)).div_euclid(i128::from(den));
        Points(v as i64)
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}
impl Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}
impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        Points(iter.map(|p| p.0).sum())
    }
}
impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hundredths_string())
    }
}

/// An assessor's mark for a GRADE indicator (评定等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Mark {
    A,
    B,
    C,
    D,
}

impl Mark {
    pub const ALL: [Mark; 4] = [Mark::A, Mark::B, Mark::C, Mark::D];
    pub fn label(self) -> &'static str {
        match self {
            Mark::A => "A",
            Mark::B => "B",
            Mark::C => "C",
            Mark::D => "D",
        }
    }
}

/// The overall grade of a scorecard (等次). Ordered best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Rating {
    pub fn label(self) -> &'static str {
        match self {
            Rating::Excellent => "优秀",
            Rating::Good => "良好",
            Rating::Pass => "合格",
            Rating::Fail => "不合格",
        }
    }
}

/// Basis points as a percentage without trailing zeros: 7200 → `72%`, 725 → `7.25%`.
pub(crate) fn pct(bp: i64) -> String {
    format!("{}%", pp(bp))
}

/// Basis points as a number of percentage points without the sign: 100 → `1`.
pub(crate) fn pp(bp: i64) -> String {
    let a = bp.unsigned_abs();
    trim_decimals(&format!(
        "{}{}.{:02}",
        if bp < 0 { "-" } else { "" },
        a / 100,
        a % 100
    ))
}

fn trim_decimals(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Fen as 万元 without trailing zeros: 5,000,000,000 fen → `500`, 123,456,789 → `123.456789`.
pub(crate) fn wan(fen: i64) -> String {
    let a = fen.unsigned_abs();
    trim_decimals(&format!(
        "{}{}.{:06}",
        if fen < 0 { "-" } else { "" },
        crate::money::count_string((a / 1_000_000) as i64),
        a % 1_000_000
    ))
}
