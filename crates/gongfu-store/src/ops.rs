//! Operations, chains and talent (issue 7) in the database: common-prosperity elements so
//! far, and the named indicator figures of a zone and year assembled from the records
//! (`gongfu_core::ops::indicators` computes them). Elements are read from the database, not
//! the snapshot, like zone work; writes take the writer's turn, check scope, write one
//! transaction with one audit line, and refuse a stale version.
//!
//! Who may write an element: a district administrator, or the town (镇街) of its village.

use crate::db::Store;
use crate::service::{audit, next_id, today};
use crate::snapshot::Snapshot;
use crate::work::{conflict, corrupt, not_found, opt_day_of, opt_day_text};
use crate::{Actor, StoreError};
use gongfu_core::ops::elements::{Element, ElementSpec, ElementType, check_element_point};
use gongfu_core::ops::indicators::{
    ChainPlaces, EntityYear, Figure, Records, VillageDividend, figures,
};
use gongfu_core::ops::talent::{Entrepreneur, Support, Training};
use gongfu_core::ops::teams::Kpi;
use gongfu_core::village::date_string;
use gongfu_core::{DomainError, Fen, VillageCode, ZoneId};
use serde_json::json;
use sqlx::Row;
use time::{Date, Month};

/// Which elements a list asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct ElementFilter {
    pub kind: Option<ElementType>,
    /// Elements in the villages that are members of this zone on the day asked.
    pub zone: Option<i64>,
    pub village: Option<VillageCode>,
    /// Open on the day asked (not closed).
    pub open_only: bool,
}

pub(crate) fn require_element_scope<'a>(
    actor: &Actor,
    villages: impl IntoIterator<Item = &'a VillageCode>,
) -> Result<(), StoreError> {
    crate::facilities::require_town_scope(
        actor,
        villages,
        "共富元素由区管理员或所在村的镇街登记（镇街用户只能管理本镇街内的）",
    )
}

fn element_json(id: i64, s: &ElementSpec, version: i64) -> serde_json::Value {
    json!({
        "id": id, "type": s.kind.key(), "name": s.name, "village": s.village.as_str(),
        "point": s.point, "opened_on": date_string(s.opened_on),
        "closed_on": s.closed_on.map(date_string), "jobs": s.jobs,
        "low_income_jobs": s.low_income_jobs, "monthly_gain_fen": s.monthly_gain.0,
        "collective_income_fen": s.collective_income.0, "operator": s.operator,
        "note": s.note, "version": version,
    })
}

/// The day a year's figures are attributed on: its last day, or today for the current year.
pub fn year_day(year: i32) -> Date {
    let now = today();
    if year >= now.year() {
        now
    } else {
        Date::from_calendar_date(year, Month::December, 31).unwrap_or(now)
    }
}

/// The zone a village belongs to at the end of `year` (or today, for the current year).
pub fn zone_in_year(snap: &Snapshot, village: &VillageCode, year: i32) -> Option<i64> {
    snap.membership_of(village, year_day(year))
        .map(|m| m.zone.0)
}

/// The spec an element was written with (its own point, if any).
pub(crate) fn spec_of(e: &Element) -> ElementSpec {
    ElementSpec {
        kind: e.kind,
        name: e.name.clone(),
        village: e.village.clone(),
        point: e.lon.zip(e.lat),
        opened_on: e.opened_on,
        closed_on: e.closed_on,
        jobs: e.jobs,
        low_income_jobs: e.low_income_jobs,
        monthly_gain: e.monthly_gain,
        collective_income: e.collective_income,
        operator: e.operator.clone(),
        note: e.note.clone(),
    }
}

/// Writes a new element and its audit line in `tx`; its id.
pub(crate) async fn insert_element(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    spec: &ElementSpec,
) -> Result<i64, StoreError> {
    let id = next_id(tx, "elements").await?;
    // A missing point is a literal NULL: `sqlx::Any` binds a `None` double as float4 on
    // PostgreSQL, which a cached statement then refuses (as for facilities).
    let sql = match spec.point {
        Some(_) => {
            "INSERT INTO elements (id, kind, name, village_code, opened_on, closed_on, jobs, low_income_jobs, monthly_gain_fen, collective_income_fen, operator, note, lon, lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        }
        None => {
            "INSERT INTO elements (id, kind, name, village_code, opened_on, closed_on, jobs, low_income_jobs, monthly_gain_fen, collective_income_fen, operator, note, lon, lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(id)
        .bind(spec.kind.key())
        .bind(&spec.name)
        .bind(spec.village.as_str())
        .bind(date_string(spec.opened_on))
        .bind(opt_day_text(spec.closed_on))
        .bind(spec.jobs)
        .bind(spec.low_income_jobs)
        .bind(spec.monthly_gain.0)
        .bind(spec.collective_income.0)
        .bind(&spec.operator)
        .bind(&spec.note);
    if let Some((lon, lat)) = spec.point {
        q = q.bind(lon).bind(lat);
    }
    q.execute(&mut **tx).await?;
    audit(
        tx,
        actor,
        "create",
        "element",
        &id.to_string(),
        None,
        Some(element_json(id, spec, 1)),
    )
    .await?;
    Ok(id)
}

/// Rewrites `current` as `spec` if it is still at `expected_version`, with its audit line;
/// false when someone changed it first.
pub(crate) async fn update_element_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor,
    current: &Element,
    expected_version: i64,
    spec: &ElementSpec,
) -> Result<bool, StoreError> {
    // As on insert: a missing point is a literal NULL, and then the version is $13.
    let (point, version_at) = match spec.point {
        Some(_) => ("lon = $13, lat = $14", "$15"),
        None => ("lon = NULL, lat = NULL", "$13"),
    };
    let sql = format!(
        "UPDATE elements SET kind = $1, name = $2, village_code = $3, opened_on = $4, closed_on = $5, jobs = $6, low_income_jobs = $7, monthly_gain_fen = $8, collective_income_fen = $9, operator = $10, note = $11, {point}, version = version + 1 WHERE id = $12 AND version = {version_at}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(spec.kind.key())
        .bind(&spec.name)
        .bind(spec.village.as_str())
        .bind(date_string(spec.opened_on))
        .bind(opt_day_text(spec.closed_on))
        .bind(spec.jobs)
        .bind(spec.low_income_jobs)
        .bind(spec.monthly_gain.0)
        .bind(spec.collective_income.0)
        .bind(&spec.operator)
        .bind(&spec.note)
        .bind(current.id);
    if let Some((lon, lat)) = spec.point {
        q = q.bind(lon).bind(lat);
    }
    let done = q
        .bind(expected_version)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if done != 1 {
        return Ok(false);
    }
    audit(
        tx,
        actor,
        "update",
        "element",
        &current.id.to_string(),
        Some(element_json(current.id, &spec_of(current), current.version)),
        Some(element_json(current.id, spec, expected_version + 1)),
    )
    .await?;
    Ok(true)
}

impl Store {
    pub(crate) async fn load_elements(&self) -> Result<Vec<Element>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, name, village_code, lon, lat, opened_on, closed_on, jobs, low_income_jobs, monthly_gain_fen, collective_income_fen, operator, note, version FROM elements ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Element {
                    id: r.try_get("id")?,
                    kind: ElementType::parse(&r.try_get::<String, _>("kind")?)
                        .map_err(|e| corrupt("共富元素类型", e))?,
                    name: r.try_get("name")?,
                    village: VillageCode::parse(&r.try_get::<String, _>("village_code")?)
                        .map_err(|e| corrupt("村代码", e))?,
                    lon: r.try_get("lon")?,
                    lat: r.try_get("lat")?,
                    opened_on: opt_day_of(r, "opened_on")?
                        .ok_or_else(|| corrupt("开业日期", "空"))?,
                    closed_on: opt_day_of(r, "closed_on")?,
                    jobs: r.try_get("jobs")?,
                    low_income_jobs: r.try_get("low_income_jobs")?,
                    monthly_gain: Fen(r.try_get("monthly_gain_fen")?),
                    collective_income: Fen(r.try_get("collective_income_fen")?),
                    operator: r.try_get("operator")?,
                    note: r.try_get("note")?,
                    version: r.try_get("version")?,
                })
            })
            .collect()
    }

    /// Elements passing `filter` on `day`, by id.
    pub async fn elements(
        &self,
        filter: &ElementFilter,
        day: Date,
    ) -> Result<Vec<Element>, StoreError> {
        let snap = self.snapshot().await?;
        Ok(self
            .load_elements()
            .await?
            .into_iter()
            .filter(|e| filter.kind.is_none_or(|k| e.kind == k))
            .filter(|e| filter.village.as_ref().is_none_or(|v| &e.village == v))
            .filter(|e| {
                filter.zone.is_none_or(|z| {
                    snap.membership_of(&e.village, day)
                        .is_some_and(|m| m.zone == ZoneId(z))
                })
            })
            .filter(|e| !filter.open_only || e.closed_on.is_none_or(|c| c > day))
            .collect())
    }

    pub async fn element(&self, id: i64) -> Result<Option<Element>, StoreError> {
        Ok(self.load_elements().await?.into_iter().find(|e| e.id == id))
    }

    pub(crate) fn check_element(snap: &Snapshot, spec: &ElementSpec) -> Result<(), StoreError> {
        let d = snap.division(&spec.village).ok_or_else(|| {
            StoreError::Invalid(vec![DomainError::new(
                "unknown_village",
                "village_code",
                format!("村代码「{}」不在名录中", spec.village),
            )])
        })?;
        check_element_point(spec, d.lon.zip(d.lat))?;
        Ok(())
    }

    /// 登记共富元素.
    pub async fn create_element(
        &self,
        actor: &Actor,
        spec: &ElementSpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_element_scope(actor, [&spec.village])?;
        Self::check_element(&snap, spec)?;
        let mut tx = self.pool.begin().await?;
        let id = insert_element(&mut tx, actor, spec).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Edits an element (closing it is giving its 停办日期).
    pub async fn update_element(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &ElementSpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = self
            .element(id)
            .await?
            .ok_or_else(|| not_found(format!("共富元素 {id}")))?;
        require_element_scope(actor, [&current.village, &spec.village])?;
        if current.version != expected_version {
            return Err(conflict(
                format!("共富元素「{}」", current.name),
                current.version,
            ));
        }
        Self::check_element(&snap, spec)?;
        let mut tx = self.pool.begin().await?;
        if !update_element_row(&mut tx, actor, &current, expected_version, spec).await? {
            return Err(conflict(
                format!("共富元素「{}」", current.name),
                current.version,
            ));
        }
        tx.commit().await?;
        Ok(())
    }
    /// Every record the indicator figures of `year` read, loaded once (指标数据源).
    pub async fn indicator_sources(&self, year: i32) -> Result<IndicatorSources, StoreError> {
        let snap = self.snapshot().await?;
        let elements: Vec<(i64, Element)> = self
            .load_elements()
            .await?
            .into_iter()
            .filter_map(|e| zone_in_year(&snap, &e.village, year).map(|z| (z, e)))
            .collect();
        let (trainings, entrepreneurs, supports) = self.talent_records().await?;
        Ok(IndicatorSources {
            year,
            elements,
            kpis: self.team_kpis(None).await?,
            trainings,
            entrepreneurs,
            supports,
            chains: self.chain_places(year).await?,
            dividends: self.village_dividends(year).await?,
            entities: self.entity_years(year).await?,
        })
    }

    /// The named indicator figures of a zone and year, from the records of elements, team
    /// KPIs, training, entrepreneurs and their support, and industry chains.
    pub async fn indicator_figures(&self, zone: i64, year: i32) -> Result<Vec<Figure>, StoreError> {
        Ok(self.indicator_sources(year).await?.figures(zone))
    }

    /// The figures of every zone that stood at the end of `year` (or today), by zone name:
    /// the records are read once for all of them.
    pub async fn indicator_table(&self, year: i32) -> Result<Vec<ZoneFigures>, StoreError> {
        let snap = self.snapshot().await?;
        let sources = self.indicator_sources(year).await?;
        let day = year_day(year);
        let mut zones: Vec<_> = snap.zones.iter().filter(|z| z.is_live_on(day)).collect();
        zones.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(zones
            .into_iter()
            .map(|z| ZoneFigures {
                zone: z.id.0,
                name: z.name.clone(),
                figures: sources.figures(z.id.0),
            })
            .collect())
    }
}

/// The records of one year the figures are computed from, each element with the zone its
/// village belonged to that year.
pub struct IndicatorSources {
    pub year: i32,
    pub elements: Vec<(i64, Element)>,
    pub kpis: Vec<(i64, Kpi)>,
    pub trainings: Vec<Training>,
    pub entrepreneurs: Vec<Entrepreneur>,
    pub supports: Vec<Support>,
    pub chains: Vec<ChainPlaces>,
    pub dividends: Vec<VillageDividend>,
    pub entities: Vec<EntityYear>,
}

impl IndicatorSources {
    /// Every figure of `zone`, in [`gongfu_core::ops::indicators::Indicator::ALL`] order.
    pub fn figures(&self, zone: i64) -> Vec<Figure> {
        figures(
            zone,
            self.year,
            &Records {
                elements: &self.elements,
                kpis: &self.kpis,
                trainings: &self.trainings,
                entrepreneurs: &self.entrepreneurs,
                supports: &self.supports,
                chains: &self.chains,
                dividends: &self.dividends,
                entities: &self.entities,
            },
        )
    }
}

/// One zone's row of the indicator table.
#[derive(Debug, Clone)]
pub struct ZoneFigures {
    pub zone: i64,
    pub name: String,
    pub figures: Vec<Figure>,
}
