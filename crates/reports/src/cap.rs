//! OASIS Common Alerting Protocol 1.2 documents (`urn:oasis:names:tc:emergency:cap:1.2`) for
//! emergency bulletins, and the Atom feed of an alerting authority's current alerts.
//!
//! A writer only: which alerts exist, which fields are required before publishing and which
//! alert an Update or Cancel may reference are the domain's rules. The writer keeps the format's
//! own rules: element order of the schema, `sent` and the other times with an explicit offset
//! (never `Z`), polygons closed with at least four points, escaped text. Output is deterministic
//! (no clock read), so it can be compared byte for byte.

use chrono::{DateTime, FixedOffset};

use crate::xml::escape;

/// `<status>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Actual,
    Exercise,
    System,
    Test,
    Draft,
}

/// `<msgType>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MsgType {
    Alert,
    Update,
    Cancel,
}

/// `<info><category>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Geo,
    Met,
    Safety,
    Security,
    Rescue,
    Fire,
    Health,
    Env,
    Transport,
    Infra,
    Cbrne,
    Other,
}

/// `<urgency>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Immediate,
    Expected,
    Future,
    Past,
    Unknown,
}

/// `<severity>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Extreme,
    Severe,
    Moderate,
    Minor,
    Unknown,
}

/// `<certainty>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    Observed,
    Likely,
    Possible,
    Unlikely,
    Unknown,
}

macro_rules! code_names {
    ($($t:ty { $($v:ident => $s:literal),+ $(,)? })+) => {$(
        impl $t {
            /// The value as CAP spells it.
            pub fn as_cap(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            /// Every value, in the specification's order.
            pub const ALL: &'static [$t] = &[$(Self::$v),+];
            /// Reads a value as CAP spells it.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_cap() == s)
            }
        }
    )+};
}

code_names! {
    Status { Actual => "Actual", Exercise => "Exercise", System => "System", Test => "Test", Draft => "Draft" }
    MsgType { Alert => "Alert", Update => "Update", Cancel => "Cancel" }
    Category {
        Geo => "Geo", Met => "Met", Safety => "Safety", Security => "Security", Rescue => "Rescue",
        Fire => "Fire", Health => "Health", Env => "Env", Transport => "Transport", Infra => "Infra",
        Cbrne => "CBRNE", Other => "Other",
    }
    Urgency { Immediate => "Immediate", Expected => "Expected", Future => "Future", Past => "Past", Unknown => "Unknown" }
    Severity { Extreme => "Extreme", Severe => "Severe", Moderate => "Moderate", Minor => "Minor", Unknown => "Unknown" }
    Certainty {
        Observed => "Observed", Likely => "Likely", Possible => "Possible", Unlikely => "Unlikely", Unknown => "Unknown",
    }
}

/// An earlier message an Update or Cancel refers to (`sender,identifier,sent`).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub sender: String,
    pub identifier: String,
    pub sent: DateTime<FixedOffset>,
}

/// A point in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// `<area>`: a description, and any polygons, circles and geocodes (e.g. administrative unit
/// codes) that say where.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Area {
    pub desc: String,
    /// Each ring as given; the writer closes it (repeats the first point) when it is open.
    pub polygons: Vec<Vec<Point>>,
    /// Centre and radius in kilometres.
    pub circles: Vec<(Point, f64)>,
    /// `(valueName, value)`, e.g. `("MA_DVHC", "21025")`.
    pub geocodes: Vec<(String, String)>,
}

/// `<info>` in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// e.g. `vi-VN`.
    pub language: String,
    pub categories: Vec<Category>,
    pub event: String,
    pub urgency: Urgency,
    pub severity: Severity,
    pub certainty: Certainty,
    pub effective: Option<DateTime<FixedOffset>>,
    pub onset: Option<DateTime<FixedOffset>>,
    pub expires: Option<DateTime<FixedOffset>>,
    pub sender_name: Option<String>,
    pub headline: Option<String>,
    pub description: Option<String>,
    pub instruction: Option<String>,
    pub web: Option<String>,
    pub areas: Vec<Area>,
}

/// One CAP 1.2 message.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub identifier: String,
    pub sender: String,
    pub sent: DateTime<FixedOffset>,
    pub status: Status,
    pub msg_type: MsgType,
    /// Always `Public` here: bulletins are for everyone.
    pub references: Vec<Reference>,
    pub note: Option<String>,
    pub info: Vec<Info>,
}

/// A CAP date-time: `2026-11-23T14:05:00+07:00`; UTC is written `-00:00` as CAP requires.
pub fn cap_time(t: &DateTime<FixedOffset>) -> String {
    let s = t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    match s.strip_suffix("+00:00") {
        Some(head) => format!("{head}-00:00"),
        None => s,
    }
}

/// Characters CAP forbids in `identifier` and `sender`: spaces, commas and markup.
pub fn is_cap_token(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
}

fn element(out: &mut String, indent: &str, name: &str, value: &str) {
    out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(value)));
}

fn optional(out: &mut String, indent: &str, name: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        element(out, indent, name, v);
    }
}

fn point(p: Point) -> String {
    format!("{},{}", round6(p.lat), round6(p.lon))
}

/// Degrees to six decimals (about 10 cm), without trailing zeros.
fn round6(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

impl Alert {
    /// The CAP 1.2 XML document.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
        let i1 = "  ";
        element(&mut out, i1, "identifier", &self.identifier);
        element(&mut out, i1, "sender", &self.sender);
        element(&mut out, i1, "sent", &cap_time(&self.sent));
        element(&mut out, i1, "status", self.status.as_cap());
        element(&mut out, i1, "msgType", self.msg_type.as_cap());
        element(&mut out, i1, "scope", "Public");
        optional(&mut out, i1, "note", self.note.as_deref());
        if !self.references.is_empty() {
            let refs: Vec<String> = self
                .references
                .iter()
                .map(|r| format!("{},{},{}", r.sender, r.identifier, cap_time(&r.sent)))
                .collect();
            element(&mut out, i1, "references", &refs.join(" "));
        }
        for info in &self.info {
            info.write(&mut out);
        }
        out.push_str("</alert>\n");
        out
    }
}

impl Info {
    fn write(&self, out: &mut String) {
        let (i2, i3, i4) = ("    ", "      ", "        ");
        out.push_str("  <info>\n");
        element(out, i2, "language", &self.language);
        for c in &self.categories {
            element(out, i2, "category", c.as_cap());
        }
        element(out, i2, "event", &self.event);
        element(out, i2, "urgency", self.urgency.as_cap());
        element(out, i2, "severity", self.severity.as_cap());
        element(out, i2, "certainty", self.certainty.as_cap());
        for (name, t) in [("effective", &self.effective), ("onset", &self.onset), ("expires", &self.expires)] {
            if let Some(t) = t {
                element(out, i2, name, &cap_time(t));
            }
        }
        optional(out, i2, "senderName", self.sender_name.as_deref());
        optional(out, i2, "headline", self.headline.as_deref());
        optional(out, i2, "description", self.description.as_deref());
        optional(out, i2, "instruction", self.instruction.as_deref());
        optional(out, i2, "web", self.web.as_deref());
        for area in &self.areas {
            out.push_str(&format!("{i2}<area>\n"));
            element(out, i3, "areaDesc", &area.desc);
            for ring in area.polygons.iter().filter(|r| r.len() >= 3) {
                let mut points: Vec<String> = ring.iter().copied().map(point).collect();
                if ring.first() != ring.last() || ring.len() < 4 {
                    points.push(point(ring[0]));
                }
                element(out, i3, "polygon", &points.join(" "));
            }
            for (centre, radius) in &area.circles {
                element(out, i3, "circle", &format!("{} {}", point(*centre), round6(*radius)));
            }
            for (name, value) in &area.geocodes {
                out.push_str(&format!("{i3}<geocode>\n"));
                element(out, i4, "valueName", name);
                element(out, i4, "value", value);
                out.push_str(&format!("{i3}</geocode>\n"));
            }
            out.push_str(&format!("{i2}</area>\n"));
        }
        out.push_str("  </info>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(7 * 3600).unwrap().with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn storm() -> Alert {
        Alert {
            identifier: "dxgov-bt-42-v1".into(),
            sender: "ttcs@dxgov.gov.vn".into(),
            sent: vn(2026, 11, 23, 14, 5),
            status: Status::Actual,
            msg_type: MsgType::Alert,
            references: Vec::new(),
            note: None,
            info: vec![Info {
                language: "vi-VN".into(),
                categories: vec![Category::Met, Category::Safety],
                event: "Bão số 13".into(),
                urgency: Urgency::Immediate,
                severity: Severity::Severe,
                certainty: Certainty::Likely,
                effective: None,
                onset: Some(vn(2026, 11, 24, 6, 0)),
                expires: Some(vn(2026, 11, 26, 18, 0)),
                sender_name: Some("Ban Chỉ huy Phòng thủ dân sự tỉnh Quảng Ngãi".into()),
                headline: Some("Bão số 13 đổ bộ: sơ tán dân ven biển <ngay>".into()),
                description: Some("Gió giật cấp 12 & mưa rất to.".into()),
                instruction: Some("Di chuyển đến nơi trú ẩn an toàn.".into()),
                web: Some("https://dxgov.example.vn/ban-tin/42".into()),
                areas: vec![Area {
                    desc: "Phường Cẩm Thành, tỉnh Quảng Ngãi".into(),
                    polygons: vec![vec![
                        Point { lat: 15.1, lon: 108.7 },
                        Point { lat: 15.2, lon: 108.7 },
                        Point { lat: 15.2, lon: 108.85 },
                    ]],
                    circles: vec![(Point { lat: 15.12, lon: 108.79 }, 5.0)],
                    geocodes: vec![("MA_DVHC".into(), "21025".into())],
                }],
            }],
        }
    }

    #[test]
    fn times_carry_their_offset_and_utc_is_written_minus_zero() {
        assert_eq!(cap_time(&vn(2026, 11, 23, 14, 5)), "2026-11-23T14:05:00+07:00");
        let utc = FixedOffset::east_opt(0).unwrap().with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(cap_time(&utc), "2026-01-02T03:04:05-00:00");
    }

    #[test]
    fn tokens_refuse_spaces_commas_and_markup() {
        assert!(is_cap_token("dxgov-bt-42-v1"));
        for bad in ["", "a b", "a,b", "a<b", "a&b"] {
            assert!(!is_cap_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_document_escapes_text_and_closes_polygons() {
        let xml = storm().to_xml();
        assert!(xml.contains("<headline>Bão số 13 đổ bộ: sơ tán dân ven biển &lt;ngay&gt;</headline>"), "{xml}");
        assert!(xml.contains("Gió giật cấp 12 &amp; mưa rất to."));
        assert!(xml.contains("<polygon>15.1,108.7 15.2,108.7 15.2,108.85 15.1,108.7</polygon>"), "{xml}");
        assert!(xml.contains("<circle>15.12,108.79 5</circle>"));
        assert!(xml.contains("<scope>Public</scope>"));
        assert!(!xml.contains("<references>"));
    }

    #[test]
    fn an_update_lists_what_it_references() {
        let first = storm();
        let mut update = storm();
        update.identifier = "dxgov-bt-42-v2".into();
        update.msg_type = MsgType::Update;
        update.sent = vn(2026, 11, 23, 16, 0);
        update.references =
            vec![Reference { sender: first.sender.clone(), identifier: first.identifier.clone(), sent: first.sent }];
        let xml = update.to_xml();
        assert!(
            xml.contains("<references>ttcs@dxgov.gov.vn,dxgov-bt-42-v1,2026-11-23T14:05:00+07:00</references>"),
            "{xml}"
        );
    }

    /// The independent `oasiscap` crate reads every document back with the values we wrote.
    #[test]
    fn oasiscap_reads_alerts_updates_and_cancels_back() {
        let mut cancel = storm();
        cancel.identifier = "dxgov-bt-42-v3".into();
        cancel.msg_type = MsgType::Cancel;
        cancel.references = vec![Reference {
            sender: cancel.sender.clone(),
            identifier: "dxgov-bt-42-v1".into(),
            sent: vn(2026, 11, 23, 14, 5),
        }];
        for alert in [storm(), cancel] {
            let xml = alert.to_xml();
            let parsed: oasiscap::Alert = xml.parse().unwrap_or_else(|e| panic!("{e}\n{xml}"));
            let oasiscap::Alert::V1dot2(parsed) = parsed else { panic!("not CAP 1.2: {xml}") };
            assert_eq!(parsed.identifier.to_string(), alert.identifier);
            assert_eq!(parsed.references.as_ref().map_or(0, |r| r.len()), alert.references.len());
            let info = &parsed.info[0];
            assert_eq!(info.event, "Bão số 13");
            assert_eq!(info.areas[0].polygons.len(), 1);
            assert_eq!(info.areas[0].circles.len(), 1);
            assert_eq!(info.areas[0].description, "Phường Cẩm Thành, tỉnh Quảng Ngãi");
        }
        // The reader keeps CAP's section-3 rules: the same document with an open polygon is refused.
        let broken = storm().to_xml().replacen(
            "15.1,108.7 15.2,108.7 15.2,108.85 15.1,108.7",
            "15.1,108.7 15.2,108.7 15.2,108.85",
            1,
        );
        assert!(broken.parse::<oasiscap::Alert>().is_err(), "accepted: {broken}");
    }
}
