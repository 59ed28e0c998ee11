//! `impl domain::repo::feedback::FeedbackStore for Db`: categories, routing rules, items with
//! their history and photos, trained classifier models and Open311 client keys.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Cond, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use domain::audit::AuditDraft;
use domain::feedback::{
    Category, CategoryInput, CategorySource, EventKind, Feedback, FeedbackEvent, LatLon, PhotoMeta, Reporter, Route,
    SlaState, Source, Status,
};
use domain::org::Page;
use domain::repo::feedback::{
    CitizenMail, FeedbackQuery, FeedbackStore, NewEvent, NewFeedback, NewPhoto, StoredModel, TallyRow,
};
use domain::{DomainError, Result};

use super::registries::contains;
use super::work::under;
use super::{append_audit, blob_data};
use crate::entities::feedback::{
    classifier_model, feedback_category, feedback_event, feedback_item, feedback_photo, feedback_route, open311_key,
};
use crate::{Db, storage};

fn category_from(m: feedback_category::Model) -> Category {
    Category {
        id: m.id,
        code: m.code,
        name: m.name,
        description: m.description,
        keywords: serde_json::from_str(&m.keywords_json).unwrap_or_default(),
        sla_days: u32::try_from(m.sla_days).unwrap_or(15),
        active: m.active,
        sort: m.sort,
    }
}

fn category_row(c: &CategoryInput) -> feedback_category::ActiveModel {
    feedback_category::ActiveModel {
        code: Set(c.code.clone()),
        name: Set(c.name.clone()),
        description: Set(c.description.clone()),
        keywords_json: Set(serde_json::to_string(&c.keywords).unwrap_or_else(|_| "[]".into())),
        sla_days: Set(i32::try_from(c.sla_days).unwrap_or(15)),
        active: Set(c.active),
        sort: Set(c.sort),
        ..Default::default()
    }
}

fn route_from(m: feedback_route::Model) -> Route {
    Route {
        id: m.id,
        category_id: m.category_id,
        area_org_id: m.area_org_id,
        area_path: m.area_path,
        handler_org_id: m.handler_org_id,
    }
}

pub(super) fn item_from(m: feedback_item::Model) -> Result<Feedback> {
    Ok(Feedback {
        id: m.id,
        tracking_code: m.tracking_code,
        category_id: m.category_id,
        category_source: CategorySource::parse(&m.category_source)?,
        predicted_category_id: m.predicted_category_id,
        confidence: m.confidence,
        title: m.title,
        description: m.description,
        public_description: m.public_description,
        hidden: m.hidden,
        flagged: m.flagged,
        address: m.address,
        location: match (m.lat, m.lon) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => None,
        },
        attributes: serde_json::from_str(&m.attributes_json).unwrap_or_default(),
        area_org_id: m.area_org_id,
        area_path: m.area_path,
        handler_org_id: m.handler_org_id,
        handler_path: m.handler_path,
        status: Status::parse(&m.status).map_err(|_| DomainError::Storage(format!("status '{}'", m.status)))?,
        reporter: Reporter { name: m.reporter_name, email: m.reporter_email, phone: m.reporter_phone },
        source: Source::parse(&m.source)?,
        submitted_at: m.submitted_at,
        due_on: m.due_on,
        resolved_at: m.resolved_at,
        closed_at: m.closed_at,
        reopen_count: m.reopen_count,
        merged_into: m.merged_into,
        updated_at: m.updated_at,
        row_version: m.row_version,
    })
}

fn items_from(rows: Vec<feedback_item::Model>) -> Result<Vec<Feedback>> {
    rows.into_iter().map(item_from).collect()
}

fn event_from(m: feedback_event::Model) -> Result<FeedbackEvent> {
    Ok(FeedbackEvent {
        id: m.id,
        feedback_id: m.feedback_id,
        at: m.at,
        kind: EventKind::parse(&m.kind)?,
        status: Status::parse(&m.status).map_err(|_| DomainError::Storage(format!("status '{}'", m.status)))?,
        actor: m.actor,
        org_id: m.org_id,
        note: m.note,
        public: m.public,
    })
}

fn photo_from(m: &feedback_photo::Model) -> PhotoMeta {
    PhotoMeta { id: m.id, feedback_id: m.feedback_id, content_type: m.content_type.clone(), size: m.size }
}

async fn insert_event(
    txn: &DatabaseTransaction,
    feedback_id: i64,
    status: Status,
    org_id: i64,
    e: &NewEvent,
) -> Result<()> {
    feedback_event::Entity::insert(event_model(feedback_id, status, org_id, e))
        .exec_without_returning(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// A history line as a row.
pub(super) fn event_model(feedback_id: i64, status: Status, org_id: i64, e: &NewEvent) -> feedback_event::ActiveModel {
    feedback_event::ActiveModel {
        feedback_id: Set(feedback_id),
        at: Set(e.at),
        kind: Set(e.kind.as_str().into()),
        status: Set(status.as_str().into()),
        actor_id: Set(e.actor_id),
        actor: Set(e.actor.clone()),
        org_id: Set(org_id),
        note: Set(e.note.clone()),
        public: Set(e.public),
        ..Default::default()
    }
}

/// Writes an item's whole state over row `id` if it is still at `at_version`.
async fn update_item(txn: &DatabaseTransaction, f: &Feedback, at_version: i32) -> Result<bool> {
    let row = feedback_item::ActiveModel {
        category_id: Set(f.category_id),
        category_source: Set(f.category_source.as_str().into()),
        public_description: Set(f.public_description.clone()),
        hidden: Set(f.hidden),
        flagged: Set(f.flagged),
        handler_org_id: Set(f.handler_org_id),
        handler_path: Set(f.handler_path.clone()),
        status: Set(f.status.as_str().into()),
        due_on: Set(f.due_on),
        resolved_at: Set(f.resolved_at),
        closed_at: Set(f.closed_at),
        reopen_count: Set(f.reopen_count),
        merged_into: Set(f.merged_into),
        updated_at: Set(f.updated_at),
        row_version: Set(at_version + 1),
        ..Default::default()
    };
    let n = feedback_item::Entity::update_many()
        .set(row)
        .filter(feedback_item::Column::Id.eq(f.id))
        .filter(feedback_item::Column::RowVersion.eq(at_version))
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(n.rows_affected > 0)
}

fn scope(paths: &[String]) -> Cond {
    paths.iter().fold(Cond::any(), |c, p| {
        c.add(under(feedback_item::Column::HandlerPath, p)).add(under(feedback_item::Column::AreaPath, p))
    })
}

fn pending_statuses() -> Vec<&'static str> {
    Status::ALL.iter().filter(|s| s.is_pending()).map(|s| s.as_str()).collect()
}

/// The items in `state` on `today`: the condition of [`SlaState::of`] in SQL. The answer's day
/// is `domain::clock::vietnam_date(resolved_at)`: Vietnam is UTC+7 all year.
fn sla_cond(state: SlaState, today: NaiveDate, backend: DbBackend) -> Cond {
    use feedback_item::Column as C;
    let answered_day = match backend {
        DbBackend::Postgres => Expr::cust("CAST((resolved_at AT TIME ZONE 'UTC') + INTERVAL '7 hours' AS DATE)"),
        _ => Expr::cust("date(resolved_at, '+7 hours')"),
    };
    let answered = || Cond::all().add(C::Status.is_not_in(pending_statuses())).add(C::ResolvedAt.is_not_null());
    let pending = || Cond::all().add(C::Status.is_in(pending_statuses()));
    match state {
        SlaState::OnTime => answered().add(answered_day.lte(Expr::col(C::DueOn))),
        SlaState::Late => answered().add(answered_day.gt(Expr::col(C::DueOn))),
        SlaState::Overdue => pending().add(C::DueOn.lt(today)),
        SlaState::Pending => pending().add(C::DueOn.gte(today)),
    }
}

/// The items a query names, less its paging: the list, the analytics' tally and their texts
/// all select with it, so a figure and the list behind it count the same rows.
fn filtered(q: &FeedbackQuery, backend: DbBackend) -> Select<feedback_item::Entity> {
    use feedback_item::Column as C;
    let mut select = feedback_item::Entity::find();
    if let Some(paths) = &q.within_paths {
        select = select.filter(scope(paths));
    }
    if let Some(p) = &q.area_path {
        select = select.filter(under(C::AreaPath, p));
    }
    if let Some(p) = &q.org_path {
        select = select.filter(scope(std::slice::from_ref(p)));
    }
    if let Some(id) = q.handler_org_id {
        select = select.filter(C::HandlerOrgId.eq(id));
    }
    if !q.statuses.is_empty() {
        select = select.filter(C::Status.is_in(q.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(id) = q.category_id {
        select = select.filter(C::CategoryId.eq(id));
    }
    if q.uncategorized {
        select = select.filter(C::CategoryId.is_null());
    }
    if let Some(day) = q.overdue_on {
        select = select.filter(sla_cond(SlaState::Overdue, day, backend));
    }
    if let Some((state, day)) = q.sla {
        select = select.filter(sla_cond(state, day, backend));
    }
    if let Some(t) = q.submitted_from {
        select = select.filter(C::SubmittedAt.gte(t));
    }
    if let Some(t) = q.submitted_to {
        select = select.filter(C::SubmittedAt.lt(t));
    }
    if let Some(t) = q.updated_from {
        select = select.filter(C::UpdatedAt.gte(t));
    }
    if let Some(t) = q.updated_to {
        select = select.filter(C::UpdatedAt.lt(t));
    }
    if q.public_only {
        select = select.filter(C::Hidden.eq(false)).filter(C::Flagged.eq(false));
    }
    if let Some(text) = &q.q {
        select = select.filter(
            Cond::any().add(C::SearchKey.like(contains(text))).add(C::TrackingCode.eq(text.to_ascii_uppercase())),
        );
    }
    if !q.tracking_codes.is_empty() {
        select = select.filter(C::TrackingCode.is_in(q.tracking_codes.iter().map(String::as_str)));
    }
    select
}

#[async_trait]
impl FeedbackStore for Db {
    async fn feedback_categories(&self) -> Result<Vec<Category>> {
        Ok(feedback_category::Entity::find()
            .order_by_asc(feedback_category::Column::Sort)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(category_from)
            .collect())
    }

    async fn feedback_seed_categories(&self, categories: &[CategoryInput], audit: AuditDraft) -> Result<u64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        if feedback_category::Entity::find().count(&txn).await.map_err(storage)? > 0 {
            return Ok(0);
        }
        for c in categories {
            category_row(c).insert(&txn).await.map_err(storage)?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(categories.len() as u64)
    }

    async fn feedback_category_put(&self, category: &CategoryInput, audit: AuditDraft) -> Result<Category> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let existing = feedback_category::Entity::find()
            .filter(feedback_category::Column::Code.eq(category.code.as_str()))
            .one(&txn)
            .await
            .map_err(storage)?;
        let mut row = category_row(category);
        let saved = match existing {
            Some(e) => {
                row.id = Set(e.id);
                row.update(&txn).await.map_err(storage)?
            }
            None => row.insert(&txn).await.map_err(storage)?,
        };
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(category_from(saved))
    }

    async fn feedback_routes(&self) -> Result<Vec<Route>> {
        Ok(feedback_route::Entity::find()
            .order_by_asc(feedback_route::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(route_from)
            .collect())
    }

    async fn feedback_route_insert(&self, route: &Route, audit: AuditDraft) -> Result<Route> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let saved = feedback_route::ActiveModel {
            category_id: Set(route.category_id),
            area_org_id: Set(route.area_org_id),
            area_path: Set(route.area_path.clone()),
            handler_org_id: Set(route.handler_org_id),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(route_from(saved))
    }

    async fn feedback_route_delete(&self, id: i64, audit: AuditDraft) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let n = feedback_route::Entity::delete_by_id(id).exec(&txn).await.map_err(storage)?.rows_affected;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(n > 0)
    }

    async fn feedback_insert(
        &self,
        item: &NewFeedback,
        photos: &[NewPhoto],
        event: &NewEvent,
        audit: AuditDraft,
    ) -> Result<Feedback> {
        self.intake((item.clone(), photos.to_vec(), event.clone(), audit)).await
    }

    async fn feedback_get(&self, id: i64) -> Result<Option<Feedback>> {
        feedback_item::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(item_from).transpose()
    }

    async fn feedback_by_code(&self, tracking_code: &str) -> Result<Option<Feedback>> {
        feedback_item::Entity::find()
            .filter(feedback_item::Column::TrackingCode.eq(tracking_code))
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(item_from)
            .transpose()
    }

    async fn feedback_list(&self, q: &FeedbackQuery) -> Result<Page<Feedback>> {
        use feedback_item::Column as C;
        let select = filtered(q, self.backend());
        let select = if q.newest_first {
            select.order_by_desc(C::SubmittedAt).order_by_desc(C::Id)
        } else {
            select.order_by_asc(C::SubmittedAt).order_by_asc(C::Id)
        };
        let (rows, total) = self.paged(select, q.offset, q.limit).await?;
        Ok(Page { items: items_from(rows)?, total, total_capped: false, offset: q.offset, limit: q.limit })
    }

    async fn feedback_update(
        &self,
        item: &Feedback,
        at_version: i32,
        event: &NewEvent,
        mails: &[CitizenMail],
        audit: AuditDraft,
    ) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        if !update_item(&txn, item, at_version).await? {
            return Ok(false);
        }
        insert_event(&txn, item.id, item.status, item.handler_org_id, event).await?;
        for m in mails {
            super::notify::queue_mail(&txn, None, &m.to, &m.subject, &m.body, event.at).await?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn feedback_merge(
        &self,
        duplicate: &Feedback,
        master: &Feedback,
        events: (&NewEvent, &NewEvent),
        audit: AuditDraft,
    ) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        if !update_item(&txn, duplicate, duplicate.row_version).await?
            || !update_item(&txn, master, master.row_version).await?
        {
            return Ok(false); // dropping the transaction rolls the first update back
        }
        insert_event(&txn, duplicate.id, duplicate.status, duplicate.handler_org_id, events.0).await?;
        insert_event(&txn, master.id, master.status, master.handler_org_id, events.1).await?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn feedback_merged_into(&self, master: i64) -> Result<Vec<Feedback>> {
        items_from(
            feedback_item::Entity::find()
                .filter(feedback_item::Column::MergedInto.eq(master))
                .order_by_asc(feedback_item::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn feedback_events(&self, id: i64) -> Result<Vec<FeedbackEvent>> {
        feedback_event::Entity::find()
            .filter(feedback_event::Column::FeedbackId.eq(id))
            .order_by_asc(feedback_event::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(event_from)
            .collect()
    }

    async fn feedback_public_events(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<(FeedbackEvent, String)>> {
        use feedback_event::Column as C;
        let mut select = feedback_event::Entity::find().filter(C::Public.eq(true));
        if let Some(t) = from {
            select = select.filter(C::At.gte(t));
        }
        if let Some(t) = to {
            select = select.filter(C::At.lt(t));
        }
        let events = select
            .order_by_asc(C::At)
            .order_by_asc(C::Id)
            .limit(limit)
            .all(self.connection())
            .await
            .map_err(storage)?;
        let mut ids: Vec<i64> = events.iter().map(|e| e.feedback_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut codes = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            for (id, code, private) in feedback_item::Entity::find()
                .select_only()
                .column(feedback_item::Column::Id)
                .column(feedback_item::Column::TrackingCode)
                .column_as(
                    Expr::col(feedback_item::Column::Hidden).or(Expr::col(feedback_item::Column::Flagged)),
                    "private",
                )
                .filter(feedback_item::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<(i64, String, bool)>()
                .all(self.connection())
                .await
                .map_err(storage)?
            {
                if !private {
                    codes.insert(id, code);
                }
            }
        }
        events
            .into_iter()
            .filter_map(|e| codes.get(&e.feedback_id).cloned().map(|code| (e, code)))
            .map(|(e, code)| Ok((event_from(e)?, code)))
            .collect()
    }

    async fn feedback_photos(&self, id: i64) -> Result<Vec<PhotoMeta>> {
        Ok(feedback_photo::Entity::find()
            .filter(feedback_photo::Column::FeedbackId.eq(id))
            .order_by_asc(feedback_photo::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .iter()
            .map(photo_from)
            .collect())
    }

    async fn feedback_photo(&self, photo_id: i64) -> Result<Option<(PhotoMeta, Vec<u8>)>> {
        let Some(p) = feedback_photo::Entity::find_by_id(photo_id).one(self.connection()).await.map_err(storage)?
        else {
            return Ok(None);
        };
        let data = blob_data(self.connection(), &p.sha256).await.map_err(storage)?;
        Ok(data.map(|d| (photo_from(&p), d)))
    }

    async fn feedback_candidates(&self, area_path: &str, since: DateTime<Utc>, limit: u64) -> Result<Vec<Feedback>> {
        items_from(
            feedback_item::Entity::find()
                .filter(under(feedback_item::Column::AreaPath, area_path))
                .filter(feedback_item::Column::SubmittedAt.gte(since))
                .order_by_desc(feedback_item::Column::SubmittedAt)
                .limit(limit)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn feedback_due_by(&self, until: NaiveDate) -> Result<Vec<Feedback>> {
        items_from(
            feedback_item::Entity::find()
                .filter(feedback_item::Column::Status.is_in(pending_statuses()))
                .filter(feedback_item::Column::DueOn.lte(until))
                .order_by_asc(feedback_item::Column::DueOn)
                .order_by_asc(feedback_item::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn feedback_tally(&self, q: &FeedbackQuery) -> Result<Vec<TallyRow>> {
        use feedback_item::Column as C;
        let rows = filtered(q, self.backend())
            .select_only()
            .columns([
                C::Id,
                C::CategoryId,
                C::AreaPath,
                C::HandlerOrgId,
                C::Status,
                C::SubmittedAt,
                C::DueOn,
                C::ResolvedAt,
            ])
            .into_tuple::<(i64, Option<i64>, String, i64, String, DateTime<Utc>, NaiveDate, Option<DateTime<Utc>>)>()
            .all(self.connection())
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|(id, category_id, area_path, handler_org_id, status, submitted_at, due_on, resolved_at)| {
                Ok(TallyRow {
                    id,
                    category_id,
                    area_path,
                    handler_org_id,
                    status: Status::parse(&status).map_err(|_| DomainError::Storage(format!("status '{status}'")))?,
                    submitted_at,
                    due_on,
                    resolved_at,
                })
            })
            .collect()
    }

    async fn feedback_texts(&self, q: &FeedbackQuery) -> Result<Vec<(Option<i64>, String)>> {
        use feedback_item::Column as C;
        filtered(q, self.backend())
            .select_only()
            .columns([C::CategoryId, C::Description])
            .order_by_desc(C::SubmittedAt)
            .order_by_desc(C::Id)
            .limit(q.limit)
            .into_tuple::<(Option<i64>, String)>()
            .all(self.connection())
            .await
            .map_err(storage)
    }

    async fn feedback_training_examples(&self) -> Result<Vec<(String, String)>> {
        use feedback_item::Column as C;
        let codes: std::collections::HashMap<i64, String> =
            self.feedback_categories().await?.into_iter().map(|c| (c.id, c.code)).collect();
        let rows = feedback_item::Entity::find()
            .select_only()
            .columns([C::Title, C::Description, C::CategoryId])
            .filter(C::CategorySource.eq(CategorySource::Officer.as_str()))
            .order_by_asc(C::Id)
            .into_tuple::<(String, String, Option<i64>)>()
            .all(self.connection())
            .await
            .map_err(storage)?;
        Ok(rows
            .into_iter()
            .filter_map(|(title, description, id)| {
                id.and_then(|id| codes.get(&id)).map(|code| (format!("{title}\n{description}"), code.clone()))
            })
            .collect())
    }

    async fn feedback_confirmed_count(&self) -> Result<i64> {
        let n = feedback_item::Entity::find()
            .filter(feedback_item::Column::CategorySource.eq(CategorySource::Officer.as_str()))
            .count(self.connection())
            .await
            .map_err(storage)?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }

    async fn classifier_latest(&self) -> Result<Option<StoredModel>> {
        Ok(classifier_model::Entity::find()
            .order_by_desc(classifier_model::Column::Id)
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(|m| StoredModel { id: m.id, trained_at: m.trained_at, examples: m.examples, bytes: m.data }))
    }

    async fn classifier_save(
        &self,
        examples: i64,
        bytes: &[u8],
        at: DateTime<Utc>,
        mut audit: AuditDraft,
    ) -> Result<i64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let saved = classifier_model::ActiveModel {
            trained_at: Set(at),
            examples: Set(examples),
            data: Set(bytes.to_vec()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        // Only the newest model is read; older ones go (the audit log keeps the history).
        classifier_model::Entity::delete_many()
            .filter(classifier_model::Column::Id.lt(saved.id))
            .exec(&txn)
            .await
            .map_err(storage)?;
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(saved.id)
    }

    async fn open311_key_insert(&self, name: &str, digest: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<i64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let saved = open311_key::ActiveModel {
            name: Set(name.into()),
            digest: Set(digest.into()),
            created_at: Set(at),
            active: Set(true),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(saved.id)
    }

    async fn open311_key_valid(&self, digest: &str) -> Result<bool> {
        Ok(open311_key::Entity::find()
            .filter(open311_key::Column::Digest.eq(digest))
            .filter(open311_key::Column::Active.eq(true))
            .count(self.connection())
            .await
            .map_err(storage)?
            > 0)
    }
}
