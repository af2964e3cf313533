//! 设施 (facilities registry): list with filters and paging, create / edit forms, detail with
//! status moves and history, the xlsx import (dry run, then 确认导入), each village's
//! infrastructure form, and the zone page's checklist and facilities.

use super::villages::{Opt, messages, opt};
use super::{Layout, error_status, field_errors, form_pairs, form_value, is_htmx};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::facilities_api::{FacilityImportReport, FacilityQuery, run_facilities_import};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongfu_core::facilities::{
    Compliance, Facility, FacilityDraft, FacilityStatus, FacilityType, InfraItem,
};
use gongfu_core::village::DivisionKind;
use gongfu_core::{DomainError, VillageCode, ZoneId};
use gongfu_store::Snapshot;
use serde::Deserialize;
use time::Date;

const PER_PAGE: usize = 50;

/// One facility as a row of a list.
pub struct FacRow {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub village_code: String,
    pub village: String,
    pub town: String,
    pub zone_id: Option<i64>,
    pub zone: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub capacity: String,
    pub opening_year: String,
    pub upkeep_unit: String,
}

fn village_name(snap: &Snapshot, code: &VillageCode) -> String {
    snap.division(code)
        .map(|d| d.division.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn capacity_text(f: &Facility) -> String {
    match f.capacity {
        Some(c) => format!("{c} {}", f.kind.capacity_unit()),
        None => "—".into(),
    }
}

pub(super) fn fac_row(snap: &Snapshot, f: &Facility, day: Date) -> FacRow {
    let zone = snap
        .membership_of(&f.village, day)
        .and_then(|m| snap.zone(m.zone));
    FacRow {
        id: f.id,
        kind: f.kind.label(),
        name: f.name.clone(),
        village_code: f.village.to_string(),
        village: village_name(snap, &f.village),
        town: snap.town_name(&f.village.town()).to_string(),
        zone_id: zone.map(|z| z.id.0),
        zone: zone.map(|z| z.name.clone()).unwrap_or_default(),
        status: f.status.key(),
        status_label: f.status.label(),
        capacity: capacity_text(f),
        opening_year: f
            .opening_year
            .map(|y| y.get().to_string())
            .unwrap_or_else(|| "—".into()),
        upkeep_unit: f.upkeep_unit.clone(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub status: Option<String>,
    pub town: Option<String>,
    pub zone: Option<String>,
    pub q: Option<String>,
    pub page: Option<usize>,
}

pub struct TypeCount {
    pub key: &'static str,
    pub label: &'static str,
    pub total: usize,
    pub open: usize,
    pub current: bool,
}

/// The table part of the list, also the htmx answer.
pub struct TableData {
    pub rows: Vec<FacRow>,
    pub total: usize,
    pub all: usize,
    pub page: usize,
    pub pages: usize,
    pub query_base: String,
    pub export_query: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facility_table.html")]
pub struct FacilityTable {
    pub t: TableData,
}

#[derive(Template, WebTemplate)]
#[template(path = "facilities.html")]
pub struct FacilitiesPage {
    pub layout: Layout,
    pub t: TableData,
    pub counts: Vec<TypeCount>,
    pub q: String,
    pub kinds: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub towns: Vec<Opt>,
    pub zones: Vec<Opt>,
}

pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let filter = FacilityQuery {
        kind: q.kind.clone(),
        status: q.status.clone(),
        town: q.town.clone(),
        zone: q.zone.clone(),
        village: None,
        day: None,
    }
    .parse(&snap)?;
    let needle = q.q.as_deref().map(str::trim).unwrap_or("");
    let matching: Vec<&Facility> = snap
        .facilities_where(&filter, day)
        .into_iter()
        .filter(|f| needle.is_empty() || f.name.contains(needle))
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let rows = matching
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|f| fac_row(&snap, f, day))
        .collect();
    let query_base = super::query_string(&[
        ("type", &q.kind),
        ("status", &q.status),
        ("town", &q.town),
        ("zone", &q.zone),
        ("q", &q.q),
    ]);
    let export_query = super::query_string(&[
        ("type", &q.kind),
        ("status", &q.status),
        ("town", &q.town),
        ("zone", &q.zone),
    ]);
    let t = TableData {
        rows,
        total,
        all: snap.facilities.len(),
        page,
        pages,
        query_base,
        export_query,
    };
    if is_htmx(&headers) {
        return Ok(FacilityTable { t }.into_response());
    }
    let cur = |o: &Option<String>| o.clone().unwrap_or_default();
    let counts = FacilityType::ALL
        .into_iter()
        .map(|k| {
            let of: Vec<&Facility> = snap.facilities.iter().filter(|f| f.kind == k).collect();
            TypeCount {
                key: k.key(),
                label: k.label(),
                total: of.len(),
                open: of.iter().filter(|f| f.status.serves()).count(),
                current: cur(&q.kind) == k.key(),
            }
        })
        .collect();
    let mut kinds = vec![opt("", "全部类型", &cur(&q.kind))];
    kinds.extend(
        FacilityType::ALL
            .iter()
            .map(|k| opt(k.key(), k.label(), &cur(&q.kind))),
    );
    let mut statuses = vec![opt("", "全部状态", &cur(&q.status))];
    statuses.extend(
        FacilityStatus::ALL
            .iter()
            .map(|s| opt(s.key(), s.label(), &cur(&q.status))),
    );
    let mut towns = vec![opt("", "全部镇街", &cur(&q.town))];
    towns.extend(
        snap.towns
            .iter()
            .map(|t| opt(t.code.as_str(), t.name.clone(), &cur(&q.town))),
    );
    let mut zones = vec![opt("", "全部片区", &cur(&q.zone))];
    zones.extend(
        snap.zones
            .iter()
            .filter(|z| z.is_live_on(day))
            .map(|z| opt(z.id.to_string(), z.name.clone(), &cur(&q.zone))),
    );
    Ok(FacilitiesPage {
        layout: Layout::new("设施台账", "facilities", snap.is_demo),
        t,
        counts,
        q: q.q.clone().unwrap_or_default(),
        kinds,
        statuses,
        towns,
        zones,
    }
    .into_response())
}

// ---------------------------------------------------------------- detail

pub struct Field {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "facility.html")]
pub struct FacilityDetailPage {
    pub layout: Layout,
    pub r: FacRow,
    pub category: &'static str,
    pub fields: Vec<Field>,
    pub note: String,
    pub version: i64,
    pub next: Vec<Opt>,
    pub errors: Vec<String>,
    pub changes: Vec<gongfu_store::accounts::AuditEntry>,
}

fn facility_or_404(snap: &Snapshot, id: i64) -> Result<&Facility, ApiError> {
    snap.facility(id)
        .ok_or_else(|| ApiError::not_found(format!("设施 {id} 不存在")))
}

async fn render_detail(
    st: &AppState,
    id: i64,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    let f = facility_or_404(&snap, id)?;
    let r = fac_row(&snap, f, day);
    let point = match (f.lon.zip(f.lat), snap.facility_point(f)) {
        (Some((x, y)), _) => format!("{x:.6}, {y:.6}（设施坐标）"),
        (None, Some((x, y))) => format!("{x:.6}, {y:.6}（取所在村位置）"),
        (None, None) => "未知".into(),
    };
    let fields = vec![
        Field {
            label: "类型",
            value: format!("{}（{}）", f.kind.label(), f.kind.category_label()),
        },
        Field {
            label: "所在镇街",
            value: r.town.clone(),
        },
        Field {
            label: "位置（经度, 纬度）",
            value: point,
        },
        Field {
            label: "容量",
            value: r.capacity.clone(),
        },
        Field {
            label: "开办年份",
            value: r.opening_year.clone(),
        },
        Field {
            label: "管护责任单位",
            value: r.upkeep_unit.clone(),
        },
        Field {
            label: "服务对象",
            value: f.kind.demand().label().to_string(),
        },
    ];
    let next = FacilityStatus::ALL
        .into_iter()
        .filter(|s| f.status.can_move_to(*s))
        .map(|s| opt(s.key(), s.label(), ""))
        .collect();
    Ok((
        status,
        FacilityDetailPage {
            layout: Layout::new(f.name.clone(), "facilities", snap.is_demo),
            category: f.kind.category_label(),
            fields,
            note: f.note.clone(),
            version: f.version,
            next,
            errors,
            changes: facility_history(st, id).await?,
            r,
        },
    )
        .into_response())
}

/// The facility's audit lines; a status move reads 变更状态 (the shared label of
/// `set_status` is about villages).
async fn facility_history(
    st: &AppState,
    id: i64,
) -> Result<Vec<gongfu_store::accounts::AuditEntry>, PageError> {
    let mut changes = st.store.history("facility", &id.to_string()).await?;
    for c in &mut changes {
        if c.action == "set_status" {
            c.action = "变更状态".into();
        }
    }
    Ok(changes)
}

pub async fn detail(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    render_detail(&st, id, vec![], StatusCode::OK).await
}

pub async fn status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let result = async {
        let status = FacilityStatus::parse(&form_value(&p, "status"))?;
        let version = form_value(&p, "version")
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("缺少版本号，请刷新页面后重试"))?;
        st.store
            .set_facility_status(&actor, id, version, status)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/facilities/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            render_detail(&st, id, messages(e), status).await
        }
    }
}

// ---------------------------------------------------------------- create / edit

pub struct VillageGroup {
    pub town: String,
    pub villages: Vec<Opt>,
}

#[derive(Template, WebTemplate)]
#[template(path = "facility_form.html")]
pub struct FacilityFormPage {
    pub layout: Layout,
    pub action: String,
    pub heading: String,
    pub cancel: String,
    pub v: FormValues,
    pub kinds: Vec<Opt>,
    pub statuses: Vec<Opt>,
    pub groups: Vec<VillageGroup>,
    pub errors: Vec<(String, String)>,
}

error_for!(FacilityFormPage);

/// The form's fields as typed.
#[derive(Default, Clone)]
pub struct FormValues {
    pub kind: String,
    pub name: String,
    pub village_code: String,
    pub lon: String,
    pub lat: String,
    pub capacity: String,
    pub status: String,
    pub opening_year: String,
    pub upkeep_unit: String,
    pub note: String,
    pub version: i64,
}

fn read_form(body: &[u8]) -> FormValues {
    let p = form_pairs(body);
    FormValues {
        kind: form_value(&p, "type"),
        name: form_value(&p, "name"),
        village_code: form_value(&p, "village_code"),
        lon: form_value(&p, "lon"),
        lat: form_value(&p, "lat"),
        capacity: form_value(&p, "capacity"),
        status: form_value(&p, "status"),
        opening_year: form_value(&p, "opening_year"),
        upkeep_unit: form_value(&p, "upkeep_unit"),
        note: form_value(&p, "note"),
        version: form_value(&p, "version").parse().unwrap_or(0),
    }
}

fn values_of(f: &Facility) -> FormValues {
    FormValues {
        kind: f.kind.key().into(),
        name: f.name.clone(),
        village_code: f.village.to_string(),
        lon: f.lon.map(|x| x.to_string()).unwrap_or_default(),
        lat: f.lat.map(|x| x.to_string()).unwrap_or_default(),
        capacity: f.capacity.map(|x| x.to_string()).unwrap_or_default(),
        status: f.status.key().into(),
        opening_year: f
            .opening_year
            .map(|y| y.get().to_string())
            .unwrap_or_default(),
        upkeep_unit: f.upkeep_unit.clone(),
        note: f.note.clone(),
        version: f.version,
    }
}

/// The typed text as a draft; numbers that do not parse are field errors.
fn to_draft(v: &FormValues) -> Result<FacilityDraft, Vec<DomainError>> {
    let mut errors = Vec::new();
    let mut float = |field: &str, label: &str, s: &str| -> Option<f64> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                errors.push(DomainError::new(
                    "invalid_number",
                    field,
                    format!("{label}「{t}」不是数字"),
                ));
                None
            }
        }
    };
    let lon = float("lon", "经度", &v.lon);
    let lat = float("lat", "纬度", &v.lat);
    let mut int = |field: &str, label: &str, s: &str| -> Option<i64> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(x) => Some(x),
            Err(_) => {
                errors.push(DomainError::new(
                    "invalid_number",
                    field,
                    format!("{label}「{t}」应为整数"),
                ));
                None
            }
        }
    };
    let capacity = int("capacity", "容量", &v.capacity);
    let opening_year = int("opening_year", "开办年份", &v.opening_year);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FacilityDraft {
        kind: v.kind.clone(),
        name: v.name.clone(),
        village_code: v.village_code.clone(),
        lon,
        lat,
        capacity,
        status: Some(v.status.clone()),
        opening_year,
        upkeep_unit: v.upkeep_unit.clone(),
        note: v.note.clone(),
    })
}

/// Active villages (and communities) grouped by town for a select, with `selected` kept even
/// when it is no longer active.
pub(super) fn village_groups(snap: &Snapshot, day: Date, selected: &str) -> Vec<VillageGroup> {
    snap.towns
        .iter()
        .map(|t| VillageGroup {
            town: t.name.clone(),
            villages: snap
                .divisions
                .iter()
                .filter(|d| {
                    d.division.town == t.code
                        && (d.division.status.is_active_on(day)
                            || d.division.code.as_str() == selected)
                })
                .map(|d| {
                    let kind = if d.division.kind == DivisionKind::Village {
                        ""
                    } else {
                        "（社区）"
                    };
                    opt(
                        d.division.code.as_str(),
                        format!("{} · {}{kind}", t.name, d.division.name),
                        selected,
                    )
                })
                .collect(),
        })
        .filter(|g| !g.villages.is_empty())
        .collect()
}

fn form_page(
    snap: &Snapshot,
    day: Date,
    id: Option<i64>,
    v: FormValues,
    errors: Vec<(String, String)>,
) -> FacilityFormPage {
    let mut kinds = vec![opt("", "请选择类型", &v.kind)];
    kinds.extend(FacilityType::ALL.iter().map(|k| {
        opt(
            k.key(),
            format!("{}（{}）", k.label(), k.category_label()),
            &v.kind,
        )
    }));
    // Editing offers the saved status and its allowed moves; a new facility any status.
    let saved = id.and_then(|i| snap.facility(i)).map(|f| f.status);
    let statuses = FacilityStatus::ALL
        .into_iter()
        .filter(|s| saved.is_none_or(|c| c == *s || c.can_move_to(*s)))
        .map(|s| opt(s.key(), s.label(), &v.status))
        .collect();
    let groups = village_groups(snap, day, &v.village_code);
    let heading = match id.and_then(|i| snap.facility(i)) {
        Some(f) => format!("编辑设施：{}", f.name),
        None => "新增设施".into(),
    };
    let f = super::form_frame(id, "编辑设施", "新增设施", "", "/facilities");
    FacilityFormPage {
        layout: Layout::new(f.title, "facilities", snap.is_demo),
        action: f.action,
        cancel: f.cancel,
        heading,
        v,
        kinds,
        statuses,
        groups,
        errors,
    }
}

pub async fn new_form(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let v = FormValues {
        status: "planned".into(),
        ..FormValues::default()
    };
    Ok(form_page(&snap, st.today(), None, v, vec![]).into_response())
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = read_form(&body);
    let result = async {
        let spec = to_draft(&v)
            .and_then(|d| d.parse())
            .map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_facility(&actor, &spec).await?)
    }
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/facilities/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let status = error_status(&e);
            Ok((
                status,
                form_page(&snap, st.today(), None, v, field_errors(e)),
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
    let f = facility_or_404(&snap, id)?;
    let v = values_of(f);
    Ok(form_page(&snap, st.today(), Some(id), v, vec![]).into_response())
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = read_form(&body);
    let result = async {
        let spec = to_draft(&v)
            .and_then(|d| d.parse())
            .map_err(ApiError::invalid)?;
        st.store
            .update_facility(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/facilities/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let f = facility_or_404(&snap, id)?;
            let status = error_status(&e);
            let conflict = e.status == StatusCode::CONFLICT && e.code == "version_conflict";
            let mut errors = field_errors(e);
            if conflict {
                // What is saved now; the form keeps the user's input and, with the current
                // version, saving again is a deliberate choice to replace it.
                let r = fac_row(&snap, f, st.today());
                errors.push((
                    String::new(),
                    format!(
                        "当前内容：类型「{}」，名称「{}」，所在村「{}」，状态「{}」，容量 {}，开办年份 {}，管护责任单位「{}」",
                        r.kind,
                        r.name,
                        r.village,
                        r.status_label,
                        r.capacity,
                        r.opening_year,
                        r.upkeep_unit
                    ),
                ));
                v.version = f.version;
            }
            Ok((status, form_page(&snap, st.today(), Some(id), v, errors)).into_response())
        }
    }
}

// ---------------------------------------------------------------- import

#[derive(Template, WebTemplate)]
#[template(path = "facility_import.html")]
pub struct FacilityImportPage {
    pub layout: Layout,
    pub file_name: String,
    pub report: FacilityImportReport,
    /// The checked file, hex-encoded, carried by the 确认导入 form.
    pub data: String,
}

pub async fn import_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    form: Multipart,
) -> Result<Response, PageError> {
    let super::ImportForm {
        mode,
        file_name,
        bytes,
    } = super::read_import_form(form).await?;
    let snap = st.store.snapshot().await?;
    let layout = Layout::new("设施导入", "facilities", snap.is_demo);
    if bytes.is_empty() {
        let report = FacilityImportReport {
            ok: false,
            applied: false,
            rows: 0,
            created: 0,
            updated: 0,
            errors: vec![gongfu_io::RowError {
                row: 0,
                column: "文件".into(),
                value: String::new(),
                reason: "请先选择要上传的文件".into(),
            }],
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            FacilityImportPage {
                layout,
                file_name,
                report,
                data: String::new(),
            },
        )
            .into_response());
    }
    let apply = mode == "apply";
    let source = format!("upload:{file_name}");
    let report = match run_facilities_import(&st, &actor, &bytes, apply, &source).await {
        Ok(r) => r,
        Err(e) => FacilityImportReport {
            ok: false,
            applied: false,
            rows: 0,
            created: 0,
            updated: 0,
            errors: vec![gongfu_io::RowError {
                row: 0,
                column: String::new(),
                value: String::new(),
                reason: messages(e).join("；"),
            }],
        },
    };
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let data = if report.ok && !report.applied {
        super::hex_encode(&bytes)
    } else {
        String::new()
    };
    Ok((
        status,
        FacilityImportPage {
            layout,
            file_name,
            report,
            data,
        },
    )
        .into_response())
}

// ---------------------------------------------------------------- infrastructure

/// One item of a village's checklist, for the village page.
pub struct InfraRow {
    pub key: &'static str,
    pub label: &'static str,
    /// `compliant`, `non_compliant`, `not_applicable` or `unknown`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub gap: String,
    pub version: i64,
    pub choices: Vec<Opt>,
}

pub fn village_infra_rows(snap: &Snapshot, code: &VillageCode) -> Vec<InfraRow> {
    let records = snap.infra_of(code);
    InfraItem::ALL
        .into_iter()
        .map(|item| {
            let r = records.iter().find(|r| r.item == item);
            let status = r.map_or("unknown", |r| r.status.key());
            InfraRow {
                key: item.key(),
                label: item.label(),
                status,
                status_label: r.map_or("未填报", |r| r.status.label()),
                gap: r.map(|r| r.gap.clone()).unwrap_or_default(),
                version: r.map_or(0, |r| r.version),
                choices: Compliance::ALL
                    .into_iter()
                    .map(|c| opt(c.key(), c.label(), status))
                    .collect(),
            }
        })
        .collect()
}

pub async fn infra_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((code, item)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let result = async {
        let village = VillageCode::parse(&code)?;
        let item = InfraItem::parse(&item)?;
        let status = Compliance::parse(&form_value(&p, "status"))?;
        let version = form_value(&p, "version")
            .parse::<i64>()
            .map_err(|_| ApiError::bad_request("缺少版本号，请刷新页面后重试"))?;
        st.store
            .set_infra(
                &actor,
                &village,
                item,
                status,
                &form_value(&p, "gap"),
                version,
            )
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/villages/{code}#infra")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            super::villages::render_detail_status(&st, &code, messages(e), status).await
        }
    }
}

/// One item of a zone's checklist (一片一标准), for the zone page.
pub struct ZoneInfraRow {
    pub label: &'static str,
    pub meets: bool,
    pub compliant: usize,
    pub not_applicable: usize,
    /// Villages short of the standard, with their gap.
    pub gaps: Vec<(String, String, String)>,
    /// Villages not assessed yet.
    pub unknown: Vec<(String, String)>,
}

pub fn zone_infra_rows(snap: &Snapshot, zone: ZoneId, day: Date) -> Vec<ZoneInfraRow> {
    let Some((_, list)) = snap.zone_infra(zone, day) else {
        return vec![];
    };
    list.into_iter()
        .map(|c| ZoneInfraRow {
            label: c.item.label(),
            meets: c.meets_standard(),
            compliant: c.compliant.len(),
            not_applicable: c.not_applicable.len(),
            gaps: c
                .non_compliant
                .iter()
                .map(|(v, gap)| (v.to_string(), village_name(snap, v), gap.clone()))
                .collect(),
            unknown: c
                .unknown
                .iter()
                .map(|v| (v.to_string(), village_name(snap, v)))
                .collect(),
        })
        .collect()
}

/// The facilities in a zone's member villages on `day`.
pub fn zone_facility_rows(snap: &Snapshot, zone: ZoneId, day: Date) -> Vec<FacRow> {
    let filter = gongfu_store::facilities::FacilityFilter {
        zone: Some(zone),
        ..Default::default()
    };
    snap.facilities_where(&filter, day)
        .into_iter()
        .map(|f| fac_row(snap, f, day))
        .collect()
}
