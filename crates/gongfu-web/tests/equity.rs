//! Benefit sharing (利益共享) through the HTTP API: entities with every bad field named, writes
//! only by district administrators, change requests approved by someone other than the
//! requester into numbered register lines, the register as of a date, and a distribution that
//! adds up to the fen, is locked once approved and corrected only by a new linked one.

mod common;

use axum::http::StatusCode;
use common::{App, demo_app};
use gongfu_core::TownCode;
use gongfu_core::auth::Role;
use serde_json::{Value, json};

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details in {v}"))
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

fn code(v: &Value) -> String {
    v["error"]["details"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Three member villages of the first zone, and the zone.
async fn villages(app: &App) -> (i64, Vec<String>) {
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let zone = zones["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = app.get_json(&format!("/api/v1/zones/{zone}")).await;
    let v: Vec<String> = detail["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["village"]["code"].as_str().unwrap().to_string())
        .take(3)
        .collect();
    assert!(v.len() >= 2, "{detail}");
    (zone, v)
}

/// A zone company with an equal class (40 %) and a capital class (60 %) and the villages'
/// 经合社 as holders; returns (entity id, holder ids).
async fn company(app: &App) -> (i64, Vec<i64>, Vec<String>) {
    let (zone, villages) = villages(app).await;
    let holders: Vec<Value> = villages
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"name": format!("第{}村股份经济合作社", i + 1), "kind": "村集体", "village_code": v}))
        .collect();
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/entities",
            json!({"name": "片区共富强村公司", "kind": "强村公司", "zone": zone,
                   "classes": [
                       {"name": "均等股", "kind": "普通股", "basis": "均等", "split_percent": "40"},
                       {"name": "出资股", "kind": "普通股", "basis": "出资额", "split_percent": "60"}],
                   "holders": holders}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let ids = e["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    (e["id"].as_i64().unwrap(), ids, villages)
}

/// Submits a change as the administrator and has a second administrator approve it.
async fn register(app: &App, second: &str, entity: i64, change: Value) -> Value {
    let (s, r) = app
        .send_json(
            "POST",
            &format!("/api/v1/entities/{entity}/requests"),
            change,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, d) = app
        .send_json_as(
            second,
            "POST",
            &format!("/api/v1/requests/{}/decision", r["id"]),
            json!({"verdict": "approve", "version": r["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// Each village subscribes 1 equal unit and 50 万元 of capital on 2024-01-01.
async fn subscribe_all(app: &App, second: &str, entity: i64, holders: &[i64]) {
    for h in holders {
        register(
            app,
            second,
            entity,
            json!({"kind": "认购", "effective": "2024-01-01", "holder": h, "class": 1, "units": "1", "amount": "0"}),
        )
        .await;
        register(
            app,
            second,
            entity,
            json!({"kind": "subscription", "effective": "2024-01-01", "holder": h, "class": 2, "units": "500000", "amount": "500000"}),
        )
        .await;
    }
}

#[tokio::test]
async fn entities_are_validated_and_written_only_by_administrators() {
    let app = demo_app().await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/entities",
            json!({"name": "", "kind": "银行", "credit_code": "123",
                   "classes": [{"name": "", "kind": "普通股", "basis": "面积", "split_percent": "12.345"}],
                   "holders": [{"name": "", "kind": "村集体", "village_code": ""}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let f = fields(&e);
    for want in [
        "kind",
        "classes[0].name",
        "classes[0].basis",
        "classes[0].split_percent",
        "credit_code",
        "holders[0].name",
        "holders[0].village_code",
    ] {
        assert!(f.contains(&want.to_string()), "{want} missing in {f:?}");
    }
    // Splits not adding to 100 % are refused with the sum.
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/entities",
            json!({"name": "平台公司", "kind": "片区平台公司",
                   "classes": [{"name": "甲", "kind": "普通股", "basis": "均等", "split_percent": "40"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message"].as_str().unwrap().contains("40.00%"));

    let (entity, holders, villages) = company(&app).await;
    let (s, list) = app.get_json("/api/v1/entities").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == entity)
    );
    let (_, detail) = app.get_json(&format!("/api/v1/entities/{entity}")).await;
    let zone = detail["zone"]["id"].as_i64().unwrap();
    let (_, mine) = app.get_json(&format!("/api/v1/entities?zone={zone}")).await;
    assert_eq!(mine["total"], 1);
    let (s, _) = app.get_json("/api/v1/entities?zone=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // A town account reads, but writes nothing here.
    let town = app
        .token_for(
            "town_user",
            Role::Town {
                town: TownCode::parse(&villages[0][..9]).unwrap(),
            },
        )
        .await;
    let (s, _) = app
        .send_json_as(
            &town,
            "POST",
            "/api/v1/entities",
            json!({"name": "镇强村公司", "kind": "强村公司",
                   "classes": [{"name": "均等股", "kind": "普通股", "basis": "均等", "split_percent": "100"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let url = format!("/api/v1/entities/{entity}/requests");
    let sub = json!({"kind": "认购", "effective": "2024-01-01", "holder": holders[0], "class": 2, "units": "500000", "amount": "500000"});
    let (s, _) = app.send_json_as(&town, "POST", &url, sub.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A request's fields are named; a holder of another entity is refused.
    let (s, e) = app
        .send_json(
            "POST",
            &url,
            json!({"kind": "赠与", "effective": "2024-13-01", "holder": holders[0], "class": 2, "units": "-5"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["kind", "effective", "units"], "{e}");
    let (s, e) = app
        .send_json(
            "POST",
            &url,
            json!({"kind": "认购", "effective": "2024-01-01", "holder": 999999, "class": 2, "units": "1", "amount": "1"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["holder"]);

    // Submitted by the administrator: not approvable by the same account, nor by a town.
    let (s, r) = app.send_json("POST", &url, sub).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "pending");
    let decision = format!("/api/v1/requests/{}/decision", r["id"]);
    let (s, e) = app
        .send_json(
            "POST",
            &decision,
            json!({"verdict": "approve", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "self_approval");
    let (s, _) = app
        .send_json_as(
            &town,
            "POST",
            &decision,
            json!({"verdict": "approve", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let second = app.token_for("admin2", Role::Admin).await;
    let (s, d) = app
        .send_json_as(
            &second,
            "POST",
            &decision,
            json!({"verdict": "approve", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "approved");
    assert_eq!(d["line_no"], 1);
    // A refusal needs its reason; unknown requests and entities are 404.
    let (_, r2) = app
        .send_json(
            "POST",
            &url,
            json!({"kind": "认购", "effective": "2024-02-01", "holder": holders[1], "class": 2, "units": "1000", "amount": "1000"}),
        )
        .await;
    let (s, e) = app
        .send_json_as(
            &second,
            "POST",
            &format!("/api/v1/requests/{}/decision", r2["id"]),
            json!({"verdict": "refuse", "reason": " ", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["reason"]);
    let (s, _) = app
        .send_json_as(
            &second,
            "POST",
            "/api/v1/requests/987654/decision",
            json!({"verdict": "approve", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_json("/api/v1/entities/987654").await.0,
        StatusCode::NOT_FOUND
    );
    // The same stale decision again: 409.
    let (s, _) = app
        .send_json_as(
            &second,
            "POST",
            &decision,
            json!({"verdict": "refuse", "reason": "重复", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A stale holder addition: 409.
    let (_, now) = app.get_json(&format!("/api/v1/entities/{entity}")).await;
    let holders_url = format!("/api/v1/entities/{entity}/holders");
    let (s, _) = app
        .send_json(
            "POST",
            &holders_url,
            json!({"name": "区国资公司", "kind": "国有公司", "version": now["version"].as_i64().unwrap() + 5}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, added) = app
        .send_json(
            "POST",
            &holders_url,
            json!({"name": "区国资公司", "kind": "国有公司", "version": now["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    assert_eq!(
        added["holders"].as_array().unwrap().len(),
        holders.len() + 1
    );
}

#[tokio::test]
async fn the_register_as_of_a_date_is_replayed_from_its_lines() {
    let app = demo_app().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (entity, holders, _) = company(&app).await;
    subscribe_all(&app, &second, entity, &holders).await;
    // A transfer of 10 万元 of capital from the first village to the second in 2025.
    let line = register(
        &app,
        &second,
        entity,
        json!({"kind": "转让", "effective": "2025-03-01", "holder": holders[0], "to_holder": holders[1],
               "class": 2, "units": "100000", "amount": "100000"}),
    )
    .await;
    let n = holders.len() as i64 * 2 + 1;
    assert_eq!(line["line_no"], n);
    let units = |r: &Value, h: i64| {
        r["holdings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["holder"] == h && x["class"] == 2)
            .map(|x| x["units"].as_i64().unwrap())
            .unwrap_or(0)
    };
    let url = format!("/api/v1/entities/{entity}/register");
    let (s, before) = app.get_json(&format!("{url}?as_of=2024-12-31")).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    assert_eq!(before["lines"].as_array().unwrap().len() as i64, n - 1);
    assert_eq!(units(&before, holders[0]), 50_000_000);
    let (_, after) = app.get_json(&format!("{url}?as_of=2025-06-30")).await;
    assert_eq!(after["lines"].as_array().unwrap().len() as i64, n);
    assert_eq!(units(&after, holders[0]), 40_000_000);
    assert_eq!(units(&after, holders[1]), 60_000_000);
    let (_, empty) = app.get_json(&format!("{url}?as_of=2023-12-31")).await;
    assert!(empty["holdings"].as_array().unwrap().is_empty());
    let (s, e) = app.get_json(&format!("{url}?as_of=2025-02-30")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["as_of"]);
    // A back-dated request is refused on approval, with the reason.
    let (_, r) = app
        .send_json(
            "POST",
            &format!("/api/v1/entities/{entity}/requests"),
            json!({"kind": "认购", "effective": "2024-06-01", "holder": holders[0], "class": 2, "units": "1", "amount": "1"}),
        )
        .await;
    let (s, e) = app
        .send_json_as(
            &second,
            "POST",
            &format!("/api/v1/requests/{}/decision", r["id"]),
            json!({"verdict": "approve", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "backdated", "{e}");
}

#[tokio::test]
async fn a_distribution_adds_up_to_the_fen_is_locked_once_approved_and_corrected_by_a_new_one() {
    let app = demo_app().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (entity, holders, _) = company(&app).await;
    subscribe_all(&app, &second, entity, &holders).await;
    let body = |net: &str| {
        json!({"entity": entity, "year": 2025, "net_income": net, "cover_prior_losses": true,
               "reserve_percent": "10", "welfare_percent": "5",
               "guarantee_kind": "按出资比例", "guarantee_class": 2, "guarantee_rate_percent": "6",
               "distribute_percent": "60"})
    };
    // Every bad field named.
    let mut bad = body("三百万");
    bad["reserve_percent"] = json!("x");
    bad["prior_loss"] = json!("-3");
    let (s, e) = app.send_json("POST", "/api/v1/distributions", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let f = fields(&e);
    for want in ["reserve_percent", "net_income", "prior_loss"] {
        assert!(f.contains(&want.to_string()), "{want} missing in {f:?}");
    }
    let (s, d) = app
        .send_json("POST", "/api/v1/distributions", body("1234567.89"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["status"], "draft");
    let net = d["net_income_fen"].as_i64().unwrap();
    assert_eq!(net, 123_456_789);
    let paid: i64 = d["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount_fen"].as_i64().unwrap())
        .sum();
    assert!(paid > 0);
    assert_eq!(d["retained_fen"].as_i64().unwrap() + paid, net, "{d}");
    assert!(d["steps"].as_array().unwrap().len() > 3);
    assert!(!d["village_income"].as_array().unwrap().is_empty());
    let id = d["id"].as_i64().unwrap();
    let one = format!("/api/v1/distributions/{id}");

    // A draft is edited with its version; a stale edit is 409.
    let mut edit = body("1200000");
    edit["version"] = json!(1);
    let (s, d2) = app.send_json("PUT", &one, edit.clone()).await;
    assert_eq!(s, StatusCode::OK, "{d2}");
    assert_eq!(d2["net_income_fen"], 120_000_000);
    let (s, _) = app.send_json("PUT", &one, edit).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // 草案 → 审核 → 已批准, never by the drafter.
    let status = format!("{one}/status");
    let (s, e) = app
        .send_json("POST", &status, json!({"status": "已批准", "version": 2}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "draft cannot jump: {e}"
    );
    let (s, r) = app
        .send_json("POST", &status, json!({"status": "审核", "version": 2}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, e) = app
        .send_json("POST", &status, json!({"status": "approved", "version": 3}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "self_approval");
    let town = app
        .token_for(
            "town_reader",
            Role::Town {
                town: TownCode::parse("330603100").unwrap(),
            },
        )
        .await;
    let (s, _) = app
        .send_json_as(
            &town,
            "POST",
            &status,
            json!({"status": "approved", "version": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, a) = app
        .send_json_as(
            &second,
            "POST",
            &status,
            json!({"status": "approved", "version": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "approved");
    assert_eq!(a["locked"], true);

    // Locked: no edit, no status change, no second plain draft for the year.
    let mut edit = body("1");
    edit["version"] = json!(4);
    let (s, e) = app.send_json("PUT", &one, edit).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "locked");
    let (s, e) = app
        .send_json_as(
            &second,
            "POST",
            &status,
            json!({"status": "draft", "version": 4}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "locked");
    let (s, e) = app
        .send_json("POST", "/api/v1/distributions", body("1"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&e), "already_approved");
    // The database refuses too.
    let (s, unchanged) = app.get_json(&one).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(unchanged["net_income_fen"], 120_000_000);

    // A correction is a new distribution linked to the approved one.
    let mut fix = body("1250000");
    fix["corrects"] = json!(id);
    let (s, c) = app.send_json("POST", "/api/v1/distributions", fix).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["corrects"], id);
    assert_ne!(c["id"], id);
    let (_, orig) = app.get_json(&one).await;
    assert_eq!(orig["corrected_by"], json!([c["id"]]));
    let (s, list) = app.get_json("/api/v1/distributions?year=2025").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 2, "{list}");
    let (s, _) = app.get_json("/api/v1/distributions?year=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_loss_year_pays_nothing_and_carries_the_loss() {
    let app = demo_app().await;
    let second = app.token_for("admin2", Role::Admin).await;
    let (entity, holders, _) = company(&app).await;
    subscribe_all(&app, &second, entity, &holders).await;
    let (s, d) = app
        .send_json(
            "POST",
            "/api/v1/distributions",
            json!({"entity": entity, "year": 2025, "net_income": "-80000", "prior_loss": "20000",
                   "cover_prior_losses": true, "distribute_percent": "100"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let paid: i64 = d["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(paid, 0);
    assert_eq!(d["retained_fen"], -8_000_000);
    assert_eq!(d["loss_carried_forward_fen"], 10_000_000, "{d}");
}

#[tokio::test]
async fn a_cooperative_returning_under_60_percent_by_trade_is_refused_with_the_reason() {
    let app = demo_app().await;
    let (_, villages) = villages(&app).await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/entities",
            json!({"name": "兰花专业合作社", "kind": "合作社",
                   "classes": [
                       {"name": "交易量返还", "kind": "个人股", "basis": "交易量", "split_percent": "50"},
                       {"name": "出资股", "kind": "个人股", "basis": "出资额", "split_percent": "50"}],
                   "holders": [{"name": "沈建国", "kind": "社员", "village_code": villages[0]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (s, d) = app
        .send_json(
            "POST",
            "/api/v1/distributions",
            json!({"entity": e["id"], "year": 2025, "net_income": "100000", "distribute_percent": "100"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{d}");
    assert_eq!(code(&d), "patronage_below_60");
    assert!(d["error"]["message"].as_str().unwrap().contains("60%"));
    // A split of 60 / 40 passes.
    let (s, d) = app
        .send_json(
            "POST",
            "/api/v1/distributions",
            json!({"entity": e["id"], "year": 2025, "net_income": "100000", "distribute_percent": "100",
                   "class_split": [[1, "60"], [2, "40"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    // Nobody holds shares yet: everything is retained, and it still adds up.
    assert_eq!(d["retained_fen"], d["net_income_fen"]);
    let (s, list) = app
        .get_json(&format!("/api/v1/distributions?entity={}", e["id"]))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 1);
}
