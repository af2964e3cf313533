//! `gongfu-bench`: seeds a registry at district or province scale, starts the real `gongfu`
//! server binary on it as a child process, drives the main pages and API endpoints with
//! concurrent keep-alive clients on loopback, and reports latency percentiles, throughput and
//! the server's memory (VmRSS / VmHWM of the child, read from /proc).
//!
//! ```text
//! cargo build --release -p gongfu -p gongfu-bench
//! target/release/gongfu-bench --scale district
//! target/release/gongfu-bench --scale province --clients 16 --seconds 10 --out province.json
//! ```
//!
//! Results and their reading live in `docs/benchmarks.md`. This is a measuring tool, not a
//! test: it asserts nothing about speed.

mod http;
mod load;
mod mixed;
mod seed;

use anyhow::{Context, Result, bail};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: gongfu-bench --scale district|province [options]

  --scale S       district (the 柯桥区 demo) or province (20,000 villages, 1,000 zones)
  --clients N     concurrent keep-alive clients per endpoint (16)
  --seconds S     measuring window per endpoint, seconds (10)
  --warmup S      warm-up per endpoint before measuring, seconds (2)
  --gzip          send Accept-Encoding: gzip as browsers do (bytes are then compressed)
  --out PATH      also write the results as JSON
  --server PATH   the gongfu binary to start (default: `gongfu` next to this binary)
  --db PATH       database file to create; deleted first (target/gongfu-bench/<scale>.db)
  --seed N        generator seed (20240301)
  --villages N    province: divisions (20000)
  --towns N       province: towns (800)
  --zones N       province: zones in total (1000)
  --service-zones N  province: how many of those (the last ones) go through
                  Store::create_zone, timed; the rest are written in one transaction (50)
";

#[derive(Debug)]
struct Args {
    scale: String,
    clients: usize,
    seconds: f64,
    warmup: f64,
    out: Option<PathBuf>,
    server: Option<PathBuf>,
    db: Option<PathBuf>,
    seed: u64,
    villages: usize,
    towns: usize,
    zones: usize,
    service_zones: usize,
    gzip: bool,
    /// Run the mixed read/write test with this many signed-in users instead of the endpoints.
    mixed: usize,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        scale: String::new(),
        clients: 16,
        seconds: 10.0,
        warmup: 2.0,
        out: None,
        server: None,
        db: None,
        seed: 20240301,
        villages: 20_000,
        towns: 800,
        zones: 1_000,
        service_zones: 50,
        gzip: false,
        mixed: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            std::process::exit(0);
        }
        if flag == "--gzip" {
            a.gzip = true;
            continue;
        }
        let val = it
            .next()
            .with_context(|| format!("{flag} needs a value\n\n{USAGE}"))?;
        let num = |v: &str| -> Result<f64> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .with_context(|| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--scale" => a.scale = val,
            "--clients" => a.clients = num(&val)?.max(1.0) as usize,
            "--seconds" => a.seconds = num(&val)?.max(0.1),
            "--warmup" => a.warmup = num(&val)?,
            "--out" => a.out = Some(val.into()),
            "--server" => a.server = Some(val.into()),
            "--db" => a.db = Some(val.into()),
            "--seed" => a.seed = num(&val)? as u64,
            "--villages" => a.villages = num(&val)? as usize,
            "--towns" => a.towns = num(&val)? as usize,
            "--zones" => a.zones = num(&val)? as usize,
            "--service-zones" => a.service_zones = num(&val)? as usize,
            "--mixed" => a.mixed = num(&val)? as usize,
            _ => bail!("unknown option {flag}\n\n{USAGE}"),
        }
    }
    if a.scale != "district" && a.scale != "province" {
        bail!("--scale must be district or province\n\n{USAGE}");
    }
    Ok(a)
}

/// VmRSS and VmHWM of a process, KiB.
fn mem_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU seconds of a process (assumes the usual 100 clock ticks per second).
fn cpu_secs(pid: &str) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = text.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// The 1, 5 and 15 minute load averages: other work on the machine skews every number.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_total_kib: u64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu_model": model,
        "mem_total_mib": (mem_total_kib / 1024),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
    })
}

/// One endpoint's run.
struct Run {
    label: String,
    stats: load::Stats,
    server_cores: f64,
    bench_cores: f64,
    other_cores: f64,
    rss: u64,
    hwm: u64,
}

/// Busy CPU seconds of the whole machine, all cores (the `cpu` line of /proc/stat, assuming
/// 100 ticks per second). Guest time is already counted in user time.
fn machine_busy_secs() -> f64 {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = text
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let all: f64 = f.iter().take(8).sum();
    let idle = f.get(3).copied().unwrap_or(0.0) + f.get(4).copied().unwrap_or(0.0);
    (all - idle) / 100.0
}

/// Kills the server child when dropped, whatever happened.
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn remove_db(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let machine = machine();
    let loadavg_before = loadavg();
    let server_bin = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory for the bench binary")?
            .join("gongfu"),
    };
    if !server_bin.exists() {
        bail!(
            "server binary {} not found: build it with `cargo build --release -p gongfu` or pass --server",
            server_bin.display()
        );
    }
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/gongfu-bench/{}.db", args.scale)));
    // A PostgreSQL URL is a database, not a file: nothing to create or delete on disk.
    let is_url = db.to_string_lossy().starts_with("postgres");
    if !is_url {
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        remove_db(&db)?;
    }
    eprintln!(
        "gongfu-bench: scale {}, {} clients, {} s + {} s warm-up per endpoint, db {}",
        args.scale,
        args.clients,
        args.seconds,
        args.warmup,
        db.display()
    );

    // ---- Seed, in this process, through gongfu-store.
    let mut times = seed::SeedTimes::default();
    let t = Instant::now();
    let (reg, zones_wanted) = if args.scale == "district" {
        (seed::district(args.seed)?, 0)
    } else {
        (
            seed::province(args.villages, args.towns, args.seed),
            args.zones,
        )
    };
    times.generate = t.elapsed();
    eprintln!(
        "generated {} divisions in {} towns in {:.2} s",
        reg.divisions.len(),
        reg.towns.len(),
        times.generate.as_secs_f64()
    );
    let store = gongfu_store::Store::open(&db.display().to_string())
        .await
        .context("opening the bench database")?;
    seed::seed(
        &store,
        &reg,
        zones_wanted,
        args.service_zones,
        args.seed,
        &mut times,
    )
    .await?;
    // Every request signs in as a district administrator with an API token, as scripts do.
    store
        .create_user(
            &gongfu_store::Actor::system("bench"),
            "bench",
            "压测",
            &gongfu_core::auth::Role::Admin,
            "gongfu-bench-password",
        )
        .await?;
    let user = store.user_by_name("bench").await?.context("bench user")?;
    let token = store
        .create_api_token(&gongfu_store::Actor::system("bench"), &user, "bench")
        .await?;
    http::set_token(token);
    // A cold snapshot load, as the server pays after every write: a fresh Store has no cache.
    store.pool().close().await;
    drop(store);
    let store = gongfu_store::Store::open(&db.display().to_string()).await?;
    let t = Instant::now();
    let snap = store.snapshot().await?;
    let snapshot_load = t.elapsed();
    let villages_n = snap
        .divisions
        .iter()
        .filter(|d| d.division.kind.as_str() == "village")
        .count();
    let communities_n = snap.divisions.len() - villages_n;
    let members_n = snap.memberships.len();
    let zones_n = snap.zones.len();
    // The town with the most villages, so its page 2 exists if any town's does.
    let mut per_town: std::collections::BTreeMap<String, usize> = Default::default();
    for d in &snap.divisions {
        if d.division.kind.as_str() == "village" {
            *per_town
                .entry(d.division.town.as_str().to_string())
                .or_default() += 1;
        }
    }
    let (big_town, big_town_villages) = per_town
        .iter()
        .max_by_key(|(code, n)| (**n, std::cmp::Reverse((*code).clone())))
        .map(|(c, n)| (c.clone(), *n))
        .unwrap_or_default();
    // ---- For the mixed test: one village user per client, each with its own API token.
    let mut mixed_users: Vec<(String, String)> = Vec::new();
    if args.mixed > 0 {
        let t = Instant::now();
        let villages: Vec<String> = snap
            .divisions
            .iter()
            .filter(|d| {
                d.division.kind.as_str() == "village" && d.division.status.as_str() == "active"
            })
            .take(args.mixed)
            .map(|d| d.division.code.to_string())
            .collect();
        for (i, code) in villages.iter().enumerate() {
            let name = format!("user{i:04}");
            let role = gongfu_core::auth::Role::Village {
                village: gongfu_core::VillageCode::parse(code)?,
            };
            store
                .create_user(
                    &gongfu_store::Actor::system("bench"),
                    &name,
                    &name,
                    &role,
                    "gongfu-bench-password",
                )
                .await?;
            let user = store.user_by_name(&name).await?.context("user")?;
            let token = store
                .create_api_token(&gongfu_store::Actor::system("bench"), &user, "mixed")
                .await?;
            mixed_users.push((code.clone(), token));
        }
        eprintln!(
            "mixed: {} village users with tokens in {:.1} s",
            mixed_users.len(),
            t.elapsed().as_secs_f64()
        );
    }

    drop(snap);
    store.pool().close().await;
    drop(store);
    let db_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "seeded: seed_demo {:.2} s, {} zones in bulk in {:.2} s, {} through create_zone in {:.1} s, snapshot load {:.0} ms, db {:.1} MiB",
        times.seed_demo.as_secs_f64(),
        times.bulk_zones,
        times.bulk_total.as_secs_f64(),
        times.zones_created,
        times.create_zone_total.as_secs_f64(),
        ms(snapshot_load),
        db_bytes as f64 / 1048576.0
    );

    // ---- Start the real server as a child process on the seeded file.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let log_path = if is_url {
        std::fs::create_dir_all("target/gongfu-bench")?;
        PathBuf::from("target/gongfu-bench/postgres.server.log")
    } else {
        PathBuf::from(format!("{}.server.log", db.display()))
    };
    let log = std::fs::File::create(&log_path)?;
    let t = Instant::now();
    let child = Command::new(&server_bin)
        .arg("serve")
        .arg("--db")
        .arg(&db)
        .arg("--addr")
        .arg(addr.to_string())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", server_bin.display()))?;
    let mut server = Server { child };
    let pid = server.child.id();
    loop {
        if let Ok((200, _, _)) = load::once(addr, "/healthz", false).await {
            break;
        }
        if let Some(status) = server.child.try_wait()? {
            bail!(
                "server exited with {status} before answering; see {}",
                log_path.display()
            );
        }
        if t.elapsed() > Duration::from_secs(60) {
            bail!("server did not answer /healthz within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let startup = t.elapsed();
    let (rss_idle, _) = mem_kib(pid);
    eprintln!(
        "server pid {pid} on {addr}, up in {:.0} ms, VmRSS {:.1} MiB",
        ms(startup),
        mib(rss_idle)
    );

    if args.mixed > 0 {
        let report = mixed::run(addr, mixed_users, args.seconds).await;
        let (_, hwm) = mem_kib(pid);
        let _ = server.child.kill();
        let _ = server.child.wait();
        let backend = if db.to_string_lossy().starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        let store = gongfu_store::Store::open(&db.display().to_string()).await?;
        let row = mixed::verify(&store, &report, backend).await?;
        println!(
            "| backend | users | time | reads (rate) | read p50 / p99 ms | writes (rate) | write p50 / p99 ms | 5xx | other failures | lost writes | duplicated writes |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        println!("{row}");
        println!("server VmHWM {:.1} MiB", mib(hwm));
        return Ok(());
    }

    let endpoints: Vec<(&str, String)> = vec![
        ("dashboard page", "/".to_string()),
        ("village list page", "/villages".to_string()),
        (
            "village list, one town, by income, page 2",
            format!("/villages?town={big_town}&sort=-income&page=2"),
        ),
        (
            "village API, 50 per page",
            "/api/v1/villages?per_page=50".to_string(),
        ),
        ("map GeoJSON", "/api/v1/map/villages.geojson".to_string()),
        ("coverage API", "/api/v1/coverage".to_string()),
        ("zone list page", "/zones".to_string()),
    ];

    // ---- Cold first hit of each endpoint, one at a time (the first loads the snapshot; the
    // GeoJSON is built once per snapshot).
    let mut cold = Vec::new();
    for (_, path) in &endpoints {
        let (status, bytes, d) = load::once(addr, path, args.gzip)
            .await
            .with_context(|| format!("first GET {path}"))?;
        if status != 200 {
            bail!(
                "first GET {path} answered HTTP {status}; see {}",
                log_path.display()
            );
        }
        cold.push((path.clone(), d, bytes));
    }
    let (rss_warm, hwm_warm) = mem_kib(pid);
    eprintln!("after first hits: VmRSS {:.1} MiB", mib(rss_warm));

    // ---- Load, one endpoint at a time.
    let mut results = Vec::new();
    for (label, path) in &endpoints {
        let cpu0 = cpu_secs(&pid.to_string());
        let me0 = cpu_secs("self");
        let all0 = machine_busy_secs();
        let t = Instant::now();
        let stats = load::drive(
            addr,
            path,
            args.clients,
            Duration::from_secs_f64(args.warmup),
            Duration::from_secs_f64(args.seconds),
            args.gzip,
        )
        .await;
        let wall = t.elapsed().as_secs_f64();
        let server_cores = (cpu_secs(&pid.to_string()) - cpu0) / wall;
        let bench_cores = (cpu_secs("self") - me0) / wall;
        let other_cores =
            ((machine_busy_secs() - all0) / wall - server_cores - bench_cores).max(0.0);
        let (rss, hwm) = mem_kib(pid);
        eprintln!(
            "{path}: {} req, p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s, {} errors{}, CPU server {:.2} / others {:.2} cores, VmRSS {:.1} MiB, VmHWM {:.1} MiB",
            stats.requests,
            ms(stats.p50),
            ms(stats.p99),
            stats.rps,
            stats.errors,
            stats
                .first_error
                .as_deref()
                .map(|e| format!(" (first: {e})"))
                .unwrap_or_default(),
            server_cores,
            other_cores,
            mib(rss),
            mib(hwm)
        );
        results.push(Run {
            label: label.to_string(),
            stats,
            server_cores,
            bench_cores,
            other_cores,
            rss,
            hwm,
        });
    }
    let (rss_end, hwm_end) = mem_kib(pid);
    if let Some(status) = server.child.try_wait()? {
        bail!("server exited during the run with {status}");
    }
    drop(server);

    // ---- Report.
    let scale_line = format!(
        "{} divisions ({villages_n} villages, {communities_n} communities) in {} towns, {zones_n} zones with {members_n} membership lines",
        reg.divisions.len(),
        reg.towns.len().max(per_town.len()),
    );
    let mut md = String::new();
    md += &format!(
        "### {} scale — {scale_line}\n\n{} clients, {} s window after {} s warm-up per endpoint, {}; town filter `{big_town}` ({big_town_villages} villages{}). Latency is from writing the request to reading the last body byte. Server VmHWM is the peak resident set since start, read after each endpoint's run. CPU is cores used over the endpoint's wall time (warm-up included) by the server, by this load generator and by everything else on the machine ({} cores): other work skews the numbers.\n\n",
        args.scale,
        args.clients,
        args.seconds,
        args.warmup,
        if args.gzip {
            "requests send `Accept-Encoding: gzip` (KiB/resp is compressed)"
        } else {
            "no `Accept-Encoding` (uncompressed responses)"
        },
        if big_town_villages <= 50 {
            ", one page: `page=2` is clamped to page 1"
        } else {
            ""
        },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    md += "| endpoint | path | p50 ms | p99 ms | max ms | req/s | KiB/resp | errors | requests | CPU server / bench / other | first hit ms | server VmHWM MiB |\n";
    md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n";
    for (i, r) in results.iter().enumerate() {
        let s = &r.stats;
        md += &format!(
            "| {} | `{}` | {:.2} | {:.2} | {:.2} | {:.0} | {:.1} | {} | {} | {:.2} / {:.2} / {:.2} | {:.1} | {:.0} |\n",
            r.label,
            s.path,
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            s.rps,
            s.bytes_per_response / 1024.0,
            s.errors,
            s.requests,
            r.server_cores,
            r.bench_cores,
            r.other_cores,
            ms(cold[i].1),
            mib(r.hwm),
        );
    }
    md += &format!(
        "\nServer `gongfu serve` (pid {pid}): VmRSS {:.1} MiB idle after start, {:.1} MiB after the first hit of each endpoint (VmHWM then {:.1} MiB), {:.1} MiB at the end; VmHWM (peak) {:.1} MiB.\n",
        mib(rss_idle),
        mib(rss_warm),
        mib(hwm_warm),
        mib(rss_end),
        mib(hwm_end)
    );
    let each = &times.create_zone_each;
    let zone_line = if each.is_empty() {
        String::new()
    } else {
        let mut sorted = each.clone();
        sorted.sort_unstable();
        let first10: Duration = each.iter().take(10).sum::<Duration>() / each.len().min(10) as u32;
        let last10: Duration =
            each.iter().rev().take(10).sum::<Duration>() / each.len().min(10) as u32;
        format!(
            ", {} zones in one transaction {:.2} s, then {} × `create_zone` {:.1} s (median {:.0} ms, max {:.0} ms; first ten {:.0} ms each, last ten {:.0} ms each)",
            times.bulk_zones,
            times.bulk_total.as_secs_f64(),
            each.len(),
            times.create_zone_total.as_secs_f64(),
            ms(sorted[sorted.len() / 2]),
            ms(*sorted.last().unwrap_or(&Duration::ZERO)),
            ms(first10),
            ms(last10)
        )
    };
    md += &format!(
        "Seeding (in the bench process): generate {:.2} s, `seed_demo` {:.2} s{zone_line}; snapshot load {:.0} ms; database file {:.1} MiB; server up in {:.0} ms.\n",
        times.generate.as_secs_f64(),
        times.seed_demo.as_secs_f64(),
        ms(snapshot_load),
        db_bytes as f64 / 1048576.0,
        ms(startup),
    );
    md += &format!(
        "Load average before / after the run: {loadavg_before} / {}.\n",
        loadavg()
    );
    println!("{md}");

    if let Some(out) = &args.out {
        let v = json!({
            "scale": args.scale,
            "date_unix": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
            "machine": machine,
            "args": {"gzip": args.gzip, "clients": args.clients, "seconds": args.seconds, "warmup": args.warmup, "seed": args.seed,
                      "villages": args.villages, "towns": args.towns, "zones": args.zones,
                      "service_zones": args.service_zones},
            "loadavg_before": loadavg_before,
            "loadavg_after": loadavg(),
            "registry": {"divisions": reg.divisions.len(), "villages": villages_n, "communities": communities_n,
                          "towns": reg.towns.len(), "zones": zones_n, "memberships": members_n,
                          "town_filter": big_town, "town_filter_villages": big_town_villages},
            "seeding_s": {"generate": times.generate.as_secs_f64(), "seed_demo": times.seed_demo.as_secs_f64(),
                           "adjacency": times.adjacency.as_secs_f64(),
                           "bulk_zones": times.bulk_zones, "bulk_zones_total": times.bulk_total.as_secs_f64(),
                           "create_zone_total": times.create_zone_total.as_secs_f64(),
                           "create_zone_calls": times.zones_created,
                           "create_zone_each_ms": each.iter().map(|d| (ms(*d) * 10.0).round() / 10.0).collect::<Vec<_>>(),
                           "snapshot_load": snapshot_load.as_secs_f64()},
            "db_bytes": db_bytes,
            "server": {"binary": server_bin.display().to_string(), "startup_ms": ms(startup),
                        "vmrss_idle_kib": rss_idle, "vmrss_after_first_hits_kib": rss_warm, "vmhwm_after_first_hits_kib": hwm_warm,
                        "vmrss_end_kib": rss_end, "vmhwm_kib": hwm_end},
            "endpoints": results.iter().enumerate().map(|(i, r)| { let s = &r.stats; json!({
                "label": r.label, "path": s.path, "requests": s.requests, "errors": s.errors,
                "first_error": s.first_error,
                "p50_ms": ms(s.p50), "p90_ms": ms(s.p90), "p99_ms": ms(s.p99), "max_ms": ms(s.max), "mean_ms": ms(s.mean),
                "rps": s.rps, "bytes_per_response": s.bytes_per_response, "window_s": s.window.as_secs_f64(),
                "server_cpu_cores": r.server_cores, "bench_cpu_cores": r.bench_cores, "other_cpu_cores": r.other_cores,
                "first_hit_ms": ms(cold[i].1), "first_hit_bytes": cold[i].2,
                "vmrss_after_kib": r.rss, "vmhwm_after_kib": r.hwm,
            })}).collect::<Vec<_>>(),
        });
        std::fs::write(out, serde_json::to_string_pretty(&v)?)
            .with_context(|| format!("writing {}", out.display()))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}
