//! Benefit sharing (利益共享) in the database: entities with their holders and share classes,
//! change requests that become immutable numbered register lines, and yearly distributions
//! that are drafted, reviewed, approved and then locked.
//!
//! The rules live in `gongfu_core::equity`: a line is made only by
//! [`gongfu_core::equity::approve`], the register as of a date only by
//! [`gongfu_core::equity::replay`], and every fen of a distribution only by
//! [`gongfu_core::equity::distribute`]. This module loads, checks scope and versions, and writes.
//!
//! Who may write: a district administrator (区管理员), and nobody else — shares and dividends are
//! villagers' money, so towns and departments read only. An approver is never the requester of
//! a change, nor the drafter of a distribution. Every write takes the writer's turn, writes one
//! transaction with one audit line, and refuses a stale version with `Conflict`. Register lines
//! and approved distributions are also protected by database triggers (migration 0013).

use crate::db::Store;
use crate::error::invalid;
use crate::service::{audit, next_id, require_admin};
use crate::work::{conflict, corrupt, day_of, not_found, opt_day_of, opt_day_text};
use crate::{Actor, StoreError};
use gongfu_core::equity::Bp;
use gongfu_core::equity::{
    Basis, Change, ChangeRequest, ClassId, ClassKind, Distribution, DistributionInput, EntityKind,
    EntitySpec, Holder, HolderId, HolderKind, Holdings, RegisterLine, ShareClass, Waterfall,
    WaterfallParts, approve, distribute, replay,
};
use gongfu_core::village::date_string;
use gongfu_core::work::actor::CreditCode;
use gongfu_core::{DomainError, Fen, VillageCode, ZoneId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// A new entity as parsed at the edge: its classes, its first holders (ids are assigned here).
#[derive(Debug, Clone)]
pub struct EntityInput {
    pub spec: EntitySpec,
    pub zone: Option<i64>,
    pub credit_code: Option<CreditCode>,
    pub holders: Vec<Holder>,
}

/// An entity as stored.
#[derive(Debug, Clone, Serialize)]
pub struct EntityRecord {
    pub id: i64,
    pub spec: EntitySpec,
    pub zone: Option<i64>,
    pub credit_code: Option<String>,
    pub holders: Vec<Holder>,
    pub version: i64,
}

impl EntityRecord {
    pub fn holder(&self, id: HolderId) -> Option<&Holder> {
        self.holders.iter().find(|h| h.id == id)
    }
}

status!(
    /// 变动申请状态: 待审批 → 已批准 / 已驳回.
    RequestStatus, "申请状态", [Pending = "pending" / "待审批", Approved = "approved" / "已批准", Refused = "refused" / "已驳回"]
);

status!(
    /// 分配方案状态: 草案 → 审核 → 已批准 (locked); 审核 may go back to 草案.
    DistributionStatus, "方案状态", [Draft = "draft" / "草案", Review = "review" / "审核", Approved = "approved" / "已批准"]
);

impl DistributionStatus {
    /// Whether `self → to` is a step of the flow. Approved is final: a correction is a new
    /// distribution, never an edit.
    pub fn may_become(self, to: DistributionStatus) -> bool {
        use DistributionStatus::*;
        matches!(
            (self, to),
            (Draft, Review) | (Review, Draft) | (Review, Approved)
        )
    }
}

/// A change request with its decision.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub id: i64,
    pub entity: i64,
    pub status: RequestStatus,
    pub request: ChangeRequest,
    pub requested_by: String,
    pub requested_on: Date,
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    pub reason: String,
    /// The register line its approval wrote.
    pub line_no: Option<i64>,
    pub version: i64,
}

/// A register line with who approved it and from which request.
#[derive(Debug, Clone)]
pub struct LineRecord {
    pub line: RegisterLine,
    pub approved_by: String,
    pub request: i64,
}

/// The register as of a day: the lines in force, and the holdings replayed from them.
#[derive(Debug, Clone)]
pub struct RegisterView {
    pub as_of: Date,
    pub lines: Vec<LineRecord>,
    pub holdings: Holdings,
}

/// The year's figures a distribution runs on, besides the register and the waterfall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionFigures {
    /// 净收益
    pub net_income: Fen,
    /// 上期结转 (losses carried in, ≥ 0)
    pub prior_loss: Fen,
    /// 可动用公积金 (reserves at the start of the year, for 保底 from reserves)
    pub reserves_available: Fen,
}

/// A distribution as stored.
#[derive(Debug, Clone)]
pub struct DistributionRecord {
    pub id: i64,
    pub entity: i64,
    pub year: i32,
    pub status: DistributionStatus,
    pub parts: WaterfallParts,
    pub figures: DistributionFigures,
    /// The computed distribution (steps, class pools, payout parts, village income), as drafted.
    pub result: Value,
    pub net_income: Fen,
    pub retained: Fen,
    /// In ascending holder id.
    pub payouts: Vec<(HolderId, Fen)>,
    pub corrects: Option<i64>,
    pub drafted_by: String,
    pub drafted_on: Date,
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub version: i64,
}

fn holder_of(r: &AnyRow) -> Result<Holder, StoreError> {
    let kind: String = r.try_get("kind")?;
    let village: Option<String> = r.try_get("village_code")?;
    Ok(Holder {
        id: HolderId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: HolderKind::parse(&kind, "kind").map_err(|e| corrupt("股东类型", e))?,
        village: village
            .map(|v| VillageCode::parse(&v).map_err(|e| corrupt("村代码", e)))
            .transpose()?,
    })
}

fn request_of(r: &AnyRow) -> Result<RequestRecord, StoreError> {
    let status: String = r.try_get("status")?;
    let change: String = r.try_get("change_json")?;
    Ok(RequestRecord {
        id: r.try_get("id")?,
        entity: r.try_get("entity_id")?,
        status: RequestStatus::parse(&status, "status").map_err(|e| corrupt("申请状态", e))?,
        request: ChangeRequest {
            effective: day_of(r, "effective")?,
            change: serde_json::from_str(&change).map_err(|e| corrupt("股权变动", e))?,
        },
        requested_by: r.try_get("requested_by")?,
        requested_on: day_of(r, "requested_on")?,
        decided_by: r.try_get("decided_by")?,
        decided_on: opt_day_of(r, "decided_on")?,
        reason: r.try_get("reason")?,
        line_no: r.try_get("line_no")?,
        version: r.try_get("version")?,
    })
}

fn distribution_of(
    r: &AnyRow,
    payouts: Vec<(HolderId, Fen)>,
) -> Result<DistributionRecord, StoreError> {
    let status: String = r.try_get("status")?;
    let parts: String = r.try_get("waterfall_json")?;
    let inputs: String = r.try_get("inputs_json")?;
    let result: String = r.try_get("result_json")?;
    let year: i64 = r.try_get("year")?;
    Ok(DistributionRecord {
        id: r.try_get("id")?,
        entity: r.try_get("entity_id")?,
        year: year as i32,
        status: DistributionStatus::parse(&status, "status").map_err(|e| corrupt("方案状态", e))?,
        parts: serde_json::from_str(&parts).map_err(|e| corrupt("分配规则", e))?,
        figures: serde_json::from_str(&inputs).map_err(|e| corrupt("分配数据", e))?,
        result: serde_json::from_str(&result).map_err(|e| corrupt("分配结果", e))?,
        net_income: Fen(r.try_get("net_income_fen")?),
        retained: Fen(r.try_get("retained_fen")?),
        payouts,
        corrects: r.try_get("corrects")?,
        drafted_by: r.try_get("drafted_by")?,
        drafted_on: day_of(r, "drafted_on")?,
        approved_by: r.try_get("approved_by")?,
        approved_on: opt_day_of(r, "approved_on")?,
        version: r.try_get("version")?,
    })
}

/// Every holder a change names.
fn change_holders(c: &Change) -> Vec<(HolderId, &'static str)> {
    match c {
        Change::Subscription { holder, .. }
        | Change::InKind { holder, .. }
        | Change::Redemption { holder, .. }
        | Change::Conversion { holder, .. } => vec![(*holder, "holder")],
        Change::Transfer { from, to, .. } => vec![(*from, "holder"), (*to, "to_holder")],
    }
}

fn entity_audit(e: &EntityRecord) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

fn request_audit(r: &RequestRecord) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

fn distribution_audit(d: &DistributionRecord) -> Value {
    json!({
        "id": d.id, "entity": d.entity, "year": d.year, "status": d.status.key(),
        "net_income_fen": d.net_income.0, "retained_fen": d.retained.0,
        "payouts": d.payouts.iter().map(|(h, a)| json!({"holder": h.0, "amount_fen": a.0})).collect::<Vec<_>>(),
        "corrects": d.corrects, "version": d.version,
    })
}

async fn insert_holder(tx: &mut Tx<'_>, entity: i64, h: &Holder) -> Result<HolderId, StoreError> {
    let id = next_id(tx, "equity_holders").await?;
    sqlx::query(
        "INSERT INTO equity_holders (id, entity_id, kind, name, village_code) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(entity)
    .bind(h.kind.key())
    .bind(&h.name)
    .bind(h.village.as_ref().map(|v| v.as_str().to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(HolderId(id))
}

fn check_villages(store_snap: &crate::Snapshot, holders: &[Holder]) -> Result<(), StoreError> {
    let mut errors = Vec::new();
    for (i, h) in holders.iter().enumerate() {
        if let Some(v) = &h.village
            && store_snap.division(v).is_none()
        {
            errors.push(DomainError::new(
                "unknown_village",
                format!("holders[{i}].village_code"),
                format!("村代码「{v}」不在名录中"),
            ));
        }
    }
    crate::error::all_valid(errors)
}

impl Store {
    /// Every entity, by id.
    pub async fn equity_entities(&self) -> Result<Vec<EntityRecord>, StoreError> {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM equity_entities ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(e) = self.equity_entity(id).await? {
                out.push(e);
            }
        }
        Ok(out)
    }

    pub async fn equity_entity(&self, id: i64) -> Result<Option<EntityRecord>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT id, kind, name, zone_id, credit_code, version FROM equity_entities WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let kind: String = r.try_get("kind")?;
        let name: String = r.try_get("name")?;
        let mut classes = Vec::new();
        for c in sqlx::query(
            "SELECT id, name, class_kind, basis, split_bp FROM equity_classes WHERE entity_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        {
            let ck: String = c.try_get("class_kind")?;
            let basis: String = c.try_get("basis")?;
            classes.push(ShareClass {
                id: ClassId(c.try_get("id")?),
                name: c.try_get("name")?,
                kind: ClassKind::parse(&ck, "kind").map_err(|e| corrupt("股份性质", e))?,
                basis: Basis::parse(&basis, "basis").map_err(|e| corrupt("分配依据", e))?,
                split: Bp::new(c.try_get("split_bp")?)
                    .ok_or_else(|| corrupt("分配比例", "超出范围"))?,
            });
        }
        let spec = EntitySpec::new(
            &name,
            EntityKind::parse(&kind, "kind").map_err(|e| corrupt("主体类型", e))?,
            classes,
        )
        .map_err(|e| {
            corrupt(
                "股权主体",
                e.first().map(|e| e.message.clone()).unwrap_or_default(),
            )
        })?;
        let holders = sqlx::query(
            "SELECT id, kind, name, village_code FROM equity_holders WHERE entity_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(holder_of)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(EntityRecord {
            id,
            spec,
            zone: r.try_get("zone_id")?,
            credit_code: r.try_get("credit_code")?,
            holders,
            version: r.try_get("version")?,
        }))
    }

    async fn entity_or_404(&self, id: i64) -> Result<EntityRecord, StoreError> {
        self.equity_entity(id)
            .await?
            .ok_or_else(|| not_found(format!("股权主体 {id}")))
    }

    /// 新建股权主体: the entity with its share classes and first holders. District
    /// administrator only.
    pub async fn create_equity_entity(
        &self,
        actor: &Actor,
        input: &EntityInput,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "股权主体")?;
        if let Some(z) = input.zone
            && snap.zone(ZoneId(z)).is_none()
        {
            return Err(invalid("unknown_zone", "zone", format!("片区 {z} 不存在")));
        }
        check_villages(&snap, &input.holders)?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "equity_entities").await?;
        sqlx::query(
            "INSERT INTO equity_entities (id, kind, name, zone_id, credit_code) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(input.spec.kind().key())
        .bind(input.spec.name())
        .bind(input.zone)
        .bind(input.credit_code.as_ref().map(|c| c.as_str().to_string()))
        .execute(&mut *tx)
        .await?;
        for (i, c) in input.spec.classes().iter().enumerate() {
            sqlx::query(
                "INSERT INTO equity_classes (entity_id, id, position, name, class_kind, basis, split_bp) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(c.id.0)
            .bind(i as i64)
            .bind(&c.name)
            .bind(c.kind.key())
            .bind(c.basis.key())
            .bind(c.split.get())
            .execute(&mut *tx)
            .await?;
        }
        let mut holders = Vec::new();
        for h in &input.holders {
            let hid = insert_holder(&mut tx, id, h).await?;
            holders.push(Holder {
                id: hid,
                ..h.clone()
            });
        }
        let after = EntityRecord {
            id,
            spec: input.spec.clone(),
            zone: input.zone,
            credit_code: input.credit_code.as_ref().map(|c| c.as_str().to_string()),
            holders,
            version: 1,
        };
        audit(
            &mut tx,
            actor,
            "create",
            "equity_entity",
            &id.to_string(),
            None,
            Some(entity_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 新增股东 (e.g. a member joining a co-operative): bumps the entity's version. District
    /// administrator only. Holdings come only through approved change requests.
    pub async fn add_equity_holder(
        &self,
        actor: &Actor,
        entity: i64,
        expected_version: i64,
        holder: &Holder,
    ) -> Result<HolderId, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "股东登记")?;
        let current = self.entity_or_404(entity).await?;
        if current.version != expected_version {
            return Err(conflict(
                format!("股权主体「{}」", current.spec.name()),
                current.version,
            ));
        }
        check_villages(&snap, std::slice::from_ref(holder))?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE equity_entities SET version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(entity)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("股权主体「{}」", current.spec.name()),
                current.version,
            ));
        }
        let hid = insert_holder(&mut tx, entity, holder).await?;
        let mut after = current.clone();
        after.holders.push(Holder {
            id: hid,
            ..holder.clone()
        });
        after.version += 1;
        audit(
            &mut tx,
            actor,
            "add_holder",
            "equity_entity",
            &entity.to_string(),
            Some(entity_audit(&current)),
            Some(entity_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(hid)
    }

    /// An entity's change requests, newest first.
    pub async fn equity_requests(&self, entity: i64) -> Result<Vec<RequestRecord>, StoreError> {
        sqlx::query("SELECT * FROM equity_requests WHERE entity_id = $1 ORDER BY id DESC")
            .bind(entity)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(request_of)
            .collect()
    }

    pub async fn equity_request(&self, id: i64) -> Result<Option<RequestRecord>, StoreError> {
        sqlx::query("SELECT * FROM equity_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(request_of)
            .transpose()
    }

    /// 提交股权变动申请: the change must name the entity's own holders; its classes and
    /// balances are checked again on approval. District administrator only.
    pub async fn submit_equity_request(
        &self,
        actor: &Actor,
        entity: i64,
        request: &ChangeRequest,
        on: Date,
    ) -> Result<i64, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "股权变动申请")?;
        let e = self.entity_or_404(entity).await?;
        let mut errors = Vec::new();
        for (h, field) in change_holders(&request.change) {
            if e.holder(h).is_none() {
                errors.push(DomainError::new(
                    "unknown_holder",
                    field,
                    format!("股东 {} 不属于「{}」", h.0, e.spec.name()),
                ));
            }
        }
        crate::error::all_valid(errors)?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "equity_requests").await?;
        let change = serde_json::to_string(&request.change).map_err(|e| corrupt("股权变动", e))?;
        sqlx::query(
            "INSERT INTO equity_requests (id, entity_id, status, effective, change_json, requested_by, requested_on) VALUES ($1, $2, 'pending', $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(entity)
        .bind(date_string(request.effective))
        .bind(&change)
        .bind(&actor.name)
        .bind(date_string(on))
        .execute(&mut *tx)
        .await?;
        let after = RequestRecord {
            id,
            entity,
            status: RequestStatus::Pending,
            request: request.clone(),
            requested_by: actor.name.clone(),
            requested_on: on,
            decided_by: None,
            decided_on: None,
            reason: String::new(),
            line_no: None,
            version: 1,
        };
        audit(
            &mut tx,
            actor,
            "submit",
            "equity_request",
            &id.to_string(),
            None,
            Some(request_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 审批股权变动: approval appends the next numbered register line (made by
    /// `gongfu_core::equity::approve`) in the same transaction; refusal needs a reason. A
    /// district administrator other than the requester decides.
    pub async fn decide_equity_request(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        approve_it: bool,
        reason: &str,
        on: Date,
    ) -> Result<RequestRecord, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "股权变动审批")?;
        let current = self
            .equity_request(id)
            .await?
            .ok_or_else(|| not_found(format!("股权变动申请 {id}")))?;
        let stale = || conflict(format!("股权变动申请 {id}"), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        if current.status != RequestStatus::Pending {
            return Err(invalid(
                "already_decided",
                "verdict",
                format!("该申请已{}，不能再审批", current.status.label()),
            ));
        }
        if current.requested_by == actor.name {
            return Err(invalid(
                "self_approval",
                "verdict",
                "不能审批自己提交的申请，请由另一位区管理员审批".into(),
            ));
        }
        let reason = reason.trim();
        if !approve_it && reason.is_empty() {
            return Err(invalid("required", "reason", "驳回时请填写理由".into()));
        }
        let mut line = None;
        if approve_it {
            let e = self.entity_or_404(current.entity).await?;
            let lines: Vec<RegisterLine> = self
                .equity_lines(current.entity)
                .await?
                .into_iter()
                .map(|l| l.line)
                .collect();
            line = Some(approve(&e.spec, &lines, current.request.clone(), on)?);
        }
        let status = if approve_it {
            RequestStatus::Approved
        } else {
            RequestStatus::Refused
        };
        let mut tx = self.pool.begin().await?;
        if let Some(l) = &line {
            let change = serde_json::to_string(l.change()).map_err(|e| corrupt("股权变动", e))?;
            sqlx::query(
                "INSERT INTO equity_register_lines (entity_id, line_no, effective, change_json, request_id, approved_by, approved_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(current.entity)
            .bind(l.no() as i64)
            .bind(date_string(l.effective()))
            .bind(&change)
            .bind(id)
            .bind(&actor.name)
            .bind(date_string(on))
            .execute(&mut *tx)
            .await?;
        }
        let line_no = line.as_ref().map(|l| l.no() as i64);
        let done = sqlx::query(
            "UPDATE equity_requests SET status = $1, decided_by = $2, decided_on = $3, reason = $4, line_no = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'pending'",
        )
        .bind(status.key())
        .bind(&actor.name)
        .bind(opt_day_text(Some(on)))
        .bind(reason)
        .bind(line_no)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(stale());
        }
        let after = RequestRecord {
            status,
            decided_by: Some(actor.name.clone()),
            decided_on: Some(on),
            reason: reason.to_string(),
            line_no,
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            if approve_it { "approve" } else { "refuse" },
            "equity_request",
            &id.to_string(),
            Some(request_audit(&current)),
            Some(request_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every register line of an entity, in number order.
    pub async fn equity_lines(&self, entity: i64) -> Result<Vec<LineRecord>, StoreError> {
        let mut out = Vec::new();
        for r in sqlx::query(
            "SELECT line_no, effective, change_json, request_id, approved_by, approved_on FROM equity_register_lines WHERE entity_id = $1 ORDER BY line_no",
        )
        .bind(entity)
        .fetch_all(&self.pool)
        .await?
        {
            let no: i64 = r.try_get("line_no")?;
            let change: String = r.try_get("change_json")?;
            out.push(LineRecord {
                line: RegisterLine::restore(
                    no as u64,
                    day_of(&r, "effective")?,
                    day_of(&r, "approved_on")?,
                    serde_json::from_str(&change).map_err(|e| corrupt("股权变动", e))?,
                ),
                approved_by: r.try_get("approved_by")?,
                request: r.try_get("request_id")?,
            });
        }
        Ok(out)
    }

    /// 股权登记簿 as of the end of `as_of`: replayed from the lines, which `replay` checks
    /// (numbering, dates, no negative holding) on every read.
    pub async fn equity_register(
        &self,
        entity: i64,
        as_of: Date,
    ) -> Result<RegisterView, StoreError> {
        self.entity_or_404(entity).await?;
        let all = self.equity_lines(entity).await?;
        let plain: Vec<RegisterLine> = all.iter().map(|l| l.line.clone()).collect();
        let holdings = replay(&plain, as_of).map_err(|e| corrupt("股权登记簿", e))?;
        Ok(RegisterView {
            as_of,
            lines: all
                .into_iter()
                .filter(|l| l.line.effective() <= as_of)
                .collect(),
            holdings,
        })
    }

    /// Distributions, optionally of one year and / or entity, by id.
    pub async fn equity_distributions(
        &self,
        year: Option<i32>,
        entity: Option<i64>,
    ) -> Result<Vec<DistributionRecord>, StoreError> {
        // 0 stands for "any": ids start at 1 and years at 2000, and a typed sentinel avoids
        // an untyped NULL parameter on PostgreSQL.
        let rows = sqlx::query(
            "SELECT id FROM equity_distributions WHERE ($1 = 0 OR year = $1) AND ($2 = 0 OR entity_id = $2) ORDER BY id",
        )
        .bind(year.map(i64::from).unwrap_or(0))
        .bind(entity.unwrap_or(0))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            if let Some(d) = self.equity_distribution(id).await? {
                out.push(d);
            }
        }
        Ok(out)
    }

    pub async fn equity_distribution(
        &self,
        id: i64,
    ) -> Result<Option<DistributionRecord>, StoreError> {
        let Some(r) = sqlx::query("SELECT * FROM equity_distributions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let payouts = sqlx::query(
            "SELECT holder_id, amount_fen FROM equity_payouts WHERE distribution_id = $1 ORDER BY holder_id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|p| Ok((HolderId(p.try_get(0)?), Fen(p.try_get(1)?))))
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(distribution_of(&r, payouts)?))
    }

    /// Runs the waterfall over the register with `gongfu_core::equity::distribute`.
    async fn compute(
        &self,
        e: &EntityRecord,
        parts: &WaterfallParts,
        figures: &DistributionFigures,
    ) -> Result<(Distribution, Value), StoreError> {
        let waterfall = Waterfall::new(&e.spec, parts.clone())?;
        if let Some(inc) = &parts.incentive
            && e.holder(inc.operator).is_none()
        {
            return Err(invalid(
                "unknown_holder",
                "incentive_operator",
                format!("经营者 {} 不是「{}」的股东", inc.operator.0, e.spec.name()),
            ));
        }
        let lines: Vec<RegisterLine> = self
            .equity_lines(e.id)
            .await?
            .into_iter()
            .map(|l| l.line)
            .collect();
        let d = distribute(&DistributionInput {
            entity: &e.spec,
            waterfall: &waterfall,
            lines: &lines,
            net_income: figures.net_income,
            prior_loss: figures.prior_loss,
            reserves_available: figures.reserves_available,
        })?;
        let mut result = serde_json::to_value(&d).map_err(|e| corrupt("分配结果", e))?;
        result["village_income"] = d
            .village_income(&e.holders)
            .iter()
            .map(|(v, f)| json!({"village_code": v.as_str(), "amount_fen": f.0}))
            .collect();
        Ok((d, result))
    }

    /// 起草年度分配方案 (草案), computed from the register and the waterfall. A year with an
    /// approved distribution takes only corrections: `corrects` names the approved one
    /// (same entity and year, not already corrected by an approved correction). District
    /// administrator only.
    pub async fn draft_equity_distribution(
        &self,
        actor: &Actor,
        entity: i64,
        parts: &WaterfallParts,
        figures: &DistributionFigures,
        corrects: Option<i64>,
        on: Date,
    ) -> Result<i64, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "收益分配方案")?;
        let e = self.entity_or_404(entity).await?;
        let same_year = self
            .equity_distributions(Some(parts.year), Some(entity))
            .await?;
        match corrects {
            None => {
                if let Some(a) = same_year
                    .iter()
                    .find(|d| d.status == DistributionStatus::Approved)
                {
                    return Err(invalid(
                        "already_approved",
                        "year",
                        format!(
                            "「{}」{} 年度已有已批准的分配方案（编号 {}），已锁定；如需更正请新建更正方案",
                            e.spec.name(),
                            parts.year,
                            a.id
                        ),
                    ));
                }
            }
            Some(c) => {
                let Some(target) = same_year.iter().find(|d| d.id == c) else {
                    return Err(invalid(
                        "unknown_distribution",
                        "corrects",
                        format!(
                            "被更正的方案 {c} 不是「{}」{} 年度的分配方案",
                            e.spec.name(),
                            parts.year
                        ),
                    ));
                };
                if target.status != DistributionStatus::Approved {
                    return Err(invalid(
                        "not_approved",
                        "corrects",
                        format!("方案 {c} 尚未批准，请直接修改，无需更正"),
                    ));
                }
                if let Some(later) = same_year
                    .iter()
                    .find(|d| d.corrects == Some(c) && d.status == DistributionStatus::Approved)
                {
                    return Err(invalid(
                        "already_corrected",
                        "corrects",
                        format!("方案 {c} 已由方案 {} 更正，请更正最新的方案", later.id),
                    ));
                }
            }
        }
        let (d, result) = self.compute(&e, parts, figures).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "equity_distributions").await?;
        sqlx::query(
            "INSERT INTO equity_distributions (id, entity_id, year, status, waterfall_json, inputs_json, result_json, net_income_fen, retained_fen, corrects, drafted_by, drafted_on) VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id)
        .bind(entity)
        .bind(i64::from(parts.year))
        .bind(serde_json::to_string(parts).map_err(|e| corrupt("分配规则", e))?)
        .bind(serde_json::to_string(figures).map_err(|e| corrupt("分配数据", e))?)
        .bind(result.to_string())
        .bind(d.net_income.0)
        .bind(d.retained.0)
        .bind(corrects)
        .bind(&actor.name)
        .bind(date_string(on))
        .execute(&mut *tx)
        .await?;
        insert_payouts(&mut tx, id, &d).await?;
        let after = DistributionRecord {
            id,
            entity,
            year: parts.year,
            status: DistributionStatus::Draft,
            parts: parts.clone(),
            figures: *figures,
            result,
            net_income: d.net_income,
            retained: d.retained,
            payouts: d.payouts.iter().map(|p| (p.holder, p.amount)).collect(),
            corrects,
            drafted_by: actor.name.clone(),
            drafted_on: on,
            approved_by: None,
            approved_on: None,
            version: 1,
        };
        audit(
            &mut tx,
            actor,
            "draft",
            "equity_distribution",
            &id.to_string(),
            None,
            Some(distribution_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// 修改分配方案: only a 草案 is edited (recomputed in full); an approved one is locked and
    /// refused. District administrator only.
    pub async fn update_equity_distribution(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        parts: &WaterfallParts,
        figures: &DistributionFigures,
    ) -> Result<(), StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "收益分配方案")?;
        let current = self
            .equity_distribution(id)
            .await?
            .ok_or_else(|| not_found(format!("分配方案 {id}")))?;
        refuse_locked(&current)?;
        let stale = || conflict(format!("分配方案 {id}"), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        if current.status != DistributionStatus::Draft {
            return Err(invalid(
                "not_draft",
                "status",
                format!("方案处于「{}」，请先退回草案再修改", current.status.label()),
            ));
        }
        if parts.year != current.year {
            return Err(invalid(
                "year_changed",
                "year",
                format!("分配方案的年度（{}）不能修改", current.year),
            ));
        }
        let e = self.entity_or_404(current.entity).await?;
        let (d, result) = self.compute(&e, parts, figures).await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE equity_distributions SET waterfall_json = $1, inputs_json = $2, result_json = $3, net_income_fen = $4, retained_fen = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'",
        )
        .bind(serde_json::to_string(parts).map_err(|e| corrupt("分配规则", e))?)
        .bind(serde_json::to_string(figures).map_err(|e| corrupt("分配数据", e))?)
        .bind(result.to_string())
        .bind(d.net_income.0)
        .bind(d.retained.0)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(stale());
        }
        sqlx::query("DELETE FROM equity_payouts WHERE distribution_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_payouts(&mut tx, id, &d).await?;
        let after = DistributionRecord {
            parts: parts.clone(),
            figures: *figures,
            result,
            net_income: d.net_income,
            retained: d.retained,
            payouts: d.payouts.iter().map(|p| (p.holder, p.amount)).collect(),
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "update",
            "equity_distribution",
            &id.to_string(),
            Some(distribution_audit(&current)),
            Some(distribution_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 草案 → 审核 → 已批准 (审核 may go back to 草案). The approver is a district
    /// administrator other than the drafter; once approved the distribution is locked.
    pub async fn set_equity_distribution_status(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        to: DistributionStatus,
        on: Date,
    ) -> Result<DistributionRecord, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "收益分配方案")?;
        let current = self
            .equity_distribution(id)
            .await?
            .ok_or_else(|| not_found(format!("分配方案 {id}")))?;
        refuse_locked(&current)?;
        let stale = || conflict(format!("分配方案 {id}"), current.version);
        if current.version != expected_version {
            return Err(stale());
        }
        if !current.status.may_become(to) {
            return Err(invalid(
                "invalid_transition",
                "status",
                format!(
                    "方案处于「{}」，不能改为「{}」",
                    current.status.label(),
                    to.label()
                ),
            ));
        }
        if to == DistributionStatus::Approved && current.drafted_by == actor.name {
            return Err(invalid(
                "self_approval",
                "status",
                "不能批准自己起草的分配方案，请由另一位区管理员批准".into(),
            ));
        }
        let (by, day) = if to == DistributionStatus::Approved {
            (Some(actor.name.clone()), Some(on))
        } else {
            (None, None)
        };
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE equity_distributions SET status = $1, approved_by = $2, approved_on = $3, version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(to.key())
        .bind(by.clone())
        .bind(opt_day_text(day))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(stale());
        }
        let after = DistributionRecord {
            status: to,
            approved_by: by,
            approved_on: day,
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            to.key(),
            "equity_distribution",
            &id.to_string(),
            Some(distribution_audit(&current)),
            Some(distribution_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// An approved distribution takes no edit of any kind.
fn refuse_locked(d: &DistributionRecord) -> Result<(), StoreError> {
    if d.status == DistributionStatus::Approved {
        return Err(invalid(
            "locked",
            "status",
            format!(
                "分配方案 {} 已批准并锁定，不能修改；如需更正请新建更正方案",
                d.id
            ),
        ));
    }
    Ok(())
}

async fn insert_payouts(tx: &mut Tx<'_>, id: i64, d: &Distribution) -> Result<(), StoreError> {
    for p in &d.payouts {
        sqlx::query(
            "INSERT INTO equity_payouts (distribution_id, holder_id, amount_fen) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(p.holder.0)
        .bind(p.amount.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The same change with its holders mapped through `ids` (demo indexes → stored ids).
fn remap(c: &Change, ids: &[HolderId]) -> Option<Change> {
    let m = |h: HolderId| usize::try_from(h.0).ok().and_then(|i| ids.get(i)).copied();
    Some(match c.clone() {
        Change::Subscription {
            holder,
            class,
            units,
            paid,
        } => Change::Subscription {
            holder: m(holder)?,
            class,
            units,
            paid,
        },
        Change::InKind {
            holder,
            class,
            units,
            asset,
            valuation,
            valuer,
        } => Change::InKind {
            holder: m(holder)?,
            class,
            units,
            asset,
            valuation,
            valuer,
        },
        Change::Transfer {
            from,
            to,
            class,
            units,
            price,
        } => Change::Transfer {
            from: m(from)?,
            to: m(to)?,
            class,
            units,
            price,
        },
        Change::Redemption {
            holder,
            class,
            units,
            refund,
        } => Change::Redemption {
            holder: m(holder)?,
            class,
            units,
            refund,
        },
        Change::Conversion {
            holder,
            from_class,
            from_units,
            to_class,
            to_units,
        } => Change::Conversion {
            holder: m(holder)?,
            from_class,
            from_units,
            to_class,
            to_units,
        },
    })
}

fn demo_actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        address: String::new(),
        user_id: None,
        role: gongfu_core::auth::Role::Admin,
    }
}

impl Store {
    /// Seeds the demo's entities through the ordinary writes: each change requested by one
    /// official and approved by another into a register line, and the 2025 distribution
    /// drafted, reviewed and approved (so locked). Returns (entities, register lines,
    /// distributions) written.
    pub async fn seed_demo_equity(
        &self,
        demo: &gongfu_demo::equity::DemoEquity,
    ) -> Result<(usize, usize, usize), StoreError> {
        let snap = self.snapshot().await?;
        let clerk = demo_actor("区农业农村局股权登记员（演示）");
        let chief = demo_actor("区农业农村局分管负责人（演示）");
        let mut counts = (0, 0, 0);
        for e in &demo.entities {
            let zone = snap.zones.iter().find(|z| z.name == e.zone).map(|z| z.id.0);
            let id = self
                .create_equity_entity(
                    &clerk,
                    &EntityInput {
                        spec: e.spec.clone(),
                        zone,
                        credit_code: None,
                        holders: e.holders.clone(),
                    },
                )
                .await?;
            counts.0 += 1;
            let ids: Vec<HolderId> = self
                .entity_or_404(id)
                .await?
                .holders
                .iter()
                .map(|h| h.id)
                .collect();
            for (effective, change) in &e.changes {
                let Some(change) = remap(change, &ids) else {
                    continue;
                };
                let request = ChangeRequest {
                    effective: *effective,
                    change,
                };
                let rid = self
                    .submit_equity_request(&clerk, id, &request, *effective)
                    .await?;
                self.decide_equity_request(&chief, rid, 1, true, "", *effective)
                    .await?;
                counts.1 += 1;
            }
            let on = Date::from_calendar_date(e.waterfall.year + 1, time::Month::March, 20)
                .map_err(|e| corrupt("日期", e))?;
            let did = self
                .draft_equity_distribution(
                    &clerk,
                    id,
                    &e.waterfall,
                    &DistributionFigures {
                        net_income: e.net_income,
                        ..Default::default()
                    },
                    None,
                    on,
                )
                .await?;
            self.set_equity_distribution_status(&clerk, did, 1, DistributionStatus::Review, on)
                .await?;
            self.set_equity_distribution_status(&chief, did, 2, DistributionStatus::Approved, on)
                .await?;
            counts.2 += 1;
        }
        Ok(counts)
    }
}

impl Store {
    /// What the approved distributions of `year` paid village collectives (村集体分配额), each
    /// with the zone its village belonged to that year — the source of the 村集体股份分红
    /// figure. A distribution later corrected by an approved correction counts only through
    /// the correction.
    pub async fn village_dividends(
        &self,
        year: i32,
    ) -> Result<Vec<gongfu_core::ops::indicators::VillageDividend>, StoreError> {
        let snap = self.snapshot().await?;
        let all = self.equity_distributions(Some(year), None).await?;
        let approved: Vec<&DistributionRecord> = all
            .iter()
            .filter(|d| d.status == DistributionStatus::Approved)
            .collect();
        let corrected: Vec<i64> = approved.iter().filter_map(|d| d.corrects).collect();
        let mut out = Vec::new();
        for d in approved.iter().filter(|d| !corrected.contains(&d.id)) {
            let Some(entity) = self.equity_entity(d.entity).await? else {
                continue;
            };
            for (holder, amount) in &d.payouts {
                let Some(village) = entity
                    .holder(*holder)
                    .filter(|h| h.kind == gongfu_core::equity::HolderKind::VillageCollective)
                    .and_then(|h| h.village.as_ref())
                else {
                    continue;
                };
                out.push(gongfu_core::ops::indicators::VillageDividend {
                    distribution: d.id,
                    zone: crate::ops::zone_in_year(&snap, village, year),
                    amount: *amount,
                });
            }
        }
        Ok(out)
    }

    /// Each zone entity's payouts in `year` (its approved distribution; a correction replaces
    /// what it corrects) and its paid-in capital at the end of the year — the source of the
    /// yield on capital (股本分红率).
    pub async fn entity_years(
        &self,
        year: i32,
    ) -> Result<Vec<gongfu_core::ops::indicators::EntityYear>, StoreError> {
        let all = self.equity_distributions(Some(year), None).await?;
        let approved: Vec<&DistributionRecord> = all
            .iter()
            .filter(|d| d.status == DistributionStatus::Approved)
            .collect();
        let corrected: Vec<i64> = approved.iter().filter_map(|d| d.corrects).collect();
        let Ok(year_end) = Date::from_calendar_date(year, time::Month::December, 31) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for e in self.equity_entities().await? {
            if e.zone.is_none() {
                continue;
            }
            let counted = approved
                .iter()
                .filter(|d| d.entity == e.id && !corrected.contains(&d.id))
                .max_by_key(|d| d.id);
            let lines: Vec<RegisterLine> = self
                .equity_lines(e.id)
                .await?
                .into_iter()
                .map(|l| l.line)
                .collect();
            out.push(gongfu_core::ops::indicators::EntityYear {
                entity: e.id,
                zone: e.zone,
                distribution: counted.map(|d| d.id),
                paid: Fen(counted.map_or(0, |d| d.payouts.iter().map(|(_, a)| a.0).sum())),
                paid_in: gongfu_core::equity::paid_in_capital(&lines, year_end),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_seeds_and_the_database_refuses_to_alter_lines_or_approved_payouts() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::testing::demo_store(dir.path(), 7).await;
        let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV).unwrap();
        let centres = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV).unwrap();
        let district = gongfu_demo::generate(&divisions, &centres, 7);
        let demo = gongfu_demo::equity::generate_equity(&divisions, &district, 7);
        let (entities, lines, dists) = store.seed_demo_equity(&demo).await.unwrap();
        assert_eq!(entities, demo.entities.len());
        assert!(lines > 10);
        assert_eq!(dists, entities);
        let all = store.equity_distributions(Some(2025), None).await.unwrap();
        for d in &all {
            assert_eq!(d.status, DistributionStatus::Approved);
            let paid: i64 = d.payouts.iter().map(|(_, a)| a.0).sum();
            assert_eq!(d.retained.0 + paid, d.net_income.0);
            assert!(paid > 0);
        }
        // The register replayed equals what the lines say, and the lines cannot be altered.
        let e = &store.equity_entities().await.unwrap()[0];
        let reg = store.equity_register(e.id, Date::MAX).await.unwrap();
        assert!(!reg.holdings.is_empty());
        let upd = sqlx::query("UPDATE equity_register_lines SET effective = '2020-01-01'")
            .execute(&store.pool)
            .await;
        assert!(upd.is_err(), "register lines are append-only");
        let del = sqlx::query("DELETE FROM equity_register_lines")
            .execute(&store.pool)
            .await;
        assert!(del.is_err());
        let upd = sqlx::query("UPDATE equity_distributions SET net_income_fen = 1")
            .execute(&store.pool)
            .await;
        assert!(upd.is_err(), "approved distributions are locked");
        let upd = sqlx::query("UPDATE equity_payouts SET amount_fen = amount_fen + 1")
            .execute(&store.pool)
            .await;
        assert!(upd.is_err());
        // One audit line per write: a submission and an approval per register line.
        let audited: i64 =
            sqlx::query("SELECT COUNT(*) FROM audit_log WHERE entity = 'equity_request'")
                .fetch_one(&store.pool)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
        assert_eq!(audited, 2 * lines as i64);
        // And through the store: an approved distribution refuses edits and status changes.
        let d = &all[0];
        let r = store
            .update_equity_distribution(&chief_of(), d.id, d.version, &d.parts, &d.figures)
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e[0].code == "locked"));
    }

    fn chief_of() -> Actor {
        demo_actor("另一位管理员")
    }
}
