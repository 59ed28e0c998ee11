//! Registries (danh mục) of information systems, databases and projects: scoped lists with
//! filters, one entry, create / update (optimistic, 409 with what changed) / delete, the
//! inspection schedule, the tables a report reads as of a day, the registry-derived indicator
//! values recomputed with every write, and the inspection reminders.
//!
//! Access: reading needs [`Action::ReadRegistry`] on the owner unit (entries out of scope read
//! as absent), writing [`Action::EditRegistry`] — on the old and the new owner when an entry
//! moves.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use utoipa::ToSchema;

use super::Services;
use super::work::{may_path, require_path};
use crate::auth::{Action, Principal, Role};
use crate::indicators::{Period, format_number};
use crate::notify::ReminderRun;
use crate::org::{OrgId, OrgUnit, Page};
use crate::registries::{
    BudgetSource, ComplianceFilter, DEFAULT_SOON_DAYS, Database, DatabaseKind, ExpenditureKind, FourLayer,
    FourLayerStatus, FundingSource, INSPECTION_CITE, InformationSystem, InspectionFilter, InspectionState, Project,
    ProjectStatus, RegistryKind, SecurityLevel, SystemFigure, next_drill_due,
};
use crate::repo::registries::{
    DueFilter, FeedIndicator, FeedPlan, FigureFilter, RegistryEntry, RegistryFilter, RegistryOrder, RegistryWrite,
    StoredEntry,
};
use crate::users::{User, UserId};
use crate::work::{OrgRef, YearSpan};
use crate::{DomainError, Result};

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// Settings of the registries (settings key `registry_settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegistrySettings {
    /// Days before an inspection falls due from which it shows as "sắp đến hạn" and the owner
    /// unit is reminded (1–365).
    pub inspection_soon_days: u32,
}

impl Default for RegistrySettings {
    fn default() -> Self {
        Self { inspection_soon_days: DEFAULT_SOON_DAYS }
    }
}

impl RegistrySettings {
    pub const KEY: &'static str = "registry_settings";

    pub fn validate(self) -> Result<Self> {
        if !(1..=365).contains(&self.inspection_soon_days) {
            return Err(DomainError::invalid(
                "inspection_soon_days",
                format!("số ngày báo trước hạn kiểm tra phải từ 1 đến 365 (đang là {})", self.inspection_soon_days),
            ));
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// An information system as a form or API call gives it. The owner unit by code; dates as
/// `yyyy-mm-dd`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SystemInput {
    /// Code of the owner unit (đơn vị quản lý).
    pub org: String,
    pub name: String,
    pub url: Option<String>,
    /// Cấp độ an toàn 1–5; none while not determined.
    pub security_level: Option<SecurityLevel>,
    pub dossier_approved_on: Option<NaiveDate>,
    pub dossier_decision: Option<String>,
    /// Đáp ứng yêu cầu tối thiểu theo cấp độ; none while not assessed.
    pub meets_minimum_requirements: Option<bool>,
    #[serde(default)]
    pub protection_plan_deployed: bool,
    #[serde(default)]
    pub four_layer: FourLayer,
    pub last_inspection: Option<NaiveDate>,
    pub last_drill: Option<NaiveDate>,
    /// A website or portal of a state agency.
    #[serde(default)]
    pub portal: bool,
    pub trust_label_on: Option<NaiveDate>,
    /// To update: the `row_version` the editor loaded (a stale one gets 409 with what changed).
    pub row_version: Option<i32>,
}

/// A database as a form or API call gives it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DatabaseInput {
    /// Code of the reporting unit.
    pub org: String,
    /// national, sectoral (bộ, ngành trung ương triển khai) or local (tỉnh đầu tư).
    pub kind: Option<DatabaseKind>,
    pub name: String,
    pub url: Option<String>,
    /// The day the counts are as of (thời điểm báo cáo).
    pub as_of: Option<NaiveDate>,
    pub total_records: Option<u64>,
    /// The day from which `records_updated_since` counts.
    pub records_since: Option<NaiveDate>,
    pub records_updated_since: Option<u64>,
    /// Units meant to use it (theo mục tiêu đề ra).
    pub target_units: Option<u32>,
    /// Units using it.
    pub participating_units: Option<u32>,
    /// To update: the `row_version` the editor loaded.
    pub row_version: Option<i32>,
}

/// A project (nhiệm vụ, dự án) as a form or API call gives it. Money in triệu đồng.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProjectInput {
    /// Code of the agency whose list it is.
    pub org: String,
    pub name: String,
    /// Đơn vị chủ trì.
    pub lead_unit: String,
    /// Mục tiêu đầu tư.
    #[serde(default)]
    pub objective: String,
    /// new (mới) or continuing (chuyển tiếp).
    pub status: Option<ProjectStatus>,
    /// Thời gian triển khai.
    pub years: Option<YearSpan>,
    /// Tổng mức dự kiến, triệu đồng.
    pub total_million_vnd: Option<f64>,
    /// Kinh phí đã chi, triệu đồng.
    pub spent_million_vnd: Option<f64>,
    /// recurrent (chi thường xuyên) or development_investment (chi đầu tư phát triển).
    pub expenditure: Option<ExpenditureKind>,
    /// central, local or other budget.
    pub budget: Option<BudgetSource>,
    /// A project dedicated to information security.
    #[serde(default)]
    pub security: bool,
    /// Hiệu quả/hiện trạng.
    pub result_note: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub decision: Option<String>,
    /// To update: the `row_version` the editor loaded.
    pub row_version: Option<i32>,
}

/// Filters of the registry lists (pages and API alike).
#[derive(Debug, Clone, Default)]
pub struct RegistryQuery {
    /// Only entries of units under this code.
    pub org: Option<String>,
    /// Text in the name (and the other searchable text), without diacritics.
    pub q: Option<String>,
    pub database_kind: Option<DatabaseKind>,
    pub state: Option<InspectionFilter>,
    /// Systems with (or without) an approved dossier, a deployed protection plan.
    pub compliance: Option<ComplianceFilter>,
    pub level: Option<SecurityLevel>,
    pub status: Option<ProjectStatus>,
    pub year: Option<i32>,
    pub offset: u64,
    pub limit: u64,
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/// What storage keeps beside an entry, and what the caller may do with it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryInfo {
    pub row_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The caller may edit and delete it.
    pub may_edit: bool,
}

/// An information system with its owner unit and its schedule computed for today (or the day
/// a report is as of).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemView {
    #[serde(flatten)]
    pub system: InformationSystem,
    pub org: OrgRef,
    /// The level's interval after the later of the last inspection and the dossier's approval.
    pub next_inspection_due: Option<NaiveDate>,
    pub inspection: InspectionState,
    pub inspection_label: &'static str,
    /// By 31/12 of the year after the last drill (this year without one).
    pub next_drill_due: NaiveDate,
    pub four_layer_status: FourLayerStatus,
    pub four_layer_summary: String,
    #[serde(flatten)]
    pub info: EntryInfo,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatabaseView {
    #[serde(flatten)]
    pub database: Database,
    pub org: OrgRef,
    pub kind_label: &'static str,
    #[serde(flatten)]
    pub info: EntryInfo,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    #[serde(flatten)]
    pub project: Project,
    pub org: OrgRef,
    pub status_label: &'static str,
    /// "Chi đầu tư phát triển – Ngân sách địa phương".
    pub funding_label: String,
    /// "2022–2023".
    pub years_label: String,
    #[serde(flatten)]
    pub info: EntryInfo,
}

/// How many systems are in one inspection state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCount {
    pub state: InspectionFilter,
    pub label: &'static str,
    pub count: u64,
}

/// The inspection schedule of a subtree: systems by next due date, soonest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectionSchedule {
    pub today: NaiveDate,
    /// The "soon" window in days.
    pub soon_days: u32,
    /// Every state, overdue first, over the whole subtree (ignoring the state filter).
    pub counts: Vec<StateCount>,
    pub items: Vec<SystemView>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    /// Where the intervals come from.
    pub rule: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub label: &'static str,
    pub count: u64,
}

/// The registries page's figures over the caller's scope (or one subtree of it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryOverview {
    pub today: NaiveDate,
    pub soon_days: u32,
    pub systems: u64,
    pub databases: u64,
    pub projects: u64,
    pub inspections: Vec<StateCount>,
    pub databases_by_kind: Vec<KindCount>,
    pub projects_by_status: Vec<KindCount>,
    /// The caller may add entries (to some unit).
    pub may_create: bool,
}

/// The registry tables of a unit's subtree as they stood at the end of a day: the databases
/// of seed `003_…` Phụ lục I, Phần I, mục III, the information systems of mục VI (with their
/// inspection state on that day) and the projects of Phần II, mục IX.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryTables {
    pub org: OrgRef,
    pub as_of: NaiveDate,
    pub systems: Vec<SystemView>,
    pub databases: Vec<DatabaseView>,
    pub projects: Vec<ProjectView>,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|v| textvi::nfc(v.trim())).filter(|v| !v.is_empty())
}

fn missing(field: &'static str, what: &str) -> DomainError {
    DomainError::invalid(field, format!("chưa nhập {what}"))
}

/// The instant a Vietnamese day ends (midnight of the next day at UTC+7).
fn end_of_day(day: NaiveDate) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day);
    next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - chrono::Duration::hours(7)
}

impl Services {
    // ----- settings ----------------------------------------------------------------------------

    pub async fn registry_settings(&self) -> Result<RegistrySettings> {
        self.setting(RegistrySettings::KEY).await
    }

    /// System admins only: the settings are national.
    pub async fn set_registry_settings(&self, actor: &Principal, s: RegistrySettings) -> Result<RegistrySettings> {
        let s = s.validate()?;
        self.put_setting(actor, RegistrySettings::KEY, &s, "settings.registry", "sửa thiết lập danh mục").await?;
        Ok(s)
    }

    // ----- reading -----------------------------------------------------------------------------

    /// The scope of a list: (subtrees the caller may read, `None` meaning everything; the chosen
    /// subtree). `None` back when the chosen unit lies outside the caller's scope (an empty
    /// list, so scope does not leak).
    async fn registry_scope(
        &self,
        actor: &Principal,
        org: Option<&str>,
    ) -> Result<Option<(Option<Vec<String>>, Option<String>)>> {
        let paths = actor.scope_paths(Action::ReadRegistry);
        if paths.is_empty() {
            return Err(DomainError::Forbidden(crate::auth::action_name(Action::ReadRegistry)));
        }
        let national = paths.iter().any(|p| p.matches('/').count() == 2);
        let scope = (!national).then(|| paths.clone());
        let Some(code) = org.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(Some((scope, None))) };
        let unit = self
            .org_by_code(code, None)
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?;
        if paths.iter().any(|p| unit.path.starts_with(p.as_str())) {
            return Ok(Some((scope, Some(unit.path))));
        }
        let inside: Vec<String> = paths.into_iter().filter(|p| p.starts_with(&unit.path)).collect();
        Ok((!inside.is_empty()).then_some((Some(inside), None)))
    }

    async fn registry_page(
        &self,
        actor: &Principal,
        kind: RegistryKind,
        q: &RegistryQuery,
        order: RegistryOrder,
        today: NaiveDate,
        soon_days: u32,
    ) -> Result<Page<StoredEntry>> {
        let limit = q.limit.clamp(0, 500);
        let Some((scope, org_path)) = self.registry_scope(actor, q.org.as_deref()).await? else {
            return Ok(Page { items: Vec::new(), total: 0, total_capped: false, offset: q.offset, limit });
        };
        let mut f = RegistryFilter::new(kind);
        f.scope = scope;
        f.org_path = org_path;
        f.text = q.q.as_deref().map(textvi::fold).filter(|s| !s.is_empty());
        f.order = order;
        f.offset = q.offset;
        f.limit = limit;
        match kind {
            RegistryKind::System => {
                f.security_level = q.level.map(SecurityLevel::get);
                f.due = q.state.map(|s| match s.due_range(today, soon_days) {
                    Some((from, to)) => DueFilter::Between(from, to),
                    None => DueFilter::Unscheduled,
                });
                f.figure = q.compliance.map(|c| {
                    let (figure, counted) = c.figure();
                    FigureFilter { figure, counted, today }
                });
            }
            RegistryKind::Database => f.database_kind = q.database_kind,
            RegistryKind::Project => {
                f.project_status = q.status;
                f.year = q.year;
            }
        }
        self.store.registry_list(&f).await
    }

    async fn orgs_of(&self, entries: &[StoredEntry]) -> Result<HashMap<OrgId, OrgUnit>> {
        let mut ids: Vec<OrgId> = entries.iter().map(|e| e.entry.org_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self.store.org_many(&ids).await?.into_iter().map(|o| (o.id, o)).collect())
    }

    /// Views of stored entries, the schedule computed for `today`; `may_edit` from `actor`.
    async fn views(
        &self,
        actor: Option<&Principal>,
        entries: Vec<StoredEntry>,
        today: NaiveDate,
        soon_days: u32,
    ) -> Result<Vec<EntryView>> {
        let orgs = self.orgs_of(&entries).await?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let org = orgs.get(&e.entry.org_id()).map(org_ref).unwrap_or(OrgRef {
                    id: e.entry.org_id(),
                    code: String::new(),
                    name: String::new(),
                });
                let info = EntryInfo {
                    row_version: e.meta.row_version,
                    created_at: e.meta.created_at,
                    updated_at: e.meta.updated_at,
                    may_edit: actor.is_some_and(|a| may_path(a, Action::EditRegistry, &e.meta.org_path)),
                };
                entry_view(e.entry, org, info, today, soon_days)
            })
            .collect())
    }

    async fn list_entries(
        &self,
        actor: &Principal,
        kind: RegistryKind,
        q: &RegistryQuery,
        order: RegistryOrder,
    ) -> Result<Page<EntryView>> {
        let today = self.clock.today();
        let soon = self.registry_settings().await?.inspection_soon_days;
        let page = self.registry_page(actor, kind, q, order, today, soon).await?;
        let items = self.views(Some(actor), page.items, today, soon).await?;
        Ok(Page { items, total: page.total, total_capped: page.total_capped, offset: page.offset, limit: page.limit })
    }

    /// Information systems the caller may read, by name; filters: subtree, text, level,
    /// inspection state.
    pub async fn list_systems(&self, actor: &Principal, q: &RegistryQuery) -> Result<Page<SystemView>> {
        let page = self.list_entries(actor, RegistryKind::System, q, RegistryOrder::Name).await?;
        Ok(map_page(page, EntryView::into_system))
    }

    /// Databases the caller may read, by name; filters: subtree, text, kind.
    pub async fn list_databases(&self, actor: &Principal, q: &RegistryQuery) -> Result<Page<DatabaseView>> {
        let page = self.list_entries(actor, RegistryKind::Database, q, RegistryOrder::Name).await?;
        Ok(map_page(page, EntryView::into_database))
    }

    /// Projects the caller may read, by name; filters: subtree, text, new or continuing, year.
    pub async fn list_projects(&self, actor: &Principal, q: &RegistryQuery) -> Result<Page<ProjectView>> {
        let page = self.list_entries(actor, RegistryKind::Project, q, RegistryOrder::Name).await?;
        Ok(map_page(page, EntryView::into_project))
    }

    /// The stored entry, if the caller may read it (else "not found", so scope does not leak).
    async fn readable_entry(&self, actor: &Principal, kind: RegistryKind, id: i64) -> Result<StoredEntry> {
        let absent = || DomainError::not_found(kind.noun(), id.to_string());
        let stored = self.store.registry_get(kind, id).await?.ok_or_else(absent)?;
        if !may_path(actor, Action::ReadRegistry, &stored.meta.org_path) {
            return Err(absent());
        }
        Ok(stored)
    }

    async fn entry(&self, actor: &Principal, kind: RegistryKind, id: i64) -> Result<EntryView> {
        let stored = self.readable_entry(actor, kind, id).await?;
        let soon = self.registry_settings().await?.inspection_soon_days;
        let mut views = self.views(Some(actor), vec![stored], self.clock.today(), soon).await?;
        views.pop().ok_or_else(|| DomainError::not_found(kind.noun(), id.to_string()))
    }

    pub async fn system(&self, actor: &Principal, id: i64) -> Result<SystemView> {
        self.entry(actor, RegistryKind::System, id).await.and_then(EntryView::into_system)
    }
    pub async fn database(&self, actor: &Principal, id: i64) -> Result<DatabaseView> {
        self.entry(actor, RegistryKind::Database, id).await.and_then(EntryView::into_database)
    }
    pub async fn project(&self, actor: &Principal, id: i64) -> Result<ProjectView> {
        self.entry(actor, RegistryKind::Project, id).await.and_then(EntryView::into_project)
    }

    /// The inspection schedule of the caller's scope (or a subtree): systems by next due date,
    /// with the count in every state.
    pub async fn inspection_schedule(&self, actor: &Principal, q: &RegistryQuery) -> Result<InspectionSchedule> {
        let today = self.clock.today();
        let soon_days = self.registry_settings().await?.inspection_soon_days;
        let counts = self.state_counts(actor, q.org.as_deref(), today, soon_days).await?;
        let page = self.registry_page(actor, RegistryKind::System, q, RegistryOrder::Due, today, soon_days).await?;
        let (total, offset, limit) = (page.total, page.offset, page.limit);
        let items = self
            .views(Some(actor), page.items, today, soon_days)
            .await?
            .into_iter()
            .map(EntryView::into_system)
            .collect::<Result<_>>()?;
        Ok(InspectionSchedule { today, soon_days, counts, items, total, offset, limit, rule: INSPECTION_CITE })
    }

    async fn state_counts(
        &self,
        actor: &Principal,
        org: Option<&str>,
        today: NaiveDate,
        soon_days: u32,
    ) -> Result<Vec<StateCount>> {
        let mut counts = Vec::new();
        for state in InspectionFilter::ALL {
            let q = RegistryQuery { org: org.map(str::to_string), state: Some(state), limit: 0, ..Default::default() };
            let page =
                self.registry_page(actor, RegistryKind::System, &q, RegistryOrder::Name, today, soon_days).await?;
            counts.push(StateCount { state, label: state.label(), count: page.total });
        }
        Ok(counts)
    }

    /// The registries page's figures: entries per registry, systems per inspection state,
    /// databases per kind, projects new and continuing.
    pub async fn registry_overview(&self, actor: &Principal, org: Option<&str>) -> Result<RegistryOverview> {
        let today = self.clock.today();
        let soon_days = self.registry_settings().await?.inspection_soon_days;
        let count = |kind: RegistryKind, q: RegistryQuery| async move {
            let q = RegistryQuery { org: org.map(str::to_string), limit: 0, ..q };
            self.registry_page(actor, kind, &q, RegistryOrder::Name, today, soon_days).await.map(|p| p.total)
        };
        let mut databases_by_kind = Vec::new();
        for k in DatabaseKind::ALL {
            let n =
                count(RegistryKind::Database, RegistryQuery { database_kind: Some(k), ..Default::default() }).await?;
            databases_by_kind.push(KindCount { kind: k.as_str().into(), label: k.label(), count: n });
        }
        let mut projects_by_status = Vec::new();
        for s in ProjectStatus::ALL {
            let n = count(RegistryKind::Project, RegistryQuery { status: Some(s), ..Default::default() }).await?;
            projects_by_status.push(KindCount { kind: s.as_str().into(), label: s.label(), count: n });
        }
        Ok(RegistryOverview {
            today,
            soon_days,
            systems: count(RegistryKind::System, RegistryQuery::default()).await?,
            databases: count(RegistryKind::Database, RegistryQuery::default()).await?,
            projects: count(RegistryKind::Project, RegistryQuery::default()).await?,
            inspections: self.state_counts(actor, org, today, soon_days).await?,
            databases_by_kind,
            projects_by_status,
            may_create: !actor.scope_paths(Action::EditRegistry).is_empty(),
        })
    }

    /// **For the report tables.** Every registry entry of the units under `org_code` (the unit
    /// valid on `as_of`) as it stood at the end of `as_of`, Vietnamese time: entries created
    /// later are left out, entries changed or deleted since come back as they were then. Systems
    /// carry their inspection state on `as_of`. Rows are in name order within each registry.
    /// Needs [`Action::ReadRegistry`] on that unit.
    ///
    /// The tables of seed `003_…` Phụ lục I, Phần I, mục III (databases: tên, địa chỉ, tổng số
    /// hồ sơ, số hồ sơ cập nhật từ ngày, số đơn vị tham gia theo mục tiêu / đã tham gia), mục VI
    /// (information systems: tên, đơn vị quản lý, cấp độ, thời gian xác định cấp độ, đáp ứng yêu
    /// cầu tối thiểu, mô hình 4 lớp, kiểm tra định kỳ) and Phần II, mục IX (projects: tên, đơn vị
    /// chủ trì, mục tiêu, mới/chuyển tiếp, thời gian, tổng mức, nguồn vốn) are built from these.
    pub async fn registry_tables_as_of(
        &self,
        actor: &Principal,
        org_code: &str,
        as_of: NaiveDate,
    ) -> Result<RegistryTables> {
        let code = org_code.trim();
        let unit = self
            .org_by_code(code, Some(as_of))
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?;
        require_path(actor, Action::ReadRegistry, &unit.path)?;
        let soon = self.registry_settings().await?.inspection_soon_days;
        let entries = self.store.registry_as_of(std::slice::from_ref(&unit.path), end_of_day(as_of)).await?;
        let mut tables = RegistryTables {
            org: org_ref(&unit),
            as_of,
            systems: Vec::new(),
            databases: Vec::new(),
            projects: Vec::new(),
        };
        for v in self.views(None, entries, as_of, soon).await? {
            match v {
                EntryView::System(s) => tables.systems.push(s),
                EntryView::Database(d) => tables.databases.push(d),
                EntryView::Project(p) => tables.projects.push(p),
            }
        }
        Ok(tables)
    }

    // ----- writing -----------------------------------------------------------------------------

    /// The unit `code` names, for a write by `actor`.
    async fn owner_unit(&self, actor: &Principal, code: &str) -> Result<OrgUnit> {
        let code = code.trim();
        if code.is_empty() {
            return Err(DomainError::invalid("org", "chưa chọn đơn vị quản lý"));
        }
        let unit = self
            .org_by_code(code, None)
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?;
        if !unit.is_valid_on(self.clock.today()) {
            return Err(DomainError::invalid(
                "org",
                format!("đơn vị '{}' ({code}) đã giải thể hoặc sắp xếp lại; chọn đơn vị hiện hành", unit.name),
            ));
        }
        require_path(actor, Action::EditRegistry, &unit.path)?;
        Ok(unit)
    }

    /// The owner an update saves to: the entry's own unit when the input names it by its code (a
    /// dissolved unit's code may belong to another unit today), else the unit the code names.
    async fn update_owner(&self, actor: &Principal, code: &str, before: &StoredEntry) -> Result<OrgUnit> {
        let own = self.store.org_get(before.entry.org_id()).await?;
        if let Some(unit) = own.filter(|u| u.code.eq_ignore_ascii_case(code.trim())) {
            require_path(actor, Action::EditRegistry, &unit.path)?;
            return Ok(unit);
        }
        self.owner_unit(actor, code).await
    }

    /// What storage needs to recompute the owner units' registry-derived indicator values for
    /// today's periods.
    async fn feed_plan(&self, stored_by: UserId) -> Result<FeedPlan> {
        let today = self.clock.today();
        let stored = self.store.indicator_list().await?;
        let indicators = SystemFigure::ALL
            .into_iter()
            .filter_map(|figure| {
                let ind = stored.iter().find(|i| i.def.code.as_str() == figure.indicator_code())?;
                let period = Period::of(ind.def.period_type, today);
                Some(FeedIndicator {
                    indicator_id: ind.id,
                    figure,
                    period: period.code(),
                    period_start: period.start(),
                    period_months: period.period_type().months() as i16,
                })
            })
            .collect();
        Ok(FeedPlan { indicators, today, stored_by })
    }

    async fn save_registry_entry(
        &self,
        actor: &Principal,
        entry: RegistryEntry,
        unit: &OrgUnit,
        before: Option<&StoredEntry>,
        row_version: Option<i32>,
    ) -> Result<EntryView> {
        let kind = entry.kind();
        let action = if before.is_some() { "update" } else { "create" };
        let mut audit = self.draft(Some(&actor.user), &format!("registry.{}.{action}", kind.as_str()), "registry");
        audit.entity_id = before.map(|b| format!("{}:{}", kind.as_str(), b.entry.id()));
        audit.org_id = Some(unit.id);
        audit.before = before.map(|b| b.entry.to_json());
        audit.after = Some(entry.to_json());
        let feed = match kind {
            RegistryKind::System => Some(self.feed_plan(actor.user.id).await?),
            _ => None,
        };
        let write = RegistryWrite {
            entry: &entry,
            org_path: &unit.path,
            row_version,
            by: actor.user.id,
            at: self.clock.now(),
            audit,
            feed: feed.as_ref(),
        };
        match self.store.registry_save(write).await? {
            Some(saved) => {
                let soon = self.registry_settings().await?.inspection_soon_days;
                let mut views = self.views(Some(actor), vec![saved], self.clock.today(), soon).await?;
                views.pop().ok_or_else(|| DomainError::Storage("registry save returned nothing".into()))
            }
            None => Err(self.registry_stale(kind, entry.id(), row_version.unwrap_or_default()).await),
        }
    }

    /// What changed since `row_version`, for the 409 answer.
    async fn registry_stale(&self, kind: RegistryKind, id: i64, row_version: i32) -> DomainError {
        let current = match self.store.registry_get(kind, id).await {
            Ok(Some(c)) => c,
            Ok(None) => return DomainError::not_found(kind.noun(), id.to_string()),
            Err(e) => return e,
        };
        let loaded = self.store.registry_version(kind, id, row_version).await.ok().flatten();
        let who = match current.meta.updated_by {
            Some(uid) => self.store.user_get(uid).await.ok().flatten().map(|u| u.full_name),
            None => None,
        };
        let when = (current.meta.updated_at + chrono::Duration::hours(7)).format("%H:%M %d/%m/%Y").to_string();
        let by = who.map(|w| format!("{w}, {when}")).unwrap_or(when);
        let mut changes: Vec<String> = match loaded {
            Some(old) => changes_between(&old.to_json(), &current.entry.to_json())
                .into_iter()
                .map(|c| format!("{c} ({by})"))
                .collect(),
            None => Vec::new(),
        };
        if changes.is_empty() {
            changes.push(format!(
                "bản ghi đã được lưu lúc {by} (phiên bản sửa {row_version} → {})",
                current.meta.row_version
            ));
        }
        DomainError::Stale { changes }
    }

    /// The entry to change: readable, and editable by the caller; with the version to save at.
    async fn editable_entry(
        &self,
        actor: &Principal,
        kind: RegistryKind,
        id: i64,
        row_version: Option<i32>,
    ) -> Result<(StoredEntry, i32)> {
        let before = self.readable_entry(actor, kind, id).await?;
        require_path(actor, Action::EditRegistry, &before.meta.org_path)?;
        let v = row_version.ok_or_else(|| {
            DomainError::invalid("row_version", "thiếu phiên bản bản ghi đã tải (row_version) để sửa an toàn")
        })?;
        Ok((before, v))
    }

    pub async fn create_system(&self, actor: &Principal, input: &SystemInput) -> Result<SystemView> {
        let unit = self.owner_unit(actor, &input.org).await?;
        let entry = RegistryEntry::System(self.system_from(input, 0, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, None, None).await?.into_system()
    }

    pub async fn update_system(&self, actor: &Principal, id: i64, input: &SystemInput) -> Result<SystemView> {
        let (before, v) = self.editable_entry(actor, RegistryKind::System, id, input.row_version).await?;
        let unit = self.update_owner(actor, &input.org, &before).await?;
        let entry = RegistryEntry::System(self.system_from(input, id, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, Some(&before), Some(v)).await?.into_system()
    }

    pub async fn create_database(&self, actor: &Principal, input: &DatabaseInput) -> Result<DatabaseView> {
        let unit = self.owner_unit(actor, &input.org).await?;
        let entry = RegistryEntry::Database(self.database_from(input, 0, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, None, None).await?.into_database()
    }

    pub async fn update_database(&self, actor: &Principal, id: i64, input: &DatabaseInput) -> Result<DatabaseView> {
        let (before, v) = self.editable_entry(actor, RegistryKind::Database, id, input.row_version).await?;
        let unit = self.update_owner(actor, &input.org, &before).await?;
        let entry = RegistryEntry::Database(self.database_from(input, id, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, Some(&before), Some(v)).await?.into_database()
    }

    pub async fn create_project(&self, actor: &Principal, input: &ProjectInput) -> Result<ProjectView> {
        let unit = self.owner_unit(actor, &input.org).await?;
        let entry = RegistryEntry::Project(self.project_from(input, 0, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, None, None).await?.into_project()
    }

    pub async fn update_project(&self, actor: &Principal, id: i64, input: &ProjectInput) -> Result<ProjectView> {
        let (before, v) = self.editable_entry(actor, RegistryKind::Project, id, input.row_version).await?;
        let unit = self.update_owner(actor, &input.org, &before).await?;
        let entry = RegistryEntry::Project(self.project_from(input, id, unit.id)?);
        self.save_registry_entry(actor, entry, &unit, Some(&before), Some(v)).await?.into_project()
    }

    /// Deletes an entry (only if still at `row_version`, when given; else 409 with what changed).
    pub async fn delete_registry_entry(
        &self,
        actor: &Principal,
        kind: RegistryKind,
        id: i64,
        row_version: Option<i32>,
    ) -> Result<()> {
        let before = self.readable_entry(actor, kind, id).await?;
        require_path(actor, Action::EditRegistry, &before.meta.org_path)?;
        let mut audit = self.draft(Some(&actor.user), &format!("registry.{}.delete", kind.as_str()), "registry");
        audit.entity_id = Some(format!("{}:{id}", kind.as_str()));
        audit.org_id = Some(before.entry.org_id());
        audit.before = Some(before.entry.to_json());
        let feed = match kind {
            RegistryKind::System => Some(self.feed_plan(actor.user.id).await?),
            _ => None,
        };
        let now = self.clock.now();
        if self.store.registry_delete(kind, id, row_version, actor.user.id, now, audit, feed.as_ref()).await? {
            Ok(())
        } else {
            Err(self.registry_stale(kind, id, row_version.unwrap_or(before.meta.row_version)).await)
        }
    }

    fn system_from(&self, i: &SystemInput, id: i64, org_id: OrgId) -> Result<InformationSystem> {
        let four_layer = FourLayer { layers: i.four_layer.layers, provider: clean(&i.four_layer.provider) };
        let s = InformationSystem {
            id,
            org_id,
            name: textvi::nfc(i.name.trim()),
            url: clean(&i.url),
            security_level: i.security_level,
            dossier_approved_on: i.dossier_approved_on,
            dossier_decision: clean(&i.dossier_decision),
            meets_minimum_requirements: i.meets_minimum_requirements,
            protection_plan_deployed: i.protection_plan_deployed,
            four_layer,
            last_inspection: i.last_inspection,
            last_drill: i.last_drill,
            portal: i.portal,
            trust_label_on: i.trust_label_on,
        };
        s.validate(self.clock.today())?;
        Ok(s)
    }

    fn database_from(&self, i: &DatabaseInput, id: i64, org_id: OrgId) -> Result<Database> {
        let kind = i.kind.ok_or_else(|| DomainError::invalid("kind", "chưa chọn loại cơ sở dữ liệu"))?;
        let d = Database {
            id,
            org_id,
            kind,
            name: textvi::nfc(i.name.trim()),
            url: clean(&i.url),
            as_of: i.as_of.ok_or_else(|| missing("as_of", "thời điểm báo cáo"))?,
            total_records: i.total_records.ok_or_else(|| missing("total_records", "tổng số hồ sơ"))?,
            records_since: i.records_since,
            records_updated_since: i.records_updated_since,
            target_units: i.target_units,
            participating_units: i.participating_units,
        };
        d.validate(self.clock.today())?;
        Ok(d)
    }

    fn project_from(&self, i: &ProjectInput, id: i64, org_id: OrgId) -> Result<Project> {
        let years = i.years.ok_or_else(|| missing("years", "thời gian triển khai (năm hoặc giai đoạn)"))?;
        let p = Project {
            id,
            org_id,
            name: textvi::nfc(i.name.trim()),
            lead_unit: textvi::nfc(i.lead_unit.trim()),
            objective: textvi::nfc(i.objective.trim()),
            status: i
                .status
                .ok_or_else(|| DomainError::invalid("status", "chưa chọn nhiệm vụ, dự án mới hay chuyển tiếp"))?,
            years,
            total_million_vnd: i.total_million_vnd.ok_or_else(|| missing("total_million_vnd", "tổng mức dự kiến"))?,
            spent_million_vnd: i.spent_million_vnd,
            funding: FundingSource {
                expenditure: i
                    .expenditure
                    .ok_or_else(|| DomainError::invalid("expenditure", "chưa chọn loại nguồn chi"))?,
                budget: i.budget.ok_or_else(|| DomainError::invalid("budget", "chưa chọn nguồn vốn"))?,
            },
            security: i.security,
            result_note: clean(&i.result_note),
            approved_on: i.approved_on,
            decision: clean(&i.decision),
        };
        if !(2000..=2100).contains(&years.from) || !(years.from..=years.from + 10).contains(&years.to) {
            return Err(DomainError::invalid(
                "years",
                format!(
                    "thời gian triển khai {}–{} không hợp lệ: năm từ 2000 đến 2100, giai đoạn tối đa 10 năm",
                    years.from, years.to
                ),
            ));
        }
        p.validate(self.clock.today())?;
        Ok(p)
    }

    // ----- the indicator feed ------------------------------------------------------------------

    /// Keeps the registry-derived indicator values current without a write: for units whose
    /// systems fell overdue in the last week (the count of systems inspected on schedule
    /// drops), and for units with systems but no figure yet for this period (a new year).
    /// Writes only what changed. Returns the values changed.
    pub async fn refresh_registry_figures(&self) -> Result<u64> {
        let today = self.clock.today();
        let feed = self.feed_plan(0).await?;
        let mut units: Vec<OrgId> = Vec::new();
        if let Some(first) = feed.indicators.iter().find(|i| i.figure == SystemFigure::Systems) {
            units.extend(self.store.registry_units_without_value(first.indicator_id, &first.period).await?);
        }
        let week_ago = today.checked_sub_days(Days::new(7)).unwrap_or(today);
        if let Some(yesterday) = today.pred_opt() {
            units.extend(self.store.registry_units_due_between(week_ago, yesterday).await?);
        }
        units.sort_unstable();
        units.dedup();
        if units.is_empty() || feed.indicators.is_empty() {
            return Ok(0);
        }
        let mut audit = self.draft(None, "registry.figures", "data_value");
        audit.after = Some(json!({ "units": units, "day": today }));
        self.store.registry_feed_refresh(&units, &feed, audit).await
    }

    // ----- reminders ---------------------------------------------------------------------------

    /// Reminds the owner unit of each system whose periodic inspection falls due within the
    /// "soon" window, and again once it is overdue: once per system, due date and state (every
    /// notification has a key), on working days. The unit's officers and focal points and the
    /// admins of the nearest unit up its path that has admins are told.
    pub async fn run_inspection_reminders(&self, email: bool) -> Result<ReminderRun> {
        let today = self.clock.today();
        let mut run = ReminderRun::default();
        if !self.work_calendar().await?.is_working_day(today) {
            return Ok(run);
        }
        let soon_days = self.registry_settings().await?.inspection_soon_days;
        let until = today.checked_add_days(Days::new(u64::from(soon_days))).unwrap_or(today);
        let due = self.store.systems_due_by(until).await?;
        let orgs = self.orgs_of(&due).await?;
        let mut recipients: BTreeMap<String, Vec<User>> = BTreeMap::new();
        for stored in due {
            let RegistryEntry::System(system) = &stored.entry else { continue };
            run.checked_tasks += 1;
            let state = system.inspection_state(today, soon_days);
            let (kind, title, when) = match state {
                InspectionState::DueSoon { due, days_left } => (
                    "due_soon",
                    format!("Sắp đến hạn kiểm tra an toàn thông tin: {}", system.name),
                    format!("Hạn kiểm tra, đánh giá định kỳ: {} (còn {days_left} ngày).", fmt(due)),
                ),
                InspectionState::Overdue { due, days_overdue } => (
                    "overdue",
                    format!("Quá hạn kiểm tra an toàn thông tin: {}", system.name),
                    format!("Hạn kiểm tra, đánh giá định kỳ là {} (đã quá {days_overdue} ngày).", fmt(due)),
                ),
                _ => continue,
            };
            let Some(due) = system.next_inspection_due() else { continue };
            if !recipients.contains_key(&stored.meta.org_path) {
                let people = self.unit_people(&stored.meta.org_path, &[Role::Officer, Role::FocalPoint]).await?;
                recipients.insert(stored.meta.org_path.clone(), people);
            }
            let org_name = orgs.get(&system.org_id).map(|o| o.name.clone()).unwrap_or_default();
            let level = system.security_level.map(|l| l.label()).unwrap_or_default();
            let body = format!(
                "Hệ thống thông tin: {}\nĐơn vị quản lý: {org_name}\n{level}\n{when}\nQuy định: {}",
                system.name,
                crate::registries::INSPECTION_CITE
            );
            for user in recipients.get(&stored.meta.org_path).into_iter().flatten() {
                let created = self
                    .notify_once(
                        user,
                        "inspection",
                        title.clone(),
                        body.clone(),
                        Some(format!("/registries/systems/{}", system.id)),
                        format!("inspection:{}:{kind}:{due}:user:{}", system.id, user.id),
                        email,
                    )
                    .await?;
                run.count(created);
            }
        }
        Ok(run)
    }

    /// Who answers for something of the unit at `path`: its own people in `roles`, and the
    /// admins of the nearest unit up the path that has admins. Registry reminders go to the
    /// unit's officers and focal points; report reminders to its focal points and leaders.
    pub(crate) async fn unit_people(&self, path: &str, roles: &[Role]) -> Result<Vec<User>> {
        let ids: Vec<OrgId> = path.split('/').filter_map(|p| p.parse().ok()).rev().collect();
        let Some(own) = ids.first().copied() else { return Ok(Vec::new()) };
        let mut people: Vec<User> = Vec::new();
        for &role in roles {
            for (u, org) in self.store.users_with_role_on(role, &[own]).await? {
                if org == own && u.active && !people.iter().any(|p| p.id == u.id) {
                    people.push(u);
                }
            }
        }
        let admins = self.store.users_with_role_on(Role::Admin, &ids).await?;
        for id in ids {
            let here: Vec<&User> = admins.iter().filter(|(u, org)| *org == id && u.active).map(|(u, _)| u).collect();
            if !here.is_empty() {
                for u in here {
                    if !people.iter().any(|p| p.id == u.id) {
                        people.push(u.clone());
                    }
                }
                break;
            }
        }
        Ok(people)
    }
}

fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A view of any registry's entry.
#[derive(Debug, Clone)]
pub enum EntryView {
    System(SystemView),
    Database(DatabaseView),
    Project(ProjectView),
}

impl EntryView {
    fn mismatch(kind: &str) -> DomainError {
        DomainError::Storage(format!("registry entry is not a {kind}"))
    }
    pub fn into_system(self) -> Result<SystemView> {
        match self {
            EntryView::System(s) => Ok(s),
            _ => Err(Self::mismatch("system")),
        }
    }
    pub fn into_database(self) -> Result<DatabaseView> {
        match self {
            EntryView::Database(d) => Ok(d),
            _ => Err(Self::mismatch("database")),
        }
    }
    pub fn into_project(self) -> Result<ProjectView> {
        match self {
            EntryView::Project(p) => Ok(p),
            _ => Err(Self::mismatch("project")),
        }
    }
}

fn map_page<T>(page: Page<EntryView>, f: impl Fn(EntryView) -> Result<T>) -> Page<T> {
    Page {
        items: page.items.into_iter().filter_map(|v| f(v).ok()).collect(),
        total: page.total,
        total_capped: page.total_capped,
        offset: page.offset,
        limit: page.limit,
    }
}

fn entry_view(entry: RegistryEntry, org: OrgRef, info: EntryInfo, today: NaiveDate, soon_days: u32) -> EntryView {
    match entry {
        RegistryEntry::System(system) => {
            let inspection = system.inspection_state(today, soon_days);
            EntryView::System(SystemView {
                org,
                next_inspection_due: system.next_inspection_due(),
                inspection,
                inspection_label: inspection.label(),
                next_drill_due: next_drill_due(system.last_drill, today),
                four_layer_status: system.four_layer.status(),
                four_layer_summary: system.four_layer.summary(),
                info,
                system,
            })
        }
        RegistryEntry::Database(database) => {
            EntryView::Database(DatabaseView { org, kind_label: database.kind.label(), info, database })
        }
        RegistryEntry::Project(project) => EntryView::Project(ProjectView {
            org,
            status_label: project.status.label(),
            funding_label: project.funding.label(),
            years_label: project.years.label(),
            info,
            project,
        }),
    }
}

/// The Vietnamese name of an entry's field (its JSON key), as forms and change lists show it.
pub fn field_label(key: &str) -> &'static str {
    match key {
        "org" | "org_id" => "Đơn vị quản lý",
        "name" => "Tên",
        "url" => "Địa chỉ truy cập",
        "security_level" => "Cấp độ an toàn",
        "dossier_approved_on" => "Ngày phê duyệt hồ sơ đề xuất cấp độ",
        "dossier_decision" => "Số quyết định phê duyệt hồ sơ cấp độ",
        "meets_minimum_requirements" => "Đáp ứng yêu cầu tối thiểu theo cấp độ",
        "protection_plan_deployed" => "Đã triển khai đầy đủ phương án bảo đảm an toàn thông tin",
        "four_layer" => "Mô hình 4 lớp",
        "last_inspection" => "Ngày kiểm tra, đánh giá gần nhất",
        "last_drill" => "Ngày diễn tập thực chiến gần nhất",
        "portal" => "Là trang, cổng thông tin điện tử",
        "trust_label_on" => "Ngày gắn nhãn tín nhiệm mạng",
        "kind" => "Loại cơ sở dữ liệu",
        "as_of" => "Thời điểm báo cáo",
        "total_records" => "Tổng số hồ sơ",
        "records_since" => "Tính số hồ sơ cập nhật từ ngày",
        "records_updated_since" => "Số hồ sơ cập nhật từ ngày đó",
        "target_units" => "Số đơn vị tham gia khai thác theo mục tiêu",
        "participating_units" => "Số đơn vị đã tham gia khai thác",
        "lead_unit" => "Đơn vị chủ trì",
        "objective" => "Mục tiêu đầu tư",
        "status" => "Mới hay chuyển tiếp",
        "years" => "Thời gian triển khai",
        "total_million_vnd" => "Tổng mức dự kiến (triệu đồng)",
        "spent_million_vnd" => "Kinh phí đã chi (triệu đồng)",
        "funding" => "Nguồn vốn",
        "security" => "Dự án chuyên về an toàn thông tin",
        "result_note" => "Hiệu quả, hiện trạng",
        "approved_on" => "Ngày phê duyệt",
        "decision" => "Số quyết định phê duyệt",
        _ => "Trường khác",
    }
}

/// "Tên: A → B" for every field that differs between two versions of an entry.
fn changes_between(old: &Json, new: &Json) -> Vec<String> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else { return Vec::new() };
    // In the order forms show the fields (JSON objects may come sorted by key).
    let mut keys: Vec<&String> = n.keys().chain(o.keys()).filter(|k| k.as_str() != "id").collect();
    keys.sort_by_key(|k| (FIELD_ORDER.iter().position(|f| f == k).unwrap_or(usize::MAX), k.as_str()));
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let before = o.get(key).unwrap_or(&Json::Null);
        let after = n.get(key).unwrap_or(&Json::Null);
        if before != after {
            out.push(format!("{}: {} → {}", field_label(key), show(key, before), show(key, after)));
        }
    }
    out
}

/// Fields in the order the forms show them.
const FIELD_ORDER: [&str; 31] = [
    "org_id",
    "kind",
    "name",
    "url",
    "lead_unit",
    "objective",
    "status",
    "years",
    "total_million_vnd",
    "spent_million_vnd",
    "funding",
    "security",
    "security_level",
    "dossier_approved_on",
    "dossier_decision",
    "meets_minimum_requirements",
    "protection_plan_deployed",
    "four_layer",
    "last_inspection",
    "last_drill",
    "portal",
    "trust_label_on",
    "as_of",
    "total_records",
    "records_since",
    "records_updated_since",
    "target_units",
    "participating_units",
    "result_note",
    "approved_on",
    "decision",
];

/// A stored field's value as a reader expects it.
fn show(key: &str, v: &Json) -> String {
    match (key, v) {
        (_, Json::Null) => "(trống)".into(),
        (_, Json::Bool(b)) => if *b { "có" } else { "không" }.into(),
        ("four_layer", v) => serde_json::from_value::<FourLayer>(v.clone()).map(|f| f.summary()).unwrap_or_default(),
        ("years", v) => serde_json::from_value::<YearSpan>(v.clone()).map(|y| y.label()).unwrap_or_default(),
        ("funding", v) => serde_json::from_value::<FundingSource>(v.clone()).map(|f| f.label()).unwrap_or_default(),
        ("kind", v) => {
            serde_json::from_value::<DatabaseKind>(v.clone()).map(|k| k.label().to_string()).unwrap_or_default()
        }
        ("status", v) => {
            serde_json::from_value::<ProjectStatus>(v.clone()).map(|k| k.label().to_string()).unwrap_or_default()
        }
        (_, Json::Number(n)) => n.as_f64().map(format_number).unwrap_or_else(|| n.to_string()),
        (_, Json::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(fmt).unwrap_or_else(|_| s.clone()),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_the_field_in_vietnamese_and_show_values_as_read() {
        let old = json!({"id": 1, "name": "Cổng A", "last_inspection": "2025-03-01", "portal": false,
            "total_million_vnd": 4000.0, "years": {"from": 2022, "to": 2023}});
        let new = json!({"id": 1, "name": "Cổng B", "last_inspection": null, "portal": true,
            "total_million_vnd": 1234.5, "years": {"from": 2022, "to": 2024}});
        let c = changes_between(&old, &new);
        assert_eq!(
            c,
            [
                "Tên: Cổng A → Cổng B",
                "Thời gian triển khai: 2022–2023 → 2022–2024",
                "Tổng mức dự kiến (triệu đồng): 4.000 → 1.234,5",
                "Ngày kiểm tra, đánh giá gần nhất: 01/03/2025 → (trống)",
                "Là trang, cổng thông tin điện tử: không → có",
            ]
        );
    }

    #[test]
    fn a_day_ends_at_midnight_in_vietnam() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(end_of_day(d).to_rfc3339(), "2026-11-30T17:00:00+00:00");
    }

    #[test]
    fn settings_are_checked() {
        assert!(RegistrySettings { inspection_soon_days: 0 }.validate().is_err());
        assert!(RegistrySettings { inspection_soon_days: 366 }.validate().is_err());
        assert_eq!(RegistrySettings::default().inspection_soon_days, DEFAULT_SOON_DAYS);
    }
}
