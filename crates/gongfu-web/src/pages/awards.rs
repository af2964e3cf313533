//! 奖补名单 page (`/scoring/awards?year=`): the year's award list with the rules that produced
//! it (the same 计算依据 lines the workbook and PDF print), the zone and team lines and totals
//! that add up to the fen; for an administrator and a draft, the rules form (重新计算) and 审批
//! (by another administrator than the drafter — the store refuses otherwise). Also the list's
//! exports `GET /api/v1/awards/{year}.xlsx` and `.pdf`.

use super::{Layout, error_status, field_errors, form_pairs, form_value};
use crate::AppState;
use crate::api::{RequestActor, file_response, io_err, xlsx_response};
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_core::Fen;
use gongfu_core::auth::Role;
use gongfu_core::scoring::{RubricKind, Shortfall, ZoneAwardMode};
use gongfu_io::award_xlsx::{basis_lines, team_lines, zone_lines};
use gongfu_store::Actor;
use gongfu_store::scoring::{AwardListRecord, AwardRules, AwardStatus, subject_names};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/scoring/awards", get(page))
        .route("/scoring/awards/{year}/compute", post(compute_submit))
        .route("/scoring/awards/{year}/approve", post(approve_submit))
        .route("/api/v1/awards/{year}", get(export))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<String>,
}

pub struct ZoneRow {
    pub rank: usize,
    pub name: String,
    pub total: String,
    pub grade: &'static str,
    pub district_key: bool,
    pub vetoed: bool,
    pub formula: String,
    pub claim: String,
    pub amount: String,
    pub amount_fen: i64,
    pub note: String,
}

pub struct TeamRow {
    pub rank: String,
    pub name: String,
    pub total: String,
    pub passes: bool,
    pub claim: String,
    pub amount: String,
    pub amount_fen: i64,
    pub exit_flag: bool,
    pub note: String,
}

/// The rules form, as typed.
#[derive(Default)]
pub struct RulesForm {
    pub mode: String,
    pub cap: String,
    pub budget: String,
    pub shortfall: String,
    pub errors: Vec<(String, String)>,
}

error_for!(RulesForm);

#[derive(Template, WebTemplate)]
#[template(path = "award_list.html")]
pub struct AwardPage {
    pub layout: Layout,
    pub year: i32,
    pub years: Vec<i32>,
    pub exists: bool,
    pub status: &'static str,
    pub approved: bool,
    pub people: String,
    pub basis: Vec<(String, String)>,
    pub note: String,
    pub zones: Vec<ZoneRow>,
    pub teams: Vec<TeamRow>,
    pub zone_claims: String,
    pub zone_total: String,
    pub team_claims: String,
    pub team_total: String,
    pub paid_total: String,
    pub paid_fen: i64,
    pub version: i64,
    /// The rules form: an administrator and a list not approved.
    pub form: Option<RulesForm>,
    /// 审批: an administrator and a draft.
    pub can_approve: bool,
    pub messages: Vec<String>,
}

fn yuan(f: Fen) -> String {
    f.yuan_string()
}

/// Money as typed in a form: plain yuan, no thousands separators.
fn yuan_input(f: Fen) -> String {
    f.yuan_string().replace(',', "")
}

fn form_of(rules: &AwardRules) -> RulesForm {
    RulesForm {
        mode: match rules.zone.mode {
            ZoneAwardMode::Grade { .. } => "grade".into(),
            ZoneAwardMode::Linear { .. } => "linear".into(),
        },
        cap: yuan_input(rules.zone.cap),
        budget: rules.budget.map(yuan_input).unwrap_or_default(),
        shortfall: match rules.shortfall {
            Shortfall::ProRata => "pro_rata".into(),
            Shortfall::RankOrder => "rank_order".into(),
        },
        errors: Vec::new(),
    }
}

async fn names(st: &AppState) -> Result<(BTreeMap<i64, String>, BTreeMap<i64, String>), ApiError> {
    Ok((
        subject_names(&st.store.scoring_subjects(RubricKind::Zone).await?),
        subject_names(&st.store.scoring_subjects(RubricKind::Team).await?),
    ))
}

async fn award_page(
    st: &AppState,
    actor: &Actor,
    year: i32,
    form: Option<RulesForm>,
    messages: Vec<String>,
) -> Result<AwardPage, PageError> {
    let list: Option<AwardListRecord> = st.store.award_list(year).await?;
    let (zn, tn) = names(st).await?;
    let admin = matches!(actor.role, Role::Admin);
    let approved = list
        .as_ref()
        .is_some_and(|l| l.status == AwardStatus::Approved);
    let snap = st.store.snapshot().await?;
    let now = st.today().year();
    let mut p = AwardPage {
        layout: Layout::new(format!("{year} 年度奖补名单"), "scoring", snap.is_demo),
        year,
        years: ((now - 4)..=now).rev().collect(),
        exists: list.is_some(),
        status: list.as_ref().map_or("未计算", |l| l.status.label()),
        approved,
        people: String::new(),
        basis: Vec::new(),
        note: String::new(),
        zones: Vec::new(),
        teams: Vec::new(),
        zone_claims: String::new(),
        zone_total: String::new(),
        team_claims: String::new(),
        team_total: String::new(),
        paid_total: String::new(),
        paid_fen: 0,
        version: list.as_ref().map_or(0, |l| l.version),
        form: (admin && !approved).then(|| {
            form.unwrap_or_else(|| {
                form_of(&list.as_ref().map(|l| l.rules.clone()).unwrap_or_default())
            })
        }),
        can_approve: admin
            && list
                .as_ref()
                .is_some_and(|l| l.status == AwardStatus::Draft),
        messages,
    };
    if let Some(l) = &list {
        let r = &l.result;
        let day = gongfu_core::village::date_string;
        p.people = format!("起草：{}（{}）", l.drafted_by, day(l.drafted_on));
        if let (Some(b), Some(d)) = (&l.approved_by, l.approved_on) {
            p.people.push_str(&format!("；批准：{b}（{}）", day(d)));
        }
        p.basis = basis_lines(r);
        p.note = r.note.clone();
        p.zones = zone_lines(r, &zn)
            .into_iter()
            .map(|z| ZoneRow {
                rank: z.rank,
                name: z.name,
                total: z.total.one_decimal_string(),
                grade: z.rating,
                district_key: z.district_key,
                vetoed: z.vetoed,
                formula: z.formula,
                claim: yuan(z.claim),
                amount: yuan(z.amount),
                amount_fen: z.amount.0,
                note: z.note,
            })
            .collect();
        p.teams = team_lines(r, &tn)
            .into_iter()
            .map(|t| TeamRow {
                rank: t.rank.map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
                name: t.name,
                total: t.total.one_decimal_string(),
                passes: t.passes,
                claim: yuan(t.claim),
                amount: yuan(t.amount),
                amount_fen: t.amount.0,
                exit_flag: t.exit_flag,
                note: t.note,
            })
            .collect();
        let sum = |v: &mut dyn Iterator<Item = Fen>| Fen(v.map(|f| f.0).sum());
        p.zone_claims = yuan(sum(&mut r.zones.iter().map(|z| z.claim)));
        p.zone_total = yuan(sum(&mut r.zones.iter().map(|z| z.amount)));
        p.team_claims = yuan(sum(&mut r.teams.iter().map(|t| t.claim)));
        p.team_total = yuan(sum(&mut r.teams.iter().map(|t| t.amount)));
        p.paid_total = yuan(r.paid_total);
        p.paid_fen = r.paid_total.0;
    }
    Ok(p)
}

pub async fn page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<YearQuery>,
) -> Result<AwardPage, PageError> {
    let year = match q
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
    {
        Some(y) => y,
        // The latest year with a list, else last year.
        None => {
            let now = st.today().year();
            if st.store.award_list(now).await?.is_some() {
                now
            } else {
                now - 1
            }
        }
    };
    award_page(&st, &actor, year, None, Vec::new()).await
}

fn admin_only(actor: &Actor) -> Result<(), PageError> {
    if matches!(actor.role, Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "奖补名单由区管理员计算和审批",
        )
        .into())
    }
}

/// The rules of the form over the list's current ones (the team rules and the mode's own
/// parameters stay as they are unless the mode changes, then the mode's defaults apply).
fn parse_rules(f: &RulesForm, current: &AwardRules) -> Result<AwardRules, Vec<(String, String)>> {
    let mut r = current.clone();
    let mut errs = Vec::new();
    r.zone.mode = match (f.mode.as_str(), current.zone.mode) {
        ("grade", m @ ZoneAwardMode::Grade { .. })
        | ("linear", m @ ZoneAwardMode::Linear { .. }) => m,
        ("grade", _) => ZoneAwardMode::DEFAULT_GRADE,
        ("linear", _) => ZoneAwardMode::DEFAULT_LINEAR,
        _ => {
            errs.push((
                "mode".into(),
                "请选择片区奖补模式（按等次或按分数线性）".into(),
            ));
            current.zone.mode
        }
    };
    match Fen::parse_yuan(&f.cap) {
        Ok(c) if c.0 >= 0 => r.zone.cap = c,
        Ok(_) => errs.push(("cap".into(), "片区奖补上限不能为负".into())),
        Err(e) => errs.push(("cap".into(), format!("片区奖补上限：{}", e.message))),
    }
    r.budget = if f.budget.trim().is_empty() {
        None
    } else {
        match Fen::parse_yuan(&f.budget) {
            Ok(b) if b.0 >= 0 => Some(b),
            Ok(_) => {
                errs.push(("budget".into(), "年度预算不能为负".into()));
                None
            }
            Err(e) => {
                errs.push(("budget".into(), format!("年度预算：{}", e.message)));
                None
            }
        }
    };
    r.shortfall = match f.shortfall.as_str() {
        "pro_rata" => Shortfall::ProRata,
        "rank_order" => Shortfall::RankOrder,
        _ => {
            errs.push(("shortfall".into(), "请选择预算不足时的处理方式".into()));
            current.shortfall
        }
    };
    if errs.is_empty() { Ok(r) } else { Err(errs) }
}

/// 重新计算: drafts the year's list (or recomputes the draft) with the form's rules.
pub async fn compute_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(year): Path<i32>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let p = form_pairs(&body);
    let mut f = RulesForm {
        mode: form_value(&p, "mode"),
        cap: form_value(&p, "cap"),
        budget: form_value(&p, "budget"),
        shortfall: form_value(&p, "shortfall"),
        errors: Vec::new(),
    };
    let version: i64 = form_value(&p, "version").trim().parse().unwrap_or(0);
    let current = st
        .store
        .award_list(year)
        .await?
        .map(|l| l.rules)
        .unwrap_or_default();
    let r = match parse_rules(&f, &current) {
        Err(errs) => Err((StatusCode::UNPROCESSABLE_ENTITY, errs)),
        Ok(rules) => st
            .store
            .compute_award_list(&actor, year, &rules, version, st.today())
            .await
            .map(|_| ())
            .map_err(|e| {
                let e = ApiError::from(e);
                (error_status(&e), field_errors(e))
            }),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/scoring/awards?year={year}")).into_response()),
        Err((status, errs)) => {
            let messages = errs.iter().map(|(_, m)| m.clone()).collect();
            f.errors = errs;
            Ok((
                status,
                award_page(&st, &actor, year, Some(f), messages).await?,
            )
                .into_response())
        }
    }
}

/// 审批: by an administrator other than the drafter; the refusal is shown on the page.
pub async fn approve_submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(year): Path<i32>,
    body: Bytes,
) -> Result<Response, PageError> {
    admin_only(&actor)?;
    let p = form_pairs(&body);
    let version: i64 = form_value(&p, "version").trim().parse().unwrap_or(0);
    match st
        .store
        .approve_award_list(&actor, year, version, st.today())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/scoring/awards?year={year}")).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            let status = error_status(&e);
            let messages = field_errors(e).into_iter().map(|(_, m)| m).collect();
            Ok((status, award_page(&st, &actor, year, None, messages).await?).into_response())
        }
    }
}

/// `GET /api/v1/awards/{year}.xlsx` and `.pdf`: the list with every input that produced it.
pub async fn export(
    State(st): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (year, ext) = file
        .rsplit_once('.')
        .and_then(|(y, e)| Some((y.parse::<i32>().ok()?, e)))
        .filter(|(_, e)| matches!(*e, "xlsx" | "pdf"))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "「{file}」不存在：奖补名单导出为 /api/v1/awards/{{年度}}.xlsx 或 .pdf"
            ))
        })?;
    let list = st
        .store
        .award_list(year)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{year} 年度尚未计算奖补名单")))?;
    let (zn, tn) = names(&st).await?;
    if ext == "xlsx" {
        let bytes = gongfu_io::award_xlsx::export_awards(&list.result, &zn, &tn).map_err(io_err)?;
        Ok(xlsx_response(bytes, &format!("{year}年度奖补名单.xlsx")))
    } else {
        let demo = st.store.snapshot().await?.is_demo;
        let bytes = gongfu_io::scoring_pdf::award_pdf(&list.result, &zn, &tn, demo);
        Ok(file_response(
            bytes,
            "application/pdf",
            &format!("{year}年度奖补名单.pdf"),
            false,
        ))
    }
}
