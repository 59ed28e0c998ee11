//! Storage contract for the working-day calendar, settings, notifications and calendar feeds.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::calendar::CalendarDay;
use crate::notify::{NewNotification, Notification, OutboxMail};
use crate::users::{User, UserId};

#[async_trait]
pub trait NotifyStore: Send + Sync {
    // Working-day calendar
    async fn calendar_days(&self) -> Result<Vec<CalendarDay>>;
    /// Adds the shipped days of the years that have no day in the table yet, so an admin's edits
    /// (deletions too) of a year are never overwritten.
    async fn calendar_seed(&self, days: &[CalendarDay]) -> Result<u64>;
    async fn calendar_put(&self, day: &CalendarDay, audit: AuditDraft) -> Result<()>;
    async fn calendar_delete(&self, date: NaiveDate, audit: AuditDraft) -> Result<bool>;

    // Settings (JSON values by key)
    async fn setting_get(&self, key: &str) -> Result<Option<serde_json::Value>>;
    async fn setting_put(
        &self,
        key: &str,
        value: &serde_json::Value,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()>;

    // Notifications
    /// Creates the notification (and its e-mail, when an address is given) unless one with the
    /// same key exists; true when created.
    async fn notify(&self, n: &NewNotification) -> Result<bool>;
    async fn notifications(&self, user_id: UserId, limit: u64) -> Result<Vec<Notification>>;
    async fn unread_count(&self, user_id: UserId) -> Result<u64>;
    /// Marks one notification (or all when `id` is `None`) of the user as read.
    async fn mark_read(&self, user_id: UserId, id: Option<i64>, at: DateTime<Utc>) -> Result<u64>;
    /// Claims up to `limit` unsent e-mails (marked sent before sending: at most once).
    async fn outbox_claim(&self, limit: u64, at: DateTime<Utc>) -> Result<Vec<OutboxMail>>;
    /// Puts a claimed e-mail back after a failed attempt.
    async fn outbox_failed(&self, id: i64, error: &str) -> Result<()>;

    /// Users holding `role` on one of the units `org_ids`.
    async fn users_with_role_on(&self, role: crate::auth::Role, org_ids: &[i64]) -> Result<Vec<(User, i64)>>;

    // Calendar feeds (secret URL per user, stored as a digest)
    async fn feed_set(&self, user_id: UserId, digest: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<()>;
    async fn feed_user(&self, digest: &str) -> Result<Option<UserId>>;
}
