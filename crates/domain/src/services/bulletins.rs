//! Source information use cases: writing bulletins and their workflow (a leader approves;
//! publication now or at the set time; a correction is a new version; withdrawal), relay by a
//! receiving unit with local additions, the receiving units' inbox and acknowledgement, stations
//! and playlists, reminders to units that have not acknowledged, reach, the public portal and
//! the CAP messages of emergency alerts. Pages, API handlers and the scheduler call these.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Services;
use crate::auth::{Action, Principal, Role};
use crate::bulletins::{
    ATTACHMENT_RULE, ATTACHMENTS_MAX, Attachment, Broadcast, BroadcastInput, Bulletin, BulletinInput, CapMessage,
    Category, DeliveryRecord, LevelReach, MsgType, RECEIVING_LEVELS, Station, StationInput, Status, Step,
    cap_identifier, cap_reference, cap_sender, current_alerts, reach,
};
use crate::notify::ReminderRun;
use crate::org::{OrgType, OrgUnit, Page, ROOT_CODE};
use crate::repo::bulletins::{
    BulletinQuery, InboxItem, InboxQuery, NewBulletin, NewCapMessage, PortalQuery, Publication,
};
use crate::{DomainError, Result};

/// Hours a receiving unit has to acknowledge an emergency bulletin, then any other one. After
/// that its officers are reminded; after three times as long, its leaders.
pub const EMERGENCY_ACK_HOURS: i64 = 2;
pub const ACK_HOURS: i64 = 24;

/// How long a portal site's listing is kept in memory (writes through these services drop it
/// at once; another server process sees a change within this time).
const PORTAL_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Portal listings and view counts kept in memory.
#[derive(Default)]
pub struct PortalCell {
    /// Each site's current bulletins.
    listings: Mutex<Kept<String, Vec<Bulletin>>>,
    /// Each published bulletin's public page.
    pages: Mutex<Kept<i64, PortalBulletin>>,
    /// The sites (the country and the provinces valid on a day), kept [`SITES_TTL`]: the
    /// structure changes by decree, not by a bulletin write.
    sites: Mutex<Option<SitesOfDay>>,
    /// Views not yet written, by bulletin id.
    views: Mutex<HashMap<i64, u64>>,
}

/// When the sites were read, for which day, and the sites.
type SitesOfDay = (std::time::Instant, chrono::NaiveDate, Arc<Vec<PortalSite>>);

const SITES_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Values kept for [`PORTAL_TTL`], all dropped when a write bumps the generation (a load that
/// began before the bump is not kept).
struct Kept<K, V> {
    generation: u64,
    map: HashMap<K, (std::time::Instant, Arc<V>)>,
}

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept { generation: 0, map: HashMap::new() }
    }
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The kept value of `key`, or what `load` gives (kept unless a write came meanwhile).
async fn kept<K, V, F>(cell: &Mutex<Kept<K, V>>, key: K, load: F) -> Result<Arc<V>>
where
    K: std::hash::Hash + Eq,
    F: std::future::Future<Output = Result<V>>,
{
    let generation = {
        let kept = locked(cell);
        match kept.map.get(&key) {
            Some((at, v)) if at.elapsed() < PORTAL_TTL => return Ok(v.clone()),
            _ => kept.generation,
        }
    };
    let value = Arc::new(load.await?);
    let mut kept = locked(cell);
    if kept.generation == generation {
        kept.map.insert(key, (std::time::Instant::now(), value.clone()));
    }
    Ok(value)
}

fn forget<K, V>(cell: &Mutex<Kept<K, V>>) {
    let mut kept = locked(cell);
    kept.generation += 1;
    kept.map.clear();
}

/// What the caller may do to a bulletin version now.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct BulletinActions {
    pub edit: bool,
    pub submit: bool,
    pub approve: bool,
    pub return_to_writer: bool,
    pub publish: bool,
    pub withdraw: bool,
    pub correct: bool,
    /// Codes of the caller's units that received it and may relay it.
    pub relay_from: Vec<String>,
    /// Codes of the caller's units that received it and have not acknowledged.
    pub acknowledge_for: Vec<String>,
}

/// One bulletin version with what a page or API response shows around it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinView {
    #[serde(flatten)]
    pub bulletin: Bulletin,
    pub origin_code: String,
    pub origin_name: String,
    pub attachments: Vec<Attachment>,
    /// Every version of the series, oldest first.
    pub versions: Vec<VersionLine>,
    /// The bulletin it relays.
    pub source: Option<VersionLine>,
    /// Relays of it by receiving units.
    pub relays: Vec<VersionLine>,
    pub cap: Vec<CapMessage>,
    pub actions: BulletinActions,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionLine {
    pub id: i64,
    pub version: i32,
    pub title: String,
    pub status: Status,
    pub origin_name: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of the officials' list.
#[derive(Debug, Clone, Default)]
pub struct BulletinFilter {
    /// Written by this unit's subtree.
    pub origin: Option<String>,
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub q: Option<String>,
    pub offset: u64,
    pub limit: u64,
}

/// One inbox line: the bulletin and the receiving unit's record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxLine {
    pub bulletin: Bulletin,
    pub origin_name: String,
    pub delivery: DeliveryRecord,
    /// Acknowledgement is due by then.
    pub ack_due: DateTime<Utc>,
}

/// Reach of one bulletin version, as far as the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulletinReach {
    pub bulletin_id: i64,
    pub title: String,
    pub category: Category,
    pub published_at: Option<DateTime<Utc>>,
    pub targeted: u64,
    pub received: u64,
    pub acknowledged: u64,
    pub broadcast: u64,
    pub portal_views: i64,
    pub levels: Vec<LevelReach>,
    /// Per province (or the caller's province): targeted and acknowledged.
    pub provinces: Vec<AreaReach>,
    /// Units past the deadline that have not acknowledged, by code.
    pub never_acknowledged: Vec<DeliveryRecord>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaReach {
    pub code: String,
    pub name: String,
    pub targeted: u64,
    pub acknowledged: u64,
    pub broadcast: u64,
}

/// The reach dashboard of a unit's subtree over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReachDashboard {
    pub org_code: String,
    pub org_name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bulletins: Vec<BulletinReach>,
    /// Totals over the bulletins, per level.
    pub levels: Vec<LevelReach>,
    /// Totals per province (national) or per commune's province.
    pub provinces: Vec<AreaReach>,
    /// Units that acknowledged none of the bulletins they received in the period.
    pub never_acknowledging: Vec<AreaReach>,
}

/// A portal site: the country or a province.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalSite {
    pub code: String,
    pub name: String,
    pub national: bool,
}

/// A portal page's bulletins.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalListing {
    pub site: PortalSite,
    /// Active emergency alerts of the site (the banner).
    pub alerts: Vec<Bulletin>,
    pub bulletins: Vec<Bulletin>,
}

/// A bulletin as the portal shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PortalBulletin {
    pub bulletin: Bulletin,
    pub origin_name: String,
    pub attachments: Vec<Attachment>,
    /// The newest published version when this one was corrected.
    pub newer_id: Option<i64>,
    pub current: bool,
}

/// A bulletin ready to post on social networks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SocialPost {
    pub bulletin_id: i64,
    /// Text to paste (at most 500 characters, link included).
    pub text: String,
    pub hashtags: Vec<String>,
    /// The portal page.
    pub link: String,
    pub title: String,
    pub category: Category,
    pub origin_name: String,
    pub published_at: Option<DateTime<Utc>>,
    pub emergency: bool,
    pub summary: String,
}

/// A CAP message with the bulletin version it is about and the units it covers.
#[derive(Debug, Clone)]
pub struct CapDocument {
    pub message: CapMessage,
    pub bulletin: Bulletin,
    pub origin_name: String,
    /// Target units (code, name) of the area.
    pub areas: Vec<(String, String)>,
}

/// The first characters of a text, cut at a word.
pub fn summary(text: &str, max_chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

fn search_key(input: &BulletinInput) -> String {
    textvi::fold(&format!("{} {} {}", input.title, input.body, input.alert.as_ref().map_or("", |a| a.event.as_str())))
}

impl Services {
    // ----- scope ---------------------------------------------------------------------------------

    /// The unit's province (itself if it is one), if it lies in one.
    async fn province_of(&self, unit: &OrgUnit) -> Result<Option<OrgUnit>> {
        if unit.org_type == OrgType::Province {
            return Ok(Some(unit.clone()));
        }
        Ok(self.ancestors(unit).await?.into_iter().find(|u| u.org_type == OrgType::Province))
    }

    /// The CAP authority of a unit: its province's code, else the national one.
    async fn authority_of(&self, unit: &OrgUnit) -> Result<String> {
        Ok(self.province_of(unit).await?.map_or_else(|| ROOT_CODE.to_string(), |p| p.code))
    }

    async fn bulletin_or_404(&self, id: i64) -> Result<Bulletin> {
        self.store.bulletin_get(id).await?.ok_or_else(|| DomainError::not_found("bản tin", id.to_string()))
    }

    /// May the caller read this version: written in their scope, or delivered there?
    async fn may_read_bulletin(&self, actor: &Principal, b: &Bulletin) -> Result<bool> {
        let paths = actor.scope_paths(Action::ReadBulletins);
        if paths.iter().any(|p| b.origin_path.starts_with(p.as_str())) {
            return Ok(true);
        }
        if b.published_at.is_none() || paths.is_empty() {
            return Ok(false);
        }
        Ok(!self.store.deliveries(b.id, Some(&paths)).await?.is_empty())
    }

    async fn readable_bulletin(&self, actor: &Principal, id: i64) -> Result<Bulletin> {
        let b = self.bulletin_or_404(id).await?;
        if !self.may_read_bulletin(actor, &b).await? {
            return Err(DomainError::not_found("bản tin", id.to_string()));
        }
        Ok(b)
    }

    /// The version, if the caller may `action` on its origin unit (404 when not even readable).
    async fn bulletin_for(&self, actor: &Principal, id: i64, action: Action) -> Result<(Bulletin, OrgUnit)> {
        let b = self.readable_bulletin(actor, id).await?;
        let origin = self.org_unit(b.origin_org_id).await?;
        actor.require(action, &origin)?;
        Ok((b, origin))
    }

    /// Checks the targets: each a current unit the origin may address — its own subtree, or
    /// anywhere for a central origin — and a province, district or commune (or the country).
    async fn check_targets(&self, origin: &OrgUnit, input: &BulletinInput) -> Result<Vec<OrgUnit>> {
        let central = self.province_of(origin).await?.is_none();
        let mut units = Vec::new();
        for code in &input.targets {
            let unit = self
                .org_by_code(code, None)
                .await
                .map_err(|_| DomainError::invalid("targets", format!("không có đơn vị mã '{code}'")))?;
            let is_root = unit.parent_id.is_none();
            if !is_root && !RECEIVING_LEVELS.contains(&unit.org_type) {
                return Err(DomainError::invalid(
                    "targets",
                    format!("{} không phải tỉnh, huyện, xã hay toàn quốc", unit.name),
                ));
            }
            if !central && !unit.path.starts_with(origin.path.as_str()) {
                return Err(DomainError::invalid(
                    "targets",
                    format!("{} nằm ngoài địa bàn của {}", unit.name, origin.name),
                ));
            }
            units.push(unit);
        }
        Ok(units)
    }

    fn forget_portal(&self) {
        forget(&self.portal.listings);
        forget(&self.portal.pages);
    }

    // ----- writing ---------------------------------------------------------------------------------

    /// A new draft issued by `org_code`.
    pub async fn create_bulletin(&self, actor: &Principal, org_code: &str, input: BulletinInput) -> Result<Bulletin> {
        let origin =
            self.org_by_code(org_code, None).await.map_err(|_| DomainError::invalid("org", "không có đơn vị này"))?;
        actor.require(Action::WriteBulletins, &origin)?;
        let input = input.validate()?;
        self.check_targets(&origin, &input).await?;
        self.insert_version(actor, &origin, input, None, 1, None, None).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_version(
        &self,
        actor: &Principal,
        origin: &OrgUnit,
        input: BulletinInput,
        series_id: Option<i64>,
        version: i32,
        source_id: Option<i64>,
        copy_attachments_of: Option<i64>,
    ) -> Result<Bulletin> {
        let mut audit = self.draft(Some(&actor.user), "bulletin.create", "bulletin");
        audit.org_id = Some(origin.id);
        audit.after = Some(json!({ "title": input.title, "category": input.category.as_str(), "version": version,
            "series_id": series_id, "source_id": source_id, "targets": input.targets }));
        let new = NewBulletin {
            search_key: search_key(&input),
            input,
            series_id,
            version,
            source_id,
            origin_org_id: origin.id,
            origin_path: origin.path.clone(),
            author_id: actor.user.id,
            author: actor.user.full_name.clone(),
            at: self.clock.now(),
            copy_attachments_of,
        };
        self.store.bulletin_insert(&new, audit).await
    }

    /// Edits a draft.
    pub async fn update_bulletin(
        &self,
        actor: &Principal,
        id: i64,
        input: BulletinInput,
        row_version: i32,
    ) -> Result<Bulletin> {
        let (b, origin) = self.bulletin_for(actor, id, Action::WriteBulletins).await?;
        if b.status != Status::Draft {
            return Err(DomainError::Transition { state: b.status.label(), action: "sửa" });
        }
        let input = input.validate()?;
        self.check_targets(&origin, &input).await?;
        let mut audit = self.draft(Some(&actor.user), "bulletin.update", "bulletin");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(origin.id);
        audit.before = Some(json!({ "title": b.title, "targets": b.targets }));
        audit.after = Some(json!({ "title": input.title, "targets": input.targets }));
        let updated = Bulletin {
            title: input.title,
            body: input.body,
            spoken: input.spoken,
            category: input.category,
            publish_at: input.publish_at,
            expires_at: input.expires_at,
            targets: input.targets,
            levels: input.levels,
            alert: input.alert,
            updated_at: self.clock.now(),
            ..b
        };
        self.save_or_conflict(&updated, row_version, audit).await
    }

    async fn save_or_conflict(&self, b: &Bulletin, expected: i32, audit: crate::audit::AuditDraft) -> Result<Bulletin> {
        if !self.store.bulletin_update(b, expected, audit).await? {
            return Err(DomainError::Conflict("bản tin vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.bulletin_or_404(b.id).await
    }

    /// One workflow step. Approving a bulletin with no publication time, or one already due,
    /// publishes it at once (one transaction); a scheduled one waits for the scheduler.
    /// Publishing or withdrawing twice does it once: the second is refused as already done.
    pub async fn bulletin_step(&self, actor: &Principal, id: i64, step: Step, row_version: i32) -> Result<Bulletin> {
        let action = match step {
            Step::Submit => Action::WriteBulletins,
            _ => Action::ApproveBulletins,
        };
        let (b, origin) = self.bulletin_for(actor, id, action).await?;
        let next = b.status.after(step)?;
        if b.row_version != row_version {
            return Err(DomainError::Conflict("bản tin vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        let now = self.clock.now();
        match step {
            Step::Approve if b.publish_at.is_none_or(|t| t <= now) => {
                self.publish(&b, &origin, Some(actor.user.full_name.clone()), Some(&actor.user)).await
            }
            Step::Publish => self.publish(&b, &origin, None, Some(&actor.user)).await,
            Step::Withdraw => self.withdraw(actor, b, &origin).await,
            _ => {
                let mut audit = self.draft(Some(&actor.user), &format!("bulletin.{}", step.as_str()), "bulletin");
                audit.entity_id = Some(id.to_string());
                audit.org_id = Some(origin.id);
                audit.before = Some(json!({ "status": b.status.as_str() }));
                audit.after = Some(json!({ "status": next.as_str() }));
                let approved_by =
                    if step == Step::Approve { Some(actor.user.full_name.clone()) } else { b.approved_by.clone() };
                let updated = Bulletin { status: next, approved_by, updated_at: now, ..b };
                self.save_or_conflict(&updated, row_version, audit).await
            }
        }
    }

    /// Publishes an approved (or, with `approved_by`, a submitted) version: fans it out to every
    /// receiving unit under its targets, supersedes the version it corrects, and sends the CAP
    /// Alert or Update of an emergency.
    async fn publish(
        &self,
        b: &Bulletin,
        origin: &OrgUnit,
        approved_by: Option<String>,
        by: Option<&crate::users::User>,
    ) -> Result<Bulletin> {
        let now = self.clock.now().trunc_subsecs(0);
        let day = crate::clock::vietnam_date(now);
        let mut target_paths = Vec::new();
        let mut sites: BTreeSet<String> = BTreeSet::new();
        let central = self.province_of(origin).await?.is_none();
        if central {
            sites.insert(ROOT_CODE.to_string());
        }
        for code in &b.targets {
            let unit = self.org_by_code(code, Some(day)).await?;
            if unit.parent_id.is_none() {
                let provinces = self
                    .store
                    .org_list(&crate::org::OrgQuery {
                        org_type: Some(OrgType::Province),
                        as_of: Some(day),
                        limit: 500,
                        ..Default::default()
                    })
                    .await?;
                sites.extend(provinces.items.into_iter().map(|p| p.code));
            } else if let Some(p) = self.province_of(&unit).await? {
                sites.insert(p.code);
            }
            target_paths.push(unit.path);
        }
        let series = self.store.bulletin_series(b.series_id).await?;
        let supersedes = series.iter().find(|v| v.id != b.id && v.status == Status::Published).map(|v| v.id);
        let cap = match &b.alert {
            Some(_) => {
                let authority = self.authority_of(origin).await?;
                let earlier = self.store.cap_messages_of_series(b.series_id).await?;
                let msg_type = if earlier.is_empty() { MsgType::Alert } else { MsgType::Update };
                Some(NewCapMessage {
                    identifier: cap_identifier(&authority, b.id, msg_type),
                    sender: cap_sender(&authority),
                    authority_code: authority,
                    msg_type,
                    sent: now,
                    references: earlier.iter().map(cap_reference).collect(),
                    expires_at: b.expires_at,
                })
            }
            None => None,
        };
        let mut audit = self.draft(by, "bulletin.publish", "bulletin");
        audit.entity_id = Some(b.id.to_string());
        audit.org_id = Some(origin.id);
        audit.before = Some(json!({ "status": b.status.as_str() }));
        audit.after = Some(json!({ "status": "published", "supersedes": supersedes, "sites": sites,
            "cap": cap.as_ref().map(|c| c.identifier.clone()) }));
        let publication = Publication {
            bulletin_id: b.id,
            expected_row_version: b.row_version,
            at: now,
            approved_by: approved_by.or_else(|| b.approved_by.clone()),
            supersedes,
            target_paths,
            levels: b.levels.clone(),
            origin_org_id: origin.id,
            on: day,
            sites: sites.into_iter().collect(),
            cap,
        };
        if !self.store.bulletin_publish(&publication, audit).await? {
            return Err(DomainError::Conflict("bản tin đã được phát hành hoặc vừa được người khác cập nhật".into()));
        }
        self.forget_portal();
        self.bulletin_or_404(b.id).await
    }

    async fn withdraw(&self, actor: &Principal, b: Bulletin, origin: &OrgUnit) -> Result<Bulletin> {
        let now = self.clock.now().trunc_subsecs(0);
        let cap = match (&b.alert, b.status) {
            (Some(_), Status::Published) => {
                let earlier = self.store.cap_messages_of_series(b.series_id).await?;
                let authority = self.authority_of(origin).await?;
                Some(NewCapMessage {
                    identifier: cap_identifier(&authority, b.id, MsgType::Cancel),
                    sender: cap_sender(&authority),
                    authority_code: authority,
                    msg_type: MsgType::Cancel,
                    sent: now,
                    references: earlier.iter().map(cap_reference).collect(),
                    expires_at: b.expires_at,
                })
            }
            _ => None,
        };
        let mut audit = self.draft(Some(&actor.user), "bulletin.withdraw", "bulletin");
        audit.entity_id = Some(b.id.to_string());
        audit.org_id = Some(origin.id);
        audit.before = Some(json!({ "status": b.status.as_str() }));
        audit.after = Some(json!({ "status": "withdrawn", "cap": cap.as_ref().map(|c| c.identifier.clone()) }));
        let expected = b.row_version;
        let updated = Bulletin { status: Status::Withdrawn, withdrawn_at: Some(now), updated_at: now, ..b };
        if !self.store.bulletin_withdraw(&updated, expected, cap, audit).await? {
            return Err(DomainError::Conflict("bản tin vừa được người khác cập nhật; hãy tải lại trang".into()));
        }
        self.forget_portal();
        self.bulletin_or_404(updated.id).await
    }

    /// A correction: a new draft version of a published (or approved) bulletin, keeping its
    /// files; the old version stays in the history and is superseded when the new one is out.
    pub async fn correct_bulletin(&self, actor: &Principal, id: i64) -> Result<Bulletin> {
        let (b, origin) = self.bulletin_for(actor, id, Action::WriteBulletins).await?;
        let series = self.store.bulletin_series(b.series_id).await?;
        if series
            .iter()
            .any(|v| matches!(v.status, Status::Draft | Status::Submitted | Status::Approved) && v.id != b.id)
        {
            return Err(DomainError::Conflict("bản tin này đã có một bản đính chính đang soạn hoặc chờ duyệt".into()));
        }
        if !matches!(b.status, Status::Published) {
            return Err(DomainError::Transition { state: b.status.label(), action: "đính chính" });
        }
        let version = series.iter().map(|v| v.version).max().unwrap_or(b.version) + 1;
        let mut input = b.input();
        input.publish_at = None;
        self.insert_version(actor, &origin, input, Some(b.series_id), version, b.source_id, Some(b.id)).await
    }

    /// A receiving unit passes a bulletin on to units of its own area, with local additions:
    /// a new draft of that unit, linked to its source, through the unit's own approval.
    pub async fn relay_bulletin(
        &self,
        actor: &Principal,
        source_id: i64,
        org_code: &str,
        additions: &str,
        targets: Vec<String>,
    ) -> Result<Bulletin> {
        let source = self.readable_bulletin(actor, source_id).await?;
        let unit =
            self.org_by_code(org_code, None).await.map_err(|_| DomainError::invalid("org", "không có đơn vị này"))?;
        actor.require(Action::WriteBulletins, &unit)?;
        if !source.is_current(self.clock.now()) {
            return Err(DomainError::Transition { state: source.status.label(), action: "chuyển tiếp" });
        }
        if self.store.delivery_get(source.id, unit.id).await?.is_none() {
            return Err(DomainError::invalid("org", format!("{} không nhận bản tin này", unit.name)));
        }
        let additions = textvi::nfc(additions.trim());
        let body = if additions.is_empty() {
            source.body.clone()
        } else {
            format!("{}\n\nThông tin bổ sung của {}:\n{additions}", source.body, unit.name)
        };
        let targets = if targets.iter().all(|t| t.trim().is_empty()) { vec![unit.code.clone()] } else { targets };
        // Down to every level below the relaying unit (it is not a receiver of its own).
        let input =
            BulletinInput { body, targets, publish_at: None, levels: RECEIVING_LEVELS.to_vec(), ..source.input() }
                .validate()?;
        self.check_targets(&unit, &input).await?;
        self.insert_version(actor, &unit, input, None, 1, Some(source.id), None).await
    }

    pub async fn add_bulletin_attachment(
        &self,
        actor: &Principal,
        id: i64,
        name: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        let (b, origin) = self.bulletin_for(actor, id, Action::WriteBulletins).await?;
        if b.status != Status::Draft {
            return Err(DomainError::Transition { state: b.status.label(), action: "đính kèm tệp" });
        }
        if self.store.attachments(id).await?.len() >= ATTACHMENTS_MAX {
            return Err(DomainError::invalid("file", format!("mỗi bản tin đính kèm tối đa {ATTACHMENTS_MAX} tệp")));
        }
        let content_type = crate::files::checked_type(&ATTACHMENT_RULE, "file", name, bytes)?;
        let name = textvi::nfc(name.rsplit(['/', '\\']).next().unwrap_or(name).trim());
        let mut audit = self.draft(Some(&actor.user), "bulletin.attach", "bulletin");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(origin.id);
        audit.after = Some(json!({ "name": name, "size": bytes.len(), "content_type": content_type }));
        self.store.attachment_add(id, &name, content_type, bytes, audit).await
    }

    pub async fn remove_bulletin_attachment(&self, actor: &Principal, id: i64, attachment_id: i64) -> Result<()> {
        let (b, origin) = self.bulletin_for(actor, id, Action::WriteBulletins).await?;
        if b.status != Status::Draft {
            return Err(DomainError::Transition { state: b.status.label(), action: "gỡ tệp" });
        }
        if !self.store.attachments(id).await?.iter().any(|a| a.id == attachment_id) {
            return Err(DomainError::not_found("tệp", attachment_id.to_string()));
        }
        let mut audit = self.draft(Some(&actor.user), "bulletin.detach", "bulletin");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(origin.id);
        audit.after = Some(json!({ "attachment_id": attachment_id }));
        self.store.attachment_remove(attachment_id, audit).await
    }

    /// An attachment for an official who may read the bulletin, or anyone once it is public.
    pub async fn bulletin_attachment(&self, actor: Option<&Principal>, id: i64) -> Result<(Attachment, Vec<u8>)> {
        let (a, bytes) =
            self.store.attachment_data(id).await?.ok_or_else(|| DomainError::not_found("tệp", id.to_string()))?;
        let b = self.bulletin_or_404(a.bulletin_id).await?;
        let public = b.published_at.is_some();
        let readable = match actor {
            Some(p) => public || self.may_read_bulletin(p, &b).await?,
            None => public,
        };
        if !readable {
            return Err(DomainError::not_found("tệp", id.to_string()));
        }
        Ok((a, bytes))
    }

    /// Publishes every approved version whose publication time has come (the scheduler).
    pub async fn publish_due_bulletins(&self) -> Result<u64> {
        let mut done = 0;
        for b in self.store.bulletins_due(self.clock.now()).await? {
            let origin = self.org_unit(b.origin_org_id).await?;
            match self.publish(&b, &origin, None, None).await {
                Ok(_) => done += 1,
                // Another node published it first.
                Err(DomainError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    // ----- reading ---------------------------------------------------------------------------------

    pub async fn bulletins(&self, actor: &Principal, f: &BulletinFilter) -> Result<Page<Bulletin>> {
        let paths = actor.scope_paths(Action::ReadBulletins);
        if paths.is_empty() {
            return Err(DomainError::Forbidden("xem bản tin"));
        }
        let origin_path = match &f.origin {
            Some(code) => Some(self.org_by_code(code, None).await?.path),
            None => None,
        };
        self.store
            .bulletin_list(&BulletinQuery {
                within_paths: Some(paths),
                origin_path,
                statuses: f.status.into_iter().collect(),
                category: f.category,
                q: f.q.as_deref().map(textvi::fold).filter(|q| !q.is_empty()),
                latest_only: f.status.is_none(),
                offset: f.offset,
                limit: f.limit.clamp(1, 200),
                ..Default::default()
            })
            .await
    }

    /// One version with its history, files, relays and what the caller may do. Opening it
    /// marks it opened for the caller's receiving units.
    pub async fn bulletin(&self, actor: &Principal, id: i64) -> Result<BulletinView> {
        let b = self.readable_bulletin(actor, id).await?;
        let origin = self.org_unit(b.origin_org_id).await?;
        let now = self.clock.now();
        let series = self.store.bulletin_series(b.series_id).await?;
        let mut names: HashMap<i64, String> = HashMap::from([(origin.id, origin.name.clone())]);
        let line = |v: &Bulletin, names: &HashMap<i64, String>| VersionLine {
            id: v.id,
            version: v.version,
            title: v.title.clone(),
            status: v.status,
            origin_name: names.get(&v.origin_org_id).cloned().unwrap_or_default(),
            published_at: v.published_at,
            updated_at: v.updated_at,
        };
        let source = match b.source_id {
            Some(sid) => self.store.bulletin_get(sid).await?,
            None => None,
        };
        let relays = self.store.bulletin_relays(&series.iter().map(|v| v.id).collect::<Vec<_>>()).await?;
        let other_units: Vec<i64> =
            source.iter().chain(relays.iter()).map(|v| v.origin_org_id).filter(|id| !names.contains_key(id)).collect();
        for u in self.store.org_many(&other_units).await? {
            names.insert(u.id, u.name);
        }
        // The caller's receiving units for this version.
        let mine = self.store.deliveries(b.id, Some(&actor.scope_paths(Action::ReceiveBulletins))).await?;
        let own_units: Vec<&DeliveryRecord> =
            mine.iter().filter(|d| actor.grants.iter().any(|g| g.org_id == d.org_id)).collect();
        for d in &own_units {
            if d.opened_at.is_none() {
                self.store.delivery_opened(b.id, d.org_id, now).await?;
            }
        }
        let may = |action| actor.may(action, &origin);
        let actions = BulletinActions {
            edit: b.status == Status::Draft && may(Action::WriteBulletins),
            submit: b.status == Status::Draft && may(Action::WriteBulletins),
            approve: b.status == Status::Submitted && may(Action::ApproveBulletins),
            return_to_writer: matches!(b.status, Status::Submitted | Status::Approved) && may(Action::ApproveBulletins),
            publish: b.status == Status::Approved && may(Action::ApproveBulletins),
            withdraw: matches!(b.status, Status::Approved | Status::Published) && may(Action::ApproveBulletins),
            correct: b.status == Status::Published
                && may(Action::WriteBulletins)
                && !series.iter().any(|v| matches!(v.status, Status::Draft | Status::Submitted | Status::Approved)),
            relay_from: if b.is_current(now) {
                own_units
                    .iter()
                    .filter(|d| d.org_type != OrgType::Commune)
                    .filter(|d| {
                        actor.grants.iter().any(|g| g.org_id == d.org_id && g.role.allows(Action::WriteBulletins))
                    })
                    .map(|d| d.org_code.clone())
                    .collect()
            } else {
                Vec::new()
            },
            acknowledge_for: own_units
                .iter()
                .filter(|d| d.acknowledged_at.is_none())
                .map(|d| d.org_code.clone())
                .collect(),
        };
        Ok(BulletinView {
            attachments: self.store.attachments(b.id).await?,
            versions: series.iter().map(|v| line(v, &names)).collect(),
            source: source.as_ref().map(|s| line(s, &names)),
            relays: relays.iter().map(|r| line(r, &names)).collect(),
            cap: self.store.cap_messages_of_series(b.series_id).await?,
            origin_code: origin.code,
            origin_name: origin.name,
            actions,
            bulletin: b,
        })
    }

    /// Bulletins delivered to the caller's units (or to one of them), newest first.
    pub async fn bulletin_inbox(
        &self,
        actor: &Principal,
        org_code: Option<&str>,
        unacknowledged: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Page<InboxLine>> {
        let paths = actor.scope_paths(Action::ReadBulletins);
        if paths.is_empty() {
            return Err(DomainError::Forbidden("xem bản tin"));
        }
        let org_id = match org_code {
            Some(code) => {
                let unit = self.org_by_code(code, None).await?;
                actor.require(Action::ReadBulletins, &unit)?;
                Some(unit.id)
            }
            None => None,
        };
        let page = self
            .store
            .inbox(&InboxQuery { within_paths: paths, org_id, unacknowledged, offset, limit: limit.clamp(1, 200) })
            .await?;
        let ids: Vec<i64> = page.items.iter().map(|i| i.bulletin.origin_org_id).collect();
        let names: HashMap<i64, String> =
            self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u.name)).collect();
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|InboxItem { bulletin, delivery }| InboxLine {
                    origin_name: names.get(&bulletin.origin_org_id).cloned().unwrap_or_default(),
                    ack_due: ack_due(&bulletin, delivery.delivered_at),
                    bulletin,
                    delivery,
                })
                .collect(),
            total: page.total,
            total_capped: page.total_capped,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// A receiving unit confirms receipt (đã nhận). Acknowledging twice keeps the first time.
    pub async fn acknowledge_bulletin(&self, actor: &Principal, id: i64, org_code: &str) -> Result<DeliveryRecord> {
        let b = self.readable_bulletin(actor, id).await?;
        let unit = self.org_by_code(org_code, None).await?;
        actor.require(Action::ReceiveBulletins, &unit)?;
        let delivery = self
            .store
            .delivery_get(b.id, unit.id)
            .await?
            .ok_or_else(|| DomainError::invalid("org", format!("{} không nhận bản tin này", unit.name)))?;
        if delivery.acknowledged_at.is_none() {
            let now = self.clock.now();
            let mut audit = self.draft(Some(&actor.user), "bulletin.acknowledge", "bulletin");
            audit.entity_id = Some(b.id.to_string());
            audit.org_id = Some(unit.id);
            audit.after = Some(json!({ "org": unit.code, "at": now }));
            self.store.delivery_acknowledge(b.id, unit.id, now, &actor.user.full_name, audit).await?;
        }
        self.store.delivery_get(b.id, unit.id).await?.ok_or_else(|| DomainError::not_found("bản tin", id.to_string()))
    }

    // ----- stations and playlists --------------------------------------------------------------

    pub async fn stations(&self, actor: &Principal, org_code: &str) -> Result<Vec<Station>> {
        let unit = self.org_by_code(org_code, None).await?;
        actor.require(Action::ReadBulletins, &unit)?;
        self.store.stations(&unit.path).await
    }

    async fn station_for(&self, actor: &Principal, id: i64, action: Action) -> Result<Station> {
        let s = self.store.station_get(id).await?.ok_or_else(|| DomainError::not_found("cụm loa", id.to_string()))?;
        let unit = self.org_unit(s.org_id).await?;
        if !actor.may(Action::ReadBulletins, &unit) {
            return Err(DomainError::not_found("cụm loa", id.to_string()));
        }
        actor.require(action, &unit)?;
        Ok(s)
    }

    /// Adds a station to a commune (or any receiving unit), or edits one (`id`).
    pub async fn save_station(
        &self,
        actor: &Principal,
        org_code: &str,
        id: Option<i64>,
        input: StationInput,
    ) -> Result<Station> {
        let unit = self.org_by_code(org_code, None).await?;
        actor.require(Action::ReceiveBulletins, &unit)?;
        if !RECEIVING_LEVELS.contains(&unit.org_type) {
            return Err(DomainError::invalid("org", "cụm loa thuộc tỉnh, huyện hoặc xã"));
        }
        if let Some(id) = id
            && self.station_for(actor, id, Action::ReceiveBulletins).await?.org_id != unit.id
        {
            return Err(DomainError::not_found("cụm loa", id.to_string()));
        }
        let input = input.validate()?;
        let mut audit = self.draft(Some(&actor.user), "station.save", "station");
        audit.entity_id = id.map(|i| i.to_string());
        audit.org_id = Some(unit.id);
        audit.after = Some(json!({ "name": input.name, "active": input.active }));
        self.store.station_save(id, unit.id, &unit.path, &input, audit).await
    }

    /// Puts a bulletin on a station's playlist, or records that it was aired (`aired`).
    pub async fn add_broadcast(&self, actor: &Principal, input: BroadcastInput) -> Result<Broadcast> {
        let input = input.validate()?;
        let station =
            self.station_for(actor, input.station_id, Action::ReceiveBulletins).await.map_err(|e| match e {
                DomainError::NotFound { .. } => DomainError::invalid("station_id", "không có cụm loa này"),
                other => other,
            })?;
        if !station.active {
            return Err(DomainError::invalid("station_id", "cụm loa đã ngừng hoạt động"));
        }
        let b = self.readable_bulletin(actor, input.bulletin_id).await?;
        if b.published_at.is_none() || matches!(b.status, Status::Withdrawn) {
            return Err(DomainError::invalid("bulletin_id", "chỉ phát bản tin đã phát hành"));
        }
        let unit = self.org_unit(station.org_id).await?;
        if self.store.delivery_get(b.id, unit.id).await?.is_none() && !b.origin_path.starts_with(unit.path.as_str()) {
            return Err(DomainError::invalid("bulletin_id", format!("{} không nhận bản tin này", unit.name)));
        }
        let now = self.clock.now();
        if input.aired && input.starts_at > now {
            return Err(DomainError::invalid("starts_at", "chưa đến giờ phát: chỉ ghi nhận lượt đã phát"));
        }
        let mut audit = self.draft(Some(&actor.user), "broadcast.add", "broadcast");
        audit.org_id = Some(unit.id);
        audit.after = Some(json!({ "bulletin_id": b.id, "station_id": station.id, "starts_at": input.starts_at,
            "ends_at": input.ends_at, "times": input.times, "aired": input.aired }));
        self.store.broadcast_add(&input, unit.id, &actor.user.full_name, now, audit).await
    }

    /// Records that a planned slot was aired.
    pub async fn mark_broadcast_aired(&self, actor: &Principal, id: i64) -> Result<Broadcast> {
        let slot =
            self.store.broadcast_get(id).await?.ok_or_else(|| DomainError::not_found("lượt phát", id.to_string()))?;
        self.station_for(actor, slot.station_id, Action::ReceiveBulletins).await?;
        if slot.aired {
            return Ok(slot);
        }
        if slot.starts_at > self.clock.now() {
            return Err(DomainError::invalid("starts_at", "chưa đến giờ phát"));
        }
        let mut audit = self.draft(Some(&actor.user), "broadcast.aired", "broadcast");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(slot.org_id);
        self.store.broadcast_aired(id, &actor.user.full_name, self.clock.now(), audit).await
    }

    /// A station's playlist between two times, with the bulletins it plays and their files.
    pub async fn playlist(
        &self,
        actor: &Principal,
        station_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(Station, Vec<(Broadcast, Bulletin, Vec<Attachment>)>)> {
        if to <= from {
            return Err(DomainError::invalid("to", "thời điểm cuối phải sau thời điểm đầu"));
        }
        if to - from > Duration::days(92) {
            return Err(DomainError::invalid("to", "lịch phát xuất tối đa 92 ngày"));
        }
        let station = self.station_for(actor, station_id, Action::ReadBulletins).await?;
        let slots = self.store.playlist(station_id, from, to).await?;
        let ids: Vec<i64> = slots.iter().map(|s| s.bulletin_id).collect::<BTreeSet<_>>().into_iter().collect();
        let bulletins: HashMap<i64, Bulletin> =
            self.store.bulletin_many(&ids).await?.into_iter().map(|b| (b.id, b)).collect();
        let mut files: HashMap<i64, Vec<Attachment>> = HashMap::new();
        for id in ids {
            files.insert(id, self.store.attachments(id).await?);
        }
        let rows = slots
            .into_iter()
            .filter_map(|s| {
                let b = bulletins.get(&s.bulletin_id).cloned()?;
                let f = files.get(&s.bulletin_id).cloned().unwrap_or_default();
                Some((s, b, f))
            })
            .collect();
        Ok((station, rows))
    }

    // ----- reminders -------------------------------------------------------------------------------

    /// Reminds receiving units that have not acknowledged a current bulletin by its deadline
    /// ([`EMERGENCY_ACK_HOURS`], [`ACK_HOURS`]): their officers once, their leaders once after
    /// three times as long. Safe to repeat (one notification per unit, person and kind).
    pub async fn run_bulletin_reminders(&self, email: bool) -> Result<ReminderRun> {
        let now = self.clock.now();
        let mut run = ReminderRun::default();
        // After the leaders' reminder (three deadlines) nothing more is sent: older bulletins are
        // not read again.
        let oldest = now - Duration::hours(3 * ACK_HOURS) - Duration::days(1);
        let pending = self.store.unacknowledged(oldest, now - Duration::hours(EMERGENCY_ACK_HOURS), now).await?;
        let mut due: Vec<(&crate::repo::bulletins::PendingAck, bool)> = Vec::new();
        for p in &pending {
            let hours = if p.category == Category::Emergency { EMERGENCY_ACK_HOURS } else { ACK_HOURS };
            let late = now - p.published_at;
            if late >= Duration::hours(hours) {
                due.push((p, late >= Duration::hours(3 * hours)));
            }
        }
        run.checked_tasks = due.len() as u64;
        if due.is_empty() {
            return Ok(run);
        }
        let org_ids: Vec<i64> = due.iter().map(|(p, _)| p.org_id).collect::<BTreeSet<_>>().into_iter().collect();
        let mut officers: HashMap<i64, Vec<crate::users::User>> = HashMap::new();
        let mut leaders: HashMap<i64, Vec<crate::users::User>> = HashMap::new();
        for role in [Role::GrassrootsOfficer, Role::Officer, Role::FocalPoint, Role::Leader] {
            for chunk in org_ids.chunks(500) {
                for (u, org) in self.store.users_with_role_on(role, chunk).await? {
                    if !u.active {
                        continue;
                    }
                    let to = if role == Role::Leader { &mut leaders } else { &mut officers };
                    let list = to.entry(org).or_default();
                    if !list.iter().any(|x| x.id == u.id) {
                        list.push(u);
                    }
                }
            }
        }
        for (p, escalate) in due {
            let mut sends = vec![("reminder", officers.get(&p.org_id))];
            if escalate {
                sends.push(("escalation", leaders.get(&p.org_id)));
            }
            for (kind, people) in sends {
                let title = if kind == "reminder" {
                    format!("Chưa xác nhận đã nhận bản tin: {}", p.title)
                } else {
                    format!("Đơn vị chưa xác nhận bản tin đã lâu: {}", p.title)
                };
                let body = format!(
                    "Bản tin phát hành lúc {} cần được xác nhận đã nhận.",
                    (p.published_at + Duration::hours(7)).format("%H:%M %d/%m/%Y")
                );
                for user in people.into_iter().flatten() {
                    let created = self
                        .notify_once(
                            user,
                            kind,
                            title.clone(),
                            body.clone(),
                            Some(format!("/bulletins/{}", p.bulletin_id)),
                            format!("bulletin:{}:{kind}:org:{}:user:{}", p.bulletin_id, p.org_id, user.id),
                            email,
                        )
                        .await?;
                    run.count(created);
                }
            }
        }
        Ok(run)
    }

    // ----- reach -----------------------------------------------------------------------------------

    /// Writes the portal views counted in memory.
    pub async fn flush_portal_views(&self) -> Result<u64> {
        let counts: Vec<(i64, u64)> = { locked(&self.portal.views).drain().collect() };
        if counts.is_empty() {
            return Ok(0);
        }
        let total = counts.iter().map(|(_, n)| n).sum();
        self.store.add_portal_views(&counts).await?;
        Ok(total)
    }

    /// Reach of one version: over every receiving unit for its origin's officials, over the
    /// caller's own area for a receiving unit's.
    pub async fn bulletin_reach(&self, actor: &Principal, id: i64) -> Result<BulletinReach> {
        self.flush_portal_views().await?;
        let b = self.readable_bulletin(actor, id).await?;
        let origin = self.org_unit(b.origin_org_id).await?;
        let scope = if actor.may(Action::ReadBulletins, &origin) {
            None
        } else {
            Some(actor.scope_paths(Action::ReadBulletins))
        };
        let deliveries = self.store.deliveries(b.id, scope.as_deref()).await?;
        self.reach_of(&b, deliveries).await
    }

    async fn reach_of(&self, b: &Bulletin, deliveries: Vec<DeliveryRecord>) -> Result<BulletinReach> {
        let now = self.clock.now();
        let flat: Vec<_> = deliveries.iter().map(DeliveryRecord::as_delivery).collect();
        let published = b.published_at.unwrap_or(now);
        let levels = reach(published, &flat);
        let provinces = self.by_province(&deliveries).await?;
        let overdue = now >= ack_due(b, published);
        Ok(BulletinReach {
            bulletin_id: b.id,
            title: b.title.clone(),
            category: b.category,
            published_at: b.published_at,
            targeted: deliveries.len() as u64,
            received: flat.iter().filter(|d| d.received_at.is_some()).count() as u64,
            acknowledged: flat.iter().filter(|d| d.acknowledged_at.is_some()).count() as u64,
            broadcast: flat.iter().filter(|d| d.broadcasts > 0).count() as u64,
            portal_views: b.portal_views,
            levels,
            provinces,
            never_acknowledged: if overdue {
                deliveries.into_iter().filter(|d| d.acknowledged_at.is_none()).collect()
            } else {
                Vec::new()
            },
        })
    }

    /// Groups deliveries by the province their unit lies in (by path: `/root/province/…`).
    async fn by_province(&self, deliveries: &[DeliveryRecord]) -> Result<Vec<AreaReach>> {
        let mut groups: BTreeMap<i64, (u64, u64, u64)> = BTreeMap::new();
        for d in deliveries {
            let Some(pid) = d.org_path.split('/').filter(|s| !s.is_empty()).nth(1).and_then(|s| s.parse().ok()) else {
                continue;
            };
            let g = groups.entry(pid).or_default();
            g.0 += 1;
            g.1 += u64::from(d.acknowledged_at.is_some());
            g.2 += u64::from(d.broadcasts > 0);
        }
        let ids: Vec<i64> = groups.keys().copied().collect();
        let units: HashMap<i64, OrgUnit> = self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut rows: Vec<AreaReach> = groups
            .into_iter()
            .filter_map(|(id, (t, a, br))| {
                units.get(&id).map(|u| AreaReach {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    targeted: t,
                    acknowledged: a,
                    broadcast: br,
                })
            })
            .collect();
        rows.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(rows)
    }

    /// The reach dashboard of a unit's subtree: bulletins published in `[from, to)` that were
    /// written or received there, with totals per level and province and the units that never
    /// acknowledge.
    pub async fn reach_dashboard(
        &self,
        actor: &Principal,
        org_code: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ReachDashboard> {
        self.flush_portal_views().await?;
        let unit = match org_code {
            Some(code) => self.org_by_code(code, None).await?,
            None => {
                let paths = actor.scope_paths(Action::ReadBulletins);
                let widest = actor
                    .grants
                    .iter()
                    .filter(|g| paths.contains(&g.org_path))
                    .min_by_key(|g| g.org_path.len())
                    .ok_or(DomainError::Forbidden("xem bản tin"))?;
                self.org_unit(widest.org_id).await?
            }
        };
        actor.require(Action::ReadBulletins, &unit)?;
        let page = self
            .store
            .bulletin_list(&BulletinQuery {
                within_paths: Some(vec![unit.path.clone()]),
                statuses: vec![Status::Published, Status::Superseded, Status::Withdrawn],
                published_from: Some(from),
                published_to: Some(to),
                limit: 200,
                ..Default::default()
            })
            .await?;
        let scope = [unit.path.clone()];
        let mut bulletins = Vec::new();
        let mut all: Vec<DeliveryRecord> = Vec::new();
        let mut per_unit: HashMap<i64, (DeliveryRecord, u64, u64)> = HashMap::new();
        for b in page.items {
            let deliveries = self.store.deliveries(b.id, Some(&scope)).await?;
            let published = b.published_at.unwrap_or(to);
            for d in &deliveries {
                let e = per_unit.entry(d.org_id).or_insert_with(|| (d.clone(), 0, 0));
                e.1 += 1;
                e.2 += u64::from(d.acknowledged_at.is_some());
            }
            all.extend(deliveries.iter().cloned().map(|mut d| {
                // Each bulletin's waits count from its own publication: shift to a common zero.
                if let Some(a) = d.acknowledged_at {
                    d.acknowledged_at = Some(DateTime::<Utc>::UNIX_EPOCH + (a - published));
                }
                d
            }));
            bulletins.push(self.reach_of(&b, deliveries).await?);
        }
        let flat: Vec<_> = all.iter().map(DeliveryRecord::as_delivery).collect();
        let levels = reach(DateTime::<Utc>::UNIX_EPOCH, &flat);
        let provinces = self.by_province(&all).await?;
        let mut never: Vec<AreaReach> = per_unit
            .into_values()
            .filter(|(_, _, acked)| *acked == 0)
            .map(|(d, received, _)| AreaReach {
                code: d.org_code,
                name: d.org_name,
                targeted: received,
                acknowledged: 0,
                broadcast: 0,
            })
            .collect();
        never.sort_by(|a, b| b.targeted.cmp(&a.targeted).then(a.code.cmp(&b.code)));
        never.truncate(500);
        Ok(ReachDashboard {
            org_code: unit.code,
            org_name: unit.name,
            from,
            to,
            bulletins,
            levels,
            provinces,
            never_acknowledging: never,
        })
    }

    // ----- the public portal -----------------------------------------------------------------------

    /// The site of a code: the country (the root's code) or a current province.
    pub async fn portal_site(&self, code: &str) -> Result<PortalSite> {
        self.portal_sites()
            .await?
            .iter()
            .find(|s| s.code == code)
            .cloned()
            .ok_or_else(|| DomainError::not_found("trang", code))
    }

    /// Every portal site: the country, then each current province.
    pub async fn portal_sites(&self) -> Result<Arc<Vec<PortalSite>>> {
        let today = self.clock.today();
        if let Some((at, day, sites)) = locked(&self.portal.sites).as_ref()
            && *day == today
            && at.elapsed() < SITES_TTL
        {
            return Ok(sites.clone());
        }
        let root = self.org_by_code(ROOT_CODE, None).await?;
        let provinces = self
            .store
            .org_list(&crate::org::OrgQuery {
                org_type: Some(OrgType::Province),
                as_of: Some(today),
                limit: 500,
                ..Default::default()
            })
            .await?;
        let mut sites = vec![PortalSite { code: root.code, name: root.name, national: true }];
        sites.extend(provinces.items.into_iter().map(|p| PortalSite { code: p.code, name: p.name, national: false }));
        let sites = Arc::new(sites);
        *locked(&self.portal.sites) = Some((std::time::Instant::now(), today, sites.clone()));
        Ok(sites)
    }

    /// A site's current bulletins (a relay replaces its source), with the active alerts.
    pub async fn portal(&self, site: &str, category: Option<Category>, q: Option<&str>) -> Result<PortalListing> {
        let site = self.portal_site(site).await?;
        let now = self.clock.now();
        let q = q.map(textvi::fold).filter(|q| !q.is_empty());
        let site_all = self.portal_cached(&site.code, now).await?;
        let relayed: HashSet<i64> = site_all.iter().filter_map(|b| b.source_id).collect();
        let shown = |b: &&Bulletin| b.is_current(now) && !relayed.contains(&b.id);
        let alerts: Vec<Bulletin> = site_all.iter().filter(shown).filter(|b| b.alert.is_some()).cloned().collect();
        let bulletins: Vec<Bulletin> = if category.is_none() && q.is_none() {
            site_all.iter().filter(shown).cloned().collect()
        } else {
            let found = self
                .store
                .portal_bulletins(&PortalQuery { site: site.code.clone(), category, q, now, limit: 100 })
                .await?;
            found.iter().filter(shown).cloned().collect()
        };
        Ok(PortalListing { site, alerts, bulletins })
    }

    async fn portal_cached(&self, site: &str, now: DateTime<Utc>) -> Result<Arc<Vec<Bulletin>>> {
        let query = PortalQuery { site: site.to_string(), category: None, q: None, now, limit: 100 };
        kept(&self.portal.listings, site.to_string(), self.store.portal_bulletins(&query)).await
    }

    /// A published bulletin for the public (current, expired, corrected or withdrawn — the page
    /// says which). Counts a view.
    pub async fn portal_bulletin(&self, id: i64) -> Result<PortalBulletin> {
        let page = kept(&self.portal.pages, id, self.load_portal_bulletin(id)).await?;
        *locked(&self.portal.views).entry(id).or_default() += 1;
        Ok(PortalBulletin { current: page.bulletin.is_current(self.clock.now()), ..(*page).clone() })
    }

    async fn load_portal_bulletin(&self, id: i64) -> Result<PortalBulletin> {
        let b = self.bulletin_or_404(id).await?;
        if b.published_at.is_none() {
            return Err(DomainError::not_found("bản tin", id.to_string()));
        }
        let newer_id = if b.status == Status::Superseded {
            self.store
                .bulletin_series(b.series_id)
                .await?
                .into_iter()
                .rev()
                .find(|v| v.status == Status::Published)
                .map(|v| v.id)
        } else {
            None
        };
        let origin = self.org_unit(b.origin_org_id).await?;
        Ok(PortalBulletin {
            attachments: self.store.attachments(b.id).await?,
            current: b.is_current(self.clock.now()),
            origin_name: origin.name,
            newer_id,
            bulletin: b,
        })
    }

    /// Text ready to post on social networks, with the card's fields; `site_url` is the
    /// portal's scheme and host, for the link.
    pub async fn social_post(&self, id: i64, site_url: &str) -> Result<SocialPost> {
        let PortalBulletin { bulletin: b, origin_name, .. } = self.portal_bulletin(id).await?;
        let link = format!("{site_url}/p/tin/{}", b.id);
        let hashtags: Vec<String> = {
            let mut tags = vec!["#ThongTinCoSo".to_string()];
            tags.push(
                match b.category {
                    Category::Emergency => "#CanhBao",
                    Category::PolicyLaw => "#ChinhSachPhapLuat",
                    Category::Health => "#YTe",
                    Category::PublicOrder => "#AnNinhTratTu",
                    Category::Socioeconomic => "#KinhTeXaHoi",
                    Category::Culture => "#VanHoaThongTin",
                    Category::Other => "#TinTuc",
                }
                .to_string(),
            );
            tags
        };
        let lead = if b.alert.is_some() { "⚠ KHẨN CẤP: " } else { "" };
        let tail = format!("\n\nNguồn: {origin_name}\n{link}\n{}", hashtags.join(" "));
        let room = 500usize.saturating_sub(lead.chars().count() + b.title.chars().count() + tail.chars().count() + 40);
        let body = if b.spoken.is_empty() { &b.body } else { &b.spoken };
        let text = format!("{lead}{}\n\n{}{tail}", b.title, summary(body, room.max(40)));
        Ok(SocialPost {
            bulletin_id: b.id,
            text,
            hashtags,
            link,
            title: b.title.clone(),
            category: b.category,
            origin_name,
            published_at: b.published_at,
            emergency: b.alert.is_some(),
            summary: summary(&b.body, 300),
        })
    }

    // ----- CAP ------------------------------------------------------------------------------------

    /// An authority's current alerts (its latest message each, no cancelled or expired ones).
    pub async fn cap_feed(&self, authority: &str) -> Result<Vec<CapDocument>> {
        let site = self.portal_site(authority).await?;
        let current = current_alerts(self.store.cap_messages(&site.code).await?, self.clock.now());
        let mut docs = Vec::with_capacity(current.len());
        for m in current {
            docs.push(self.cap_document_of(m).await?);
        }
        Ok(docs)
    }

    /// One CAP message by its identifier (any type, expired too: a reference must resolve).
    pub async fn cap_document(&self, identifier: &str) -> Result<CapDocument> {
        let m =
            self.store.cap_message(identifier).await?.ok_or_else(|| DomainError::not_found("cảnh báo", identifier))?;
        self.cap_document_of(m).await
    }

    async fn cap_document_of(&self, message: CapMessage) -> Result<CapDocument> {
        let bulletin = self.bulletin_or_404(message.bulletin_id).await?;
        let day = bulletin.published_at.map(crate::clock::vietnam_date);
        let mut areas = Vec::new();
        for code in &bulletin.targets {
            if let Ok(u) = self.org_by_code(code, day).await {
                areas.push((u.code, u.name));
            }
        }
        let origin = self.org_unit(bulletin.origin_org_id).await?;
        Ok(CapDocument { message, bulletin, origin_name: origin.name, areas })
    }
}

/// When a delivery's acknowledgement is due.
pub fn ack_due(b: &Bulletin, delivered_at: DateTime<Utc>) -> DateTime<Utc> {
    let hours = if b.category == Category::Emergency { EMERGENCY_ACK_HOURS } else { ACK_HOURS };
    delivered_at + Duration::hours(hours)
}
