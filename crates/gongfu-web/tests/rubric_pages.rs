//! The 评分细则 pages and workbook through HTTP: the rubric as officials read it, the draft
//! editor (a bad 参数 named beside its rule with the input kept, points that do not add up
//! refused, a stale save, publishing), versions in use never edited, administrators only, and
//! the workbook exported, checked and imported back as a new draft equal to what was exported
//! (a bad cell named by row and column, nothing created).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::{App, demo_app};
use gongfu_core::auth::Role;
use serde_json::Value;
use std::io::Cursor;

const YEAR: i32 = 2025;

async fn page(app: &App, uri: &str) -> (StatusCode, String) {
    let (s, b) = app.get(uri).await;
    (s, String::from_utf8_lossy(&b).into_owned())
}

/// Posts a form as the holder of `token`; returns status, Location and body.
async fn post_as(app: &App, token: &str, uri: &str, form: &str) -> (StatusCode, String, String) {
    let req = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(form.to_string()))
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
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, loc, String::from_utf8_lossy(&body).into_owned())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The stored versions of the zone rubric.
async fn versions(app: &App) -> Vec<Value> {
    let (s, v) = app
        .get_json(&format!("/api/v1/rubrics/{YEAR}/versions?kind=zone"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

async fn version_of(app: &App, n: u64) -> Value {
    versions(app)
        .await
        .into_iter()
        .find(|v| v["version_no"].as_u64() == Some(n))
        .unwrap_or_else(|| panic!("no version {n}"))
}

/// A new draft through the page's button; its number.
async fn new_draft(app: &App) -> u64 {
    let (s, loc, body) = post_as(
        app,
        &app.token,
        &format!("/scoring/rubrics/{YEAR}/drafts?kind=zone"),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let n: u64 = loc
        .split("/versions/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no version in {loc}"));
    assert_eq!(
        loc,
        format!("/scoring/rubrics/{YEAR}/versions/{n}/edit?kind=zone")
    );
    n
}

#[tokio::test]
async fn the_page_shows_every_indicator_with_its_method_parameters_and_source() {
    let app = demo_app().await;
    let (s, html) = page(&app, &format!("/scoring/rubrics?year={YEAR}&kind=zone")).await;
    assert_eq!(s, StatusCode::OK);
    for id in ["1.1", "1.2", "2.2", "4.4", "8.6"] {
        assert!(html.contains(&format!("<strong>{id}</strong>")), "{id}");
    }
    assert!(html.contains("目标 90%；低于 50% 得 0"), "1.2 params");
    assert!(html.contains("LIN 折算计分"));
    assert!(html.contains("平台自动取数：年度计划项目开工/完工率"));
    assert!(html.contains("人工填报"));
    for part in [
        "加分项",
        "扣分项",
        "一票否决项",
        "等次",
        "导出 Excel",
        "新建修订版（草案）",
        "已发布",
    ] {
        assert!(html.contains(part), "{part}");
    }
    let (s, html) = page(&app, &format!("/scoring/rubrics?year={YEAR}&kind=team")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("运营团队"));
    let (s, _) = page(&app, "/scoring/rubrics?year=abc").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, ops) = page(&app, "/ops").await;
    assert!(ops.contains("href=\"/scoring/rubrics\""));
}

#[tokio::test]
async fn a_draft_is_edited_with_errors_beside_the_rule_then_published() {
    let app = demo_app().await;
    let before = versions(&app).await.len() as u64;
    let n = new_draft(&app).await;
    assert_eq!(n, before + 1);
    let edit = format!("/scoring/rubrics/{YEAR}/versions/{n}/edit?kind=zone");
    let (s, html) = page(&app, &edit).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"params-1.2\""));
    let v0 = version_of(&app, n).await["version"].as_i64().unwrap();

    // A bad parameter: named with its indicator and part, the input kept.
    let bad = "目标 90%；低于 五成";
    let (s, _, html) = post_as(
        &app,
        &app.token,
        &edit,
        &format!("version={v0}&r.1.2.params={}", enc(bad)),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("指标 1.2 参数：第 2 段"), "{html}");
    assert!(html.contains(&format!("value=\"{bad}\"")));

    // Rule points that no longer add up to the indicator's.
    let (s, _, html) = post_as(
        &app,
        &app.token,
        &edit,
        &format!("version={v0}&r.1.2.max=5"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("指标 1.2：评分规则合计满分 5 分，与指标分值 4 分不符"),
        "{html}"
    );
    assert_eq!(version_of(&app, n).await["version"].as_i64().unwrap(), v0);

    // A good save.
    let good = "目标 80%；低于 50% 得 0";
    let (s, loc, body) = post_as(
        &app,
        &app.token,
        &edit,
        &format!(
            "version={v0}&r.1.2.params={}&note={}",
            enc(good),
            enc("调整开工率目标")
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        loc,
        format!("/scoring/rubrics?year={YEAR}&kind=zone&version={n}")
    );
    let stored = version_of(&app, n).await;
    assert_eq!(
        stored["rubric"]["dimensions"][0]["indicators"][1]["rules"][0]["method"]["target"],
        8000
    );

    // The same form again, with the version it was opened at: stale.
    let (s, _, html) = post_as(
        &app,
        &app.token,
        &edit,
        &format!("version={v0}&r.1.2.params={}", enc("目标 70%")),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("再次保存将以您的输入替换"), "{html}");
    assert!(html.contains("value=\"目标 70%\""));

    // Publish: it comes into force, the old one is superseded.
    let v1 = stored["version"].as_i64().unwrap();
    let (s, loc, body) = post_as(
        &app,
        &app.token,
        &format!("/scoring/rubrics/{YEAR}/versions/{n}/publish?kind=zone"),
        &format!("version={v1}"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = page(&app, &loc).await;
    assert!(
        html.contains(&format!(
            "第 {n} 版 <span class=\"tag ok\" id=\"rubric-status\">已发布"
        )),
        "{html}"
    );
    assert!(html.contains(good));
    assert!(html.contains("已废止"));
    assert!(!html.contains("id=\"rubric-edit\""));

    // A version in use has no editor, and a post is refused by the store.
    let (s, html) = page(&app, &edit).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(!html.contains("rubric-form"));
    let v2 = version_of(&app, n).await["version"].as_i64().unwrap();
    let (s, _, html) = post_as(
        &app,
        &app.token,
        &edit,
        &format!("version={v2}&r.1.2.params={}", enc("目标 60%")),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能修改"), "{html}");
    assert_eq!(version_of(&app, n).await["status"], "in_force");
}

#[tokio::test]
async fn only_the_district_administrator_edits() {
    let app = demo_app().await;
    let viewer = app.token_for("guancha", Role::Viewer).await;
    let req = Request::get(format!("/scoring/rubrics?year={YEAR}"))
        .header("authorization", format!("Bearer {viewer}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8_lossy(&b);
    assert!(!html.contains("rubric-new-draft"));
    assert!(!html.contains("rubric-import-form"));
    let (s, _, _) = post_as(
        &app,
        &viewer,
        &format!("/scoring/rubrics/{YEAR}/drafts?kind=zone"),
        "",
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let n = new_draft(&app).await;
    let edit = format!("/scoring/rubrics/{YEAR}/versions/{n}/edit?kind=zone");
    let req = Request::get(&edit)
        .header("authorization", format!("Bearer {viewer}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.0, StatusCode::FORBIDDEN);
    let (s, _, _) = post_as(&app, &viewer, &edit, "version=1&r.1.2.params=x").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = post_as(
        &app,
        &viewer,
        &format!("/scoring/rubrics/{YEAR}/versions/{n}/publish?kind=zone"),
        "version=1",
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let req = Request::post(format!(
        "/api/v1/rubrics/{YEAR}/import?kind=zone&mode=dry_run"
    ))
    .header("authorization", format!("Bearer {viewer}"))
    .body(Body::from(Vec::<u8>::new()))
    .unwrap();
    assert_eq!(app.send(req).await.0, StatusCode::FORBIDDEN);
}

/// The exported workbook with one 指标 cell replaced (by header and 1-based data row).
fn with_cell(bytes: &[u8], header: &str, row: usize, value: &str) -> Vec<u8> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        let col = range
            .rows()
            .next()
            .and_then(|h| h.iter().position(|c| *c == header));
        for (r, cells) in range.rows().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r16, c16) = (r as u32, c as u16);
                if name == "指标" && r == row && Some(c) == col {
                    ws.write_string(r16, c16, value).unwrap();
                    continue;
                }
                match cell {
                    Data::Float(f) => ws.write_number(r16, c16, *f).map(|_| ()).unwrap(),
                    Data::Int(i) => ws.write_number(r16, c16, *i as f64).map(|_| ()).unwrap(),
                    Data::Empty => {}
                    other => ws
                        .write_string(r16, c16, other.to_string())
                        .map(|_| ())
                        .unwrap(),
                }
            }
        }
    }
    out.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_workbook_goes_out_and_comes_back_as_a_new_draft() {
    let app = demo_app().await;
    let (s, bytes) = app
        .get(&format!("/api/v1/rubrics/{YEAR}/export.xlsx?kind=zone"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let in_force = app
        .get_json(&format!("/api/v1/rubrics/{YEAR}?kind=zone"))
        .await
        .1;
    let n = versions(&app).await.len() as u64;

    let (s, r) = app
        .post_bytes(
            &format!("/api/v1/rubrics/{YEAR}/import?kind=zone&mode=dry_run"),
            bytes.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["ok"], true);
    assert_eq!(r["applied"], false);
    assert!(r["errors"].as_array().unwrap().is_empty());
    let rules: usize = in_force["rubric"]["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["indicators"].as_array().unwrap())
        .map(|i| i["rules"].as_array().unwrap().len())
        .sum();
    assert_eq!(r["rows"].as_u64(), Some(rules as u64));
    assert_eq!(versions(&app).await.len() as u64, n);

    let (s, r) = app
        .post_bytes(
            &format!("/api/v1/rubrics/{YEAR}/import?kind=zone&mode=apply"),
            bytes.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["applied"], true);
    assert_eq!(r["version_no"].as_u64(), Some(n + 1));
    let created = version_of(&app, n + 1).await;
    assert_eq!(created["status"], "draft");
    let (mut a, mut b) = (created["rubric"].clone(), in_force["rubric"].clone());
    a["version"] = Value::Null;
    b["version"] = Value::Null;
    assert_eq!(a, b, "the imported draft equals the exported rubric");
    // The version in force is untouched.
    assert_eq!(
        app.get_json(&format!("/api/v1/rubrics/{YEAR}?kind=zone"))
            .await
            .1["version_no"],
        in_force["version_no"]
    );

    // A bad 参数 cell of the second rule (1.2): row and column named, nothing created.
    let bad = with_cell(&bytes, "参数", 2, "目标 很高");
    let (s, r) = app
        .post_bytes(
            &format!("/api/v1/rubrics/{YEAR}/import?kind=zone&mode=apply"),
            bad.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert_eq!(r["applied"], false);
    let e = &r["errors"][0];
    assert_eq!(e["row"], 3, "{r}");
    assert_eq!(e["column"], "参数", "{r}");
    assert!(e["reason"].as_str().unwrap().contains("第 1 段"), "{r}");
    assert_eq!(versions(&app).await.len() as u64, n + 1);

    // The page's upload shows the same, by row and column.
    let boundary = "XyZrubric";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ndry_run\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"细则.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(&bad);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(format!("/scoring/rubrics/{YEAR}/import?kind=zone"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let (s, html) = app.send(req).await;
    let html = String::from_utf8_lossy(&html);
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"import-errors\""));
    assert!(html.contains("第 3 行"));
}
