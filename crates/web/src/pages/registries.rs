//! Registry pages (danh mục): the overview of the three registries, a list per registry with
//! its filters, the inspection schedule, the new / edit forms (a bad field is named in
//! Vietnamese beside the field and what was typed stays), and delete with a confirmation page.
//! Forms carry the CSRF token; every figure here is also in `api/registries.rs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::DomainError;
use domain::auth::{Action, Principal};
use domain::indicators::{format_number, parse_number};
use domain::org::Page;
use domain::registries::{
    BudgetSource, ComplianceFilter, DatabaseKind, ExpenditureKind, FourLayer, InspectionFilter, InspectionState,
    LAYER_LABELS, LayerState, ProjectStatus, RegistryKind, SecurityLevel,
};
use domain::services::registries::{
    DatabaseInput, DatabaseView, ProjectInput, ProjectView, RegistryQuery, RegistrySettings, StateCount, SystemInput,
    SystemView, field_label,
};
use domain::work::YearSpan;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::forms::{Choice, Fields, date_field};
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

const PAGE_SIZE: u64 = 50;

fn kind_of(segment: &str) -> Result<RegistryKind, PageError> {
    RegistryKind::from_segment(segment)
        .ok_or_else(|| PageError::from(DomainError::not_found("trang", format!("/registries/{segment}"))))
}

/// One tab of the registry pages.
pub struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

fn tabs(active: &str) -> Vec<Tab> {
    [
        ("/registries", "Tổng quan", "overview"),
        ("/registries/systems", "Hệ thống thông tin", "systems"),
        ("/registries/databases", "Cơ sở dữ liệu", "databases"),
        ("/registries/projects", "Nhiệm vụ, dự án", "projects"),
        ("/registries/inspections", "Lịch kiểm tra", "inspections"),
    ]
    .into_iter()
    .map(|(href, label, key)| Tab { href, label, active: key == active })
    .collect()
}

/// A notice after a redirect (`?ok=…`).
fn notice(ok: &str) -> Option<&'static str> {
    match ok {
        "created" => Some("Đã thêm vào danh mục."),
        "saved" => Some("Đã lưu thay đổi."),
        "deleted" => Some("Đã xóa khỏi danh mục."),
        "settings" => Some("Đã lưu thiết lập."),
        _ => None,
    }
}

/// "Quá hạn kiểm tra" as a badge, with the due date.
pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
    pub detail: String,
}

fn inspection_badge(state: InspectionState) -> Badge {
    let detail = match state {
        InspectionState::Unscheduled => String::new(),
        InspectionState::Ok { due } => format!("hạn {}", format::date(due)),
        InspectionState::DueSoon { due, days_left } => format!("hạn {} (còn {days_left} ngày)", format::date(due)),
        InspectionState::Overdue { due, days_overdue } => {
            format!("hạn {} (quá {days_overdue} ngày)", format::date(due))
        }
    };
    Badge { class: state.filter().as_str(), label: state.label(), detail }
}

fn count_badges(counts: &[StateCount], link: impl Fn(InspectionFilter) -> String) -> Vec<(Badge, String)> {
    counts
        .iter()
        .map(|c| (Badge { class: c.state.as_str(), label: c.label, detail: format::int(c.count) }, link(c.state)))
        .collect()
}

// ----- overview --------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct OrgParam {
    #[serde(default)]
    org: String,
    #[serde(default)]
    ok: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "registries.html")]
struct OverviewPage {
    layout: Layout,
    tabs: Vec<Tab>,
    org: String,
    notice: Option<&'static str>,
    error: Option<String>,
    systems: String,
    databases: String,
    projects: String,
    inspections: Vec<(Badge, String)>,
    databases_by_kind: Vec<(String, String)>,
    projects_by_status: Vec<(String, String)>,
    soon_days: u32,
    may_create: bool,
    /// `?org=…` for the links to the lists, or empty.
    org_link: String,
}

pub async fn overview(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<OrgParam>,
) -> PageResult {
    let org = q.org.trim().to_string();
    let org_query = if org.is_empty() { String::new() } else { format!("&org={}", urlencode(&org)) };
    let layout = Layout::new(&state.services, &session, &p, "registries").await;
    let (o, error) = match state.services.registry_overview(&p, Some(org.as_str())).await {
        Ok(o) => (Some(o), None),
        Err(e) => (None, Some(form_error(e)?)),
    };
    let Some(o) = o else {
        let page = OverviewPage {
            layout,
            tabs: tabs("overview"),
            org,
            notice: None,
            error,
            systems: String::new(),
            databases: String::new(),
            projects: String::new(),
            inspections: Vec::new(),
            databases_by_kind: Vec::new(),
            projects_by_status: Vec::new(),
            soon_days: 0,
            may_create: false,
            org_link: String::new(),
        };
        return Ok(unprocessable(page));
    };
    let page = OverviewPage {
        layout,
        tabs: tabs("overview"),
        notice: notice(&q.ok),
        error: None,
        systems: format::int(o.systems),
        databases: format::int(o.databases),
        projects: format::int(o.projects),
        inspections: count_badges(&o.inspections, |s| {
            format!("/registries/inspections?state={}{}", s.as_str(), org_query)
        }),
        databases_by_kind: o.databases_by_kind.iter().map(|k| (k.label.to_string(), format::int(k.count))).collect(),
        projects_by_status: o.projects_by_status.iter().map(|k| (k.label.to_string(), format::int(k.count))).collect(),
        soon_days: o.soon_days,
        may_create: o.may_create,
        org_link: org_query.replacen('&', "?", 1),
        org,
    };
    Ok(page.into_response())
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap_or_default().trim_start_matches('=').to_string()
}

// ----- lists -----------------------------------------------------------------------------------

/// A cell of a list: text, or a badge, optionally a link.
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub badge: Option<Badge>,
    pub class: &'static str,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell { text: text.into(), href: None, badge: None, class: "" }
}

fn num_cell(text: impl Into<String>) -> Cell {
    Cell { text: text.into(), href: None, badge: None, class: "num" }
}

fn wide(mut c: Cell) -> Cell {
    c.class = if c.class == "num" { "num wide" } else { "wide" };
    c
}

fn badge_cell(state: InspectionState) -> Cell {
    Cell { text: String::new(), href: None, badge: Some(inspection_badge(state)), class: "" }
}

fn link_cell(text: impl Into<String>, href: String) -> Cell {
    Cell { text: text.into(), href: Some(href), badge: None, class: "" }
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    org: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    compliance: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    offset: u64,
    #[serde(default, skip_serializing)]
    ok: String,
}

impl ListParams {
    /// The query the services take; a bad filter is named in Vietnamese.
    fn query(&self) -> Result<RegistryQuery, DomainError> {
        let opt = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(RegistryQuery {
            org: opt(&self.org),
            q: opt(&self.q),
            database_kind: opt(&self.kind).map(|k| DatabaseKind::parse(&k)).transpose()?,
            state: opt(&self.state).map(|s| InspectionFilter::parse(&s)).transpose()?,
            compliance: opt(&self.compliance).map(|s| ComplianceFilter::parse(&s)).transpose()?,
            level: opt(&self.level).map(|l| SecurityLevel::parse(&l)).transpose()?,
            status: opt(&self.status).map(|s| ProjectStatus::parse(&s)).transpose()?,
            year: opt(&self.year)
                .map(|y| {
                    y.parse::<i32>().map_err(|_| DomainError::invalid("year", format!("'{y}' không phải một năm")))
                })
                .transpose()?,
            offset: self.offset,
            limit: PAGE_SIZE,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "registry_list.html")]
struct ListPage {
    layout: Layout,
    tabs: Vec<Tab>,
    title: &'static str,
    action: String,
    new_href: Option<String>,
    filters: Vec<Field>,
    headers: Vec<(&'static str, &'static str)>,
    rows: Vec<Vec<Cell>>,
    total: String,
    notice: Option<&'static str>,
    error: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// Inspection page: the counts per state and the settings form (system admins).
    counts: Vec<(Badge, String)>,
    settings: Option<SettingsForm>,
    note: String,
}

pub struct SettingsForm {
    pub soon_days: String,
}

fn filter_fields(kind: RegistryKind, q: &ListParams) -> Vec<Field> {
    let mut f = vec![
        Field::text("org", "Mã đơn vị", &q.org).hint("VD: 51"),
        Field::text("q", "Tìm theo tên", &q.q).hint("không cần gõ dấu"),
    ];
    match kind {
        RegistryKind::System => {
            let levels = (1..=5).map(|n| (n.to_string(), format!("Cấp độ {n}")));
            f.push(Field::select("level", "Cấp độ", &q.level, with_blank("(tất cả)", levels)));
            let states = InspectionFilter::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string()));
            f.push(Field::select("state", "Tình trạng kiểm tra", &q.state, with_blank("(tất cả)", states)));
            let compliance = ComplianceFilter::ALL.iter().map(|c| (c.as_str().to_string(), c.label().to_string()));
            f.push(Field::select("compliance", "Hồ sơ, phương án", &q.compliance, with_blank("(tất cả)", compliance)));
        }
        RegistryKind::Database => {
            let kinds = DatabaseKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string()));
            f.push(Field::select("kind", "Loại", &q.kind, with_blank("(tất cả)", kinds)));
        }
        RegistryKind::Project => {
            let statuses = ProjectStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string()));
            f.push(Field::select("status", "Mới hay chuyển tiếp", &q.status, with_blank("(tất cả)", statuses)));
            f.push(Field::text("year", "Năm triển khai", &q.year).hint("VD: 2026").numeric());
        }
    }
    f
}

fn system_row(s: &SystemView) -> Vec<Cell> {
    vec![
        link_cell(&s.system.name, format!("/registries/systems/{}", s.system.id)),
        cell(&s.org.name),
        cell(s.system.security_level.map(|l| l.label()).unwrap_or_else(|| "Chưa xác định".into())),
        wide(cell(
            s.system
                .dossier_approved_on
                .map(|d| format!("{} {}", format::date(d), s.system.dossier_decision.clone().unwrap_or_default()))
                .unwrap_or_else(|| "Chưa phê duyệt".into()),
        )),
        wide(cell(format::opt_date(s.system.last_inspection))),
        badge_cell(s.inspection),
    ]
}

const SYSTEM_HEADERS: [(&str, &str); 6] = [
    ("Hệ thống thông tin", ""),
    ("Đơn vị quản lý", ""),
    ("Cấp độ", ""),
    ("Hồ sơ cấp độ", "wide"),
    ("Kiểm tra gần nhất", "wide"),
    ("Kiểm tra định kỳ", ""),
];

fn database_row(d: &DatabaseView) -> Vec<Cell> {
    let db = &d.database;
    vec![
        link_cell(&db.name, format!("/registries/databases/{}", db.id)),
        cell(&d.org.name),
        wide(cell(d.kind_label)),
        num_cell(format::int(db.total_records)),
        wide(num_cell(match (db.records_updated_since, db.records_since) {
            (Some(n), Some(since)) => format!("{} (từ {})", format::int(n), format::date(since)),
            _ => String::new(),
        })),
        num_cell(match (db.participating_units, db.target_units) {
            (Some(p), Some(t)) => format!("{} / {}", format::int(u64::from(p)), format::int(u64::from(t))),
            (Some(p), None) => format::int(u64::from(p)),
            (None, Some(t)) => format!("? / {}", format::int(u64::from(t))),
            (None, None) => String::new(),
        }),
        wide(cell(format::date(db.as_of))),
    ]
}

const DATABASE_HEADERS: [(&str, &str); 7] = [
    ("Cơ sở dữ liệu", ""),
    ("Đơn vị", ""),
    ("Loại", "wide"),
    ("Tổng số hồ sơ", "num"),
    ("Cập nhật trong kỳ", "num wide"),
    ("Đơn vị khai thác / mục tiêu", "num"),
    ("Thời điểm báo cáo", "wide"),
];

fn project_row(p: &ProjectView) -> Vec<Cell> {
    let pr = &p.project;
    vec![
        link_cell(&pr.name, format!("/registries/projects/{}", pr.id)),
        cell(&pr.lead_unit),
        wide(cell(&p.org.name)),
        cell(&p.years_label),
        num_cell(format_number(pr.total_million_vnd)),
        wide(cell(&p.funding_label)),
        cell(p.status_label),
    ]
}

const PROJECT_HEADERS: [(&str, &str); 7] = [
    ("Nhiệm vụ, dự án", ""),
    ("Đơn vị chủ trì", ""),
    ("Cơ quan", "wide"),
    ("Thời gian", ""),
    ("Tổng mức (triệu đồng)", "num"),
    ("Nguồn vốn", "wide"),
    ("Mới / chuyển tiếp", ""),
];

/// Links to the previous and the next page, when there are.
type PagerLinks = (Option<String>, Option<String>);

fn pager<T>(base: &str, q: &ListParams, page: &Page<T>) -> PagerLinks {
    let link = |offset: u64| {
        let params = ListParams { offset, ..q.clone() };
        format!("{base}?{}", serde_urlencoded::to_string(&params).unwrap_or_default())
    };
    (
        (q.offset > 0).then(|| link(q.offset.saturating_sub(PAGE_SIZE))),
        (q.offset + PAGE_SIZE < page.total).then(|| link(q.offset + PAGE_SIZE)),
    )
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(segment): Path<String>,
    Query(q): Query<ListParams>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    let layout = Layout::new(&state.services, &session, &p, "registries").await;
    let base = format!("/registries/{}", kind.segment());
    let s = &state.services;
    let result: Result<(Vec<Vec<Cell>>, u64, PagerLinks), DomainError> = async {
        let query = q.query()?;
        Ok(match kind {
            RegistryKind::System => {
                let page = s.list_systems(&p, &query).await?;
                (page.items.iter().map(system_row).collect(), page.total, pager(&base, &q, &page))
            }
            RegistryKind::Database => {
                let page = s.list_databases(&p, &query).await?;
                (page.items.iter().map(database_row).collect(), page.total, pager(&base, &q, &page))
            }
            RegistryKind::Project => {
                let page = s.list_projects(&p, &query).await?;
                (page.items.iter().map(project_row).collect(), page.total, pager(&base, &q, &page))
            }
        })
    }
    .await;
    let (rows, total, (prev_href, next_href), error) = match result {
        Ok((rows, total, links)) => (rows, total, links, None),
        Err(e) => (Vec::new(), 0, (None, None), Some(form_error(e)?)),
    };
    let headers: Vec<(&str, &str)> = match kind {
        RegistryKind::System => SYSTEM_HEADERS.to_vec(),
        RegistryKind::Database => DATABASE_HEADERS.to_vec(),
        RegistryKind::Project => PROJECT_HEADERS.to_vec(),
    };
    let page = ListPage {
        layout,
        tabs: tabs(kind.segment()),
        title: kind.label(),
        action: base.clone(),
        new_href: (!p.scope_paths(Action::EditRegistry).is_empty()).then(|| format!("{base}/new")),
        filters: filter_fields(kind, &q),
        headers,
        rows,
        total: format!("{} {} trong phạm vi của bạn.", format::int(total), kind.noun()),
        notice: notice(&q.ok),
        prev_href,
        next_href,
        counts: Vec::new(),
        settings: None,
        note: String::new(),
        error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

pub async fn inspections(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> PageResult {
    let layout = Layout::new(&state.services, &session, &p, "registries").await;
    let result = match q.query() {
        Ok(query) => state.services.inspection_schedule(&p, &query).await,
        Err(e) => Err(e),
    };
    let (schedule, error) = match result {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(form_error(e)?)),
    };
    let org_query = if q.org.trim().is_empty() { String::new() } else { format!("&org={}", urlencode(q.org.trim())) };
    let base = "/registries/inspections";
    let (rows, total, links, counts, soon_days) = match &schedule {
        Some(s) => {
            let page =
                Page { items: Vec::<()>::new(), total: s.total, total_capped: false, offset: s.offset, limit: s.limit };
            let rows = s
                .items
                .iter()
                .map(|v| {
                    vec![
                        link_cell(&v.system.name, format!("/registries/systems/{}", v.system.id)),
                        badge_cell(v.inspection),
                        cell(&v.org.name),
                        cell(v.system.security_level.map(|l| l.label()).unwrap_or_else(|| "Chưa xác định".into())),
                        wide(cell(format::opt_date(v.system.last_inspection))),
                        wide(cell(format::date(v.next_drill_due))),
                    ]
                })
                .collect();
            let counts = count_badges(&s.counts, |st| format!("{base}?state={}{}", st.as_str(), org_query));
            (rows, s.total, pager(base, &q, &page), counts, s.soon_days)
        }
        None => (Vec::new(), 0, (None, None), Vec::new(), 0),
    };
    let page = ListPage {
        layout,
        tabs: tabs("inspections"),
        title: "Lịch kiểm tra, đánh giá an toàn thông tin định kỳ",
        action: base.to_string(),
        new_href: None,
        filters: filter_fields(RegistryKind::System, &q),
        headers: vec![
            ("Hệ thống thông tin", ""),
            ("Tình trạng", ""),
            ("Đơn vị quản lý", ""),
            ("Cấp độ", ""),
            ("Kiểm tra gần nhất", "wide"),
            ("Hạn diễn tập thực chiến", "wide"),
        ],
        rows,
        total: format!("{} hệ thống thông tin, hạn gần nhất trước.", format::int(total)),
        notice: notice(&q.ok),
        prev_href: links.0,
        next_href: links.1,
        counts,
        settings: p.is_root_admin().then(|| SettingsForm { soon_days: soon_days.to_string() }),
        note: format!(
            "Kiểm tra, đánh giá định kỳ tối thiểu 1 lần/2 năm với hệ thống cấp độ 1, 2; 1 lần/năm với cấp độ 3, 4; \
             1 lần/6 tháng với cấp độ 5, tính từ lần kiểm tra gần nhất hoặc ngày phê duyệt hồ sơ cấp độ (nếu muộn \
             hơn). “Sắp đến hạn”: trong {soon_days} ngày tới. Diễn tập thực chiến tối thiểu 1 lần/năm."
        ),
        error,
    };
    Ok(if page.error.is_some() { unprocessable(page) } else { page.into_response() })
}

pub async fn save_settings(State(state): State<AppState>, Actor(p): Actor, Form(f): Form<Fields>) -> PageResult {
    let days = f.get("inspection_soon_days").trim();
    let parsed = days
        .parse::<u32>()
        .map_err(|_| DomainError::invalid("inspection_soon_days", format!("'{days}' không phải số ngày")));
    match parsed.map(|n| RegistrySettings { inspection_soon_days: n }) {
        Ok(s) => {
            state.services.set_registry_settings(&p, s).await?;
            Ok(Redirect::to("/registries/inspections?ok=settings").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ----- form fields -----------------------------------------------------------------------------

/// One field of a form or a filter bar.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// text, textarea, select, check, or heading (a subtitle between groups of fields).
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    pub hint: &'static str,
    pub inputmode: &'static str,
    pub required: bool,
    pub error: Option<String>,
}

impl Field {
    fn text(name: &'static str, label: &str, value: &str) -> Self {
        Field {
            name,
            label: label.to_string(),
            kind: "text",
            value: value.to_string(),
            options: Vec::new(),
            hint: "",
            inputmode: "",
            required: false,
            error: None,
        }
    }
    fn date(name: &'static str, label: &str, value: &str) -> Self {
        Field { hint: "dd/mm/yyyy", inputmode: "numeric", ..Field::text(name, label, value) }
    }
    fn textarea(name: &'static str, label: &str, value: &str) -> Self {
        Field { kind: "textarea", ..Field::text(name, label, value) }
    }
    fn check(name: &'static str, label: &str, value: &str) -> Self {
        Field { kind: "check", ..Field::text(name, label, value) }
    }
    fn heading(label: &str) -> Self {
        Field { kind: "heading", ..Field::text("", label, "") }
    }
    fn select(name: &'static str, label: &str, value: &str, options: Vec<(String, String)>) -> Self {
        let options = options.into_iter().map(|(v, l)| Choice { selected: v == value, value: v, label: l }).collect();
        Field { kind: "select", options, ..Field::text(name, label, value) }
    }
    fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }
    fn numeric(mut self) -> Self {
        self.inputmode = "decimal";
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn is_checked(&self) -> bool {
        matches!(self.value.as_str(), "1" | "on" | "true")
    }
}

fn with_blank(blank: &str, options: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), blank.to_string())).chain(options).collect()
}

fn level_choices() -> Vec<(String, String)> {
    with_blank("(chưa xác định)", (1..=5).map(|n| (n.to_string(), format!("Cấp độ {n}"))))
}

fn layer_field(i: usize) -> &'static str {
    ["layer_1", "layer_2", "layer_3", "layer_4"][i]
}

fn system_fields(v: &Fields) -> Vec<Field> {
    let layer_choices = || LayerState::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect();
    let minimum = vec![
        (String::new(), "Chưa đánh giá".to_string()),
        ("yes".to_string(), "Đáp ứng".to_string()),
        ("no".to_string(), "Chưa đáp ứng".to_string()),
    ];
    let mut f = vec![
        Field::text("org", "Đơn vị quản lý (mã đơn vị)", v.get("org")).hint("VD: 51.SKHCN").required(),
        Field::text("name", "Tên hệ thống thông tin", v.get("name")).required(),
        Field::text("url", "Địa chỉ truy cập", v.get("url")).hint("https://…"),
        Field::heading("Cấp độ an toàn"),
        Field::select("security_level", "Cấp độ an toàn", v.get("security_level"), level_choices()),
        Field::date("dossier_approved_on", "Ngày phê duyệt hồ sơ đề xuất cấp độ", v.get("dossier_approved_on")),
        Field::text("dossier_decision", "Số quyết định phê duyệt", v.get("dossier_decision")).hint("VD: 123/QĐ-UBND"),
        Field::select(
            "meets_minimum_requirements",
            "Đáp ứng yêu cầu tối thiểu theo cấp độ",
            v.get("meets_minimum_requirements"),
            minimum,
        ),
        Field::check(
            "protection_plan_deployed",
            "Đã triển khai đầy đủ phương án bảo đảm an toàn thông tin theo hồ sơ được phê duyệt",
            v.get("protection_plan_deployed"),
        ),
        Field::heading("Mô hình 4 lớp"),
    ];
    for (i, label) in LAYER_LABELS.iter().enumerate() {
        f.push(Field::select(layer_field(i), label, v.get(layer_field(i)), layer_choices()));
    }
    f.extend([
        Field::text("four_layer_provider", "Đơn vị cung cấp dịch vụ (nếu có)", v.get("four_layer_provider")),
        Field::heading("Kiểm tra, diễn tập"),
        Field::date("last_inspection", "Ngày kiểm tra, đánh giá gần nhất", v.get("last_inspection")),
        Field::date("last_drill", "Ngày diễn tập thực chiến gần nhất", v.get("last_drill")),
        Field::heading("Trang, cổng thông tin điện tử"),
        Field::check("portal", "Là trang, cổng thông tin điện tử của cơ quan nhà nước", v.get("portal")),
        Field::date("trust_label_on", "Ngày được gắn nhãn tín nhiệm mạng", v.get("trust_label_on")),
    ]);
    f
}

fn database_fields(v: &Fields) -> Vec<Field> {
    let kinds = DatabaseKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string()));
    vec![
        Field::text("org", "Đơn vị báo cáo (mã đơn vị)", v.get("org")).hint("VD: 51.SKHCN").required(),
        Field::select("kind", "Loại cơ sở dữ liệu", v.get("kind"), with_blank("(chọn loại)", kinds)).required(),
        Field::text("name", "Tên cơ sở dữ liệu", v.get("name")).required(),
        Field::text("url", "Địa chỉ truy cập", v.get("url")).hint("https://…"),
        Field::date("as_of", "Thời điểm báo cáo", v.get("as_of")).required(),
        Field::text("total_records", "Tổng số hồ sơ đã cập nhật", v.get("total_records")).numeric().required(),
        Field::date("records_since", "Tính số hồ sơ cập nhật từ ngày", v.get("records_since")),
        Field::text("records_updated_since", "Số hồ sơ cập nhật từ ngày đó", v.get("records_updated_since")).numeric(),
        Field::text("target_units", "Số đơn vị tham gia khai thác theo mục tiêu", v.get("target_units")).numeric(),
        Field::text("participating_units", "Số đơn vị đã tham gia khai thác", v.get("participating_units")).numeric(),
    ]
}

fn project_fields(v: &Fields) -> Vec<Field> {
    let statuses = ProjectStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string()));
    let expenditures = ExpenditureKind::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string()));
    let budgets = BudgetSource::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string()));
    vec![
        Field::text("org", "Cơ quan (mã đơn vị)", v.get("org")).hint("VD: 51").required(),
        Field::text("name", "Tên nhiệm vụ, dự án", v.get("name")).required(),
        Field::text("lead_unit", "Đơn vị chủ trì", v.get("lead_unit")).required(),
        Field::textarea("objective", "Mục tiêu đầu tư", v.get("objective")),
        Field::select("status", "Mới hay chuyển tiếp", v.get("status"), with_blank("(chọn)", statuses)).required(),
        Field::text("years", "Thời gian triển khai", v.get("years")).hint("VD: 2025 hoặc 2025-2026").required(),
        Field::text("total_million_vnd", "Tổng mức dự kiến (triệu đồng)", v.get("total_million_vnd"))
            .hint("VD: 4.000 hoặc 1.234,5")
            .numeric()
            .required(),
        Field::text("spent_million_vnd", "Kinh phí đã chi (triệu đồng)", v.get("spent_million_vnd")).numeric(),
        Field::select("expenditure", "Nguồn chi", v.get("expenditure"), with_blank("(chọn)", expenditures)).required(),
        Field::select("budget", "Nguồn vốn", v.get("budget"), with_blank("(chọn)", budgets)).required(),
        Field::check("security", "Dự án chuyên về an toàn thông tin", v.get("security")),
        Field::textarea("result_note", "Hiệu quả, hiện trạng", v.get("result_note")),
        Field::date("approved_on", "Ngày phê duyệt", v.get("approved_on")),
        Field::text("decision", "Số quyết định phê duyệt", v.get("decision")),
    ]
}

fn opt_text(f: &Fields, name: &str) -> Option<String> {
    Some(f.get(name).trim().to_string()).filter(|s| !s.is_empty())
}

fn checked(f: &Fields, name: &str) -> bool {
    matches!(f.get(name), "1" | "on" | "true")
}

fn count(f: &Fields, name: &'static str) -> Result<Option<u64>, DomainError> {
    let text = f.get(name).trim();
    if text.is_empty() {
        return Ok(None);
    }
    match parse_number(text) {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= 1e15 => Ok(Some(x as u64)),
        _ => Err(DomainError::invalid(name, format!("'{text}' không phải số nguyên không âm (VD: 12.000)"))),
    }
}

fn small_count(f: &Fields, name: &'static str) -> Result<Option<u32>, DomainError> {
    count(f, name)?.map(|n| u32::try_from(n).map_err(|_| DomainError::invalid(name, "số quá lớn"))).transpose()
}

fn money(f: &Fields, name: &'static str) -> Result<Option<f64>, DomainError> {
    let text = f.get(name).trim();
    if text.is_empty() {
        return Ok(None);
    }
    domain::registries::parse_million_vnd(name, text).map(Some)
}

fn row_version(f: &Fields) -> Option<i32> {
    f.get("row_version").trim().parse().ok()
}

fn system_input(f: &Fields) -> Result<SystemInput, DomainError> {
    let mut layers = [LayerState::NotStarted; 4];
    for (i, l) in layers.iter_mut().enumerate() {
        *l = LayerState::parse(layer_field(i), f.get(layer_field(i)))?;
    }
    let meets = match f.get("meets_minimum_requirements").trim() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        other => {
            return Err(DomainError::invalid(
                "meets_minimum_requirements",
                format!("không hiểu '{other}': chọn Đáp ứng, Chưa đáp ứng hoặc Chưa đánh giá"),
            ));
        }
    };
    Ok(SystemInput {
        org: f.get("org").to_string(),
        name: f.get("name").to_string(),
        url: opt_text(f, "url"),
        security_level: opt_text(f, "security_level").map(|s| SecurityLevel::parse(&s)).transpose()?,
        dossier_approved_on: date_field("dossier_approved_on", f.get("dossier_approved_on"))?,
        dossier_decision: opt_text(f, "dossier_decision"),
        meets_minimum_requirements: meets,
        protection_plan_deployed: checked(f, "protection_plan_deployed"),
        four_layer: FourLayer { layers, provider: opt_text(f, "four_layer_provider") },
        last_inspection: date_field("last_inspection", f.get("last_inspection"))?,
        last_drill: date_field("last_drill", f.get("last_drill"))?,
        portal: checked(f, "portal"),
        trust_label_on: date_field("trust_label_on", f.get("trust_label_on"))?,
        row_version: row_version(f),
    })
}

fn database_input(f: &Fields) -> Result<DatabaseInput, DomainError> {
    Ok(DatabaseInput {
        org: f.get("org").to_string(),
        kind: opt_text(f, "kind").map(|k| DatabaseKind::parse(&k)).transpose()?,
        name: f.get("name").to_string(),
        url: opt_text(f, "url"),
        as_of: date_field("as_of", f.get("as_of"))?,
        total_records: count(f, "total_records")?,
        records_since: date_field("records_since", f.get("records_since"))?,
        records_updated_since: count(f, "records_updated_since")?,
        target_units: small_count(f, "target_units")?,
        participating_units: small_count(f, "participating_units")?,
        row_version: row_version(f),
    })
}

fn project_input(f: &Fields) -> Result<ProjectInput, DomainError> {
    let years = opt_text(f, "years")
        .map(|y| {
            YearSpan::parse(&y).map_err(|_| {
                DomainError::invalid("years", format!("'{y}' không phải một năm (2025) hoặc một giai đoạn (2025-2026)"))
            })
        })
        .transpose()?;
    Ok(ProjectInput {
        org: f.get("org").to_string(),
        name: f.get("name").to_string(),
        lead_unit: f.get("lead_unit").to_string(),
        objective: f.get("objective").to_string(),
        status: opt_text(f, "status").map(|s| ProjectStatus::parse(&s)).transpose()?,
        years,
        total_million_vnd: money(f, "total_million_vnd")?,
        spent_million_vnd: money(f, "spent_million_vnd")?,
        expenditure: opt_text(f, "expenditure").map(|s| ExpenditureKind::parse(&s)).transpose()?,
        budget: opt_text(f, "budget").map(|s| BudgetSource::parse(&s)).transpose()?,
        security: checked(f, "security"),
        result_note: opt_text(f, "result_note"),
        approved_on: date_field("approved_on", f.get("approved_on"))?,
        decision: opt_text(f, "decision"),
        row_version: row_version(f),
    })
}

fn fields_of(pairs: Vec<(&str, String)>) -> Fields {
    Fields(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn yes(b: bool) -> String {
    if b { "1".into() } else { String::new() }
}

fn system_values(v: &SystemView) -> Fields {
    let s = &v.system;
    let mut pairs = vec![
        ("org", v.org.code.clone()),
        ("name", s.name.clone()),
        ("url", s.url.clone().unwrap_or_default()),
        ("security_level", s.security_level.map(|l| l.get().to_string()).unwrap_or_default()),
        ("dossier_approved_on", format::opt_date(s.dossier_approved_on)),
        ("dossier_decision", s.dossier_decision.clone().unwrap_or_default()),
        (
            "meets_minimum_requirements",
            match s.meets_minimum_requirements {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
        ),
        ("protection_plan_deployed", yes(s.protection_plan_deployed)),
        ("four_layer_provider", s.four_layer.provider.clone().unwrap_or_default()),
        ("last_inspection", format::opt_date(s.last_inspection)),
        ("last_drill", format::opt_date(s.last_drill)),
        ("portal", yes(s.portal)),
        ("trust_label_on", format::opt_date(s.trust_label_on)),
    ];
    for (i, l) in s.four_layer.layers.iter().enumerate() {
        pairs.push((layer_field(i), l.as_str().to_string()));
    }
    fields_of(pairs)
}

fn database_values(v: &DatabaseView) -> Fields {
    let d = &v.database;
    let n = |x: Option<u64>| x.map(format::int).unwrap_or_default();
    fields_of(vec![
        ("org", v.org.code.clone()),
        ("kind", d.kind.as_str().to_string()),
        ("name", d.name.clone()),
        ("url", d.url.clone().unwrap_or_default()),
        ("as_of", format::date(d.as_of)),
        ("total_records", format::int(d.total_records)),
        ("records_since", format::opt_date(d.records_since)),
        ("records_updated_since", n(d.records_updated_since)),
        ("target_units", n(d.target_units.map(u64::from))),
        ("participating_units", n(d.participating_units.map(u64::from))),
    ])
}

fn project_values(v: &ProjectView) -> Fields {
    let p = &v.project;
    let years =
        if p.years.from == p.years.to { p.years.from.to_string() } else { format!("{}-{}", p.years.from, p.years.to) };
    fields_of(vec![
        ("org", v.org.code.clone()),
        ("name", p.name.clone()),
        ("lead_unit", p.lead_unit.clone()),
        ("objective", p.objective.clone()),
        ("status", p.status.as_str().to_string()),
        ("years", years),
        ("total_million_vnd", format_number(p.total_million_vnd)),
        ("spent_million_vnd", p.spent_million_vnd.map(format_number).unwrap_or_default()),
        ("expenditure", p.funding.expenditure.as_str().to_string()),
        ("budget", p.funding.budget.as_str().to_string()),
        ("security", yes(p.security)),
        ("result_note", p.result_note.clone().unwrap_or_default()),
        ("approved_on", format::opt_date(p.approved_on)),
        ("decision", p.decision.clone().unwrap_or_default()),
    ])
}

// ----- the form page ---------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "registry_form.html")]
struct FormPage {
    layout: Layout,
    tabs: Vec<Tab>,
    heading: String,
    list_href: String,
    action: String,
    row_version: Option<i32>,
    fields: Vec<Field>,
    error: Option<String>,
    changes: Vec<String>,
    delete_href: Option<String>,
    /// What the system's schedule is now (edit page of a system).
    facts: Vec<(String, String)>,
    notice: Option<&'static str>,
}

/// The error of a form: the field it names (shown beside it) and the sentence, or the page of
/// a non-input error.
fn field_error(e: DomainError) -> Result<(Option<&'static str>, String, Vec<String>), PageError> {
    match e {
        DomainError::Invalid { field, message } => {
            let label = match field {
                f if f.starts_with("layer_") => LAYER_LABELS
                    .get(f.trim_start_matches("layer_").parse::<usize>().unwrap_or(1).saturating_sub(1))
                    .copied()
                    .unwrap_or("Mô hình 4 lớp"),
                "four_layer" => "Mô hình 4 lớp",
                f => field_label(f),
            };
            Ok((Some(field), format!("{label}: {message}."), Vec::new()))
        }
        DomainError::Stale { changes } => Ok((
            None,
            "Người khác đã sửa bản ghi này trong lúc bạn sửa; thay đổi của bạn chưa được lưu và vẫn còn nguyên trong \
             biểu mẫu. Hãy xem lại thay đổi của họ rồi bấm Lưu lần nữa."
                .to_string(),
            changes,
        )),
        e => Ok((None, form_error(e)?, Vec::new())),
    }
}

fn fields_for(kind: RegistryKind, values: &Fields, error_field: Option<&str>, message: &str) -> Vec<Field> {
    let mut fields = match kind {
        RegistryKind::System => system_fields(values),
        RegistryKind::Database => database_fields(values),
        RegistryKind::Project => project_fields(values),
    };
    if let Some(name) = error_field {
        let target = match name {
            "four_layer" => "four_layer_provider",
            "row_version" => "",
            n => n,
        };
        if let Some(f) = fields.iter_mut().find(|f| f.name == target) {
            f.error = Some(message.to_string());
        }
    }
    fields
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    kind: RegistryKind,
    id: Option<i64>,
    row_version: Option<i32>,
    values: &Fields,
    error: Option<(Option<&'static str>, String, Vec<String>)>,
    facts: Vec<(String, String)>,
) -> FormPage {
    let base = format!("/registries/{}", kind.segment());
    let (error_field, message, changes) = match error {
        Some((f, m, c)) => (f, Some(m), c),
        None => (None, None, Vec::new()),
    };
    let fields = fields_for(kind, values, error_field, message.as_deref().unwrap_or(""));
    FormPage {
        layout: Layout::new(&state.services, session, p, "registries").await,
        tabs: tabs(kind.segment()),
        heading: match id {
            Some(_) => format!("Sửa: {}", values.get("name")),
            None => format!("Thêm {}", kind.noun()),
        },
        list_href: base.clone(),
        action: match id {
            Some(id) => format!("{base}/{id}"),
            None => base.clone(),
        },
        row_version,
        fields,
        error: message,
        changes,
        delete_href: id.map(|id| format!("{base}/{id}/delete")),
        facts,
        notice: None,
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(segment): Path<String>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    let today = state.services.clock().today();
    let org =
        p.grants.iter().find(|g| g.role.allows(Action::EditRegistry)).map(|g| g.org_code.clone()).unwrap_or_default();
    let mut pairs = vec![("org", org)];
    match kind {
        RegistryKind::System => {}
        RegistryKind::Database => pairs.push(("as_of", format::date(today))),
        RegistryKind::Project => {
            pairs.push(("years", chrono::Datelike::year(&today).to_string()));
            pairs.push(("status", ProjectStatus::New.as_str().to_string()));
        }
    }
    let page = form_page(&state, &session, &p, kind, None, None, &fields_of(pairs), None, Vec::new()).await;
    Ok(page.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(segment): Path<String>,
    Form(f): Form<Fields>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    let s = &state.services;
    let result = match kind {
        RegistryKind::System => match system_input(&f) {
            Ok(i) => s.create_system(&p, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
        RegistryKind::Database => match database_input(&f) {
            Ok(i) => s.create_database(&p, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
        RegistryKind::Project => match project_input(&f) {
            Ok(i) => s.create_project(&p, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/registries/{}?ok=created", kind.segment())).into_response()),
        Err(e) => {
            let error = field_error(e)?;
            Ok(unprocessable(form_page(&state, &session, &p, kind, None, None, &f, Some(error), Vec::new()).await))
        }
    }
}

/// The current values of an entry, its version, whether the caller may edit it, and the facts
/// shown above the form.
async fn current(
    state: &AppState,
    p: &Principal,
    kind: RegistryKind,
    id: i64,
) -> Result<(Fields, i32, bool, Vec<(String, String)>), DomainError> {
    let s = &state.services;
    Ok(match kind {
        RegistryKind::System => {
            let v = s.system(p, id).await?;
            let badge = inspection_badge(v.inspection);
            let facts = vec![
                ("Đơn vị quản lý".to_string(), v.org.name.clone()),
                (
                    "Kiểm tra định kỳ".to_string(),
                    format!(
                        "{}{}",
                        badge.label,
                        if badge.detail.is_empty() { String::new() } else { format!(", {}", badge.detail) }
                    ),
                ),
                ("Mô hình 4 lớp".to_string(), format!("{}: {}", v.four_layer_status.label(), v.four_layer_summary)),
                ("Hạn diễn tập thực chiến".to_string(), format::date(v.next_drill_due)),
                ("Cập nhật lần cuối".to_string(), format::datetime(v.info.updated_at)),
            ];
            (system_values(&v), v.info.row_version, v.info.may_edit, facts)
        }
        RegistryKind::Database => {
            let v = s.database(p, id).await?;
            let facts = vec![
                ("Đơn vị".to_string(), v.org.name.clone()),
                ("Loại".to_string(), v.kind_label.to_string()),
                ("Cập nhật lần cuối".to_string(), format::datetime(v.info.updated_at)),
            ];
            (database_values(&v), v.info.row_version, v.info.may_edit, facts)
        }
        RegistryKind::Project => {
            let v = s.project(p, id).await?;
            let facts = vec![
                ("Cơ quan".to_string(), v.org.name.clone()),
                ("Nguồn vốn".to_string(), v.funding_label.clone()),
                ("Cập nhật lần cuối".to_string(), format::datetime(v.info.updated_at)),
            ];
            (project_values(&v), v.info.row_version, v.info.may_edit, facts)
        }
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "registry_show.html")]
struct ShowPage {
    layout: Layout,
    tabs: Vec<Tab>,
    heading: String,
    list_href: String,
    rows: Vec<(String, String)>,
}

/// What a reader without the right to edit sees: every field as text.
fn read_only(kind: RegistryKind, values: &Fields, facts: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut rows = facts;
    for f in fields_for(kind, values, None, "") {
        let value = match f.kind {
            "heading" => continue,
            "check" => if f.is_checked() { "Có" } else { "Không" }.to_string(),
            "select" => f.options.iter().find(|o| o.selected).map(|o| o.label.clone()).unwrap_or_default(),
            _ => f.value.clone(),
        };
        rows.push((f.label, value));
    }
    rows
}

#[derive(Deserialize, Default)]
pub struct OkParam {
    #[serde(default)]
    ok: String,
}

pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((segment, id)): Path<(String, i64)>,
    Query(q): Query<OkParam>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    let (values, version, may_edit, facts) = current(&state, &p, kind, id).await?;
    if !may_edit {
        let page = ShowPage {
            layout: Layout::new(&state.services, &session, &p, "registries").await,
            tabs: tabs(kind.segment()),
            heading: values.get("name").to_string(),
            list_href: format!("/registries/{}", kind.segment()),
            rows: read_only(kind, &values, facts),
        };
        return Ok(page.into_response());
    }
    let mut page = form_page(&state, &session, &p, kind, Some(id), Some(version), &values, None, facts).await;
    page.notice = notice(&q.ok);
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((segment, id)): Path<(String, i64)>,
    Form(f): Form<Fields>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    let s = &state.services;
    let result = match kind {
        RegistryKind::System => match system_input(&f) {
            Ok(i) => s.update_system(&p, id, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
        RegistryKind::Database => match database_input(&f) {
            Ok(i) => s.update_database(&p, id, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
        RegistryKind::Project => match project_input(&f) {
            Ok(i) => s.update_project(&p, id, &i).await.map(|_| ()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/registries/{}?ok=saved", kind.segment())).into_response()),
        Err(e) => {
            let stale = matches!(e, DomainError::Stale { .. });
            let error = field_error(e)?;
            // The form keeps what the user typed; after a conflict it takes the current version,
            // so saving again (after reading what changed) writes it.
            let (_, current_version, _, facts) = current(&state, &p, kind, id).await?;
            let version = if stale { Some(current_version) } else { row_version(&f) };
            Ok(unprocessable(form_page(&state, &session, &p, kind, Some(id), version, &f, Some(error), facts).await))
        }
    }
}

// ----- delete ----------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "registry_delete.html")]
struct DeletePage {
    layout: Layout,
    tabs: Vec<Tab>,
    noun: &'static str,
    name: String,
    action: String,
    back: String,
    row_version: i32,
    error: Option<String>,
    changes: Vec<String>,
}

async fn delete_page(
    state: &AppState,
    session: &Session,
    p: &Principal,
    kind: RegistryKind,
    id: i64,
    error: Option<(String, Vec<String>)>,
) -> Result<DeletePage, PageError> {
    let (values, version, may_edit, _) = current(state, p, kind, id).await?;
    if !may_edit {
        return Err(DomainError::Forbidden("xóa mục này của danh mục").into());
    }
    let base = format!("/registries/{}", kind.segment());
    let (error, changes) = match error {
        Some((e, c)) => (Some(e), c),
        None => (None, Vec::new()),
    };
    Ok(DeletePage {
        layout: Layout::new(&state.services, session, p, "registries").await,
        tabs: tabs(kind.segment()),
        noun: kind.noun(),
        name: values.get("name").to_string(),
        action: format!("{base}/{id}/delete"),
        back: format!("{base}/{id}"),
        row_version: version,
        error,
        changes,
    })
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((segment, id)): Path<(String, i64)>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    Ok(delete_page(&state, &session, &p, kind, id, None).await?.into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path((segment, id)): Path<(String, i64)>,
    Form(f): Form<Fields>,
) -> PageResult {
    let kind = kind_of(&segment)?;
    match state.services.delete_registry_entry(&p, kind, id, row_version(&f)).await {
        Ok(()) => Ok(Redirect::to(&format!("/registries/{}?ok=deleted", kind.segment())).into_response()),
        Err(e) => {
            let (_, message, changes) = field_error(e)?;
            let page = delete_page(&state, &session, &p, kind, id, Some((message, changes))).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
    }
}
