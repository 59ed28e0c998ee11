//! KPI of people and units over a month, a quarter or a year (seed `000_…` III.1.c: "đánh giá
//! KPI theo tháng, quý, năm"): the period, the weights, how each task counts, and the score.
//! Pure functions over values; `services/kpi.rs` loads the tasks and decides who may see what.
//!
//! # Definitions (shown to users by [`definitions`])
//!
//! - **Tasks counted**: tasks whose deadline falls in the period, of plans approved at least once;
//!   cancelled tasks are left out.
//! - **Evaluation day** `E`: today, or the first day after the period once it has ended — a closed
//!   period is judged as it stood when it closed, the way a task due Friday and checked on Monday
//!   is one working day late.
//! - **Completed on time**: completed on or before the deadline. **Completed late**: after it.
//! - **Overdue** = completed late + still open (not started or in progress) with a deadline before
//!   `E`. A paused task is neither completed nor overdue (as in the task list's statuses).
//! - **Delay**, in working days of the Vietnamese calendar: from the deadline to the completion
//!   date for a task completed late, to `E` for a task still open; averaged over overdue tasks.
//! - **Quality**: the leader's 1–5 rating, averaged over rated completed tasks.
//!
//! # Score
//!
//! Four components, each normalised to 0..1: completion = completed / assigned; on time =
//! on time / completed; quality = (average rating − 1) / 4, so the scale's lowest mark gives 0
//! and its highest 1; no overdue = 1 − overdue / assigned. The score is
//! `100 × Σ wᵢ·cᵢ / Σ wᵢ` over the components that have data (on time needs a completed task,
//! quality a rated one): a component without data is left out and the others' weights are
//! renormalised, so nobody gains or loses for what cannot be measured yet. Rounded to 0,1.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;
use crate::work::TaskState;
use crate::{DomainError, Result};

/// A month, a quarter or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year(i32),
}

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

impl Period {
    /// Parses "2026-11", "2026-Q4", "2026" and the Vietnamese labels "Tháng 11/2026",
    /// "Quý IV/2026" (or "Quý 4/2026"), "Năm 2026" — with or without diacritics, any case.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            DomainError::invalid(
                "period",
                format!(
                    "không hiểu kỳ đánh giá '{}': ghi tháng (2026-11, Tháng 11/2026), quý (2026-Q4, Quý IV/2026) hoặc năm (2026, Năm 2026)",
                    s.trim()
                ),
            )
        };
        let folded = textvi::fold(s);
        let year = |y: &str| y.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        let month = |m: &str| m.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m));
        let quarter = |q: &str| {
            let q = q.trim();
            q.parse::<u32>()
                .ok()
                .or_else(|| ROMAN.iter().position(|r| r.eq_ignore_ascii_case(q)).map(|i| i as u32 + 1))
                .filter(|q| (1..=4).contains(q))
        };
        let parsed = if let Some(rest) = folded.strip_prefix("thang ") {
            let (m, y) = rest.split_once('/').ok_or_else(bad)?;
            month(m).zip(year(y)).map(|(month, year)| Period::Month { year, month })
        } else if let Some(rest) = folded.strip_prefix("quy ") {
            let (q, y) = rest.split_once('/').ok_or_else(bad)?;
            quarter(q).zip(year(y)).map(|(quarter, year)| Period::Quarter { year, quarter })
        } else if let Some(rest) = folded.strip_prefix("nam ") {
            year(rest).map(Period::Year)
        } else if let Some((y, q)) = folded.split_once("-q") {
            year(y).zip(quarter(q)).map(|(year, quarter)| Period::Quarter { year, quarter })
        } else if let Some((y, m)) = folded.split_once('-') {
            year(y).zip(month(m)).map(|(year, month)| Period::Month { year, month })
        } else {
            year(&folded).map(Period::Year)
        };
        parsed.ok_or_else(bad)
    }

    /// The quarter that holds `day` (the default period).
    pub fn quarter_of(day: NaiveDate) -> Self {
        Period::Quarter { year: day.year(), quarter: (day.month() - 1) / 3 + 1 }
    }
    pub fn month_of(day: NaiveDate) -> Self {
        Period::Month { year: day.year(), month: day.month() }
    }
    pub fn year_of(day: NaiveDate) -> Self {
        Period::Year(day.year())
    }

    /// The machine form: "2026-11", "2026-Q4", "2026".
    pub fn code(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Period::Year(year) => year.to_string(),
        }
    }

    /// The Vietnamese form: "Tháng 11/2026", "Quý IV/2026", "Năm 2026".
    pub fn label(self) -> String {
        match self {
            Period::Month { year, month } => format!("Tháng {month}/{year}"),
            Period::Quarter { year, quarter } => {
                format!("Quý {}/{year}", ROMAN.get(quarter as usize - 1).copied().unwrap_or("?"))
            }
            Period::Year(year) => format!("Năm {year}"),
        }
    }

    /// First and last month, inclusive.
    fn months(self) -> (i32, u32, u32) {
        match self {
            Period::Month { year, month } => (year, month, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, quarter * 3),
            Period::Year(year) => (year, 1, 12),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let (year, first, _) = self.months();
        NaiveDate::from_ymd_opt(year, first, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        let (year, _, last) = self.months();
        let next = if last == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, last + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }

    /// The period of the same kind just before (`-1`) or after (`1`) this one.
    pub fn step(self, by: i32) -> Self {
        match self {
            Period::Month { year, month } => {
                let n = year * 12 + month as i32 - 1 + by;
                Period::Month { year: n.div_euclid(12), month: n.rem_euclid(12) as u32 + 1 }
            }
            Period::Quarter { year, quarter } => {
                let n = year * 4 + quarter as i32 - 1 + by;
                Period::Quarter { year: n.div_euclid(4), quarter: n.rem_euclid(4) as u32 + 1 }
            }
            Period::Year(year) => Period::Year(year + by),
        }
    }

    /// The evaluation day `E`: today while the period runs, the first day after it once it ended.
    pub fn evaluation_day(self, today: NaiveDate) -> NaiveDate {
        let after = self.last_day().succ_opt().unwrap_or(NaiveDate::MAX);
        today.min(after)
    }
}

/// How much each component weighs in the score (settings key `kpi_weights`): 0–100 each, not
/// all zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KpiWeights {
    pub completion: u32,
    pub on_time: u32,
    pub quality: u32,
    pub no_overdue: u32,
}

impl Default for KpiWeights {
    fn default() -> Self {
        Self { completion: 30, on_time: 30, quality: 30, no_overdue: 10 }
    }
}

impl KpiWeights {
    pub const KEY: &'static str = "kpi_weights";

    pub fn validate(self) -> Result<Self> {
        for (c, w) in self.each() {
            if w > 100 {
                return Err(DomainError::invalid(c.field(), format!("trọng số “{}” từ 0 đến 100", c.label())));
            }
        }
        if self.each().iter().all(|(_, w)| *w == 0) {
            return Err(DomainError::invalid("completion", "cần ít nhất một trọng số lớn hơn 0"));
        }
        Ok(self)
    }

    pub fn each(self) -> [(Component, u32); 4] {
        [
            (Component::Completion, self.completion),
            (Component::OnTime, self.on_time),
            (Component::Quality, self.quality),
            (Component::NoOverdue, self.no_overdue),
        ]
    }
}

/// One part of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Completion,
    OnTime,
    Quality,
    NoOverdue,
}

impl Component {
    /// The name of its weight in [`KpiWeights`] and in forms.
    pub fn field(self) -> &'static str {
        match self {
            Component::Completion => "completion",
            Component::OnTime => "on_time",
            Component::Quality => "quality",
            Component::NoOverdue => "no_overdue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Component::Completion => "Hoàn thành",
            Component::OnTime => "Đúng hạn",
            Component::Quality => "Chất lượng",
            Component::NoOverdue => "Không quá hạn",
        }
    }
    pub fn formula(self) -> &'static str {
        match self {
            Component::Completion => "số hoàn thành / số được giao",
            Component::OnTime => "số hoàn thành đúng hạn / số hoàn thành",
            Component::Quality => "(điểm chất lượng trung bình − 1) / 4",
            Component::NoOverdue => "1 − số quá hạn / số được giao",
        }
    }
}

/// Where one task stands on the evaluation day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Completed on or before the deadline.
    OnTime,
    /// Completed after the deadline.
    CompletedLate,
    /// Not started or in progress, deadline before the evaluation day.
    Overdue,
    /// Not started or in progress, not yet due.
    NotDue,
    Paused,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::OnTime => "Hoàn thành đúng hạn",
            Outcome::CompletedLate => "Hoàn thành quá hạn",
            Outcome::Overdue => "Chưa hoàn thành, quá hạn",
            Outcome::NotDue => "Chưa đến hạn",
            Outcome::Paused => "Tạm dừng",
        }
    }

    /// The counts a task with this outcome falls in, as the breakdown names them.
    pub fn counts(self) -> Vec<&'static str> {
        let mut out = vec!["Được giao"];
        match self {
            Outcome::OnTime => out.extend(["Hoàn thành", "Đúng hạn"]),
            Outcome::CompletedLate => out.extend(["Hoàn thành", "Quá hạn"]),
            Outcome::Overdue => out.push("Quá hạn"),
            Outcome::NotDue | Outcome::Paused => {}
        }
        out
    }
}

/// One task judged on the evaluation day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub outcome: Outcome,
    /// Working days late (completed late or overdue), else `None`.
    pub delay_days: Option<i64>,
    /// The rating, when the task is completed and rated.
    pub rating: Option<u8>,
}

/// Judges one task; `None` for a cancelled task, which KPI leaves out.
pub fn assess(
    deadline: NaiveDate,
    state: TaskState,
    completed_on: Option<NaiveDate>,
    rating: Option<u8>,
    evaluation_day: NaiveDate,
    calendar: &WorkCalendar,
) -> Option<Assessment> {
    let (outcome, delay_days) = match state {
        TaskState::Cancelled => return None,
        TaskState::Completed => match completed_on {
            Some(done) if done > deadline => {
                (Outcome::CompletedLate, Some(calendar.working_days_between(deadline, done)))
            }
            _ => (Outcome::OnTime, None),
        },
        TaskState::Paused => (Outcome::Paused, None),
        TaskState::NotStarted | TaskState::InProgress if deadline < evaluation_day => {
            (Outcome::Overdue, Some(calendar.working_days_between(deadline, evaluation_day)))
        }
        TaskState::NotStarted | TaskState::InProgress => (Outcome::NotDue, None),
    };
    let rating = rating.filter(|r| state == TaskState::Completed && (1..=5).contains(r));
    Some(Assessment { outcome, delay_days, rating })
}

/// Sums of assessed tasks; [`Tally::figures`] turns them into the figures and the score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    assigned: u64,
    on_time: u64,
    completed_late: u64,
    open_overdue: u64,
    delay_sum: u64,
    rated: u64,
    rating_sum: u64,
}

impl Tally {
    pub fn add(&mut self, a: &Assessment) {
        self.assigned += 1;
        match a.outcome {
            Outcome::OnTime => self.on_time += 1,
            Outcome::CompletedLate => self.completed_late += 1,
            Outcome::Overdue => self.open_overdue += 1,
            Outcome::NotDue | Outcome::Paused => {}
        }
        self.delay_sum += a.delay_days.unwrap_or(0).max(0) as u64;
        if let Some(r) = a.rating {
            self.rated += 1;
            self.rating_sum += u64::from(r);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.assigned == 0
    }

    pub fn figures(&self, weights: &KpiWeights) -> KpiFigures {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let completed = self.on_time + self.completed_late;
        let overdue = self.completed_late + self.open_overdue;
        let avg_rating = ratio(self.rating_sum, self.rated);
        let values = [
            (Component::Completion, ratio(completed, self.assigned)),
            (Component::OnTime, ratio(self.on_time, completed)),
            (Component::Quality, avg_rating.map(|r| (r - 1.0) / 4.0)),
            (Component::NoOverdue, ratio(overdue, self.assigned).map(|r| 1.0 - r)),
        ];
        let weight_of = |c: Component| weights.each().iter().find(|(x, _)| *x == c).map(|(_, w)| *w).unwrap_or(0);
        let measured: u32 = values.iter().filter(|(_, v)| v.is_some()).map(|(c, _)| weight_of(*c)).sum();
        let components: Vec<ComponentScore> = values
            .iter()
            .map(|&(component, value)| {
                let weight = weight_of(component);
                let share = match value {
                    Some(_) if measured > 0 => f64::from(weight) / f64::from(measured),
                    _ => 0.0,
                };
                ComponentScore {
                    component,
                    label: component.label(),
                    formula: component.formula(),
                    value,
                    weight,
                    share,
                    points: 100.0 * share * value.unwrap_or(0.0),
                }
            })
            .collect();
        let score = (measured > 0).then(|| round1(components.iter().map(|c| c.points).sum()));
        KpiFigures {
            assigned: self.assigned,
            completed,
            on_time: self.on_time,
            completed_late: self.completed_late,
            open_overdue: self.open_overdue,
            overdue,
            on_time_percent: ratio(self.on_time, completed).map(|r| 100.0 * r),
            avg_delay_days: ratio(self.delay_sum, overdue),
            rated: self.rated,
            avg_rating,
            components,
            score,
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The figures of a person or a unit over a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KpiFigures {
    /// Tasks counted (cancelled ones left out).
    pub assigned: u64,
    pub completed: u64,
    /// Completed on or before the deadline.
    pub on_time: u64,
    /// Completed after the deadline.
    pub completed_late: u64,
    /// Still open, deadline before the evaluation day.
    pub open_overdue: u64,
    /// `completed_late + open_overdue`.
    pub overdue: u64,
    /// `100 × on_time / completed`; absent when nothing is completed.
    pub on_time_percent: Option<f64>,
    /// Average working days late over the overdue tasks; absent when none is.
    pub avg_delay_days: Option<f64>,
    /// Completed tasks with a quality rating.
    pub rated: u64,
    /// Average rating (1–5) over rated tasks.
    pub avg_rating: Option<f64>,
    pub components: Vec<ComponentScore>,
    /// 0–100, one decimal; absent when no weighted component has data.
    pub score: Option<f64>,
}

/// One component of the score: its value, its weight and what it adds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ComponentScore {
    pub component: Component,
    pub label: &'static str,
    pub formula: &'static str,
    /// 0..1; absent when there is no data for it.
    pub value: Option<f64>,
    /// The configured weight.
    pub weight: u32,
    /// Its share of the score after leaving out components without data (0..1).
    pub share: f64,
    /// What it adds to the score: `100 × share × value`.
    pub points: f64,
}

/// A term of the KPI and how it is computed, as shown beside the figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct KpiDefinition {
    pub term: &'static str,
    pub text: String,
}

/// The definitions behind the figures, for `period` evaluated on `evaluation_day`.
pub fn definitions(period: Period, evaluation_day: NaiveDate) -> Vec<KpiDefinition> {
    let d = |term, text: String| KpiDefinition { term, text };
    let fmt = |x: NaiveDate| x.format("%d/%m/%Y").to_string();
    vec![
        d(
            "Nhiệm vụ được tính",
            format!(
                "Nhiệm vụ có hạn hoàn thành từ {} đến {} ({}), thuộc kế hoạch đã được phê duyệt; không tính nhiệm vụ đã hủy.",
                fmt(period.first_day()),
                fmt(period.last_day()),
                period.label()
            ),
        ),
        d(
            "Ngày đánh giá",
            format!(
                "{} — là hôm nay nếu kỳ chưa kết thúc, hoặc ngày đầu tiên sau kỳ nếu kỳ đã kết thúc.",
                fmt(evaluation_day)
            ),
        ),
        d("Hoàn thành đúng hạn", "Hoàn thành vào hoặc trước hạn hoàn thành.".into()),
        d(
            "Quá hạn",
            "Hoàn thành sau hạn, cộng với nhiệm vụ chưa hoàn thành (chưa bắt đầu hoặc đang thực hiện) có hạn trước ngày đánh giá. Nhiệm vụ tạm dừng không tính là hoàn thành và không tính là quá hạn.".into(),
        ),
        d(
            "Số ngày trễ",
            "Số ngày làm việc (trừ thứ Bảy, Chủ nhật, ngày lễ, ngày nghỉ bù theo lịch làm việc) từ sau hạn đến ngày hoàn thành, hoặc đến ngày đánh giá nếu chưa hoàn thành; trễ trung bình tính trên các nhiệm vụ quá hạn.".into(),
        ),
        d("Chất lượng", "Điểm đánh giá của lãnh đạo (1–5), trung bình trên các nhiệm vụ đã được đánh giá.".into()),
        d(
            "Điểm KPI",
            "100 × Σ (trọng số × thành phần) / Σ trọng số, mỗi thành phần quy về 0–1. Thành phần chưa có số liệu (chưa có nhiệm vụ hoàn thành, chưa có đánh giá) được bỏ qua và trọng số của các thành phần còn lại được chia lại theo tỷ lệ. Làm tròn đến 0,1.".into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_in_codes_and_vietnamese_labels() {
        let q4 = Period::Quarter { year: 2026, quarter: 4 };
        let nov = Period::Month { year: 2026, month: 11 };
        for s in ["2026-Q4", "2026-q4", "Quý IV/2026", "quý 4/2026", "Quy IV/2026"] {
            assert_eq!(Period::parse(s).unwrap(), q4, "{s}");
        }
        for s in ["2026-11", "Tháng 11/2026", "thang 11/2026"] {
            assert_eq!(Period::parse(s).unwrap(), nov, "{s}");
        }
        assert_eq!(Period::parse("Năm 2026").unwrap(), Period::Year(2026));
        assert_eq!(Period::parse(" 2026 ").unwrap(), Period::Year(2026));
        for bad in ["2026-13", "2026-Q5", "Quý V/2026", "tháng 11", "1999", "hôm nay", ""] {
            let e = Period::parse(bad).unwrap_err();
            assert!(matches!(e, DomainError::Invalid { field: "period", .. }), "{bad}");
        }
        assert_eq!((q4.code(), q4.label()), ("2026-Q4".to_string(), "Quý IV/2026".to_string()));
        assert_eq!((nov.code(), nov.label()), ("2026-11".to_string(), "Tháng 11/2026".to_string()));
        assert_eq!(Period::Month { year: 2026, month: 2 }.code(), "2026-02");
    }

    #[test]
    fn periods_know_their_days_and_neighbours() {
        let q4 = Period::Quarter { year: 2026, quarter: 4 };
        assert_eq!((q4.first_day(), q4.last_day()), (d(2026, 10, 1), d(2026, 12, 31)));
        assert_eq!(Period::Month { year: 2028, month: 2 }.last_day(), d(2028, 2, 29));
        assert_eq!(Period::Year(2026).last_day(), d(2026, 12, 31));
        assert_eq!(q4.step(1), Period::Quarter { year: 2027, quarter: 1 });
        assert_eq!(Period::Month { year: 2026, month: 1 }.step(-1), Period::Month { year: 2025, month: 12 });
        assert_eq!(Period::quarter_of(d(2026, 12, 10)), q4);
        assert_eq!(q4.evaluation_day(d(2026, 12, 10)), d(2026, 12, 10));
        assert_eq!(q4.evaluation_day(d(2027, 3, 1)), d(2027, 1, 1));
    }

    #[test]
    fn weights_are_checked() {
        assert!(KpiWeights::default().validate().is_ok());
        let zero = KpiWeights { completion: 0, on_time: 0, quality: 0, no_overdue: 0 };
        assert!(zero.validate().is_err());
        let big = KpiWeights { quality: 101, ..KpiWeights::default() };
        assert!(matches!(big.validate(), Err(DomainError::Invalid { field: "quality", .. })));
    }

    /// The worked example of the integration test, on the plain Monday–Friday week.
    #[test]
    fn figures_and_score_of_four_tasks() {
        let cal = WorkCalendar::default();
        let e = d(2026, 12, 10);
        let tasks = [
            (d(2026, 10, 30), TaskState::Completed, Some(d(2026, 10, 28)), Some(5)),
            (d(2026, 11, 13), TaskState::Completed, Some(d(2026, 11, 18)), Some(3)),
            (d(2026, 12, 4), TaskState::InProgress, None, None),
            (d(2026, 12, 22), TaskState::NotStarted, None, None),
            (d(2026, 12, 1), TaskState::Cancelled, None, None),
        ];
        let mut t = Tally::default();
        for (deadline, state, done, rating) in tasks {
            if let Some(a) = assess(deadline, state, done, rating, e, &cal) {
                t.add(&a);
            }
        }
        let f = t.figures(&KpiWeights::default());
        assert_eq!((f.assigned, f.completed, f.on_time, f.completed_late, f.open_overdue), (4, 2, 1, 1, 1));
        // Delays: Fri 13/11 → Wed 18/11 = 3; Fri 4/12 → Thu 10/12 = 4.
        assert_eq!(f.avg_delay_days, Some(3.5));
        assert_eq!(f.avg_rating, Some(4.0));
        // 30·0,5 + 30·0,5 + 30·0,75 + 10·0,5 = 57,5
        assert_eq!(f.score, Some(57.5));
        // Only completion and no-overdue have data: (30·0 + 10·1) / 40 = 25.
        let mut fresh = Tally::default();
        fresh.add(&assess(d(2026, 12, 22), TaskState::NotStarted, None, None, e, &cal).unwrap());
        let f = fresh.figures(&KpiWeights::default());
        assert_eq!((f.components[1].value, f.components[2].value, f.score), (None, None, Some(25.0)));
        // With only unmeasured components weighted, there is no score.
        let only_quality = KpiWeights { completion: 0, on_time: 0, quality: 100, no_overdue: 0 };
        assert_eq!(fresh.figures(&only_quality).score, None);
    }

    #[test]
    fn paused_and_unrated_tasks() {
        let cal = WorkCalendar::default();
        let a = assess(d(2026, 11, 2), TaskState::Paused, None, None, d(2026, 12, 10), &cal).unwrap();
        assert_eq!((a.outcome, a.delay_days), (Outcome::Paused, None));
        // A rating on a task that is no longer completed does not count.
        let a = assess(d(2026, 11, 2), TaskState::InProgress, None, Some(5), d(2026, 11, 2), &cal).unwrap();
        assert_eq!((a.outcome, a.rating), (Outcome::NotDue, None));
    }
}
