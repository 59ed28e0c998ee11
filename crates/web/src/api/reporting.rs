//! Periodic reports as JSON: templates, rounds, reports and their workflow, the synthesis,
//! completeness, and the DOCX / PDF / XLSX files. Each handler calls one service.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::reporting::{ReportContent, ReportTemplate};
use domain::services::reporting::{
    CompletenessView, OpenRoundInput, OpenedRound, ReportDetail, ReportQuery, ReportView, StepInput, SynthesisView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::Paged;
use crate::api::task_io::download;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::report_file::{self, Format};
use crate::session::Actor;

/// A stored template.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: i64,
    pub row_version: i32,
    #[serde(flatten)]
    pub template: ReportTemplate,
}

/// Every report template.
#[utoipa::path(get, path = "/api/v1/report-templates", responses((status = 200, body = Vec<TemplateView>)))]
pub async fn templates(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<Vec<TemplateView>> {
    let list = state.services.report_templates().await?;
    Ok(Json(
        list.into_iter().map(|t| TemplateView { id: t.id, row_version: t.row_version, template: t.template }).collect(),
    ))
}

/// What saving a template sends: the template, and the version it was read at when changing one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TemplateInput {
    #[serde(flatten)]
    pub template: ReportTemplate,
    /// Absent to add a template; the version read to change one.
    pub row_version: Option<i32>,
}

/// Add or change a template (national administrators).
#[utoipa::path(post, path = "/api/v1/report-templates", request_body = TemplateInput,
    responses((status = 200, body = TemplateView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn save_template(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(input): Json<TemplateInput>,
) -> ApiResult<TemplateView> {
    let t = state.services.save_report_template(&p, &input.template, input.row_version).await?;
    Ok(Json(TemplateView { id: t.id, row_version: t.row_version, template: t.template }))
}

/// Open a reporting round: a report for each direct unit of the receiver.
#[utoipa::path(post, path = "/api/v1/report-rounds", request_body = OpenRoundInput,
    responses((status = 200, body = OpenedRound), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn open_round(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(input): Json<OpenRoundInput>,
) -> ApiResult<OpenedRound> {
    Ok(Json(state.services.open_report_round(&p, &input).await?))
}

/// Reports the caller may read: their units' and those sent to their units.
#[utoipa::path(get, path = "/api/v1/reports", params(ReportQuery), responses((status = 200, body = Paged<ReportView>)))]
pub async fn list(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Paged<ReportView>> {
    Ok(Json(state.services.list_reports(&p, &q).await?.into()))
}

/// One report: its text, its figures (frozen once submitted), versions, history and the steps
/// the caller may take.
#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDetail), (status = 404, body = crate::error::Problem)))]
pub async fn show(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<ReportDetail> {
    Ok(Json(state.services.report(&p, id).await?))
}

/// What saving a report's text sends.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveReportInput {
    pub row_version: i32,
    pub content: ReportContent,
}

/// Save the report's text (while a draft or sent back).
#[utoipa::path(put, path = "/api/v1/reports/{id}", params(("id" = i64, Path)), request_body = SaveReportInput,
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn save(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(input): Json<SaveReportInput>,
) -> ApiResult<ReportView> {
    Ok(Json(state.services.save_report(&p, id, input.row_version, &input.content).await?))
}

/// A workflow step: `submit` (refused with `failures` when parts are missing; a second submit
/// changes nothing), `return` and `reopen` (with a comment), `accept`.
#[utoipa::path(post, path = "/api/v1/reports/{id}/steps", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn step(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(input): Json<StepInput>,
) -> ApiResult<ReportView> {
    Ok(Json(state.services.report_step(&p, id, &input).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileParams {
    /// A submitted version; the last one by default (the draft when never submitted).
    pub version: Option<i32>,
}

fn format_of(s: &str) -> Result<Format, ApiError> {
    Format::parse(s).ok_or_else(|| {
        ApiError(EdgeError::BadRequest { field: "format", message: "chỉ có docx, pdf hoặc xlsx".into() })
    })
}

/// The report as DOCX or PDF (Nghị định 30/2020/NĐ-CP) or its tables as XLSX.
#[utoipa::path(get, path = "/api/v1/reports/{id}/file/{format}", params(("id" = i64, Path),
    ("format" = String, Path, description = "docx, pdf or xlsx"), FileParams),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
pub async fn file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, format)): Path<(i64, String)>,
    Query(q): Query<FileParams>,
) -> Result<Response, ApiError> {
    let format = format_of(&format)?;
    let (bytes, name) = report_bytes(&state, &p, id, q.version, format).await?;
    Ok(download(bytes, format.mime(), name))
}

/// The bytes of a report file and its name; pages and API share it.
pub async fn report_bytes(
    state: &AppState,
    p: &domain::auth::Principal,
    id: i64,
    version: Option<i32>,
    format: Format,
) -> Result<(Vec<u8>, String), ApiError> {
    let d = state.services.report_document(p, id, version).await?;
    let issued = d.submitted_at.map_or_else(|| state.services.clock().today(), domain::clock::vietnam_date);
    let bytes = match format {
        Format::Xlsx => report_file::report_workbook(&d)?,
        f => report_file::render(&report_file::report_document(&d, issued), f)?,
    };
    let name = format!(
        "bao-cao-{}-{}-{}.{}",
        d.report.template.to_lowercase(),
        d.report.org.code,
        d.report.period,
        format.ext()
    );
    Ok((bytes, name))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundParams {
    /// Template code.
    pub template: String,
    /// DHIS2 period code.
    pub period: String,
    /// The receiving unit's code.
    pub org: String,
}

/// The synthesis of the reports sent to a unit: accepted reports gathered, the missing listed.
#[utoipa::path(get, path = "/api/v1/report-synthesis", params(RoundParams),
    responses((status = 200, body = SynthesisView), (status = 404, body = crate::error::Problem)))]
pub async fn synthesis(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<RoundParams>,
) -> ApiResult<SynthesisView> {
    Ok(Json(state.services.report_synthesis(&p, &q.template, &q.period, &q.org).await?))
}

/// The synthesis as DOCX, PDF or XLSX.
#[utoipa::path(get, path = "/api/v1/report-synthesis/file/{format}", params(("format" = String, Path), RoundParams),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
pub async fn synthesis_file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(format): Path<String>,
    Query(q): Query<RoundParams>,
) -> Result<Response, ApiError> {
    let format = format_of(&format)?;
    let v = state.services.report_synthesis(&p, &q.template, &q.period, &q.org).await?;
    let bytes = synthesis_bytes(&state, &v, format)?;
    let name = format!("tong-hop-{}-{}-{}.{}", q.template.to_lowercase(), v.org.code, v.period, format.ext());
    Ok(download(bytes, format.mime(), name))
}

/// The bytes of a synthesis file; pages, API and the benchmark share it.
pub fn synthesis_bytes(state: &AppState, v: &SynthesisView, format: Format) -> Result<Vec<u8>, ApiError> {
    let content = ReportContent { recipients: vec!["Lưu: VT".into()], ..Default::default() };
    Ok(match format {
        Format::Xlsx => report_file::synthesis_workbook(v)?,
        f => report_file::render(&report_file::synthesis_document(v, &content, state.services.clock().today())?, f)?,
    })
}

/// Completeness and timeliness of a round over a unit's subtree, per level, with its units.
#[utoipa::path(get, path = "/api/v1/report-completeness", params(RoundParams),
    responses((status = 200, body = CompletenessView), (status = 404, body = crate::error::Problem)))]
pub async fn completeness(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<RoundParams>,
) -> ApiResult<CompletenessView> {
    Ok(Json(state.services.report_completeness(&p, &q.template, &q.period, &q.org).await?))
}
