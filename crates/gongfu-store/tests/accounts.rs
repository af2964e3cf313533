//! Accounts, sessions and API tokens against a real database (SQLite or PostgreSQL).

use gongfu_core::auth::{Role, Throttle};
use gongfu_store::accounts::SignInError;
use gongfu_store::{Actor, Store, StoreError};

async fn store(dir: &tempfile::TempDir) -> Store {
    gongfu_store::testing::fresh_store(dir.path()).await
}

const PASSWORD: &str = "柯桥共富-2025-示范";

#[tokio::test]
async fn a_user_signs_in_gets_a_session_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.create_user(
        &Actor::system("test"),
        "Admin",
        "区管理员",
        &Role::Admin,
        PASSWORD,
    )
    .await
    .unwrap();
    let (token, session) = s
        .sign_in("admin", PASSWORD, "10.0.0.1", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.user.username, "admin");
    assert!(token.starts_with("gfs_") && token.len() > 60);
    let again = s.session(&token).await.unwrap().expect("live session");
    assert_eq!(again.csrf_token, session.csrf_token);
    s.sign_out(&token).await.unwrap();
    assert!(s.session(&token).await.unwrap().is_none());
    assert!(s.session("gfs_forged").await.unwrap().is_none());
}

#[tokio::test]
async fn passwords_and_tokens_are_stored_only_as_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.create_user(
        &Actor::system("test"),
        "zhang",
        "张三",
        &Role::Viewer,
        PASSWORD,
    )
    .await
    .unwrap();
    let (token, _) = s
        .sign_in("zhang", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    let dump: Vec<String> = sqlx::query("SELECT password_hash FROM users")
        .fetch_all(s.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, 0))
        .collect();
    assert!(dump[0].starts_with("$argon2id$"));
    assert!(!dump[0].contains(PASSWORD));
    let n: i64 = sqlx::Row::get(
        &sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM sessions WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(s.pool())
            .await
            .unwrap(),
        0,
    );
    assert_eq!(n, 0, "the raw session token is never stored");
}

#[tokio::test]
async fn repeated_failures_slow_down_then_lock_even_the_right_password_out() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.create_user(
        &Actor::system("test"),
        "lisi",
        "李四",
        &Role::Viewer,
        PASSWORD,
    )
    .await
    .unwrap();
    let t = Throttle {
        lock_after: 3,
        lock_seconds: 600,
    };
    let mut delays = vec![];
    for _ in 0..2 {
        match s.sign_in("lisi", "wrong-password-1", "", t).await.unwrap() {
            Err(SignInError::BadCredentials { delay_ms }) => delays.push(delay_ms),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        delays[0] < delays[1],
        "each failure waits longer: {delays:?}"
    );
    assert!(matches!(
        s.sign_in("lisi", "wrong-password-1", "", t).await.unwrap(),
        Err(SignInError::Locked { .. })
    ));
    assert!(matches!(
        s.sign_in("lisi", PASSWORD, "", t).await.unwrap(),
        Err(SignInError::Locked { .. })
    ));
    // An unknown name answers exactly like a wrong password.
    assert!(matches!(
        s.sign_in("nobody", PASSWORD, "", t).await.unwrap(),
        Err(SignInError::BadCredentials { .. })
    ));
}

#[tokio::test]
async fn only_an_administrator_creates_accounts_and_weak_passwords_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let town = Actor {
        name: "镇街".into(),
        address: String::new(),
        user_id: Some(9),
        role: Role::Viewer,
    };
    match s
        .create_user(&town, "wang", "王五", &Role::Viewer, PASSWORD)
        .await
    {
        Err(StoreError::Forbidden(_)) => {}
        other => panic!("{other:?}"),
    }
    match s
        .create_user(
            &Actor::system("test"),
            "wang",
            "王五",
            &Role::Viewer,
            "12345678901",
        )
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e[0].code, "weak_password"),
        other => panic!("{other:?}"),
    }
    assert!(s.users().await.unwrap().is_empty());
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.create_user(
        &Actor::system("test"),
        "zhao",
        "赵六",
        &Role::Viewer,
        PASSWORD,
    )
    .await
    .unwrap();
    let (token, session) = s
        .sign_in("zhao", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.change_password(&session.user, "not-the-old-one", "新的密码-2026-abc", "")
            .await
            .is_err()
    );
    s.change_password(&session.user, PASSWORD, "新的密码-2026-abc", "")
        .await
        .unwrap();
    assert!(s.session(&token).await.unwrap().is_none());
    assert!(
        s.sign_in("zhao", "新的密码-2026-abc", "", Throttle::default())
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let id = s
        .create_user(
            &Actor::system("test"),
            "script",
            "数据接口",
            &Role::Viewer,
            PASSWORD,
        )
        .await
        .unwrap();
    let user = s.user_by_name("script").await.unwrap().unwrap();
    let token = s
        .create_api_token(&user.actor(""), &user, "月报脚本")
        .await
        .unwrap();
    assert!(token.starts_with("gft_"));
    assert_eq!(s.token_user(&token).await.unwrap().map(|u| u.id), Some(id));
    let token_id: i64 = sqlx::Row::get(
        &sqlx::query("SELECT id FROM api_tokens")
            .fetch_one(s.pool())
            .await
            .unwrap(),
        0,
    );
    s.revoke_api_token(&user.actor(""), token_id).await.unwrap();
    assert!(s.token_user(&token).await.unwrap().is_none());
}

#[tokio::test]
async fn an_administrator_disables_an_account_and_its_sessions_end() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    let admin_id = s
        .create_user(
            &Actor::system("test"),
            "boss",
            "管理员",
            &Role::Admin,
            PASSWORD,
        )
        .await
        .unwrap();
    let id = s
        .create_user(
            &Actor::system("test"),
            "clerk",
            "办事员",
            &Role::Viewer,
            PASSWORD,
        )
        .await
        .unwrap();
    let admin = s.user_by_name("boss").await.unwrap().unwrap().actor("");
    let (token, session) = s
        .sign_in("clerk", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    let v = session.user.version;
    // A stale version is refused; the current one disables the account.
    assert!(matches!(
        s.update_user(&admin, id, v + 7, "办事员", &Role::Viewer, false)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    s.update_user(&admin, id, v, "办事员", &Role::Viewer, false)
        .await
        .unwrap();
    assert!(
        s.session(&token).await.unwrap().is_none(),
        "a disabled account's session ends"
    );
    assert!(
        s.sign_in("clerk", PASSWORD, "", Throttle::default())
            .await
            .unwrap()
            .is_err()
    );
    // Nobody locks themselves out.
    let me = s.user_by_name("boss").await.unwrap().unwrap();
    assert!(
        s.update_user(&admin, admin_id, me.version, "管理员", &Role::Viewer, true)
            .await
            .is_err()
    );
    // And a non-administrator changes nobody.
    let viewer = Actor {
        name: "v".into(),
        address: String::new(),
        user_id: Some(id),
        role: Role::Viewer,
    };
    assert!(matches!(
        s.update_user(&viewer, admin_id, me.version, "x", &Role::Viewer, false)
            .await,
        Err(StoreError::Forbidden(_))
    ));
}

#[tokio::test]
async fn sessions_end_after_two_idle_hours_or_twelve_hours_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir).await;
    s.create_user(
        &Actor::system("test"),
        "idle",
        "闲置",
        &Role::Viewer,
        PASSWORD,
    )
    .await
    .unwrap();
    let now = gongfu_store::accounts::now_unix();
    // Idle: last seen just over two hours ago.
    let (idle, _) = s
        .sign_in("idle", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now - gongfu_store::accounts::SESSION_IDLE - 1)
        .bind(gongfu_store::accounts::token_hash(&idle))
        .execute(s.pool())
        .await
        .unwrap();
    assert!(s.session(&idle).await.unwrap().is_none(), "idle expiry");
    // Absolute: busy all along, but past its twelve hours.
    let (old, _) = s
        .sign_in("idle", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
        .bind(now - 1)
        .bind(gongfu_store::accounts::token_hash(&old))
        .execute(s.pool())
        .await
        .unwrap();
    assert!(s.session(&old).await.unwrap().is_none(), "absolute expiry");
    // A fresh one is fine.
    let (fresh, _) = s
        .sign_in("idle", PASSWORD, "", Throttle::default())
        .await
        .unwrap()
        .unwrap();
    assert!(s.session(&fresh).await.unwrap().is_some());
}
