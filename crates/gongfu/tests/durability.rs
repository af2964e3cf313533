//! Durability: the server is killed with SIGKILL in the middle of a large xlsx import and a
//! burst of edits, then restarted. Every acknowledged write must be there, and the interrupted
//! import must be wholly applied or not at all.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gongfu");
const PASSWORD: &str = "durability-测试-2025";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request on a fresh connection; returns the status and the body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text_end = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(std::io::ErrorKind::UnexpectedEof)?;
    let status: u16 = String::from_utf8_lossy(&out[9..12])
        .parse()
        .map_err(|_| std::io::ErrorKind::InvalidData)?;
    Ok((status, out[text_end + 4..].to_vec()))
}

fn serve(db: &str, port: u16) -> Child {
    let mut child = Command::new(BIN)
        .args(["serve", "--db", db, "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok((200, _)) = http(port, "GET", "/healthz", "", "text/plain", b"") {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

fn village_codes() -> Vec<String> {
    gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV)
        .unwrap()
        .into_iter()
        .filter(|d| d.kind == gongfu_demo::DivisionKind::Village)
        .map(|d| d.code)
        .collect()
}

/// Yearly figures for every village for 2030–2099: about 15,000 rows.
fn large_workbook(codes: &[String]) -> (Vec<u8>, usize) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("年度数据").unwrap();
    for (c, h) in [
        "村代码",
        "村名",
        "数据年度",
        "户籍人口",
        "户数",
        "经营性收入（元）",
        "人均可支配收入（元）",
        "面积（平方公里）",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut r = 1u32;
    for code in codes {
        for year in 2030..2100 {
            ws.write_string(r, 0, code).unwrap();
            for (c, v) in [
                (2u16, year as f64),
                (3, 2000.0),
                (4, 700.0),
                (5, 1_234_567.0),
                (6, 65_000.0),
                (7, 3.5),
            ] {
                ws.write_number(r, c, v).unwrap();
            }
            r += 1;
        }
    }
    (book.save_to_buffer().unwrap(), (r - 1) as usize)
}

#[test]
fn a_sigkill_mid_import_and_mid_edits_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").to_str().unwrap().to_string();
    let seeded = Command::new(BIN)
        .args(["demo", "--db", &db])
        .env("GONGFU_DEMO_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let out = Command::new(BIN)
        .args(["admin", "token", "--db", &db, "--username", "admin"])
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    assert!(token.starts_with("gft_"), "{token}");

    let codes = village_codes();
    let (xlsx, rows) = large_workbook(&codes);
    let port = free_port();
    let mut server = serve(&db, port);

    // The import, on its own thread; its answer may never come.
    let import_token = token.clone();
    let importer = std::thread::spawn(move || {
        http(
            port,
            "POST",
            "/api/v1/import/years?mode=apply",
            &import_token,
            "application/octet-stream",
            &xlsx,
        )
    });
    // A burst of edits; remember the ones the server acknowledged.
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let started = Instant::now();
    for (i, code) in codes.iter().enumerate().take(60) {
        if started.elapsed() > Duration::from_millis(400) {
            break;
        }
        let Ok((200, body)) = http(
            port,
            "GET",
            &format!("/api/v1/villages/{code}"),
            &token,
            "text/plain",
            b"",
        ) else {
            break;
        };
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let tag = format!("标签{i}");
        let edit = serde_json::json!({"tags": [tag], "version": v["version"]}).to_string();
        match http(
            port,
            "PUT",
            &format!("/api/v1/villages/{code}/tags"),
            &token,
            "application/json",
            edit.as_bytes(),
        ) {
            Ok((200, _)) => acknowledged.push((code.clone(), tag)),
            _ => break,
        }
    }
    server.kill().unwrap(); // SIGKILL on Unix: no chance to flush or clean up
    server.wait().unwrap();
    let import_answer = importer.join().unwrap();
    assert!(
        !acknowledged.is_empty(),
        "some edits were acknowledged before the kill"
    );

    let port = free_port();
    let mut server = serve(&db, port);
    for (code, tag) in &acknowledged {
        let (s, body) = http(
            port,
            "GET",
            &format!("/api/v1/villages/{code}"),
            &token,
            "text/plain",
            b"",
        )
        .unwrap();
        assert_eq!(s, 200);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v["village"]["tags"],
            serde_json::json!([tag]),
            "acknowledged edit of {code} survived"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let imported: usize = rt.block_on(async {
        let store = gongfu_store::Store::open(&db).await.unwrap();
        let snap = store.snapshot().await.unwrap();
        codes
            .iter()
            .map(|c| {
                let code = gongfu_core::VillageCode::parse(c).unwrap();
                snap.years(&code)
                    .iter()
                    .filter(|f| f.year.get() >= 2030)
                    .count()
            })
            .sum()
    });
    eprintln!(
        "durability: {} edits acknowledged before SIGKILL; import answer {:?}; {imported} of {rows} rows present",
        acknowledged.len(),
        import_answer
            .as_ref()
            .map(|(s, _)| *s)
            .map_err(|e| e.kind())
    );
    assert!(
        imported == 0 || imported == rows,
        "the import is all or nothing: {imported} of {rows} rows"
    );
    if matches!(import_answer, Ok((200, _))) {
        assert_eq!(imported, rows, "an acknowledged import is all there");
    }
}
