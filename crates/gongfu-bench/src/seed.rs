//! Seeding the benchmark database: the demo district, or a synthetic province with zones
//! created one by one through the real service path (`Store::create_zone`).

use anyhow::{Context, Result, bail};
use gongfu_core::village::date_string;
use gongfu_core::zone::{DesignationStatus, Tier, check_history};
use gongfu_demo::{DemoDistrict, DivisionKind, DivisionRow, TownCentre};
use gongfu_plan::geometry::{LocalProjection, Pt, cell_adjacency};
use gongfu_store::service::ZoneInput;
use gongfu_store::{Actor, Store};
use sqlx::Row;
use std::time::{Duration, Instant};

pub struct Registry {
    pub towns: Vec<TownCentre>,
    pub divisions: Vec<DivisionRow>,
    pub district: DemoDistrict,
}

/// What seeding cost, for the report.
#[derive(Default, Debug)]
pub struct SeedTimes {
    pub generate: Duration,
    pub seed_demo: Duration,
    pub adjacency: Duration,
    /// Zones written in one transaction, and how long that took.
    pub bulk_zones: usize,
    pub bulk_total: Duration,
    /// Zones created through `Store::create_zone`.
    pub zones_created: usize,
    pub zones_total: usize,
    pub create_zone_total: Duration,
    /// Per-call latencies of `create_zone`, in call order.
    pub create_zone_each: Vec<Duration>,
}

/// The real 柯桥区 division list laid out by the demo generator.
pub fn district(seed: u64) -> Result<Registry> {
    let towns = gongfu_demo::parse_town_centres_csv(gongfu_demo::TOWN_CENTRES_CSV)
        .map_err(anyhow::Error::msg)
        .context("bundled town_centres.csv")?;
    let divisions = gongfu_demo::parse_divisions_csv(gongfu_demo::DIVISIONS_CSV)
        .map_err(anyhow::Error::msg)
        .context("bundled keqiao_divisions.csv")?;
    let district = gongfu_demo::generate(&divisions, &towns, seed);
    Ok(Registry {
        towns,
        divisions,
        district,
    })
}

/// A synthetic province: `villages` divisions over `towns` towns.
pub fn province(villages: usize, towns: usize, seed: u64) -> Registry {
    let (divisions, towns) = gongfu_demo::generate_synthetic(villages, towns, seed);
    let district = gongfu_demo::generate(&divisions, &towns, seed);
    Registry {
        towns,
        divisions,
        district,
    }
}

/// Groups of 3–6 villages (not communities) of one town whose generated Voronoi cells touch,
/// spread over the whole registry, at most `wanted` of them. Member lists start with the key
/// village.
pub fn adjacent_groups(reg: &Registry, wanted: usize, seed: u64) -> Vec<Vec<usize>> {
    let n = reg.divisions.len();
    if n == 0 || wanted == 0 {
        return Vec::new();
    }
    let (sx, sy) = reg
        .district
        .divisions
        .iter()
        .fold((0.0, 0.0), |(x, y), d| (x + d.lon, y + d.lat));
    let proj = LocalProjection::new(sx / n as f64, sy / n as f64);
    let cells: Vec<Vec<Pt>> = reg
        .district
        .divisions
        .iter()
        .map(|d| {
            d.boundary
                .iter()
                .map(|&(lon, lat)| proj.to_xy(lon, lat))
                .collect()
        })
        .collect();
    let mut neighbours = vec![Vec::new(); n];
    // Re-projection rounds at the micrometre level; a centimetre absorbs it (as the generator).
    for (a, b) in cell_adjacency(&cells, 0.01) {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let eligible = |i: usize| reg.divisions[i].kind == DivisionKind::Village;

    // Visit candidate key villages in a seeded pseudo-random order so the zones spread out.
    let mut order: Vec<usize> = (0..n).filter(|&i| eligible(i)).collect();
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    for i in (1..order.len()).rev() {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        order.swap(i, (r % (i as u64 + 1)) as usize);
    }

    let mut taken = vec![false; n];
    let mut groups = Vec::new();
    for &key in &order {
        if groups.len() == wanted {
            break;
        }
        if taken[key] {
            continue;
        }
        let size = 3 + groups.len() % 4;
        let town = &reg.divisions[key].town_code;
        let mut group = vec![key];
        let mut k = 0;
        while k < group.len() && group.len() < size {
            for &nb in &neighbours[group[k]] {
                if group.len() == size {
                    break;
                }
                if !taken[nb]
                    && eligible(nb)
                    && &reg.divisions[nb].town_code == town
                    && !group.contains(&nb)
                {
                    group.push(nb);
                }
            }
            k += 1;
        }
        if group.len() >= 3 {
            for &g in &group {
                taken[g] = true;
            }
            groups.push(group);
        }
    }
    groups
}

const TIERS: [(Tier, DesignationStatus); 5] = [
    (Tier::District, DesignationStatus::Recognised),
    (Tier::Cultivating, DesignationStatus::Recognised),
    (Tier::DistrictKey, DesignationStatus::Applied),
    (Tier::Municipal, DesignationStatus::Recognised),
    (Tier::Provincial, DesignationStatus::Applied),
];

fn zone_input(reg: &Registry, i: usize, group: &[usize]) -> ZoneInput {
    let key = &reg.divisions[group[0]];
    let (tier, status) = TIERS[i % TIERS.len()];
    ZoneInput {
        name: format!(
            "示范片区{:04}·{}",
            i + 1,
            key.name.trim_end_matches("村委会")
        ),
        theme: "演示共富片区".into(),
        key_village: key.code.clone(),
        villages: group
            .iter()
            .map(|&m| reg.divisions[m].code.clone())
            .collect(),
        lead_official: format!("{}党委副书记", key.town_name),
        note: "gongfu-bench 生成的演示片区".into(),
        effective: None,
        designation: Some((2025, tier, status)),
    }
}

/// Writes zones straight into the tables, in one transaction, with the same rows
/// `Store::create_zone` writes (zone, open membership lines from today, one designation),
/// one audit line for the batch, and one generation bump. Only for groups built by
/// [`adjacent_groups`], which are disjoint villages of one town; checked afterwards.
async fn bulk_zones(store: &Store, inputs: &[ZoneInput]) -> Result<()> {
    let today = date_string(gongfu_store::service::today());
    let mut tx = store.pool().begin().await?;
    async fn next(tx: &mut sqlx::Transaction<'_, sqlx::Any>, name: &str) -> Result<i64> {
        let row = sqlx::query(
            "UPDATE counters SET next_id = next_id + 1 WHERE name = $1 RETURNING next_id",
        )
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
    for z in inputs {
        let id = next(&mut tx, "zones").await?;
        sqlx::query("INSERT INTO zones (id, name, theme, key_village, lead_official, note, founded_on, dissolved_on, version) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 1)")
            .bind(id)
            .bind(&z.name)
            .bind(&z.theme)
            .bind(&z.key_village)
            .bind(&z.lead_official)
            .bind(&z.note)
            .bind(&today)
            .execute(&mut *tx)
            .await?;
        for v in &z.villages {
            let role = if *v == z.key_village { "key" } else { "linked" };
            sqlx::query("INSERT INTO zone_members (zone_id, village_code, role, from_date, to_date) VALUES ($1, $2, $3, $4, NULL)")
                .bind(id)
                .bind(v)
                .bind(role)
                .bind(&today)
                .execute(&mut *tx)
                .await?;
        }
        if let Some((year, tier, status)) = z.designation {
            sqlx::query("INSERT INTO zone_designations (zone_id, year, tier, status) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(year as i64)
                .bind(tier.as_str())
                .bind(status.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    let audit = next(&mut tx, "audit").await?;
    sqlx::query("INSERT INTO audit_log (id, at, actor, address, action, entity, entity_id, before_json, after_json) VALUES ($1, $2, 'system:bench', '', 'seed', 'zones', 'bench', NULL, $3)")
        .bind(audit)
        .bind(gongfu_store::service::now_string())
        .bind(serde_json::json!({"zones": inputs.len()}).to_string())
        .execute(&mut *tx)
        .await?;
    next(&mut tx, "generation").await?;
    tx.commit().await?;
    Ok(())
}

/// Seeds `reg` into `store` (which must be empty), then adds zones until `zones_total` exist
/// (pilot zones count): all but the last `service_zones` written in bulk, the last ones
/// through the real service path `Store::create_zone`, one call each, timed.
pub async fn seed(
    store: &Store,
    reg: &Registry,
    zones_total: usize,
    service_zones: usize,
    seed: u64,
    times: &mut SeedTimes,
) -> Result<()> {
    let t = Instant::now();
    store
        .seed_demo(&reg.towns, &reg.divisions, &reg.district)
        .await
        .context("seed_demo")?;
    times.seed_demo = t.elapsed();
    let pilots = reg.district.pilot_zones.len();
    times.zones_total = pilots;
    if zones_total <= pilots {
        return Ok(());
    }
    let pilot_members: std::collections::HashSet<&str> = reg
        .district
        .pilot_zones
        .iter()
        .flat_map(|z| z.members.iter().map(String::as_str))
        .collect();

    let t = Instant::now();
    let mut groups = adjacent_groups(reg, zones_total - pilots + pilots * 8, seed);
    groups.retain(|g| {
        g.iter()
            .all(|&i| !pilot_members.contains(reg.divisions[i].code.as_str()))
    });
    groups.truncate(zones_total - pilots);
    times.adjacency = t.elapsed();
    if groups.len() < zones_total - pilots {
        bail!(
            "found only {} groups of 3–6 adjacent villages, {} wanted",
            groups.len(),
            zones_total - pilots
        );
    }
    let inputs: Vec<ZoneInput> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| zone_input(reg, i, g))
        .collect();
    let n_bulk = inputs.len() - service_zones.min(inputs.len());

    let t = Instant::now();
    if n_bulk > 0 {
        bulk_zones(store, &inputs[..n_bulk])
            .await
            .context("bulk zones")?;
    }
    times.bulk_zones = n_bulk;
    times.bulk_total = t.elapsed();
    times.zones_total += n_bulk;

    let actor = Actor::system("bench");
    let today = gongfu_store::service::today();
    let started = Instant::now();
    for (i, input) in inputs[n_bulk..].iter().enumerate() {
        let t = Instant::now();
        store
            .create_zone(&actor, input, today)
            .await
            .with_context(|| format!("create_zone ({})", input.name))?;
        times.create_zone_each.push(t.elapsed());
        times.zones_created += 1;
        times.zones_total += 1;
        if (i + 1) % 10 == 0 {
            eprintln!(
                "  {} zones through create_zone, {:.1} s, last call {:.0} ms",
                i + 1,
                started.elapsed().as_secs_f64(),
                t.elapsed().as_secs_f64() * 1e3
            );
        }
    }
    times.create_zone_total = started.elapsed();

    // The bulk rows must satisfy what the service would have enforced.
    let snap = store.snapshot().await?;
    if snap.zones.len() != zones_total {
        bail!(
            "{} zones in the database, {zones_total} wanted",
            snap.zones.len()
        );
    }
    check_history(&snap.memberships)
        .map_err(|m| anyhow::anyhow!("bulk zones broke the membership rules: {m}"))?;
    Ok(())
}
