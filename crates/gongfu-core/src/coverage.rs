//! Coverage (全域覆盖): every administrative village must belong to a consortium. Communities
//! are not counted; merged or withdrawn villages stop counting from their effective date.

use crate::village::Division;
use crate::zone::Membership;
use crate::{TownCode, VillageCode};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UncoveredVillage {
    pub code: VillageCode,
    pub name: String,
    pub town: String,
    pub town_code: TownCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownCoverage {
    pub town_code: TownCode,
    pub town: String,
    pub total: usize,
    pub covered: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    pub total: usize,
    pub covered: usize,
    /// Villages in no consortium, ordered by code.
    pub uncovered: Vec<UncoveredVillage>,
    pub by_town: Vec<TownCoverage>,
}

impl CoverageReport {
    /// Coverage in basis points (10000 = 100 %); 0 when there are no villages.
    pub fn share_bp(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            (self.covered as i64 * 10_000) / self.total as i64
        }
    }
}

/// Computes coverage on `day` from the registry and the membership history.
pub fn coverage<'a>(
    divisions: impl IntoIterator<Item = &'a Division>,
    town_names: &BTreeMap<TownCode, String>,
    memberships: &[Membership],
    day: Date,
) -> CoverageReport {
    let covered_codes: HashSet<&VillageCode> = memberships
        .iter()
        .filter(|m| m.is_current_on(day))
        .map(|m| &m.village)
        .collect();
    let mut by_town: BTreeMap<&TownCode, TownCoverage> = BTreeMap::new();
    let mut uncovered = Vec::new();
    let mut total = 0;
    let mut covered = 0;
    let mut counted: Vec<&Division> = divisions
        .into_iter()
        .filter(|d| d.counts_for_coverage_on(day))
        .collect();
    counted.sort_by(|a, b| a.code.cmp(&b.code));
    for d in counted {
        let town_name = town_names.get(&d.town).cloned().unwrap_or_default();
        let entry = by_town.entry(&d.town).or_insert_with(|| TownCoverage {
            town_code: d.town.clone(),
            town: town_name.clone(),
            total: 0,
            covered: 0,
        });
        total += 1;
        entry.total += 1;
        if covered_codes.contains(&d.code) {
            covered += 1;
            entry.covered += 1;
        } else {
            uncovered.push(UncoveredVillage {
                code: d.code.clone(),
                name: d.name.clone(),
                town: town_name,
                town_code: d.town.clone(),
            });
        }
    }
    CoverageReport {
        total,
        covered,
        uncovered,
        by_town: by_town.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ZoneId;
    use crate::village::{DivisionKind, VillageStatus};
    use crate::zone::MemberRole;
    use proptest::prelude::*;
    use time::macros::date;

    fn division(i: u32, town: u32, kind: DivisionKind, status: VillageStatus) -> Division {
        Division {
            code: VillageCode::parse(&format!("3306031{town:02}{i:03}")).unwrap(),
            town: TownCode::parse(&format!("3306031{town:02}")).unwrap(),
            name: format!("村{i}"),
            kind,
            status,
        }
    }

    fn member(code: &VillageCode, from: Date, to: Option<Date>) -> Membership {
        Membership {
            zone: ZoneId(1),
            village: code.clone(),
            role: MemberRole::Linked,
            from,
            to,
        }
    }

    #[test]
    fn communities_and_merged_villages_are_left_out_of_the_count() {
        let ds = vec![
            division(1, 5, DivisionKind::Village, VillageStatus::Active),
            division(2, 5, DivisionKind::Community, VillageStatus::Active),
            division(
                3,
                5,
                DivisionKind::Village,
                VillageStatus::Withdrawn {
                    from: date!(2024 - 06 - 01),
                },
            ),
        ];
        let r = coverage(&ds, &BTreeMap::new(), &[], date!(2025 - 01 - 01));
        assert_eq!(r.total, 1);
        let r = coverage(&ds, &BTreeMap::new(), &[], date!(2024 - 01 - 01));
        assert_eq!(r.total, 2);
    }

    #[test]
    fn a_membership_that_ended_no_longer_covers() {
        let ds = vec![
            division(1, 5, DivisionKind::Village, VillageStatus::Active),
            division(2, 5, DivisionKind::Village, VillageStatus::Active),
        ];
        let ms = vec![
            member(
                &ds[0].code,
                date!(2024 - 01 - 01),
                Some(date!(2024 - 12 - 31)),
            ),
            member(&ds[1].code, date!(2024 - 01 - 01), None),
        ];
        let r = coverage(&ds, &BTreeMap::new(), &ms, date!(2025 - 01 - 01));
        assert_eq!((r.total, r.covered), (2, 1));
        assert_eq!(r.uncovered[0].code, ds[0].code);
        assert_eq!(r.share_bp(), 5000);
    }

    proptest! {
        /// Coverage is total: covered + uncovered = total, in the district and in every town,
        /// and the towns add up to the district.
        #[test]
        fn covered_plus_uncovered_is_the_total(
            villages in proptest::collection::vec((0u32..4, any::<bool>(), any::<bool>()), 0..60)
        ) {
            let mut ds = Vec::new();
            let mut ms = Vec::new();
            for (i, (town, is_village, is_member)) in villages.into_iter().enumerate() {
                let kind = if is_village { DivisionKind::Village } else { DivisionKind::Community };
                let d = division(i as u32, town, kind, VillageStatus::Active);
                if is_member { ms.push(member(&d.code, date!(2024 - 01 - 01), None)); }
                ds.push(d);
            }
            let r = coverage(&ds, &BTreeMap::new(), &ms, date!(2025 - 01 - 01));
            prop_assert_eq!(r.covered + r.uncovered.len(), r.total);
            prop_assert_eq!(r.by_town.iter().map(|t| t.total).sum::<usize>(), r.total);
            prop_assert_eq!(r.by_town.iter().map(|t| t.covered).sum::<usize>(), r.covered);
            prop_assert_eq!(r.total, ds.iter().filter(|d| d.kind == DivisionKind::Village).count());
        }
    }
}
