//! Roles, grants and the one place where authorisation is decided.
//!
//! A role is granted on an org unit and applies to that unit and its subtree only — never to
//! siblings or parents. Handlers never decide access themselves: services ask [`Principal`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::org::{OrgId, OrgUnit};
use crate::users::User;
use crate::{DomainError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    FocalPoint,
    Leader,
    Officer,
    GrassrootsOfficer,
    Trainee,
    Instructor,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::Coordinator,
        Role::FocalPoint,
        Role::Leader,
        Role::Officer,
        Role::GrassrootsOfficer,
        Role::Trainee,
        Role::Instructor,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::FocalPoint => "focal_point",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::GrassrootsOfficer => "grassroots_officer",
            Role::Trainee => "trainee",
            Role::Instructor => "instructor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| DomainError::invalid("role", format!("không có vai trò '{s}'")))
    }

    /// The UI name (DESIGN.md §2).
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị hệ thống",
            Role::Coordinator => "Cơ quan điều phối",
            Role::FocalPoint => "Đầu mối CĐS",
            Role::Leader => "Lãnh đạo",
            Role::Officer => "Chuyên viên",
            Role::GrassrootsOfficer => "Cán bộ TTCS",
            Role::Trainee => "Học viên",
            Role::Instructor => "Giảng viên",
            Role::Auditor => "Thanh tra",
        }
    }

    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Coordinator | Role::Auditor => matches!(
                action,
                ReadUsers | ReadAudit | ReadWork | ReadNational | ReadKpi | ReadRegistry | ReadFeedback | ReadBulletins
            ),
            Role::Leader => matches!(
                action,
                ReadUsers
                    | ReadAudit
                    | ReadWork
                    | EditWork
                    | ApproveWork
                    | DoWork
                    | ReadKpi
                    | ReadRegistry
                    | ReadFeedback
                    | HandleFeedback
                    | ReadBulletins
                    | WriteBulletins
                    | ApproveBulletins
                    | ReceiveBulletins
            ),
            Role::FocalPoint => matches!(
                action,
                ReadUsers
                    | ReadAudit
                    | ManageOrg
                    | ReadWork
                    | EditWork
                    | DoWork
                    | ReadRegistry
                    | EditRegistry
                    | ReadFeedback
                    | HandleFeedback
                    | ManageFeedback
                    | ReadBulletins
                    | WriteBulletins
                    | ReceiveBulletins
            ),
            Role::Officer => {
                matches!(
                    action,
                    ReadWork
                        | DoWork
                        | ReadRegistry
                        | EditRegistry
                        | ReadFeedback
                        | HandleFeedback
                        | ReadBulletins
                        | WriteBulletins
                        | ReceiveBulletins
                )
            }
            Role::GrassrootsOfficer => {
                matches!(action, ReadWork | DoWork | ReadFeedback | HandleFeedback | ReadBulletins | ReceiveBulletins)
            }
            Role::Trainee | Role::Instructor => false,
        }
    }
}

/// What a principal may want to do to something that lives in an org unit's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the users of a unit and their roles.
    ReadUsers,
    /// Create users, grant and revoke roles, reset passwords.
    ManageUsers,
    /// Read the audit entries of writes made in a unit.
    ReadAudit,
    /// Add or edit internal units (phòng, cục, vụ) and edit unit details.
    ManageOrg,
    /// See plans, tasks and schedules of agencies in the subtree.
    ReadWork,
    /// Create and edit plans and their tasks, submit them, assign people, publish schedules.
    EditWork,
    /// Approve or return plans; rate completed tasks (a leader's acts).
    ApproveWork,
    /// Report progress and add evidence on tasks led by a unit in the subtree.
    DoWork,
    /// The national view of frameworks across every agency.
    ReadNational,
    /// See the KPI of people and units in the subtree.
    ReadKpi,
    /// See the registries (information systems, databases, projects) of units in the subtree.
    ReadRegistry,
    /// Add, edit and delete registry entries of units in the subtree.
    EditRegistry,
    /// See citizen feedback handled by, or sent about, units in the subtree (with contacts).
    ReadFeedback,
    /// Triage, receive, answer, transfer, reject, merge and moderate feedback handled there.
    HandleFeedback,
    /// Edit the routing rules of areas in the subtree (categories and settings: on the root).
    ManageFeedback,
    /// See bulletins written in, or sent to, units in the subtree, and their reach.
    ReadBulletins,
    /// Write bulletins of a unit in the subtree, correct them, relay received ones, attach files.
    WriteBulletins,
    /// Approve, publish and withdraw bulletins of a unit in the subtree (a leader's acts).
    ApproveBulletins,
    /// Acknowledge bulletins received by a unit in the subtree, keep its stations and playlists,
    /// record broadcasts.
    ReceiveBulletins,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Grant {
    pub id: i64,
    pub user_id: i64,
    pub role: Role,
    pub org_id: OrgId,
    pub org_code: String,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
}

/// The signed-in user with every role they hold: the subject of every authorisation decision.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// May this principal do `action` to something that lives in `unit`?
    pub fn may(&self, action: Action, unit: &OrgUnit) -> bool {
        self.grants.iter().any(|g| g.role.allows(action) && unit.path.starts_with(&g.org_path))
    }

    pub fn require(&self, action: Action, unit: &OrgUnit) -> Result<()> {
        if self.may(action, unit) { Ok(()) } else { Err(DomainError::Forbidden(action_name(action))) }
    }

    /// The subtree roots (as paths) where `action` is allowed, for scoping list queries.
    pub fn scope_paths(&self, action: Action) -> Vec<String> {
        let mut paths: Vec<String> =
            self.grants.iter().filter(|g| g.role.allows(action)).map(|g| g.org_path.clone()).collect();
        paths.sort();
        // Drop paths already covered by a shorter one.
        let mut kept: Vec<String> = Vec::new();
        for p in paths {
            if !kept.iter().any(|k| p.starts_with(k.as_str())) {
                kept.push(p);
            }
        }
        kept
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Holds a system-wide admin grant (admin on the root).
    pub fn is_root_admin(&self) -> bool {
        self.grants.iter().any(|g| g.role == Role::Admin && g.org_path.matches('/').count() == 2)
    }
}

pub(crate) fn action_name(action: Action) -> &'static str {
    match action {
        Action::ReadUsers => "xem người dùng của đơn vị này",
        Action::ManageUsers => "quản lý người dùng của đơn vị này",
        Action::ReadAudit => "xem nhật ký của đơn vị này",
        Action::ManageOrg => "sửa cơ cấu của đơn vị này",
        Action::ReadWork => "xem kế hoạch, nhiệm vụ của đơn vị này",
        Action::EditWork => "lập, sửa kế hoạch và nhiệm vụ của đơn vị này",
        Action::ApproveWork => "phê duyệt kế hoạch, đánh giá nhiệm vụ của đơn vị này",
        Action::DoWork => "cập nhật tiến độ nhiệm vụ của đơn vị này",
        Action::ReadNational => "xem tổng hợp toàn quốc",
        Action::ReadKpi => "xem KPI của đơn vị này",
        Action::ReadRegistry => "xem danh mục hệ thống thông tin, cơ sở dữ liệu, dự án của đơn vị này",
        Action::EditRegistry => "cập nhật danh mục hệ thống thông tin, cơ sở dữ liệu, dự án của đơn vị này",
        Action::ReadFeedback => "xem phản ánh, kiến nghị của đơn vị này",
        Action::HandleFeedback => "xử lý phản ánh, kiến nghị của đơn vị này",
        Action::ManageFeedback => "cấu hình lĩnh vực, định tuyến phản ánh của đơn vị này",
        Action::ReadBulletins => "xem bản tin của đơn vị này",
        Action::WriteBulletins => "soạn bản tin của đơn vị này",
        Action::ApproveBulletins => "duyệt, phát hành, thu hồi bản tin của đơn vị này",
        Action::ReceiveBulletins => "xác nhận đã nhận, ghi nhận phát bản tin của đơn vị này",
    }
}
