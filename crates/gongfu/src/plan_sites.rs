//! `gongfu plan sites`: the service planner on files (the comparison contract of
//! `../shared/bench/optim`): demand = every feature weighted by `--weight`, candidates = the
//! same points, existing sites with `--fixed`; writes `id` per chosen site and prints the
//! objective, the bound and the gap.

use anyhow::{Context, Result, bail};
use gongfu_plan::siting::{Metric, Model, Problem, solve};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct SitesArgs {
    /// FeatureCollection; feature k has "id": k, the weight, and cx, cy (planar metres).
    #[arg(long)]
    input: PathBuf,
    /// Weight property (population).
    #[arg(long)]
    weight: String,
    /// pmedian, mclp, lscp or pcenter.
    #[arg(long)]
    model: String,
    /// New sites to open (pmedian, mclp, pcenter).
    #[arg(long)]
    p: Option<usize>,
    /// Service radius in metres (mclp, lscp).
    #[arg(long)]
    radius: Option<f64>,
    /// Existing sites (feature ids), kept open and counted.
    #[arg(long, value_delimiter = ',')]
    fixed: Vec<usize>,
    /// Capacity property per site, in the weight's units (p-median, MCLP); without it sites
    /// are unlimited.
    #[arg(long)]
    capacity: Option<String>,
    /// Read each feature's geometry centre as WGS84 longitude / latitude and measure
    /// great-circle distances, instead of cx, cy in planar metres.
    #[arg(long)]
    wgs84: bool,
    /// Output CSV: id.
    #[arg(long)]
    out: PathBuf,
}

pub fn sites(a: SitesArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.input)
        .with_context(|| format!("reading {}", a.input.display()))?;
    let (pts, weights) =
        gongfu_io::instance::read_points(&text, &a.weight, a.wgs84).map_err(anyhow::Error::msg)?;
    let n = pts.len();
    if let Some(bad) = a.fixed.iter().find(|&&f| f >= n) {
        bail!(
            "--fixed {bad}: no such feature (ids 0..{})",
            n.saturating_sub(1)
        );
    }
    let need_p = || a.p.context("--p is required for this model");
    let radius_km = || {
        a.radius
            .map(|r| r / 1000.0)
            .context("--radius (metres) is required for this model")
    };
    let model = match a.model.as_str() {
        "pmedian" => Model::PMedian { p: need_p()? },
        "mclp" => Model::Mclp {
            p: need_p()?,
            radius_km: radius_km()?,
        },
        "lscp" => Model::Lscp {
            radius_km: radius_km()?,
        },
        "pcenter" => Model::PCenter { p: need_p()? },
        other => bail!("--model {other}: expected pmedian, mclp, lscp or pcenter"),
    };
    let problem = Problem {
        metric: if a.wgs84 {
            Metric::Wgs84
        } else {
            Metric::Planar
        },
        demand: pts.clone(),
        weights,
        sites: pts,
        candidates: (0..n).filter(|i| !a.fixed.contains(i)).collect(),
        fixed: a.fixed.clone(),
        capacity: match &a.capacity {
            Some(prop) => {
                gongfu_io::instance::read_points(&text, prop, a.wgs84)
                    .map_err(anyhow::Error::msg)?
                    .1
            }
            None => Vec::new(),
        },
    };
    let started = std::time::Instant::now();
    let s = solve(&problem, model)?;
    let solve_seconds = started.elapsed().as_secs_f64();
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&a.out).with_context(|| format!("writing {}", a.out.display()))?,
    );
    writeln!(out, "id")?;
    for id in &s.open {
        writeln!(out, "{id}")?;
    }
    out.flush()?;
    println!(
        "objective {} bound {} gap {:.4}% sites {} unserved {}",
        s.objective,
        s.bound,
        s.gap * 100.0,
        s.open.len(),
        s.unserved
    );
    println!(
        "{}",
        serde_json::json!({"solve_seconds": solve_seconds, "objective": s.objective, "bound": s.bound, "gap": s.gap, "sites": s.open.len(), "unserved": s.unserved})
    );
    Ok(())
}
