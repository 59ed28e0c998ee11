//! The audit log, as far as the caller's scope reaches.

use axum::Json;
use axum::extract::{Query, State};
use domain::audit::AuditEntry;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiResult;
use crate::session::Actor;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecentParams {
    /// 1–500, default 50.
    pub limit: Option<u64>,
}

/// Newest audit entries about units in the caller's scope.
#[utoipa::path(get, path = "/api/v1/audit", params(RecentParams), responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn recent(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<RecentParams>,
) -> ApiResult<Vec<AuditEntry>> {
    Ok(Json(state.services.recent_audit(&p, q.limit.unwrap_or(50)).await?))
}
