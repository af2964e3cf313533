//! Planar geometry in metres for laying out and checking division boundaries.
//!
//! Everything here works on [`Pt`] in a local metric plane (see [`LocalProjection`]); lon/lat
//! only appear at the projection boundary. Rings are stored without a closing point unless a
//! function says otherwise, and counter-clockwise rings have positive area.

use std::fmt;

/// A point (or vector) in the local plane, in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    pub const fn new(x: f64, y: f64) -> Pt {
        Pt { x, y }
    }

    fn sub(self, o: Pt) -> Pt {
        Pt::new(self.x - o.x, self.y - o.y)
    }

    fn dot(self, o: Pt) -> f64 {
        self.x * o.x + self.y * o.y
    }

    fn cross(self, o: Pt) -> f64 {
        self.x * o.y - self.y * o.x
    }

    fn dist2(self, o: Pt) -> f64 {
        let d = self.sub(o);
        d.dot(d)
    }

    fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Equirectangular projection around an origin: good to a fraction of a percent across a
/// district or a province, which is all the demo layout and area estimates need.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalProjection {
    lon0: f64,
    lat0: f64,
    metres_per_deg_lon: f64,
    metres_per_deg_lat: f64,
}

impl LocalProjection {
    pub fn new(lon0: f64, lat0: f64) -> LocalProjection {
        let metres_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        LocalProjection {
            lon0,
            lat0,
            metres_per_deg_lon: metres_per_deg_lat * lat0.to_radians().cos(),
            metres_per_deg_lat,
        }
    }

    pub fn origin(&self) -> (f64, f64) {
        (self.lon0, self.lat0)
    }

    pub fn to_xy(&self, lon: f64, lat: f64) -> Pt {
        Pt::new(
            (lon - self.lon0) * self.metres_per_deg_lon,
            (lat - self.lat0) * self.metres_per_deg_lat,
        )
    }

    pub fn to_lonlat(&self, p: Pt) -> (f64, f64) {
        (
            self.lon0 + p.x / self.metres_per_deg_lon,
            self.lat0 + p.y / self.metres_per_deg_lat,
        )
    }
}

/// Signed area of a ring (open or explicitly closed); counter-clockwise is positive.
pub fn ring_area(ring: &[Pt]) -> f64 {
    if ring.len() < 3 {
        return 0.0;
    }
    // Summing relative to the first vertex keeps precision when coordinates are large.
    let o = ring[0];
    let mut twice = 0.0;
    for w in ring[1..].windows(2) {
        twice += w[0].sub(o).cross(w[1].sub(o));
    }
    twice / 2.0
}

/// Area centroid of a ring; falls back to the vertex mean when the area is zero.
pub fn ring_centroid(ring: &[Pt]) -> Pt {
    let pts = strip_closing(ring);
    if pts.is_empty() {
        return Pt::new(f64::NAN, f64::NAN);
    }
    let o = pts[0];
    let (mut a2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in pts[1..].windows(2) {
        let (p, q) = (w[0].sub(o), w[1].sub(o));
        let c = p.cross(q);
        a2 += c;
        cx += (p.x + q.x) * c;
        cy += (p.y + q.y) * c;
    }
    let scale = pts.iter().map(|p| p.dist2(o)).fold(0.0, f64::max);
    if a2.abs() <= scale * 1e-14 {
        let n = pts.len() as f64;
        let (sx, sy) = pts
            .iter()
            .fold((0.0, 0.0), |(sx, sy), p| (sx + p.x, sy + p.y));
        return Pt::new(sx / n, sy / n);
    }
    Pt::new(o.x + cx / (3.0 * a2), o.y + cy / (3.0 * a2))
}

fn strip_closing(ring: &[Pt]) -> &[Pt] {
    match ring {
        [first, .., last] if ring.len() > 1 && first == last => &ring[..ring.len() - 1],
        _ => ring,
    }
}

/// Convex hull, counter-clockwise, without collinear or repeated points and without a closing
/// point. Non-finite points are ignored. Fewer than three distinct points come back as they are
/// (deduplicated, sorted).
pub fn convex_hull(points: &[Pt]) -> Vec<Pt> {
    let mut pts: Vec<Pt> = points.iter().copied().filter(|p| p.is_finite()).collect();
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    // Andrew's monotone chain; popping on `<= 0` drops collinear points so edges are proper.
    let mut hull: Vec<Pt> = Vec::with_capacity(2 * pts.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &Pt>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2 {
                let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
                if b.sub(a).cross(p.sub(a)) <= 0.0 {
                    hull.pop();
                } else {
                    break;
                }
            }
            hull.push(p);
        }
        // The last point of each chain is the first point of the other one.
        hull.pop();
    }
    if hull.len() < 3 {
        // All points collinear: the chains collapse to the two extremes.
        hull.dedup();
    }
    hull
}

/// Grows a convex polygon outward by `metres`.
///
/// The input is first replaced by its convex hull, so orientation and collinear points do not
/// matter. Edges are offset by exactly `metres`; corners are bevelled with points on the
/// rounding arc at most 22.5° apart, so the result lies inside the exact round buffer and
/// outside the polygon offset by `metres · cos 11.25°` (≈ 0.98 × metres). A single point
/// becomes a 16-gon and a segment a bevelled stadium. `metres <= 0` returns the hull unchanged.
pub fn buffer_convex(poly: &[Pt], metres: f64) -> Vec<Pt> {
    let hull = convex_hull(poly);
    if hull.is_empty() || metres.is_nan() || metres <= 0.0 {
        return hull;
    }
    let max_step = std::f64::consts::PI / 8.0;
    let arc = |out: &mut Vec<Pt>, v: Pt, from: f64, turn: f64| {
        let steps = ((turn / max_step).ceil() as usize).max(1);
        for k in 0..=steps {
            let a = from + turn * k as f64 / steps as f64;
            out.push(Pt::new(v.x + metres * a.cos(), v.y + metres * a.sin()));
        }
    };
    let mut out = Vec::new();
    if hull.len() == 1 {
        arc(&mut out, hull[0], 0.0, std::f64::consts::TAU);
        // The full circle repeats its first point at the end.
        out.pop();
        return out;
    }
    let n = hull.len();
    // Outward normal angle of the CCW edge a→b is the edge direction turned clockwise.
    let normal_angle = |a: Pt, b: Pt| {
        let d = b.sub(a);
        (-d.x).atan2(d.y)
    };
    for i in 0..n {
        let prev = hull[(i + n - 1) % n];
        let v = hull[i];
        let next = hull[(i + 1) % n];
        let a_in = normal_angle(prev, v);
        let a_out = normal_angle(v, next);
        let turn = (a_out - a_in).rem_euclid(std::f64::consts::TAU);
        arc(&mut out, v, a_in, turn);
    }
    dedup_ring(&mut out, metres * 1e-12);
    out
}

/// Removes consecutive points closer than `eps` (including last-to-first).
fn dedup_ring(ring: &mut Vec<Pt>, eps: f64) {
    let eps2 = eps * eps;
    ring.dedup_by(|b, a| a.dist2(*b) <= eps2);
    while ring.len() > 1 && ring[0].dist2(ring[ring.len() - 1]) <= eps2 {
        ring.pop();
    }
}

/// Clips the convex ring `cell` to the half plane of points nearer to `s` than to `t`.
fn clip_to_bisector(cell: &mut Vec<Pt>, scratch: &mut Vec<Pt>, s: Pt, t: Pt) {
    let d = t.sub(s);
    let m = Pt::new((s.x + t.x) / 2.0, (s.y + t.y) / 2.0);
    let side = |p: Pt| p.sub(m).dot(d);
    // Most neighbours considered do not cut the cell; skip rebuilding it for them.
    if cell.iter().all(|&p| side(p) <= 0.0) {
        return;
    }
    scratch.clear();
    let n = cell.len();
    for k in 0..n {
        let a = cell[k];
        let b = cell[(k + 1) % n];
        let (fa, fb) = (side(a), side(b));
        if fa <= 0.0 {
            scratch.push(a);
        }
        if (fa < 0.0 && fb > 0.0) || (fa > 0.0 && fb < 0.0) {
            let u = fa / (fa - fb);
            scratch.push(Pt::new(a.x + (b.x - a.x) * u, a.y + (b.y - a.y) * u));
        }
    }
    std::mem::swap(cell, scratch);
}

/// Bucket grid of site indices (compressed rows) for the neighbour search.
struct SiteGrid {
    x0: f64,
    y0: f64,
    size: f64,
    nx: usize,
    ny: usize,
    start: Vec<usize>,
    items: Vec<usize>,
}

impl SiteGrid {
    fn new(sites: &[Pt]) -> SiteGrid {
        let finite = || sites.iter().filter(|p| p.is_finite());
        let count = finite().count().max(1);
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in finite() {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        if x0 > x1 {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let (w, h) = (x1 - x0, y1 - y0);
        // About two sites per bucket; collinear or coincident sites still get a usable size.
        let mut size = (2.0 * w * h / count as f64).sqrt();
        if size.is_nan() || size <= 0.0 {
            size = 2.0 * w.max(h) / count as f64;
        }
        if size.is_nan() || size <= 0.0 {
            size = 1.0;
        }
        let nx = ((w / size).floor() as usize + 1).min(4 * count);
        let ny = ((h / size).floor() as usize + 1).min(4 * count);
        let mut grid = SiteGrid {
            x0,
            y0,
            size,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            items: Vec::new(),
        };
        let cells: Vec<Option<usize>> = sites
            .iter()
            .map(|&p| {
                p.is_finite().then(|| {
                    let (cx, cy) = grid.cell_of(p);
                    cy * nx + cx
                })
            })
            .collect();
        for c in cells.iter().flatten() {
            grid.start[c + 1] += 1;
        }
        for k in 0..nx * ny {
            grid.start[k + 1] += grid.start[k];
        }
        let mut fill = grid.start.clone();
        grid.items = vec![0; grid.start[nx * ny]];
        for (i, c) in cells.iter().enumerate() {
            if let Some(c) = *c {
                grid.items[fill[c]] = i;
                fill[c] += 1;
            }
        }
        grid
    }

    fn cell_of(&self, p: Pt) -> (usize, usize) {
        let cx = ((p.x - self.x0) / self.size).floor().max(0.0) as usize;
        let cy = ((p.y - self.y0) / self.size).floor().max(0.0) as usize;
        (cx.min(self.nx - 1), cy.min(self.ny - 1))
    }

    fn bucket(&self, cx: usize, cy: usize) -> &[usize] {
        let k = cy * self.nx + cx;
        &self.items[self.start[k]..self.start[k + 1]]
    }
}

/// Voronoi cell of every site, clipped to the convex counter-clockwise polygon `clip`.
///
/// Each cell is a counter-clockwise convex ring without closing point, in the same order as
/// `sites`. The result is exact (up to floating point), not approximate: each cell starts as
/// `clip` and is cut by the bisectors of neighbouring sites taken from growing square rings of
/// a uniform bucket grid, stopping once every site not yet seen is at least twice as far from
/// the site as the cell's farthest vertex (the security radius), because such a site's bisector
/// cannot reach the cell. With roughly uniform sites that is a few dozen bisectors per site.
///
/// Degenerate input: when several sites coincide exactly, the one with the lowest index gets
/// the cell and the others get an empty `Vec`; non-finite sites get an empty cell and are
/// ignored as neighbours; a site outside `clip` may get an empty cell or one not containing it.
/// Consecutive cell vertices closer than 1e-9 of the layout's extent are merged.
pub fn voronoi_cells(sites: &[Pt], clip: &[Pt]) -> Vec<Vec<Pt>> {
    let clip = strip_closing(clip);
    if clip.len() < 3 || clip.iter().any(|p| !p.is_finite()) {
        return vec![Vec::new(); sites.len()];
    }
    let grid = SiteGrid::new(sites);
    let extent = {
        let mut all = clip.iter().chain(sites.iter().filter(|p| p.is_finite()));
        let first = *all.next().expect("clip is not empty");
        let (lo, hi) = all.fold((first, first), |(lo, hi), p| {
            (
                Pt::new(lo.x.min(p.x), lo.y.min(p.y)),
                Pt::new(hi.x.max(p.x), hi.y.max(p.y)),
            )
        });
        hi.sub(lo).dot(hi.sub(lo)).sqrt()
    };
    let merge_eps = extent * 1e-9;

    let mut out = Vec::with_capacity(sites.len());
    let mut cell: Vec<Pt> = Vec::new();
    let mut scratch: Vec<Pt> = Vec::new();
    for (i, &s) in sites.iter().enumerate() {
        if !s.is_finite() {
            out.push(Vec::new());
            continue;
        }
        cell.clear();
        cell.extend_from_slice(clip);
        let (cx, cy) = grid.cell_of(s);
        let mut r = 0usize;
        'rings: loop {
            let (lo_x, hi_x) = (cx as isize - r as isize, cx + r);
            let (lo_y, hi_y) = (cy as isize - r as isize, cy + r);
            for gy in lo_y..=hi_y as isize {
                if gy < 0 || gy as usize >= grid.ny {
                    continue;
                }
                let on_row_edge = gy == lo_y || gy == hi_y as isize;
                let mut gx = lo_x;
                while gx <= hi_x as isize {
                    if gx >= 0 && (gx as usize) < grid.nx {
                        for &j in grid.bucket(gx as usize, gy as usize) {
                            if j == i {
                                continue;
                            }
                            let t = sites[j];
                            if t == s {
                                if j < i {
                                    cell.clear();
                                    break 'rings;
                                }
                                continue;
                            }
                            clip_to_bisector(&mut cell, &mut scratch, s, t);
                        }
                    }
                    // Inside the ring only its left and right columns are new.
                    gx += if on_row_edge || r == 0 {
                        1
                    } else {
                        (2 * r) as isize
                    };
                }
            }
            dedup_ring(&mut cell, merge_eps);
            if cell.len() < 3 {
                cell.clear();
                break;
            }
            let covers_grid = lo_x <= 0 && lo_y <= 0 && hi_x + 1 >= grid.nx && hi_y + 1 >= grid.ny;
            if covers_grid {
                break;
            }
            // Distance from s to the outside of the searched block bounds every unseen site.
            let block_x0 = grid.x0 + lo_x as f64 * grid.size;
            let block_y0 = grid.y0 + lo_y as f64 * grid.size;
            let block_x1 = grid.x0 + (hi_x + 1) as f64 * grid.size;
            let block_y1 = grid.y0 + (hi_y + 1) as f64 * grid.size;
            let unseen = (s.x - block_x0)
                .min(block_x1 - s.x)
                .min(s.y - block_y0)
                .min(block_y1 - s.y);
            let reach2 = cell.iter().map(|p| p.dist2(s)).fold(0.0, f64::max);
            if unseen > 0.0 && unseen * unseen >= 4.0 * reach2 {
                break;
            }
            r += 1;
        }
        out.push(cell.clone());
    }
    out
}

/// Whether segments a–b and c–d run along each other for more than `tol`, each endpoint of c–d
/// lying within `tol` of the line through a–b.
fn segments_share_length(a: Pt, b: Pt, c: Pt, d: Pt, tol: f64) -> bool {
    let e = b.sub(a);
    let len = e.dot(e).sqrt();
    if len <= tol {
        return false;
    }
    let u = Pt::new(e.x / len, e.y / len);
    let (ac, ad) = (c.sub(a), d.sub(a));
    if u.cross(ac).abs() > tol || u.cross(ad).abs() > tol {
        return false;
    }
    let (tc, td) = (u.dot(ac), u.dot(ad));
    let lo = tc.min(td).max(0.0);
    let hi = tc.max(td).min(len);
    hi - lo > tol
}

/// Pairs `(i, j)`, `i < j`, of cells that share a stretch of boundary longer than `tolerance`
/// (endpoints may differ by up to `tolerance`, and T-junctions count), sorted and unique.
///
/// Edges are bucketed in a uniform grid sized to the mean edge length, so only edges whose
/// tolerance-grown bounding boxes meet are compared: near linear for Voronoi-like tilings.
pub fn cell_adjacency(cells: &[Vec<Pt>], tolerance: f64) -> Vec<(usize, usize)> {
    let tol = if tolerance.is_finite() {
        tolerance.max(0.0)
    } else {
        0.0
    };
    struct Edge {
        cell: usize,
        a: Pt,
        b: Pt,
    }
    let mut edges = Vec::new();
    for (ci, cell) in cells.iter().enumerate() {
        let ring = strip_closing(cell);
        if ring.len() < 2 {
            continue;
        }
        for k in 0..ring.len() {
            let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
            if a.is_finite() && b.is_finite() && a.dist2(b) > tol * tol {
                edges.push(Edge { cell: ci, a, b });
            }
        }
    }
    if edges.is_empty() {
        return Vec::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut total_len = 0.0;
    for e in &edges {
        x0 = x0.min(e.a.x.min(e.b.x));
        y0 = y0.min(e.a.y.min(e.b.y));
        x1 = x1.max(e.a.x.max(e.b.x));
        y1 = y1.max(e.a.y.max(e.b.y));
        total_len += e.a.dist2(e.b).sqrt();
    }
    x0 -= tol;
    y0 -= tol;
    // Long edges land in several buckets, so cap the bucket count instead of trusting the mean.
    let mut size = (total_len / edges.len() as f64)
        .max(tol)
        .max(f64::MIN_POSITIVE);
    let cap = 4 * edges.len() + 16;
    while ((x1 - x0 + tol) / size + 1.0) * ((y1 - y0 + tol) / size + 1.0) > cap as f64 {
        size *= 1.5;
    }
    let nx = ((x1 + tol - x0) / size).floor() as usize + 1;
    let ny = ((y1 + tol - y0) / size).floor() as usize + 1;
    let range = |e: &Edge| {
        let gx0 = ((e.a.x.min(e.b.x) - tol - x0) / size).floor().max(0.0) as usize;
        let gx1 = ((e.a.x.max(e.b.x) + tol - x0) / size).floor().max(0.0) as usize;
        let gy0 = ((e.a.y.min(e.b.y) - tol - y0) / size).floor().max(0.0) as usize;
        let gy1 = ((e.a.y.max(e.b.y) + tol - y0) / size).floor().max(0.0) as usize;
        (gx0, gx1.min(nx - 1), gy0, gy1.min(ny - 1))
    };
    let mut start = vec![0usize; nx * ny + 1];
    for e in &edges {
        let (gx0, gx1, gy0, gy1) = range(e);
        for gy in gy0..=gy1 {
            for gx in gx0..=gx1 {
                start[gy * nx + gx + 1] += 1;
            }
        }
    }
    for k in 0..nx * ny {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut items = vec![0u32; start[nx * ny]];
    for (ei, e) in edges.iter().enumerate() {
        let (gx0, gx1, gy0, gy1) = range(e);
        for gy in gy0..=gy1 {
            for gx in gx0..=gx1 {
                let k = gy * nx + gx;
                items[fill[k]] = ei as u32;
                fill[k] += 1;
            }
        }
    }
    let mut pairs = Vec::new();
    for k in 0..nx * ny {
        let bucket = &items[start[k]..start[k + 1]];
        for (p, &ei) in bucket.iter().enumerate() {
            let e = &edges[ei as usize];
            for &fi in &bucket[p + 1..] {
                let f = &edges[fi as usize];
                if e.cell == f.cell {
                    continue;
                }
                if segments_share_length(e.a, e.b, f.a, f.b, tol)
                    || segments_share_length(f.a, f.b, e.a, e.b, tol)
                {
                    pairs.push((e.cell.min(f.cell), e.cell.max(f.cell)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Why a boundary ring was rejected. Indices are 0-based; edge `k` runs from point `k` to
/// point `k + 1` (the last edge closes the ring). The Chinese messages count from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RingError {
    /// Fewer than three points once an explicit closing point is dropped.
    TooFewPoints { count: usize },
    /// A coordinate is NaN or infinite.
    NotFinite { index: usize },
    /// Point `index` equals the next point (a zero-length edge).
    RepeatedPoint { index: usize },
    /// Edges `first < second` touch or cross, or are adjacent and fold back onto each other.
    SelfIntersection { first: usize, second: usize },
    /// The ring encloses no area.
    ZeroArea,
}

impl fmt::Display for RingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RingError::TooFewPoints { count } => {
                write!(f, "边界点少于 3 个（只有 {count} 个）")
            }
            RingError::NotFinite { index } => {
                write!(f, "坐标不是有限数：第 {} 个点", index + 1)
            }
            RingError::RepeatedPoint { index } => {
                write!(f, "边界有重复点：第 {} 个点与下一个点相同", index + 1)
            }
            RingError::SelfIntersection { first, second } => write!(
                f,
                "边界自相交：第 {} 条边与第 {} 条边相交",
                first + 1,
                second + 1
            ),
            RingError::ZeroArea => f.write_str("面积为零"),
        }
    }
}

impl std::error::Error for RingError {}

fn orient(a: Pt, b: Pt, c: Pt) -> f64 {
    b.sub(a).cross(c.sub(a))
}

fn on_segment(a: Pt, b: Pt, p: Pt) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Closed segments a–b and c–d have a point in common (crossing, touching or overlapping).
fn segments_intersect(a: Pt, b: Pt, c: Pt, d: Pt) -> bool {
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    if o1 * o2 < 0.0 && o3 * o4 < 0.0 {
        return true;
    }
    (o1 == 0.0 && on_segment(a, b, c))
        || (o2 == 0.0 && on_segment(a, b, d))
        || (o3 == 0.0 && on_segment(c, d, a))
        || (o4 == 0.0 && on_segment(c, d, b))
}

/// Validates an imported boundary ring, open or explicitly closed (first == last).
///
/// Checks, in order: finite coordinates, at least three points, no repeated consecutive point,
/// no self-intersection (non-adjacent edges touching or crossing, or adjacent edges folding
/// back collinearly), non-zero area. Orientation is not checked.
///
/// The self-intersection test is a sort-and-sweep on the edges' x extents: O(n log n) plus
/// the number of edge pairs whose x ranges overlap, which for real boundaries is near linear
/// (worst case O(n²), still fine for 5,000 vertices). Exact floating-point predicates are used.
/// When several pairs intersect, the lexicographically smallest pair is reported.
pub fn check_ring(ring: &[Pt]) -> Result<(), RingError> {
    if let Some(index) = ring.iter().position(|p| !p.is_finite()) {
        return Err(RingError::NotFinite { index });
    }
    let pts = strip_closing(ring);
    let n = pts.len();
    if n < 3 {
        return Err(RingError::TooFewPoints { count: n });
    }
    if let Some(index) = (0..n).find(|&k| pts[k] == pts[(k + 1) % n]) {
        return Err(RingError::RepeatedPoint { index });
    }
    let seg = |k: usize| (pts[k], pts[(k + 1) % n]);
    let mut order: Vec<usize> = (0..n).collect();
    let xmin = |k: usize| {
        let (a, b) = seg(k);
        a.x.min(b.x)
    };
    order.sort_by(|&p, &q| xmin(p).total_cmp(&xmin(q)).then(p.cmp(&q)));
    let mut worst: Option<(usize, usize)> = None;
    for (pos, &i) in order.iter().enumerate() {
        let (a, b) = seg(i);
        let xmax = a.x.max(b.x);
        for &j in &order[pos + 1..] {
            if xmin(j) > xmax {
                break;
            }
            let (c, d) = seg(j);
            if c.y.max(d.y) < a.y.min(b.y) || c.y.min(d.y) > a.y.max(b.y) {
                continue;
            }
            let (lo, hi) = (i.min(j), i.max(j));
            let hit = if hi == lo + 1 || (lo == 0 && hi == n - 1) {
                // Adjacent edges share a vertex; they only intersect if one folds back along the
                // other. `first` ends where `second` starts.
                let (first, second) = if hi == lo + 1 { (lo, hi) } else { (hi, lo) };
                let (p, q) = seg(first);
                let (_, r) = seg(second);
                orient(p, q, r) == 0.0 && q.sub(p).dot(r.sub(q)) < 0.0
            } else {
                segments_intersect(a, b, c, d)
            };
            if hit && worst.is_none_or(|w| (lo, hi) < w) {
                worst = Some((lo, hi));
            }
        }
    }
    if let Some((first, second)) = worst {
        return Err(RingError::SelfIntersection { first, second });
    }
    let (mut lo, mut hi) = (pts[0], pts[0]);
    for p in pts {
        lo = Pt::new(lo.x.min(p.x), lo.y.min(p.y));
        hi = Pt::new(hi.x.max(p.x), hi.y.max(p.y));
    }
    let area = ring_area(pts).abs();
    if area == 0.0 || area <= (hi.x - lo.x) * (hi.y - lo.y) * 1e-15 {
        return Err(RingError::ZeroArea);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn square(side: f64) -> Vec<Pt> {
        vec![
            Pt::new(0.0, 0.0),
            Pt::new(side, 0.0),
            Pt::new(side, side),
            Pt::new(0.0, side),
        ]
    }

    fn is_convex_ccw(ring: &[Pt], eps: f64) -> bool {
        let n = ring.len();
        n >= 3
            && ring_area(ring) > 0.0
            && (0..n).all(|k| orient(ring[k], ring[(k + 1) % n], ring[(k + 2) % n]) >= -eps)
    }

    fn contains(ring: &[Pt], p: Pt, eps: f64) -> bool {
        let n = ring.len();
        (0..n).all(|k| {
            let (a, b) = (ring[k], ring[(k + 1) % n]);
            let len = a.dist2(b).sqrt();
            orient(a, b, p) / len >= -eps
        })
    }

    /// Cells clipped by every other site: the slow definition the grid search must match.
    fn brute_force_cells(sites: &[Pt], clip: &[Pt]) -> Vec<Vec<Pt>> {
        let mut scratch = Vec::new();
        sites
            .iter()
            .map(|&s| {
                let mut cell = clip.to_vec();
                for &t in sites {
                    if t != s {
                        clip_to_bisector(&mut cell, &mut scratch, s, t);
                    }
                }
                cell
            })
            .collect()
    }

    fn brute_force_adjacency(cells: &[Vec<Pt>], tol: f64) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        for i in 0..cells.len() {
            for j in i + 1..cells.len() {
                let (ci, cj) = (&cells[i], &cells[j]);
                let touching = (0..ci.len()).any(|p| {
                    let (a, b) = (ci[p], ci[(p + 1) % ci.len()]);
                    (0..cj.len()).any(|q| {
                        let (c, d) = (cj[q], cj[(q + 1) % cj.len()]);
                        segments_share_length(a, b, c, d, tol)
                            || segments_share_length(c, d, a, b, tol)
                    })
                });
                if touching {
                    pairs.push((i, j));
                }
            }
        }
        pairs
    }

    #[test]
    fn projection_round_trip_is_exact_to_a_nanodegree() {
        let proj = LocalProjection::new(120.5, 30.0);
        for &(lon, lat) in &[
            (120.5, 30.0),
            (120.315, 30.09),
            (120.62, 29.77),
            (118.0, 27.1),
        ] {
            let (lon2, lat2) = proj.to_lonlat(proj.to_xy(lon, lat));
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
    }

    #[test]
    fn projection_measures_a_degree_of_latitude_as_about_111_km() {
        let proj = LocalProjection::new(120.5, 30.0);
        let p = proj.to_xy(120.5, 31.0);
        assert!((p.y - 111_195.0).abs() < 10.0, "{p:?}");
        let q = proj.to_xy(121.5, 30.0);
        assert!(
            (q.x - 111_195.0 * 30f64.to_radians().cos()).abs() < 10.0,
            "{q:?}"
        );
    }

    #[test]
    fn convex_hull_is_ccw_and_drops_interior_and_collinear_points() {
        let pts = [
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(1.0, 0.0),
            Pt::new(2.0, 2.0),
            Pt::new(0.0, 2.0),
            Pt::new(1.0, 1.0),
            Pt::new(0.0, 2.0),
        ];
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4);
        assert!((ring_area(&hull) - 4.0).abs() < 1e-12);
        assert!(is_convex_ccw(&hull, 0.0));
    }

    #[test]
    fn convex_hull_of_collinear_points_is_the_two_ends() {
        let pts = [Pt::new(0.0, 0.0), Pt::new(1.0, 1.0), Pt::new(3.0, 3.0)];
        assert_eq!(
            convex_hull(&pts),
            vec![Pt::new(0.0, 0.0), Pt::new(3.0, 3.0)]
        );
    }

    #[test]
    fn buffer_convex_grows_a_square_by_about_the_distance() {
        let grown = buffer_convex(&square(1000.0), 100.0);
        assert!(is_convex_ccw(&grown, 1e-9));
        // Exact round buffer: 1000² + 4·1000·100 + π·100².
        let exact = 1.0e6 + 4.0e5 + std::f64::consts::PI * 1.0e4;
        let area = ring_area(&grown);
        assert!(area < exact && area > exact - 1000.0, "{area}");
        for p in square(1000.0) {
            assert!(contains(&grown, p, 0.0));
        }
    }

    #[test]
    fn buffer_convex_turns_a_point_into_a_polygon_around_it() {
        let grown = buffer_convex(&[Pt::new(5.0, 5.0)], 10.0);
        assert_eq!(grown.len(), 16);
        assert!(is_convex_ccw(&grown, 1e-9));
        assert!(contains(&grown, Pt::new(5.0, 5.0), 0.0));
    }

    #[test]
    fn ring_area_and_centroid_of_an_l_shape() {
        let l = [
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(2.0, 1.0),
            Pt::new(1.0, 1.0),
            Pt::new(1.0, 2.0),
            Pt::new(0.0, 2.0),
        ];
        assert!((ring_area(&l) - 3.0).abs() < 1e-12);
        let mut cw = l.to_vec();
        cw.reverse();
        assert!((ring_area(&cw) + 3.0).abs() < 1e-12);
        let c = ring_centroid(&l);
        assert!((c.x - 5.0 / 6.0).abs() < 1e-12 && (c.y - 5.0 / 6.0).abs() < 1e-12);
        let mut closed = l.to_vec();
        closed.push(l[0]);
        assert_eq!(ring_centroid(&closed), c);
    }

    #[test]
    fn voronoi_of_two_sites_splits_the_square_down_the_middle() {
        let sites = [Pt::new(250.0, 500.0), Pt::new(750.0, 500.0)];
        let cells = voronoi_cells(&sites, &square(1000.0));
        assert!((ring_area(&cells[0]) - 5.0e5).abs() < 1e-6);
        assert!((ring_area(&cells[1]) - 5.0e5).abs() < 1e-6);
        assert_eq!(cell_adjacency(&cells, 1e-6), vec![(0, 1)]);
    }

    #[test]
    fn voronoi_gives_coincident_sites_one_cell_and_the_later_ones_nothing() {
        let sites = [
            Pt::new(300.0, 300.0),
            Pt::new(700.0, 700.0),
            Pt::new(300.0, 300.0),
        ];
        let cells = voronoi_cells(&sites, &square(1000.0));
        assert!(cells[2].is_empty());
        assert!((ring_area(&cells[0]) + ring_area(&cells[1]) - 1.0e6).abs() < 1e-6);
    }

    #[test]
    fn voronoi_of_a_regular_lattice_keeps_every_cell_a_clean_square() {
        // Four sites meet at every lattice vertex: the degenerate case for bisector clipping.
        let sites: Vec<Pt> = (0..100)
            .map(|k| {
                Pt::new(
                    50.0 + 100.0 * (k % 10) as f64,
                    50.0 + 100.0 * (k / 10) as f64,
                )
            })
            .collect();
        let cells = voronoi_cells(&sites, &square(1000.0));
        for cell in &cells {
            assert_eq!(cell.len(), 4, "{cell:?}");
            assert!((ring_area(cell) - 1.0e4).abs() < 1e-6);
            assert_eq!(check_ring(cell), Ok(()));
        }
        // Corner-only contact is not adjacency: a 10×10 grid has 2·10·9 shared edges.
        assert_eq!(cell_adjacency(&cells, 1e-6).len(), 180);
    }

    #[test]
    fn voronoi_handles_empty_and_degenerate_input() {
        assert!(voronoi_cells(&[], &square(1.0)).is_empty());
        assert_eq!(
            voronoi_cells(&[Pt::new(0.5, 0.5)], &[]),
            vec![Vec::<Pt>::new()]
        );
        let one = voronoi_cells(&[Pt::new(0.5, 0.5)], &square(1.0));
        assert!((ring_area(&one[0]) - 1.0).abs() < 1e-12);
        let collinear: Vec<Pt> = (0..20).map(|k| Pt::new(k as f64 * 50.0, 500.0)).collect();
        let cells = voronoi_cells(&collinear, &square(1000.0));
        let total: f64 = cells.iter().map(|c| ring_area(c)).sum();
        assert!((total - 1.0e6).abs() < 1e-6);
        let with_nan = voronoi_cells(&[Pt::new(f64::NAN, 0.0), Pt::new(0.5, 0.5)], &square(1.0));
        assert!(with_nan[0].is_empty() && (ring_area(&with_nan[1]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn cell_adjacency_counts_t_junctions_but_not_corner_touches() {
        let big = vec![
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(2.0, 1.0),
            Pt::new(0.0, 1.0),
        ];
        let left = vec![
            Pt::new(0.0, 1.0),
            Pt::new(1.0, 1.0),
            Pt::new(1.0, 2.0),
            Pt::new(0.0, 2.0),
        ];
        let corner = vec![
            Pt::new(2.0, 1.0),
            Pt::new(3.0, 1.0),
            Pt::new(3.0, 2.0),
            Pt::new(2.0, 2.0),
        ];
        assert_eq!(cell_adjacency(&[big, left, corner], 1e-9), vec![(0, 1)]);
    }

    #[test]
    fn check_ring_accepts_a_square_open_or_closed() {
        let mut sq = square(10.0);
        assert_eq!(check_ring(&sq), Ok(()));
        sq.push(sq[0]);
        assert_eq!(check_ring(&sq), Ok(()));
        sq.reverse();
        assert_eq!(check_ring(&sq), Ok(()));
    }

    #[test]
    fn check_ring_accepts_a_concave_l_shape() {
        let l = [
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(2.0, 1.0),
            Pt::new(1.0, 1.0),
            Pt::new(1.0, 2.0),
            Pt::new(0.0, 2.0),
        ];
        assert_eq!(check_ring(&l), Ok(()));
    }

    #[test]
    fn check_ring_catches_a_bow_tie() {
        let bow = [
            Pt::new(0.0, 0.0),
            Pt::new(1.0, 1.0),
            Pt::new(1.0, 0.0),
            Pt::new(0.0, 1.0),
        ];
        let err = check_ring(&bow).unwrap_err();
        assert_eq!(
            err,
            RingError::SelfIntersection {
                first: 0,
                second: 2
            }
        );
        assert_eq!(err.to_string(), "边界自相交：第 1 条边与第 3 条边相交");
    }

    #[test]
    fn check_ring_catches_a_ring_that_touches_itself_at_a_vertex() {
        // Two triangles joined at (1, 1): a figure eight through a shared vertex.
        let eight = [
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(1.0, 1.0),
            Pt::new(2.0, 2.0),
            Pt::new(0.0, 2.0),
            Pt::new(1.0, 1.0),
        ];
        assert!(matches!(
            check_ring(&eight),
            Err(RingError::SelfIntersection { .. })
        ));
    }

    #[test]
    fn check_ring_catches_a_spike_that_folds_back_on_itself() {
        // Edge 3 runs back down over edge 2 and on over the top of edge 1.
        let spike = [
            Pt::new(0.0, 0.0),
            Pt::new(2.0, 0.0),
            Pt::new(2.0, 2.0),
            Pt::new(2.0, 3.0),
            Pt::new(2.0, 1.0),
            Pt::new(0.0, 2.0),
        ];
        assert_eq!(
            check_ring(&spike),
            Err(RingError::SelfIntersection {
                first: 1,
                second: 3
            })
        );
    }

    #[test]
    fn check_ring_reports_short_non_finite_repeated_and_flat_rings() {
        let p = Pt::new;
        assert_eq!(
            check_ring(&[p(0.0, 0.0), p(1.0, 0.0), p(0.0, 0.0)]),
            Err(RingError::TooFewPoints { count: 2 })
        );
        assert_eq!(
            check_ring(&[p(0.0, 0.0), p(f64::NAN, 0.0), p(1.0, 1.0)]),
            Err(RingError::NotFinite { index: 1 })
        );
        assert_eq!(
            check_ring(&[p(0.0, 0.0), p(1.0, 0.0), p(1.0, 0.0), p(1.0, 1.0)]),
            Err(RingError::RepeatedPoint { index: 1 })
        );
        assert!(check_ring(&[p(0.0, 0.0), p(1.0, 0.0), p(2.0, 0.0)]).is_err());
        assert_eq!(
            check_ring(&[
                p(0.0, 0.0),
                p(1e-200, 0.0),
                p(1e-200, 1e-200),
                p(0.0, 1e-200)
            ]),
            Err(RingError::ZeroArea)
        );
        assert_eq!(RingError::ZeroArea.to_string(), "面积为零");
        assert_eq!(
            RingError::TooFewPoints { count: 2 }.to_string(),
            "边界点少于 3 个（只有 2 个）"
        );
    }

    fn sites_in_square(side: f64, max: usize) -> impl Strategy<Value = Vec<Pt>> {
        prop::collection::vec((0.0..side, 0.0..side), 1..max)
            .prop_map(|v| v.into_iter().map(|(x, y)| Pt::new(x, y)).collect())
    }

    /// Tight clusters make the bucket grid very uneven, which is where the search can go wrong.
    fn clustered_sites() -> impl Strategy<Value = Vec<Pt>> {
        prop::collection::vec(
            (
                (5.0..995.0, 5.0..995.0),
                prop::collection::vec((-5.0..5.0, -5.0..5.0), 1..15),
            ),
            1..6,
        )
        .prop_map(|clusters| {
            clusters
                .into_iter()
                .flat_map(|((cx, cy), offs)| {
                    offs.into_iter()
                        .map(move |(dx, dy)| Pt::new(cx + dx, cy + dy))
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn voronoi_cells_cover_the_clip_area(sites in sites_in_square(1000.0, 200)) {
            let cells = voronoi_cells(&sites, &square(1000.0));
            prop_assert_eq!(cells.len(), sites.len());
            let total: f64 = cells.iter().map(|c| ring_area(c)).sum();
            prop_assert!((total - 1.0e6).abs() <= 1e-6 * 1.0e6, "total {}", total);
        }

        #[test]
        fn voronoi_cells_are_convex_ccw_and_contain_their_site(
            sites in sites_in_square(1000.0, 200)
        ) {
            let cells = voronoi_cells(&sites, &square(1000.0));
            for (i, cell) in cells.iter().enumerate() {
                if sites[..i].contains(&sites[i]) {
                    prop_assert!(cell.is_empty());
                    continue;
                }
                prop_assert!(is_convex_ccw(cell, 1e-6), "cell {} {:?}", i, cell);
                prop_assert!(contains(cell, sites[i], 1e-6), "cell {} misses its site", i);
            }
        }

        #[test]
        fn voronoi_cells_match_clipping_by_every_other_site(sites in clustered_sites()) {
            let clip = square(1000.0);
            let fast = voronoi_cells(&sites, &clip);
            let slow = brute_force_cells(&sites, &clip);
            for (i, (f, s)) in fast.iter().zip(&slow).enumerate() {
                if sites[..i].contains(&sites[i]) {
                    continue;
                }
                prop_assert!((ring_area(f) - ring_area(s)).abs() < 1e-6, "cell {}", i);
            }
            let total: f64 = fast.iter().map(|c| ring_area(c)).sum();
            prop_assert!((total - 1.0e6).abs() <= 1e-6 * 1.0e6);
        }

        #[test]
        fn cell_adjacency_matches_brute_force(sites in sites_in_square(1000.0, 40)) {
            let cells = voronoi_cells(&sites, &square(1000.0));
            let fast = cell_adjacency(&cells, 1e-6);
            prop_assert!(fast.iter().all(|&(i, j)| i < j));
            prop_assert!(fast.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(fast, brute_force_adjacency(&cells, 1e-6));
        }

        #[test]
        fn voronoi_cells_pass_check_ring(sites in sites_in_square(1000.0, 100)) {
            for cell in voronoi_cells(&sites, &square(1000.0)).iter().filter(|c| !c.is_empty()) {
                prop_assert_eq!(check_ring(cell), Ok(()));
            }
        }

        #[test]
        fn buffer_convex_contains_the_hull_and_stays_convex(
            pts in prop::collection::vec((-500.0..500.0, -500.0..500.0), 3..30),
            d in 1.0..300.0,
        ) {
            let pts: Vec<Pt> = pts.into_iter().map(|(x, y)| Pt::new(x, y)).collect();
            let grown = buffer_convex(&pts, d);
            prop_assert!(is_convex_ccw(&grown, 1e-6));
            for &p in &pts {
                // Every input point is at least ~0.98·d inside the grown polygon.
                prop_assert!(contains(&grown, p, -0.97 * d));
            }
        }
    }
}
