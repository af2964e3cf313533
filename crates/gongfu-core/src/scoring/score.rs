//! The pure scoring of one zone or team against a rubric ([`score`]), the ranking of a year's
//! scorecards with year-on-year change ([`rank`]).

use super::method::{Input, MethodCode};
use super::rubric::{Combine, Rubric, RubricKind, Source};
use super::{Points, Rating};
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything one zone or team brings to the scoring: rule values by rule key, occurrences of
/// bonus and penalty items by item ID, and the veto items found. Counts are unsigned, so a
/// negative count cannot be written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    #[serde(default)]
    pub values: BTreeMap<String, Input>,
    #[serde(default)]
    pub bonus: BTreeMap<String, u32>,
    #[serde(default)]
    pub penalties: BTreeMap<String, u32>,
    #[serde(default)]
    pub vetoes: BTreeSet<String>,
}

impl Inputs {
    /// Refuses keys the rubric does not know and values of the wrong kind (a missing value is
    /// allowed: it scores 0 and the scorecard says 未填报).
    pub fn check(&self, rubric: &Rubric) -> Result<(), Vec<DomainError>> {
        let mut errs = Vec::new();
        for (k, v) in &self.values {
            match rubric.rules().find(|(_, _, r)| &r.key == k) {
                None => errs.push(DomainError::new(
                    "unknown_key",
                    format!("values.{k}"),
                    format!("评分细则中没有规则「{k}」"),
                )),
                Some((_, ind, r)) if !v.fits(&r.method) => errs.push(DomainError::new(
                    "wrong_kind",
                    format!("values.{k}"),
                    format!(
                        "指标 {} 规则「{}」应填{}",
                        ind.id,
                        r.label,
                        Input::expected_by(&r.method)
                    ),
                )),
                Some(_) => {}
            }
        }
        for k in self.bonus.keys() {
            if !rubric.bonus.iter().any(|b| &b.id == k) {
                errs.push(DomainError::new(
                    "unknown_key",
                    format!("bonus.{k}"),
                    format!("评分细则中没有加分项「{k}」"),
                ));
            }
        }
        for k in self.penalties.keys() {
            if !rubric.penalties.iter().any(|b| &b.id == k) {
                errs.push(DomainError::new(
                    "unknown_key",
                    format!("penalties.{k}"),
                    format!("评分细则中没有扣分项「{k}」"),
                ));
            }
        }
        for k in &self.vetoes {
            if !rubric.vetoes.iter().any(|b| &b.id == k) {
                errs.push(DomainError::new(
                    "unknown_key",
                    format!("vetoes.{k}"),
                    format!("评分细则中没有否决项「{k}」"),
                ));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// One rule's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleScore {
    pub key: String,
    pub label: String,
    pub method: MethodCode,
    pub source: Source,
    pub value: Option<Input>,
    pub max: Points,
    pub points: Points,
    /// E.g. 「4 × min(1, 72% ÷ 90%) = 3.20」.
    pub explanation: String,
}

impl RuleScore {
    /// The method's rounding rule, in Chinese.
    pub fn rounding(&self) -> &'static str {
        self.method.rounding()
    }
}

/// One indicator's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorScore {
    pub id: String,
    pub name: String,
    pub department: String,
    pub evidence_required: bool,
    pub max: Points,
    pub points: Points,
    /// Some rule had no (fitting) value.
    pub missing: bool,
    pub rules: Vec<RuleScore>,
}

/// One dimension's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub max: Points,
    pub points: Points,
    pub indicators: Vec<IndicatorScore>,
}

/// A bonus, penalty or veto item as applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub id: String,
    pub label: String,
    pub count: u32,
    /// After the item's cap and, for bonus items, its exclusive group (veto items: 0).
    pub points: Points,
    /// Why the points differ from count × each, in Chinese; empty when they do not.
    pub note: String,
}

/// The scorecard (评分表) of one zone or team for one rubric version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub kind: RubricKind,
    pub year: i32,
    pub version: u32,
    /// The rubric's total (满分), without bonus.
    pub max: Points,
    pub dimensions: Vec<DimensionScore>,
    /// Σ dimensions (基础分).
    pub base: Points,
    pub bonus: Vec<ItemScore>,
    /// Σ bonus items after their own caps and groups, before the overall cap.
    pub bonus_before_cap: Points,
    /// After the overall cap (加分).
    pub bonus_total: Points,
    pub penalties: Vec<ItemScore>,
    pub penalty_total: Points,
    pub vetoes: Vec<ItemScore>,
    /// `max(0, base + bonus − penalties)`.
    pub total: Points,
    /// 不合格 when vetoed, else the band of `total`.
    pub rating: Rating,
}

impl Scorecard {
    pub fn vetoed(&self) -> bool {
        !self.vetoes.is_empty()
    }
}

/// Scores `inputs` against `rubric`. Pure and total: a missing value scores 0 (and is marked),
/// a rule never leaves `[0, its max]`, an indicator never leaves `[0, its max]` (even if the
/// rubric was not validated), bonus items respect their caps, groups and the overall cap,
/// the total is floored at 0, and any veto makes the rating 不合格.
pub fn score(rubric: &Rubric, inputs: &Inputs) -> Scorecard {
    let dimensions: Vec<DimensionScore> = rubric
        .dimensions
        .iter()
        .map(|d| {
            let indicators: Vec<IndicatorScore> = d
                .indicators
                .iter()
                .map(|ind| {
                    let rules: Vec<RuleScore> = ind
                        .rules
                        .iter()
                        .map(|r| {
                            let value = inputs.values.get(&r.key).copied();
                            let (points, explanation) =
                                r.method.apply(r.max, r.unit, value.as_ref());
                            RuleScore {
                                key: r.key.clone(),
                                label: r.label.clone(),
                                method: r.method.code(),
                                source: r.source,
                                value: value.filter(|v| v.fits(&r.method)),
                                max: r.max,
                                points,
                                explanation,
                            }
                        })
                        .collect();
                    let combined = match ind.combine {
                        Combine::Sum => rules.iter().map(|r| r.points).sum(),
                        Combine::Max => rules.iter().map(|r| r.points).max().unwrap_or_default(),
                    };
                    IndicatorScore {
                        id: ind.id.clone(),
                        name: ind.name.clone(),
                        department: ind.department.clone(),
                        evidence_required: ind.evidence_required,
                        max: ind.max,
                        points: combined.clamp(Points::ZERO, ind.max.max(Points::ZERO)),
                        missing: rules.iter().any(|r| r.value.is_none()),
                        rules,
                    }
                })
                .collect();
            DimensionScore {
                id: d.id.clone(),
                name: d.name.clone(),
                max: d.max,
                points: indicators.iter().map(|i| i.points).sum(),
                indicators,
            }
        })
        .collect();
    let base: Points = dimensions.iter().map(|d| d.points).sum();

    // Bonus: per-item cap, then the exclusive groups keep their best item (the earlier item
    // in rubric order on a tie), then the overall cap.
    let mut bonus: Vec<ItemScore> = rubric
        .bonus
        .iter()
        .map(|b| {
            let count = inputs.bonus.get(&b.id).copied().unwrap_or(0);
            let raw = Points(b.points_each.0.saturating_mul(i64::from(count)));
            let capped = raw.min(b.cap).max(Points::ZERO);
            ItemScore {
                id: b.id.clone(),
                label: b.label.clone(),
                count,
                points: capped,
                note: if capped < raw {
                    format!(
                        "{} 项 × {} = {}，本项上限 {}",
                        count, b.points_each, raw, b.cap
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    for (i, b) in rubric.bonus.iter().enumerate() {
        let Some(g) = &b.group else { continue };
        let best = rubric
            .bonus
            .iter()
            .enumerate()
            .filter(|(_, o)| o.group.as_ref() == Some(g))
            .max_by(|(ia, _), (ib, _)| bonus[*ia].points.cmp(&bonus[*ib].points).then(ib.cmp(ia)))
            .map(|(j, _)| j);
        if best != Some(i) && bonus[i].points > Points::ZERO {
            let winner = best.map(|j| rubric.bonus[j].id.clone()).unwrap_or_default();
            bonus[i].points = Points::ZERO;
            bonus[i].note = format!("与 {winner} 不叠加，取高者");
        }
    }
    let bonus_before_cap: Points = bonus.iter().map(|b| b.points).sum();
    let bonus_total = bonus_before_cap.min(rubric.bonus_cap.max(Points::ZERO));

    let penalties: Vec<ItemScore> = rubric
        .penalties
        .iter()
        .map(|p| {
            let count = inputs.penalties.get(&p.id).copied().unwrap_or(0);
            let raw = Points(p.points_each.0.saturating_mul(i64::from(count)));
            let capped = match p.cap {
                Some(c) => raw.min(c),
                None => raw,
            }
            .max(Points::ZERO);
            ItemScore {
                id: p.id.clone(),
                label: p.label.clone(),
                count,
                points: capped,
                note: if capped < raw {
                    format!(
                        "{} 项 × {} = {}，本项上限 {}",
                        count, p.points_each, raw, capped
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let penalty_total: Points = penalties.iter().map(|p| p.points).sum();

    let vetoes: Vec<ItemScore> = rubric
        .vetoes
        .iter()
        .filter(|v| inputs.vetoes.contains(&v.id))
        .map(|v| ItemScore {
            id: v.id.clone(),
            label: v.label.clone(),
            count: 1,
            points: Points::ZERO,
            note: "一票否决：等次为不合格，不予奖补".to_string(),
        })
        .collect();

    let total = (base + bonus_total - penalty_total).max(Points::ZERO);
    let rating = if vetoes.is_empty() {
        rubric.rating_of(total)
    } else {
        Rating::Fail
    };
    Scorecard {
        kind: rubric.kind,
        year: rubric.year,
        version: rubric.version,
        max: rubric.total,
        dimensions,
        base,
        bonus,
        bonus_before_cap,
        bonus_total,
        penalties,
        penalty_total,
        vetoes,
        total,
        rating,
    }
}

/// A place in the year's ranking, with the change from last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranked {
    /// Zone or team id.
    pub subject: i64,
    /// 1-based; equal (veto, total, base) share a place ("1, 2, 2, 4").
    pub position: usize,
    pub total: Points,
    pub rating: Rating,
    pub vetoed: bool,
    pub last_total: Option<Points>,
    pub last_rating: Option<Rating>,
    /// `total − last_total`.
    pub change: Option<Points>,
}

/// Ranks a year's scorecards. Order (deterministic): not vetoed before vetoed, then total
/// descending, then base score (before bonus and penalties) descending, then id ascending.
/// Entries equal in all but the id share a position. `last_year` gives year-on-year change
/// for the subjects found in it (by id).
pub fn rank(cards: &[(i64, &Scorecard)], last_year: &[(i64, &Scorecard)]) -> Vec<Ranked> {
    let mut order: Vec<&(i64, &Scorecard)> = cards.iter().collect();
    let key = |c: &Scorecard| {
        (
            c.vetoed(),
            std::cmp::Reverse(c.total),
            std::cmp::Reverse(c.base),
        )
    };
    order.sort_by(|a, b| key(a.1).cmp(&key(b.1)).then(a.0.cmp(&b.0)));
    let last: BTreeMap<i64, &Scorecard> = last_year.iter().map(|(i, c)| (*i, *c)).collect();
    let mut out: Vec<Ranked> = Vec::with_capacity(order.len());
    for (i, (id, c)) in order.iter().enumerate() {
        let position = match (i.checked_sub(1).map(|p| order[p]), out.last()) {
            (Some(prev), Some(r)) if key(prev.1) == key(c) => r.position,
            _ => i + 1,
        };
        let l = last.get(id);
        out.push(Ranked {
            subject: *id,
            position,
            total: c.total,
            rating: c.rating,
            vetoed: c.vetoed(),
            last_total: l.map(|l| l.total),
            last_rating: l.map(|l| l.rating),
            change: l.map(|l| c.total - l.total),
        });
    }
    out
}
