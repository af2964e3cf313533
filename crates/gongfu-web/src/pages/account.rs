//! 登录、退出、我的账号（修改密码、API 令牌）and 账号管理 (administrators).

use super::{Layout, form_pairs, form_value};
use crate::AppState;
use crate::auth::{self, COOKIE, Caller, Via, session_cookie};
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::auth::{Role, Throttle, may_administer};
use gongfu_store::accounts::{SESSION_ABSOLUTE, SignInError};
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub next: String,
    pub username: String,
    pub error: String,
}

/// Only same-site paths are followed after sign-in, never another host.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".into()
    }
}

pub async fn login_form(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    Ok(LoginPage {
        layout: Layout::new("登录", "", snap.is_demo),
        next: safe_next(q.get("next").map(String::as_str).unwrap_or("/")),
        username: String::new(),
        error: String::new(),
    }
    .into_response())
}

pub async fn login_submit(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    // A sign-in form posted from another site is refused (login CSRF).
    if let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        let origin = origin.to_str().unwrap_or("");
        let host = host.to_str().unwrap_or("");
        if !origin.ends_with(&format!("://{host}")) {
            return Err(
                ApiError::new(StatusCode::FORBIDDEN, "csrf", "登录请求来源无法确认").into(),
            );
        }
    }
    let p = form_pairs(&body);
    let username = form_value(&p, "username");
    let next = safe_next(&form_value(&p, "next"));
    let address = auth::current_address();
    let outcome = st
        .store
        .sign_in(
            &username,
            &form_value(&p, "password"),
            &address,
            Throttle::default(),
        )
        .await?;
    match outcome {
        Ok((token, _)) => Ok((
            [(header::SET_COOKIE, session_cookie(&token, SESSION_ABSOLUTE))],
            Redirect::to(&next),
        )
            .into_response()),
        Err(e) => {
            let error = match e {
                SignInError::BadCredentials { delay_ms } => {
                    tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                    "用户名或密码不正确".to_string()
                }
                SignInError::Locked { until } => {
                    let minutes = ((until - gongfu_store::accounts::now_unix()) / 60).max(1);
                    format!("登录失败次数过多，账号已锁定，请约 {minutes} 分钟后再试或联系管理员")
                }
            };
            let snap = st.store.snapshot().await?;
            Ok((
                StatusCode::UNAUTHORIZED,
                LoginPage {
                    layout: Layout::new("登录", "", snap.is_demo),
                    next,
                    username,
                    error,
                },
            )
                .into_response())
        }
    }
}

pub async fn logout(State(st): State<AppState>) -> Result<Response, PageError> {
    if let Some(Caller {
        via: Via::Cookie { token, .. },
        ..
    }) = auth::current()
    {
        st.store.sign_out(&token).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response())
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub tokens: Vec<TokenRow>,
    pub new_token: String,
    pub message: String,
    pub errors: Vec<String>,
}

fn unix_date(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| {
            gongfu_core::village::date_string(
                d.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
                    .date(),
            )
        })
        .unwrap_or_default()
}

async fn render_account(
    st: &AppState,
    caller: &Caller,
    new_token: String,
    message: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let tokens = st
        .store
        .api_tokens(caller.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: unix_date(t.created_at),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let status = super::form_status(errors.is_empty());
    Ok((
        status,
        AccountPage {
            layout: Layout::new("我的账号", "account", snap.is_demo),
            username: caller.user.username.clone(),
            display_name: caller.user.display_name.clone(),
            role: role_text(&caller.user.role),
            tokens,
            new_token,
            message,
            errors,
        },
    )
        .into_response())
}

pub fn role_text(role: &Role) -> String {
    let scope = role.scope();
    if scope.is_empty() {
        role.label().to_string()
    } else {
        format!("{}（{scope}）", role.label())
    }
}

fn signed_in() -> Result<Caller, PageError> {
    auth::current().ok_or_else(|| {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录").into()
    })
}

pub async fn account(State(st): State<AppState>) -> Result<Response, PageError> {
    let caller = signed_in()?;
    render_account(&st, &caller, String::new(), String::new(), vec![]).await
}

/// One form, three actions: change the password, create a token, revoke a token.
pub async fn account_submit(
    State(st): State<AppState>,
    body: Bytes,
) -> Result<Response, PageError> {
    let caller = signed_in()?;
    let p = form_pairs(&body);
    let actor = caller.user.actor(&caller.address);
    let result: Result<(String, String), ApiError> = async {
        match form_value(&p, "action").as_str() {
            "password" => {
                if form_value(&p, "new_password") != form_value(&p, "confirm_password") {
                    return Err(ApiError::bad_request("两次输入的新密码不一致"));
                }
                st.store
                    .change_password(
                        &caller.user,
                        &form_value(&p, "old_password"),
                        &form_value(&p, "new_password"),
                        &caller.address,
                    )
                    .await?;
                Ok((
                    String::new(),
                    "密码已修改。所有会话已退出，请用新密码重新登录。".into(),
                ))
            }
            "create_token" => {
                let token = st
                    .store
                    .create_api_token(&actor, &caller.user, &form_value(&p, "name"))
                    .await?;
                Ok((token, "令牌已创建。它只显示这一次，请立即复制保存。".into()))
            }
            "revoke_token" => {
                let id = form_value(&p, "token_id")
                    .parse::<i64>()
                    .map_err(|_| ApiError::bad_request("令牌编号无效"))?;
                st.store.revoke_api_token(&actor, id).await?;
                Ok((String::new(), "令牌已撤销。".into()))
            }
            _ => Err(ApiError::bad_request("未知操作")),
        }
    }
    .await;
    match result {
        Ok((token, message)) if form_value(&p, "action") == "password" => {
            let _ = (token, message);
            Ok(Redirect::to("/login").into_response())
        }
        Ok((token, message)) => render_account(&st, &caller, token, message, vec![]).await,
        Err(e) => {
            render_account(
                &st,
                &caller,
                String::new(),
                String::new(),
                super::villages::messages(e),
            )
            .await
        }
    }
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_key: &'static str,
    pub scope: String,
    pub active: bool,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub message: String,
    pub errors: Vec<String>,
}

async fn render_users(
    st: &AppState,
    message: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let users = st
        .store
        .users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: role_text(&u.role),
            role_key: u.role.key(),
            scope: u.role.scope(),
            username: u.username,
            display_name: u.display_name,
            active: u.active,
            version: u.version,
        })
        .collect();
    let status = super::form_status(errors.is_empty());
    Ok((
        status,
        UsersPage {
            layout: Layout::new("账号管理", "users", snap.is_demo),
            users,
            roles: vec![
                ("admin", "区管理员"),
                ("department", "部门（范围填部门名称）"),
                ("town", "镇街（范围填 9 位镇街代码）"),
                ("village", "村（范围填 12 位村代码）"),
                ("operator", "运营团队（范围填团队名称）"),
                ("viewer", "查看/审计"),
            ],
            message,
            errors,
        },
    )
        .into_response())
}

fn admin_only() -> Result<Caller, PageError> {
    let caller = signed_in()?;
    if !may_administer(&caller.user.role) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只有区管理员可以管理账号",
        )
        .into());
    }
    Ok(caller)
}

pub async fn users(State(st): State<AppState>) -> Result<Response, PageError> {
    admin_only()?;
    render_users(&st, String::new(), vec![]).await
}

pub async fn users_submit(State(st): State<AppState>, body: Bytes) -> Result<Response, PageError> {
    let caller = admin_only()?;
    let p = form_pairs(&body);
    if form_value(&p, "action") == "update" {
        let result: Result<(), ApiError> = async {
            let id = form_value(&p, "id")
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("账号编号无效"))?;
            let version = form_value(&p, "version")
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("缺少版本号，请刷新页面"))?;
            let role = Role::parse(&form_value(&p, "role"), &form_value(&p, "scope"))?;
            st.store
                .update_user(
                    &caller.user.actor(&caller.address),
                    id,
                    version,
                    &form_value(&p, "display_name"),
                    &role,
                    form_value(&p, "active") == "1",
                )
                .await?;
            Ok(())
        }
        .await;
        return match result {
            Ok(()) => render_users(&st, "账号已更新。".into(), vec![]).await,
            Err(e) => render_users(&st, String::new(), super::villages::messages(e)).await,
        };
    }
    let result: Result<(), ApiError> = async {
        let role = Role::parse(&form_value(&p, "role"), &form_value(&p, "scope"))?;
        st.store
            .create_user(
                &caller.user.actor(&caller.address),
                &form_value(&p, "username"),
                &form_value(&p, "display_name"),
                &role,
                &form_value(&p, "password"),
            )
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            render_users(
                &st,
                format!("账号「{}」已创建。", form_value(&p, "username").trim()),
                vec![],
            )
            .await
        }
        Err(e) => render_users(&st, String::new(), super::villages::messages(e)).await,
    }
}
