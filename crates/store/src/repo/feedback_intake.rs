//! Group commit of new feedback items: submissions that arrive while a transaction is being
//! written wait in a queue and are committed together in the next one — one transaction, one
//! sync to disk and one audit-chain append for the whole group, each item still committed before
//! its caller hears back.
//!
//! One writer task per database handle, started on the first submission. A group that fails (a
//! tracking code taken, a photo that cannot be stored) is written again item by item, so one bad
//! item never takes the others down with it.

use std::collections::HashMap;

use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use tokio::sync::{mpsc, oneshot};

use domain::audit::AuditDraft;
use domain::feedback::{Feedback, Status};
use domain::repo::feedback::{NewEvent, NewFeedback, NewPhoto};
use domain::{DomainError, Result};

use super::feedback::{event_model, item_from};
use super::{append_audits, put_blob};
use crate::entities::feedback::{feedback_event, feedback_item, feedback_photo};
use crate::{Db, storage};

/// At most this many items per transaction (keeps each statement well under the databases'
/// bound-parameter limits: 40 columns × 64 rows).
const MAX_GROUP: usize = 64;
/// Submissions waiting beyond this make their callers wait for room in the queue.
const QUEUE: usize = 4 * MAX_GROUP;

/// What one new item is stored with: its photos, first history line and audit entry.
pub(crate) type Parts = (NewFeedback, Vec<NewPhoto>, NewEvent, AuditDraft);

/// One submission waiting for its transaction.
pub(crate) struct IntakeJob {
    parts: Parts,
    reply: oneshot::Sender<Result<Feedback>>,
}

/// The queue's sending end, shared by every clone of one database handle.
pub(crate) type IntakeQueue = std::sync::OnceLock<mpsc::Sender<IntakeJob>>;

impl Db {
    /// Stores a new item with its photos, first history line and audit entry, committed (with
    /// whatever else is waiting) before it returns.
    pub(crate) async fn intake(&self, parts: Parts) -> Result<Feedback> {
        let queue = self.intake.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(self.without_queue().write_groups(rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        queue
            .send(IntakeJob { parts, reply })
            .await
            .map_err(|_| DomainError::Storage("hàng đợi ghi phản ánh đã dừng".into()))?;
        answer.await.map_err(|_| DomainError::Storage("hàng đợi ghi phản ánh đã dừng".into()))?
    }

    /// The writer task: takes whatever is waiting (up to [`MAX_GROUP`]) and commits it as one.
    /// Ends when every handle holding the queue is gone.
    async fn write_groups(self, mut rx: mpsc::Receiver<IntakeJob>) {
        let mut group = Vec::with_capacity(MAX_GROUP);
        while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
            let jobs = std::mem::take(&mut group);
            if jobs.len() > 1 {
                tracing::debug!(target: "store", items = jobs.len(), "feedback group commit");
            }
            self.commit_group(jobs).await;
        }
    }

    async fn commit_group(&self, jobs: Vec<IntakeJob>) {
        let single = jobs.len() == 1;
        let (parts, replies): (Vec<_>, Vec<_>) = jobs.into_iter().map(|j| (j.parts, j.reply)).unzip();
        match self.insert_group(&parts).await {
            Ok(items) => {
                for (reply, item) in replies.into_iter().zip(items) {
                    let _ = reply.send(Ok(item));
                }
            }
            Err(e) if single => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(_) => {
                for (part, reply) in parts.into_iter().zip(replies) {
                    let result = self.insert_group(std::slice::from_ref(&part)).await.map(|mut v| v.remove(0));
                    let _ = reply.send(result);
                }
            }
        }
    }

    /// One transaction: the items (multi-row, their ids returned), photos, history lines and
    /// audit entries. Items come back in the order given.
    async fn insert_group(
        &self,
        parts: &[(NewFeedback, Vec<NewPhoto>, NewEvent, AuditDraft)],
    ) -> Result<Vec<Feedback>> {
        let (_guard, txn) = self.begin_write().await.map_err(storage)?;
        let rows = feedback_item::Entity::insert_many(parts.iter().map(|(item, ..)| new_item_model(item)))
            .exec_with_returning(&txn)
            .await
            .map_err(storage)?;
        let mut by_code: HashMap<String, feedback_item::Model> =
            rows.into_iter().map(|m| (m.tracking_code.clone(), m)).collect();
        let saved: Vec<feedback_item::Model> = parts
            .iter()
            .map(|(item, ..)| {
                by_code
                    .remove(&item.tracking_code)
                    .ok_or_else(|| DomainError::Storage(format!("không thấy lại phản ánh {}", item.tracking_code)))
            })
            .collect::<Result<_>>()?;
        for ((_, photos, ..), row) in parts.iter().zip(&saved) {
            for p in photos {
                let digest = put_blob(&txn, &p.bytes).await.map_err(storage)?;
                feedback_photo::Entity::insert(feedback_photo::ActiveModel {
                    feedback_id: Set(row.id),
                    content_type: Set(p.content_type.clone()),
                    size: Set(p.bytes.len() as i64),
                    sha256: Set(digest),
                    ..Default::default()
                })
                .exec_without_returning(&txn)
                .await
                .map_err(storage)?;
            }
        }
        feedback_event::Entity::insert_many(
            parts
                .iter()
                .zip(&saved)
                .map(|((item, _, event, _), row)| event_model(row.id, Status::New, item.handler_org_id, event)),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(storage)?;
        let audits = parts
            .iter()
            .zip(&saved)
            .map(|((.., audit), row)| AuditDraft { entity_id: Some(row.id.to_string()), ..audit.clone() })
            .collect();
        append_audits(&txn, audits).await.map_err(storage)?;
        txn.commit().await.map_err(storage)?;
        saved.into_iter().map(item_from).collect()
    }
}

fn new_item_model(item: &NewFeedback) -> feedback_item::ActiveModel {
    feedback_item::ActiveModel {
        tracking_code: Set(item.tracking_code.clone()),
        category_id: Set(item.category_id),
        category_source: Set(item.category_source.as_str().into()),
        predicted_category_id: Set(item.predicted_category_id),
        confidence: Set(item.confidence),
        title: Set(item.title.clone()),
        description: Set(item.description.clone()),
        public_description: Set(item.public_description.clone()),
        search_key: Set(item.search_key.clone()),
        hidden: Set(false),
        flagged: Set(item.flagged),
        address: Set(item.address.clone()),
        lat: Set(item.location.map(|l| l.lat)),
        lon: Set(item.location.map(|l| l.lon)),
        attributes_json: Set(serde_json::to_string(&item.attributes).unwrap_or_else(|_| "{}".into())),
        area_org_id: Set(item.area_org_id),
        area_path: Set(item.area_path.clone()),
        handler_org_id: Set(item.handler_org_id),
        handler_path: Set(item.handler_path.clone()),
        status: Set(Status::New.as_str().into()),
        reporter_name: Set(item.reporter.name.clone()),
        reporter_email: Set(item.reporter.email.clone()),
        reporter_phone: Set(item.reporter.phone.clone()),
        source: Set(item.source.as_str().into()),
        submitted_at: Set(item.submitted_at),
        due_on: Set(item.due_on),
        resolved_at: Set(None),
        closed_at: Set(None),
        reopen_count: Set(0),
        merged_into: Set(None),
        updated_at: Set(item.submitted_at),
        row_version: Set(1),
        ..Default::default()
    }
}
