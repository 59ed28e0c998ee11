//! The notification centre, the personal calendar address, and the working-day calendar and
//! reminder rules (system admins).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Datelike;
use domain::calendar::{CalendarDay, DayKind};
use domain::notify::ReminderRules;
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::{Layout, form_error, notice, unprocessable};
use crate::session::Actor;

pub struct NoticeRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub at: String,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    rows: Vec<NoticeRow>,
}

pub async fn index(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let items = state.services.notifications(&p, 200).await?;
    Ok(NotificationsPage {
        layout: Layout::new(&state.services, &session, &p, "notifications").await,
        rows: items
            .into_iter()
            .map(|n| NoticeRow {
                id: n.id,
                title: n.title,
                body: n.body,
                link: n.link,
                at: format::datetime(n.created_at),
                read: n.read,
            })
            .collect(),
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct ReadForm {
    id: Option<i64>,
}

pub async fn mark_read(State(state): State<AppState>, Actor(p): Actor, Form(f): Form<ReadForm>) -> PageResult {
    state.services.mark_read(&p, f.id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar_feed.html")]
struct FeedPage {
    layout: Layout,
    url: String,
}

/// Creates a new secret calendar address and shows it once.
pub async fn rotate_feed(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    headers: axum::http::HeaderMap,
) -> PageResult {
    let secret = state.services.rotate_calendar_feed(&p).await?;
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if state.config.cookie_secure { "https" } else { "http" };
    Ok(FeedPage {
        layout: Layout::new(&state.services, &session, &p, "account").await,
        url: format!("{scheme}://{host}/api/v1/calendar/{secret}.ics"),
    }
    .into_response())
}

pub struct DayRow {
    pub date: String,
    pub iso: String,
    pub weekday: &'static str,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings_calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    working_days: i64,
    days: Vec<DayRow>,
    can_edit: bool,
    rules_before: String,
    rules_daily: bool,
    rules_escalate: u32,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct CalendarParams {
    year: Option<i32>,
    ok: Option<String>,
}

fn weekday(d: chrono::NaiveDate) -> &'static str {
    ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
        [d.weekday().num_days_from_monday() as usize]
}

async fn calendar_page(
    state: &AppState,
    session: &Session,
    p: &domain::auth::Principal,
    year: i32,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<CalendarPage, crate::error::PageError> {
    let cal = state.services.work_calendar().await?;
    let rules = state.services.reminder_rules().await?;
    let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    Ok(CalendarPage {
        layout: Layout::new(&state.services, session, p, "calendar").await,
        year,
        working_days: cal.working_days_between(first.pred_opt().unwrap_or(first), last),
        days: cal
            .days_in_year(year)
            .into_iter()
            .map(|d| DayRow {
                date: format::date(d.date),
                iso: d.date.to_string(),
                weekday: weekday(d.date),
                kind: d.kind.label(),
                name: d.name.clone(),
            })
            .collect(),
        can_edit: p.is_root_admin(),
        rules_before: rules.before.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
        rules_daily: rules.overdue_daily,
        rules_escalate: rules.escalate_after,
        notice,
        error,
    })
}

pub async fn calendar(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<CalendarParams>,
) -> PageResult {
    let year = q.year.unwrap_or_else(|| state.services.clock().today().year()).clamp(2000, 2100);
    Ok(calendar_page(&state, &session, &p, year, notice(q.ok.as_deref()), None).await?.into_response())
}

#[derive(Deserialize)]
pub struct DayForm {
    date: String,
    kind: Option<String>,
    name: Option<String>,
}

/// The calendar page again with the error, or back to the year's calendar.
async fn after_calendar_write(
    state: &AppState,
    session: &Session,
    p: &domain::auth::Principal,
    year: i32,
    result: domain::Result<()>,
    ok: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/settings/calendar?year={year}&ok={ok}")).into_response()),
        Err(e) => {
            let error = form_error(e)?;
            Ok(unprocessable(calendar_page(state, session, p, year, None, Some(error)).await?))
        }
    }
}

pub async fn put_day(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<DayForm>,
) -> PageResult {
    let this_year = state.services.clock().today().year();
    let result = match format::parse_date(&f.date) {
        None => Err(domain::DomainError::invalid("date", "cần ngày dạng dd/mm/yyyy")),
        Some(date) => match f.kind.as_deref().and_then(DayKind::parse) {
            None => Err(domain::DomainError::invalid("kind", "chọn loại ngày")),
            Some(kind) => {
                let day = CalendarDay { date, kind, name: f.name.clone().unwrap_or_default() };
                state.services.set_calendar_day(&p, day).await
            }
        },
    };
    let year = format::parse_date(&f.date).map(|d| d.year()).unwrap_or(this_year);
    after_calendar_write(&state, &session, &p, year, result, "day").await
}

pub async fn delete_day(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<DayForm>,
) -> PageResult {
    let date = format::parse_date(&f.date);
    let result = match date {
        Some(d) => state.services.delete_calendar_day(&p, d).await,
        None => Err(domain::DomainError::invalid("date", "cần ngày dạng dd/mm/yyyy")),
    };
    let year = date.map(|d| d.year()).unwrap_or_else(|| state.services.clock().today().year());
    after_calendar_write(&state, &session, &p, year, result, "day").await
}

#[derive(Deserialize)]
pub struct RulesForm {
    before: String,
    overdue_daily: Option<String>,
    escalate_after: String,
}

pub async fn set_rules(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<RulesForm>,
) -> PageResult {
    let result = async {
        let rules = ReminderRules {
            before: ReminderRules::parse_days(&f.before)?,
            overdue_daily: f.overdue_daily.is_some(),
            escalate_after: f
                .escalate_after
                .trim()
                .parse()
                .map_err(|_| domain::DomainError::invalid("escalate_after", "cần một số ngày"))?,
        };
        state.services.set_reminder_rules(&p, rules).await.map(|_| ())
    }
    .await;
    let year = state.services.clock().today().year();
    after_calendar_write(&state, &session, &p, year, result, "rules").await
}
