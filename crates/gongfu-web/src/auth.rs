//! Who is asking: sessions (cookie) and API tokens (`Authorization: Bearer …`), CSRF checks on
//! every state-changing request made with a cookie, and security headers on every answer.
//!
//! The middleware [`authenticate`] resolves the caller once per request and runs the handler
//! inside a task-local scope, so page frames ([`crate::pages::Layout`]) and the
//! [`crate::api::RequestActor`] extractor read it without every handler passing it along.

use crate::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_store::accounts::User;
use std::net::SocketAddr;

/// The session cookie's name.
pub const COOKIE: &str = "gongfu_session";

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session; state-changing requests must carry its CSRF token.
    Cookie { token: String, csrf: String },
    /// An API token: not sent by browsers on their own, so no CSRF check is needed.
    Token,
}

/// The signed-in caller of the current request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
    pub address: String,
}

impl Caller {
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Cookie { csrf, .. } => csrf,
            Via::Token => "",
        }
    }
}

tokio::task_local! {
    static CALLER: Option<Caller>;
    static ADDRESS: String;
}

/// The caller of the request being handled, if signed in.
pub fn current() -> Option<Caller> {
    CALLER.try_with(|c| c.clone()).ok().flatten()
}

/// The remote address of the request being handled.
pub fn current_address() -> String {
    ADDRESS.try_with(|a| a.clone()).unwrap_or_default()
}

/// Paths anyone may open: sign-in, health, static files.
fn is_public(path: &str) -> bool {
    path == "/login" || path == "/healthz" || path == "/favicon.ico" || path.starts_with("/static/")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Reads one cookie from the `Cookie` header.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message, "details": []}});
    (status, axum::Json(body)).into_response()
}

/// The `Set-Cookie` value that stores a session token: HttpOnly, SameSite=Lax, whole site.
/// `Secure` is added when the platform is served over HTTPS (`GONGFU_SECURE_COOKIES=1`).
pub fn session_cookie(token: &str, max_age: i64) -> String {
    let secure = std::env::var("GONGFU_SECURE_COOKIES").is_ok_and(|v| v == "1");
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether a state-changing request made with a session cookie carries the session's CSRF
/// token: in the `X-CSRF-Token` header, the `_csrf` query parameter (multipart uploads), or
/// the `_csrf` field of a urlencoded form (checked by the caller, which has the body).
fn csrf_in_header_or_query(req: &Request, csrf: &str) -> bool {
    let header_ok = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| constant_time_eq(v, csrf));
    let query_ok = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k == "_csrf" && constant_time_eq(&v, csrf))
    });
    header_ok || query_ok
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn csrf_failed(api: bool) -> Response {
    let msg = "页面已过期或请求来源无法确认（CSRF 校验失败），请刷新页面后重试";
    if api {
        json_error(StatusCode::FORBIDDEN, "csrf", msg)
    } else {
        crate::error::PageError(crate::error::ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            msg,
        ))
        .into_response()
    }
}

/// The largest request body accepted (an xlsx or GeoJSON upload).
pub const MAX_BODY: u64 = 32 * 1024 * 1024;

/// Resolves the caller, enforces sign-in and CSRF, and adds security headers.
pub async fn authenticate(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        let msg = "上传内容过大：单个文件不超过 32 MB，请拆分后分批导入";
        return with_headers(if is_api(&path) {
            json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", msg)
        } else {
            crate::error::PageError(crate::error::ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                msg,
            ))
            .into_response()
        });
    }
    let address = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    let mut caller: Option<Caller> = None;
    if let Some(token) = bearer(req.headers()) {
        match st.store.token_user(token).await {
            Ok(Some(user)) => {
                caller = Some(Caller {
                    user,
                    via: Via::Token,
                    address: address.clone(),
                })
            }
            Ok(None) => {
                return with_headers(json_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "API 令牌无效或已撤销",
                ));
            }
            Err(e) => return with_headers(crate::error::ApiError::from(e).into_response()),
        }
    } else if let Some(token) = cookie(req.headers(), COOKIE) {
        match st.store.session(token).await {
            Ok(Some(s)) => {
                caller = Some(Caller {
                    user: s.user,
                    via: Via::Cookie {
                        token: token.to_string(),
                        csrf: s.csrf_token,
                    },
                    address: address.clone(),
                })
            }
            Ok(None) => {}
            Err(e) => return with_headers(crate::error::ApiError::from(e).into_response()),
        }
    }
    if caller.is_none() && !is_public(&path) {
        let resp = if is_api(&path) {
            json_error(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录，或在 Authorization 头中提供 API 令牌",
            )
        } else {
            let next_path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.append_pair("next", next_path);
            Redirect::to(&format!("/login?{}", q.finish())).into_response()
        };
        return with_headers(resp);
    }
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if changes_state
        && let Some(Caller {
            via: Via::Cookie { csrf, .. },
            ..
        }) = &caller
        && !csrf_in_header_or_query(&req, csrf)
    {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return with_headers(csrf_failed(is_api(&path)));
        }
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
            return with_headers(csrf_failed(is_api(&path)));
        };
        let ok =
            form_urlencoded::parse(&bytes).any(|(k, v)| k == "_csrf" && constant_time_eq(&v, csrf));
        if !ok {
            return with_headers(csrf_failed(is_api(&path)));
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let resp = CALLER
        .scope(caller, ADDRESS.scope(address, next.run(req)))
        .await;
    with_headers(resp)
}

/// Security headers on every answer: no framing, no sniffing, scripts only from this site.
fn with_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    // Inline style attributes are used for progress bars; scripts never inline.
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    set(h, "x-frame-options", "DENY");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    resp
}
