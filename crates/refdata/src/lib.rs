//! Reference data shipped in the repo (`data/`), embedded in the binary and parsed into the
//! domain's reference rows: Vietnam's administrative divisions before and after 1 July 2025 with
//! the old→new mapping, and the central agencies. Provenance and licences: `data/*/NOTICE.md`.
//!
//! Owns parsing only; loading into storage is the domain's `Services::load_reference`.

pub mod frameworks;
pub mod holidays;

use chrono::NaiveDate;
use domain::org::{OrgType, ReferenceSuccession, ReferenceUnit, reform_2025};

const UNITS_TSV: &str = include_str!("../../../data/admin-units/units.tsv");
const SUCCESSIONS_TSV: &str = include_str!("../../../data/admin-units/successions.tsv");
const AGENCIES_TSV: &str = include_str!("../../../data/central-agencies/agencies.tsv");

/// Name of the root unit under which both structures and the central agencies hang.
pub const ROOT_NAME: &str = "Chính phủ nước Cộng hòa xã hội chủ nghĩa Việt Nam";

#[derive(Debug, thiserror::Error)]
#[error("{file}, dòng {line}: {message}")]
pub struct ParseError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ReferenceData {
    pub units: Vec<ReferenceUnit>,
    pub successions: Vec<ReferenceSuccession>,
}

/// Parses every shipped file. Parents always come before children in the result.
pub fn load() -> Result<ReferenceData, ParseError> {
    let mut units = agencies()?;
    units.extend(admin_units()?);
    let mut successions = agency_successions()?;
    successions.extend(admin_successions()?);
    Ok(ReferenceData { units, successions })
}

fn rows(
    file: &'static str,
    text: &'static str,
    columns: usize,
) -> impl Iterator<Item = Result<(usize, Vec<&'static str>), ParseError>> {
    text.lines().enumerate().skip(1).filter(|(_, l)| !l.is_empty()).map(move |(i, l)| {
        let fields: Vec<&str> = l.split('\t').collect();
        if fields.len() == columns {
            Ok((i + 1, fields))
        } else {
            Err(ParseError { file, line: i + 1, message: format!("cần {columns} cột, có {}", fields.len()) })
        }
    })
}

fn structure_dates(structure: &str) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    match structure {
        "old" => Some((None, reform_2025().pred_opt())),
        "new" => Some((Some(reform_2025()), None)),
        _ => None,
    }
}

fn admin_units() -> Result<Vec<ReferenceUnit>, ParseError> {
    const FILE: &str = "admin-units/units.tsv";
    rows(FILE, UNITS_TSV, 5)
        .map(|row| {
            let (line, f) = row?;
            let err = |message: String| ParseError { file: FILE, line, message };
            let (valid_from, valid_to) =
                structure_dates(f[0]).ok_or_else(|| err(format!("cấu trúc '{}' không hợp lệ", f[0])))?;
            let org_type = OrgType::parse(f[1]).map_err(|e| err(e.to_string()))?;
            Ok(ReferenceUnit {
                key: format!("{}:{}", f[0], f[2]),
                code: f[2].into(),
                name: f[3].into(),
                org_type,
                parent_key: (!f[4].is_empty()).then(|| format!("{}:{}", f[0], f[4])),
                valid_from,
                valid_to,
            })
        })
        .collect()
}

fn admin_successions() -> Result<Vec<ReferenceSuccession>, ParseError> {
    rows("admin-units/successions.tsv", SUCCESSIONS_TSV, 3)
        .map(|row| {
            let (_, f) = row?;
            Ok(ReferenceSuccession { old_key: format!("old:{}", f[1]), new_key: format!("new:{}", f[2]) })
        })
        .collect()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn agencies() -> Result<Vec<ReferenceUnit>, ParseError> {
    const FILE: &str = "central-agencies/agencies.tsv";
    rows(FILE, AGENCIES_TSV, 6)
        .map(|row| {
            let (line, f) = row?;
            let err = |message: String| ParseError { file: FILE, line, message };
            let date = |s: &str| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse_date(s).map(Some).ok_or_else(|| err(format!("ngày '{s}' không hợp lệ")))
                }
            };
            Ok(ReferenceUnit {
                key: format!("cq:{}", f[0]),
                code: f[0].into(),
                name: f[2].into(),
                org_type: OrgType::parse(f[1]).map_err(|e| err(e.to_string()))?,
                parent_key: None,
                valid_from: date(f[3])?,
                valid_to: date(f[4])?,
            })
        })
        .collect()
}

fn agency_successions() -> Result<Vec<ReferenceSuccession>, ParseError> {
    let mut out = Vec::new();
    for row in rows("central-agencies/agencies.tsv", AGENCIES_TSV, 6) {
        let (_, f) = row?;
        for new in f[5].split(',').filter(|s| !s.is_empty()) {
            out.push(ReferenceSuccession { old_key: format!("cq:{}", f[0]), new_key: format!("cq:{new}") });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_key_is_unique_and_every_reference_resolves() {
        let data = load().expect("shipped data parses");
        let mut keys = HashSet::new();
        for u in &data.units {
            assert!(keys.insert(u.key.as_str()), "duplicate key {}", u.key);
            if let Some(p) = &u.parent_key {
                assert!(keys.contains(p.as_str()), "{} names parent {p} before it is defined", u.key);
            }
        }
        for s in &data.successions {
            assert!(keys.contains(s.old_key.as_str()) && keys.contains(s.new_key.as_str()), "{s:?}");
        }
    }
}
