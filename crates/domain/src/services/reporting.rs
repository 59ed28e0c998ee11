//! Periodic reports: the shipped templates, opening a reporting round for a receiver's units,
//! writing and submitting a report (its figures filled in and frozen at submission), the
//! receiver's return / accept / reopen, the parent's synthesis and completeness.
//!
//! Who may do what: the reporting unit's editors (`EditWork` on the unit) write and submit; the
//! receiver's leaders (`ApproveWork` on the receiving unit) open rounds, return, accept and
//! reopen; anyone who reads work in either unit reads the report.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Services;
use super::indicators::Structure;
use super::work::{MAX_PAGE, may_path, require_path};
use crate::auth::{Action, Principal};
use crate::error::FieldProblem;
use crate::indicators::{AggregationRule, Period};
use crate::org::{OrgId, OrgQuery, OrgType, OrgUnit, Page};
use crate::repo::reporting::{
    ExpectedReport, NewReport, ReportEvent, ReportFilter, ReportRecord, ReportVersion, StoredTemplate,
};
use crate::repo::work::KpiScope;
use crate::reporting::{
    ChildReport, Completeness, Expected, FigureCell, FigureTable, Figures, IndicatorFigure, ReportContent, ReportState,
    ReportStep, ReportTemplate, SectionFigures, SectionKind, StepSide, Synthesis, TaskStats, shipped_templates,
    submission_failures, synthesize,
};
use crate::work::{OrgRef, TaskState};
use crate::{DomainError, Result};

/// A report as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub template: String,
    /// The summary line: "Kết quả thực hiện chuyển đổi số năm 2026".
    pub title: String,
    pub org: OrgRef,
    pub receiver: OrgRef,
    pub period: String,
    pub period_label: String,
    pub due_on: NaiveDate,
    pub state: ReportState,
    pub state_label: &'static str,
    /// Submitted versions so far.
    pub version: i32,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// First submitted on or before the due date; `None` while never submitted.
    pub on_time: Option<bool>,
    pub row_version: i32,
    pub updated_at: DateTime<Utc>,
}

/// One step of the history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub step: ReportStep,
    pub step_label: &'static str,
    pub from_state: ReportState,
    pub to_state: ReportState,
    pub comment: Option<String>,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
}

/// A report with everything its page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDetail {
    pub report: ReportView,
    pub template: ReportTemplate,
    /// The unit's current text (what is being written, or what was last submitted).
    pub content: ReportContent,
    /// The figures of the version shown: frozen at the last submission once submitted, computed
    /// now while a draft has never been submitted or was sent back.
    pub figures: Figures,
    pub figures_frozen: bool,
    pub versions: Vec<VersionSummary>,
    pub events: Vec<EventView>,
    /// The steps this user may take now.
    pub steps: Vec<ReportStep>,
    pub may_edit: bool,
}

/// A report's text and figures ready to lay out as a document.
#[derive(Debug, Clone)]
pub struct ReportDocument {
    pub report: ReportView,
    pub template: ReportTemplate,
    pub content: ReportContent,
    pub figures: Figures,
    pub unit: OrgUnit,
    /// The unit's governing parent (the province of a department), for the header.
    pub parent: Option<OrgUnit>,
    /// The version printed; `None` for a draft never submitted.
    pub version: Option<i32>,
    /// When that version was submitted: the document's date.
    pub submitted_at: Option<DateTime<Utc>>,
}

/// What opening a round sends.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OpenRoundInput {
    /// Template code.
    pub template: String,
    /// DHIS2 period code of the template's period type (`2026`, `2026Q3`).
    pub period: String,
    /// The receiving unit's code: a report is opened for each of its direct units.
    pub receiver: String,
    /// Only units of these types (all direct units when empty).
    #[serde(default)]
    pub org_types: Vec<OrgType>,
    /// Overrides the template's due date.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenedRound {
    pub template: String,
    pub period: String,
    pub due_on: NaiveDate,
    /// Reports opened now.
    pub opened: usize,
    /// Units that already had one.
    pub existing: usize,
}

/// A workflow step.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepInput {
    pub step: ReportStep,
    pub row_version: i32,
    /// Required to return or reopen.
    #[serde(default)]
    pub comment: Option<String>,
}

/// One line of a completeness table: a unit's own report and the reports under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletenessRow {
    pub org: OrgRef,
    pub report_id: i64,
    pub state: ReportState,
    pub state_label: &'static str,
    pub due_on: NaiveDate,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub on_time: Option<bool>,
    /// Reports its own units owe it (none when it receives none).
    pub below: Completeness,
}

/// Completeness per level of a subtree, with the receiver's direct units to drill into.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletenessView {
    pub template: String,
    pub title: String,
    pub period: String,
    pub period_label: String,
    pub org: OrgRef,
    pub today: NaiveDate,
    pub total: Completeness,
    /// By the reporting units' type (the administrative level), top level first.
    pub levels: Vec<LevelCompleteness>,
    pub rows: Vec<CompletenessRow>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LevelCompleteness {
    pub org_type: OrgType,
    pub label: &'static str,
    pub figures: Completeness,
}

/// The parent's synthesis: its units' accepted reports gathered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SynthesisView {
    pub template: ReportTemplate,
    pub title: String,
    pub period: String,
    pub period_label: String,
    pub org: OrgRef,
    pub synthesis: Synthesis,
    /// The receiver's own unit and its parent, for the document header.
    #[serde(skip)]
    pub unit: Option<OrgUnit>,
    #[serde(skip)]
    pub parent: Option<OrgUnit>,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

fn on_time(first: Option<DateTime<Utc>>, due: NaiveDate) -> Option<bool> {
    first.map(|at| crate::clock::vietnam_date(at) <= due)
}

impl Services {
    /// Adds the shipped report templates not stored yet; returns how many.
    pub async fn load_report_templates(&self) -> Result<u64> {
        let stored = self.store.report_templates().await?;
        let mut added = 0;
        for t in shipped_templates()? {
            if stored.iter().any(|s| s.template.code == t.code) {
                continue;
            }
            let mut audit = self.draft(None, "report_template.load", "report_template");
            audit.entity_id = Some(t.code.clone());
            self.store.report_template_save(&t, None, self.clock.now(), audit).await?;
            added += 1;
        }
        Ok(added)
    }

    /// Templates are national reference data: every signed-in user may read them.
    pub async fn report_templates(&self) -> Result<Vec<StoredTemplate>> {
        self.store.report_templates().await
    }

    async fn report_template(&self, code: &str) -> Result<StoredTemplate> {
        self.store
            .report_templates()
            .await?
            .into_iter()
            .find(|t| t.template.code == code.trim())
            .ok_or_else(|| DomainError::not_found("mẫu báo cáo", code.trim()))
    }

    async fn template_by_id(&self, id: i64) -> Result<StoredTemplate> {
        self.store
            .report_templates()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or_else(|| DomainError::not_found("mẫu báo cáo", id.to_string()))
    }

    /// May the user add and change templates (national administrators)?
    pub async fn may_edit_report_templates(&self, actor: &Principal) -> bool {
        match self.org_by_code(crate::org::ROOT_CODE, None).await {
            Ok(root) => may_path(actor, Action::ManageOrg, &root.path),
            Err(_) => false,
        }
    }

    /// Adds or changes a template: national administrators only (templates are shared by
    /// every agency). Indicators named must exist.
    pub async fn save_report_template(
        &self,
        actor: &Principal,
        template: &ReportTemplate,
        row_version: Option<i32>,
    ) -> Result<StoredTemplate> {
        let root = self.org_by_code(crate::org::ROOT_CODE, None).await?;
        require_path(actor, Action::ManageOrg, &root.path)?;
        template.validate()?;
        let known: Vec<String> =
            self.store.indicator_list().await?.into_iter().map(|i| i.def.code.to_string()).collect();
        for s in &template.sections {
            if let SectionKind::Indicators { codes } = &s.kind
                && let Some(c) = codes.iter().find(|c| !known.iter().any(|k| k == c.as_str()))
            {
                return Err(DomainError::invalid("sections", format!("{}: không có chỉ tiêu mã {c}", s.heading)));
            }
        }
        let mut audit = self.draft(Some(&actor.user), "report_template.save", "report_template");
        audit.entity_id = Some(template.code.clone());
        audit.after = Some(json!(template));
        self.store
            .report_template_save(template, row_version, self.clock.now(), audit)
            .await?
            .ok_or_else(|| DomainError::Conflict("mẫu báo cáo đã được người khác sửa; hãy tải lại".into()))
    }

    /// Opens the round: one report per direct unit of the receiver (units that exist today, of
    /// the types asked), due on the template's date for the period unless overridden. Units that
    /// already have one keep it, so opening twice opens nothing new.
    pub async fn open_report_round(&self, actor: &Principal, input: &OpenRoundInput) -> Result<OpenedRound> {
        let template = self.report_template(&input.template).await?;
        let period = Period::parse(&input.period)?;
        if period.period_type() != template.template.period_type {
            return Err(DomainError::invalid(
                "period",
                format!("mẫu báo cáo này theo kỳ {}", template.template.period_type.label().to_lowercase()),
            ));
        }
        let receiver = self.org_by_code(input.receiver.trim(), None).await?;
        require_path(actor, Action::ApproveWork, &receiver.path)?;
        let due_on = input.due_on.unwrap_or_else(|| template.template.due.due_on(&period));
        if due_on < period.start() {
            return Err(DomainError::invalid("due_on", "hạn nộp không được trước ngày đầu kỳ báo cáo"));
        }
        let children = self.direct_units(receiver.id).await?;
        let units: Vec<&OrgUnit> =
            children.iter().filter(|u| input.org_types.is_empty() || input.org_types.contains(&u.org_type)).collect();
        if units.is_empty() {
            return Err(DomainError::invalid(
                "org_types",
                format!("{} không có đơn vị trực thuộc nào để giao báo cáo", receiver.name),
            ));
        }
        let reports: Vec<NewReport> = units
            .iter()
            .map(|u| NewReport {
                template_id: template.id,
                org_id: u.id,
                org_path: u.path.clone(),
                receiver_org_id: receiver.id,
                receiver_path: receiver.path.clone(),
                period: period.code(),
                period_start: period.start(),
                due_on,
                content: ReportContent {
                    recipients: vec![receiver.name.clone(), "Lưu: VT".into()],
                    ..Default::default()
                },
            })
            .collect();
        let mut audit = self.draft(Some(&actor.user), "report.open_round", "report");
        audit.org_id = Some(receiver.id);
        audit.entity_id = Some(format!("{}/{}", template.template.code, period.code()));
        let opened = self.store.reports_open(&reports, self.clock.now(), audit).await?;
        Ok(OpenedRound {
            template: template.template.code,
            period: period.code(),
            due_on,
            opened: opened.len(),
            existing: reports.len() - opened.len(),
        })
    }

    /// Direct units of `id` that exist today.
    async fn direct_units(&self, id: OrgId) -> Result<Vec<OrgUnit>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .org_list(&OrgQuery {
                    parent_id: Some(id),
                    as_of: Some(self.clock.today()),
                    offset,
                    limit: 1000,
                    ..Default::default()
                })
                .await?;
            let n = page.items.len() as u64;
            out.extend(page.items);
            offset += n;
            if n < 1000 {
                return Ok(out);
            }
        }
    }

    async fn report_views(&self, records: &[ReportRecord]) -> Result<Vec<ReportView>> {
        let mut ids: Vec<OrgId> = records.iter().flat_map(|r| [r.org_id, r.receiver_org_id]).collect();
        ids.sort_unstable();
        ids.dedup();
        let units: HashMap<OrgId, OrgUnit> = self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let templates: HashMap<i64, StoredTemplate> =
            self.store.report_templates().await?.into_iter().map(|t| (t.id, t)).collect();
        let unit_ref =
            |id: OrgId| units.get(&id).map(org_ref).unwrap_or(OrgRef { id, code: String::new(), name: String::new() });
        records
            .iter()
            .map(|r| {
                let t = templates
                    .get(&r.template_id)
                    .ok_or_else(|| DomainError::not_found("mẫu báo cáo", r.template_id.to_string()))?;
                let period = Period::parse(&r.period)?;
                Ok(ReportView {
                    id: r.id,
                    template: t.template.code.clone(),
                    title: t.template.title_for(&period),
                    org: unit_ref(r.org_id),
                    receiver: unit_ref(r.receiver_org_id),
                    period: r.period.clone(),
                    period_label: period.label(),
                    due_on: r.due_on,
                    state: r.state,
                    state_label: r.state.label(),
                    version: r.version,
                    first_submitted_at: r.first_submitted_at,
                    submitted_at: r.submitted_at,
                    accepted_at: r.accepted_at,
                    on_time: on_time(r.first_submitted_at, r.due_on),
                    row_version: r.row_version,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    /// Reports the user may read (their units' and those sent to their units), newest period
    /// first, filtered.
    pub async fn list_reports(&self, actor: &Principal, q: &ReportQuery) -> Result<Page<ReportView>> {
        let template_id = match q.template.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(self.report_template(code).await?.id),
            None => None,
        };
        let receiver_org_id = match q.receiver.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(self.org_by_code(code.trim(), None).await?.id),
            None => None,
        };
        let org_path = match q.org.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(self.org_by_code(code.trim(), None).await?.path),
            None => None,
        };
        let paths = actor.scope_paths(Action::ReadWork);
        let national = paths.iter().any(|p| p.matches('/').count() == 2);
        let page = self
            .store
            .report_list(&ReportFilter {
                within: (!national).then_some(paths),
                template_id,
                period: q.period.clone().filter(|s| !s.trim().is_empty()),
                state: q.state,
                receiver_org_id,
                org_path,
                offset: q.offset,
                limit: q.limit.clamp(1, MAX_PAGE),
            })
            .await?;
        let items = self.report_views(&page.items).await?;
        Ok(Page { items, total: page.total, total_capped: page.total_capped, offset: page.offset, limit: page.limit })
    }

    /// The report if the user may read it (its unit's or its receiver's work).
    async fn readable_report(&self, actor: &Principal, id: i64) -> Result<ReportRecord> {
        let r = self.store.report_get(id).await?.ok_or_else(|| DomainError::not_found("báo cáo", id.to_string()))?;
        if !may_path(actor, Action::ReadWork, &r.org_path) && !may_path(actor, Action::ReadWork, &r.receiver_path) {
            return Err(DomainError::not_found("báo cáo", id.to_string()));
        }
        Ok(r)
    }

    fn may_take(actor: &Principal, r: &ReportRecord, step: ReportStep) -> bool {
        match step.side() {
            StepSide::Sender => may_path(actor, Action::EditWork, &r.org_path),
            StepSide::Receiver => may_path(actor, Action::ApproveWork, &r.receiver_path),
        }
    }

    pub async fn report(&self, actor: &Principal, id: i64) -> Result<ReportDetail> {
        let r = self.readable_report(actor, id).await?;
        let template = self.template_by_id(r.template_id).await?.template;
        let versions = self.store.report_versions(id).await?;
        let events = self.store.report_events(id).await?;
        let frozen = if r.state.editable() { None } else { versions.last() };
        let (content, figures, figures_frozen) = match frozen {
            Some(v) => (v.content.clone(), v.figures.clone(), true),
            None => {
                let unit = self.unit_of(&r).await?;
                (r.content.clone(), self.report_figures(actor, &template, &r, &unit).await?, false)
            }
        };
        let steps = ReportStep::ALL
            .into_iter()
            .filter(|s| r.state.after(*s).is_ok() && Self::may_take(actor, &r, *s))
            .collect();
        let may_edit = r.state.editable() && may_path(actor, Action::EditWork, &r.org_path);
        let report = self.report_views(std::slice::from_ref(&r)).await?.remove(0);
        Ok(ReportDetail {
            report,
            template,
            content,
            figures,
            figures_frozen,
            versions: versions
                .iter()
                .map(|v| VersionSummary {
                    version: v.version,
                    submitted_by: v.submitted_by_name.clone(),
                    submitted_at: v.submitted_at,
                })
                .collect(),
            events: events
                .into_iter()
                .map(|e| EventView {
                    at: e.at,
                    actor: e.actor_name,
                    step: e.step,
                    step_label: e.step.label(),
                    from_state: e.from_state,
                    to_state: e.to_state,
                    comment: e.comment,
                    version: e.version,
                })
                .collect(),
            steps,
            may_edit,
        })
    }

    async fn unit_of(&self, r: &ReportRecord) -> Result<OrgUnit> {
        self.store.org_get(r.org_id).await?.ok_or_else(|| DomainError::not_found("đơn vị", r.org_id.to_string()))
    }

    /// Saves what the unit wrote; only while a draft or sent back, by the unit's editors.
    pub async fn save_report(
        &self,
        actor: &Principal,
        id: i64,
        row_version: i32,
        content: &ReportContent,
    ) -> Result<ReportView> {
        let r = self.readable_report(actor, id).await?;
        require_path(actor, Action::EditWork, &r.org_path)?;
        if !r.state.editable() {
            return Err(DomainError::Transition { state: r.state.label(), action: "sửa báo cáo" });
        }
        let template = self.template_by_id(r.template_id).await?.template;
        let content = normalized(content);
        content.validate(&template)?;
        let mut audit = self.draft(Some(&actor.user), "report.save", "report");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(r.org_id);
        match self.store.report_save_content(id, row_version, &content, self.clock.now(), audit).await? {
            Some(saved) => Ok(self.report_views(&[saved]).await?.remove(0)),
            None => Err(self.report_stale(id, row_version).await),
        }
    }

    async fn report_stale(&self, id: i64, row_version: i32) -> DomainError {
        let events = self.store.report_events(id).await.unwrap_or_default();
        let changes: Vec<String> = events
            .iter()
            .rev()
            .take(3)
            .map(|e| {
                format!(
                    "{} bởi {} ({})",
                    e.step.label(),
                    e.actor_name,
                    crate::clock::vietnam_date(e.at).format("%d/%m/%Y")
                )
            })
            .collect();
        let changes = if changes.is_empty() { vec![format!("phiên bản {row_version} đã cũ")] } else { changes };
        DomainError::Stale { changes }
    }

    /// A workflow step. Submitting fills in the figures and freezes them in a new version;
    /// a report with parts missing is refused with the list. Submitting a report already sent
    /// (a double click, a retry) changes nothing and returns it as it is.
    pub async fn report_step(&self, actor: &Principal, id: i64, input: &StepInput) -> Result<ReportView> {
        let r = self.readable_report(actor, id).await?;
        if !Self::may_take(actor, &r, input.step) {
            return Err(DomainError::Forbidden(match input.step.side() {
                StepSide::Sender => "gửi báo cáo của đơn vị này",
                StepSide::Receiver => "tiếp nhận, trả lại hoặc mở lại báo cáo gửi đơn vị này",
            }));
        }
        if input.step == ReportStep::Submit && (r.state.awaiting_receiver() || r.state == ReportState::Accepted) {
            return Ok(self.report_views(&[r]).await?.remove(0));
        }
        let next = r.state.after(input.step)?;
        let comment = match input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) if c.chars().count() > 4000 => {
                return Err(DomainError::invalid("comment", "ý kiến tối đa 4000 ký tự"));
            }
            Some(c) => Some(textvi::nfc(c)),
            None if input.step.needs_comment() => {
                return Err(DomainError::invalid(
                    "comment",
                    format!("cần ghi ý kiến khi {}", input.step.label().to_lowercase()),
                ));
            }
            None => None,
        };
        let now = self.clock.now();
        let version = if input.step == ReportStep::Submit {
            let template = self.template_by_id(r.template_id).await?.template;
            let unit = self.unit_of(&r).await?;
            let figures = self.report_figures(actor, &template, &r, &unit).await?;
            let failures = submission_failures(&template, &r.content, &figures);
            if !failures.is_empty() {
                return Err(DomainError::Incomplete(
                    failures.into_iter().map(|(field, message)| FieldProblem { field, message }).collect(),
                ));
            }
            Some(ReportVersion {
                report_id: id,
                version: r.version + 1,
                content: r.content.clone(),
                figures,
                submitted_by: actor.user.id,
                submitted_by_name: actor.user.full_name.clone(),
                submitted_at: now,
            })
        } else {
            None
        };
        let event = ReportEvent {
            report_id: id,
            at: now,
            actor_id: actor.user.id,
            actor_name: actor.user.full_name.clone(),
            step: input.step,
            from_state: r.state,
            to_state: next,
            comment: comment.clone(),
            version: version.as_ref().map(|v| v.version),
        };
        let mut audit = self.draft(Some(&actor.user), &format!("report.{}", input.step.as_str()), "report");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(r.org_id);
        audit.before = Some(json!({ "state": r.state }));
        audit.after = Some(json!({ "state": next, "version": event.version, "comment": comment }));
        match self.store.report_step(id, input.row_version, &event, version.as_ref(), audit).await? {
            Some(saved) => Ok(self.report_views(&[saved]).await?.remove(0)),
            None => {
                // A retry of a step someone (or the same click) already took.
                let now_state = self.store.report_get(id).await?.map(|x| x.state);
                if now_state == Some(next) && input.step == ReportStep::Submit {
                    let again = self.readable_report(actor, id).await?;
                    return Ok(self.report_views(&[again]).await?.remove(0));
                }
                Err(self.report_stale(id, input.row_version).await)
            }
        }
    }

    /// The figures of every section, as of today: the unit's indicator figures for the period
    /// (with targets, and what a parent needs to combine them), its registries, its tasks.
    async fn report_figures(
        &self,
        actor: &Principal,
        template: &ReportTemplate,
        r: &ReportRecord,
        unit: &OrgUnit,
    ) -> Result<Figures> {
        let period = Period::parse(&r.period)?;
        let today = self.clock.today();
        let mut sections = BTreeMap::new();
        let indicators = self.store.indicator_list().await?;
        let mut registries = None;
        for s in &template.sections {
            let figures = match &s.kind {
                SectionKind::Heading | SectionKind::Narrative => continue,
                SectionKind::Indicators { codes } => {
                    let mut rows = Vec::new();
                    for code in codes {
                        let Some(ind) = indicators.iter().find(|i| &i.def.code == code) else { continue };
                        let value = self.unit_figure(actor, code.as_str(), &r.period, &unit.code).await?;
                        let (numerator, denominator, weight) = match &ind.def.aggregation {
                            AggregationRule::RatioOfSums { numerator, denominator, .. } => (
                                self.unit_figure(actor, numerator.as_str(), &r.period, &unit.code).await?,
                                self.unit_figure(actor, denominator.as_str(), &r.period, &unit.code).await?,
                                None,
                            ),
                            AggregationRule::WeightedAverage { weight } => {
                                (None, None, self.unit_figure(actor, weight.as_str(), &r.period, &unit.code).await?)
                            }
                            _ => (None, None, None),
                        };
                        let target = self
                            .store
                            .targets_of(&[ind.id], Some(&[unit.id]), std::slice::from_ref(&r.period))
                            .await?
                            .into_iter()
                            .find(|t| t.org_id == unit.id)
                            .map(|t| t.value);
                        rows.push(IndicatorFigure {
                            code: code.to_string(),
                            name: ind.def.name.clone(),
                            unit: ind.def.unit,
                            value,
                            target,
                            numerator,
                            denominator,
                            weight,
                        });
                    }
                    SectionFigures::Indicators { rows }
                }
                SectionKind::Registry { table } => {
                    SectionFigures::Table(self.registry_figures(actor, unit, *table, today, &mut registries).await?)
                }
                SectionKind::TaskStats => {
                    let tasks =
                        self.store.kpi_tasks(KpiScope::LeadWithin(&unit.path), period.start(), period.end()).await?;
                    let mut stats = TaskStats::default();
                    for t in tasks.iter().filter(|t| t.state != TaskState::Cancelled) {
                        stats.total += 1;
                        match (t.state, t.completed_on) {
                            (TaskState::Completed, Some(done)) if done <= t.deadline => stats.done_on_time += 1,
                            (TaskState::Completed, _) => stats.done_late += 1,
                            _ if t.deadline < today => stats.overdue += 1,
                            _ => stats.open += 1,
                        }
                    }
                    SectionFigures::Tasks(stats)
                }
            };
            sections.insert(s.key.clone(), figures);
        }
        Ok(Figures { as_of: Some(today), sections })
    }

    /// The unit's figure of one indicator for the period, rolled up over its subtree on the
    /// structure of the period; `None` when there is nothing recorded or the indicator is
    /// reported for longer periods than the report's.
    async fn unit_figure(&self, actor: &Principal, code: &str, period: &str, org: &str) -> Result<Option<f64>> {
        match self.roll_up(actor, code, period, org, Structure::Then).await {
            Ok(r) => Ok(r.value),
            Err(DomainError::Invalid { field: "period", .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The unit's registry tables as of `as_of`, in the columns of seed `003_…` Phần I (mục
    /// III databases, mục VI systems with their security level, mục VII projects).
    async fn registry_figures(
        &self,
        actor: &Principal,
        unit: &OrgUnit,
        table: crate::reporting::RegistryTable,
        as_of: NaiveDate,
        cache: &mut Option<crate::services::registries::RegistryTables>,
    ) -> Result<FigureTable> {
        use crate::reporting::RegistryTable;
        if cache.is_none() {
            *cache = Some(self.registry_tables_as_of(actor, &unit.code, as_of).await?);
        }
        let Some(tables) = cache.as_ref() else { return Ok(FigureTable::default()) };
        let day =
            |d: Option<NaiveDate>| FigureCell::text(d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default());
        let count = |n: Option<u64>| FigureCell::opt_number(n.map(|n| n as f64));
        let (headers, summed, rows): (Vec<&str>, Vec<bool>, Vec<Vec<FigureCell>>) = match table {
            RegistryTable::Systems => (
                vec![
                    "Tên hệ thống thông tin",
                    "Đơn vị quản lý",
                    "Cấp độ",
                    "Thời gian xác định cấp độ",
                    "Đáp ứng yêu cầu tối thiểu",
                    "Hạn kiểm tra tiếp theo",
                ],
                vec![false; 6],
                tables
                    .systems
                    .iter()
                    .map(|s| {
                        vec![
                            FigureCell::text(&s.system.name),
                            FigureCell::text(&s.org.name),
                            FigureCell::text(s.system.security_level.map_or("Chưa xác định".into(), |l| l.label())),
                            FigureCell::text(
                                s.system.dossier_approved_on.map(|d| d.format("%m/%Y").to_string()).unwrap_or_default(),
                            ),
                            FigureCell::text(match s.system.meets_minimum_requirements {
                                Some(true) => "Đáp ứng",
                                Some(false) => "Chưa đáp ứng",
                                None => "Chưa đánh giá",
                            }),
                            day(s.next_inspection_due),
                        ]
                    })
                    .collect(),
            ),
            RegistryTable::Databases => (
                vec![
                    "Loại",
                    "Tên CSDL",
                    "Địa chỉ truy cập",
                    "Tổng số hồ sơ",
                    "Số hồ sơ cập nhật từ ngày",
                    "Từ ngày",
                    "Số đơn vị tham gia theo mục tiêu",
                    "Số đơn vị đã tham gia",
                ],
                vec![false, false, false, true, true, false, true, true],
                tables
                    .databases
                    .iter()
                    .map(|d| {
                        vec![
                            FigureCell::text(d.kind_label),
                            FigureCell::text(&d.database.name),
                            FigureCell::text(d.database.url.clone().unwrap_or_default()),
                            FigureCell::Number(d.database.total_records as f64),
                            count(d.database.records_updated_since),
                            day(d.database.records_since),
                            count(d.database.target_units.map(u64::from)),
                            count(d.database.participating_units.map(u64::from)),
                        ]
                    })
                    .collect(),
            ),
            RegistryTable::Projects => (
                vec![
                    "Tên nhiệm vụ, dự án",
                    "Đơn vị chủ trì",
                    "Mới/chuyển tiếp",
                    "Thời gian thực hiện",
                    "Tổng kinh phí (triệu đồng)",
                    "Nguồn vốn",
                ],
                vec![false, false, false, false, true, false],
                tables
                    .projects
                    .iter()
                    .map(|p| {
                        vec![
                            FigureCell::text(&p.project.name),
                            FigureCell::text(&p.project.lead_unit),
                            FigureCell::text(p.status_label),
                            FigureCell::text(&p.years_label),
                            FigureCell::Number(p.project.total_million_vnd),
                            FigureCell::text(&p.funding_label),
                        ]
                    })
                    .collect(),
            ),
        };
        Ok(FigureTable { headers: headers.into_iter().map(String::from).collect(), summed, rows })
    }

    /// The report laid out for a document: the version asked (the last submitted by default,
    /// or the current draft when never submitted).
    pub async fn report_document(&self, actor: &Principal, id: i64, version: Option<i32>) -> Result<ReportDocument> {
        let r = self.readable_report(actor, id).await?;
        let template = self.template_by_id(r.template_id).await?.template;
        let unit = self.unit_of(&r).await?;
        let parent = match unit.parent_id {
            Some(p) => self.store.org_get(p).await?,
            None => None,
        };
        let versions = self.store.report_versions(id).await?;
        let chosen = match version {
            Some(n) => Some(
                versions
                    .iter()
                    .find(|v| v.version == n)
                    .ok_or_else(|| DomainError::not_found("phiên bản báo cáo", n.to_string()))?,
            ),
            None if r.state.editable() && r.version == 0 => None,
            None => versions.last(),
        };
        let (content, figures, version, submitted_at) = match chosen {
            Some(v) => (v.content.clone(), v.figures.clone(), Some(v.version), Some(v.submitted_at)),
            None => (r.content.clone(), self.report_figures(actor, &template, &r, &unit).await?, None, None),
        };
        let report = self.report_views(std::slice::from_ref(&r)).await?.remove(0);
        Ok(ReportDocument { report, template, content, figures, unit, parent, version, submitted_at })
    }

    /// The synthesis of the reports sent to `org` for a template and period: accepted ones
    /// gathered, the others listed as missing.
    pub async fn report_synthesis(
        &self,
        actor: &Principal,
        template: &str,
        period: &str,
        org: &str,
    ) -> Result<SynthesisView> {
        let stored = self.report_template(template).await?;
        let period = Period::parse(period)?;
        let receiver = self.org_by_code(org.trim(), None).await?;
        require_path(actor, Action::ReadWork, &receiver.path)?;
        let mut records = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .report_list(&ReportFilter {
                    template_id: Some(stored.id),
                    period: Some(period.code()),
                    receiver_org_id: Some(receiver.id),
                    offset,
                    limit: 1000,
                    ..Default::default()
                })
                .await?;
            let n = page.items.len() as u64;
            records.extend(page.items);
            offset += n;
            if n < 1000 {
                break;
            }
        }
        let accepted_ids: Vec<i64> =
            records.iter().filter(|r| r.state == ReportState::Accepted).map(|r| r.id).collect();
        let versions: HashMap<i64, ReportVersion> =
            self.store.report_accepted_versions(&accepted_ids).await?.into_iter().map(|v| (v.report_id, v)).collect();
        let views = self.report_views(&records).await?;
        let children: Vec<ChildReport<'_>> = records
            .iter()
            .zip(&views)
            .map(|(r, v)| ChildReport {
                unit: v.org.name.clone(),
                state: Some(r.state),
                accepted: versions.get(&r.id).map(|ver| (&ver.content, &ver.figures)),
            })
            .collect();
        let rules: BTreeMap<String, AggregationRule> = self
            .store
            .indicator_list()
            .await?
            .into_iter()
            .map(|i| (i.def.code.to_string(), i.def.aggregation))
            .collect();
        let synthesis = synthesize(&stored.template, &children, &rules);
        let parent = match receiver.parent_id {
            Some(p) => self.store.org_get(p).await?,
            None => None,
        };
        Ok(SynthesisView {
            title: stored.template.title_for(&period),
            period: period.code(),
            period_label: period.label(),
            org: org_ref(&receiver),
            template: stored.template,
            synthesis,
            unit: Some(receiver),
            parent,
        })
    }

    /// Completeness and timeliness of a round over `org`'s subtree: totals, per level (the
    /// reporting units' type) and one row per report sent to `org` itself, each with the
    /// figures of the reports below it to drill into.
    pub async fn report_completeness(
        &self,
        actor: &Principal,
        template: &str,
        period: &str,
        org: &str,
    ) -> Result<CompletenessView> {
        let stored = self.report_template(template).await?;
        let period = Period::parse(period)?;
        let root = self.org_by_code(org.trim(), None).await?;
        require_path(actor, Action::ReadWork, &root.path)?;
        let today = self.clock.today();
        let all: Vec<ExpectedReport> = self
            .store
            .reports_expected(stored.id, &period.code(), &root.path)
            .await?
            .into_iter()
            .filter(|e| e.org_id != root.id)
            .collect();
        let expected = |e: &ExpectedReport| Expected {
            state: e.state,
            due_on: e.due_on,
            first_submitted_on: e.first_submitted_at.map(crate::clock::vietnam_date),
        };
        let mut ids: Vec<OrgId> = all.iter().map(|e| e.org_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let units: HashMap<OrgId, OrgUnit> = self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut total = Completeness::default();
        let mut by_type: BTreeMap<usize, (OrgType, Completeness)> = BTreeMap::new();
        for e in &all {
            total.count(&expected(e), today);
            if let Some(u) = units.get(&e.org_id) {
                let slot = OrgType::ALL.iter().position(|t| *t == u.org_type).unwrap_or(0);
                by_type.entry(slot).or_insert((u.org_type, Completeness::default())).1.count(&expected(e), today);
            }
        }
        let rows = all
            .iter()
            .filter(|e| e.receiver_org_id == root.id)
            .map(|e| {
                let below = Completeness::of(
                    &all.iter()
                        .filter(|x| x.org_id != e.org_id && x.org_path.starts_with(&e.org_path))
                        .map(expected)
                        .collect::<Vec<_>>(),
                    today,
                );
                let org = units.get(&e.org_id).map(org_ref).unwrap_or(OrgRef {
                    id: e.org_id,
                    code: String::new(),
                    name: String::new(),
                });
                CompletenessRow {
                    org,
                    report_id: e.id,
                    state: e.state,
                    state_label: e.state.label(),
                    due_on: e.due_on,
                    first_submitted_at: e.first_submitted_at,
                    on_time: on_time(e.first_submitted_at, e.due_on),
                    below,
                }
            })
            .collect();
        Ok(CompletenessView {
            title: stored.template.title_for(&period),
            template: stored.template.code,
            period: period.code(),
            period_label: period.label(),
            org: org_ref(&root),
            today,
            total,
            levels: by_type
                .into_values()
                .map(|(org_type, figures)| LevelCompleteness { org_type, label: org_type.label(), figures })
                .collect(),
            rows,
        })
    }
}

/// Days before the due date from which a report not yet sent is reminded.
pub const REPORT_SOON_DAYS: u64 = 3;

impl Services {
    /// Reminds the reporting unit's focal points and leaders (and the admins above) of a report
    /// not yet sent: once when it falls due within [`REPORT_SOON_DAYS`], once when it is overdue.
    /// Safe to repeat: every notification has a unique key. Nothing on days off.
    pub async fn run_report_reminders(&self, email: bool) -> Result<crate::notify::ReminderRun> {
        use crate::auth::Role;
        let today = self.clock.today();
        let mut run = crate::notify::ReminderRun::default();
        if !self.work_calendar().await?.is_working_day(today) {
            return Ok(run);
        }
        let until = today + chrono::Days::new(REPORT_SOON_DAYS);
        let due = self.store.reports_due_by(until).await?;
        let views = self.report_views(&due).await?;
        let mut people: HashMap<String, Vec<crate::users::User>> = HashMap::new();
        for (r, v) in due.iter().zip(&views) {
            run.checked_tasks += 1;
            let (kind, title) = if r.due_on < today {
                ("overdue", format!("Quá hạn nộp báo cáo: {} ({})", v.title, v.org.name))
            } else {
                ("due_soon", format!("Sắp đến hạn nộp báo cáo: {} ({})", v.title, v.org.name))
            };
            if !people.contains_key(&r.org_path) {
                let found = self.unit_people(&r.org_path, &[Role::FocalPoint, Role::Leader]).await?;
                people.insert(r.org_path.clone(), found);
            }
            let body = format!(
                "Báo cáo: {}\nĐơn vị báo cáo: {}\nGửi đến: {}\nHạn nộp: {}\nTrạng thái: {}",
                v.title,
                v.org.name,
                v.receiver.name,
                r.due_on.format("%d/%m/%Y"),
                r.state.label()
            );
            for user in people.get(&r.org_path).into_iter().flatten() {
                let created = self
                    .notify_once(
                        user,
                        "report",
                        title.clone(),
                        body.clone(),
                        Some(format!("/reports/{}", r.id)),
                        format!("report:{}:{kind}:{}:user:{}", r.id, r.due_on, user.id),
                        email,
                    )
                    .await?;
                run.count(created);
            }
        }
        Ok(run)
    }
}

/// Filters of the report list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct ReportQuery {
    /// Template code.
    pub template: Option<String>,
    /// DHIS2 period code.
    pub period: Option<String>,
    pub state: Option<ReportState>,
    /// Only reports sent to this unit (code).
    pub receiver: Option<String>,
    /// Only reports of units under this unit (code).
    pub org: Option<String>,
    #[serde(default)]
    pub offset: u64,
    #[serde(default = "default_limit")]
    pub limit: u64,
}

fn default_limit() -> u64 {
    50
}

/// Text as typed, NFC-normalised and trimmed; empty recipients dropped.
fn normalized(c: &ReportContent) -> ReportContent {
    let t = |s: &str| textvi::nfc(s.trim());
    ReportContent {
        narratives: c
            .narratives
            .iter()
            .map(|(k, n)| {
                (k.clone(), crate::reporting::Narrative { achieved: t(&n.achieved), shortcomings: t(&n.shortcomings) })
            })
            .collect(),
        number_symbol: t(&c.number_symbol),
        signer: crate::reporting::Signer {
            authority: c.signer.authority.as_deref().map(t).filter(|s| !s.is_empty()),
            title: t(&c.signer.title),
            name: t(&c.signer.name),
        },
        recipients: c.recipients.iter().map(|r| t(r)).filter(|r| !r.is_empty()).collect(),
    }
}
