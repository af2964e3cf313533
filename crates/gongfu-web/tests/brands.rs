//! Brands, licences and industry chains through the HTTP API: bad input names every field, a
//! stale edit is refused, only the district administrator writes, and a chain's output shows
//! in the zone figures of `GET /api/v1/indicators` with the share computed by hand.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use gongfu_core::auth::Role;
use gongfu_core::work::actor::CreditCode;
use serde_json::{Value, json};

fn fields(e: &Value) -> Vec<&str> {
    e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect()
}

fn figure<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()
}

async fn new_actor(app: &common::App, n: u32, name: &str) -> i64 {
    let code = CreditCode::complete(&format!("91330603MA2B{n:05}")).unwrap();
    let (s, a) = app
        .send_json(
            "POST",
            "/api/v1/actors",
            json!({"name": name, "kind": "enterprise", "credit_code": code.as_str()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a["id"].as_i64().unwrap()
}

#[tokio::test]
async fn brands_and_licences() {
    let app = demo_app().await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/brands",
            json!({"name": "", "kind": "产品品牌", "gi_number": "AGI1"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["name", "product", "gi_holder", "gi_area"]);
    let (s, b) = app
        .send_json(
            "POST",
            "/api/v1/brands",
            json!({"name": "平水日铸", "kind": "产品品牌", "product": "日铸茶", "gi_number": "AGI01234",
                   "gi_holder": "柯桥区茶业协会", "gi_area": "平水镇、王坛镇"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_i64().unwrap();
    assert_eq!(b["gi"]["holder"], "柯桥区茶业协会");
    let (s, r) = app
        .send_json(
            "POST",
            "/api/v1/brands",
            json!({"name": "鉴水源", "kind": "regional"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (_, list) = app.get_json("/api/v1/brands").await;
    assert_eq!(
        list["items"][0]["name"], "鉴水源",
        "the regional brand first"
    );

    let actor = new_actor(&app, 1, "绍兴日铸茶业有限公司").await;
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/brands/{id}/licences"),
            json!({"actor": "", "from": "2025-02-30", "to": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["actor", "from", "to"]);
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/brands/{id}/licences"),
            json!({"actor": 99_999, "from": "2025-01-01", "to": "2027-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["actor"]);
    let (s, b) = app
        .send_json(
            "POST",
            &format!("/api/v1/brands/{id}/licences"),
            json!({"actor": actor, "from": "2025-01-01", "to": "2027-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["licences_valid"], 1);
    let lid = b["licences"][0]["id"].as_i64().unwrap();
    let revoke = json!({"actor": actor, "from": "2025-01-01", "to": "2027-12-31", "revoked_on": "2025-06-01", "version": 1});
    let (s, b) = app
        .send_json(
            "PUT",
            &format!("/api/v1/brands/{id}/licences/{lid}"),
            revoke.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["licences"][0]["status"], "revoked", "the row stays");
    assert_eq!(b["licences_valid"], 0);
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/brands/{id}/licences/{lid}"),
            revoke,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/brands/{id}"),
            json!({"name": "平水日铸", "kind": "product", "product": "日铸茶", "version": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let viewer = app.token_for("viewer", Role::Viewer).await;
    let (s, _) = app
        .send_json_as(
            &viewer,
            "POST",
            "/api/v1/brands",
            json!({"name": "稽东香榧", "kind": "product", "product": "香榧"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_chains_output_is_shared_among_zones_by_villages() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z1 = zones["items"][0]["id"].as_i64().unwrap();
    let z2 = zones["items"][1]["id"].as_i64().unwrap();
    let members = |d: &Value| -> Vec<String> {
        d["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["village"]["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, d1) = app.get_json(&format!("/api/v1/zones/{z1}")).await;
    let (_, d2) = app.get_json(&format!("/api/v1/zones/{z2}")).await;
    let (m1, m2) = (members(&d1), members(&d2));
    assert!(m1.len() >= 2);
    let actor = new_actor(&app, 2, "柯桥香榧专业合作社").await;

    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/chains",
            json!({"name": "", "links": [{"kind": "growing", "villages": ["12"]}, {"kind": "processing", "actors": [99_999]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["name", "links.growing.villages"]);
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/chains",
            json!({"name": "香榧产业链", "links": [{"kind": "processing", "actors": [99_999]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["links.processing.actors"]);

    // Two villages of zone 1 (one at two links: counted once) and one of zone 2.
    let (s, c) = app
        .send_json(
            "POST",
            "/api/v1/chains",
            json!({"name": "香榧产业链", "links": [
                {"kind": "growing", "villages": [m1[0], m1[1]], "actors": [actor]},
                {"kind": "processing", "villages": [m1[0], m2[0]]},
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["villages_total"], 3);
    assert_eq!(c["links"][0]["villages"][0]["zone"]["id"], z1);
    assert_eq!(c["links"][1]["label"], "加工");

    // 100.00 元 = 10,000 fen over 2 : 1 → 6,666.67 / 3,333.33: floors 6,666 and 3,333, the
    // fen left to the larger remainder (zone 1's .67).
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/chains/{id}/output/2025"),
            json!({"output": "-1", "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["output"]);
    let (s, c) = app
        .send_json(
            "PUT",
            &format!("/api/v1/chains/{id}/output/2025"),
            json!({"output": "100", "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["output"][0]["output_fen"], 10_000);
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/chains/{id}/output/2025"),
            json!({"output": "200", "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a second first report is stale");

    let (_, f1) = app
        .get_json(&format!("/api/v1/indicators?zone={z1}&year=2025"))
        .await;
    let (_, f2) = app
        .get_json(&format!("/api/v1/indicators?zone={z2}&year=2025"))
        .await;
    assert_eq!(figure(&f1, "chains")["value"], 1);
    assert_eq!(figure(&f1, "chain_output_share")["value"], 6_667);
    assert_eq!(figure(&f2, "chain_output_share")["value"], 3_333);
    assert_eq!(figure(&f1, "chain_output_share")["sources"][0]["id"], id);
    assert_eq!(figure(&f1, "chain_output_share")["display"], "66.67 元");

    let (_, list) = app.get_json(&format!("/api/v1/chains?zone={z2}")).await;
    assert_eq!(list["total"], 1);
    let (s, _) = app.get_json("/api/v1/chains?zone=x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Editing the links moves the share: with zone 2's village gone, zone 1 has it all.
    let body = json!({"name": "香榧产业链", "version": 1, "links": [
        {"kind": "growing", "villages": [m1[0], m1[1]], "actors": [actor]},
    ]});
    let (s, c) = app
        .send_json("PUT", &format!("/api/v1/chains/{id}"), body.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/chains/{id}"), body)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, f1) = app
        .get_json(&format!("/api/v1/indicators?zone={z1}&year=2025"))
        .await;
    assert_eq!(figure(&f1, "chain_output_share")["value"], 10_000);

    let town = app.token_for("viewer2", Role::Viewer).await;
    let (s, _) = app
        .send_json_as(
            &town,
            "PUT",
            &format!("/api/v1/chains/{id}/output/2024"),
            json!({"output": "1", "version": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn the_pages_list_show_and_edit_brands_and_chains() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z1 = zones["items"][0]["id"].as_i64().unwrap();
    let (_, d1) = app.get_json(&format!("/api/v1/zones/{z1}")).await;
    let village = d1["members"][0]["village"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let actor = new_actor(&app, 3, "漓渚兰花专业合作社").await;

    // A brand through the form: errors by field with the input kept, then saved.
    let (s, html) = app
        .post_form("/brands", "name=&kind=product&product=&gi_number=X")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写品牌名称") && html.contains("产品品牌请填写所指的产品"));
    assert!(html.contains("value=\"X\""), "input kept");
    let (s, _) = app
        .post_form(
            "/brands",
            "name=%E6%BC%93%E6%B8%9A%E5%85%B0%E8%8A%B1&kind=product&product=%E5%85%B0%E8%8A%B1",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = app.get_json("/api/v1/brands").await;
    let brand = list["items"][0]["id"].as_i64().unwrap();
    let (s, html) = app
        .post_form(
            &format!("/brands/{brand}/licences"),
            &format!("actor={actor}&from=2025-01-01&to=2026-12-31"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (s, page) = app.get(&format!("/brands/{brand}")).await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("漓渚兰花专业合作社") && page.contains("有效授权"));
    let (s, page) = app.get("/brands").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&page).contains("漓渚兰花"));

    // A chain through the form, its links picked from lists.
    let (s, html) = app.get("/chains/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&html).contains(&village));
    let (s, html) = app
        .post_form(
            "/chains",
            &format!("name=&v_growing={village}&a_sales=99999"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写产业链名称"));
    let (s, html) = app
        .post_form(
            "/chains",
            &format!(
                "name=%E5%85%B0%E8%8A%B1%E4%BA%A7%E4%B8%9A%E9%93%BE&brand={brand}&v_growing={village}&a_growing={actor}&v_tourism={village}"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, chains) = app.get_json("/api/v1/chains").await;
    let id = chains["items"][0]["id"].as_i64().unwrap();
    let (s, html) = app
        .post_form(
            &format!("/chains/{id}/output"),
            "year=2025&output=abc&version=0",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("abc"), "input kept");
    let (s, _) = app
        .post_form(
            &format!("/chains/{id}/output"),
            "year=2025&output=12345.6&version=0",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _) = app
        .post_form(
            &format!("/chains/{id}/output"),
            "year=2025&output=1&version=0",
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "the year was reported meanwhile");
    let (s, page) = app.get(&format!("/chains/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("12,345.60 元") && page.contains("漓渚兰花专业合作社"));
    assert!(
        page.contains("按片区分摊"),
        "the share the zone figures count"
    );
    assert!(
        page.contains(&format!("/zones/{z1}")),
        "villages with their zones"
    );
    let (s, page) = app.get(&format!("/chains?zone={z1}")).await;
    assert_eq!(s, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("兰花产业链") && page.contains("种养 1 村"));
    let (s, edit) = app.get(&format!("/chains/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&edit).contains(" selected"));
    let (s, html) = app
        .post_form(
            &format!("/chains/{id}/edit"),
            &format!("name=x&version=9&v_growing={village}"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("再次保存"));
}

#[tokio::test]
async fn the_output_sheet_round_trips_and_a_stale_row_is_refused() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z1 = zones["items"][0]["id"].as_i64().unwrap();
    let (_, d1) = app.get_json(&format!("/api/v1/zones/{z1}")).await;
    let village = d1["members"][0]["village"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, c) = app
        .send_json(
            "POST",
            "/api/v1/chains",
            json!({"name": "茶产业链", "links": [{"kind": "growing", "villages": [village]}]}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    app.send_json(
        "PUT",
        &format!("/api/v1/chains/{id}/output/2024"),
        json!({"output": "5000.5", "version": 0}),
    )
    .await;
    let (s, bytes) = app.get("/api/v1/export/chain-outputs.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    let (s, r) = app
        .post_bytes("/api/v1/import/chain-outputs?mode=dry_run", bytes.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["rows"].as_i64(), r["unchanged"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["applied"], false);
    // Someone changes 2024 meanwhile: the exported row is now stale, nothing is written.
    app.send_json(
        "PUT",
        &format!("/api/v1/chains/{id}/output/2024"),
        json!({"output": "6000", "version": 1}),
    )
    .await;
    let (s, r) = app
        .post_bytes("/api/v1/import/chain-outputs?mode=apply", bytes)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["errors"][0]["row"], 2);
    assert_eq!(r["errors"][0]["column"], "版本");
    let (_, c) = app.get_json(&format!("/api/v1/chains/{id}")).await;
    assert_eq!(c["output"][0]["output_fen"], 600_000);
    let (_, fresh) = app.get("/api/v1/export/chain-outputs.xlsx").await;
    let (s, r) = app
        .post_bytes("/api/v1/import/chain-outputs?mode=apply", fresh)
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    let (s, r) = app
        .post_bytes("/api/v1/import/chain-outputs", b"not xlsx".to_vec())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["errors"][0]["row"], 0);
    for uri in [
        "/api/v1/import/chain-outputs/template.xlsx",
        "/api/v1/export/brands.xlsx",
        "/ops/import",
    ] {
        let (s, _) = app.get(uri).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
    }
    // The old page's address leads to its section of the one import page.
    let (s, _) = app.get("/chains/import").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_viewer_reads_the_pages_without_write_controls() {
    let app = demo_app().await;
    let viewer = app.token_for("reader", Role::Viewer).await;
    for (uri, control) in [
        ("/brands", "登记品牌"),
        ("/chains", "登记产业链"),
        ("/ops/import", "上传并试导入"),
    ] {
        let req = axum::http::Request::get(uri)
            .header("authorization", format!("Bearer {viewer}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, body) = app.send(req).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        let html = text(&body);
        // On the import page: the 产业链产值 section.
        let html = match html.split("id=\"import-chain-outputs\"").nth(1) {
            Some(rest) => rest.split("</section>").next().unwrap().to_string(),
            None => html,
        };
        assert!(!html.contains(control), "{uri}");
    }
    let req = axum::http::Request::post("/brands")
        .header("authorization", format!("Bearer {viewer}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("name=x&kind=regional"))
        .unwrap();
    let (s, _) = app.send(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
