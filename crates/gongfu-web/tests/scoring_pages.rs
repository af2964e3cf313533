//! 评分奖补 pages: the hub ranks as `/api/v1/scores` does, the scorecard shows every indicator
//! and the radar chart, a manual value entered through its form moves the score (a bad value
//! is named, the input kept), separation of duties is shown in Chinese, the award page's
//! totals equal `/api/v1/awards`, the exports are files whose amounts add up, and a viewer
//! sees no forms and is refused.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{App, demo_app};
use gongfu_core::Fen;
use gongfu_core::auth::Role;
use serde_json::Value;
use std::io::Cursor;

async fn seeded() -> App {
    let app = demo_app().await;
    app.store.seed_demo_scoring(2025, 7).await.unwrap();
    app
}

async fn page(app: &App, uri: &str) -> String {
    let (s, b) = app.get(uri).await;
    let html = String::from_utf8_lossy(&b).into_owned();
    assert_eq!(s, StatusCode::OK, "{uri}: {html}");
    html
}

async fn send_as(
    app: &App,
    token: &str,
    method: &str,
    uri: &str,
    form: &str,
) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(form.to_string()))
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, String::from_utf8_lossy(&b).into_owned())
}

/// The values of `attr="…"` in the page, in order.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let pat = format!("{attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn the_hub_ranks_in_total_order_as_the_api_does() {
    let app = seeded().await;
    let html = page(&app, "/scoring?year=2025&kind=zone").await;
    let (_, api) = app.get_json("/api/v1/scores?year=2025&kind=zone").await;
    let items = api["items"].as_array().unwrap();
    let ids: Vec<String> = items.iter().map(|i| i["zone"]["id"].to_string()).collect();
    let totals: Vec<String> = items
        .iter()
        .map(|i| i["total_hundredths"].to_string())
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(attrs(&html, "data-subject"), ids);
    assert_eq!(attrs(&html, "data-total"), totals);
    let t: Vec<i64> = totals.iter().map(|t| t.parse().unwrap()).collect();
    assert!(t.windows(2).all(|w| w[0] >= w[1]), "{t:?}");
    for i in items {
        assert!(html.contains(i["total_display"].as_str().unwrap()));
    }
    assert!(html.contains("已审批") && html.contains("规划联动"));
    assert!(html.contains("/scoring/rubrics?year=2025&amp;kind=zone"));
    assert!(html.contains("/scoring/awards?year=2025"));
    // The same ranking as a workbook: names and totals (to 0.01) in the API's order.
    assert!(html.contains("/api/v1/scores.xlsx?year=2025&amp;kind=zone"));
    let (s, bytes) = app.get("/api/v1/scores.xlsx?year=2025&kind=zone").await;
    assert_eq!(s, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    assert_eq!(sheet, "2025年度片区评分");
    let range = book.worksheet_range(&sheet).unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows[0][1], Data::String("名称".into()));
    assert!(
        rows[0]
            .iter()
            .any(|c| *c == Data::String("规划联动（10）".into()))
    );
    assert_eq!(rows.len() - 1, items.len());
    for (row, item) in rows.iter().skip(1).zip(items) {
        assert_eq!(
            row[1],
            Data::String(item["zone"]["name"].as_str().unwrap().into())
        );
        let Data::Float(total) = row[2] else {
            panic!("total {:?}", row[2]);
        };
        assert_eq!(
            (total * 100.0).round() as i64,
            item["total_hundredths"].as_i64().unwrap()
        );
    }
    // Teams too.
    let html = page(&app, "/scoring?year=2025&kind=team").await;
    let (_, api) = app.get_json("/api/v1/scores?year=2025&kind=team").await;
    let n = api["items"].as_array().unwrap().len();
    assert_eq!(attrs(&html, "data-subject").len(), n);
}

#[tokio::test]
async fn the_scorecard_shows_every_indicator_the_radar_and_its_freeze() {
    let app = seeded().await;
    let (_, api) = app.get_json("/api/v1/scores?year=2025&kind=zone").await;
    let zone = api["items"][0]["zone"]["id"].as_i64().unwrap();
    let (_, card) = app
        .get_json(&format!("/api/v1/scores/zone/2025/{zone}"))
        .await;
    let html = page(&app, &format!("/scoring/zone/2025/{zone}")).await;
    assert!(html.contains("<svg class=\"radar\""));
    for d in card["dimensions"].as_array().unwrap() {
        for i in d["indicators"].as_array().unwrap() {
            let id = i["id"].as_str().unwrap();
            assert!(html.contains(&format!("id=\"ind-{id}\"")), "indicator {id}");
        }
    }
    assert!(html.contains(card["total_display"].as_str().unwrap()));
    assert!(html.contains("已审批，数据已冻结于"), "frozen note");
    // Approved: no entry forms, only 重新打开 for an administrator.
    assert!(!html.contains("class=\"sc-entry\""));
    assert!(html.contains("重新打开"));
}

/// A manual rule read as a number (STEP / LIN) of the zone's card, with its evidence flag.
fn number_rule(card: &Value) -> (String, bool) {
    for d in card["dimensions"].as_array().unwrap() {
        for i in d["indicators"].as_array().unwrap() {
            for r in i["rules"].as_array().unwrap() {
                let m = r["method"].as_str().unwrap();
                if r["source"]["kind"] == "manual" && (m == "STEP" || m == "LIN") {
                    return (
                        r["key"].as_str().unwrap().to_string(),
                        i["evidence_required"].as_bool().unwrap(),
                    );
                }
            }
        }
    }
    panic!("no manual number rule");
}

#[tokio::test]
async fn a_manual_value_entered_through_its_form_moves_the_score() {
    let app = demo_app().await;
    let zone = app
        .store
        .scoring_subjects(gongfu_core::scoring::RubricKind::Zone)
        .await
        .unwrap()[0]
        .0;
    let api = format!("/api/v1/scores/zone/2025/{zone}");
    let (_, before) = app.get_json(&api).await;
    let (key, _) = number_rule(&before);
    let url = format!("/scoring/zone/2025/{zone}");
    let html = page(&app, &url).await;
    assert!(html.contains(&format!("id=\"entry-{key}\"")), "entry form");

    // A bad value: named, the input kept, nothing saved.
    let (s, html) = app
        .post_form(
            &format!("{url}/entries/{key}"),
            &format!("version=0&value={}&evidence={}", enc("七十"), enc("台账")),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"七十\""), "input kept");
    assert!(html.contains("「七十」"), "the bad value named");
    let (_, same) = app.get_json(&api).await;
    assert_eq!(same["total_hundredths"], before["total_hundredths"]);

    let (s, _) = app
        .post_form(
            &format!("{url}/entries/{key}"),
            &format!(
                "version=0&value=1000000&evidence={}&comment={}",
                enc("年度工作台账"),
                enc("测试填报")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, after) = app.get_json(&api).await;
    assert!(
        after["total_hundredths"].as_i64() > before["total_hundredths"].as_i64(),
        "{} → {}",
        before["total_hundredths"],
        after["total_hundredths"]
    );
    let html = page(&app, &url).await;
    assert!(html.contains(after["total_display"].as_str().unwrap()));
    assert!(html.contains("测试填报"));

    // The one who entered cannot review: the store's refusal, in Chinese, on the card.
    let v = after["version"].as_i64().unwrap();
    let (s, html) = app
        .post_form(
            &format!("{url}/status"),
            &format!("version={v}&status=reviewed"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("您填报过本评分的数值，不能复核"), "{html}");
    // A second administrator reviews; the reviewer cannot approve.
    let second = app.token_for("reviewer", Role::Admin).await;
    let (s, _) = send_as(
        &app,
        &second,
        "POST",
        &format!("{url}/status"),
        &format!("version={v}&status=reviewed"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = send_as(
        &app,
        &second,
        "POST",
        &format!("{url}/status"),
        &format!("version={}&status=approved", v + 1),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("复核人不能同时审批"), "{html}");
    // 退回 needs a reason.
    let (s, html) = send_as(
        &app,
        &second,
        "POST",
        &format!("{url}/status"),
        &format!("version={}&status=entering&reason=", v + 1),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("须说明原因"));
}

#[tokio::test]
async fn the_award_page_adds_up_as_the_api_and_its_exports_do() {
    let app = seeded().await;
    let (_, api) = app.get_json("/api/v1/awards?year=2025").await;
    let paid = api["paid_total_fen"].as_i64().unwrap();
    let html = page(&app, "/scoring/awards?year=2025").await;
    assert!(html.contains(&format!("data-paid-fen=\"{paid}\"")));
    let lines: i64 = attrs(&html, "data-amount-fen")
        .iter()
        .map(|a| a.parse::<i64>().unwrap())
        .sum();
    assert_eq!(lines, paid);
    assert!(html.contains(&Fen(paid).yuan_string()));
    assert!(html.contains("已批准") && html.contains("award-locked"));
    for z in api["zones"].as_array().unwrap() {
        assert!(html.contains(z["zone"]["name"].as_str().unwrap()));
    }
    // Approved: no rules form, no approval button.
    assert!(!html.contains("award-compute") && !html.contains("award-approve"));

    let req = Request::get("/api/v1/awards/2025.xlsx")
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), with_token(&app, req))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let (_, bytes) = app.get("/api/v1/awards/2025.xlsx").await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let fen = |d: Option<&Data>| match d {
        Some(Data::Float(f)) => (f * 100.0).round() as i64,
        Some(Data::Int(i)) => i * 100,
        _ => 0,
    };
    let sum_col = |book: &mut Xlsx<_>, sheet: &str, col: usize| -> i64 {
        let r = book.worksheet_range(sheet).unwrap();
        r.rows()
            .skip(1)
            .filter(|row| matches!(row.first(), Some(Data::Float(_)) | Some(Data::Int(_))))
            .map(|row| fen(row.get(col)))
            .sum()
    };
    let z = sum_col(&mut book, "片区奖补", 9);
    let t = sum_col(&mut book, "运营团队奖补", 5);
    assert_eq!(z + t, paid);

    for (uri, ct) in [
        ("/api/v1/awards/2025.pdf", "application/pdf"),
        ("/api/v1/scores/zone/2025/3.pdf", "application/pdf"),
    ] {
        let req = with_token(&app, Request::get(uri).body(Body::empty()).unwrap());
        let res = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(res.headers()["content-type"], ct, "{uri}");
    }
    let (_, pdf) = app.get("/api/v1/awards/2025.pdf").await;
    assert!(pdf.starts_with(b"%PDF"));
    let (s, _) = app.get("/api/v1/awards/2025.doc").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn with_token(app: &App, mut req: Request<Body>) -> Request<Body> {
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", app.token).parse().unwrap(),
    );
    req
}

#[tokio::test]
async fn a_draft_award_list_is_recomputed_with_the_form_and_approved_by_another_admin() {
    let app = demo_app().await;
    app.store.seed_demo_assessments(2025, 7).await.unwrap();
    let html = page(&app, "/scoring/awards?year=2025").await;
    assert!(html.contains("计算草案"));
    // A budget with a third decimal is refused by name, input kept.
    let (s, html) = app
        .post_form(
            "/scoring/awards/2025/compute",
            "version=0&mode=grade&cap=1000000&budget=500000.001&shortfall=pro_rata",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("年度预算") && html.contains("value=\"500000.001\""));
    let (s, _) = app
        .post_form(
            "/scoring/awards/2025/compute",
            "version=0&mode=linear&cap=1000000&budget=500000.01&shortfall=pro_rata",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, api) = app.get_json("/api/v1/awards?year=2025").await;
    assert_eq!(api["budget_fen"], 50_000_001);
    assert_eq!(api["mode"]["mode"], "LINEAR");
    let paid = api["paid_total_fen"].as_i64().unwrap();
    assert!(paid <= 50_000_001);
    let html = page(&app, "/scoring/awards?year=2025").await;
    let lines: i64 = attrs(&html, "data-amount-fen")
        .iter()
        .map(|a| a.parse::<i64>().unwrap())
        .sum();
    assert_eq!(lines, paid);
    // The drafter cannot approve.
    let v = api["version"].as_i64().unwrap();
    let (s, html) = app
        .post_form("/scoring/awards/2025/approve", &format!("version={v}"))
        .await;
    assert_ne!(s, StatusCode::SEE_OTHER);
    assert!(html.contains("award-messages"), "{html}");
    let second = app.token_for("chief", Role::Admin).await;
    let (s, _) = send_as(
        &app,
        &second,
        "POST",
        "/scoring/awards/2025/approve",
        &format!("version={v}"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let html = page(&app, "/scoring/awards?year=2025").await;
    assert!(html.contains("award-locked") && !html.contains("award-compute"));
}

#[tokio::test]
async fn a_viewer_sees_no_forms_and_is_refused() {
    let app = demo_app().await;
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let zone = app
        .store
        .scoring_subjects(gongfu_core::scoring::RubricKind::Zone)
        .await
        .unwrap()[0]
        .0;
    let url = format!("/scoring/zone/2025/{zone}");
    let req = Request::get(&url)
        .header("authorization", format!("Bearer {viewer}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8_lossy(&b);
    assert!(!html.contains("class=\"sc-entry\"") && !html.contains("/status\""));
    assert!(!html.contains("items-form"));
    let (_, card) = app
        .get_json(&format!("/api/v1/scores/zone/2025/{zone}"))
        .await;
    let (key, _) = number_rule(&card);
    for (uri, form) in [
        (
            format!("{url}/entries/{key}"),
            "version=0&value=5&evidence=x".to_string(),
        ),
        (format!("{url}/items"), "version=0".to_string()),
        (
            format!("{url}/status"),
            "version=1&status=reviewed".to_string(),
        ),
        (
            "/scoring/awards/2025/compute".to_string(),
            "version=0&mode=grade&cap=1&shortfall=pro_rata".to_string(),
        ),
        (
            "/scoring/awards/2025/approve".to_string(),
            "version=1".to_string(),
        ),
    ] {
        let (s, _) = send_as(&app, &viewer, "POST", &uri, &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
    }
    let req = Request::get("/scoring/awards?year=2025")
        .header("authorization", format!("Bearer {viewer}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&b).contains("award-compute"));
}
