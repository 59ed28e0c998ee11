//! The web edge: Vietnamese HTML pages and the JSON API under `/api/v1`, both thin layers over
//! [`domain::Services`]. Handlers parse input, call one service, and render; they hold no
//! business rule and no SQL.
//!
//! Layout: `routes` is the one table of every route with its access rule; `pages/` and `api/`
//! hold handlers by feature; `session` keeps sessions in the database and enforces CSRF;
//! `error` turns domain errors into a Vietnamese page or RFC 9457 problem+json; `open311` and
//! `feeds` serve the standards (Open311 GeoReport v2, Atom, CAP 1.2) over the same services.

pub mod api;
pub mod data_value_file;
pub mod error;
pub mod feeds;
pub mod format;
pub mod open311;
pub mod pages;
pub mod report_file;
pub mod routes;
pub mod session;
pub mod task_file;
pub mod work_query;

use std::net::SocketAddr;
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;

pub use routes::{Access, RouteDef, route_table, router};

/// Settings of the web edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub cookie_secure: bool,
    /// Login and token requests allowed per IP per minute (0 turns the limit off).
    pub login_per_minute: u32,
    /// Citizen submissions (feedback form, feedback API, Open311 `POST requests`) allowed per IP
    /// per minute (0 turns the limit off).
    pub feedback_per_minute: u32,
    /// Largest request body, in bytes.
    pub body_limit: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { cookie_secure: false, login_per_minute: 30, feedback_per_minute: 10, body_limit: 1024 * 1024 }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: domain::Services,
    pub config: Arc<WebConfig>,
    pub metrics: Option<PrometheusHandle>,
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
