//! The dashboard of a unit and a year (national, or one agency's subtree): plan tasks by status
//! (and, nationally, per ministry and province), indicators against their targets, completeness
//! and timeliness of the report rounds received, compliance of the information systems.
//!
//! Nothing is counted here by a rule of its own: tasks are counted with the task list's filter
//! (storage's `task_count_by_agency` reads the very conditions of `task_list`), indicators come
//! from [`Services::roll_up`], rounds from [`Services::report_completeness`], registry figures
//! from [`Services::list_systems`]. Every figure carries `href`, the page listing the rows behind
//! it, built from the same filter that counted them (the API twin of each page takes the same
//! query).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::Services;
use super::indicators::{Structure, progress};
use super::registries::RegistryQuery;
use super::work::{may_path, require_path};
use crate::auth::{Action, Principal};
use crate::indicators::{Period, Unit, format_number};
use crate::org::{OrgId, OrgUnit, agency_path};
use crate::registries::{ComplianceFilter, InspectionFilter};
use crate::repo::work::TaskFilter;
use crate::reporting::Completeness;
use crate::work::{OrgRef, TaskStatus};
use crate::{DomainError, Result};

/// The indicator of the registry-derived share of systems with an approved security-level
/// dossier, shown with its target even when none is set for the unit.
pub const APPROVED_DOSSIER_SHARE: &str = "TY_LE_HTTT_PHE_DUYET_CAP_DO";
/// Its target when the unit has none: 100 % of information systems with an approved dossier
/// (seed `002_…` Phụ lục I, mục 7; the indicator's description cites it).
pub const APPROVED_DOSSIER_TARGET: f64 = 100.0;
/// Rounds shown, the latest first.
pub const MAX_ROUNDS: usize = 12;

/// A count and the page listing exactly the rows counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Figure {
    pub count: u64,
    pub href: String,
}

/// Everything the dashboard of a unit and a year shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDashboard {
    pub org: OrgRef,
    pub year: i32,
    /// Statuses (overdue, due soon) are as of this day.
    pub as_of: NaiveDate,
    /// The unit is the root: the figures are the country's.
    pub national: bool,
    pub tasks: TaskFigures,
    /// Indicators with a target for the unit and the year, and the approved-dossier share.
    pub indicators: Vec<IndicatorFigure>,
    /// The latest rounds of reports sent by units under this one in the year ([`MAX_ROUNDS`]).
    pub reports: Vec<RoundFigure>,
    /// `None` when the caller may not read the unit's registries.
    pub registry: Option<RegistryFigures>,
}

/// Tasks of plans of agencies in the unit's subtree with a deadline in the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskFigures {
    pub total: Figure,
    /// In the order of [`TaskStatus::ALL`]; they add up to the total.
    pub by_status: Vec<StatusFigure>,
    /// Nationally: one row per ministry and province with tasks in the year, most overdue first
    /// (empty below the national level).
    pub agencies: Vec<AgencyTasks>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusFigure {
    pub status: TaskStatus,
    pub label: &'static str,
    pub count: u64,
    pub href: String,
}

/// One ministry's or province's tasks of the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyTasks {
    pub org: OrgRef,
    pub total: u64,
    pub overdue: u64,
    /// `None` for a unit dissolved since (its code names another unit today).
    pub total_href: Option<String>,
    pub overdue_href: Option<String>,
}

/// Where an indicator's target comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// Set for the unit and the year (`/indicators/targets`).
    Set,
    /// The programme's target when the unit set none ([`APPROVED_DOSSIER_TARGET`]).
    Programme,
}

/// An indicator's figure over the unit's subtree for the year, against its target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorFigure {
    pub indicator: String,
    pub name: String,
    pub unit: Unit,
    pub value: Option<f64>,
    /// `1.234,5`; a dash without a value.
    pub value_label: String,
    pub target: f64,
    pub target_label: String,
    pub target_source: TargetSource,
    /// The value as a percentage of the target.
    pub progress: Option<f64>,
    /// The roll-up over the unit and its children.
    pub href: String,
}

/// A round of one template and period over the unit's subtree.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoundFigure {
    pub template: String,
    /// The template's name: "Kết quả thực hiện chuyển đổi số".
    pub name: String,
    /// The name with the period: "… năm 2026".
    pub title: String,
    pub period: String,
    pub period_label: String,
    pub figures: Completeness,
    /// Submitted / expected, in percent.
    pub completeness: Option<f64>,
    /// First submitted on time / expected, in percent.
    pub timeliness: Option<f64>,
    /// The round's completeness page (every report, per level).
    pub href: String,
}

/// The information systems of the unit's subtree against the security rules.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryFigures {
    pub systems: Figure,
    pub dossier_approved: Figure,
    pub dossier_pending: Figure,
    /// Approved / systems, in percent.
    pub dossier_approved_share: Option<f64>,
    pub plan_deployed: Figure,
    pub plan_pending: Figure,
    /// Deployed / systems, in percent.
    pub plan_deployed_share: Option<f64>,
    pub inspections_overdue: Figure,
    pub inspections_due_soon: Figure,
    /// The "due soon" window, in days.
    pub soon_days: u32,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

/// A query string of `(name, value)` pairs, empty values left out.
fn query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<&(&str, &str)> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// The task list's filters a figure counts with: tasks of agencies under `org` with a deadline
/// in `from..=to`, in `status` (any when `None`).
struct TaskRows<'a> {
    org: &'a OrgUnit,
    from: NaiveDate,
    to: NaiveDate,
    status: Option<TaskStatus>,
}

impl TaskRows<'_> {
    /// The task list page with these filters (`/api/v1/tasks` takes the same query).
    fn href(&self, org_code: &str) -> String {
        let (from, to) = (self.from.to_string(), self.to.to_string());
        let status = self.status.map(TaskStatus::as_str).unwrap_or("");
        format!("/tasks?{}", query(&[("org", org_code), ("status", status), ("from", &from), ("to", &to)]))
    }

    /// What `list_tasks` asks storage for these filters, less the caller's scope: the unit is
    /// one the caller reads whole, so the scope adds no condition.
    fn filter(&self, today: NaiveDate) -> TaskFilter {
        TaskFilter {
            org_path: Some(self.org.path.clone()),
            status: self.status,
            today: Some(today),
            deadline_from: Some(self.from),
            deadline_to: Some(self.to),
            ..Default::default()
        }
    }
}

/// The id of the ministry or province at `path` (its last segment).
fn agency_id(path: &str) -> Option<OrgId> {
    path.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl Services {
    /// The dashboard of `org` (default: the caller's widest unit) for `year` (default: this
    /// year). Needs [`Action::ReadWork`] on the unit; the registry part needs
    /// [`Action::ReadRegistry`] and is left out without it.
    pub async fn unit_dashboard(
        &self,
        actor: &Principal,
        org: Option<&str>,
        year: Option<i32>,
    ) -> Result<UnitDashboard> {
        let today = self.clock.today();
        let unit = match org.map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => self
                .org_by_code(code, None)
                .await
                .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))?,
            None => self.widest_unit(actor).await?,
        };
        require_path(actor, Action::ReadWork, &unit.path)?;
        let year = year.unwrap_or(today.year());
        let period =
            Period::parse(&year.to_string()).map_err(|_| DomainError::invalid("year", "năm từ 2000 đến 2100"))?;
        let national = unit.parent_id.is_none();
        Ok(UnitDashboard {
            tasks: self.task_figures(&unit, period.start(), period.end(), national).await?,
            indicators: self.indicator_figures(actor, &unit, &period).await?,
            reports: self.round_figures(actor, &unit, period.start(), period.end()).await?,
            registry: if may_path(actor, Action::ReadRegistry, &unit.path) {
                Some(self.system_figures(actor, &unit).await?)
            } else {
                None
            },
            org: org_ref(&unit),
            year,
            as_of: today,
            national,
        })
    }

    /// The unit of the caller's widest grant that lets it read work.
    async fn widest_unit(&self, actor: &Principal) -> Result<OrgUnit> {
        let widest = actor
            .grants
            .iter()
            .filter(|g| g.role.allows(Action::ReadWork))
            .min_by_key(|g| (g.org_path.matches('/').count(), g.org_path.clone()))
            .ok_or(DomainError::Forbidden(crate::auth::action_name(Action::ReadWork)))?;
        self.store.org_get(widest.org_id).await?.ok_or_else(|| DomainError::not_found("đơn vị", &widest.org_code))
    }

    async fn task_figures(
        &self,
        unit: &OrgUnit,
        from: NaiveDate,
        to: NaiveDate,
        national: bool,
    ) -> Result<TaskFigures> {
        let today = self.clock.today();
        let mut by_agency: HashMap<String, Vec<u64>> = HashMap::new();
        let mut by_status = Vec::new();
        for (slot, status) in TaskStatus::ALL.into_iter().enumerate() {
            let rows = TaskRows { org: unit, from, to, status: Some(status) };
            let counts = self.store.task_count_by_agency(&rows.filter(today)).await?;
            for (path, n) in &counts {
                by_agency.entry(path.clone()).or_insert_with(|| vec![0; TaskStatus::ALL.len()])[slot] += n;
            }
            by_status.push(StatusFigure {
                status,
                label: status.label(),
                count: counts.iter().map(|(_, n)| n).sum(),
                href: rows.href(&unit.code),
            });
        }
        let total = Figure {
            count: by_status.iter().map(|s| s.count).sum(),
            href: TaskRows { org: unit, from, to, status: None }.href(&unit.code),
        };
        let agencies = if national { self.agency_rows(&by_agency, from, to).await? } else { Vec::new() };
        Ok(TaskFigures { total, by_status, agencies })
    }

    /// One row per ministry and province, most overdue first, then most tasks, then by name.
    async fn agency_rows(
        &self,
        by_agency: &HashMap<String, Vec<u64>>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<AgencyTasks>> {
        let overdue_slot = TaskStatus::ALL.iter().position(|s| *s == TaskStatus::Overdue).unwrap_or(0);
        let ids: Vec<OrgId> = by_agency.keys().filter_map(|p| agency_id(p)).collect();
        let units: HashMap<String, OrgUnit> =
            self.store.org_many(&ids).await?.into_iter().map(|u| (agency_path(&u.path).to_string(), u)).collect();
        let today = self.clock.today();
        let mut rows: Vec<AgencyTasks> = by_agency
            .iter()
            .filter_map(|(path, counts)| {
                let unit = units.get(path)?;
                // A link names a unit by its code, which names the unit valid today.
                let linked = unit.is_valid_on(today);
                let href = |status| linked.then(|| TaskRows { org: unit, from, to, status }.href(&unit.code));
                Some(AgencyTasks {
                    org: org_ref(unit),
                    total: counts.iter().sum(),
                    overdue: counts[overdue_slot],
                    total_href: href(None),
                    overdue_href: href(Some(TaskStatus::Overdue)),
                })
            })
            .collect();
        rows.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.total.cmp(&a.total)).then(a.org.name.cmp(&b.org.name)));
        Ok(rows)
    }

    async fn indicator_figures(
        &self,
        actor: &Principal,
        unit: &OrgUnit,
        period: &Period,
    ) -> Result<Vec<IndicatorFigure>> {
        let indicators = self.store.indicator_list().await?;
        let ids: Vec<i64> = indicators.iter().map(|i| i.id).collect();
        let targets: HashMap<i64, f64> = self
            .store
            .targets_of(&ids, Some(&[unit.id]), &[period.code()])
            .await?
            .into_iter()
            .map(|t| (t.indicator_id, t.value))
            .collect();
        let mut out = Vec::new();
        for ind in &indicators {
            let code = ind.def.code.as_str();
            let (target, target_source) = match targets.get(&ind.id) {
                Some(t) => (*t, TargetSource::Set),
                None if code == APPROVED_DOSSIER_SHARE => (APPROVED_DOSSIER_TARGET, TargetSource::Programme),
                None => continue,
            };
            let r = self.roll_up(actor, code, &period.code(), &unit.code, Structure::Now).await?;
            out.push(IndicatorFigure {
                indicator: r.indicator.clone(),
                name: r.name.clone(),
                unit: ind.def.unit,
                value: r.value,
                value_label: r.value_label.clone(),
                target,
                target_label: format_number(target),
                target_source,
                progress: progress(r.value, Some(target)),
                href: format!("/indicators/{}?{}", r.indicator, query(&[("org", &unit.code), ("period", &r.period)])),
            });
        }
        Ok(out)
    }

    async fn round_figures(
        &self,
        actor: &Principal,
        unit: &OrgUnit,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RoundFigure>> {
        let templates: HashMap<i64, (String, String)> = self
            .store
            .report_templates()
            .await?
            .into_iter()
            .map(|t| (t.id, (t.template.code, t.template.name)))
            .collect();
        let mut out = Vec::new();
        for (template_id, period) in self.store.report_rounds(&unit.path, from, to).await? {
            let Some((code, name)) = templates.get(&template_id) else { continue };
            let v = self.report_completeness(actor, code, &period, &unit.code).await?;
            if v.total.expected == 0 {
                continue;
            }
            out.push(RoundFigure {
                href: format!(
                    "/reports/completeness?{}",
                    query(&[("template", &v.template), ("period", &v.period), ("org", &unit.code)])
                ),
                completeness: v.total.completeness_pct(),
                timeliness: v.total.timeliness_pct(),
                template: v.template,
                name: name.clone(),
                title: v.title,
                period: v.period,
                period_label: v.period_label,
                figures: v.total,
            });
            if out.len() == MAX_ROUNDS {
                break;
            }
        }
        Ok(out)
    }

    async fn system_figures(&self, actor: &Principal, unit: &OrgUnit) -> Result<RegistryFigures> {
        let soon_days = self.registry_settings().await?.inspection_soon_days;
        let count = |compliance: Option<ComplianceFilter>, state: Option<InspectionFilter>| async move {
            let q = RegistryQuery { org: Some(unit.code.clone()), compliance, state, limit: 0, ..Default::default() };
            let n = self.list_systems(actor, &q).await?.total;
            let filters = [
                ("org", unit.code.as_str()),
                ("compliance", compliance.map(ComplianceFilter::as_str).unwrap_or("")),
                ("state", state.map(InspectionFilter::as_str).unwrap_or("")),
            ];
            Ok::<_, DomainError>(Figure { count: n, href: format!("/registries/systems?{}", query(&filters)) })
        };
        let systems = count(None, None).await?;
        let dossier_approved = count(Some(ComplianceFilter::DossierApproved), None).await?;
        let plan_deployed = count(Some(ComplianceFilter::PlanDeployed), None).await?;
        Ok(RegistryFigures {
            dossier_approved_share: share(dossier_approved.count, systems.count),
            plan_deployed_share: share(plan_deployed.count, systems.count),
            dossier_pending: count(Some(ComplianceFilter::DossierPending), None).await?,
            plan_pending: count(Some(ComplianceFilter::PlanPending), None).await?,
            inspections_overdue: count(None, Some(InspectionFilter::Overdue)).await?,
            inspections_due_soon: count(None, Some(InspectionFilter::DueSoon)).await?,
            systems,
            dossier_approved,
            plan_deployed,
            soon_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_filters_that_counted() {
        let unit = OrgUnit {
            id: 7,
            code: "51".into(),
            name: "Tỉnh Quảng Ngãi".into(),
            org_type: crate::org::OrgType::Province,
            parent_id: Some(1),
            path: "/1/7/".into(),
            valid_from: None,
            valid_to: None,
        };
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let rows = TaskRows { org: &unit, from: d(1, 1), to: d(12, 31), status: Some(TaskStatus::CompletedLate) };
        assert_eq!(rows.href("51"), "/tasks?org=51&status=completed_late&from=2026-01-01&to=2026-12-31");
        let f = rows.filter(d(6, 15));
        assert_eq!(
            (f.org_path.as_deref(), f.status, f.today),
            (Some("/1/7/"), Some(TaskStatus::CompletedLate), Some(d(6, 15)))
        );
        assert_eq!((f.deadline_from, f.deadline_to, f.scope.is_none()), (Some(d(1, 1)), Some(d(12, 31)), true));
        let all = TaskRows { status: None, ..rows };
        assert_eq!(all.href("51"), "/tasks?org=51&from=2026-01-01&to=2026-12-31");
        assert_eq!(query(&[("org", "Sở & Ban"), ("q", "")]), "org=S%E1%BB%9F+%26+Ban");
    }

    #[test]
    fn agency_ids_and_shares() {
        assert_eq!(agency_id("/1/45/"), Some(45));
        assert_eq!(agency_id("/1/"), Some(1));
        assert_eq!(agency_id(""), None);
        assert_eq!(share(1, 4), Some(25.0));
        assert_eq!(share(0, 0), None);
    }
}
