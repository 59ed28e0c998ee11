//! The public portal of source information: the national site at `/p` and one per province at
//! `/p/{code}`, listing current bulletins with search (diacritics optional) and categories, an
//! emergency banner while an alert is active, each bulletin at `/p/tin/{id}` with its files,
//! and its social-network package. No account, no script, one small stylesheet: light on 3G.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::bulletins::{Bulletin, Category};
use domain::org::ROOT_CODE;
use domain::services::bulletins::{PortalSite, summary};
use serde::Deserialize;

use crate::AppState;
use crate::error::{PageError, PageResult};
use crate::feeds::site_path;
use crate::format;
use crate::open311::base_url;

struct Item {
    id: i64,
    title: String,
    summary: String,
    category: &'static str,
    emergency: bool,
    published: String,
    expires: String,
}

fn item(b: &Bulletin) -> Item {
    Item {
        id: b.id,
        title: b.title.clone(),
        summary: summary(if b.spoken.is_empty() { &b.body } else { &b.spoken }, 220),
        category: b.category.label(),
        emergency: b.alert.is_some(),
        published: b.published_at.map(format::datetime).unwrap_or_default(),
        expires: b.expires_at.map(format::datetime).unwrap_or_default(),
    }
}

struct Alert {
    id: i64,
    title: String,
    event: String,
    instruction: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal.html")]
struct PortalPage {
    site: PortalSite,
    path: String,
    alerts: Vec<Alert>,
    items: Vec<Item>,
    q: String,
    category: String,
    categories: Vec<(&'static str, &'static str)>,
    sites: Vec<(String, String)>,
    feed: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct PortalQuery {
    pub q: Option<String>,
    #[serde(rename = "chuyen-muc")]
    pub category: Option<String>,
}

/// `GET /p`: the national site.
pub async fn national(state: State<AppState>, q: Query<PortalQuery>) -> PageResult {
    site(state, Path(ROOT_CODE.to_string()), q).await
}

/// `GET /p/{site}`: a province's site (or the national one under its code).
pub async fn site(State(state): State<AppState>, Path(site): Path<String>, Query(q): Query<PortalQuery>) -> PageResult {
    let category = q.category.as_deref().filter(|c| !c.is_empty()).map(Category::parse).transpose()?;
    let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let listing = state.services.portal(&site, category, text).await?;
    let path = site_path(&listing.site.code);
    let feed = match category {
        Some(c) => format!("{path}/feed.atom?chuyen-muc={}", c.as_str()),
        None => format!("{path}/feed.atom"),
    };
    let sites = state.services.portal_sites().await?.iter().map(|s| (site_path(&s.code), s.name.clone())).collect();
    Ok(PortalPage {
        path,
        alerts: listing
            .alerts
            .iter()
            .map(|b| Alert {
                id: b.id,
                title: b.title.clone(),
                event: b.alert.as_ref().map(|a| a.event.clone()).unwrap_or_default(),
                instruction: b.alert.as_ref().map(|a| a.instruction.clone()).unwrap_or_default(),
            })
            .collect(),
        items: listing.bulletins.iter().take(50).map(item).collect(),
        q: text.unwrap_or_default().to_string(),
        category: category.map(|c| c.as_str().to_string()).unwrap_or_default(),
        categories: Category::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
        site: listing.site,
        sites,
        feed,
    }
    .into_response())
}

/// `GET /p/{site}/` → `/p/{site}`.
pub async fn site_slash(Path(site): Path<String>) -> Response {
    Redirect::permanent(&site_path(&site)).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_bulletin.html")]
struct BulletinPage {
    b: Item,
    origin: String,
    paragraphs: Vec<String>,
    spoken: String,
    alert: Option<domain::bulletins::AlertFacts>,
    files: Vec<(i64, String, String)>,
    state_note: Option<String>,
    newer_id: Option<i64>,
}

/// `GET /p/tin/{id}`: a published bulletin (corrected, expired or withdrawn ones say so).
pub async fn bulletin(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let p = state.services.portal_bulletin(id).await?;
    let b = &p.bulletin;
    let state_note = match b.status {
        domain::bulletins::Status::Superseded => Some("Bản tin này đã được đính chính.".to_string()),
        domain::bulletins::Status::Withdrawn => Some("Bản tin này đã bị thu hồi.".to_string()),
        _ if !p.current => Some("Bản tin này đã hết hiệu lực.".to_string()),
        _ => None,
    };
    Ok(BulletinPage {
        b: item(b),
        origin: p.origin_name.clone(),
        paragraphs: b.body.split("\n\n").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        spoken: b.spoken.clone(),
        alert: b.alert.clone(),
        files: p
            .attachments
            .iter()
            .map(|a| {
                (a.id, a.name.clone(), format!("{} KB", format::int(u64::try_from(a.size).unwrap_or(0).div_ceil(1024))))
            })
            .collect(),
        state_note,
        newer_id: p.newer_id,
    }
    .into_response())
}

/// `GET /p/tep/{id}`: a file of a published bulletin.
pub async fn file(State(state): State<AppState>, Path(id): Path<i64>) -> PageResult {
    let (a, bytes) = state.services.bulletin_attachment(None, id).await?;
    Ok(crate::api::work::named_download(&a.name, a.content_type, bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_social.html")]
struct SocialPage {
    id: i64,
    title: String,
    text: String,
}

/// `GET /p/tin/{id}/mang-xa-hoi`: the text and image to post on social networks.
pub async fn social(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    let post = state.services.social_post(id, &base_url(&headers)).await?;
    Ok(SocialPage { id, title: post.title, text: post.text }.into_response())
}

/// `GET /p/tin/{id}/anh.png`: the 1200×630 card to post with it.
pub async fn card(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, PageError> {
    let post = state.services.social_post(id, "").await?;
    let card = documents::SocialCard {
        title: post.title,
        category: post.category.label().to_string(),
        origin: post.origin_name,
        date: post.published_at.map(|t| format::date(domain::clock::vietnam_date(t))).unwrap_or_default(),
        emergency: post.emergency,
        summary: post.summary,
    };
    let png = tokio::task::spawn_blocking(move || documents::social_card_png(&card))
        .await
        .map_err(|e| PageError::from(domain::DomainError::Storage(e.to_string())))?
        .map_err(|e| PageError::from(domain::DomainError::Storage(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=300")], png).into_response())
}
