//! Storage contract for work schedules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::org::OrgId;
use crate::schedule::{ScheduleEvent, ScheduleEventId};
use crate::users::UserId;

/// The fields of an event as services decided them; storage writes them all.
#[derive(Debug, Clone)]
pub struct ScheduleFields {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub title: String,
    pub place: String,
    pub chair_id: Option<UserId>,
    pub chair_text: Option<String>,
    pub participants: Vec<UserId>,
    pub participants_text: String,
    pub preparing_org_id: Option<OrgId>,
    pub notes: String,
}

/// An entry of an event's history: who changed what, and the row version it produced.
#[derive(Debug, Clone)]
pub struct ScheduleChange {
    pub at: DateTime<Utc>,
    pub actor_id: UserId,
    pub actor: String,
    /// "Thời gian: 08:00–10:00 23/11/2026 → 09:00–11:00 23/11/2026"; empty for a creation.
    pub changes: Vec<String>,
    pub row_version: i32,
}

/// Which events to load.
#[derive(Debug, Clone)]
pub struct ScheduleFilter {
    /// Events of this unit only (any unit when `None`).
    pub org_id: Option<OrgId>,
    /// The window, end exclusive: events that start in it, or that overlap it when `overlap`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub overlap: bool,
    /// Only events whose chair or a participant is one of these users (anyone when empty).
    pub people: Vec<UserId>,
    pub published_only: bool,
}

#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Inserts an event of `org_id` as a draft with its first history entry; returns its id.
    async fn schedule_insert(
        &self,
        org_id: OrgId,
        fields: &ScheduleFields,
        change: &ScheduleChange,
        audit: AuditDraft,
    ) -> Result<ScheduleEventId>;
    async fn schedule_get(&self, id: ScheduleEventId) -> Result<Option<ScheduleEvent>>;
    /// By start time, then id.
    async fn schedule_list(&self, filter: &ScheduleFilter) -> Result<Vec<ScheduleEvent>>;
    /// Writes `fields` when `row_version` still matches (`None` when it does not), appending
    /// `change`; `adjusted` marks a published event as edited since publication.
    async fn schedule_update(
        &self,
        id: ScheduleEventId,
        row_version: i32,
        fields: &ScheduleFields,
        change: &ScheduleChange,
        adjusted: bool,
        audit: AuditDraft,
    ) -> Result<Option<ScheduleEvent>>;
    /// Deletes the event with its history when `row_version` (if given) still matches; false
    /// when it does not.
    async fn schedule_delete(&self, id: ScheduleEventId, row_version: Option<i32>, audit: AuditDraft) -> Result<bool>;
    /// History entries that produced a row version after `after_version`, oldest first.
    async fn schedule_changes(&self, id: ScheduleEventId, after_version: i32) -> Result<Vec<ScheduleChange>>;
    /// Publishes the drafts of `org_id` that start in `from..to`; returns how many.
    async fn schedule_publish(
        &self,
        org_id: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<u64>;
}
