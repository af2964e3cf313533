//! Talent (人才共创) through the HTTP API: trainings and entrepreneurs with every bad field
//! named, stale edits refused, town scope, support applied for and decided by another
//! administrator, and the figures they feed in `GET /api/v1/indicators`.

mod common;

use axum::http::StatusCode;
use common::demo_app;
use gongfu_core::TownCode;
use gongfu_core::auth::Role;
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

fn fields(v: &Value) -> Vec<String> {
    v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect()
}

/// The first zone and its key village.
async fn a_zone(app: &common::App) -> (i64, String) {
    let (_, zones) = app.get_json("/api/v1/zones").await;
    let zone = zones["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = app.get_json(&format!("/api/v1/zones/{zone}")).await;
    let village = detail["members"][0]["village"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    (zone, village)
}

#[tokio::test]
async fn trainings_are_validated_scoped_versioned_and_counted() {
    let app = demo_app().await;
    let (zone, village) = a_zone(&app).await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": "x", "topic": "", "held_on": "2026-01-01", "attendees": "0", "hours": "0.25"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&e),
        ["zone", "topic", "held_on", "attendees", "hours"],
        "{e}"
    );
    let (s, t) = app
        .send_json(
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": zone, "topic": "村书记经营村庄能力提升", "held_on": "2025-04-10", "attendees": 42, "hours": "3.5", "audience": "村党组织书记"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["zone"]["id"], zone);
    assert_eq!(t["hours_tenths"], 35);
    // A district-wide session does not count for the zone.
    let (s, _) = app
        .send_json(
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": "", "topic": "全区运营人才培训", "held_on": "2025-05-10", "attendees": "200", "hours": "8"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = t["id"].as_i64().unwrap();
    let mut body = json!({"zone": zone, "topic": "村书记经营村庄能力提升", "held_on": "2025-04-10", "attendees": "40", "hours": "6", "version": 1});
    let (s, t2) = app
        .send_json(
            "PUT",
            &format!("/api/v1/talent/trainings/{id}"),
            body.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t2}");
    body["attendees"] = json!("41");
    let (s, _) = app
        .send_json("PUT", &format!("/api/v1/talent/trainings/{id}"), body)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "version 1 is stale");
    // A town account from elsewhere may not register for this zone, nor district-wide.
    let town = TownCode::parse(&village[..9]).unwrap();
    let other = if town.as_str().ends_with('0') {
        format!("{}1", &village[..8])
    } else {
        format!("{}0", &village[..8])
    };
    let outsider = app
        .token_for(
            "other_town",
            Role::Town {
                town: TownCode::parse(&other).unwrap(),
            },
        )
        .await;
    let (s, _) = app
        .send_json_as(
            &outsider,
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": zone, "topic": "越权培训", "held_on": "2025-04-10", "attendees": "5", "hours": "1"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let own = app.token_for("own_town", Role::Town { town }).await;
    let (s, _) = app
        .send_json_as(
            &own,
            "POST",
            "/api/v1/talent/trainings",
            json!({"topic": "全区培训", "held_on": "2025-04-10", "attendees": "5", "hours": "1"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "district-wide is the district's");
    let (_, list) = app
        .get_json(&format!("/api/v1/talent/trainings?zone={zone}&year=2025"))
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["attendees"], 40);
    let (_, all) = app.get_json("/api/v1/talent/trainings?zone=district").await;
    assert_eq!(all["total"], 1);
    let (_, f) = app
        .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
        .await;
    assert_eq!(figure(&f, "trainings"), 1);
    assert_eq!(figure(&f, "training_attendances"), 40);
    assert_eq!(figure(&f, "training_hours"), 60);
}

#[tokio::test]
async fn support_is_decided_by_another_administrator_and_only_approved_counts() {
    let app = demo_app().await;
    let (zone, village) = a_zone(&app).await;
    let (s, e) = app
        .send_json(
            "POST",
            "/api/v1/talent/entrepreneurs",
            json!({"name": "", "kind": "创客", "village_code": "12", "project": "", "since": "2030-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&e),
        ["name", "kind", "village_code", "project", "since"]
    );
    let (s, p) = app
        .send_json(
            "POST",
            "/api/v1/talent/entrepreneurs",
            json!({"name": "沈若溪", "kind": "农创客", "village_code": village, "project": "兰花组培与直播销售",
                   "incubator": "柯桥区农创客孵化园", "since": "2024-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["zone"]["id"], zone, "the zone comes from the village");
    let pid = p["id"].as_i64().unwrap();
    let apply = |kind: &str, amount: &str| json!({"kind": kind, "amount": amount, "from": "2025-01-01", "to": "2025-12-31"});
    let url = format!("/api/v1/talent/entrepreneurs/{pid}/supports");
    let (s, e) = app
        .send_json(
            "POST",
            &url,
            json!({"kind": "补贴", "amount": "-1", "to": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["kind", "amount", "from", "to"]);
    let (_, rent) = app
        .send_json("POST", &url, apply("租金减免", "36000"))
        .await;
    let (_, living) = app
        .send_json("POST", &url, apply("living_subsidy", "12000.50"))
        .await;
    let (_, loan) = app.send_json("POST", &url, apply("贷款", "300000")).await;
    assert_eq!(rent["status"], "applied", "{rent}");
    let decide = |id: &Value, verdict: &str, reason: &str| {
        (
            format!("/api/v1/talent/supports/{}/decision", id["id"]),
            json!({"verdict": verdict, "reason": reason, "version": 1}),
        )
    };
    // The administrator who applied may not approve their own application.
    let (u, b) = decide(&rent, "approve", "");
    let (s, e) = app.send_json("POST", &u, b.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["code"], "self_approval");
    // Nor may a town account decide at all.
    let town = app
        .token_for(
            "town_user",
            Role::Town {
                town: TownCode::parse(&village[..9]).unwrap(),
            },
        )
        .await;
    let (s, _) = app.send_json_as(&town, "POST", &u, b.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let second = app.token_for("admin2", Role::Admin).await;
    let (s, r) = app.send_json_as(&second, "POST", &u, b.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "approved");
    // Approved support is fixed.
    let (s, _) = app
        .send_json_as(
            &second,
            "POST",
            &u,
            json!({"verdict": "refuse", "reason": "x", "version": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (u, b) = decide(&loan, "approve", "");
    assert_eq!(
        app.send_json_as(&second, "POST", &u, b).await.0,
        StatusCode::OK
    );
    let (u, b) = decide(&living, "refuse", "");
    let (s, e) = app.send_json_as(&second, "POST", &u, b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a refusal says why");
    assert_eq!(fields(&e), ["reason"]);
    let (u, b) = decide(&living, "refuse", "与租金减免重复申请");
    assert_eq!(
        app.send_json_as(&second, "POST", &u, b).await.0,
        StatusCode::OK
    );
    let (_, f) = app
        .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
        .await;
    assert_eq!(figure(&f, "entrepreneurs"), 1);
    // 36,000 元 of rent relief; the refused 12,000.50 元 stays out.
    assert_eq!(figure(&f, "support_granted"), 3_600_000);
    assert_eq!(figure(&f, "credit_support"), 30_000_000);
    // 以奖代补 rests on a 优秀 / 良好 review of the year.
    let rurl = format!("/api/v1/talent/entrepreneurs/{pid}/reviews");
    let (s, r24) = app
        .send_json(
            "POST",
            &rurl,
            json!({"year": 2024, "grade": "合格", "reviewer": "区人才办"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r24}");
    let (_, r25) = app
        .send_json(
            "POST",
            &rurl,
            json!({"year": "2025", "grade": "良好", "comment": "带动 12 户增收", "reviewer": "区人才办"}),
        )
        .await;
    let (s, _) = app
        .send_json(
            "POST",
            &rurl,
            json!({"year": "2025", "grade": "优秀", "reviewer": "区人才办"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "one review a year");
    let award = |review: &Value| json!({"kind": "以奖代补", "amount": "20000", "from": "2025-06-01", "to": "2025-12-31", "review": review["id"]});
    let (s, e) = app.send_json("POST", &url, award(&r24)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["details"][0]["code"], "grade_too_low");
    let (s, a) = app.send_json("POST", &url, award(&r25)).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (u, b) = decide(&a, "approve", "考评良好，予以奖补");
    assert_eq!(
        app.send_json_as(&second, "POST", &u, b).await.0,
        StatusCode::OK
    );
    let (_, detail) = app
        .get_json(&format!("/api/v1/talent/entrepreneurs/{pid}"))
        .await;
    assert_eq!(detail["supports"].as_array().unwrap().len(), 4);
    assert_eq!(detail["reviews"][0]["year"], 2025);
    assert_eq!(detail["approved_grant_fen"], 5_600_000);
    let (_, f) = app
        .get_json(&format!("/api/v1/indicators?zone={zone}&year=2025"))
        .await;
    assert_eq!(figure(&f, "support_granted"), 5_600_000);
    // Editing the person: stale versions are refused.
    let mut body = json!({"name": "沈若溪", "kind": "new_farmer", "village_code": village, "project": "兰花组培",
                          "since": "2024-03-01", "version": 1});
    let purl = format!("/api/v1/talent/entrepreneurs/{pid}");
    assert_eq!(
        app.send_json("PUT", &purl, body.clone()).await.0,
        StatusCode::OK
    );
    body["project"] = json!("兰花");
    assert_eq!(
        app.send_json("PUT", &purl, body).await.0,
        StatusCode::CONFLICT
    );
    let (_, list) = app
        .get_json(&format!(
            "/api/v1/talent/entrepreneurs?zone={zone}&kind=新农人"
        ))
        .await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn pages_list_register_and_decide() {
    let app = demo_app().await;
    let (zone, village) = a_zone(&app).await;
    let (s, b) = app.get("/talent").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&b).contains("没有符合条件的培训"));
    // A bad training form keeps the input and names the fields.
    let (s, html) = app
        .post_form(
            "/talent/trainings",
            &format!(
                "zone={zone}&topic=%E5%9F%B9%E8%AE%AD&held_on=2025-04-01&attendees=abc&hours=2"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("参训人数"), "{html}");
    assert!(html.contains("value=\"培训\""));
    let (s, _) = app
        .post_form(
            "/talent/trainings",
            &format!(
                "zone={zone}&topic=%E5%9F%B9%E8%AE%AD&held_on=2025-04-01&attendees=12&hours=2"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/talent?zone={zone}&year=2025")).await;
    assert!(String::from_utf8_lossy(&b).contains("参训 12 人次"));
    let (s, _) = app
        .post_form(
            "/talent/entrepreneurs",
            &format!("name=%E9%87%91%E9%9B%A8%E6%A1%90&kind=returning_youth&village_code={village}&project=%E6%B0%91%E5%AE%BF&since=2024-05-01"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, list) = app.get_json("/api/v1/talent/entrepreneurs").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (s, html) = app
        .post_form(
            &format!("/talent/entrepreneurs/{id}/supports"),
            "kind=living_subsidy&amount=24000&from=2025-01-01&to=2025-12-31",
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
    let (_, b) = app.get(&format!("/talent/entrepreneurs/{id}")).await;
    let page = String::from_utf8_lossy(&b);
    assert!(page.contains("金雨桐") && page.contains("申请中"));
    assert!(
        !page.contains("/decision"),
        "no approve button for the applicant"
    );
    let (_, d) = app
        .get_json(&format!("/api/v1/talent/entrepreneurs/{id}"))
        .await;
    let sid = d["supports"][0]["id"].as_i64().unwrap();
    let (s, html) = app
        .post_form(
            &format!("/talent/supports/{sid}/decision"),
            "verdict=approve&version=1",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能审批自己提交的扶持申请"));
    let (s, html) = app
        .post_form(
            &format!("/talent/entrepreneurs/{id}/reviews"),
            "year=2025&grade=%E4%BC%98%E7%A7%80",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写考评人"));
}

#[tokio::test]
async fn excel_round_trip_with_versions_all_or_nothing() {
    let app = demo_app().await;
    let (zone, village) = a_zone(&app).await;
    let (s, t) = app
        .send_json(
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": zone, "topic": "运营人才实训营", "held_on": "2025-03-01", "attendees": 30, "hours": 12}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .send_json(
            "POST",
            "/api/v1/talent/entrepreneurs",
            json!({"name": "陆晨阳", "kind": "新农人", "village_code": village, "project": "稻渔共生家庭农场", "since": "2023-04-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for (what, path) in [
        ("trainings", "/api/v1/talent/trainings.xlsx"),
        ("entrepreneurs", "/api/v1/talent/entrepreneurs.xlsx"),
    ] {
        let (s, bytes) = app.get(path).await;
        assert_eq!(s, StatusCode::OK);
        // The export imports back unchanged.
        let (s, r) = app
            .post_bytes(&format!("/api/v1/talent/import/{what}"), bytes.clone())
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (r["ok"].clone(), r["unchanged"].clone()),
            (json!(true), json!(1))
        );
        // An empty template is refused with a reason.
        let (s, tpl) = app
            .get(&format!("/api/v1/talent/import/{what}/template.xlsx"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, r) = app
            .post_bytes(&format!("/api/v1/talent/import/{what}"), tpl)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("没有数据行")
        );
    }
    // After an edit, the old export is stale: the row says so and nothing is written.
    let (_, old) = app.get("/api/v1/talent/trainings.xlsx").await;
    let id = t["id"].as_i64().unwrap();
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/talent/trainings/{id}"),
            json!({"zone": zone, "topic": "运营人才实训营", "held_on": "2025-03-01", "attendees": 31, "hours": 12, "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, r) = app
        .post_bytes("/api/v1/talent/import/trainings?mode=apply", old)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["applied"], false);
    assert_eq!(r["errors"][0]["row"], 2);
    assert_eq!(r["errors"][0]["column"], "版本");
    let (_, now) = app
        .get_json(&format!("/api/v1/talent/trainings/{id}"))
        .await;
    assert_eq!(now["attendees"], 31, "nothing written");
    // A town account from another town may not import this zone's trainings.
    let other = app
        .token_for(
            "far_town",
            Role::Town {
                town: TownCode::parse("330603999").unwrap(),
            },
        )
        .await;
    let (_, fresh) = app.get("/api/v1/talent/trainings.xlsx").await;
    let req = axum::http::Request::post("/api/v1/talent/import/trainings")
        .header("authorization", format!("Bearer {other}"))
        .body(axum::body::Body::from(fresh))
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r: Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(r["errors"][0]["column"], "片区编号");
    // The page offers the import.
    let (s, b) = app.get("/ops/import").await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&b).contains("/api/v1/talent/import/trainings/template.xlsx"));
}

/// A multipart body with the given text fields and optionally a file.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----gongfu-talent-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"培训.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_import_page_checks_then_applies() {
    let app = demo_app().await;
    let (zone, _) = a_zone(&app).await;
    let (s, _) = app
        .send_json(
            "POST",
            "/api/v1/talent/trainings",
            json!({"zone": zone, "topic": "强村公司经营管理培训", "held_on": "2025-03-01", "attendees": 30, "hours": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, bytes) = app.get("/api/v1/talent/trainings.xlsx").await;
    let post = |fields: Vec<(&'static str, String)>, file: Option<Vec<u8>>| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (ct, body) = multipart(&f, file.as_deref());
        axum::http::Request::post("/ops/import/trainings")
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let (s, b) = app
        .send(post(vec![("mode", "dry_run".into())], Some(bytes)))
        .await;
    let html = String::from_utf8_lossy(&b).into_owned();
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("检查通过") && html.contains("确认导入"));
    // 确认导入 sends the checked file back.
    let data = html
        .split("name=\"data\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let (s, b) = app
        .send(post(
            vec![
                ("mode", "apply".into()),
                ("file_name", "培训.xlsx".into()),
                ("data", data),
            ],
            None,
        ))
        .await;
    let html = String::from_utf8_lossy(&b).into_owned();
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("导入成功"), "{html}");
    let (s, b) = app.send(post(vec![("mode", "dry_run".into())], None)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&b).contains("请先选择要上传的文件"));
}
