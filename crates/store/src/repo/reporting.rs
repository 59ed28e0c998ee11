//! `impl domain::repo::reporting::ReportStore for Db`: report templates, reports, their
//! submitted versions and workflow history.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition as Cond, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use domain::audit::AuditDraft;
use domain::org::Page;
use domain::repo::reporting::{
    ExpectedReport, NewReport, ReportEvent, ReportFilter, ReportRecord, ReportStore, ReportVersion, StoredTemplate,
};
use domain::reporting::{ReportContent, ReportState, ReportStep, ReportTemplate};
use domain::{DomainError, Result};

use super::append_audit;
use super::work::{from_json, to_json, under};
use crate::entities::reporting::{report, report_event, report_template, report_version};
use crate::{Db, storage};

fn template_from(m: report_template::Model) -> Result<StoredTemplate> {
    Ok(StoredTemplate { id: m.id, row_version: m.row_version, template: from_json(&m.template_json)? })
}

fn record_from(m: report::Model) -> Result<ReportRecord> {
    Ok(ReportRecord {
        id: m.id,
        template_id: m.template_id,
        org_id: m.org_id,
        org_path: m.org_path,
        receiver_org_id: m.receiver_org_id,
        receiver_path: m.receiver_path,
        period: m.period,
        due_on: m.due_on,
        state: ReportState::parse(&m.state)?,
        content: from_json(&m.content_json)?,
        version: m.version,
        first_submitted_at: m.first_submitted_at,
        submitted_at: m.submitted_at,
        accepted_at: m.accepted_at,
        row_version: m.row_version,
        updated_at: m.updated_at,
    })
}

fn version_from(m: report_version::Model) -> Result<ReportVersion> {
    Ok(ReportVersion {
        report_id: m.report_id,
        version: m.version,
        content: from_json(&m.content_json)?,
        figures: from_json(&m.figures_json)?,
        submitted_by: m.submitted_by,
        submitted_by_name: m.submitted_by_name,
        submitted_at: m.submitted_at,
    })
}

fn event_from(m: report_event::Model) -> Result<ReportEvent> {
    Ok(ReportEvent {
        report_id: m.report_id,
        at: m.at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        step: ReportStep::parse(&m.step)?,
        from_state: ReportState::parse(&m.from_state)?,
        to_state: ReportState::parse(&m.to_state)?,
        comment: m.comment,
        version: m.version,
    })
}

#[async_trait]
impl ReportStore for Db {
    async fn report_templates(&self) -> Result<Vec<StoredTemplate>> {
        report_template::Entity::find()
            .order_by_asc(report_template::Column::Code)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(template_from)
            .collect()
    }

    async fn report_template_save(
        &self,
        template: &ReportTemplate,
        row_version: Option<i32>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<StoredTemplate>> {
        use report_template::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let json = to_json(template)?;
        match row_version {
            None => {
                report_template::Entity::insert(report_template::ActiveModel {
                    code: Set(template.code.clone()),
                    template_json: Set(json),
                    row_version: Set(1),
                    updated_at: Set(at),
                    ..Default::default()
                })
                .exec(&txn)
                .await
                .map_err(|e| match e.sql_err() {
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                        DomainError::Conflict(format!("đã có mẫu báo cáo mã {}", template.code))
                    }
                    _ => storage(e),
                })?;
            }
            Some(v) => {
                let res = report_template::Entity::update_many()
                    .col_expr(C::TemplateJson, Expr::value(json))
                    .col_expr(C::RowVersion, Expr::value(v + 1))
                    .col_expr(C::UpdatedAt, Expr::value(at))
                    .filter(C::Code.eq(template.code.as_str()))
                    .filter(C::RowVersion.eq(v))
                    .exec(&txn)
                    .await
                    .map_err(storage)?;
                if res.rows_affected == 0 {
                    return Ok(None);
                }
            }
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        let saved = report_template::Entity::find()
            .filter(C::Code.eq(template.code.as_str()))
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("mẫu báo cáo", template.code.clone()))?;
        txn.commit().await.map_err(storage)?;
        template_from(saved).map(Some)
    }

    async fn reports_open(&self, reports: &[NewReport], at: DateTime<Utc>, audit: AuditDraft) -> Result<Vec<i64>> {
        use report::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut opened = Vec::new();
        for r in reports {
            let exists = report::Entity::find()
                .filter(C::TemplateId.eq(r.template_id))
                .filter(C::OrgId.eq(r.org_id))
                .filter(C::Period.eq(r.period.as_str()))
                .one(&txn)
                .await
                .map_err(storage)?;
            if exists.is_some() {
                continue;
            }
            let res = report::Entity::insert(report::ActiveModel {
                template_id: Set(r.template_id),
                org_id: Set(r.org_id),
                org_path: Set(r.org_path.clone()),
                receiver_org_id: Set(r.receiver_org_id),
                receiver_path: Set(r.receiver_path.clone()),
                period: Set(r.period.clone()),
                period_start: Set(r.period_start),
                due_on: Set(r.due_on),
                state: Set(ReportState::Draft.as_str().into()),
                content_json: Set(to_json(&r.content)?),
                version: Set(0),
                first_submitted_at: Set(None),
                submitted_at: Set(None),
                accepted_at: Set(None),
                row_version: Set(1),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            })
            .exec(&txn)
            .await
            .map_err(storage)?;
            opened.push(res.last_insert_id);
        }
        let mut audit = audit;
        audit.after = Some(serde_json::json!({ "opened": opened.len(), "ids": opened }));
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(opened)
    }

    async fn report_get(&self, id: i64) -> Result<Option<ReportRecord>> {
        report::Entity::find_by_id(id).one(self.connection()).await.map_err(storage)?.map(record_from).transpose()
    }

    async fn report_list(&self, f: &ReportFilter) -> Result<Page<ReportRecord>> {
        use report::Column as C;
        let mut cond = Cond::all();
        if let Some(within) = &f.within {
            cond = cond.add(
                within.iter().fold(Cond::any(), |c, p| c.add(under(C::OrgPath, p)).add(under(C::ReceiverPath, p))),
            );
        }
        if let Some(t) = f.template_id {
            cond = cond.add(C::TemplateId.eq(t));
        }
        if let Some(p) = &f.period {
            cond = cond.add(C::Period.eq(p.as_str()));
        }
        if let Some(s) = f.state {
            cond = cond.add(C::State.eq(s.as_str()));
        }
        if let Some(r) = f.receiver_org_id {
            cond = cond.add(C::ReceiverOrgId.eq(r));
        }
        if let Some(p) = &f.org_path {
            cond = cond.add(under(C::OrgPath, p));
        }
        let select = report::Entity::find()
            .filter(cond)
            .order_by_desc(C::PeriodStart)
            .order_by_asc(C::OrgPath)
            .order_by_asc(C::Id);
        let (rows, total) = self.paged(select, f.offset, f.limit).await?;
        Ok(Page {
            items: rows.into_iter().map(record_from).collect::<Result<_>>()?,
            total,
            total_capped: false,
            offset: f.offset,
            limit: f.limit,
        })
    }

    async fn report_save_content(
        &self,
        id: i64,
        row_version: i32,
        content: &ReportContent,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<ReportRecord>> {
        use report::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let editable = [ReportState::Draft, ReportState::Returned].map(|s| s.as_str());
        let res = report::Entity::update_many()
            .col_expr(C::ContentJson, Expr::value(to_json(content)?))
            .col_expr(C::RowVersion, Expr::value(row_version + 1))
            .col_expr(C::UpdatedAt, Expr::value(at))
            .filter(C::Id.eq(id))
            .filter(C::RowVersion.eq(row_version))
            .filter(C::State.is_in(editable))
            .exec(&txn)
            .await
            .map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        let saved = report::Entity::find_by_id(id).one(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        saved.map(record_from).transpose()
    }

    async fn report_step(
        &self,
        id: i64,
        row_version: i32,
        event: &ReportEvent,
        version: Option<&ReportVersion>,
        audit: AuditDraft,
    ) -> Result<Option<ReportRecord>> {
        use report::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let mut update = report::Entity::update_many()
            .col_expr(C::State, Expr::value(event.to_state.as_str()))
            .col_expr(C::RowVersion, Expr::value(row_version + 1))
            .col_expr(C::UpdatedAt, Expr::value(event.at))
            .filter(C::Id.eq(id))
            .filter(C::RowVersion.eq(row_version))
            .filter(C::State.eq(event.from_state.as_str()));
        if let Some(v) = version {
            update = update
                .col_expr(C::Version, Expr::value(v.version))
                .col_expr(C::SubmittedAt, Expr::value(v.submitted_at))
                .col_expr(
                    C::FirstSubmittedAt,
                    sea_orm::sea_query::ExprTrait::if_null(Expr::col(C::FirstSubmittedAt), Expr::value(v.submitted_at)),
                );
        }
        match event.to_state {
            ReportState::Accepted => update = update.col_expr(C::AcceptedAt, Expr::value(event.at)),
            ReportState::Returned => {
                update = update.col_expr(C::AcceptedAt, Expr::value(Option::<DateTime<Utc>>::None))
            }
            _ => {}
        }
        let res = update.exec(&txn).await.map_err(storage)?;
        if res.rows_affected == 0 {
            return Ok(None);
        }
        if let Some(v) = version {
            report_version::Entity::insert(report_version::ActiveModel {
                report_id: Set(id),
                version: Set(v.version),
                content_json: Set(to_json(&v.content)?),
                figures_json: Set(to_json(&v.figures)?),
                submitted_by: Set(v.submitted_by),
                submitted_by_name: Set(v.submitted_by_name.clone()),
                submitted_at: Set(v.submitted_at),
            })
            .exec(&txn)
            .await
            .map_err(storage)?;
        }
        report_event::Entity::insert(report_event::ActiveModel {
            report_id: Set(id),
            at: Set(event.at),
            actor_id: Set(event.actor_id),
            actor_name: Set(event.actor_name.clone()),
            step: Set(event.step.as_str().into()),
            from_state: Set(event.from_state.as_str().into()),
            to_state: Set(event.to_state.as_str().into()),
            comment: Set(event.comment.clone()),
            version: Set(event.version),
            ..Default::default()
        })
        .exec(&txn)
        .await
        .map_err(storage)?;
        append_audit(&txn, audit).await.map_err(storage)?;
        let saved = report::Entity::find_by_id(id).one(&txn).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        saved.map(record_from).transpose()
    }

    async fn report_versions(&self, id: i64) -> Result<Vec<ReportVersion>> {
        report_version::Entity::find()
            .filter(report_version::Column::ReportId.eq(id))
            .order_by_asc(report_version::Column::Version)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(version_from)
            .collect()
    }

    async fn report_events(&self, id: i64) -> Result<Vec<ReportEvent>> {
        report_event::Entity::find()
            .filter(report_event::Column::ReportId.eq(id))
            .order_by_asc(report_event::Column::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(event_from)
            .collect()
    }

    async fn report_accepted_versions(&self, ids: &[i64]) -> Result<Vec<ReportVersion>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let accepted = report::Entity::find()
                .filter(report::Column::Id.is_in(chunk.iter().copied()))
                .filter(report::Column::State.eq(ReportState::Accepted.as_str()))
                .all(self.connection())
                .await
                .map_err(storage)?;
            if accepted.is_empty() {
                continue;
            }
            let wanted = accepted.iter().fold(Cond::any(), |c, r| {
                c.add(
                    Cond::all()
                        .add(report_version::Column::ReportId.eq(r.id))
                        .add(report_version::Column::Version.eq(r.version)),
                )
            });
            let versions =
                report_version::Entity::find().filter(wanted).all(self.connection()).await.map_err(storage)?;
            for v in versions {
                out.push(version_from(v)?);
            }
        }
        Ok(out)
    }

    async fn reports_due_by(&self, until: chrono::NaiveDate) -> Result<Vec<ReportRecord>> {
        use report::Column as C;
        report::Entity::find()
            .filter(C::State.is_in([ReportState::Draft.as_str(), ReportState::Returned.as_str()]))
            .filter(C::DueOn.lte(until))
            .order_by_asc(C::DueOn)
            .order_by_asc(C::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(record_from)
            .collect()
    }

    async fn report_rounds(
        &self,
        within: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<(i64, String)>> {
        use report::Column as C;
        let rows: Vec<(i64, String, chrono::NaiveDate)> = report::Entity::find()
            .select_only()
            .columns([C::TemplateId, C::Period, C::PeriodStart])
            .distinct()
            .filter(under(C::OrgPath, within))
            .filter(C::OrgPath.ne(within))
            .filter(C::PeriodStart.gte(from))
            .filter(C::PeriodStart.lte(to))
            .order_by_desc(C::PeriodStart)
            .order_by_asc(C::TemplateId)
            .order_by_asc(C::Period)
            .into_tuple()
            .all(self.connection())
            .await
            .map_err(storage)?;
        Ok(rows.into_iter().map(|(template, period, _)| (template, period)).collect())
    }

    async fn reports_expected(&self, template_id: i64, period: &str, within: &str) -> Result<Vec<ExpectedReport>> {
        use report::Column as C;
        type Row = (i64, i64, String, i64, String, chrono::NaiveDate, Option<DateTime<Utc>>);
        // Only the columns counted: a national round is thousands of reports with long texts.
        let rows: Vec<Row> = report::Entity::find()
            .select_only()
            .columns([C::Id, C::OrgId, C::OrgPath, C::ReceiverOrgId, C::State, C::DueOn, C::FirstSubmittedAt])
            .filter(C::TemplateId.eq(template_id))
            .filter(C::Period.eq(period))
            .filter(under(C::OrgPath, within))
            .order_by_asc(C::OrgPath)
            .into_tuple()
            .all(self.connection())
            .await
            .map_err(storage)?;
        rows.into_iter()
            .map(|(id, org_id, org_path, receiver_org_id, state, due_on, first_submitted_at)| {
                Ok(ExpectedReport {
                    id,
                    org_id,
                    org_path,
                    receiver_org_id,
                    state: ReportState::parse(&state)?,
                    due_on,
                    first_submitted_at,
                })
            })
            .collect()
    }
}
