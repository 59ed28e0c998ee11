//! Org units: the directory (any signed-in user) and its management (scoped).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::org::{OrgQuery, OrgType, OrgUnit};
use domain::services::{Dashboard, OrgDetail};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::{Paged, parse_opt};
use crate::error::ApiResult;
use crate::format::parse_date;
use crate::session::Actor;

/// Figures of the home dashboard.
#[utoipa::path(get, path = "/api/v1/dashboard", responses((status = 200, body = Dashboard)))]
pub async fn dashboard(State(state): State<AppState>, Actor(p): Actor) -> ApiResult<Dashboard> {
    Ok(Json(state.services.dashboard(&p).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; handlers read it as a map to name bad fields
pub struct OrgListParams {
    /// ministry | agency | province | district | commune | internal
    #[serde(rename = "type")]
    org_type: Option<String>,
    /// Structure valid on this date (YYYY-MM-DD); default today.
    as_of: Option<String>,
    /// Search in names and codes, without diacritics ("quang ngai" finds "Quảng Ngãi").
    q: Option<String>,
    /// Children of this unit code only.
    parent: Option<String>,
    offset: Option<u64>,
    /// 1–500, default 50.
    limit: Option<u64>,
}

/// Builds the directory query from request parameters (shared by the page and the API).
pub async fn org_query(state: &AppState, params: &HashMap<String, String>) -> Result<OrgQuery, crate::error::ApiError> {
    let get = |k: &str| params.get(k).map(String::as_str);
    let org_type = parse_opt(
        "type",
        get("type"),
        |v| OrgType::parse(v).ok(),
        "ministry, agency, province, district, commune hoặc internal",
    )?;
    let as_of = parse_opt("as_of", get("as_of"), parse_date, "ngày dạng YYYY-MM-DD hoặc dd/mm/yyyy")?
        .unwrap_or_else(|| state.services.clock().today());
    let offset = parse_opt("offset", get("offset"), |v| v.parse::<u64>().ok(), "số nguyên không âm")?.unwrap_or(0);
    let limit = parse_opt(
        "limit",
        get("limit"),
        |v| v.parse::<u64>().ok().filter(|n| (1..=500).contains(n)),
        "số nguyên từ 1 đến 500",
    )?
    .unwrap_or(50);
    let parent_id = match get("parent").filter(|v| !v.trim().is_empty()) {
        Some(code) => Some(state.services.org_by_code(code, Some(as_of)).await?.id),
        None => None,
    };
    Ok(OrgQuery {
        org_type,
        as_of: Some(as_of),
        q: get("q").map(String::from),
        parent_id,
        within_paths: None,
        offset,
        limit,
    })
}

/// List org units valid on a date, filtered by type, parent and search text.
#[utoipa::path(get, path = "/api/v1/org-units", params(OrgListParams),
    responses((status = 200, body = Paged<OrgUnit>), (status = 400, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Paged<OrgUnit>> {
    let query = org_query(&state, &params).await?;
    Ok(Json(state.services.list_orgs(&query).await?.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Resolve the code as of this date (YYYY-MM-DD); default today.
    pub as_of: Option<String>,
}

/// One org unit with ancestors, children, successors and predecessors.
#[utoipa::path(get, path = "/api/v1/org-units/{code}", params(("code" = String, Path), AsOf),
    responses((status = 200, body = OrgDetail), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AsOf>,
) -> ApiResult<OrgDetail> {
    let as_of = parse_opt("as_of", q.as_of.as_deref(), parse_date, "ngày dạng YYYY-MM-DD")?;
    Ok(Json(state.services.org_detail(&code, as_of).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Rename {
    pub name: String,
}

/// Rename a unit (system admins for official units; unit managers for internal units).
#[utoipa::path(patch, path = "/api/v1/org-units/{code}", params(("code" = String, Path)), request_body = Rename,
    responses((status = 200, body = OrgUnit), (status = 403, body = crate::error::Problem)))]
pub async fn rename(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Json(req): Json<Rename>,
) -> ApiResult<OrgUnit> {
    Ok(Json(state.services.rename_org(&p, &code, &req.name).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewInternalUnit {
    pub code: String,
    pub name: String,
}

/// Add an internal unit (phòng, cục, vụ …) under a unit.
#[utoipa::path(post, path = "/api/v1/org-units/{code}/units", params(("code" = String, Path)), request_body = NewInternalUnit,
    responses((status = 200, body = OrgUnit), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Json(req): Json<NewInternalUnit>,
) -> ApiResult<OrgUnit> {
    Ok(Json(state.services.create_internal_unit(&p, &code, &req.code, &req.name).await?))
}
