//! Persistence for Gongfu over `sqlx::Any`: one set of portable migrations and runtime queries
//! that serve SQLite (the embedded default) and PostgreSQL.
//!
//! Reads go through [`Snapshot`], an immutable in-memory copy of the registry that is reloaded
//! when the database's generation counter moves (every write bumps it, so several server
//! instances stay coherent). Writes go through [`service`], which validates with
//! `gongfu-core`, writes inside one transaction and appends to the audit log. Nothing here
//! knows about HTTP or HTML.

/// A closed set of statuses (状态) with a stable key and a Chinese label, parsed from either;
/// shared by the equity and scoring flows.
macro_rules! status {
    ($(#[$m:meta])* $name:ident, $what:literal, [$($v:ident = $key:literal / $label:literal),+ $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn key(self) -> &'static str { match self { $($name::$v => $key),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$v => $label),+ } }
            /// The key or the Chinese label.
            pub fn parse(s: &str, field: &str) -> Result<$name, gongfu_core::DomainError> {
                let t = s.trim();
                Self::ALL.iter().copied().find(|c| c.key() == t || c.label() == t).ok_or_else(|| {
                    let labels: Vec<&str> = Self::ALL.iter().map(|c| c.label()).collect();
                    gongfu_core::DomainError::new("invalid_choice", field, format!("{}「{t}」无效：应为{}之一", $what, labels.join("、")))
                })
            }
        }
    };
}

pub mod accounts;
pub mod brands;
pub mod db;
pub mod element_import;
pub mod equity;
pub mod equity_outputs;
pub mod error;
pub mod facilities;
pub mod ops;
pub mod plans;
pub mod scoring;
pub mod scoring_figures;
pub mod seed;
pub mod service;
pub mod snapshot;
pub mod talent;
pub mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod work;
pub mod work_seed;

pub use db::Store;
pub use error::StoreError;
pub use snapshot::Snapshot;

/// Who is acting: named in the audit log, and checked against their role's scope by every
/// write.
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub address: String,
    /// The account, or `None` for the system itself (seeding, first-run setup).
    pub user_id: Option<i64>,
    pub role: gongfu_core::auth::Role,
}

impl Actor {
    /// The platform acting on its own (demo seeding, registry loading, first-run setup).
    pub fn system(what: &str) -> Actor {
        Actor {
            name: format!("system:{what}"),
            address: String::new(),
            user_id: None,
            role: gongfu_core::auth::Role::Admin,
        }
    }
    pub fn is_system(&self) -> bool {
        self.user_id.is_none() && self.name.starts_with("system:")
    }
}
