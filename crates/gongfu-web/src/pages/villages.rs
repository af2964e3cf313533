//! 村庄 (village list and village detail).

use super::{Layout, form_pairs, form_value, is_htmx, json_island};
use crate::AppState;
use crate::api::{RequestActor, StatusBody, optional_date, parse_status};
use crate::error::PageError;
use crate::views::{self, VillagePage, VillageQuery, VillageRow, ZoneRow};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::village::date_string;
use gongfu_core::{Fen, ZoneId};

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn opt(value: impl Into<String>, label: impl Into<String>, current: &str) -> Opt {
    let value = value.into();
    let selected = value == current;
    Opt {
        value,
        label: label.into(),
        selected,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "villages.html")]
pub struct VillagesPage {
    pub layout: Layout,
    pub p: VillagePage,
    pub q: String,
    pub towns: Vec<Opt>,
    pub zones: Vec<Opt>,
    pub weak: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub sorts: Vec<Opt>,
    pub query_base: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "village_table.html")]
pub struct VillageTable {
    pub p: VillagePage,
    pub query_base: String,
}

pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<VillageQuery>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let p = views::village_page(&snap, day, &q);
    // The filters again, without the page, for the pager links.
    let query_base = super::query_string(&[
        ("q", &q.q),
        ("town", &q.town),
        ("zone", &q.zone),
        ("weak", &q.weak),
        ("kind", &q.kind),
        ("sort", &q.sort),
    ]);
    if is_htmx(&headers) {
        return Ok(VillageTable { p, query_base }.into_response());
    }
    let cur = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut towns = vec![opt("", "全部镇街", &cur(&q.town))];
    towns.extend(
        snap.towns
            .iter()
            .map(|t| opt(t.code.as_str(), t.name.clone(), &cur(&q.town))),
    );
    let mut zones = vec![
        opt("", "全部", &cur(&q.zone)),
        opt("none", "未纳入片区", &cur(&q.zone)),
        opt("any", "已纳入片区", &cur(&q.zone)),
    ];
    zones.extend(
        snap.zones
            .iter()
            .filter(|z| z.is_live_on(day))
            .map(|z| opt(z.id.to_string(), z.name.clone(), &cur(&q.zone))),
    );
    let weak = vec![
        opt("", "全部", &cur(&q.weak)),
        opt("1", "薄弱村", &cur(&q.weak)),
        opt("0", "非薄弱村", &cur(&q.weak)),
    ];
    let kind_cur = q.kind.clone().unwrap_or_else(|| "village".into());
    let kinds = vec![
        opt("village", "行政村", &kind_cur),
        opt("community", "社区", &kind_cur),
        opt("all", "村和社区", &kind_cur),
    ];
    let sort_cur = q.sort.clone().unwrap_or_else(|| "code".into());
    let sorts = vec![
        opt("code", "按代码", &sort_cur),
        opt("town", "按镇街", &sort_cur),
        opt("name", "按村名", &sort_cur),
        opt("-income", "经营性收入从高到低", &sort_cur),
        opt("income", "经营性收入从低到高", &sort_cur),
        opt("-population", "人口从多到少", &sort_cur),
    ];
    Ok(VillagesPage {
        layout: Layout::new("村庄", "villages", snap.is_demo),
        p,
        q: q.q.clone().unwrap_or_default(),
        towns,
        zones,
        weak,
        kinds,
        sorts,
        query_base,
    }
    .into_response())
}

pub struct YearRow {
    pub year: i32,
    pub population: String,
    pub households: String,
    pub income_wan: String,
    pub income_yuan: String,
    pub disposable: String,
    pub area: String,
    pub weak: bool,
}

pub struct HistoryRow {
    pub zone_id: i64,
    pub zone_name: String,
    pub role: &'static str,
    pub from: String,
    pub to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "village.html")]
pub struct VillageDetailPage {
    pub layout: Layout,
    pub v: VillageRow,
    pub zone: Option<ZoneRow>,
    pub years: Vec<YearRow>,
    pub history: Vec<HistoryRow>,
    pub chart_json: String,
    pub zones: Vec<Opt>,
    pub today: String,
    pub status_from: String,
    pub merged_into: String,
    pub weak_rule: String,
    pub version: i64,
    pub errors: Vec<String>,
    /// 变更记录 from the audit log.
    pub changes: Vec<gongfu_store::accounts::AuditEntry>,
    /// 基础设施 checklist (villages only).
    pub infra: Vec<super::facilities::InfraRow>,
}

async fn render_detail(
    st: &AppState,
    code: &str,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let status = super::form_status(errors.is_empty());
    render_detail_status(st, code, errors, status).await
}

/// The village page, answered with `status` (409 for a stale save, 422 for a refused form).
pub(super) async fn render_detail_status(
    st: &AppState,
    code: &str,
    errors: Vec<String>,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let detail = crate::api::village_detail(&snap, code, day)?;
    let c = gongfu_core::VillageCode::parse(code)?;
    let idx = snap
        .division_index(&c)
        .ok_or_else(|| crate::error::ApiError::not_found("村不存在"))?;
    let v = views::village_row(&snap, idx, day, snap.latest_year());
    let zone = v
        .zone_id
        .and_then(|z| snap.zone(ZoneId(z)))
        .map(|z| views::zone_row(&snap, z, day));
    let years: Vec<YearRow> = snap
        .years(&c)
        .iter()
        .rev()
        .map(|f| YearRow {
            year: f.year.get(),
            population: views::group(f.population),
            households: views::group(f.households),
            income_wan: f.operating_income.wan_yuan_string(),
            income_yuan: f.operating_income.yuan_string(),
            disposable: views::group(f.disposable_income.0 / 100),
            area: format!("{:.2}", f.area_km2),
            weak: v.kind == "village" && snap.weak_rule.is_weak(f),
        })
        .collect();
    let history = snap
        .memberships
        .iter()
        .filter(|m| m.village == c)
        .map(|m| HistoryRow {
            zone_id: m.zone.0,
            zone_name: snap
                .zone(m.zone)
                .map(|z| z.name.clone())
                .unwrap_or_default(),
            role: if m.role == gongfu_core::zone::MemberRole::Key {
                "重点村"
            } else {
                "联结村"
            },
            from: date_string(m.from),
            to: m.to.map(date_string).unwrap_or_else(|| "至今".into()),
        })
        .collect();
    let cur = v.zone_id.map(|z| z.to_string()).unwrap_or_default();
    let mut zones = vec![opt("", "（移出片区，不属于任何片区）", &cur)];
    zones.extend(
        snap.zones
            .iter()
            .filter(|z| z.is_live_on(day))
            .map(|z| opt(z.id.to_string(), z.name.clone(), &cur)),
    );
    let infra = super::facilities::village_infra_rows(&snap, &c);
    Ok((
        status,
        VillageDetailPage {
            infra,
            layout: Layout::new(v.name.clone(), "villages", snap.is_demo),
            chart_json: json_island(&detail["years"]),
            status_from: detail["status_from"].as_str().unwrap_or("").to_string(),
            merged_into: detail["merged_into"].as_str().unwrap_or("").to_string(),
            weak_rule: Fen(snap.weak_rule.income_below.0).wan_yuan_string(),
            version: snap.divisions[idx].version,
            v,
            zone,
            years,
            history,
            zones,
            today: date_string(day),
            errors,
            changes: village_history(st, code).await?,
        },
    )
        .into_response())
}

/// The village's audit lines and its infrastructure records' (基础设施填报), newest first.
async fn village_history(
    st: &AppState,
    code: &str,
) -> Result<Vec<gongfu_store::accounts::AuditEntry>, PageError> {
    let mut changes = st.store.history("village", code).await?;
    for item in gongfu_core::facilities::InfraItem::ALL {
        let id = format!("{code}:{}", item.key());
        for mut e in st.store.history("village_infra", &id).await? {
            if e.action == "set_infra" {
                e.action = format!("基础设施填报（{}）", item.label());
            }
            changes.push(e);
        }
    }
    changes.sort_by_key(|e| std::cmp::Reverse(e.id));
    Ok(changes)
}

pub async fn detail(
    State(st): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    render_detail(&st, &code, vec![]).await
}

pub async fn move_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let zone = form_value(&pairs, "zone_id");
    let result = async {
        let day = optional_date("effective", Some(&form_value(&pairs, "effective")))?
            .unwrap_or_else(|| st.today());
        let to = if zone.is_empty() {
            None
        } else {
            Some(ZoneId(zone.parse::<i64>().map_err(|_| {
                crate::error::ApiError::bad_request("片区编号无效")
            })?))
        };
        st.store.move_village(&actor, &code, to, day).await?;
        Ok::<(), crate::error::ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/villages/{code}")).into_response()),
        Err(e) => render_detail(&st, &code, messages(e)).await,
    }
}

pub async fn status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let b = StatusBody {
        version: 0,
        status: form_value(&pairs, "status"),
        from: Some(form_value(&pairs, "from")),
        merged_into: Some(form_value(&pairs, "merged_into")),
    };
    let result = async {
        let status = parse_status(&b)?;
        let version = form_value(&pairs, "version").parse::<i64>().unwrap_or(-1);
        st.store
            .set_village_status(&actor, &code, version, status)
            .await?;
        Ok::<(), crate::error::ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/villages/{code}")).into_response()),
        Err(e) => render_detail(&st, &code, messages(e)).await,
    }
}

pub async fn tags_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = form_pairs(&body);
    let version = form_value(&pairs, "version").parse::<i64>().unwrap_or(-1);
    match st
        .store
        .set_village_tags(&actor, &code, version, &form_value(&pairs, "tags"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/villages/{code}")).into_response()),
        Err(e) => render_detail(&st, &code, messages(e.into())).await,
    }
}

/// The messages of an error, one per problem, for a form's error box.
pub fn messages(e: crate::error::ApiError) -> Vec<String> {
    if e.details.is_empty() {
        vec![e.message]
    } else {
        e.details.into_iter().map(|d| d.message).collect()
    }
}
