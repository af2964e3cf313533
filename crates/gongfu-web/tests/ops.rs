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
