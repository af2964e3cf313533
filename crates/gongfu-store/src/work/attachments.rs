//! Evidence files (佐证材料) on plans, milestones, meetings and projects. Checked by
//! `gongfu_core::work::evidence` (size, type by content), stored with their SHA-256 so a
//! download can be verified, never changed or deleted once stored.

use super::{not_found, require_zone_work};
use crate::db::Store;
use crate::service::{audit, next_id, now_string, today};
use crate::{Actor, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gongfu_core::auth::Role;
use gongfu_core::work::evidence::{FileKind, check_file};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What an attachment hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Plan(i64),
    Milestone(i64),
    Meeting(i64),
    Project(i64),
}

impl Owner {
    fn kind(self) -> &'static str {
        match self {
            Owner::Plan(_) => "plan",
            Owner::Milestone(_) => "milestone",
            Owner::Meeting(_) => "meeting",
            Owner::Project(_) => "project",
        }
    }
    fn id(self) -> i64 {
        match self {
            Owner::Plan(i) | Owner::Milestone(i) | Owner::Meeting(i) | Owner::Project(i) => i,
        }
    }
}

/// An attachment without its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentMeta {
    pub id: i64,
    pub owner_kind: String,
    pub owner_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl AttachmentMeta {
    pub fn is_image(&self) -> bool {
        FileKind::from_content_type(&self.content_type).is_some_and(FileKind::is_image)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const META: &str = "id, owner_kind, owner_id, file_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at";

fn meta_of(r: &sqlx::any::AnyRow) -> Result<AttachmentMeta, sqlx::Error> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        owner_kind: r.try_get("owner_kind")?,
        owner_id: r.try_get("owner_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// The zone an owner belongs to, and for projects and milestones the lead unit.
    async fn owner_zone(&self, owner: Owner) -> Result<(i64, Option<String>), StoreError> {
        let (sql, what) = match owner {
            Owner::Plan(_) => (
                "SELECT zone_id, NULL AS lead_unit FROM zone_plans WHERE id = $1",
                "规划",
            ),
            Owner::Meeting(_) => (
                "SELECT zone_id, NULL AS lead_unit FROM meetings WHERE id = $1",
                "会议",
            ),
            Owner::Project(_) => (
                "SELECT zone_id, lead_unit FROM projects WHERE id = $1",
                "项目",
            ),
            Owner::Milestone(_) => (
                "SELECT p.zone_id, p.lead_unit FROM milestones m JOIN projects p ON p.id = m.project_id WHERE m.id = $1",
                "里程碑",
            ),
        };
        let row = sqlx::query(sql)
            .bind(owner.id())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found(format!("{what} {}", owner.id())))?;
        Ok((row.try_get("zone_id")?, row.try_get("lead_unit")?))
    }

    /// Stores a checked file on `owner`.
    pub async fn attach(
        &self,
        actor: &Actor,
        owner: Owner,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let (zone, lead_unit) = self.owner_zone(owner).await?;
        let leads =
            matches!((&actor.role, &lead_unit), (Role::Department { unit }, Some(l)) if unit == l);
        if !leads {
            require_zone_work(actor, &snap, zone, today())?;
        }
        let checked = check_file(file_name, bytes)?;
        let sha = hex(&Sha256::digest(bytes));
        let b64 = STANDARD.encode(bytes);
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "attachments").await?;
        sqlx::query("INSERT INTO attachments (id, owner_kind, owner_id, file_name, content_type, size_bytes, sha256, data_b64, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(owner.kind())
            .bind(owner.id())
            .bind(&checked.name)
            .bind(checked.kind.content_type())
            .bind(bytes.len() as i64)
            .bind(&sha)
            .bind(b64)
            .bind(&actor.name)
            .bind(now_string())
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, actor, "attach", owner.kind(), &owner.id().to_string(), None,
            Some(json!({"attachment": id, "file_name": checked.name, "size_bytes": bytes.len(), "sha256": sha}))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Attachments of one owner, oldest first.
    pub async fn attachments(&self, owner: Owner) -> Result<Vec<AttachmentMeta>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {META} FROM attachments WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id"
        )))
        .bind(owner.kind())
        .bind(owner.id())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(meta_of).collect::<Result<_, _>>()?)
    }

    /// Attachments of every owner of a kind (for lists showing evidence counts).
    pub async fn attachments_of_kind(&self, kind: &str) -> Result<Vec<AttachmentMeta>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {META} FROM attachments WHERE owner_kind = $1 ORDER BY id"
        )))
        .bind(kind)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(meta_of).collect::<Result<_, _>>()?)
    }

    /// One attachment with its bytes, checked against the stored digest.
    pub async fn attachment(
        &self,
        id: i64,
    ) -> Result<Option<(AttachmentMeta, Vec<u8>)>, StoreError> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {META}, data_b64 FROM attachments WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let meta = meta_of(&row)?;
        let bytes = STANDARD
            .decode(row.try_get::<String, _>("data_b64")?)
            .map_err(|_| StoreError::Refused(format!("附件 {id} 的内容已损坏")))?;
        if hex(&Sha256::digest(&bytes)) != meta.sha256 {
            return Err(StoreError::Refused(format!(
                "附件 {id} 的内容与登记的校验值不符"
            )));
        }
        Ok(Some((meta, bytes)))
    }
}
