//! Unicost set covering, the engine under LSCP and p-center: a Lagrangian lower bound of LP
//! quality and a row-weighting local search for small covers.
//!
//! Rows are the demand points fixed sites leave uncovered; columns are the candidates.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One covering instance: which rows each column covers and which columns cover each row.
pub(super) struct Scp {
    pub sets: Vec<Vec<u32>>,
    pub covers: Vec<Vec<u32>>,
    /// Rows that must be covered (the others are covered by fixed sites already).
    pub need: Vec<bool>,
}

impl Scp {
    /// `sets[c]`: the points column `c` reaches; `by_fixed[i]`: point `i` needs no cover.
    pub fn new(sets: &[Vec<u32>], by_fixed: &[bool]) -> Scp {
        let n = by_fixed.len();
        let need: Vec<bool> = by_fixed.iter().map(|&b| !b).collect();
        let sets: Vec<Vec<u32>> = sets
            .iter()
            .map(|s| s.iter().copied().filter(|&i| need[i as usize]).collect())
            .collect();
        let mut covers: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (c, s) in sets.iter().enumerate() {
            for &i in s {
                covers[i as usize].push(c as u32);
            }
        }
        Scp { sets, covers, need }
    }

    /// Drops dominated columns (one whose rows another column covers too: swapping it for that
    /// one never hurts) and dominated rows (one covered whenever another row is, because every
    /// column reaching the other reaches it): the optimum and the LP value stay the same, and
    /// at a p-center's wide radii most of the matrix goes. Equal sets keep the lowest number.
    /// Bitset tests, so only for instances small enough (points × candidates ≤ 25 million).
    pub fn reduce(&mut self) {
        let n = self.need.len();
        let m = self.sets.len();
        if n * m > 25_000_000 || !self.uncoverable().is_empty() {
            return;
        }
        let bits = |items: &[u32], len: usize| {
            let mut b = vec![0u64; len.div_ceil(64)];
            items
                .iter()
                .for_each(|&x| b[x as usize / 64] |= 1 << (x % 64));
            b
        };
        let subset = |a: &[u64], b: &[u64]| a.iter().zip(b).all(|(x, y)| x & !y == 0);
        let col_bits: Vec<Vec<u64>> = self.sets.iter().map(|s| bits(s, n)).collect();
        let mut col_alive: Vec<bool> = self.sets.iter().map(|s| !s.is_empty()).collect();
        for j in 0..m {
            let Some(&i0) = self.sets[j]
                .iter()
                .min_by_key(|&&i| self.covers[i as usize].len())
            else {
                continue;
            };
            let size = self.sets[j].len();
            col_alive[j] = !self.covers[i0 as usize].iter().any(|&k| {
                let k = k as usize;
                k != j
                    && col_alive[k]
                    && (self.sets[k].len() > size || (self.sets[k].len() == size && k < j))
                    && subset(&col_bits[j], &col_bits[k])
            });
        }
        drop(col_bits);
        for j in 0..m {
            if !col_alive[j] {
                self.sets[j].clear();
            }
        }
        self.rebuild_covers();
        let row_bits: Vec<Vec<u64>> = self.covers.iter().map(|c| bits(c, m)).collect();
        let mut row_alive = self.need.clone();
        for k in 0..n {
            if !self.need[k] {
                continue;
            }
            let c0 = *self.covers[k]
                .iter()
                .min_by_key(|&&c| self.sets[c as usize].len())
                .expect("coverable");
            let size = self.covers[k].len();
            for &i in &self.sets[c0 as usize] {
                let i = i as usize;
                if i != k
                    && row_alive[i]
                    && (self.covers[i].len() > size || (self.covers[i].len() == size && k < i))
                    && subset(&row_bits[k], &row_bits[i])
                {
                    row_alive[i] = false;
                }
            }
        }
        self.need = row_alive;
        for s in &mut self.sets {
            s.retain(|&i| self.need[i as usize]);
        }
        self.rebuild_covers();
    }

    fn rebuild_covers(&mut self) {
        self.covers.iter_mut().for_each(Vec::clear);
        for (c, s) in self.sets.iter().enumerate() {
            for &i in s {
                self.covers[i as usize].push(c as u32);
            }
        }
    }

    /// Entries of the matrix (at least 1).
    pub fn nonzeros(&self) -> usize {
        self.sets.iter().map(Vec::len).sum::<usize>().max(1)
    }

    /// Whether the columns `open` cover every needed row.
    pub fn covered_by(&self, open: &[usize]) -> bool {
        let mut hit: Vec<bool> = self.need.iter().map(|&b| !b).collect();
        open.iter()
            .for_each(|&c| self.sets[c].iter().for_each(|&i| hit[i as usize] = true));
        hit.into_iter().all(|h| h)
    }

    /// Needed rows no column covers.
    pub fn uncoverable(&self) -> Vec<usize> {
        (0..self.need.len())
            .filter(|&i| self.need[i] && self.covers[i].is_empty())
            .collect()
    }
}

/// What a Lagrangian ascent proved and the prices it ended with.
pub(super) struct Dual {
    /// A lower bound on the number of columns in any cover (not rounded).
    pub bound: f64,
    /// Row prices at the best bound, for priced greedy starts.
    pub prices: Vec<f64>,
}

/// max over u ≥ 0 of L(u) = Σ_i u_i + Σ_j min(0, 1 − Σ_{i∈S_j} u_i), the LP relaxation's value,
/// by the volume algorithm (Barahona and Anbil): a subgradient method whose direction comes
/// from a running average x̄ of the relaxation's column choices rather than the last choice
/// alone, so it does not zig-zag between nearly equal covers, and which moves its centre only
/// when the value improves. On south's 100 km covering it reaches 83.8 of the LP's 83.9 where
/// plain subgradient steps stalled near 82.4.
///
/// `goal` is both the step's target and where to stop: a known cover's size (nothing more to
/// prove once the bound rounds up to it), or p + 1 when the question is "are p enough?". The
/// average x̄, topped up until it covers every row, is a fractional cover, so its size bounds
/// the LP from above: once that shows the rounded bound cannot rise any more (or, with
/// `only_goal`, cannot reach the goal) the ascent stops. `start` warm-starts the prices.
pub(super) fn lower_bound(
    scp: &Scp,
    goal: f64,
    only_goal: bool,
    iterations: usize,
    start: Option<&[f64]>,
) -> Dual {
    let n = scp.need.len();
    let m = scp.sets.len();
    let rows: Vec<usize> = (0..n)
        .filter(|&i| scp.need[i] && !scp.covers[i].is_empty())
        .collect();
    // L(u), the columns it opens (reduced cost below zero), and how often each row is covered
    // by them.
    let value = |u: &[f64], open: &mut Vec<usize>, ax: &mut [f64]| -> f64 {
        let mut l = rows.iter().map(|&i| u[i]).sum::<f64>();
        open.clear();
        for (c, s) in scp.sets.iter().enumerate() {
            let r = 1.0 - s.iter().map(|&i| u[i as usize]).sum::<f64>();
            if r < 0.0 {
                l += r;
                open.push(c);
            }
        }
        ax.iter_mut().for_each(|a| *a = 0.0);
        for &c in open.iter() {
            scp.sets[c].iter().for_each(|&i| ax[i as usize] += 1.0);
        }
        l
    };
    let mut centre: Vec<f64> = match start {
        Some(u) => rows.iter().fold(vec![0.0; n], |mut v, &i| {
            v[i] = u[i].max(0.0);
            v
        }),
        None => rows.iter().fold(vec![0.0; n], |mut v, &i| {
            v[i] = 1.0 / scp.covers[i].len() as f64;
            v
        }),
    };
    let mut open: Vec<usize> = Vec::new();
    let mut ax = vec![0.0f64; n];
    let mut best = value(&centre, &mut open, &mut ax);
    // The running averages x̄ (per column) and A x̄ (per row).
    let mut xbar = vec![0.0f64; m];
    open.iter().for_each(|&c| xbar[c] = 1.0);
    let mut axbar = ax.clone();
    let mut trial = centre.clone();
    let mut g = vec![0.0f64; n];
    // Step scale f, and the weight of the newest choice in the average (small: a long memory).
    let mut f: f64 = 1.0;
    let alpha = 0.01;
    let mut reds = 0;
    for it in 0..iterations {
        if proven_up_to(best) >= goal {
            break;
        }
        if it % 50 == 49 {
            let lp_above = (fractional_cover(scp, &rows, &xbar, &axbar) - 1e-9).ceil();
            if lp_above <= proven_up_to(best) || (only_goal && lp_above < goal) {
                break;
            }
        }
        // Direction: rows the averaged choice leaves under- or over-covered.
        let mut norm = 0.0;
        for &i in &rows {
            g[i] = 1.0 - axbar[i];
            norm += g[i] * g[i];
        }
        if norm < 1e-12 {
            break;
        }
        let step = f * (goal - best).max(1e-3) / norm;
        for &i in &rows {
            trial[i] = (centre[i] + step * g[i]).max(0.0);
        }
        let l = value(&trial, &mut open, &mut ax);
        xbar.iter_mut().for_each(|x| *x *= 1.0 - alpha);
        open.iter().for_each(|&c| xbar[c] += alpha);
        for &i in &rows {
            axbar[i] = alpha * ax[i] + (1.0 - alpha) * axbar[i];
        }
        if l > best {
            // Green when the new choice still points the same way, yellow otherwise.
            let along: f64 = rows.iter().map(|&i| (1.0 - ax[i]) * g[i]).sum();
            if along >= 0.0 {
                f = (f * 1.1).min(2.0);
            }
            reds = 0;
            best = l;
            std::mem::swap(&mut centre, &mut trial);
        } else {
            reds += 1;
            if reds >= 20 {
                f *= 0.66;
                reds = 0;
            }
        }
        if f < 1e-5 {
            break;
        }
    }
    Dual {
        bound: best,
        prices: centre,
    }
}

/// The size of a fractional cover made from the average `xbar` (whose row sums are `axbar`):
/// each row still short of 1 tops up the column reaching it that the average uses most. Any
/// fractional cover bounds the LP from above.
fn fractional_cover(scp: &Scp, rows: &[usize], xbar: &[f64], axbar: &[f64]) -> f64 {
    let mut x = xbar.to_vec();
    let mut ax = axbar.to_vec();
    for &i in rows {
        let short = 1.0 - ax[i];
        if short > 0.0 {
            let c = scp.covers[i]
                .iter()
                .map(|&c| c as usize)
                .max_by(|&a, &b| x[a].total_cmp(&x[b]).then(b.cmp(&a)))
                .expect("coverable row");
            x[c] += short;
            scp.sets[c].iter().for_each(|&k| ax[k as usize] += short);
        }
    }
    x.iter().sum()
}

/// The smallest integer a bound of `l` forces, with room for rounding error.
pub(super) fn proven_up_to(l: f64) -> f64 {
    (l - 1e-6).ceil().max(0.0)
}

/// Greedy cover from `start` that picks by the summed price of the rows a column newly covers
/// (a tiny constant keeps zero prices counting), stopping at `limit` columns; a full cover
/// then drops the columns that became redundant.
pub(super) fn greedy(scp: &Scp, price: &[f64], start: &[usize], limit: usize) -> Vec<usize> {
    let m = scp.sets.len();
    let mut count = vec![0u32; scp.need.len()];
    let mut open = vec![false; m];
    let mut sol: Vec<usize> = Vec::new();
    for &c in start {
        if !open[c] {
            open[c] = true;
            sol.push(c);
            scp.sets[c].iter().for_each(|&i| count[i as usize] += 1);
        }
    }
    // Column values only fall as rows are covered, so a stale value is an upper bound: keep
    // them in a max-heap and re-score lazily (the usual lazy greedy).
    let value = |c: usize, count: &[u32]| -> f64 {
        scp.sets[c]
            .iter()
            .filter(|&&i| count[i as usize] == 0)
            .map(|&i| price[i as usize] + 1e-6)
            .sum()
    };
    let mut heap: std::collections::BinaryHeap<(Key, std::cmp::Reverse<usize>)> = (0..m)
        .filter(|&c| !open[c])
        .map(|c| (Key(value(c, &count)), std::cmp::Reverse(c)))
        .collect();
    while let Some((Key(v), std::cmp::Reverse(c))) = heap.pop() {
        if v <= 0.0 || sol.len() >= limit {
            break;
        }
        let now = value(c, &count);
        if now < v {
            heap.push((Key(now), std::cmp::Reverse(c)));
            continue;
        }
        open[c] = true;
        sol.push(c);
        scp.sets[c].iter().for_each(|&i| count[i as usize] += 1);
    }
    let covered =
        (0..count.len()).all(|i| count[i] > 0 || !scp.need[i] || scp.covers[i].is_empty());
    if covered {
        drop_redundant(scp, sol, &mut count)
    } else {
        sol.sort_unstable();
        sol
    }
}

/// Drops columns whose rows all have another cover, the smallest columns first.
fn drop_redundant(scp: &Scp, mut sol: Vec<usize>, count: &mut [u32]) -> Vec<usize> {
    sol.sort_by(|&a, &b| scp.sets[a].len().cmp(&scp.sets[b].len()).then(a.cmp(&b)));
    let mut kept = Vec::with_capacity(sol.len());
    for c in sol {
        if scp.sets[c].iter().all(|&i| count[i as usize] >= 2) {
            scp.sets[c].iter().for_each(|&i| count[i as usize] -= 1);
        } else {
            kept.push(c);
        }
    }
    kept.sort_unstable();
    kept
}

/// A float ordered by `total_cmp`, for the heap.
#[derive(Clone, Copy)]
struct Key(f64);
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Row-weighting local search (after Gao, Weise and Li's RWLS for unicost set covering).
///
/// From `start`, each step drops the column whose rows are cheapest to lose and adds, for one
/// random uncovered row, the column covering it that gains most; uncovered rows then grow
/// heavier, so rows that keep escaping pull the search towards them. Whenever everything is
/// covered the cover is recorded and one more column removed, so the search keeps asking for
/// one column fewer. Returns the smallest cover seen (`start` if none smaller), and stops as
/// soon as it has one of at most `goal` columns or `work` row visits are spent.
pub(super) fn weighted_search(
    scp: &Scp,
    start: Vec<usize>,
    goal: usize,
    work: usize,
    seed: u64,
) -> Vec<usize> {
    let mut s = Search::new(scp, &start);
    let mut best: Option<Vec<usize>> = None;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tabu = usize::MAX;
    let mut step: u64 = 0;
    while s.work < work {
        step += 1;
        if s.uncovered.is_empty() {
            let size = s.sol.len();
            if best.as_ref().is_none_or(|b| size < b.len()) {
                let mut b = s.sol.clone();
                b.sort_unstable();
                best = Some(b);
            }
            if size <= goal || size == 0 {
                break;
            }
            let out = s.best_to_drop(usize::MAX);
            s.remove(out, step);
            continue;
        }
        if !s.sol.is_empty() {
            let out = s.best_to_drop(tabu);
            s.remove(out, step);
        }
        let row = s.uncovered[rng.random_range(0..s.uncovered.len())] as usize;
        let add = s.best_to_add(row);
        s.add(add, step);
        tabu = add;
        s.weigh_uncovered();
    }
    best.unwrap_or(start)
}

struct Search<'a> {
    scp: &'a Scp,
    in_sol: Vec<bool>,
    sol: Vec<usize>,
    /// Columns of the solution covering each row, and the sum of their numbers (which names
    /// the only one when the count is 1).
    count: Vec<u32>,
    who: Vec<u64>,
    weight: Vec<f64>,
    /// For a column in the solution, minus the weight only it covers; otherwise the weight of
    /// the uncovered rows it would cover.
    score: Vec<f64>,
    /// Step of each column's last change, for ties (older first) and configuration checking:
    /// a dropped column may come back only after one of its neighbours changed.
    stamp: Vec<u64>,
    free: Vec<bool>,
    uncovered: Vec<u32>,
    /// Position of each row in `uncovered`, or `u32::MAX`.
    at: Vec<u32>,
    work: usize,
}

impl<'a> Search<'a> {
    fn new(scp: &'a Scp, start: &[usize]) -> Search<'a> {
        let n = scp.need.len();
        let m = scp.sets.len();
        let mut s = Search {
            scp,
            in_sol: vec![false; m],
            sol: Vec::new(),
            count: vec![0; n],
            who: vec![0; n],
            weight: vec![1.0; n],
            score: vec![0.0; m],
            stamp: vec![0; m],
            free: vec![true; m],
            uncovered: Vec::new(),
            at: vec![u32::MAX; n],
            work: 0,
        };
        for i in 0..n {
            if scp.need[i] && !scp.covers[i].is_empty() {
                s.at[i] = s.uncovered.len() as u32;
                s.uncovered.push(i as u32);
            }
        }
        for c in 0..m {
            s.score[c] = scp.sets[c].len() as f64;
        }
        for &c in start {
            if !s.in_sol[c] {
                s.add(c, 0);
            }
        }
        s
    }

    fn add(&mut self, c: usize, step: u64) {
        let scp = self.scp;
        self.in_sol[c] = true;
        self.sol.push(c);
        self.score[c] = -self.score[c];
        self.stamp[c] = step;
        for &i in &scp.sets[c] {
            let i = i as usize;
            match self.count[i] {
                0 => {
                    let w = self.weight[i];
                    for &k in &scp.covers[i] {
                        if k as usize != c {
                            self.score[k as usize] -= w;
                            self.free[k as usize] = true;
                        }
                    }
                    self.work += scp.covers[i].len();
                    self.take_off(i);
                }
                1 => {
                    let only = self.who[i] as usize;
                    self.score[only] += self.weight[i];
                }
                _ => {}
            }
            self.count[i] += 1;
            self.who[i] += c as u64;
        }
        self.work += scp.sets[c].len();
    }

    fn remove(&mut self, c: usize, step: u64) {
        let scp = self.scp;
        self.in_sol[c] = false;
        let pos = self.sol.iter().position(|&x| x == c).expect("in solution");
        self.sol.swap_remove(pos);
        self.score[c] = -self.score[c];
        self.stamp[c] = step;
        self.free[c] = false;
        for &i in &scp.sets[c] {
            let i = i as usize;
            self.count[i] -= 1;
            self.who[i] -= c as u64;
            match self.count[i] {
                0 => {
                    let w = self.weight[i];
                    for &k in &scp.covers[i] {
                        if k as usize != c {
                            self.score[k as usize] += w;
                            self.free[k as usize] = true;
                        }
                    }
                    self.work += scp.covers[i].len();
                    self.at[i] = self.uncovered.len() as u32;
                    self.uncovered.push(i as u32);
                }
                1 => {
                    let only = self.who[i] as usize;
                    self.score[only] -= self.weight[i];
                }
                _ => {}
            }
        }
        self.work += scp.sets[c].len();
    }

    fn take_off(&mut self, i: usize) {
        let pos = self.at[i] as usize;
        let last = *self.uncovered.last().expect("row is uncovered");
        self.uncovered.swap_remove(pos);
        if last as usize != i {
            self.at[last as usize] = pos as u32;
        }
        self.at[i] = u32::MAX;
    }

    /// The solution column whose loss is least (highest score), not `tabu`; older first.
    fn best_to_drop(&self, tabu: usize) -> usize {
        let pick = |skip: usize| {
            self.sol
                .iter()
                .copied()
                .filter(|&c| c != skip)
                .max_by(|&a, &b| {
                    self.score[a]
                        .total_cmp(&self.score[b])
                        .then(self.stamp[b].cmp(&self.stamp[a]))
                        .then(b.cmp(&a))
                })
        };
        pick(tabu).or_else(|| pick(usize::MAX)).expect("non-empty")
    }

    /// The column covering `row` that gains most, among those allowed back; older first.
    fn best_to_add(&self, row: usize) -> usize {
        let cols = &self.scp.covers[row];
        let pick = |need_free: bool| {
            cols.iter()
                .map(|&c| c as usize)
                .filter(|&c| !need_free || self.free[c])
                .max_by(|&a, &b| {
                    self.score[a]
                        .total_cmp(&self.score[b])
                        .then(self.stamp[b].cmp(&self.stamp[a]))
                        .then(b.cmp(&a))
                })
        };
        pick(true).or_else(|| pick(false)).expect("coverable row")
    }

    fn weigh_uncovered(&mut self) {
        let scp = self.scp;
        for &i in &self.uncovered {
            let i = i as usize;
            self.weight[i] += 1.0;
            for &k in &scp.covers[i] {
                self.score[k as usize] += 1.0;
            }
            self.work += scp.covers[i].len();
        }
    }
}
