//! The classic attacks on every form and API: SQL injection strings are stored as text, script
//! tags are rendered escaped, oversized uploads are refused with the limit stated, and file
//! names with path tricks are only ever shown, never used as paths.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::demo_app;
use serde_json::json;

const NASTY: [&str; 4] = [
    "'; DROP TABLE zones; --",
    "<script>alert('x')</script>",
    "\" onmouseover=\"alert(1)",
    "片区' OR '1'='1",
];

#[tokio::test]
async fn hostile_text_is_stored_verbatim_and_rendered_escaped() {
    let app = demo_app().await;
    let free = app.uncovered().await;
    let town = &free[0].1;
    let picks: Vec<String> = free
        .iter()
        .filter(|(_, t)| t == town)
        .take(2)
        .map(|(c, _)| c.clone())
        .collect();
    for (i, nasty) in NASTY.iter().enumerate() {
        let (_, z) = app.get_json("/api/v1/zones/1").await;
        let body = json!({"name": format!("{nasty}{i}"), "theme": nasty, "lead_official": nasty, "note": nasty,
                          "key_village": z["key_village"], "villages": z["villages"], "version": z["version"]});
        let (s, saved) = app.send_json("PUT", "/api/v1/zones/1", body).await;
        assert_eq!(s, StatusCode::OK, "{nasty}: {saved}");
        assert_eq!(saved["theme"], *nasty, "stored verbatim");
        let (_, page) = app.get("/zones/1").await;
        let html = String::from_utf8_lossy(&page);
        assert!(!html.contains("<script>alert"), "script tags are escaped");
        assert!(
            !html.contains("\" onmouseover=\""),
            "attribute breakouts are escaped"
        );
    }
    // The tables are all still there and working.
    let (s, zones) = app.get_json("/api/v1/zones").await;
    assert_eq!(s, StatusCode::OK);
    assert!(zones["total"].as_u64().unwrap() >= 8);
    // Injection strings in filters are just text that matches nothing.
    let (s, v) = app
        .get_json("/api/v1/villages?q=%27%20OR%201%3D1%20--")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["total"], 0);
    let (s, a) = app
        .get_json("/api/v1/audit?actor=%27%20OR%20%271%27%3D%271")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["total"], 0);
    let _ = picks;
}

#[tokio::test]
async fn an_oversized_upload_is_refused_with_the_limit_stated() {
    let app = demo_app().await;
    let big = vec![b'x'; 33 * 1024 * 1024];
    // Real clients declare the length; the server refuses before reading the body.
    let req = Request::post("/api/v1/import/years?mode=dry_run")
        .header("content-length", big.len().to_string())
        .body(Body::from(big))
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("32 MB"));
}

#[tokio::test]
async fn a_file_name_with_path_tricks_is_only_shown_escaped() {
    let app = demo_app().await;
    let boundary = "XBOUNDARYX";
    let name = "../../../etc/<b>passwd</b>.xlsx";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nyears\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ndry_run\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\nnot an xlsx\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/import")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let html = String::from_utf8_lossy(&b);
    assert!(
        html.contains("不是有效的 Excel"),
        "the file is judged by its content"
    );
    assert!(!html.contains("<b>passwd</b>"), "the name is escaped");
    assert!(!std::path::Path::new("/etc/<b>passwd</b>.xlsx").exists());
}
