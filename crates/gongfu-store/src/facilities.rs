//! Shared facilities (设施共通): the facilities registry, each village's infrastructure
//! checklist (一片一标准), the reads that filter and summarise them, and service coverage
//! assembled from the snapshot (the computation itself is `gongfu_core::facilities`).
//!
//! Who may write: a district administrator anywhere; a town user (镇街) for facilities in its
//! own town's villages; infrastructure records also a village user (村) for its own village.
//! Everyone else is refused. Every write runs through the usual path: the writer's turn,
//! validation against the snapshot, one transaction, one audit line, `finish`.

use crate::db::Store;
use crate::service::{audit, next_id, require_village_scope, today};
use crate::snapshot::{Snapshot, Touched};
use crate::{Actor, StoreError};
use gongfu_core::auth::may_edit_zone;
use gongfu_core::facilities::{
    ChecklistItem, Compliance, CoverageResult, Demand, DemandPoint, Facility, FacilitySpec,
    FacilityStatus, FacilityType, InfraItem, InfraRecord, Reach, check_near_village,
    infra_checklist, parse_gap, service_coverage, share_bp,
};
use gongfu_core::village::DivisionKind;
use gongfu_core::{DataYear, DomainError, TownCode, VillageCode, ZoneId};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use time::Date;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Refused(format!("数据库中的{what}无效：{e}"))
}

/// Every facility, by id.
pub(crate) async fn load_facilities(conn: &mut AnyConnection) -> Result<Vec<Facility>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, name, village_code, lon, lat, capacity, status, opening_year, upkeep_unit, note, version FROM facilities ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Facility {
            id: r.try_get("id")?,
            kind: FacilityType::parse(&r.try_get::<String, _>("kind")?)
                .map_err(|e| corrupt("设施类型", e))?,
            name: r.try_get("name")?,
            village: VillageCode::parse(&r.try_get::<String, _>("village_code")?)
                .map_err(|e| corrupt("村代码", e))?,
            lon: r.try_get("lon")?,
            lat: r.try_get("lat")?,
            capacity: r.try_get("capacity")?,
            status: FacilityStatus::parse(&r.try_get::<String, _>("status")?)
                .map_err(|e| corrupt("设施状态", e))?,
            opening_year: r
                .try_get::<Option<i64>, _>("opening_year")?
                .map(DataYear::new)
                .transpose()
                .map_err(|e| corrupt("开办年份", e))?,
            upkeep_unit: r.try_get("upkeep_unit")?,
            note: r.try_get("note")?,
            version: r.try_get("version")?,
        });
    }
    Ok(out)
}

/// Infrastructure records of every village, or of `only`, each village's in item order.
pub(crate) async fn load_infra(
    conn: &mut AnyConnection,
    only: Option<&VillageCode>,
) -> Result<HashMap<VillageCode, Vec<InfraRecord>>, StoreError> {
    let rows = match only {
        None => {
            sqlx::query("SELECT village_code, item, status, gap, version FROM village_infra")
                .fetch_all(&mut *conn)
                .await?
        }
        Some(code) => {
            sqlx::query(
                "SELECT village_code, item, status, gap, version FROM village_infra WHERE village_code = $1",
            )
            .bind(code.as_str())
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut out: HashMap<VillageCode, Vec<InfraRecord>> = HashMap::new();
    for r in rows {
        let code = VillageCode::parse(&r.try_get::<String, _>("village_code")?)
            .map_err(|e| corrupt("村代码", e))?;
        out.entry(code).or_default().push(InfraRecord {
            item: InfraItem::parse(&r.try_get::<String, _>("item")?)
                .map_err(|e| corrupt("基础设施项目", e))?,
            status: Compliance::parse(&r.try_get::<String, _>("status")?)
                .map_err(|e| corrupt("达标情况", e))?,
            gap: r.try_get("gap")?,
            version: r.try_get("version")?,
        });
    }
    for records in out.values_mut() {
        records.sort_by_key(|r| r.item);
    }
    Ok(out)
}

/// Which facilities a list asks for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct FacilityFilter {
    pub kind: Option<FacilityType>,
    pub status: Option<FacilityStatus>,
    pub town: Option<TownCode>,
    /// Facilities in the villages that are members of this zone on the day asked.
    pub zone: Option<ZoneId>,
    pub village: Option<VillageCode>,
}

/// One zone's share of a service coverage answer.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneServiceCoverage {
    pub zone: ZoneId,
    pub name: String,
    pub covered_weight: i64,
    pub total_weight: i64,
    pub share_bp: i64,
    /// Member villages beyond reach, in the district answer's order (farthest first).
    pub uncovered: Vec<VillageCode>,
}

/// Service coverage for one facility type, assembled from the snapshot.
#[derive(Debug, Clone)]
pub struct ServiceCoverage {
    pub kind: FacilityType,
    pub demand: Demand,
    pub reach: Reach,
    /// Planned and building facilities counted as if open.
    pub include_pipeline: bool,
    /// The data year whose population was used (villages without it use their newest).
    pub year: Option<i32>,
    /// Facilities counted, ids in the order of `result.points[..].nearest_site`.
    pub sites: Vec<i64>,
    /// Facilities of the type that count but have no point (neither their own nor their
    /// village's), so they cannot be placed.
    pub unplaced: Vec<i64>,
    /// The demand points, one per village counted, by code.
    pub demand_points: Vec<DemandPoint>,
    /// Villages without a location: left out of the count.
    pub unlocated: Vec<VillageCode>,
    pub result: CoverageResult,
    /// Every zone live on the day, by id.
    pub zones: Vec<ZoneServiceCoverage>,
}

impl ServiceCoverage {
    /// The assumptions behind the numbers, in Chinese, to show next to them.
    pub fn method(&self) -> String {
        let sites = if self.include_pipeline {
            format!(
                "计入「{}」类中运行、在建和规划的设施（假定在建、规划设施已建成运行）",
                self.kind.label()
            )
        } else {
            format!("只计入「{}」类中运行的设施", self.kind.label())
        };
        let year = match self.year {
            Some(y) => format!("人口取 {y} 年户籍人口"),
            None => "暂无人口数据".to_string(),
        };
        format!(
            "{}。{}；{}，{}。设施未填坐标时取所在村的位置。",
            self.reach.explain(),
            sites,
            self.demand.explain(),
            year
        )
    }

    /// Covered weight, total weight and share over the demand points whose village passes
    /// `pick`.
    pub fn summary_of(&self, pick: impl Fn(&VillageCode) -> bool) -> (i64, i64, i64) {
        let (mut covered, mut total) = (0, 0);
        for (d, p) in self.demand_points.iter().zip(&self.result.points) {
            if pick(&d.village) {
                total += d.weight;
                if p.covered {
                    covered += d.weight;
                }
            }
        }
        (covered, total, share_bp(covered, total))
    }
}

impl Snapshot {
    /// The seat of a division (村委会驻地), when known.
    pub fn village_point(&self, code: &VillageCode) -> Option<(f64, f64)> {
        let d = self.division(code)?;
        d.lon.zip(d.lat)
    }

    /// Where a facility is: its own point, else its village's.
    pub fn facility_point(&self, f: &Facility) -> Option<(f64, f64)> {
        f.lon.zip(f.lat).or_else(|| self.village_point(&f.village))
    }

    /// Facilities passing `filter`, by id.
    pub fn facilities_where(&self, filter: &FacilityFilter, day: Date) -> Vec<&Facility> {
        let members: Option<HashSet<&VillageCode>> = filter.zone.map(|z| {
            self.members(z, day)
                .into_iter()
                .map(|m| &m.village)
                .collect()
        });
        self.facilities
            .iter()
            .filter(|f| filter.kind.is_none_or(|k| f.kind == k))
            .filter(|f| filter.status.is_none_or(|s| f.status == s))
            .filter(|f| filter.town.as_ref().is_none_or(|t| f.village.town() == *t))
            .filter(|f| filter.village.as_ref().is_none_or(|v| f.village == *v))
            .filter(|f| members.as_ref().is_none_or(|m| m.contains(&f.village)))
            .collect()
    }

    /// The infrastructure checklist of a zone's members on `day` (key village first), or
    /// `None` for an unknown zone.
    pub fn zone_infra(
        &self,
        zone: ZoneId,
        day: Date,
    ) -> Option<(Vec<VillageCode>, Vec<ChecklistItem>)> {
        self.zone(zone)?;
        let villages: Vec<VillageCode> = self
            .members(zone, day)
            .iter()
            .map(|m| m.village.clone())
            .collect();
        let list = infra_checklist(&villages, |v| self.infra_of(v));
        Some((villages, list))
    }

    /// Service coverage of `kind` on `day`: demand is every village counted on that day
    /// (communities and merged villages are not), weighted by the type's demand; sites are
    /// the open facilities of the type (with `include_pipeline`, planned and building ones
    /// too).
    pub fn service_coverage(
        &self,
        kind: FacilityType,
        reach: Reach,
        day: Date,
        include_pipeline: bool,
    ) -> ServiceCoverage {
        let demand = kind.demand();
        let year = self.latest_year();
        let mut demand_points = Vec::new();
        let mut unlocated = Vec::new();
        for d in &self.divisions {
            if !d.division.counts_for_coverage_on(day) {
                continue;
            }
            let code = &d.division.code;
            let Some((lon, lat)) = d.lon.zip(d.lat) else {
                unlocated.push(code.clone());
                continue;
            };
            let population = year
                .and_then(|y| self.figures(code, y))
                .or_else(|| self.years(code).last())
                .map_or(0, |f| f.population);
            demand_points.push(DemandPoint {
                village: code.clone(),
                lon,
                lat,
                weight: demand.weight(population),
            });
        }
        let mut sites = Vec::new();
        let mut points = Vec::new();
        let mut unplaced = Vec::new();
        for f in self.facilities.iter() {
            let counts = f.kind == kind
                && (f.status.serves() || (include_pipeline && f.status.is_pipeline()));
            if !counts {
                continue;
            }
            match self.facility_point(f) {
                Some(p) => {
                    sites.push(f.id);
                    points.push(p);
                }
                None => unplaced.push(f.id),
            }
        }
        let result = service_coverage(&demand_points, &points, reach);
        let mut answer = ServiceCoverage {
            kind,
            demand,
            reach,
            include_pipeline,
            year,
            sites,
            unplaced,
            demand_points,
            unlocated,
            result,
            zones: Vec::new(),
        };
        let mut zones = Vec::new();
        for z in self.zones.iter().filter(|z| z.is_live_on(day)) {
            let members: HashSet<VillageCode> = self
                .members(z.id, day)
                .into_iter()
                .map(|m| m.village.clone())
                .collect();
            let (covered_weight, total_weight, share) = answer.summary_of(|v| members.contains(v));
            zones.push(ZoneServiceCoverage {
                zone: z.id,
                name: z.name.clone(),
                covered_weight,
                total_weight,
                share_bp: share,
                uncovered: answer
                    .result
                    .uncovered
                    .iter()
                    .filter(|u| members.contains(&u.village))
                    .map(|u| u.village.clone())
                    .collect(),
            });
        }
        answer.zones = zones;
        answer
    }
}

/// A row of a facilities import: a new facility, or (with the id and the version the file
/// was exported at) a change to an existing one.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityImportRow {
    /// (id, version read) of the facility this row changes; `None` for a new facility.
    pub existing: Option<(i64, i64)>,
    pub spec: FacilitySpec,
}

/// What an applied import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
}

/// Refuses, with `refusal`, unless the actor may change records in all of these villages: the
/// district administrator, or a town user for villages of its own town.
pub(crate) fn require_town_scope<'a>(
    actor: &Actor,
    villages: impl IntoIterator<Item = &'a VillageCode>,
    refusal: &str,
) -> Result<(), StoreError> {
    let towns: Vec<TownCode> = villages.into_iter().map(|v| v.town()).collect();
    if may_edit_zone(&actor.role, &towns) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(refusal.into()))
    }
}

fn require_facility_scope<'a>(
    actor: &Actor,
    villages: impl IntoIterator<Item = &'a VillageCode>,
) -> Result<(), StoreError> {
    require_town_scope(
        actor,
        villages,
        "设施由区管理员或设施所在村的镇街管理（镇街用户只能管理本镇街内的设施）",
    )
}

fn facility_json(id: i64, s: &FacilitySpec, version: i64) -> Value {
    json!({
        "id": id, "type": s.kind.key(), "name": s.name, "village": s.village.as_str(),
        "lon": s.point.map(|p| p.0), "lat": s.point.map(|p| p.1), "capacity": s.capacity,
        "status": s.status.key(), "opening_year": s.opening_year.map(|y| y.get()),
        "upkeep_unit": s.upkeep_unit, "note": s.note, "version": version,
    })
}

fn label_of(snap: &Snapshot, code: &VillageCode) -> String {
    snap.division(code)
        .map(|d| d.division.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// Checks a facility against the registry: its village exists and still does, its point lies
/// near the village, and no other facility of the same type and name sits in that village.
/// `this` is the facility being changed (left out of the duplicate check); errors name
/// `prefix` + field.
fn check_spec(
    snap: &Snapshot,
    spec: &FacilitySpec,
    this: Option<i64>,
    prefix: &str,
) -> Vec<DomainError> {
    let mut errors = Vec::new();
    let field = |f: &str| format!("{prefix}{f}");
    match snap.division(&spec.village) {
        None => errors.push(DomainError::new(
            "unknown_village",
            field("village_code"),
            format!("村代码「{}」不在区划名录中", spec.village),
        )),
        Some(d) if !d.division.status.is_active_on(today()) => errors.push(DomainError::new(
            "inactive_village",
            field("village_code"),
            format!(
                "「{}」{}，请填写设施现在所在的村",
                d.division.name,
                d.division.status.label()
            ),
        )),
        Some(d) => {
            if let (Some(p), Some(v)) = (spec.point, d.lon.zip(d.lat))
                && let Err(mut e) = check_near_village(p, v, &d.division.name)
            {
                e.field = field("lon");
                errors.push(e);
            }
        }
    }
    if let Some(other) = snap.facilities.iter().find(|f| {
        Some(f.id) != this
            && f.kind == spec.kind
            && f.name == spec.name
            && f.village == spec.village
    }) {
        errors.push(DomainError::new(
            "duplicate_facility",
            field("name"),
            format!(
                "「{}」已有同名的{}「{}」（编号 {}），请勿重复登记",
                label_of(snap, &spec.village),
                spec.kind.label(),
                spec.name,
                other.id
            ),
        ));
    }
    errors
}

async fn insert_facility(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    s: &FacilitySpec,
) -> Result<(), StoreError> {
    // A missing point is written as a literal NULL rather than a bound None: `sqlx::Any`
    // sends a None DOUBLE PRECISION to PostgreSQL typed as float4, which a cached statement
    // then refuses for a real float8 (and the other way round).
    let sql = match s.point {
        Some(_) => {
            "INSERT INTO facilities (id, kind, name, village_code, capacity, status, opening_year, upkeep_unit, note, version, lon, lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)"
        }
        None => {
            "INSERT INTO facilities (id, kind, name, village_code, capacity, status, opening_year, upkeep_unit, note, version, lon, lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, NULL, NULL)"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(id)
        .bind(s.kind.key())
        .bind(&s.name)
        .bind(s.village.as_str())
        .bind(s.capacity)
        .bind(s.status.key())
        .bind(s.opening_year.map(|y| y.get() as i64))
        .bind(&s.upkeep_unit)
        .bind(&s.note);
    if let Some((lon, lat)) = s.point {
        q = q.bind(lon).bind(lat);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Writes `s` over facility `id` if it is still at `expected_version`; whether it was.
async fn update_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    expected_version: i64,
    s: &FacilitySpec,
) -> Result<bool, StoreError> {
    // NULL as a literal for a missing point, as in `insert_facility`.
    let sql = match s.point {
        Some(_) => {
            "UPDATE facilities SET kind = $1, name = $2, village_code = $3, capacity = $4, status = $5, opening_year = $6, upkeep_unit = $7, note = $8, version = version + 1, lon = $11, lat = $12 WHERE id = $9 AND version = $10"
        }
        None => {
            "UPDATE facilities SET kind = $1, name = $2, village_code = $3, capacity = $4, status = $5, opening_year = $6, upkeep_unit = $7, note = $8, version = version + 1, lon = NULL, lat = NULL WHERE id = $9 AND version = $10"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(s.kind.key())
        .bind(&s.name)
        .bind(s.village.as_str())
        .bind(s.capacity)
        .bind(s.status.key())
        .bind(s.opening_year.map(|y| y.get() as i64))
        .bind(&s.upkeep_unit)
        .bind(&s.note)
        .bind(id)
        .bind(expected_version);
    if let Some((lon, lat)) = s.point {
        q = q.bind(lon).bind(lat);
    }
    let res = q.execute(&mut **tx).await?;
    Ok(res.rows_affected() == 1)
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: format!("设施 {id}"),
    }
}

fn conflict(f: &Facility) -> StoreError {
    StoreError::Conflict {
        what: format!("设施「{}」", f.name),
        current: f.version,
    }
}

impl Store {
    /// 登记设施: adds a facility; returns its id.
    pub async fn create_facility(
        &self,
        actor: &Actor,
        spec: &FacilitySpec,
    ) -> Result<i64, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_facility_scope(actor, [&spec.village])?;
        let errors = check_spec(&snap, spec, None, "");
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        let id = next_id(&mut tx, "facilities").await?;
        insert_facility(&mut tx, id, spec).await?;
        audit(
            &mut tx,
            actor,
            "create",
            "facility",
            &id.to_string(),
            None,
            Some(facility_json(id, spec, 1)),
        )
        .await?;
        self.finish(tx, &snap, Touched::facilities()).await?;
        Ok(id)
    }

    /// 编辑设施: replaces a facility's facts. `expected_version` is the version the user read;
    /// a status change must be an allowed move ([`FacilityStatus::can_move_to`]). Moving a
    /// facility to another village needs scope over both.
    pub async fn update_facility(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        spec: &FacilitySpec,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = snap.facility(id).ok_or_else(|| not_found(id))?;
        require_facility_scope(actor, [&current.village, &spec.village])?;
        if current.version != expected_version {
            return Err(conflict(current));
        }
        let mut errors = Vec::new();
        if spec.status != current.status
            && let Err(e) = current.status.check_move(spec.status, &current.name)
        {
            errors.push(e);
        }
        errors.extend(check_spec(&snap, spec, Some(id), ""));
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        if !update_row(&mut tx, id, expected_version, spec).await? {
            return Err(conflict(current));
        }
        audit(
            &mut tx,
            actor,
            "update",
            "facility",
            &id.to_string(),
            Some(facility_json(id, &current.spec(), current.version)),
            Some(facility_json(id, spec, expected_version + 1)),
        )
        .await?;
        self.finish(tx, &snap, Touched::facilities()).await?;
        Ok(())
    }

    /// 设施状态: 规划 → 在建 → 运行, → 停用, 停用 → 运行; anything else is refused with the
    /// reason.
    pub async fn set_facility_status(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        status: FacilityStatus,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let current = snap.facility(id).ok_or_else(|| not_found(id))?;
        require_facility_scope(actor, [&current.village])?;
        if current.version != expected_version {
            return Err(conflict(current));
        }
        current.status.check_move(status, &current.name)?;
        let mut tx = self.pool.begin().await?;
        let res = sqlx::query(
            "UPDATE facilities SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(status.key())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() != 1 {
            return Err(conflict(current));
        }
        audit(
            &mut tx,
            actor,
            "set_status",
            "facility",
            &id.to_string(),
            Some(json!({"status": current.status.key()})),
            Some(json!({"status": status.key(), "version": expected_version + 1})),
        )
        .await?;
        self.finish(tx, &snap, Touched::facilities()).await?;
        Ok(())
    }

    /// 基础设施达标情况: sets one village's compliance with one item, with the gap when it
    /// falls short. `expected_version` is the record's version as read, 0 when it was not
    /// assessed yet. The district administrator, the village's town and the village itself
    /// may set it; only villages (not communities) are assessed.
    pub async fn set_infra(
        &self,
        actor: &Actor,
        village: &VillageCode,
        item: InfraItem,
        status: Compliance,
        gap: &str,
        expected_version: i64,
    ) -> Result<(), StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        require_village_scope(actor, village)?;
        let d = snap.division(village).ok_or_else(|| StoreError::NotFound {
            what: format!("村 {village}"),
        })?;
        if d.division.kind != DivisionKind::Village {
            return Err(DomainError::new(
                "not_a_village",
                "village_code",
                format!(
                    "「{}」是社区，基础设施达标清单只针对行政村",
                    d.division.name
                ),
            )
            .into());
        }
        let gap = parse_gap(status, gap)?;
        let before = snap.infra_of(village).iter().find(|r| r.item == item);
        let current = before.map_or(0, |r| r.version);
        let conflict = || StoreError::Conflict {
            what: format!("「{}」的{}达标情况", d.division.name, item.label()),
            current,
        };
        if current != expected_version {
            return Err(conflict());
        }
        let mut tx = self.pool.begin().await?;
        let res = if expected_version == 0 {
            sqlx::query(
                "INSERT INTO village_infra (village_code, item, status, gap, version) VALUES ($1, $2, $3, $4, 1) ON CONFLICT (village_code, item) DO NOTHING",
            )
            .bind(village.as_str())
            .bind(item.key())
            .bind(status.key())
            .bind(&gap)
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query(
                "UPDATE village_infra SET status = $1, gap = $2, version = version + 1 WHERE village_code = $3 AND item = $4 AND version = $5",
            )
            .bind(status.key())
            .bind(&gap)
            .bind(village.as_str())
            .bind(item.key())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?
        };
        if res.rows_affected() != 1 {
            return Err(conflict());
        }
        audit(
            &mut tx,
            actor,
            "set_infra",
            "village_infra",
            &format!("{village}:{}", item.key()),
            before.map(|r| json!({"status": r.status.key(), "gap": r.gap})),
            Some(json!({"status": status.key(), "gap": gap, "version": expected_version + 1})),
        )
        .await?;
        self.finish(tx, &snap, Touched::infra(village)).await?;
        Ok(())
    }

    /// 设施导入: creates and changes facilities from a checked file, all or nothing. Rows
    /// naming an existing facility must carry the version it was exported at (else
    /// `Conflict`) and may only change its status by an allowed move.
    pub async fn import_facilities(
        &self,
        actor: &Actor,
        rows: &[FacilityImportRow],
        source: &str,
    ) -> Result<ImportCounts, StoreError> {
        let (_turn, snap) = self.write_turn().await?;
        let mut outside: Vec<String> = Vec::new();
        for r in rows {
            let mut villages = vec![&r.spec.village];
            if let Some(f) = r.existing.and_then(|(id, _)| snap.facility(id)) {
                villages.push(&f.village);
            }
            for v in villages {
                if require_facility_scope(actor, [v]).is_err() && !outside.contains(&v.to_string())
                {
                    outside.push(v.to_string());
                }
            }
        }
        if !outside.is_empty() {
            return Err(StoreError::Forbidden(format!(
                "以下村的设施不在您的管辖范围内，未导入任何数据：{}",
                outside.join("、")
            )));
        }
        let mut errors = Vec::new();
        let mut seen_ids: HashSet<i64> = HashSet::new();
        let mut seen_keys: HashMap<(FacilityType, &str, &VillageCode), usize> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let prefix = format!("rows[{i}].");
            let this = match r.existing {
                None => None,
                Some((id, version)) => {
                    let f = snap.facility(id).ok_or_else(|| not_found(id))?;
                    if f.version != version {
                        return Err(conflict(f));
                    }
                    if !seen_ids.insert(id) {
                        errors.push(DomainError::new(
                            "duplicate_row",
                            format!("{prefix}id"),
                            format!("设施编号 {id} 在文件中出现了不止一次"),
                        ));
                    }
                    if r.spec.status != f.status
                        && let Err(mut e) = f.status.check_move(r.spec.status, &f.name)
                    {
                        e.field = format!("{prefix}status");
                        errors.push(e);
                    }
                    Some(id)
                }
            };
            errors.extend(check_spec(&snap, &r.spec, this, &prefix));
            let key = (r.spec.kind, r.spec.name.as_str(), &r.spec.village);
            if let Some(first) = seen_keys.insert(key, i) {
                errors.push(DomainError::new(
                    "duplicate_row",
                    format!("{prefix}name"),
                    format!(
                        "「{}」的{}「{}」与第 {} 条重复",
                        label_of(&snap, &r.spec.village),
                        r.spec.kind.label(),
                        r.spec.name,
                        first + 1
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let mut tx = self.pool.begin().await?;
        let mut counts = ImportCounts {
            created: 0,
            updated: 0,
        };
        for r in rows {
            match r.existing {
                None => {
                    let id = next_id(&mut tx, "facilities").await?;
                    insert_facility(&mut tx, id, &r.spec).await?;
                    counts.created += 1;
                }
                Some((id, version)) => {
                    if !update_row(&mut tx, id, version, &r.spec).await? {
                        let f = snap.facility(id).ok_or_else(|| not_found(id))?;
                        return Err(conflict(f));
                    }
                    counts.updated += 1;
                }
            }
        }
        audit(
            &mut tx,
            actor,
            "import",
            "facilities",
            source,
            None,
            Some(json!({"created": counts.created, "updated": counts.updated})),
        )
        .await?;
        self.finish(tx, &snap, Touched::facilities()).await?;
        Ok(counts)
    }
}
