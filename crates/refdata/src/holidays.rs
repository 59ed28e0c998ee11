//! Public holidays and compensatory days off (being written).
