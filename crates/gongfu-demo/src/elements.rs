//! Common-prosperity elements for the demo's pilot zones (共富工坊, 市集, 基地 …): two to four
//! per zone, a workshop at the key village first, the others in member villages, opened over
//! the last three years, with plausible jobs and income. Own random stream, so nothing else in
//! the demo changes; pure (today is passed in).

use crate::{DemoDistrict, DivisionRow};
use gongfu_core::ops::elements::{ElementSpec, ElementType};
use gongfu_core::village::short_name;
use gongfu_core::{Fen, VillageCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

const STREAM: u64 = 0x5EED_C0DE_2026_0007;

/// The product a zone's theme speaks of, for names.
fn product_of(theme: &str) -> &'static str {
    [
        ("茶", "茶叶"),
        ("香榧", "香榧"),
        ("兰", "兰花"),
        ("酱", "酱品"),
        ("酒", "黄酒"),
        ("书法", "书法文创"),
        ("竹", "竹笋"),
        ("梅", "杨梅"),
        ("紫薇", "花木"),
    ]
    .iter()
    .find(|(k, _)| theme.contains(k))
    .map_or("农产品", |(_, p)| p)
}

/// Elements for every pilot zone, in zone order.
pub fn generate_elements(
    divisions: &[DivisionRow],
    district: &DemoDistrict,
    today: Date,
    seed: u64,
) -> Vec<ElementSpec> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let name_of = |code: &str| {
        divisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| short_name(&d.name))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for zone in &district.pilot_zones {
        let product = product_of(&format!("{}{}", zone.theme, zone.name));
        let n = 2 + rng.random_range(0..3usize);
        for i in 0..n {
            let kind = if i == 0 {
                ElementType::Workshop
            } else {
                [
                    ElementType::Workshop,
                    ElementType::Market,
                    ElementType::Base,
                    ElementType::School,
                    ElementType::Station,
                    ElementType::Canteen,
                ][rng.random_range(0..6usize)]
            };
            let code = if i == 0 {
                zone.key_village.clone()
            } else {
                zone.members[rng.random_range(0..zone.members.len())].clone()
            };
            let Ok(village) = VillageCode::parse(&code) else {
                continue;
            };
            let place = name_of(&code);
            let name = match kind {
                ElementType::Workshop => format!("{place}{product}共富工坊"),
                ElementType::Market => format!("{place}共富市集"),
                ElementType::Base => format!("{place}{product}共富基地"),
                ElementType::School => format!("{place}共富学堂"),
                ElementType::Station => format!("{place}共富驿站"),
                ElementType::Canteen => format!("{place}共富食堂"),
                ElementType::Brand => format!("{place}{product}"),
            };
            // One element of a name: a second draw of the same type in the same village is
            // dropped rather than registered twice.
            if out.iter().any(|e: &ElementSpec| e.name == name) {
                continue;
            }
            let opened_on = today - Duration::days(rng.random_range(60..1_000));
            let jobs: i64 = match kind {
                ElementType::Workshop => rng.random_range(20..90),
                ElementType::Base => rng.random_range(10..60),
                ElementType::Market | ElementType::Canteen => rng.random_range(4..20),
                _ => rng.random_range(1..8),
            };
            let low = rng.random_range(0..=jobs / 3);
            out.push(ElementSpec {
                kind,
                name,
                village,
                point: None,
                opened_on,
                closed_on: None,
                jobs,
                low_income_jobs: low,
                // 1,000–3,500 元 a month, to the hundred yuan.
                monthly_gain: Fen::from_yuan(rng.random_range(10..36) * 100),
                // 30,000–300,000 元 a year, to the thousand yuan.
                collective_income: Fen::from_yuan(rng.random_range(30..300) * 1_000),
                operator: format!("{place}股份经济合作社"),
                note: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_pilot_zone_gets_a_workshop_and_the_same_seed_gives_the_same() {
        let towns = crate::parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
        let divisions = crate::parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
        let d = crate::generate(&divisions, &towns, 7);
        let today = date!(2026 - 11 - 29);
        let a = generate_elements(&divisions, &d, today, 7);
        assert_eq!(a, generate_elements(&divisions, &d, today, 7));
        for z in &d.pilot_zones {
            let key = VillageCode::parse(&z.key_village).unwrap();
            assert!(
                a.iter()
                    .any(|e| e.village == key && e.kind == ElementType::Workshop),
                "{}",
                z.name
            );
        }
        let mut names: Vec<&str> = a.iter().map(|e| e.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), a.len(), "no two elements share a name");
        for e in &a {
            assert!(e.low_income_jobs <= e.jobs && e.opened_on < today);
            assert!(
                e.name.chars().count() <= gongfu_core::ops::elements::NAME_MAX,
                "{}",
                e.name
            );
        }
    }
}
