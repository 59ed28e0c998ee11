//! Sessions in the database (they survive restarts and are shared by several app processes on
//! one PostgreSQL), who is asking (session cookie or API bearer token), CSRF on every form.

use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::auth::Principal;
use tower_sessions::session::{Id, Record};
use tower_sessions::{Session, SessionStore, session_store};

use crate::AppState;
use crate::error::{EdgeError, for_path};
use crate::routes::{Access, BodyLimit};

pub const COOKIE_NAME: &str = "dxgov_session";
const USER_KEY: &str = "user_id";
const CSRF_KEY: &str = "csrf";
/// Name of the hidden form field and of the header API clients using the cookie send.
pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// tower-sessions' store, kept in the database through the domain's services.
#[derive(Clone)]
pub struct DbSessionStore(pub domain::Services);

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(record).map_err(backend)?;
        // tower-sessions dates expiry by the wall clock; storage dates it by the services' clock
        // (which tests move), so only the remaining lifetime is handed over.
        let left = record.expiry_date - time::OffsetDateTime::now_utc();
        let lifetime = chrono::Duration::seconds(left.whole_seconds().max(0));
        self.0.session_save(&record.id.to_string(), &data, lifetime).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self.0.session_load(&id.to_string()).await.map_err(backend)? {
            Some(data) => Ok(serde_json::from_str(&data).ok()),
            None => Ok(None),
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0.session_delete(&id.to_string()).await.map_err(backend)
    }
}

/// Who is asking, put in the request's extensions by [`authenticate`].
#[derive(Clone, Default)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// Came with a bearer token (no cookie, so no CSRF risk).
    pub by_token: bool,
}

/// Finds the caller from a bearer token or the session.
pub async fn authenticate(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let caller = match bearer {
        Some(token) => match state.services.principal_by_token(&token).await {
            Ok(p) => Caller { principal: Some(p), by_token: true },
            Err(_) => return for_path(req.uri().path(), EdgeError::NotSignedIn),
        },
        None => {
            let uid = session.get::<i64>(USER_KEY).await.ok().flatten();
            let principal = match uid {
                Some(uid) => state.services.principal(uid).await.ok(),
                None => None,
            };
            Caller { principal, by_token: false }
        }
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Enforces a route's [`Access`] rule before its handler runs.
pub async fn enforce(access: Access, req: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let caller = req.extensions().get::<Caller>().cloned().unwrap_or_default();
    let Some(principal) = caller.principal else {
        if path.starts_with("/api/") {
            return for_path(&path, EdgeError::NotSignedIn);
        }
        let next_url = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = format!("/login?next={}", urlencode(next_url));
        return Redirect::to(&target).into_response();
    };
    if principal.user.must_change_password && access != Access::Account {
        if path.starts_with("/api/") {
            return for_path(&path, EdgeError::PasswordChangeRequired);
        }
        return Redirect::to("/account/password").into_response();
    }
    next.run(req).await
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_string()).unwrap_or_default()
}

/// Rejects state-changing requests that carry the session cookie without the session's CSRF
/// token: forms send it as a hidden field, cookie-based API calls as the `X-CSRF-Token` header.
/// Bearer-token calls carry no cookie and need none.
pub async fn csrf(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let by_token = req.extensions().get::<Caller>().is_some_and(|c| c.by_token);
    if by_token {
        return next.run(req).await;
    }
    if path.starts_with("/open311/") {
        return next.run(req).await; // no session is used there: clients send an api_key
    }
    let expected = session.get::<String>(CSRF_KEY).await.ok().flatten();
    if path.starts_with("/api/") {
        let signed_in = req.extensions().get::<Caller>().is_some_and(|c| c.principal.is_some());
        if !signed_in {
            return next.run(req).await; // nothing ambient to abuse (e.g. POST /api/v1/auth/token)
        }
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        return match (expected, sent) {
            (Some(e), Some(s)) if constant_eq(&e, s) => next.run(req).await,
            _ => for_path(&path, EdgeError::Csrf),
        };
    }
    let limit = req.extensions().get::<BodyLimit>().map_or(state.config.body_limit, |l| l.0);
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return for_path(&path, EdgeError::PayloadTooLarge),
    };
    let sent: Option<String> = if content_type.starts_with("multipart/form-data") {
        multipart_field(&bytes, &content_type, CSRF_FIELD)
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v))
    };
    match (expected, sent) {
        (Some(e), Some(s)) if constant_eq(&e, &s) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        _ => for_path(&path, EdgeError::Csrf),
    }
}

/// The value of the text field `name` in a `multipart/form-data` body (forms that upload files
/// carry their CSRF token this way).
fn multipart_field(body: &[u8], content_type: &str, name: &str) -> Option<String> {
    let boundary = content_type.split(';').map(str::trim).find_map(|p| p.strip_prefix("boundary="))?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let between = format!("\r\n{delimiter}");
    let wanted = format!("name=\"{name}\"");
    // Each part: CRLF, its headers, an empty line, the value, then CRLF and the next delimiter
    // ("--" after the last delimiter ends the body, which fails the CRLF below).
    let mut rest = body.strip_prefix(delimiter.as_bytes())?;
    loop {
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, between.as_bytes())?;
        let part = &rest[..end];
        let header_end = find(part, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..header_end]).ok()?;
        let named = headers.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition:") && l.split(';').any(|p| p.trim() == wanted)
        });
        if named {
            return std::str::from_utf8(&part[header_end + 4..]).ok().map(str::to_string);
        }
        rest = &rest[end + between.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF_KEY).await {
        return t;
    }
    let t = domain::users::random_token();
    let _ = session.insert(CSRF_KEY, &t).await;
    t
}

/// Signs the session in as `user_id` under a fresh session id (no fixation).
pub async fn sign_in(session: &Session, user_id: i64) -> Result<(), EdgeError> {
    let storage = |e: tower_sessions::session::Error| EdgeError::Domain(domain::DomainError::Storage(e.to_string()));
    session.cycle_id().await.map_err(storage)?;
    session.insert(USER_KEY, user_id).await.map_err(storage)?;
    session.insert(CSRF_KEY, domain::users::random_token()).await.map_err(storage)
}

pub async fn sign_out(session: &Session) {
    let _ = session.flush().await;
}

/// The signed-in principal; handlers behind a non-public route take this.
pub struct Actor(pub Principal);

pub struct ActorRejection(String);

impl IntoResponse for ActorRejection {
    fn into_response(self) -> Response {
        for_path(&self.0, EdgeError::NotSignedIn)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ActorRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .and_then(|c| c.principal.clone())
            .map(Actor)
            .ok_or_else(|| ActorRejection(parts.uri.path().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::multipart_field;

    #[test]
    fn the_csrf_token_is_found_in_a_multipart_body() {
        let ct = "multipart/form-data; boundary=XyZ";
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
            Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ\r\n\
            Content-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        assert_eq!(multipart_field(body, ct, "csrf").as_deref(), Some("abc123"));
        assert_eq!(multipart_field(body, ct, "other"), None);
        assert_eq!(multipart_field(body, "multipart/form-data; boundary=Other", "csrf"), None);
        assert_eq!(multipart_field(body, "multipart/form-data", "csrf"), None, "no boundary");
        let prefix = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrfx\"\r\n\r\nnope\r\n--XyZ--\r\n";
        assert_eq!(multipart_field(prefix, ct, "csrf"), None, "a longer name is another field");
        assert_eq!(multipart_field(b"--XyZ--\r\n", ct, "csrf"), None);
    }
}
