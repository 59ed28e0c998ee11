//! Indicators and their values: the definitions, and DHIS2-compatible data value sets.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::indicators::{AggregationRule, Dhis2DataValue, PeriodType, Unit, ValueType};
use domain::services::indicators::ImportSummary;
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
