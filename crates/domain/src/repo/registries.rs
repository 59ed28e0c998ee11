//! Storage contract for the registries: information systems, databases and projects, each row
//! with its owner unit's path (scoped lists are path ranges), a `row_version` for optimistic
//! updates, and every saved version kept with the time it took effect, so the tables of a report
//! can be read as they stood on any day. Services check every rule before calling these.
//!
//! A write of an information system also rewrites the owner unit's registry-derived indicator
//! values ([`FeedPlan`]) in the same transaction, counted from the rows as they are after the
//! write.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::org::{OrgId, Page};
use crate::registries::{
    Database, DatabaseKind, InformationSystem, Project, ProjectStatus, RegistryKind, SystemFigure,
};
use crate::repo::indicators::ValueRecord;
use crate::users::UserId;

/// One registry entry, whichever registry it is in.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryEntry {
    System(InformationSystem),
    Database(Database),
    Project(Project),
}

impl RegistryEntry {
    pub fn kind(&self) -> RegistryKind {
        match self {
            RegistryEntry::System(_) => RegistryKind::System,
            RegistryEntry::Database(_) => RegistryKind::Database,
            RegistryEntry::Project(_) => RegistryKind::Project,
        }
    }
    pub fn id(&self) -> i64 {
        match self {
            RegistryEntry::System(x) => x.id,
            RegistryEntry::Database(x) => x.id,
            RegistryEntry::Project(x) => x.id,
        }
    }
    pub fn set_id(&mut self, id: i64) {
        match self {
            RegistryEntry::System(x) => x.id = id,
            RegistryEntry::Database(x) => x.id = id,
            RegistryEntry::Project(x) => x.id = id,
        }
    }
    pub fn org_id(&self) -> OrgId {
        match self {
            RegistryEntry::System(x) => x.org_id,
            RegistryEntry::Database(x) => x.org_id,
            RegistryEntry::Project(x) => x.org_id,
        }
    }
    pub fn name(&self) -> &str {
        match self {
            RegistryEntry::System(x) => &x.name,
            RegistryEntry::Database(x) => &x.name,
            RegistryEntry::Project(x) => &x.name,
        }
    }
    /// The entry as JSON (history rows, audit entries).
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            RegistryEntry::System(x) => serde_json::to_value(x),
            RegistryEntry::Database(x) => serde_json::to_value(x),
            RegistryEntry::Project(x) => serde_json::to_value(x),
        };
        v.unwrap_or_default()
    }
    /// Reads back what [`RegistryEntry::to_json`] wrote.
    pub fn from_json(kind: RegistryKind, v: serde_json::Value) -> Result<Self> {
        let bad = |e: serde_json::Error| crate::DomainError::Storage(format!("registry history: {e}"));
        Ok(match kind {
            RegistryKind::System => RegistryEntry::System(serde_json::from_value(v).map_err(bad)?),
            RegistryKind::Database => RegistryEntry::Database(serde_json::from_value(v).map_err(bad)?),
            RegistryKind::Project => RegistryEntry::Project(serde_json::from_value(v).map_err(bad)?),
        })
    }
}

/// What storage keeps beside an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryMeta {
    pub row_version: i32,
    /// The owner unit's materialised path.
    pub org_path: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub entry: RegistryEntry,
    pub meta: EntryMeta,
}

/// Systems by their next inspection's due date: none (unscheduled), or inside a range (either
/// end open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    Unscheduled,
    Between(Option<NaiveDate>, Option<NaiveDate>),
}

/// Systems that [`SystemFigure`] counts on `today` (`counted`), or those it leaves out. Storage
/// matches the rule of [`SystemFigure`] on its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureFilter {
    pub figure: SystemFigure,
    pub counted: bool,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegistryOrder {
    /// By name (then id).
    #[default]
    Name,
    /// Systems by next inspection due, soonest first, unscheduled last.
    Due,
}

/// A list query. `scope` restricts to the subtrees the caller may read (`None`: everything);
/// `org_path` to one subtree the caller chose.
#[derive(Debug, Clone)]
pub struct RegistryFilter {
    pub kind: RegistryKind,
    pub scope: Option<Vec<String>>,
    pub org_path: Option<String>,
    /// Folded text matched inside the name (and the other searchable text of the entry).
    pub text: Option<String>,
    pub database_kind: Option<DatabaseKind>,
    pub security_level: Option<u8>,
    pub due: Option<DueFilter>,
    /// Systems a registry figure counts (or leaves out) on a day.
    pub figure: Option<FigureFilter>,
    pub project_status: Option<ProjectStatus>,
    /// Projects whose years include this one.
    pub year: Option<i32>,
    pub order: RegistryOrder,
    pub offset: u64,
    pub limit: u64,
}

impl RegistryFilter {
    pub fn new(kind: RegistryKind) -> Self {
        Self {
            kind,
            scope: None,
            org_path: None,
            text: None,
            database_kind: None,
            security_level: None,
            due: None,
            figure: None,
            project_status: None,
            year: None,
            order: RegistryOrder::Name,
            offset: 0,
            limit: 50,
        }
    }
}

/// One registry-derived indicator: which figure goes to which stored indicator and period.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedIndicator {
    pub indicator_id: i64,
    pub figure: SystemFigure,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_months: i16,
}

/// How a write recomputes the owner units' registry-derived indicator values: the figures
/// counted on `today` over each unit's information systems, stored for each indicator's current
/// period with [`crate::registries::FEED_COMMENT`], by `stored_by`.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPlan {
    pub indicators: Vec<FeedIndicator>,
    pub today: NaiveDate,
    pub stored_by: UserId,
}

impl FeedPlan {
    /// The value rows of `org_id` counted over its systems (all of them, as stored after the
    /// write).
    pub fn records(&self, org_id: OrgId, systems: &[InformationSystem]) -> Vec<ValueRecord> {
        self.indicators
            .iter()
            .map(|i| ValueRecord {
                indicator_id: i.indicator_id,
                org_id,
                period: i.period.clone(),
                period_start: i.period_start,
                period_months: i.period_months,
                value: Some(i.figure.count(systems, self.today) as f64),
                text_value: None,
                comment: Some(crate::registries::FEED_COMMENT.to_string()),
                flagged: false,
            })
            .collect()
    }
}

/// A write: a new entry (`row_version` `None`; its id is ignored) or a change of the stored one
/// at `row_version`. `org_path` is the owner unit's path.
pub struct RegistryWrite<'a> {
    pub entry: &'a RegistryEntry,
    pub org_path: &'a str,
    pub row_version: Option<i32>,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub audit: AuditDraft,
    /// Set for information systems: the owner units' figures to recompute in the transaction.
    pub feed: Option<&'a FeedPlan>,
}

#[async_trait]
pub trait RegistryStore {
    async fn registry_list(&self, filter: &RegistryFilter) -> Result<Page<StoredEntry>>;

    async fn registry_get(&self, kind: RegistryKind, id: i64) -> Result<Option<StoredEntry>>;

    /// Inserts or updates in one transaction with its history row, the audit entry and, for a
    /// system, the owner units' indicator values. `None` when the stored row is not at
    /// `row_version` (or is gone): nothing is written.
    async fn registry_save(&self, write: RegistryWrite<'_>) -> Result<Option<StoredEntry>>;

    /// Deletes (only at `row_version`, when given) with the audit entry and, for a system, the
    /// owner unit's indicator values; false when nothing matched.
    #[allow(clippy::too_many_arguments)]
    async fn registry_delete(
        &self,
        kind: RegistryKind,
        id: i64,
        row_version: Option<i32>,
        by: UserId,
        at: DateTime<Utc>,
        audit: AuditDraft,
        feed: Option<&FeedPlan>,
    ) -> Result<bool>;

    /// The entry as it was saved at `row_version` (from its history).
    async fn registry_version(&self, kind: RegistryKind, id: i64, row_version: i32) -> Result<Option<RegistryEntry>>;

    /// Every entry of units under `paths` as it stood at the instant `at` (entries created
    /// later left out, entries deleted since put back as they were), with the version then
    /// current (its `updated_at` is when that version was saved), in registry and name order.
    async fn registry_as_of(&self, paths: &[String], at: DateTime<Utc>) -> Result<Vec<StoredEntry>>;

    /// Systems whose next inspection is due on or before `until` (overdue ones included).
    async fn systems_due_by(&self, until: NaiveDate) -> Result<Vec<StoredEntry>>;

    /// Units with information systems whose figure for `indicator_id` in `period` is missing.
    async fn registry_units_without_value(&self, indicator_id: i64, period: &str) -> Result<Vec<OrgId>>;

    /// Units with a system whose next inspection fell due in `from..=to`.
    async fn registry_units_due_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<OrgId>>;

    /// Recomputes the figures of `org_ids` in one transaction; writes (and audits) only when a
    /// value changes, each unit's values stored by whoever last changed its systems (`feed`'s
    /// `stored_by` when none is known). Returns how many values changed.
    async fn registry_feed_refresh(&self, org_ids: &[OrgId], feed: &FeedPlan, audit: AuditDraft) -> Result<u64>;
}
