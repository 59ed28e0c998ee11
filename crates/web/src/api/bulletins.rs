//! Source information as JSON: bulletins and their workflow, corrections, relays, attachments,
//! a unit's inbox and acknowledgement, stations, playlists (JSON or CSV for the stations'
//! systems), broadcasts, reach and the reach dashboard (JSON or XLSX). Each handler calls one
//! service.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::DomainError;
use domain::bulletins::{
    Attachment, Broadcast, BroadcastInput, Bulletin, BulletinInput, Category, DeliveryRecord, Station, StationInput,
    Status, Step,
};
use domain::services::bulletins::{
    BulletinFilter, BulletinReach, BulletinView, InboxLine, ReachDashboard, summary as text_summary,
};
use reports::{Cell, Table};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::Paged;
use crate::api::registries::{Body, BodyFields};
use crate::api::task_io::download;
use crate::api::work::named_download;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::Actor;
use crate::task_file::XLSX_MIME;

/// A new bulletin: the issuing unit and the bulletin.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBulletinBody {
    /// Code of the issuing unit.
    pub org: String,
    #[serde(flatten)]
    pub bulletin: BulletinInput,
}

/// A draft's new content, with the row version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditBulletinBody {
    pub row_version: i32,
    #[serde(flatten)]
    pub bulletin: BulletinInput,
}

impl BodyFields for NewBulletinBody {
    const FIELDS: &'static [&'static str] =
        &["org", "title", "body", "spoken", "category", "publish_at", "expires_at", "targets", "levels", "alert"];
}

impl BodyFields for EditBulletinBody {
    const FIELDS: &'static [&'static str] = &[
        "row_version",
        "title",
        "body",
        "spoken",
        "category",
        "publish_at",
        "expires_at",
        "targets",
        "levels",
        "alert",
    ];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBody {
    /// The row version the caller read (a second click of the same step is refused).
    pub row_version: i32,
}

impl BodyFields for StepBody {
    const FIELDS: &'static [&'static str] = &["row_version"];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RelayBody {
    /// Code of the receiving unit that relays it.
    pub org: String,
    /// Local additions, appended to the body.
    #[serde(default)]
    pub additions: String,
    /// Codes of units of its area (default: its whole area).
    #[serde(default)]
    pub targets: Vec<String>,
}

impl BodyFields for RelayBody {
    const FIELDS: &'static [&'static str] = &["org", "additions", "targets"];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentBody {
    /// File name with its extension.
    pub name: String,
    /// The file's bytes, base64-encoded.
    pub content_base64: String,
}

impl BodyFields for AttachmentBody {
    const FIELDS: &'static [&'static str] = &["name", "content_base64"];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcknowledgeBody {
    /// Code of the receiving unit.
    pub org: String,
}

impl BodyFields for AcknowledgeBody {
    const FIELDS: &'static [&'static str] = &["org"];
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StationBody {
    /// Code of the commune (or district, province) the station belongs to.
    pub org: String,
    #[serde(flatten)]
    pub station: StationInput,
}

impl BodyFields for StationBody {
    const FIELDS: &'static [&'static str] = &["org", "name", "active"];
}

impl BodyFields for BroadcastInput {
    const FIELDS: &'static [&'static str] = &["bulletin_id", "station_id", "starts_at", "ends_at", "times", "aired"];
}

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError(EdgeError::BadRequest { field, message: message.into() })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only bulletins written by this unit's subtree.
    pub origin: Option<String>,
    /// draft, submitted, approved, published, superseded, withdrawn (default: the latest
    /// version of each bulletin, any state).
    pub status: Option<String>,
    /// Category slug, e.g. `khan-cap-thien-tai`.
    pub category: Option<String>,
    /// Search text (diacritics optional).
    pub q: Option<String>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

impl ListParams {
    fn filter(&self) -> Result<BulletinFilter, DomainError> {
        Ok(BulletinFilter {
            origin: self.origin.clone().filter(|s| !s.is_empty()),
            status: self.status.as_deref().filter(|s| !s.is_empty()).map(Status::parse).transpose()?,
            category: self.category.as_deref().filter(|s| !s.is_empty()).map(Category::parse).transpose()?,
            q: self.q.clone(),
            offset: self.offset.unwrap_or(0),
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// Bulletins written in, or sent to, the caller's units (latest version of each by default).
#[utoipa::path(get, path = "/api/v1/bulletins", params(ListParams),
    responses((status = 200, body = Paged<Bulletin>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ListParams>,
) -> ApiResult<Paged<Bulletin>> {
    Ok(Json(state.services.bulletins(&p, &q.filter()?).await?.into()))
}

/// Write a bulletin (a draft of the issuing unit). An emergency needs its CAP facts (`alert`)
/// and an expiry; each missing field is named.
#[utoipa::path(post, path = "/api/v1/bulletins", request_body = NewBulletinBody,
    responses((status = 201, body = Bulletin), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(b): Body<NewBulletinBody>,
) -> Result<Response, ApiError> {
    let created = state.services.create_bulletin(&p, &b.org, b.bulletin).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// One version with its history, files, relays, CAP messages and the steps the caller may take.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = BulletinView), (status = 404, body = crate::error::Problem)))]
pub async fn show(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<BulletinView> {
    Ok(Json(state.services.bulletin(&p, id).await?))
}

/// Edit a draft.
#[utoipa::path(put, path = "/api/v1/bulletins/{id}", params(("id" = i64, Path)), request_body = EditBulletinBody,
    responses((status = 200, body = Bulletin), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(b): Body<EditBulletinBody>,
) -> ApiResult<Bulletin> {
    Ok(Json(state.services.update_bulletin(&p, id, b.bulletin, b.row_version).await?))
}

/// A workflow step: submit, return, approve (publishes at once unless scheduled later),
/// publish, withdraw (an alert's CAP Cancel). Repeating a step is refused (409/422).
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/steps/{step}", request_body = StepBody,
    params(("id" = i64, Path), ("step" = String, Path, description = "submit, return, approve, publish or withdraw")),
    responses((status = 200, body = Bulletin), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn step(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, step)): Path<(i64, String)>,
    Body(b): Body<StepBody>,
) -> ApiResult<Bulletin> {
    let step = Step::parse(&step)?;
    Ok(Json(state.services.bulletin_step(&p, id, step, b.row_version).await?))
}

/// Start a correction: a new draft version of a published bulletin (its files kept).
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/corrections", params(("id" = i64, Path)),
    responses((status = 201, body = Bulletin), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let created = state.services.correct_bulletin(&p, id).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Relay a received bulletin to units of the receiving unit's area, with local additions: a
/// new draft of that unit, linked to its source.
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/relays", params(("id" = i64, Path)), request_body = RelayBody,
    responses((status = 201, body = Bulletin), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn relay(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(b): Body<RelayBody>,
) -> Result<Response, ApiError> {
    let created = state.services.relay_bulletin(&p, id, &b.org, &b.additions, b.targets).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Attach a file to a draft (PDF, Word, OpenDocument, PNG, JPEG, MP3, OGG, WAV, M4A; ≤ 20 MB).
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/attachments", params(("id" = i64, Path)),
    request_body = AttachmentBody,
    responses((status = 201, body = Attachment), (status = 413, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn attach(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(b): Body<AttachmentBody>,
) -> Result<Response, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b.content_base64.trim())
        .map_err(|_| bad("content_base64", "không phải base64 hợp lệ"))?;
    let a = state.services.add_bulletin_attachment(&p, id, &b.name, &bytes).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Remove a file from a draft.
#[utoipa::path(delete, path = "/api/v1/bulletins/{id}/attachments/{attachment}",
    params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn detach(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state.services.remove_bulletin_attachment(&p, id, attachment).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Download an attachment (drafts too, for officials who may read the bulletin).
#[utoipa::path(get, path = "/api/v1/bulletin-files/{id}", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = crate::error::Problem)))]
pub async fn file(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let (a, bytes) = state.services.bulletin_attachment(Some(&p), id).await?;
    Ok(named_download(&a.name, a.content_type, bytes))
}

/// A receiving unit confirms receipt (đã nhận); a second confirmation keeps the first time.
#[utoipa::path(post, path = "/api/v1/bulletins/{id}/acknowledgements", params(("id" = i64, Path)),
    request_body = AcknowledgeBody,
    responses((status = 200, body = DeliveryRecord), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn acknowledge(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(b): Body<AcknowledgeBody>,
) -> ApiResult<DeliveryRecord> {
    Ok(Json(state.services.acknowledge_bulletin(&p, id, &b.org).await?))
}

/// Reach of one version: targeted, received, acknowledged, broadcast, portal views, the wait
/// to acknowledgement per level, per province, and the units that have not acknowledged.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}/reach", params(("id" = i64, Path)),
    responses((status = 200, body = BulletinReach), (status = 404, body = crate::error::Problem)))]
pub async fn reach(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<BulletinReach> {
    Ok(Json(state.services.bulletin_reach(&p, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// One of the caller's units (default: all of them).
    pub org: Option<String>,
    /// Only those not yet acknowledged.
    pub pending: Option<bool>,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// Bulletins delivered to the caller's units, newest first, with the acknowledgement deadline.
#[utoipa::path(get, path = "/api/v1/bulletin-inbox", params(InboxParams),
    responses((status = 200, body = Paged<InboxLine>), (status = 403, body = crate::error::Problem)))]
pub async fn inbox(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<InboxParams>,
) -> ApiResult<Paged<InboxLine>> {
    let page = state
        .services
        .bulletin_inbox(
            &p,
            q.org.as_deref().filter(|s| !s.is_empty()),
            q.pending.unwrap_or(false),
            q.offset.unwrap_or(0),
            q.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(page.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReachParams {
    /// The unit whose subtree is counted (default: the caller's widest).
    pub org: Option<String>,
    /// First day, `dd/mm/yyyy` or `yyyy-mm-dd` (default: 90 days ago).
    pub from: Option<String>,
    /// Last day (default: today).
    pub to: Option<String>,
}

impl ReachParams {
    /// The period as instants: from the first day's start to the last day's end (Vietnam time).
    pub fn period(&self, today: chrono::NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
        let day = |field: &'static str, s: &Option<String>| -> Result<Option<chrono::NaiveDate>, DomainError> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(t) => crate::format::parse_date(t)
                    .or_else(|| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                    .map(Some)
                    .ok_or_else(|| DomainError::invalid(field, format!("'{t}' không phải ngày dạng dd/mm/yyyy"))),
            }
        };
        let to = day("to", &self.to)?.unwrap_or(today);
        let from = day("from", &self.from)?.unwrap_or(to - Duration::days(89));
        if from > to {
            return Err(DomainError::invalid("from", "ngày đầu phải trước ngày cuối"));
        }
        Ok((domain::clock::vietnam_midnight(from), domain::clock::vietnam_midnight(to + Duration::days(1))))
    }
}

/// The reach dashboard of a unit's subtree over a period: each bulletin's figures, totals per
/// level and province, and the units that never acknowledge.
#[utoipa::path(get, path = "/api/v1/bulletin-reach", params(ReachParams),
    responses((status = 200, body = ReachDashboard), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn dashboard(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ReachParams>,
) -> ApiResult<ReachDashboard> {
    let (from, to) = q.period(state.services.clock().today())?;
    Ok(Json(state.services.reach_dashboard(&p, q.org.as_deref().filter(|s| !s.is_empty()), from, to).await?))
}

/// The reach dashboard as an XLSX workbook: bulletins, levels, provinces, units that never
/// acknowledge.
#[utoipa::path(get, path = "/api/v1/bulletin-reach/file/xlsx", params(ReachParams),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn dashboard_xlsx(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ReachParams>,
) -> Result<Response, ApiError> {
    let (from, to) = q.period(state.services.clock().today())?;
    let d = state.services.reach_dashboard(&p, q.org.as_deref().filter(|s| !s.is_empty()), from, to).await?;
    let sheets = reach_workbook(&d);
    let refs: Vec<(&str, &Table)> = sheets.iter().map(|(n, t)| (*n, t)).collect();
    let bytes = reports::write_xlsx(&refs).map_err(|e| DomainError::Storage(e.to_string()))?;
    let name = format!(
        "hieu-qua-thong-tin-co-so-{}-{}-{}.xlsx",
        d.org_code,
        domain::clock::vietnam_date(d.from).format("%Y%m%d"),
        domain::clock::vietnam_date(d.to - Duration::seconds(1)).format("%Y%m%d")
    );
    Ok(download(bytes, XLSX_MIME, name))
}

fn n(x: u64) -> Cell {
    Cell::Int(i64::try_from(x).unwrap_or(i64::MAX))
}

fn share(part: u64, whole: u64) -> Cell {
    if whole == 0 { Cell::Empty } else { Cell::Percent(part as f64 * 100.0 / whole as f64) }
}

/// Minutes, one decimal, for waits in seconds.
fn minutes(secs: Option<i64>) -> Cell {
    secs.map_or(Cell::Empty, |s| Cell::Number((s as f64 / 6.0).round() / 10.0))
}

/// The dashboard's tables, one sheet each (also shown on the page).
pub fn reach_workbook(d: &ReachDashboard) -> Vec<(&'static str, Table)> {
    let mut bulletins = Table::new([
        "Bản tin",
        "Chuyên mục",
        "Phát hành",
        "Đơn vị nhận",
        "Đã xem",
        "Đã xác nhận",
        "Tỷ lệ xác nhận",
        "Đã phát loa",
        "Lượt xem cổng",
    ]);
    for b in &d.bulletins {
        bulletins.push_row(vec![
            b.title.clone().into(),
            b.category.label().into(),
            b.published_at.map(crate::format::datetime).unwrap_or_default().into(),
            n(b.targeted),
            n(b.received),
            n(b.acknowledged),
            share(b.acknowledged, b.targeted),
            n(b.broadcast),
            Cell::Int(b.portal_views),
        ]);
    }
    let mut levels = Table::new([
        "Cấp",
        "Lượt nhận",
        "Đã xem",
        "Đã xác nhận",
        "Tỷ lệ xác nhận",
        "Đã phát loa",
        "Trung vị đến khi xác nhận (phút)",
        "Chậm nhất (phút)",
    ]);
    for l in &d.levels {
        levels.push_row(vec![
            l.level.label().into(),
            n(l.targeted),
            n(l.received),
            n(l.acknowledged),
            share(l.acknowledged, l.targeted),
            n(l.broadcast),
            minutes(l.median_ack_secs),
            minutes(l.slowest_ack_secs),
        ]);
    }
    let mut provinces = Table::new(["Tỉnh, thành phố", "Mã", "Lượt nhận", "Đã xác nhận", "Tỷ lệ", "Đã phát loa"]);
    for r in &d.provinces {
        provinces.push_row(vec![
            r.name.clone().into(),
            r.code.clone().into(),
            n(r.targeted),
            n(r.acknowledged),
            share(r.acknowledged, r.targeted),
            n(r.broadcast),
        ]);
    }
    let mut never = Table::new(["Đơn vị", "Mã", "Số bản tin nhận"]);
    for r in &d.never_acknowledging {
        never.push_row(vec![r.name.clone().into(), r.code.clone().into(), n(r.targeted)]);
    }
    vec![("Bản tin", bulletins), ("Theo cấp", levels), ("Theo tỉnh", provinces), ("Chưa từng xác nhận", never)]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StationParams {
    /// The unit whose stations (its own and below) are listed.
    pub org: String,
}

/// Loudspeaker stations of a unit and its subtree.
#[utoipa::path(get, path = "/api/v1/stations", params(StationParams),
    responses((status = 200, body = Vec<Station>), (status = 403, body = crate::error::Problem)))]
pub async fn stations(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<StationParams>,
) -> ApiResult<Vec<Station>> {
    Ok(Json(state.services.stations(&p, &q.org).await?))
}

/// Add a station to a commune (or district, province).
#[utoipa::path(post, path = "/api/v1/stations", request_body = StationBody,
    responses((status = 201, body = Station), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn add_station(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(b): Body<StationBody>,
) -> Result<Response, ApiError> {
    let s = state.services.save_station(&p, &b.org, None, b.station).await?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

/// Rename a station or take it out of service.
#[utoipa::path(put, path = "/api/v1/stations/{id}", params(("id" = i64, Path)), request_body = StationBody,
    responses((status = 200, body = Station), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn put_station(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Body(b): Body<StationBody>,
) -> ApiResult<Station> {
    Ok(Json(state.services.save_station(&p, &b.org, Some(id), b.station).await?))
}

/// Put a bulletin on a station's playlist (`aired: false`) or record a broadcast (`aired: true`).
/// The end must come after the start; at most 24 hours; 1–100 times.
#[utoipa::path(post, path = "/api/v1/broadcasts", request_body = BroadcastInput,
    responses((status = 201, body = Broadcast), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn add_broadcast(
    State(state): State<AppState>,
    Actor(p): Actor,
    Body(b): Body<BroadcastInput>,
) -> Result<Response, ApiError> {
    let slot = state.services.add_broadcast(&p, b).await?;
    Ok((StatusCode::CREATED, Json(slot)).into_response())
}

/// Record that a planned slot was aired.
#[utoipa::path(post, path = "/api/v1/broadcasts/{id}/aired", params(("id" = i64, Path)),
    responses((status = 200, body = Broadcast), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn aired(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<Broadcast> {
    Ok(Json(state.services.mark_broadcast_aired(&p, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaylistParams {
    /// First day (default today), `dd/mm/yyyy` or `yyyy-mm-dd`.
    pub from: Option<String>,
    /// Last day (default: 7 days on).
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// One slot of a playlist as the stations' systems read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaylistSlot {
    pub slot_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub times: u32,
    pub aired: bool,
    pub bulletin_id: i64,
    pub title: String,
    pub category: Category,
    pub emergency: bool,
    /// The text to read out (the spoken version, else the start of the body).
    pub spoken: String,
    /// Audio files of the bulletin, by download path.
    pub audio: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Playlist {
    pub station: Station,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub slots: Vec<PlaylistSlot>,
}

/// A station's playlist between two days, as JSON or CSV (UTF-8, times in Vietnam time).
#[utoipa::path(get, path = "/api/v1/stations/{id}/playlist", params(("id" = i64, Path), PlaylistParams),
    responses((status = 200, body = Playlist), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn playlist(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<PlaylistParams>,
) -> Result<Response, ApiError> {
    let today = state.services.clock().today();
    let period = ReachParams {
        org: None,
        from: Some(q.from.clone().unwrap_or_else(|| today.format("%d/%m/%Y").to_string())),
        to: q.to.clone(),
    };
    let to_day = period.to.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let period = ReachParams {
        to: Some(to_day.map_or_else(|| (today + Duration::days(7)).format("%d/%m/%Y").to_string(), str::to_string)),
        ..period
    };
    let (from, to) = period.period(today)?;
    let (station, rows) = state.services.playlist(&p, id, from, to).await?;
    let mut slots = Vec::with_capacity(rows.len());
    for (slot, b, files) in rows {
        let audio = files
            .into_iter()
            .filter(|a| a.content_type.starts_with("audio/"))
            .map(|a| format!("/api/v1/bulletin-files/{}", a.id))
            .collect();
        slots.push(PlaylistSlot {
            slot_id: slot.id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            times: slot.times,
            aired: slot.aired,
            bulletin_id: b.id,
            spoken: if b.spoken.is_empty() { text_summary(&b.body, 600) } else { b.spoken.clone() },
            emergency: b.alert.is_some(),
            title: b.title,
            category: b.category,
            audio,
        });
    }
    let list = Playlist { station, from, to, slots };
    match q.format.as_deref() {
        Some("csv") => {
            let mut t = Table::new([
                "Bắt đầu",
                "Kết thúc",
                "Số lần",
                "Đã phát",
                "Mã bản tin",
                "Tiêu đề",
                "Chuyên mục",
                "Khẩn cấp",
                "Nội dung đọc",
                "Tệp âm thanh",
            ]);
            for s in &list.slots {
                t.push_row(vec![
                    crate::format::datetime(s.starts_at).into(),
                    crate::format::datetime(s.ends_at).into(),
                    Cell::Int(i64::from(s.times)),
                    if s.aired { "có" } else { "chưa" }.into(),
                    Cell::Int(s.bulletin_id),
                    s.title.clone().into(),
                    s.category.label().into(),
                    if s.emergency { "có" } else { "không" }.into(),
                    s.spoken.clone().into(),
                    s.audio.join(" ").into(),
                ]);
            }
            let name = format!("lich-phat-cum-loa-{}.csv", list.station.id);
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                reports::write_csv(&t),
            )
                .into_response())
        }
        None | Some("json") => Ok(Json(list).into_response()),
        Some(other) => Err(bad("format", format!("'{other}': chọn json hoặc csv"))),
    }
}

#[cfg(test)]
mod tests {
    use super::BodyFields;

    /// The body field lists name exactly the fields of [`super::BulletinInput`].
    #[test]
    fn body_fields_cover_the_bulletin() {
        let sample = domain::bulletins::BulletinInput {
            title: String::new(),
            body: String::new(),
            spoken: String::new(),
            category: domain::bulletins::Category::Other,
            publish_at: None,
            expires_at: None,
            targets: vec![],
            levels: vec![],
            alert: None::<domain::bulletins::AlertFacts>,
        };
        let v = serde_json::to_value(sample).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        for (fields, extra) in
            [(super::NewBulletinBody::FIELDS, "org"), (super::EditBulletinBody::FIELDS, "row_version")]
        {
            let mut fields: Vec<&str> = fields.iter().copied().filter(|f| *f != extra).collect();
            fields.sort_unstable();
            assert_eq!(keys, fields);
        }
    }
}
