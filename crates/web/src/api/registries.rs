//! Registries as JSON: information systems, databases and projects (list, one, create, update,
//! delete), the inspection schedule, the overview, the tables as of a day, and the settings.
//! Each handler calls one service. A body that does not fit its schema is answered with
//! problem+json naming the field.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use domain::DomainError;
use domain::registries::{
    ComplianceFilter, DatabaseKind, InspectionFilter, ProjectStatus, RegistryKind, SecurityLevel,
};
use domain::services::registries::{
    DatabaseInput, DatabaseView, InspectionSchedule, ProjectInput, ProjectView, RegistryOverview, RegistryQuery,
    RegistrySettings, RegistryTables, SystemInput, SystemView,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::{Paged, parse_opt};
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::format;
use crate::session::Actor;

/// The names of a JSON body's fields, so an error found while reading it can name one.
pub trait BodyFields {
    const FIELDS: &'static [&'static str];
}

impl BodyFields for SystemInput {
    const FIELDS: &'static [&'static str] = &[
        "org",
        "name",
        "url",
        "security_level",
        "dossier_approved_on",
        "dossier_decision",
        "meets_minimum_requirements",
        "protection_plan_deployed",
        "four_layer",
        "last_inspection",
        "last_drill",
        "portal",
        "trust_label_on",
        "row_version",
    ];
}

impl BodyFields for DatabaseInput {
    const FIELDS: &'static [&'static str] = &[
        "org",
        "kind",
        "name",
        "url",
        "as_of",
        "total_records",
        "records_since",
        "records_updated_since",
        "target_units",
        "participating_units",
        "row_version",
    ];
}

impl BodyFields for ProjectInput {
    const FIELDS: &'static [&'static str] = &[
        "org",
        "name",
        "lead_unit",
        "objective",
        "status",
        "years",
        "total_million_vnd",
        "spent_million_vnd",
        "expenditure",
        "budget",
        "security",
        "result_note",
        "approved_on",
        "decision",
        "row_version",
    ];
}

impl BodyFields for RegistrySettings {
    const FIELDS: &'static [&'static str] = &["inspection_soon_days"];
}

/// A JSON body read field by field: a wrong type or value is a 422 problem naming the field
/// (in Vietnamese), not a bare text error.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    S: Send + Sync,
    T: DeserializeOwned + BodyFields,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError(EdgeError::BadRequest { field: "body", message: e.body_text() }))?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de).map(Body).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            ApiError(EdgeError::Domain(body_error::<T>(&path, &message, e.inner().is_syntax() || e.inner().is_eof())))
        })
    }
}

/// The field and the Vietnamese sentence of a body that did not deserialise.
fn body_error<T: BodyFields>(path: &str, message: &str, syntax: bool) -> DomainError {
    if syntax {
        return DomainError::invalid("body", "nội dung gửi lên không phải JSON hợp lệ");
    }
    let missing = message.strip_prefix("missing field `").and_then(|m| m.split('`').next());
    let first = missing.unwrap_or_else(|| path.split(['.', '[']).next().unwrap_or(""));
    let field = T::FIELDS.iter().copied().find(|f| *f == first).unwrap_or("body");
    if missing.is_some() {
        return DomainError::invalid(field, "thiếu trường bắt buộc");
    }
    let serde_says = ["invalid type", "invalid value", "invalid length"].iter().any(|p| message.starts_with(p));
    // A rule of the domain type (a security level of 7) says it in Vietnamese already.
    if let Some(rest) =
        message.strip_prefix("invalid ").filter(|_| !serde_says).and_then(|m| m.split_once(": ")).map(|(_, r)| r)
    {
        let rest = rest.split(" at line ").next().unwrap_or(rest);
        return DomainError::invalid(field, rest.to_string());
    }
    let expected = message.split(", expected ").nth(1).unwrap_or("").split(" at line ").next().unwrap_or("");
    let sentence = if message.starts_with("unknown variant") {
        let value = message.split('`').nth(1).unwrap_or("");
        let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        format!("giá trị '{value}' không hợp lệ; cần một trong: {}", options.join(", "))
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let want = if expected.starts_with('u') || expected.starts_with('i') || expected.starts_with('f') {
            "một số (không âm, không có phần thập phân nếu là số đếm)"
        } else if expected.contains("boolean") {
            "true hoặc false"
        } else if expected.contains("string") || expected.contains("date") {
            "một chuỗi ký tự (ngày dạng yyyy-mm-dd)"
        } else if expected.contains("sequence") || expected.contains("array") {
            "một danh sách"
        } else {
            "đúng kiểu của trường"
        };
        format!("sai kiểu dữ liệu: cần {want}")
    } else if message.contains("invalid length") {
        let n: String = expected.chars().filter(char::is_ascii_digit).collect();
        format!("sai số phần tử: cần đúng {n} phần tử")
    } else {
        // chrono's messages for a malformed date.
        "không phải ngày dạng yyyy-mm-dd".to_string()
    };
    DomainError::invalid(field, sentence)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only entries of units under this org code.
    pub org: Option<String>,
    /// Text in the name (and address, decision number, lead unit…), with or without diacritics.
    pub q: Option<String>,
    /// Systems: security level 1–5.
    pub level: Option<String>,
    /// Systems: ok, due_soon, overdue or unscheduled.
    pub state: Option<String>,
    /// Systems: dossier_approved, dossier_pending, plan_deployed or plan_pending.
    pub compliance: Option<String>,
    /// Databases: national, sectoral or local.
    pub kind: Option<String>,
    /// Projects: new or continuing.
    pub status: Option<String>,
    /// Projects whose years include this one.
    pub year: Option<String>,
    pub offset: Option<u64>,
    /// At most 500 (default 50).
    pub limit: Option<u64>,
}

fn query(q: &ListParams) -> Result<RegistryQuery, ApiError> {
    Ok(RegistryQuery {
        org: q.org.clone(),
        q: q.q.clone(),
        database_kind: parse_opt(
            "kind",
            q.kind.as_deref(),
            |s| DatabaseKind::parse(s).ok(),
            "national, sectoral hoặc local",
        )?,
        state: parse_opt(
            "state",
            q.state.as_deref(),
            |s| InspectionFilter::parse(s).ok(),
            "ok, due_soon, overdue hoặc unscheduled",
        )?,
        compliance: parse_opt(
            "compliance",
            q.compliance.as_deref(),
            |s| ComplianceFilter::parse(s).ok(),
            "dossier_approved, dossier_pending, plan_deployed hoặc plan_pending",
        )?,
        level: parse_opt("level", q.level.as_deref(), |s| SecurityLevel::parse(s).ok(), "một cấp độ từ 1 đến 5")?,
        status: parse_opt("status", q.status.as_deref(), |s| ProjectStatus::parse(s).ok(), "new hoặc continuing")?,
        year: parse_opt("year", q.year.as_deref(), |s| s.parse().ok(), "một năm")?,
        offset: q.offset.unwrap_or(0),
        limit: q.limit.unwrap_or(50).clamp(1, 500),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The `row_version` the editor loaded: the delete is refused (409) if someone saved since.
    pub row_version: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgParams {
    /// Only entries of units under this org code (default: everything the caller may read).
    pub org: Option<String>,
}

/// The registries' figures over the caller's scope: entries per registry, systems per
/// inspection state, databases per kind, projects new and continuing.
#[utoipa::path(get, path = "/api/v1/registries", params(OrgParams),
    responses((status = 200, body = RegistryOverview), (status = 403, body = crate::error::Problem)))]
pub async fn overview(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<OrgParams>,
) -> ApiResult<RegistryOverview> {
    Ok(Json(state.services.registry_overview(&p, q.org.as_deref()).await?))
}

/// Information systems the caller may read, by name, each with its next inspection due and
/// state (levels 1–2 every 2 years, 3–4 every year, 5 every 6 months).
#[utoipa::path(get, path = "/api/v1/registries/systems", params(ListParams),
    responses((status = 200, body = Paged<SystemView>), (status = 400, body = crate::error::Problem)))]
pub async fn systems(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> ApiResult<Paged<SystemView>> {
    Ok(Json(state.services.list_systems(&p, &query(&q)?).await?.into()))
}

/// Add an information system to a unit's registry.
#[utoipa::path(post, path = "/api/v1/registries/systems", request_body = SystemInput,
    responses((status = 200, body = SystemView), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_system(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(input): Body<SystemInput>,
) -> ApiResult<SystemView> {
    Ok(Json(state.services.create_system(&p, &input).await?))
}

/// One information system.
#[utoipa::path(get, path = "/api/v1/registries/systems/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = SystemView), (status = 404, body = crate::error::Problem)))]
pub async fn system(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<SystemView> {
    Ok(Json(state.services.system(&p, id).await?))
}

/// Edit an information system (`row_version` required; 409 with what changed when stale).
#[utoipa::path(put, path = "/api/v1/registries/systems/{id}", params(("id" = i64, Path)), request_body = SystemInput,
    responses((status = 200, body = SystemView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_system(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(input): Body<SystemInput>,
) -> ApiResult<SystemView> {
    Ok(Json(state.services.update_system(&p, id, &input).await?))
}

/// Delete an information system.
#[utoipa::path(delete, path = "/api/v1/registries/systems/{id}", params(("id" = i64, Path), DeleteParams),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn delete_system(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_registry_entry(&p, RegistryKind::System, id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Databases the caller may read, by name.
#[utoipa::path(get, path = "/api/v1/registries/databases", params(ListParams),
    responses((status = 200, body = Paged<DatabaseView>), (status = 400, body = crate::error::Problem)))]
pub async fn databases(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> ApiResult<Paged<DatabaseView>> {
    Ok(Json(state.services.list_databases(&p, &query(&q)?).await?.into()))
}

/// Add a database to a unit's registry.
#[utoipa::path(post, path = "/api/v1/registries/databases", request_body = DatabaseInput,
    responses((status = 200, body = DatabaseView), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_database(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(input): Body<DatabaseInput>,
) -> ApiResult<DatabaseView> {
    Ok(Json(state.services.create_database(&p, &input).await?))
}

/// One database.
#[utoipa::path(get, path = "/api/v1/registries/databases/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DatabaseView), (status = 404, body = crate::error::Problem)))]
pub async fn database(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<DatabaseView> {
    Ok(Json(state.services.database(&p, id).await?))
}

/// Edit a database (`row_version` required; 409 with what changed when stale).
#[utoipa::path(put, path = "/api/v1/registries/databases/{id}", params(("id" = i64, Path)), request_body = DatabaseInput,
    responses((status = 200, body = DatabaseView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_database(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(input): Body<DatabaseInput>,
) -> ApiResult<DatabaseView> {
    Ok(Json(state.services.update_database(&p, id, &input).await?))
}

/// Delete a database.
#[utoipa::path(delete, path = "/api/v1/registries/databases/{id}", params(("id" = i64, Path), DeleteParams),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn delete_database(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_registry_entry(&p, RegistryKind::Database, id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Projects (nhiệm vụ, dự án) the caller may read, by name; money in triệu đồng.
#[utoipa::path(get, path = "/api/v1/registries/projects", params(ListParams),
    responses((status = 200, body = Paged<ProjectView>), (status = 400, body = crate::error::Problem)))]
pub async fn projects(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> ApiResult<Paged<ProjectView>> {
    Ok(Json(state.services.list_projects(&p, &query(&q)?).await?.into()))
}

/// Add a project to an agency's list.
#[utoipa::path(post, path = "/api/v1/registries/projects", request_body = ProjectInput,
    responses((status = 200, body = ProjectView), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create_project(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(input): Body<ProjectInput>,
) -> ApiResult<ProjectView> {
    Ok(Json(state.services.create_project(&p, &input).await?))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/registries/projects/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::Problem)))]
pub async fn project(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<ProjectView> {
    Ok(Json(state.services.project(&p, id).await?))
}

/// Edit a project (`row_version` required; 409 with what changed when stale).
#[utoipa::path(put, path = "/api/v1/registries/projects/{id}", params(("id" = i64, Path)), request_body = ProjectInput,
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_project(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(input): Body<ProjectInput>,
) -> ApiResult<ProjectView> {
    Ok(Json(state.services.update_project(&p, id, &input).await?))
}

/// Delete a project.
#[utoipa::path(delete, path = "/api/v1/registries/projects/{id}", params(("id" = i64, Path), DeleteParams),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
pub async fn delete_project(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_registry_entry(&p, RegistryKind::Project, id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The inspection schedule: systems by next due date, soonest first (unscheduled last), with
/// the count in each state; the filters of the system list apply.
#[utoipa::path(get, path = "/api/v1/registries/inspections", params(ListParams),
    responses((status = 200, body = InspectionSchedule), (status = 400, body = crate::error::Problem)))]
pub async fn inspections(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> ApiResult<InspectionSchedule> {
    Ok(Json(state.services.inspection_schedule(&p, &query(&q)?).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TablesParams {
    /// The unit's code: it and every unit under it.
    pub org: String,
    /// The day (yyyy-mm-dd or dd/mm/yyyy) the tables are read as of, at its end (default today).
    pub as_of: Option<String>,
}

/// A unit subtree's registry tables as they stood at the end of a day (entries changed or
/// deleted since come back as they were), for reports.
#[utoipa::path(get, path = "/api/v1/registries/tables", params(TablesParams),
    responses((status = 200, body = RegistryTables), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn tables(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<TablesParams>,
) -> ApiResult<RegistryTables> {
    let as_of = parse_opt("as_of", q.as_of.as_deref(), format::parse_date, "ngày dạng yyyy-mm-dd")?
        .unwrap_or_else(|| state.services.clock().today());
    Ok(Json(state.services.registry_tables_as_of(&p, &q.org, as_of).await?))
}

/// The registries' settings (the "soon" window of inspections).
#[utoipa::path(get, path = "/api/v1/settings/registries", responses((status = 200, body = RegistrySettings)))]
pub async fn settings(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<RegistrySettings> {
    Ok(Json(state.services.registry_settings().await?))
}

/// Change the registries' settings (system admins).
#[utoipa::path(put, path = "/api/v1/settings/registries", request_body = RegistrySettings,
    responses((status = 200, body = RegistrySettings), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn set_settings(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(s): Body<RegistrySettings>,
) -> ApiResult<RegistrySettings> {
    Ok(Json(state.services.set_registry_settings(&p, s).await?))
}
