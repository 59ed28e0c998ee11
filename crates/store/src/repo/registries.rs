//! `impl domain::repo::registries::RegistryStore for Db`: the three registries, their history,
//! and the registry-derived indicator values written in the same transaction as each change.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};

use domain::audit::AuditDraft;
use domain::org::{OrgId, Page};
use domain::registries::{
    BudgetSource, Database, DatabaseKind, ExpenditureKind, FourLayer, FundingSource, InformationSystem, Project,
    ProjectStatus, RegistryKind, SecurityLevel, SystemFigure,
};
use domain::repo::registries::{
    DueFilter, EntryMeta, FeedPlan, FigureFilter, RegistryEntry, RegistryFilter, RegistryOrder, RegistryStore,
    RegistryWrite, StoredEntry,
};
use domain::users::UserId;
use domain::work::YearSpan;
use domain::{DomainError, Result};

use super::append_audit;
use super::indicators::write_values;
use crate::entities::indicators::data_value;
use crate::entities::registries::{registry_database, registry_history, registry_project, registry_system};
use crate::{Db, storage};

fn corrupt(what: &str, e: impl std::fmt::Display) -> DomainError {
    DomainError::Storage(format!("{what}: {e}"))
}

fn meta(
    row_version: i32,
    org_path: String,
    created: (DateTime<Utc>, Option<i64>),
    updated: (DateTime<Utc>, Option<i64>),
) -> EntryMeta {
    EntryMeta {
        row_version,
        org_path,
        created_at: created.0,
        created_by: created.1,
        updated_at: updated.0,
        updated_by: updated.1,
    }
}

fn system_from(m: registry_system::Model) -> Result<StoredEntry> {
    let four_layer: FourLayer = serde_json::from_str(&m.four_layer_json).map_err(|e| corrupt("four_layer_json", e))?;
    let security_level = m.security_level.map(|l| SecurityLevel::new(u8::try_from(l).unwrap_or(0))).transpose()?;
    Ok(StoredEntry {
        entry: RegistryEntry::System(InformationSystem {
            id: m.id,
            org_id: m.org_id,
            name: m.name,
            url: m.url,
            security_level,
            dossier_approved_on: m.dossier_approved_on,
            dossier_decision: m.dossier_decision,
            meets_minimum_requirements: m.meets_minimum,
            protection_plan_deployed: m.protection_plan_deployed,
            four_layer,
            last_inspection: m.last_inspection,
            last_drill: m.last_drill,
            portal: m.portal,
            trust_label_on: m.trust_label_on,
        }),
        meta: meta(m.row_version, m.org_path, (m.created_at, m.created_by), (m.updated_at, m.updated_by)),
    })
}

fn database_from(m: registry_database::Model) -> Result<StoredEntry> {
    Ok(StoredEntry {
        entry: RegistryEntry::Database(Database {
            id: m.id,
            org_id: m.org_id,
            kind: DatabaseKind::parse(&m.kind)?,
            name: m.name,
            url: m.url,
            as_of: m.as_of,
            total_records: u64::try_from(m.total_records).unwrap_or(0),
            records_since: m.records_since,
            records_updated_since: m.records_updated_since.map(|n| u64::try_from(n).unwrap_or(0)),
            target_units: m.target_units.map(|n| u32::try_from(n).unwrap_or(0)),
            participating_units: m.participating_units.map(|n| u32::try_from(n).unwrap_or(0)),
        }),
        meta: meta(m.row_version, m.org_path, (m.created_at, m.created_by), (m.updated_at, m.updated_by)),
    })
}

fn project_from(m: registry_project::Model) -> Result<StoredEntry> {
    Ok(StoredEntry {
        entry: RegistryEntry::Project(Project {
            id: m.id,
            org_id: m.org_id,
            name: m.name,
            lead_unit: m.lead_unit,
            objective: m.objective,
            status: ProjectStatus::parse(&m.status)?,
            years: YearSpan { from: m.year_from, to: m.year_to },
            total_million_vnd: m.total_million_vnd,
            spent_million_vnd: m.spent_million_vnd,
            funding: FundingSource {
                expenditure: ExpenditureKind::parse(&m.expenditure)?,
                budget: BudgetSource::parse(&m.budget)?,
            },
            security: m.security,
            result_note: m.result_note,
            approved_on: m.approved_on,
            decision: m.decision,
        }),
        meta: meta(m.row_version, m.org_path, (m.created_at, m.created_by), (m.updated_at, m.updated_by)),
    })
}

/// The folded text lists search and sort on: the name first (so ordering by it is by name).
fn search_key(parts: &[Option<&str>]) -> String {
    textvi::fold(&parts.iter().flatten().copied().collect::<Vec<_>>().join(" "))
}

/// The row's values, set on a fresh active model (`id` left to the caller).
struct Row<'a> {
    entry: &'a RegistryEntry,
    org_path: &'a str,
    row_version: i32,
    created: (DateTime<Utc>, Option<i64>),
    updated: (DateTime<Utc>, Option<i64>),
}

impl Row<'_> {
    fn system(&self, s: &InformationSystem) -> Result<registry_system::ActiveModel> {
        Ok(registry_system::ActiveModel {
            org_id: Set(s.org_id),
            org_path: Set(self.org_path.to_string()),
            name: Set(s.name.clone()),
            search_key: Set(search_key(&[Some(&s.name), s.url.as_deref(), s.dossier_decision.as_deref()])),
            url: Set(s.url.clone()),
            security_level: Set(s.security_level.map(|l| i16::from(l.get()))),
            dossier_approved_on: Set(s.dossier_approved_on),
            dossier_decision: Set(s.dossier_decision.clone()),
            meets_minimum: Set(s.meets_minimum_requirements),
            protection_plan_deployed: Set(s.protection_plan_deployed),
            four_layer_json: Set(serde_json::to_string(&s.four_layer).map_err(|e| corrupt("four_layer", e))?),
            last_inspection: Set(s.last_inspection),
            next_inspection_due: Set(s.next_inspection_due()),
            last_drill: Set(s.last_drill),
            portal: Set(s.portal),
            trust_label_on: Set(s.trust_label_on),
            row_version: Set(self.row_version),
            created_at: Set(self.created.0),
            created_by: Set(self.created.1),
            updated_at: Set(self.updated.0),
            updated_by: Set(self.updated.1),
            ..Default::default()
        })
    }

    fn database(&self, d: &Database) -> registry_database::ActiveModel {
        registry_database::ActiveModel {
            org_id: Set(d.org_id),
            org_path: Set(self.org_path.to_string()),
            kind: Set(d.kind.as_str().into()),
            name: Set(d.name.clone()),
            search_key: Set(search_key(&[Some(&d.name), d.url.as_deref()])),
            url: Set(d.url.clone()),
            as_of: Set(d.as_of),
            total_records: Set(i64::try_from(d.total_records).unwrap_or(i64::MAX)),
            records_since: Set(d.records_since),
            records_updated_since: Set(d.records_updated_since.map(|n| i64::try_from(n).unwrap_or(i64::MAX))),
            target_units: Set(d.target_units.map(|n| i32::try_from(n).unwrap_or(i32::MAX))),
            participating_units: Set(d.participating_units.map(|n| i32::try_from(n).unwrap_or(i32::MAX))),
            row_version: Set(self.row_version),
            created_at: Set(self.created.0),
            created_by: Set(self.created.1),
            updated_at: Set(self.updated.0),
            updated_by: Set(self.updated.1),
            ..Default::default()
        }
    }

    fn project(&self, p: &Project) -> registry_project::ActiveModel {
        registry_project::ActiveModel {
            org_id: Set(p.org_id),
            org_path: Set(self.org_path.to_string()),
            name: Set(p.name.clone()),
            search_key: Set(search_key(&[Some(&p.name), Some(&p.lead_unit), Some(&p.objective)])),
            lead_unit: Set(p.lead_unit.clone()),
            objective: Set(p.objective.clone()),
            status: Set(p.status.as_str().into()),
            year_from: Set(p.years.from),
            year_to: Set(p.years.to),
            total_million_vnd: Set(p.total_million_vnd),
            spent_million_vnd: Set(p.spent_million_vnd),
            expenditure: Set(p.funding.expenditure.as_str().into()),
            budget: Set(p.funding.budget.as_str().into()),
            security: Set(p.security),
            result_note: Set(p.result_note.clone()),
            approved_on: Set(p.approved_on),
            decision: Set(p.decision.clone()),
            row_version: Set(self.row_version),
            created_at: Set(self.created.0),
            created_by: Set(self.created.1),
            updated_at: Set(self.updated.0),
            updated_by: Set(self.updated.1),
            ..Default::default()
        }
    }

    /// Inserts a new row; its id.
    async fn insert(&self, txn: &DatabaseTransaction) -> Result<i64> {
        let id = match self.entry {
            RegistryEntry::System(s) => self.system(s)?.insert(txn).await.map_err(storage)?.id,
            RegistryEntry::Database(d) => self.database(d).insert(txn).await.map_err(storage)?.id,
            RegistryEntry::Project(p) => self.project(p).insert(txn).await.map_err(storage)?.id,
        };
        Ok(id)
    }

    /// Replaces the row `id` if it is at `at_version`; false when it is not (or gone).
    async fn update(&self, txn: &DatabaseTransaction, id: i64, at_version: i32) -> Result<bool> {
        macro_rules! update_at {
            ($entity:ident, $model:expr) => {{
                let mut m = $model;
                m.id = Set(id);
                $entity::Entity::update_many()
                    .set(m)
                    .filter($entity::Column::Id.eq(id))
                    .filter($entity::Column::RowVersion.eq(at_version))
                    .exec(txn)
                    .await
            }};
        }
        let n = match self.entry {
            RegistryEntry::System(s) => update_at!(registry_system, self.system(s)?),
            RegistryEntry::Database(d) => update_at!(registry_database, self.database(d)),
            RegistryEntry::Project(p) => update_at!(registry_project, self.project(p)),
        };
        Ok(n.map_err(storage)?.rows_affected > 0)
    }
}

async fn get_in<C: sea_orm::ConnectionTrait>(db: &C, kind: RegistryKind, id: i64) -> Result<Option<StoredEntry>> {
    match kind {
        RegistryKind::System => {
            registry_system::Entity::find_by_id(id).one(db).await.map_err(storage)?.map(system_from).transpose()
        }
        RegistryKind::Database => {
            registry_database::Entity::find_by_id(id).one(db).await.map_err(storage)?.map(database_from).transpose()
        }
        RegistryKind::Project => {
            registry_project::Entity::find_by_id(id).one(db).await.map_err(storage)?.map(project_from).transpose()
        }
    }
}

/// Closes the current version of an entry at `at`.
async fn close_version(txn: &DatabaseTransaction, kind: RegistryKind, id: i64, at: DateTime<Utc>) -> Result<()> {
    use registry_history::Column as H;
    registry_history::Entity::update_many()
        .col_expr(H::ValidTo, Expr::value(at))
        .filter(H::Kind.eq(kind.as_str()))
        .filter(H::EntryId.eq(id))
        .filter(H::ValidTo.is_null())
        .exec(txn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// The systems of one unit, as the transaction sees them.
async fn systems_of(txn: &DatabaseTransaction, org_id: OrgId) -> Result<(Vec<InformationSystem>, Option<UserId>)> {
    let rows = registry_system::Entity::find()
        .filter(registry_system::Column::OrgId.eq(org_id))
        .order_by_asc(registry_system::Column::Id)
        .all(txn)
        .await
        .map_err(storage)?;
    let last_editor = rows.iter().max_by_key(|r| (r.updated_at, r.id)).and_then(|r| r.updated_by);
    let mut systems = Vec::with_capacity(rows.len());
    for r in rows {
        if let RegistryEntry::System(s) = system_from(r)?.entry {
            systems.push(s);
        }
    }
    Ok((systems, last_editor))
}

/// Rewrites the registry-derived values of `org_ids` inside `txn`; how many changed.
async fn feed_units(
    txn: &DatabaseTransaction,
    org_ids: &[OrgId],
    feed: &FeedPlan,
    stored_by: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<u64> {
    let mut changed = 0;
    for org in org_ids {
        let (systems, last_editor) = systems_of(txn, *org).await?;
        let by = stored_by.or(last_editor).unwrap_or(feed.stored_by);
        let counts = write_values(txn, &feed.records(*org, &systems), by, at, false).await.map_err(storage)?;
        changed += counts.imported + counts.updated;
    }
    Ok(changed)
}

fn distinct(mut ids: Vec<OrgId>) -> Vec<OrgId> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn path_cond<C: ColumnTrait>(col: C, paths: &[String]) -> Cond {
    paths.iter().fold(Cond::any(), |c, p| c.add(col.starts_with(p.as_str())))
}

/// `LIKE` pattern for "contains", with the wildcard characters of user input removed.
pub(super) fn contains(folded: &str) -> String {
    let clean: String = folded.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    format!("%{clean}%")
}

fn system_filters(mut q: Select<registry_system::Entity>, f: &RegistryFilter) -> Select<registry_system::Entity> {
    use registry_system::Column as C;
    if let Some(level) = f.security_level {
        q = q.filter(C::SecurityLevel.eq(i16::from(level)));
    }
    match f.due {
        Some(DueFilter::Unscheduled) => q = q.filter(C::NextInspectionDue.is_null()),
        Some(DueFilter::Between(from, to)) => {
            q = q.filter(C::NextInspectionDue.is_not_null());
            if let Some(from) = from {
                q = q.filter(C::NextInspectionDue.gte(from));
            }
            if let Some(to) = to {
                q = q.filter(C::NextInspectionDue.lte(to));
            }
        }
        None => {}
    }
    if let Some(FigureFilter { figure, counted, today }) = f.figure {
        let cond = figure_cond(figure, today);
        q = q.filter(if counted { cond } else { cond.not() });
    }
    if f.order == RegistryOrder::Due {
        // Unscheduled last on both databases (they sort NULL differently).
        q = q.order_by_asc(Expr::col(C::NextInspectionDue).is_null()).order_by_asc(C::NextInspectionDue);
    }
    q
}

/// The systems `figure` counts on `today`: [`SystemFigure`]'s rule on the stored columns (the
/// next inspection's due date is stored with every save).
fn figure_cond(figure: SystemFigure, today: NaiveDate) -> Cond {
    use registry_system::Column as C;
    let on_or_before = |col: C| Cond::all().add(col.is_not_null()).add(col.lte(today));
    match figure {
        // Written out, so that "not counted" is a real condition (none) rather than an empty one.
        SystemFigure::Systems => Cond::all().add(Expr::val(1).eq(1)),
        SystemFigure::DossierApproved => on_or_before(C::DossierApprovedOn),
        SystemFigure::PlanDeployed => Cond::all().add(C::ProtectionPlanDeployed.eq(true)),
        SystemFigure::InspectedOnSchedule => {
            on_or_before(C::LastInspection).add(C::NextInspectionDue.is_not_null()).add(C::NextInspectionDue.gte(today))
        }
        SystemFigure::Portals => Cond::all().add(C::Portal.eq(true)),
        SystemFigure::PortalsLabelled => Cond::all().add(C::Portal.eq(true)).add(on_or_before(C::TrustLabelOn)),
    }
}

fn database_filters(mut q: Select<registry_database::Entity>, f: &RegistryFilter) -> Select<registry_database::Entity> {
    if let Some(k) = f.database_kind {
        q = q.filter(registry_database::Column::Kind.eq(k.as_str()));
    }
    q
}

fn project_filters(mut q: Select<registry_project::Entity>, f: &RegistryFilter) -> Select<registry_project::Entity> {
    use registry_project::Column as C;
    if let Some(s) = f.project_status {
        q = q.filter(C::Status.eq(s.as_str()));
    }
    if let Some(y) = f.year {
        q = q.filter(C::YearFrom.lte(y)).filter(C::YearTo.gte(y));
    }
    q
}

#[async_trait]
impl RegistryStore for Db {
    async fn registry_list(&self, f: &RegistryFilter) -> Result<Page<StoredEntry>> {
        macro_rules! list {
            ($entity:ident, $from:ident, $extra:expr) => {{
                use $entity::Column as C;
                let mut q = $entity::Entity::find();
                if let Some(scope) = &f.scope {
                    q = q.filter(path_cond(C::OrgPath, scope));
                }
                if let Some(p) = &f.org_path {
                    q = q.filter(C::OrgPath.starts_with(p.as_str()));
                }
                if let Some(t) = &f.text {
                    q = q.filter(C::SearchKey.like(contains(t)));
                }
                q = $extra(q, f);
                let total = q.clone().count(self.connection()).await.map_err(storage)?;
                let items = if f.limit == 0 {
                    Vec::new()
                } else {
                    q.order_by_asc(C::SearchKey)
                        .order_by_asc(C::Id)
                        .offset(f.offset)
                        .limit(f.limit)
                        .all(self.connection())
                        .await
                        .map_err(storage)?
                        .into_iter()
                        .map($from)
                        .collect::<Result<Vec<_>>>()?
                };
                (items, total)
            }};
        }
        let (items, total) = match f.kind {
            RegistryKind::System => list!(registry_system, system_from, system_filters),
            RegistryKind::Database => list!(registry_database, database_from, database_filters),
            RegistryKind::Project => list!(registry_project, project_from, project_filters),
        };
        Ok(Page { items, total, total_capped: false, offset: f.offset, limit: f.limit })
    }

    async fn registry_get(&self, kind: RegistryKind, id: i64) -> Result<Option<StoredEntry>> {
        get_in(self.connection(), kind, id).await
    }

    async fn registry_save(&self, w: RegistryWrite<'_>) -> Result<Option<StoredEntry>> {
        let kind = w.entry.kind();
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let by = Some(w.by);
        let (id, version, created, old_org) = match w.row_version {
            None => {
                let row = Row {
                    entry: w.entry,
                    org_path: w.org_path,
                    row_version: 1,
                    created: (w.at, by),
                    updated: (w.at, by),
                };
                (row.insert(&txn).await?, 1, (w.at, by), None)
            }
            Some(v) => {
                let id = w.entry.id();
                let Some(before) = get_in(&txn, kind, id).await? else { return Ok(None) };
                if before.meta.row_version != v {
                    return Ok(None);
                }
                let created = (before.meta.created_at, before.meta.created_by);
                let row =
                    Row { entry: w.entry, org_path: w.org_path, row_version: v + 1, created, updated: (w.at, by) };
                if !row.update(&txn, id, v).await? {
                    return Ok(None);
                }
                (id, v + 1, created, Some(before.entry.org_id()))
            }
        };
        let mut saved = w.entry.clone();
        saved.set_id(id);
        close_version(&txn, kind, id, w.at).await?;
        registry_history::ActiveModel {
            kind: Set(kind.as_str().into()),
            entry_id: Set(id),
            row_version: Set(version),
            org_id: Set(saved.org_id()),
            org_path: Set(w.org_path.to_string()),
            data_json: Set(saved.to_json().to_string()),
            valid_from: Set(w.at),
            valid_to: Set(None),
            created_at: Set(created.0),
            changed_by: Set(by),
        }
        .insert(&txn)
        .await
        .map_err(storage)?;
        let mut audit = w.audit;
        audit.entity_id.get_or_insert_with(|| format!("{}:{id}", kind.as_str()));
        // The audit head is locked from here to the commit: registry writes take turns, so the
        // figures below count every system another writer committed before.
        append_audit(&txn, audit).await.map_err(storage)?;
        if let Some(feed) = w.feed {
            let units = distinct([Some(saved.org_id()), old_org].into_iter().flatten().collect());
            feed_units(&txn, &units, feed, by, w.at).await?;
        }
        let stored = get_in(&txn, kind, id).await?;
        txn.commit().await.map_err(storage)?;
        Ok(stored)
    }

    async fn registry_delete(
        &self,
        kind: RegistryKind,
        id: i64,
        row_version: Option<i32>,
        by: UserId,
        at: DateTime<Utc>,
        audit: AuditDraft,
        feed: Option<&FeedPlan>,
    ) -> Result<bool> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let Some(before) = get_in(&txn, kind, id).await? else { return Ok(false) };
        if row_version.is_some_and(|v| v != before.meta.row_version) {
            return Ok(false);
        }
        let v = before.meta.row_version;
        macro_rules! delete_at {
            ($entity:ident) => {
                $entity::Entity::delete_many()
                    .filter($entity::Column::Id.eq(id))
                    .filter($entity::Column::RowVersion.eq(v))
                    .exec(&txn)
                    .await
            };
        }
        let res = match kind {
            RegistryKind::System => delete_at!(registry_system),
            RegistryKind::Database => delete_at!(registry_database),
            RegistryKind::Project => delete_at!(registry_project),
        };
        if res.map_err(storage)?.rows_affected == 0 {
            return Ok(false);
        }
        close_version(&txn, kind, id, at).await?;
        append_audit(&txn, audit).await.map_err(storage)?;
        if let Some(feed) = feed {
            feed_units(&txn, &[before.entry.org_id()], feed, Some(by), at).await?;
        }
        txn.commit().await.map_err(storage)?;
        Ok(true)
    }

    async fn registry_version(&self, kind: RegistryKind, id: i64, row_version: i32) -> Result<Option<RegistryEntry>> {
        let row = registry_history::Entity::find_by_id((kind.as_str().to_string(), id, row_version))
            .one(self.connection())
            .await
            .map_err(storage)?;
        row.map(|r| {
            let v: serde_json::Value = serde_json::from_str(&r.data_json).map_err(|e| corrupt("data_json", e))?;
            RegistryEntry::from_json(kind, v)
        })
        .transpose()
    }

    async fn registry_as_of(&self, paths: &[String], at: DateTime<Utc>) -> Result<Vec<StoredEntry>> {
        use registry_history::Column as H;
        let rows = registry_history::Entity::find()
            .filter(path_cond(H::OrgPath, paths))
            .filter(H::ValidFrom.lte(at))
            .filter(Cond::any().add(H::ValidTo.is_null()).add(H::ValidTo.gt(at)))
            .all(self.connection())
            .await
            .map_err(storage)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let kind = RegistryKind::ALL
                .into_iter()
                .find(|k| k.as_str() == r.kind)
                .ok_or_else(|| corrupt("registry_history.kind", &r.kind))?;
            let v: serde_json::Value = serde_json::from_str(&r.data_json).map_err(|e| corrupt("data_json", e))?;
            out.push(StoredEntry {
                entry: RegistryEntry::from_json(kind, v)?,
                meta: meta(r.row_version, r.org_path, (r.created_at, None), (r.valid_from, r.changed_by)),
            });
        }
        let order = |k: RegistryKind| RegistryKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
        out.sort_by_cached_key(|e| (order(e.entry.kind()), textvi::fold(e.entry.name()), e.entry.id()));
        Ok(out)
    }

    async fn systems_due_by(&self, until: NaiveDate) -> Result<Vec<StoredEntry>> {
        use registry_system::Column as C;
        registry_system::Entity::find()
            .filter(C::NextInspectionDue.lte(until))
            .order_by_asc(C::NextInspectionDue)
            .order_by_asc(C::Id)
            .all(self.connection())
            .await
            .map_err(storage)?
            .into_iter()
            .map(system_from)
            .collect()
    }

    async fn registry_units_without_value(&self, indicator_id: i64, period: &str) -> Result<Vec<OrgId>> {
        use registry_system::Column as C;
        let have = Query::select()
            .column(data_value::Column::OrgId)
            .from(data_value::Entity)
            .and_where(Expr::col(data_value::Column::IndicatorId).eq(indicator_id))
            .and_where(Expr::col(data_value::Column::Period).eq(period))
            .to_owned();
        let ids: Vec<OrgId> = registry_system::Entity::find()
            .select_only()
            .column(C::OrgId)
            .distinct()
            .filter(C::OrgId.not_in_subquery(have))
            .into_tuple()
            .all(self.connection())
            .await
            .map_err(storage)?;
        Ok(ids)
    }

    async fn registry_units_due_between(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<OrgId>> {
        use registry_system::Column as C;
        let ids: Vec<OrgId> = registry_system::Entity::find()
            .select_only()
            .column(C::OrgId)
            .distinct()
            .filter(C::NextInspectionDue.between(from, to))
            .into_tuple()
            .all(self.connection())
            .await
            .map_err(storage)?;
        Ok(ids)
    }

    async fn registry_feed_refresh(&self, org_ids: &[OrgId], feed: &FeedPlan, audit: AuditDraft) -> Result<u64> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        // Take the audit head first, as every registry write does, so the counts are consistent.
        super::lock_audit_head(&txn).await.map_err(storage)?;
        let at = audit.at;
        let changed = feed_units(&txn, org_ids, feed, None, at).await?;
        if changed == 0 {
            txn.rollback().await.map_err(storage)?;
            return Ok(0);
        }
        append_audit(&txn, audit).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        Ok(changed)
    }
}
