//! Times `voronoi_cells` and `cell_adjacency` on 20,000 random sites in a 100 km square.
//!
//! Run with `cargo run --release -p gongfu-plan --example voronoi_timing`.

use std::time::Instant;

use gongfu_plan::geometry::{Pt, cell_adjacency, ring_area, voronoi_cells};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn main() {
    let n = 20_000;
    let side = 100_000.0;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let sites: Vec<Pt> = (0..n)
        .map(|_| Pt::new(rng.random_range(0.0..side), rng.random_range(0.0..side)))
        .collect();
    let clip = vec![
        Pt::new(0.0, 0.0),
        Pt::new(side, 0.0),
        Pt::new(side, side),
        Pt::new(0.0, side),
    ];

    let t = Instant::now();
    let cells = voronoi_cells(&sites, &clip);
    let voronoi = t.elapsed();

    let t = Instant::now();
    let pairs = cell_adjacency(&cells, 1e-3);
    let adjacency = t.elapsed();

    let total: f64 = cells.iter().map(|c| ring_area(c)).sum();
    println!(
        "voronoi_cells: {n} sites in {:.1} ms (area error {:.2e})",
        voronoi.as_secs_f64() * 1e3,
        (total - side * side).abs() / (side * side)
    );
    println!(
        "cell_adjacency: {} pairs in {:.1} ms",
        pairs.len(),
        adjacency.as_secs_f64() * 1e3
    );
}
