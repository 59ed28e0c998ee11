//! Storage contract for frameworks, plans and tasks.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::frameworks::{Framework, FrameworkItem, FrameworkSummary};
use crate::org::{OrgId, Page};
use crate::users::UserId;
use crate::work::{
    Evidence, Plan, PlanId, PlanSection, PlanStatus, PlanVersion, Task, TaskEvent, TaskEventKind, TaskId, TaskSort,
    TaskState, TaskStatus, YearSpan,
};

#[derive(Debug, Clone)]
pub struct NewPlanRecord {
    pub org_id: OrgId,
    pub title: String,
    pub period: YearSpan,
    pub template_code: String,
    pub sections: Vec<PlanSection>,
    pub framework_ids: Vec<i64>,
    pub created_by: UserId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewTaskRecord {
    pub plan_id: PlanId,
    pub parent_id: Option<TaskId>,
    pub framework_item_id: Option<i64>,
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead_org_id: OrgId,
    pub coordinating: Vec<OrgId>,
    pub assignees: Vec<UserId>,
    pub start_date: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub depends_on: Vec<TaskId>,
}

/// The editable fields of a task after an edit; storage writes them all.
#[derive(Debug, Clone)]
pub struct TaskFields {
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead_org_id: OrgId,
    pub coordinating: Vec<OrgId>,
    pub assignees: Vec<UserId>,
    pub start_date: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub parent_id: Option<TaskId>,
    pub depends_on: Vec<TaskId>,
    pub state: TaskState,
    pub progress: u8,
    pub completed_on: Option<NaiveDate>,
    pub rating: Option<u8>,
}

/// A history entry to append with a change.
#[derive(Debug, Clone)]
pub struct NewTaskEvent {
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor: String,
    pub kind: TaskEventKind,
    pub changes: Vec<String>,
    pub text: Option<String>,
}

/// The task list's filters, resolved to what storage matches on.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Authorisation: tasks whose agency or lead unit lies under one of these paths, or that
    /// `visible_to_assignee` is assigned to. `None` = no restriction.
    pub scope: Option<Vec<String>>,
    pub visible_to_assignee: Option<UserId>,
    /// Tasks of agencies under this path.
    pub org_path: Option<String>,
    pub plan_id: Option<PlanId>,
    pub status: Option<TaskStatus>,
    pub today: Option<NaiveDate>,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    pub framework_item_id: Option<i64>,
    pub assignee_id: Option<UserId>,
    /// Folded words, all of which must appear in the title.
    pub words: Vec<String>,
    pub sort: TaskSort,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub scope: Option<Vec<String>>,
    pub org_path: Option<String>,
    pub status: Option<PlanStatus>,
    pub year: Option<i32>,
    pub offset: u64,
    pub limit: u64,
}

/// One framework item's adoption across agencies, counted by status.
#[derive(Debug, Clone, Default)]
pub struct ItemTally {
    pub framework_item_id: i64,
    pub agencies: u64,
    pub by_status: Vec<(TaskStatus, u64)>,
}

/// Which tasks a KPI computation reads (always those with a deadline in the period, of plans
/// approved at least once).
#[derive(Debug, Clone, Copy)]
pub enum KpiScope<'a> {
    /// Tasks whose lead unit lies under this path.
    LeadWithin(&'a str),
    /// Tasks with at least one assignee whose own unit lies under this path.
    AssigneesWithin(&'a str),
    /// Tasks assigned to this person.
    Assignee(UserId),
}

/// One task as the KPI computation needs it.
#[derive(Debug, Clone)]
pub struct KpiTask {
    pub task_id: TaskId,
    pub code: String,
    pub title: String,
    pub assignees: Vec<UserId>,
    pub lead_org_id: OrgId,
    pub deadline: NaiveDate,
    pub state: TaskState,
    pub completed_on: Option<NaiveDate>,
    pub rating: Option<u8>,
}

#[async_trait]
pub trait WorkStore: Send + Sync {
    // Frameworks
    /// Stores a framework version unless one with the same code and version exists; true if stored.
    async fn framework_load(&self, framework: &Framework, audit: AuditDraft) -> Result<bool>;
    async fn framework_list(&self) -> Result<Vec<FrameworkSummary>>;
    async fn framework_get(&self, id: i64) -> Result<Option<Framework>>;
    async fn framework_items(&self, ids: &[i64]) -> Result<Vec<FrameworkItem>>;

    // Plans
    async fn plan_insert(&self, plan: &NewPlanRecord, tasks: &[NewTaskRecord], audit: AuditDraft) -> Result<PlanId>;
    async fn plan_get(&self, id: PlanId) -> Result<Option<Plan>>;
    async fn plan_list(&self, filter: &PlanFilter) -> Result<Page<Plan>>;
    /// Saves title and sections when `row_version` still matches; `None` when it does not.
    async fn plan_update(
        &self,
        id: PlanId,
        row_version: i32,
        title: &str,
        sections: &[PlanSection],
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<Plan>>;
    /// Moves the plan to `status` when `row_version` still matches (`None` otherwise), storing
    /// `approved` as a kept version when given.
    #[allow(clippy::too_many_arguments)]
    async fn plan_set_status(
        &self,
        id: PlanId,
        row_version: i32,
        status: PlanStatus,
        approved: Option<&PlanVersion>,
        return_note: Option<&str>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<Plan>>;
    async fn plan_versions(&self, id: PlanId) -> Result<Vec<PlanVersion>>;

    // Tasks
    /// Inserts tasks in one transaction (a form, or a whole import); returns their ids.
    async fn task_insert_many(
        &self,
        tasks: &[NewTaskRecord],
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Vec<TaskId>>;
    async fn task_get(&self, id: TaskId) -> Result<Option<Task>>;
    async fn task_list(&self, filter: &TaskFilter) -> Result<Page<Task>>;
    /// Writes `fields` and appends `event` when `row_version` still matches; `None` when it does not.
    async fn task_update(
        &self,
        id: TaskId,
        row_version: i32,
        fields: &TaskFields,
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Option<Task>>;
    /// Appends a comment (no field changes; the row version is unchanged).
    async fn task_comment(&self, id: TaskId, event: &NewTaskEvent, audit: AuditDraft) -> Result<TaskEvent>;
    /// The history, oldest first; only entries after `after_version` when given.
    async fn task_events(&self, id: TaskId, after_version: Option<i32>) -> Result<Vec<TaskEvent>>;
    async fn evidence_insert(
        &self,
        task_id: TaskId,
        name: &str,
        file: Option<(&str, &[u8])>,
        url: Option<&str>,
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Evidence>;
    async fn evidence_list(&self, task_id: TaskId) -> Result<Vec<Evidence>>;
    /// The evidence row and the file's bytes.
    async fn evidence_file(&self, id: i64) -> Result<Option<(Evidence, Vec<u8>)>>;
    /// Direct subtasks of a task.
    async fn task_children(&self, id: TaskId) -> Result<Vec<Task>>;

    // Aggregates
    /// Per framework item of `framework_id`: adopting agencies and tasks by status, over tasks
    /// whose agency lies under `within` (all when `None`).
    async fn framework_tally(
        &self,
        framework_id: i64,
        within: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<ItemTally>>;
    /// Tasks meeting `filter` counted exactly (no cap), by the path of their ministry or province
    /// (`org::agency_path`). The filter must have no authorisation scope: callers count a subtree
    /// the principal reads whole.
    async fn task_count_by_agency(&self, filter: &TaskFilter) -> Result<Vec<(String, u64)>>;
    /// Tasks of `scope` whose deadline falls in `from..=to`, of plans approved at least once
    /// (a plan's first draft is not yet assigned work), every assignee listed.
    async fn kpi_tasks(&self, scope: KpiScope<'_>, from: NaiveDate, to: NaiveDate) -> Result<Vec<KpiTask>>;
    /// Open tasks of approved or running plans with a deadline on or before `until` (reminder
    /// candidates).
    async fn open_tasks_due_by(&self, until: NaiveDate) -> Result<Vec<Task>>;
}
