//! Use cases of the working-day calendar, reminders, the notification centre and the personal
//! calendar feed. The reminder job is idempotent: every notification carries a key that storage
//! keeps unique, so a rerun or a restart creates nothing twice; time comes from the clock.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::auth::{Principal, Role};
use crate::calendar::{CalendarDay, DayKind, WorkCalendar};
use crate::notify::{NewNotification, Notification, OutboxMail, ReminderRules, ReminderRun};
use crate::services::Services;
use crate::users::{User, UserId};
use crate::work::Task;
use crate::{DomainError, Result};

fn fmt(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Ancestor ids of a materialised path, nearest first: "/1/45/123/" → [123, 45, 1].
fn path_ids(path: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = path.split('/').filter_map(|p| p.parse().ok()).collect();
    ids.reverse();
    ids
}

impl Services {
    // ----- working-day calendar ----------------------------------------------------------------

    /// Adds shipped public holidays whose dates are not in the calendar yet.
    pub async fn seed_calendar(&self, days: &[CalendarDay]) -> Result<u64> {
        let n = self.store.calendar_seed(days).await?;
        self.forget_intake_refs();
        Ok(n)
    }

    pub async fn work_calendar(&self) -> Result<WorkCalendar> {
        Ok(WorkCalendar::new(self.store.calendar_days().await?))
    }

    /// Sets what a date is (holiday, compensatory day off, make-up working day). System admins only.
    pub async fn set_calendar_day(&self, actor: &Principal, day: CalendarDay) -> Result<()> {
        if !actor.is_root_admin() {
            return Err(DomainError::Forbidden("sửa lịch ngày nghỉ, ngày làm việc"));
        }
        let name = day.name.trim().to_string();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "cần tên ngày (ví dụ: Tết Nguyên đán)"));
        }
        let weekend = day.date.weekday().number_from_monday() >= 6;
        match day.kind {
            DayKind::WorkingDay if !weekend => {
                return Err(DomainError::invalid("kind", "ngày làm bù phải là thứ Bảy hoặc Chủ nhật"));
            }
            DayKind::DayOff if weekend => {
                return Err(DomainError::invalid("kind", "ngày nghỉ bù phải là ngày trong tuần"));
            }
            _ => {}
        }
        let mut audit = self.draft(Some(&actor.user), "calendar.set", "calendar_day");
        audit.entity_id = Some(day.date.to_string());
        audit.after = Some(json!({ "kind": day.kind, "name": name }));
        self.store.calendar_put(&CalendarDay { name, ..day }, audit).await?;
        self.forget_intake_refs();
        Ok(())
    }

    pub async fn delete_calendar_day(&self, actor: &Principal, date: NaiveDate) -> Result<()> {
        if !actor.is_root_admin() {
            return Err(DomainError::Forbidden("sửa lịch ngày nghỉ, ngày làm việc"));
        }
        let mut audit = self.draft(Some(&actor.user), "calendar.delete", "calendar_day");
        audit.entity_id = Some(date.to_string());
        if self.store.calendar_delete(date, audit).await? {
            self.forget_intake_refs();
            Ok(())
        } else {
            Err(DomainError::not_found("ngày", fmt(date)))
        }
    }

    // ----- settings ----------------------------------------------------------------------------

    pub async fn reminder_rules(&self) -> Result<ReminderRules> {
        self.setting(ReminderRules::KEY).await
    }

    pub async fn set_reminder_rules(&self, actor: &Principal, rules: ReminderRules) -> Result<ReminderRules> {
        let rules = rules.validate()?;
        self.put_setting(actor, ReminderRules::KEY, &rules, "settings.reminder_rules", "sửa quy tắc nhắc việc").await?;
        Ok(rules)
    }

    // ----- notification centre -----------------------------------------------------------------

    pub async fn notifications(&self, actor: &Principal, limit: u64) -> Result<Vec<Notification>> {
        self.store.notifications(actor.user.id, limit.clamp(1, 500)).await
    }

    pub async fn unread_notifications(&self, actor: &Principal) -> Result<u64> {
        self.store.unread_count(actor.user.id).await
    }

    /// Marks one of the caller's notifications (or all of them) read.
    pub async fn mark_read(&self, actor: &Principal, id: Option<i64>) -> Result<u64> {
        self.store.mark_read(actor.user.id, id, self.clock.now()).await
    }

    /// Sends a notification to one user once per `key` (e-mailed too when `email` and the user
    /// has an address).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn notify_once(
        &self,
        user: &User,
        kind: &str,
        title: String,
        body: String,
        link: Option<String>,
        key: String,
        email: bool,
    ) -> Result<bool> {
        self.store
            .notify(&NewNotification {
                user_id: user.id,
                created_at: self.clock.now(),
                kind: kind.into(),
                title,
                body,
                link,
                dedup_key: key,
                email: if email { user.email.clone().filter(|e| !e.is_empty()) } else { None },
            })
            .await
    }

    // ----- reminders ---------------------------------------------------------------------------

    /// One reminder run for today: reminders N working days before each open task's deadline,
    /// a daily reminder once it is overdue, and one escalation to the lead unit's leader after
    /// the configured number of working days overdue. Runs only on working days.
    pub async fn run_reminders(&self, email: bool) -> Result<ReminderRun> {
        let today = self.clock.today();
        let calendar = self.work_calendar().await?;
        let rules = self.reminder_rules().await?;
        let mut run = ReminderRun::default();
        if !calendar.is_working_day(today) {
            return Ok(run);
        }
        let horizon = rules.before.iter().copied().max().unwrap_or(0) as i32;
        let until = calendar.add_working_days(today, horizon + 1);
        let tasks = self.store.open_tasks_due_by(until).await?;
        let mut users: BTreeMap<UserId, Option<User>> = BTreeMap::new();
        for task in tasks {
            run.checked_tasks += 1;
            let task = task.as_of(today);
            let link = Some(format!("/tasks/{}", task.id));
            if task.deadline >= today {
                let left = calendar.working_days_between(today, task.deadline);
                if rules.before.iter().any(|d| i64::from(*d) == left) {
                    for a in &task.assignees {
                        let Some(user) = self.cached_user(&mut users, a.id).await? else { continue };
                        let created = self
                            .notify_once(
                                &user,
                                "reminder",
                                format!("Còn {left} ngày làm việc: {}", task.title),
                                reminder_body(&task, &format!("Hạn hoàn thành {}.", fmt(task.deadline))),
                                link.clone(),
                                format!("task:{}:before:{left}:{}:user:{}", task.id, task.deadline, user.id),
                                email,
                            )
                            .await?;
                        run.count(created);
                    }
                }
                continue;
            }
            let late = calendar.working_days_between(task.deadline, today);
            if rules.overdue_daily {
                for a in &task.assignees {
                    let Some(user) = self.cached_user(&mut users, a.id).await? else { continue };
                    let created = self
                        .notify_once(
                            &user,
                            "overdue",
                            format!("Quá hạn {late} ngày làm việc: {}", task.title),
                            reminder_body(&task, &format!("Hạn hoàn thành là {}.", fmt(task.deadline))),
                            link.clone(),
                            format!("task:{}:overdue:{today}:user:{}", task.id, user.id),
                            email,
                        )
                        .await?;
                    run.count(created);
                }
            }
            if late >= i64::from(rules.escalate_after) {
                for leader in self.leaders_of(&task).await? {
                    let created = self
                        .notify_once(
                            &leader,
                            "escalation",
                            format!("Nhiệm vụ quá hạn {late} ngày làm việc: {}", task.title),
                            reminder_body(
                                &task,
                                &format!(
                                    "Hạn hoàn thành là {}; người thực hiện: {}.",
                                    fmt(task.deadline),
                                    if task.assignees.is_empty() {
                                        "chưa phân công".to_string()
                                    } else {
                                        task.assignees
                                            .iter()
                                            .map(|u| u.full_name.clone())
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    }
                                ),
                            ),
                            link.clone(),
                            format!("task:{}:escalate:{}:user:{}", task.id, task.deadline, leader.id),
                            email,
                        )
                        .await?;
                    run.count(created);
                }
            }
        }
        Ok(run)
    }

    async fn cached_user(&self, cache: &mut BTreeMap<UserId, Option<User>>, id: UserId) -> Result<Option<User>> {
        if let Some(u) = cache.get(&id) {
            return Ok(u.clone());
        }
        let u = self.store.user_get(id).await?.filter(|u| u.active);
        cache.insert(id, u.clone());
        Ok(u)
    }

    /// The leaders of a task's lead unit: those holding the leader role on the nearest unit, going
    /// up from the lead unit, that has one.
    async fn leaders_of(&self, task: &Task) -> Result<Vec<User>> {
        let ids = path_ids(&task.lead_path);
        let found = self.store.users_with_role_on(Role::Leader, &ids).await?;
        for id in ids {
            let here: Vec<User> =
                found.iter().filter(|(u, org)| *org == id && u.active).map(|(u, _)| u.clone()).collect();
            if !here.is_empty() {
                return Ok(here);
            }
        }
        Ok(Vec::new())
    }

    /// Claims e-mails to send now (each is handed out once).
    pub async fn claim_outbox(&self, limit: u64) -> Result<Vec<OutboxMail>> {
        self.store.outbox_claim(limit, self.clock.now()).await
    }

    pub async fn outbox_failed(&self, id: i64, error: &str) -> Result<()> {
        self.store.outbox_failed(id, error).await
    }

    // ----- personal calendar feed --------------------------------------------------------------

    /// Creates (or replaces) the caller's secret calendar address; returns the secret, shown once.
    pub async fn rotate_calendar_feed(&self, actor: &Principal) -> Result<String> {
        let secret = crate::users::random_token();
        let mut audit = self.draft(Some(&actor.user), "calendar_feed.rotate", "calendar_feed");
        audit.entity_id = Some(actor.user.id.to_string());
        audit.org_id = Some(actor.user.org_id);
        self.store.feed_set(actor.user.id, &crate::users::token_digest(&secret), self.clock.now(), audit).await?;
        Ok(secret)
    }

    /// Whose feed a secret opens, that user's tasks with a deadline (open ones, and those done in
    /// the last 90 days) and the published schedule events they chair or attend (90 days back, a
    /// year ahead).
    pub async fn calendar_feed(&self, secret: &str) -> Result<PersonalCalendar> {
        let unknown = || DomainError::not_found("lịch", "…");
        let user_id = self.store.feed_user(&crate::users::token_digest(secret)).await?.ok_or_else(unknown)?;
        let user = self.store.user_get(user_id).await?.filter(|u| u.active).ok_or_else(unknown)?;
        let today = self.clock.today();
        let since = today.checked_sub_days(chrono::Days::new(90)).unwrap_or(today);
        let until = today.checked_add_days(chrono::Days::new(365)).unwrap_or(today);
        let page = self
            .store
            .task_list(&crate::repo::work::TaskFilter {
                assignee_id: Some(user.id),
                deadline_from: Some(since),
                today: Some(today),
                limit: 2000,
                ..Default::default()
            })
            .await?;
        let events = self.schedule_events_for_user(user.id, since, until).await?;
        Ok(PersonalCalendar { user, tasks: page.items, events })
    }
}

/// What a personal calendar feed shows.
pub struct PersonalCalendar {
    pub user: User,
    pub tasks: Vec<Task>,
    pub events: Vec<crate::schedule::ScheduleEvent>,
}

fn reminder_body(task: &Task, when: &str) -> String {
    format!(
        "Nhiệm vụ: {}\nKế hoạch: {}\nĐơn vị chủ trì: {}\n{when}\nTiến độ hiện tại: {}%.",
        task.title, task.plan_title, task.lead.name, task.progress
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_ids_go_from_the_unit_up() {
        assert_eq!(path_ids("/1/45/123/"), vec![123, 45, 1]);
    }
}
