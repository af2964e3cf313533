//! Zone plans (一片一规划) in versions: one draft or review version at a time, edited only as
//! a draft, submitted by the zone's managers, returned or approved by the district; approving
//! a version supersedes the one in force before it.

use super::{conflict, corrupt, not_found, require_zone_work};
use crate::db::Store;
use crate::service::{audit, next_id, now_string, require_admin, today};
use crate::{Actor, StoreError};
use gongfu_core::facilities::FacilityType;
use gongfu_core::work::plan::{Mu, PlanContent, PlanStatus, PlanStep, check_complete};
use gongfu_core::{DomainError, VillageCode};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{Any, AnyConnection, Row, Transaction};

/// One task of a plan version (建设任务).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlanTask {
    pub id: i64,
    pub seq: i64,
    pub title: String,
}

/// One version of a zone's plan.
#[derive(Debug, Clone, Serialize)]
pub struct ZonePlan {
    pub id: i64,
    pub zone: i64,
    pub version_no: i64,
    pub status: PlanStatus,
    pub content: PlanContent,
    pub tasks: Vec<PlanTask>,
    pub created_by: String,
    pub created_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub version: i64,
}

/// One proposed site of a service layout.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LayoutSite {
    pub village: VillageCode,
    /// 中心服务区 (`true`) or 功能服务点.
    pub hub: bool,
    /// Demand weight (people) it brings within reach that nothing else did.
    pub added: i64,
}

/// The service planner's proposal for one facility type, saved into a zone's plan.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceLayout {
    pub facility_type: FacilityType,
    pub model: String,
    pub radius_m: f64,
    pub covered_before: i64,
    pub covered_after: i64,
    pub total_weight: i64,
    /// The certified gap to the optimum, as stated to the planner.
    pub gap_text: String,
    /// The assumptions behind the numbers (reach, demand, sites counted).
    pub method: String,
    pub sites: Vec<LayoutSite>,
    pub saved_by: String,
    pub saved_at: String,
}

fn plan_json(p: &ZonePlan) -> Value {
    json!({
        "id": p.id, "zone": p.zone, "version_no": p.version_no, "status": p.status.key(),
        "content": p.content, "version": p.version,
    })
}

async fn load(
    conn: &mut AnyConnection,
    where_sql: &str,
    id: i64,
) -> Result<Vec<ZonePlan>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, zone_id, version_no, status, positioning, spatial_structure, industry_layout, land_use_cmu, reserved_cmu, reserve_note, operation_model, created_by, created_at, approved_by, approved_at, version FROM zone_plans WHERE {where_sql} ORDER BY version_no DESC"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let tasks =
            sqlx::query("SELECT id, seq, title FROM plan_tasks WHERE plan_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|t| {
                    Ok(PlanTask {
                        id: t.try_get("id")?,
                        seq: t.try_get("seq")?,
                        title: t.try_get("title")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
        out.push(ZonePlan {
            id,
            zone: r.try_get("zone_id")?,
            version_no: r.try_get("version_no")?,
            status: PlanStatus::parse(&r.try_get::<String, _>("status")?)
                .map_err(|e| corrupt("规划状态", e))?,
            content: PlanContent {
                positioning: r.try_get("positioning")?,
                spatial_structure: r.try_get("spatial_structure")?,
                industry_layout: r.try_get("industry_layout")?,
                land_use: Mu(r.try_get("land_use_cmu")?),
                reserved_quota: Mu(r.try_get("reserved_cmu")?),
                reserve_note: r.try_get("reserve_note")?,
                tasks: tasks.iter().map(|t| t.title.clone()).collect(),
                operation_model: r.try_get("operation_model")?,
            },
            tasks,
            created_by: r.try_get("created_by")?,
            created_at: r.try_get("created_at")?,
            approved_by: r.try_get("approved_by")?,
            approved_at: r.try_get("approved_at")?,
            version: r.try_get("version")?,
        });
    }
    Ok(out)
}

async fn write_tasks(
    tx: &mut Transaction<'_, Any>,
    plan: i64,
    tasks: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM plan_tasks WHERE plan_id = $1")
        .bind(plan)
        .execute(&mut **tx)
        .await?;
    for (i, t) in tasks.iter().enumerate() {
        let id = next_id(tx, "plan_tasks").await?;
        sqlx::query("INSERT INTO plan_tasks (id, plan_id, seq, title) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(plan)
            .bind(i as i64 + 1)
            .bind(t)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Every version of a zone's plan, newest first.
    pub async fn zone_plans(&self, zone: i64) -> Result<Vec<ZonePlan>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, "zone_id = $1", zone).await
    }

    pub async fn zone_plan(&self, id: i64) -> Result<Option<ZonePlan>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load(&mut conn, "id = $1", id).await?.pop())
    }

    /// The version in force: the newest approved one.
    pub async fn plan_in_force(&self, zone: i64) -> Result<Option<ZonePlan>, StoreError> {
        Ok(self
            .zone_plans(zone)
            .await?
            .into_iter()
            .find(|p| p.status == PlanStatus::Approved))
    }

    /// Starts a new draft version, a copy of the newest version (or empty for a first plan).
    /// Refused while another version is still a draft or under review.
    pub async fn new_plan_version(&self, actor: &Actor, zone: i64) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let versions = self.zone_plans(zone).await?;
        if let Some(open) = versions.iter().find(|p| p.status.in_progress()) {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "draft_exists",
                "plan",
                format!(
                    "第 {} 版规划仍在「{}」状态：请先完成它，再起草新版本",
                    open.version_no,
                    open.status.label()
                ),
            )]));
        }
        let content = versions
            .first()
            .map(|p| p.content.clone())
            .unwrap_or_default();
        let version_no = versions.first().map_or(1, |p| p.version_no + 1);
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "zone_plans").await?;
        sqlx::query(
            "INSERT INTO zone_plans (id, zone_id, version_no, status, positioning, spatial_structure, industry_layout, land_use_cmu, reserved_cmu, reserve_note, operation_model, created_by, created_at) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(id)
        .bind(zone)
        .bind(version_no)
        .bind(&content.positioning)
        .bind(&content.spatial_structure)
        .bind(&content.industry_layout)
        .bind(content.land_use.0)
        .bind(content.reserved_quota.0)
        .bind(&content.reserve_note)
        .bind(&content.operation_model)
        .bind(&actor.name)
        .bind(now_string())
        .execute(&mut *tx)
        .await?;
        if let Some(from) = versions.first() {
            copy_layouts(&mut tx, from.id, id).await?;
        }
        write_tasks(&mut tx, id, &content.tasks).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "zone_plan",
            &id.to_string(),
            None,
            Some(json!({"zone": zone, "version_no": version_no})),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves the sections of a draft.
    pub async fn save_plan(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        content: &PlanContent,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .zone_plan(id)
            .await?
            .ok_or_else(|| not_found(format!("规划 {id}")))?;
        require_zone_work(actor, &snap, current.zone, today())?;
        let what = || format!("第 {} 版规划", current.version_no);
        if current.version != expected_version {
            return Err(conflict(what(), current.version));
        }
        if !current.status.editable() {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "not_editable",
                "status",
                format!(
                    "{}处于「{}」状态，只有草案可以修改",
                    what(),
                    current.status.label()
                ),
            )]));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE zone_plans SET positioning = $1, spatial_structure = $2, industry_layout = $3, land_use_cmu = $4, reserved_cmu = $5, reserve_note = $6, operation_model = $7, version = version + 1 WHERE id = $8 AND version = $9",
        )
        .bind(&content.positioning)
        .bind(&content.spatial_structure)
        .bind(&content.industry_layout)
        .bind(content.land_use.0)
        .bind(content.reserved_quota.0)
        .bind(&content.reserve_note)
        .bind(&content.operation_model)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(what(), current.version));
        }
        write_tasks(&mut tx, id, &content.tasks).await?;
        let after = ZonePlan {
            content: content.clone(),
            version: expected_version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "update",
            "zone_plan",
            &id.to_string(),
            Some(plan_json(&current)),
            Some(plan_json(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 提交审议 / 退回修改 / 批复. Submitting needs every section written; returning and
    /// approving are the district's; approving supersedes the version in force.
    pub async fn plan_step(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        step: PlanStep,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .zone_plan(id)
            .await?
            .ok_or_else(|| not_found(format!("规划 {id}")))?;
        require_zone_work(actor, &snap, current.zone, today())?;
        if step != PlanStep::Submit {
            require_admin(actor, &format!("规划{}", step.label()))?;
        }
        if current.version != expected_version {
            return Err(conflict(
                format!("第 {} 版规划", current.version_no),
                current.version,
            ));
        }
        let to = step.apply(current.status)?;
        if step == PlanStep::Submit {
            check_complete(&current.content)?;
        }
        let mut tx = self.pool.begin().await?;
        if to == PlanStatus::Approved {
            sqlx::query("UPDATE zone_plans SET status = 'superseded', version = version + 1 WHERE zone_id = $1 AND status = 'approved'")
                .bind(current.zone)
                .execute(&mut *tx)
                .await?;
        }
        let (by, at) = if to == PlanStatus::Approved {
            (Some(actor.name.clone()), Some(now_string()))
        } else {
            (None, None)
        };
        let done = sqlx::query(
            "UPDATE zone_plans SET status = $1, approved_by = $2, approved_at = $3, version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(to.key())
        .bind(by)
        .bind(at)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("第 {} 版规划", current.version_no),
                current.version,
            ));
        }
        audit(
            &mut tx,
            actor,
            match step {
                PlanStep::Submit => "submit",
                PlanStep::Return => "return",
                PlanStep::Approve => "approve",
            },
            "zone_plan",
            &id.to_string(),
            Some(json!({"status": current.status.key()})),
            Some(json!({"status": to.key()})),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn copy_layouts(tx: &mut Transaction<'_, Any>, from: i64, to: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_service_layouts (plan_id, facility_type, model, radius_m, covered_before, covered_after, total_weight, gap_text, method, saved_by, saved_at) SELECT $1, facility_type, model, radius_m, covered_before, covered_after, total_weight, gap_text, method, saved_by, saved_at FROM plan_service_layouts WHERE plan_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO plan_service_sites (plan_id, facility_type, seq, village_code, role, added_weight) SELECT $1, facility_type, seq, village_code, role, added_weight FROM plan_service_sites WHERE plan_id = $2",
    )
    .bind(to)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The service layouts of a plan version, by facility type.
    pub async fn service_layouts(&self, plan: i64) -> Result<Vec<ServiceLayout>, StoreError> {
        let rows = sqlx::query(
            "SELECT facility_type, model, radius_m, covered_before, covered_after, total_weight, gap_text, method, saved_by, saved_at FROM plan_service_layouts WHERE plan_id = $1 ORDER BY facility_type",
        )
        .bind(plan)
        .fetch_all(&self.pool)
        .await?;
        let sites = sqlx::query(
            "SELECT facility_type, village_code, role, added_weight FROM plan_service_sites WHERE plan_id = $1 ORDER BY facility_type, seq",
        )
        .bind(plan)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let key: String = r.try_get("facility_type")?;
            let mut layout_sites = Vec::new();
            for s in sites.iter() {
                if s.try_get::<String, _>("facility_type")? != key {
                    continue;
                }
                layout_sites.push(LayoutSite {
                    village: VillageCode::parse(&s.try_get::<String, _>("village_code")?)
                        .map_err(|e| corrupt("村代码", e))?,
                    hub: s.try_get::<String, _>("role")? == "hub",
                    added: s.try_get("added_weight")?,
                });
            }
            out.push(ServiceLayout {
                facility_type: FacilityType::parse(&key).map_err(|e| corrupt("设施类型", e))?,
                model: r.try_get("model")?,
                radius_m: r.try_get("radius_m")?,
                covered_before: r.try_get("covered_before")?,
                covered_after: r.try_get("covered_after")?,
                total_weight: r.try_get("total_weight")?,
                gap_text: r.try_get("gap_text")?,
                method: r.try_get("method")?,
                sites: layout_sites,
                saved_by: r.try_get("saved_by")?,
                saved_at: r.try_get("saved_at")?,
            });
        }
        Ok(out)
    }

    /// 保存到片区规划: puts a service layout into the zone's draft plan, replacing the layout
    /// of the same facility type. Without a version in the making, a new draft is started from
    /// the newest version; a version under review is not changed (it must be returned first).
    /// Answers the draft's id.
    pub async fn save_service_layout(
        &self,
        actor: &Actor,
        zone: i64,
        layout: &ServiceLayout,
    ) -> Result<i64, StoreError> {
        let pending = self
            .zone_plans(zone)
            .await?
            .into_iter()
            .find(|p| p.status.in_progress());
        let plan = match pending {
            Some(p) if p.status == PlanStatus::Review => {
                return Err(StoreError::Invalid(vec![DomainError::new(
                    "not_editable",
                    "plan",
                    format!(
                        "第 {} 版规划正在审议，不能加入服务设施布局：请等批复或退回后再保存",
                        p.version_no
                    ),
                )]));
            }
            Some(p) => p.id,
            None => self.new_plan_version(actor, zone).await?,
        };
        let (_turn, snap) = self.write_turn().await?;
        require_zone_work(actor, &snap, zone, today())?;
        let members = super::zone_villages(&snap, zone);
        if let Some(s) = layout.sites.iter().find(|s| !members.contains(&s.village)) {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "not_in_zone",
                "sites",
                format!("选址村 {} 不是本片区的成员村", s.village),
            )]));
        }
        let mut tx = self.pool.begin().await?;
        // The draft must still be a draft (a submit may have come in between).
        let status: String = sqlx::query("SELECT status FROM zone_plans WHERE id = $1")
            .bind(plan)
            .fetch_one(&mut *tx)
            .await?
            .try_get("status")?;
        if status != "draft" {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "not_editable",
                "plan",
                "片区规划草案刚被提交审议，不能再加入服务设施布局",
            )]));
        }
        let key = layout.facility_type.key();
        for table in ["plan_service_sites", "plan_service_layouts"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE plan_id = $1 AND facility_type = $2"
            )))
            .bind(plan)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        }
        let at = now_string();
        sqlx::query(
            "INSERT INTO plan_service_layouts (plan_id, facility_type, model, radius_m, covered_before, covered_after, total_weight, gap_text, method, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(plan)
        .bind(key)
        .bind(&layout.model)
        .bind(layout.radius_m)
        .bind(layout.covered_before)
        .bind(layout.covered_after)
        .bind(layout.total_weight)
        .bind(&layout.gap_text)
        .bind(&layout.method)
        .bind(&actor.name)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        for (i, site) in layout.sites.iter().enumerate() {
            sqlx::query(
                "INSERT INTO plan_service_sites (plan_id, facility_type, seq, village_code, role, added_weight) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan)
            .bind(key)
            .bind(i as i64 + 1)
            .bind(site.village.as_str())
            .bind(if site.hub { "hub" } else { "point" })
            .bind(site.added)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE zone_plans SET version = version + 1 WHERE id = $1")
            .bind(plan)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "service_layout",
            "zone_plan",
            &plan.to_string(),
            None,
            Some(
                json!({"type": key, "model": layout.model, "radius_m": layout.radius_m,
                "sites": layout.sites, "covered_before": layout.covered_before,
                "covered_after": layout.covered_after, "gap": layout.gap_text}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }
}
