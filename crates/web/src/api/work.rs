//! Frameworks, plans, tasks and the national view as JSON. Each handler calls one service.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::frameworks::{Framework, FrameworkSummary, PlanTemplate};
use domain::services::work::{NationalView, NewPlanInput, StepInput, TaskDetail, VersionDiff};
use domain::work::{Evidence, Plan, PlanSection, PlanStatus, PlanVersion, ProgressInput, Task, TaskEvent, TaskInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::{Paged, parse_opt};
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::Actor;
use crate::work_query::{TaskListParams, task_query};

/// Every framework version with its groups and item counts.
#[utoipa::path(get, path = "/api/v1/frameworks", responses((status = 200, body = Vec<FrameworkSummary>)))]
pub async fn frameworks(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<Vec<FrameworkSummary>> {
    Ok(Json(state.services.frameworks().await?))
}

/// One framework: groups and items with deadlines, supporting units, targets and citations.
#[utoipa::path(get, path = "/api/v1/frameworks/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Framework), (status = 404, body = crate::error::Problem)))]
pub async fn framework(State(state): State<AppState>, Actor(_p): Actor, Path(id): Path<i64>) -> ApiResult<Framework> {
    Ok(Json(state.services.framework(id).await?))
}

/// Plan templates (outlines of sections) shipped with the frameworks.
#[utoipa::path(get, path = "/api/v1/plan-templates", responses((status = 200, body = Vec<PlanTemplate>)))]
pub async fn templates(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<Vec<PlanTemplate>> {
    Ok(Json(state.services.templates().to_vec()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanListParams {
    /// Only plans of agencies under this org code.
    pub org: Option<String>,
    /// draft, submitted, approved, in_execution, closed.
    pub status: Option<String>,
    /// Plans whose period includes this year.
    pub year: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// Plans the caller may see.
#[utoipa::path(get, path = "/api/v1/plans", params(PlanListParams), responses((status = 200, body = Paged<Plan>)))]
pub async fn plans(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<PlanListParams>,
) -> ApiResult<Paged<Plan>> {
    let status = parse_opt("status", q.status.as_deref(), |s| PlanStatus::parse(s).ok(), "một trạng thái kế hoạch")?;
    let year = parse_opt("year", q.year.as_deref(), |s| s.parse().ok(), "một năm")?;
    let page = state
        .services
        .list_plans(&p, q.org.as_deref(), status, year, q.offset.unwrap_or(0), q.limit.unwrap_or(50))
        .await?;
    Ok(Json(page.into()))
}

/// Create a plan for a period from a template, adopting framework items as tasks.
#[utoipa::path(post, path = "/api/v1/plans", request_body = NewPlanInput,
    responses((status = 200, body = Plan), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(input): Json<NewPlanInput>,
) -> ApiResult<Plan> {
    Ok(Json(state.services.create_plan(&p, &input).await?))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 404, body = crate::error::Problem)))]
pub async fn plan(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<Plan> {
    Ok(Json(state.services.plan(&p, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanEdit {
    /// The `row_version` the editor loaded.
    pub row_version: i32,
    pub title: String,
    pub sections: Vec<PlanSection>,
}

/// Edit a draft plan's title and sections (HTML is sanitised).
#[utoipa::path(put, path = "/api/v1/plans/{id}", params(("id" = i64, Path)), request_body = PlanEdit,
    responses((status = 200, body = Plan), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_plan(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(e): Json<PlanEdit>,
) -> ApiResult<Plan> {
    Ok(Json(state.services.update_plan(&p, id, e.row_version, &e.title, &e.sections).await?))
}

/// A workflow step: submit, return, approve, start, revise, close.
#[utoipa::path(post, path = "/api/v1/plans/{id}/steps", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = Plan), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn plan_step(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(step): Json<StepInput>,
) -> ApiResult<Plan> {
    Ok(Json(state.services.plan_step(&p, id, &step).await?))
}

/// Every approved version of a plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}/versions", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PlanVersion>)))]
pub async fn plan_versions(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> ApiResult<Vec<PlanVersion>> {
    Ok(Json(state.services.plan_versions(&p, id).await?))
}

/// An approved version compared with the one before it.
#[utoipa::path(get, path = "/api/v1/plans/{id}/versions/{number}/diff", params(("id" = i64, Path), ("number" = i32, Path)),
    responses((status = 200, body = VersionDiff), (status = 404, body = crate::error::Problem)))]
pub async fn plan_diff(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, number)): Path<(i64, i32)>,
) -> ApiResult<VersionDiff> {
    Ok(Json(state.services.compare_versions(&p, id, number).await?))
}

/// Add a task to a draft plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_task(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(input): Json<TaskInput>,
) -> ApiResult<Task> {
    Ok(Json(state.services.create_task(&p, id, &input).await?))
}

/// Tasks the caller may see, filtered, sorted and paged like the task list page.
#[utoipa::path(get, path = "/api/v1/tasks", params(TaskListParams), responses((status = 200, body = Paged<Task>)))]
pub async fn tasks(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<TaskListParams>,
) -> ApiResult<Paged<Task>> {
    let query = task_query(&q)?;
    Ok(Json(state.services.list_tasks(&p, &query).await?.into()))
}

/// One task with subtasks, evidence and full history.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = TaskDetail), (status = 404, body = crate::error::Problem)))]
pub async fn task(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<TaskDetail> {
    Ok(Json(state.services.task_detail(&p, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskEdit {
    /// The `row_version` the editor loaded; a stale one gets 409 with what changed.
    pub row_version: i32,
    #[serde(flatten)]
    pub task: TaskInput,
}

/// Edit a task of a draft plan.
#[utoipa::path(put, path = "/api/v1/tasks/{id}", params(("id" = i64, Path)), request_body = TaskEdit,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_task(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(e): Json<TaskEdit>,
) -> ApiResult<Task> {
    Ok(Json(state.services.update_task(&p, id, e.row_version, &e.task).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Assignment {
    pub row_version: i32,
    /// Usernames.
    pub assignees: Vec<String>,
}

/// Assign people to a task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/assignees", params(("id" = i64, Path)), request_body = Assignment,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(a): Json<Assignment>,
) -> ApiResult<Task> {
    Ok(Json(state.services.assign_task(&p, id, a.row_version, &a.assignees).await?))
}

/// Report progress (state, percent, completion date, note).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/progress", params(("id" = i64, Path)), request_body = ProgressInput,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn progress(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(input): Json<ProgressInput>,
) -> ApiResult<Task> {
    Ok(Json(state.services.report_progress(&p, id, &input).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Rating {
    pub row_version: i32,
    /// 1–5.
    pub rating: u8,
}

/// The leader's quality rating of a completed task.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/rating", params(("id" = i64, Path)), request_body = Rating,
    responses((status = 200, body = Task), (status = 409, body = crate::error::Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(r): Json<Rating>,
) -> ApiResult<Task> {
    Ok(Json(state.services.rate_task(&p, id, r.row_version, r.rating).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Comment {
    pub text: String,
}

/// Add a comment to a task's history.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", params(("id" = i64, Path)), request_body = Comment,
    responses((status = 200, body = TaskEvent)))]
pub async fn comment(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(c): Json<Comment>,
) -> ApiResult<TaskEvent> {
    Ok(Json(state.services.comment_task(&p, id, &c.text).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEvidence {
    /// File name (with extension) or the link's title.
    pub name: String,
    /// The file's bytes, base64-encoded; or
    pub content_base64: Option<String>,
    /// a link.
    pub url: Option<String>,
}

/// Add evidence: a file (PDF, Word, Excel, OpenDocument, PNG, JPEG, ZIP, TXT; at most 10 MB) or a link.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/evidence", params(("id" = i64, Path)), request_body = NewEvidence,
    responses((status = 200, body = Evidence), (status = 422, body = crate::error::Problem)))]
pub async fn add_evidence(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(e): Json<NewEvidence>,
) -> ApiResult<Evidence> {
    let bytes = match &e.content_base64 {
        Some(b) => Some(base64::engine::general_purpose::STANDARD.decode(b.trim()).map_err(|_| {
            ApiError(EdgeError::BadRequest {
                field: "content_base64", message: "không phải base64 hợp lệ".into()
            })
        })?),
        None => None,
    };
    let file = bytes.as_deref().map(|b| (e.name.as_str(), b));
    let link = e.url.as_deref().map(|u| (e.name.as_str(), u));
    Ok(Json(state.services.add_evidence(&p, id, file, link).await?))
}

/// Download an evidence file.
#[utoipa::path(get, path = "/api/v1/evidence/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
pub async fn evidence_file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    Ok(file_response(state.services.evidence_file(&p, id).await?))
}

/// An evidence file as a download.
pub fn file_response((e, bytes): (Evidence, Vec<u8>)) -> Response {
    let content_type = e.content_type.unwrap_or_else(|| "application/octet-stream".into());
    named_download(&e.name, content_type, bytes)
}

/// An uploaded file as a download under its own (Vietnamese) name, never rendered inline, so an
/// uploaded page cannot run.
pub fn named_download(name: &str, content_type: String, bytes: Vec<u8>) -> Response {
    let name: String = name.chars().filter(|c| !c.is_control() && *c != '"').collect();
    let ascii: String = textvi::fold(&name).chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", urlencode(&name));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
        ],
        Body::from(bytes),
    )
        .into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NationalParams {
    /// Drill down to one agency (its org code).
    pub org: Option<String>,
}

/// For each item of a framework: agencies that adopted it, tasks by status, overdue count.
#[utoipa::path(get, path = "/api/v1/national/{framework_id}", params(("framework_id" = i64, Path), NationalParams),
    responses((status = 200, body = NationalView), (status = 403, body = crate::error::Problem)))]
pub async fn national(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<NationalParams>,
) -> ApiResult<NationalView> {
    Ok(Json(state.services.national_view(&p, id, q.org.as_deref()).await?))
}
