//! One set of migrations for SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Foundation),
            Box::new(AuditAppendOnly),
            Box::new(TotpLastStep),
            Box::new(Work),
            Box::new(Notify),
            Box::new(Schedules),
            Box::new(WorkAtScale),
            Box::new(Indicators),
            Box::new(TaskListKeys),
            Box::new(Registries),
            Box::new(Reports),
            Box::new(DataValuesByPeriod),
            Box::new(Feedback),
            Box::new(Bulletins),
        ]
    }
}

struct Foundation;

impl MigrationName for Foundation {
    fn name(&self) -> &str {
        "m20261122_000001_foundation"
    }
}

fn index(table: &'static str, name: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Foundation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("org_units")
                .col(big_pk_auto("id"))
                .col(text("code"))
                .col(text("name"))
                .col(text("search_key"))
                .col(text("org_type"))
                .col(big_integer_null("parent_id"))
                .col(text("path"))
                .col(date_null("valid_from"))
                .col(date_null("valid_to"))
                .foreign_key(ForeignKey::create().from("org_units", "parent_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("org_units", "idx_org_units_code", &["code"], false)).await?;
        m.create_index(index("org_units", "idx_org_units_path", &["path"], false)).await?;
        m.create_index(index("org_units", "idx_org_units_parent", &["parent_id"], false)).await?;
        m.create_index(index("org_units", "idx_org_units_type", &["org_type", "path"], false)).await?;

        m.create_table(
            Table::create()
                .table("org_successions")
                .col(big_integer("old_id"))
                .col(big_integer("new_id"))
                .primary_key(Index::create().col("old_id").col("new_id"))
                .foreign_key(ForeignKey::create().from("org_successions", "old_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("org_successions", "new_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("org_successions", "idx_org_successions_new", &["new_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(text_uniq("username"))
                .col(text("full_name"))
                .col(text("search_key"))
                .col(text_null("email"))
                .col(big_integer("org_id"))
                .col(text("password_hash"))
                .col(boolean("must_change_password"))
                .col(text_null("totp_secret"))
                .col(integer("failed_logins"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("users", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("users", "idx_users_org", &["org_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("role_grants")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(text("role"))
                .col(big_integer("org_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("role_grants", "user_id").to("users", "id"))
                .foreign_key(ForeignKey::create().from("role_grants", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("role_grants", "idx_role_grants_unique", &["user_id", "role", "org_id"], true)).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(text_uniq("digest"))
                .col(big_integer("user_id"))
                .col(timestamp_with_time_zone("expires_at"))
                .foreign_key(ForeignKey::create().from("api_tokens", "user_id").to("users", "id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(text("id").primary_key())
                .col(text("data"))
                .col(timestamp_with_time_zone("expires_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_integer("seq").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(big_integer_null("actor_id"))
                .col(text("actor"))
                .col(text("action"))
                .col(text("entity"))
                .col(text_null("entity_id"))
                .col(big_integer_null("org_id"))
                .col(text_null("before_json"))
                .col(text_null("after_json"))
                .col(text("prev_hash"))
                .col(text("hash"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_log", "idx_audit_log_org", &["org_id", "seq"], false)).await?;

        m.create_table(
            Table::create()
                .table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(text("hash"))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("audit_head")
                .columns(["id", "seq", "hash"])
                .values_panic([1.into(), 0i64.into(), domain::audit::GENESIS_HASH.into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// The database itself refuses to change or delete audit entries (defence in depth: the hash
/// chain still catches someone who drops these triggers first).
struct AuditAppendOnly;

impl MigrationName for AuditAppendOnly {
    fn name(&self) -> &str {
        "m20261122_000002_audit_append_only"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AuditAppendOnly {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// The last TOTP step accepted per user, so a code is accepted once (RFC 6238 §5.2).
struct TotpLastStep;

impl MigrationName for TotpLastStep {
    fn name(&self) -> &str {
        "m20261122_000003_totp_last_step"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TotpLastStep {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("users").add_column(big_integer_null("totp_last_step")).to_owned()).await
    }
}

/// Frameworks, plans, tasks and their history, evidence files.
struct Work;

impl MigrationName for Work {
    fn name(&self) -> &str {
        "m20261122_000004_work"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Work {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("frameworks")
                .col(big_pk_auto("id"))
                .col(text("code"))
                .col(integer("version"))
                .col(text("title"))
                .col(text("kind"))
                .col(text("issuer"))
                .col(text("source"))
                .col(integer_null("stated_groups"))
                .col(integer_null("stated_items"))
                .col(timestamp_with_time_zone("loaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("frameworks", "idx_frameworks_version", &["code", "version"], true)).await?;
        m.create_table(
            Table::create()
                .table("framework_groups")
                .col(big_pk_auto("id"))
                .col(big_integer("framework_id"))
                .col(integer("position"))
                .col(text("code"))
                .col(text("title"))
                .col(text("cite"))
                .col(text_null("support_unit"))
                .foreign_key(ForeignKey::create().from("framework_groups", "framework_id").to("frameworks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("framework_groups", "idx_framework_groups_fw", &["framework_id", "position"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("framework_items")
                .col(big_pk_auto("id"))
                .col(big_integer("framework_id"))
                .col(big_integer("group_id"))
                .col(integer("position"))
                .col(text("code"))
                .col(text("title"))
                .col(text("body"))
                .col(text("cite"))
                .col(text_null("deadline_json"))
                .col(text_null("deadline_text"))
                .col(text_null("support_unit"))
                .col(text_null("lead_unit"))
                .col(text_null("coordinating_units"))
                .col(text("targets_json"))
                .foreign_key(ForeignKey::create().from("framework_items", "framework_id").to("frameworks", "id"))
                .foreign_key(ForeignKey::create().from("framework_items", "group_id").to("framework_groups", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("framework_items", "idx_framework_items_fw", &["framework_id", "position"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("plans")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(text("title"))
                .col(integer("period_from"))
                .col(integer("period_to"))
                .col(text("template_code"))
                .col(text("status"))
                .col(text("sections_json"))
                .col(text("framework_ids_json"))
                .col(integer("approved_version"))
                .col(text_null("decision_number"))
                .col(date_null("decision_date"))
                .col(text_null("approved_by"))
                .col(text_null("return_note"))
                .col(integer("row_version"))
                .col(big_integer("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("plans", "org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("plans", "created_by").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("plans", "idx_plans_org_path", &["org_path"], false)).await?;
        m.create_table(
            Table::create()
                .table("plan_versions")
                .col(big_integer("plan_id"))
                .col(integer("number"))
                .col(text("body_json"))
                .col(timestamp_with_time_zone("approved_at"))
                .primary_key(Index::create().col("plan_id").col("number"))
                .foreign_key(ForeignKey::create().from("plan_versions", "plan_id").to("plans", "id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("tasks")
                .col(big_pk_auto("id"))
                .col(big_integer("plan_id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(big_integer_null("parent_id"))
                .col(big_integer_null("framework_item_id"))
                .col(text("code"))
                .col(text("title"))
                .col(text("search_key"))
                .col(text("description"))
                .col(big_integer("lead_org_id"))
                .col(text("lead_path"))
                .col(date_null("start_date"))
                .col(date("deadline"))
                .col(text("state"))
                .col(small_integer("progress"))
                .col(date_null("completed_on"))
                .col(small_integer_null("rating"))
                .col(integer("row_version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("tasks", "plan_id").to("plans", "id"))
                .foreign_key(ForeignKey::create().from("tasks", "org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("tasks", "lead_org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("tasks", "parent_id").to("tasks", "id"))
                .foreign_key(ForeignKey::create().from("tasks", "framework_item_id").to("framework_items", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("tasks", "idx_tasks_plan", &["plan_id", "code"], false)).await?;
        m.create_index(index("tasks", "idx_tasks_org_path", &["org_path", "deadline"], false)).await?;
        m.create_index(index("tasks", "idx_tasks_lead_path", &["lead_path"], false)).await?;
        m.create_index(index("tasks", "idx_tasks_deadline", &["deadline"], false)).await?;
        m.create_index(index("tasks", "idx_tasks_parent", &["parent_id"], false)).await?;
        m.create_index(index(
            "tasks",
            "idx_tasks_item",
            &["framework_item_id", "org_id", "state", "deadline", "completed_on"],
            false,
        ))
        .await?;
        for (table, col, refers) in
            [("task_coordinators", "org_id", "org_units"), ("task_assignees", "user_id", "users")]
        {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(big_integer("task_id"))
                    .col(big_integer(col))
                    .primary_key(Index::create().col("task_id").col(col))
                    .foreign_key(ForeignKey::create().from(table, "task_id").to("tasks", "id"))
                    .foreign_key(ForeignKey::create().from(table, col).to(refers, "id"))
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(index("task_assignees", "idx_task_assignees_user", &["user_id", "task_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("task_dependencies")
                .col(big_integer("task_id"))
                .col(big_integer("depends_on_id"))
                .primary_key(Index::create().col("task_id").col("depends_on_id"))
                .foreign_key(ForeignKey::create().from("task_dependencies", "task_id").to("tasks", "id"))
                .foreign_key(ForeignKey::create().from("task_dependencies", "depends_on_id").to("tasks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("task_events")
                .col(big_pk_auto("id"))
                .col(big_integer("task_id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer("actor_id"))
                .col(text("actor"))
                .col(text("kind"))
                .col(text("changes_json"))
                .col(text_null("text"))
                .col(integer("row_version"))
                .foreign_key(ForeignKey::create().from("task_events", "task_id").to("tasks", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("task_events", "idx_task_events_task", &["task_id", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("blobs")
                .col(text("sha256").primary_key())
                .col(big_integer("size"))
                .col(blob("data"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("evidence")
                .col(big_pk_auto("id"))
                .col(big_integer("task_id"))
                .col(text("name"))
                .col(text_null("content_type"))
                .col(big_integer_null("size"))
                .col(text_null("sha256"))
                .col(text_null("url"))
                .col(text("added_by"))
                .col(timestamp_with_time_zone("added_at"))
                .foreign_key(ForeignKey::create().from("evidence", "task_id").to("tasks", "id"))
                .foreign_key(ForeignKey::create().from("evidence", "sha256").to("blobs", "sha256"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("evidence", "idx_evidence_task", &["task_id"], false)).await?;
        Ok(())
    }
}

/// The working-day calendar, settings, notifications with their e-mail outbox, calendar feeds.
struct Notify;

impl MigrationName for Notify {
    fn name(&self) -> &str {
        "m20261122_000005_notify"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Notify {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("calendar_days")
                .col(date("day").primary_key())
                .col(text("kind"))
                .col(text("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("settings")
                .col(text("key").primary_key())
                .col(text("value_json"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(text("kind"))
                .col(text("title"))
                .col(text("body"))
                .col(text_null("link"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(text_uniq("dedup_key"))
                .foreign_key(ForeignKey::create().from("notifications", "user_id").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("notifications", "idx_notifications_user", &["user_id", "read_at", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("outbox")
                .col(big_pk_auto("id"))
                .col(big_integer("notification_id"))
                .col(text("to_addr"))
                .col(text("subject"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(integer("attempts"))
                .col(text_null("last_error"))
                .foreign_key(ForeignKey::create().from("outbox", "notification_id").to("notifications", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", "idx_outbox_pending", &["sent_at", "id"], false)).await?;
        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(big_integer("user_id").primary_key())
                .col(text_uniq("digest"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("calendar_feeds", "user_id").to("users", "id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// Work schedules: events of a unit's weekly schedule, their participants and their history.
struct Schedules;

impl MigrationName for Schedules {
    fn name(&self) -> &str {
        "m20261122_000006_schedules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Schedules {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("schedule_events")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(text("title"))
                .col(text("place"))
                .col(big_integer_null("chair_id"))
                .col(text_null("chair_text"))
                .col(text("participants_text"))
                .col(big_integer_null("preparing_org_id"))
                .col(text("notes"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone_null("adjusted_at"))
                .col(integer("row_version"))
                .col(big_integer("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("schedule_events", "org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("schedule_events", "chair_id").to("users", "id"))
                .foreign_key(ForeignKey::create().from("schedule_events", "preparing_org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("schedule_events", "created_by").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schedule_events", "idx_schedule_events_org", &["org_id", "starts_at"], false)).await?;
        m.create_index(index("schedule_events", "idx_schedule_events_time", &["starts_at", "ends_at"], false)).await?;
        m.create_index(index("schedule_events", "idx_schedule_events_chair", &["chair_id", "starts_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("schedule_participants")
                .col(big_integer("event_id"))
                .col(big_integer("user_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("event_id").col("user_id"))
                .foreign_key(ForeignKey::create().from("schedule_participants", "event_id").to("schedule_events", "id"))
                .foreign_key(ForeignKey::create().from("schedule_participants", "user_id").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "schedule_participants",
            "idx_schedule_participants_user",
            &["user_id", "event_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("schedule_changes")
                .col(big_pk_auto("id"))
                .col(big_integer("event_id"))
                .col(integer("row_version"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer("actor_id"))
                .col(text("actor"))
                .col(text("changes_json"))
                .foreign_key(ForeignKey::create().from("schedule_changes", "event_id").to("schedule_events", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schedule_changes", "idx_schedule_changes_event", &["event_id", "row_version"], false))
            .await?;
        Ok(())
    }
}

/// What the national-scale benchmark (`scripts/bench-work.sh`, 1,000,000 tasks) asked for:
/// - the national view reads `task_tally` (tasks per framework item, agency and status, kept in
///   step by every task write) instead of every framework task; `task_tally_day` holds the day
///   its statuses are derived for (NULL: rebuilt on first use);
/// - the national view's scan of tasks (rebuilding the tally) filters a framework's items by
///   path, so its covering index carries `org_path` right after the item; it replaces
///   `idx_tasks_item`;
/// - a scoped task list asks for tasks coordinated by units of the scope (`org_id` → tasks),
///   which without an index scanned the whole `task_coordinators` table per request;
/// - a task list under a unit (agency or lead unit) filtered by status reads the state and the
///   dates from the index itself: `(org_path | lead_path, deadline, state, completed_on)`
///   replace `(org_path, deadline)` and `(lead_path)`, so a province's 27,000 tasks are counted
///   and ordered without a row lookup each.
struct WorkAtScale;

impl MigrationName for WorkAtScale {
    fn name(&self) -> &str {
        "m20261123_000007_work_at_scale"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for WorkAtScale {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "tasks",
            "idx_tasks_item_path",
            &["framework_item_id", "org_path", "org_id", "state", "deadline", "completed_on"],
            false,
        ))
        .await?;
        m.drop_index(Index::drop().name("idx_tasks_item").table("tasks").to_owned()).await?;
        m.create_index(index("task_coordinators", "idx_task_coordinators_org", &["org_id", "task_id"], false)).await?;
        // New names: on SQLite a pooled connection may still hold the schema from before a drop
        // and refuse to create an index under the dropped one's name.
        for (col, old, new) in [
            ("org_path", "idx_tasks_org_path", "idx_tasks_org_scope"),
            ("lead_path", "idx_tasks_lead_path", "idx_tasks_lead_scope"),
        ] {
            m.drop_index(Index::drop().name(old).table("tasks").to_owned()).await?;
            m.create_index(index("tasks", new, &[col, "deadline", "state", "completed_on"], false)).await?;
        }
        let mut tally = Table::create();
        tally
            .table("task_tally")
            .col(big_integer("framework_item_id"))
            .col(big_integer("org_id"))
            .col(text("org_path"))
            .primary_key(Index::create().col("framework_item_id").col("org_id"));
        for status in ["not_started", "in_progress", "completed", "completed_late", "overdue", "paused", "cancelled"] {
            tally.col(big_integer(status));
        }
        m.create_table(tally.to_owned()).await?;
        m.create_index(index("task_tally", "idx_task_tally_org", &["org_id"], false)).await?;
        m.create_index(index("task_tally", "idx_task_tally_item_path", &["framework_item_id", "org_path"], false))
            .await?;
        m.create_table(
            Table::create().table("task_tally_day").col(integer("id").primary_key()).col(date_null("day")).to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("task_tally_day")
                .columns(["id", "day"])
                .values_panic([1.into(), Option::<chrono::NaiveDate>::None.into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// Indicators (chỉ tiêu): definitions, targets per unit and period, recorded values.
/// `idx_data_values_rollup` carries every column a roll-up reads (indicator, period start,
/// unit, value), so the national figure of one indicator for one year is one index range.
struct Indicators;

impl MigrationName for Indicators {
    fn name(&self) -> &str {
        "m20261123_000008_indicators"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Indicators {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("indicators")
                .col(big_pk_auto("id"))
                .col(text_uniq("code"))
                .col(text("name"))
                .col(text("description"))
                .col(text("unit"))
                .col(text("value_type"))
                .col(text("period_type"))
                .col(text("aggregation_json"))
                .col(text_null("formula"))
                .col(double_null("expected_min"))
                .col(double_null("expected_max"))
                .col(text_null("cite"))
                .col(integer("row_version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("indicator_targets")
                .col(big_integer("indicator_id"))
                .col(big_integer("org_id"))
                .col(text("period"))
                .col(double("value"))
                .col(text_null("note"))
                .col(big_integer("set_by"))
                .col(timestamp_with_time_zone("set_at"))
                .primary_key(Index::create().col("indicator_id").col("org_id").col("period"))
                .foreign_key(ForeignKey::create().from("indicator_targets", "indicator_id").to("indicators", "id"))
                .foreign_key(ForeignKey::create().from("indicator_targets", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(data_values_table("data_values", ["indicator_id", "org_id", "period"])).await?;
        data_values_rollup_index(m).await?;
        m.create_index(index("data_values", "idx_data_values_flagged", &["flagged", "indicator_id"], false)).await?;
        Ok(())
    }
}

/// The `data_values` table as `name`, keyed by `key`.
fn data_values_table(name: &'static str, key: [&'static str; 3]) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(big_integer("indicator_id"))
        .col(big_integer("org_id"))
        .col(text("period"))
        .col(date("period_start"))
        .col(small_integer("period_months"))
        .col(double_null("value"))
        .col(text_null("text_value"))
        .col(text_null("comment"))
        .col(boolean("flagged"))
        .col(big_integer("stored_by"))
        .col(timestamp_with_time_zone("stored_at"))
        .primary_key(Index::create().col(key[0]).col(key[1]).col(key[2]))
        .foreign_key(ForeignKey::create().from(name, "indicator_id").to("indicators", "id"))
        .foreign_key(ForeignKey::create().from(name, "org_id").to("org_units", "id"))
        .to_owned()
}

/// Roll-ups read a range of periods of one indicator, every value from the index alone.
async fn data_values_rollup_index(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_index(index(
        "data_values",
        "idx_data_values_rollup",
        &["indicator_id", "period_start", "period_months", "org_id", "value"],
        false,
    ))
    .await
}

/// The data-quality list (flagged values, latest first) indexes only the flagged values, so
/// writing an ordinary value costs nothing here.
const DATA_VALUES_FLAGGED_INDEX: &str = "CREATE INDEX idx_data_values_flagged ON data_values (stored_at) WHERE flagged";

/// `data_values` keyed by (indicator, period, unit) instead of (indicator, unit, period): what a
/// DHIS2 import brings is a period's figures of many units, and those now go to the end of the
/// key's index instead of into each unit's run of it (on 12,000,000 values a 50,000-value import
/// of a new month dirtied a few hundred index pages instead of some ten thousand). The same rows
/// and columns; the index of flagged values becomes partial (see [`DATA_VALUES_FLAGGED_INDEX`]).
struct DataValuesByPeriod;

impl MigrationName for DataValuesByPeriod {
    fn name(&self) -> &str {
        "m20261123_000012_data_values_by_period"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DataValuesByPeriod {
    /// One transaction on SQLite too: the copy, the drop and the swap on one connection, all or
    /// nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE data_values DROP CONSTRAINT data_values_pkey, \
                 ADD PRIMARY KEY (indicator_id, period, org_id)",
            )
            .await?;
            db.execute_unprepared("DROP INDEX idx_data_values_flagged").await?;
            db.execute_unprepared(DATA_VALUES_FLAGGED_INDEX).await?;
            return Ok(());
        }
        // SQLite cannot change a table's key: copy into a new table and swap. The new table is
        // stored in its key's order (`WITHOUT ROWID`): a value is found by its key without a
        // second lookup, and a write touches one tree less (on 12,000,000 values: a pair of
        // values joined by key in 40 ms instead of 60, an import's inserts a quarter faster).
        m.create_table(
            data_values_table("data_values_by_period", ["indicator_id", "period", "org_id"])
                .extra("WITHOUT ROWID")
                .to_owned(),
        )
        .await?;
        let columns = "indicator_id, org_id, period, period_start, period_months, value, text_value, comment, flagged, \
                       stored_by, stored_at";
        db.execute_unprepared(&format!(
            "INSERT INTO data_values_by_period ({columns}) SELECT {columns} FROM data_values \
             ORDER BY indicator_id, period, org_id"
        ))
        .await?;
        m.drop_table(Table::drop().table("data_values").to_owned()).await?;
        m.rename_table(Table::rename().table("data_values_by_period", "data_values").to_owned()).await?;
        data_values_rollup_index(m).await?;
        db.execute_unprepared(DATA_VALUES_FLAGGED_INDEX).await?;
        Ok(())
    }
}

/// Keys that serve an officer's task list in deadline order straight from an index, where a
/// path range would read a whole province (27,000 tasks at national scale) to sort it:
/// - `tasks.agency_path` / `lead_agency_path`: the ministry or province of the task's agency and,
///   when another, of its lead unit (`repo::task_agency_keys`), indexed with the deadline and the
///   status columns, for scopes at that level;
/// - `task_assignees.deadline`, `state`, `completed_on`: the task's status columns on each
///   assignment, indexed after the person, for the tasks of someone assigned thousands.
struct TaskListKeys;

impl MigrationName for TaskListKeys {
    fn name(&self) -> &str {
        "m20261123_000009_task_list_keys"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for TaskListKeys {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["agency_path", "lead_agency_path"] {
            m.alter_table(Table::alter().table("tasks").add_column(text(col).default("")).to_owned()).await?;
        }
        for col in [date_null("deadline"), text_null("state"), date_null("completed_on")] {
            m.alter_table(Table::alter().table("task_assignees").add_column(col).to_owned()).await?;
        }
        fill_task_list_keys(m.get_connection()).await?;
        m.create_index(index(
            "tasks",
            "idx_tasks_agency",
            &["agency_path", "deadline", "state", "completed_on"],
            false,
        ))
        .await?;
        m.create_index(index(
            "tasks",
            "idx_tasks_lead_agency",
            &["lead_agency_path", "deadline", "state", "completed_on"],
            false,
        ))
        .await?;
        m.create_index(index(
            "task_assignees",
            "idx_task_assignees_deadline",
            &["user_id", "deadline", "task_id", "state", "completed_on"],
            false,
        ))
        .await?;
        Ok(())
    }
}

/// Fills the task list keys (see `TaskListKeys`) where they are missing: after the migration
/// that adds them, and after restoring a backup written before it.
pub(crate) async fn fill_task_list_keys<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let missing = Query::select()
        .distinct()
        .columns(["org_path", "lead_path"])
        .from("tasks")
        .and_where(Expr::col("agency_path").eq(""))
        .to_owned();
    let pairs: Vec<(String, String)> = db
        .query_all_raw(backend.build(&missing))
        .await?
        .iter()
        .map(|r| Ok((r.try_get_by_index::<String>(0)?, r.try_get_by_index::<String>(1)?)))
        .collect::<Result<_, DbErr>>()?;
    for (org, lead) in pairs {
        let (own, led) = crate::repo::task_agency_keys(&org, &lead);
        let set = Query::update()
            .table("tasks")
            .values([("agency_path", own.into()), ("lead_agency_path", led.into())])
            .and_where(Expr::col("org_path").eq(org.as_str()))
            .and_where(Expr::col("lead_path").eq(lead.as_str()))
            .and_where(Expr::col("agency_path").eq(""))
            .to_owned();
        db.execute_raw(backend.build(&set)).await?;
    }
    let mut copy = Query::update();
    copy.table("task_assignees");
    for col in ["deadline", "state", "completed_on"] {
        copy.value(col, Expr::cust(format!("(SELECT tasks.{col} FROM tasks WHERE tasks.id = task_assignees.task_id)")));
    }
    db.execute_raw(backend.build(copy.and_where(Expr::col("deadline").is_null()))).await?;
    Ok(())
}

/// Periodic reports: templates, one report per unit × template × period (its current content),
/// the versions submitted with their frozen figures, and the history of workflow steps.
/// `idx_reports_expected` serves completeness (a template and period over a subtree).
struct Reports;

impl MigrationName for Reports {
    fn name(&self) -> &str {
        "m20261123_000011_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Reports {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("report_templates")
                .col(big_pk_auto("id"))
                .col(text_uniq("code"))
                .col(text("template_json"))
                .col(integer("row_version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reports")
                .col(big_pk_auto("id"))
                .col(big_integer("template_id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(big_integer("receiver_org_id"))
                .col(text("receiver_path"))
                .col(text("period"))
                .col(date("period_start"))
                .col(date("due_on"))
                .col(text("state"))
                .col(text("content_json"))
                .col(integer("version"))
                .col(timestamp_with_time_zone_null("first_submitted_at"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(integer("row_version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("reports", "template_id").to("report_templates", "id"))
                .foreign_key(ForeignKey::create().from("reports", "org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("reports", "receiver_org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("reports", "idx_reports_unique", &["template_id", "org_id", "period"], true)).await?;
        m.create_index(index("reports", "idx_reports_expected", &["template_id", "period", "org_path"], false)).await?;
        m.create_index(index("reports", "idx_reports_org_path", &["org_path", "period_start"], false)).await?;
        m.create_index(index("reports", "idx_reports_receiver_path", &["receiver_path", "period_start"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("report_versions")
                .col(big_integer("report_id"))
                .col(integer("version"))
                .col(text("content_json"))
                .col(text("figures_json"))
                .col(big_integer("submitted_by"))
                .col(text("submitted_by_name"))
                .col(timestamp_with_time_zone("submitted_at"))
                .primary_key(Index::create().col("report_id").col("version"))
                .foreign_key(ForeignKey::create().from("report_versions", "report_id").to("reports", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("report_events")
                .col(big_pk_auto("id"))
                .col(big_integer("report_id"))
                .col(timestamp_with_time_zone("at"))
                .col(big_integer("actor_id"))
                .col(text("actor_name"))
                .col(text("step"))
                .col(text("from_state"))
                .col(text("to_state"))
                .col(text_null("comment"))
                .col(integer_null("version"))
                .foreign_key(ForeignKey::create().from("report_events", "report_id").to("reports", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("report_events", "idx_report_events_report", &["report_id", "id"], false)).await?;
        Ok(())
    }
}

/// Registries: information systems, databases and projects of each unit, and every saved
/// version of an entry (`registry_history`) so report tables can be read as of any day. Lists
/// are path ranges in name order; the inspection schedule and the reminder job read
/// `next_inspection_due`.
struct Registries;

impl MigrationName for Registries {
    fn name(&self) -> &str {
        "m20261123_000010_registries"
    }
}

/// `created_*`, `updated_*` and `row_version`, the columns every registry table ends with.
fn registry_meta(t: &mut TableCreateStatement) -> &mut TableCreateStatement {
    t.col(integer("row_version"))
        .col(timestamp_with_time_zone("created_at"))
        .col(big_integer_null("created_by"))
        .col(timestamp_with_time_zone("updated_at"))
        .col(big_integer_null("updated_by"))
}

#[async_trait::async_trait]
impl MigrationTrait for Registries {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut systems = Table::create();
        systems
            .table("registry_systems")
            .col(big_pk_auto("id"))
            .col(big_integer("org_id"))
            .col(text("org_path"))
            .col(text("name"))
            .col(text("search_key"))
            .col(text_null("url"))
            .col(small_integer_null("security_level"))
            .col(date_null("dossier_approved_on"))
            .col(text_null("dossier_decision"))
            .col(boolean_null("meets_minimum"))
            .col(boolean("protection_plan_deployed"))
            .col(text("four_layer_json"))
            .col(date_null("last_inspection"))
            .col(date_null("next_inspection_due"))
            .col(date_null("last_drill"))
            .col(boolean("portal"))
            .col(date_null("trust_label_on"));
        registry_meta(&mut systems)
            .foreign_key(ForeignKey::create().from("registry_systems", "org_id").to("org_units", "id"));
        m.create_table(systems.to_owned()).await?;
        m.create_index(index("registry_systems", "idx_registry_systems_path", &["org_path", "search_key"], false))
            .await?;
        m.create_index(index(
            "registry_systems",
            "idx_registry_systems_due",
            &["next_inspection_due", "org_path"],
            false,
        ))
        .await?;
        m.create_index(index("registry_systems", "idx_registry_systems_org", &["org_id"], false)).await?;

        let mut databases = Table::create();
        databases
            .table("registry_databases")
            .col(big_pk_auto("id"))
            .col(big_integer("org_id"))
            .col(text("org_path"))
            .col(text("kind"))
            .col(text("name"))
            .col(text("search_key"))
            .col(text_null("url"))
            .col(date("as_of"))
            .col(big_integer("total_records"))
            .col(date_null("records_since"))
            .col(big_integer_null("records_updated_since"))
            .col(integer_null("target_units"))
            .col(integer_null("participating_units"));
        registry_meta(&mut databases)
            .foreign_key(ForeignKey::create().from("registry_databases", "org_id").to("org_units", "id"));
        m.create_table(databases.to_owned()).await?;
        m.create_index(index(
            "registry_databases",
            "idx_registry_databases_path",
            &["org_path", "kind", "search_key"],
            false,
        ))
        .await?;

        let mut projects = Table::create();
        projects
            .table("registry_projects")
            .col(big_pk_auto("id"))
            .col(big_integer("org_id"))
            .col(text("org_path"))
            .col(text("name"))
            .col(text("search_key"))
            .col(text("lead_unit"))
            .col(text("objective"))
            .col(text("status"))
            .col(integer("year_from"))
            .col(integer("year_to"))
            .col(double("total_million_vnd"))
            .col(double_null("spent_million_vnd"))
            .col(text("expenditure"))
            .col(text("budget"))
            .col(boolean("security"))
            .col(text_null("result_note"))
            .col(date_null("approved_on"))
            .col(text_null("decision"));
        registry_meta(&mut projects)
            .foreign_key(ForeignKey::create().from("registry_projects", "org_id").to("org_units", "id"));
        m.create_table(projects.to_owned()).await?;
        m.create_index(index("registry_projects", "idx_registry_projects_path", &["org_path", "search_key"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("registry_history")
                .col(text("kind"))
                .col(big_integer("entry_id"))
                .col(integer("row_version"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(text("data_json"))
                .col(timestamp_with_time_zone("valid_from"))
                .col(timestamp_with_time_zone_null("valid_to"))
                .col(timestamp_with_time_zone("created_at"))
                .col(big_integer_null("changed_by"))
                .primary_key(Index::create().col("kind").col("entry_id").col("row_version"))
                .foreign_key(ForeignKey::create().from("registry_history", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("registry_history", "idx_registry_history_path", &["org_path", "valid_from"], false))
            .await?;
        Ok(())
    }
}

/// Citizen feedback: categories (Open311 services), routing rules, items with their history and
/// photos (bytes in `blobs`), the classifier's trained models, Open311 client keys; and outbox
/// mails that belong to no notification (e-mails to citizens, who have no account).
struct Feedback;

impl MigrationName for Feedback {
    fn name(&self) -> &str {
        "m20261124_000013_feedback"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Feedback {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("feedback_categories")
                .col(big_pk_auto("id"))
                .col(text_uniq("code"))
                .col(text("name"))
                .col(text("description"))
                .col(text("keywords_json"))
                .col(integer("sla_days"))
                .col(boolean("active"))
                .col(integer("sort"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("feedback_routes")
                .col(big_pk_auto("id"))
                .col(big_integer_null("category_id"))
                .col(big_integer("area_org_id"))
                .col(text("area_path"))
                .col(big_integer("handler_org_id"))
                .foreign_key(
                    ForeignKey::create().from("feedback_routes", "category_id").to("feedback_categories", "id"),
                )
                .foreign_key(ForeignKey::create().from("feedback_routes", "area_org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("feedback_routes", "handler_org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("feedback")
                .col(big_pk_auto("id"))
                .col(text_uniq("tracking_code"))
                .col(big_integer_null("category_id"))
                .col(text("category_source"))
                .col(big_integer_null("predicted_category_id"))
                .col(double_null("confidence"))
                .col(text("title"))
                .col(text("description"))
                .col(text("public_description"))
                .col(text("search_key"))
                .col(boolean("hidden"))
                .col(boolean("flagged"))
                .col(text_null("address"))
                .col(double_null("lat"))
                .col(double_null("lon"))
                .col(text("attributes_json"))
                .col(big_integer("area_org_id"))
                .col(text("area_path"))
                .col(big_integer("handler_org_id"))
                .col(text("handler_path"))
                .col(text("status"))
                .col(text_null("reporter_name"))
                .col(text_null("reporter_email"))
                .col(text_null("reporter_phone"))
                .col(text("source"))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(date("due_on"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(integer("reopen_count"))
                // No foreign key: a restore inserts items in id order, and an item may be merged
                // into a later one.
                .col(big_integer_null("merged_into"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("row_version"))
                .foreign_key(ForeignKey::create().from("feedback", "category_id").to("feedback_categories", "id"))
                .foreign_key(ForeignKey::create().from("feedback", "area_org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("feedback", "handler_org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("feedback", "idx_feedback_handler", &["handler_path", "submitted_at"], false)).await?;
        m.create_index(index("feedback", "idx_feedback_area", &["area_path", "submitted_at"], false)).await?;
        m.create_index(index("feedback", "idx_feedback_due", &["status", "due_on"], false)).await?;
        m.create_index(index("feedback", "idx_feedback_submitted", &["submitted_at"], false)).await?;
        m.create_index(index("feedback", "idx_feedback_merged", &["merged_into"], false)).await?;
        m.create_table(
            Table::create()
                .table("feedback_events")
                .col(big_pk_auto("id"))
                .col(big_integer("feedback_id"))
                .col(timestamp_with_time_zone("at"))
                .col(text("kind"))
                .col(text("status"))
                .col(big_integer_null("actor_id"))
                .col(text("actor"))
                .col(big_integer("org_id"))
                .col(text_null("note"))
                .col(boolean("public"))
                .foreign_key(ForeignKey::create().from("feedback_events", "feedback_id").to("feedback", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("feedback_events", "idx_feedback_events_item", &["feedback_id", "id"], false)).await?;
        m.create_index(index("feedback_events", "idx_feedback_events_at", &["public", "at"], false)).await?;
        m.create_table(
            Table::create()
                .table("feedback_photos")
                .col(big_pk_auto("id"))
                .col(big_integer("feedback_id"))
                .col(text("content_type"))
                .col(big_integer("size"))
                .col(text("sha256"))
                .foreign_key(ForeignKey::create().from("feedback_photos", "feedback_id").to("feedback", "id"))
                .foreign_key(ForeignKey::create().from("feedback_photos", "sha256").to("blobs", "sha256"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("feedback_photos", "idx_feedback_photos_item", &["feedback_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("classifier_models")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("trained_at"))
                .col(big_integer("examples"))
                .col(blob("data"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("open311_keys")
                .col(big_pk_auto("id"))
                .col(text("name"))
                .col(text_uniq("digest"))
                .col(timestamp_with_time_zone("created_at"))
                .col(boolean("active"))
                .to_owned(),
        )
        .await?;

        // Outbox mails without a notification.
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE outbox ALTER COLUMN notification_id DROP NOT NULL").await?;
            return Ok(());
        }
        m.create_table(
            Table::create()
                .table("outbox_new")
                .col(big_pk_auto("id"))
                .col(big_integer_null("notification_id"))
                .col(text("to_addr"))
                .col(text("subject"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(integer("attempts"))
                .col(text_null("last_error"))
                .foreign_key(ForeignKey::create().from("outbox_new", "notification_id").to("notifications", "id"))
                .to_owned(),
        )
        .await?;
        let columns = "id, notification_id, to_addr, subject, body, created_at, sent_at, attempts, last_error";
        db.execute_unprepared(&format!("INSERT INTO outbox_new ({columns}) SELECT {columns} FROM outbox")).await?;
        m.drop_table(Table::drop().table("outbox").to_owned()).await?;
        m.rename_table(Table::rename().table("outbox_new", "outbox").to_owned()).await?;
        m.create_index(index("outbox", "idx_outbox_pending", &["sent_at", "id"], false)).await?;
        Ok(())
    }
}

struct Bulletins;

impl MigrationName for Bulletins {
    fn name(&self) -> &str {
        "m20261125_000014_bulletins"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Bulletins {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("bulletins")
                .col(big_pk_auto("id"))
                // No foreign keys to other versions: a restore inserts rows in id order.
                .col(big_integer("series_id"))
                .col(integer("version"))
                .col(big_integer_null("source_id"))
                .col(big_integer("origin_org_id"))
                .col(text("origin_path"))
                .col(text("title"))
                .col(text("body"))
                .col(text("spoken"))
                .col(text("category"))
                .col(text("search_key"))
                .col(text("status"))
                .col(timestamp_with_time_zone_null("publish_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(text_null("alert_json"))
                .col(text("targets_json"))
                .col(text("levels_json"))
                .col(big_integer("author_id"))
                .col(text("author"))
                .col(text_null("approved_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("row_version"))
                .col(big_integer("portal_views"))
                .foreign_key(ForeignKey::create().from("bulletins", "origin_org_id").to("org_units", "id"))
                .foreign_key(ForeignKey::create().from("bulletins", "author_id").to("users", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bulletins", "idx_bulletins_series", &["series_id", "version"], false)).await?;
        m.create_index(index("bulletins", "idx_bulletins_origin", &["origin_path", "updated_at"], false)).await?;
        m.create_index(index("bulletins", "idx_bulletins_status", &["status", "publish_at"], false)).await?;
        m.create_index(index("bulletins", "idx_bulletins_source", &["source_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("bulletin_sites")
                .col(text("site"))
                .col(big_integer("bulletin_id"))
                .col(timestamp_with_time_zone("published_at"))
                .primary_key(Index::create().col("site").col("bulletin_id"))
                .foreign_key(ForeignKey::create().from("bulletin_sites", "bulletin_id").to("bulletins", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bulletin_sites", "idx_bulletin_sites_recent", &["site", "published_at"], false)).await?;
        m.create_table(
            Table::create()
                .table("bulletin_deliveries")
                .col(big_integer("bulletin_id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(text("org_type"))
                .col(timestamp_with_time_zone("delivered_at"))
                .col(timestamp_with_time_zone_null("opened_at"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(text_null("acknowledged_by"))
                .primary_key(Index::create().col("bulletin_id").col("org_id"))
                .foreign_key(ForeignKey::create().from("bulletin_deliveries", "bulletin_id").to("bulletins", "id"))
                .foreign_key(ForeignKey::create().from("bulletin_deliveries", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bulletin_deliveries", "idx_bulletin_deliveries_org", &["org_id", "delivered_at"], false))
            .await?;
        m.create_index(index(
            "bulletin_deliveries",
            "idx_bulletin_deliveries_path",
            &["org_path", "bulletin_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("bulletin_attachments")
                .col(big_pk_auto("id"))
                .col(big_integer("bulletin_id"))
                .col(text("name"))
                .col(text("content_type"))
                .col(big_integer("size"))
                .col(text("sha256"))
                .foreign_key(ForeignKey::create().from("bulletin_attachments", "bulletin_id").to("bulletins", "id"))
                .foreign_key(ForeignKey::create().from("bulletin_attachments", "sha256").to("blobs", "sha256"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bulletin_attachments", "idx_bulletin_attachments_item", &["bulletin_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("stations")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(text("org_path"))
                .col(text("name"))
                .col(boolean("active"))
                .foreign_key(ForeignKey::create().from("stations", "org_id").to("org_units", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("stations", "idx_stations_path", &["org_path"], false)).await?;
        m.create_table(
            Table::create()
                .table("broadcasts")
                .col(big_pk_auto("id"))
                .col(big_integer("bulletin_id"))
                .col(big_integer("station_id"))
                .col(big_integer("org_id"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(integer("times"))
                .col(boolean("aired"))
                .col(text("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(ForeignKey::create().from("broadcasts", "bulletin_id").to("bulletins", "id"))
                .foreign_key(ForeignKey::create().from("broadcasts", "station_id").to("stations", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("broadcasts", "idx_broadcasts_station", &["station_id", "starts_at"], false)).await?;
        m.create_index(index("broadcasts", "idx_broadcasts_bulletin", &["bulletin_id", "org_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("cap_messages")
                .col(big_pk_auto("id"))
                .col(text_uniq("identifier"))
                .col(text("sender"))
                .col(timestamp_with_time_zone("sent"))
                .col(text("msg_type"))
                .col(big_integer("bulletin_id"))
                .col(big_integer("series_id"))
                .col(text("authority_code"))
                .col(text("references_json"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .foreign_key(ForeignKey::create().from("cap_messages", "bulletin_id").to("bulletins", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("cap_messages", "idx_cap_messages_authority", &["authority_code", "sent"], false)).await?;
        m.create_index(index("cap_messages", "idx_cap_messages_series", &["series_id", "sent"], false)).await?;
        Ok(())
    }
}
