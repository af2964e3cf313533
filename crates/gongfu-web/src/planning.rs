//! 片区规划: runs the zone planner on the registry in the background (progress, cancel),
//! explains the proposal with numbers beside today's zones, and saves / adopts scenarios.
//!
//! The shell around `gongfu_plan::zoning`: this module turns the snapshot into planner units
//! and a contiguity graph, and the planner's labels back into named zones of village codes.

use crate::AppState;
use crate::error::{ApiError, JsonBody, PathParam};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gongfu_core::village::DivisionKind;
use gongfu_core::{DomainError, TownCode, VillageCode, ZoneId};
use gongfu_plan::contiguity::{self, Graph, IslandPolicy, Rule};
use gongfu_plan::geometry::{LocalProjection, Pt};
use gongfu_plan::zoning::{self, Count, Params, Unit, Weights};
use gongfu_store::{Actor, Snapshot};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use time::Date;

/// Boundaries closer than this (metres) count as touching: digitised village lines leave
/// slivers and small gaps between neighbours.
const TOUCH_TOLERANCE_M: f64 = 5.0;

/// What the planner is asked, as the form and the API send it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanRequest {
    /// Town codes in scope; empty means the whole district.
    #[serde(default)]
    pub towns: Vec<String>,
    /// Only these villages (codes), e.g. to re-plan the members of some zones; empty means
    /// every village of the towns in scope.
    #[serde(default)]
    pub villages: Vec<String>,
    /// `k` (a given number of zones) or `maxp` (as many as possible, each above the floor).
    #[serde(default = "default_mode")]
    pub mode: String,
    #[serde(default)]
    pub k: Option<usize>,
    /// Minimum zone size for max-p, in the size measure.
    #[serde(default)]
    pub floor: Option<f64>,
    /// `population` or `villages`.
    #[serde(default = "default_size")]
    pub size: String,
    #[serde(default)]
    pub min_size: Option<f64>,
    #[serde(default)]
    pub max_size: Option<f64>,
    /// 强村标准: operating income (万元) from which a village may lead a zone.
    #[serde(default = "default_strong")]
    pub strong_income_wan: f64,
    /// Key villages chosen by hand (village codes), in addition to the strong ones.
    #[serde(default)]
    pub key_villages: Vec<String>,
    #[serde(default = "yes")]
    pub require_key: bool,
    /// Villages already in a zone stay there.
    #[serde(default = "yes")]
    pub lock_existing: bool,
    #[serde(default)]
    pub stay_in_town: bool,
    /// Villages whose boundary touches no other village: join the nearest one (就近并入), or
    /// stop and name them so the boundaries can be checked first.
    #[serde(default = "yes")]
    pub attach_islands: bool,
    #[serde(default)]
    pub weights: WeightsBody,
    /// Attributes for the homogeneity objective.
    #[serde(default = "default_attrs")]
    pub attrs: Vec<String>,
    #[serde(default)]
    pub seed: u64,
}

fn default_mode() -> String {
    "k".into()
}
fn default_size() -> String {
    "population".into()
}
fn default_strong() -> f64 {
    300.0
}
fn yes() -> bool {
    true
}
fn default_attrs() -> Vec<String> {
    vec!["operating_income".into(), "disposable_income".into()]
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct WeightsBody {
    pub homogeneity: f64,
    pub balance: f64,
    pub diversity: f64,
    pub compactness: f64,
}

impl Default for WeightsBody {
    fn default() -> Self {
        WeightsBody {
            homogeneity: 1.0,
            balance: 1.0,
            diversity: 1.0,
            compactness: 1.0,
        }
    }
}

/// The attributes the homogeneity objective may use, with their labels.
pub const ATTRS: [(&str, &str); 4] = [
    ("operating_income", "经营性收入"),
    ("disposable_income", "人均可支配收入"),
    ("population", "户籍人口"),
    ("area", "面积"),
];

/// The planner's input built from the registry.
pub struct Built {
    pub codes: Vec<VillageCode>,
    pub names: Vec<String>,
    pub units: Vec<Unit>,
    pub graph: Graph,
    /// Villages attached to their nearest neighbour because nothing touched them.
    pub attachments: Vec<(usize, usize, f64)>,
    pub params: Params,
    /// The data year the figures come from.
    pub year: Option<i32>,
}

fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::new("invalid", field, message)
}

/// Checks the request and builds the planner's input. Every problem is reported at once.
pub fn build(snap: &Snapshot, req: &PlanRequest, day: Date) -> Result<Built, Vec<DomainError>> {
    let mut errors = Vec::new();
    let mut towns: Vec<TownCode> = Vec::new();
    for t in &req.towns {
        match TownCode::parse(t) {
            Ok(c) if snap.town(&c).is_some() => towns.push(c),
            _ => errors.push(invalid("towns", format!("镇街代码「{t}」不在名录中"))),
        }
    }
    let count = match req.mode.as_str() {
        "k" => match req.k {
            Some(k) if k >= 1 => Some(Count::K(k)),
            _ => {
                errors.push(invalid("k", "请填写片区数（至少 1 个）"));
                None
            }
        },
        "maxp" => match req.floor {
            Some(f) if f.is_finite() && f > 0.0 => Some(Count::MaxP { floor: f }),
            _ => {
                errors.push(invalid("floor", "“尽可能多”模式需要填写每个片区的规模下限"));
                None
            }
        },
        other => {
            errors.push(invalid(
                "mode",
                format!("规划方式「{other}」无效：应为 k（指定片区数）或 maxp（尽可能多）"),
            ));
            None
        }
    };
    if req.size != "population" && req.size != "villages" {
        errors.push(invalid(
            "size",
            "规模口径应为 population（人口）或 villages（村数）",
        ));
    }
    for (field, v) in [("min_size", req.min_size), ("max_size", req.max_size)] {
        if let Some(v) = v
            && !(v.is_finite() && v >= 0.0)
        {
            errors.push(invalid(field, "规模上下限应为非负数"));
        }
    }
    if let (Some(lo), Some(hi)) = (req.min_size, req.max_size)
        && lo > hi
    {
        errors.push(invalid("max_size", "规模上限不能小于下限"));
    }
    if !(req.strong_income_wan.is_finite() && req.strong_income_wan >= 0.0) {
        errors.push(invalid("strong_income_wan", "强村标准应为非负数（万元）"));
    }
    let w = req.weights;
    for (field, v) in [
        ("weights.homogeneity", w.homogeneity),
        ("weights.balance", w.balance),
        ("weights.diversity", w.diversity),
        ("weights.compactness", w.compactness),
    ] {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            errors.push(invalid(field, "权重应在 0 至 100 之间"));
        }
    }
    for a in &req.attrs {
        if !ATTRS.iter().any(|(k, _)| k == a) {
            errors.push(invalid("attrs", format!("属性「{a}」无效")));
        }
    }
    let mut hand_keys: Vec<VillageCode> = Vec::new();
    for k in &req.key_villages {
        match VillageCode::parse(k) {
            Ok(c) if snap.division(&c).is_some() => hand_keys.push(c),
            _ => errors.push(invalid(
                "key_villages",
                format!("重点村代码「{k}」不在名录中"),
            )),
        }
    }
    let mut only: Vec<VillageCode> = Vec::new();
    for v in &req.villages {
        match VillageCode::parse(v) {
            Ok(c) if snap.division(&c).is_some() => only.push(c),
            _ => errors.push(invalid("villages", format!("村代码「{v}」不在名录中"))),
        }
    }
    let year = snap.latest_year();
    let villages: Vec<&gongfu_store::snapshot::DivisionRec> = snap
        .divisions
        .iter()
        .filter(|d| {
            d.division.kind == DivisionKind::Village
                && d.division.status.is_active_on(day)
                && (towns.is_empty() || towns.contains(&d.division.town))
                && (only.is_empty() || only.contains(&d.division.code))
        })
        .collect();
    if villages.is_empty() {
        errors.push(invalid("towns", "所选范围内没有行政村"));
    }
    let Some(count) = count else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    // Units.
    let (lon0, lat0) = {
        let pts: Vec<(f64, f64)> = villages
            .iter()
            .filter_map(|d| Some((d.lon?, d.lat?)))
            .collect();
        let n = pts.len().max(1) as f64;
        (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        )
    };
    let proj = LocalProjection::new(lon0, lat0);
    let mut tag_ids: HashMap<&str, u16> = HashMap::new();
    let town_index: HashMap<&TownCode, u32> = snap
        .towns
        .iter()
        .enumerate()
        .map(|(i, t)| (&t.code, i as u32))
        .collect();
    let strong_fen = (req.strong_income_wan * 1_000_000.0).round() as i64;
    let mut units = Vec::with_capacity(villages.len());
    let mut codes = Vec::with_capacity(villages.len());
    let mut names = Vec::with_capacity(villages.len());
    let mut polygons: Vec<Vec<Vec<Pt>>> = Vec::with_capacity(villages.len());
    let mut centroids: Vec<Pt> = Vec::with_capacity(villages.len());
    for d in &villages {
        let code = &d.division.code;
        let f = year.and_then(|y| snap.figures(code, y));
        let income = f.map_or(0, |f| f.operating_income.0);
        let membership = snap.membership_of(code, day);
        let attr = |a: &str| -> f64 {
            match (a, f) {
                ("operating_income", Some(f)) => f.operating_income.0 as f64 / 1_000_000.0,
                ("disposable_income", Some(f)) => f.disposable_income.0 as f64 / 100.0,
                ("population", Some(f)) => f.population as f64,
                ("area", Some(f)) => f.area_km2,
                _ => 0.0,
            }
        };
        let tags = d
            .tags
            .iter()
            .map(|t| {
                let next = tag_ids.len() as u16;
                *tag_ids.entry(t.as_str()).or_insert(next)
            })
            .collect();
        let p = proj.to_xy(d.lon.unwrap_or(lon0), d.lat.unwrap_or(lat0));
        let rings: Vec<Vec<Pt>> = d
            .boundary
            .as_deref()
            .and_then(gongfu_io::geojson::outer_rings)
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|[lon, lat]| proj.to_xy(lon, lat))
                    .collect()
            })
            .collect();
        polygons.push(rings);
        centroids.push(p);
        units.push(Unit {
            attrs: req.attrs.iter().map(|a| attr(a)).collect(),
            size: if req.size == "villages" {
                1.0
            } else {
                f.map_or(0.0, |f| f.population as f64)
            },
            income: income as f64,
            key_candidate: income >= strong_fen
                || hand_keys.contains(code)
                || membership.is_some_and(|m| m.role == gongfu_core::zone::MemberRole::Key),
            weak: year.and_then(|y| snap.is_weak(code, y)) == Some(true),
            tags,
            x: p.x,
            y: p.y,
            group: town_index.get(&d.division.town).copied().unwrap_or(0),
            locked: if req.lock_existing {
                membership.map(|m| m.zone.0 as u32)
            } else {
                None
            },
        });
        codes.push(code.clone());
        names.push(format!(
            "{}{}",
            snap.town_name(&d.division.town),
            d.division.name
        ));
    }
    let touching = contiguity::from_polygons(&polygons, Rule::Queen, TOUCH_TOLERANCE_M);
    let policy = if req.attach_islands {
        IslandPolicy::Attach
    } else {
        IslandPolicy::Refuse
    };
    let (graph, attached) = if req.stay_in_town {
        // Islands join their nearest neighbour in their own town, or zones could not stay
        // within towns.
        let mut edges: Vec<(usize, usize)> = touching.edges().collect();
        let mut attached = Vec::new();
        let mut groups: Vec<u32> = units.iter().map(|u| u.group).collect();
        groups.sort_unstable();
        groups.dedup();
        for g in groups {
            let members: Vec<usize> = (0..units.len()).filter(|&i| units[i].group == g).collect();
            let local: HashMap<usize, usize> =
                members.iter().enumerate().map(|(k, &i)| (i, k)).collect();
            let sub_edges: Vec<(usize, usize)> = edges
                .iter()
                .filter_map(|(a, b)| Some((*local.get(a)?, *local.get(b)?)))
                .collect();
            let sub = Graph::from_edges(members.len(), &sub_edges)
                .map_err(|e| vec![invalid("towns", e.to_string())])?;
            let sub_names: Vec<String> = members.iter().map(|&i| names[i].clone()).collect();
            let sub_pts: Vec<Pt> = members.iter().map(|&i| centroids[i]).collect();
            let (_, added) = contiguity::connect(&sub, &sub_names, &sub_pts, policy)
                .map_err(|e| vec![invalid("attach_islands", e.to_string())])?;
            for a in added {
                let (u, to) = (members[a.unit], members[a.to]);
                edges.push((u, to));
                attached.push(contiguity::Attachment {
                    unit: u,
                    to,
                    distance: a.distance,
                });
            }
        }
        let graph = Graph::from_edges(units.len(), &edges)
            .map_err(|e| vec![invalid("towns", e.to_string())])?;
        (graph, attached)
    } else {
        contiguity::connect(&touching, &names, &centroids, policy)
            .map_err(|e| vec![invalid("attach_islands", e.to_string())])?
    };
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let (restarts, kicks) = zoning::default_budget(units.len(), threads, count);
    let params = Params {
        count,
        min_size: req.min_size,
        max_size: req.max_size,
        // A consortium is a key village and at least one linked village.
        min_units: 2,
        require_key: req.require_key,
        stay_in_group: req.stay_in_town,
        weights: Weights {
            homogeneity: w.homogeneity,
            balance: w.balance,
            diversity: w.diversity,
            compactness: w.compactness,
        },
        seed: req.seed,
        restarts: restarts.max(4),
        threads,
        kicks: kicks.max(50),
    };
    Ok(Built {
        codes,
        names,
        units,
        graph,
        attachments: attached
            .into_iter()
            .map(|a| (a.unit, a.to, a.distance))
            .collect(),
        params,
        year,
    })
}

/// Per-zone numbers as the table shows them.
fn stats_json(
    snap: &Snapshot,
    built: &Built,
    members: &[Vec<usize>],
    keys: &[Option<usize>],
) -> Vec<Value> {
    let stats = zoning::zone_stats(&built.units, members, keys);
    stats
        .iter()
        .zip(members)
        .zip(keys)
        .map(|((s, m), k)| {
            let key = k.map(|k| &built.codes[k]);
            json!({
                "villages": s.units,
                "population": m.iter().map(|&i| snap.figures(&built.codes[i], built.year.unwrap_or(0)).map_or(0, |f| f.population)).sum::<i64>(),
                "mean_income_wan": (s.mean_income / 10_000.0).round() / 100.0,
                "min_income_wan": if s.min_income.is_finite() { (s.min_income / 10_000.0).round() / 100.0 } else { 0.0 },
                "strong": s.strong,
                "weak": s.weak,
                "diversity": s.diversity,
                "mean_distance_km": (s.mean_distance_km * 10.0).round() / 10.0,
                "key_village": key.map(|c| c.as_str()),
                "key_name": key.and_then(|c| snap.division(c)).map(|d| d.division.name.clone()),
            })
        })
        .collect()
}

/// Overall measures for comparing two zonings (强村带弱村 and 资源互补).
fn overall(zones: &[Value]) -> Value {
    let n = zones.len().max(1) as f64;
    let f = |z: &Value, k: &str| z[k].as_f64().unwrap_or(0.0);
    let means: Vec<f64> = zones.iter().map(|z| f(z, "mean_income_wan")).collect();
    let avg = means.iter().sum::<f64>() / n;
    let sd = (means.iter().map(|m| (m - avg).powi(2)).sum::<f64>() / n).sqrt();
    json!({
        "zones": zones.len(),
        "villages": zones.iter().map(|z| f(z, "villages")).sum::<f64>(),
        "zones_with_strong": zones.iter().filter(|z| f(z, "strong") >= 1.0).count(),
        "zones_all_weak": zones.iter().filter(|z| f(z, "weak") >= f(z, "villages") && f(z, "villages") > 0.0).count(),
        "mean_income_cv": if avg > 0.0 { (sd / avg * 1000.0).round() / 1000.0 } else { 0.0 },
        "mean_diversity": (zones.iter().map(|z| f(z, "diversity")).sum::<f64>() / n * 10.0).round() / 10.0,
        "mean_distance_km": (zones.iter().map(|z| f(z, "mean_distance_km")).sum::<f64>() / n * 10.0).round() / 10.0,
    })
}

/// The proposal as JSON: zones (codes, key, suggested name, numbers), the assignment per
/// village, today's zones measured the same way, and what was attached to make the map whole.
pub fn proposal_json(snap: &Snapshot, built: &Built, plan: &zoning::Plan, day: Date) -> Value {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); plan.zones];
    for (i, &l) in plan.labels.iter().enumerate() {
        members[l as usize].push(i);
    }
    // Name zones after their key village; the existing zone keeps its own name.
    let existing: Vec<Option<ZoneId>> = members
        .iter()
        .map(|m| {
            m.iter()
                .find_map(|&i| built.units[i].locked.map(|z| ZoneId(z as i64)))
        })
        .collect();
    let stats = stats_json(snap, built, &members, &plan.keys);
    let zones: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(z, m)| {
            let key = plan.keys[z].or_else(|| {
                m.iter().copied().max_by(|&a, &b| {
                    built.units[a]
                        .income
                        .total_cmp(&built.units[b].income)
                        .then(b.cmp(&a))
                })
            });
            let name = match existing[z].and_then(|id| snap.zone(id)) {
                Some(zr) => zr.name.clone(),
                None => key
                    .and_then(|k| snap.division(&built.codes[k]))
                    .map(|d| format!("{}片区", gongfu_core::village::short_name(&d.division.name)))
                    .unwrap_or_else(|| format!("片区{}", z + 1)),
            };
            let mut s = stats[z].clone();
            s["index"] = json!(z);
            s["name"] = json!(name);
            s["existing_zone_id"] = json!(existing[z].map(|id| id.0));
            s["key_village"] = json!(key.map(|k| built.codes[k].as_str()));
            s["key_name"] = json!(
                key.and_then(|k| snap.division(&built.codes[k]))
                    .map(|d| d.division.name.clone())
            );
            s["codes"] = json!(
                m.iter()
                    .map(|&i| built.codes[i].as_str())
                    .collect::<Vec<_>>()
            );
            s
        })
        .collect();
    // Today's zones over the same villages, measured the same way.
    let mut today_members: HashMap<ZoneId, Vec<usize>> = HashMap::new();
    let mut today_keys: HashMap<ZoneId, usize> = HashMap::new();
    for (i, code) in built.codes.iter().enumerate() {
        if let Some(m) = snap.membership_of(code, day) {
            today_members.entry(m.zone).or_default().push(i);
            if m.role == gongfu_core::zone::MemberRole::Key {
                today_keys.insert(m.zone, i);
            }
        }
    }
    let mut ids: Vec<ZoneId> = today_members.keys().copied().collect();
    ids.sort();
    let tm: Vec<Vec<usize>> = ids.iter().map(|z| today_members[z].clone()).collect();
    let tk: Vec<Option<usize>> = ids.iter().map(|z| today_keys.get(z).copied()).collect();
    let mut today = stats_json(snap, built, &tm, &tk);
    for (z, id) in today.iter_mut().zip(&ids) {
        z["zone_id"] = json!(id.0);
        z["name"] = json!(snap.zone(*id).map(|r| r.name.clone()));
    }
    let assignment: serde_json::Map<String, Value> = built
        .codes
        .iter()
        .zip(&plan.labels)
        .map(|(c, l)| (c.to_string(), json!(l)))
        .collect();
    json!({
        "zones": zones,
        "assignment": assignment,
        "keys": plan.keys.iter().flatten().map(|&k| built.codes[k].as_str()).collect::<Vec<_>>(),
        "score": {"ssd": plan.score.ssd, "balance": plan.score.balance, "diversity": plan.score.diversity,
                   "compactness": plan.score.compactness, "total": plan.score.total},
        "overall": overall(&zones),
        "today": {"zones": today, "overall": overall(&today)},
        "attachments": built.attachments.iter().map(|(u, to, d)| json!({
            "village": built.names[*u], "to": built.names[*to], "distance_km": (d / 100.0).round() / 10.0,
        })).collect::<Vec<_>>(),
        "data_year": built.year,
        "units": built.units.len(),
    })
}

/// A background planner run.
pub struct Job {
    pub id: u64,
    pub owner: String,
    pub request: PlanRequest,
    done: AtomicUsize,
    total: AtomicUsize,
    cancel: AtomicBool,
    outcome: Mutex<Option<Result<Value, String>>>,
}

/// The runs of this server instance. A run's result lives here until it is saved as a
/// scenario (in the database) or pushed out by newer runs.
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<Vec<Arc<Job>>>,
    next: AtomicU64,
}

const KEEP_JOBS: usize = 32;

impl Jobs {
    fn add(&self, owner: &str, request: PlanRequest, total: usize) -> Arc<Job> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            owner: owner.to_string(),
            request,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(total),
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
        });
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if jobs.len() >= KEEP_JOBS {
            jobs.remove(0);
        }
        jobs.push(job.clone());
        job
    }

    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|j| j.id == id)
            .cloned()
    }
}

impl Job {
    pub fn status_json(&self) -> Value {
        let outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        let (status, result, error) = match &*outcome {
            None if self.cancel.load(Ordering::Relaxed) => ("cancelling", None, None),
            None => ("running", None, None),
            Some(Ok(v)) => ("done", Some(v.clone()), None),
            Some(Err(e)) if e == &zoning::PlanError::Cancelled.to_string() => {
                ("cancelled", None, Some(e.clone()))
            }
            Some(Err(e)) => ("failed", None, Some(e.clone())),
        };
        json!({
            "id": self.id, "status": status,
            "done": self.done.load(Ordering::Relaxed), "total": self.total.load(Ordering::Relaxed),
            "request": self.request, "result": result, "error": error,
        })
    }

    /// The finished proposal, if any.
    pub fn result(&self) -> Option<Value> {
        match &*self.outcome.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(v)) => Some(v.clone()),
            _ => None,
        }
    }
}

/// Who may plan: those who may edit zones in every town of the scope. A town user plans
/// their own town.
fn scope_for(actor: &Actor, req: &mut PlanRequest) -> Result<(), ApiError> {
    match &actor.role {
        gongfu_core::auth::Role::Admin => Ok(()),
        gongfu_core::auth::Role::Town { town } => {
            if req.towns.is_empty() {
                req.towns = vec![town.to_string()];
            }
            if req.towns.iter().all(|t| t == town.as_str()) {
                Ok(())
            } else {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "镇街用户只能规划本镇街的片区",
                ))
            }
        }
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "片区规划由区管理员或镇街用户操作",
        )),
    }
}

/// `POST /api/v1/plan/runs`: checks the request, starts the planner in the background and
/// answers 202 with the run's id; progress at `GET /api/v1/plan/runs/{id}`.
pub async fn start_run(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    JsonBody(mut req): JsonBody<PlanRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    scope_for(&actor, &mut req)?;
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let built = build(&snap, &req, day).map_err(ApiError::invalid)?;
    let job = st.jobs.add(&actor.name, req, built.params.restarts);
    let worker = job.clone();
    tokio::task::spawn_blocking(move || {
        let progress = |done: usize, total: usize| {
            worker.done.store(done, Ordering::Relaxed);
            worker.total.store(total, Ordering::Relaxed);
            !worker.cancel.load(Ordering::Relaxed)
        };
        let outcome = zoning::plan(&built.units, &built.graph, &built.params, &progress)
            .map(|plan| proposal_json(&snap, &built, &plan, day))
            .map_err(|e| explain(&snap, &built, &e));
        *worker.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    });
    Ok((StatusCode::ACCEPTED, Json(job.status_json())))
}

/// The planner's refusal in the registry's words: zones and villages by name.
fn explain(snap: &Snapshot, built: &Built, e: &zoning::PlanError) -> String {
    use zoning::PlanError as E;
    let village = |u: usize| built.names.get(u).cloned().unwrap_or_else(|| u.to_string());
    match e {
        E::LockedNotContiguous { zone } => format!(
            "已有片区「{}」的成员村边界互不相邻，无法在锁定它的同时保持连片；请先核对其村界，或取消“已有片区的成员村保持不动”",
            snap.zone(ZoneId(*zone as i64))
                .map_or_else(|| zone.to_string(), |z| z.name.clone())
        ),
        E::PieceWithoutKey { unit } => format!(
            "「{}」所在的一片相邻村中没有达到强村标准的村，无法组成以强村带弱村的片区；请降低强村标准或另行指定重点村",
            village(*unit)
        ),
        E::Unreachable { unit } => format!(
            "「{}」无法并入任何片区（相邻片区都已达到规模上限）；请放宽规模上限或增加片区数",
            village(*unit)
        ),
        E::BoundsUnmet {
            zones_outside,
            zones,
        } => {
            let named: Vec<String> = zones
                .iter()
                .map(|(members, size)| {
                    let first: Vec<String> = members.iter().take(3).map(|&u| village(u)).collect();
                    format!(
                        "{}{}（规模 {}）",
                        first.join("、"),
                        if members.len() > 3 {
                            format!("等 {} 个村", members.len())
                        } else {
                            String::new()
                        },
                        size.round()
                    )
                })
                .collect();
            format!(
                "有 {zones_outside} 个片区的规模无法满足上下限：{}。这些村所在的一片相邻村（或镇街）总规模不够，请放宽规模上下限、取消“不跨镇街”或调整片区数",
                named.join("；")
            )
        }
        other => other.to_string(),
    }
}

fn job_of(st: &AppState, id: u64) -> Result<Arc<Job>, ApiError> {
    st.jobs
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("规划运行 {id} 不存在或已过期，请重新运行")))
}

/// `GET /api/v1/plan/runs/{id}`.
pub async fn run_status(
    State(st): State<AppState>,
    PathParam(id): PathParam<u64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(job_of(&st, id)?.status_json()))
}

/// `POST /api/v1/plan/runs/{id}/cancel`.
pub async fn cancel_run(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    PathParam(id): PathParam<u64>,
) -> Result<Json<Value>, ApiError> {
    let job = job_of(&st, id)?;
    if job.owner != actor.name && actor.role != gongfu_core::auth::Role::Admin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只能取消自己发起的规划",
        ));
    }
    job.cancel.store(true, Ordering::Relaxed);
    Ok(Json(job.status_json()))
}

#[derive(Deserialize)]
pub struct SaveBody {
    pub name: String,
    pub run_id: u64,
}

/// The zones of a finished run, as the store keeps them.
fn proposed_zones(result: &Value) -> Result<Vec<gongfu_store::plans::ProposedZone>, ApiError> {
    let bad = || ApiError::bad_request("规划结果不完整，请重新运行");
    result["zones"]
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|z| {
            let codes = z["codes"]
                .as_array()
                .ok_or_else(bad)?
                .iter()
                .map(|c| VillageCode::parse(c.as_str().unwrap_or("")).map_err(|_| bad()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(gongfu_store::plans::ProposedZone {
                name: z["name"].as_str().unwrap_or("").to_string(),
                key_village: VillageCode::parse(z["key_village"].as_str().unwrap_or(""))
                    .map_err(|_| bad())?,
                villages: codes,
                existing: z["existing_zone_id"].as_i64().map(ZoneId),
            })
        })
        .collect()
}

/// `POST /api/v1/plan/scenarios`: saves a finished run as a named scenario.
pub async fn save_scenario(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    JsonBody(b): JsonBody<SaveBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job = job_of(&st, b.run_id)?;
    let result = job
        .result()
        .ok_or_else(|| ApiError::bad_request("该次规划尚未完成或没有结果，不能保存"))?;
    let zones = proposed_zones(&result)?;
    let params = serde_json::to_value(&job.request).unwrap_or(Value::Null);
    let id = st
        .store
        .save_scenario(&actor, &b.name, &params, &result, &zones)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `GET /api/v1/plan/scenarios`.
pub async fn list_scenarios(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"items": st.store.scenarios().await?})))
}

async fn scenario_or_404(
    st: &AppState,
    id: i64,
) -> Result<gongfu_store::plans::Scenario, ApiError> {
    st.store
        .scenario(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("方案 {id} 不存在")))
}

/// `GET /api/v1/plan/scenarios/{id}`.
pub async fn get_scenario(
    State(st): State<AppState>,
    PathParam(id): PathParam<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        serde_json::to_value(scenario_or_404(&st, id).await?).unwrap_or(Value::Null),
    ))
}

#[derive(Deserialize)]
pub struct VersionBody {
    pub version: i64,
}

/// `POST /api/v1/plan/scenarios/{id}/adopt`: creates and extends the zones (administrator).
pub async fn adopt_scenario(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<VersionBody>,
) -> Result<Json<Value>, ApiError> {
    let report = st
        .store
        .adopt_scenario(&actor, id, b.version, st.today())
        .await?;
    Ok(Json(serde_json::to_value(report).unwrap_or(Value::Null)))
}

/// `POST /api/v1/plan/scenarios/{id}/delete`.
pub async fn delete_scenario(
    State(st): State<AppState>,
    crate::api::RequestActor(actor): crate::api::RequestActor,
    PathParam(id): PathParam<i64>,
    JsonBody(b): JsonBody<VersionBody>,
) -> Result<StatusCode, ApiError> {
    st.store.delete_scenario(&actor, id, b.version).await?;
    Ok(StatusCode::NO_CONTENT)
}
