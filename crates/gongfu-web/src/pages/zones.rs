//! 片区 (zone list, detail, create / edit form, dissolve, designation).

use super::villages::messages;
use super::villages::{Opt, opt};
use super::{Layout, field_errors, form_pairs, form_value, form_values, is_htmx};
use crate::AppState;
use crate::api::{DesignationBody, RequestActor, optional_date, parse_designation};
use crate::error::{ApiError, PageError};
use crate::views::{self, MemberRow, ZoneRow};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::ZoneId;
use gongfu_core::village::{DivisionKind, date_string};
use gongfu_core::zone::{DesignationStatus, Tier};
use gongfu_store::Snapshot;
use gongfu_store::service::ZoneInput;
use time::Date;

const ZONES_PER_PAGE: usize = 50;

#[derive(Template, WebTemplate)]
#[template(path = "zones.html")]
pub struct ZonesPage {
    pub layout: Layout,
    pub rows: Vec<ZoneRow>,
    /// Zones matching the filters, over all pages.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub query_base: String,
    pub live_total: usize,
    pub dissolved: Vec<ZoneRow>,
    pub q: String,
    pub towns: Vec<Opt>,
    pub tiers: Vec<Opt>,
    pub sorts: Vec<Opt>,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<views::ZoneQuery>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let all = views::cached_zone_rows(&snap, day);
    let live_total = all.iter().filter(|z| z.dissolved_on.is_none()).count();
    let (live, dissolved): (Vec<ZoneRow>, Vec<ZoneRow>) =
        all.iter().cloned().partition(|z| z.dissolved_on.is_none());
    let matching = views::filter_zones(&snap, live, &q);
    // 50 a page, as every list: at province scale a page of a thousand rows is too heavy.
    let total = matching.len();
    let pages = total.div_ceil(ZONES_PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<ZoneRow> = matching
        .into_iter()
        .skip((page - 1) * ZONES_PER_PAGE)
        .take(ZONES_PER_PAGE)
        .collect();
    let query_base = super::query_string(&[
        ("q", &q.q),
        ("town", &q.town),
        ("tier", &q.tier),
        ("sort", &q.sort),
    ]);
    let cur = |o: &Option<String>| o.clone().unwrap_or_default();
    let mut towns = vec![opt("", "全部镇街", &cur(&q.town))];
    towns.extend(
        snap.towns
            .iter()
            .map(|t| opt(t.code.as_str(), t.name.clone(), &cur(&q.town))),
    );
    let mut tiers = vec![opt("", "全部等级", &cur(&q.tier))];
    tiers.extend(
        Tier::ALL
            .iter()
            .map(|t| opt(t.as_str(), t.label(), &cur(&q.tier))),
    );
    tiers.push(opt("none", "未定级", &cur(&q.tier)));
    let sort = q.sort.clone().unwrap_or_else(|| "id".into());
    let sorts = vec![
        opt("id", "按建立顺序", &sort),
        opt("name", "按名称", &sort),
        opt("-income", "经营性收入从高到低", &sort),
        opt("-villages", "村数从多到少", &sort),
        opt("-weak", "薄弱村从多到少", &sort),
    ];
    Ok(ZonesPage {
        layout: Layout::new("片区", "zones", snap.is_demo),
        rows,
        total,
        page,
        pages,
        query_base,
        live_total,
        dissolved,
        q: q.q.clone().unwrap_or_default(),
        towns,
        tiers,
        sorts,
    }
    .into_response())
}

pub struct DesignationRow {
    pub year: i32,
    pub tier: &'static str,
    pub status: &'static str,
}

pub struct HistoryRow {
    pub code: String,
    pub name: String,
    pub role: &'static str,
    pub from: String,
    pub to: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "zone.html")]
pub struct ZoneDetailPage {
    pub layout: Layout,
    pub z: ZoneRow,
    pub note: String,
    pub members: Vec<MemberRow>,
    pub designations: Vec<DesignationRow>,
    pub history: Vec<HistoryRow>,
    pub tiers: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub this_year: i32,
    pub today: String,
    pub errors: Vec<String>,
    /// 变更记录 from the audit log.
    pub changes: Vec<gongfu_store::accounts::AuditEntry>,
    /// 基础设施达标（一片一标准）, one row per item.
    pub infra: Vec<super::facilities::ZoneInfraRow>,
    /// 片区内设施.
    pub facilities: Vec<super::facilities::FacRow>,
    /// 指标数据 of this year: (name, value as read, rule).
    pub figures: Vec<(&'static str, String, &'static str)>,
}

impl ZoneDetailPage {
    pub fn population_text(&self) -> String {
        views::group(self.z.population)
    }
    /// Checklist items every applicable member meets.
    pub fn infra_meeting(&self) -> usize {
        self.infra.iter().filter(|i| i.meets).count()
    }
}

fn tiers() -> Vec<Choice> {
    Tier::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str(),
            label: t.label(),
        })
        .collect()
}
fn statuses() -> Vec<Choice> {
    DesignationStatus::ALL
        .iter()
        .map(|t| Choice {
            value: t.as_str(),
            label: t.label(),
        })
        .collect()
}

async fn render_detail(st: &AppState, id: i64, errors: Vec<String>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let zone = snap
        .zone(ZoneId(id))
        .ok_or_else(|| ApiError::not_found(format!("片区 {id} 不存在")))?;
    let at = match zone.dissolved_on {
        Some(d) if d <= day => d.previous_day().unwrap_or(d),
        _ => day,
    };
    let z = views::zone_row(&snap, zone, day);
    let members = views::zone_members(&snap, zone.id, at);
    let designations = snap
        .designations_of(zone.id)
        .iter()
        .map(|d| DesignationRow {
            year: d.year,
            tier: d.tier.label(),
            status: d.status.label(),
        })
        .collect();
    let history = snap
        .memberships
        .iter()
        .filter(|m| m.zone == zone.id)
        .map(|m| HistoryRow {
            code: m.village.to_string(),
            name: snap
                .division(&m.village)
                .map(|d| d.division.name.clone())
                .unwrap_or_default(),
            role: m.role.label(),
            from: date_string(m.from),
            to: m.to.map(date_string).unwrap_or_else(|| "至今".into()),
        })
        .collect();
    let status = super::form_status(errors.is_empty());
    Ok((
        status,
        ZoneDetailPage {
            layout: Layout::new(z.name.clone(), "zones", snap.is_demo),
            note: zone.note.clone(),
            z,
            members,
            designations,
            history,
            tiers: tiers(),
            statuses: statuses(),
            this_year: day.year(),
            today: date_string(day),
            errors,
            changes: st.store.history("zone", &id.to_string()).await?,
            infra: super::facilities::zone_infra_rows(&snap, zone.id, at),
            facilities: super::facilities::zone_facility_rows(&snap, zone.id, at),
            figures: st
                .store
                .indicator_figures(id, day.year())
                .await?
                .iter()
                .map(|f| {
                    (
                        f.indicator.label(),
                        gongfu_core::ops::indicators::display(f.indicator, f.value),
                        f.indicator.rule(),
                    )
                })
                .collect(),
        },
    )
        .into_response())
}

pub async fn detail(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    render_detail(&st, id, vec![]).await
}

/// One village in the form's picker.
pub struct Pick {
    pub code: String,
    pub name: String,
    pub town_code: String,
    pub town: String,
    pub checked: bool,
    pub key: bool,
    /// Name of another zone holding it today: it cannot be picked.
    pub held_by: String,
    pub weak: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "zone_form.html")]
pub struct ZoneFormPage {
    pub layout: Layout,
    pub action: String,
    pub heading: String,
    pub version: i64,
    pub name: String,
    pub theme: String,
    pub lead_official: String,
    pub note: String,
    pub effective: String,
    pub picks: Vec<Pick>,
    pub towns: Vec<(String, String)>,
    pub designation_year: String,
    pub designation_tier: String,
    pub designation_status: String,
    pub tiers: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub errors: Vec<(String, String)>,
}

impl ZoneFormPage {
    pub fn error_for(&self, field: &str) -> String {
        super::errors_for(&self.errors, field)
    }
}

struct FormValues {
    input: ZoneInput,
    effective: String,
    version: i64,
    designation: (String, String, String),
}

fn read_form(body: &[u8]) -> FormValues {
    let p = form_pairs(body);
    let key = form_value(&p, "key_village");
    let mut villages = form_values(&p, "villages");
    if !key.is_empty() && !villages.contains(&key) {
        villages.insert(0, key.clone());
    }
    FormValues {
        input: ZoneInput {
            name: form_value(&p, "name"),
            theme: form_value(&p, "theme"),
            key_village: key,
            villages,
            lead_official: form_value(&p, "lead_official"),
            note: form_value(&p, "note"),
            effective: None,
            designation: None,
        },
        effective: form_value(&p, "effective"),
        version: form_value(&p, "version").parse().unwrap_or(0),
        designation: (
            form_value(&p, "designation_year"),
            form_value(&p, "designation_tier"),
            form_value(&p, "designation_status"),
        ),
    }
}

/// Turns the form's text into a service input, collecting field errors.
fn finish_input(mut f: FormValues) -> Result<(ZoneInput, i64), ApiError> {
    match optional_date("effective", Some(&f.effective)) {
        Ok(d) => f.input.effective = d,
        Err(e) => return Err(e),
    }
    let (y, t, s) = &f.designation;
    if !t.is_empty() {
        let year = y.trim().parse::<i64>().unwrap_or(0);
        match parse_designation(&DesignationBody {
            year,
            tier: t.clone(),
            status: Some(s.clone()),
        }) {
            Ok(d) => f.input.designation = Some(d),
            Err(e) => return Err(e),
        }
    }
    let v = f.version;
    Ok((f.input, v))
}

fn form_page(
    snap: &Snapshot,
    day: Date,
    zone: Option<ZoneId>,
    f: FormValues,
    errors: Vec<(String, String)>,
) -> ZoneFormPage {
    let holders = snap.holders(day);
    let year = snap.latest_year();
    let picks = snap
        .divisions
        .iter()
        .filter(|d| d.division.kind == DivisionKind::Village && d.division.status.is_active_on(day))
        .map(|d| {
            let code = d.division.code.as_str().to_string();
            let held_by = holders
                .get(&d.division.code)
                .filter(|(z, _)| Some(*z) != zone)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            Pick {
                checked: f.input.villages.contains(&code),
                key: f.input.key_village == code,
                name: d.division.name.clone(),
                town_code: d.division.town.as_str().to_string(),
                town: snap.town_name(&d.division.town).to_string(),
                held_by,
                weak: year
                    .and_then(|y| snap.is_weak(&d.division.code, y))
                    .unwrap_or(false),
                code,
            }
        })
        .collect();
    let (dy, dt, ds) = f.designation;
    ZoneFormPage {
        layout: Layout::new(
            if zone.is_some() {
                "编辑片区"
            } else {
                "新建片区"
            },
            "zones",
            snap.is_demo,
        ),
        action: match zone {
            Some(z) => format!("/zones/{z}/edit"),
            None => "/zones".into(),
        },
        heading: match zone.and_then(|z| snap.zone(z)) {
            Some(z) => format!("编辑片区：{}", z.name),
            None => "新建片区".into(),
        },
        version: f.version,
        name: f.input.name,
        theme: f.input.theme,
        lead_official: f.input.lead_official,
        note: f.input.note,
        effective: if f.effective.is_empty() {
            date_string(day)
        } else {
            f.effective
        },
        picks,
        towns: snap
            .towns
            .iter()
            .map(|t| (t.code.as_str().to_string(), t.name.clone()))
            .collect(),
        designation_year: if dy.is_empty() {
            day.year().to_string()
        } else {
            dy
        },
        designation_tier: dt,
        designation_status: if ds.is_empty() { "applied".into() } else { ds },
        tiers: tiers(),
        statuses: statuses(),
        errors,
    }
}

pub async fn new_form(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let f = FormValues {
        input: ZoneInput::default(),
        effective: String::new(),
        version: 0,
        designation: Default::default(),
    };
    Ok(form_page(&snap, st.today(), None, f, vec![]).into_response())
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = read_form(&body);
    let keep = FormValues {
        input: f.input.clone(),
        effective: f.effective.clone(),
        version: 0,
        designation: f.designation.clone(),
    };
    let result = match finish_input(f) {
        Ok((input, _)) => st
            .store
            .create_zone(&actor, &input, st.today())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/zones/{id}?created=1")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&snap, st.today(), None, keep, field_errors(e)),
            )
                .into_response())
        }
    }
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let z = snap
        .zone(ZoneId(id))
        .ok_or_else(|| ApiError::not_found(format!("片区 {id} 不存在")))?;
    let f = FormValues {
        input: ZoneInput {
            name: z.name.clone(),
            theme: z.theme.clone(),
            key_village: z.key_village.to_string(),
            villages: snap
                .members(z.id, day)
                .iter()
                .map(|m| m.village.to_string())
                .collect(),
            lead_official: z.lead_official.clone(),
            note: z.note.clone(),
            effective: None,
            designation: None,
        },
        effective: String::new(),
        version: z.version,
        designation: Default::default(),
    };
    Ok(form_page(&snap, day, Some(z.id), f, vec![]).into_response())
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = read_form(&body);
    let keep = FormValues {
        input: f.input.clone(),
        effective: f.effective.clone(),
        version: f.version,
        designation: f.designation.clone(),
    };
    let result = match finish_input(f) {
        Ok((input, version)) => st
            .store
            .update_zone(&actor, ZoneId(id), version, &input, st.today())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let conflict = e.status == StatusCode::CONFLICT && e.code == "version_conflict";
            let mut keep = keep;
            let mut errors = field_errors(e);
            if conflict && let Some(z) = snap.zone(ZoneId(id)) {
                // Show what is saved now; the form keeps the user's input and, with the current
                // version, saving again is a deliberate choice to replace it.
                let members: Vec<String> = snap
                    .members(z.id, st.today())
                    .iter()
                    .filter_map(|m| snap.division(&m.village).map(|d| d.division.name.clone()))
                    .collect();
                errors.push((
                    String::new(),
                    format!(
                        "当前内容：名称「{}」，主题「{}」，重点村「{}」，成员 {}",
                        z.name,
                        z.theme,
                        snap.division(&z.key_village)
                            .map(|d| d.division.name.as_str())
                            .unwrap_or(""),
                        members.join("、")
                    ),
                ));
                keep.version = z.version;
            }
            Ok((
                if conflict {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                form_page(&snap, st.today(), Some(ZoneId(id)), keep, errors),
            )
                .into_response())
        }
    }
}

pub async fn dissolve_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let _ = is_htmx(&headers);
    let p = form_pairs(&body);
    let result = async {
        let day = optional_date("effective", Some(&form_value(&p, "effective")))?
            .unwrap_or_else(|| st.today());
        let version = form_value(&p, "version")
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("缺少版本号，请刷新页面后重试"))?;
        st.store
            .dissolve_zone(&actor, ZoneId(id), version, day)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{id}")).into_response()),
        Err(e) => render_detail(&st, id, messages(e)).await,
    }
}

pub async fn designation_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let result = async {
        let year = form_value(&p, "year")
            .trim()
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("年度应为整数"))?;
        let (year, tier, status) = parse_designation(&DesignationBody {
            year,
            tier: form_value(&p, "tier"),
            status: Some(form_value(&p, "status")),
        })?;
        st.store
            .set_designation(&actor, ZoneId(id), year, tier, status)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/zones/{id}")).into_response()),
        Err(e) => render_detail(&st, id, messages(e)).await,
    }
}
