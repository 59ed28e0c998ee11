//! The dashboard page of a unit and a year (`/dashboard?org=&year=`): the figures of
//! `Services::unit_dashboard` as inline SVG charts, each with a table of the same figures whose
//! every number links to the rows behind it (the table is also what a screen reader or a
//! keyboard follows: links inside a chart drawn as an image are for the pointer).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use domain::services::dashboards::{
    AgencyTasks, Figure, IndicatorFigure, RegistryFigures, RoundFigure, TargetSource, TaskFigures, UnitDashboard,
};
use domain::work::TaskStatus;
use reports::{Chart, ChartRow, ChartScale, render_chart};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

/// Ministries and provinces listed before "all of them".
const TOP_AGENCIES: usize = 10;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    org: String,
    #[serde(default)]
    year: String,
    /// `all`: every ministry and province, not only the most overdue.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    agencies: String,
}

/// A figure as the tables show it: the number and the rows behind it.
pub struct Line {
    pub label: String,
    pub count: String,
    pub href: String,
    pub class: &'static str,
}

pub struct AgencyLine {
    pub name: String,
    pub dashboard_href: Option<String>,
    pub total: String,
    pub total_href: Option<String>,
    pub overdue: String,
    pub overdue_href: Option<String>,
}

pub struct IndicatorLine {
    pub name: String,
    pub value: String,
    pub target: String,
    pub target_note: &'static str,
    pub progress: String,
    pub href: String,
}

pub struct RoundLine {
    pub title: String,
    pub expected: String,
    pub submitted: String,
    pub on_time: String,
    pub overdue: String,
    pub completeness: String,
    pub timeliness: String,
    pub href: String,
}

pub struct RegistryView {
    pub chart: String,
    pub lines: Vec<Line>,
    pub soon_days: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    q: Params,
    unit: String,
    year: String,
    as_of: String,
    prev_year_href: String,
    next_year_href: String,
    tasks_chart: String,
    task_lines: Vec<Line>,
    task_total: Option<Line>,
    agencies_chart: String,
    agencies: Vec<AgencyLine>,
    agencies_total: usize,
    all_agencies_href: Option<String>,
    indicators_chart: String,
    indicators: Vec<IndicatorLine>,
    reports_chart: String,
    rounds: Vec<RoundLine>,
    registry: Option<RegistryView>,
    error: Option<String>,
}

impl DashboardPage {
    /// The form alone, with what is wrong in it.
    fn empty(layout: Layout, q: Params, error: String) -> Self {
        DashboardPage {
            layout,
            q,
            unit: String::new(),
            year: String::new(),
            as_of: String::new(),
            prev_year_href: String::new(),
            next_year_href: String::new(),
            tasks_chart: String::new(),
            task_lines: Vec::new(),
            task_total: None,
            agencies_chart: String::new(),
            agencies: Vec::new(),
            agencies_total: 0,
            all_agencies_href: None,
            indicators_chart: String::new(),
            indicators: Vec::new(),
            reports_chart: String::new(),
            rounds: Vec::new(),
            registry: None,
            error: Some(error),
        }
    }
}

fn figure_line(label: impl Into<String>, f: &Figure, class: &'static str) -> Line {
    Line { label: label.into(), count: format::int(f.count), href: f.href.clone(), class }
}

fn tasks_chart(t: &TaskFigures, year: i32) -> String {
    render_chart(&Chart {
        id: "chart-tasks".into(),
        title: format!("Nhiệm vụ có hạn trong năm {year} theo tình trạng"),
        scale: ChartScale::Count,
        rows: t
            .by_status
            .iter()
            .map(|s| ChartRow {
                label: s.label.into(),
                value: Some(s.count as f64),
                note: None,
                href: Some(s.href.clone()),
                class: s.status.as_str().into(),
                highlight: s.status == TaskStatus::Overdue,
            })
            .collect(),
    })
}

fn agencies_chart(rows: &[AgencyTasks]) -> String {
    let overdue: Vec<&AgencyTasks> = rows.iter().filter(|a| a.overdue > 0).take(TOP_AGENCIES).collect();
    if overdue.is_empty() {
        return String::new();
    }
    render_chart(&Chart {
        id: "chart-agencies".into(),
        title: "Bộ, ngành, địa phương có nhiều nhiệm vụ quá hạn nhất".into(),
        scale: ChartScale::Count,
        rows: overdue
            .iter()
            .map(|a| ChartRow {
                label: a.org.name.clone(),
                value: Some(a.overdue as f64),
                note: Some(format!("/ {}", format::int(a.total))),
                href: a.overdue_href.clone(),
                class: "overdue".into(),
                highlight: false,
            })
            .collect(),
    })
}

/// Green at or above the target, amber from half of it, red below.
fn progress_class(progress: Option<f64>) -> &'static str {
    match progress {
        Some(p) if p >= 100.0 => "good",
        Some(p) if p >= 50.0 => "warn",
        Some(_) => "bad",
        None => "default",
    }
}

/// A bar of a share of a target: `note` says of what (`8 / 10`), the colour how far it got.
fn share_row(label: String, share: Option<f64>, note: String, href: &str) -> ChartRow {
    ChartRow {
        label,
        value: share,
        note: Some(note),
        href: Some(href.to_string()),
        class: progress_class(share).into(),
        highlight: false,
    }
}

fn indicators_chart(list: &[IndicatorFigure], year: i32) -> String {
    render_chart(&Chart {
        id: "chart-indicators".into(),
        title: format!("Chỉ tiêu năm {year}: kết quả so với chỉ tiêu"),
        scale: ChartScale::Percent,
        rows: list
            .iter()
            // Figures without their unit, to fit beside the bar; the table gives the units.
            .map(|i| share_row(i.name.clone(), i.progress, format!("{} / {}", i.value_label, i.target_label), &i.href))
            .collect(),
    })
}

fn reports_chart(rounds: &[RoundFigure], year: i32) -> String {
    render_chart(&Chart {
        id: "chart-reports".into(),
        title: format!("Báo cáo định kỳ năm {year}: tỷ lệ đã nộp và nộp đúng hạn"),
        scale: ChartScale::Percent,
        rows: rounds
            .iter()
            .flat_map(|r| {
                let expected = format::int(r.figures.expected);
                let part = |n: u64| format!("{} / {expected}", format::int(n));
                [
                    // The period first: a label cut to the chart's width still tells the rounds apart.
                    share_row(
                        format!("{} · đã nộp · {}", r.period_label, r.name),
                        r.completeness,
                        part(r.figures.submitted),
                        &r.href,
                    ),
                    share_row(
                        format!("{} · đúng hạn · {}", r.period_label, r.name),
                        r.timeliness,
                        part(r.figures.on_time),
                        &r.href,
                    ),
                ]
            })
            .collect(),
    })
}

fn registry_view(r: &RegistryFigures) -> RegistryView {
    let of_all = |part: &Figure| format!("{} / {}", format::int(part.count), format::int(r.systems.count));
    let chart = render_chart(&Chart {
        id: "chart-registry".into(),
        title: "Hệ thống thông tin: hồ sơ cấp độ và phương án bảo đảm an toàn (chỉ tiêu 100%)".into(),
        scale: ChartScale::Percent,
        rows: vec![
            share_row(
                "Đã phê duyệt hồ sơ đề xuất cấp độ".into(),
                r.dossier_approved_share,
                of_all(&r.dossier_approved),
                &r.dossier_approved.href,
            ),
            share_row(
                "Đã triển khai đầy đủ phương án bảo đảm an toàn".into(),
                r.plan_deployed_share,
                of_all(&r.plan_deployed),
                &r.plan_deployed.href,
            ),
        ],
    });
    RegistryView {
        chart,
        lines: vec![
            figure_line("Hệ thống thông tin", &r.systems, ""),
            figure_line("Đã phê duyệt hồ sơ cấp độ", &r.dossier_approved, ""),
            figure_line("Chưa phê duyệt hồ sơ cấp độ", &r.dossier_pending, "warn"),
            figure_line("Đã triển khai đầy đủ phương án bảo đảm an toàn", &r.plan_deployed, ""),
            figure_line("Chưa triển khai đầy đủ phương án", &r.plan_pending, "warn"),
            figure_line("Quá hạn kiểm tra, đánh giá định kỳ", &r.inspections_overdue, "overdue"),
            figure_line("Sắp đến hạn kiểm tra", &r.inspections_due_soon, "warn"),
        ],
        soon_days: format::int(u64::from(r.soon_days)),
    }
}

fn agency_line(a: &AgencyTasks, year: i32) -> AgencyLine {
    AgencyLine {
        name: a.org.name.clone(),
        dashboard_href: a.total_href.as_ref().map(|_| {
            format!(
                "/dashboard?{}",
                serde_urlencoded::to_string([("org", &a.org.code), ("year", &year.to_string())]).unwrap_or_default()
            )
        }),
        total: format::int(a.total),
        total_href: a.total_href.clone(),
        overdue: format::int(a.overdue),
        overdue_href: a.overdue_href.clone(),
    }
}

fn dashboard_href(org: &str, year: i32, agencies: &str) -> String {
    let q = Params { org: org.into(), year: year.to_string(), agencies: agencies.into() };
    format!("/dashboard?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<Params>,
) -> PageResult {
    let layout = Layout::new(&state.services, &session, &p, "dashboard").await;
    let year = match q.year.trim() {
        "" => Ok(None),
        y => y
            .parse::<i32>()
            .map(Some)
            .map_err(|_| domain::DomainError::invalid("year", format!("'{y}' không phải một năm (ví dụ 2026)"))),
    };
    let result = match year {
        Ok(year) => state.services.unit_dashboard(&p, Some(q.org.as_str()), year).await,
        Err(e) => Err(e),
    };
    let d: UnitDashboard = match result {
        Ok(d) => d,
        Err(e) => {
            let page = DashboardPage::empty(layout, q, form_error(e)?);
            return Ok(unprocessable(page));
        }
    };
    let show_all = q.agencies == "all";
    let agencies: Vec<AgencyLine> = d
        .tasks
        .agencies
        .iter()
        .take(if show_all { usize::MAX } else { TOP_AGENCIES })
        .map(|a| agency_line(a, d.year))
        .collect();
    let page = DashboardPage {
        unit: d.org.name.clone(),
        year: d.year.to_string(),
        as_of: format::date(d.as_of),
        prev_year_href: dashboard_href(&d.org.code, d.year - 1, &q.agencies),
        next_year_href: dashboard_href(&d.org.code, d.year + 1, &q.agencies),
        tasks_chart: tasks_chart(&d.tasks, d.year),
        task_lines: d
            .tasks
            .by_status
            .iter()
            .map(|s| Line {
                label: s.label.into(),
                count: format::int(s.count),
                href: s.href.clone(),
                class: s.status.as_str(),
            })
            .collect(),
        task_total: Some(figure_line("Tổng số", &d.tasks.total, "")),
        agencies_chart: agencies_chart(&d.tasks.agencies),
        agencies_total: d.tasks.agencies.len(),
        all_agencies_href: (!show_all && d.tasks.agencies.len() > TOP_AGENCIES)
            .then(|| dashboard_href(&d.org.code, d.year, "all")),
        agencies,
        indicators_chart: if d.indicators.is_empty() { String::new() } else { indicators_chart(&d.indicators, d.year) },
        indicators: d
            .indicators
            .iter()
            .map(|i| IndicatorLine {
                name: i.name.clone(),
                value: format::opt_figure(i.unit, i.value),
                target: format::figure(i.unit, i.target),
                target_note: match i.target_source {
                    TargetSource::Set => "",
                    TargetSource::Programme => "mục tiêu của Chương trình",
                },
                progress: format::percent(i.progress),
                href: i.href.clone(),
            })
            .collect(),
        reports_chart: if d.reports.is_empty() { String::new() } else { reports_chart(&d.reports, d.year) },
        rounds: d
            .reports
            .iter()
            .map(|r| RoundLine {
                title: r.title.clone(),
                expected: format::int(r.figures.expected),
                submitted: format::int(r.figures.submitted),
                on_time: format::int(r.figures.on_time),
                overdue: format::int(r.figures.overdue),
                completeness: format::percent(r.completeness),
                timeliness: format::percent(r.timeliness),
                href: r.href.clone(),
            })
            .collect(),
        registry: d.registry.as_ref().map(registry_view),
        error: None,
        q: Params { org: d.org.code.clone(), year: d.year.to_string(), agencies: q.agencies.clone() },
        layout,
    };
    Ok(page.into_response())
}
