//! Server-rendered Vietnamese pages. Core flows work without JavaScript; every page here has
//! its JSON twin under `api/`, and both call the same service.

pub mod account;
pub mod assets;
pub mod audit;
pub mod bulletins;
pub mod dashboards;
pub mod data_quality;
pub mod feedback;
pub mod feedback_analytics;
pub mod forms;
pub mod frameworks;
pub mod home;
pub mod indicator_entry;
pub mod indicators;
pub mod kpi;
pub mod login;
pub mod notify;
pub mod orgs;
pub mod plans;
pub mod portal;
pub mod registries;
pub mod reports;
pub mod schedules;
pub mod tasks;
pub mod users;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::auth::{Action, Principal};
use tower_sessions::Session;

use crate::error::PageError;
use crate::session::csrf_token;

/// A form's domain error: input mistakes (a bad field, a conflict) become the sentence shown above
/// the re-filled form; anything else becomes the error page.
pub fn form_error(e: DomainError) -> Result<String, PageError> {
    match e {
        DomainError::Invalid { .. }
        | DomainError::Conflict(_)
        | DomainError::Transition { .. }
        | DomainError::Stale { .. }
        | DomainError::Rejected(_)
        | DomainError::Incomplete(_) => Ok(domain::messages::detail(&e)),
        e => Err(PageError::from(e)),
    }
}

/// The form page again, with status 422.
pub fn unprocessable(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// A form's outcome: on success, a redirect to `to(value)`; on an input mistake, the form's page
/// again (`page(sentence)`, status 422) saying what is wrong; anything else, the error page.
pub async fn redirect_or_form<T, P, Fut>(
    result: Result<T, DomainError>,
    to: impl FnOnce(&T) -> String,
    page: impl FnOnce(String) -> Fut,
) -> Result<Response, PageError>
where
    P: IntoResponse,
    Fut: std::future::Future<Output = Result<P, PageError>>,
{
    match result {
        Ok(v) => Ok(axum::response::Redirect::to(&to(&v)).into_response()),
        Err(e) => {
            let message = form_error(e)?;
            Ok(unprocessable(page(message).await?))
        }
    }
}

/// What the shared layout needs: who is signed in, the CSRF token, which menu items to show.
pub struct Layout {
    pub user_name: String,
    pub username: String,
    pub csrf: String,
    pub can_users: bool,
    pub can_audit: bool,
    /// May read the KPI of some unit (everyone may read their own).
    pub can_kpi: bool,
    /// May open the national view of frameworks.
    pub can_national: bool,
    /// May read some unit's registries (information systems, databases, projects).
    pub can_registries: bool,
    /// May read some unit's citizen feedback.
    pub can_feedback: bool,
    /// May read some unit's bulletins (source information).
    pub can_bulletins: bool,
    /// Unread notifications, shown beside the bell in the menu.
    pub unread: u64,
    /// Menu item to highlight.
    pub active: &'static str,
    /// Signed in but must change the initial password: only the account menu applies.
    pub restricted: bool,
}

impl Layout {
    pub async fn new(services: &domain::Services, session: &Session, p: &Principal, active: &'static str) -> Self {
        Layout {
            unread: services.unread_notifications(p).await.unwrap_or(0),
            user_name: p.user.full_name.clone(),
            username: p.user.username.clone(),
            csrf: csrf_token(session).await,
            can_users: !p.scope_paths(Action::ReadUsers).is_empty(),
            can_audit: !p.scope_paths(Action::ReadAudit).is_empty(),
            can_kpi: !p.scope_paths(Action::ReadKpi).is_empty(),
            can_national: services.may_read_national(p).await,
            can_registries: !p.scope_paths(Action::ReadRegistry).is_empty(),
            can_feedback: !p.scope_paths(Action::ReadFeedback).is_empty(),
            can_bulletins: !p.scope_paths(Action::ReadBulletins).is_empty(),
            active,
            restricted: p.user.must_change_password,
        }
    }

    /// For pages shown before sign-in.
    pub async fn anonymous(session: &Session) -> Self {
        Layout {
            user_name: String::new(),
            username: String::new(),
            csrf: csrf_token(session).await,
            can_users: false,
            can_audit: false,
            can_kpi: false,
            can_national: false,
            can_registries: false,
            can_feedback: false,
            can_bulletins: false,
            unread: 0,
            active: "",
            restricted: false,
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.username.is_empty()
    }
}

/// A flash-like notice carried in the query string after a redirect (`?ok=…`).
pub fn notice(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "password" => Some("Đã đổi mật khẩu."),
        "totp-on" => Some("Đã bật xác thực hai bước."),
        "totp-off" => Some("Đã tắt xác thực hai bước."),
        "unit" => Some("Đã thêm đơn vị."),
        "renamed" => Some("Đã đổi tên đơn vị."),
        "day" => Some("Đã cập nhật lịch ngày nghỉ, ngày làm việc."),
        "rules" => Some("Đã lưu quy tắc nhắc việc."),
        "granted" => Some("Đã cấp vai trò."),
        "revoked" => Some("Đã thu hồi vai trò."),
        _ => None,
    }
}
