//! Indicators (chỉ tiêu): definitions, DHIS2 periods, value entry, aggregation up the org
//! hierarchy, formulas over other indicators, validation rules, and how values recorded for units
//! dissolved in a restructuring count towards the units that succeeded them.
//!
//! Pure rules over values: no storage, no HTTP, no clock. The shipped definitions and rules
//! ([`shipped_indicators`], [`shipped_rules`]) cite the seed texts they come from.
//!
//! Numbers are typed the Vietnamese way (`1.234,5`) or plainly (`1234.5`); DHIS2 files always use
//! the plain form ([`parse_dhis2_value`]).

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use crate::org::OrgId;
use crate::users::UserId;
use crate::{DomainError, Result};

// ---------------------------------------------------------------------------------------------
// Codes, units, value types, periods types, aggregation rules
// ---------------------------------------------------------------------------------------------

/// An indicator's code, e.g. `CHI_CNTT`: upper-case ASCII letters, digits, `_` and `.`,
/// 2–40 characters, starting with a letter. It is the DHIS2 `dataElement` and the name formulas
/// use (`#{CHI_CNTT}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct IndicatorCode(String);

impl IndicatorCode {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        let ok = (2..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '_' | '.'));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::invalid(
                "code",
                format!(
                    "mã chỉ tiêu '{s}' không hợp lệ: mã gồm 2–40 ký tự, bắt đầu bằng chữ cái in hoa không dấu, \
                     chỉ có chữ in hoa không dấu, chữ số, '_' và '.'"
                ),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IndicatorCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<IndicatorCode> for String {
    fn from(c: IndicatorCode) -> String {
        c.0
    }
}

impl fmt::Display for IndicatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an indicator's value is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Count,
    Vnd,
    /// Triệu đồng: budgets and project totals in the seeds' tables ("ĐVT: triệu đồng").
    MillionVnd,
    YesNo,
    Text,
}

impl Unit {
    pub const ALL: [Unit; 6] = [Unit::Percent, Unit::Count, Unit::Vnd, Unit::MillionVnd, Unit::YesNo, Unit::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Count => "count",
            Unit::Vnd => "vnd",
            Unit::MillionVnd => "million_vnd",
            Unit::YesNo => "yes_no",
            Unit::Text => "text",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("unit", format!("không có đơn vị tính '{s}'")))
    }
    /// Đơn vị tính, as a table header shows it.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Count => "số lượng",
            Unit::Vnd => "đồng",
            Unit::MillionVnd => "triệu đồng",
            Unit::YesNo => "có/không",
            Unit::Text => "văn bản",
        }
    }
}

/// How a value is typed in and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Number,
    Integer,
    /// A number of percent: `12,5` means 12,5 %.
    Percent,
    YesNo,
    Text,
}

impl ValueType {
    pub const ALL: [ValueType; 5] =
        [ValueType::Number, ValueType::Integer, ValueType::Percent, ValueType::YesNo, ValueType::Text];

    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Number => "number",
            ValueType::Integer => "integer",
            ValueType::Percent => "percent",
            ValueType::YesNo => "yes_no",
            ValueType::Text => "text",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("value_type", format!("không có kiểu giá trị '{s}'")))
    }
    pub fn label(self) -> &'static str {
        match self {
            ValueType::Number => "Số",
            ValueType::Integer => "Số nguyên",
            ValueType::Percent => "Tỷ lệ phần trăm",
            ValueType::YesNo => "Có/Không",
            ValueType::Text => "Văn bản",
        }
    }
    /// True when values of this type can be added up, compared and used in formulas
    /// (yes counts as 1, no as 0).
    pub fn is_numeric(self) -> bool {
        self != ValueType::Text
    }
}

/// How often values are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodType {
    Monthly,
    Quarterly,
    SixMonthly,
    Yearly,
}

impl PeriodType {
    pub const ALL: [PeriodType; 4] =
        [PeriodType::Monthly, PeriodType::Quarterly, PeriodType::SixMonthly, PeriodType::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Monthly => "monthly",
            PeriodType::Quarterly => "quarterly",
            PeriodType::SixMonthly => "six_monthly",
            PeriodType::Yearly => "yearly",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("period_type", format!("không có loại kỳ báo cáo '{s}'")))
    }
    pub fn label(self) -> &'static str {
        match self {
            PeriodType::Monthly => "Tháng",
            PeriodType::Quarterly => "Quý",
            PeriodType::SixMonthly => "6 tháng",
            PeriodType::Yearly => "Năm",
        }
    }
    /// Months in one period of this type.
    pub fn months(self) -> u32 {
        match self {
            PeriodType::Monthly => 1,
            PeriodType::Quarterly => 3,
            PeriodType::SixMonthly => 6,
            PeriodType::Yearly => 12,
        }
    }
    /// Periods of this type in a year.
    fn per_year(self) -> u32 {
        12 / self.months()
    }
}

/// How values of several org units (or several periods) combine into one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AggregationRule {
    Sum,
    /// The mean of the units' values.
    Average,
    Min,
    Max,
    /// Σ numerator / Σ denominator × factor, from the values of two other indicators — never the
    /// mean of the units' own ratios. `factor` is 100 for a percent; none means 1.
    RatioOfSums {
        numerator: IndicatorCode,
        denominator: IndicatorCode,
        factor: Option<f64>,
    },
    /// Σ(value × weight) / Σ weight, the weight being another indicator's value.
    WeightedAverage {
        weight: IndicatorCode,
    },
}

impl AggregationRule {
    pub fn as_str(&self) -> &'static str {
        match self {
            AggregationRule::Sum => "sum",
            AggregationRule::Average => "average",
            AggregationRule::Min => "min",
            AggregationRule::Max => "max",
            AggregationRule::RatioOfSums { .. } => "ratio_of_sums",
            AggregationRule::WeightedAverage { .. } => "weighted_average",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            AggregationRule::Sum => "Cộng tổng",
            AggregationRule::Average => "Trung bình cộng",
            AggregationRule::Min => "Giá trị nhỏ nhất",
            AggregationRule::Max => "Giá trị lớn nhất",
            AggregationRule::RatioOfSums { .. } => "Tỷ lệ của tổng tử số trên tổng mẫu số",
            AggregationRule::WeightedAverage { .. } => "Bình quân gia quyền",
        }
    }
    /// Only sums can be split between the successors of a divided unit in proportion.
    pub fn is_additive(&self) -> bool {
        *self == AggregationRule::Sum
    }
    /// The other indicators this rule reads.
    pub fn inputs(&self) -> Vec<&IndicatorCode> {
        match self {
            AggregationRule::RatioOfSums { numerator, denominator, .. } => vec![numerator, denominator],
            AggregationRule::WeightedAverage { weight } => vec![weight],
            _ => Vec::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Definitions, targets, data values
// ---------------------------------------------------------------------------------------------

/// An indicator's definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub name: String,
    pub description: String,
    pub unit: Unit,
    pub value_type: ValueType,
    pub aggregation: AggregationRule,
    pub period_type: PeriodType,
    /// Computed from other indicators instead of typed in.
    pub formula: Option<Formula>,
    /// The range values usually fall in: a value outside it is flagged for a second look, not
    /// refused.
    pub expected_min: Option<f64>,
    pub expected_max: Option<f64>,
    /// Where the indicator comes from, e.g. "003_…, Phụ lục I, Phần I, mục VI (dòng 150)".
    pub cite: Option<String>,
}

impl Indicator {
    /// Checks the definition on its own (references to other indicators are checked by the
    /// caller that knows them, with [`find_cycle`]).
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "chưa nhập tên chỉ tiêu"));
        }
        if let (Some(min), Some(max)) = (self.expected_min, self.expected_max)
            && min > max
        {
            return Err(DomainError::invalid(
                "expected_max",
                format!("giới hạn trên ({}) nhỏ hơn giới hạn dưới ({})", format_number(max), format_number(min)),
            ));
        }
        if self.value_type == ValueType::Text && (self.formula.is_some() || !self.aggregation.inputs().is_empty()) {
            return Err(DomainError::invalid("formula", "chỉ tiêu dạng văn bản không tính theo công thức hay tỷ lệ"));
        }
        if self.aggregation.inputs().contains(&&self.code) {
            return Err(DomainError::invalid(
                "aggregation",
                "chỉ tiêu không thể lấy chính nó làm tử số, mẫu số hay trọng số",
            ));
        }
        if let AggregationRule::RatioOfSums { numerator, denominator, factor } = &self.aggregation {
            if numerator == denominator {
                return Err(DomainError::invalid("aggregation", "tử số và mẫu số phải là hai chỉ tiêu khác nhau"));
            }
            if factor.is_some_and(|f| !f.is_finite() || f <= 0.0) {
                return Err(DomainError::invalid("aggregation", "hệ số nhân phải là số dương"));
            }
        }
        if self.formula.as_ref().is_some_and(|f| f.references().contains(&self.code)) {
            return Err(DomainError::invalid("formula", "công thức không được tham chiếu chính chỉ tiêu này"));
        }
        Ok(())
    }

    /// A value typed in for `period`: parsed by the value type, with a warning when it falls
    /// outside the expected range. Values of formula indicators are computed, never typed in.
    pub fn check_entry(&self, period: &Period, raw: &str) -> Result<(Value, Option<RangeFlag>)> {
        self.accepts_entry(period)?;
        let value = parse_value(self.value_type, raw)?;
        let flag = self.range_flag(&value);
        Ok((value, flag))
    }

    /// Values may be typed in (or imported) for `period`: the indicator is not computed by a
    /// formula and reports for periods of that type.
    pub fn accepts_entry(&self, period: &Period) -> Result<()> {
        if crate::registries::SystemFigure::of_indicator(self.code.as_str()).is_some() {
            return Err(DomainError::invalid(
                "indicator",
                format!("{} {}", self.code, crate::registries::REGISTRY_DERIVED),
            ));
        }
        if self.formula.is_some() {
            return Err(DomainError::invalid(
                "indicator",
                format!("chỉ tiêu {} được tính theo công thức, không nhập trực tiếp", self.code),
            ));
        }
        if period.period_type() != self.period_type {
            return Err(DomainError::invalid(
                "period",
                format!(
                    "chỉ tiêu {} báo cáo theo kỳ {}, không nhập cho {}",
                    self.code,
                    self.period_type.label().to_lowercase(),
                    period.label()
                ),
            ));
        }
        Ok(())
    }

    /// The warning for a value outside the expected range, if it is.
    pub fn range_flag(&self, value: &Value) -> Option<RangeFlag> {
        let v = value.as_number()?;
        match (self.expected_min, self.expected_max) {
            (Some(min), _) if v < min => Some(RangeFlag::Below { value: v, min }),
            (_, Some(max)) if v > max => Some(RangeFlag::Above { value: v, max }),
            _ => None,
        }
    }
}

/// A value outside an indicator's expected range: shown as a warning, saved anyway.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RangeFlag {
    Below { value: f64, min: f64 },
    Above { value: f64, max: f64 },
}

impl RangeFlag {
    pub fn message(&self) -> String {
        match *self {
            RangeFlag::Below { value, min } => format!(
                "Giá trị {} nhỏ hơn mức dự kiến tối thiểu {}; đề nghị kiểm tra lại.",
                format_number(value),
                format_number(min)
            ),
            RangeFlag::Above { value, max } => format!(
                "Giá trị {} lớn hơn mức dự kiến tối đa {}; đề nghị kiểm tra lại.",
                format_number(value),
                format_number(max)
            ),
        }
    }
}

/// The target (chỉ tiêu kế hoạch) set for an org unit and a period. The period may be coarser
/// than the indicator's (a yearly target for a monthly indicator), never finer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorTarget {
    pub indicator: IndicatorCode,
    pub org_id: OrgId,
    pub period: Period,
    pub value: f64,
    pub note: Option<String>,
}

impl IndicatorTarget {
    pub fn validate(&self, indicator: &Indicator) -> Result<()> {
        if !self.value.is_finite() {
            return Err(DomainError::invalid("value", "chỉ tiêu kế hoạch phải là một số"));
        }
        if !indicator.value_type.is_numeric() {
            return Err(DomainError::invalid("indicator", "chỉ tiêu dạng văn bản không đặt mục tiêu bằng số"));
        }
        if self.period.period_type().months() < indicator.period_type.months() {
            return Err(DomainError::invalid(
                "period",
                format!(
                    "chỉ tiêu báo cáo theo kỳ {}, mục tiêu phải đặt cho kỳ đó hoặc kỳ dài hơn",
                    indicator.period_type.label().to_lowercase()
                ),
            ));
        }
        Ok(())
    }
}

/// One number (or answer, or text) recorded: indicator × org unit × period → value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DataValue {
    pub indicator: IndicatorCode,
    pub org_id: OrgId,
    pub period: Period,
    pub value: Value,
    pub comment: Option<String>,
    pub stored_by: UserId,
    pub stored_at: DateTime<Utc>,
}

/// A recorded value. JSON carries it as a number, a boolean or a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    YesNo(bool),
    Text(String),
}

impl Value {
    /// The value in sums and formulas: yes counts 1, no 0, text nothing.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(x) => Some(*x),
            Value::YesNo(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Text(_) => None,
        }
    }
    /// As a Vietnamese reader expects it: `1.234,5`, `Có`, the text itself.
    pub fn label(&self) -> String {
        match self {
            Value::Number(x) => format_number(*x),
            Value::YesNo(b) => if *b { "Có" } else { "Không" }.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
    /// The DHIS2 form: plain decimal, `true`/`false`, the text.
    pub fn to_dhis2(&self) -> String {
        match self {
            Value::Number(x) => x.to_string(),
            Value::YesNo(b) => b.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Periods (DHIS2 ISO period strings)
// ---------------------------------------------------------------------------------------------

/// A reporting period, written as DHIS2 writes it: `2024` (year), `2024S1`/`2024S2`
/// (six months), `2024Q1`…`2024Q4` (quarter), `202401`…`202412` (month). Serialised as that
/// string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    period_type: PeriodType,
    year: i32,
    /// 1-based month, quarter or half; 1 for a year.
    index: u32,
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    pub fn new(period_type: PeriodType, year: i32, index: u32) -> Result<Self> {
        if !(2000..=2100).contains(&year) || !(1..=period_type.per_year()).contains(&index) {
            return Err(DomainError::invalid("period", "kỳ báo cáo không hợp lệ"));
        }
        Ok(Self { period_type, year, index })
    }

    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            DomainError::invalid(
                "period",
                format!(
                    "kỳ '{}' không đúng định dạng: ghi năm (2024), 6 tháng (2024S1, 2024S2), \
                     quý (2024Q1 … 2024Q4) hoặc tháng (202401 … 202412)",
                    s.trim()
                ),
            )
        };
        let t = s.trim().to_ascii_uppercase();
        if !t.is_ascii() || t.len() < 4 {
            return Err(bad());
        }
        let (y, rest) = t.split_at(4);
        let year: i32 = y.parse().map_err(|_| bad())?;
        let digits = |d: &str| d.parse::<u32>().ok().filter(|_| d.chars().all(|c| c.is_ascii_digit()));
        let (period_type, index) = match rest.as_bytes() {
            [] => (PeriodType::Yearly, Some(1)),
            [b'S', ..] => (PeriodType::SixMonthly, digits(&rest[1..]).filter(|_| rest.len() == 2)),
            [b'Q', ..] => (PeriodType::Quarterly, digits(&rest[1..]).filter(|_| rest.len() == 2)),
            _ => (PeriodType::Monthly, digits(rest).filter(|_| rest.len() == 2)),
        };
        Self::new(period_type, year, index.ok_or_else(bad)?).map_err(|_| bad())
    }

    /// The period of `period_type` that holds `day`.
    pub fn of(period_type: PeriodType, day: NaiveDate) -> Self {
        let index = (day.month() - 1) / period_type.months() + 1;
        Self { period_type, year: day.year(), index }
    }

    pub fn period_type(&self) -> PeriodType {
        self.period_type
    }
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The DHIS2 string: `2024`, `2024S1`, `2024Q3`, `202407`.
    pub fn code(&self) -> String {
        match self.period_type {
            PeriodType::Yearly => format!("{}", self.year),
            PeriodType::SixMonthly => format!("{}S{}", self.year, self.index),
            PeriodType::Quarterly => format!("{}Q{}", self.year, self.index),
            PeriodType::Monthly => format!("{}{:02}", self.year, self.index),
        }
    }

    /// "Tháng 01/2024", "Quý I/2024", "6 tháng đầu năm 2024", "6 tháng cuối năm 2024", "Năm 2024".
    pub fn label(&self) -> String {
        let y = self.year;
        match self.period_type {
            PeriodType::Monthly => format!("Tháng {:02}/{y}", self.index),
            PeriodType::Quarterly => format!("Quý {}/{y}", ROMAN.get(self.index as usize - 1).copied().unwrap_or("?")),
            PeriodType::SixMonthly if self.index == 1 => format!("6 tháng đầu năm {y}"),
            PeriodType::SixMonthly => format!("6 tháng cuối năm {y}"),
            PeriodType::Yearly => format!("Năm {y}"),
        }
    }

    fn first_month(&self) -> u32 {
        (self.index - 1) * self.period_type.months() + 1
    }

    pub fn start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.first_month(), 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn end(&self) -> NaiveDate {
        self.start()
            .checked_add_months(Months::new(self.period_type.months()))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    /// True when `other` lies wholly inside this period (a period contains itself).
    pub fn contains(&self, other: &Period) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    /// The periods of `period_type` inside this one, in order; empty when that type is longer.
    pub fn periods_inside(&self, period_type: PeriodType) -> Vec<Period> {
        if period_type.months() > self.period_type.months() {
            return Vec::new();
        }
        let first = (self.first_month() - 1) / period_type.months() + 1;
        let count = self.period_type.months() / period_type.months();
        (first..first + count).map(|index| Period { period_type, year: self.year, index }).collect()
    }

    /// The months inside this period.
    pub fn months(&self) -> Vec<Period> {
        self.periods_inside(PeriodType::Monthly)
    }

    /// The period `n` periods after this one (before it for a negative `n`), of the same type;
    /// `None` outside the years a period may have.
    pub fn step(&self, n: i32) -> Option<Period> {
        let per_year = self.period_type.per_year() as i32;
        let k = self.year * per_year + (self.index as i32 - 1) + n;
        Period::new(self.period_type, k.div_euclid(per_year), k.rem_euclid(per_year) as u32 + 1).ok()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl TryFrom<String> for Period {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.code()
    }
}

fn string_schema(description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).description(Some(description)).examples([example]).into()
}

impl utoipa::PartialSchema for Period {
    fn schema() -> RefOr<Schema> {
        string_schema("Kỳ báo cáo theo DHIS2: 2024, 2024S1, 2024Q3, 202407", "2024Q3")
    }
}
impl ToSchema for Period {}

// ---------------------------------------------------------------------------------------------
// Numbers and values
// ---------------------------------------------------------------------------------------------

/// Reads a number typed the Vietnamese way (`1.234,5`, `-0,5`, `1 234,5`) or plainly
/// (`1234.5`). Dots followed by groups of exactly three digits are thousands separators, so
/// `1.234` is one thousand two hundred and thirty-four (write `1,234` for the decimal); a
/// comma is always the decimal mark. `None` for anything else.
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let (negative, body) = match t.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    // "1.234.567": first group 1–3 digits not starting with 0, then groups of three.
    let grouped = |p: &str| {
        let mut groups = p.split('.');
        let first = groups.next().unwrap_or_default();
        p.contains('.')
            && (1..=3).contains(&first.len())
            && all_digits(first)
            && !first.starts_with('0')
            && groups.all(|g| g.len() == 3 && all_digits(g))
    };
    let plain = match body.split_once(',') {
        Some((int, frac)) => {
            if !all_digits(frac) || !(all_digits(int) || grouped(int)) {
                return None;
            }
            format!("{}.{frac}", int.replace('.', ""))
        }
        None if grouped(body) => body.replace('.', ""),
        None => match body.split_once('.') {
            Some((int, frac)) if all_digits(int) && all_digits(frac) => body.to_string(),
            Some(_) => return None,
            None => body.to_string(),
        },
    };
    let x: f64 = plain.parse().ok()?;
    let x = if negative { -x } else { x };
    x.is_finite().then_some(x)
}

/// A number as Vietnamese writes it: thousands with `.`, decimals with `,`, at most two
/// decimals and no trailing zeros: `1.234,5`, `10`, `0,55`.
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let fixed = format!("{:.2}", x.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(fixed.len() + int.len() / 3 + 1);
    if x < 0.0 && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// Longest text value accepted (as DHIS2's TEXT type).
pub const MAX_TEXT_VALUE: usize = 50_000;

/// A value typed in a form or a Vietnamese spreadsheet. Numbers as [`parse_number`]; a percent
/// may end with `%` (`12,5 %`); yes/no as `có`/`không`, `true`/`false`, `1`/`0`.
pub fn parse_value(value_type: ValueType, raw: &str) -> Result<Value> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(DomainError::invalid("value", "chưa nhập giá trị"));
    }
    let not_a_number =
        || DomainError::invalid("value", format!("'{s}' không phải là số; ghi số theo dạng 1.234,5 (hoặc 1234.5)"));
    match value_type {
        ValueType::Number => parse_number(s).map(Value::Number).ok_or_else(not_a_number),
        ValueType::Integer => {
            let x = parse_number(s).ok_or_else(not_a_number)?;
            if x.fract() != 0.0 {
                return Err(DomainError::invalid("value", format!("'{s}' không phải là số nguyên")));
            }
            Ok(Value::Number(x))
        }
        ValueType::Percent => {
            let number = s.strip_suffix('%').unwrap_or(s);
            parse_number(number).map(Value::Number).ok_or_else(|| {
                DomainError::invalid("value", format!("'{s}' không phải là tỷ lệ phần trăm; ghi dạng 12,5 hoặc 12,5 %"))
            })
        }
        ValueType::YesNo => match textvi::fold(s).as_str() {
            "co" | "true" | "1" => Ok(Value::YesNo(true)),
            "khong" | "false" | "0" => Ok(Value::YesNo(false)),
            _ => Err(DomainError::invalid("value", format!("'{s}' không phải là Có/Không; ghi 'có' hoặc 'không'"))),
        },
        ValueType::Text => text_value(s),
    }
}

fn text_value(s: &str) -> Result<Value> {
    if s.chars().count() > MAX_TEXT_VALUE {
        return Err(DomainError::invalid(
            "value",
            format!("nội dung dài quá {} ký tự", format_number(MAX_TEXT_VALUE as f64)),
        ));
    }
    Ok(Value::Text(textvi::nfc(s)))
}

/// A value from a DHIS2 file: plain decimals (`1234.5`), `true`/`false`.
pub fn parse_dhis2_value(value_type: ValueType, raw: &str) -> Result<Value> {
    let s = raw.trim();
    let number = || {
        s.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| DomainError::invalid("value", format!("'{s}' không phải là số (DHIS2 ghi dạng 1234.5)")))
    };
    match value_type {
        ValueType::Number | ValueType::Percent => number().map(Value::Number),
        ValueType::Integer => {
            let x = number()?;
            if x.fract() != 0.0 {
                return Err(DomainError::invalid("value", format!("'{s}' không phải là số nguyên")));
            }
            Ok(Value::Number(x))
        }
        ValueType::YesNo => match s {
            "true" => Ok(Value::YesNo(true)),
            "false" => Ok(Value::YesNo(false)),
            _ => Err(DomainError::invalid("value", format!("'{s}' không phải là true/false"))),
        },
        ValueType::Text if s.is_empty() => Err(DomainError::invalid("value", "chưa có giá trị")),
        ValueType::Text => text_value(s),
    }
}

/// One row of a DHIS2 data value set (JSON `dataValues`, or the CSV columns of the same names).
/// Codes, not ids: `data_element` is the indicator code, `org_unit` the unit's code.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dhis2DataValue {
    pub data_element: String,
    pub period: String,
    pub org_unit: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// DHIS2's disaggregation. dxgov keeps one value per indicator, unit and period: only
    /// DHIS2's default combination (empty, `default` or `HllvX50cXC0`) is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_option_combo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_option_combo: Option<String>,
    /// Who stored the value (username) and when (RFC 3339): written by exports, ignored by
    /// imports (the importing user and the time of import are recorded instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
}

/// The identifier DHIS2 gives its default category option combination.
pub const DHIS2_DEFAULT_COMBO: &str = "HllvX50cXC0";

impl Dhis2DataValue {
    /// The category and attribute option combinations name DHIS2's default (or nothing): the
    /// only disaggregation dxgov stores. Otherwise the offending field and its text.
    pub fn non_default_combo(&self) -> Option<(&'static str, &str)> {
        let is_default = |c: &Option<String>| {
            c.as_deref().map(str::trim).is_none_or(|c| c.is_empty() || c == "default" || c == DHIS2_DEFAULT_COMBO)
        };
        if !is_default(&self.category_option_combo) {
            return Some(("categoryOptionCombo", self.category_option_combo.as_deref().unwrap_or_default()));
        }
        if !is_default(&self.attribute_option_combo) {
            return Some(("attributeOptionCombo", self.attribute_option_combo.as_deref().unwrap_or_default()));
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------

/// What one org unit (or one period) brings to an aggregate: its own value, and for ratios and
/// weighted averages the values of the indicators the rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub weight: Option<f64>,
}

impl Contribution {
    pub fn value(v: f64) -> Self {
        Self { value: Some(v), ..Self::default() }
    }
    pub fn ratio(numerator: f64, denominator: f64) -> Self {
        Self { numerator: Some(numerator), denominator: Some(denominator), ..Self::default() }
    }
    pub fn weighted(value: f64, weight: f64) -> Self {
        Self { value: Some(value), weight: Some(weight), ..Self::default() }
    }
}

/// Combines the inputs of several org units (or periods) by `rule`. Missing values are left out
/// (a ratio needs both numerator and denominator of a unit, a weighted average both value and
/// weight); nothing to combine gives `None`, and so does a zero denominator or total weight.
pub fn aggregate(rule: &AggregationRule, inputs: &[Contribution]) -> Option<f64> {
    inputs.iter().map(Tally::of).sum::<Tally>().result(rule)
}

/// Many inputs summed so that they still combine by any rule: what [`aggregate`] keeps of its
/// inputs, kept for a unit's year of figures at once. Storage sums each unit's recorded values
/// into one tally, so a national roll-up reads one row per unit instead of one per value; tallies
/// add up ([`std::iter::Sum`]) and share between successors like single inputs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    /// Inputs (a unit's figures of one period) counted.
    pub inputs: u64,
    /// Own values (finite ones): how many, their sum, the least and the greatest.
    pub values: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Inputs with both numerator and denominator: how many, and the sum of each.
    pub pairs: u64,
    pub numerator: f64,
    pub denominator: f64,
    /// Inputs with both value and weight: Σ value × weight and Σ weight.
    pub weighted: f64,
    pub weight: f64,
}

impl Tally {
    /// One input.
    pub fn of(c: &Contribution) -> Self {
        let value = c.value.filter(|v| v.is_finite());
        let pair = c.numerator.zip(c.denominator);
        let weighted = c.value.zip(c.weight);
        Tally {
            inputs: 1,
            values: u64::from(value.is_some()),
            sum: value.unwrap_or(0.0),
            min: value,
            max: value,
            pairs: u64::from(pair.is_some()),
            numerator: pair.map_or(0.0, |p| p.0),
            denominator: pair.map_or(0.0, |p| p.1),
            weighted: weighted.map_or(0.0, |(v, w)| v * w),
            weight: weighted.map_or(0.0, |(_, w)| w),
        }
    }

    /// The figure `rule` makes of the inputs; `None` as [`aggregate`] says.
    pub fn result(&self, rule: &AggregationRule) -> Option<f64> {
        let result = match rule {
            AggregationRule::Sum => (self.values > 0).then_some(self.sum),
            AggregationRule::Average => (self.values > 0).then(|| self.sum / self.values as f64),
            AggregationRule::Min => self.min,
            AggregationRule::Max => self.max,
            AggregationRule::RatioOfSums { factor, .. } => (self.pairs > 0 && self.denominator != 0.0)
                .then(|| self.numerator / self.denominator * factor.unwrap_or(1.0)),
            AggregationRule::WeightedAverage { .. } => (self.weight != 0.0).then(|| self.weighted / self.weight),
        };
        result.filter(|x| x.is_finite())
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(x), Some(y)) => Some(f(x, y)),
            (x, y) => x.or(y),
        };
        self.inputs += o.inputs;
        self.values += o.values;
        self.sum += o.sum;
        self.min = pick(self.min, o.min, f64::min);
        self.max = pick(self.max, o.max, f64::max);
        self.pairs += o.pairs;
        self.numerator += o.numerator;
        self.denominator += o.denominator;
        self.weighted += o.weighted;
        self.weight += o.weight;
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        iter.fold(Tally::default(), |mut acc, t| {
            acc += t;
            acc
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------------------------

/// A formula over other indicators, e.g. `#{CHI_ATTT} / #{CHI_CNTT} * 100`: numbers
/// (Vietnamese or plain decimals), `+ - * /`, parentheses, unary minus and references
/// `#{CODE}`. Serialised as its source text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Formula {
    source: String,
    expr: Expr,
}

/// The parsed form of a [`Formula`].
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Ref(IndicatorCode),
    Neg(Box<Expr>),
    Binary { op: BinOp, left: Box<Expr>, right: Box<Expr> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Longest formula accepted, and deepest nesting: enough for any real indicator, small enough
/// that parsing and evaluating cannot exhaust the stack.
const MAX_FORMULA_CHARS: usize = 1000;
const MAX_FORMULA_DEPTH: usize = 40;

impl Formula {
    pub fn parse(s: &str) -> Result<Self> {
        let source = s.trim();
        if source.is_empty() {
            return Err(DomainError::invalid("formula", "công thức trống"));
        }
        if source.chars().count() > MAX_FORMULA_CHARS {
            return Err(DomainError::invalid("formula", format!("công thức dài quá {MAX_FORMULA_CHARS} ký tự")));
        }
        let tokens = tokenize(source)?;
        let mut parser = Parser { tokens: &tokens, at: 0, end: source.chars().count() + 1 };
        let expr = parser.expr(0)?;
        if let Some((pos, tok)) = parser.tokens.get(parser.at) {
            let what =
                if *tok == Token::RParen { "thừa dấu ')'".to_string() } else { format!("thừa '{}'", tok.text()) };
            return Err(formula_error(*pos, what));
        }
        Ok(Self { source: source.to_string(), expr })
    }

    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The indicators the formula reads, each once, in the order they first appear.
    pub fn references(&self) -> Vec<IndicatorCode> {
        self.refs().into_iter().cloned().collect()
    }

    fn refs(&self) -> Vec<&IndicatorCode> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a IndicatorCode>) {
            match e {
                Expr::Number(_) => {}
                Expr::Ref(c) => {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                Expr::Neg(inner) => walk(inner, out),
                Expr::Binary { left, right, .. } => {
                    walk(left, out);
                    walk(right, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// The value, reading other indicators through `lookup`. `None` when a reference has no
    /// value or a division by zero occurs.
    pub fn eval(&self, lookup: impl Fn(&IndicatorCode) -> Option<f64>) -> Option<f64> {
        fn go(e: &Expr, lookup: &dyn Fn(&IndicatorCode) -> Option<f64>) -> Option<f64> {
            let x = match e {
                Expr::Number(x) => *x,
                Expr::Ref(c) => lookup(c)?,
                Expr::Neg(inner) => -go(inner, lookup)?,
                Expr::Binary { op, left, right } => {
                    let (a, b) = (go(left, lookup)?, go(right, lookup)?);
                    match op {
                        BinOp::Add => a + b,
                        BinOp::Sub => a - b,
                        BinOp::Mul => a * b,
                        BinOp::Div if b == 0.0 => return None,
                        BinOp::Div => a / b,
                    }
                }
            };
            x.is_finite().then_some(x)
        }
        go(&self.expr, &lookup)
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl TryFrom<String> for Formula {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<Formula> for String {
    fn from(f: Formula) -> String {
        f.source
    }
}

impl utoipa::PartialSchema for Formula {
    fn schema() -> RefOr<Schema> {
        string_schema("Công thức: số, + - * /, ngoặc đơn và mã chỉ tiêu dạng #{MA}", "#{CHI_ATTT} / #{CHI_CNTT} * 100")
    }
}
impl ToSchema for Formula {}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64, String),
    Ref(IndicatorCode),
    Op(BinOp),
    LParen,
    RParen,
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Num(_, s) => s.clone(),
            Token::Ref(c) => format!("#{{{c}}}"),
            Token::Op(BinOp::Add) => "+".into(),
            Token::Op(BinOp::Sub) => "-".into(),
            Token::Op(BinOp::Mul) => "*".into(),
            Token::Op(BinOp::Div) => "/".into(),
            Token::LParen => "(".into(),
            Token::RParen => ")".into(),
        }
    }
}

/// `pos` is the 1-based character position in the formula.
fn formula_error(pos: usize, message: impl fmt::Display) -> DomainError {
    DomainError::invalid("formula", format!("vị trí {pos}: {message}"))
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token)>> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let pos = i + 1;
        match c {
            c if c.is_whitespace() => i += 1,
            '+' | '-' | '\u{2212}' | '*' | '×' | '/' | ':' => {
                let op = match c {
                    '+' => BinOp::Add,
                    '*' | '×' => BinOp::Mul,
                    '/' | ':' => BinOp::Div,
                    _ => BinOp::Sub,
                };
                tokens.push((pos, Token::Op(op)));
                i += 1;
            }
            '(' => {
                tokens.push((pos, Token::LParen));
                i += 1;
            }
            ')' => {
                tokens.push((pos, Token::RParen));
                i += 1;
            }
            '#' => {
                if chars.get(i + 1) != Some(&'{') {
                    return Err(formula_error(pos, "sau '#' phải là '{' và mã chỉ tiêu, ví dụ #{CHI_CNTT}"));
                }
                let close = chars[i + 2..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or_else(|| formula_error(pos, "thiếu dấu '}' đóng mã chỉ tiêu"))?;
                let inner: String = chars[i + 2..i + 2 + close].iter().collect();
                let code = IndicatorCode::parse(&inner)
                    .map_err(|_| formula_error(pos + 2, format!("mã chỉ tiêu '{}' không hợp lệ", inner.trim())))?;
                tokens.push((pos, Token::Ref(code)));
                i += close + 3;
            }
            c if c.is_ascii_digit() => {
                let len = chars[i..].iter().take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',')).count();
                let text: String = chars[i..i + len].iter().collect();
                let x = parse_number(&text).ok_or_else(|| formula_error(pos, format!("số '{text}' không hợp lệ")))?;
                tokens.push((pos, Token::Num(x, text)));
                i += len;
            }
            c => return Err(formula_error(pos, format!("ký tự '{c}' không dùng được trong công thức"))),
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [(usize, Token)],
    at: usize,
    /// Position just after the last character, for "ended too early".
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }
    fn pos(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(p, _)| *p)
    }
    fn deeper(&self, depth: usize) -> Result<usize> {
        if depth >= MAX_FORMULA_DEPTH {
            return Err(formula_error(self.pos(), "công thức lồng nhau quá sâu"));
        }
        Ok(depth + 1)
    }

    fn expr(&mut self, depth: usize) -> Result<Expr> {
        let depth = self.deeper(depth)?;
        let mut left = self.term(depth)?;
        while let Some(Token::Op(op @ (BinOp::Add | BinOp::Sub))) = self.peek() {
            let op = *op;
            self.at += 1;
            let right = self.term(depth)?;
            left = Expr::Binary { op, left: Box::new(left), right: Box::new(right) };
        }
        Ok(left)
    }

    fn term(&mut self, depth: usize) -> Result<Expr> {
        let mut left = self.unary(depth)?;
        while let Some(Token::Op(op @ (BinOp::Mul | BinOp::Div))) = self.peek() {
            let op = *op;
            self.at += 1;
            let right = self.unary(depth)?;
            left = Expr::Binary { op, left: Box::new(left), right: Box::new(right) };
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr> {
        if let Some(Token::Op(BinOp::Sub)) = self.peek() {
            let depth = self.deeper(depth)?;
            self.at += 1;
            return Ok(Expr::Neg(Box::new(self.unary(depth)?)));
        }
        self.primary(depth)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr> {
        let pos = self.pos();
        let Some(tok) = self.peek().cloned() else {
            return Err(formula_error(pos, "công thức kết thúc giữa chừng, còn thiếu số hoặc mã chỉ tiêu"));
        };
        self.at += 1;
        match tok {
            Token::Num(x, _) => Ok(Expr::Number(x)),
            Token::Ref(code) => Ok(Expr::Ref(code)),
            Token::LParen => {
                let inner = self.expr(depth)?;
                if self.peek() != Some(&Token::RParen) {
                    return Err(formula_error(self.pos(), format!("thiếu dấu ')' cho dấu '(' ở vị trí {pos}")));
                }
                self.at += 1;
                Ok(inner)
            }
            other => Err(formula_error(pos, format!("cần số, mã chỉ tiêu hoặc '(' nhưng gặp '{}'", other.text()))),
        }
    }
}

/// A cycle among formula indicators (`A` uses `B`, `B` uses `A`), as the path that closes it:
/// `[A, B, A]`. Indicators without a formula end a path. `None` when there is none.
pub fn find_cycle(formulas: &BTreeMap<IndicatorCode, Formula>) -> Option<Vec<IndicatorCode>> {
    fn visit<'a>(
        code: &'a IndicatorCode,
        formulas: &'a BTreeMap<IndicatorCode, Formula>,
        done: &mut HashSet<&'a IndicatorCode>,
        path: &mut Vec<&'a IndicatorCode>,
    ) -> Option<Vec<IndicatorCode>> {
        if let Some(start) = path.iter().position(|c| *c == code) {
            let mut cycle: Vec<IndicatorCode> = path[start..].iter().map(|c| (*c).clone()).collect();
            cycle.push(code.clone());
            return Some(cycle);
        }
        if done.contains(code) {
            return None;
        }
        let formula = formulas.get(code)?;
        path.push(code);
        for r in formula.refs() {
            if let Some(cycle) = visit(r, formulas, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(code);
        None
    }
    let mut done = HashSet::new();
    formulas.keys().find_map(|code| visit(code, formulas, &mut done, &mut Vec::new()))
}

/// [`find_cycle`] as a field error for the form that saves a formula.
pub fn ensure_acyclic(formulas: &BTreeMap<IndicatorCode, Formula>) -> Result<()> {
    match find_cycle(formulas) {
        None => Ok(()),
        Some(cycle) => Err(DomainError::invalid(
            "formula",
            format!(
                "các công thức tham chiếu vòng tròn: {}",
                cycle.iter().map(IndicatorCode::as_str).collect::<Vec<_>>().join(" → ")
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation rules
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Comparison {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "!=")]
    Ne,
}

impl Comparison {
    pub const ALL: [Comparison; 6] =
        [Comparison::Ge, Comparison::Le, Comparison::Eq, Comparison::Gt, Comparison::Lt, Comparison::Ne];

    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Ge => ">=",
            Comparison::Le => "<=",
            Comparison::Eq => "==",
            Comparison::Gt => ">",
            Comparison::Lt => "<",
            Comparison::Ne => "!=",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("operator", format!("không có phép so sánh '{s}'")))
    }
    /// The mathematical sign: ≥, ≤, =, >, <, ≠.
    pub fn label(self) -> &'static str {
        match self {
            Comparison::Ge => "≥",
            Comparison::Le => "≤",
            Comparison::Eq => "=",
            Comparison::Gt => ">",
            Comparison::Lt => "<",
            Comparison::Ne => "≠",
        }
    }
    /// Compares with a tolerance of rounding noise, so that 0,7 / 7 × 100 counts as 10.
    pub fn holds(self, left: f64, right: f64) -> bool {
        let eps = 1e-9 * left.abs().max(right.abs()).max(1.0);
        let equal = (left - right).abs() <= eps;
        match self {
            Comparison::Ge => left > right || equal,
            Comparison::Le => left < right || equal,
            Comparison::Eq => equal,
            Comparison::Gt => left > right && !equal,
            Comparison::Lt => left < right && !equal,
            Comparison::Ne => !equal,
        }
    }
}

/// A data-quality rule checked when values are entered and on the data-quality page:
/// `left operator right`, each side a formula over indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidationRule {
    pub code: String,
    pub name: String,
    pub left: Formula,
    pub operator: Comparison,
    pub right: Formula,
    /// The text that requires it: seed file, section and lines.
    pub cite: String,
}

/// What a rule says about one org unit and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RuleOutcome {
    Pass {
        left: f64,
        right: f64,
    },
    Fail {
        left: f64,
        right: f64,
    },
    /// A side cannot be computed: `missing` lists the indicators without a value; empty means
    /// a division by zero (e.g. no IT spending at all, so no share of it).
    Skipped {
        missing: Vec<IndicatorCode>,
    },
}

impl ValidationRule {
    pub fn evaluate(&self, lookup: impl Fn(&IndicatorCode) -> Option<f64>) -> RuleOutcome {
        match (self.left.eval(&lookup), self.right.eval(&lookup)) {
            (Some(left), Some(right)) if self.operator.holds(left, right) => RuleOutcome::Pass { left, right },
            (Some(left), Some(right)) => RuleOutcome::Fail { left, right },
            _ => {
                let mut missing = self.left.references();
                for r in self.right.references() {
                    if !missing.contains(&r) {
                        missing.push(r);
                    }
                }
                missing.retain(|c| lookup(c).is_none());
                RuleOutcome::Skipped { missing }
            }
        }
    }

    /// The sentence the data-quality page shows for an outcome of this rule.
    pub fn message(&self, outcome: &RuleOutcome) -> String {
        let op = self.operator.label();
        match outcome {
            RuleOutcome::Pass { left, right } => {
                format!("Đạt: {}: {} {op} {}.", self.name, format_number(*left), format_number(*right))
            }
            RuleOutcome::Fail { left, right } => format!(
                "Không đạt: {}: {} so với yêu cầu {op} {}.",
                self.name,
                format_number(*left),
                format_number(*right)
            ),
            RuleOutcome::Skipped { missing } if missing.is_empty() => {
                format!("Chưa kiểm tra được: {} — có phép chia cho 0.", self.name)
            }
            RuleOutcome::Skipped { missing } => format!(
                "Chưa kiểm tra được: {} — thiếu số liệu {}.",
                self.name,
                missing.iter().map(IndicatorCode::as_str).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Restructuring: values of dissolved units count towards their successors
// ---------------------------------------------------------------------------------------------

/// The sentence the UI shows next to figures rolled up across the 2025 restructuring.
pub const RESTRUCTURING_RULE_VI: &str = "Số liệu của đơn vị đã sáp nhập, giải thể được tính cho đơn vị kế thừa \
(kể cả qua nhiều lần sắp xếp). Đơn vị bị chia tách: các số liệu cộng dồn (tổng, tử số, mẫu số, trọng số) được \
chia cho các đơn vị kế thừa theo tỷ lệ nêu trong quyết định sắp xếp, hoặc chia đều nếu quyết định không nêu tỷ lệ; \
với chỉ tiêu tính trung bình, lớn nhất, nhỏ nhất, mỗi đơn vị kế thừa nhận nguyên giá trị của đơn vị cũ.";

/// A succession link from a dissolved unit: the unit that took over and, for a split, the
/// share of the old unit's figures it takes as the reorganisation decision states it (0..1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Successor {
    pub org_id: OrgId,
    pub share: Option<f64>,
}

impl Successor {
    pub fn new(org_id: OrgId) -> Self {
        Self { org_id, share: None }
    }
    pub fn with_share(org_id: OrgId, share: f64) -> Self {
        Self { org_id, share: Some(share) }
    }
}

/// A recorded input (a [`Contribution`], or a unit's [`Tally`]) as it counts for a current unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Attributed<I = Contribution> {
    /// The current unit the input now counts for.
    pub org_id: OrgId,
    /// The unit the value was recorded for.
    pub source: OrgId,
    /// The fraction of the source's additive figures that went to `org_id` (1 without splits).
    pub share: f64,
    pub input: I,
}

/// What a successor of a split unit takes of an input: `share` of its additive figures (see
/// [`attribute`]).
pub trait Shared: Copy {
    fn shared(self, share: f64, additive: bool) -> Self;
}

impl Shared for Contribution {
    fn shared(self, share: f64, additive: bool) -> Self {
        let part = |x: Option<f64>| x.map(|x| x * share);
        Contribution {
            value: if additive { part(self.value) } else { self.value },
            numerator: part(self.numerator),
            denominator: part(self.denominator),
            weight: part(self.weight),
        }
    }
}

impl Shared for Tally {
    /// Each input shared as [`Contribution::shared`] shares it; counts stay.
    fn shared(self, share: f64, additive: bool) -> Self {
        let value_part = if additive { share } else { 1.0 };
        Tally {
            sum: self.sum * value_part,
            min: self.min.map(|x| x * value_part),
            max: self.max.map(|x| x * value_part),
            numerator: self.numerator * share,
            denominator: self.denominator * share,
            weighted: self.weighted * value_part * share,
            weight: self.weight * share,
            ..self
        }
    }
}

/// Maps inputs recorded for units that no longer exist onto the units that exist now,
/// following succession chains (old → intermediate → current). `successors` gives a unit's
/// succession links; a unit without any (or linked only to itself) is current.
///
/// A merger (several old units, one successor) simply hands each old unit's inputs over, so the
/// successor's aggregate combines them by the indicator's rule. A split (one old unit, several
/// successors) divides the unit's additive figures — the value under [`AggregationRule::Sum`],
/// and for every rule the numerator, denominator and weight — in the shares the mapping states
/// (shares not stated take equal parts of what the stated ones leave; stated shares must add up
/// to 100 %), so sums and ratios of sums stay right. Under average, min, max and weighted
/// average each successor inherits the old unit's value as it is. In the UI's words:
/// [`RESTRUCTURING_RULE_VI`].
pub fn attribute<I: Shared>(
    rule: &AggregationRule,
    values: &[(OrgId, I)],
    successors: impl Fn(OrgId) -> Vec<Successor>,
) -> Result<Vec<Attributed<I>>> {
    let additive = rule.is_additive();
    let mut out = Vec::with_capacity(values.len());
    for &(source, input) in values {
        // Depth-first along the chains, carrying the share and the path (to catch a cycle).
        let mut stack = vec![(source, 1.0, vec![source])];
        while let Some((org, share, path)) = stack.pop() {
            let links: Vec<Successor> = successors(org).into_iter().filter(|s| s.org_id != org).collect();
            if links.is_empty() {
                out.push(Attributed { org_id: org, source, share, input: input.shared(share, additive) });
                continue;
            }
            for (next, part) in resolve_shares(org, &links)? {
                if path.contains(&next) {
                    return Err(DomainError::invalid(
                        "successors",
                        format!("các đơn vị kế thừa tạo thành vòng lặp (đơn vị {next})"),
                    ));
                }
                let mut longer = path.clone();
                longer.push(next);
                stack.push((next, share * part, longer));
            }
        }
    }
    Ok(out)
}

/// The inputs that now count for units `within` says belong to the subtree being rolled up,
/// combined by `rule`.
pub fn roll_up(rule: &AggregationRule, attributed: &[Attributed], within: impl Fn(OrgId) -> bool) -> Option<f64> {
    let inputs: Vec<Contribution> = attributed.iter().filter(|a| within(a.org_id)).map(|a| a.input).collect();
    aggregate(rule, &inputs)
}

fn resolve_shares(org: OrgId, links: &[Successor]) -> Result<Vec<(OrgId, f64)>> {
    const EPS: f64 = 1e-6;
    let bad = |why: String| DomainError::invalid("share", format!("tỷ lệ phân bổ số liệu của đơn vị {org}: {why}"));
    if links.iter().filter_map(|l| l.share).any(|s| !(0.0..=1.0).contains(&s)) {
        return Err(bad("mỗi tỷ lệ phải từ 0 đến 100%".into()));
    }
    let stated: f64 = links.iter().filter_map(|l| l.share).sum();
    let unstated = links.iter().filter(|l| l.share.is_none()).count();
    let total = format_number(stated * 100.0);
    if stated > 1.0 + EPS || (unstated == 0 && (stated - 1.0).abs() > EPS) {
        return Err(bad(format!("các tỷ lệ phải cộng lại bằng 100% (đang là {total}%)")));
    }
    let rest = if unstated == 0 { 0.0 } else { (1.0 - stated).max(0.0) / unstated as f64 };
    Ok(links.iter().map(|l| (l.org_id, l.share.unwrap_or(rest))).collect())
}

// ---------------------------------------------------------------------------------------------
// Shipped definitions and rules
// ---------------------------------------------------------------------------------------------

const SEED_002: &str = "002_5e25b3b17a73c715.txt";
const SEED_003: &str = "003_78fc1cb0f2550b87.txt";
const SEED_001: &str = "001_b7b739a46bc2557f.txt";
const SEED_004: &str = "004_ce653a71869abe57.txt";

fn code(s: &str) -> Result<IndicatorCode> {
    IndicatorCode::parse(s)
}

/// A yearly indicator summed up the hierarchy; the builders below adjust it.
fn def(c: &str, name: &str, unit: Unit, value_type: ValueType, cite: String) -> Result<Indicator> {
    Ok(Indicator {
        code: code(c)?,
        name: name.to_string(),
        description: String::new(),
        unit,
        value_type,
        aggregation: AggregationRule::Sum,
        period_type: PeriodType::Yearly,
        formula: None,
        expected_min: (value_type != ValueType::Text).then_some(0.0),
        expected_max: None,
        cite: Some(cite),
    })
}

/// A ratio of two other indicators: computed by formula for a unit, aggregated as the ratio
/// of their sums.
fn ratio(c: &str, name: &str, numerator: &str, denominator: &str, factor: f64, cite: String) -> Result<Indicator> {
    let (unit, value_type) =
        if factor == 100.0 { (Unit::Percent, ValueType::Percent) } else { (Unit::Count, ValueType::Number) };
    let factor_text = if factor == 1.0 { String::new() } else { format!(" * {}", format_number(factor)) };
    Ok(Indicator {
        aggregation: AggregationRule::RatioOfSums {
            numerator: code(numerator)?,
            denominator: code(denominator)?,
            factor: (factor != 1.0).then_some(factor),
        },
        formula: Some(Formula::parse(&format!("#{{{numerator}}} / #{{{denominator}}}{factor_text}"))?),
        expected_max: (factor == 100.0).then_some(100.0),
        ..def(c, name, unit, value_type, cite)?
    })
}

fn described(mut i: Indicator, description: &str) -> Indicator {
    i.description = description.to_string();
    i
}

fn monthly(mut i: Indicator) -> Indicator {
    i.period_type = PeriodType::Monthly;
    i
}

/// The default indicators the seeds ask agencies to report, each citing where (file, part,
/// section, lines). Spending is in triệu đồng, as the seeds' tables are.
pub fn shipped_indicators() -> Result<Vec<Indicator>> {
    use ValueType::{Integer, Number, YesNo};
    let budget_cite = format!(
        "{SEED_003}, Phụ lục I, Phần II, mục V.3 (dòng 286); {SEED_002}, Phụ lục III, Phần I, mục II.11 (dòng 1064–1072)"
    );
    let security_cite = format!("{SEED_003}, Phụ lục I, Phần I, mục VI (dòng 150)");
    let level_cite = format!("{SEED_002}, Phụ lục I, mục 7 (dòng 343–347); Phụ lục II, mục 6 (dòng 905–909)");
    let dvc_cite =
        format!("{SEED_002}, Phụ lục I, mục 9.1 (dòng 387–395); {SEED_004}, dòng 179–180; {SEED_001}, dòng 99");
    Ok(vec![
        described(
            def(
                "TONG_CHI_NS",
                "Tổng chi ngân sách nhà nước của cơ quan, địa phương",
                Unit::MillionVnd,
                Number,
                budget_cite.clone(),
            )?,
            "Mẫu số của tỷ lệ chi cho chuyển đổi số (tối thiểu 1% tổng chi ngân sách) và tỷ lệ chi cho CNTT.",
        ),
        described(
            def(
                "CHI_CNTT",
                "Kinh phí chi cho ứng dụng công nghệ thông tin",
                Unit::MillionVnd,
                Number,
                format!("{SEED_003}, Phụ lục I, Phần I, mục VII (dòng 168–172); Phần II, mục IV.6 (dòng 262)"),
            )?,
            "Tổng kinh phí triển khai kế hoạch ứng dụng CNTT trong năm (gồm đầu tư và thuê dịch vụ).",
        ),
        described(
            def(
                "CHI_ATTT",
                "Kinh phí chi cho an toàn thông tin mạng",
                Unit::MillionVnd,
                Number,
                format!("{SEED_003}, Phụ lục I, Phần I, mục VII (dòng 172); Phần II, mục IV.6 (dòng 262)"),
            )?,
            "Tổng số tiền chi cho các sản phẩm, dịch vụ an toàn thông tin mạng (bao gồm cả đầu tư và thuê dịch vụ); \
             là một phần của kinh phí chi cho ứng dụng CNTT.",
        ),
        described(
            def(
                "CHI_CDS",
                "Kinh phí chi cho phát triển chính quyền số, chuyển đổi số",
                Unit::MillionVnd,
                Number,
                format!("{SEED_003}, Phụ lục I, Phần II, mục V.3 (dòng 286)"),
            )?,
            "Bao gồm nguồn chi thường xuyên và chi đầu tư phát triển.",
        ),
        described(
            ratio(
                "TY_LE_CHI_ATTT_CNTT",
                "Tỷ lệ chi cho an toàn thông tin mạng trên tổng chi ứng dụng CNTT",
                "CHI_ATTT",
                "CHI_CNTT",
                100.0,
                format!("{SEED_003}, Phụ lục I, Phần I, mục VII (dòng 172); Phần II, mục IV.6 (dòng 262)"),
            )?,
            "Yêu cầu tối thiểu 10% (Phần II, mục IV.6).",
        ),
        described(
            ratio(
                "TY_LE_CHI_CDS_NS",
                "Tỷ lệ chi cho chuyển đổi số trên tổng chi ngân sách",
                "CHI_CDS",
                "TONG_CHI_NS",
                100.0,
                format!("{SEED_003}, Phụ lục I, Phần II, mục V.3 (dòng 286)"),
            )?,
            "Yêu cầu tối thiểu 1% tổng chi ngân sách.",
        ),
        ratio(
            "TY_LE_CHI_CNTT_NS",
            "Tỷ lệ chi cho CNTT trên tổng vốn ngân sách nhà nước",
            "CHI_CNTT",
            "TONG_CHI_NS",
            100.0,
            format!("{SEED_002}, Phụ lục III, Phần I, mục II.11 (dòng 1071–1072)"),
        )?,
        def(
            "SO_HTTT",
            "Số lượng hệ thống thông tin thuộc phạm vi quản lý",
            Unit::Count,
            Integer,
            security_cite.clone(),
        )?,
        def(
            "SO_HTTT_PHE_DUYET_CAP_DO",
            "Số hệ thống thông tin đã được phê duyệt hồ sơ đề xuất cấp độ",
            Unit::Count,
            Integer,
            format!("{security_cite}; {level_cite}"),
        )?,
        described(
            ratio(
                "TY_LE_HTTT_PHE_DUYET_CAP_DO",
                "Tỷ lệ hệ thống thông tin được phê duyệt hồ sơ đề xuất cấp độ",
                "SO_HTTT_PHE_DUYET_CAP_DO",
                "SO_HTTT",
                100.0,
                level_cite.clone(),
            )?,
            "Mục tiêu: 100% hệ thống thông tin được phê duyệt hồ sơ đề xuất cấp độ trước 30/6/2024.",
        ),
        def(
            "SO_HTTT_TRIEN_KHAI_PHUONG_AN",
            "Số hệ thống thông tin đã triển khai đầy đủ phương án bảo đảm an toàn thông tin theo hồ sơ cấp độ được phê duyệt",
            Unit::Count,
            Integer,
            level_cite.clone(),
        )?,
        described(
            ratio(
                "TY_LE_HTTT_TRIEN_KHAI_PHUONG_AN",
                "Tỷ lệ hệ thống thông tin triển khai đầy đủ phương án bảo đảm an toàn thông tin theo cấp độ",
                "SO_HTTT_TRIEN_KHAI_PHUONG_AN",
                "SO_HTTT",
                100.0,
                level_cite,
            )?,
            "Mục tiêu: 100% trước 30/11/2024.",
        ),
        def(
            "SO_HTTT_KIEM_TRA_DINH_KY",
            "Số hệ thống thông tin được kiểm tra, đánh giá an toàn thông tin định kỳ đúng quy định",
            Unit::Count,
            Integer,
            format!("{SEED_003}, Phụ lục I, Phần I, mục VI (dòng 156); {SEED_002}, Phụ lục I, mục 7 (dòng 348–351)"),
        )?,
        described(
            def(
                "SO_DIEN_TAP_THUC_CHIEN",
                "Số cuộc diễn tập thực chiến an toàn thông tin mạng",
                Unit::Count,
                Integer,
                format!("{SEED_002}, Phụ lục I, mục 7 (dòng 352–353); Phụ lục II, mục 6 (dòng 914–915)"),
            )?,
            "Tối thiểu 01 cuộc/năm, ưu tiên hệ thống thông tin cấp độ 3 trở lên.",
        ),
        def(
            "SO_CONG_TTDT",
            "Số trang, cổng thông tin điện tử của cơ quan nhà nước",
            Unit::Count,
            Integer,
            format!("{SEED_002}, Phụ lục I, mục 7 (dòng 354–355)"),
        )?,
        def(
            "SO_CONG_TTDT_GAN_NHAN",
            "Số trang, cổng thông tin điện tử được đánh giá và gán nhãn tín nhiệm mạng",
            Unit::Count,
            Integer,
            format!("{SEED_002}, Phụ lục I, mục 7 (dòng 354–355)"),
        )?,
        described(
            ratio(
                "TY_LE_CONG_TTDT_GAN_NHAN",
                "Tỷ lệ trang, cổng thông tin điện tử được gán nhãn tín nhiệm mạng",
                "SO_CONG_TTDT_GAN_NHAN",
                "SO_CONG_TTDT",
                100.0,
                format!("{SEED_002}, Phụ lục I, mục 7 (dòng 354–355)"),
            )?,
            "Mục tiêu: 100%.",
        ),
        monthly(def(
            "SO_HO_SO_TTHC",
            "Tổng số hồ sơ thủ tục hành chính tiếp nhận",
            Unit::Count,
            Integer,
            dvc_cite.clone(),
        )?),
        monthly(def(
            "SO_HO_SO_TTHC_TOAN_TRINH",
            "Số hồ sơ thủ tục hành chính tiếp nhận và xử lý trực tuyến toàn trình",
            Unit::Count,
            Integer,
            dvc_cite.clone(),
        )?),
        monthly(ratio(
            "TY_LE_HO_SO_TOAN_TRINH",
            "Tỷ lệ hồ sơ thủ tục hành chính trực tuyến toàn trình",
            "SO_HO_SO_TTHC_TOAN_TRINH",
            "SO_HO_SO_TTHC",
            100.0,
            dvc_cite,
        )?),
        def(
            "SO_HO_SO_CONG_VIEC",
            "Tổng số hồ sơ công việc",
            Unit::Count,
            Integer,
            format!("{SEED_004}, dòng 179–180; {SEED_003}, Phụ lục I, Phần II, mục III (dòng 194)"),
        )?,
        def(
            "SO_HO_SO_CONG_VIEC_TREN_MANG",
            "Số hồ sơ công việc được xử lý hoàn toàn trên môi trường mạng",
            Unit::Count,
            Integer,
            format!("{SEED_004}, dòng 179–180; {SEED_003}, Phụ lục I, Phần II, mục III (dòng 194)"),
        )?,
        ratio(
            "TY_LE_HO_SO_CONG_VIEC_TREN_MANG",
            "Tỷ lệ hồ sơ công việc được xử lý hoàn toàn trên môi trường mạng",
            "SO_HO_SO_CONG_VIEC_TREN_MANG",
            "SO_HO_SO_CONG_VIEC",
            100.0,
            format!("{SEED_004}, dòng 179–180; {SEED_003}, Phụ lục I, Phần II, mục III (dòng 194)"),
        )?,
        def(
            "SO_MAY_TINH",
            "Số máy tính phục vụ công việc của cán bộ, công chức",
            Unit::Count,
            Integer,
            format!("{SEED_003}, Phụ lục I, Phần I, mục II (dòng 26)"),
        )?,
        def(
            "SO_CBCC",
            "Số cán bộ, công chức, viên chức",
            Unit::Count,
            Integer,
            format!("{SEED_003}, Phụ lục I, Phần I, mục II (dòng 26)"),
        )?,
        described(
            ratio(
                "TY_LE_MAY_TINH_CBCC",
                "Tỷ lệ trung bình máy tính trên cán bộ, công chức",
                "SO_MAY_TINH",
                "SO_CBCC",
                1.0,
                format!("{SEED_003}, Phụ lục I, Phần I, mục II (dòng 26)"),
            )?,
            "Số máy tính trên một cán bộ, công chức (tỷ số, không nhân 100).",
        ),
        def(
            "SO_CBCC_BOI_DUONG_KY_NANG_SO",
            "Số công chức, viên chức, người lao động được bồi dưỡng, tập huấn kỹ năng số",
            Unit::Count,
            Integer,
            format!("{SEED_002}, Phụ lục I, mục 3.2 (dòng 166–171)"),
        )?,
        described(
            def(
                "CO_CHINH_SACH_TY_LE_CHI",
                "Đã ban hành chính sách tỷ lệ chi tối thiểu cho ứng dụng CNTT, chuyển đổi số",
                Unit::YesNo,
                YesNo,
                format!("{SEED_002}, Phụ lục I, mục 1.a (dòng 62–66)"),
            )?,
            "Cộng dồn lên cấp trên là số đơn vị đã ban hành. Thời hạn hoàn thành: 30/3/2024.",
        ),
    ])
}

/// The validation rules the seeds state, plus the consistency checks their forms imply.
pub fn shipped_rules() -> Result<Vec<ValidationRule>> {
    let rule = |code: &str, name: &str, left: &str, operator, right: &str, cite: String| -> Result<ValidationRule> {
        Ok(ValidationRule {
            code: code.to_string(),
            name: name.to_string(),
            left: Formula::parse(left)?,
            operator,
            right: Formula::parse(right)?,
            cite,
        })
    };
    Ok(vec![
        rule(
            "ATTT_TOI_THIEU_10_PHAN_TRAM_CNTT",
            "Chi cho an toàn thông tin mạng đạt tối thiểu 10% tổng kinh phí ứng dụng CNTT",
            "#{CHI_ATTT} / #{CHI_CNTT} * 100",
            Comparison::Ge,
            "10",
            format!("{SEED_003}, Phụ lục I, Phần II, mục IV.6 (dòng 262)"),
        )?,
        rule(
            "CDS_TOI_THIEU_1_PHAN_TRAM_NGAN_SACH",
            "Chi cho phát triển chính quyền số đạt tối thiểu 1% tổng chi ngân sách",
            "#{CHI_CDS} / #{TONG_CHI_NS} * 100",
            Comparison::Ge,
            "1",
            format!("{SEED_003}, Phụ lục I, Phần II, mục V.3 (dòng 286)"),
        )?,
        rule(
            "CHI_ATTT_KHONG_VUOT_CHI_CNTT",
            "Chi cho an toàn thông tin mạng là một phần của chi ứng dụng CNTT, không lớn hơn",
            "#{CHI_ATTT}",
            Comparison::Le,
            "#{CHI_CNTT}",
            format!("{SEED_003}, Phụ lục I, Phần I, mục VII (dòng 172); Phần II, mục IV.6 (dòng 262)"),
        )?,
        rule(
            "HTTT_PHE_DUYET_KHONG_VUOT_TONG",
            "Số hệ thống thông tin được phê duyệt cấp độ không lớn hơn tổng số hệ thống thông tin",
            "#{SO_HTTT_PHE_DUYET_CAP_DO}",
            Comparison::Le,
            "#{SO_HTTT}",
            format!("{SEED_003}, Phụ lục I, Phần I, mục VI (dòng 150)"),
        )?,
        rule(
            "HTTT_PHUONG_AN_KHONG_VUOT_PHE_DUYET",
            "Số hệ thống thông tin triển khai đầy đủ phương án không lớn hơn số hệ thống đã được phê duyệt hồ sơ cấp độ",
            "#{SO_HTTT_TRIEN_KHAI_PHUONG_AN}",
            Comparison::Le,
            "#{SO_HTTT_PHE_DUYET_CAP_DO}",
            format!("{SEED_002}, Phụ lục I, mục 7 (dòng 343–347)"),
        )?,
        rule(
            "HO_SO_TOAN_TRINH_KHONG_VUOT_TONG",
            "Số hồ sơ trực tuyến toàn trình không lớn hơn tổng số hồ sơ thủ tục hành chính",
            "#{SO_HO_SO_TTHC_TOAN_TRINH}",
            Comparison::Le,
            "#{SO_HO_SO_TTHC}",
            format!("{SEED_002}, Phụ lục I, mục 9.1 (dòng 387–395)"),
        )?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn c(s: &str) -> IndicatorCode {
        IndicatorCode::parse(s).unwrap()
    }
    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }
    fn field(e: DomainError) -> (&'static str, String) {
        match e {
            DomainError::Invalid { field, message } => (field, message),
            other => panic!("expected a field error, got {other:?}"),
        }
    }
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn indicator_codes() {
        assert_eq!(c(" CHI_CNTT ").as_str(), "CHI_CNTT");
        for good in ["AB", "TY_LE.2024", "X1"] {
            assert!(IndicatorCode::parse(good).is_ok(), "{good}");
        }
        for bad in ["A", "chi_cntt", "CHI-CNTT", "CHI CNTT", "1ABC", "_AB", "CHÍ", &"A".repeat(41)] {
            let (f, msg) = field(IndicatorCode::parse(bad).unwrap_err());
            assert_eq!(f, "code");
            assert!(msg.contains("mã chỉ tiêu"), "{msg}");
        }
        let json = serde_json::to_string(&c("CHI_CNTT")).unwrap();
        assert_eq!(json, "\"CHI_CNTT\"");
        assert!(serde_json::from_str::<IndicatorCode>("\"chi\"").is_err());
    }

    #[test]
    fn enums_round_trip() {
        for u in Unit::ALL {
            assert_eq!(Unit::parse(u.as_str()).unwrap(), u);
        }
        for v in ValueType::ALL {
            assert_eq!(ValueType::parse(v.as_str()).unwrap(), v);
        }
        for t in PeriodType::ALL {
            assert_eq!(PeriodType::parse(t.as_str()).unwrap(), t);
        }
        for o in Comparison::ALL {
            assert_eq!(Comparison::parse(o.as_str()).unwrap(), o);
            assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{}\"", o.as_str()));
        }
        assert!(Unit::parse("kg").is_err());
        let rule = AggregationRule::RatioOfSums { numerator: c("A1"), denominator: c("B1"), factor: Some(100.0) };
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["kind"], "ratio_of_sums");
        assert_eq!(serde_json::from_value::<AggregationRule>(json).unwrap(), rule);
    }

    #[test]
    fn periods_parse_and_format() {
        for (s, t, label) in [
            ("2024", PeriodType::Yearly, "Năm 2024"),
            ("2024S1", PeriodType::SixMonthly, "6 tháng đầu năm 2024"),
            ("2024S2", PeriodType::SixMonthly, "6 tháng cuối năm 2024"),
            ("2024Q1", PeriodType::Quarterly, "Quý I/2024"),
            ("2024Q4", PeriodType::Quarterly, "Quý IV/2024"),
            ("202401", PeriodType::Monthly, "Tháng 01/2024"),
            ("202412", PeriodType::Monthly, "Tháng 12/2024"),
        ] {
            let period = p(s);
            assert_eq!(period.period_type(), t, "{s}");
            assert_eq!(period.code(), s);
            assert_eq!(period.label(), label);
        }
        assert_eq!(p(" 2024q3 ").code(), "2024Q3");
        for bad in [
            "",
            "24",
            "2024Q5",
            "2024Q0",
            "2024S3",
            "202413",
            "202400",
            "2024-01",
            "2024Q",
            "20241",
            "2024M1",
            "1999",
            "Năm 2024",
        ] {
            let (f, msg) = field(Period::parse(bad).unwrap_err());
            assert_eq!(f, "period");
            assert!(msg.contains(&format!("'{}'", bad.trim())), "{msg}");
        }
        let json = serde_json::to_string(&p("2024Q2")).unwrap();
        assert_eq!(json, "\"2024Q2\"");
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p("2024Q2"));
    }

    #[test]
    fn period_dates_containment_and_months() {
        assert_eq!((p("2024").start(), p("2024").end()), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!((p("2024S2").start(), p("2024S2").end()), (d(2024, 7, 1), d(2024, 12, 31)));
        assert_eq!((p("2024Q1").start(), p("2024Q1").end()), (d(2024, 1, 1), d(2024, 3, 31)));
        assert_eq!(p("202402").end(), d(2024, 2, 29));
        assert_eq!(p("202502").end(), d(2025, 2, 28));
        assert!(p("2024").contains(&p("202407")));
        assert!(p("2024S2").contains(&p("2024Q3")));
        assert!(!p("2024S1").contains(&p("2024Q3")));
        assert!(!p("2024Q1").contains(&p("2024S1")));
        assert!(!p("2024").contains(&p("202501")));
        assert!(p("2024Q2").contains(&p("2024Q2")));
        let months: Vec<String> = p("2024Q3").months().iter().map(Period::code).collect();
        assert_eq!(months, ["202407", "202408", "202409"]);
        assert_eq!(p("2024").months().len(), 12);
        let quarters: Vec<String> =
            p("2024S2").periods_inside(PeriodType::Quarterly).iter().map(Period::code).collect();
        assert_eq!(quarters, ["2024Q3", "2024Q4"]);
        assert!(p("2024Q1").periods_inside(PeriodType::Yearly).is_empty());
        assert_eq!(Period::of(PeriodType::Quarterly, d(2024, 8, 31)), p("2024Q3"));
        assert_eq!(Period::of(PeriodType::SixMonthly, d(2024, 6, 30)), p("2024S1"));
        assert_eq!(Period::of(PeriodType::SixMonthly, d(2024, 7, 1)), p("2024S2"));
        assert_eq!(Period::of(PeriodType::Monthly, d(2024, 12, 31)), p("202412"));
        assert_eq!(Period::of(PeriodType::Yearly, d(2025, 3, 1)), p("2025"));
        let step = |s: &str, n| p(s).step(n).map(|x| x.code());
        assert_eq!(step("2024Q4", 1).as_deref(), Some("2025Q1"));
        assert_eq!(step("202401", -1).as_deref(), Some("202312"));
        assert_eq!(step("2024S1", -3).as_deref(), Some("2022S2"));
        assert_eq!(step("202406", 18).as_deref(), Some("202512"));
        assert_eq!(step("2024", -1).as_deref(), Some("2023"));
        assert_eq!(step("2000", -1), None);
    }

    #[test]
    fn numbers_vietnamese_and_plain() {
        for (s, x) in [
            ("1.234,5", 1234.5),
            ("1234.5", 1234.5),
            ("1234,5", 1234.5),
            ("1.234", 1234.0),
            ("1.234.567", 1_234_567.0),
            ("4.000", 4000.0),
            ("0.125", 0.125),
            ("1.5", 1.5),
            ("-0,5", -0.5),
            ("1 234,5", 1234.5),
            ("+7", 7.0),
            ("12", 12.0),
        ] {
            assert_eq!(parse_number(s), Some(x), "{s}");
        }
        for bad in
            ["", "abc", "1,2,3", "1.234.5", "1,234.5", "12.34.56", "1e5", "inf", "NaN", "--1", "1.", ",5", "0.125.000"]
        {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
        assert_eq!(format_number(1234.5), "1.234,5");
        assert_eq!(format_number(1_234_567.0), "1.234.567");
        assert_eq!(format_number(10.0), "10");
        assert_eq!(format_number(0.555), "0,56");
        assert_eq!(format_number(-1234.25), "-1.234,25");
        assert_eq!(format_number(-0.001), "0");
        assert_eq!(format_number(999.999), "1.000");
    }

    #[test]
    fn values_by_type() {
        assert_eq!(parse_value(ValueType::Number, "1.234,5").unwrap(), Value::Number(1234.5));
        assert_eq!(parse_value(ValueType::Number, " 1234.5 ").unwrap(), Value::Number(1234.5));
        assert_eq!(parse_value(ValueType::Integer, "1.234").unwrap(), Value::Number(1234.0));
        assert_eq!(parse_value(ValueType::Percent, "12,5").unwrap(), Value::Number(12.5));
        assert_eq!(parse_value(ValueType::Percent, "12,5 %").unwrap(), Value::Number(12.5));
        assert_eq!(parse_value(ValueType::Percent, "12,5%").unwrap(), Value::Number(12.5));
        for yes in ["có", "Có", "CO", "true", "1"] {
            assert_eq!(parse_value(ValueType::YesNo, yes).unwrap(), Value::YesNo(true), "{yes}");
        }
        for no in ["không", "Không", "khong", "false", "0"] {
            assert_eq!(parse_value(ValueType::YesNo, no).unwrap(), Value::YesNo(false), "{no}");
        }
        assert_eq!(parse_value(ValueType::Text, " Đã triển khai ").unwrap(), Value::Text("Đã triển khai".into()));

        let (f, msg) = field(parse_value(ValueType::Number, "mười").unwrap_err());
        assert_eq!(f, "value");
        assert!(msg.contains("'mười' không phải là số"), "{msg}");
        let (f, msg) = field(parse_value(ValueType::Integer, "2,5").unwrap_err());
        assert_eq!((f, msg.contains("số nguyên")), ("value", true));
        assert_eq!(field(parse_value(ValueType::Percent, "12,5 phần trăm").unwrap_err()).0, "value");
        assert_eq!(field(parse_value(ValueType::YesNo, "có lẽ").unwrap_err()).0, "value");
        assert_eq!(field(parse_value(ValueType::Number, "  ").unwrap_err()).0, "value");

        assert_eq!(Value::Number(1234.5).label(), "1.234,5");
        assert_eq!(Value::YesNo(true).label(), "Có");
        assert_eq!(Value::YesNo(false).as_number(), Some(0.0));
        assert_eq!(Value::Text("x".into()).as_number(), None);
        assert_eq!(serde_json::to_string(&Value::Number(2.5)).unwrap(), "2.5");
        assert_eq!(serde_json::from_str::<Value>("true").unwrap(), Value::YesNo(true));
    }

    #[test]
    fn dhis2_values_are_plain() {
        assert_eq!(parse_dhis2_value(ValueType::Number, "1234.5").unwrap(), Value::Number(1234.5));
        // In a DHIS2 file a dot is always the decimal mark.
        assert_eq!(parse_dhis2_value(ValueType::Number, "1.234").unwrap(), Value::Number(1.234));
        assert!(parse_dhis2_value(ValueType::Number, "1.234,5").is_err());
        assert_eq!(parse_dhis2_value(ValueType::YesNo, "true").unwrap(), Value::YesNo(true));
        assert!(parse_dhis2_value(ValueType::YesNo, "có").is_err());
        assert!(parse_dhis2_value(ValueType::Integer, "2.5").is_err());
        assert_eq!(Value::Number(1234.5).to_dhis2(), "1234.5");
        assert_eq!(Value::YesNo(false).to_dhis2(), "false");
        let row = Dhis2DataValue {
            data_element: "CHI_CNTT".into(),
            period: "2024".into(),
            org_unit: "51".into(),
            value: "1500".into(),
            ..Default::default()
        };
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"dataElement": "CHI_CNTT", "period": "2024", "orgUnit": "51", "value": "1500"})
        );
        assert_eq!(row.non_default_combo(), None);
        for default in ["", " default ", DHIS2_DEFAULT_COMBO] {
            let row = Dhis2DataValue { category_option_combo: Some(default.into()), ..row.clone() };
            assert_eq!(row.non_default_combo(), None, "{default}");
        }
        let split = Dhis2DataValue { attribute_option_combo: Some("Nu1AbcXyz9".into()), ..row.clone() };
        assert_eq!(split.non_default_combo(), Some(("attributeOptionCombo", "Nu1AbcXyz9")));
        let parsed: Dhis2DataValue = serde_json::from_value(serde_json::json!({
            "dataElement": "CHI_CNTT", "period": "2024", "orgUnit": "51", "value": "1500",
            "categoryOptionCombo": "HllvX50cXC0", "storedBy": "admin", "lastUpdated": "2024-01-01T00:00:00Z",
            "followup": false
        }))
        .unwrap();
        assert_eq!((parsed.stored_by.as_deref(), parsed.non_default_combo()), (Some("admin"), None));
    }

    fn percent_indicator() -> Indicator {
        Indicator {
            code: c("TY_LE_X"),
            name: "Tỷ lệ X".into(),
            description: String::new(),
            unit: Unit::Percent,
            value_type: ValueType::Percent,
            aggregation: AggregationRule::Average,
            period_type: PeriodType::Quarterly,
            formula: None,
            expected_min: Some(0.0),
            expected_max: Some(100.0),
            cite: None,
        }
    }

    #[test]
    fn entry_checks_period_type_and_flags_out_of_range() {
        let ind = percent_indicator();
        assert_eq!(ind.check_entry(&p("2024Q1"), "45,5").unwrap(), (Value::Number(45.5), None));
        let (value, flag) = ind.check_entry(&p("2024Q1"), "120").unwrap();
        assert_eq!(value, Value::Number(120.0));
        let flag = flag.unwrap();
        assert_eq!(flag, RangeFlag::Above { value: 120.0, max: 100.0 });
        assert!(flag.message().contains("lớn hơn mức dự kiến tối đa 100"), "{}", flag.message());
        assert_eq!(ind.range_flag(&Value::Number(-1.0)), Some(RangeFlag::Below { value: -1.0, min: 0.0 }));
        assert_eq!(ind.range_flag(&Value::Number(100.0)), None);
        assert_eq!(field(ind.check_entry(&p("2024"), "5").unwrap_err()).0, "period");
        let computed = Indicator { formula: Some(Formula::parse("#{A1} * 2").unwrap()), ..percent_indicator() };
        let (f, msg) = field(computed.check_entry(&p("2024Q1"), "5").unwrap_err());
        assert_eq!(f, "indicator");
        assert!(msg.contains("TY_LE_X được tính theo công thức"), "{msg}");
        let (f, msg) = field(ind.accepts_entry(&p("202401")).unwrap_err());
        assert_eq!(f, "period");
        assert!(msg.contains("theo kỳ quý, không nhập cho Tháng 01/2024"), "{msg}");
    }

    #[test]
    fn definitions_are_checked() {
        assert!(percent_indicator().validate().is_ok());
        let unnamed = Indicator { name: " ".into(), ..percent_indicator() };
        assert_eq!(field(unnamed.validate().unwrap_err()).0, "name");
        let inverted = Indicator { expected_min: Some(10.0), expected_max: Some(5.0), ..percent_indicator() };
        assert_eq!(field(inverted.validate().unwrap_err()).0, "expected_max");
        let same = Indicator {
            aggregation: AggregationRule::RatioOfSums { numerator: c("A1"), denominator: c("A1"), factor: None },
            ..percent_indicator()
        };
        assert_eq!(field(same.validate().unwrap_err()).0, "aggregation");
        let itself = Indicator { formula: Some(Formula::parse("#{TY_LE_X} + 1").unwrap()), ..percent_indicator() };
        assert_eq!(field(itself.validate().unwrap_err()).0, "formula");
    }

    #[test]
    fn targets_are_not_finer_than_the_indicator() {
        let ind = Indicator { period_type: PeriodType::Quarterly, ..percent_indicator() };
        let target = |period: &str| IndicatorTarget {
            indicator: ind.code.clone(),
            org_id: 1,
            period: p(period),
            value: 100.0,
            note: None,
        };
        assert!(target("2024").validate(&ind).is_ok());
        assert!(target("2024Q2").validate(&ind).is_ok());
        assert_eq!(field(target("202404").validate(&ind).unwrap_err()).0, "period");
    }

    #[test]
    fn aggregation_rules() {
        let vals =
            [Contribution::value(4.0), Contribution::default(), Contribution::value(10.0), Contribution::value(1.0)];
        assert_eq!(aggregate(&AggregationRule::Sum, &vals), Some(15.0));
        assert_eq!(aggregate(&AggregationRule::Average, &vals), Some(5.0));
        assert_eq!(aggregate(&AggregationRule::Min, &vals), Some(1.0));
        assert_eq!(aggregate(&AggregationRule::Max, &vals), Some(10.0));
        for rule in [AggregationRule::Sum, AggregationRule::Average, AggregationRule::Min, AggregationRule::Max] {
            assert_eq!(aggregate(&rule, &[]), None);
            assert_eq!(aggregate(&rule, &[Contribution::default()]), None);
        }
        let weighted = AggregationRule::WeightedAverage { weight: c("DAN_SO") };
        // 80 % of 1.000 people and 20 % of 4.000: (800 + 800) / 5.000 = 32 %, not (80 + 20) / 2 = 50 %.
        let inputs =
            [Contribution::weighted(80.0, 1000.0), Contribution::weighted(20.0, 4000.0), Contribution::value(99.0)];
        assert!(close(aggregate(&weighted, &inputs).unwrap(), 32.0));
        assert_eq!(aggregate(&weighted, &[Contribution::weighted(5.0, 0.0)]), None);
    }

    #[test]
    fn ratio_of_sums_is_not_the_average_of_ratios() {
        let rule = AggregationRule::RatioOfSums { numerator: c("TU"), denominator: c("MAU"), factor: Some(100.0) };
        // Unit A: 9 of 10 (90 %); unit B: 1 of 90 (1,1 %).
        let units = [Contribution::ratio(9.0, 10.0), Contribution::ratio(1.0, 90.0)];
        let ratio_of_sums = aggregate(&rule, &units).unwrap();
        assert!(close(ratio_of_sums, 10.0), "{ratio_of_sums}");
        let own_ratios: Vec<Contribution> = [9.0 / 10.0 * 100.0, 1.0 / 90.0 * 100.0].map(Contribution::value).to_vec();
        let average_of_ratios = aggregate(&AggregationRule::Average, &own_ratios).unwrap();
        assert_eq!(format_number(average_of_ratios), "45,56");
        assert_eq!(format_number(ratio_of_sums), "10");
        // A unit missing its denominator is left out; a zero total denominator gives nothing.
        let partial = [Contribution::ratio(9.0, 10.0), Contribution { numerator: Some(5.0), ..Default::default() }];
        assert!(close(aggregate(&rule, &partial).unwrap(), 90.0));
        assert_eq!(aggregate(&rule, &[Contribution::ratio(3.0, 0.0)]), None);
        assert_eq!(aggregate(&rule, &[]), None);
        let no_factor = AggregationRule::RatioOfSums { numerator: c("TU"), denominator: c("MAU"), factor: None };
        assert!(close(aggregate(&no_factor, &units).unwrap(), 0.1));
    }

    #[test]
    fn aggregation_over_periods_uses_the_same_rules() {
        // Monthly online-application counts rolled up to a quarter.
        let months =
            [Contribution::ratio(30.0, 100.0), Contribution::ratio(60.0, 100.0), Contribution::ratio(10.0, 200.0)];
        let rule = AggregationRule::RatioOfSums { numerator: c("TU"), denominator: c("MAU"), factor: Some(100.0) };
        assert!(close(aggregate(&rule, &months).unwrap(), 25.0));
        let quarter = p("2024Q1").months();
        assert_eq!(quarter.len(), months.len());
    }

    #[test]
    fn formulas_parse_and_evaluate() {
        let f = Formula::parse("#{CHI_ATTT} / #{CHI_CNTT} * 100").unwrap();
        assert_eq!(f.references(), vec![c("CHI_ATTT"), c("CHI_CNTT")]);
        let vals = HashMap::from([(c("CHI_ATTT"), 150.0), (c("CHI_CNTT"), 1000.0)]);
        assert!(close(f.eval(|k| vals.get(k).copied()).unwrap(), 15.0));
        // Precedence, parentheses, unary minus, Vietnamese decimals.
        let lookup = |_: &IndicatorCode| -> Option<f64> { None };
        let eval = |s: &str| Formula::parse(s).unwrap().eval(lookup);
        assert_eq!(eval("1 + 2 * 3"), Some(7.0));
        assert_eq!(eval("(1 + 2) * 3"), Some(9.0));
        assert_eq!(eval("10 - 4 - 3"), Some(3.0));
        assert_eq!(eval("12 / 2 / 3"), Some(2.0));
        assert_eq!(eval("-2 * -(3 - 1)"), Some(4.0));
        assert_eq!(eval("1.234,5 + 0,5"), Some(1235.0));
        assert_eq!(eval("2.5 * 2"), Some(5.0));
        assert_eq!(eval("1 / 0"), None);
        assert_eq!(eval("1 / (2 - 2)"), None);
        // A missing reference gives nothing.
        assert_eq!(Formula::parse("#{A1} + 1").unwrap().eval(lookup), None);
        let same = Formula::parse("#{A1} * #{A1} + #{B2}").unwrap();
        assert_eq!(same.references(), vec![c("A1"), c("B2")]);
        assert_eq!(Formula::parse("-#{A1}").unwrap().expr(), &Expr::Neg(Box::new(Expr::Ref(c("A1")))));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, "\"#{CHI_ATTT} / #{CHI_CNTT} * 100\"");
        assert_eq!(serde_json::from_str::<Formula>(&json).unwrap(), f);
    }

    #[test]
    fn formula_errors_name_the_position() {
        for (src, pos, words) in [
            ("", None, "trống"),
            ("1 +", Some(4), "kết thúc giữa chừng"),
            ("(1 + 2", Some(7), "thiếu dấu ')' cho dấu '(' ở vị trí 1"),
            ("1 + 2)", Some(6), "thừa dấu ')'"),
            ("1 2", Some(3), "thừa '2'"),
            ("#{chi}", Some(3), "mã chỉ tiêu 'chi'"),
            ("#{CHI", Some(1), "thiếu dấu '}'"),
            ("#CHI", Some(1), "sau '#'"),
            ("2 ^ 3", Some(3), "ký tự '^'"),
            ("1 + * 2", Some(5), "cần số"),
            ("1,2,3", Some(1), "số '1,2,3'"),
            ("Tổng", Some(1), "ký tự 'T'"),
        ] {
            let (f, msg) = field(Formula::parse(src).unwrap_err());
            assert_eq!(f, "formula");
            if let Some(pos) = pos {
                assert!(msg.starts_with(&format!("vị trí {pos}:")), "{src}: {msg}");
            }
            assert!(msg.contains(words), "{src}: {msg}");
        }
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(field(Formula::parse(&deep).unwrap_err()).1.contains("quá sâu"));
        let long = vec!["1"; 600].join("+");
        assert!(field(Formula::parse(&long).unwrap_err()).1.contains("dài quá"));
    }

    #[test]
    fn cycles_among_formulas() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<IndicatorCode, Formula> {
            pairs.iter().map(|(k, f)| (c(k), Formula::parse(f).unwrap())).collect()
        };
        let ok = map(&[("TY_LE", "#{TU} / #{MAU} * 100"), ("TU", "#{A1} + #{B1}"), ("GAP_DOI", "#{TY_LE} * 2")]);
        assert_eq!(find_cycle(&ok), None);
        assert!(ensure_acyclic(&ok).is_ok());
        let looped = map(&[("AA", "#{BB} + 1"), ("BB", "#{CC} * 2"), ("CC", "#{AA} - #{X1}")]);
        assert_eq!(find_cycle(&looped), Some(vec![c("AA"), c("BB"), c("CC"), c("AA")]));
        let (f, msg) = field(ensure_acyclic(&looped).unwrap_err());
        assert_eq!(f, "formula");
        assert!(msg.contains("AA → BB → CC → AA"), "{msg}");
        let selfish = map(&[("AA", "#{AA} + 1")]);
        assert_eq!(find_cycle(&selfish), Some(vec![c("AA"), c("AA")]));
    }

    fn lookup(pairs: &[(&str, f64)]) -> impl Fn(&IndicatorCode) -> Option<f64> {
        let map: HashMap<IndicatorCode, f64> = pairs.iter().map(|(k, v)| (c(k), *v)).collect();
        move |k| map.get(k).copied()
    }

    fn shipped(code: &str) -> ValidationRule {
        shipped_rules().unwrap().into_iter().find(|r| r.code == code).unwrap()
    }

    #[test]
    fn security_spending_rule() {
        let rule = shipped("ATTT_TOI_THIEU_10_PHAN_TRAM_CNTT");
        assert!(rule.cite.contains("003_78fc1cb0f2550b87.txt") && rule.cite.contains("IV.6"));
        assert_eq!(
            rule.evaluate(lookup(&[("CHI_ATTT", 150.0), ("CHI_CNTT", 1000.0)])),
            RuleOutcome::Pass { left: 15.0, right: 10.0 }
        );
        // Exactly 10 %, even where floating point lands a hair below.
        assert!(matches!(rule.evaluate(lookup(&[("CHI_ATTT", 0.7), ("CHI_CNTT", 7.0)])), RuleOutcome::Pass { .. }));
        let fail = rule.evaluate(lookup(&[("CHI_ATTT", 50.0), ("CHI_CNTT", 1000.0)]));
        assert_eq!(fail, RuleOutcome::Fail { left: 5.0, right: 10.0 });
        assert!(
            rule.message(&fail).starts_with("Không đạt: Chi cho an toàn thông tin mạng"),
            "{}",
            rule.message(&fail)
        );
        assert!(rule.message(&fail).ends_with(": 5 so với yêu cầu ≥ 10."), "{}", rule.message(&fail));
        let skipped = rule.evaluate(lookup(&[("CHI_CNTT", 1000.0)]));
        assert_eq!(skipped, RuleOutcome::Skipped { missing: vec![c("CHI_ATTT")] });
        assert!(rule.message(&skipped).contains("thiếu số liệu CHI_ATTT"));
        let zero = rule.evaluate(lookup(&[("CHI_ATTT", 0.0), ("CHI_CNTT", 0.0)]));
        assert_eq!(zero, RuleOutcome::Skipped { missing: vec![] });
        assert!(rule.message(&zero).contains("chia cho 0"));
    }

    #[test]
    fn dx_budget_rule() {
        let rule = shipped("CDS_TOI_THIEU_1_PHAN_TRAM_NGAN_SACH");
        assert!(rule.cite.contains("V.3"));
        assert!(matches!(
            rule.evaluate(lookup(&[("CHI_CDS", 12_000.0), ("TONG_CHI_NS", 1_000_000.0)])),
            RuleOutcome::Pass { .. }
        ));
        let RuleOutcome::Fail { left, right } =
            rule.evaluate(lookup(&[("CHI_CDS", 5_500.0), ("TONG_CHI_NS", 1_000_000.0)]))
        else {
            panic!("0,55 % must fail the 1 % rule");
        };
        assert!(close(left, 0.55) && right == 1.0);
    }

    #[test]
    fn comparisons_with_tolerance() {
        assert!(Comparison::Ge.holds(10.0, 10.0) && Comparison::Le.holds(10.0, 10.0));
        assert!(Comparison::Eq.holds(0.1 + 0.2, 0.3));
        assert!(!Comparison::Gt.holds(0.1 + 0.2, 0.3) && !Comparison::Ne.holds(0.1 + 0.2, 0.3));
        assert!(Comparison::Lt.holds(1.0, 2.0) && !Comparison::Lt.holds(2.0, 1.0));
        assert!(!Comparison::Ge.holds(9.99, 10.0));
    }

    #[test]
    fn shipped_data_is_consistent() {
        let indicators = shipped_indicators().unwrap();
        let codes: HashSet<IndicatorCode> = indicators.iter().map(|i| i.code.clone()).collect();
        assert_eq!(codes.len(), indicators.len(), "codes are unique");
        for ind in &indicators {
            ind.validate().unwrap();
            assert!(ind.cite.as_deref().is_some_and(|c| c.contains(".txt") && c.contains("dòng")), "{}", ind.code);
            for r in ind.aggregation.inputs() {
                assert!(codes.contains(r), "{} reads unknown {r}", ind.code);
            }
            for r in ind.formula.iter().flat_map(Formula::references) {
                assert!(codes.contains(&r), "{} reads unknown {r}", ind.code);
            }
        }
        let formulas: BTreeMap<IndicatorCode, Formula> =
            indicators.iter().filter_map(|i| Some((i.code.clone(), i.formula.clone()?))).collect();
        assert_eq!(find_cycle(&formulas), None);
        for rule in shipped_rules().unwrap() {
            for r in rule.left.references().into_iter().chain(rule.right.references()) {
                assert!(codes.contains(&r), "{} reads unknown {r}", rule.code);
            }
            assert!(rule.cite.contains(".txt") && rule.cite.contains("dòng"), "{}", rule.code);
        }
        let ratio = indicators.iter().find(|i| i.code.as_str() == "TY_LE_HTTT_PHE_DUYET_CAP_DO").unwrap();
        assert_eq!(ratio.unit, Unit::Percent);
        assert_eq!(
            ratio.aggregation,
            AggregationRule::RatioOfSums {
                numerator: c("SO_HTTT_PHE_DUYET_CAP_DO"),
                denominator: c("SO_HTTT"),
                factor: Some(100.0)
            }
        );
        assert_eq!(ratio.formula.as_ref().unwrap().source(), "#{SO_HTTT_PHE_DUYET_CAP_DO} / #{SO_HTTT} * 100");
        let per_officer = indicators.iter().find(|i| i.code.as_str() == "TY_LE_MAY_TINH_CBCC").unwrap();
        assert_eq!(per_officer.formula.as_ref().unwrap().source(), "#{SO_MAY_TINH} / #{SO_CBCC}");
    }

    // --- restructuring ---

    const OLD_KON_TUM: OrgId = 62;
    const OLD_QUANG_NGAI: OrgId = 51;
    const NEW_QUANG_NGAI: OrgId = 1051;
    const NATION: OrgId = 1;

    fn merger(org: OrgId) -> Vec<Successor> {
        match org {
            OLD_KON_TUM | OLD_QUANG_NGAI => vec![Successor::new(NEW_QUANG_NGAI)],
            _ => vec![],
        }
    }

    #[test]
    fn merged_provinces_sum() {
        let values = [(OLD_KON_TUM, Contribution::value(1200.0)), (OLD_QUANG_NGAI, Contribution::value(800.0))];
        let out = attribute(&AggregationRule::Sum, &values, merger).unwrap();
        assert!(out.iter().all(|a| a.org_id == NEW_QUANG_NGAI && a.share == 1.0));
        assert_eq!(out.iter().map(|a| a.source).collect::<Vec<_>>(), [OLD_KON_TUM, OLD_QUANG_NGAI]);
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_QUANG_NGAI), Some(2000.0));
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == OLD_KON_TUM), None);
    }

    #[test]
    fn merged_provinces_ratio_of_sums() {
        let rule = AggregationRule::RatioOfSums { numerator: c("TU"), denominator: c("MAU"), factor: Some(100.0) };
        let values = [(OLD_KON_TUM, Contribution::ratio(9.0, 10.0)), (OLD_QUANG_NGAI, Contribution::ratio(1.0, 90.0))];
        let out = attribute(&rule, &values, merger).unwrap();
        assert!(close(roll_up(&rule, &out, |o| o == NEW_QUANG_NGAI).unwrap(), 10.0));
        // A current unit's own value is left as it is and rolls up with the merged ones.
        let with_current = [values[0], values[1], (NATION + 2, Contribution::ratio(0.0, 100.0))];
        let out = attribute(&rule, &with_current, merger).unwrap();
        assert!(close(roll_up(&rule, &out, |_| true).unwrap(), 5.0));
    }

    const OLD_COMMUNE: OrgId = 500;
    const NEW_A: OrgId = 601;
    const NEW_B: OrgId = 602;

    #[test]
    fn split_commune_in_equal_shares() {
        let split = |org| if org == OLD_COMMUNE { vec![Successor::new(NEW_A), Successor::new(NEW_B)] } else { vec![] };
        let out = attribute(&AggregationRule::Sum, &[(OLD_COMMUNE, Contribution::value(300.0))], split).unwrap();
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_A), Some(150.0));
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_B), Some(150.0));
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |_| true), Some(300.0));
        // Non-additive: each successor inherits the value as it is.
        let out = attribute(&AggregationRule::Max, &[(OLD_COMMUNE, Contribution::value(80.0))], split).unwrap();
        assert_eq!(roll_up(&AggregationRule::Max, &out, |o| o == NEW_A), Some(80.0));
        assert_eq!(roll_up(&AggregationRule::Average, &out, |o| o == NEW_B), Some(80.0));
    }

    #[test]
    fn split_commune_in_stated_shares() {
        let split = |org| {
            if org == OLD_COMMUNE {
                vec![Successor::with_share(NEW_A, 0.7), Successor::with_share(NEW_B, 0.3)]
            } else {
                vec![]
            }
        };
        let out = attribute(&AggregationRule::Sum, &[(OLD_COMMUNE, Contribution::value(1000.0))], split).unwrap();
        assert!(close(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_A).unwrap(), 700.0));
        assert!(close(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_B).unwrap(), 300.0));
        // A ratio's numerator and denominator are split alike, so each part keeps the old ratio,
        // and a neighbour that merged into B weighs in by its own size.
        let rule = AggregationRule::RatioOfSums { numerator: c("TU"), denominator: c("MAU"), factor: Some(100.0) };
        let neighbour: OrgId = 501;
        let split_and_merge = |org| match org {
            OLD_COMMUNE => vec![Successor::with_share(NEW_A, 0.7), Successor::with_share(NEW_B, 0.3)],
            501 => vec![Successor::new(NEW_B)],
            _ => vec![],
        };
        let values = [(OLD_COMMUNE, Contribution::ratio(50.0, 100.0)), (neighbour, Contribution::ratio(0.0, 70.0))];
        let out = attribute(&rule, &values, split_and_merge).unwrap();
        assert!(close(roll_up(&rule, &out, |o| o == NEW_A).unwrap(), 50.0));
        // B: (15 + 0) / (30 + 70) = 15 %.
        assert!(close(roll_up(&rule, &out, |o| o == NEW_B).unwrap(), 15.0));
        assert!(close(roll_up(&rule, &out, |_| true).unwrap(), 50.0 / 170.0 * 100.0));
        // One share stated, the other takes the rest.
        let partly = |org| {
            if org == OLD_COMMUNE { vec![Successor::with_share(NEW_A, 0.25), Successor::new(NEW_B)] } else { vec![] }
        };
        let out = attribute(&AggregationRule::Sum, &[(OLD_COMMUNE, Contribution::value(100.0))], partly).unwrap();
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == NEW_B), Some(75.0));
    }

    #[test]
    fn bad_shares_are_refused() {
        let over = |org| {
            if org == OLD_COMMUNE {
                vec![Successor::with_share(NEW_A, 0.7), Successor::with_share(NEW_B, 0.5)]
            } else {
                vec![]
            }
        };
        let (f, msg) =
            field(attribute(&AggregationRule::Sum, &[(OLD_COMMUNE, Contribution::value(1.0))], over).unwrap_err());
        assert_eq!(f, "share");
        assert!(msg.contains("100%") && msg.contains("120%"), "{msg}");
        let under = |org| {
            if org == OLD_COMMUNE {
                vec![Successor::with_share(NEW_A, 0.5), Successor::with_share(NEW_B, 0.3)]
            } else {
                vec![]
            }
        };
        assert!(attribute(&AggregationRule::Sum, &[(OLD_COMMUNE, Contribution::value(1.0))], under).is_err());
    }

    #[test]
    fn chains_are_followed() {
        // Commune (before 7/2025) → district-era commune → today's commune, split on the way.
        let (old, mid, a, b) = (10, 20, 30, 40);
        let chain = move |org| match org {
            10 => vec![Successor::new(mid)],
            20 => vec![Successor::with_share(a, 0.5), Successor::with_share(b, 0.5)],
            _ => vec![],
        };
        let out = attribute(
            &AggregationRule::Sum,
            &[(old, Contribution::value(100.0)), (mid, Contribution::value(20.0))],
            chain,
        )
        .unwrap();
        assert!(out.iter().all(|x| x.org_id == a || x.org_id == b));
        assert_eq!(roll_up(&AggregationRule::Sum, &out, |o| o == a), Some(60.0));
        assert!(out.iter().any(|x| x.source == old && x.org_id == b && x.share == 0.5));
        // A unit listed as its own successor is current; a real loop is an error.
        let selfish = |org| vec![Successor::new(org)];
        assert_eq!(attribute(&AggregationRule::Sum, &[(7, Contribution::value(1.0))], selfish).unwrap()[0].org_id, 7);
        let looped = |org| if org == 1 { vec![Successor::new(2)] } else { vec![Successor::new(1)] };
        assert_eq!(
            field(attribute(&AggregationRule::Sum, &[(1, Contribution::value(1.0))], looped).unwrap_err()).0,
            "successors"
        );
    }

    #[test]
    fn weighted_average_across_a_split_keeps_weights_whole() {
        let rule = AggregationRule::WeightedAverage { weight: c("DAN_SO") };
        let split = |org| if org == OLD_COMMUNE { vec![Successor::new(NEW_A), Successor::new(NEW_B)] } else { vec![] };
        let values =
            [(OLD_COMMUNE, Contribution::weighted(80.0, 1000.0)), (NEW_A, Contribution::weighted(20.0, 500.0))];
        let out = attribute(&rule, &values, split).unwrap();
        // Each successor inherits 80 with half the weight: the whole is still (80·1000 + 20·500) / 1500.
        assert!(close(roll_up(&rule, &out, |_| true).unwrap(), 60.0));
        assert!(close(roll_up(&rule, &out, |o| o == NEW_B).unwrap(), 80.0));
    }

    #[test]
    fn restructuring_rule_is_worded_for_users() {
        assert!(RESTRUCTURING_RULE_VI.contains("chia đều"));
        assert!(RESTRUCTURING_RULE_VI.contains("đơn vị kế thừa"));
    }

    #[test]
    fn openapi_shows_periods_codes_and_formulas_as_strings() {
        use utoipa::PartialSchema;
        let mut schemas = Vec::new();
        <DataValue as ToSchema>::schemas(&mut schemas);
        <ValidationRule as ToSchema>::schemas(&mut schemas);
        let json = |name: &str| {
            let (_, schema) = schemas.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} missing"));
            serde_json::to_value(schema).unwrap()
        };
        assert_eq!(json("Period")["type"], "string");
        assert_eq!(json("Formula")["type"], "string");
        assert_eq!(serde_json::to_value(IndicatorCode::schema()).unwrap()["type"], "string");
        let rule = serde_json::to_value(ValidationRule::schema()).unwrap();
        assert_eq!(rule["properties"]["left"]["$ref"], "#/components/schemas/Formula");
    }

    #[test]
    fn data_values_serialise() {
        let v = DataValue {
            indicator: c("CHI_CNTT"),
            org_id: 51,
            period: p("2024"),
            value: Value::Number(1500.0),
            comment: Some("Số liệu quyết toán".into()),
            stored_by: 3,
            stored_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
        };
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["period"], "2024");
        assert_eq!(json["value"], 1500.0);
        assert_eq!(serde_json::from_value::<DataValue>(json).unwrap(), v);
    }
}
