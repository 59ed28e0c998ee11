//! Backup and restore in one backend-neutral format: JSON Lines, one header line, then for each
//! table a line `{"table": …, "rows": n}` followed by its rows. The snapshot is read in one
//! transaction (a WAL snapshot on SQLite, REPEATABLE READ on PostgreSQL), so it is consistent
//! while the server keeps writing. A backup from either backend restores into either.

use std::io::{BufRead, Write};

use sea_orm::{
    AccessMode, ActiveModelTrait, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel, IsolationLevel,
    QueryOrder, TransactionTrait,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use crate::entities::bulletins::{
    broadcast, bulletin, bulletin_attachment, bulletin_delivery, bulletin_site, cap_message, station,
};
use crate::entities::feedback::{
    classifier_model, feedback_category, feedback_event, feedback_item, feedback_photo, feedback_route, open311_key,
};
use crate::entities::indicators::{data_value, indicator, indicator_target};
use crate::entities::notify::{calendar_day, calendar_feed, notification, outbox, setting};
use crate::entities::registries::{registry_database, registry_history, registry_project, registry_system};
use crate::entities::reporting::{report, report_event, report_template, report_version};
use crate::entities::schedule::{schedule_change, schedule_event, schedule_participant};
use crate::entities::work::{
    blob, evidence, framework, framework_group, framework_item, plan, plan_version, task, task_assignee,
    task_coordinator, task_dependency, task_event,
};
use crate::entities::{api_token, audit_head, audit_log, org_succession, org_unit, role_grant, session, user};
use crate::{Db, StoreError};

const FORMAT: &str = "dxgov-backup";
const VERSION: u32 = 1;

/// Tables in the order restore inserts them (parents before children).
pub const TABLES: &[&str] = &[
    "org_units",
    "org_successions",
    "users",
    "role_grants",
    "api_tokens",
    "sessions",
    "frameworks",
    "framework_groups",
    "framework_items",
    "plans",
    "plan_versions",
    "tasks",
    "task_coordinators",
    "task_assignees",
    "task_dependencies",
    "task_events",
    "blobs",
    "evidence",
    "calendar_days",
    "settings",
    "notifications",
    "outbox",
    "calendar_feeds",
    "schedule_events",
    "schedule_participants",
    "schedule_changes",
    "indicators",
    "indicator_targets",
    "data_values",
    "report_templates",
    "reports",
    "report_versions",
    "report_events",
    "registry_systems",
    "registry_databases",
    "registry_projects",
    "registry_history",
    "feedback_categories",
    "feedback_routes",
    "feedback",
    "feedback_events",
    "feedback_photos",
    "classifier_models",
    "open311_keys",
    "bulletins",
    "bulletin_sites",
    "bulletin_deliveries",
    "bulletin_attachments",
    "stations",
    "broadcasts",
    "cap_messages",
    "audit_log",
    "audit_head",
];

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tables: Vec<(String, u64)>,
}

async fn dump<E, C>(
    txn: &DatabaseTransaction,
    order: C,
    name: &str,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::Model: Serialize,
    C: sea_orm::ColumnTrait,
{
    // Then by the whole primary key, so tables keyed on several columns dump in one order.
    let mut q = E::find().order_by_asc(order);
    for key in <E::PrimaryKey as sea_orm::Iterable>::iter() {
        q = q.order_by_asc(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    let rows = q.all(txn).await?;
    writeln!(out, "{}", json!({ "table": name, "rows": rows.len() })).map_err(io)?;
    for r in &rows {
        serde_json::to_writer(&mut *out, r).map_err(|e| StoreError::Other(e.to_string()))?;
        out.write_all(b"\n").map_err(io)?;
    }
    summary.tables.push((name.into(), rows.len() as u64));
    Ok(())
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Other(e.to_string())
}

impl Db {
    /// Writes a consistent snapshot of every table to `out`.
    pub async fn backup(&self, out: &mut dyn Write) -> Result<Summary, StoreError> {
        let txn = match self.backend() {
            DbBackend::Postgres => {
                self.connection()
                    .begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                    .await?
            }
            _ => self.connection().begin().await?,
        };
        writeln!(out, "{}", json!({ "format": FORMAT, "version": VERSION, "tables": TABLES })).map_err(io)?;
        let mut s = Summary::default();
        dump::<org_unit::Entity, _>(&txn, org_unit::Column::Id, "org_units", out, &mut s).await?;
        dump::<org_succession::Entity, _>(&txn, org_succession::Column::OldId, "org_successions", out, &mut s).await?;
        dump::<user::Entity, _>(&txn, user::Column::Id, "users", out, &mut s).await?;
        dump::<role_grant::Entity, _>(&txn, role_grant::Column::Id, "role_grants", out, &mut s).await?;
        dump::<api_token::Entity, _>(&txn, api_token::Column::Id, "api_tokens", out, &mut s).await?;
        dump::<session::Entity, _>(&txn, session::Column::Id, "sessions", out, &mut s).await?;
        dump::<framework::Entity, _>(&txn, framework::Column::Id, "frameworks", out, &mut s).await?;
        dump::<framework_group::Entity, _>(&txn, framework_group::Column::Id, "framework_groups", out, &mut s).await?;
        dump::<framework_item::Entity, _>(&txn, framework_item::Column::Id, "framework_items", out, &mut s).await?;
        dump::<plan::Entity, _>(&txn, plan::Column::Id, "plans", out, &mut s).await?;
        dump::<plan_version::Entity, _>(&txn, plan_version::Column::PlanId, "plan_versions", out, &mut s).await?;
        dump::<task::Entity, _>(&txn, task::Column::Id, "tasks", out, &mut s).await?;
        dump::<task_coordinator::Entity, _>(&txn, task_coordinator::Column::TaskId, "task_coordinators", out, &mut s)
            .await?;
        dump::<task_assignee::Entity, _>(&txn, task_assignee::Column::TaskId, "task_assignees", out, &mut s).await?;
        dump::<task_dependency::Entity, _>(&txn, task_dependency::Column::TaskId, "task_dependencies", out, &mut s)
            .await?;
        dump::<task_event::Entity, _>(&txn, task_event::Column::Id, "task_events", out, &mut s).await?;
        dump::<blob::Entity, _>(&txn, blob::Column::Sha256, "blobs", out, &mut s).await?;
        dump::<evidence::Entity, _>(&txn, evidence::Column::Id, "evidence", out, &mut s).await?;
        dump::<calendar_day::Entity, _>(&txn, calendar_day::Column::Day, "calendar_days", out, &mut s).await?;
        dump::<setting::Entity, _>(&txn, setting::Column::Key, "settings", out, &mut s).await?;
        dump::<notification::Entity, _>(&txn, notification::Column::Id, "notifications", out, &mut s).await?;
        dump::<outbox::Entity, _>(&txn, outbox::Column::Id, "outbox", out, &mut s).await?;
        dump::<calendar_feed::Entity, _>(&txn, calendar_feed::Column::UserId, "calendar_feeds", out, &mut s).await?;
        dump::<schedule_event::Entity, _>(&txn, schedule_event::Column::Id, "schedule_events", out, &mut s).await?;
        dump::<schedule_participant::Entity, _>(
            &txn,
            schedule_participant::Column::EventId,
            "schedule_participants",
            out,
            &mut s,
        )
        .await?;
        dump::<schedule_change::Entity, _>(&txn, schedule_change::Column::Id, "schedule_changes", out, &mut s).await?;
        dump::<indicator::Entity, _>(&txn, indicator::Column::Id, "indicators", out, &mut s).await?;
        dump::<indicator_target::Entity, _>(
            &txn,
            indicator_target::Column::IndicatorId,
            "indicator_targets",
            out,
            &mut s,
        )
        .await?;
        dump::<data_value::Entity, _>(&txn, data_value::Column::IndicatorId, "data_values", out, &mut s).await?;
        dump::<report_template::Entity, _>(&txn, report_template::Column::Id, "report_templates", out, &mut s).await?;
        dump::<report::Entity, _>(&txn, report::Column::Id, "reports", out, &mut s).await?;
        dump::<report_version::Entity, _>(&txn, report_version::Column::ReportId, "report_versions", out, &mut s)
            .await?;
        dump::<report_event::Entity, _>(&txn, report_event::Column::Id, "report_events", out, &mut s).await?;
        dump::<registry_system::Entity, _>(&txn, registry_system::Column::Id, "registry_systems", out, &mut s).await?;
        dump::<registry_database::Entity, _>(&txn, registry_database::Column::Id, "registry_databases", out, &mut s)
            .await?;
        dump::<registry_project::Entity, _>(&txn, registry_project::Column::Id, "registry_projects", out, &mut s)
            .await?;
        dump::<registry_history::Entity, _>(&txn, registry_history::Column::EntryId, "registry_history", out, &mut s)
            .await?;
        dump::<feedback_category::Entity, _>(&txn, feedback_category::Column::Id, "feedback_categories", out, &mut s)
            .await?;
        dump::<feedback_route::Entity, _>(&txn, feedback_route::Column::Id, "feedback_routes", out, &mut s).await?;
        dump::<feedback_item::Entity, _>(&txn, feedback_item::Column::Id, "feedback", out, &mut s).await?;
        dump::<feedback_event::Entity, _>(&txn, feedback_event::Column::Id, "feedback_events", out, &mut s).await?;
        dump::<feedback_photo::Entity, _>(&txn, feedback_photo::Column::Id, "feedback_photos", out, &mut s).await?;
        dump::<classifier_model::Entity, _>(&txn, classifier_model::Column::Id, "classifier_models", out, &mut s)
            .await?;
        dump::<open311_key::Entity, _>(&txn, open311_key::Column::Id, "open311_keys", out, &mut s).await?;
        dump::<bulletin::Entity, _>(&txn, bulletin::Column::Id, "bulletins", out, &mut s).await?;
        dump::<bulletin_site::Entity, _>(&txn, bulletin_site::Column::BulletinId, "bulletin_sites", out, &mut s)
            .await?;
        dump::<bulletin_delivery::Entity, _>(
            &txn,
            bulletin_delivery::Column::BulletinId,
            "bulletin_deliveries",
            out,
            &mut s,
        )
        .await?;
        dump::<bulletin_attachment::Entity, _>(
            &txn,
            bulletin_attachment::Column::Id,
            "bulletin_attachments",
            out,
            &mut s,
        )
        .await?;
        dump::<station::Entity, _>(&txn, station::Column::Id, "stations", out, &mut s).await?;
        dump::<broadcast::Entity, _>(&txn, broadcast::Column::Id, "broadcasts", out, &mut s).await?;
        dump::<cap_message::Entity, _>(&txn, cap_message::Column::Id, "cap_messages", out, &mut s).await?;
        dump::<audit_log::Entity, _>(&txn, audit_log::Column::Seq, "audit_log", out, &mut s).await?;
        dump::<audit_head::Entity, _>(&txn, audit_head::Column::Id, "audit_head", out, &mut s).await?;
        txn.rollback().await?;
        out.flush().map_err(io)?;
        Ok(s)
    }

    /// Restores a backup into this (migrated, empty) database, all or nothing.
    pub async fn restore(&self, input: &mut dyn BufRead) -> Result<Summary, StoreError> {
        let mut lines = input.lines();
        let mut next = || -> Result<Value, StoreError> {
            let line = lines.next().ok_or_else(|| StoreError::Other("tệp sao lưu bị cắt cụt".into()))?.map_err(io)?;
            serde_json::from_str(&line).map_err(|e| StoreError::Other(format!("tệp sao lưu hỏng: {e}")))
        };
        let header = next()?;
        if header["format"] != FORMAT || header["version"] != VERSION {
            return Err(StoreError::Other("không phải tệp sao lưu dxgov (phiên bản 1)".into()));
        }
        let (_guard, txn) = self.begin_write().await?;
        if org_unit::Entity::find().one(&txn).await?.is_some() {
            return Err(StoreError::Other(
                "cơ sở dữ liệu đích không trống: chỉ khôi phục vào thư mục dữ liệu mới".into(),
            ));
        }
        // The migration seeds the audit head; the backup carries the real one.
        audit_head::Entity::delete_many().exec(&txn).await?;
        let mut summary = Summary::default();
        // A backup written before a table existed does not list it: that table stays empty.
        let listed: Vec<&str> =
            header["tables"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        for &expected in TABLES.iter().filter(|t| listed.is_empty() || listed.contains(t)) {
            let section = next()?;
            let name = section["table"].as_str().unwrap_or_default().to_string();
            if name != expected {
                return Err(StoreError::Other(format!("tệp sao lưu hỏng: cần bảng {expected}, gặp '{name}'")));
            }
            let n = section["rows"].as_u64().unwrap_or(0);
            let mut rows = Vec::with_capacity(n as usize);
            for _ in 0..n {
                rows.push(next()?);
            }
            match expected {
                "org_units" => load::<org_unit::Entity, org_unit::ActiveModel>(&txn, rows).await?,
                "org_successions" => load::<org_succession::Entity, org_succession::ActiveModel>(&txn, rows).await?,
                "users" => load::<user::Entity, user::ActiveModel>(&txn, rows).await?,
                "role_grants" => load::<role_grant::Entity, role_grant::ActiveModel>(&txn, rows).await?,
                "api_tokens" => load::<api_token::Entity, api_token::ActiveModel>(&txn, rows).await?,
                "sessions" => load::<session::Entity, session::ActiveModel>(&txn, rows).await?,
                "frameworks" => load::<framework::Entity, framework::ActiveModel>(&txn, rows).await?,
                "framework_groups" => load::<framework_group::Entity, framework_group::ActiveModel>(&txn, rows).await?,
                "framework_items" => load::<framework_item::Entity, framework_item::ActiveModel>(&txn, rows).await?,
                "plans" => load::<plan::Entity, plan::ActiveModel>(&txn, rows).await?,
                "plan_versions" => load::<plan_version::Entity, plan_version::ActiveModel>(&txn, rows).await?,
                "tasks" => load::<task::Entity, task::ActiveModel>(&txn, rows).await?,
                "task_coordinators" => {
                    load::<task_coordinator::Entity, task_coordinator::ActiveModel>(&txn, rows).await?
                }
                "task_assignees" => load::<task_assignee::Entity, task_assignee::ActiveModel>(&txn, rows).await?,
                "task_dependencies" => {
                    load::<task_dependency::Entity, task_dependency::ActiveModel>(&txn, rows).await?
                }
                "task_events" => load::<task_event::Entity, task_event::ActiveModel>(&txn, rows).await?,
                "blobs" => load::<blob::Entity, blob::ActiveModel>(&txn, rows).await?,
                "evidence" => load::<evidence::Entity, evidence::ActiveModel>(&txn, rows).await?,
                "calendar_days" => load::<calendar_day::Entity, calendar_day::ActiveModel>(&txn, rows).await?,
                "settings" => load::<setting::Entity, setting::ActiveModel>(&txn, rows).await?,
                "notifications" => load::<notification::Entity, notification::ActiveModel>(&txn, rows).await?,
                "outbox" => load::<outbox::Entity, outbox::ActiveModel>(&txn, rows).await?,
                "calendar_feeds" => load::<calendar_feed::Entity, calendar_feed::ActiveModel>(&txn, rows).await?,
                "schedule_events" => load::<schedule_event::Entity, schedule_event::ActiveModel>(&txn, rows).await?,
                "schedule_participants" => {
                    load::<schedule_participant::Entity, schedule_participant::ActiveModel>(&txn, rows).await?
                }
                "schedule_changes" => load::<schedule_change::Entity, schedule_change::ActiveModel>(&txn, rows).await?,
                "indicators" => load::<indicator::Entity, indicator::ActiveModel>(&txn, rows).await?,
                "indicator_targets" => {
                    load::<indicator_target::Entity, indicator_target::ActiveModel>(&txn, rows).await?
                }
                "data_values" => load::<data_value::Entity, data_value::ActiveModel>(&txn, rows).await?,
                "report_templates" => load::<report_template::Entity, report_template::ActiveModel>(&txn, rows).await?,
                "reports" => load::<report::Entity, report::ActiveModel>(&txn, rows).await?,
                "report_versions" => load::<report_version::Entity, report_version::ActiveModel>(&txn, rows).await?,
                "report_events" => load::<report_event::Entity, report_event::ActiveModel>(&txn, rows).await?,
                "registry_systems" => load::<registry_system::Entity, registry_system::ActiveModel>(&txn, rows).await?,
                "registry_databases" => {
                    load::<registry_database::Entity, registry_database::ActiveModel>(&txn, rows).await?
                }
                "registry_projects" => {
                    load::<registry_project::Entity, registry_project::ActiveModel>(&txn, rows).await?
                }
                "registry_history" => {
                    load::<registry_history::Entity, registry_history::ActiveModel>(&txn, rows).await?
                }
                "feedback_categories" => {
                    load::<feedback_category::Entity, feedback_category::ActiveModel>(&txn, rows).await?
                }
                "feedback_routes" => load::<feedback_route::Entity, feedback_route::ActiveModel>(&txn, rows).await?,
                "feedback" => load::<feedback_item::Entity, feedback_item::ActiveModel>(&txn, rows).await?,
                "feedback_events" => load::<feedback_event::Entity, feedback_event::ActiveModel>(&txn, rows).await?,
                "feedback_photos" => load::<feedback_photo::Entity, feedback_photo::ActiveModel>(&txn, rows).await?,
                "classifier_models" => {
                    load::<classifier_model::Entity, classifier_model::ActiveModel>(&txn, rows).await?
                }
                "open311_keys" => load::<open311_key::Entity, open311_key::ActiveModel>(&txn, rows).await?,
                "bulletins" => load::<bulletin::Entity, bulletin::ActiveModel>(&txn, rows).await?,
                "bulletin_sites" => load::<bulletin_site::Entity, bulletin_site::ActiveModel>(&txn, rows).await?,
                "bulletin_deliveries" => {
                    load::<bulletin_delivery::Entity, bulletin_delivery::ActiveModel>(&txn, rows).await?
                }
                "bulletin_attachments" => {
                    load::<bulletin_attachment::Entity, bulletin_attachment::ActiveModel>(&txn, rows).await?
                }
                "stations" => load::<station::Entity, station::ActiveModel>(&txn, rows).await?,
                "broadcasts" => load::<broadcast::Entity, broadcast::ActiveModel>(&txn, rows).await?,
                "cap_messages" => load::<cap_message::Entity, cap_message::ActiveModel>(&txn, rows).await?,
                "audit_log" => load::<audit_log::Entity, audit_log::ActiveModel>(&txn, rows).await?,
                _ => load::<audit_head::Entity, audit_head::ActiveModel>(&txn, rows).await?,
            }
            summary.tables.push((name, n));
        }
        self.fix_sequences(
            &txn,
            &[
                "org_units",
                "users",
                "role_grants",
                "api_tokens",
                "frameworks",
                "framework_groups",
                "framework_items",
                "plans",
                "tasks",
                "task_events",
                "evidence",
                "notifications",
                "outbox",
                "schedule_events",
                "schedule_changes",
                "indicators",
                "report_templates",
                "reports",
                "report_events",
                "registry_systems",
                "registry_databases",
                "registry_projects",
                "feedback_categories",
                "feedback_routes",
                "feedback",
                "feedback_events",
                "feedback_photos",
                "classifier_models",
                "open311_keys",
                "bulletins",
                "bulletin_attachments",
                "stations",
                "broadcasts",
                "cap_messages",
            ],
        )
        .await?;
        // The national view's tally is derived and not in the backup: rebuilt on first read.
        crate::repo::invalidate_tally(&txn).await?;
        crate::migrations::fill_task_list_keys(&txn).await?;
        txn.commit().await?;
        Ok(summary)
    }

    /// Every row of every table as JSON, in backup order: what tests compare after a restore.
    pub async fn table_contents(&self) -> Result<Vec<(String, Vec<Value>)>, StoreError> {
        let mut buf = Vec::new();
        self.backup(&mut buf).await?;
        let mut out: Vec<(String, Vec<Value>)> = Vec::new();
        for line in buf.split(|b| *b == b'\n').skip(1).filter(|l| !l.is_empty()) {
            let v: Value = serde_json::from_slice(line).map_err(|e| StoreError::Other(e.to_string()))?;
            match (v.get("table").and_then(Value::as_str), v.get("rows")) {
                (Some(t), Some(_)) if v.as_object().is_some_and(|o| o.len() == 2) => out.push((t.into(), Vec::new())),
                _ => {
                    if let Some((_, rows)) = out.last_mut() {
                        rows.push(v)
                    }
                }
            }
        }
        Ok(out)
    }
}

async fn load<E, A>(txn: &DatabaseTransaction, rows: Vec<Value>) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::Model: DeserializeOwned + IntoActiveModel<A>,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let mut models = Vec::with_capacity(rows.len());
    for r in rows {
        let m: E::Model =
            serde_json::from_value(r).map_err(|e| StoreError::Other(format!("dòng sao lưu hỏng: {e}")))?;
        models.push(m.into_active_model().reset_all());
    }
    let mut it = models.into_iter().peekable();
    while it.peek().is_some() {
        let batch: Vec<A> = it.by_ref().take(400).collect();
        E::insert_many(batch).exec_without_returning(txn).await?;
    }
    Ok(())
}
