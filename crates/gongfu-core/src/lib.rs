//! Domain types and pure rules of Gongfu (共富): villages, zones (共富片区 / 乡村共富联合体),
//! coverage (全域覆盖), targets, money, shared facilities with their service coverage, and the
//! scoring and award engine (评分与奖补).
//!
//! This crate does no I/O and knows nothing about databases, HTTP or HTML. Values are parsed
//! once at the edge (`VillageCode::parse`, `Fen::parse_yuan`, …) and trusted inside; the rules
//! are plain functions over plain data so that they can be unit- and property-tested.

pub mod auth;
pub mod coverage;
pub mod equity;
pub mod error;
pub mod facilities;
pub mod ids;
pub mod money;
pub mod ops;
pub mod scoring;
pub mod targets;
pub mod text;
pub mod village;
pub mod work;
pub mod zone;

pub use error::DomainError;
pub use ids::{DataYear, TownCode, VillageCode, ZoneId};
pub use money::Fen;
