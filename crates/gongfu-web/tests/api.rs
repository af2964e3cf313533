//! The JSON API through the whole router against a real SQLite file seeded with the demo.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use serde_json::json;

#[tokio::test]
async fn health_answers_ok() {
    let app = demo_app().await;
    let (s, b) = app.get("/healthz").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b, b"ok");
}

#[tokio::test]
async fn coverage_has_the_fixed_shape_and_counts_villages_only() {
    let app = demo_app().await;
    let (s, c) = app.get_json("/api/v1/coverage").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        c["total"], 213,
        "214 villages less the demo merger, communities excluded"
    );
    let covered = c["covered"].as_u64().unwrap();
    let uncovered = c["uncovered"].as_array().unwrap();
    assert_eq!(covered as usize + uncovered.len(), 213);
    assert!(
        covered >= 16,
        "the 8 pilot consortia cover at least 16 villages"
    );
    let u = &uncovered[0];
    for key in ["code", "name", "town"] {
        assert!(u[key].is_string(), "uncovered entries carry {key}");
    }
}

#[tokio::test]
async fn creating_a_zone_covers_its_villages_and_it_can_be_read_back() {
    let app = demo_app().await;
    let before = app.uncovered().await;
    let town = &before[0].1;
    let picks: Vec<String> = before
        .iter()
        .filter(|(_, t)| t == town)
        .take(3)
        .map(|(c, _)| c.clone())
        .collect();
    assert!(picks.len() >= 2);
    let (s, z) = app
        .send_json(
            "POST",
            "/api/v1/zones",
            json!({"name": "测试·新建共富片区", "key_village": picks[0], "villages": picks}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{z}");
    assert_eq!(z["key_village"], picks[0].as_str());
    assert_eq!(z["villages"].as_array().unwrap().len(), picks.len());
    let after = app.uncovered().await;
    assert_eq!(after.len(), before.len() - picks.len());
    let (s, again) = app.get_json(&format!("/api/v1/zones/{}", z["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["name"], "测试·新建共富片区");
    let (_, v) = app
        .get_json(&format!("/api/v1/villages/{}", picks[1]))
        .await;
    assert_eq!(v["village"]["zone_id"], z["id"]);
    assert_eq!(v["village"]["role"], "linked");
}

#[tokio::test]
async fn a_village_already_in_a_zone_is_refused_in_chinese_and_nothing_changes() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let taken = zones["items"][0]["villages"][1]
        .as_str()
        .unwrap()
        .to_string();
    let zone_name = zones["items"][0]["name"].as_str().unwrap().to_string();
    let free = app.uncovered().await[0].0.clone();
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/zones",
            json!({"name": "冲突片区", "key_village": free, "villages": [free, taken]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "invalid_input");
    let detail = &e["error"]["details"][0];
    assert_eq!(detail["code"], "already_in_zone");
    assert!(
        detail["message"].as_str().unwrap().contains(&zone_name),
        "{detail}"
    );
    let (_, after) = app.get_json("/api/v1/zones").await;
    assert_eq!(after["total"], zones["total"]);
}

#[tokio::test]
async fn a_zone_of_one_village_or_with_a_bad_code_is_refused_with_every_reason() {
    let app = demo_app().await;
    let free = app.uncovered().await[0].0.clone();
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/zones",
            json!({"name": "", "key_village": free, "villages": [free, "12345"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"name"), "{fields:?}");
    assert!(fields.contains(&"villages[1]"), "{fields:?}");
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/zones",
            json!({"name": "单村片区", "key_village": free, "villages": [free]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["code"], "too_few_members");
}

#[tokio::test]
async fn malformed_json_gets_a_json_error() {
    let app = demo_app().await;
    let (s, e) = app
        .send_json("POST", "/api/v1/zones", json!({"name": "缺字段"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["code"], "bad_json");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_does_not_overwrite() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z = &zones["items"][0];
    let id = z["id"].as_i64().unwrap();
    let version = z["version"].as_i64().unwrap();
    let body = |name: &str, v: i64| json!({"name": name, "key_village": z["key_village"], "villages": z["villages"], "theme": z["theme"], "version": v});
    let (s, first) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{id}"),
            body("甲改的名字", version),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{id}"),
            body("乙改的名字", version),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "version_conflict");
    let (_, now) = app.get_json(&format!("/api/v1/zones/{id}")).await;
    assert_eq!(now["name"], "甲改的名字");
}

#[tokio::test]
async fn dissolving_a_zone_frees_its_villages_from_the_effective_day() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z = &zones["items"][0];
    let n = z["villages"].as_array().unwrap().len();
    let before = app.uncovered().await.len();
    let (s, d) = app
        .send_json(
            "POST",
            &format!("/api/v1/zones/{}/dissolve", z["id"]),
            json!({"version": z["version"], "effective": "2025-06-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(app.uncovered().await.len(), before + n);
    let (_, history) = app.get_json(&format!("/api/v1/zones/{}", z["id"])).await;
    assert!(
        history["membership_history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["to"] == "2025-06-30")
    );
}

#[tokio::test]
async fn moving_a_linked_village_keeps_both_zones_valid() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let items = zones["items"].as_array().unwrap();
    let big = items
        .iter()
        .find(|z| z["villages"].as_array().unwrap().len() >= 3)
        .expect("a zone of 3+");
    let other = items.iter().find(|z| z["id"] != big["id"]).unwrap();
    let linked = big["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| **v != big["key_village"])
        .unwrap()
        .clone();
    let (s, v) = app
        .send_json(
            "POST",
            &format!("/api/v1/villages/{}/move", linked.as_str().unwrap()),
            json!({"zone_id": other["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["village"]["zone_id"], other["id"]);
    // The key village cannot be moved away.
    let (s, e) = app
        .send_json(
            "POST",
            &format!(
                "/api/v1/villages/{}/move",
                big["key_village"].as_str().unwrap()
            ),
            json!({"zone_id": null}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["code"], "key_village_moved");
}

#[tokio::test]
async fn villages_filter_sort_and_paginate() {
    let app = demo_app().await;
    let (s, all) = app.get_json("/api/v1/villages?per_page=500").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(all["total"], 214, "the list keeps the merged village");
    let (_, weak) = app.get_json("/api/v1/villages?weak=1&per_page=500").await;
    assert!(
        weak["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["weak"] == true)
    );
    assert!(weak["total"].as_u64().unwrap() > 0);
    let (_, page2) = app
        .get_json("/api/v1/villages?per_page=20&page=2&sort=-income")
        .await;
    let incomes: Vec<i64> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["operating_income_fen"].as_i64().unwrap())
        .collect();
    assert_eq!(incomes.len(), 20);
    assert!(incomes.windows(2).all(|w| w[0] >= w[1]));
    let (_, none) = app
        .get_json("/api/v1/villages?zone=none&per_page=500")
        .await;
    assert!(
        none["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["zone_id"].is_null())
    );
    let (_, communities) = app
        .get_json("/api/v1/villages?kind=community&per_page=500")
        .await;
    assert_eq!(communities["total"], 127);
}

#[tokio::test]
async fn an_unknown_or_malformed_village_code_is_a_clear_error() {
    let app = demo_app().await;
    let (s, e) = app.get_json("/api/v1/villages/330603999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不在名录中")
    );
    let (s, e) = app.get_json("/api/v1/villages/abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["code"], "invalid_code");
}

#[tokio::test]
async fn the_map_has_one_feature_per_division_with_an_id() {
    let app = demo_app().await;
    let (s, g) = app.get_json("/api/v1/map/villages.geojson").await;
    assert_eq!(s, StatusCode::OK);
    let features = g["features"].as_array().unwrap();
    assert_eq!(features.len(), 341);
    assert!(
        features
            .iter()
            .all(|f| f["id"].is_string() && f["geometry"]["type"] == "Polygon")
    );
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let (_, one) = app
        .get_json(&format!(
            "/api/v1/map/villages.geojson?zone={}",
            zones["items"][0]["id"]
        ))
        .await;
    assert_eq!(
        one["features"].as_array().unwrap().len(),
        zones["items"][0]["villages"].as_array().unwrap().len()
    );
}

#[tokio::test]
async fn targets_report_progress_and_can_be_set() {
    let app = demo_app().await;
    let (s, t) = app.get_json("/api/v1/targets").await;
    assert_eq!(s, StatusCode::OK);
    let prov = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metric"] == "zones_provincial" && i["year"] == 2025)
        .unwrap();
    assert_eq!(prov["value"], 2);
    assert!(prov["actual"].is_number());
    let (s, _) = app
        .send_json(
            "PUT",
            "/api/v1/targets",
            json!({"year": 2026, "metric": "zones_municipal", "value": 3, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // The same "new" target again is a stale copy now: 409 with the current version.
    let (s, e) = app
        .send_json(
            "PUT",
            "/api/v1/targets",
            json!({"year": 2026, "metric": "zones_municipal", "value": 4, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已被他人修改")
    );
    let (_, t) = app.get_json("/api/v1/targets").await;
    let mine = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["metric"] == "zones_municipal" && i["year"] == 2026)
        .unwrap();
    assert_eq!(
        (mine["value"].as_i64(), mine["version"].as_i64()),
        (Some(3), Some(1))
    );
    let (s, e) = app
        .send_json(
            "PUT",
            "/api/v1/targets",
            json!({"year": 2026, "metric": "nonsense", "value": 3, "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message"].as_str().unwrap().contains("目标指标"));
}

#[tokio::test]
async fn raising_the_weak_threshold_flags_more_villages() {
    let app = demo_app().await;
    let (_, d0) = app.get_json("/api/v1/dashboard").await;
    let (_, settings) = app.get_json("/api/v1/settings").await;
    let version = settings["version"].as_i64().unwrap();
    let (s, after) = app
        .send_json(
            "PUT",
            "/api/v1/settings",
            json!({"weak_income_below_fen": 300_000_000i64, "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(after["version"].as_i64(), Some(version + 1));
    let (s, _) = app
        .send_json(
            "PUT",
            "/api/v1/settings",
            json!({"weak_income_below_fen": 1, "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, d1) = app.get_json("/api/v1/dashboard").await;
    assert!(d1["weak_villages"].as_u64() > d0["weak_villages"].as_u64());
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = demo_app().await;
    let (s, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    for (method, path, _, _) in gongfu_web::openapi::OPERATIONS {
        assert!(doc["paths"][*path][*method].is_object(), "{method} {path}");
    }
    for p in [
        "/api/v1/villages",
        "/api/v1/villages/{code}",
        "/api/v1/zones",
        "/api/v1/coverage",
        "/api/v1/targets",
        "/api/v1/map/villages.geojson",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

#[tokio::test]
async fn tags_are_edited_with_the_version_read_and_a_stale_edit_is_refused() {
    let app = demo_app().await;
    let (_, v) = app.get_json("/api/v1/villages/330603105209").await;
    let version = v["version"].as_i64().expect("version");
    let (s, after) = app
        .send_json(
            "PUT",
            "/api/v1/villages/330603105209/tags",
            json!({"tags": ["茶叶", "旅游"], "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["village"]["tags"], json!(["茶叶", "旅游"]));
    let (s, e) = app
        .send_json(
            "PUT",
            "/api/v1/villages/330603105209/tags",
            json!({"tags": ["竹笋"], "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "version_conflict");
}

#[tokio::test]
async fn the_village_export_follows_the_list_filters() {
    let app = demo_app().await;
    let (s, bytes) = app.get("/api/v1/export/villages.xlsx?zone=none").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
    let (_, none) = app
        .get_json("/api/v1/villages?zone=none&per_page=500")
        .await;
    let (_, all) = app.get("/api/v1/export/villages.xlsx?kind=all").await;
    // More rows, more bytes: the filtered file is the smaller one.
    assert!(none["total"].as_u64().unwrap() < 341);
    assert!(bytes.len() < all.len());
}

#[tokio::test]
async fn zones_filter_by_tier_town_and_text() {
    let app = demo_app().await;
    let (_, all) = app.get_json("/api/v1/zones").await;
    let (_, prov) = app.get_json("/api/v1/zones?tier=provincial").await;
    assert!(prov["total"].as_u64().unwrap() >= 1);
    assert!(prov["total"].as_u64() < all["total"].as_u64());
    assert!(
        prov["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["tier"] == "provincial")
    );
    let name = all["items"][0]["key_village_name"].as_str().unwrap();
    let (_, by_village) = app
        .get_json(&format!("/api/v1/zones?q={}", urlencode(name)))
        .await;
    assert!(
        by_village["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z["id"] == all["items"][0]["id"])
    );
    let (_, sorted) = app.get_json("/api/v1/zones?sort=-income").await;
    let incomes: Vec<i64> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["operating_income_fen"].as_i64().unwrap())
        .collect();
    assert!(incomes.windows(2).all(|w| w[0] >= w[1]));
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_map_is_served_pre_gzipped_to_clients_that_accept_it() {
    use std::io::Read;
    let app = demo_app().await;
    let req = axum::http::Request::get("/api/v1/map/villages.geojson")
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let (s, gz) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut plain)
        .unwrap();
    let (_, direct) = app.get("/api/v1/map/villages.geojson").await;
    assert_eq!(plain.as_bytes(), &direct[..]);
    assert!(
        gz.len() * 3 < direct.len(),
        "compressed: {} of {}",
        gz.len(),
        direct.len()
    );
}
