//! The data-quality page of a unit's subtree for a period: the validation rules the seeds state
//! that fail on some unit's figures, and the values flagged as outside their expected range,
//! each linking to the entry grid where it can be fixed. JSON twin: `/api/v1/data-quality`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::indicators::{entry_href, home_org, period_links, query, this_year};
use crate::pages::kpi::Link;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

pub struct FailureLine {
    pub org: String,
    pub message: String,
    pub cite: String,
    pub href: String,
}

pub struct FlagLine {
    pub indicator: String,
    pub name: String,
    pub org: String,
    pub period: String,
    pub value: String,
    pub message: String,
    pub href: String,
}

pub struct QualityView {
    pub org_name: String,
    pub period_label: String,
    pub checked: String,
    pub skipped: String,
    pub failures: Vec<FailureLine>,
    pub flagged: Vec<FlagLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "data_quality.html")]
struct QualityPage {
    layout: Layout,
    tab: &'static str,
    org: String,
    period: String,
    periods: Vec<Link>,
    report: Option<QualityView>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct QualityQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    period: String,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<QualityQuery>,
) -> PageResult {
    let org = if q.org.trim().is_empty() { home_org(&p) } else { q.org.trim().to_string() };
    let period = if q.period.trim().is_empty() { this_year(&state) } else { q.period.trim().to_string() };
    let (report, error) = match state.services.data_quality(&p, &org, &period).await {
        Ok(d) => (
            Some(QualityView {
                org_name: d.org.name.clone(),
                period_label: d.period_label.clone(),
                checked: format::int(d.checked as u64),
                skipped: format::int(d.skipped as u64),
                failures: d
                    .failures
                    .iter()
                    .map(|f| FailureLine {
                        org: f.org.name.clone(),
                        message: f.message.clone(),
                        cite: f.cite.clone(),
                        href: format!("{}#kiem-tra", entry_href(&f.org.code, &d.period)),
                    })
                    .collect(),
                flagged: d
                    .flagged
                    .iter()
                    .map(|f| FlagLine {
                        indicator: f.indicator.clone(),
                        name: f.name.clone(),
                        org: f.org.name.clone(),
                        period: f.period_label.clone(),
                        value: f.value_label.clone(),
                        message: f.message.clone(),
                        href: entry_href(&f.org.code, &f.period),
                    })
                    .collect(),
            }),
            None,
        ),
        Err(e) => (None, Some(form_error(e)?)),
    };
    let page = QualityPage {
        layout: Layout::new(&state.services, &session, &p, "quality").await,
        tab: "quality",
        periods: period_links(&state, &period, |pe| {
            format!("/data-quality?{}", query(&[("org", &org), ("period", pe)]))
        }),
        org,
        period,
        report,
        error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}
