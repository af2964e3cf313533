//! 利益共享 forms (issue 8): 新建主体 on the list, 添加股东 / 提交变更申请 / 起草年度分配 on an
//! entity's page, and 修改草案 on a draft distribution. District administrators only: other
//! accounts get no forms and a 403 on a post. Every form is parsed by the same code as the API
//! (`EntityBody::parse`, `HolderDraft`, `ChangeRequestDraft`, `equity_api::distribution_input`);
//! this module only maps form fields to those drafts and the drafts' errors back to the
//! fields, so a failed form shows each problem beside its field with the input kept.

use super::equity::{entity_page, render_distribution_page, render_list_page};
use super::facilities::{VillageGroup, village_groups};
use super::villages::{Opt, opt};
use super::{error_status, errors_for, field_errors, form_pairs, form_value, form_values};
use crate::AppState;
use crate::api::RequestActor;
use crate::equity_api::{DistributionBody, EntityBody, distribution_input};
use crate::error::{ApiError, PageError};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use gongfu_core::equity::entity::ShareClassDraft;
use gongfu_core::equity::{
    Basis, Bp, ChangeRequestDraft, ClassKind, EntityKind, Guarantee, HolderDraft, HolderId,
    HolderKind, IncentiveBase, WaterfallDraft,
};
use gongfu_core::village::date_string;
use gongfu_core::{DomainError, Fen};
use gongfu_store::equity::{DistributionRecord, EntityRecord};
use gongfu_store::{Actor, Snapshot};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/equity", post(create_entity_submit))
        .route("/equity/{id}/holders", post(holder_submit))
        .route("/equity/{id}/requests", post(request_submit))
        .route("/equity/{id}/distributions", post(draft_submit))
        .route("/equity/distributions/{id}/edit", post(edit_submit))
}

/// The refusal every post of a non-administrator gets, before its fields are read.
fn admin_only(actor: &Actor) -> Result<(), PageError> {
    if gongfu_core::auth::may_administer(&actor.role) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "利益共享的登记、变更与分配由区管理员办理",
        )
        .into())
    }
}

/// Money as typed in a form: plain yuan, no thousands separators.
fn yuan_input(f: Fen) -> String {
    f.yuan_string().replace(',', "")
}

/// Basis points as typed in a form: 4000 → `40`, 3750 → `37.5`, 625 → `6.25`.
fn percent_input(bp: Bp) -> String {
    let v = bp.get();
    match v % 100 {
        0 => format!("{}", v / 100),
        r if r % 10 == 0 => format!("{}.{}", v / 100, r / 10),
        r => format!("{}.{r:02}", v / 100),
    }
}

/// Parts per million as a decimal: 1,120,000 → `1.12`.
fn multiple_input(ppm: i64) -> String {
    let frac = format!("{:06}", ppm % 1_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{}", ppm / 1_000_000)
    } else {
        format!("{}.{frac}", ppm / 1_000_000)
    }
}

fn checked(p: &[(String, String)], key: &str) -> bool {
    !form_value(p, key).is_empty()
}

fn holder_opts(e: &EntityRecord, current: &str, empty: &str) -> Vec<Opt> {
    let mut v = vec![opt("", empty, current)];
    v.extend(e.holders.iter().map(|h| {
        opt(
            h.id.0.to_string(),
            format!("{}（{}）", h.name, h.kind.label()),
            current,
        )
    }));
    v
}

/// How a class's quantity is typed, for its option label.
fn unit_hint(b: Basis) -> &'static str {
    match b {
        Basis::Capital | Basis::TradeVolume => "按元",
        Basis::LandArea => "按亩",
        Basis::Population => "按人",
        Basis::Shares => "按股",
        Basis::Equal => "按份",
    }
}

fn class_opts(e: &EntityRecord, current: &str, empty: &str) -> Vec<Opt> {
    let mut v = vec![opt("", empty, current)];
    v.extend(e.spec.classes().iter().map(|c| {
        opt(
            c.id.0.to_string(),
            format!("{}（{}，{}）", c.name, c.basis.label(), unit_hint(c.basis)),
            current,
        )
    }));
    v
}

// ---------------------------------------------------------------- 新建主体

/// One share-class row of the entity form.
#[derive(Default)]
pub struct ClassRowForm {
    pub name: String,
    pub kind: String,
    pub basis: String,
    pub split: String,
    pub kinds: Vec<Opt>,
    pub bases: Vec<Opt>,
    /// This row's problems, joined.
    pub error: String,
}

/// 新建主体 as typed.
#[derive(Default)]
pub struct EntityForm {
    pub name: String,
    pub kind: String,
    pub zone: String,
    pub credit_code: String,
    pub classes: Vec<ClassRowForm>,
    pub kinds: Vec<Opt>,
    pub zones: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

/// Blank class rows offered under the typed ones (the 40 / 25 / 35 example needs three).
const CLASS_ROWS: usize = 5;

impl EntityForm {
    pub fn error_for(&self, field: &str) -> String {
        errors_for(&self.errors, field)
    }
    /// The errors of the class list as a whole (the 100 % rule), not of one row.
    pub fn classes_error(&self) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == "classes")
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    fn read(p: &[(String, String)]) -> EntityForm {
        let names = form_values(p, "class_name");
        let kinds = form_values(p, "class_kind");
        let bases = form_values(p, "class_basis");
        let splits = form_values(p, "class_split");
        let n = names
            .len()
            .max(kinds.len())
            .max(bases.len())
            .max(splits.len());
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        EntityForm {
            name: form_value(p, "name"),
            kind: form_value(p, "kind"),
            zone: form_value(p, "zone"),
            credit_code: form_value(p, "credit_code"),
            classes: (0..n)
                .map(|i| ClassRowForm {
                    name: at(&names, i),
                    kind: at(&kinds, i),
                    basis: at(&bases, i),
                    split: at(&splits, i),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// The API's body; blank rows are left out. Also the row each kept class came from, to
    /// put its errors back on that row.
    fn body(&self) -> Result<(EntityBody, Vec<usize>), DomainError> {
        let zone = match self.zone.trim() {
            "" => None,
            z => Some(z.parse::<i64>().map_err(|_| {
                DomainError::new("unknown_zone", "zone", format!("片区「{z}」无效"))
            })?),
        };
        let rows: Vec<usize> = (0..self.classes.len())
            .filter(|&i| {
                let c = &self.classes[i];
                !(c.name.trim().is_empty() && c.split.trim().is_empty())
            })
            .collect();
        let classes = rows
            .iter()
            .map(|&i| {
                let c = &self.classes[i];
                ShareClassDraft {
                    id: 0,
                    name: c.name.clone(),
                    kind: c.kind.clone(),
                    basis: c.basis.clone(),
                    split_percent: c.split.clone(),
                }
            })
            .collect();
        Ok((
            EntityBody {
                name: self.name.clone(),
                kind: self.kind.clone(),
                zone,
                credit_code: self.credit_code.clone(),
                classes,
                holders: Vec::new(),
            },
            rows,
        ))
    }

    /// Options, the blank rows, and each row's errors.
    fn finish(mut self, snap: &Snapshot, day: Date) -> EntityForm {
        if self.kind.is_empty() {
            self.kind = EntityKind::StrongVillageCompany.key().into();
        }
        self.kinds = EntityKind::ALL
            .iter()
            .map(|k| opt(k.key(), k.label(), &self.kind))
            .collect();
        let mut zones: Vec<_> = snap
            .zones
            .iter()
            .filter(|z| z.is_live_on(day) || z.id.0.to_string() == self.zone)
            .collect();
        zones.sort_by(|a, b| a.name.cmp(&b.name));
        self.zones = vec![opt("", "（不归属片区）", &self.zone)];
        self.zones.extend(
            zones
                .iter()
                .map(|z| opt(z.id.0.to_string(), z.name.clone(), &self.zone)),
        );
        let typed = self
            .classes
            .iter()
            .rposition(|c| !(c.name.trim().is_empty() && c.split.trim().is_empty()))
            .map_or(0, |i| i + 1);
        self.classes.truncate(typed);
        let rows = CLASS_ROWS.max(typed + 2);
        self.classes.resize_with(rows, ClassRowForm::default);
        for (i, c) in self.classes.iter_mut().enumerate() {
            if c.kind.is_empty() {
                c.kind = ClassKind::Ordinary.key().into();
            }
            if c.basis.is_empty() {
                c.basis = Basis::Equal.key().into();
            }
            c.kinds = ClassKind::ALL
                .iter()
                .map(|k| opt(k.key(), k.label(), &c.kind))
                .collect();
            c.bases = Basis::ALL
                .iter()
                .map(|b| opt(b.key(), b.label(), &c.basis))
                .collect();
            c.error = errors_for(&self.errors, &format!("classes[{i}]"));
        }
        self
    }
}

/// The blank 新建主体 form for the list page.
pub(super) fn new_entity_form(snap: &Snapshot, day: Date) -> EntityForm {
    EntityForm::default().finish(snap, day)
}

/// 新建主体: on success to the entity's page (303); otherwise the list again with the form
/// open, each error beside its field or class row.
pub async fn create_entity_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let mut v = EntityForm::read(&form_pairs(&body));
    let r = async {
        let (body, rows) = v.body().map_err(|e| ApiError::invalid(vec![e]))?;
        // A kept class's errors name its place among the kept rows: put them back on the
        // row it was typed in.
        let input = body.parse().map_err(|errors| {
            ApiError::invalid(
                errors
                    .into_iter()
                    .map(|e| {
                        match e.field.strip_prefix("classes[").and_then(|r| {
                            let (n, rest) = r.split_once(']')?;
                            Some((rows.get(n.parse::<usize>().ok()?)?, rest))
                        }) {
                            Some((row, rest)) => DomainError {
                                field: format!("classes[{row}]{rest}"),
                                ..e
                            },
                            None => e,
                        }
                    })
                    .collect(),
            )
        })?;
        Ok::<i64, ApiError>(st.store.create_equity_entity(&actor, &input).await?)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/equity/{id}")).into_response()),
        Err(e) => {
            let status = error_status(&e);
            v.errors = field_errors(e);
            let snap = st.store.snapshot().await?;
            let form = v.finish(&snap, st.today());
            Ok((status, render_list_page(&st, &actor, Some(form)).await?).into_response())
        }
    }
}

// ---------------------------------------------------------------- 添加股东

#[derive(Default)]
pub struct HolderForm {
    pub name: String,
    pub kind: String,
    pub village_code: String,
    pub version: i64,
    pub kinds: Vec<Opt>,
    pub villages: Vec<VillageGroup>,
    pub errors: Vec<(String, String)>,
}

impl HolderForm {
    pub fn error_for(&self, field: &str) -> String {
        errors_for(&self.errors, field)
    }
    fn finish(mut self, snap: &Snapshot, day: Date) -> HolderForm {
        let mut kinds = vec![opt("", "请选择股东类型", &self.kind)];
        kinds.extend(
            HolderKind::ALL
                .iter()
                .map(|k| opt(k.key(), k.label(), &self.kind)),
        );
        self.kinds = kinds;
        self.villages = village_groups(snap, day, &self.village_code);
        self
    }
}

// ---------------------------------------------------------------- 提交变更申请

/// The change kinds the register knows, as the form offers them.
const CHANGE_KINDS: [(&str, &str); 5] = [
    ("subscription", "认购"),
    ("in_kind", "资源入股"),
    ("transfer", "转让"),
    ("redemption", "退股（赎回）"),
    ("conversion", "转换"),
];

#[derive(Default)]
pub struct RequestForm {
    pub kind: String,
    pub effective: String,
    pub holder: String,
    pub to_holder: String,
    pub class: String,
    pub to_class: String,
    pub units: String,
    pub to_units: String,
    pub amount: String,
    pub asset: String,
    pub valuer: String,
    pub kinds: Vec<Opt>,
    pub holders: Vec<Opt>,
    pub to_holders: Vec<Opt>,
    pub classes: Vec<Opt>,
    pub to_classes: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

impl RequestForm {
    pub fn error_for(&self, field: &str) -> String {
        errors_for(&self.errors, field)
    }
    fn read(p: &[(String, String)]) -> RequestForm {
        let v = |k: &str| form_value(p, k);
        RequestForm {
            kind: v("kind"),
            effective: v("effective"),
            holder: v("holder"),
            to_holder: v("to_holder"),
            class: v("class"),
            to_class: v("to_class"),
            units: v("units"),
            to_units: v("to_units"),
            amount: v("amount"),
            asset: v("asset"),
            valuer: v("valuer"),
            ..Default::default()
        }
    }
    fn finish(mut self, e: &EntityRecord) -> RequestForm {
        if self.kind.is_empty() {
            self.kind = CHANGE_KINDS[0].0.into();
        }
        self.kinds = CHANGE_KINDS
            .iter()
            .map(|(k, l)| opt(*k, *l, &self.kind))
            .collect();
        self.holders = holder_opts(e, &self.holder, "请选择股东");
        self.to_holders = holder_opts(e, &self.to_holder, "请选择受让方");
        self.classes = class_opts(e, &self.class, "请选择股份类别");
        self.to_classes = class_opts(e, &self.to_class, "请选择转换后的类别");
        self
    }

    /// The core's request, with the selects a kind needs named when left empty (the core
    /// would otherwise speak of 「股东 0」). Fields the kind does not use are ignored there.
    fn parse(&self, e: &EntityRecord) -> Result<gongfu_core::equity::ChangeRequest, ApiError> {
        let kind = self.kind.trim();
        let mut missing: Vec<DomainError> = Vec::new();
        let mut need = |value: &str, field: &str, message: &str| {
            if value.trim().is_empty() {
                missing.push(DomainError::new("required", field, message));
            }
        };
        need(&self.holder, "holder", "请选择股东");
        need(&self.class, "class", "请选择股份类别");
        if kind == "transfer" || kind == "转让" {
            need(&self.to_holder, "to_holder", "请选择受让方");
        }
        if kind == "conversion" || kind == "转换" {
            need(&self.to_class, "to_class", "请选择转换后的类别");
        }
        let id = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
        let draft = ChangeRequestDraft {
            kind: self.kind.clone(),
            effective: self.effective.clone(),
            holder: id(&self.holder),
            to_holder: id(&self.to_holder),
            class: id(&self.class),
            to_class: id(&self.to_class),
            units: self.units.clone(),
            to_units: self.to_units.clone(),
            amount: self.amount.clone(),
            asset: self.asset.clone(),
            valuer: self.valuer.clone(),
        };
        match draft.parse(&e.spec) {
            Ok(r) if missing.is_empty() => Ok(r),
            Ok(_) => Err(ApiError::invalid(missing)),
            Err(errors) => {
                let unnamed = |e: &DomainError| {
                    // What follows from an empty select is already said by `missing`.
                    let class_missing = missing.iter().any(|m| m.field.ends_with("class"));
                    let holder_missing = missing.iter().any(|m| m.field.ends_with("holder"));
                    (e.code == "unknown_class" && class_missing)
                        || (e.code == "same_holder" && holder_missing)
                        || (e.code == "same_class" && class_missing)
                };
                let rest: Vec<DomainError> = errors.into_iter().filter(|e| !unnamed(e)).collect();
                missing.extend(rest);
                Err(ApiError::invalid(missing))
            }
        }
    }
}

// ---------------------------------------------------------------- 年度分配

/// One class's split in the distribution form.
pub struct SplitRow {
    pub id: i64,
    pub name: String,
    pub basis: &'static str,
    pub value: String,
}

const GUARANTEE_KINDS: [(&str, &str); 5] = [
    ("", "不设保底"),
    ("percent_of_capital", "按出资额的百分比"),
    ("per_share", "每股固定金额"),
    ("per_mu", "每亩固定金额"),
    ("deposit_multiple", "存款利率的倍数"),
];

/// 起草年度分配 / 修改草案 as typed.
#[derive(Default)]
pub struct DraftForm {
    /// Where it posts: the entity's `/distributions` or the draft's `/edit`.
    pub action: String,
    /// 修改草案 (true) or 起草 (false).
    pub editing: bool,
    pub year: String,
    pub net_income: String,
    pub prior_loss: String,
    pub reserves_available: String,
    pub cover_prior_losses: bool,
    pub reserve_percent: String,
    pub welfare_percent: String,
    pub guarantee_kind: String,
    pub guarantee_class: String,
    pub guarantee_rate_percent: String,
    pub guarantee_amount: String,
    pub guarantee_multiple: String,
    pub guarantee_from_reserves: bool,
    pub incentive_operator: String,
    pub incentive_percent: String,
    pub incentive_on_increment: bool,
    pub incentive_prior_income: String,
    pub incentive_cap: String,
    pub distribute_percent: String,
    pub splits: Vec<SplitRow>,
    pub time_weighted: bool,
    pub version: i64,
    pub guarantee_kinds: Vec<Opt>,
    pub guarantee_classes: Vec<Opt>,
    pub operators: Vec<Opt>,
    pub errors: Vec<(String, String)>,
}

impl DraftForm {
    pub fn error_for(&self, field: &str) -> String {
        errors_for(&self.errors, field)
    }

    /// A new year's draft: last year, the rules' worked example (10 % 公积金, 60 % of the
    /// residual distributed), the entity's own class split.
    fn new_for(e: &EntityRecord, day: Date) -> DraftForm {
        DraftForm {
            action: format!("/equity/{}/distributions", e.id),
            year: (day.year() - 1).to_string(),
            cover_prior_losses: true,
            reserve_percent: "10".into(),
            welfare_percent: "0".into(),
            distribute_percent: "60".into(),
            ..Default::default()
        }
    }

    /// A stored draft, for 修改草案.
    pub(super) fn of(d: &DistributionRecord) -> DraftForm {
        let p = &d.parts;
        let mut f = DraftForm {
            action: format!("/equity/distributions/{}/edit", d.id),
            editing: true,
            year: d.year.to_string(),
            net_income: yuan_input(d.figures.net_income),
            prior_loss: yuan_input(d.figures.prior_loss),
            reserves_available: yuan_input(d.figures.reserves_available),
            cover_prior_losses: p.cover_prior_losses,
            reserve_percent: percent_input(p.reserve),
            welfare_percent: percent_input(p.welfare),
            guarantee_from_reserves: p.guarantee_from_reserves,
            distribute_percent: percent_input(p.distribute),
            time_weighted: p.time_weighted,
            version: d.version,
            ..Default::default()
        };
        if let Some(g) = &p.guarantee {
            f.guarantee_class = g.class().0.to_string();
            match g {
                Guarantee::PercentOfCapital { rate, .. } => {
                    f.guarantee_kind = "percent_of_capital".into();
                    f.guarantee_rate_percent = percent_input(*rate);
                }
                Guarantee::PerShare { per_share, .. } => {
                    f.guarantee_kind = "per_share".into();
                    f.guarantee_amount = yuan_input(*per_share);
                }
                Guarantee::PerMu { per_mu, .. } => {
                    f.guarantee_kind = "per_mu".into();
                    f.guarantee_amount = yuan_input(*per_mu);
                }
                Guarantee::DepositMultiple {
                    deposit_rate,
                    multiple_ppm,
                    ..
                } => {
                    f.guarantee_kind = "deposit_multiple".into();
                    f.guarantee_rate_percent = percent_input(*deposit_rate);
                    f.guarantee_multiple = multiple_input(*multiple_ppm);
                }
            }
        }
        if let Some(i) = &p.incentive {
            f.incentive_operator = i.operator.0.to_string();
            f.incentive_percent = percent_input(i.rate);
            f.incentive_cap = i.cap.map(yuan_input).unwrap_or_default();
            if let IncentiveBase::Increment { prior_net_income } = i.base {
                f.incentive_on_increment = true;
                f.incentive_prior_income = yuan_input(prior_net_income);
            }
        }
        // The split as stored, shown in the entity's class order by `finish`.
        f.splits = p
            .class_split
            .iter()
            .map(|(c, b)| SplitRow {
                id: c.0,
                name: String::new(),
                basis: "",
                value: percent_input(*b),
            })
            .collect();
        f
    }

    fn read(p: &[(String, String)], action: String, editing: bool) -> DraftForm {
        let v = |k: &str| form_value(p, k);
        DraftForm {
            action,
            editing,
            year: v("year"),
            net_income: v("net_income"),
            prior_loss: v("prior_loss"),
            reserves_available: v("reserves_available"),
            cover_prior_losses: checked(p, "cover_prior_losses"),
            reserve_percent: v("reserve_percent"),
            welfare_percent: v("welfare_percent"),
            guarantee_kind: v("guarantee_kind"),
            guarantee_class: v("guarantee_class"),
            guarantee_rate_percent: v("guarantee_rate_percent"),
            guarantee_amount: v("guarantee_amount"),
            guarantee_multiple: v("guarantee_multiple"),
            guarantee_from_reserves: checked(p, "guarantee_from_reserves"),
            incentive_operator: v("incentive_operator"),
            incentive_percent: v("incentive_percent"),
            incentive_on_increment: checked(p, "incentive_on_increment"),
            incentive_prior_income: v("incentive_prior_income"),
            incentive_cap: v("incentive_cap"),
            distribute_percent: v("distribute_percent"),
            splits: p
                .iter()
                .filter_map(|(k, val)| {
                    let id = k.strip_prefix("split_")?.parse().ok()?;
                    Some(SplitRow {
                        id,
                        name: String::new(),
                        basis: "",
                        value: val.clone(),
                    })
                })
                .collect(),
            time_weighted: checked(p, "time_weighted"),
            version: v("version").trim().parse().unwrap_or(0),
            ..Default::default()
        }
    }

    /// Options, and one split row per class of the entity in its order (a class missing
    /// from the typed or stored split takes the entity's own).
    fn finish(mut self, e: &EntityRecord) -> DraftForm {
        self.splits = e
            .spec
            .classes()
            .iter()
            .map(|c| SplitRow {
                id: c.id.0,
                name: c.name.clone(),
                basis: c.basis.label(),
                value: self
                    .splits
                    .iter()
                    .find(|s| s.id == c.id.0)
                    .map(|s| s.value.clone())
                    .unwrap_or_else(|| percent_input(c.split)),
            })
            .collect();
        self.guarantee_kinds = GUARANTEE_KINDS
            .iter()
            .map(|(k, l)| opt(*k, *l, &self.guarantee_kind))
            .collect();
        self.guarantee_classes = class_opts(e, &self.guarantee_class, "请选择保底依据的类别");
        self.operators = holder_opts(e, &self.incentive_operator, "不设经营者激励");
        self
    }

    /// The API's body. Fields of a 保底 or incentive that is not chosen are left out, so a
    /// figure typed and then hidden by the form cannot refuse the draft.
    fn body(&self, entity: i64) -> DistributionBody {
        let g = self.guarantee_kind.trim();
        let keep = |on: bool, s: &String| if on { s.clone() } else { String::new() };
        let operator = self.incentive_operator.trim().parse().unwrap_or(0);
        DistributionBody {
            entity,
            net_income: self.net_income.clone(),
            prior_loss: self.prior_loss.clone(),
            reserves_available: self.reserves_available.clone(),
            corrects: None,
            waterfall: WaterfallDraft {
                year: self.year.trim().parse().unwrap_or(0),
                cover_prior_losses: self.cover_prior_losses,
                reserve_percent: self.reserve_percent.clone(),
                welfare_percent: self.welfare_percent.clone(),
                guarantee_kind: self.guarantee_kind.clone(),
                guarantee_class: self.guarantee_class.trim().parse().unwrap_or(0),
                guarantee_rate_percent: keep(
                    matches!(g, "percent_of_capital" | "deposit_multiple"),
                    &self.guarantee_rate_percent,
                ),
                guarantee_amount: keep(matches!(g, "per_share" | "per_mu"), &self.guarantee_amount),
                guarantee_multiple: keep(g == "deposit_multiple", &self.guarantee_multiple),
                guarantee_from_reserves: self.guarantee_from_reserves,
                incentive_operator: operator,
                incentive_percent: keep(operator != 0, &self.incentive_percent),
                incentive_on_increment: operator != 0 && self.incentive_on_increment,
                incentive_prior_income: keep(
                    operator != 0 && self.incentive_on_increment,
                    &self.incentive_prior_income,
                ),
                incentive_cap: keep(operator != 0, &self.incentive_cap),
                distribute_percent: self.distribute_percent.clone(),
                class_split: self
                    .splits
                    .iter()
                    .map(|s| (s.id, s.value.clone()))
                    .collect(),
                time_weighted: self.time_weighted,
            },
        }
    }

    /// The waterfall and figures, every error at once; a year that is not a number is named
    /// as typed.
    fn parse(
        &self,
        e: &EntityRecord,
    ) -> Result<
        (
            gongfu_core::equity::WaterfallParts,
            gongfu_store::equity::DistributionFigures,
        ),
        ApiError,
    > {
        let year_typed = self.year.trim();
        let year_bad = year_typed.parse::<i32>().is_err();
        let mut errors = Vec::new();
        let class_missing =
            !self.guarantee_kind.trim().is_empty() && self.guarantee_class.trim().is_empty();
        if class_missing {
            errors.push(DomainError::new(
                "required",
                "guarantee_class",
                "请选择保底依据的股份类别",
            ));
        }
        if year_bad {
            errors.push(DomainError::new(
                "invalid_year",
                "year",
                format!("年度「{year_typed}」无效：应为四位年份，如 2025"),
            ));
        }
        match distribution_input(e, &self.body(e.id)) {
            Ok(r) if errors.is_empty() => Ok(r),
            Ok(_) => Err(ApiError::invalid(errors)),
            Err(es) => {
                // What follows from an unreadable year or an empty class is said already.
                errors.extend(es.into_iter().filter(|x| {
                    let said = (year_bad && x.field == "year")
                        || (class_missing && x.field == "guarantee_class");
                    !said
                }));
                Err(ApiError::invalid(errors))
            }
        }
    }
}

// ---------------------------------------------------------------- the entity page's forms

/// What the entity page's forms hold: blank, or one of them as typed with its errors.
#[derive(Default)]
pub struct Filled {
    pub holder: Option<HolderForm>,
    pub request: Option<RequestForm>,
    pub draft: Option<DraftForm>,
}

/// The forms of an entity's page, ready to render (an administrator's only); the one that
/// failed is shown open by its errors.
pub struct EntityForms {
    pub holder: HolderForm,
    pub request: RequestForm,
}

pub(super) fn entity_forms(
    snap: &Snapshot,
    day: Date,
    e: &EntityRecord,
    filled: Filled,
) -> (EntityForms, DraftForm) {
    let holder = filled
        .holder
        .unwrap_or_else(|| HolderForm {
            version: e.version,
            ..Default::default()
        })
        .finish(snap, day);
    let request = filled
        .request
        .unwrap_or_else(|| RequestForm {
            effective: date_string(day),
            ..Default::default()
        })
        .finish(e);
    let draft = filled
        .draft
        .unwrap_or_else(|| DraftForm::new_for(e, day))
        .finish(e);
    (EntityForms { holder, request }, draft)
}

async fn entity_or_404(st: &AppState, id: i64) -> Result<EntityRecord, PageError> {
    Ok(st
        .store
        .equity_entity(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("股权主体 {id} 不存在")))?)
}

async fn entity_again(
    st: &AppState,
    actor: &Actor,
    id: i64,
    status: StatusCode,
    filled: Filled,
) -> Result<Response, PageError> {
    Ok((
        status,
        entity_page(st, actor, id, None, Vec::new(), filled).await?,
    )
        .into_response())
}

/// 添加股东: to the register on success; the page again with the form open otherwise (a
/// stale version says what the entity holds now and takes its version).
pub async fn holder_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let e = entity_or_404(&st, id).await?;
    let p = form_pairs(&body);
    let mut v = HolderForm {
        name: form_value(&p, "name"),
        kind: form_value(&p, "kind"),
        village_code: form_value(&p, "village_code"),
        version: form_value(&p, "version").trim().parse().unwrap_or(0),
        ..Default::default()
    };
    let draft = HolderDraft {
        name: v.name.clone(),
        kind: v.kind.clone(),
        village_code: v.village_code.clone(),
    };
    let r = async {
        let h = draft.parse(HolderId(0)).map_err(ApiError::invalid)?;
        st.store
            .add_equity_holder(&actor, id, v.version, &h)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/equity/{id}#register")).into_response()),
        Err(err) => {
            let status = error_status(&err);
            let stale = err.code == "version_conflict";
            let mut errors = field_errors(err);
            if stale {
                // Someone added a holder meanwhile: say who is there now, so the same holder
                // is not added twice; submitting again adds this one.
                let names: Vec<&str> = e.holders.iter().map(|h| h.name.as_str()).collect();
                errors.push((
                    String::new(),
                    format!(
                        "「{}」已被他人修改，当前股东：{}。核对后再次提交即添加此股东。",
                        e.spec.name(),
                        names.join("、")
                    ),
                ));
                v.version = e.version;
            }
            v.errors = errors;
            let filled = Filled {
                holder: Some(v),
                ..Default::default()
            };
            entity_again(&st, &actor, id, status, filled).await
        }
    }
}

/// 提交变更申请: into the pending list on success, decided there by another administrator.
pub async fn request_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let e = entity_or_404(&st, id).await?;
    let mut v = RequestForm::read(&form_pairs(&body));
    let r = async {
        let req = v.parse(&e)?;
        st.store
            .submit_equity_request(&actor, id, &req, st.today())
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/equity/{id}#requests")).into_response()),
        Err(err) => {
            let status = error_status(&err);
            v.errors = field_errors(err);
            let filled = Filled {
                request: Some(v),
                ..Default::default()
            };
            entity_again(&st, &actor, id, status, filled).await
        }
    }
}

/// 起草年度分配: to the new distribution's table on success.
pub async fn draft_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let e = entity_or_404(&st, id).await?;
    let mut v = DraftForm::read(
        &form_pairs(&body),
        format!("/equity/{id}/distributions"),
        false,
    );
    let r = async {
        let (parts, figures) = v.parse(&e)?;
        Ok::<i64, ApiError>(
            st.store
                .draft_equity_distribution(&actor, id, &parts, &figures, None, st.today())
                .await?,
        )
    }
    .await;
    match r {
        Ok(did) => Ok(Redirect::to(&format!("/equity/distributions/{did}")).into_response()),
        Err(err) => {
            let status = error_status(&err);
            v.errors = field_errors(err);
            let filled = Filled {
                draft: Some(v),
                ..Default::default()
            };
            entity_again(&st, &actor, id, status, filled).await
        }
    }
}

/// The 修改草案 form of a draft distribution, filled with what it holds.
pub(super) fn edit_form(d: &DistributionRecord, e: &EntityRecord) -> DraftForm {
    DraftForm::of(d).finish(e)
}

/// 修改草案: recomputed in full by the store with the version the form was read at.
pub async fn edit_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let d = st
        .store
        .equity_distribution(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("分配方案 {id} 不存在")))?;
    let e = entity_or_404(&st, d.entity).await?;
    let mut v = DraftForm::read(
        &form_pairs(&body),
        format!("/equity/distributions/{id}/edit"),
        true,
    );
    let r = async {
        let (parts, figures) = v.parse(&e)?;
        st.store
            .update_equity_distribution(&actor, id, v.version, &parts, &figures)
            .await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/equity/distributions/{id}")).into_response()),
        Err(err) => {
            let (status, errors) = super::save_failed(err, &mut v.version, d.version, || {
                format!(
                    "当前内容：{} 年度，净收益 {} 元，股东分配额合计 {} 元，状态「{}」。",
                    d.year,
                    d.net_income.yuan_string(),
                    Fen(d.payouts.iter().map(|(_, a)| a.0).sum()).yuan_string(),
                    d.status.label()
                )
            });
            v.errors = errors;
            let form = v.finish(&e);
            Ok((
                status,
                render_distribution_page(&st, &actor, id, Vec::new(), Some(form)).await?,
            )
                .into_response())
        }
    }
}
