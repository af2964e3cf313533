//! 审计日志: search by person, record and date; export to xlsx.

use super::Layout;
use crate::AppState;
use crate::api::{AuditQuery, RequestActor};
use crate::error::PageError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gongfu_store::accounts::AuditEntry;

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub entries: Vec<AuditEntry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub from: String,
    pub to: String,
    pub query_base: String,
}

const PER_PAGE: i64 = 100;

pub async fn page(
    State(st): State<AppState>,
    RequestActor(actor): RequestActor,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let page = q.page.unwrap_or(1).max(1);
    let (total, entries) = st
        .store
        .audit_entries(&actor, &q.filter, PER_PAGE, (page - 1) * PER_PAGE)
        .await?;
    let f = &q.filter;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let query_base = super::query_string(&[
        ("actor", &f.actor),
        ("entity", &f.entity),
        ("entity_id", &f.entity_id),
        ("from", &f.from),
        ("to", &f.to),
    ]);
    Ok(AuditPage {
        layout: Layout::new("审计日志", "audit", snap.is_demo),
        entries,
        total,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        actor: v(&f.actor),
        entity: v(&f.entity),
        entity_id: v(&f.entity_id),
        from: v(&f.from),
        to: v(&f.to),
        query_base,
    }
    .into_response())
}
