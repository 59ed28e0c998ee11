//! Use cases of frameworks, plans and tasks. Authorisation is decided here for pages, API and
//! jobs alike: a plan and its tasks live in the agency's unit; a task is also reachable through
//! its lead unit, its coordinating units and the people assigned to it.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::{Action, Principal};
use crate::frameworks::{Framework, FrameworkItem, FrameworkSummary, PlanTemplate};
use crate::org::{OrgUnit, Page};
use crate::repo::work::{NewPlanRecord, NewTaskEvent, NewTaskRecord, PlanFilter, TaskFields, TaskFilter};
use crate::services::Services;
use crate::users::UserId;
use crate::work::{
    Evidence, Plan, PlanId, PlanSection, PlanStatus, PlanStep, PlanVersion, ProgressInput, Task, TaskEvent,
    TaskEventKind, TaskId, TaskInput, TaskQuery, TaskState, TaskStatus, VersionTask, YearSpan, evidence_type,
};
use crate::{DomainError, Result};

pub const MAX_PAGE: u64 = 200;

/// What the "new plan" form sends.
#[derive(Debug, Clone, Default, serde::Deserialize, ToSchema)]
pub struct NewPlanInput {
    /// The agency's org code.
    pub org: String,
    pub title: String,
    /// "2024" or "2021-2025".
    pub period: String,
    pub template: String,
    /// Frameworks whose items are adopted as tasks.
    #[serde(default)]
    pub frameworks: Vec<i64>,
    /// Only these items (all items of the chosen frameworks when empty).
    #[serde(default)]
    pub items: Vec<i64>,
}

/// A workflow step with what it needs.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct StepInput {
    pub step: PlanStep,
    pub row_version: i32,
    /// Approve: số, ký hiệu of the approving decision.
    pub decision_number: Option<String>,
    /// Approve: the decision's date.
    pub decision_date: Option<NaiveDate>,
    /// Return: the approver's remarks.
    pub note: Option<String>,
}

/// One section compared between two approved versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionDiff {
    pub title: String,
    /// "same", "changed", "added" or "removed".
    pub change: &'static str,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffLine {
    /// "=", "+" or "-".
    pub tag: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionDiff {
    pub plan_id: PlanId,
    pub from: Option<PlanVersion>,
    pub to: PlanVersion,
    pub sections: Vec<SectionDiff>,
    pub tasks_added: Vec<VersionTask>,
    pub tasks_removed: Vec<VersionTask>,
}

/// A task with everything its page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub plan_status: PlanStatus,
    pub subtasks: Vec<Task>,
    pub evidence: Vec<Evidence>,
    pub history: Vec<TaskEvent>,
    /// What the caller may do here.
    pub may_edit: bool,
    pub may_report: bool,
    pub may_rate: bool,
    pub may_assign: bool,
}

/// A task form or import row that passed every rule, with codes resolved to ids.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedTask {
    pub code: String,
    pub title: String,
    pub description: String,
    pub lead: OrgUnit,
    pub coordinating: Vec<i64>,
    pub assignees: Vec<UserId>,
    pub deadline: NaiveDate,
}

impl ResolvedTask {
    /// The new task's storage record in `plan_id`.
    pub(crate) fn record(self, plan_id: PlanId, input: &TaskInput) -> NewTaskRecord {
        NewTaskRecord {
            plan_id,
            parent_id: input.parent_id,
            framework_item_id: None,
            code: self.code,
            title: self.title,
            description: self.description,
            lead_org_id: self.lead.id,
            coordinating: self.coordinating,
            assignees: self.assignees,
            start_date: input.start_date,
            deadline: self.deadline,
            depends_on: input.depends_on.clone(),
        }
    }
}

/// One framework item across the country.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NationalRow {
    pub item_id: i64,
    pub code: String,
    pub title: String,
    pub deadline: Option<String>,
    /// Agencies whose plans adopted the item.
    pub agencies: u64,
    pub tasks: u64,
    /// Counts in the order of `TaskStatus::ALL`.
    pub by_status: Vec<u64>,
    pub overdue: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NationalView {
    pub framework: FrameworkSummary,
    pub as_of: NaiveDate,
    /// The subtree shown (the whole country, or one agency when drilled down).
    pub scope: crate::work::OrgRef,
    pub rows: Vec<NationalRow>,
}

pub(crate) fn clean_text(field: &'static str, s: &str, max: usize) -> Result<String> {
    let s = textvi::nfc(s.trim());
    if s.is_empty() {
        return Err(DomainError::invalid(field, "không được để trống"));
    }
    if s.chars().count() > max {
        return Err(DomainError::invalid(field, format!("dài quá {max} ký tự")));
    }
    Ok(s)
}

/// Rich text as users may write it: paragraphs, emphasis, lists, tables, links. Everything else
/// (scripts, styles, event handlers, iframes) is removed.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .tags(std::collections::HashSet::from([
            "p",
            "br",
            "strong",
            "b",
            "em",
            "i",
            "u",
            "ul",
            "ol",
            "li",
            "h3",
            "h4",
            "blockquote",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "a",
        ]))
        .url_schemes(std::collections::HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Text of sanitised HTML, one line per block, for comparing versions.
fn html_lines(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if matches!(name.as_str(), "p" | "br" | "li" | "tr" | "h3" | "h4" | "blockquote") {
                    text.push('\n');
                } else if matches!(name.as_str(), "td" | "th") {
                    text.push('\t');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => text.push(c),
        }
    }
    let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn diff_sections(old: &[PlanSection], new: &[PlanSection]) -> Vec<SectionDiff> {
    let mut out = Vec::new();
    for s in new {
        match old.iter().find(|o| o.title == s.title) {
            None => out.push(SectionDiff {
                title: s.title.clone(),
                change: "added",
                lines: html_lines(&s.html).into_iter().map(|text| DiffLine { tag: "+", text }).collect(),
            }),
            Some(o) => {
                let (a, b) = (html_lines(&o.html), html_lines(&s.html));
                let a_ref: Vec<&str> = a.iter().map(String::as_str).collect();
                let b_ref: Vec<&str> = b.iter().map(String::as_str).collect();
                let diff = similar::TextDiff::from_slices(&a_ref, &b_ref);
                let lines: Vec<DiffLine> = diff
                    .iter_all_changes()
                    .map(|c| DiffLine {
                        tag: match c.tag() {
                            similar::ChangeTag::Equal => "=",
                            similar::ChangeTag::Insert => "+",
                            similar::ChangeTag::Delete => "-",
                        },
                        text: c.value().to_string(),
                    })
                    .collect();
                let change = if lines.iter().all(|l| l.tag == "=") { "same" } else { "changed" };
                out.push(SectionDiff { title: s.title.clone(), change, lines });
            }
        }
    }
    for o in old.iter().filter(|o| !new.iter().any(|s| s.title == o.title)) {
        out.push(SectionDiff {
            title: o.title.clone(),
            change: "removed",
            lines: html_lines(&o.html).into_iter().map(|text| DiffLine { tag: "-", text }).collect(),
        });
    }
    out
}

fn fmt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| "(trống)".into())
}

/// "Field: old → new" lines for the history and for edit conflicts.
fn task_changes(before: &Task, after: &TaskFields, names: &dyn Fn(&[i64]) -> String) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |label: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{label}: {a} → {b}"));
        }
    };
    diff("Số thứ tự", before.code.clone(), after.code.clone());
    diff("Tên nhiệm vụ", before.title.clone(), after.title.clone());
    diff("Mô tả", before.description.clone(), after.description.clone());
    diff("Đơn vị chủ trì", before.lead.id.to_string(), after.lead_org_id.to_string());
    diff("Ngày bắt đầu", fmt_date(before.start_date), fmt_date(after.start_date));
    diff("Hạn hoàn thành", fmt_date(Some(before.deadline)), fmt_date(Some(after.deadline)));
    diff("Trạng thái", before.state.as_str().into(), after.state.as_str().into());
    diff("Tiến độ", format!("{}%", before.progress), format!("{}%", after.progress));
    diff("Ngày hoàn thành", fmt_date(before.completed_on), fmt_date(after.completed_on));
    diff(
        "Đánh giá",
        before.rating.map(|r| r.to_string()).unwrap_or_default(),
        after.rating.map(|r| r.to_string()).unwrap_or_default(),
    );
    let ids = |v: &[i64]| v.iter().copied().collect::<BTreeSet<_>>();
    let before_people: Vec<i64> = before.assignees.iter().map(|u| u.id).collect();
    if ids(&before_people) != ids(&after.assignees) {
        out.push(format!("Người thực hiện: {}", names(&after.assignees)));
    }
    let before_coord: Vec<i64> = before.coordinating.iter().map(|o| o.id).collect();
    if ids(&before_coord) != ids(&after.coordinating) {
        out.push("Đơn vị phối hợp thay đổi".into());
    }
    if ids(&before.depends_on) != ids(&after.depends_on) {
        out.push("Nhiệm vụ phụ thuộc thay đổi".into());
    }
    if before.parent_id != after.parent_id {
        out.push("Nhiệm vụ cha thay đổi".into());
    }
    // Human-readable labels for the stored codes.
    out.into_iter()
        .map(|l| {
            let mut l = l;
            for s in TaskState::ALL {
                l = l.replace(s.as_str(), state_label(s));
            }
            l
        })
        .collect()
}

pub fn state_label(s: TaskState) -> &'static str {
    match s {
        TaskState::NotStarted => "Chưa bắt đầu",
        TaskState::InProgress => "Đang thực hiện",
        TaskState::Completed => "Hoàn thành",
        TaskState::Paused => "Tạm dừng",
        TaskState::Cancelled => "Hủy",
    }
}

/// Org units and people already looked up while checking a batch of tasks (an import of 10,000
/// rows names the same few units and people again and again).
#[derive(Default)]
pub(crate) struct Lookups {
    orgs: HashMap<String, Option<OrgUnit>>,
    users: HashMap<String, Option<UserId>>,
}

impl Services {
    /// The unit valid today with this code, or `None` when there is none.
    async fn lookup_org(&self, lookups: &mut Lookups, code: &str) -> Result<Option<OrgUnit>> {
        if let Some(hit) = lookups.orgs.get(code) {
            return Ok(hit.clone());
        }
        let found = match self.org_by_code(code, None).await {
            Ok(unit) => Some(unit),
            Err(DomainError::Storage(e)) => return Err(DomainError::Storage(e)),
            Err(_) => None,
        };
        lookups.orgs.insert(code.to_string(), found.clone());
        Ok(found)
    }

    /// The id of the active user with this username, or `None`.
    async fn lookup_user(&self, lookups: &mut Lookups, username: &str) -> Result<Option<UserId>> {
        if let Some(hit) = lookups.users.get(username) {
            return Ok(*hit);
        }
        let found = self.store.user_by_username(username).await?.filter(|u| u.active).map(|u| u.id);
        lookups.users.insert(username.to_string(), found);
        Ok(found)
    }

    // ----- frameworks ------------------------------------------------------------------------

    /// Stores shipped framework versions that are not stored yet; returns how many were added.
    pub async fn load_frameworks(&self, frameworks: &[Framework]) -> Result<u64> {
        let mut added = 0;
        for f in frameworks {
            let mut audit = self.draft(None, "framework.load", "framework");
            audit.after = Some(json!({ "code": f.code, "version": f.version, "items": f.item_count() }));
            if self.store.framework_load(f, audit).await? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Frameworks are public programme texts: every signed-in user may read them.
    pub async fn frameworks(&self) -> Result<Vec<FrameworkSummary>> {
        self.store.framework_list().await
    }

    pub async fn framework(&self, id: i64) -> Result<Framework> {
        self.store.framework_get(id).await?.ok_or_else(|| DomainError::not_found("khung kế hoạch", id.to_string()))
    }

    pub fn templates(&self) -> &[PlanTemplate] {
        &self.templates
    }

    pub fn template(&self, code: &str) -> Result<&PlanTemplate> {
        self.templates
            .iter()
            .find(|t| t.code == code)
            .ok_or_else(|| DomainError::invalid("template", format!("không có mẫu kế hoạch '{code}'")))
    }

    // ----- plans -----------------------------------------------------------------------------

    /// Units for which the principal may create plans (where it holds EditWork).
    pub fn plan_units(&self, actor: &Principal) -> Vec<crate::auth::Grant> {
        actor.grants.iter().filter(|g| g.role.allows(Action::EditWork)).cloned().collect()
    }

    pub async fn create_plan(&self, actor: &Principal, input: &NewPlanInput) -> Result<Plan> {
        let org = self
            .org_by_code(input.org.trim(), None)
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{}'", input.org.trim())))?;
        actor.require(Action::EditWork, &org)?;
        let title = clean_text("title", &input.title, 300)?;
        let period = YearSpan::parse(&input.period)?;
        let template = self.template(&input.template)?;
        let sections: Vec<PlanSection> = template
            .top_sections()
            .map(|s| PlanSection {
                title: format!("{}. {}", s.number, s.title),
                html: s
                    .hint
                    .as_deref()
                    .map(|h| format!("<p><em>{}</em></p>", ammonia::clean_text(h)))
                    .unwrap_or_default(),
            })
            .collect();
        let mut framework_ids = input.frameworks.clone();
        framework_ids.sort_unstable();
        framework_ids.dedup();
        let mut items: Vec<FrameworkItem> = Vec::new();
        for id in &framework_ids {
            let fw = self
                .store
                .framework_get(*id)
                .await?
                .ok_or_else(|| DomainError::invalid("frameworks", format!("không có khung kế hoạch số {id}")))?;
            for (_, item) in fw.items() {
                if input.items.is_empty() || input.items.contains(&item.id) {
                    items.push(item.clone());
                }
            }
        }
        let tasks: Vec<NewTaskRecord> = items
            .iter()
            .flat_map(|item| {
                let dates = item
                    .deadline
                    .map(|d| d.due_dates(period.from, period.to))
                    .unwrap_or_else(|| crate::frameworks::DeadlineRule::Ongoing.due_dates(period.from, period.to));
                let several = dates.len() > 1;
                dates.into_iter().map(move |deadline| {
                    let year = chrono::Datelike::year(&deadline);
                    NewTaskRecord {
                        plan_id: 0,
                        parent_id: None,
                        framework_item_id: Some(item.id),
                        code: if several { format!("{}/{year}", item.code) } else { item.code.clone() },
                        title: if several { format!("{} (năm {year})", item.title) } else { item.title.clone() },
                        description: format!("{}\n\nNguồn: {}", item.body, item.cite),
                        lead_org_id: org.id,
                        coordinating: Vec::new(),
                        assignees: Vec::new(),
                        start_date: None,
                        deadline,
                        depends_on: Vec::new(),
                    }
                })
            })
            .collect();
        let record = NewPlanRecord {
            org_id: org.id,
            title,
            period,
            template_code: template.code.clone(),
            sections,
            framework_ids,
            created_by: actor.user.id,
            at: self.clock.now(),
        };
        let mut audit = self.draft(Some(&actor.user), "plan.create", "plan");
        audit.org_id = Some(org.id);
        audit.after = Some(json!({ "title": record.title, "period": period.label(), "tasks": tasks.len() }));
        let id = self.store.plan_insert(&record, &tasks, audit).await?;
        self.plan(actor, id).await
    }

    /// A plan the principal may read; out of scope is reported as not found.
    pub async fn plan(&self, actor: &Principal, id: PlanId) -> Result<Plan> {
        let plan = self.store.plan_get(id).await?.ok_or_else(|| DomainError::not_found("kế hoạch", id.to_string()))?;
        if !may_path(actor, Action::ReadWork, &plan.org_path) {
            return Err(DomainError::not_found("kế hoạch", id.to_string()));
        }
        Ok(plan)
    }

    pub async fn list_plans(
        &self,
        actor: &Principal,
        org: Option<&str>,
        status: Option<PlanStatus>,
        year: Option<i32>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<Plan>> {
        let org_path = match org.filter(|s| !s.trim().is_empty()) {
            Some(code) => Some(self.org_by_code(code.trim(), None).await?.path),
            None => None,
        };
        self.store
            .plan_list(&PlanFilter {
                scope: scope_filter(actor.scope_paths(Action::ReadWork)),
                org_path,
                status,
                year,
                offset,
                limit: limit.clamp(1, MAX_PAGE),
            })
            .await
    }

    pub async fn update_plan(
        &self,
        actor: &Principal,
        id: PlanId,
        row_version: i32,
        title: &str,
        sections: &[PlanSection],
    ) -> Result<Plan> {
        let plan = self.plan(actor, id).await?;
        require_path(actor, Action::EditWork, &plan.org_path)?;
        if !plan.status.editable() {
            return Err(DomainError::Transition {
                state: plan.status.label(), action: "sửa nội dung kế hoạch"
            });
        }
        let title = clean_text("title", title, 300)?;
        let sections: Vec<PlanSection> = sections
            .iter()
            .map(|s| PlanSection { title: s.title.trim().to_string(), html: sanitize_html(&s.html) })
            .collect();
        let mut audit = self.draft(Some(&actor.user), "plan.update", "plan");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(plan.org.id);
        audit.before = Some(json!({ "title": plan.title, "row_version": plan.row_version }));
        audit.after = Some(json!({ "title": title }));
        match self.store.plan_update(id, row_version, &title, &sections, self.clock.now(), audit).await? {
            Some(p) => Ok(p),
            None => Err(self.plan_stale(id, row_version).await),
        }
    }

    async fn plan_stale(&self, id: PlanId, row_version: i32) -> DomainError {
        match self.store.plan_get(id).await {
            Ok(Some(p)) => DomainError::Stale {
                changes: vec![format!(
                    "kế hoạch đã được lưu lúc {} (phiên bản sửa {} → {}), trạng thái hiện tại: {}",
                    (p.updated_at + chrono::Duration::hours(7)).format("%H:%M %d/%m/%Y"),
                    row_version,
                    p.row_version,
                    p.status.label()
                )],
            },
            Ok(None) => DomainError::not_found("kế hoạch", id.to_string()),
            Err(e) => e,
        }
    }

    /// The workflow steps the principal may take on the plan now (the plan page's buttons).
    pub fn plan_steps_for(&self, actor: &Principal, plan: &Plan) -> Vec<PlanStep> {
        PlanStep::ALL
            .into_iter()
            .filter(|s| plan.status.after(*s).is_ok() && may_path(actor, step_action(*s), &plan.org_path))
            .collect()
    }

    /// May the principal edit the plan's content (title, sections, tasks) now?
    pub fn may_edit_plan(&self, actor: &Principal, plan: &Plan) -> bool {
        plan.status.editable() && may_path(actor, Action::EditWork, &plan.org_path)
    }

    /// Moves a plan through its workflow. Illegal steps are refused with the reason.
    pub async fn plan_step(&self, actor: &Principal, id: PlanId, input: &StepInput) -> Result<Plan> {
        let plan = self.plan(actor, id).await?;
        require_path(actor, step_action(input.step), &plan.org_path)?;
        let next = plan.status.after(input.step)?;
        let mut approved = None;
        let mut note = None;
        match input.step {
            PlanStep::Approve => {
                let number =
                    input.decision_number.as_deref().map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| {
                        DomainError::invalid("decision_number", "cần số, ký hiệu quyết định phê duyệt")
                    })?;
                let date = input
                    .decision_date
                    .ok_or_else(|| DomainError::invalid("decision_date", "cần ngày của quyết định phê duyệt"))?;
                if date > self.clock.today() {
                    return Err(DomainError::invalid("decision_date", "ngày quyết định không được sau hôm nay"));
                }
                let tasks = self.all_plan_tasks(id).await?;
                approved = Some(PlanVersion {
                    plan_id: id,
                    number: plan.approved_version + 1,
                    title: plan.title.clone(),
                    sections: plan.sections.clone(),
                    tasks: tasks
                        .iter()
                        .map(|t| VersionTask {
                            code: t.code.clone(),
                            title: t.title.clone(),
                            lead: t.lead.name.clone(),
                            deadline: t.deadline,
                        })
                        .collect(),
                    decision_number: clean_text("decision_number", number, 100)?,
                    decision_date: date,
                    approved_by: actor.user.full_name.clone(),
                    approved_at: self.clock.now(),
                });
            }
            PlanStep::Return => {
                note = Some(
                    clean_text("note", input.note.as_deref().unwrap_or(""), 2000)
                        .map_err(|_| DomainError::invalid("note", "cần ghi ý kiến khi trả lại dự thảo"))?,
                );
            }
            _ => {}
        }
        let mut audit = self.draft(Some(&actor.user), &format!("plan.{}", input.step.as_str()), "plan");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(plan.org.id);
        audit.before = Some(json!({ "status": plan.status }));
        audit.after = Some(json!({
            "status": next,
            "decision_number": approved.as_ref().map(|v| v.decision_number.clone()),
            "version": approved.as_ref().map(|v| v.number),
        }));
        match self
            .store
            .plan_set_status(id, input.row_version, next, approved.as_ref(), note.as_deref(), self.clock.now(), audit)
            .await?
        {
            Some(p) => Ok(p),
            None => Err(self.plan_stale(id, input.row_version).await),
        }
    }

    async fn all_plan_tasks(&self, plan_id: PlanId) -> Result<Vec<Task>> {
        let mut out = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .task_list(&TaskFilter {
                    plan_id: Some(plan_id),
                    sort: crate::work::TaskSort::Code,
                    offset,
                    limit: 1000,
                    today: Some(self.clock.today()),
                    ..Default::default()
                })
                .await?;
            let n = page.items.len() as u64;
            out.extend(page.items);
            offset += n;
            // A short page is the last (the total may be a capped count).
            if n < 1000 {
                return Ok(out);
            }
        }
    }

    pub async fn plan_versions(&self, actor: &Principal, id: PlanId) -> Result<Vec<PlanVersion>> {
        self.plan(actor, id).await?;
        self.store.plan_versions(id).await
    }

    /// Approved version `number` compared with the one before it.
    pub async fn compare_versions(&self, actor: &Principal, id: PlanId, number: i32) -> Result<VersionDiff> {
        let versions = self.plan_versions(actor, id).await?;
        let to = versions
            .iter()
            .find(|v| v.number == number)
            .cloned()
            .ok_or_else(|| DomainError::not_found("phiên bản", number.to_string()))?;
        let from = versions.iter().find(|v| v.number == number - 1).cloned();
        let old_sections = from.as_ref().map(|f| f.sections.clone()).unwrap_or_default();
        let old_tasks = from.as_ref().map(|f| f.tasks.clone()).unwrap_or_default();
        Ok(VersionDiff {
            plan_id: id,
            sections: diff_sections(&old_sections, &to.sections),
            tasks_added: to.tasks.iter().filter(|t| !old_tasks.contains(t)).cloned().collect(),
            tasks_removed: old_tasks.iter().filter(|t| !to.tasks.contains(t)).cloned().collect(),
            from,
            to,
        })
    }

    // ----- tasks -----------------------------------------------------------------------------

    fn may_read_task(actor: &Principal, t: &Task) -> bool {
        may_path(actor, Action::ReadWork, &t.org_path)
            || may_path(actor, Action::ReadWork, &t.lead_path)
            || t.assignees.iter().any(|u| u.id == actor.user.id)
    }

    fn may_edit_task(actor: &Principal, t: &Task) -> bool {
        may_path(actor, Action::EditWork, &t.org_path)
    }

    fn may_report_task(actor: &Principal, t: &Task) -> bool {
        may_path(actor, Action::DoWork, &t.lead_path)
            || may_path(actor, Action::EditWork, &t.org_path)
            || t.assignees.iter().any(|u| u.id == actor.user.id)
    }

    fn may_rate_task(actor: &Principal, t: &Task) -> bool {
        may_path(actor, Action::ApproveWork, &t.lead_path) || may_path(actor, Action::ApproveWork, &t.org_path)
    }

    fn may_assign_task(actor: &Principal, t: &Task) -> bool {
        may_path(actor, Action::EditWork, &t.org_path) || may_path(actor, Action::ApproveWork, &t.lead_path)
    }

    /// A task the principal may read (out of scope reads as not found).
    pub async fn task(&self, actor: &Principal, id: TaskId) -> Result<Task> {
        let t = self
            .store
            .task_get(id)
            .await?
            .ok_or_else(|| DomainError::not_found("nhiệm vụ", id.to_string()))?
            .as_of(self.clock.today());
        if !Self::may_read_task(actor, &t) {
            return Err(DomainError::not_found("nhiệm vụ", id.to_string()));
        }
        Ok(t)
    }

    pub async fn task_detail(&self, actor: &Principal, id: TaskId) -> Result<TaskDetail> {
        let task = self.task(actor, id).await?;
        let plan = self.plan_of(&task).await?;
        let today = self.clock.today();
        Ok(TaskDetail {
            plan_status: plan.status,
            subtasks: self.store.task_children(id).await?.into_iter().map(|t| t.as_of(today)).collect(),
            evidence: self.store.evidence_list(id).await?,
            history: self.store.task_events(id, None).await?,
            may_edit: Self::may_edit_task(actor, &task) && plan.status.editable(),
            may_report: Self::may_report_task(actor, &task) && plan_running(plan.status),
            may_rate: Self::may_rate_task(actor, &task) && task.state == TaskState::Completed,
            may_assign: Self::may_assign_task(actor, &task) && plan.status != PlanStatus::Closed,
            task,
        })
    }

    pub async fn list_tasks(&self, actor: &Principal, q: &TaskQuery) -> Result<Page<Task>> {
        let org_path = match q.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => Some(
                self.org_by_code(code, None)
                    .await
                    .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?
                    .path,
            ),
            None => None,
        };
        let assignee_id = match q.assignee.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => Some(
                self.store
                    .user_by_username(name)
                    .await?
                    .ok_or_else(|| DomainError::invalid("assignee", format!("không có người dùng '{name}'")))?
                    .id,
            ),
            None => None,
        };
        if let (Some(a), Some(b)) = (q.deadline_from, q.deadline_to)
            && b < a
        {
            return Err(DomainError::invalid("deadline_to", "ngày cuối trước ngày đầu"));
        }
        self.store
            .task_list(&TaskFilter {
                scope: scope_filter(actor.scope_paths(Action::ReadWork)),
                visible_to_assignee: Some(actor.user.id),
                org_path,
                plan_id: q.plan_id,
                status: q.status,
                today: Some(self.clock.today()),
                deadline_from: q.deadline_from,
                deadline_to: q.deadline_to,
                framework_item_id: q.framework_item_id,
                assignee_id,
                words: q
                    .q
                    .as_deref()
                    .map(textvi::fold)
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
                sort: q.sort.unwrap_or_default(),
                offset: q.offset,
                limit: q.limit.unwrap_or(50).clamp(1, MAX_PAGE),
            })
            .await
    }

    /// Resolves a task form into storage fields (codes to ids, checks dates); the first problem
    /// is the error.
    async fn resolve_task(&self, plan: &Plan, input: &TaskInput, own_id: Option<TaskId>) -> Result<ResolvedTask> {
        self.check_task(plan, input, own_id, &mut Lookups::default()).await?.map_err(|problems| {
            problems.into_iter().next().unwrap_or_else(|| DomainError::invalid("title", "nhiệm vụ không hợp lệ"))
        })
    }

    /// Checks a task form or import row against every rule and resolves it into storage fields;
    /// when something is wrong, every problem (each naming its field), in the order of the form.
    /// The outer error is a storage failure.
    pub(crate) async fn check_task(
        &self,
        plan: &Plan,
        input: &TaskInput,
        own_id: Option<TaskId>,
        lookups: &mut Lookups,
    ) -> Result<std::result::Result<ResolvedTask, Vec<DomainError>>> {
        let mut problems = Vec::new();
        let title = clean_text("title", &input.title, 500).map_err(|e| problems.push(e)).unwrap_or_default();
        let code = input.code.as_deref().map(str::trim).unwrap_or("").to_string();
        if code.chars().count() > 30 {
            problems.push(DomainError::invalid("code", "dài quá 30 ký tự"));
        }
        let description = textvi::nfc(input.description.trim());
        let deadline = input.deadline;
        match (input.start_date, deadline) {
            (_, None) => problems.push(DomainError::invalid("deadline", "cần hạn hoàn thành")),
            (Some(start), Some(deadline)) if deadline < start => problems.push(DomainError::invalid(
                "deadline",
                format!("hạn hoàn thành ({}) trước ngày bắt đầu ({})", fmt_date(Some(deadline)), fmt_date(Some(start))),
            )),
            _ => {}
        }
        let lead_code = input.lead.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&plan.org.code);
        let lead = self.lookup_org(lookups, lead_code).await?;
        if lead.is_none() {
            problems.push(DomainError::invalid("lead", format!("không có đơn vị mã '{lead_code}'")));
        }
        let mut coordinating = Vec::new();
        for c in input.coordinating.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            match self.lookup_org(lookups, c).await? {
                Some(unit) => coordinating.push(unit.id),
                None => problems.push(DomainError::invalid("coordinating", format!("không có đơn vị mã '{c}'"))),
            }
        }
        let mut assignees = Vec::new();
        for name in input.assignees.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            match self.lookup_user(lookups, name).await? {
                Some(id) => assignees.push(id),
                None => problems.push(DomainError::invalid("assignees", format!("không có người dùng '{name}'"))),
            }
        }
        if let Some(parent_id) = input.parent_id {
            match self.store.task_get(parent_id).await?.filter(|p| p.plan_id == plan.id) {
                None => problems.push(DomainError::invalid(
                    "parent_id",
                    format!("nhiệm vụ cha số {parent_id} không thuộc kế hoạch này"),
                )),
                Some(_) if Some(parent_id) == own_id => {
                    problems.push(DomainError::invalid("parent_id", "nhiệm vụ không thể là cha của chính nó"))
                }
                // The parent's deadline is the parent's own: a subtask that would end later is
                // refused, never silently stretching its parent.
                Some(parent) if deadline.is_some_and(|d| d > parent.deadline) => problems.push(DomainError::invalid(
                    "deadline",
                    format!(
                        "hạn của nhiệm vụ con ({}) muộn hơn hạn của nhiệm vụ cha ({})",
                        fmt_date(deadline),
                        fmt_date(Some(parent.deadline))
                    ),
                )),
                Some(_) => {}
            }
        }
        for dep in &input.depends_on {
            if Some(*dep) == own_id {
                problems.push(DomainError::invalid("depends_on", "nhiệm vụ không thể phụ thuộc chính nó"));
            } else if self.store.task_get(*dep).await?.filter(|d| d.plan_id == plan.id).is_none() {
                problems
                    .push(DomainError::invalid("depends_on", format!("nhiệm vụ số {dep} không thuộc kế hoạch này")));
            }
        }
        Ok(match (lead, deadline) {
            (Some(lead), Some(deadline)) if problems.is_empty() => {
                Ok(ResolvedTask { code, title, description, lead, coordinating, assignees, deadline })
            }
            _ => Err(problems),
        })
    }

    /// The plan holding a task the caller was already allowed to see.
    async fn plan_of(&self, task: &Task) -> Result<Plan> {
        self.store
            .plan_get(task.plan_id)
            .await?
            .ok_or_else(|| DomainError::not_found("kế hoạch", task.plan_id.to_string()))
    }

    pub(crate) async fn editable_plan(&self, actor: &Principal, plan_id: PlanId) -> Result<Plan> {
        let plan = self.plan(actor, plan_id).await?;
        require_path(actor, Action::EditWork, &plan.org_path)?;
        if !plan.status.editable() {
            return Err(DomainError::Transition {
                state: plan.status.label(),
                action: "sửa nhiệm vụ của kế hoạch (hãy điều chỉnh kế hoạch để tạo phiên bản mới)",
            });
        }
        Ok(plan)
    }

    pub(crate) fn event(
        &self,
        actor: &Principal,
        kind: TaskEventKind,
        changes: Vec<String>,
        text: Option<String>,
    ) -> NewTaskEvent {
        NewTaskEvent {
            at: self.clock.now(),
            actor_id: actor.user.id,
            actor: actor.user.full_name.clone(),
            kind,
            changes,
            text,
        }
    }

    pub async fn create_task(&self, actor: &Principal, plan_id: PlanId, input: &TaskInput) -> Result<Task> {
        let plan = self.editable_plan(actor, plan_id).await?;
        let record = self.resolve_task(&plan, input, None).await?.record(plan_id, input);
        let deadline = record.deadline;
        let mut audit = self.draft(Some(&actor.user), "task.create", "task");
        audit.org_id = Some(plan.org.id);
        audit.after = Some(json!({ "plan_id": plan_id, "title": record.title, "deadline": deadline }));
        let ids = self
            .store
            .task_insert_many(&[record], &self.event(actor, TaskEventKind::Created, Vec::new(), None), audit)
            .await?;
        let id = ids.first().copied().ok_or_else(|| DomainError::Storage("no task id".into()))?;
        self.task(actor, id).await
    }

    /// Saves `fields` if nobody saved the task since `row_version`; otherwise tells what changed.
    async fn save_task(
        &self,
        actor: &Principal,
        before: &Task,
        row_version: i32,
        fields: TaskFields,
        kind: TaskEventKind,
        text: Option<String>,
    ) -> Result<Task> {
        let mut names: HashMap<i64, String> = HashMap::new();
        for id in &fields.assignees {
            if let Some(u) = self.store.user_get(*id).await? {
                names.insert(*id, u.full_name);
            }
        }
        let label = |ids: &[i64]| {
            ids.iter().map(|i| names.get(i).cloned().unwrap_or_else(|| i.to_string())).collect::<Vec<_>>().join(", ")
        };
        let changes = task_changes(before, &fields, &label);
        if changes.is_empty() && text.is_none() {
            return Ok(before.clone());
        }
        let mut audit = self.draft(Some(&actor.user), &format!("task.{}", kind.as_str()), "task");
        audit.entity_id = Some(before.id.to_string());
        audit.org_id = Some(before.org.id);
        audit.after = Some(json!({ "changes": changes, "note": text }));
        let event = self.event(actor, kind, changes, text);
        match self.store.task_update(before.id, row_version, &fields, &event, audit).await? {
            Some(t) => Ok(t.as_of(self.clock.today())),
            None => {
                let events = self.store.task_events(before.id, Some(row_version)).await?;
                let mut changes: Vec<String> = events
                    .iter()
                    .filter(|e| !e.changes.is_empty())
                    .map(|e| {
                        format!(
                            "{} ({}, {})",
                            e.changes.join(", "),
                            e.actor,
                            (e.at + chrono::Duration::hours(7)).format("%H:%M %d/%m/%Y")
                        )
                    })
                    .collect();
                if changes.is_empty() {
                    changes.push("nhiệm vụ đã được lưu bởi người khác".into());
                }
                Err(DomainError::Stale { changes })
            }
        }
    }

    fn fields_of(t: &Task) -> TaskFields {
        TaskFields {
            code: t.code.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
            lead_org_id: t.lead.id,
            coordinating: t.coordinating.iter().map(|o| o.id).collect(),
            assignees: t.assignees.iter().map(|u| u.id).collect(),
            start_date: t.start_date,
            deadline: t.deadline,
            parent_id: t.parent_id,
            depends_on: t.depends_on.clone(),
            state: t.state,
            progress: t.progress,
            completed_on: t.completed_on,
            rating: t.rating,
        }
    }

    /// Edits what a task is (title, units, people, dates, links); the plan must be a draft.
    pub async fn update_task(
        &self,
        actor: &Principal,
        id: TaskId,
        row_version: i32,
        input: &TaskInput,
    ) -> Result<Task> {
        let before = self.task(actor, id).await?;
        let plan = self.editable_plan(actor, before.plan_id).await?;
        let ResolvedTask { code, title, description, lead, coordinating, assignees, deadline } =
            self.resolve_task(&plan, input, Some(id)).await?;
        let fields = TaskFields {
            code,
            title,
            description,
            lead_org_id: lead.id,
            coordinating,
            assignees,
            start_date: input.start_date,
            deadline,
            parent_id: input.parent_id,
            depends_on: input.depends_on.clone(),
            ..Self::fields_of(&before)
        };
        self.save_task(actor, &before, row_version, fields, TaskEventKind::Updated, None).await
    }

    /// Assigns people to a task; allowed while the plan runs too (assignment is day-to-day work).
    pub async fn assign_task(
        &self,
        actor: &Principal,
        id: TaskId,
        row_version: i32,
        usernames: &[String],
    ) -> Result<Task> {
        let before = self.task(actor, id).await?;
        let plan = self.plan_of(&before).await?;
        if !Self::may_assign_task(actor, &before) {
            return Err(DomainError::Forbidden("phân công nhiệm vụ này"));
        }
        if plan.status == PlanStatus::Closed {
            return Err(DomainError::Transition { state: plan.status.label(), action: "phân công nhiệm vụ" });
        }
        let mut assignees = Vec::new();
        for name in usernames.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let user = self
                .store
                .user_by_username(name)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| DomainError::invalid("assignees", format!("không có người dùng '{name}'")))?;
            assignees.push(user.id);
        }
        let fields = TaskFields { assignees, ..Self::fields_of(&before) };
        self.save_task(actor, &before, row_version, fields, TaskEventKind::Updated, None).await
    }

    /// Records progress: state, percent, completion date and a note. The plan must be running.
    pub async fn report_progress(&self, actor: &Principal, id: TaskId, input: &ProgressInput) -> Result<Task> {
        let before = self.task(actor, id).await?;
        if !Self::may_report_task(actor, &before) {
            return Err(DomainError::Forbidden("cập nhật tiến độ nhiệm vụ này"));
        }
        let plan = self.plan_of(&before).await?;
        if !plan_running(plan.status) {
            return Err(DomainError::Transition { state: plan.status.label(), action: "cập nhật tiến độ" });
        }
        let state = input.state.unwrap_or(before.state);
        if state == TaskState::Cancelled && !Self::may_edit_task(actor, &before) {
            return Err(DomainError::Forbidden("hủy nhiệm vụ này"));
        }
        let mut progress = input.progress.unwrap_or(before.progress);
        if progress > 100 {
            return Err(DomainError::invalid("progress", "tiến độ từ 0 đến 100%"));
        }
        let today = self.clock.today();
        let completed_on = if state == TaskState::Completed {
            progress = 100;
            let done = input.completed_on.or(before.completed_on).unwrap_or(today);
            if done > today {
                return Err(DomainError::invalid("completed_on", "ngày hoàn thành không được sau hôm nay"));
            }
            if let Some(start) = before.start_date
                && done < start
            {
                return Err(DomainError::invalid("completed_on", "ngày hoàn thành trước ngày bắt đầu"));
            }
            Some(done)
        } else {
            None
        };
        if state == TaskState::NotStarted && progress > 0 {
            return Err(DomainError::invalid("state", "nhiệm vụ đã có tiến độ thì không còn là “chưa bắt đầu”"));
        }
        let note = input.note.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(textvi::nfc);
        let fields = TaskFields {
            state,
            progress,
            completed_on,
            rating: if state == TaskState::Completed { before.rating } else { None },
            ..Self::fields_of(&before)
        };
        self.save_task(actor, &before, input.row_version, fields, TaskEventKind::Progress, note).await
    }

    /// The leader's quality rating (1–5) of a completed task.
    pub async fn rate_task(&self, actor: &Principal, id: TaskId, row_version: i32, rating: u8) -> Result<Task> {
        let before = self.task(actor, id).await?;
        if !Self::may_rate_task(actor, &before) {
            return Err(DomainError::Forbidden("đánh giá nhiệm vụ này"));
        }
        if before.state != TaskState::Completed {
            return Err(DomainError::Transition {
                state: before.status.label(), action: "đánh giá chất lượng"
            });
        }
        if !(1..=5).contains(&rating) {
            return Err(DomainError::invalid("rating", "điểm chất lượng từ 1 đến 5"));
        }
        let fields = TaskFields { rating: Some(rating), ..Self::fields_of(&before) };
        self.save_task(actor, &before, row_version, fields, TaskEventKind::Rated, None).await
    }

    pub async fn comment_task(&self, actor: &Principal, id: TaskId, text: &str) -> Result<TaskEvent> {
        let t = self.task(actor, id).await?;
        let text = clean_text("text", text, 5000)?;
        let mut audit = self.draft(Some(&actor.user), "task.comment", "task");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(t.org.id);
        self.store.task_comment(id, &self.event(actor, TaskEventKind::Comment, Vec::new(), Some(text)), audit).await
    }

    /// Adds evidence: a file (type and size checked) or a link.
    pub async fn add_evidence(
        &self,
        actor: &Principal,
        id: TaskId,
        file: Option<(&str, &[u8])>,
        link: Option<(&str, &str)>,
    ) -> Result<Evidence> {
        let t = self.task(actor, id).await?;
        if !Self::may_report_task(actor, &t) {
            return Err(DomainError::Forbidden("thêm minh chứng cho nhiệm vụ này"));
        }
        let (name, stored_file, url) = match (file, link) {
            (Some((name, bytes)), _) => {
                let mime = evidence_type(name, bytes)?;
                let name = clean_text("file", name.rsplit(['/', '\\']).next().unwrap_or(name), 200)?;
                (name, Some((mime, bytes)), None)
            }
            (None, Some((title, url))) => {
                let url = url.trim();
                if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 || url.contains(' ')
                {
                    return Err(DomainError::invalid("url", "địa chỉ phải bắt đầu bằng http:// hoặc https://"));
                }
                let title = if title.trim().is_empty() { url.to_string() } else { clean_text("name", title, 200)? };
                (title, None, Some(url.to_string()))
            }
            (None, None) => return Err(DomainError::invalid("file", "chọn một tệp hoặc nhập một đường liên kết")),
        };
        let mut audit = self.draft(Some(&actor.user), "task.evidence", "task");
        audit.org_id = Some(t.org.id);
        audit.after = Some(json!({ "name": name, "url": url, "size": stored_file.map(|(_, b)| b.len()) }));
        let event = self.event(actor, TaskEventKind::Evidence, Vec::new(), Some(name.clone()));
        self.store.evidence_insert(id, &name, stored_file, url.as_deref(), &event, audit).await
    }

    pub async fn evidence_file(&self, actor: &Principal, evidence_id: i64) -> Result<(Evidence, Vec<u8>)> {
        let (e, bytes) = self
            .store
            .evidence_file(evidence_id)
            .await?
            .ok_or_else(|| DomainError::not_found("minh chứng", evidence_id.to_string()))?;
        self.task(actor, e.task_id).await?;
        Ok((e, bytes))
    }

    // ----- national view -----------------------------------------------------------------------

    /// May the principal open the national view (menus show it only then)?
    pub async fn may_read_national(&self, actor: &Principal) -> bool {
        self.root().await.is_ok_and(|root| actor.may(Action::ReadNational, &root))
    }

    /// For each item of a framework: adopting agencies, tasks by status and the overdue count,
    /// across the country (or under `org` when drilling down).
    pub async fn national_view(&self, actor: &Principal, framework_id: i64, org: Option<&str>) -> Result<NationalView> {
        let root = self.root().await?;
        actor.require(Action::ReadNational, &root)?;
        let scope = match org.map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => self.org_by_code(code, None).await?,
            None => root,
        };
        let framework = self.framework(framework_id).await?;
        let summary = self
            .frameworks()
            .await?
            .into_iter()
            .find(|f| f.id == framework_id)
            .ok_or_else(|| DomainError::not_found("khung kế hoạch", framework_id.to_string()))?;
        let today = self.clock.today();
        let tallies = self.store.framework_tally(framework_id, Some(&scope.path), today).await?;
        let rows = framework
            .items()
            .map(|(_, item)| {
                let tally = tallies.iter().find(|t| t.framework_item_id == item.id);
                let by_status: Vec<u64> = TaskStatus::ALL
                    .iter()
                    .map(|s| tally.and_then(|t| t.by_status.iter().find(|(x, _)| x == s)).map(|(_, n)| *n).unwrap_or(0))
                    .collect();
                NationalRow {
                    item_id: item.id,
                    code: item.code.clone(),
                    title: item.title.clone(),
                    deadline: item.deadline.map(|d| d.label()),
                    agencies: tally.map(|t| t.agencies).unwrap_or(0),
                    tasks: by_status.iter().sum(),
                    overdue: by_status[4],
                    by_status,
                }
            })
            .collect();
        Ok(NationalView {
            framework: summary,
            as_of: today,
            scope: crate::work::OrgRef { id: scope.id, code: scope.code.clone(), name: scope.name.clone() },
            rows,
        })
    }
}

/// Approving and returning are a leader's acts; the other steps belong to whoever edits the plan.
fn step_action(step: PlanStep) -> Action {
    if step.needs_leader() { Action::ApproveWork } else { Action::EditWork }
}

/// A scope that covers the root needs no filter (the national authority's lists stay cheap).
fn scope_filter(paths: Vec<String>) -> Option<Vec<String>> {
    if paths.iter().any(|p| p.matches('/').count() == 2) { None } else { Some(paths) }
}

fn plan_running(s: PlanStatus) -> bool {
    matches!(s, PlanStatus::Approved | PlanStatus::InExecution)
}

/// Does the principal hold `action` on a unit at `path` (or above it)?
pub(crate) fn may_path(actor: &Principal, action: Action, path: &str) -> bool {
    actor.grants.iter().any(|g| g.role.allows(action) && path.starts_with(&g.org_path))
}

pub(crate) fn require_path(actor: &Principal, action: Action, path: &str) -> Result<()> {
    if may_path(actor, action, path) { Ok(()) } else { Err(DomainError::Forbidden(crate::auth::action_name(action))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_keeps_formatting_and_drops_scripts() {
        let html = r#"<p onclick="x()">Căn cứ <strong>Quyết định</strong><script>alert(1)</script></p><a href="javascript:x">a</a><ul><li>một</li></ul>"#;
        let clean = sanitize_html(html);
        assert!(clean.contains("<strong>Quyết định</strong>"));
        assert!(clean.contains("<li>một</li>"));
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("javascript"));
    }

    #[test]
    fn sections_are_compared_line_by_line() {
        let old = vec![
            PlanSection {
                title: "I. Căn cứ".into(), html: "<p>Nghị quyết 52</p><p>Quyết định 749</p>".into()
            },
            PlanSection { title: "II. Mục tiêu".into(), html: "<p>100% dịch vụ công</p>".into() },
        ];
        let new = vec![
            PlanSection {
                title: "I. Căn cứ".into(), html: "<p>Nghị quyết 52</p><p>Quyết định 942</p>".into()
            },
            PlanSection { title: "III. Nhiệm vụ".into(), html: "<p>Xây dựng kho dữ liệu</p>".into() },
        ];
        let d = diff_sections(&old, &new);
        assert_eq!(d[0].change, "changed");
        assert!(d[0].lines.iter().any(|l| l.tag == "-" && l.text == "Quyết định 749"));
        assert!(d[0].lines.iter().any(|l| l.tag == "+" && l.text == "Quyết định 942"));
        assert_eq!(d[1].change, "added");
        assert_eq!(d[2].change, "removed");
    }
}
