//! An RFC 5545 iCalendar writer for subscribing to deadlines and meetings in a calendar app.
//!
//! Output is deterministic (events in the given order, no clock read) so it can be snapshot
//! tested. Lines end in CRLF and are folded at 75 octets without ever splitting a UTF-8
//! character; TEXT values are escaped (`\\`, `\;`, `\,`, `\n`).

use chrono::{DateTime, Days, NaiveDate, Utc};

/// When an event happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// A whole day (a deadline): `DTSTART;VALUE=DATE` and `DTEND` the next day.
    AllDay(NaiveDate),
    /// A span in UTC. An `end` not after `start` leaves `DTEND` out (a zero-length event).
    Timed { start: DateTime<Utc>, end: DateTime<Utc> },
}

/// `STATUS` of a VEVENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    Tentative,
    Cancelled,
}

impl EventStatus {
    fn as_ical(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// One VEVENT. `uid` must be globally unique and stable across exports (e.g.
/// `task-42@dxgov`) so calendar apps update events instead of duplicating them.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub url: Option<String>,
    pub when: When,
    pub categories: Vec<String>,
    pub last_modified: DateTime<Utc>,
    pub status: Option<EventStatus>,
}

/// The whole `VCALENDAR` named `name`; `stamp` becomes every event's `DTSTAMP` (pass the
/// time of the export, or a fixed time in tests).
pub fn write_calendar(name: &str, events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(256 + events.len() * 400);
    let mut line = |content: &str| push_folded(&mut out, content);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//dxgov//dxgov//VI");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape_text(name)));
    line("X-WR-TIMEZONE:Asia/Ho_Chi_Minh");
    // Vietnam's zone (UTC+7 all year). It also keeps a calendar with no events valid: RFC 5545
    // requires at least one component.
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Ho_Chi_Minh",
        "BEGIN:STANDARD",
        "DTSTART:19750613T000000",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "TZNAME:ICT",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(l);
    }
    for event in events {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape_text(&event.uid)));
        line(&format!("DTSTAMP:{}", utc(stamp)));
        match &event.when {
            When::AllDay(day) => {
                line(&format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
                // The day after; the last representable date has none, and DTEND may be omitted.
                if let Some(next) = day.checked_add_days(Days::new(1)) {
                    line(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
                }
            }
            When::Timed { start, end } => {
                line(&format!("DTSTART:{}", utc(*start)));
                if end > start {
                    line(&format!("DTEND:{}", utc(*end)));
                }
            }
        }
        line(&format!("SUMMARY:{}", escape_text(&event.summary)));
        if let Some(d) = &event.description {
            line(&format!("DESCRIPTION:{}", escape_text(d)));
        }
        if let Some(l) = &event.location {
            line(&format!("LOCATION:{}", escape_text(l)));
        }
        if let Some(u) = &event.url {
            let u: String = u.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
            if !u.is_empty() {
                line(&format!("URL:{u}"));
            }
        }
        let categories: Vec<String> =
            event.categories.iter().filter(|c| !c.trim().is_empty()).map(|c| escape_text(c.trim())).collect();
        if !categories.is_empty() {
            line(&format!("CATEGORIES:{}", categories.join(",")));
        }
        line(&format!("LAST-MODIFIED:{}", utc(event.last_modified)));
        if let Some(s) = event.status {
            line(&format!("STATUS:{}", s.as_ical()));
        }
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 TEXT escaping. Line breaks of any kind become `\n`; other control characters,
/// which TEXT may not hold, are dropped (tab is kept).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `content` as one logical line: folded so no physical line exceeds 75 octets
/// (continuations start with a space, which counts), split only between UTF-8 characters,
/// each physical line ended by CRLF.
fn push_folded(out: &mut String, content: &str) {
    const LIMIT: usize = 75;
    let mut budget = LIMIT;
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > budget {
            out.push_str("\r\n ");
            budget = LIMIT - 1;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "").replace("\r\n\t", "")
    }

    fn events() -> Vec<Event> {
        vec![
            Event {
                uid: "task-42@dxgov".into(),
                summary: "Hạn nộp báo cáo chuyển đổi số quý I; Sở Thông tin và Truyền thông, tỉnh Đắk Lắk".into(),
                description: Some(
                    "Dòng 1: tổng hợp số liệu\nDòng 2: gửi về Bộ\\Văn phòng, trước 17 giờ\r\nỨng dụng VNeID".into(),
                ),
                location: Some("Phòng họp số 3, tầng 2".into()),
                url: Some("https://dxgov.example.vn/tasks/42".into()),
                when: When::AllDay(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()),
                categories: vec!["Báo cáo".into(), "Ưu tiên, cao".into(), " ".into()],
                last_modified: at(2026, 3, 1, 8, 30),
                status: Some(EventStatus::Confirmed),
            },
            Event {
                uid: "meeting-7@dxgov".into(),
                summary: "Họp giao ban".into(),
                description: None,
                location: None,
                url: None,
                when: When::Timed { start: at(2026, 4, 2, 1, 0), end: at(2026, 4, 2, 2, 30) },
                categories: vec![],
                last_modified: at(2026, 3, 2, 0, 0),
                status: Some(EventStatus::Tentative),
            },
        ]
    }

    fn calendar() -> String {
        write_calendar("Nhiệm vụ, Sở TT&TT", &events(), at(2026, 3, 15, 7, 0))
    }

    #[test]
    fn crlf_everywhere_and_no_line_over_75_octets() {
        let cal = calendar();
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains('\n'), "bare LF");
        assert!(!cal.replace("\r\n", "").contains('\r'), "bare CR");
        let lines: Vec<&str> = cal.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with(' ')), "something was folded");
    }

    #[test]
    fn folding_never_splits_utf8_and_unfolding_restores_text() {
        // Multi-byte letters right around the fold point, at every offset.
        for prefix in 0..8 {
            let summary = format!("{}{}", "a".repeat(prefix), "Ưỡng ệ ữ ộ ".repeat(30));
            let mut out = String::new();
            push_folded(&mut out, &format!("SUMMARY:{summary}"));
            for l in out.split("\r\n").filter(|l| !l.is_empty()) {
                assert!(l.len() <= 75);
            }
            assert_eq!(unfold(&out), format!("SUMMARY:{summary}\r\n"));
        }
        let cal = calendar();
        let unfolded = unfold(&cal);
        assert!(unfolded.contains(
            "\r\nSUMMARY:Hạn nộp báo cáo chuyển đổi số quý I\\; Sở Thông tin và Truyền thông\\, tỉnh Đắk Lắk\r\n"
        ));
        assert!(unfolded.contains(
            "\r\nDESCRIPTION:Dòng 1: tổng hợp số liệu\\nDòng 2: gửi về Bộ\\\\Văn phòng\\, trước 17 giờ\\nỨng dụng VNeID\r\n"
        ));
    }

    #[test]
    fn exact_75_octets_is_not_folded_76_is() {
        let mut out = String::new();
        push_folded(&mut out, &"x".repeat(75));
        assert_eq!(out, format!("{}\r\n", "x".repeat(75)));
        out.clear();
        push_folded(&mut out, &"x".repeat(76));
        assert_eq!(out, format!("{}\r\n x\r\n", "x".repeat(75)));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf\rg\u{7}h\ti"), "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti");
    }

    #[test]
    fn full_calendar_snapshot() {
        let expected = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//dxgov//dxgov//VI",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Nhiệm vụ\\, Sở TT&TT",
            "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
            "BEGIN:VTIMEZONE",
            "TZID:Asia/Ho_Chi_Minh",
            "BEGIN:STANDARD",
            "DTSTART:19750613T000000",
            "TZOFFSETFROM:+0700",
            "TZOFFSETTO:+0700",
            "TZNAME:ICT",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "UID:task-42@dxgov",
            "DTSTAMP:20260315T070000Z",
            "DTSTART;VALUE=DATE:20260331",
            "DTEND;VALUE=DATE:20260401",
            "SUMMARY:Hạn nộp báo cáo chuyển đổi số quý I\\; Sở Thông tin và Truyền thông\\, tỉnh Đắk Lắk",
            "DESCRIPTION:Dòng 1: tổng hợp số liệu\\nDòng 2: gửi về Bộ\\\\Văn phòng\\, trước 17 giờ\\nỨng dụng VNeID",
            "LOCATION:Phòng họp số 3\\, tầng 2",
            "URL:https://dxgov.example.vn/tasks/42",
            "CATEGORIES:Báo cáo,Ưu tiên\\, cao",
            "LAST-MODIFIED:20260301T083000Z",
            "STATUS:CONFIRMED",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:meeting-7@dxgov",
            "DTSTAMP:20260315T070000Z",
            "DTSTART:20260402T010000Z",
            "DTEND:20260402T023000Z",
            "SUMMARY:Họp giao ban",
            "LAST-MODIFIED:20260302T000000Z",
            "STATUS:TENTATIVE",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
        .join("\r\n");
        assert_eq!(unfold(&calendar()), expected);
        assert_eq!(calendar(), calendar(), "deterministic");
    }

    #[test]
    fn all_day_end_is_next_day_across_month_and_year() {
        let mut e = events().remove(0);
        e.when = When::AllDay(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        let cal = write_calendar("x", &[e.clone()], at(2026, 1, 1, 0, 0));
        assert!(cal.contains("\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"));
        e.when = When::AllDay(NaiveDate::from_ymd_opt(2028, 2, 28).unwrap());
        let cal = write_calendar("x", &[e], at(2026, 1, 1, 0, 0));
        assert!(cal.contains("DTEND;VALUE=DATE:20280229\r\n"));
    }

    #[test]
    fn timed_event_without_positive_length_has_no_dtend() {
        let mut e = events().remove(1);
        e.when = When::Timed { start: at(2026, 4, 2, 1, 0), end: at(2026, 4, 2, 1, 0) };
        e.status = Some(EventStatus::Cancelled);
        let cal = write_calendar("x", &[e], at(2026, 1, 1, 0, 0));
        assert!(cal.contains("DTSTART:20260402T010000Z\r\n"));
        assert!(!cal.contains("DTEND"));
        assert!(cal.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn empty_calendar_is_valid() {
        let cal = write_calendar("Trống", &[], at(2026, 1, 1, 0, 0));
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        // RFC 5545 wants at least one component: the time zone is always there.
        assert!(cal.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
        assert!(!cal.contains("BEGIN:VEVENT"));
    }
}
