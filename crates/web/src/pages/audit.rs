//! The audit log page (scoped like the API).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::pages::Layout;
use crate::pages::home::AuditRow;
use crate::session::Actor;

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
}

pub async fn index(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let entries = state.services.recent_audit(&p, 200).await?;
    Ok(AuditPage {
        layout: Layout::new(&state.services, &session, &p, "audit").await,
        rows: entries.iter().map(AuditRow::from).collect(),
    }
    .into_response())
}
