//! `POST /api/v1/plan/sites`: the service planner on the registry. For one service type, a
//! reach and a number of new sites, it answers today's coverage, the proposed hub
//! (中心服务区) and service points (功能服务点), the coverage gained and the stated gap to
//! the optimum. The shell around `gongfu_plan::siting`: demand are the villages in scope
//! weighted by the population the service is for, candidates their seats, and the existing
//! facilities of the type are fixed.

use crate::AppState;
use crate::error::{ApiError, JsonBody};
use axum::Json;
use axum::extract::State;
use gongfu_core::facilities::{DemandPoint, FacilityType, Reach, service_coverage};
use gongfu_core::{DomainError, VillageCode, ZoneId};
use gongfu_plan::siting::{self, Metric, Model, Problem};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub struct SitesBody {
    #[serde(rename = "type")]
    pub kind: String,
    /// Reach: a straight-line radius in metres, or minutes at a speed with a detour factor.
    #[serde(default)]
    pub radius_m: Option<f64>,
    #[serde(default)]
    pub minutes: Option<f64>,
    #[serde(default)]
    pub speed_kmh: Option<f64>,
    #[serde(default)]
    pub detour: Option<f64>,
    /// A zone's villages only; the whole district without.
    #[serde(default)]
    pub zone: Option<i64>,
    /// New sites to place (mclp, pmedian, pcenter).
    #[serde(default = "default_p")]
    pub p: usize,
    /// `mclp` (most people within reach, the default), `pmedian`, `lscp`, `pcenter`.
    #[serde(default = "default_model")]
    pub model: String,
    /// Count planned and building facilities as if open.
    #[serde(default)]
    pub include_planned: bool,
    /// Villages (codes) where a new site may go; every village in scope without.
    #[serde(default)]
    pub candidates: Vec<String>,
}

fn default_p() -> usize {
    2
}
fn default_model() -> String {
    "mclp".into()
}

fn reach_of(b: &SitesBody) -> Result<Reach, DomainError> {
    match (b.radius_m, b.minutes) {
        (Some(r), None) => Reach::metres(r),
        (None, Some(m)) => Reach::minutes(
            m,
            b.speed_kmh.ok_or_else(|| {
                DomainError::new(
                    "required",
                    "speed_kmh",
                    "按时间计算时请同时给出速度（公里/小时）",
                )
            })?,
            b.detour,
        ),
        (Some(_), Some(_)) => Err(DomainError::new(
            "invalid",
            "radius_m",
            "服务半径与时间只能给出一种",
        )),
        (None, None) => Err(DomainError::new(
            "required",
            "radius_m",
            "请给出服务半径 radius_m（米），或时间 minutes 与速度 speed_kmh",
        )),
    }
}

/// `POST /api/v1/plan/sites`.
pub async fn plan_sites(
    State(st): State<AppState>,
    JsonBody(b): JsonBody<SitesBody>,
) -> Result<Json<Value>, ApiError> {
    let mut errors = Vec::new();
    let kind = FacilityType::parse(&b.kind)
        .map_err(|mut e| {
            e.field = "type".into();
            errors.push(e)
        })
        .ok();
    let reach = reach_of(&b).map_err(|e| errors.push(e)).ok();
    if !(1..=50).contains(&b.p) && b.model != "lscp" {
        errors.push(DomainError::new(
            "out_of_range",
            "p",
            "新增设施数应在 1 至 50 之间",
        ));
    }
    if !["mclp", "pmedian", "lscp", "pcenter"].contains(&b.model.as_str()) {
        errors.push(DomainError::new(
            "invalid",
            "model",
            "选址模型应为 mclp（覆盖最多人口）、pmedian（总距离最短）、lscp（最少设施全覆盖）或 pcenter（最远距离最短）",
        ));
    }
    let snap = st.store.snapshot().await?;
    let mut chosen_candidates: Vec<(VillageCode, (f64, f64))> = Vec::new();
    for c in &b.candidates {
        match VillageCode::parse(c)
            .ok()
            .and_then(|v| snap.division(&v).map(|d| (v, d)))
        {
            Some((v, d)) => match d.lon.zip(d.lat) {
                Some(p) => chosen_candidates.push((v, p)),
                None => errors.push(DomainError::new(
                    "no_location",
                    "candidates",
                    format!("候选村「{}」没有位置，不能作为选址", d.division.name),
                )),
            },
            None => errors.push(DomainError::new(
                "unknown_village",
                "candidates",
                format!("候选村代码「{c}」不在名录中"),
            )),
        }
    }
    let (Some(kind), Some(reach)) = (kind, reach) else {
        return Err(ApiError::invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let day = st.today();
    let zone = b.zone.map(ZoneId);
    if let Some(z) = zone
        && !snap.zone(z).is_some_and(|r| r.is_live_on(day))
    {
        return Err(ApiError::not_found(format!("片区 {z} 不存在或已撤销")));
    }
    let cov = snap.service_coverage(kind, reach, day, b.include_planned);
    let in_scope = |c: &VillageCode| {
        zone.is_none_or(|z| snap.membership_of(c, day).is_some_and(|m| m.zone == z))
    };
    let demand: Vec<DemandPoint> = cov
        .demand_points
        .iter()
        .filter(|d| in_scope(&d.village))
        .cloned()
        .collect();
    if demand.is_empty() {
        return Err(ApiError::bad_request("所选范围内没有有位置的行政村"));
    }
    // Existing sites: every counted facility of the type, wherever it is (a clinic just over
    // the zone's edge still serves it).
    let existing: Vec<(f64, f64)> = snap
        .facilities
        .iter()
        .filter(|f| cov.sites.contains(&f.id))
        .filter_map(|f| snap.facility_point(f))
        .collect();
    // Candidate sites: the villages asked for, or every village in scope.
    let candidates: Vec<(VillageCode, (f64, f64))> = if chosen_candidates.is_empty() {
        demand
            .iter()
            .map(|d| (d.village.clone(), (d.lon, d.lat)))
            .collect()
    } else {
        chosen_candidates
    };
    let problem = Problem {
        metric: Metric::Wgs84,
        demand: demand.iter().map(|d| (d.lon, d.lat)).collect(),
        weights: demand.iter().map(|d| d.weight as f64).collect(),
        sites: existing
            .iter()
            .copied()
            .chain(candidates.iter().map(|c| c.1))
            .collect(),
        candidates: (existing.len()..existing.len() + candidates.len()).collect(),
        fixed: (0..existing.len()).collect(),
        // Registry capacities are in places and beds, not in the population served; the
        // page plans by reach alone.
        capacity: Vec::new(),
    };
    let radius_km = reach.radius_m() / 1000.0;
    let model = match b.model.as_str() {
        "pmedian" => Model::PMedian { p: b.p },
        "lscp" => Model::Lscp { radius_km },
        "pcenter" => Model::PCenter { p: b.p },
        _ => Model::Mclp { p: b.p, radius_km },
    };
    let solution = siting::solve(&problem, model)
        .map_err(|e| ApiError::invalid(vec![DomainError::new("infeasible", "p", e.to_string())]))?;
    let before = service_coverage(&demand, &existing, reach);
    let chosen: Vec<(f64, f64)> = solution.open.iter().map(|&s| problem.sites[s]).collect();
    let after_sites: Vec<(f64, f64)> = existing.iter().chain(chosen.iter()).copied().collect();
    let after = service_coverage(&demand, &after_sites, reach);
    // What each new site adds: the weight it covers that nothing else already did; the one
    // adding most is the hub (中心服务区), the others service points (功能服务点).
    let mut added: Vec<i64> = vec![0; chosen.len()];
    for (k, d) in demand.iter().enumerate() {
        if before.points[k].covered {
            continue;
        }
        let near = chosen
            .iter()
            .enumerate()
            .map(|(j, &p)| (j, haversine_m((d.lon, d.lat), p)))
            .filter(|(_, m)| *m <= reach.radius_m())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((j, _)) = near {
            added[j] += d.weight;
        }
    }
    let hub = (0..chosen.len()).max_by_key(|&j| (added[j], std::cmp::Reverse(j)));
    let sites: Vec<Value> = solution
        .open
        .iter()
        .enumerate()
        .map(|(j, &s)| {
            let (code, (lon, lat)) = &candidates[s - existing.len()];
            let div = snap.division(code);
            json!({
                "village_code": code.as_str(),
                "name": div.map(|x| x.division.name.clone()),
                "town": snap.town_name(&code.town()),
                "lon": lon, "lat": lat,
                "role": if Some(j) == hub { "hub" } else { "point" },
                "role_label": if Some(j) == hub { "中心服务区" } else { "功能服务点" },
                "added": added[j],
            })
        })
        .collect();
    let gap_text = match model {
        Model::Mclp { .. } => format!(
            "可证明：任何方案最多覆盖 {:.0} 人，本方案与最优相差不超过 {:.1}%",
            solution.bound,
            solution.gap * 100.0
        ),
        Model::PMedian { .. } => format!(
            "可证明：本方案的总出行距离比最优至多多 {:.1}%",
            solution.gap * 100.0
        ),
        Model::Lscp { .. } => format!(
            "可证明：全覆盖至少需要 {:.0} 处新设施，本方案用 {:.0} 处",
            solution.bound, solution.objective
        ),
        Model::PCenter { .. } => format!(
            "可证明：最远距离不可能低于 {:.1} 公里，本方案为 {:.1} 公里",
            solution.bound, solution.objective
        ),
    };
    let coverage = |c: &gongfu_core::facilities::CoverageResult| {
        json!({"covered": c.covered_weight, "total": c.total_weight, "share_bp": c.share_bp,
               "villages_uncovered": c.uncovered.len()})
    };
    Ok(Json(json!({
        "type": kind.key(),
        "type_label": kind.label(),
        "demand_label": cov.demand.label(),
        "method": cov.method(),
        "zone": zone.map(|z| z.0),
        "model": b.model,
        "radius_m": reach.radius_m(),
        "existing_sites": existing.len(),
        "before": coverage(&before),
        "after": coverage(&after),
        "gain": after.covered_weight - before.covered_weight,
        "sites": sites,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "gap_text": gap_text,
        "uncovered_after": after.uncovered.iter().map(|u| json!({
            "code": u.village.as_str(),
            "name": snap.division(&u.village).map(|d| d.division.name.clone()),
            "nearest_m": u.nearest_m.map(|m| m.round()),
        })).collect::<Vec<_>>(),
    })))
}

fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * gongfu_core::facilities::EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}
