//! Shared test harness: a real SQLite file seeded with the demo district, the whole router,
//! and requests sent through it.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gongfu_store::Store;
use gongfu_web::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use time::macros::date;
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    pub store: Store,
    /// An API token of the demo's district administrator, sent with every request.
    pub token: String,
    pub _dir: tempfile::TempDir,
}

/// The password of every account the tests make.
pub const PASSWORD: &str = "测试密码-gongfu-2025";

pub async fn demo_app() -> App {
    let dir = tempfile::tempdir().unwrap();
    // SQLite, or PostgreSQL when the test script provides one.
    let store = gongfu_store::testing::demo_store(dir.path(), 7).await;
    let admin = gongfu_core::auth::Role::Admin;
    store
        .create_user(
            &gongfu_store::Actor::system("test"),
            "admin",
            "区管理员",
            &admin,
            PASSWORD,
        )
        .await
        .unwrap();
    let user = store.user_by_name("admin").await.unwrap().unwrap();
    let token = store
        .create_api_token(&user.actor("127.0.0.1"), &user, "tests")
        .await
        .unwrap();
    let mut state = AppState::new(store.clone());
    state.today = Arc::new(|| date!(2025 - 06 - 30));
    App {
        router: gongfu_web::router(state),
        store,
        token,
        _dir: dir,
    }
}

impl App {
    /// Creates a user with `role` and returns an API token acting as them.
    pub async fn token_for(&self, username: &str, role: gongfu_core::auth::Role) -> String {
        self.store
            .create_user(
                &gongfu_store::Actor::system("test"),
                username,
                username,
                &role,
                PASSWORD,
            )
            .await
            .unwrap();
        let user = self.store.user_by_name(username).await.unwrap().unwrap();
        self.store
            .create_api_token(&user.actor("127.0.0.1"), &user, "tests")
            .await
            .unwrap()
    }

    /// Sends JSON as the holder of `token`.
    pub async fn send_json_as(
        &self,
        token: &str,
        method: &str,
        uri: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, b) = self.send(req).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    /// Sends as the administrator (API token) unless the request names its own credentials.
    pub async fn send(&self, mut req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let h = req.headers_mut();
        if !h.contains_key("authorization") && !h.contains_key("cookie") {
            h.insert(
                "authorization",
                format!("Bearer {}", self.token).parse().unwrap(),
            );
        }
        self.send_raw(req).await
    }

    /// Sends exactly what is given: no credentials added.
    pub async fn send_raw(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, body)
    }
    pub async fn get(&self, uri: &str) -> (StatusCode, Vec<u8>) {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }
    pub async fn get_json(&self, uri: &str) -> (StatusCode, Value) {
        let (s, b) = self.get(uri).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    pub async fn send_json(&self, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, b) = self.send(req).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    pub async fn post_bytes(&self, uri: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::post(uri).body(Body::from(bytes)).unwrap();
        let (s, b) = self.send(req).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    pub async fn post_form(&self, uri: &str, form: &str) -> (StatusCode, String) {
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap();
        let (s, b) = self.send(req).await;
        (s, String::from_utf8_lossy(&b).into_owned())
    }
    /// Codes of villages in no zone, from the API.
    pub async fn uncovered(&self) -> Vec<(String, String)> {
        let (_, c) = self.get_json("/api/v1/coverage").await;
        c["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["code"].as_str().unwrap().to_string(),
                    u["town"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}
