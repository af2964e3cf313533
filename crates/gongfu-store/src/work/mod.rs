//! Zone work carried to closure (issue 6): zone plans in versions, projects with their
//! investment, sub-items and milestones, the joint committee with its meetings, decisions and
//! action items, actors and their roles in zones, evidence files, and the summaries the
//! dashboard, the timeline and the progress report read.
//!
//! These records are read straight from the database, not from the [`Snapshot`] (they are
//! many, each page needs few of them, and no registry computation depends on them), so their
//! writes commit without bumping the snapshot generation. The snapshot is still used to check
//! zones, members and scope. Every write takes the writer's turn, validates with
//! `gongfu_core::work`, writes in one transaction with one audit line, and refuses a stale
//! version with `Conflict`.
//!
//! Who may write: a district administrator anywhere; a town user (镇街) for zones within its
//! town; a department user for projects it leads and action items its unit owns; any user for
//! action items assigned to their own account. Everyone signed in reads.

pub mod actors;
pub mod attachments;
pub mod committee;
pub mod import;
pub mod projects;
pub mod summary;
pub mod zone_plan;

use crate::service::require_zone_scope;
use crate::snapshot::Snapshot;
use crate::{Actor, StoreError};
use gongfu_core::village::{date_string, parse_date};
use gongfu_core::{DomainError, VillageCode, ZoneId};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Refused(format!("数据库中的{what}无效：{e}"))
}

/// A stored day.
pub(crate) fn day_of(r: &AnyRow, col: &str) -> Result<Date, StoreError> {
    let s: String = r.try_get(col)?;
    parse_date(col, &s).map_err(|e| corrupt("日期", e))
}

/// A stored optional day.
pub(crate) fn opt_day_of(r: &AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| parse_date(col, &s).map_err(|e| corrupt("日期", e)))
        .transpose()
}

pub(crate) fn opt_day_text(d: Option<Date>) -> Option<String> {
    d.map(date_string)
}

/// The zone's name, or `NotFound`.
pub(crate) fn zone_name(snap: &Snapshot, zone: i64) -> Result<String, StoreError> {
    snap.zone(ZoneId(zone))
        .map(|z| z.name.clone())
        .ok_or_else(|| StoreError::NotFound {
            what: format!("片区 {zone}"),
        })
}

/// The villages a zone has had (any time) with its key village: the area its records cover.
pub(crate) fn zone_villages(snap: &Snapshot, zone: i64) -> Vec<VillageCode> {
    let mut v: Vec<VillageCode> = snap
        .lines_of_zone(ZoneId(zone))
        .map(|m| m.village.clone())
        .collect();
    if let Some(z) = snap.zone(ZoneId(zone)) {
        v.push(z.key_village.clone());
    }
    v.sort();
    v.dedup();
    v
}

/// Refuses unless the zone exists, is not dissolved, and the actor may manage it.
pub(crate) fn require_zone_work(
    actor: &Actor,
    snap: &Snapshot,
    zone: i64,
    today: Date,
) -> Result<(), StoreError> {
    let z = snap
        .zone(ZoneId(zone))
        .ok_or_else(|| StoreError::NotFound {
            what: format!("片区 {zone}"),
        })?;
    if z.dissolved_on.is_some_and(|d| d <= today) {
        return Err(StoreError::Invalid(vec![DomainError::new(
            "zone_dissolved",
            "zone",
            format!("片区「{}」已撤销，不能再登记工作", z.name),
        )]));
    }
    require_zone_scope(actor, &zone_villages(snap, zone))
}

/// Whether the actor may manage the zone (the same rule, as a yes / no for showing controls).
pub fn may_manage_zone(actor: &Actor, snap: &Snapshot, zone: i64) -> bool {
    snap.zone(ZoneId(zone)).is_some()
        && require_zone_scope(actor, &zone_villages(snap, zone)).is_ok()
}

pub(crate) fn conflict(what: String, current: i64) -> StoreError {
    StoreError::Conflict { what, current }
}

pub(crate) fn not_found(what: String) -> StoreError {
    StoreError::NotFound { what }
}
