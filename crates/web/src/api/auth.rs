//! Tokens for machine clients and the caller's own account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::auth::Grant;
use domain::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::session::Actor;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// Six-digit code, required when the account has TOTP enabled.
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::Problem)))]
pub async fn token(State(state): State<AppState>, Json(req): Json<TokenRequest>) -> ApiResult<TokenResponse> {
    let (token, expires_at) = state.services.issue_token(&req.username, &req.password, req.totp.as_deref()).await?;
    Ok(Json(TokenResponse { token, expires_at }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub grants: Vec<Grant>,
}

/// The caller and their roles.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me)))]
pub async fn me(Actor(p): Actor) -> ApiResult<Me> {
    Ok(Json(Me { user: p.user, grants: p.grants }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change the caller's password.
#[utoipa::path(post, path = "/api/v1/me/password", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(req): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    state.services.change_password(&p, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSecret {
    pub secret: String,
    pub otpauth_url: String,
}

/// A fresh TOTP secret to enrol (not stored until confirmed).
#[utoipa::path(get, path = "/api/v1/me/totp/secret", responses((status = 200, body = TotpSecret)))]
pub async fn totp_secret(State(state): State<AppState>, Actor(p): Actor) -> ApiResult<TotpSecret> {
    let secret = state.services.totp_new_secret();
    let otpauth_url = domain::users::totp::url(&secret, &p.user.username)?;
    Ok(Json(TotpSecret { secret, otpauth_url }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpEnable {
    pub secret: String,
    pub code: String,
}

/// Turn on TOTP with a secret and a current code from the app.
#[utoipa::path(post, path = "/api/v1/me/totp", request_body = TotpEnable,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn totp_enable(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(req): Json<TotpEnable>,
) -> Result<StatusCode, ApiError> {
    state.services.totp_enable(&p, &req.secret, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpDisable {
    pub password: String,
}

/// Turn off TOTP (needs the password).
#[utoipa::path(delete, path = "/api/v1/me/totp", request_body = TotpDisable,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn totp_disable(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(req): Json<TotpDisable>,
) -> Result<StatusCode, ApiError> {
    state.services.totp_disable(&p, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
