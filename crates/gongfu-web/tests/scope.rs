//! Scope is enforced below the UI: for every write endpoint, a user whose role or area does
//! not cover the change gets 403 and nothing in the database changes.

mod common;

use axum::http::StatusCode;
use common::{App, demo_app};
use gongfu_core::auth::Role;
use gongfu_core::{TownCode, VillageCode};
use serde_json::{Value, json};

/// Sends a write as `token`, asserts 403 and that the data generation did not move.
async fn refused(app: &App, token: &str, method: &str, uri: &str, body: Value) {
    let before = app.store.generation().await.unwrap();
    let (s, e) = app.send_json_as(token, method, uri, body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}: {e}");
    assert_eq!(e["error"]["code"], "forbidden", "{method} {uri}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("无权"),
        "{e}"
    );
    assert_eq!(
        app.store.generation().await.unwrap(),
        before,
        "{method} {uri} changed data"
    );
}

struct Fixture {
    app: App,
    /// A zone entirely in one town, that town, and a zone in another town.
    own_zone: Value,
    other_zone: Value,
    town: String,
    town_token: String,
    viewer_token: String,
    village_token: String,
    own_village: String,
    other_village: String,
}

async fn fixture() -> Fixture {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let zones = zones["items"].as_array().unwrap().clone();
    let one_town = |z: &Value| z["towns"].as_array().unwrap().len() == 1;
    let own_zone = zones
        .iter()
        .find(|z| one_town(z))
        .expect("a single-town zone")
        .clone();
    let town = own_zone["key_village"].as_str().unwrap()[..9].to_string();
    let other_zone = zones
        .iter()
        .find(|z| {
            !z["villages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v.as_str().unwrap().starts_with(&town))
        })
        .unwrap()
        .clone();
    let town_token = app
        .token_for(
            "towner",
            Role::Town {
                town: TownCode::parse(&town).unwrap(),
            },
        )
        .await;
    let viewer_token = app.token_for("viewer", Role::Viewer).await;
    let own_village = own_zone["key_village"].as_str().unwrap().to_string();
    let other_village = other_zone["key_village"].as_str().unwrap().to_string();
    let village_token = app
        .token_for(
            "villager",
            Role::Village {
                village: VillageCode::parse(&own_village).unwrap(),
            },
        )
        .await;
    Fixture {
        app,
        own_zone,
        other_zone,
        town,
        town_token,
        viewer_token,
        village_token,
        own_village,
        other_village,
    }
}

fn zone_body(z: &Value, name: &str) -> Value {
    json!({"name": name, "key_village": z["key_village"], "villages": z["villages"], "theme": z["theme"], "version": z["version"]})
}

#[tokio::test]
async fn zone_writes_outside_the_users_town_are_refused() {
    let f = fixture().await;
    let other = &f.other_zone;
    let id = other["id"].as_i64().unwrap();
    refused(
        &f.app,
        &f.town_token,
        "PUT",
        &format!("/api/v1/zones/{id}"),
        zone_body(other, "越权修改"),
    )
    .await;
    refused(
        &f.app,
        &f.town_token,
        "POST",
        &format!("/api/v1/zones/{id}/dissolve"),
        json!({"version": other["version"]}),
    )
    .await;
    refused(&f.app, &f.town_token, "POST", "/api/v1/zones", json!({"name": "越权新建", "key_village": other["villages"][0], "villages": other["villages"]})).await;
    // Moving one of another town's villages into the user's own zone is refused too.
    let linked = other["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| **v != other["key_village"])
        .unwrap();
    refused(
        &f.app,
        &f.town_token,
        "POST",
        &format!("/api/v1/villages/{}/move", linked.as_str().unwrap()),
        json!({"zone_id": f.own_zone["id"]}),
    )
    .await;
}

#[tokio::test]
async fn a_town_user_may_change_a_zone_inside_its_town() {
    let f = fixture().await;
    let id = f.own_zone["id"].as_i64().unwrap();
    let (s, z) = f
        .app
        .send_json_as(
            &f.town_token,
            "PUT",
            &format!("/api/v1/zones/{id}"),
            zone_body(&f.own_zone, "本镇改名"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{z}");
    assert_eq!(z["name"], "本镇改名");
    assert!(
        z["villages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v.as_str().unwrap().starts_with(&f.town))
    );
}

#[tokio::test]
async fn viewers_and_village_users_form_no_zones() {
    let f = fixture().await;
    let z = &f.own_zone;
    let id = z["id"].as_i64().unwrap();
    for token in [&f.viewer_token, &f.village_token] {
        refused(
            &f.app,
            token,
            "PUT",
            &format!("/api/v1/zones/{id}"),
            zone_body(z, "查看者改名"),
        )
        .await;
        refused(
            &f.app,
            token,
            "POST",
            &format!("/api/v1/zones/{id}/dissolve"),
            json!({"version": z["version"]}),
        )
        .await;
    }
}

#[tokio::test]
async fn district_decisions_are_the_administrators() {
    let f = fixture().await;
    let id = f.own_zone["id"].as_i64().unwrap();
    for token in [&f.town_token, &f.viewer_token, &f.village_token] {
        refused(
            &f.app,
            token,
            "PUT",
            &format!("/api/v1/zones/{id}/designations/2026"),
            json!({"tier": "provincial", "status": "applied"}),
        )
        .await;
        refused(
            &f.app,
            token,
            "PUT",
            "/api/v1/targets",
            json!({"year": 2026, "metric": "zones_provincial", "value": 9, "version": 1}),
        )
        .await;
        refused(
            &f.app,
            token,
            "PUT",
            "/api/v1/settings",
            json!({"weak_income_below_fen": 1, "version": 0}),
        )
        .await;
        refused(
            &f.app,
            token,
            "POST",
            &format!("/api/v1/villages/{}/status", f.other_village),
            json!({"status": "withdrawn", "from": "2025-01-01", "version": 1}),
        )
        .await;
    }
}

#[tokio::test]
async fn village_facts_change_only_within_the_users_village_or_town() {
    let f = fixture().await;
    let (_, other) = f
        .app
        .get_json(&format!("/api/v1/villages/{}", f.other_village))
        .await;
    let body = json!({"tags": ["越权"], "version": other["version"]});
    for token in [&f.village_token, &f.town_token, &f.viewer_token] {
        refused(
            &f.app,
            token,
            "PUT",
            &format!("/api/v1/villages/{}/tags", f.other_village),
            body.clone(),
        )
        .await;
    }
    let (_, own) = f
        .app
        .get_json(&format!("/api/v1/villages/{}", f.own_village))
        .await;
    let (s, v) = f
        .app
        .send_json_as(
            &f.village_token,
            "PUT",
            &format!("/api/v1/villages/{}/tags", f.own_village),
            json!({"tags": ["本村特产"], "version": own["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn imports_outside_the_users_scope_change_nothing() {
    let f = fixture().await;
    // A one-row workbook for another town's village.
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
    ws.write_string(1, 0, &f.other_village).unwrap();
    ws.write_string(1, 1, "").unwrap();
    for (c, v) in [
        (2u16, 2026.0),
        (3, 2000.0),
        (4, 700.0),
        (5, 1_000_000.0),
        (6, 60_000.0),
        (7, 3.0),
    ] {
        ws.write_number(1, c, v).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let before = f.app.store.generation().await.unwrap();
    let req = axum::http::Request::post("/api/v1/import/years?mode=apply")
        .header("authorization", format!("Bearer {}", f.town_token))
        .body(axum::body::Body::from(bytes))
        .unwrap();
    let (s, b) = f.app.send(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&b));
    assert_eq!(f.app.store.generation().await.unwrap(), before);
    let geo = json!({"type": "FeatureCollection", "features": []}).to_string();
    let req = axum::http::Request::post("/api/v1/import/boundaries?mode=apply")
        .header("authorization", format!("Bearer {}", f.town_token))
        .body(axum::body::Body::from(geo))
        .unwrap();
    let (s, _) = f.app.send(req).await;
    // An empty collection is refused as input before scope, or as out of scope: never written.
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::UNPROCESSABLE_ENTITY,
        "{s}"
    );
    assert_eq!(f.app.store.generation().await.unwrap(), before);
}

#[tokio::test]
async fn a_viewer_sees_no_controls_for_changes_it_may_not_make() {
    let f = fixture().await;
    let id = f.own_zone["id"].as_i64().unwrap();
    let viewer = page_as(&f.app, format!("/zones/{id}"), &f.viewer_token).await;
    assert!(!viewer.contains("编辑片区 / 调整成员"));
    assert!(!viewer.contains("保存等级"));
    let town = page_as(&f.app, format!("/zones/{id}"), &f.town_token).await;
    assert!(
        town.contains("编辑片区 / 调整成员"),
        "the town user may edit its own zone"
    );
    assert!(!town.contains("保存等级"), "tiers are the district's");
    let targets = page_as(&f.app, "/targets".into(), &f.viewer_token).await;
    assert!(!targets.contains("保存目标"));
}

async fn page_as(app: &App, uri: String, token: &str) -> String {
    let req = axum::http::Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    String::from_utf8_lossy(&app.send(req).await.1).into_owned()
}
