//! `impl domain::repo::indicators::IndicatorStore for Db`: indicator definitions, targets and
//! recorded values.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use domain::audit::AuditDraft;
use domain::indicators::{AggregationRule, Formula, Indicator, IndicatorCode, PeriodType, Unit, ValueType};
use domain::org::OrgId;
use domain::repo::indicators::{
    IndicatorStore, StoredIndicator, StoredValue, TargetRecord, ValuePoint, ValueRecord, WriteCounts,
};
use domain::users::UserId;
use domain::{DomainError, Result};

use super::append_audit;
use crate::entities::indicators::{data_value, indicator, indicator_target};
use crate::{Db, storage};

/// Values per statement: 11 columns each, well under SQLite's and PostgreSQL's bind limits.
const VALUES_PER_STATEMENT: usize = 1000;

fn corrupt(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::Storage(format!("{what}: {e}"))
}

fn indicator_from(m: indicator::Model) -> Result<StoredIndicator> {
    let aggregation: AggregationRule =
        serde_json::from_str(&m.aggregation_json).map_err(|e| corrupt("aggregation_json", e))?;
    Ok(StoredIndicator {
        id: m.id,
        row_version: m.row_version,
        updated_at: m.updated_at,
        def: Indicator {
            code: IndicatorCode::parse(&m.code)?,
            name: m.name,
            description: m.description,
            unit: Unit::parse(&m.unit)?,
            value_type: ValueType::parse(&m.value_type)?,
            aggregation,
            period_type: PeriodType::parse(&m.period_type)?,
            formula: m.formula.as_deref().map(Formula::parse).transpose()?,
            expected_min: m.expected_min,
            expected_max: m.expected_max,
            cite: m.cite,
        },
    })
}

fn record_from(m: &data_value::Model) -> ValueRecord {
    ValueRecord {
        indicator_id: m.indicator_id,
        org_id: m.org_id,
        period: m.period.clone(),
        period_start: m.period_start,
        period_months: m.period_months,
        value: m.value,
        text_value: m.text_value.clone(),
        comment: m.comment.clone(),
        flagged: m.flagged,
    }
}

fn stored_from(m: data_value::Model) -> StoredValue {
    StoredValue { record: record_from(&m), stored_by: m.stored_by, stored_at: m.stored_at }
}

fn distinct<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v.dedup();
    v
}

/// The stored rows among `rows`' keys, by key. One query per chunk over the primary key's
/// columns (indicators × units × periods of the chunk: a superset, narrowed here), which both
/// databases serve from the key's index.
async fn existing(
    txn: &DatabaseTransaction,
    rows: &[ValueRecord],
) -> std::result::Result<HashMap<(i64, i64, String), ValueRecord>, sea_orm::DbErr> {
    use data_value::Column as C;
    let indicators = distinct(rows.iter().map(|r| r.indicator_id).collect());
    let orgs = distinct(rows.iter().map(|r| r.org_id).collect());
    let periods = distinct(rows.iter().map(|r| r.period.clone()).collect());
    let wanted: std::collections::HashSet<(i64, i64, &str)> =
        rows.iter().map(|r| (r.indicator_id, r.org_id, r.period.as_str())).collect();
    let found = data_value::Entity::find()
        .filter(C::IndicatorId.is_in(indicators))
        .filter(C::OrgId.is_in(orgs))
        .filter(C::Period.is_in(periods))
        .all(txn)
        .await?;
    Ok(found
        .iter()
        .filter(|m| wanted.contains(&(m.indicator_id, m.org_id, m.period.as_str())))
        .map(|m| ((m.indicator_id, m.org_id, m.period.clone()), record_from(m)))
        .collect())
}

/// Writes (insert or replace) values inside `txn` and counts what changed; rows equal to the
/// stored ones are left alone. With `dry_run` only counts. The one value-writing path: DHIS2
/// imports and the registry-derived figures both go through it.
pub(super) async fn write_values(
    txn: &DatabaseTransaction,
    rows: &[ValueRecord],
    stored_by: UserId,
    at: DateTime<Utc>,
    dry_run: bool,
) -> std::result::Result<WriteCounts, sea_orm::DbErr> {
    use data_value::Column as C;
    let mut counts = WriteCounts::default();
    for chunk in rows.chunks(VALUES_PER_STATEMENT) {
        let stored = existing(txn, chunk).await?;
        let mut changed = Vec::with_capacity(chunk.len());
        for r in chunk {
            match stored.get(&(r.indicator_id, r.org_id, r.period.clone())) {
                None => counts.imported += 1,
                Some(old) if old == r => {
                    counts.ignored += 1;
                    continue;
                }
                Some(_) => counts.updated += 1,
            }
            changed.push(data_value::ActiveModel {
                indicator_id: Set(r.indicator_id),
                org_id: Set(r.org_id),
                period: Set(r.period.clone()),
                period_start: Set(r.period_start),
                period_months: Set(r.period_months),
                value: Set(r.value),
                text_value: Set(r.text_value.clone()),
                comment: Set(r.comment.clone()),
                flagged: Set(r.flagged),
                stored_by: Set(stored_by),
                stored_at: Set(at),
            });
        }
        if dry_run || changed.is_empty() {
            continue;
        }
        data_value::Entity::insert_many(changed)
            .on_conflict(
                OnConflict::columns([C::IndicatorId, C::OrgId, C::Period])
                    .update_columns([C::Value, C::TextValue, C::Comment, C::Flagged, C::StoredBy, C::StoredAt])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(counts)
}

#[async_trait]
impl IndicatorStore for Db {
    async fn indicator_list(&self) -> Result<Vec<StoredIndicator>> {
        indicator::Entity::find()
            .order_by_asc(indicator::Column::Code)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(indicator_from)
            .collect()
    }

    async fn indicator_save(
        &self,
        def: &Indicator,
        row_version: Option<i32>,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<Option<StoredIndicator>> {
        use indicator::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let aggregation = serde_json::to_string(&def.aggregation).map_err(|e| corrupt("aggregation", e))?;
        let formula = def.formula.as_ref().map(|f| f.source().to_string());
        match row_version {
            None => {
                indicator::Entity::insert(indicator::ActiveModel {
                    code: Set(def.code.as_str().to_string()),
                    name: Set(def.name.clone()),
                    description: Set(def.description.clone()),
                    unit: Set(def.unit.as_str().into()),
                    value_type: Set(def.value_type.as_str().into()),
                    period_type: Set(def.period_type.as_str().into()),
                    aggregation_json: Set(aggregation),
                    formula: Set(formula),
                    expected_min: Set(def.expected_min),
                    expected_max: Set(def.expected_max),
                    cite: Set(def.cite.clone()),
                    row_version: Set(1),
                    updated_at: Set(at),
                    ..Default::default()
                })
                .exec(&txn)
                .await
                .map_err(storage)?;
            }
            Some(v) => {
                let res = indicator::Entity::update_many()
                    .col_expr(C::Name, Expr::value(def.name.clone()))
                    .col_expr(C::Description, Expr::value(def.description.clone()))
                    .col_expr(C::Unit, Expr::value(def.unit.as_str()))
                    .col_expr(C::ValueType, Expr::value(def.value_type.as_str()))
                    .col_expr(C::PeriodType, Expr::value(def.period_type.as_str()))
                    .col_expr(C::AggregationJson, Expr::value(aggregation))
                    .col_expr(C::Formula, Expr::value(formula))
                    .col_expr(C::ExpectedMin, Expr::value(def.expected_min))
                    .col_expr(C::ExpectedMax, Expr::value(def.expected_max))
                    .col_expr(C::Cite, Expr::value(def.cite.clone()))
                    .col_expr(C::RowVersion, Expr::value(v + 1))
                    .col_expr(C::UpdatedAt, Expr::value(at))
                    .filter(C::Code.eq(def.code.as_str()))
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
        let saved = indicator::Entity::find()
            .filter(C::Code.eq(def.code.as_str()))
            .one(&txn)
            .await
            .map_err(storage)?
            .ok_or_else(|| DomainError::not_found("chỉ tiêu", def.code.to_string()))?;
        txn.commit().await.map_err(storage)?;
        indicator_from(saved).map(Some)
    }

    async fn values_write(
        &self,
        rows: &[ValueRecord],
        stored_by: UserId,
        at: DateTime<Utc>,
        dry_run: bool,
        audit: AuditDraft,
    ) -> Result<WriteCounts> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let counts = write_values(&txn, rows, stored_by, at, dry_run).await.map_err(storage)?;
        if dry_run {
            txn.rollback().await.map_err(storage)?;
            return Ok(counts);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(counts)
    }

    async fn values_in(
        &self,
        indicator_ids: &[i64],
        org_ids: Option<&[OrgId]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredValue>> {
        use data_value::Column as C;
        let mut q = data_value::Entity::find()
            .filter(C::IndicatorId.is_in(indicator_ids.to_vec()))
            .filter(C::PeriodStart.between(from, to));
        if let Some(orgs) = org_ids {
            q = q.filter(C::OrgId.is_in(orgs.to_vec()));
        }
        Ok(q.order_by_asc(C::IndicatorId)
            .order_by_asc(C::OrgId)
            .order_by_asc(C::PeriodStart)
            .order_by_asc(C::PeriodMonths)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(stored_from)
            .collect())
    }

    async fn value_points(&self, indicator_ids: &[i64], from: NaiveDate, to: NaiveDate) -> Result<Vec<ValuePoint>> {
        use data_value::Column as C;
        let rows: Vec<(i64, i64, NaiveDate, i16, Option<f64>)> = data_value::Entity::find()
            .select_only()
            .column(C::IndicatorId)
            .column(C::OrgId)
            .column(C::PeriodStart)
            .column(C::PeriodMonths)
            .column(C::Value)
            .filter(C::IndicatorId.is_in(indicator_ids.to_vec()))
            .filter(C::PeriodStart.between(from, to))
            .into_tuple()
            .all(self.connection())
            .await
            .map_err(storage)?;
        Ok(rows
            .into_iter()
            .filter_map(|(indicator_id, org_id, period_start, period_months, value)| {
                value.map(|value| ValuePoint { indicator_id, org_id, period_start, period_months, value })
            })
            .collect())
    }

    async fn flagged_values(&self, limit: u64) -> Result<Vec<StoredValue>> {
        use data_value::Column as C;
        Ok(data_value::Entity::find()
            .filter(C::Flagged.eq(true))
            .order_by_desc(C::StoredAt)
            .limit(limit)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(stored_from)
            .collect())
    }

    async fn targets_set(
        &self,
        targets: &[TargetRecord],
        set_by: UserId,
        at: DateTime<Utc>,
        audit: AuditDraft,
    ) -> Result<()> {
        use indicator_target::Column as C;
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        // One statement per target: a batch of one key twice would be refused by PostgreSQL's
        // upsert, and a target sheet holds a unit and its children, a few hundred at most.
        for t in targets {
            indicator_target::Entity::insert(indicator_target::ActiveModel {
                indicator_id: Set(t.indicator_id),
                org_id: Set(t.org_id),
                period: Set(t.period.clone()),
                value: Set(t.value),
                note: Set(t.note.clone()),
                set_by: Set(set_by),
                set_at: Set(at),
            })
            .on_conflict(
                OnConflict::columns([C::IndicatorId, C::OrgId, C::Period])
                    .update_columns([C::Value, C::Note, C::SetBy, C::SetAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .map_err(storage)?;
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(())
    }

    async fn targets_of(
        &self,
        indicator_ids: &[i64],
        org_ids: Option<&[OrgId]>,
        periods: &[String],
    ) -> Result<Vec<TargetRecord>> {
        use indicator_target::Column as C;
        let mut q = indicator_target::Entity::find()
            .filter(C::IndicatorId.is_in(indicator_ids.to_vec()))
            .filter(C::Period.is_in(periods.to_vec()));
        if let Some(orgs) = org_ids {
            q = q.filter(C::OrgId.is_in(orgs.to_vec()));
        }
        Ok(q.order_by_asc(C::IndicatorId)
            .order_by_asc(C::OrgId)
            .order_by_asc(C::Period)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(|m| TargetRecord {
                indicator_id: m.indicator_id,
                org_id: m.org_id,
                period: m.period,
                value: m.value,
                note: m.note,
            })
            .collect())
    }
}
