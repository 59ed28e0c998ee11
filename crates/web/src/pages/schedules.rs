//! Work schedule pages (lịch công tác): the week of a unit, Monday to Sunday, grouped by day and
//! by morning / afternoon / evening; the event form; publishing a week.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use chrono::{Datelike, Days, NaiveDate, NaiveTime};
use domain::DomainError;
use domain::auth::Principal;
use domain::schedule::{
    DayPart, ScheduleEvent, ScheduleEventInput, from_local, hhmm, local, span_label, week_start, weekday_label,
};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::format;
use crate::pages::{Layout, form_error, unprocessable};
use crate::session::Actor;

pub struct EventRow {
    pub id: i64,
    /// "Sáng", "Chiều", "Tối" on the first event of that part of the day, else empty.
    pub part: &'static str,
    pub time: String,
    pub title: String,
    pub place: String,
    pub chair: String,
    pub participants: String,
    pub preparing: String,
    pub notes: String,
    pub draft: bool,
    pub adjusted: bool,
    pub conflicts: Vec<String>,
    pub editable: bool,
}

pub struct DayView {
    /// "Thứ Hai, 23/11/2026".
    pub label: String,
    pub today: bool,
    pub rows: Vec<EventRow>,
}

fn row(state: &AppState, p: &Principal, e: &ScheduleEvent, day: NaiveDate, part: &'static str) -> EventRow {
    let (start, end) = (local(e.starts_at), local(e.ends_at));
    // An event that started on an earlier day or ends on a later one shows its dates too.
    let time = if start.date() == day && end.date() == day {
        format!("{}–{}", hhmm(e.starts_at), hhmm(e.ends_at))
    } else {
        span_label(e.starts_at, e.ends_at)
    };
    let mut participants: Vec<String> = e.participants.iter().map(|u| u.full_name.clone()).collect();
    if !e.participants_text.is_empty() {
        participants.push(e.participants_text.clone());
    }
    EventRow {
        id: e.id,
        part,
        time,
        title: e.title.clone(),
        place: e.place.clone(),
        chair: e.chair.as_ref().map(|u| u.full_name.clone()).or_else(|| e.chair_text.clone()).unwrap_or_default(),
        participants: participants.join(", "),
        preparing: e.preparing_org.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        notes: e.notes.clone(),
        draft: !e.published,
        adjusted: e.adjusted,
        conflicts: e.conflicts.iter().map(|c| c.label()).collect(),
        editable: state.services.may_edit_schedule_event(p, e),
    }
}

/// The seven days of the week starting `monday`, each with its events by start time.
fn week_days(state: &AppState, p: &Principal, monday: NaiveDate, events: &[ScheduleEvent]) -> Vec<DayView> {
    let today = state.services.clock().today();
    (0..7)
        .map(|i| {
            let day = monday + Days::new(i);
            let mut last_part = None;
            let rows = events
                .iter()
                .filter(|e| e.local_date() == day)
                .map(|e| {
                    let part = DayPart::of(e.starts_at);
                    let shown = if last_part == Some(part) { "" } else { part.label() };
                    last_part = Some(part);
                    row(state, p, e, day, shown)
                })
                .collect();
            DayView { label: format!("{}, {}", weekday_label(day), format::date(day)), today: day == today, rows }
        })
        .collect()
}

fn week_href(org: &str, week: NaiveDate) -> String {
    format!(
        "/schedules?{}",
        serde_urlencoded::to_string([("org", org), ("week", &week.to_string())]).unwrap_or_default()
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "schedules.html")]
struct WeekPage {
    layout: Layout,
    org_code: String,
    org_name: String,
    /// "Tuần 48 (23/11/2026 – 29/11/2026)".
    week_label: String,
    week_value: String,
    week_input: String,
    prev_href: String,
    this_href: String,
    next_href: String,
    new_href: String,
    ics_href: String,
    may_edit: bool,
    drafts: u64,
    days: Vec<DayView>,
    notice: Option<&'static str>,
    /// Conflicts of the event just saved.
    warnings: Vec<String>,
}

#[derive(Deserialize)]
pub struct WeekParams {
    org: Option<String>,
    /// Any day of the week (dd/mm/yyyy or yyyy-mm-dd); default: this week.
    week: Option<String>,
    /// The event just saved, whose conflicts are shown as a warning.
    saved: Option<i64>,
    ok: Option<String>,
}

pub async fn week(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<WeekParams>,
) -> PageResult {
    let day = match q.week.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format::parse_date(s).ok_or_else(|| {
            PageError::from(DomainError::invalid("week", format!("'{s}' không phải ngày dd/mm/yyyy")))
        })?,
        None => state.services.clock().today(),
    };
    let monday = week_start(day);
    let sunday = monday + Days::new(6);
    let list = state.services.list_schedule(&p, q.org.as_deref(), Some(monday), Some(sunday)).await?;
    let code = list.org.code.clone();
    let saved = q.saved.and_then(|id| list.events.iter().find(|e| e.id == id));
    let notice = match (saved, q.ok.as_deref()) {
        (Some(_), _) => Some("Đã lưu lịch."),
        (None, Some("published")) => Some("Đã công bố lịch tuần."),
        (None, Some("deleted")) => Some("Đã xóa lịch."),
        _ => None,
    };
    Ok(WeekPage {
        layout: Layout::new(&state.services, &session, &p, "schedules").await,
        org_name: list.org.name.clone(),
        week_label: format!("Tuần {} ({} – {})", monday.iso_week().week(), format::date(monday), format::date(sunday)),
        week_value: monday.to_string(),
        week_input: format::date(day),
        prev_href: week_href(&code, monday - Days::new(7)),
        this_href: week_href(&code, state.services.clock().today()),
        next_href: week_href(&code, monday + Days::new(7)),
        new_href: format!(
            "/schedules/events/new?{}",
            serde_urlencoded::to_string([("org", code.as_str()), ("date", &monday.to_string())]).unwrap_or_default()
        ),
        ics_href: format!("/api/v1/schedules/{code}.ics?from={monday}&to={sunday}"),
        may_edit: list.may_edit,
        drafts: list.drafts,
        warnings: saved.map(|e| e.conflicts.iter().map(|c| c.label()).collect()).unwrap_or_default(),
        days: week_days(&state, &p, monday, &list.events),
        notice,
        org_code: code,
    }
    .into_response())
}

/// The event form's fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    org: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    /// When the event ends on another day.
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    chair: String,
    #[serde(default)]
    chair_text: String,
    /// Usernames, separated by commas or spaces.
    #[serde(default)]
    participants: String,
    #[serde(default)]
    participants_text: String,
    #[serde(default)]
    preparing_org: String,
    #[serde(default)]
    notes: String,
    row_version: Option<i32>,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl EventForm {
    fn of(e: &ScheduleEvent) -> Self {
        let (start, end) = (local(e.starts_at), local(e.ends_at));
        EventForm {
            org: e.org.code.clone(),
            date: format::date(start.date()),
            start: start.format("%H:%M").to_string(),
            end_date: if end.date() == start.date() { String::new() } else { format::date(end.date()) },
            end: end.format("%H:%M").to_string(),
            title: e.title.clone(),
            place: e.place.clone(),
            chair: e.chair.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
            chair_text: e.chair_text.clone().unwrap_or_default(),
            participants: e.participants.iter().map(|u| u.username.as_str()).collect::<Vec<_>>().join(", "),
            participants_text: e.participants_text.clone(),
            preparing_org: e.preparing_org.as_ref().map(|o| o.code.clone()).unwrap_or_default(),
            notes: e.notes.clone(),
            row_version: Some(e.row_version),
        }
    }

    /// Local date and times to UTC instants; what is wrong names its field.
    fn input(&self) -> Result<ScheduleEventInput, DomainError> {
        let date = |field: &'static str, s: &str| {
            format::parse_date(s).ok_or_else(|| DomainError::invalid(field, "cần ngày dạng dd/mm/yyyy"))
        };
        let time = |field: &'static str, s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| DomainError::invalid(field, "cần giờ dạng HH:MM"))
        };
        let day = date("date", &self.date)?;
        let end_day = if self.end_date.trim().is_empty() { day } else { date("end_date", &self.end_date)? };
        Ok(ScheduleEventInput {
            org: opt(&self.org),
            starts_at: Some(from_local(day.and_time(time("start", &self.start)?))),
            ends_at: Some(from_local(end_day.and_time(time("end", &self.end)?))),
            title: self.title.clone(),
            place: self.place.clone(),
            chair: opt(&self.chair),
            chair_text: opt(&self.chair_text),
            participants: self
                .participants
                .split([',', ';', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            participants_text: self.participants_text.clone(),
            preparing_org: opt(&self.preparing_org),
            notes: self.notes.clone(),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "schedule_event.html")]
struct EventPage {
    layout: Layout,
    heading: &'static str,
    action: String,
    /// Set when editing: the event's id (for the delete form).
    id: Option<i64>,
    org_name: String,
    f: EventForm,
    back_href: String,
    error: Option<String>,
}

impl EventPage {
    fn row_version(&self) -> String {
        self.f.row_version.map(|v| v.to_string()).unwrap_or_default()
    }
}

#[derive(Deserialize)]
pub struct NewParams {
    org: Option<String>,
    date: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Query(q): Query<NewParams>,
) -> PageResult {
    let unit = state.services.schedule_editable_unit(&p, q.org.as_deref()).await?;
    let day = q.date.as_deref().and_then(format::parse_date).unwrap_or_else(|| state.services.clock().today());
    let f = EventForm { org: unit.code.clone(), date: format::date(day), ..Default::default() };
    Ok(EventPage {
        layout: Layout::new(&state.services, &session, &p, "schedules").await,
        heading: "Thêm lịch công tác",
        action: "/schedules/events".into(),
        id: None,
        org_name: unit.name,
        back_href: week_href(&unit.code, day),
        f,
        error: None,
    }
    .into_response())
}

/// The form again, with the reason the save failed (422), or the error page.
async fn refill(
    state: &AppState,
    session: &Session,
    p: &Principal,
    id: Option<i64>,
    f: EventForm,
    e: DomainError,
) -> PageResult {
    let error = Some(form_error(e)?);
    let org_name = state.services.org_by_code(&f.org, None).await.map(|u| u.name).unwrap_or_default();
    let day = format::parse_date(&f.date).unwrap_or_else(|| state.services.clock().today());
    let page = EventPage {
        layout: Layout::new(&state.services, session, p, "schedules").await,
        heading: if id.is_some() { "Sửa lịch công tác" } else { "Thêm lịch công tác" },
        action: id.map(|id| format!("/schedules/events/{id}")).unwrap_or_else(|| "/schedules/events".into()),
        id,
        org_name,
        back_href: week_href(&f.org, day),
        f,
        error,
    };
    Ok(unprocessable(page))
}

fn saved_href(e: &ScheduleEvent) -> String {
    format!("{}&saved={}", week_href(&e.org.code, e.local_date()), e.id)
}

pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Form(f): Form<EventForm>,
) -> PageResult {
    let saved = match f.input() {
        Ok(input) => state.services.create_schedule_event(&p, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(e) => Ok(Redirect::to(&saved_href(&e)).into_response()),
        Err(e) => refill(&state, &session, &p, None, f, e).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
) -> PageResult {
    let e = state.services.schedule_event(&p, id).await?;
    if !state.services.may_edit_schedule_event(&p, &e) {
        return Err(DomainError::Forbidden("sửa lịch công tác của đơn vị này").into());
    }
    Ok(EventPage {
        layout: Layout::new(&state.services, &session, &p, "schedules").await,
        heading: "Sửa lịch công tác",
        action: format!("/schedules/events/{id}"),
        id: Some(id),
        org_name: e.org.name.clone(),
        back_href: week_href(&e.org.code, e.local_date()),
        f: EventForm::of(&e),
        error: None,
    }
    .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<EventForm>,
) -> PageResult {
    let saved = match (f.input(), f.row_version) {
        (Ok(input), Some(v)) => state.services.update_schedule_event(&p, id, v, &input).await,
        (Ok(_), None) => Err(DomainError::invalid("row_version", "thiếu phiên bản đã tải; hãy tải lại trang")),
        (Err(e), _) => Err(e),
    };
    match saved {
        Ok(e) => Ok(Redirect::to(&saved_href(&e)).into_response()),
        Err(e) => refill(&state, &session, &p, Some(id), f, e).await,
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    row_version: Option<i32>,
}

pub async fn delete(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(id): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    let e = state.services.delete_schedule_event(&p, id, f.row_version).await?;
    Ok(Redirect::to(&format!("{}&ok=deleted", week_href(&e.org.code, e.local_date()))).into_response())
}

#[derive(Deserialize)]
pub struct PublishForm {
    week: String,
}

pub async fn publish(
    State(state): State<AppState>,
    Actor(p): Actor,
    Path(code): Path<String>,
    Form(f): Form<PublishForm>,
) -> PageResult {
    let week = format::parse_date(&f.week)
        .ok_or_else(|| PageError::from(DomainError::invalid("week", "cần ngày dạng dd/mm/yyyy")))?;
    let done = state.services.publish_schedule_week(&p, &code, week).await?;
    Ok(Redirect::to(&format!("{}&ok=published", week_href(&done.org.code, done.week_start))).into_response())
}
