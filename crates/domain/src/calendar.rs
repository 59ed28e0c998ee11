//! The Vietnamese working-day calendar: the core of every deadline counted in working days.
//!
//! Public offices work Monday to Friday. The calendar lists only the exceptions: public holidays
//! (Labour Code 2019, art. 112), days off (a compensatory day for a holiday that fell on a weekend,
//! or a weekday swapped into a longer break) and make-up working days (a Saturday or Sunday worked
//! in exchange for a swapped day). The shipped list is `data/holidays/holidays.tsv` (parsed by the
//! `refdata` crate); admins edit it in the app.
//!
//! # How counting works
//!
//! Let `F(d)` be the number of working days from a fixed origin up to and including `d`. Then the
//! working days in `(from, to]` are `F(to) − F(from)`, and "n working days after `from`" is the
//! first date where `F` reaches `F(from) + n`. `F` is computed in O(log k) for k calendar entries:
//! Mon–Fri days are counted arithmetically (whole weeks times five plus the remainder) and the
//! entries that change a day's status are kept sorted with a running total of their effect, found
//! by binary search. [`WorkCalendar::add_working_days`] gallops (doubling steps) to a date past the
//! target and then bisects, so it costs O(log |n|) evaluations of `F` — no day-by-day loop, and a
//! pathological `n` (e.g. `i32::MAX`) finishes in a few dozen steps, clamped to the last or first
//! representable date.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a calendar entry makes of its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Ngày lễ, tết: a statutory public holiday (not worked, whatever the weekday).
    Holiday,
    /// Nghỉ bù: a weekday off — compensation for a holiday on a weekend, or a swapped day.
    DayOff,
    /// Làm bù: a Saturday or Sunday worked in exchange for a swapped day off.
    WorkingDay,
}

impl DayKind {
    pub const ALL: [DayKind; 3] = [DayKind::Holiday, DayKind::DayOff, DayKind::WorkingDay];

    /// The stored form, equal to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::DayOff => "day_off",
            DayKind::WorkingDay => "working_day",
        }
    }

    /// Inverse of [`DayKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Vietnamese label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "Ngày lễ, tết",
            DayKind::DayOff => "Nghỉ bù",
            DayKind::WorkingDay => "Làm bù",
        }
    }

    /// Whether a day of this kind is worked.
    pub fn is_worked(self) -> bool {
        self == DayKind::WorkingDay
    }
}

/// One exception to the Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// What the day is, e.g. "Tết Nguyên đán Bính Ngọ (mùng 1)".
    pub name: String,
}

/// Which days are working days: Mon–Fri, minus holidays and days off, plus make-up working days.
///
/// An empty calendar (`Default`) is the plain Monday–Friday week.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, CalendarDay>,
    /// The entries that change their date's status (a holiday or day off on a weekday, a make-up
    /// day on a weekend), in date order, as (day number, running total of the changes (−1 or +1)
    /// up to and including that day).
    shifts: Vec<(i64, i64)>,
}

impl WorkCalendar {
    /// Builds the calendar. If two entries share a date, the later one wins.
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        let days: BTreeMap<NaiveDate, CalendarDay> = days.into_iter().map(|d| (d.date, d)).collect();
        let mut shifts = Vec::new();
        let mut total = 0i64;
        for (date, day) in &days {
            let change = i64::from(day.kind.is_worked()) - i64::from(is_weekday(*date));
            if change != 0 {
                total += change;
                shifts.push((day_number(*date), total));
            }
        }
        WorkCalendar { days, shifts }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(day) => day.kind.is_worked(),
            None => is_weekday(date),
        }
    }

    /// The calendar entry on `date`, if any (a plain weekday or weekend has none).
    pub fn day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    /// Every entry, in date order.
    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    /// The date `n` working days after `from` (n > 0) or before it (n < 0); `from` itself is not
    /// counted. n == 0 returns `from`. The result is always a working day when n ≠ 0, except that
    /// it is clamped to `NaiveDate::MAX` / `NaiveDate::MIN` when the range runs out of days.
    pub fn add_working_days(&self, from: NaiveDate, n: i32) -> NaiveDate {
        let start = day_number(from);
        let steps = i64::from(n);
        match n {
            0 => from,
            1.. => {
                let target = self.working_days_through(start) + steps;
                // F(start) < target: search (start, MAX] for the first day where F reaches it.
                match self.first_reaching(target, start, day_number(NaiveDate::MAX), steps) {
                    Some(day) => date_of(day).unwrap_or(NaiveDate::MAX),
                    None => NaiveDate::MAX,
                }
            }
            _ => {
                let min = day_number(NaiveDate::MIN);
                if start <= min {
                    return NaiveDate::MIN;
                }
                // The answer d is the working day with exactly |n| working days in [d, from),
                // i.e. the first day where F reaches F(from − 1) − |n| + 1.
                let target = self.working_days_through(start - 1) + steps + 1;
                match self.last_below(target, start - 1, min, -steps) {
                    Some(below) => date_of(below + 1).unwrap_or(NaiveDate::MIN),
                    None => NaiveDate::MIN,
                }
            }
        }
    }

    /// Working days in (from, to] — positive when to > from, negative (−count of working days in
    /// (to, from]) when to < from, 0 when equal. A task due Friday and checked the next Monday is
    /// 1 working day overdue.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.working_days_through(day_number(to)) - self.working_days_through(day_number(from))
    }

    /// `date` if it is a working day, else the next working day.
    pub fn on_or_next_working_day(&self, date: NaiveDate) -> NaiveDate {
        if self.is_working_day(date) { date } else { self.add_working_days(date, 1) }
    }

    /// The days of one year, in date order (for the admin page).
    pub fn days_in_year(&self, year: i32) -> Vec<&CalendarDay> {
        match (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) {
            (Some(first), Some(last)) => self.days.range(first..=last).map(|(_, d)| d).collect(),
            _ => Vec::new(),
        }
    }

    /// `F(day)`: working days from a fixed origin up to and including `day` (negative before the
    /// origin; only differences are meaningful).
    fn working_days_through(&self, day: i64) -> i64 {
        let i = self.shifts.partition_point(|&(d, _)| d <= day);
        let shift = i.checked_sub(1).and_then(|last| self.shifts.get(last)).map_or(0, |&(_, total)| total);
        weekdays_through(day) + shift
    }

    /// The first day in (`lo`, `max`] where `F` reaches `target`, given `F(lo) < target`; `None`
    /// if it never does. `guess` is the expected distance, the first galloping step.
    fn first_reaching(&self, target: i64, mut lo: i64, max: i64, guess: i64) -> Option<i64> {
        let mut step = guess.saturating_add(guess / 2).saturating_add(14);
        let mut hi = loop {
            let probe = lo.saturating_add(step).min(max);
            if self.working_days_through(probe) >= target {
                break probe;
            }
            if probe >= max {
                return None;
            }
            lo = probe;
            step = step.saturating_mul(2);
        };
        // F(lo) < target ≤ F(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.working_days_through(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// The last day in [`min`, `hi`) where `F` is still below `target`, given `F(hi) ≥ target`;
    /// `None` if there is none. `guess` is the expected distance, the first galloping step.
    fn last_below(&self, target: i64, mut hi: i64, min: i64, guess: i64) -> Option<i64> {
        let mut step = guess.saturating_add(guess / 2).saturating_add(14);
        let mut lo = loop {
            let probe = hi.saturating_sub(step).max(min);
            if self.working_days_through(probe) < target {
                break probe;
            }
            if probe <= min {
                return None;
            }
            hi = probe;
            step = step.saturating_mul(2);
        };
        // F(lo) < target ≤ F(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.working_days_through(mid) >= target {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(lo)
    }
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Day 1 is Monday 0001-01-01 (proleptic Gregorian).
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

fn date_of(day: i64) -> Option<NaiveDate> {
    i32::try_from(day).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Mon–Fri days in [1, day] when day ≥ 0, extended below so that
/// `weekdays_through(d) − weekdays_through(d − 1)` is 1 exactly when day `d` is Monday–Friday.
fn weekdays_through(day: i64) -> i64 {
    5 * day.div_euclid(7) + day.rem_euclid(7).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn entry(date: NaiveDate, kind: DayKind) -> CalendarDay {
        CalendarDay { date, kind, name: format!("{} {date}", kind.label()) }
    }

    /// The 2026 exceptions as decided (same as the shipped data), plus a weekend holiday in 2027.
    fn fixture() -> Vec<CalendarDay> {
        use DayKind::*;
        let mut days = vec![
            entry(d(2026, 1, 1), Holiday),
            entry(d(2026, 1, 2), DayOff),
            entry(d(2026, 1, 10), WorkingDay),
            entry(d(2026, 4, 26), Holiday),
            entry(d(2026, 4, 27), DayOff),
            entry(d(2026, 4, 30), Holiday),
            entry(d(2026, 5, 1), Holiday),
            entry(d(2026, 8, 22), WorkingDay),
            entry(d(2026, 8, 31), DayOff),
            entry(d(2026, 9, 1), Holiday),
            entry(d(2026, 9, 2), Holiday),
            entry(d(2027, 5, 1), Holiday),
            entry(d(2027, 5, 3), DayOff),
        ];
        days.extend((16..=20).map(|day| entry(d(2026, 2, day), Holiday)));
        days
    }

    fn calendar() -> WorkCalendar {
        WorkCalendar::new(fixture())
    }

    /// Reference rule, independent of `WorkCalendar`'s internals.
    fn naive_working(entries: &HashMap<NaiveDate, DayKind>, date: NaiveDate) -> bool {
        match entries.get(&date) {
            Some(kind) => *kind == DayKind::WorkingDay,
            None => date.weekday().num_days_from_monday() < 5,
        }
    }

    fn naive_between(entries: &HashMap<NaiveDate, DayKind>, from: NaiveDate, to: NaiveDate) -> i64 {
        let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0;
        let mut day = lo;
        while day < hi {
            day = day.succ_opt().expect("test dates are far from MAX");
            count += i64::from(naive_working(entries, day));
        }
        sign * count
    }

    fn naive_add(entries: &HashMap<NaiveDate, DayKind>, from: NaiveDate, n: i32) -> NaiveDate {
        let mut day = from;
        let mut left = n.unsigned_abs();
        while left > 0 {
            day = if n > 0 { day.succ_opt() } else { day.pred_opt() }.expect("test dates are far from MIN/MAX");
            if naive_working(entries, day) {
                left -= 1;
            }
        }
        day
    }

    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> i64 {
            (self.next() % n) as i64
        }
    }

    #[test]
    fn kinds_round_trip_and_match_serde() {
        for kind in DayKind::ALL {
            assert_eq!(DayKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).expect("serialises"), serde_json::json!(kind.as_str()));
        }
        assert_eq!(DayKind::parse("Holiday"), None);
        assert_eq!(DayKind::Holiday.label(), "Ngày lễ, tết");
        assert_eq!(DayKind::DayOff.label(), "Nghỉ bù");
        assert_eq!(DayKind::WorkingDay.label(), "Làm bù");
    }

    #[test]
    fn weekday_arithmetic_agrees_with_chrono_far_and_near() {
        assert_eq!(d(1, 1, 1).weekday(), Weekday::Mon);
        let starts = [NaiveDate::MIN, d(-5, 3, 1), d(0, 12, 1), d(2025, 12, 1), d(9999, 1, 1)];
        for start in starts {
            let mut day = start;
            for _ in 0..60 {
                let next = day.succ_opt().expect("far from MAX");
                let counted = weekdays_through(day_number(next)) - weekdays_through(day_number(day));
                assert_eq!(counted, i64::from(is_weekday(next)), "{next}");
                day = next;
            }
        }
    }

    #[test]
    fn plain_weeks() {
        let cal = WorkCalendar::default();
        let (thu, fri, sat, sun, mon) = (d(2025, 3, 6), d(2025, 3, 7), d(2025, 3, 8), d(2025, 3, 9), d(2025, 3, 10));
        assert!(cal.is_working_day(fri) && !cal.is_working_day(sat) && !cal.is_working_day(sun));
        assert_eq!(cal.add_working_days(thu, 1), fri);
        assert_eq!(cal.add_working_days(fri, 1), mon);
        assert_eq!(cal.add_working_days(sat, 1), mon);
        assert_eq!(cal.add_working_days(sun, -1), fri);
        assert_eq!(cal.add_working_days(mon, -1), fri);
        assert_eq!(cal.add_working_days(sat, -1), fri);
        assert_eq!(cal.add_working_days(fri, 5), d(2025, 3, 14));
        assert_eq!(cal.add_working_days(fri, 10), d(2025, 3, 21));
        assert_eq!(cal.add_working_days(sat, 0), sat);
        // Due Friday, checked Monday: 1 working day late; the other way round, −1.
        assert_eq!(cal.working_days_between(fri, mon), 1);
        assert_eq!(cal.working_days_between(mon, fri), -1);
        assert_eq!(cal.working_days_between(sat, sun), 0);
        assert_eq!(cal.working_days_between(fri, sat), 0);
        assert_eq!(cal.working_days_between(thu, thu), 0);
        assert_eq!(cal.working_days_between(thu, d(2025, 4, 3)), 20);
        assert_eq!(cal.on_or_next_working_day(sat), mon);
        assert_eq!(cal.on_or_next_working_day(mon), mon);
    }

    #[test]
    fn tet_2026_break_is_skipped() {
        let cal = calendar();
        let fri_before = d(2026, 2, 13);
        let mon_after = d(2026, 2, 23);
        assert!(cal.is_working_day(fri_before) && cal.is_working_day(mon_after));
        for day in 14..=22 {
            assert!(!cal.is_working_day(d(2026, 2, day)), "{day}/02/2026 is off");
        }
        assert_eq!(cal.add_working_days(fri_before, 1), mon_after);
        assert_eq!(cal.add_working_days(mon_after, -1), fri_before);
        assert_eq!(cal.working_days_between(fri_before, mon_after), 1);
        assert_eq!(cal.working_days_between(mon_after, fri_before), -1);
        // 7 working days before a deadline on Friday 27/02 falls before the break: Wednesday 11/02.
        assert_eq!(cal.add_working_days(d(2026, 2, 27), -7), d(2026, 2, 11));
        assert_eq!(cal.add_working_days(d(2026, 2, 11), 7), d(2026, 2, 27));
        assert_eq!(cal.on_or_next_working_day(d(2026, 2, 17)), mon_after);
        // February 2026 has 20 Mon–Fri days, 5 of them Tết.
        assert_eq!(cal.working_days_between(d(2026, 1, 31), d(2026, 2, 28)), 15);
    }

    #[test]
    fn compensatory_day_off_after_a_sunday_holiday() {
        let cal = calendar();
        // Giỗ Tổ Hùng Vương 2026 is Sunday 26/04: Monday 27/04 is off instead.
        assert!(!cal.is_working_day(d(2026, 4, 26)));
        assert!(!cal.is_working_day(d(2026, 4, 27)));
        assert_eq!(cal.day(d(2026, 4, 27)).map(|e| e.kind), Some(DayKind::DayOff));
        assert_eq!(cal.add_working_days(d(2026, 4, 24), 1), d(2026, 4, 28));
        assert_eq!(cal.working_days_between(d(2026, 4, 24), d(2026, 4, 28)), 1);
        // Then 30/04 and 01/05 (Thu, Fri): from Fri 24/04 to Mon 04/05 only Tue 28, Wed 29 and Mon 4 are worked.
        assert_eq!(cal.working_days_between(d(2026, 4, 24), d(2026, 5, 4)), 3);
        assert_eq!(cal.add_working_days(d(2026, 4, 29), 1), d(2026, 5, 4));
        // Saturday 01/05/2027 is a holiday; Monday 03/05/2027 is off.
        assert_eq!(cal.add_working_days(d(2027, 4, 30), 1), d(2027, 5, 4));
    }

    #[test]
    fn make_up_saturday_is_a_working_day() {
        let cal = calendar();
        let sat = d(2026, 1, 10);
        assert!(cal.is_working_day(sat));
        assert!(!cal.is_working_day(d(2026, 1, 2)));
        assert_eq!(cal.add_working_days(d(2026, 1, 9), 1), sat);
        assert_eq!(cal.add_working_days(sat, 1), d(2026, 1, 12));
        assert_eq!(cal.add_working_days(d(2026, 1, 12), -1), sat);
        assert_eq!(cal.working_days_between(d(2026, 1, 9), d(2026, 1, 12)), 2);
        assert_eq!(cal.on_or_next_working_day(sat), sat);
        // Swap around Quốc khánh: Sat 22/08 worked, Mon 31/08 to Wed 02/09 off.
        assert_eq!(cal.add_working_days(d(2026, 8, 21), 1), d(2026, 8, 22));
        assert_eq!(cal.add_working_days(d(2026, 8, 28), 1), d(2026, 9, 3));
        // The year's fund of working days is unchanged by swaps: 261 Mon–Fri − 11 holidays.
        assert_eq!(cal.working_days_between(d(2025, 12, 31), d(2026, 12, 31)), 261 - 11);
    }

    #[test]
    fn entries_and_years() {
        let cal = calendar();
        let in_2026 = cal.days_in_year(2026);
        assert_eq!(in_2026.len(), 16);
        assert!(in_2026.windows(2).all(|w| w[0].date < w[1].date));
        assert_eq!(in_2026[0].date, d(2026, 1, 1));
        assert_eq!(cal.days_in_year(2027).len(), 2);
        assert!(cal.days_in_year(2025).is_empty());
        assert!(cal.days_in_year(i32::MAX).is_empty());
        assert_eq!(cal.day(d(2026, 2, 17)).map(|e| e.kind), Some(DayKind::Holiday));
        assert_eq!(cal.day(d(2026, 2, 23)), None);
        assert_eq!(cal.days().count(), 18);
        // A later entry for the same date replaces the earlier one.
        let cal = WorkCalendar::new([entry(d(2026, 3, 2), DayKind::DayOff), entry(d(2026, 3, 2), DayKind::WorkingDay)]);
        assert!(cal.is_working_day(d(2026, 3, 2)));
        assert_eq!(cal.days().count(), 1);
        assert_eq!(cal.working_days_between(d(2026, 3, 1), d(2026, 3, 2)), 1);
    }

    #[test]
    fn entries_that_change_nothing_count_nothing() {
        // A holiday on a Sunday and a "make-up" entry on a weekday leave the count as it was.
        let cal =
            WorkCalendar::new([entry(d(2026, 3, 1), DayKind::Holiday), entry(d(2026, 3, 3), DayKind::WorkingDay)]);
        let plain = WorkCalendar::default();
        for (a, b) in [(d(2026, 2, 27), d(2026, 3, 6)), (d(2026, 3, 6), d(2026, 2, 20))] {
            assert_eq!(cal.working_days_between(a, b), plain.working_days_between(a, b));
        }
    }

    #[test]
    fn agrees_with_a_day_by_day_count() {
        let days = fixture();
        let cal = WorkCalendar::new(days.clone());
        let entries: HashMap<_, _> = days.iter().map(|e| (e.date, e.kind)).collect();
        let base = d(2025, 11, 1);
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let from = base + chrono::Duration::days(rng.below(600));
            let to = base + chrono::Duration::days(rng.below(600));
            assert_eq!(cal.working_days_between(from, to), naive_between(&entries, from, to), "{from} → {to}");
            let n = (rng.below(161) - 80) as i32;
            let got = cal.add_working_days(from, n);
            assert_eq!(got, naive_add(&entries, from, n), "{from} + {n}");
            if n != 0 {
                assert!(cal.is_working_day(got));
                // Forward, (from, got] holds n working days. Backward, [got, from) holds |n|, so
                // (got, from] holds |n| − 1 plus `from` itself if worked.
                let expected =
                    if n > 0 { i64::from(n) } else { i64::from(n) + 1 - i64::from(cal.is_working_day(from)) };
                assert_eq!(cal.working_days_between(from, got), expected, "{from} + {n} = {got}");
            }
        }
    }

    #[test]
    fn pathological_inputs_terminate_and_clamp() {
        let cal = calendar();
        let from = d(2026, 2, 13);
        assert_eq!(cal.add_working_days(from, i32::MAX), NaiveDate::MAX);
        assert_eq!(cal.add_working_days(from, i32::MIN), NaiveDate::MIN);
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(cal.add_working_days(NaiveDate::MIN, -1), NaiveDate::MIN);
        assert!(cal.working_days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
        // A year with no working day at all is crossed without looping over it.
        let closed: Vec<_> = d(2030, 1, 1)
            .iter_days()
            .take_while(|day| day.year() == 2030)
            .map(|day| entry(day, DayKind::Holiday))
            .collect();
        let cal = WorkCalendar::new(closed);
        assert_eq!(cal.add_working_days(d(2029, 12, 31), 1), d(2031, 1, 1));
        assert_eq!(cal.add_working_days(d(2031, 1, 1), -1), d(2029, 12, 31));
        assert_eq!(cal.on_or_next_working_day(d(2030, 6, 1)), d(2031, 1, 1));
        assert_eq!(cal.working_days_between(d(2029, 12, 31), d(2030, 12, 31)), 0);
        // Near the end of the representable range.
        let plain = WorkCalendar::default();
        let monday = (7..14)
            .filter_map(|back| NaiveDate::MAX.checked_sub_days(chrono::Days::new(back)))
            .find(|day| day.weekday() == Weekday::Mon)
            .expect("a Monday in the last fortnight");
        assert_eq!(plain.add_working_days(monday, 1), monday + chrono::Duration::days(1));
        assert_eq!(plain.add_working_days(monday, 100), NaiveDate::MAX);
        let before_max = plain.add_working_days(NaiveDate::MAX, -1);
        assert!(plain.is_working_day(before_max) && before_max < NaiveDate::MAX);
        assert!(before_max >= NaiveDate::MAX - chrono::Duration::days(3));
    }
}
