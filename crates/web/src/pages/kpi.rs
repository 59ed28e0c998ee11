//! KPI pages: the table of people and units of a subtree, one person's breakdown, and the
//! weights form (system admins). The JSON twins are in `api/kpi.rs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::kpi::{KpiDefinition, KpiFigures, KpiWeights, Period};
use domain::services::kpi::KpiPeriod;
use reports::Cell;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

/// `1.234,5`, empty when there is no value.
fn decimal(x: Option<f64>) -> String {
    x.map(|x| Cell::Number(x).to_display_vi()).unwrap_or_else(|| "—".into())
}

/// `12,5%` from a 0..1 ratio.
fn percent(ratio: Option<f64>) -> String {
    ratio.map(|r| Cell::Percent(100.0 * r).to_display_vi()).unwrap_or_else(|| "—".into())
}

/// A figure row as shown.
pub struct Figures {
    pub assigned: String,
    pub completed: String,
    pub on_time: String,
    pub on_time_percent: String,
    pub completed_late: String,
    pub open_overdue: String,
    pub overdue: String,
    pub avg_delay: String,
    pub avg_rating: String,
    pub score: String,
}

impl Figures {
    fn of(f: &KpiFigures) -> Self {
        Figures {
            assigned: format::int(f.assigned),
            completed: format::int(f.completed),
            on_time: format::int(f.on_time),
            on_time_percent: percent(f.on_time_percent.map(|p| p / 100.0)),
            completed_late: format::int(f.completed_late),
            open_overdue: format::int(f.open_overdue),
            overdue: format::int(f.overdue),
            avg_delay: decimal(f.avg_delay_days),
            avg_rating: decimal(f.avg_rating),
            score: decimal(f.score),
        }
    }
}

pub struct PersonLine {
    pub href: String,
    pub full_name: String,
    pub username: String,
    pub unit: String,
    pub f: Figures,
}

pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub f: Figures,
}

pub struct Link {
    pub label: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi.html")]
struct KpiPage {
    layout: Layout,
    org_code: String,
    org_name: String,
    period_input: String,
    period: PeriodText,
    people: Vec<PersonLine>,
    units: Vec<UnitLine>,
    total: Figures,
    sort: String,
    sort_links: Vec<Link>,
    periods: Vec<Link>,
    export_href: String,
    weights: String,
    definitions: Vec<KpiDefinition>,
}

/// The period as the pages state it.
pub struct PeriodText {
    pub label: String,
    pub from: String,
    pub to: String,
    pub evaluation_day: String,
}

impl PeriodText {
    fn of(p: &KpiPeriod) -> Self {
        PeriodText {
            label: p.label.clone(),
            from: format::date(p.from),
            to: format::date(p.to),
            evaluation_day: format::date(p.evaluation_day),
        }
    }
}

#[derive(Deserialize)]
pub struct KpiQuery {
    org: Option<String>,
    period: Option<String>,
    /// score (best first, the default), score_asc, name.
    sort: Option<String>,
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
}

fn person_href(id: i64, period: &str) -> String {
    format!("/kpi/people/{id}?{}", query(&[("period", period)]))
}

fn weights_text(w: &KpiWeights) -> String {
    w.each().iter().map(|(c, w)| format!("{} {w}", c.label().to_lowercase())).collect::<Vec<_>>().join(", ")
}

/// The previous and next period, and this month, quarter and year.
fn period_links(current: &str, today: chrono::NaiveDate, href: impl Fn(&str) -> String) -> Vec<Link> {
    let mut out = Vec::new();
    if let Ok(p) = Period::parse(current) {
        out.push(Link { label: format!("← {}", p.step(-1).label()), href: href(&p.step(-1).code()) });
        out.push(Link { label: format!("{} →", p.step(1).label()), href: href(&p.step(1).code()) });
    }
    for p in [Period::month_of(today), Period::quarter_of(today), Period::year_of(today)] {
        out.push(Link { label: p.label(), href: href(&p.code()) });
    }
    out
}

pub async fn index(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<KpiQuery>,
) -> PageResult {
    let org = q.org.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if org.is_none() && state.services.kpi_home_unit(&p).is_none() {
        // Someone who reads no unit's KPI sees their own.
        return Ok(Redirect::to(&person_href(p.user.id, q.period.as_deref().unwrap_or(""))).into_response());
    }
    let r = state.services.kpi_report(&p, org, q.period.as_deref()).await?;
    let sort = match q.sort.as_deref() {
        Some(s @ ("score_asc" | "name")) => s.to_string(),
        _ => "score".to_string(),
    };
    let mut people: Vec<_> = r.people.iter().collect();
    let mut units: Vec<_> = r.units.iter().collect();
    // The service lists best score first.
    match sort.as_str() {
        "score_asc" => {
            people.reverse();
            units.reverse();
        }
        "name" => {
            people.sort_by(|a, b| a.person.full_name.cmp(&b.person.full_name));
            units.sort_by(|a, b| a.unit.name.cmp(&b.unit.name));
        }
        _ => {}
    }
    let code = r.period.code.clone();
    let org_code = r.org.code.clone();
    let href =
        |period: &str, sort: &str| format!("/kpi?{}", query(&[("org", &org_code), ("period", period), ("sort", sort)]));
    let sort_links = [("score", "Điểm cao trước"), ("score_asc", "Điểm thấp trước"), ("name", "Theo tên")]
        .into_iter()
        .map(|(s, label)| Link { label: label.into(), href: href(&code, s) })
        .collect();
    Ok(KpiPage {
        layout: Layout::new(&state.services, &session, &p, "kpi").await,
        periods: period_links(&code, state.services.clock().today(), |c| href(c, &sort)),
        export_href: format!("/api/v1/kpi/export.xlsx?{}", query(&[("org", &org_code), ("period", &code)])),
        people: people
            .into_iter()
            .map(|row| PersonLine {
                href: person_href(row.person.id, &code),
                full_name: row.person.full_name.clone(),
                username: row.person.username.clone(),
                unit: row.org.name.clone(),
                f: Figures::of(&row.figures),
            })
            .collect(),
        units: units
            .into_iter()
            .map(|row| UnitLine {
                code: row.unit.code.clone(),
                name: row.unit.name.clone(),
                f: Figures::of(&row.figures),
            })
            .collect(),
        total: Figures::of(&r.total),
        org_name: r.org.name.clone(),
        period_input: code.clone(),
        period: PeriodText::of(&r.period),
        weights: weights_text(&r.weights),
        definitions: r.definitions,
        sort_links,
        sort,
        org_code,
    }
    .into_response())
}

pub struct ComponentLine {
    pub label: &'static str,
    pub formula: &'static str,
    pub value: String,
    pub weight: String,
    pub share: String,
    pub points: String,
}

pub struct TaskLine {
    pub href: String,
    pub code: String,
    pub title: String,
    pub lead: String,
    pub deadline: String,
    pub completed_on: String,
    pub outcome: &'static str,
    pub delay: String,
    pub rating: String,
    pub counts: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi_person.html")]
struct KpiPersonPage {
    layout: Layout,
    full_name: String,
    username: String,
    org_name: String,
    period: PeriodText,
    f: Figures,
    components: Vec<ComponentLine>,
    tasks: Vec<TaskLine>,
    cancelled: String,
    periods: Vec<Link>,
    back_href: Option<String>,
    definitions: Vec<KpiDefinition>,
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<String>,
}

pub async fn person(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let b = state.services.kpi_person(&p, id, q.period.as_deref()).await?;
    let code = b.period.code.clone();
    let back_href =
        state.services.kpi_home_unit(&p).map(|_| format!("/kpi?{}", query(&[("org", &b.org.code), ("period", &code)])));
    Ok(KpiPersonPage {
        layout: Layout::new(&state.services, &session, &p, "kpi").await,
        periods: period_links(&code, state.services.clock().today(), |c| person_href(id, c)),
        full_name: b.person.full_name.clone(),
        username: b.person.username.clone(),
        org_name: b.org.name.clone(),
        period: PeriodText::of(&b.period),
        f: Figures::of(&b.figures),
        components: b
            .figures
            .components
            .iter()
            .map(|c| ComponentLine {
                label: c.label,
                formula: c.formula,
                value: percent(c.value),
                weight: c.weight.to_string(),
                share: percent(c.value.map(|_| c.share)),
                points: decimal(c.value.map(|_| c.points)),
            })
            .collect(),
        tasks: b
            .tasks
            .iter()
            .map(|t| TaskLine {
                href: format!("/tasks/{}", t.task_id),
                code: t.code.clone(),
                title: t.title.clone(),
                lead: t.lead.name.clone(),
                deadline: format::date(t.deadline),
                completed_on: format::opt_date(t.completed_on),
                outcome: t.outcome_label,
                delay: t.delay_days.map(|d| d.to_string()).unwrap_or_default(),
                rating: t.rating.map(|r| r.to_string()).unwrap_or_default(),
                counts: t.counts.join(", "),
            })
            .collect(),
        cancelled: format::int(b.cancelled),
        definitions: b.definitions,
        back_href,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi_settings.html")]
struct KpiSettingsPage {
    layout: Layout,
    can_edit: bool,
    fields: Vec<WeightField>,
    notice: Option<&'static str>,
    error: Option<String>,
}

pub struct WeightField {
    pub name: &'static str,
    pub label: &'static str,
    pub formula: &'static str,
    pub value: String,
}

fn weight_fields(w: &KpiWeights) -> Vec<WeightField> {
    w.each()
        .into_iter()
        .map(|(c, v)| WeightField { name: c.field(), label: c.label(), formula: c.formula(), value: v.to_string() })
        .collect()
}

#[derive(Deserialize)]
pub struct SettingsQuery {
    ok: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<SettingsQuery>,
) -> PageResult {
    let weights = state.services.kpi_weights().await?;
    Ok(KpiSettingsPage {
        layout: Layout::new(&state.services, &session, &p, "kpi").await,
        can_edit: p.is_root_admin(),
        fields: weight_fields(&weights),
        notice: q.ok.is_some().then_some("Đã lưu trọng số KPI."),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct WeightsForm {
    #[serde(default)]
    completion: String,
    #[serde(default)]
    on_time: String,
    #[serde(default)]
    quality: String,
    #[serde(default)]
    no_overdue: String,
}

impl WeightsForm {
    fn parse(&self) -> Result<KpiWeights, DomainError> {
        let n = |field: &'static str, s: &str| {
            s.trim().parse::<u32>().map_err(|_| DomainError::invalid(field, "nhập số nguyên từ 0 đến 100"))
        };
        Ok(KpiWeights {
            completion: n("completion", &self.completion)?,
            on_time: n("on_time", &self.on_time)?,
            quality: n("quality", &self.quality)?,
            no_overdue: n("no_overdue", &self.no_overdue)?,
        })
    }
}

pub async fn save_settings(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<WeightsForm>,
) -> PageResult {
    let saved = match f.parse() {
        Ok(w) => state.services.set_kpi_weights(&p, w).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/settings/kpi?ok=1").into_response()),
        Err(e) => {
            let error = form_error(e)?;
            let fields = [&f.completion, &f.on_time, &f.quality, &f.no_overdue];
            let mut shown = weight_fields(&KpiWeights::default());
            for (field, value) in shown.iter_mut().zip(fields) {
                field.value = value.clone();
            }
            Ok(unprocessable(KpiSettingsPage {
                layout: Layout::new(&state.services, &session, &p, "kpi").await,
                can_edit: true,
                fields: shown,
                notice: None,
                error: Some(error),
            }))
        }
    }
}
