//! Loading the division list, and seeding the demo district (演示数据).

use crate::db::Store;
use crate::service::{audit, default_targets, next_id, set_setting};
use crate::{Actor, StoreError};
use gongfu_core::facilities::{Compliance, FacilityStatus, FacilityType, InfraItem};
use gongfu_core::village::{date_string, short_name};
use gongfu_core::zone::{DesignationStatus, Tier};
use gongfu_demo::{DemoDistrict, DivisionKind, DivisionRow, TownCentre};
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use time::macros::date;

/// What `seed_demo` did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { divisions: usize, zones: usize },
    AlreadyDemo,
}

async fn insert_registry(
    tx: &mut Transaction<'_, Any>,
    towns: &[TownCentre],
    divisions: &[DivisionRow],
) -> Result<(), StoreError> {
    for t in towns {
        sqlx::query(
            "INSERT INTO towns (code, name, terrain, lon, lat) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&t.code)
        .bind(&t.name)
        .bind(t.terrain.as_str())
        .bind(t.lon)
        .bind(t.lat)
        .execute(&mut **tx)
        .await?;
    }
    for d in divisions {
        if !towns.iter().any(|t| t.code == d.town_code) {
            sqlx::query("INSERT INTO towns (code, name, terrain) VALUES ($1, $2, '') ON CONFLICT (code) DO NOTHING")
                .bind(&d.town_code)
                .bind(&d.town_name)
                .execute(&mut **tx)
                .await?;
        }
        let kind = match d.kind {
            DivisionKind::Village => "village",
            DivisionKind::Community => "community",
        };
        sqlx::query("INSERT INTO divisions (code, town_code, name, official_name, kind) VALUES ($1, $2, $3, $4, $5)")
            .bind(&d.code)
            .bind(&d.town_code)
            .bind(short_name(&d.name))
            .bind(&d.name)
            .bind(kind)
            .execute(&mut **tx)
            .await?;
    }
    default_targets(tx).await?;
    Ok(())
}

/// The demo's one village merger: the smallest village (2025 population) outside the pilot
/// zones merges into the nearest other village of its town. Deterministic for a given demo.
fn demo_merger<'a>(
    divisions: &'a [DivisionRow],
    demo: &'a DemoDistrict,
) -> Option<(&'a str, &'a str)> {
    let in_pilot = |code: &str| {
        demo.pilot_zones
            .iter()
            .any(|z| z.members.iter().any(|m| m == code))
    };
    let town_of = |code: &str| {
        divisions
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.town_code.as_str())
    };
    let village = |code: &str| {
        divisions
            .iter()
            .any(|d| d.code == code && d.kind == DivisionKind::Village)
    };
    let pop =
        |d: &gongfu_demo::DemoDivision| d.years.last().map(|y| y.population).unwrap_or(i64::MAX);
    let gone = demo
        .divisions
        .iter()
        .filter(|d| village(&d.code) && !in_pilot(&d.code))
        .min_by(|a, b| pop(a).cmp(&pop(b)).then(a.code.cmp(&b.code)))?;
    let town = town_of(&gone.code)?;
    let dist =
        |d: &gongfu_demo::DemoDivision| (d.lon - gone.lon).powi(2) + (d.lat - gone.lat).powi(2);
    let into = demo
        .divisions
        .iter()
        .filter(|d| d.code != gone.code && village(&d.code) && town_of(&d.code) == Some(town))
        .min_by(|a, b| dist(a).total_cmp(&dist(b)))?;
    Some((gone.code.as_str(), into.code.as_str()))
}

/// Rows per multi-row INSERT when seeding: well under both databases' bind limits.
const SEED_BATCH: usize = 200;

/// The demo's facilities and infrastructure records, in batches (a province-scale demo has
/// tens of thousands). Ids are reserved from the counter in one step. Facilities and records
/// of the village the demo merges away are left out: that village no longer exists.
async fn insert_demo_facilities(
    tx: &mut Transaction<'_, Any>,
    demo: &DemoDistrict,
    merged_away: Option<&str>,
) -> Result<(), StoreError> {
    let bad = |what: &str, e: gongfu_core::DomainError| {
        StoreError::Refused(format!("演示数据的{what}无效：{e}"))
    };
    let facilities: Vec<_> = demo
        .facilities
        .iter()
        .filter(|f| Some(f.village.as_str()) != merged_away)
        .collect();
    for f in &facilities {
        FacilityType::parse(f.kind).map_err(|e| bad("设施类型", e))?;
        FacilityStatus::parse(f.status).map_err(|e| bad("设施状态", e))?;
    }
    let n = facilities.len() as i64;
    let end: i64 = sqlx::query(
        "UPDATE counters SET next_id = next_id + $1 WHERE name = 'facilities' RETURNING next_id",
    )
    .bind(n)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let first = end - n + 1;
    for (c, chunk) in facilities.chunks(SEED_BATCH).enumerate() {
        // Placeholders numbered as bound; a missing point is a literal NULL (see
        // `facilities::insert_facility` for why it is not bound).
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let values: Vec<String> = chunk
            .iter()
            .map(|f| {
                let head: Vec<String> = (0..9).map(|_| next()).collect();
                let point = match f.point {
                    Some(_) => format!("{}, {}", next(), next()),
                    None => "NULL, NULL".to_string(),
                };
                format!("({}, 1, {point})", head.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO facilities (id, kind, name, village_code, capacity, status, opening_year, upkeep_unit, note, version, lon, lat) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, f) in chunk.iter().enumerate() {
            q = q
                .bind(first + (c * SEED_BATCH + i) as i64)
                .bind(f.kind)
                .bind(&f.name)
                .bind(&f.village)
                .bind(f.capacity)
                .bind(f.status)
                .bind(f.opening_year.map(i64::from))
                .bind(&f.upkeep_unit)
                .bind(&f.note);
            if let Some((lon, lat)) = f.point {
                q = q.bind(lon).bind(lat);
            }
        }
        q.execute(&mut **tx).await?;
    }
    let infra: Vec<_> = demo
        .infra
        .iter()
        .filter(|x| Some(x.village.as_str()) != merged_away)
        .collect();
    for x in &infra {
        InfraItem::parse(x.item).map_err(|e| bad("基础设施项目", e))?;
        Compliance::parse(x.status).map_err(|e| bad("达标情况", e))?;
    }
    for chunk in infra.chunks(SEED_BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 4;
                format!("(${}, ${}, ${}, ${}, 1)", b + 1, b + 2, b + 3, b + 4)
            })
            .collect();
        let sql = format!(
            "INSERT INTO village_infra (village_code, item, status, gap, version) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for x in chunk {
            q = q.bind(&x.village).bind(x.item).bind(x.status).bind(&x.gap);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Loads the real division list into an empty database (no figures, no zones).
    pub async fn load_registry(
        &self,
        actor: &Actor,
        towns: &[TownCentre],
        divisions: &[DivisionRow],
    ) -> Result<usize, StoreError> {
        let _turn = self.write_lock.lock().await;
        if !self.is_empty().await? {
            return Err(StoreError::Refused("数据库中已有区划名录".into()));
        }
        let mut tx = self.pool.begin().await?;
        insert_registry(&mut tx, towns, divisions).await?;
        audit(
            &mut tx,
            actor,
            "import",
            "divisions",
            "registry",
            None,
            Some(json!({"divisions": divisions.len()})),
        )
        .await?;
        next_id(&mut tx, "generation").await?;
        tx.commit().await?;
        Ok(divisions.len())
    }

    /// Seeds the demo district into an empty database, once. A database already seeded by the
    /// demo is left as it is; one that holds other data is refused untouched.
    pub async fn seed_demo(
        &self,
        towns: &[TownCentre],
        divisions: &[DivisionRow],
        demo: &DemoDistrict,
    ) -> Result<SeedOutcome, StoreError> {
        if self.setting("demo").await?.as_deref() == Some("1") {
            return Ok(SeedOutcome::AlreadyDemo);
        }
        if !self.is_empty().await? {
            return Err(StoreError::Refused(
                "该数据库已有非演示数据，--demo 不会改动它；请换一个新的数据库文件".into(),
            ));
        }
        let _turn = self.write_lock.lock().await;
        let actor = Actor::system("demo");
        let mut tx = self.pool.begin().await?;
        insert_registry(&mut tx, towns, divisions).await?;
        for d in &demo.divisions {
            // Six decimals of a degree is about 0.1 m: plenty for a map, and a third of the bytes.
            let round = |v: f64| (v * 1e6).round() / 1e6;
            let ring: Vec<[f64; 2]> = d
                .boundary
                .iter()
                .map(|(x, y)| [round(*x), round(*y)])
                .collect();
            let geometry = json!({"type": "Polygon", "coordinates": [ring]}).to_string();
            sqlx::query(
                "UPDATE divisions SET lon = $1, lat = $2, boundary = $3, tags = $4 WHERE code = $5",
            )
            .bind(d.lon)
            .bind(d.lat)
            .bind(geometry)
            .bind(d.tags.join(","))
            .bind(&d.code)
            .execute(&mut *tx)
            .await?;
            for y in &d.years {
                sqlx::query("INSERT INTO village_years (village_code, year, population, households, operating_income_fen, disposable_income_fen, area_km2) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&d.code)
                    .bind(y.year as i64)
                    .bind(y.population)
                    .bind(y.households)
                    .bind(y.operating_income_fen)
                    .bind(y.disposable_income_fen)
                    .bind(y.area_km2)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // The pilots were named in 2024; their 2025 designations are invented to show the
        // target board at work: two provincial bids, municipal and district key zones.
        let designations_2025 = [
            (Tier::Provincial, DesignationStatus::Recognised),
            (Tier::Provincial, DesignationStatus::Applied),
            (Tier::Municipal, DesignationStatus::Recognised),
            (Tier::DistrictKey, DesignationStatus::Recognised),
            (Tier::DistrictKey, DesignationStatus::Recognised),
            (Tier::DistrictKey, DesignationStatus::Applied),
            (Tier::District, DesignationStatus::Recognised),
            (Tier::Cultivating, DesignationStatus::Recognised),
        ];
        let founded = date!(2024 - 03 - 01);
        for (i, z) in demo.pilot_zones.iter().enumerate() {
            let id = next_id(&mut tx, "zones").await?;
            sqlx::query("INSERT INTO zones (id, name, theme, key_village, lead_official, note, founded_on, dissolved_on, version) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 1)")
                .bind(id)
                .bind(&z.name)
                .bind(&z.theme)
                .bind(&z.key_village)
                .bind(&z.lead_official)
                .bind(&z.note)
                .bind(date_string(founded))
                .execute(&mut *tx)
                .await?;
            for m in &z.members {
                let role = if *m == z.key_village { "key" } else { "linked" };
                sqlx::query("INSERT INTO zone_members (zone_id, village_code, role, from_date, to_date) VALUES ($1, $2, $3, $4, NULL)")
                    .bind(id)
                    .bind(m)
                    .bind(role)
                    .bind(date_string(founded))
                    .execute(&mut *tx)
                    .await?;
            }
            for (year, tier, status) in [
                (2024, Tier::District, DesignationStatus::Recognised),
                (2025, designations_2025[i % 8].0, designations_2025[i % 8].1),
            ] {
                sqlx::query("INSERT INTO zone_designations (zone_id, year, tier, status) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(year as i64)
                    .bind(tier.as_str())
                    .bind(status.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let merger = demo_merger(divisions, demo);
        insert_demo_facilities(&mut tx, demo, merger.map(|(gone, _)| gone)).await?;
        if let Some((gone, into)) = merger {
            // The policy counts 213 villages where the 2023 list has 214: villages merge in
            // Zhejiang. The demo shows one such merger so the counts follow the policy.
            sqlx::query("UPDATE divisions SET status = 'merged', status_from = $1, merged_into = $2 WHERE code = $3")
                .bind(date_string(date!(2024 - 01 - 01)))
                .bind(into)
                .bind(gone)
                .execute(&mut *tx)
                .await?;
        }
        set_setting(&mut tx, "demo", "1").await?;
        audit(
            &mut tx,
            &actor,
            "seed",
            "demo",
            "district",
            None,
            Some(json!({"divisions": demo.divisions.len(), "zones": demo.pilot_zones.len(), "facilities": demo.facilities.len()})),
        )
        .await?;
        next_id(&mut tx, "generation").await?;
        tx.commit().await?;
        Ok(SeedOutcome::Seeded {
            divisions: demo.divisions.len(),
            zones: demo.pilot_zones.len(),
        })
    }
}
