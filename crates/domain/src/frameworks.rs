//! Frameworks (khung kế hoạch) and plan templates: the national authority's groups of tasks with
//! deadlines, supporting units and targets, transcribed from the programme's own texts.
//!
//! These types are the shape of the shipped reference data (`data/frameworks/`, parsed by the
//! `refdata` crate) and of what storage keeps. A framework is identified by `code` and `version`;
//! a new version is a new framework row, so plans adopted from an old version never change.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrameworkKind {
    /// For provinces (002 Phụ lục I).
    Provincial,
    /// For ministries and central agencies (002 Phụ lục II).
    Ministry,
    /// A department's own programme (000 Phụ lục).
    Programme,
    /// A timeline of steps (001 Phụ lục).
    Timeline,
}

impl FrameworkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FrameworkKind::Provincial => "provincial",
            FrameworkKind::Ministry => "ministry",
            FrameworkKind::Programme => "programme",
            FrameworkKind::Timeline => "timeline",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Provincial, Self::Ministry, Self::Programme, Self::Timeline].into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            FrameworkKind::Provincial => "Cấp tỉnh",
            FrameworkKind::Ministry => "Cấp bộ, ngành",
            FrameworkKind::Programme => "Chương trình của đơn vị",
            FrameworkKind::Timeline => "Tiến độ thực hiện",
        }
    }
}

/// When a framework item is due, as the legal text states it.
///
/// Written in the data files as `2024-03-30`, `yearly:11-30`, `year:2024`, `month:2022-01`,
/// `years:2022-2025` or `ongoing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeadlineRule {
    /// "Thời hạn hoàn thành: 30/3/2024".
    Date { date: NaiveDate },
    /// "trước ngày 30 tháng 11 hàng năm": due every year on that day.
    Yearly { month: u32, day: u32 },
    /// "Thời hạn hoàn thành: Năm 2024": due by 31/12 of that year.
    Year { year: i32 },
    /// "Tháng 01/2022": due by the last day of that month.
    Month { year: i32, month: u32 },
    /// "2022 - 2025": carried out over those years, due by 31/12 of the last one.
    Years { from: i32, to: i32 },
    /// "Thường xuyên": no fixed date; due at the end of the plan's period.
    Ongoing,
}

impl DeadlineRule {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s == "ongoing" {
            return Some(Self::Ongoing);
        }
        if let Some(md) = s.strip_prefix("yearly:") {
            let (m, d) = md.split_once('-')?;
            let (month, day) = (m.parse().ok()?, d.parse().ok()?);
            // Checked against a leap year so that 29/02 is allowed.
            NaiveDate::from_ymd_opt(2024, month, day)?;
            return Some(Self::Yearly { month, day });
        }
        if let Some(y) = s.strip_prefix("year:") {
            return Some(Self::Year { year: y.parse().ok()? });
        }
        if let Some(ym) = s.strip_prefix("month:") {
            let (y, m) = ym.split_once('-')?;
            let (year, month) = (y.parse().ok()?, m.parse().ok()?);
            NaiveDate::from_ymd_opt(year, month, 1)?;
            return Some(Self::Month { year, month });
        }
        if let Some(range) = s.strip_prefix("years:") {
            let (a, b) = range.split_once('-')?;
            let (from, to) = (a.parse().ok()?, b.parse().ok()?);
            return (from <= to).then_some(Self::Years { from, to });
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|date| Self::Date { date })
    }

    /// The due dates this rule gives inside a plan period of whole years `from..=to`.
    /// A yearly rule gives one date per year; every other rule gives exactly one date (an
    /// undated rule falls due at the end of the period).
    pub fn due_dates(&self, from: i32, to: i32) -> Vec<NaiveDate> {
        let end_of = |y: i32| NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX);
        match *self {
            Self::Date { date } => vec![date],
            Self::Yearly { month, day } => (from..=to)
                .map(|y| {
                    NaiveDate::from_ymd_opt(y, month, day)
                        // 29/02 in a common year falls back to 28/02.
                        .or_else(|| NaiveDate::from_ymd_opt(y, month, day - 1))
                        .unwrap_or_else(|| end_of(y))
                })
                .collect(),
            Self::Year { year } => vec![end_of(year)],
            Self::Month { year, month } => {
                let next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)
                };
                vec![next.and_then(|d| d.pred_opt()).unwrap_or_else(|| end_of(year))]
            }
            Self::Years { to: last, .. } => vec![end_of(last)],
            Self::Ongoing => vec![end_of(to)],
        }
    }

    /// Vietnamese wording, e.g. "30/03/2024", "30/11 hằng năm", "năm 2024".
    pub fn label(&self) -> String {
        match *self {
            Self::Date { date } => format!("{:02}/{:02}/{}", date.day(), date.month(), date.year()),
            Self::Yearly { month, day } => format!("{day:02}/{month:02} hằng năm"),
            Self::Year { year } => format!("năm {year}"),
            Self::Month { year, month } => format!("tháng {month:02}/{year}"),
            Self::Years { from, to } => format!("{from}–{to}"),
            Self::Ongoing => "thường xuyên".to_string(),
        }
    }
}

/// A quantitative target an item states, e.g. 100 % of information systems with an approved
/// security-level dossier before 30/6/2024.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Target {
    /// What is measured, in the seed's words.
    pub description: String,
    pub value: Option<f64>,
    /// "%", "hệ thống", "người", …
    pub unit: Option<String>,
    pub by: Option<DeadlineRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrameworkItem {
    /// Storage id; 0 before the item is stored.
    pub id: i64,
    /// Numbering within the framework, e.g. "1.3" or "II.2".
    pub code: String,
    pub title: String,
    /// The full wording of the task in the seed.
    pub body: String,
    /// Where the item is in its source, e.g. "002, Phụ lục I, mục 1.a".
    pub cite: String,
    pub deadline: Option<DeadlineRule>,
    /// The deadline as the text words it ("Thời hạn hoàn thành: 30/3/2024").
    pub deadline_text: Option<String>,
    /// The national authority's supporting unit (đơn vị đầu mối hỗ trợ).
    pub support_unit: Option<String>,
    /// Lead unit (đơn vị chủ trì) where the text names one.
    pub lead_unit: Option<String>,
    /// Coordinating units (đơn vị phối hợp) where the text names them.
    pub coordinating_units: Option<String>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrameworkGroup {
    pub id: i64,
    /// "1", "I", …
    pub code: String,
    pub title: String,
    pub cite: String,
    pub support_unit: Option<String>,
    pub items: Vec<FrameworkItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Framework {
    pub id: i64,
    /// Stable code shared by all versions, e.g. "cds-tinh-2024".
    pub code: String,
    pub version: i32,
    pub title: String,
    pub kind: FrameworkKind,
    /// Issuing authority as the text names it.
    pub issuer: String,
    /// Seed file and section, e.g. "002_5e25b3b17a73c715.txt, Phụ lục I".
    pub source: String,
    /// The counts the text itself states ("36 nhiệm vụ cụ thể thuộc 12 nhóm"), when it states them.
    pub stated_groups: Option<u32>,
    pub stated_items: Option<u32>,
    pub groups: Vec<FrameworkGroup>,
}

impl Framework {
    pub fn item_count(&self) -> usize {
        self.groups.iter().map(|g| g.items.len()).sum()
    }
    pub fn items(&self) -> impl Iterator<Item = (&FrameworkGroup, &FrameworkItem)> {
        self.groups.iter().flat_map(|g| g.items.iter().map(move |i| (g, i)))
    }
}

/// A framework without its items, for lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkSummary {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub title: String,
    pub kind: FrameworkKind,
    pub issuer: String,
    pub source: String,
    pub groups: Vec<GroupCount>,
    pub item_count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCount {
    pub code: String,
    pub title: String,
    pub item_count: u64,
}

/// One section of a plan template, in the order the source gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TemplateSection {
    /// Numbering as in the source ("I", "II.1", "1").
    pub number: String,
    pub title: String,
    /// 1 for top-level sections; a plan gets one editable section per top-level entry.
    pub level: u8,
    /// What the source says to write there, if anything.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanTemplate {
    /// Stable code, e.g. "ke-hoach-cds-tinh".
    pub code: String,
    pub title: String,
    pub source: String,
    pub sections: Vec<TemplateSection>,
}

impl PlanTemplate {
    pub fn top_sections(&self) -> impl Iterator<Item = &TemplateSection> {
        self.sections.iter().filter(|s| s.level == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadline_rules_parse_and_resolve() {
        assert_eq!(DeadlineRule::parse("2024-03-30").unwrap().due_dates(2024, 2024), vec![d(2024, 3, 30)]);
        assert_eq!(
            DeadlineRule::parse("yearly:11-30").unwrap().due_dates(2024, 2025),
            vec![d(2024, 11, 30), d(2025, 11, 30)]
        );
        assert_eq!(DeadlineRule::parse("year:2024").unwrap().due_dates(2021, 2025), vec![d(2024, 12, 31)]);
        assert_eq!(DeadlineRule::parse("month:2022-02").unwrap().due_dates(2022, 2022), vec![d(2022, 2, 28)]);
        assert_eq!(DeadlineRule::parse("years:2022-2025").unwrap().due_dates(2021, 2025), vec![d(2025, 12, 31)]);
        assert_eq!(DeadlineRule::parse("ongoing").unwrap().due_dates(2021, 2025), vec![d(2025, 12, 31)]);
        assert_eq!(DeadlineRule::parse("yearly:02-29").unwrap().due_dates(2025, 2025), vec![d(2025, 2, 28)]);
        for bad in ["", "30/3/2024", "yearly:13-01", "years:2025-2022", "month:2022-13"] {
            assert_eq!(DeadlineRule::parse(bad), None, "{bad}");
        }
        assert_eq!(DeadlineRule::Yearly { month: 11, day: 30 }.label(), "30/11 hằng năm");
    }
}
