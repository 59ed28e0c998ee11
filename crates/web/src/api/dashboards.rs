//! The dashboard of a unit and a year as JSON: the same figures as the `/dashboard` page.

use axum::Json;
use axum::extract::{Query, State};
use domain::services::dashboards::UnitDashboard;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::parse_opt;
use crate::error::ApiResult;
use crate::session::Actor;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// The unit's code (the whole country: `VN`); default: the caller's widest unit.
    pub org: Option<String>,
    /// The year whose tasks, targets and report rounds are shown; default: this year.
    pub year: Option<String>,
}

/// A unit's dashboard for a year: tasks, indicators, report rounds, systems; each figure links its rows.
#[utoipa::path(get, path = "/api/v1/dashboards", params(DashboardParams),
    responses((status = 200, body = UnitDashboard), (status = 400, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<DashboardParams>,
) -> ApiResult<UnitDashboard> {
    let year = parse_opt("year", q.year.as_deref(), |s| s.parse().ok(), "một năm, ví dụ 2026")?;
    Ok(Json(state.services.unit_dashboard(&p, q.org.as_deref(), year).await?))
}
