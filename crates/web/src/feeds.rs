//! Machine-readable source information: the Atom feed of each portal site (and of each of its
//! categories), each alerting authority's CAP feed (`/cap/feed.atom` for the national one,
//! `/cap/{province}/feed.atom`), and every CAP 1.2 message at `/cap/alerts/{identifier}.xml`.
//! Public, cached briefly, built from the portal and CAP services.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use domain::bulletins::{Bulletin, CapMessage, Category, MsgType, vn_offset};
use domain::org::ROOT_CODE;
use domain::services::bulletins::{CapDocument, summary};
use reports::atom::{Entry, Feed, Link};
use reports::cap;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::open311::base_url;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const CAP_XML: &str = "application/cap+xml; charset=utf-8";

fn vn(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&vn_offset())
}

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=30")], body).into_response()
}

/// The portal path of a site: `/p` for the country, `/p/{code}` for a province.
pub fn site_path(code: &str) -> String {
    if code == ROOT_CODE { "/p".into() } else { format!("/p/{code}") }
}

#[derive(Debug, Deserialize)]
pub struct FeedParams {
    /// Category slug, e.g. `khan-cap-thien-tai`.
    #[serde(rename = "chuyen-muc")]
    pub category: Option<String>,
}

/// `GET /p/feed.atom`: the national site's current bulletins.
pub async fn national_feed(
    state: State<AppState>,
    headers: HeaderMap,
    q: Query<FeedParams>,
) -> Result<Response, PageError> {
    site_feed(state, headers, Path(ROOT_CODE.to_string()), q).await
}

/// `GET /p/{site}/feed.atom`: a site's current bulletins, or one category's (`?chuyen-muc=`).
pub async fn site_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(site): Path<String>,
    Query(q): Query<FeedParams>,
) -> Result<Response, PageError> {
    let category = q.category.as_deref().filter(|c| !c.is_empty()).map(Category::parse).transpose()?;
    let listing = state.services.portal(&site, category, None).await?;
    let base = base_url(&headers);
    let page = format!("{base}{}", site_path(&listing.site.code));
    let query = category.map(|c| format!("?chuyen-muc={}", c.as_str())).unwrap_or_default();
    let title = match category {
        Some(c) => format!("{} — {}", listing.site.name, c.label()),
        None => format!("Thông tin cơ sở — {}", listing.site.name),
    };
    let entries = listing
        .bulletins
        .iter()
        .map(|b| Entry {
            id: format!("{base}/p/tin/{}", b.id),
            title: b.title.clone(),
            updated: vn(b.updated_at),
            published: b.published_at.map(vn),
            summary: Some(summary(&b.body, 400)),
            categories: vec![(b.category.as_str().to_string(), b.category.label().to_string())],
            links: vec![Link {
                href: format!("{base}/p/tin/{}", b.id),
                rel: "alternate",
                media_type: Some("text/html"),
            }],
            author: listing.site.name.clone(),
        })
        .collect();
    let feed = Feed {
        id: format!("{page}/feed.atom{query}"),
        title,
        self_href: format!("{page}/feed.atom{query}"),
        alternate_href: Some(format!("{page}{query}")),
        author: listing.site.name.clone(),
        empty_updated: vn(domain::clock::vietnam_midnight(state.services.clock().today())),
        entries,
    };
    Ok(xml(ATOM, feed.to_xml()))
}

/// `GET /cap/feed.atom`: the national alerting authority's current alerts.
pub async fn national_cap_feed(state: State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    cap_feed(state, headers, Path(ROOT_CODE.to_string())).await
}

/// `GET /cap/{authority}/feed.atom`: a province's current alerts. Expired and cancelled alerts
/// are not in it; an updated one is there once, as its latest message.
pub async fn cap_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(authority): Path<String>,
) -> Result<Response, PageError> {
    let site = state.services.portal_site(&authority).await?;
    let docs = state.services.cap_feed(&site.code).await?;
    let base = base_url(&headers);
    let self_href =
        if site.national { format!("{base}/cap/feed.atom") } else { format!("{base}/cap/{}/feed.atom", site.code) };
    let entries = docs
        .iter()
        .map(|d| {
            let href = format!("{base}{}", cap_path(&d.message.identifier));
            Entry {
                id: d.message.identifier.clone(),
                title: d.bulletin.title.clone(),
                updated: vn(d.message.sent),
                published: Some(vn(d.message.sent)),
                summary: d.bulletin.alert.as_ref().map(|a| format!("{} — {}", a.event, a.instruction)),
                categories: vec![(d.message.msg_type.as_str().to_string(), d.message.msg_type.as_str().to_string())],
                links: vec![
                    Link { href: href.clone(), rel: "alternate", media_type: Some("application/cap+xml") },
                    Link {
                        href: format!("{base}/p/tin/{}", d.bulletin.id),
                        rel: "related",
                        media_type: Some("text/html"),
                    },
                ],
                author: d.origin_name.clone(),
            }
        })
        .collect();
    let feed = Feed {
        id: self_href.clone(),
        title: format!("Cảnh báo khẩn cấp — {}", site.name),
        self_href,
        alternate_href: Some(format!("{base}{}", site_path(&site.code))),
        author: site.name.clone(),
        empty_updated: vn(domain::clock::vietnam_midnight(state.services.clock().today())),
        entries,
    };
    Ok(xml(ATOM, feed.to_xml()))
}

/// Where a CAP message is served.
pub fn cap_path(identifier: &str) -> String {
    format!("/cap/alerts/{identifier}.xml")
}

/// `GET /cap/alerts/{identifier}.xml`: one CAP 1.2 message (any type; expired ones too, so
/// references resolve).
pub async fn cap_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let identifier = file.strip_suffix(".xml").unwrap_or(&file);
    let doc = state.services.cap_document(identifier).await?;
    Ok(xml(CAP_XML, cap_alert(&doc, &base_url(&headers)).to_xml()))
}

fn reference(r: &str) -> Option<cap::Reference> {
    let mut parts = r.splitn(3, ',');
    let (sender, identifier, sent) = (parts.next()?, parts.next()?, parts.next()?);
    Some(cap::Reference {
        sender: sender.to_string(),
        identifier: identifier.to_string(),
        sent: DateTime::parse_from_rfc3339(sent).ok()?,
    })
}

fn point(s: &str) -> Option<cap::Point> {
    let (lat, lon) = s.split_once(',')?;
    Some(cap::Point { lat: lat.trim().parse().ok()?, lon: lon.trim().parse().ok()? })
}

/// The CAP message of a bulletin version: `vi-VN` info with the alert's facts; the area named
/// by its target units (their codes as geocodes) with the polygons and circles given.
pub fn cap_alert(d: &CapDocument, base: &str) -> cap::Alert {
    let b: &Bulletin = &d.bulletin;
    let m: &CapMessage = &d.message;
    let msg_type = match m.msg_type {
        MsgType::Alert => cap::MsgType::Alert,
        MsgType::Update => cap::MsgType::Update,
        MsgType::Cancel => cap::MsgType::Cancel,
    };
    let info = b.alert.as_ref().map(|a| {
        let polygons = a.polygons.iter().map(|p| p.split_whitespace().filter_map(point).collect::<Vec<_>>()).collect();
        let circles = a
            .circles
            .iter()
            .filter_map(|c| {
                let (centre, radius) = c.split_once(char::is_whitespace)?;
                Some((point(centre)?, radius.trim().parse().ok()?))
            })
            .collect();
        let desc = d.areas.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ");
        cap::Info {
            language: "vi-VN".into(),
            categories: vec![cap::Category::parse(&a.cap_category).unwrap_or(cap::Category::Other)],
            event: a.event.clone(),
            urgency: cap::Urgency::parse(&a.urgency).unwrap_or(cap::Urgency::Unknown),
            severity: cap::Severity::parse(&a.severity).unwrap_or(cap::Severity::Unknown),
            certainty: cap::Certainty::parse(&a.certainty).unwrap_or(cap::Certainty::Unknown),
            effective: b.published_at.map(vn),
            onset: None,
            expires: b.expires_at.map(vn),
            sender_name: Some(d.origin_name.clone()),
            headline: Some(b.title.clone()),
            description: Some(b.body.clone()),
            instruction: Some(a.instruction.clone()),
            web: Some(format!("{base}/p/tin/{}", b.id)),
            areas: vec![cap::Area {
                desc: if desc.is_empty() { "Việt Nam".into() } else { desc },
                polygons,
                circles,
                geocodes: d.areas.iter().map(|(code, _)| ("MA_DVHC".to_string(), code.clone())).collect(),
            }],
        }
    });
    cap::Alert {
        identifier: m.identifier.clone(),
        sender: m.sender.clone(),
        sent: vn(m.sent),
        status: cap::Status::Actual,
        msg_type,
        references: m.references.iter().filter_map(|r| reference(r)).collect(),
        note: (m.msg_type == MsgType::Cancel).then(|| format!("Thu hồi cảnh báo: {}", b.title)),
        info: info.into_iter().collect(),
    }
}
