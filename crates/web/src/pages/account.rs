//! The caller's own account: profile, password, second factor.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::pages::{Layout, form_error, notice, unprocessable};
use crate::session::Actor;

pub struct GrantRow {
    pub id: i64,
    pub role: String,
    pub org_code: String,
    pub org_name: String,
}

impl GrantRow {
    pub fn from(g: &domain::auth::Grant) -> Self {
        GrantRow { id: g.id, role: g.role.label().into(), org_code: g.org_code.clone(), org_name: g.org_name.clone() }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    user_id: i64,
    full_name: String,
    username: String,
    org_name: String,
    email: String,
    grants: Vec<GrantRow>,
    totp_enabled: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct Ok_ {
    ok: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<Ok_>,
) -> PageResult {
    Ok(account_page(&state, &session, &p, notice(q.ok.as_deref()), None).await.into_response())
}

async fn account_page(
    state: &AppState,
    session: &Session,
    p: &domain::auth::Principal,
    notice: Option<&'static str>,
    error: Option<String>,
) -> impl IntoResponse + use<> {
    AccountPage {
        layout: Layout::new(&state.services, session, p, "account").await,
        user_id: p.user.id,
        full_name: p.user.full_name.clone(),
        username: p.user.username.clone(),
        org_name: p.user.org_name.clone(),
        email: p.user.email.clone().unwrap_or_default(),
        grants: p.grants.iter().map(GrantRow::from).collect(),
        totp_enabled: p.user.totp_enabled,
        notice,
        error,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    error: Option<String>,
}

pub async fn password_form(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    Ok(PasswordPage {
        forced: p.user.must_change_password,
        layout: Layout::new(&state.services, &session, &p, "account").await,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let result = if f.new_password != f.confirm_password {
        Err(DomainError::invalid("confirm_password", "mật khẩu nhập lại không khớp"))
    } else {
        state.services.change_password(&p, &f.current_password, &f.new_password).await
    };
    match result {
        Ok(()) => Ok(Redirect::to("/account?ok=password").into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = PasswordPage {
                forced: p.user.must_change_password,
                layout: Layout::new(&state.services, &session, &p, "account").await,
                error,
            };
            Ok(unprocessable(page))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "totp.html")]
struct TotpPage {
    layout: Layout,
    secret: String,
    url: String,
    error: Option<String>,
}

pub async fn totp_form(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let secret = state.services.totp_new_secret();
    let url = domain::users::totp::url(&secret, &p.user.username)?;
    Ok(TotpPage { layout: Layout::new(&state.services, &session, &p, "account").await, secret, url, error: None }
        .into_response())
}

#[derive(Deserialize)]
pub struct TotpForm {
    secret: String,
    code: String,
}

pub async fn totp_enable(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<TotpForm>,
) -> PageResult {
    match state.services.totp_enable(&p, &f.secret, &f.code).await {
        Ok(()) => Ok(Redirect::to("/account?ok=totp-on").into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let url = domain::users::totp::url(&f.secret, &p.user.username)?;
            let page = TotpPage {
                layout: Layout::new(&state.services, &session, &p, "account").await,
                secret: f.secret,
                url,
                error,
            };
            Ok(unprocessable(page))
        }
    }
}

#[derive(Deserialize)]
pub struct TotpDisableForm {
    password: String,
}

pub async fn totp_disable(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<TotpDisableForm>,
) -> PageResult {
    match state.services.totp_disable(&p, &f.password).await {
        Ok(()) => Ok(Redirect::to("/account?ok=totp-off").into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = account_page(&state, &session, &p, None, error).await;
            Ok(unprocessable(page))
        }
    }
}
