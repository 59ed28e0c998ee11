//! Plan pages: the list, a new plan from a template and frameworks, a plan with its sections,
//! workflow buttons, approved versions and tasks, editing with conflict handling, comparing
//! versions, and importing tasks from a file.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::Principal;
use domain::error::RowProblem;
use domain::services::import::IMPORT_COLUMNS;
use domain::services::work::{NewPlanInput, StepInput, VersionDiff, sanitize_html};
use domain::work::{Plan, PlanSection, PlanStatus, PlanStep, PlanVersion, TaskQuery, TaskSort};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields, date_field, read_multipart};
use crate::pages::tasks::TaskRow;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;
use crate::task_file;

pub struct PlanRow {
    pub id: i64,
    pub title: String,
    pub org: String,
    pub period: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub updated: String,
}

impl PlanRow {
    fn from(p: &Plan) -> Self {
        PlanRow {
            id: p.id,
            title: p.title.clone(),
            org: p.org.name.clone(),
            period: p.period.label(),
            status: p.status.as_str(),
            status_label: p.status.label(),
            updated: format::datetime(p.updated_at),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plans.html")]
struct PlansPage {
    layout: Layout,
    org: String,
    year: String,
    statuses: Vec<Choice>,
    rows: Vec<PlanRow>,
    total: String,
    may_create: bool,
    error: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
pub struct PlanListParams {
    #[serde(default)]
    org: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    offset: u64,
}

const PAGE_SIZE: u64 = 50;

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<PlanListParams>,
) -> PageResult {
    let status = PlanStatus::parse(q.status.trim()).ok();
    let year = q.year.trim().parse::<i32>().ok();
    let (page, error) =
        match state.services.list_plans(&p, Some(q.org.as_str()), status, year, q.offset, PAGE_SIZE).await {
            Ok(page) => (Some(page), None),
            Err(e) => (None, Some(form_error(e)?)),
        };
    let link = |offset: u64| {
        let params = PlanListParams { offset, ..q.clone() };
        format!("/plans?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    };
    let total = page.as_ref().map_or(0, |p| p.total);
    let html = PlansPage {
        layout: Layout::new(&state.services, &session, &p, "plans").await,
        org: q.org.clone(),
        year: q.year.clone(),
        statuses: PlanStatus::ALL
            .iter()
            .map(|s| Choice { value: s.as_str().into(), label: s.label().into(), selected: Some(*s) == status })
            .collect(),
        rows: page.map(|p| p.items.iter().map(PlanRow::from).collect()).unwrap_or_default(),
        total: format::int(total),
        may_create: !state.services.plan_units(&p).is_empty(),
        prev_href: (q.offset > 0).then(|| link(q.offset.saturating_sub(PAGE_SIZE))),
        next_href: (q.offset + PAGE_SIZE < total).then(|| link(q.offset + PAGE_SIZE)),
        error,
    };
    Ok(if html.error.is_some() { unprocessable(html) } else { html.into_response() })
}

// ----- new plan --------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "plan_new.html")]
struct NewPlanPage {
    layout: Layout,
    org: String,
    title: String,
    period: String,
    templates: Vec<Choice>,
    frameworks: Vec<Choice>,
    error: Option<String>,
}

async fn new_plan_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    input: &NewPlanInput,
    error: Option<String>,
) -> Result<NewPlanPage, PageError> {
    let frameworks = state.services.frameworks().await?;
    Ok(NewPlanPage {
        layout: Layout::new(&state.services, session, p, "plans").await,
        org: input.org.clone(),
        title: input.title.clone(),
        period: input.period.clone(),
        templates: state
            .services
            .templates()
            .iter()
            .map(|t| Choice { value: t.code.clone(), label: t.title.clone(), selected: t.code == input.template })
            .collect(),
        frameworks: frameworks
            .iter()
            .map(|f| Choice {
                value: f.id.to_string(),
                label: format!("{} ({} nhiệm vụ)", f.title, f.item_count),
                selected: input.frameworks.contains(&f.id),
            })
            .collect(),
        error,
    })
}

pub async fn new_form(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let input = NewPlanInput {
        org: state.services.plan_units(&p).first().map(|g| g.org_code.clone()).unwrap_or_default(),
        period: (chrono::Datelike::year(&state.services.clock().today())).to_string(),
        ..NewPlanInput::default()
    };
    Ok(new_plan_page(&state, &session, &p, &input, None).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let input = NewPlanInput {
        org: f.get("org").to_string(),
        title: f.get("title").to_string(),
        period: f.get("period").to_string(),
        template: f.get("template").to_string(),
        frameworks: f.all("frameworks").iter().filter_map(|v| v.parse().ok()).collect(),
        items: Vec::new(),
    };
    match state.services.create_plan(&p, &input).await {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{}?ok=created", plan.id)).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            Ok(unprocessable(new_plan_page(&state, &session, &p, &input, error).await?))
        }
    }
}

// ----- one plan --------------------------------------------------------------------------------

pub struct SectionView {
    pub title: String,
    /// Sanitised again at rendering, so `|safe` never meets raw input.
    pub html: String,
}

pub struct StepButton {
    pub step: &'static str,
    pub label: &'static str,
    pub approve: bool,
    pub give_back: bool,
}

pub struct VersionRow {
    pub number: i32,
    pub decision: String,
    pub approved_by: String,
    pub approved_at: String,
    pub tasks: usize,
}

impl VersionRow {
    fn from(v: &PlanVersion) -> Self {
        VersionRow {
            number: v.number,
            decision: format!("{} ngày {}", v.decision_number, format::date(v.decision_date)),
            approved_by: v.approved_by.clone(),
            approved_at: format::datetime(v.approved_at),
            tasks: v.tasks.len(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    plan: Plan,
    period: String,
    decision: Option<String>,
    sections: Vec<SectionView>,
    steps: Vec<StepButton>,
    today: String,
    versions: Vec<VersionRow>,
    tasks: Vec<TaskRow>,
    tasks_total: String,
    tasks_more: bool,
    may_edit: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn plan_notice(ok: Option<&str>) -> Option<String> {
    Some(
        match ok? {
            "created" => "Đã tạo kế hoạch.",
            "saved" => "Đã lưu kế hoạch.",
            "submit" => "Đã trình phê duyệt.",
            "return" => "Đã trả lại dự thảo.",
            "approve" => "Đã phê duyệt kế hoạch.",
            "start" => "Kế hoạch đã được đưa vào thực hiện.",
            "revise" => "Đã tạo dự thảo điều chỉnh; phiên bản đã phê duyệt vẫn được lưu.",
            "close" => "Đã kết thúc kế hoạch.",
            "task" => "Đã thêm nhiệm vụ.",
            _ => return None,
        }
        .to_string(),
    )
}

/// Tasks the plan page lists (the task list has them all).
const PLAN_TASKS: u64 = 100;

async fn plan_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PlanPage, PageError> {
    let s = &state.services;
    let plan = s.plan(p, id).await?;
    let versions = s.plan_versions(p, id).await?;
    let tasks = s
        .list_tasks(
            p,
            &TaskQuery { plan_id: Some(id), sort: Some(TaskSort::Code), limit: Some(PLAN_TASKS), ..Default::default() },
        )
        .await?;
    Ok(PlanPage {
        layout: Layout::new(s, session, p, "plans").await,
        period: plan.period.label(),
        decision: plan.decision_number.as_ref().map(|n| match plan.decision_date {
            Some(d) => format!("{n} ngày {}", format::date(d)),
            None => n.clone(),
        }),
        sections: plan
            .sections
            .iter()
            .map(|sec| SectionView { title: sec.title.clone(), html: sanitize_html(&sec.html) })
            .collect(),
        steps: s
            .plan_steps_for(p, &plan)
            .into_iter()
            .map(|step| StepButton {
                step: step.as_str(),
                label: step_button(step),
                approve: step == PlanStep::Approve,
                give_back: step == PlanStep::Return,
            })
            .collect(),
        today: s.clock().today().to_string(),
        versions: versions.iter().map(VersionRow::from).collect(),
        tasks_total: format::total(&tasks),
        tasks_more: tasks.total > tasks.items.len() as u64,
        tasks: tasks.items.iter().map(TaskRow::from).collect(),
        may_edit: s.may_edit_plan(p, &plan),
        plan,
        notice,
        error,
    })
}

/// The button's words for a step.
fn step_button(step: PlanStep) -> &'static str {
    match step {
        PlanStep::Submit => "Trình phê duyệt",
        PlanStep::Return => "Trả lại dự thảo",
        PlanStep::Approve => "Phê duyệt",
        PlanStep::Start => "Đưa vào thực hiện",
        PlanStep::Revise => "Điều chỉnh (tạo phiên bản mới)",
        PlanStep::Close => "Kết thúc kế hoạch",
    }
}

#[derive(Deserialize)]
pub struct OkParams {
    ok: Option<String>,
    imported: Option<usize>,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<OkParams>,
) -> PageResult {
    let notice = match q.imported {
        Some(n) => Some(format!("Đã nhập {} nhiệm vụ từ tệp.", format::int(n as u64))),
        None => plan_notice(q.ok.as_deref()),
    };
    Ok(plan_page(&state, &session, &p, id, notice, None).await?.into_response())
}

pub async fn step(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let parsed = || -> Result<StepInput, DomainError> {
        Ok(StepInput {
            step: PlanStep::parse(f.get("step"))?,
            row_version: f.get("row_version").parse().unwrap_or(0),
            decision_number: Some(f.get("decision_number").to_string()).filter(|s| !s.trim().is_empty()),
            decision_date: date_field("decision_date", f.get("decision_date"))?,
            note: Some(f.get("note").to_string()).filter(|s| !s.trim().is_empty()),
        })
    };
    let result = match parsed() {
        Ok(input) => state.services.plan_step(&p, id, &input).await.map(|_| input.step),
        Err(e) => Err(e),
    };
    match result {
        Ok(step) => Ok(Redirect::to(&format!("/plans/{id}?ok={}", step.as_str())).into_response()),
        Err(e) => {
            let error = Some(form_error(e)?);
            Ok(unprocessable(plan_page(&state, &session, &p, id, None, error).await?))
        }
    }
}

// ----- edit ------------------------------------------------------------------------------------

pub struct SectionField {
    pub title: String,
    pub html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_edit.html")]
struct PlanEditPage {
    layout: Layout,
    id: i64,
    row_version: i32,
    title: String,
    sections: Vec<SectionField>,
    error: Option<String>,
    changes: Vec<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let plan = state.services.plan(&p, id).await?;
    if !state.services.may_edit_plan(&p, &plan) {
        return Err(DomainError::Transition { state: plan.status.label(), action: "sửa nội dung kế hoạch" }.into());
    }
    Ok(PlanEditPage {
        layout: Layout::new(&state.services, &session, &p, "plans").await,
        id,
        row_version: plan.row_version,
        title: plan.title.clone(),
        sections: plan.sections.iter().map(|s| SectionField { title: s.title.clone(), html: s.html.clone() }).collect(),
        error: None,
        changes: Vec::new(),
    }
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let sections: Vec<PlanSection> = f
        .all("section_title")
        .into_iter()
        .zip(f.all("section_html"))
        .map(|(title, html)| PlanSection { title: title.to_string(), html: html.to_string() })
        .collect();
    let row_version: i32 = f.get("row_version").parse().unwrap_or(0);
    match state.services.update_plan(&p, id, row_version, f.get("title"), &sections).await {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}?ok=saved")).into_response()),
        Err(e) => {
            // On a conflict the form keeps the user's text and takes the current version, so
            // saving again (after reading what changed) writes it.
            let (row_version, changes) = match &e {
                DomainError::Stale { changes } => (state.services.plan(&p, id).await?.row_version, changes.clone()),
                _ => (row_version, Vec::new()),
            };
            let error = if changes.is_empty() {
                form_error(e)?
            } else {
                "Người khác đã sửa kế hoạch này trong lúc bạn sửa; nội dung của bạn chưa được lưu và vẫn còn \
                 nguyên dưới đây. Hãy xem lại thay đổi của họ rồi bấm Lưu lần nữa."
                    .to_string()
            };
            Ok(unprocessable(PlanEditPage {
                layout: Layout::new(&state.services, &session, &p, "plans").await,
                id,
                row_version,
                title: f.get("title").to_string(),
                sections: sections.into_iter().map(|s| SectionField { title: s.title, html: s.html }).collect(),
                error: Some(error),
                changes,
            }))
        }
    }
}

// ----- versions --------------------------------------------------------------------------------

pub struct VersionTaskRow {
    pub code: String,
    pub title: String,
    pub lead: String,
    pub deadline: String,
}

fn version_tasks(tasks: &[domain::work::VersionTask]) -> Vec<VersionTaskRow> {
    tasks
        .iter()
        .map(|t| VersionTaskRow {
            code: t.code.clone(),
            title: t.title.clone(),
            lead: t.lead.clone(),
            deadline: format::date(t.deadline),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "plan_version.html")]
struct VersionPage {
    layout: Layout,
    plan: Plan,
    diff: VersionDiff,
    to: VersionRow,
    from: Option<VersionRow>,
    added: Vec<VersionTaskRow>,
    removed: Vec<VersionTaskRow>,
}

pub async fn version(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((id, number)): Path<(i64, i32)>,
) -> PageResult {
    let plan = state.services.plan(&p, id).await?;
    let diff = state.services.compare_versions(&p, id, number).await?;
    Ok(VersionPage {
        layout: Layout::new(&state.services, &session, &p, "plans").await,
        to: VersionRow::from(&diff.to),
        from: diff.from.as_ref().map(VersionRow::from),
        added: version_tasks(&diff.tasks_added),
        removed: version_tasks(&diff.tasks_removed),
        plan,
        diff,
    }
    .into_response())
}

// ----- import ----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "plan_import.html")]
struct ImportPage {
    layout: Layout,
    plan: Plan,
    columns: Vec<&'static str>,
    error: Option<String>,
    problems: Vec<RowProblem>,
}

async fn import_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    error: Option<String>,
    problems: Vec<RowProblem>,
) -> Result<ImportPage, PageError> {
    Ok(ImportPage {
        layout: Layout::new(&state.services, session, p, "plans").await,
        plan: state.services.plan(p, id).await?,
        columns: IMPORT_COLUMNS.to_vec(),
        error,
        problems,
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    Ok(import_page(&state, &session, &p, id, None, Vec::new()).await?.into_response())
}

pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    form: Multipart,
) -> PageResult {
    let (file, _) = read_multipart(form).await?;
    let result = match &file {
        Some((_, bytes)) => task_file::import_file(&state.services, &p, id, bytes).await,
        None => Err(DomainError::invalid("file", "chọn một tệp CSV hoặc XLSX")),
    };
    match result {
        Ok(ids) => Ok(Redirect::to(&format!("/plans/{id}?imported={}", ids.len())).into_response()),
        Err(DomainError::Rejected(problems)) => {
            let error = format!(
                "Không nhập nhiệm vụ nào: tệp có {} lỗi, liệt kê dưới đây. Hãy sửa tệp rồi nhập lại.",
                problems.len()
            );
            Ok(unprocessable(import_page(&state, &session, &p, id, Some(error), problems).await?))
        }
        Err(e) => {
            let error = Some(form_error(e)?);
            Ok(unprocessable(import_page(&state, &session, &p, id, error, Vec::new()).await?))
        }
    }
}
