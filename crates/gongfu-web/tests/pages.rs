//! The HTML pages through the whole router: every page renders, forms answer errors in
//! Chinese without losing the user's input, and stale edits are refused.

mod common;

use axum::http::StatusCode;
use common::demo_app;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn every_page_renders_in_chinese_with_the_demo_label() {
    let app = demo_app().await;
    let (_, v) = app.get_json("/api/v1/villages?per_page=1&zone=any").await;
    let code = v["items"][0]["code"].as_str().unwrap().to_string();
    for (path, expect) in [
        ("/", "联合体覆盖行政村"),
        ("/map", "一张图"),
        ("/zones", "新建片区"),
        ("/zones/1", "成员村"),
        ("/zones/1/edit", "编辑片区"),
        ("/zones/new", "重点村"),
        ("/villages", "导出当前列表"),
        (&format!("/villages/{code}"), "历年数据"),
        ("/coverage", "未纳入联合体的行政村"),
        ("/targets", "薄弱村标准"),
        ("/import", "下载导入模板"),
        ("/planning", "运行规划"),
        ("/planning/scenarios", "规划方案"),
        ("/facilities", "设施台账"),
        ("/services", "提出选址方案"),
    ] {
        let (s, b) = app.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let html = text(&b);
        assert!(html.contains(expect), "{path} should show {expect}");
        assert!(html.contains("演示数据"), "{path} should say 演示数据");
        assert!(!html.contains("<script>"), "{path} has an inline script");
    }
}

#[tokio::test]
async fn an_unknown_zone_or_village_page_is_a_chinese_404() {
    let app = demo_app().await;
    let (s, b) = app.get("/zones/9999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(text(&b).contains("未找到"));
    let (s, _) = app.get("/villages/330603999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_village_list_answers_htmx_with_the_table_only() {
    let app = demo_app().await;
    let req = axum::http::Request::get("/villages?weak=1")
        .header("HX-Request", "true")
        .body(axum::body::Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("<table"));
    assert!(!html.contains("<html"), "a fragment, not a page");
}

#[tokio::test]
async fn a_form_with_errors_keeps_what_the_user_typed() {
    let app = demo_app().await;
    let (s, html) = app
        .post_form(
            "/zones",
            "name=%E6%88%91%E7%9A%84%E7%89%87%E5%8C%BA&theme=%E8%8C%B6&key_village=",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请选择重点村"));
    assert!(
        html.contains("value=\"我的片区\""),
        "the typed name is kept"
    );
}

#[tokio::test]
async fn an_html_edit_from_a_stale_page_is_refused_and_says_so() {
    let app = demo_app().await;
    let (_, z) = app.get_json("/api/v1/zones/1").await;
    let villages: String = z["villages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("&villages={}", v.as_str().unwrap()))
        .collect();
    let form = |name: &str, version: i64| {
        format!(
            "name={name}&key_village={}&version={version}{villages}",
            z["key_village"].as_str().unwrap()
        )
    };
    let v = z["version"].as_i64().unwrap();
    let (s, _) = app.post_form("/zones/1/edit", &form("A1", v)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = app.post_form("/zones/1/edit", &form("B2", v)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("该记录已被他人修改"), "{html}");
    assert!(
        html.contains("当前内容：名称「A1」"),
        "the current values are shown"
    );
    assert!(html.contains("value=\"B2\""), "the user's input is kept");
    let (_, now) = app.get_json("/api/v1/zones/1").await;
    assert_eq!(now["name"], "A1");
}

#[tokio::test]
async fn a_target_saved_over_someone_elses_says_so_and_keeps_the_input() {
    let app = demo_app().await;
    let (s, body) = app.get("/targets?edit=2025:zones_provincial").await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8_lossy(&body);
    assert!(html.contains("修改目标"), "the edit link fills the form");
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
    let form = |value: &str, version: i64| {
        format!(
            "form=target&year=2025&metric=zones_provincial&value={value}&note=&version={version}"
        )
    };
    let (s, _) = app.post_form("/targets", &form("3", 1)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = app.post_form("/targets", &form("7", 1)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("该记录已被他人修改"), "{html}");
    assert!(
        html.contains("当前保存的目标值为 3"),
        "the current value is shown"
    );
    assert!(html.contains("value=\"7\""), "the user's input is kept");
    assert!(
        html.contains("name=\"version\" value=\"2\""),
        "saving again goes over the current version"
    );
    let (s, _) = app.post_form("/targets", &form("7", 2)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}
