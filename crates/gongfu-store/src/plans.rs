//! Planning scenarios (片区规划方案): what the zone planner proposed, saved under a name so
//! officials can compare several before deciding, and the one write that adopts a scenario
//! (采纳方案) — turning its proposed zones into real zones in one transaction.
//!
//! A scenario is a proposal, not a fact: saving one changes no zone, and the registry can move
//! on after it was saved. Adoption therefore re-checks everything against the data as it is
//! on the adoption day and refuses a stale scenario (方案已过期) as a whole rather than
//! adopting part of it.

use crate::db::Store;
use crate::service::{
    ZoneInput, apply_ops, audit, check_all_ops, next_id, now_string, require_admin,
    require_zone_scope, validate_zone, zone_json,
};
use crate::snapshot::{Snapshot, Touched};
use crate::{Actor, StoreError};
use gongfu_core::village::date_string;
use gongfu_core::zone::{
    MemberRequest, MemberRole, MembershipOp, ValidMembers, membership_changes, parse_zone_name,
    validate_members,
};
use gongfu_core::{DomainError, VillageCode, ZoneId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use time::Date;

/// Longest scenario name, in characters (a label for a list, not a document title).
pub const SCENARIO_NAME_MAX: usize = 60;

/// Longest zone name `parse_zone_name` accepts; a de-duplicating suffix must fit inside it.
const ZONE_NAME_MAX: usize = 40;

/// One proposed zone (拟设片区).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposedZone {
    /// Suggested name, e.g. "棠棣片区"; used only when a new zone is created.
    pub name: String,
    /// The proposed key village (重点村). Kept as is when `existing` names a zone: adopting a
    /// scenario extends a zone, it does not change its leadership.
    pub key_village: VillageCode,
    /// Every member, key village included.
    pub villages: Vec<VillageCode>,
    /// The existing zone this one extends (it held villages the planner locked), or `None`
    /// for a new zone.
    pub existing: Option<ZoneId>,
}

/// A saved scenario, in full.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub id: i64,
    pub name: String,
    /// The planner parameters as the web layer stored them (opaque here).
    pub params: Value,
    /// Per-zone metrics and the like (opaque here).
    pub summary: Value,
    pub zones: Vec<ProposedZone>,
    pub created_by: String,
    pub created_at: String,
    pub adopted_at: Option<String>,
    pub adopted_by: Option<String>,
    pub version: i64,
}

/// A scenario as listed: enough to pick one to open or compare.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioHead {
    pub id: i64,
    pub name: String,
    pub zones: usize,
    pub villages: usize,
    pub created_by: String,
    pub created_at: String,
    pub adopted_at: Option<String>,
    pub version: i64,
}

/// What adopting a scenario did to each of its proposed zones, in the scenario's order.
#[derive(Debug, Clone, Serialize)]
pub struct AdoptReport {
    /// New zones (新建片区).
    pub created: Vec<ZoneId>,
    /// Existing zones that gained villages (扩充片区).
    pub extended: Vec<ZoneId>,
    /// Existing zones the scenario left as they were.
    pub unchanged: Vec<ZoneId>,
}

/// A village as a person reads it: its name, or the code when the registry lacks it.
fn village_label(snap: &Snapshot, code: &VillageCode) -> String {
    snap.division(code)
        .map(|d| d.division.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn zone_label(snap: &Snapshot, id: ZoneId) -> String {
    snap.zone(id)
        .map(|z| z.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// Every village whose town decides who may save, delete or adopt a scenario: the proposed
/// members and the current members of the zones it extends (as `update_zone` counts them).
fn scope_villages(snap: &Snapshot, zones: &[ProposedZone]) -> Vec<VillageCode> {
    let mut out: Vec<VillageCode> = Vec::new();
    for z in zones {
        out.extend(z.villages.iter().cloned());
        out.push(z.key_village.clone());
        if let Some(id) = z.existing {
            out.extend(
                snap.lines_of_zone(id)
                    .filter(|m| m.to.is_none())
                    .map(|m| m.village.clone()),
            );
        }
    }
    out
}

/// Checks a scenario before it is saved and returns its trimmed name. Only what can never
/// become right later is refused here (unknown codes, a village in two zones, a key village
/// outside its zone, an unknown zone); whether villages are still free is adoption's question.
fn check_scenario(
    snap: &Snapshot,
    name: &str,
    zones: &[ProposedZone],
) -> Result<String, StoreError> {
    let mut errors = Vec::new();
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 {
        errors.push(DomainError::new("required", "name", "请填写方案名称"));
    } else if n > SCENARIO_NAME_MAX {
        errors.push(DomainError::new(
            "too_long",
            "name",
            format!("方案名称不超过 {SCENARIO_NAME_MAX} 个字"),
        ));
    }
    if zones.is_empty() {
        errors.push(DomainError::new(
            "required",
            "zones",
            "方案中至少要有一个片区",
        ));
    }
    // Village → the proposed zone (index) that first named it.
    let mut placed: HashMap<&VillageCode, usize> = HashMap::new();
    let mut extended: HashMap<ZoneId, usize> = HashMap::new();
    for (i, z) in zones.iter().enumerate() {
        if z.existing.is_none()
            && let Err(mut e) = parse_zone_name(&z.name)
        {
            e.field = format!("zones[{i}].name");
            errors.push(e);
        }
        for (j, v) in z.villages.iter().enumerate() {
            let field = format!("zones[{i}].villages[{j}]");
            let Some(d) = snap.division(v) else {
                errors.push(DomainError::new(
                    "unknown_village",
                    field,
                    format!("村代码「{v}」不在区划名录中"),
                ));
                continue;
            };
            match placed.get(v) {
                Some(&k) if k == i => errors.push(DomainError::new(
                    "duplicate_member",
                    field,
                    format!("「{}」在第 {} 个片区中重复出现", d.division.name, i + 1),
                )),
                Some(&k) => errors.push(DomainError::new(
                    "duplicate_member",
                    field,
                    format!(
                        "「{}」同时出现在第 {} 个和第 {} 个片区中，一个村只能属于一个片区",
                        d.division.name,
                        k + 1,
                        i + 1
                    ),
                )),
                None => {
                    placed.insert(v, i);
                }
            }
        }
        if !z.villages.contains(&z.key_village) {
            errors.push(DomainError::new(
                "key_not_member",
                format!("zones[{i}].key_village"),
                format!(
                    "重点村「{}」不在该片区的村中",
                    village_label(snap, &z.key_village)
                ),
            ));
        }
        if let Some(id) = z.existing {
            let field = format!("zones[{i}].existing");
            match snap.zone(id) {
                None => errors.push(DomainError::new(
                    "unknown_zone",
                    field,
                    format!("片区 {id} 不存在"),
                )),
                Some(zone) if zone.dissolved_on.is_some() => errors.push(DomainError::new(
                    "dissolved_zone",
                    field,
                    format!("片区「{}」已撤销", zone.name),
                )),
                Some(zone) => {
                    if let Some(k) = extended.insert(id, i) {
                        errors.push(DomainError::new(
                            "duplicate_zone",
                            field,
                            format!(
                                "片区「{}」同时对应第 {} 个和第 {} 个拟设片区",
                                zone.name,
                                k + 1,
                                i + 1
                            ),
                        ));
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(name.to_string())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// `base`, or `base（2）`, `base（3）` … — the first not in `taken` — kept within the zone
/// name limit so the result still passes `parse_zone_name`.
fn unique_zone_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| {
            let suffix = format!("（{n}）");
            let room = ZONE_NAME_MAX.saturating_sub(suffix.chars().count());
            let stem: String = base.chars().take(room).collect();
            format!("{stem}{suffix}")
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| base.to_string())
}

/// Points a zone-level error at the proposed zone it came from (`villages[2]` →
/// `zones[1].villages[2]`), so the web layer can mark the right row.
fn in_zone(i: usize, errors: Vec<DomainError>) -> impl Iterator<Item = DomainError> {
    errors.into_iter().map(move |mut e| {
        e.field = if e.field.is_empty() {
            format!("zones[{i}]")
        } else {
            format!("zones[{i}].{}", e.field)
        };
        e
    })
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Refused(format!("数据库中的规划方案{what}无效：{e}"))
}

fn scenario_from_row(r: &AnyRow) -> Result<Scenario, StoreError> {
    let json = |col: &str| -> Result<Value, StoreError> {
        serde_json::from_str(&r.try_get::<String, _>(col)?).map_err(|e| corrupt(col, e))
    };
    Ok(Scenario {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        params: json("params_json")?,
        summary: json("summary_json")?,
        zones: serde_json::from_str(&r.try_get::<String, _>("zones_json")?)
            .map_err(|e| corrupt("片区", e))?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        adopted_at: r.try_get("adopted_at")?,
        adopted_by: r.try_get("adopted_by")?,
        version: r.try_get("version")?,
    })
}

/// What adopting does to one proposed zone, decided before anything is written.
enum Step {
    Create {
        name: String,
        members: ValidMembers,
    },
    Extend {
        zone: ZoneId,
        version: i64,
        adds: Vec<VillageCode>,
    },
    Unchanged(ZoneId),
}

impl Store {
    /// 保存方案: stores a planner proposal under a name. Anyone who may edit zones may save
    /// one: a district administrator, or a town user when every village involved lies in
    /// their town. Changes no zone.
    pub async fn save_scenario(
        &self,
        actor: &Actor,
        name: &str,
        params: &Value,
        summary: &Value,
        zones: &[ProposedZone],
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_scope(actor, &scope_villages(&snap, zones))?;
        let name = check_scenario(&snap, name, zones)?;
        let zones_json = serde_json::to_string(zones)
            .map_err(|e| StoreError::Refused(format!("方案无法保存：{e}")))?;
        let villages: usize = zones.iter().map(|z| z.villages.len()).sum();
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "scenarios").await?;
        sqlx::query(
            "INSERT INTO plan_scenarios (id, name, params_json, summary_json, zones_json, zone_count, village_count, created_by, created_at, adopted_at, adopted_by, deleted_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL, 1)",
        )
        .bind(id)
        .bind(&name)
        .bind(params.to_string())
        .bind(summary.to_string())
        .bind(zones_json)
        .bind(zones.len() as i64)
        .bind(villages as i64)
        .bind(&actor.name)
        .bind(now_string())
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "save",
            "scenario",
            &id.to_string(),
            None,
            Some(
                json!({"name": name, "zones": zones.len(), "villages": villages, "params": params}),
            ),
        )
        .await?;
        // Scenarios are not part of the snapshot, but every write moves the generation.
        self.finish(tx, &snap, Touched::default()).await?;
        Ok(id)
    }

    /// The saved scenarios, newest first (deleted ones left out).
    pub async fn scenarios(&self) -> Result<Vec<ScenarioHead>, StoreError> {
        sqlx::query(
            "SELECT id, name, zone_count, village_count, created_by, created_at, adopted_at, version FROM plan_scenarios WHERE deleted_at IS NULL ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ScenarioHead {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                zones: r.try_get::<i64, _>("zone_count")?.max(0) as usize,
                villages: r.try_get::<i64, _>("village_count")?.max(0) as usize,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                adopted_at: r.try_get("adopted_at")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
    }

    /// One scenario in full; `None` when it does not exist or was deleted.
    pub async fn scenario(&self, id: i64) -> Result<Option<Scenario>, StoreError> {
        sqlx::query(
            "SELECT id, name, params_json, summary_json, zones_json, created_by, created_at, adopted_at, adopted_by, version FROM plan_scenarios WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(scenario_from_row)
        .transpose()
    }

    /// 删除方案: hides a scenario not adopted yet. An adopted one stays, since the zones it
    /// created point back at it in the audit log. Same scope as saving; `expected_version`
    /// is the version the user read.
    pub async fn delete_scenario(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let s = self
            .scenario(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("规划方案 {id}"),
            })?;
        require_zone_scope(actor, &scope_villages(&snap, &s.zones))?;
        if s.adopted_at.is_some() {
            return Err(StoreError::Refused(format!(
                "方案「{}」已采纳，不能删除",
                s.name
            )));
        }
        let conflict = || StoreError::Conflict {
            what: format!("方案「{}」", s.name),
            current: s.version,
        };
        if s.version != expected_version {
            return Err(conflict());
        }
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "UPDATE plan_scenarios SET deleted_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND deleted_at IS NULL AND adopted_at IS NULL",
        )
        .bind(now_string())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(conflict());
        }
        audit(
            &mut tx,
            actor,
            "delete",
            "scenario",
            &id.to_string(),
            Some(json!({"name": s.name, "version": s.version})),
            None,
        )
        .await?;
        self.finish(tx, &snap, Touched::default()).await?;
        Ok(())
    }

    /// 采纳方案: turns a scenario into zones from `day`, all or nothing. New zones are created
    /// as `create_zone` would; zones the scenario extends gain the villages they lack and keep
    /// their name and key village. District administrators only: adoption redraws the
    /// district's map. A scenario the data moved past since it was saved (a village it takes
    /// now belongs to another zone, a zone it extends gained a village it leaves out, or was
    /// dissolved) is refused whole as 方案已过期 and nothing changes. A proposed zone that is
    /// too small or names a village no longer active is `Invalid`, its field under `zones[i]`.
    pub async fn adopt_scenario(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        day: Date,
    ) -> Result<AdoptReport, StoreError> {
        require_admin(actor, "采纳规划方案")?;
        let (_turn, snap) = self.write_turn().await?;
        let s = self
            .scenario(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("规划方案 {id}"),
            })?;
        if let Some(at) = &s.adopted_at {
            return Err(StoreError::Refused(format!(
                "方案「{}」已于 {at} 由 {} 采纳，不能重复采纳",
                s.name,
                s.adopted_by.as_deref().unwrap_or("")
            )));
        }
        let conflict = || StoreError::Conflict {
            what: format!("方案「{}」", s.name),
            current: s.version,
        };
        if s.version != expected_version {
            return Err(conflict());
        }
        refuse_if_stale(&snap, &s.zones, day)?;
        let steps = plan_steps(&snap, &s.zones, day)?;

        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "UPDATE plan_scenarios SET adopted_at = $1, adopted_by = $2, version = version + 1 WHERE id = $3 AND version = $4 AND adopted_at IS NULL AND deleted_at IS NULL",
        )
        .bind(now_string())
        .bind(&actor.name)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(conflict());
        }
        // Ids first, so the whole change can be checked against the history at once.
        let mut ops: Vec<(ZoneId, Vec<MembershipOp>)> = Vec::new();
        for step in &steps {
            match step {
                Step::Create { members, .. } => {
                    let zone = ZoneId(next_id(&mut tx, "zones").await?);
                    ops.push((zone, membership_changes(&[], members, day)));
                }
                Step::Extend { zone, adds, .. } => ops.push((
                    *zone,
                    adds.iter()
                        .map(|v| MembershipOp::Open {
                            village: v.clone(),
                            role: MemberRole::Linked,
                        })
                        .collect(),
                )),
                Step::Unchanged(zone) => ops.push((*zone, Vec::new())),
            }
        }
        let changes: Vec<(ZoneId, &[MembershipOp])> =
            ops.iter().map(|(z, o)| (*z, o.as_slice())).collect();
        check_all_ops(&snap, &changes, day)?;

        let mut report = AdoptReport {
            created: Vec::new(),
            extended: Vec::new(),
            unchanged: Vec::new(),
        };
        for (step, (zone, zone_ops)) in steps.iter().zip(&ops) {
            match step {
                Step::Create { name, members } => {
                    sqlx::query(
                        "INSERT INTO zones (id, name, theme, key_village, lead_official, note, founded_on, dissolved_on, version) VALUES ($1, $2, '', $3, '', '', $4, NULL, 1)",
                    )
                    .bind(zone.0)
                    .bind(name)
                    .bind(members.key_village.as_str())
                    .bind(date_string(day))
                    .execute(&mut *tx)
                    .await?;
                    apply_ops(&mut tx, *zone, &[], zone_ops, day).await?;
                    let after = json!({
                        "id": zone.0, "name": name, "theme": "", "key_village": members.key_village.as_str(),
                        "villages": members.villages.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                        "lead_official": "", "founded_on": date_string(day), "scenario": id,
                    });
                    audit(
                        &mut tx,
                        actor,
                        "create",
                        "zone",
                        &zone.to_string(),
                        None,
                        Some(after),
                    )
                    .await?;
                    report.created.push(*zone);
                }
                Step::Extend {
                    zone: z,
                    version,
                    adds,
                } => {
                    let before = zone_json(&snap, *z, day);
                    apply_ops(&mut tx, *z, &[], zone_ops, day).await?;
                    let res = sqlx::query(
                        "UPDATE zones SET version = version + 1 WHERE id = $1 AND version = $2",
                    )
                    .bind(z.0)
                    .bind(*version)
                    .execute(&mut *tx)
                    .await?;
                    if res.rows_affected() != 1 {
                        return Err(StoreError::Conflict {
                            what: format!("片区「{}」", zone_label(&snap, *z)),
                            current: *version,
                        });
                    }
                    let mut villages: Vec<&str> = snap
                        .members(*z, day)
                        .iter()
                        .map(|m| m.village.as_str())
                        .chain(adds.iter().map(|v| v.as_str()))
                        .collect();
                    villages.sort_unstable();
                    let after = json!({
                        "id": z.0, "villages": villages, "added": adds.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                        "effective": date_string(day), "version": version + 1, "scenario": id,
                    });
                    audit(
                        &mut tx,
                        actor,
                        "update",
                        "zone",
                        &z.to_string(),
                        Some(before),
                        Some(after),
                    )
                    .await?;
                    report.extended.push(*z);
                }
                Step::Unchanged(z) => report.unchanged.push(*z),
            }
        }
        audit(
            &mut tx,
            actor,
            "adopt",
            "scenario",
            &id.to_string(),
            Some(json!({"name": s.name, "version": s.version})),
            Some(json!({
                "effective": date_string(day),
                "version": s.version + 1,
                "created": report.created,
                "extended": report.extended,
                "unchanged": report.unchanged,
            })),
        )
        .await?;
        self.finish(tx, &snap, Touched::zones()).await?;
        Ok(report)
    }
}

/// Refuses a scenario the data moved past since it was saved, naming every village and zone
/// concerned: re-planning is the answer, not fixing fields, hence `Refused` not `Invalid`.
fn refuse_if_stale(snap: &Snapshot, zones: &[ProposedZone], day: Date) -> Result<(), StoreError> {
    let holders = snap.holders(day);
    let mut stale = Vec::new();
    for z in zones {
        if let Some(id) = z.existing {
            match snap.zone(id) {
                None => stale.push(format!("片区 {id} 已不存在")),
                Some(zone) if !zone.is_live_on(day) => stale.push(format!(
                    "片区「{}」在 {} 不存续（已撤销或尚未成立）",
                    zone.name,
                    date_string(day)
                )),
                Some(zone) => stale.extend(
                    snap.members(id, day)
                        .iter()
                        .filter(|m| !z.villages.contains(&m.village))
                        .map(|m| {
                            format!(
                                "片区「{}」现有的村「{}」不在方案中",
                                zone.name,
                                village_label(snap, &m.village)
                            )
                        }),
                ),
            }
        }
        for v in &z.villages {
            if let Some((holder, holder_name)) = holders.get(v)
                && Some(*holder) != z.existing
            {
                stale.push(format!(
                    "村「{}」已属于片区「{holder_name}」",
                    village_label(snap, v)
                ));
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "方案已过期：{}，请重新规划",
            stale.join("；")
        )))
    }
}

/// Decides, with the same validation the zone forms use, what adopting does to each proposed
/// zone. Every problem is reported at once, each under `zones[i]`.
fn plan_steps(snap: &Snapshot, zones: &[ProposedZone], day: Date) -> Result<Vec<Step>, StoreError> {
    let registry = snap.registry_map();
    let holders = snap.holders(day);
    let mut taken: HashSet<String> = snap
        .zones
        .iter()
        .filter(|z| z.dissolved_on.is_none())
        .map(|z| z.name.clone())
        .collect();
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    for (i, pz) in zones.iter().enumerate() {
        match pz.existing.and_then(|id| snap.zone(id)) {
            Some(zone) => {
                let current: HashSet<&VillageCode> = snap
                    .members(zone.id, day)
                    .iter()
                    .map(|m| &m.village)
                    .collect();
                let mut adds: Vec<VillageCode> = Vec::new();
                for v in &pz.villages {
                    if !current.contains(v) && !adds.contains(v) {
                        adds.push(v.clone());
                    }
                }
                if adds.is_empty() {
                    steps.push(Step::Unchanged(zone.id));
                    continue;
                }
                let req = MemberRequest {
                    key_village: zone.key_village.clone(),
                    villages: pz.villages.clone(),
                };
                match validate_members(&req, &registry, &holders, Some(zone.id), day) {
                    Ok(_) => steps.push(Step::Extend {
                        zone: zone.id,
                        version: zone.version,
                        adds,
                    }),
                    Err(e) => errors.extend(in_zone(i, e)),
                }
            }
            None => {
                let name = match parse_zone_name(&pz.name) {
                    Ok(n) => unique_zone_name(&n, &taken),
                    Err(e) => {
                        errors.extend(in_zone(i, vec![e]));
                        continue;
                    }
                };
                taken.insert(name.clone());
                let input = ZoneInput {
                    name,
                    key_village: pz.key_village.to_string(),
                    villages: pz.villages.iter().map(|v| v.to_string()).collect(),
                    effective: Some(day),
                    ..ZoneInput::default()
                };
                match validate_zone(snap, &input, None, day) {
                    Ok((name, members)) => steps.push(Step::Create { name, members }),
                    Err(StoreError::Invalid(e)) => errors.extend(in_zone(i, e)),
                    Err(other) => return Err(other),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(StoreError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_zone_name_gets_the_first_free_number_and_stays_within_the_limit() {
        let taken: HashSet<String> = ["棠棣片区", "棠棣片区（2）"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(unique_zone_name("平水片区", &taken), "平水片区");
        assert_eq!(unique_zone_name("棠棣片区", &taken), "棠棣片区（3）");
        let long = "长".repeat(40);
        let taken: HashSet<String> = [long.clone()].into_iter().collect();
        let name = unique_zone_name(&long, &taken);
        assert_eq!(name.chars().count(), 40);
        assert!(name.ends_with("（2）"));
        assert!(parse_zone_name(&name).is_ok());
    }
}
