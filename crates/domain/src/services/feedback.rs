//! Citizen feedback use cases: intake (form, API, Open311), classification and routing, the
//! handling workflow with its SLA, the public tracking page, duplicates and merges, moderation,
//! the classifier's retraining and the SLA reminders.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Services;
use crate::auth::{Action, Principal, Role};
use crate::clock::vietnam_date;
use crate::feedback::{
    self, Category, CategoryInput, CategorySource, EventKind, Feedback, FeedbackEvent, FeedbackInput, FeedbackSettings,
    LatLon, PhotoMeta, Reporter, Route, Source, Status, Step,
};
use crate::notify::ReminderRun;
use crate::org::{OrgId, OrgType, OrgUnit, Page};
use crate::repo::feedback::{CitizenMail, FeedbackQuery, NewEvent, NewFeedback, NewPhoto};
use crate::users::User;
use crate::{DomainError, Result};

/// The classifier in use, shared by every clone of [`Services`]; rebuilt when categories change
/// or a retrained model is stored.
#[derive(Default)]
pub struct ClassifierCell(tokio::sync::RwLock<Option<Arc<LoadedClassifier>>>);

/// What every submission reads — settings, categories, routing rules, the working-day calendar
/// and the Open311 keys already seen valid — kept for [`REFS_TTL`] so intake does not read them
/// again for each report. Writes through these services drop it at once; another server process
/// sharing the database sees a change within the TTL.
#[derive(Default)]
pub struct IntakeRefsCell(std::sync::RwLock<RefsSlot>);

#[derive(Default)]
struct RefsSlot {
    /// Bumped by every drop, so a load that began before it is not kept.
    generation: u64,
    loaded: Option<(std::time::Instant, Arc<IntakeRefs>)>,
}

pub struct IntakeRefs {
    settings: FeedbackSettings,
    /// Every category (inactive too), in display order.
    categories: Vec<Category>,
    routes: Vec<Route>,
    calendar: crate::calendar::WorkCalendar,
    /// Digests of Open311 keys found valid (keys cannot be revoked, only added).
    valid_keys: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// How long intake's reference data is kept.
const REFS_TTL: std::time::Duration = std::time::Duration::from_secs(5);

pub struct LoadedClassifier {
    pub model: classify::Model,
    /// Stored model id, `None` for the model made from the category descriptions alone.
    pub stored_id: Option<i64>,
    pub examples: i64,
}

/// An item with the names a page or API response shows beside its ids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackView {
    #[serde(flatten)]
    pub item: Feedback,
    pub status_label: &'static str,
    pub category: Option<CategoryRef>,
    pub predicted_category: Option<CategoryRef>,
    pub area: UnitRef,
    pub handler: UnitRef,
    pub overdue: bool,
    /// Tracking code of the item this one was merged into.
    pub merged_into_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: OrgId,
    pub code: String,
    pub name: String,
}

/// What anyone may see of an item: no contact details, the masked or moderated text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFeedback {
    pub tracking_code: String,
    pub title: String,
    pub description: String,
    pub category: Option<CategoryRef>,
    pub area_code: String,
    pub area_name: String,
    pub address: Option<String>,
    pub location: Option<LatLon>,
    pub status: Status,
    pub status_label: &'static str,
    pub handler_name: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub merged_into_code: Option<String>,
    pub photo_ids: Vec<i64>,
}

impl PublicFeedback {
    fn of(view: &FeedbackView, photo_ids: Vec<i64>) -> Self {
        let f = &view.item;
        Self {
            tracking_code: f.tracking_code.clone(),
            title: feedback::mask_contacts(&f.title),
            description: f.public_description.clone(),
            category: view.category.clone(),
            area_code: view.area.code.clone(),
            area_name: view.area.name.clone(),
            address: f.address.as_deref().map(feedback::mask_contacts),
            location: f.location,
            status: f.status,
            status_label: f.status.label(),
            handler_name: view.handler.name.clone(),
            submitted_at: f.submitted_at,
            updated_at: f.updated_at,
            due_on: f.due_on,
            merged_into_code: view.merged_into_code.clone(),
            photo_ids,
        }
    }
}

/// A public history line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub label: &'static str,
    pub status: Status,
    pub note: Option<String>,
}

/// The citizen's tracking page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tracking {
    pub item: PublicFeedback,
    pub history: Vec<PublicEvent>,
    /// When merged: the item that carries the answer, with its history.
    #[schema(no_recursion)]
    pub master: Option<Box<Tracking>>,
    /// The citizen may reopen it until then (answered, rejected or closed within the window).
    pub reopen_until: Option<DateTime<Utc>>,
}

/// A likely duplicate shown before sending.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SimilarFeedback {
    pub item: PublicFeedback,
    /// Text similarity, 0 to 1.
    pub similarity: f64,
    /// Metres between the two places, when both have a location.
    pub distance_m: Option<f64>,
}

/// What sending gives back.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Submission {
    /// Stored: the tracking code is the citizen's key to follow it.
    Submitted { item: Box<PublicFeedback> },
    /// Not stored yet: these look like the same problem; send again with `confirmed_new` to
    /// store it anyway, or follow one of them.
    LikelyDuplicates { similar: Vec<SimilarFeedback> },
}

/// An officer's page of one item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackDetail {
    pub view: FeedbackView,
    pub history: Vec<FeedbackEvent>,
    pub photos: Vec<PhotoMeta>,
    /// Items merged into this one.
    pub merged: Vec<FeedbackView>,
    /// Other items that look like the same problem (to merge).
    pub similar: Vec<SimilarFeedback>,
    /// Steps the caller may take now.
    pub steps: Vec<Step>,
    pub may_handle: bool,
}

/// A workflow step as asked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StepInput {
    /// The reply, reason or comment (required to reply, transfer, reject, reopen).
    pub note: Option<String>,
    /// Transfer: the new handling unit's code.
    pub to_org: Option<String>,
    /// Merge: the tracking code of the item this one duplicates.
    pub into: Option<String>,
    /// The version the caller saw (refused when someone changed the item since).
    pub row_version: Option<i32>,
}

/// Filters of the officers' list, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackFilter {
    /// Unit code: items handled by it or sent about its area (default: all in scope).
    pub org: Option<String>,
    /// Unit code of the handling unit itself (not the units under it).
    pub handler: Option<String>,
    /// Unit code: items sent about an area under it (a province, a commune).
    pub area: Option<String>,
    /// Sent on or after this day, Vietnam time (`2026-08-27` or `27/08/2026`).
    pub from: Option<String>,
    /// Sent on or before this day.
    pub to: Option<String>,
    /// State against the SLA today: `on_time`, `late` (answered), `overdue`, `pending` (not yet).
    pub sla: Option<String>,
    /// Status code (`new`, `received`, …); several separated by commas.
    pub status: Option<String>,
    /// Category code; `none` for the triage queue.
    pub category: Option<String>,
    /// `1`: pending and past their due day.
    pub overdue: Option<String>,
    /// Search text (no diacritics needed).
    pub q: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

impl FeedbackFilter {
    /// The officers' list with these filters (`/api/v1/feedback` takes the same query).
    pub fn href(&self) -> String {
        format!("/feedback?{}", serde_urlencoded::to_string(self).unwrap_or_default())
    }
}

/// Photo types accepted and the bytes that start them.
fn photo_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// Checks a photo and removes its metadata (EXIF with GPS position, comments) before storage.
pub fn clean_photo(bytes: &[u8]) -> Result<NewPhoto> {
    if bytes.len() > feedback::PHOTO_MAX_BYTES {
        return Err(DomainError::invalid(
            "media",
            format!("ảnh tối đa {} MB", feedback::PHOTO_MAX_BYTES / (1024 * 1024)),
        ));
    }
    let content_type = photo_type(bytes).ok_or_else(|| DomainError::invalid("media", "chỉ nhận ảnh JPEG hoặc PNG"))?;
    let cleaned = match content_type {
        "image/jpeg" => crate::photo::strip_jpeg(bytes),
        _ => crate::photo::strip_png(bytes),
    }
    .ok_or_else(|| DomainError::invalid("media", "tệp ảnh bị hỏng, không đọc được"))?;
    Ok(NewPhoto { content_type: content_type.into(), bytes: cleaned })
}

impl Services {
    // ----- settings, categories, routes ---------------------------------------------------------

    pub async fn feedback_settings(&self) -> Result<FeedbackSettings> {
        self.setting(FeedbackSettings::KEY).await
    }

    pub async fn set_feedback_settings(&self, actor: &Principal, s: FeedbackSettings) -> Result<FeedbackSettings> {
        let s = s.validate()?;
        self.put_setting(actor, FeedbackSettings::KEY, &s, "settings.feedback", "sửa thiết lập phản ánh kiến nghị")
            .await?;
        Ok(s)
    }

    /// Active categories (all of them with `include_inactive`), in display order.
    pub async fn feedback_categories(&self, include_inactive: bool) -> Result<Vec<Category>> {
        let mut cats = self.store.feedback_categories().await?;
        cats.retain(|c| include_inactive || c.active);
        cats.sort_by(|a, b| (a.sort, &a.name).cmp(&(b.sort, &b.name)));
        Ok(cats)
    }

    pub async fn feedback_category(&self, code: &str) -> Result<Category> {
        let code = code.trim().to_ascii_lowercase();
        self.store
            .feedback_categories()
            .await?
            .into_iter()
            .find(|c| c.code == code)
            .ok_or_else(|| DomainError::not_found("lĩnh vực", code))
    }

    /// Ships the default categories once.
    pub async fn seed_feedback_categories(&self) -> Result<u64> {
        let cats: Vec<CategoryInput> =
            feedback::default_categories().into_iter().map(CategoryInput::validate).collect::<Result<_>>()?;
        let n =
            self.store.feedback_seed_categories(&cats, self.draft(None, "feedback.category.seed", "category")).await?;
        if n > 0 {
            self.forget_intake_refs();
            self.forget_classifier().await;
        }
        Ok(n)
    }

    /// Categories are national (Open311 service codes): managed on the root.
    pub async fn save_feedback_category(&self, actor: &Principal, input: CategoryInput) -> Result<Category> {
        let root = self.root().await?;
        actor.require(Action::ManageFeedback, &root)?;
        let input = input.validate()?;
        let mut audit = self.draft(Some(&actor.user), "feedback.category.save", "feedback_category");
        audit.after = Some(serde_json::to_value(&input).unwrap_or_default());
        let saved = self.store.feedback_category_put(&input, audit).await?;
        self.forget_intake_refs();
        self.forget_classifier().await;
        Ok(saved)
    }

    pub async fn feedback_routes(&self) -> Result<Vec<Route>> {
        self.store.feedback_routes().await
    }

    /// Adds a routing rule for an area the caller manages; the handler must be a unit valid today.
    pub async fn add_feedback_route(
        &self,
        actor: &Principal,
        category_code: Option<&str>,
        area_code: &str,
        handler_code: &str,
    ) -> Result<Route> {
        let area = self
            .org_by_code(area_code, None)
            .await
            .map_err(|_| DomainError::invalid("area", format!("không có đơn vị mã '{}'", area_code.trim())))?;
        actor.require(Action::ManageFeedback, &area)?;
        let handler = self
            .org_by_code(handler_code, None)
            .await
            .map_err(|_| DomainError::invalid("handler", format!("không có đơn vị mã '{}'", handler_code.trim())))?;
        let today = self.clock.today();
        if !area.is_valid_on(today) || !handler.is_valid_on(today) {
            return Err(DomainError::invalid("handler", "đơn vị đã giải thể hoặc chưa hoạt động"));
        }
        let category_id = match category_code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(
                self.feedback_category(code)
                    .await
                    .map_err(|_| DomainError::invalid("category", format!("không có lĩnh vực mã '{code}'")))?
                    .id,
            ),
            None => None,
        };
        if self.store.feedback_routes().await?.iter().any(|r| r.area_org_id == area.id && r.category_id == category_id)
        {
            return Err(DomainError::Conflict(
                "đã có quy tắc cho lĩnh vực và địa bàn này; hãy xóa quy tắc cũ trước".into(),
            ));
        }
        let route = Route {
            id: 0,
            category_id,
            area_org_id: area.id,
            area_path: area.path.clone(),
            handler_org_id: handler.id,
        };
        let mut audit = self.draft(Some(&actor.user), "feedback.route.create", "feedback_route");
        audit.org_id = Some(area.id);
        audit.after = Some(json!({ "category": category_code, "area": area.code, "handler": handler.code }));
        let saved = self.store.feedback_route_insert(&route, audit).await?;
        self.forget_intake_refs();
        Ok(saved)
    }

    pub async fn delete_feedback_route(&self, actor: &Principal, id: i64) -> Result<()> {
        let route = self
            .store
            .feedback_routes()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| DomainError::not_found("quy tắc định tuyến", id.to_string()))?;
        let area = self.org_unit(route.area_org_id).await?;
        actor.require(Action::ManageFeedback, &area)?;
        let mut audit = self.draft(Some(&actor.user), "feedback.route.delete", "feedback_route");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(area.id);
        audit.before = Some(serde_json::to_value(&route).unwrap_or_default());
        self.store.feedback_route_delete(id, audit).await?;
        self.forget_intake_refs();
        Ok(())
    }

    /// A unit's name by id (for pages listing rules).
    pub async fn org_name(&self, id: OrgId) -> Result<String> {
        Ok(self.org_unit(id).await?.name)
    }

    // ----- intake's reference data --------------------------------------------------------------

    /// Drops the intake's reference data (after a write to settings, categories, routing rules
    /// or the calendar).
    pub(crate) fn forget_intake_refs(&self) {
        let mut slot = self.intake_refs.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.generation += 1;
        slot.loaded = None;
    }

    async fn intake_refs(&self) -> Result<Arc<IntakeRefs>> {
        let generation = {
            let slot = self.intake_refs.0.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            match &slot.loaded {
                Some((at, refs)) if at.elapsed() < REFS_TTL => return Ok(refs.clone()),
                _ => slot.generation,
            }
        };
        let refs = Arc::new(IntakeRefs {
            settings: self.feedback_settings().await?,
            categories: self.feedback_categories(true).await?,
            routes: self.store.feedback_routes().await?,
            calendar: self.work_calendar().await?,
            valid_keys: Default::default(),
        });
        let mut slot = self.intake_refs.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.generation == generation {
            slot.loaded = Some((std::time::Instant::now(), refs.clone()));
        }
        Ok(refs)
    }

    // ----- the classifier -----------------------------------------------------------------------

    async fn forget_classifier(&self) {
        *self.classifier.0.write().await = None;
    }

    /// The classifier in use: the latest stored model, else one made from the category
    /// descriptions alone.
    pub async fn classifier(&self) -> Result<Arc<LoadedClassifier>> {
        if let Some(c) = self.classifier.0.read().await.as_ref() {
            return Ok(c.clone());
        }
        let mut slot = self.classifier.0.write().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let categories = self.classify_categories().await?;
        let loaded = match self.store.classifier_latest().await? {
            Some(stored) => match classify::Model::from_bytes(&stored.bytes) {
                Ok(model) if model.labels().iter().all(|l| categories.iter().any(|c| &c.code == l)) => {
                    LoadedClassifier { model, stored_id: Some(stored.id), examples: stored.examples }
                }
                // A category was added or removed since: start again from the descriptions
                // until the next retraining.
                _ => LoadedClassifier { model: zero_shot(&categories)?, stored_id: None, examples: 0 },
            },
            None => LoadedClassifier { model: zero_shot(&categories)?, stored_id: None, examples: 0 },
        };
        let loaded = Arc::new(loaded);
        *slot = Some(loaded.clone());
        Ok(loaded)
    }

    async fn classify_categories(&self) -> Result<Vec<classify::Category>> {
        Ok(self
            .feedback_categories(false)
            .await?
            .into_iter()
            .map(|c| classify::Category {
                code: c.code,
                name: c.name,
                description: c.description,
                keywords: c.keywords,
            })
            .collect())
    }

    /// Retrains the classifier on every officer-confirmed item when enough new ones came in since
    /// the last model (or always with `force`). Returns the number of examples used, or `None`
    /// when nothing was done.
    pub async fn retrain_classifier(&self, force: bool) -> Result<Option<i64>> {
        let settings = self.feedback_settings().await?;
        let confirmed = self.store.feedback_confirmed_count().await?;
        let last = self.store.classifier_latest().await?.map(|m| m.examples).unwrap_or(0);
        if !force && confirmed - last < i64::from(settings.retrain_after) {
            return Ok(None);
        }
        let categories = self.classify_categories().await?;
        let examples: Vec<classify::Example> = self
            .store
            .feedback_training_examples()
            .await?
            .into_iter()
            .filter(|(_, code)| categories.iter().any(|c| &c.code == code))
            .map(|(text, label)| classify::Example { text, label })
            .collect();
        let n = examples.len() as i64;
        let model = tokio::task::spawn_blocking(move || {
            classify::Model::train(&categories, &examples, &classify::Params::default())
        })
        .await
        .map_err(|e| DomainError::Storage(format!("training stopped: {e}")))?
        .map_err(|e| DomainError::Storage(format!("training failed: {e}")))?;
        let bytes = model.to_bytes();
        let mut audit = self.draft(None, "feedback.classifier.train", "classifier_model");
        audit.after = Some(json!({ "examples": n, "bytes": bytes.len() }));
        self.store.classifier_save(n, &bytes, self.clock.now(), audit).await?;
        self.forget_classifier().await;
        Ok(Some(n))
    }

    // ----- intake -------------------------------------------------------------------------------

    /// Receives a citizen's feedback (no account needed). From the public form, likely
    /// duplicates are shown first unless the citizen confirmed it is new.
    pub async fn submit_feedback(
        &self,
        input: &FeedbackInput,
        photos: &[Vec<u8>],
        source: Source,
    ) -> Result<Submission> {
        let description = feedback::parse_description(&input.description)?;
        let title = feedback::make_title(input.title.as_deref(), &description)?;
        let area = self.feedback_area(&input.area_code).await?;
        let location = match (input.lat, input.lon) {
            (Some(lat), Some(lon)) => Some(LatLon::new(lat, lon)?),
            (None, None) => None,
            (None, Some(_)) => return Err(DomainError::invalid("lat", "thiếu vĩ độ (lat) đi kèm kinh độ")),
            (Some(_), None) => return Err(DomainError::invalid("long", "thiếu kinh độ (long) đi kèm vĩ độ")),
        };
        let address = match input.address.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => Some(feedback::parse_text("address", "địa chỉ", a, feedback::ADDRESS_MAX_CHARS)?),
            None => None,
        };
        let reporter = Reporter::parse(input.name.as_deref(), input.email.as_deref(), input.phone.as_deref())?;
        let attributes = feedback::parse_attributes(&input.attributes)?;
        if photos.len() > feedback::PHOTOS_MAX {
            return Err(DomainError::invalid("media", format!("tối đa {} ảnh", feedback::PHOTOS_MAX)));
        }
        let photos: Vec<NewPhoto> = photos.iter().map(|p| clean_photo(p)).collect::<Result<_>>()?;
        let refs = self.intake_refs().await?;
        let (settings, categories) = (&refs.settings, &refs.categories);
        let chosen = match input.service_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => {
                let cat = categories
                    .iter()
                    .find(|c| c.code == code.to_ascii_lowercase())
                    .ok_or_else(|| DomainError::invalid("service_code", format!("không có lĩnh vực mã '{code}'")))?;
                if !cat.active {
                    return Err(DomainError::invalid(
                        "service_code",
                        format!("lĩnh vực '{code}' không còn nhận phản ánh"),
                    ));
                }
                Some(cat.clone())
            }
            None => None,
        };
        if source == Source::Web && !input.confirmed_new {
            let similar = self.similar_to(&area, location, &format!("{title} {description}"), None, settings).await?;
            if !similar.is_empty() {
                return Ok(Submission::LikelyDuplicates { similar });
            }
        }
        let classifier = self.classifier().await?;
        let prediction = classifier.model.predict(&format!("{title}\n{description}"));
        let predicted = categories.iter().find(|c| c.code == prediction.label);
        let (category, category_source) = match (&chosen, predicted) {
            (Some(c), _) => (Some(c.clone()), CategorySource::Citizen),
            (None, Some(p)) if prediction.confidence >= settings.confidence_threshold => {
                (Some(p.clone()), CategorySource::Model)
            }
            _ => (None, CategorySource::None),
        };
        let handler = self.route_for(&refs.routes, category.as_ref().map(|c| c.id), &area).await?;
        let now = self.clock.now();
        let active: Vec<Category> = categories.iter().filter(|c| c.active).cloned().collect();
        let sla = category.as_ref().map(|c| c.sla_days).unwrap_or_else(|| max_sla(&active));
        let due_on = refs.calendar.add_working_days(vietnam_date(now), sla as i32);
        let flagged = feedback::looks_abusive(&format!("{title} {description}"));
        let item = NewFeedback {
            tracking_code: feedback::new_tracking_code(&mut rand::rng()),
            category_id: category.as_ref().map(|c| c.id),
            category_source,
            predicted_category_id: predicted.map(|p| p.id),
            confidence: Some(prediction.confidence),
            search_key: textvi::fold(&format!("{title} {description} {}", address.as_deref().unwrap_or(""))),
            public_description: feedback::mask_contacts(&description),
            title,
            description,
            flagged,
            address,
            location,
            attributes,
            area_org_id: area.id,
            area_path: area.path.clone(),
            handler_org_id: handler.id,
            handler_path: handler.path.clone(),
            reporter,
            source,
            submitted_at: now,
            due_on,
        };
        let event = NewEvent {
            at: now,
            kind: EventKind::Submitted,
            actor_id: None,
            actor: String::new(),
            note: None,
            public: true,
        };
        let mut audit = self.draft(None, "feedback.submit", "feedback");
        audit.org_id = Some(handler.id);
        audit.after = Some(json!({
            "tracking_code": item.tracking_code, "source": source.as_str(),
            "category": category.as_ref().map(|c| c.code.clone()), "category_source": category_source.as_str(),
            "area": area.code, "handler": handler.code, "due_on": due_on,
        }));
        let has_photos = !photos.is_empty();
        let stored = self.store.feedback_insert(&item, &photos, &event, audit).await?;
        let photo_ids = if has_photos {
            self.store.feedback_photos(stored.id).await?.into_iter().map(|p| p.id).collect()
        } else {
            Vec::new()
        };
        // Everything the view names is at hand: no second read.
        let units = HashMap::from([(area.id, area.clone()), (handler.id, handler)]);
        let cats = categories.iter().map(|c| (c.id, c.clone())).collect();
        let view = assemble_views(vec![stored], &units, &cats, &HashMap::new(), self.clock.today())
            .pop()
            .ok_or_else(|| DomainError::Storage("view of nothing".into()))?;
        Ok(Submission::Submitted { item: Box::new(PublicFeedback::of(&view, photo_ids)) })
    }

    /// The commune or province an item is about: an official code valid today.
    async fn feedback_area(&self, code: &str) -> Result<OrgUnit> {
        let code = code.trim();
        if code.is_empty() {
            return Err(DomainError::invalid(
                "jurisdiction_id",
                "chưa chọn tỉnh, thành phố hoặc xã, phường nơi xảy ra sự việc",
            ));
        }
        let unit = self
            .org_by_code(code, None)
            .await
            .ok()
            .filter(|u| u.is_valid_on(self.clock.today()) && matches!(u.org_type, OrgType::Province | OrgType::Commune))
            .ok_or_else(|| {
                DomainError::invalid(
                    "jurisdiction_id",
                    format!("'{code}' không phải mã tỉnh, thành phố hoặc xã, phường hiện hành"),
                )
            })?;
        Ok(unit)
    }

    /// The provinces a citizen chooses from (today's structure), by name.
    pub async fn feedback_provinces(&self) -> Result<Vec<OrgUnit>> {
        let mut units = self
            .store
            .org_list(&crate::org::OrgQuery {
                org_type: Some(OrgType::Province),
                as_of: Some(self.clock.today()),
                limit: 200,
                ..Default::default()
            })
            .await?
            .items;
        units.sort_by_key(|u| textvi::fold(&u.name));
        Ok(units)
    }

    /// The area a citizen names on the form: a province by code and, optionally, one of its
    /// communes by name (with or without diacritics, with or without "xã"/"phường") or code.
    /// Returns the area's code.
    pub async fn feedback_area_named(&self, province_code: &str, commune: Option<&str>) -> Result<String> {
        let province = self.feedback_area(province_code).await?;
        let Some(commune) = commune.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(province.code);
        };
        let folded = textvi::fold(commune);
        let bare = |name: &str| {
            let f = textvi::fold(name);
            ["xa ", "phuong ", "dac khu ", "thi tran "]
                .iter()
                .find_map(|p| f.strip_prefix(p).map(str::to_string))
                .unwrap_or(f)
        };
        let candidates = self
            .store
            .org_list(&crate::org::OrgQuery {
                parent_id: Some(province.id),
                as_of: Some(self.clock.today()),
                q: Some(bare(commune)),
                limit: 50,
                ..Default::default()
            })
            .await?
            .items;
        let exact: Vec<&OrgUnit> = candidates
            .iter()
            .filter(|u| textvi::fold(&u.name) == folded || bare(&u.name) == bare(commune) || u.code == commune)
            .collect();
        match (exact.as_slice(), candidates.as_slice()) {
            ([one], _) => Ok(one.code.clone()),
            ([], [one]) => Ok(one.code.clone()),
            ([], []) => Err(DomainError::invalid(
                "commune",
                format!("không tìm thấy xã, phường '{commune}' thuộc {}", province.name),
            )),
            (_, many) => Err(DomainError::invalid(
                "commune",
                format!(
                    "'{commune}' khớp với nhiều xã, phường: {}; hãy ghi đầy đủ tên",
                    many.iter().take(6).map(|u| u.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }

    /// The handling unit for an item of `category` in `area`: the routing rule's, else the area's own.
    async fn route_for(&self, routes: &[Route], category: Option<i64>, area: &OrgUnit) -> Result<OrgUnit> {
        match feedback::pick_route(routes, category, &area.path) {
            Some(r) => self.org_unit(r.handler_org_id).await,
            None => Ok(area.clone()),
        }
    }

    /// Public items near the place (same area, or within the radius when both have a location)
    /// sent recently whose text looks alike, most similar first.
    async fn similar_to(
        &self,
        area: &OrgUnit,
        location: Option<LatLon>,
        text: &str,
        except: Option<i64>,
        settings: &FeedbackSettings,
    ) -> Result<Vec<SimilarFeedback>> {
        let since = self.clock.now() - Duration::days(i64::from(settings.duplicate_days));
        // Search the province around the area, so a place on a commune border is still found.
        let province_path = area.path.split('/').take(4).collect::<Vec<_>>().join("/") + "/";
        let candidates = self.store.feedback_candidates(&province_path, since, 500).await?;
        let mut scored: Vec<(f64, Option<f64>, Feedback)> = candidates
            .into_iter()
            .filter(|c| Some(c.id) != except && !c.hidden && !c.flagged && c.status != Status::Merged)
            .filter_map(|c| {
                let distance = match (location, c.location) {
                    (Some(a), Some(b)) => Some(a.distance_m(b)),
                    _ => None,
                };
                let near = match distance {
                    Some(d) => d <= f64::from(settings.duplicate_radius_m),
                    None => c.area_path.starts_with(&area.path) || area.path.starts_with(&c.area_path),
                };
                let similarity = feedback::text_similarity(text, &format!("{} {}", c.title, c.description));
                (near && similarity >= feedback::DUPLICATE_SIMILARITY).then_some((similarity, distance, c))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(5);
        let mut out = Vec::new();
        for (similarity, distance_m, item) in scored {
            let view = self.feedback_view(item).await?;
            out.push(SimilarFeedback { item: PublicFeedback::of(&view, Vec::new()), similarity, distance_m });
        }
        Ok(out)
    }

    /// Likely duplicates of a text about to be sent (public; what the form shows).
    pub async fn similar_feedback(
        &self,
        area_code: &str,
        lat: Option<f64>,
        lon: Option<f64>,
        text: &str,
    ) -> Result<Vec<SimilarFeedback>> {
        let area = self.feedback_area(area_code).await?;
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(LatLon::new(lat, lon)?),
            _ => None,
        };
        let settings = self.feedback_settings().await?;
        self.similar_to(&area, location, text, None, &settings).await
    }

    // ----- views ----------------------------------------------------------------------------------

    async fn feedback_views(&self, items: Vec<Feedback>) -> Result<Vec<FeedbackView>> {
        let mut ids: Vec<OrgId> = items.iter().flat_map(|f| [f.area_org_id, f.handler_org_id]).collect();
        ids.sort_unstable();
        ids.dedup();
        let units: HashMap<OrgId, OrgUnit> = self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let cats: HashMap<i64, Category> =
            self.store.feedback_categories().await?.into_iter().map(|c| (c.id, c)).collect();
        let masters: Vec<i64> = items.iter().filter_map(|f| f.merged_into).collect();
        let mut master_codes: HashMap<i64, String> = HashMap::new();
        for id in masters {
            if let Some(m) = self.store.feedback_get(id).await? {
                master_codes.insert(id, m.tracking_code);
            }
        }
        Ok(assemble_views(items, &units, &cats, &master_codes, self.clock.today()))
    }

    async fn feedback_view(&self, item: Feedback) -> Result<FeedbackView> {
        self.feedback_views(vec![item]).await?.pop().ok_or_else(|| DomainError::Storage("view of nothing".into()))
    }

    // ----- the public side --------------------------------------------------------------------------

    /// The citizen's page: the item by its tracking code, its public history and, when merged,
    /// the item carrying the answer. Hidden items show only their status.
    pub async fn track_feedback(&self, code: &str) -> Result<Tracking> {
        let not_found = || DomainError::not_found("phản ánh", code.trim());
        let code = feedback::parse_tracking_code(code).ok_or_else(not_found)?;
        let item = self.store.feedback_by_code(&code).await?.ok_or_else(not_found)?;
        self.tracking(item, true).await
    }

    async fn tracking(&self, item: Feedback, follow_master: bool) -> Result<Tracking> {
        let settings = self.feedback_settings().await?;
        let reopen_until = match item.status {
            Status::Answered | Status::Rejected | Status::Closed => {
                item.reopen_until(settings.reopen_days).filter(|until| *until > self.clock.now())
            }
            _ => None,
        };
        let master = match (item.merged_into, follow_master) {
            (Some(id), true) => match self.store.feedback_get(id).await? {
                Some(m) => Some(Box::new(Box::pin(self.tracking(m, false)).await?)),
                None => None,
            },
            _ => None,
        };
        let history = self
            .store
            .feedback_events(item.id)
            .await?
            .into_iter()
            .filter(|e| e.public)
            .map(|e| PublicEvent { at: e.at, kind: e.kind, label: e.kind.label(), status: e.status, note: e.note })
            .collect();
        let hidden = item.hidden || item.flagged;
        let photo_ids = if hidden {
            Vec::new()
        } else {
            self.store.feedback_photos(item.id).await?.into_iter().map(|p| p.id).collect()
        };
        let view = self.feedback_view(item).await?;
        let mut public = PublicFeedback::of(&view, photo_ids);
        if hidden {
            public.title = "Phản ánh đang được kiểm duyệt".into();
            public.description = "Nội dung phản ánh đang được cơ quan tiếp nhận kiểm duyệt trước khi công khai.".into();
            public.address = None;
            public.location = None;
        }
        Ok(Tracking { item: public, history, master, reopen_until })
    }

    /// The citizen reopens an answered, rejected or closed item within the window ("đã đóng
    /// nhưng chưa được giải quyết"): back to the handling unit with a new SLA.
    pub async fn reopen_feedback(&self, code: &str, reason: &str) -> Result<Tracking> {
        let not_found = || DomainError::not_found("phản ánh", code.trim());
        let code = feedback::parse_tracking_code(code).ok_or_else(not_found)?;
        let item = self.store.feedback_by_code(&code).await?.ok_or_else(not_found)?;
        let reason = feedback::parse_text("note", "lý do mở lại", reason, feedback::REPLY_MAX_CHARS)?;
        let settings = self.feedback_settings().await?;
        let now = self.clock.now();
        let next = item.status.after(Step::Reopen)?;
        if item.reopen_until(settings.reopen_days).is_none_or(|until| now > until) {
            return Err(DomainError::invalid(
                "reopen",
                format!("chỉ được mở lại trong {} ngày kể từ khi có trả lời", settings.reopen_days),
            ));
        }
        let sla = match item.category_id {
            Some(id) => self.store.feedback_categories().await?.into_iter().find(|c| c.id == id).map(|c| c.sla_days),
            None => None,
        }
        .unwrap_or(15);
        let mut updated = item.clone();
        updated.status = next;
        updated.reopen_count += 1;
        updated.resolved_at = None;
        updated.closed_at = None;
        updated.due_on = self.work_calendar().await?.add_working_days(vietnam_date(now), sla as i32);
        updated.updated_at = now;
        let event = NewEvent {
            at: now,
            kind: EventKind::Reopened,
            actor_id: None,
            actor: String::new(),
            note: Some(reason),
            public: true,
        };
        let mut audit = self.draft(None, "feedback.reopen", "feedback");
        audit.entity_id = Some(item.id.to_string());
        audit.org_id = Some(item.handler_org_id);
        audit.before = Some(json!({ "status": item.status.as_str(), "due_on": item.due_on }));
        audit.after =
            Some(json!({ "status": next.as_str(), "due_on": updated.due_on, "reopen_count": updated.reopen_count }));
        if !self.store.feedback_update(&updated, item.row_version, &event, &[], audit).await? {
            return Err(DomainError::Conflict("phản ánh vừa được cập nhật; hãy tải lại trang".into()));
        }
        self.track_feedback(&code).await
    }

    /// Public list (portal, Open311 `GET requests`): items not hidden, newest first.
    pub async fn public_feedback(&self, mut query: FeedbackQuery) -> Result<Page<PublicFeedback>> {
        query.within_paths = None;
        query.public_only = true;
        query.limit = query.limit.clamp(1, 1000);
        let page = self.store.feedback_list(&query).await?;
        let views = self.feedback_views(page.items).await?;
        Ok(Page {
            items: views.iter().map(|v| PublicFeedback::of(v, Vec::new())).collect(),
            total: page.total,
            total_capped: page.total_capped,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// One public item by tracking code (Open311 `GET requests/{id}`); hidden ones are not found.
    pub async fn public_feedback_item(&self, code: &str) -> Result<PublicFeedback> {
        let not_found = || DomainError::not_found("phản ánh", code.trim());
        let code = feedback::parse_tracking_code(code).ok_or_else(not_found)?;
        let item =
            self.store.feedback_by_code(&code).await?.filter(|f| !f.hidden && !f.flagged).ok_or_else(not_found)?;
        let photo_ids = self.store.feedback_photos(item.id).await?.into_iter().map(|p| p.id).collect();
        Ok(PublicFeedback::of(&self.feedback_view(item).await?, photo_ids))
    }

    /// Public history lines of every item in a time window (Open311 `servicerequestupdates`).
    pub async fn public_feedback_updates(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<(FeedbackEvent, String)>> {
        self.store.feedback_public_events(from, to, limit.clamp(1, 1000)).await
    }

    /// A photo, for anyone when its item is public, else for officers who may read the item.
    pub async fn feedback_photo(&self, actor: Option<&Principal>, photo_id: i64) -> Result<(String, Vec<u8>)> {
        let not_found = || DomainError::not_found("ảnh", photo_id.to_string());
        let (meta, bytes) = self.store.feedback_photo(photo_id).await?.ok_or_else(not_found)?;
        let item = self.store.feedback_get(meta.feedback_id).await?.ok_or_else(not_found)?;
        let public = !item.hidden && !item.flagged;
        if !public && !actor.is_some_and(|a| may_read(a, &item)) {
            return Err(not_found());
        }
        Ok((meta.content_type, bytes))
    }

    // ----- officers -------------------------------------------------------------------------------------

    /// Items in the caller's scope (handled by or sent about units they may read).
    pub async fn feedback_list(&self, actor: &Principal, filter: &FeedbackFilter) -> Result<Page<FeedbackView>> {
        let scope = actor.scope_paths(Action::ReadFeedback);
        if scope.is_empty() {
            return Err(DomainError::Forbidden("xem phản ánh, kiến nghị"));
        }
        let mut query = FeedbackQuery {
            within_paths: Some(scope),
            newest_first: true,
            offset: filter.offset.unwrap_or(0),
            limit: filter.limit.unwrap_or(50).clamp(1, 500),
            q: filter.q.as_deref().map(textvi::fold).filter(|q| !q.is_empty()),
            ..Default::default()
        };
        self.narrow_feedback_query(filter, &mut query).await?;
        if let Some(statuses) = filter.status.as_deref().filter(|s| !s.trim().is_empty()) {
            query.statuses = statuses.split(',').map(Status::parse).collect::<Result<_>>()?;
        }
        match filter.category.as_deref().map(str::trim) {
            Some("none") => query.uncategorized = true,
            Some(code) if !code.is_empty() => query.category_id = Some(self.feedback_category(code).await?.id),
            _ => {}
        }
        if filter.overdue.as_deref().is_some_and(|o| o == "1" || o == "true") {
            query.overdue_on = Some(self.clock.today());
        }
        let page = self.store.feedback_list(&query).await?;
        Ok(Page {
            items: self.feedback_views(page.items).await?,
            total: page.total,
            total_capped: page.total_capped,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// One item with its whole history, photos, merged duplicates and likely duplicates.
    pub async fn feedback_detail(&self, actor: &Principal, id: i64) -> Result<FeedbackDetail> {
        let item = self.readable_item(actor, id).await?;
        let may_handle = self.may_handle(actor, &item).await?;
        let settings = self.feedback_settings().await?;
        let area = self.org_unit(item.area_org_id).await?;
        let similar = if item.status.is_pending() {
            self.similar_to(
                &area,
                item.location,
                &format!("{} {}", item.title, item.description),
                Some(item.id),
                &settings,
            )
            .await?
        } else {
            Vec::new()
        };
        let merged = self.feedback_views(self.store.feedback_merged_into(item.id).await?).await?;
        let steps = if may_handle {
            Step::ALL.into_iter().filter(|s| *s != Step::Reopen && item.status.after(*s).is_ok()).collect()
        } else {
            Vec::new()
        };
        Ok(FeedbackDetail {
            history: self.store.feedback_events(item.id).await?,
            photos: self.store.feedback_photos(item.id).await?,
            view: self.feedback_view(item).await?,
            merged,
            similar,
            steps,
            may_handle,
        })
    }

    async fn readable_item(&self, actor: &Principal, id: i64) -> Result<Feedback> {
        self.store
            .feedback_get(id)
            .await?
            .filter(|f| may_read(actor, f))
            .ok_or_else(|| DomainError::not_found("phản ánh", id.to_string()))
    }

    async fn may_handle(&self, actor: &Principal, item: &Feedback) -> Result<bool> {
        Ok(actor.may(Action::HandleFeedback, &self.org_unit(item.handler_org_id).await?))
    }

    async fn handled_item(&self, actor: &Principal, id: i64) -> Result<Feedback> {
        let item = self.readable_item(actor, id).await?;
        if !self.may_handle(actor, &item).await? {
            return Err(DomainError::Forbidden("xử lý phản ánh của đơn vị khác"));
        }
        Ok(item)
    }

    /// Takes one workflow step on an item the caller's unit handles. Replying publishes the
    /// answer on the tracking page and e-mails the citizen (and every citizen whose item was
    /// merged into this one); transferring keeps the due day (the SLA moves with the item).
    pub async fn feedback_step(
        &self,
        actor: &Principal,
        id: i64,
        step: Step,
        input: &StepInput,
    ) -> Result<FeedbackView> {
        if step == Step::Merge {
            let into = input.into.as_deref().unwrap_or_default();
            return self.merge_feedback(actor, id, into, input.row_version).await;
        }
        if step == Step::Reopen {
            return Err(DomainError::Forbidden("mở lại phản ánh (chỉ người gửi được mở lại)"));
        }
        let item = self.handled_item(actor, id).await?;
        if input.row_version.is_some_and(|v| v != item.row_version) {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        let next = item.status.after(step)?;
        let now = self.clock.now();
        let note = |what: &str| -> Result<String> {
            feedback::parse_text("note", what, input.note.as_deref().unwrap_or_default(), feedback::REPLY_MAX_CHARS)
        };
        let mut updated = item.clone();
        updated.status = next;
        updated.updated_at = now;
        let mut mails = Vec::new();
        let (text, public) = match step {
            Step::Receive | Step::Start => {
                (input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(textvi::nfc), true)
            }
            Step::Reply => {
                let reply = note("nội dung trả lời")?;
                updated.resolved_at = Some(now);
                mails = self.answer_mails(&item, &reply, "Trả lời phản ánh").await?;
                (Some(reply), true)
            }
            Step::Reject => {
                let reason = note("lý do từ chối")?;
                updated.resolved_at = Some(now);
                mails = self.answer_mails(&item, &reason, "Phản ánh không được tiếp nhận").await?;
                (Some(reason), true)
            }
            Step::Close => {
                updated.closed_at = Some(now);
                (input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(textvi::nfc), true)
            }
            Step::Transfer => {
                let reason = note("lý do chuyển")?;
                let code = input.to_org.as_deref().unwrap_or_default().trim();
                let to =
                    self.org_by_code(code, None).await.ok().filter(|u| u.is_valid_on(self.clock.today())).ok_or_else(
                        || DomainError::invalid("to_org", format!("không có đơn vị hiện hành mã '{code}'")),
                    )?;
                if to.id == item.handler_org_id {
                    return Err(DomainError::invalid("to_org", "đơn vị nhận phải khác đơn vị đang xử lý"));
                }
                updated.handler_org_id = to.id;
                updated.handler_path = to.path.clone();
                (Some(format!("Chuyển đến {}: {reason}", to.name)), true)
            }
            Step::Merge | Step::Reopen => {
                return Err(DomainError::Transition { state: item.status.label(), action: step.label() });
            }
        };
        let event = NewEvent {
            at: now,
            kind: EventKind::of(step),
            actor_id: Some(actor.user.id),
            actor: actor.user.full_name.clone(),
            note: text,
            public,
        };
        let mut audit = self.draft(Some(&actor.user), &format!("feedback.{}", step.as_str()), "feedback");
        audit.entity_id = Some(item.id.to_string());
        audit.org_id = Some(item.handler_org_id);
        audit.before = Some(
            json!({ "status": item.status.as_str(), "handler_org_id": item.handler_org_id, "due_on": item.due_on }),
        );
        audit.after = Some(
            json!({ "status": next.as_str(), "handler_org_id": updated.handler_org_id, "due_on": updated.due_on, "note": event.note }),
        );
        if !self.store.feedback_update(&updated, item.row_version, &event, &mails, audit).await? {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.feedback_view(
            self.store.feedback_get(id).await?.ok_or_else(|| DomainError::not_found("phản ánh", id.to_string()))?,
        )
        .await
    }

    /// E-mails that carry an answer: to the item's reporter and to every reporter of an item
    /// merged into it, each naming their own tracking code.
    async fn answer_mails(&self, item: &Feedback, text: &str, subject: &str) -> Result<Vec<CitizenMail>> {
        let mut recipients: Vec<(String, String)> = Vec::new();
        if let Some(email) = &item.reporter.email {
            recipients.push((email.clone(), item.tracking_code.clone()));
        }
        for merged in self.store.feedback_merged_into(item.id).await? {
            if let Some(email) = merged.reporter.email {
                recipients.push((email, merged.tracking_code));
            }
        }
        let mut seen = BTreeSet::new();
        Ok(recipients
            .into_iter()
            .filter(|(email, _)| seen.insert(email.to_lowercase()))
            .map(|(to, code)| CitizenMail {
                to,
                subject: format!("{subject} {code}"),
                body: format!(
                    "Phản ánh {code}: {}\n\n{text}\n\nTheo dõi phản ánh tại trang /phan-anh/tra-cuu?ma={code}",
                    item.title
                ),
            })
            .collect())
    }

    /// Merges a duplicate into the item that will carry the answer.
    async fn merge_feedback(
        &self,
        actor: &Principal,
        id: i64,
        into: &str,
        row_version: Option<i32>,
    ) -> Result<FeedbackView> {
        let duplicate = self.handled_item(actor, id).await?;
        if row_version.is_some_and(|v| v != duplicate.row_version) {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        let code = feedback::parse_tracking_code(into)
            .ok_or_else(|| DomainError::invalid("into", format!("'{}' không phải mã phản ánh", into.trim())))?;
        let master = self
            .store
            .feedback_by_code(&code)
            .await?
            .filter(|m| may_read(actor, m))
            .ok_or_else(|| DomainError::invalid("into", format!("không có phản ánh mã '{code}'")))?;
        if master.id == duplicate.id {
            return Err(DomainError::invalid("into", "không thể gộp phản ánh vào chính nó"));
        }
        if master.status == Status::Merged {
            return Err(DomainError::invalid(
                "into",
                "phản ánh đích đã được gộp vào phản ánh khác; hãy gộp vào phản ánh đó",
            ));
        }
        let next = duplicate.status.after(Step::Merge)?;
        let now = self.clock.now();
        let mut dup = duplicate.clone();
        dup.status = next;
        dup.merged_into = Some(master.id);
        dup.updated_at = now;
        let mut m = master.clone();
        m.updated_at = now;
        let note_dup =
            format!("Trùng với phản ánh {}; kết quả xử lý sẽ được trả lời theo phản ánh đó.", master.tracking_code);
        let note_master = format!("Gộp phản ánh trùng {}.", duplicate.tracking_code);
        let event = |kind, note: String| NewEvent {
            at: now,
            kind,
            actor_id: Some(actor.user.id),
            actor: actor.user.full_name.clone(),
            note: Some(note),
            public: true,
        };
        let mut audit = self.draft(Some(&actor.user), "feedback.merge", "feedback");
        audit.entity_id = Some(duplicate.id.to_string());
        audit.org_id = Some(duplicate.handler_org_id);
        audit.after = Some(json!({ "merged_into": master.tracking_code, "duplicate": duplicate.tracking_code }));
        if !self
            .store
            .feedback_merge(
                &dup,
                &m,
                (&event(EventKind::Merged, note_dup), &event(EventKind::Absorbed, note_master)),
                audit,
            )
            .await?
        {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.feedback_view(
            self.store.feedback_get(id).await?.ok_or_else(|| DomainError::not_found("phản ánh", id.to_string()))?,
        )
        .await
    }

    /// An officer confirms or changes the category (the item becomes a training example). A new
    /// item is routed again by the new category.
    pub async fn categorize_feedback(&self, actor: &Principal, id: i64, category_code: &str) -> Result<FeedbackView> {
        let item = self.handled_item(actor, id).await?;
        let category = self.feedback_category(category_code).await.map_err(|_| {
            DomainError::invalid("category", format!("không có lĩnh vực mã '{}'", category_code.trim()))
        })?;
        let now = self.clock.now();
        let mut updated = item.clone();
        updated.category_id = Some(category.id);
        updated.category_source = CategorySource::Officer;
        updated.updated_at = now;
        let mut note = format!("Lĩnh vực: {}", category.name);
        if item.status == Status::New {
            let area = self.org_unit(item.area_org_id).await?;
            let routes = self.store.feedback_routes().await?;
            let handler = self.route_for(&routes, Some(category.id), &area).await?;
            if handler.id != item.handler_org_id {
                note.push_str(&format!("; chuyển đến {}", handler.name));
                updated.handler_org_id = handler.id;
                updated.handler_path = handler.path;
            }
            // The SLA of the category now known, counted from the day it was sent.
            updated.due_on =
                self.work_calendar().await?.add_working_days(vietnam_date(item.submitted_at), category.sla_days as i32);
        }
        let event = NewEvent {
            at: now,
            kind: EventKind::Categorized,
            actor_id: Some(actor.user.id),
            actor: actor.user.full_name.clone(),
            note: Some(note),
            public: true,
        };
        let mut audit = self.draft(Some(&actor.user), "feedback.categorize", "feedback");
        audit.entity_id = Some(item.id.to_string());
        audit.org_id = Some(item.handler_org_id);
        audit.before = Some(json!({ "category_id": item.category_id, "handler_org_id": item.handler_org_id }));
        audit.after = Some(
            json!({ "category": category.code, "handler_org_id": updated.handler_org_id, "due_on": updated.due_on }),
        );
        if !self.store.feedback_update(&updated, item.row_version, &event, &[], audit).await? {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.feedback_view(
            self.store.feedback_get(id).await?.ok_or_else(|| DomainError::not_found("phản ánh", id.to_string()))?,
        )
        .await
    }

    /// Moderation: the public text (personal data or abuse removed) and whether the item shows
    /// publicly at all. Clears the abuse flag: a moderator has looked.
    pub async fn moderate_feedback(
        &self,
        actor: &Principal,
        id: i64,
        public_description: Option<&str>,
        hidden: bool,
    ) -> Result<FeedbackView> {
        let item = self.handled_item(actor, id).await?;
        let now = self.clock.now();
        let mut updated = item.clone();
        if let Some(text) = public_description.map(str::trim).filter(|t| !t.is_empty()) {
            updated.public_description = feedback::parse_description(text)?;
        }
        updated.hidden = hidden;
        updated.flagged = false;
        updated.updated_at = now;
        let event = NewEvent {
            at: now,
            kind: EventKind::Moderated,
            actor_id: Some(actor.user.id),
            actor: actor.user.full_name.clone(),
            note: Some(if hidden {
                "Ẩn khỏi trang công khai".into()
            } else {
                "Nội dung công khai đã được biên tập".into()
            }),
            public: false,
        };
        let mut audit = self.draft(Some(&actor.user), "feedback.moderate", "feedback");
        audit.entity_id = Some(item.id.to_string());
        audit.org_id = Some(item.handler_org_id);
        audit.before = Some(
            json!({ "public_description": item.public_description, "hidden": item.hidden, "flagged": item.flagged }),
        );
        audit.after = Some(json!({ "public_description": updated.public_description, "hidden": hidden }));
        if !self.store.feedback_update(&updated, item.row_version, &event, &[], audit).await? {
            return Err(DomainError::Conflict("phản ánh vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.feedback_view(
            self.store.feedback_get(id).await?.ok_or_else(|| DomainError::not_found("phản ánh", id.to_string()))?,
        )
        .await
    }

    // ----- SLA reminders ------------------------------------------------------------------------------

    /// One SLA reminder run for today: the handling unit's officers are reminded on the working
    /// days before the due day that the reminder rules name, every working day once overdue, and
    /// the unit's leaders are told after the rules' escalation delay. Runs only on working days.
    pub async fn run_feedback_reminders(&self, email: bool) -> Result<ReminderRun> {
        let today = self.clock.today();
        let calendar = self.work_calendar().await?;
        let mut run = ReminderRun::default();
        if !calendar.is_working_day(today) {
            return Ok(run);
        }
        let rules = self.reminder_rules().await?;
        let furthest = rules.before.iter().copied().max().unwrap_or(0);
        let until = calendar.add_working_days(today, furthest as i32);
        let due = self.store.feedback_due_by(until).await?;
        let mut people: BTreeMap<(String, bool), Vec<User>> = BTreeMap::new();
        for item in due {
            run.checked_tasks += 1;
            let left = calendar.working_days_between(today, item.due_on);
            let (kind, title, leaders) = if left > 0 {
                if !rules.before.contains(&(left as u32)) {
                    continue;
                }
                (
                    "reminder",
                    format!("Phản ánh {} sắp đến hạn trả lời (còn {left} ngày làm việc)", item.tracking_code),
                    false,
                )
            } else if left == 0 {
                ("reminder", format!("Phản ánh {} đến hạn trả lời hôm nay", item.tracking_code), false)
            } else {
                let late = -left;
                if late >= i64::from(rules.escalate_after) {
                    ("escalation", format!("Phản ánh {} quá hạn {late} ngày làm việc", item.tracking_code), true)
                } else if rules.overdue_daily {
                    ("overdue", format!("Phản ánh {} quá hạn {late} ngày làm việc", item.tracking_code), false)
                } else {
                    continue;
                }
            };
            let roles: &[Role] =
                if leaders { &[Role::Leader] } else { &[Role::GrassrootsOfficer, Role::Officer, Role::FocalPoint] };
            let key = (item.handler_path.clone(), leaders);
            if !people.contains_key(&key) {
                let found = self.unit_people(&item.handler_path, roles).await?;
                people.insert(key.clone(), found);
            }
            let body = format!(
                "{}\nHạn trả lời: {}\nTrạng thái: {}",
                item.title,
                item.due_on.format("%d/%m/%Y"),
                item.status.label()
            );
            for user in people.get(&key).into_iter().flatten() {
                let created = self
                    .notify_once(
                        user,
                        kind,
                        title.clone(),
                        body.clone(),
                        Some(format!("/feedback/{}", item.id)),
                        format!("feedback:{}:{kind}:{today}:user:{}", item.id, user.id),
                        email,
                    )
                    .await?;
                run.count(created);
            }
        }
        Ok(run)
    }

    // ----- Open311 client keys -----------------------------------------------------------------------

    /// Issues an Open311 `api_key` for a client application (shown once; stored as a digest).
    pub async fn create_open311_key(&self, actor: &Principal, name: &str) -> Result<String> {
        let root = self.root().await?;
        actor.require(Action::ManageFeedback, &root)?;
        let name = feedback::parse_text("name", "tên ứng dụng", name, 200)?;
        let key = crate::users::random_token();
        let mut audit = self.draft(Some(&actor.user), "open311.key.create", "open311_key");
        audit.after = Some(json!({ "name": name }));
        self.store.open311_key_insert(&name, &crate::users::token_digest(&key), self.clock.now(), audit).await?;
        Ok(key)
    }

    /// Issues a key without an actor (demo data, benchmarks, the CLI).
    pub async fn seed_open311_key(&self, name: &str, key: &str) -> Result<()> {
        let mut audit = self.draft(None, "open311.key.create", "open311_key");
        audit.after = Some(json!({ "name": name }));
        self.store.open311_key_insert(name, &crate::users::token_digest(key), self.clock.now(), audit).await?;
        Ok(())
    }

    pub async fn open311_key_valid(&self, key: &str) -> Result<bool> {
        if key.trim().is_empty() {
            return Ok(false);
        }
        let digest = crate::users::token_digest(key.trim());
        let refs = self.intake_refs().await?;
        let known = |keys: &std::collections::HashSet<String>| keys.contains(&digest);
        if known(&refs.valid_keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return Ok(true);
        }
        let valid = self.store.open311_key_valid(&digest).await?;
        if valid {
            refs.valid_keys.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(digest);
        }
        Ok(valid)
    }
}

/// Items with the names of their units and categories (all already loaded).
fn assemble_views(
    items: Vec<Feedback>,
    units: &HashMap<OrgId, OrgUnit>,
    cats: &HashMap<i64, Category>,
    master_codes: &HashMap<i64, String>,
    today: NaiveDate,
) -> Vec<FeedbackView> {
    let unit_ref = |id: OrgId| {
        units.get(&id).map_or(UnitRef { id, code: String::new(), name: String::new() }, |u| UnitRef {
            id,
            code: u.code.clone(),
            name: u.name.clone(),
        })
    };
    let cat_ref = |id: Option<i64>| {
        id.and_then(|id| cats.get(&id)).map(|c| CategoryRef { code: c.code.clone(), name: c.name.clone() })
    };
    items
        .into_iter()
        .map(|item| FeedbackView {
            status_label: item.status.label(),
            category: cat_ref(item.category_id),
            predicted_category: cat_ref(item.predicted_category_id),
            area: unit_ref(item.area_org_id),
            handler: unit_ref(item.handler_org_id),
            overdue: item.is_overdue(today),
            merged_into_code: item.merged_into.and_then(|id| master_codes.get(&id).cloned()),
            item,
        })
        .collect()
}

/// May the principal read an item: handled by, or sent about, a unit in their scope.
fn may_read(actor: &Principal, item: &Feedback) -> bool {
    actor
        .scope_paths(Action::ReadFeedback)
        .iter()
        .any(|p| item.handler_path.starts_with(p.as_str()) || item.area_path.starts_with(p.as_str()))
}

/// The SLA of an item whose category is not known yet: the longest, so triage is never late by rule.
fn max_sla(categories: &[Category]) -> u32 {
    categories.iter().map(|c| c.sla_days).max().unwrap_or(15)
}

fn zero_shot(categories: &[classify::Category]) -> Result<classify::Model> {
    classify::Model::train(categories, &[], &classify::Params::default())
        .map_err(|e| DomainError::Storage(format!("classifier: {e}")))
}
