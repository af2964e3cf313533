//! Operating teams through the HTTP API: a team with its served zones, KPIs per zone and year
//! (created, then updated with their version; stale saves 409) feeding the zone's indicator
//! figures, the zone's operation plan with its logo, and the evaluation history. Bad input
//! names every field; a village account may not write.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use serde_json::{Value, json};

fn figure(v: &Value, key: &str) -> i64 {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()["value"]
        .as_i64()
        .unwrap()
}

fn fields(e: &Value) -> Vec<String> {
    e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn teams_kpis_feed_the_zone_figures() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let za = zones["items"][0]["id"].as_i64().unwrap();
    let zb = zones["items"][1]["id"].as_i64().unwrap();

    // Every bad field is named.
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "", "business_types": "养殖", "contract_start": "2025-01-01", "contract_end": "2024-01-01",
                   "credit_code": "123", "zones": [{"zone": za, "from": "2025-13-01"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        fields(&e),
        [
            "name",
            "credit_code",
            "business_types",
            "contract_end",
            "zones[0].from"
        ]
    );
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "x", "business_types": "电商", "contract_start": "2024-01-01", "contract_end": "2026-12-31",
                   "zones": [{"zone": 999_999}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["zones[0].zone"]);

    let (s, a) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "绍兴兰亭文旅运营有限公司", "business_types": "文旅融合、电商", "contract_start": "2024-01-01",
                   "contract_end": "2025-08-31", "contact_person": "王经理", "phone": "13800000000",
                   "zones": [{"zone": za}, {"zone": zb, "from": "2024-06-01"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let ta = a["id"].as_i64().unwrap();
    assert_eq!(
        a["contract_state"], "expiring_soon",
        "2025-06-30 is within 90 days"
    );
    assert_eq!(a["zones"][1]["from"], "2024-06-01");
    let (s, b) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "柯桥区强村农业发展有限公司", "business_types": "农业规模化", "contract_start": "2025-01-01",
                   "contract_end": "2027-12-31", "zones": [{"zone": za}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let tb = b["id"].as_i64().unwrap();

    // KPIs: bad figures named, then created, then updated with their version.
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/teams/{ta}/kpis/{za}/2025"),
            json!({"revenue": "-5", "visitors": "很多", "jobs": "3"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["revenue", "visitors"]);
    let put = |team: i64, zone: i64, year: i32, body: Value| {
        let app = &app;
        async move {
            app.send_json(
                "PUT",
                &format!("/api/v1/teams/{team}/kpis/{zone}/{year}"),
                body,
            )
            .await
        }
    };
    let (s, k1) = put(
        ta,
        za,
        2025,
        json!({"revenue": "1,200,000.50", "visitors": "30000", "events": "12", "jobs": "25", "collective_income": "150000"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{k1}");
    assert_eq!(k1["version"], 1);
    let (s, k2) = put(
        tb,
        za,
        2025,
        json!({"revenue": "800000", "visitors": "5000", "events": "3", "jobs": "40", "collective_income": "60000.25"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{k2}");
    // Other zone and other year: not in zone A's 2025 figures.
    let (s, _) = put(ta, zb, 2025, json!({"revenue": "999999"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = put(ta, za, 2024, json!({"revenue": "777777"})).await;
    assert_eq!(s, StatusCode::OK);
    // A zone the team never served is refused, by name.
    let zc = zones["items"][2]["id"].as_i64().unwrap();
    let (s, e) = put(tb, zc, 2025, json!({"revenue": "1"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["zone"]);

    // Entering the same year again without the version, or with an old one, is stale.
    let (s, _) = put(ta, za, 2025, json!({"revenue": "1"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, k1b) = put(
        ta,
        za,
        2025,
        json!({"revenue": "1,250,000.50", "visitors": "30000", "events": "12", "jobs": "25", "collective_income": "150000", "version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{k1b}");
    assert_eq!(k1b["version"], 2);
    assert_eq!(k1b["id"], k1["id"]);
    let (s, _) = put(ta, za, 2025, json!({"revenue": "2", "version": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The zone's figures, by hand: A's 1,250,000.50 元 + B's 800,000 元 …
    let (s, f) = app
        .get_json(&format!("/api/v1/indicators?zone={za}&year=2025"))
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(figure(&f, "team_revenue"), 125_000_050 + 80_000_000);
    assert_eq!(figure(&f, "team_visitors"), 35_000);
    assert_eq!(figure(&f, "team_events"), 15);
    assert_eq!(figure(&f, "team_jobs"), 65);
    assert_eq!(figure(&f, "team_collective_income"), 15_000_000 + 6_000_025);
    let src: Vec<i64> = f["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == "team_revenue")
        .unwrap()["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(src.len(), 2);
    assert!(src.contains(&k1["id"].as_i64().unwrap()) && src.contains(&k2["id"].as_i64().unwrap()));
    let (_, f24) = app
        .get_json(&format!("/api/v1/indicators?zone={za}&year=2024"))
        .await;
    assert_eq!(figure(&f24, "team_revenue"), 77_777_700);

    // The team's KPIs with totals by year; the list filtered by zone.
    let (_, ks) = app.get_json(&format!("/api/v1/teams/{ta}/kpis")).await;
    assert_eq!(ks["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        ks["by_year"][1]["totals"]["revenue_fen"],
        125_000_050i64 + 99_999_900
    );
    let (_, list) = app.get_json(&format!("/api/v1/teams?zone={zb}")).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["latest_kpis"]["year"], 2025);

    // A stale team edit is refused.
    let body = json!({"name": "绍兴兰亭文旅运营有限公司", "business_types": "文旅融合", "contract_start": "2024-01-01",
                      "contract_end": "2027-12-31", "zones": [{"zone": za}, {"zone": zb}], "version": 1});
    let (s, t2) = app
        .send_json("PUT", &format!("/api/v1/teams/{ta}"), body.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{t2}");
    assert_eq!(t2["contract_state"], "active");
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/teams/{ta}"), body)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Evaluations are appended to the history.
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/teams/{ta}/evaluations"),
            json!({"year": "2024", "score": "100.5", "grade": "很好"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["score", "grade", "reviewer"]);
    let (s, ev) = app
        .send_json(
            "POST",
            &format!("/api/v1/teams/{ta}/evaluations"),
            json!({"year": "2024", "score": "86.5", "reviewer": "区农业农村局", "comment": "完成年度目标"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ev}");
    assert_eq!(
        (ev["score"].as_str(), ev["grade"].as_str()),
        (Some("86.5"), Some("good"))
    );
    let (_, hist) = app
        .get_json(&format!("/api/v1/teams/{ta}/evaluations"))
        .await;
    assert_eq!(hist["total"], 1);
}

#[tokio::test]
async fn operation_plans_keep_their_logo_and_versions() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z = zones["items"][0]["id"].as_i64().unwrap();
    let (s, p) = app
        .get_json(&format!("/api/v1/zones/{z}/operation-plan"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["version"], 0);
    // A PDF is not a logo.
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"ip_name": "兰香小筑", "logo_name": "a.pdf", "logo_base64": "JVBERi0xLjQ="}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["logo"]);
    // "\x89PNG\r\n\x1a\n" + "ab"
    let png = "iVBORw0KGgphYg==";
    let (s, p) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"theme": "兰文化休闲", "ip_name": "兰香小筑", "logo_name": "ip.png", "logo_base64": png}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["version"], 1);
    assert_eq!(p["logo"]["content_type"], "image/png");
    let (s, bytes) = app
        .get(&format!("/api/v1/zones/{z}/operation-plan/logo"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, b"\x89PNG\r\n\x1a\nab");
    let (s, p2) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"theme": "兰文化休闲与研学", "ip_name": "兰香小筑", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(p2["logo"].is_object(), "the logo is kept");
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"ip_name": "x", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"ip_name": "很".repeat(41), "version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["ip_name"]);
}

#[tokio::test]
async fn a_village_account_may_not_write() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    // A zone within one town, so that town's account manages it.
    let mut one_town = None;
    for item in zones["items"].as_array().unwrap() {
        let z = item["id"].as_i64().unwrap();
        let (_, d) = app.get_json(&format!("/api/v1/zones/{z}")).await;
        let towns: std::collections::BTreeSet<String> = d["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["village"]["code"].as_str().unwrap()[..9].to_string())
            .collect();
        if towns.len() == 1 {
            one_town = Some((z, d));
            break;
        }
    }
    let (z, detail) = one_town.expect("a zone within one town");
    let village = detail["members"][0]["village"]["code"].as_str().unwrap();
    let (s, t) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "某运营团队", "business_types": "电商", "contract_start": "2024-01-01", "contract_end": "2026-12-31", "zones": [{"zone": z}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = t["id"].as_i64().unwrap();
    let token = app
        .token_for(
            "cun",
            gongfu_core::auth::Role::Village {
                village: gongfu_core::VillageCode::parse(village).unwrap(),
            },
        )
        .await;
    let (s, _) = app
        .send_json_as(
            &token,
            "PUT",
            &format!("/api/v1/teams/{id}/kpis/{z}/2025"),
            json!({"revenue": "100"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send_json_as(
            &token,
            "PUT",
            &format!("/api/v1/zones/{z}/operation-plan"),
            json!({"ip_name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send_json_as(
            &token,
            "POST",
            "/api/v1/teams",
            json!({"name": "另一团队", "business_types": "电商", "contract_start": "2024-01-01", "contract_end": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send_json_as(
            &token,
            "POST",
            &format!("/api/v1/teams/{id}/evaluations"),
            json!({"year": "2024", "score": "80", "reviewer": "村"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Reading is open to every account.
    let (s, _) = app
        .send_json_as(&token, "GET", &format!("/api/v1/teams/{id}"), Value::Null)
        .await;
    assert_eq!(s, StatusCode::OK);
    // The zone's town enters its KPIs and plan, but not the team itself.
    let code = gongfu_core::VillageCode::parse(village).unwrap();
    let town = app
        .token_for("zhen", gongfu_core::auth::Role::Town { town: code.town() })
        .await;
    let (s, k) = app
        .send_json_as(
            &town,
            "PUT",
            &format!("/api/v1/teams/{id}/kpis/{z}/2025"),
            json!({"revenue": "100"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let (s, _) = app
        .send_json_as(
            &town,
            "PUT",
            &format!("/api/v1/teams/{id}"),
            json!({"name": "某运营团队", "business_types": "电商", "contract_start": "2024-01-01", "contract_end": "2026-12-31", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get("/teams/9999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn team_pages_show_errors_by_field_and_keep_input() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let z = zones["items"][0]["id"].as_i64().unwrap();
    let (s, html) = app.get("/teams").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&html).contains("登记运营团队"));
    let (s, html) = app.get("/teams/new").await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&html));
    // Bad input: shown again with each message, what was typed kept.
    let (s, html) = app
        .post_form(
            "/teams",
            &format!("name=%E6%9F%90%E5%85%AC%E5%8F%B8&contract_start=2025-01-01&contract_end=2024-01-01&zone={z}&from_{z}=2025-02-30"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请至少选择一种业态"), "{html}");
    assert!(html.contains("合同结束日期不能早于开始日期"));
    assert!(html.contains("value=\"某公司\""));
    let (s, _) = app
        .post_form(
            "/teams",
            &format!("name=%E6%9F%90%E5%85%AC%E5%8F%B8&business_types=e_commerce&business_types=culture_tourism&contract_start=2024-01-01&contract_end=2026-12-31&zone={z}"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = app.get_json("/api/v1/teams").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(list["items"][0]["business_type_labels"][0], "文旅融合");
    // KPIs through the team page's form; entering the year again unversioned is stale.
    let kpi = format!(
        "zone={z}&year=2025&revenue=1200000&visitors=3000&events=4&jobs=12&collective_income=50000&version=0"
    );
    let (s, _) = app.post_form(&format!("/teams/{id}/kpis"), &kpi).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = app.post_form(&format!("/teams/{id}/kpis"), &kpi).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("已有人填报"), "{html}");
    let (s, html) = app
        .post_form(
            &format!("/teams/{id}/kpis"),
            &format!("zone={z}&year=2024&visitors=many&version=0"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("接待游客人次「many」无效"), "{html}");
    let (s, html) = app.get(&format!("/teams/{id}")).await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("120.0"), "revenue in 万元: {html}");
    // 修改 fills the form with the year's figures and version.
    let (_, html) = app
        .get(&format!("/teams/{id}?kpi_zone={z}&kpi_year=2025"))
        .await;
    let html = String::from_utf8_lossy(&html);
    assert!(
        html.contains("value=\"1200000.00\"") && html.contains("name=\"version\" value=\"1\""),
        "{html}"
    );
    let (s, _) = app
        .post_form(
            &format!("/teams/{id}/evaluations"),
            "year=2024&score=92&reviewer=%E5%8C%BA%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91%E5%B1%80",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = app.get(&format!("/teams/{id}")).await;
    assert!(String::from_utf8_lossy(&html).contains("优秀"));
    let (s, html) = app.get(&format!("/teams/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&html));

    // The operation plan page takes a multipart form with the logo.
    let boundary = "XyZ";
    let mut body = Vec::new();
    for (k, v) in [
        ("version", "0"),
        ("ip_name", "兰香小筑"),
        ("theme", "兰文化"),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"ip.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    body.extend(b"\x89PNG\r\n\x1a\nabc\r\n");
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/zones/{z}/operation-plan"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", String::from_utf8_lossy(&b));
    let (s, html) = app.get(&format!("/zones/{z}/operation-plan")).await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("兰香小筑") && html.contains("operation-plan/logo?v=1"),
        "{html}"
    );
}

fn kpi_book(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("运营绩效").unwrap();
    let headers = [
        "团队",
        "片区",
        "年份",
        "运营收入（元）",
        "接待游客人次",
        "举办活动场次",
        "带动就业人数",
        "带动村集体增收（元）",
        "版本",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_kpi_sheet_imports_all_or_nothing() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let za = zones["items"][0]["id"].as_i64().unwrap();
    let zname = zones["items"][0]["name"].as_str().unwrap().to_string();
    let other = zones["items"][1]["name"].as_str().unwrap().to_string();
    let (s, t) = app
        .send_json(
            "POST",
            "/api/v1/teams",
            json!({"name": "某文旅运营公司", "business_types": "文旅融合", "contract_start": "2024-01-01", "contract_end": "2026-12-31", "zones": [{"zone": za}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = t["id"].as_i64().unwrap();
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/teams/{id}/kpis/{za}/2024"),
            json!({"revenue": "100"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let row = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Every problem at once, by row and column; nothing written.
    let bad = kpi_book(&[
        row(&[
            "某文旅运营公司",
            &zname,
            "2025",
            "1000",
            "-3",
            "",
            "",
            "",
            "",
        ]),
        row(&["无此团队", &zname, "2025", "", "", "", "", "", ""]),
        row(&["某文旅运营公司", &other, "2025", "", "", "", "", "", ""]),
        row(&["某文旅运营公司", &zname, "2024", "200", "", "", "", "", ""]),
    ]);
    let (s, r) = app
        .post_bytes("/api/v1/import/team-kpis?mode=apply", bad)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let cells: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        cells,
        [(2, "接待游客人次")],
        "the parser stops the file first"
    );
    let bad = kpi_book(&[
        row(&["无此团队", &zname, "2025", "", "", "", "", "", ""]),
        row(&["某文旅运营公司", &other, "2025", "", "", "", "", "", ""]),
        row(&["某文旅运营公司", &zname, "2024", "200", "", "", "", "", ""]),
        row(&["某文旅运营公司", &zname, "2025", "300", "", "", "", "", ""]),
    ]);
    let (s, r) = app
        .post_bytes("/api/v1/import/team-kpis?mode=apply", bad)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let cells: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(cells, [(2, "团队"), (3, "片区"), (4, "版本")]);
    let (_, ks) = app.get_json(&format!("/api/v1/teams/{id}/kpis")).await;
    assert_eq!(ks["items"].as_array().unwrap().len(), 1, "nothing written");

    // The export carries the version; changed and new rows apply together.
    let (s, x) = app.get("/api/v1/export/team-kpis.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(x.starts_with(b"PK"));
    let good = kpi_book(&[
        row(&[
            "某文旅运营公司",
            &zname,
            "2024",
            "200",
            "10",
            "",
            "",
            "",
            "1",
        ]),
        row(&[
            "某文旅运营公司",
            &zname,
            "2025",
            "1,000.50",
            "30",
            "2",
            "5",
            "80",
            "",
        ]),
    ]);
    let (s, r) = app
        .post_bytes("/api/v1/import/team-kpis", good.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["created"].as_i64(),
            r["updated"].as_i64(),
            r["applied"].as_bool()
        ),
        (Some(1), Some(1), Some(false))
    );
    let (s, r) = app
        .post_bytes("/api/v1/import/team-kpis?mode=apply", good.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    let (_, f) = app
        .get_json(&format!("/api/v1/indicators?zone={za}&year=2025"))
        .await;
    assert_eq!(figure(&f, "team_revenue"), 100_050);
    // The same file again is stale (version 1 is now 2).
    let (s, r) = app
        .post_bytes("/api/v1/import/team-kpis?mode=apply", good)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["errors"][0]["column"], "版本");
    let (s, t) = app.get("/api/v1/import/team-kpis/template.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    assert!(t.starts_with(b"PK"));
    // The old page's address leads to its section of the one import page.
    let (s, _) = app.get("/teams/import").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = app.get("/ops/import").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&page).contains("import-form-team-kpis"));
    // The page: a dry run shows 检查通过 and carries the file to 确认导入.
    let file = kpi_book(&[row(&[
        "某文旅运营公司",
        &zname,
        "2026",
        "5",
        "",
        "",
        "",
        "",
        "",
    ])]);
    let boundary = "KpiB";
    let mut body = Vec::new();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ndry_run\r\n")
            .as_bytes(),
    );
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kpi.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(&file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post("/ops/import/team-kpis")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let (s, b) = app.send(req).await;
    let html = String::from_utf8_lossy(&b);
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(
        html.contains("检查通过") && html.contains("确认导入"),
        "{html}"
    );
}
