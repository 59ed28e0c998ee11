//! The one table of routes. Every route is declared with its [`Access`] rule, so a route cannot
//! be added without one; the authorisation tests enumerate this table.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::error::{EdgeError, for_path};
use crate::session::{COOKIE_NAME, DbSessionStore, authenticate, csrf, enforce};
use crate::{AppState, api, feeds, open311, pages};

/// Who may call a route. Scope within an org subtree is then checked by the domain services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (login, health, the API description).
    Public,
    /// Signed in; the caller's own account. Allowed before a forced password change.
    Account,
    /// Signed in; reads shared reference data (the org directory) or the caller's own data.
    SignedIn,
    /// Signed in; what it reads or changes lives in an org unit and the domain checks the
    /// caller's grants on that unit's subtree.
    Scoped,
}

pub struct RouteDef {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// Subject to a per-IP rate limit.
    pub limit: Option<Limit>,
    /// A larger body limit than the general one (file uploads).
    pub body_limit: Option<usize>,
    pub handler: MethodRouter<AppState>,
}

fn r(method: &'static str, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> RouteDef {
    RouteDef { method, path, access, limit: None, body_limit: None, handler }
}

/// Largest upload (an evidence file or an import table) with room for the form around it.
pub const UPLOAD_LIMIT: usize = domain::work::EVIDENCE_MAX_BYTES + 1024 * 1024;

/// A route that takes a file of up to [`UPLOAD_LIMIT`] bytes.
fn upload(mut def: RouteDef) -> RouteDef {
    def.body_limit = Some(UPLOAD_LIMIT);
    def
}

/// The body limit in force for a request: the route's own, else the general one. Set by the
/// body-limit middleware for the layers after it (CSRF reads the form within it).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A bulletin's attachment (20 MB; base64 in the API is a third larger).
fn attachments(mut def: RouteDef) -> RouteDef {
    def.body_limit = Some(domain::bulletins::ATTACHMENT_RULE.max_bytes * 4 / 3 + 1024 * 1024);
    def
}

/// The citizen's form with up to three photos.
fn photos(mut def: RouteDef) -> RouteDef {
    def.body_limit = Some(domain::feedback::PHOTOS_MAX * domain::feedback::PHOTO_MAX_BYTES + 1024 * 1024);
    def
}

/// Does `path` match a route template like `/tasks/{id}/evidence`?
fn path_matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts == ps || (ts.starts_with('{') && !ps.is_empty()) => {}
            _ => return false,
        }
    }
}

/// Which per-IP rate limit a public route is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Login and token requests (`login_per_minute`).
    Login,
    /// Citizens' submissions (`feedback_per_minute`).
    Citizen,
}

fn limited(mut def: RouteDef) -> RouteDef {
    def.limit = Some(Limit::Login);
    def
}

fn citizen(mut def: RouteDef) -> RouteDef {
    def.limit = Some(Limit::Citizen);
    def
}

/// Every route of the application.
pub fn route_table() -> Vec<RouteDef> {
    use Access::*;
    vec![
        // Operations
        r("GET", "/healthz", Public, get(api::ops::healthz)),
        r("GET", "/readyz", Public, get(api::ops::readyz)),
        r("GET", "/metrics", Public, get(api::ops::metrics)),
        r("GET", "/static/app.css", Public, get(pages::assets::css)),
        r("GET", "/static/feedback.js", Public, get(pages::assets::feedback_js)),
        r("GET", "/api/v1/openapi.json", Public, get(api::openapi_json)),
        // Pages
        r("GET", "/login", Public, get(pages::login::form)),
        limited(r("POST", "/login", Public, post(pages::login::submit))),
        r("POST", "/logout", Account, post(pages::login::logout)),
        r("GET", "/", Scoped, get(pages::home::show)),
        r("GET", "/dashboard", Scoped, get(pages::dashboards::show)),
        r("GET", "/account", Account, get(pages::account::show)),
        r("GET", "/account/password", Account, get(pages::account::password_form)),
        r("POST", "/account/password", Account, post(pages::account::password_submit)),
        r("GET", "/account/totp", SignedIn, get(pages::account::totp_form)),
        r("POST", "/account/totp", SignedIn, post(pages::account::totp_enable)),
        r("POST", "/account/totp/disable", SignedIn, post(pages::account::totp_disable)),
        r("GET", "/orgs", SignedIn, get(pages::orgs::index)),
        r("GET", "/orgs/{code}", Scoped, get(pages::orgs::show)),
        r("POST", "/orgs/{code}/units", Scoped, post(pages::orgs::create_unit)),
        r("POST", "/orgs/{code}/rename", Scoped, post(pages::orgs::rename)),
        r("GET", "/users", Scoped, get(pages::users::index)),
        r("GET", "/users/new", Scoped, get(pages::users::new_form)),
        r("POST", "/users", Scoped, post(pages::users::create)),
        r("GET", "/users/{id}", Scoped, get(pages::users::show)),
        r("POST", "/users/{id}/grants", Scoped, post(pages::users::grant)),
        r("POST", "/users/{id}/reset-password", Scoped, post(pages::users::reset_password)),
        r("POST", "/grants/{id}/revoke", Scoped, post(pages::users::revoke)),
        r("GET", "/audit", Scoped, get(pages::audit::index)),
        // Frameworks, plans, tasks, the national view
        r("GET", "/frameworks", SignedIn, get(pages::frameworks::index)),
        r("GET", "/frameworks/{id}", SignedIn, get(pages::frameworks::show)),
        r("GET", "/national", Scoped, get(pages::frameworks::national_index)),
        r("GET", "/national/{framework_id}", Scoped, get(pages::frameworks::national)),
        r("GET", "/reports", Scoped, get(pages::reports::index)),
        r("POST", "/reports/rounds", Scoped, post(pages::reports::open_round)),
        r("GET", "/reports/templates", SignedIn, get(pages::reports::templates)),
        r("POST", "/reports/templates", Scoped, post(pages::reports::save_template)),
        r("GET", "/reports/completeness", Scoped, get(pages::reports::completeness)),
        r("GET", "/reports/synthesis", Scoped, get(pages::reports::synthesis)),
        r("GET", "/reports/synthesis/file/{format}", Scoped, get(pages::reports::synthesis_file)),
        r("GET", "/reports/{id}", Scoped, get(pages::reports::show)),
        r("POST", "/reports/{id}", Scoped, post(pages::reports::save)),
        r("POST", "/reports/{id}/steps", Scoped, post(pages::reports::step)),
        r("GET", "/reports/{id}/file/{format}", Scoped, get(pages::reports::file)),
        r("GET", "/plans", Scoped, get(pages::plans::index)),
        r("GET", "/plans/new", Scoped, get(pages::plans::new_form)),
        r("POST", "/plans", Scoped, post(pages::plans::create)),
        r("GET", "/plans/{id}", Scoped, get(pages::plans::show)),
        r("GET", "/plans/{id}/edit", Scoped, get(pages::plans::edit_form)),
        r("POST", "/plans/{id}/edit", Scoped, post(pages::plans::update)),
        r("POST", "/plans/{id}/steps", Scoped, post(pages::plans::step)),
        r("GET", "/plans/{id}/versions/{number}", Scoped, get(pages::plans::version)),
        r("GET", "/plans/{id}/import", Scoped, get(pages::plans::import_form)),
        upload(r("POST", "/plans/{id}/import", Scoped, post(pages::plans::import))),
        r("GET", "/plans/{id}/tasks/new", Scoped, get(pages::tasks::new_form)),
        r("POST", "/plans/{id}/tasks", Scoped, post(pages::tasks::create)),
        r("GET", "/tasks", Scoped, get(pages::tasks::index)),
        r("GET", "/tasks/timeline", Scoped, get(pages::tasks::timeline)),
        r("GET", "/tasks/{id}", Scoped, get(pages::tasks::show)),
        r("GET", "/tasks/{id}/edit", Scoped, get(pages::tasks::edit_form)),
        r("POST", "/tasks/{id}/edit", Scoped, post(pages::tasks::update)),
        r("POST", "/tasks/{id}/progress", Scoped, post(pages::tasks::progress)),
        upload(r("POST", "/tasks/{id}/evidence", Scoped, post(pages::tasks::evidence))),
        r("GET", "/tasks/{id}/evidence/{eid}", Scoped, get(pages::tasks::evidence_file)),
        r("POST", "/tasks/{id}/comments", Scoped, post(pages::tasks::comment)),
        r("POST", "/tasks/{id}/assignees", Scoped, post(pages::tasks::assign)),
        r("POST", "/tasks/{id}/rating", Scoped, post(pages::tasks::rate)),
        r("GET", "/schedules", Scoped, get(pages::schedules::week)),
        r("GET", "/schedules/events/new", Scoped, get(pages::schedules::new_form)),
        r("POST", "/schedules/events", Scoped, post(pages::schedules::create)),
        r("GET", "/schedules/events/{id}/edit", Scoped, get(pages::schedules::edit_form)),
        r("POST", "/schedules/events/{id}", Scoped, post(pages::schedules::update)),
        r("POST", "/schedules/events/{id}/delete", Scoped, post(pages::schedules::delete)),
        r("POST", "/schedules/{code}/publish", Scoped, post(pages::schedules::publish)),
        r("GET", "/notifications", Account, get(pages::notify::index)),
        r("POST", "/notifications/read", Account, post(pages::notify::mark_read)),
        r("POST", "/account/calendar-feed", SignedIn, post(pages::notify::rotate_feed)),
        r("GET", "/settings/calendar", SignedIn, get(pages::notify::calendar)),
        r("POST", "/settings/calendar", Scoped, post(pages::notify::put_day)),
        r("POST", "/settings/calendar/delete", Scoped, post(pages::notify::delete_day)),
        r("POST", "/settings/reminders", Scoped, post(pages::notify::set_rules)),
        r("GET", "/kpi", Scoped, get(pages::kpi::index)),
        r("GET", "/kpi/people/{id}", Scoped, get(pages::kpi::person)),
        r("GET", "/settings/kpi", SignedIn, get(pages::kpi::settings)),
        r("POST", "/settings/kpi", Scoped, post(pages::kpi::save_settings)),
        r("GET", "/indicators", SignedIn, get(pages::indicators::index)),
        r("GET", "/indicators/entry", Scoped, get(pages::indicator_entry::show)),
        r("POST", "/indicators/entry", Scoped, post(pages::indicator_entry::save)),
        r("GET", "/indicators/targets", Scoped, get(pages::indicators::targets)),
        r("POST", "/indicators/targets", Scoped, post(pages::indicators::save_targets)),
        r("GET", "/indicators/{code}", Scoped, get(pages::indicators::show)),
        r("GET", "/data-quality", Scoped, get(pages::data_quality::show)),
        // JSON API
        limited(r("POST", "/api/v1/auth/token", Public, post(api::auth::token))),
        r("GET", "/api/v1/me", Account, get(api::auth::me)),
        r("POST", "/api/v1/me/password", Account, post(api::auth::change_password)),
        r("GET", "/api/v1/me/totp/secret", SignedIn, get(api::auth::totp_secret)),
        r("POST", "/api/v1/me/totp", SignedIn, post(api::auth::totp_enable)),
        r("DELETE", "/api/v1/me/totp", SignedIn, delete(api::auth::totp_disable)),
        r("GET", "/api/v1/dashboard", Scoped, get(api::orgs::dashboard)),
        r("GET", "/api/v1/dashboards", Scoped, get(api::dashboards::show)),
        r("GET", "/api/v1/org-units", SignedIn, get(api::orgs::list)),
        r("GET", "/api/v1/org-units/{code}", SignedIn, get(api::orgs::show)),
        r("PATCH", "/api/v1/org-units/{code}", Scoped, patch(api::orgs::rename)),
        r("POST", "/api/v1/org-units/{code}/units", Scoped, post(api::orgs::create_unit)),
        r("GET", "/api/v1/users", Scoped, get(api::users::list)),
        r("POST", "/api/v1/users", Scoped, post(api::users::create)),
        r("GET", "/api/v1/users/{id}", Scoped, get(api::users::show)),
        r("POST", "/api/v1/users/{id}/grants", Scoped, post(api::users::grant)),
        r("POST", "/api/v1/users/{id}/reset-password", Scoped, post(api::users::reset_password)),
        r("DELETE", "/api/v1/grants/{id}", Scoped, delete(api::users::revoke)),
        r("GET", "/api/v1/audit", Scoped, get(api::audit::recent)),
        r("GET", "/api/v1/frameworks", SignedIn, get(api::work::frameworks)),
        r("GET", "/api/v1/frameworks/{id}", SignedIn, get(api::work::framework)),
        r("GET", "/api/v1/plan-templates", SignedIn, get(api::work::templates)),
        r("GET", "/api/v1/plans", Scoped, get(api::work::plans)),
        r("POST", "/api/v1/plans", Scoped, post(api::work::create_plan)),
        r("GET", "/api/v1/plans/{id}", Scoped, get(api::work::plan)),
        r("PUT", "/api/v1/plans/{id}", Scoped, put(api::work::update_plan)),
        r("POST", "/api/v1/plans/{id}/steps", Scoped, post(api::work::plan_step)),
        r("GET", "/api/v1/plans/{id}/versions", Scoped, get(api::work::plan_versions)),
        r("GET", "/api/v1/plans/{id}/versions/{number}/diff", Scoped, get(api::work::plan_diff)),
        r("POST", "/api/v1/plans/{id}/tasks", Scoped, post(api::work::create_task)),
        r("GET", "/api/v1/tasks", Scoped, get(api::work::tasks)),
        r("GET", "/api/v1/tasks/{id}", Scoped, get(api::work::task)),
        r("PUT", "/api/v1/tasks/{id}", Scoped, put(api::work::update_task)),
        r("POST", "/api/v1/tasks/{id}/assignees", Scoped, post(api::work::assign)),
        r("POST", "/api/v1/tasks/{id}/progress", Scoped, post(api::work::progress)),
        r("POST", "/api/v1/tasks/{id}/rating", Scoped, post(api::work::rate)),
        r("POST", "/api/v1/tasks/{id}/comments", Scoped, post(api::work::comment)),
        r("POST", "/api/v1/tasks/{id}/evidence", Scoped, post(api::work::add_evidence)),
        r("GET", "/api/v1/evidence/{id}", Scoped, get(api::work::evidence_file)),
        r("GET", "/api/v1/national/{framework_id}", Scoped, get(api::work::national)),
        r("GET", "/api/v1/indicators", SignedIn, get(api::indicators::list)),
        upload(r("POST", "/api/v1/dataValueSets", Scoped, post(api::indicators::import))),
        r("GET", "/api/v1/dataValueSets", Scoped, get(api::indicators::export)),
        r("GET", "/api/v1/indicators/{code}/rollup", Scoped, get(api::indicators::rollup)),
        r("GET", "/api/v1/data-quality", Scoped, get(api::indicators::data_quality)),
        r("GET", "/api/v1/report-templates", SignedIn, get(api::reporting::templates)),
        r("POST", "/api/v1/report-templates", Scoped, post(api::reporting::save_template)),
        r("POST", "/api/v1/report-rounds", Scoped, post(api::reporting::open_round)),
        r("GET", "/api/v1/reports", Scoped, get(api::reporting::list)),
        r("GET", "/api/v1/reports/{id}", Scoped, get(api::reporting::show)),
        r("PUT", "/api/v1/reports/{id}", Scoped, put(api::reporting::save)),
        r("POST", "/api/v1/reports/{id}/steps", Scoped, post(api::reporting::step)),
        r("GET", "/api/v1/reports/{id}/file/{format}", Scoped, get(api::reporting::file)),
        r("GET", "/api/v1/report-synthesis", Scoped, get(api::reporting::synthesis)),
        r("GET", "/api/v1/report-synthesis/file/{format}", Scoped, get(api::reporting::synthesis_file)),
        r("GET", "/api/v1/report-completeness", Scoped, get(api::reporting::completeness)),
        r("GET", "/api/v1/data-entry", Scoped, get(api::indicators::entry_grid)),
        r("POST", "/api/v1/data-entry", Scoped, post(api::indicators::save_entry)),
        r("GET", "/api/v1/indicators/{code}/targets", Scoped, get(api::indicators::targets)),
        r("PUT", "/api/v1/indicators/{code}/targets", Scoped, put(api::indicators::set_targets)),
        r("GET", "/api/v1/schedules", Scoped, get(api::schedule::list)),
        r("POST", "/api/v1/schedules", Scoped, post(api::schedule::create)),
        r("GET", "/api/v1/schedules/events/{id}", Scoped, get(api::schedule::show)),
        r("PUT", "/api/v1/schedules/events/{id}", Scoped, put(api::schedule::update)),
        r("DELETE", "/api/v1/schedules/events/{id}", Scoped, delete(api::schedule::delete)),
        r("POST", "/api/v1/schedules/{code}/publish", Scoped, post(api::schedule::publish)),
        r("GET", "/api/v1/schedules/{code}", Scoped, get(api::schedule::ical)),
        upload(r("POST", "/api/v1/plans/{id}/tasks/import", Scoped, post(api::task_io::import_tasks))),
        r("GET", "/api/v1/tasks/export.xlsx", Scoped, get(api::task_io::export_tasks_xlsx)),
        r("GET", "/api/v1/tasks/export.csv", Scoped, get(api::task_io::export_tasks_csv)),
        r("GET", "/api/v1/notifications", Account, get(api::notify::inbox)),
        r("POST", "/api/v1/notifications/read", Account, post(api::notify::mark_read)),
        r("POST", "/api/v1/me/calendar-feed", SignedIn, post(api::notify::rotate_feed)),
        limited(r("GET", "/api/v1/calendar/{file}", Public, get(api::notify::feed))),
        r("GET", "/api/v1/calendar-days", SignedIn, get(api::notify::calendar_days)),
        r("PUT", "/api/v1/calendar-days/{date}", Scoped, put(api::notify::put_day)),
        r("DELETE", "/api/v1/calendar-days/{date}", Scoped, delete(api::notify::delete_day)),
        r("GET", "/api/v1/settings/reminder-rules", SignedIn, get(api::notify::reminder_rules)),
        r("PUT", "/api/v1/settings/reminder-rules", Scoped, put(api::notify::set_reminder_rules)),
        r("GET", "/api/v1/kpi", Scoped, get(api::kpi::report)),
        r("GET", "/api/v1/kpi/people/{id}", Scoped, get(api::kpi::person)),
        r("GET", "/api/v1/kpi/export.xlsx", Scoped, get(api::kpi::export)),
        r("GET", "/api/v1/settings/kpi-weights", SignedIn, get(api::kpi::weights)),
        r("PUT", "/api/v1/settings/kpi-weights", Scoped, put(api::kpi::set_weights)),
        // Registries
        r("GET", "/registries", Scoped, get(pages::registries::overview)),
        r("GET", "/registries/inspections", Scoped, get(pages::registries::inspections)),
        r("POST", "/registries/settings", Scoped, post(pages::registries::save_settings)),
        r("GET", "/registries/{kind}", Scoped, get(pages::registries::list)),
        r("GET", "/registries/{kind}/new", Scoped, get(pages::registries::new_form)),
        r("POST", "/registries/{kind}", Scoped, post(pages::registries::create)),
        r("GET", "/registries/{kind}/{id}", Scoped, get(pages::registries::show)),
        r("POST", "/registries/{kind}/{id}", Scoped, post(pages::registries::update)),
        r("GET", "/registries/{kind}/{id}/delete", Scoped, get(pages::registries::confirm_delete)),
        r("POST", "/registries/{kind}/{id}/delete", Scoped, post(pages::registries::delete)),
        r("GET", "/api/v1/registries", Scoped, get(api::registries::overview)),
        r("GET", "/api/v1/registries/systems", Scoped, get(api::registries::systems)),
        r("POST", "/api/v1/registries/systems", Scoped, post(api::registries::create_system)),
        r("GET", "/api/v1/registries/systems/{id}", Scoped, get(api::registries::system)),
        r("PUT", "/api/v1/registries/systems/{id}", Scoped, put(api::registries::update_system)),
        r("DELETE", "/api/v1/registries/systems/{id}", Scoped, delete(api::registries::delete_system)),
        r("GET", "/api/v1/registries/databases", Scoped, get(api::registries::databases)),
        r("POST", "/api/v1/registries/databases", Scoped, post(api::registries::create_database)),
        r("GET", "/api/v1/registries/databases/{id}", Scoped, get(api::registries::database)),
        r("PUT", "/api/v1/registries/databases/{id}", Scoped, put(api::registries::update_database)),
        r("DELETE", "/api/v1/registries/databases/{id}", Scoped, delete(api::registries::delete_database)),
        r("GET", "/api/v1/registries/projects", Scoped, get(api::registries::projects)),
        r("POST", "/api/v1/registries/projects", Scoped, post(api::registries::create_project)),
        r("GET", "/api/v1/registries/projects/{id}", Scoped, get(api::registries::project)),
        r("PUT", "/api/v1/registries/projects/{id}", Scoped, put(api::registries::update_project)),
        r("DELETE", "/api/v1/registries/projects/{id}", Scoped, delete(api::registries::delete_project)),
        r("GET", "/api/v1/registries/inspections", Scoped, get(api::registries::inspections)),
        r("GET", "/api/v1/registries/tables", Scoped, get(api::registries::tables)),
        r("GET", "/phan-anh", Public, get(pages::feedback::form)),
        photos(citizen(r("POST", "/phan-anh", Public, post(pages::feedback::submit)))),
        r("GET", "/phan-anh/tra-cuu", Public, get(pages::feedback::track)),
        citizen(r("POST", "/phan-anh/tra-cuu/mo-lai", Public, post(pages::feedback::reopen))),
        r("GET", "/feedback", Scoped, get(pages::feedback::index)),
        r("GET", "/feedback/analytics", Scoped, get(pages::feedback_analytics::show)),
        r("GET", "/feedback/settings", Scoped, get(pages::feedback::settings)),
        r("POST", "/feedback/settings", Scoped, post(pages::feedback::save_settings)),
        r("POST", "/feedback/settings/keys", Scoped, post(pages::feedback::create_key)),
        r("GET", "/feedback/{id}", Scoped, get(pages::feedback::show)),
        r("POST", "/feedback/{id}/steps", Scoped, post(pages::feedback::step)),
        r("POST", "/feedback/{id}/category", Scoped, post(pages::feedback::categorize)),
        r("POST", "/feedback/{id}/moderation", Scoped, post(pages::feedback::moderate)),
        // Citizen feedback: the public side (no account), then the officers'
        citizen(r("POST", "/api/v1/feedback", Public, post(api::feedback::submit))),
        r("GET", "/api/v1/feedback/similar", Public, get(api::feedback::similar)),
        r("GET", "/api/v1/feedback/track/{code}", Public, get(api::feedback::track)),
        citizen(r("POST", "/api/v1/feedback/track/{code}/reopen", Public, post(api::feedback::reopen))),
        r("GET", "/api/v1/feedback/categories", Public, get(api::feedback::categories)),
        r("GET", "/api/v1/feedback/photos/{id}", Public, get(api::feedback::photo)),
        r("GET", "/api/v1/feedback", Scoped, get(api::feedback::list)),
        r("GET", "/api/v1/feedback/analytics", Scoped, get(api::feedback_analytics::show)),
        r("GET", "/api/v1/feedback/analytics/file/xlsx", Scoped, get(api::feedback_analytics::xlsx)),
        r("GET", "/api/v1/feedback/routes", Scoped, get(api::feedback::routes)),
        r("POST", "/api/v1/feedback/routes", Scoped, post(api::feedback::add_route)),
        r("DELETE", "/api/v1/feedback/routes/{id}", Scoped, delete(api::feedback::delete_route)),
        r("PUT", "/api/v1/feedback/categories/{code}", Scoped, put(api::feedback::put_category)),
        r("POST", "/api/v1/feedback/classifier/retrain", Scoped, post(api::feedback::retrain)),
        r("GET", "/api/v1/feedback/{id}", Scoped, get(api::feedback::show)),
        r("POST", "/api/v1/feedback/{id}/steps/{step}", Scoped, post(api::feedback::step)),
        r("POST", "/api/v1/feedback/{id}/category", Scoped, post(api::feedback::categorize)),
        r("POST", "/api/v1/feedback/{id}/moderation", Scoped, post(api::feedback::moderate)),
        r("GET", "/api/v1/settings/feedback", SignedIn, get(api::feedback::settings)),
        r("PUT", "/api/v1/settings/feedback", Scoped, put(api::feedback::set_settings)),
        r("POST", "/api/v1/open311/keys", Scoped, post(api::feedback::create_key)),
        // Open311 GeoReport v2 (JSON or XML by extension)
        r("GET", "/open311/v2/{file}", Public, get(open311::get_root)),
        citizen(r("POST", "/open311/v2/{file}", Public, post(open311::post_request))),
        r("GET", "/open311/v2/services/{file}", Public, get(open311::service_definition)),
        r("GET", "/open311/v2/requests/{file}", Public, get(open311::request)),
        r("GET", "/open311/v2/tokens/{file}", Public, get(open311::token)),
        // Source information: the public portal and feeds, then the officials' pages and API
        r("GET", "/p", Public, get(pages::portal::national)),
        r("GET", "/p/feed.atom", Public, get(feeds::national_feed)),
        r("GET", "/p/tin/{id}", Public, get(pages::portal::bulletin)),
        r("GET", "/p/tin/{id}/mang-xa-hoi", Public, get(pages::portal::social)),
        citizen(r("GET", "/p/tin/{id}/anh.png", Public, get(pages::portal::card))),
        r("GET", "/p/tep/{id}", Public, get(pages::portal::file)),
        r("GET", "/p/{site}", Public, get(pages::portal::site)),
        r("GET", "/p/{site}/", Public, get(pages::portal::site_slash)),
        r("GET", "/p/{site}/feed.atom", Public, get(feeds::site_feed)),
        r("GET", "/cap/feed.atom", Public, get(feeds::national_cap_feed)),
        r("GET", "/cap/{authority}/feed.atom", Public, get(feeds::cap_feed)),
        r("GET", "/cap/alerts/{file}", Public, get(feeds::cap_document)),
        r("GET", "/bulletins", Scoped, get(pages::bulletins::index)),
        r("GET", "/bulletins/inbox", Scoped, get(pages::bulletins::inbox)),
        r("GET", "/bulletins/reach", Scoped, get(pages::bulletins::dashboard)),
        r("GET", "/bulletins/new", Scoped, get(pages::bulletins::new_form)),
        r("POST", "/bulletins/new", Scoped, post(pages::bulletins::create)),
        r("GET", "/bulletins/{id}", Scoped, get(pages::bulletins::show)),
        r("GET", "/bulletins/{id}/edit", Scoped, get(pages::bulletins::edit_form)),
        r("POST", "/bulletins/{id}/edit", Scoped, post(pages::bulletins::update)),
        r("POST", "/bulletins/{id}/steps", Scoped, post(pages::bulletins::step)),
        r("POST", "/bulletins/{id}/correct", Scoped, post(pages::bulletins::correct)),
        r("POST", "/bulletins/{id}/relay", Scoped, post(pages::bulletins::relay)),
        r("POST", "/bulletins/{id}/acknowledge", Scoped, post(pages::bulletins::acknowledge)),
        attachments(r("POST", "/bulletins/{id}/attachments", Scoped, post(pages::bulletins::attach))),
        r("POST", "/bulletins/{id}/attachments/{attachment}/delete", Scoped, post(pages::bulletins::detach)),
        r("GET", "/bulletin-files/{id}", Scoped, get(pages::bulletins::file)),
        r("GET", "/stations", Scoped, get(pages::bulletins::stations)),
        r("POST", "/stations", Scoped, post(pages::bulletins::add_station)),
        r("GET", "/stations/{id}", Scoped, get(pages::bulletins::station)),
        r("POST", "/stations/{id}/slots", Scoped, post(pages::bulletins::add_slot)),
        r("POST", "/broadcasts/{id}/aired", Scoped, post(pages::bulletins::aired)),
        r("GET", "/api/v1/bulletins", Scoped, get(api::bulletins::list)),
        r("POST", "/api/v1/bulletins", Scoped, post(api::bulletins::create)),
        r("GET", "/api/v1/bulletins/{id}", Scoped, get(api::bulletins::show)),
        r("PUT", "/api/v1/bulletins/{id}", Scoped, put(api::bulletins::update)),
        r("POST", "/api/v1/bulletins/{id}/steps/{step}", Scoped, post(api::bulletins::step)),
        r("POST", "/api/v1/bulletins/{id}/corrections", Scoped, post(api::bulletins::correct)),
        r("POST", "/api/v1/bulletins/{id}/relays", Scoped, post(api::bulletins::relay)),
        attachments(r("POST", "/api/v1/bulletins/{id}/attachments", Scoped, post(api::bulletins::attach))),
        r("DELETE", "/api/v1/bulletins/{id}/attachments/{attachment}", Scoped, delete(api::bulletins::detach)),
        r("GET", "/api/v1/bulletin-files/{id}", Scoped, get(api::bulletins::file)),
        r("POST", "/api/v1/bulletins/{id}/acknowledgements", Scoped, post(api::bulletins::acknowledge)),
        r("GET", "/api/v1/bulletins/{id}/reach", Scoped, get(api::bulletins::reach)),
        r("GET", "/api/v1/bulletin-inbox", Scoped, get(api::bulletins::inbox)),
        r("GET", "/api/v1/bulletin-reach", Scoped, get(api::bulletins::dashboard)),
        r("GET", "/api/v1/bulletin-reach/file/xlsx", Scoped, get(api::bulletins::dashboard_xlsx)),
        r("GET", "/api/v1/stations", Scoped, get(api::bulletins::stations)),
        r("POST", "/api/v1/stations", Scoped, post(api::bulletins::add_station)),
        r("PUT", "/api/v1/stations/{id}", Scoped, put(api::bulletins::put_station)),
        r("GET", "/api/v1/stations/{id}/playlist", Scoped, get(api::bulletins::playlist)),
        r("POST", "/api/v1/broadcasts", Scoped, post(api::bulletins::add_broadcast)),
        r("POST", "/api/v1/broadcasts/{id}/aired", Scoped, post(api::bulletins::aired)),
        r("GET", "/api/v1/settings/registries", SignedIn, get(api::registries::settings)),
        r("PUT", "/api/v1/settings/registries", Scoped, put(api::registries::set_settings)),
    ]
}

/// Builds the application: every route of [`route_table`] behind its access rule, then the
/// shared layers (sessions, caller, CSRF, body limit, compression, tracing).
pub fn router(state: AppState) -> Router {
    let governor = |per_minute: u32| {
        (per_minute > 0).then(|| {
            let per_ms = (60_000 / u64::from(per_minute)).max(1);
            Arc::new(
                GovernorConfigBuilder::default()
                    .per_millisecond(per_ms)
                    .burst_size(per_minute.min(10))
                    .finish()
                    .unwrap_or_default(),
            )
        })
    };
    let login_limiter = governor(state.config.login_per_minute);
    let citizen_limiter = governor(state.config.feedback_per_minute);
    let mut app: Router<AppState> = Router::new();
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    let mut uploads: Vec<(&'static str, usize)> = Vec::new();
    for def in route_table() {
        let access = def.access;
        let mut handler =
            def.handler.route_layer(middleware::from_fn(move |req: Request, next: Next| enforce(access, req, next)));
        if let Some(max) = def.body_limit {
            handler = handler.layer(DefaultBodyLimit::max(max));
            uploads.push((def.path, max));
        }
        let limiter = match def.limit {
            Some(Limit::Login) => login_limiter.as_ref(),
            Some(Limit::Citizen) => citizen_limiter.as_ref(),
            None => None,
        };
        if let Some(cfg) = limiter {
            let path = def.path;
            handler = handler.layer(
                GovernorLayer::new(cfg.clone()).error_handler(move |_| for_path(path, EdgeError::TooManyRequests)),
            );
        }
        match by_path.iter_mut().find(|(p, _)| *p == def.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => by_path.push((def.path, handler)),
        }
    }
    for (path, handler) in by_path {
        app = app.route(path, handler);
    }
    let sessions = SessionManagerLayer::new(DbSessionStore(state.services.clone()))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));
    let limit = state.config.body_limit;
    let uploads = Arc::new(uploads);
    app.fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let path = req.uri().path();
            let limit = uploads.iter().find(|(t, _)| path_matches(t, path)).map_or(limit, |(_, max)| *max);
            body_limit(limit, req, next)
        }))
        .layer(middleware::from_fn(count_requests))
        .layer(middleware::from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    for_path(&path, EdgeError::Domain(domain::DomainError::not_found("trang", path.clone())))
}

/// Refuses a declared body over the limit with a clear 413 before anything reads it.
async fn body_limit(limit: usize, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(BodyLimit(limit));
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return for_path(req.uri().path(), EdgeError::PayloadTooLarge);
    }
    let res = next.run(req).await;
    res.into_response()
}

async fn count_requests(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    metrics::counter!("dxgov_http_requests_total", "status" => res.status().as_u16().to_string()).increment(1);
    res
}

/// Headers every response carries: no framing, no sniffing, no inline script, no referrer leaks.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        h.entry(name).or_insert(header::HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    res
}
