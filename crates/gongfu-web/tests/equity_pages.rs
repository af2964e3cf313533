//! 利益共享 pages over the seeded demo equity: the list, an entity with its register and
//! pending requests, the distribution table and its public notice, each showing the figures the
//! API answers; a refused self-approval shows the store's message; a village account sees no
//! decision buttons.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, demo_app};
use gongfu_core::Fen;
use gongfu_core::auth::Role;
use serde_json::{Value, json};

async fn seeded() -> App {
    let app = demo_app().await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
    let district = gongfu_demo::generate(&divisions, &towns, 7);
    let equity = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
    app.store.seed_demo_equity(&equity).await.unwrap();
    app
}

async fn page(app: &App, uri: &str) -> String {
    let (s, b) = app.get(uri).await;
    let html = String::from_utf8_lossy(&b).into_owned();
    assert_eq!(s, StatusCode::OK, "{uri}: {html}");
    html
}

async fn page_as(app: &App, token: &str, uri: &str) -> String {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    let html = String::from_utf8_lossy(&b).into_owned();
    assert_eq!(s, StatusCode::OK, "{uri}: {html}");
    html
}

async fn post_form_as(app: &App, token: &str, uri: &str, form: &str) -> (StatusCode, String) {
    let req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(form.to_string()))
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, String::from_utf8_lossy(&b).into_owned())
}

fn yuan(v: &Value) -> String {
    Fen(v.as_i64().unwrap_or_else(|| panic!("not fen: {v}"))).yuan_string()
}

/// The demo's approved 2025 distribution and its entity, from the API.
async fn approved_2025(app: &App) -> (Value, Value) {
    let (s, list) = app.get_json("/api/v1/distributions?year=2025").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["status"] == "approved" && !d["payouts"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("no approved 2025 distribution: {list}"))["id"]
        .clone();
    let (_, d) = app.get_json(&format!("/api/v1/distributions/{id}")).await;
    let (_, e) = app
        .get_json(&format!("/api/v1/entities/{}", d["entity"]["id"]))
        .await;
    (d, e)
}

#[tokio::test]
async fn the_list_and_the_entity_page_show_the_register() {
    let app = seeded().await;
    let (_, entities) = app.get_json("/api/v1/entities").await;
    let html = page(&app, "/equity").await;
    assert!(html.contains("利益共享"));
    for e in entities["items"].as_array().unwrap() {
        assert!(html.contains(e["name"].as_str().unwrap()), "{e}");
        assert!(html.contains(&format!("/equity/{}", e["id"])));
    }
    let (d, e) = approved_2025(&app).await;
    assert!(html.contains(&format!("/equity/distributions/{}", d["id"])));

    let id = e["id"].as_i64().unwrap();
    let html = page(&app, &format!("/equity/{id}?as_of=2025-12-31")).await;
    for c in e["classes"].as_array().unwrap() {
        assert!(html.contains(c["name"].as_str().unwrap()), "{c}");
    }
    for h in e["holders"].as_array().unwrap() {
        assert!(html.contains(h["name"].as_str().unwrap()), "{h}");
    }
    let (_, r) = app
        .get_json(&format!("/api/v1/entities/{id}/register?as_of=2025-12-31"))
        .await;
    for l in r["lines"].as_array().unwrap() {
        assert!(html.contains(&format!("第 {} 号", l["no"])), "{l}");
    }
    assert!(html.contains(r#"type="date" name="as_of" value="2025-12-31""#));
    assert!(html.contains(&format!("/equity/distributions/{}", d["id"])));
    // Before any line the register is empty; a bad date falls back to today with a message.
    let early = page(&app, &format!("/equity/{id}?as_of=1990-01-01")).await;
    assert!(early.contains("截至该日尚无登记"));
    let bad = page(&app, &format!("/equity/{id}?as_of=明天")).await;
    assert!(bad.contains("已按今天显示"));
    let (s, _) = app.get("/equity/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_distribution_table_and_notice_show_the_api_figures() {
    let app = seeded().await;
    let (d, e) = approved_2025(&app).await;
    let id = d["id"].as_i64().unwrap();
    let html = page(&app, &format!("/equity/distributions/{id}")).await;
    let paid = d["net_income_fen"].as_i64().unwrap() - d["retained_fen"].as_i64().unwrap();
    let total = Fen(paid).yuan_string();
    assert!(
        html.contains(&format!(r#"id="dist-total">{total}<"#)),
        "total {total} missing"
    );
    assert!(html.contains(&yuan(&d["net_income_fen"])));
    assert!(html.contains(&yuan(&d["retained_fen"])));
    assert!(html.contains("相符，精确到分"));
    for step in [
        "弥补亏损",
        "公积金",
        "公益金",
        "保底",
        "运营激励",
        "可分配",
        "本期留存",
        "上期结转",
    ] {
        assert!(html.contains(&format!("<th>{step}</th>")), "{step}");
    }
    for p in d["payouts"].as_array().unwrap() {
        assert!(html.contains(p["holder_name"].as_str().unwrap()), "{p}");
        assert!(html.contains(&yuan(&p["amount_fen"])), "{p}");
    }
    // 村集体分配额: the sum of what village collectives were paid.
    let village: i64 = d["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            e["holders"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == p["holder"] && h["kind"] == "village_collective")
        })
        .map(|p| p["amount_fen"].as_i64().unwrap())
        .sum();
    assert!(html.contains(&format!(
        r#"id="dist-village">{} 元"#,
        Fen(village).yuan_string()
    )));
    // Approved is final: no buttons to move it.
    assert!(!html.contains("move-approved") && !html.contains("move-review"));

    let notice = page(&app, &format!("/equity/distributions/{id}/notice")).await;
    assert!(notice.contains("收益分配公示"));
    assert!(notice.contains("公示期"));
    assert!(notice.contains(&format!(r#"id="notice-paid">{total}<"#)));
    assert!(notice.contains("@media print"));
    for p in d["payouts"].as_array().unwrap() {
        assert!(notice.contains(p["holder_name"].as_str().unwrap()));
    }
    let (s, _) = app.get("/equity/distributions/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_self_approval_is_refused_with_its_message_and_another_administrator_approves() {
    let app = seeded().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (_, e) = approved_2025(&app).await;
    let id = e["id"].as_i64().unwrap();
    let holder = e["holders"][0]["id"].clone();
    let class = e["classes"][0]["id"].clone();
    let (s, r) = app
        .send_json(
            "POST",
            &format!("/api/v1/entities/{id}/requests"),
            json!({"kind": "认购", "effective": "2025-06-30", "holder": holder, "class": class, "units": "1", "amount": "0"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let html = page(&app, &format!("/equity/{id}")).await;
    assert!(html.contains(&format!("/equity/requests/{rid}/decision")));
    let (s, html) = app
        .post_form(
            &format!("/equity/requests/{rid}/decision"),
            &format!("verdict=approve&reason=&version={}", r["version"]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能审批自己提交的申请"), "{html}");
    // A refusal needs a reason.
    let (s, html) = post_form_as(
        &app,
        &second,
        &format!("/equity/requests/{rid}/decision"),
        &format!("verdict=refuse&reason=&version={}", r["version"]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("驳回时请填写理由"));
    let (s, _) = post_form_as(
        &app,
        &second,
        &format!("/equity/requests/{rid}/decision"),
        &format!("verdict=approve&reason=&version={}", r["version"]),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, after) = app
        .get_json(&format!("/api/v1/entities/{id}/register?as_of=2025-06-30"))
        .await;
    let last = after["lines"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["request"], rid);
    let html = page(&app, &format!("/equity/{id}?as_of=2025-06-30")).await;
    assert!(html.contains(&format!("第 {} 号", last["no"])));
    assert!(!html.contains(&format!("/equity/requests/{rid}/decision")));
}

#[tokio::test]
async fn a_correction_moves_through_review_and_the_drafter_may_not_approve_it() {
    let app = seeded().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (d, e) = approved_2025(&app).await;
    let (s, c) = app
        .send_json(
            "POST",
            "/api/v1/distributions",
            json!({"entity": e["id"], "year": 2025, "net_income": "100000", "distribute_percent": "60", "corrects": d["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_i64().unwrap();
    let html = page(&app, &format!("/equity/distributions/{cid}")).await;
    assert!(html.contains("草案") && html.contains("move-review"));
    assert!(!html.contains("move-approved"));
    let (s, _) = app
        .post_form(
            &format!("/equity/distributions/{cid}/status"),
            &format!("status=review&version={}", c["version"]),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, c) = app.get_json(&format!("/api/v1/distributions/{cid}")).await;
    let html = page(&app, &format!("/equity/distributions/{cid}")).await;
    assert!(html.contains("move-approved") && html.contains("move-draft"));
    // The drafter's approval is refused and the page says why.
    let (s, html) = app
        .post_form(
            &format!("/equity/distributions/{cid}/status"),
            &format!("status=approved&version={}", c["version"]),
        )
        .await;
    assert_ne!(s, StatusCode::SEE_OTHER);
    assert!(html.contains("未办理"), "{html}");
    let (_, still) = app.get_json(&format!("/api/v1/distributions/{cid}")).await;
    assert_eq!(still["status"], "review");
    // A stale form is refused too.
    let (s, _) = post_form_as(
        &app,
        &second,
        &format!("/equity/distributions/{cid}/status"),
        "status=approved&version=0",
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = post_form_as(
        &app,
        &second,
        &format!("/equity/distributions/{cid}/status"),
        &format!("status=approved&version={}", c["version"]),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let html = page(&app, &format!("/equity/distributions/{cid}")).await;
    assert!(html.contains("已批准") && html.contains("已锁定"));
    assert!(html.contains(&format!("/equity/distributions/{}", d["id"])));
}

#[tokio::test]
async fn a_village_account_sees_the_pages_without_decision_buttons() {
    let app = seeded().await;
    let (d, e) = approved_2025(&app).await;
    let id = e["id"].as_i64().unwrap();
    // A pending request and a draft, so that an administrator would see buttons.
    let (s, r) = app
        .send_json(
            "POST",
            &format!("/api/v1/entities/{id}/requests"),
            json!({"kind": "认购", "effective": "2025-06-30", "holder": e["holders"][0]["id"], "class": e["classes"][0]["id"], "units": "1", "amount": "0"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, c) = app
        .send_json(
            "POST",
            "/api/v1/distributions",
            json!({"entity": id, "year": 2025, "net_income": "100000", "distribute_percent": "60", "corrects": d["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let village = e["holders"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|h| h["village_code"].as_str())
        .expect("a village holder")
        .to_string();
    let token = app
        .token_for(
            "cun",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&village).unwrap(),
            },
        )
        .await;
    let admin = page(&app, &format!("/equity/{id}")).await;
    assert!(admin.contains("decide-approve"));
    let html = page_as(&app, &token, &format!("/equity/{id}")).await;
    assert!(html.contains(&format!("/equity/distributions/{}", c["id"])));
    assert!(!html.contains("decide-approve") && !html.contains("decide-refuse"));
    let html = page_as(&app, &token, &format!("/equity/distributions/{}", c["id"])).await;
    assert!(!html.contains("move-review") && !html.contains("/status"));
    page_as(&app, &token, "/equity").await;
    page_as(
        &app,
        &token,
        &format!("/equity/distributions/{}/notice", d["id"]),
    )
    .await;
    // And a post anyway is refused by the store.
    let (s, _) = post_form_as(
        &app,
        &token,
        &format!("/equity/requests/{}/decision", r["id"]),
        &format!("verdict=approve&version={}", r["version"]),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
