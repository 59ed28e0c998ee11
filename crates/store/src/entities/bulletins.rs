//! Source information: bulletin versions (a series shares `series_id`; a relay points at its
//! source), the portal sites and receiving units of each published version, attachments,
//! stations with their playlists, and the CAP messages sent. Paths are kept for scoped lists,
//! a folded `search_key` for search without diacritics.

pub mod bulletin {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "bulletins")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub series_id: i64,
        pub version: i32,
        pub source_id: Option<i64>,
        pub origin_org_id: i64,
        pub origin_path: String,
        pub title: String,
        pub body: String,
        pub spoken: String,
        pub category: String,
        pub search_key: String,
        pub status: String,
        pub publish_at: Option<DateTimeUtc>,
        pub published_at: Option<DateTimeUtc>,
        pub expires_at: Option<DateTimeUtc>,
        pub withdrawn_at: Option<DateTimeUtc>,
        /// The alert's facts as JSON (emergencies).
        pub alert_json: Option<String>,
        /// A JSON array of target unit codes.
        pub targets_json: String,
        /// A JSON array of receiving levels (`province`, `district`, `commune`).
        pub levels_json: String,
        pub author_id: i64,
        pub author: String,
        pub approved_by: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub row_version: i32,
        pub portal_views: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod bulletin_site {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "bulletin_sites")]
    pub struct Model {
        /// A province code, or the root's for the national site.
        #[sea_orm(primary_key, auto_increment = false)]
        pub site: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub bulletin_id: i64,
        pub published_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod bulletin_delivery {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "bulletin_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub bulletin_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i64,
        pub org_path: String,
        pub org_type: String,
        pub delivered_at: DateTimeUtc,
        pub opened_at: Option<DateTimeUtc>,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub acknowledged_by: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod bulletin_attachment {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "bulletin_attachments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub bulletin_id: i64,
        pub name: String,
        pub content_type: String,
        pub size: i64,
        pub sha256: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod station {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "stations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub name: String,
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod broadcast {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "broadcasts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub bulletin_id: i64,
        pub station_id: i64,
        pub org_id: i64,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub times: i32,
        pub aired: bool,
        pub recorded_by: String,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod cap_message {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "cap_messages")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub identifier: String,
        pub sender: String,
        pub sent: DateTimeUtc,
        pub msg_type: String,
        pub bulletin_id: i64,
        pub series_id: i64,
        pub authority_code: String,
        /// A JSON array of `sender,identifier,sent` strings.
        pub references_json: String,
        pub expires_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
