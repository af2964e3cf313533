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
    /// Optional capacity: how many people (of the service's demand) one new site can serve.
    #[serde(default)]
    pub capacity_people: Option<i64>,
    /// With a capacity: how many people one registered unit (bed, place …) of an existing
    /// facility serves; 1 when not given. Existing facilities without a registered capacity
    /// are not limited.
    #[serde(default)]
    pub people_per_unit: Option<f64>,
}

/// What a run proposes, kept to be saved into a zone's plan.
pub struct Proposal {
    pub kind: FacilityType,
    pub model: String,
    pub radius_m: f64,
    pub covered_before: i64,
    pub covered_after: i64,
    pub total_weight: i64,
    pub gap_text: String,
    pub method: String,
    /// (village, is the hub, people it adds)
    pub sites: Vec<(VillageCode, bool, i64)>,
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
    Ok(Json(propose(&st, &b).await?.0))
}

/// `POST /api/v1/zones/{id}/plan/service-layout`: runs the planner for the zone and saves the
/// proposal into the zone's draft plan (starting a draft when none is in the making).
pub async fn save_to_plan(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    crate::error::PathParam(zone): crate::error::PathParam<i64>,
    JsonBody(mut b): JsonBody<SitesBody>,
) -> Result<Json<Value>, ApiError> {
    b.zone = Some(zone);
    let (answer, p) = propose(&st, &b).await?;
    let layout = gongfu_store::work::zone_plan::ServiceLayout {
        facility_type: p.kind,
        model: p.model,
        radius_m: p.radius_m,
        covered_before: p.covered_before,
        covered_after: p.covered_after,
        total_weight: p.total_weight,
        gap_text: p.gap_text,
        method: p.method,
        sites: p
            .sites
            .into_iter()
            .map(
                |(village, hub, added)| gongfu_store::work::zone_plan::LayoutSite {
                    village,
                    hub,
                    added,
                },
            )
            .collect(),
        saved_by: String::new(),
        saved_at: String::new(),
    };
    let plan = st.store.save_service_layout(&actor, zone, &layout).await?;
    let saved = st
        .store
        .zone_plan(plan)
        .await?
        .ok_or_else(|| ApiError::not_found("规划不存在"))?;
    Ok(Json(json!({
        "plan": {"id": saved.id, "version_no": saved.version_no, "status": saved.status.key(),
                 "status_label": saved.status.label(), "url": format!("/zones/{zone}/plan#service-layouts")},
        "proposal": answer,
    })))
}

/// Runs the service planner as asked; the JSON answer and what it proposes.
pub async fn propose(st: &AppState, b: &SitesBody) -> Result<(Value, Proposal), ApiError> {
    let mut errors = Vec::new();
    let kind = FacilityType::parse(&b.kind)
        .map_err(|mut e| {
            e.field = "type".into();
            errors.push(e)
        })
        .ok();
    let reach = reach_of(b).map_err(|e| errors.push(e)).ok();
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
    if let Some(c) = b.capacity_people {
        if !(1..=10_000_000).contains(&c) {
            errors.push(DomainError::new(
                "out_of_range",
                "capacity_people",
                "每处新设施可服务人数应在 1 至 1000 万之间",
            ));
        }
        if !["mclp", "pmedian"].contains(&b.model.as_str()) {
            errors.push(DomainError::new(
                "invalid",
                "capacity_people",
                "容量约束只适用于「覆盖人口最多」和「总出行距离最短」两种目标",
            ));
        }
    }
    if let Some(u) = b.people_per_unit
        && !(u > 0.0 && u <= 10_000.0)
    {
        errors.push(DomainError::new(
            "out_of_range",
            "people_per_unit",
            "每单位容量服务人数应大于 0、不超过 10000",
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
    let counted: Vec<&gongfu_core::facilities::Facility> = snap
        .facilities
        .iter()
        .filter(|f| cov.sites.contains(&f.id))
        .filter(|f| snap.facility_point(f).is_some())
        .collect();
    let existing: Vec<(f64, f64)> = counted
        .iter()
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
        // Registry capacities are in beds and places; a stated number of people per unit
        // turns them into the population served. Without a capacity asked for, reach alone.
        capacity: match b.capacity_people {
            None => Vec::new(),
            Some(c) => {
                let per_unit = b.people_per_unit.unwrap_or(1.0);
                counted
                    .iter()
                    .map(|f| f.capacity.map_or(f64::INFINITY, |u| u as f64 * per_unit))
                    .chain(std::iter::repeat_n(c as f64, candidates.len()))
                    .collect()
            }
        },
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
    let mut after = service_coverage(&demand, &after_sites, reach);
    if b.capacity_people.is_some() && matches!(model, Model::Mclp { .. }) {
        // With capacities, within reach is not served: count what the sites have room for.
        after.covered_weight = solution.covered_weight.round() as i64;
        after.share_bp =
            gongfu_core::facilities::share_bp(after.covered_weight, after.total_weight);
    }
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
            .map(|(j, &p)| (j, gongfu_core::facilities::haversine_m((d.lon, d.lat), p)))
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
    let capacity_note = match b.capacity_people {
        None => String::new(),
        Some(c) => format!(
            "容量：每处新设施最多服务 {c} 人；现有设施按登记容量 × 每单位 {} 人计，未登记容量的不限。",
            b.people_per_unit.unwrap_or(1.0)
        ),
    };
    let method = if capacity_note.is_empty() {
        cov.method()
    } else {
        format!("{} {capacity_note}", cov.method())
    };
    let proposal = Proposal {
        kind,
        model: b.model.clone(),
        radius_m: reach.radius_m(),
        covered_before: before.covered_weight,
        covered_after: after.covered_weight,
        total_weight: after.total_weight,
        gap_text: gap_text.clone(),
        method: method.clone(),
        sites: solution
            .open
            .iter()
            .enumerate()
            .map(|(j, &s)| {
                (
                    candidates[s - existing.len()].0.clone(),
                    Some(j) == hub,
                    added[j],
                )
            })
            .collect(),
    };
    let answer = json!({
        "type": kind.key(),
        "type_label": kind.label(),
        "demand_label": cov.demand.label(),
        "method": method,
        "capacity_people": b.capacity_people,
        "people_per_unit": b.capacity_people.map(|_| b.people_per_unit.unwrap_or(1.0)),
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
    });
    Ok((answer, proposal))
}
