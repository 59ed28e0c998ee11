//! Public holidays, compensatory days off and make-up working days for 2024–2027
//! (`data/holidays/holidays.tsv`), parsed into the domain's [`CalendarDay`]s for
//! [`domain::calendar::WorkCalendar`]. Sources and judgement calls: `data/holidays/NOTICE.md`.
//!
//! Columns: `date` (ISO), `kind` ([`DayKind::as_str`]: `holiday` | `day_off` | `working_day`),
//! `name`. Beyond the format, the parser rejects a duplicate date, an empty name, a day off on a
//! weekend (it would change nothing) and a make-up working day on a weekday (likewise).

use std::collections::HashSet;

use chrono::{Datelike, Weekday};
use domain::calendar::{CalendarDay, DayKind};

use crate::{ParseError, parse_date, rows};

const FILE: &str = "holidays/holidays.tsv";
const HOLIDAYS_TSV: &str = include_str!("../../../data/holidays/holidays.tsv");

/// The shipped calendar entries, in file order (which is date order).
pub fn load() -> Result<Vec<CalendarDay>, ParseError> {
    parse(HOLIDAYS_TSV)
}

fn parse(text: &'static str) -> Result<Vec<CalendarDay>, ParseError> {
    let mut seen = HashSet::new();
    rows(FILE, text, 3)
        .map(|row| {
            let (line, f) = row?;
            let err = |message: String| ParseError { file: FILE, line, message };
            let date = parse_date(f[0]).ok_or_else(|| err(format!("ngày '{}' không hợp lệ", f[0])))?;
            let kind = DayKind::parse(f[1]).ok_or_else(|| err(format!("loại ngày '{}' không hợp lệ", f[1])))?;
            let name = f[2].trim();
            if name.is_empty() {
                return Err(err("thiếu tên ngày".into()));
            }
            if !seen.insert(date) {
                return Err(err(format!("ngày {date} bị lặp")));
            }
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            match kind {
                DayKind::DayOff if weekend => Err(err(format!("ngày nghỉ bù {date} rơi vào cuối tuần"))),
                DayKind::WorkingDay if !weekend => Err(err(format!("ngày làm bù {date} không phải thứ Bảy, Chủ nhật"))),
                _ => Ok(CalendarDay { date, kind, name: name.into() }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::calendar::WorkCalendar;
    use std::collections::HashMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn shipped() -> Vec<CalendarDay> {
        load().expect("shipped holidays parse")
    }

    fn is_weekend(date: NaiveDate) -> bool {
        matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// (month, day) of a solar date.
    type MonthDay = (u32, u32);

    /// Lunar new year's day (mùng 1 Tết) and the Hùng Kings' day (10/3 lunar) per year.
    const LUNAR: [(i32, MonthDay, MonthDay); 4] =
        [(2024, (2, 10), (4, 18)), (2025, (1, 29), (4, 7)), (2026, (2, 17), (4, 26)), (2027, (2, 6), (4, 16))];

    #[test]
    fn shipped_data_parses_in_date_order_without_duplicates() {
        let days = shipped();
        assert!(days.windows(2).all(|w| w[0].date < w[1].date), "sorted, no duplicate date");
        assert!(days.iter().all(|e| !e.name.trim().is_empty()));
        let years: HashSet<i32> = days.iter().map(|e| e.date.year()).collect();
        assert_eq!(years, HashSet::from([2024, 2025, 2026, 2027]));
    }

    /// Labour Code 2019 art. 112: 11 holiday days a year, each one the law names.
    #[test]
    fn holidays_are_exactly_the_statutory_ones() {
        let days = shipped();
        for (year, tet, hung) in LUNAR {
            let holidays: Vec<NaiveDate> =
                days.iter().filter(|e| e.date.year() == year && e.kind == DayKind::Holiday).map(|e| e.date).collect();
            assert_eq!(holidays.len(), 11, "{year}: {holidays:?}");
            let has = |date: NaiveDate| holidays.contains(&date);
            for (m, day) in [(1, 1), (4, 30), (5, 1), (9, 2), hung] {
                assert!(has(d(year, m, day)), "{year}: {day}/{m} missing");
            }
            assert!(has(d(year, 9, 1)) != has(d(year, 9, 3)), "{year}: exactly one day next to 2/9");
            // Tết: five consecutive days including lunar new year's day, at most two before it.
            let tet = d(year, tet.0, tet.1);
            let tet_days: Vec<NaiveDate> =
                holidays.iter().copied().filter(|h| (*h - tet).num_days().abs() <= 5).collect();
            assert_eq!(tet_days.len(), 5, "{year}: Tết {tet_days:?}");
            assert!(tet_days.contains(&tet));
            assert_eq!((tet_days[4] - tet_days[0]).num_days(), 4, "{year}: Tết days are consecutive");
            assert!((tet - tet_days[0]).num_days() <= 2, "{year}: Tết starts at most two days early");
            for h in &tet_days {
                let name = &days.iter().find(|e| e.date == *h).expect("listed").name;
                assert!(name.starts_with("Tết Nguyên đán"), "{h}: {name}");
            }
        }
    }

    /// A weekday off is either compensation for a holiday on a weekend (art. 111.3) or a swap
    /// paid back by a make-up weekend day, and it sits in the same break as a holiday.
    #[test]
    fn days_off_are_compensations_or_swaps() {
        let days = shipped();
        let cal = WorkCalendar::new(days.clone());
        for year in 2024..=2027 {
            let in_year = |kind| days.iter().filter(move |e| e.date.year() == year && e.kind == kind);
            let weekend_holidays = in_year(DayKind::Holiday).filter(|e| is_weekend(e.date)).count();
            let make_up = in_year(DayKind::WorkingDay).count();
            assert_eq!(in_year(DayKind::DayOff).count(), weekend_holidays + make_up, "{year}");
            for off in in_year(DayKind::DayOff) {
                let in_break = |step: i64| {
                    let mut day = off.date;
                    loop {
                        day += chrono::Duration::days(step);
                        if cal.is_working_day(day) {
                            return false;
                        }
                        if cal.day(day).is_some_and(|e| e.kind == DayKind::Holiday) {
                            return true;
                        }
                    }
                };
                assert!(in_break(1) || in_break(-1), "{}: no holiday in the same break", off.date);
            }
            for work in in_year(DayKind::WorkingDay) {
                let swapped = in_year(DayKind::DayOff).any(|off| (off.date - work.date).num_days().abs() <= 14);
                assert!(swapped, "{}: no swapped day off within two weeks", work.date);
            }
            // So swaps and compensations leave the year's fund of working days at Mon–Fri − 11.
            let (eve, last) = (d(year - 1, 12, 31), d(year, 12, 31));
            let weekdays = eve.iter_days().skip(1).take_while(|x| *x <= last).filter(|x| !is_weekend(*x)).count();
            assert_eq!(cal.working_days_between(eve, last), weekdays as i64 - 11, "{year}");
        }
    }

    /// The breaks as the Government announced them for civil servants.
    #[test]
    fn announced_breaks() {
        let cal = WorkCalendar::new(shipped());
        let breaks = [
            (d(2024, 2, 8), d(2024, 2, 14)),
            (d(2024, 4, 27), d(2024, 5, 1)),
            (d(2024, 8, 31), d(2024, 9, 3)),
            (d(2025, 1, 25), d(2025, 2, 2)),
            (d(2025, 4, 5), d(2025, 4, 7)),
            (d(2025, 4, 30), d(2025, 5, 4)),
            (d(2025, 8, 30), d(2025, 9, 2)),
            (d(2026, 1, 1), d(2026, 1, 4)),
            (d(2026, 2, 14), d(2026, 2, 22)),
            (d(2026, 4, 25), d(2026, 4, 27)),
            (d(2026, 4, 30), d(2026, 5, 3)),
            (d(2026, 8, 29), d(2026, 9, 2)),
        ];
        for (first, last) in breaks {
            assert!(cal.is_working_day(first - chrono::Duration::days(1)), "day before {first}");
            assert!(cal.is_working_day(last + chrono::Duration::days(1)), "day after {last}");
            let mut day = first;
            while day <= last {
                assert!(!cal.is_working_day(day), "{day} is off");
                day += chrono::Duration::days(1);
            }
        }
        for make_up in [d(2024, 5, 4), d(2025, 4, 26), d(2026, 1, 10), d(2026, 8, 22)] {
            assert!(cal.is_working_day(make_up), "{make_up} is worked");
        }
    }

    #[test]
    fn deadlines_across_tet_2026_and_hung_kings_2026() {
        let cal = WorkCalendar::new(shipped());
        assert_eq!(cal.add_working_days(d(2026, 2, 13), 1), d(2026, 2, 23));
        assert_eq!(cal.add_working_days(d(2026, 2, 27), -7), d(2026, 2, 11));
        assert_eq!(cal.working_days_between(d(2026, 2, 13), d(2026, 2, 23)), 1);
        assert_eq!(cal.day(d(2026, 4, 27)).map(|e| e.kind), Some(DayKind::DayOff));
        assert_eq!(cal.working_days_between(d(2026, 4, 24), d(2026, 4, 28)), 1);
        assert_eq!(cal.add_working_days(d(2026, 4, 24), 1), d(2026, 4, 28));
        assert_eq!(cal.days_in_year(2026).len(), 16);
    }

    #[test]
    fn shipped_calendar_agrees_with_a_day_by_day_count() {
        let days = shipped();
        let cal = WorkCalendar::new(days.clone());
        let entries: HashMap<NaiveDate, DayKind> = days.iter().map(|e| (e.date, e.kind)).collect();
        let working = |date: NaiveDate| match entries.get(&date) {
            Some(kind) => *kind == DayKind::WorkingDay,
            None => !is_weekend(date),
        };
        let base = d(2023, 10, 1);
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut random = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as i64
        };
        for _ in 0..4000 {
            let from = base + chrono::Duration::days(random(4 * 366 + 180));
            let to = base + chrono::Duration::days(random(4 * 366 + 180));
            let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
            let naive = sign * lo.iter_days().skip(1).take_while(|x| *x <= hi).filter(|x| working(*x)).count() as i64;
            assert_eq!(cal.working_days_between(from, to), naive, "{from} → {to}");

            let n = (random(121) - 60) as i32;
            let mut expected = from;
            let mut left = n.unsigned_abs();
            while left > 0 {
                expected += chrono::Duration::days(if n > 0 { 1 } else { -1 });
                if working(expected) {
                    left -= 1;
                }
            }
            assert_eq!(cal.add_working_days(from, n), expected, "{from} + {n}");
        }
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let cases: [(&'static str, usize, &str); 6] = [
            ("date\tkind\tname\n2026-02-30\tholiday\tX\n", 2, "không hợp lệ"),
            ("date\tkind\tname\n2026-02-17\tferie\tX\n", 2, "loại ngày"),
            ("date\tkind\tname\n2026-02-17\tholiday\t \n", 2, "thiếu tên"),
            ("date\tkind\tname\n2026-02-17\tholiday\tA\n2026-02-17\tday_off\tB\n", 3, "bị lặp"),
            ("date\tkind\tname\n2026-02-14\tday_off\tA\n", 2, "cuối tuần"),
            ("date\tkind\tname\n2026-01-01\tholiday\tA\n\n2026-01-09\tworking_day\tB\n", 4, "không phải thứ Bảy"),
        ];
        for (text, line, needle) in cases {
            let e = parse(text).expect_err(text);
            assert_eq!((e.file, e.line), (FILE, line), "{e}");
            assert!(e.message.contains(needle), "{e}");
        }
        let e = parse("date\tkind\tname\n2026-01-01\tholiday\n").expect_err("two columns");
        assert_eq!(e.line, 2);
        assert_eq!(parse("date\tkind\tname\n").map(|v| v.len()).ok(), Some(0));
    }
}
