//! Demo benefit sharing (利益共享): for the first pilot zones a 片区强村公司 whose holders are
//! the member villages' 股份经济合作社 (均等 40 % / 人口 25 % / 出资 35 %, 保底 6 % on
//! capital), and in the first zone a 合作社 whose members share by trade volume (60 %) and
//! capital (40 %), one of them joining mid-year. Each has its register lines from 2024 and a
//! 2025 distribution to approve. Plausible, clearly fake figures; the same seed gives the same
//! data.

use crate::{DemoDistrict, DivisionRow};
use gongfu_core::equity::{
    Basis, Bp, Change, ClassId, ClassKind, EntityKind, EntitySpec, Guarantee, Holder, HolderId,
    HolderKind, ShareClass, WaterfallParts,
};
use gongfu_core::village::short_name;
use gongfu_core::{Fen, VillageCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};

const STREAM: u64 = 0x5EED_E001_2026_0008;

/// One entity with its register and its 2025 figures. Holder ids in `holders` and `changes`
/// are indexes into `holders`; the store maps them to the ids it assigns.
#[derive(Debug, Clone)]
pub struct DemoEntity {
    /// The pilot zone's name, as in [`crate::DemoZone::name`].
    pub zone: String,
    pub spec: EntitySpec,
    pub holders: Vec<Holder>,
    /// In effective-date order.
    pub changes: Vec<(Date, Change)>,
    pub waterfall: WaterfallParts,
    pub net_income: Fen,
}

#[derive(Debug, Clone, Default)]
pub struct DemoEquity {
    pub entities: Vec<DemoEntity>,
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        .unwrap_or(Date::MIN)
}

fn class(id: i64, name: &str, kind: ClassKind, basis: Basis, split: i64) -> ShareClass {
    ShareClass {
        id: ClassId(id),
        name: name.into(),
        kind,
        basis,
        split: Bp::new(split).unwrap_or(Bp::ZERO),
    }
}

const SURNAMES: &[&str] = &["沈", "王", "陈", "金", "钱", "俞", "傅", "孙", "胡", "赵"];
const GIVEN: &[&str] = &[
    "建国", "美芳", "国平", "小燕", "伟民", "秀英", "立新", "海燕", "志强", "丽娟", "永明", "月琴",
];

/// The demo's entities, in zone order.
pub fn generate_equity(
    divisions: &[DivisionRow],
    district: &DemoDistrict,
    seed: u64,
) -> DemoEquity {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let name_of = |code: &str| {
        divisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| short_name(&d.name))
            .unwrap_or_default()
    };
    let mut out = DemoEquity::default();
    for (zi, zone) in district.pilot_zones.iter().take(3).enumerate() {
        let villages: Vec<VillageCode> = zone
            .members
            .iter()
            .filter_map(|c| VillageCode::parse(c).ok())
            .collect();
        if villages.len() < 2 {
            continue;
        }
        let zone_short = zone
            .name
            .split('·')
            .next()
            .unwrap_or(&zone.name)
            .to_string();
        let Ok(spec) = EntitySpec::new(
            &format!("{zone_short}片区共富强村公司"),
            EntityKind::StrongVillageCompany,
            vec![
                class(1, "均等股", ClassKind::Collective, Basis::Equal, 4000),
                class(2, "人口股", ClassKind::Collective, Basis::Population, 2500),
                class(3, "出资股", ClassKind::Ordinary, Basis::Capital, 3500),
            ],
        ) else {
            continue;
        };
        let holders: Vec<Holder> = villages
            .iter()
            .enumerate()
            .map(|(i, v)| Holder {
                id: HolderId(i as i64),
                name: format!("{}股份经济合作社", name_of(v.as_str())),
                kind: HolderKind::VillageCollective,
                village: Some(v.clone()),
            })
            .collect();
        let mut changes = Vec::new();
        let start = day(2024, 1, 1);
        for h in &holders {
            let persons = rng.random_range(800..3200i64);
            let capital = Fen::from_yuan(rng.random_range(5..30i64) * 100_000);
            changes.push((
                start,
                Change::Subscription {
                    holder: h.id,
                    class: ClassId(1),
                    units: 1,
                    paid: Fen::ZERO,
                },
            ));
            changes.push((
                start,
                Change::Subscription {
                    holder: h.id,
                    class: ClassId(2),
                    units: persons,
                    paid: Fen::ZERO,
                },
            ));
            changes.push((
                start,
                Change::Subscription {
                    holder: h.id,
                    class: ClassId(3),
                    units: capital.0,
                    paid: capital,
                },
            ));
        }
        // 资源变股权: the key village puts in an idle building, valued by a named valuer.
        let valuation = Fen::from_yuan(rng.random_range(8..20i64) * 100_000);
        changes.push((
            day(2024, 6, 18),
            Change::InKind {
                holder: HolderId(0),
                class: ClassId(3),
                units: valuation.0,
                asset: "村集体闲置厂房（改建为共富工坊）".into(),
                valuation,
                valuer: "绍兴某资产评估有限公司（演示）".into(),
            },
        ));
        out.entities.push(DemoEntity {
            zone: zone.name.clone(),
            spec,
            holders,
            changes,
            waterfall: WaterfallParts {
                year: 2025,
                cover_prior_losses: true,
                reserve: Bp::new(1000).unwrap_or(Bp::ZERO),
                welfare: Bp::new(500).unwrap_or(Bp::ZERO),
                guarantee: Some(Guarantee::PercentOfCapital {
                    class: ClassId(3),
                    rate: Bp::new(600).unwrap_or(Bp::ZERO),
                }),
                guarantee_from_reserves: false,
                incentive: None,
                distribute: Bp::new(6000).unwrap_or(Bp::ZERO),
                class_split: vec![
                    (ClassId(1), Bp::new(4000).unwrap_or(Bp::ZERO)),
                    (ClassId(2), Bp::new(2500).unwrap_or(Bp::ZERO)),
                    (ClassId(3), Bp::new(3500).unwrap_or(Bp::ZERO)),
                ],
                time_weighted: false,
            },
            net_income: Fen(
                rng.random_range(1_500_000..4_000_000i64) * 100 + rng.random_range(0..100i64)
            ),
        });
        if zi == 0 {
            out.entities
                .extend(cooperative(&mut rng, zone, &name_of(&zone.key_village)));
        }
    }
    out
}

/// A co-operative in the zone's key village: members share by trade volume and capital.
fn cooperative(rng: &mut ChaCha8Rng, zone: &crate::DemoZone, village: &str) -> Option<DemoEntity> {
    let key = VillageCode::parse(&zone.key_village).ok();
    let spec = EntitySpec::new(
        &format!("{village}果蔬专业合作社"),
        EntityKind::Cooperative,
        vec![
            class(
                1,
                "交易量返还",
                ClassKind::Individual,
                Basis::TradeVolume,
                6000,
            ),
            class(2, "出资股", ClassKind::Individual, Basis::Capital, 4000),
        ],
    )
    .ok()?;
    let n = rng.random_range(8..12usize);
    let mut holders = Vec::new();
    for i in 0..n {
        holders.push(Holder {
            id: HolderId(i as i64),
            name: format!(
                "{}{}",
                SURNAMES[(i + rng.random_range(0..3usize)) % SURNAMES.len()],
                GIVEN[i % GIVEN.len()]
            ),
            kind: HolderKind::Member,
            village: key.clone(),
        });
    }
    let mut changes = Vec::new();
    // The last member joins in July 2025 and weighs by days held.
    for h in &holders[..n - 1] {
        let capital = Fen::from_yuan(rng.random_range(1..6i64) * 10_000);
        changes.push((
            day(2024, 1, 1),
            Change::Subscription {
                holder: h.id,
                class: ClassId(2),
                units: capital.0,
                paid: capital,
            },
        ));
    }
    for h in &holders[..n - 1] {
        changes.push((
            day(2025, 1, 1),
            Change::Subscription {
                holder: h.id,
                class: ClassId(1),
                units: Fen::from_yuan(rng.random_range(20..150i64) * 1_000).0,
                paid: Fen::ZERO,
            },
        ));
    }
    let last = holders[n - 1].id;
    changes.push((
        day(2025, 7, 1),
        Change::Subscription {
            holder: last,
            class: ClassId(2),
            units: Fen::from_yuan(20_000).0,
            paid: Fen::from_yuan(20_000),
        },
    ));
    changes.push((
        day(2025, 7, 1),
        Change::Subscription {
            holder: last,
            class: ClassId(1),
            units: Fen::from_yuan(40_000).0,
            paid: Fen::ZERO,
        },
    ));
    Some(DemoEntity {
        zone: zone.name.clone(),
        spec,
        holders,
        changes,
        waterfall: WaterfallParts {
            year: 2025,
            cover_prior_losses: true,
            reserve: Bp::new(1000).unwrap_or(Bp::ZERO),
            welfare: Bp::ZERO,
            guarantee: None,
            guarantee_from_reserves: false,
            incentive: None,
            distribute: Bp::FULL,
            class_split: vec![
                (ClassId(1), Bp::new(6000).unwrap_or(Bp::ZERO)),
                (ClassId(2), Bp::new(4000).unwrap_or(Bp::ZERO)),
            ],
            time_weighted: true,
        },
        net_income: Fen(rng.random_range(200_000..600_000i64) * 100 + rng.random_range(0..100i64)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_equity_is_deterministic_and_valid() {
        let divisions = crate::parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
        let centres = crate::parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
        let district = crate::generate(&divisions, &centres, 7);
        let a = generate_equity(&divisions, &district, 7);
        let b = generate_equity(&divisions, &district, 7);
        assert!(a.entities.len() >= 2);
        assert_eq!(format!("{:?}", a.entities), format!("{:?}", b.entities));
        for e in &a.entities {
            let lines: Vec<_> = e
                .changes
                .iter()
                .enumerate()
                .map(|(i, (d, c))| {
                    gongfu_core::equity::RegisterLine::restore(i as u64 + 1, *d, *d, c.clone())
                })
                .collect();
            let w = gongfu_core::equity::Waterfall::new(&e.spec, e.waterfall.clone()).unwrap();
            let d = gongfu_core::equity::distribute(&gongfu_core::equity::DistributionInput {
                entity: &e.spec,
                waterfall: &w,
                lines: &lines,
                net_income: e.net_income,
                prior_loss: Fen::ZERO,
                reserves_available: Fen::ZERO,
            })
            .unwrap();
            assert_eq!(d.retained + d.total_paid(), e.net_income);
        }
    }
}
