//! The joint committee (党建联建): members, meetings with their decisions, and the action items
//! decisions become. A decision already carried out by an action item or a project keeps its
//! text: the minutes may be corrected around it, not under it.

use super::{conflict, corrupt, day_of, not_found, opt_day_of, require_zone_work};
use crate::db::Store;
use crate::service::{audit, next_id, now_string, today};
use crate::{Actor, StoreError};
use gongfu_core::DomainError;
use gongfu_core::auth::Role;
use gongfu_core::village::date_string;
use gongfu_core::work::committee::{
    ActionItem, ActionSpec, ActionStatus, CommitteeMember, Decision, Meeting, MeetingSpec,
    MemberRole, MemberSpec, check_action_move,
};
use serde_json::json;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::HashMap;
use time::Date;

/// Which action items a list asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub zone: Option<i64>,
    pub owner_user: Option<i64>,
    pub owner_unit: Option<String>,
    pub status: Option<ActionStatus>,
    /// Only items overdue on this day.
    pub overdue_on: Option<Date>,
    /// Only items still open (未开始 or 推进中).
    pub open_only: bool,
    pub decision: Option<i64>,
}

async fn load_meetings(
    conn: &mut AnyConnection,
    cond: &str,
    arg: Option<i64>,
) -> Result<Vec<Meeting>, StoreError> {
    let sql = format!(
        "SELECT id, zone_id, held_on, title, location, attendees, agenda, minutes, version FROM meetings m WHERE {cond} ORDER BY held_on DESC, id DESC"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let sql = format!(
        "SELECT d.id, d.meeting_id, d.seq, d.text FROM decisions d JOIN meetings m ON m.id = d.meeting_id WHERE {cond} ORDER BY d.meeting_id, d.seq"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
    for r in q.fetch_all(&mut *conn).await? {
        let d = Decision {
            id: r.try_get("id")?,
            meeting: r.try_get("meeting_id")?,
            seq: r.try_get("seq")?,
            text: r.try_get("text")?,
        };
        decisions.entry(d.meeting).or_default().push(d);
    }
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(Meeting {
                id,
                zone: r.try_get("zone_id")?,
                held_on: day_of(r, "held_on")?,
                title: r.try_get("title")?,
                location: r.try_get("location")?,
                attendees: r
                    .try_get::<String, _>("attendees")?
                    .lines()
                    .map(str::to_string)
                    .collect(),
                agenda: r.try_get("agenda")?,
                minutes: r.try_get("minutes")?,
                decisions: decisions.remove(&id).unwrap_or_default(),
                version: r.try_get("version")?,
            })
        })
        .collect()
}

pub(crate) async fn load_actions(conn: &mut AnyConnection) -> Result<Vec<ActionItem>, StoreError> {
    let rows = sqlx::query("SELECT id, zone_id, decision_id, title, owner_unit, owner_user_id, due_on, status, done_on, result, version FROM action_items ORDER BY due_on, id")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ActionItem {
                id: r.try_get("id")?,
                zone: r.try_get("zone_id")?,
                decision: r.try_get("decision_id")?,
                title: r.try_get("title")?,
                owner_unit: r.try_get("owner_unit")?,
                owner_user: r.try_get("owner_user_id")?,
                due: day_of(r, "due_on")?,
                status: ActionStatus::parse(&r.try_get::<String, _>("status")?)
                    .map_err(|e| corrupt("待办状态", e))?,
                done_on: opt_day_of(r, "done_on")?,
                result: r.try_get("result")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

fn meeting_json(zone: i64, m: &MeetingSpec) -> serde_json::Value {
    json!({
        "zone": zone, "held_on": date_string(m.held_on), "title": m.title, "location": m.location,
        "attendees": m.attendees, "agenda": m.agenda, "minutes": m.minutes, "decisions": m.decisions,
    })
}

fn action_json(a: &ActionItem) -> serde_json::Value {
    json!({
        "zone": a.zone, "decision": a.decision, "title": a.title, "owner_unit": a.owner_unit,
        "owner_user": a.owner_user, "due": date_string(a.due), "status": a.status.key(),
        "done_on": a.done_on.map(date_string), "result": a.result,
    })
}

/// May the actor change this item's status? The zone's managers, the owner's account, and a
/// department user of the owning unit.
fn may_work_on(actor: &Actor, item: &ActionItem) -> bool {
    if actor.user_id.is_some() && item.owner_user == actor.user_id {
        return true;
    }
    matches!(&actor.role, Role::Department { unit } if *unit == item.owner_unit)
}

impl Store {
    /// A zone's committee: active members first, the lead first among them.
    pub async fn committee(&self, zone: i64) -> Result<Vec<CommitteeMember>, StoreError> {
        let rows = sqlx::query("SELECT id, zone_id, person, unit, role, title, active FROM committee_members WHERE zone_id = $1 ORDER BY active DESC, id")
            .bind(zone)
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(CommitteeMember {
                    id: r.try_get("id")?,
                    zone: r.try_get("zone_id")?,
                    person: r.try_get("person")?,
                    unit: r.try_get("unit")?,
                    role: MemberRole::parse(&r.try_get::<String, _>("role")?)
                        .map_err(|e| corrupt("成员角色", e))?,
                    title: r.try_get("title")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort_by_key(|m| (!m.active, m.role, m.id));
        Ok(out)
    }

    pub async fn add_committee_member(
        &self,
        actor: &Actor,
        zone: i64,
        spec: &MemberSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "committee_members").await?;
        sqlx::query("INSERT INTO committee_members (id, zone_id, person, unit, role, title) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(zone)
            .bind(&spec.person)
            .bind(&spec.unit)
            .bind(spec.role.key())
            .bind(&spec.title)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, actor, "create", "committee_member", &id.to_string(), None,
            Some(json!({"zone": zone, "person": spec.person, "unit": spec.unit, "role": spec.role.key(), "title": spec.title}))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks a member as having left the committee (kept for the record).
    pub async fn retire_committee_member(&self, actor: &Actor, id: i64) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let row = sqlx::query("SELECT zone_id, active FROM committee_members WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found(format!("联席会议成员 {id}")))?;
        let zone: i64 = row.try_get("zone_id")?;
        require_zone_work(actor, &snap, zone, today())?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE committee_members SET active = 0, version = version + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "retire",
            "committee_member",
            &id.to_string(),
            Some(json!({"active": true})),
            Some(json!({"active": false})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Meetings of a zone (or of every zone), newest first.
    pub async fn meetings(&self, zone: Option<i64>) -> Result<Vec<Meeting>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match zone {
            Some(z) => load_meetings(&mut conn, "m.zone_id = $1", Some(z)).await,
            None => load_meetings(&mut conn, "1 = 1", None).await,
        }
    }

    pub async fn meeting(&self, id: i64) -> Result<Option<Meeting>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_meetings(&mut conn, "m.id = $1", Some(id)).await?.pop())
    }

    /// Records a meeting that was held, with its numbered decisions.
    pub async fn record_meeting(
        &self,
        actor: &Actor,
        zone: i64,
        spec: &MeetingSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "meetings").await?;
        sqlx::query("INSERT INTO meetings (id, zone_id, held_on, title, location, attendees, agenda, minutes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(zone)
            .bind(date_string(spec.held_on))
            .bind(&spec.title)
            .bind(&spec.location)
            .bind(spec.attendees.join("\n"))
            .bind(&spec.agenda)
            .bind(&spec.minutes)
            .bind(&actor.name)
            .bind(now_string())
            .execute(&mut *tx)
            .await?;
        for (i, text) in spec.decisions.iter().enumerate() {
            insert_decision(&mut tx, id, i as i64 + 1, text).await?;
        }
        audit(
            &mut tx,
            actor,
            "create",
            "meeting",
            &id.to_string(),
            None,
            Some(meeting_json(zone, spec)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Corrects a meeting's record. Decisions are matched by number: changed, added or removed
    /// freely until an action item or a project carries one out; then that one stays as it is.
    pub async fn update_meeting(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &MeetingSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .meeting(id)
            .await?
            .ok_or_else(|| not_found(format!("会议 {id}")))?;
        require_zone_work(actor, &snap, current.zone, today())?;
        if current.version != expected_version {
            return Err(conflict(
                format!("会议「{}」", current.title),
                current.version,
            ));
        }
        let used = self.decisions_in_use(&current.decisions).await?;
        let mut errors = Vec::new();
        for d in &current.decisions {
            let new_text = spec.decisions.get(d.seq as usize - 1);
            if used.contains(&d.id) && new_text != Some(&d.text) {
                errors.push(DomainError::new(
                    "decision_in_use",
                    "decisions",
                    format!("第 {} 条决定事项已转为待办或项目，不能修改或删除", d.seq),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE meetings SET held_on = $1, title = $2, location = $3, attendees = $4, agenda = $5, minutes = $6, version = version + 1 WHERE id = $7 AND version = $8")
            .bind(date_string(spec.held_on))
            .bind(&spec.title)
            .bind(&spec.location)
            .bind(spec.attendees.join("\n"))
            .bind(&spec.agenda)
            .bind(&spec.minutes)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("会议「{}」", current.title),
                current.version,
            ));
        }
        for d in &current.decisions {
            match spec.decisions.get(d.seq as usize - 1) {
                Some(t) if *t != d.text => {
                    sqlx::query("UPDATE decisions SET text = $1 WHERE id = $2")
                        .bind(t)
                        .bind(d.id)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(_) => {}
                None => {
                    sqlx::query("DELETE FROM decisions WHERE id = $1")
                        .bind(d.id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        for (i, t) in spec
            .decisions
            .iter()
            .enumerate()
            .skip(current.decisions.len())
        {
            insert_decision(&mut tx, id, i as i64 + 1, t).await?;
        }
        let before = MeetingSpec {
            held_on: current.held_on,
            title: current.title.clone(),
            location: current.location.clone(),
            attendees: current.attendees.clone(),
            agenda: current.agenda.clone(),
            minutes: current.minutes.clone(),
            decisions: current.decisions.iter().map(|d| d.text.clone()).collect(),
        };
        audit(
            &mut tx,
            actor,
            "update",
            "meeting",
            &id.to_string(),
            Some(meeting_json(current.zone, &before)),
            Some(meeting_json(current.zone, spec)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The decisions among `ds` that an action item or a project points at.
    async fn decisions_in_use(&self, ds: &[Decision]) -> Result<Vec<i64>, StoreError> {
        let mut used = Vec::new();
        for d in ds {
            let n: i64 = sqlx::query("SELECT (SELECT COUNT(*) FROM action_items WHERE decision_id = $1) + (SELECT COUNT(*) FROM projects WHERE decision_id = $1) AS n")
                .bind(d.id)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
            if n > 0 {
                used.push(d.id);
            }
        }
        Ok(used)
    }

    /// Action items passing `filter`, by due day.
    pub async fn actions(&self, filter: &ActionFilter) -> Result<Vec<ActionItem>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_actions(&mut conn)
            .await?
            .into_iter()
            .filter(|a| filter.zone.is_none_or(|z| a.zone == z))
            .filter(|a| filter.owner_user.is_none_or(|u| a.owner_user == Some(u)))
            .filter(|a| {
                filter
                    .owner_unit
                    .as_ref()
                    .is_none_or(|u| &a.owner_unit == u)
            })
            .filter(|a| filter.status.is_none_or(|s| a.status == s))
            .filter(|a| {
                filter
                    .overdue_on
                    .is_none_or(|d| a.days_overdue(d).is_some())
            })
            .filter(|a| !filter.open_only || !a.status.is_closed())
            .filter(|a| filter.decision.is_none_or(|d| a.decision == Some(d)))
            .collect())
    }

    pub async fn action(&self, id: i64) -> Result<Option<ActionItem>, StoreError> {
        Ok(self
            .actions(&ActionFilter::default())
            .await?
            .into_iter()
            .find(|a| a.id == id))
    }

    /// 转为待办: makes an action item in a zone, from one of its meetings' decisions or on its
    /// own, owned by a unit and optionally by an account that then sees it on its home page.
    pub async fn create_action(
        &self,
        actor: &Actor,
        zone: i64,
        decision: Option<i64>,
        spec: &ActionSpec,
        owner_user: Option<i64>,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let mut tx = self.pool.begin().await?;
        check_action_refs(&mut tx, zone, decision, owner_user).await?;
        let id = insert_action(
            &mut tx,
            actor,
            zone,
            decision,
            spec,
            owner_user,
            ActionStatus::Open,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits what an item asks, of whom and by when (the zone's managers only).
    pub async fn update_action(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &ActionSpec,
        owner_user: Option<i64>,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .action(id)
            .await?
            .ok_or_else(|| not_found(format!("待办事项 {id}")))?;
        require_zone_work(actor, &snap, current.zone, today())?;
        if current.version != expected_version {
            return Err(conflict(
                format!("待办事项「{}」", current.title),
                current.version,
            ));
        }
        if current.status.is_closed() {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "closed",
                "status",
                format!("待办事项已{}，不能再修改", current.status.label()),
            )]));
        }
        let mut tx = self.pool.begin().await?;
        check_action_refs(&mut tx, current.zone, None, owner_user).await?;
        let done = sqlx::query("UPDATE action_items SET title = $1, owner_unit = $2, owner_user_id = $3, due_on = $4, version = version + 1 WHERE id = $5 AND version = $6")
            .bind(&spec.title)
            .bind(&spec.owner_unit)
            .bind(owner_user)
            .bind(date_string(spec.due))
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("待办事项「{}」", current.title),
                current.version,
            ));
        }
        let after = ActionItem {
            title: spec.title.clone(),
            owner_unit: spec.owner_unit.clone(),
            owner_user,
            due: spec.due,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "update",
            "action_item",
            &id.to_string(),
            Some(action_json(&current)),
            Some(action_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 推进 / 办结 / 取消: the owner (or the zone's managers) moves an item; closing records
    /// what was done, and the day.
    pub async fn set_action_status(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        to: ActionStatus,
        result: &str,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .action(id)
            .await?
            .ok_or_else(|| not_found(format!("待办事项 {id}")))?;
        if !may_work_on(actor, &current) {
            require_zone_work(actor, &snap, current.zone, today())?;
        }
        if current.version != expected_version {
            return Err(conflict(
                format!("待办事项「{}」", current.title),
                current.version,
            ));
        }
        check_action_move(&current, to, result)?;
        let done_on = to.is_closed().then(today);
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE action_items SET status = $1, done_on = $2, result = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(to.key())
            .bind(done_on.map(date_string))
            .bind(result.trim())
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("待办事项「{}」", current.title),
                current.version,
            ));
        }
        let after = ActionItem {
            status: to,
            done_on,
            result: result.trim().to_string(),
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "status",
            "action_item",
            &id.to_string(),
            Some(action_json(&current)),
            Some(action_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_decision(
    tx: &mut Transaction<'_, Any>,
    meeting: i64,
    seq: i64,
    text: &str,
) -> Result<(), StoreError> {
    let id = next_id(tx, "decisions").await?;
    sqlx::query("INSERT INTO decisions (id, meeting_id, seq, text) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(meeting)
        .bind(seq)
        .bind(text)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The decision belongs to a meeting of the zone; the owner account exists and is active.
pub(crate) async fn check_action_refs(
    tx: &mut Transaction<'_, Any>,
    zone: i64,
    decision: Option<i64>,
    owner_user: Option<i64>,
) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    if let Some(d) = decision {
        let row = sqlx::query("SELECT m.zone_id FROM decisions d JOIN meetings m ON m.id = d.meeting_id WHERE d.id = $1")
            .bind(d)
            .fetch_optional(&mut **tx)
            .await?;
        if row.map(|r| r.try_get::<i64, _>("zone_id")).transpose()? != Some(zone) {
            errors.push(DomainError::new(
                "bad_decision",
                "decision",
                format!("决定事项 {d} 不属于本片区的会议"),
            ));
        }
    }
    if let Some(u) = owner_user {
        let row = sqlx::query("SELECT active FROM users WHERE id = $1")
            .bind(u)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            None => errors.push(DomainError::new(
                "unknown_user",
                "owner_user",
                format!("账号 {u} 不存在"),
            )),
            Some(r) if r.try_get::<i64, _>("active")? == 0 => errors.push(DomainError::new(
                "disabled_user",
                "owner_user",
                "该账号已停用，不能指派待办",
            )),
            Some(_) => {}
        }
    }
    crate::error::all_valid(errors)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_action(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    zone: i64,
    decision: Option<i64>,
    spec: &ActionSpec,
    owner_user: Option<i64>,
    status: ActionStatus,
    result: &str,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "action_items").await?;
    let done_on = status.is_closed().then(today);
    sqlx::query("INSERT INTO action_items (id, zone_id, decision_id, title, owner_unit, owner_user_id, due_on, status, done_on, result, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(id)
        .bind(zone)
        .bind(decision)
        .bind(&spec.title)
        .bind(&spec.owner_unit)
        .bind(owner_user)
        .bind(date_string(spec.due))
        .bind(status.key())
        .bind(done_on.map(date_string))
        .bind(result)
        .bind(&actor.name)
        .bind(now_string())
        .execute(&mut **tx)
        .await?;
    let item = ActionItem {
        id,
        zone,
        decision,
        title: spec.title.clone(),
        owner_unit: spec.owner_unit.clone(),
        owner_user,
        due: spec.due,
        status,
        done_on,
        result: result.to_string(),
        version: 1,
    };
    audit(
        tx,
        actor,
        "create",
        "action_item",
        &id.to_string(),
        None,
        Some(action_json(&item)),
    )
    .await?;
    Ok(id)
}
