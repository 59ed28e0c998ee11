//! The task list's query string, parsed once for the page and the API alike.

use domain::work::{TaskQuery, TaskSort, TaskStatus};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::api::parse_opt;
use crate::error::ApiError;
use crate::format;

#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListParams {
    /// Only tasks of agencies under this org code.
    pub org: Option<String>,
    pub plan: Option<String>,
    /// not_started, in_progress, completed, completed_late, overdue, paused, cancelled.
    pub status: Option<String>,
    /// Deadline on or after (yyyy-mm-dd or dd/mm/yyyy).
    pub from: Option<String>,
    /// Deadline on or before.
    pub to: Option<String>,
    /// A framework item's id.
    pub item: Option<String>,
    /// An assignee's username.
    pub assignee: Option<String>,
    /// Words of the title, without diacritics.
    pub q: Option<String>,
    /// deadline, deadline_desc, title, updated, code.
    pub sort: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

pub fn task_query(p: &TaskListParams) -> Result<TaskQuery, ApiError> {
    let date = |s: &str| format::parse_date(s);
    Ok(TaskQuery {
        org: p.org.clone().filter(|s| !s.trim().is_empty()),
        plan_id: parse_opt("plan", p.plan.as_deref(), |s| s.parse().ok(), "số kế hoạch")?,
        status: parse_opt("status", p.status.as_deref(), |s| TaskStatus::parse(s).ok(), "một trạng thái nhiệm vụ")?,
        deadline_from: parse_opt("from", p.from.as_deref(), date, "ngày dạng dd/mm/yyyy")?,
        deadline_to: parse_opt("to", p.to.as_deref(), date, "ngày dạng dd/mm/yyyy")?,
        framework_item_id: parse_opt("item", p.item.as_deref(), |s| s.parse().ok(), "số mục khung")?,
        assignee: p.assignee.clone().filter(|s| !s.trim().is_empty()),
        q: p.q.clone().filter(|s| !s.trim().is_empty()),
        sort: parse_opt(
            "sort",
            p.sort.as_deref(),
            |s| TaskSort::ALL.into_iter().find(|x| x.as_str() == s),
            "một cách sắp xếp",
        )?,
        offset: p.offset.unwrap_or(0),
        limit: p.limit,
    })
}
