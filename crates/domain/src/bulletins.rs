//! Source information (thông tin nguồn; seed `000_…` III.1.a–b, III.2.a–b, III.3.b): bulletins
//! published down the hierarchy to portals, loudspeakers and social networks; emergency ones
//! also as CAP 1.2 alerts. Here: what a bulletin is, its states from draft to published, what
//! an emergency alert must carry, the attachments it takes, the broadcasts a commune station
//! records, and how reach is counted. Pure rules: no storage, no clock (times are passed in).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::files::FileRule;
use crate::org::OrgType;
use crate::{DomainError, Result};

pub const TITLE_MAX_CHARS: usize = 300;
pub const BODY_MAX_CHARS: usize = 50_000;
/// The spoken version is read out on loudspeakers: a few minutes at most.
pub const SPOKEN_MAX_CHARS: usize = 3_000;
pub const ATTACHMENTS_MAX: usize = 10;

/// Attachments: documents, images and audio for the stations, each up to 20 MB.
pub const ATTACHMENT_RULE: FileRule = FileRule {
    types: &[
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("doc", "application/msword"),
        ("odt", "application/vnd.oasis.opendocument.text"),
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("jpeg", "image/jpeg"),
        ("mp3", "audio/mpeg"),
        ("ogg", "audio/ogg"),
        ("wav", "audio/wav"),
        ("m4a", "audio/mp4"),
    ],
    max_bytes: 20 * 1024 * 1024,
    names: "PDF, Word, OpenDocument, PNG, JPEG hoặc âm thanh MP3, OGG, WAV, M4A",
};

// ---------------------------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------------------------

/// What a bulletin is about. Emergencies go out as CAP alerts and raise the portal's banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Chính sách – pháp luật.
    PolicyLaw,
    /// Khẩn cấp – thiên tai.
    Emergency,
    /// Y tế.
    Health,
    /// An ninh trật tự.
    PublicOrder,
    /// Kinh tế – xã hội.
    Socioeconomic,
    /// Văn hóa – thông tin.
    Culture,
    /// Khác.
    Other,
}

vocabulary! { Category, "category", "chuyên mục";
    PolicyLaw => "chinh-sach-phap-luat", "Chính sách – pháp luật";
    Emergency => "khan-cap-thien-tai", "Khẩn cấp – thiên tai";
    Health => "y-te", "Y tế";
    PublicOrder => "an-ninh-trat-tu", "An ninh trật tự";
    Socioeconomic => "kinh-te-xa-hoi", "Kinh tế – xã hội";
    Culture => "van-hoa-thong-tin", "Văn hóa – thông tin";
    Other => "khac", "Khác";
}

// ---------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------

/// Where a bulletin version stands. A published one stops being current at its expiry; a
/// scheduled one is approved with a publication time ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Dự thảo: being written.
    Draft,
    /// Chờ duyệt: sent to a leader.
    Submitted,
    /// Đã duyệt: published at its publication time (now, or later if scheduled).
    Approved,
    /// Đã phát hành.
    Published,
    /// Đã thay thế: a correction took its place (still shown in the history).
    Superseded,
    /// Đã thu hồi: withdrawn; for an alert, a CAP Cancel was sent.
    Withdrawn,
}

/// What an official does to a bulletin version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Submit,
    /// Back to the writer (from review, or an approved one not yet published).
    Return,
    Approve,
    /// Publication itself (by the leader at once, or by the scheduler at the set time).
    Publish,
    Withdraw,
}

vocabulary! { Status, "status", "trạng thái";
    Draft => "draft", "Dự thảo";
    Submitted => "submitted", "Chờ duyệt";
    Approved => "approved", "Đã duyệt";
    Published => "published", "Đã phát hành";
    Superseded => "superseded", "Đã thay thế";
    Withdrawn => "withdrawn", "Đã thu hồi";
}

impl Status {
    /// The state after `step`, or the reason it is not allowed now. Publishing an already
    /// published bulletin is refused, so a double click or a retry publishes once.
    pub fn after(self, step: Step) -> Result<Status> {
        use Status::*;
        let next = match (step, self) {
            (Step::Submit, Draft) => Submitted,
            (Step::Return, Submitted | Approved) => Draft,
            (Step::Approve, Submitted) => Approved,
            (Step::Publish, Approved) => Published,
            (Step::Withdraw, Approved | Published) => Withdrawn,
            _ => return Err(DomainError::Transition { state: self.label(), action: step.label() }),
        };
        Ok(next)
    }
}

vocabulary! { Step, "step", "thao tác";
    Submit => "submit", "trình duyệt";
    Return => "return", "trả lại";
    Approve => "approve", "duyệt";
    Publish => "publish", "phát hành";
    Withdraw => "withdraw", "thu hồi";
}

// ---------------------------------------------------------------------------------------------
// What a bulletin carries
// ---------------------------------------------------------------------------------------------

/// How urgent, severe and certain an emergency is (CAP's three scales), with the event's name
/// and the instruction to people. Required for an emergency bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AlertFacts {
    /// e.g. "Bão số 13", "Lũ quét".
    pub event: String,
    /// CAP category: Met, Geo, Safety, Health, Fire, Env, …
    pub cap_category: String,
    /// Immediate, Expected, Future, Past, Unknown.
    pub urgency: String,
    /// Extreme, Severe, Moderate, Minor, Unknown.
    pub severity: String,
    /// Observed, Likely, Possible, Unlikely, Unknown.
    pub certainty: String,
    /// What people should do.
    pub instruction: String,
    /// Polygons as "lat,lon lat,lon …" and circles as "lat,lon radius_km", when the alert
    /// covers less than whole units.
    #[serde(default)]
    pub polygons: Vec<String>,
    #[serde(default)]
    pub circles: Vec<String>,
}

/// A bulletin as the writer submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BulletinInput {
    pub title: String,
    pub body: String,
    /// Short text read out on loudspeakers.
    #[serde(default)]
    pub spoken: String,
    pub category: Category,
    /// Scheduled publication; `None` publishes when approved.
    pub publish_at: Option<DateTime<Utc>>,
    /// When it stops being current (leaves the portal's list, the CAP feed and playlists).
    pub expires_at: Option<DateTime<Utc>>,
    /// Codes of the units whose subtrees receive it.
    pub targets: Vec<String>,
    /// Which levels under the targets receive it: every province, district and commune by
    /// default; provinces only when they are to relay it to their communes.
    #[serde(default = "receiving_levels")]
    pub levels: Vec<OrgType>,
    pub alert: Option<AlertFacts>,
}

/// The levels of the grassroots information system: the units that receive bulletins.
pub const RECEIVING_LEVELS: [OrgType; 3] = [OrgType::Province, OrgType::District, OrgType::Commune];

fn receiving_levels() -> Vec<OrgType> {
    RECEIVING_LEVELS.to_vec()
}

fn required(field: &'static str, what: &str, value: &str, max: usize) -> Result<String> {
    let v = textvi::nfc(value.trim());
    if v.is_empty() {
        return Err(DomainError::invalid(field, format!("cần {what}")));
    }
    if v.chars().count() > max {
        return Err(DomainError::invalid(field, format!("{what} dài quá {max} ký tự")));
    }
    Ok(v)
}

fn one_of(field: &'static str, what: &str, value: &str, allowed: &[&str]) -> Result<String> {
    let v = value.trim();
    allowed.iter().find(|a| a.eq_ignore_ascii_case(v)).map(|a| a.to_string()).ok_or_else(|| {
        DomainError::invalid(
            field,
            if v.is_empty() {
                format!("cần chọn {what}")
            } else {
                format!("{what} '{v}' không hợp lệ (chọn một trong: {})", allowed.join(", "))
            },
        )
    })
}

/// Parses "lat,lon" in WGS 84 degrees.
fn lat_lon(field: &'static str, s: &str) -> Result<(f64, f64)> {
    let bad = || DomainError::invalid(field, format!("'{s}' không phải tọa độ dạng vĩ độ,kinh độ"));
    let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
    let (lat, lon): (f64, f64) = (lat.trim().parse().map_err(|_| bad())?, lon.trim().parse().map_err(|_| bad())?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

impl AlertFacts {
    pub const CAP_CATEGORIES: [&'static str; 12] =
        ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"];
    pub const URGENCIES: [&'static str; 5] = ["Immediate", "Expected", "Future", "Past", "Unknown"];
    pub const SEVERITIES: [&'static str; 5] = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
    pub const CERTAINTIES: [&'static str; 5] = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"];

    /// Checks every field CAP requires, naming the first one missing or wrong.
    pub fn validate(self) -> Result<Self> {
        let polygons = self
            .polygons
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let points: Vec<(f64, f64)> =
                    p.split_whitespace().map(|pt| lat_lon("alert.polygons", pt)).collect::<Result<_>>()?;
                let closed = points.first() == points.last();
                if points.len() < 3 || (closed && points.len() < 4) {
                    return Err(DomainError::invalid("alert.polygons", "vùng đa giác cần ít nhất 3 điểm khác nhau"));
                }
                Ok(p.to_string())
            })
            .collect::<Result<Vec<_>>>()?;
        let circles = self
            .circles
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| {
                let (centre, radius) = c
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| DomainError::invalid("alert.circles", format!("'{c}': cần tâm và bán kính (km)")))?;
                lat_lon("alert.circles", centre)?;
                match radius.trim().parse::<f64>() {
                    Ok(r) if r > 0.0 && r.is_finite() => Ok(c.to_string()),
                    _ => Err(DomainError::invalid("alert.circles", format!("'{c}': bán kính phải là số km dương"))),
                }
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AlertFacts {
            event: required("alert.event", "tên sự kiện (ví dụ: Bão số 13)", &self.event, 200)?,
            cap_category: one_of("alert.cap_category", "nhóm cảnh báo", &self.cap_category, &Self::CAP_CATEGORIES)?,
            urgency: one_of("alert.urgency", "mức khẩn cấp", &self.urgency, &Self::URGENCIES)?,
            severity: one_of("alert.severity", "mức nghiêm trọng", &self.severity, &Self::SEVERITIES)?,
            certainty: one_of("alert.certainty", "mức chắc chắn", &self.certainty, &Self::CERTAINTIES)?,
            instruction: required("alert.instruction", "hướng dẫn người dân", &self.instruction, 2_000)?,
            polygons,
            circles,
        })
    }
}

impl BulletinInput {
    /// Checks and normalises the bulletin, naming the first field that is wrong. An emergency
    /// must carry its alert facts; a schedule must end after it starts.
    pub fn validate(self) -> Result<Self> {
        let title = required("title", "tiêu đề", &self.title, TITLE_MAX_CHARS)?;
        let body = required("body", "nội dung", &self.body, BODY_MAX_CHARS)?;
        let spoken = textvi::nfc(self.spoken.trim());
        if spoken.chars().count() > SPOKEN_MAX_CHARS {
            return Err(DomainError::invalid("spoken", format!("bản đọc trên loa dài quá {SPOKEN_MAX_CHARS} ký tự")));
        }
        if let (Some(from), Some(to)) = (self.publish_at, self.expires_at)
            && to <= from
        {
            return Err(DomainError::invalid("expires_at", "thời điểm hết hiệu lực phải sau thời điểm phát hành"));
        }
        let mut targets: Vec<String> =
            self.targets.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
        targets.sort();
        targets.dedup();
        if targets.is_empty() {
            return Err(DomainError::invalid("targets", "cần chọn ít nhất một đơn vị nhận"));
        }
        if let Some(l) = self.levels.iter().find(|l| !RECEIVING_LEVELS.contains(l)) {
            return Err(DomainError::invalid("levels", format!("cấp {} không nhận bản tin", l.label())));
        }
        let levels: Vec<OrgType> = RECEIVING_LEVELS.into_iter().filter(|l| self.levels.contains(l)).collect();
        if levels.is_empty() {
            return Err(DomainError::invalid("levels", "cần chọn ít nhất một cấp nhận (tỉnh, huyện, xã)"));
        }
        let alert = match (self.category, self.alert) {
            (Category::Emergency, Some(a)) => Some(a.validate()?),
            (Category::Emergency, None) => {
                return Err(DomainError::invalid("alert.event", "bản tin khẩn cấp cần thông tin cảnh báo (CAP)"));
            }
            (_, _) => None,
        };
        if alert.is_some() && self.expires_at.is_none() {
            return Err(DomainError::invalid("expires_at", "cảnh báo khẩn cấp cần thời điểm hết hiệu lực"));
        }
        Ok(BulletinInput { title, body, spoken, targets, levels, alert, ..self })
    }
}

// ---------------------------------------------------------------------------------------------
// Broadcasts (đã phát)
// ---------------------------------------------------------------------------------------------

/// A loudspeaker station (cụm loa, đài truyền thanh) of a commune.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StationInput {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl StationInput {
    pub fn validate(self) -> Result<Self> {
        Ok(StationInput { name: required("name", "tên cụm loa, đài truyền thanh", &self.name, 200)?, ..self })
    }
}

/// A slot of a station's playlist: a bulletin read out between two times, a number of times.
/// `aired` records that it was broadcast (đã phát); otherwise it is planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BroadcastInput {
    pub bulletin_id: i64,
    pub station_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// How many times it is read out.
    pub times: u32,
    #[serde(default)]
    pub aired: bool,
}

impl BroadcastInput {
    pub fn validate(self) -> Result<Self> {
        if self.ends_at <= self.starts_at {
            return Err(DomainError::invalid("ends_at", "giờ kết thúc phải sau giờ bắt đầu"));
        }
        if self.ends_at - self.starts_at > Duration::hours(24) {
            return Err(DomainError::invalid("ends_at", "một lượt phát không dài quá 24 giờ"));
        }
        if self.times == 0 || self.times > 100 {
            return Err(DomainError::invalid("times", "số lần phát phải từ 1 đến 100"));
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Stored records
// ---------------------------------------------------------------------------------------------

/// One version of a bulletin. A correction is a new version of the same series; a relay is a
/// new series whose `source_id` is the bulletin it passes on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Bulletin {
    pub id: i64,
    /// The id of the series' first version.
    pub series_id: i64,
    pub version: i32,
    /// The bulletin this one relays (with local additions).
    pub source_id: Option<i64>,
    /// The unit that issues it (its source agency).
    pub origin_org_id: crate::org::OrgId,
    #[serde(skip)]
    pub origin_path: String,
    pub title: String,
    pub body: String,
    pub spoken: String,
    pub category: Category,
    pub status: Status,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub alert: Option<AlertFacts>,
    /// Codes of the units whose subtrees receive it.
    pub targets: Vec<String>,
    /// The levels under the targets that receive it.
    pub levels: Vec<OrgType>,
    pub author_id: i64,
    pub author: String,
    pub approved_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub row_version: i32,
    /// Views of its portal page (flushed from memory now and then).
    pub portal_views: i64,
}

impl Bulletin {
    /// Published and not expired at `now`: listed on portals, in feeds and playlists.
    pub fn is_current(&self, now: DateTime<Utc>) -> bool {
        self.status == Status::Published && self.expires_at.is_none_or(|e| e > now)
    }

    /// An emergency alert active at `now` (raises the portal banner).
    pub fn is_active_alert(&self, now: DateTime<Utc>) -> bool {
        self.alert.is_some() && self.is_current(now)
    }

    /// What the writer typed, to start a correction or relay from.
    pub fn input(&self) -> BulletinInput {
        BulletinInput {
            title: self.title.clone(),
            body: self.body.clone(),
            spoken: self.spoken.clone(),
            category: self.category,
            publish_at: self.publish_at,
            expires_at: self.expires_at,
            targets: self.targets.clone(),
            levels: self.levels.clone(),
            alert: self.alert.clone(),
        }
    }
}

/// A file attached to a bulletin version.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub bulletin_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// One receiving unit's record of one bulletin version: in its inbox from `delivered_at`,
/// opened by an official, acknowledged (đã nhận).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DeliveryRecord {
    pub bulletin_id: i64,
    pub org_id: crate::org::OrgId,
    pub org_code: String,
    pub org_name: String,
    pub org_type: OrgType,
    #[serde(skip)]
    pub org_path: String,
    pub delivered_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// Broadcasts recorded as aired.
    pub broadcasts: u32,
}

impl DeliveryRecord {
    pub fn as_delivery(&self) -> Delivery {
        Delivery {
            level: self.org_type,
            received_at: self.opened_at.or(self.acknowledged_at),
            acknowledged_at: self.acknowledged_at,
            broadcasts: self.broadcasts,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Station {
    pub id: i64,
    pub org_id: crate::org::OrgId,
    #[serde(skip)]
    pub org_path: String,
    pub name: String,
    pub active: bool,
}

/// A slot of a station's playlist, with what the station needs to play it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Broadcast {
    pub id: i64,
    pub bulletin_id: i64,
    pub station_id: i64,
    pub org_id: crate::org::OrgId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub times: u32,
    pub aired: bool,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// CAP's message types for one alert's life: the first publication, a correction, a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

impl MsgType {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgType::Alert => "Alert",
            MsgType::Update => "Update",
            MsgType::Cancel => "Cancel",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        [MsgType::Alert, MsgType::Update, MsgType::Cancel]
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| DomainError::invalid("msg_type", format!("'{s}' không phải Alert, Update hay Cancel")))
    }
}

/// One CAP message as sent: its identity (identifier, sender, sent), what it says about which
/// bulletin version, and the earlier messages it references.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CapMessage {
    pub id: i64,
    pub identifier: String,
    pub sender: String,
    pub sent: DateTime<Utc>,
    pub msg_type: MsgType,
    pub bulletin_id: i64,
    pub series_id: i64,
    /// The alerting authority: the ministry or province that issues it (root: the national one).
    pub authority_code: String,
    /// `sender,identifier,sent` of earlier messages of the same alert.
    pub references: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The CAP `sender` of an alerting authority.
pub fn cap_sender(authority_code: &str) -> String {
    format!("canhbao.{}@dxgov.gov.vn", authority_code.to_ascii_lowercase())
}

/// The CAP `identifier` of the message about a bulletin version (unique per sender; no spaces,
/// commas, `<` or `&`): its Alert or Update, or the Cancel that withdraws it.
pub fn cap_identifier(authority_code: &str, bulletin_id: i64, msg_type: MsgType) -> String {
    let code = authority_code.to_ascii_lowercase();
    match msg_type {
        MsgType::Cancel => format!("urn:dxgov:cap:{code}:{bulletin_id}:huy"),
        _ => format!("urn:dxgov:cap:{code}:{bulletin_id}"),
    }
}

/// The `references` entry that names a sent message.
pub fn cap_reference(m: &CapMessage) -> String {
    format!("{},{},{}", m.sender, m.identifier, m.sent.with_timezone(&vn_offset()).format("%Y-%m-%dT%H:%M:%S%:z"))
}

/// Vietnam's offset (UTC+7, no daylight saving): CAP times carry it.
pub fn vn_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

/// The current messages of an authority's CAP feed: for each alert, its latest message, unless
/// that is a Cancel or the alert has expired at `now`.
pub fn current_alerts(mut messages: Vec<CapMessage>, now: DateTime<Utc>) -> Vec<CapMessage> {
    messages.sort_by_key(|m| (m.series_id, m.sent, m.id));
    let mut latest: Vec<CapMessage> = Vec::new();
    for m in messages {
        match latest.last_mut() {
            Some(last) if last.series_id == m.series_id => *last = m,
            _ => latest.push(m),
        }
    }
    latest.retain(|m| m.msg_type != MsgType::Cancel && m.expires_at.is_none_or(|e| e > now));
    latest.sort_by(|a, b| b.sent.cmp(&a.sent).then(b.id.cmp(&a.id)));
    latest
}

// ---------------------------------------------------------------------------------------------
// Reach
// ---------------------------------------------------------------------------------------------

/// One receiving unit's record for a bulletin.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Province, district (old structure) or commune: the level figures are grouped by.
    pub level: OrgType,
    pub received_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub broadcasts: u32,
}

/// Reach of one bulletin at one level.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LevelReach {
    pub level: OrgType,
    pub targeted: u64,
    pub received: u64,
    pub acknowledged: u64,
    /// Units that recorded at least one broadcast.
    pub broadcast: u64,
    /// Seconds from publication to acknowledgement: median and slowest of those acknowledged.
    pub median_ack_secs: Option<i64>,
    pub slowest_ack_secs: Option<i64>,
}

/// Figures per level (in the order of [`OrgType::ALL`]), counting from publication.
pub fn reach(published_at: DateTime<Utc>, deliveries: &[Delivery]) -> Vec<LevelReach> {
    OrgType::ALL
        .into_iter()
        .filter_map(|level| {
            let at: Vec<&Delivery> = deliveries.iter().filter(|d| d.level == level).collect();
            if at.is_empty() {
                return None;
            }
            let mut waits: Vec<i64> =
                at.iter().filter_map(|d| d.acknowledged_at).map(|t| (t - published_at).num_seconds().max(0)).collect();
            waits.sort_unstable();
            let median = match waits.len() {
                0 => None,
                n if n % 2 == 1 => Some(waits[n / 2]),
                n => Some((waits[n / 2 - 1] + waits[n / 2]) / 2),
            };
            Some(LevelReach {
                level,
                targeted: at.len() as u64,
                received: at.iter().filter(|d| d.received_at.is_some()).count() as u64,
                acknowledged: waits.len() as u64,
                broadcast: at.iter().filter(|d| d.broadcasts > 0).count() as u64,
                median_ack_secs: median,
                slowest_ack_secs: waits.last().copied(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap()
    }

    fn alert() -> AlertFacts {
        AlertFacts {
            event: " Bão số 13 ".into(),
            cap_category: "met".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            instruction: "Di chuyển đến nơi trú ẩn an toàn.".into(),
            polygons: vec!["15.1,108.7 15.2,108.7 15.2,108.85".into()],
            circles: vec!["15.12,108.79 5".into()],
        }
    }

    fn storm() -> BulletinInput {
        BulletinInput {
            title: "Cảnh báo bão số 13".into(),
            body: "Bão số 13 đổ bộ vào Quảng Ngãi chiều 24/11.".into(),
            spoken: "Bà con chú ý: bão số 13 sắp đổ bộ.".into(),
            category: Category::Emergency,
            publish_at: None,
            expires_at: Some(at(23, 0)),
            targets: vec!["51".into(), " 48 ".into(), "51".into()],
            levels: vec![OrgType::Commune, OrgType::Province],
            alert: Some(alert()),
        }
    }

    fn field(r: Result<BulletinInput>) -> &'static str {
        match r {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_workflow_allows_only_its_own_steps_and_publishes_once() {
        use Status::*;
        assert_eq!(Draft.after(Step::Submit).unwrap(), Submitted);
        assert_eq!(Submitted.after(Step::Approve).unwrap(), Approved);
        assert_eq!(Approved.after(Step::Publish).unwrap(), Published);
        assert_eq!(Published.after(Step::Withdraw).unwrap(), Withdrawn);
        assert_eq!(Submitted.after(Step::Return).unwrap(), Draft);
        assert!(Published.after(Step::Publish).is_err(), "a second publication");
        assert!(Draft.after(Step::Publish).is_err(), "publishing without approval");
        assert!(Draft.after(Step::Approve).is_err());
        assert!(Superseded.after(Step::Withdraw).is_err());
        for &s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()).unwrap(), s);
        }
        for &c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), c);
        }
    }

    #[test]
    fn an_emergency_is_checked_field_by_field() {
        let ok = storm().validate().unwrap();
        assert_eq!(ok.targets, ["48", "51"]);
        assert_eq!(ok.levels, [OrgType::Province, OrgType::Commune], "in the hierarchy's order");
        let a = ok.alert.unwrap();
        assert_eq!((a.event.as_str(), a.cap_category.as_str()), ("Bão số 13", "Met"));
        assert_eq!(field(BulletinInput { alert: None, ..storm() }.validate()), "alert.event");
        let missing = |f: fn(&mut AlertFacts)| {
            let mut a = alert();
            f(&mut a);
            field(BulletinInput { alert: Some(a), ..storm() }.validate())
        };
        assert_eq!(missing(|a| a.event.clear()), "alert.event");
        assert_eq!(missing(|a| a.urgency = "Soon".into()), "alert.urgency");
        assert_eq!(missing(|a| a.severity.clear()), "alert.severity");
        assert_eq!(missing(|a| a.certainty = "Sure".into()), "alert.certainty");
        assert_eq!(missing(|a| a.cap_category = "Weather".into()), "alert.cap_category");
        assert_eq!(missing(|a| a.instruction = "  ".into()), "alert.instruction");
        assert_eq!(missing(|a| a.polygons = vec!["15.1,108.7 15.2,108.7".into()]), "alert.polygons");
        assert_eq!(missing(|a| a.polygons = vec!["15.1,108.7 95,108.7 15.2,108.85".into()]), "alert.polygons");
        assert_eq!(missing(|a| a.circles = vec!["15.12,108.79".into()]), "alert.circles");
        assert_eq!(missing(|a| a.circles = vec!["15.12,108.79 -1".into()]), "alert.circles");
        assert_eq!(field(BulletinInput { expires_at: None, ..storm() }.validate()), "expires_at");
    }

    #[test]
    fn ordinary_bulletins_need_a_title_a_body_targets_and_a_sane_schedule() {
        let plain = || BulletinInput { category: Category::PolicyLaw, alert: Some(alert()), ..storm() };
        assert!(plain().validate().unwrap().alert.is_none(), "alert facts only on emergencies");
        assert_eq!(field(BulletinInput { title: " ".into(), ..plain() }.validate()), "title");
        assert_eq!(field(BulletinInput { body: String::new(), ..plain() }.validate()), "body");
        assert_eq!(field(BulletinInput { targets: vec![" ".into()], ..plain() }.validate()), "targets");
        assert_eq!(field(BulletinInput { levels: vec![], ..plain() }.validate()), "levels");
        assert_eq!(field(BulletinInput { levels: vec![OrgType::Ministry], ..plain() }.validate()), "levels");
        assert_eq!(field(BulletinInput { spoken: "a".repeat(SPOKEN_MAX_CHARS + 1), ..plain() }.validate()), "spoken");
        let backwards = BulletinInput { publish_at: Some(at(12, 0)), expires_at: Some(at(8, 0)), ..plain() };
        assert_eq!(field(backwards.validate()), "expires_at");
    }

    #[test]
    fn a_broadcast_must_end_after_it_starts() {
        let b = BroadcastInput {
            bulletin_id: 1,
            station_id: 1,
            starts_at: at(6, 0),
            ends_at: at(6, 15),
            times: 2,
            aired: false,
        };
        assert!(b.clone().validate().is_ok());
        let err = |b: BroadcastInput| match b.validate() {
            Err(DomainError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(BroadcastInput { ends_at: at(5, 0), ..b.clone() }), "ends_at");
        assert_eq!(err(BroadcastInput { ends_at: at(6, 0) + Duration::hours(25), ..b.clone() }), "ends_at");
        assert_eq!(err(BroadcastInput { times: 0, ..b }), "times");
        match (StationInput { name: " ".into(), active: true }).validate() {
            Err(DomainError::Invalid { field, .. }) => assert_eq!(field, "name"),
            other => panic!("{other:?}"),
        }
    }

    fn msg(id: i64, series_id: i64, minute: u32, msg_type: MsgType, expires: Option<DateTime<Utc>>) -> CapMessage {
        CapMessage {
            id,
            identifier: format!("m{id}"),
            sender: cap_sender("VN"),
            sent: at(8, minute),
            msg_type,
            bulletin_id: id,
            series_id,
            authority_code: "VN".into(),
            references: vec![],
            expires_at: expires,
        }
    }

    #[test]
    fn the_cap_feed_keeps_each_alerts_latest_message_unless_cancelled_or_expired() {
        let later = Some(at(20, 0));
        let messages = vec![
            msg(1, 1, 0, MsgType::Alert, later),
            msg(2, 1, 10, MsgType::Update, later),
            msg(3, 3, 1, MsgType::Alert, later),
            msg(4, 3, 20, MsgType::Cancel, later),
            msg(5, 5, 2, MsgType::Alert, Some(at(9, 0))),
            msg(6, 6, 3, MsgType::Alert, None),
        ];
        let ids = |now| current_alerts(messages.clone(), now).iter().map(|m| m.id).collect::<Vec<_>>();
        assert_eq!(ids(at(8, 30)), [2, 6, 5], "newest first; the update replaces its alert; the cancelled one is gone");
        assert_eq!(ids(at(9, 30)), [2, 6], "the expired one leaves the feed");
        assert_eq!(ids(at(21, 0)), [6]);
        let id = cap_identifier("VN", 42, MsgType::Alert);
        assert!(!id.contains([' ', ',', '<', '&']), "{id}");
        assert_ne!(id, cap_identifier("VN", 42, MsgType::Cancel));
        assert_eq!(
            cap_reference(&msg(1, 1, 0, MsgType::Alert, None)),
            format!("{},m1,2026-11-23T15:00:00+07:00", cap_sender("VN"))
        );
    }

    /// A worked example: published at 08:00 to 2 provinces and 4 communes.
    #[test]
    fn reach_counts_each_level_with_median_and_slowest_acknowledgement() {
        let d = |level, received: Option<(u32, u32)>, ack: Option<(u32, u32)>, broadcasts| Delivery {
            level,
            received_at: received.map(|(h, m)| at(h, m)),
            acknowledged_at: ack.map(|(h, m)| at(h, m)),
            broadcasts,
        };
        let deliveries = [
            d(OrgType::Province, Some((8, 0)), Some((8, 10)), 0),
            d(OrgType::Province, Some((8, 0)), Some((8, 30)), 0),
            d(OrgType::Commune, Some((8, 1)), Some((8, 5)), 3),
            d(OrgType::Commune, Some((8, 1)), Some((9, 0)), 1),
            d(OrgType::Commune, Some((8, 1)), Some((8, 20)), 0),
            d(OrgType::Commune, None, None, 0),
        ];
        let r = reach(at(8, 0), &deliveries);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0],
            LevelReach {
                level: OrgType::Province,
                targeted: 2,
                received: 2,
                acknowledged: 2,
                broadcast: 0,
                median_ack_secs: Some(20 * 60),
                slowest_ack_secs: Some(30 * 60),
            }
        );
        assert_eq!(
            r[1],
            LevelReach {
                level: OrgType::Commune,
                targeted: 4,
                received: 3,
                acknowledged: 3,
                broadcast: 2,
                median_ack_secs: Some(20 * 60),
                slowest_ack_secs: Some(60 * 60),
            }
        );
    }
}
