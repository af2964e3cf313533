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

// ---------------------------------------------------------------- the forms

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// The 新建主体 fields with class rows `(name, basis, percent)` and two blank rows after them.
fn entity_form(name: &str, kind: &str, classes: &[(&str, &str, &str)]) -> String {
    let mut p: Vec<(&str, &str)> = vec![
        ("name", name),
        ("kind", kind),
        ("zone", ""),
        ("credit_code", ""),
    ];
    for (n, basis, pct) in classes
        .iter()
        .chain([("", "equal", ""), ("", "equal", "")].iter())
    {
        p.extend([
            ("class_name", *n),
            ("class_kind", "ordinary"),
            ("class_basis", *basis),
            ("class_split", *pct),
        ]);
    }
    form(&p)
}

/// Posts a form as the administrator, expects 303 and returns where it leads.
async fn post_located(app: &App, uri: &str, body: &str) -> String {
    let req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {}", app.token))
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let status = res.status();
    let loc = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(status, StatusCode::SEE_OTHER, "{uri}: {body}");
    loc
}

/// Creates an entity through the form; its id from the redirect.
async fn entity_through_form(
    app: &App,
    name: &str,
    kind: &str,
    classes: &[(&str, &str, &str)],
) -> i64 {
    let loc = post_located(app, "/equity", &entity_form(name, kind, classes)).await;
    loc.strip_prefix("/equity/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("redirect {loc}"))
}

#[tokio::test]
async fn the_entity_form_creates_a_40_25_35_entity_and_names_every_bad_field() {
    let app = seeded().await;
    let list = page(&app, "/equity").await;
    assert!(list.contains(r#"id="entity-form""#) && list.contains("新建主体"));
    let id = entity_through_form(
        &app,
        "表单测试强村公司",
        "strong_village_company",
        &[
            ("均等股", "equal", "40"),
            ("人口股", "population", "25"),
            ("激励股", "shares", "35"),
        ],
    )
    .await;
    let (s, e) = app.get_json(&format!("/api/v1/entities/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(e["name"], "表单测试强村公司");
    let splits: Vec<i64> = e["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["split_bp"].as_i64().unwrap())
        .collect();
    assert_eq!(splits, vec![4000, 2500, 3500], "blank rows are left out");
    assert_eq!(e["classes"][1]["basis"], "population");

    // Every bad field at once, in Chinese, with the input kept; a bad class row keeps its
    // place even after a blank row.
    let mut bad = entity_form("", "strong_village_company", &[("均等股", "equal", "40")]);
    bad.push('&');
    bad.push_str(&form(&[
        ("class_name", "人口股"),
        ("class_kind", "ordinary"),
        ("class_basis", "population"),
        ("class_split", "二十五"),
    ]));
    let (s, html) = app.post_form("/equity", &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写主体名称"), "{html}");
    assert!(html.contains("分配比例「二十五」无效"));
    assert!(html.contains(r#"value="二十五""#) && html.contains(r#"value="均等股""#));
    assert!(html.contains("<details class=\"card eq-form\" id=\"new-entity\" open>"));
    // The row typed fourth (after two blank ones) carries the error.
    let row = html.split(r#"data-row="3""#).nth(1).unwrap();
    let row = row.split("data-row=").next().unwrap();
    assert!(row.contains("分配比例「二十五」无效"), "{row}");

    // The 100 % rule.
    let (s, html) = app
        .post_form(
            "/equity",
            &entity_form(
                "比例不足公司",
                "zone_platform",
                &[
                    ("均等股", "equal", "40"),
                    ("人口股", "population", "25"),
                    ("激励股", "shares", "30"),
                ],
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("分配比例合计应为 100%，现为 95.00%"),
        "{html}"
    );
    assert!(html.contains(r#"value="比例不足公司""#) && html.contains(r#"value="30""#));
    let (_, all) = app.get_json("/api/v1/entities").await;
    assert!(!all.to_string().contains("比例不足公司"));
}

#[tokio::test]
async fn holders_requests_and_a_draft_through_the_entity_page_forms() {
    let app = seeded().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (_, demo) = approved_2025(&app).await;
    let village = demo["holders"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|h| h["village_code"].as_str())
        .unwrap()
        .to_string();
    let id = entity_through_form(
        &app,
        "表单股东测试公司",
        "强村公司",
        &[("均等股", "equal", "40"), ("出资股", "capital", "60")],
    )
    .await;
    let html = page(&app, &format!("/equity/{id}")).await;
    for f in ["holder-form", "request-form", "draft-form"] {
        assert!(html.contains(&format!(r#"id="{f}""#)), "{f}");
    }
    let holders = format!("/equity/{id}/holders");
    // A collective without its village is named; input kept.
    let (s, html) = app
        .post_form(
            &holders,
            &form(&[
                ("name", "甲村经合社"),
                ("kind", "village_collective"),
                ("village_code", ""),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("村集体股东请填写所属村代码"));
    assert!(html.contains(r#"value="甲村经合社""#));
    post_located(
        &app,
        &holders,
        &form(&[
            ("name", "甲村经合社"),
            ("kind", "village_collective"),
            ("village_code", &village),
            ("version", "1"),
        ]),
    )
    .await;
    // A stale form says who is there now and takes the new version.
    let (s, html) = app
        .post_form(
            &holders,
            &form(&[
                ("name", "某某企业"),
                ("kind", "enterprise"),
                ("village_code", ""),
                ("version", "1"),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("已被他人修改") && html.contains("甲村经合社"),
        "{html}"
    );
    assert!(html.contains(r#"name="version" value="2""#));
    post_located(
        &app,
        &holders,
        &form(&[
            ("name", "某某企业"),
            ("kind", "enterprise"),
            ("village_code", ""),
            ("version", "2"),
        ]),
    )
    .await;
    let (_, e) = app.get_json(&format!("/api/v1/entities/{id}")).await;
    let h1 = e["holders"][0]["id"].to_string();
    let h2 = e["holders"][1]["id"].to_string();
    assert_eq!(e["holders"][0]["village_code"], village.as_str());

    // Requests: the fields a kind needs are named; the others are ignored.
    let requests = format!("/equity/{id}/requests");
    let (s, html) = app
        .post_form(
            &requests,
            &form(&[
                ("kind", "transfer"),
                ("effective", "2025-01-01"),
                ("holder", &h1),
                ("to_holder", ""),
                ("class", "1"),
                ("units", "1"),
                ("amount", ""),
                ("asset", "被忽略"),
                ("valuer", ""),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("请选择受让方") && html.contains("请填写转让价格（元）"),
        "{html}"
    );
    assert!(!html.contains("评估机构或评估人"));
    assert!(html.contains(r#"<option value="transfer" selected>"#));
    let (s, html) = app
        .post_form(
            &requests,
            &form(&[
                ("kind", "in_kind"),
                ("effective", "2025-01-01"),
                ("holder", &h1),
                ("class", "2"),
                ("units", "300000"),
                ("amount", "300000"),
                ("asset", "闲置厂房"),
                ("valuer", ""),
            ]),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写评估机构或评估人"));
    assert!(html.contains(r#"value="闲置厂房""#));
    for (holder, class, units, amount) in [
        (&h1, "1", "1", "0"),
        (&h2, "1", "1", "0"),
        (&h1, "2", "300000", "300000"),
        (&h2, "2", "700000", "700000"),
    ] {
        post_located(
            &app,
            &requests,
            &form(&[
                ("kind", "subscription"),
                ("effective", "2025-01-01"),
                ("holder", holder),
                ("to_holder", ""),
                ("class", class),
                ("to_class", ""),
                ("units", units),
                ("to_units", ""),
                ("amount", amount),
                ("asset", ""),
                ("valuer", ""),
            ]),
        )
        .await;
    }
    let html = page(&app, &format!("/equity/{id}")).await;
    assert!(html.contains("待审批的股权变动（4）"));
    for r in app.store.equity_requests(id).await.unwrap() {
        let (s, _) = post_form_as(
            &app,
            &second,
            &format!("/equity/requests/{}/decision", r.id),
            &format!("verdict=approve&reason=&version={}", r.version),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }

    // 起草年度分配: yuan to the fen, every bad field named, input kept.
    let draft = |year: &str, net: &str| {
        form(&[
            ("version", "0"),
            ("year", year),
            ("net_income", net),
            ("prior_loss", ""),
            ("reserves_available", ""),
            ("cover_prior_losses", "1"),
            ("reserve_percent", "10"),
            ("welfare_percent", "5"),
            ("guarantee_kind", ""),
            ("guarantee_class", ""),
            ("guarantee_rate_percent", "不看"),
            ("guarantee_amount", ""),
            ("guarantee_multiple", ""),
            ("incentive_operator", ""),
            ("incentive_percent", "乱填"),
            ("incentive_cap", ""),
            ("incentive_prior_income", ""),
            ("distribute_percent", "60"),
            ("split_1", "40"),
            ("split_2", "60"),
        ])
    };
    let (s, html) = app
        .post_form(
            &format!("/equity/{id}/distributions"),
            &draft("明年", "12.345"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("年度「明年」无效") && html.contains("净收益「12.345」无效"),
        "{html}"
    );
    // Fields of a 保底 or incentive not chosen are ignored, whatever they hold.
    assert!(!html.contains("「不看」") && !html.contains("「乱填」"));
    assert!(
        html.contains(r#"value="12.345""#)
            && html.contains("<details class=\"eq-form\" id=\"draft-details\" open>")
    );
    let loc = post_located(
        &app,
        &format!("/equity/{id}/distributions"),
        &draft("2025", "1,234,567.89"),
    )
    .await;
    let did: i64 = loc
        .strip_prefix("/equity/distributions/")
        .unwrap()
        .parse()
        .unwrap();
    let (_, d) = app.get_json(&format!("/api/v1/distributions/{did}")).await;
    assert_eq!(d["net_income_fen"], 123_456_789);
    assert_eq!(d["status"], "draft");
    assert_eq!(d["waterfall"]["welfare"], 500);
    let html = page(&app, &loc).await;
    assert!(html.contains("修改草案") && html.contains(r#"value="1234567.89""#));
    assert!(html.contains("相符，精确到分"));

    // 修改草案 with the version read; a stale save says what is there now, keeps the input.
    let edit = format!("/equity/distributions/{did}/edit");
    let body = draft("2025", "2000000").replace("version=0", "version=1");
    post_located(&app, &edit, &body).await;
    let (_, d) = app.get_json(&format!("/api/v1/distributions/{did}")).await;
    assert_eq!(d["net_income_fen"], 200_000_000);
    let (s, html) = app
        .post_form(
            &edit,
            &draft("2025", "3000000").replace("version=0", "version=1"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("当前内容：2025 年度，净收益 2,000,000.00 元")
            && html.contains("再次保存将以您的输入替换"),
        "{html}"
    );
    assert!(html.contains(r#"value="3000000""#) && html.contains(r#"name="version" value="2""#));
    // Under review the form is gone.
    let (s, _) = app
        .post_form(
            &format!("/equity/distributions/{did}/status"),
            "status=review&version=2",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let html = page(&app, &loc).await;
    assert!(!html.contains("draft-form"));
}

#[tokio::test]
async fn a_cooperative_patronage_split_under_60_percent_is_refused_with_the_figure() {
    let app = seeded().await;
    let id = entity_through_form(
        &app,
        "兰花专业合作社",
        "cooperative",
        &[
            ("交易返还", "trade_volume", "60"),
            ("出资分红", "capital", "40"),
        ],
    )
    .await;
    let body = form(&[
        ("year", "2025"),
        ("net_income", "100000"),
        ("reserve_percent", "10"),
        ("distribute_percent", "100"),
        ("split_1", "50"),
        ("split_2", "50"),
    ]);
    let (s, html) = app
        .post_form(&format!("/equity/{id}/distributions"), &body)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("可分配盈余的 50.00%，低于《农民专业合作社法》规定的 60%"),
        "{html}"
    );
    assert!(html.contains(r#"name="split_1" value="50""#));
}

#[tokio::test]
async fn other_accounts_see_no_forms_and_their_posts_are_refused() {
    let app = seeded().await;
    let (d, e) = approved_2025(&app).await;
    let id = e["id"].as_i64().unwrap();
    let (s, c) = app
        .send_json("POST", "/api/v1/distributions", json!({"entity": id, "year": 2025, "net_income": "100000", "distribute_percent": "60", "corrects": d["id"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let token = app
        .token_for(
            "bumen",
            Role::Department {
                unit: "区财政局".into(),
            },
        )
        .await;
    let list = page_as(&app, &token, "/equity").await;
    assert!(!list.contains("entity-form") && !list.contains(r#"id="new-entity""#));
    let html = page_as(&app, &token, &format!("/equity/{id}")).await;
    for f in ["holder-form", "request-form", "draft-form", "equity-forms"] {
        assert!(!html.contains(f), "{f}");
    }
    let html = page_as(&app, &token, &format!("/equity/distributions/{}", c["id"])).await;
    assert!(!html.contains("draft-form"));
    let ok_entity = entity_form("越权公司", "zone_platform", &[("均等股", "equal", "100")]);
    for (uri, body) in [
        ("/equity".to_string(), ok_entity.as_str()),
        (
            format!("/equity/{id}/holders"),
            "name=某户&kind=household&version=1",
        ),
        (format!("/equity/{id}/requests"), "kind=subscription"),
        (
            format!("/equity/{id}/distributions"),
            "year=2025&net_income=1&distribute_percent=60",
        ),
        (
            format!("/equity/distributions/{}/edit", c["id"]),
            "year=2025&net_income=1&distribute_percent=60&version=1",
        ),
    ] {
        let (s, html) = post_form_as(&app, &token, &uri, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
        assert!(html.contains("由区管理员办理"), "{html}");
    }
}
