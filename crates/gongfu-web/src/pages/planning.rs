//! 片区规划 pages: the planner form (run, progress, result), saved scenarios, one scenario
//! with its maps, two scenarios side by side, and adopting one.

use super::{Layout, form_pairs, form_value, json_island};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::village::DivisionKind;
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "planning.html")]
pub struct PlanningPage {
    pub layout: Layout,
    pub towns: Vec<(String, String)>,
    /// A town user's own town (their scope is fixed), else empty.
    pub town_locked: String,
    pub default_k: usize,
    /// `[[town code, operating income 万元], …]` for the live count of strong villages.
    pub incomes_json: String,
    pub scenarios: usize,
}

pub async fn page(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let year = snap.latest_year().unwrap_or(0);
    let incomes: Vec<(String, f64)> = snap
        .divisions
        .iter()
        .filter(|d| d.division.kind == DivisionKind::Village && d.division.status.is_active_on(day))
        .map(|d| {
            (
                d.division.town.to_string(),
                snap.figures(&d.division.code, year)
                    .map_or(0.0, |f| f.operating_income.0 as f64 / 1_000_000.0),
            )
        })
        .collect();
    let town_locked = match crate::auth::current().map(|c| c.user.role.clone()) {
        Some(gongfu_core::auth::Role::Town { town }) => town.to_string(),
        _ => String::new(),
    };
    let live = snap.zones.iter().filter(|z| z.is_live_on(day)).count();
    Ok(PlanningPage {
        layout: Layout::new("片区规划", "planning", snap.is_demo),
        towns: snap
            .towns
            .iter()
            .map(|t| (t.code.to_string(), t.name.clone()))
            .collect(),
        town_locked,
        // The policy's aim: every village in a consortium, about 10 district zones by 2027;
        // a first proposal of one zone per 10 villages is a reasonable start.
        default_k: (incomes.len() / 10).max(live).max(1),
        incomes_json: serde_json::to_string(&incomes).unwrap_or_else(|_| "[]".into()),
        scenarios: st.store.scenarios().await?.len(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "scenarios.html")]
pub struct ScenariosPage {
    pub layout: Layout,
    pub items: Vec<gongfu_store::plans::ScenarioHead>,
    pub message: String,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    Ok(ScenariosPage {
        layout: Layout::new("规划方案", "planning", snap.is_demo),
        items: st.store.scenarios().await?,
        message: match q.get("msg").map(String::as_str) {
            Some("deleted") => "方案已删除。".into(),
            _ => String::new(),
        },
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "scenario.html")]
pub struct ScenarioPage {
    pub layout: Layout,
    pub s: gongfu_store::plans::Scenario,
    pub data: String,
    pub params: Vec<(String, String)>,
    pub others: Vec<(i64, String)>,
    pub errors: Vec<String>,
    pub message: String,
}

/// The request as people read it.
fn describe(params: &serde_json::Value, snap: &gongfu_store::Snapshot) -> Vec<(String, String)> {
    let p = params;
    let towns: Vec<String> = p["towns"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str())
                .filter_map(|t| gongfu_core::TownCode::parse(t).ok())
                .map(|t| snap.town_name(&t).to_string())
                .collect()
        })
        .unwrap_or_default();
    let yes_no = |v: &serde_json::Value| {
        if v.as_bool() == Some(true) {
            "是"
        } else {
            "否"
        }
    };
    let w = &p["weights"];
    vec![
        (
            "范围".into(),
            if towns.is_empty() {
                "全区".into()
            } else {
                towns.join("、")
            },
        ),
        (
            "方式".into(),
            if p["mode"] == "maxp" {
                format!("尽可能多，每片不低于 {}", p["floor"])
            } else {
                format!("{} 个片区", p["k"])
            },
        ),
        (
            "规模口径".into(),
            if p["size"] == "villages" {
                "村数"
            } else {
                "户籍人口"
            }
            .into(),
        ),
        (
            "强村标准".into(),
            format!("{} 万元", p["strong_income_wan"]),
        ),
        ("每片须有重点村".into(), yes_no(&p["require_key"]).into()),
        (
            "已有片区保持不动".into(),
            yes_no(&p["lock_existing"]).into(),
        ),
        ("不跨镇街".into(), yes_no(&p["stay_in_town"]).into()),
        ("飞地就近并入".into(), yes_no(&p["attach_islands"]).into()),
        (
            "另行指定的重点村".into(),
            p["key_villages"]
                .as_array()
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str())
                        .map(|c| {
                            gongfu_core::VillageCode::parse(c)
                                .ok()
                                .and_then(|v| snap.division(&v))
                                .map_or(c.to_string(), |d| d.division.name.clone())
                        })
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_else(|| "无".into()),
        ),
        (
            "权重".into(),
            format!(
                "收入均衡 {}，产业互补 {}，距离紧凑 {}，发展水平相近 {}",
                w["balance"], w["diversity"], w["compactness"], w["homogeneity"]
            ),
        ),
        ("随机种子".into(), p["seed"].to_string()),
    ]
}

async fn render_scenario(
    st: &AppState,
    id: i64,
    errors: Vec<String>,
    message: String,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let s = st
        .store
        .scenario(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("方案 {id} 不存在")))?;
    let others = st
        .store
        .scenarios()
        .await?
        .into_iter()
        .filter(|h| h.id != id)
        .map(|h| (h.id, h.name))
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::CONFLICT
    };
    Ok((
        status,
        ScenarioPage {
            layout: Layout::new(format!("方案：{}", s.name), "planning", snap.is_demo),
            data: json_island(&s.summary),
            params: describe(&s.params, &snap),
            s,
            others,
            errors,
            message,
        },
    )
        .into_response())
}

pub async fn detail(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let message = match q.get("msg").map(String::as_str) {
        Some("adopted") => "方案已采纳：片区已按方案新建或扩展，详见片区列表和审计日志。".into(),
        _ => String::new(),
    };
    render_scenario(&st, id, vec![], message).await
}

fn version_of(body: &Bytes) -> Result<i64, ApiError> {
    form_value(&form_pairs(body), "version")
        .parse::<i64>()
        .map_err(|_| ApiError::bad_request("缺少版本号，请刷新页面后重试"))
}

pub async fn adopt_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = async {
        let version = version_of(&body)?;
        st.store
            .adopt_scenario(&actor, id, version, st.today())
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/planning/scenarios/{id}?msg=adopted")).into_response())
        }
        Err(e) => render_scenario(&st, id, super::villages::messages(e), String::new()).await,
    }
}

pub async fn delete_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = async {
        let version = version_of(&body)?;
        st.store.delete_scenario(&actor, id, version).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/planning/scenarios?msg=deleted").into_response()),
        Err(e) => render_scenario(&st, id, super::villages::messages(e), String::new()).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "compare.html")]
pub struct ComparePage {
    pub layout: Layout,
    pub a: gongfu_store::plans::ScenarioHead,
    pub b: gongfu_store::plans::ScenarioHead,
    pub a_data: String,
    pub b_data: String,
}

pub async fn compare(
    State(st): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let id = |k: &str| {
        q.get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| ApiError::bad_request("请选择两个方案进行对比"))
    };
    let (ia, ib) = (id("a")?, id("b")?);
    let heads = st.store.scenarios().await?;
    let head = |i: i64| {
        heads
            .iter()
            .find(|h| h.id == i)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("方案 {i} 不存在")))
    };
    let (a, b) = (head(ia)?, head(ib)?);
    let sa = st.store.scenario(ia).await?.map(|s| s.summary);
    let sb = st.store.scenario(ib).await?.map(|s| s.summary);
    Ok(ComparePage {
        layout: Layout::new("方案对比", "planning", snap.is_demo),
        a,
        b,
        a_data: json_island(&sa),
        b_data: json_island(&sb),
    }
    .into_response())
}
