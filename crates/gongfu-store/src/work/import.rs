//! 片区工作导入: projects, milestones and action items from a checked spreadsheet, all or
//! nothing.
//!
//! Each import checks every row against the database and reports every problem at once, as
//! (row, column, reason) in Chinese: the zone exists, is not dissolved and the actor may
//! manage it (the same rules as the single-record writes: a department may write the projects
//! it leads); villages are members of the zone; a row with an 编号 names a record of the same
//! zone (or project) at the version the file was exported at — otherwise 「该记录已被他人修改」,
//! so two people never overwrite each other unseen; status changes follow the flow
//! (`check_move` / `check_action_move`). Only when there is no problem, and the caller asks
//! to apply, are the rows written, in one transaction, one audit line per record written.
//! Rows identical to the database are left alone (no new version, no audit line).

use super::committee::load_actions;
use super::projects::{ProjectFilter, check_start, update_project_row};
use super::projects::{insert_milestone, insert_project, load_milestones, update_milestone_row};
use super::{conflict, require_zone_work, zone_villages};
use crate::db::Store;
use crate::service::{audit, next_id, now_string, today};
use crate::snapshot::Snapshot;
use crate::{Actor, StoreError};
use gongfu_core::village::date_string;
use gongfu_core::work::committee::{ActionItem, ActionSpec, ActionStatus, check_action_move};
use gongfu_core::work::project::{
    Milestone, MilestoneSpec, Project, ProjectSpec, ProjectStatus, check_move,
};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use time::Date;

/// The Chinese column headers the errors name (the same text as the workbooks' headers in
/// `gongfu_io::work_xlsx`).
pub mod col {
    pub const PROJECT_ID: &str = "项目编号";
    pub const ZONE_ID: &str = "片区编号";
    pub const LEAD: &str = "牵头单位";
    pub const VILLAGES: &str = "涉及村（代码，顿号分隔）";
    pub const START: &str = "开工日期";
    pub const STATUS: &str = "状态";
    pub const VERSION: &str = "版本";
    pub const MILESTONE_ID: &str = "里程碑编号";
    pub const DONE_ON: &str = "实际完成日期";
    pub const ACTION_ID: &str = "待办编号";
    pub const FINISHED_ON: &str = "完成日期";
    pub const RESULT: &str = "办理结果";
}

/// One problem of an import: the 1-based spreadsheet row, the Chinese column header (may be
/// empty), the value read (may be empty), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub reason: String,
}

impl ImportRowError {
    pub fn new(row: usize, column: &str, value: impl ToString, reason: impl Into<String>) -> Self {
        ImportRowError {
            row,
            column: column.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// What an import found, and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WorkImportReport {
    /// No problem found.
    pub ok: bool,
    /// The rows were written (only when `ok` and asked to apply).
    pub applied: bool,
    pub rows: usize,
    /// New records in the file (created when applied).
    pub created: usize,
    /// Changed records (changed when applied).
    pub updated: usize,
    /// Rows the same as the database, left alone.
    pub unchanged: usize,
    pub errors: Vec<ImportRowError>,
}

impl WorkImportReport {
    /// The report of an import of `rows` rows, before any check.
    pub fn for_rows(rows: usize) -> Self {
        WorkImportReport {
            rows,
            ..WorkImportReport::default()
        }
    }
}

/// A 项目清单 row: a new project, or (with its id and the version the file was exported at) a
/// change to one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectImportRow {
    pub row: usize,
    /// (id, version read).
    pub existing: Option<(i64, i64)>,
    pub zone: i64,
    pub spec: ProjectSpec,
    /// `None`: unchanged, or 谋划 for a new project.
    pub status: Option<ProjectStatus>,
}

/// A 里程碑 row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneImportRow {
    pub row: usize,
    pub existing: Option<(i64, i64)>,
    pub project: i64,
    pub spec: MilestoneSpec,
}

/// A 待办事项 row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionImportRow {
    pub row: usize,
    pub existing: Option<(i64, i64)>,
    pub zone: i64,
    pub spec: ActionSpec,
    /// `None`: unchanged, or 未开始 for a new item.
    pub status: Option<ActionStatus>,
    /// 完成日期, with 已完成 only (today when not given).
    pub done_on: Option<Date>,
    pub result: String,
}

/// The errors of one import, in row order.
#[derive(Default)]
struct Errors(Vec<ImportRowError>);

impl Errors {
    fn add(&mut self, row: usize, column: &str, value: impl ToString, reason: impl Into<String>) {
        self.0.push(ImportRowError::new(row, column, value, reason));
    }

    /// Reports (once per row) an 编号 given twice.
    fn duplicate(&mut self, seen: &mut HashSet<i64>, row: usize, column: &str, id: i64) {
        if !seen.insert(id) {
            self.add(
                row,
                column,
                id,
                format!("{column} {id} 在文件中出现了不止一次：每条记录只能填一行"),
            );
        }
    }

    fn stale(&mut self, row: usize, read: i64, current: i64) {
        self.add(
            row,
            col::VERSION,
            read,
            format!("该记录已被他人修改（当前版本 {current}），请重新导出后再改"),
        );
    }
}

/// A store refusal as one sentence for a row.
fn message(e: StoreError) -> String {
    match e {
        StoreError::Invalid(es) => es
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        StoreError::NotFound { what } => format!("{what}不存在"),
        other => other.to_string(),
    }
}

/// The zone exists and is not dissolved, and the actor may write in it: its managers, or the
/// department leading every project named by `lead_units` (empty: managers only).
fn zone_problem(
    actor: &Actor,
    snap: &Snapshot,
    zone: i64,
    day: Date,
    lead_units: &[&str],
) -> Option<String> {
    if let Err(e) = require_zone_work(&Actor::system("check"), snap, zone, day) {
        return Some(message(e));
    }
    super::projects::require_project_scope(actor, snap, zone, lead_units)
        .err()
        .map(message)
}

/// The column a core error's field is shown in.
fn project_column(field: &str) -> &'static str {
    match field {
        "start" => col::START,
        _ => col::STATUS,
    }
}

fn sorted(mut errors: Errors) -> Vec<ImportRowError> {
    errors.0.sort_by_key(|e| e.row);
    errors.0
}

fn action_json(a: &ActionItem) -> serde_json::Value {
    json!({
        "zone": a.zone, "decision": a.decision, "title": a.title, "owner_unit": a.owner_unit,
        "owner_user": a.owner_user, "due": date_string(a.due), "status": a.status.key(),
        "done_on": a.done_on.map(date_string), "result": a.result,
    })
}

/// What a checked project row does.
enum ProjectWrite {
    Create(i64, ProjectSpec, ProjectStatus),
    Update(Box<Project>, i64, ProjectSpec, ProjectStatus),
}

enum MilestoneWrite {
    Create(i64, MilestoneSpec),
    Update(Milestone, i64, MilestoneSpec),
}

enum ActionWrite {
    Create(ActionItem),
    /// (current, version read, after).
    Update(ActionItem, i64, ActionItem),
}

impl Store {
    /// 项目清单导入: checks every row and, with `apply` and no problem, writes them all in
    /// one transaction. A failed import changes nothing.
    pub async fn import_projects(
        &self,
        actor: &Actor,
        rows: &[ProjectImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let day = today();
        let projects: HashMap<i64, Project> = self
            .projects(&ProjectFilter::default())
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut milestones: HashMap<i64, Vec<Milestone>> = HashMap::new();
        for m in self.milestones().await? {
            milestones.entry(m.project).or_default().push(m);
        }
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut errors = Errors::default();
        let mut seen = HashSet::new();
        let mut writes = Vec::new();
        for r in rows {
            let n = r.row;
            let errors_before = errors.0.len();
            let area = zone_villages(&snap, r.zone);
            for v in &r.spec.villages {
                if !area.contains(v) {
                    let name = snap
                        .division(v)
                        .map_or(v.to_string(), |d| d.division.name.clone());
                    errors.add(
                        n,
                        col::VILLAGES,
                        v,
                        format!("「{name}」（{v}）不是片区 {} 的成员村", r.zone),
                    );
                }
            }
            match r.existing {
                None => {
                    if let Some(why) = zone_problem(actor, &snap, r.zone, day, &[&r.spec.lead_unit])
                    {
                        errors.add(n, col::ZONE_ID, r.zone, why);
                    }
                    let status = r.status.unwrap_or(ProjectStatus::Conceived);
                    if let Err(e) = check_start(&r.spec, status) {
                        errors.add(n, col::START, "", e.message);
                    }
                    if errors.0.len() == errors_before {
                        writes.push(ProjectWrite::Create(r.zone, r.spec.clone(), status));
                    }
                }
                Some((id, version)) => {
                    errors.duplicate(&mut seen, n, col::PROJECT_ID, id);
                    let Some(current) = projects.get(&id) else {
                        errors.add(n, col::PROJECT_ID, id, format!("项目 {id} 不存在"));
                        continue;
                    };
                    if current.zone != r.zone {
                        errors.add(
                            n,
                            col::ZONE_ID,
                            r.zone,
                            format!(
                                "项目 {id} 属于片区 {}，不能通过导入改到其他片区",
                                current.zone
                            ),
                        );
                        continue;
                    }
                    if let Some(why) = zone_problem(
                        actor,
                        &snap,
                        r.zone,
                        day,
                        &[&current.lead_unit, &r.spec.lead_unit],
                    ) {
                        errors.add(n, col::ZONE_ID, r.zone, why);
                    }
                    if version != current.version {
                        errors.stale(n, version, current.version);
                    }
                    let mut spec = r.spec.clone();
                    // With sub-items the sheet shows the rolled-up progress; reading it back
                    // keeps the reported figure.
                    if !current.items.is_empty() && spec.reported_progress == current.progress() {
                        spec.reported_progress = current.reported_progress;
                    }
                    let to = r.status.unwrap_or(current.status);
                    let mut start_reported = false;
                    if to != current.status {
                        let next = Project {
                            start: spec.start,
                            items: current.items.clone(),
                            ..current.clone()
                        };
                        let ms = milestones.get(&id).map_or(&[][..], Vec::as_slice);
                        if let Err(e) = check_move(&next, ms, to) {
                            start_reported = e.field == "start";
                            errors.add(n, project_column(&e.field), to.label(), e.message);
                        }
                    }
                    if !start_reported && let Err(e) = check_start(&spec, to) {
                        errors.add(n, col::START, "", e.message);
                    }
                    if errors.0.len() == errors_before {
                        let same = to == current.status
                            && spec
                                == ProjectSpec {
                                    name: current.name.clone(),
                                    mechanism: current.mechanism,
                                    kind: current.kind,
                                    lead_unit: current.lead_unit.clone(),
                                    villages: current.villages.clone(),
                                    investment: current.investment,
                                    start: current.start,
                                    end: current.end,
                                    reported_progress: current.reported_progress,
                                    note: current.note.clone(),
                                };
                        if same {
                            report.unchanged += 1;
                        } else {
                            writes.push(ProjectWrite::Update(
                                Box::new(current.clone()),
                                version,
                                spec,
                                to,
                            ));
                        }
                    }
                }
            }
        }
        report.errors = sorted(errors);
        report.ok = report.errors.is_empty();
        for w in &writes {
            match w {
                ProjectWrite::Create(..) => report.created += 1,
                ProjectWrite::Update(..) => report.updated += 1,
            }
        }
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for w in writes {
            match w {
                ProjectWrite::Create(zone, spec, status) => {
                    insert_project(&mut tx, actor, zone, &spec, status, None).await?;
                }
                ProjectWrite::Update(current, version, spec, status) => {
                    if !update_project_row(&mut tx, actor, &current, version, &spec, status).await?
                    {
                        return Err(conflict(
                            format!("项目「{}」", current.name),
                            current.version,
                        ));
                    }
                }
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }

    /// 里程碑导入: as [`Store::import_projects`]; each milestone's project must exist and be
    /// one the actor may manage, and a done day is not in the future.
    pub async fn import_milestones(
        &self,
        actor: &Actor,
        rows: &[MilestoneImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let day = today();
        let projects: HashMap<i64, Project> = self
            .projects(&ProjectFilter::default())
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut conn = self.pool.acquire().await?;
        let milestones: HashMap<i64, Milestone> = load_milestones(&mut conn, None)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        drop(conn);
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut errors = Errors::default();
        let mut seen = HashSet::new();
        let mut writes = Vec::new();
        for r in rows {
            let n = r.row;
            let errors_before = errors.0.len();
            match projects.get(&r.project) {
                None => errors.add(
                    n,
                    col::PROJECT_ID,
                    r.project,
                    format!("项目 {} 不存在", r.project),
                ),
                Some(p) => {
                    if let Some(why) = zone_problem(actor, &snap, p.zone, day, &[&p.lead_unit]) {
                        errors.add(n, col::PROJECT_ID, r.project, why);
                    }
                }
            }
            if let Some(d) = r.spec.done_on
                && d > day
            {
                errors.add(n, col::DONE_ON, date_string(d), "实际完成日期不能晚于今天");
            }
            match r.existing {
                None => {
                    if errors.0.len() == errors_before {
                        writes.push(MilestoneWrite::Create(r.project, r.spec.clone()));
                    }
                }
                Some((id, version)) => {
                    errors.duplicate(&mut seen, n, col::MILESTONE_ID, id);
                    let Some(current) = milestones.get(&id) else {
                        errors.add(n, col::MILESTONE_ID, id, format!("里程碑 {id} 不存在"));
                        continue;
                    };
                    if current.project != r.project {
                        errors.add(
                            n,
                            col::PROJECT_ID,
                            r.project,
                            format!(
                                "里程碑 {id} 属于项目 {}，不能通过导入改到其他项目",
                                current.project
                            ),
                        );
                    }
                    if version != current.version {
                        errors.stale(n, version, current.version);
                    }
                    if errors.0.len() == errors_before {
                        let same = r.spec
                            == MilestoneSpec {
                                name: current.name.clone(),
                                due: current.due,
                                done_on: current.done_on,
                                note: current.note.clone(),
                            };
                        if same {
                            report.unchanged += 1;
                        } else {
                            writes.push(MilestoneWrite::Update(
                                current.clone(),
                                version,
                                r.spec.clone(),
                            ));
                        }
                    }
                }
            }
        }
        report.errors = sorted(errors);
        report.ok = report.errors.is_empty();
        for w in &writes {
            match w {
                MilestoneWrite::Create(..) => report.created += 1,
                MilestoneWrite::Update(..) => report.updated += 1,
            }
        }
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for w in writes {
            match w {
                MilestoneWrite::Create(project, spec) => {
                    insert_milestone(&mut tx, actor, project, &spec).await?;
                }
                MilestoneWrite::Update(current, version, spec) => {
                    if !update_milestone_row(&mut tx, actor, &current, version, &spec).await? {
                        return Err(conflict(
                            format!("里程碑「{}」", current.name),
                            current.version,
                        ));
                    }
                }
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }

    /// 待办事项导入: as [`Store::import_projects`], for the zone's managers. A status change
    /// follows the flow (办结 and 取消 need the result); an item already closed may stay in
    /// the file unchanged but is not changed any more.
    pub async fn import_actions(
        &self,
        actor: &Actor,
        rows: &[ActionImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let day = today();
        let mut conn = self.pool.acquire().await?;
        let actions: HashMap<i64, ActionItem> = load_actions(&mut conn)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        drop(conn);
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut errors = Errors::default();
        let mut seen = HashSet::new();
        let mut writes = Vec::new();
        for r in rows {
            let n = r.row;
            let errors_before = errors.0.len();
            if let Some(why) = zone_problem(actor, &snap, r.zone, day, &[]) {
                errors.add(n, col::ZONE_ID, r.zone, why);
            }
            if let Some(d) = r.done_on
                && d > day
            {
                errors.add(n, col::FINISHED_ON, date_string(d), "完成日期不能晚于今天");
            }
            let result = r.result.trim().to_string();
            match r.existing {
                None => {
                    let status = r.status.unwrap_or(ActionStatus::Open);
                    if status.is_closed() && result.is_empty() {
                        errors.add(
                            n,
                            col::RESULT,
                            "",
                            "办结或取消的待办请填写办理结果或取消原因",
                        );
                    }
                    let done_on = match status {
                        ActionStatus::Done => Some(r.done_on.unwrap_or(day)),
                        ActionStatus::Cancelled => Some(day),
                        _ => None,
                    };
                    if errors.0.len() == errors_before {
                        writes.push(ActionWrite::Create(ActionItem {
                            id: 0,
                            zone: r.zone,
                            decision: None,
                            title: r.spec.title.clone(),
                            owner_unit: r.spec.owner_unit.clone(),
                            owner_user: None,
                            due: r.spec.due,
                            status,
                            done_on,
                            result: if status.is_closed() {
                                result
                            } else {
                                String::new()
                            },
                            version: 1,
                        }));
                    }
                }
                Some((id, version)) => {
                    errors.duplicate(&mut seen, n, col::ACTION_ID, id);
                    let Some(current) = actions.get(&id) else {
                        errors.add(n, col::ACTION_ID, id, format!("待办事项 {id} 不存在"));
                        continue;
                    };
                    if current.zone != r.zone {
                        errors.add(
                            n,
                            col::ZONE_ID,
                            r.zone,
                            format!(
                                "待办事项 {id} 属于片区 {}，不能通过导入改到其他片区",
                                current.zone
                            ),
                        );
                        continue;
                    }
                    if version != current.version {
                        errors.stale(n, version, current.version);
                    }
                    let to = r.status.unwrap_or(current.status);
                    let mut after = ActionItem {
                        title: r.spec.title.clone(),
                        owner_unit: r.spec.owner_unit.clone(),
                        due: r.spec.due,
                        status: to,
                        ..current.clone()
                    };
                    if current.status.is_closed() {
                        // Closed: only the same row may come back.
                        let done_on = r.done_on.or(current.done_on);
                        let same = after.title == current.title
                            && after.owner_unit == current.owner_unit
                            && after.due == current.due
                            && to == current.status
                            && result == current.result
                            && (to != ActionStatus::Done || done_on == current.done_on);
                        if !same {
                            errors.add(
                                n,
                                col::STATUS,
                                to.label(),
                                format!(
                                    "待办事项已{}，不能再修改：已办结的待办请保持原样或从文件中删去该行",
                                    current.status.label()
                                ),
                            );
                        }
                    } else if to != current.status {
                        if let Err(e) = check_action_move(current, to, &result) {
                            let column = if e.field == "result" {
                                col::RESULT
                            } else {
                                col::STATUS
                            };
                            errors.add(n, column, to.label(), e.message);
                        }
                        if to.is_closed() {
                            after.result = result;
                            after.done_on = Some(match to {
                                ActionStatus::Done => r.done_on.unwrap_or(day),
                                _ => day,
                            });
                        }
                    }
                    if errors.0.len() == errors_before {
                        if after == *current {
                            report.unchanged += 1;
                        } else {
                            writes.push(ActionWrite::Update(current.clone(), version, after));
                        }
                    }
                }
            }
        }
        report.errors = sorted(errors);
        report.ok = report.errors.is_empty();
        for w in &writes {
            match w {
                ActionWrite::Create(..) => report.created += 1,
                ActionWrite::Update(..) => report.updated += 1,
            }
        }
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for w in writes {
            match w {
                ActionWrite::Create(mut item) => {
                    // As `committee::insert_action`, but keeping a 完成日期 from the file (the
                    // helper dates every closing today).
                    item.id = next_id(&mut tx, "action_items").await?;
                    sqlx::query("INSERT INTO action_items (id, zone_id, decision_id, title, owner_unit, owner_user_id, due_on, status, done_on, result, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                        .bind(item.id)
                        .bind(item.zone)
                        .bind(item.decision)
                        .bind(&item.title)
                        .bind(&item.owner_unit)
                        .bind(item.owner_user)
                        .bind(date_string(item.due))
                        .bind(item.status.key())
                        .bind(item.done_on.map(date_string))
                        .bind(&item.result)
                        .bind(&actor.name)
                        .bind(now_string())
                        .execute(&mut *tx)
                        .await?;
                    audit(
                        &mut tx,
                        actor,
                        "create",
                        "action_item",
                        &item.id.to_string(),
                        None,
                        Some(action_json(&item)),
                    )
                    .await?;
                }
                ActionWrite::Update(current, version, after) => {
                    let done = sqlx::query("UPDATE action_items SET title = $1, owner_unit = $2, due_on = $3, status = $4, done_on = $5, result = $6, version = version + 1 WHERE id = $7 AND version = $8")
                        .bind(&after.title)
                        .bind(&after.owner_unit)
                        .bind(date_string(after.due))
                        .bind(after.status.key())
                        .bind(after.done_on.map(date_string))
                        .bind(&after.result)
                        .bind(current.id)
                        .bind(version)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if done != 1 {
                        return Err(conflict(
                            format!("待办事项「{}」", current.title),
                            current.version,
                        ));
                    }
                    audit(
                        &mut tx,
                        actor,
                        "update",
                        "action_item",
                        &current.id.to_string(),
                        Some(action_json(&current)),
                        Some(action_json(&after)),
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }
}
