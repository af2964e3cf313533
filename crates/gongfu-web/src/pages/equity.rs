//! 利益共享 (benefit sharing) pages: the list of joint entities, an entity's classes, register
//! as of a day, numbered register lines, pending change requests with 批准 / 驳回, and its
//! distributions; the distribution table officials use (净收益 through 上期结转, payouts per
//! holder with 村集体分配额, the 留存 + Σ 分配 = 净收益 check) with its status buttons, and the
//! 公开 print view. Every amount is integer fen shown by `Fen::yuan_string`. Writes go through
//! `gongfu_store::equity`, which allows district administrators only and refuses
//! self-approval; the pages only show what it says. The forms that write (新建主体, 添加股东,
//! 变更申请, 起草 / 修改分配) are in `equity_forms`.

use super::equity_forms::{
    DraftForm, EntityForm, EntityForms, Filled, edit_form, entity_forms, new_entity_form,
};
use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::Fen;
use gongfu_core::equity::entity::Basis;
use gongfu_core::equity::{Change, ClassId, HolderId, HolderKind};
use gongfu_core::village::{date_string, parse_date};
use gongfu_store::Actor;
use gongfu_store::equity::{DistributionRecord, DistributionStatus, EntityRecord, RequestStatus};
use serde::Deserialize;
use serde_json::Value;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/equity", get(list))
        .route("/equity/{id}", get(detail))
        .route("/equity/requests/{id}/decision", post(decision_submit))
        .route("/equity/distributions/{id}", get(distribution))
        .route("/equity/distributions/{id}/status", post(status_submit))
        .route("/equity/distributions/{id}/notice", get(notice))
        .merge(super::equity_forms::routes())
}

/// A split in basis points as a percent: 4000 → 「40%」, 3333 → 「33.33%」.
fn percent(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

/// Units of a class as people read them: yuan for capital and trade (units are fen), 亩 with
/// two decimals for land (units are 0.01 亩), persons, shares, or households.
fn units_string(basis: Option<Basis>, units: i64) -> String {
    match basis {
        Some(Basis::Capital) | Some(Basis::TradeVolume) => {
            format!("{} 元", Fen(units).yuan_string())
        }
        Some(Basis::LandArea) => {
            let a = units.unsigned_abs();
            let sign = if units < 0 { "-" } else { "" };
            format!("{sign}{}.{:02} 亩", a / 100, a % 100)
        }
        Some(Basis::Population) => format!("{units} 人"),
        Some(Basis::Shares) => format!("{units} 股"),
        Some(Basis::Equal) => format!("{units} 份"),
        None => units.to_string(),
    }
}

fn yuan(f: i64) -> String {
    Fen(f).yuan_string()
}

fn holder_name(e: &EntityRecord, h: HolderId) -> String {
    e.holder(h)
        .map(|h| h.name.clone())
        .unwrap_or_else(|| format!("股东 {}", h.0))
}

fn class_name(e: &EntityRecord, c: ClassId) -> String {
    e.spec
        .class(c)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("类别 {}", c.0))
}

fn class_units(e: &EntityRecord, c: ClassId, units: i64) -> String {
    units_string(e.spec.class(c).map(|c| c.basis), units)
}

/// A change in one Chinese sentence, for the register lines and the pending requests.
pub(crate) fn describe(e: &EntityRecord, c: &Change) -> String {
    match c {
        Change::Subscription {
            holder,
            class,
            units,
            paid,
        } => {
            // Equal and population units are subscribed without payment: no 「缴款 0.00 元」.
            let paid = if paid.0 == 0 {
                String::new()
            } else {
                format!("，缴款 {} 元", paid.yuan_string())
            };
            format!(
                "{} 认购{} {}{paid}",
                holder_name(e, *holder),
                class_name(e, *class),
                class_units(e, *class, *units),
            )
        }
        Change::InKind {
            holder,
            class,
            units,
            asset,
            valuation,
            valuer,
        } => format!(
            "{} 以「{asset}」入股{} {}，评估价值 {} 元（评估机构：{valuer}）",
            holder_name(e, *holder),
            class_name(e, *class),
            class_units(e, *class, *units),
            valuation.yuan_string()
        ),
        Change::Transfer {
            from,
            to,
            class,
            units,
            price,
        } => format!(
            "{} 将{} {} 转让给 {}，价款 {} 元",
            holder_name(e, *from),
            class_name(e, *class),
            class_units(e, *class, *units),
            holder_name(e, *to),
            price.yuan_string()
        ),
        Change::Redemption {
            holder,
            class,
            units,
            refund,
        } => format!(
            "{} 退出{} {}，退还 {} 元",
            holder_name(e, *holder),
            class_name(e, *class),
            class_units(e, *class, *units),
            refund.yuan_string()
        ),
        Change::Conversion {
            holder,
            from_class,
            from_units,
            to_class,
            to_units,
        } => format!(
            "{} 的{} {} 转换为{} {}",
            holder_name(e, *holder),
            class_name(e, *from_class),
            class_units(e, *from_class, *from_units),
            class_name(e, *to_class),
            class_units(e, *to_class, *to_units)
        ),
    }
}

fn status_class(s: DistributionStatus) -> &'static str {
    match s {
        DistributionStatus::Draft => "muted",
        DistributionStatus::Review => "warn",
        DistributionStatus::Approved => "ok",
    }
}

fn classes_text(e: &EntityRecord) -> String {
    e.spec
        .classes()
        .iter()
        .map(|c| {
            format!(
                "{}（{}，{}）",
                c.name,
                c.basis.label(),
                percent(c.split.get())
            )
        })
        .collect::<Vec<_>>()
        .join("；")
}

// ---------------------------------------------------------------- list

pub struct EntityRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub zone: Option<(i64, String)>,
    pub holders: usize,
    pub classes: String,
    /// The latest distribution: (id, year, status, status class).
    pub latest: Option<(i64, i32, &'static str, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "equity_list.html")]
pub struct EquityListPage {
    pub layout: Layout,
    pub rows: Vec<EntityRow>,
    /// 新建主体, for an administrator only.
    pub create: Option<EntityForm>,
}

pub async fn list(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
) -> Result<EquityListPage, PageError> {
    render_list_page(&st, &actor, None).await
}

/// The list, with the 新建主体 form as typed when it failed.
pub(super) async fn render_list_page(
    st: &AppState,
    actor: &Actor,
    form: Option<EntityForm>,
) -> Result<EquityListPage, PageError> {
    let snap = st.store.snapshot().await?;
    let entities = st.store.equity_entities().await?;
    let dists = st.store.equity_distributions(None, None).await?;
    let rows = entities
        .iter()
        .map(|e| {
            let latest = dists
                .iter()
                .filter(|d| d.entity == e.id)
                .max_by_key(|d| (d.year, d.id))
                .map(|d| (d.id, d.year, d.status.label(), status_class(d.status)));
            EntityRow {
                id: e.id,
                name: e.spec.name().to_string(),
                kind: e.spec.kind().label(),
                zone: e.zone.map(|z| (z, crate::api::zone_name(&snap, z))),
                holders: e.holders.len(),
                classes: classes_text(e),
                latest,
            }
        })
        .collect();
    let create = gongfu_core::auth::may_administer(&actor.role)
        .then(|| form.unwrap_or_else(|| new_entity_form(&snap, st.today())));
    Ok(EquityListPage {
        layout: Layout::new("利益共享", "ops", snap.is_demo),
        rows,
        create,
    })
}

// ---------------------------------------------------------------- entity

pub struct ClassRow {
    pub name: String,
    pub kind: &'static str,
    pub basis: &'static str,
    pub split: String,
    pub total: String,
}

pub struct HoldingRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub cells: Vec<String>,
}

pub struct LineRow {
    pub no: u64,
    pub effective: String,
    pub kind: &'static str,
    pub text: String,
    pub approved_by: String,
    pub approved_on: String,
}

pub struct RequestRow {
    pub id: i64,
    pub kind: &'static str,
    pub effective: String,
    pub text: String,
    pub requested_by: String,
    pub requested_on: String,
    pub version: i64,
}

pub struct DistRow {
    pub id: i64,
    pub year: i32,
    pub status: &'static str,
    pub status_class: &'static str,
    pub net_income: String,
    pub paid: String,
    pub corrects: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "equity_entity.html")]
pub struct EntityPage {
    pub layout: Layout,
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub zone: Option<(i64, String)>,
    pub credit_code: String,
    pub classes: Vec<ClassRow>,
    pub class_names: Vec<String>,
    pub as_of: String,
    pub holdings: Vec<HoldingRow>,
    pub lines: Vec<LineRow>,
    pub pending: Vec<RequestRow>,
    /// Decided requests, newest first: (kind, text, status, decided by, reason).
    pub decided: Vec<(String, String, &'static str, String, String)>,
    pub distributions: Vec<DistRow>,
    pub can_decide: bool,
    /// Why a decision was refused, shown above the requests.
    pub messages: Vec<String>,
    /// 添加股东 and 提交变更申请, for an administrator only.
    pub forms: Option<EntityForms>,
    /// 起草年度分配, for an administrator only.
    pub draft: Option<DraftForm>,
}

#[derive(Deserialize, Default)]
pub struct EntityQuery {
    pub as_of: Option<String>,
}

pub(super) async fn entity_page(
    st: &AppState,
    actor: &Actor,
    id: i64,
    as_of: Option<String>,
    mut messages: Vec<String>,
    filled: Filled,
) -> Result<EntityPage, PageError> {
    let e = st
        .store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))?;
    let snap = st.store.snapshot().await?;
    let as_of = match as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match parse_date("as_of", s) {
            Ok(d) => d,
            Err(err) => {
                messages.push(format!("{}，已按今天显示", err.message));
                st.today()
            }
        },
        None => st.today(),
    };
    let r = st.store.equity_register(id, as_of).await?;
    let classes = e
        .spec
        .classes()
        .iter()
        .map(|c| ClassRow {
            name: c.name.clone(),
            kind: c.kind.label(),
            basis: c.basis.label(),
            split: percent(c.split.get()),
            total: units_string(Some(c.basis), r.holdings.class_total(c.id)),
        })
        .collect();
    let holdings = e
        .holders
        .iter()
        .map(|h| HoldingRow {
            id: h.id.0,
            name: h.name.clone(),
            kind: h.kind.label(),
            cells: e
                .spec
                .classes()
                .iter()
                .map(|c| {
                    let u = r.holdings.units(h.id, c.id);
                    if u == 0 {
                        String::new()
                    } else {
                        units_string(Some(c.basis), u)
                    }
                })
                .collect(),
        })
        .collect();
    let lines = r
        .lines
        .iter()
        .map(|l| LineRow {
            no: l.line.no(),
            effective: date_string(l.line.effective()),
            kind: l.line.change().label(),
            text: describe(&e, l.line.change()),
            approved_by: l.approved_by.clone(),
            approved_on: date_string(l.line.approved_on()),
        })
        .collect();
    let requests = st.store.equity_requests(id).await?;
    let pending = requests
        .iter()
        .filter(|q| q.status == RequestStatus::Pending)
        .map(|q| RequestRow {
            id: q.id,
            kind: q.request.change.label(),
            effective: date_string(q.request.effective),
            text: describe(&e, &q.request.change),
            requested_by: q.requested_by.clone(),
            requested_on: date_string(q.requested_on),
            version: q.version,
        })
        .collect();
    let decided = requests
        .iter()
        .rev()
        .filter(|q| q.status != RequestStatus::Pending)
        .take(10)
        .map(|q| {
            (
                q.request.change.label().to_string(),
                describe(&e, &q.request.change),
                q.status.label(),
                format!(
                    "{} {}",
                    q.decided_by.clone().unwrap_or_default(),
                    q.decided_on.map(date_string).unwrap_or_default()
                ),
                q.reason.clone(),
            )
        })
        .collect();
    let mut dists = st.store.equity_distributions(None, Some(id)).await?;
    dists.sort_by_key(|d| (std::cmp::Reverse(d.year), std::cmp::Reverse(d.id)));
    let distributions = dists
        .iter()
        .map(|d| DistRow {
            id: d.id,
            year: d.year,
            status: d.status.label(),
            status_class: status_class(d.status),
            net_income: d.net_income.yuan_string(),
            paid: yuan(d.payouts.iter().map(|(_, a)| a.0).sum()),
            corrects: d.corrects,
        })
        .collect();
    let may = gongfu_core::auth::may_administer(&actor.role);
    let (forms, draft) = if may {
        let (f, d) = entity_forms(&snap, st.today(), &e, filled);
        (Some(f), Some(d))
    } else {
        (None, None)
    };
    Ok(EntityPage {
        layout: Layout::new(e.spec.name().to_string(), "ops", snap.is_demo),
        id,
        name: e.spec.name().to_string(),
        kind: e.spec.kind().label(),
        zone: e.zone.map(|z| (z, crate::api::zone_name(&snap, z))),
        credit_code: e.credit_code.clone().unwrap_or_default(),
        class_names: e.spec.classes().iter().map(|c| c.name.clone()).collect(),
        classes,
        as_of: date_string(as_of),
        holdings,
        lines,
        pending,
        decided,
        distributions,
        can_decide: may,
        messages,
        forms,
        draft,
    })
}

pub async fn detail(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    Query(q): Query<EntityQuery>,
) -> Result<EntityPage, PageError> {
    entity_page(&st, &actor, id, q.as_of, Vec::new(), Filled::default()).await
}

fn messages_of(e: ApiError) -> Vec<String> {
    field_errors(e).into_iter().map(|(_, m)| m).collect()
}

/// 批准 / 驳回 a pending change request; a refusal (self-approval, a missing reason, a stale
/// form) shows the entity page again with the store's message.
pub async fn decision_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let req = st
        .store
        .equity_request(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权变动申请 {id} 不存在")))?;
    let approve = form_value(&p, "verdict") == "approve";
    let version = form_value(&p, "version").trim().parse().unwrap_or(-1);
    let reason = form_value(&p, "reason");
    let r = st
        .store
        .decide_equity_request(&actor, id, version, approve, &reason, st.today())
        .await
        .map_err(ApiError::from);
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/equity/{}#requests", req.entity)).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let page = entity_page(
                &st,
                &actor,
                req.entity,
                None,
                messages_of(e),
                Filled::default(),
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

// ---------------------------------------------------------------- distribution

pub struct StepRow {
    pub label: &'static str,
    pub amount: String,
    pub note: String,
}

pub struct PayoutRow {
    pub holder: i64,
    pub name: String,
    pub kind: &'static str,
    pub parts: Vec<String>,
    pub amount: String,
    /// 村集体分配额: the amount again when the holder is a village collective, else empty.
    pub village: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "equity_distribution.html")]
pub struct DistributionPage {
    pub layout: Layout,
    pub id: i64,
    pub entity_id: i64,
    pub entity: String,
    pub year: i32,
    pub status: &'static str,
    pub status_class: &'static str,
    pub locked: bool,
    pub net_income: String,
    pub retained: String,
    pub paid: String,
    pub village_total: String,
    pub steps: Vec<StepRow>,
    pub payouts: Vec<PayoutRow>,
    /// 留存 + Σ 分配 = 净收益 holds to the fen.
    pub balanced: bool,
    pub drafted: String,
    pub approved: String,
    pub corrects: Option<i64>,
    /// The buttons the administrator may press: (status key, label).
    pub moves: Vec<(&'static str, &'static str)>,
    pub version: i64,
    pub messages: Vec<String>,
    pub loss_year: bool,
    pub carried: String,
    /// 修改草案, for an administrator while the distribution is a 草案.
    pub draft: Option<DraftForm>,
}

fn fen_at(v: &Value, key: &str) -> i64 {
    v[key].as_i64().unwrap_or(0)
}

struct Figures {
    steps: Vec<StepRow>,
    payouts: Vec<PayoutRow>,
    paid: i64,
    village_total: i64,
    carried: i64,
}

/// The waterfall rows and the payouts of a stored distribution, from the computed result.
fn figures(d: &DistributionRecord, e: Option<&EntityRecord>) -> Figures {
    let r = &d.result;
    let guarantee = fen_at(r, "guarantee_from_profit") + fen_at(r, "guarantee_from_reserves");
    let carried = fen_at(r, "loss_carried_forward");
    let mut steps = vec![
        StepRow {
            label: "净收益",
            amount: d.net_income.yuan_string(),
            note: "本年度经审计的净收益（亏损为负）".into(),
        },
        StepRow {
            label: "弥补亏损",
            amount: yuan(fen_at(r, "loss_cover")),
            note: format!("上期结转亏损 {} 元", d.figures.prior_loss.yuan_string()),
        },
        StepRow {
            label: "公积金",
            amount: yuan(fen_at(r, "reserve")),
            note: String::new(),
        },
        StepRow {
            label: "公益金",
            amount: yuan(fen_at(r, "welfare")),
            note: String::new(),
        },
        StepRow {
            label: "保底",
            amount: yuan(guarantee),
            note: if fen_at(r, "guarantee_from_reserves") > 0 {
                format!(
                    "其中动用公积金 {} 元",
                    yuan(fen_at(r, "guarantee_from_reserves"))
                )
            } else if fen_at(r, "guarantee_unpaid") > 0 {
                format!("未能支付 {} 元", yuan(fen_at(r, "guarantee_unpaid")))
            } else {
                String::new()
            },
        },
        StepRow {
            label: "运营激励",
            amount: yuan(fen_at(r, "incentive")),
            note: String::new(),
        },
        StepRow {
            label: "可分配",
            amount: yuan(fen_at(r, "distributed")),
            note: "按类别比例分给各股东".into(),
        },
        StepRow {
            label: "本期留存",
            amount: d.retained.yuan_string(),
            note: "= 净收益 − 各股东分配额之和（含公积金、公益金、弥补亏损与未分配部分）".into(),
        },
    ];
    steps.push(StepRow {
        label: "上期结转",
        amount: yuan(d.figures.prior_loss.0),
        note: if carried > 0 {
            format!("结转下期亏损 {} 元", yuan(carried))
        } else {
            "上年结转的亏损；本期无亏损结转下期".into()
        },
    });
    let kind_of = |h: HolderId| e.and_then(|e| e.holder(h)).map(|h| h.kind);
    let parts_of = |h: HolderId| -> Vec<String> {
        r["payouts"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["holder"] == h.0))
            .and_then(|p| p["parts"].as_array())
            .map(|parts| {
                parts
                    .iter()
                    .map(|part| {
                        let what = match part["source"].as_str().unwrap_or("") {
                            "guarantee" => "保底",
                            "incentive" => "运营激励",
                            _ => "分红",
                        };
                        let class = part["class"]
                            .as_i64()
                            .and_then(|c| e.map(|e| class_name(e, ClassId(c))))
                            .map(|c| format!("{c} "))
                            .unwrap_or_default();
                        format!("{class}{what} {}", yuan(fen_at(part, "amount")))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut village_total = 0;
    let payouts = d
        .payouts
        .iter()
        .map(|(h, a)| {
            let kind = kind_of(*h);
            let village = if kind == Some(HolderKind::VillageCollective) {
                village_total += a.0;
                a.yuan_string()
            } else {
                String::new()
            };
            PayoutRow {
                holder: h.0,
                name: e
                    .map(|e| holder_name(e, *h))
                    .unwrap_or_else(|| format!("股东 {}", h.0)),
                kind: kind.map(|k| k.label()).unwrap_or(""),
                parts: parts_of(*h),
                amount: a.yuan_string(),
                village,
            }
        })
        .collect();
    Figures {
        steps,
        payouts,
        paid: d.payouts.iter().map(|(_, a)| a.0).sum(),
        village_total,
        carried,
    }
}

/// The distribution table; `draft` is the 修改草案 form as typed when it failed.
pub(super) async fn render_distribution_page(
    st: &AppState,
    actor: &Actor,
    id: i64,
    messages: Vec<String>,
    draft: Option<DraftForm>,
) -> Result<DistributionPage, PageError> {
    let d = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let e = st.store.equity_entity(d.entity).await?;
    let snap = st.store.snapshot().await?;
    let f = figures(&d, e.as_ref());
    let entity = e
        .as_ref()
        .map(|e| e.spec.name().to_string())
        .unwrap_or_default();
    let may = gongfu_core::auth::may_administer(&actor.role);
    let moves = [
        (DistributionStatus::Review, "review", "提交审核"),
        (DistributionStatus::Approved, "approved", "批准"),
        (DistributionStatus::Draft, "draft", "退回"),
    ]
    .into_iter()
    .filter(|(to, _, _)| may && d.status.may_become(*to))
    .map(|(_, k, l)| (k, l))
    .collect();
    let draft = match (&e, may && d.status == DistributionStatus::Draft) {
        (Some(e), true) => Some(draft.unwrap_or_else(|| edit_form(&d, e))),
        _ => None,
    };
    Ok(DistributionPage {
        layout: Layout::new(
            format!("{entity} {} 年收益分配", d.year),
            "ops",
            snap.is_demo,
        ),
        id,
        entity_id: d.entity,
        entity,
        year: d.year,
        status: d.status.label(),
        status_class: status_class(d.status),
        locked: d.status == DistributionStatus::Approved,
        net_income: d.net_income.yuan_string(),
        retained: d.retained.yuan_string(),
        paid: yuan(f.paid),
        village_total: yuan(f.village_total),
        balanced: d.retained.0 + f.paid == d.net_income.0,
        steps: f.steps,
        payouts: f.payouts,
        drafted: format!("{} {}", d.drafted_by, date_string(d.drafted_on)),
        approved: match (&d.approved_by, d.approved_on) {
            (Some(b), Some(o)) => format!("{b} {}", date_string(o)),
            _ => String::new(),
        },
        corrects: d.corrects,
        moves,
        version: d.version,
        messages,
        loss_year: d.net_income.0 < 0,
        carried: yuan(f.carried),
        draft,
    })
}

pub async fn distribution(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
) -> Result<DistributionPage, PageError> {
    render_distribution_page(&st, &actor, id, Vec::new(), None).await
}

/// 提交审核 / 批准 / 退回: the store checks the flow, the approver (not the drafter) and the
/// version; a refusal shows the page again with its message.
pub async fn status_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form_pairs(&body);
    let version = form_value(&p, "version").trim().parse().unwrap_or(-1);
    let r = match DistributionStatus::parse(&form_value(&p, "status"), "status") {
        Ok(to) => st
            .store
            .set_equity_distribution_status(&actor, id, version, to, st.today())
            .await
            .map(|_| ())
            .map_err(ApiError::from),
        Err(e) => Err(ApiError::invalid(vec![e])),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/equity/distributions/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            let page = render_distribution_page(&st, &actor, id, messages_of(e), None).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "equity_notice.html")]
pub struct NoticePage {
    pub layout: Layout,
    pub id: i64,
    pub entity: String,
    pub year: i32,
    pub status: &'static str,
    pub approved: bool,
    pub net_income: String,
    pub retained: String,
    pub paid: String,
    pub village_total: String,
    /// Whether any village collective is paid (else the 村集体 sum is left out).
    pub has_village: bool,
    pub payouts: Vec<PayoutRow>,
    pub today: String,
}

/// 公开: the public notice of a distribution, for printing and posting on the village board.
pub async fn notice(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<NoticePage, PageError> {
    let d = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let e = st.store.equity_entity(d.entity).await?;
    let snap = st.store.snapshot().await?;
    let f = figures(&d, e.as_ref());
    let entity = e
        .as_ref()
        .map(|e| e.spec.name().to_string())
        .unwrap_or_default();
    Ok(NoticePage {
        layout: Layout::new(
            format!("{entity} {} 年收益分配公示", d.year),
            "ops",
            snap.is_demo,
        ),
        id,
        entity,
        year: d.year,
        status: d.status.label(),
        approved: d.status == DistributionStatus::Approved,
        net_income: d.net_income.yuan_string(),
        retained: d.retained.yuan_string(),
        paid: yuan(f.paid),
        village_total: yuan(f.village_total),
        has_village: f.payouts.iter().any(|p| !p.village.is_empty()),
        payouts: f.payouts,
        today: date_string(st.today()),
    })
}
