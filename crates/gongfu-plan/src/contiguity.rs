//! Contiguity graphs (邻接关系): which units touch, as compressed adjacency lists.
//!
//! Built from a given edge list ([`Graph::from_edges`]) or from unit boundaries
//! ([`from_polygons`], queen or rook contiguity with a tolerance). The planner only ever moves
//! units along these edges, so every zone it proposes is connected in this graph; units that
//! touch nothing (enclaves, islands) are either refused by name or joined to their nearest
//! connected unit ([`connect`]).

use std::fmt;

use crate::geometry::{Pt, cell_adjacency};

/// An undirected simple graph on units `0..n`, stored as compressed adjacency lists
/// (neighbours of `i` are `targets[offsets[i]..offsets[i + 1]]`, sorted, no self loops,
/// no duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

/// Why an edge list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// An edge names a unit outside `0..n`.
    UnknownUnit { edge: usize, unit: usize, n: usize },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::UnknownUnit { edge, unit, n } => write!(
                f,
                "第 {} 条邻接关系引用了不存在的单元 {unit}（共 {n} 个单元，编号 0 至 {}）",
                edge + 1,
                n.saturating_sub(1)
            ),
        }
    }
}

impl std::error::Error for GraphError {}

impl Graph {
    /// The graph on `n` units with the given undirected edges. Self loops and repeated pairs
    /// (in either order) are dropped.
    pub fn from_edges(n: usize, edges: &[(usize, usize)]) -> Result<Graph, GraphError> {
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (e, &(i, j)) in edges.iter().enumerate() {
            for unit in [i, j] {
                if unit >= n {
                    return Err(GraphError::UnknownUnit { edge: e, unit, n });
                }
            }
            if i != j {
                lists[i].push(j as u32);
                lists[j].push(i as u32);
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        offsets.push(0);
        for mut l in lists {
            l.sort_unstable();
            l.dedup();
            targets.extend_from_slice(&l);
            offsets.push(targets.len() as u32);
        }
        Ok(Graph { offsets, targets })
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// Neighbours of `i`, ascending.
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Every edge once, `(i, j)` with `i < j`, ascending.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.len()).flat_map(move |i| {
            self.neighbors(i)
                .iter()
                .map(|&j| j as usize)
                .filter(move |&j| i < j)
                .map(move |j| (i, j))
        })
    }

    /// Connected components: a label per unit (0, 1, … in order of each component's lowest
    /// unit) and the number of components.
    pub fn components(&self) -> (Vec<u32>, usize) {
        let n = self.len();
        let mut label = vec![u32::MAX; n];
        let mut count = 0u32;
        let mut stack = Vec::new();
        for start in 0..n {
            if label[start] != u32::MAX {
                continue;
            }
            label[start] = count;
            stack.push(start);
            while let Some(i) = stack.pop() {
                for &j in self.neighbors(i) {
                    if label[j as usize] == u32::MAX {
                        label[j as usize] = count;
                        stack.push(j as usize);
                    }
                }
            }
            count += 1;
        }
        (label, count as usize)
    }

    /// Whether `members` (unit indices) form one connected piece of this graph. An empty set
    /// is not connected.
    pub fn is_connected_subset(&self, members: &[usize]) -> bool {
        let Some(&first) = members.first() else {
            return false;
        };
        let inside: std::collections::HashSet<usize> = members.iter().copied().collect();
        let mut seen = std::collections::HashSet::from([first]);
        let mut stack = vec![first];
        while let Some(i) = stack.pop() {
            for &j in self.neighbors(i) {
                let j = j as usize;
                if inside.contains(&j) && seen.insert(j) {
                    stack.push(j);
                }
            }
        }
        seen.len() == inside.len()
    }
}

/// Which kind of boundary contact makes two units neighbours.
///
/// Rook is the usual choice for zoning: two villages meeting only at a corner share no road
/// or field edge, and a zone joined through a point looks broken on the map. Queen is for
/// checks that must not miss any contact (a unit whose only neighbour is across a corner is
/// not an island).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Boundaries come within the tolerance of each other anywhere, a single point included.
    Queen,
    /// Boundaries run along each other for a stretch longer than the tolerance.
    Rook,
}

/// The contiguity graph of `units`, in the same order: each unit is a list of rings (a
/// MultiPolygon's outer rings, open or explicitly closed, in metres), and every ring counts as
/// boundary, so a unit made of several pieces touches whatever any of its pieces touches.
///
/// `tolerance` (metres) is there because boundaries from real sources do not meet exactly:
/// neighbouring villages are digitised separately, so a shared border shows up as two lines a
/// little apart, with slivers and overlaps, and a shared corner as two nearby points. Gaps up
/// to the tolerance are treated as contact. For [`Rule::Rook`] the shared stretch must also be
/// *longer* than the tolerance, so that a corner contact blurred by the same slop is not
/// mistaken for a shared border (endpoints may differ by up to the tolerance, and T-junctions,
/// where one unit's edge runs along part of another's, count). Choose it above the data's
/// digitising error and well below the shortest border that should count; `0` demands exact
/// coordinates, which independently computed boundaries rarely have. A negative, NaN or
/// infinite tolerance is treated as `0`.
///
/// Rook looks for one pair of edges that run together for more than the tolerance (see
/// [`cell_adjacency`]), so a shared border drawn only with edges no longer than the tolerance
/// is missed: keep the tolerance below the data's typical vertex spacing.
///
/// Both rules bucket edges in a uniform grid and compare only edges whose bounding boxes,
/// grown by the tolerance, meet: near linear in the number of edges for tilings.
pub fn from_polygons(units: &[Vec<Vec<Pt>>], rule: Rule, tolerance: f64) -> Graph {
    let tol = if tolerance.is_finite() {
        tolerance.max(0.0)
    } else {
        0.0
    };
    let pairs = match rule {
        Rule::Rook => rook_pairs(units, tol),
        Rule::Queen => queen_pairs(units, tol),
    };
    Graph::from_edges(units.len(), &pairs).expect("pairs only name input units")
}

/// Rook pairs through [`cell_adjacency`], which wants one ring per cell: every ring becomes a
/// cell and is mapped back to its unit (pairs within one unit become self loops and drop).
fn rook_pairs(units: &[Vec<Vec<Pt>>], tol: f64) -> Vec<(usize, usize)> {
    let mut rings = Vec::new();
    let mut owner = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        for ring in unit {
            rings.push(ring.clone());
            owner.push(u);
        }
    }
    cell_adjacency(&rings, tol)
        .into_iter()
        .map(|(i, j)| (owner[i], owner[j]))
        .filter(|&(a, b)| a != b)
        .collect()
}

fn finite(p: Pt) -> bool {
    p.x.is_finite() && p.y.is_finite()
}

fn dist2(p: Pt, q: Pt) -> f64 {
    let (dx, dy) = (p.x - q.x, p.y - q.y);
    dx * dx + dy * dy
}

fn orient(a: Pt, b: Pt, c: Pt) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn within_box(a: Pt, b: Pt, p: Pt) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Squared distance from `p` to the segment a–b (a point when `a == b`).
fn point_segment_dist2(p: Pt, a: Pt, b: Pt) -> f64 {
    let (ex, ey) = (b.x - a.x, b.y - a.y);
    let len2 = ex * ex + ey * ey;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p.x - a.x) * ex + (p.y - a.y) * ey) / len2).clamp(0.0, 1.0);
    dist2(p, Pt::new(a.x + t * ex, a.y + t * ey))
}

/// Squared distance between the closed segments a–b and c–d: zero when they touch or cross,
/// otherwise attained at an endpoint of one of them.
fn segment_dist2(a: Pt, b: Pt, c: Pt, d: Pt) -> f64 {
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    let crossing = o1 * o2 < 0.0 && o3 * o4 < 0.0;
    let touching = (o1 == 0.0 && within_box(a, b, c))
        || (o2 == 0.0 && within_box(a, b, d))
        || (o3 == 0.0 && within_box(c, d, a))
        || (o4 == 0.0 && within_box(c, d, b));
    if crossing || touching {
        return 0.0;
    }
    point_segment_dist2(a, c, d)
        .min(point_segment_dist2(b, c, d))
        .min(point_segment_dist2(c, a, b))
        .min(point_segment_dist2(d, a, b))
}

/// A ring without its explicit closing point.
fn open_ring(ring: &[Pt]) -> &[Pt] {
    match ring {
        [first, .., last] if ring.len() > 1 && first == last => &ring[..ring.len() - 1],
        _ => ring,
    }
}

/// Bucket size and counts for a uniform grid over a `w` × `h` box: `base` if that keeps the
/// bucket count at most `cap`, else larger. A degenerate or overflowing box gets one bucket.
fn grid_dims(w: f64, h: f64, base: f64, cap: usize) -> (f64, usize, usize) {
    if !(w.is_finite() && h.is_finite()) {
        return (f64::INFINITY, 1, 1);
    }
    let floor = w.max(h) / (cap as f64).sqrt();
    let mut size = if base >= floor { base } else { floor };
    if !(size > 0.0 && size.is_finite()) {
        size = 1.0;
    }
    while (w / size + 1.0) * (h / size + 1.0) > cap as f64 {
        size *= 1.5;
    }
    let nx = (w / size).floor() as usize + 1;
    let ny = (h / size).floor() as usize + 1;
    (size, nx, ny)
}

/// Queen pairs: every boundary segment goes into the buckets its bounding box, grown by the
/// tolerance, covers; a pair sharing several buckets is measured only in the first of them
/// (the one holding the low corner of the overlap of their bucket ranges).
fn queen_pairs(units: &[Vec<Vec<Pt>>], tol: f64) -> Vec<(usize, usize)> {
    struct Seg {
        unit: usize,
        a: Pt,
        b: Pt,
        /// Bucket range: x from `g[0]` to `g[1]`, y from `g[2]` to `g[3]`, inclusive.
        g: [usize; 4],
    }
    let mut segs = Vec::new();
    for (unit, rings) in units.iter().enumerate() {
        for ring in rings {
            let ring = open_ring(ring);
            // A two-point ring is one segment, not the same segment twice; a one-point ring
            // is a point, kept as a zero-length segment.
            let count = if ring.len() == 2 { 1 } else { ring.len() };
            for k in 0..count {
                let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
                if finite(a) && finite(b) {
                    segs.push(Seg {
                        unit,
                        a,
                        b,
                        g: [0; 4],
                    });
                }
            }
        }
    }
    if segs.is_empty() {
        return Vec::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut total_len = 0.0;
    for s in &segs {
        x0 = x0.min(s.a.x.min(s.b.x));
        y0 = y0.min(s.a.y.min(s.b.y));
        x1 = x1.max(s.a.x.max(s.b.x));
        y1 = y1.max(s.a.y.max(s.b.y));
        total_len += dist2(s.a, s.b).sqrt();
    }
    // Growing each box by the whole tolerance (not half) plus a hair leaves a margin, so
    // rounding in the bucket arithmetic cannot separate two segments exactly `tol` apart —
    // also at tolerance 0, where touching cells meet at coordinates computed separately.
    let pad = tol + 1e-9 * (x1 - x0).max(y1 - y0).max(1.0);
    x0 -= pad;
    y0 -= pad;
    let base = (total_len / segs.len() as f64).max(pad);
    let (size, nx, ny) = grid_dims(x1 + pad - x0, y1 + pad - y0, base, 4 * segs.len() + 16);
    let bucket = |v: f64, origin: f64, max: usize| {
        (((v - origin) / size).floor().max(0.0) as usize).min(max - 1)
    };
    for s in &mut segs {
        s.g = [
            bucket(s.a.x.min(s.b.x) - pad, x0, nx),
            bucket(s.a.x.max(s.b.x) + pad, x0, nx),
            bucket(s.a.y.min(s.b.y) - pad, y0, ny),
            bucket(s.a.y.max(s.b.y) + pad, y0, ny),
        ];
    }
    let mut start = vec![0usize; nx * ny + 1];
    for s in &segs {
        for gy in s.g[2]..=s.g[3] {
            for gx in s.g[0]..=s.g[1] {
                start[gy * nx + gx + 1] += 1;
            }
        }
    }
    for k in 0..nx * ny {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; start[nx * ny]];
    for (si, s) in segs.iter().enumerate() {
        for gy in s.g[2]..=s.g[3] {
            for gx in s.g[0]..=s.g[1] {
                let k = gy * nx + gx;
                items[fill[k]] = si as u32;
                fill[k] += 1;
            }
        }
    }
    let tol2 = tol * tol;
    let mut pairs = Vec::new();
    for gy in 0..ny {
        for gx in 0..nx {
            let k = gy * nx + gx;
            let here = &items[start[k]..start[k + 1]];
            for (p, &si) in here.iter().enumerate() {
                let s = &segs[si as usize];
                for &ti in &here[p + 1..] {
                    let t = &segs[ti as usize];
                    if s.unit == t.unit || s.g[0].max(t.g[0]) != gx || s.g[2].max(t.g[2]) != gy {
                        continue;
                    }
                    if s.a.x.min(s.b.x) - t.a.x.max(t.b.x) > pad
                        || t.a.x.min(t.b.x) - s.a.x.max(s.b.x) > pad
                        || s.a.y.min(s.b.y) - t.a.y.max(t.b.y) > pad
                        || t.a.y.min(t.b.y) - s.a.y.max(s.b.y) > pad
                    {
                        continue;
                    }
                    if segment_dist2(s.a, s.b, t.a, t.b) <= tol2 {
                        pairs.push((s.unit.min(t.unit), s.unit.max(t.unit)));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// What to do with units the contiguity graph leaves unconnected (飞地, islands, or a boundary
/// error that cut a unit off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IslandPolicy {
    /// Join each detached part to its nearest connected unit (就近并入).
    Attach,
    /// Stop and name the detached units, so the boundaries can be checked first.
    Refuse,
}

/// An edge [`connect`] added: `unit` (in a detached part) joined to `to`, whose centroids are
/// `distance` metres apart (infinite when a centroid was not finite; see [`connect`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub unit: usize,
    pub to: usize,
    pub distance: f64,
}

/// The graph falls apart and the policy was [`IslandPolicy::Refuse`]: the names of the units in
/// every part other than the largest, each part in unit order, parts in order of their lowest
/// unit. A blank name is replaced by the unit's position (「第 k 个单元」, counting from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnected {
    pub parts: Vec<Vec<String>>,
}

/// How many names the message spells out before summarising the rest.
const SHOWN_NAMES: usize = 20;

impl fmt::Display for Disconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: usize = self.parts.iter().map(Vec::len).sum();
        f.write_str("以下单元与其他单元不相邻（飞地或孤岛")?;
        if self.parts.len() > 1 {
            write!(f, "，共 {} 处", self.parts.len())?;
        }
        f.write_str("）：")?;
        let mut shown = 0;
        'parts: for (p, part) in self.parts.iter().enumerate() {
            for (k, name) in part.iter().enumerate() {
                if shown == SHOWN_NAMES {
                    break 'parts;
                }
                // Parts are separated by 「；」, units within one part by 「、」.
                if k > 0 {
                    f.write_str("、")?;
                } else if p > 0 {
                    f.write_str("；")?;
                }
                f.write_str(name)?;
                shown += 1;
            }
        }
        if shown < total {
            write!(f, "……等 {total} 个单元")?;
        }
        f.write_str("。请检查边界，或选择“就近并入”。")
    }
}

impl std::error::Error for Disconnected {}

/// Makes `graph` connected, or says which units are cut off.
///
/// Zones are grown along graph edges, so a unit with no path to the rest (an enclave, an
/// island, or a unit whose boundary does not quite meet its neighbours') could never join one.
/// If the graph has at most one component it comes back unchanged. Otherwise the largest
/// component (ties: the one with the lowest unit) is the mainland. [`IslandPolicy::Refuse`]
/// returns [`Disconnected`] naming the rest. [`IslandPolicy::Attach`] takes the other
/// components in order of their lowest unit and adds, for each, one edge: the closest pair by
/// centroid distance between a unit of that component and a unit already connected (the
/// mainland and the components attached before it), ties going to the lower unit indices. The
/// returned graph has every original edge plus one per [`Attachment`], in that order.
///
/// Units with a non-finite centroid are never chosen by distance; a component with no usable
/// pair is joined through its lowest unit to the lowest connected unit, with an infinite
/// distance, so the result is connected whatever the centroids.
///
/// Centroids are bucketed in a uniform grid holding only connected units, searched in growing
/// rings from each unit of the component and cut off by the best distance so far, so the cost
/// follows the islands' size and their distance to shore, not n² (100,000 units with 300
/// islands take well under a second in a debug build). A very large part lying far from
/// everything else is the slow case: each of its units searches out to that distance.
///
/// # Panics
///
/// If `names` or `centroids` does not have one entry per unit of `graph`.
pub fn connect(
    graph: &Graph,
    names: &[String],
    centroids: &[Pt],
    policy: IslandPolicy,
) -> Result<(Graph, Vec<Attachment>), Disconnected> {
    let n = graph.len();
    assert_eq!(names.len(), n, "connect: one name per unit");
    assert_eq!(centroids.len(), n, "connect: one centroid per unit");
    let (label, count) = graph.components();
    if count <= 1 {
        return Ok((graph.clone(), Vec::new()));
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &l) in label.iter().enumerate() {
        members[l as usize].push(i);
    }
    let mainland = (0..count)
        .max_by_key(|&c| (members[c].len(), std::cmp::Reverse(c)))
        .expect("at least two components");
    match policy {
        IslandPolicy::Refuse => {
            let parts = members
                .iter()
                .enumerate()
                .filter(|&(c, _)| c != mainland)
                .map(|(_, part)| {
                    part.iter()
                        .map(|&i| {
                            if names[i].trim().is_empty() {
                                format!("第 {} 个单元", i + 1)
                            } else {
                                names[i].clone()
                            }
                        })
                        .collect()
                })
                .collect();
            Err(Disconnected { parts })
        }
        IslandPolicy::Attach => {
            let mut grid = CentroidGrid::new(centroids);
            let mut lowest_connected = members[mainland][0];
            for &i in &members[mainland] {
                grid.insert(i, centroids[i]);
            }
            let mut edges: Vec<(usize, usize)> = graph.edges().collect();
            let mut attachments = Vec::with_capacity(count - 1);
            for (c, part) in members.iter().enumerate() {
                if c == mainland {
                    continue;
                }
                let attachment = match grid.closest_pair(part, centroids) {
                    Some((d2, unit, to)) => Attachment {
                        unit,
                        to,
                        distance: d2.sqrt(),
                    },
                    None => Attachment {
                        unit: part[0],
                        to: lowest_connected,
                        distance: f64::INFINITY,
                    },
                };
                edges.push((attachment.unit, attachment.to));
                attachments.push(attachment);
                for &i in part {
                    grid.insert(i, centroids[i]);
                }
                lowest_connected = lowest_connected.min(part[0]);
            }
            let joined = Graph::from_edges(n, &edges).expect("edges name existing units");
            Ok((joined, attachments))
        }
    }
}

/// Uniform bucket grid over the finite centroids' bounding box, filled incrementally with the
/// units connected so far.
struct CentroidGrid {
    x0: f64,
    y0: f64,
    size: f64,
    nx: usize,
    ny: usize,
    buckets: Vec<Vec<u32>>,
    len: usize,
}

impl CentroidGrid {
    fn new(points: &[Pt]) -> CentroidGrid {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let mut count = 0usize;
        for &p in points.iter().filter(|&&p| finite(p)) {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
            count += 1;
        }
        if count == 0 {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let (w, h) = (x1 - x0, y1 - y0);
        // About one centroid per bucket.
        let base = (w * h / count.max(1) as f64).sqrt();
        let (size, nx, ny) = grid_dims(w, h, base, 2 * count + 16);
        CentroidGrid {
            x0,
            y0,
            size,
            nx,
            ny,
            buckets: vec![Vec::new(); nx * ny],
            len: 0,
        }
    }

    fn cell_of(&self, p: Pt) -> (usize, usize) {
        let cx = ((p.x - self.x0) / self.size).floor().max(0.0) as usize;
        let cy = ((p.y - self.y0) / self.size).floor().max(0.0) as usize;
        (cx.min(self.nx - 1), cy.min(self.ny - 1))
    }

    fn insert(&mut self, unit: usize, p: Pt) {
        if finite(p) {
            let (cx, cy) = self.cell_of(p);
            self.buckets[cy * self.nx + cx].push(unit as u32);
            self.len += 1;
        }
    }

    /// The least `(squared distance, unit, to)` over `unit` in `part` and `to` in the grid.
    fn closest_pair(&self, part: &[usize], points: &[Pt]) -> Option<(f64, usize, usize)> {
        if self.len == 0 {
            return None;
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for &u in part {
            let p = points[u];
            if finite(p) {
                self.search(u, p, points, &mut best);
            }
        }
        best
    }

    /// Visits square rings of buckets around `p` until every bucket not yet seen is farther
    /// than `best` (or the whole grid is seen), improving `best` on the way.
    fn search(&self, u: usize, p: Pt, points: &[Pt], best: &mut Option<(f64, usize, usize)>) {
        let (cx, cy) = self.cell_of(p);
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let (cx, cy) = (cx as isize, cy as isize);
        let visit = |gx: isize, gy: isize, best: &mut Option<(f64, usize, usize)>| {
            for &v in &self.buckets[gy as usize * self.nx + gx as usize] {
                let v = v as usize;
                let d2 = dist2(p, points[v]);
                let better = match *best {
                    None => true,
                    Some((b, bu, bv)) => d2 < b || (d2 == b && (u, v) < (bu, bv)),
                };
                if better {
                    *best = Some((d2, u, v));
                }
            }
        };
        let mut r = 0isize;
        loop {
            let (lo_x, hi_x, lo_y, hi_y) = (cx - r, cx + r, cy - r, cy + r);
            for gy in lo_y.max(0)..=hi_y.min(ny - 1) {
                if gy == lo_y || gy == hi_y {
                    for gx in lo_x.max(0)..=hi_x.min(nx - 1) {
                        visit(gx, gy, best);
                    }
                } else {
                    // Inside the ring only its left and right columns are new.
                    if lo_x >= 0 {
                        visit(lo_x, gy, best);
                    }
                    if hi_x < nx {
                        visit(hi_x, gy, best);
                    }
                }
            }
            if lo_x <= 0 && lo_y <= 0 && hi_x >= nx - 1 && hi_y >= ny - 1 {
                return;
            }
            if let Some((b, _, _)) = *best {
                // Distance from p to the nearest side of the searched block that still has
                // buckets beyond it bounds every unseen centroid; the slack keeps exact ties
                // (duplicate centroids, lattice layouts) from being cut off by rounding.
                let side = |open: bool, d: f64| if open { d } else { f64::INFINITY };
                let s = self.size;
                let lb = side(lo_x > 0, p.x - (self.x0 + lo_x as f64 * s))
                    .min(side(hi_x < nx - 1, self.x0 + (hi_x + 1) as f64 * s - p.x))
                    .min(side(lo_y > 0, p.y - (self.y0 + lo_y as f64 * s)))
                    .min(side(hi_y < ny - 1, self.y0 + (hi_y + 1) as f64 * s - p.y))
                    - s * 1e-9;
                if lb > 0.0 && lb * lb > b {
                    return;
                }
            }
            r += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::voronoi_cells;
    use proptest::prelude::*;

    #[test]
    fn edges_are_symmetric_sorted_and_unique() {
        let g = Graph::from_edges(4, &[(1, 0), (0, 1), (2, 2), (3, 1)]).unwrap();
        assert_eq!(g.neighbors(0), &[1]);
        assert_eq!(g.neighbors(1), &[0, 3]);
        assert_eq!(g.neighbors(2), &[] as &[u32]);
        assert_eq!(g.edge_count(), 2);
        assert_eq!(g.edges().collect::<Vec<_>>(), vec![(0, 1), (1, 3)]);
        assert_eq!(g.components(), (vec![0, 0, 1, 0], 2));
        assert!(g.is_connected_subset(&[0, 1, 3]));
        assert!(!g.is_connected_subset(&[0, 3]));
    }

    #[test]
    fn an_edge_to_a_missing_unit_is_refused_by_number() {
        let e = Graph::from_edges(3, &[(0, 1), (1, 7)]).unwrap_err();
        assert_eq!(
            e,
            GraphError::UnknownUnit {
                edge: 1,
                unit: 7,
                n: 3
            }
        );
        assert!(e.to_string().contains("第 2 条"));
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<Pt> {
        vec![
            Pt::new(x0, y0),
            Pt::new(x1, y0),
            Pt::new(x1, y1),
            Pt::new(x0, y1),
        ]
    }

    /// `n` × `n` unit squares of side `side`, row by row, each a one-ring unit.
    fn square_grid(n: usize, side: f64) -> Vec<Vec<Vec<Pt>>> {
        (0..n * n)
            .map(|k| {
                let (x, y) = ((k % n) as f64 * side, (k / n) as f64 * side);
                vec![rect(x, y, x + side, y + side)]
            })
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("村{i}")).collect()
    }

    #[test]
    fn a_grid_of_squares_has_rook_edges_and_queen_adds_the_diagonals() {
        let units = square_grid(100, 100.0);
        let rook = from_polygons(&units, Rule::Rook, 1.0);
        assert_eq!(rook.edge_count(), 2 * 100 * 99);
        assert_eq!(rook.neighbors(0), &[1, 100]);
        assert_eq!(rook.neighbors(101), &[1, 100, 102, 201]);
        let queen = from_polygons(&units, Rule::Queen, 1.0);
        assert_eq!(queen.edge_count(), 2 * 100 * 99 + 2 * 99 * 99);
        assert_eq!(queen.neighbors(0), &[1, 100, 101]);
        assert_eq!(queen.neighbors(101), &[0, 1, 2, 100, 102, 200, 201, 202]);
        // Exact coordinates need no tolerance at all.
        assert_eq!(from_polygons(&units, Rule::Queen, 0.0), queen);
        let (_, parts) = queen.components();
        assert_eq!(parts, 1);
    }

    #[test]
    fn closed_rings_count_the_same_as_open_ones() {
        let mut units = square_grid(3, 10.0);
        for unit in &mut units {
            let first = unit[0][0];
            unit[0].push(first);
        }
        assert_eq!(from_polygons(&units, Rule::Rook, 0.01).edge_count(), 12);
        assert_eq!(from_polygons(&units, Rule::Queen, 0.01).edge_count(), 20);
    }

    #[test]
    fn a_gap_within_the_tolerance_is_contact_and_beyond_it_is_not() {
        let units = vec![
            vec![rect(0.0, 0.0, 10.0, 10.0)],
            vec![rect(10.5, 0.0, 20.5, 10.0)],
        ];
        for rule in [Rule::Rook, Rule::Queen] {
            assert_eq!(
                from_polygons(&units, rule, 1.0).edges().collect::<Vec<_>>(),
                vec![(0, 1)],
                "{rule:?}"
            );
            assert_eq!(from_polygons(&units, rule, 0.1).edge_count(), 0, "{rule:?}");
        }
    }

    #[test]
    fn a_corner_touch_is_queen_but_not_rook() {
        let units = vec![
            vec![rect(0.0, 0.0, 1.0, 1.0)],
            vec![rect(1.0, 1.0, 2.0, 2.0)],
        ];
        assert_eq!(from_polygons(&units, Rule::Queen, 1e-9).edge_count(), 1);
        assert_eq!(from_polygons(&units, Rule::Rook, 1e-9).edge_count(), 0);
        // A corner that misses by less than the tolerance still counts for queen only.
        let near = vec![
            vec![rect(0.0, 0.0, 1.0, 1.0)],
            vec![rect(1.05, 1.05, 2.0, 2.0)],
        ];
        assert_eq!(from_polygons(&near, Rule::Queen, 0.1).edge_count(), 1);
        assert_eq!(from_polygons(&near, Rule::Rook, 0.1).edge_count(), 0);
    }

    #[test]
    fn a_t_junction_is_a_rook_neighbour() {
        let units = vec![
            vec![rect(0.0, 0.0, 20.0, 10.0)],
            vec![rect(5.0, 10.0, 15.0, 20.0)],
        ];
        assert_eq!(from_polygons(&units, Rule::Rook, 0.5).edge_count(), 1);
    }

    #[test]
    fn a_unit_in_several_pieces_touches_what_any_piece_touches() {
        // Unit 0 is a square at the origin plus an exclave next to unit 2.
        let units = vec![
            vec![rect(0.0, 0.0, 1.0, 1.0), rect(10.0, 0.0, 11.0, 1.0)],
            vec![rect(1.0, 0.0, 2.0, 1.0)],
            vec![rect(11.0, 0.0, 12.0, 1.0)],
            vec![rect(20.0, 0.0, 21.0, 1.0)],
        ];
        for rule in [Rule::Rook, Rule::Queen] {
            let g = from_polygons(&units, rule, 1e-6);
            assert_eq!(
                g.edges().collect::<Vec<_>>(),
                vec![(0, 1), (0, 2)],
                "{rule:?}"
            );
        }
    }

    #[test]
    fn nothing_in_gives_an_empty_graph_that_is_already_connected() {
        for rule in [Rule::Rook, Rule::Queen] {
            let g = from_polygons(&[], rule, 1.0);
            assert!(g.is_empty());
            assert_eq!(g.edge_count(), 0);
            let (joined, attached) = connect(&g, &[], &[], IslandPolicy::Refuse).unwrap();
            assert!(joined.is_empty() && attached.is_empty());
        }
        // Units without usable rings are simply isolated.
        let g = from_polygons(&[vec![], vec![vec![]]], Rule::Queen, 1.0);
        assert_eq!((g.len(), g.edge_count()), (2, 0));
    }

    #[test]
    fn a_connected_graph_comes_back_unchanged() {
        let g = Graph::from_edges(3, &[(0, 1), (1, 2)]).unwrap();
        let pts = vec![Pt::new(0.0, 0.0); 3];
        for policy in [IslandPolicy::Attach, IslandPolicy::Refuse] {
            assert_eq!(
                connect(&g, &names(3), &pts, policy),
                Ok((g.clone(), vec![]))
            );
        }
    }

    #[test]
    fn islands_are_refused_by_name() {
        // Mainland 0-1-2, an isolated 3, and a detached pair 4-5.
        let g = Graph::from_edges(6, &[(0, 1), (1, 2), (4, 5)]).unwrap();
        let names: Vec<String> = ["城关村", "东岙村", "西岙村", "大陈岛村", "南麂村", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let pts = vec![Pt::new(0.0, 0.0); 6];
        let err = connect(&g, &names, &pts, IslandPolicy::Refuse).unwrap_err();
        assert_eq!(
            err.parts,
            vec![
                vec!["大陈岛村".to_string()],
                vec!["南麂村".to_string(), "第 6 个单元".to_string()]
            ]
        );
        assert_eq!(
            err.to_string(),
            "以下单元与其他单元不相邻（飞地或孤岛，共 2 处）：大陈岛村；南麂村、第 6 个单元。\
             请检查边界，或选择“就近并入”。"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().contains("大陈岛村"));
    }

    #[test]
    fn the_largest_part_is_the_mainland_and_ties_go_to_the_lowest_unit() {
        let g = Graph::from_edges(5, &[(0, 1), (2, 3), (3, 4)]).unwrap();
        let pts = vec![Pt::new(0.0, 0.0); 5];
        let err = connect(&g, &names(5), &pts, IslandPolicy::Refuse).unwrap_err();
        assert_eq!(err.parts, vec![vec!["村0".to_string(), "村1".to_string()]]);
        let g = Graph::from_edges(4, &[(0, 1), (2, 3)]).unwrap();
        let err = connect(&g, &names(4), &pts[..4], IslandPolicy::Refuse).unwrap_err();
        assert_eq!(err.parts, vec![vec!["村2".to_string(), "村3".to_string()]]);
        assert!(!err.to_string().contains("共"));
    }

    #[test]
    fn a_long_list_of_islands_is_cut_short_in_the_message() {
        let g = Graph::from_edges(31, &[(0, 1)]).unwrap();
        let pts = vec![Pt::new(0.0, 0.0); 31];
        let err = connect(&g, &names(31), &pts, IslandPolicy::Refuse).unwrap_err();
        assert_eq!(err.parts.len(), 29);
        let msg = err.to_string();
        assert!(msg.contains("共 29 处"), "{msg}");
        assert!(
            msg.contains("村2；村3") && msg.contains("村21……等 29 个单元"),
            "{msg}"
        );
        assert!(!msg.contains("村22"), "{msg}");
        assert!(msg.ends_with("请检查边界，或选择“就近并入”。"), "{msg}");
    }

    #[test]
    fn islands_are_attached_to_their_nearest_connected_unit() {
        // Mainland 0-1-2 along the x axis; island 3 sits off unit 2; island 4 is nearest to
        // island 3, which is connected by the time 4 is attached.
        let g = Graph::from_edges(5, &[(0, 1), (1, 2)]).unwrap();
        let pts = vec![
            Pt::new(0.0, 0.0),
            Pt::new(100.0, 0.0),
            Pt::new(200.0, 0.0),
            Pt::new(230.0, 40.0),
            Pt::new(230.0, 100.0),
        ];
        let (joined, attached) = connect(&g, &names(5), &pts, IslandPolicy::Attach).unwrap();
        assert_eq!(
            attached,
            vec![
                Attachment {
                    unit: 3,
                    to: 2,
                    distance: 50.0
                },
                Attachment {
                    unit: 4,
                    to: 3,
                    distance: 60.0
                },
            ]
        );
        assert_eq!(joined.components().1, 1);
        assert_eq!(
            joined.edges().collect::<Vec<_>>(),
            vec![(0, 1), (1, 2), (2, 3), (3, 4)]
        );
    }

    #[test]
    fn a_part_attaches_through_its_closest_member() {
        // Mainland 0-1-2 up the y axis; the part 3-4 is closest to it through unit 4.
        let g = Graph::from_edges(5, &[(0, 1), (1, 2), (3, 4)]).unwrap();
        let pts = vec![
            Pt::new(0.0, 0.0),
            Pt::new(0.0, 10.0),
            Pt::new(0.0, 20.0),
            Pt::new(100.0, 0.0),
            Pt::new(50.0, 10.0),
        ];
        let (joined, attached) = connect(&g, &names(5), &pts, IslandPolicy::Attach).unwrap();
        assert_eq!(
            attached,
            vec![Attachment {
                unit: 4,
                to: 1,
                distance: 50.0
            }]
        );
        assert_eq!(joined.neighbors(1), &[0, 2, 4]);
    }

    #[test]
    fn units_without_a_usable_centroid_still_get_attached() {
        let g = Graph::from_edges(4, &[(1, 2)]).unwrap();
        let pts = vec![
            Pt::new(f64::NAN, 0.0),
            Pt::new(0.0, 0.0),
            Pt::new(1.0, 0.0),
            Pt::new(5.0, f64::INFINITY),
        ];
        let (joined, attached) = connect(&g, &names(4), &pts, IslandPolicy::Attach).unwrap();
        assert_eq!(joined.components().1, 1);
        assert_eq!(
            attached,
            vec![
                Attachment {
                    unit: 0,
                    to: 1,
                    distance: f64::INFINITY
                },
                Attachment {
                    unit: 3,
                    to: 0,
                    distance: f64::INFINITY
                },
            ]
        );
    }

    #[test]
    fn attaching_scales_to_a_hundred_thousand_units() {
        // A 300 × 300 mainland lattice plus 300 scattered islands: a quadratic search would
        // take minutes in a debug build.
        let side = 300;
        let mut edges = Vec::new();
        let mut pts = Vec::new();
        for k in 0..side * side {
            let (x, y) = (k % side, k / side);
            pts.push(Pt::new(x as f64 * 100.0, y as f64 * 100.0));
            if x + 1 < side {
                edges.push((k, k + 1));
            }
            if y + 1 < side {
                edges.push((k, k + side));
            }
        }
        // Island i sits 30 m east and 40 m north of lattice point k(i), all k(i) distinct.
        let k = |i: usize| (i * 293) % (side * side);
        for i in 0..300 {
            let p = pts[k(i)];
            pts.push(Pt::new(p.x + 30.0, p.y + 40.0));
        }
        let n = pts.len();
        let g = Graph::from_edges(n, &edges).unwrap();
        let (joined, attached) = connect(&g, &names(n), &pts, IslandPolicy::Attach).unwrap();
        assert_eq!(joined.components().1, 1);
        let expected: Vec<Attachment> = (0..300)
            .map(|i| Attachment {
                unit: side * side + i,
                to: k(i),
                distance: 50.0,
            })
            .collect();
        assert_eq!(attached, expected);
    }

    fn brute_force_queen(units: &[Vec<Vec<Pt>>], tol: f64) -> Vec<(usize, usize)> {
        let segs: Vec<(usize, Pt, Pt)> = units
            .iter()
            .enumerate()
            .flat_map(|(u, rings)| {
                rings
                    .iter()
                    .flat_map(move |r| (0..r.len()).map(move |k| (u, r[k], r[(k + 1) % r.len()])))
            })
            .collect();
        let mut pairs = Vec::new();
        for (p, &(u, a, b)) in segs.iter().enumerate() {
            for &(v, c, d) in &segs[p + 1..] {
                if u != v && segment_dist2(a, b, c, d) <= tol * tol {
                    pairs.push((u.min(v), u.max(v)));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// The reference for `connect(.., Attach)`: the closest `(distance², unit, to)` over all
    /// pairs, one detached part at a time.
    fn brute_force_attach(graph: &Graph, pts: &[Pt]) -> Vec<(usize, usize)> {
        let (label, count) = graph.components();
        let size = |c: u32| label.iter().filter(|&&l| l == c).count();
        let mainland = (0..count as u32)
            .max_by_key(|&c| (size(c), std::cmp::Reverse(c)))
            .unwrap();
        let mut connected: Vec<bool> = label.iter().map(|&l| l == mainland).collect();
        let mut out = Vec::new();
        for c in (0..count as u32).filter(|&c| c != mainland) {
            let mut best: Option<(f64, usize, usize)> = None;
            for u in (0..pts.len()).filter(|&u| label[u] == c) {
                for v in (0..pts.len()).filter(|&v| connected[v]) {
                    let d2 = dist2(pts[u], pts[v]);
                    let better = match best {
                        None => true,
                        Some((b, bu, bv)) => d2 < b || (d2 == b && (u, v) < (bu, bv)),
                    };
                    if better {
                        best = Some((d2, u, v));
                    }
                }
            }
            let (_, u, v) = best.unwrap();
            out.push((u, v));
            for (i, &l) in label.iter().enumerate() {
                if l == c {
                    connected[i] = true;
                }
            }
        }
        out
    }

    fn random_graph() -> impl Strategy<Value = (Graph, Vec<Pt>)> {
        (1..50usize)
            .prop_flat_map(|n| {
                (
                    Just(n),
                    prop::collection::vec((0..n, 0..n), 0..n + 10),
                    // Small integer coordinates: many exact ties and duplicate centroids.
                    prop::collection::vec((0..12i32, 0..12i32), n),
                )
            })
            .prop_map(|(n, edges, pts)| {
                let g = Graph::from_edges(n, &edges).unwrap();
                let pts = pts
                    .into_iter()
                    .map(|(x, y)| Pt::new(x as f64 * 7.5, y as f64 * 7.5))
                    .collect();
                (g, pts)
            })
    }

    proptest! {
        #[test]
        fn attaching_connects_every_graph_and_keeps_its_edges((g, pts) in random_graph()) {
            let n = g.len();
            let (joined, attached) = connect(&g, &names(n), &pts, IslandPolicy::Attach).unwrap();
            prop_assert_eq!(joined.components().1, 1);
            for (i, j) in g.edges() {
                prop_assert!(joined.neighbors(i).contains(&(j as u32)));
            }
            prop_assert_eq!(attached.len(), g.components().1 - 1);
            prop_assert_eq!(joined.edge_count(), g.edge_count() + attached.len());
            let pairs: Vec<(usize, usize)> = attached.iter().map(|a| (a.unit, a.to)).collect();
            prop_assert_eq!(pairs, brute_force_attach(&g, &pts));
            for a in &attached {
                prop_assert_eq!(a.distance, dist2(pts[a.unit], pts[a.to]).sqrt());
            }
        }

        #[test]
        fn queen_matches_comparing_every_pair_of_edges(
            sites in prop::collection::vec((0.0..1000.0, 0.0..1000.0), 1..40),
            pieces in 1..4usize,
            tol in prop_oneof![Just(0.0), 0.0..30.0],
        ) {
            let sites: Vec<Pt> = sites.into_iter().map(|(x, y)| Pt::new(x, y)).collect();
            let cells = voronoi_cells(&sites, &rect(0.0, 0.0, 1000.0, 1000.0));
            // Group cells into multi-piece units so the ring-to-unit mapping is exercised.
            let units_n = cells.len().div_ceil(pieces);
            let mut units = vec![Vec::new(); units_n];
            for (k, cell) in cells.into_iter().enumerate() {
                units[k % units_n].push(cell);
            }
            let fast = from_polygons(&units, Rule::Queen, tol);
            prop_assert_eq!(fast.edges().collect::<Vec<_>>(), brute_force_queen(&units, tol));
            // Whatever shares a border also comes within the tolerance.
            let rook = from_polygons(&units, Rule::Rook, tol);
            for (i, j) in rook.edges() {
                prop_assert!(fast.neighbors(i).contains(&(j as u32)), "{} {}", i, j);
            }
        }
    }
}
