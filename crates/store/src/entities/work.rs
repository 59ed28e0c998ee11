//! Entities of frameworks, plans and tasks.

pub mod framework {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "frameworks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub version: i32,
        pub title: String,
        pub kind: String,
        pub issuer: String,
        pub source: String,
        pub stated_groups: Option<i32>,
        pub stated_items: Option<i32>,
        pub loaded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod framework_group {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "framework_groups")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub framework_id: i64,
        pub position: i32,
        pub code: String,
        pub title: String,
        pub cite: String,
        pub support_unit: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod framework_item {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "framework_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub framework_id: i64,
        pub group_id: i64,
        pub position: i32,
        pub code: String,
        pub title: String,
        pub body: String,
        pub cite: String,
        pub deadline_json: Option<String>,
        pub deadline_text: Option<String>,
        pub support_unit: Option<String>,
        pub lead_unit: Option<String>,
        pub coordinating_units: Option<String>,
        pub targets_json: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod plan {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "plans")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub title: String,
        pub period_from: i32,
        pub period_to: i32,
        pub template_code: String,
        pub status: String,
        pub sections_json: String,
        pub framework_ids_json: String,
        pub approved_version: i32,
        pub decision_number: Option<String>,
        pub decision_date: Option<Date>,
        pub approved_by: Option<String>,
        pub return_note: Option<String>,
        pub row_version: i32,
        pub created_by: i64,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod plan_version {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "plan_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub plan_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub number: i32,
        pub body_json: String,
        pub approved_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "tasks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub plan_id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub parent_id: Option<i64>,
        pub framework_item_id: Option<i64>,
        pub code: String,
        pub title: String,
        pub search_key: String,
        pub description: String,
        pub lead_org_id: i64,
        pub lead_path: String,
        /// `domain::org::agency_path` of `org_path` and of `lead_path` (indexed with the
        /// deadline: a province's tasks in list order).
        #[serde(default)]
        pub agency_path: String,
        #[serde(default)]
        pub lead_agency_path: String,
        pub start_date: Option<Date>,
        pub deadline: Date,
        pub state: String,
        pub progress: i16,
        pub completed_on: Option<Date>,
        pub rating: Option<i16>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task_coordinator {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "task_coordinators")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub task_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task_assignee {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "task_assignees")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub task_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        /// The task's status columns, kept with the link so that a person's tasks come in
        /// deadline order, filtered by status, from the index
        /// `(user_id, deadline, task_id, state, completed_on)`.
        #[serde(default)]
        pub deadline: Option<Date>,
        #[serde(default)]
        pub state: Option<String>,
        #[serde(default)]
        pub completed_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task_dependency {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "task_dependencies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub task_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub depends_on_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task_event {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "task_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub task_id: i64,
        pub at: DateTimeUtc,
        pub actor_id: i64,
        pub actor: String,
        pub kind: String,
        pub changes_json: String,
        pub text: Option<String>,
        pub row_version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod blob {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "blobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sha256: String,
        pub size: i64,
        pub data: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod evidence {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "evidence")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub task_id: i64,
        pub name: String,
        pub content_type: Option<String>,
        pub size: Option<i64>,
        pub sha256: Option<String>,
        pub url: Option<String>,
        pub added_by: String,
        pub added_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Tasks linked to a framework item, counted per (item, agency) and status as of
/// `task_tally_day.day`: what the national view reads instead of every task. Derived data,
/// kept in step by every task write (see `repo/work_tally.rs`) and never backed up.
pub mod task_tally {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_tally")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub framework_item_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i64,
        pub org_path: String,
        pub not_started: i64,
        pub in_progress: i64,
        pub completed: i64,
        pub completed_late: i64,
        pub overdue: i64,
        pub paused: i64,
        pub cancelled: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The one day `task_tally`'s statuses are derived for; `None` = the tally is to be rebuilt.
pub mod task_tally_day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_tally_day")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub day: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
