//! `impl domain::repo::indicators::IndicatorStore for Db`: indicator definitions, targets and
//! recorded values.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use domain::audit::AuditDraft;
use domain::indicators::{AggregationRule, Formula, Indicator, IndicatorCode, PeriodType, Tally, Unit, ValueType};
use domain::org::OrgId;
use domain::repo::indicators::{
    IndicatorStore, StoredIndicator, StoredValue, TallyRoles, TallyScope, TargetRecord, UnitTally, ValuePoint,
    ValueRecord, WriteCounts,
};
use domain::users::UserId;
use domain::{DomainError, Result};

use super::work::under;
use super::{append_audit, valid_on};
use crate::entities::indicators::{data_value, indicator, indicator_target};
use crate::entities::org_unit;
use crate::{Db, storage};

/// Values per lookup of stored ones and per write statement.
const VALUES_PER_STATEMENT: usize = 1000;

/// The columns of a stored value that a write compares, in order.
type StoredRow = (i64, OrgId, String, NaiveDate, i16, Option<f64>, Option<String>, Option<String>, bool);

/// The columns of a value as [`upsert_values`] sends them, in order.
type ValueRow<'a> = (i64, OrgId, &'a str, NaiveDate, i16, Option<f64>, Option<&'a str>, Option<&'a str>, bool);

/// `INSERT … ON CONFLICT … DO UPDATE` of the values of one JSON array of [`ValueRow`]s, with the
/// writer and the time as the other two parameters. One text for any number of rows, prepared
/// once per connection; the database unpacks the array, which costs far less than binding eleven
/// parameters a value (a 50,000-value import: about 100 ms less on SQLite).
fn upsert_sql(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => {
            "INSERT INTO data_values (indicator_id, org_id, period, period_start, period_months, value, text_value, \
             comment, flagged, stored_by, stored_at) \
             SELECT (e ->> 0)::bigint, (e ->> 1)::bigint, e ->> 2, (e ->> 3)::date, (e ->> 4)::smallint, \
             (e ->> 5)::float8, e ->> 6, e ->> 7, (e ->> 8)::boolean, $1, $2 FROM jsonb_array_elements($3::jsonb) AS e \
             ON CONFLICT (indicator_id, period, org_id) DO UPDATE SET value = excluded.value, \
             text_value = excluded.text_value, comment = excluded.comment, flagged = excluded.flagged, \
             stored_by = excluded.stored_by, stored_at = excluded.stored_at"
        }
        _ => {
            // `jsonb_each`: each row's array stays in SQLite's binary form (`json_each` would
            // print it as text and `->>` parse it again). `WHERE true`: SQLite's way to tell an
            // upsert's ON CONFLICT from a join's ON.
            "INSERT INTO data_values (indicator_id, org_id, period, period_start, period_months, value, text_value, \
             comment, flagged, stored_by, stored_at) \
             SELECT e.value ->> 0, e.value ->> 1, e.value ->> 2, e.value ->> 3, e.value ->> 4, e.value ->> 5, \
             e.value ->> 6, e.value ->> 7, e.value ->> 8, ?, ? FROM jsonb_each(?) AS e WHERE true \
             ON CONFLICT (indicator_id, period, org_id) DO UPDATE SET value = excluded.value, \
             text_value = excluded.text_value, comment = excluded.comment, flagged = excluded.flagged, \
             stored_by = excluded.stored_by, stored_at = excluded.stored_at"
        }
    }
}

/// Writes `rows` in `txn`: a new key inserted, a stored one's value replaced. A key may appear
/// once (PostgreSQL refuses one statement that upserts a key twice). Numbers go as JSON in their
/// shortest exact form and come back bit for bit (tested); JSON has no NaN or infinity, and
/// neither has a stored value.
pub(crate) async fn upsert_values(
    txn: &DatabaseTransaction,
    rows: &[&ValueRecord],
    stored_by: UserId,
    at: DateTime<Utc>,
) -> std::result::Result<(), DbErr> {
    let backend = txn.get_database_backend();
    for chunk in rows.chunks(VALUES_PER_STATEMENT) {
        if let Some(r) = chunk.iter().find(|r| r.value.is_some_and(|v| !v.is_finite())) {
            return Err(DbErr::Custom(format!("giá trị không hữu hạn: chỉ tiêu {}, kỳ {}", r.indicator_id, r.period)));
        }
        let json_rows: Vec<ValueRow> = chunk
            .iter()
            .map(|r| {
                (
                    r.indicator_id,
                    r.org_id,
                    r.period.as_str(),
                    r.period_start,
                    r.period_months,
                    r.value,
                    r.text_value.as_deref(),
                    r.comment.as_deref(),
                    r.flagged,
                )
            })
            .collect();
        let json = serde_json::to_string(&json_rows).map_err(|e| DbErr::Custom(e.to_string()))?;
        let values: Vec<Value> = vec![stored_by.into(), at.into(), json.into()];
        txn.execute_raw(Statement::from_sql_and_values(backend, upsert_sql(backend), values)).await?;
    }
    Ok(())
}

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
    // Only what a comparison needs: reading `stored_at` and `stored_by` would parse a timestamp
    // for each of up to a thousand rows.
    let found: Vec<StoredRow> = data_value::Entity::find()
        .select_only()
        .columns([C::IndicatorId, C::OrgId, C::Period, C::PeriodStart, C::PeriodMonths])
        .columns([C::Value, C::TextValue, C::Comment, C::Flagged])
        .filter(C::IndicatorId.is_in(indicators))
        .filter(C::OrgId.is_in(orgs))
        .filter(C::Period.is_in(periods))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(found
        .into_iter()
        .filter(|m| wanted.contains(&(m.0, m.1, m.2.as_str())))
        .map(|(indicator_id, org_id, period, period_start, period_months, value, text_value, comment, flagged)| {
            let record = ValueRecord {
                indicator_id,
                org_id,
                period: period.clone(),
                period_start,
                period_months,
                value,
                text_value,
                comment,
                flagged,
            };
            ((indicator_id, org_id, period), record)
        })
        .collect())
}

/// Whether any value is stored under the key ranges `rows` span (their indicators × periods ×
/// the span of their units): for figures of a new period, "none" in a few index steps instead of
/// one lookup per value.
async fn any_stored(txn: &DatabaseTransaction, rows: &[ValueRecord]) -> std::result::Result<bool, sea_orm::DbErr> {
    use data_value::Column as C;
    let (Some(first_org), Some(last_org)) = (rows.iter().map(|r| r.org_id).min(), rows.iter().map(|r| r.org_id).max())
    else {
        return Ok(false);
    };
    let found: Option<i64> = data_value::Entity::find()
        .select_only()
        .column(C::IndicatorId)
        .filter(C::IndicatorId.is_in(distinct(rows.iter().map(|r| r.indicator_id).collect())))
        .filter(C::Period.is_in(distinct(rows.iter().map(|r| r.period.as_str()).collect())))
        .filter(C::OrgId.between(first_org, last_org))
        .limit(1)
        .into_tuple()
        .one(txn)
        .await?;
    Ok(found.is_some())
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
    let mut counts = WriteCounts::default();
    for chunk in rows.chunks(VALUES_PER_STATEMENT) {
        let stored = if any_stored(txn, chunk).await? { existing(txn, chunk).await? } else { HashMap::new() };
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
            changed.push(r);
        }
        if !dry_run {
            upsert_values(txn, &changed, stored_by, at).await?;
        }
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
        let started = std::time::Instant::now();
        let counts = write_values(&txn, rows, stored_by, at, dry_run).await.map_err(storage)?;
        if dry_run {
            txn.rollback().await.map_err(storage)?;
            return Ok(counts);
        }
        let written = started.elapsed();
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        tracing::debug!(
            rows = rows.len(),
            write_ms = written.as_secs_f64() * 1000.0,
            commit_ms = (started.elapsed() - written).as_secs_f64() * 1000.0,
            "values written"
        );
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

    async fn value_tallies(
        &self,
        roles: &TallyRoles,
        scope: &TallyScope<'_>,
        from: NaiveDate,
        to: NaiveDate,
        max_months: i16,
    ) -> Result<Vec<UnitTally>> {
        use data_value::Column as C;
        let mut units = Cond::any().add(under(org_unit::Column::Path, scope.path));
        if let Some(day) = scope.not_valid_on {
            units = units.add(valid_on(day).not());
        }
        // Per unit: the inputs, the sum, least and greatest of the first value of each input
        // (`a`), the sum of the second (`b`: the denominator or the weight) and of their products.
        let (a, b) = (Alias::new("a"), Alias::new("b"));
        let mut per_unit = Query::select();
        per_unit
            .from_as(data_value::Entity, a.clone())
            .column((a.clone(), C::OrgId))
            .and_where(Expr::col((a.clone(), C::PeriodStart)).between(from, to))
            .and_where(Expr::col((a.clone(), C::PeriodMonths)).lte(max_months))
            .and_where(Expr::col((a.clone(), C::Value)).is_not_null())
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .expr_as(Expr::cust("SUM(a.value)"), Alias::new("s"))
            .expr_as(Expr::cust("MIN(a.value)"), Alias::new("lo"))
            .expr_as(Expr::cust("MAX(a.value)"), Alias::new("hi"))
            .group_by_col((a.clone(), C::OrgId));
        let (first, second) = match *roles {
            TallyRoles::Values(id) => (id, None),
            TallyRoles::Ratio { numerator, denominator } => (numerator, Some(denominator)),
            TallyRoles::Weighted { value, weight } => (value, Some(weight)),
        };
        per_unit.and_where(Expr::col((a.clone(), C::IndicatorId)).eq(first));
        match second {
            // One indicator: its values are the inputs, summed per unit straight off the index.
            None => {
                per_unit
                    .expr_as(Expr::cust("CAST(NULL AS FLOAT8)"), Alias::new("s2"))
                    .expr_as(Expr::cust("CAST(NULL AS FLOAT8)"), Alias::new("sp"));
            }
            // Two: each value of the first met by the second's of the same unit and period, found
            // by the table's key (a period's code names its start and length).
            Some(second) => {
                per_unit
                    .join_as(
                        JoinType::InnerJoin,
                        data_value::Entity,
                        b.clone(),
                        Cond::all()
                            .add(Expr::col((b.clone(), C::IndicatorId)).eq(second))
                            .add(Expr::col((b.clone(), C::Period)).equals((a.clone(), C::Period)))
                            .add(Expr::col((b.clone(), C::OrgId)).equals((a.clone(), C::OrgId))),
                    )
                    .and_where(Expr::col((b.clone(), C::Value)).is_not_null())
                    .expr_as(Expr::cust("SUM(b.value)"), Alias::new("s2"))
                    .expr_as(Expr::cust("SUM(a.value * b.value)"), Alias::new("sp"));
            }
        }
        // The units' paths and validity joined to the (few thousand) sums, not to every value;
        // units out of scope dropped there (cheaper than testing every value's unit).
        let t = Alias::new("t");
        let q = Query::select()
            .expr(Expr::cust("t.*"))
            .columns([
                (org_unit::Entity, org_unit::Column::Path),
                (org_unit::Entity, org_unit::Column::ValidFrom),
                (org_unit::Entity, org_unit::Column::ValidTo),
            ])
            .from_subquery(per_unit, t.clone())
            .inner_join(
                org_unit::Entity,
                Expr::col((org_unit::Entity, org_unit::Column::Id)).equals((t, Alias::new("org_id"))),
            )
            .cond_where(units)
            .to_owned();
        let rows = self.connection().query_all_raw(self.backend().build(&q)).await.map_err(storage)?;
        rows.iter()
            .map(|r| {
                let n = r.try_get::<i64>("", "n")? as u64;
                let number = |c: &str| r.try_get::<Option<f64>>("", c);
                let (sum, min, max) = (number("s")?.unwrap_or(0.0), number("lo")?, number("hi")?);
                let (second, product) = (number("s2")?.unwrap_or(0.0), number("sp")?.unwrap_or(0.0));
                let values = Tally { inputs: n, values: n, sum, min, max, ..Tally::default() };
                let tally = match roles {
                    TallyRoles::Values(_) => values,
                    TallyRoles::Ratio { .. } => {
                        Tally { inputs: n, pairs: n, numerator: sum, denominator: second, ..Tally::default() }
                    }
                    TallyRoles::Weighted { .. } => Tally { weighted: product, weight: second, ..values },
                };
                Ok(UnitTally {
                    org_id: r.try_get("", "org_id")?,
                    path: r.try_get("", "path")?,
                    valid_from: r.try_get("", "valid_from")?,
                    valid_to: r.try_get("", "valid_to")?,
                    tally,
                })
            })
            .collect::<std::result::Result<_, sea_orm::DbErr>>()
            .map_err(storage)
    }

    async fn flagged_values(&self, limit: u64) -> Result<Vec<StoredValue>> {
        use data_value::Column as C;
        Ok(data_value::Entity::find()
            // As the partial index states it, so that both databases use it.
            .filter(Expr::cust("flagged"))
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
