//! Work schedules (lịch công tác) as JSON and iCalendar. Each handler calls one service.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::schedule::{PublishedWeek, ScheduleEvent, ScheduleEventInput, ScheduleList, local};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::parse_opt;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::format;
use crate::session::Actor;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleParams {
    /// The unit's org code (default: the caller's own unit).
    pub org: Option<String>,
    /// First day (yyyy-mm-dd or dd/mm/yyyy); default: Monday of this week.
    pub from: Option<String>,
    /// Last day, inclusive; default: six days after `from`.
    pub to: Option<String>,
}

fn range(q: &ScheduleParams) -> Result<(Option<NaiveDate>, Option<NaiveDate>), ApiError> {
    Ok((
        parse_opt("from", q.from.as_deref(), format::parse_date, "ngày dạng dd/mm/yyyy")?,
        parse_opt("to", q.to.as_deref(), format::parse_date, "ngày dạng dd/mm/yyyy")?,
    ))
}

/// A unit's schedule over a range of days (default: this week), each event with its conflicts.
/// Editors of the unit also see its drafts.
#[utoipa::path(get, path = "/api/v1/schedules", params(ScheduleParams),
    responses((status = 200, body = ScheduleList), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    Actor(p): Actor,
    Query(q): Query<ScheduleParams>,
) -> ApiResult<ScheduleList> {
    let (from, to) = range(&q)?;
    Ok(Json(state.services.list_schedule(&p, q.org.as_deref(), from, to).await?))
}

/// Add a draft event to a unit's schedule; `conflicts` warns of people booked twice.
#[utoipa::path(post, path = "/api/v1/schedules", request_body = ScheduleEventInput,
    responses((status = 200, body = ScheduleEvent), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(input): Json<ScheduleEventInput>,
) -> ApiResult<ScheduleEvent> {
    Ok(Json(state.services.create_schedule_event(&p, &input).await?))
}

/// One event with its conflicts.
#[utoipa::path(get, path = "/api/v1/schedules/events/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ScheduleEvent), (status = 404, body = crate::error::Problem)))]
pub async fn show(State(state): State<AppState>, Actor(p): Actor, Path(id): Path<i64>) -> ApiResult<ScheduleEvent> {
    Ok(Json(state.services.schedule_event(&p, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScheduleEdit {
    /// The `row_version` the editor loaded; a stale one gets 409 with what changed.
    pub row_version: i32,
    #[serde(flatten)]
    pub event: ScheduleEventInput,
}

/// Edit an event; a published one stays visible and is marked as adjusted.
#[utoipa::path(put, path = "/api/v1/schedules/events/{id}", params(("id" = i64, Path)), request_body = ScheduleEdit,
    responses((status = 200, body = ScheduleEvent), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Json(e): Json<ScheduleEdit>,
) -> ApiResult<ScheduleEvent> {
    Ok(Json(state.services.update_schedule_event(&p, id, e.row_version, &e.event).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// The `row_version` the editor loaded: the delete is refused (409) if someone saved since.
    pub row_version: Option<i32>,
}

/// Delete an event.
#[utoipa::path(delete, path = "/api/v1/schedules/events/{id}", params(("id" = i64, Path), DeleteParams),
    responses((status = 204, description = "deleted"), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Query(q): Query<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_schedule_event(&p, id, q.row_version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishInput {
    /// Any day of the week to publish (Monday to Sunday); usually its Monday.
    pub week_start: NaiveDate,
}

/// Publish a week of a unit's schedule: its drafts become visible to everyone who reads the
/// unit's work.
#[utoipa::path(post, path = "/api/v1/schedules/{code}/publish", params(("code" = String, Path)), request_body = PublishInput,
    responses((status = 200, body = PublishedWeek), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Json(input): Json<PublishInput>,
) -> ApiResult<PublishedWeek> {
    Ok(Json(state.services.publish_schedule_week(&p, &code, input.week_start).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IcsParams {
    /// First day (default: Monday of this week).
    pub from: Option<String>,
    /// Last day, inclusive (default: six days after `from`).
    pub to: Option<String>,
}

/// A unit's published schedule as iCalendar (timed events in UTC, one stable UID per event).
#[utoipa::path(get, path = "/api/v1/schedules/{code}",
    params(("code" = String, Path, description = "the unit's org code + \".ics\", e.g. 51.ics"), IcsParams),
    responses((status = 200, content_type = "text/calendar"), (status = 404, body = crate::error::Problem)))]
pub async fn ical(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(file): Path<String>,
    Query(q): Query<IcsParams>,
) -> Result<Response, ApiError> {
    let code = file
        .strip_suffix(".ics")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError(EdgeError::Domain(domain::DomainError::not_found("lịch công tác", file.clone()))))?;
    let (from, to) = range(&ScheduleParams { org: None, from: q.from, to: q.to })?;
    let list = state.services.published_schedule(&p, code, from, to).await?;
    let events: Vec<reports::ical::Event> = list.events.iter().map(ical_event).collect();
    let name = format!("Lịch công tác {}", list.org.name);
    let body = reports::ical::write_calendar(&name, &events, state.services.clock().now());
    let ascii: String = list.org.code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"lich-cong-tac-{ascii}.ics\"")),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        body,
    )
        .into_response())
}

/// A schedule event as a timed VEVENT; its UID stays the same across exports and edits, so
/// calendar apps update it in place. Also for the personal calendar feed.
pub fn ical_event(e: &ScheduleEvent) -> reports::ical::Event {
    let mut lines = vec![format!("Đơn vị: {}", e.org.name)];
    if let Some(chair) = e.chair.as_ref().map(|u| u.full_name.clone()).or_else(|| e.chair_text.clone()) {
        lines.push(format!("Chủ trì: {chair}"));
    }
    let mut people: Vec<String> = e.participants.iter().map(|u| u.full_name.clone()).collect();
    if !e.participants_text.is_empty() {
        people.push(e.participants_text.clone());
    }
    if !people.is_empty() {
        lines.push(format!("Thành phần: {}", people.join(", ")));
    }
    if let Some(o) = &e.preparing_org {
        lines.push(format!("Đơn vị chuẩn bị: {}", o.name));
    }
    if !e.notes.is_empty() {
        lines.push(format!("Ghi chú: {}", e.notes));
    }
    if let Some(at) = e.adjusted_at {
        lines.push(format!("Đã điều chỉnh lúc {}", local(at).format("%H:%M %d/%m/%Y")));
    }
    reports::ical::Event {
        uid: format!("schedule-{}@dxgov", e.id),
        summary: e.title.clone(),
        description: Some(lines.join("\n")),
        location: Some(e.place.clone()).filter(|p| !p.is_empty()),
        url: None,
        when: reports::ical::When::Timed { start: e.starts_at, end: e.ends_at },
        categories: vec!["Lịch công tác".into()],
        last_modified: e.updated_at,
        status: Some(reports::ical::EventStatus::Confirmed),
    }
}
