//! Citizen feedback as JSON. Public: send (rate-limited), likely duplicates, follow by tracking
//! code, reopen, categories, photos of public items. Officers: the list, one item, workflow steps,
//! category, moderation, routing rules, settings, retraining, Open311 keys. Each handler calls
//! one service; public responses never carry contact details.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::feedback::{Category, CategoryInput, FeedbackInput, FeedbackSettings, Route, Source, Step};
use domain::services::feedback::{
    FeedbackDetail, FeedbackFilter, FeedbackView, SimilarFeedback, StepInput, Submission, Tracking,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::Paged;
use crate::api::registries::{Body, BodyFields};
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::{Actor, Caller};

impl BodyFields for FeedbackInput {
    const FIELDS: &'static [&'static str] = &[
        "service_code",
        "title",
        "description",
        "area_code",
        "address",
        "lat",
        "lon",
        "name",
        "email",
        "phone",
        "attributes",
        "confirmed_new",
    ];
}

impl BodyFields for StepInput {
    const FIELDS: &'static [&'static str] = &["note", "to_org", "into", "row_version"];
}

impl BodyFields for CategoryInput {
    const FIELDS: &'static [&'static str] = &["code", "name", "description", "keywords", "sla_days", "active", "sort"];
}

impl BodyFields for FeedbackSettings {
    const FIELDS: &'static [&'static str] =
        &["confidence_threshold", "reopen_days", "duplicate_radius_m", "duplicate_days", "retrain_after"];
}

impl BodyFields for ReopenInput {
    const FIELDS: &'static [&'static str] = &["reason"];
}

impl BodyFields for CategorizeInput {
    const FIELDS: &'static [&'static str] = &["category"];
}

impl BodyFields for ModerationInput {
    const FIELDS: &'static [&'static str] = &["public_description", "hidden"];
}

impl BodyFields for RouteInput {
    const FIELDS: &'static [&'static str] = &["category", "area", "handler"];
}

impl BodyFields for KeyInput {
    const FIELDS: &'static [&'static str] = &["name"];
}

/// Send feedback (no account needed). Answers 201 with the tracking code; likely duplicates are
/// looked up separately (`GET /api/v1/feedback/similar`).
#[utoipa::path(post, path = "/api/v1/feedback", request_body = FeedbackInput, security(()),
    responses((status = 201, body = Submission), (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)))]
pub async fn submit(State(state): State<AppState>, Body(mut input): Body<FeedbackInput>) -> Result<Response, ApiError> {
    input.confirmed_new = true;
    let submission = state.services.submit_feedback(&input, &[], Source::Api).await?;
    Ok((StatusCode::CREATED, Json(submission)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// Official code of the commune or province.
    pub area_code: String,
    pub text: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Public items that look like the same problem at the same place (shown before sending).
#[utoipa::path(get, path = "/api/v1/feedback/similar", params(SimilarParams), security(()),
    responses((status = 200, body = Vec<SimilarFeedback>), (status = 422, body = crate::error::Problem)))]
pub async fn similar(State(state): State<AppState>, Query(q): Query<SimilarParams>) -> ApiResult<Vec<SimilarFeedback>> {
    Ok(Json(state.services.similar_feedback(&q.area_code, q.lat, q.lon, &q.text).await?))
}

/// Follow an item by its tracking code: status, public history, the answer.
#[utoipa::path(get, path = "/api/v1/feedback/track/{code}", security(()),
    params(("code" = String, Path, description = "Tracking code, e.g. PA-7K3M-Q9XD")),
    responses((status = 200, body = Tracking), (status = 404, body = crate::error::Problem)))]
pub async fn track(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Tracking> {
    Ok(Json(state.services.track_feedback(&code).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReopenInput {
    /// Why the answer does not solve the problem.
    pub reason: String,
}

/// The citizen reopens an answered item within the allowed days ("closed but not resolved").
#[utoipa::path(post, path = "/api/v1/feedback/track/{code}/reopen", request_body = ReopenInput, security(()),
    params(("code" = String, Path, description = "Tracking code")),
    responses((status = 200, body = Tracking), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn reopen(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Body(input): Body<ReopenInput>,
) -> ApiResult<Tracking> {
    Ok(Json(state.services.reopen_feedback(&code, &input.reason).await?))
}

/// The categories (Open311 services) citizens choose from.
#[utoipa::path(get, path = "/api/v1/feedback/categories", security(()),
    responses((status = 200, body = Vec<Category>)))]
pub async fn categories(State(state): State<AppState>) -> ApiResult<Vec<Category>> {
    Ok(Json(state.services.feedback_categories(false).await?))
}

/// Add or change a category by its code (on the root: categories are national).
#[utoipa::path(put, path = "/api/v1/feedback/categories/{code}", request_body = CategoryInput,
    params(("code" = String, Path, description = "Category code (Open311 service_code)")),
    responses((status = 200, body = Category), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn put_category(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Body(mut input): Body<CategoryInput>,
) -> ApiResult<Category> {
    input.code = code;
    Ok(Json(state.services.save_feedback_category(&p, input).await?))
}

/// A photo of an item: anyone for public items, officers in scope for hidden ones.
#[utoipa::path(get, path = "/api/v1/feedback/photos/{id}", security(()),
    params(("id" = i64, Path, description = "Photo id")),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = crate::error::Problem)))]
pub async fn photo(
    State(state): State<AppState>,
    caller: Option<axum::Extension<Caller>>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = caller.as_ref().and_then(|c| c.principal.as_ref());
    let (content_type, bytes) = state.services.feedback_photo(principal, id).await?;
    Ok(([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, max-age=3600".into())], bytes)
        .into_response())
}

/// Items in the caller's scope: handled by, or sent about, units they may read.
#[utoipa::path(get, path = "/api/v1/feedback", params(FeedbackFilter),
    responses((status = 200, body = Paged<FeedbackView>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(filter): Query<FeedbackFilter>,
) -> ApiResult<Paged<FeedbackView>> {
    Ok(Json(state.services.feedback_list(&p, &filter).await?.into()))
}

/// One item with its whole history, photos, merged and likely duplicates, and the steps allowed.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, body = FeedbackDetail), (status = 404, body = crate::error::Problem)))]
pub async fn show(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<FeedbackDetail> {
    Ok(Json(state.services.feedback_detail(&p, id).await?))
}

/// A workflow step: receive, start, reply, transfer, reject, close or merge.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/steps/{step}", request_body = StepInput,
    params(("id" = i64, Path, description = "Item id"),
        ("step" = String, Path, description = "receive, start, reply, transfer, reject, close or merge")),
    responses((status = 200, body = FeedbackView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn step(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, step)): Path<(i64, String)>,
    Body(input): Body<StepInput>,
) -> ApiResult<FeedbackView> {
    let step = Step::parse(&step)?;
    Ok(Json(state.services.feedback_step(&p, id, step, &input).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CategorizeInput {
    /// Category code.
    pub category: String,
}

/// Confirm or change an item's category (it becomes a training example of the classifier).
#[utoipa::path(post, path = "/api/v1/feedback/{id}/category", request_body = CategorizeInput,
    params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, body = FeedbackView), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn categorize(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(input): Body<CategorizeInput>,
) -> ApiResult<FeedbackView> {
    Ok(Json(state.services.categorize_feedback(&p, id, &input.category).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ModerationInput {
    /// The text shown publicly (personal data and abuse removed); unchanged when absent.
    pub public_description: Option<String>,
    /// Hide the item from every public page and response.
    #[serde(default)]
    pub hidden: bool,
}

/// Moderate an item's public text and visibility.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/moderation", request_body = ModerationInput,
    params(("id" = i64, Path, description = "Item id")),
    responses((status = 200, body = FeedbackView), (status = 403, body = crate::error::Problem)))]
pub async fn moderate(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(input): Body<ModerationInput>,
) -> ApiResult<FeedbackView> {
    Ok(Json(state.services.moderate_feedback(&p, id, input.public_description.as_deref(), input.hidden).await?))
}

/// The routing rules (category × area → handling unit).
#[utoipa::path(get, path = "/api/v1/feedback/routes", responses((status = 200, body = Vec<Route>)))]
pub async fn routes(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<Vec<Route>> {
    Ok(Json(state.services.feedback_routes().await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RouteInput {
    /// Category code; empty or absent for every category.
    pub category: Option<String>,
    /// Code of the area (province or commune) the rule covers, with its subtree.
    pub area: String,
    /// Code of the unit that handles the items.
    pub handler: String,
}

/// Add a routing rule for an area the caller manages.
#[utoipa::path(post, path = "/api/v1/feedback/routes", request_body = RouteInput,
    responses((status = 201, body = Route), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_route(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(input): Body<RouteInput>,
) -> Result<Response, ApiError> {
    let route = state.services.add_feedback_route(&p, input.category.as_deref(), &input.area, &input.handler).await?;
    Ok((StatusCode::CREATED, Json(route)).into_response())
}

/// Delete a routing rule.
#[utoipa::path(delete, path = "/api/v1/feedback/routes/{id}", params(("id" = i64, Path, description = "Rule id")),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_route(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_feedback_route(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The feedback settings (confidence threshold, reopen window, duplicate search, retraining).
#[utoipa::path(get, path = "/api/v1/settings/feedback", responses((status = 200, body = FeedbackSettings)))]
pub async fn settings(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<FeedbackSettings> {
    Ok(Json(state.services.feedback_settings().await?))
}

/// Change the feedback settings (system admins).
#[utoipa::path(put, path = "/api/v1/settings/feedback", request_body = FeedbackSettings,
    responses((status = 200, body = FeedbackSettings), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn set_settings(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(s): Body<FeedbackSettings>,
) -> ApiResult<FeedbackSettings> {
    Ok(Json(state.services.set_feedback_settings(&p, s).await?))
}

/// What retraining did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retrained {
    /// Officer-confirmed examples the new model learnt from.
    pub examples: i64,
}

/// Retrain the classifier now on every officer-confirmed item (system admins).
#[utoipa::path(post, path = "/api/v1/feedback/classifier/retrain",
    responses((status = 200, body = Retrained), (status = 403, body = crate::error::Problem)))]
pub async fn retrain(State(state): State<AppState>, Actor(p): Actor) -> ApiResult<Retrained> {
    if !p.is_root_admin() {
        return Err(ApiError(EdgeError::Domain(domain::DomainError::Forbidden("huấn luyện lại bộ phân loại"))));
    }
    let examples = state.services.retrain_classifier(true).await?.unwrap_or(0);
    Ok(Json(Retrained { examples }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct KeyInput {
    /// The client application's name.
    pub name: String,
}

/// The key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    pub api_key: String,
}

/// Issue an Open311 `api_key` for a client application (shown once).
#[utoipa::path(post, path = "/api/v1/open311/keys", request_body = KeyInput,
    responses((status = 201, body = IssuedKey), (status = 403, body = crate::error::Problem)))]
pub async fn create_key(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(input): Body<KeyInput>,
) -> Result<Response, ApiError> {
    let api_key = state.services.create_open311_key(&p, &input.name).await?;
    Ok((StatusCode::CREATED, Json(IssuedKey { api_key })).into_response())
}
