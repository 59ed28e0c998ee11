//! Notifications (the in-app notification centre and its e-mail copies) and the reminder rules
//! that produce them from deadlines.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::UserId;
use crate::{DomainError, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// "reminder", "overdue", "escalation", …
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub read: bool,
}

/// A notification to create once: a second one with the same `dedup_key` is ignored, which is
/// what makes reminder jobs safe to rerun and to restart.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub dedup_key: String,
    /// Queue an e-mail copy to this address.
    pub email: Option<String>,
}

/// An e-mail waiting in the outbox.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

/// When reminders go out (settings key `reminder_rules`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReminderRules {
    /// Working days before the deadline on which the assignees are reminded.
    pub before: Vec<u32>,
    /// Remind the assignees every working day once a task is overdue.
    pub overdue_daily: bool,
    /// Working days overdue after which the lead unit's leader is told.
    pub escalate_after: u32,
}

impl Default for ReminderRules {
    fn default() -> Self {
        Self { before: vec![7, 3, 1], overdue_daily: true, escalate_after: 3 }
    }
}

impl ReminderRules {
    pub const KEY: &'static str = "reminder_rules";

    pub fn validate(mut self) -> Result<Self> {
        self.before.sort_unstable_by(|a, b| b.cmp(a));
        self.before.dedup();
        if self.before.iter().any(|d| *d == 0 || *d > 60) {
            return Err(DomainError::invalid("before", "số ngày làm việc nhắc trước từ 1 đến 60"));
        }
        if self.escalate_after == 0 || self.escalate_after > 60 {
            return Err(DomainError::invalid("escalate_after", "số ngày quá hạn trước khi báo lãnh đạo từ 1 đến 60"));
        }
        Ok(self)
    }

    /// Parses "7, 3, 1".
    pub fn parse_days(s: &str) -> Result<Vec<u32>> {
        s.split([',', ';', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().parse().map_err(|_| DomainError::invalid("before", format!("'{p}' không phải số ngày"))))
            .collect()
    }
}

/// What one reminder run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReminderRun {
    pub checked_tasks: u64,
    pub created: u64,
    /// Notifications that already existed (a rerun, or a restart the same day).
    pub already_sent: u64,
}

impl ReminderRun {
    /// Counts one notification: created now, or already sent before.
    pub fn count(&mut self, created: bool) {
        if created {
            self.created += 1;
        } else {
            self.already_sent += 1;
        }
    }
}
