//! `gongfu plan zones`: the zone planner on files, speaking the comparison contract of
//! `../shared/bench/optim` (GeoJSON + edge list in, `id,region` CSV out) so it runs beside
//! spopt and pygeoda on the same inputs.

use anyhow::{Context, Result, bail};
use gongfu_plan::contiguity::Graph;
use gongfu_plan::zoning::{Count, Params, Unit, Weights, plan};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct ZonesArgs {
    /// FeatureCollection; feature k has "id": k, the attributes, cx, cy (planar metres).
    #[arg(long)]
    input: PathBuf,
    /// Edge list CSV with header i,j.
    #[arg(long)]
    edges: PathBuf,
    /// Attributes for the homogeneity objective, comma-separated.
    #[arg(long, value_delimiter = ',')]
    attrs: Vec<String>,
    /// Population property (the size measure); without it every unit counts 1.
    #[arg(long)]
    pop: Option<String>,
    /// Number of zones; 0 asks for max-p (as many zones as possible, each ≥ --floor).
    #[arg(long)]
    k: usize,
    /// Minimum zone population (max-p floor, or a lower bound with --k).
    #[arg(long, default_value_t = 0.0)]
    floor: f64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Accepted for the harness; the planner's budget is set by --restarts and --kicks.
    #[arg(long)]
    time_limit: Option<f64>,
    /// Independent restarts (shared over --threads); default scales with the instance.
    #[arg(long)]
    restarts: Option<usize>,
    /// Perturbation rounds per restart; default scales with the instance.
    #[arg(long)]
    kicks: Option<usize>,
    #[arg(long)]
    threads: Option<usize>,
    /// Output CSV: id,region.
    #[arg(long)]
    out: PathBuf,
}

pub fn zones(a: ZonesArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.input)
        .with_context(|| format!("reading {}", a.input.display()))?;
    let inst = gongfu_io::instance::read_instance(&text, &a.attrs, a.pop.as_deref())
        .map_err(anyhow::Error::msg)?;
    drop(text);
    let n = inst.pop.len();
    let edges_text = std::fs::read_to_string(&a.edges)
        .with_context(|| format!("reading {}", a.edges.display()))?;
    let edges = gongfu_io::instance::read_edges(&edges_text, n).map_err(anyhow::Error::msg)?;
    let graph = Graph::from_edges(n, &edges)?;
    let units: Vec<Unit> = (0..n)
        .map(|i| Unit {
            attrs: inst.attrs[i].clone(),
            size: inst.pop[i],
            x: inst.xy[i].0,
            y: inst.xy[i].1,
            ..Unit::default()
        })
        .collect();
    let count = if a.k == 0 {
        if a.floor <= 0.0 {
            bail!("--k 0 (max-p) needs --floor > 0");
        }
        Count::MaxP { floor: a.floor }
    } else {
        Count::K(a.k)
    };
    let threads = a.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1)
    });
    let (auto_restarts, auto_kicks) = gongfu_plan::zoning::default_budget(n, threads, count);
    let (restarts, kicks) = (
        a.restarts.unwrap_or(auto_restarts),
        a.kicks.unwrap_or(auto_kicks),
    );
    let params = Params {
        count,
        min_size: (a.k > 0 && a.floor > 0.0).then_some(a.floor),
        weights: Weights::HOMOGENEITY,
        seed: a.seed,
        restarts,
        threads,
        kicks,
        ..Params::default()
    };
    let started = std::time::Instant::now();
    let result = plan(&units, &graph, &params, &|_, _| true)?;
    let solve = started.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&a.out).with_context(|| format!("writing {}", a.out.display()))?,
    );
    writeln!(out, "id,region")?;
    for (i, l) in result.labels.iter().enumerate() {
        writeln!(out, "{i},{l}")?;
    }
    out.flush()?;
    eprintln!(
        "zones {} ssd {:.2} restarts {} kicks {} threads {threads}",
        result.zones, result.score.ssd, restarts, kicks
    );
    // The harness reads the last stdout line for the solver's own time.
    println!(
        "{}",
        serde_json::json!({"solve_seconds": solve, "zones": result.zones, "ssd": result.score.ssd})
    );
    Ok(())
}
