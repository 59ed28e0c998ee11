//! Use cases. Pages, API handlers, jobs and the CLI call these and nothing below them.
//! Each takes the acting [`Principal`] where access matters and checks it here.

pub mod bulletins;
pub mod dashboards;
pub mod feedback;
pub mod feedback_analytics;
pub mod import;
pub mod indicator_entry;
pub mod indicators;
pub mod kpi;
pub mod notify;
pub mod registries;
pub mod reporting;
pub mod schedule;
pub mod work;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{AuditDraft, AuditEntry, ChainBreak};
use crate::auth::{Action, Grant, Principal, Role};
use crate::clock::Clock;
use crate::org::{
    NewOrgUnit, OrgCode, OrgId, OrgQuery, OrgType, OrgUnit, Page, ROOT_CODE, ReferenceSuccession, ReferenceUnit,
};
use crate::repo::{NewUserRecord, Store, UserQuery};
use crate::users::{self, MAX_FAILED_LOGINS, User, UserId, Username};
use crate::{DomainError, Result};

#[derive(Clone)]
pub struct Services {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Plan templates shipped as reference data.
    templates: Arc<Vec<crate::frameworks::PlanTemplate>>,
    /// The feedback classifier in use (loaded on first use).
    classifier: Arc<feedback::ClassifierCell>,
    /// What feedback intake reads for every report, kept for a few seconds.
    intake_refs: Arc<feedback::IntakeRefsCell>,
    /// Portal listings and view counts kept in memory.
    portal: Arc<bulletins::PortalCell>,
}

/// One org unit with what its page shows around it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    pub unit: OrgUnit,
    /// Root first.
    pub ancestors: Vec<OrgUnit>,
    /// Children valid on the requested date.
    pub children: Vec<OrgUnit>,
    pub children_total: u64,
    /// Every unit that took over from this one, transitively (a split commune has several).
    pub successors: Vec<OrgUnit>,
    /// Units of the same level this one took over from directly.
    pub predecessors: Vec<OrgUnit>,
}

/// The home dashboard's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    /// Units valid today, by type.
    pub current_by_type: Vec<TypeCount>,
    /// Units valid on 30/06/2025, the last day of the old structure.
    pub before_reform_by_type: Vec<TypeCount>,
    /// Users the caller may see.
    pub users: u64,
    pub recent_audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub org_type: OrgType,
    pub label: String,
    pub count: u64,
}

/// What an admin fills in to create an account.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub org_code: String,
    /// An initial role on the user's own unit.
    pub role: Option<String>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            templates: Arc::new(Vec::new()),
            classifier: Arc::default(),
            intake_refs: Arc::default(),
            portal: Arc::default(),
        }
    }

    pub fn with_templates(mut self, templates: Vec<crate::frameworks::PlanTemplate>) -> Self {
        self.templates = Arc::new(templates);
        self
    }

    /// The same services acting at another time: demo data of past weeks, benchmarks.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self.clone() }
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn backend_name(&self) -> &'static str {
        self.store.backend_name()
    }

    pub async fn ready(&self) -> Result<()> {
        self.store.ping().await
    }

    fn draft(&self, actor: Option<&User>, action: &str, entity: &'static str) -> AuditDraft {
        AuditDraft {
            at: self.clock.now(),
            actor_id: actor.map(|u| u.id),
            actor: actor.map(|u| u.username.clone()).unwrap_or_else(|| "system".into()),
            action: action.into(),
            entity,
            entity_id: None,
            org_id: None,
            before: None,
            after: None,
        }
    }

    /// A national setting stored as JSON under `key`, or its default when never set (or unreadable).
    pub(crate) async fn setting<T: serde::de::DeserializeOwned + Default>(&self, key: &str) -> Result<T> {
        Ok(match self.store.setting_get(key).await? {
            Some(v) => serde_json::from_value(v).unwrap_or_default(),
            None => T::default(),
        })
    }

    /// Stores a national setting (system admins only), audited as `action`.
    pub(crate) async fn put_setting<T: Serialize>(
        &self,
        actor: &Principal,
        key: &str,
        value: &T,
        action: &str,
        what: &'static str,
    ) -> Result<()> {
        if !actor.is_root_admin() {
            return Err(DomainError::Forbidden(what));
        }
        let value = serde_json::to_value(value).map_err(|e| DomainError::Storage(e.to_string()))?;
        let mut audit = self.draft(Some(&actor.user), action, "setting");
        audit.after = Some(value.clone());
        self.store.setting_put(key, &value, self.clock.now(), audit).await?;
        self.forget_intake_refs();
        Ok(())
    }

    // ----- org units -------------------------------------------------------------------------

    /// The org directory (names, codes, structure) is reference data every signed-in user reads;
    /// what lives in a unit (its users, its audit trail) is scoped.
    pub async fn list_orgs(&self, query: &OrgQuery) -> Result<Page<OrgUnit>> {
        let mut q = query.clone();
        q.limit = q.limit.clamp(1, 500);
        q.q = q.q.as_deref().map(textvi::fold).filter(|s| !s.is_empty());
        self.store.org_list(&q).await
    }

    /// The unit that carries `code` on `as_of` (default today); when none is valid then, the most
    /// recent one that carried it, so old codes still resolve and show their successors.
    pub async fn org_by_code(&self, code: &str, as_of: Option<NaiveDate>) -> Result<OrgUnit> {
        let day = as_of.unwrap_or_else(|| self.clock.today());
        let units = self.units_with_code(code).await?;
        unit_on(&units, day).cloned().ok_or_else(|| DomainError::not_found("đơn vị", code))
    }

    /// Every unit that has borne `code` (old and new structures), for callers that pick the one
    /// valid on several days with [`unit_on`].
    pub(crate) async fn units_with_code(&self, code: &str) -> Result<Vec<OrgUnit>> {
        let normalized = OrgCode::parse(code).map_err(|_| DomainError::not_found("đơn vị", code))?;
        self.store.org_with_code(normalized.as_str()).await
    }

    pub async fn org_detail(&self, code: &str, as_of: Option<NaiveDate>) -> Result<OrgDetail> {
        let unit = self.org_by_code(code, as_of).await?;
        let day = as_of.unwrap_or_else(|| self.clock.today());
        let child_day = if unit.is_valid_on(day) { Some(day) } else { unit.valid_to };
        let ancestors = self.ancestors(&unit).await?;
        let children = self
            .store
            .org_list(&OrgQuery { parent_id: Some(unit.id), as_of: child_day, limit: 500, ..Default::default() })
            .await?;
        let successors = self.successors(unit.id).await?;
        // Predecessors at the unit's own level: a new province was formed from old provinces
        // (the old districts that also point at it are listed on their own pages).
        let predecessors = self
            .store
            .org_many(&self.store.org_predecessor_ids(unit.id).await?)
            .await?
            .into_iter()
            .filter(|p| p.org_type == unit.org_type)
            .collect();
        Ok(OrgDetail {
            unit,
            ancestors,
            children_total: children.total,
            children: children.items,
            successors,
            predecessors,
        })
    }

    /// A unit by id (any date).
    pub async fn org_unit(&self, id: OrgId) -> Result<OrgUnit> {
        self.store.org_get(id).await?.ok_or_else(|| DomainError::not_found("đơn vị", id.to_string()))
    }

    pub async fn ancestors(&self, unit: &OrgUnit) -> Result<Vec<OrgUnit>> {
        let ids = unit.ancestor_ids();
        let mut found: HashMap<OrgId, OrgUnit> =
            self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Every unit that took over from `id`, following links transitively (A → B → C gives B, C).
    pub async fn successors(&self, id: OrgId) -> Result<Vec<OrgUnit>> {
        let mut seen: BTreeSet<OrgId> = BTreeSet::new();
        let mut frontier = vec![id];
        while !frontier.is_empty() {
            let links = self.store.org_successor_links(&frontier).await?;
            frontier = links.into_iter().map(|(_, new)| new).filter(|n| *n != id && seen.insert(*n)).collect();
        }
        let ids: Vec<OrgId> = seen.into_iter().collect();
        self.store.org_many(&ids).await
    }

    /// The whole subtree under `unit` as it stood on `as_of` (every unit ever when `None`).
    pub async fn subtree(&self, unit: &OrgUnit, as_of: Option<NaiveDate>) -> Result<Vec<OrgUnit>> {
        let page = self
            .store
            .org_list(&OrgQuery {
                within_paths: Some(vec![unit.path.clone()]),
                as_of,
                limit: u64::MAX >> 1,
                ..Default::default()
            })
            .await?;
        Ok(page.items)
    }

    pub async fn root(&self) -> Result<OrgUnit> {
        self.org_by_code(ROOT_CODE, None).await
    }

    pub async fn count_by_type(&self, as_of: Option<NaiveDate>) -> Result<Vec<TypeCount>> {
        let counts: HashMap<OrgType, u64> = self.store.org_count_by_type(as_of).await?.into_iter().collect();
        Ok(OrgType::ALL
            .into_iter()
            .map(|t| TypeCount { org_type: t, label: t.label().into(), count: counts.get(&t).copied().unwrap_or(0) })
            .collect())
    }

    /// Adds an internal unit (phòng, cục, vụ …) under any unit the principal may manage.
    pub async fn create_internal_unit(
        &self,
        actor: &Principal,
        parent_code: &str,
        code: &str,
        name: &str,
    ) -> Result<OrgUnit> {
        let parent = self.org_by_code(parent_code, None).await?;
        actor.require(Action::ManageOrg, &parent)?;
        let code = OrgCode::parse(code)?;
        let name = parse_name(name)?;
        let today = self.clock.today();
        if self.store.org_with_code(code.as_str()).await?.iter().any(|u| u.is_valid_on(today)) {
            return Err(DomainError::Conflict(format!("mã đơn vị '{}' đã được dùng", code.as_str())));
        }
        let unit = NewOrgUnit {
            code,
            name,
            org_type: OrgType::Internal,
            parent_id: Some(parent.id),
            valid_from: Some(today),
            valid_to: None,
        };
        let mut audit = self.draft(Some(&actor.user), "org.create", "org_unit");
        audit.org_id = Some(parent.id);
        audit.after = Some(serde_json::to_value(&unit).unwrap_or_default());
        self.store.org_insert(&unit, audit).await
    }

    pub async fn rename_org(&self, actor: &Principal, code: &str, name: &str) -> Result<OrgUnit> {
        let unit = self.org_by_code(code, None).await?;
        // Renaming official units is a system-admin act; internal units belong to their parent's managers.
        let allowed = if unit.org_type == OrgType::Internal {
            actor.may(Action::ManageOrg, &unit)
        } else {
            actor.is_root_admin()
        };
        if !allowed {
            return Err(DomainError::Forbidden("đổi tên đơn vị này"));
        }
        let name = parse_name(name)?;
        let mut audit = self.draft(Some(&actor.user), "org.rename", "org_unit");
        audit.entity_id = Some(unit.id.to_string());
        audit.org_id = Some(unit.id);
        audit.before = Some(json!({ "name": unit.name }));
        audit.after = Some(json!({ "name": name }));
        self.store.org_rename(unit.id, &name, audit).await
    }

    /// Loads shipped reference data once; returns how many units it added (0 when already there).
    pub async fn load_reference(
        &self,
        root_name: &str,
        units: &[ReferenceUnit],
        successions: &[ReferenceSuccession],
    ) -> Result<u64> {
        if self.store.org_total().await? > 0 {
            return Ok(0);
        }
        let root = NewOrgUnit {
            code: OrgCode::parse(ROOT_CODE)?,
            name: root_name.into(),
            org_type: OrgType::Agency,
            parent_id: None,
            valid_from: None,
            valid_to: None,
        };
        self.store.org_insert(&root, self.draft(None, "org.create", "org_unit")).await?;
        let mut audit = self.draft(None, "org.load_reference", "org_unit");
        audit.after = Some(json!({ "units": units.len(), "successions": successions.len() }));
        Ok(1 + self.store.org_load_reference(units, successions, audit).await?)
    }

    pub async fn dashboard(&self, actor: &Principal) -> Result<Dashboard> {
        let today = self.clock.today();
        let before = crate::org::reform_2025().pred_opt().unwrap_or(today);
        let audit_scope = actor.scope_paths(Action::ReadAudit);
        let recent_audit =
            if audit_scope.is_empty() { Vec::new() } else { self.store.audit_recent(Some(&audit_scope), 10).await? };
        Ok(Dashboard {
            as_of: today,
            current_by_type: self.count_by_type(Some(today)).await?,
            before_reform_by_type: self.count_by_type(Some(before)).await?,
            users: {
                let within_paths = actor.scope_paths(Action::ReadUsers);
                if within_paths.is_empty() {
                    0
                } else {
                    self.store.user_list(&UserQuery { within_paths, limit: 1, ..Default::default() }).await?.total
                }
            },
            recent_audit,
        })
    }

    // ----- accounts --------------------------------------------------------------------------

    /// Checks a password (and TOTP code when enabled). Every failure — unknown user, wrong
    /// password, wrong code, locked or inactive account — looks the same to the caller.
    pub async fn login(&self, username: &str, password: &str, totp_code: Option<&str>) -> Result<Principal> {
        let now = self.clock.now();
        let Some(user) = self.store.user_by_username(&username.trim().to_ascii_lowercase()).await? else {
            users::verify_password(password.into(), decoy_hash().await).await;
            return Err(DomainError::Unauthenticated);
        };
        if let Some(until) = user.locked_until.filter(|until| *until > now) {
            // Same cost as a real check, so timing does not tell a locked account apart.
            users::verify_password(password.into(), decoy_hash().await).await;
            return Err(DomainError::Locked { until });
        }
        let password_ok = users::verify_password(password.into(), user.password_hash.clone()).await;
        // With TOTP on, the code must be valid and of a later step than the last one used.
        let totp_step = match (&user.totp_secret, user.totp_enabled) {
            (Some(secret), true) => totp_code
                .and_then(|c| users::totp::check(secret, &user.username, c, now.timestamp().max(0) as u64))
                .filter(|step| user.totp_last_step.is_none_or(|last| *step > last))
                .map(Some),
            _ => Some(None),
        };
        let totp_ok = totp_step.is_some();
        if !(password_ok && totp_ok && user.active) {
            let failed = user.failed_logins + 1;
            if failed >= MAX_FAILED_LOGINS {
                let until = now + users::lockout_duration();
                let mut audit = self.draft(Some(&user), "user.locked", "user");
                audit.entity_id = Some(user.id.to_string());
                audit.org_id = Some(user.org_id);
                self.store.user_set_login_state(user.id, 0, Some(until), None, Some(audit)).await?;
            } else {
                self.store.user_set_login_state(user.id, failed, None, None, None).await?;
            }
            return Err(DomainError::Unauthenticated);
        }
        let mut audit = self.draft(Some(&user), "user.login", "user");
        audit.entity_id = Some(user.id.to_string());
        audit.org_id = Some(user.org_id);
        self.store.user_set_login_state(user.id, 0, None, totp_step.flatten(), Some(audit)).await?;
        self.principal(user.id).await
    }

    pub async fn logout(&self, actor: &Principal) -> Result<()> {
        let mut audit = self.draft(Some(&actor.user), "user.logout", "user");
        audit.entity_id = Some(actor.user.id.to_string());
        audit.org_id = Some(actor.user.org_id);
        self.store.audit_append(audit).await
    }

    /// Loads a user with their grants; inactive users have no principal.
    pub async fn principal(&self, user_id: UserId) -> Result<Principal> {
        let user = self.store.user_get(user_id).await?.filter(|u| u.active).ok_or(DomainError::Unauthenticated)?;
        let grants = self.store.grants_of(user.id).await?;
        Ok(Principal { user, grants })
    }

    /// Exchanges a username and password for an API bearer token (returned once, stored hashed).
    pub async fn issue_token(
        &self,
        username: &str,
        password: &str,
        totp_code: Option<&str>,
    ) -> Result<(String, DateTime<Utc>)> {
        let principal = self.login(username, password, totp_code).await?;
        let token = users::random_token();
        let expires_at = self.clock.now() + users::session_lifetime();
        let mut audit = self.draft(Some(&principal.user), "token.issue", "api_token");
        audit.org_id = Some(principal.user.org_id);
        self.store.token_insert(&users::token_digest(&token), principal.user.id, expires_at, audit).await?;
        Ok((token, expires_at))
    }

    pub async fn principal_by_token(&self, token: &str) -> Result<Principal> {
        let user_id = self
            .store
            .token_user(&users::token_digest(token), self.clock.now())
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        self.principal(user_id).await
    }

    pub async fn change_password(&self, actor: &Principal, current: &str, new: &str) -> Result<()> {
        if !users::verify_password(current.into(), actor.user.password_hash.clone()).await {
            return Err(DomainError::invalid("current_password", "mật khẩu hiện tại không đúng"));
        }
        if current == new {
            return Err(DomainError::invalid("new_password", "mật khẩu mới phải khác mật khẩu hiện tại"));
        }
        users::check_password_policy(&actor.user.username, new)?;
        let hash = users::hash_password(new.into()).await?;
        let mut audit = self.draft(Some(&actor.user), "user.change_password", "user");
        audit.entity_id = Some(actor.user.id.to_string());
        audit.org_id = Some(actor.user.org_id);
        self.store.user_set_password(actor.user.id, &hash, false, audit).await
    }

    /// Creates an account with a random first password that must be changed at first login.
    /// Returns the user and that password (shown once).
    pub async fn create_user(&self, actor: &Principal, input: &NewUserInput) -> Result<(User, String)> {
        let org = self
            .org_by_code(&input.org_code, None)
            .await
            .map_err(|_| DomainError::invalid("org_code", format!("không có đơn vị mã '{}'", input.org_code.trim())))?;
        actor.require(Action::ManageUsers, &org)?;
        let role = input.role.as_deref().filter(|r| !r.is_empty()).map(Role::parse).transpose()?;
        let password = users::random_password();
        let user = self.insert_user(Some(&actor.user), input, &org, &password, true).await?;
        if let Some(role) = role {
            self.grant_role(actor, user.id, role, &org.code).await?;
        }
        Ok((user, password))
    }

    async fn insert_user(
        &self,
        actor: Option<&User>,
        input: &NewUserInput,
        org: &OrgUnit,
        password: &str,
        must_change: bool,
    ) -> Result<User> {
        let username = Username::parse(&input.username)?;
        let full_name = textvi::nfc(input.full_name.trim());
        if full_name.is_empty() || full_name.chars().count() > 200 {
            return Err(DomainError::invalid("full_name", "họ và tên không được để trống (tối đa 200 ký tự)"));
        }
        let email = input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(String::from);
        if let Some(e) = &email
            && (!e.contains('@') || e.len() > 200 || e.contains(char::is_whitespace))
        {
            return Err(DomainError::invalid("email", "địa chỉ thư điện tử không hợp lệ"));
        }
        if self.store.user_by_username(username.as_str()).await?.is_some() {
            return Err(DomainError::Conflict(format!("tên đăng nhập '{}' đã có", username.as_str())));
        }
        let record = NewUserRecord {
            username: username.as_str().into(),
            full_name,
            email,
            org_id: org.id,
            password_hash: users::hash_password(password.into()).await?,
            must_change_password: must_change,
        };
        let mut audit = self.draft(actor, "user.create", "user");
        audit.org_id = Some(org.id);
        audit.after = Some(json!({
            "username": record.username, "full_name": record.full_name,
            "email": record.email, "org_code": org.code,
        }));
        self.store.user_insert(&record, audit).await
    }

    pub async fn get_user(&self, actor: &Principal, id: UserId) -> Result<(User, Vec<Grant>)> {
        let user =
            self.store.user_get(id).await?.ok_or_else(|| DomainError::not_found("người dùng", id.to_string()))?;
        let org = self
            .store
            .org_get(user.org_id)
            .await?
            .ok_or_else(|| DomainError::not_found("đơn vị", user.org_id.to_string()))?;
        if actor.user.id != user.id && !actor.may(Action::ReadUsers, &org) {
            // Out of scope reads as absent, so scope does not reveal who exists elsewhere.
            return Err(DomainError::not_found("người dùng", id.to_string()));
        }
        let grants = self.store.grants_of(user.id).await?;
        Ok((user, grants))
    }

    /// Users the principal may see, optionally only those under the unit `org_code`.
    pub async fn list_users(
        &self,
        actor: &Principal,
        org_code: Option<&str>,
        q: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<User>> {
        let mut within_paths = actor.scope_paths(Action::ReadUsers);
        if within_paths.is_empty() {
            return Err(DomainError::Forbidden("xem danh sách người dùng"));
        }
        if let Some(code) = org_code.map(str::trim).filter(|c| !c.is_empty()) {
            let org = self.org_by_code(code, None).await?;
            within_paths = if within_paths.iter().any(|p| org.path.starts_with(p.as_str())) {
                vec![org.path]
            } else {
                within_paths.into_iter().filter(|p| p.starts_with(&org.path)).collect()
            };
        }
        let limit = limit.clamp(1, 200);
        if within_paths.is_empty() {
            return Ok(Page { items: Vec::new(), total: 0, total_capped: false, offset, limit });
        }
        self.store
            .user_list(&UserQuery { q: q.map(textvi::fold).filter(|s| !s.is_empty()), within_paths, offset, limit })
            .await
    }

    /// Target user whom `actor` may manage (same scope rule as reading, but `ManageUsers`).
    async fn managed_user(&self, actor: &Principal, id: UserId) -> Result<User> {
        let (user, _) = self.get_user(actor, id).await?;
        let org = self
            .store
            .org_get(user.org_id)
            .await?
            .ok_or_else(|| DomainError::not_found("đơn vị", user.org_id.to_string()))?;
        actor.require(Action::ManageUsers, &org)?;
        Ok(user)
    }

    pub async fn reset_password(&self, actor: &Principal, id: UserId) -> Result<String> {
        let user = self.managed_user(actor, id).await?;
        let password = users::random_password();
        let hash = users::hash_password(password.clone()).await?;
        let mut audit = self.draft(Some(&actor.user), "user.reset_password", "user");
        audit.entity_id = Some(user.id.to_string());
        audit.org_id = Some(user.org_id);
        self.store.user_set_password(user.id, &hash, true, audit).await?;
        Ok(password)
    }

    pub async fn grant_role(&self, actor: &Principal, user_id: UserId, role: Role, org_code: &str) -> Result<Grant> {
        let user = self.managed_user(actor, user_id).await?;
        let org = self
            .org_by_code(org_code, None)
            .await
            .map_err(|_| DomainError::invalid("org_code", format!("không có đơn vị mã '{}'", org_code.trim())))?;
        actor.require(Action::ManageUsers, &org)?;
        if self.store.grants_of(user.id).await?.iter().any(|g| g.role == role && g.org_id == org.id) {
            return Err(DomainError::Conflict(format!("người dùng đã có vai trò {} tại {}", role.label(), org.name)));
        }
        let mut audit = self.draft(Some(&actor.user), "grant.create", "role_grant");
        audit.org_id = Some(org.id);
        audit.after = Some(json!({ "user": user.username, "role": role.as_str(), "org_code": org.code }));
        self.store.grant_insert(user.id, role, org.id, audit).await
    }

    pub async fn revoke_role(&self, actor: &Principal, grant_id: i64) -> Result<()> {
        self.revoke_role_returning_user(actor, grant_id).await.map(|_| ())
    }

    /// Revokes a grant and returns (the user it belonged to, the grant).
    pub async fn revoke_role_returning_user(&self, actor: &Principal, grant_id: i64) -> Result<(UserId, Grant)> {
        let grant = self
            .store
            .grant_get(grant_id)
            .await?
            .ok_or_else(|| DomainError::not_found("vai trò", grant_id.to_string()))?;
        let org = self
            .store
            .org_get(grant.org_id)
            .await?
            .ok_or_else(|| DomainError::not_found("đơn vị", grant.org_id.to_string()))?;
        self.managed_user(actor, grant.user_id).await?;
        actor.require(Action::ManageUsers, &org)?;
        let mut audit = self.draft(Some(&actor.user), "grant.delete", "role_grant");
        audit.entity_id = Some(grant.id.to_string());
        audit.org_id = Some(org.id);
        audit.before =
            Some(json!({ "user_id": grant.user_id, "role": grant.role.as_str(), "org_code": grant.org_code }));
        self.store.grant_delete(grant.id, audit).await?;
        Ok((grant.user_id, grant))
    }

    /// Starts TOTP enrolment: a fresh secret the user scans; it is stored only when confirmed.
    pub fn totp_new_secret(&self) -> String {
        users::totp::new_secret()
    }

    /// Turns TOTP on once the user proves their app produces the right code for `secret`.
    pub async fn totp_enable(&self, actor: &Principal, secret: &str, code: &str) -> Result<()> {
        let now = self.clock.now().timestamp().max(0) as u64;
        let Some(step) = users::totp::check(secret, &actor.user.username, code, now) else {
            return Err(DomainError::invalid("code", "mã xác thực không đúng"));
        };
        let mut audit = self.draft(Some(&actor.user), "user.totp_enable", "user");
        audit.entity_id = Some(actor.user.id.to_string());
        audit.org_id = Some(actor.user.org_id);
        self.store.user_set_totp(actor.user.id, Some(secret), Some(step), audit).await
    }

    pub async fn totp_disable(&self, actor: &Principal, password: &str) -> Result<()> {
        if !users::verify_password(password.into(), actor.user.password_hash.clone()).await {
            return Err(DomainError::invalid("password", "mật khẩu không đúng"));
        }
        let mut audit = self.draft(Some(&actor.user), "user.totp_disable", "user");
        audit.entity_id = Some(actor.user.id.to_string());
        audit.org_id = Some(actor.user.org_id);
        self.store.user_set_totp(actor.user.id, None, None, audit).await
    }

    /// Creates the first admin on the root when no user named `username` exists. Returns the
    /// password when one was generated (it must then be changed at first login).
    pub async fn ensure_admin(&self, username: &str, password: Option<&str>) -> Result<Option<String>> {
        if self.store.user_by_username(username).await?.is_some() {
            return Ok(None);
        }
        let root = self.root().await?;
        let (password, generated) = match password {
            Some(p) => (users::check_password_policy(username, p)?.to_string(), false),
            None => (users::random_password(), true),
        };
        let input = NewUserInput {
            username: username.into(),
            full_name: "Quản trị hệ thống".into(),
            org_code: root.code.clone(),
            ..Default::default()
        };
        let user = self.insert_user(None, &input, &root, &password, generated).await?;
        let mut audit = self.draft(None, "grant.create", "role_grant");
        audit.org_id = Some(root.id);
        audit.after = Some(json!({ "user": user.username, "role": "admin", "org_code": root.code }));
        self.store.grant_insert(user.id, Role::Admin, root.id, audit).await?;
        Ok(generated.then_some(password))
    }

    /// Creates a user with a known password and one role on `grant_org_code` (demo data and
    /// tests' fixtures).
    pub async fn seed_user(
        &self,
        username: &str,
        full_name: &str,
        org_code: &str,
        role: Role,
        grant_org_code: &str,
        password: &str,
    ) -> Result<User> {
        let org = self.org_by_code(org_code, None).await?;
        let grant_org = self.org_by_code(grant_org_code, None).await?;
        let input = NewUserInput {
            username: username.into(),
            full_name: full_name.into(),
            org_code: org.code.clone(),
            ..Default::default()
        };
        let user = self.insert_user(None, &input, &org, password, false).await?;
        let mut audit = self.draft(None, "grant.create", "role_grant");
        audit.org_id = Some(grant_org.id);
        audit.after = Some(json!({ "user": user.username, "role": role.as_str(), "org_code": grant_org.code }));
        self.store.grant_insert(user.id, role, grant_org.id, audit).await?;
        Ok(user)
    }

    /// Internal units created by the system itself (demo data).
    pub async fn seed_internal_unit(&self, parent_code: &str, code: &str, name: &str) -> Result<OrgUnit> {
        let parent = self.org_by_code(parent_code, None).await?;
        let unit = NewOrgUnit {
            code: OrgCode::parse(code)?,
            name: parse_name(name)?,
            org_type: OrgType::Internal,
            parent_id: Some(parent.id),
            valid_from: None,
            valid_to: None,
        };
        let mut audit = self.draft(None, "org.create", "org_unit");
        audit.org_id = Some(parent.id);
        audit.after = Some(serde_json::to_value(&unit).unwrap_or_default());
        self.store.org_insert(&unit, audit).await
    }

    // ----- audit -----------------------------------------------------------------------------

    pub async fn recent_audit(&self, actor: &Principal, limit: u64) -> Result<Vec<AuditEntry>> {
        let scope = actor.scope_paths(Action::ReadAudit);
        if scope.is_empty() {
            return Err(DomainError::Forbidden("xem nhật ký"));
        }
        self.store.audit_recent(Some(&scope), limit.clamp(1, 500)).await
    }

    /// Re-walks the whole chain: Ok(number of entries) or the first break.
    pub async fn verify_audit(&self) -> Result<std::result::Result<u64, ChainBreak>> {
        let entries = self.store.audit_all().await?;
        let head = self.store.audit_head().await?;
        Ok(crate::audit::verify_chain(&entries, head.as_ref().map(|(s, h)| (*s, h.as_str()))))
    }

    // ----- sessions (storage for the web layer's session store) -------------------------------

    pub async fn session_load(&self, id: &str) -> Result<Option<String>> {
        self.store.session_load(id, self.clock.now()).await
    }
    /// Saves a session that lives `lifetime` from now (by this service's clock).
    pub async fn session_save(&self, id: &str, data: &str, lifetime: chrono::Duration) -> Result<()> {
        self.store.session_save(id, data, self.clock.now() + lifetime).await
    }
    pub async fn session_delete(&self, id: &str) -> Result<()> {
        self.store.session_delete(id).await
    }
}

fn parse_name(name: &str) -> Result<String> {
    let name = textvi::nfc(name.trim());
    if name.is_empty() || name.chars().count() > 250 {
        return Err(DomainError::invalid("name", "tên đơn vị không được để trống (tối đa 250 ký tự)"));
    }
    Ok(name)
}

/// A real argon2id hash of a random password, made once, so that a login for an unknown user
/// costs the same as one for a known user.
async fn decoy_hash() -> String {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DECOY.get() {
        return h.clone();
    }
    let h = users::hash_password(users::random_token()).await.unwrap_or_default();
    DECOY.get_or_init(|| h).clone()
}

/// Among units sharing a code, the one valid on `day`, else the one that ended last.
pub(crate) fn unit_on(units: &[OrgUnit], day: NaiveDate) -> Option<&OrgUnit> {
    units
        .iter()
        .find(|u| u.is_valid_on(day))
        .or_else(|| units.iter().max_by_key(|u| (u.valid_to.is_none(), u.valid_to, u.valid_from)))
}
