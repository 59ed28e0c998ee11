//! KPI use cases: the figures of the people and the units of an org subtree over a period, one
//! person's breakdown, and the weights. The rules of counting and scoring live in
//! [`crate::kpi`]; this module loads tasks and decides who may see what.
//!
//! A person's KPI covers every task assigned to them, whichever unit leads it; a person is listed
//! under the unit of their account. A unit's KPI covers the tasks it leads, each task once however
//! many people share it. Reading KPI needs [`Action::ReadKpi`] on the unit (its subtree); anybody
//! may read their own.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Action, Principal};
use crate::calendar::WorkCalendar;
use crate::kpi::{Assessment, KpiDefinition, KpiFigures, KpiWeights, Outcome, Period, Tally, assess, definitions};
use crate::org::{OrgId, OrgUnit};
use crate::repo::work::{KpiScope, KpiTask};
use crate::services::Services;
use crate::services::work::may_path;
use crate::users::{User, UserId};
use crate::work::{OrgRef, TaskId, TaskState, UserRef};
use crate::{DomainError, Result};

/// One person's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiPersonRow {
    pub person: UserRef,
    /// The unit of the person's account.
    pub org: OrgRef,
    #[serde(flatten)]
    pub figures: KpiFigures,
}

/// One lead unit's figures (each of its tasks once).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiUnitRow {
    pub unit: OrgRef,
    #[serde(flatten)]
    pub figures: KpiFigures,
}

/// The period a KPI is computed over.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiPeriod {
    /// "2026-11", "2026-Q4" or "2026".
    pub code: String,
    /// "Tháng 11/2026", "Quý IV/2026" or "Năm 2026".
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The evaluation day: today, or the first day after the period once it has ended.
    pub evaluation_day: NaiveDate,
}

/// The KPI of an org unit's subtree over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiReport {
    pub org: OrgRef,
    pub period: KpiPeriod,
    pub weights: KpiWeights,
    /// People whose unit lies in the subtree and who have a task counted; best score first.
    pub people: Vec<KpiPersonRow>,
    /// Units of the subtree that lead a task counted; best score first.
    pub units: Vec<KpiUnitRow>,
    /// The whole subtree: every task led by one of its units, once.
    pub total: KpiFigures,
    pub definitions: Vec<KpiDefinition>,
}

/// One task of a breakdown: its dates, where it stands and which counts it falls in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiTaskLine {
    pub task_id: TaskId,
    pub code: String,
    pub title: String,
    pub lead: OrgRef,
    pub deadline: NaiveDate,
    pub state: TaskState,
    pub completed_on: Option<NaiveDate>,
    pub outcome: Outcome,
    pub outcome_label: &'static str,
    /// Working days late (completed late, or still open past the deadline).
    pub delay_days: Option<i64>,
    /// The rating counted (a completed task's, 1–5).
    pub rating: Option<u8>,
    /// The counts the task falls in: "Được giao", "Hoàn thành", "Đúng hạn", "Quá hạn".
    pub counts: Vec<&'static str>,
}

/// How one person's score comes from their tasks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpiBreakdown {
    pub person: UserRef,
    pub org: OrgRef,
    pub period: KpiPeriod,
    pub weights: KpiWeights,
    pub figures: KpiFigures,
    /// Tasks counted, by deadline.
    pub tasks: Vec<KpiTaskLine>,
    /// Cancelled tasks of the period, left out of every count.
    pub cancelled: u64,
    pub definitions: Vec<KpiDefinition>,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

fn user_ref(u: &User) -> UserRef {
    UserRef { id: u.id, username: u.username.clone(), full_name: u.full_name.clone() }
}

/// Best score first (no score last), then by name.
fn by_score<T>(rows: &mut [T], key: impl Fn(&T) -> (Option<f64>, String)) {
    rows.sort_by(|a, b| {
        let (sa, na) = key(a);
        let (sb, nb) = key(b);
        sb.unwrap_or(-1.0).total_cmp(&sa.unwrap_or(-1.0)).then_with(|| na.cmp(&nb))
    });
}

impl Services {
    // ----- weights -----------------------------------------------------------------------------

    pub async fn kpi_weights(&self) -> Result<KpiWeights> {
        Ok(match self.store.setting_get(KpiWeights::KEY).await? {
            Some(v) => serde_json::from_value::<KpiWeights>(v).ok().and_then(|w| w.validate().ok()).unwrap_or_default(),
            None => KpiWeights::default(),
        })
    }

    /// Sets the weights of the KPI score. System admins only.
    pub async fn set_kpi_weights(&self, actor: &Principal, weights: KpiWeights) -> Result<KpiWeights> {
        if !actor.is_root_admin() {
            return Err(DomainError::Forbidden("sửa trọng số KPI"));
        }
        let weights = weights.validate()?;
        let value = serde_json::to_value(weights).map_err(|e| DomainError::Storage(e.to_string()))?;
        let mut audit = self.draft(Some(&actor.user), "settings.kpi_weights", "setting");
        audit.before = Some(serde_json::to_value(self.kpi_weights().await?).unwrap_or_default());
        audit.after = Some(value.clone());
        self.store.setting_put(KpiWeights::KEY, &value, self.clock.now(), audit).await?;
        Ok(weights)
    }

    // ----- figures -----------------------------------------------------------------------------

    /// The period named by `period`, or the current quarter.
    pub fn kpi_period(&self, period: Option<&str>) -> Result<Period> {
        match period.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Period::parse(s),
            None => Ok(Period::quarter_of(self.clock.today())),
        }
    }

    fn kpi_period_info(&self, period: Period) -> KpiPeriod {
        KpiPeriod {
            code: period.code(),
            label: period.label(),
            from: period.first_day(),
            to: period.last_day(),
            evaluation_day: period.evaluation_day(self.clock.today()),
        }
    }

    /// The code of the widest unit where the caller may read KPI (where the KPI view opens).
    pub fn kpi_home_unit(&self, actor: &Principal) -> Option<String> {
        actor
            .grants
            .iter()
            .filter(|g| g.role.allows(Action::ReadKpi))
            .min_by_key(|g| g.org_path.len())
            .map(|g| g.org_code.clone())
    }

    /// The KPI of the people and the units of `org`'s subtree (default: the caller's widest unit
    /// with KPI access) over `period` (default: the current quarter).
    pub async fn kpi_report(&self, actor: &Principal, org: Option<&str>, period: Option<&str>) -> Result<KpiReport> {
        let period = self.kpi_period(period)?;
        let code = match org.map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => code.to_string(),
            None => {
                self.kpi_home_unit(actor).ok_or(DomainError::Forbidden(crate::auth::action_name(Action::ReadKpi)))?
            }
        };
        let unit = self.org_by_code(&code, None).await?;
        actor.require(Action::ReadKpi, &unit)?;
        let info = self.kpi_period_info(period);
        let weights = self.kpi_weights().await?;
        let calendar = self.work_calendar().await?;
        let judge = |t: &KpiTask| assess_task(t, info.evaluation_day, &calendar);

        // Units: the tasks they lead.
        let led = self.store.kpi_tasks(KpiScope::LeadWithin(&unit.path), info.from, info.to).await?;
        let mut total = Tally::default();
        let mut per_unit: BTreeMap<OrgId, Tally> = BTreeMap::new();
        for (t, a) in led.iter().filter_map(|t| judge(t).map(|a| (t, a))) {
            total.add(&a);
            per_unit.entry(t.lead_org_id).or_default().add(&a);
        }

        // People: every task assigned to someone whose unit lies in the subtree.
        let assigned = self.store.kpi_tasks(KpiScope::AssigneesWithin(&unit.path), info.from, info.to).await?;
        let mut users: HashMap<UserId, Option<User>> = HashMap::new();
        let mut per_person: BTreeMap<UserId, Tally> = BTreeMap::new();
        for (t, a) in assigned.iter().filter_map(|t| judge(t).map(|a| (t, a))) {
            for id in &t.assignees {
                if !users.contains_key(id) {
                    users.insert(*id, self.store.user_get(*id).await?);
                }
                if users.get(id).and_then(Option::as_ref).is_some_and(|u| u.org_path.starts_with(&unit.path)) {
                    per_person.entry(*id).or_default().add(&a);
                }
            }
        }

        let people_orgs: Vec<OrgId> =
            users.values().flatten().filter(|u| per_person.contains_key(&u.id)).map(|u| u.org_id).collect();
        let org_ids: Vec<OrgId> = per_unit.keys().copied().chain(people_orgs).collect();
        let orgs: HashMap<OrgId, OrgUnit> =
            self.store.org_many(&org_ids).await?.into_iter().map(|o| (o.id, o)).collect();
        let org_of = |id: OrgId| {
            orgs.get(&id).map(org_ref).unwrap_or_else(|| OrgRef { id, code: String::new(), name: String::new() })
        };

        let mut people: Vec<KpiPersonRow> = per_person
            .iter()
            .filter_map(|(id, tally)| {
                let user = users.get(id).and_then(Option::as_ref)?;
                Some(KpiPersonRow {
                    person: user_ref(user),
                    org: org_of(user.org_id),
                    figures: tally.figures(&weights),
                })
            })
            .collect();
        by_score(&mut people, |r| (r.figures.score, r.person.full_name.clone()));
        let mut units: Vec<KpiUnitRow> = per_unit
            .iter()
            .map(|(id, tally)| KpiUnitRow { unit: org_of(*id), figures: tally.figures(&weights) })
            .collect();
        by_score(&mut units, |r| (r.figures.score, r.unit.name.clone()));

        Ok(KpiReport {
            org: org_ref(&unit),
            definitions: definitions(period, info.evaluation_day),
            period: info,
            weights,
            people,
            units,
            total: total.figures(&weights),
        })
    }

    /// How one person's score comes from their tasks. The person themself, or whoever may read
    /// KPI in the person's unit; anyone else is told the person does not exist.
    pub async fn kpi_person(&self, actor: &Principal, id: UserId, period: Option<&str>) -> Result<KpiBreakdown> {
        let not_found = || DomainError::not_found("người dùng", id.to_string());
        let user = self.store.user_get(id).await?.ok_or_else(not_found)?;
        if actor.user.id != user.id && !may_path(actor, Action::ReadKpi, &user.org_path) {
            return Err(not_found());
        }
        let period = self.kpi_period(period)?;
        let info = self.kpi_period_info(period);
        let weights = self.kpi_weights().await?;
        let calendar = self.work_calendar().await?;
        let tasks = self.store.kpi_tasks(KpiScope::Assignee(user.id), info.from, info.to).await?;
        let mut org_ids: Vec<OrgId> = tasks.iter().map(|t| t.lead_org_id).collect();
        org_ids.push(user.org_id);
        let orgs: HashMap<OrgId, OrgUnit> =
            self.store.org_many(&org_ids).await?.into_iter().map(|o| (o.id, o)).collect();
        let org_of = |id: OrgId| {
            orgs.get(&id).map(org_ref).unwrap_or_else(|| OrgRef { id, code: String::new(), name: String::new() })
        };
        let mut tally = Tally::default();
        let mut lines = Vec::new();
        let mut cancelled = 0;
        for t in &tasks {
            let Some(a) = assess_task(t, info.evaluation_day, &calendar) else {
                cancelled += 1;
                continue;
            };
            tally.add(&a);
            lines.push(KpiTaskLine {
                task_id: t.task_id,
                code: t.code.clone(),
                title: t.title.clone(),
                lead: org_of(t.lead_org_id),
                deadline: t.deadline,
                state: t.state,
                completed_on: t.completed_on,
                outcome: a.outcome,
                outcome_label: a.outcome.label(),
                delay_days: a.delay_days,
                rating: a.rating,
                counts: a.outcome.counts(),
            });
        }
        Ok(KpiBreakdown {
            person: user_ref(&user),
            org: org_of(user.org_id),
            definitions: definitions(period, info.evaluation_day),
            period: info,
            weights,
            figures: tally.figures(&weights),
            tasks: lines,
            cancelled,
        })
    }
}

fn assess_task(t: &KpiTask, evaluation_day: NaiveDate, calendar: &WorkCalendar) -> Option<Assessment> {
    assess(t.deadline, t.state, t.completed_on, t.rating, evaluation_day, calendar)
}
