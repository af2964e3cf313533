//! 一张图: every village polygon on one map, coloured by zone, income or weak flag.

use super::Layout;
use crate::AppState;
use crate::error::PageError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

#[derive(Template, WebTemplate)]
#[template(path = "map.html")]
pub struct MapPage {
    pub layout: Layout,
    pub features: usize,
    pub year: String,
}

pub async fn page(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let features = snap
        .divisions
        .iter()
        .filter(|d| d.boundary.is_some())
        .count();
    Ok(MapPage {
        layout: Layout::new("一张图", "map", snap.is_demo),
        features,
        year: snap
            .latest_year()
            .map(|y| y.to_string())
            .unwrap_or_default(),
    }
    .into_response())
}
