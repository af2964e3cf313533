//! The demo's shared facilities (设施) and infrastructure checklist (一片一标准).
//!
//! Each town's seat (the division nearest its centre) gets a health centre of the county
//! medical community (医共体), a 便民服务中心 and a central primary school; most towns a
//! childcare centre and a farmers' market, rural towns an agricultural service centre. A
//! share of villages get a culture hall (文化礼堂), home-based elderly care and a village
//! clinic point; processing and cold-chain sites sit in villages carrying the matching
//! industry tag. Most are open, some planned or being built, a few closed. Every village is
//! assessed on the five infrastructure items, mountain towns falling short more often
//! (public transport and piped gas above all).
//!
//! Drawn from its own random stream (derived from the seed), so adding facilities leaves the
//! rest of the demo district exactly as it was.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::generate::{display_name, town_unit};
use crate::{DemoDivision, DivisionKind, DivisionRow, Terrain};

/// Mixed into the seed for this module's own stream.
const STREAM: u64 = 0x5EED_FAC1_1771_E500;

/// Metres per degree of latitude (and of longitude at the equator), for small offsets.
const M_PER_DEG: f64 = 111_320.0;

/// A facility of the demo.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoFacility {
    /// Facility type key (`clinic`, `elderly_care`, …; see `gongfu_core::facilities`).
    pub kind: &'static str,
    pub name: String,
    /// Code of the division it sits in.
    pub village: String,
    /// Its own point, or `None` when it sits at the village seat.
    pub point: Option<(f64, f64)>,
    pub capacity: Option<i64>,
    /// Status key: `planned`, `building`, `open` or `closed`.
    pub status: &'static str,
    pub opening_year: Option<i32>,
    /// 管护责任单位.
    pub upkeep_unit: String,
    pub note: String,
}

/// One village's compliance with one infrastructure item.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoInfra {
    pub village: String,
    /// `public_transport`, `water`, `power`, `gas` or `network`.
    pub item: &'static str,
    /// `compliant`, `non_compliant` or `not_applicable`.
    pub status: &'static str,
    pub gap: String,
}

/// What the generator knows about a town.
pub(crate) struct TownInfo {
    pub name: String,
    pub terrain: Terrain,
    /// (lon, lat) of the town centre.
    pub centre: (f64, f64),
}

/// Industry tag → (facility type, name suffix, capacity range).
const INDUSTRY: [(&str, &str, &str, (i64, i64)); 8] = [
    ("茶叶", "processing", "茶叶加工厂", (200, 800)),
    ("竹笋", "processing", "竹笋加工厂", (500, 3_000)),
    ("酱品", "processing", "酱品加工坊", (300, 1_500)),
    ("香榧", "processing", "香榧炒制加工厂", (100, 500)),
    ("杨梅", "cold_chain", "杨梅冷链仓储中心", (200, 1_000)),
    ("渔业", "cold_chain", "水产冷链仓储点", (100, 600)),
    ("果蔬", "cold_chain", "果蔬冷链集配中心", (100, 500)),
    ("兰花", "agri_service", "兰花产业服务站", (300, 1_500)),
];

/// 达标 probability per item (public transport, water, power, gas, network) by terrain.
fn compliance_odds(terrain: Terrain) -> [f64; 5] {
    match terrain {
        Terrain::Urban => [0.97, 0.99, 1.0, 0.90, 0.98],
        Terrain::Plain => [0.93, 0.98, 1.0, 0.80, 0.96],
        Terrain::Hill => [0.82, 0.94, 0.99, 0.55, 0.92],
        Terrain::Mountain => [0.62, 0.86, 0.97, 0.25, 0.86],
    }
}

const ITEMS: [&str; 5] = ["public_transport", "water", "power", "gas", "network"];

fn gap_text(rng: &mut ChaCha8Rng, item: &str) -> String {
    let pick = rng.random_bool(0.5);
    match item {
        "public_transport" => format!(
            "最近的公交站点约 {:.1} 公里，{}",
            rng.random_range(1.2..4.5),
            if pick {
                "需延伸公交线路"
            } else {
                "需增设招呼站或开通预约公交"
            }
        ),
        "water" => if pick {
            "部分自然村尚未接入城乡供水管网，需延伸管网"
        } else {
            "供水管网老旧，水压不足，需改造"
        }
        .to_string(),
        "power" => "台区变压器容量不足，夏季用电高峰电压偏低".to_string(),
        "gas" => if pick {
            "管道燃气未通达，村民使用瓶装液化气"
        } else {
            "燃气主管网距村约 3 公里，需延伸"
        }
        .to_string(),
        _ => if pick {
            "部分自然村 5G 信号弱，需新建基站"
        } else {
            "千兆光网尚未覆盖全部自然村"
        }
        .to_string(),
    }
}

/// A point within `radius` metres of `p`, rounded to six decimals (about 0.1 m).
fn near(rng: &mut ChaCha8Rng, p: (f64, f64), radius: f64) -> (f64, f64) {
    let r = radius * rng.random::<f64>().sqrt();
    let a = rng.random::<f64>() * std::f64::consts::TAU;
    let lat = p.1 + r * a.sin() / M_PER_DEG;
    let lon = p.0 + r * a.cos() / (M_PER_DEG * p.1.to_radians().cos());
    let round = |v: f64| (v * 1e6).round() / 1e6;
    (round(lon), round(lat))
}

/// Status and opening year: mostly open (opened between `opened.0` and `opened.1`), with
/// the given shares planned and being built; `closed` of the rest closed.
fn status(
    rng: &mut ChaCha8Rng,
    planned: f64,
    building: f64,
    closed: f64,
    opened: (i32, i32),
) -> (&'static str, Option<i32>) {
    let u: f64 = rng.random();
    if u < planned {
        ("planned", None)
    } else if u < planned + building {
        ("building", Some(2026))
    } else if u < planned + building + closed {
        (
            "closed",
            Some(rng.random_range(opened.0..=opened.1.min(2018))),
        )
    } else {
        ("open", Some(rng.random_range(opened.0..=opened.1)))
    }
}

fn town_government(town: &str) -> String {
    if town_unit(town) == "街道" {
        format!("{town}办事处")
    } else {
        format!("{town}人民政府")
    }
}

/// The demo's facilities and infrastructure records for `divisions` (laid out as `out`),
/// `town_of[i]` indexing `towns`. Same inputs and seed, same output.
pub(crate) fn generate_facilities(
    divisions: &[DivisionRow],
    out: &[DemoDivision],
    town_of: &[usize],
    towns: &[TownInfo],
    seed: u64,
) -> (Vec<DemoFacility>, Vec<DemoInfra>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ STREAM);
    let mut facilities = Vec::new();
    let mut infra = Vec::new();
    for (t, town) in towns.iter().enumerate() {
        let members: Vec<usize> = (0..divisions.len()).filter(|&i| town_of[i] == t).collect();
        let dist = |i: usize| {
            let (dx, dy) = (out[i].lon - town.centre.0, out[i].lat - town.centre.1);
            dx * dx + dy * dy
        };
        let Some(&seat) = members
            .iter()
            .min_by(|&&a, &&b| dist(a).total_cmp(&dist(b)).then(a.cmp(&b)))
        else {
            continue;
        };
        let gov = town_government(&town.name);
        let mut add = |rng: &mut ChaCha8Rng,
                       kind: &'static str,
                       name: String,
                       village: usize,
                       own_point: bool,
                       capacity: Option<i64>,
                       (status, opening_year): (&'static str, Option<i32>),
                       upkeep_unit: String,
                       note: String| {
            let point = own_point.then(|| near(rng, (out[village].lon, out[village].lat), 600.0));
            facilities.push(DemoFacility {
                kind,
                name,
                village: divisions[village].code.clone(),
                point,
                capacity,
                status,
                opening_year,
                upkeep_unit,
                note,
            });
        };

        // The town seat: the hub (中心服务区).
        let beds = rng.random_range(20..=80);
        let st = status(&mut rng, 0.0, 0.0, 0.0, (2003, 2016));
        add(
            &mut rng,
            "clinic",
            format!("{}卫生院", town.name),
            seat,
            true,
            Some(beds),
            st,
            format!("{}卫生院", town.name),
            "区医共体成员单位".to_string(),
        );
        let windows = rng.random_range(8..=20);
        let st = status(&mut rng, 0.0, 0.0, 0.0, (2010, 2020));
        add(
            &mut rng,
            "service_centre",
            format!("{}便民服务中心", town.name),
            seat,
            true,
            Some(windows),
            st,
            gov.clone(),
            String::new(),
        );
        let pupils = rng.random_range(6..=15) * 100;
        let st = status(&mut rng, 0.0, 0.0, 0.0, (2000, 2015));
        add(
            &mut rng,
            "school",
            format!("{}中心小学", town.name),
            seat,
            true,
            Some(pupils),
            st,
            "区教育体育局".to_string(),
            String::new(),
        );
        if rng.random_bool(0.7) {
            let places = rng.random_range(3..=9) * 10;
            let st = status(&mut rng, 0.1, 0.2, 0.0, (2019, 2025));
            add(
                &mut rng,
                "childcare",
                format!("{}婴幼儿成长驿站", town.name),
                seat,
                true,
                Some(places),
                st,
                gov.clone(),
                "普惠托育".to_string(),
            );
        }
        if rng.random_bool(0.6) {
            let stalls = rng.random_range(6..=20) * 10;
            let st = status(&mut rng, 0.0, 0.1, 0.0, (2008, 2024));
            add(
                &mut rng,
                "farmers_market",
                format!("{}农贸市场", town.name),
                seat,
                true,
                Some(stalls),
                st,
                gov.clone(),
                String::new(),
            );
        }
        if town.terrain != Terrain::Urban && rng.random_bool(0.7) {
            let mu = rng.random_range(2..=10) * 1_000;
            let st = status(&mut rng, 0.15, 0.15, 0.0, (2018, 2025));
            add(
                &mut rng,
                "agri_service",
                format!("{}农业社会化服务中心", town.name),
                seat,
                true,
                Some(mu),
                st,
                gov.clone(),
                "统防统治、农机作业、烘干仓储".to_string(),
            );
        }

        // The villages: service points (功能服务点).
        let villages: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| divisions[i].kind == DivisionKind::Village)
            .collect();
        for &v in &villages {
            let name = display_name(&divisions[v]);
            let coop = format!("{name}股份经济合作社");
            if rng.random_bool(0.7) {
                let seats = rng.random_range(15..=40) * 10;
                let st = status(&mut rng, 0.04, 0.05, 0.02, (2013, 2025));
                add(
                    &mut rng,
                    "culture",
                    format!("{name}文化礼堂"),
                    v,
                    false,
                    Some(seats),
                    st,
                    coop.clone(),
                    String::new(),
                );
            }
            if rng.random_bool(0.55) {
                let beds = rng.random_range(10..=40);
                let st = status(&mut rng, 0.08, 0.07, 0.02, (2014, 2025));
                add(
                    &mut rng,
                    "elderly_care",
                    format!("{name}居家养老服务照料中心"),
                    v,
                    false,
                    Some(beds),
                    st,
                    coop.clone(),
                    String::new(),
                );
            }
            if v != seat && rng.random_bool(0.35) {
                let st = status(&mut rng, 0.05, 0.05, 0.0, (2010, 2024));
                add(
                    &mut rng,
                    "clinic",
                    format!("{name}卫生服务站"),
                    v,
                    false,
                    None,
                    st,
                    format!("{}卫生院", town.name),
                    "区医共体村级服务站点".to_string(),
                );
            }
        }
        // Production sites next to their industry: one or two villages of the town carrying
        // the tag.
        for (tag, kind, suffix, (lo, hi)) in INDUSTRY {
            let carriers: Vec<usize> = villages
                .iter()
                .copied()
                .filter(|&i| out[i].tags.iter().any(|x| x == tag))
                .collect();
            if carriers.is_empty() || !rng.random_bool(0.6) {
                continue;
            }
            let n = if carriers.len() >= 6 { 2 } else { 1 };
            let mut pool = carriers;
            for _ in 0..n {
                let v = pool.remove(rng.random_range(0..pool.len()));
                let name = display_name(&divisions[v]);
                let capacity = rng.random_range(lo..=hi) / 10 * 10;
                let st = status(&mut rng, 0.2, 0.2, 0.0, (2012, 2025));
                let upkeep = if kind == "cold_chain" {
                    format!("{}强村公司", town.name)
                } else {
                    format!("{name}股份经济合作社")
                };
                add(
                    &mut rng,
                    kind,
                    format!("{name}{suffix}"),
                    v,
                    true,
                    Some(capacity),
                    st,
                    upkeep,
                    format!("服务{tag}产业"),
                );
            }
        }

        // The checklist: every village, every item.
        let odds = compliance_odds(town.terrain);
        for &v in &villages {
            for (k, item) in ITEMS.into_iter().enumerate() {
                let (status, gap) = if rng.random_bool(odds[k]) {
                    ("compliant", String::new())
                } else if item == "gas"
                    && town.terrain == Terrain::Mountain
                    && rng.random_bool(0.35)
                {
                    (
                        "not_applicable",
                        "山区分散居住，暂不具备管道燃气条件，使用瓶装液化气".to_string(),
                    )
                } else {
                    ("non_compliant", gap_text(&mut rng, item))
                };
                infra.push(DemoInfra {
                    village: divisions[v].code.clone(),
                    item,
                    status,
                    gap,
                });
            }
        }
    }
    (facilities, infra)
}

#[cfg(test)]
mod tests {
    use crate::{DemoDistrict, DivisionKind, DivisionRow, Terrain, TownCentre};
    use crate::{generate, parse_divisions_csv, parse_town_centres_csv};
    use std::collections::{HashMap, HashSet};
    use std::sync::OnceLock;

    const KINDS: [&str; 10] = [
        "clinic",
        "elderly_care",
        "childcare",
        "school",
        "culture",
        "service_centre",
        "farmers_market",
        "agri_service",
        "processing",
        "cold_chain",
    ];

    fn district() -> &'static (Vec<DivisionRow>, Vec<TownCentre>, DemoDistrict) {
        static CELL: OnceLock<(Vec<DivisionRow>, Vec<TownCentre>, DemoDistrict)> = OnceLock::new();
        CELL.get_or_init(|| {
            let rows = parse_divisions_csv(crate::DIVISIONS_CSV).unwrap();
            let towns = parse_town_centres_csv(crate::TOWN_CENTRES_CSV).unwrap();
            let d = generate(&rows, &towns, 1);
            (rows, towns, d)
        })
    }

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        let dy = (a.1 - b.1) * 111_320.0;
        let dx = (a.0 - b.0) * 111_320.0 * a.1.to_radians().cos();
        (dx * dx + dy * dy).sqrt()
    }

    #[test]
    fn every_town_seat_has_a_health_centre_a_service_centre_and_a_school() {
        let (rows, towns, d) = district();
        for t in towns {
            let in_town = |code: &str| rows.iter().any(|r| r.code == code && r.town_code == t.code);
            for kind in ["clinic", "service_centre", "school"] {
                assert!(
                    d.facilities.iter().any(|f| f.kind == kind
                        && in_town(&f.village)
                        && f.name.starts_with(&t.name)),
                    "{} has no {kind}",
                    t.name
                );
            }
        }
    }

    #[test]
    fn facilities_are_plausible_and_mostly_open() {
        let (rows, _, d) = district();
        assert!(d.facilities.len() > 300, "{}", d.facilities.len());
        let mut seen = HashSet::new();
        let mut by_status: HashMap<&str, usize> = HashMap::new();
        for f in &d.facilities {
            assert!(KINDS.contains(&f.kind), "{}", f.kind);
            assert!(!f.upkeep_unit.is_empty() && !f.name.is_empty());
            assert!(
                seen.insert((f.kind, f.name.clone(), f.village.clone())),
                "{}",
                f.name
            );
            let i = rows.iter().position(|r| r.code == f.village).unwrap();
            if let Some(p) = f.point {
                let seat = (d.divisions[i].lon, d.divisions[i].lat);
                assert!(
                    metres(p, seat) < 700.0,
                    "{} is far from its village",
                    f.name
                );
            }
            match f.status {
                "open" | "closed" => assert!(f.opening_year.is_some()),
                "planned" => assert!(f.opening_year.is_none()),
                "building" => {}
                other => panic!("status {other}"),
            }
            *by_status.entry(f.status).or_default() += 1;
        }
        let open = by_status["open"] as f64 / d.facilities.len() as f64;
        assert!((0.7..0.97).contains(&open), "{open}");
        assert!(by_status.contains_key("planned") && by_status.contains_key("building"));
        for kind in KINDS {
            assert!(d.facilities.iter().any(|f| f.kind == kind), "no {kind}");
        }
    }

    #[test]
    fn production_sites_sit_in_villages_of_their_industry() {
        let (rows, _, d) = district();
        for f in d
            .facilities
            .iter()
            .filter(|f| f.kind == "processing" || f.kind == "cold_chain")
        {
            let i = rows.iter().position(|r| r.code == f.village).unwrap();
            let tag = f.note.trim_start_matches("服务").trim_end_matches("产业");
            assert!(
                d.divisions[i].tags.iter().any(|t| t == tag),
                "{} {:?}",
                f.name,
                d.divisions[i].tags
            );
        }
    }

    #[test]
    fn every_village_is_assessed_on_every_item_and_mountains_fall_short_more() {
        let (rows, towns, d) = district();
        let villages: Vec<&DivisionRow> = rows
            .iter()
            .filter(|r| r.kind == DivisionKind::Village)
            .collect();
        assert_eq!(d.infra.len(), villages.len() * 5);
        let terrain = |code: &str| {
            let town = &rows.iter().find(|r| r.code == code).unwrap().town_code;
            towns.iter().find(|t| &t.code == town).unwrap().terrain
        };
        let share = |t: Terrain, item: &str| {
            let of: Vec<_> = d
                .infra
                .iter()
                .filter(|x| x.item == item && terrain(&x.village) == t)
                .collect();
            of.iter().filter(|x| x.status == "compliant").count() as f64 / of.len() as f64
        };
        assert!(share(Terrain::Mountain, "gas") < share(Terrain::Plain, "gas"));
        assert!(
            share(Terrain::Mountain, "public_transport")
                < share(Terrain::Plain, "public_transport")
        );
        for x in &d.infra {
            if x.status == "non_compliant" {
                assert!(!x.gap.is_empty());
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_facilities() {
        let (rows, towns, d) = district();
        let again = generate(rows, towns, 1);
        assert_eq!(again.facilities, d.facilities);
        assert_eq!(again.infra, d.infra);
        let other = generate(rows, towns, 2);
        assert_ne!(other.facilities, d.facilities);
    }
}
