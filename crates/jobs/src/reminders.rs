//! The scheduler: on each tick it runs the reminder jobs for today, publishes bulletins whose
//! time has come, writes portal view counts, and sends the e-mails waiting in the outbox. Every
//! step is safe to repeat, so ticks can come as often as wanted, from any number of nodes, and
//! after any restart.

use std::sync::Arc;
use std::time::Duration;

use domain::Services;
use domain::notify::ReminderRun;

use crate::mail::{Mailer, OutgoingMail};

pub struct Scheduler {
    services: Services,
    /// Outgoing mail; without it reminders stay in the app (no e-mail is queued).
    mailer: Option<Arc<dyn Mailer>>,
}

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub reminders: ReminderRun,
    /// Inspection reminders of the registry of information systems.
    pub inspections: ReminderRun,
    /// Reminders of periodic reports not yet sent.
    pub reports: ReminderRun,
    /// SLA reminders and escalations of citizen feedback.
    pub feedback: ReminderRun,
    /// Bulletins whose scheduled publication time came.
    pub published: u64,
    /// Reminders to receiving units that have not acknowledged a bulletin.
    pub bulletins: ReminderRun,
    /// Portal views written from memory.
    pub views: u64,
    /// Examples the feedback classifier was retrained on this tick (enough new confirmed ones).
    pub retrained: Option<i64>,
    /// Registry-derived indicator values brought up to date (a system fell overdue, a new year).
    pub figures: u64,
    pub mails_sent: u64,
    pub mails_failed: u64,
}

impl Scheduler {
    pub fn new(services: Services, mailer: Option<Arc<dyn Mailer>>) -> Self {
        Self { services, mailer }
    }

    pub async fn tick(&self) -> domain::Result<Tick> {
        let reminders = self.services.run_reminders(self.mailer.is_some()).await?;
        let inspections = self.services.run_inspection_reminders(self.mailer.is_some()).await?;
        let reports = self.services.run_report_reminders(self.mailer.is_some()).await?;
        let feedback = self.services.run_feedback_reminders(self.mailer.is_some()).await?;
        let published = self.services.publish_due_bulletins().await?;
        let bulletins = self.services.run_bulletin_reminders(self.mailer.is_some()).await?;
        let views = self.services.flush_portal_views().await?;
        let retrained = self.services.retrain_classifier(false).await?;
        let figures = self.services.refresh_registry_figures().await?;
        let mut tick = Tick {
            reminders,
            inspections,
            reports,
            feedback,
            published,
            bulletins,
            views,
            retrained,
            figures,
            ..Tick::default()
        };
        let Some(mailer) = &self.mailer else { return Ok(tick) };
        loop {
            let batch = self.services.claim_outbox(50).await?;
            if batch.is_empty() {
                return Ok(tick);
            }
            for m in batch {
                let mail = OutgoingMail { to: m.to.clone(), subject: m.subject.clone(), text: m.body.clone() };
                match mailer.send(&mail).await {
                    Ok(()) => tick.mails_sent += 1,
                    Err(e) => {
                        tracing::warn!(to = %m.to, attempts = m.attempts, error = %e, "e-mail not sent");
                        self.services.outbox_failed(m.id, &e.to_string()).await?;
                        tick.mails_failed += 1;
                    }
                }
            }
            if tick.mails_failed > 0 {
                // Failed mails are back in the queue; retry them on the next tick, not in a loop.
                return Ok(tick);
            }
        }
    }

    /// Ticks now and then every `every` until the process ends.
    pub fn spawn(self, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                match self.tick().await {
                    Ok(t)
                        if t.reminders.created + t.inspections.created + t.reports.created + t.feedback.created > 0
                            || t.retrained.is_some()
                            || t.mails_sent > 0
                            || t.mails_failed > 0 =>
                    {
                        tracing::info!(
                            reminders = t.reminders.created,
                            inspections = t.inspections.created,
                            reports = t.reports.created,
                            feedback = t.feedback.created,
                            retrained = t.retrained,
                            mails_sent = t.mails_sent,
                            mails_failed = t.mails_failed,
                            "scheduler tick"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "scheduler tick failed"),
                }
            }
        })
    }
}
