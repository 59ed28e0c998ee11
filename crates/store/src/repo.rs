//! `impl domain::repo::Store for Db`.

mod bulletins;
mod feedback;
mod feedback_intake;
pub(crate) use feedback_intake::IntakeQueue;
mod indicators;
pub(crate) use indicators::upsert_values;
mod notify;
mod registries;
mod reporting;
mod schedule;
mod work;
pub(crate) use work::task_agency_keys;
mod work_tally;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Cond, Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use domain::audit::{self, AuditDraft, AuditEntry};
use domain::auth::{Grant, Role};
use domain::org::{NewOrgUnit, OrgId, OrgQuery, OrgType, OrgUnit, Page, ReferenceSuccession, ReferenceUnit};
use domain::repo::{NewUserRecord, Store, UserQuery};
use domain::users::{User, UserId};
use domain::{DomainError, Result};

use crate::entities::{api_token, audit_head, audit_log, org_succession, org_unit, role_grant, session, user};
use crate::{Db, storage};

const BATCH: usize = 500;

fn org_from(m: org_unit::Model) -> Result<OrgUnit> {
    Ok(OrgUnit {
        id: m.id,
        code: m.code,
        name: m.name,
        org_type: OrgType::parse(&m.org_type)?,
        parent_id: m.parent_id,
        path: m.path,
        valid_from: m.valid_from,
        valid_to: m.valid_to,
    })
}

fn search_key(name: &str, code: &str) -> String {
    format!("{} {}", textvi::fold(name), code.to_ascii_lowercase())
}

/// `LIKE` pattern for "contains", with the wildcard characters of user input removed.
fn contains_pattern(folded: &str) -> String {
    let clean: String = folded.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    format!("%{clean}%")
}

fn valid_on(day: NaiveDate) -> Cond {
    Cond::all()
        .add(Cond::any().add(org_unit::Column::ValidFrom.is_null()).add(org_unit::Column::ValidFrom.lte(day)))
        .add(Cond::any().add(org_unit::Column::ValidTo.is_null()).add(org_unit::Column::ValidTo.gte(day)))
}

impl Db {
    /// The units matching `cond` of each chunk of `keys` (chunks keep a statement's bound values
    /// under both databases' limits), in id order within a chunk.
    async fn orgs_by_chunks<K: Clone>(&self, keys: &[K], cond: impl Fn(Vec<K>) -> Cond) -> Result<Vec<OrgUnit>> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH) {
            let found = org_unit::Entity::find()
                .filter(cond(chunk.to_vec()))
                .order_by_asc(org_unit::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?;
            for m in found {
                out.push(org_from(m)?);
            }
        }
        Ok(out)
    }
}

fn within(paths: &[String]) -> Cond {
    paths.iter().fold(Cond::any(), |c, p| c.add(org_unit::Column::Path.starts_with(p.as_str())))
}

/// Ids of org units under any of `paths`, as a sub-select.
fn org_ids_within(paths: &[String]) -> sea_orm::sea_query::SelectStatement {
    Query::select().column(org_unit::Column::Id).from(org_unit::Entity).cond_where(within(paths)).to_owned()
}

impl Db {
    async fn user_from(&self, m: user::Model) -> Result<User> {
        let org = org_unit::Entity::find_by_id(m.org_id).one(self.connection()).await.map_err(storage)?;
        let (org_path, org_name) = org.map(|o| (o.path, o.name)).unwrap_or_default();
        Ok(User {
            id: m.id,
            username: m.username,
            full_name: m.full_name,
            email: m.email,
            org_id: m.org_id,
            org_path,
            org_name,
            active: m.active,
            must_change_password: m.must_change_password,
            totp_enabled: m.totp_secret.is_some(),
            password_hash: m.password_hash,
            totp_secret: m.totp_secret,
            totp_last_step: m.totp_last_step,
            failed_logins: m.failed_logins,
            locked_until: m.locked_until,
            created_at: m.created_at,
        })
    }

    async fn grants_from(&self, models: Vec<role_grant::Model>) -> Result<Vec<Grant>> {
        let ids: Vec<i64> = models.iter().map(|g| g.org_id).collect();
        let orgs: HashMap<i64, org_unit::Model> = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(ids))
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        models
            .into_iter()
            .map(|g| {
                let org = orgs.get(&g.org_id);
                Ok(Grant {
                    id: g.id,
                    user_id: g.user_id,
                    role: Role::parse(&g.role)?,
                    org_id: g.org_id,
                    org_code: org.map(|o| o.code.clone()).unwrap_or_default(),
                    org_name: org.map(|o| o.name.clone()).unwrap_or_default(),
                    org_path: org.map(|o| o.path.clone()).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn paged<E>(&self, select: Select<E>, offset: u64, limit: u64) -> Result<(Vec<E::Model>, u64)>
    where
        E: EntityTrait,
        E::Model: FromQueryResult + Send + Sync,
    {
        let total = select.clone().count(self.connection()).await.map_err(storage)?;
        let items = select.offset(offset).limit(limit).all(self.connection()).await.map_err(storage)?;
        Ok((items, total))
    }
}

/// After writes that bypass the task services (restore, bench loader): the national view's
/// tally is rebuilt on its first read.
pub(crate) async fn invalidate_tally(txn: &DatabaseTransaction) -> std::result::Result<(), DbErr> {
    work_tally::invalidate(txn).await
}

/// Stores bytes once by their SHA-256 (files are shared by every record that holds the same
/// bytes); the digest that names them.
async fn put_blob(txn: &DatabaseTransaction, bytes: &[u8]) -> std::result::Result<String, DbErr> {
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(bytes));
    if crate::entities::work::blob::Entity::find_by_id(digest.clone()).count(txn).await? == 0 {
        crate::entities::work::blob::ActiveModel {
            sha256: Set(digest.clone()),
            size: Set(bytes.len() as i64),
            data: Set(bytes.to_vec()),
        }
        .insert(txn)
        .await?;
    }
    Ok(digest)
}

/// The bytes stored under a digest by [`put_blob`].
async fn blob_data(db: &impl ConnectionTrait, digest: &str) -> std::result::Result<Option<Vec<u8>>, DbErr> {
    Ok(crate::entities::work::blob::Entity::find_by_id(digest).one(db).await?.map(|b| b.data))
}

/// Locks and reads the audit chain's head inside `txn`: every audited write takes it, so
/// writers holding it take turns (PostgreSQL row lock; on SQLite the process-wide write lock
/// already holds).
async fn lock_audit_head(txn: &DatabaseTransaction) -> std::result::Result<audit_head::Model, DbErr> {
    let mut head_q = audit_head::Entity::find_by_id(1);
    if txn.get_database_backend() == DbBackend::Postgres {
        head_q = head_q.lock_exclusive();
    }
    head_q.one(txn).await?.ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))
}

/// Appends one chained entry inside `txn`, the head row locked first so appenders line up.
async fn append_audit(txn: &DatabaseTransaction, d: AuditDraft) -> std::result::Result<(), DbErr> {
    append_audits(txn, vec![d]).await
}

/// Appends entries in the order given, chained one to the next, in one statement.
async fn append_audits(txn: &DatabaseTransaction, drafts: Vec<AuditDraft>) -> std::result::Result<(), DbErr> {
    if drafts.is_empty() {
        return Ok(());
    }
    let head = lock_audit_head(txn).await?;
    let (mut seq, mut prev) = (head.seq, head.hash);
    let mut rows = Vec::with_capacity(drafts.len());
    for d in drafts {
        seq += 1;
        let before = d.before.map(|v| v.to_string());
        let after = d.after.map(|v| v.to_string());
        let hash = audit::entry_hash(
            seq,
            &d.at,
            d.actor_id,
            &d.actor,
            &d.action,
            d.entity,
            d.entity_id.as_deref(),
            d.org_id,
            before.as_deref(),
            after.as_deref(),
            &prev,
        );
        rows.push(audit_log::ActiveModel {
            seq: Set(seq),
            at: Set(d.at),
            actor_id: Set(d.actor_id),
            actor: Set(d.actor),
            action: Set(d.action),
            entity: Set(d.entity.into()),
            entity_id: Set(d.entity_id),
            org_id: Set(d.org_id),
            before_json: Set(before),
            after_json: Set(after),
            prev_hash: Set(std::mem::replace(&mut prev, hash.clone())),
            hash: Set(hash),
        });
    }
    audit_log::Entity::insert_many(rows).exec_without_returning(txn).await?;
    audit_head::ActiveModel { id: Set(1), seq: Set(seq), hash: Set(prev) }.update(txn).await?;
    Ok(())
}

fn entry_from(m: audit_log::Model) -> AuditEntry {
    AuditEntry {
        seq: m.seq,
        at: m.at,
        actor_id: m.actor_id,
        actor: m.actor,
        action: m.action,
        entity: m.entity,
        entity_id: m.entity_id,
        org_id: m.org_id,
        before: m.before_json,
        after: m.after_json,
        prev_hash: m.prev_hash,
        hash: m.hash,
    }
}

#[async_trait]
impl Store for Db {
    fn backend_name(&self) -> &'static str {
        match self.backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    async fn ping(&self) -> Result<()> {
        self.connection().execute_unprepared("SELECT 1").await.map(|_| ()).map_err(storage)
    }

    async fn org_get(&self, id: OrgId) -> Result<Option<OrgUnit>> {
        org_unit::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(org_from).transpose()
    }

    async fn org_many(&self, ids: &[OrgId]) -> Result<Vec<OrgUnit>> {
        self.orgs_by_chunks(ids, |chunk| Cond::all().add(org_unit::Column::Id.is_in(chunk))).await
    }

    async fn org_with_code(&self, code: &str) -> Result<Vec<OrgUnit>> {
        org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(code))
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(org_from)
            .collect()
    }

    async fn org_with_codes(&self, codes: &[String], from: NaiveDate, to: NaiveDate) -> Result<Vec<OrgUnit>> {
        use org_unit::Column as C;
        self.orgs_by_chunks(codes, |chunk| {
            Cond::all()
                .add(C::Code.is_in(chunk))
                .add(Cond::any().add(C::ValidFrom.is_null()).add(C::ValidFrom.lte(to)))
                .add(Cond::any().add(C::ValidTo.is_null()).add(C::ValidTo.gte(from)))
        })
        .await
    }

    async fn org_list(&self, q: &OrgQuery) -> Result<Page<OrgUnit>> {
        let mut cond = Cond::all();
        if let Some(t) = q.org_type {
            cond = cond.add(org_unit::Column::OrgType.eq(t.as_str()));
        }
        if let Some(day) = q.as_of {
            cond = cond.add(valid_on(day));
        }
        if let Some(text) = &q.q {
            for word in text.split_whitespace() {
                cond = cond.add(org_unit::Column::SearchKey.like(contains_pattern(word)));
            }
        }
        if let Some(parent) = q.parent_id {
            cond = cond.add(org_unit::Column::ParentId.eq(parent));
        }
        if let Some(paths) = &q.within_paths {
            cond = cond.add(within(paths));
        }
        let select = org_unit::Entity::find()
            .filter(cond)
            .order_by_asc(Expr::expr(Func::char_length(Expr::col(org_unit::Column::Path))))
            .order_by_asc(org_unit::Column::Code)
            .order_by_asc(org_unit::Column::Id);
        let (items, total) = self.paged(select, q.offset, q.limit).await?;
        Ok(Page {
            items: items.into_iter().map(org_from).collect::<Result<_>>()?,
            total,
            total_capped: false,
            offset: q.offset,
            limit: q.limit,
        })
    }

    async fn org_count_by_type(&self, as_of: Option<NaiveDate>) -> Result<Vec<(OrgType, u64)>> {
        #[derive(FromQueryResult)]
        struct Row {
            org_type: String,
            n: i64,
        }
        let mut select = org_unit::Entity::find()
            .select_only()
            .column(org_unit::Column::OrgType)
            .column_as(org_unit::Column::Id.count(), "n")
            .group_by(org_unit::Column::OrgType);
        if let Some(day) = as_of {
            select = select.filter(valid_on(day));
        }
        let rows = select.into_model::<Row>().all(self.connection()).await.map_err(storage)?;
        rows.into_iter().map(|r| Ok((OrgType::parse(&r.org_type)?, r.n.max(0) as u64))).collect()
    }

    async fn org_successor_links(&self, old_ids: &[OrgId]) -> Result<Vec<(OrgId, OrgId)>> {
        let mut out = Vec::new();
        for chunk in old_ids.chunks(BATCH) {
            let rows = org_succession::Entity::find()
                .filter(org_succession::Column::OldId.is_in(chunk.to_vec()))
                .all(self.connection())
                .await
                .map_err(storage)?;
            out.extend(rows.into_iter().map(|r| (r.old_id, r.new_id)));
        }
        Ok(out)
    }

    async fn org_predecessor_ids(&self, new_id: OrgId) -> Result<Vec<OrgId>> {
        Ok(org_succession::Entity::find()
            .filter(org_succession::Column::NewId.eq(new_id))
            .order_by_asc(org_succession::Column::OldId)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|r| r.old_id)
            .collect())
    }

    async fn org_insert(&self, unit: &NewOrgUnit, mut audit: AuditDraft) -> Result<OrgUnit> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let parent_path = match unit.parent_id {
            Some(pid) => {
                org_unit::Entity::find_by_id(pid)
                    .one(&txn)
                    .await
                    .map_err(storage)?
                    .ok_or_else(|| DomainError::not_found("đơn vị", pid.to_string()))?
                    .path
            }
            None => "/".to_string(),
        };
        let inserted = org_unit::ActiveModel {
            code: Set(unit.code.as_str().into()),
            name: Set(unit.name.clone()),
            search_key: Set(search_key(&unit.name, unit.code.as_str())),
            org_type: Set(unit.org_type.as_str().into()),
            parent_id: Set(unit.parent_id),
            path: Set(String::new()),
            valid_from: Set(unit.valid_from),
            valid_to: Set(unit.valid_to),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        let path = format!("{parent_path}{}/", inserted.id);
        let mut am: org_unit::ActiveModel = inserted.into();
        am.path = Set(path);
        let saved = am.update(&txn).await.map_err(storage)?;
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        org_from(saved)
    }

    async fn org_rename(&self, id: OrgId, name: &str, audit: AuditDraft) -> Result<OrgUnit> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let current = org_unit::Entity::find_by_id(id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("đơn vị", id.to_string()))?;
        let key = search_key(name, &current.code);
        let mut am: org_unit::ActiveModel = current.into();
        am.name = Set(name.into());
        am.search_key = Set(key);
        let saved = am.update(&txn).await.map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        org_from(saved)
    }

    async fn org_total(&self) -> Result<u64> {
        org_unit::Entity::find().count(self.connection()).await.map_err(storage)
    }

    async fn org_load_reference(
        &self,
        units: &[ReferenceUnit],
        successions: &[ReferenceSuccession],
        audit: AuditDraft,
    ) -> Result<u64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let root = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.is_null())
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::Storage("root org unit missing".into()))?;
        let max_id: Option<i64> = org_unit::Entity::find()
            .select_only()
            .column_as(org_unit::Column::Id.max(), "m")
            .into_tuple()
            .one(&txn)
            .await
            .map_err(storage)?
            .flatten();
        // Ids are assigned here so that paths can be computed without a round trip per row.
        let mut next = max_id.unwrap_or(root.id);
        let mut by_key: HashMap<&str, (i64, String)> = HashMap::with_capacity(units.len());
        let mut rows = Vec::with_capacity(units.len());
        for u in units {
            next += 1;
            let (parent_id, parent_path) = match &u.parent_key {
                Some(k) => by_key.get(k.as_str()).map(|(id, p)| (*id, p.clone())).ok_or_else(|| {
                    DomainError::Storage(format!("reference parent {k} of {} not loaded first", u.key))
                })?,
                None => (root.id, root.path.clone()),
            };
            let path = format!("{parent_path}{next}/");
            by_key.insert(u.key.as_str(), (next, path.clone()));
            rows.push(org_unit::ActiveModel {
                id: Set(next),
                code: Set(u.code.clone()),
                name: Set(u.name.clone()),
                search_key: Set(search_key(&u.name, &u.code)),
                org_type: Set(u.org_type.as_str().into()),
                parent_id: Set(Some(parent_id)),
                path: Set(path),
                valid_from: Set(u.valid_from),
                valid_to: Set(u.valid_to),
            });
        }
        let count = rows.len() as u64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<_> = rows.by_ref().take(BATCH).collect();
            org_unit::Entity::insert_many(batch).exec_without_returning(&txn).await.map_err(storage)?;
        }
        let mut links = Vec::with_capacity(successions.len());
        for s in successions {
            let id = |k: &str| {
                by_key
                    .get(k)
                    .map(|(id, _)| *id)
                    .ok_or_else(|| DomainError::Storage(format!("unknown reference key {k}")))
            };
            links.push(org_succession::ActiveModel { old_id: Set(id(&s.old_key)?), new_id: Set(id(&s.new_key)?) });
        }
        let mut links = links.into_iter().peekable();
        while links.peek().is_some() {
            let batch: Vec<_> = links.by_ref().take(BATCH).collect();
            org_succession::Entity::insert_many(batch).exec_without_returning(&txn).await.map_err(storage)?;
        }
        self.fix_sequences(&txn, &["org_units"]).await.map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(count)
    }

    async fn user_get(&self, id: UserId) -> Result<Option<User>> {
        match user::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)? {
            Some(m) => Ok(Some(self.user_from(m).await?)),
            None => Ok(None),
        }
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        match user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(self.connection())
            .await
            .map_err(storage)?
        {
            Some(m) => Ok(Some(self.user_from(m).await?)),
            None => Ok(None),
        }
    }

    async fn user_list(&self, q: &UserQuery) -> Result<Page<User>> {
        let mut cond = Cond::all().add(user::Column::OrgId.in_subquery(org_ids_within(&q.within_paths)));
        if let Some(text) = &q.q {
            for word in text.split_whitespace() {
                cond = cond.add(user::Column::SearchKey.like(contains_pattern(word)));
            }
        }
        let select = user::Entity::find().filter(cond).order_by_asc(user::Column::Username);
        let (models, total) = self.paged(select, q.offset, q.limit).await?;
        let mut items = Vec::with_capacity(models.len());
        for m in models {
            items.push(self.user_from(m).await?);
        }
        Ok(Page { items, total, total_capped: false, offset: q.offset, limit: q.limit })
    }

    async fn user_insert(&self, u: &NewUserRecord, mut audit: AuditDraft) -> Result<User> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let m = user::ActiveModel {
            username: Set(u.username.clone()),
            full_name: Set(u.full_name.clone()),
            search_key: Set(format!("{} {}", u.username, textvi::fold(&u.full_name))),
            email: Set(u.email.clone()),
            org_id: Set(u.org_id),
            password_hash: Set(u.password_hash.clone()),
            must_change_password: Set(u.must_change_password),
            totp_secret: Set(None),
            totp_last_step: Set(None),
            failed_logins: Set(0),
            locked_until: Set(None),
            active: Set(true),
            created_at: Set(audit.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        audit.entity_id = Some(m.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.user_from(m).await
    }

    async fn user_set_password(&self, id: UserId, hash: &str, must_change: bool, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::MustChangePassword, Expr::value(must_change))
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(user::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn user_set_totp(
        &self,
        id: UserId,
        secret: Option<&str>,
        last_step: Option<i64>,
        audit: AuditDraft,
    ) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecret, Expr::value(secret.map(String::from)))
            .col_expr(user::Column::TotpLastStep, Expr::value(last_step))
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn user_set_login_state(
        &self,
        id: UserId,
        failed_logins: i32,
        locked_until: Option<DateTime<Utc>>,
        totp_step: Option<i64>,
        audit: Option<AuditDraft>,
    ) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut update = user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(failed_logins))
            .col_expr(user::Column::LockedUntil, Expr::value(locked_until));
        if let Some(step) = totp_step {
            update = update.col_expr(user::Column::TotpLastStep, Expr::value(step));
        }
        update.filter(user::Column::Id.eq(id)).exec(&txn).await.map_err(storage)?;
        if let Some(audit) = audit {
            append_audit(&txn, audit).await.map_err(storage)?;
        }
        txn.commit().await.map_err(storage)
    }

    async fn grants_of(&self, user_id: UserId) -> Result<Vec<Grant>> {
        let models = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(user_id))
            .order_by_asc(role_grant::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?;
        self.grants_from(models).await
    }

    async fn grant_get(&self, id: i64) -> Result<Option<Grant>> {
        let models: Vec<_> =
            role_grant::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.into_iter().collect();
        Ok(self.grants_from(models).await?.pop())
    }

    async fn grant_insert(&self, user_id: UserId, role: Role, org_id: OrgId, mut audit: AuditDraft) -> Result<Grant> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let m = role_grant::ActiveModel {
            user_id: Set(user_id),
            role: Set(role.as_str().into()),
            org_id: Set(org_id),
            created_at: Set(audit.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        audit.entity_id = Some(m.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.grants_from(vec![m]).await?.pop().ok_or_else(|| DomainError::Storage("grant vanished".into()))
    }

    async fn grant_delete(&self, id: i64, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        role_grant::Entity::delete_by_id(id).exec(&txn).await.map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn token_insert(
        &self,
        digest: &str,
        user_id: UserId,
        expires_at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        api_token::ActiveModel {
            digest: Set(digest.into()),
            user_id: Set(user_id),
            expires_at: Set(expires_at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn token_user(&self, digest: &str, now: DateTime<Utc>) -> Result<Option<UserId>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::Digest.eq(digest))
            .filter(api_token::Column::ExpiresAt.gt(now))
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(|t| t.user_id))
    }

    async fn session_load(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        Ok(session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now))
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(|s| s.data))
    }

    async fn session_save(&self, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let model = session::ActiveModel { id: Set(id.into()), data: Set(data.into()), expires_at: Set(expires_at) };
        session::Entity::insert(model)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(session::Column::Id)
                    .update_columns([session::Column::Data, session::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .map_err(storage)?;
        // Expired sessions are swept as new ones are saved.
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lt(expires_at - domain::users::session_lifetime() * 2))
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn session_delete(&self, id: &str) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        session::Entity::delete_by_id(id.to_string()).exec(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn audit_append(&self, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn audit_recent(&self, within_paths: Option<&[String]>, limit: u64) -> Result<Vec<AuditEntry>> {
        let mut select = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).limit(limit);
        if let Some(paths) = within_paths {
            select = select.filter(audit_log::Column::OrgId.in_subquery(org_ids_within(paths)));
        }
        Ok(select.all(self.connection()).await.map_err(storage)?.into_iter().map(entry_from).collect())
    }

    async fn audit_all(&self) -> Result<Vec<AuditEntry>> {
        Ok(audit_log::Entity::find()
            .order_by_asc(audit_log::Column::Seq)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(entry_from)
            .collect())
    }

    async fn audit_head(&self) -> Result<Option<(i64, String)>> {
        Ok(audit_head::Entity::find_by_id(1).one(self.connection()).await.map_err(storage)?.map(|h| (h.seq, h.hash)))
    }
}
