//! Brands and industry chains for the demo (品牌与产业链): the regional public brand 鉴水源,
//! product brands of the pilot towns (平水日铸, 稽东香榧, 漓渚兰花, 安昌金酱, 王坛杨梅,
//! 杨汛桥紫薇) with demo geographical-indication details, licences to actors the demo work
//! already registers, and the "6+X" chains with link villages in the pilot zones (now and then
//! one outside any zone) and output for 2024 and 2025. Own random stream; pure.
//!
//! Actors are named by credit code (the store gives them ids when it registers them);
//! GI numbers are marked 演示 so nobody takes them for real registrations.

use crate::work::DemoWork;
use crate::{DemoDistrict, DivisionKind, DivisionRow};
use gongfu_core::ops::brands::{BrandKind, BrandSpec, ChainLink, GeoIndication, LinkKind};
use gongfu_core::work::actor::ActorKind;
use gongfu_core::{DataYear, Fen, VillageCode};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};

const STREAM: u64 = 0x5EED_B4A2_2026_0011;

/// A licence by the credit code of its actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoLicence {
    pub actor_code: String,
    pub from: Date,
    pub to: Date,
    pub revoked_on: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoBrand {
    pub spec: BrandSpec,
    pub licences: Vec<DemoLicence>,
}

/// A chain: links name actors by credit code (filled into [`ChainLink::actors`] by the store
/// side) and villages by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoChain {
    pub name: String,
    /// The brand's name, if the chain carries one.
    pub brand: Option<String>,
    pub note: String,
    /// Per link: its kind, the actors' credit codes and the villages.
    pub links: Vec<(LinkKind, Vec<String>, Vec<VillageCode>)>,
    pub output: Vec<(DataYear, Fen)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoBrands {
    pub brands: Vec<DemoBrand>,
    pub chains: Vec<DemoChain>,
}

/// (brand, product, town short name, GI holder, GI area) — regional first.
const BRANDS: [(&str, &str, &str, &str, &str); 7] = [
    ("鉴水源", "", "", "", ""),
    (
        "平水日铸",
        "日铸茶",
        "平水",
        "绍兴市柯桥区茶文化研究会",
        "柯桥区平水镇、王坛镇、稽东镇",
    ),
    (
        "稽东香榧",
        "香榧",
        "稽东",
        "柯桥区稽东镇香榧产业协会",
        "柯桥区稽东镇",
    ),
    (
        "漓渚兰花",
        "兰花",
        "漓渚",
        "柯桥区漓渚镇花木产业协会",
        "柯桥区漓渚镇",
    ),
    (
        "安昌金酱",
        "酱制品",
        "安昌",
        "柯桥区安昌街道腊味酱制品协会",
        "柯桥区安昌街道",
    ),
    (
        "王坛杨梅",
        "杨梅",
        "王坛",
        "柯桥区王坛镇杨梅产业协会",
        "柯桥区王坛镇",
    ),
    ("杨汛桥紫薇", "紫薇花木", "杨汛桥", "", ""),
];

/// (chain, brand, town short names of its zones, yearly output range in 万元, note).
type ChainPlan = (
    &'static str,
    &'static str,
    &'static [&'static str],
    (i64, i64),
    &'static str,
);

const CHAINS: [ChainPlan; 7] = [
    (
        "茶产业链",
        "平水日铸",
        &["平水", "王坛"],
        (18_000, 26_000),
        "日铸茶种植、初制精制、茶旅融合",
    ),
    (
        "香榧产业链",
        "稽东香榧",
        &["稽东"],
        (9_000, 14_000),
        "香榧林下经济与炒制加工",
    ),
    (
        "兰花产业链",
        "漓渚兰花",
        &["漓渚"],
        (12_000, 20_000),
        "春兰、蕙兰繁育与花木电商",
    ),
    (
        "黄酒酱品产业链",
        "安昌金酱",
        &["安昌", "柯岩"],
        (15_000, 24_000),
        "酱鸭、腊肠、酱油与黄酒酿造",
    ),
    (
        "杨梅产业链",
        "王坛杨梅",
        &["王坛"],
        (4_000, 7_000),
        "杨梅种植、冷链与采摘游",
    ),
    (
        "花木产业链",
        "杨汛桥紫薇",
        &["杨汛桥"],
        (6_000, 10_000),
        "紫薇等花木苗圃与园林工程",
    ),
    (
        "文旅产业链",
        "鉴水源",
        &["兰亭", "柯岩", "安昌"],
        (20_000, 32_000),
        "古镇、书法圣地与鉴湖渔歌研学线路",
    ),
];

fn day(y: i32, m: u8, d: u8) -> Date {
    Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(y, m, d).ok())
        .unwrap_or(Date::MIN)
}

/// The brands and chains of the demo district, given the work (for its actors).
pub fn generate_brands(
    divisions: &[DivisionRow],
    district: &DemoDistrict,
    work: &DemoWork,
    seed: u64,
) -> DemoBrands {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let zone_of = |town: &str| district.pilot_zones.iter().find(|z| z.name.contains(town));
    // Actors taking part in a town's zone, by credit code, in registry order.
    let actors_of = |town: &str| -> Vec<String> {
        let Some(z) = zone_of(town) else {
            return vec![];
        };
        work.actors
            .iter()
            .filter(|a| a.roles.iter().any(|(zone, _)| *zone == z.name))
            .map(|a| a.spec.credit_code.as_str().to_string())
            .collect()
    };
    let all_actors: Vec<String> = work
        .actors
        .iter()
        .map(|a| a.spec.credit_code.as_str().to_string())
        .collect();

    let mut brands = Vec::new();
    for (i, (name, product, town, holder, area)) in BRANDS.iter().enumerate() {
        let regional = product.is_empty();
        let pool = if regional {
            all_actors.clone()
        } else {
            actors_of(town)
        };
        let mut licences: Vec<DemoLicence> = Vec::new();
        let n = if regional {
            6
        } else {
            2 + rng.random_range(0..3usize)
        };
        for k in 0..n.min(pool.len()) {
            let pick = if regional {
                pool[rng.random_range(0..pool.len())].clone()
            } else {
                pool[k].clone()
            };
            if licences.iter().any(|l| l.actor_code == pick) {
                continue;
            }
            let start = 2023 + rng.random_range(0..3i32);
            let mut l = DemoLicence {
                actor_code: pick,
                from: day(start, 1 + rng.random_range(0..6u8), 1),
                to: day(start + 3, 12, 31),
                revoked_on: None,
            };
            // One expired and one revoked licence, so the brand page shows both.
            if k == 1 && i % 3 == 1 {
                l.from = day(2021, 3, 1);
                l.to = day(2023, 12, 31);
            } else if k == 2 && i % 2 == 0 {
                l.revoked_on = Some(day(2025, 9, 15));
            }
            licences.push(l);
        }
        brands.push(DemoBrand {
            spec: BrandSpec {
                name: name.to_string(),
                kind: if regional {
                    BrandKind::Regional
                } else {
                    BrandKind::Product
                },
                product: product.to_string(),
                gi: (!holder.is_empty()).then(|| GeoIndication {
                    number: format!("KQ-GI-{:03}（演示）", i),
                    holder: holder.to_string(),
                    area: area.to_string(),
                }),
            },
            licences,
        });
    }

    let mut chains = Vec::new();
    for (name, brand, towns, (lo, hi), note) in CHAINS {
        let zones: Vec<_> = towns.iter().filter_map(|t| zone_of(t)).collect();
        let Some(home) = zones.first() else {
            continue;
        };
        let code = |s: &str| VillageCode::parse(s).ok();
        let pick = |rng: &mut ChaCha8Rng, from: &[String], n: usize| -> Vec<VillageCode> {
            let mut v: Vec<VillageCode> = (0..n)
                .filter_map(|_| code(&from[rng.random_range(0..from.len())]))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        // A village of the home town outside every pilot zone, for the growing link.
        let outside: Vec<String> = divisions
            .iter()
            .filter(|d| d.town_code == home.town_code && d.kind == DivisionKind::Village)
            .filter(|d| {
                !district
                    .pilot_zones
                    .iter()
                    .any(|z| z.members.contains(&d.code))
            })
            .map(|d| d.code.clone())
            .collect();
        let mut growing = pick(&mut rng, &home.members, 3);
        if !outside.is_empty() && rng.random_range(0..2u8) == 0 {
            growing.extend(pick(&mut rng, &outside, 1));
        }
        let mut processing: Vec<VillageCode> = code(&home.key_village).into_iter().collect();
        let mut sales: Vec<VillageCode> = code(&home.key_village).into_iter().collect();
        for z in zones.iter().skip(1) {
            sales.extend(code(&z.key_village));
            growing.extend(pick(&mut rng, &z.members, 1));
        }
        processing.extend(pick(&mut rng, &home.members, 1));
        let tourism = pick(&mut rng, &home.members, 2);
        // The zones' actors suited to each link: growers are cooperatives and collectives,
        // processors and sellers enterprises, tourism collectives and organisations. No
        // bank or association is put at a link; an actor is at one link only.
        let mut pool: Vec<(String, ActorKind)> = Vec::new();
        for t in towns {
            for code in actors_of(t) {
                if !pool.iter().any(|(c, _)| *c == code)
                    && let Some(a) = work
                        .actors
                        .iter()
                        .find(|a| a.spec.credit_code.as_str() == code)
                {
                    pool.push((code, a.spec.kind));
                }
            }
        }
        let suits = |link: LinkKind, k: ActorKind| match link {
            LinkKind::Growing => matches!(k, ActorKind::Cooperative | ActorKind::Collective),
            LinkKind::Processing => matches!(k, ActorKind::Enterprise | ActorKind::Cooperative),
            LinkKind::Sales => matches!(k, ActorKind::Enterprise | ActorKind::StateCompany),
            LinkKind::Tourism => matches!(
                k,
                ActorKind::Collective | ActorKind::SocialOrganisation | ActorKind::StateCompany
            ),
        };
        let mut links = Vec::new();
        for (kind, mut villages) in [
            (LinkKind::Growing, growing),
            (LinkKind::Processing, processing),
            (LinkKind::Sales, sales),
            (LinkKind::Tourism, tourism),
        ] {
            villages.sort();
            villages.dedup();
            let mut a = Vec::new();
            for _ in 0..2 {
                let fit: Vec<usize> = (0..pool.len())
                    .filter(|&i| suits(kind, pool[i].1))
                    .collect();
                if fit.is_empty() {
                    break;
                }
                a.push(pool.remove(fit[rng.random_range(0..fit.len())]).0);
            }
            a.sort();
            links.push((kind, a, villages));
        }
        // Output in yuan, to the hundred; 2025 grows 3–15 % on 2024.
        let y2024: i64 = rng.random_range(lo..hi) * 10_000 + rng.random_range(0..100i64) * 100;
        let y2025: i64 = y2024 * rng.random_range(103..116i64) / 10_000 * 100;
        let output = [(2024, y2024), (2025, y2025)]
            .iter()
            .filter_map(|(y, v)| DataYear::new(*y).ok().map(|y| (y, Fen::from_yuan(*v))))
            .collect();
        chains.push(DemoChain {
            name: name.to_string(),
            brand: Some(brand.to_string()),
            note: note.to_string(),
            links,
            output,
        });
    }
    DemoBrands { brands, chains }
}

/// A chain link with its actors resolved to registry ids (`id_of` maps a credit code).
pub fn resolve_links(chain: &DemoChain, id_of: impl Fn(&str) -> Option<i64>) -> Vec<ChainLink> {
    chain
        .links
        .iter()
        .map(|(kind, codes, villages)| ChainLink {
            kind: *kind,
            actors: codes.iter().filter_map(|c| id_of(c)).collect(),
            villages: villages.clone(),
        })
        .filter(|l| !l.actors.is_empty() || !l.villages.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn brands_and_chains_are_deterministic_and_in_the_pilot_zones() {
        let towns = crate::parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
        let divisions = crate::parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
        let d = crate::generate(&divisions, &towns, 7);
        let work = crate::work::generate_work(&divisions, &d, date!(2026 - 11 - 29), 7);
        let a = generate_brands(&divisions, &d, &work, 7);
        assert_eq!(a, generate_brands(&divisions, &d, &work, 7));
        assert_eq!(a.brands[0].spec.name, "鉴水源");
        assert_eq!(a.brands[0].spec.kind, BrandKind::Regional);
        assert!(a.brands.len() >= 6);
        assert!(a.chains.len() >= 6, "6+X");
        let codes: Vec<&str> = work
            .actors
            .iter()
            .map(|x| x.spec.credit_code.as_str())
            .collect();
        for b in &a.brands {
            assert!(!b.licences.is_empty(), "{}", b.spec.name);
            for l in &b.licences {
                assert!(codes.contains(&l.actor_code.as_str()) && l.from <= l.to);
            }
        }
        let members: Vec<&String> = d.pilot_zones.iter().flat_map(|z| &z.members).collect();
        for c in &a.chains {
            assert_eq!(c.output.len(), 2);
            assert!(c.output[1].1 > c.output[0].1, "{} grows", c.name);
            let in_zone = c
                .links
                .iter()
                .flat_map(|l| &l.2)
                .filter(|v| members.iter().any(|m| m.as_str() == v.as_str()))
                .count();
            assert!(in_zone >= 2, "{}", c.name);
            assert!(c.name.chars().count() <= gongfu_core::ops::brands::NAME_MAX);
            assert!(
                a.brands
                    .iter()
                    .any(|b| Some(&b.spec.name) == c.brand.as_ref())
            );
        }
    }
}
