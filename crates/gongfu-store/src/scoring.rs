//! Scoring and awards (四联四共评分与奖补) in the database: rubric versions, assessments with
//! their manual entries and review flow, and the yearly award list.
//!
//! The rules live in `gongfu_core::scoring`: points only by [`score`], the merge of platform
//! figures and entries only by [`gather`] (a platform-sourced rule always takes the platform
//! value; entries are only for `Source::Manual` rules), ranking by [`rank`], money by
//! [`allocate`]. Platform figures come from [`Store::platform_figures`]. This module loads,
//! checks roles, versions and the flow, and writes — one transaction and one audit line a write.
//!
//! **Rubric versions** (`scoring_rubrics`, per kind and year): 草案 `draft` → 已发布 `in_force`
//! → 已废止 `superseded`. Only drafts are edited; publishing supersedes the version in force.
//! A year with no version in force gets the default rubric of `gongfu_core` stored as a new
//! version in force on first read ([`Store::rubric_in_force`]), so every score names a stored
//! version. The database refuses to change a published body (migration 0014 triggers).
//!
//! **Assessments** (`scoring_assessments`, per kind, year and subject = zone or team id) are
//! created by their first entry and bind the version in force then. 经办 `entering` → 复核
//! `reviewed` → 审批 `approved`; 复核 may return to 经办 and 审批 may be reopened, both with a
//! reason. Separation of duties: neither the reviewer nor the approver entered any value or
//! item of the assessment, and the approver is not the reviewer. Approval freezes a snapshot
//! ([`Frozen`]: rubric, platform figures with formula and sources, entries, items, inputs,
//! scorecard); reads of an approved assessment come from it, so later record changes do not
//! move an approved score.
//!
//! **Who writes**: values of manual rules — district administrators, a department account
//! whose unit is the indicator's responsible department, or a town account for zones in its
//! town; bonus / penalty / veto items, review, approval, rubrics and awards — district
//! administrators only.
//!
//! **Award lists** (`award_lists`, one per year): 草案 `draft` → 已批准 `approved` (then locked,
//! also by trigger), computed by [`allocate`] from approved assessments only; the approver is
//! not the drafter. The list stores its rules, the whole [`AwardResult`] (with its
//! [`AwardInput`]) and which assessments and rubric versions fed it.

use crate::db::Store;
use crate::error::invalid;
use crate::scoring_figures::Measured;
use crate::service::{audit, next_id, require_admin};
use crate::work::{conflict, corrupt, may_manage_zone, not_found, opt_day_of, opt_day_text};
use crate::{Actor, StoreError};
use gongfu_core::auth::Role;
use gongfu_core::scoring::{
    AwardInput, AwardResult, Input, Inputs, Items, Ranked, Rubric, RubricKind, Scorecard,
    Shortfall, Source, TeamAwardRules, TeamCandidate, ZoneAwardRules, ZoneCandidate, allocate,
    default_team_rubric, default_zone_rubric, gather, rank, score,
};
use gongfu_core::village::date_string;
use gongfu_core::zone::Tier;
use gongfu_core::{DomainError, Fen, ZoneId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// `zone` / `team`, as stored.
pub fn kind_key(k: RubricKind) -> &'static str {
    match k {
        RubricKind::Zone => "zone",
        RubricKind::Team => "team",
    }
}

/// `zone` / `team` (or 片区 / 运营团队) as typed.
pub fn parse_kind(s: &str) -> Result<RubricKind, DomainError> {
    match s.trim() {
        "zone" | "片区" | "" => Ok(RubricKind::Zone),
        "team" | "运营团队" => Ok(RubricKind::Team),
        o => Err(DomainError::new(
            "invalid_choice",
            "kind",
            format!("评分对象「{o}」无效：应为 zone（片区）或 team（运营团队）"),
        )),
    }
}

fn kind_of(s: &str) -> Result<RubricKind, StoreError> {
    parse_kind(s).map_err(|e| corrupt("评分对象", e))
}

status!(
    /// 细则版本状态: 草案 → 已发布 → 已废止.
    RubricStatus, "细则状态", [Draft = "draft" / "草案", InForce = "in_force" / "已发布", Superseded = "superseded" / "已废止"]
);

status!(
    /// 评分状态: 经办 → 复核 → 审批.
    AssessmentStatus, "评分状态", [Entering = "entering" / "经办", Reviewed = "reviewed" / "复核", Approved = "approved" / "审批"]
);

status!(
    /// 奖补名单状态: 草案 → 已批准 (locked).
    AwardStatus, "名单状态", [Draft = "draft" / "草案", Approved = "approved" / "已批准"]
);

/// One stored rubric version. `rubric.version` equals `version_no`.
#[derive(Debug, Clone, Serialize)]
pub struct RubricVersion {
    pub id: i64,
    pub kind: RubricKind,
    pub year: i32,
    pub version_no: u32,
    pub status: RubricStatus,
    pub rubric: Rubric,
    pub note: String,
    pub created_by: String,
    pub created_on: Date,
    pub published_by: Option<String>,
    pub published_on: Option<Date>,
    /// Row version for optimistic locking.
    pub version: i64,
}

/// 佐证材料 of an entry: a description, links, and ids of stored evidence files
/// (`attachments`, as uploaded for the work records).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<i64>,
}

/// One manual value (填报值) of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule_key: String,
    pub input: Input,
    pub evidence: Evidence,
    pub comment: String,
    /// The responsible department (责任单位) of the indicator, as the rubric names it.
    pub department: String,
    pub entered_by: String,
    pub entered_on: Date,
}

/// What a caller submits for one rule.
#[derive(Debug, Clone)]
pub struct EntryInput {
    pub input: Input,
    pub evidence: Evidence,
    pub comment: String,
}

/// A bonus or penalty occurrence count with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    pub count: u32,
    #[serde(default)]
    pub reason: String,
}

/// 加分项、扣分项与否决项 of an assessment, each with its reason (a veto needs one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentItems {
    #[serde(default)]
    pub bonus: BTreeMap<String, Counted>,
    #[serde(default)]
    pub penalties: BTreeMap<String, Counted>,
    /// Veto item id → reason.
    #[serde(default)]
    pub vetoes: BTreeMap<String, String>,
}

impl AssessmentItems {
    /// The counts the engine reads.
    pub fn engine_items(&self) -> Items {
        Items {
            bonus: self
                .bonus
                .iter()
                .filter(|(_, c)| c.count > 0)
                .map(|(k, c)| (k.clone(), c.count))
                .collect(),
            penalties: self
                .penalties
                .iter()
                .filter(|(_, c)| c.count > 0)
                .map(|(k, c)| (k.clone(), c.count))
                .collect(),
            vetoes: self.vetoes.keys().cloned().collect(),
        }
    }
}

/// An assessment as stored (without its snapshot).
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRecord {
    pub id: i64,
    pub kind: RubricKind,
    pub year: i32,
    pub subject: i64,
    pub rubric_version: u32,
    pub status: AssessmentStatus,
    pub items: AssessmentItems,
    pub entries: Vec<Entry>,
    /// Everyone who entered a value or item, ever.
    pub enterers: Vec<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_on: Option<Date>,
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub version: i64,
}

/// What approval freezes (审批快照): everything the score was computed from, and the score.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Frozen {
    pub rubric: Rubric,
    /// Rule key → the platform value used, with formula and source records.
    pub figures: BTreeMap<String, Measured>,
    pub entries: Vec<Entry>,
    pub items: AssessmentItems,
    pub inputs: Inputs,
    pub card: Scorecard,
    pub approved_by: String,
    pub approved_on: Date,
}

/// A subject's score as read: live for a subject not approved, from the snapshot for an
/// approved one (`frozen`).
#[derive(Debug, Clone, Serialize)]
pub struct Assessed {
    pub kind: RubricKind,
    pub year: i32,
    pub subject: i64,
    /// `None`: nothing entered yet (经办, not created).
    pub assessment: Option<AssessmentRecord>,
    pub status: AssessmentStatus,
    pub frozen: bool,
    pub rubric: Rubric,
    pub figures: BTreeMap<String, Measured>,
    pub entries: Vec<Entry>,
    pub items: AssessmentItems,
    pub inputs: Inputs,
    pub card: Scorecard,
}

/// One line of the score list: the subject's score and its place.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreRow {
    pub assessed: Assessed,
    pub ranked: Ranked,
}

/// The rules of an award list (奖补规则); defaults from `gongfu_core`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardRules {
    #[serde(default)]
    pub zone: ZoneAwardRules,
    #[serde(default)]
    pub team: TeamAwardRules,
    /// The year's budget for zones and teams together; `None`: no limit.
    #[serde(default)]
    pub budget: Option<Fen>,
    #[serde(default = "default_shortfall")]
    pub shortfall: Shortfall,
}

fn default_shortfall() -> Shortfall {
    Shortfall::ProRata
}

impl Default for AwardRules {
    fn default() -> Self {
        AwardRules {
            zone: ZoneAwardRules::default(),
            team: TeamAwardRules::default(),
            budget: None,
            shortfall: Shortfall::ProRata,
        }
    }
}

/// Which approved assessment fed an award list, at which row version and rubric version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardSource {
    pub kind: RubricKind,
    pub subject: i64,
    pub assessment: i64,
    pub assessment_version: i64,
    pub rubric_version: u32,
}

/// The year's award list.
#[derive(Debug, Clone, Serialize)]
pub struct AwardListRecord {
    pub id: i64,
    pub year: i32,
    pub status: AwardStatus,
    pub rules: AwardRules,
    pub result: AwardResult,
    pub sources: Vec<AwardSource>,
    pub drafted_by: String,
    pub drafted_on: Date,
    pub approved_by: Option<String>,
    pub approved_on: Option<Date>,
    pub version: i64,
}

fn json_of<T: Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt(what, e))
}

fn parse_json<T: for<'de> Deserialize<'de>>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(what, e))
}

fn day(r: &AnyRow, col: &str) -> Result<Date, StoreError> {
    crate::work::day_of(r, col)
}

fn rubric_of(r: &AnyRow) -> Result<RubricVersion, StoreError> {
    let status: String = r.try_get("status")?;
    let kind: String = r.try_get("kind")?;
    Ok(RubricVersion {
        id: r.try_get("id")?,
        kind: kind_of(&kind)?,
        year: r.try_get::<i64, _>("year")? as i32,
        version_no: r.try_get::<i64, _>("version_no")? as u32,
        status: RubricStatus::parse(&status, "status").map_err(|e| corrupt("细则状态", e))?,
        rubric: parse_json("评分细则", &r.try_get::<String, _>("body_json")?)?,
        note: r.try_get("note")?,
        created_by: r.try_get("created_by")?,
        created_on: day(r, "created_on")?,
        published_by: r.try_get("published_by")?,
        published_on: opt_day_of(r, "published_on")?,
        version: r.try_get("version")?,
    })
}

fn rubric_audit(v: &RubricVersion) -> Value {
    json!({"kind": kind_key(v.kind), "year": v.year, "version_no": v.version_no,
        "status": v.status.key(), "note": v.note, "rubric": v.rubric})
}

fn assessment_audit(a: &AssessmentRecord) -> Value {
    json!({"kind": kind_key(a.kind), "year": a.year, "subject": a.subject,
        "rubric_version": a.rubric_version, "status": a.status.key(), "items": a.items,
        "entries": a.entries, "reviewed_by": a.reviewed_by, "approved_by": a.approved_by})
}

/// The default rubric of `kind` for `year` (as `gongfu_core` ships it).
pub fn default_rubric(kind: RubricKind, year: i32) -> Rubric {
    match kind {
        RubricKind::Zone => default_zone_rubric(year),
        RubricKind::Team => default_team_rubric(year),
    }
}

fn rubric_errors(e: Vec<DomainError>) -> StoreError {
    StoreError::Invalid(
        e.into_iter()
            .map(|mut d| {
                d.field = format!("rubric.{}", d.field);
                d
            })
            .collect(),
    )
}

/// Rule key → the platform value of its figure for one subject.
fn platform_for(
    rubric: &Rubric,
    figures: Option<&BTreeMap<gongfu_core::scoring::Figure, Measured>>,
) -> BTreeMap<String, Measured> {
    let mut out = BTreeMap::new();
    let Some(figures) = figures else {
        return out;
    };
    for (_, _, rule) in rubric.rules() {
        if let Source::Platform(f) = rule.source
            && let Some(m) = figures.get(&f)
        {
            out.insert(rule.key.clone(), m.clone());
        }
    }
    out
}

/// The live score of one subject from its rubric, platform figures and entries.
fn live(
    rubric: &Rubric,
    figures: BTreeMap<String, Measured>,
    entries: &[Entry],
    items: &AssessmentItems,
) -> (Inputs, Scorecard, BTreeMap<String, Measured>) {
    let mut platform = BTreeMap::new();
    for (_, _, rule) in rubric.rules() {
        if let (Source::Platform(f), Some(m)) = (rule.source, figures.get(&rule.key)) {
            platform.insert(f, m.input);
        }
    }
    let manual: BTreeMap<String, Input> = entries
        .iter()
        .map(|e| (e.rule_key.clone(), e.input))
        .collect();
    let inputs = gather(rubric, &platform, &manual, &items.engine_items());
    let card = score(rubric, &inputs);
    (inputs, card, figures)
}

const RUBRIC_COLS: &str = "id, kind, year, version_no, status, body_json, note, created_by, created_on, published_by, published_on, version";
const ASSESSMENT_COLS: &str = "id, kind, year, subject_id, rubric_version, status, items_json, enterers_json, reviewed_by, reviewed_on, approved_by, approved_on, version";

impl Store {
    // ----- rubric versions -------------------------------------------------------------

    /// Every stored version of the `kind` rubric for `year`, oldest first.
    pub async fn rubric_versions(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<Vec<RubricVersion>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RUBRIC_COLS} FROM scoring_rubrics WHERE kind = $1 AND year = $2 ORDER BY version_no"
        )))
        .bind(kind_key(kind))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rubric_of).collect()
    }

    /// One stored version.
    pub async fn rubric_version(
        &self,
        kind: RubricKind,
        year: i32,
        version_no: u32,
    ) -> Result<Option<RubricVersion>, StoreError> {
        Ok(self
            .rubric_versions(kind, year)
            .await?
            .into_iter()
            .find(|v| v.version_no == version_no))
    }

    /// The version in force (已发布) for `kind` and `year`. When none is in force, the default
    /// rubric of `gongfu_core` is stored as the next version, in force, by the system (audited)
    /// — so every assessment binds a stored version.
    pub async fn rubric_in_force(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<RubricVersion, StoreError> {
        if let Some(v) = self.stored_in_force(kind, year).await? {
            return Ok(v);
        }
        let _turn = self.write_lock.lock().await;
        if let Some(v) = self.stored_in_force(kind, year).await? {
            return Ok(v);
        }
        let actor = Actor::system("default-rubric");
        let on = crate::service::today();
        let n = self.next_version_no(kind, year).await?;
        let mut rubric = default_rubric(kind, year);
        rubric.version = n;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "scoring_rubrics").await?;
        sqlx::query(
            "INSERT INTO scoring_rubrics (id, kind, year, version_no, status, body_json, note, created_by, created_on, published_by, published_on) VALUES ($1, $2, $3, $4, 'in_force', $5, $6, $7, $8, $7, $8)",
        )
        .bind(id)
        .bind(kind_key(kind))
        .bind(i64::from(year))
        .bind(i64::from(n))
        .bind(json_of("评分细则", &rubric)?)
        .bind("默认细则（rules.md）")
        .bind(&actor.name)
        .bind(date_string(on))
        .execute(&mut *tx)
        .await?;
        let after = RubricVersion {
            id,
            kind,
            year,
            version_no: n,
            status: RubricStatus::InForce,
            rubric,
            note: "默认细则（rules.md）".into(),
            created_by: actor.name.clone(),
            created_on: on,
            published_by: Some(actor.name.clone()),
            published_on: Some(on),
            version: 1,
        };
        audit(
            &mut tx,
            &actor,
            "publish",
            "scoring_rubric",
            &id.to_string(),
            None,
            Some(rubric_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn stored_in_force(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<Option<RubricVersion>, StoreError> {
        Ok(self
            .rubric_versions(kind, year)
            .await?
            .into_iter()
            .find(|v| v.status == RubricStatus::InForce))
    }

    async fn next_version_no(&self, kind: RubricKind, year: i32) -> Result<u32, StoreError> {
        Ok(self
            .rubric_versions(kind, year)
            .await?
            .iter()
            .map(|v| v.version_no)
            .max()
            .unwrap_or(0)
            + 1)
    }

    /// 新建细则草案: from `body` (validated) or, when `None`, a copy of the version in force.
    /// Returns the new version number. District administrator only.
    pub async fn create_rubric_draft(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        body: Option<Rubric>,
        note: &str,
        on: Date,
    ) -> Result<u32, StoreError> {
        require_admin(actor, "评分细则")?;
        let base = match body {
            Some(b) => b,
            None => self.rubric_in_force(kind, year).await?.rubric,
        };
        let (_turn, _snap) = self.write_turn().await?;
        let n = self.next_version_no(kind, year).await?;
        let rubric = Rubric {
            kind,
            year,
            version: n,
            ..base
        };
        rubric.validate().map_err(rubric_errors)?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "scoring_rubrics").await?;
        sqlx::query(
            "INSERT INTO scoring_rubrics (id, kind, year, version_no, status, body_json, note, created_by, created_on) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(kind_key(kind))
        .bind(i64::from(year))
        .bind(i64::from(n))
        .bind(json_of("评分细则", &rubric)?)
        .bind(note.trim())
        .bind(&actor.name)
        .bind(date_string(on))
        .execute(&mut *tx)
        .await?;
        let after = RubricVersion {
            id,
            kind,
            year,
            version_no: n,
            status: RubricStatus::Draft,
            rubric,
            note: note.trim().into(),
            created_by: actor.name.clone(),
            created_on: on,
            published_by: None,
            published_on: None,
            version: 1,
        };
        audit(
            &mut tx,
            actor,
            "draft",
            "scoring_rubric",
            &id.to_string(),
            None,
            Some(rubric_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn rubric_or_404(
        &self,
        kind: RubricKind,
        year: i32,
        n: u32,
    ) -> Result<RubricVersion, StoreError> {
        self.rubric_version(kind, year, n)
            .await?
            .ok_or_else(|| not_found(format!("{year} 年度评分细则第 {n} 版")))
    }

    /// 修改细则草案: only a draft; `validate()` errors come back with fields under `rubric.`.
    /// District administrator only.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_rubric_draft(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        n: u32,
        expected_version: i64,
        body: Rubric,
        note: &str,
    ) -> Result<(), StoreError> {
        require_admin(actor, "评分细则")?;
        let (_turn, _snap) = self.write_turn().await?;
        let current = self.rubric_or_404(kind, year, n).await?;
        if current.status != RubricStatus::Draft {
            return Err(invalid(
                "published",
                "status",
                format!(
                    "第 {n} 版细则{}，不能修改；如需调整请新建草案并发布以替代",
                    current.status.label()
                ),
            ));
        }
        if current.version != expected_version {
            return Err(conflict(format!("评分细则第 {n} 版"), current.version));
        }
        let rubric = Rubric {
            kind,
            year,
            version: n,
            ..body
        };
        rubric.validate().map_err(rubric_errors)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE scoring_rubrics SET body_json = $1, note = $2, version = version + 1 WHERE id = $3 AND version = $4 AND status = 'draft'",
        )
        .bind(json_of("评分细则", &rubric)?)
        .bind(note.trim())
        .bind(current.id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(format!("评分细则第 {n} 版"), current.version));
        }
        let after = RubricVersion {
            rubric,
            note: note.trim().into(),
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "update",
            "scoring_rubric",
            &current.id.to_string(),
            Some(rubric_audit(&current)),
            Some(rubric_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 发布细则: the draft comes into force and the version in force becomes 已废止.
    /// Assessments already created keep the version they bound. District administrator only.
    pub async fn publish_rubric(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        n: u32,
        expected_version: i64,
        on: Date,
    ) -> Result<(), StoreError> {
        require_admin(actor, "评分细则发布")?;
        let (_turn, _snap) = self.write_turn().await?;
        let current = self.rubric_or_404(kind, year, n).await?;
        if current.status != RubricStatus::Draft {
            return Err(invalid(
                "not_draft",
                "status",
                format!("第 {n} 版细则{}，只有草案可以发布", current.status.label()),
            ));
        }
        if current.version != expected_version {
            return Err(conflict(format!("评分细则第 {n} 版"), current.version));
        }
        current.rubric.validate().map_err(rubric_errors)?;
        let previous = self.stored_in_force(kind, year).await?;
        let mut tx = self.pool.begin().await?;
        if let Some(p) = &previous {
            sqlx::query(
                "UPDATE scoring_rubrics SET status = 'superseded', version = version + 1 WHERE id = $1",
            )
            .bind(p.id)
            .execute(&mut *tx)
            .await?;
        }
        let done = sqlx::query(
            "UPDATE scoring_rubrics SET status = 'in_force', published_by = $1, published_on = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(&actor.name)
        .bind(date_string(on))
        .bind(current.id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(format!("评分细则第 {n} 版"), current.version));
        }
        let after = RubricVersion {
            status: RubricStatus::InForce,
            published_by: Some(actor.name.clone()),
            published_on: Some(on),
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "publish",
            "scoring_rubric",
            &current.id.to_string(),
            Some(json!({"status": "draft", "superseded": previous.as_ref().map(|p| p.version_no)})),
            Some(rubric_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- assessments -----------------------------------------------------------------

    /// The assessment of one subject, if anything was entered.
    pub async fn assessment(
        &self,
        kind: RubricKind,
        year: i32,
        subject: i64,
    ) -> Result<Option<AssessmentRecord>, StoreError> {
        Ok(self
            .assessments(kind, year)
            .await?
            .into_iter()
            .find(|a| a.subject == subject))
    }

    /// Every assessment of a kind and year, with entries.
    pub async fn assessments(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<Vec<AssessmentRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLS} FROM scoring_assessments WHERE kind = $1 AND year = $2 ORDER BY subject_id"
        )))
        .bind(kind_key(kind))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        let entry_rows = sqlx::query(
            "SELECT e.assessment_id, e.rule_key, e.input_json, e.evidence_json, e.comment, e.department, e.entered_by, e.entered_on FROM scoring_entries e JOIN scoring_assessments a ON a.id = e.assessment_id WHERE a.kind = $1 AND a.year = $2 ORDER BY e.rule_key",
        )
        .bind(kind_key(kind))
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        let mut entries: BTreeMap<i64, Vec<Entry>> = BTreeMap::new();
        for r in &entry_rows {
            entries
                .entry(r.try_get("assessment_id")?)
                .or_default()
                .push(Entry {
                    rule_key: r.try_get("rule_key")?,
                    input: parse_json("填报值", &r.try_get::<String, _>("input_json")?)?,
                    evidence: parse_json("佐证材料", &r.try_get::<String, _>("evidence_json")?)?,
                    comment: r.try_get("comment")?,
                    department: r.try_get("department")?,
                    entered_by: r.try_get("entered_by")?,
                    entered_on: day(r, "entered_on")?,
                });
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let status: String = r.try_get("status")?;
                Ok(AssessmentRecord {
                    id,
                    kind,
                    year,
                    subject: r.try_get("subject_id")?,
                    rubric_version: r.try_get::<i64, _>("rubric_version")? as u32,
                    status: AssessmentStatus::parse(&status, "status")
                        .map_err(|e| corrupt("评分状态", e))?,
                    items: parse_json("加减分项", &r.try_get::<String, _>("items_json")?)?,
                    entries: entries.remove(&id).unwrap_or_default(),
                    enterers: parse_json("填报人", &r.try_get::<String, _>("enterers_json")?)?,
                    reviewed_by: r.try_get("reviewed_by")?,
                    reviewed_on: opt_day_of(r, "reviewed_on")?,
                    approved_by: r.try_get("approved_by")?,
                    approved_on: opt_day_of(r, "approved_on")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    async fn frozen_of(&self, id: i64) -> Result<Option<Frozen>, StoreError> {
        let row = sqlx::query("SELECT snapshot_json FROM scoring_assessments WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let s: Option<String> = row.try_get(0)?;
        s.map(|s| parse_json("审批快照", &s)).transpose()
    }

    /// Refuses a subject that is not a zone / team of the platform.
    async fn check_subject(&self, kind: RubricKind, subject: i64) -> Result<(), StoreError> {
        let known = match kind {
            RubricKind::Zone => self.snapshot().await?.zone(ZoneId(subject)).is_some(),
            RubricKind::Team => self.team(subject).await?.is_some(),
        };
        if known {
            Ok(())
        } else {
            Err(not_found(match kind {
                RubricKind::Zone => format!("片区 {subject}"),
                RubricKind::Team => format!("运营团队 {subject}"),
            }))
        }
    }

    /// The assessment to write to, checked for its version and status; created (binding the
    /// version in force) when `expected_version` is 0 and none exists.
    async fn writable_assessment(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        kind: RubricKind,
        year: i32,
        subject: i64,
        expected_version: i64,
        in_force: u32,
    ) -> Result<AssessmentRecord, StoreError> {
        let what = || format!("{year} 年度评分（对象 {subject}）");
        match self.assessment(kind, year, subject).await? {
            Some(a) => {
                if a.version != expected_version {
                    return Err(conflict(what(), a.version));
                }
                if a.status != AssessmentStatus::Entering {
                    return Err(invalid(
                        "not_entering",
                        "status",
                        format!(
                            "评分处于「{}」，不能再填报；如需修改请先退回经办（需说明原因）",
                            a.status.label()
                        ),
                    ));
                }
                Ok(a)
            }
            None => {
                if expected_version != 0 {
                    return Err(conflict(what(), 0));
                }
                let id = next_id(tx, "scoring_assessments").await?;
                sqlx::query(
                    "INSERT INTO scoring_assessments (id, kind, year, subject_id, rubric_version, status) VALUES ($1, $2, $3, $4, $5, 'entering')",
                )
                .bind(id)
                .bind(kind_key(kind))
                .bind(i64::from(year))
                .bind(subject)
                .bind(i64::from(in_force))
                .execute(&mut **tx)
                .await?;
                Ok(AssessmentRecord {
                    id,
                    kind,
                    year,
                    subject,
                    rubric_version: in_force,
                    status: AssessmentStatus::Entering,
                    items: AssessmentItems::default(),
                    entries: Vec::new(),
                    enterers: Vec::new(),
                    reviewed_by: None,
                    reviewed_on: None,
                    approved_by: None,
                    approved_on: None,
                    version: 1,
                })
            }
        }
    }

    /// The rubric an assessment (or a subject without one) is scored on.
    async fn rubric_for(
        &self,
        kind: RubricKind,
        year: i32,
        a: Option<&AssessmentRecord>,
    ) -> Result<RubricVersion, StoreError> {
        match a {
            Some(a) => self.rubric_or_404(kind, year, a.rubric_version).await,
            None => self.rubric_in_force(kind, year).await,
        }
    }

    /// 填报: the value of one manual rule, with evidence and comment. The rule must be a
    /// `Source::Manual` rule of the assessment's rubric and the value of the kind its method
    /// reads (422 naming `values.<key>`). `expected_version` is the assessment's version, 0
    /// for the first entry of a subject. Returns the assessment's new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_score_entry(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        subject: i64,
        rule_key: &str,
        entry: &EntryInput,
        expected_version: i64,
        on: Date,
    ) -> Result<i64, StoreError> {
        self.check_subject(kind, subject).await?;
        let existing = self.assessment(kind, year, subject).await?;
        let rv = self.rubric_for(kind, year, existing.as_ref()).await?;
        let (_turn, snap) = self.write_turn().await?;
        let Some((_, ind, rule)) = rv.rubric.rules().find(|(_, _, r)| r.key == rule_key) else {
            return Err(invalid(
                "unknown_key",
                &format!("values.{rule_key}"),
                format!("第 {} 版评分细则中没有规则「{rule_key}」", rv.version_no),
            ));
        };
        if let Source::Platform(_) = rule.source {
            return Err(invalid(
                "platform_sourced",
                &format!("values.{rule_key}"),
                format!(
                    "规则「{}」由平台根据业务记录自动取数，不能手工填报；如数值有误请更正来源记录",
                    rule.label
                ),
            ));
        }
        let probe = Inputs {
            values: BTreeMap::from([(rule_key.to_string(), entry.input)]),
            ..Default::default()
        };
        probe.check(&rv.rubric)?;
        // Who: administrators; the responsible department; a town for its own zones.
        let allowed = match &actor.role {
            Role::Admin => true,
            Role::Department { unit } => unit.trim() == ind.department.trim(),
            Role::Town { .. } => kind == RubricKind::Zone && may_manage_zone(actor, &snap, subject),
            _ => false,
        };
        if !allowed {
            return Err(StoreError::Forbidden(format!(
                "指标 {}「{}」由责任单位「{}」或区管理员填报",
                ind.id, ind.name, ind.department
            )));
        }
        if ind.evidence_required
            && entry.evidence.text.trim().is_empty()
            && entry.evidence.links.is_empty()
            && entry.evidence.attachments.is_empty()
        {
            return Err(invalid(
                "evidence_required",
                &format!("evidence.{rule_key}"),
                format!(
                    "指标 {}「{}」须附佐证材料（说明、链接或附件）",
                    ind.id, ind.name
                ),
            ));
        }
        for a in &entry.evidence.attachments {
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM attachments WHERE id = $1")
                .bind(a)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            if n == 0 {
                return Err(invalid(
                    "unknown_attachment",
                    "evidence.attachments",
                    format!("佐证附件 {a} 不存在"),
                ));
            }
        }
        let mut tx = self.pool.begin().await?;
        let before = self
            .writable_assessment(
                &mut tx,
                kind,
                year,
                subject,
                expected_version,
                rv.version_no,
            )
            .await?;
        let new = Entry {
            rule_key: rule_key.to_string(),
            input: entry.input,
            evidence: entry.evidence.clone(),
            comment: entry.comment.trim().to_string(),
            department: ind.department.clone(),
            entered_by: actor.name.clone(),
            entered_on: on,
        };
        sqlx::query("DELETE FROM scoring_entries WHERE assessment_id = $1 AND rule_key = $2")
            .bind(before.id)
            .bind(rule_key)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO scoring_entries (assessment_id, rule_key, input_json, evidence_json, comment, department, entered_by, entered_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(before.id)
        .bind(rule_key)
        .bind(json_of("填报值", &new.input)?)
        .bind(json_of("佐证材料", &new.evidence)?)
        .bind(&new.comment)
        .bind(&new.department)
        .bind(&new.entered_by)
        .bind(date_string(on))
        .execute(&mut *tx)
        .await?;
        let mut after = before.clone();
        after.entries.retain(|e| e.rule_key != rule_key);
        after.entries.push(new);
        self.bump_assessment(&mut tx, actor, &before, after, "enter")
            .await
            .map(|a| a.version)
            .and_then_commit(tx)
            .await
    }

    /// Records the writer among the enterers, bumps the version, audits.
    async fn bump_assessment(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        actor: &Actor,
        before: &AssessmentRecord,
        mut after: AssessmentRecord,
        action: &str,
    ) -> Result<AssessmentRecord, StoreError> {
        if !after.enterers.contains(&actor.name) {
            after.enterers.push(actor.name.clone());
        }
        after.version = before.version + 1;
        let done = sqlx::query(
            "UPDATE scoring_assessments SET items_json = $1, enterers_json = $2, version = version + 1 WHERE id = $3 AND version = $4 AND status = 'entering'",
        )
        .bind(json_of("加减分项", &after.items)?)
        .bind(json_of("填报人", &after.enterers)?)
        .bind(before.id)
        .bind(before.version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("{} 年度评分（对象 {}）", before.year, before.subject),
                before.version,
            ));
        }
        let was_new = before.entries.is_empty() && before.enterers.is_empty();
        audit(
            tx,
            actor,
            action,
            "scoring_assessment",
            &before.id.to_string(),
            (!was_new).then(|| assessment_audit(before)),
            Some(assessment_audit(&after)),
        )
        .await?;
        Ok(after)
    }

    /// 加分项、扣分项、否决项: replaces the assessment's items (unknown ids and a veto or
    /// penalty without a reason are refused). District administrator only. Returns the new
    /// version.
    pub async fn put_score_items(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        subject: i64,
        items: &AssessmentItems,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        require_admin(actor, "加分、扣分与否决项")?;
        self.check_subject(kind, subject).await?;
        let existing = self.assessment(kind, year, subject).await?;
        let rv = self.rubric_for(kind, year, existing.as_ref()).await?;
        let (_turn, _snap) = self.write_turn().await?;
        let e = items.engine_items();
        let mut errors = Inputs {
            bonus: e.bonus,
            penalties: e.penalties,
            vetoes: e.vetoes,
            ..Default::default()
        }
        .check(&rv.rubric)
        .err()
        .unwrap_or_default();
        for (k, r) in &items.vetoes {
            if r.trim().is_empty() {
                errors.push(DomainError::new(
                    "reason_required",
                    format!("vetoes.{k}"),
                    format!("否决项「{k}」须说明原因"),
                ));
            }
        }
        for (k, c) in &items.penalties {
            if c.count > 0 && c.reason.trim().is_empty() {
                errors.push(DomainError::new(
                    "reason_required",
                    format!("penalties.{k}"),
                    format!("扣分项「{k}」须说明原因"),
                ));
            }
        }
        crate::error::all_valid(errors)?;
        let mut tx = self.pool.begin().await?;
        let before = self
            .writable_assessment(
                &mut tx,
                kind,
                year,
                subject,
                expected_version,
                rv.version_no,
            )
            .await?;
        let after = AssessmentRecord {
            items: items.clone(),
            ..before.clone()
        };
        self.bump_assessment(&mut tx, actor, &before, after, "items")
            .await
            .map(|a| a.version)
            .and_then_commit(tx)
            .await
    }

    /// 经办 → 复核 → 审批; 复核 → 经办 (退回) and 审批 → 经办 (重新打开) need a reason.
    /// The reviewer and the approver entered nothing of this assessment, and the approver is
    /// not the reviewer. Approval freezes the snapshot. District administrator only.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_assessment_status(
        &self,
        actor: &Actor,
        kind: RubricKind,
        year: i32,
        subject: i64,
        to: AssessmentStatus,
        expected_version: i64,
        reason: &str,
        on: Date,
    ) -> Result<AssessmentRecord, StoreError> {
        require_admin(actor, "评分复核与审批")?;
        // Computed before the turn: the live score frozen on approval.
        let live_now = self.assessed(kind, year, subject).await?;
        let (_turn, _snap) = self.write_turn().await?;
        let current = self
            .assessment(kind, year, subject)
            .await?
            .ok_or_else(|| not_found(format!("{year} 年度评分（对象 {subject}）")))?;
        if current.version != expected_version {
            return Err(conflict(
                format!("{year} 年度评分（对象 {subject}）"),
                current.version,
            ));
        }
        use AssessmentStatus::*;
        if !matches!(
            (current.status, to),
            (Entering, Reviewed)
                | (Reviewed, Approved)
                | (Reviewed, Entering)
                | (Approved, Entering)
        ) {
            return Err(invalid(
                "invalid_transition",
                "status",
                format!(
                    "评分处于「{}」，不能改为「{}」",
                    current.status.label(),
                    to.label()
                ),
            ));
        }
        if to == Entering && reason.trim().is_empty() {
            return Err(invalid(
                "reason_required",
                "reason",
                "退回或重新打开评分须说明原因".into(),
            ));
        }
        if matches!(to, Reviewed | Approved) && current.enterers.contains(&actor.name) {
            return Err(invalid(
                "separation_of_duties",
                "status",
                format!(
                    "您填报过本评分的数值，不能{}；请由未参与填报的另一位区管理员{}",
                    if to == Reviewed { "复核" } else { "审批" },
                    if to == Reviewed { "复核" } else { "审批" }
                ),
            ));
        }
        if to == Approved && current.reviewed_by.as_deref() == Some(actor.name.as_str()) {
            return Err(invalid(
                "separation_of_duties",
                "status",
                "复核人不能同时审批，请由另一位区管理员审批".into(),
            ));
        }
        let mut after = AssessmentRecord {
            status: to,
            version: current.version + 1,
            ..current.clone()
        };
        let approved_total = live_now.card.total.0;
        let mut snapshot: Option<String> = None;
        match to {
            Reviewed => {
                after.reviewed_by = Some(actor.name.clone());
                after.reviewed_on = Some(on);
            }
            Approved => {
                after.approved_by = Some(actor.name.clone());
                after.approved_on = Some(on);
                let frozen = Frozen {
                    rubric: live_now.rubric,
                    figures: live_now.figures,
                    entries: current.entries.clone(),
                    items: current.items.clone(),
                    inputs: live_now.inputs,
                    card: live_now.card,
                    approved_by: actor.name.clone(),
                    approved_on: on,
                };
                snapshot = Some(json_of("审批快照", &frozen)?);
            }
            Entering => {
                after.reviewed_by = None;
                after.reviewed_on = None;
                after.approved_by = None;
                after.approved_on = None;
            }
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE scoring_assessments SET status = $1, reviewed_by = $2, reviewed_on = $3, approved_by = $4, approved_on = $5, snapshot_json = $6, version = version + 1 WHERE id = $7 AND version = $8",
        )
        .bind(to.key())
        .bind(after.reviewed_by.clone())
        .bind(opt_day_text(after.reviewed_on))
        .bind(after.approved_by.clone())
        .bind(opt_day_text(after.approved_on))
        .bind(snapshot)
        .bind(current.id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("{year} 年度评分（对象 {subject}）"),
                current.version,
            ));
        }
        let mut after_audit = assessment_audit(&after);
        if !reason.trim().is_empty() {
            after_audit["reason"] = json!(reason.trim());
        }
        if to == Approved {
            after_audit["total_hundredths"] = json!(approved_total);
        }
        audit(
            &mut tx,
            actor,
            if current.status == Approved {
                "reopen"
            } else {
                to.key()
            },
            "scoring_assessment",
            &current.id.to_string(),
            Some(assessment_audit(&current)),
            Some(after_audit),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One subject's score: from the approval snapshot when approved, else live from the
    /// rubric the assessment bound (or the version in force), the platform figures and the
    /// entries.
    pub async fn assessed(
        &self,
        kind: RubricKind,
        year: i32,
        subject: i64,
    ) -> Result<Assessed, StoreError> {
        let a = self.assessment(kind, year, subject).await?;
        let figures = self.platform_figures(kind, year).await?;
        self.assessed_with(kind, year, subject, a, &figures).await
    }

    async fn assessed_with(
        &self,
        kind: RubricKind,
        year: i32,
        subject: i64,
        a: Option<AssessmentRecord>,
        figures: &crate::scoring_figures::PlatformFigures,
    ) -> Result<Assessed, StoreError> {
        if let Some(rec) = &a
            && rec.status == AssessmentStatus::Approved
            && let Some(f) = self.frozen_of(rec.id).await?
        {
            return Ok(Assessed {
                kind,
                year,
                subject,
                status: rec.status,
                frozen: true,
                rubric: f.rubric,
                figures: f.figures,
                entries: f.entries,
                items: f.items,
                inputs: f.inputs,
                card: f.card,
                assessment: a,
            });
        }
        let rv = self.rubric_for(kind, year, a.as_ref()).await?;
        let (entries, items) = a
            .as_ref()
            .map(|r| (r.entries.clone(), r.items.clone()))
            .unwrap_or_default();
        let plat = platform_for(&rv.rubric, figures.get(&subject));
        let (inputs, card, figures) = live(&rv.rubric, plat, &entries, &items);
        Ok(Assessed {
            kind,
            year,
            subject,
            status: a.as_ref().map_or(AssessmentStatus::Entering, |r| r.status),
            frozen: false,
            rubric: rv.rubric,
            figures,
            entries,
            items,
            inputs,
            card,
            assessment: a,
        })
    }

    /// The subjects of a kind: every zone of the registry, or every operating team.
    pub async fn scoring_subjects(
        &self,
        kind: RubricKind,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(match kind {
            RubricKind::Zone => self
                .snapshot()
                .await?
                .zones
                .iter()
                .map(|z| (z.id.0, z.name.clone()))
                .collect(),
            RubricKind::Team => self
                .teams(None)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect(),
        })
    }

    /// Every subject's score for a year, ranked (position, change against last year's
    /// approved score on the same rubric maximum).
    pub async fn score_list(
        &self,
        kind: RubricKind,
        year: i32,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        let subjects = self.scoring_subjects(kind).await?;
        let figures = self.platform_figures(kind, year).await?;
        let mut by_subject: BTreeMap<i64, AssessmentRecord> = self
            .assessments(kind, year)
            .await?
            .into_iter()
            .map(|a| (a.subject, a))
            .collect();
        let mut all = Vec::new();
        for (s, _) in &subjects {
            all.push(
                self.assessed_with(kind, year, *s, by_subject.remove(s), &figures)
                    .await?,
            );
        }
        let mut last = Vec::new();
        for a in self.assessments(kind, year - 1).await? {
            if a.status == AssessmentStatus::Approved
                && let Some(f) = self.frozen_of(a.id).await?
            {
                last.push((a.subject, f.card));
            }
        }
        let cards: Vec<(i64, &Scorecard)> = all.iter().map(|a| (a.subject, &a.card)).collect();
        let last_refs: Vec<(i64, &Scorecard)> = last.iter().map(|(s, c)| (*s, c)).collect();
        let ranked = rank(&cards, &last_refs);
        let mut rows: Vec<ScoreRow> = all
            .into_iter()
            .filter_map(|a| {
                let r = ranked.iter().find(|r| r.subject == a.subject)?.clone();
                Some(ScoreRow {
                    assessed: a,
                    ranked: r,
                })
            })
            .collect();
        rows.sort_by_key(|r| r.ranked.position);
        Ok(rows)
    }

    // ----- award lists -----------------------------------------------------------------

    /// The award list of a year, if drafted.
    pub async fn award_list(&self, year: i32) -> Result<Option<AwardListRecord>, StoreError> {
        let Some(r) = sqlx::query("SELECT id, year, status, rules_json, result_json, inputs_json, drafted_by, drafted_on, approved_by, approved_on, version FROM award_lists WHERE year = $1")
            .bind(i64::from(year))
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let status: String = r.try_get("status")?;
        Ok(Some(AwardListRecord {
            id: r.try_get("id")?,
            year,
            status: AwardStatus::parse(&status, "status").map_err(|e| corrupt("名单状态", e))?,
            rules: parse_json("奖补规则", &r.try_get::<String, _>("rules_json")?)?,
            result: parse_json("奖补结果", &r.try_get::<String, _>("result_json")?)?,
            sources: parse_json("奖补依据", &r.try_get::<String, _>("inputs_json")?)?,
            drafted_by: r.try_get("drafted_by")?,
            drafted_on: day(&r, "drafted_on")?,
            approved_by: r.try_get("approved_by")?,
            approved_on: opt_day_of(&r, "approved_on")?,
            version: r.try_get("version")?,
        }))
    }

    /// The allocation input of a year from its APPROVED assessments only: zones with their
    /// tier that year (区级重点片区 → `district_key`), teams with their tie-break data (KPI
    /// collective income and revenue of the year, contract start) and last year's approved
    /// total. Returns the input and the assessments that fed it.
    pub async fn award_input(
        &self,
        year: i32,
        rules: &AwardRules,
    ) -> Result<(AwardInput, Vec<AwardSource>), StoreError> {
        let snap = self.snapshot().await?;
        let mut sources = Vec::new();
        let mut zones = Vec::new();
        let mut versions = (0u32, 0u32);
        for a in self.assessments(RubricKind::Zone, year).await? {
            if a.status != AssessmentStatus::Approved {
                continue;
            }
            let Some(f) = self.frozen_of(a.id).await? else {
                continue;
            };
            let key = snap
                .tier_in(ZoneId(a.subject), year)
                .is_some_and(|d| d.tier == Tier::DistrictKey);
            zones.push(ZoneCandidate::from_card(a.subject, key, &f.card, None));
            versions.0 = versions.0.max(a.rubric_version);
            sources.push(AwardSource {
                kind: RubricKind::Zone,
                subject: a.subject,
                assessment: a.id,
                assessment_version: a.version,
                rubric_version: a.rubric_version,
            });
        }
        let kpis = self.team_kpis(None).await?;
        let mut last: BTreeMap<i64, Scorecard> = BTreeMap::new();
        for a in self.assessments(RubricKind::Team, year - 1).await? {
            if a.status == AssessmentStatus::Approved
                && let Some(f) = self.frozen_of(a.id).await?
            {
                last.insert(a.subject, f.card);
            }
        }
        let mut teams = Vec::new();
        for a in self.assessments(RubricKind::Team, year).await? {
            if a.status != AssessmentStatus::Approved {
                continue;
            }
            let Some(f) = self.frozen_of(a.id).await? else {
                continue;
            };
            let mine = kpis
                .iter()
                .filter(|(t, k)| *t == a.subject && k.year.get() == year);
            let (collective, revenue) = mine.fold((0i64, 0i64), |(c, r), (_, k)| {
                (c + k.collective_income.0, r + k.revenue.0)
            });
            let start = self.team(a.subject).await?.map(|t| t.contract_start);
            teams.push(TeamCandidate::from_card(
                a.subject,
                &f.card,
                Fen(collective),
                Fen(revenue),
                start,
                last.get(&a.subject),
            ));
            versions.1 = versions.1.max(a.rubric_version);
            sources.push(AwardSource {
                kind: RubricKind::Team,
                subject: a.subject,
                assessment: a.id,
                assessment_version: a.version,
                rubric_version: a.rubric_version,
            });
        }
        Ok((
            AwardInput {
                year,
                zone_rubric_version: versions.0,
                team_rubric_version: versions.1,
                zone_rules: rules.zone,
                team_rules: rules.team,
                budget: rules.budget,
                shortfall: rules.shortfall,
                zones,
                teams,
            },
            sources,
        ))
    }

    /// 计算（重算）奖补名单草案 with `rules`: drafts the year's list or recomputes the draft.
    /// `expected_version` is the list's version, 0 when none exists. An approved list is
    /// locked. District administrator only.
    pub async fn compute_award_list(
        &self,
        actor: &Actor,
        year: i32,
        rules: &AwardRules,
        expected_version: i64,
        on: Date,
    ) -> Result<AwardListRecord, StoreError> {
        require_admin(actor, "奖补名单")?;
        let (input, sources) = self.award_input(year, rules).await?;
        let result = allocate(&input).map_err(|e| {
            StoreError::Invalid(
                e.into_iter()
                    .map(|mut d| {
                        d.field = format!("rules.{}", d.field);
                        d
                    })
                    .collect(),
            )
        })?;
        let (_turn, _snap) = self.write_turn().await?;
        let current = self.award_list(year).await?;
        let what = || format!("{year} 年度奖补名单");
        let mut tx = self.pool.begin().await?;
        let (id, before) = match &current {
            Some(c) => {
                if c.status == AwardStatus::Approved {
                    return Err(locked(year));
                }
                if c.version != expected_version {
                    return Err(conflict(what(), c.version));
                }
                let done = sqlx::query(
                    "UPDATE award_lists SET rules_json = $1, result_json = $2, inputs_json = $3, drafted_by = $4, drafted_on = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'",
                )
                .bind(json_of("奖补规则", rules)?)
                .bind(json_of("奖补结果", &result)?)
                .bind(json_of("奖补依据", &sources)?)
                .bind(&actor.name)
                .bind(date_string(on))
                .bind(c.id)
                .bind(expected_version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done != 1 {
                    return Err(conflict(what(), c.version));
                }
                (c.id, Some(award_audit(c)))
            }
            None => {
                if expected_version != 0 {
                    return Err(conflict(what(), 0));
                }
                let id = next_id(&mut tx, "award_lists").await?;
                sqlx::query(
                    "INSERT INTO award_lists (id, year, status, rules_json, result_json, inputs_json, drafted_by, drafted_on) VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(i64::from(year))
                .bind(json_of("奖补规则", rules)?)
                .bind(json_of("奖补结果", &result)?)
                .bind(json_of("奖补依据", &sources)?)
                .bind(&actor.name)
                .bind(date_string(on))
                .execute(&mut *tx)
                .await?;
                (id, None)
            }
        };
        let after = AwardListRecord {
            id,
            year,
            status: AwardStatus::Draft,
            rules: rules.clone(),
            result,
            sources,
            drafted_by: actor.name.clone(),
            drafted_on: on,
            approved_by: None,
            approved_on: None,
            version: current.as_ref().map_or(1, |c| c.version + 1),
        };
        audit(
            &mut tx,
            actor,
            if before.is_some() {
                "recompute"
            } else {
                "draft"
            },
            "award_list",
            &id.to_string(),
            before,
            Some(award_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// 批准奖补名单: by a district administrator other than the drafter; then locked.
    pub async fn approve_award_list(
        &self,
        actor: &Actor,
        year: i32,
        expected_version: i64,
        on: Date,
    ) -> Result<AwardListRecord, StoreError> {
        require_admin(actor, "奖补名单审批")?;
        let (_turn, _snap) = self.write_turn().await?;
        let current = self
            .award_list(year)
            .await?
            .ok_or_else(|| not_found(format!("{year} 年度奖补名单")))?;
        if current.status == AwardStatus::Approved {
            return Err(locked(year));
        }
        if current.version != expected_version {
            return Err(conflict(format!("{year} 年度奖补名单"), current.version));
        }
        if current.drafted_by == actor.name {
            return Err(invalid(
                "separation_of_duties",
                "status",
                "不能批准自己计算的奖补名单，请由另一位区管理员批准".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE award_lists SET status = 'approved', approved_by = $1, approved_on = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(&actor.name)
        .bind(date_string(on))
        .bind(current.id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(conflict(format!("{year} 年度奖补名单"), current.version));
        }
        let after = AwardListRecord {
            status: AwardStatus::Approved,
            approved_by: Some(actor.name.clone()),
            approved_on: Some(on),
            version: current.version + 1,
            ..current.clone()
        };
        audit(
            &mut tx,
            actor,
            "approve",
            "award_list",
            &current.id.to_string(),
            Some(award_audit(&current)),
            Some(award_audit(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

fn locked(year: i32) -> StoreError {
    invalid(
        "locked",
        "status",
        format!("{year} 年度奖补名单已批准并锁定，不能修改"),
    )
}

fn award_audit(a: &AwardListRecord) -> Value {
    json!({"year": a.year, "status": a.status.key(), "rules": a.rules,
        "paid_total_fen": a.result.paid_total.0, "claims_total_fen": a.result.claims_total.0,
        "zones": a.result.zones.iter().map(|z| json!({"zone": z.zone, "amount_fen": z.amount.0})).collect::<Vec<_>>(),
        "teams": a.result.teams.iter().map(|t| json!({"team": t.team, "amount_fen": t.amount.0})).collect::<Vec<_>>(),
        "sources": a.sources})
}

/// Commits the transaction after a successful write, in one expression.
trait AndThenCommit<T> {
    async fn and_then_commit(self, tx: sqlx::Transaction<'_, sqlx::Any>) -> Result<T, StoreError>;
}

impl<T> AndThenCommit<T> for Result<T, StoreError> {
    async fn and_then_commit(self, tx: sqlx::Transaction<'_, sqlx::Any>) -> Result<T, StoreError> {
        let v = self?;
        tx.commit().await?;
        Ok(v)
    }
}

/// Names of the subjects, for answers: zone id / team id → name.
/// The demo's award rules: the defaults with a 2,000,000 元 budget shared pro rata, so the
/// demo shows the shortfall rule at work when the claims run over it.
fn demo_award_rules() -> AwardRules {
    AwardRules {
        budget: Some(Fen(200_000_000)),
        ..AwardRules::default()
    }
}

pub fn subject_names(subjects: &[(i64, String)]) -> BTreeMap<i64, String> {
    subjects.iter().cloned().collect()
}

/// The rule keys of a rubric that take manual entries (`Source::Manual`).
pub fn manual_keys(r: &Rubric) -> BTreeSet<String> {
    r.rules()
        .filter(|(_, _, x)| x.source == Source::Manual)
        .map(|(_, _, x)| x.key.clone())
        .collect()
}

fn demo_actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        address: String::new(),
        user_id: None,
        role: Role::Admin,
    }
}

impl Store {
    /// Seeds a scored and awarded year through the ordinary writes: the generated entries
    /// (`gongfu_demo::scoring`, deterministic in `seed`) for the manual rules of every zone and
    /// team, entered by one official, reviewed by a second and approved by a third; then the
    /// award list computed by the second and approved by the third. Returns (assessments
    /// approved, amount paid).
    pub async fn seed_demo_scoring(
        &self,
        year: i32,
        seed: u64,
    ) -> Result<(usize, Fen), StoreError> {
        let approved = self.seed_demo_assessments(year, seed).await?;
        let reviewer = demo_actor(DEMO_REVIEWER);
        let chief = demo_actor(DEMO_CHIEF);
        let on = demo_day(year)?;
        let list = self
            .compute_award_list(&reviewer, year, &demo_award_rules(), 0, on)
            .await?;
        let list = self
            .approve_award_list(&chief, year, list.version, on)
            .await?;
        Ok((approved, list.result.paid_total))
    }

    /// The assessments part of [`Store::seed_demo_scoring`]: every zone and team entered,
    /// reviewed and approved (by three different demo officials). Returns how many.
    pub async fn seed_demo_assessments(&self, year: i32, seed: u64) -> Result<usize, StoreError> {
        let clerk = demo_actor("区农业农村局评分经办员（演示）");
        let reviewer = demo_actor(DEMO_REVIEWER);
        let chief = demo_actor(DEMO_CHIEF);
        let on = demo_day(year)?;
        let mut approved = 0;
        for kind in [RubricKind::Zone, RubricKind::Team] {
            let rv = self.rubric_in_force(kind, year).await?;
            let subjects: Vec<i64> = self
                .scoring_subjects(kind)
                .await?
                .iter()
                .map(|(id, _)| *id)
                .collect();
            let entries = gongfu_demo::scoring::generate_entries(&rv.rubric, &subjects, seed);
            for (subject, demo) in entries {
                let mut v = 0;
                for (key, input) in &demo.values {
                    let entry = EntryInput {
                        input: *input,
                        evidence: Evidence {
                            text: "演示佐证：年度工作台账与会议纪要".into(),
                            ..Default::default()
                        },
                        comment: String::new(),
                    };
                    v = self
                        .put_score_entry(&clerk, kind, year, subject, key, &entry, v, on)
                        .await?;
                }
                if !demo.bonus.is_empty() {
                    let items = AssessmentItems {
                        bonus: demo
                            .bonus
                            .iter()
                            .map(|(k, c)| {
                                (
                                    k.clone(),
                                    Counted {
                                        count: *c,
                                        reason: "演示：获市级以上表彰".into(),
                                    },
                                )
                            })
                            .collect(),
                        ..Default::default()
                    };
                    v = self
                        .put_score_items(&clerk, kind, year, subject, &items, v)
                        .await?;
                }
                let a = self
                    .set_assessment_status(
                        &reviewer,
                        kind,
                        year,
                        subject,
                        AssessmentStatus::Reviewed,
                        v,
                        "",
                        on,
                    )
                    .await?;
                self.set_assessment_status(
                    &chief,
                    kind,
                    year,
                    subject,
                    AssessmentStatus::Approved,
                    a.version,
                    "",
                    on,
                )
                .await?;
                approved += 1;
            }
        }
        Ok(approved)
    }
}

const DEMO_REVIEWER: &str = "区农业农村局评分复核员（演示）";
const DEMO_CHIEF: &str = "区农业农村局分管负责人（演示）";

/// The demo's review and approval day: late March of the following year.
fn demo_day(year: i32) -> Result<Date, StoreError> {
    Date::from_calendar_date(year + 1, time::Month::March, 25).map_err(|e| corrupt("日期", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_year_is_scored_awarded_and_frozen() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::testing::demo_store(dir.path(), 7).await;
        let (n, paid) = store.seed_demo_scoring(2025, 7).await.unwrap();
        let zones = store
            .scoring_subjects(RubricKind::Zone)
            .await
            .unwrap()
            .len();
        let teams = store
            .scoring_subjects(RubricKind::Team)
            .await
            .unwrap()
            .len();
        assert_eq!(n, zones + teams);
        let list = store.award_list(2025).await.unwrap().unwrap();
        assert_eq!(list.status, AwardStatus::Approved);
        let sum: i64 = list.result.zones.iter().map(|z| z.amount.0).sum::<i64>()
            + list.result.teams.iter().map(|t| t.amount.0).sum::<i64>();
        assert_eq!(sum, paid.0);
        assert_eq!(list.sources.len(), n);
        // The approved list and published rubrics are locked in the database too.
        let upd = sqlx::query("UPDATE award_lists SET result_json = '{}'")
            .execute(&store.pool)
            .await;
        assert!(upd.is_err(), "approved award list is locked");
        let upd = sqlx::query("UPDATE scoring_rubrics SET body_json = '{}'")
            .execute(&store.pool)
            .await;
        assert!(upd.is_err(), "published rubric body is not edited");
        // Every score reads from its snapshot, and the list ranks every zone.
        let rows = store.score_list(RubricKind::Zone, 2025).await.unwrap();
        assert_eq!(rows.len(), zones);
        assert!(rows.iter().all(|r| r.assessed.frozen));
        assert!(rows.iter().any(|r| r.assessed.card.total.0 > 0));
        // The approved list refuses a recompute.
        let r = store
            .compute_award_list(
                &demo_actor("甲"),
                2025,
                &AwardRules::default(),
                list.version,
                Date::MIN,
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e[0].code == "locked"));
    }

    #[tokio::test]
    async fn separation_of_duties_and_reopen_with_reason() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::testing::demo_store(dir.path(), 7).await;
        let zone = store.scoring_subjects(RubricKind::Zone).await.unwrap()[0].0;
        let rv = store.rubric_in_force(RubricKind::Zone, 2025).await.unwrap();
        assert_eq!(rv.version_no, 1);
        let key = manual_keys(&rv.rubric).into_iter().next().unwrap();
        let rule = rv
            .rubric
            .rules()
            .find(|(_, _, r)| r.key == key)
            .unwrap()
            .2
            .clone();
        let input =
            gongfu_demo::scoring::generate_entries(&rv.rubric, &[zone], 1)[&zone].values[&key];
        let a = demo_actor("甲");
        let b = demo_actor("乙");
        let c = demo_actor("丙");
        let entry = EntryInput {
            input,
            evidence: Evidence {
                text: "台账".into(),
                ..Default::default()
            },
            comment: String::new(),
        };
        let day = Date::from_calendar_date(2026, time::Month::March, 1).unwrap();
        let v = store
            .put_score_entry(&a, RubricKind::Zone, 2025, zone, &key, &entry, 0, day)
            .await
            .unwrap();
        // Stale version.
        let r = store
            .put_score_entry(&a, RubricKind::Zone, 2025, zone, &key, &entry, v - 1, day)
            .await;
        assert!(
            matches!(r, Err(StoreError::Conflict { .. })),
            "{r:?} {}",
            rule.label
        );
        // The enterer may not review.
        let r = store
            .set_assessment_status(
                &a,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Reviewed,
                v,
                "",
                day,
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(ref e)) if e[0].code == "separation_of_duties")
        );
        let rec = store
            .set_assessment_status(
                &b,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Reviewed,
                v,
                "",
                day,
            )
            .await
            .unwrap();
        // The reviewer may not approve.
        let r = store
            .set_assessment_status(
                &b,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Approved,
                rec.version,
                "",
                day,
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(ref e)) if e[0].code == "separation_of_duties")
        );
        let rec = store
            .set_assessment_status(
                &c,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Approved,
                rec.version,
                "",
                day,
            )
            .await
            .unwrap();
        assert!(
            store
                .assessed(RubricKind::Zone, 2025, zone)
                .await
                .unwrap()
                .frozen
        );
        // Reopening needs a reason.
        let r = store
            .set_assessment_status(
                &c,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Entering,
                rec.version,
                " ",
                day,
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(ref e)) if e[0].code == "reason_required"));
        store
            .set_assessment_status(
                &c,
                RubricKind::Zone,
                2025,
                zone,
                AssessmentStatus::Entering,
                rec.version,
                "佐证有误",
                day,
            )
            .await
            .unwrap();
        assert!(
            !store
                .assessed(RubricKind::Zone, 2025, zone)
                .await
                .unwrap()
                .frozen
        );
    }
}
