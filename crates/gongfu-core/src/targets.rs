//! Targets (目标任务) as data per year, and progress against them.
//!
//! The policy's targets: in 2025, 2 provincial, 2 municipal and 4 district key zones; by the
//! end of 2027 about 10 district-level zones in all; collective operating income rising
//! markedly; all villages in a consortium.

use crate::money::growth_bp;
use crate::zone::{Designation, Tier};
use crate::{DomainError, Fen, ZoneId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Zones of this tier designated (认定 or 验收) in the year.
    ZonesOfTier(Tier),
    /// Zones of district level or above designated in any year up to this one (累计).
    DistrictZonesCumulative,
    /// Growth of the district's total collective operating income over the previous year, bp.
    OperatingIncomeGrowthBp,
    /// Share of villages in a consortium, bp.
    CoverageBp,
}

impl Metric {
    pub fn key(self) -> String {
        match self {
            Metric::ZonesOfTier(t) => format!("zones_{}", t.as_str()),
            Metric::DistrictZonesCumulative => "district_zones_cumulative".into(),
            Metric::OperatingIncomeGrowthBp => "operating_income_growth_bp".into(),
            Metric::CoverageBp => "coverage_bp".into(),
        }
    }
    pub fn parse(key: &str) -> Result<Metric, DomainError> {
        if let Some(t) = key.strip_prefix("zones_")
            && let Ok(tier) = Tier::parse(t)
        {
            return Ok(Metric::ZonesOfTier(tier));
        }
        match key {
            "district_zones_cumulative" => Ok(Metric::DistrictZonesCumulative),
            "operating_income_growth_bp" => Ok(Metric::OperatingIncomeGrowthBp),
            "coverage_bp" => Ok(Metric::CoverageBp),
            _ => Err(DomainError::new(
                "invalid_metric",
                "metric",
                format!("目标指标「{key}」无效"),
            )),
        }
    }
    pub fn label(self) -> String {
        match self {
            Metric::ZonesOfTier(t) => format!("{}共富片区（个）", t.label()),
            Metric::DistrictZonesCumulative => "区级及以上共富片区累计（个）".into(),
            Metric::OperatingIncomeGrowthBp => "村集体经营性收入增长率".into(),
            Metric::CoverageBp => "联合体全域覆盖率".into(),
        }
    }
    /// Whether values are basis points (shown as %) or counts.
    pub fn is_bp(self) -> bool {
        matches!(self, Metric::OperatingIncomeGrowthBp | Metric::CoverageBp)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub year: i32,
    pub metric: Metric,
    /// Count, or basis points for rates.
    pub value: i64,
    pub note: String,
}

/// The policy's targets, the default a new database starts with.
pub fn policy_targets() -> Vec<Target> {
    let t = |year, metric, value, note: &str| Target {
        year,
        metric,
        value,
        note: note.to_string(),
    };
    vec![
        t(
            2025,
            Metric::ZonesOfTier(Tier::Provincial),
            2,
            "2025年争创省级共富片区2个",
        ),
        t(
            2025,
            Metric::ZonesOfTier(Tier::Municipal),
            2,
            "2025年争创市级共富片区2个",
        ),
        t(
            2025,
            Metric::ZonesOfTier(Tier::DistrictKey),
            4,
            "2025年建设区级重点片区4个",
        ),
        t(
            2025,
            Metric::CoverageBp,
            10_000,
            "213个行政村全域化布局到乡村共富联合体",
        ),
        t(
            2025,
            Metric::OperatingIncomeGrowthBp,
            1_000,
            "村集体经济年经营性收入显著增长（暂按10%）",
        ),
        t(
            2027,
            Metric::DistrictZonesCumulative,
            10,
            "到2027年底累计打造10个左右区级共富片区",
        ),
        t(
            2027,
            Metric::OperatingIncomeGrowthBp,
            1_000,
            "村集体经济年经营性收入显著增长（暂按10%）",
        ),
    ]
}

/// The facts a target is measured against.
#[derive(Debug, Clone, Default)]
pub struct TargetFacts {
    pub designations: Vec<(ZoneId, Designation)>,
    /// District total operating income per data year (counted villages only).
    pub income_totals: BTreeMap<i32, Fen>,
    /// Coverage share today, bp.
    pub coverage_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub target: Target,
    /// `None` when the facts cannot say yet (no income data for the year).
    pub actual: Option<i64>,
    pub met: bool,
}

pub fn actual(metric: Metric, year: i32, facts: &TargetFacts) -> Option<i64> {
    match metric {
        Metric::ZonesOfTier(tier) => Some(
            facts
                .designations
                .iter()
                .filter(|(_, d)| d.year == year && d.tier == tier && d.status.counts())
                .map(|(z, _)| *z)
                .collect::<BTreeSet<_>>()
                .len() as i64,
        ),
        Metric::DistrictZonesCumulative => Some(
            facts
                .designations
                .iter()
                .filter(|(_, d)| {
                    d.year <= year && d.tier.is_district_or_above() && d.status.counts()
                })
                .map(|(z, _)| *z)
                .collect::<BTreeSet<_>>()
                .len() as i64,
        ),
        Metric::OperatingIncomeGrowthBp => {
            let now = facts.income_totals.get(&year)?;
            let before = facts.income_totals.get(&(year - 1))?;
            growth_bp(*before, *now)
        }
        Metric::CoverageBp => Some(facts.coverage_bp),
    }
}

pub fn progress(targets: &[Target], facts: &TargetFacts) -> Vec<Progress> {
    targets
        .iter()
        .map(|t| {
            let a = actual(t.metric, t.year, facts);
            Progress {
                target: t.clone(),
                actual: a,
                met: a.is_some_and(|v| v >= t.value),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::DesignationStatus;

    fn des(z: i64, year: i32, tier: Tier, status: DesignationStatus) -> (ZoneId, Designation) {
        (ZoneId(z), Designation { year, tier, status })
    }

    #[test]
    fn only_recognised_or_accepted_designations_count() {
        let facts = TargetFacts {
            designations: vec![
                des(1, 2025, Tier::Provincial, DesignationStatus::Recognised),
                des(2, 2025, Tier::Provincial, DesignationStatus::Applied),
                des(3, 2025, Tier::Provincial, DesignationStatus::Exited),
            ],
            ..Default::default()
        };
        assert_eq!(
            actual(Metric::ZonesOfTier(Tier::Provincial), 2025, &facts),
            Some(1)
        );
    }

    #[test]
    fn the_cumulative_count_counts_each_zone_once_and_skips_cultivating() {
        let facts = TargetFacts {
            designations: vec![
                des(1, 2025, Tier::District, DesignationStatus::Recognised),
                des(1, 2026, Tier::DistrictKey, DesignationStatus::Accepted),
                des(2, 2026, Tier::Cultivating, DesignationStatus::Recognised),
                des(3, 2028, Tier::District, DesignationStatus::Recognised),
            ],
            ..Default::default()
        };
        assert_eq!(
            actual(Metric::DistrictZonesCumulative, 2027, &facts),
            Some(1)
        );
    }

    #[test]
    fn income_growth_needs_both_years() {
        let mut facts = TargetFacts::default();
        facts.income_totals.insert(2024, Fen(1_000_000));
        assert_eq!(actual(Metric::OperatingIncomeGrowthBp, 2025, &facts), None);
        facts.income_totals.insert(2025, Fen(1_120_000));
        let p = progress(&policy_targets(), &facts);
        let growth = p
            .iter()
            .find(|p| p.target.year == 2025 && p.target.metric == Metric::OperatingIncomeGrowthBp)
            .unwrap();
        assert_eq!(growth.actual, Some(1200));
        assert!(growth.met);
    }

    #[test]
    fn metric_keys_round_trip() {
        for t in policy_targets() {
            assert_eq!(Metric::parse(&t.metric.key()).unwrap(), t.metric);
        }
    }
}
