//! The audit log through the API and the pages: who may read it, filters, export, history.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use gongfu_core::TownCode;
use gongfu_core::auth::Role;
use serde_json::json;

#[tokio::test]
async fn administrators_and_auditors_read_the_log_and_others_are_refused() {
    let app = demo_app().await;
    let (_, z) = app.get_json("/api/v1/zones/1").await;
    let body = json!({"name": "审计改名", "key_village": z["key_village"], "villages": z["villages"], "version": z["version"]});
    let (s, _) = app.send_json("PUT", "/api/v1/zones/1", body).await;
    assert_eq!(s, StatusCode::OK);
    let (s, log) = app.get_json("/api/v1/audit?entity=zone&entity_id=1").await;
    assert_eq!(s, StatusCode::OK);
    let items = log["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|e| e["entity"] == "zone" && e["entity_id"] == "1")
    );
    let newest = &items[0];
    assert_eq!(newest["action"], "update");
    assert!(newest["actor"].as_str().unwrap().contains("admin"));
    assert!(
        newest["before"]
            .as_str()
            .unwrap()
            .contains(z["name"].as_str().unwrap())
    );
    assert!(newest["after"].as_str().unwrap().contains("审计改名"));
    let viewer = app.token_for("auditor", Role::Viewer).await;
    let (s, _) = app
        .send_json_as(&viewer, "GET", "/api/v1/audit", json!(null))
        .await;
    assert_eq!(s, StatusCode::OK, "auditors read the log");
    let town = app
        .token_for(
            "towner",
            Role::Town {
                town: TownCode::parse("330603105").unwrap(),
            },
        )
        .await;
    let (s, e) = app
        .send_json_as(&town, "GET", "/api/v1/audit", json!(null))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
}

#[tokio::test]
async fn the_log_filters_by_person_and_date_and_exports_to_excel() {
    let app = demo_app().await;
    let (_, by_demo) = app.get_json("/api/v1/audit?actor=system:demo").await;
    assert!(by_demo["total"].as_i64().unwrap() >= 1);
    let (_, future) = app.get_json("/api/v1/audit?from=2999-01-01").await;
    assert_eq!(future["total"], 0);
    // Days are Beijing days, as the log shows them: what was written just now is in today's
    // Beijing day, and not in tomorrow's.
    let today = gongfu_store::service::today();
    let d = |x: time::Date| gongfu_core::village::date_string(x);
    let (_, now) = app
        .get_json(&format!("/api/v1/audit?from={}&to={}", d(today), d(today)))
        .await;
    assert!(now["total"].as_i64().unwrap() >= 1, "{now}");
    let tomorrow = today.next_day().unwrap();
    let (_, later) = app
        .get_json(&format!("/api/v1/audit?from={}", d(tomorrow)))
        .await;
    assert_eq!(later["total"], 0);
    let (s, bytes) = app.get("/api/v1/export/audit.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK");
}

#[tokio::test]
async fn a_zone_page_shows_its_history_and_the_audit_page_renders() {
    let app = demo_app().await;
    let (_, z) = app.get_json("/api/v1/zones/1").await;
    let body = json!({"name": "历史可查", "key_village": z["key_village"], "villages": z["villages"], "version": z["version"]});
    app.send_json("PUT", "/api/v1/zones/1", body).await;
    let (_, page) = app.get("/zones/1").await;
    let html = String::from_utf8_lossy(&page);
    assert!(html.contains("变更记录"));
    assert!(html.contains("历史可查"));
    let (s, page) = app.get("/audit?entity=zone").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page).contains("只增不改"));
}
