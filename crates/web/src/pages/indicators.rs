//! Indicator pages: the list of definitions, one indicator rolled up over a unit and its
//! children for a period (with the structure "as of then" or "as of now", targets and progress),
//! and the target sheet of a unit and its children. The JSON twins are in `api/indicators.rs`:
//! `/api/v1/indicators`, `/api/v1/indicators/{code}/rollup`, `/api/v1/indicators/{code}/targets`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::{Action, Principal};
use domain::indicators::{AggregationRule, Indicator, Period, PeriodType, RESTRUCTURING_RULE_VI, format_number};
use domain::repo::indicators::StoredIndicator;
use domain::services::indicator_entry::TargetInput;
use domain::services::indicators::{RollUp, Structure};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields};
use crate::pages::kpi::Link;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

/// A query string from pairs, empty values left out.
pub(crate) fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
}

/// The unit a page opens on when none is asked for: the first one the caller reads work of.
pub(crate) fn home_org(p: &Principal) -> String {
    let scope = p.scope_paths(Action::ReadWork);
    p.grants.iter().find(|g| scope.contains(&g.org_path)).map(|g| g.org_code.clone()).unwrap_or_default()
}

/// This year, as a DHIS2 period.
pub(crate) fn this_year(state: &AppState) -> String {
    Period::of(PeriodType::Yearly, state.services.clock().today()).code()
}

/// The previous and next period of the same type, then this year, half, quarter and month.
pub(crate) fn period_links(state: &AppState, current: &str, href: impl Fn(&str) -> String) -> Vec<Link> {
    let mut out = Vec::new();
    if let Ok(p) = Period::parse(current) {
        if let Some(prev) = p.step(-1) {
            out.push(Link { label: format!("← {}", prev.label()), href: href(&prev.code()) });
        }
        if let Some(next) = p.step(1) {
            out.push(Link { label: format!("{} →", next.label()), href: href(&next.code()) });
        }
    }
    let today = state.services.clock().today();
    for t in [PeriodType::Yearly, PeriodType::SixMonthly, PeriodType::Quarterly, PeriodType::Monthly] {
        let p = Period::of(t, today);
        out.push(Link { label: p.label(), href: href(&p.code()) });
    }
    out
}

/// The entry grid of a unit (by code) for a period.
pub(crate) fn entry_href(org: &str, period: &str) -> String {
    format!("/indicators/entry?{}", query(&[("org", org), ("period", period)]))
}

/// A definition as the pages show it.
pub struct DefView {
    pub code: String,
    pub name: String,
    pub description: String,
    pub unit: &'static str,
    pub value_type: &'static str,
    pub aggregation: String,
    pub period_type: &'static str,
    pub formula: String,
    pub range: String,
    pub cite: String,
}

fn aggregation_text(rule: &AggregationRule) -> String {
    match rule {
        AggregationRule::RatioOfSums { numerator, denominator, factor } => {
            let times = factor.map(|f| format!(" × {}", format_number(f))).unwrap_or_default();
            format!("{}: Σ {numerator} / Σ {denominator}{times}", rule.label())
        }
        AggregationRule::WeightedAverage { weight } => format!("{}, trọng số {weight}", rule.label()),
        other => other.label().to_string(),
    }
}

impl DefView {
    pub fn of(d: &Indicator) -> Self {
        let range = match (d.expected_min, d.expected_max) {
            (Some(a), Some(b)) => format!("{} – {}", format_number(a), format_number(b)),
            (Some(a), None) => format!("từ {}", format_number(a)),
            (None, Some(b)) => format!("đến {}", format_number(b)),
            (None, None) => String::new(),
        };
        DefView {
            code: d.code.to_string(),
            name: d.name.clone(),
            description: d.description.clone(),
            unit: d.unit.label(),
            value_type: d.value_type.label(),
            aggregation: aggregation_text(&d.aggregation),
            period_type: d.period_type.label(),
            formula: d.formula.as_ref().map(|f| f.source().to_string()).unwrap_or_default(),
            range,
            cite: d.cite.clone().unwrap_or_default(),
        }
    }
}

// ----- the list --------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "indicators.html")]
struct ListPage {
    layout: Layout,
    tab: &'static str,
    rows: Vec<DefView>,
}

pub async fn index(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let list = state.services.indicators().await?;
    Ok(ListPage {
        layout: Layout::new(&state.services, &session, &p, "indicators").await,
        tab: "list",
        rows: list.iter().map(|i| DefView::of(&i.def)).collect(),
    }
    .into_response())
}

// ----- one indicator rolled up -----------------------------------------------------------------

pub struct RollUpLine {
    pub name: String,
    pub code: String,
    pub href: String,
    pub value: String,
    pub target: String,
    pub progress: String,
    /// The entry grid of the unit, when the period is of the indicator's type.
    pub entry_href: Option<String>,
}

pub struct RollUpView {
    pub org_name: String,
    pub period_label: String,
    pub as_of: String,
    pub value: String,
    pub target: String,
    pub target_note: String,
    pub progress: String,
    pub inputs: String,
    pub children: Vec<RollUpLine>,
    /// The rows behind the figure: the unit's entry grids of the periods inside.
    pub entry_links: Vec<Link>,
    pub export_href: String,
    pub targets_href: Option<String>,
    pub rule: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    layout: Layout,
    tab: &'static str,
    def: DefView,
    org: String,
    period: String,
    structures: Vec<Choice>,
    structure_links: Vec<Choice>,
    periods: Vec<Link>,
    rollup: Option<RollUpView>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RollUpQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    structure: String,
}

fn structure_of(s: &str) -> Structure {
    if s == "then" { Structure::Then } else { Structure::Now }
}

fn structure_str(s: Structure) -> &'static str {
    match s {
        Structure::Now => "now",
        Structure::Then => "then",
    }
}

fn structure_label(s: Structure) -> &'static str {
    match s {
        Structure::Now => "Cơ cấu hiện nay (đơn vị đã sáp nhập tính cho đơn vị kế thừa)",
        Structure::Then => "Cơ cấu tại thời điểm cuối kỳ báo cáo",
    }
}

fn rollup_href(code: &str, org: &str, period: &str, structure: &str) -> String {
    format!("/indicators/{code}?{}", query(&[("org", org), ("period", period), ("structure", structure)]))
}

fn rollup_view(r: &RollUp, ind: &StoredIndicator, structure: &str) -> RollUpView {
    let unit = ind.def.unit;
    let period = Period::parse(&r.period).ok();
    let same_type = period.is_some_and(|p| p.period_type() == ind.def.period_type);
    let entry_links = period
        .map(|p| p.periods_inside(ind.def.period_type))
        .unwrap_or_default()
        .into_iter()
        .map(|p| Link { label: p.label(), href: entry_href(&r.org.code, &p.code()) })
        .collect();
    RollUpView {
        org_name: r.org.name.clone(),
        period_label: r.period_label.clone(),
        as_of: format::date(r.as_of),
        value: format::opt_figure(unit, r.value),
        target: r.target.map(|t| format::figure(unit, t)).unwrap_or_default(),
        target_note: r.target_note.clone().unwrap_or_default(),
        progress: format::percent(r.progress),
        inputs: format::int(r.inputs as u64),
        children: r
            .children
            .iter()
            .map(|c| RollUpLine {
                name: c.org.name.clone(),
                code: c.org.code.clone(),
                href: rollup_href(&r.indicator, &c.org.code, &r.period, structure),
                value: format::opt_figure(unit, c.value),
                target: c.target.map(|t| format::figure(unit, t)).unwrap_or_default(),
                progress: format::percent(c.progress),
                entry_href: (same_type && ind.def.formula.is_none()).then(|| entry_href(&c.org.code, &r.period)),
            })
            .collect(),
        entry_links,
        export_href: format!(
            "/api/v1/dataValueSets?{}",
            query(&[
                ("dataElement", &r.indicator),
                ("period", &r.period),
                ("orgUnit", &r.org.code),
                ("children", "true"),
                ("format", "csv")
            ])
        ),
        targets_href: r.editable.then(|| {
            format!(
                "/indicators/targets?{}",
                query(&[("indicator", &r.indicator), ("org", &r.org.code), ("period", &r.period)])
            )
        }),
        rule: (r.structure == Structure::Now).then_some(RESTRUCTURING_RULE_VI),
    }
}

async fn find_indicator(state: &AppState, code: &str) -> Result<StoredIndicator, PageError> {
    state
        .services
        .indicators()
        .await?
        .into_iter()
        .find(|i| i.def.code.as_str() == code.trim())
        .ok_or_else(|| PageError::from(DomainError::not_found("chỉ tiêu", code.trim().to_string())))
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(code): Path<String>,
    Query(q): Query<RollUpQuery>,
) -> PageResult {
    let ind = find_indicator(&state, &code).await?;
    let org = if q.org.trim().is_empty() { home_org(&p) } else { q.org.trim().to_string() };
    let period = if q.period.trim().is_empty() { this_year(&state) } else { q.period.trim().to_string() };
    let structure = structure_of(&q.structure);
    let s = structure_str(structure);
    let (rollup, error) = match state.services.roll_up(&p, &code, &period, &org, structure).await {
        Ok(r) => (Some(rollup_view(&r, &ind, s)), None),
        Err(e) => (None, Some(form_error(e)?)),
    };
    let code = ind.def.code.to_string();
    let page = IndicatorPage {
        layout: Layout::new(&state.services, &session, &p, "indicators").await,
        tab: "",
        periods: period_links(&state, &period, |pe| rollup_href(&code, &org, pe, s)),
        structures: [Structure::Now, Structure::Then]
            .into_iter()
            .map(|x| Choice {
                value: structure_str(x).into(),
                label: structure_label(x).into(),
                selected: x == structure,
            })
            .collect(),
        structure_links: [Structure::Now, Structure::Then]
            .into_iter()
            .map(|x| Choice {
                value: rollup_href(&code, &org, &period, structure_str(x)),
                label: match x {
                    Structure::Now => "Theo cơ cấu hiện nay".into(),
                    Structure::Then => "Theo cơ cấu tại thời điểm đó".into(),
                },
                selected: x == structure,
            })
            .collect(),
        def: DefView::of(&ind.def),
        org,
        period,
        rollup,
        error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

// ----- targets ---------------------------------------------------------------------------------

pub struct TargetLine {
    pub code: String,
    pub name: String,
    pub actual: String,
    pub target: String,
    pub note: String,
    pub progress: String,
    pub editable: bool,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicator_targets.html")]
struct TargetsPage {
    layout: Layout,
    tab: &'static str,
    indicators: Vec<Choice>,
    indicator: String,
    org: String,
    period: String,
    unit: &'static str,
    org_name: String,
    period_label: String,
    rows: Vec<TargetLine>,
    may_save: bool,
    periods: Vec<Link>,
    rollup_href: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TargetsQuery {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    ok: String,
}

/// What a target form sent for one unit: its code, the target and note as typed.
struct Typed {
    code: String,
    target: String,
    note: String,
}

struct TargetsRequest<'a> {
    indicator: &'a str,
    org: &'a str,
    period: &'a str,
}

async fn targets_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    req: &TargetsRequest<'_>,
    (typed, errors): (&[Typed], &[(String, String)]),
    notice: Option<String>,
    error: Option<String>,
) -> Result<TargetsPage, PageError> {
    let list = state.services.indicators().await?;
    let chosen = list.iter().find(|i| i.def.code.as_str() == req.indicator).or_else(|| list.first());
    let code = chosen.map(|i| i.def.code.to_string()).unwrap_or_default();
    let unit = chosen.map(|i| i.def.unit);
    let mut page = TargetsPage {
        layout: Layout::new(&state.services, session, p, "indicators").await,
        tab: "targets",
        indicators: list
            .iter()
            .filter(|i| i.def.value_type.is_numeric())
            .map(|i| Choice {
                value: i.def.code.to_string(),
                label: format!("{} — {}", i.def.code, i.def.name),
                selected: i.def.code.as_str() == code,
            })
            .collect(),
        periods: period_links(state, req.period, |pe| {
            format!("/indicators/targets?{}", query(&[("indicator", &code), ("org", req.org), ("period", pe)]))
        }),
        rollup_href: rollup_href(&code, req.org, req.period, "then"),
        indicator: code.clone(),
        org: req.org.to_string(),
        period: req.period.to_string(),
        unit: unit.map(|u| u.label()).unwrap_or_default(),
        org_name: String::new(),
        period_label: String::new(),
        rows: Vec::new(),
        may_save: false,
        notice,
        error,
    };
    // The sheet follows the structure the period closed with: targets are set for those units.
    let r = match state.services.roll_up(p, &code, req.period, req.org, Structure::Then).await {
        Ok(r) => r,
        Err(e) => {
            page.error = Some(form_error(e)?);
            return Ok(page);
        }
    };
    let unit = unit.unwrap_or(domain::indicators::Unit::Count);
    let line = |org: &domain::work::OrgRef,
                value: Option<f64>,
                target: Option<f64>,
                note: &Option<String>,
                progress: Option<f64>,
                editable: bool| {
        let typed = typed.iter().find(|t| t.code == org.code);
        TargetLine {
            code: org.code.clone(),
            name: org.name.clone(),
            actual: format::opt_figure(unit, value),
            target: match typed {
                Some(t) => t.target.clone(),
                None => target.map(|t| t.to_string().replace('.', ",")).unwrap_or_default(),
            },
            note: match typed {
                Some(t) => t.note.clone(),
                None => note.clone().unwrap_or_default(),
            },
            progress: format::percent(progress),
            editable,
            error: errors.iter().find(|(c, _)| *c == org.code).map(|(_, m)| m.clone()),
        }
    };
    page.rows.push(line(&r.org, r.value, r.target, &r.target_note, r.progress, r.editable));
    for c in &r.children {
        page.rows.push(line(&c.org, c.value, c.target, &c.target_note, c.progress, c.editable));
    }
    page.may_save = page.rows.iter().any(|l| l.editable);
    page.org_name = r.org.name.clone();
    page.period_label = r.period_label.clone();
    Ok(page)
}

pub async fn targets(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<TargetsQuery>,
) -> PageResult {
    let org = if q.org.trim().is_empty() { home_org(&p) } else { q.org.trim().to_string() };
    let period = if q.period.trim().is_empty() { this_year(&state) } else { q.period.trim().to_string() };
    let req = TargetsRequest { indicator: q.indicator.trim(), org: &org, period: &period };
    let notice = (q.ok == "saved").then(|| "Đã lưu chỉ tiêu kế hoạch.".to_string());
    let page = targets_page(&state, &session, &p, &req, (&[], &[]), notice, None).await?;
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

pub async fn save_targets(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<Fields>,
) -> PageResult {
    let req = TargetsRequest {
        indicator: f.get("indicator").trim(),
        org: f.get("org").trim(),
        period: f.get("period").trim(),
    };
    let units = f.all("unit");
    let typed: Vec<Typed> = units
        .iter()
        .zip(f.all("target"))
        .zip(f.all("note"))
        .map(|((u, t), n)| Typed { code: u.to_string(), target: t.to_string(), note: n.to_string() })
        .collect();
    // A number typed the Vietnamese way; an empty target leaves the stored one.
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut inputs: Vec<TargetInput> = Vec::new();
    let mut sent: Vec<&str> = Vec::new();
    for t in typed.iter().filter(|t| !t.target.trim().is_empty()) {
        match domain::indicators::parse_number(&t.target) {
            Some(value) => {
                inputs.push(TargetInput {
                    org: t.code.clone(),
                    period: req.period.to_string(),
                    value,
                    note: Some(t.note.clone()),
                });
                sent.push(&t.code);
            }
            None => errors.push((
                t.code.clone(),
                format!("'{}' không phải là số; ghi số theo dạng 1.234,5 (hoặc 1234.5)", t.target.trim()),
            )),
        }
    }
    let result = if errors.is_empty() {
        state.services.set_targets(&p, req.indicator, &inputs).await.map(|_| ())
    } else {
        Err(DomainError::Rejected(Vec::new()))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/indicators/targets?{}",
            query(&[("indicator", req.indicator), ("org", req.org), ("period", req.period), ("ok", "saved")])
        ))
        .into_response()),
        Err(e) => {
            let error = match e {
                DomainError::Rejected(problems) => {
                    for pr in problems {
                        let code = sent.get(pr.line.saturating_sub(1)).map_or(pr.column.clone(), |c| c.to_string());
                        errors.push((code, pr.message));
                    }
                    format!("Chưa lưu chỉ tiêu kế hoạch nào: {} ô có lỗi, ghi ngay cạnh từng đơn vị.", errors.len())
                }
                e => form_error(e)?,
            };
            let page = targets_page(&state, &session, &p, &req, (&typed, &errors), None, Some(error)).await?;
            Ok(unprocessable(page))
        }
    }
}
