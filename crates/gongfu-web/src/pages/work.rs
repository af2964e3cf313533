//! 片区工作 (zone work): the hub with every zone's figures, the zone plan and its approval,
//! projects, meetings and their decisions, action items, the chain per zone and the printable
//! progress report.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
