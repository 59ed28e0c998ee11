//! Framework pages (the programme's groups of tasks with deadlines, supporting units, targets
//! and citations) and the national view of their adoption across agencies.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use domain::DomainError;
use domain::frameworks::{Framework, FrameworkSummary, Target};
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

pub struct TargetLine {
    pub text: String,
}

impl TargetLine {
    fn from(t: &Target) -> Self {
        let mut text = t.description.clone();
        if let Some(v) = t.value {
            let value = if v.fract() == 0.0 && v.abs() < 1e15 { format::int(v.abs() as u64) } else { v.to_string() };
            text.push_str(&format!(": {value}{}", t.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()));
        }
        if let Some(by) = &t.by {
            text.push_str(&format!(" (trước {})", by.label()));
        }
        TargetLine { text }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "framework.html")]
struct FrameworkPage {
    layout: Layout,
    f: Framework,
    kind: &'static str,
    count: String,
}

impl FrameworkPage {
    fn targets(&self, targets: &[Target]) -> Vec<TargetLine> {
        targets.iter().map(TargetLine::from).collect()
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let f = state.services.framework(id).await?;
    Ok(FrameworkPage {
        layout: Layout::new(&state.services, &session, &p, "frameworks").await,
        kind: f.kind.label(),
        count: format::int(f.item_count() as u64),
        f,
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
