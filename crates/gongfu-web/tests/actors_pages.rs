//! The actors pages (参与主体名录) and the joint-committee page (联席会议) through the whole
//! router: registering an actor through the form in a browser session (CSRF), a wrong check
//! character or a duplicate code refused with the input kept, a stale edit refused with 409,
//! roles in zones set and ended, committee members added and retired, and a viewer shown no
//! controls.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, PASSWORD, demo_app};
use gongfu_core::work::actor::CreditCode;
use serde_json::{Value, json};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A valid credit code of our own, unlike any the demo could make.
fn code(n: u32) -> String {
    CreditCode::complete(&format!("91330699MA7Q{n:05}"))
        .unwrap()
        .to_string()
}

/// The same code with a wrong check character.
fn bad_code(n: u32) -> String {
    let good = code(n);
    let last = if good.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &good[..17])
}

fn actor_form(name: &str, credit_code: &str) -> String {
    format!(
        "name={}&kind=cooperative&credit_code={credit_code}&contact_person={}&phone=13800001234&address={}&note={}",
        enc(name),
        enc("张三"),
        enc("东村 1 号"),
        enc("我写的备注")
    )
}

/// A live zone of the demo within one town: (id, name, town code).
async fn a_zone(app: &App) -> (i64, String, String) {
    let (s, v) = app.get_json("/api/v1/zones").await;
    assert_eq!(s, StatusCode::OK);
    let z = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| {
            let key = &z["key_village"].as_str().unwrap()[..9];
            z["dissolved_on"].is_null()
                && z["villages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|v| v.as_str().unwrap().starts_with(key))
        })
        .expect("a live zone within one town")
        .clone();
    let key = z["key_village"].as_str().unwrap();
    (
        z["id"].as_i64().unwrap(),
        z["name"].as_str().unwrap().to_string(),
        key[..9].to_string(),
    )
}

async fn create_actor(app: &App, name: &str, n: u32) -> Value {
    let (s, v) = app
        .send_json(
            "POST",
            "/api/v1/actors",
            json!({"name": name, "kind": "enterprise", "credit_code": code(n), "contact_person": "李四", "phone": "0575-1234567"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn get_as(app: &App, token: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, text(&b))
}

async fn post_as(app: &App, token: &str, uri: &str, form: &str) -> (StatusCode, String) {
    let req = Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap();
    let (s, b) = app.send(req).await;
    (s, text(&b))
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(app: &App) -> String {
    let form = format!("username=admin&password={}&next=%2F", enc(PASSWORD));
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

fn hidden_csrf(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a _csrf field in the form")
        + "name=\"_csrf\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

fn location(res: &axum::http::Response<Body>) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn an_actor_registered_through_the_form_in_a_session_is_listed() {
    let app = demo_app().await;
    let cookie = sign_in(&app).await;
    let get = |uri: &str| {
        Request::get(uri)
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let (s, b) = app.send_raw(get("/actors")).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("参与主体名录"));
    assert!(html.contains("登记主体"), "the administrator may register");
    assert!(html.contains("统一社会信用代码"));
    assert!(html.contains("参与片区及角色"));
    assert!(
        html.contains("class=\"current\" href=\"/work\""),
        "片区工作 is the current nav item"
    );

    let (s, b) = app.send_raw(get("/actors/new")).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("18 位，系统校验校验位"));
    assert!(html.contains("合作社") && html.contains("金融机构"));
    let csrf = hidden_csrf(&html);

    let post = |body: String| {
        Request::post("/actors")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let form = actor_form("测试茶叶专业合作社", &code(1));
    let (s, _) = app.send_raw(post(form.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token, nothing saved");
    let res = tower::ServiceExt::oneshot(app.router.clone(), post(format!("{form}&_csrf={csrf}")))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with("/actors/"), "{to}");

    let (s, b) = app.send_raw(get(&to)).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains("测试茶叶专业合作社"));
    assert!(html.contains(&code(1)));
    assert!(html.contains("张三") && html.contains("13800001234"));
    assert!(html.contains("我写的备注"));
    assert!(
        html.contains("<td>新建</td>"),
        "the history shows the creation"
    );

    let (_, b) = app
        .send_raw(get(&format!("/actors?q={}", enc("茶叶专业"))))
        .await;
    let html = text(&b);
    assert!(html.contains("测试茶叶专业合作社"));
    assert!(html.contains("共 1 家"), "{html}");
    // By code too, typed in lower case; and by type.
    let (_, b) = app
        .send_raw(get(&format!("/actors?q={}", code(1).to_lowercase())))
        .await;
    assert!(text(&b).contains("测试茶叶专业合作社"));
    let (_, b) = app.send_raw(get("/actors?type=financial")).await;
    assert!(!text(&b).contains("测试茶叶专业合作社"));
}

#[tokio::test]
async fn a_wrong_check_character_or_a_duplicate_code_is_refused_with_the_input_kept() {
    let app = demo_app().await;
    let (_, before) = app.get_json("/api/v1/actors").await;
    let bad = bad_code(2);
    let (s, html) = app
        .post_form("/actors", &actor_form("输错代码的合作社", &bad))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未保存"), "{html}");
    assert!(html.contains("校验位"), "{html}");
    assert!(html.contains("value=\"输错代码的合作社\""), "name kept");
    assert!(html.contains(&format!("value=\"{bad}\"")), "code kept");
    assert!(html.contains("我写的备注"), "note kept");
    assert!(
        html.contains("value=\"cooperative\" selected"),
        "chosen type kept"
    );

    // Required fields, in Chinese beside their fields.
    let (s, html) = app
        .post_form("/actors", "name=&kind=&credit_code=&phone=abc")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("field-error\">"), "{html}");
    assert!(html.contains("联系电话「abc」无效"), "{html}");

    // A code already registered.
    create_actor(&app, "先登记的企业", 3).await;
    let (s, html) = app
        .post_form("/actors", &actor_form("后登记的企业", &code(3)))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("已登记为「先登记的企业」"), "{html}");
    assert!(html.contains("value=\"后登记的企业\""));

    let (_, after) = app.get_json("/api/v1/actors").await;
    assert_eq!(
        after["total"].as_u64().unwrap(),
        before["total"].as_u64().unwrap() + 1,
        "only the API's actor was created"
    );
}

#[tokio::test]
async fn a_stale_edit_is_refused_with_409_and_keeps_the_input() {
    let app = demo_app().await;
    let a = create_actor(&app, "原来的企业名称", 4).await;
    let id = a["id"].as_i64().unwrap();
    let version = a["version"].as_i64().unwrap();
    let (s, b) = app.get(&format!("/actors/{id}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains(&format!("name=\"version\" value=\"{version}\"")));
    assert!(html.contains("value=\"原来的企业名称\""));

    // Someone else saves first.
    let (s, v) = app
        .send_json(
            "PUT",
            &format!("/api/v1/actors/{id}"),
            json!({"name": "别人改的名称", "kind": "enterprise", "credit_code": code(4), "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let form = format!("{}&version={version}", actor_form("我改的名称", &code(4)));
    let (s, html) = app.post_form(&format!("/actors/{id}/edit"), &form).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("已被他人修改"), "{html}");
    assert!(html.contains("当前内容：名称「别人改的名称」"), "{html}");
    assert!(html.contains("value=\"我改的名称\""), "the input is kept");
    let current = version + 1;
    assert!(
        html.contains(&format!("name=\"version\" value=\"{current}\"")),
        "saving again replaces deliberately"
    );

    let form = format!("{}&version={current}", actor_form("我改的名称", &code(4)));
    let (s, _) = app.post_form(&format!("/actors/{id}/edit"), &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = app.get_json(&format!("/api/v1/actors/{id}")).await;
    assert_eq!(v["name"], "我改的名称");
    assert_eq!(v["kind"], "cooperative");
}

#[tokio::test]
async fn a_role_in_a_zone_is_set_shown_and_ended() {
    let app = demo_app().await;
    let (zone, zone_name, _) = a_zone(&app).await;
    let a = create_actor(&app, "片区运营公司", 5).await;
    let id = a["id"].as_i64().unwrap();

    let (s, b) = app.get(&format!("/actors/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(
        html.contains("actor-role-form"),
        "the administrator may set roles"
    );
    assert!(html.contains("尚未参与任何片区"));

    // A role left empty is refused with the zone kept.
    let (s, html) = app
        .post_form(
            &format!("/actors/{id}/roles"),
            &format!("zone={zone}&role="),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写该主体在片区中的角色"), "{html}");
    assert!(html.contains(&format!("value=\"{zone}\" selected")));

    let (s, _) = app
        .post_form(
            &format!("/actors/{id}/roles"),
            &format!("zone={zone}&role={}", enc("运营主体")),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/actors?zone={zone}")).await;
    let html = text(&b);
    assert!(html.contains("片区运营公司"), "filtered by the zone");
    assert!(
        html.contains(&format!("{zone_name}</a>（运营主体）")),
        "{html}"
    );
    let (_, b) = app.get(&format!("/actors/{id}")).await;
    let html = text(&b);
    assert!(html.contains("运营主体"));
    assert!(html.contains(&format!("/actors/{id}/roles/{zone}/end")));
    let (_, b) = app.get(&format!("/zones/{zone}/committee")).await;
    assert!(
        text(&b).contains("片区运营公司"),
        "the committee page lists the zone's actors"
    );

    // Ending it.
    let (s, _) = app
        .post_form(&format!("/actors/{id}/roles/{zone}/end"), "")
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/actors?zone={zone}")).await;
    assert!(!text(&b).contains("片区运营公司"));
    let (s, html) = app
        .post_form(&format!("/actors/{id}/roles/{zone}/end"), "")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("未参与此片区"));
    let (_, b) = app.get(&format!("/actors/{id}")).await;
    assert!(
        text(&b).contains("片区角色"),
        "the history names the change"
    );
}

#[tokio::test]
async fn committee_members_are_added_and_retired() {
    let app = demo_app().await;
    let (zone, zone_name, _) = a_zone(&app).await;
    let (s, b) = app.get(&format!("/zones/{zone}/committee")).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(html.contains(&zone_name));
    assert!(html.contains("一般由镇（街道）班子成员牵头"));
    assert!(html.contains("committee-form"));
    assert!(html.contains("牵头领导") && html.contains("市场主体"));

    // The unit is required; the input stays.
    let (s, html) = app
        .post_form(
            &format!("/zones/{zone}/committee"),
            &format!("person={}&unit=&role=lead&title=", enc("王五")),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写成员单位"), "{html}");
    assert!(html.contains("value=\"王五\""));
    assert!(html.contains("value=\"lead\" selected"));

    let (s, _) = app
        .post_form(
            &format!("/zones/{zone}/committee"),
            &format!(
                "person={}&unit={}&role=lead&title={}",
                enc("王五"),
                enc("测试镇党委"),
                enc("召集人")
            ),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, v) = app
        .get_json(&format!("/api/v1/zones/{zone}/committee"))
        .await;
    let m = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["unit"] == "测试镇党委")
        .expect("added")
        .clone();
    let member = m["id"].as_i64().unwrap();
    let (_, b) = app.get(&format!("/zones/{zone}/committee")).await;
    let html = text(&b);
    assert!(html.contains("测试镇党委") && html.contains("召集人"));
    assert!(html.contains("在任"));
    let retire = format!("/zones/{zone}/committee/{member}/retire");
    assert!(html.contains(&retire));

    let (s, _) = app.post_form(&retire, "").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, b) = app.get(&format!("/zones/{zone}/committee")).await;
    let html = text(&b);
    assert!(html.contains("测试镇党委"), "kept for the record");
    assert!(html.contains("已退出"));
    assert!(!html.contains(&retire), "no 退出 for a retired member");
    let (s, html) = app.post_form(&retire, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("已退出联席会议"));

    // A member of another zone, or none at all, is not found here.
    let (s, _) = app
        .post_form(&format!("/zones/{zone}/committee/999999/retire"), "")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_viewer_sees_no_controls_and_may_not_write() {
    use gongfu_core::auth::Role;
    let app = demo_app().await;
    let (zone, _, town) = a_zone(&app).await;
    let a = create_actor(&app, "只读可见的企业", 6).await;
    let id = a["id"].as_i64().unwrap();
    let viewer = app.token_for("viewer", Role::Viewer).await;

    let (s, html) = get_as(&app, &viewer, "/actors").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("只读可见的企业"),
        "a viewer reads the registry"
    );
    assert!(!html.contains("登记主体"));
    let (_, html) = get_as(&app, &viewer, &format!("/actors/{id}")).await;
    assert!(!html.contains("actor-role-form"));
    assert!(!html.contains("编辑主体"));
    assert!(
        !html.contains(&format!("action=\"/actors/{id}/")),
        "no form at all"
    );
    let (s, html) = get_as(&app, &viewer, &format!("/zones/{zone}/committee")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("committee-form"));
    assert!(
        !html.contains(&format!("action=\"/zones/{zone}/committee")),
        "no form at all"
    );

    let (s, html) = post_as(&app, &viewer, "/actors", &actor_form("越权登记", &code(7))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("主体名录由区、镇街和部门用户维护"), "{html}");
    let (s, _) = post_as(
        &app,
        &viewer,
        &format!("/zones/{zone}/committee"),
        "unit=x&role=lead",
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A department keeps the registry but not the zone; the zone's town manages both.
    let dept = app
        .token_for(
            "dept",
            Role::Department {
                unit: "区农业农村局".into(),
            },
        )
        .await;
    let (_, html) = get_as(&app, &dept, "/actors").await;
    assert!(html.contains("登记主体"));
    let (_, html) = get_as(&app, &dept, &format!("/zones/{zone}/committee")).await;
    assert!(!html.contains("committee-form"));
    let town_user = app
        .token_for(
            "town",
            Role::Town {
                town: gongfu_core::TownCode::parse(&town).unwrap(),
            },
        )
        .await;
    let (_, html) = get_as(&app, &town_user, &format!("/zones/{zone}/committee")).await;
    assert!(html.contains("committee-form"), "{town}");
    let (_, html) = get_as(&app, &town_user, &format!("/actors/{id}")).await;
    assert!(html.contains("actor-role-form"));
}

#[tokio::test]
async fn unknown_records_and_bad_filters_are_answered_in_chinese() {
    let app = demo_app().await;
    let (s, b) = app.get("/actors/999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(text(&b).contains("不存在"));
    let (s, _) = app.get("/actors/999999/edit").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/zones/999999/committee").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = app.get("/actors?type=nonsense").await;
    assert!(s.is_client_error(), "{s}");
    assert!(text(&b).contains("主体类型"));
    let (s, b) = app.get("/actors?zone=abc").await;
    assert!(s.is_client_error(), "{s}");
    assert!(text(&b).contains("片区编号"));

    // htmx gets the table only.
    create_actor(&app, "片段里的企业", 8).await;
    let req = Request::get(format!("/actors?q={}", enc("片段里")))
        .header("HX-Request", "true")
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let html = text(&b);
    assert!(!html.contains("<html"), "a fragment, not a page");
    assert!(html.contains("片段里的企业") && html.contains("共 1 家"));
}
