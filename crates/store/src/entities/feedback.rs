//! Citizen feedback: categories, routing rules, items, their history and photos, trained
//! classifier models and Open311 client keys. Items keep their area's and handling unit's paths
//! for scoped lists, and a folded `search_key` for search without diacritics.

pub mod feedback_category {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "feedback_categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub name: String,
        pub description: String,
        /// A JSON array of strings.
        pub keywords_json: String,
        pub sla_days: i32,
        pub active: bool,
        pub sort: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback_route {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "feedback_routes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub category_id: Option<i64>,
        pub area_org_id: i64,
        pub area_path: String,
        pub handler_org_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback_item {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "feedback")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub tracking_code: String,
        pub category_id: Option<i64>,
        pub category_source: String,
        pub predicted_category_id: Option<i64>,
        pub confidence: Option<f64>,
        pub title: String,
        pub description: String,
        pub public_description: String,
        pub search_key: String,
        pub hidden: bool,
        pub flagged: bool,
        pub address: Option<String>,
        pub lat: Option<f64>,
        pub lon: Option<f64>,
        /// Answers to the service attributes, a JSON object.
        pub attributes_json: String,
        pub area_org_id: i64,
        pub area_path: String,
        pub handler_org_id: i64,
        pub handler_path: String,
        pub status: String,
        pub reporter_name: Option<String>,
        pub reporter_email: Option<String>,
        pub reporter_phone: Option<String>,
        pub source: String,
        pub submitted_at: DateTimeUtc,
        pub due_on: Date,
        pub resolved_at: Option<DateTimeUtc>,
        pub closed_at: Option<DateTimeUtc>,
        pub reopen_count: i32,
        pub merged_into: Option<i64>,
        pub updated_at: DateTimeUtc,
        pub row_version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback_event {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "feedback_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub feedback_id: i64,
        pub at: DateTimeUtc,
        pub kind: String,
        pub status: String,
        pub actor_id: Option<i64>,
        pub actor: String,
        pub org_id: i64,
        pub note: Option<String>,
        pub public: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod feedback_photo {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "feedback_photos")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub feedback_id: i64,
        pub content_type: String,
        pub size: i64,
        /// The bytes, in `blobs`.
        pub sha256: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod classifier_model {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "classifier_models")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub trained_at: DateTimeUtc,
        pub examples: i64,
        pub data: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod open311_key {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "open311_keys")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        /// SHA-256 of the key.
        pub digest: String,
        pub created_at: DateTimeUtc,
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
