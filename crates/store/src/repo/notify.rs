//! `impl domain::repo::notify::NotifyStore for Db`.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use domain::audit::AuditDraft;
use domain::auth::Role;
use domain::calendar::{CalendarDay, DayKind};
use domain::notify::{NewNotification, Notification, OutboxMail};
use domain::repo::notify::NotifyStore;
use domain::users::{User, UserId};
use domain::{DomainError, Result};

use super::{BATCH, append_audit};
use crate::entities::notify::{calendar_day, calendar_feed, notification, outbox, setting};
use crate::entities::role_grant;
use crate::{Db, storage};

fn day_from(m: calendar_day::Model) -> Result<CalendarDay> {
    Ok(CalendarDay {
        date: m.day,
        kind: DayKind::parse(&m.kind).ok_or_else(|| DomainError::Storage(format!("calendar kind {}", m.kind)))?,
        name: m.name,
    })
}

#[async_trait]
impl NotifyStore for Db {
    async fn calendar_days(&self) -> Result<Vec<CalendarDay>> {
        calendar_day::Entity::find()
            .order_by_asc(calendar_day::Column::Day)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(day_from)
            .collect()
    }

    async fn calendar_seed(&self, days: &[CalendarDay]) -> Result<u64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let known: HashSet<i32> = calendar_day::Entity::find()
            .select_only()
            .column(calendar_day::Column::Day)
            .into_tuple::<NaiveDate>()
            .all(&txn)
            .await
            .map_err(storage)?
            .into_iter()
            .map(|d| d.year())
            .collect();
        let new: Vec<calendar_day::ActiveModel> = days
            .iter()
            .filter(|d| !known.contains(&d.date.year()))
            .map(|d| calendar_day::ActiveModel {
                day: Set(d.date),
                kind: Set(d.kind.as_str().into()),
                name: Set(d.name.clone()),
            })
            .collect();
        let n = new.len() as u64;
        for chunk in new.chunks(BATCH) {
            calendar_day::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await.map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(n)
    }

    async fn calendar_put(&self, day: &CalendarDay, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        calendar_day::Entity::insert(calendar_day::ActiveModel {
            day: Set(day.date),
            kind: Set(day.kind.as_str().into()),
            name: Set(day.name.clone()),
        })
        .on_conflict(
            OnConflict::column(calendar_day::Column::Day)
                .update_columns([calendar_day::Column::Kind, calendar_day::Column::Name])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn calendar_delete(&self, date: NaiveDate, audit: AuditDraft) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let res = calendar_day::Entity::delete_by_id(date).exec(&txn).await.map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(false);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn setting_get(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let row = setting::Entity::find_by_id(key.to_string()).one(self.connection()).await.map_err(storage)?;
        row.map(|r| serde_json::from_str(&r.value_json).map_err(|e| DomainError::Storage(e.to_string()))).transpose()
    }

    async fn setting_put(
        &self,
        key: &str,
        value: &serde_json::Value,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        setting::Entity::insert(setting::ActiveModel {
            key: Set(key.into()),
            value_json: Set(value.to_string()),
            updated_at: Set(at),
        })
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::ValueJson, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn notify(&self, n: &NewNotification) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let exists = notification::Entity::find()
            .filter(notification::Column::DedupKey.eq(&n.dedup_key))
            .count(&txn)
            .await
            .map_err(storage)?;
        if exists > 0 {
            return Ok(false);
        }
        let saved = notification::ActiveModel {
            user_id: Set(n.user_id),
            created_at: Set(n.created_at),
            kind: Set(n.kind.clone()),
            title: Set(n.title.clone()),
            body: Set(n.body.clone()),
            link: Set(n.link.clone()),
            read_at: Set(None),
            dedup_key: Set(n.dedup_key.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        if let Some(to) = &n.email {
            queue_mail(&txn, Some(saved.id), to, &n.title, &n.body, n.created_at).await?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn notifications(&self, user_id: UserId, limit: u64) -> Result<Vec<Notification>> {
        Ok(notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .order_by_desc(notification::Column::Id)
            .limit(limit)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|m| Notification {
                id: m.id,
                created_at: m.created_at,
                kind: m.kind,
                title: m.title,
                body: m.body,
                link: m.link,
                read: m.read_at.is_some(),
            })
            .collect())
    }

    async fn unread_count(&self, user_id: UserId) -> Result<u64> {
        notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .count(self.connection())
            .await
            .map_err(storage)
    }

    async fn mark_read(&self, user_id: UserId, id: Option<i64>, at: DateTime<Utc>) -> Result<u64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(at))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(id) = id {
            q = q.filter(notification::Column::Id.eq(id));
        }
        let res = q.exec(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(res.rows_affected)
    }

    async fn outbox_claim(&self, limit: u64, at: DateTime<Utc>) -> Result<Vec<OutboxMail>> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut q = outbox::Entity::find()
            .filter(outbox::Column::SentAt.is_null())
            .filter(outbox::Column::Attempts.lt(5))
            .order_by_asc(outbox::Column::Id)
            .limit(limit);
        if self.backend() == sea_orm::DbBackend::Postgres {
            q = q
                .lock_with_behavior(sea_orm::sea_query::LockType::Update, sea_orm::sea_query::LockBehavior::SkipLocked);
        }
        let rows = q.all(&txn).await.map_err(storage)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if !ids.is_empty() {
            outbox::Entity::update_many()
                .col_expr(outbox::Column::SentAt, Expr::value(at))
                .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
                .filter(outbox::Column::Id.is_in(ids))
                .exec(&txn)
                .await
                .map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxMail { id: r.id, to: r.to_addr, subject: r.subject, body: r.body, attempts: r.attempts + 1 })
            .collect())
    }

    async fn outbox_failed(&self, id: i64, error: &str) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::SentAt, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .filter(outbox::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn users_with_role_on(&self, role: Role, org_ids: &[i64]) -> Result<Vec<(User, i64)>> {
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::Role.eq(role.as_str()))
            .filter(role_grant::Column::OrgId.is_in(org_ids.to_vec()))
            .all(self.connection())
            .await
            .map_err(storage)?;
        let mut out = Vec::with_capacity(grants.len());
        for g in grants {
            if let Some(u) = domain::repo::Store::user_get(self, g.user_id).await? {
                out.push((u, g.org_id));
            }
        }
        Ok(out)
    }

    async fn feed_set(&self, user_id: UserId, digest: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        calendar_feed::Entity::delete_by_id(user_id).exec(&txn).await.map_err(storage)?;
        calendar_feed::ActiveModel { user_id: Set(user_id), digest: Set(digest.into()), created_at: Set(at) }
            .insert(&txn)
            .await
            .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)
    }

    async fn feed_user(&self, digest: &str) -> Result<Option<UserId>> {
        Ok(calendar_feed::Entity::find()
            .filter(calendar_feed::Column::Digest.eq(digest))
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(|f| f.user_id))
    }
}

/// Puts an e-mail in the outbox inside `txn` (of a notification, or `None` for a citizen).
pub(super) async fn queue_mail(
    txn: &DatabaseTransaction,
    notification_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    outbox::ActiveModel {
        notification_id: Set(notification_id),
        to_addr: Set(to.into()),
        subject: Set(subject.into()),
        body: Set(body.into()),
        created_at: Set(at),
        sent_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(storage)?;
    Ok(())
}
