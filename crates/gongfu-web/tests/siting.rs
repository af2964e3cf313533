//! 设施选址 through the API on the demo district: new sites never lower coverage, the hub is
//! the site adding most, the bound brackets the answer, and bad requests name the field.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use serde_json::json;

#[tokio::test]
async fn new_sites_raise_coverage_with_a_stated_gap() {
    let app = demo_app().await;
    let (s, today) = app
        .get_json("/api/v1/coverage/services?type=elderly_care&radius_m=1500")
        .await;
    assert_eq!(s, StatusCode::OK, "{today}");
    let (s, r) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "elderly_care", "radius_m": 1500, "p": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        r["before"]["covered"], today["district"]["covered"],
        "today's coverage is the registry's"
    );
    let (before, after) = (
        r["before"]["covered"].as_i64().unwrap(),
        r["after"]["covered"].as_i64().unwrap(),
    );
    assert!(after >= before);
    assert_eq!(r["gain"].as_i64().unwrap(), after - before);
    let sites = r["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    assert_eq!(sites.iter().filter(|s| s["role"] == "hub").count(), 1);
    let hub_added = sites.iter().find(|s| s["role"] == "hub").unwrap()["added"]
        .as_i64()
        .unwrap();
    assert!(
        sites
            .iter()
            .all(|s| s["added"].as_i64().unwrap() <= hub_added)
    );
    // MCLP: the bound is an upper bound on what any 3 new sites could cover.
    assert!(r["bound"].as_f64().unwrap() + 1e-6 >= r["objective"].as_f64().unwrap());
    assert!(r["gap_text"].as_str().unwrap().contains("可证明"));
    assert!(
        r["method"].as_str().unwrap().contains("直线"),
        "{}",
        r["method"]
    );

    // One more site never covers less.
    let (_, r4) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "elderly_care", "radius_m": 1500, "p": 4}),
        )
        .await;
    assert!(r4["after"]["covered"].as_i64().unwrap() >= after);

    // A zone only: demand and candidates are its villages.
    let (_, z) = app.get_json("/api/v1/zones/1").await;
    let members = z["villages"].as_array().unwrap().len() as i64;
    let (s, rz) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "clinic", "minutes": 10, "speed_kmh": 15, "zone": 1, "p": 1, "model": "pmedian"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rz}");
    assert!(rz["before"]["total"].as_i64().unwrap() > 0);
    assert!(rz["after"]["villages_uncovered"].as_i64().unwrap() <= members);
    assert!(rz["bound"].as_f64().unwrap() <= rz["objective"].as_f64().unwrap() + 1e-6);

    // Candidates limited to two chosen villages: the site is one of them.
    let picks: Vec<String> = z["villages"].as_array().unwrap()[..2]
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let (s, rc) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "clinic", "radius_m": 1000, "zone": 1, "p": 1, "candidates": picks}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rc}");
    let site = rc["sites"][0]["village_code"].as_str().unwrap().to_string();
    assert!(picks.contains(&site), "{site} not in {picks:?}");
}

#[tokio::test]
async fn bad_site_requests_name_the_field() {
    let app = demo_app().await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "spaceport", "p": 0, "model": "magic", "candidates": ["123"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"type") && fields.contains(&"radius_m") && fields.contains(&"candidates"),
        "{e}"
    );
}
