//! Registries (danh mục): information systems, databases, projects, and every saved version of
//! an entry with the time it took effect. Each row keeps its owner unit's path for scoped lists
//! and a folded `search_key` (name first) for search and name order on both databases.

pub mod registry_system {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "registry_systems")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub name: String,
        pub search_key: String,
        pub url: Option<String>,
        pub security_level: Option<i16>,
        pub dossier_approved_on: Option<Date>,
        pub dossier_decision: Option<String>,
        pub meets_minimum: Option<bool>,
        pub protection_plan_deployed: bool,
        /// The `FourLayer` as JSON.
        pub four_layer_json: String,
        pub last_inspection: Option<Date>,
        /// Computed by the domain from level and dates at every write (lists and the reminder job
        /// filter and sort on it).
        pub next_inspection_due: Option<Date>,
        pub last_drill: Option<Date>,
        pub portal: bool,
        pub trust_label_on: Option<Date>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub created_by: Option<i64>,
        pub updated_at: DateTimeUtc,
        pub updated_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod registry_database {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "registry_databases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub kind: String,
        pub name: String,
        pub search_key: String,
        pub url: Option<String>,
        pub as_of: Date,
        pub total_records: i64,
        pub records_since: Option<Date>,
        pub records_updated_since: Option<i64>,
        pub target_units: Option<i32>,
        pub participating_units: Option<i32>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub created_by: Option<i64>,
        pub updated_at: DateTimeUtc,
        pub updated_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod registry_project {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "registry_projects")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub name: String,
        pub search_key: String,
        pub lead_unit: String,
        pub objective: String,
        pub status: String,
        pub year_from: i32,
        pub year_to: i32,
        pub total_million_vnd: f64,
        pub spent_million_vnd: Option<f64>,
        pub expenditure: String,
        pub budget: String,
        pub security: bool,
        pub result_note: Option<String>,
        pub approved_on: Option<Date>,
        pub decision: Option<String>,
        pub row_version: i32,
        pub created_at: DateTimeUtc,
        pub created_by: Option<i64>,
        pub updated_at: DateTimeUtc,
        pub updated_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every saved version of every entry: valid from its save until the next save or the delete
/// (`valid_to` none: the current version).
pub mod registry_history {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "registry_history")]
    pub struct Model {
        /// system, database or project.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub entry_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub row_version: i32,
        pub org_id: i64,
        pub org_path: String,
        /// The entry as the domain serialises it.
        pub data_json: String,
        pub valid_from: DateTimeUtc,
        pub valid_to: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub changed_by: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
