//! Shared facilities through the whole router against a real database: the registry (list,
//! filters, create, update, versions, status rules), scope, the infrastructure checklist,
//! service coverage checked against a brute-force count, and the workbook in and out.

mod common;

use axum::http::StatusCode;
use common::{App, demo_app};
use gongfu_core::auth::Role;
use gongfu_core::village::DivisionKind;
use gongfu_core::{TownCode, VillageCode};
use serde_json::{Value, json};
use std::collections::HashSet;
use time::macros::date;

const DAY: time::Date = date!(2025 - 06 - 30);

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

async fn list(app: &App, query: &str) -> Vec<Value> {
    let (s, v) = app.get_json(&format!("/api/v1/facilities{query}")).await;
    assert_eq!(s, StatusCode::OK, "{query}: {v}");
    let items = v["items"].as_array().unwrap().clone();
    assert_eq!(v["total"].as_u64().unwrap() as usize, items.len());
    items
}

/// A village of the demo (not a community) in no zone, and one in a zone.
async fn some_villages(app: &App) -> (String, String) {
    let snap = app.store.snapshot().await.unwrap();
    let free = snap.coverage(DAY).uncovered[0].code.to_string();
    let member = snap.members(snap.zones[0].id, DAY)[0].village.to_string();
    (free, member)
}

fn new_facility(village: &str, name: &str) -> Value {
    json!({
        "type": "elderly_care", "name": name, "village_code": village,
        "capacity": 24, "status": "building", "opening_year": 2026,
        "upkeep_unit": "测试村股份经济合作社", "note": "测试",
    })
}

#[tokio::test]
async fn the_demo_facilities_list_and_filter_with_chinese_labels() {
    let app = demo_app().await;
    let all = list(&app, "").await;
    assert!(all.len() > 200, "{}", all.len());
    for f in &all {
        assert!(has_chinese(f["type_label"].as_str().unwrap()));
        assert!(has_chinese(f["status_label"].as_str().unwrap()));
        assert!(!f["upkeep_unit"].as_str().unwrap().is_empty());
        assert!(f["lon"].is_number() && f["lat"].is_number(), "{f}");
    }
    let clinics = list(&app, "?type=clinic").await;
    assert!(!clinics.is_empty() && clinics.iter().all(|f| f["type"] == "clinic"));
    assert_eq!(clinics[0]["type_label"], "医共体/卫生服务站点");
    let halls = list(&app, "?type=%E6%96%87%E5%8C%96%E7%A4%BC%E5%A0%82").await; // 文化礼堂
    assert!(!halls.is_empty() && halls.iter().all(|f| f["type"] == "culture"));
    let open = list(&app, "?status=open").await;
    assert!(
        open.iter()
            .all(|f| f["status"] == "open" && f["status_label"] == "运行")
    );
    let planned = list(&app, "?status=planned").await;
    assert!(!planned.is_empty() && open.len() + planned.len() < all.len());
    let town = all[0]["town_code"].as_str().unwrap().to_string();
    let in_town = list(&app, &format!("?town={town}&type=clinic")).await;
    assert!(!in_town.is_empty());
    assert!(
        in_town
            .iter()
            .all(|f| f["town_code"] == town.as_str() && f["type"] == "clinic")
    );
    // By zone: exactly the facilities of the zone's member villages.
    let snap = app.store.snapshot().await.unwrap();
    let zone = &snap.zones[0];
    let members: HashSet<String> = snap
        .members(zone.id, DAY)
        .iter()
        .map(|m| m.village.to_string())
        .collect();
    let in_zone = list(&app, &format!("?zone={}", zone.id)).await;
    let expected = all
        .iter()
        .filter(|f| members.contains(f["village_code"].as_str().unwrap()))
        .count();
    assert_eq!(in_zone.len(), expected);
    assert!(in_zone.iter().all(|f| f["zone"]["id"] == zone.id.0));
    // Bad filters are refused in Chinese; an unknown zone is 404.
    let (s, e) = app
        .get_json("/api/v1/facilities?type=playground&status=x")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"].as_array().unwrap().len(), 2);
    assert!(has_chinese(e["error"]["message"].as_str().unwrap()));
    let (s, _) = app.get_json("/api/v1/facilities?zone=99999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let id = all[0]["id"].as_i64().unwrap();
    let (s, one) = app.get_json(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one, all[0]);
    assert_eq!(
        app.get_json("/api/v1/facilities/999999").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_facility_is_created_updated_with_its_version_and_a_stale_save_is_409() {
    let app = demo_app().await;
    let (village, _) = some_villages(&app).await;
    let before = list(&app, "").await.len();
    let (s, f) = app
        .send_json(
            "POST",
            "/api/v1/facilities",
            new_facility(&village, "测试照料中心"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    assert_eq!(f["type_label"], "养老服务");
    assert_eq!(f["demand"], "elderly");
    assert_eq!(f["status_label"], "在建");
    assert_eq!(f["capacity_unit"], "床位");
    assert_eq!(f["location"], "village");
    assert_eq!(f["version"], 1);
    let vp = app.store.snapshot().await.unwrap();
    let d = vp.division(&VillageCode::parse(&village).unwrap()).unwrap();
    assert_eq!(f["lon"].as_f64(), d.lon);
    assert_eq!(list(&app, "").await.len(), before + 1);
    // The same facility twice is refused.
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/facilities",
            new_facility(&village, "测试照料中心"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("已有同名"));
    // Every bad field at once.
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/facilities",
            json!({"type": "游乐场", "name": "", "village_code": "1", "upkeep_unit": "", "lon": 120.5}),
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
        ["type", "name", "village_code", "lat", "upkeep_unit"]
    );

    let id = f["id"].as_i64().unwrap();
    let (lon, lat) = (d.lon.unwrap() + 0.003, d.lat.unwrap() + 0.002);
    let mut edit = new_facility(&village, "测试照料中心（改）");
    edit["version"] = json!(1);
    edit["lon"] = json!(lon);
    edit["lat"] = json!(lat);
    let (s, g) = app
        .send_json("PUT", &format!("/api/v1/facilities/{id}"), edit.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["version"], 2);
    assert_eq!(g["location"], "own");
    assert_eq!(g["lon"].as_f64(), Some(lon));
    // Saved again over version 1: 409, nothing overwritten.
    edit["name"] = json!("别人的名字");
    let (s, e) = app
        .send_json("PUT", &format!("/api/v1/facilities/{id}"), edit.clone())
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "version_conflict");
    let (_, now) = app.get_json(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(now["name"], "测试照料中心（改）");
    assert_eq!(now["version"], 2);
    // Coordinates far away from the village are refused.
    edit["version"] = json!(2);
    edit["lon"] = json!(lat);
    edit["lat"] = json!(lon.min(89.0));
    let (s, e) = app
        .send_json("PUT", &format!("/api/v1/facilities/{id}"), edit)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

#[tokio::test]
async fn status_moves_follow_the_rules_and_a_refusal_says_why_in_chinese() {
    let app = demo_app().await;
    let open = list(&app, "?status=open").await;
    let f = &open[0];
    let id = f["id"].as_i64().unwrap();
    let version = f["version"].as_i64().unwrap();
    let generation = app.store.generation().await.unwrap();
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/facilities/{id}/status"),
            json!({"status": "planned", "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["details"][0]["code"], "invalid_transition");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("不能从「运行」改为「规划」"), "{message}");
    assert_eq!(app.store.generation().await.unwrap(), generation);
    // The same refusal through a full edit.
    let mut body = f.clone();
    body["status"] = json!("building");
    body["version"] = json!(version);
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/facilities/{id}"), body)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // 运行 → 停用 → 运行 is allowed.
    let (s, g) = app
        .send_json(
            "POST",
            &format!("/api/v1/facilities/{id}/status"),
            json!({"status": "停用", "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["status_label"], "停用");
    let (s, _) = app
        .send_json(
            "POST",
            &format!("/api/v1/facilities/{id}/status"),
            json!({"status": "open", "version": version + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // A stale status change is a conflict.
    let (s, _) = app
        .send_json(
            "POST",
            &format!("/api/v1/facilities/{id}/status"),
            json!({"status": "closed", "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

/// Sends a write as `token`, asserts 403 in Chinese and that nothing changed.
async fn refused(app: &App, token: &str, method: &str, uri: &str, body: Value) {
    let before = app.store.generation().await.unwrap();
    let (s, e) = app.send_json_as(token, method, uri, body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}: {e}");
    assert_eq!(e["error"]["code"], "forbidden");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("无权"),
        "{e}"
    );
    assert_eq!(
        app.store.generation().await.unwrap(),
        before,
        "{method} {uri}"
    );
}

#[tokio::test]
async fn viewers_and_other_towns_are_refused_and_nothing_changes() {
    let app = demo_app().await;
    let all = list(&app, "").await;
    let snap = app.store.snapshot().await.unwrap();
    // A facility in a village (not a community), so its town has villages.
    let f = all
        .iter()
        .find(|f| {
            let code = VillageCode::parse(f["village_code"].as_str().unwrap()).unwrap();
            snap.division(&code).unwrap().division.kind == DivisionKind::Village
        })
        .unwrap()
        .clone();
    let id = f["id"].as_i64().unwrap();
    let village = f["village_code"].as_str().unwrap().to_string();
    let town = f["town_code"].as_str().unwrap().to_string();
    let other = all
        .iter()
        .find(|x| x["town_code"] != town.as_str())
        .unwrap()["town_code"]
        .as_str()
        .unwrap()
        .to_string();
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let stranger = app
        .token_for(
            "stranger",
            Role::Town {
                town: TownCode::parse(&other).unwrap(),
            },
        )
        .await;
    let mut edit = f.clone();
    edit["name"] = json!("越权修改");
    for token in [&viewer, &stranger] {
        refused(
            &app,
            token,
            "POST",
            "/api/v1/facilities",
            new_facility(&village, "越权新建"),
        )
        .await;
        refused(
            &app,
            token,
            "PUT",
            &format!("/api/v1/facilities/{id}"),
            edit.clone(),
        )
        .await;
        refused(
            &app,
            token,
            "POST",
            &format!("/api/v1/facilities/{id}/status"),
            json!({"status": "closed", "version": f["version"]}),
        )
        .await;
        refused(
            &app,
            token,
            "PUT",
            &format!("/api/v1/villages/{village}/infra/gas"),
            json!({"status": "compliant", "version": 1}),
        )
        .await;
    }
    let (_, same) = app.get_json(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(same, f);
    // The town of the facility may edit it; a village user only its own village's infra.
    let towner = app
        .token_for(
            "towner",
            Role::Town {
                town: TownCode::parse(&town).unwrap(),
            },
        )
        .await;
    let (s, g) = app
        .send_json_as(&towner, "PUT", &format!("/api/v1/facilities/{id}"), edit)
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let own = snap
        .divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Village && d.division.town.as_str() == town)
        .unwrap()
        .division
        .code
        .to_string();
    let villager = app
        .token_for(
            "villager",
            Role::Village {
                village: VillageCode::parse(&own).unwrap(),
            },
        )
        .await;
    let (_, infra) = app.get_json(&format!("/api/v1/villages/{own}/infra")).await;
    let gas = infra["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "gas")
        .unwrap()
        .clone();
    let (s, v) = app
        .send_json_as(
            &villager,
            "PUT",
            &format!("/api/v1/villages/{own}/infra/燃气"),
            json!({"status": "未达标", "gap": "管道燃气未通", "version": gas["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let elsewhere = snap
        .divisions
        .iter()
        .find(|d| d.division.kind == DivisionKind::Village && d.division.code.as_str() != own)
        .unwrap()
        .division
        .code
        .to_string();
    refused(
        &app,
        &villager,
        "PUT",
        &format!("/api/v1/villages/{elsewhere}/infra/gas"),
        json!({"status": "compliant", "version": 1}),
    )
    .await;
    refused(
        &app,
        &villager,
        "POST",
        "/api/v1/facilities",
        new_facility(&own, "村里自建"),
    )
    .await;
}

#[tokio::test]
async fn the_zone_checklist_lists_every_village_per_item_with_its_gaps() {
    let app = demo_app().await;
    let snap = app.store.snapshot().await.unwrap();
    let zone = &snap.zones[0];
    let members: Vec<String> = snap
        .members(zone.id, DAY)
        .iter()
        .map(|m| m.village.to_string())
        .collect();
    let target = members[1].clone();
    let (_, infra) = app
        .get_json(&format!("/api/v1/villages/{target}/infra"))
        .await;
    assert_eq!(infra["items"].as_array().unwrap().len(), 5);
    let transport = infra["items"][0].clone();
    assert_eq!(transport["item"], "public_transport");
    assert_eq!(transport["label"], "公交");
    // A shortfall without a gap note is refused; with one it is saved and listed.
    let uri = format!("/api/v1/villages/{target}/infra/public_transport");
    let (s, e) = app
        .send_json(
            "PUT",
            &uri,
            json!({"status": "non_compliant", "version": transport["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["field"], "gap");
    let (s, after) = app
        .send_json(
            "PUT",
            &uri,
            json!({"status": "non_compliant", "gap": "最近公交站 3 公里", "version": transport["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["items"][0]["status_label"], "未达标");
    let (s, stale) = app
        .send_json(
            "PUT",
            &uri,
            json!({"status": "compliant", "version": transport["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");

    let (s, list) = app
        .get_json(&format!("/api/v1/zones/{}/infra", zone.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["villages"].as_array().unwrap().len(), members.len());
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    for item in items {
        let counts = &item["counts"];
        let sum: u64 = ["compliant", "non_compliant", "not_applicable", "unknown"]
            .iter()
            .map(|k| counts[*k].as_u64().unwrap())
            .sum();
        assert_eq!(sum as usize, members.len(), "{item}");
        assert!(has_chinese(item["label"].as_str().unwrap()));
    }
    let transport = &items[0];
    assert_eq!(transport["meets_standard"], false);
    assert!(
        transport["non_compliant"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == target.as_str() && v["gap"] == "最近公交站 3 公里")
    );
    assert!(list["summary"]["text"].as_str().unwrap().contains("项"));
    assert_eq!(
        app.get_json("/api/v1/zones/99999/infra").await.0,
        StatusCode::NOT_FOUND
    );
}

/// Great-circle distance, written out again here so the test does not trust the code under
/// test.
fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// (covered, total) people by brute force: every counted village against every open
/// facility of the type, weights from the newest year's population and the demand share.
async fn brute_force(
    app: &App,
    kind: &str,
    radius: f64,
    share_bp: i64,
    zone: Option<gongfu_core::ZoneId>,
) -> (i64, i64, Vec<String>) {
    let snap = app.store.snapshot().await.unwrap();
    let year = snap.latest_year().unwrap();
    let sites: Vec<(f64, f64)> = snap
        .facilities
        .iter()
        .filter(|f| f.kind.key() == kind && f.status.key() == "open")
        .map(|f| {
            let d = snap.division(&f.village).unwrap();
            (f.lon.or(d.lon).unwrap(), f.lat.or(d.lat).unwrap())
        })
        .collect();
    let members: Option<HashSet<&VillageCode>> = zone.map(|z| {
        snap.members(z, DAY)
            .into_iter()
            .map(|m| &m.village)
            .collect()
    });
    let (mut covered, mut total, mut out) = (0, 0, Vec::new());
    for d in &snap.divisions {
        if !d.division.counts_for_coverage_on(DAY) {
            continue;
        }
        if members
            .as_ref()
            .is_some_and(|m| !m.contains(&d.division.code))
        {
            continue;
        }
        let p = (d.lon.unwrap(), d.lat.unwrap());
        let pop = snap.figures(&d.division.code, year).unwrap().population;
        let w = (pop * share_bp + 5_000) / 10_000;
        total += w;
        if sites.iter().any(|s| distance_m(p, *s) <= radius) {
            covered += w;
        } else {
            out.push(d.division.code.to_string());
        }
    }
    out.sort();
    (covered, total, out)
}

fn codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

#[tokio::test]
async fn service_coverage_matches_a_brute_force_count_district_wide_and_per_zone() {
    let app = demo_app().await;
    let (s, c) = app
        .get_json("/api/v1/coverage/services?type=clinic&radius_m=2500")
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (covered, total, uncovered) = brute_force(&app, "clinic", 2_500.0, 10_000, None).await;
    assert_eq!(c["district"]["covered"], covered);
    assert_eq!(c["district"]["total"], total);
    assert_eq!(c["district"]["share_bp"], covered * 10_000 / total);
    assert_eq!(codes(&c["uncovered"]), uncovered);
    assert!(covered > 0 && covered < total, "{covered} of {total}");
    let method = c["method"].as_str().unwrap();
    assert!(
        method.contains("直线距离") && method.contains("2500 米"),
        "{method}"
    );
    // Uncovered villages are farthest first, each with its distance to the nearest clinic.
    let d: Vec<f64> = c["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["nearest_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] >= w[1]));
    assert!(d.iter().all(|x| *x > 2_500.0));
    // Per zone.
    let snap = app.store.snapshot().await.unwrap();
    let zones = c["zones"].as_array().unwrap();
    assert_eq!(zones.len(), snap.zones.len());
    for z in zones {
        let id = gongfu_core::ZoneId(z["zone_id"].as_i64().unwrap());
        let (zc, zt, _) = brute_force(&app, "clinic", 2_500.0, 10_000, Some(id)).await;
        assert_eq!(
            (z["covered"].as_i64().unwrap(), z["total"].as_i64().unwrap()),
            (zc, zt)
        );
    }
    // One zone only.
    let id = snap.zones[1].id;
    let (s, one) = app
        .get_json(&format!(
            "/api/v1/coverage/services?type=clinic&radius_m=2500&zone={id}"
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["zones"].as_array().unwrap().len(), 1);
    let (_, _, zone_uncovered) = brute_force(&app, "clinic", 2_500.0, 10_000, Some(id)).await;
    assert_eq!(codes(&one["uncovered"]), zone_uncovered);
}

#[tokio::test]
async fn minutes_at_a_speed_with_a_detour_and_elderly_demand_are_stated_and_counted() {
    let app = demo_app().await;
    // 15 minutes at 12 km/h over roads 1.3 times the straight line: 2307.7 m.
    let (s, c) = app
        .get_json("/api/v1/coverage/services?type=elderly_care&minutes=15&speed_kmh=12")
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let radius = 15.0 / 60.0 * 12.0 * 1000.0 / 1.3;
    assert!((c["reach"]["radius_m"].as_f64().unwrap() - radius).abs() < 1e-9);
    assert_eq!(c["reach"]["detour"], 1.3);
    let method = c["method"].as_str().unwrap();
    assert!(
        method.contains("15 分钟") && method.contains("绕行系数 1.3"),
        "{method}"
    );
    assert!(method.contains("22%"), "{method}");
    assert_eq!(c["demand"], "elderly");
    let (covered, total, _) = brute_force(&app, "elderly_care", radius, 2_200, None).await;
    assert_eq!(c["district"]["covered"], covered);
    assert_eq!(c["district"]["total"], total);
    // Counting planned and building sites never lowers coverage.
    let (_, planned) = app
        .get_json(
            "/api/v1/coverage/services?type=elderly_care&minutes=15&speed_kmh=12&include_planned=1",
        )
        .await;
    assert!(planned["district"]["covered"].as_i64() >= c["district"]["covered"].as_i64());
    assert!(planned["method"].as_str().unwrap().contains("在建"));
    // Bad or missing parameters are refused in Chinese.
    for q in [
        "type=clinic",
        "radius_m=1000",
        "type=clinic&radius_m=-5",
        "type=clinic&radius_m=1000&minutes=10",
        "type=clinic&minutes=10",
        "type=clinic&minutes=10&speed_kmh=5&detour=0.5",
        "type=spa&radius_m=1000",
    ] {
        let (s, e) = app
            .get_json(&format!("/api/v1/coverage/services?{q}"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {e}");
        assert!(has_chinese(e["error"]["message"].as_str().unwrap()), "{q}");
    }
}

/// Writes a facilities workbook: the header, then rows of (header, value) cells.
fn workbook(rows: &[Vec<(&str, Value)>]) -> Vec<u8> {
    use gongfu_io::facilities_xlsx::{FACILITIES_SHEET, FACILITY_HEADERS};
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(FACILITIES_SHEET).unwrap();
    for (c, h) in FACILITY_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (h, v) in row {
            let c = FACILITY_HEADERS.iter().position(|x| x == h).unwrap() as u16;
            let r = r as u32 + 1;
            match v {
                Value::Number(n) => {
                    ws.write_number(r, c, n.as_f64().unwrap()).unwrap();
                }
                Value::String(s) => {
                    ws.write_string(r, c, s.as_str()).unwrap();
                }
                _ => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn row<'a>(village: &str, name: &str) -> Vec<(&'a str, Value)> {
    vec![
        ("类型", json!("文化礼堂")),
        ("名称", json!(name)),
        ("村代码", json!(village)),
        ("状态", json!("运行")),
        ("开办年份", json!(2024)),
        ("管护责任单位", json!("测试村股份经济合作社")),
    ]
}

#[tokio::test]
async fn the_export_opens_and_an_import_lists_every_bad_row_and_applies_all_or_nothing() {
    let app = demo_app().await;
    let all = list(&app, "").await;
    let (s, bytes) = app.get("/api/v1/export/facilities.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK");
    // The export opens again and reads back as every facility, unchanged.
    let snap = app.store.snapshot().await.unwrap();
    let back = gongfu_io::parse_facilities_xlsx(&bytes, &snap).unwrap();
    assert_eq!(back.len(), all.len());
    let (s, clinics) = app.get("/api/v1/export/facilities.xlsx?type=clinic").await;
    assert_eq!(s, StatusCode::OK);
    let n = gongfu_io::parse_facilities_xlsx(&clinics, &snap)
        .unwrap()
        .len();
    assert_eq!(n, list(&app, "?type=clinic").await.len());
    let (s, template) = app.get("/api/v1/import/facilities/template.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&template[..2], b"PK");

    let (village, member) = some_villages(&app).await;
    let good1 = row(&village, "导入礼堂甲");
    let good2 = row(&member, "导入礼堂乙");
    let mut bad1 = row(&village, "导入礼堂丙");
    bad1[0] = ("类型", json!("游乐场"));
    bad1.push(("容量", json!(-5)));
    let mut bad2 = row("330603999999", "导入礼堂丁");
    bad2[3] = ("状态", json!("拆除"));
    let file = workbook(&[good1.clone(), bad1, good2.clone(), bad2]);
    let generation = app.store.generation().await.unwrap();
    for mode in ["dry_run", "apply"] {
        let (s, r) = app
            .post_bytes(
                &format!("/api/v1/import/facilities?mode={mode}"),
                file.clone(),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
        assert_eq!(r["ok"], false);
        assert_eq!(r["applied"], false);
        let errors = r["errors"].as_array().unwrap();
        let at = |row: u64, col: &str| {
            errors.iter().any(|e| {
                e["row"] == row && e["column"] == col && has_chinese(e["reason"].as_str().unwrap())
            })
        };
        assert!(at(3, "类型") && at(3, "容量"), "{r}");
        assert!(at(5, "村代码") && at(5, "状态"), "{r}");
        assert_eq!(errors.len(), 4, "{r}");
    }
    assert_eq!(app.store.generation().await.unwrap(), generation);
    assert_eq!(list(&app, "").await.len(), all.len());

    // The good rows, plus a change to an existing facility at its version.
    let f = &all[3];
    let change = vec![
        ("编号", json!(f["id"])),
        ("版本", json!(f["version"])),
        ("类型", json!(f["type_label"])),
        (
            "名称",
            json!(format!("{}（改名）", f["name"].as_str().unwrap())),
        ),
        ("村代码", json!(f["village_code"])),
        ("状态", json!(f["status_label"])),
        ("管护责任单位", json!(f["upkeep_unit"])),
    ];
    let file = workbook(&[good1, good2, change]);
    let (s, r) = app
        .post_bytes("/api/v1/import/facilities", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["ok"].as_bool(), r["applied"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(app.store.generation().await.unwrap(), generation);
    let (s, r) = app
        .post_bytes("/api/v1/import/facilities?mode=apply", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    assert_eq!(list(&app, "").await.len(), all.len() + 2);
    let (_, changed) = app
        .get_json(&format!("/api/v1/facilities/{}", f["id"]))
        .await;
    assert!(changed["name"].as_str().unwrap().ends_with("（改名）"));
    assert_eq!(changed["version"], f["version"].as_i64().unwrap() + 1);
    // The same file again: the new rows now exist and the change is stale; nothing applies.
    let generation = app.store.generation().await.unwrap();
    let (s, r) = app
        .post_bytes("/api/v1/import/facilities?mode=apply", file)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["row"] == 4 && e["column"] == "版本"),
        "{r}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["row"] == 2 && e["column"] == "名称"),
        "{r}"
    );
    assert_eq!(app.store.generation().await.unwrap(), generation);
    // A viewer may check a file but not apply it.
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let file = workbook(&[row(&village, "查看者礼堂")]);
    let req = axum::http::Request::post("/api/v1/import/facilities?mode=apply")
        .header("authorization", format!("Bearer {viewer}"))
        .body(axum::body::Body::from(file))
        .unwrap();
    let (s, _) = app.send(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.store.generation().await.unwrap(), generation);
}
