//! The rubric workbook over HTTP (评分细则 Excel): a stored version exported with
//! `gongfu_io::rubric_xlsx::export_rubric`, and a workbook imported as a NEW draft version —
//! a dry run lists every bad cell by sheet, row and column (the report shape of the other
//! imports, [`WorkImportReport`]), apply creates the draft. A version in use is never changed:
//! it is superseded when the imported draft is published.

use crate::AppState;
use crate::api::{RequestActor, io_err, xlsx_response};
use crate::error::{ApiError, PathParam};
use crate::work_xlsx_api::{ImportQuery, refused, store_errors};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use gongfu_core::DomainError;
use gongfu_core::scoring::RubricKind;
use gongfu_io::rubric_xlsx::{export_rubric, parse_rubric_xlsx};
use gongfu_store::Actor;
use gongfu_store::scoring::parse_kind;
use gongfu_store::work::import::WorkImportReport;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/rubrics/{year}/export.xlsx", get(export))
        .route("/api/v1/rubrics/{year}/import", post(import))
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    kind: Option<String>,
    /// The version number; empty: the version in force.
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RubricImportQuery {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    mode: Option<String>,
}

fn kind_of(k: Option<&str>) -> Result<RubricKind, ApiError> {
    parse_kind(k.unwrap_or("")).map_err(|e| ApiError::invalid(vec![e]))
}

/// 片区 / 运营团队, for file names.
pub fn kind_label(k: RubricKind) -> &'static str {
    match k {
        RubricKind::Zone => "片区",
        RubricKind::Team => "运营团队",
    }
}

async fn export(
    State(st): State<AppState>,
    PathParam(year): PathParam<i32>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let kind = kind_of(q.kind.as_deref())?;
    let v = match q
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => st.store.rubric_in_force(kind, year).await?,
        Some(t) => {
            let n = t.parse::<u32>().map_err(|_| {
                ApiError::invalid(vec![DomainError::new(
                    "invalid_version",
                    "version",
                    format!("版本号「{t}」无效：应为正整数"),
                )])
            })?;
            st.store
                .rubric_version(kind, year, n)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("{year} 年度评分细则第 {n} 版不存在")))?
        }
    };
    let bytes = export_rubric(&v.rubric).map_err(io_err)?;
    Ok(xlsx_response(
        bytes,
        &format!(
            "{year}年度{}评分细则（第{}版）.xlsx",
            kind_label(kind),
            v.version_no
        ),
    ))
}

/// Checks a rubric workbook and, with `apply`, stores it as a new draft version. Returns the
/// report (`rows`: the rules read; `created`: 1 for the new version) and, when applied, the
/// new version number. District administrators only, for the dry run too: it is the first
/// half of a write.
pub async fn run_rubric_import(
    st: &AppState,
    actor: &Actor,
    kind: RubricKind,
    year: i32,
    bytes: &[u8],
    apply: bool,
    file_name: &str,
) -> Result<(WorkImportReport, Option<u32>), ApiError> {
    if !gongfu_core::auth::may_administer(&actor.role) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只有区管理员可以导入评分细则",
        ));
    }
    let current = st.store.rubric_in_force(kind, year).await?;
    // The number is the store's to give; this one only satisfies `validate()`.
    let rubric = match parse_rubric_xlsx(
        bytes,
        kind,
        year,
        current.version_no + 1,
        &current.rubric.name,
    ) {
        Ok(r) => r,
        Err(e) => return Ok((refused(store_errors(e)), None)),
    };
    let mut report = WorkImportReport::for_rows(rubric.rules().count());
    report.ok = true;
    report.created = 1;
    if !apply {
        return Ok((report, None));
    }
    let note = if file_name.trim().is_empty() {
        "Excel 导入".to_string()
    } else {
        format!("Excel 导入：{}", file_name.trim())
    };
    let n = st
        .store
        .create_rubric_draft(actor, kind, year, Some(rubric), &note, st.today())
        .await?;
    report.applied = true;
    Ok((report, Some(n)))
}

async fn import(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    PathParam(year): PathParam<i32>,
    Query(q): Query<RubricImportQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let kind = kind_of(q.kind.as_deref())?;
    let apply = crate::work_xlsx_api::mode(&ImportQuery {
        mode: q.mode.clone(),
    })?;
    let (report, created) = run_rubric_import(&st, &actor, kind, year, &body, apply, "").await?;
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut v = serde_json::to_value(&report).map_err(io_err)?;
    if let Some(n) = created {
        v["version_no"] = n.into();
    }
    Ok((status, Json(v)).into_response())
}
