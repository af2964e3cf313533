//! Snapshots built the way the app builds them: a temporary SQLite database loaded with the
//! real 柯桥区 division list (and, for `demo_snapshot`, the seeded demo district).

#![allow(dead_code)]

use gongfu_store::{Actor, Snapshot, Store};
use std::sync::Arc;
use tempfile::TempDir;

pub const DIVISIONS_CSV: &str = gongfu_demo::DIVISIONS_CSV;
pub const TOWNS_CSV: &str = gongfu_demo::TOWN_CENTRES_CSV;

/// Keeps the database directory alive as long as the test holds it.
pub struct Db {
    pub dir: TempDir,
    pub store: Store,
}

impl Db {
    pub async fn snapshot(&self) -> Arc<Snapshot> {
        self.store.snapshot().await.expect("snapshot")
    }
}

async fn open() -> Db {
    let dir = tempfile::tempdir().expect("temp dir");
    // SQLite, or PostgreSQL when the test script provides one.
    let store = gongfu_store::testing::fresh_store(dir.path()).await;
    Db { dir, store }
}

/// The real registry only: no figures, no boundaries, no zones.
pub async fn registry_db() -> Db {
    let db = open().await;
    let divisions = gongfu_demo::parse_divisions_csv(DIVISIONS_CSV).expect("divisions csv");
    let towns = gongfu_demo::parse_town_centres_csv(TOWNS_CSV).expect("towns csv");
    db.store
        .load_registry(&Actor::system("test"), &towns, &divisions)
        .await
        .expect("load registry");
    db
}

/// The registry with the seeded demo district: figures, boundaries, tags and pilot zones.
pub async fn demo_db() -> Db {
    let db = open().await;
    let divisions = gongfu_demo::parse_divisions_csv(DIVISIONS_CSV).expect("divisions csv");
    let towns = gongfu_demo::parse_town_centres_csv(TOWNS_CSV).expect("towns csv");
    let demo = gongfu_demo::generate(&divisions, &towns, 20240301);
    db.store
        .seed_demo(&towns, &divisions, &demo)
        .await
        .expect("seed demo");
    db
}
