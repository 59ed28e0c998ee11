//! Sign in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::messages::LOGIN_FAILED;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::pages::Layout;
use crate::session::{Actor, sign_in, sign_out};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only same-site paths, never `//host` or a scheme.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

pub async fn form(session: Session, Query(q): Query<NextParam>) -> impl IntoResponse {
    LoginPage {
        layout: Layout::anonymous(&session).await,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: String,
    next: Option<String>,
}

pub async fn submit(State(state): State<AppState>, session: Session, Form(f): Form<LoginForm>) -> PageResult {
    let totp = Some(f.totp.trim()).filter(|t| !t.is_empty());
    match state.services.login(&f.username, &f.password, totp).await {
        Ok(p) => {
            sign_in(&session, p.user.id).await?;
            let target = if p.user.must_change_password {
                "/account/password".to_string()
            } else {
                safe_next(f.next.as_deref())
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(domain::DomainError::Unauthenticated | domain::DomainError::Locked { .. }) => {
            let page = LoginPage {
                layout: Layout::anonymous(&session).await,
                next: safe_next(f.next.as_deref()),
                username: f.username,
                error: Some(LOGIN_FAILED),
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(e) => Err(PageError::from(e)),
    }
}

pub async fn logout(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    state.services.logout(&p).await?;
    sign_out(&session).await;
    Ok(Redirect::to("/login").into_response())
}
