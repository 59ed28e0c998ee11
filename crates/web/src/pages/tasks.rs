//! Task pages: the filtered list with exports, the timeline, a task with its history and the
//! forms of day-to-day work (progress, evidence, comments, assignment, rating), and the task
//! form for adding and editing with conflict handling.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use domain::DomainError;
use domain::auth::Principal;
use domain::services::work::{MAX_PAGE, TaskDetail, state_label};
use domain::work::{Evidence, ProgressInput, Task, TaskEvent, TaskInput, TaskQuery, TaskSort, TaskState, TaskStatus};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::api::work::file_response;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields, date_field, read_multipart};
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;
use crate::task_file;
use crate::work_query::{TaskListParams, task_query};

/// One task in a table.
pub struct TaskRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub agency: String,
    pub lead: String,
    pub deadline: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub progress: u8,
}

impl TaskRow {
    pub fn from(t: &Task) -> Self {
        TaskRow {
            id: t.id,
            code: t.code.clone(),
            title: t.title.clone(),
            agency: t.org.name.clone(),
            lead: t.lead.name.clone(),
            deadline: format::date(t.deadline),
            status: t.status.as_str(),
            status_label: t.status_label,
            progress: t.progress,
        }
    }
}

// ----- list and timeline -----------------------------------------------------------------------

/// The filter form's current values and choices, shared by the list and the timeline.
pub struct Filters {
    /// Where the filter form goes: the list or the timeline.
    pub action: &'static str,
    pub org: String,
    pub plan: String,
    pub from: String,
    pub to: String,
    pub assignee: String,
    pub q: String,
    pub statuses: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub items: Vec<ItemGroup>,
    /// The filters as a query string (no offset, no limit), for exports and the other view.
    pub query: String,
}

pub struct ItemGroup {
    pub label: String,
    pub items: Vec<Choice>,
}

impl Filters {
    async fn new(state: &AppState, p: &TaskListParams, action: &'static str) -> Result<Self, PageError> {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut items = Vec::new();
        for f in state.services.frameworks().await? {
            let fw = state.services.framework(f.id).await?;
            items.push(ItemGroup {
                label: fw.title.clone(),
                items: fw
                    .items()
                    .map(|(_, i)| Choice {
                        value: i.id.to_string(),
                        label: shorten(&format!("{}. {}", i.code, i.title), 90),
                        selected: s(&p.item) == i.id.to_string(),
                    })
                    .collect(),
            });
        }
        let plain = TaskListParams { offset: None, limit: None, ..p.clone() };
        Ok(Filters {
            statuses: TaskStatus::ALL
                .iter()
                .map(|x| Choice {
                    value: x.as_str().into(),
                    label: x.label().into(),
                    selected: s(&p.status) == x.as_str(),
                })
                .collect(),
            sorts: TaskSort::ALL
                .iter()
                .map(|x| Choice {
                    value: x.as_str().into(),
                    label: x.label().into(),
                    selected: s(&p.sort) == x.as_str(),
                })
                .collect(),
            items,
            query: serde_urlencoded::to_string(&plain).unwrap_or_default(),
            action,
            org: s(&p.org),
            plan: s(&p.plan),
            from: s(&p.from),
            to: s(&p.to),
            assignee: s(&p.assignee),
            q: s(&p.q),
        })
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

/// A page of the filtered tasks with the filter form and the paging links, or the sentence
/// saying which filter is wrong; the list and the timeline show it each their way.
struct Listing {
    f: Filters,
    tasks: Vec<Task>,
    /// "1.234" or "hơn 10.000".
    total: String,
    error: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

async fn listing(
    state: &AppState,
    p: &Principal,
    params: &TaskListParams,
    action: &'static str,
    size: u64,
) -> Result<Listing, PageError> {
    let result = match task_query(params) {
        Ok(query) => match state.services.list_tasks(p, &TaskQuery { limit: Some(size), ..query }).await {
            Ok(page) => Ok(page),
            Err(e) => Err(form_error(e)?),
        },
        Err(e) => Err(e.0.detail()),
    };
    let f = Filters::new(state, params, action).await?;
    let offset = params.offset.unwrap_or(0);
    let link = |offset: u64| format!("{action}?{}&offset={offset}", f.query);
    let (tasks, total, more, error) = match result {
        Ok(page) => {
            // Beyond a capped count, a full page is the sign of another.
            let full = page.items.len() as u64 == size;
            let more = full && (page.total_capped || offset + size < page.total);
            let total = format::total(&page);
            (page.items, total, more, None)
        }
        Err(e) => (Vec::new(), format::int(0), false, Some(e)),
    };
    Ok(Listing {
        prev_href: (offset > 0).then(|| link(offset.saturating_sub(size))),
        next_href: more.then(|| link(offset + size)),
        f,
        tasks,
        total,
        error,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct TasksPage {
    layout: Layout,
    f: Filters,
    tasks: Vec<TaskRow>,
    total: String,
    error: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const PAGE_SIZE: u64 = 50;

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<TaskListParams>,
) -> PageResult {
    let l = listing(&state, &p, &q, "/tasks", PAGE_SIZE).await?;
    let page = TasksPage {
        layout: Layout::new(&state.services, &session, &p, "tasks").await,
        tasks: l.tasks.iter().map(TaskRow::from).collect(),
        total: l.total,
        prev_href: l.prev_href,
        next_href: l.next_href,
        f: l.f,
        error: l.error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

#[derive(Template, WebTemplate)]
#[template(path = "task_timeline.html")]
struct TimelinePage {
    layout: Layout,
    f: Filters,
    svg: String,
    shown: String,
    total: String,
    error: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// Bars a timeline page draws at most (about 800 bytes of SVG each, so the page stays light).
const TIMELINE_PAGE: u64 = 80;

/// Bars in list order, each subtask right under its parent (when both are shown), indented.
fn bars(tasks: &[Task]) -> Vec<reports::Bar> {
    let shown = |id: i64| tasks.iter().any(|t| t.id == id);
    let mut out = Vec::with_capacity(tasks.len());
    let mut drawn = Vec::with_capacity(tasks.len());
    fn add(t: &Task, depth: u8, tasks: &[Task], out: &mut Vec<reports::Bar>, drawn: &mut Vec<i64>) {
        drawn.push(t.id);
        out.push(reports::Bar {
            label: format!("{} {}", t.code, t.title).trim().to_string(),
            start: t.start_date.unwrap_or(t.deadline - chrono::Duration::days(30)),
            end: t.deadline,
            progress: t.progress,
            status: t.status.as_str().to_string(),
            href: Some(format!("/tasks/{}", t.id)),
            depth,
        });
        for child in tasks.iter().filter(|c| c.parent_id == Some(t.id)) {
            add(child, depth.saturating_add(1).min(4), tasks, out, drawn);
        }
    }
    for t in tasks.iter().filter(|t| !t.parent_id.is_some_and(shown)) {
        add(t, 0, tasks, &mut out, &mut drawn);
    }
    // Tasks whose parents form a loop have no root among the shown ones: drawn flat at the end.
    for t in tasks {
        if !drawn.contains(&t.id) {
            add(t, 0, &[], &mut out, &mut drawn);
        }
    }
    out
}

pub async fn timeline(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<TaskListParams>,
) -> PageResult {
    let l = listing(&state, &p, &q, "/tasks/timeline", TIMELINE_PAGE).await?;
    let svg = reports::render_svg(&reports::Timeline { bars: bars(&l.tasks), today: state.services.clock().today() });
    let page = TimelinePage {
        layout: Layout::new(&state.services, &session, &p, "tasks").await,
        svg,
        shown: format::int(l.tasks.len() as u64),
        total: l.total,
        prev_href: l.prev_href,
        next_href: l.next_href,
        f: l.f,
        error: l.error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

// ----- one task --------------------------------------------------------------------------------

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub kind: &'static str,
    pub changes: Vec<String>,
    pub text: Option<String>,
}

impl EventView {
    fn from(e: &TaskEvent) -> Self {
        EventView {
            at: format::datetime(e.at),
            actor: e.actor.clone(),
            kind: e.kind.label(),
            changes: e.changes.clone(),
            text: e.text.clone(),
        }
    }
}

pub struct EvidenceView {
    pub name: String,
    pub href: String,
    pub is_link: bool,
    pub size: String,
    pub added: String,
}

impl EvidenceView {
    fn from(e: &Evidence) -> Self {
        EvidenceView {
            name: e.name.clone(),
            href: e.url.clone().unwrap_or_else(|| format!("/tasks/{}/evidence/{}", e.task_id, e.id)),
            is_link: e.url.is_some(),
            size: e.size.map(|b| format!("{} KB", format::int((b as u64).div_ceil(1024)))).unwrap_or_default(),
            added: format!("{}, {}", e.added_by, format::datetime(e.added_at)),
        }
    }
}

/// What the progress form shows: the task's values, or what the user sent when it failed.
pub struct ProgressDraft {
    pub row_version: i32,
    pub state: String,
    pub progress: String,
    pub completed_on: String,
    pub note: String,
}

pub struct LinkedTask {
    pub id: i64,
    pub label: String,
}

/// Which form an error belongs to, so it shows beside it.
#[derive(Default)]
pub struct FormProblem {
    pub form: &'static str,
    pub message: String,
    pub changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
struct TaskPage {
    layout: Layout,
    d: TaskDetail,
    start: String,
    deadline: String,
    completed_on: String,
    updated: String,
    item: Option<(String, String)>,
    parent: Option<LinkedTask>,
    depends: Vec<LinkedTask>,
    tasks: Vec<TaskRow>,
    evidence: Vec<EvidenceView>,
    history: Vec<EventView>,
    states: Vec<Choice>,
    ratings: Vec<Choice>,
    draft: ProgressDraft,
    assignees: String,
    today: String,
    notice: Option<&'static str>,
    problem: FormProblem,
}

impl TaskPage {
    fn error_for(&self, form: &str) -> Option<&FormProblem> {
        (self.problem.form == form && !self.problem.message.is_empty()).then_some(&self.problem)
    }
}

fn task_notice(ok: Option<&str>) -> Option<&'static str> {
    match ok? {
        "created" => Some("Đã thêm nhiệm vụ."),
        "saved" => Some("Đã lưu nhiệm vụ."),
        "progress" => Some("Đã cập nhật tiến độ."),
        "evidence" => Some("Đã thêm minh chứng."),
        "comment" => Some("Đã gửi ý kiến."),
        "assigned" => Some("Đã phân công."),
        "rated" => Some("Đã đánh giá chất lượng."),
        _ => None,
    }
}

async fn linked(state: &AppState, p: &Principal, id: i64) -> LinkedTask {
    let label = match state.services.task(p, id).await {
        Ok(t) => format!("{} {}", t.code, t.title).trim().to_string(),
        Err(_) => format!("Nhiệm vụ số {id}"),
    };
    LinkedTask { id, label }
}

/// The framework item a task was adopted from: its code and title, and its citation.
async fn item_of(state: &AppState, item_id: i64) -> Result<Option<(String, String)>, PageError> {
    for f in state.services.frameworks().await? {
        let fw = state.services.framework(f.id).await?;
        if let Some((_, i)) = fw.items().find(|(_, i)| i.id == item_id) {
            return Ok(Some((format!("{}. {} ({})", i.code, i.title, fw.title), i.cite.clone())));
        }
    }
    Ok(None)
}

async fn task_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    notice: Option<&'static str>,
    problem: FormProblem,
    draft: Option<ProgressDraft>,
) -> Result<TaskPage, PageError> {
    let d = state.services.task_detail(p, id).await?;
    let t = &d.task;
    let item = match t.framework_item_id {
        Some(item_id) => item_of(state, item_id).await?,
        None => None,
    };
    let parent = match t.parent_id {
        Some(pid) => Some(linked(state, p, pid).await),
        None => None,
    };
    let mut depends = Vec::new();
    for dep in &t.depends_on {
        depends.push(linked(state, p, *dep).await);
    }
    let draft = draft.unwrap_or_else(|| ProgressDraft {
        row_version: t.row_version,
        state: t.state.as_str().into(),
        progress: t.progress.to_string(),
        completed_on: t.completed_on.map(|d| d.to_string()).unwrap_or_default(),
        note: String::new(),
    });
    Ok(TaskPage {
        layout: Layout::new(&state.services, session, p, "tasks").await,
        start: format::opt_date(t.start_date),
        deadline: format::date(t.deadline),
        completed_on: format::opt_date(t.completed_on),
        updated: format::datetime(t.updated_at),
        assignees: t.assignees.iter().map(|u| u.username.as_str()).collect::<Vec<_>>().join("; "),
        tasks: d.subtasks.iter().map(TaskRow::from).collect(),
        evidence: d.evidence.iter().map(EvidenceView::from).collect(),
        history: d.history.iter().map(EventView::from).collect(),
        states: TaskState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: state_label(*s).into(),
                selected: draft.state == s.as_str(),
            })
            .collect(),
        ratings: (1..=5u8)
            .map(|i| Choice { value: i.to_string(), label: i.to_string(), selected: t.rating == Some(i) })
            .collect(),
        today: state.services.clock().today().to_string(),
        item,
        parent,
        depends,
        draft,
        notice,
        problem,
        d,
    })
}

#[derive(Deserialize)]
pub struct OkParams {
    ok: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<OkParams>,
) -> PageResult {
    let notice = task_notice(q.ok.as_deref());
    Ok(task_page(&state, &session, &p, id, notice, FormProblem::default(), None).await?.into_response())
}

/// After a task form: back to the task with a notice, or the page again with the problem
/// beside the form that caused it.
async fn after_form(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    form: &'static str,
    result: Result<&'static str, DomainError>,
    draft: Option<ProgressDraft>,
) -> PageResult {
    match result {
        Ok(ok) => Ok(Redirect::to(&format!("/tasks/{id}?ok={ok}#{form}")).into_response()),
        Err(e) => {
            let changes = match &e {
                DomainError::Stale { changes } => changes.clone(),
                _ => Vec::new(),
            };
            let message = form_error(e)?;
            // After a conflict the form takes the current version, so sending it again writes.
            let draft = match (draft, changes.is_empty()) {
                (Some(d), false) => {
                    Some(ProgressDraft { row_version: state.services.task(p, id).await?.row_version, ..d })
                }
                (d, _) => d,
            };
            let problem = FormProblem { form, message, changes };
            Ok(unprocessable(task_page(state, session, p, id, None, problem, draft).await?))
        }
    }
}

fn version(f: &Fields) -> i32 {
    f.get("row_version").trim().parse().unwrap_or(0)
}

pub async fn progress(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let parsed = || -> Result<ProgressInput, DomainError> {
        let progress = match f.get("progress").trim() {
            "" => None,
            s => Some(s.parse::<u8>().map_err(|_| DomainError::invalid("progress", "tiến độ từ 0 đến 100%"))?),
        };
        Ok(ProgressInput {
            state: Some(TaskState::parse(f.get("state"))?),
            progress,
            completed_on: date_field("completed_on", f.get("completed_on"))?,
            note: Some(f.get("note").to_string()).filter(|s| !s.trim().is_empty()),
            row_version: version(&f),
        })
    };
    let result = match parsed() {
        Ok(input) => state.services.report_progress(&p, id, &input).await.map(|_| "progress"),
        Err(e) => Err(e),
    };
    let draft = ProgressDraft {
        row_version: version(&f),
        state: f.get("state").into(),
        progress: f.get("progress").into(),
        completed_on: f.get("completed_on").into(),
        note: f.get("note").into(),
    };
    after_form(&state, &session, &p, id, "progress", result, Some(draft)).await
}

pub async fn evidence(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let (file, f) = read_multipart(form).await?;
    let url = f.get("url").trim().to_string();
    let link = (!url.is_empty()).then(|| (f.get("title"), url.as_str()));
    let file = file.as_ref().map(|(name, bytes)| (name.as_str(), bytes.as_slice()));
    let result = state.services.add_evidence(&p, id, file, link).await.map(|_| "evidence");
    after_form(&state, &session, &p, id, "evidence", result, None).await
}

pub async fn evidence_file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, evidence_id)): Path<(i64, i64)>,
) -> PageResult {
    let (e, bytes) = state.services.evidence_file(&p, evidence_id).await?;
    if e.task_id != id {
        return Err(DomainError::not_found("minh chứng", evidence_id.to_string()).into());
    }
    Ok(file_response((e, bytes)))
}

pub async fn comment(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = state.services.comment_task(&p, id, f.get("text")).await.map(|_| "comment");
    after_form(&state, &session, &p, id, "comment", result, None).await
}

pub async fn assign(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let people = task_file::list(f.get("assignees"));
    let result = state.services.assign_task(&p, id, version(&f), &people).await.map(|_| "assigned");
    after_form(&state, &session, &p, id, "assign", result, None).await
}

pub async fn rate(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = match f.get("rating").trim().parse::<u8>() {
        Ok(r) => state.services.rate_task(&p, id, version(&f), r).await.map(|_| "rated"),
        Err(_) => Err(DomainError::invalid("rating", "chọn điểm từ 1 đến 5")),
    };
    after_form(&state, &session, &p, id, "rating", result, None).await
}

// ----- the task form ---------------------------------------------------------------------------

/// The task form's fields as typed.
#[derive(Default)]
pub struct TaskForm {
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead: String,
    pub coordinating: String,
    pub assignees: String,
    pub start_date: String,
    pub deadline: String,
    pub parent_id: String,
    pub depends_on: Vec<String>,
}

/// `yyyy-mm-dd`, what a date input shows.
fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

impl TaskForm {
    fn from_task(t: &Task) -> Self {
        let codes = |v: Vec<&str>| v.join("; ");
        TaskForm {
            code: t.code.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            lead: t.lead.code.clone(),
            coordinating: codes(t.coordinating.iter().map(|o| o.code.as_str()).collect()),
            assignees: codes(t.assignees.iter().map(|u| u.username.as_str()).collect()),
            start_date: iso(t.start_date),
            deadline: iso(Some(t.deadline)),
            parent_id: t.parent_id.map(|i| i.to_string()).unwrap_or_default(),
            depends_on: t.depends_on.iter().map(|i| i.to_string()).collect(),
        }
    }

    fn from_fields(f: &Fields) -> Self {
        TaskForm {
            code: f.get("code").into(),
            title: f.get("title").into(),
            description: f.get("description").into(),
            lead: f.get("lead").into(),
            coordinating: f.get("coordinating").into(),
            assignees: f.get("assignees").into(),
            start_date: f.get("start_date").into(),
            deadline: f.get("deadline").into(),
            parent_id: f.get("parent_id").into(),
            depends_on: f.all("depends_on").into_iter().map(String::from).collect(),
        }
    }

    fn input(&self) -> Result<TaskInput, DomainError> {
        let id = |field: &'static str, s: &str| {
            s.trim().parse::<i64>().map_err(|_| DomainError::invalid(field, format!("'{s}' không phải số nhiệm vụ")))
        };
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(TaskInput {
            code: nonempty(&self.code),
            title: self.title.clone(),
            description: self.description.clone(),
            lead: nonempty(&self.lead),
            coordinating: task_file::list(&self.coordinating),
            assignees: task_file::list(&self.assignees),
            start_date: date_field("start_date", &self.start_date)?,
            deadline: date_field("deadline", &self.deadline)?,
            parent_id: match self.parent_id.trim() {
                "" => None,
                s => Some(id("parent_id", s)?),
            },
            depends_on: self
                .depends_on
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| id("depends_on", s))
                .collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task_form.html")]
struct TaskFormPage {
    layout: Layout,
    heading: String,
    action: String,
    back: String,
    plan_title: String,
    plan_id: i64,
    row_version: Option<i32>,
    form: TaskForm,
    parents: Vec<Choice>,
    deps: Vec<Choice>,
    error: Option<String>,
    changes: Vec<String>,
}

/// Tasks of the plan to choose a parent and dependencies from (not the task itself).
async fn plan_choices(
    state: &AppState,
    p: &Principal,
    plan_id: i64,
    own: Option<i64>,
    form: &TaskForm,
) -> Result<(Vec<Choice>, Vec<Choice>), PageError> {
    let q =
        TaskQuery { plan_id: Some(plan_id), sort: Some(TaskSort::Code), limit: Some(MAX_PAGE), ..Default::default() };
    let tasks = state.services.list_tasks(p, &q).await?.items;
    let choice = |t: &Task, selected: bool| Choice {
        value: t.id.to_string(),
        label: shorten(&format!("{} {}", t.code, t.title), 90),
        selected,
    };
    let others: Vec<&Task> = tasks.iter().filter(|t| Some(t.id) != own).collect();
    Ok((
        others.iter().map(|t| choice(t, form.parent_id == t.id.to_string())).collect(),
        others.iter().map(|t| choice(t, form.depends_on.contains(&t.id.to_string()))).collect(),
    ))
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    plan_id: i64,
    task_id: Option<i64>,
    row_version: Option<i32>,
    form: TaskForm,
    error: Option<String>,
    changes: Vec<String>,
) -> Result<TaskFormPage, PageError> {
    let plan = state.services.plan(p, plan_id).await?;
    let (parents, deps) = plan_choices(state, p, plan_id, task_id, &form).await?;
    let (heading, action, back) = match task_id {
        Some(id) => ("Sửa nhiệm vụ".to_string(), format!("/tasks/{id}/edit"), format!("/tasks/{id}")),
        None => ("Thêm nhiệm vụ".to_string(), format!("/plans/{plan_id}/tasks"), format!("/plans/{plan_id}")),
    };
    Ok(TaskFormPage {
        layout: Layout::new(&state.services, session, p, "tasks").await,
        heading,
        action,
        back,
        plan_title: plan.title,
        plan_id,
        row_version,
        form,
        parents,
        deps,
        error,
        changes,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(plan_id): Path<i64>,
) -> PageResult {
    let form = TaskForm::default();
    Ok(form_page(&state, &session, &p, plan_id, None, None, form, None, Vec::new()).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(plan_id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let form = TaskForm::from_fields(&f);
    let result = match form.input() {
        Ok(input) => state.services.create_task(&p, plan_id, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}?ok=created", t.id)).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            let page = form_page(&state, &session, &p, plan_id, None, None, form, error, Vec::new()).await?;
            Ok(unprocessable(page))
        }
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let d = state.services.task_detail(&p, id).await?;
    if !d.may_edit {
        return Err(DomainError::Transition {
            state: d.plan_status.label(),
            action: "sửa nhiệm vụ của kế hoạch (hãy điều chỉnh kế hoạch để tạo phiên bản mới)",
        }
        .into());
    }
    let t = d.task;
    let form = TaskForm::from_task(&t);
    let page =
        form_page(&state, &session, &p, t.plan_id, Some(id), Some(t.row_version), form, None, Vec::new()).await?;
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let form = TaskForm::from_fields(&f);
    let row_version = version(&f);
    let result = match form.input() {
        Ok(input) => state.services.update_task(&p, id, row_version, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?ok=saved")).into_response()),
        Err(e) => {
            let current = state.services.task(&p, id).await?;
            // After a conflict the form keeps what the user typed and takes the current
            // version, so saving again (after reading what changed) writes it.
            let (row_version, changes, error) = match e {
                DomainError::Stale { changes } => (
                    current.row_version,
                    changes,
                    "Người khác đã sửa nhiệm vụ này trong lúc bạn sửa; thay đổi của bạn chưa được lưu và vẫn còn \
                     nguyên trong biểu mẫu. Hãy xem lại thay đổi của họ rồi bấm Lưu lần nữa."
                        .to_string(),
                ),
                e => (row_version, Vec::new(), form_error(e)?),
            };
            let page = form_page(
                &state,
                &session,
                &p,
                current.plan_id,
                Some(id),
                Some(row_version),
                form,
                Some(error),
                changes,
            )
            .await?;
            Ok(unprocessable(page))
        }
    }
}
