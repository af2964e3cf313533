//! (issue 7: talent) placeholder, filled in by its branch.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
