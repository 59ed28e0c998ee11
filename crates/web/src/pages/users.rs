//! User administration pages: list, create, roles, password reset.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::auth::{Principal, Role};
use domain::services::NewUserInput;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::account::GrantRow;
use crate::pages::{Layout, form_error, notice, unprocessable};
use crate::session::Actor;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub org_name: String,
    pub status: &'static str,
}

impl UserRow {
    fn from(u: &domain::users::User) -> Self {
        let status = if !u.active {
            "Ngừng hoạt động"
        } else if u.must_change_password {
            "Chờ đổi mật khẩu"
        } else {
            "Hoạt động"
        };
        UserRow {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            org_name: u.org_name.clone(),
            status,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    q: String,
    rows: Vec<UserRow>,
    total: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const PAGE_SIZE: u64 = 100;

#[derive(Deserialize)]
pub struct ListParams {
    q: Option<String>,
    org: Option<String>,
    offset: Option<u64>,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> PageResult {
    let offset = q.offset.unwrap_or(0);
    let page = state.services.list_users(&p, q.org.as_deref(), q.q.as_deref(), offset, PAGE_SIZE).await?;
    let link = |offset: u64| {
        let params = [
            ("q", q.q.clone().unwrap_or_default()),
            ("org", q.org.clone().unwrap_or_default()),
            ("offset", offset.to_string()),
        ];
        format!("/users?{}", serde_urlencoded::to_string(params).unwrap_or_default())
    };
    Ok(UsersPage {
        layout: Layout::new(&state.services, &session, &p, "users").await,
        q: q.q.clone().unwrap_or_default(),
        total: format::int(page.total),
        rows: page.items.iter().map(UserRow::from).collect(),
        prev_href: (offset > 0).then(|| link(offset.saturating_sub(PAGE_SIZE))),
        next_href: (offset + PAGE_SIZE < page.total).then(|| link(offset + PAGE_SIZE)),
    }
    .into_response())
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

fn role_options() -> Vec<RoleOption> {
    Role::ALL.iter().map(|r| RoleOption { value: r.as_str(), label: r.label() }).collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "user_new.html")]
struct NewUserPage {
    layout: Layout,
    roles: Vec<RoleOption>,
    username: String,
    full_name: String,
    email: String,
    org_code: String,
    error: Option<String>,
}

pub async fn new_form(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let org_code = p.grants.iter().find(|g| g.role == Role::Admin).map(|g| g.org_code.clone()).unwrap_or_default();
    Ok(NewUserPage {
        layout: Layout::new(&state.services, &session, &p, "users").await,
        roles: role_options(),
        username: String::new(),
        full_name: String::new(),
        email: String::new(),
        org_code,
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    full_name: String,
    #[serde(default)]
    email: String,
    org_code: String,
    #[serde(default)]
    role: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "user_password.html")]
struct PasswordShownPage {
    layout: Layout,
    id: i64,
    username: String,
    password: String,
    created: bool,
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    let input = NewUserInput {
        username: f.username.clone(),
        full_name: f.full_name.clone(),
        email: Some(f.email.clone()),
        org_code: f.org_code.clone(),
        role: Some(f.role.clone()),
    };
    match state.services.create_user(&p, &input).await {
        Ok((user, password)) => Ok(PasswordShownPage {
            layout: Layout::new(&state.services, &session, &p, "users").await,
            id: user.id,
            username: user.username,
            password,
            created: true,
        }
        .into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = NewUserPage {
                layout: Layout::new(&state.services, &session, &p, "users").await,
                roles: role_options(),
                username: f.username,
                full_name: f.full_name,
                email: f.email,
                org_code: f.org_code,
                error,
            };
            Ok(unprocessable(page))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    id: i64,
    username: String,
    full_name: String,
    email: String,
    org_name: String,
    created_at: String,
    status: &'static str,
    totp_enabled: bool,
    grants: Vec<GrantRow>,
    roles: Vec<RoleOption>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ShowParams {
    ok: Option<String>,
}

async fn user_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<impl IntoResponse + use<>, PageError> {
    let (user, grants) = state.services.get_user(p, id).await?;
    let row = UserRow::from(&user);
    Ok(UserPage {
        layout: Layout::new(&state.services, session, p, "users").await,
        id: user.id,
        username: user.username,
        full_name: user.full_name,
        email: user.email.unwrap_or_default(),
        org_name: user.org_name,
        created_at: format::datetime(user.created_at),
        status: row.status,
        totp_enabled: user.totp_enabled,
        grants: grants.iter().map(GrantRow::from).collect(),
        roles: role_options(),
        notice,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<ShowParams>,
) -> PageResult {
    Ok(user_page(&state, &session, &p, id, notice(q.ok.as_deref()), None).await?.into_response())
}

#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    org_code: String,
}

pub async fn grant(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<GrantForm>,
) -> PageResult {
    let result = match Role::parse(&f.role) {
        Ok(role) => state.services.grant_role(&p, id, role, &f.org_code).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/users/{id}?ok=granted")).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = user_page(&state, &session, &p, id, None, error).await?;
            Ok(unprocessable(page))
        }
    }
}

pub async fn revoke(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> PageResult {
    let (user_id, _) = state.services.revoke_role_returning_user(&p, id).await?;
    Ok(Redirect::to(&format!("/users/{user_id}?ok=revoked")).into_response())
}

pub async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let password = state.services.reset_password(&p, id).await?;
    let (user, _) = state.services.get_user(&p, id).await?;
    Ok(PasswordShownPage {
        layout: Layout::new(&state.services, &session, &p, "users").await,
        id,
        username: user.username,
        password,
        created: false,
    }
    .into_response())
}
