//! `impl domain::repo::schedule::ScheduleStore for Db`: work schedules.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Cond, Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use domain::audit::AuditDraft;
use domain::org::OrgId;
use domain::repo::schedule::{ScheduleChange, ScheduleFields, ScheduleFilter, ScheduleStore};
use domain::schedule::{ScheduleEvent, ScheduleEventId};
use domain::users::UserId;
use domain::work::{OrgRef, UserRef};
use domain::{DomainError, Result};

use super::{BATCH, append_audit};
use crate::entities::schedule::{schedule_change, schedule_event, schedule_participant};
use crate::entities::{org_unit, user};
use crate::{Db, storage};

fn filter_cond(f: &ScheduleFilter) -> Cond {
    use schedule_event::Column as C;
    let mut cond = Cond::all();
    if let Some(org) = f.org_id {
        cond = cond.add(C::OrgId.eq(org));
    }
    cond = if f.overlap {
        cond.add(C::StartsAt.lt(f.to)).add(C::EndsAt.gt(f.from))
    } else {
        cond.add(C::StartsAt.gte(f.from)).add(C::StartsAt.lt(f.to))
    };
    if !f.people.is_empty() {
        let participating = Query::select()
            .column(schedule_participant::Column::EventId)
            .from(schedule_participant::Entity)
            .and_where(schedule_participant::Column::UserId.is_in(f.people.clone()))
            .to_owned();
        cond = cond.add(Cond::any().add(C::ChairId.is_in(f.people.clone())).add(C::Id.in_subquery(participating)));
    }
    if f.published_only {
        cond = cond.add(C::PublishedAt.is_not_null());
    }
    cond
}

/// Replaces the participants of an event, keeping the order they were listed in.
async fn write_participants(
    txn: &DatabaseTransaction,
    event_id: ScheduleEventId,
    people: &[UserId],
) -> std::result::Result<(), sea_orm::DbErr> {
    schedule_participant::Entity::delete_many()
        .filter(schedule_participant::Column::EventId.eq(event_id))
        .exec(txn)
        .await?;
    let mut seen = HashSet::new();
    let rows: Vec<_> = people
        .iter()
        .filter(|u| seen.insert(**u))
        .enumerate()
        .map(|(i, user_id)| schedule_participant::ActiveModel {
            event_id: Set(event_id),
            user_id: Set(*user_id),
            position: Set(i as i32),
        })
        .collect();
    if !rows.is_empty() {
        schedule_participant::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}

async fn insert_change(txn: &DatabaseTransaction, event_id: ScheduleEventId, c: &ScheduleChange) -> Result<()> {
    schedule_change::ActiveModel {
        event_id: Set(event_id),
        row_version: Set(c.row_version),
        at: Set(c.at),
        actor_id: Set(c.actor_id),
        actor: Set(c.actor.clone()),
        changes_json: Set(serde_json::to_string(&c.changes).map_err(|e| DomainError::Storage(e.to_string()))?),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(storage)?;
    Ok(())
}

impl Db {
    /// Turns event rows into domain events with their units and people, in a few batched queries.
    async fn hydrate_schedule(&self, rows: Vec<schedule_event::Model>) -> Result<Vec<ScheduleEvent>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.connection();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut participants: HashMap<i64, Vec<(i32, i64)>> = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            for p in schedule_participant::Entity::find()
                .filter(schedule_participant::Column::EventId.is_in(chunk.to_vec()))
                .all(db)
                .await
                .map_err(storage)?
            {
                participants.entry(p.event_id).or_default().push((p.position, p.user_id));
            }
        }
        let user_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.chair_id)
            .chain(participants.values().flatten().map(|(_, u)| *u))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut users: HashMap<i64, UserRef> = HashMap::new();
        for chunk in user_ids.chunks(BATCH) {
            for u in
                user::Entity::find().filter(user::Column::Id.is_in(chunk.to_vec())).all(db).await.map_err(storage)?
            {
                users.insert(u.id, UserRef { id: u.id, username: u.username, full_name: u.full_name });
            }
        }
        let org_ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| [Some(r.org_id), r.preparing_org_id])
            .flatten()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut orgs: HashMap<i64, OrgRef> = HashMap::new();
        for chunk in org_ids.chunks(BATCH) {
            for o in org_unit::Entity::find()
                .filter(org_unit::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await
                .map_err(storage)?
            {
                orgs.insert(o.id, OrgRef { id: o.id, code: o.code, name: o.name });
            }
        }
        rows.into_iter()
            .map(|r| {
                let org = orgs
                    .get(&r.org_id)
                    .cloned()
                    .ok_or_else(|| DomainError::Storage("schedule event without org unit".into()))?;
                let mut listed = participants.remove(&r.id).unwrap_or_default();
                listed.sort_unstable();
                Ok(ScheduleEvent {
                    id: r.id,
                    org,
                    org_path: r.org_path,
                    starts_at: r.starts_at,
                    ends_at: r.ends_at,
                    title: r.title,
                    place: r.place,
                    chair: r.chair_id.and_then(|id| users.get(&id).cloned()),
                    chair_text: r.chair_text,
                    participants: listed.iter().filter_map(|(_, id)| users.get(id).cloned()).collect(),
                    participants_text: r.participants_text,
                    preparing_org: r.preparing_org_id.and_then(|id| orgs.get(&id).cloned()),
                    notes: r.notes,
                    published: r.published_at.is_some(),
                    published_at: r.published_at,
                    adjusted: r.adjusted_at.is_some(),
                    adjusted_at: r.adjusted_at,
                    conflicts: Vec::new(),
                    row_version: r.row_version,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ScheduleStore for Db {
    async fn schedule_insert(
        &self,
        org_id: OrgId,
        fields: &ScheduleFields,
        change: &ScheduleChange,
        mut audit: AuditDraft,
    ) -> Result<ScheduleEventId> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let org = org_unit::Entity::find_by_id(org_id)
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("đơn vị", org_id.to_string()))?;
        let saved = schedule_event::ActiveModel {
            org_id: Set(org_id),
            org_path: Set(org.path),
            starts_at: Set(fields.starts_at),
            ends_at: Set(fields.ends_at),
            title: Set(fields.title.clone()),
            place: Set(fields.place.clone()),
            chair_id: Set(fields.chair_id),
            chair_text: Set(fields.chair_text.clone()),
            participants_text: Set(fields.participants_text.clone()),
            preparing_org_id: Set(fields.preparing_org_id),
            notes: Set(fields.notes.clone()),
            published_at: Set(None),
            adjusted_at: Set(None),
            row_version: Set(1),
            created_by: Set(change.actor_id),
            created_at: Set(change.at),
            updated_at: Set(change.at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        write_participants(&txn, saved.id, &fields.participants).await.map_err(storage)?;
        insert_change(&txn, saved.id, change).await?;
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(saved.id)
    }

    async fn schedule_get(&self, id: ScheduleEventId) -> Result<Option<ScheduleEvent>> {
        let Some(row) = schedule_event::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)? else {
            return Ok(None);
        };
        Ok(self.hydrate_schedule(vec![row]).await?.pop())
    }

    async fn schedule_list(&self, filter: &ScheduleFilter) -> Result<Vec<ScheduleEvent>> {
        let rows = schedule_event::Entity::find()
            .filter(filter_cond(filter))
            .order_by_asc(schedule_event::Column::StartsAt)
            .order_by_asc(schedule_event::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?;
        self.hydrate_schedule(rows).await
    }

    async fn schedule_update(
        &self,
        id: ScheduleEventId,
        row_version: i32,
        fields: &ScheduleFields,
        change: &ScheduleChange,
        adjusted: bool,
        audit: AuditDraft,
    ) -> Result<Option<ScheduleEvent>> {
        use schedule_event::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut update = schedule_event::Entity::update_many()
            .col_expr(C::StartsAt, Expr::value(fields.starts_at))
            .col_expr(C::EndsAt, Expr::value(fields.ends_at))
            .col_expr(C::Title, Expr::value(fields.title.clone()))
            .col_expr(C::Place, Expr::value(fields.place.clone()))
            .col_expr(C::ChairId, Expr::value(fields.chair_id))
            .col_expr(C::ChairText, Expr::value(fields.chair_text.clone()))
            .col_expr(C::ParticipantsText, Expr::value(fields.participants_text.clone()))
            .col_expr(C::PreparingOrgId, Expr::value(fields.preparing_org_id))
            .col_expr(C::Notes, Expr::value(fields.notes.clone()))
            .col_expr(C::RowVersion, Expr::value(row_version + 1))
            .col_expr(C::UpdatedAt, Expr::value(change.at));
        if adjusted {
            update = update.col_expr(C::AdjustedAt, Expr::value(change.at));
        }
        let res =
            update.filter(C::Id.eq(id)).filter(C::RowVersion.eq(row_version)).exec(&txn).await.map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        write_participants(&txn, id, &fields.participants).await.map_err(storage)?;
        insert_change(&txn, id, change).await?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        self.schedule_get(id).await
    }

    async fn schedule_delete(&self, id: ScheduleEventId, row_version: Option<i32>, audit: AuditDraft) -> Result<bool> {
        use schedule_event::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        schedule_participant::Entity::delete_many()
            .filter(schedule_participant::Column::EventId.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        schedule_change::Entity::delete_many()
            .filter(schedule_change::Column::EventId.eq(id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        let mut delete = schedule_event::Entity::delete_many().filter(C::Id.eq(id));
        if let Some(v) = row_version {
            delete = delete.filter(C::RowVersion.eq(v));
        }
        if delete.exec(&txn).await.map_err(storage)?.rows_affected == 0 {
            return Ok(false); // dropping the transaction rolls the children back
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn schedule_changes(&self, id: ScheduleEventId, after_version: i32) -> Result<Vec<ScheduleChange>> {
        schedule_change::Entity::find()
            .filter(schedule_change::Column::EventId.eq(id))
            .filter(schedule_change::Column::RowVersion.gt(after_version))
            .order_by_asc(schedule_change::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|c| {
                Ok(ScheduleChange {
                    at: c.at,
                    actor_id: c.actor_id,
                    actor: c.actor,
                    changes: serde_json::from_str(&c.changes_json).map_err(|e| DomainError::Storage(e.to_string()))?,
                    row_version: c.row_version,
                })
            })
            .collect()
    }

    async fn schedule_publish(
        &self,
        org_id: OrgId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<u64> {
        use schedule_event::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let res = schedule_event::Entity::update_many()
            .col_expr(C::PublishedAt, Expr::value(at))
            .filter(C::OrgId.eq(org_id))
            .filter(C::PublishedAt.is_null())
            .filter(C::StartsAt.gte(from))
            .filter(C::StartsAt.lt(to))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if res.rows_affected > 0 {
            append_audit(&txn, audit).await.map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(res.rows_affected)
    }
}
