//! Plans (kế hoạch) and tasks (nhiệm vụ): their types and the state machines that are the only
//! way to change their state. Services in `services/work.rs` apply them; storage keeps them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::org::OrgId;
use crate::users::UserId;
use crate::{DomainError, Result};

pub type PlanId = i64;
pub type TaskId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Submitted,
    Approved,
    InExecution,
    Closed,
}

/// A step of the plan workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStep {
    /// Draft → submitted for approval.
    Submit,
    /// Submitted → back to draft, with the approver's remarks.
    Return,
    /// Submitted → approved (decision number, date and approver recorded; a version is kept).
    Approve,
    /// Approved → in execution.
    Start,
    /// Approved or in execution → draft of the next version (the approved one stays kept).
    Revise,
    /// In execution → closed.
    Close,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 5] =
        [PlanStatus::Draft, PlanStatus::Submitted, PlanStatus::Approved, PlanStatus::InExecution, PlanStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::InExecution => "in_execution",
            PlanStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("không có trạng thái '{s}'")))
    }
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Dự thảo",
            PlanStatus::Submitted => "Đã trình",
            PlanStatus::Approved => "Đã phê duyệt",
            PlanStatus::InExecution => "Đang thực hiện",
            PlanStatus::Closed => "Đã kết thúc",
        }
    }

    /// Content (title, sections, tasks of the plan) may only change in a draft.
    pub fn editable(self) -> bool {
        self == PlanStatus::Draft
    }

    /// The state after `step`, or the reason it is refused.
    pub fn after(self, step: PlanStep) -> Result<PlanStatus> {
        use PlanStatus::*;
        use PlanStep::*;
        match (self, step) {
            (Draft, Submit) => Ok(Submitted),
            (Submitted, Return) => Ok(Draft),
            (Submitted, Approve) => Ok(Approved),
            (Approved, Start) => Ok(InExecution),
            (Approved | InExecution, Revise) => Ok(Draft),
            (InExecution, Close) => Ok(Closed),
            _ => Err(DomainError::Transition { state: self.label(), action: step.label() }),
        }
    }
}

impl PlanStep {
    pub const ALL: [PlanStep; 6] =
        [PlanStep::Submit, PlanStep::Return, PlanStep::Approve, PlanStep::Start, PlanStep::Revise, PlanStep::Close];
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStep::Submit => "submit",
            PlanStep::Return => "return",
            PlanStep::Approve => "approve",
            PlanStep::Start => "start",
            PlanStep::Revise => "revise",
            PlanStep::Close => "close",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("step", format!("không có bước '{s}'")))
    }
    /// As a verb phrase: "Không thể {label} khi …".
    pub fn label(self) -> &'static str {
        match self {
            PlanStep::Submit => "trình phê duyệt",
            PlanStep::Return => "trả lại dự thảo",
            PlanStep::Approve => "phê duyệt",
            PlanStep::Start => "đưa vào thực hiện",
            PlanStep::Revise => "điều chỉnh (tạo phiên bản mới)",
            PlanStep::Close => "kết thúc kế hoạch",
        }
    }
    /// Approving and returning belong to the unit's leader; the others to whoever edits the plan.
    pub fn needs_leader(self) -> bool {
        matches!(self, PlanStep::Approve | PlanStep::Return)
    }
}

/// A period of whole years: 2024, or 2021–2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearSpan {
    pub from: i32,
    pub to: i32,
}

impl YearSpan {
    /// Parses "2024" or "2021-2025" (also with an en dash).
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || DomainError::invalid("period", "ghi một năm (2024) hoặc một giai đoạn (2021-2025)");
        let s = s.trim().replace('–', "-");
        let (a, b) = s.split_once('-').unwrap_or((&s, &s));
        let from: i32 = a.trim().parse().map_err(|_| bad())?;
        let to: i32 = b.trim().parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&from) || !(from..=from + 10).contains(&to) {
            return Err(bad());
        }
        Ok(Self { from, to })
    }
    pub fn label(self) -> String {
        if self.from == self.to { self.from.to_string() } else { format!("{}–{}", self.from, self.to) }
    }
}

/// One rich-text section of a plan (Căn cứ, Mục tiêu, …). `html` is always sanitised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlanSection {
    pub title: String,
    pub html: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: OrgId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub id: PlanId,
    pub org: OrgRef,
    #[serde(skip)]
    pub org_path: String,
    pub title: String,
    pub period: YearSpan,
    pub template_code: String,
    pub status: PlanStatus,
    pub status_label: &'static str,
    pub sections: Vec<PlanSection>,
    /// Frameworks the plan adopted items from.
    pub framework_ids: Vec<i64>,
    /// Number of the latest approved version (0 before the first approval).
    pub approved_version: i32,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub approved_by: Option<String>,
    /// Remarks of the last return to draft.
    pub return_note: Option<String>,
    /// Optimistic-concurrency counter: every save must send the value it loaded.
    pub row_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An approved version of a plan, kept forever.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanVersion {
    pub plan_id: PlanId,
    pub number: i32,
    pub title: String,
    pub sections: Vec<PlanSection>,
    /// The plan's tasks when it was approved.
    pub tasks: Vec<VersionTask>,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VersionTask {
    pub code: String,
    pub title: String,
    pub lead: String,
    pub deadline: NaiveDate,
}

/// The stored state of a task. What users see is [`TaskStatus`], which also knows the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    NotStarted,
    InProgress,
    Completed,
    Paused,
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 5] =
        [TaskState::NotStarted, TaskState::InProgress, TaskState::Completed, TaskState::Paused, TaskState::Cancelled];
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::NotStarted => "not_started",
            TaskState::InProgress => "in_progress",
            TaskState::Completed => "completed",
            TaskState::Paused => "paused",
            TaskState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("state", format!("không có trạng thái '{s}'")))
    }
    /// Still to be done: counts towards overdue once the deadline passes.
    pub fn open(self) -> bool {
        matches!(self, TaskState::NotStarted | TaskState::InProgress)
    }
}

/// The seven statuses users see (the list), derived from state, dates and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Completed,
    CompletedLate,
    Overdue,
    Paused,
    Cancelled,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 7] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Completed,
        TaskStatus::CompletedLate,
        TaskStatus::Overdue,
        TaskStatus::Paused,
        TaskStatus::Cancelled,
    ];

    pub fn of(state: TaskState, deadline: NaiveDate, completed_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        match state {
            TaskState::Completed => match completed_on {
                Some(done) if done > deadline => TaskStatus::CompletedLate,
                _ => TaskStatus::Completed,
            },
            TaskState::Paused => TaskStatus::Paused,
            TaskState::Cancelled => TaskStatus::Cancelled,
            s if s.open() && deadline < today => TaskStatus::Overdue,
            TaskState::InProgress => TaskStatus::InProgress,
            _ => TaskStatus::NotStarted,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Completed => "completed",
            TaskStatus::CompletedLate => "completed_late",
            TaskStatus::Overdue => "overdue",
            TaskStatus::Paused => "paused",
            TaskStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("status", format!("không có trạng thái '{s}'")))
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Chưa bắt đầu",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Completed => "Hoàn thành",
            TaskStatus::CompletedLate => "Hoàn thành quá hạn",
            TaskStatus::Overdue => "Quá hạn",
            TaskStatus::Paused => "Tạm dừng",
            TaskStatus::Cancelled => "Hủy",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub plan_id: PlanId,
    pub plan_title: String,
    /// The agency whose plan holds the task.
    pub org: OrgRef,
    #[serde(skip)]
    pub org_path: String,
    pub parent_id: Option<TaskId>,
    pub framework_item_id: Option<i64>,
    pub framework_item_code: Option<String>,
    pub code: String,
    pub title: String,
    pub description: String,
    /// Chủ trì.
    pub lead: OrgRef,
    #[serde(skip)]
    pub lead_path: String,
    /// Phối hợp.
    pub coordinating: Vec<OrgRef>,
    pub assignees: Vec<UserRef>,
    pub start_date: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub state: TaskState,
    pub status: TaskStatus,
    pub status_label: &'static str,
    pub progress: u8,
    pub completed_on: Option<NaiveDate>,
    /// The leader's quality rating, 1–5, given when the task is closed.
    pub rating: Option<u8>,
    pub depends_on: Vec<TaskId>,
    pub row_version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Task {
    /// Re-derives the shown status for `today` (storage has no clock).
    pub fn as_of(mut self, today: NaiveDate) -> Self {
        self.status = TaskStatus::of(self.state, self.deadline, self.completed_on, today);
        self.status_label = self.status.label();
        self
    }
}

/// What a task form or import row carries. Org units by code, people by username.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TaskInput {
    pub code: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Code of the lead unit (chủ trì); defaults to the plan's unit.
    pub lead: Option<String>,
    /// Codes of coordinating units.
    #[serde(default)]
    pub coordinating: Vec<String>,
    /// Usernames of the people assigned.
    #[serde(default)]
    pub assignees: Vec<String>,
    pub start_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub parent_id: Option<TaskId>,
    #[serde(default)]
    pub depends_on: Vec<TaskId>,
}

/// A progress report: state, percent, completion date, and a note for the history.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProgressInput {
    pub state: Option<TaskState>,
    pub progress: Option<u8>,
    /// When the work was completed (defaults to today when the state becomes completed).
    pub completed_on: Option<NaiveDate>,
    pub note: Option<String>,
    /// The version the reporter loaded.
    pub row_version: i32,
}

/// Filters of the task list (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TaskQuery {
    /// Only tasks of agencies in this org unit's subtree (by code).
    pub org: Option<String>,
    pub plan_id: Option<PlanId>,
    pub status: Option<TaskStatus>,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    pub framework_item_id: Option<i64>,
    /// Username of an assignee.
    pub assignee: Option<String>,
    /// Words of the title, matched without diacritics.
    pub q: Option<String>,
    pub sort: Option<TaskSort>,
    #[serde(default)]
    pub offset: u64,
    pub limit: Option<u64>,
}

/// A task list counts its matches up to this many and then says "more than 10.000": an exact
/// count of a national list would read every one of a million rows on each page.
pub const TASK_COUNT_CAP: u64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskSort {
    #[default]
    Deadline,
    DeadlineDesc,
    Title,
    Updated,
    Code,
}

impl TaskSort {
    pub const ALL: [TaskSort; 5] =
        [TaskSort::Deadline, TaskSort::DeadlineDesc, TaskSort::Title, TaskSort::Updated, TaskSort::Code];
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSort::Deadline => "deadline",
            TaskSort::DeadlineDesc => "deadline_desc",
            TaskSort::Title => "title",
            TaskSort::Updated => "updated",
            TaskSort::Code => "code",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskSort::Deadline => "Hạn gần nhất",
            TaskSort::DeadlineDesc => "Hạn xa nhất",
            TaskSort::Title => "Tên nhiệm vụ",
            TaskSort::Updated => "Mới cập nhật",
            TaskSort::Code => "Số thứ tự",
        }
    }
}

/// An entry of a task's history: every change, comment and piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskEvent {
    pub id: i64,
    pub task_id: TaskId,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: TaskEventKind,
    /// Field changes, "Tiến độ: 20% → 50%".
    pub changes: Vec<String>,
    pub text: Option<String>,
    /// The task's row version after this event.
    pub row_version: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskEventKind {
    Created,
    Updated,
    Progress,
    Comment,
    Evidence,
    Rated,
}

impl TaskEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskEventKind::Created => "created",
            TaskEventKind::Updated => "updated",
            TaskEventKind::Progress => "progress",
            TaskEventKind::Comment => "comment",
            TaskEventKind::Evidence => "evidence",
            TaskEventKind::Rated => "rated",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "created" => TaskEventKind::Created,
            "progress" => TaskEventKind::Progress,
            "comment" => TaskEventKind::Comment,
            "evidence" => TaskEventKind::Evidence,
            "rated" => TaskEventKind::Rated,
            _ => TaskEventKind::Updated,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskEventKind::Created => "Tạo nhiệm vụ",
            TaskEventKind::Updated => "Sửa nhiệm vụ",
            TaskEventKind::Progress => "Cập nhật tiến độ",
            TaskEventKind::Comment => "Ý kiến",
            TaskEventKind::Evidence => "Minh chứng",
            TaskEventKind::Rated => "Đánh giá chất lượng",
        }
    }
}

/// Evidence of work: an uploaded file or a link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub task_id: TaskId,
    pub name: String,
    /// For a file: its MIME type and size; for a link: its URL.
    pub content_type: Option<String>,
    pub size: Option<i64>,
    pub url: Option<String>,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

/// Files accepted as evidence, by extension and the MIME type they are served with.
pub const EVIDENCE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("zip", "application/zip"),
    ("txt", "text/plain"),
];

/// Largest evidence file, 10 MiB.
pub const EVIDENCE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The MIME type for an evidence file, checked against both its extension and its first bytes
/// (so a renamed executable is refused).
pub fn evidence_type(file_name: &str, bytes: &[u8]) -> Result<&'static str> {
    let rule = crate::files::FileRule {
        types: EVIDENCE_TYPES,
        max_bytes: EVIDENCE_MAX_BYTES,
        names: "PDF, Word, Excel, OpenDocument, PNG, JPEG, ZIP hoặc TXT",
    };
    crate::files::checked_type(&rule, "file", file_name, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn plan_workflow_allows_only_its_own_steps() {
        use PlanStatus::*;
        use PlanStep::*;
        let legal = [
            (Draft, Submit, Submitted),
            (Submitted, Return, Draft),
            (Submitted, Approve, Approved),
            (Approved, Start, InExecution),
            (Approved, Revise, Draft),
            (InExecution, Revise, Draft),
            (InExecution, Close, Closed),
        ];
        for from in PlanStatus::ALL {
            for step in PlanStep::ALL {
                let expected = legal.iter().find(|(f, s, _)| *f == from && *s == step).map(|(_, _, to)| *to);
                match (from.after(step), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want),
                    (Err(DomainError::Transition { .. }), None) => {}
                    (got, want) => panic!("{from:?} --{step:?}--> {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn status_is_derived_from_state_dates_and_today() {
        let deadline = d(2026, 11, 30);
        let s = |state, done, today| TaskStatus::of(state, deadline, done, today);
        assert_eq!(s(TaskState::InProgress, None, d(2026, 11, 30)), TaskStatus::InProgress);
        assert_eq!(s(TaskState::InProgress, None, d(2026, 12, 1)), TaskStatus::Overdue);
        assert_eq!(s(TaskState::NotStarted, None, d(2026, 12, 1)), TaskStatus::Overdue);
        assert_eq!(s(TaskState::Completed, Some(d(2026, 11, 30)), d(2027, 1, 1)), TaskStatus::Completed);
        assert_eq!(s(TaskState::Completed, Some(d(2026, 12, 1)), d(2027, 1, 1)), TaskStatus::CompletedLate);
        assert_eq!(s(TaskState::Paused, None, d(2027, 1, 1)), TaskStatus::Paused);
        assert_eq!(s(TaskState::Cancelled, None, d(2027, 1, 1)), TaskStatus::Cancelled);
    }

    #[test]
    fn periods_parse() {
        assert_eq!(YearSpan::parse("2024").unwrap(), YearSpan { from: 2024, to: 2024 });
        assert_eq!(YearSpan::parse("2021–2025").unwrap(), YearSpan { from: 2021, to: 2025 });
        assert!(YearSpan::parse("2025-2021").is_err());
        assert!(YearSpan::parse("năm nay").is_err());
    }

    #[test]
    fn evidence_type_checks_extension_and_content() {
        assert_eq!(evidence_type("bao-cao.pdf", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert!(evidence_type("bao-cao.pdf", b"MZ\x90\x00").is_err());
        assert!(evidence_type("virus.exe", b"MZ\x90\x00").is_err());
        assert!(evidence_type("rong.txt", b"").is_err());
    }
}
