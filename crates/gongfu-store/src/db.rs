//! Opening the database, applying migrations, and the generation counter.

use crate::StoreError;
use crate::snapshot::Snapshot;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, RwLock};

/// One embedded migration: the same SQL for both databases, or (for triggers, which the two
/// spell differently, and only there) one text per dialect.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const fn portable(version: i64, name: &'static str, sql: &'static str) -> Migration {
    Migration {
        version,
        name,
        sqlite: sql,
        postgres: sql,
    }
}

/// Embedded migrations, applied in order and recorded in `schema_migrations`. Hand-rolled
/// rather than `sqlx::migrate!` so the build needs no proc-macro crate.
const MIGRATIONS: &[Migration] = &[
    portable(
        1,
        "registry",
        include_str!("../migrations/0001_registry.sql"),
    ),
    portable(
        2,
        "accounts",
        include_str!("../migrations/0002_accounts.sql"),
    ),
    Migration {
        version: 3,
        name: "audit_append_only",
        sqlite: include_str!("../migrations/0003_audit_append_only.sqlite.sql"),
        postgres: include_str!("../migrations/0003_audit_append_only.postgres.sql"),
    },
    portable(
        4,
        "versions",
        include_str!("../migrations/0004_versions.sql"),
    ),
    portable(
        5,
        "plan_scenarios",
        include_str!("../migrations/0005_plan_scenarios.sql"),
    ),
    portable(
        6,
        "facilities",
        include_str!("../migrations/0006_facilities.sql"),
    ),
    portable(
        7,
        "zone_work",
        include_str!("../migrations/0007_zone_work.sql"),
    ),
    portable(
        8,
        "plan_service_layouts",
        include_str!("../migrations/0008_plan_service_layouts.sql"),
    ),
    portable(
        9,
        "elements",
        include_str!("../migrations/0009_elements.sql"),
    ),
    portable(10, "teams", include_str!("../migrations/0010_teams.sql")),
    portable(
        11,
        "brands_chains",
        include_str!("../migrations/0011_brands_chains.sql"),
    ),
    portable(12, "talent", include_str!("../migrations/0012_talent.sql")),
    Migration {
        version: 13,
        name: "equity",
        sqlite: concat!(
            include_str!("../migrations/0013_equity.sql"),
            include_str!("../migrations/0013_equity.sqlite.sql")
        ),
        postgres: concat!(
            include_str!("../migrations/0013_equity.sql"),
            include_str!("../migrations/0013_equity.postgres.sql")
        ),
    },
    Migration {
        version: 14,
        name: "scoring",
        sqlite: concat!(
            include_str!("../migrations/0014_scoring.sql"),
            include_str!("../migrations/0014_scoring.sqlite.sql")
        ),
        postgres: concat!(
            include_str!("../migrations/0014_scoring.sql"),
            include_str!("../migrations/0014_scoring.postgres.sql")
        ),
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database: the pool, a cached snapshot, and a write lock.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub backend: Backend,
    cache: Arc<RwLock<Option<Arc<Snapshot>>>>,
    /// Serialises writers inside one process: SQLite allows one writer at a time, and taking
    /// turns here avoids SQLITE_BUSY on lock upgrades. PostgreSQL relies on row locks too.
    pub(crate) write_lock: Arc<Mutex<()>>,
    /// The URL it was opened with (never logged unredacted).
    url: String,
}

/// Turns a `--db` argument into a URL: a URL is kept, a path becomes a SQLite file URL that
/// creates the file when missing.
pub fn database_url(path_or_url: &str) -> String {
    if path_or_url.starts_with("sqlite:")
        || path_or_url.starts_with("postgres://")
        || path_or_url.starts_with("postgresql://")
    {
        path_or_url.to_string()
    } else {
        format!("sqlite://{path_or_url}?mode=rwc")
    }
}

/// Hides a password in a URL before it is logged.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
    {
        let user = cred.split(':').next().unwrap_or("");
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

impl Store {
    /// Connects, sets SQLite to WAL with foreign keys on, and applies pending migrations.
    pub async fn open(path_or_url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = database_url(path_or_url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let in_memory = url.contains(":memory:");
        let mut opts = AnyPoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            opts = opts.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        // FULL: a committed transaction survives a power cut, not only a crash.
                        "PRAGMA synchronous = FULL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        }
        let pool = opts.connect(&url).await?;
        let store = Store {
            pool,
            backend,
            cache: Arc::new(RwLock::new(None)),
            write_lock: Arc::new(Mutex::new(())),
            url: url.clone(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let _guard = self.write_lock.lock().await;
        for m in MIGRATIONS {
            let (version, name) = (&m.version, &m.name);
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let done: Option<AnyRow> =
                sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&self.pool)
                    .await?;
            if done.is_some() {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            for stmt in split_sql(sql) {
                sqlx::query(sqlx::AssertSqlSafe(stmt))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(*version)
            .bind(*name)
            .bind(crate::service::now_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version, name, "migration applied");
        }
        Ok(())
    }

    /// Another, independent handle on the same database (own pool, own snapshot cache, own
    /// writer lock), as a second server process would have.
    pub async fn open_again(&self) -> Result<Store, StoreError> {
        Store::open(&self.url).await
    }

    /// 备份: writes a consistent copy of a SQLite database to `file` while the platform keeps
    /// serving (`VACUUM INTO` reads one snapshot of the WAL database). For PostgreSQL use
    /// `pg_dump` (see the README), which this refuses with that advice.
    pub async fn backup(&self, file: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Refused(
                "PostgreSQL 请用 pg_dump 备份（pg_dump -Fc -f gongfu.dump 数据库地址），用 pg_restore 恢复".into(),
            ));
        }
        if file.exists() {
            return Err(StoreError::Refused(format!(
                "备份文件 {} 已存在，不会覆盖",
                file.display()
            )));
        }
        let path = file
            .to_str()
            .ok_or_else(|| StoreError::Refused("备份路径不是有效的 UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The data generation: moves whenever anything is written.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT next_id FROM counters WHERE name = 'generation'")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// The current snapshot, reloaded if another writer (here or in another process) moved
    /// the generation since it was taken.
    pub async fn snapshot(&self) -> Result<Arc<Snapshot>, StoreError> {
        let generation = self.generation().await?;
        if let Some(s) = self.cache.read().await.as_ref()
            && s.generation == generation
        {
            return Ok(s.clone());
        }
        let mut slot = self.cache.write().await;
        if let Some(s) = slot.as_ref()
            && s.generation == generation
        {
            return Ok(s.clone());
        }
        let fresh = Arc::new(Snapshot::load(&self.pool, generation).await?);
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    /// Puts a snapshot a write built in place of the cached one, unless the cache already holds
    /// a newer generation.
    pub(crate) async fn install(&self, next: Arc<Snapshot>) {
        let mut slot = self.cache.write().await;
        if slot.as_ref().is_none_or(|s| s.generation < next.generation) {
            *slot = Some(next);
        }
    }

    /// Whether the database holds nothing yet (no divisions).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM divisions")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get::<String, _>(0)?),
            None => None,
        })
    }
}

/// 恢复: replaces the SQLite database at `target` with the backup `file`, after checking the
/// backup is a Gongfu database. Run it with the platform stopped. The copy is written beside
/// the target and renamed over it, so a crash leaves either the old or the new database.
pub async fn restore_sqlite(
    file: &std::path::Path,
    target: &std::path::Path,
) -> Result<(), StoreError> {
    {
        // Open the backup read-only and look for the tables every Gongfu database has.
        let url = format!("sqlite://{}?mode=ro", file.display());
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .map_err(|e| {
                StoreError::Refused(format!("无法打开备份文件 {}：{e}", file.display()))
            })?;
        let ok = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM schema_migrations")
            .fetch_one(&pool)
            .await
            .and_then(|r| r.try_get::<i64, _>(0))
            .map(|n| n > 0)
            .unwrap_or(false);
        pool.close().await;
        if !ok {
            return Err(StoreError::Refused(format!(
                "{} 不是共富平台的数据库备份",
                file.display()
            )));
        }
    }
    let tmp = target.with_extension("restoring");
    std::fs::copy(file, &tmp).map_err(|e| StoreError::Refused(format!("复制备份失败：{e}")))?;
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(|e| StoreError::Refused(format!("无法移除 {}：{e}", side.display())))?;
        }
    }
    std::fs::rename(&tmp, target)
        .map_err(|e| StoreError::Refused(format!("替换数据库失败：{e}")))?;
    Ok(())
}

/// Splits a migration file into statements on `;` at line ends, dropping `--` comments.
fn split_sql(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let line = match line.find("--") {
            Some(i) => &line[..i],
            None => line,
        };
        if line.trim().is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(cur.trim().trim_end_matches(';').to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_becomes_a_sqlite_url_and_a_url_is_kept() {
        assert_eq!(database_url("data/g.db"), "sqlite://data/g.db?mode=rwc");
        assert_eq!(database_url("postgres://u:p@h/db"), "postgres://u:p@h/db");
    }

    #[test]
    fn passwords_are_hidden_in_logged_urls() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("sqlite://g.db"), "sqlite://g.db");
    }

    #[test]
    fn migration_text_splits_into_statements() {
        let s =
            split_sql("-- c\nCREATE TABLE a (x TEXT); -- trailing\nINSERT INTO a VALUES ('b');\n");
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("CREATE TABLE a"));
    }
}
