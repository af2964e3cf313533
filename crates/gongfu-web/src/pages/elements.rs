//! 共富元素 (common-prosperity elements): the list with filters and the form to register or
//! edit one (closing it is giving its 停办日期). The map shows them as a layer; each zone page
//! shows the figures they feed.

use super::facilities::{VillageGroup, village_groups};
use super::villages::{Opt, opt};
use super::work::{money, zone_filter_opts};
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::ops_api::ElementQuery;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongfu_core::Fen;
use gongfu_core::ops::elements::{Element, ElementDraft, ElementType};
use gongfu_core::village::date_string;
use gongfu_store::Snapshot;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/elements", get(list).post(create_submit))
        .route("/elements/new", get(new_form))
        .route("/elements/{id}/edit", get(edit_form).post(edit_submit))
}

pub struct ElementRow {
    pub id: i64,
    pub kind: &'static str,
    pub name: String,
    pub village: String,
    pub village_code: String,
    pub zone_id: Option<i64>,
    pub zone: String,
    pub opened_on: String,
    pub closed_on: String,
    pub jobs: i64,
    pub low_income_jobs: i64,
    pub monthly_gain: String,
    pub collective_income: String,
}

fn row(snap: &Snapshot, e: &Element, day: Date) -> ElementRow {
    let zone = snap
        .membership_of(&e.village, day)
        .and_then(|m| snap.zone(m.zone));
    ElementRow {
        id: e.id,
        kind: e.kind.label(),
        name: e.name.clone(),
        village: snap
            .division(&e.village)
            .map(|d| d.division.name.clone())
            .unwrap_or_default(),
        village_code: e.village.to_string(),
        zone_id: zone.map(|z| z.id.0),
        zone: zone.map(|z| z.name.clone()).unwrap_or_default(),
        opened_on: date_string(e.opened_on),
        closed_on: e.closed_on.map(date_string).unwrap_or_default(),
        jobs: e.jobs,
        low_income_jobs: e.low_income_jobs,
        monthly_gain: e.monthly_gain.yuan_string(),
        collective_income: money(e.collective_income),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "elements.html")]
pub struct ElementsPage {
    pub layout: Layout,
    pub rows: Vec<ElementRow>,
    pub kinds: Vec<Opt>,
    pub zones: Vec<Opt>,
    pub jobs: i64,
    pub low_income_jobs: i64,
    pub collective_income: String,
    /// The filters, for the export link.
    pub query: String,
}

pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<ElementQuery>,
) -> Result<ElementsPage, PageError> {
    let filter = q.parse()?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let elements = st.store.elements(&filter, day).await?;
    let kind = q.kind.clone().unwrap_or_default();
    let zone = q.zone.clone().unwrap_or_default();
    let mut kinds = vec![opt("", "全部类型", &kind)];
    kinds.extend(ElementType::ALL.map(|k| opt(k.key(), k.label(), &kind)));
    let zones = zone_filter_opts(&snap, day, &zone);
    Ok(ElementsPage {
        layout: Layout::new("共富元素", "ops", snap.is_demo),
        jobs: elements.iter().map(|e| e.jobs).sum(),
        low_income_jobs: elements.iter().map(|e| e.low_income_jobs).sum(),
        collective_income: money(elements.iter().map(|e| e.collective_income).sum::<Fen>()),
        rows: elements.iter().map(|e| row(&snap, e, day)).collect(),
        query: super::query_string(&[
            ("type", &q.kind),
            ("zone", &q.zone),
            ("village", &q.village),
            ("open", &q.open),
        ]),
        kinds,
        zones,
    })
}

/// The form's fields as typed.
#[derive(Default, Clone)]
pub struct ElementForm {
    pub kind: String,
    pub name: String,
    pub village_code: String,
    pub opened_on: String,
    pub closed_on: String,
    pub jobs: String,
    pub low_income_jobs: String,
    pub monthly_gain: String,
    pub collective_income: String,
    pub operator: String,
    pub note: String,
    pub version: i64,
}

impl ElementForm {
    fn read(body: &[u8]) -> ElementForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        ElementForm {
            kind: v("type"),
            name: v("name"),
            village_code: v("village_code"),
            opened_on: v("opened_on"),
            closed_on: v("closed_on"),
            jobs: v("jobs"),
            low_income_jobs: v("low_income_jobs"),
            monthly_gain: v("monthly_gain"),
            collective_income: v("collective_income"),
            operator: v("operator"),
            note: v("note"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(e: &Element) -> ElementForm {
        let yuan = |f: Fen| f.yuan_string().replace(',', "");
        ElementForm {
            kind: e.kind.key().into(),
            name: e.name.clone(),
            village_code: e.village.to_string(),
            opened_on: date_string(e.opened_on),
            closed_on: e.closed_on.map(date_string).unwrap_or_default(),
            jobs: e.jobs.to_string(),
            low_income_jobs: e.low_income_jobs.to_string(),
            monthly_gain: yuan(e.monthly_gain),
            collective_income: yuan(e.collective_income),
            operator: e.operator.clone(),
            note: e.note.clone(),
            version: e.version,
        }
    }
    /// The element keeps its own point when edited here (the form does not show it).
    fn draft(&self, point: Option<(f64, f64)>) -> ElementDraft {
        ElementDraft {
            kind: self.kind.clone(),
            name: self.name.clone(),
            village_code: self.village_code.clone(),
            lon: point.map(|p| p.0),
            lat: point.map(|p| p.1),
            opened_on: self.opened_on.clone(),
            closed_on: self.closed_on.clone(),
            jobs: self.jobs.clone(),
            low_income_jobs: self.low_income_jobs.clone(),
            monthly_gain: self.monthly_gain.clone(),
            collective_income: self.collective_income.clone(),
            operator: self.operator.clone(),
            note: self.note.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "element_form.html")]
pub struct ElementFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub v: ElementForm,
    pub kinds: Vec<Opt>,
    pub groups: Vec<VillageGroup>,
    pub errors: Vec<(String, String)>,
}

error_for!(ElementFormPage);

fn form_page(
    snap: &Snapshot,
    day: Date,
    id: Option<i64>,
    v: ElementForm,
    errors: Vec<(String, String)>,
) -> ElementFormPage {
    let mut kinds = vec![opt("", "请选择类型", &v.kind)];
    kinds.extend(ElementType::ALL.map(|k| opt(k.key(), k.label(), &v.kind)));
    let f = super::form_frame(id, "编辑共富元素", "登记共富元素", &v.name, "/elements");
    ElementFormPage {
        layout: Layout::new(f.title, "ops", snap.is_demo),
        heading: f.heading,
        action: f.action,
        groups: village_groups(snap, day, &v.village_code),
        kinds,
        v,
        errors,
    }
}

pub async fn new_form(State(st): State<AppState>) -> Result<ElementFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let v = ElementForm {
        opened_on: date_string(st.today()),
        ..Default::default()
    };
    Ok(form_page(&snap, st.today(), None, v, Vec::new()))
}

pub async fn create_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = ElementForm::read(&body);
    let r = async {
        let spec = v.draft(None).parse(st.today()).map_err(ApiError::invalid)?;
        st.store.create_element(&actor, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/elements").into_response()),
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

async fn element_or_404(st: &AppState, id: i64) -> Result<Element, PageError> {
    Ok(st
        .store
        .element(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("共富元素 {id} 不存在")))?)
}

pub async fn edit_form(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ElementFormPage, PageError> {
    let e = element_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    Ok(form_page(
        &snap,
        st.today(),
        Some(id),
        ElementForm::of(&e),
        Vec::new(),
    ))
}

pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = ElementForm::read(&body);
    let current = element_or_404(&st, id).await?;
    let r = async {
        let spec = v
            .draft(current.lon.zip(current.lat))
            .parse(st.today())
            .map_err(ApiError::invalid)?;
        st.store
            .update_element(&actor, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to("/elements").into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                let now = ElementForm::of(&current);
                format!(
                    "当前内容：{}「{}」，就业 {} 人（低收入 {} 人），开业 {}{}。",
                    current.kind.label(),
                    now.name,
                    now.jobs,
                    now.low_income_jobs,
                    now.opened_on,
                    if now.closed_on.is_empty() {
                        String::new()
                    } else {
                        format!("，停办 {}", now.closed_on)
                    }
                )
            });
            Ok((status, form_page(&snap, st.today(), Some(id), v, errors)).into_response())
        }
    }
}
