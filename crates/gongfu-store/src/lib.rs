//! Persistence for Gongfu over `sqlx::Any`: one set of portable migrations and runtime queries
//! that serve SQLite (the embedded default) and PostgreSQL.
//!
//! Reads go through [`Snapshot`], an immutable in-memory copy of the registry that is reloaded
//! when the database's generation counter moves (every write bumps it, so several server
//! instances stay coherent). Writes go through [`service`], which validates with
//! `gongfu-core`, writes inside one transaction and appends to the audit log. Nothing here
//! knows about HTTP or HTML.

pub mod db;
pub mod error;
pub mod seed;
pub mod service;
pub mod snapshot;
#[cfg(feature = "testing")]
pub mod testing;

pub use db::Store;
pub use error::StoreError;
pub use snapshot::Snapshot;

/// Who is acting, for the audit log. Accounts arrive with sign-in; until then the web layer
/// passes the remote address and a placeholder name.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub address: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor {
            name: format!("system:{what}"),
            address: String::new(),
        }
    }
}
