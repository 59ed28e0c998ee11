//! Errors at the edge. A domain error becomes RFC 9457 problem+json in the API ([`ApiError`]) or
//! a Vietnamese error page ([`PageError`]); internals are logged, never shown.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{DomainError, messages};
use serde::Serialize;
use utoipa::ToSchema;

/// What went wrong, independent of how it is shown.
#[derive(Debug)]
pub enum EdgeError {
    Domain(DomainError),
    /// Not signed in (or the token is missing or expired).
    NotSignedIn,
    /// The signed-in user must change the initial password first.
    PasswordChangeRequired,
    /// A form without a valid CSRF token.
    Csrf,
    PayloadTooLarge,
    TooManyRequests,
    /// A query or body that does not parse.
    BadRequest {
        field: &'static str,
        message: String,
    },
}

impl From<DomainError> for EdgeError {
    fn from(e: DomainError) -> Self {
        EdgeError::Domain(e)
    }
}

impl EdgeError {
    pub fn status(&self) -> StatusCode {
        match self {
            EdgeError::Domain(e) => match e {
                DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
                DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
                DomainError::Unauthenticated | DomainError::Locked { .. } => StatusCode::UNAUTHORIZED,
                DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::Conflict(_) | DomainError::Transition { .. } | DomainError::Stale { .. } => {
                    StatusCode::CONFLICT
                }
                DomainError::Rejected(_) | DomainError::Incomplete(_) => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            EdgeError::NotSignedIn => StatusCode::UNAUTHORIZED,
            EdgeError::PasswordChangeRequired | EdgeError::Csrf => StatusCode::FORBIDDEN,
            EdgeError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            EdgeError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            EdgeError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            EdgeError::Domain(DomainError::NotFound { .. }) => "not-found",
            EdgeError::Domain(DomainError::Forbidden(_)) => "forbidden",
            EdgeError::Domain(DomainError::Unauthenticated | DomainError::Locked { .. }) => "login-failed",
            EdgeError::Domain(DomainError::Invalid { .. }) => "invalid-field",
            EdgeError::Domain(DomainError::Conflict(_)) => "conflict",
            EdgeError::Domain(DomainError::Transition { .. }) => "invalid-transition",
            EdgeError::Domain(DomainError::Stale { .. }) => "edit-conflict",
            EdgeError::Domain(DomainError::Rejected(_)) => "import-rejected",
            EdgeError::Domain(DomainError::Incomplete(_)) => "incomplete",
            EdgeError::Domain(DomainError::Storage(_)) => "internal",
            EdgeError::NotSignedIn => "not-signed-in",
            EdgeError::PasswordChangeRequired => "password-change-required",
            EdgeError::Csrf => "csrf",
            EdgeError::PayloadTooLarge => "payload-too-large",
            EdgeError::TooManyRequests => "too-many-requests",
            EdgeError::BadRequest { .. } => "bad-request",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            EdgeError::Domain(e) => messages::title(e),
            EdgeError::NotSignedIn => "Chưa đăng nhập",
            EdgeError::PasswordChangeRequired => "Cần đổi mật khẩu",
            EdgeError::Csrf => "Biểu mẫu không hợp lệ",
            EdgeError::PayloadTooLarge => "Dữ liệu gửi lên quá lớn",
            EdgeError::TooManyRequests => "Quá nhiều yêu cầu",
            EdgeError::BadRequest { .. } => "Yêu cầu không hợp lệ",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            EdgeError::Domain(e) => messages::detail(e),
            EdgeError::NotSignedIn => "Vui lòng đăng nhập (hoặc gửi mã truy cập hợp lệ) để tiếp tục.".into(),
            EdgeError::PasswordChangeRequired => "Bạn cần đổi mật khẩu được cấp ban đầu trước khi tiếp tục.".into(),
            EdgeError::Csrf => {
                "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.".into()
            }
            EdgeError::PayloadTooLarge => "Dữ liệu gửi lên vượt quá giới hạn cho phép.".into(),
            EdgeError::TooManyRequests => "Bạn đã gửi quá nhiều yêu cầu. Vui lòng chờ một phút rồi thử lại.".into(),
            EdgeError::BadRequest { field, message } => format!("Trường '{field}': {message}."),
        }
    }

    fn log(&self) {
        if let EdgeError::Domain(DomainError::Storage(cause)) = self {
            tracing::error!(%cause, "storage error");
        }
    }

    pub fn problem(&self) -> Problem {
        let (field, key) = match self {
            EdgeError::Domain(DomainError::Invalid { field, .. }) | EdgeError::BadRequest { field, .. } => {
                (Some(field.to_string()), None)
            }
            EdgeError::Domain(DomainError::NotFound { key, .. }) => (None, Some(key.clone())),
            _ => (None, None),
        };
        let (changes, rows) = match self {
            EdgeError::Domain(DomainError::Stale { changes }) => (Some(changes.clone()), None),
            EdgeError::Domain(DomainError::Rejected(rows)) => (None, Some(rows.clone())),
            _ => (None, None),
        };
        let failures = match self {
            EdgeError::Domain(DomainError::Incomplete(problems)) => Some(problems.clone()),
            _ => None,
        };
        Problem {
            problem_type: format!("/problems/{}", self.slug()),
            title: self.title().into(),
            status: self.status().as_u16(),
            detail: self.detail(),
            field,
            key,
            changes,
            rows,
            failures,
        }
    }
}

/// RFC 9457 problem details, with `field` naming the bad input and `key` the missing thing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// For an edit conflict: what the other person changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<String>>,
    /// For a rejected import: every bad row and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<domain::error::RowProblem>>,
    /// For a record that cannot go on yet (a report submitted incomplete): every missing piece.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<domain::error::FieldProblem>>,
}

/// An error shown as problem+json.
#[derive(Debug)]
pub struct ApiError(pub EdgeError);

impl<E: Into<EdgeError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut res = (self.0.status(), Json(self.0.problem())).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        res
    }
}

pub type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    detail: String,
    status: u16,
}

/// An error shown as a Vietnamese page.
#[derive(Debug)]
pub struct PageError(pub EdgeError);

impl<E: Into<EdgeError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let page = ErrorPage { title: self.0.title(), detail: self.0.detail(), status: self.0.status().as_u16() };
        (self.0.status(), page).into_response()
    }
}

pub type PageResult = Result<Response, PageError>;

/// Renders an error the way the request's path calls for.
pub fn for_path(path: &str, e: EdgeError) -> Response {
    if path.starts_with("/api/") {
        ApiError(e).into_response()
    } else if path.starts_with("/open311/") {
        crate::open311::error_for_path(path, e)
    } else {
        PageError(e).into_response()
    }
}
