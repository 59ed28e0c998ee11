//! Tasks in and out as files: import a CSV or XLSX table into a draft plan (all rows or none),
//! export the task list (same filters as `GET /api/v1/tasks`) as XLSX or CSV.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::Actor;
use crate::task_file::{self, CSV_MIME, XLSX_MIME};
use crate::work_query::{TaskListParams, task_query};

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Number of tasks added.
    pub imported: usize,
    /// Their ids, in the order of the file's rows.
    pub ids: Vec<i64>,
}

/// Content types an import accepts (browsers send CSV under several names).
const ACCEPTED: [&str; 6] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// Import tasks into a draft plan from the request body, a CSV (UTF-8) or XLSX table with the
/// columns Số thứ tự, Tên nhiệm vụ, Mô tả, Đơn vị chủ trì, Đơn vị phối hợp, Người thực hiện,
/// Ngày bắt đầu, Hạn hoàn thành: every row is imported or none, and a 422 lists each bad row and
/// column in `rows`.
#[utoipa::path(post, path = "/api/v1/plans/{id}/tasks/import", params(("id" = i64, Path)),
    request_body(description = "The file's bytes", content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportResult), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import_tasks(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<ImportResult> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !mime.is_empty() && !ACCEPTED.contains(&mime.as_str()) {
        return Err(ApiError(EdgeError::BadRequest {
            field: "content-type",
            message: format!("'{mime}' không phải text/csv hoặc {XLSX_MIME}"),
        }));
    }
    let ids = task_file::import_file(&state.services, &p, id, &body).await?;
    Ok(Json(ImportResult { imported: ids.len(), ids }))
}

/// Bytes as a file download named `name`.
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from(bytes),
    )
        .into_response()
}

fn file_name(state: &AppState, ext: &str) -> String {
    format!("nhiem-vu-{}.{ext}", state.services.clock().today().format("%Y%m%d"))
}

/// The task list (same filters and sort as `GET /api/v1/tasks`; offset and limit ignored) as an
/// XLSX workbook, at most 100.000 rows. Its columns import again.
#[utoipa::path(get, path = "/api/v1/tasks/export.xlsx", params(TaskListParams),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::error::Problem)))]
pub async fn export_tasks_xlsx(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<TaskListParams>,
) -> Result<Response, ApiError> {
    let table = task_file::export_table(&state.services, &p, &task_query(&q)?).await?;
    let bytes = reports::write_xlsx(&[("Nhiệm vụ", &table)]).map_err(|e| DomainError::Storage(e.to_string()))?;
    Ok(download(bytes, XLSX_MIME, file_name(&state, "xlsx")))
}

/// The task list as CSV (UTF-8 with BOM, comma separated, dates dd/mm/yyyy), like the XLSX export.
#[utoipa::path(get, path = "/api/v1/tasks/export.csv", params(TaskListParams),
    responses((status = 200, description = "the table", content_type = "text/csv"), (status = 400, body = crate::error::Problem)))]
pub async fn export_tasks_csv(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<TaskListParams>,
) -> Result<Response, ApiError> {
    let table = task_file::export_table(&state.services, &p, &task_query(&q)?).await?;
    Ok(download(reports::write_csv(&table), CSV_MIME, file_name(&state, "csv")))
}
