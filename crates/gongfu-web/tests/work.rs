//! Zone work through the HTTP API and the pages, on a real database: the plan's approval,
//! projects along their flow, a meeting whose decision becomes an action item that its owner
//! sees and closes, actors, evidence files, stale saves, and the pages that show it all.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, demo_app};
use gongfu_core::auth::Role;
use serde_json::{Value, json};

/// A zone all of whose members are in one town, with its members' codes.
async fn a_zone(app: &App) -> (i64, Vec<String>) {
    let (_, z) = app.get_json("/api/v1/zones").await;
    for zone in z["items"].as_array().unwrap() {
        let id = zone["id"].as_i64().unwrap();
        let (_, d) = app.get_json(&format!("/api/v1/zones/{id}")).await;
        let members: Vec<String> = d["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["village"]["code"].as_str().unwrap().to_string())
            .collect();
        if members.iter().all(|m| m[..9] == members[0][..9]) {
            return (id, members);
        }
    }
    panic!("no single-town zone in the demo");
}

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| x["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_plan_goes_from_draft_to_approval_and_its_tasks_become_projects() {
    let app = demo_app().await;
    let (zone, members) = a_zone(&app).await;
    let (s, p) = app
        .send_json(
            "POST",
            &format!("/api/v1/zones/{zone}/plan/versions"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    // Submitting an empty draft names every missing section.
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/plans/{id}/step"),
            json!({"step": "submit", "version": p["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&e).contains(&"positioning".to_string()), "{e}");
    let body = json!({
        "positioning": "茶旅融合共富片区", "spatial_structure": "一核两带", "industry_layout": "茶叶、民宿",
        "land_use": "120.5", "reserved_quota": "6", "tasks": "1. 茶叶加工中心\n2. 游步道",
        "operation_model": "强村公司统一运营", "version": p["version"],
    });
    let (s, saved) = app
        .send_json("PUT", &format!("/api/v1/plans/{id}"), body.clone())
        .await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["land_use_mu"], "120.5");
    // The same save again is stale.
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/plans/{id}"), body)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let v = saved["version"].clone();
    let (s, _) = app
        .send_json(
            "POST",
            &format!("/api/v1/plans/{id}/step"),
            json!({"step": "submit", "version": v}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, ok) = app
        .send_json(
            "POST",
            &format!("/api/v1/plans/{id}/step"),
            json!({"step": "approve", "version": v.as_i64().unwrap() + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    let (_, plan) = app.get_json(&format!("/api/v1/zones/{zone}/plan")).await;
    assert_eq!(plan["in_force"]["id"].as_i64(), Some(id));
    let task = plan["in_force"]["tasks"][0]["id"].as_i64().unwrap();
    let (s, prj) = app
        .send_json(
            "POST",
            "/api/v1/projects",
            json!({
                "zone": zone, "name": "茶叶加工中心", "mechanism": "产业共链", "kind": "产业发展",
                "lead_unit": "区农业农村局", "villages": members[0], "planned_fiscal": "800000",
                "end": "2025-05-31", "origin": {"kind": "plan_task", "id": task},
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{prj}");
    assert_eq!(prj["origin"], json!({"kind": "plan_task", "id": task}));
    assert_eq!(prj["planned"]["fiscal_fen"], 80_000_000);
    // Today is 2025-06-30 in these tests: a 谋划 project due 05-31 is 30 days late.
    assert_eq!(prj["days_overdue"], 30);
    let (_, late) = app
        .get_json(&format!("/api/v1/projects?zone={zone}&overdue=true"))
        .await;
    assert_eq!(late["total"], 1);
    // The page shows the plan with the task's project.
    let (s, html) = app.get(&format!("/zones/{zone}/plan")).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("茶旅融合共富片区") && html.contains("茶叶加工中心"),
        "plan page"
    );
}

#[tokio::test]
async fn projects_refuse_bad_input_and_skipped_steps() {
    let app = demo_app().await;
    let (zone, members) = a_zone(&app).await;
    let (s, e) = app
        .send_json("POST", "/api/v1/projects", json!({
            "zone": zone, "name": "", "mechanism": "共同富裕", "kind": "产业发展", "lead_unit": "x",
            "planned_fiscal": "12.345", "start": "2025-05-01", "end": "2025-04-01",
        }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["name", "mechanism", "planned_fiscal", "end"]);
    let (s, p) = app
        .send_json("POST", "/api/v1/projects", json!({
            "zone": zone, "name": "村道提升", "mechanism": "facilities", "kind": "infrastructure",
            "lead_unit": "区交通运输局", "villages": members.join("、"), "start": "2025-03-01",
        }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (s, e) = app
        .send_json(
            "POST",
            &format!("/api/v1/projects/{id}/status"),
            json!({"status": "在建", "version": p["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("只能转为「立项」"),
        "{e}"
    );
    let (s, p) = app
        .send_json(
            "POST",
            &format!("/api/v1/projects/{id}/status"),
            json!({"status": "立项", "version": p["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = app
        .send_json("PUT", &format!("/api/v1/projects/{id}/items"), json!({
            "items": [{"name": "路基", "weight": 2, "progress": 100}, {"name": "路面", "weight": 2, "progress": 50}],
            "version": p["version"],
        }))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["progress"], 75);
    let (s, e) = app
        .send_json(
            "PUT",
            &format!("/api/v1/projects/{id}/items"),
            json!({
                "items": [{"name": "路基", "weight": 0, "progress": 101}], "version": p["version"],
            }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["items[0].weight", "items[0].progress"]);
    let (s, html) = app.get(&format!("/projects/{id}")).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("村道提升") && html.contains("75%"),
        "project page"
    );
    let (s, html) = app.get(&format!("/projects?zone={zone}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(html).unwrap().contains("村道提升"));
}

#[tokio::test]
async fn a_decision_becomes_an_action_item_its_owner_sees_and_closes() {
    let app = demo_app().await;
    let (zone, members) = a_zone(&app).await;
    // A meeting recorded through the page form; a bad one keeps the input and says why.
    let (s, html) = app
        .post_form(
            "/meetings",
            &format!("zone={zone}&held_on=2025-07-02&title=%E6%8E%A8%E8%BF%9B%E4%BC%9A&attendees="),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("会议日期不能晚于今天") && html.contains("请填写参会人员"),
        "{html}"
    );
    assert!(html.contains("value=\"推进会\""), "input kept");
    let (s, m) = app
        .send_json(
            "POST",
            "/api/v1/meetings",
            json!({
                "zone": zone, "held_on": "2025-06-20", "title": "片区第二次工作推进会",
                "attendees": "王五（镇政府）\n李四（区农业农村局）",
                "decisions": "1. 启动加工中心选址\n2. 成立片区运营公司",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let decision = m["decisions"][0]["id"].as_i64().unwrap();
    let village_token = app
        .token_for(
            "cunganbu",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&members[0]).unwrap(),
            },
        )
        .await;
    let user = app.store.user_by_name("cunganbu").await.unwrap().unwrap();
    let (s, a) = app
        .send_json(
            "POST",
            "/api/v1/actions",
            json!({
                "zone": zone, "decision": decision, "owner_user": user.id,
                "title": "完成选址比选报告", "owner_unit": "某村村委会", "due": "2025-06-25",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["days_overdue"], 5);
    let id = a["id"].as_i64().unwrap();
    // The owner sees it as theirs, and overdue.
    let (_, mine) = app
        .send_json_as(
            &village_token,
            "GET",
            "/api/v1/actions?owner=me&open=true",
            Value::Null,
        )
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    let (_, late) = app.get_json("/api/v1/actions?overdue=true").await;
    assert!(
        late["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id)
    );
    // On their home page (片区工作 hub) as 我的待办.
    let req = Request::get("/work")
        .header("authorization", format!("Bearer {village_token}"))
        .body(Body::empty())
        .unwrap();
    let (s, html) = app.send(req).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("我的待办") && html.contains("完成选址比选报告"),
        "home page"
    );
    // Closing needs a result; the owner closes it.
    let (s, e) = app
        .send_json_as(
            &village_token,
            "POST",
            &format!("/api/v1/actions/{id}/status"),
            json!({"status": "done", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["result"]);
    let (s, done) = app
        .send_json_as(
            &village_token,
            "POST",
            &format!("/api/v1/actions/{id}/status"),
            json!({"status": "done", "result": "报告已报镇党委", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status_label"], "已完成");
    // Another village's user may not touch it.
    let other = app
        .token_for(
            "linju",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&members[1]).unwrap(),
            },
        )
        .await;
    let (s, _) = app
        .send_json_as(
            &other,
            "POST",
            &format!("/api/v1/actions/{id}/status"),
            json!({"status": "cancelled", "result": "x", "version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The chain shows meeting → decision → action → result.
    let (_, t) = app
        .get_json(&format!("/api/v1/zones/{zone}/timeline"))
        .await;
    let chain = &t["meetings"][0]["decisions"][0];
    assert_eq!(chain["actions"][0]["result"], "报告已报镇党委");
    for page in [
        format!("/meetings/{}", m["id"]),
        format!("/zones/{zone}/timeline"),
        format!("/zones/{zone}/report"),
        "/work".to_string(),
        "/actions?overdue=true".to_string(),
        format!("/meetings?zone={zone}"),
    ] {
        let (s, html) = app.get(&page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("片区工作"), "{page}");
    }
    let (_, summary) = app.get_json("/api/v1/work/summary").await;
    assert_eq!(summary["district"]["meetings_this_year"], 1);
}

#[tokio::test]
async fn actors_need_a_valid_credit_code_and_files_are_checked() {
    let app = demo_app().await;
    let (zone, _) = a_zone(&app).await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/actors",
            json!({"name": "某茶业公司", "kind": "企业", "credit_code": "9144030071526726XH"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("校验位应为「G」"),
        "{e}"
    );
    let (s, a) = app
        .send_json(
            "POST",
            "/api/v1/actors",
            json!({"name": "某茶业公司", "kind": "企业", "credit_code": "9144030071526726XG"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let (s, a) = app
        .send_json(
            "PUT",
            &format!("/api/v1/zones/{zone}/actors/{id}"),
            json!({"role": "产业龙头"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["zones"][0]["role"], "产业龙头");
    let (_, list) = app.get_json(&format!("/api/v1/actors?zone={zone}")).await;
    assert_eq!(list["total"], 1);
    // A meeting's minutes as a PDF; a renamed program is refused.
    let (_, m) = app
        .send_json(
            "POST",
            "/api/v1/meetings",
            json!({"zone": zone, "held_on": "2025-06-01", "title": "推进会", "attendees": "甲"}),
        )
        .await;
    let mid = m["id"].as_i64().unwrap();
    let upload = |bytes: &[u8], name: &str| {
        let boundary = "gongfu-test-boundary";
        let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post(format!("/api/v1/attachments?owner=meeting&id={mid}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let (s, b) = app.send(upload(b"MZ\x90\x00", "纪要.pdf")).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&b)
    );
    let (s, b) = app.send(upload(b"%PDF-1.4 minutes", "纪要.pdf")).await;
    assert_eq!(s, StatusCode::CREATED);
    let meta: Value = serde_json::from_slice(&b).unwrap();
    let (s, bytes) = app.get(meta["url"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bytes, b"%PDF-1.4 minutes");
}
