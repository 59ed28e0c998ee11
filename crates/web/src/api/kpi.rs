//! KPI of people and units as JSON and XLSX, and the weights of the score. Each handler calls
//! one service.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::DomainError;
use domain::kpi::{KpiFigures, KpiWeights};
use domain::services::kpi::{KpiBreakdown, KpiReport};
use reports::{Cell, Table};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::task_io::download;
use crate::error::{ApiError, ApiResult};
use crate::session::Actor;
use crate::task_file::XLSX_MIME;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// Org code of the unit whose subtree is shown (default: the widest unit where the caller
    /// may read KPI).
    pub org: Option<String>,
    /// "2026-11", "2026-Q4", "2026", or "Tháng 11/2026", "Quý IV/2026", "Năm 2026" (default: the
    /// current quarter).
    pub period: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// "2026-11", "2026-Q4", "2026", or "Tháng 11/2026", "Quý IV/2026", "Năm 2026" (default: the
    /// current quarter).
    pub period: Option<String>,
}

/// KPI of the people and the units of an org unit's subtree over a month, a quarter or a year.
#[utoipa::path(get, path = "/api/v1/kpi", params(KpiParams),
    responses((status = 200, body = KpiReport), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn report(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<KpiParams>,
) -> ApiResult<KpiReport> {
    Ok(Json(state.services.kpi_report(&p, q.org.as_deref(), q.period.as_deref()).await?))
}

/// How one person's KPI score comes from their tasks (the caller's own, or a person in scope).
#[utoipa::path(get, path = "/api/v1/kpi/people/{id}", params(("id" = i64, Path), PeriodParams),
    responses((status = 200, body = KpiBreakdown), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn person(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<PeriodParams>,
) -> ApiResult<KpiBreakdown> {
    Ok(Json(state.services.kpi_person(&p, id, q.period.as_deref()).await?))
}

/// The KPI of people and units as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/kpi/export.xlsx", params(KpiParams),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::error::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<KpiParams>,
) -> Result<Response, ApiError> {
    let report = state.services.kpi_report(&p, q.org.as_deref(), q.period.as_deref()).await?;
    let table = kpi_table(&report);
    let bytes = reports::write_xlsx(&[(&format!("KPI {}", report.period.code), &table)])
        .map_err(|e| DomainError::Storage(e.to_string()))?;
    Ok(download(bytes, XLSX_MIME, format!("kpi-{}-{}.xlsx", report.org.code, report.period.code)))
}

/// One sheet: a row per person, per lead unit, and the subtree's total.
pub fn kpi_table(r: &KpiReport) -> Table {
    let headers = [
        "Loại",
        "Mã",
        "Tên",
        "Đơn vị",
        "Được giao",
        "Hoàn thành",
        "Đúng hạn",
        "Tỷ lệ đúng hạn (%)",
        "Hoàn thành quá hạn",
        "Chưa hoàn thành, quá hạn",
        "Quá hạn",
        "Trễ trung bình (ngày làm việc)",
        "Chất lượng trung bình",
        "Điểm KPI",
    ];
    let row = |kind: &str, code: &str, name: &str, unit: &str, f: &KpiFigures| -> Vec<Cell> {
        let n = |x: u64| Cell::Int(i64::try_from(x).unwrap_or(i64::MAX));
        vec![
            kind.into(),
            code.into(),
            name.into(),
            unit.into(),
            n(f.assigned),
            n(f.completed),
            n(f.on_time),
            f.on_time_percent.map_or(Cell::Empty, Cell::Percent),
            n(f.completed_late),
            n(f.open_overdue),
            n(f.overdue),
            f.avg_delay_days.into(),
            f.avg_rating.into(),
            f.score.into(),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = r
        .people
        .iter()
        .map(|p| row("Cá nhân", &p.person.username, &p.person.full_name, &p.org.name, &p.figures))
        .collect();
    rows.extend(r.units.iter().map(|u| row("Đơn vị", &u.unit.code, &u.unit.name, "", &u.figures)));
    rows.push(row("Tổng", &r.org.code, &r.org.name, &r.period.label, &r.total));
    Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows }
}

/// The weights of the KPI score.
#[utoipa::path(get, path = "/api/v1/settings/kpi-weights", responses((status = 200, body = KpiWeights)))]
pub async fn weights(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<KpiWeights> {
    Ok(Json(state.services.kpi_weights().await?))
}

/// Change the weights of the KPI score (system admins): each 0–100, not all zero.
#[utoipa::path(put, path = "/api/v1/settings/kpi-weights", request_body = KpiWeights,
    responses((status = 200, body = KpiWeights), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_weights(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(w): Json<KpiWeights>,
) -> ApiResult<KpiWeights> {
    Ok(Json(state.services.set_kpi_weights(&p, w).await?))
}
