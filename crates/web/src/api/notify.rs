//! Notifications, the working-day calendar, reminder rules and the personal iCalendar feed.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::calendar::{CalendarDay, DayKind};
use domain::notify::{Notification, ReminderRules};
use domain::work::Task;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, EdgeError};
use crate::session::Actor;

#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    pub unread: u64,
    pub items: Vec<Notification>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = Inbox)))]
pub async fn inbox(State(state): State<AppState>, Actor(p): Actor) -> ApiResult<Inbox> {
    Ok(Json(Inbox {
        unread: state.services.unread_notifications(&p).await?,
        items: state.services.notifications(&p, 100).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkRead {
    /// One notification; all of the caller's when absent.
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Mark one notification, or all, as read.
#[utoipa::path(post, path = "/api/v1/notifications/read", request_body = MarkRead, responses((status = 200, body = Marked)))]
pub async fn mark_read(State(state): State<AppState>, Actor(p): Actor, Json(m): Json<MarkRead>) -> ApiResult<Marked> {
    Ok(Json(Marked { marked: state.services.mark_read(&p, m.id).await? }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedAddress {
    /// The secret address of the caller's iCalendar feed; shown once, rotate to replace it.
    pub url: String,
}

/// Create or rotate the caller's secret iCalendar address (the old one stops working).
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", responses((status = 200, body = FeedAddress)))]
pub async fn rotate_feed(State(state): State<AppState>, Actor(p): Actor) -> ApiResult<FeedAddress> {
    let secret = state.services.rotate_calendar_feed(&p).await?;
    Ok(Json(FeedAddress { url: format!("/api/v1/calendar/{secret}.ics") }))
}

/// A personal iCalendar feed: deadlines of the tasks assigned to the owner of the secret and the
/// published schedule events they chair or attend.
#[utoipa::path(get, path = "/api/v1/calendar/{file}", params(("file" = String, Path, description = "secret + \".ics\"")),
    security(()), responses((status = 200, content_type = "text/calendar"), (status = 404, body = crate::error::Problem)))]
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let secret = file.strip_suffix(".ics").unwrap_or("");
    if secret.is_empty() || secret.len() > 200 {
        return Err(ApiError(EdgeError::Domain(domain::DomainError::not_found("lịch", "…"))));
    }
    let feed = state.services.calendar_feed(secret).await?;
    let mut events: Vec<reports::ical::Event> = feed.tasks.iter().map(task_event).collect();
    events.extend(feed.events.iter().map(crate::api::schedule::ical_event));
    let name = format!("Lịch của {}", feed.user.full_name);
    let body = reports::ical::write_calendar(&name, &events, state.services.clock().now());
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")],
        body,
    )
        .into_response())
}

/// A task's deadline as an all-day event.
fn task_event(t: &Task) -> reports::ical::Event {
    reports::ical::Event {
        uid: format!("task-{}@dxgov", t.id),
        summary: format!("Hạn: {}", t.title),
        description: Some(format!(
            "Kế hoạch: {}\nĐơn vị chủ trì: {}\nTrạng thái: {} ({}%)",
            t.plan_title, t.lead.name, t.status_label, t.progress
        )),
        location: None,
        url: Some(format!("/tasks/{}", t.id)),
        when: reports::ical::When::AllDay(t.deadline),
        categories: vec!["Nhiệm vụ".into(), t.status_label.into()],
        last_modified: t.updated_at,
        status: Some(if t.state == domain::work::TaskState::Cancelled {
            reports::ical::EventStatus::Cancelled
        } else {
            reports::ical::EventStatus::Confirmed
        }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    pub year: Option<i32>,
}

/// Holidays, compensatory days off and make-up working days of a year.
#[utoipa::path(get, path = "/api/v1/calendar-days", params(YearParam), responses((status = 200, body = Vec<CalendarDay>)))]
pub async fn calendar_days(
    State(state): State<AppState>,
    Actor(_p): Actor,
    Query(q): Query<YearParam>,
) -> ApiResult<Vec<CalendarDay>> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&state.services.clock().today()));
    let cal = state.services.work_calendar().await?;
    Ok(Json(cal.days_in_year(year).into_iter().cloned().collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DayInput {
    pub kind: DayKind,
    pub name: String,
}

fn parse_day(date: &str) -> Result<NaiveDate, ApiError> {
    crate::format::parse_date(date).ok_or_else(|| {
        ApiError(EdgeError::BadRequest {
            field: "date", message: "cần ngày dạng yyyy-mm-dd hoặc dd/mm/yyyy".into()
        })
    })
}

/// Set what a date is (system admins).
#[utoipa::path(put, path = "/api/v1/calendar-days/{date}", params(("date" = String, Path)), request_body = DayInput,
    responses((status = 200, body = CalendarDay), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_day(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(date): Path<String>,
    Json(d): Json<DayInput>,
) -> ApiResult<CalendarDay> {
    let day = CalendarDay { date: parse_day(&date)?, kind: d.kind, name: d.name };
    state.services.set_calendar_day(&p, day.clone()).await?;
    Ok(Json(day))
}

/// Remove a date from the calendar (it becomes an ordinary day).
#[utoipa::path(delete, path = "/api/v1/calendar-days/{date}", params(("date" = String, Path)),
    responses((status = 200, body = Marked), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_day(State(state): State<AppState>, Actor(p): Actor, Path(date): Path<String>) -> ApiResult<Marked> {
    state.services.delete_calendar_day(&p, parse_day(&date)?).await?;
    Ok(Json(Marked { marked: 1 }))
}

/// When reminders go out.
#[utoipa::path(get, path = "/api/v1/settings/reminder-rules", responses((status = 200, body = ReminderRules)))]
pub async fn reminder_rules(State(state): State<AppState>, Actor(_p): Actor) -> ApiResult<ReminderRules> {
    Ok(Json(state.services.reminder_rules().await?))
}

/// Change when reminders go out (system admins).
#[utoipa::path(put, path = "/api/v1/settings/reminder-rules", request_body = ReminderRules,
    responses((status = 200, body = ReminderRules), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_reminder_rules(
    State(state): State<AppState>,
    Actor(p): Actor,
    Json(r): Json<ReminderRules>,
) -> ApiResult<ReminderRules> {
    Ok(Json(state.services.set_reminder_rules(&p, r).await?))
}
