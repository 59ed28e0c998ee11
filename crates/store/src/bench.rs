//! Bench-only fast paths for `dxgov bench-data`, which fills a database with synthetic national
//! load (about 1,000,000 tasks) in minutes.
//!
//! **Not for production use.** These writes skip the services' rules, write no task history and
//! no audit entry, and do not bump `row_version`. They exist because setting the state of a
//! million tasks one by one through `Services::report_progress` (one transaction, one history
//! entry and one audit entry each) would take hours. Nothing but the `bench-data` command calls
//! them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use domain::work::{TaskId, TaskState};

use crate::entities::work::{task, task_assignee};
use crate::{Db, StoreError};

/// The state a synthetic task ends up in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchTaskState {
    pub id: TaskId,
    pub state: TaskState,
    pub progress: u8,
    pub completed_on: Option<NaiveDate>,
    pub rating: Option<u8>,
}

/// Ids per `UPDATE … WHERE id IN (…)` (well under SQLite's and PostgreSQL's bind limits).
const IDS_PER_UPDATE: usize = 1000;

impl Db {
    /// **Bench only** (see the module): sets state, progress, completion date and rating of many
    /// tasks in one transaction, one `UPDATE … WHERE id IN (…)` per group of equal values.
    /// Returns the number of rows updated.
    pub async fn bench_set_states(&self, rows: &[BenchTaskState]) -> Result<u64, StoreError> {
        type Key = (&'static str, i16, Option<NaiveDate>, Option<i16>);
        let mut groups: BTreeMap<Key, Vec<TaskId>> = BTreeMap::new();
        for r in rows {
            groups
                .entry((r.state.as_str(), r.progress.min(100) as i16, r.completed_on, r.rating.map(|x| x as i16)))
                .or_default()
                .push(r.id);
        }
        let (_guard, txn) = self.begin_write().await?;
        let mut updated = 0;
        for ((state, progress, completed_on, rating), ids) in groups {
            for chunk in ids.chunks(IDS_PER_UPDATE) {
                let res = task::Entity::update_many()
                    .col_expr(task::Column::State, Expr::value(state))
                    .col_expr(task::Column::Progress, Expr::value(progress))
                    .col_expr(task::Column::CompletedOn, Expr::value(completed_on))
                    .col_expr(task::Column::Rating, Expr::value(rating))
                    .filter(task::Column::Id.is_in(chunk.to_vec()))
                    .exec(&txn)
                    .await?;
                updated += res.rows_affected;
                // The copy of the status kept with each assignment (see `task_assignees`).
                task_assignee::Entity::update_many()
                    .col_expr(task_assignee::Column::State, Expr::value(state))
                    .col_expr(task_assignee::Column::CompletedOn, Expr::value(completed_on))
                    .filter(task_assignee::Column::TaskId.is_in(chunk.to_vec()))
                    .exec(&txn)
                    .await?;
            }
        }
        // Written past the task services: the national view's tally is rebuilt on first read.
        crate::repo::invalidate_tally(&txn).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// **Bench only**: row counts of the work tables, for the load report.
    pub async fn bench_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        use sea_orm::{ConnectionTrait, Statement};
        let mut out = Vec::new();
        for table in ["plans", "tasks", "task_events", "task_assignees", "plan_versions", "audit_log", "users"] {
            let row = self
                .connection()
                .query_one_raw(Statement::from_string(self.backend(), format!("SELECT COUNT(*) AS n FROM {table}")))
                .await?
                .ok_or_else(|| StoreError::Other(format!("no count for {table}")))?;
            let n: i64 = row.try_get("", "n")?;
            out.push((table, n as u64));
        }
        Ok(out)
    }

    /// **Bench only**: task counts by stored state.
    pub async fn bench_states(&self) -> Result<Vec<(String, u64)>, StoreError> {
        use sea_orm::QuerySelect;
        let rows: Vec<(String, i64)> = task::Entity::find()
            .select_only()
            .column(task::Column::State)
            .column_as(task::Column::Id.count(), "n")
            .group_by(task::Column::State)
            .into_tuple()
            .all(self.connection())
            .await?;
        Ok(rows.into_iter().map(|(s, n)| (s, n as u64)).collect())
    }
}
