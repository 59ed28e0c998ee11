//! Org units: the hierarchy every scope, plan and report hangs on.
//!
//! The 2025 reform is data, not a special case: every unit has a validity interval and
//! successor links, so "the structure as of a date" is a query and history stays reportable.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DomainError, Result};

pub type OrgId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    Ministry,
    Agency,
    Province,
    District,
    Commune,
    Internal,
}

impl OrgType {
    pub const ALL: [OrgType; 6] =
        [OrgType::Ministry, OrgType::Agency, OrgType::Province, OrgType::District, OrgType::Commune, OrgType::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Ministry => "ministry",
            OrgType::Agency => "agency",
            OrgType::Province => "province",
            OrgType::District => "district",
            OrgType::Commune => "commune",
            OrgType::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| DomainError::invalid("type", format!("không có loại đơn vị '{s}'")))
    }

    /// Vietnamese label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            OrgType::Ministry => "Bộ, cơ quan ngang bộ",
            OrgType::Agency => "Cơ quan",
            OrgType::Province => "Tỉnh, thành phố",
            OrgType::District => "Quận, huyện (trước 01/7/2025)",
            OrgType::Commune => "Xã, phường, đặc khu",
            OrgType::Internal => "Đơn vị nội bộ",
        }
    }
}

/// An official or internal unit code: ASCII letters, digits, '.', '-' and '_', 1–40 chars.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if ok {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(DomainError::invalid(
                "code",
                "mã đơn vị chỉ gồm chữ cái không dấu, chữ số, '.', '-', '_' (tối đa 40 ký tự)",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrgUnit {
    pub id: OrgId,
    pub code: String,
    pub name: String,
    #[serde(rename = "type")]
    pub org_type: OrgType,
    pub parent_id: Option<OrgId>,
    /// Materialised path of ids from the root, e.g. `/1/45/3021/`: subtree = prefix match.
    #[serde(skip)]
    pub path: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// Whether a unit valid from `from` to `to` (open ends: always) exists on `day`.
pub fn valid_on(from: Option<NaiveDate>, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t)
}

impl OrgUnit {
    pub fn is_valid_on(&self, day: NaiveDate) -> bool {
        valid_on(self.valid_from, self.valid_to, day)
    }
    /// True when `other` is this unit or lies in its subtree.
    pub fn contains(&self, other: &OrgUnit) -> bool {
        other.path.starts_with(&self.path)
    }
    /// Ids of the ancestors, root first, excluding the unit itself.
    pub fn ancestor_ids(&self) -> Vec<OrgId> {
        let mut ids: Vec<OrgId> = self.path.split('/').filter_map(|p| p.parse().ok()).collect();
        ids.pop();
        ids
    }
    pub fn depth(&self) -> usize {
        self.ancestor_ids().len()
    }
}

/// The path of the ministry or province a unit at `path` belongs to: the root's child on the path
/// (`/1/45/3021/` → `/1/45/`; the root and its children are their own). Task lists key their
/// widest scopes by it, so a province's tasks come in deadline order from one index range.
pub fn agency_path(path: &str) -> &str {
    match path.match_indices('/').nth(2) {
        Some((i, _)) => &path[..=i],
        None => path,
    }
}

/// Filters of the org list (page and API alike).
#[derive(Debug, Clone, Default)]
pub struct OrgQuery {
    pub org_type: Option<OrgType>,
    /// Structure valid on this date; `None` means every unit ever.
    pub as_of: Option<NaiveDate>,
    /// Search text, matched without diacritics against the unit's name and code.
    pub q: Option<String>,
    pub parent_id: Option<OrgId>,
    /// Restrict to the subtree under this path (authorisation scope).
    pub within_paths: Option<Vec<String>>,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Matching rows, or a lower bound when `total_capped`.
    pub total: u64,
    /// Counting stopped at a cap (large task lists): there are more than `total` rows. Paging
    /// goes on while pages come back full.
    pub total_capped: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A unit to be created: reference data rows and admin-created units alike.
#[derive(Debug, Clone, Serialize)]
pub struct NewOrgUnit {
    pub code: OrgCode,
    pub name: String,
    pub org_type: OrgType,
    pub parent_id: Option<OrgId>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// One row of shipped reference data. Codes repeat across structures (province `15` was Yên Bái
/// and is now Lào Cai), so rows name each other by `key`, unique within the shipped files.
#[derive(Debug, Clone)]
pub struct ReferenceUnit {
    pub key: String,
    pub code: String,
    pub name: String,
    pub org_type: OrgType,
    /// Key of the parent; `None` hangs the unit under the root.
    pub parent_key: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A succession link between reference units, by key.
#[derive(Debug, Clone)]
pub struct ReferenceSuccession {
    pub old_key: String,
    pub new_key: String,
}

/// The date the 2025 reform took effect: old units end the day before.
pub fn reform_2025() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

/// Code of the root unit (Chính phủ) under which every structure hangs.
pub const ROOT_CODE: &str = "VN";

#[cfg(test)]
mod tests {
    use super::agency_path;

    #[test]
    fn the_agency_of_a_unit_is_the_roots_child_on_its_path() {
        assert_eq!(agency_path("/1/45/3021/"), "/1/45/");
        assert_eq!(agency_path("/1/45/3021/7/"), "/1/45/");
        assert_eq!(agency_path("/1/45/"), "/1/45/");
        assert_eq!(agency_path("/1/"), "/1/");
        assert_eq!(agency_path(""), "");
    }
}
