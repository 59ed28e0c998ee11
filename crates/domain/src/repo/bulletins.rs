//! Storage contract for source information: bulletin versions with their attachments, the
//! deliveries of a published version to every receiving unit, stations and their playlists,
//! the CAP messages sent, and portal view counts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::bulletins::{
    Attachment, Broadcast, BroadcastInput, Bulletin, BulletinInput, CapMessage, Category, DeliveryRecord, MsgType,
    Station, StationInput, Status,
};
use crate::org::{OrgId, OrgType, Page};

/// A new bulletin version as the service decided it.
#[derive(Debug, Clone)]
pub struct NewBulletin {
    pub input: BulletinInput,
    /// `None`: a new series (its id becomes the series id).
    pub series_id: Option<i64>,
    pub version: i32,
    pub source_id: Option<i64>,
    pub origin_org_id: OrgId,
    pub origin_path: String,
    pub author_id: i64,
    pub author: String,
    pub at: DateTime<Utc>,
    /// Folded title and body, for search without diacritics.
    pub search_key: String,
    /// Attachments of another version carried over (a correction keeps its files).
    pub copy_attachments_of: Option<i64>,
}

/// A publication: the version, the receiving units (every province, district and commune valid
/// on the day under the target paths), the portal sites it shows on, the CAP message of an alert.
#[derive(Debug, Clone)]
pub struct Publication {
    pub bulletin_id: i64,
    pub expected_row_version: i32,
    pub at: DateTime<Utc>,
    pub approved_by: Option<String>,
    /// The version it replaces (now superseded), if a correction.
    pub supersedes: Option<i64>,
    pub target_paths: Vec<String>,
    pub levels: Vec<OrgType>,
    /// The issuing unit, which does not receive its own bulletin.
    pub origin_org_id: OrgId,
    /// The Vietnamese day whose units are valid receivers.
    pub on: chrono::NaiveDate,
    /// Portal sites: province codes, and the root's code for the national site.
    pub sites: Vec<String>,
    pub cap: Option<NewCapMessage>,
}

#[derive(Debug, Clone)]
pub struct NewCapMessage {
    pub identifier: String,
    pub authority_code: String,
    pub sender: String,
    pub msg_type: MsgType,
    pub sent: DateTime<Utc>,
    pub references: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What lists of bulletins filter on.
#[derive(Debug, Clone, Default)]
pub struct BulletinQuery {
    /// Written in, or delivered to, a unit under one of these paths (`None`: everything).
    pub within_paths: Option<Vec<String>>,
    /// Only those written by a unit under this path.
    pub origin_path: Option<String>,
    pub statuses: Vec<Status>,
    pub category: Option<Category>,
    /// Folded search text.
    pub q: Option<String>,
    /// Latest version of each series only.
    pub latest_only: bool,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    pub offset: u64,
    pub limit: u64,
}

/// A portal site's listing.
#[derive(Debug, Clone, Default)]
pub struct PortalQuery {
    /// A province code, or the root's code for the national site.
    pub site: String,
    pub category: Option<Category>,
    /// Folded search text.
    pub q: Option<String>,
    pub now: DateTime<Utc>,
    pub limit: u64,
}

/// One unit's inbox line.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub bulletin: Bulletin,
    pub delivery: DeliveryRecord,
}

#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    /// Deliveries to units under these paths.
    pub within_paths: Vec<String>,
    /// Only deliveries to this unit.
    pub org_id: Option<OrgId>,
    pub unacknowledged: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A delivery not acknowledged, for reminders.
#[derive(Debug, Clone)]
pub struct PendingAck {
    pub bulletin_id: i64,
    pub title: String,
    pub category: Category,
    pub published_at: DateTime<Utc>,
    pub org_id: OrgId,
    pub org_path: String,
}

#[async_trait]
pub trait BulletinStore: Send + Sync {
    async fn bulletin_insert(&self, b: &NewBulletin, audit: AuditDraft) -> Result<Bulletin>;
    async fn bulletin_get(&self, id: i64) -> Result<Option<Bulletin>>;
    async fn bulletin_many(&self, ids: &[i64]) -> Result<Vec<Bulletin>>;
    /// Every version of a series, oldest first.
    async fn bulletin_series(&self, series_id: i64) -> Result<Vec<Bulletin>>;
    /// Relays of a bulletin (any version of its series).
    async fn bulletin_relays(&self, source_ids: &[i64]) -> Result<Vec<Bulletin>>;
    /// Saves the editable fields and state of `b` if its row version is still `expected`.
    async fn bulletin_update(&self, b: &Bulletin, expected: i32, audit: AuditDraft) -> Result<bool>;
    /// Publishes in one transaction: the state, the superseded version, every delivery, the
    /// sites, the CAP message. `false` when the row changed meanwhile (already published).
    async fn bulletin_publish(&self, p: &Publication, audit: AuditDraft) -> Result<bool>;
    /// Withdraws (and sends the CAP Cancel of an alert).
    async fn bulletin_withdraw(
        &self,
        b: &Bulletin,
        expected: i32,
        cap: Option<NewCapMessage>,
        audit: AuditDraft,
    ) -> Result<bool>;
    async fn bulletin_list(&self, q: &BulletinQuery) -> Result<Page<Bulletin>>;
    /// Approved versions whose publication time has come.
    async fn bulletins_due(&self, now: DateTime<Utc>) -> Result<Vec<Bulletin>>;
    /// Current bulletins of a portal site, newest first.
    async fn portal_bulletins(&self, q: &PortalQuery) -> Result<Vec<Bulletin>>;
    /// The sites a published version shows on.
    async fn bulletin_sites(&self, bulletin_id: i64) -> Result<Vec<String>>;
    async fn add_portal_views(&self, counts: &[(i64, u64)]) -> Result<()>;

    async fn attachments(&self, bulletin_id: i64) -> Result<Vec<Attachment>>;
    async fn attachment_add(
        &self,
        bulletin_id: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
        audit: AuditDraft,
    ) -> Result<Attachment>;
    async fn attachment_remove(&self, id: i64, audit: AuditDraft) -> Result<()>;
    async fn attachment_data(&self, id: i64) -> Result<Option<(Attachment, Vec<u8>)>>;

    /// Deliveries of a version, to units under `within_paths` (`None`: all).
    async fn deliveries(&self, bulletin_id: i64, within_paths: Option<&[String]>) -> Result<Vec<DeliveryRecord>>;
    async fn delivery_get(&self, bulletin_id: i64, org_id: OrgId) -> Result<Option<DeliveryRecord>>;
    async fn inbox(&self, q: &InboxQuery) -> Result<Page<InboxItem>>;
    /// Marks the delivery opened (first time only).
    async fn delivery_opened(&self, bulletin_id: i64, org_id: OrgId, at: DateTime<Utc>) -> Result<()>;
    /// Acknowledges; `false` if it already was.
    async fn delivery_acknowledge(
        &self,
        bulletin_id: i64,
        org_id: OrgId,
        at: DateTime<Utc>,
        by: &str,
        audit: AuditDraft,
    ) -> Result<bool>;
    /// Deliveries of current bulletins published in `[published_from, published_before]`, not
    /// acknowledged.
    async fn unacknowledged(
        &self,
        published_from: DateTime<Utc>,
        published_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingAck>>;

    async fn stations(&self, within_path: &str) -> Result<Vec<Station>>;
    async fn station_get(&self, id: i64) -> Result<Option<Station>>;
    async fn station_save(
        &self,
        id: Option<i64>,
        org_id: OrgId,
        org_path: &str,
        s: &StationInput,
        audit: AuditDraft,
    ) -> Result<Station>;
    async fn broadcast_add(
        &self,
        b: &BroadcastInput,
        org_id: OrgId,
        by: &str,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Broadcast>;
    async fn broadcast_get(&self, id: i64) -> Result<Option<Broadcast>>;
    async fn broadcast_aired(&self, id: i64, by: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<Broadcast>;
    /// A station's slots overlapping `[from, to)`, by start.
    async fn playlist(&self, station_id: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Broadcast>>;
    /// Every slot recorded for a bulletin version.
    async fn broadcasts_of(&self, bulletin_id: i64) -> Result<Vec<Broadcast>>;

    /// The messages of an authority (every alert, every type), for its feed.
    async fn cap_messages(&self, authority_code: &str) -> Result<Vec<CapMessage>>;
    async fn cap_messages_of_series(&self, series_id: i64) -> Result<Vec<CapMessage>>;
    async fn cap_message(&self, identifier: &str) -> Result<Option<CapMessage>>;
}
