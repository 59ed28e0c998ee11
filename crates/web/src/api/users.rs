//! User administration, scoped to the caller's admin grants.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::auth::{Grant, Role};
use domain::services::NewUserInput;
use domain::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::Paged;
use crate::error::{ApiError, ApiResult};
use crate::session::Actor;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Only users under this org unit code.
    pub org: Option<String>,
    /// Search in usernames and full names, without diacritics.
    pub q: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// Users in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", params(UserListParams), responses((status = 200, body = Paged<User>)))]
pub async fn list(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<UserListParams>,
) -> ApiResult<Paged<User>> {
    let page = state
        .services
        .list_users(&p, q.org.as_deref(), q.q.as_deref(), q.offset.unwrap_or(0), q.limit.unwrap_or(50))
        .await?;
    Ok(Json(page.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub org_code: String,
    /// Optional first role on the user's own unit.
    pub role: Option<Role>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// Shown once; the user must change it at first login.
    pub initial_password: String,
}

/// Create a user with a one-time password.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUser,
    responses((status = 200, body = CreatedUser), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(req): Json<NewUser>,
) -> ApiResult<CreatedUser> {
    let input = NewUserInput {
        username: req.username,
        full_name: req.full_name,
        email: req.email,
        org_code: req.org_code,
        role: req.role.map(|r| r.as_str().to_string()),
    };
    let (user, initial_password) = state.services.create_user(&p, &input).await?;
    Ok(Json(CreatedUser { user, initial_password }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    pub user: User,
    pub grants: Vec<Grant>,
}

/// One user with their roles.
#[utoipa::path(get, path = "/api/v1/users/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 404, body = crate::error::Problem)))]
pub async fn show(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<UserDetail> {
    let (user, grants) = state.services.get_user(&p, id).await?;
    Ok(Json(UserDetail { user, grants }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGrant {
    pub role: Role,
    pub org_code: String,
}

/// Grant a role on an org unit (applies to its subtree).
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", params(("id" = i64, Path)), request_body = NewGrant,
    responses((status = 200, body = Grant), (status = 403, body = crate::error::Problem)))]
pub async fn grant(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(req): Json<NewGrant>,
) -> ApiResult<Grant> {
    Ok(Json(state.services.grant_role(&p, id, req.role, &req.org_code).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewPassword {
    /// Shown once; the user must change it at next login.
    pub password: String,
}

/// Reset a user's password to a new one-time password.
#[utoipa::path(post, path = "/api/v1/users/{id}/reset-password", params(("id" = i64, Path)),
    responses((status = 200, body = NewPassword), (status = 403, body = crate::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> ApiResult<NewPassword> {
    Ok(Json(NewPassword { password: state.services.reset_password(&p, id).await? }))
}

/// Revoke a role grant.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.revoke_role(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
