//! Importing a plan's tasks from a table (CSV or XLSX at the edge): every row is checked by the
//! same rules as the task form, every problem is reported with its line and column, and the rows
//! land all together in one transaction or not at all.
//!
//! The column names live here because problems name them; the edge maps file columns to
//! [`TaskInput`]s by these names and the export writes them.

use serde_json::json;

use crate::auth::Principal;
use crate::error::RowProblem;
use crate::services::Services;
use crate::work::{PlanId, TaskEventKind, TaskId, TaskInput};
use crate::{DomainError, Result};

/// The columns of a task table, as officials read them.
pub mod column {
    pub const CODE: &str = "Số thứ tự";
    pub const TITLE: &str = "Tên nhiệm vụ";
    pub const DESCRIPTION: &str = "Mô tả";
    /// The lead unit's org code.
    pub const LEAD: &str = "Đơn vị chủ trì";
    /// Org codes separated by `;` or `,`.
    pub const COORDINATING: &str = "Đơn vị phối hợp";
    /// Usernames separated by `;` or `,`.
    pub const ASSIGNEES: &str = "Người thực hiện";
    pub const START: &str = "Ngày bắt đầu";
    pub const DEADLINE: &str = "Hạn hoàn thành";
    // Written by the export only; an import reads past them.
    pub const STATUS: &str = "Trạng thái";
    pub const PROGRESS: &str = "Tiến độ (%)";
    pub const COMPLETED: &str = "Ngày hoàn thành";
    pub const PLAN: &str = "Kế hoạch";
    pub const AGENCY: &str = "Cơ quan";
}

/// Columns an import reads, in the order of the form.
pub const IMPORT_COLUMNS: [&str; 8] = [
    column::CODE,
    column::TITLE,
    column::DESCRIPTION,
    column::LEAD,
    column::COORDINATING,
    column::ASSIGNEES,
    column::START,
    column::DEADLINE,
];

/// Columns a file must have.
pub const REQUIRED_COLUMNS: [&str; 2] = [column::TITLE, column::DEADLINE];

/// Columns the export adds after the import columns; an import accepts and ignores them.
pub const EXPORT_ONLY_COLUMNS: [&str; 5] =
    [column::STATUS, column::PROGRESS, column::COMPLETED, column::PLAN, column::AGENCY];

/// The column that holds a task field, for naming it in a problem.
fn column_of(field: &str) -> &'static str {
    match field {
        "code" => column::CODE,
        "title" => column::TITLE,
        "description" => column::DESCRIPTION,
        "lead" => column::LEAD,
        "coordinating" => column::COORDINATING,
        "assignees" => column::ASSIGNEES,
        "start_date" => column::START,
        "deadline" => column::DEADLINE,
        _ => "",
    }
}

/// Largest number of rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;

impl Services {
    /// Adds `rows` (each with its line in the file) to a draft plan: all of them, or none when
    /// any row breaks a rule — then every problem is in [`DomainError::Rejected`].
    pub async fn import_tasks(
        &self,
        actor: &Principal,
        plan_id: PlanId,
        rows: Vec<(usize, TaskInput)>,
    ) -> Result<Vec<TaskId>> {
        self.import_task_rows(actor, plan_id, rows, Vec::new()).await
    }

    /// [`Self::import_tasks`] for rows the edge already found problems in while reading the
    /// file (a date that does not parse): those are reported together with the rule problems,
    /// and a cell already reported is not reported twice.
    pub async fn import_task_rows(
        &self,
        actor: &Principal,
        plan_id: PlanId,
        rows: Vec<(usize, TaskInput)>,
        mut problems: Vec<RowProblem>,
    ) -> Result<Vec<TaskId>> {
        let plan = self.editable_plan(actor, plan_id).await?;
        if rows.is_empty() && problems.is_empty() {
            problems.push(RowProblem {
                line: 1,
                column: String::new(),
                message: "tệp không có dòng nhiệm vụ nào".into(),
            });
        }
        if rows.len() > MAX_IMPORT_ROWS {
            problems.push(RowProblem {
                line: 1,
                column: String::new(),
                message: format!("mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng, tệp có {} dòng", rows.len()),
            });
            return Err(DomainError::Rejected(problems));
        }
        let known: Vec<(usize, String)> = problems.iter().map(|p| (p.line, p.column.clone())).collect();
        let mut records = Vec::with_capacity(rows.len());
        let mut lookups = crate::services::work::Lookups::default();
        for (line, input) in &rows {
            match self.check_task(&plan, input, None, &mut lookups).await? {
                Ok(resolved) => records.push(resolved.record(plan_id, input)),
                Err(found) => {
                    for e in found {
                        let (column, message) = match e {
                            DomainError::Invalid { field, message } => (column_of(field), message),
                            other => ("", crate::messages::detail(&other)),
                        };
                        if !known.contains(&(*line, column.to_string())) {
                            problems.push(RowProblem { line: *line, column: column.into(), message });
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            return Err(DomainError::Rejected(problems));
        }
        let mut audit = self.draft(Some(&actor.user), "task.import", "plan");
        audit.entity_id = Some(plan_id.to_string());
        audit.org_id = Some(plan.org.id);
        audit.after = Some(json!({ "plan_id": plan_id, "tasks": records.len() }));
        let event = self.event(actor, TaskEventKind::Created, vec!["Nhập từ tệp".into()], None);
        self.store.task_insert_many(&records, &event, audit).await
    }
}
