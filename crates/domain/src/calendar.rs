//! The Vietnamese working-day calendar (being written).
