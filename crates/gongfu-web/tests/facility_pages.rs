//! The facilities pages (设施台账) through the whole router: the list with its filters, the
//! create and edit forms (errors in Chinese keeping the input, stale saves refused with 409),
//! status moves, hostile text escaped, the xlsx import, the zone checklist and the village
//! infrastructure form.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, demo_app};
use serde_json::Value;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `共 N 处` of the list's head.
fn total_of(html: &str) -> usize {
    let at = html.find("共 ").expect("the list says 共 N 处") + "共 ".len();
    html[at..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a number")
}

async fn facilities(app: &App, query: &str) -> Vec<Value> {
    let (s, v) = app.get_json(&format!("/api/v1/facilities{query}")).await;
    assert_eq!(s, StatusCode::OK);
    v["items"].as_array().unwrap().clone()
}

/// A village in a zone (so an administrative village, not a community).
async fn zoned_village(app: &App) -> String {
    let (_, v) = app.get_json("/api/v1/villages?per_page=1&zone=any").await;
    v["items"][0]["code"].as_str().unwrap().to_string()
}

fn new_form(name: &str, village: &str) -> String {
    format!(
        "type=elderly_care&name={}&village_code={village}&lon=&lat=&capacity=30&status=planned&opening_year=2026&upkeep_unit={}&note={}",
        enc(name),
        enc("村股份经济合作社"),
        enc("测试用")
    )
}

#[tokio::test]
async fn the_list_shows_the_demo_facilities_and_filters_narrow_it() {
    let app = demo_app().await;
    let all = facilities(&app, "").await;
    assert!(!all.is_empty(), "the demo has facilities");
    let (s, b) = app.get("/facilities").await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("设施台账"));
    assert!(html.contains("演示数据"));
    assert!(html.contains("新增设施"), "the administrator may add");
    assert!(html.contains("/api/v1/export/facilities.xlsx"));
    assert!(html.contains("/api/v1/import/facilities/template.xlsx"));
    assert!(
        html.contains("href=\"/facilities\" class=\"current\"")
            || html.contains("current\" href=\"/facilities\"")
    );
    assert_eq!(total_of(&html), all.len());
    assert!(html.contains("第 1 /"), "more than 50 facilities are paged");
    assert!(!html.contains("<script>"), "no inline script");

    let clinics = facilities(&app, "?type=clinic").await;
    assert!(!clinics.is_empty() && clinics.len() < all.len());
    let (s, b) = app.get("/facilities?type=clinic").await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert_eq!(total_of(&html), clinics.len());
    let first = clinics[0]["name"].as_str().unwrap();
    assert!(html.contains(first), "{first} is listed");
    assert!(
        html.contains("type=clinic"),
        "the export link keeps the filter"
    );

    // Town and name search narrow further; htmx gets the table only.
    let town = clinics[0]["town_code"].as_str().unwrap();
    let req = Request::get(format!(
        "/facilities?type=clinic&town={town}&q={}",
        enc(first)
    ))
    .header("HX-Request", "true")
    .body(Body::empty())
    .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(!html.contains("<html"), "a fragment, not a page");
    assert!(html.contains(first));
    assert!(total_of(&html) >= 1 && total_of(&html) < clinics.len().max(2));

    // Page two exists and shows other rows.
    let (s, b) = app.get("/facilities?page=2").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&b).contains("第 2 /"));
}

#[tokio::test]
async fn a_facility_created_through_the_form_appears_in_the_list() {
    let app = demo_app().await;
    let (s, b) = app.get("/facilities/new").await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("不填则取所在村的位置"));
    assert!(html.contains("<optgroup"), "villages grouped by town");
    let village = zoned_village(&app).await;
    let (s, _) = app
        .post_form("/facilities", &new_form("测试村居家养老服务中心", &village))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let found = facilities(&app, &format!("?village={village}")).await;
    let f = found
        .iter()
        .find(|f| f["name"] == "测试村居家养老服务中心")
        .expect("created");
    assert_eq!(f["capacity"], 30);
    assert_eq!(f["location"], "village");
    let (_, b) = app
        .get(&format!("/facilities?q={}", enc("测试村居家养老")))
        .await;
    let html = text(&b);
    assert!(html.contains("测试村居家养老服务中心"));
    assert_eq!(total_of(&html), 1);
    let (s, b) = app.get(&format!("/facilities/{}", f["id"])).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("取所在村位置"));
    assert!(html.contains("变更记录"));
    assert!(
        html.contains("<td>新建</td>"),
        "the history shows the creation"
    );
}

#[tokio::test]
async fn a_bad_form_is_refused_with_chinese_errors_and_keeps_the_input() {
    let app = demo_app().await;
    let before = facilities(&app, "").await.len();
    let (s, html) = app
        .post_form(
            "/facilities",
            &format!(
                "type=clinic&name=&village_code=&capacity=abc&lon=120.5&lat=&status=planned&upkeep_unit=&note={}",
                enc("我写的备注")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未保存"), "{html}");
    assert!(html.contains("容量「abc」应为整数"));
    assert!(html.contains("value=\"abc\""), "typed capacity kept");
    assert!(html.contains("我写的备注"), "typed note kept");
    assert!(
        html.contains("value=\"clinic\" selected"),
        "chosen type kept"
    );

    // Numbers fine, the rest missing: the domain's messages.
    let (s, html) = app
        .post_form(
            "/facilities",
            "type=clinic&name=&village_code=&capacity=&status=planned&upkeep_unit=",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写设施名称"));
    assert!(html.contains("请选择设施所在村"));
    assert!(html.contains("管护"), "the upkeep unit is required: {html}");
    assert_eq!(facilities(&app, "").await.len(), before, "nothing created");
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_409_and_keeps_the_input() {
    let app = demo_app().await;
    let f = facilities(&app, "").await[0].clone();
    let id = f["id"].as_i64().unwrap();
    let version = f["version"].as_i64().unwrap();
    let village = f["village_code"].as_str().unwrap().to_string();
    let (s, b) = app.get(&format!("/facilities/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text(&b).contains(&format!("name=\"version\" value=\"{version}\"")));

    // Someone else saves first.
    let (s, _) = app
        .send_json(
            "PUT",
            &format!("/api/v1/facilities/{id}"),
            serde_json::json!({
                "type": f["type"], "name": "别人改的名称", "village_code": village,
                "upkeep_unit": "别人", "version": version,
            }),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let form = format!(
        "type={}&name={}&village_code={village}&status={}&upkeep_unit={}&version={version}",
        f["type"].as_str().unwrap(),
        enc("我改的名称"),
        f["status"].as_str().unwrap(),
        enc("我的单位")
    );
    let (s, html) = app
        .post_form(&format!("/facilities/{id}/edit"), &form)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("该记录已被他人修改"));
    assert!(
        html.contains("value=\"我改的名称\""),
        "the user's input is kept"
    );
    assert!(html.contains("别人改的名称"), "the saved values are shown");
    assert!(
        html.contains(&format!("name=\"version\" value=\"{}\"", version + 1)),
        "saving again replaces deliberately"
    );
    // Saving again with the new version goes through.
    let form = form.replace(
        &format!("version={version}"),
        &format!("version={}", version + 1),
    );
    let (s, _) = app
        .post_form(&format!("/facilities/{id}/edit"), &form)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = app.get_json(&format!("/api/v1/facilities/{id}")).await;
    assert_eq!(v["name"], "我改的名称");
}

#[tokio::test]
async fn the_status_moves_only_as_allowed() {
    let app = demo_app().await;
    let f = facilities(&app, "?status=planned").await[0].clone();
    let id = f["id"].as_i64().unwrap();
    let version = f["version"].as_i64().unwrap();
    let (_, b) = app.get(&format!("/facilities/{id}")).await;
    let html = text(&b);
    assert!(html.contains("变更状态"));
    assert!(html.contains("<option value=\"building\">在建</option>"));
    assert!(
        !html.contains("<option value=\"planned\">"),
        "staying put is not offered"
    );
    let (s, _) = app
        .post_form(
            &format!("/facilities/{id}/status"),
            &format!("status=building&version={version}"),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/facilities/{id}")).await;
    let html = text(&b);
    assert!(html.contains("id=\"facility-status\">在建"));
    assert!(
        html.contains("<td>变更状态</td>"),
        "the history names the move"
    );
    // Back to 规划 is refused with the reason; a stale version with 409.
    let (s, html) = app
        .post_form(
            &format!("/facilities/{id}/status"),
            &format!("status=planned&version={}", version + 1),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能从「在建」改为「规划」"), "{html}");
    let (s, html) = app
        .post_form(
            &format!("/facilities/{id}/status"),
            &format!("status=open&version={version}"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("该记录已被他人修改"));
}

#[tokio::test]
async fn hostile_text_is_escaped() {
    let app = demo_app().await;
    let village = zoned_village(&app).await;
    let name = "<script>alert(1)</script>";
    let (s, _) = app
        .post_form("/facilities", &new_form(name, &village))
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let f = facilities(&app, &format!("?village={village}"))
        .await
        .into_iter()
        .find(|f| f["name"] == name)
        .unwrap();
    for path in [
        format!("/facilities/{}", f["id"]),
        format!("/facilities/{}/edit", f["id"]),
        format!("/facilities?village={village}&q={}", enc("<script>")),
    ] {
        let (s, b) = app.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let html = text(&b);
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(
            html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_zone_page_shows_its_checklist_and_facilities() {
    let app = demo_app().await;
    let (s, b) = app.get("/zones/1").await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("基础设施达标（一片一标准）"));
    for item in ["公交", "供水", "供电", "燃气", "网络"] {
        assert!(html.contains(&format!("<td>{item}</td>")), "{item}");
    }
    assert!(html.contains("片区内设施"));
    let inside = facilities(&app, "?zone=1").await;
    if let Some(f) = inside.first() {
        assert!(html.contains(&format!("href=\"/facilities/{}\"", f["id"])));
    }
    let (_, infra) = app.get_json("/api/v1/zones/1/infra").await;
    for it in infra["items"].as_array().unwrap() {
        for g in it["non_compliant"].as_array().unwrap() {
            let gap = g["gap"].as_str().unwrap();
            assert!(html.contains(gap), "the gap {gap} is shown");
        }
    }
}

#[tokio::test]
async fn the_village_infrastructure_form_saves_and_refuses_stale_versions() {
    let app = demo_app().await;
    let code = zoned_village(&app).await;
    let (_, b) = app.get(&format!("/villages/{code}")).await;
    let html = text(&b);
    assert!(html.contains("基础设施"));
    assert!(html.contains(&format!("action=\"/villages/{code}/infra/water\"")));
    let (_, infra) = app
        .get_json(&format!("/api/v1/villages/{code}/infra"))
        .await;
    let water = infra["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "water")
        .unwrap()
        .clone();
    let version = water["version"].as_i64().unwrap();

    // 未达标 without a gap is refused.
    let (s, html) = app
        .post_form(
            &format!("/villages/{code}/infra/water"),
            &format!("status=non_compliant&gap=&version={version}"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未达标时请填写差距说明"));

    let gap = "自来水未通到山脚三户";
    let (s, _) = app
        .post_form(
            &format!("/villages/{code}/infra/water"),
            &format!("status=non_compliant&gap={}&version={version}", enc(gap)),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/villages/{code}")).await;
    let html = text(&b);
    assert!(html.contains(gap));
    assert!(
        html.contains("<td>基础设施填报（供水）</td>"),
        "the history shows the change"
    );
    let (_, b) = app.get("/zones/1").await;
    let (_, zone_of) = app.get_json(&format!("/api/v1/villages/{code}")).await;
    if zone_of["zone"]["id"] == 1 {
        assert!(text(&b).contains(gap), "the zone page lists the gap");
    }

    // The same old version again: someone (we) saved in between.
    let (s, html) = app
        .post_form(
            &format!("/villages/{code}/infra/water"),
            &format!("status=compliant&gap=&version={version}"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("该记录已被他人修改"));
}

/// A multipart body with the given text fields and optionally a file.
fn multipart(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----gongfu-test-boundary";
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
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"设施.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_multipart(
    app: &App,
    fields: &[(&str, &str)],
    file: Option<&[u8]>,
) -> (StatusCode, String) {
    let (ct, body) = multipart(fields, file);
    let req = Request::post("/facilities/import")
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, text(&b))
}

#[tokio::test]
async fn the_import_checks_first_then_applies_on_confirmation() {
    let app = demo_app().await;
    // Nothing chosen.
    let (s, html) = post_multipart(&app, &[("mode", "dry_run")], None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请先选择要上传的文件"));

    // Not a workbook: every problem listed with 行 / 列 / 值 / 原因.
    let (s, html) = post_multipart(&app, &[("mode", "dry_run")], Some(b"not a workbook")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未导入任何数据"));
    assert!(html.contains("<th>原因</th>"));

    // The export, as it is, checks clean; confirming writes it (updates at the same values).
    let (s, xlsx) = app.get("/api/v1/export/facilities.xlsx?type=clinic").await;
    assert_eq!(s, StatusCode::OK);
    let clinics = facilities(&app, "?type=clinic").await;
    let (s, html) = post_multipart(&app, &[("mode", "dry_run")], Some(&xlsx)).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("检查通过"));
    assert!(html.contains("确认导入"));
    assert!(html.contains(&format!("修改 {} 处", clinics.len())));
    let at = html.find("name=\"data\" value=\"").unwrap() + "name=\"data\" value=\"".len();
    let data = &html[at..at + html[at..].find('"').unwrap()];
    assert_eq!(data.len(), xlsx.len() * 2, "the checked file rides along");
    let (s, html) = post_multipart(
        &app,
        &[
            ("mode", "apply"),
            ("file_name", "设施.xlsx"),
            ("data", data),
        ],
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("导入成功"));
    let after = facilities(&app, "?type=clinic").await;
    assert_eq!(after.len(), clinics.len());
}

async fn get_as(app: &App, token: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, text(&b))
}

#[tokio::test]
async fn controls_follow_the_role() {
    use gongfu_core::auth::Role;
    let app = demo_app().await;
    let code = zoned_village(&app).await;
    let f = facilities(&app, "").await[0].clone();
    let viewer = app.token_for("viewer", Role::Viewer).await;
    let village = app
        .token_for(
            "village",
            Role::Village {
                village: gongfu_core::VillageCode::parse(&code).unwrap(),
            },
        )
        .await;
    for token in [&viewer, &village] {
        let (s, html) = get_as(&app, token, "/facilities").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            !html.contains("新增设施"),
            "no 新增设施 for a role that may not add"
        );
        assert!(!html.contains("facility-import-form"));
        let (_, html) = get_as(&app, token, &format!("/facilities/{}", f["id"])).await;
        assert!(!html.contains("facility-status-form"));
        assert!(!html.contains("编辑设施"));
    }
    let (_, html) = get_as(&app, &viewer, &format!("/villages/{code}")).await;
    assert!(
        !html.contains("/infra/water\""),
        "a viewer gets no infrastructure form"
    );
    let (_, html) = get_as(&app, &village, &format!("/villages/{code}")).await;
    assert!(
        html.contains(&format!("action=\"/villages/{code}/infra/water\"")),
        "the village fills in its own"
    );
}

#[tokio::test]
async fn a_bad_filter_or_unknown_facility_is_answered_in_chinese() {
    let app = demo_app().await;
    let (s, b) = app.get("/facilities?type=nonsense").await;
    assert!(s.is_client_error(), "{s}");
    assert!(text(&b).contains("设施类型"), "{}", text(&b));
    let (s, b) = app.get("/facilities/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(text(&b).contains("未找到") || text(&b).contains("不存在"));
}
