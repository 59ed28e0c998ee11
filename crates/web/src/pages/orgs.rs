//! The org-tree browser: top level, children, search without diacritics, a unit's page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::auth::Action;
use domain::org::{OrgType, OrgUnit};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::api::orgs::org_query;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::{Layout, form_error, notice, unprocessable};
use crate::session::Actor;

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub type_label: String,
    pub validity: String,
    pub href: String,
}

impl UnitRow {
    pub fn from(u: &OrgUnit) -> Self {
        let validity = match (u.valid_from, u.valid_to) {
            (None, None) => String::new(),
            (Some(f), None) => format!("từ {}", format::date(f)),
            (None, Some(t)) => format!("đến {}", format::date(t)),
            (Some(f), Some(t)) => format!("{} – {}", format::date(f), format::date(t)),
        };
        // An ended unit's code may now name another unit: link to it as of its last day.
        let href = match u.valid_to {
            Some(t) => format!("/orgs/{}?as_of={}", u.code, t),
            None => format!("/orgs/{}", u.code),
        };
        UnitRow { code: u.code.clone(), name: u.name.clone(), type_label: u.org_type.label().into(), validity, href }
    }
}

pub struct TypeOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "orgs.html")]
struct OrgsPage {
    layout: Layout,
    q: String,
    as_of: String,
    as_of_display: String,
    types: Vec<TypeOption>,
    heading: String,
    rows: Vec<UnitRow>,
    total: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    let mut query = org_query(&state, &params).await.map_err(|e| PageError(e.0))?;
    let searching = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    if !searching && query.parent_id.is_none() && query.org_type.is_none() {
        query.parent_id = Some(state.services.root().await?.id);
    }
    query.limit = 100;
    let page = state.services.list_orgs(&query).await?;
    let as_of = query.as_of.unwrap_or_else(|| state.services.clock().today());
    let link = |offset: u64| {
        let mut p = params.clone();
        p.insert("offset".into(), offset.to_string());
        format!("/orgs?{}", serde_urlencoded::to_string(&p).unwrap_or_default())
    };
    let heading = if searching {
        format!("Kết quả tìm kiếm “{}”", query.q.clone().unwrap_or_default())
    } else {
        "Cơ quan trung ương và tỉnh, thành phố".to_string()
    };
    let selected = params.get("type").cloned().unwrap_or_default();
    Ok(OrgsPage {
        layout: Layout::new(&state.services, &session, &p, "orgs").await,
        q: params.get("q").cloned().unwrap_or_default(),
        as_of: as_of.to_string(),
        as_of_display: format::date(as_of),
        types: OrgType::ALL
            .iter()
            .map(|t| TypeOption { value: t.as_str(), label: t.label(), selected: t.as_str() == selected })
            .collect(),
        heading,
        total: format::int(page.total),
        rows: page.items.iter().map(UnitRow::from).collect(),
        prev_href: (page.offset > 0).then(|| link(page.offset.saturating_sub(page.limit))),
        next_href: (page.offset + page.limit < page.total).then(|| link(page.offset + page.limit)),
    }
    .into_response())
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "org.html")]
struct OrgPage {
    layout: Layout,
    unit: UnitRow,
    as_of_display: String,
    current: bool,
    ancestors: Vec<UnitRow>,
    children: Vec<UnitRow>,
    children_total: String,
    successors: Vec<UnitRow>,
    predecessors: Vec<UnitRow>,
    users: Option<Vec<UserRow>>,
    can_add_unit: bool,
    can_rename: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct ShowParams {
    as_of: Option<String>,
    ok: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(code): Path<String>,
    Query(q): Query<ShowParams>,
) -> PageResult {
    let as_of = q.as_of.as_deref().and_then(format::parse_date);
    Ok(org_page(&state, &session, &p, &code, as_of, notice(q.ok.as_deref()), None).await?.into_response())
}

async fn org_page(
    state: &AppState,
    session: &Session,
    p: &domain::auth::Principal,
    code: &str,
    as_of: Option<chrono::NaiveDate>,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<impl IntoResponse + use<>, PageError> {
    let detail = state.services.org_detail(code, as_of).await?;
    let today = state.services.clock().today();
    let day = as_of.unwrap_or(today);
    // Users are shown only where the viewer's grants reach (the directory itself is shared).
    let users = if p.may(Action::ReadUsers, &detail.unit) {
        let page = state.services.list_users(p, Some(&detail.unit.code), None, 0, 100).await?;
        Some(
            page.items
                .into_iter()
                .filter(|u| u.org_id == detail.unit.id)
                .map(|u| UserRow { id: u.id, username: u.username, full_name: u.full_name })
                .collect(),
        )
    } else {
        None
    };
    let current = detail.unit.is_valid_on(today);
    Ok(OrgPage {
        layout: Layout::new(&state.services, session, p, "orgs").await,
        can_add_unit: current && p.may(Action::ManageOrg, &detail.unit),
        can_rename: current
            && (p.is_root_admin()
                || (detail.unit.org_type == OrgType::Internal && p.may(Action::ManageOrg, &detail.unit))),
        unit: UnitRow::from(&detail.unit),
        as_of_display: format::date(day),
        current,
        ancestors: detail.ancestors.iter().map(UnitRow::from).collect(),
        children_total: format::int(detail.children_total),
        children: detail.children.iter().map(UnitRow::from).collect(),
        successors: detail.successors.iter().map(UnitRow::from).collect(),
        predecessors: detail.predecessors.iter().map(UnitRow::from).collect(),
        users,
        notice,
        error,
    })
}

#[derive(Deserialize)]
pub struct NewUnitForm {
    code: String,
    name: String,
}

pub async fn create_unit(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(code): Path<String>,
    Form(f): Form<NewUnitForm>,
) -> PageResult {
    match state.services.create_internal_unit(&p, &code, &f.code, &f.name).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{code}?ok=unit")).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = org_page(&state, &session, &p, &code, None, None, error).await?;
            Ok(unprocessable(page))
        }
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(code): Path<String>,
    Form(f): Form<RenameForm>,
) -> PageResult {
    match state.services.rename_org(&p, &code, &f.name).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{code}?ok=renamed")).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = org_page(&state, &session, &p, &code, None, None, error).await?;
            Ok(unprocessable(page))
        }
    }
}
