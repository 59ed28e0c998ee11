//! The feedback analytics page (`/feedback/analytics?org=&from=&to=`): the figures of
//! `Services::feedback_analytics` as inline SVG charts, each beside a table of the same figures
//! whose every number links to the officers' list of its items. Also what the officers' list
//! shows of the filters those links add (days, area, handling unit, SLA state).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use domain::feedback::SlaState;
use domain::services::feedback::FeedbackFilter;
use domain::services::feedback_analytics::{
    AnalyticsQuery, FeedbackAnalytics, LinkedCount, PeriodRow, SlaFigures, TEXT_CAP, UnitSla, VolumeRow, parse_day,
};
use reports::{Chart, ChartRow, ChartScale, render_chart};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

/// Handling units shown before "all of them" (the workbook always has them all).
const TOP_UNITS: usize = 20;
/// SLA compliance at or above this is green, from [`SLA_WARN`] amber, below red.
const SLA_GOOD: f64 = 90.0;
const SLA_WARN: f64 = 70.0;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct Params {
    #[serde(default)]
    org: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `all`: every handling unit, not only the most overdue.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    units: String,
}

/// A number and the list behind it.
pub struct Num {
    pub count: u64,
    pub text: String,
    pub href: Option<String>,
}

fn num(c: &LinkedCount) -> Num {
    Num { count: c.count, text: format::int(c.count), href: c.href.clone() }
}

pub struct Line {
    pub label: String,
    pub n: Num,
}

pub struct SlaLine {
    pub name: String,
    pub items: Num,
    /// In the order of [`SlaState::ALL`].
    pub states: Vec<Num>,
    pub compliance: String,
    pub class: &'static str,
}

pub struct TopicLine {
    pub name: String,
    pub this_week: Num,
    pub previous_week: Num,
    pub change: String,
    pub growth: String,
}

pub struct TermLine {
    pub term: String,
    pub n: String,
    pub before: String,
    pub change: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_analytics.html")]
struct AnalyticsPage {
    layout: Layout,
    q: Params,
    error: Option<String>,
    a: Option<View>,
}

struct View {
    unit: String,
    from: String,
    to: String,
    as_of: String,
    total: Num,
    xlsx_href: String,
    week_chart: String,
    weeks: Vec<Line>,
    months: Vec<Line>,
    category_chart: String,
    categories: Vec<Line>,
    areas: Vec<Line>,
    sla_chart: String,
    sla_states: Vec<&'static str>,
    sla: Vec<SlaLine>,
    sla_total: SlaLine,
    units_total: usize,
    all_units_href: Option<String>,
    this_week: String,
    previous_week: String,
    topics: Vec<TopicLine>,
    terms: Vec<TermLine>,
    rising_terms: Vec<TermLine>,
    texts_note: String,
}

fn signed(n: i64) -> String {
    let abs = format::int(n.unsigned_abs());
    match n {
        0 => "0".into(),
        n if n > 0 => format!("+{abs}"),
        _ => format!("−{abs}"),
    }
}

fn sla_class(compliance: Option<f64>) -> &'static str {
    match compliance {
        Some(p) if p >= SLA_GOOD => "good",
        Some(p) if p >= SLA_WARN => "warn",
        Some(_) => "bad",
        None => "default",
    }
}

fn count_chart(id: &str, title: String, rows: &[Line]) -> String {
    render_chart(&Chart {
        id: id.into(),
        title,
        scale: ChartScale::Count,
        rows: rows
            .iter()
            .map(|l| ChartRow {
                label: l.label.clone(),
                value: Some(l.n.count as f64),
                note: None,
                href: l.n.href.clone(),
                class: "default".into(),
                highlight: false,
            })
            .collect(),
    })
}

fn volume_lines(rows: &[VolumeRow]) -> Vec<Line> {
    rows.iter().map(|r| Line { label: r.name.clone(), n: num(&r.items) }).collect()
}

fn period_lines(rows: &[PeriodRow]) -> Vec<Line> {
    rows.iter().map(|r| Line { label: r.label.clone(), n: num(&r.items) }).collect()
}

fn sla_line(name: String, f: &SlaFigures) -> SlaLine {
    SlaLine {
        name,
        items: num(&f.items),
        states: vec![num(&f.on_time), num(&f.late), num(&f.overdue), num(&f.pending)],
        compliance: format::percent(f.compliance),
        // The stylesheet's status badges: green, amber, red.
        class: match sla_class(f.compliance) {
            "good" => "completed",
            "warn" => "warn",
            "bad" => "overdue",
            _ => "cancelled",
        },
    }
}

fn sla_chart(units: &[&UnitSla]) -> String {
    render_chart(&Chart {
        id: "chart-sla".into(),
        title: "Tỷ lệ trả lời đúng hạn theo đơn vị xử lý".into(),
        scale: ChartScale::Percent,
        rows: units
            .iter()
            .map(|u| {
                let f = &u.figures;
                let due = f.on_time.count + f.late.count + f.overdue.count;
                ChartRow {
                    label: u.unit.name.clone(),
                    value: f.compliance,
                    note: Some(format!("{} / {} đúng hạn", format::int(f.on_time.count), format::int(due))),
                    href: f.on_time.href.clone(),
                    class: sla_class(f.compliance).into(),
                    highlight: false,
                }
            })
            .collect(),
    })
}

fn term_line(term: &str, n: u64, before: Option<u64>, change: Option<i64>, href: &str) -> TermLine {
    TermLine {
        term: term.into(),
        n: format::int(n),
        before: before.map(format::int).unwrap_or_default(),
        change: change.map(signed).unwrap_or_default(),
        href: href.into(),
    }
}

fn page_href(q: &Params) -> String {
    format!("/feedback/analytics?{}", serde_urlencoded::to_string(q).unwrap_or_default())
}

fn view(a: &FeedbackAnalytics, q: &Params) -> View {
    let period = format!("{} – {}", format::date(a.from), format::date(a.to));
    let weeks = period_lines(&a.by_week);
    let categories = volume_lines(&a.by_category);
    let show_all = q.units == "all";
    let shown: Vec<&UnitSla> = a.sla.iter().take(if show_all { usize::MAX } else { TOP_UNITS }).collect();
    let query = AnalyticsQuery {
        org: a.org.as_ref().map(|u| u.code.clone()),
        from: Some(a.from.to_string()),
        to: Some(a.to.to_string()),
    };
    let texts = &a.texts;
    View {
        unit: a.org.as_ref().map_or_else(|| "mọi đơn vị trong phạm vi được xem".into(), |u| u.name.clone()),
        from: format::date(a.from),
        to: format::date(a.to),
        as_of: format::date(a.as_of),
        total: num(&a.total),
        xlsx_href: format!(
            "/api/v1/feedback/analytics/file/xlsx?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        ),
        week_chart: count_chart("chart-weeks", format!("Phản ánh theo tuần, {period}"), &weeks),
        weeks,
        months: period_lines(&a.by_month),
        category_chart: count_chart("chart-categories", format!("Phản ánh theo lĩnh vực, {period}"), &categories),
        categories,
        areas: volume_lines(&a.by_area),
        sla_chart: if shown.is_empty() { String::new() } else { sla_chart(&shown) },
        sla_states: SlaState::ALL.iter().map(|s| s.label()).collect(),
        sla: shown.iter().map(|u| sla_line(u.unit.name.clone(), &u.figures)).collect(),
        sla_total: sla_line("Tổng số".into(), &a.sla_total),
        units_total: a.sla.len(),
        all_units_href: (!show_all && a.sla.len() > TOP_UNITS)
            .then(|| page_href(&Params { units: "all".into(), ..q.clone() })),
        this_week: format!("{} – {}", format::date(a.this_week.from), format::date(a.this_week.to)),
        previous_week: format!("{} – {}", format::date(a.previous_week.from), format::date(a.previous_week.to)),
        topics: a
            .rising_topics
            .iter()
            .map(|t| TopicLine {
                name: t.name.clone(),
                this_week: num(&t.this_week),
                previous_week: num(&t.previous_week),
                change: signed(t.change),
                growth: t.growth.map(|g| format!("{}%", domain::indicators::format_number(g))).unwrap_or_default(),
            })
            .collect(),
        terms: a.top_terms.iter().map(|t| term_line(&t.term, t.items, None, None, &t.href)).collect(),
        rising_terms: a
            .rising_terms
            .iter()
            .map(|t| term_line(&t.term, t.this_week, Some(t.previous_week), Some(t.change), &t.href))
            .collect(),
        texts_note: if texts.capped {
            format!("Tính trên {} nội dung phản ánh mới nhất của mỗi kỳ.", format::int(TEXT_CAP))
        } else {
            format!("Tính trên {} nội dung phản ánh trong kỳ.", format::int(texts.period))
        },
    }
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<Params>,
) -> PageResult {
    let layout = Layout::new(&state.services, &session, &p, "feedback").await;
    let query = AnalyticsQuery { org: Some(q.org.clone()), from: Some(q.from.clone()), to: Some(q.to.clone()) };
    let a = match state.services.feedback_analytics(&p, &query).await {
        Ok(a) => a,
        Err(e) => {
            let page = AnalyticsPage { layout, error: Some(form_error(e)?), q, a: None };
            return Ok(unprocessable(page));
        }
    };
    let q = Params {
        org: a.org.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
        from: format::date(a.from),
        to: format::date(a.to),
        units: q.units,
    };
    Ok(AnalyticsPage { layout, a: Some(view(&a, &q)), error: None, q }.into_response())
}

/// The filters of the officers' list that analytics links add, as the list page shows them:
/// the days as typed back (dd/mm/yyyy), the rest kept in hidden fields and told in words.
pub struct ListNarrowing {
    pub from: String,
    pub to: String,
    /// `(name, value)` of the hidden fields.
    pub hidden: Vec<(&'static str, String)>,
    /// "Địa bàn: 01", "Trả lời đúng hạn", …
    pub notes: Vec<String>,
}

pub fn list_narrowing(f: &FeedbackFilter) -> ListNarrowing {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
    let day =
        |v: &Option<String>| given(v).map(|s| parse_day("from", &s).map(format::date).unwrap_or(s)).unwrap_or_default();
    let mut hidden = Vec::new();
    let mut notes = Vec::new();
    if let Some(area) = given(&f.area) {
        notes.push(format!("Địa bàn: {area}"));
        hidden.push(("area", area));
    }
    if let Some(handler) = given(&f.handler) {
        notes.push(format!("Đơn vị trực tiếp xử lý: {handler}"));
        hidden.push(("handler", handler));
    }
    if let Some(sla) = given(&f.sla) {
        notes.push(SlaState::parse(&sla).map(|s| s.label().to_string()).unwrap_or_else(|_| sla.clone()));
        hidden.push(("sla", sla));
    }
    ListNarrowing { from: day(&f.from), to: day(&f.to), hidden, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_classes() {
        assert_eq!(signed(1234), "+1.234");
        assert_eq!(signed(-3), "−3");
        assert_eq!(signed(0), "0");
        assert_eq!(sla_class(Some(95.0)), "good");
        assert_eq!(sla_class(Some(70.0)), "warn");
        assert_eq!(sla_class(Some(10.0)), "bad");
        assert_eq!(sla_class(None), "default");
    }

    #[test]
    fn the_list_tells_the_filters_an_analytics_link_added() {
        let f = FeedbackFilter {
            from: Some("2026-08-24".into()),
            to: Some("30/08/2026".into()),
            area: Some("51".into()),
            sla: Some("late".into()),
            ..Default::default()
        };
        let n = list_narrowing(&f);
        assert_eq!((n.from.as_str(), n.to.as_str()), ("24/08/2026", "30/08/2026"));
        assert_eq!(n.hidden, [("area", "51".to_string()), ("sla", "late".to_string())]);
        assert_eq!(n.notes, ["Địa bàn: 51", "Trả lời quá hạn"]);
    }
}
