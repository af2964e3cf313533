//! Projects (项目清单): per zone, with investment by source, villages, sub-items whose progress
//! rolls up, milestones, and the plan task or meeting decision each came from. Status moves
//! only along the flow in `gongfu_core::work::project`.

use super::{
    conflict, corrupt, day_of, not_found, opt_day_of, opt_day_text, require_zone_work,
    zone_villages,
};
use crate::db::Store;
use crate::service::{audit, next_id, now_string, today};
use crate::snapshot::Snapshot;
use crate::{Actor, StoreError};
use gongfu_core::auth::Role;
use gongfu_core::village::date_string;
use gongfu_core::work::project::{
    Investment, Milestone, MilestoneSpec, Origin, Project, ProjectKind, ProjectSpec, ProjectStatus,
    SubItem, check_move,
};
use gongfu_core::work::{Mechanism, Percent};
use gongfu_core::{DomainError, Fen, VillageCode};
use serde::Serialize;
use serde_json::json;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::HashMap;
use time::Date;

/// Which projects a list asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub zone: Option<i64>,
    pub status: Option<ProjectStatus>,
    pub mechanism: Option<Mechanism>,
    /// Only projects overdue on this day.
    pub overdue_on: Option<Date>,
    pub village: Option<VillageCode>,
    pub lead_unit: Option<String>,
}

/// A project with its milestones.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: Project,
    pub milestones: Vec<Milestone>,
}

const PROJECT_COLUMNS: &str = "id, zone_id, name, mechanism, kind, lead_unit, planned_fiscal_fen, planned_collective_fen, planned_social_fen, actual_fiscal_fen, actual_collective_fen, actual_social_fen, start_on, end_on, status, reported_progress, plan_task_id, decision_id, note, version";

/// Which projects to load.
#[derive(Clone, Copy)]
enum Scope {
    All,
    Zone(i64),
    One(i64),
}

impl Scope {
    /// The condition on `projects` (aliased `p`) and its argument.
    fn sql(self) -> (&'static str, Option<i64>) {
        match self {
            Scope::All => ("1 = 1", None),
            Scope::Zone(z) => ("p.zone_id = $1", Some(z)),
            Scope::One(id) => ("p.id = $1", Some(id)),
        }
    }
}

async fn load_projects(conn: &mut AnyConnection, scope: Scope) -> Result<Vec<Project>, StoreError> {
    let (cond, arg) = scope.sql();
    let run = async |conn: &mut AnyConnection, sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        if let Some(a) = arg {
            q = q.bind(a);
        }
        q.fetch_all(&mut *conn).await
    };
    let cols = PROJECT_COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = run(
        conn,
        format!("SELECT {cols} FROM projects p WHERE {cond} ORDER BY p.id"),
    )
    .await?;
    let mut villages: HashMap<i64, Vec<VillageCode>> = HashMap::new();
    for r in run(
        conn,
        format!("SELECT v.project_id, v.village_code FROM project_villages v JOIN projects p ON p.id = v.project_id WHERE {cond} ORDER BY v.village_code"),
    )
    .await?
    {
        let code = VillageCode::parse(&r.try_get::<String, _>("village_code")?)
            .map_err(|e| corrupt("村代码", e))?;
        villages.entry(r.try_get("project_id")?).or_default().push(code);
    }
    let mut items: HashMap<i64, Vec<SubItem>> = HashMap::new();
    for r in run(
        conn,
        format!("SELECT i.project_id, i.name, i.weight, i.progress FROM project_items i JOIN projects p ON p.id = i.project_id WHERE {cond} ORDER BY i.project_id, i.seq"),
    )
    .await?
    {
        items.entry(r.try_get("project_id")?).or_default().push(SubItem {
            name: r.try_get("name")?,
            weight: u32::try_from(r.try_get::<i64, _>("weight")?).map_err(|e| corrupt("子项权重", e))?,
            progress: Percent::new(r.try_get("progress")?, "progress").map_err(|e| corrupt("子项进度", e))?,
        });
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let origin = match (
            r.try_get::<Option<i64>, _>("plan_task_id")?,
            r.try_get::<Option<i64>, _>("decision_id")?,
        ) {
            (Some(t), _) => Some(Origin::PlanTask(t)),
            (None, Some(d)) => Some(Origin::Decision(d)),
            (None, None) => None,
        };
        out.push(Project {
            id,
            zone: r.try_get("zone_id")?,
            name: r.try_get("name")?,
            mechanism: Mechanism::parse(&r.try_get::<String, _>("mechanism")?)
                .map_err(|e| corrupt("机制", e))?,
            kind: ProjectKind::parse(&r.try_get::<String, _>("kind")?)
                .map_err(|e| corrupt("项目类型", e))?,
            lead_unit: r.try_get("lead_unit")?,
            villages: villages.remove(&id).unwrap_or_default(),
            investment: Investment {
                planned: [
                    Fen(r.try_get("planned_fiscal_fen")?),
                    Fen(r.try_get("planned_collective_fen")?),
                    Fen(r.try_get("planned_social_fen")?),
                ],
                actual: [
                    Fen(r.try_get("actual_fiscal_fen")?),
                    Fen(r.try_get("actual_collective_fen")?),
                    Fen(r.try_get("actual_social_fen")?),
                ],
            },
            start: opt_day_of(&r, "start_on")?,
            end: opt_day_of(&r, "end_on")?,
            status: ProjectStatus::parse(&r.try_get::<String, _>("status")?)
                .map_err(|e| corrupt("项目状态", e))?,
            reported_progress: Percent::new(r.try_get("reported_progress")?, "progress")
                .map_err(|e| corrupt("进度", e))?,
            items: items.remove(&id).unwrap_or_default(),
            origin,
            note: r.try_get("note")?,
            version: r.try_get("version")?,
        });
    }
    Ok(out)
}

pub(crate) async fn load_milestones(
    conn: &mut AnyConnection,
    project: Option<i64>,
) -> Result<Vec<Milestone>, StoreError> {
    let rows = match project {
        Some(p) => {
            sqlx::query("SELECT id, project_id, name, due_on, done_on, note, version FROM milestones WHERE project_id = $1 ORDER BY due_on, id")
                .bind(p)
                .fetch_all(&mut *conn)
                .await?
        }
        None => {
            sqlx::query("SELECT id, project_id, name, due_on, done_on, note, version FROM milestones ORDER BY project_id, due_on, id")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(Milestone {
                id: r.try_get("id")?,
                project: r.try_get("project_id")?,
                name: r.try_get("name")?,
                due: day_of(r, "due_on")?,
                done_on: opt_day_of(r, "done_on")?,
                note: r.try_get("note")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

/// A project's records may be written by the zone's managers and by the department leading it.
pub(crate) fn require_project_scope(
    actor: &Actor,
    snap: &Snapshot,
    zone: i64,
    lead_units: &[&str],
) -> Result<(), StoreError> {
    if let Role::Department { unit } = &actor.role
        && !lead_units.is_empty()
        && lead_units.iter().all(|u| *u == unit)
    {
        super::zone_name(snap, zone)?;
        return Ok(());
    }
    require_zone_work(actor, snap, zone, today())
}

/// Checks what a project refers to: its villages belong (or belonged) to the zone; its origin
/// is a task of an approved plan of the zone or a decision of one of its meetings.
async fn check_refs(
    conn: &mut AnyConnection,
    snap: &Snapshot,
    zone: i64,
    spec: &ProjectSpec,
    origin: Option<Origin>,
) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    let area = zone_villages(snap, zone);
    for v in &spec.villages {
        if !area.contains(v) {
            let name = snap
                .division(v)
                .map_or(v.to_string(), |d| d.division.name.clone());
            errors.push(DomainError::new(
                "not_in_zone",
                "villages",
                format!("「{name}」（{v}）不是本片区的成员村"),
            ));
        }
    }
    match origin {
        Some(Origin::PlanTask(t)) => {
            let row = sqlx::query("SELECT p.zone_id, p.status FROM plan_tasks t JOIN zone_plans p ON p.id = t.plan_id WHERE t.id = $1")
                .bind(t)
                .fetch_optional(&mut *conn)
                .await?;
            let ok = match row {
                Some(r) => {
                    r.try_get::<i64, _>("zone_id")? == zone
                        && matches!(
                            r.try_get::<String, _>("status")?.as_str(),
                            "approved" | "superseded"
                        )
                }
                None => false,
            };
            if !ok {
                errors.push(DomainError::new(
                    "bad_origin",
                    "origin",
                    format!("建设任务 {t} 不是本片区已批复规划中的任务"),
                ));
            }
        }
        Some(Origin::Decision(d)) => {
            let row = sqlx::query("SELECT m.zone_id FROM decisions d JOIN meetings m ON m.id = d.meeting_id WHERE d.id = $1")
                .bind(d)
                .fetch_optional(&mut *conn)
                .await?;
            if row.map(|r| r.try_get::<i64, _>("zone_id")).transpose()? != Some(zone) {
                errors.push(DomainError::new(
                    "bad_origin",
                    "origin",
                    format!("决定事项 {d} 不是本片区会议的决定"),
                ));
            }
        }
        None => {}
    }
    crate::error::all_valid(errors)
}

async fn write_villages(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    villages: &[VillageCode],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM project_villages WHERE project_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for v in villages {
        sqlx::query("INSERT INTO project_villages (project_id, village_code) VALUES ($1, $2)")
            .bind(id)
            .bind(v.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn spec_json(spec: &ProjectSpec) -> serde_json::Value {
    json!({
        "name": spec.name, "mechanism": spec.mechanism.key(), "kind": spec.kind.key(),
        "lead_unit": spec.lead_unit,
        "villages": spec.villages.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "investment": spec.investment, "start": spec.start.map(date_string),
        "end": spec.end.map(date_string), "progress": i64::from(spec.reported_progress),
        "note": spec.note,
    })
}

fn spec_of(p: &Project) -> ProjectSpec {
    ProjectSpec {
        name: p.name.clone(),
        mechanism: p.mechanism,
        kind: p.kind,
        lead_unit: p.lead_unit.clone(),
        villages: p.villages.clone(),
        investment: p.investment,
        start: p.start,
        end: p.end,
        reported_progress: p.reported_progress,
        note: p.note.clone(),
    }
}

/// Inserts a project inside the caller's transaction (also used by the spreadsheet import).
pub(crate) async fn insert_project(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    zone: i64,
    spec: &ProjectSpec,
    status: ProjectStatus,
    origin: Option<Origin>,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "projects").await?;
    let (task, decision) = match origin {
        Some(Origin::PlanTask(t)) => (Some(t), None),
        Some(Origin::Decision(d)) => (None, Some(d)),
        None => (None, None),
    };
    let inv = &spec.investment;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO projects ({PROJECT_COLUMNS}, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20, $21)"
    )))
    .bind(id)
    .bind(zone)
    .bind(&spec.name)
    .bind(spec.mechanism.key())
    .bind(spec.kind.key())
    .bind(&spec.lead_unit)
    .bind(inv.planned[0].0)
    .bind(inv.planned[1].0)
    .bind(inv.planned[2].0)
    .bind(inv.actual[0].0)
    .bind(inv.actual[1].0)
    .bind(inv.actual[2].0)
    .bind(opt_day_text(spec.start))
    .bind(opt_day_text(spec.end))
    .bind(status.key())
    .bind(i64::from(spec.reported_progress))
    .bind(task)
    .bind(decision)
    .bind(&spec.note)
    .bind(&actor.name)
    .bind(now_string())
    .execute(&mut **tx)
    .await?;
    write_villages(tx, id, &spec.villages).await?;
    let mut after = spec_json(spec);
    after["zone"] = json!(zone);
    after["status"] = json!(status.key());
    after["origin"] = json!(origin);
    audit(
        tx,
        actor,
        "create",
        "project",
        &id.to_string(),
        None,
        Some(after),
    )
    .await?;
    Ok(id)
}

/// Updates a project's own fields inside the caller's transaction; false when the version
/// moved.
pub(crate) async fn update_project_row(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    current: &Project,
    expected_version: i64,
    spec: &ProjectSpec,
    status: ProjectStatus,
) -> Result<bool, StoreError> {
    let inv = &spec.investment;
    let done = sqlx::query(
        "UPDATE projects SET name = $1, mechanism = $2, kind = $3, lead_unit = $4, planned_fiscal_fen = $5, planned_collective_fen = $6, planned_social_fen = $7, actual_fiscal_fen = $8, actual_collective_fen = $9, actual_social_fen = $10, start_on = $11, end_on = $12, reported_progress = $13, note = $14, status = $15, version = version + 1 WHERE id = $16 AND version = $17",
    )
    .bind(&spec.name)
    .bind(spec.mechanism.key())
    .bind(spec.kind.key())
    .bind(&spec.lead_unit)
    .bind(inv.planned[0].0)
    .bind(inv.planned[1].0)
    .bind(inv.planned[2].0)
    .bind(inv.actual[0].0)
    .bind(inv.actual[1].0)
    .bind(inv.actual[2].0)
    .bind(opt_day_text(spec.start))
    .bind(opt_day_text(spec.end))
    .bind(i64::from(spec.reported_progress))
    .bind(&spec.note)
    .bind(status.key())
    .bind(current.id)
    .bind(expected_version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done != 1 {
        return Ok(false);
    }
    write_villages(tx, current.id, &spec.villages).await?;
    let mut before = spec_json(&spec_of(current));
    before["status"] = json!(current.status.key());
    let mut after = spec_json(spec);
    after["status"] = json!(status.key());
    audit(
        tx,
        actor,
        "update",
        "project",
        &current.id.to_string(),
        Some(before),
        Some(after),
    )
    .await?;
    Ok(true)
}

/// Checks a project about to be written with `status`: a project under way or beyond needs its
/// start date.
pub(crate) fn check_start(spec: &ProjectSpec, status: ProjectStatus) -> Result<(), DomainError> {
    if status >= ProjectStatus::Building && spec.start.is_none() {
        return Err(DomainError::new(
            "start_required",
            "start",
            format!("「{}」状态的项目需要填写开工日期", status.label()),
        ));
    }
    Ok(())
}

impl Store {
    /// Projects passing `filter`, by id.
    pub async fn projects(&self, filter: &ProjectFilter) -> Result<Vec<Project>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let all = match filter.zone {
            Some(z) => load_projects(&mut conn, Scope::Zone(z)).await?,
            None => load_projects(&mut conn, Scope::All).await?,
        };
        Ok(all
            .into_iter()
            .filter(|p| filter.status.is_none_or(|s| p.status == s))
            .filter(|p| filter.mechanism.is_none_or(|m| p.mechanism == m))
            .filter(|p| {
                filter
                    .overdue_on
                    .is_none_or(|d| p.days_overdue(d).is_some())
            })
            .filter(|p| {
                filter
                    .village
                    .as_ref()
                    .is_none_or(|v| p.villages.contains(v))
            })
            .filter(|p| filter.lead_unit.as_ref().is_none_or(|u| &p.lead_unit == u))
            .collect())
    }

    pub async fn project(&self, id: i64) -> Result<Option<ProjectDetail>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(project) = load_projects(&mut conn, Scope::One(id)).await?.pop() else {
            return Ok(None);
        };
        let milestones = load_milestones(&mut conn, Some(id)).await?;
        Ok(Some(ProjectDetail {
            project,
            milestones,
        }))
    }

    /// Every milestone, by project.
    pub async fn milestones(&self) -> Result<Vec<Milestone>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_milestones(&mut conn, None).await
    }

    fn project_missing(id: i64) -> StoreError {
        not_found(format!("项目 {id}"))
    }

    /// 新建项目. A project registered late may start in any status, but one under way needs
    /// its start date.
    pub async fn create_project(
        &self,
        actor: &Actor,
        zone: i64,
        spec: &ProjectSpec,
        status: ProjectStatus,
        origin: Option<Origin>,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_project_scope(actor, &snap, zone, &[&spec.lead_unit])?;
        require_zone_work(&Actor::system("check"), &snap, zone, today())?;
        check_start(spec, status)?;
        let mut tx = self.pool.begin().await?;
        check_refs(&mut tx, &snap, zone, spec, origin).await?;
        let id = insert_project(&mut tx, actor, zone, spec, status, origin).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a project's own fields (its status moves only through [`Store::move_project`]).
    pub async fn update_project(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &ProjectSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .project(id)
            .await?
            .ok_or_else(|| Self::project_missing(id))?
            .project;
        require_project_scope(
            actor,
            &snap,
            current.zone,
            &[&current.lead_unit, &spec.lead_unit],
        )?;
        if current.version != expected_version {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        check_start(spec, current.status)?;
        let mut tx = self.pool.begin().await?;
        check_refs(&mut tx, &snap, current.zone, spec, None).await?;
        if !update_project_row(
            &mut tx,
            actor,
            &current,
            expected_version,
            spec,
            current.status,
        )
        .await?
        {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a project along its status flow (谋划 → 立项 → 在建 → 完工 → 运营 → 验收).
    pub async fn move_project(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        to: ProjectStatus,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let detail = self
            .project(id)
            .await?
            .ok_or_else(|| Self::project_missing(id))?;
        let current = &detail.project;
        require_project_scope(actor, &snap, current.zone, &[&current.lead_unit])?;
        if current.version != expected_version {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        check_move(current, &detail.milestones, to)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE projects SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(to.key())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        audit(
            &mut tx,
            actor,
            "status",
            "project",
            &id.to_string(),
            Some(json!({"status": current.status.key()})),
            Some(json!({"status": to.key()})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a project's sub-items (their names, weights and progress), bumping its version.
    pub async fn set_project_items(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        items: &[SubItem],
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .project(id)
            .await?
            .ok_or_else(|| Self::project_missing(id))?
            .project;
        require_project_scope(actor, &snap, current.zone, &[&current.lead_unit])?;
        if current.version != expected_version {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        if current.status.is_complete() && items.iter().any(|i| i.progress != Percent::FULL) {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "items_unfinished",
                "items",
                format!("项目已「{}」，子项进度应为 100%", current.status.label()),
            )]));
        }
        let mut names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "duplicate",
                "items",
                format!("子项「{}」重复", w[0]),
            )]));
        }
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE projects SET version = version + 1 WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("项目「{}」", current.name),
                current.version,
            ));
        }
        sqlx::query("DELETE FROM project_items WHERE project_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (i, item) in items.iter().enumerate() {
            let item_id = next_id(&mut tx, "project_items").await?;
            sqlx::query("INSERT INTO project_items (id, project_id, seq, name, weight, progress) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(item_id)
                .bind(id)
                .bind(i as i64 + 1)
                .bind(&item.name)
                .bind(i64::from(item.weight))
                .bind(i64::from(item.progress))
                .execute(&mut *tx)
                .await?;
        }
        audit(
            &mut tx,
            actor,
            "items",
            "project",
            &id.to_string(),
            Some(json!(current.items)),
            Some(json!(items)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a milestone to a project.
    pub async fn add_milestone(
        &self,
        actor: &Actor,
        project: i64,
        spec: &MilestoneSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let p = self
            .project(project)
            .await?
            .ok_or_else(|| Self::project_missing(project))?
            .project;
        require_project_scope(actor, &snap, p.zone, &[&p.lead_unit])?;
        check_done_day(spec)?;
        let mut tx = self.pool.begin().await?;
        let id = insert_milestone(&mut tx, actor, project, spec).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a milestone (marking it done is recording its done day).
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &MilestoneSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let mut conn = self.pool.acquire().await?;
        let current = load_milestones(&mut conn, None)
            .await?
            .into_iter()
            .find(|m| m.id == id)
            .ok_or_else(|| not_found(format!("里程碑 {id}")))?;
        drop(conn);
        let p = self
            .project(current.project)
            .await?
            .ok_or_else(|| Self::project_missing(current.project))?
            .project;
        require_project_scope(actor, &snap, p.zone, &[&p.lead_unit])?;
        if current.version != expected_version {
            return Err(conflict(
                format!("里程碑「{}」", current.name),
                current.version,
            ));
        }
        check_done_day(spec)?;
        let mut tx = self.pool.begin().await?;
        if !update_milestone_row(&mut tx, actor, &current, expected_version, spec).await? {
            return Err(conflict(
                format!("里程碑「{}」", current.name),
                current.version,
            ));
        }
        tx.commit().await?;
        Ok(())
    }
}

fn check_done_day(spec: &MilestoneSpec) -> Result<(), StoreError> {
    if spec.done_on.is_some_and(|d| d > today()) {
        return Err(StoreError::Invalid(vec![DomainError::new(
            "in_future",
            "done_on",
            "实际完成日期不能晚于今天",
        )]));
    }
    Ok(())
}

pub(crate) async fn insert_milestone(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    project: i64,
    spec: &MilestoneSpec,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "milestones").await?;
    sqlx::query("INSERT INTO milestones (id, project_id, name, due_on, done_on, note) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(project)
        .bind(&spec.name)
        .bind(date_string(spec.due))
        .bind(opt_day_text(spec.done_on))
        .bind(&spec.note)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        actor,
        "create",
        "milestone",
        &id.to_string(),
        None,
        Some(milestone_json(project, spec)),
    )
    .await?;
    Ok(id)
}

pub(crate) async fn update_milestone_row(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    current: &Milestone,
    expected_version: i64,
    spec: &MilestoneSpec,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE milestones SET name = $1, due_on = $2, done_on = $3, note = $4, version = version + 1 WHERE id = $5 AND version = $6")
        .bind(&spec.name)
        .bind(date_string(spec.due))
        .bind(opt_day_text(spec.done_on))
        .bind(&spec.note)
        .bind(current.id)
        .bind(expected_version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if done != 1 {
        return Ok(false);
    }
    let before = MilestoneSpec {
        name: current.name.clone(),
        due: current.due,
        done_on: current.done_on,
        note: current.note.clone(),
    };
    audit(
        tx,
        actor,
        "update",
        "milestone",
        &current.id.to_string(),
        Some(milestone_json(current.project, &before)),
        Some(milestone_json(current.project, spec)),
    )
    .await?;
    Ok(true)
}

fn milestone_json(project: i64, spec: &MilestoneSpec) -> serde_json::Value {
    json!({
        "project": project, "name": spec.name, "due": date_string(spec.due),
        "done_on": spec.done_on.map(date_string), "note": spec.note,
    })
}
