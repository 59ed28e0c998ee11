//! Work schedules (lịch công tác, seed `000_…` III.1.c / III.2.đ): the weekly schedule of a unit
//! and its leaders — events with a time span, place, chair, participants and a preparing unit;
//! drafts that editors publish week by week; and the overlaps that flag a person booked twice.
//!
//! Times are stored in UTC; Vietnam is UTC+7 all year, so local dates and times are derived here
//! and nowhere else. Services in `services/schedule.rs` apply the rules; storage keeps the events.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::UserId;
use crate::work::{OrgRef, UserRef};

pub type ScheduleEventId = i64;

/// Vietnam's offset from UTC, in hours (no daylight saving time).
const VN_OFFSET_HOURS: i64 = 7;

/// A UTC instant as Vietnamese wall-clock time.
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    (t + Duration::hours(VN_OFFSET_HOURS)).naive_utc()
}

/// Vietnamese wall-clock time as a UTC instant.
pub fn from_local(t: NaiveDateTime) -> DateTime<Utc> {
    (t - Duration::hours(VN_OFFSET_HOURS)).and_utc()
}

/// 00:00 of a Vietnamese date, in UTC.
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    from_local(d.and_time(NaiveTime::MIN))
}

/// The Monday of the week holding `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// "Thứ Hai" … "Chủ nhật".
pub fn weekday_label(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// The part of the day a schedule groups an event under, by its local start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub fn of(t: DateTime<Utc>) -> Self {
        match local(t).hour() {
            0..12 => DayPart::Morning,
            12..18 => DayPart::Afternoon,
            _ => DayPart::Evening,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DayPart::Morning => "Sáng",
            DayPart::Afternoon => "Chiều",
            DayPart::Evening => "Tối",
        }
    }
}

/// "08:00" in Vietnamese time.
pub fn hhmm(t: DateTime<Utc>) -> String {
    local(t).format("%H:%M").to_string()
}

/// "08:00–10:30 23/11/2026", or with both dates when the event runs over several days.
pub fn span_label(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let (s, e) = (local(start), local(end));
    if s.date() == e.date() {
        format!("{}–{} {}", s.format("%H:%M"), e.format("%H:%M"), s.format("%d/%m/%Y"))
    } else {
        format!("{} – {}", s.format("%H:%M %d/%m/%Y"), e.format("%H:%M %d/%m/%Y"))
    }
}

/// One event of a unit's schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleEvent {
    pub id: ScheduleEventId,
    /// The unit whose schedule holds the event.
    pub org: OrgRef,
    #[serde(skip)]
    pub org_path: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Nội dung.
    pub title: String,
    /// Địa điểm (empty when not given).
    pub place: String,
    /// Chủ trì, when the chair is a user.
    pub chair: Option<UserRef>,
    /// Chủ trì from outside (a name and title), when the chair is not a user.
    pub chair_text: Option<String>,
    /// Thành phần who are users.
    pub participants: Vec<UserRef>,
    /// Other participants, as written (units, guests).
    pub participants_text: String,
    /// Đơn vị chuẩn bị.
    pub preparing_org: Option<OrgRef>,
    pub notes: String,
    /// Visible to everyone who reads the unit's work (drafts only to its editors).
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    /// Edited after it was published (đã điều chỉnh).
    pub adjusted: bool,
    pub adjusted_at: Option<DateTime<Utc>>,
    /// People booked in another event at an overlapping time. Flagged, never refused.
    pub conflicts: Vec<ScheduleConflict>,
    /// Optimistic-concurrency counter: every save must send the value it loaded.
    pub row_version: i32,
    pub updated_at: DateTime<Utc>,
}

impl ScheduleEvent {
    /// Every user in the event (chair and participants), each once.
    pub fn people(&self) -> Vec<&UserRef> {
        let mut seen = BTreeSet::new();
        self.chair.iter().chain(self.participants.iter()).filter(|u| seen.insert(u.id)).collect()
    }

    pub fn involves(&self, user: UserId) -> bool {
        self.people().iter().any(|u| u.id == user)
    }

    pub fn overlaps(&self, other: &ScheduleEvent) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    /// The Vietnamese date the event starts on.
    pub fn local_date(&self) -> NaiveDate {
        local(self.starts_at).date()
    }
}

/// A person booked in two events at once: who, and the other event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleConflict {
    pub person: UserRef,
    /// The other event; `None` (with its title and unit) when it lies outside what the caller may
    /// see — its time is still given so the clash can be resolved.
    pub event_id: Option<ScheduleEventId>,
    pub title: Option<String>,
    pub org: Option<OrgRef>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl ScheduleConflict {
    /// "Nguyễn Văn A: trùng “Họp giao ban” (08:00–10:00 23/11/2026, Sở KH&CN)".
    pub fn label(&self) -> String {
        let when = span_label(self.starts_at, self.ends_at);
        match (&self.title, &self.org) {
            (Some(t), Some(o)) => format!("{}: trùng \u{201c}{t}\u{201d} ({when}, {})", self.person.full_name, o.name),
            _ => format!("{}: trùng một lịch khác ({when})", self.person.full_name),
        }
    }
}

/// The people `event` shares with an overlapping event of `others`, with that event (an event
/// never conflicts with itself; events that only touch, one ending as the next starts, do not).
pub fn find_conflicts<'a>(event: &ScheduleEvent, others: &'a [ScheduleEvent]) -> Vec<(UserRef, &'a ScheduleEvent)> {
    let mut out = Vec::new();
    for other in others.iter().filter(|o| o.id != event.id && event.overlaps(o)) {
        let theirs = other.people();
        for person in event.people() {
            if theirs.iter().any(|u| u.id == person.id) {
                out.push((person.clone(), other));
            }
        }
    }
    out
}

/// What an event form or API call carries. People by username, units by code, times in UTC
/// (an RFC 3339 time with `+07:00` is converted).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScheduleEventInput {
    /// Code of the unit whose schedule holds the event; required to create, fixed afterwards.
    pub org: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Nội dung.
    pub title: String,
    #[serde(default)]
    pub place: String,
    /// Username of the chair (chủ trì), or
    pub chair: Option<String>,
    /// the chair's name and title when not a user.
    pub chair_text: Option<String>,
    /// Usernames of the participants.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Other participants, as text.
    #[serde(default)]
    pub participants_text: String,
    /// Code of the preparing unit (đơn vị chuẩn bị).
    pub preparing_org: Option<String>,
    #[serde(default)]
    pub notes: String,
}

/// A unit's schedule over a range of days.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleList {
    pub org: OrgRef,
    /// First and last day (Vietnamese dates, inclusive).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The caller edits this schedule (and so also sees its drafts).
    pub may_edit: bool,
    /// Events in the range not yet published (counted for editors only).
    pub drafts: u64,
    /// By start time.
    pub events: Vec<ScheduleEvent>,
}

/// What publishing a week did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedWeek {
    pub org: OrgRef,
    pub week_start: NaiveDate,
    pub week_end: NaiveDate,
    /// Drafts that became visible.
    pub published: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn person(id: i64) -> UserRef {
        UserRef { id, username: format!("u{id}"), full_name: format!("Người {id}") }
    }

    fn event(id: i64, from_h: u32, to_h: u32, chair: Option<i64>, people: &[i64]) -> ScheduleEvent {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap();
        ScheduleEvent {
            id,
            org: OrgRef { id: 1, code: "51".into(), name: "Quảng Ngãi".into() },
            org_path: "/1/".into(),
            starts_at: at(from_h),
            ends_at: at(to_h),
            title: format!("Việc {id}"),
            place: String::new(),
            chair: chair.map(person),
            chair_text: None,
            participants: people.iter().copied().map(person).collect(),
            participants_text: String::new(),
            preparing_org: None,
            notes: String::new(),
            published: false,
            published_at: None,
            adjusted: false,
            adjusted_at: None,
            conflicts: Vec::new(),
            row_version: 1,
            updated_at: at(0),
        }
    }

    #[test]
    fn local_time_is_utc_plus_seven_and_weeks_start_on_monday() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 17, 30, 0).unwrap();
        assert_eq!(local(t).to_string(), "2026-11-23 00:30:00");
        assert_eq!(from_local(local(t)), t);
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(weekday_label(monday), "Thứ Hai");
        assert_eq!(week_start(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()), monday);
        assert_eq!(week_start(monday), monday);
        assert_eq!(day_start(monday), Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap());
        assert_eq!(DayPart::of(Utc.with_ymd_and_hms(2026, 11, 23, 4, 59, 0).unwrap()), DayPart::Morning);
        assert_eq!(DayPart::of(Utc.with_ymd_and_hms(2026, 11, 23, 5, 0, 0).unwrap()), DayPart::Afternoon);
        assert_eq!(DayPart::of(Utc.with_ymd_and_hms(2026, 11, 23, 11, 0, 0).unwrap()), DayPart::Evening);
    }

    #[test]
    fn overlapping_events_that_share_a_person_conflict_touching_ones_do_not() {
        let a = event(1, 1, 3, Some(7), &[8]);
        let overlapping = event(2, 2, 4, None, &[7, 9]);
        let touching = event(3, 3, 4, Some(8), &[]);
        let someone_else = event(4, 1, 3, Some(9), &[]);
        let all = vec![a.clone(), overlapping, touching, someone_else];
        let found = find_conflicts(&a, &all);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0.id, found[0].1.id), (7, 2));
    }

    #[test]
    fn a_person_listed_twice_counts_once() {
        let e = event(1, 1, 2, Some(7), &[7, 8]);
        assert_eq!(e.people().iter().map(|u| u.id).collect::<Vec<_>>(), vec![7, 8]);
    }
}
