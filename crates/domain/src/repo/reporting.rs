//! Storage of periodic reports: templates, reports with their submitted versions and their
//! history of workflow steps.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::org::{OrgId, Page};
use crate::reporting::{Figures, ReportContent, ReportState, ReportStep, ReportTemplate};
use crate::users::UserId;

#[derive(Debug, Clone)]
pub struct StoredTemplate {
    pub id: i64,
    pub row_version: i32,
    pub template: ReportTemplate,
}

/// A report to open: one unit × template × period, received by `receiver_org_id`.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub template_id: i64,
    pub org_id: OrgId,
    pub org_path: String,
    pub receiver_org_id: OrgId,
    pub receiver_path: String,
    pub period: String,
    pub period_start: NaiveDate,
    pub due_on: NaiveDate,
    pub content: ReportContent,
}

/// A stored report (the unit's current content; submitted versions are kept apart).
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub id: i64,
    pub template_id: i64,
    pub org_id: OrgId,
    pub org_path: String,
    pub receiver_org_id: OrgId,
    pub receiver_path: String,
    pub period: String,
    pub due_on: NaiveDate,
    pub state: ReportState,
    pub content: ReportContent,
    /// Submitted versions so far.
    pub version: i32,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub row_version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A submitted version: the content and the figures frozen at that submission.
#[derive(Debug, Clone)]
pub struct ReportVersion {
    pub report_id: i64,
    pub version: i32,
    pub content: ReportContent,
    pub figures: Figures,
    pub submitted_by: UserId,
    pub submitted_by_name: String,
    pub submitted_at: DateTime<Utc>,
}

/// One workflow step in a report's history.
#[derive(Debug, Clone)]
pub struct ReportEvent {
    pub report_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor_name: String,
    pub step: ReportStep,
    pub from_state: ReportState,
    pub to_state: ReportState,
    pub comment: Option<String>,
    /// The version a submission stored.
    pub version: Option<i32>,
}

/// Which reports a list reads. A report is in scope when its unit or its receiver lies under
/// one of `within` (none: every report).
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub within: Option<Vec<String>>,
    pub template_id: Option<i64>,
    pub period: Option<String>,
    pub state: Option<ReportState>,
    /// Only reports sent to this unit.
    pub receiver_org_id: Option<OrgId>,
    /// Only reports of units under this path.
    pub org_path: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// What completeness counts of one report.
#[derive(Debug, Clone)]
pub struct ExpectedReport {
    pub id: i64,
    pub org_id: OrgId,
    pub org_path: String,
    pub receiver_org_id: OrgId,
    pub state: ReportState,
    pub due_on: NaiveDate,
    pub first_submitted_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    async fn report_templates(&self) -> Result<Vec<StoredTemplate>>;
    /// Inserts (`row_version` none) or updates the template with its code when the version
    /// still matches (`None` when it does not).
    async fn report_template_save(
        &self,
        template: &ReportTemplate,
        row_version: Option<i32>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<StoredTemplate>>;

    /// Opens the reports that do not exist yet (same template, unit and period), in one
    /// transaction; returns the ids of those opened.
    async fn reports_open(&self, reports: &[NewReport], at: DateTime<Utc>, audit: AuditDraft) -> Result<Vec<i64>>;
    async fn report_get(&self, id: i64) -> Result<Option<ReportRecord>>;
    /// Newest period first, then by unit path.
    async fn report_list(&self, filter: &ReportFilter) -> Result<Page<ReportRecord>>;
    /// Saves the content while `row_version` matches and the report is editable (`None` otherwise).
    async fn report_save_content(
        &self,
        id: i64,
        row_version: i32,
        content: &ReportContent,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<ReportRecord>>;
    /// Moves the report to `event.to_state` while `row_version` matches (`None` otherwise),
    /// storing `version` when the step submits, and appends the event.
    async fn report_step(
        &self,
        id: i64,
        row_version: i32,
        event: &ReportEvent,
        version: Option<&ReportVersion>,
        audit: AuditDraft,
    ) -> Result<Option<ReportRecord>>;
    async fn report_versions(&self, id: i64) -> Result<Vec<ReportVersion>>;
    /// The history, oldest first.
    async fn report_events(&self, id: i64) -> Result<Vec<ReportEvent>>;
    /// The last accepted version of each accepted report among `ids`.
    async fn report_accepted_versions(&self, ids: &[i64]) -> Result<Vec<ReportVersion>>;
    /// Reports not yet sent (drafts and those sent back) due on or before `until`: reminder
    /// candidates.
    async fn reports_due_by(&self, until: NaiveDate) -> Result<Vec<ReportRecord>>;
    /// The rounds (template id, period code) with a report of a unit strictly under `within`
    /// and a period starting in `from..=to`, the latest period first.
    async fn report_rounds(&self, within: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<(i64, String)>>;
    /// Every report of a template and period whose unit lies under `within` (without content).
    async fn reports_expected(&self, template_id: i64, period: &str, within: &str) -> Result<Vec<ExpectedReport>>;
}
