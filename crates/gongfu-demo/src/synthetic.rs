//! Province-scale fake division lists, for benchmarking the platform beyond one district.
//!
//! The rows look like real ones (9-digit town codes, 12-digit division codes that start with
//! them) but the names say plainly that they are demo data: 示范镇0012, 示范村00123.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{DivisionKind, DivisionRow, Terrain, TownCentre};

/// Division codes leave three digits for the division within its town.
const MAX_PER_TOWN: usize = 999;

/// Land per town, km²: about what a Zhejiang 乡镇 covers, so layouts keep realistic density.
const KM2_PER_TOWN: f64 = 130.0;

/// Centre of the synthetic province (roughly Zhejiang's).
const CENTRE: (f64, f64) = (120.3, 29.2);

/// Towns per synthetic county, which only shapes the code numbering.
const TOWNS_PER_COUNTY: usize = 40;

/// Makes `n_villages` division rows spread over `n_towns` towns, plus the towns' centres.
///
/// Towns sit on a jittered lattice around [`CENTRE`] sized to about 130 km² per town, with
/// terrain more mountainous towards the south-west. Divisions are shared out unevenly
/// between towns (some towns may get none); about one in eight is a community, most of an
/// urban town's. Rows are sorted by code like the real list. Same arguments, same output.
///
/// # Panics
///
/// If `n_villages > 999 × n_towns` (division codes have three digits for the division), which
/// includes asking for villages with no towns.
pub fn generate_synthetic(
    n_villages: usize,
    n_towns: usize,
    seed: u64,
) -> (Vec<DivisionRow>, Vec<TownCentre>) {
    assert!(
        n_villages <= MAX_PER_TOWN * n_towns,
        "{n_villages} divisions do not fit in {n_towns} towns of at most {MAX_PER_TOWN}"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);

    let side_km = (n_towns as f64 * KM2_PER_TOWN).sqrt();
    let cols = (n_towns as f64).sqrt().ceil().max(1.0) as usize;
    let rows_n = n_towns.div_ceil(cols).max(1);
    let km_per_deg_lat = 111.195;
    let km_per_deg_lon = km_per_deg_lat * CENTRE.1.to_radians().cos();
    let step_km = side_km / cols as f64;

    let mut towns = Vec::with_capacity(n_towns);
    for i in 0..n_towns {
        let (col, row) = (i % cols, i / cols);
        // Jitter within the lattice cell keeps towns apart without a rejection loop.
        let x_km = (col as f64 + 0.5 + rng.random_range(-0.35..0.35)) * step_km - side_km / 2.0;
        let y_km = (row as f64 + 0.5 + rng.random_range(-0.35..0.35)) * step_km
            - rows_n as f64 * step_km / 2.0;
        // 0 in the north-east corner, 1 in the south-west.
        let south_west =
            ((0.5 - x_km / side_km.max(1e-9)) + (0.5 - y_km / side_km.max(1e-9))) / 2.0;
        let south_west = south_west.clamp(0.0, 1.0);
        let p_mountain = 0.05 + 0.45 * south_west;
        let u: f64 = rng.random();
        let terrain = if u < 0.08 {
            Terrain::Urban
        } else if u < 0.08 + p_mountain {
            Terrain::Mountain
        } else if u < 0.33 + p_mountain {
            Terrain::Hill
        } else {
            Terrain::Plain
        };
        let county = i / TOWNS_PER_COUNTY + 1;
        let town = i % TOWNS_PER_COUNTY + 1;
        towns.push(TownCentre {
            code: format!("33{county:04}{town:03}"),
            name: format!("示范镇{:04}", i + 1),
            lon: CENTRE.0 + x_km / km_per_deg_lon,
            lat: CENTRE.1 + y_km / km_per_deg_lat,
            terrain,
        });
    }

    // Uneven town sizes: log-normal weights, drawn by inverse CDF over their running sum.
    let mut cumulative = Vec::with_capacity(n_towns);
    let mut total = 0.0;
    for _ in 0..n_towns {
        let z: f64 = (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0;
        total += (0.5 * z).exp();
        cumulative.push(total);
    }
    let mut counts = vec![0usize; n_towns];
    for _ in 0..n_villages {
        let target = rng.random::<f64>() * total;
        let mut t = cumulative.partition_point(|&c| c < target).min(n_towns - 1);
        // A full town passes the division on; the assert above guarantees room somewhere.
        while counts[t] == MAX_PER_TOWN {
            t = (t + 1) % n_towns;
        }
        counts[t] += 1;
    }

    let mut rows = Vec::with_capacity(n_villages);
    for (town, &count) in towns.iter().zip(&counts) {
        let community_share = if town.terrain == Terrain::Urban {
            0.85
        } else {
            0.08
        };
        for k in 0..count {
            let n = rows.len() + 1;
            let (kind, name) = if rng.random_bool(community_share) {
                (DivisionKind::Community, format!("示范社区{n:05}"))
            } else {
                (DivisionKind::Village, format!("示范村{n:05}"))
            };
            rows.push(DivisionRow {
                town_code: town.code.clone(),
                town_name: town.name.clone(),
                code: format!("{}{:03}", town.code, k + 1),
                name,
                kind,
            });
        }
    }
    (rows, towns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn synthetic_rows_have_unique_well_formed_codes() {
        let (rows, towns) = generate_synthetic(20_000, 800, 1);
        assert_eq!(rows.len(), 20_000);
        assert_eq!(towns.len(), 800);
        let codes: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), rows.len());
        let town_codes: HashSet<&str> = towns.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(town_codes.len(), towns.len());
        for t in &towns {
            assert!(t.code.len() == 9 && t.code.bytes().all(|b| b.is_ascii_digit()));
        }
        for r in &rows {
            assert!(r.code.len() == 12 && r.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(r.code.starts_with(&r.town_code));
            assert!(town_codes.contains(r.town_code.as_str()));
        }
        assert_eq!(towns[11].name, "示范镇0012");
        assert!(rows.iter().any(|r| r.kind == DivisionKind::Community));
        assert!(
            rows.iter()
                .any(|r| r.name == "示范村00123" || r.name == "示范社区00123")
        );
    }

    #[test]
    fn synthetic_rows_round_trip_through_the_csv_parsers() {
        let (rows, towns) = generate_synthetic(500, 30, 9);
        let mut csv = String::from("town_code,town_name,village_code,village_name,kind\n");
        for r in &rows {
            csv += &format!(
                "{},{},{},{},{}\n",
                r.town_code,
                r.town_name,
                r.code,
                r.name,
                r.kind.as_str()
            );
        }
        assert_eq!(crate::parse_divisions_csv(&csv).unwrap(), rows);
        let mut csv = String::from("town_code,town_name,lon,lat,terrain\n");
        for t in &towns {
            csv += &format!(
                "{},{},{},{},{}\n",
                t.code,
                t.name,
                t.lon,
                t.lat,
                t.terrain.as_str()
            );
        }
        assert_eq!(crate::parse_town_centres_csv(&csv).unwrap(), towns);
    }

    #[test]
    fn synthetic_data_is_deterministic_per_seed() {
        assert_eq!(
            generate_synthetic(300, 20, 5),
            generate_synthetic(300, 20, 5)
        );
        assert_ne!(
            generate_synthetic(300, 20, 5),
            generate_synthetic(300, 20, 6)
        );
    }

    #[test]
    fn towns_fill_up_to_999_divisions_before_overflowing() {
        let (rows, _) = generate_synthetic(1_998, 2, 1);
        assert_eq!(rows.len(), 1_998);
        assert!(rows.iter().all(|r| r.code.len() == 12));
        assert_eq!(generate_synthetic(0, 0, 1), (vec![], vec![]));
    }

    #[test]
    #[should_panic(expected = "do not fit")]
    fn too_many_divisions_for_the_towns_panics() {
        generate_synthetic(1_000, 1, 1);
    }
}
