//! Indicators (chỉ tiêu): the shipped definitions, and values imported as DHIS2 data value sets
//! (all rows or none, every conflict named) or exported the same way.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::work::require_path;
use super::{Services, unit_on};
use crate::auth::{Action, Principal};
use crate::indicators::{Dhis2DataValue, Indicator, Period, Value, parse_dhis2_value, shipped_indicators};
use crate::org::OrgUnit;
use crate::repo::indicators::{StoredIndicator, ValueRecord, WriteCounts};
use crate::{DomainError, Result};

/// Why a registry-derived indicator takes no imported value: the registry is its one source,
/// and a typed figure would be overwritten at the next registry change (or counted twice).
pub const REGISTRY_DERIVED: &str = "được tính tự động từ danh mục hệ thống thông tin của đơn vị, không nhập số liệu; \
hãy cập nhật danh mục (/registries/systems)";

/// Rows one data value set may carry (a year of one province's monthly figures is far less).
pub const MAX_IMPORT_ROWS: usize = 500_000;

/// DHIS2's import summary: counts, and every conflict with the row it came from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub response_type: &'static str,
    /// SUCCESS, or ERROR when any row conflicts (then nothing is written).
    pub status: &'static str,
    pub description: String,
    pub import_count: ImportCount,
    pub conflicts: Vec<ImportConflict>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ImportCount {
    pub imported: u64,
    pub updated: u64,
    pub ignored: u64,
    pub deleted: u64,
}

/// One problem: the row (1-based, in file order), what it names and what is wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportConflict {
    pub row: usize,
    pub object: String,
    pub value: String,
}

impl Services {
    /// Adds the shipped indicator definitions that are not stored yet; returns how many.
    pub async fn load_indicators(&self) -> Result<u64> {
        let stored: Vec<String> =
            self.store.indicator_list().await?.into_iter().map(|i| i.def.code.to_string()).collect();
        let mut added = 0;
        for def in shipped_indicators()? {
            if stored.iter().any(|c| c == def.code.as_str()) {
                continue;
            }
            let mut audit = self.draft(None, "indicator.load", "indicator");
            audit.entity_id = Some(def.code.to_string());
            self.store.indicator_save(&def, None, self.clock.now(), audit).await?;
            added += 1;
        }
        Ok(added)
    }

    /// Indicator definitions are national reference data: every signed-in user may read them.
    pub async fn indicators(&self) -> Result<Vec<StoredIndicator>> {
        self.store.indicator_list().await
    }

    /// Imports a DHIS2 data value set: every row is checked (indicator, period of the
    /// indicator's type, unit, the actor's right to enter figures for it, the value's type);
    /// any conflict writes nothing. With `dry_run` the counts come back and nothing is written.
    pub async fn import_data_values(
        &self,
        actor: &Principal,
        rows: &[Dhis2DataValue],
        dry_run: bool,
    ) -> Result<ImportSummary> {
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(DomainError::invalid(
                "dataValues",
                format!("tối đa {MAX_IMPORT_ROWS} giá trị mỗi lần nhập, tệp có {}", rows.len()),
            ));
        }
        let indicators: HashMap<String, StoredIndicator> =
            self.store.indicator_list().await?.into_iter().map(|i| (i.def.code.to_string(), i)).collect();
        // Units looked up once per code; each row takes the unit valid at its period's close (a
        // 2025 yearly figure of code 51 belongs to the province after the July 2025 merger).
        let mut units: HashMap<String, Vec<OrgUnit>> = HashMap::new();
        let mut records = Vec::with_capacity(rows.len());
        let mut conflicts = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let n = i + 1;
            let mut conflict = |object: &str, value: String| {
                conflicts.push(ImportConflict { row: n, object: object.to_string(), value })
            };
            let Some(ind) = indicators.get(row.data_element.trim()) else {
                conflict(&row.data_element, format!("dataElement: không có chỉ tiêu mã '{}'", row.data_element));
                continue;
            };
            let period = match Period::parse(&row.period) {
                Ok(p) => p,
                Err(e) => {
                    conflict(&row.period, format!("period: {}", message(&e)));
                    continue;
                }
            };
            if period.period_type() != ind.def.period_type {
                conflict(
                    &row.period,
                    format!(
                        "period: chỉ tiêu {} báo cáo theo kỳ {}, không theo kỳ {}",
                        ind.def.code,
                        ind.def.period_type.label().to_lowercase(),
                        period.period_type().label().to_lowercase()
                    ),
                );
                continue;
            }
            let code = row.org_unit.trim();
            if !units.contains_key(code) {
                let found = self.units_with_code(code).await.unwrap_or_default();
                units.insert(code.to_string(), found);
            }
            let Some(unit) = units.get(code).and_then(|u| unit_on(u, period.end())) else {
                conflict(&row.org_unit, format!("orgUnit: không có đơn vị mã '{}'", row.org_unit));
                continue;
            };
            if require_path(actor, Action::EditWork, &unit.path).is_err() {
                conflict(&row.org_unit, format!("orgUnit: không có quyền nhập số liệu cho {}", unit.name));
                continue;
            }
            if ind.def.formula.is_some() {
                conflict(&row.data_element, format!("dataElement: {} được tính theo công thức", ind.def.code));
                continue;
            }
            if crate::registries::SystemFigure::of_indicator(ind.def.code.as_str()).is_some() {
                conflict(&row.data_element, format!("dataElement: {} {}", ind.def.code, REGISTRY_DERIVED));
                continue;
            }
            let value = match parse_dhis2_value(ind.def.value_type, &row.value) {
                Ok(v) => v,
                Err(e) => {
                    conflict(&row.value, format!("value: {}", message(&e)));
                    continue;
                }
            };
            records.push(record(ind, unit.id, &period, &value, row.comment.as_deref()));
        }
        if !conflicts.is_empty() {
            return Ok(ImportSummary {
                response_type: "ImportSummary",
                status: "ERROR",
                description: format!("Không nhập giá trị nào: {} dòng có lỗi", conflicts.len()),
                import_count: ImportCount { ignored: rows.len() as u64, ..Default::default() },
                conflicts,
                dry_run,
            });
        }
        let mut audit = self.draft(Some(&actor.user), "data_values.import", "data_value");
        audit.after = Some(json!({ "rows": rows.len() }));
        let WriteCounts { imported, updated, ignored } =
            self.store.values_write(&records, actor.user.id, self.clock.now(), dry_run, audit).await?;
        Ok(ImportSummary {
            response_type: "ImportSummary",
            status: "SUCCESS",
            description: if dry_run { "Chạy thử: chưa ghi gì".into() } else { "Đã nhập".into() },
            import_count: ImportCount { imported, updated, ignored, deleted: 0 },
            conflicts,
            dry_run,
        })
    }
}

/// Which values to export: indicators by code (none = all), values whose period lies inside
/// `period`, of the unit `org_unit` or, with `children`, of every unit under it.
#[derive(Debug, Clone, Default)]
pub struct DataValueQuery {
    pub data_elements: Vec<String>,
    pub period: String,
    pub org_unit: String,
    pub children: bool,
}

impl Services {
    /// Values as a DHIS2 data value set, for a unit the actor may read (or its subtree).
    pub async fn export_data_values(&self, actor: &Principal, q: &DataValueQuery) -> Result<Vec<Dhis2DataValue>> {
        let period = Period::parse(&q.period)?;
        let unit = self
            .org_by_code(q.org_unit.trim(), Some(period.end()))
            .await
            .map_err(|_| DomainError::invalid("orgUnit", format!("không có đơn vị mã '{}'", q.org_unit.trim())))?;
        require_path(actor, Action::ReadWork, &unit.path)?;
        let all = self.store.indicator_list().await?;
        let wanted: Vec<&StoredIndicator> = if q.data_elements.is_empty() {
            all.iter().collect()
        } else {
            q.data_elements
                .iter()
                .map(|c| {
                    all.iter().find(|i| i.def.code.as_str() == c.trim()).ok_or_else(|| {
                        DomainError::invalid("dataElement", format!("không có chỉ tiêu mã '{}'", c.trim()))
                    })
                })
                .collect::<Result<_>>()?
        };
        let ids: Vec<i64> = wanted.iter().map(|i| i.id).collect();
        let only = (!q.children).then(|| vec![unit.id]);
        let values = self.store.values_in(&ids, only.as_deref(), period.start(), period.end()).await?;
        let months = period.period_type().months() as i16;
        let mut org_ids: Vec<i64> = values.iter().map(|v| v.record.org_id).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let orgs: HashMap<i64, OrgUnit> = self.store.org_many(&org_ids).await?.into_iter().map(|o| (o.id, o)).collect();
        Ok(values
            .into_iter()
            .filter(|v| v.record.period_months <= months)
            .filter_map(|v| {
                let org = orgs.get(&v.record.org_id).filter(|o| o.path.starts_with(&unit.path))?;
                let ind = wanted.iter().find(|i| i.id == v.record.indicator_id)?;
                let value = match (&v.record.text_value, v.record.value) {
                    (Some(t), _) => t.clone(),
                    (None, Some(x)) if ind.def.value_type == crate::indicators::ValueType::YesNo => {
                        (x != 0.0).to_string()
                    }
                    (None, Some(x)) => x.to_string(),
                    (None, None) => return None,
                };
                Some(Dhis2DataValue {
                    data_element: ind.def.code.to_string(),
                    period: v.record.period.clone(),
                    org_unit: org.code.as_str().to_string(),
                    value,
                    comment: v.record.comment.clone(),
                })
            })
            .collect())
    }
}

/// Which structure a roll-up follows: today's units (values of dissolved units counted for
/// their successors) or the units as they stood at the period's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    #[default]
    Now,
    Then,
}

/// One indicator for one period, over a unit's subtree, with one row per direct child.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollUp {
    pub indicator: String,
    pub name: String,
    pub period: String,
    pub period_label: String,
    pub structure: Structure,
    /// The day whose structure the figures follow.
    pub as_of: chrono::NaiveDate,
    pub org: crate::work::OrgRef,
    pub value: Option<f64>,
    /// `1.234,5` as a Vietnamese reader expects it.
    pub value_label: String,
    /// Values recorded (units × periods) that went into the figure.
    pub inputs: usize,
    pub children: Vec<RollUpRow>,
    /// How dissolved and split units count, in the UI's words.
    pub rule: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RollUpRow {
    pub org: crate::work::OrgRef,
    pub value: Option<f64>,
    pub value_label: String,
}

impl Services {
    /// Rolls one indicator up over a unit's subtree for any period at least as long as the
    /// indicator's: every value whose period lies inside, from every unit under it, combined by
    /// the indicator's rule (ratios from the sums of their numerator and denominator). With
    /// [`Structure::Now`], values recorded for units dissolved since count for their successors.
    pub async fn roll_up(
        &self,
        actor: &Principal,
        code: &str,
        period: &str,
        org: &str,
        structure: Structure,
    ) -> Result<RollUp> {
        use crate::indicators::{Attributed, Contribution, Successor, aggregate, attribute, format_number};
        let all = self.store.indicator_list().await?;
        let ind = all
            .iter()
            .find(|i| i.def.code.as_str() == code.trim())
            .ok_or_else(|| DomainError::not_found("chỉ tiêu", code.trim().to_string()))?;
        let period = Period::parse(period)?;
        if period.period_type().months() < ind.def.period_type.months() {
            return Err(DomainError::invalid(
                "period",
                format!(
                    "chỉ tiêu báo cáo theo kỳ {}, không tổng hợp cho kỳ ngắn hơn",
                    ind.def.period_type.label().to_lowercase()
                ),
            ));
        }
        let as_of = match structure {
            Structure::Now => self.clock.today(),
            Structure::Then => period.end(),
        };
        let unit = self
            .org_by_code(org.trim(), Some(as_of))
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{}'", org.trim())))?;
        require_path(actor, Action::ReadWork, &unit.path)?;

        // The inputs: the indicator's own values, or those of the indicators its rule reads.
        let id_of = |c: &crate::indicators::IndicatorCode| all.iter().find(|i| &i.def.code == c).map(|i| i.id);
        let (numerator, denominator, weight) = match &ind.def.aggregation {
            crate::indicators::AggregationRule::RatioOfSums { numerator, denominator, .. } => {
                (id_of(numerator), id_of(denominator), None)
            }
            crate::indicators::AggregationRule::WeightedAverage { weight } => (None, None, id_of(weight)),
            _ => (None, None, None),
        };
        let ids: Vec<i64> = [Some(ind.id), numerator, denominator, weight].into_iter().flatten().collect();
        let months = period.period_type().months() as i16;
        let points = self.store.value_points(&ids, period.start(), period.end()).await?;
        let mut inputs: HashMap<(i64, chrono::NaiveDate, i16), Contribution> = HashMap::new();
        for p in points.iter().filter(|p| p.period_months <= months) {
            let c = inputs.entry((p.org_id, p.period_start, p.period_months)).or_default();
            if p.indicator_id == ind.id {
                c.value = Some(p.value);
            }
            if Some(p.indicator_id) == numerator {
                c.numerator = Some(p.value);
            }
            if Some(p.indicator_id) == denominator {
                c.denominator = Some(p.value);
            }
            if Some(p.indicator_id) == weight {
                c.weight = Some(p.value);
            }
        }
        let values: Vec<(i64, Contribution)> = inputs.iter().map(|((org, _, _), c)| (*org, *c)).collect();

        // Units met on the way (recorded ones, then successors along the chains), by id.
        let mut units: HashMap<i64, OrgUnit> = HashMap::new();
        let mut links: HashMap<i64, Vec<Successor>> = HashMap::new();
        let mut pending: Vec<i64> = values.iter().map(|(o, _)| *o).collect();
        while !pending.is_empty() {
            pending.sort_unstable();
            pending.dedup();
            pending.retain(|id| !units.contains_key(id));
            let found = self.store.org_many(&pending).await?;
            let dissolved: Vec<i64> = found.iter().filter(|u| !u.is_valid_on(as_of)).map(|u| u.id).collect();
            units.extend(found.into_iter().map(|u| (u.id, u)));
            pending.clear();
            if structure == Structure::Now && !dissolved.is_empty() {
                for (old, new) in self.store.org_successor_links(&dissolved).await? {
                    links.entry(old).or_default().push(Successor::new(new));
                    pending.push(new);
                }
            }
        }
        let attributed: Vec<Attributed> =
            attribute(&ind.def.aggregation, &values, |org| links.get(&org).cloned().unwrap_or_default())?;
        let path_of = |id: i64| units.get(&id).map(|u| u.path.as_str()).unwrap_or("");
        let label = |v: Option<f64>| v.map(format_number).unwrap_or_else(|| "—".into());
        let children = self
            .store
            .org_list(&crate::org::OrgQuery {
                parent_id: Some(unit.id),
                as_of: Some(as_of),
                limit: 1000,
                ..Default::default()
            })
            .await?
            .items;
        // One pass over the attributed figures: each goes to the unit and to the child whose
        // path is the next segment of its own.
        let child_at: HashMap<&str, usize> = children.iter().enumerate().map(|(i, c)| (c.path.as_str(), i)).collect();
        let mut whole = Vec::new();
        let mut per_child: Vec<Vec<Contribution>> = vec![Vec::new(); children.len()];
        for a in &attributed {
            let path = path_of(a.org_id);
            let Some(below) = path.strip_prefix(unit.path.as_str()) else { continue };
            whole.push(a.input);
            if let Some(&i) = below.find('/').and_then(|end| child_at.get(&path[..unit.path.len() + end + 1])) {
                per_child[i].push(a.input);
            }
        }
        let value = aggregate(&ind.def.aggregation, &whole);
        let children = children
            .iter()
            .zip(&per_child)
            .map(|(c, inputs)| {
                let v = aggregate(&ind.def.aggregation, inputs);
                RollUpRow {
                    org: crate::work::OrgRef { id: c.id, code: c.code.clone(), name: c.name.clone() },
                    value: v,
                    value_label: label(v),
                }
            })
            .collect();
        Ok(RollUp {
            indicator: ind.def.code.to_string(),
            name: ind.def.name.clone(),
            period: period.code(),
            period_label: period.label(),
            structure,
            as_of,
            org: crate::work::OrgRef { id: unit.id, code: unit.code.clone(), name: unit.name.clone() },
            value,
            value_label: label(value),
            inputs: values.len(),
            children,
            rule: crate::indicators::RESTRUCTURING_RULE_VI,
        })
    }
}

/// The data-quality page of a unit for a period: every shipped validation rule checked on each
/// unit under it that recorded figures for that period, and the values flagged as outside
/// their expected range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DataQuality {
    pub org: crate::work::OrgRef,
    pub period: String,
    pub period_label: String,
    /// Rule × unit checks that had their figures.
    pub checked: usize,
    pub failures: Vec<RuleFailure>,
    /// Rule × unit checks skipped for missing figures.
    pub skipped: usize,
    pub flagged: Vec<FlaggedValue>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleFailure {
    pub rule: String,
    pub org: crate::work::OrgRef,
    pub message: String,
    pub cite: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlaggedValue {
    pub indicator: String,
    pub org: crate::work::OrgRef,
    pub period: String,
    pub value_label: String,
    pub message: String,
}

impl Services {
    pub async fn data_quality(&self, actor: &Principal, org: &str, period: &str) -> Result<DataQuality> {
        use crate::indicators::{RuleOutcome, format_number, shipped_rules};
        let period = Period::parse(period)?;
        let unit = self
            .org_by_code(org.trim(), Some(period.end()))
            .await
            .map_err(|_| DomainError::invalid("org", format!("không có đơn vị mã '{}'", org.trim())))?;
        require_path(actor, Action::ReadWork, &unit.path)?;
        let all = self.store.indicator_list().await?;
        let months = period.period_type().months() as i16;
        let values = self
            .store
            .values_in(&all.iter().map(|i| i.id).collect::<Vec<_>>(), None, period.start(), period.end())
            .await?;
        let mut org_ids: Vec<i64> = values.iter().map(|v| v.record.org_id).collect();
        org_ids.sort_unstable();
        org_ids.dedup();
        let orgs: HashMap<i64, OrgUnit> = self
            .store
            .org_many(&org_ids)
            .await?
            .into_iter()
            .filter(|o| o.path.starts_with(&unit.path))
            .map(|o| (o.id, o))
            .collect();
        let code_of: HashMap<i64, &str> = all.iter().map(|i| (i.id, i.def.code.as_str())).collect();
        let org_ref = |o: &OrgUnit| crate::work::OrgRef { id: o.id, code: o.code.clone(), name: o.name.clone() };
        // Each unit's own figures of exactly this period, by indicator code.
        let mut by_org: HashMap<i64, HashMap<&str, f64>> = HashMap::new();
        let mut flagged = Vec::new();
        for v in values.iter().filter(|v| orgs.contains_key(&v.record.org_id)) {
            let Some(code) = code_of.get(&v.record.indicator_id) else { continue };
            if v.record.flagged {
                let def = &all.iter().find(|i| i.id == v.record.indicator_id).map(|i| &i.def);
                let value = v.record.value.map(Value::Number).unwrap_or(Value::Text(String::new()));
                flagged.push(FlaggedValue {
                    indicator: code.to_string(),
                    org: org_ref(&orgs[&v.record.org_id]),
                    period: v.record.period.clone(),
                    value_label: v.record.value.map(format_number).unwrap_or_default(),
                    message: def.and_then(|d| d.range_flag(&value)).map(|f| f.message()).unwrap_or_default(),
                });
            }
            if let Some(x) = v.record.value.filter(|_| v.record.period_months == months) {
                by_org.entry(v.record.org_id).or_default().insert(code, x);
            }
        }
        let (mut checked, mut skipped, mut failures) = (0, 0, Vec::new());
        for rule in shipped_rules()? {
            let mut ids: Vec<&i64> = by_org.keys().collect();
            ids.sort();
            for org_id in ids {
                let figures = &by_org[org_id];
                match rule.evaluate(|c| figures.get(c.as_str()).copied()) {
                    RuleOutcome::Skipped { .. } => skipped += 1,
                    outcome @ RuleOutcome::Fail { .. } => {
                        checked += 1;
                        failures.push(RuleFailure {
                            rule: rule.code.clone(),
                            org: org_ref(&orgs[org_id]),
                            message: rule.message(&outcome),
                            cite: rule.cite.clone(),
                        });
                    }
                    RuleOutcome::Pass { .. } => checked += 1,
                }
            }
        }
        Ok(DataQuality {
            org: org_ref(&unit),
            period: period.code(),
            period_label: period.label(),
            checked,
            failures,
            skipped,
            flagged,
        })
    }
}

/// The row storage keeps for `value`: numbers and yes/no as a number, text as text, and the
/// out-of-range flag.
fn record(ind: &StoredIndicator, org_id: i64, period: &Period, value: &Value, comment: Option<&str>) -> ValueRecord {
    let def: &Indicator = &ind.def;
    ValueRecord {
        indicator_id: ind.id,
        org_id,
        period: period.code(),
        period_start: period.start(),
        period_months: period.period_type().months() as i16,
        value: value.as_number(),
        text_value: match value {
            Value::Text(t) => Some(t.clone()),
            _ => None,
        },
        comment: comment.map(str::trim).filter(|c| !c.is_empty()).map(str::to_string),
        flagged: def.range_flag(value).is_some(),
    }
}

/// The Vietnamese message of a field error (other errors as they print).
fn message(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
