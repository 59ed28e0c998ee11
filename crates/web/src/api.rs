//! JSON API under `/api/v1`, described by OpenAPI 3.1 at `/api/v1/openapi.json`.
//! Handlers parse, call one service, and return JSON; errors are problem+json.

pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod dashboards;
pub mod feedback;
pub mod feedback_analytics;
pub mod indicators;
pub mod kpi;
pub mod notify;
pub mod ops;
pub mod orgs;
pub mod registries;
pub mod reporting;
pub mod schedule;
pub mod task_io;
pub mod users;
pub mod work;

use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::{ApiError, EdgeError};

#[derive(OpenApi)]
#[openapi(
    info(title = "dxgov API", version = "1", description = "Nền tảng điều hành chuyển đổi số — API JSON. Lỗi trả về theo RFC 9457 (application/problem+json)."),
    paths(
        auth::token, auth::me, auth::change_password, auth::totp_secret, auth::totp_enable, auth::totp_disable,
        orgs::dashboard, dashboards::show, orgs::list, orgs::show, orgs::rename, orgs::create_unit,
        users::list, users::create, users::show, users::grant, users::reset_password, users::revoke,
        audit::recent,
        work::frameworks, work::framework, work::templates, work::plans, work::create_plan, work::plan,
        work::update_plan, work::plan_step, work::plan_versions, work::plan_diff, work::create_task, work::tasks,
        work::task, work::update_task, work::assign, work::progress, work::rate, work::comment, work::add_evidence,
        work::evidence_file, work::national,
        schedule::list, schedule::create, schedule::show, schedule::update, schedule::delete, schedule::publish,
        schedule::ical,
        task_io::import_tasks, task_io::export_tasks_xlsx, task_io::export_tasks_csv,
        notify::inbox, notify::mark_read, notify::rotate_feed, notify::feed, notify::calendar_days, notify::put_day,
        notify::delete_day, notify::reminder_rules, notify::set_reminder_rules,
        kpi::report, kpi::person, kpi::export, kpi::weights, kpi::set_weights,
        indicators::list, indicators::import, indicators::export, indicators::rollup,
        indicators::data_quality, indicators::entry_grid, indicators::save_entry, indicators::targets,
        indicators::set_targets,
        reporting::templates, reporting::save_template, reporting::open_round, reporting::list, reporting::show,
        reporting::save, reporting::step, reporting::file, reporting::synthesis, reporting::synthesis_file,
        reporting::completeness,
        registries::overview, registries::systems, registries::create_system, registries::system,
        registries::update_system, registries::delete_system, registries::databases, registries::create_database,
        registries::database, registries::update_database, registries::delete_database, registries::projects,
        registries::create_project, registries::project, registries::update_project, registries::delete_project,
        registries::inspections, registries::tables, registries::settings, registries::set_settings,
        feedback::submit, feedback::similar, feedback::track, feedback::reopen, feedback::categories,
        feedback::put_category, feedback::photo, feedback::list, feedback::show, feedback::step,
        feedback::categorize, feedback::moderate, feedback::routes, feedback::add_route, feedback::delete_route,
        feedback::settings, feedback::set_settings, feedback::retrain, feedback::create_key,
        feedback_analytics::show, feedback_analytics::xlsx,
        bulletins::list, bulletins::create, bulletins::show, bulletins::update, bulletins::step, bulletins::correct,
        bulletins::relay, bulletins::attach, bulletins::detach, bulletins::file, bulletins::acknowledge,
        bulletins::reach, bulletins::inbox, bulletins::dashboard, bulletins::dashboard_xlsx, bulletins::stations,
        bulletins::add_station, bulletins::put_station, bulletins::add_broadcast, bulletins::aired,
        bulletins::playlist,
    ),
    components(schemas(crate::error::Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// The OpenAPI 3.1 description of this API.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A page of results with the total count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Matching rows; a lower bound when `total_capped` is true.
    pub total: u64,
    /// Counting stopped at a cap (task lists count up to 10,000): there are more than `total`.
    pub total_capped: bool,
    pub offset: u64,
    pub limit: u64,
}

impl<T> From<domain::org::Page<T>> for Paged<T> {
    fn from(p: domain::org::Page<T>) -> Self {
        Paged { items: p.items, total: p.total, total_capped: p.total_capped, offset: p.offset, limit: p.limit }
    }
}

/// Parses an optional query value, naming the field when it is wrong.
pub fn parse_opt<T>(
    field: &'static str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| {
            ApiError(EdgeError::BadRequest {
                field, message: format!("giá trị '{v}' không hợp lệ, cần {expected}")
            })
        }),
    }
}
