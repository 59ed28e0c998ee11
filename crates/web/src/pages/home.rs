//! The home dashboard: real figures of the org structure, users and recent writes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::IntoResponse;
use domain::services::Dashboard;
use tower_sessions::Session;

use crate::AppState;
use crate::error::PageResult;
use crate::format;
use crate::pages::Layout;
use crate::session::Actor;

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
}

impl AuditRow {
    pub fn from(e: &domain::audit::AuditEntry) -> Self {
        AuditRow {
            at: format::datetime(e.at),
            actor: e.actor.clone(),
            action: action_label(&e.action).to_string(),
            entity: format!("{} {}", e.entity, e.entity_id.clone().unwrap_or_default()),
        }
    }
}

pub fn action_label(action: &str) -> &str {
    match action {
        "user.login" => "Đăng nhập",
        "user.logout" => "Đăng xuất",
        "user.locked" => "Tạm khóa tài khoản",
        "user.create" => "Tạo người dùng",
        "user.change_password" => "Đổi mật khẩu",
        "user.reset_password" => "Đặt lại mật khẩu",
        "user.totp_enable" => "Bật xác thực hai bước",
        "user.totp_disable" => "Tắt xác thực hai bước",
        "grant.create" => "Cấp vai trò",
        "grant.delete" => "Thu hồi vai trò",
        "org.create" => "Thêm đơn vị",
        "org.rename" => "Đổi tên đơn vị",
        "org.load_reference" => "Nạp danh mục đơn vị hành chính",
        "token.issue" => "Cấp mã truy cập API",
        other => other,
    }
}

pub struct CountRow {
    pub label: String,
    pub now: String,
    pub before: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    today: String,
    counts: Vec<CountRow>,
    users: String,
    audit: Vec<AuditRow>,
}

pub async fn show(State(state): State<AppState>, session: Session, Actor(p): Actor) -> PageResult {
    let Dashboard { as_of, current_by_type, before_reform_by_type, users, recent_audit } =
        state.services.dashboard(&p).await?;
    let counts = current_by_type
        .iter()
        .zip(before_reform_by_type.iter())
        .map(|(now, before)| CountRow {
            label: now.label.clone(),
            now: format::int(now.count),
            before: format::int(before.count),
        })
        .collect();
    Ok(HomePage {
        layout: Layout::new(&state.services, &session, &p, "home").await,
        today: format::date(as_of),
        counts,
        users: format::int(users),
        audit: recent_audit.iter().map(AuditRow::from).collect(),
    }
    .into_response())
}
