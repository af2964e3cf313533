//! 品牌与产业链 pages: the brands (the regional public brand first, then product brands with
//! their geographical-indication details and valid licences), a brand's licences (valid and
//! the rest), the "6+X" industry chains with their links 种养 → 加工 → 销售 → 文旅, a chain's
//! actors and villages (with their zones) and output by year, and the forms. Only the district
//! administrator sees the forms' buttons; the store refuses anyone else.

use super::villages::{Opt, opt};
use super::work::zone_filter_opts;
use super::{Layout, error_status, field_errors, form_pairs, form_value, form_values};
use crate::AppState;
use crate::api::RequestActor;
use crate::api::zone_param;
use crate::brands_api::{ActorNames, actor_names};
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::ops::brands::{
    Brand, BrandDraft, BrandKind, Chain, ChainDraft, ChainLinkDraft, Licence, LicenceDraft,
    LinkKind, OutputDraft,
};
use gongfu_core::ops::indicators::chain_shares;
use gongfu_core::village::date_string;
use gongfu_core::{DataYear, Fen, VillageCode};
use gongfu_store::Snapshot;
use serde::Deserialize;
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/brands", get(brands).post(create_brand))
        .route("/brands/new", get(new_brand))
        .route("/brands/{id}", get(brand_page))
        .route("/brands/{id}/edit", get(edit_brand).post(update_brand))
        .route("/brands/{id}/licences", post(create_licence))
        .route(
            "/brands/{id}/licences/{lid}/edit",
            get(edit_licence).post(update_licence),
        )
        .route("/chains", get(chains).post(create_chain))
        .route("/chains/new", get(new_chain))
        .route("/chains/{id}", get(chain_page))
        .route("/chains/{id}/edit", get(edit_chain).post(update_chain))
        .route("/chains/{id}/output", post(set_output))
}

/// Money as officials read it here: yuan with thousands separators.
fn yuan(f: Fen) -> String {
    format!("{} 元", f.yuan_string())
}

/// Money as typed in a form: plain yuan.
fn yuan_input(f: Fen) -> String {
    f.yuan_string().replace(',', "")
}

// ---------------------------------------------------------------- brands

pub struct BrandRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub product: String,
    pub gi_number: String,
    pub gi_holder: String,
    pub gi_area: String,
    pub valid: usize,
    pub total: usize,
    pub chains: Vec<(i64, String)>,
}

fn brand_row(b: &Brand, licences: &[Licence], chains: &[Chain], day: Date) -> BrandRow {
    let mine: Vec<&Licence> = licences.iter().filter(|l| l.brand == b.id).collect();
    BrandRow {
        id: b.id,
        name: b.name.clone(),
        kind: b.kind.label(),
        product: b.product.clone(),
        gi_number: b.gi.as_ref().map(|g| g.number.clone()).unwrap_or_default(),
        gi_holder: b.gi.as_ref().map(|g| g.holder.clone()).unwrap_or_default(),
        gi_area: b.gi.as_ref().map(|g| g.area.clone()).unwrap_or_default(),
        valid: mine.iter().filter(|l| l.valid_on(day)).count(),
        total: mine.len(),
        chains: chains
            .iter()
            .filter(|c| c.brand == Some(b.id))
            .map(|c| (c.id, c.name.clone()))
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "brand_list.html")]
pub struct BrandsPage {
    pub layout: Layout,
    pub regional: Vec<BrandRow>,
    pub products: Vec<BrandRow>,
    pub today: String,
}

async fn brands(State(st): State<AppState>) -> Result<BrandsPage, PageError> {
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let licences = st.store.licences(None).await?;
    let chains = st.store.chains().await?;
    let all: Vec<BrandRow> = st
        .store
        .brands()
        .await?
        .iter()
        .map(|b| brand_row(b, &licences, &chains, day))
        .collect();
    let (regional, products) = all
        .into_iter()
        .partition(|r| r.kind == BrandKind::Regional.label());
    Ok(BrandsPage {
        layout: Layout::new("品牌", "ops", snap.is_demo),
        regional,
        products,
        today: date_string(day),
    })
}

pub struct LicenceRow {
    pub id: i64,
    pub actor_id: i64,
    pub actor: String,
    pub credit_code: String,
    pub from: String,
    pub to: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub revoked_on: String,
    pub note: String,
}

fn licence_row(l: &Licence, actors: &ActorNames, day: Date) -> LicenceRow {
    let status = l.status_on(day);
    let a = actors.get(&l.actor);
    LicenceRow {
        id: l.id,
        actor_id: l.actor,
        actor: a
            .map(|a| a.name.clone())
            .unwrap_or_else(|| format!("主体 {}", l.actor)),
        credit_code: a.map(|a| a.credit_code.to_string()).unwrap_or_default(),
        from: date_string(l.from),
        to: date_string(l.to),
        status: status.label(),
        status_key: status.key(),
        revoked_on: l.revoked_on.map(date_string).unwrap_or_default(),
        note: l.note.clone(),
    }
}

/// The licence form's fields as typed.
#[derive(Default, Clone)]
pub struct LicenceForm {
    pub actor: String,
    pub from: String,
    pub to: String,
    pub revoked_on: String,
    pub note: String,
    pub version: i64,
}

impl LicenceForm {
    fn read(body: &[u8]) -> LicenceForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        LicenceForm {
            actor: v("actor"),
            from: v("from"),
            to: v("to"),
            revoked_on: v("revoked_on"),
            note: v("note"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(l: &Licence) -> LicenceForm {
        LicenceForm {
            actor: l.actor.to_string(),
            from: date_string(l.from),
            to: date_string(l.to),
            revoked_on: l.revoked_on.map(date_string).unwrap_or_default(),
            note: l.note.clone(),
            version: l.version,
        }
    }
    fn draft(&self) -> LicenceDraft {
        LicenceDraft {
            actor: self.actor.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            revoked_on: self.revoked_on.clone(),
            note: self.note.clone(),
        }
    }
}

fn actor_opts(actors: &ActorNames, current: &str) -> Vec<Opt> {
    let mut v: Vec<_> = actors.values().collect();
    v.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let mut out = vec![opt("", "请选择主体（主体名录）", current)];
    out.extend(v.into_iter().map(|a| {
        opt(
            a.id.to_string(),
            format!("{}（{}）", a.name, a.kind.label()),
            current,
        )
    }));
    out
}

#[derive(Template, WebTemplate)]
#[template(path = "brand_page.html")]
pub struct BrandPage {
    pub layout: Layout,
    pub b: BrandRow,
    pub valid: Vec<LicenceRow>,
    pub others: Vec<LicenceRow>,
    pub actors: Vec<Opt>,
    pub v: LicenceForm,
    pub errors: Vec<(String, String)>,
    pub today: String,
}

error_for!(BrandPage);

async fn brand_or_404(st: &AppState, id: i64) -> Result<Brand, ApiError> {
    st.store
        .brand(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("品牌 {id} 不存在")))
}

async fn brand_view(
    st: &AppState,
    id: i64,
    v: LicenceForm,
    errors: Vec<(String, String)>,
) -> Result<BrandPage, ApiError> {
    let b = brand_or_404(st, id).await?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let licences = st.store.licences(Some(id)).await?;
    let chains = st.store.chains().await?;
    let actors = actor_names(st).await?;
    let (valid, others): (Vec<&Licence>, Vec<&Licence>) =
        licences.iter().partition(|l| l.valid_on(day));
    Ok(BrandPage {
        layout: Layout::new(b.name.clone(), "ops", snap.is_demo),
        b: brand_row(&b, &licences, &chains, day),
        valid: valid.iter().map(|l| licence_row(l, &actors, day)).collect(),
        others: others
            .iter()
            .map(|l| licence_row(l, &actors, day))
            .collect(),
        actors: actor_opts(&actors, &v.actor),
        v,
        errors,
        today: date_string(day),
    })
}

async fn brand_page(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<BrandPage, PageError> {
    let day = st.today();
    let v = LicenceForm {
        from: date_string(day),
        to: format!("{}-12-31", day.year() + 2),
        ..Default::default()
    };
    Ok(brand_view(&st, id, v, Vec::new()).await?)
}

async fn create_licence(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = LicenceForm::read(&body);
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        st.store.create_licence(&actor, id, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/brands/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            Ok((status, brand_view(&st, id, v, field_errors(e)).await?).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "brand_licence_form.html")]
pub struct LicenceFormPage {
    pub layout: Layout,
    pub brand_id: i64,
    pub brand: String,
    pub id: i64,
    pub actors: Vec<Opt>,
    pub v: LicenceForm,
    pub errors: Vec<(String, String)>,
}

error_for!(LicenceFormPage);

async fn licence_form(
    st: &AppState,
    brand: i64,
    id: i64,
    v: LicenceForm,
    errors: Vec<(String, String)>,
) -> Result<LicenceFormPage, ApiError> {
    let b = brand_or_404(st, brand).await?;
    let snap = st.store.snapshot().await?;
    let actors = actor_names(st).await?;
    Ok(LicenceFormPage {
        layout: Layout::new(format!("编辑授权：{}", b.name), "ops", snap.is_demo),
        brand_id: b.id,
        brand: b.name,
        id,
        actors: actor_opts(&actors, &v.actor),
        v,
        errors,
    })
}

async fn licence_or_404(st: &AppState, brand: i64, id: i64) -> Result<Licence, ApiError> {
    st.store
        .licences(Some(brand))
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| ApiError::not_found(format!("品牌 {brand} 的授权 {id} 不存在")))
}

async fn edit_licence(
    State(st): State<AppState>,
    Path((brand, id)): Path<(i64, i64)>,
) -> Result<LicenceFormPage, PageError> {
    let l = licence_or_404(&st, brand, id).await?;
    Ok(licence_form(&st, brand, id, LicenceForm::of(&l), Vec::new()).await?)
}

async fn update_licence(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path((brand, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = LicenceForm::read(&body);
    let current = licence_or_404(&st, brand, id).await?;
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        st.store
            .update_licence(&actor, brand, id, v.version, &spec)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/brands/{brand}")).into_response()),
        Err(e) => {
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                let now = LicenceForm::of(&current);
                format!(
                    "当前内容：授权期限 {} 至 {}{}。",
                    now.from,
                    now.to,
                    if now.revoked_on.is_empty() {
                        String::new()
                    } else {
                        format!("，{} 撤销", now.revoked_on)
                    }
                )
            });
            Ok((status, licence_form(&st, brand, id, v, errors).await?).into_response())
        }
    }
}

/// The brand form's fields as typed.
#[derive(Default, Clone)]
pub struct BrandForm {
    pub name: String,
    pub kind: String,
    pub product: String,
    pub gi_number: String,
    pub gi_holder: String,
    pub gi_area: String,
    pub version: i64,
}

impl BrandForm {
    fn read(body: &[u8]) -> BrandForm {
        let p = form_pairs(body);
        let v = |k: &str| form_value(&p, k);
        BrandForm {
            name: v("name"),
            kind: v("kind"),
            product: v("product"),
            gi_number: v("gi_number"),
            gi_holder: v("gi_holder"),
            gi_area: v("gi_area"),
            version: v("version").parse().unwrap_or(0),
        }
    }
    fn of(b: &Brand) -> BrandForm {
        BrandForm {
            name: b.name.clone(),
            kind: b.kind.key().into(),
            product: b.product.clone(),
            gi_number: b.gi.as_ref().map(|g| g.number.clone()).unwrap_or_default(),
            gi_holder: b.gi.as_ref().map(|g| g.holder.clone()).unwrap_or_default(),
            gi_area: b.gi.as_ref().map(|g| g.area.clone()).unwrap_or_default(),
            version: b.version,
        }
    }
    fn draft(&self) -> BrandDraft {
        BrandDraft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            product: self.product.clone(),
            gi_number: self.gi_number.clone(),
            gi_holder: self.gi_holder.clone(),
            gi_area: self.gi_area.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "brand_form.html")]
pub struct BrandFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub kinds: Vec<Opt>,
    pub v: BrandForm,
    pub errors: Vec<(String, String)>,
}

error_for!(BrandFormPage);

fn brand_form(
    demo: bool,
    id: Option<i64>,
    v: BrandForm,
    errors: Vec<(String, String)>,
) -> BrandFormPage {
    let mut kinds = vec![opt("", "请选择类别", &v.kind)];
    kinds.extend(BrandKind::ALL.map(|k| opt(k.key(), k.label(), &v.kind)));
    let f = super::form_frame(id, "编辑品牌", "登记品牌", &v.name, "/brands");
    BrandFormPage {
        layout: Layout::new(f.title, "ops", demo),
        heading: f.heading,
        action: f.action,
        cancel: f.cancel,
        kinds,
        v,
        errors,
    }
}

async fn new_brand(State(st): State<AppState>) -> Result<BrandFormPage, PageError> {
    let snap = st.store.snapshot().await?;
    let v = BrandForm {
        kind: BrandKind::Product.key().into(),
        ..Default::default()
    };
    Ok(brand_form(snap.is_demo, None, v, Vec::new()))
}

async fn create_brand(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = BrandForm::read(&body);
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_brand(&actor, &spec).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/brands/{id}")).into_response()),
        Err(e) => {
            let snap = st.store.snapshot().await?;
            Ok((
                error_status(&e),
                brand_form(snap.is_demo, None, v, field_errors(e)),
            )
                .into_response())
        }
    }
}

async fn edit_brand(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<BrandFormPage, PageError> {
    let b = brand_or_404(&st, id).await?;
    let snap = st.store.snapshot().await?;
    Ok(brand_form(
        snap.is_demo,
        Some(id),
        BrandForm::of(&b),
        Vec::new(),
    ))
}

async fn update_brand(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = BrandForm::read(&body);
    let current = brand_or_404(&st, id).await?;
    let r = async {
        let spec = v.draft().parse().map_err(ApiError::invalid)?;
        st.store.update_brand(&actor, id, v.version, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/brands/{id}")).into_response()),
        Err(e) => {
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                format!(
                    "当前内容：{}「{}」{}。",
                    current.kind.label(),
                    current.name,
                    current
                        .gi
                        .as_ref()
                        .map(|g| format!("，地理标志 {}", g.number))
                        .unwrap_or_default()
                )
            });
            let snap = st.store.snapshot().await?;
            Ok((status, brand_form(snap.is_demo, Some(id), v, errors)).into_response())
        }
    }
}

// ---------------------------------------------------------------- chains

/// One link as the list shows it.
pub struct LinkCell {
    pub label: &'static str,
    pub villages: usize,
    pub actors: usize,
}

pub struct ChainRow {
    pub id: i64,
    pub name: String,
    pub brand: Option<(i64, String)>,
    pub links: Vec<LinkCell>,
    pub villages: usize,
    pub latest: String,
    pub previous: String,
}

/// The two years the list shows: the latest year any chain reported (not after this year),
/// and the one before — so a list read early in a year still shows figures.
fn shown_years(chains: &[Chain], day: Date) -> (i32, i32) {
    let latest = chains
        .iter()
        .flat_map(|c| c.output.iter().map(|o| o.year.get()))
        .filter(|y| *y <= day.year())
        .max()
        .unwrap_or(day.year());
    (latest, latest - 1)
}

fn chain_row(c: &Chain, brands: &[Brand], years: (i32, i32)) -> ChainRow {
    let out = |y: i32| {
        c.output_in(y)
            .map(|o| o.value.wan_yuan_string())
            .unwrap_or_else(|| "未填报".into())
    };
    ChainRow {
        id: c.id,
        name: c.name.clone(),
        brand: c
            .brand
            .and_then(|b| brands.iter().find(|x| x.id == b))
            .map(|b| (b.id, b.name.clone())),
        links: LinkKind::ALL
            .iter()
            .map(|&k| LinkCell {
                label: k.label(),
                villages: c.link(k).map_or(0, |l| l.villages.len()),
                actors: c.link(k).map_or(0, |l| l.actors.len()),
            })
            .collect(),
        villages: c.villages().len(),
        latest: out(years.0),
        previous: out(years.1),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "chain_list.html")]
pub struct ChainsPage {
    pub layout: Layout,
    pub rows: Vec<ChainRow>,
    pub zones: Vec<Opt>,
    pub latest_year: i32,
    pub previous_year: i32,
    pub latest_total: String,
}

#[derive(Deserialize, Default)]
pub struct ChainListQuery {
    pub zone: Option<String>,
}

async fn chains(
    State(st): State<AppState>,
    Query(q): Query<ChainListQuery>,
) -> Result<ChainsPage, PageError> {
    let zone = zone_param(&q.zone)?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let brands = st.store.brands().await?;
    let list = st.store.chains_in_zone(zone, day).await?;
    let years = shown_years(&st.store.chains().await?, day);
    let current = q.zone.clone().unwrap_or_default();
    let zones = zone_filter_opts(&snap, day, &current);
    Ok(ChainsPage {
        layout: Layout::new("产业链", "ops", snap.is_demo),
        latest_total: list
            .iter()
            .filter_map(|c| c.output_in(years.0).map(|o| o.value))
            .sum::<Fen>()
            .wan_yuan_string(),
        rows: list.iter().map(|c| chain_row(c, &brands, years)).collect(),
        zones,
        latest_year: years.0,
        previous_year: years.1,
    })
}

pub struct PlaceRow {
    pub code: String,
    pub name: String,
    pub town: String,
    pub zone: Option<(i64, String)>,
}

fn place(snap: &Snapshot, v: &VillageCode, day: Date) -> PlaceRow {
    PlaceRow {
        code: v.to_string(),
        name: snap
            .division(v)
            .map(|d| d.division.name.clone())
            .unwrap_or_else(|| v.to_string()),
        town: snap.town_name(&v.town()).to_string(),
        zone: snap
            .membership_of(v, day)
            .and_then(|m| snap.zone(m.zone))
            .map(|z| (z.id.0, z.name.clone())),
    }
}

pub struct LinkView {
    pub label: &'static str,
    pub actors: Vec<(i64, String)>,
    pub villages: Vec<PlaceRow>,
}

pub struct OutputRow {
    pub year: i32,
    pub value: String,
    /// The year's output shared among zones as the zone figures count it.
    pub shares: String,
    pub input: String,
    pub version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "chain_page.html")]
pub struct ChainPage {
    pub layout: Layout,
    pub id: i64,
    pub name: String,
    pub note: String,
    pub brand: Option<(i64, String)>,
    pub links: Vec<LinkView>,
    pub zones: Vec<(i64, String, usize)>,
    pub outside: usize,
    pub outputs: Vec<OutputRow>,
    pub new_year: String,
    pub new_output: String,
    pub errors: Vec<(String, String)>,
}

error_for!(ChainPage);

async fn chain_or_404(st: &AppState, id: i64) -> Result<Chain, ApiError> {
    st.store
        .chain(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("产业链 {id} 不存在")))
}

async fn chain_view(
    st: &AppState,
    id: i64,
    new: (String, String),
    errors: Vec<(String, String)>,
) -> Result<ChainPage, ApiError> {
    let c = chain_or_404(st, id).await?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let brands = st.store.brands().await?;
    let actors = actor_names(st).await?;
    let links: Vec<LinkView> = LinkKind::ALL
        .iter()
        .map(|&k| {
            let l = c.link(k);
            LinkView {
                label: k.label(),
                actors: l.map_or(vec![], |l| {
                    l.actors
                        .iter()
                        .map(|a| {
                            (
                                *a,
                                actors
                                    .get(a)
                                    .map(|x| x.name.clone())
                                    .unwrap_or_else(|| format!("主体 {a}")),
                            )
                        })
                        .collect()
                }),
                villages: l.map_or(vec![], |l| {
                    l.villages.iter().map(|v| place(&snap, v, day)).collect()
                }),
            }
        })
        .collect();
    // Villages per zone today (the share the zone figures use, year by year).
    let mut zones: Vec<(i64, String, usize)> = Vec::new();
    let mut outside = 0;
    for v in c.villages() {
        match snap.membership_of(&v, day).and_then(|m| snap.zone(m.zone)) {
            Some(z) => match zones.iter_mut().find(|x| x.0 == z.id.0) {
                Some(x) => x.2 += 1,
                None => zones.push((z.id.0, z.name.clone(), 1)),
            },
            None => outside += 1,
        }
    }
    zones.sort_by_key(|z| z.0);
    let mut outputs: Vec<OutputRow> = c
        .output
        .iter()
        .map(|o| OutputRow {
            year: o.year.get(),
            value: yuan(o.value),
            shares: {
                let zones: Vec<Option<i64>> = c
                    .villages()
                    .iter()
                    .map(|v| gongfu_store::ops::zone_in_year(&snap, v, o.year.get()))
                    .collect();
                chain_shares(o.value, &zones)
                    .into_iter()
                    .map(|(z, v)| match z {
                        Some(z) => format!("{} {}", super::work::zone_name(&snap, z), yuan(v)),
                        None => format!("片区外 {}", yuan(v)),
                    })
                    .collect::<Vec<_>>()
                    .join("；")
            },
            input: yuan_input(o.value),
            version: o.version,
        })
        .collect();
    outputs.sort_by_key(|o| std::cmp::Reverse(o.year));
    Ok(ChainPage {
        layout: Layout::new(c.name.clone(), "ops", snap.is_demo),
        id: c.id,
        name: c.name.clone(),
        note: c.note.clone(),
        brand: c
            .brand
            .and_then(|b| brands.iter().find(|x| x.id == b))
            .map(|b| (b.id, b.name.clone())),
        links,
        zones,
        outside,
        outputs,
        new_year: new.0,
        new_output: new.1,
        errors,
    })
}

async fn chain_page(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ChainPage, PageError> {
    let year = st.today().year().to_string();
    Ok(chain_view(&st, id, (year, String::new()), Vec::new()).await?)
}

async fn set_output(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let year_text = form_value(&p, "year");
    let output = form_value(&p, "output");
    let version: i64 = form_value(&p, "version").parse().unwrap_or(0);
    let r = async {
        let year = DataYear::parse(&year_text).map_err(|e| ApiError::invalid(vec![e]))?;
        let value = OutputDraft {
            output: output.clone(),
            version,
        }
        .parse()
        .map_err(ApiError::invalid)?;
        st.store
            .set_chain_output(&actor, id, year, version, value)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/chains/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let conflict = e.code == "version_conflict";
            let mut errors = field_errors(e);
            if conflict {
                errors.push((
                    "output".into(),
                    format!(
                        "{year_text} 年产值已被他人填报或修改，请看下表中的当前值；如需更正，请在该年份一行修改后保存。"
                    ),
                ));
            }
            Ok((
                status,
                chain_view(&st, id, (year_text, output), errors).await?,
            )
                .into_response())
        }
    }
}

/// One link of the chain form: the villages and actors picked for it.
pub struct LinkForm {
    pub key: &'static str,
    pub label: &'static str,
    pub villages: Vec<String>,
    pub actors: Vec<String>,
}

/// The chain form's fields as typed.
pub struct ChainForm {
    pub name: String,
    pub brand: String,
    pub note: String,
    pub links: Vec<LinkForm>,
    pub version: i64,
}

impl ChainForm {
    fn read(body: &[u8]) -> ChainForm {
        let p = form_pairs(body);
        ChainForm {
            name: form_value(&p, "name"),
            brand: form_value(&p, "brand"),
            note: form_value(&p, "note"),
            links: LinkKind::ALL
                .iter()
                .map(|k| LinkForm {
                    key: k.key(),
                    label: k.label(),
                    villages: form_values(&p, &format!("v_{}", k.key())),
                    actors: form_values(&p, &format!("a_{}", k.key())),
                })
                .collect(),
            version: form_value(&p, "version").parse().unwrap_or(0),
        }
    }
    fn of(c: &Chain) -> ChainForm {
        ChainForm {
            name: c.name.clone(),
            brand: c.brand.map(|b| b.to_string()).unwrap_or_default(),
            note: c.note.clone(),
            links: LinkKind::ALL
                .iter()
                .map(|&k| LinkForm {
                    key: k.key(),
                    label: k.label(),
                    villages: c.link(k).map_or(vec![], |l| {
                        l.villages.iter().map(|v| v.to_string()).collect()
                    }),
                    actors: c
                        .link(k)
                        .map_or(vec![], |l| l.actors.iter().map(|a| a.to_string()).collect()),
                })
                .collect(),
            version: c.version,
        }
    }
    fn empty() -> ChainForm {
        ChainForm {
            name: String::new(),
            brand: String::new(),
            note: String::new(),
            links: LinkKind::ALL
                .iter()
                .map(|k| LinkForm {
                    key: k.key(),
                    label: k.label(),
                    villages: vec![],
                    actors: vec![],
                })
                .collect(),
            version: 0,
        }
    }
    /// A picked id that is not a number is kept out of the draft; the select offers only
    /// registry ids, so that only happens to a forged form.
    fn draft(&self) -> Result<ChainDraft, ApiError> {
        let brand = match self.brand.trim() {
            "" => None,
            b => Some(b.parse::<i64>().map_err(|_| {
                ApiError::invalid(vec![gongfu_core::DomainError::new(
                    "invalid_ref",
                    "brand",
                    format!("品牌编号「{b}」无效"),
                )])
            })?),
        };
        Ok(ChainDraft {
            name: self.name.clone(),
            brand,
            note: self.note.clone(),
            links: self
                .links
                .iter()
                .map(|l| ChainLinkDraft {
                    kind: l.key.into(),
                    actors: l.actors.iter().filter_map(|a| a.parse().ok()).collect(),
                    villages: l.villages.clone(),
                })
                .collect(),
        })
    }
}

pub struct PickGroup {
    pub label: String,
    pub options: Vec<(String, String)>,
}

pub struct LinkPicker {
    pub key: &'static str,
    pub label: &'static str,
    pub villages: Vec<PickGroup>,
    pub picked_villages: Vec<String>,
    pub actors: Vec<(String, String)>,
    pub picked_actors: Vec<String>,
}

impl LinkPicker {
    /// The names of the picked villages, for the line under the list.
    pub fn picked_village_names(&self) -> String {
        let names: Vec<&str> = self
            .villages
            .iter()
            .flat_map(|g| g.options.iter())
            .filter(|o| self.has_village(&o.0))
            .map(|o| o.1.as_str())
            .collect();
        if names.is_empty() {
            "未选".into()
        } else {
            names.join("、")
        }
    }
    pub fn picked_actor_names(&self) -> String {
        let names: Vec<&str> = self
            .actors
            .iter()
            .filter(|o| self.has_actor(&o.0))
            .map(|o| o.1.as_str())
            .collect();
        if names.is_empty() {
            "未选".into()
        } else {
            names.join("、")
        }
    }
    pub fn has_village(&self, code: &str) -> bool {
        self.picked_villages.iter().any(|v| v == code)
    }
    pub fn has_actor(&self, id: &str) -> bool {
        self.picked_actors.iter().any(|v| v == id)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "chain_form.html")]
pub struct ChainFormPage {
    pub layout: Layout,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub name: String,
    pub note: String,
    pub version: i64,
    pub brands: Vec<Opt>,
    pub links: Vec<LinkPicker>,
    pub errors: Vec<(String, String)>,
}

error_for!(ChainFormPage);

/// Villages grouped for picking: first the members of each zone (where chains mostly run),
/// then every other village by town.
fn village_picks(snap: &Snapshot, day: Date) -> Vec<PickGroup> {
    let mut groups = Vec::new();
    let mut zones: Vec<_> = snap.zones.iter().filter(|z| z.is_live_on(day)).collect();
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    let mut in_zone: Vec<String> = Vec::new();
    for z in zones {
        let mut options: Vec<(String, String)> = snap
            .members(z.id, day)
            .iter()
            .map(|m| {
                (
                    m.village.to_string(),
                    snap.division(&m.village)
                        .map(|d| d.division.name.clone())
                        .unwrap_or_else(|| m.village.to_string()),
                )
            })
            .collect();
        options.sort();
        in_zone.extend(options.iter().map(|o| o.0.clone()));
        groups.push(PickGroup {
            label: format!("片区：{}", z.name),
            options,
        });
    }
    for t in &snap.towns {
        let options: Vec<(String, String)> = snap
            .divisions
            .iter()
            .filter(|d| {
                d.division.town == t.code
                    && d.division.status.is_active_on(day)
                    && !in_zone.iter().any(|c| c == d.division.code.as_str())
            })
            .map(|d| (d.division.code.to_string(), d.division.name.clone()))
            .collect();
        if !options.is_empty() {
            groups.push(PickGroup {
                label: format!("{}（片区外）", t.name),
                options,
            });
        }
    }
    groups
}

async fn chain_form(
    st: &AppState,
    id: Option<i64>,
    v: ChainForm,
    errors: Vec<(String, String)>,
) -> Result<ChainFormPage, ApiError> {
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let actors = actor_names(st).await?;
    let mut actor_list: Vec<(String, String)> = actors
        .values()
        .map(|a| {
            (
                a.id.to_string(),
                format!("{}（{}）", a.name, a.kind.label()),
            )
        })
        .collect();
    actor_list.sort_by(|a, b| a.1.cmp(&b.1));
    let villages = village_picks(&snap, day);
    let mut brands = vec![opt("", "（不关联品牌）", &v.brand)];
    brands.extend(
        st.store
            .brands()
            .await?
            .iter()
            .map(|b| opt(b.id.to_string(), b.name.clone(), &v.brand)),
    );
    let f = super::form_frame(id, "编辑产业链", "登记产业链", &v.name, "/chains");
    Ok(ChainFormPage {
        layout: Layout::new(f.title, "ops", snap.is_demo),
        heading: f.heading,
        action: f.action,
        cancel: f.cancel,
        links: v
            .links
            .into_iter()
            .map(|l| LinkPicker {
                key: l.key,
                label: l.label,
                villages: villages
                    .iter()
                    .map(|g| PickGroup {
                        label: g.label.clone(),
                        options: g.options.clone(),
                    })
                    .collect(),
                picked_villages: l.villages,
                actors: actor_list.clone(),
                picked_actors: l.actors,
            })
            .collect(),
        name: v.name,
        note: v.note,
        version: v.version,
        brands,
        errors,
    })
}

async fn new_chain(State(st): State<AppState>) -> Result<ChainFormPage, PageError> {
    Ok(chain_form(&st, None, ChainForm::empty(), Vec::new()).await?)
}

async fn create_chain(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    let v = ChainForm::read(&body);
    let r = async {
        let spec = v.draft()?.parse().map_err(ApiError::invalid)?;
        Ok::<i64, ApiError>(st.store.create_chain(&actor, &spec).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/chains/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            Ok((status, chain_form(&st, None, v, field_errors(e)).await?).into_response())
        }
    }
}

async fn edit_chain(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<ChainFormPage, PageError> {
    let c = chain_or_404(&st, id).await?;
    Ok(chain_form(&st, Some(id), ChainForm::of(&c), Vec::new()).await?)
}

async fn update_chain(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut v = ChainForm::read(&body);
    let current = chain_or_404(&st, id).await?;
    let r = async {
        let spec = v.draft()?.parse().map_err(ApiError::invalid)?;
        st.store.update_chain(&actor, id, v.version, &spec).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/chains/{id}")).into_response()),
        Err(e) => {
            let (status, errors) = super::save_failed(e, &mut v.version, current.version, || {
                format!(
                    "当前内容：「{}」，{} 个环节、{} 个村、{} 个主体。",
                    current.name,
                    current.links.len(),
                    current.villages().len(),
                    current.actors().len()
                )
            });
            Ok((status, chain_form(&st, Some(id), v, errors).await?).into_response())
        }
    }
}
