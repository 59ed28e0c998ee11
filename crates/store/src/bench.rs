//! Bench-only fast paths for `dxgov bench-data`, which fills a database with synthetic national
//! load (about 1,000,000 tasks) in minutes, and `dxgov bench-indicators` (about 12,000,000
//! indicator values).
//!
//! **Not for production use.** These writes skip the services' rules, write no task history and
//! no audit entry, and do not bump `row_version`. They exist because setting the state of a
//! million tasks one by one through `Services::report_progress` (one transaction, one history
//! entry and one audit entry each) would take hours, and so would 12,000,000 values through the
//! import's checks. Nothing but the bench commands calls them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};

use domain::repo::indicators::ValueRecord;
use domain::users::UserId;
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

    /// **Bench only** (see the module): writes indicator values in one transaction with the
    /// statements of `values_write`, without looking at what is stored (a key written twice
    /// keeps the last value) and without an audit entry. On SQLite the transaction's connection
    /// gets a larger page cache, which keeps the indexes of `data_values` in memory while they
    /// grow.
    pub async fn bench_insert_values(
        &self,
        rows: &[ValueRecord],
        stored_by: UserId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let (_guard, txn) = self.begin_write().await?;
        if self.backend() == DbBackend::Sqlite {
            txn.execute_unprepared("PRAGMA cache_size = -262144").await?; // 256 MiB
        }
        let refs: Vec<&ValueRecord> = rows.iter().collect();
        crate::repo::upsert_values(&txn, &refs, stored_by, at).await?;
        txn.commit().await?;
        Ok(rows.len() as u64)
    }

    /// **Bench only**: the database's size in bytes (SQLite: pages in use × page size;
    /// PostgreSQL: the tables and indexes of the current schema).
    pub async fn bench_database_bytes(&self) -> Result<u64, StoreError> {
        let sql = match self.backend() {
            DbBackend::Postgres => {
                "SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) AS n FROM pg_class c \
                 JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() AND c.relkind = 'r'"
            }
            _ => "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
        };
        let row = self
            .connection()
            .query_one_raw(Statement::from_string(self.backend(), sql))
            .await?
            .ok_or_else(|| StoreError::Other("no database size".into()))?;
        let n: i64 = row.try_get("", "n")?;
        Ok(n as u64)
    }

    /// **Bench only**: row counts of the work tables, for the load report.
    pub async fn bench_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
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
