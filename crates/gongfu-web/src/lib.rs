//! The web skin of Gongfu: server-rendered Chinese pages (askama + htmx, ECharts for charts
//! and the map, all vendored) and the JSON API under `/api/v1`, both thin layers over the
//! service functions of `gongfu-store`. This is the only crate that knows about HTTP and HTML.

pub mod api;
pub mod auth;
pub mod brands_api;
pub mod equity_api;
pub mod equity_outputs_api;
pub mod error;
pub mod facilities_api;
pub mod openapi;
pub mod ops_api;
pub mod pages;
pub mod planning;
pub mod rubric_xlsx_api;
pub mod scoring_api;
pub mod siting_api;
pub mod statics;
pub mod talent_api;
pub mod teams_api;
pub mod views;
pub mod work_api;
pub mod work_xlsx_api;

use axum::Router;
use axum::routing::get;
use gongfu_store::Store;
use std::sync::Arc;
use time::Date;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The clock, injectable so tests can pin "today".
    pub today: Arc<dyn Fn() -> Date + Send + Sync>,
    /// Planner runs of this instance (片区规划).
    pub jobs: Arc<planning::Jobs>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            today: Arc::new(gongfu_store::service::today),
            jobs: Arc::default(),
        }
    }
    pub fn today(&self) -> Date {
        (self.today)()
    }
}

/// The whole application: pages, API, static files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(api::healthz))
        .merge(api::routes())
        .merge(work_api::routes())
        .merge(ops_api::routes())
        .merge(teams_api::routes())
        .merge(brands_api::routes())
        .merge(talent_api::routes())
        .merge(equity_api::routes())
        .merge(scoring_api::routes())
        .merge(rubric_xlsx_api::routes())
        .merge(equity_outputs_api::routes())
        .merge(work_xlsx_api::routes())
        .merge(pages::routes())
        .route("/static/{*path}", get(statics::serve))
        .route("/favicon.ico", get(statics::favicon))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(
            auth::MAX_BODY as usize,
        ))
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: std::net::SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
