//! The entry grid: one unit, one period, one row per indicator of that period type, grouped by
//! what it measures, with the computed ratios read-only, targets and progress, who changed each
//! value and when, out-of-range warnings and the validation rules. Saving goes through
//! `Services::save_entry` (the import's checks): a value that does not parse comes back with its
//! message beside the indicator and nothing is written. JSON twin: `/api/v1/data-entry`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::Principal;
use domain::indicators::{Unit, ValueType};
use domain::services::indicator_entry::{EntryGrid, EntryInput, EntryRow, EntryValue, RuleStatus};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::Fields;
use crate::pages::indicators::{entry_href, home_org, period_links, query, this_year};
use crate::pages::kpi::Link;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

pub struct EntryLine {
    pub code: String,
    pub name: String,
    pub unit: &'static str,
    /// The field's text (the stored value, or what was typed when the form comes back).
    pub input: String,
    pub comment: String,
    /// `yes_no` (a choice), `text`, or `number`.
    pub kind: &'static str,
    /// Computed from other indicators: shown, not typed in.
    pub formula: Option<String>,
    /// Counted from the registry of information systems: shown, not typed in.
    pub from_registry: bool,
    pub value: String,
    pub flag: Option<String>,
    pub error: Option<String>,
    pub target: String,
    pub progress: String,
    pub stored: String,
    pub rollup_href: String,
}

pub struct Group {
    pub title: &'static str,
    pub rows: Vec<EntryLine>,
}

pub struct RuleLine {
    pub status: &'static str,
    pub status_label: &'static str,
    pub message: String,
    pub cite: String,
}

pub struct GridView {
    pub org_name: String,
    pub org_code: String,
    pub period_label: String,
    pub editable: bool,
    pub groups: Vec<Group>,
    pub rules: Vec<RuleLine>,
    pub failures: usize,
    pub flagged: usize,
}

pub struct UnitOption {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicator_entry.html")]
struct EntryPage {
    layout: Layout,
    tab: &'static str,
    org: String,
    period: String,
    units: Vec<UnitOption>,
    periods: Vec<Link>,
    grid: Option<GridView>,
    notice: Option<String>,
    error: Option<String>,
}

/// Groups in the order the grid shows them; computed ratios come last.
const GROUPS: [&str; 6] =
    ["Kinh phí", "Số lượng", "Tỷ lệ", "Có/Không", "Thông tin khác", "Tỷ lệ, chỉ số tính tự động từ các số liệu trên"];

fn group_of(r: &EntryRow) -> usize {
    if r.formula.is_some() {
        return 5;
    }
    match r.unit {
        Unit::MillionVnd | Unit::Vnd => 0,
        Unit::Count => 1,
        Unit::Percent => 2,
        Unit::YesNo => 3,
        Unit::Text => 4,
    }
}

/// What the form sent for each indicator, by code: the value and the comment as typed.
type Typed = HashMap<String, (String, String)>;

fn grid_view(g: &EntryGrid, typed: &Typed, errors: &HashMap<String, String>) -> GridView {
    let mut groups: Vec<Group> = GROUPS.iter().map(|t| Group { title: t, rows: Vec::new() }).collect();
    for r in &g.rows {
        let sent = typed.get(&r.indicator);
        let stored = match (&r.stored_by, r.stored_at) {
            (Some(by), Some(at)) => format!("{by}, {}", format::datetime(at)),
            (None, Some(at)) => format::datetime(at),
            _ => String::new(),
        };
        let line = EntryLine {
            code: r.indicator.clone(),
            name: r.name.clone(),
            unit: r.unit.label(),
            input: sent.map_or_else(|| r.value_input.clone(), |(v, _)| v.clone()),
            comment: sent.map_or_else(|| r.comment.clone().unwrap_or_default(), |(_, c)| c.clone()),
            kind: match r.value_type {
                ValueType::YesNo => "yes_no",
                ValueType::Text => "text",
                _ => "number",
            },
            formula: r.formula.clone(),
            from_registry: r.from_registry,
            value: if r.value_label.is_empty() { "—".into() } else { r.value_label.clone() },
            flag: r.flag.clone(),
            error: errors.get(&r.indicator).cloned(),
            target: r.target.map(|t| format::figure(r.unit, t)).unwrap_or_default(),
            progress: format::percent(r.progress),
            stored,
            rollup_href: format!(
                "/indicators/{}?{}",
                r.indicator,
                query(&[("org", &g.org.code), ("period", &g.period), ("structure", "then")])
            ),
        };
        groups[group_of(r)].rows.push(line);
    }
    groups.retain(|g| !g.rows.is_empty());
    let rules: Vec<RuleLine> = g
        .rules
        .iter()
        .map(|r| RuleLine {
            status: match r.status {
                RuleStatus::Pass => "pass",
                RuleStatus::Fail => "fail",
                RuleStatus::Skipped => "skipped",
            },
            status_label: match r.status {
                RuleStatus::Pass => "Đạt",
                RuleStatus::Fail => "Không đạt",
                RuleStatus::Skipped => "Chưa kiểm tra",
            },
            message: r.message.clone(),
            cite: r.cite.clone(),
        })
        .collect();
    GridView {
        org_name: g.org.name.clone(),
        org_code: g.org.code.clone(),
        period_label: g.period_label.clone(),
        editable: g.editable,
        failures: rules.iter().filter(|r| r.status == "fail").count(),
        flagged: g.rows.iter().filter(|r| r.flag.is_some()).count(),
        groups,
        rules,
    }
}

#[derive(Deserialize, Default)]
pub struct EntryQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    period: String,
    imported: Option<u64>,
    updated: Option<u64>,
    ignored: Option<u64>,
}

/// The form's errors: a sentence above the grid, and each indicator's message beside it.
struct Outcome {
    notice: Option<String>,
    error: Option<String>,
    typed: Typed,
    errors: HashMap<String, String>,
}

async fn entry_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    org: &str,
    period: &str,
    outcome: Outcome,
) -> Result<EntryPage, PageError> {
    let s = &state.services;
    let mut error = outcome.error;
    let units = match s.entry_units(p, period).await {
        Ok(list) => list,
        Err(e) => {
            error.get_or_insert(form_error(e)?);
            Vec::new()
        }
    };
    // Without a unit asked for, the first one the caller may enter figures for.
    let org = match org.trim() {
        "" => units
            .iter()
            .find(|u| u.editable)
            .or(units.first())
            .map(|u| u.org.code.clone())
            .unwrap_or_else(|| home_org(p)),
        o => o.to_string(),
    };
    let grid = if error.is_some() && outcome.errors.is_empty() {
        None
    } else {
        match s.entry_grid(p, &org, period).await {
            Ok(g) => Some(grid_view(&g, &outcome.typed, &outcome.errors)),
            Err(e) => {
                error = Some(form_error(e)?);
                None
            }
        }
    };
    Ok(EntryPage {
        layout: Layout::new(s, session, p, "entry").await,
        tab: "entry",
        periods: period_links(state, period, |pe| entry_href(&org, pe)),
        units: units.into_iter().map(|u| UnitOption { code: u.org.code, name: u.org.name }).collect(),
        org,
        period: period.to_string(),
        grid,
        notice: outcome.notice,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<EntryQuery>,
) -> PageResult {
    let period = if q.period.trim().is_empty() { this_year(&state) } else { q.period.trim().to_string() };
    let notice = q.imported.map(|imported| {
        format!(
            "Đã lưu số liệu: {} giá trị mới, {} giá trị thay đổi, {} giá trị không đổi. Kết quả kiểm tra số liệu ở cuối trang.",
            format::int(imported),
            format::int(q.updated.unwrap_or(0)),
            format::int(q.ignored.unwrap_or(0))
        )
    });
    let outcome = Outcome { notice, error: None, typed: Typed::new(), errors: HashMap::new() };
    let page = entry_page(&state, &session, &p, &q.org, &period, outcome).await?;
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

pub async fn save(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let org = f.get("org").trim().to_string();
    let period = f.get("period").trim().to_string();
    let values: Vec<EntryValue> =
        f.0.iter()
            .filter_map(|(k, v)| {
                let code = k.strip_prefix("value.")?;
                Some(EntryValue {
                    indicator: code.to_string(),
                    value: v.clone(),
                    comment: f.get(&format!("comment.{code}")).to_string(),
                })
            })
            .collect();
    let input = EntryInput { org: org.clone(), period: period.clone(), values };
    match state.services.save_entry(&p, &input).await {
        Ok(c) => {
            let (imported, updated, ignored) = (c.imported.to_string(), c.updated.to_string(), c.ignored.to_string());
            Ok(Redirect::to(&format!(
                "/indicators/entry?{}",
                query(&[
                    ("org", &org),
                    ("period", &period),
                    ("imported", &imported),
                    ("updated", &updated),
                    ("ignored", &ignored)
                ])
            ))
            .into_response())
        }
        Err(e) => {
            let typed: Typed =
                input.values.iter().map(|v| (v.indicator.clone(), (v.value.clone(), v.comment.clone()))).collect();
            let (error, errors) = match e {
                DomainError::Rejected(problems) => (
                    format!(
                        "Chưa lưu số liệu nào: {} chỉ tiêu có lỗi, ghi ngay cạnh từng chỉ tiêu. Các giá trị đã nhập vẫn \
                         còn nguyên dưới đây.",
                        problems.len()
                    ),
                    problems.into_iter().map(|pr| (pr.column, pr.message)).collect(),
                ),
                e => (form_error(e)?, HashMap::new()),
            };
            let outcome = Outcome { notice: None, error: Some(error), typed, errors };
            Ok(unprocessable(entry_page(&state, &session, &p, &org, &period, outcome).await?))
        }
    }
}
