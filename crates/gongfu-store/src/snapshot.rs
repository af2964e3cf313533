//! An immutable in-memory copy of the registry, zones, targets and facilities, shared by
//! every reader until the next write. At district scale it is a few hundred rows; at province scale
//! (20,000 villages) it still loads in well under a second and answers pages from memory.

use crate::StoreError;
use gongfu_core::coverage::{CoverageReport, coverage};
use gongfu_core::facilities::{Facility, InfraRecord};
use gongfu_core::targets::{Metric, Target, TargetFacts};
use gongfu_core::village::{
    Division, DivisionKind, VillageStatus, WeakRule, YearlyFigures, parse_date,
};
use gongfu_core::zone::{Designation, DesignationStatus, Holders, MemberRole, Membership, Tier};
use gongfu_core::{DataYear, Fen, TownCode, VillageCode, ZoneId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use time::Date;

#[derive(Debug, Clone)]
pub struct Town {
    pub code: TownCode,
    pub name: String,
    pub terrain: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct DivisionRec {
    pub division: Division,
    /// The statistical name (`棠棣村村委会`).
    pub official_name: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// GeoJSON geometry text (Polygon or MultiPolygon, WGS84); shared between snapshots.
    pub boundary: Option<Arc<str>>,
    pub tags: Vec<String>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct ZoneRec {
    pub id: ZoneId,
    pub name: String,
    pub theme: String,
    pub key_village: VillageCode,
    pub lead_official: String,
    pub note: String,
    pub founded_on: Date,
    pub dissolved_on: Option<Date>,
    pub version: i64,
}

impl ZoneRec {
    pub fn is_live_on(&self, day: Date) -> bool {
        self.founded_on <= day && self.dissolved_on.is_none_or(|d| day < d)
    }
}

pub struct Snapshot {
    pub generation: i64,
    pub towns: Vec<Town>,
    pub divisions: Vec<DivisionRec>,
    pub zones: Vec<ZoneRec>,
    pub memberships: Vec<Membership>,
    pub designations: Vec<(ZoneId, Designation)>,
    pub targets: Vec<Target>,
    pub weak_rule: WeakRule,
    /// Version of the weak-village threshold; 0 while it is the default (never saved).
    pub weak_rule_version: i64,
    target_versions: HashMap<(i32, Metric), i64>,
    /// Set when the database was seeded by `--demo`: pages then say 演示数据.
    pub is_demo: bool,
    /// The facilities registry (设施), by id; shared with the next snapshot unless a write
    /// touched it.
    pub facilities: Arc<Vec<Facility>>,
    facility_index: HashMap<i64, usize>,
    /// Infrastructure records per village (一片一标准), in item order; a missing item is
    /// not yet assessed.
    infra: Arc<HashMap<VillageCode, Vec<InfraRecord>>>,
    years: HashMap<VillageCode, Vec<YearlyFigures>>,
    index: HashMap<VillageCode, usize>,
    town_index: HashMap<TownCode, usize>,
    zone_index: HashMap<ZoneId, usize>,
    /// Positions in `memberships` per village and per zone, so lookups stay cheap at
    /// province scale (20,000 villages, thousands of membership lines).
    lines_by_village: HashMap<VillageCode, Vec<usize>>,
    lines_by_zone: HashMap<ZoneId, Vec<usize>>,
    designations_by_zone: HashMap<ZoneId, Vec<usize>>,
    /// Derived artefacts the web layer builds once per snapshot (the map GeoJSON …).
    pub derived: Derived,
    latest_year: Option<i32>,
    data_years: Vec<i32>,
}

/// Values computed from a snapshot once and shared by every request until the next write:
/// the dashboard, the coverage answer, the map GeoJSON (plain and gzipped). Keyed by a name
/// the caller chooses (with the day in it when the value depends on the day).
#[derive(Default)]
pub struct Derived {
    values: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

impl Derived {
    /// The value cached under `key`, computing it with `make` the first time. Two requests
    /// racing on a cold key may both compute it; the results are equal and one is kept.
    pub fn get_or_insert<T: Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        if let Some(v) = self
            .lock()
            .get(key)
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
        {
            return v;
        }
        let fresh = Arc::new(make());
        let mut map = self.lock();
        // Days move; a long-lived snapshot should not grow without bound.
        if map.len() > 64 {
            map.clear();
        }
        map.insert(key.to_string(), fresh.clone());
        fresh
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<dyn Any + Send + Sync>>> {
        self.values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn col_date(row: &AnyRow, col: &str) -> Result<Option<Date>, StoreError> {
    let s: Option<String> = row.try_get(col)?;
    match s {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => Ok(Some(parse_date(col, &s).map_err(|e| {
            StoreError::Refused(format!("数据库中的日期无效（{col}）：{e}"))
        })?)),
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Refused(format!("数据库中的{what}无效：{e}"))
}

/// What one write changed, so the snapshot after it reloads only those rows
/// ([`Snapshot::refreshed`]) instead of everything.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    /// Division rows changed one by one (tags, status).
    pub villages: Vec<VillageCode>,
    /// Every division row may have changed (boundary import).
    pub all_divisions: bool,
    pub years: bool,
    /// Zones, membership lines and designations.
    pub zones: bool,
    /// Targets and settings.
    pub settings: bool,
    /// The facilities table.
    pub facilities: bool,
    /// Infrastructure records changed for these villages only.
    pub infra: Vec<VillageCode>,
}

impl Touched {
    pub fn zones() -> Touched {
        Touched {
            zones: true,
            ..Touched::default()
        }
    }
    pub fn years() -> Touched {
        Touched {
            years: true,
            ..Touched::default()
        }
    }
    pub fn settings() -> Touched {
        Touched {
            settings: true,
            ..Touched::default()
        }
    }
    pub fn all_divisions() -> Touched {
        Touched {
            all_divisions: true,
            ..Touched::default()
        }
    }
    pub fn village(code: &VillageCode) -> Touched {
        Touched {
            villages: vec![code.clone()],
            ..Touched::default()
        }
    }
    pub fn facilities() -> Touched {
        Touched {
            facilities: true,
            ..Touched::default()
        }
    }
    pub fn infra(code: &VillageCode) -> Touched {
        Touched {
            infra: vec![code.clone()],
            ..Touched::default()
        }
    }
}

/// The rows a snapshot is made of, before the indexes are built.
struct Parts {
    towns: Vec<Town>,
    divisions: Vec<DivisionRec>,
    years: HashMap<VillageCode, Vec<YearlyFigures>>,
    zones: Vec<ZoneRec>,
    memberships: Vec<Membership>,
    designations: Vec<(ZoneId, Designation)>,
    settings: SettingsPart,
    facilities: Arc<Vec<Facility>>,
    infra: Arc<HashMap<VillageCode, Vec<InfraRecord>>>,
}

#[derive(Clone)]
struct SettingsPart {
    targets: Vec<Target>,
    target_versions: HashMap<(i32, Metric), i64>,
    weak_rule: WeakRule,
    weak_rule_version: i64,
    is_demo: bool,
}

type ZoneParts = (Vec<ZoneRec>, Vec<Membership>, Vec<(ZoneId, Designation)>);

impl Snapshot {
    pub async fn load(pool: &AnyPool, generation: i64) -> Result<Snapshot, StoreError> {
        let mut conn = pool.acquire().await?;
        Snapshot::load_with(&mut conn, generation).await
    }

    /// This snapshot with the rows a write `touched` read again through `conn` (inside the
    /// write's transaction, so the result is exactly the database as of `generation`).
    pub(crate) async fn refreshed(
        &self,
        conn: &mut AnyConnection,
        generation: i64,
        touched: &Touched,
    ) -> Result<Snapshot, StoreError> {
        let divisions = if touched.all_divisions {
            load_divisions(conn, None).await?
        } else {
            let mut divisions = self.divisions.clone();
            for code in &touched.villages {
                let fresh = load_divisions(conn, Some(code)).await?;
                match (self.division_index(code), fresh.into_iter().next()) {
                    (Some(i), Some(d)) => divisions[i] = d,
                    // A new or vanished row moves positions: take all rows again.
                    _ => return Snapshot::load_with(conn, generation).await,
                }
            }
            divisions
        };
        let (zones, memberships, designations) = if touched.zones {
            load_zone_parts(conn).await?
        } else {
            (
                self.zones.clone(),
                self.memberships.clone(),
                self.designations.clone(),
            )
        };
        Ok(Snapshot::assemble(
            generation,
            Parts {
                towns: self.towns.clone(),
                divisions,
                years: if touched.years {
                    load_years(conn).await?
                } else {
                    self.years.clone()
                },
                zones,
                memberships,
                designations,
                settings: if touched.settings {
                    load_settings(conn).await?
                } else {
                    SettingsPart {
                        targets: self.targets.clone(),
                        target_versions: self.target_versions.clone(),
                        weak_rule: self.weak_rule,
                        weak_rule_version: self.weak_rule_version,
                        is_demo: self.is_demo,
                    }
                },
                facilities: if touched.facilities {
                    Arc::new(crate::facilities::load_facilities(conn).await?)
                } else {
                    self.facilities.clone()
                },
                infra: if touched.infra.is_empty() {
                    self.infra.clone()
                } else {
                    let mut infra = (*self.infra).clone();
                    for code in &touched.infra {
                        let mut fresh = crate::facilities::load_infra(conn, Some(code)).await?;
                        match fresh.remove(code) {
                            Some(records) => infra.insert(code.clone(), records),
                            None => infra.remove(code),
                        };
                    }
                    Arc::new(infra)
                },
            },
        ))
    }

    async fn load_with(conn: &mut AnyConnection, generation: i64) -> Result<Snapshot, StoreError> {
        let (zones, memberships, designations) = load_zone_parts(conn).await?;
        Ok(Snapshot::assemble(
            generation,
            Parts {
                towns: load_towns(conn).await?,
                divisions: load_divisions(conn, None).await?,
                years: load_years(conn).await?,
                zones,
                memberships,
                designations,
                settings: load_settings(conn).await?,
                facilities: Arc::new(crate::facilities::load_facilities(conn).await?),
                infra: Arc::new(crate::facilities::load_infra(conn, None).await?),
            },
        ))
    }

    fn assemble(generation: i64, parts: Parts) -> Snapshot {
        let Parts {
            towns,
            divisions,
            years,
            zones,
            memberships,
            designations,
            settings:
                SettingsPart {
                    targets,
                    target_versions,
                    weak_rule,
                    weak_rule_version,
                    is_demo,
                },
            facilities,
            infra,
        } = parts;
        let index = divisions
            .iter()
            .enumerate()
            .map(|(i, d)| (d.division.code.clone(), i))
            .collect();
        let town_index = towns
            .iter()
            .enumerate()
            .map(|(i, t)| (t.code.clone(), i))
            .collect();
        let zone_index = zones.iter().enumerate().map(|(i, z)| (z.id, i)).collect();
        let facility_index = facilities
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id, i))
            .collect();
        let mut lines_by_village: HashMap<VillageCode, Vec<usize>> = HashMap::new();
        let mut lines_by_zone: HashMap<ZoneId, Vec<usize>> = HashMap::new();
        for (i, m) in memberships.iter().enumerate() {
            lines_by_village
                .entry(m.village.clone())
                .or_default()
                .push(i);
            lines_by_zone.entry(m.zone).or_default().push(i);
        }
        let mut designations_by_zone: HashMap<ZoneId, Vec<usize>> = HashMap::new();
        for (i, (z, _)) in designations.iter().enumerate() {
            designations_by_zone.entry(*z).or_default().push(i);
        }
        let mut data_years: Vec<i32> = years
            .values()
            .flat_map(|v| v.iter().map(|f| f.year.get()))
            .collect();
        data_years.sort_unstable();
        data_years.dedup();
        Snapshot {
            generation,
            zone_index,
            designations_by_zone,
            lines_by_village,
            lines_by_zone,
            towns,
            divisions,
            zones,
            memberships,
            designations,
            targets,
            weak_rule,
            weak_rule_version,
            target_versions,
            is_demo,
            facilities,
            facility_index,
            infra,
            years,
            index,
            town_index,
            derived: Derived::default(),
            latest_year: data_years.last().copied(),
            data_years,
        }
    }

    pub fn division(&self, code: &VillageCode) -> Option<&DivisionRec> {
        self.index.get(code).map(|i| &self.divisions[*i])
    }

    /// Position of a division in `divisions`.
    pub fn division_index(&self, code: &VillageCode) -> Option<usize> {
        self.index.get(code).copied()
    }

    pub fn town(&self, code: &TownCode) -> Option<&Town> {
        self.town_index.get(code).map(|i| &self.towns[*i])
    }

    pub fn town_name(&self, code: &TownCode) -> &str {
        self.town(code).map(|t| t.name.as_str()).unwrap_or("")
    }

    pub fn town_names(&self) -> BTreeMap<TownCode, String> {
        self.towns
            .iter()
            .map(|t| (t.code.clone(), t.name.clone()))
            .collect()
    }

    /// Yearly figures of a village, oldest first.
    pub fn years(&self, code: &VillageCode) -> &[YearlyFigures] {
        self.years.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn figures(&self, code: &VillageCode, year: i32) -> Option<&YearlyFigures> {
        self.years(code).iter().find(|f| f.year.get() == year)
    }

    /// The newest data year present in the registry.
    pub fn latest_year(&self) -> Option<i32> {
        self.latest_year
    }

    /// All data years present, ascending.
    pub fn data_years(&self) -> Vec<i32> {
        self.data_years.clone()
    }

    /// 薄弱村 in `year`; `None` without figures for that year, and for communities, which
    /// the weak-village rule does not apply to.
    pub fn is_weak(&self, code: &VillageCode, year: i32) -> Option<bool> {
        if self.division(code)?.division.kind != DivisionKind::Village {
            return None;
        }
        self.figures(code, year).map(|f| self.weak_rule.is_weak(f))
    }

    pub fn facility(&self, id: i64) -> Option<&Facility> {
        self.facility_index.get(&id).map(|i| &self.facilities[*i])
    }

    /// Infrastructure records of a village, in item order (missing items are not assessed).
    pub fn infra_of(&self, code: &VillageCode) -> &[InfraRecord] {
        self.infra.get(code).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn zone(&self, id: ZoneId) -> Option<&ZoneRec> {
        self.zone_index.get(&id).map(|i| &self.zones[*i])
    }

    /// Every membership line of a village, oldest first.
    pub fn lines_of_village(&self, code: &VillageCode) -> impl Iterator<Item = &Membership> {
        self.lines_by_village
            .get(code)
            .into_iter()
            .flatten()
            .map(|i| &self.memberships[*i])
    }

    /// Every membership line of a zone.
    pub fn lines_of_zone(&self, zone: ZoneId) -> impl Iterator<Item = &Membership> {
        self.lines_by_zone
            .get(&zone)
            .into_iter()
            .flatten()
            .map(|i| &self.memberships[*i])
    }

    /// The membership line holding `code` on `day`, if any.
    pub fn membership_of(&self, code: &VillageCode, day: Date) -> Option<&Membership> {
        self.lines_of_village(code).find(|m| m.is_current_on(day))
    }

    /// Members of a zone on `day`, key village first.
    pub fn members(&self, zone: ZoneId, day: Date) -> Vec<&Membership> {
        let mut v: Vec<&Membership> = self
            .lines_of_zone(zone)
            .filter(|m| m.is_current_on(day))
            .collect();
        v.sort_by_key(|m| (m.role != MemberRole::Key, m.village.clone()));
        v
    }

    pub fn holders(&self, day: Date) -> Holders {
        self.memberships
            .iter()
            .filter(|m| m.is_current_on(day))
            .map(|m| {
                let name = self
                    .zone(m.zone)
                    .map(|z| z.name.clone())
                    .unwrap_or_default();
                (m.village.clone(), (m.zone, name))
            })
            .collect()
    }

    pub fn registry_map(&self) -> HashMap<VillageCode, Division> {
        self.divisions
            .iter()
            .map(|d| (d.division.code.clone(), d.division.clone()))
            .collect()
    }

    pub fn coverage(&self, day: Date) -> CoverageReport {
        coverage(
            self.divisions.iter().map(|d| &d.division),
            &self.town_names(),
            &self.memberships,
            day,
        )
    }

    /// Designations of a zone, by year.
    pub fn designations_of(&self, zone: ZoneId) -> Vec<&Designation> {
        self.designations_by_zone
            .get(&zone)
            .into_iter()
            .flatten()
            .map(|i| &self.designations[*i].1)
            .collect()
    }

    /// The designation in force for `year`: that year's, else the latest before it.
    pub fn tier_in(&self, zone: ZoneId, year: i32) -> Option<&Designation> {
        self.designations_of(zone)
            .into_iter()
            .filter(|d| d.year <= year)
            .max_by_key(|d| d.year)
    }

    /// District total operating income per year over the villages counted on `day`.
    pub fn income_totals(&self, day: Date) -> BTreeMap<i32, Fen> {
        let mut totals: BTreeMap<i32, Fen> = BTreeMap::new();
        for d in &self.divisions {
            if !d.division.counts_for_coverage_on(day) {
                continue;
            }
            for f in self.years(&d.division.code) {
                *totals.entry(f.year.get()).or_default() =
                    totals.get(&f.year.get()).copied().unwrap_or_default() + f.operating_income;
            }
        }
        totals
    }

    /// Version of one target; 0 when it was never set.
    pub fn target_version(&self, year: i32, metric: Metric) -> i64 {
        self.target_versions
            .get(&(year, metric))
            .copied()
            .unwrap_or(0)
    }

    pub fn target_facts(&self, day: Date) -> TargetFacts {
        TargetFacts {
            designations: self.designations.clone(),
            income_totals: self.income_totals(day),
            coverage_bp: self.coverage(day).share_bp(),
        }
    }
}

async fn load_towns(conn: &mut AnyConnection) -> Result<Vec<Town>, StoreError> {
    sqlx::query("SELECT code, name, terrain, lon, lat FROM towns ORDER BY code")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| {
            Ok(Town {
                code: TownCode::parse(&r.try_get::<String, _>("code")?)
                    .map_err(|e| corrupt("镇街代码", e))?,
                name: r.try_get("name")?,
                terrain: r.try_get("terrain")?,
                lon: r.try_get("lon")?,
                lat: r.try_get("lat")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
}

/// Every division, or only `only`.
async fn load_divisions(
    conn: &mut AnyConnection,
    only: Option<&VillageCode>,
) -> Result<Vec<DivisionRec>, StoreError> {
    let rows = match only {
        None => sqlx::query(
            "SELECT code, town_code, name, official_name, kind, status, status_from, merged_into, lon, lat, boundary, tags, version FROM divisions ORDER BY code",
        )
        .fetch_all(&mut *conn)
        .await?,
        Some(code) => sqlx::query(
            "SELECT code, town_code, name, official_name, kind, status, status_from, merged_into, lon, lat, boundary, tags, version FROM divisions WHERE code = $1",
        )
        .bind(code.as_str())
        .fetch_all(&mut *conn)
        .await?,
    };
    let mut divisions = Vec::new();
    for r in rows {
        let code = VillageCode::parse(&r.try_get::<String, _>("code")?)
            .map_err(|e| corrupt("村代码", e))?;
        let status_from = col_date(&r, "status_from")?;
        let status = match (r.try_get::<String, _>("status")?.as_str(), status_from) {
            ("merged", Some(from)) => {
                let into: Option<String> = r.try_get("merged_into")?;
                VillageStatus::Merged {
                    from,
                    into: VillageCode::parse(&into.unwrap_or_default())
                        .map_err(|e| corrupt("撤并去向", e))?,
                }
            }
            ("withdrawn", Some(from)) => VillageStatus::Withdrawn { from },
            _ => VillageStatus::Active,
        };
        let tags: String = r.try_get("tags")?;
        divisions.push(DivisionRec {
            division: Division {
                town: TownCode::parse(&r.try_get::<String, _>("town_code")?)
                    .map_err(|e| corrupt("镇街代码", e))?,
                code,
                name: r.try_get("name")?,
                kind: DivisionKind::parse(&r.try_get::<String, _>("kind")?)
                    .map_err(|e| corrupt("类型", e))?,
                status,
            },
            official_name: r.try_get("official_name")?,
            lon: r.try_get("lon")?,
            lat: r.try_get("lat")?,
            boundary: r.try_get::<Option<String>, _>("boundary")?.map(Arc::from),
            tags: tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            version: r.try_get("version")?,
        });
    }
    Ok(divisions)
}

async fn load_years(
    conn: &mut AnyConnection,
) -> Result<HashMap<VillageCode, Vec<YearlyFigures>>, StoreError> {
    let mut years: HashMap<VillageCode, Vec<YearlyFigures>> = HashMap::new();
    for r in sqlx::query(
            "SELECT village_code, year, population, households, operating_income_fen, disposable_income_fen, area_km2 FROM village_years ORDER BY village_code, year",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            let code = VillageCode::parse(&r.try_get::<String, _>("village_code")?)
                .map_err(|e| corrupt("村代码", e))?;
            years.entry(code).or_default().push(YearlyFigures {
                year: DataYear::new(r.try_get("year")?).map_err(|e| corrupt("年度", e))?,
                population: r.try_get("population")?,
                households: r.try_get("households")?,
                operating_income: Fen(r.try_get("operating_income_fen")?),
                disposable_income: Fen(r.try_get("disposable_income_fen")?),
                area_km2: r.try_get("area_km2")?,
            });
        }
    Ok(years)
}

async fn load_zone_parts(conn: &mut AnyConnection) -> Result<ZoneParts, StoreError> {
    let mut zones = Vec::new();
    for r in sqlx::query(
            "SELECT id, name, theme, key_village, lead_official, note, founded_on, dissolved_on, version FROM zones ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            zones.push(ZoneRec {
                id: ZoneId(r.try_get("id")?),
                name: r.try_get("name")?,
                theme: r.try_get("theme")?,
                key_village: VillageCode::parse(&r.try_get::<String, _>("key_village")?)
                    .map_err(|e| corrupt("重点村", e))?,
                lead_official: r.try_get("lead_official")?,
                note: r.try_get("note")?,
                founded_on: col_date(&r, "founded_on")?
                    .ok_or_else(|| corrupt("成立日期", "空"))?,
                dissolved_on: col_date(&r, "dissolved_on")?,
                version: r.try_get("version")?,
            });
        }

    let mut memberships = Vec::new();
    for r in sqlx::query(
            "SELECT zone_id, village_code, role, from_date, to_date FROM zone_members ORDER BY zone_id, from_date, village_code",
        )
        .fetch_all(&mut *conn)
        .await?
        {
            memberships.push(Membership {
                zone: ZoneId(r.try_get("zone_id")?),
                village: VillageCode::parse(&r.try_get::<String, _>("village_code")?)
                    .map_err(|e| corrupt("村代码", e))?,
                role: MemberRole::parse(&r.try_get::<String, _>("role")?)
                    .ok_or_else(|| corrupt("成员角色", "未知"))?,
                from: col_date(&r, "from_date")?.ok_or_else(|| corrupt("加入日期", "空"))?,
                to: col_date(&r, "to_date")?,
            });
        }

    let mut designations = Vec::new();
    for r in sqlx::query(
        "SELECT zone_id, year, tier, status FROM zone_designations ORDER BY zone_id, year",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        designations.push((
            ZoneId(r.try_get("zone_id")?),
            Designation {
                year: r.try_get::<i64, _>("year")? as i32,
                tier: Tier::parse(&r.try_get::<String, _>("tier")?)
                    .map_err(|e| corrupt("等级", e))?,
                status: DesignationStatus::parse(&r.try_get::<String, _>("status")?)
                    .map_err(|e| corrupt("状态", e))?,
            },
        ));
    }
    Ok((zones, memberships, designations))
}

async fn load_settings(conn: &mut AnyConnection) -> Result<SettingsPart, StoreError> {
    let mut targets = Vec::new();
    let mut target_versions = HashMap::new();
    for r in
        sqlx::query("SELECT year, metric, value, note, version FROM targets ORDER BY year, metric")
            .fetch_all(&mut *conn)
            .await?
    {
        let t = Target {
            year: r.try_get::<i64, _>("year")? as i32,
            metric: Metric::parse(&r.try_get::<String, _>("metric")?)
                .map_err(|e| corrupt("目标指标", e))?,
            value: r.try_get("value")?,
            note: r.try_get("note")?,
        };
        target_versions.insert((t.year, t.metric), r.try_get::<i64, _>("version")?);
        targets.push(t);
    }

    let settings: HashMap<String, (String, i64)> =
        sqlx::query("SELECT key, value, version FROM settings")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
            .collect::<Result<_, sqlx::Error>>()?;
    let weak = settings.get("weak_income_below_fen");
    let weak_rule = weak
        .and_then(|(v, _)| v.parse::<i64>().ok())
        .map(|f| WeakRule {
            income_below: Fen(f),
        })
        .unwrap_or_default();
    let is_demo = settings.get("demo").is_some_and(|(v, _)| v == "1");
    Ok(SettingsPart {
        targets,
        target_versions,
        weak_rule,
        weak_rule_version: weak.map_or(0, |(_, v)| *v),
        is_demo,
    })
}
