//! Indicators and their values: the definitions, and DHIS2-compatible data value sets.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::indicators::{AggregationRule, Dhis2DataValue, PeriodType, Unit, ValueType};
use domain::services::indicator_entry::{EntryGrid, EntryInput, TargetInput, TargetView};
use domain::services::indicators::{DataQuality, DataValueQuery, ImportCount, ImportSummary, RollUp, Structure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::task_io::download;
use crate::data_value_file;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::Actor;
use crate::task_file::{CSV_MIME, XLSX_MIME};

/// An indicator's definition as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    pub value_type: ValueType,
    pub period_type: PeriodType,
    pub aggregation: AggregationRule,
    pub formula: Option<String>,
    pub expected_min: Option<f64>,
    pub expected_max: Option<f64>,
    pub cite: Option<String>,
    pub row_version: i32,
}

/// Every indicator definition (national reference data), by code.
#[utoipa::path(get, path = "/api/v1/indicators", responses((status = 200, body = Vec<IndicatorView>)))]
pub async fn list(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<Vec<IndicatorView>> {
    let list = state.services.indicators().await?;
    Ok(Json(
        list.into_iter()
            .map(|i| IndicatorView {
                id: i.id,
                code: i.def.code.to_string(),
                name: i.def.name,
                description: i.def.description,
                unit: i.def.unit,
                value_type: i.def.value_type,
                period_type: i.def.period_type,
                aggregation: i.def.aggregation,
                formula: i.def.formula.map(|f| f.source().to_string()),
                expected_min: i.def.expected_min,
                expected_max: i.def.expected_max,
                cite: i.def.cite,
                row_version: i.row_version,
            })
            .collect(),
    ))
}

/// A DHIS2 data value set: `dataElement` is the indicator code, `orgUnit` the unit's code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSet {
    pub data_values: Vec<Dhis2DataValue>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    /// `true`: check and count, write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Content types the import reads as a file (browsers and scripts send CSV under several names).
const FILE_TYPES: [&str; 6] =
    ["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream", XLSX_MIME];

/// The example of a DHIS2 CSV body in the API description.
const CSV_EXAMPLE: &str = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup\r\nCHI_CNTT,2025,51,,,12500.5,,,Quyết toán,false\r\n";

/// Imports a DHIS2 data value set: JSON (`application/json`), DHIS2 CSV (`text/csv`: a header
/// row with DHIS2's columns `dataelement, period, orgunit, categoryoptioncombo,
/// attributeoptioncombo, value, storedby, lastupdated, comment, followup`, or only
/// `dataElement, period, orgUnit, value, comment`, in any order and case; UTF-8 with or without
/// BOM) or XLSX (the same columns on the first sheet). Every row is checked; any conflict writes
/// nothing and answers 409 with the summary naming each row (for a file, its line or sheet row).
/// `dryRun=true` counts without writing.
#[utoipa::path(post, path = "/api/v1/dataValueSets", params(ImportParams),
    request_body(description = "The data value set as JSON, DHIS2 CSV or XLSX", content(
        (DataValueSet = "application/json"),
        (String = "text/csv", example = json!(CSV_EXAMPLE)),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportSummary), (status = 409, body = ImportSummary),
        (status = 400, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let summary = if mime.is_empty() || mime == "application/json" {
        let set: DataValueSet = serde_json::from_slice(&body).map_err(|e| {
            ApiError(EdgeError::BadRequest { field: "dataValues", message: format!("JSON không hợp lệ: {e}") })
        })?;
        state.services.import_data_values(&p, &set.data_values, q.dry_run).await?
    } else if FILE_TYPES.contains(&mime.as_str()) {
        let (rows, problems) = data_value_file::read(&body);
        state.services.import_data_value_rows(&p, &rows, problems, q.dry_run).await?
    } else {
        return Err(ApiError(EdgeError::BadRequest {
            field: "content-type",
            message: format!("'{mime}' không phải application/json, text/csv hoặc {XLSX_MIME}"),
        }));
    };
    let status = if summary.status == "SUCCESS" { StatusCode::OK } else { StatusCode::CONFLICT };
    Ok((status, Json(summary)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
pub struct ExportParams {
    /// Indicator codes, comma-separated (none: every indicator).
    pub data_element: Option<String>,
    /// A period (`2026`, `2026Q1`, `202601`…): the values inside it.
    pub period: String,
    /// The unit's code.
    pub org_unit: String,
    /// `true`: every unit under it too.
    #[serde(default)]
    pub children: bool,
    /// `json`, `csv` (DHIS2 CSV) or `xlsx`. Without it the `Accept` header decides: `text/csv`
    /// gives CSV, the XLSX type gives XLSX, anything else JSON.
    pub format: Option<String>,
}

/// The values of a unit (or its subtree) inside a period, as a DHIS2 data value set: JSON, DHIS2
/// CSV (UTF-8 with BOM, DHIS2's CSV columns) or XLSX (the same columns), chosen by `format` or
/// else the `Accept` header. Each imports again unchanged.
#[utoipa::path(get, path = "/api/v1/dataValueSets", params(ExportParams),
    responses((status = 200, description = "The data value set", content(
            (DataValueSetOut = "application/json"),
            (String = "text/csv", example = json!(CSV_EXAMPLE)),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ExportParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let format = match q.format.as_deref().map(|f| f.trim().to_ascii_lowercase()) {
        Some(f) if ["json", "csv", "xlsx"].contains(&f.as_str()) => f,
        Some(f) => {
            return Err(ApiError(EdgeError::BadRequest {
                field: "format",
                message: format!("'{f}' không phải json, csv hoặc xlsx"),
            }));
        }
        None if accept.contains("text/csv") => "csv".into(),
        None if accept.contains(XLSX_MIME) => "xlsx".into(),
        None => "json".into(),
    };
    let query = DataValueQuery {
        data_elements: q
            .data_element
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        period: q.period.clone(),
        org_unit: q.org_unit.clone(),
        children: q.children,
    };
    let values = state.services.export_data_values(&p, &query).await?;
    let name = |ext: &str| {
        let safe = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect::<String>();
        format!("data-values-{}-{}.{ext}", safe(&q.org_unit), safe(&q.period))
    };
    Ok(match format.as_str() {
        "csv" => download(reports::write_csv(&data_value_file::table(&values)), CSV_MIME, name("csv")),
        "xlsx" => {
            let bytes = reports::write_xlsx(&[("dataValues", &data_value_file::table(&values))])
                .map_err(|e| DomainError::Storage(e.to_string()))?;
            download(bytes, XLSX_MIME, name("xlsx"))
        }
        _ => Json(DataValueSetOut { data_values: values }).into_response(),
    })
}

/// A data value set as exported.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSetOut {
    pub data_values: Vec<Dhis2DataValue>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct RollUpParams {
    /// A period at least as long as the indicator's (`2026`, `2026S1`, `2026Q3`, `202609`).
    pub period: String,
    /// The unit's code (the whole country: `VN`).
    pub org: String,
    /// `now` (default): today's units, values of dissolved units counted for their successors;
    /// `then`: the units as they stood at the period's end.
    #[serde(default)]
    pub structure: Structure,
}

/// One indicator rolled up over a unit's subtree for a period, with a row per direct child.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/rollup", params(("code" = String, Path), RollUpParams),
    responses((status = 200, body = RollUp), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn rollup(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Query(q): Query<RollUpParams>,
) -> ApiResult<RollUp> {
    Ok(Json(state.services.roll_up(&p, &code, &q.period, &q.org, q.structure).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QualityParams {
    /// The unit's code: it and every unit under it are checked.
    pub org: String,
    /// The period (`2025`, `2025Q4`, …).
    pub period: String,
}

/// Data quality of a unit's subtree for a period: the validation rules the seeds state, checked
/// on each unit's figures, and the values flagged as outside their expected range.
#[utoipa::path(get, path = "/api/v1/data-quality", params(QualityParams),
    responses((status = 200, body = DataQuality), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn data_quality(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<QualityParams>,
) -> ApiResult<DataQuality> {
    Ok(Json(state.services.data_quality(&p, &q.org, &q.period).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EntryParams {
    /// The unit's code (the one bearing it at the period's close) or, when no unit bears that
    /// code, its id.
    pub org: String,
    /// The period (`2026`, `2026Q4`, `202611`…): the grid holds the indicators of its type.
    pub period: String,
}

/// The entry grid of a unit for a period: every indicator of the period's type with the value
/// stored, its comment, who stored it and when, the out-of-range warning, the target and the
/// progress towards it, the ratios computed from the typed figures, and the validation rules
/// (security spending ≥ 10 % of IT spending, DX spending ≥ 1 % of the budget, …) on them.
#[utoipa::path(get, path = "/api/v1/data-entry", params(EntryParams),
    responses((status = 200, body = EntryGrid), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn entry_grid(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<EntryParams>,
) -> ApiResult<EntryGrid> {
    Ok(Json(state.services.entry_grid(&p, &q.org, &q.period).await?))
}

/// What saving an entry grid did, and the grid afterwards (with the rules checked again).
#[derive(Debug, Serialize, ToSchema)]
pub struct EntrySaved {
    pub import_count: ImportCount,
    pub grid: EntryGrid,
}

/// Saves values typed the Vietnamese way (`1.234,5`, `12,5 %`, `có`) for a unit and period, as
/// the entry form does: every value or none. A value that does not parse answers 422 with each
/// problem in `rows` (`column` is the indicator's code); a value outside its expected range is
/// saved and flagged. An empty value leaves what is stored.
#[utoipa::path(post, path = "/api/v1/data-entry", request_body = EntryInput,
    responses((status = 200, body = EntrySaved), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn save_entry(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(input): Json<EntryInput>,
) -> ApiResult<EntrySaved> {
    let import_count = state.services.save_entry(&p, &input).await?;
    let grid = state.services.entry_grid(&p, &input.org, &input.period).await?;
    Ok(Json(EntrySaved { import_count, grid }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TargetParams {
    /// The unit's code: its targets and those of every unit under it.
    pub org: String,
    /// The period: targets set for it and for the periods inside it.
    pub period: String,
}

/// The targets (chỉ tiêu kế hoạch) of an indicator set for a unit and the units under it, for a
/// period and the periods inside it.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/targets", params(("code" = String, Path), TargetParams),
    responses((status = 200, body = Vec<TargetView>), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn targets(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Query(q): Query<TargetParams>,
) -> ApiResult<Vec<TargetView>> {
    Ok(Json(state.services.targets(&p, &code, &q.org, &q.period).await?))
}

/// Targets to set, each for a unit (its code) and a period.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetSet {
    pub targets: Vec<TargetInput>,
}

/// Sets targets of an indicator for units and periods (a period no shorter than the
/// indicator's), all or none: 403 when any unit is not the caller's to enter figures for, 422
/// with each problem in `rows` otherwise. Each change is audited.
#[utoipa::path(put, path = "/api/v1/indicators/{code}/targets", params(("code" = String, Path)),
    request_body = TargetSet,
    responses((status = 200, body = Vec<TargetView>), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_targets(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Json(set): Json<TargetSet>,
) -> ApiResult<Vec<TargetView>> {
    Ok(Json(state.services.set_targets(&p, &code, &set.targets).await?))
}
