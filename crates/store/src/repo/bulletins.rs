//! `impl domain::repo::bulletins::BulletinStore for Db`: bulletin versions, their publication
//! (one `INSERT … SELECT` delivers a version to every receiving unit under its targets),
//! attachments, deliveries and acknowledgements, stations and playlists, CAP messages.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use domain::audit::AuditDraft;
use domain::bulletins::{
    AlertFacts, Attachment, Broadcast, BroadcastInput, Bulletin, CapMessage, Category, DeliveryRecord, MsgType,
    Station, StationInput, Status,
};
use domain::org::{OrgId, OrgType, Page};
use domain::repo::bulletins::{
    BulletinQuery, BulletinStore, InboxItem, InboxQuery, NewBulletin, NewCapMessage, PendingAck, PortalQuery,
    Publication,
};
use domain::{DomainError, Result};

use super::registries::contains;
use super::work::under;
use super::{BATCH, append_audit, blob_data, put_blob, valid_on};
use crate::entities::bulletins::{
    broadcast, bulletin, bulletin_attachment, bulletin_delivery, bulletin_site, cap_message, station,
};
use crate::entities::org_unit;
use crate::{Db, storage};

fn corrupt(what: &str, value: &str) -> DomainError {
    DomainError::Storage(format!("{what} '{value}'"))
}

fn bulletin_from(m: bulletin::Model) -> Result<Bulletin> {
    let alert: Option<AlertFacts> = match &m.alert_json {
        Some(j) => Some(serde_json::from_str(j).map_err(|_| corrupt("alert_json", j))?),
        None => None,
    };
    Ok(Bulletin {
        id: m.id,
        series_id: m.series_id,
        version: m.version,
        source_id: m.source_id,
        origin_org_id: m.origin_org_id,
        origin_path: m.origin_path,
        title: m.title,
        body: m.body,
        spoken: m.spoken,
        category: Category::parse(&m.category).map_err(|_| corrupt("category", &m.category))?,
        status: Status::parse(&m.status).map_err(|_| corrupt("status", &m.status))?,
        publish_at: m.publish_at,
        published_at: m.published_at,
        expires_at: m.expires_at,
        withdrawn_at: m.withdrawn_at,
        alert,
        targets: serde_json::from_str(&m.targets_json).unwrap_or_default(),
        levels: serde_json::from_str(&m.levels_json).map_err(|_| corrupt("levels_json", &m.levels_json))?,
        author_id: m.author_id,
        author: m.author,
        approved_by: m.approved_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        row_version: m.row_version,
        portal_views: m.portal_views,
    })
}

fn bulletins_from(rows: Vec<bulletin::Model>) -> Result<Vec<Bulletin>> {
    rows.into_iter().map(bulletin_from).collect()
}

fn attachment_from(m: &bulletin_attachment::Model) -> Attachment {
    Attachment {
        id: m.id,
        bulletin_id: m.bulletin_id,
        name: m.name.clone(),
        content_type: m.content_type.clone(),
        size: m.size,
    }
}

fn station_from(m: station::Model) -> Station {
    Station { id: m.id, org_id: m.org_id, org_path: m.org_path, name: m.name, active: m.active }
}

fn broadcast_from(m: broadcast::Model) -> Broadcast {
    Broadcast {
        id: m.id,
        bulletin_id: m.bulletin_id,
        station_id: m.station_id,
        org_id: m.org_id,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        times: u32::try_from(m.times).unwrap_or(0),
        aired: m.aired,
        recorded_by: m.recorded_by,
        recorded_at: m.recorded_at,
    }
}

fn cap_from(m: cap_message::Model) -> Result<CapMessage> {
    Ok(CapMessage {
        id: m.id,
        identifier: m.identifier,
        sender: m.sender,
        sent: m.sent,
        msg_type: MsgType::parse(&m.msg_type).map_err(|_| corrupt("msg_type", &m.msg_type))?,
        bulletin_id: m.bulletin_id,
        series_id: m.series_id,
        authority_code: m.authority_code,
        references: serde_json::from_str(&m.references_json).unwrap_or_default(),
        expires_at: m.expires_at,
    })
}

fn caps_from(rows: Vec<cap_message::Model>) -> Result<Vec<CapMessage>> {
    rows.into_iter().map(cap_from).collect()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| DomainError::Storage(e.to_string()))
}

fn within(col: bulletin_delivery::Column, paths: &[String]) -> Cond {
    paths.iter().fold(Cond::any(), |c, p| c.add(under(col, p)))
}

async fn insert_cap(txn: &DatabaseTransaction, c: &NewCapMessage, bulletin_id: i64, series_id: i64) -> Result<()> {
    cap_message::ActiveModel {
        identifier: Set(c.identifier.clone()),
        sender: Set(c.sender.clone()),
        sent: Set(c.sent),
        msg_type: Set(c.msg_type.as_str().into()),
        bulletin_id: Set(bulletin_id),
        series_id: Set(series_id),
        authority_code: Set(c.authority_code.clone()),
        references_json: Set(json(&c.references)?),
        expires_at: Set(c.expires_at),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(storage)?;
    Ok(())
}

impl Db {
    /// Deliveries with their unit's code and name and the broadcasts aired there.
    async fn deliveries_where(&self, bulletin_id: i64, cond: Cond) -> Result<Vec<DeliveryRecord>> {
        use bulletin_delivery::Column as C;
        let rows = bulletin_delivery::Entity::find()
            .filter(C::BulletinId.eq(bulletin_id))
            .filter(cond)
            .order_by_asc(C::OrgPath)
            .all(self.connection())
            .await
            .map_err(storage)?;
        self.delivery_records(rows).await
    }

    async fn delivery_records(&self, rows: Vec<bulletin_delivery::Model>) -> Result<Vec<DeliveryRecord>> {
        #[derive(FromQueryResult)]
        struct Aired {
            bulletin_id: i64,
            org_id: i64,
            n: i64,
        }
        let mut units: HashMap<OrgId, (String, String)> = HashMap::new();
        let ids: Vec<OrgId> = rows.iter().map(|r| r.org_id).collect();
        for chunk in ids.chunks(BATCH) {
            let found = org_unit::Entity::find()
                .filter(org_unit::Column::Id.is_in(chunk.to_vec()))
                .all(self.connection())
                .await
                .map_err(storage)?;
            units.extend(found.into_iter().map(|u| (u.id, (u.code, u.name))));
        }
        let mut bulletins: Vec<i64> = rows.iter().map(|r| r.bulletin_id).collect();
        bulletins.sort_unstable();
        bulletins.dedup();
        let mut aired: HashMap<(i64, OrgId), u32> = HashMap::new();
        for chunk in bulletins.chunks(BATCH) {
            let found = broadcast::Entity::find()
                .select_only()
                .column(broadcast::Column::BulletinId)
                .column(broadcast::Column::OrgId)
                .column_as(broadcast::Column::Id.count(), "n")
                .filter(broadcast::Column::BulletinId.is_in(chunk.to_vec()))
                .filter(broadcast::Column::Aired.eq(true))
                .group_by(broadcast::Column::BulletinId)
                .group_by(broadcast::Column::OrgId)
                .into_model::<Aired>()
                .all(self.connection())
                .await
                .map_err(storage)?;
            aired.extend(found.into_iter().map(|a| ((a.bulletin_id, a.org_id), u32::try_from(a.n).unwrap_or(0))));
        }
        rows.into_iter()
            .map(|r| {
                let (code, name) = units.get(&r.org_id).cloned().unwrap_or_default();
                Ok(DeliveryRecord {
                    bulletin_id: r.bulletin_id,
                    org_id: r.org_id,
                    org_code: code,
                    org_name: name,
                    org_type: OrgType::parse(&r.org_type)?,
                    broadcasts: aired.get(&(r.bulletin_id, r.org_id)).copied().unwrap_or(0),
                    org_path: r.org_path,
                    delivered_at: r.delivered_at,
                    opened_at: r.opened_at,
                    acknowledged_at: r.acknowledged_at,
                    acknowledged_by: r.acknowledged_by,
                })
            })
            .collect()
    }
}

#[async_trait]
impl BulletinStore for Db {
    async fn bulletin_insert(&self, b: &NewBulletin, mut audit: AuditDraft) -> Result<Bulletin> {
        let i = &b.input;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let row = bulletin::ActiveModel {
            series_id: Set(b.series_id.unwrap_or(0)),
            version: Set(b.version),
            source_id: Set(b.source_id),
            origin_org_id: Set(b.origin_org_id),
            origin_path: Set(b.origin_path.clone()),
            title: Set(i.title.clone()),
            body: Set(i.body.clone()),
            spoken: Set(i.spoken.clone()),
            category: Set(i.category.as_str().into()),
            search_key: Set(b.search_key.clone()),
            status: Set(Status::Draft.as_str().into()),
            publish_at: Set(i.publish_at),
            published_at: Set(None),
            expires_at: Set(i.expires_at),
            withdrawn_at: Set(None),
            alert_json: Set(i.alert.as_ref().map(json).transpose()?),
            targets_json: Set(json(&i.targets)?),
            levels_json: Set(json(&i.levels)?),
            author_id: Set(b.author_id),
            author: Set(b.author.clone()),
            approved_by: Set(None),
            created_at: Set(b.at),
            updated_at: Set(b.at),
            row_version: Set(1),
            portal_views: Set(0),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        let row = if b.series_id.is_none() {
            let mut fix: bulletin::ActiveModel = row.into();
            fix.series_id = Set(*fix.id.as_ref());
            fix.update(&txn).await.map_err(storage)?
        } else {
            row
        };
        if let Some(from) = b.copy_attachments_of {
            let files = bulletin_attachment::Entity::find()
                .filter(bulletin_attachment::Column::BulletinId.eq(from))
                .order_by_asc(bulletin_attachment::Column::Id)
                .all(&txn)
                .await
                .map_err(storage)?;
            for f in files {
                bulletin_attachment::ActiveModel {
                    bulletin_id: Set(row.id),
                    name: Set(f.name),
                    content_type: Set(f.content_type),
                    size: Set(f.size),
                    sha256: Set(f.sha256),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .map_err(storage)?;
            }
        }
        audit.entity_id = Some(row.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        bulletin_from(row)
    }

    async fn bulletin_get(&self, id: i64) -> Result<Option<Bulletin>> {
        bulletin::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(bulletin_from).transpose()
    }

    async fn bulletin_many(&self, ids: &[i64]) -> Result<Vec<Bulletin>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(BATCH) {
            let rows = bulletin::Entity::find()
                .filter(bulletin::Column::Id.is_in(chunk.to_vec()))
                .all(self.connection())
                .await
                .map_err(storage)?;
            out.extend(bulletins_from(rows)?);
        }
        Ok(out)
    }

    async fn bulletin_series(&self, series_id: i64) -> Result<Vec<Bulletin>> {
        bulletins_from(
            bulletin::Entity::find()
                .filter(bulletin::Column::SeriesId.eq(series_id))
                .order_by_asc(bulletin::Column::Version)
                .order_by_asc(bulletin::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn bulletin_relays(&self, source_ids: &[i64]) -> Result<Vec<Bulletin>> {
        if source_ids.is_empty() {
            return Ok(Vec::new());
        }
        bulletins_from(
            bulletin::Entity::find()
                .filter(bulletin::Column::SourceId.is_in(source_ids.to_vec()))
                .order_by_asc(bulletin::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn bulletin_update(&self, b: &Bulletin, expected: i32, audit: AuditDraft) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let row = bulletin::ActiveModel {
            title: Set(b.title.clone()),
            body: Set(b.body.clone()),
            spoken: Set(b.spoken.clone()),
            category: Set(b.category.as_str().into()),
            search_key: Set(textvi::fold(&format!(
                "{} {} {}",
                b.title,
                b.body,
                b.alert.as_ref().map_or("", |a| a.event.as_str())
            ))),
            status: Set(b.status.as_str().into()),
            publish_at: Set(b.publish_at),
            expires_at: Set(b.expires_at),
            withdrawn_at: Set(b.withdrawn_at),
            alert_json: Set(b.alert.as_ref().map(json).transpose()?),
            targets_json: Set(json(&b.targets)?),
            levels_json: Set(json(&b.levels)?),
            approved_by: Set(b.approved_by.clone()),
            updated_at: Set(b.updated_at),
            row_version: Set(expected + 1),
            ..Default::default()
        };
        let n = bulletin::Entity::update_many()
            .set(row)
            .filter(bulletin::Column::Id.eq(b.id))
            .filter(bulletin::Column::RowVersion.eq(expected))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if n.rows_affected == 0 {
            return Ok(false);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn bulletin_publish(&self, p: &Publication, audit: AuditDraft) -> Result<bool> {
        use bulletin::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let Some(current) = bulletin::Entity::find_by_id(p.bulletin_id).one(&txn).await.map_err(storage)? else {
            return Ok(false);
        };
        let n = bulletin::Entity::update_many()
            .col_expr(C::Status, Expr::value(Status::Published.as_str()))
            .col_expr(C::PublishedAt, Expr::value(p.at))
            .col_expr(C::ApprovedBy, Expr::value(p.approved_by.clone()))
            .col_expr(C::UpdatedAt, Expr::value(p.at))
            .col_expr(C::RowVersion, Expr::value(p.expected_row_version + 1))
            .filter(C::Id.eq(p.bulletin_id))
            .filter(C::RowVersion.eq(p.expected_row_version))
            .filter(C::Status.is_in([Status::Submitted.as_str(), Status::Approved.as_str()]))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if n.rows_affected == 0 {
            return Ok(false);
        }
        if let Some(old) = p.supersedes {
            bulletin::Entity::update_many()
                .col_expr(C::Status, Expr::value(Status::Superseded.as_str()))
                .col_expr(C::UpdatedAt, Expr::value(p.at))
                .col_expr(C::RowVersion, Expr::col(C::RowVersion).add(1))
                .filter(C::Id.eq(old))
                .filter(C::Status.eq(Status::Published.as_str()))
                .exec(&txn)
                .await
                .map_err(storage)?;
        }
        // Every receiving unit under the targets, in one statement on the server.
        if !p.target_paths.is_empty() {
            use org_unit::Column as O;
            let places = p.target_paths.iter().fold(Cond::any(), |c, path| c.add(under(O::Path, path)));
            let levels: Vec<&str> = p.levels.iter().map(|l| l.as_str()).collect();
            let select = Query::select()
                .expr(Expr::value(p.bulletin_id))
                .column(O::Id)
                .column(O::Path)
                .column(O::OrgType)
                .expr(Expr::value(p.at))
                .from(org_unit::Entity)
                .cond_where(
                    Cond::all()
                        .add(O::OrgType.is_in(levels))
                        .add(O::Id.ne(p.origin_org_id))
                        .add(valid_on(p.on))
                        .add(places),
                )
                .to_owned();
            let insert = Query::insert()
                .into_table(bulletin_delivery::Entity)
                .columns([
                    bulletin_delivery::Column::BulletinId,
                    bulletin_delivery::Column::OrgId,
                    bulletin_delivery::Column::OrgPath,
                    bulletin_delivery::Column::OrgType,
                    bulletin_delivery::Column::DeliveredAt,
                ])
                .select_from(select)
                .map_err(|e| DomainError::Storage(e.to_string()))?
                .to_owned();
            txn.execute(&insert).await.map_err(storage)?;
        }
        for site in &p.sites {
            bulletin_site::ActiveModel {
                site: Set(site.clone()),
                bulletin_id: Set(p.bulletin_id),
                published_at: Set(p.at),
            }
            .insert(&txn)
            .await
            .map_err(storage)?;
        }
        if let Some(cap) = &p.cap {
            insert_cap(&txn, cap, p.bulletin_id, current.series_id).await?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn bulletin_withdraw(
        &self,
        b: &Bulletin,
        expected: i32,
        cap: Option<NewCapMessage>,
        audit: AuditDraft,
    ) -> Result<bool> {
        use bulletin::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let n = bulletin::Entity::update_many()
            .col_expr(C::Status, Expr::value(b.status.as_str()))
            .col_expr(C::WithdrawnAt, Expr::value(b.withdrawn_at))
            .col_expr(C::UpdatedAt, Expr::value(b.updated_at))
            .col_expr(C::RowVersion, Expr::value(expected + 1))
            .filter(C::Id.eq(b.id))
            .filter(C::RowVersion.eq(expected))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if n.rows_affected == 0 {
            return Ok(false);
        }
        if let Some(cap) = &cap {
            insert_cap(&txn, cap, b.id, b.series_id).await?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn bulletin_list(&self, q: &BulletinQuery) -> Result<Page<Bulletin>> {
        use bulletin::Column as C;
        let mut select = bulletin::Entity::find();
        if let Some(paths) = &q.within_paths {
            let delivered = Query::select()
                .column(bulletin_delivery::Column::BulletinId)
                .from(bulletin_delivery::Entity)
                .cond_where(within(bulletin_delivery::Column::OrgPath, paths))
                .to_owned();
            let own = paths.iter().fold(Cond::any(), |c, p| c.add(under(C::OriginPath, p)));
            select = select.filter(Cond::any().add(own).add(C::Id.in_subquery(delivered)));
        }
        if let Some(p) = &q.origin_path {
            select = select.filter(under(C::OriginPath, p));
        }
        if !q.statuses.is_empty() {
            select = select.filter(C::Status.is_in(q.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        }
        if let Some(c) = q.category {
            select = select.filter(C::Category.eq(c.as_str()));
        }
        if let Some(text) = &q.q {
            select = select.filter(C::SearchKey.like(contains(text)));
        }
        if q.latest_only {
            // No later version of the same series.
            let later = Query::select()
                .expr(Expr::val(1))
                .from_as(bulletin::Entity, "later")
                .and_where(Expr::col(("later", C::SeriesId)).equals((bulletin::Entity, C::SeriesId)))
                .and_where(Expr::col(("later", C::Version)).gt(Expr::col((bulletin::Entity, C::Version))))
                .to_owned();
            select = select.filter(Expr::exists(later).not());
        }
        if let Some(from) = q.published_from {
            select = select.filter(C::PublishedAt.gte(from));
        }
        if let Some(to) = q.published_to {
            select = select.filter(C::PublishedAt.lt(to));
        }
        let select = select.order_by_desc(C::UpdatedAt).order_by_desc(C::Id);
        let (rows, total) = self.paged(select, q.offset, q.limit).await?;
        Ok(Page { items: bulletins_from(rows)?, total, total_capped: false, offset: q.offset, limit: q.limit })
    }

    async fn bulletins_due(&self, now: DateTime<Utc>) -> Result<Vec<Bulletin>> {
        bulletins_from(
            bulletin::Entity::find()
                .filter(bulletin::Column::Status.eq(Status::Approved.as_str()))
                .filter(bulletin::Column::PublishAt.lte(now))
                .order_by_asc(bulletin::Column::PublishAt)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn portal_bulletins(&self, q: &PortalQuery) -> Result<Vec<Bulletin>> {
        use bulletin::Column as C;
        let on_site = Query::select()
            .column(bulletin_site::Column::BulletinId)
            .from(bulletin_site::Entity)
            .and_where(bulletin_site::Column::Site.eq(q.site.as_str()))
            .to_owned();
        let mut select = bulletin::Entity::find()
            .filter(C::Id.in_subquery(on_site))
            .filter(C::Status.eq(Status::Published.as_str()))
            .filter(Cond::any().add(C::ExpiresAt.is_null()).add(C::ExpiresAt.gt(q.now)));
        if let Some(c) = q.category {
            select = select.filter(C::Category.eq(c.as_str()));
        }
        if let Some(text) = &q.q {
            select = select.filter(C::SearchKey.like(contains(text)));
        }
        bulletins_from(
            select
                .order_by_desc(C::PublishedAt)
                .order_by_desc(C::Id)
                .limit(q.limit)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn bulletin_sites(&self, bulletin_id: i64) -> Result<Vec<String>> {
        Ok(bulletin_site::Entity::find()
            .filter(bulletin_site::Column::BulletinId.eq(bulletin_id))
            .order_by_asc(bulletin_site::Column::Site)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|s| s.site)
            .collect())
    }

    async fn add_portal_views(&self, counts: &[(i64, u64)]) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        for (id, n) in counts {
            bulletin::Entity::update_many()
                .col_expr(
                    bulletin::Column::PortalViews,
                    Expr::col(bulletin::Column::PortalViews).add(i64::try_from(*n).unwrap_or(i64::MAX)),
                )
                .filter(bulletin::Column::Id.eq(*id))
                .exec(&txn)
                .await
                .map_err(storage)?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn attachments(&self, bulletin_id: i64) -> Result<Vec<Attachment>> {
        Ok(bulletin_attachment::Entity::find()
            .filter(bulletin_attachment::Column::BulletinId.eq(bulletin_id))
            .order_by_asc(bulletin_attachment::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .iter()
            .map(attachment_from)
            .collect())
    }

    async fn attachment_add(
        &self,
        bulletin_id: i64,
        name: &str,
        content_type: &str,
        bytes: &[u8],
        audit: AuditDraft,
    ) -> Result<Attachment> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let digest = put_blob(&txn, bytes).await.map_err(storage)?;
        let row = bulletin_attachment::ActiveModel {
            bulletin_id: Set(bulletin_id),
            name: Set(name.into()),
            content_type: Set(content_type.into()),
            size: Set(bytes.len() as i64),
            sha256: Set(digest),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(attachment_from(&row))
    }

    async fn attachment_remove(&self, id: i64, audit: AuditDraft) -> Result<()> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        bulletin_attachment::Entity::delete_by_id(id).exec(&txn).await.map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn attachment_data(&self, id: i64) -> Result<Option<(Attachment, Vec<u8>)>> {
        let Some(row) = bulletin_attachment::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?
        else {
            return Ok(None);
        };
        let data = blob_data(self.connection(), &row.sha256).await.map_err(storage)?;
        Ok(data.map(|d| (attachment_from(&row), d)))
    }

    async fn deliveries(&self, bulletin_id: i64, within_paths: Option<&[String]>) -> Result<Vec<DeliveryRecord>> {
        let cond = match within_paths {
            Some(paths) => within(bulletin_delivery::Column::OrgPath, paths),
            None => Cond::all(),
        };
        self.deliveries_where(bulletin_id, cond).await
    }

    async fn delivery_get(&self, bulletin_id: i64, org_id: OrgId) -> Result<Option<DeliveryRecord>> {
        Ok(self
            .deliveries_where(bulletin_id, Cond::all().add(bulletin_delivery::Column::OrgId.eq(org_id)))
            .await?
            .into_iter()
            .next())
    }

    async fn inbox(&self, q: &InboxQuery) -> Result<Page<InboxItem>> {
        use bulletin_delivery::Column as C;
        let mut select = bulletin_delivery::Entity::find().filter(within(C::OrgPath, &q.within_paths));
        if let Some(org) = q.org_id {
            select = select.filter(C::OrgId.eq(org));
        }
        if q.unacknowledged {
            select = select.filter(C::AcknowledgedAt.is_null());
        }
        let select = select.order_by_desc(C::DeliveredAt).order_by_desc(C::BulletinId).order_by_asc(C::OrgPath);
        let (rows, total) = self.paged(select, q.offset, q.limit).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.bulletin_id).collect();
        let bulletins: HashMap<i64, Bulletin> =
            self.bulletin_many(&ids).await?.into_iter().map(|b| (b.id, b)).collect();
        let items = self
            .delivery_records(rows)
            .await?
            .into_iter()
            .filter_map(|d| bulletins.get(&d.bulletin_id).cloned().map(|b| InboxItem { bulletin: b, delivery: d }))
            .collect();
        Ok(Page { items, total, total_capped: false, offset: q.offset, limit: q.limit })
    }

    async fn delivery_opened(&self, bulletin_id: i64, org_id: OrgId, at: DateTime<Utc>) -> Result<()> {
        use bulletin_delivery::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        bulletin_delivery::Entity::update_many()
            .col_expr(C::OpenedAt, Expr::value(at))
            .filter(C::BulletinId.eq(bulletin_id))
            .filter(C::OrgId.eq(org_id))
            .filter(C::OpenedAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn delivery_acknowledge(
        &self,
        bulletin_id: i64,
        org_id: OrgId,
        at: DateTime<Utc>,
        by: &str,
        audit: AuditDraft,
    ) -> Result<bool> {
        use bulletin_delivery::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let n = bulletin_delivery::Entity::update_many()
            .col_expr(C::AcknowledgedAt, Expr::value(at))
            .col_expr(C::AcknowledgedBy, Expr::value(by))
            .col_expr(C::OpenedAt, Expr::cust_with_exprs("COALESCE($1, $2)", [Expr::col(C::OpenedAt), Expr::value(at)]))
            .filter(C::BulletinId.eq(bulletin_id))
            .filter(C::OrgId.eq(org_id))
            .filter(C::AcknowledgedAt.is_null())
            .exec(&txn)
            .await
            .map_err(storage)?;
        if n.rows_affected == 0 {
            return Ok(false);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn unacknowledged(
        &self,
        published_from: DateTime<Utc>,
        published_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingAck>> {
        use bulletin::Column as B;
        let current = bulletins_from(
            bulletin::Entity::find()
                .filter(B::Status.eq(Status::Published.as_str()))
                .filter(B::PublishedAt.gte(published_from))
                .filter(B::PublishedAt.lte(published_before))
                .filter(Cond::any().add(B::ExpiresAt.is_null()).add(B::ExpiresAt.gt(now)))
                .all(self.connection())
                .await
                .map_err(storage)?,
        )?;
        let mut out = Vec::new();
        for b in current {
            let rows = bulletin_delivery::Entity::find()
                .filter(bulletin_delivery::Column::BulletinId.eq(b.id))
                .filter(bulletin_delivery::Column::AcknowledgedAt.is_null())
                .order_by_asc(bulletin_delivery::Column::OrgPath)
                .all(self.connection())
                .await
                .map_err(storage)?;
            out.extend(rows.into_iter().map(|d| PendingAck {
                bulletin_id: b.id,
                title: b.title.clone(),
                category: b.category,
                published_at: b.published_at.unwrap_or(d.delivered_at),
                org_id: d.org_id,
                org_path: d.org_path,
            }));
        }
        Ok(out)
    }

    async fn stations(&self, within_path: &str) -> Result<Vec<Station>> {
        Ok(station::Entity::find()
            .filter(under(station::Column::OrgPath, within_path))
            .order_by_asc(station::Column::OrgPath)
            .order_by_asc(station::Column::Name)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(station_from)
            .collect())
    }

    async fn station_get(&self, id: i64) -> Result<Option<Station>> {
        Ok(station::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(station_from))
    }

    async fn station_save(
        &self,
        id: Option<i64>,
        org_id: OrgId,
        org_path: &str,
        s: &StationInput,
        mut audit: AuditDraft,
    ) -> Result<Station> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let row = station::ActiveModel {
            id: id.map_or(sea_orm::ActiveValue::NotSet, Set),
            org_id: Set(org_id),
            org_path: Set(org_path.into()),
            name: Set(s.name.clone()),
            active: Set(s.active),
        };
        let saved = if id.is_some() { row.update(&txn).await } else { row.insert(&txn).await }.map_err(storage)?;
        audit.entity_id = Some(saved.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(station_from(saved))
    }

    async fn broadcast_add(
        &self,
        b: &BroadcastInput,
        org_id: OrgId,
        by: &str,
        at: DateTime<Utc>,
        mut audit: AuditDraft,
    ) -> Result<Broadcast> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let row = broadcast::ActiveModel {
            bulletin_id: Set(b.bulletin_id),
            station_id: Set(b.station_id),
            org_id: Set(org_id),
            starts_at: Set(b.starts_at),
            ends_at: Set(b.ends_at),
            times: Set(i32::try_from(b.times).unwrap_or(i32::MAX)),
            aired: Set(b.aired),
            recorded_by: Set(by.into()),
            recorded_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        audit.entity_id = Some(row.id.to_string());
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(broadcast_from(row))
    }

    async fn broadcast_get(&self, id: i64) -> Result<Option<Broadcast>> {
        Ok(broadcast::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(broadcast_from))
    }

    async fn broadcast_aired(&self, id: i64, by: &str, at: DateTime<Utc>, audit: AuditDraft) -> Result<Broadcast> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let row = broadcast::ActiveModel {
            id: Set(id),
            aired: Set(true),
            recorded_by: Set(by.into()),
            recorded_at: Set(at),
            ..Default::default()
        }
        .update(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(broadcast_from(row))
    }

    async fn playlist(&self, station_id: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Broadcast>> {
        use broadcast::Column as C;
        Ok(broadcast::Entity::find()
            .filter(C::StationId.eq(station_id))
            .filter(C::StartsAt.lt(to))
            .filter(C::EndsAt.gt(from))
            .order_by_asc(C::StartsAt)
            .order_by_asc(C::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(broadcast_from)
            .collect())
    }

    async fn broadcasts_of(&self, bulletin_id: i64) -> Result<Vec<Broadcast>> {
        Ok(broadcast::Entity::find()
            .filter(broadcast::Column::BulletinId.eq(bulletin_id))
            .order_by_asc(broadcast::Column::StartsAt)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(broadcast_from)
            .collect())
    }

    async fn cap_messages(&self, authority_code: &str) -> Result<Vec<CapMessage>> {
        caps_from(
            cap_message::Entity::find()
                .filter(cap_message::Column::AuthorityCode.eq(authority_code))
                .order_by_asc(cap_message::Column::Sent)
                .order_by_asc(cap_message::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn cap_messages_of_series(&self, series_id: i64) -> Result<Vec<CapMessage>> {
        caps_from(
            cap_message::Entity::find()
                .filter(cap_message::Column::SeriesId.eq(series_id))
                .order_by_asc(cap_message::Column::Sent)
                .order_by_asc(cap_message::Column::Id)
                .all(self.connection())
                .await
                .map_err(storage)?,
        )
    }

    async fn cap_message(&self, identifier: &str) -> Result<Option<CapMessage>> {
        cap_message::Entity::find()
            .filter(cap_message::Column::Identifier.eq(identifier))
            .one(self.connection())
            .await
            .map_err(storage)?
            .map(cap_from)
            .transpose()
    }
}
