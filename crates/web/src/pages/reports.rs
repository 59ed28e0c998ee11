//! Report pages: the list with opening a round, one report (its text, figures, history, the
//! workflow buttons and the files), the completeness of a round with drill-down, and the
//! synthesis. Each handler calls the same services as the API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use domain::auth::Principal;
use domain::indicators::format_number;
use domain::org::OrgType;
use domain::reporting::{
    FigureCell, FigureTable, Figures, IndicatorFigure, Narrative, ReportContent, ReportState, ReportStep,
    ReportTemplate, SectionFigures, SectionKind, Signer, SynthesisSection, TaskStats,
};
use domain::services::reporting::{OpenRoundInput, ReportQuery, StepInput};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::AppState;
use crate::api::reporting::{report_bytes, synthesis_bytes};
use crate::api::task_io::download;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields, date_field};
use crate::pages::{Layout, form_error, unprocessable};
use crate::report_file::Format;
use crate::session::Actor;

const PAGE_SIZE: u64 = 50;

pub struct ReportRow {
    pub id: i64,
    pub title: String,
    pub org: String,
    pub receiver: String,
    pub period: String,
    pub due: String,
    pub state: &'static str,
    pub state_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
struct ReportsPage {
    layout: Layout,
    q: ListParams,
    templates: Vec<Choice>,
    states: Vec<Choice>,
    rows: Vec<ReportRow>,
    total: String,
    error: Option<String>,
    opened: Option<String>,
    round: RoundForm,
    prev_href: Option<String>,
    next_href: Option<String>,
}

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub receiver: String,
    #[serde(default)]
    pub offset: u64,
    #[serde(default, skip_serializing)]
    pub opened: Option<String>,
}

/// The "open a round" form as typed.
#[derive(Default)]
pub struct RoundForm {
    pub template: String,
    pub period: String,
    pub receiver: String,
    pub types: Vec<Choice>,
    pub due_on: String,
    pub error: Option<String>,
}

async fn template_choices(state: &AppState, selected: &str) -> Vec<Choice> {
    state
        .services
        .report_templates()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| Choice {
            selected: t.template.code == selected,
            label: format!("{} ({})", t.template.name, t.template.period_type.label().to_lowercase()),
            value: t.template.code,
        })
        .collect()
}

fn type_choices(selected: &[&str]) -> Vec<Choice> {
    OrgType::ALL
        .iter()
        .map(|t| Choice { value: t.as_str().into(), label: t.label().into(), selected: selected.contains(&t.as_str()) })
        .collect()
}

async fn list_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    q: ListParams,
    round: RoundForm,
) -> Result<ReportsPage, PageError> {
    let query = ReportQuery {
        template: Some(q.template.clone()),
        period: Some(q.period.trim().to_string()),
        state: ReportState::parse(q.state.trim()).ok(),
        receiver: Some(q.receiver.clone()),
        org: Some(q.org.clone()),
        offset: q.offset,
        limit: PAGE_SIZE,
    };
    let (page, error) = match state.services.list_reports(p, &query).await {
        Ok(page) => (Some(page), None),
        Err(e) => (None, Some(form_error(e)?)),
    };
    let link = |offset: u64| {
        let params = ListParams { offset, ..q.clone() };
        format!("/reports?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    };
    let total = page.as_ref().map_or(0, |p| p.total);
    Ok(ReportsPage {
        layout: Layout::new(&state.services, session, p, "reports").await,
        templates: template_choices(state, &q.template).await,
        states: ReportState::ALL
            .iter()
            .map(|s| Choice { value: s.as_str().into(), label: s.label().into(), selected: s.as_str() == q.state })
            .collect(),
        rows: page
            .map(|p| {
                p.items
                    .iter()
                    .map(|r| ReportRow {
                        id: r.id,
                        title: r.title.clone(),
                        org: r.org.name.clone(),
                        receiver: r.receiver.name.clone(),
                        period: r.period_label.clone(),
                        due: format::date(r.due_on),
                        state: r.state.as_str(),
                        state_label: r.state_label,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        total: format::int(total),
        error,
        opened: q.opened.clone(),
        prev_href: (q.offset > 0).then(|| link(q.offset.saturating_sub(PAGE_SIZE))),
        next_href: (q.offset + PAGE_SIZE < total).then(|| link(q.offset + PAGE_SIZE)),
        q,
        round,
    })
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> PageResult {
    let round = RoundForm { types: type_choices(&[]), ..Default::default() };
    let page = list_page(&state, &session, &p, q, round).await?;
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

/// Opens a round from the list page's form.
pub async fn open_round(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let types = f.all("org_types");
    let parsed = || -> Result<OpenRoundInput, DomainError> {
        Ok(OpenRoundInput {
            template: f.get("template").to_string(),
            period: f.get("period").trim().to_string(),
            receiver: f.get("receiver").trim().to_string(),
            org_types: types.iter().map(|t| OrgType::parse(t)).collect::<Result<_, _>>()?,
            due_on: date_field("due_on", f.get("due_on"))?,
        })
    };
    let result = match parsed() {
        Ok(input) => state.services.open_report_round(&p, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => {
            let note = format!(
                "Đã giao {} báo cáo mới ({} đơn vị đã có), hạn nộp {}.",
                r.opened,
                r.existing,
                format::date(r.due_on)
            );
            let params = [
                ("template", r.template.as_str()),
                ("period", r.period.as_str()),
                ("receiver", f.get("receiver")),
                ("opened", note.as_str()),
            ];
            Ok(Redirect::to(&format!("/reports?{}", serde_urlencoded::to_string(params).unwrap_or_default()))
                .into_response())
        }
        Err(e) => {
            let round = RoundForm {
                template: f.get("template").into(),
                period: f.get("period").into(),
                receiver: f.get("receiver").into(),
                types: type_choices(&types),
                due_on: f.get("due_on").into(),
                error: Some(form_error(e)?),
            };
            Ok(unprocessable(list_page(&state, &session, &p, ListParams::default(), round).await?))
        }
    }
}

// ----- one report -------------------------------------------------------------------------------

/// One section as the page shows it.
pub struct SectionView {
    pub key: String,
    pub heading: String,
    pub level: u8,
    pub narrative: Option<Narrative>,
    /// A table of figures: headers and rows of text.
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
    /// A collected narrative per unit (synthesis).
    pub units: Vec<(String, String, String)>,
}

fn figure_rows(rows: &[IndicatorFigure]) -> (Vec<String>, Vec<Vec<String>>) {
    let pct = |x: Option<f64>| x.map(|v| format!("{} %", format_number((v * 10.0).round() / 10.0))).unwrap_or_default();
    let num = |x: Option<f64>| x.map(|v| format_number((v * 100.0).round() / 100.0)).unwrap_or_else(|| "—".into());
    (
        ["Chỉ tiêu", "Kết quả", "Mục tiêu", "Tỷ lệ đạt"].map(String::from).to_vec(),
        rows.iter()
            .map(|f| {
                let progress = match (f.value, f.target) {
                    (Some(v), Some(t)) if t != 0.0 => Some(v / t * 100.0),
                    _ => None,
                };
                vec![format!("{} ({})", f.name, f.code), num(f.value), num(f.target), pct(progress)]
            })
            .collect(),
    )
}

fn task_rows(t: &TaskStats) -> (Vec<String>, Vec<Vec<String>>) {
    (
        ["Tổng số", "Đúng hạn", "Quá hạn (đã xong)", "Quá hạn chưa xong", "Đang thực hiện"].map(String::from).to_vec(),
        vec![[t.total, t.done_on_time, t.done_late, t.overdue, t.open].iter().map(|n| format::int(*n)).collect()],
    )
}

fn table_rows(t: &FigureTable) -> (Vec<String>, Vec<Vec<String>>) {
    (t.headers.clone(), t.rows.iter().map(|r| r.iter().map(FigureCell::label).collect()).collect())
}

fn sections(template: &ReportTemplate, content: &ReportContent, figures: &Figures) -> Vec<SectionView> {
    template
        .sections
        .iter()
        .map(|s| SectionView {
            key: s.key.clone(),
            heading: s.heading.clone(),
            level: s.level.min(3),
            narrative: (s.kind == SectionKind::Narrative)
                .then(|| content.narratives.get(&s.key).cloned().unwrap_or_default()),
            table: match figures.sections.get(&s.key) {
                Some(SectionFigures::Indicators { rows }) => Some(figure_rows(rows)),
                Some(SectionFigures::Tasks(t)) => Some(task_rows(t)),
                Some(SectionFigures::Table(t)) => Some(table_rows(t)),
                None => None,
            },
            units: Vec::new(),
        })
        .collect()
}

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub step: &'static str,
    pub to: &'static str,
    pub comment: String,
}

pub struct StepButton {
    pub step: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    id: i64,
    title: String,
    org: String,
    receiver: String,
    period: String,
    due: String,
    state: &'static str,
    state_label: &'static str,
    row_version: i32,
    version: i32,
    on_time: Option<bool>,
    figures_note: String,
    sections: Vec<SectionView>,
    content: ReportContent,
    recipients: String,
    events: Vec<EventRow>,
    steps: Vec<StepButton>,
    may_edit: bool,
    error: Option<String>,
    failures: Vec<String>,
    ok: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct OkParam {
    #[serde(default)]
    ok: Option<String>,
}

async fn report_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: i64,
    typed: Option<ReportContent>,
    error: Option<DomainError>,
    ok: Option<String>,
) -> Result<ReportPage, PageError> {
    let d = state.services.report(p, id).await?;
    let failures = match &error {
        Some(DomainError::Incomplete(list)) => list.iter().map(|f| f.message.clone()).collect(),
        _ => Vec::new(),
    };
    let error = match error {
        Some(e) => Some(form_error(e)?),
        None => None,
    };
    let content = typed.unwrap_or(d.content.clone());
    let figures_note = match (d.figures_frozen, d.figures.as_of) {
        (true, Some(day)) => format!("Số liệu chốt khi gửi phiên bản {} ngày {}.", d.report.version, format::date(day)),
        (_, Some(day)) => format!("Số liệu tính đến ngày {}; sẽ được chốt khi gửi báo cáo.", format::date(day)),
        _ => String::new(),
    };
    Ok(ReportPage {
        layout: Layout::new(&state.services, session, p, "reports").await,
        id,
        title: d.report.title.clone(),
        org: d.report.org.name.clone(),
        receiver: d.report.receiver.name.clone(),
        period: d.report.period_label.clone(),
        due: format::date(d.report.due_on),
        state: d.report.state.as_str(),
        state_label: d.report.state_label,
        row_version: d.report.row_version,
        version: d.report.version,
        on_time: d.report.on_time,
        figures_note,
        sections: sections(&d.template, &content, &d.figures),
        recipients: content.recipients.join("\n"),
        content,
        events: d
            .events
            .iter()
            .map(|e| EventRow {
                at: format::datetime(e.at),
                actor: e.actor.clone(),
                step: e.step_label,
                to: e.to_state.label(),
                comment: e.comment.clone().unwrap_or_default(),
            })
            .collect(),
        steps: d
            .steps
            .iter()
            .map(|s| StepButton { step: s.as_str(), label: s.label(), needs_comment: s.needs_comment() })
            .collect(),
        may_edit: d.may_edit,
        error,
        failures,
        ok: ok.map(|s| match ReportStep::parse(&s) {
            Ok(step) => format!("Đã thực hiện: {}.", step.label()),
            Err(_) => "Đã lưu.".into(),
        }),
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<OkParam>,
) -> PageResult {
    Ok(report_page(&state, &session, &p, id, None, None, q.ok).await?.into_response())
}

fn content_of(f: &Fields) -> ReportContent {
    let mut narratives = std::collections::BTreeMap::new();
    for (k, _) in f.0.iter().filter(|(k, _)| k.starts_with("achieved.")) {
        let key = k.trim_start_matches("achieved.");
        narratives.insert(
            key.to_string(),
            Narrative {
                achieved: f.get(k).to_string(),
                shortcomings: f.get(&format!("shortcomings.{key}")).to_string(),
            },
        );
    }
    ReportContent {
        narratives,
        number_symbol: f.get("number_symbol").to_string(),
        signer: Signer {
            authority: Some(f.get("signer_authority").to_string()).filter(|s| !s.trim().is_empty()),
            title: f.get("signer_title").to_string(),
            name: f.get("signer_name").to_string(),
        },
        recipients: f.get("recipients").lines().map(str::to_string).collect(),
    }
}

/// Saves the text; "Lưu và gửi" saves then submits.
pub async fn save(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let content = content_of(&f);
    let row_version = f.get("row_version").parse().unwrap_or(0);
    let saved = state.services.save_report(&p, id, row_version, &content).await;
    let result = match (saved, f.get("then")) {
        (Ok(r), "submit") => {
            let input = StepInput { step: ReportStep::Submit, row_version: r.row_version, comment: None };
            state.services.report_step(&p, id, &input).await.map(|_| "submit")
        }
        (Ok(_), _) => Ok("saved"),
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(ok) => Ok(Redirect::to(&format!("/reports/{id}?ok={ok}")).into_response()),
        // A refused submission keeps the saved text; a refused save shows what was typed.
        Err(e @ DomainError::Incomplete(_)) => {
            Ok(unprocessable(report_page(&state, &session, &p, id, None, Some(e), None).await?))
        }
        Err(e) => Ok(unprocessable(report_page(&state, &session, &p, id, Some(content), Some(e), None).await?)),
    }
}

pub async fn step(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = match ReportStep::parse(f.get("step")) {
        Ok(step) => {
            let input = StepInput {
                step,
                row_version: f.get("row_version").parse().unwrap_or(0),
                comment: Some(f.get("comment").to_string()),
            };
            state.services.report_step(&p, id, &input).await.map(|_| step)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(step) => Ok(Redirect::to(&format!("/reports/{id}?ok={}", step.as_str())).into_response()),
        Err(e) => Ok(unprocessable(report_page(&state, &session, &p, id, None, Some(e), None).await?)),
    }
}

#[derive(Deserialize, Default)]
pub struct VersionParam {
    #[serde(default)]
    version: Option<i32>,
}

fn format_param(s: &str) -> Result<Format, PageError> {
    Format::parse(s).ok_or_else(|| PageError::from(DomainError::not_found("định dạng", s.to_string())))
}

pub async fn file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, format)): Path<(i64, String)>,
    Query(q): Query<VersionParam>,
) -> Result<Response, PageError> {
    let format = format_param(&format)?;
    let (bytes, name) = report_bytes(&state, &p, id, q.version, format).await.map_err(|e| PageError(e.0))?;
    Ok(download(bytes, format.mime(), name))
}

// ----- completeness and synthesis ---------------------------------------------------------------

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct RoundParams {
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub org: String,
}

impl RoundParams {
    fn query(&self, org: &str) -> String {
        let q = RoundParams { org: org.to_string(), ..self.clone() };
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }
}

pub struct Figure {
    pub label: String,
    pub expected: String,
    pub submitted: String,
    pub on_time: String,
    pub accepted: String,
    pub overdue: String,
    pub completeness: String,
    pub timeliness: String,
}

fn figure(label: String, c: &domain::reporting::Completeness) -> Figure {
    let pct = |x: Option<f64>| {
        x.map(|v| format!("{} %", format_number((v * 10.0).round() / 10.0))).unwrap_or_else(|| "—".into())
    };
    Figure {
        label,
        expected: format::int(c.expected),
        submitted: format::int(c.submitted),
        on_time: format::int(c.on_time),
        accepted: format::int(c.accepted),
        overdue: format::int(c.overdue),
        completeness: pct(c.completeness_pct()),
        timeliness: pct(c.timeliness_pct()),
    }
}

pub struct CompletenessLine {
    pub org: String,
    pub report_href: String,
    pub drill_href: Option<String>,
    pub state: &'static str,
    pub state_label: &'static str,
    pub submitted: String,
    pub timely: &'static str,
    pub below: Option<Figure>,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_completeness.html")]
struct CompletenessPage {
    layout: Layout,
    q: RoundParams,
    templates: Vec<Choice>,
    title: String,
    org: String,
    today: String,
    total: Option<Figure>,
    levels: Vec<Figure>,
    rows: Vec<CompletenessLine>,
    synthesis_href: String,
    error: Option<String>,
}

pub async fn completeness(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(mut q): Query<RoundParams>,
) -> PageResult {
    if q.org.trim().is_empty() {
        q.org = p.grants.first().map(|g| g.org_code.clone()).unwrap_or_default();
    }
    let view = if q.template.is_empty() || q.period.trim().is_empty() {
        None
    } else {
        match state.services.report_completeness(&p, &q.template, q.period.trim(), q.org.trim()).await {
            Ok(v) => Some(Ok(v)),
            Err(e) => Some(Err(form_error(e)?)),
        }
    };
    let (view, error) = match view {
        Some(Ok(v)) => (Some(v), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let page = CompletenessPage {
        layout: Layout::new(&state.services, &session, &p, "reports").await,
        templates: template_choices(&state, &q.template).await,
        title: view.as_ref().map(|v| format!("{} — {}", v.title, v.org.name)).unwrap_or_default(),
        org: view.as_ref().map(|v| v.org.name.clone()).unwrap_or_default(),
        today: view.as_ref().map(|v| format::date(v.today)).unwrap_or_default(),
        total: view.as_ref().map(|v| figure("Tổng cộng".into(), &v.total)),
        levels: view
            .as_ref()
            .map(|v| v.levels.iter().map(|l| figure(l.label.into(), &l.figures)).collect())
            .unwrap_or_default(),
        rows: view
            .as_ref()
            .map(|v| {
                v.rows
                    .iter()
                    .map(|r| CompletenessLine {
                        org: r.org.name.clone(),
                        report_href: format!("/reports/{}", r.report_id),
                        drill_href: (r.below.expected > 0)
                            .then(|| format!("/reports/completeness?{}", q.query(&r.org.code))),
                        state: r.state.as_str(),
                        state_label: r.state_label,
                        submitted: r.first_submitted_at.map(format::datetime).unwrap_or_default(),
                        timely: match r.on_time {
                            Some(true) => "Đúng hạn",
                            Some(false) => "Trễ hạn",
                            None => "",
                        },
                        below: (r.below.expected > 0).then(|| figure(String::new(), &r.below)),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        synthesis_href: format!("/reports/synthesis?{}", q.query(&q.org)),
        error,
        q,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

pub struct MissingLine {
    pub unit: String,
    pub state: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_synthesis.html")]
struct SynthesisPage {
    layout: Layout,
    q: String,
    title: String,
    org: String,
    included: usize,
    sections: Vec<SectionView>,
    missing: Vec<MissingLine>,
}

pub async fn synthesis(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<RoundParams>,
) -> PageResult {
    let v = state.services.report_synthesis(&p, &q.template, q.period.trim(), q.org.trim()).await?;
    let sections = v
        .synthesis
        .sections
        .iter()
        .filter_map(|(key, s)| {
            let def = v.template.sections.iter().find(|d| &d.key == key)?;
            let (table, units) = match s {
                SynthesisSection::Heading => (None, Vec::new()),
                SynthesisSection::Narratives { units } => {
                    (None, units.iter().map(|u| (u.unit.clone(), u.achieved.clone(), u.shortcomings.clone())).collect())
                }
                SynthesisSection::Indicators { rows } => (Some(figure_rows(rows)), Vec::new()),
                SynthesisSection::Table(t) => (Some(table_rows(t)), Vec::new()),
                SynthesisSection::Tasks(t) => (Some(task_rows(t)), Vec::new()),
            };
            Some(SectionView {
                key: key.clone(),
                heading: def.heading.clone(),
                level: def.level.min(3),
                narrative: None,
                table,
                units,
            })
        })
        .collect();
    let page = SynthesisPage {
        layout: Layout::new(&state.services, &session, &p, "reports").await,
        q: q.query(&q.org),
        title: v.title.clone(),
        org: v.org.name.clone(),
        included: v.synthesis.included.len(),
        sections,
        missing: v
            .synthesis
            .missing
            .iter()
            .map(|m| MissingLine { unit: m.unit.clone(), state: m.state_label.clone() })
            .collect(),
    };
    Ok(page.into_response())
}

pub async fn synthesis_file(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(format): Path<String>,
    Query(q): Query<RoundParams>,
) -> Result<Response, PageError> {
    let format = format_param(&format)?;
    let v = state.services.report_synthesis(&p, &q.template, q.period.trim(), q.org.trim()).await?;
    let bytes = synthesis_bytes(&state, &v, format).map_err(|e| PageError(e.0))?;
    let name = format!("tong-hop-{}-{}-{}.{}", q.template.to_lowercase(), v.org.code, v.period, format.ext());
    Ok(download(bytes, format.mime(), name))
}

// ----- templates --------------------------------------------------------------------------------

pub struct TemplateLine {
    pub code: String,
    pub name: String,
    pub period: String,
    pub due: String,
    pub sections: Vec<(String, u8, &'static str, String)>,
}

/// The template form as typed.
#[derive(Default)]
pub struct TemplateForm {
    pub code: String,
    pub name: String,
    pub period_type: String,
    pub due_rule: String,
    pub due_month: String,
    pub due_day: String,
    pub due_days: String,
    pub sections: String,
    pub row_version: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_templates.html")]
struct TemplatesPage {
    layout: Layout,
    templates: Vec<TemplateLine>,
    may_edit: bool,
    form: TemplateForm,
    periods: Vec<Choice>,
    ok: bool,
}

#[derive(Deserialize, Default)]
pub struct TemplatesParams {
    #[serde(default)]
    edit: String,
    #[serde(default)]
    ok: Option<String>,
}

async fn templates_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    form: TemplateForm,
    ok: bool,
) -> Result<TemplatesPage, PageError> {
    use domain::indicators::PeriodType;
    let templates = state.services.report_templates().await?;
    Ok(TemplatesPage {
        layout: Layout::new(&state.services, session, p, "reports").await,
        templates: templates
            .iter()
            .map(|t| TemplateLine {
                code: t.template.code.clone(),
                name: t.template.name.clone(),
                period: t.template.period_type.label().into(),
                due: t.template.due.label(),
                sections: t
                    .template
                    .sections
                    .iter()
                    .map(|s| {
                        let detail = match &s.kind {
                            SectionKind::Indicators { codes } => {
                                codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                            }
                            SectionKind::Registry { table } => table.label().into(),
                            _ => String::new(),
                        };
                        (s.heading.clone(), s.level, s.kind.label(), detail)
                    })
                    .collect(),
            })
            .collect(),
        may_edit: state.services.may_edit_report_templates(p).await,
        periods: PeriodType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().into(),
                label: t.label().into(),
                selected: t.as_str() == form.period_type,
            })
            .collect(),
        form,
        ok,
    })
}

pub async fn templates(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<TemplatesParams>,
) -> PageResult {
    use domain::reporting::DueRule;
    let stored = state.services.report_templates().await?;
    let form = match stored.iter().find(|t| t.template.code == q.edit) {
        Some(t) => {
            let (rule, month, day, days) = match t.template.due {
                DueRule::DayOfYear { month, day } => ("day_of_year", month.to_string(), day.to_string(), String::new()),
                DueRule::DaysAfterEnd { days } => ("days_after_end", String::new(), String::new(), days.to_string()),
            };
            TemplateForm {
                code: t.template.code.clone(),
                name: t.template.name.clone(),
                period_type: t.template.period_type.as_str().into(),
                due_rule: rule.into(),
                due_month: month,
                due_day: day,
                due_days: days,
                sections: t.template.sections.iter().map(|s| s.to_line()).collect::<Vec<_>>().join("\n"),
                row_version: t.row_version.to_string(),
                error: None,
            }
        }
        None => TemplateForm { period_type: "yearly".into(), due_rule: "day_of_year".into(), ..Default::default() },
    };
    Ok(templates_page(&state, &session, &p, form, q.ok.is_some()).await?.into_response())
}

fn template_of(f: &Fields) -> Result<(ReportTemplate, Option<i32>), DomainError> {
    use domain::indicators::PeriodType;
    use domain::reporting::{DueRule, Section};
    let number = |field: &'static str, text: &str| {
        text.trim().parse::<u32>().map_err(|_| DomainError::invalid(field, format!("'{}' không phải số", text.trim())))
    };
    let due = match f.get("due_rule") {
        "days_after_end" => DueRule::DaysAfterEnd { days: number("due_days", f.get("due_days"))? },
        _ => DueRule::DayOfYear {
            month: number("due_month", f.get("due_month"))?,
            day: number("due_day", f.get("due_day"))?,
        },
    };
    let sections = f
        .get("sections")
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Section::parse_line(i + 1, l))
        .collect::<Result<Vec<_>, _>>()?;
    let template = ReportTemplate {
        code: f.get("code").trim().to_uppercase(),
        name: f.get("name").trim().to_string(),
        period_type: PeriodType::parse(f.get("period_type"))?,
        due,
        sections,
        cite: None,
    };
    Ok((template, f.get("row_version").trim().parse().ok()))
}

pub async fn save_template(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let result = match template_of(&f) {
        Ok((t, row_version)) => state.services.save_report_template(&p, &t, row_version).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/reports/templates?ok=1").into_response()),
        Err(e) => {
            let form = TemplateForm {
                code: f.get("code").into(),
                name: f.get("name").into(),
                period_type: f.get("period_type").into(),
                due_rule: f.get("due_rule").into(),
                due_month: f.get("due_month").into(),
                due_day: f.get("due_day").into(),
                due_days: f.get("due_days").into(),
                sections: f.get("sections").into(),
                row_version: f.get("row_version").into(),
                error: Some(form_error(e)?),
            };
            Ok(unprocessable(templates_page(&state, &session, &p, form, false).await?))
        }
    }
}
