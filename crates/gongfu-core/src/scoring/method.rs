//! The scoring methods (计分方法) of rules.md "Scoring methods": STEP, LIN, COV, REL, GRADE,
//! BIN. Each turns one exact input into points of one rule, floored to 0.01 and kept within
//! `[0, max]`, with a Chinese explanation a reader can recompute by hand.

use super::rubric::{MarkLevel, Unit};
use super::{Mark, Points, pct, pp};
use crate::DomainError;
use serde::{Deserialize, Serialize};

/// One rung of a STEP ladder: `at_least` (in the rule's unit) earns `points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub at_least: i64,
    pub points: Points,
}

/// One tier of a REL comparison: a value of at least `benchmark + margin_bp` earns `points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelTier {
    /// Basis points over the benchmark (100 = 1 个百分点; 0 = at the benchmark).
    pub margin_bp: i64,
    pub points: Points,
}

/// How a rule turns its input into points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Method {
    /// 阶梯计分: the points of the highest threshold reached; below the lowest, 0. Steps in
    /// ascending thresholds with non-decreasing points, the last one the rule's maximum.
    Step { steps: Vec<Step> },
    /// 折算计分: `max × min(1, x / target)`; with a floor `x0`,
    /// `max × clamp((x − x0) / (target − x0), 0, 1)`; with a cut-off, 0 when `x < cutoff`.
    Lin {
        target: i64,
        #[serde(default)]
        floor: Option<i64>,
        #[serde(default)]
        cutoff: Option<i64>,
    },
    /// 覆盖率: `max × covered / total`; when total is 0, full points if `full_if_empty`
    /// (nothing to cover, e.g. a zone without 薄弱村), else 0.
    Cov {
        #[serde(default)]
        full_if_empty: bool,
    },
    /// 对标计分: tiers over the benchmark (e.g. the district average), highest margin first.
    Rel { tiers: Vec<RelTier> },
    /// 等级评定: the mark's share of the maximum (A 100 %, B 70 %, C 40 %, D 0 % by default);
    /// only the listed marks may be given.
    Grade { levels: Vec<MarkLevel> },
    /// 是否: full points for yes, 0 for no.
    Bin,
}

/// Default GRADE shares in basis points: A 100 %, B 70 %, C 40 %, D 0 %.
pub const DEFAULT_MARK_SHARES: [(Mark, i64); 4] = [
    (Mark::A, 10_000),
    (Mark::B, 7_000),
    (Mark::C, 4_000),
    (Mark::D, 0),
];

/// Covered out of total, both whole numbers, `0 ≤ covered ≤ total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RatioRaw")]
pub struct Ratio {
    covered: i64,
    total: i64,
}

#[derive(Deserialize)]
struct RatioRaw {
    covered: i64,
    total: i64,
}

impl TryFrom<RatioRaw> for Ratio {
    type Error = DomainError;
    fn try_from(r: RatioRaw) -> Result<Ratio, DomainError> {
        Ratio::new(r.covered, r.total)
    }
}

impl Ratio {
    pub fn new(covered: i64, total: i64) -> Result<Ratio, DomainError> {
        if total < 0 || covered < 0 || covered > total {
            return Err(DomainError::new(
                "invalid_ratio",
                "covered",
                format!("覆盖数 {covered} 应在 0 到总数 {total} 之间，总数不能为负"),
            ));
        }
        Ok(Ratio { covered, total })
    }
    pub fn covered(self) -> i64 {
        self.covered
    }
    pub fn total(self) -> i64 {
        self.total
    }
}

/// The value of one rule for one zone or team. Numbers are in the rule's [`Unit`]
/// (basis points, fen, counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    /// STEP and LIN.
    Number(i64),
    /// COV.
    Ratio(Ratio),
    /// REL: the value and its benchmark, both in basis points.
    Compared { value: i64, benchmark: i64 },
    /// GRADE.
    Mark(Mark),
    /// BIN.
    Yes(bool),
}

impl Input {
    /// What kind of input a method expects, in Chinese, for error messages.
    pub(crate) fn expected_by(method: &Method) -> &'static str {
        match method {
            Method::Step { .. } | Method::Lin { .. } => "数值",
            Method::Cov { .. } => "覆盖数与总数",
            Method::Rel { .. } => "本片区值与对标值",
            Method::Grade { .. } => "等级 A/B/C/D",
            Method::Bin => "是 / 否",
        }
    }
    pub(crate) fn fits(&self, method: &Method) -> bool {
        matches!(
            (self, method),
            (Input::Number(_), Method::Step { .. } | Method::Lin { .. })
                | (Input::Ratio(_), Method::Cov { .. })
                | (Input::Compared { .. }, Method::Rel { .. })
                | (Input::Mark(_), Method::Grade { .. })
                | (Input::Yes(_), Method::Bin)
        )
    }
}

/// A method's code, as scorecards record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MethodCode {
    Step,
    Lin,
    Cov,
    Rel,
    Grade,
    Bin,
}

impl MethodCode {
    pub fn as_str(self) -> &'static str {
        match self {
            MethodCode::Step => "STEP",
            MethodCode::Lin => "LIN",
            MethodCode::Cov => "COV",
            MethodCode::Rel => "REL",
            MethodCode::Grade => "GRADE",
            MethodCode::Bin => "BIN",
        }
    }

    /// The method's rounding rule, in Chinese, shown beside the score.
    pub fn rounding(self) -> &'static str {
        match self {
            MethodCode::Step | MethodCode::Rel => "按档取分，不取整；不超过满分",
            MethodCode::Bin => "满分或 0 分，不取整",
            MethodCode::Lin | MethodCode::Cov | MethodCode::Grade => {
                "按比例计分后向下取整到 0.01 分，保证不超过满分、不为负"
            }
        }
    }
}

impl Method {
    pub fn code(&self) -> MethodCode {
        match self {
            Method::Step { .. } => MethodCode::Step,
            Method::Lin { .. } => MethodCode::Lin,
            Method::Cov { .. } => MethodCode::Cov,
            Method::Rel { .. } => MethodCode::Rel,
            Method::Grade { .. } => MethodCode::Grade,
            Method::Bin => MethodCode::Bin,
        }
    }

    /// The method's rounding rule, in Chinese, shown beside the score.
    pub fn rounding(&self) -> &'static str {
        self.code().rounding()
    }

    /// Points of a rule with maximum `max` for `input`, and the explanation. A missing or
    /// mismatched input scores 0 and says so. The result is always within `[0, max]`.
    pub fn apply(&self, max: Points, unit: Unit, input: Option<&Input>) -> (Points, String) {
        let Some(input) = input.filter(|i| i.fits(self)) else {
            return (
                Points::ZERO,
                format!("未填报（应填{}），得 0", Input::expected_by(self)),
            );
        };
        let (p, why) = match (self, input) {
            (Method::Step { steps }, Input::Number(x)) => step(steps, unit, *x),
            (
                Method::Lin {
                    target,
                    floor,
                    cutoff,
                },
                Input::Number(x),
            ) => lin(max, unit, *x, *target, *floor, *cutoff),
            (Method::Cov { full_if_empty }, Input::Ratio(r)) => cov(max, *r, *full_if_empty),
            (Method::Rel { tiers }, Input::Compared { value, benchmark }) => {
                rel(tiers, *value, *benchmark)
            }
            (Method::Grade { levels }, Input::Mark(m)) => grade(max, levels, *m),
            (Method::Bin, Input::Yes(y)) => {
                if *y {
                    (max, format!("是 → {max}"))
                } else {
                    (Points::ZERO, "否 → 0.00".to_string())
                }
            }
            _ => unreachable!("fits() checked the pairing"),
        };
        // The guarantee, whatever the rubric says: never above the maximum, never negative.
        (p.clamp(Points::ZERO, max.max(Points::ZERO)), why)
    }
}

fn step(steps: &[Step], unit: Unit, x: i64) -> (Points, String) {
    match steps.iter().rev().find(|s| x >= s.at_least) {
        Some(s) => (
            s.points,
            format!(
                "{} ≥ {} → {}",
                unit.show(x),
                unit.show(s.at_least),
                s.points
            ),
        ),
        None => {
            let lowest = steps
                .first()
                .map(|s| unit.show(s.at_least))
                .unwrap_or_default();
            (
                Points::ZERO,
                format!("{} 未达最低档 {} → 0.00", unit.show(x), lowest),
            )
        }
    }
}

fn lin(
    max: Points,
    unit: Unit,
    x: i64,
    target: i64,
    floor: Option<i64>,
    cutoff: Option<i64>,
) -> (Points, String) {
    let m = max.short_string();
    if let Some(c) = cutoff
        && x < c
    {
        return (
            Points::ZERO,
            format!("{} < {}，不计分 → 0.00", unit.show(x), unit.show(c)),
        );
    }
    match floor {
        None => {
            let p = max.share_floor(x, target);
            (
                p,
                format!(
                    "{m} × min(1, {} ÷ {}) = {p}",
                    unit.show(x),
                    unit.show(target)
                ),
            )
        }
        Some(x0) => {
            let p = max.share_floor(x.saturating_sub(x0), target.saturating_sub(x0));
            (
                p,
                format!(
                    "{m} × clamp(({} − {}) ÷ ({} − {}), 0, 1) = {p}",
                    unit.show(x),
                    unit.show(x0),
                    unit.show(target),
                    unit.show(x0)
                ),
            )
        }
    }
}

fn cov(max: Points, r: Ratio, full_if_empty: bool) -> (Points, String) {
    let m = max.short_string();
    if r.total == 0 {
        return if full_if_empty {
            (max, format!("无应覆盖对象，按满分计 → {max}"))
        } else {
            (Points::ZERO, "无应覆盖对象 → 0.00".to_string())
        };
    }
    let p = max.share_floor(r.covered, r.total);
    (p, format!("{m} × {} ÷ {} = {p}", r.covered, r.total))
}

fn rel(tiers: &[RelTier], value: i64, benchmark: i64) -> (Points, String) {
    let show_margin = |t: &RelTier| {
        if t.margin_bp == 0 {
            format!("对标值 {}", pct(benchmark))
        } else if t.margin_bp > 0 {
            format!("对标值 {} + {} 个百分点", pct(benchmark), pp(t.margin_bp))
        } else {
            format!("对标值 {} − {} 个百分点", pct(benchmark), pp(-t.margin_bp))
        }
    };
    match tiers
        .iter()
        .find(|t| value >= benchmark.saturating_add(t.margin_bp))
    {
        Some(t) => (
            t.points,
            format!("{} ≥ {} → {}", pct(value), show_margin(t), t.points),
        ),
        None => {
            let low = tiers.last().map(show_margin).unwrap_or_default();
            (Points::ZERO, format!("{} < {} → 0.00", pct(value), low))
        }
    }
}

fn grade(max: Points, levels: &[MarkLevel], m: Mark) -> (Points, String) {
    match levels.iter().find(|l| l.mark == m) {
        Some(l) => {
            let p = max.share_floor(l.share_bp, 10_000);
            (
                p,
                format!(
                    "{} 档：{} × {} = {p}",
                    m.label(),
                    max.short_string(),
                    pct(l.share_bp)
                ),
            )
        }
        None => (
            Points::ZERO,
            format!("等级 {} 不在本指标可评等级内 → 0.00", m.label()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lvl(mark: Mark, share_bp: i64) -> MarkLevel {
        MarkLevel {
            mark,
            share_bp,
            meaning: String::new(),
        }
    }

    #[test]
    fn lin_is_proportional_capped_and_floored() {
        let m = Method::Lin {
            target: 9_000,
            floor: None,
            cutoff: Some(5_000),
        };
        let (p, why) = m.apply(Points::whole(4), Unit::Percent, Some(&Input::Number(7_200)));
        assert_eq!(p, Points(320));
        assert_eq!(why, "4 × min(1, 72% ÷ 90%) = 3.20");
        // 4 × 70/90 = 3.111… → floored to 3.11, never rounded up.
        let (p, _) = m.apply(Points::whole(4), Unit::Percent, Some(&Input::Number(7_000)));
        assert_eq!(p, Points(311));
        let (p, _) = m.apply(
            Points::whole(4),
            Unit::Percent,
            Some(&Input::Number(12_000)),
        );
        assert_eq!(p, Points::whole(4));
        let (p, why) = m.apply(Points::whole(4), Unit::Percent, Some(&Input::Number(4_999)));
        assert_eq!(p, Points::ZERO);
        assert_eq!(why, "49.99% < 50%，不计分 → 0.00");
    }

    #[test]
    fn lin_with_a_floor_clamps_both_ends() {
        let m = Method::Lin {
            target: 1_000,
            floor: Some(0),
            cutoff: None,
        };
        let f = |x| {
            m.apply(Points::whole(4), Unit::Percent, Some(&Input::Number(x)))
                .0
        };
        assert_eq!(f(-500), Points::ZERO);
        assert_eq!(f(0), Points::ZERO);
        assert_eq!(f(450), Points(180));
        assert_eq!(f(2_000), Points::whole(4));
        let m = Method::Lin {
            target: 100,
            floor: Some(40),
            cutoff: None,
        };
        // 3 × (50 − 40) / (100 − 40) = 0.5
        let (p, why) = m.apply(Points::whole(3), Unit::Count, Some(&Input::Number(50)));
        assert_eq!(p, Points(50));
        assert_eq!(
            why,
            "3 × clamp((50 个 − 40 个) ÷ (100 个 − 40 个), 0, 1) = 0.50"
        );
    }

    #[test]
    fn step_takes_the_highest_threshold_reached() {
        let m = Method::Step {
            steps: vec![
                Step {
                    at_least: 2,
                    points: Points::whole(1),
                },
                Step {
                    at_least: 3,
                    points: Points::whole(2),
                },
                Step {
                    at_least: 4,
                    points: Points::whole(3),
                },
            ],
        };
        let f = |x| m.apply(Points::whole(3), Unit::Count, Some(&Input::Number(x)));
        assert_eq!(f(1).0, Points::ZERO);
        assert_eq!(f(1).1, "1 个 未达最低档 2 个 → 0.00");
        assert_eq!(f(3).0, Points::whole(2));
        assert_eq!(f(9).0, Points::whole(3));
        assert_eq!(f(9).1, "9 个 ≥ 4 个 → 3.00");
    }

    #[test]
    fn cov_splits_by_share_and_handles_an_empty_total() {
        let m = Method::Cov {
            full_if_empty: true,
        };
        let r = |c, t| Input::Ratio(Ratio::new(c, t).unwrap());
        let (p, why) = m.apply(Points::whole(2), Unit::Count, Some(&r(2, 3)));
        assert_eq!(p, Points(133));
        assert_eq!(why, "2 × 2 ÷ 3 = 1.33");
        assert_eq!(
            m.apply(Points::whole(2), Unit::Count, Some(&r(0, 0))).0,
            Points::whole(2)
        );
        let strict = Method::Cov {
            full_if_empty: false,
        };
        assert_eq!(
            strict
                .apply(Points::whole(2), Unit::Count, Some(&r(0, 0)))
                .0,
            Points::ZERO
        );
        assert!(Ratio::new(4, 3).is_err());
        assert!(Ratio::new(-1, 3).is_err());
        assert!(serde_json::from_str::<Ratio>(r#"{"covered":5,"total":3}"#).is_err());
    }

    #[test]
    fn rel_compares_with_the_benchmark() {
        let m = Method::Rel {
            tiers: vec![
                RelTier {
                    margin_bp: 100,
                    points: Points::whole(3),
                },
                RelTier {
                    margin_bp: 0,
                    points: Points::whole(2),
                },
            ],
        };
        let f = |v| {
            m.apply(
                Points::whole(3),
                Unit::Percent,
                Some(&Input::Compared {
                    value: v,
                    benchmark: 700,
                }),
            )
        };
        assert_eq!(f(800).0, Points::whole(3));
        assert_eq!(f(800).1, "8% ≥ 对标值 7% + 1 个百分点 → 3.00");
        assert_eq!(f(799).0, Points::whole(2));
        assert_eq!(f(699).0, Points::ZERO);
        assert_eq!(f(699).1, "6.99% < 对标值 7% → 0.00");
    }

    #[test]
    fn grade_uses_the_mark_share_and_refuses_unlisted_marks() {
        let m = Method::Grade {
            levels: vec![lvl(Mark::A, 10_000), lvl(Mark::B, 7_000), lvl(Mark::D, 0)],
        };
        let f = |mk| m.apply(Points::whole(3), Unit::Count, Some(&Input::Mark(mk)));
        assert_eq!(f(Mark::A).0, Points::whole(3));
        assert_eq!(f(Mark::B).0, Points(210));
        assert_eq!(f(Mark::B).1, "B 档：3 × 70% = 2.10");
        assert_eq!(f(Mark::C).0, Points::ZERO);
        assert_eq!(f(Mark::D).0, Points::ZERO);
    }

    #[test]
    fn bin_and_missing_inputs() {
        let (p, _) = Method::Bin.apply(Points::whole(1), Unit::Count, Some(&Input::Yes(true)));
        assert_eq!(p, Points::whole(1));
        let (p, why) = Method::Bin.apply(Points::whole(1), Unit::Count, None);
        assert_eq!(p, Points::ZERO);
        assert_eq!(why, "未填报（应填是 / 否），得 0");
        // A mismatched input is treated as missing, never as a number.
        let (p, _) = Method::Bin.apply(Points::whole(1), Unit::Count, Some(&Input::Number(5)));
        assert_eq!(p, Points::ZERO);
    }
}
