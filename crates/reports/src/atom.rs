//! RFC 4287 Atom feeds: a portal's current bulletins (per site, per category) and an alerting
//! authority's CAP feed, whose entries link to their CAP 1.2 documents
//! (`type="application/cap+xml"`).
//!
//! A writer only: which entries a feed holds (current, not expired, not cancelled) is decided by
//! the caller. Output is deterministic (no clock read): the feed's `updated` is the newest
//! entry's, or the time the caller gives for an empty feed.

use chrono::{DateTime, FixedOffset, SecondsFormat};

use crate::xml::escape;

/// A link of an entry or a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub href: String,
    /// `alternate`, `self`, `related`, …
    pub rel: &'static str,
    /// Media type, e.g. `text/html` or `application/cap+xml`.
    pub media_type: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// A permanent IRI, e.g. `urn:dxgov:bulletin:42:v2` or the entry's page URL.
    pub id: String,
    pub title: String,
    pub updated: DateTime<FixedOffset>,
    pub published: Option<DateTime<FixedOffset>>,
    pub summary: Option<String>,
    /// Category terms with their labels.
    pub categories: Vec<(String, String)>,
    pub links: Vec<Link>,
    /// The publishing agency.
    pub author: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub id: String,
    pub title: String,
    /// The feed's own URL.
    pub self_href: String,
    /// The page the feed mirrors.
    pub alternate_href: Option<String>,
    pub author: String,
    /// Used as `updated` when there is no entry.
    pub empty_updated: DateTime<FixedOffset>,
    pub entries: Vec<Entry>,
}

fn time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn link(out: &mut String, indent: &str, l: &Link) {
    out.push_str(&format!("{indent}<link rel=\"{}\" href=\"{}\"", l.rel, escape(&l.href)));
    if let Some(t) = l.media_type {
        out.push_str(&format!(" type=\"{t}\""));
    }
    out.push_str("/>\n");
}

impl Feed {
    /// The Atom document.
    pub fn to_xml(&self) -> String {
        let updated = self.entries.iter().map(|e| e.updated).max().unwrap_or(self.empty_updated);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
        out.push_str(&format!("  <id>{}</id>\n", escape(&self.id)));
        out.push_str(&format!("  <title>{}</title>\n", escape(&self.title)));
        out.push_str(&format!("  <updated>{}</updated>\n", time(&updated)));
        out.push_str(&format!("  <author><name>{}</name></author>\n", escape(&self.author)));
        link(
            &mut out,
            "  ",
            &Link { href: self.self_href.clone(), rel: "self", media_type: Some("application/atom+xml") },
        );
        if let Some(href) = &self.alternate_href {
            link(&mut out, "  ", &Link { href: href.clone(), rel: "alternate", media_type: Some("text/html") });
        }
        for e in &self.entries {
            out.push_str("  <entry>\n");
            out.push_str(&format!("    <id>{}</id>\n", escape(&e.id)));
            out.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
            out.push_str(&format!("    <updated>{}</updated>\n", time(&e.updated)));
            if let Some(p) = &e.published {
                out.push_str(&format!("    <published>{}</published>\n", time(p)));
            }
            out.push_str(&format!("    <author><name>{}</name></author>\n", escape(&e.author)));
            for (term, label) in &e.categories {
                out.push_str(&format!("    <category term=\"{}\" label=\"{}\"/>\n", escape(term), escape(label)));
            }
            for l in &e.links {
                link(&mut out, "    ", l);
            }
            if let Some(s) = e.summary.as_deref().filter(|s| !s.is_empty()) {
                out.push_str(&format!("    <summary>{}</summary>\n", escape(s)));
            }
            out.push_str("  </entry>\n");
        }
        out.push_str("</feed>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn vn(d: u32, h: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(7 * 3600).unwrap().with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn entry(n: u32) -> Entry {
        Entry {
            id: format!("urn:dxgov:bulletin:{n}:v1"),
            title: format!("Bản tin số {n} <khẩn> & \"mới\""),
            updated: vn(20 + n, 8),
            published: Some(vn(20 + n, 7)),
            summary: Some("Tóm tắt".into()),
            categories: vec![("khan-cap".into(), "Khẩn cấp – thiên tai".into())],
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
            author: "Sở Văn hóa, Thể thao và Du lịch tỉnh Quảng Ngãi".into(),
        }
    }

    fn feed(entries: Vec<Entry>) -> Feed {
        Feed {
            id: "https://dxgov.example.vn/cap/feed.atom".into(),
            title: "Cảnh báo khẩn cấp".into(),
            self_href: "https://dxgov.example.vn/cap/feed.atom".into(),
            alternate_href: Some("https://dxgov.example.vn/".into()),
            author: "Cục Thông tin cơ sở".into(),
            empty_updated: vn(1, 0),
            entries,
        }
    }

    #[test]
    fn the_feed_is_well_formed_escaped_and_dated_by_its_newest_entry() {
        let xml = feed(vec![entry(1), entry(3), entry(2)]).to_xml();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let atom = "http://www.w3.org/2005/Atom";
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some(atom));
        let updated = root.children().find(|n| n.has_tag_name((atom, "updated"))).unwrap().text();
        assert_eq!(updated, Some("2026-11-23T08:00:00+07:00"));
        let titles: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name((atom, "entry")))
            .map(|e| e.children().find(|n| n.has_tag_name((atom, "title"))).unwrap().text().unwrap().to_string())
            .collect();
        assert_eq!(titles[0], "Bản tin số 1 <khẩn> & \"mới\"");
        assert_eq!(titles.len(), 3);
        assert!(
            xml.contains(
                r#"<link rel="related" href="https://dxgov.example.vn/cap/1.xml" type="application/cap+xml"/>"#
            )
        );
    }

    #[test]
    fn an_empty_feed_is_still_a_valid_feed() {
        let xml = feed(Vec::new()).to_xml();
        roxmltree::Document::parse(&xml).unwrap();
        assert!(xml.contains("<updated>2026-11-01T00:00:00+07:00</updated>"), "{xml}");
        assert!(!xml.contains("<entry>"));
    }
}
