//! Accounts (账号), server-side sessions and API tokens. Passwords are argon2id hashes;
//! session and API tokens are random 256-bit secrets stored only as SHA-256 hashes, so a copy
//! of the database lets nobody sign in. Sessions live in the database, so any server instance
//! recognises any session.

use crate::db::Store;
use crate::service::{audit, next_id};
use crate::{Actor, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use gongfu_core::DomainError;
use gongfu_core::auth::{Role, Throttle, check_password, may_administer, parse_username};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A session lasts at most this long (absolute expiry), seconds.
pub const SESSION_ABSOLUTE: i64 = 12 * 3600;
/// A session unused for this long ends (idle expiry), seconds.
pub const SESSION_IDLE: i64 = 2 * 3600;

/// Unix time now, seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A signed-in person as the rest of the program sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub version: i64,
}

impl User {
    /// The actor for the audit log and the scope checks, at `address`.
    pub fn actor(&self, address: &str) -> Actor {
        Actor {
            name: format!("{}（{}）", self.display_name, self.username),
            address: address.to_string(),
            user_id: Some(self.id),
            role: self.role.clone(),
        }
    }
}

/// A live session: who, and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// An API token as listed to its owner (never the secret).
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Why a sign-in failed. The message never says whether the user name exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// Wrong name or password; answer only after `delay_ms`.
    BadCredentials { delay_ms: u64 },
    /// Too many failures: locked until this Unix time.
    Locked { until: i64 },
}

fn random_token(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// SHA-256 hex of a secret, the only form in which tokens are stored.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Refused(format!("密码处理失败：{e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

fn user_from_row(r: &AnyRow) -> Result<User, StoreError> {
    let role = Role::parse(
        &r.try_get::<String, _>("role")?,
        &r.try_get::<String, _>("scope")?,
    )
    .map_err(|e| StoreError::Refused(format!("数据库中的角色无效：{e}")))?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role,
        active: r.try_get::<i64, _>("active")? == 1,
        version: r.try_get("version")?,
    })
}

impl Store {
    /// 新建账号. Only an administrator (or the system, on first run) may do it.
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        display_name: &str,
        role: &Role,
        password: &str,
    ) -> Result<i64, StoreError> {
        if !actor.is_system() && !may_administer(&actor.role) {
            return Err(StoreError::Forbidden("只有区管理员可以管理账号".into()));
        }
        let username = parse_username(username)?;
        check_password(&username, password)?;
        let display = display_name.trim();
        if display.is_empty() || display.chars().count() > 40 {
            return Err(
                DomainError::new("invalid_name", "display_name", "姓名应为 1–40 个字").into(),
            );
        }
        let hash = hash_password(password)?;
        let _turn = self.write_lock.lock().await;
        let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&self.pool)
            .await?;
        if taken.is_some() {
            return Err(DomainError::new(
                "duplicate_username",
                "username",
                format!("用户名「{username}」已存在"),
            )
            .into());
        }
        let now = now_unix();
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "users").await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, scope, password_hash, active, failed_logins, locked_until, created_at, password_changed_at, version) VALUES ($1, $2, $3, $4, $5, $6, 1, 0, 0, $7, $7, 1)",
        )
        .bind(id)
        .bind(&username)
        .bind(display)
        .bind(role.key())
        .bind(role.scope())
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, actor, "create", "user", &id.to_string(), None,
            Some(json!({"username": username, "display_name": display, "role": role.key(), "scope": role.scope()}))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 修改账号: role, scope, name and whether the account may sign in. Disabling (or changing
    /// the role of) an account ends its sessions. Administrators only; `expected_version` is the
    /// version the administrator read.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        display_name: &str,
        role: &Role,
        active: bool,
    ) -> Result<(), StoreError> {
        if !actor.is_system() && !may_administer(&actor.role) {
            return Err(StoreError::Forbidden("只有区管理员可以管理账号".into()));
        }
        if actor.user_id == Some(id) && (!active || *role != Role::Admin) {
            return Err(DomainError::new(
                "self_lockout",
                "role",
                "不能停用自己的账号或取消自己的管理员角色",
            )
            .into());
        }
        let display = display_name.trim();
        if display.is_empty() || display.chars().count() > 40 {
            return Err(
                DomainError::new("invalid_name", "display_name", "姓名应为 1–40 个字").into(),
            );
        }
        let _turn = self.write_lock.lock().await;
        let row = sqlx::query("SELECT id, username, display_name, role, scope, active, version FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: format!("账号 {id}") })?;
        let before = user_from_row(&row)?;
        if before.version != expected_version {
            return Err(StoreError::Conflict {
                what: format!("账号「{}」", before.username),
                current: before.version,
            });
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET display_name = $1, role = $2, scope = $3, active = $4, version = version + 1 WHERE id = $5 AND version = $6")
            .bind(display)
            .bind(role.key())
            .bind(role.scope())
            .bind(if active { 1i64 } else { 0 })
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if !active || *role != before.role {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, actor, "update", "user", &id.to_string(),
            Some(json!({"display_name": before.display_name, "role": before.role.key(), "scope": before.role.scope(), "active": before.active})),
            Some(json!({"display_name": display, "role": role.key(), "scope": role.scope(), "active": active}))).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        sqlx::query("SELECT id, username, display_name, role, scope, active, version FROM users ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, username, display_name, role, scope, active, version FROM users WHERE username = $1")
            .bind(username.trim().to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// 登录: checks the password, counts failures (slowing, then locking the account), and on
    /// success opens a session. Returns the session token (for the cookie) and the session.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        address: &str,
        throttle: Throttle,
    ) -> Result<Result<(String, Session), SignInError>, StoreError> {
        let now = now_unix();
        let name = username.trim().to_ascii_lowercase();
        let row = sqlx::query(
            "SELECT id, username, display_name, role, scope, active, version, password_hash, failed_logins, locked_until FROM users WHERE username = $1",
        )
        .bind(&name)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Same work and same answer as a wrong password, so names cannot be probed.
            let _ = password_matches(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0mXlJ8XHt1mCKBo0I4Ut7g",
            );
            return Ok(Err(SignInError::BadCredentials {
                delay_ms: throttle.delay_ms(1),
            }));
        };
        let user = user_from_row(&row)?;
        let locked_until: i64 = row.try_get("locked_until")?;
        if locked_until > now {
            return Ok(Err(SignInError::Locked {
                until: locked_until,
            }));
        }
        let hash: String = row.try_get("password_hash")?;
        if !user.active || !password_matches(password, &hash) {
            let failures = row.try_get::<i64, _>("failed_logins")? as u32 + 1;
            let lock = if throttle.locks(failures) {
                now + throttle.lock_seconds
            } else {
                0
            };
            sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
                .bind(if lock > 0 { 0 } else { failures as i64 })
                .bind(lock)
                .bind(user.id)
                .execute(&self.pool)
                .await?;
            let actor = Actor {
                name: name.clone(),
                address: address.to_string(),
                user_id: Some(user.id),
                role: Role::Viewer,
            };
            let mut tx = self.pool.begin().await?;
            audit(
                &mut tx,
                &actor,
                if lock > 0 {
                    "sign_in_locked"
                } else {
                    "sign_in_failed"
                },
                "user",
                &user.id.to_string(),
                None,
                Some(json!({"failures": failures})),
            )
            .await?;
            tx.commit().await?;
            return Ok(Err(if lock > 0 {
                SignInError::Locked { until: lock }
            } else {
                SignInError::BadCredentials {
                    delay_ms: throttle.delay_ms(failures),
                }
            }));
        }
        let token = random_token("gfs_");
        let csrf = random_token("");
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, address, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(address)
        .bind(now)
        .bind(now + SESSION_ABSOLUTE)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            &user.actor(address),
            "sign_in",
            "user",
            &user.id.to_string(),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok((
            token,
            Session {
                user,
                csrf_token: csrf,
            },
        )))
    }

    /// The session a cookie token names, if it is live: not expired (absolute or idle), its
    /// user still active. Refreshes the idle clock at most once a minute.
    pub async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let now = now_unix();
        let row = sqlx::query(
            "SELECT s.csrf_token, s.last_seen_at, s.expires_at, u.id, u.username, u.display_name, u.role, u.scope, u.active, u.version FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last: i64 = row.try_get("last_seen_at")?;
        let expires: i64 = row.try_get("expires_at")?;
        let user = user_from_row(&row)?;
        if now >= expires || now - last >= SESSION_IDLE || !user.active {
            self.sign_out(token).await?;
            return Ok(None);
        }
        if now - last >= 60 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash(token))
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
        }))
    }

    /// 退出登录: ends the session.
    pub async fn sign_out(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// 修改密码: checks the old password, sets the new one and ends the user's other sessions.
    pub async fn change_password(
        &self,
        user: &User,
        old: &str,
        new: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&self.pool)
            .await?;
        if !password_matches(old, &row.try_get::<String, _>(0)?) {
            return Err(DomainError::new("wrong_password", "old_password", "原密码不正确").into());
        }
        check_password(&user.username, new)?;
        let hash = hash_password(new)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, version = version + 1 WHERE id = $3")
            .bind(hash)
            .bind(now_unix())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            &user.actor(address),
            "change_password",
            "user",
            &user.id.to_string(),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for `user`, scoped like them; returns the secret (shown once).
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user: &User,
        name: &str,
    ) -> Result<String, StoreError> {
        if actor.user_id != Some(user.id) && !actor.is_system() && !may_administer(&actor.role) {
            return Err(StoreError::Forbidden("只能为自己创建令牌".into()));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(DomainError::new("invalid_name", "name", "令牌名称应为 1–60 个字").into());
        }
        let token = random_token("gft_");
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "api_tokens").await?;
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(user.id)
            .bind(name)
            .bind(token_hash(&token))
            .bind(&token[..12])
            .bind(now_unix())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "create",
            "api_token",
            &id.to_string(),
            None,
            Some(json!({"user": user.username, "name": name})),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// A user's API tokens, newest first.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                prefix: r.try_get("prefix")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
    }

    /// The user an API token belongs to, if the token is live and the user active.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.scope, u.active, u.version, t.id AS token_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_row(&row)?;
        Ok(user.active.then_some(user))
    }

    /// Revokes an API token (the owner or an administrator).
    pub async fn revoke_api_token(&self, actor: &Actor, token_id: i64) -> Result<(), StoreError> {
        let row = sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1")
            .bind(token_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("令牌 {token_id}"),
            })?;
        let owner: i64 = row.try_get(0)?;
        if actor.user_id != Some(owner) && !may_administer(&actor.role) {
            return Err(StoreError::Forbidden("只能撤销自己的令牌".into()));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_unix())
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "revoke",
            "api_token",
            &token_id.to_string(),
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One line of the audit log as read back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What to look for in the audit log. Text filters match anywhere (case-sensitive); dates
/// are ISO days in Beijing time, inclusive.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Store {
    /// 审计日志: newest first, at most `limit` lines after skipping `offset`. Only the district
    /// administrator and viewers / auditors may read it.
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(i64, Vec<AuditEntry>), StoreError> {
        if !matches!(actor.role, Role::Admin | Role::Viewer) {
            return Err(StoreError::Forbidden(
                "审计日志仅限区管理员和查看/审计人员查阅".into(),
            ));
        }
        let like = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| format!("%{}%", s.replace(['%', '_'], "")))
                .unwrap_or_else(|| "%".into())
        };
        let exact = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        // Days are Beijing days (UTC+8), as the log is shown; times are stored in UTC, so a
        // day runs from 16:00 UTC the day before to 16:00 UTC on the day.
        let day = |d: &str| gongfu_core::village::parse_date("date", d).ok();
        let from = exact(&f.from)
            .map(|d| match day(&d).and_then(|d| d.previous_day()) {
                Some(prev) => format!("{}T16:00:00", gongfu_core::village::date_string(prev)),
                None => format!("{d}T00:00:00"),
            })
            .unwrap_or_default();
        let to = exact(&f.to)
            .map(|d| match day(&d) {
                Some(d) => format!(
                    "{}T15:59:59.999999999Z",
                    gongfu_core::village::date_string(d)
                ),
                None => format!("{d}T23:59:59.999999999Z"),
            })
            .unwrap_or_else(|| "9999".into());
        let entity = exact(&f.entity);
        let entity_id = exact(&f.entity_id);
        // One query shape for every filter: absent filters match everything.
        let where_clause = "actor LIKE $1 AND at >= $2 AND at <= $3 AND ($4 = '' OR entity = $4) AND ($5 = '' OR entity_id = $5)";
        let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE {where_clause}"
        )))
        .bind(like(&f.actor))
        .bind(&from)
        .bind(&to)
        .bind(entity.clone().unwrap_or_default())
        .bind(entity_id.clone().unwrap_or_default())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, actor, address, action, entity, entity_id, before_json, after_json FROM audit_log WHERE {where_clause} ORDER BY id DESC LIMIT $6 OFFSET $7"
        )))
        .bind(like(&f.actor))
        .bind(&from)
        .bind(&to)
        .bind(entity.unwrap_or_default())
        .bind(entity_id.unwrap_or_default())
        .bind(limit.clamp(1, 10_000))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    address: r.try_get("address")?,
                    action: r.try_get("action")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    before: r.try_get("before_json")?,
                    after: r.try_get("after_json")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((total, entries))
    }

    /// The change history of one record, newest first, for its detail page. Readable by
    /// anyone who may read the record.
    pub async fn history(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let (_, entries) = self
            .audit_entries(
                &Actor::system("history"),
                &AuditFilter {
                    entity: Some(entity.into()),
                    entity_id: Some(entity_id.into()),
                    ..Default::default()
                },
                200,
                0,
            )
            .await?;
        Ok(entries)
    }
}
