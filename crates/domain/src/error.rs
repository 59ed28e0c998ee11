//! The domain's one error type. Every variant carries what the edge needs to tell the user
//! (in Vietnamese, from [`crate::messages`]) without leaking internals.

use chrono::{DateTime, Utc};

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Something named by the caller does not exist (or is outside the caller's scope for reads,
    /// which is reported the same way so that scope does not leak existence).
    #[error("{what} '{key}' not found")]
    NotFound { what: &'static str, key: String },
    /// The caller is signed in but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// No valid credentials. One message for every cause, so it does not tell whether a user exists.
    #[error("authentication failed")]
    Unauthenticated,
    /// Too many failed logins: temporarily locked.
    #[error("account locked until {until}")]
    Locked { until: DateTime<Utc> },
    /// A field of the input is wrong; `field` is the input's own name for it.
    #[error("invalid {field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The write collides with existing data (a duplicate username, a stale version).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A workflow step that the current state does not allow (approve a draft never submitted).
    #[error("{action} not allowed while {state}")]
    Transition { state: &'static str, action: &'static str },
    /// Someone else saved the same record since the caller loaded it; nothing was written.
    /// `changes` says what they changed ("Hạn hoàn thành: 30/11/2026 → 15/12/2026 (Nguyễn A, 10:02 22/11/2026)").
    #[error("edit conflict: {changes:?}")]
    Stale { changes: Vec<String> },
    /// An import with bad rows: nothing was imported; each problem names its row and column.
    #[error("import rejected: {} problems", .0.len())]
    Rejected(Vec<RowProblem>),
    /// A record that cannot go on yet (a report submitted with parts missing): every missing
    /// piece, each naming its field or section.
    #[error("incomplete: {} problems", .0.len())]
    Incomplete(Vec<FieldProblem>),
    /// The storage layer failed; the message is for logs, never shown to users.
    #[error("storage: {0}")]
    Storage(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }
    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        Self::NotFound { what, key: key.into() }
    }
}

/// One bad cell (or row) of an import.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// 1-based line in the file; the header is line 1.
    pub line: usize,
    /// The column's header, or empty when the whole row is wrong.
    pub column: String,
    pub message: String,
}

/// One missing or wrong piece of a record: its field (or section key) and what is wrong.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}
