//! Storage contract for citizen feedback: categories, routing rules, items with their history
//! and photos, the classifier's trained models and the Open311 client keys.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::Result;
use crate::audit::AuditDraft;
use crate::feedback::{
    Category, CategoryInput, CategorySource, EventKind, Feedback, FeedbackEvent, LatLon, PhotoMeta, Reporter, Route,
    SlaState, Source, Status,
};
use crate::org::{OrgId, Page};

/// A new item as the service decided it.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub tracking_code: String,
    pub category_id: Option<i64>,
    pub category_source: CategorySource,
    pub predicted_category_id: Option<i64>,
    pub confidence: Option<f64>,
    pub title: String,
    pub description: String,
    pub public_description: String,
    pub flagged: bool,
    pub address: Option<String>,
    pub location: Option<LatLon>,
    pub attributes: std::collections::BTreeMap<String, String>,
    pub area_org_id: OrgId,
    pub area_path: String,
    pub handler_org_id: OrgId,
    pub handler_path: String,
    pub reporter: Reporter,
    pub source: Source,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    /// Folded text the list searches.
    pub search_key: String,
}

/// A photo to store with a new item (already checked and stripped of metadata).
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A history line to append with a write.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub note: Option<String>,
    pub public: bool,
}

/// An e-mail to a citizen, queued in the outbox with the write that causes it.
#[derive(Debug, Clone)]
pub struct CitizenMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// What lists filter on. Scope: items whose handler or area lies under one of `within_paths`
/// (`None` = everything: the public list, which the service limits to public items).
#[derive(Debug, Clone, Default)]
pub struct FeedbackQuery {
    pub within_paths: Option<Vec<String>>,
    /// Only items whose area lies under this path.
    pub area_path: Option<String>,
    /// Only items handled under this path or sent about an area under it.
    pub org_path: Option<String>,
    /// Only items handled by this very unit.
    pub handler_org_id: Option<OrgId>,
    pub statuses: Vec<Status>,
    pub category_id: Option<i64>,
    /// Items without a category (the triage queue).
    pub uncategorized: bool,
    /// Pending and due before this day.
    pub overdue_on: Option<NaiveDate>,
    /// In this SLA state on this day ([`SlaState::of`]).
    pub sla: Option<(SlaState, NaiveDate)>,
    pub submitted_from: Option<DateTime<Utc>>,
    pub submitted_to: Option<DateTime<Utc>>,
    pub updated_from: Option<DateTime<Utc>>,
    pub updated_to: Option<DateTime<Utc>>,
    /// Only items shown to the public (not hidden, not flagged).
    pub public_only: bool,
    /// Folded search text (title, description, address, tracking code).
    pub q: Option<String>,
    pub tracking_codes: Vec<String>,
    pub newest_first: bool,
    pub offset: u64,
    pub limit: u64,
}

/// One item reduced to what analytics group on.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyRow {
    pub id: i64,
    pub category_id: Option<i64>,
    pub area_path: String,
    pub handler_org_id: OrgId,
    pub status: Status,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A trained classifier as stored.
#[derive(Debug, Clone)]
pub struct StoredModel {
    pub id: i64,
    pub trained_at: DateTime<Utc>,
    /// Officer-confirmed examples it learnt from.
    pub examples: i64,
    pub bytes: Vec<u8>,
}

#[async_trait]
pub trait FeedbackStore: Send + Sync {
    // Categories
    async fn feedback_categories(&self) -> Result<Vec<Category>>;
    /// Adds the categories when there are none yet; how many were added.
    async fn feedback_seed_categories(&self, categories: &[CategoryInput], audit: AuditDraft) -> Result<u64>;
    /// Inserts or (by code) updates a category.
    async fn feedback_category_put(&self, category: &CategoryInput, audit: AuditDraft) -> Result<Category>;

    // Routing rules
    async fn feedback_routes(&self) -> Result<Vec<Route>>;
    async fn feedback_route_insert(&self, route: &Route, audit: AuditDraft) -> Result<Route>;
    async fn feedback_route_delete(&self, id: i64, audit: AuditDraft) -> Result<bool>;

    // Items
    /// Stores a new item with its photos and first history line.
    async fn feedback_insert(
        &self,
        item: &NewFeedback,
        photos: &[NewPhoto],
        event: &NewEvent,
        audit: AuditDraft,
    ) -> Result<Feedback>;
    async fn feedback_get(&self, id: i64) -> Result<Option<Feedback>>;
    async fn feedback_by_code(&self, tracking_code: &str) -> Result<Option<Feedback>>;
    async fn feedback_list(&self, query: &FeedbackQuery) -> Result<Page<Feedback>>;
    /// Replaces an item's state if it is still at `at_version` (false when someone changed it
    /// since), appending its history line and queuing the e-mails, all in one transaction.
    async fn feedback_update(
        &self,
        item: &Feedback,
        at_version: i32,
        event: &NewEvent,
        mails: &[CitizenMail],
        audit: AuditDraft,
    ) -> Result<bool>;
    /// Marks `duplicate` merged into `master` (both at their versions) with a line in each history.
    async fn feedback_merge(
        &self,
        duplicate: &Feedback,
        master: &Feedback,
        events: (&NewEvent, &NewEvent),
        audit: AuditDraft,
    ) -> Result<bool>;
    /// Items merged into `master`.
    async fn feedback_merged_into(&self, master: i64) -> Result<Vec<Feedback>>;
    async fn feedback_events(&self, id: i64) -> Result<Vec<FeedbackEvent>>;
    /// Public history lines of any item in `[from, to)`, oldest first (Open311 updates).
    async fn feedback_public_events(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<(FeedbackEvent, String)>>;
    async fn feedback_photos(&self, id: i64) -> Result<Vec<PhotoMeta>>;
    async fn feedback_photo(&self, photo_id: i64) -> Result<Option<(PhotoMeta, Vec<u8>)>>;
    /// Items sent since `since` in the area under `area_path` that may be duplicates (the
    /// service scores them).
    async fn feedback_candidates(&self, area_path: &str, since: DateTime<Utc>, limit: u64) -> Result<Vec<Feedback>>;
    /// Pending items due on or before `until` (SLA reminders).
    async fn feedback_due_by(&self, until: NaiveDate) -> Result<Vec<Feedback>>;
    /// Every item the list would give for `query` (less its paging), reduced for analytics.
    async fn feedback_tally(&self, query: &FeedbackQuery) -> Result<Vec<TallyRow>>;
    /// Category and description of the items the list would give for `query`, the newest
    /// `query.limit` (top terms).
    async fn feedback_texts(&self, query: &FeedbackQuery) -> Result<Vec<(Option<i64>, String)>>;

    // The classifier
    /// Descriptions with their officer-confirmed category code: the training data.
    async fn feedback_training_examples(&self) -> Result<Vec<(String, String)>>;
    async fn feedback_confirmed_count(&self) -> Result<i64>;
    async fn classifier_latest(&self) -> Result<Option<StoredModel>>;
    async fn classifier_save(&self, examples: i64, bytes: &[u8], at: DateTime<Utc>, audit: AuditDraft) -> Result<i64>;

    // Open311 client keys (stored as digests)
    async fn open311_key_insert(&self, name: &str, digest: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<i64>;
    async fn open311_key_valid(&self, digest: &str) -> Result<bool>;
}
