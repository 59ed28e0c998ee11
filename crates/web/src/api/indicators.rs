//! Indicators and their values: the definitions, and DHIS2-compatible data value sets.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::indicators::{AggregationRule, Dhis2DataValue, PeriodType, Unit, ValueType};
use domain::services::indicators::{DataQuality, DataValueQuery, ImportSummary, RollUp, Structure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::session::Actor;

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

/// Imports a DHIS2 data value set (JSON). Every row is checked; any conflict writes nothing and
/// answers 409 with the summary naming each row. `dryRun=true` counts without writing.
#[utoipa::path(post, path = "/api/v1/dataValueSets", params(ImportParams), request_body = DataValueSet,
    responses((status = 200, body = ImportSummary), (status = 409, body = ImportSummary),
        (status = 422, body = crate::error::Problem)))]
pub async fn import(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ImportParams>,
    Json(set): Json<DataValueSet>,
) -> Result<Response, ApiError> {
    let summary = state.services.import_data_values(&p, &set.data_values, q.dry_run).await?;
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
}

/// The values of a unit (or its subtree) inside a period, as a DHIS2 data value set.
#[utoipa::path(get, path = "/api/v1/dataValueSets", params(ExportParams),
    responses((status = 200, body = DataValueSetOut), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ExportParams>,
) -> ApiResult<DataValueSetOut> {
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
        period: q.period,
        org_unit: q.org_unit,
        children: q.children,
    };
    Ok(Json(DataValueSetOut { data_values: state.services.export_data_values(&p, &query).await? }))
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
