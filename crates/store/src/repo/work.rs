//! `impl domain::repo::work::WorkStore for Db`: frameworks, plans, tasks.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, IntoIden, Order, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use domain::audit::AuditDraft;
use domain::frameworks::{
    DeadlineRule, Framework, FrameworkGroup, FrameworkItem, FrameworkKind, FrameworkSummary, GroupCount, Target,
};
use domain::org::{Page, agency_path};
use domain::repo::work::{
    ItemTally, KpiScope, KpiTask, NewPlanRecord, NewTaskEvent, NewTaskRecord, PlanFilter, TaskFields, TaskFilter,
    WorkStore,
};
use domain::users::UserId;
use domain::work::{
    Evidence, OrgRef, Plan, PlanId, PlanSection, PlanStatus, PlanVersion, TASK_COUNT_CAP, Task, TaskEvent,
    TaskEventKind, TaskId, TaskSort, TaskState, TaskStatus, UserRef, YearSpan,
};
use domain::{DomainError, Result};

use super::{BATCH, append_audit, blob_data, work_tally};
use crate::entities::work::{
    evidence, framework, framework_group, framework_item, plan, plan_version, task, task_assignee, task_coordinator,
    task_dependency, task_event,
};
use crate::entities::{org_unit, user};
use crate::{Db, storage};

fn json_err(e: serde_json::Error) -> DomainError {
    DomainError::Storage(e.to_string())
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(json_err)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(json_err)
}

fn item_from(m: framework_item::Model) -> Result<FrameworkItem> {
    Ok(FrameworkItem {
        id: m.id,
        code: m.code,
        title: m.title,
        body: m.body,
        cite: m.cite,
        deadline: m.deadline_json.as_deref().map(from_json::<DeadlineRule>).transpose()?,
        deadline_text: m.deadline_text,
        support_unit: m.support_unit,
        lead_unit: m.lead_unit,
        coordinating_units: m.coordinating_units,
        targets: from_json::<Vec<Target>>(&m.targets_json)?,
    })
}

fn plan_from(m: plan::Model, org: &org_unit::Model) -> Result<Plan> {
    let status = PlanStatus::parse(&m.status)?;
    Ok(Plan {
        id: m.id,
        org: OrgRef { id: org.id, code: org.code.clone(), name: org.name.clone() },
        org_path: m.org_path,
        title: m.title,
        period: YearSpan { from: m.period_from, to: m.period_to },
        template_code: m.template_code,
        status,
        status_label: status.label(),
        sections: from_json(&m.sections_json)?,
        framework_ids: from_json(&m.framework_ids_json)?,
        approved_version: m.approved_version,
        decision_number: m.decision_number,
        decision_date: m.decision_date,
        approved_by: m.approved_by,
        return_note: m.return_note,
        row_version: m.row_version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn event_from(m: task_event::Model) -> Result<TaskEvent> {
    Ok(TaskEvent {
        id: m.id,
        task_id: m.task_id,
        at: m.at,
        actor: m.actor,
        kind: TaskEventKind::parse(&m.kind),
        changes: from_json(&m.changes_json)?,
        text: m.text,
        row_version: m.row_version,
    })
}

fn evidence_from(m: evidence::Model) -> Evidence {
    Evidence {
        id: m.id,
        task_id: m.task_id,
        name: m.name,
        content_type: m.content_type,
        size: m.size,
        url: m.url,
        added_by: m.added_by,
        added_at: m.added_at,
    }
}

fn org_ref(o: &org_unit::Model) -> OrgRef {
    OrgRef { id: o.id, code: o.code.clone(), name: o.name.clone() }
}

/// The condition matching tasks shown with `status` on `today`, on the status columns
/// (`state`, `deadline`, `completed_on`) of `table`: the tasks themselves, or the copy kept with
/// each assignment.
fn status_cond(table: impl IntoIden, status: TaskStatus, today: NaiveDate) -> Cond {
    let table = table.into_iden();
    let col = |name: &'static str| Expr::col((table.clone(), Alias::new(name)));
    let state = |s: TaskState| col("state").eq(s.as_str());
    match status {
        TaskStatus::NotStarted => Cond::all().add(state(TaskState::NotStarted)).add(col("deadline").gte(today)),
        TaskStatus::InProgress => Cond::all().add(state(TaskState::InProgress)).add(col("deadline").gte(today)),
        TaskStatus::Overdue => Cond::all()
            .add(col("state").is_in([TaskState::NotStarted.as_str(), TaskState::InProgress.as_str()]))
            .add(col("deadline").lt(today)),
        TaskStatus::Completed => Cond::all()
            .add(state(TaskState::Completed))
            .add(Cond::any().add(col("completed_on").is_null()).add(col("completed_on").lte(col("deadline")))),
        TaskStatus::CompletedLate => {
            Cond::all().add(state(TaskState::Completed)).add(col("completed_on").gt(col("deadline")))
        }
        TaskStatus::Paused => Cond::all().add(state(TaskState::Paused)),
        TaskStatus::Cancelled => Cond::all().add(state(TaskState::Cancelled)),
    }
}

/// Rows whose materialised path lies under `p`, as a range both databases serve from an index
/// (SQLite's case-insensitive `LIKE 'p%'` is not). Paths end with '/', and '/' + 1 is '0'.
pub(super) fn under(col: impl ColumnTrait, p: &str) -> Cond {
    match p.strip_suffix('/') {
        Some(stem) => Cond::all().add(col.gte(p)).add(col.lt(format!("{stem}0"))),
        None => Cond::all().add(col.like(like_prefix(p))),
    }
}

fn like_prefix(p: &str) -> String {
    format!("{p}%")
}

/// The keys of a task's ministry or province (`domain::org::agency_path`) kept on the task:
/// its agency's, and its lead unit's only when that is another agency (empty otherwise). A
/// province's tasks are then `agency_path = p`, in deadline order from one index range, and
/// those it leads for others `lead_agency_path = p`, a few, none of them counted twice.
pub(crate) fn task_agency_keys(org_path: &str, lead_path: &str) -> (String, String) {
    let (own, lead) = (agency_path(org_path), agency_path(lead_path));
    (own.to_string(), if lead == own { String::new() } else { lead.to_string() })
}

/// Is `path` a ministry's or a province's (a child of the root), keyed on the tasks?
fn is_agency(path: &str) -> bool {
    path.matches('/').count() == 3
}

/// What a listed task must meet besides its scope: a status (checked on the task, or on the
/// copy of its status columns kept with each assignment) and the other filters (on the task).
struct TaskConds {
    status: Option<(TaskStatus, NaiveDate)>,
    other: Cond,
}

impl TaskConds {
    /// All of it, on the task row.
    fn on_task(&self) -> Cond {
        let mut c = self.other.clone();
        if let Some((status, today)) = self.status {
            c = c.add(status_cond(task::Entity, status, today));
        }
        c
    }
}

/// One way into an authorisation scope (a task is in the scope when any branch lets it in).
enum ScopeBranch {
    /// A condition on the task row: its agency, its lead unit, a coordinating unit.
    Row(Cond),
    /// Assigned to this person.
    Assigned(UserId),
}

impl ScopeBranch {
    /// The branch as a condition on the task row.
    fn cond(&self) -> Cond {
        match self {
            ScopeBranch::Row(c) => c.clone(),
            ScopeBranch::Assigned(uid) => Cond::all().add(assigned_to(*uid)),
        }
    }

    /// The ids of this branch's tasks meeting `conds` and not `except` (a condition on the task
    /// row; empty for none), in no order. A person's assignments are read from
    /// `(user_id, deadline, task_id, state, completed_on)`, the task row only for the rest.
    fn ids(&self, conds: &TaskConds, except: &Cond) -> SelectStatement {
        use task_assignee::Column as A;
        match self {
            ScopeBranch::Row(c) => {
                let mut q = task::Entity::find()
                    .select_only()
                    .column(task::Column::Id)
                    .filter(c.clone())
                    .filter(conds.on_task());
                if !except.is_empty() {
                    q = q.filter(except.clone().not());
                }
                q.into_query()
            }
            ScopeBranch::Assigned(uid) => {
                let mut q = Query::select();
                q.column((task_assignee::Entity, A::TaskId))
                    .from(task_assignee::Entity)
                    .and_where(Expr::col((task_assignee::Entity, A::UserId)).eq(*uid));
                if let Some((status, today)) = conds.status {
                    q.cond_where(status_cond(task_assignee::Entity, status, today));
                }
                let mut on_task = conds.other.clone();
                if !except.is_empty() {
                    on_task = on_task.add(except.clone().not());
                }
                if !on_task.is_empty() {
                    q.and_where(Expr::exists(
                        Query::select()
                            .expr(Expr::val(1))
                            .from(task::Entity)
                            .and_where(
                                Expr::col((task::Entity, task::Column::Id)).equals((task_assignee::Entity, A::TaskId)),
                            )
                            .cond_where(on_task)
                            .to_owned(),
                    ));
                }
                q
            }
        }
    }

    /// The ids of this branch's first `first` tasks meeting `conds`, in list order: a query an
    /// index on the branch's key serves without reading the whole branch.
    fn first_ids(&self, conds: &TaskConds, sort: TaskSort, first: u64) -> SelectStatement {
        use task_assignee::Column as A;
        match (self, sort) {
            (ScopeBranch::Assigned(_), TaskSort::Deadline | TaskSort::DeadlineDesc) => {
                let order = if sort == TaskSort::Deadline { Order::Asc } else { Order::Desc };
                self.ids(conds, &Cond::any())
                    .order_by((task_assignee::Entity, A::Deadline), order.clone())
                    .order_by((task_assignee::Entity, A::TaskId), order)
                    .limit(first)
                    .to_owned()
            }
            (ScopeBranch::Row(c), _) => task_order(task::Entity::find().select_only().column(task::Column::Id), sort)
                .filter(c.clone())
                .filter(conds.on_task())
                .limit(first)
                .into_query(),
            (ScopeBranch::Assigned(uid), _) => {
                task_order(task::Entity::find().select_only().column(task::Column::Id), sort)
                    .filter(assigned_to(*uid))
                    .filter(conds.on_task())
                    .limit(first)
                    .into_query()
            }
        }
    }
}

/// The task filter as the branches of the authorisation scope (empty = no scope) and the
/// conditions every task shown must meet.
fn task_filter_parts(f: &TaskFilter) -> (Vec<ScopeBranch>, TaskConds) {
    use task::Column as C;
    let mut branches = Vec::new();
    if let Some(scope) = &f.scope {
        for p in scope {
            if is_agency(p) {
                // A ministry or a province: its keys (see `task_agency_keys`), indexed in list
                // order (a path range would read all its tasks to sort them).
                branches.push(ScopeBranch::Row(Cond::all().add(C::AgencyPath.eq(p.as_str()))));
                branches.push(ScopeBranch::Row(Cond::all().add(C::LeadAgencyPath.eq(p.as_str()))));
            } else {
                branches.push(ScopeBranch::Row(under(C::OrgPath, p)));
                branches.push(ScopeBranch::Row(under(C::LeadPath, p)));
            }
        }
        if !scope.is_empty() {
            let coordinated = Query::select()
                .column(task_coordinator::Column::TaskId)
                .from(task_coordinator::Entity)
                .and_where(
                    task_coordinator::Column::OrgId.in_subquery(
                        Query::select()
                            .column(org_unit::Column::Id)
                            .from(org_unit::Entity)
                            .cond_where(scope.iter().fold(Cond::any(), |c, p| c.add(under(org_unit::Column::Path, p))))
                            .to_owned(),
                    ),
                )
                .to_owned();
            branches.push(ScopeBranch::Row(Cond::all().add(C::Id.in_subquery(coordinated))));
        }
        if let Some(uid) = f.visible_to_assignee {
            branches.push(ScopeBranch::Assigned(uid));
        }
        if branches.is_empty() {
            // A scope with no unit and no assignment lets nothing in.
            branches.push(ScopeBranch::Row(Cond::all().add(Expr::val(1).eq(0))));
        }
    }
    let mut other = Cond::all();
    if let Some(p) = &f.org_path {
        other =
            other.add(if is_agency(p) { Cond::all().add(C::AgencyPath.eq(p.as_str())) } else { under(C::OrgPath, p) });
    }
    if let Some(id) = f.plan_id {
        other = other.add(C::PlanId.eq(id));
    }
    if let Some(d) = f.deadline_from {
        other = other.add(C::Deadline.gte(d));
    }
    if let Some(d) = f.deadline_to {
        other = other.add(C::Deadline.lte(d));
    }
    if let Some(id) = f.framework_item_id {
        other = other.add(C::FrameworkItemId.eq(id));
    }
    if let Some(uid) = f.assignee_id {
        other = other.add(assigned_to(uid));
    }
    for w in &f.words {
        let clean: String = w.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
        other = other.add(C::SearchKey.like(format!("%{clean}%")));
    }
    (branches, TaskConds { status: f.status.zip(f.today), other })
}

/// Tasks `uid` is assigned to.
fn assigned_to(uid: UserId) -> sea_orm::sea_query::SimpleExpr {
    task::Column::Id.in_subquery(
        Query::select()
            .column(task_assignee::Column::TaskId)
            .from(task_assignee::Entity)
            .and_where(task_assignee::Column::UserId.eq(uid))
            .to_owned(),
    )
}

/// `select` in the list's order, ties broken by id so that pages never overlap.
fn task_order<S: QueryOrder>(select: S, sort: TaskSort) -> S {
    use task::Column as C;
    match sort {
        TaskSort::Deadline => select.order_by_asc(C::Deadline).order_by_asc(C::Id),
        TaskSort::DeadlineDesc => select.order_by_desc(C::Deadline).order_by_desc(C::Id),
        TaskSort::Title => select.order_by_asc(C::SearchKey).order_by_asc(C::Id),
        TaskSort::Updated => select.order_by_desc(C::UpdatedAt).order_by_desc(C::Id),
        TaskSort::Code => select.order_by_asc(C::PlanId).order_by_asc(C::Code).order_by_asc(C::Id),
    }
}

impl Db {
    async fn orgs_by_id(&self, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, org_unit::Model>> {
        let ids: Vec<i64> = ids.into_iter().collect::<HashSet<_>>().into_iter().collect();
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            for o in org_unit::Entity::find()
                .filter(org_unit::Column::Id.is_in(chunk.to_vec()))
                .all(self.connection())
                .await
                .map_err(storage)?
            {
                out.insert(o.id, o);
            }
        }
        Ok(out)
    }

    /// Turns task rows into domain tasks with their units, people, plan and links, in a few
    /// batched queries.
    async fn hydrate_tasks(&self, rows: Vec<task::Model>, today: NaiveDate) -> Result<Vec<Task>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.connection();
        let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
        let coordinators = links::<task_coordinator::Entity, _, _>(
            db,
            &ids,
            task_coordinator::Column::TaskId,
            task_coordinator::Column::OrgId,
        )
        .await?;
        let assignees = links::<task_assignee::Entity, _, _>(
            db,
            &ids,
            task_assignee::Column::TaskId,
            task_assignee::Column::UserId,
        )
        .await?;
        let depends = links::<task_dependency::Entity, _, _>(
            db,
            &ids,
            task_dependency::Column::TaskId,
            task_dependency::Column::DependsOnId,
        )
        .await?;
        let org_ids =
            rows.iter().flat_map(|t| [t.org_id, t.lead_org_id]).chain(coordinators.values().flatten().copied());
        let orgs = self.orgs_by_id(org_ids.collect::<Vec<_>>()).await?;
        let user_ids: Vec<i64> = assignees.values().flatten().copied().collect::<HashSet<_>>().into_iter().collect();
        let mut users: HashMap<i64, user::Model> = HashMap::new();
        for chunk in user_ids.chunks(BATCH) {
            for u in
                user::Entity::find().filter(user::Column::Id.is_in(chunk.to_vec())).all(db).await.map_err(storage)?
            {
                users.insert(u.id, u);
            }
        }
        let plan_ids: Vec<i64> = rows.iter().map(|t| t.plan_id).collect::<HashSet<_>>().into_iter().collect();
        let plan_titles: HashMap<i64, String> = plan::Entity::find()
            .select_only()
            .column(plan::Column::Id)
            .column(plan::Column::Title)
            .filter(plan::Column::Id.is_in(plan_ids))
            .into_tuple::<(i64, String)>()
            .all(db)
            .await
            .map_err(storage)?
            .into_iter()
            .collect();
        let item_ids: Vec<i64> =
            rows.iter().filter_map(|t| t.framework_item_id).collect::<HashSet<_>>().into_iter().collect();
        let item_codes: HashMap<i64, String> = if item_ids.is_empty() {
            HashMap::new()
        } else {
            framework_item::Entity::find()
                .select_only()
                .column(framework_item::Column::Id)
                .column(framework_item::Column::Code)
                .filter(framework_item::Column::Id.is_in(item_ids))
                .into_tuple::<(i64, String)>()
                .all(db)
                .await
                .map_err(storage)?
                .into_iter()
                .collect()
        };
        let missing = || DomainError::Storage("task refers to a missing org unit".into());
        rows.into_iter()
            .map(|t| {
                let state = TaskState::parse(&t.state)?;
                let status = TaskStatus::of(state, t.deadline, t.completed_on, today);
                let org = orgs.get(&t.org_id).ok_or_else(missing)?;
                let lead = orgs.get(&t.lead_org_id).ok_or_else(missing)?;
                let mut coordinating: Vec<OrgRef> =
                    coordinators.get(&t.id).into_iter().flatten().filter_map(|id| orgs.get(id).map(org_ref)).collect();
                coordinating.sort_by(|a, b| a.code.cmp(&b.code));
                let mut people: Vec<UserRef> = assignees
                    .get(&t.id)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| users.get(id))
                    .map(|u| UserRef { id: u.id, username: u.username.clone(), full_name: u.full_name.clone() })
                    .collect();
                people.sort_by(|a, b| a.username.cmp(&b.username));
                let mut depends_on = depends.get(&t.id).cloned().unwrap_or_default();
                depends_on.sort_unstable();
                Ok(Task {
                    id: t.id,
                    plan_id: t.plan_id,
                    plan_title: plan_titles.get(&t.plan_id).cloned().unwrap_or_default(),
                    org: org_ref(org),
                    org_path: t.org_path,
                    parent_id: t.parent_id,
                    framework_item_id: t.framework_item_id,
                    framework_item_code: t.framework_item_id.and_then(|id| item_codes.get(&id).cloned()),
                    code: t.code,
                    title: t.title,
                    description: t.description,
                    lead: org_ref(lead),
                    lead_path: t.lead_path,
                    coordinating,
                    assignees: people,
                    start_date: t.start_date,
                    deadline: t.deadline,
                    state,
                    status,
                    status_label: status.label(),
                    progress: t.progress.clamp(0, 100) as u8,
                    completed_on: t.completed_on,
                    rating: t.rating.map(|r| r.clamp(0, 5) as u8),
                    depends_on,
                    row_version: t.row_version,
                    updated_at: t.updated_at,
                })
            })
            .collect()
    }

    async fn plan_hydrate(&self, rows: Vec<plan::Model>) -> Result<Vec<Plan>> {
        let orgs = self.orgs_by_id(rows.iter().map(|p| p.org_id).collect::<Vec<_>>()).await?;
        rows.into_iter()
            .map(|p| {
                let org = orgs.get(&p.org_id).ok_or_else(|| DomainError::Storage("plan without org unit".into()))?;
                plan_from(p, org)
            })
            .collect()
    }

    /// The number of rows `q` returns.
    async fn count_rows(&self, q: SelectStatement) -> Result<u64> {
        let count = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(q, Alias::new("matching"))
            .to_owned();
        let n: i64 = self
            .connection()
            .query_one_raw(self.backend().build(&count))
            .await
            .map_err(storage)?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()
            .map_err(storage)?
            .unwrap_or(0);
        Ok(n as u64)
    }

    async fn task_one(&self, id: TaskId, today: NaiveDate) -> Result<Option<Task>> {
        let Some(row) = task::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)? else {
            return Ok(None);
        };
        Ok(self.hydrate_tasks(vec![row], today).await?.pop())
    }
}

/// The rows of a link table (task → org unit, user or task) for `ids`, grouped by task.
async fn links<E, K, V>(
    db: &sea_orm::DatabaseConnection,
    ids: &[i64],
    key: K,
    value: V,
) -> Result<HashMap<i64, Vec<i64>>>
where
    E: EntityTrait,
    K: ColumnTrait,
    V: ColumnTrait,
{
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let pairs: Vec<(i64, i64)> = E::find()
            .select_only()
            .column(key)
            .column(value)
            .filter(key.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await
            .map_err(storage)?;
        for (k, v) in pairs {
            out.entry(k).or_default().push(v);
        }
    }
    Ok(out)
}

/// Writes the links of one task (replacing what was there).
async fn write_links(
    txn: &DatabaseTransaction,
    task_id: TaskId,
    fields: &TaskFields,
) -> std::result::Result<(), sea_orm::DbErr> {
    let TaskFields { coordinating, assignees, depends_on, deadline, state, completed_on, .. } = fields;
    task_coordinator::Entity::delete_many().filter(task_coordinator::Column::TaskId.eq(task_id)).exec(txn).await?;
    task_assignee::Entity::delete_many().filter(task_assignee::Column::TaskId.eq(task_id)).exec(txn).await?;
    task_dependency::Entity::delete_many().filter(task_dependency::Column::TaskId.eq(task_id)).exec(txn).await?;
    let unique = |v: &[i64]| v.iter().copied().collect::<std::collections::BTreeSet<_>>();
    let c: Vec<_> = unique(coordinating)
        .into_iter()
        .map(|org_id| task_coordinator::ActiveModel { task_id: Set(task_id), org_id: Set(org_id) })
        .collect();
    if !c.is_empty() {
        task_coordinator::Entity::insert_many(c).exec_without_returning(txn).await?;
    }
    let a: Vec<_> = unique(assignees)
        .into_iter()
        .map(|user_id| task_assignee::ActiveModel {
            task_id: Set(task_id),
            user_id: Set(user_id),
            deadline: Set(Some(*deadline)),
            state: Set(Some(state.as_str().into())),
            completed_on: Set(*completed_on),
        })
        .collect();
    if !a.is_empty() {
        task_assignee::Entity::insert_many(a).exec_without_returning(txn).await?;
    }
    let d: Vec<_> = unique(depends_on)
        .into_iter()
        .map(|depends_on_id| task_dependency::ActiveModel { task_id: Set(task_id), depends_on_id: Set(depends_on_id) })
        .collect();
    if !d.is_empty() {
        task_dependency::Entity::insert_many(d).exec_without_returning(txn).await?;
    }
    Ok(())
}

async fn insert_event(
    txn: &DatabaseTransaction,
    task_id: TaskId,
    row_version: i32,
    e: &NewTaskEvent,
) -> Result<task_event::Model> {
    task_event::ActiveModel {
        task_id: Set(task_id),
        at: Set(e.at),
        actor_id: Set(e.actor_id),
        actor: Set(e.actor.clone()),
        kind: Set(e.kind.as_str().into()),
        changes_json: Set(to_json(&e.changes)?),
        text: Set(e.text.clone()),
        row_version: Set(row_version),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(storage)
}

/// Inserts tasks with pre-assigned ids in batches (an import of 10,000 rows is a few statements).
async fn insert_tasks(
    db: &Db,
    txn: &DatabaseTransaction,
    tasks: &[NewTaskRecord],
    event: &NewTaskEvent,
) -> Result<Vec<TaskId>> {
    let plan_ids: Vec<i64> = tasks.iter().map(|t| t.plan_id).collect::<HashSet<_>>().into_iter().collect();
    let plans: HashMap<i64, plan::Model> = plan::Entity::find()
        .filter(plan::Column::Id.is_in(plan_ids))
        .all(txn)
        .await
        .map_err(storage)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let leads = db.orgs_by_id(tasks.iter().map(|t| t.lead_org_id).collect::<Vec<_>>()).await?;
    let max_id: Option<i64> = task::Entity::find()
        .select_only()
        .column_as(task::Column::Id.max(), "m")
        .into_tuple()
        .one(txn)
        .await
        .map_err(storage)?
        .flatten();
    let mut next = max_id.unwrap_or(0);
    let mut ids = Vec::with_capacity(tasks.len());
    let mut rows = Vec::with_capacity(tasks.len());
    let mut coordinators = Vec::new();
    let mut assignees = Vec::new();
    let mut deps = Vec::new();
    let mut events = Vec::with_capacity(tasks.len());
    let changes = to_json(&event.changes)?;
    for t in tasks {
        next += 1;
        let plan = plans.get(&t.plan_id).ok_or_else(|| DomainError::not_found("kế hoạch", t.plan_id.to_string()))?;
        let lead =
            leads.get(&t.lead_org_id).ok_or_else(|| DomainError::not_found("đơn vị", t.lead_org_id.to_string()))?;
        ids.push(next);
        rows.push(task::ActiveModel {
            id: Set(next),
            plan_id: Set(t.plan_id),
            org_id: Set(plan.org_id),
            org_path: Set(plan.org_path.clone()),
            parent_id: Set(t.parent_id),
            framework_item_id: Set(t.framework_item_id),
            code: Set(t.code.clone()),
            title: Set(t.title.clone()),
            search_key: Set(textvi::fold(&t.title)),
            description: Set(t.description.clone()),
            lead_org_id: Set(t.lead_org_id),
            lead_path: Set(lead.path.clone()),
            agency_path: Set(task_agency_keys(&plan.org_path, &lead.path).0),
            lead_agency_path: Set(task_agency_keys(&plan.org_path, &lead.path).1),
            start_date: Set(t.start_date),
            deadline: Set(t.deadline),
            state: Set(TaskState::NotStarted.as_str().into()),
            progress: Set(0),
            completed_on: Set(None),
            rating: Set(None),
            row_version: Set(1),
            created_at: Set(event.at),
            updated_at: Set(event.at),
        });
        coordinators.extend(
            t.coordinating
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|org_id| task_coordinator::ActiveModel { task_id: Set(next), org_id: Set(*org_id) }),
        );
        assignees.extend(t.assignees.iter().collect::<std::collections::BTreeSet<_>>().into_iter().map(|user_id| {
            task_assignee::ActiveModel {
                task_id: Set(next),
                user_id: Set(*user_id),
                deadline: Set(Some(t.deadline)),
                state: Set(Some(TaskState::NotStarted.as_str().into())),
                completed_on: Set(None),
            }
        }));
        deps.extend(
            t.depends_on
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|d| task_dependency::ActiveModel { task_id: Set(next), depends_on_id: Set(*d) }),
        );
        events.push(task_event::ActiveModel {
            task_id: Set(next),
            at: Set(event.at),
            actor_id: Set(event.actor_id),
            actor: Set(event.actor.clone()),
            kind: Set(event.kind.as_str().into()),
            changes_json: Set(changes.clone()),
            text: Set(event.text.clone()),
            row_version: Set(1),
            ..Default::default()
        });
    }
    macro_rules! insert_batched {
        ($entity:ty, $rows:expr) => {
            let mut it = $rows.into_iter().peekable();
            while it.peek().is_some() {
                let batch: Vec<_> = it.by_ref().take(BATCH).collect();
                <$entity>::insert_many(batch).exec_without_returning(txn).await.map_err(storage)?;
            }
        };
    }
    insert_batched!(task::Entity, rows);
    insert_batched!(task_coordinator::Entity, coordinators);
    insert_batched!(task_assignee::Entity, assignees);
    insert_batched!(task_dependency::Entity, deps);
    insert_batched!(task_event::Entity, events);
    db.fix_sequences(txn, &["tasks"]).await.map_err(storage)?;
    Ok(ids)
}

#[async_trait]
impl WorkStore for Db {
    async fn framework_load(&self, fw: &Framework, audit: AuditDraft) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let exists = framework::Entity::find()
            .filter(framework::Column::Code.eq(&fw.code))
            .filter(framework::Column::Version.eq(fw.version))
            .count(&txn)
            .await
            .map_err(storage)?;
        if exists > 0 {
            return Ok(false);
        }
        let saved = framework::ActiveModel {
            code: Set(fw.code.clone()),
            version: Set(fw.version),
            title: Set(fw.title.clone()),
            kind: Set(fw.kind.as_str().into()),
            issuer: Set(fw.issuer.clone()),
            source: Set(fw.source.clone()),
            stated_groups: Set(fw.stated_groups.map(|n| n as i32)),
            stated_items: Set(fw.stated_items.map(|n| n as i32)),
            loaded_at: Set(audit.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        let mut position = 0;
        for (gi, g) in fw.groups.iter().enumerate() {
            let group = framework_group::ActiveModel {
                framework_id: Set(saved.id),
                position: Set(gi as i32),
                code: Set(g.code.clone()),
                title: Set(g.title.clone()),
                cite: Set(g.cite.clone()),
                support_unit: Set(g.support_unit.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(storage)?;
            let mut items = Vec::with_capacity(g.items.len());
            for i in &g.items {
                position += 1;
                items.push(framework_item::ActiveModel {
                    framework_id: Set(saved.id),
                    group_id: Set(group.id),
                    position: Set(position),
                    code: Set(i.code.clone()),
                    title: Set(i.title.clone()),
                    body: Set(i.body.clone()),
                    cite: Set(i.cite.clone()),
                    deadline_json: Set(i.deadline.as_ref().map(to_json).transpose()?),
                    deadline_text: Set(i.deadline_text.clone()),
                    support_unit: Set(i.support_unit.clone()),
                    lead_unit: Set(i.lead_unit.clone()),
                    coordinating_units: Set(i.coordinating_units.clone()),
                    targets_json: Set(to_json(&i.targets)?),
                    ..Default::default()
                });
            }
            if !items.is_empty() {
                framework_item::Entity::insert_many(items).exec_without_returning(&txn).await.map_err(storage)?;
            }
        }
        let mut audit = audit;
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn framework_list(&self) -> Result<Vec<FrameworkSummary>> {
        let db = self.connection();
        let fws = framework::Entity::find().order_by_asc(framework::Column::Id).all(db).await.map_err(storage)?;
        let groups = framework_group::Entity::find()
            .order_by_asc(framework_group::Column::FrameworkId)
            .order_by_asc(framework_group::Column::Position)
            .all(db)
            .await
            .map_err(storage)?;
        let counts: HashMap<i64, i64> = framework_item::Entity::find()
            .select_only()
            .column(framework_item::Column::GroupId)
            .column_as(framework_item::Column::Id.count(), "n")
            .group_by(framework_item::Column::GroupId)
            .into_tuple::<(i64, i64)>()
            .all(db)
            .await
            .map_err(storage)?
            .into_iter()
            .collect();
        fws.into_iter()
            .map(|f| {
                let gs: Vec<GroupCount> = groups
                    .iter()
                    .filter(|g| g.framework_id == f.id)
                    .map(|g| GroupCount {
                        code: g.code.clone(),
                        title: g.title.clone(),
                        item_count: counts.get(&g.id).copied().unwrap_or(0) as u64,
                    })
                    .collect();
                Ok(FrameworkSummary {
                    id: f.id,
                    code: f.code,
                    version: f.version,
                    title: f.title,
                    kind: FrameworkKind::parse(&f.kind)
                        .ok_or_else(|| DomainError::Storage(format!("framework kind {}", f.kind)))?,
                    issuer: f.issuer,
                    source: f.source,
                    item_count: gs.iter().map(|g| g.item_count).sum(),
                    groups: gs,
                })
            })
            .collect()
    }

    async fn framework_get(&self, id: i64) -> Result<Option<Framework>> {
        let db = self.connection();
        let Some(f) = framework::Entity::find_by_id(id).one(db).await.map_err(storage)? else {
            return Ok(None);
        };
        let groups = framework_group::Entity::find()
            .filter(framework_group::Column::FrameworkId.eq(id))
            .order_by_asc(framework_group::Column::Position)
            .all(db)
            .await
            .map_err(storage)?;
        let items = framework_item::Entity::find()
            .filter(framework_item::Column::FrameworkId.eq(id))
            .order_by_asc(framework_item::Column::Position)
            .all(db)
            .await
            .map_err(storage)?;
        let mut by_group: HashMap<i64, Vec<FrameworkItem>> = HashMap::new();
        for i in items {
            by_group.entry(i.group_id).or_default().push(item_from(i)?);
        }
        Ok(Some(Framework {
            id: f.id,
            code: f.code,
            version: f.version,
            title: f.title,
            kind: FrameworkKind::parse(&f.kind).ok_or_else(|| DomainError::Storage(format!("kind {}", f.kind)))?,
            issuer: f.issuer,
            source: f.source,
            stated_groups: f.stated_groups.map(|n| n as u32),
            stated_items: f.stated_items.map(|n| n as u32),
            groups: groups
                .into_iter()
                .map(|g| FrameworkGroup {
                    id: g.id,
                    items: by_group.remove(&g.id).unwrap_or_default(),
                    code: g.code,
                    title: g.title,
                    cite: g.cite,
                    support_unit: g.support_unit,
                })
                .collect(),
        }))
    }

    async fn framework_items(&self, ids: &[i64]) -> Result<Vec<FrameworkItem>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH) {
            for m in framework_item::Entity::find()
                .filter(framework_item::Column::Id.is_in(chunk.to_vec()))
                .order_by_asc(framework_item::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?
            {
                out.push(item_from(m)?);
            }
        }
        Ok(out)
    }

    async fn plan_insert(&self, p: &NewPlanRecord, tasks: &[NewTaskRecord], mut audit: AuditDraft) -> Result<PlanId> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let org = org_unit::Entity::find_by_id(p.org_id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("đơn vị", p.org_id.to_string()))?;
        let saved = plan::ActiveModel {
            org_id: Set(p.org_id),
            org_path: Set(org.path),
            title: Set(p.title.clone()),
            period_from: Set(p.period.from),
            period_to: Set(p.period.to),
            template_code: Set(p.template_code.clone()),
            status: Set(PlanStatus::Draft.as_str().into()),
            sections_json: Set(to_json(&p.sections)?),
            framework_ids_json: Set(to_json(&p.framework_ids)?),
            approved_version: Set(0),
            decision_number: Set(None),
            decision_date: Set(None),
            approved_by: Set(None),
            return_note: Set(None),
            row_version: Set(1),
            created_by: Set(p.created_by),
            created_at: Set(p.at),
            updated_at: Set(p.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        let tasks: Vec<NewTaskRecord> =
            tasks.iter().cloned().map(|t| NewTaskRecord { plan_id: saved.id, ..t }).collect();
        let mut ids = Vec::new();
        if !tasks.is_empty() {
            let event = NewTaskEvent {
                at: p.at,
                actor_id: p.created_by,
                actor: audit.actor.clone(),
                kind: TaskEventKind::Created,
                changes: Vec::new(),
                text: Some("Tiếp nhận từ khung kế hoạch".into()),
            };
            ids = insert_tasks(self, &txn, &tasks, &event).await?;
        }
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        work_tally::refresh_tasks(&txn, &ids).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(saved.id)
    }

    async fn plan_get(&self, id: PlanId) -> Result<Option<Plan>> {
        let Some(p) = plan::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)? else {
            return Ok(None);
        };
        Ok(self.plan_hydrate(vec![p]).await?.pop())
    }

    async fn plan_list(&self, f: &PlanFilter) -> Result<Page<Plan>> {
        let mut cond = Cond::all();
        if let Some(scope) = &f.scope {
            cond = cond.add(scope.iter().fold(Cond::any(), |c, p| c.add(under(plan::Column::OrgPath, p))));
        }
        if let Some(p) = &f.org_path {
            cond = cond.add(under(plan::Column::OrgPath, p));
        }
        if let Some(s) = f.status {
            cond = cond.add(plan::Column::Status.eq(s.as_str()));
        }
        if let Some(y) = f.year {
            cond = cond.add(plan::Column::PeriodFrom.lte(y)).add(plan::Column::PeriodTo.gte(y));
        }
        let select = plan::Entity::find()
            .filter(cond)
            .order_by_desc(plan::Column::PeriodTo)
            .order_by_asc(plan::Column::OrgPath)
            .order_by_asc(plan::Column::Id);
        let (rows, total) = self.paged(select, f.offset, f.limit).await?;
        Ok(Page { items: self.plan_hydrate(rows).await?, total, total_capped: false, offset: f.offset, limit: f.limit })
    }

    async fn plan_update(
        &self,
        id: PlanId,
        row_version: i32,
        title: &str,
        sections: &[PlanSection],
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<Plan>> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let res = plan::Entity::update_many()
            .col_expr(plan::Column::Title, Expr::value(title))
            .col_expr(plan::Column::SectionsJson, Expr::value(to_json(&sections)?))
            .col_expr(plan::Column::RowVersion, Expr::value(row_version + 1))
            .col_expr(plan::Column::UpdatedAt, Expr::value(at))
            .filter(plan::Column::Id.eq(id))
            .filter(plan::Column::RowVersion.eq(row_version))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.plan_get(id).await
    }

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
    ) -> Result<Option<Plan>> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut update = plan::Entity::update_many()
            .col_expr(plan::Column::Status, Expr::value(status.as_str()))
            .col_expr(plan::Column::RowVersion, Expr::value(row_version + 1))
            .col_expr(plan::Column::UpdatedAt, Expr::value(at))
            .filter(plan::Column::Id.eq(id))
            .filter(plan::Column::RowVersion.eq(row_version));
        if let Some(note) = return_note {
            update = update.col_expr(plan::Column::ReturnNote, Expr::value(note));
        }
        if let Some(v) = approved {
            update = update
                .col_expr(plan::Column::ApprovedVersion, Expr::value(v.number))
                .col_expr(plan::Column::DecisionNumber, Expr::value(v.decision_number.clone()))
                .col_expr(plan::Column::DecisionDate, Expr::value(v.decision_date))
                .col_expr(plan::Column::ApprovedBy, Expr::value(v.approved_by.clone()))
                .col_expr(plan::Column::ReturnNote, Expr::value(Option::<String>::None));
        }
        let res = update.exec(&txn).await.map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        if let Some(v) = approved {
            plan_version::ActiveModel {
                plan_id: Set(id),
                number: Set(v.number),
                body_json: Set(to_json(v)?),
                approved_at: Set(v.approved_at),
            }
            .insert(&txn)
            .await
            .map_err(storage)?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.plan_get(id).await
    }

    async fn plan_versions(&self, id: PlanId) -> Result<Vec<PlanVersion>> {
        plan_version::Entity::find()
            .filter(plan_version::Column::PlanId.eq(id))
            .order_by_asc(plan_version::Column::Number)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|v| from_json(&v.body_json))
            .collect()
    }

    async fn task_insert_many(
        &self,
        tasks: &[NewTaskRecord],
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Vec<TaskId>> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let ids = insert_tasks(self, &txn, tasks, event).await?;
        let mut audit = audit;
        if ids.len() == 1 {
            audit.entity_id = ids.first().map(|id| id.to_string());
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        work_tally::refresh_tasks(&txn, &ids).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(ids)
    }

    async fn task_get(&self, id: TaskId) -> Result<Option<Task>> {
        // Status needs "today"; storage has no clock, so services re-derive it (see `Task::status`).
        self.task_one(id, NaiveDate::MIN).await
    }

    async fn task_list(&self, f: &TaskFilter) -> Result<Page<Task>> {
        use task::Column as C;
        let db = self.connection();
        let (branches, conds) = task_filter_parts(f);
        // The count stops at the cap: reading on through a million matches for "how many" would
        // cost more than the page itself. In a scope, each task is counted by the first branch
        // that lets it in (a branch's count leaves out the tasks of the branches before it), so
        // that no union of ids is built; the counts stop once their sum is past the cap.
        let n = if branches.is_empty() {
            // No filter at all means no WHERE clause (not `WHERE TRUE`), so the scan reads the
            // smallest index.
            let mut counted = task::Entity::find().select_only().column(C::Id);
            let all = conds.on_task();
            if !all.is_empty() {
                counted = counted.filter(all);
            }
            self.count_rows(counted.limit(TASK_COUNT_CAP + 1).into_query()).await?
        } else {
            let mut n = 0;
            let mut before = Cond::any();
            for b in &branches {
                let q = b.ids(&conds, &before).limit(TASK_COUNT_CAP + 1 - n).to_owned();
                n += self.count_rows(q).await?;
                if n > TASK_COUNT_CAP {
                    break;
                }
                before = before.add(b.cond());
            }
            n
        };
        let (total, total_capped) = if n > TASK_COUNT_CAP { (TASK_COUNT_CAP, true) } else { (n, false) };
        // The page. With a scope (an officer: the agency's tasks, the lead unit's, the
        // coordinated and the assigned ones), each branch gives its own first
        // `offset + limit` in list order, which an index on the branch's column serves; the page
        // is taken from their union. One `OR` over the branches would read every task in scope,
        // then sort them all.
        let select = if !branches.is_empty() {
            let first = f.offset + f.limit;
            let any = branches
                .iter()
                .fold(Cond::any(), |any, branch| any.add(C::Id.in_subquery(branch.first_ids(&conds, f.sort, first))));
            task::Entity::find().filter(any)
        } else {
            let all = conds.on_task();
            if all.is_empty() { task::Entity::find() } else { task::Entity::find().filter(all) }
        };
        let rows = task_order(select, f.sort).offset(f.offset).limit(f.limit).all(db).await.map_err(storage)?;
        let today = f.today.unwrap_or(NaiveDate::MIN);
        Ok(Page {
            items: self.hydrate_tasks(rows, today).await?,
            total,
            total_capped,
            offset: f.offset,
            limit: f.limit,
        })
    }

    async fn task_update(
        &self,
        id: TaskId,
        row_version: i32,
        fields: &TaskFields,
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Option<Task>> {
        use task::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let lead = org_unit::Entity::find_by_id(fields.lead_org_id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("đơn vị", fields.lead_org_id.to_string()))?;
        let res = task::Entity::update_many()
            .col_expr(C::Code, Expr::value(fields.code.clone()))
            .col_expr(C::Title, Expr::value(fields.title.clone()))
            .col_expr(C::SearchKey, Expr::value(textvi::fold(&fields.title)))
            .col_expr(C::Description, Expr::value(fields.description.clone()))
            .col_expr(C::LeadOrgId, Expr::value(fields.lead_org_id))
            .col_expr(
                C::LeadAgencyPath,
                // Empty when the new lead unit is of the task's own agency (see `task_agency_keys`).
                Expr::case(Expr::col(C::AgencyPath).eq(agency_path(&lead.path)), "")
                    .finally(agency_path(&lead.path))
                    .into(),
            )
            .col_expr(C::LeadPath, Expr::value(lead.path))
            .col_expr(C::StartDate, Expr::value(fields.start_date))
            .col_expr(C::Deadline, Expr::value(fields.deadline))
            .col_expr(C::ParentId, Expr::value(fields.parent_id))
            .col_expr(C::State, Expr::value(fields.state.as_str()))
            .col_expr(C::Progress, Expr::value(fields.progress as i16))
            .col_expr(C::CompletedOn, Expr::value(fields.completed_on))
            .col_expr(C::Rating, Expr::value(fields.rating.map(|r| r as i16)))
            .col_expr(C::RowVersion, Expr::value(row_version + 1))
            .col_expr(C::UpdatedAt, Expr::value(event.at))
            .filter(C::Id.eq(id))
            .filter(C::RowVersion.eq(row_version))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        write_links(&txn, id, fields).await.map_err(storage)?;
        insert_event(&txn, id, row_version + 1, event).await?;
        append_audit(&txn, audit).await.map_err(storage)?;
        work_tally::refresh_tasks(&txn, &[id]).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.task_one(id, NaiveDate::MIN).await
    }

    async fn task_comment(&self, id: TaskId, event: &NewTaskEvent, audit: AuditDraft) -> Result<TaskEvent> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let t = task::Entity::find_by_id(id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("nhiệm vụ", id.to_string()))?;
        let saved = insert_event(&txn, id, t.row_version, event).await?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        event_from(saved)
    }

    async fn task_events(&self, id: TaskId, after_version: Option<i32>) -> Result<Vec<TaskEvent>> {
        let mut q = task_event::Entity::find().filter(task_event::Column::TaskId.eq(id));
        if let Some(v) = after_version {
            q = q.filter(task_event::Column::RowVersion.gt(v));
        }
        q.order_by_asc(task_event::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(event_from)
            .collect()
    }

    async fn evidence_insert(
        &self,
        task_id: TaskId,
        name: &str,
        file: Option<(&str, &[u8])>,
        url: Option<&str>,
        event: &NewTaskEvent,
        audit: AuditDraft,
    ) -> Result<Evidence> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let t = task::Entity::find_by_id(task_id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("nhiệm vụ", task_id.to_string()))?;
        let (content_type, size, digest) = match file {
            Some((mime, bytes)) => {
                let digest = super::put_blob(&txn, bytes).await.map_err(storage)?;
                (Some(mime.to_string()), Some(bytes.len() as i64), Some(digest))
            }
            None => (None, None, None),
        };
        let saved = evidence::ActiveModel {
            task_id: Set(task_id),
            name: Set(name.into()),
            content_type: Set(content_type),
            size: Set(size),
            sha256: Set(digest),
            url: Set(url.map(str::to_string)),
            added_by: Set(event.actor.clone()),
            added_at: Set(event.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        insert_event(&txn, task_id, t.row_version, event).await?;
        let mut audit = audit;
        audit.entity_id = Some(task_id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(evidence_from(saved))
    }

    async fn evidence_list(&self, task_id: TaskId) -> Result<Vec<Evidence>> {
        Ok(evidence::Entity::find()
            .filter(evidence::Column::TaskId.eq(task_id))
            .order_by_asc(evidence::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(evidence_from)
            .collect())
    }

    async fn evidence_file(&self, id: i64) -> Result<Option<(Evidence, Vec<u8>)>> {
        let db = self.connection();
        let Some(e) = evidence::Entity::find_by_id(id).one(db).await.map_err(storage)? else {
            return Ok(None);
        };
        let Some(digest) = e.sha256.clone() else { return Ok(None) };
        let data = blob_data(db, &digest).await.map_err(storage)?;
        Ok(data.map(|d| (evidence_from(e), d)))
    }

    async fn task_children(&self, id: TaskId) -> Result<Vec<Task>> {
        let rows = task::Entity::find()
            .filter(task::Column::ParentId.eq(id))
            .order_by_asc(task::Column::Code)
            .order_by_asc(task::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?;
        self.hydrate_tasks(rows, NaiveDate::MIN).await
    }

    async fn framework_tally(
        &self,
        framework_id: i64,
        within: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<ItemTally>> {
        work_tally::read(self, framework_id, within, today).await.map_err(storage)
    }

    async fn task_count_by_agency(&self, f: &TaskFilter) -> Result<Vec<(String, u64)>> {
        use task::Column as C;
        if f.scope.is_some() {
            return Err(DomainError::Storage("task_count_by_agency: a scoped filter".into()));
        }
        // The same conditions as the list (`task_filter_parts`), one count per agency.
        let (_, conds) = task_filter_parts(f);
        let mut q = task::Entity::find()
            .select_only()
            .column(C::AgencyPath)
            .column_as(C::Id.count(), "n")
            .group_by(C::AgencyPath);
        let all = conds.on_task();
        if !all.is_empty() {
            q = q.filter(all);
        }
        let rows: Vec<(String, i64)> = q.into_tuple().all(self.connection()).await.map_err(storage)?;
        Ok(rows.into_iter().map(|(path, n)| (path, u64::try_from(n).unwrap_or(0))).collect())
    }

    async fn kpi_tasks(&self, scope: KpiScope<'_>, from: NaiveDate, to: NaiveDate) -> Result<Vec<KpiTask>> {
        use task::Column as C;
        let db = self.connection();
        let approved = Query::select()
            .column(plan::Column::Id)
            .from(plan::Entity)
            .and_where(plan::Column::ApprovedVersion.gt(0))
            .to_owned();
        // Tasks with an assignee matching `who`.
        let assigned = |who: Expr| {
            C::Id.in_subquery(
                Query::select()
                    .column(task_assignee::Column::TaskId)
                    .from(task_assignee::Entity)
                    .and_where(who)
                    .to_owned(),
            )
        };
        let in_scope = match scope {
            KpiScope::LeadWithin(path) => C::LeadPath.like(like_prefix(path)),
            KpiScope::AssigneesWithin(path) => assigned(
                task_assignee::Column::UserId.in_subquery(
                    Query::select()
                        .column(user::Column::Id)
                        .from(user::Entity)
                        .and_where(
                            user::Column::OrgId.in_subquery(
                                Query::select()
                                    .column(org_unit::Column::Id)
                                    .from(org_unit::Entity)
                                    .and_where(org_unit::Column::Path.like(like_prefix(path)))
                                    .to_owned(),
                            ),
                        )
                        .to_owned(),
                ),
            ),
            KpiScope::Assignee(id) => assigned(task_assignee::Column::UserId.eq(id)),
        };
        type Row = (i64, String, String, i64, NaiveDate, String, Option<NaiveDate>, Option<i16>);
        let rows: Vec<Row> = task::Entity::find()
            .select_only()
            .column(C::Id)
            .column(C::Code)
            .column(C::Title)
            .column(C::LeadOrgId)
            .column(C::Deadline)
            .column(C::State)
            .column(C::CompletedOn)
            .column(C::Rating)
            .filter(C::Deadline.between(from, to))
            .filter(C::PlanId.in_subquery(approved))
            .filter(in_scope)
            .order_by_asc(C::Deadline)
            .order_by_asc(C::Id)
            .into_tuple()
            .all(db)
            .await
            .map_err(storage)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut people: HashMap<i64, Vec<UserId>> = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            for a in task_assignee::Entity::find()
                .filter(task_assignee::Column::TaskId.is_in(chunk.to_vec()))
                .all(db)
                .await
                .map_err(storage)?
            {
                people.entry(a.task_id).or_default().push(a.user_id);
            }
        }
        rows.into_iter()
            .map(|(task_id, code, title, lead_org_id, deadline, state, completed_on, rating)| {
                Ok(KpiTask {
                    task_id,
                    code,
                    title,
                    assignees: people.remove(&task_id).unwrap_or_default(),
                    lead_org_id,
                    deadline,
                    state: TaskState::parse(&state)?,
                    completed_on,
                    rating: rating.map(|r| r.clamp(0, 5) as u8),
                })
            })
            .collect()
    }

    async fn open_tasks_due_by(&self, until: NaiveDate) -> Result<Vec<Task>> {
        let running = Query::select()
            .column(plan::Column::Id)
            .from(plan::Entity)
            .and_where(plan::Column::Status.is_in([PlanStatus::Approved.as_str(), PlanStatus::InExecution.as_str()]))
            .to_owned();
        let rows = task::Entity::find()
            .filter(task::Column::PlanId.in_subquery(running))
            .filter(task::Column::State.is_in([TaskState::NotStarted.as_str(), TaskState::InProgress.as_str()]))
            .filter(task::Column::Deadline.lte(until))
            .order_by_asc(task::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?;
        self.hydrate_tasks(rows, NaiveDate::MIN).await
    }
}
