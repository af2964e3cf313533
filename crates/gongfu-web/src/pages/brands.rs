//! (issue 7: brands) placeholder, filled in by its branch.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
