//! Sign-in, sessions, CSRF and security headers through the whole router.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{PASSWORD, demo_app};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(
    app: &common::App,
    username: &str,
    password: &str,
) -> (StatusCode, Option<String>) {
    let form = format!(
        "username={username}&password={}&next=%2Fzones",
        urlencode(password)
    );
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    (res.status(), cookie)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf-token\" content=\"")
        .expect("csrf meta")
        + 27;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn every_api_request_without_credentials_gets_401_in_json() {
    let app = demo_app().await;
    for uri in [
        "/api/v1/villages",
        "/api/v1/zones",
        "/api/v1/coverage",
        "/api/v1/map/villages.geojson",
        "/api/openapi.json",
    ] {
        let (s, b) = app.send_raw(get(uri)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{uri}");
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["error"]["code"], "unauthenticated");
    }
    let bad = Request::get("/api/v1/villages")
        .header("authorization", "Bearer gft_nope")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send_raw(bad).await.0, StatusCode::UNAUTHORIZED);
    // Health and static files stay open.
    assert_eq!(app.send_raw(get("/healthz")).await.0, StatusCode::OK);
    assert_eq!(app.send_raw(get("/static/app.css")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn pages_send_a_signed_out_visitor_to_the_login_page() {
    let app = demo_app().await;
    let res = tower::ServiceExt::oneshot(app.router.clone(), get("/zones?tier=provincial"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/login?next=%2Fzones%3Ftier%3Dprovincial"
    );
    let (s, b) = app.send_raw(get("/login")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8_lossy(&b).contains("用户名"));
}

#[tokio::test]
async fn a_browser_session_works_and_forms_need_its_csrf_token() {
    let app = demo_app().await;
    let (s, cookie) = sign_in(&app, "admin", PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let cookie = cookie.expect("session cookie");
    assert!(cookie.starts_with("gongfu_session=gfs_"));
    let page = Request::get("/targets")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    let (s, b) = app.send_raw(page).await;
    assert_eq!(s, StatusCode::OK);
    let html = String::from_utf8_lossy(&b).into_owned();
    assert!(html.contains("区管理员"), "the header names the user");
    let csrf = csrf_of(&html);
    assert!(csrf.len() >= 32);
    let post = |body: String| {
        Request::post("/targets")
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let form = "form=weak&weak_income_below_yuan=900000&version=0";
    let (s, _) = app.send_raw(post(form.to_string())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
    let (s, _) = app.send_raw(post(format!("{form}&_csrf=forged"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "wrong CSRF token");
    let (_, settings) = app.get_json("/api/v1/settings").await;
    assert_eq!(
        settings["weak_income_below_fen"], 80_000_000,
        "nothing changed"
    );
    let (s, _) = app.send_raw(post(format!("{form}&_csrf={csrf}"))).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, settings) = app.get_json("/api/v1/settings").await;
    assert_eq!(settings["weak_income_below_fen"], 90_000_000);
    // JSON writes with the cookie need the header instead.
    let put = Request::put("/api/v1/settings")
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(Body::from("{\"weak_income_below_fen\": 1}"))
        .unwrap();
    assert_eq!(app.send_raw(put).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = demo_app().await;
    let (_, cookie) = sign_in(&app, "admin", PASSWORD).await;
    let cookie = cookie.unwrap();
    let html = String::from_utf8_lossy(
        &app.send_raw(
            Request::get("/")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .1,
    )
    .into_owned();
    let csrf = csrf_of(&html);
    let out = Request::post("/logout")
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("_csrf={csrf}")))
        .unwrap();
    assert_eq!(app.send_raw(out).await.0, StatusCode::SEE_OTHER);
    let after = Request::get("/api/v1/zones")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send_raw(after).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = demo_app().await;
    let (s, cookie) = sign_in(&app, "admin", "not-the-password").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(cookie.is_none());
    let (s, _) = sign_in(&app, "nobody", "not-the-password").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused() {
    let app = demo_app().await;
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "gongfu.example")
        .header("origin", "https://evil.example")
        .body(Body::from(format!(
            "username=admin&password={}",
            urlencode(PASSWORD)
        )))
        .unwrap();
    assert_eq!(app.send_raw(req).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = demo_app().await;
    for uri in ["/login", "/api/v1/villages", "/healthz"] {
        let res = tower::ServiceExt::oneshot(app.router.clone(), get(uri))
            .await
            .unwrap();
        let h = res.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("script-src 'self'"),
            "{uri}"
        );
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn two_server_instances_on_one_database_share_sessions_and_data() {
    let app = demo_app().await;
    // A second instance: its own store handle (own pool, own snapshot cache) on the same
    // database, as a second process behind a load balancer would have.
    let other_store = app.store.open_again().await.unwrap();
    let other = gongfu_web::router(gongfu_web::AppState::new(other_store));
    let (_, cookie) = sign_in(&app, "admin", PASSWORD).await;
    let cookie = cookie.unwrap();
    let req = Request::get("/api/v1/zones")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(other.clone(), req)
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the session made on one instance is valid on the other"
    );
    // A write through the first instance is seen by the second at once.
    let (_, z) = app.get_json("/api/v1/zones/1").await;
    let body = serde_json::json!({"name": "跨实例可见", "key_village": z["key_village"], "villages": z["villages"], "version": z["version"]});
    assert_eq!(
        app.send_json("PUT", "/api/v1/zones/1", body).await.0,
        StatusCode::OK
    );
    let req = Request::get("/api/v1/zones/1")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(other, req).await.unwrap();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["name"], "跨实例可见");
}
