//! Closed-loop load: N keep-alive clients hammer one path; every completed request's latency
//! is recorded.

use crate::http::Conn;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Stats {
    pub path: String,
    pub requests: usize,
    pub errors: usize,
    /// First error seen, for the log.
    pub first_error: Option<String>,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
    pub rps: f64,
    pub bytes_per_response: f64,
    pub window: Duration,
}

#[derive(Default)]
struct ClientLog {
    lat: Vec<Duration>,
    bytes: u64,
    errors: usize,
    first_error: Option<String>,
}

/// One request on a fresh connection: for the cold first hit and for health checks.
pub async fn once(
    addr: SocketAddr,
    path: &str,
    gzip: bool,
) -> std::io::Result<(u16, u64, Duration)> {
    let mut c = Conn::connect(addr, gzip).await?;
    let t = Instant::now();
    let r = c.get(path).await?;
    Ok((r.status, r.body_bytes, t.elapsed()))
}

/// Runs `clients` loops on `path` for `warmup` (discarded) then `measure`. A request counts if
/// it completes inside the measuring window; throughput is those requests over the window.
pub async fn drive(
    addr: SocketAddr,
    path: &str,
    clients: usize,
    warmup: Duration,
    measure: Duration,
    gzip: bool,
) -> Stats {
    let t0 = Instant::now();
    let window_start = t0 + warmup;
    let window_end = window_start + measure;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let path = path.to_string();
        tasks.push(tokio::spawn(async move {
            let mut log = ClientLog::default();
            let mut conn: Option<Conn> = None;
            while Instant::now() < window_end {
                if conn.as_ref().is_none_or(|c| !c.is_reusable()) {
                    match Conn::connect(addr, gzip).await {
                        Ok(c) => conn = Some(c),
                        Err(e) => {
                            log.errors += 1;
                            log.first_error
                                .get_or_insert_with(|| format!("connect: {e}"));
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let Some(c) = conn.as_mut() else { continue };
                let start = Instant::now();
                let res = c.get(&path).await;
                let done = Instant::now();
                let counted = done >= window_start && done <= window_end;
                match res {
                    Ok(r) if r.status == 200 => {
                        if counted {
                            log.lat.push(done - start);
                            log.bytes += r.body_bytes;
                        }
                    }
                    Ok(r) => {
                        if counted {
                            log.errors += 1;
                        }
                        log.first_error
                            .get_or_insert_with(|| format!("HTTP {}", r.status));
                    }
                    Err(e) => {
                        if counted {
                            log.errors += 1;
                        }
                        log.first_error.get_or_insert_with(|| format!("io: {e}"));
                        conn = None;
                    }
                }
            }
            log
        }));
    }
    let mut lat = Vec::new();
    let mut bytes = 0u64;
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        match t.await {
            Ok(log) => {
                lat.extend(log.lat);
                bytes += log.bytes;
                errors += log.errors;
                if first_error.is_none() {
                    first_error = log.first_error;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| format!("client task: {e}"));
            }
        }
    }
    lat.sort_unstable();
    let q = |p: f64| -> Duration {
        if lat.is_empty() {
            return Duration::ZERO;
        }
        // Nearest rank.
        let rank = ((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len());
        lat[rank - 1]
    };
    let n = lat.len();
    let total: Duration = lat.iter().sum();
    Stats {
        path: path.to_string(),
        requests: n,
        errors,
        first_error,
        p50: q(0.50),
        p90: q(0.90),
        p99: q(0.99),
        max: lat.last().copied().unwrap_or_default(),
        mean: if n > 0 {
            total / n as u32
        } else {
            Duration::ZERO
        },
        rps: n as f64 / measure.as_secs_f64(),
        bytes_per_response: if n > 0 { bytes as f64 / n as f64 } else { 0.0 },
        window: measure,
    }
}
