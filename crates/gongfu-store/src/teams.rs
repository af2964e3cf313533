//! Operating teams (运营团队) in the database: the teams with their contracts and the zones
//! they serve, their yearly KPIs per zone (unique per team, zone and year, versioned), one
//! operation plan per zone with its IP and logo (一片一IP), and the yearly evaluations (年度考评)
//! appended to each team's history. Read straight from the database like zone work; every
//! write takes the writer's turn, checks scope, writes one transaction with one audit line and
//! refuses a stale version.
//!
//! Who may write: a district administrator for teams and evaluations (contracts and their
//! assessment are district decisions); for a zone's KPIs and its operation plan also the
//! zone's managers (a town user for a zone within its town), who collect those figures.

use crate::db::Store;
use crate::service::{audit, next_id, now_string, require_admin, require_zone_scope, today};
use crate::snapshot::Snapshot;
use crate::work::import::{ImportRowError, WorkImportReport};
use crate::work::{conflict, corrupt, day_of, not_found, opt_day_of, opt_day_text, zone_villages};
use crate::{Actor, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gongfu_core::ops::teams::{
    BusinessType, Evaluation, EvaluationSpec, Grade, Kpi, KpiSpec, OperationPlan, Team, TeamSpec,
    ZoneService, check_logo,
};
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, DomainError, Fen, ZoneId};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;

/// A zone's operation plan as stored, with what is known of its logo (not the bytes).
#[derive(Debug, Clone, Serialize)]
pub struct PlanRecord {
    pub zone: i64,
    pub plan: OperationPlan,
    pub logo: Option<LogoMeta>,
    pub updated_by: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogoMeta {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// What a save of the operation plan does with the logo.
#[derive(Debug, Clone)]
pub enum LogoChange {
    Keep,
    Remove,
    /// A new file: its name and bytes, checked here.
    Set(String, Vec<u8>),
}

/// Bytes sent as base64 text (a logo in a JSON body), or `None` when it is not base64.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s.trim()).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn types_text(t: &[BusinessType]) -> String {
    t.iter().map(|t| t.key()).collect::<Vec<_>>().join(",")
}

fn team_json(id: i64, s: &TeamSpec, version: i64) -> Value {
    json!({
        "id": id, "name": s.name, "credit_code": s.credit_code.as_ref().map(|c| c.as_str()),
        "actor": s.actor, "contact_person": s.contact_person, "phone": s.phone,
        "business_types": types_text(&s.business_types),
        "contract_start": date_string(s.contract_start), "contract_end": date_string(s.contract_end),
        "terms": s.terms,
        "zones": s.zones.iter().map(|z| json!({"zone": z.zone, "from": date_string(z.from), "until": z.until.map(date_string)})).collect::<Vec<_>>(),
        "version": version,
    })
}

fn kpi_json(k: &Kpi) -> Value {
    json!({
        "team": k.team, "zone": k.zone, "year": k.year.get(), "revenue_fen": k.revenue.0,
        "visitors": k.visitors, "events": k.events, "jobs": k.jobs,
        "collective_income_fen": k.collective_income.0, "version": k.version,
    })
}

fn plan_json(p: &OperationPlan, logo: Option<&LogoMeta>, version: i64) -> Value {
    json!({
        "theme": p.theme, "market_analysis": p.market_analysis, "product_design": p.product_design,
        "promotion": p.promotion, "ip_name": p.ip_name,
        "logo": logo.map(|l| json!({"file_name": l.file_name, "size_bytes": l.size_bytes, "sha256": l.sha256})),
        "version": version,
    })
}

/// KPIs and plans are kept by the district or the zone's own managers.
fn require_zone_figures(actor: &Actor, snap: &Snapshot, zone: i64) -> Result<(), StoreError> {
    if snap.zone(ZoneId(zone)).is_none() {
        return Err(not_found(format!("片区 {zone}")));
    }
    require_zone_scope(actor, &zone_villages(snap, zone)).map_err(|_| {
        StoreError::Forbidden(
            "运营绩效和运营方案由区管理员或片区所在镇街填报（只能填报本镇街内的片区）".into(),
        )
    })
}

/// A row of the 运营绩效 sheet, as read by `gongfu_io::teams_xlsx`: team and zone by name,
/// the figures, and the 版本 the row was exported at (`None` for a year not entered yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiImportRow {
    pub row: usize,
    pub team: String,
    pub zone: String,
    pub year: DataYear,
    pub spec: KpiSpec,
    pub version: Option<i64>,
}

/// The Chinese column headers the import errors name (as in `gongfu_io::teams_xlsx`).
pub mod col {
    pub const TEAM: &str = "团队";
    pub const ZONE: &str = "片区";
    pub const YEAR: &str = "年份";
    pub const VERSION: &str = "版本";
}

/// A KPI row to write: its index in the file, team, zone, year and the record now.
type PlannedKpi = (usize, i64, i64, DataYear, Option<(i64, Kpi)>);

/// Whether the actor may enter a zone's KPIs and operation plan (for showing the forms).
pub fn may_enter_zone_figures(actor: &Actor, snap: &Snapshot, zone: i64) -> bool {
    require_zone_figures(actor, snap, zone).is_ok()
}

/// Writes one KPI record inside the caller's transaction: a new one when `current` is
/// `None`, else an update of `current` at its version. `None` when the version moved meanwhile.
async fn write_kpi(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    team: i64,
    zone: i64,
    year: DataYear,
    current: Option<&(i64, Kpi)>,
    spec: &KpiSpec,
) -> Result<Option<i64>, StoreError> {
    let after = |v: i64| Kpi {
        team,
        zone,
        year,
        revenue: spec.revenue,
        visitors: spec.visitors,
        events: spec.events,
        jobs: spec.jobs,
        collective_income: spec.collective_income,
        version: v,
    };
    match current {
        None => {
            let id = next_id(tx, "team_kpis").await?;
            sqlx::query("INSERT INTO team_kpis (id, team_id, zone_id, year, revenue_fen, visitors, events, jobs, collective_income_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(id)
                .bind(team)
                .bind(zone)
                .bind(i64::from(year.get()))
                .bind(spec.revenue.0)
                .bind(spec.visitors)
                .bind(spec.events)
                .bind(spec.jobs)
                .bind(spec.collective_income.0)
                .execute(&mut **tx)
                .await?;
            audit(
                tx,
                actor,
                "create",
                "team_kpi",
                &id.to_string(),
                None,
                Some(kpi_json(&after(1))),
            )
            .await?;
            Ok(Some(id))
        }
        Some((id, k)) => {
            let done = sqlx::query("UPDATE team_kpis SET revenue_fen = $1, visitors = $2, events = $3, jobs = $4, collective_income_fen = $5, version = version + 1 WHERE id = $6 AND version = $7")
                .bind(spec.revenue.0)
                .bind(spec.visitors)
                .bind(spec.events)
                .bind(spec.jobs)
                .bind(spec.collective_income.0)
                .bind(*id)
                .bind(k.version)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            if done != 1 {
                return Ok(None);
            }
            audit(
                tx,
                actor,
                "update",
                "team_kpi",
                &id.to_string(),
                Some(kpi_json(k)),
                Some(kpi_json(&after(k.version + 1))),
            )
            .await?;
            Ok(Some(*id))
        }
    }
}

impl Store {
    async fn load_team_zones(&self) -> Result<HashMap<i64, Vec<ZoneService>>, StoreError> {
        let rows = sqlx::query(
            "SELECT team_id, zone_id, from_day, until_day FROM team_zones ORDER BY team_id, zone_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<i64, Vec<ZoneService>> = HashMap::new();
        for r in &rows {
            out.entry(r.try_get("team_id")?)
                .or_default()
                .push(ZoneService {
                    zone: r.try_get("zone_id")?,
                    from: day_of(r, "from_day")?,
                    until: opt_day_of(r, "until_day")?,
                });
        }
        Ok(out)
    }

    /// Every team, by name; with `zone`, those that have served it.
    pub async fn teams(&self, zone: Option<i64>) -> Result<Vec<Team>, StoreError> {
        let mut zones = self.load_team_zones().await?;
        let rows = sqlx::query("SELECT id, name, credit_code, actor_id, contact_person, phone, business_types, contract_start, contract_end, terms, version FROM teams ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let code: String = r.try_get("credit_code")?;
            let types: String = r.try_get("business_types")?;
            out.push(Team {
                id,
                name: r.try_get("name")?,
                credit_code: if code.is_empty() {
                    None
                } else {
                    Some(
                        gongfu_core::work::actor::CreditCode::parse(&code)
                            .map_err(|e| corrupt("统一社会信用代码", e))?,
                    )
                },
                contact_person: r.try_get("contact_person")?,
                phone: r.try_get("phone")?,
                business_types: BusinessType::parse_list(&types).map_err(|e| corrupt("业态", e))?,
                contract_start: day_of(r, "contract_start")?,
                contract_end: day_of(r, "contract_end")?,
                terms: r.try_get("terms")?,
                actor: r.try_get("actor_id")?,
                zones: zones.remove(&id).unwrap_or_default(),
                version: r.try_get("version")?,
            });
        }
        Ok(out
            .into_iter()
            .filter(|t| zone.is_none_or(|z| t.has_served(z)))
            .collect())
    }

    pub async fn team(&self, id: i64) -> Result<Option<Team>, StoreError> {
        Ok(self.teams(None).await?.into_iter().find(|t| t.id == id))
    }

    async fn check_team(
        &self,
        snap: &Snapshot,
        spec: &TeamSpec,
        except: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut errors = Vec::new();
        if let Some(a) = spec.actor
            && self.actor(a).await?.is_none()
        {
            errors.push(DomainError::new(
                "unknown_actor",
                "actor",
                format!("主体 {a} 不在主体名录中"),
            ));
        }
        for (i, z) in spec.zones.iter().enumerate() {
            if snap.zone(ZoneId(z.zone)).is_none() {
                errors.push(DomainError::new(
                    "unknown_zone",
                    format!("zones[{i}].zone"),
                    format!("片区 {} 不存在", z.zone),
                ));
            }
        }
        let others = self.teams(None).await?;
        if let Some(o) = others
            .iter()
            .find(|t| t.name == spec.name && Some(t.id) != except)
        {
            errors.push(DomainError::new(
                "duplicate",
                "name",
                format!("运营团队「{}」已登记（编号 {}）", o.name, o.id),
            ));
        }
        if let Some(code) = &spec.credit_code
            && let Some(o) = others
                .iter()
                .find(|t| t.credit_code.as_ref() == Some(code) && Some(t.id) != except)
        {
            errors.push(DomainError::new(
                "duplicate",
                "credit_code",
                format!("统一社会信用代码 {code} 已登记为「{}」", o.name),
            ));
        }
        crate::error::all_valid(errors)
    }

    async fn write_team_zones(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: i64,
        zones: &[ZoneService],
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM team_zones WHERE team_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for z in zones {
            sqlx::query(
                "INSERT INTO team_zones (team_id, zone_id, from_day, until_day) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(z.zone)
            .bind(date_string(z.from))
            .bind(opt_day_text(z.until))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// 登记运营团队 (district administrator).
    pub async fn create_team(&self, actor: &Actor, spec: &TeamSpec) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "运营团队")?;
        self.check_team(&snap, spec, None).await?;
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "teams").await?;
        sqlx::query("INSERT INTO teams (id, name, credit_code, actor_id, contact_person, phone, business_types, contract_start, contract_end, terms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(id)
            .bind(&spec.name)
            .bind(spec.credit_code.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default())
            .bind(spec.actor)
            .bind(&spec.contact_person)
            .bind(&spec.phone)
            .bind(types_text(&spec.business_types))
            .bind(date_string(spec.contract_start))
            .bind(date_string(spec.contract_end))
            .bind(&spec.terms)
            .execute(&mut *tx)
            .await?;
        Self::write_team_zones(&mut tx, id, &spec.zones).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "team",
            &id.to_string(),
            None,
            Some(team_json(id, spec, 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits a team: contract, contacts, business types and the zones served.
    pub async fn update_team(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &TeamSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_admin(actor, "运营团队")?;
        let current = self
            .team(id)
            .await?
            .ok_or_else(|| not_found(format!("运营团队 {id}")))?;
        if current.version != expected_version {
            return Err(conflict(
                format!("运营团队「{}」", current.name),
                current.version,
            ));
        }
        self.check_team(&snap, spec, Some(id)).await?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE teams SET name = $1, credit_code = $2, actor_id = $3, contact_person = $4, phone = $5, business_types = $6, contract_start = $7, contract_end = $8, terms = $9, version = version + 1 WHERE id = $10 AND version = $11")
            .bind(&spec.name)
            .bind(spec.credit_code.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default())
            .bind(spec.actor)
            .bind(&spec.contact_person)
            .bind(&spec.phone)
            .bind(types_text(&spec.business_types))
            .bind(date_string(spec.contract_start))
            .bind(date_string(spec.contract_end))
            .bind(&spec.terms)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done != 1 {
            return Err(conflict(
                format!("运营团队「{}」", current.name),
                current.version,
            ));
        }
        Self::write_team_zones(&mut tx, id, &spec.zones).await?;
        let before = TeamSpec {
            name: current.name.clone(),
            credit_code: current.credit_code.clone(),
            contact_person: current.contact_person.clone(),
            phone: current.phone.clone(),
            business_types: current.business_types.clone(),
            contract_start: current.contract_start,
            contract_end: current.contract_end,
            terms: current.terms.clone(),
            actor: current.actor,
            zones: current.zones.clone(),
        };
        audit(
            &mut tx,
            actor,
            "update",
            "team",
            &id.to_string(),
            Some(team_json(id, &before, current.version)),
            Some(team_json(id, spec, expected_version + 1)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// KPI records with their ids, by team, zone and year; `team` narrows to one team.
    pub async fn team_kpis(&self, team: Option<i64>) -> Result<Vec<(i64, Kpi)>, StoreError> {
        let rows = sqlx::query("SELECT id, team_id, zone_id, year, revenue_fen, visitors, events, jobs, collective_income_fen, version FROM team_kpis ORDER BY team_id, year, zone_id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let t: i64 = r.try_get("team_id")?;
            if team.is_some_and(|x| x != t) {
                continue;
            }
            out.push((
                r.try_get("id")?,
                Kpi {
                    team: t,
                    zone: r.try_get("zone_id")?,
                    year: DataYear::new(r.try_get("year")?).map_err(|e| corrupt("年份", e))?,
                    revenue: Fen(r.try_get("revenue_fen")?),
                    visitors: r.try_get("visitors")?,
                    events: r.try_get("events")?,
                    jobs: r.try_get("jobs")?,
                    collective_income: Fen(r.try_get("collective_income_fen")?),
                    version: r.try_get("version")?,
                },
            ));
        }
        Ok(out)
    }

    /// Enters a team's figures for a zone and year: `version` `None` (or 0) creates them, and
    /// is refused if someone entered them meanwhile; otherwise it must be the current version.
    /// Returns the record's id.
    pub async fn put_kpi(
        &self,
        actor: &Actor,
        team: i64,
        zone: i64,
        year: DataYear,
        version: Option<i64>,
        spec: &KpiSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let t = self
            .team(team)
            .await?
            .ok_or_else(|| not_found(format!("运营团队 {team}")))?;
        require_zone_figures(actor, &snap, zone)?;
        let zone_name = snap
            .zone(ZoneId(zone))
            .map(|z| z.name.clone())
            .unwrap_or_default();
        if !t.has_served(zone) {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "zone_not_served",
                "zone",
                format!("片区「{zone_name}」不是「{}」的服务片区", t.name),
            )]));
        }
        if year.get() > today().year() {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "future_year",
                "year",
                format!("{} 年尚未到来，不能填报绩效", year.get()),
            )]));
        }
        let current = self
            .team_kpis(Some(team))
            .await?
            .into_iter()
            .find(|(_, k)| k.zone == zone && k.year == year);
        let what = format!("「{}」{}年在「{zone_name}」的绩效", t.name, year.get());
        let version = version.filter(|v| *v > 0);
        match (&current, version) {
            (None, None) => {}
            (Some((_, k)), Some(v)) if k.version == v => {}
            (Some((_, k)), _) => return Err(conflict(what, k.version)),
            (None, Some(_)) => return Err(conflict(what, 0)),
        }
        let mut tx = self.pool.begin().await?;
        let id = write_kpi(&mut tx, actor, team, zone, year, current.as_ref(), spec)
            .await?
            .ok_or_else(|| conflict(what, current.as_ref().map_or(0, |c| c.1.version)))?;
        tx.commit().await?;
        Ok(id)
    }

    /// 运营绩效导入: every row is checked first — the team and zone exist by name, the team has
    /// served the zone, the actor may enter the zone's figures, the year has come, and the
    /// 版本 is that of the record now (a year not entered yet has none) — and every problem is
    /// reported at once. Only with no problem, and when asked to apply, are the rows written
    /// in one transaction (one audit line per record written); rows equal to the database are
    /// left alone.
    pub async fn import_team_kpis(
        &self,
        actor: &Actor,
        rows: &[KpiImportRow],
        apply: bool,
    ) -> Result<WorkImportReport, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let teams = self.teams(None).await?;
        let kpis = self.team_kpis(None).await?;
        let this_year = today().year();
        let mut report = WorkImportReport::for_rows(rows.len());
        let mut err = |row: usize, column: &str, value: &str, reason: String| {
            report
                .errors
                .push(ImportRowError::new(row, column, value, reason))
        };
        // (row index, team, zone, year, the record now)
        let mut plan: Vec<PlannedKpi> = Vec::new();
        let mut unchanged = 0;
        for (i, r) in rows.iter().enumerate() {
            let team = teams.iter().find(|t| t.name == r.team.trim());
            let zone = snap.zones.iter().find(|z| z.name == r.zone.trim());
            if team.is_none() {
                err(
                    r.row,
                    col::TEAM,
                    &r.team,
                    format!(
                        "运营团队「{}」未登记：请先在平台登记团队，或核对名称",
                        r.team
                    ),
                );
            }
            if zone.is_none() {
                err(
                    r.row,
                    col::ZONE,
                    &r.zone,
                    format!("片区「{}」不存在：请核对片区名称", r.zone),
                );
            }
            let (Some(team), Some(zone)) = (team, zone) else {
                continue;
            };
            let zone = zone.id.0;
            if !team.has_served(zone) {
                err(
                    r.row,
                    col::ZONE,
                    &r.zone,
                    format!("片区「{}」不是「{}」的服务片区", r.zone, team.name),
                );
                continue;
            }
            if require_zone_figures(actor, &snap, zone).is_err() {
                err(
                    r.row,
                    col::ZONE,
                    &r.zone,
                    "您无权填报该片区的运营绩效（只能填报本镇街内的片区）".into(),
                );
                continue;
            }
            if r.year.get() > this_year {
                err(
                    r.row,
                    col::YEAR,
                    &r.year.get().to_string(),
                    format!("{} 年尚未到来，不能填报绩效", r.year.get()),
                );
                continue;
            }
            let current = kpis
                .iter()
                .find(|(_, k)| k.team == team.id && k.zone == zone && k.year == r.year)
                .cloned();
            match (&current, r.version) {
                (None, None) => {}
                (Some((_, k)), Some(v)) if k.version == v => {}
                (Some((_, k)), None) => {
                    err(
                        r.row,
                        col::VERSION,
                        "",
                        format!(
                            "该团队该片区 {} 年的绩效已填报（版本 {}）：修改请先导出最新数据，保留其中的版本再改",
                            r.year.get(),
                            k.version
                        ),
                    );
                    continue;
                }
                (Some((_, k)), Some(v)) => {
                    err(
                        r.row,
                        col::VERSION,
                        &v.to_string(),
                        format!(
                            "该记录已被他人修改（现为版本 {}）：请重新导出最新数据后再改，以免覆盖他人的修改",
                            k.version
                        ),
                    );
                    continue;
                }
                (None, Some(v)) => {
                    err(
                        r.row,
                        col::VERSION,
                        &v.to_string(),
                        "该年度绩效尚未填报，新填的行请不要填写版本".into(),
                    );
                    continue;
                }
            }
            if rows[..i].iter().any(|o| {
                o.team.trim() == r.team.trim() && o.zone.trim() == r.zone.trim() && o.year == r.year
            }) {
                err(
                    r.row,
                    col::YEAR,
                    &r.year.get().to_string(),
                    "同一团队、片区、年份在文件中出现了不止一次：每年只能填一行".into(),
                );
                continue;
            }
            let same = current.as_ref().is_some_and(|(_, k)| {
                k.revenue == r.spec.revenue
                    && k.visitors == r.spec.visitors
                    && k.events == r.spec.events
                    && k.jobs == r.spec.jobs
                    && k.collective_income == r.spec.collective_income
            });
            if same {
                unchanged += 1;
                continue;
            }
            plan.push((i, team.id, zone, r.year, current));
        }
        report.unchanged = unchanged;
        report.created = plan.iter().filter(|p| p.4.is_none()).count();
        report.updated = plan.len() - report.created;
        report.errors.sort_by_key(|e| e.row);
        report.ok = report.errors.is_empty();
        if !report.ok || !apply {
            return Ok(report);
        }
        let mut tx = self.pool.begin().await?;
        for (i, team, zone, year, current) in &plan {
            let r = &rows[*i];
            if write_kpi(
                &mut tx,
                actor,
                *team,
                *zone,
                *year,
                current.as_ref(),
                &r.spec,
            )
            .await?
            .is_none()
            {
                return Err(conflict(
                    format!("第 {} 行的运营绩效", r.row),
                    current.as_ref().map_or(0, |c| c.1.version),
                ));
            }
        }
        tx.commit().await?;
        report.applied = true;
        Ok(report)
    }

    /// A zone's operation plan, if one was written.
    pub async fn operation_plan(&self, zone: i64) -> Result<Option<PlanRecord>, StoreError> {
        let Some(r) = sqlx::query("SELECT zone_id, theme, market_analysis, product_design, promotion, ip_name, logo_name, logo_type, logo_size, logo_sha256, updated_by, updated_at, version FROM zone_operation_plans WHERE zone_id = $1")
            .bind(zone)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let logo_name: Option<String> = r.try_get("logo_name")?;
        let logo = match logo_name {
            Some(file_name) => Some(LogoMeta {
                file_name,
                content_type: r
                    .try_get::<Option<String>, _>("logo_type")?
                    .unwrap_or_default(),
                size_bytes: r
                    .try_get::<Option<i64>, _>("logo_size")?
                    .unwrap_or_default(),
                sha256: r
                    .try_get::<Option<String>, _>("logo_sha256")?
                    .unwrap_or_default(),
            }),
            None => None,
        };
        Ok(Some(PlanRecord {
            zone: r.try_get("zone_id")?,
            plan: OperationPlan {
                theme: r.try_get("theme")?,
                market_analysis: r.try_get("market_analysis")?,
                product_design: r.try_get("product_design")?,
                promotion: r.try_get("promotion")?,
                ip_name: r.try_get("ip_name")?,
            },
            logo,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
            version: r.try_get("version")?,
        }))
    }

    /// Every zone's IP name (for lists), by zone id.
    pub async fn zone_ip_names(&self) -> Result<HashMap<i64, String>, StoreError> {
        let rows = sqlx::query("SELECT zone_id, ip_name FROM zone_operation_plans")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("zone_id")?, r.try_get("ip_name")?)))
            .collect()
    }

    /// The zone's logo: its stored name, content type and bytes, checked against the digest.
    pub async fn operation_logo(
        &self,
        zone: i64,
    ) -> Result<Option<(LogoMeta, Vec<u8>)>, StoreError> {
        let Some(rec) = self.operation_plan(zone).await? else {
            return Ok(None);
        };
        let Some(meta) = rec.logo else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT logo_b64 FROM zone_operation_plans WHERE zone_id = $1")
            .bind(zone)
            .fetch_one(&self.pool)
            .await?;
        let b64: Option<String> = row.try_get("logo_b64")?;
        let bytes = STANDARD
            .decode(b64.unwrap_or_default())
            .map_err(|_| StoreError::Refused(format!("片区 {zone} 的标识图片已损坏")))?;
        if hex(&Sha256::digest(&bytes)) != meta.sha256 {
            return Err(StoreError::Refused(format!(
                "片区 {zone} 的标识图片与登记的校验值不符"
            )));
        }
        Ok(Some((meta, bytes)))
    }

    /// Writes a zone's operation plan: `version` `None` (or 0) for the first, else the current
    /// version. The logo is kept, removed or replaced as asked.
    pub async fn put_operation_plan(
        &self,
        actor: &Actor,
        zone: i64,
        version: Option<i64>,
        plan: &OperationPlan,
        logo: &LogoChange,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_zone_figures(actor, &snap, zone)?;
        let zone_name = snap
            .zone(ZoneId(zone))
            .map(|z| z.name.clone())
            .unwrap_or_default();
        let what = format!("「{zone_name}」的运营方案");
        let checked = match logo {
            LogoChange::Set(name, bytes) => Some((check_logo(name, bytes)?, bytes)),
            _ => None,
        };
        let current = self.operation_plan(zone).await?;
        let version = version.filter(|v| *v > 0);
        match (&current, version) {
            (None, None) => {}
            (Some(c), Some(v)) if c.version == v => {}
            (Some(c), _) => return Err(conflict(what, c.version)),
            (None, Some(_)) => return Err(conflict(what, 0)),
        }
        let new_meta = match (&checked, logo) {
            (Some((c, bytes)), _) => Some(LogoMeta {
                file_name: c.name.clone(),
                content_type: c.kind.content_type().into(),
                size_bytes: bytes.len() as i64,
                sha256: hex(&Sha256::digest(bytes)),
            }),
            (None, LogoChange::Keep) => current.as_ref().and_then(|c| c.logo.clone()),
            _ => None,
        };
        let mut tx = self.pool.begin().await?;
        let now = now_string();
        let next_version = current.as_ref().map_or(1, |c| c.version + 1);
        if current.is_none() {
            sqlx::query("INSERT INTO zone_operation_plans (zone_id, theme, market_analysis, product_design, promotion, ip_name, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(zone)
                .bind(&plan.theme)
                .bind(&plan.market_analysis)
                .bind(&plan.product_design)
                .bind(&plan.promotion)
                .bind(&plan.ip_name)
                .bind(&actor.name)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
        } else {
            let done = sqlx::query("UPDATE zone_operation_plans SET theme = $1, market_analysis = $2, product_design = $3, promotion = $4, ip_name = $5, updated_by = $6, updated_at = $7, version = version + 1 WHERE zone_id = $8 AND version = $9")
                .bind(&plan.theme)
                .bind(&plan.market_analysis)
                .bind(&plan.product_design)
                .bind(&plan.promotion)
                .bind(&plan.ip_name)
                .bind(&actor.name)
                .bind(&now)
                .bind(zone)
                .bind(version.unwrap_or_default())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done != 1 {
                return Err(conflict(what, current.as_ref().map_or(0, |c| c.version)));
            }
        }
        match (&checked, &new_meta) {
            (Some((_, bytes)), Some(m)) => {
                sqlx::query("UPDATE zone_operation_plans SET logo_name = $1, logo_type = $2, logo_size = $3, logo_sha256 = $4, logo_b64 = $5 WHERE zone_id = $6")
                    .bind(&m.file_name)
                    .bind(&m.content_type)
                    .bind(m.size_bytes)
                    .bind(&m.sha256)
                    .bind(STANDARD.encode(bytes))
                    .bind(zone)
                    .execute(&mut *tx)
                    .await?;
            }
            (_, None) => {
                sqlx::query("UPDATE zone_operation_plans SET logo_name = NULL, logo_type = NULL, logo_size = NULL, logo_sha256 = NULL, logo_b64 = NULL WHERE zone_id = $1")
                    .bind(zone)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {}
        }
        audit(
            &mut tx,
            actor,
            if current.is_none() {
                "create"
            } else {
                "update"
            },
            "operation_plan",
            &zone.to_string(),
            current
                .as_ref()
                .map(|c| plan_json(&c.plan, c.logo.as_ref(), c.version)),
            Some(plan_json(plan, new_meta.as_ref(), next_version)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A team's evaluation history, oldest year first (then in the order recorded).
    pub async fn evaluations(&self, team: Option<i64>) -> Result<Vec<Evaluation>, StoreError> {
        let rows = sqlx::query("SELECT id, team_id, year, score_tenths, grade, comment, reviewer, recorded_at FROM team_evaluations ORDER BY team_id, year, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let t: i64 = r.try_get("team_id")?;
            if team.is_some_and(|x| x != t) {
                continue;
            }
            out.push(Evaluation {
                id: r.try_get("id")?,
                team: t,
                year: DataYear::new(r.try_get("year")?).map_err(|e| corrupt("年份", e))?,
                score_tenths: r.try_get("score_tenths")?,
                grade: Grade::parse(&r.try_get::<String, _>("grade")?)
                    .map_err(|e| corrupt("考评等次", e))?,
                comment: r.try_get("comment")?,
                reviewer: r.try_get("reviewer")?,
                recorded_at: r.try_get("recorded_at")?,
            });
        }
        Ok(out)
    }

    /// Appends a yearly evaluation to a team's history (district administrator; the scoring of
    /// issue 9 appends here too).
    pub async fn add_evaluation(
        &self,
        actor: &Actor,
        team: i64,
        spec: &EvaluationSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, _snap) = self.write_turn().await?;
        require_admin(actor, "运营团队年度考评")?;
        let t = self
            .team(team)
            .await?
            .ok_or_else(|| not_found(format!("运营团队 {team}")))?;
        if spec.year.get() > today().year() {
            return Err(StoreError::Invalid(vec![DomainError::new(
                "future_year",
                "year",
                format!("{} 年尚未到来，不能考评", spec.year.get()),
            )]));
        }
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "team_evaluations").await?;
        sqlx::query("INSERT INTO team_evaluations (id, team_id, year, score_tenths, grade, comment, reviewer, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(id)
            .bind(team)
            .bind(i64::from(spec.year.get()))
            .bind(spec.score_tenths)
            .bind(spec.grade.key())
            .bind(&spec.comment)
            .bind(&spec.reviewer)
            .bind(now_string())
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor,
            "evaluate",
            "team",
            &team.to_string(),
            None,
            Some(
                json!({"evaluation": id, "team": t.name, "year": spec.year.get(),
                "score_tenths": spec.score_tenths, "grade": spec.grade.key(),
                "comment": spec.comment, "reviewer": spec.reviewer}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::demo_store;
    use crate::{Actor, StoreError};
    use gongfu_core::DataYear;
    use gongfu_core::auth::Role;
    use gongfu_core::ops::teams::{
        EvaluationDraft, KpiDraft, OperationPlan, TeamDraft, ZoneServiceDraft,
    };

    #[tokio::test]
    async fn teams_kpis_plans_and_evaluations() {
        let dir = tempfile::tempdir().unwrap();
        let store = demo_store(dir.path(), 7).await;
        let admin = Actor::system("test");
        let snap = store.snapshot().await.unwrap();
        let zone = snap.zones[0].id.0;
        let spec = TeamDraft {
            name: "绍兴柯桥某文旅运营有限公司".into(),
            business_types: "文旅融合、电商".into(),
            contract_start: "2024-01-01".into(),
            contract_end: "2026-12-31".into(),
            zones: vec![ZoneServiceDraft {
                zone,
                ..Default::default()
            }],
            ..Default::default()
        }
        .parse()
        .unwrap();
        let id = store.create_team(&admin, &spec).await.unwrap();
        assert!(matches!(
            store.create_team(&admin, &spec).await,
            Err(StoreError::Invalid(_))
        ));
        let t = store.team(id).await.unwrap().unwrap();
        assert_eq!(t.zones.len(), 1);
        assert_eq!(store.teams(Some(zone)).await.unwrap().len(), 1);
        let k = KpiDraft {
            revenue: "1000".into(),
            visitors: "20".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let y = DataYear::new(2025).unwrap();
        let kid = store.put_kpi(&admin, id, zone, y, None, &k).await.unwrap();
        assert!(matches!(
            store.put_kpi(&admin, id, zone, y, None, &k).await,
            Err(StoreError::Conflict { current: 1, .. })
        ));
        assert_eq!(
            store
                .put_kpi(&admin, id, zone, y, Some(1), &k)
                .await
                .unwrap(),
            kid
        );
        let village = Actor {
            role: Role::Village {
                village: snap.zones[0].key_village.clone(),
            },
            ..Actor::system("村")
        };
        assert!(matches!(
            store.put_kpi(&village, id, zone, y, Some(2), &k).await,
            Err(StoreError::Forbidden(_))
        ));
        let figs = store.indicator_figures(zone, 2025).await.unwrap();
        let rev = figs
            .iter()
            .find(|f| f.indicator.key() == "team_revenue")
            .unwrap();
        assert_eq!(rev.value, 100_000);
        assert_eq!(rev.sources[0].id, kid);
        let plan = OperationPlan {
            ip_name: "兰香小筑".into(),
            ..Default::default()
        };
        let png = b"\x89PNG\r\n\x1a\nxyz".to_vec();
        store
            .put_operation_plan(
                &admin,
                zone,
                None,
                &plan,
                &super::LogoChange::Set("ip.png".into(), png.clone()),
            )
            .await
            .unwrap();
        let (meta, bytes) = store.operation_logo(zone).await.unwrap().unwrap();
        assert_eq!((meta.content_type.as_str(), bytes), ("image/png", png));
        store
            .put_operation_plan(&admin, zone, Some(1), &plan, &super::LogoChange::Keep)
            .await
            .unwrap();
        assert!(store.operation_logo(zone).await.unwrap().is_some());
        assert!(matches!(
            store
                .put_operation_plan(&admin, zone, Some(1), &plan, &super::LogoChange::Keep)
                .await,
            Err(StoreError::Conflict { current: 2, .. })
        ));
        let e = EvaluationDraft {
            year: "2025".into(),
            score: "88.5".into(),
            reviewer: "区农业农村局".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        store.add_evaluation(&admin, id, &e).await.unwrap();
        let h = store.evaluations(Some(id)).await.unwrap();
        assert_eq!((h[0].score_tenths, h[0].grade.label()), (885, "良好"));
    }
}
