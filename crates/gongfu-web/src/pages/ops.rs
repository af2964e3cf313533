//! 运营人才 (operations and talent): the hub of the three mechanisms 村庄联营, 产业共链 and
//! 人才共创 — links to their registries, and every zone's named indicator figures for a year
//! (what the scoring engine reads), with the district total where a figure adds up and an
//! Excel export of the same table.

use super::Layout;
use super::villages::{Opt, opt};
use super::work::money;
use crate::AppState;
use crate::error::PageError;
use crate::ops_api::YearQuery;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use gongfu_core::Fen;
use gongfu_core::ops::indicators::{Indicator, Unit};
use gongfu_core::ops::talent::SupportStatus;
use gongfu_store::ops::ElementFilter;
use gongfu_store::talent::{EntrepreneurFilter, TrainingFilter};

pub fn routes() -> Router<AppState> {
    Router::new().route("/ops", get(hub))
}

pub struct Column {
    pub label: &'static str,
    pub unit: &'static str,
    pub rule: &'static str,
}

pub struct ZoneRow {
    pub id: i64,
    pub name: String,
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "ops.html")]
pub struct OpsPage {
    pub layout: Layout,
    /// This year (the cards count today's registries and this year's trainings).
    pub layout_year: i32,
    pub year: i32,
    pub years: Vec<Opt>,
    pub columns: Vec<Column>,
    pub rows: Vec<ZoneRow>,
    /// Zones that stood that year but have no record behind any figure.
    pub empty_zones: usize,
    pub totals: Vec<String>,
    pub open_elements: usize,
    pub element_jobs: i64,
    pub counts: Counts,
}

/// What the registries hold today, for the hub's cards.
#[derive(Default)]
pub struct Counts {
    /// Teams under contract today / all teams.
    pub teams_contracted: usize,
    pub teams: usize,
    pub brands: usize,
    pub licences_valid: usize,
    pub chains: usize,
    /// Trainings held this year, and their attendances.
    pub trainings: usize,
    pub attendances: i64,
    pub entrepreneurs: usize,
    /// Support applications waiting for a decision.
    pub supports_pending: usize,
    /// 股权主体 (joint companies, co-operatives).
    pub entities: usize,
}

async fn counts(st: &AppState, today: time::Date) -> Result<Counts, gongfu_store::StoreError> {
    let teams = st.store.teams(None).await?;
    let trainings = st
        .store
        .trainings(&TrainingFilter {
            year: Some(today.year()),
            ..Default::default()
        })
        .await?;
    Ok(Counts {
        teams_contracted: teams.iter().filter(|t| t.contracted_on(today)).count(),
        teams: teams.len(),
        brands: st.store.brands().await?.len(),
        licences_valid: st
            .store
            .licences(None)
            .await?
            .iter()
            .filter(|l| l.valid_on(today))
            .count(),
        chains: st.store.chains().await?.len(),
        trainings: trainings.len(),
        attendances: trainings.iter().map(|t| t.attendees).sum(),
        entrepreneurs: st
            .store
            .entrepreneurs(&EntrepreneurFilter::default())
            .await?
            .len(),
        supports_pending: st
            .store
            .supports(None)
            .await?
            .iter()
            .filter(|s| s.status == SupportStatus::Applied)
            .count(),
        entities: st.store.equity_entities().await?.len(),
    })
}

/// A figure as a table cell: money in 万元 (a per-person monthly gain in 元), hours with
/// their tenth, counts as they are.
fn cell(i: Indicator, value: i64) -> String {
    match i.unit() {
        Unit::Fen if i == Indicator::MonthlyGain => Fen(value).yuan_string(),
        Unit::Fen => money(Fen(value)),
        Unit::HourTenths => format!("{}.{}", value / 10, value % 10),
        Unit::BasisPoints => format!("{}.{:02}", value / 100, value % 100),
        _ => gongfu_core::money::count_string(value),
    }
}

fn unit(i: Indicator) -> &'static str {
    match i.unit() {
        Unit::Fen if i == Indicator::MonthlyGain => "元",
        Unit::Fen => "万元",
        Unit::HourTenths => "小时",
        u => u.label(),
    }
}

/// A weighted average (人均月增收) or a ratio (股本分红率) does not add up over zones; every
/// other figure does.
fn adds_up(i: Indicator) -> bool {
    !matches!(i, Indicator::MonthlyGain | Indicator::DividendYield)
}

pub async fn hub(
    State(st): State<AppState>,
    Query(q): Query<YearQuery>,
) -> Result<OpsPage, PageError> {
    let today = st.today();
    let year = q.year(today)?;
    let snap = st.store.snapshot().await?;
    let table = st.store.indicator_table(year).await?;
    let columns = Indicator::ALL
        .iter()
        .map(|i| Column {
            label: i.label(),
            unit: unit(*i),
            rule: i.rule(),
        })
        .collect();
    let mut sums = vec![0i64; Indicator::ALL.len()];
    let mut rows = Vec::new();
    let mut empty_zones = 0;
    for z in &table {
        if z.figures.iter().all(|f| f.value == 0) {
            empty_zones += 1;
            continue;
        }
        for (k, f) in z.figures.iter().enumerate() {
            sums[k] += f.value;
        }
        rows.push(ZoneRow {
            id: z.zone,
            name: z.name.clone(),
            cells: z
                .figures
                .iter()
                .map(|f| cell(f.indicator, f.value))
                .collect(),
        });
    }
    let totals = Indicator::ALL
        .iter()
        .zip(&sums)
        .map(|(i, v)| {
            if adds_up(*i) {
                cell(*i, *v)
            } else if *i == Indicator::DividendYield {
                // The district's yield is its total paid over its total paid in.
                let at =
                    |k: Indicator| Indicator::ALL.iter().position(|x| *x == k).map(|p| sums[p]);
                let paid = at(Indicator::DividendsPaid).unwrap_or(0);
                let paid_in = at(Indicator::PaidInCapital).unwrap_or(0);
                cell(
                    *i,
                    gongfu_core::ops::indicators::dividend_yield_bp(paid, paid_in),
                )
            } else {
                "—".into()
            }
        })
        .collect();
    let open = st
        .store
        .elements(
            &ElementFilter {
                open_only: true,
                ..Default::default()
            },
            today,
        )
        .await?;
    let current = year.to_string();
    let years = (2023..=today.year())
        .rev()
        .map(|y| opt(y.to_string(), format!("{y} 年"), &current))
        .collect();
    Ok(OpsPage {
        layout: Layout::new("运营与人才", "ops", snap.is_demo),
        layout_year: today.year(),
        year,
        years,
        columns,
        rows,
        empty_zones,
        totals,
        open_elements: open.len(),
        element_jobs: open.iter().map(|e| e.jobs).sum(),
        counts: counts(&st, today).await?,
    })
}
