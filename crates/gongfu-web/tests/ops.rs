//! Common-prosperity elements and the indicator figures through the HTTP API: a workshop
//! registered in a zone's village shows in the zone's figures with its rule and source; bad
//! input names every field.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use serde_json::{Value, json};

fn figure<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()
}

#[tokio::test]
async fn a_workshop_shows_in_the_zone_figures() {
    let app = demo_app().await;
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let zone = zones["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = app.get_json(&format!("/api/v1/zones/{zone}")).await;
    let village = detail["members"][0]["village"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, before) = app
        .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
        .await;
    assert_eq!(s, StatusCode::OK, "{before}");
    assert_eq!(figure(&before, "workshops")["value"], 0);
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/elements",
            json!({"type": "共富超市", "name": "", "village_code": village, "opened_on": "2025-03-01", "jobs": "5", "low_income_jobs": "6"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["type", "name", "low_income_jobs"]);
    let (s, w) = app
        .send_json(
            "POST",
            "/api/v1/elements",
            json!({"type": "共富工坊", "name": "香榧共富工坊", "village_code": village, "opened_on": "2025-03-01",
                   "jobs": "36", "low_income_jobs": "9", "monthly_gain": "1800", "collective_income": "120000.50"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    assert_eq!(w["zone"]["id"], zone);
    assert!(w["lon"].is_number(), "placed at its village's seat");
    let (_, after) = app
        .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
        .await;
    let ws = figure(&after, "workshops");
    assert_eq!(ws["value"], 1);
    assert_eq!(ws["sources"][0]["id"], w["id"]);
    assert_eq!(figure(&after, "element_jobs")["value"], 36);
    assert_eq!(
        figure(&after, "element_collective_income")["value"],
        12_000_050
    );
    assert_eq!(
        figure(&after, "element_collective_income")["display"],
        "120,000.50 元"
    );
    assert!(
        figure(&after, "trainings")["rule"]
            .as_str()
            .unwrap()
            .contains("全区性培训")
    );
    let (_, list) = app
        .get_json(&format!("/api/v1/elements?zone={zone}&type=workshop"))
        .await;
    assert_eq!(list["total"], 1);
    // A stale edit is refused.
    let id = w["id"].as_i64().unwrap();
    let mut body = json!({"type": "workshop", "name": "香榧共富工坊", "village_code": village, "opened_on": "2025-03-01", "jobs": "40", "version": 1});
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/elements/{id}"), body.clone())
        .await;
    assert_eq!(s, StatusCode::OK);
    body["jobs"] = json!("41");
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/elements/{id}"), body)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app.get_json("/api/v1/indicators?year=2025").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a zone is required");

    // The hub lists the zone with its figures and the district total; the workbook agrees.
    let (s, page) = app.get("/ops?year=2025").await;
    assert_eq!(s, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    let row = page
        .split(&format!("<tr data-zone=\"{zone}\">"))
        .nth(1)
        .expect("the zone has a row")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    let cells: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|c| c.split("</td>").next().unwrap())
        .collect();
    assert_eq!(cells[0], "1", "共富工坊数量");
    assert_eq!(
        cells[2], "40",
        "吸纳就业人数 after the edit (the stale one was refused)"
    );
    assert!(page.contains("id=\"indicator-totals\""));
    let (s, bytes) = app.get("/api/v1/indicators.xlsx?year=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&bytes[..2], b"PK");
    let (s, e) = app.get_json("/api/v1/indicators.xlsx?year=1800").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = app.get("/ops?year=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A 共富元素 sheet with the given (header, text) rows; other columns blank.
fn elements_workbook(rows: &[Vec<(&str, String)>]) -> Vec<u8> {
    use gongfu_io::elements_xlsx::{ELEMENT_HEADERS, ELEMENTS_SHEET};
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(ELEMENTS_SHEET).unwrap();
    for (c, h) in ELEMENT_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (h, v) in row {
            let c = ELEMENT_HEADERS.iter().position(|x| x == h).unwrap();
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// The demo's elements export and re-import unchanged; an edited row and a new one apply
/// together; the same file again is refused whole for its now stale row.
#[tokio::test]
async fn elements_go_out_to_excel_and_back() {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    // The app's pinned today (common::demo_app), so no element opens after it.
    let today = time::macros::date!(2025 - 06 - 30);
    for e in gongfu_demo::elements::generate_elements(&divisions, &district, today, 7) {
        app.store
            .create_element(&gongfu_store::Actor::system("test"), &e)
            .await
            .unwrap();
    }
    let (s, file) = app.get("/api/v1/export/elements.xlsx").await;
    assert_eq!(s, StatusCode::OK);
    let (s, r) = app
        .post_bytes("/api/v1/import/elements?mode=dry_run", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["rows"].as_u64().unwrap() > 10, "{r}");
    assert_eq!(r["unchanged"], r["rows"], "{r}");

    let (_, list) = app.get_json("/api/v1/elements").await;
    let first = &list["items"][0];
    let total = list["total"].as_u64().unwrap();
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let edited = vec![
        ("编号", s(&first["id"])),
        ("类型", s(&first["type_label"])),
        ("名称", s(&first["name"])),
        ("村代码", s(&first["village_code"])),
        ("开业日期", s(&first["opened_on"])),
        ("吸纳就业人数", "99".to_string()),
        ("版本", s(&first["version"])),
    ];
    let new = vec![
        ("类型", "共富食堂".to_string()),
        ("名称", "导入的共富食堂".to_string()),
        ("村代码", s(&first["village_code"])),
        ("开业日期", "2025-06-01".to_string()),
        ("吸纳就业人数", "6".to_string()),
        ("其中低收入农户人数", "2".to_string()),
        ("人均月增收（元）", "1,500".to_string()),
    ];
    let file = elements_workbook(&[edited, new]);
    let (s, r) = app
        .post_bytes("/api/v1/import/elements?mode=apply", file.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["applied"], true);
    let (_, after) = app
        .get_json(&format!("/api/v1/elements/{}", first["id"]))
        .await;
    assert_eq!(after["jobs"], 99);
    assert_eq!(after["lon"], first["lon"], "the map point is kept");
    // Again: the edited row is now stale, so nothing is written, not even the new row.
    let (s, r) = app
        .post_bytes("/api/v1/import/elements?mode=apply", file)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["errors"][0]["column"], "版本", "{r}");
    let (_, list) = app.get_json("/api/v1/elements").await;
    assert_eq!(list["total"].as_u64().unwrap(), total + 1);
    // A bad cell is named by row and column.
    let bad = elements_workbook(&[vec![
        ("类型", "共富超市".to_string()),
        ("名称", "某".to_string()),
        ("村代码", "123".to_string()),
        ("开业日期", "2025-06-01".to_string()),
    ]]);
    let (s, r) = app
        .post_bytes("/api/v1/import/elements?mode=dry_run", bad)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let cols: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["类型", "村代码"], "{r}");
    let (s, page) = app.get("/ops/import").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        String::from_utf8(page)
            .unwrap()
            .contains("import-form-elements")
    );
    let (s, _) = app.get("/ops/import/projects").await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

/// The demo's approved 2025 distributions pay village collectives; over all zones, the
/// 村集体股份分红 figure is exactly what they paid the villages (all of them in zones), and
/// each zone's figure names the distributions it came from.
#[tokio::test]
async fn collective_dividends_come_from_approved_distributions() {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    let equity = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
    app.store.seed_demo_equity(&equity).await.unwrap();
    let (s, list) = app.get_json("/api/v1/distributions?year=2025").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut paid = 0i64;
    let mut ids = Vec::new();
    for d in list["items"].as_array().unwrap() {
        assert_eq!(d["status"], "approved");
        let (_, full) = app
            .get_json(&format!("/api/v1/distributions/{}", d["id"]))
            .await;
        let v: i64 = full["village_income"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["amount_fen"].as_i64().unwrap())
            .sum();
        if v > 0 {
            ids.push(d["id"].as_i64().unwrap());
        }
        paid += v;
    }
    assert!(paid > 0, "the demo pays village collectives");
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let mut counted = 0i64;
    let mut named = Vec::new();
    for z in zones["items"].as_array().unwrap() {
        let (_, f) = app
            .get_json(&format!("/api/v1/indicators?zone={}&year=2025", z["id"]))
            .await;
        let fig = figure(&f, "collective_dividends");
        counted += fig["value"].as_i64().unwrap();
        for s in fig["sources"].as_array().unwrap() {
            assert_eq!(s["kind"], "distribution");
            named.push(s["id"].as_i64().unwrap());
        }
    }
    assert_eq!(counted, paid);
    named.sort();
    named.dedup();
    ids.sort();
    assert_eq!(named, ids);
}

/// 股本分红率: each zone's entities' 2025 payouts over their paid-in capital at the end of 2025,
/// computed here by hand from the distributions and the register lines.
#[tokio::test]
async fn dividend_yield_is_payouts_over_paid_in_capital() {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    let equity = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
    app.store.seed_demo_equity(&equity).await.unwrap();
    let mut expected: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    let (_, entities) = app.get_json("/api/v1/entities").await;
    for e in entities["items"].as_array().unwrap() {
        let Some(zone) = e["zone"]["id"].as_i64() else {
            continue;
        };
        let id = e["id"].as_i64().unwrap();
        let (_, reg) = app
            .get_json(&format!("/api/v1/entities/{id}/register?as_of=2025-12-31"))
            .await;
        let paid_in: i64 = reg["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let c = &l["change"];
                match c["kind"].as_str().unwrap() {
                    "subscription" => c["paid"].as_i64().unwrap(),
                    "in_kind" => c["valuation"].as_i64().unwrap(),
                    "redemption" => -c["refund"].as_i64().unwrap(),
                    _ => 0,
                }
            })
            .sum();
        let (_, ds) = app
            .get_json(&format!("/api/v1/distributions?year=2025&entity={id}"))
            .await;
        let mut paid = 0;
        for d in ds["items"].as_array().unwrap() {
            let (_, full) = app
                .get_json(&format!("/api/v1/distributions/{}", d["id"]))
                .await;
            paid += full["payouts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["amount_fen"].as_i64().unwrap())
                .sum::<i64>();
        }
        let slot = expected.entry(zone).or_default();
        slot.0 += paid;
        slot.1 += paid_in;
    }
    assert!(!expected.is_empty(), "the demo has zone entities");
    for (zone, (paid, paid_in)) in expected {
        assert!(paid > 0 && paid_in > 0);
        let (_, f) = app
            .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
            .await;
        assert_eq!(figure(&f, "dividends_paid")["value"], paid);
        assert_eq!(figure(&f, "paid_in_capital")["value"], paid_in);
        assert_eq!(
            figure(&f, "dividend_yield")["value"],
            (i128::from(paid) * 10_000 / i128::from(paid_in)) as i64
        );
    }
}
