//! 参与主体 (actors registry) and 联席会议成员 (a zone's joint committee): pages.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
