//! Indicators (chỉ tiêu): definitions, targets per unit and period, and the recorded values.

pub mod indicator {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "indicators")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub description: String,
        pub unit: String,
        pub value_type: String,
        pub period_type: String,
        /// The `AggregationRule` as JSON (its inputs name other indicators by code).
        pub aggregation_json: String,
        pub formula: Option<String>,
        pub expected_min: Option<f64>,
        pub expected_max: Option<f64>,
        pub cite: Option<String>,
        pub row_version: i32,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod indicator_target {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "indicator_targets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub indicator_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i64,
        /// DHIS2 period code (`2026`, `2026Q1`, …).
        #[sea_orm(primary_key, auto_increment = false)]
        pub period: String,
        pub value: f64,
        pub note: Option<String>,
        pub set_by: i64,
        pub set_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One recorded value. Numbers and yes/no (1/0) are in `value`, text in `text_value`; the
/// period's first day and length make "every value inside 2026" an index range.
pub mod data_value {
    use sea_orm::entity::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
    #[sea_orm(table_name = "data_values")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub indicator_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub period: String,
        pub period_start: Date,
        pub period_months: i16,
        pub value: Option<f64>,
        pub text_value: Option<String>,
        pub comment: Option<String>,
        /// Outside the indicator's expected range: listed on the data-quality page.
        pub flagged: bool,
        pub stored_by: i64,
        pub stored_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
