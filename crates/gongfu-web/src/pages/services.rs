//! 服务覆盖与设施选址: today's coverage of a service and proposed new sites, on a map.

use super::Layout;
use crate::AppState;
use crate::error::PageError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use gongfu_core::facilities::FacilityType;

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
pub struct ServicesPage {
    pub layout: Layout,
    /// `(key, label, who it serves)` per public service type.
    pub types: Vec<(String, String, String)>,
    pub zones: Vec<(i64, String)>,
}

pub async fn page(State(st): State<AppState>) -> Result<Response, PageError> {
    let snap = st.store.snapshot().await?;
    let day = st.today();
    Ok(ServicesPage {
        layout: Layout::new("服务覆盖与设施选址", "services", snap.is_demo),
        types: FacilityType::ALL
            .iter()
            .filter(|t| t.is_public_service())
            .map(|t| {
                (
                    t.key().to_string(),
                    t.label().to_string(),
                    t.demand().label().to_string(),
                )
            })
            .collect(),
        zones: snap
            .zones
            .iter()
            .filter(|z| z.is_live_on(day))
            .map(|z| (z.id.0, z.name.clone()))
            .collect(),
    }
    .into_response())
}
