//! The national view's tally: framework tasks counted per (framework item, agency) and status,
//! so that "who adopted item 3.2 and how far along is everyone" reads one row per adopting
//! agency instead of every task in the country.
//!
//! Statuses depend on the day (an open task past its deadline is overdue), so the tally holds
//! them as of one day, `task_tally_day.day`:
//! - every task write re-counts the agencies it touched, for that day ([`refresh_tasks`]);
//! - the first reader on a new day moves it forward, re-counting only agencies with open tasks
//!   whose deadline lies between the two days ([`read`]);
//! - `day = NULL` (a new or restored database, the bench loader) means "rebuild on first read".
//!
//! Every tally write runs after the transaction took the audit head's lock (writers append an
//! audit entry first; the reader locks it), so on PostgreSQL they take turns and each counts
//! what the others committed; on SQLite the process-wide write lock already orders them.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use domain::repo::work::ItemTally;
use domain::work::{TaskId, TaskState, TaskStatus};

use super::work::under;
use super::{BATCH, lock_audit_head};
use crate::Db;
use crate::entities::work::{framework_item, task, task_tally, task_tally_day};

/// The tally's columns, in the order of [`TaskStatus::ALL`].
const STATUS_COLUMNS: [task_tally::Column; 7] = [
    task_tally::Column::NotStarted,
    task_tally::Column::InProgress,
    task_tally::Column::Completed,
    task_tally::Column::CompletedLate,
    task_tally::Column::Overdue,
    task_tally::Column::Paused,
    task_tally::Column::Cancelled,
];

fn slot(status: TaskStatus) -> usize {
    TaskStatus::ALL.iter().position(|s| *s == status).unwrap_or(0)
}

async fn tally_day(db: &impl ConnectionTrait) -> Result<Option<NaiveDate>, DbErr> {
    Ok(task_tally_day::Entity::find_by_id(1).one(db).await?.and_then(|r| r.day))
}

async fn set_day(txn: &DatabaseTransaction, day: Option<NaiveDate>) -> Result<(), DbErr> {
    task_tally_day::Entity::update_many()
        .col_expr(task_tally_day::Column::Day, Expr::value(day))
        .filter(task_tally_day::Column::Id.eq(1))
        .exec(txn)
        .await?;
    Ok(())
}

/// Re-counts the agencies owning `tasks` (those linked to a framework item). Call after the
/// transaction's audit entry (see the module).
pub(super) async fn refresh_tasks(txn: &DatabaseTransaction, tasks: &[TaskId]) -> Result<(), DbErr> {
    let Some(day) = tally_day(txn).await? else { return Ok(()) };
    let mut orgs: Vec<i64> = Vec::new();
    for chunk in tasks.chunks(BATCH) {
        let found: Vec<i64> = task::Entity::find()
            .select_only()
            .column(task::Column::OrgId)
            .distinct()
            .filter(task::Column::Id.is_in(chunk.to_vec()))
            .filter(task::Column::FrameworkItemId.is_not_null())
            .into_tuple()
            .all(txn)
            .await?;
        orgs.extend(found);
    }
    orgs.sort_unstable();
    orgs.dedup();
    recount(txn, &orgs, day).await
}

/// Marks the tally for a rebuild on first read: after writes that bypass [`refresh_tasks`]
/// (a restore, the bench loader).
pub(super) async fn invalidate(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    set_day(txn, None).await
}

/// Replaces the tally rows of `orgs` with their framework tasks counted as of `day`.
async fn recount(txn: &DatabaseTransaction, orgs: &[i64], day: NaiveDate) -> Result<(), DbErr> {
    use task::Column as C;
    for chunk in orgs.chunks(BATCH) {
        task_tally::Entity::delete_many().filter(task_tally::Column::OrgId.is_in(chunk.to_vec())).exec(txn).await?;
        type Row = (i64, i64, String, String, NaiveDate, Option<NaiveDate>, i64);
        let rows: Vec<Row> = task::Entity::find()
            .select_only()
            .column(C::FrameworkItemId)
            .column(C::OrgId)
            .column(C::OrgPath)
            .column(C::State)
            .column(C::Deadline)
            .column(C::CompletedOn)
            .column_as(C::Id.count(), "n")
            .filter(C::OrgId.is_in(chunk.to_vec()))
            .filter(C::FrameworkItemId.is_not_null())
            .group_by(C::FrameworkItemId)
            .group_by(C::OrgId)
            .group_by(C::OrgPath)
            .group_by(C::State)
            .group_by(C::Deadline)
            .group_by(C::CompletedOn)
            .into_tuple()
            .all(txn)
            .await?;
        let mut counts: HashMap<(i64, i64), (String, [i64; 7])> = HashMap::new();
        for (item, org, path, state, deadline, completed_on, n) in rows {
            let state = TaskState::parse(&state).map_err(|e| DbErr::Custom(e.to_string()))?;
            let entry = counts.entry((item, org)).or_insert_with(|| (path, [0; 7]));
            entry.1[slot(TaskStatus::of(state, deadline, completed_on, day))] += n;
        }
        let models: Vec<task_tally::ActiveModel> = counts
            .into_iter()
            .map(|((item, org), (path, n))| task_tally::ActiveModel {
                framework_item_id: Set(item),
                org_id: Set(org),
                org_path: Set(path),
                not_started: Set(n[0]),
                in_progress: Set(n[1]),
                completed: Set(n[2]),
                completed_late: Set(n[3]),
                overdue: Set(n[4]),
                paused: Set(n[5]),
                cancelled: Set(n[6]),
            })
            .collect();
        for batch in models.chunks(BATCH / 5) {
            task_tally::Entity::insert_many(batch.to_vec()).exec_without_returning(txn).await?;
        }
    }
    Ok(())
}

/// Brings the tally to `today`: a rebuild when it has no day, else a re-count of the agencies
/// with open framework tasks whose deadline lies between its day and today.
async fn bring_to(db: &Db, today: NaiveDate) -> Result<(), DbErr> {
    use task::Column as C;
    if tally_day(db.connection()).await? == Some(today) {
        return Ok(());
    }
    let (_guard, txn) = db.begin_write().await?;
    lock_audit_head(&txn).await?;
    let day = tally_day(&txn).await?;
    if day == Some(today) {
        return Ok(());
    }
    let mut q = task::Entity::find().select_only().column(C::OrgId).distinct().filter(C::FrameworkItemId.is_not_null());
    if let Some(day) = day {
        q = q
            .filter(C::State.is_in([TaskState::NotStarted.as_str(), TaskState::InProgress.as_str()]))
            .filter(C::Deadline.gte(Ord::min(day, today)))
            .filter(C::Deadline.lt(Ord::max(day, today)));
    } else {
        task_tally::Entity::delete_many().exec(&txn).await?;
    }
    let orgs: Vec<i64> = q.into_tuple().all(&txn).await?;
    recount(&txn, &orgs, today).await?;
    set_day(&txn, Some(today)).await?;
    txn.commit().await
}

/// For each item of a framework: adopting agencies and tasks by status as of `today`, across
/// the country or under `within`.
pub(super) async fn read(
    db: &Db,
    framework_id: i64,
    within: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<ItemTally>, DbErr> {
    use task_tally::Column as T;
    bring_to(db, today).await?;
    let conn = db.connection();
    let items: Vec<i64> = framework_item::Entity::find()
        .select_only()
        .column(framework_item::Column::Id)
        .filter(framework_item::Column::FrameworkId.eq(framework_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut q = task_tally::Entity::find()
        .select_only()
        .column(T::FrameworkItemId)
        .column_as(T::OrgId.count(), "agencies")
        .filter(T::FrameworkItemId.is_in(items.clone()))
        .group_by(T::FrameworkItemId);
    for (i, col) in STATUS_COLUMNS.iter().enumerate() {
        // PostgreSQL sums bigints as numeric: cast back.
        q = q.column_as(Expr::expr(Func::cast_as(Expr::col(*col).sum(), Alias::new("BIGINT"))), format!("s{i}"));
    }
    // The root's path ("/<id>/") covers every agency: no path condition to test.
    if let Some(p) = within.filter(|p| p.matches('/').count() != 2) {
        q = q.filter(Cond::all().add(under(T::OrgPath, p)));
    }
    type Row = (i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = q.into_tuple().all(conn).await?;
    let mut by_item: HashMap<i64, ItemTally> = rows
        .into_iter()
        .map(|(item, agencies, s0, s1, s2, s3, s4, s5, s6)| {
            let sums = [s0, s1, s2, s3, s4, s5, s6];
            let by_status = TaskStatus::ALL
                .iter()
                .zip(sums)
                .filter_map(|(s, n)| n.filter(|n| *n > 0).map(|n| (*s, n as u64)))
                .collect();
            (item, ItemTally { framework_item_id: item, agencies: agencies as u64, by_status })
        })
        .collect();
    Ok(items
        .into_iter()
        .map(|id| {
            by_item.remove(&id).unwrap_or(ItemTally { framework_item_id: id, agencies: 0, by_status: Vec::new() })
        })
        .collect())
}
