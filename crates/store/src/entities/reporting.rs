//! Periodic reports: templates, reports, their submitted versions and their workflow history.

pub mod report_template {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "report_templates")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        /// The whole `ReportTemplate` as JSON (its sections are read together, never queried).
        pub template_json: String,
        pub row_version: i32,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod report {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "reports")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub template_id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub receiver_org_id: i64,
        pub receiver_path: String,
        /// DHIS2 period code.
        pub period: String,
        pub period_start: Date,
        pub due_on: Date,
        pub state: String,
        /// The unit's current `ReportContent`.
        pub content_json: String,
        pub version: i32,
        pub first_submitted_at: Option<DateTimeUtc>,
        pub submitted_at: Option<DateTimeUtc>,
        pub accepted_at: Option<DateTimeUtc>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod report_version {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "report_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub report_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        pub content_json: String,
        /// The `Figures` frozen at this submission.
        pub figures_json: String,
        pub submitted_by: i64,
        pub submitted_by_name: String,
        pub submitted_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod report_event {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "report_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub report_id: i64,
        pub at: DateTimeUtc,
        pub actor_id: i64,
        pub actor_name: String,
        pub step: String,
        pub from_state: String,
        pub to_state: String,
        pub comment: Option<String>,
        pub version: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
