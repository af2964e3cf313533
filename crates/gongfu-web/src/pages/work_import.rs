//! Excel 导入导出 pages: 片区工作 (项目清单, 里程碑, 待办事项) and 运营与人才 (共富元素,
//! 运营绩效, 产业链产值, 培训, 创业人才), each with its template, its export and an upload form. An upload is first checked (试导入:
//! every row error, from the file and against the database, by row and column); when it
//! passes, 确认导入 sends the checked file back and it is written all or nothing.

use super::Layout;
use super::villages::messages;
use crate::AppState;
use crate::api::RequestActor;
use crate::error::{ApiError, PageError};
use crate::work_xlsx_api::{Kind, refused, run_work_import};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongfu_store::work::import::{ImportRowError, WorkImportReport};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/work/import", get(|st| page(st, Group::Work)))
        .route(
            "/work/import/{kind}",
            post(|st, a, k, f| submit(st, a, k, f, Group::Work)),
        )
        .route("/ops/import", get(|st| page(st, Group::Ops)))
        .route(
            "/ops/import/{kind}",
            post(|st, a, k, f| submit(st, a, k, f, Group::Ops)),
        )
        // The pages these workbooks had before they joined /ops/import.
        .route("/teams/import", get(|| moved(Kind::TeamKpis)))
        .route("/chains/import", get(|| moved(Kind::ChainOutputs)))
        .route("/talent/import", get(|| moved(Kind::Trainings)))
}

/// An old import page's address: its section of `/ops/import`.
async fn moved(kind: Kind) -> Redirect {
    Redirect::to(&format!("/ops/import#import-{}", kind.key()))
}

/// Which page of workbooks: 片区工作 or 运营与人才.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Work,
    Ops,
}

impl Group {
    fn kinds(self) -> &'static [Kind] {
        match self {
            Group::Work => &Kind::WORK,
            Group::Ops => &Kind::OPS,
        }
    }
    fn sections(self) -> Vec<Section> {
        self.kinds().iter().map(|k| Section::new(*k)).collect()
    }
}

/// One workbook's section of the page.
pub struct Section {
    pub key: &'static str,
    pub label: &'static str,
    pub template_url: String,
    pub export_url: String,
    pub note: &'static str,
    /// Who is offered the upload form (a `Layout::can` key); empty: everyone the page shows
    /// it to.
    pub upload_role: &'static str,
    /// The report of the upload just made, in this section.
    pub report: Option<WorkImportReport>,
    pub file_name: String,
    /// The checked file, hex-encoded, carried by the 确认导入 form.
    pub data: String,
}

impl Section {
    fn new(kind: Kind) -> Section {
        Section {
            key: kind.key(),
            label: kind.label(),
            template_url: kind.template_url(),
            export_url: kind.export_url(),
            note: match kind {
                Kind::Projects => {
                    "每行一个项目。新增项目的项目编号和版本留空；修改已有项目请先导出，在导出文件上修改，保留编号和版本。状态只能按流程推进。"
                }
                Kind::Milestones => {
                    "每行一个里程碑，按项目编号归属项目。修改已有里程碑请先导出，保留里程碑编号和版本。"
                }
                Kind::Actions => {
                    "每行一项待办。办结（已完成）须填写办理结果，取消须说明原因；已办结的待办不能再修改。修改请先导出，保留待办编号和版本。"
                }
                Kind::Elements => {
                    "每行一个共富元素（工坊、市集、基地、学堂、驿站、食堂、品牌）。新增的定位在所在村；修改请先导出，保留编号和版本。停办请填写停办日期。"
                }
                Kind::TeamKpis => {
                    "每行填写一个团队在一个片区一年的绩效（团队、片区名称须与平台一致，片区须是该团队的服务片区）。修改已填报的年度须保留导出文件中的版本。"
                }
                Kind::ChainOutputs => {
                    "每行一个产业链一个年份：产业链、年份、产值（元）、版本。产业链名称须与平台登记的一致；修改已填报的年份须保留导出文件中的版本。"
                }
                Kind::Trainings => {
                    "每行一场培训。片区编号留空为全区性培训（仅区管理员）。修改已有培训请先导出，在导出文件上修改，保留培训编号和版本。"
                }
                Kind::Entrepreneurs => {
                    "每行一位创业人才，按所在村代码归入该村所属片区。扶持申请与审批、年度考评在平台的创业人才页面办理，不能导入。修改请先导出，保留人才编号和版本。"
                }
            },
            // Only the administrator writes chain output.
            upload_role: if kind == Kind::ChainOutputs {
                "admin"
            } else {
                ""
            },
            report: None,
            file_name: String::new(),
            data: String::new(),
        }
    }

    /// Whether this section's report is a dry run that passed (确认导入 is offered).
    pub fn can_apply(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.ok && !r.applied)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "work_import.html")]
pub struct WorkImportPage {
    pub layout: Layout,
    pub sections: Vec<Section>,
    /// Where the forms post: `/work/import` or `/ops/import`.
    pub base: &'static str,
    pub crumb: (&'static str, &'static str),
    pub subtitle: &'static str,
}

async fn import_page(
    st: &AppState,
    group: Group,
    sections: Vec<Section>,
) -> Result<WorkImportPage, ApiError> {
    let snap = st.store.snapshot().await?;
    let (title, nav, base, crumb, subtitle) = match group {
        Group::Work => (
            "片区工作 Excel 导入导出",
            "work",
            "/work/import",
            ("/work", "片区工作"),
            "项目清单 · 里程碑 · 待办事项",
        ),
        Group::Ops => (
            "运营与人才 Excel 导入导出",
            "ops",
            "/ops/import",
            ("/ops", "运营与人才"),
            "共富元素 · 运营绩效 · 产业链产值 · 培训 · 创业人才",
        ),
    };
    Ok(WorkImportPage {
        layout: Layout::new(title, nav, snap.is_demo),
        sections,
        base,
        crumb,
        subtitle,
    })
}

pub async fn page(State(st): State<AppState>, group: Group) -> Result<Response, PageError> {
    Ok(import_page(&st, group, group.sections())
        .await?
        .into_response())
}

fn one_error(reason: String) -> WorkImportReport {
    refused(vec![ImportRowError::new(0, "", "", reason)])
}

pub async fn submit(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(kind): Path<String>,
    form: Multipart,
    group: Group,
) -> Result<Response, PageError> {
    let kind = Kind::parse(&kind)
        .filter(|k| group.kinds().contains(k))
        .ok_or_else(|| ApiError::not_found("没有这种导入"))?;
    let super::ImportForm {
        mode,
        file_name,
        bytes,
    } = super::read_import_form(form).await?;
    let report = if bytes.is_empty() {
        one_error("请先选择要上传的文件".into())
    } else {
        match run_work_import(&st, &actor, kind, &bytes, mode == "apply").await {
            Ok(r) => r,
            Err(e) => one_error(messages(e).join("；")),
        }
    };
    let status = if report.ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut sections = group.sections();
    if let Some(s) = sections.iter_mut().find(|s| s.key == kind.key()) {
        s.data = if report.ok && !report.applied {
            super::hex_encode(&bytes)
        } else {
            String::new()
        };
        s.file_name = file_name;
        s.report = Some(report);
    }
    Ok((status, import_page(&st, group, sections).await?).into_response())
}
