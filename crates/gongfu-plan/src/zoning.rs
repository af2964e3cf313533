//! The zone planner (片区规划): groups units (villages) into contiguous zones.
//!
//! Two constructions feed one local search:
//! - without key villages, spatially constrained Ward agglomeration ([`Count::K`]) or
//!   floor-driven region growing ([`Count::MaxP`]);
//! - with key villages required (强村带弱村), seeded growth from key-village candidates, so
//!   every zone is led by one and no zone can be all weak.
//!
//! The local search moves single boundary units between neighbouring zones when that lowers
//! the weighted objective, never breaking a hard rule: every zone stays connected in the
//! graph, locked units and key villages never move, zones never leave their town when asked
//! to stay, and size bounds are first repaired then kept. Restarts run on every core and the
//! best answer wins by (bound violation, zone count for max-p, objective, restart number), so
//! the same input and seed always give the same answer.

// Parallel arrays indexed by unit and by zone read more plainly as index loops.
#![allow(clippy::needless_range_loop)]

use crate::contiguity::Graph;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

/// One unit to place (a village, or a polygon in the comparison instances).
#[derive(Debug, Clone, Default)]
pub struct Unit {
    /// Attributes for the homogeneity objective, raw; standardised inside.
    pub attrs: Vec<f64>,
    /// The size measure: population, or 1 to count villages.
    pub size: f64,
    /// 经营性收入 (any unit, e.g. yuan), for evening out zone mean incomes.
    pub income: f64,
    /// 重点村候选: may lead a zone.
    pub key_candidate: bool,
    /// 薄弱村.
    pub weak: bool,
    /// Industry and resource tags, as small integers, for 资源互补.
    pub tags: Vec<u16>,
    /// Planar position in metres.
    pub x: f64,
    pub y: f64,
    /// Town (镇街) number, for "stay within the town".
    pub group: u32,
    /// Existing zone this unit is locked into: it stays there.
    pub locked: Option<u32>,
}

/// How many zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Count {
    /// Exactly this many zones.
    K(usize),
    /// As many zones as possible, each of size at least `floor`.
    MaxP { floor: f64 },
}

/// Weights of the objectives; 0 switches one off. Each is normalised by its value at the
/// start, so the weights compare like with like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Classic homogeneity: within-zone sum of squared deviations of standardised attributes.
    pub homogeneity: f64,
    /// 强村带弱村: zone mean incomes as even as possible.
    pub balance: f64,
    /// 资源互补: distinct tags per zone, more is better.
    pub diversity: f64,
    /// Short distances from members to the key village (or to the zone centre without keys).
    pub compactness: f64,
}

impl Weights {
    /// Only the classic homogeneity objective (the comparison harness's SSD).
    pub const HOMOGENEITY: Weights = Weights {
        homogeneity: 1.0,
        balance: 0.0,
        diversity: 0.0,
        compactness: 0.0,
    };
}

#[derive(Debug, Clone)]
pub struct Params {
    pub count: Count,
    /// Bounds on a zone's size (in the unit size measure). The lower bound (and the max-p
    /// floor) does not bind zones holding locked units: they exist already.
    pub min_size: Option<f64>,
    pub max_size: Option<f64>,
    /// Fewest units per zone (a consortium is a key village and at least one linked village).
    pub min_units: usize,
    /// Every zone must hold a key-village candidate, which leads it.
    pub require_key: bool,
    /// Zones never cross towns.
    pub stay_in_group: bool,
    pub weights: Weights,
    pub seed: u64,
    /// Restarts (each a different seed); they share out over `threads`.
    pub restarts: usize,
    pub threads: usize,
    /// Perturbation rounds after the first local optimum, per restart.
    pub kicks: usize,
}

/// A search budget that fits the instance: small instances get many restarts and
/// perturbation rounds (each costs microseconds), large ones one restart per core.
/// Returns `(restarts, kicks)`.
pub fn default_budget(units: usize, threads: usize, count: Count) -> (usize, usize) {
    let n = units.max(1);
    let threads = threads.max(1);
    if let Count::K(_) = count {
        // Ward already lands close; a short search per core is enough.
        return (threads, 8);
    }
    let restarts = (20_000 / n).clamp(threads, 32).max(threads);
    let kicks = (160_000 / n).clamp(8, 1000);
    (restarts, kicks)
}

impl Default for Params {
    fn default() -> Self {
        Params {
            count: Count::K(1),
            min_size: None,
            max_size: None,
            min_units: 1,
            require_key: false,
            stay_in_group: false,
            weights: Weights::HOMOGENEITY,
            seed: 0,
            restarts: 4,
            threads: 2,
            kicks: 8,
        }
    }
}

/// The objective's parts for one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Within-zone SSD of standardised attributes.
    pub ssd: f64,
    /// Σ over zones of (zone mean income − overall mean)², incomes standardised.
    pub balance: f64,
    /// Σ over zones of distinct tags.
    pub diversity: f64,
    /// Σ of squared distances (km²) to the key village, or to the zone centre without keys.
    pub compactness: f64,
    /// The weighted, normalised total the search minimised.
    pub total: f64,
}

/// A proposal: a zone number per unit (0..zones), and each zone's key village.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub labels: Vec<u32>,
    pub zones: usize,
    /// Key unit per zone, when keys are required.
    pub keys: Vec<Option<usize>>,
    pub score: Score,
}

/// Why no plan could be made. Messages are for the people who set the parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanError {
    Empty,
    /// The graph has a different number of units than the input.
    GraphMismatch {
        units: usize,
        graph: usize,
    },
    /// Locked units of one existing zone are not connected.
    LockedNotContiguous {
        zone: u32,
    },
    /// More separate pieces (components, or towns when staying within them) than zones asked.
    TooManyPieces {
        pieces: usize,
        k: usize,
    },
    /// Fewer key-village candidates than zones asked, or a piece without any.
    NotEnoughKeys {
        needed: usize,
        available: usize,
    },
    /// A connected piece with no key-village candidate (its first unit is named).
    PieceWithoutKey {
        unit: usize,
    },
    /// Size bounds could not be met: how many zones, and for each (up to five) its units and
    /// size, so the caller can name them.
    BoundsUnmet {
        zones_outside: usize,
        zones: Vec<(Vec<usize>, f64)>,
    },
    /// A unit no zone can take (every reachable zone is at its size cap).
    Unreachable {
        unit: usize,
    },
    /// k is zero or exceeds the number of units.
    BadK {
        k: usize,
        units: usize,
    },
    Cancelled,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Empty => write!(f, "没有可规划的村"),
            PlanError::GraphMismatch { units, graph } => {
                write!(f, "邻接关系有 {graph} 个单元，而输入有 {units} 个")
            }
            PlanError::LockedNotContiguous { zone } => write!(
                f,
                "已锁定的片区 {zone} 的成员村互不相邻，无法保持片区连片；请先调整该片区或取消锁定"
            ),
            PlanError::TooManyPieces { pieces, k } => write!(
                f,
                "村域被分成 {pieces} 块互不相邻（或不同镇街）的区域，至少需要 {pieces} 个片区，而要求的是 {k} 个"
            ),
            PlanError::NotEnoughKeys { needed, available } => write!(
                f,
                "需要 {needed} 个重点村，但只有 {available} 个候选；请降低片区数或放宽强村标准"
            ),
            PlanError::PieceWithoutKey { unit } => write!(
                f,
                "单元 {unit} 所在的连片区域没有重点村候选，无法组成以强村带弱村的片区"
            ),
            PlanError::BoundsUnmet { zones_outside, .. } => write!(
                f,
                "有 {zones_outside} 个片区的规模无法满足上下限；请放宽规模上下限或调整片区数"
            ),
            PlanError::BadK { k, units } => {
                write!(f, "片区数应在 1 至 {units} 之间，收到 {k}")
            }
            PlanError::Unreachable { unit } => write!(
                f,
                "单元 {unit} 无法并入任何片区（相邻片区都已达到规模上限）；请放宽规模上限或增加片区数"
            ),
            PlanError::Cancelled => write!(f, "规划已取消"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Progress reports: `done` of `total` restarts finished. Return `false` to cancel.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) -> bool + Sync);

/// Plans zones. See the module documentation for what always holds.
pub fn plan(
    units: &[Unit],
    graph: &Graph,
    params: &Params,
    progress: Progress<'_>,
) -> Result<Plan, PlanError> {
    let n = units.len();
    if n == 0 {
        return Err(PlanError::Empty);
    }
    if graph.len() != n {
        return Err(PlanError::GraphMismatch {
            units: n,
            graph: graph.len(),
        });
    }
    if let Count::K(k) = params.count
        && (k == 0 || k > n)
    {
        return Err(PlanError::BadK { k, units: n });
    }
    let data = Data::new(units, graph, params)?;
    // Ward is deterministic: build it once, and let the restarts differ in their search.
    let shared = match params.count {
        Count::K(k) if !params.require_key => Some(ward(&data, params, k)?),
        _ => None,
    };
    let restarts = params.restarts.max(1);
    let threads = params.threads.clamp(1, restarts);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let mut results: Vec<Option<Result<State, PlanError>>> = (0..restarts).map(|_| None).collect();
    std::thread::scope(|scope| {
        let chunks: Vec<Vec<usize>> = (0..threads)
            .map(|t| (t..restarts).step_by(threads).collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|mine| {
                let data = &data;
                let shared = shared.as_ref();
                let done = &done;
                let cancelled = &cancelled;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for r in mine {
                        if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let seed = params
                            .seed
                            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            .wrapping_add(r as u64);
                        out.push((r, run_once(data, params, seed, r, shared)));
                        let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                        if !progress(d, restarts) {
                            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    out
                })
            })
            .collect();
        for h in handles {
            for (r, res) in h.join().expect("planner thread") {
                results[r] = Some(res);
            }
        }
    });
    if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(PlanError::Cancelled);
    }
    let mut best: Option<(usize, State)> = None;
    let mut first_error = None;
    for (r, res) in results.into_iter().enumerate() {
        match res {
            Some(Ok(s)) => {
                let better = match &best {
                    None => true,
                    Some((_, b)) => s.rank(params.count) < b.rank(params.count),
                };
                if better {
                    best = Some((r, s));
                }
            }
            Some(Err(e)) => {
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    let Some((_, state)) = best else {
        return Err(first_error.unwrap_or(PlanError::Cancelled));
    };
    if state.violation > 1e-9 {
        let outside: Vec<(Vec<usize>, f64)> = (0..state.zones)
            .filter(|&r| state.zone_violation(&data, r) > 1e-9)
            .take(5)
            .map(|r| {
                let units = (0..units.len())
                    .filter(|&i| state.labels[i] as usize == r)
                    .collect();
                (units, state.size[r])
            })
            .collect();
        return Err(PlanError::BoundsUnmet {
            zones_outside: state.zones_outside(),
            zones: outside,
        });
    }
    Ok(state.into_plan(&data))
}

/// Inputs prepared once and shared by every restart.
struct Data<'a> {
    graph: &'a Graph,
    units: &'a [Unit],
    /// Standardised attributes, row-major `n × d`.
    z: Vec<f64>,
    d: usize,
    /// |z_i|².
    zz: Vec<f64>,
    /// Standardised income.
    inc: Vec<f64>,
    /// Coordinates in km.
    xy: Vec<(f64, f64)>,
    lo: f64,
    hi: f64,
    min_units: f64,
    /// Towns per unit for "stay within the town": its own, or every town its locked zone
    /// spans.
    group: Vec<Vec<u32>>,
    /// Locked zone of each unit, renumbered 0..locked_zones.
    locked: Vec<Option<u32>>,
    locked_zones: usize,
}

fn standardise(values: impl Fn(usize) -> f64, n: usize) -> Vec<f64> {
    let mean = (0..n).map(&values).sum::<f64>() / n as f64;
    let var = (0..n).map(|i| (values(i) - mean).powi(2)).sum::<f64>() / n as f64;
    let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
    (0..n).map(|i| (values(i) - mean) / sd).collect()
}

impl<'a> Data<'a> {
    fn new(units: &'a [Unit], graph: &'a Graph, params: &Params) -> Result<Data<'a>, PlanError> {
        let n = units.len();
        let d = units.iter().map(|u| u.attrs.len()).max().unwrap_or(0);
        let mut z = vec![0.0; n * d];
        for a in 0..d {
            let col = standardise(|i| units[i].attrs.get(a).copied().unwrap_or(0.0), n);
            for i in 0..n {
                z[i * d + a] = col[i];
            }
        }
        let zz = (0..n)
            .map(|i| z[i * d..(i + 1) * d].iter().map(|v| v * v).sum())
            .collect();
        let inc = standardise(|i| units[i].income, n);
        let xy = units.iter().map(|u| (u.x / 1000.0, u.y / 1000.0)).collect();
        let mut renumber: HashMap<u32, u32> = HashMap::new();
        let locked: Vec<Option<u32>> = units
            .iter()
            .map(|u| {
                u.locked.map(|l| {
                    let next = renumber.len() as u32;
                    *renumber.entry(l).or_insert(next)
                })
            })
            .collect();
        let locked_zones = renumber.len();
        let mut original: Vec<u32> = vec![0; locked_zones];
        for (orig, new) in &renumber {
            original[*new as usize] = *orig;
        }
        for lz in 0..locked_zones as u32 {
            let members: Vec<usize> = (0..n).filter(|&i| locked[i] == Some(lz)).collect();
            if !graph.is_connected_subset(&members) {
                return Err(PlanError::LockedNotContiguous {
                    zone: original[lz as usize],
                });
            }
        }
        // An existing zone that already spans towns stays as it is, and may take villages
        // from any of the towns it spans.
        let mut spanned: HashMap<u32, Vec<u32>> = HashMap::new();
        for i in 0..n {
            if let Some(l) = locked[i] {
                let towns = spanned.entry(l).or_default();
                if !towns.contains(&units[i].group) {
                    towns.push(units[i].group);
                }
            }
        }
        let group: Vec<Vec<u32>> = (0..n)
            .map(|i| match locked[i] {
                Some(l) => spanned[&l].clone(),
                None => vec![units[i].group],
            })
            .collect();
        let (mut lo, hi) = (
            params.min_size.unwrap_or(f64::NEG_INFINITY),
            params.max_size.unwrap_or(f64::INFINITY),
        );
        if let Count::MaxP { floor } = params.count {
            lo = lo.max(floor);
        }
        Ok(Data {
            graph,
            units,
            z,
            d,
            zz,
            inc,
            xy,
            lo,
            hi,
            min_units: params.min_units as f64,
            group,
            locked,
            locked_zones,
        })
    }

    fn zrow(&self, i: usize) -> &[f64] {
        &self.z[i * self.d..(i + 1) * self.d]
    }

    fn may_join(&self, stay: bool, a: usize, b: usize) -> bool {
        !stay || self.group[a].iter().any(|g| self.group[b].contains(g))
    }
}

/// Pieces the zones can never bridge: graph components, split by town when zones stay within
/// towns. Returns a piece number per unit and the count.
fn pieces(data: &Data<'_>, stay: bool) -> (Vec<u32>, usize) {
    let n = data.units.len();
    let mut label = vec![u32::MAX; n];
    let mut count = 0u32;
    let mut stack = Vec::new();
    for s in 0..n {
        if label[s] != u32::MAX {
            continue;
        }
        label[s] = count;
        stack.push(s);
        while let Some(i) = stack.pop() {
            for &j in data.graph.neighbors(i) {
                let j = j as usize;
                if label[j] == u32::MAX && data.may_join(stay, i, j) {
                    label[j] = count;
                    stack.push(j);
                }
            }
        }
        count += 1;
    }
    (label, count as usize)
}

/// The search state of one restart.
#[derive(Clone)]
struct State {
    labels: Vec<u32>,
    zones: usize,
    count: Vec<u32>,
    size: Vec<f64>,
    sum: Vec<f64>,
    sq: Vec<f64>,
    inc_sum: Vec<f64>,
    cx: Vec<f64>,
    cy: Vec<f64>,
    cxy2: Vec<f64>,
    tags: Vec<HashMap<u16, u32>>,
    /// Zones holding locked units (existing zones): exempt from the size floor.
    has_locked: Vec<bool>,
    keys: Vec<Option<usize>>,
    /// Normalisers: each objective's value at the start (1 when that was 0).
    norm: [f64; 4],
    violation: f64,
    /// Zones outside the size bounds, as of the last `evaluate`.
    outside: usize,
    objective: f64,
    score: Score,
}

impl State {
    fn new(data: &Data<'_>, labels: Vec<u32>, keys: Vec<Option<usize>>) -> State {
        let zones = keys.len();
        let d = data.d;
        let mut s = State {
            labels,
            zones,
            count: vec![0; zones],
            size: vec![0.0; zones],
            sum: vec![0.0; zones * d],
            sq: vec![0.0; zones],
            inc_sum: vec![0.0; zones],
            cx: vec![0.0; zones],
            cy: vec![0.0; zones],
            cxy2: vec![0.0; zones],
            tags: vec![HashMap::new(); zones],
            has_locked: vec![false; zones],
            keys,
            norm: [1.0; 4],
            violation: 0.0,
            outside: 0,
            objective: 0.0,
            score: Score::default(),
        };
        for i in 0..data.units.len() {
            let r = s.labels[i] as usize;
            s.add(data, i, r);
            if data.locked[i].is_some() {
                s.has_locked[r] = true;
            }
        }
        s
    }

    fn add(&mut self, data: &Data<'_>, i: usize, r: usize) {
        self.count[r] += 1;
        self.size[r] += data.units[i].size;
        for (a, v) in data.zrow(i).iter().enumerate() {
            self.sum[r * data.d + a] += v;
        }
        self.sq[r] += data.zz[i];
        self.inc_sum[r] += data.inc[i];
        let (x, y) = data.xy[i];
        self.cx[r] += x;
        self.cy[r] += y;
        self.cxy2[r] += x * x + y * y;
        for t in &data.units[i].tags {
            *self.tags[r].entry(*t).or_insert(0) += 1;
        }
    }

    fn remove(&mut self, data: &Data<'_>, i: usize, r: usize) {
        self.count[r] -= 1;
        self.size[r] -= data.units[i].size;
        for (a, v) in data.zrow(i).iter().enumerate() {
            self.sum[r * data.d + a] -= v;
        }
        self.sq[r] -= data.zz[i];
        self.inc_sum[r] -= data.inc[i];
        let (x, y) = data.xy[i];
        self.cx[r] -= x;
        self.cy[r] -= y;
        self.cxy2[r] -= x * x + y * y;
        for t in &data.units[i].tags {
            if let Some(c) = self.tags[r].get_mut(t) {
                *c -= 1;
                if *c == 0 {
                    self.tags[r].remove(t);
                }
            }
        }
    }

    fn zone_ssd(&self, d: usize, r: usize) -> f64 {
        let n = self.count[r] as f64;
        if n == 0.0 {
            return 0.0;
        }
        let s2: f64 = self.sum[r * d..(r + 1) * d].iter().map(|v| v * v).sum();
        (self.sq[r] - s2 / n).max(0.0)
    }

    fn zone_balance(&self, r: usize) -> f64 {
        let n = self.count[r] as f64;
        if n == 0.0 {
            0.0
        } else {
            (self.inc_sum[r] / n).powi(2)
        }
    }

    fn zone_compactness(&self, data: &Data<'_>, r: usize) -> f64 {
        let n = self.count[r] as f64;
        if n == 0.0 {
            return 0.0;
        }
        match self.keys[r] {
            Some(k) => {
                let (kx, ky) = data.xy[k];
                // Σ|p − k|² = Σ|p|² − 2 k·Σp + n|k|²
                (self.cxy2[r] - 2.0 * (kx * self.cx[r] + ky * self.cy[r]) + n * (kx * kx + ky * ky))
                    .max(0.0)
            }
            None => (self.cxy2[r] - (self.cx[r].powi(2) + self.cy[r].powi(2)) / n).max(0.0),
        }
    }

    fn zone_violation(&self, data: &Data<'_>, r: usize) -> f64 {
        self.lower(data, r, self.size[r])
            + (self.size[r] - data.hi).max(0.0)
            + (data.min_units - self.count[r] as f64).max(0.0)
    }

    /// Shortfall below the size floor. An existing (locked) zone is exempt: it is there
    /// already and its members cannot move, so a floor meant for new zones must not make the
    /// whole plan impossible.
    fn lower(&self, data: &Data<'_>, r: usize, size: f64) -> f64 {
        if self.has_locked[r] {
            0.0
        } else {
            (data.lo - size).max(0.0)
        }
    }

    fn zones_outside(&self) -> usize {
        self.outside
    }

    /// Recomputes every total from the zone statistics.
    fn evaluate(&mut self, data: &Data<'_>, w: &Weights) {
        let mut sc = Score::default();
        let mut violation = 0.0;
        let mut outside = 0;
        for r in 0..self.zones {
            sc.ssd += self.zone_ssd(data.d, r);
            sc.balance += self.zone_balance(r);
            sc.diversity += self.tags[r].len() as f64;
            sc.compactness += self.zone_compactness(data, r);
            let v = self.zone_violation(data, r);
            violation += v;
            if v > 1e-9 {
                outside += 1;
            }
        }
        self.violation = violation;
        self.outside = outside;
        let n = self.norm;
        sc.total = w.homogeneity * sc.ssd / n[0] + w.balance * sc.balance / n[1]
            - w.diversity * sc.diversity / n[2]
            + w.compactness * sc.compactness / n[3];
        self.objective = sc.total;
        self.score = sc;
    }

    fn set_norms(&mut self, data: &Data<'_>, w: &Weights) {
        self.norm = [1.0; 4];
        self.evaluate(data, w);
        let s = self.score;
        let pick = |v: f64| if v > 1e-12 { v } else { 1.0 };
        self.norm = [
            pick(s.ssd),
            pick(s.balance),
            pick(s.diversity),
            pick(s.compactness),
        ];
        self.evaluate(data, w);
    }

    /// Change in (violation, objective) if unit `i` moved from its zone to `b`.
    fn delta(&self, data: &Data<'_>, w: &Weights, i: usize, b: usize) -> (f64, f64) {
        let a = self.labels[i] as usize;
        let d = data.d;
        let x = data.zrow(i);
        let (na, nb) = (self.count[a] as f64, self.count[b] as f64);
        let mut obj = 0.0;
        if w.homogeneity != 0.0 {
            let (mut sa2, mut sax2, mut sb2, mut sbx2) = (0.0, 0.0, 0.0, 0.0);
            for k in 0..d {
                let sa = self.sum[a * d + k];
                let sb = self.sum[b * d + k];
                sa2 += sa * sa;
                sax2 += (sa - x[k]).powi(2);
                sb2 += sb * sb;
                sbx2 += (sb + x[k]).powi(2);
            }
            let da = -data.zz[i] + sa2 / na - if na > 1.0 { sax2 / (na - 1.0) } else { 0.0 };
            let db = data.zz[i] + if nb > 0.0 { sb2 / nb } else { 0.0 } - sbx2 / (nb + 1.0);
            obj += w.homogeneity * (da + db) / self.norm[0];
        }
        if w.balance != 0.0 {
            let v = data.inc[i];
            let ma = self.inc_sum[a] / na;
            let ma2 = if na > 1.0 {
                (self.inc_sum[a] - v) / (na - 1.0)
            } else {
                0.0
            };
            let mb = if nb > 0.0 { self.inc_sum[b] / nb } else { 0.0 };
            let mb2 = (self.inc_sum[b] + v) / (nb + 1.0);
            let change = ma2 * ma2 - ma * ma + mb2 * mb2 - if nb > 0.0 { mb * mb } else { 0.0 };
            obj += w.balance * change / self.norm[1];
        }
        if w.diversity != 0.0 {
            let mut change = 0.0;
            for t in &data.units[i].tags {
                if self.tags[a].get(t) == Some(&1) {
                    change -= 1.0;
                }
                if !self.tags[b].contains_key(t) {
                    change += 1.0;
                }
            }
            obj -= w.diversity * change / self.norm[2];
        }
        if w.compactness != 0.0 {
            let (px, py) = data.xy[i];
            let change = match (self.keys[a], self.keys[b]) {
                (Some(ka), Some(kb)) => {
                    let d2 = |k: usize| {
                        let (kx, ky) = data.xy[k];
                        (px - kx).powi(2) + (py - ky).powi(2)
                    };
                    d2(kb) - d2(ka)
                }
                _ => {
                    // Inertia about the centre, before and after.
                    let inertia = |n: f64, sx: f64, sy: f64, s2: f64| {
                        if n > 0.0 {
                            s2 - (sx * sx + sy * sy) / n
                        } else {
                            0.0
                        }
                    };
                    let p2 = px * px + py * py;
                    inertia(
                        na - 1.0,
                        self.cx[a] - px,
                        self.cy[a] - py,
                        self.cxy2[a] - p2,
                    ) - inertia(na, self.cx[a], self.cy[a], self.cxy2[a])
                        + inertia(
                            nb + 1.0,
                            self.cx[b] + px,
                            self.cy[b] + py,
                            self.cxy2[b] + p2,
                        )
                        - inertia(nb, self.cx[b], self.cy[b], self.cxy2[b])
                }
            };
            obj += w.compactness * change / self.norm[3];
        }
        let s = data.units[i].size;
        let viol = |r: usize, size: f64| self.lower(data, r, size) + (size - data.hi).max(0.0);
        let few = |c: f64| (data.min_units - c).max(0.0);
        let dv = viol(a, self.size[a] - s) - viol(a, self.size[a]) + viol(b, self.size[b] + s)
            - viol(b, self.size[b])
            + few(na - 1.0)
            - few(na)
            + few(nb + 1.0)
            - few(nb);
        (dv, obj)
    }

    fn rank(&self, count: Count) -> (OrdF64, i64, OrdF64) {
        let zones = match count {
            Count::MaxP { .. } => -(self.zones as i64),
            Count::K(_) => 0,
        };
        (OrdF64(self.violation), zones, OrdF64(self.objective))
    }

    fn into_plan(self, _data: &Data<'_>) -> Plan {
        Plan {
            labels: self.labels,
            zones: self.zones,
            keys: self.keys,
            score: self.score,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

type Construction = (Vec<u32>, Vec<Option<usize>>);

/// The root of `i` in a union–find forest, halving paths on the way.
fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[i as usize];
        parent[i as usize] = parent[p as usize];
        i = p;
    }
    i
}

/// Zone numbers 0, 1, … in order of each cluster's lowest unit, and no keys.
fn clusters_to_labels(parent: &mut [u32]) -> Construction {
    let mut label_of: HashMap<u32, u32> = HashMap::new();
    let labels = (0..parent.len() as u32)
        .map(|i| {
            let r = find(parent, i);
            let next = label_of.len() as u32;
            *label_of.entry(r).or_insert(next)
        })
        .collect();
    (labels, vec![None; label_of.len()])
}

fn run_once(
    data: &Data<'_>,
    params: &Params,
    seed: u64,
    restart: usize,
    shared: Option<&Construction>,
) -> Result<State, PlanError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (labels, keys) = if let Some(c) = shared {
        c.clone()
    } else if params.require_key {
        seeded_growth(data, params, &mut rng, restart)?
    } else {
        match params.count {
            Count::K(k) => ward(data, params, k)?,
            Count::MaxP { floor } => {
                let (labels, keys) = if restart % 3 == 2 {
                    merge_to_floor(data, params, floor, &mut rng)
                } else {
                    grow_to_floor(data, params, floor, &mut rng, restart)?
                };
                split_large(data, params, floor, labels, keys, &mut rng)
            }
        }
    };
    if let Some(unit) = labels.iter().position(|&l| l as usize >= keys.len()) {
        return Err(PlanError::Unreachable { unit });
    }
    let mut state = State::new(data, labels, keys);
    state.set_norms(data, &params.weights);
    let mut search = Search::new(data, params);
    search.descend(&mut state, &mut rng, None);
    if params.kicks > 0 {
        let mut best = state.clone();
        for _ in 0..params.kicks {
            let moved = search.kick(&mut state, &mut rng);
            search.descend(&mut state, &mut rng, Some(moved));
            state.evaluate(data, &params.weights);
            if (OrdF64(state.violation), OrdF64(state.objective))
                < (OrdF64(best.violation), OrdF64(best.objective))
            {
                best = state.clone();
            } else {
                state = best.clone();
            }
        }
        state = best;
    }
    state.evaluate(data, &params.weights);
    Ok(state)
}

/// Spatially constrained Ward agglomeration: start from single units (locked zones start
/// whole), repeatedly merge the adjacent pair whose merge adds least SSD, never across towns
/// when asked, never two locked zones, never above the size cap, until `k` remain.
fn ward(
    data: &Data<'_>,
    params: &Params,
    k: usize,
) -> Result<(Vec<u32>, Vec<Option<usize>>), PlanError> {
    let n = data.units.len();
    let d = data.d;
    // Union-find over units, with cluster statistics at the root.
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut count = vec![1.0f64; n];
    let mut size: Vec<f64> = data.units.iter().map(|u| u.size).collect();
    let mut sum: Vec<f64> = data.z.clone();
    let mut locked: Vec<Option<u32>> = data.locked.clone();
    let mut version = vec![0u32; n];
    let mut adj: Vec<Vec<u32>> = (0..n).map(|i| data.graph.neighbors(i).to_vec()).collect();
    let mut clusters = n;
    let stay = params.stay_in_group;

    let merge = |a: u32,
                 b: u32,
                 parent: &mut Vec<u32>,
                 count: &mut Vec<f64>,
                 size: &mut Vec<f64>,
                 sum: &mut Vec<f64>,
                 locked: &mut Vec<Option<u32>>,
                 version: &mut Vec<u32>,
                 adj: &mut Vec<Vec<u32>>| {
        // Keep the larger adjacency list at the root.
        let (root, other) = if adj[a as usize].len() >= adj[b as usize].len() {
            (a, b)
        } else {
            (b, a)
        };
        parent[other as usize] = root;
        count[root as usize] += count[other as usize];
        size[root as usize] += size[other as usize];
        for t in 0..d {
            sum[root as usize * d + t] += sum[other as usize * d + t];
        }
        if locked[root as usize].is_none() {
            locked[root as usize] = locked[other as usize];
        }
        version[root as usize] += 1;
        version[other as usize] += 1;
        let moved = std::mem::take(&mut adj[other as usize]);
        adj[root as usize].extend(moved);
        root
    };

    // Locked zones start whole.
    let mut first_of: HashMap<u32, u32> = HashMap::new();
    for i in 0..n as u32 {
        if let Some(l) = data.locked[i as usize] {
            match first_of.get(&l) {
                None => {
                    first_of.insert(l, i);
                }
                Some(&f) => {
                    let (ra, rb) = (find(&mut parent, f), find(&mut parent, i));
                    if ra != rb {
                        merge(
                            ra,
                            rb,
                            &mut parent,
                            &mut count,
                            &mut size,
                            &mut sum,
                            &mut locked,
                            &mut version,
                            &mut adj,
                        );
                        clusters -= 1;
                    }
                }
            }
        }
    }

    let cost = |a: usize, b: usize, count: &[f64], sum: &[f64]| -> f64 {
        let (na, nb) = (count[a], count[b]);
        let mut dist = 0.0;
        for t in 0..d {
            let diff = sum[a * d + t] / na - sum[b * d + t] / nb;
            dist += diff * diff;
        }
        na * nb / (na + nb) * dist
    };
    // Min-heap on cost, ties by unit numbers for determinism.
    let allowed = |a: usize, b: usize, size: &[f64], locked: &[Option<u32>]| -> bool {
        (locked[a].is_none() || locked[b].is_none() || locked[a] == locked[b])
            && size[a] + size[b] <= data.hi
            && data.may_join(stay, a, b)
    };
    let mut heap = BinaryHeap::new();
    for i in 0..n {
        let ri = find(&mut parent, i as u32);
        for &j in data.graph.neighbors(i) {
            let rj = find(&mut parent, j);
            if ri < rj && allowed(ri as usize, rj as usize, &size, &locked) {
                heap.push(Reverse((
                    OrdF64(cost(ri as usize, rj as usize, &count, &sum)),
                    ri,
                    rj,
                    version[ri as usize],
                    version[rj as usize],
                )));
            }
        }
    }
    while clusters > k {
        let Some(Reverse((_, a, b, va, vb))) = heap.pop() else {
            break;
        };
        if find(&mut parent, a) != a
            || find(&mut parent, b) != b
            || version[a as usize] != va
            || version[b as usize] != vb
        {
            continue;
        }
        let root = merge(
            a,
            b,
            &mut parent,
            &mut count,
            &mut size,
            &mut sum,
            &mut locked,
            &mut version,
            &mut adj,
        );
        clusters -= 1;
        // Neighbours of the merged cluster, deduplicated, self removed.
        let mut nbrs: Vec<u32> = std::mem::take(&mut adj[root as usize])
            .into_iter()
            .map(|j| find(&mut parent, j))
            .filter(|&j| j != root)
            .collect();
        nbrs.sort_unstable();
        nbrs.dedup();
        for &j in &nbrs {
            if allowed(root as usize, j as usize, &size, &locked) {
                let (a, b) = if root < j { (root, j) } else { (j, root) };
                heap.push(Reverse((
                    OrdF64(cost(a as usize, b as usize, &count, &sum)),
                    a,
                    b,
                    version[a as usize],
                    version[b as usize],
                )));
            }
        }
        adj[root as usize] = nbrs;
    }
    if clusters > k {
        let (_, p) = pieces(data, stay);
        return Err(PlanError::TooManyPieces {
            pieces: p.max(clusters),
            k,
        });
    }
    Ok(clusters_to_labels(&mut parent))
}

/// Max-p construction: from seeds in a random order, grow each zone over unassigned
/// neighbours until it reaches the floor; what cannot reach the floor joins a neighbouring
/// zone afterwards. Even restarts grow by least SSD increase, odd ones by smallest neighbour
/// (which overshoots the floor least, so more zones fit).
fn grow_to_floor(
    data: &Data<'_>,
    params: &Params,
    floor: f64,
    rng: &mut ChaCha8Rng,
    restart: usize,
) -> Result<(Vec<u32>, Vec<Option<usize>>), PlanError> {
    let n = data.units.len();
    let d = data.d;
    let stay = params.stay_in_group;
    const NONE: u32 = u32::MAX;
    let mut labels = vec![NONE; n];
    let mut zones = 0u32;
    // Locked zones first, as they are.
    for lz in 0..data.locked_zones as u32 {
        for i in 0..n {
            if data.locked[i] == Some(lz) {
                labels[i] = lz;
            }
        }
        zones += 1;
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| labels[i] == NONE).collect();
    shuffle(&mut order, rng);
    let by_size = restart % 2 == 1;
    let mut frontier: Vec<usize> = Vec::new();
    for &seed in &order {
        if labels[seed] != NONE {
            continue;
        }
        let z = zones;
        let mut members = vec![seed];
        labels[seed] = z;
        let mut size = data.units[seed].size;
        let mut sum: Vec<f64> = data.zrow(seed).to_vec();
        while size < floor {
            frontier.clear();
            for &m in &members {
                for &j in data.graph.neighbors(m) {
                    let j = j as usize;
                    if labels[j] == NONE && data.may_join(stay, seed, j) && !frontier.contains(&j) {
                        frontier.push(j);
                    }
                }
            }
            if frontier.is_empty() {
                break;
            }
            let cnt = members.len() as f64;
            let best = frontier
                .iter()
                .copied()
                .min_by(|&p, &q| {
                    let key = |u: usize| {
                        if by_size {
                            data.units[u].size
                        } else {
                            let x = data.zrow(u);
                            cnt / (cnt + 1.0)
                                * (0..d).map(|t| (x[t] - sum[t] / cnt).powi(2)).sum::<f64>()
                        }
                    };
                    key(p).total_cmp(&key(q)).then(p.cmp(&q))
                })
                .expect("frontier not empty");
            labels[best] = z;
            members.push(best);
            size += data.units[best].size;
            for (t, v) in data.zrow(best).iter().enumerate() {
                sum[t] += v;
            }
        }
        if size >= floor {
            zones += 1;
        } else {
            for m in members {
                labels[m] = NONE - 1; // left over: joins a neighbouring zone below
            }
        }
    }
    // Left-over units join an adjacent zone (the one with the most neighbours there),
    // repeatedly, so enclaves several units deep are absorbed from the outside in.
    loop {
        let mut changed = false;
        let mut pending = false;
        for i in 0..n {
            if labels[i] < zones {
                continue;
            }
            pending = true;
            let mut best: Option<(usize, u32)> = None;
            let mut tally: HashMap<u32, usize> = HashMap::new();
            for &j in data.graph.neighbors(i) {
                let l = labels[j as usize];
                if l < zones && data.may_join(stay, i, j as usize) {
                    *tally.entry(l).or_insert(0) += 1;
                }
            }
            for (l, c) in tally {
                if best.is_none_or(|(bc, bl)| c > bc || (c == bc && l < bl)) {
                    best = Some((c, l));
                }
            }
            if let Some((_, l)) = best {
                labels[i] = l;
                changed = true;
            }
        }
        if !pending {
            break;
        }
        if !changed {
            // A piece with no zone at all (smaller than the floor on its own): it becomes
            // one zone, which the bound check then reports.
            let stuck: Vec<usize> = (0..n).filter(|&i| labels[i] >= zones).collect();
            let (piece, _) = pieces(data, stay);
            let mut new_of: HashMap<u32, u32> = HashMap::new();
            for i in stuck {
                let next = zones + new_of.len() as u32;
                labels[i] = *new_of.entry(piece[i]).or_insert(next);
            }
            zones += new_of.len() as u32;
        }
    }
    Ok((labels, vec![None; zones as usize]))
}

/// Max-p construction from the bottom: every unit starts alone; the smallest zone under the
/// floor repeatedly joins the neighbour that leaves the least population above the floor
/// (an under-floor neighbour first), ties by least SSD added. Restarts differ by a little
/// noise on the sizes used for choosing.
fn merge_to_floor(
    data: &Data<'_>,
    params: &Params,
    floor: f64,
    rng: &mut ChaCha8Rng,
) -> (Vec<u32>, Vec<Option<usize>>) {
    let n = data.units.len();
    let d = data.d;
    let stay = params.stay_in_group;
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut count = vec![1.0f64; n];
    let mut size: Vec<f64> = data.units.iter().map(|u| u.size).collect();
    let noise: Vec<f64> = (0..n).map(|_| rng.random_range(0.9..1.1)).collect();
    let mut sum: Vec<f64> = data.z.clone();
    let mut adj: Vec<Vec<u32>> = (0..n).map(|i| data.graph.neighbors(i).to_vec()).collect();
    let mut locked = data.locked.clone();
    // Locked zones start whole.
    let mut first_of: HashMap<u32, u32> = HashMap::new();
    for i in 0..n as u32 {
        if let Some(l) = data.locked[i as usize] {
            if let Some(&f) = first_of.get(&l) {
                let (a, b) = (find(&mut parent, f), find(&mut parent, i));
                if a != b {
                    parent[b as usize] = a;
                    count[a as usize] += count[b as usize];
                    size[a as usize] += size[b as usize];
                    for t in 0..d {
                        sum[a as usize * d + t] += sum[b as usize * d + t];
                    }
                    let moved = std::mem::take(&mut adj[b as usize]);
                    adj[a as usize].extend(moved);
                }
            } else {
                first_of.insert(l, i);
            }
        }
    }
    let mut heap = BinaryHeap::new();
    for i in 0..n as u32 {
        if find(&mut parent, i) == i && size[i as usize] < floor {
            heap.push(Reverse((OrdF64(size[i as usize] * noise[i as usize]), i)));
        }
    }
    while let Some(Reverse((OrdF64(key), r))) = heap.pop() {
        if find(&mut parent, r) != r || size[r as usize] >= floor {
            continue;
        }
        if key != size[r as usize] * noise[r as usize] {
            continue; // stale entry; a fresh one was pushed when it grew
        }
        let mut nbrs: Vec<u32> = std::mem::take(&mut adj[r as usize])
            .into_iter()
            .map(|j| find(&mut parent, j))
            .filter(|&j| j != r)
            .collect();
        nbrs.sort_unstable();
        nbrs.dedup();
        let ra = r as usize;
        let best = nbrs
            .iter()
            .copied()
            .filter(|&j| {
                let jb = j as usize;
                data.may_join(stay, ra, jb)
                    && (locked[ra].is_none() || locked[jb].is_none() || locked[ra] == locked[jb])
            })
            .min_by(|&a, &b| {
                let key = |j: u32| {
                    let j = j as usize;
                    let merged = size[ra] + size[j];
                    let over = if size[j] < floor {
                        (merged - floor).max(0.0) * 0.5
                    } else {
                        merged - floor
                    };
                    let mut dist = 0.0;
                    for t in 0..d {
                        let diff = sum[ra * d + t] / count[ra] - sum[j * d + t] / count[j];
                        dist += diff * diff;
                    }
                    (
                        over * noise[j],
                        count[ra] * count[j] / (count[ra] + count[j]) * dist,
                    )
                };
                let (ka, kb) = (key(a), key(b));
                ka.0.total_cmp(&kb.0)
                    .then(ka.1.total_cmp(&kb.1))
                    .then(a.cmp(&b))
            });
        adj[ra] = nbrs;
        let Some(j) = best else {
            continue; // alone in its piece: stays under the floor, the bound check reports it
        };
        let jb = j as usize;
        parent[jb] = r;
        count[ra] += count[jb];
        size[ra] += size[jb];
        for t in 0..d {
            sum[ra * d + t] += sum[jb * d + t];
        }
        if locked[ra].is_none() {
            locked[ra] = locked[jb];
        }
        let moved = std::mem::take(&mut adj[jb]);
        adj[ra].extend(moved);
        if size[ra] < floor {
            heap.push(Reverse((OrdF64(size[ra] * noise[ra]), r)));
        }
    }
    clusters_to_labels(&mut parent)
}

/// Max-p: raises the zone count after construction.
///
/// 1. Any zone of at least twice the floor is split in two that each meet it: a part grows
///    from a member on the zone's edge, smallest neighbours first; if what remains falls
///    apart, its small pieces go with the new part.
/// 2. Any two adjacent zones holding at least three floors together are joined and split
///    again; kept only when that gives three zones.
///
/// Repeated while either finds something.
fn split_large(
    data: &Data<'_>,
    params: &Params,
    floor: f64,
    labels: Vec<u32>,
    keys: Vec<Option<usize>>,
    rng: &mut ChaCha8Rng,
) -> (Vec<u32>, Vec<Option<usize>>) {
    let n = data.units.len();
    let mut sp = Splitter {
        data,
        stay: params.stay_in_group,
        floor,
        members: vec![Vec::new(); keys.len()],
        size: vec![0.0; keys.len()],
        labels,
        in_part: vec![false; n],
        tries: 8,
    };
    for i in 0..n {
        let r = sp.labels[i] as usize;
        sp.members[r].push(i);
        sp.size[r] += data.units[i].size;
    }
    loop {
        let before = sp.members.len();
        let mut queue: Vec<usize> = (0..sp.members.len()).collect();
        while let Some(r) = queue.pop() {
            if let Some(new) = sp.split(r, rng) {
                queue.push(r);
                queue.push(new);
            }
        }
        // Pairs of adjacent zones with three floors between them.
        let zones = sp.members.len();
        for a in 0..zones {
            let mut nbrs: Vec<usize> = sp.members[a]
                .iter()
                .flat_map(|&i| {
                    data.graph
                        .neighbors(i)
                        .iter()
                        .map(|&j| sp.labels[j as usize] as usize)
                })
                .filter(|&b| b > a)
                .collect();
            nbrs.sort_unstable();
            nbrs.dedup();
            for b in nbrs {
                if b >= sp.members.len() || sp.size[a] + sp.size[b] < 3.0 * floor {
                    continue;
                }
                if sp.members[a].is_empty() || sp.members[b].is_empty() {
                    continue;
                }
                if !data.may_join(sp.stay, sp.members[a][0], sp.members[b][0]) {
                    continue;
                }
                sp.resplit_pair(a, b, rng);
            }
        }
        if sp.members.len() == before {
            break;
        }
    }
    let zones = sp.members.len();
    (sp.labels, vec![None; zones])
}

struct Splitter<'a, 'b> {
    data: &'a Data<'b>,
    stay: bool,
    floor: f64,
    labels: Vec<u32>,
    members: Vec<Vec<usize>>,
    size: Vec<f64>,
    in_part: Vec<bool>,
    /// Seeds tried per split.
    tries: usize,
}

impl Splitter<'_, '_> {
    /// Splits zone `r` in two that each meet the floor; the new zone's number, if done.
    fn split(&mut self, r: usize, rng: &mut ChaCha8Rng) -> Option<usize> {
        let data = self.data;
        let g = data.graph;
        let floor = self.floor;
        if self.size[r] < 2.0 * floor || self.members[r].len() < 2 {
            return None;
        }
        if self.members[r].iter().any(|&i| data.locked[i].is_some()) {
            return None;
        }
        let mut edge: Vec<usize> = self.members[r]
            .iter()
            .copied()
            .filter(|&i| {
                g.neighbors(i)
                    .iter()
                    .any(|&j| self.labels[j as usize] as usize != r)
            })
            .collect();
        if edge.is_empty() {
            edge = self.members[r].clone();
        }
        shuffle(&mut edge, rng);
        for (attempt, &seed) in edge.iter().take(self.tries).enumerate() {
            let mut part = vec![seed];
            self.in_part[seed] = true;
            let mut size = data.units[seed].size;
            // Odd attempts grow compactly (the unit most tied to the part first), which
            // leaves the rest connected more often; even ones take the smallest first, which
            // overshoots the floor least.
            let compact = attempt % 2 == 1;
            while size < floor {
                let in_part = &self.in_part;
                let next = part
                    .iter()
                    .flat_map(|&u| g.neighbors(u).iter().map(|&j| j as usize))
                    .filter(|&j| {
                        self.labels[j] as usize == r
                            && !in_part[j]
                            && data.may_join(self.stay, seed, j)
                    })
                    .min_by(|&a, &b| {
                        let ties = |u: usize| {
                            g.neighbors(u)
                                .iter()
                                .filter(|&&v| in_part[v as usize])
                                .count()
                        };
                        let by_size = data.units[a].size.total_cmp(&data.units[b].size);
                        if compact {
                            ties(b).cmp(&ties(a)).then(by_size).then(a.cmp(&b))
                        } else {
                            by_size.then(a.cmp(&b))
                        }
                    });
                let Some(u) = next else { break };
                self.in_part[u] = true;
                part.push(u);
                size += data.units[u].size;
            }
            if size >= floor {
                let rest: Vec<usize> = self.members[r]
                    .iter()
                    .copied()
                    .filter(|&i| !self.in_part[i])
                    .collect();
                let pieces = connected_pieces(g, &rest, &self.labels, r, &self.in_part);
                let piece_size =
                    |p: &Vec<usize>| p.iter().map(|&i| data.units[i].size).sum::<f64>();
                let main = pieces
                    .iter()
                    .enumerate()
                    .max_by(|(ia, a), (ib, b)| {
                        piece_size(a).total_cmp(&piece_size(b)).then(ib.cmp(ia))
                    })
                    .map(|(i, _)| i);
                if let Some(m) = main
                    && piece_size(&pieces[m]) >= floor
                {
                    for (pi, p) in pieces.iter().enumerate() {
                        if pi != m {
                            for &i in p {
                                self.in_part[i] = true;
                                part.push(i);
                            }
                        }
                    }
                    let new = self.members.len();
                    for &i in &part {
                        self.labels[i] = new as u32;
                        self.in_part[i] = false;
                    }
                    let part_size = piece_size(&part);
                    self.members[r] = pieces[m].clone();
                    self.size[r] -= part_size;
                    self.members.push(part);
                    self.size.push(part_size);
                    return Some(new);
                }
            }
            for &i in &part {
                self.in_part[i] = false;
            }
        }
        None
    }

    /// Joins zones `a` and `b` and splits them again; keeps the result only if it has three
    /// zones or more, else puts both back as they were.
    fn resplit_pair(&mut self, a: usize, b: usize, rng: &mut ChaCha8Rng) {
        let saved_a = self.members[a].clone();
        let saved_b = self.members[b].clone();
        let (size_a, size_b) = (self.size[a], self.size[b]);
        let moved = std::mem::take(&mut self.members[b]);
        for &i in &moved {
            self.labels[i] = a as u32;
        }
        self.members[a].extend(moved);
        self.size[a] += self.size[b];
        self.size[b] = 0.0;
        let zones_before = self.members.len();
        let mut made = Vec::new();
        let mut queue = vec![a];
        while let Some(r) = queue.pop() {
            if let Some(new) = self.split(r, rng) {
                made.push(new);
                queue.push(r);
                queue.push(new);
            }
        }
        if made.len() >= 2 {
            // Zone b is empty now: give it the last new zone's members.
            let last = self.members.len() - 1;
            let moved = self.members.pop().expect("made two");
            let moved_size = self.size.pop().expect("made two");
            if last != b {
                for &i in &moved {
                    self.labels[i] = b as u32;
                }
                self.members[b] = moved;
                self.size[b] = moved_size;
            }
            return;
        }
        // Undo: drop new zones, restore both.
        while self.members.len() > zones_before {
            self.members.pop();
            self.size.pop();
        }
        for &i in &saved_a {
            self.labels[i] = a as u32;
        }
        for &i in &saved_b {
            self.labels[i] = b as u32;
        }
        self.members[a] = saved_a;
        self.members[b] = saved_b;
        self.size[a] = size_a;
        self.size[b] = size_b;
    }
}

/// Connected pieces of `units` (all in zone `r`, none in `excluded`).
fn connected_pieces(
    g: &Graph,
    units: &[usize],
    labels: &[u32],
    r: usize,
    excluded: &[bool],
) -> Vec<Vec<usize>> {
    let mut seen: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &s in units {
        if !seen.insert(s) {
            continue;
        }
        let mut piece = vec![s];
        let mut stack = vec![s];
        while let Some(u) = stack.pop() {
            for &j in g.neighbors(u) {
                let j = j as usize;
                if labels[j] as usize == r && !excluded[j] && seen.insert(j) {
                    piece.push(j);
                    stack.push(j);
                }
            }
        }
        piece.sort_unstable();
        out.push(piece);
    }
    out
}

/// Key-village construction: choose seeds among key candidates (spread out, farthest-point
/// style with a random start), then grow all zones at once over unassigned neighbours by
/// least added cost. With max-p, every candidate seeds a zone and zones under the floor are
/// dissolved into their neighbours, smallest first.
fn seeded_growth(
    data: &Data<'_>,
    params: &Params,
    rng: &mut ChaCha8Rng,
    _restart: usize,
) -> Result<(Vec<u32>, Vec<Option<usize>>), PlanError> {
    let n = data.units.len();
    let stay = params.stay_in_group;
    let (piece, piece_count) = pieces(data, stay);
    // Every piece needs a key candidate.
    let mut piece_has_key = vec![false; piece_count];
    for i in 0..n {
        if data.units[i].key_candidate || data.locked[i].is_some() {
            piece_has_key[piece[i] as usize] = true;
        }
    }
    if let Some(p) = piece_has_key.iter().position(|h| !h) {
        let unit = (0..n).find(|&i| piece[i] as usize == p).unwrap_or(0);
        return Err(PlanError::PieceWithoutKey { unit });
    }
    // Locked zones are zones already; their key is their strongest candidate, if any.
    let mut keys: Vec<Option<usize>> = vec![None; data.locked_zones];
    let mut labels = vec![u32::MAX; n];
    for i in 0..n {
        if let Some(l) = data.locked[i] {
            labels[i] = l;
            let k = &mut keys[l as usize];
            if data.units[i].key_candidate
                && k.is_none_or(|c| data.units[i].income > data.units[c].income)
            {
                *k = Some(i);
            }
        }
    }
    // A locked zone with no candidate keeps its richest member as key: it exists already
    // and its real key village is the caller's record.
    for (l, k) in keys.iter_mut().enumerate() {
        if k.is_none() {
            *k = (0..n)
                .filter(|&i| data.locked[i] == Some(l as u32))
                .max_by(|&a, &b| {
                    data.units[a]
                        .income
                        .total_cmp(&data.units[b].income)
                        .then(b.cmp(&a))
                });
        }
    }
    let candidates: Vec<usize> = (0..n)
        .filter(|&i| data.units[i].key_candidate && data.locked[i].is_none())
        .collect();
    let wanted_new = match params.count {
        Count::K(k) => {
            let pieces_without_locked = {
                let mut covered = vec![false; piece_count];
                for i in 0..n {
                    if data.locked[i].is_some() {
                        covered[piece[i] as usize] = true;
                    }
                }
                covered.iter().filter(|c| !**c).count()
            };
            let need = k.saturating_sub(data.locked_zones);
            if k < data.locked_zones + pieces_without_locked {
                return Err(PlanError::TooManyPieces {
                    pieces: data.locked_zones + pieces_without_locked,
                    k,
                });
            }
            if need > candidates.len() {
                return Err(PlanError::NotEnoughKeys {
                    needed: need,
                    available: candidates.len(),
                });
            }
            need
        }
        Count::MaxP { .. } => candidates.len(),
    };
    // Seeds: first one per piece that has no locked zone (so every piece gets a zone),
    // then farthest-point over the rest.
    let mut seeds: Vec<usize> = Vec::new();
    let mut piece_seeded = vec![false; piece_count];
    for i in 0..n {
        if data.locked[i].is_some() {
            piece_seeded[piece[i] as usize] = true;
        }
    }
    let mut pool = candidates.clone();
    shuffle(&mut pool, rng);
    for &c in &pool {
        if !piece_seeded[piece[c] as usize] && seeds.len() < wanted_new {
            piece_seeded[piece[c] as usize] = true;
            seeds.push(c);
        }
    }
    let dist2 = |a: usize, b: usize| {
        let (ax, ay) = data.xy[a];
        let (bx, by) = data.xy[b];
        (ax - bx).powi(2) + (ay - by).powi(2)
    };
    let mut nearest: Vec<f64> = pool
        .iter()
        .map(|&c| {
            seeds
                .iter()
                .chain(keys.iter().flatten())
                .map(|&s| dist2(c, s))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    while seeds.len() < wanted_new {
        // k-means++ style: pick with probability ∝ squared distance to the nearest seed.
        let total: f64 = pool
            .iter()
            .zip(&nearest)
            .filter(|(c, _)| !seeds.contains(c))
            .map(|(_, d)| if d.is_finite() { *d } else { 1.0 })
            .sum();
        let mut pick = rng.random_range(0.0..1.0) * total;
        let mut chosen = None;
        for (idx, &c) in pool.iter().enumerate() {
            if seeds.contains(&c) {
                continue;
            }
            let w = if nearest[idx].is_finite() {
                nearest[idx]
            } else {
                1.0
            };
            chosen = Some(idx);
            if pick < w {
                break;
            }
            pick -= w;
        }
        let Some(idx) = chosen else {
            break;
        };
        let c = pool[idx];
        seeds.push(c);
        for (j, &o) in pool.iter().enumerate() {
            nearest[j] = nearest[j].min(dist2(o, c));
        }
    }
    for &s in &seeds {
        labels[s] = keys.len() as u32;
        keys.push(Some(s));
    }
    let labels = grow_all(data, params, labels, &keys);
    if let Count::MaxP { floor } = params.count {
        return Ok(dissolve_small(data, params, labels, keys, floor));
    }
    Ok((labels, keys))
}

/// Grows every zone at once over unassigned units: a unit joins the adjacent zone where it
/// adds least SSD (plus distance to the key village), cheapest first.
fn grow_all(
    data: &Data<'_>,
    params: &Params,
    mut labels: Vec<u32>,
    keys: &[Option<usize>],
) -> Vec<u32> {
    let n = data.units.len();
    let d = data.d;
    let zones = keys.len();
    let stay = params.stay_in_group;
    let mut count = vec![0.0f64; zones];
    let mut size = vec![0.0f64; zones];
    let mut sum = vec![0.0f64; zones * d];
    for i in 0..n {
        if labels[i] != u32::MAX {
            let r = labels[i] as usize;
            count[r] += 1.0;
            size[r] += data.units[i].size;
            for t in 0..d {
                sum[r * d + t] += data.z[i * d + t];
            }
        }
    }
    let mut version = vec![0u32; zones];
    let cost = |u: usize, r: usize, count: &[f64], sum: &[f64]| -> f64 {
        let c = count[r];
        let mut s = 0.0;
        for t in 0..d {
            s += (data.z[u * d + t] - sum[r * d + t] / c).powi(2);
        }
        let mut v = c / (c + 1.0) * s * params.weights.homogeneity.max(0.0);
        if let Some(k) = keys[r] {
            let (ux, uy) = data.xy[u];
            let (kx, ky) = data.xy[k];
            v += params.weights.compactness.max(0.0) * ((ux - kx).powi(2) + (uy - ky).powi(2))
                / 100.0;
        }
        v
    };
    let mut heap = BinaryHeap::new();
    for i in 0..n {
        if labels[i] == u32::MAX {
            continue;
        }
        let r = labels[i];
        for &j in data.graph.neighbors(i) {
            let j = j as usize;
            if labels[j] == u32::MAX && data.may_join(stay, i, j) {
                heap.push(Reverse((
                    OrdF64(cost(j, r as usize, &count, &sum)),
                    j as u32,
                    r,
                    version[r as usize],
                )));
            }
        }
    }
    while let Some(Reverse((_, u, r, v))) = heap.pop() {
        let (u, ru) = (u as usize, r as usize);
        if labels[u] != u32::MAX {
            continue;
        }
        if v != version[ru] {
            heap.push(Reverse((
                OrdF64(cost(u, ru, &count, &sum)),
                u as u32,
                r,
                version[ru],
            )));
            continue;
        }
        if size[ru] + data.units[u].size > data.hi {
            // Full: another zone may take it.
            continue;
        }
        labels[u] = r;
        count[ru] += 1.0;
        size[ru] += data.units[u].size;
        for t in 0..d {
            sum[ru * d + t] += data.z[u * d + t];
        }
        version[ru] += 1;
        for &j in data.graph.neighbors(u) {
            let j = j as usize;
            if labels[j] == u32::MAX && data.may_join(stay, u, j) {
                heap.push(Reverse((
                    OrdF64(cost(j, ru, &count, &sum)),
                    j as u32,
                    r,
                    version[ru],
                )));
            }
        }
    }
    // Anything still unassigned (every neighbouring zone at its cap) joins the neighbouring
    // zone it touches most; the bound check reports the excess.
    loop {
        let mut changed = false;
        let mut pending = false;
        for i in 0..n {
            if labels[i] != u32::MAX {
                continue;
            }
            pending = true;
            if let Some(l) = data
                .graph
                .neighbors(i)
                .iter()
                .filter(|&&j| data.may_join(stay, i, j as usize))
                .map(|&j| labels[j as usize])
                .filter(|&l| l != u32::MAX)
                .min()
            {
                labels[i] = l;
                changed = true;
            }
        }
        if !pending || !changed {
            break;
        }
    }
    labels
}

/// Max-p with keys: zones under the floor are dissolved, smallest first, and their units
/// regrown into the neighbours, until every zone meets the floor or one zone is left per piece.
fn dissolve_small(
    data: &Data<'_>,
    params: &Params,
    mut labels: Vec<u32>,
    mut keys: Vec<Option<usize>>,
    floor: f64,
) -> (Vec<u32>, Vec<Option<usize>>) {
    let n = data.units.len();
    loop {
        let zones = keys.len();
        let mut size = vec![0.0; zones];
        for i in 0..n {
            size[labels[i] as usize] += data.units[i].size;
        }
        // The smallest dissolvable zone under the floor (never a locked one).
        let victim = (data.locked_zones..zones)
            .filter(|&r| size[r] < floor)
            .min_by(|&a, &b| size[a].total_cmp(&size[b]).then(a.cmp(&b)));
        let Some(v) = victim else {
            return (labels, keys);
        };
        // Does it touch another zone it could go to? If not, it is alone in its piece.
        let touches = (0..n).any(|i| {
            labels[i] as usize == v
                && data.graph.neighbors(i).iter().any(|&j| {
                    labels[j as usize] as usize != v
                        && data.may_join(params.stay_in_group, i, j as usize)
                })
        });
        if !touches {
            // Keep it; mark by raising its size so it is not picked again.
            let mut others: Vec<usize> = (data.locked_zones..zones)
                .filter(|&r| r != v && size[r] < floor)
                .collect();
            others.sort_unstable();
            if others.is_empty() {
                return (labels, keys);
            }
            // Try the next one instead by dissolving it; stop if none can go.
            let mut any = false;
            for r in others {
                let t = (0..n).any(|i| {
                    labels[i] as usize == r
                        && data.graph.neighbors(i).iter().any(|&j| {
                            labels[j as usize] as usize != r
                                && data.may_join(params.stay_in_group, i, j as usize)
                        })
                });
                if t {
                    dissolve(&mut labels, &mut keys, r);
                    labels = grow_all(data, params, labels, &keys);
                    any = true;
                    break;
                }
            }
            if !any {
                return (labels, keys);
            }
            continue;
        }
        dissolve(&mut labels, &mut keys, v);
        labels = grow_all(data, params, labels, &keys);
    }
}

fn dissolve(labels: &mut [u32], keys: &mut Vec<Option<usize>>, v: usize) {
    let last = keys.len() - 1;
    for l in labels.iter_mut() {
        if *l as usize == v {
            *l = u32::MAX;
        } else if *l as usize == last {
            *l = v as u32;
        }
    }
    keys.swap_remove(v);
}

fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

/// The local search: a worklist of units whose move might pay.
struct Search<'a, 'b> {
    data: &'a Data<'b>,
    params: &'a Params,
    stamp: Vec<u32>,
    tick: u32,
    queued: Vec<bool>,
    stack: Vec<usize>,
    is_key: Vec<bool>,
}

impl<'a, 'b> Search<'a, 'b> {
    fn new(data: &'a Data<'b>, params: &'a Params) -> Self {
        let n = data.units.len();
        Search {
            data,
            params,
            stamp: vec![0; n],
            tick: 0,
            queued: vec![false; n],
            stack: Vec::new(),
            is_key: vec![false; n],
        }
    }

    /// Whether zone `a` stays connected without unit `i`: every neighbour of `i` in `a` must
    /// still reach the first one inside `a`.
    fn stays_connected(&mut self, labels: &[u32], i: usize) -> bool {
        let a = labels[i];
        let g = self.data.graph;
        let inside: Vec<usize> = g
            .neighbors(i)
            .iter()
            .map(|&j| j as usize)
            .filter(|&j| labels[j] == a)
            .collect();
        if inside.len() <= 1 {
            return true;
        }
        self.tick = self.tick.wrapping_add(1);
        if self.tick == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.tick = 1;
        }
        let tick = self.tick;
        self.stamp[i] = tick; // removed
        let mut remaining = inside.len() - 1;
        let mut pending: Vec<bool> = Vec::new();
        pending.resize(inside.len(), true);
        self.stack.clear();
        self.stack.push(inside[0]);
        self.stamp[inside[0]] = tick;
        pending[0] = false;
        while let Some(u) = self.stack.pop() {
            for &v in g.neighbors(u) {
                let v = v as usize;
                if labels[v] != a || self.stamp[v] == tick {
                    continue;
                }
                self.stamp[v] = tick;
                if let Some(p) = inside.iter().position(|&x| x == v)
                    && pending[p]
                {
                    pending[p] = false;
                    remaining -= 1;
                    if remaining == 0 {
                        return true;
                    }
                }
                self.stack.push(v);
            }
        }
        remaining == 0
    }

    fn movable(&self, i: usize) -> bool {
        self.data.locked[i].is_none() && !self.is_key[i]
    }

    /// Moves units while a move lowers (violation, objective); `seeds` limits the first
    /// worklist to those units and their neighbours (after a kick).
    fn descend(&mut self, s: &mut State, rng: &mut ChaCha8Rng, seeds: Option<Vec<usize>>) {
        let n = self.data.units.len();
        self.is_key = vec![false; n];
        for k in s.keys.iter().flatten() {
            self.is_key[*k] = true;
        }
        let w = self.params.weights;
        let mut work: std::collections::VecDeque<usize> = match seeds {
            None => {
                let mut v: Vec<usize> = (0..n).collect();
                shuffle(&mut v, rng);
                v.into()
            }
            Some(units) => {
                let mut v = Vec::new();
                for u in units {
                    v.push(u);
                    v.extend(self.data.graph.neighbors(u).iter().map(|&j| j as usize));
                }
                v.sort_unstable();
                v.dedup();
                shuffle(&mut v, rng);
                v.into()
            }
        };
        self.queued.iter_mut().for_each(|q| *q = false);
        for &u in &work {
            self.queued[u] = true;
        }
        let stay = self.params.stay_in_group;
        let mut options: Vec<(f64, f64, usize)> = Vec::new();
        while let Some(i) = work.pop_front() {
            self.queued[i] = false;
            if !self.movable(i) {
                continue;
            }
            let a = s.labels[i] as usize;
            if s.count[a] <= 1 {
                continue;
            }
            options.clear();
            for &j in self.data.graph.neighbors(i) {
                let b = s.labels[j as usize] as usize;
                if b == a || options.iter().any(|o| o.2 == b) {
                    continue;
                }
                if !self.data.may_join(stay, i, j as usize) {
                    continue;
                }
                let (dv, dobj) = s.delta(self.data, &w, i, b);
                if dv < -1e-9 || (dv.abs() <= 1e-9 && dobj < -1e-12) {
                    options.push((dv, dobj, b));
                }
            }
            if options.is_empty() {
                continue;
            }
            options.sort_by(|x, y| {
                (OrdF64(x.0), OrdF64(x.1), x.2).cmp(&(OrdF64(y.0), OrdF64(y.1), y.2))
            });
            if !self.stays_connected(&s.labels, i) {
                continue;
            }
            let b = options[0].2;
            s.remove(self.data, i, a);
            s.add(self.data, i, b);
            s.labels[i] = b as u32;
            for &j in self.data.graph.neighbors(i) {
                let j = j as usize;
                if !self.queued[j] {
                    self.queued[j] = true;
                    work.push_back(j);
                }
            }
            if !self.queued[i] {
                self.queued[i] = true;
                work.push_back(i);
            }
        }
    }

    /// A random perturbation: a few boundary units move to a neighbouring zone whatever the
    /// cost (never breaking contiguity, bounds or locks). Returns the units moved.
    fn kick(&mut self, s: &mut State, rng: &mut ChaCha8Rng) -> Vec<usize> {
        let n = self.data.units.len();
        let tries = (n / 50).clamp(3, 400);
        let mut moved = Vec::new();
        let stay = self.params.stay_in_group;
        for _ in 0..tries * 4 {
            if moved.len() >= tries {
                break;
            }
            let i = rng.random_range(0..n);
            if !self.movable(i) {
                continue;
            }
            let a = s.labels[i] as usize;
            if s.count[a] <= 1 {
                continue;
            }
            let nb = self.data.graph.neighbors(i);
            if nb.is_empty() {
                continue;
            }
            let j = nb[rng.random_range(0..nb.len())] as usize;
            let b = s.labels[j] as usize;
            if b == a || !self.data.may_join(stay, i, j) {
                continue;
            }
            let (dv, _) = s.delta(self.data, &self.params.weights, i, b);
            if dv > 1e-9 || !self.stays_connected(&s.labels, i) {
                continue;
            }
            s.remove(self.data, i, a);
            s.add(self.data, i, b);
            s.labels[i] = b as u32;
            moved.push(i);
        }
        moved
    }
}

/// What a zone is made of, to explain a proposal (and today's zones) with numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneStats {
    pub units: usize,
    /// Σ size (population, or the village count).
    pub size: f64,
    pub mean_income: f64,
    pub min_income: f64,
    /// 强村: key-village candidates.
    pub strong: usize,
    /// 薄弱村.
    pub weak: usize,
    /// 资源互补: distinct tags.
    pub diversity: usize,
    /// Mean distance (km) from members to the key village, or to the zone centre without one.
    pub mean_distance_km: f64,
}

/// Statistics per zone; `members[z]` are unit indices, `keys[z]` the key unit if any.
pub fn zone_stats(
    units: &[Unit],
    members: &[Vec<usize>],
    keys: &[Option<usize>],
) -> Vec<ZoneStats> {
    members
        .iter()
        .enumerate()
        .map(|(z, m)| {
            let n = m.len().max(1) as f64;
            let (cx, cy) = match keys.get(z).copied().flatten() {
                Some(k) => (units[k].x, units[k].y),
                None => (
                    m.iter().map(|&i| units[i].x).sum::<f64>() / n,
                    m.iter().map(|&i| units[i].y).sum::<f64>() / n,
                ),
            };
            let mut tags: Vec<u16> = m
                .iter()
                .flat_map(|&i| units[i].tags.iter().copied())
                .collect();
            tags.sort_unstable();
            tags.dedup();
            ZoneStats {
                units: m.len(),
                size: m.iter().map(|&i| units[i].size).sum(),
                mean_income: m.iter().map(|&i| units[i].income).sum::<f64>() / n,
                min_income: m
                    .iter()
                    .map(|&i| units[i].income)
                    .fold(f64::INFINITY, f64::min),
                strong: m.iter().filter(|&&i| units[i].key_candidate).count(),
                weak: m.iter().filter(|&&i| units[i].weak).count(),
                diversity: tags.len(),
                mean_distance_km: m
                    .iter()
                    .map(|&i| {
                        ((units[i].x - cx).powi(2) + (units[i].y - cy).powi(2)).sqrt() / 1000.0
                    })
                    .sum::<f64>()
                    / n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A `w × h` grid graph with some edges dropped (seeded), units with random facts.
    fn instance(w: usize, h: usize, seed: u64, drop: f64) -> (Vec<Unit>, Graph) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = w * h;
        let mut edges = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                if x + 1 < w && rng.random_range(0.0..1.0) >= drop {
                    edges.push((i, i + 1));
                }
                if y + 1 < h && rng.random_range(0.0..1.0) >= drop {
                    edges.push((i, i + w));
                }
            }
        }
        let units = (0..n)
            .map(|i| {
                let income = rng.random_range(10.0..300.0);
                Unit {
                    attrs: vec![rng.random_range(0.0..1.0), rng.random_range(-5.0..5.0)],
                    size: rng.random_range(1.0..10.0),
                    income,
                    key_candidate: income > 200.0,
                    weak: income < 80.0,
                    tags: vec![rng.random_range(0..6u16)],
                    x: (i % w) as f64 * 1000.0,
                    y: (i / w) as f64 * 1000.0,
                    group: ((i % w) * 2 / w) as u32,
                    locked: None,
                }
            })
            .collect();
        (units, Graph::from_edges(n, &edges).unwrap())
    }

    /// Everything that must hold in any answer.
    fn check(units: &[Unit], graph: &Graph, params: &Params, plan: &Plan) -> Result<(), String> {
        let n = units.len();
        if plan.labels.len() != n {
            return Err("a label per unit".into());
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); plan.zones];
        for (i, &l) in plan.labels.iter().enumerate() {
            if l as usize >= plan.zones {
                return Err(format!("label {l} out of range"));
            }
            members[l as usize].push(i);
        }
        for (z, m) in members.iter().enumerate() {
            if m.len() < params.min_units {
                return Err(format!("zone {z} has {} units", m.len()));
            }
            if !graph.is_connected_subset(m) {
                return Err(format!("zone {z} is not contiguous: {m:?}"));
            }
            let size: f64 = m.iter().map(|&i| units[i].size).sum();
            let lo = match params.count {
                Count::MaxP { floor } => floor.max(params.min_size.unwrap_or(0.0)),
                Count::K(_) => params.min_size.unwrap_or(0.0),
            };
            let existing = m.iter().any(|&i| units[i].locked.is_some());
            if (size < lo - 1e-9 && !existing)
                || size > params.max_size.unwrap_or(f64::INFINITY) + 1e-9
            {
                return Err(format!("zone {z} size {size} outside bounds"));
            }
            if params.stay_in_group {
                // A locked zone may span towns already; its other members come from those
                // towns. A zone without locked members lies in one town.
                let locked_towns: Vec<u32> = m
                    .iter()
                    .filter(|&&i| units[i].locked.is_some())
                    .map(|&i| units[i].group)
                    .collect();
                let allowed = if locked_towns.is_empty() {
                    vec![units[m[0]].group]
                } else {
                    locked_towns
                };
                if m.iter().any(|&i| !allowed.contains(&units[i].group)) {
                    return Err(format!("zone {z} crosses towns"));
                }
            }
            if params.require_key {
                let Some(k) = plan.keys[z] else {
                    return Err(format!("zone {z} has no key village"));
                };
                if !m.contains(&k) || !(units[k].key_candidate || units[k].locked.is_some()) {
                    return Err(format!("zone {z} key {k} is not a candidate inside it"));
                }
            }
        }
        if let Count::K(k) = params.count
            && plan.zones != k
        {
            return Err(format!("asked {k} zones, got {}", plan.zones));
        }
        // Locked units stay together, and apart from other locked zones.
        let mut zone_of_lock: HashMap<u32, u32> = HashMap::new();
        let mut lock_of_zone: HashMap<u32, u32> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            if let Some(l) = u.locked {
                let z = plan.labels[i];
                if *zone_of_lock.entry(l).or_insert(z) != z {
                    return Err(format!("locked zone {l} was split"));
                }
                if *lock_of_zone.entry(z).or_insert(l) != l {
                    return Err(format!("locked zones merged into zone {z}"));
                }
            }
        }
        Ok(())
    }

    fn never_cancel(_: usize, _: usize) -> bool {
        true
    }

    #[test]
    fn k_zones_on_a_connected_grid_are_contiguous_and_beat_one_zone() {
        let (units, graph) = instance(12, 10, 1, 0.0);
        let params = Params {
            count: Count::K(8),
            ..Params::default()
        };
        let plan = plan(&units, &graph, &params, &never_cancel).unwrap();
        check(&units, &graph, &params, &plan).unwrap();
        let one = super::plan(
            &units,
            &graph,
            &Params {
                count: Count::K(1),
                ..Params::default()
            },
            &never_cancel,
        )
        .unwrap();
        assert!(plan.score.ssd < one.score.ssd);
    }

    #[test]
    fn the_same_input_and_seed_give_the_same_answer() {
        let (units, graph) = instance(15, 15, 7, 0.1);
        for count in [Count::K(12), Count::MaxP { floor: 60.0 }] {
            let params = Params {
                count,
                seed: 42,
                ..Params::default()
            };
            let a = plan(&units, &graph, &params, &never_cancel);
            let b = plan(&units, &graph, &params, &never_cancel);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn cancelling_stops_with_cancelled() {
        let (units, graph) = instance(8, 8, 3, 0.0);
        let params = Params {
            count: Count::K(4),
            ..Params::default()
        };
        assert_eq!(
            plan(&units, &graph, &params, &|_, _| false),
            Err(PlanError::Cancelled)
        );
    }

    #[test]
    fn impossible_requests_are_refused_in_chinese() {
        let (units, graph) = instance(4, 4, 3, 0.0);
        let bad_k = plan(
            &units,
            &graph,
            &Params {
                count: Count::K(0),
                ..Params::default()
            },
            &never_cancel,
        )
        .unwrap_err();
        assert!(bad_k.to_string().contains("片区数"));
        let mut none_strong = units.clone();
        none_strong.iter_mut().for_each(|u| u.key_candidate = false);
        let e = plan(
            &none_strong,
            &graph,
            &Params {
                count: Count::K(2),
                require_key: true,
                ..Params::default()
            },
            &never_cancel,
        )
        .unwrap_err();
        assert!(e.to_string().contains("重点村"), "{e}");
        let split = Graph::from_edges(16, &[(0, 1)]).unwrap();
        let e = plan(
            &units,
            &split,
            &Params {
                count: Count::K(3),
                ..Params::default()
            },
            &never_cancel,
        )
        .unwrap_err();
        assert!(matches!(e, PlanError::TooManyPieces { .. }), "{e:?}");
    }

    #[test]
    fn max_p_meets_the_floor_everywhere_and_finds_many_zones() {
        let (units, graph) = instance(20, 20, 11, 0.0);
        let total: f64 = units.iter().map(|u| u.size).sum();
        let floor = total / 30.0;
        let params = Params {
            count: Count::MaxP { floor },
            ..Params::default()
        };
        let plan = plan(&units, &graph, &params, &never_cancel).unwrap();
        check(&units, &graph, &params, &plan).unwrap();
        assert!(plan.zones >= 20, "only {} zones of at most 30", plan.zones);
    }

    #[test]
    fn key_villages_lead_every_zone_and_no_zone_is_all_weak() {
        let (units, graph) = instance(14, 12, 5, 0.0);
        let params = Params {
            count: Count::K(6),
            require_key: true,
            weights: Weights {
                homogeneity: 1.0,
                balance: 1.0,
                diversity: 1.0,
                compactness: 1.0,
            },
            ..Params::default()
        };
        let plan = plan(&units, &graph, &params, &never_cancel).unwrap();
        check(&units, &graph, &params, &plan).unwrap();
        for z in 0..plan.zones {
            assert!(
                (0..units.len()).any(|i| plan.labels[i] as usize == z && !units[i].weak),
                "zone {z} is all weak"
            );
        }
    }

    fn locked_ball(units: &mut [Unit], graph: &Graph, centre: usize, radius: usize, zone: u32) {
        let mut frontier = vec![centre];
        let mut seen = std::collections::HashSet::from([centre]);
        for _ in 0..radius {
            let mut next = Vec::new();
            for u in frontier {
                for &v in graph.neighbors(u) {
                    let v = v as usize;
                    if units[v].locked.is_none() && seen.insert(v) {
                        next.push(v);
                    }
                }
            }
            frontier = next;
        }
        for u in seen {
            if units[u].locked.is_none() {
                units[u].locked = Some(zone);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// On random grids with holes, random bounds, locks, towns and key rules: whatever
        /// comes back is contiguous, within bounds, keeps every lock and every town, and has
        /// a key village per zone when asked. Refusals are allowed; wrong answers are not.
        #[test]
        fn every_answer_keeps_every_hard_rule(
            w in 3usize..12, h in 3usize..10, seed in 0u64..1000, drop in 0.0f64..0.25,
            mode in 0usize..2, k_frac in 0.05f64..0.5, floor_frac in 0.02f64..0.3,
            require_key in any::<bool>(), stay in any::<bool>(), locks in 0usize..3,
            bounded in any::<bool>(), min_units in 1usize..4,
        ) {
            let (mut units, graph) = instance(w, h, seed, drop);
            let n = units.len();
            for l in 0..locks {
                let centre = (seed as usize * 31 + l * 17) % n;
                locked_ball(&mut units, &graph, centre, 1, 100 + l as u32);
            }
            let total: f64 = units.iter().map(|u| u.size).sum();
            let count = if mode == 0 {
                Count::K(((n as f64 * k_frac) as usize).max(1))
            } else {
                Count::MaxP { floor: total * floor_frac }
            };
            let params = Params {
                count,
                require_key,
                stay_in_group: stay,
                max_size: bounded.then_some(total * 0.6),
                min_units,
                seed,
                restarts: 2,
                kicks: 3,
                weights: Weights { homogeneity: 1.0, balance: 0.5, diversity: 0.5, compactness: 0.5 },
                ..Params::default()
            };
            if let Ok(p) = plan(&units, &graph, &params, &never_cancel) {
                prop_assert!(check(&units, &graph, &params, &p).is_ok(), "{:?}", check(&units, &graph, &params, &p));
            }
        }

        /// Without bounds, keys or locks, k zones on a connected graph always succeed.
        #[test]
        fn k_zones_on_a_connected_graph_always_succeed(w in 2usize..12, h in 2usize..10, seed in 0u64..1000, k_frac in 0.0f64..1.0) {
            let (units, graph) = instance(w, h, seed, 0.0);
            let k = ((units.len() as f64 * k_frac) as usize).clamp(1, units.len());
            let params = Params { count: Count::K(k), seed, restarts: 2, kicks: 2, ..Params::default() };
            let p = plan(&units, &graph, &params, &never_cancel).unwrap();
            prop_assert!(check(&units, &graph, &params, &p).is_ok());
        }
    }
}
