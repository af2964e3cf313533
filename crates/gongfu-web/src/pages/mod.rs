//! The Chinese HTML pages, one module per screen. Each handler builds a typed askama template;
//! list pages answer with only their table fragment when htmx asks (`HX-Request`).

mod dashboard;
mod import;
mod map;
mod villages;
mod zones;

use crate::AppState;
use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/map", get(map::page))
        .route("/coverage", get(dashboard::coverage_page))
        .route(
            "/targets",
            get(dashboard::targets_page).post(dashboard::targets_submit),
        )
        .route("/villages", get(villages::list))
        .route("/villages/{code}", get(villages::detail))
        .route("/villages/{code}/move", post(villages::move_submit))
        .route("/villages/{code}/status", post(villages::status_submit))
        .route("/villages/{code}/tags", post(villages::tags_submit))
        .route("/zones", get(zones::list).post(zones::create_submit))
        .route("/zones/new", get(zones::new_form))
        .route("/zones/{id}", get(zones::detail))
        .route(
            "/zones/{id}/edit",
            get(zones::edit_form).post(zones::edit_submit),
        )
        .route("/zones/{id}/dissolve", post(zones::dissolve_submit))
        .route("/zones/{id}/designation", post(zones::designation_submit))
        .route("/import", get(import::page).post(import::submit))
}

/// What every page's frame needs.
pub struct Layout {
    pub title: String,
    /// Which nav item is current.
    pub nav: &'static str,
    pub demo: bool,
}

impl Layout {
    pub fn new(title: impl Into<String>, nav: &'static str, demo: bool) -> Layout {
        Layout {
            title: title.into(),
            nav,
            demo,
        }
    }
    pub fn is(&self, nav: &str) -> &'static str {
        if self.nav == nav { "current" } else { "" }
    }
}

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("HX-Request").is_some_and(|v| v == "true")
}

/// JSON for a `<script type="application/json">` island: `</` is escaped so the data can
/// never close the element.
pub fn json_island<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/")
}

/// Parses an `application/x-www-form-urlencoded` body that may repeat keys (checkbox lists).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn form_value(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub fn form_values(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}
