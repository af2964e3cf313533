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

#[tokio::test]
async fn capacities_limit_what_new_sites_serve() {
    let app = demo_app().await;
    let free = json!({"type": "elderly_care", "radius_m": 3000, "p": 2});
    let (s, r) = app.send_json("POST", "/api/v1/plan/sites", free).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let tight = json!({"type": "elderly_care", "radius_m": 3000, "p": 2, "capacity_people": 50, "people_per_unit": 1});
    let (s, c) = app.send_json("POST", "/api/v1/plan/sites", tight).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["capacity_people"], 50);
    assert!(
        c["after"]["covered"].as_i64().unwrap() <= r["after"]["covered"].as_i64().unwrap(),
        "a capacity never lets sites serve more"
    );
    assert!(
        c["method"]
            .as_str()
            .unwrap()
            .contains("每处新设施最多服务 50 人")
    );
    // Capacities are for the covering and median models only; bad numbers name their field.
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/plan/sites",
            json!({"type": "elderly_care", "radius_m": 3000, "model": "lscp", "capacity_people": 0, "people_per_unit": -1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["capacity_people", "capacity_people", "people_per_unit"]
    );
}

#[tokio::test]
async fn a_zone_proposal_is_saved_into_the_zone_plan() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let zone = zones["items"][0]["id"].as_i64().unwrap();
    let body = json!({"type": "clinic", "radius_m": 1500, "p": 2});
    let (s, r) = app
        .send_json(
            "POST",
            &format!("/api/v1/zones/{zone}/plan/service-layout"),
            body.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // No plan yet: a first draft is started and holds the layout.
    assert_eq!(r["plan"]["version_no"], 1);
    assert_eq!(r["plan"]["status"], "draft");
    let hub = r["proposal"]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["role"] == "hub")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, html) = app.get(&format!("/zones/{zone}/plan")).await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("公共服务布局") && html.contains(&hub),
        "the plan shows the hub"
    );
    // Saving again for the same type replaces, into the same draft.
    let (s, again) = app
        .send_json(
            "POST",
            &format!("/api/v1/zones/{zone}/plan/service-layout"),
            json!({"type": "clinic", "radius_m": 1500, "p": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["plan"]["id"], r["plan"]["id"]);
    let plan = again["plan"]["id"].as_i64().unwrap();
    let layouts = app.store.service_layouts(plan).await.unwrap();
    assert_eq!(layouts.len(), 1);
    assert_eq!(layouts[0].sites.len(), 1);
    // A plan under review is not changed.
    let (_, p) = app.get_json(&format!("/api/v1/zones/{zone}/plan")).await;
    let version = p["versions"][0]["version"].clone();
    app.send_json(
        "PUT",
        &format!("/api/v1/plans/{plan}"),
        json!({"positioning": "a", "spatial_structure": "b", "industry_layout": "c", "land_use": "10", "tasks": "任务", "operation_model": "d", "version": version}),
    )
    .await;
    let (s, _) = app
        .send_json(
            "POST",
            &format!("/api/v1/plans/{plan}/step"),
            json!({"step": "submit", "version": version.as_i64().unwrap() + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/zones/{zone}/plan/service-layout"),
            body,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("正在审议"));
}
