//! Framework pages (the programme's groups of tasks with deadlines, supporting units, targets
//! and citations) and the national view of their adoption across agencies.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use domain::DomainError;
use domain::frameworks::{Framework, FrameworkGroup, FrameworkSummary, Target};
use domain::services::work::NationalView;
use domain::work::TaskStatus;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::Layout;
use crate::session::Actor;

#[derive(Template, WebTemplate)]
#[template(path = "frameworks.html")]
struct FrameworksPage {
    layout: Layout,
    frameworks: Vec<FrameworkSummary>,
}

pub async fn index(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    Ok(FrameworksPage {
        layout: Layout::new(&state.services, &session, &p, "frameworks").await,
        frameworks: state.services.frameworks().await?,
    }
    .into_response())
}

fn target_line(t: &Target) -> String {
    let mut text = t.description.clone();
    if let Some(v) = t.value {
        let value = if v.fract() == 0.0 && v.abs() < 1e15 { format::int(v.abs() as u64) } else { v.to_string() };
        text.push_str(&format!(": {value}{}", t.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()));
    }
    if let Some(by) = &t.by {
        text.push_str(&format!(" (trước {})", by.label()));
    }
    text
}

pub struct ItemView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub body: String,
    pub cite: String,
    pub deadline: String,
    pub deadline_text: String,
    pub support_unit: String,
    pub lead_unit: String,
    pub coordinating_units: String,
    pub targets: Vec<String>,
}

pub struct GroupView {
    pub code: String,
    pub title: String,
    pub cite: String,
    pub support_unit: String,
    pub items: Vec<ItemView>,
}

fn group_view(g: &FrameworkGroup) -> GroupView {
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    GroupView {
        code: g.code.clone(),
        title: g.title.clone(),
        cite: g.cite.clone(),
        support_unit: text(&g.support_unit),
        items: g
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id,
                code: i.code.clone(),
                title: i.title.clone(),
                body: i.body.clone(),
                cite: i.cite.clone(),
                deadline: i.deadline.map(|d| d.label()).unwrap_or_default(),
                deadline_text: text(&i.deadline_text),
                support_unit: text(&i.support_unit),
                lead_unit: text(&i.lead_unit),
                coordinating_units: text(&i.coordinating_units),
                targets: i.targets.iter().map(target_line).collect(),
            })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "framework.html")]
struct FrameworkPage {
    layout: Layout,
    f: FrameworkSummary,
    kind: &'static str,
    count: String,
    groups: Vec<GroupView>,
}

pub async fn show(State(state): State<AppState>, session: Session, Actor(p): Actor, Path(id): Path<i64>) -> PageResult {
    let f: Framework = state.services.framework(id).await?;
    let summary = FrameworkSummary {
        id: f.id,
        code: f.code.clone(),
        version: f.version,
        title: f.title.clone(),
        kind: f.kind,
        issuer: f.issuer.clone(),
        source: f.source.clone(),
        groups: Vec::new(),
        item_count: f.item_count() as u64,
    };
    Ok(FrameworkPage {
        layout: Layout::new(&state.services, &session, &p, "frameworks").await,
        kind: f.kind.label(),
        count: format::int(summary.item_count),
        groups: f.groups.iter().map(group_view).collect(),
        f: summary,
    }
    .into_response())
}

// ----- national view ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "national_index.html")]
struct NationalIndexPage {
    layout: Layout,
    frameworks: Vec<FrameworkSummary>,
}

pub async fn national_index(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    if !state.services.may_read_national(&p).await {
        return Err(DomainError::Forbidden("xem tổng hợp toàn quốc").into());
    }
    Ok(NationalIndexPage {
        layout: Layout::new(&state.services, &session, &p, "national").await,
        frameworks: state.services.frameworks().await?,
    }
    .into_response())
}

pub struct NationalRowView {
    pub code: String,
    pub title: String,
    pub deadline: String,
    pub agencies: String,
    pub tasks: String,
    pub by_status: Vec<CountCell>,
}

/// A count of tasks in one status; overdue ones link to the task list.
pub struct CountCell {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "national.html")]
struct NationalPage {
    layout: Layout,
    view: NationalView,
    as_of: String,
    org: String,
    statuses: Vec<&'static str>,
    rows: Vec<NationalRowView>,
}

#[derive(Deserialize)]
pub struct NationalParams {
    org: Option<String>,
}

pub async fn national(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<NationalParams>,
) -> PageResult {
    let org = q.org.unwrap_or_default().trim().to_string();
    let view = state.services.national_view(&p, id, Some(&org)).await?;
    let scoped = if org.is_empty() { String::new() } else { format!("&org={}", view.scope.code) };
    let rows = view
        .rows
        .iter()
        .map(|r| NationalRowView {
            code: r.code.clone(),
            title: r.title.clone(),
            deadline: r.deadline.clone().unwrap_or_default(),
            agencies: format::int(r.agencies),
            tasks: format::int(r.tasks),
            by_status: TaskStatus::ALL
                .iter()
                .zip(&r.by_status)
                .map(|(status, n)| CountCell {
                    text: format::int(*n),
                    href: (*status == TaskStatus::Overdue && *n > 0)
                        .then(|| format!("/tasks?item={}&status=overdue{scoped}", r.item_id)),
                })
                .collect(),
        })
        .collect();
    Ok(NationalPage {
        layout: Layout::new(&state.services, &session, &p, "national").await,
        as_of: format::date(view.as_of),
        org,
        statuses: TaskStatus::ALL.iter().map(|s| s.label()).collect(),
        rows,
        view,
    }
    .into_response())
}
