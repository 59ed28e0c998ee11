//! The storage contract. The `store` crate implements it on SQLite and PostgreSQL; services are
//! its only callers. Every write takes the [`AuditDraft`] that storage appends to the chained log
//! in the same transaction, so a write and its audit entry land together or not at all.

pub mod bulletins;
pub mod feedback;
pub mod indicators;
pub mod notify;
pub mod registries;
pub mod reporting;
pub mod schedule;
pub mod work;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::{AuditDraft, AuditEntry};
use crate::auth::{Grant, Role};
use crate::org::{NewOrgUnit, OrgId, OrgQuery, OrgType, OrgUnit, Page, ReferenceSuccession, ReferenceUnit};
use crate::users::{User, UserId};

#[derive(Debug, Clone)]
pub struct NewUserRecord {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub org_id: OrgId,
    pub password_hash: String,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Search text, matched without diacritics against username and full name.
    pub q: Option<String>,
    /// Only users whose org unit lies under one of these paths (authorisation scope).
    pub within_paths: Vec<String>,
    pub offset: u64,
    pub limit: u64,
}

#[async_trait]
pub trait Store:
    Send
    + Sync
    + work::WorkStore
    + notify::NotifyStore
    + schedule::ScheduleStore
    + indicators::IndicatorStore
    + reporting::ReportStore
    + registries::RegistryStore
    + feedback::FeedbackStore
    + bulletins::BulletinStore
{
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;
    async fn ping(&self) -> Result<()>;

    // Org units
    async fn org_get(&self, id: OrgId) -> Result<Option<OrgUnit>>;
    async fn org_many(&self, ids: &[OrgId]) -> Result<Vec<OrgUnit>>;
    /// Every unit that ever carried this code (codes are reused across structures).
    async fn org_with_code(&self, code: &str) -> Result<Vec<OrgUnit>>;
    /// Every unit carrying any of these codes that exists on some day of `from..=to`, by id.
    async fn org_with_codes(&self, codes: &[String], from: NaiveDate, to: NaiveDate) -> Result<Vec<OrgUnit>>;
    async fn org_list(&self, query: &OrgQuery) -> Result<Page<OrgUnit>>;
    async fn org_count_by_type(&self, as_of: Option<NaiveDate>) -> Result<Vec<(OrgType, u64)>>;
    /// Direct successor links `(old, new)` of the given units.
    async fn org_successor_links(&self, old_ids: &[OrgId]) -> Result<Vec<(OrgId, OrgId)>>;
    async fn org_predecessor_ids(&self, new_id: OrgId) -> Result<Vec<OrgId>>;
    async fn org_insert(&self, unit: &NewOrgUnit, audit: AuditDraft) -> Result<OrgUnit>;
    async fn org_rename(&self, id: OrgId, name: &str, audit: AuditDraft) -> Result<OrgUnit>;
    async fn org_total(&self) -> Result<u64>;
    /// Loads shipped reference data in one transaction (root must already exist).
    async fn org_load_reference(
        &self,
        units: &[ReferenceUnit],
        successions: &[ReferenceSuccession],
        audit: AuditDraft,
    ) -> Result<u64>;

    // Users and grants
    async fn user_get(&self, id: UserId) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    async fn user_list(&self, query: &UserQuery) -> Result<Page<User>>;
    async fn user_insert(&self, user: &NewUserRecord, audit: AuditDraft) -> Result<User>;
    async fn user_set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        audit: AuditDraft,
    ) -> Result<()>;
    /// Sets or clears the TOTP secret; `last_step` is the step of the code that confirmed it.
    async fn user_set_totp(
        &self,
        id: UserId,
        secret: Option<&str>,
        last_step: Option<i64>,
        audit: AuditDraft,
    ) -> Result<()>;
    /// Records the outcome of a login attempt (failure count, lock, the TOTP step used);
    /// audited when `audit` is set.
    async fn user_set_login_state(
        &self,
        id: UserId,
        failed_logins: i32,
        locked_until: Option<DateTime<Utc>>,
        totp_step: Option<i64>,
        audit: Option<AuditDraft>,
    ) -> Result<()>;
    async fn grants_of(&self, user_id: UserId) -> Result<Vec<Grant>>;
    async fn grant_get(&self, id: i64) -> Result<Option<Grant>>;
    async fn grant_insert(&self, user_id: UserId, role: Role, org_id: OrgId, audit: AuditDraft) -> Result<Grant>;
    async fn grant_delete(&self, id: i64, audit: AuditDraft) -> Result<()>;

    // API tokens (stored as digests)
    async fn token_insert(
        &self,
        digest: &str,
        user_id: UserId,
        expires_at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()>;
    async fn token_user(&self, digest: &str, now: DateTime<Utc>) -> Result<Option<UserId>>;

    // Web sessions (opaque data owned by the web layer's session store)
    async fn session_load(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>>;
    async fn session_save(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<()>;
    async fn session_delete(&self, id: &str) -> Result<()>;

    // Audit log
    /// An entry for an event that writes nothing else (login, logout).
    async fn audit_append(&self, audit: AuditDraft) -> Result<()>;
    /// Newest first; restricted to entries whose org unit lies under one of `within_paths`
    /// when given.
    async fn audit_recent(&self, within_paths: Option<&[String]>, limit: u64) -> Result<Vec<AuditEntry>>;
    /// Every entry in sequence order, for verification.
    async fn audit_all(&self) -> Result<Vec<AuditEntry>>;
    /// The (last seq, last hash) the log head records.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;
}
