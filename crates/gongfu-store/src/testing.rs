//! Test support (feature `testing`): a fresh, empty database per test — a SQLite file in the
//! given folder, or, when `GONGFU_TEST_PG_URL` points at a PostgreSQL server, a new database
//! created on it — so one suite runs against both backends.

use crate::Store;
use sqlx::{Connection, Executor};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL server the tests should use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("GONGFU_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Opens a fresh empty store: PostgreSQL when `GONGFU_TEST_PG_URL` is set, else SQLite in `dir`.
pub async fn fresh_store(dir: &Path) -> Store {
    match postgres_url() {
        Some(base) => {
            sqlx::any::install_default_drivers();
            let name = format!(
                "gongfu_t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0)
            );
            let mut conn = sqlx::AnyConnection::connect(&base)
                .await
                .expect("connect to GONGFU_TEST_PG_URL");
            conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create test database");
            conn.close().await.ok();
            Store::open(&with_database(&base, &name))
                .await
                .expect("open test database")
        }
        None => Store::open(dir.join("test.db").to_str().expect("utf-8 temp path"))
            .await
            .expect("open sqlite test database"),
    }
}

/// A fresh store (as [`fresh_store`]) seeded with the demo district generated from `seed`:
/// the real division list, figures, the pilot zones and the facilities.
pub async fn demo_store(dir: &Path, seed: u64) -> Store {
    let store = fresh_store(dir).await;
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV)
        .expect("bundled town centres");
    let divisions =
        gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).expect("bundled divisions");
    let district = gongfu_demo::generate(&divisions, &towns, seed);
    store
        .seed_demo(&towns, &divisions, &district)
        .await
        .expect("seed the demo district");
    store
}

/// `postgres://u@h:p/old?x` → `postgres://u@h:p/new?x`.
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match head[scheme_end..].find('/') {
        Some(i) => &head[..scheme_end + i],
        None => head,
    };
    format!("{base}/{name}{query}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_swapped_and_options_kept() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/gongfu_test?sslmode=disable", "t1"),
            "postgres://u@h:5432/t1?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "t1"),
            "postgres://u@h/t1"
        );
    }
}
