//! Use cases of work schedules (lịch công tác). An event lives in its unit: editors of the unit
//! (`EditWork`) create, edit, delete and publish; everyone who reads the unit's work
//! (`ReadWork`) sees its published events, and the people in an event see it too. Overlaps of a
//! person's events are flagged on every read and save — leaders' schedules do overlap, so a
//! clash is a warning, never a refusal.

use std::collections::BTreeSet;

use chrono::{Days, Duration, NaiveDate};
use serde_json::json;

use crate::auth::{Action, Principal};
use crate::org::OrgUnit;
use crate::repo::schedule::{ScheduleChange, ScheduleFields, ScheduleFilter};
use crate::schedule::{
    PublishedWeek, ScheduleConflict, ScheduleEvent, ScheduleEventId, ScheduleEventInput, ScheduleList, day_start,
    find_conflicts, local, span_label, week_start,
};
use crate::services::Services;
use crate::services::work::{clean_text, may_path, require_path};
use crate::users::UserId;
use crate::work::{OrgRef, UserRef};
use crate::{DomainError, Result};

/// Longest range one list or export covers, in days.
const MAX_RANGE_DAYS: i64 = 366;
/// Longest event (a working visit of several days), in days.
const MAX_EVENT_DAYS: i64 = 31;

/// An input resolved to what storage keeps, with the names the history shows.
struct Resolved {
    fields: ScheduleFields,
    chair: Option<UserRef>,
    participants: Vec<UserRef>,
    preparing: Option<OrgRef>,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

fn not_found(key: impl Into<String>) -> DomainError {
    DomainError::not_found("lịch công tác", key)
}

fn may_edit(actor: &Principal, e: &ScheduleEvent) -> bool {
    may_path(actor, Action::EditWork, &e.org_path)
}

/// Drafts belong to the unit's editors; a published event to whoever reads the unit's work and
/// to the people in it.
fn may_read(actor: &Principal, e: &ScheduleEvent) -> bool {
    may_edit(actor, e) || (e.published && (may_path(actor, Action::ReadWork, &e.org_path) || e.involves(actor.user.id)))
}

/// Optional text: trimmed, NFC, at most `max` characters (empty is fine).
fn optional_text(field: &'static str, s: &str, max: usize) -> Result<String> {
    let s = textvi::nfc(s.trim());
    if s.chars().count() > max {
        return Err(DomainError::invalid(field, format!("dài quá {max} ký tự")));
    }
    Ok(s)
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn chair_label(chair: &Option<UserRef>, text: &Option<String>) -> String {
    chair.as_ref().map(|u| u.full_name.clone()).or_else(|| text.clone()).unwrap_or_default()
}

fn names(people: &[UserRef]) -> String {
    people.iter().map(|u| u.full_name.as_str()).collect::<Vec<_>>().join(", ")
}

/// "Field: old → new" lines for the history and for edit conflicts.
fn changes_between(before: &ScheduleEvent, after: &Resolved) -> Vec<String> {
    let f = &after.fields;
    let mut out = Vec::new();
    let mut diff = |label: &str, a: String, b: String| {
        if a != b {
            let shown = |s: String| if s.is_empty() { "(trống)".to_string() } else { s };
            out.push(format!("{label}: {} → {}", shown(a), shown(b)));
        }
    };
    diff("Thời gian", span_label(before.starts_at, before.ends_at), span_label(f.starts_at, f.ends_at));
    diff("Nội dung", before.title.clone(), f.title.clone());
    diff("Địa điểm", before.place.clone(), f.place.clone());
    diff("Chủ trì", chair_label(&before.chair, &before.chair_text), chair_label(&after.chair, &f.chair_text));
    let ids = |people: &[UserRef]| people.iter().map(|u| u.id).collect::<BTreeSet<_>>();
    let (old, new) = (names(&before.participants), names(&after.participants));
    if ids(&before.participants) != ids(&after.participants) {
        diff("Thành phần", old, new);
    }
    diff("Thành phần khác", before.participants_text.clone(), f.participants_text.clone());
    let org_name = |o: &Option<OrgRef>| o.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    diff("Đơn vị chuẩn bị", org_name(&before.preparing_org), org_name(&after.preparing));
    diff("Ghi chú", before.notes.clone(), f.notes.clone());
    out
}

impl Services {
    /// The unit whose schedule the caller reads: `code`, or else the caller's own unit. Out of
    /// scope reads as not found.
    async fn schedule_unit(&self, actor: &Principal, code: Option<&str>) -> Result<OrgUnit> {
        let unit = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => self.org_by_code(c, None).await.map_err(|_| not_found(c))?,
            None => self
                .store
                .org_get(actor.user.org_id)
                .await?
                .ok_or_else(|| DomainError::not_found("đơn vị", actor.user.org_id.to_string()))?,
        };
        if !may_path(actor, Action::ReadWork, &unit.path) {
            return Err(not_found(unit.code));
        }
        Ok(unit)
    }

    /// The unit where the caller adds events (default: the caller's own); refused unless the
    /// caller edits its schedule.
    pub async fn schedule_editable_unit(&self, actor: &Principal, code: Option<&str>) -> Result<OrgUnit> {
        let unit = self.schedule_unit(actor, code).await?;
        require_path(actor, Action::EditWork, &unit.path)?;
        Ok(unit)
    }

    /// A unit's schedule from `from` to `to` (Vietnamese dates, inclusive; default: this week),
    /// each event with its conflicts. Editors see drafts too.
    pub async fn list_schedule(
        &self,
        actor: &Principal,
        org: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<ScheduleList> {
        self.schedule_range(actor, org, from, to, false).await
    }

    /// Only the published events of a unit's schedule, as a calendar export shows them.
    pub async fn published_schedule(
        &self,
        actor: &Principal,
        org: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<ScheduleList> {
        self.schedule_range(actor, Some(org), from, to, true).await
    }

    async fn schedule_range(
        &self,
        actor: &Principal,
        org: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        published_only: bool,
    ) -> Result<ScheduleList> {
        let unit = self.schedule_unit(actor, org).await?;
        let six = Days::new(6);
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, f + six),
            (None, Some(t)) => (t - six, t),
            (None, None) => {
                let monday = week_start(self.clock.today());
                (monday, monday + six)
            }
        };
        if to < from {
            return Err(DomainError::invalid("to", "ngày cuối trước ngày đầu"));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(DomainError::invalid("to", format!("xem tối đa {MAX_RANGE_DAYS} ngày một lần")));
        }
        let may_edit = may_path(actor, Action::EditWork, &unit.path);
        let mut events = self
            .store
            .schedule_list(&ScheduleFilter {
                org_id: Some(unit.id),
                from: day_start(from),
                to: day_start(to + Days::new(1)),
                overlap: false,
                people: Vec::new(),
                published_only: published_only || !may_edit,
            })
            .await?;
        if !published_only {
            self.add_conflicts(actor, &mut events).await?;
        }
        Ok(ScheduleList {
            org: org_ref(&unit),
            from,
            to,
            may_edit,
            drafts: events.iter().filter(|e| !e.published).count() as u64,
            events,
        })
    }

    /// Fills each event's `conflicts`: the other events, of any unit, drafts too, in which one of
    /// its people is booked at an overlapping time. What the caller may not read of the other
    /// event is left out.
    async fn add_conflicts(&self, actor: &Principal, events: &mut [ScheduleEvent]) -> Result<()> {
        let people: BTreeSet<UserId> = events.iter().flat_map(|e| e.people()).map(|u| u.id).collect();
        let from = events.iter().map(|e| e.starts_at).min();
        let to = events.iter().map(|e| e.ends_at).max();
        let (Some(from), Some(to)) = (from, to) else { return Ok(()) };
        if people.is_empty() {
            return Ok(());
        }
        let filter = ScheduleFilter {
            org_id: None,
            from,
            to,
            overlap: true,
            people: people.into_iter().collect(),
            published_only: false,
        };
        let others = self.store.schedule_list(&filter).await?;
        for e in events.iter_mut() {
            e.conflicts = find_conflicts(e, &others)
                .into_iter()
                .map(|(person, other)| {
                    let visible = may_read(actor, other);
                    ScheduleConflict {
                        person,
                        event_id: visible.then_some(other.id),
                        title: visible.then(|| other.title.clone()),
                        org: visible.then(|| other.org.clone()),
                        starts_at: other.starts_at,
                        ends_at: other.ends_at,
                    }
                })
                .collect();
        }
        Ok(())
    }

    async fn readable_event(&self, actor: &Principal, id: ScheduleEventId) -> Result<ScheduleEvent> {
        self.store.schedule_get(id).await?.filter(|e| may_read(actor, e)).ok_or_else(|| not_found(id.to_string()))
    }

    /// One event the caller may read (anything else reads as not found), with its conflicts.
    pub async fn schedule_event(&self, actor: &Principal, id: ScheduleEventId) -> Result<ScheduleEvent> {
        let mut e = self.readable_event(actor, id).await?;
        self.add_conflicts(actor, std::slice::from_mut(&mut e)).await?;
        Ok(e)
    }

    /// Whether the caller may edit this event (the edit link and form).
    pub fn may_edit_schedule_event(&self, actor: &Principal, e: &ScheduleEvent) -> bool {
        may_edit(actor, e)
    }

    /// Adds a draft event to a unit's schedule. The answer carries the conflicts it causes.
    pub async fn create_schedule_event(&self, actor: &Principal, input: &ScheduleEventInput) -> Result<ScheduleEvent> {
        let code = non_empty(&input.org).ok_or_else(|| DomainError::invalid("org", "cần mã đơn vị có lịch"))?;
        let unit = self
            .org_by_code(code, None)
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?;
        require_path(actor, Action::EditWork, &unit.path)?;
        let r = self.resolve_schedule(input).await?;
        let mut audit = self.draft(Some(&actor.user), "schedule.create", "schedule_event");
        audit.org_id = Some(unit.id);
        audit.after = Some(json!({
            "title": r.fields.title, "starts_at": r.fields.starts_at, "ends_at": r.fields.ends_at,
        }));
        let change = self.schedule_change(actor, Vec::new(), 1);
        let id = self.store.schedule_insert(unit.id, &r.fields, &change, audit).await?;
        self.schedule_event(actor, id).await
    }

    /// Edits an event if nobody saved it since `row_version` (else 409 with what they changed).
    /// A published event stays visible and is marked as adjusted.
    pub async fn update_schedule_event(
        &self,
        actor: &Principal,
        id: ScheduleEventId,
        row_version: i32,
        input: &ScheduleEventInput,
    ) -> Result<ScheduleEvent> {
        let before = self.readable_event(actor, id).await?;
        require_path(actor, Action::EditWork, &before.org_path)?;
        if let Some(code) = non_empty(&input.org) {
            let unit = self.org_by_code(code, None).await.ok();
            if unit.is_none_or(|u| u.id != before.org.id) {
                return Err(DomainError::invalid(
                    "org",
                    "không chuyển lịch sang đơn vị khác; hãy xóa rồi tạo lịch mới ở đơn vị đó",
                ));
            }
        }
        let r = self.resolve_schedule(input).await?;
        let changes = changes_between(&before, &r);
        if changes.is_empty() {
            return self.schedule_event(actor, id).await;
        }
        let mut audit = self.draft(Some(&actor.user), "schedule.update", "schedule_event");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(before.org.id);
        audit.after = Some(json!({ "changes": changes }));
        let change = self.schedule_change(actor, changes, row_version + 1);
        match self.store.schedule_update(id, row_version, &r.fields, &change, before.published, audit).await? {
            Some(mut e) => {
                self.add_conflicts(actor, std::slice::from_mut(&mut e)).await?;
                Ok(e)
            }
            None => Err(self.schedule_stale(id, row_version).await),
        }
    }

    /// Deletes an event (only if still at `row_version`, when given); returns what was deleted.
    pub async fn delete_schedule_event(
        &self,
        actor: &Principal,
        id: ScheduleEventId,
        row_version: Option<i32>,
    ) -> Result<ScheduleEvent> {
        let before = self.readable_event(actor, id).await?;
        require_path(actor, Action::EditWork, &before.org_path)?;
        let mut audit = self.draft(Some(&actor.user), "schedule.delete", "schedule_event");
        audit.entity_id = Some(id.to_string());
        audit.org_id = Some(before.org.id);
        audit.before = Some(json!({
            "title": before.title, "starts_at": before.starts_at, "ends_at": before.ends_at,
            "published": before.published,
        }));
        if self.store.schedule_delete(id, row_version, audit).await? {
            Ok(before)
        } else {
            Err(self.schedule_stale(id, row_version.unwrap_or(before.row_version)).await)
        }
    }

    /// Publishes the drafts of the week holding `week` (Monday to Sunday) in a unit's schedule.
    pub async fn publish_schedule_week(&self, actor: &Principal, code: &str, week: NaiveDate) -> Result<PublishedWeek> {
        let unit = self.schedule_unit(actor, Some(code)).await?;
        require_path(actor, Action::EditWork, &unit.path)?;
        let start = week_start(week);
        let mut audit = self.draft(Some(&actor.user), "schedule.publish", "schedule_week");
        audit.entity_id = Some(format!("{}:{start}", unit.code));
        audit.org_id = Some(unit.id);
        audit.after = Some(json!({ "week_start": start }));
        let published = self
            .store
            .schedule_publish(unit.id, day_start(start), day_start(start + Days::new(7)), self.clock.now(), audit)
            .await?;
        Ok(PublishedWeek { org: org_ref(&unit), week_start: start, week_end: start + Days::new(6), published })
    }

    /// Published events of any unit in which the user is chair or a participant and that touch
    /// the days `from..=to` (for the user's personal calendar feed; no caller, no conflicts).
    pub async fn schedule_events_for_user(
        &self,
        user_id: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ScheduleEvent>> {
        if to < from {
            return Err(DomainError::invalid("to", "ngày cuối trước ngày đầu"));
        }
        self.store
            .schedule_list(&ScheduleFilter {
                org_id: None,
                from: day_start(from),
                to: day_start(to + Days::new(1)),
                overlap: true,
                people: vec![user_id],
                published_only: true,
            })
            .await
    }

    fn schedule_change(&self, actor: &Principal, changes: Vec<String>, row_version: i32) -> ScheduleChange {
        ScheduleChange {
            at: self.clock.now(),
            actor_id: actor.user.id,
            actor: actor.user.full_name.clone(),
            changes,
            row_version,
        }
    }

    /// What others changed since `row_version`, as an edit conflict (or not found when deleted).
    async fn schedule_stale(&self, id: ScheduleEventId, row_version: i32) -> DomainError {
        match self.store.schedule_get(id).await {
            Ok(Some(_)) => {}
            Ok(None) => return not_found(id.to_string()),
            Err(e) => return e,
        }
        match self.store.schedule_changes(id, row_version).await {
            Ok(list) => {
                let mut changes: Vec<String> = list
                    .iter()
                    .filter(|c| !c.changes.is_empty())
                    .map(|c| {
                        format!("{} ({}, {})", c.changes.join("; "), c.actor, local(c.at).format("%H:%M %d/%m/%Y"))
                    })
                    .collect();
                if changes.is_empty() {
                    changes.push("lịch đã được người khác lưu".into());
                }
                DomainError::Stale { changes }
            }
            Err(e) => e,
        }
    }

    async fn schedule_person(&self, field: &'static str, username: &str) -> Result<UserRef> {
        let user = self
            .store
            .user_by_username(&username.to_lowercase())
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| DomainError::invalid(field, format!("không có người dùng '{username}'")))?;
        Ok(UserRef { id: user.id, username: user.username, full_name: user.full_name })
    }

    /// Checks an event form or API body and resolves usernames and codes.
    async fn resolve_schedule(&self, input: &ScheduleEventInput) -> Result<Resolved> {
        let starts_at = input.starts_at.ok_or_else(|| DomainError::invalid("starts_at", "cần thời gian bắt đầu"))?;
        let ends_at = input.ends_at.ok_or_else(|| DomainError::invalid("ends_at", "cần thời gian kết thúc"))?;
        let at = |t| local(t).format("%H:%M %d/%m/%Y").to_string();
        if ends_at <= starts_at {
            return Err(DomainError::invalid(
                "ends_at",
                format!("thời gian kết thúc ({}) phải sau thời gian bắt đầu ({})", at(ends_at), at(starts_at)),
            ));
        }
        if ends_at - starts_at > Duration::days(MAX_EVENT_DAYS) {
            return Err(DomainError::invalid("ends_at", format!("một lịch kéo dài tối đa {MAX_EVENT_DAYS} ngày")));
        }
        let title = clean_text("title", &input.title, 1000)?;
        let place = optional_text("place", &input.place, 300)?;
        let participants_text = optional_text("participants_text", &input.participants_text, 2000)?;
        let notes = optional_text("notes", &input.notes, 4000)?;
        let chair_text = match non_empty(&input.chair_text) {
            Some(t) => Some(optional_text("chair_text", t, 300)?),
            None => None,
        };
        let chair = match non_empty(&input.chair) {
            Some(name) => Some(self.schedule_person("chair", name).await?),
            None => None,
        };
        if chair.is_some() && chair_text.is_some() {
            return Err(DomainError::invalid(
                "chair_text",
                "chỉ ghi người chủ trì ngoài hệ thống khi không chọn người dùng chủ trì",
            ));
        }
        let mut participants: Vec<UserRef> = Vec::new();
        for name in input.participants.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let person = self.schedule_person("participants", name).await?;
            if !participants.iter().any(|p| p.id == person.id) {
                participants.push(person);
            }
        }
        let preparing = match non_empty(&input.preparing_org) {
            Some(code) => Some(org_ref(
                &self
                    .org_by_code(code, None)
                    .await
                    .map_err(|_| DomainError::invalid("preparing_org", format!("không có đơn vị mã '{code}'")))?,
            )),
            None => None,
        };
        Ok(Resolved {
            fields: ScheduleFields {
                starts_at,
                ends_at,
                title,
                place,
                chair_id: chair.as_ref().map(|u| u.id),
                chair_text,
                participants: participants.iter().map(|u| u.id).collect(),
                participants_text,
                preparing_org_id: preparing.as_ref().map(|o| o.id),
                notes,
            },
            chair,
            participants,
            preparing,
        })
    }
}
