//! Talent (人才共创) in the database: training sessions, entrepreneurs with their support
//! applications and yearly reviews. Read from the database (not the snapshot), like elements;
//! every write takes the writer's turn, checks scope, writes one transaction with one audit
//! line, and refuses a stale version.
//!
//! Who may write:
//! - a district administrator, anything;
//! - a town account (镇街), trainings of a zone lying wholly in its town, entrepreneurs in its
//!   town's villages, and applications for their support;
//! - only a district administrator holds district-wide trainings, approves or refuses support
//!   (never their own application: `gongfu_core::ops::talent::decide`), and records reviews.

use crate::db::Store;
use crate::error::invalid;
use crate::service::{audit, next_id, today};
use crate::snapshot::Snapshot;
use crate::work::import::{ImportRowError, WorkImportReport};
use crate::work::{conflict, corrupt, day_of, not_found, opt_day_of, opt_day_text, zone_villages};
use crate::{Actor, StoreError};
use gongfu_core::auth::Role;
use gongfu_core::ops::talent::{
    Decision, Entrepreneur, EntrepreneurKind, EntrepreneurRecord, EntrepreneurSpec, Grade, Review,
    ReviewSpec, Support, SupportKind, SupportRecord, SupportSpec, SupportStatus, Training,
    TrainingSpec, check_award_basis, decide,
};
use gongfu_core::village::date_string;
use gongfu_core::{Fen, VillageCode, ZoneId};
use serde_json::{Value, json};
use sqlx::Row;
use time::Date;

/// Which trainings a list asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TrainingZone {
    #[default]
    Any,
    /// Only district-wide sessions (全区).
    District,
    Zone(i64),
}

#[derive(Debug, Clone, Default)]
pub struct TrainingFilter {
    pub zone: TrainingZone,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct EntrepreneurFilter {
    pub zone: Option<i64>,
    pub kind: Option<EntrepreneurKind>,
}

fn require_admin(actor: &Actor, refusal: &str) -> Result<(), StoreError> {
    match actor.role {
        Role::Admin => Ok(()),
        _ => Err(StoreError::Forbidden(refusal.into())),
    }
}

/// A zone's training: the administrator, or the town holding every village the zone has had.
fn require_training_scope(
    actor: &Actor,
    snap: &Snapshot,
    zone: Option<i64>,
) -> Result<(), StoreError> {
    match zone {
        None => require_admin(actor, "全区性培训由区管理员登记"),
        Some(z) => {
            if snap.zone(ZoneId(z)).is_none() {
                return Err(invalid("unknown_zone", "zone", format!("片区 {z} 不存在")));
            }
            crate::facilities::require_town_scope(
                actor,
                &zone_villages(snap, z),
                "片区培训由区管理员或片区所在镇街登记（镇街用户只能登记本镇街内片区的培训）",
            )
        }
    }
}

fn require_person_scope(actor: &Actor, village: &VillageCode) -> Result<(), StoreError> {
    crate::facilities::require_town_scope(
        actor,
        [village],
        "创业人才由区管理员或所在村的镇街登记（镇街用户只能管理本镇街内的）",
    )
}

fn training_json(id: i64, s: &TrainingSpec, version: i64) -> Value {
    json!({
        "id": id, "zone": s.zone, "topic": s.topic, "held_on": date_string(s.held_on),
        "attendees": s.attendees, "hours_tenths": s.hours_tenths, "audience": s.audience,
        "version": version,
    })
}

fn person_json(id: i64, zone: i64, s: &EntrepreneurSpec, version: i64) -> Value {
    json!({
        "id": id, "zone": zone, "village": s.village.as_str(), "name": s.name,
        "kind": s.kind.key(), "project": s.project, "incubator": s.incubator,
        "since": date_string(s.since), "version": version,
    })
}

fn support_json(r: &SupportRecord) -> Value {
    json!({
        "id": r.support.id, "entrepreneur": r.support.entrepreneur, "kind": r.support.kind.key(),
        "amount_fen": r.support.amount.0, "from": date_string(r.support.from),
        "to": date_string(r.support.to), "status": r.status.key(), "applied_by": r.applied_by,
        "applied_on": date_string(r.applied_on), "decided_by": r.decided_by,
        "decided_on": r.decided_on.map(date_string), "reason": r.reason, "review": r.review,
        "version": r.support.version,
    })
}

fn review_json(id: i64, entrepreneur: i64, s: &ReviewSpec, version: i64) -> Value {
    json!({
        "id": id, "entrepreneur": entrepreneur, "year": s.year, "grade": s.grade.key(),
        "comment": s.comment, "reviewer": s.reviewer, "version": version,
    })
}

/// The zone an entrepreneur belongs to: the one typed, which must hold the village today, or
/// else the zone the village belongs to today.
fn resolve_zone(snap: &Snapshot, spec: &EntrepreneurSpec, day: Date) -> Result<i64, StoreError> {
    let d = snap.division(&spec.village).ok_or_else(|| {
        invalid(
            "unknown_village",
            "village_code",
            format!("村代码「{}」不在名录中", spec.village),
        )
    })?;
    let held = snap.membership_of(&spec.village, day).map(|m| m.zone.0);
    match (spec.zone, held) {
        (Some(z), _) if snap.zone(ZoneId(z)).is_none() => {
            Err(invalid("unknown_zone", "zone", format!("片区 {z} 不存在")))
        }
        (Some(z), Some(h)) if z == h => Ok(z),
        (None, Some(h)) => Ok(h),
        (Some(z), _) => Err(invalid(
            "village_not_in_zone",
            "village_code",
            format!(
                "「{}」不属于片区「{}」：请选择该片区的成员村",
                d.division.name,
                snap.zone(ZoneId(z)).map(|z| z.name.as_str()).unwrap_or("")
            ),
        )),
        (None, None) => Err(invalid(
            "village_not_in_zone",
            "village_code",
            format!(
                "「{}」不在任何片区：创业人才登记在片区的成员村",
                d.division.name
            ),
        )),
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

fn training_spec_of(t: &Training) -> TrainingSpec {
    TrainingSpec {
        zone: t.zone,
        topic: t.topic.clone(),
        held_on: t.held_on,
        attendees: t.attendees,
        hours_tenths: t.hours_tenths,
        audience: t.audience.clone(),
    }
}

fn person_spec_of(p: &EntrepreneurRecord) -> EntrepreneurSpec {
    EntrepreneurSpec {
        name: p.person.name.clone(),
        kind: p.person.kind,
        zone: Some(p.person.zone),
        village: p.village.clone(),
        project: p.person.project.clone(),
        incubator: p.person.incubator.clone(),
        since: p.person.since,
    }
}

async fn insert_training(
    tx: &mut Tx<'_>,
    actor: &Actor,
    spec: &TrainingSpec,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "talent_trainings").await?;
    sqlx::query(
        "INSERT INTO talent_trainings (id, zone_id, topic, held_on, attendees, hours_tenths, audience) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(spec.zone)
    .bind(&spec.topic)
    .bind(date_string(spec.held_on))
    .bind(spec.attendees)
    .bind(spec.hours_tenths)
    .bind(&spec.audience)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        actor,
        "create",
        "training",
        &id.to_string(),
        None,
        Some(training_json(id, spec, 1)),
    )
    .await?;
    Ok(id)
}

/// Writes `spec` over `current` at its version (a Conflict when it changed meanwhile).
async fn update_training_row(
    tx: &mut Tx<'_>,
    actor: &Actor,
    current: &Training,
    spec: &TrainingSpec,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE talent_trainings SET zone_id = $1, topic = $2, held_on = $3, attendees = $4, hours_tenths = $5, audience = $6, version = version + 1 WHERE id = $7 AND version = $8",
    )
    .bind(spec.zone)
    .bind(&spec.topic)
    .bind(date_string(spec.held_on))
    .bind(spec.attendees)
    .bind(spec.hours_tenths)
    .bind(&spec.audience)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(conflict(
            format!("培训「{}」", current.topic),
            current.version,
        ));
    }
    audit(
        tx,
        actor,
        "update",
        "training",
        &current.id.to_string(),
        Some(training_json(
            current.id,
            &training_spec_of(current),
            current.version,
        )),
        Some(training_json(current.id, spec, current.version + 1)),
    )
    .await?;
    Ok(())
}

async fn insert_person(
    tx: &mut Tx<'_>,
    actor: &Actor,
    zone: i64,
    spec: &EntrepreneurSpec,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "talent_entrepreneurs").await?;
    sqlx::query(
        "INSERT INTO talent_entrepreneurs (id, zone_id, village_code, name, kind, project, incubator, since) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(zone)
    .bind(spec.village.as_str())
    .bind(&spec.name)
    .bind(spec.kind.key())
    .bind(&spec.project)
    .bind(&spec.incubator)
    .bind(date_string(spec.since))
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        actor,
        "create",
        "entrepreneur",
        &id.to_string(),
        None,
        Some(person_json(id, zone, spec, 1)),
    )
    .await?;
    Ok(id)
}

async fn update_person_row(
    tx: &mut Tx<'_>,
    actor: &Actor,
    current: &EntrepreneurRecord,
    zone: i64,
    spec: &EntrepreneurSpec,
) -> Result<(), StoreError> {
    let p = &current.person;
    let done = sqlx::query(
        "UPDATE talent_entrepreneurs SET zone_id = $1, village_code = $2, name = $3, kind = $4, project = $5, incubator = $6, since = $7, version = version + 1 WHERE id = $8 AND version = $9",
    )
    .bind(zone)
    .bind(spec.village.as_str())
    .bind(&spec.name)
    .bind(spec.kind.key())
    .bind(&spec.project)
    .bind(&spec.incubator)
    .bind(date_string(spec.since))
    .bind(p.id)
    .bind(p.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Err(conflict(format!("创业人才「{}」", p.name), p.version));
    }
    audit(
        tx,
        actor,
        "update",
        "entrepreneur",
        &p.id.to_string(),
        Some(person_json(
            p.id,
            p.zone,
            &person_spec_of(current),
            p.version,
        )),
        Some(person_json(p.id, zone, spec, p.version + 1)),
    )
    .await?;
    Ok(())
}

/// The zone an edited entrepreneur keeps or moves to: unchanged with the village (so a zone
/// redrawn since does not block an edit), else resolved anew.
fn zone_after_edit(
    snap: &Snapshot,
    current: &EntrepreneurRecord,
    spec: &EntrepreneurSpec,
    day: Date,
) -> Result<i64, StoreError> {
    let p = &current.person;
    if spec.village == current.village && spec.zone.is_none_or(|z| z == p.zone) {
        Ok(p.zone)
    } else {
        resolve_zone(snap, spec, day)
    }
}

impl Store {
    async fn load_trainings(&self) -> Result<Vec<Training>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, zone_id, topic, held_on, attendees, hours_tenths, audience, version FROM talent_trainings ORDER BY held_on DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Training {
                    id: r.try_get("id")?,
                    zone: r.try_get("zone_id")?,
                    topic: r.try_get("topic")?,
                    held_on: day_of(r, "held_on")?,
                    attendees: r.try_get("attendees")?,
                    hours_tenths: r.try_get("hours_tenths")?,
                    audience: r.try_get("audience")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    async fn load_entrepreneurs(&self) -> Result<Vec<EntrepreneurRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, zone_id, village_code, name, kind, project, incubator, since, version FROM talent_entrepreneurs ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EntrepreneurRecord {
                    person: Entrepreneur {
                        id: r.try_get("id")?,
                        zone: r.try_get("zone_id")?,
                        name: r.try_get("name")?,
                        kind: EntrepreneurKind::parse(&r.try_get::<String, _>("kind")?)
                            .map_err(|e| corrupt("人才类型", e))?,
                        project: r.try_get("project")?,
                        incubator: r.try_get("incubator")?,
                        since: day_of(r, "since")?,
                        version: r.try_get("version")?,
                    },
                    village: VillageCode::parse(&r.try_get::<String, _>("village_code")?)
                        .map_err(|e| corrupt("村代码", e))?,
                })
            })
            .collect()
    }

    async fn load_supports(&self, of: Option<i64>) -> Result<Vec<SupportRecord>, StoreError> {
        let base = "SELECT id, entrepreneur_id, kind, amount_fen, from_on, to_on, status, applied_by, applied_on, decided_by, decided_on, reason, review_id, version FROM talent_supports";
        let rows = match of {
            Some(p) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{base} WHERE entrepreneur_id = $1 ORDER BY applied_on DESC, id DESC"
                )))
                .bind(p)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{base} ORDER BY id")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let status = SupportStatus::parse(&r.try_get::<String, _>("status")?)
                    .ok_or_else(|| corrupt("扶持状态", "未知"))?;
                let decided_by: Option<String> = r.try_get("decided_by")?;
                let decided_on = opt_day_of(r, "decided_on")?;
                let approved = status == SupportStatus::Approved;
                Ok(SupportRecord {
                    support: Support {
                        id: r.try_get("id")?,
                        entrepreneur: r.try_get("entrepreneur_id")?,
                        kind: SupportKind::parse(&r.try_get::<String, _>("kind")?)
                            .map_err(|e| corrupt("扶持方式", e))?,
                        amount: Fen(r.try_get("amount_fen")?),
                        from: day_of(r, "from_on")?,
                        to: day_of(r, "to_on")?,
                        // Only an approval counts as granted (a refusal is decided, not approved).
                        approved_by: decided_by.clone().filter(|_| approved),
                        approved_on: decided_on.filter(|_| approved),
                        version: r.try_get("version")?,
                    },
                    status,
                    applied_by: r.try_get("applied_by")?,
                    applied_on: day_of(r, "applied_on")?,
                    decided_by,
                    decided_on,
                    reason: r.try_get("reason")?,
                    review: r.try_get("review_id")?,
                })
            })
            .collect()
    }

    /// Trainings passing `filter`, newest first.
    pub async fn trainings(&self, filter: &TrainingFilter) -> Result<Vec<Training>, StoreError> {
        Ok(self
            .load_trainings()
            .await?
            .into_iter()
            .filter(|t| match filter.zone {
                TrainingZone::Any => true,
                TrainingZone::District => t.zone.is_none(),
                TrainingZone::Zone(z) => t.zone == Some(z),
            })
            .filter(|t| filter.year.is_none_or(|y| t.held_on.year() == y))
            .collect())
    }

    pub async fn training(&self, id: i64) -> Result<Option<Training>, StoreError> {
        Ok(self
            .load_trainings()
            .await?
            .into_iter()
            .find(|t| t.id == id))
    }

    /// 登记培训.
    pub async fn create_training(
        &self,
        actor: &Actor,
        spec: &TrainingSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_training_scope(actor, &snap, spec.zone)?;
        let mut tx = self.pool.begin().await?;
        let id = insert_training(&mut tx, actor, spec).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_training(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &TrainingSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .training(id)
            .await?
            .ok_or_else(|| not_found(format!("培训 {id}")))?;
        require_training_scope(actor, &snap, current.zone)?;
        require_training_scope(actor, &snap, spec.zone)?;
        let conflict = || conflict(format!("培训「{}」", current.topic), current.version);
        if current.version != expected_version {
            return Err(conflict());
        }
        let mut tx = self.pool.begin().await?;
        update_training_row(&mut tx, actor, &current, spec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Entrepreneurs passing `filter`, by id.
    pub async fn entrepreneurs(
        &self,
        filter: &EntrepreneurFilter,
    ) -> Result<Vec<EntrepreneurRecord>, StoreError> {
        Ok(self
            .load_entrepreneurs()
            .await?
            .into_iter()
            .filter(|p| filter.zone.is_none_or(|z| p.person.zone == z))
            .filter(|p| filter.kind.is_none_or(|k| p.person.kind == k))
            .collect())
    }

    pub async fn entrepreneur(&self, id: i64) -> Result<Option<EntrepreneurRecord>, StoreError> {
        Ok(self
            .load_entrepreneurs()
            .await?
            .into_iter()
            .find(|p| p.person.id == id))
    }

    async fn entrepreneur_or_404(&self, id: i64) -> Result<EntrepreneurRecord, StoreError> {
        self.entrepreneur(id)
            .await?
            .ok_or_else(|| not_found(format!("创业人才 {id}")))
    }

    /// 登记创业人才. Returns the id.
    pub async fn create_entrepreneur(
        &self,
        actor: &Actor,
        spec: &EntrepreneurSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_person_scope(actor, &spec.village)?;
        let zone = resolve_zone(&snap, spec, today())?;
        let mut tx = self.pool.begin().await?;
        let id = insert_person(&mut tx, actor, zone, spec).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_entrepreneur(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &EntrepreneurSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self.entrepreneur_or_404(id).await?;
        require_person_scope(actor, &current.village)?;
        require_person_scope(actor, &spec.village)?;
        let p = &current.person;
        let conflict = || conflict(format!("创业人才「{}」", p.name), p.version);
        if p.version != expected_version {
            return Err(conflict());
        }
        let zone = zone_after_edit(&snap, &current, spec, today())?;
        let mut tx = self.pool.begin().await?;
        update_person_row(&mut tx, actor, &current, zone, spec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every support on file (for totals), or those of one entrepreneur, newest first.
    pub async fn supports(&self, of: Option<i64>) -> Result<Vec<SupportRecord>, StoreError> {
        self.load_supports(of).await
    }

    pub async fn support(&self, id: i64) -> Result<Option<SupportRecord>, StoreError> {
        let row = sqlx::query("SELECT entrepreneur_id FROM talent_supports WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let who: i64 = row.try_get("entrepreneur_id")?;
        Ok(self
            .load_supports(Some(who))
            .await?
            .into_iter()
            .find(|s| s.support.id == id))
    }

    /// An entrepreneur's reviews, newest year first.
    pub async fn reviews(&self, entrepreneur: i64) -> Result<Vec<Review>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, entrepreneur_id, year, grade, comment, reviewer, version FROM talent_reviews WHERE entrepreneur_id = $1 ORDER BY year DESC",
        )
        .bind(entrepreneur)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Review {
                    id: r.try_get("id")?,
                    entrepreneur: r.try_get("entrepreneur_id")?,
                    year: r.try_get::<i64, _>("year")? as i32,
                    grade: Grade::parse(&r.try_get::<String, _>("grade")?)
                        .map_err(|e| corrupt("考评等次", e))?,
                    comment: r.try_get("comment")?,
                    reviewer: r.try_get("reviewer")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    /// 申请扶持 for an entrepreneur, applied on `on` by `actor` (whom the approver must differ
    /// from). An 以奖代补 award must rest on one of their reviews graded 优秀 or 良好.
    pub async fn apply_support(
        &self,
        actor: &Actor,
        entrepreneur: i64,
        spec: &SupportSpec,
        on: Date,
    ) -> Result<i64, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        let person = self.entrepreneur_or_404(entrepreneur).await?;
        require_person_scope(actor, &person.village)?;
        let reviews = self.reviews(entrepreneur).await?;
        let review = match spec.review {
            Some(r) => Some(reviews.iter().find(|x| x.id == r).ok_or_else(|| {
                invalid(
                    "unknown_review",
                    "review",
                    format!("年度考评 {r} 不是该创业人才的考评"),
                )
            })?),
            None => None,
        };
        let existing = self.load_supports(Some(entrepreneur)).await?;
        check_award_basis(spec, entrepreneur, review, &existing)?;
        let mut rec = SupportRecord::applied(spec, entrepreneur, &actor.name, on);
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "talent_supports").await?;
        rec.support.id = id;
        sqlx::query(
            "INSERT INTO talent_supports (id, entrepreneur_id, kind, amount_fen, from_on, to_on, status, applied_by, applied_on, review_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(entrepreneur)
        .bind(spec.kind.key())
        .bind(spec.amount.0)
        .bind(date_string(spec.from))
        .bind(date_string(spec.to))
        .bind(SupportStatus::Applied.key())
        .bind(&actor.name)
        .bind(date_string(on))
        .bind(spec.review)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "create",
            "support",
            &id.to_string(),
            None,
            Some(support_json(&rec)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 批准 / 驳回 an application, on `on`: a district administrator other than the applicant.
    pub async fn decide_support(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        decision: &Decision,
        on: Date,
    ) -> Result<SupportRecord, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "扶持申请只能由区管理员审批")?;
        let current = self
            .support(id)
            .await?
            .ok_or_else(|| not_found(format!("扶持申请 {id}")))?;
        let conflict = || conflict(format!("扶持申请 {id}"), current.support.version);
        if current.support.version != expected_version {
            return Err(conflict());
        }
        let decided = decide(&current, decision, &actor.name, on)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE talent_supports SET status = $1, decided_by = $2, decided_on = $3, reason = $4, version = version + 1 WHERE id = $5 AND version = $6 AND status = 'applied'",
        )
        .bind(decided.status.key())
        .bind(&decided.decided_by)
        .bind(opt_day_text(decided.decided_on))
        .bind(&decided.reason)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict());
        }
        let mut after = decided.clone();
        after.support.version += 1;
        audit(
            &mut tx,
            actor,
            match decided.status {
                SupportStatus::Approved => "approve",
                _ => "refuse",
            },
            "support",
            &id.to_string(),
            Some(support_json(&current)),
            Some(support_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// 年度考评: one per entrepreneur and year, recorded by a district administrator.
    pub async fn add_review(
        &self,
        actor: &Actor,
        entrepreneur: i64,
        spec: &ReviewSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "年度考评由区管理员登记")?;
        let person = self.entrepreneur_or_404(entrepreneur).await?;
        if spec.year < person.person.since.year() {
            return Err(invalid(
                "before_since",
                "year",
                format!(
                    "考评年度 {} 早于创业起始（{}）",
                    spec.year,
                    date_string(person.person.since)
                ),
            ));
        }
        if self
            .reviews(entrepreneur)
            .await?
            .iter()
            .any(|r| r.year == spec.year)
        {
            return Err(invalid(
                "duplicate_review",
                "year",
                format!("「{}」已有 {} 年度考评", person.person.name, spec.year),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "talent_reviews").await?;
        sqlx::query(
            "INSERT INTO talent_reviews (id, entrepreneur_id, year, grade, comment, reviewer) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(entrepreneur)
        .bind(i64::from(spec.year))
        .bind(spec.grade.key())
        .bind(&spec.comment)
        .bind(&spec.reviewer)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "create",
            "review",
            &id.to_string(),
            None,
            Some(review_json(id, entrepreneur, spec, 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The records the indicator figures read: trainings, entrepreneurs, and support (only
    /// approved support carries `approved_on`, which is all the figures count).
    pub(crate) async fn talent_records(
        &self,
    ) -> Result<(Vec<Training>, Vec<Entrepreneur>, Vec<Support>), StoreError> {
        Ok((
            self.load_trainings().await?,
            self.load_entrepreneurs()
                .await?
                .into_iter()
                .map(|p| p.person)
                .collect(),
            self.load_supports(None)
                .await?
                .into_iter()
                .map(|s| s.support)
                .collect(),
        ))
    }
}

/// The Chinese column headers import errors name (as in `gongfu_io::talent_xlsx`).
pub mod col {
    pub const TRAINING_ID: &str = "培训编号";
    pub const ZONE_ID: &str = "片区编号";
    pub const PERSON_ID: &str = "人才编号";
    pub const VILLAGE: &str = "所在村代码";
    pub const VERSION: &str = "版本";
}

/// A 培训 row of an upload: new, or (with its id and the version exported at) a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingImportRow {
    pub row: usize,
    /// (培训编号, 版本).
    pub existing: Option<(i64, i64)>,
    pub spec: TrainingSpec,
}

/// A 创业人才 row of an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrepreneurImportRow {
    pub row: usize,
    /// (人才编号, 版本).
    pub existing: Option<(i64, i64)>,
    pub spec: EntrepreneurSpec,
}

/// A refusal by the store as row errors (at `column` when it names no field of its own).
fn store_row_errors(row: usize, column: &str, e: StoreError) -> Vec<ImportRowError> {
    match e {
        StoreError::Invalid(es) => es
            .into_iter()
            .map(|d| ImportRowError::new(row, column, String::new(), d.message))
            .collect(),
        other => vec![ImportRowError::new(
            row,
            column,
            String::new(),
            other.to_string(),
        )],
    }
}

fn stale(row: usize, what: &str, id: i64, now: i64, given: i64) -> ImportRowError {
    ImportRowError::new(
        row,
        col::VERSION,
        given.to_string(),
        format!(
            "该{what}（编号 {id}）已被他人修改（现为版本 {now}）：请重新导出最新数据后再改，以免覆盖他人的修改"
        ),
    )
}

impl Store {
    /// 培训导入: checks every row (scope, zone, 编号 and 版本) and reports every problem; with
    /// `apply` and no problem, writes all rows in one transaction (rows identical to the
    /// database are left alone).
    pub async fn import_trainings(
        &self,
        actor: &Actor,
        rows: &[TrainingImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self.load_trainings().await?;
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut plan: Vec<(&TrainingImportRow, Option<&Training>)> = Vec::new();
        for r in rows {
            let scope = require_training_scope(actor, &snap, r.spec.zone);
            let mut ok = true;
            if let Err(e) = scope {
                report
                    .errors
                    .extend(store_row_errors(r.row, col::ZONE_ID, e));
                ok = false;
            }
            let existing = match r.existing {
                None => None,
                Some((id, version)) => match current.iter().find(|t| t.id == id) {
                    None => {
                        report.errors.push(ImportRowError::new(
                            r.row,
                            col::TRAINING_ID,
                            id.to_string(),
                            format!("培训编号 {id} 不存在：新增培训请把编号和版本留空"),
                        ));
                        ok = false;
                        None
                    }
                    Some(t) => {
                        if let Err(e) = require_training_scope(actor, &snap, t.zone) {
                            report
                                .errors
                                .extend(store_row_errors(r.row, col::ZONE_ID, e));
                            ok = false;
                        }
                        if t.version != version {
                            report
                                .errors
                                .push(stale(r.row, "培训", id, t.version, version));
                            ok = false;
                        }
                        Some(t)
                    }
                },
            };
            if ok {
                match existing {
                    None => report.created += 1,
                    Some(t) if training_spec_of(t) == r.spec => report.unchanged += 1,
                    Some(_) => report.updated += 1,
                }
                plan.push((r, existing));
            }
        }
        report.ok = report.errors.is_empty();
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for (r, existing) in plan {
            match existing {
                None => {
                    insert_training(&mut tx, actor, &r.spec).await?;
                }
                Some(t) if training_spec_of(t) == r.spec => {}
                Some(t) => update_training_row(&mut tx, actor, t, &r.spec).await?,
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }

    /// 创业人才导入: as [`Store::import_trainings`]; each village must lie in a zone (the
    /// entrepreneur's zone is the village's) within the actor's scope.
    pub async fn import_entrepreneurs(
        &self,
        actor: &Actor,
        rows: &[EntrepreneurImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self.load_entrepreneurs().await?;
        let day = today();
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut plan: Vec<(&EntrepreneurImportRow, Option<&EntrepreneurRecord>, i64)> = Vec::new();
        for r in rows {
            let mut ok = true;
            if let Err(e) = require_person_scope(actor, &r.spec.village) {
                report
                    .errors
                    .extend(store_row_errors(r.row, col::VILLAGE, e));
                ok = false;
            }
            let existing = match r.existing {
                None => None,
                Some((id, version)) => match current.iter().find(|p| p.person.id == id) {
                    None => {
                        report.errors.push(ImportRowError::new(
                            r.row,
                            col::PERSON_ID,
                            id.to_string(),
                            format!("人才编号 {id} 不存在：新增创业人才请把编号和版本留空"),
                        ));
                        ok = false;
                        None
                    }
                    Some(p) => {
                        if let Err(e) = require_person_scope(actor, &p.village) {
                            report
                                .errors
                                .extend(store_row_errors(r.row, col::VILLAGE, e));
                            ok = false;
                        }
                        if p.person.version != version {
                            report.errors.push(stale(
                                r.row,
                                "创业人才",
                                id,
                                p.person.version,
                                version,
                            ));
                            ok = false;
                        }
                        Some(p)
                    }
                },
            };
            let zone = match existing {
                Some(p) => zone_after_edit(&snap, p, &r.spec, day),
                None => resolve_zone(&snap, &r.spec, day),
            };
            let zone = match zone {
                Ok(z) => z,
                Err(e) => {
                    report
                        .errors
                        .extend(store_row_errors(r.row, col::VILLAGE, e));
                    continue;
                }
            };
            if ok {
                let same = |p: &EntrepreneurRecord| {
                    let mut spec = r.spec.clone();
                    spec.zone = Some(zone);
                    person_spec_of(p) == spec
                };
                match existing {
                    None => report.created += 1,
                    Some(p) if same(p) => report.unchanged += 1,
                    Some(_) => report.updated += 1,
                }
                plan.push((r, existing, zone));
            }
        }
        report.ok = report.errors.is_empty();
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for (r, existing, zone) in plan {
            match existing {
                None => {
                    insert_person(&mut tx, actor, zone, &r.spec).await?;
                }
                Some(p) => {
                    let mut spec = r.spec.clone();
                    spec.zone = Some(zone);
                    if person_spec_of(p) != spec {
                        update_person_row(&mut tx, actor, p, zone, &r.spec).await?;
                    }
                }
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }
}

/// Who applies and who decides in the demo (two people, as the four-eyes rule wants).
fn demo_actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        address: String::new(),
        user_id: None,
        role: Role::Admin,
    }
}

impl Store {
    /// Seeds the demo's talent (trainings, entrepreneurs with support, reviews and awards)
    /// through the ordinary writes. Returns (trainings, entrepreneurs, supports) written.
    pub async fn seed_demo_talent(
        &self,
        t: &gongfu_demo::talent::DemoTalent,
    ) -> Result<(usize, usize, usize), StoreError> {
        let snap = self.snapshot().await?;
        let zone_id = |name: &str| snap.zones.iter().find(|z| z.name == name).map(|z| z.id.0);
        let office = demo_actor("区人才工作领导小组办公室（演示）");
        let clerk = demo_actor("镇街人才专员（演示）");
        let mut counts = (0, 0, 0);
        for tr in &t.trainings {
            let mut spec = tr.spec.clone();
            spec.zone = match &tr.zone {
                Some(n) => match zone_id(n) {
                    Some(z) => Some(z),
                    None => continue,
                },
                None => None,
            };
            self.create_training(&office, &spec).await?;
            counts.0 += 1;
        }
        for p in &t.people {
            let Ok(id) = self.create_entrepreneur(&clerk, &p.spec).await else {
                // A village that left its zone since: skip the person, not the demo.
                continue;
            };
            counts.1 += 1;
            let review = match &p.review {
                Some(r) => Some(self.add_review(&office, id, r).await?),
                None => None,
            };
            for s in &p.supports {
                let mut spec = s.spec.clone();
                if spec.kind == SupportKind::Award {
                    match review {
                        Some(r) => spec.review = Some(r),
                        None => continue,
                    }
                }
                let sid = self.apply_support(&clerk, id, &spec, s.applied_on).await?;
                counts.2 += 1;
                if let Some((verdict, reason, on)) = &s.decision {
                    let d = Decision {
                        verdict: *verdict,
                        reason: reason.clone(),
                    };
                    self.decide_support(&office, sid, 1, &d, *on).await?;
                }
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongfu_core::ops::indicators::Indicator;
    use gongfu_core::ops::talent::{DecisionDraft, EntrepreneurDraft, ReviewDraft, SupportDraft};

    fn admin(name: &str) -> Actor {
        Actor {
            name: name.into(),
            address: String::new(),
            user_id: Some(1),
            role: Role::Admin,
        }
    }

    #[tokio::test]
    async fn support_flows_into_the_figures_only_once_approved() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::testing::demo_store(dir.path(), 7).await;
        let snap = store.snapshot().await.unwrap();
        let zone = snap.zones[0].id.0;
        let village = snap.zones[0].key_village.clone();
        let a = admin("甲（a）");
        let b = admin("乙（b）");
        let day = today();
        let spec = EntrepreneurDraft {
            name: "沈若溪".into(),
            kind: "农创客".into(),
            village_code: village.to_string(),
            project: "兰花组培".into(),
            since: "2024-03-01".into(),
            ..Default::default()
        }
        .parse(day)
        .unwrap();
        let p = store.create_entrepreneur(&a, &spec).await.unwrap();
        assert_eq!(
            store.entrepreneur(p).await.unwrap().unwrap().person.zone,
            zone
        );
        let support = |kind: &str, amount: &str| {
            SupportDraft {
                kind: kind.into(),
                amount: amount.into(),
                from: "2025-01-01".into(),
                to: "2025-12-31".into(),
                ..Default::default()
            }
            .parse()
            .unwrap()
        };
        let on = time::macros::date!(2025 - 02 - 01);
        let s1 = store
            .apply_support(&a, p, &support("生活补贴", "12000"), on)
            .await
            .unwrap();
        let s2 = store
            .apply_support(&a, p, &support("租金减免", "5000"), on)
            .await
            .unwrap();
        let yes = DecisionDraft {
            verdict: "approve".into(),
            reason: String::new(),
        }
        .parse()
        .unwrap();
        let no = DecisionDraft {
            verdict: "refuse".into(),
            reason: "重复申请".into(),
        }
        .parse()
        .unwrap();
        let e = store.decide_support(&a, s1, 1, &yes, on).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref v) if v[0].code == "self_approval"));
        store.decide_support(&b, s1, 1, &yes, on).await.unwrap();
        store.decide_support(&b, s2, 1, &no, on).await.unwrap();
        let f = store.indicator_figures(zone, 2025).await.unwrap();
        let v = |i: Indicator| f.iter().find(|x| x.indicator == i).unwrap().value;
        assert_eq!(
            v(Indicator::SupportGranted),
            1_200_000,
            "the refused one is out"
        );
        assert_eq!(v(Indicator::Entrepreneurs), 1);
        // An award needs a 优秀 / 良好 review.
        let r = store
            .add_review(
                &a,
                p,
                &ReviewDraft {
                    year: "2025".into(),
                    grade: "合格".into(),
                    reviewer: "区人才办".into(),
                    ..Default::default()
                }
                .parse(day)
                .unwrap(),
            )
            .await
            .unwrap();
        let mut award = SupportDraft {
            kind: "以奖代补".into(),
            amount: "20000".into(),
            from: "2026-01-01".into(),
            to: "2026-12-31".into(),
            review: r.to_string(),
        }
        .parse()
        .unwrap();
        let e = store.apply_support(&a, p, &award, on).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref v) if v[0].code == "grade_too_low"));
        award.review = Some(999);
        assert!(store.apply_support(&a, p, &award, on).await.is_err());
    }
}
