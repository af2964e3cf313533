//! 数据导入导出: yearly figures from xlsx, boundaries from GeoJSON (dry run, then all or
//! nothing), and the exports.

use super::Layout;
use crate::AppState;
use crate::api::{ImportReport, RequestActor, run_boundaries_import, run_years_import};
use crate::error::{ApiError, PageError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub layout: Layout,
    /// Which import the report is about: `years` or `boundaries`.
    pub kind: String,
    pub file_name: String,
    pub report: Option<ImportReport>,
}

pub async fn page(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    Ok(ImportPage {
        layout: Layout::new("数据导入导出", "import", snap.is_demo),
        kind: String::new(),
        file_name: String::new(),
        report: None,
    }
    .into_response())
}

pub async fn submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut kind = String::new();
    let mut mode = String::from("dry_run");
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(format!("上传失败：{e}")))?
    {
        match field.name().unwrap_or("") {
            "kind" => kind = field.text().await.unwrap_or_default(),
            "mode" => mode = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("上传失败：{e}")))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    let snap = st.store.snapshot().await?;
    let layout = Layout::new("数据导入导出", "import", snap.is_demo);
    let (file_name, bytes) = match file {
        Some((n, b)) if !b.is_empty() => (n, b),
        _ => {
            let report = ImportReport {
                ok: false,
                applied: false,
                rows: 0,
                errors: vec![gongfu_io::RowError {
                    row: 0,
                    column: "文件".into(),
                    value: String::new(),
                    reason: "请先选择要上传的文件".into(),
                }],
            };
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage {
                    layout,
                    kind,
                    file_name: String::new(),
                    report: Some(report),
                },
            )
                .into_response());
        }
    };
    let apply = mode == "apply";
    let source = format!("upload:{file_name}");
    let report = match kind.as_str() {
        "boundaries" => run_boundaries_import(&st, &actor, &bytes, apply, &source).await?,
        _ => {
            kind = "years".into();
            run_years_import(&st, &actor, &bytes, apply, &source).await?
        }
    };
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        ImportPage {
            layout,
            kind,
            file_name,
            report: Some(report),
        },
    )
        .into_response())
}
