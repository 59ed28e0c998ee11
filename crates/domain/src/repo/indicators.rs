//! Storage contract for indicators: definitions, targets and recorded values. Services check
//! every rule (codes, periods, value types, ranges) before calling these.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::indicators::{Indicator, Tally};
use crate::org::OrgId;
use crate::users::UserId;

/// A definition as stored: its id and version for optimistic concurrency.
#[derive(Debug, Clone)]
pub struct StoredIndicator {
    pub id: i64,
    pub row_version: i32,
    pub updated_at: DateTime<Utc>,
    pub def: Indicator,
}

/// A value as services decided it: the period by its code and its span, the number (numbers
/// and yes/no as 1/0) or the text.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRecord {
    pub indicator_id: i64,
    pub org_id: OrgId,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_months: i16,
    pub value: Option<f64>,
    pub text_value: Option<String>,
    pub comment: Option<String>,
    pub flagged: bool,
}

/// What a write did: new values, changed ones, and ones equal to what was stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub imported: u64,
    pub updated: u64,
    pub ignored: u64,
}

/// A stored value with who wrote it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredValue {
    pub record: ValueRecord,
    pub stored_by: UserId,
    pub stored_at: DateTime<Utc>,
}

/// One number of a roll-up read: which indicator, unit and period, and the value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValuePoint {
    pub indicator_id: i64,
    pub org_id: OrgId,
    pub period_start: NaiveDate,
    pub period_months: i16,
    pub value: f64,
}

/// The values a roll-up reads, by the part each plays in the indicator's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyRoles {
    /// Sum, average, min, max: the indicator's own values, each one input.
    Values(i64),
    /// Ratio of sums: each period of a unit with both a numerator and a denominator is one input.
    Ratio { numerator: i64, denominator: i64 },
    /// Weighted average: each period of a unit with both a value and a weight is one input.
    Weighted { value: i64, weight: i64 },
}

/// The units whose values a roll-up reads: those under `path`, and with `not_valid_on` also
/// every unit not valid on that day, wherever it is (its values may count for successors under
/// `path`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TallyScope<'a> {
    pub path: &'a str,
    pub not_valid_on: Option<NaiveDate>,
}

/// A unit's values summed, with what a roll-up needs of the unit to place them.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitTally {
    pub org_id: OrgId,
    pub path: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub tally: Tally,
}

/// A target as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRecord {
    pub indicator_id: i64,
    pub org_id: OrgId,
    pub period: String,
    pub value: f64,
    pub note: Option<String>,
}

#[async_trait]
pub trait IndicatorStore {
    async fn indicator_list(&self) -> Result<Vec<StoredIndicator>>;

    /// Inserts a new definition (`row_version` None) or updates the one with this code at
    /// that version; `None` back when the version is stale.
    async fn indicator_save(
        &self,
        def: &Indicator,
        row_version: Option<i32>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<StoredIndicator>>;

    /// Writes (insert or replace) values in one transaction and counts what changed; with
    /// `dry_run` the transaction is rolled back and only the counts come back.
    async fn values_write(
        &self,
        rows: &[ValueRecord],
        stored_by: UserId,
        at: DateTime<Utc>,
        dry_run: bool,
        audit: AuditDraft,
    ) -> Result<WriteCounts>;

    /// Values of these indicators whose period starts in `from..=to`, for any unit, as full
    /// records (exports, forms, the data-quality page).
    async fn values_in(
        &self,
        indicator_ids: &[i64],
        org_ids: Option<&[OrgId]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredValue>>;

    /// The numbers a roll-up reads: these indicators, periods starting in `from..=to`, every
    /// unit, straight from the covering index.
    async fn value_points(&self, indicator_ids: &[i64], from: NaiveDate, to: NaiveDate) -> Result<Vec<ValuePoint>>;

    /// Per unit in `scope`, the [`Tally`] of its numbers of periods starting in `from..=to` and at
    /// most `max_months` long, each input as [`TallyRoles`] says. Units with no input are left
    /// out.
    async fn value_tallies(
        &self,
        roles: &TallyRoles,
        scope: &TallyScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        max_months: i16,
    ) -> Result<Vec<UnitTally>>;

    /// Values flagged as outside their indicator's expected range.
    async fn flagged_values(&self, limit: u64) -> Result<Vec<StoredValue>>;

    /// Sets (inserts or replaces) targets in one transaction with one audit entry.
    async fn targets_set(
        &self,
        targets: &[TargetRecord],
        set_by: UserId,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()>;

    /// Targets of these indicators for these periods, of these units (every unit when `None`).
    async fn targets_of(
        &self,
        indicator_ids: &[i64],
        org_ids: Option<&[OrgId]>,
        periods: &[String],
    ) -> Result<Vec<TargetRecord>>;
}
