//! The mixed load test: N signed-in users at once, each a village user with its own API token,
//! reading lists and writing their own village's tags for a fixed time. Afterwards every
//! acknowledged write is checked against the database and the audit log: none lost, none
//! duplicated, and no 5xx answers.

use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request on a fresh connection (`Connection: close`): status and body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(std::io::ErrorKind::UnexpectedEof)?;
    let status = std::str::from_utf8(&out[9..12])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(std::io::ErrorKind::InvalidData)?;
    Ok((status, out[split + 4..].to_vec()))
}

/// What one user did.
#[derive(Default)]
pub struct UserLog {
    pub village: String,
    pub reads: Vec<Duration>,
    pub writes: Vec<Duration>,
    /// Tags the server acknowledged with 200, in order.
    pub acknowledged: Vec<String>,
    pub server_errors: usize,
    pub other_failures: usize,
}

pub struct Report {
    pub users: Vec<UserLog>,
    pub wall: Duration,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Runs `users` (village code, token) against the server for `seconds`.
pub async fn run(addr: SocketAddr, users: Vec<(String, String)>, seconds: f64) -> Report {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, (village, token)) in users.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut log = UserLog {
                village: village.clone(),
                ..Default::default()
            };
            let reads = [
                "/api/v1/villages?per_page=20",
                "/api/v1/zones",
                "/api/v1/coverage",
                "/api/v1/dashboard",
            ];
            let mut i = n;
            while Instant::now() < until {
                i += 1;
                // Four reads, then one write of this user's own village.
                if i % 5 != 0 {
                    let t = Instant::now();
                    match request(addr, "GET", reads[i % reads.len()], &token, "").await {
                        Ok((s, _)) if s >= 500 => log.server_errors += 1,
                        Ok((200, _)) => log.reads.push(t.elapsed()),
                        _ => log.other_failures += 1,
                    }
                    continue;
                }
                let t = Instant::now();
                let Ok((200, body)) = request(
                    addr,
                    "GET",
                    &format!("/api/v1/villages/{village}"),
                    &token,
                    "",
                )
                .await
                else {
                    log.other_failures += 1;
                    continue;
                };
                let version = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v["version"].as_i64());
                let Some(version) = version else {
                    log.other_failures += 1;
                    continue;
                };
                let tag = format!("压测{n}-{i}");
                let edit = serde_json::json!({"tags": [tag], "version": version}).to_string();
                match request(
                    addr,
                    "PUT",
                    &format!("/api/v1/villages/{village}/tags"),
                    &token,
                    &edit,
                )
                .await
                {
                    Ok((200, _)) => {
                        log.writes.push(t.elapsed());
                        log.acknowledged.push(tag);
                    }
                    Ok((s, _)) if s >= 500 => log.server_errors += 1,
                    _ => log.other_failures += 1,
                }
            }
            log
        }));
    }
    let mut users = Vec::new();
    for t in tasks {
        if let Ok(log) = t.await {
            users.push(log);
        }
    }
    Report {
        users,
        wall: started.elapsed(),
    }
}

/// Checks every acknowledged write against the database and the audit log; returns the
/// Markdown summary.
pub async fn verify(store: &gongfu_store::Store, report: &Report, backend: &str) -> Result<String> {
    let snap = store.snapshot().await?;
    let mut lost = 0;
    let mut duplicated = 0;
    for u in &report.users {
        let code = gongfu_core::VillageCode::parse(&u.village)?;
        let d = snap.division(&code).context("village")?;
        if let Some(last) = u.acknowledged.last()
            && d.tags != vec![last.clone()]
        {
            lost += 1;
        }
        let (n, _) = store
            .audit_entries(
                &gongfu_store::Actor::system("bench"),
                &gongfu_store::accounts::AuditFilter {
                    entity: Some("village".into()),
                    entity_id: Some(u.village.clone()),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        let acked = u.acknowledged.len() as i64;
        if n > acked {
            duplicated += (n - acked) as usize;
        } else if n < acked {
            lost += (acked - n) as usize;
        }
    }
    let mut reads: Vec<Duration> = report.users.iter().flat_map(|u| u.reads.clone()).collect();
    let mut writes: Vec<Duration> = report.users.iter().flat_map(|u| u.writes.clone()).collect();
    let errors5: usize = report.users.iter().map(|u| u.server_errors).sum();
    let other: usize = report.users.iter().map(|u| u.other_failures).sum();
    let secs = report.wall.as_secs_f64();
    Ok(format!(
        "| {backend} | {} | {:.0} s | {} ({:.0}/s) | {:.1} / {:.1} | {} ({:.0}/s) | {:.1} / {:.1} | {errors5} | {other} | {lost} | {duplicated} |",
        report.users.len(),
        secs,
        reads.len(),
        reads.len() as f64 / secs,
        pct(&mut reads, 0.5),
        pct(&mut reads, 0.99),
        writes.len(),
        writes.len() as f64 / secs,
        pct(&mut writes, 0.5),
        pct(&mut writes, 0.99),
    ))
}
