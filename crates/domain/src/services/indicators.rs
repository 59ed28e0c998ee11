//! Indicators (chỉ tiêu): the shipped definitions, and values imported as DHIS2 data value sets
//! (all rows or none, every conflict named) or exported the same way.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::work::{may_path, require_path};
use super::{Services, unit_on};
use crate::auth::{Action, Principal};
use crate::indicators::{
    DHIS2_DEFAULT_COMBO, Dhis2DataValue, Indicator, Period, Value, parse_dhis2_value, parse_value, shipped_indicators,
};
use crate::org::{OrgCode, OrgUnit};
use crate::repo::indicators::{StoredIndicator, TallyRoles, TallyScope, TargetRecord, ValueRecord, WriteCounts};
use crate::users::{User, UserId};
use crate::{DomainError, Result};

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

/// One problem: the row (its 1-based position in a JSON set; the line of a CSV file, the
/// header being line 1; the row of a sheet), what it names and what is wrong.
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

    /// Imports a DHIS2 data value set whose rows are numbered 1, 2, … (JSON).
    pub async fn import_data_values(
        &self,
        actor: &Principal,
        rows: &[Dhis2DataValue],
        dry_run: bool,
    ) -> Result<ImportSummary> {
        let numbered: Vec<(usize, &Dhis2DataValue)> = rows.iter().enumerate().map(|(i, r)| (i + 1, r)).collect();
        self.import_rows(actor, &numbered, Vec::new(), dry_run).await
    }

    /// Imports a DHIS2 data value set: every row (numbered as its file numbers it: the line of a
    /// CSV file, the row of a sheet) is checked — indicator, period of the indicator's type,
    /// unit, the actor's right to enter figures for it, the value's type, one value per
    /// indicator, unit and period — and any conflict, including `problems` the caller found in
    /// reading the file, writes nothing. With `dry_run` the counts come back and nothing is
    /// written.
    pub async fn import_data_value_rows(
        &self,
        actor: &Principal,
        rows: &[(usize, Dhis2DataValue)],
        problems: Vec<ImportConflict>,
        dry_run: bool,
    ) -> Result<ImportSummary> {
        let numbered: Vec<(usize, &Dhis2DataValue)> = rows.iter().map(|(n, r)| (*n, r)).collect();
        self.import_rows(actor, &numbered, problems, dry_run).await
    }

    async fn import_rows(
        &self,
        actor: &Principal,
        rows: &[(usize, &Dhis2DataValue)],
        problems: Vec<ImportConflict>,
        dry_run: bool,
    ) -> Result<ImportSummary> {
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(DomainError::invalid(
                "dataValues",
                format!("tối đa {MAX_IMPORT_ROWS} giá trị mỗi lần nhập, tệp có {}", rows.len()),
            ));
        }
        let started = std::time::Instant::now();
        let indicators: HashMap<String, StoredIndicator> =
            self.store.indicator_list().await?.into_iter().map(|i| (i.def.code.to_string(), i)).collect();
        // Units looked up at once for every code named; each row takes the unit valid at its
        // period's close (a 2025 yearly figure of code 51 belongs to the province after the July
        // 2025 merger).
        // Only units that exist at some period's close are read (a month's import reads today's
        // units, not every unit that ever carried a code).
        let mut codes: HashMap<&str, Option<String>> = HashMap::new();
        let mut closes: HashMap<&str, Option<chrono::NaiveDate>> = HashMap::new();
        for (_, row) in rows {
            let raw = row.org_unit.trim();
            codes.entry(raw).or_insert_with(|| OrgCode::parse(raw).ok().map(|c| c.as_str().to_string()));
            closes.entry(row.period.as_str()).or_insert_with(|| Period::parse(&row.period).ok().map(|p| p.end()));
        }
        let mut wanted: Vec<String> = codes.values().flatten().cloned().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut units: HashMap<String, Vec<OrgUnit>> = HashMap::new();
        let closes = closes.values().flatten();
        if let (Some(first), Some(last)) = (closes.clone().min(), closes.max()) {
            for u in self.store.org_with_codes(&wanted, *first, *last).await? {
                units.entry(u.code.clone()).or_default().push(u);
            }
        }
        let looked_up = started.elapsed();
        let mut records = Vec::with_capacity(rows.len());
        // The row that gave each (indicator, unit, period) its value, to name a repeat.
        let mut first_row: HashMap<(i64, i64, String), usize> = HashMap::new();
        let mut conflicts = problems;
        for &(n, row) in rows {
            let mut conflict = |object: &str, value: String| {
                conflicts.push(ImportConflict { row: n, object: object.to_string(), value })
            };
            let Some(ind) = indicators.get(row.data_element.trim()) else {
                conflict(&row.data_element, format!("dataElement: không có chỉ tiêu mã '{}'", row.data_element));
                continue;
            };
            if let Some((field, text)) = row.non_default_combo() {
                conflict(
                    text,
                    format!(
                        "{field}: dxgov không phân tổ số liệu; để trống, ghi 'default' hoặc '{DHIS2_DEFAULT_COMBO}'"
                    ),
                );
                continue;
            }
            let period = match Period::parse(&row.period) {
                Ok(p) => p,
                Err(e) => {
                    conflict(&row.period, format!("period: {}", message(&e)));
                    continue;
                }
            };
            if let Err(e) = ind.def.accepts_entry(&period) {
                let column =
                    if matches!(e, DomainError::Invalid { field: "period", .. }) { "period" } else { "dataElement" };
                let object = if column == "period" { &row.period } else { &row.data_element };
                conflict(object, format!("{column}: {}", message(&e)));
                continue;
            }
            let found = codes.get(row.org_unit.trim()).and_then(|c| units.get(c.as_ref()?));
            let Some(unit) = found.and_then(|u| unit_on(u, period.end())) else {
                conflict(&row.org_unit, format!("orgUnit: không có đơn vị mã '{}'", row.org_unit));
                continue;
            };
            match entry_record(actor, ind, unit, &period, &row.value, row.comment.as_deref(), Notation::Dhis2) {
                Ok(record) => {
                    let key = (record.indicator_id, record.org_id, record.period.clone());
                    if let Some(first) = first_row.get(&key) {
                        conflict(
                            &row.data_element,
                            format!(
                                "dataElement: dòng {first} đã có giá trị của {} cho {}, kỳ {}; mỗi chỉ tiêu, đơn vị, \
                                 kỳ chỉ nhập một giá trị",
                                ind.def.code, unit.name, row.period
                            ),
                        );
                        continue;
                    }
                    first_row.insert(key, n);
                    records.push(record);
                }
                Err(DomainError::Forbidden(_)) => {
                    conflict(&row.org_unit, format!("orgUnit: không có quyền nhập số liệu cho {}", unit.name))
                }
                Err(e) => conflict(&row.value, format!("value: {}", message(&e))),
            }
        }
        if !conflicts.is_empty() {
            conflicts.sort_by_key(|c| c.row);
            let bad_rows = {
                let mut r: Vec<usize> = conflicts.iter().map(|c| c.row).collect();
                r.dedup();
                r.len()
            };
            return Ok(ImportSummary {
                response_type: "ImportSummary",
                status: "ERROR",
                description: format!("Không nhập giá trị nào: {bad_rows} dòng có lỗi"),
                import_count: ImportCount { ignored: rows.len() as u64, ..Default::default() },
                conflicts,
                dry_run,
            });
        }
        let mut audit = self.draft(Some(&actor.user), "data_values.import", "data_value");
        audit.after = Some(json!({ "rows": rows.len() }));
        let checked = started.elapsed();
        let WriteCounts { imported, updated, ignored } =
            self.store.values_write(&records, actor.user.id, self.clock.now(), dry_run, audit).await?;
        tracing::debug!(
            rows = rows.len(),
            lookup_ms = looked_up.as_secs_f64() * 1000.0,
            check_ms = (checked - looked_up).as_secs_f64() * 1000.0,
            store_ms = (started.elapsed() - checked).as_secs_f64() * 1000.0,
            "data values imported"
        );
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

/// What entering figures for a unit takes: the same right as editing its plans and tasks.
pub const ENTER_VALUES: Action = Action::EditWork;

/// How a typed value is written: as DHIS2 files write it (`1234.5`, `true`) or as a
/// Vietnamese form reads it (`1.234,5`, `có`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notation {
    Dhis2,
    Form,
}

/// The one check of a value entered for a unit and period, whichever way it comes in (a DHIS2
/// file or the entry form): the indicator takes typed values of this period type, the actor may
/// enter figures for the unit, the value parses by the indicator's type. The record carries the
/// out-of-range flag.
pub(crate) fn entry_record(
    actor: &Principal,
    ind: &StoredIndicator,
    unit: &OrgUnit,
    period: &Period,
    raw: &str,
    comment: Option<&str>,
    notation: Notation,
) -> Result<ValueRecord> {
    ind.def.accepts_entry(period)?;
    require_path(actor, ENTER_VALUES, &unit.path)?;
    let value = match notation {
        Notation::Dhis2 => parse_dhis2_value(ind.def.value_type, raw)?,
        Notation::Form => parse_value(ind.def.value_type, raw)?,
    };
    Ok(record(ind, unit.id, period, &value, comment))
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
        let users = self.usernames(values.iter().map(|v| v.stored_by)).await?;
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
                    stored_by: users.get(&v.stored_by).cloned(),
                    last_updated: Some(v.stored_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    ..Default::default()
                })
            })
            .collect())
    }

    /// The users among `ids`, by id: their usernames.
    async fn usernames(&self, ids: impl Iterator<Item = UserId>) -> Result<HashMap<UserId, String>> {
        Ok(self.people(ids).await?.into_iter().map(|(id, u)| (id, u.username)).collect())
    }

    /// The users among `ids`, by id (each looked up once; few people store a unit's figures).
    pub(crate) async fn people(&self, ids: impl Iterator<Item = UserId>) -> Result<HashMap<UserId, User>> {
        let mut ids: Vec<UserId> = ids.collect();
        ids.sort_unstable();
        ids.dedup();
        let mut out = HashMap::with_capacity(ids.len());
        for id in ids {
            if let Some(u) = self.store.user_get(id).await? {
                out.insert(id, u);
            }
        }
        Ok(out)
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
    /// The target set for the unit and exactly this period, and the figure as a percentage of it.
    pub target: Option<f64>,
    pub target_note: Option<String>,
    pub progress: Option<f64>,
    /// The caller may enter figures and set targets for the unit.
    pub editable: bool,
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
    pub target: Option<f64>,
    pub target_note: Option<String>,
    pub progress: Option<f64>,
    pub editable: bool,
}

/// A figure as a percentage of its target; none without a target or with a zero one.
pub fn progress(value: Option<f64>, target: Option<f64>) -> Option<f64> {
    let (v, t) = (value?, target?);
    (t != 0.0).then(|| v / t * 100.0).filter(|p| p.is_finite())
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
        use crate::indicators::{Attributed, Successor, Tally, attribute, format_number};
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

        // The inputs: the indicator's own values, or those of the indicators its rule reads,
        // summed per unit by storage.
        let id_of = |c: &crate::indicators::IndicatorCode| all.iter().find(|i| &i.def.code == c).map(|i| i.id);
        let roles = match &ind.def.aggregation {
            crate::indicators::AggregationRule::RatioOfSums { numerator, denominator, .. } => id_of(numerator)
                .zip(id_of(denominator))
                .map(|(numerator, denominator)| TallyRoles::Ratio { numerator, denominator }),
            crate::indicators::AggregationRule::WeightedAverage { weight } => {
                id_of(weight).map(|weight| TallyRoles::Weighted { value: ind.id, weight })
            }
            _ => Some(TallyRoles::Values(ind.id)),
        };
        // The units under this one, and as of now also every dissolved unit: its figures may
        // count for a successor under this one.
        let scope = TallyScope { path: &unit.path, not_valid_on: (structure == Structure::Now).then_some(as_of) };
        let months = period.period_type().months() as i16;
        let tallies = match roles {
            Some(roles) => self.store.value_tallies(&roles, &scope, period.start(), period.end(), months).await?,
            // A rule naming an indicator that is not defined has nothing to combine.
            None => Vec::new(),
        };

        // Paths of the units met on the way (recorded ones, then successors along the chains).
        let mut paths: HashMap<i64, String> = HashMap::with_capacity(tallies.len());
        let mut links: HashMap<i64, Vec<Successor>> = HashMap::new();
        let mut dissolved: Vec<i64> = Vec::new();
        for t in &tallies {
            paths.insert(t.org_id, t.path.clone());
            if !crate::org::valid_on(t.valid_from, t.valid_to, as_of) {
                dissolved.push(t.org_id);
            }
        }
        while structure == Structure::Now && !dissolved.is_empty() {
            let mut pending: Vec<i64> = Vec::new();
            for (old, new) in self.store.org_successor_links(&dissolved).await? {
                links.entry(old).or_default().push(Successor::new(new));
                pending.push(new);
            }
            pending.sort_unstable();
            pending.dedup();
            pending.retain(|id| !paths.contains_key(id));
            let found = self.store.org_many(&pending).await?;
            dissolved = found.iter().filter(|u| !u.is_valid_on(as_of)).map(|u| u.id).collect();
            paths.extend(found.into_iter().map(|u| (u.id, u.path)));
        }
        let values: Vec<(i64, Tally)> = tallies.iter().map(|t| (t.org_id, t.tally)).collect();
        let attributed: Vec<Attributed<Tally>> =
            attribute(&ind.def.aggregation, &values, |org| links.get(&org).cloned().unwrap_or_default())?;
        let path_of = |id: i64| paths.get(&id).map(String::as_str).unwrap_or("");
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
        let mut whole = Tally::default();
        let mut per_child: Vec<Tally> = vec![Tally::default(); children.len()];
        // Inputs that went into the figure, each recorded one once (a split unit's may count
        // for several successors).
        let mut counted: Vec<i64> = Vec::new();
        for a in &attributed {
            let path = path_of(a.org_id);
            let Some(below) = path.strip_prefix(unit.path.as_str()) else { continue };
            whole += a.input;
            counted.push(a.source);
            if let Some(&i) = below.find('/').and_then(|end| child_at.get(&path[..unit.path.len() + end + 1])) {
                per_child[i] += a.input;
            }
        }
        counted.sort_unstable();
        counted.dedup();
        let inputs: u64 =
            tallies.iter().filter(|t| counted.binary_search(&t.org_id).is_ok()).map(|t| t.tally.inputs).sum();
        let value = whole.result(&ind.def.aggregation);
        let org_ids: Vec<i64> = std::iter::once(unit.id).chain(children.iter().map(|c| c.id)).collect();
        let targets: HashMap<i64, TargetRecord> = self
            .store
            .targets_of(&[ind.id], Some(&org_ids), &[period.code()])
            .await?
            .into_iter()
            .map(|t| (t.org_id, t))
            .collect();
        let target_of = |id: i64| targets.get(&id).map(|t| (t.value, t.note.clone()));
        let children = children
            .iter()
            .zip(&per_child)
            .map(|(c, tally)| {
                let v = tally.result(&ind.def.aggregation);
                let (target, target_note) = target_of(c.id).unzip();
                RollUpRow {
                    org: crate::work::OrgRef { id: c.id, code: c.code.clone(), name: c.name.clone() },
                    value: v,
                    value_label: label(v),
                    progress: progress(v, target),
                    target,
                    target_note: target_note.flatten(),
                    editable: may_path(actor, ENTER_VALUES, &c.path),
                }
            })
            .collect();
        let (target, target_note) = target_of(unit.id).unzip();
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
            progress: progress(value, target),
            target,
            target_note: target_note.flatten(),
            editable: may_path(actor, ENTER_VALUES, &unit.path),
            inputs: inputs as usize,
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
    /// The indicator's name.
    pub name: String,
    pub org: crate::work::OrgRef,
    pub period: String,
    pub period_label: String,
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
                    name: def.map(|d| d.name.clone()).unwrap_or_default(),
                    org: org_ref(&orgs[&v.record.org_id]),
                    period: v.record.period.clone(),
                    period_label: Period::parse(&v.record.period).map(|p| p.label()).unwrap_or_default(),
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
pub(crate) fn message(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
