//! Figures typed in by hand and targets: the entry grid of one unit and period (every indicator
//! of that period type with its value, comment, who stored it and when, its target and the
//! ratios computed from the typed figures, and the validation rules on them), saving the grid
//! through the checks the DHIS2 import uses (every value or none), and targets per unit and
//! period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::indicators::{ENTER_VALUES, ImportCount, Notation, entry_record, progress};
use super::work::{may_path, require_path};
use super::{Services, unit_on};
use crate::auth::{Action, Principal};
use crate::error::RowProblem;
use crate::indicators::{
    Formula, IndicatorCode, IndicatorTarget, Period, PeriodType, RuleOutcome, Unit, Value, ValueType, format_number,
    shipped_rules,
};
use crate::org::OrgUnit;
use crate::repo::indicators::{StoredIndicator, TargetRecord, WriteCounts};
use crate::work::OrgRef;
use crate::{DomainError, Result};

/// Longest note of a target.
pub const MAX_TARGET_NOTE: usize = 500;

/// The entry grid of a unit for a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryGrid {
    pub org: OrgRef,
    pub period: String,
    pub period_label: String,
    pub period_type: PeriodType,
    /// The caller may save figures for this unit (others may only read them).
    pub editable: bool,
    /// Every indicator reported for periods of this type, by code.
    pub rows: Vec<EntryRow>,
    /// The validation rules over these indicators, checked on the unit's figures.
    pub rules: Vec<RuleCheck>,
}

/// One indicator of the grid.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryRow {
    pub indicator: String,
    pub name: String,
    pub unit: Unit,
    pub value_type: ValueType,
    /// Set when the value is computed from other indicators (then it is not typed in).
    pub formula: Option<String>,
    /// Counted from the unit's registry of information systems (then it is not typed in).
    pub from_registry: bool,
    pub value: Option<Value>,
    /// The value as the form's field holds it: every decimal kept, a decimal comma, no
    /// thousands separators (`12500,5`), `có`/`không`, or the text.
    pub value_input: String,
    /// `12.500,5`, `Có`, the text; empty without a value.
    pub value_label: String,
    pub comment: Option<String>,
    /// Full name of who stored the value last, and when.
    pub stored_by: Option<String>,
    pub stored_at: Option<DateTime<Utc>>,
    /// The warning for a value outside the indicator's expected range.
    pub flag: Option<String>,
    pub target: Option<f64>,
    /// The value as a percentage of the target.
    pub progress: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Pass,
    Fail,
    /// A figure is missing (or a division by zero): not checked.
    Skipped,
}

/// A validation rule's outcome on one unit's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleCheck {
    pub rule: String,
    pub name: String,
    pub status: RuleStatus,
    pub message: String,
    pub cite: String,
}

/// What the entry form (or an API client) sends: the unit, the period and the typed values.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EntryInput {
    /// The unit's code (the one bearing it at the period's close) or, when no unit bears that
    /// code, its id.
    pub org: String,
    pub period: String,
    pub values: Vec<EntryValue>,
}

/// One typed value, written as a Vietnamese reader writes it (`1.234,5`, `12,5 %`, `có`), and
/// its comment (saved with the value; empty for none). An empty value leaves what is stored as
/// it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EntryValue {
    pub indicator: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub comment: String,
}

/// A unit the caller may open the entry grid of.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryUnit {
    pub org: OrgRef,
    pub editable: bool,
}

/// A target to set: the unit (its code, or its id when no unit bears that code), the period,
/// the value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TargetInput {
    pub org: String,
    pub period: String,
    pub value: f64,
    #[serde(default)]
    pub note: Option<String>,
}

/// A target as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub indicator: String,
    pub org: OrgRef,
    pub period: String,
    pub period_label: String,
    pub value: f64,
    pub value_label: String,
    pub note: Option<String>,
}

fn org_ref(u: &OrgUnit) -> OrgRef {
    OrgRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

impl TargetView {
    fn of(indicator: &IndicatorCode, unit: &OrgUnit, period: &Period, value: f64, note: Option<String>) -> Self {
        TargetView {
            indicator: indicator.to_string(),
            org: org_ref(unit),
            period: period.code(),
            period_label: period.label(),
            value,
            value_label: format_number(value),
            note,
        }
    }
}

/// The form's text for a stored value: nothing lost, so saving the form again changes nothing.
fn input_text(v: &Value) -> String {
    match v {
        Value::Number(x) => x.to_string().replace('.', ","),
        Value::YesNo(true) => "có".into(),
        Value::YesNo(false) => "không".into(),
        Value::Text(t) => t.clone(),
    }
}

/// An indicator's figure for one unit and period: typed, or computed by its formula from the
/// others (formulas over formulas followed, a few levels deep at most).
fn figure(
    code: &IndicatorCode,
    typed: &HashMap<IndicatorCode, f64>,
    formulas: &HashMap<IndicatorCode, &Formula>,
    depth: usize,
) -> Option<f64> {
    match formulas.get(code) {
        Some(_) if depth > 8 => None,
        Some(f) => f.eval(|c| figure(c, typed, formulas, depth + 1)),
        None => typed.get(code).copied(),
    }
}

impl Services {
    /// The unit an entry grid or a target names: the one bearing the code at the period's close
    /// (as an import reads it), else the unit with that id.
    pub(crate) async fn entry_unit(&self, org: &str, period: &Period) -> Result<OrgUnit> {
        let code = org.trim();
        let units = self.units_with_code(code).await.unwrap_or_default();
        if let Some(u) = unit_on(&units, period.end()) {
            return Ok(u.clone());
        }
        if let Ok(id) = code.parse::<i64>()
            && let Some(u) = self.store.org_get(id).await?
        {
            return Ok(u);
        }
        Err(DomainError::invalid("org", format!("không có đơn vị mã '{code}'")))
    }

    /// The entry grid of a unit the caller may read, for a period: every indicator of that period
    /// type, the values stored, the computed ratios, the targets and the rules.
    pub async fn entry_grid(&self, actor: &Principal, org: &str, period: &str) -> Result<EntryGrid> {
        let period = Period::parse(period)?;
        let unit = self.entry_unit(org, &period).await?;
        require_path(actor, Action::ReadWork, &unit.path)?;
        let all = self.store.indicator_list().await?;
        let of_type: Vec<&StoredIndicator> = all.iter().filter(|i| i.def.period_type == period.period_type()).collect();
        let ids: Vec<i64> = of_type.iter().map(|i| i.id).collect();
        let code = period.code();
        let stored: HashMap<i64, _> = self
            .store
            .values_in(&ids, Some(&[unit.id]), period.start(), period.start())
            .await?
            .into_iter()
            .filter(|v| v.record.period == code)
            .map(|v| (v.record.indicator_id, v))
            .collect();
        let targets: HashMap<i64, f64> = self
            .store
            .targets_of(&ids, Some(&[unit.id]), std::slice::from_ref(&code))
            .await?
            .into_iter()
            .map(|t| (t.indicator_id, t.value))
            .collect();
        let people = self.people(stored.values().map(|v| v.stored_by)).await?;
        let typed: HashMap<IndicatorCode, f64> =
            of_type.iter().filter_map(|i| Some((i.def.code.clone(), stored.get(&i.id)?.record.value?))).collect();
        let formulas: HashMap<IndicatorCode, &Formula> =
            of_type.iter().filter_map(|i| Some((i.def.code.clone(), i.def.formula.as_ref()?))).collect();
        let rows = of_type
            .iter()
            .map(|i| {
                let value = match (&i.def.formula, stored.get(&i.id)) {
                    (Some(_), _) => figure(&i.def.code, &typed, &formulas, 0).map(Value::Number),
                    (None, Some(v)) => match (&v.record.text_value, v.record.value) {
                        (Some(t), _) => Some(Value::Text(t.clone())),
                        (None, Some(x)) if i.def.value_type == ValueType::YesNo => Some(Value::YesNo(x != 0.0)),
                        (None, Some(x)) => Some(Value::Number(x)),
                        (None, None) => None,
                    },
                    (None, None) => None,
                };
                let typed_in = stored.get(&i.id).filter(|_| i.def.formula.is_none());
                let target = targets.get(&i.id).copied();
                EntryRow {
                    indicator: i.def.code.to_string(),
                    name: i.def.name.clone(),
                    unit: i.def.unit,
                    value_type: i.def.value_type,
                    formula: i.def.formula.as_ref().map(|f| f.source().to_string()),
                    from_registry: crate::registries::SystemFigure::of_indicator(i.def.code.as_str()).is_some(),
                    value_input: value.as_ref().map(input_text).unwrap_or_default(),
                    value_label: value.as_ref().map(Value::label).unwrap_or_default(),
                    flag: value.as_ref().and_then(|v| i.def.range_flag(v)).map(|f| f.message()),
                    progress: progress(value.as_ref().and_then(Value::as_number), target),
                    target,
                    comment: typed_in.and_then(|v| v.record.comment.clone()),
                    stored_by: typed_in.and_then(|v| people.get(&v.stored_by)).map(|u| u.full_name.clone()),
                    stored_at: typed_in.map(|v| v.stored_at),
                    value,
                }
            })
            .collect();
        let codes: HashSet<&IndicatorCode> = of_type.iter().map(|i| &i.def.code).collect();
        let rules = shipped_rules()?
            .into_iter()
            .filter(|r| r.left.references().iter().chain(&r.right.references()).all(|c| codes.contains(c)))
            .map(|r| {
                let outcome = r.evaluate(|c| figure(c, &typed, &formulas, 0));
                let status = match outcome {
                    RuleOutcome::Pass { .. } => RuleStatus::Pass,
                    RuleOutcome::Fail { .. } => RuleStatus::Fail,
                    RuleOutcome::Skipped { .. } => RuleStatus::Skipped,
                };
                RuleCheck { message: r.message(&outcome), rule: r.code, name: r.name, status, cite: r.cite }
            })
            .collect();
        Ok(EntryGrid {
            org: org_ref(&unit),
            period: code,
            period_label: period.label(),
            period_type: period.period_type(),
            editable: may_path(actor, ENTER_VALUES, &unit.path),
            rows,
            rules,
        })
    }

    /// Saves the values typed into a unit's grid for a period: each is checked as an imported
    /// value is (the indicator takes typed values of this period, the caller may enter figures
    /// for the unit, the value parses by the indicator's type); any problem writes nothing and
    /// every problem is in [`DomainError::Rejected`], its column the indicator's code. Values out
    /// of their expected range are saved and flagged.
    pub async fn save_entry(&self, actor: &Principal, input: &EntryInput) -> Result<ImportCount> {
        let period = Period::parse(&input.period)?;
        let unit = self.entry_unit(&input.org, &period).await?;
        require_path(actor, Action::ReadWork, &unit.path)?;
        require_path(actor, ENTER_VALUES, &unit.path)?;
        let all = self.store.indicator_list().await?;
        let by_code: HashMap<&str, &StoredIndicator> = all.iter().map(|i| (i.def.code.as_str(), i)).collect();
        let mut records = Vec::new();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for (i, v) in input.values.iter().enumerate() {
            let code = v.indicator.trim();
            let mut problem =
                |message: String| problems.push(RowProblem { line: i + 1, column: code.to_string(), message });
            let Some(ind) = by_code.get(code) else {
                problem(format!("không có chỉ tiêu mã '{code}'"));
                continue;
            };
            if !seen.insert(code) {
                problem("chỉ tiêu được nhập hai lần".into());
                continue;
            }
            if v.value.trim().is_empty() {
                if !v.comment.trim().is_empty() {
                    problem("có ghi chú nhưng chưa nhập giá trị".into());
                }
                continue;
            }
            match entry_record(actor, ind, &unit, &period, &v.value, Some(&v.comment), Notation::Form) {
                Ok(r) => records.push(r),
                Err(DomainError::Invalid { message, .. }) => problem(message),
                Err(e) => return Err(e),
            }
        }
        if !problems.is_empty() {
            return Err(DomainError::Rejected(problems));
        }
        if records.is_empty() {
            return Ok(ImportCount::default());
        }
        let mut audit = self.draft(Some(&actor.user), "data_values.entry", "data_value");
        audit.entity_id = Some(format!("{}/{}", unit.code, period.code()));
        audit.org_id = Some(unit.id);
        audit.after = Some(json!({ "org": unit.code, "period": period.code(), "values": records.len() }));
        let WriteCounts { imported, updated, ignored } =
            self.store.values_write(&records, actor.user.id, self.clock.now(), false, audit).await?;
        Ok(ImportCount { imported, updated, ignored, deleted: 0 })
    }

    /// The units whose grids the caller may open for a period, for the unit picker: each unit
    /// the caller holds a reading role on and its direct children as they stood at the period's
    /// close, marked where the caller may also enter figures.
    pub async fn entry_units(&self, actor: &Principal, period: &str) -> Result<Vec<EntryUnit>> {
        let period = Period::parse(period)?;
        let scope = actor.scope_paths(Action::ReadWork);
        let mut root_ids: Vec<i64> =
            actor.grants.iter().filter(|g| scope.contains(&g.org_path)).map(|g| g.org_id).collect();
        root_ids.sort_unstable();
        root_ids.dedup();
        let mut out: Vec<EntryUnit> = Vec::new();
        for root in self.store.org_many(&root_ids).await? {
            let children = self
                .store
                .org_list(&crate::org::OrgQuery {
                    parent_id: Some(root.id),
                    as_of: Some(period.end()),
                    limit: 1000,
                    ..Default::default()
                })
                .await?
                .items;
            for u in std::iter::once(&root).chain(&children) {
                if out.iter().all(|e| e.org.id != u.id) {
                    out.push(EntryUnit { org: org_ref(u), editable: may_path(actor, ENTER_VALUES, &u.path) });
                }
            }
        }
        Ok(out)
    }

    /// Sets targets of one indicator for units and periods, all or none: the caller must be
    /// allowed to enter figures for every unit (else nothing is set and the answer is
    /// forbidden); a target must be a number, for a period no shorter than the indicator's.
    /// Problems name the target's position and unit code.
    pub async fn set_targets(&self, actor: &Principal, code: &str, targets: &[TargetInput]) -> Result<Vec<TargetView>> {
        let ind = self.indicator_by_code(code).await?;
        let mut problems = Vec::new();
        let mut checked: Vec<(OrgUnit, Period, IndicatorTarget)> = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let problem = |message: String| RowProblem { line: i + 1, column: t.org.trim().to_string(), message };
            let period = match Period::parse(&t.period) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(problem(super::indicators::message(&e)));
                    continue;
                }
            };
            let unit = match self.entry_unit(&t.org, &period).await {
                Ok(u) => u,
                Err(e) => {
                    problems.push(problem(super::indicators::message(&e)));
                    continue;
                }
            };
            require_path(actor, ENTER_VALUES, &unit.path)?;
            let note = t.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
            if note.as_ref().is_some_and(|n| n.chars().count() > MAX_TARGET_NOTE) {
                problems.push(problem(format!("ghi chú dài quá {MAX_TARGET_NOTE} ký tự")));
                continue;
            }
            let target =
                IndicatorTarget { indicator: ind.def.code.clone(), org_id: unit.id, period, value: t.value, note };
            if let Err(e) = target.validate(&ind.def) {
                problems.push(problem(super::indicators::message(&e)));
                continue;
            }
            if checked.iter().any(|(u, p, _)| u.id == unit.id && *p == period) {
                problems.push(problem(format!("{} đã có chỉ tiêu kế hoạch kỳ {} ở trên", unit.name, period.label())));
                continue;
            }
            checked.push((unit, period, target));
        }
        if !problems.is_empty() {
            return Err(DomainError::Rejected(problems));
        }
        if checked.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<TargetRecord> = checked
            .iter()
            .map(|(u, p, t)| TargetRecord {
                indicator_id: ind.id,
                org_id: u.id,
                period: p.code(),
                value: t.value,
                note: t.note.clone(),
            })
            .collect();
        // The audit entry belongs to the widest unit when it holds all the others (a unit and
        // its children), else to no unit (national reading only).
        let widest = checked.iter().map(|(u, _, _)| u).min_by_key(|u| u.path.len());
        let owner = widest.filter(|w| checked.iter().all(|(u, _, _)| w.contains(u)));
        let mut audit = self.draft(Some(&actor.user), "indicator.targets", "indicator_target");
        audit.entity_id = Some(ind.def.code.to_string());
        audit.org_id = owner.map(|u| u.id);
        audit.after = Some(json!({
            "indicator": ind.def.code,
            "targets": checked.iter().map(|(u, p, t)| json!({"org": u.code, "period": p.code(), "value": t.value, "note": t.note})).collect::<Vec<_>>(),
        }));
        self.store.targets_set(&records, actor.user.id, self.clock.now(), audit).await?;
        Ok(checked.iter().map(|(u, p, t)| TargetView::of(&ind.def.code, u, p, t.value, t.note.clone())).collect())
    }

    /// The targets of one indicator set for a unit the caller may read and every unit under it,
    /// for `period` and the periods inside it (as long as the indicator's at least), by unit.
    pub async fn targets(&self, actor: &Principal, code: &str, org: &str, period: &str) -> Result<Vec<TargetView>> {
        let ind = self.indicator_by_code(code).await?;
        let period = Period::parse(period)?;
        let unit = self.entry_unit(org, &period).await?;
        require_path(actor, Action::ReadWork, &unit.path)?;
        let periods: Vec<String> = PeriodType::ALL
            .into_iter()
            .filter(|t| t.months() >= ind.def.period_type.months())
            .flat_map(|t| period.periods_inside(t))
            .map(|p| p.code())
            .collect();
        let found = self.store.targets_of(&[ind.id], None, &periods).await?;
        let mut org_ids: Vec<i64> = found.iter().map(|t| t.org_id).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let orgs: HashMap<i64, OrgUnit> =
            self.store.org_many(&org_ids).await?.into_iter().filter(|o| unit.contains(o)).map(|o| (o.id, o)).collect();
        // By unit (a unit before the units under it), then period, a year before its parts.
        let mut out: Vec<_> = found
            .into_iter()
            .filter_map(|t| {
                let o = orgs.get(&t.org_id)?;
                let p = Period::parse(&t.period).ok()?;
                let key = (o.path.as_str(), p.start(), std::cmp::Reverse(p.period_type().months()));
                Some((key, TargetView::of(&ind.def.code, o, &p, t.value, t.note)))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out.into_iter().map(|(_, v)| v).collect())
    }

    async fn indicator_by_code(&self, code: &str) -> Result<StoredIndicator> {
        self.store
            .indicator_list()
            .await?
            .into_iter()
            .find(|i| i.def.code.as_str() == code.trim())
            .ok_or_else(|| DomainError::not_found("chỉ tiêu", code.trim().to_string()))
    }
}
