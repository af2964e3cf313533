//! The zone work workbooks over HTTP (片区工作 Excel 导入导出): 项目清单, 里程碑 and 待办事项
//! exported with the list filters, their import templates, and the imports of every workbook
//! (those, 共富元素, 运营绩效, 产业链产值, 培训 and 创业人才; the others' routes are their
//! modules', thin wrappers of [`answer`] and [`template`]) — a dry run that
//! lists every row error (the file's own and those found against the database), then an apply
//! that writes every row or none. Rows changing a record carry the 版本 they were exported
//! at; a record changed since is a row error, never a silent overwrite.

use crate::AppState;
use crate::api::{RequestActor, io_err, xlsx_response};
use crate::error::ApiError;
use crate::ops_api::ElementQuery;
use crate::work_api::{ActionQuery, ProjectQuery};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gongfu_core::DomainError;
use gongfu_core::village::date_string;
use gongfu_core::work::project::Milestone;
use gongfu_io::RowError;
use gongfu_io::elements_xlsx::{self, ElementExportRow};
use gongfu_io::work_xlsx::{self, WorkExport, snapshot_zone_names};
use gongfu_io::{brands_xlsx, talent_xlsx, teams_xlsx};
use gongfu_store::Actor;
use gongfu_store::brands::OutputImportRow;
use gongfu_store::element_import::ElementImportRow;
use gongfu_store::work::import::{
    ActionImportRow, ImportRowError, MilestoneImportRow, ProjectImportRow, WorkImportReport,
};
use gongfu_store::work::projects::ProjectFilter;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/export/projects.xlsx", get(export_projects))
        .route("/api/v1/export/milestones.xlsx", get(export_milestones))
        .route("/api/v1/export/actions.xlsx", get(export_actions))
        .route("/api/v1/import/projects", post(import_projects))
        .route("/api/v1/import/milestones", post(import_milestones))
        .route("/api/v1/import/actions", post(import_actions))
        .route("/api/v1/export/elements.xlsx", get(export_elements))
        .route("/api/v1/import/elements", post(import_elements))
        .route(
            "/api/v1/import/elements/template.xlsx",
            get(|st| template(st, Kind::Elements)),
        )
        .route(
            "/api/v1/import/projects/template.xlsx",
            get(|st| template(st, Kind::Projects)),
        )
        .route(
            "/api/v1/import/milestones/template.xlsx",
            get(|st| template(st, Kind::Milestones)),
        )
        .route(
            "/api/v1/import/actions/template.xlsx",
            get(|st| template(st, Kind::Actions)),
        )
}

/// Which workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Projects,
    Milestones,
    Actions,
    /// 共富元素
    Elements,
    /// 运营绩效 of operating teams
    TeamKpis,
    /// 产业链产值
    ChainOutputs,
    /// 培训
    Trainings,
    /// 创业人才
    Entrepreneurs,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Projects,
        Kind::Milestones,
        Kind::Actions,
        Kind::Elements,
        Kind::TeamKpis,
        Kind::ChainOutputs,
        Kind::Trainings,
        Kind::Entrepreneurs,
    ];
    /// The zone work workbooks (片区工作).
    pub const WORK: [Kind; 3] = [Kind::Projects, Kind::Milestones, Kind::Actions];
    /// The operations workbooks (运营与人才).
    pub const OPS: [Kind; 5] = [
        Kind::Elements,
        Kind::TeamKpis,
        Kind::ChainOutputs,
        Kind::Trainings,
        Kind::Entrepreneurs,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Projects => "projects",
            Kind::Milestones => "milestones",
            Kind::Actions => "actions",
            Kind::Elements => "elements",
            Kind::TeamKpis => "team-kpis",
            Kind::ChainOutputs => "chain-outputs",
            Kind::Trainings => "trainings",
            Kind::Entrepreneurs => "entrepreneurs",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// The sheet's name: 项目清单, 里程碑, 待办事项, 共富元素, 运营绩效, 产业链产值, 培训,
    /// 创业人才.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Projects => work_xlsx::PROJECTS_SHEET,
            Kind::Milestones => work_xlsx::MILESTONES_SHEET,
            Kind::Actions => work_xlsx::ACTIONS_SHEET,
            Kind::Elements => elements_xlsx::ELEMENTS_SHEET,
            Kind::TeamKpis => teams_xlsx::KPI_SHEET,
            Kind::ChainOutputs => brands_xlsx::OUTPUT_SHEET,
            Kind::Trainings => talent_xlsx::TRAININGS_SHEET,
            Kind::Entrepreneurs => talent_xlsx::PEOPLE_SHEET,
        }
    }

    /// Where the import template is downloaded.
    pub fn template_url(self) -> String {
        match self {
            Kind::Trainings | Kind::Entrepreneurs => {
                format!("/api/v1/talent/import/{}/template.xlsx", self.key())
            }
            _ => format!("/api/v1/import/{}/template.xlsx", self.key()),
        }
    }

    /// Where the existing records are exported.
    pub fn export_url(self) -> String {
        match self {
            Kind::Trainings | Kind::Entrepreneurs => format!("/api/v1/talent/{}.xlsx", self.key()),
            _ => format!("/api/v1/export/{}.xlsx", self.key()),
        }
    }
}

/// The import template of a workbook (产业链产值 lists the registered chains).
pub async fn template(State(st): State<AppState>, kind: Kind) -> Result<Response, ApiError> {
    let bytes = match kind {
        Kind::Projects => work_xlsx::projects_template(),
        Kind::Milestones => work_xlsx::milestones_template(),
        Kind::Actions => work_xlsx::actions_template(),
        Kind::Elements => elements_xlsx::elements_template(),
        Kind::TeamKpis => teams_xlsx::kpi_template(),
        Kind::ChainOutputs => {
            let names: Vec<String> = st
                .store
                .chains()
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect();
            brands_xlsx::outputs_template(&names)
        }
        Kind::Trainings => talent_xlsx::trainings_template(),
        Kind::Entrepreneurs => talent_xlsx::entrepreneurs_template(),
    }
    .map_err(io_err)?;
    Ok(xlsx_response(
        bytes,
        &format!("{}导入模板.xlsx", kind.label()),
    ))
}

async fn export_projects(
    State(st): State<AppState>,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, ApiError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let rows = st.store.projects(&filter).await?;
    let names = snapshot_zone_names(&snap);
    let mut ctx = WorkExport::new(today, &names);
    ctx.demo = snap.is_demo;
    Ok(xlsx_response(
        work_xlsx::export_projects(&rows, &ctx).map_err(io_err)?,
        "项目清单.xlsx",
    ))
}

#[derive(Deserialize, Default)]
pub struct ZoneQuery {
    pub zone: Option<String>,
}

async fn export_milestones(
    State(st): State<AppState>,
    Query(q): Query<ZoneQuery>,
) -> Result<Response, ApiError> {
    let today = st.today();
    let zone = match q.zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        None => None,
        Some(z) => Some(z.parse::<i64>().map_err(|_| {
            ApiError::invalid(vec![DomainError::new(
                "invalid_id",
                "zone",
                format!("片区编号「{z}」无效：应为整数"),
            )])
        })?),
    };
    let snap = st.store.snapshot().await?;
    let projects: HashMap<i64, String> = st
        .store
        .projects(&ProjectFilter {
            zone,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let rows: Vec<(Milestone, String)> = st
        .store
        .milestones()
        .await?
        .into_iter()
        .filter_map(|m| {
            let name = projects.get(&m.project)?.clone();
            Some((m, name))
        })
        .collect();
    let names = snapshot_zone_names(&snap);
    let mut ctx = WorkExport::new(today, &names);
    ctx.demo = snap.is_demo;
    Ok(xlsx_response(
        work_xlsx::export_milestones(&rows, &ctx).map_err(io_err)?,
        "里程碑.xlsx",
    ))
}

async fn export_actions(
    State(st): State<AppState>,
    Query(q): Query<ActionQuery>,
) -> Result<Response, ApiError> {
    let today = st.today();
    let filter = q.parse(today)?;
    let snap = st.store.snapshot().await?;
    let items = st.store.actions(&filter).await?;
    // Where each item came from: the meeting and its decision.
    let mut sources: HashMap<i64, String> = HashMap::new();
    if items.iter().any(|a| a.decision.is_some()) {
        for m in st.store.meetings(filter.zone).await? {
            for d in &m.decisions {
                sources.insert(
                    d.id,
                    format!("{} {} · 决定 {}", date_string(m.held_on), m.title, d.seq),
                );
            }
        }
    }
    let rows: Vec<_> = items
        .into_iter()
        .map(|a| {
            let source = a
                .decision
                .and_then(|d| sources.get(&d).cloned())
                .unwrap_or_default();
            (a, source)
        })
        .collect();
    let names = snapshot_zone_names(&snap);
    let mut ctx = WorkExport::new(today, &names);
    ctx.demo = snap.is_demo;
    Ok(xlsx_response(
        work_xlsx::export_actions(&rows, &ctx).map_err(io_err)?,
        "待办事项.xlsx",
    ))
}

#[derive(Deserialize, Default)]
pub struct ImportQuery {
    /// `dry_run` (default) only checks; `apply` writes, all or nothing.
    pub mode: Option<String>,
}

pub(crate) fn store_errors(errors: Vec<RowError>) -> Vec<ImportRowError> {
    errors
        .into_iter()
        .map(|e| ImportRowError::new(e.row, &e.column, e.value, e.reason))
        .collect()
}

/// A report of a file that could not be read.
pub fn refused(errors: Vec<ImportRowError>) -> WorkImportReport {
    WorkImportReport {
        ok: false,
        applied: false,
        errors,
        ..WorkImportReport::default()
    }
}

/// An 编号 with the version beside it (the parsers give both or neither).
fn existing(id: Option<i64>, version: Option<i64>) -> Option<(i64, i64)> {
    id.map(|id| (id, version.unwrap_or(0)))
}

/// The drafts the parser checked, as specs (a draft that no longer parses is a row error).
fn spec_or_error<T>(
    row: usize,
    parsed: Result<T, Vec<DomainError>>,
    errors: &mut Vec<ImportRowError>,
) -> Option<T> {
    match parsed {
        Ok(s) => Some(s),
        Err(es) => {
            errors.extend(
                es.into_iter()
                    .map(|e| ImportRowError::new(row, "", "", e.message)),
            );
            None
        }
    }
}

/// Checks a workbook against the file rules and the database, and with `apply`
/// writes it, all or nothing.
pub async fn run_work_import(
    st: &AppState,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    apply: bool,
) -> Result<WorkImportReport, ApiError> {
    let mut errors = Vec::new();
    let report = match kind {
        Kind::Projects => {
            let rows = match work_xlsx::parse_projects_xlsx(bytes) {
                Ok(rows) => rows,
                Err(e) => return Ok(refused(store_errors(e))),
            };
            let rows: Vec<ProjectImportRow> = rows
                .into_iter()
                .filter_map(|r| {
                    let spec = spec_or_error(r.row, r.draft.parse(), &mut errors)?;
                    Some(ProjectImportRow {
                        row: r.row,
                        existing: existing(r.id, r.version),
                        zone: r.zone,
                        spec,
                        status: r.status,
                    })
                })
                .collect();
            if !errors.is_empty() {
                return Ok(refused(errors));
            }
            st.store.import_projects(actor, &rows, apply).await?
        }
        Kind::Milestones => {
            let rows = match work_xlsx::parse_milestones_xlsx(bytes) {
                Ok(rows) => rows,
                Err(e) => return Ok(refused(store_errors(e))),
            };
            let rows: Vec<MilestoneImportRow> = rows
                .into_iter()
                .filter_map(|r| {
                    let spec = spec_or_error(r.row, r.draft.parse(), &mut errors)?;
                    Some(MilestoneImportRow {
                        row: r.row,
                        existing: existing(r.id, r.version),
                        project: r.project,
                        spec,
                    })
                })
                .collect();
            if !errors.is_empty() {
                return Ok(refused(errors));
            }
            st.store.import_milestones(actor, &rows, apply).await?
        }
        Kind::Actions => {
            let rows = match work_xlsx::parse_actions_xlsx(bytes) {
                Ok(rows) => rows,
                Err(e) => return Ok(refused(store_errors(e))),
            };
            let rows: Vec<ActionImportRow> = rows
                .into_iter()
                .filter_map(|r| {
                    let spec = spec_or_error(r.row, r.draft.parse(), &mut errors)?;
                    Some(ActionImportRow {
                        row: r.row,
                        existing: existing(r.id, r.version),
                        zone: r.zone,
                        spec,
                        status: r.status,
                        done_on: r.done_on,
                        result: r.result,
                    })
                })
                .collect();
            if !errors.is_empty() {
                return Ok(refused(errors));
            }
            st.store.import_actions(actor, &rows, apply).await?
        }
        Kind::Elements => {
            let rows = match elements_xlsx::parse_elements_xlsx(bytes, st.today()) {
                Ok(rows) => rows,
                Err(e) => return Ok(refused(store_errors(e))),
            };
            let rows: Vec<ElementImportRow> = rows
                .into_iter()
                .filter_map(|r| {
                    let spec = spec_or_error(r.row, r.draft.parse(st.today()), &mut errors)?;
                    Some(ElementImportRow {
                        row: r.row,
                        existing: existing(r.id, r.version),
                        spec,
                    })
                })
                .collect();
            if !errors.is_empty() {
                return Ok(refused(errors));
            }
            st.store.import_elements(actor, &rows, apply).await?
        }
        Kind::TeamKpis => match teams_xlsx::parse_kpis_xlsx(bytes) {
            Ok(rows) => st.store.import_team_kpis(actor, &rows, apply).await?,
            Err(e) => refused(store_errors(e)),
        },
        Kind::ChainOutputs => match brands_xlsx::parse_outputs_xlsx(bytes) {
            Ok(lines) => {
                let rows: Vec<OutputImportRow> = lines
                    .into_iter()
                    .map(|l| OutputImportRow {
                        row: l.row,
                        chain: l.chain,
                        year: l.year,
                        value: l.value,
                        version: l.version,
                    })
                    .collect();
                st.store.import_chain_outputs(actor, &rows, apply).await?
            }
            Err(e) => refused(store_errors(e)),
        },
        Kind::Trainings => match talent_xlsx::parse_trainings_xlsx(bytes, st.today()) {
            Ok(rows) => st.store.import_trainings(actor, &rows, apply).await?,
            Err(e) => refused(store_errors(e)),
        },
        Kind::Entrepreneurs => match talent_xlsx::parse_entrepreneurs_xlsx(bytes, st.today()) {
            Ok(rows) => st.store.import_entrepreneurs(actor, &rows, apply).await?,
            Err(e) => refused(store_errors(e)),
        },
    };
    Ok(report)
}

pub(crate) fn mode(q: &ImportQuery) -> Result<bool, ApiError> {
    match q.mode.as_deref().unwrap_or("dry_run") {
        "dry_run" => Ok(false),
        "apply" => Ok(true),
        other => Err(ApiError::bad_request(format!(
            "mode「{other}」无效：应为 dry_run 或 apply"
        ))),
    }
}

/// The JSON answer of an import: the report, 200 when it passed, 422 when it did not.
pub(crate) async fn answer(
    st: &AppState,
    actor: &Actor,
    kind: Kind,
    q: &ImportQuery,
    body: &[u8],
) -> Result<Response, ApiError> {
    let apply = mode(q)?;
    let report = run_work_import(st, actor, kind, body, apply).await?;
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report)).into_response())
}

async fn import_projects(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Projects, &q, &body).await
}

async fn import_milestones(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Milestones, &q, &body).await
}

async fn import_actions(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Actions, &q, &body).await
}

async fn import_elements(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    answer(&st, &actor, Kind::Elements, &q, &body).await
}

/// 共富元素 with the list's filters (type, zone, village, open).
async fn export_elements(
    State(st): State<AppState>,
    Query(q): Query<ElementQuery>,
) -> Result<Response, ApiError> {
    let filter = q.parse()?;
    let day = st.today();
    let snap = st.store.snapshot().await?;
    let elements = st.store.elements(&filter, day).await?;
    let rows: Vec<ElementExportRow> = elements
        .iter()
        .map(|e| ElementExportRow {
            element: e,
            village_name: snap
                .division(&e.village)
                .map(|d| d.division.name.clone())
                .unwrap_or_default(),
            zone_name: snap
                .membership_of(&e.village, day)
                .and_then(|m| snap.zone(m.zone))
                .map(|z| z.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    Ok(xlsx_response(
        elements_xlsx::export_elements(&rows, snap.is_demo).map_err(io_err)?,
        "共富元素.xlsx",
    ))
}
