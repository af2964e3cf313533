//! The one write path. Every function takes the acting user, validates with `gongfu-core`,
//! writes inside one transaction, appends to the audit log and bumps the generation counter,
//! so a failed call changes nothing and every change is on record.

use crate::db::Store;
use crate::snapshot::{Snapshot, Touched};
use crate::{Actor, StoreError};
use gongfu_core::auth::{may_administer, may_edit_village, may_edit_zone};
use gongfu_core::targets::{Target, policy_targets};
use gongfu_core::village::{VillageStatus, YearlyFigures, date_string};
use gongfu_core::zone::{
    DesignationStatus, MemberRequest, Membership, MembershipOp, Tier, ValidMembers, check_history,
    membership_changes, parse_zone_name, validate_members,
};
use gongfu_core::{DomainError, Fen, TownCode, VillageCode, ZoneId};
use serde_json::{Value, json};
use sqlx::{Any, Row, Transaction};
use std::sync::Arc;
use time::{Date, OffsetDateTime, UtcOffset};

/// Now, as stored: RFC 3339 UTC.
pub fn now_string() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Today in China (UTC+8), the day officials mean.
pub fn today() -> Date {
    let offset = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    OffsetDateTime::now_utc().to_offset(offset).date()
}

pub(crate) async fn next_id(tx: &mut Transaction<'_, Any>, name: &str) -> Result<i64, StoreError> {
    let row =
        sqlx::query("UPDATE counters SET next_id = next_id + 1 WHERE name = $1 RETURNING next_id")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// Appends one line to the audit log inside the caller's transaction.
pub(crate) async fn audit(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), StoreError> {
    let id = next_id(tx, "audit").await?;
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, address, action, entity, entity_id, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(now_string())
    .bind(&actor.name)
    .bind(&actor.address)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a user submits to create or edit a zone.
#[derive(Debug, Clone, Default)]
pub struct ZoneInput {
    pub name: String,
    pub theme: String,
    pub key_village: String,
    pub villages: Vec<String>,
    pub lead_official: String,
    pub note: String,
    /// The day the membership takes effect; today when absent.
    pub effective: Option<Date>,
    /// Optional designation for a year.
    pub designation: Option<(i32, Tier, DesignationStatus)>,
}

fn parse_codes(input: &ZoneInput) -> Result<MemberRequest, Vec<DomainError>> {
    let mut errors = Vec::new();
    let key = match VillageCode::parse(&input.key_village) {
        Ok(k) => Some(k),
        Err(mut e) => {
            e.field = "key_village".into();
            if input.key_village.trim().is_empty() {
                e.message = "请选择重点村".into();
                e.code = "required";
            }
            errors.push(e);
            None
        }
    };
    let mut villages = Vec::new();
    for (i, v) in input.villages.iter().enumerate() {
        match VillageCode::parse(v) {
            Ok(c) => villages.push(c),
            Err(mut e) => {
                e.field = format!("villages[{i}]");
                errors.push(e);
            }
        }
    }
    match key {
        Some(key_village) if errors.is_empty() => Ok(MemberRequest {
            key_village,
            villages,
        }),
        _ => Err(errors),
    }
}

pub(crate) fn zone_json(snap: &Snapshot, id: ZoneId, day: Date) -> Value {
    match snap.zone(id) {
        None => Value::Null,
        Some(z) => json!({
            "id": z.id.0,
            "name": z.name,
            "theme": z.theme,
            "key_village": z.key_village.as_str(),
            "lead_official": z.lead_official,
            "note": z.note,
            "dissolved_on": z.dissolved_on.map(date_string),
            "version": z.version,
            "villages": snap.members(id, day).iter().map(|m| m.village.as_str().to_string()).collect::<Vec<_>>(),
        }),
    }
}

pub(crate) async fn apply_ops(
    tx: &mut Transaction<'_, Any>,
    zone: ZoneId,
    current: &[Membership],
    ops: &[MembershipOp],
    day: Date,
) -> Result<(), StoreError> {
    let d = date_string(day);
    for op in ops {
        match op {
            MembershipOp::Close { village, on } => {
                let opened_today = current
                    .iter()
                    .any(|m| &m.village == village && m.to.is_none() && m.from == *on);
                // A line opened and closed on the same day never took effect: remove it
                // rather than record an empty interval.
                let sql = if opened_today {
                    "DELETE FROM zone_members WHERE zone_id = $2 AND village_code = $3 AND to_date IS NULL AND $1 = from_date"
                } else {
                    "UPDATE zone_members SET to_date = $1 WHERE zone_id = $2 AND village_code = $3 AND to_date IS NULL"
                };
                sqlx::query(sql)
                    .bind(date_string(*on))
                    .bind(zone.0)
                    .bind(village.as_str())
                    .execute(&mut **tx)
                    .await?;
            }
            MembershipOp::Open { village, role } => {
                sqlx::query(
                    "INSERT INTO zone_members (zone_id, village_code, role, from_date, to_date) VALUES ($1, $2, $3, $4, NULL)",
                )
                .bind(zone.0)
                .bind(village.as_str())
                .bind(role.as_str())
                .bind(&d)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    Ok(())
}

/// Simulates the ops on the whole history and checks no village is ever double-booked; this
/// catches back-dated edits that would overlap a later membership elsewhere.
fn check_ops(
    snap: &Snapshot,
    zone: ZoneId,
    ops: &[MembershipOp],
    day: Date,
) -> Result<(), StoreError> {
    check_all_ops(snap, &[(zone, ops)], day)
}

/// [`check_ops`] for changes to several zones at once (a village moving between two).
pub(crate) fn check_all_ops(
    snap: &Snapshot,
    changes: &[(ZoneId, &[MembershipOp])],
    day: Date,
) -> Result<(), StoreError> {
    let mut history = snap.memberships.clone();
    for (zone, op) in changes
        .iter()
        .flat_map(|(z, ops)| ops.iter().map(move |o| (*z, o)))
    {
        match op {
            MembershipOp::Close { village, on } => {
                if let Some(pos) = history
                    .iter()
                    .position(|m| m.zone == zone && &m.village == village && m.to.is_none())
                {
                    if history[pos].from == *on {
                        history.remove(pos);
                    } else if history[pos].from > *on {
                        return Err(DomainError::new(
                            "invalid_date",
                            "effective",
                            format!(
                                "生效日期早于「{}」加入片区的日期 {}",
                                village,
                                date_string(history[pos].from)
                            ),
                        )
                        .into());
                    } else {
                        history[pos].to = Some(*on);
                    }
                }
            }
            MembershipOp::Open { village, role } => history.push(Membership {
                zone,
                village: village.clone(),
                role: *role,
                from: day,
                to: None,
            }),
        }
    }
    check_history(&history).map_err(|m| {
        StoreError::Invalid(vec![DomainError::new(
            "overlapping_membership",
            "effective",
            format!("{m}：生效日期与已有的成员记录重叠"),
        )])
    })
}

fn zone_name_taken(snap: &Snapshot, name: &str, except: Option<ZoneId>) -> Option<DomainError> {
    snap.zones
        .iter()
        .any(|z| z.dissolved_on.is_none() && z.name == name && Some(z.id) != except)
        .then(|| {
            DomainError::new(
                "duplicate_name",
                "name",
                format!("片区名称「{name}」已被使用"),
            )
        })
}

pub(crate) fn validate_zone(
    snap: &Snapshot,
    input: &ZoneInput,
    this_zone: Option<ZoneId>,
    day: Date,
) -> Result<(String, ValidMembers), StoreError> {
    let mut errors = Vec::new();
    let name = parse_zone_name(&input.name)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(n) = &name {
        errors.extend(zone_name_taken(snap, n, this_zone));
    }
    for (field, value, max) in [
        ("theme", &input.theme, 60),
        ("lead_official", &input.lead_official, 60),
        ("note", &input.note, 2000),
    ] {
        if value.chars().count() > max {
            errors.push(DomainError::new(
                "too_long",
                field,
                format!("不超过 {max} 个字"),
            ));
        }
    }
    let members = match parse_codes(input) {
        Ok(req) => validate_members(
            &req,
            &snap.registry_map(),
            &snap.holders(day),
            this_zone,
            day,
        )
        .map_err(|e| errors.extend(e))
        .ok(),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    match (name, members) {
        (Some(n), Some(m)) if errors.is_empty() => Ok((n, m)),
        _ => Err(StoreError::Invalid(errors)),
    }
}

async fn upsert_designation(
    tx: &mut Transaction<'_, Any>,
    zone: ZoneId,
    year: i32,
    tier: Tier,
    status: DesignationStatus,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO zone_designations (zone_id, year, tier, status) VALUES ($1, $2, $3, $4) ON CONFLICT (zone_id, year) DO UPDATE SET tier = excluded.tier, status = excluded.status",
    )
    .bind(zone.0)
    .bind(year as i64)
    .bind(tier.as_str())
    .bind(status.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Refuses unless the actor administers the district.
pub(crate) fn require_admin(actor: &Actor, what: &str) -> Result<(), StoreError> {
    if may_administer(&actor.role) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!("{what}由区管理员操作")))
    }
}

/// Refuses unless the actor may change a zone whose members (before and after) are `villages`.
pub(crate) fn require_zone_scope<'a>(
    actor: &Actor,
    villages: impl IntoIterator<Item = &'a VillageCode>,
) -> Result<(), StoreError> {
    let towns: Vec<TownCode> = villages.into_iter().map(|v| v.town()).collect();
    if may_edit_zone(&actor.role, &towns) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "片区的成员村超出了您的管辖范围（镇街用户只能管理本镇街内的片区）".into(),
        ))
    }
}

/// Refuses unless the actor may change this village's own facts.
pub(crate) fn require_village_scope(
    actor: &Actor,
    village: &VillageCode,
) -> Result<(), StoreError> {
    if may_edit_village(&actor.role, village) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(format!(
            "村「{village}」不在您的管辖范围内"
        )))
    }
}

impl Store {
    /// Takes the writer's turn and a snapshot fresh as of that moment.
    pub(crate) async fn write_turn(
        &self,
    ) -> Result<(tokio::sync::MutexGuard<'_, ()>, Arc<Snapshot>), StoreError> {
        let guard = self.write_lock.lock().await;
        let snap = self.snapshot().await?;
        Ok((guard, snap))
    }

    /// Ends a write: bumps the generation, and when this write is the only one since `before`
    /// was taken, builds the next snapshot from `before` plus the rows it `touched`, read inside
    /// the transaction so it is exactly what commits. Readers then keep answering from memory
    /// instead of reloading everything after every edit.
    pub(crate) async fn finish(
        &self,
        mut tx: Transaction<'_, Any>,
        before: &Snapshot,
        touched: Touched,
    ) -> Result<(), StoreError> {
        let generation = next_id(&mut tx, "generation").await?;
        let next = if generation == before.generation + 1 {
            Some(Arc::new(
                before.refreshed(&mut tx, generation, &touched).await?,
            ))
        } else {
            None
        };
        tx.commit().await?;
        if let Some(next) = next {
            self.install(next).await;
        }
        Ok(())
    }

    /// 新建片区: creates a zone with its members from the effective day.
    pub async fn create_zone(
        &self,
        actor: &Actor,
        input: &ZoneInput,
        today: Date,
    ) -> Result<ZoneId, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let asked: Vec<VillageCode> = input
            .villages
            .iter()
            .chain(std::iter::once(&input.key_village))
            .filter_map(|v| VillageCode::parse(v).ok())
            .collect();
        require_zone_scope(actor, &asked)?;
        let day = input.effective.unwrap_or(today);
        let (name, members) = validate_zone(&snap, input, None, day)?;
        let mut tx = self.pool.begin().await?;
        let id = ZoneId(next_id(&mut tx, "zones").await?);
        let ops = membership_changes(&[], &members, day);
        check_ops(&snap, id, &ops, day)?;
        sqlx::query(
            "INSERT INTO zones (id, name, theme, key_village, lead_official, note, founded_on, dissolved_on, version) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 1)",
        )
        .bind(id.0)
        .bind(&name)
        .bind(input.theme.trim())
        .bind(members.key_village.as_str())
        .bind(input.lead_official.trim())
        .bind(input.note.trim())
        .bind(date_string(day))
        .execute(&mut *tx)
        .await?;
        apply_ops(&mut tx, id, &[], &ops, day).await?;
        if let Some((year, tier, status)) = input.designation {
            upsert_designation(&mut tx, id, year, tier, status).await?;
        }
        let after = json!({
            "id": id.0, "name": name, "theme": input.theme.trim(), "key_village": members.key_village.as_str(),
            "villages": members.villages.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            "lead_official": input.lead_official.trim(), "founded_on": date_string(day),
        });
        audit(
            &mut tx,
            actor,
            "create",
            "zone",
            &id.to_string(),
            None,
            Some(after),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(id)
    }

    /// 编辑片区: changes a zone's facts and members. `expected_version` is the version the
    /// user read; a mismatch means someone else saved first and nothing is written.
    pub async fn update_zone(
        &self,
        actor: &Actor,
        id: ZoneId,
        expected_version: i64,
        input: &ZoneInput,
        today: Date,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let zone = snap.zone(id).ok_or_else(|| StoreError::NotFound {
            what: format!("片区 {id}"),
        })?;
        let asked: Vec<VillageCode> = input
            .villages
            .iter()
            .chain(std::iter::once(&input.key_village))
            .filter_map(|v| VillageCode::parse(v).ok())
            .chain(snap.members(id, today).iter().map(|m| m.village.clone()))
            .collect();
        require_zone_scope(actor, &asked)?;
        if zone.dissolved_on.is_some() {
            return Err(StoreError::Refused(format!(
                "片区「{}」已撤销，不能再编辑",
                zone.name
            )));
        }
        if zone.version != expected_version {
            return Err(StoreError::Conflict {
                what: format!("片区「{}」", zone.name),
                current: zone.version,
            });
        }
        let day = input.effective.unwrap_or(today);
        let (name, members) = validate_zone(&snap, input, Some(id), day)?;
        let current: Vec<Membership> = snap
            .memberships
            .iter()
            .filter(|m| m.zone == id)
            .cloned()
            .collect();
        let ops = membership_changes(&current, &members, day);
        check_ops(&snap, id, &ops, day)?;
        let before = zone_json(&snap, id, day);
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "UPDATE zones SET name = $1, theme = $2, key_village = $3, lead_official = $4, note = $5, version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(&name)
        .bind(input.theme.trim())
        .bind(members.key_village.as_str())
        .bind(input.lead_official.trim())
        .bind(input.note.trim())
        .bind(id.0)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: format!("片区「{}」", zone.name),
                current: zone.version,
            });
        }
        apply_ops(&mut tx, id, &current, &ops, day).await?;
        if let Some((year, tier, status)) = input.designation {
            upsert_designation(&mut tx, id, year, tier, status).await?;
        }
        let after = json!({
            "id": id.0, "name": name, "theme": input.theme.trim(), "key_village": members.key_village.as_str(),
            "villages": members.villages.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
            "lead_official": input.lead_official.trim(), "note": input.note.trim(), "version": expected_version + 1,
        });
        audit(
            &mut tx,
            actor,
            "update",
            "zone",
            &id.to_string(),
            Some(before),
            Some(after),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(())
    }

    /// 撤销片区: ends every membership on `day` and marks the zone dissolved.
    pub async fn dissolve_zone(
        &self,
        actor: &Actor,
        id: ZoneId,
        expected_version: i64,
        day: Date,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let zone = snap.zone(id).ok_or_else(|| StoreError::NotFound {
            what: format!("片区 {id}"),
        })?;
        let current: Vec<VillageCode> = snap
            .members(id, day)
            .iter()
            .map(|m| m.village.clone())
            .collect();
        require_zone_scope(actor, &current)?;
        if zone.dissolved_on.is_some() {
            return Err(StoreError::Refused(format!("片区「{}」已撤销", zone.name)));
        }
        if zone.version != expected_version {
            return Err(StoreError::Conflict {
                what: format!("片区「{}」", zone.name),
                current: zone.version,
            });
        }
        if day < zone.founded_on {
            return Err(DomainError::new(
                "invalid_date",
                "effective",
                "撤销日期不能早于片区成立日期",
            )
            .into());
        }
        let current: Vec<Membership> = snap
            .memberships
            .iter()
            .filter(|m| m.zone == id)
            .cloned()
            .collect();
        let ops: Vec<MembershipOp> = current
            .iter()
            .filter(|m| m.to.is_none())
            .map(|m| MembershipOp::Close {
                village: m.village.clone(),
                on: day,
            })
            .collect();
        check_ops(&snap, id, &ops, day)?;
        let before = zone_json(&snap, id, day);
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query("UPDATE zones SET dissolved_on = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(date_string(day))
            .bind(id.0)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: format!("片区「{}」", zone.name),
                current: zone.version,
            });
        }
        apply_ops(&mut tx, id, &current, &ops, day).await?;
        audit(
            &mut tx,
            actor,
            "dissolve",
            "zone",
            &id.to_string(),
            Some(before),
            Some(json!({"dissolved_on": date_string(day)})),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(())
    }

    /// 调整村归属: moves a village into `to` (or out of any zone with `None`) on `day`. The
    /// zone it leaves must keep its key village and at least two members.
    pub async fn move_village(
        &self,
        actor: &Actor,
        village: &str,
        to: Option<ZoneId>,
        day: Date,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let code = VillageCode::parse(village)?;
        {
            let mut touched = vec![code.clone()];
            if let Some(m) = snap.membership_of(&code, day) {
                touched.extend(snap.members(m.zone, day).iter().map(|m| m.village.clone()));
            }
            if let Some(z) = to {
                touched.extend(snap.members(z, day).iter().map(|m| m.village.clone()));
            }
            require_zone_scope(actor, &touched)?;
        }
        let d = snap.division(&code).ok_or_else(|| StoreError::NotFound {
            what: format!("村 {code}"),
        })?;
        let from = snap.membership_of(&code, day).map(|m| m.zone);
        if from == to {
            return Err(StoreError::Refused(format!(
                "「{}」已在该片区中",
                d.division.name
            )));
        }
        let mut all_ops: Vec<(ZoneId, Vec<Membership>, Vec<MembershipOp>)> = Vec::new();
        if let Some(z) = from {
            let zone = snap.zone(z).ok_or_else(|| StoreError::NotFound {
                what: format!("片区 {z}"),
            })?;
            if zone.key_village == code {
                return Err(DomainError::new(
                    "key_village_moved",
                    "village",
                    format!(
                        "「{}」是片区「{}」的重点村，请先在片区中更换重点村",
                        d.division.name, zone.name
                    ),
                )
                .into());
            }
            let remaining: Vec<VillageCode> = snap
                .members(z, day)
                .iter()
                .map(|m| m.village.clone())
                .filter(|v| v != &code)
                .collect();
            if remaining.len() < 2 {
                return Err(DomainError::new(
                    "too_few_members",
                    "village",
                    format!(
                        "移出后片区「{}」将少于 2 个村；如需解散请撤销片区",
                        zone.name
                    ),
                )
                .into());
            }
            let current: Vec<Membership> = snap
                .memberships
                .iter()
                .filter(|m| m.zone == z)
                .cloned()
                .collect();
            all_ops.push((
                z,
                current,
                vec![MembershipOp::Close {
                    village: code.clone(),
                    on: day,
                }],
            ));
        }
        if let Some(z) = to {
            let zone = snap.zone(z).ok_or_else(|| StoreError::NotFound {
                what: format!("片区 {z}"),
            })?;
            let mut villages: Vec<VillageCode> = snap
                .members(z, day)
                .iter()
                .map(|m| m.village.clone())
                .collect();
            villages.push(code.clone());
            let mut holders = snap.holders(day);
            holders.remove(&code);
            let req = MemberRequest {
                key_village: zone.key_village.clone(),
                villages,
            };
            let valid = validate_members(&req, &snap.registry_map(), &holders, Some(z), day)?;
            let current: Vec<Membership> = snap
                .memberships
                .iter()
                .filter(|m| m.zone == z)
                .cloned()
                .collect();
            let ops = membership_changes(&current, &valid, day);
            all_ops.push((z, current, ops));
        }
        let changes: Vec<(ZoneId, &[MembershipOp])> = all_ops
            .iter()
            .map(|(z, _, ops)| (*z, ops.as_slice()))
            .collect();
        check_all_ops(&snap, &changes, day)?;
        let mut tx = self.pool.begin().await?;
        for (z, current, ops) in &all_ops {
            apply_ops(&mut tx, *z, current, ops, day).await?;
            sqlx::query("UPDATE zones SET version = version + 1 WHERE id = $1")
                .bind(z.0)
                .execute(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "move_village",
            "village",
            code.as_str(),
            Some(json!({"zone": from.map(|z| z.0)})),
            Some(json!({"zone": to.map(|z| z.0), "effective": date_string(day)})),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(())
    }

    /// 设定片区等级: a zone's tier and status for a year; status moves only 申报 → 认定 → 验收
    /// or to 退出.
    pub async fn set_designation(
        &self,
        actor: &Actor,
        id: ZoneId,
        year: i32,
        tier: Tier,
        status: DesignationStatus,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "片区等级认定")?;
        let zone = snap.zone(id).ok_or_else(|| StoreError::NotFound {
            what: format!("片区 {id}"),
        })?;
        gongfu_core::DataYear::new(year as i64)?;
        let existing = snap
            .designations_of(id)
            .into_iter()
            .find(|d| d.year == year)
            .cloned();
        if let Some(e) = &existing
            && e.status != status
            && !e.status.can_move_to(status)
        {
            return Err(DomainError::new(
                "invalid_transition",
                "status",
                format!(
                    "片区「{}」{year}年的状态不能从「{}」改为「{}」",
                    zone.name,
                    e.status.label(),
                    status.label()
                ),
            )
            .into());
        }
        let mut tx = self.pool.begin().await?;
        upsert_designation(&mut tx, id, year, tier, status).await?;
        audit(
            &mut tx,
            actor,
            "set_designation",
            "zone",
            &id.to_string(),
            existing.map(
                |e| json!({"year": year, "tier": e.tier.as_str(), "status": e.status.as_str()}),
            ),
            Some(json!({"year": year, "tier": tier.as_str(), "status": status.as_str()})),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(())
    }

    /// 撤并 / 撤销: marks a village merged into another, or withdrawn, from a date. Refused
    /// while the village is still in a zone on that date.
    pub async fn set_village_status(
        &self,
        actor: &Actor,
        village: &str,
        expected_version: i64,
        status: VillageStatus,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "村的撤并与撤销")?;
        let code = VillageCode::parse(village)?;
        let d = snap.division(&code).ok_or_else(|| StoreError::NotFound {
            what: format!("村 {code}"),
        })?;
        let conflict = || StoreError::Conflict {
            what: format!("「{}」", d.division.name),
            current: d.version,
        };
        if d.version != expected_version {
            return Err(conflict());
        }
        let (from, into) = match &status {
            VillageStatus::Active => (None, None),
            VillageStatus::Merged { from, into } => {
                if into == &code || snap.division(into).is_none() {
                    return Err(DomainError::new(
                        "invalid_target",
                        "merged_into",
                        "撤并去向应为名录中的另一个村",
                    )
                    .into());
                }
                (Some(*from), Some(into.as_str().to_string()))
            }
            VillageStatus::Withdrawn { from } => (Some(*from), None),
        };
        if let Some(day) = from
            && let Some(m) = snap
                .memberships
                .iter()
                .find(|m| m.village == code && m.to.is_none_or(|t| t > day))
        {
            let zname = snap.zone(m.zone).map(|z| z.name.as_str()).unwrap_or("");
            return Err(DomainError::new(
                "still_member",
                "status",
                format!(
                    "「{}」在 {} 时仍属于片区「{zname}」，请先将其移出",
                    d.division.name,
                    date_string(day)
                ),
            )
            .into());
        }
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query("UPDATE divisions SET status = $1, status_from = $2, merged_into = $3, version = version + 1 WHERE code = $4 AND version = $5")
            .bind(status.as_str())
            .bind(from.map(date_string))
            .bind(into)
            .bind(code.as_str())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if res.rows_affected() != 1 {
            return Err(conflict());
        }
        audit(
            &mut tx,
            actor,
            "set_status",
            "village",
            code.as_str(),
            Some(json!({"status": d.division.status.as_str()})),
            Some(json!({"status": status.as_str(), "from": from.map(date_string)})),
        )
        .await?;
        self.finish(tx, &snap, Touched::village(&code)).await?;
        Ok(())
    }

    /// 产业与资源标签: replaces a village's tags. `expected_version` is the division version the
    /// user read.
    pub async fn set_village_tags(
        &self,
        actor: &Actor,
        village: &str,
        expected_version: i64,
        tags: &str,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let code = VillageCode::parse(village)?;
        require_village_scope(actor, &code)?;
        let d = snap.division(&code).ok_or_else(|| StoreError::NotFound {
            what: format!("村 {code}"),
        })?;
        let tags = gongfu_core::village::parse_tags(tags)?;
        if d.version != expected_version {
            return Err(StoreError::Conflict {
                what: format!("「{}」", d.division.name),
                current: d.version,
            });
        }
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "UPDATE divisions SET tags = $1, version = version + 1 WHERE code = $2 AND version = $3",
        )
        .bind(tags.join(","))
        .bind(code.as_str())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: format!("「{}」", d.division.name),
                current: d.version,
            });
        }
        audit(
            &mut tx,
            actor,
            "set_tags",
            "village",
            code.as_str(),
            Some(json!({"tags": d.tags})),
            Some(json!({"tags": tags})),
        )
        .await?;
        self.finish(tx, &snap, Touched::village(&code)).await?;
        Ok(())
    }

    /// Writes yearly figures, all or nothing. Rows must already be validated by the caller's
    /// parser; codes must exist.
    pub async fn import_years(
        &self,
        actor: &Actor,
        rows: &[(VillageCode, YearlyFigures)],
        source: &str,
    ) -> Result<usize, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let outside: Vec<String> = rows
            .iter()
            .filter(|(c, _)| !may_edit_village(&actor.role, c))
            .map(|(c, _)| c.to_string())
            .collect();
        if !outside.is_empty() {
            return Err(StoreError::Forbidden(format!(
                "以下村不在您的管辖范围内，未导入任何数据：{}",
                outside.join("、")
            )));
        }
        let mut errors = Vec::new();
        for (i, (code, f)) in rows.iter().enumerate() {
            if snap.division(code).is_none() {
                errors.push(DomainError::new(
                    "unknown_village",
                    format!("rows[{i}].village_code"),
                    format!("村代码「{code}」不在区划名录中"),
                ));
            }
            if let Err(mut e) = f.validate() {
                e.field = format!("rows[{i}].{}", e.field);
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        for (code, f) in rows {
            sqlx::query(
                "INSERT INTO village_years (village_code, year, population, households, operating_income_fen, disposable_income_fen, area_km2) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (village_code, year) DO UPDATE SET population = excluded.population, households = excluded.households, operating_income_fen = excluded.operating_income_fen, disposable_income_fen = excluded.disposable_income_fen, area_km2 = excluded.area_km2",
            )
            .bind(code.as_str())
            .bind(f.year.get() as i64)
            .bind(f.population)
            .bind(f.households)
            .bind(f.operating_income.0)
            .bind(f.disposable_income.0)
            .bind(f.area_km2)
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            actor,
            "import",
            "village_years",
            source,
            None,
            Some(json!({"rows": rows.len()})),
        )
        .await?;
        self.finish(tx, &snap, Touched::years()).await?;
        Ok(rows.len())
    }

    /// Replaces boundaries (GeoJSON geometry text, already validated) and location points.
    pub async fn import_boundaries(
        &self,
        actor: &Actor,
        rows: &[(VillageCode, String, f64, f64)],
        source: &str,
    ) -> Result<usize, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "村边界导入")?;
        let errors: Vec<DomainError> = rows
            .iter()
            .enumerate()
            .filter(|(_, (c, ..))| snap.division(c).is_none())
            .map(|(i, (c, ..))| {
                DomainError::new(
                    "unknown_village",
                    format!("features[{i}]"),
                    format!("村代码「{c}」不在区划名录中"),
                )
            })
            .collect();
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        for (code, geometry, lon, lat) in rows {
            sqlx::query("UPDATE divisions SET boundary = $1, lon = $2, lat = $3, version = version + 1 WHERE code = $4")
                .bind(geometry)
                .bind(*lon)
                .bind(*lat)
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "import",
            "boundaries",
            source,
            None,
            Some(json!({"features": rows.len()})),
        )
        .await?;
        self.finish(tx, &snap, Touched::all_divisions()).await?;
        Ok(rows.len())
    }

    /// 薄弱村标准: the operating-income threshold below which a village is weak.
    /// `expected_version` is the version the user read (0 while the default was never saved).
    pub async fn set_weak_threshold(
        &self,
        actor: &Actor,
        below: Fen,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        require_admin(actor, "薄弱村标准")?;
        if below.0 < 0 {
            return Err(DomainError::new(
                "out_of_range",
                "weak_income_below",
                "薄弱村标准不能为负数",
            )
            .into());
        }
        let (_turn, snap) = self.write_turn().await?;
        let conflict = || StoreError::Conflict {
            what: "薄弱村标准".into(),
            current: snap.weak_rule_version,
        };
        if snap.weak_rule_version != expected_version {
            return Err(conflict());
        }
        let mut tx = self.pool.begin().await?;
        if !save_versioned_setting(
            &mut tx,
            "weak_income_below_fen",
            &below.0.to_string(),
            expected_version,
        )
        .await?
        {
            return Err(conflict());
        }
        audit(
            &mut tx,
            actor,
            "set",
            "setting",
            "weak_income_below_fen",
            Some(json!(snap.weak_rule.income_below.0)),
            Some(json!(below.0)),
        )
        .await?;
        self.finish(tx, &snap, Touched::settings()).await?;
        Ok(())
    }

    /// Sets (or replaces) one target. `expected_version` is the version the user read: 0 for
    /// a target not set yet.
    pub async fn set_target(
        &self,
        actor: &Actor,
        target: &Target,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        require_admin(actor, "目标任务")?;
        gongfu_core::DataYear::new(target.year as i64)?;
        if target.value < 0 {
            return Err(DomainError::new("out_of_range", "value", "目标值不能为负数").into());
        }
        let (_turn, snap) = self.write_turn().await?;
        let current = snap.target_version(target.year, target.metric);
        let conflict = || StoreError::Conflict {
            what: format!("{}年「{}」目标", target.year, target.metric.label()),
            current,
        };
        if current != expected_version {
            return Err(conflict());
        }
        let before = snap
            .targets
            .iter()
            .find(|t| t.year == target.year && t.metric == target.metric)
            .map(|t| json!({"value": t.value, "note": t.note}));
        let mut tx = self.pool.begin().await?;
        let res = if expected_version == 0 {
            sqlx::query("INSERT INTO targets (year, metric, value, note, version) VALUES ($1, $2, $3, $4, 1) ON CONFLICT (year, metric) DO NOTHING")
                .bind(target.year as i64)
                .bind(target.metric.key())
                .bind(target.value)
                .bind(&target.note)
                .execute(&mut *tx)
                .await?
        } else {
            sqlx::query("UPDATE targets SET value = $1, note = $2, version = version + 1 WHERE year = $3 AND metric = $4 AND version = $5")
                .bind(target.value)
                .bind(&target.note)
                .bind(target.year as i64)
                .bind(target.metric.key())
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
        };
        if res.rows_affected() != 1 {
            return Err(conflict());
        }
        audit(
            &mut tx,
            actor,
            "set",
            "target",
            &format!("{}:{}", target.year, target.metric.key()),
            before,
            Some(json!({"value": target.value, "note": target.note, "version": expected_version + 1})),
        )
        .await?;
        self.finish(tx, &snap, Touched::settings()).await?;
        Ok(())
    }
}

pub(crate) async fn set_setting(
    tx: &mut Transaction<'_, Any>,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1")
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes a setting only if its version is still `expected_version` (0: not saved yet).
/// Returns whether it was written.
async fn save_versioned_setting(
    tx: &mut Transaction<'_, Any>,
    key: &str,
    value: &str,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let res = if expected_version == 0 {
        sqlx::query("INSERT INTO settings (key, value, version) VALUES ($1, $2, 1) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut **tx)
            .await?
    } else {
        sqlx::query(
            "UPDATE settings SET value = $1, version = version + 1 WHERE key = $2 AND version = $3",
        )
        .bind(value)
        .bind(key)
        .bind(expected_version)
        .execute(&mut **tx)
        .await?
    };
    Ok(res.rows_affected() == 1)
}

pub(crate) async fn upsert_target(
    tx: &mut Transaction<'_, Any>,
    t: &Target,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO targets (year, metric, value, note) VALUES ($1, $2, $3, $4) ON CONFLICT (year, metric) DO UPDATE SET value = excluded.value, note = excluded.note, version = targets.version + 1")
        .bind(t.year as i64)
        .bind(t.metric.key())
        .bind(t.value)
        .bind(&t.note)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The policy's default targets, written when a registry is first loaded.
pub(crate) async fn default_targets(tx: &mut Transaction<'_, Any>) -> Result<(), StoreError> {
    for t in policy_targets() {
        upsert_target(tx, &t).await?;
    }
    Ok(())
}
