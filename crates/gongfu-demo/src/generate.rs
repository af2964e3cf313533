//! Lays out the demo district from a division list: points, Voronoi boundaries, yearly
//! statistics, tags and the 2024 pilot consortia.
//!
//! All random draws come from one ChaCha8 stream consumed in input order, so a seed fixes the
//! whole district. The numbers are shaped after the public figures in `data/SOURCE.md`
//! (income levels, growth rates, mountain towns poorer and sparser) but are invented.

use std::collections::{HashMap, HashSet};

use gongfu_plan::geometry::{
    LocalProjection, Pt, buffer_convex, cell_adjacency, convex_hull, ring_area, voronoi_cells,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::facilities::{TownInfo, generate_facilities};
use crate::{
    DemoDistrict, DemoDivision, DemoYear, DemoZone, DivisionKind, DivisionRow, Terrain, TownCentre,
};

/// Margin between the outermost village points and the district outline.
const OUTLINE_MARGIN_M: f64 = 1_500.0;

/// Used as projection origin when no town centre is given (roughly the district's middle).
const FALLBACK_ORIGIN: (f64, f64) = (120.5, 30.0);

const FIRST_YEAR: i32 = 2022;
const LAST_YEAR: i32 = 2025;

/// Rural per-capita disposable income of the district in 2022, yuan.
const DISPOSABLE_INCOME_2022_YUAN: f64 = 51_605.0;

/// The 2024 pilot consortia: town (short name), core village, theme.
const PILOTS: [(&str, &str, &str); 8] = [
    ("兰亭", "谢家坞", "芳湖雅韵"),
    ("柯岩", "叶家堰", "鉴湖渔歌"),
    ("安昌", "安华", "酱富安昌"),
    ("杨汛桥", "浦夏荡", "金紫薇"),
    ("漓渚", "棠棣", "兰花产业"),
    ("平水", "同康", "竹产业"),
    ("王坛", "东村", "梅好舜乡"),
    ("稽东", "大桥", "和美大桥共创未来"),
];

/// Industry tags by town, matched on part of the town name.
const TOWN_TAGS: [(&str, &[&str]); 8] = [
    ("平水", &["茶叶", "竹笋"]),
    ("漓渚", &["兰花", "花木"]),
    ("安昌", &["酱品", "旅游"]),
    ("稽东", &["香榧", "竹笋"]),
    ("王坛", &["杨梅", "旅游"]),
    ("兰亭", &["旅游", "文化"]),
    ("柯岩", &["旅游", "渔业"]),
    ("夏履", &["竹笋"]),
];

/// Extra tags any division may get on top of its town's.
const COMMON_TAGS: [&str; 5] = ["果蔬", "花木", "文化", "旅游", "渔业"];

/// Terrain-driven parameters of the layout and the statistics.
struct Profile {
    /// Disk radius per √(divisions in town), metres: √(area per division / π).
    spread_m: f64,
    /// Median village operating income in 2022, yuan.
    income_median_yuan: f64,
    /// Disposable income relative to the district figure.
    disposable_factor: f64,
    /// Median village population and its clamp range.
    population: (f64, f64, f64),
}

fn profile(terrain: Terrain) -> Profile {
    // Disk areas of about 0.9, 1.8, 2.9 and 4.3 km² per division: with the gaps the convex
    // outline adds, the 341 divisions cover roughly the district's real 1,040 km².
    match terrain {
        Terrain::Urban => Profile {
            spread_m: 530.0,
            income_median_yuan: 2_000_000.0,
            disposable_factor: 1.10,
            population: (2_800.0, 800.0, 5_000.0),
        },
        Terrain::Plain => Profile {
            spread_m: 760.0,
            income_median_yuan: 1_700_000.0,
            disposable_factor: 1.03,
            population: (2_600.0, 800.0, 5_000.0),
        },
        Terrain::Hill => Profile {
            spread_m: 960.0,
            income_median_yuan: 1_150_000.0,
            disposable_factor: 0.95,
            population: (1_900.0, 800.0, 5_000.0),
        },
        // The southern water-source mountains are sparse and poorer.
        Terrain::Mountain => Profile {
            spread_m: 1_170.0,
            income_median_yuan: 650_000.0,
            disposable_factor: 0.86,
            population: (1_300.0, 800.0, 3_000.0),
        },
    }
}

/// Smallest core radius (share of the town's disk) for a town's communities, so one or two
/// communities still sit near, not exactly on, the centre.
const MIN_CORE_FACTOR: f64 = 0.3;
/// Villages keep out of this share of the community core, leaving the town seat to the
/// communities while still interleaving a little at the edge.
const VILLAGE_CORE_OVERLAP: f64 = 0.8;
/// Communities run richer collectives (rents, market stalls) than villages.
const COMMUNITY_INCOME_FACTOR: f64 = 1.3;
/// Spread of log operating income above the median: a long right tail.
const INCOME_LOG_SIGMA_UP: f64 = 0.8;
/// Spread below the median: weak villages are propped up by transfers and shared projects,
/// so the left tail is shorter.
const INCOME_LOG_SIGMA_DOWN: f64 = 0.55;
/// Share of villages with a big collective enterprise or market, and its income multiplier.
const STAR_VILLAGE_SHARE: f64 = 0.03;
const STAR_VILLAGE_BOOST: std::ops::Range<f64> = 3.0..6.0;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Uniform over the ring between radii `inner` and `outer` (a disk when `inner` is 0).
fn in_ring(rng: &mut ChaCha8Rng, centre: Pt, inner: f64, outer: f64) -> Pt {
    let u: f64 = rng.random();
    let r = (inner * inner + u * (outer * outer - inner * inner)).sqrt();
    let a = rng.random::<f64>() * std::f64::consts::TAU;
    Pt::new(centre.x + r * a.cos(), centre.y + r * a.sin())
}

fn dist2(a: Pt, b: Pt) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Placed points hashed by cell, to keep new points apart from earlier ones cheaply.
struct PointHash {
    cell: f64,
    buckets: HashMap<(i64, i64), Vec<Pt>>,
}

impl PointHash {
    fn key(&self, p: Pt) -> (i64, i64) {
        (
            (p.x / self.cell).floor() as i64,
            (p.y / self.cell).floor() as i64,
        )
    }

    /// Whether any placed point is within `d`, which must not exceed the cell size.
    fn any_within(&self, p: Pt, d: f64) -> bool {
        let (kx, ky) = self.key(p);
        (kx - 1..=kx + 1).any(|x| {
            (ky - 1..=ky + 1).any(|y| {
                self.buckets
                    .get(&(x, y))
                    .is_some_and(|v| v.iter().any(|&q| dist2(p, q) < d * d))
            })
        })
    }

    fn insert(&mut self, p: Pt) {
        let k = self.key(p);
        self.buckets.entry(k).or_default().push(p);
    }
}

/// Where each town sits in the plane; towns missing from the centre list sit at the origin.
struct TownLayout {
    centre: Pt,
    terrain: Terrain,
    /// Index into the known centres, for the "nearest centre is my own" rule.
    known: Option<usize>,
    count: usize,
    communities: usize,
}

fn place_points(
    rng: &mut ChaCha8Rng,
    divisions: &[DivisionRow],
    town_of: &[usize],
    layouts: &[TownLayout],
    centres: &[Pt],
) -> Vec<Pt> {
    let max_spread = profile(Terrain::Mountain).spread_m;
    let mut placed = PointHash {
        cell: 0.3 * max_spread,
        buckets: HashMap::new(),
    };
    let own_is_nearest = |p: Pt, town: &TownLayout| match town.known {
        None => true,
        Some(own) => {
            let d = dist2(p, centres[own]);
            centres
                .iter()
                .enumerate()
                .all(|(k, &c)| k == own || dist2(p, c) >= d)
        }
    };
    let mut points = Vec::with_capacity(divisions.len());
    for (row, &t) in divisions.iter().zip(town_of) {
        let town = &layouts[t];
        let prof = profile(town.terrain);
        let radius = prof.spread_m * (town.count as f64).sqrt();
        // Communities fill a core disk holding their share of the town's area; villages
        // take the ring around it.
        let core = ((town.communities as f64 / town.count as f64).sqrt()).max(MIN_CORE_FACTOR);
        let (inner, outer, kind_factor) = match row.kind {
            DivisionKind::Village if town.communities > 0 => {
                (core * VILLAGE_CORE_OVERLAP * radius, radius, 1.0)
            }
            DivisionKind::Village => (0.0, radius, 1.0),
            DivisionKind::Community => (0.0, core * radius, 0.6),
        };
        // Keeps seats from bunching up, which would give slivers instead of village areas.
        let min_gap = 0.3 * prof.spread_m * kind_factor;
        let mut chosen = None;
        for attempt in 0..200 {
            // A crowded town gets a slowly shrinking disk rather than an endless loop.
            let shrink = if attempt < 40 {
                1.0
            } else {
                0.985f64.powi(attempt - 40)
            };
            let p = in_ring(rng, town.centre, inner * shrink, outer * shrink);
            if own_is_nearest(p, town) && (attempt >= 120 || !placed.any_within(p, min_gap)) {
                chosen = Some(p);
                break;
            }
        }
        let p = chosen.unwrap_or_else(|| {
            // Last resort near the centre; only exact or near duplicates are ruled out, since
            // those would leave a division without a cell.
            let mut r = 10.0;
            for k in 0.. {
                let p = in_ring(rng, town.centre, 0.0, r);
                if !placed.any_within(p, 1.0) && (k > 200 || own_is_nearest(p, town)) {
                    return p;
                }
                r *= 1.05;
            }
            unreachable!("the search radius grows without bound")
        });
        placed.insert(p);
        points.push(p);
    }
    points
}

fn town_tags(town_name: &str, terrain: Terrain) -> &'static [&'static str] {
    if let Some((_, tags)) = TOWN_TAGS.iter().find(|(key, _)| town_name.contains(key)) {
        return tags;
    }
    match terrain {
        Terrain::Urban => &["纺织制造"],
        Terrain::Plain => &["纺织制造", "渔业"],
        Terrain::Hill => &["花木", "果蔬"],
        Terrain::Mountain => &["竹笋", "茶叶"],
    }
}

fn tags_for(rng: &mut ChaCha8Rng, town_name: &str, terrain: Terrain) -> Vec<String> {
    let mut tags: Vec<String> = town_tags(town_name, terrain)
        .iter()
        .map(|s| s.to_string())
        .collect();
    let extra = rng.random_range(1..=2);
    let mut pool: Vec<&str> = COMMON_TAGS
        .iter()
        .copied()
        .filter(|t| !tags.iter().any(|have| have == t))
        .collect();
    for _ in 0..extra {
        if pool.is_empty() {
            break;
        }
        let k = rng.random_range(0..pool.len());
        tags.push(pool.remove(k).to_string());
    }
    tags
}

fn years_for(
    rng: &mut ChaCha8Rng,
    kind: DivisionKind,
    terrain: Terrain,
    area_km2: f64,
) -> Vec<DemoYear> {
    let prof = profile(terrain);
    let (pop_median, pop_min, pop_max) = match kind {
        DivisionKind::Village => prof.population,
        // Residents' committees cover denser, larger populations.
        DivisionKind::Community => (4_500.0, 1_500.0, 12_000.0),
    };
    let mut population = (pop_median * (0.35 * normal(rng)).exp()).clamp(pop_min, pop_max);
    let persons_per_household = rng.random_range(2.6..3.0);
    let income_median = match kind {
        DivisionKind::Village => prof.income_median_yuan,
        DivisionKind::Community => prof.income_median_yuan * COMMUNITY_INCOME_FACTOR,
    };
    let z = normal(rng);
    let sigma = if z > 0.0 {
        INCOME_LOG_SIGMA_UP
    } else {
        INCOME_LOG_SIGMA_DOWN
    };
    let mut operating_yuan = income_median * (sigma * z).exp();
    if rng.random_bool(STAR_VILLAGE_SHARE) {
        operating_yuan *= rng.random_range(STAR_VILLAGE_BOOST);
    }
    let mut disposable_yuan =
        DISPOSABLE_INCOME_2022_YUAN * prof.disposable_factor * (0.04 * normal(rng)).exp();

    let mut years = Vec::new();
    for year in FIRST_YEAR..=LAST_YEAR {
        if year > FIRST_YEAR {
            population *= 1.0 + rng.random_range(-0.01..=0.01);
            // Collective income mostly grows 6–12 %, but a lost tenant or a one-off project
            // makes about one year in ten a loss.
            let growth = if rng.random_bool(0.1) {
                rng.random_range(-0.10..-0.01)
            } else {
                (0.09 + 0.02 * normal(rng)).clamp(0.02, 0.20)
            };
            operating_yuan *= 1.0 + growth;
            disposable_yuan *= 1.0 + rng.random_range(0.05..=0.08);
        }
        let people = population.round() as i64;
        years.push(DemoYear {
            year,
            population: people,
            households: (people as f64 / persons_per_household).round() as i64,
            operating_income_fen: operating_yuan.round() as i64 * 100,
            disposable_income_fen: (disposable_yuan * 100.0).round() as i64,
            area_km2,
        });
    }
    years
}

/// Division name without the committee suffix, e.g. 谢家坞村委会 → 谢家坞.
fn name_stem(name: &str) -> &str {
    for suffix in [
        "村民委员会",
        "居民委员会",
        "村委会",
        "居委会",
        "居民社区",
        "社区",
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            // 社区居委会 names keep 社区 in front of the suffix.
            return stem.strip_suffix("社区").unwrap_or(stem);
        }
    }
    name
}

/// How people refer to a division in prose: 谢家坞村, 叶家堰社区.
pub(crate) fn display_name(row: &DivisionRow) -> String {
    match row.kind {
        DivisionKind::Village => format!("{}村", name_stem(&row.name)),
        DivisionKind::Community => format!("{}社区", name_stem(&row.name)),
    }
}

pub(crate) fn town_unit(town_name: &str) -> &'static str {
    if town_name.ends_with("街道") {
        "街道"
    } else if town_name.ends_with('乡') {
        "乡"
    } else {
        "镇"
    }
}

struct ZoneContext<'a> {
    divisions: &'a [DivisionRow],
    points: &'a [Pt],
    town_of: &'a [usize],
    layouts: &'a [TownLayout],
    neighbours: &'a [Vec<usize>],
}

/// Picks the division standing for a pilot's core village and explains the choice.
fn choose_key_village(
    ctx: &ZoneContext,
    town: usize,
    core: &str,
    used: &HashSet<usize>,
) -> Option<(usize, String)> {
    let d = ctx.divisions;
    let unit = town_unit(&d[ctx.town_of.iter().position(|&t| t == town)?].town_name);
    let centre = ctx.layouts[town].centre;
    let villages: Vec<usize> = (0..d.len())
        .filter(|&i| ctx.town_of[i] == town && d[i].kind == DivisionKind::Village)
        .filter(|i| !used.contains(i))
        .collect();
    let nearest_to = |to: Pt, among: &[usize]| {
        among
            .iter()
            .copied()
            .min_by(|&a, &b| dist2(ctx.points[a], to).total_cmp(&dist2(ctx.points[b], to)))
    };

    let exact: Vec<usize> = villages
        .iter()
        .copied()
        .filter(|&i| name_stem(&d[i].name) == core)
        .collect();
    let containing: Vec<usize> = villages
        .iter()
        .copied()
        .filter(|&i| d[i].name.contains(core))
        .collect();
    if let Some(i) = nearest_to(centre, &exact).or_else(|| nearest_to(centre, &containing)) {
        let note = format!(
            "2024年区级乡村共富联合体试点，核心村为{}",
            display_name(&d[i])
        );
        return Some((i, note));
    }

    let community = (0..d.len()).find(|&i| {
        ctx.town_of[i] == town
            && d[i].kind == DivisionKind::Community
            && name_stem(&d[i].name) == core
    });
    let why = match community {
        Some(c) => format!(
            "{core}在2023年区划中为社区（{}），不是行政村",
            display_name(&d[c])
        ),
        None => format!("{core}不在2023年区划名单中"),
    };
    let shared = |i: usize| {
        let stem = name_stem(&d[i].name);
        let mut chars: Vec<char> = core.chars().filter(|&c| stem.contains(c)).collect();
        chars.sort_unstable();
        chars.dedup();
        chars.len()
    };
    // A stand-in is a free choice, so take one with free village neighbours to form a zone
    // with, when there is any.
    let roomy: Vec<usize> = villages
        .iter()
        .copied()
        .filter(|&i| grow_zone(ctx, i, 2, used).len() == 3)
        .collect();
    let bordered = if roomy.is_empty() || roomy.len() == villages.len() {
        ""
    } else {
        "、且与其他可入片的行政村接壤"
    };
    let villages = if roomy.is_empty() { villages } else { roomy };
    let best = villages.iter().map(|&i| shared(i)).max().unwrap_or(0);
    if best > 0 {
        let similar: Vec<usize> = villages
            .iter()
            .copied()
            .filter(|&i| shared(i) == best)
            .collect();
        let i = nearest_to(centre, &similar)?;
        let note = format!(
            "{why}，演示数据选用同{unit}名称最相近{bordered}的{}代替",
            display_name(&d[i])
        );
        return Some((i, note));
    }
    match community {
        Some(c) => {
            let i = nearest_to(ctx.points[c], &villages)?;
            let note = format!(
                "{why}，演示数据选用同{unit}离该社区最近{bordered}的{}代替",
                display_name(&d[i])
            );
            Some((i, note))
        }
        None => {
            let i = nearest_to(centre, &villages)?;
            let note = format!(
                "{why}，演示数据选用同{unit}离{unit}中心最近{bordered}的{}代替",
                display_name(&d[i])
            );
            Some((i, note))
        }
    }
}

/// Grows a zone from its key village through shared borders, so members stay connected:
/// direct neighbours of the key village first, same town before other towns, nearer first.
fn grow_zone(ctx: &ZoneContext, key: usize, extra: usize, used: &HashSet<usize>) -> Vec<usize> {
    let d = ctx.divisions;
    let mut members = vec![key];
    while members.len() < extra + 1 {
        let candidate = members
            .iter()
            .flat_map(|&m| ctx.neighbours[m].iter().copied())
            .filter(|&c| d[c].kind == DivisionKind::Village)
            .filter(|c| !used.contains(c) && !members.contains(c))
            .min_by(|&a, &b| {
                let rank = |c: usize| {
                    (
                        !ctx.neighbours[key].contains(&c),
                        ctx.town_of[c] != ctx.town_of[key],
                    )
                };
                rank(a).cmp(&rank(b)).then(
                    dist2(ctx.points[a], ctx.points[key])
                        .total_cmp(&dist2(ctx.points[b], ctx.points[key])),
                )
            });
        match candidate {
            Some(c) => members.push(c),
            None => break,
        }
    }
    members
}

fn pilot_zones(rng: &mut ChaCha8Rng, ctx: &ZoneContext) -> Vec<DemoZone> {
    let d = ctx.divisions;
    let mut used: HashSet<usize> = HashSet::new();
    let mut zones = Vec::new();
    for (short, core, theme) in PILOTS {
        let Some(first) = d.iter().position(|r| r.town_name.contains(short)) else {
            continue;
        };
        let town = ctx.town_of[first];
        let Some((key, note)) = choose_key_village(ctx, town, core, &used) else {
            continue;
        };
        let extra = rng.random_range(2..=4);
        let members = grow_zone(ctx, key, extra, &used);
        let mut note = note;
        if members.len() < 3 {
            note.push_str(&format!(
                "；周边可入片的行政村不足，演示片区只含 {} 个村",
                members.len()
            ));
        }
        used.extend(members.iter().copied());
        let town_name = &d[first].town_name;
        let committee = if town_unit(town_name) == "街道" {
            "党工委"
        } else {
            "党委"
        };
        zones.push(DemoZone {
            name: format!("{short}·{theme}共富片区"),
            theme: theme.to_string(),
            town_code: d[first].town_code.clone(),
            key_village: d[key].code.clone(),
            members: members.iter().map(|&m| d[m].code.clone()).collect(),
            lead_official: format!("{town_name}{committee}副书记"),
            note,
        });
    }
    zones
}

fn closed_lonlat(proj: &LocalProjection, ring: &[Pt]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = ring.iter().map(|&p| proj.to_lonlat(p)).collect();
    if let Some(&first) = out.first() {
        out.push(first);
    }
    out
}

/// Generates the demo district for `divisions`, placing each town's divisions around its
/// entry in `towns` (matched on town code).
///
/// Divisions whose town has no centre are laid out around the projection origin (the mean
/// town centre) as plain terrain. Pilot zones are only created for the 2024 pilot towns that
/// appear in `divisions`, so synthetic input gets none. Same inputs and seed, same output.
pub fn generate(divisions: &[DivisionRow], towns: &[TownCentre], seed: u64) -> DemoDistrict {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let origin = if towns.is_empty() {
        FALLBACK_ORIGIN
    } else {
        let n = towns.len() as f64;
        (
            towns.iter().map(|t| t.lon).sum::<f64>() / n,
            towns.iter().map(|t| t.lat).sum::<f64>() / n,
        )
    };
    let proj = LocalProjection::new(origin.0, origin.1);
    let centres: Vec<Pt> = towns.iter().map(|t| proj.to_xy(t.lon, t.lat)).collect();

    // Towns in order of first appearance, so the layout never depends on hash order.
    let mut town_index: HashMap<&str, usize> = HashMap::new();
    let mut layouts: Vec<TownLayout> = Vec::new();
    let mut town_of = Vec::with_capacity(divisions.len());
    for row in divisions {
        let t = *town_index.entry(row.town_code.as_str()).or_insert_with(|| {
            let known = towns.iter().position(|c| c.code == row.town_code);
            layouts.push(TownLayout {
                centre: known.map_or(Pt::new(0.0, 0.0), |k| centres[k]),
                terrain: known.map_or(Terrain::Plain, |k| towns[k].terrain),
                known,
                count: 0,
                communities: 0,
            });
            layouts.len() - 1
        });
        layouts[t].count += 1;
        if row.kind == DivisionKind::Community {
            layouts[t].communities += 1;
        }
        town_of.push(t);
    }

    let points = place_points(&mut rng, divisions, &town_of, &layouts, &centres);
    let outline = buffer_convex(&convex_hull(&points), OUTLINE_MARGIN_M);
    let cells = voronoi_cells(&points, &outline);

    let mut out = Vec::with_capacity(divisions.len());
    for (i, row) in divisions.iter().enumerate() {
        let terrain = layouts[town_of[i]].terrain;
        let area_km2 = ring_area(&cells[i]) / 1.0e6;
        let tags = tags_for(&mut rng, &row.town_name, terrain);
        let years = years_for(&mut rng, row.kind, terrain, area_km2);
        let (lon, lat) = proj.to_lonlat(points[i]);
        out.push(DemoDivision {
            code: row.code.clone(),
            lon,
            lat,
            boundary: closed_lonlat(&proj, &cells[i]),
            tags,
            years,
        });
    }

    let mut neighbours = vec![Vec::new(); divisions.len()];
    // Cell vertices are computed independently per cell; a centimetre absorbs the rounding.
    for (a, b) in cell_adjacency(&cells, 0.01) {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let ctx = ZoneContext {
        divisions,
        points: &points,
        town_of: &town_of,
        layouts: &layouts,
        neighbours: &neighbours,
    };
    let pilot_zones = pilot_zones(&mut rng, &ctx);

    let town_info: Vec<TownInfo> = layouts
        .iter()
        .enumerate()
        .map(|(t, layout)| TownInfo {
            name: town_of
                .iter()
                .position(|&x| x == t)
                .map(|i| divisions[i].town_name.clone())
                .unwrap_or_default(),
            terrain: layout.terrain,
            centre: proj.to_lonlat(layout.centre),
        })
        .collect();
    let (facilities, infra) = generate_facilities(divisions, &out, &town_of, &town_info, seed);

    DemoDistrict {
        outline: closed_lonlat(&proj, &outline),
        divisions: out,
        pilot_zones,
        facilities,
        infra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate_synthetic, parse_divisions_csv, parse_town_centres_csv};
    use gongfu_plan::geometry::check_ring;
    use std::sync::OnceLock;

    const DIVISIONS: &str = crate::DIVISIONS_CSV;
    const TOWNS: &str = crate::TOWN_CENTRES_CSV;

    fn real_input() -> (Vec<DivisionRow>, Vec<TownCentre>) {
        (
            parse_divisions_csv(DIVISIONS).unwrap(),
            parse_town_centres_csv(TOWNS).unwrap(),
        )
    }

    /// The real district with seed 1, generated once for all tests that only read it.
    fn district() -> &'static (Vec<DivisionRow>, Vec<TownCentre>, DemoDistrict) {
        static CELL: OnceLock<(Vec<DivisionRow>, Vec<TownCentre>, DemoDistrict)> = OnceLock::new();
        CELL.get_or_init(|| {
            let (rows, towns) = real_input();
            let district = generate(&rows, &towns, 1);
            (rows, towns, district)
        })
    }

    fn index_of(rows: &[DivisionRow], code: &str) -> usize {
        rows.iter().position(|r| r.code == code).unwrap()
    }

    fn to_xy(proj: &LocalProjection, ring: &[(f64, f64)]) -> Vec<Pt> {
        ring.iter()
            .map(|&(lon, lat)| proj.to_xy(lon, lat))
            .collect()
    }

    fn median(mut v: Vec<i64>) -> i64 {
        v.sort_unstable();
        v[v.len() / 2]
    }

    fn village_income_2025(
        district: &DemoDistrict,
        rows: &[DivisionRow],
        pick: impl Fn(&str) -> bool,
    ) -> Vec<i64> {
        rows.iter()
            .zip(&district.divisions)
            .filter(|(r, _)| r.kind == DivisionKind::Village && pick(&r.town_code))
            .map(|(_, d)| d.years.last().unwrap().operating_income_fen)
            .collect()
    }

    /// Adjacency recomputed from the published lon/lat boundaries, not the internal cells.
    fn adjacency(district: &DemoDistrict) -> HashSet<(usize, usize)> {
        let proj = LocalProjection::new(120.5, 30.0);
        let cells: Vec<Vec<Pt>> = district
            .divisions
            .iter()
            .map(|d| to_xy(&proj, &d.boundary[..d.boundary.len() - 1]))
            .collect();
        cell_adjacency(&cells, 0.05).into_iter().collect()
    }

    #[test]
    fn the_real_district_has_341_divisions_in_input_order() {
        let (rows, _, district) = district();
        assert_eq!(district.divisions.len(), 341);
        for (r, d) in rows.iter().zip(&district.divisions) {
            assert_eq!(r.code, d.code);
        }
    }

    #[test]
    fn every_boundary_is_a_closed_ccw_ring_that_passes_check_ring() {
        let (_, _, district) = district();
        let proj = LocalProjection::new(120.5, 30.0);
        for d in &district.divisions {
            assert!(d.boundary.len() >= 4, "{}", d.code);
            assert_eq!(d.boundary.first(), d.boundary.last(), "{}", d.code);
            let ring = to_xy(&proj, &d.boundary);
            assert_eq!(check_ring(&ring), Ok(()), "{}", d.code);
            assert!(ring_area(&ring) > 0.0, "{}", d.code);
        }
        let outline = to_xy(&proj, &district.outline);
        assert_eq!(district.outline.first(), district.outline.last());
        assert_eq!(check_ring(&outline), Ok(()));
    }

    #[test]
    fn boundaries_tile_the_outline_and_contain_their_seat() {
        let (_, _, district) = district();
        let proj = LocalProjection::new(120.5, 30.0);
        let total: f64 = district
            .divisions
            .iter()
            .map(|d| ring_area(&to_xy(&proj, &d.boundary)))
            .sum();
        let outline = ring_area(&to_xy(&proj, &district.outline));
        assert!((total - outline).abs() < 1e-6 * outline);
        for d in &district.divisions {
            let ring = to_xy(&proj, &d.boundary);
            let seat = proj.to_xy(d.lon, d.lat);
            let inside = ring.windows(2).all(|w| {
                (w[1].x - w[0].x) * (seat.y - w[0].y) - (w[1].y - w[0].y) * (seat.x - w[0].x) >= 0.0
            });
            assert!(inside, "{}", d.code);
        }
        // The district is about 1,000 km²; the layout should be in that range.
        let km2 = outline / 1e6;
        assert!((600.0..2_000.0).contains(&km2), "{km2} km²");
    }

    #[test]
    fn every_division_has_four_years_of_plausible_figures() {
        let (rows, _, district) = district();
        for (r, d) in rows.iter().zip(&district.divisions) {
            let years: Vec<i32> = d.years.iter().map(|y| y.year).collect();
            assert_eq!(years, vec![2022, 2023, 2024, 2025]);
            for pair in d.years.windows(2) {
                let change = pair[1].population as f64 / pair[0].population as f64 - 1.0;
                // ±1 % on the unrounded figure, plus rounding to whole people.
                let slack = 1.0 / pair[0].population as f64;
                assert!(change.abs() <= 0.01 + slack, "{} {change}", d.code);
                let growth = pair[1].disposable_income_fen as f64
                    / pair[0].disposable_income_fen as f64
                    - 1.0;
                assert!((0.049..=0.081).contains(&growth), "{} {growth}", d.code);
            }
            for y in &d.years {
                assert_eq!(y.operating_income_fen % 100, 0);
                assert!(y.operating_income_fen > 0);
                let ratio = y.population as f64 / y.households as f64;
                assert!((2.55..=3.05).contains(&ratio), "{} {ratio}", d.code);
                assert!(y.area_km2 > 0.0 && y.area_km2 == d.years[0].area_km2);
                if r.kind == DivisionKind::Village {
                    assert!(
                        (780..=5_100).contains(&y.population),
                        "{} {}",
                        d.code,
                        y.population
                    );
                }
            }
        }
    }

    #[test]
    fn village_operating_income_looks_like_the_district() {
        // 1万 yuan in fen.
        const WAN: i64 = 10_000 * 100;
        let (rows, towns, district) = district();
        let all = village_income_2025(district, rows, |_| true);
        let m = median(all.clone());
        assert!(
            (100 * WAN..=250 * WAN).contains(&m),
            "median {} 万元",
            m / WAN
        );
        // A right tail reaching into the tens of millions.
        assert!(*all.iter().max().unwrap() >= 1_000 * WAN);
        let terrain_of = |code: &str| towns.iter().find(|t| t.code == code).unwrap().terrain;
        let mountain = median(village_income_2025(district, rows, |c| {
            terrain_of(c) == Terrain::Mountain
        }));
        let plain = median(village_income_2025(district, rows, |c| {
            terrain_of(c) == Terrain::Plain
        }));
        assert!(mountain < plain, "mountain {mountain} plain {plain}");
        assert!(
            (50 * WAN..=130 * WAN).contains(&mountain),
            "mountain {mountain}"
        );
    }

    #[test]
    fn disposable_income_starts_near_the_2022_district_figure() {
        let (_, _, district) = district();
        let incomes: Vec<i64> = district
            .divisions
            .iter()
            .map(|d| d.years[0].disposable_income_fen)
            .collect();
        let m = median(incomes) as f64 / 100.0;
        assert!((46_000.0..=57_000.0).contains(&m), "{m}");
    }

    #[test]
    fn mountain_villages_are_sparser_than_plain_villages() {
        let (rows, towns, district) = district();
        let terrain_of = |code: &str| towns.iter().find(|t| t.code == code).unwrap().terrain;
        let area = |terrain: Terrain| {
            let areas: Vec<i64> = rows
                .iter()
                .zip(&district.divisions)
                .filter(|(r, _)| {
                    r.kind == DivisionKind::Village && terrain_of(&r.town_code) == terrain
                })
                .map(|(_, d)| (d.years[0].area_km2 * 1000.0) as i64)
                .collect();
            median(areas)
        };
        assert!(area(Terrain::Mountain) > area(Terrain::Plain));
    }

    #[test]
    fn tags_come_from_the_list_and_follow_the_town() {
        let (rows, _, district) = district();
        for (r, d) in rows.iter().zip(&district.divisions) {
            assert!(
                d.tags.iter().all(|t| crate::TAGS.contains(&t.as_str())),
                "{:?}",
                d.tags
            );
            let unique: HashSet<&String> = d.tags.iter().collect();
            assert_eq!(unique.len(), d.tags.len());
            let expect = match r.town_name.as_str() {
                "平水镇" => "茶叶",
                "漓渚镇" => "兰花",
                "安昌街道" => "酱品",
                "稽东镇" => "香榧",
                "王坛镇" => "杨梅",
                "兰亭街道" => "文化",
                "柯岩街道" => "旅游",
                "夏履镇" => "竹笋",
                _ => "纺织制造",
            };
            assert!(
                d.tags.iter().any(|t| t == expect),
                "{} {:?}",
                r.town_name,
                d.tags
            );
        }
    }

    #[test]
    fn there_are_eight_pilot_zones_named_after_the_2024_consortia() {
        let (rows, _, district) = district();
        let zones = &district.pilot_zones;
        assert_eq!(zones.len(), 8);
        assert_eq!(zones[0].name, "兰亭·芳湖雅韵共富片区");
        assert_eq!(zones[0].lead_official, "兰亭街道党工委副书记");
        assert_eq!(zones[5].lead_official, "平水镇党委副书记");
        for z in zones {
            let key = &rows[index_of(rows, &z.key_village)];
            assert_eq!(key.town_code, z.town_code);
            assert!(z.name.contains(&z.theme));
            assert!(!z.note.is_empty());
        }
    }

    #[test]
    fn key_villages_are_the_named_villages_or_explained_stand_ins() {
        let (rows, _, district) = district();
        let key_name = |k: usize| &rows[index_of(rows, &district.pilot_zones[k].key_village)].name;
        assert_eq!(key_name(0), "谢家坞村委会");
        assert_eq!(key_name(2), "安华村委会");
        assert_eq!(key_name(6), "东村村委会");
        assert_eq!(key_name(7), "大桥村委会");
        // 浦夏荡 is missing from the 2023 list; 蒲荡夏 shares two of its characters.
        assert_eq!(key_name(3), "蒲荡夏村委会");
        let yang = &district.pilot_zones[3].note;
        assert!(
            yang.contains("浦夏荡不在2023年区划名单中") && yang.contains("蒲荡夏村"),
            "{yang}"
        );
        // 叶家堰 is a residents' committee, so a village of 柯岩街道 stands in.
        let ye = &district.pilot_zones[1];
        let stand_in = &rows[index_of(rows, &ye.key_village)];
        assert_eq!(stand_in.town_name, "柯岩街道");
        assert_eq!(stand_in.kind, DivisionKind::Village);
        assert!(
            ye.note.starts_with("叶家堰在2023年区划中为社区"),
            "{}",
            ye.note
        );
        assert!(ye.note.contains(&display_name(stand_in)), "{}", ye.note);
    }

    #[test]
    fn zone_members_are_villages_including_the_key_village() {
        let (rows, _, district) = district();
        for z in &district.pilot_zones {
            assert_eq!(z.members[0], z.key_village);
            assert!(
                (3..=5).contains(&z.members.len()),
                "{} {:?}",
                z.name,
                z.members
            );
            for m in &z.members {
                assert_eq!(rows[index_of(rows, m)].kind, DivisionKind::Village);
            }
        }
    }

    #[test]
    fn no_village_is_in_two_pilot_zones() {
        let (_, _, district) = district();
        let mut seen = HashSet::new();
        for m in district.pilot_zones.iter().flat_map(|z| &z.members) {
            assert!(seen.insert(m), "{m} is in two zones");
        }
    }

    #[test]
    fn zone_members_are_connected_through_shared_borders() {
        let (rows, _, district) = district();
        let adj = adjacency(district);
        for z in &district.pilot_zones {
            let idx: Vec<usize> = z.members.iter().map(|m| index_of(rows, m)).collect();
            let mut reached = vec![idx[0]];
            let mut k = 0;
            while k < reached.len() {
                let a = reached[k];
                for &b in &idx {
                    if !reached.contains(&b) && adj.contains(&(a.min(b), a.max(b))) {
                        reached.push(b);
                    }
                }
                k += 1;
            }
            assert_eq!(reached.len(), idx.len(), "{} is not connected", z.name);
        }
    }

    #[test]
    fn zones_stay_disjoint_connected_and_keyed_across_seeds() {
        let (rows, towns) = real_input();
        for seed in 0..8 {
            let district = generate(&rows, &towns, seed);
            assert_eq!(district.pilot_zones.len(), 8, "seed {seed}");
            let adj = adjacency(&district);
            let mut seen = HashSet::new();
            for z in &district.pilot_zones {
                assert_eq!(z.members[0], z.key_village, "seed {seed}");
                assert!((2..=5).contains(&z.members.len()), "seed {seed} {}", z.name);
                for (k, m) in z.members.iter().enumerate() {
                    assert!(seen.insert(m.clone()), "seed {seed}: {m} in two zones");
                    let i = index_of(&rows, m);
                    assert_eq!(rows[i].kind, DivisionKind::Village);
                    // Members are added one at a time next to an earlier member.
                    let linked = z.members[..k].iter().any(|e| {
                        let j = index_of(&rows, e);
                        adj.contains(&(i.min(j), i.max(j)))
                    });
                    assert!(
                        k == 0 || linked,
                        "seed {seed}: {m} hangs loose in {}",
                        z.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_district_and_another_seed_does_not() {
        let (rows, towns) = real_input();
        let a = generate(&rows, &towns, 42);
        let b = generate(&rows, &towns, 42);
        let c = generate(&rows, &towns, 43);
        assert_eq!(a, b);
        assert_ne!(a.divisions[0].boundary, c.divisions[0].boundary);
        assert_ne!(a.divisions[0].years, c.divisions[0].years);
    }

    #[test]
    fn divisions_of_an_unknown_town_still_get_boundaries() {
        let (mut rows, towns) = real_input();
        rows.truncate(40);
        for r in &mut rows[..5] {
            r.town_code = "999999999".to_string();
        }
        let district = generate(&rows, &towns, 3);
        let proj = LocalProjection::new(120.5, 30.0);
        for d in &district.divisions {
            assert_eq!(check_ring(&to_xy(&proj, &d.boundary)), Ok(()));
        }
        let alone = generate(&rows[..3], &[], 3);
        assert_eq!(alone.divisions.len(), 3);
        let empty = generate(&[], &towns, 3);
        assert!(empty.divisions.is_empty() && empty.outline.is_empty());
    }

    #[test]
    fn synthetic_province_data_goes_through_generate() {
        let (rows, towns) = generate_synthetic(3_000, 800, 1);
        let district = generate(&rows, &towns, 1);
        assert_eq!(district.divisions.len(), 3_000);
        assert!(district.pilot_zones.is_empty());
        let proj = LocalProjection::new(120.5, 30.0);
        for d in &district.divisions {
            assert_eq!(check_ring(&to_xy(&proj, &d.boundary)), Ok(()), "{}", d.code);
        }
    }
}
