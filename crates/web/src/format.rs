//! Vietnamese display formats: dates dd/mm/yyyy, numbers `1.234,5`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_default()
}

/// A timestamp in Vietnam's time (UTC+7): `22/11/2026 18:42`.
pub fn datetime(t: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).map(|tz| t.with_timezone(&tz));
    vn.map(|t| t.format("%d/%m/%Y %H:%M").to_string()).unwrap_or_default()
}

/// Thousands separated by '.', as Vietnamese writes them: `10.035`.
pub fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Parses a date typed as dd/mm/yyyy or yyyy-mm-dd (what `<input type=date>` sends).
/// A page's total: "1.234", or "hơn 10.000" when counting stopped at the cap.
pub fn total<T>(page: &domain::org::Page<T>) -> String {
    if page.total_capped { format!("hơn {}", int(page.total)) } else { int(page.total) }
}

/// An indicator's figure with its unit: `12.500,5 triệu đồng`, `1.250.000 đồng`, `9,55%`, `42`.
pub fn figure(unit: domain::indicators::Unit, x: f64) -> String {
    use domain::indicators::{Unit, format_number};
    match unit {
        Unit::MillionVnd => format!("{} triệu đồng", format_number(x)),
        Unit::Vnd => format!("{} đồng", format_number(x.round())),
        Unit::Percent => format!("{}%", format_number(x)),
        Unit::Count | Unit::YesNo | Unit::Text => format_number(x),
    }
}

/// [`figure`], or a dash when there is none.
pub fn opt_figure(unit: domain::indicators::Unit, x: Option<f64>) -> String {
    x.map(|x| figure(unit, x)).unwrap_or_else(|| "—".into())
}

/// A share of a target: `95,5%`, or nothing.
pub fn percent(x: Option<f64>) -> String {
    x.map(|x| format!("{}%", domain::indicators::format_number(x))).unwrap_or_default()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// Parses a moment typed in Vietnam's time: `dd/mm/yyyy HH:MM`, or `yyyy-mm-ddTHH:MM` (what
/// `<input type=datetime-local>` sends).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let local = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())?;
    Some((local - chrono::Duration::hours(7)).and_utc())
}

/// A moment as `<input type=datetime-local>` shows it, in Vietnam's time.
pub fn datetime_input(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(7)).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_moments_round_trip() {
        let t = parse_datetime("24/11/2026 06:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T23:30:00+00:00");
        assert_eq!(parse_datetime(&datetime_input(t)), Some(t));
        assert_eq!(datetime(t), "24/11/2026 06:30");
        assert!(parse_datetime("31/02/2026 06:30").is_none());
    }

    #[test]
    fn vietnamese_formats() {
        assert_eq!(int(10035), "10.035");
        assert_eq!(int(999), "999");
        assert_eq!(int(1234567), "1.234.567");
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(date(d), "01/07/2025");
        assert_eq!(parse_date("01/07/2025"), Some(d));
        assert_eq!(parse_date("2025-07-01"), Some(d));
        assert_eq!(parse_date("31/02/2025"), None);
        use domain::indicators::Unit;
        assert_eq!(figure(Unit::MillionVnd, 12500.5), "12.500,5 triệu đồng");
        assert_eq!(figure(Unit::Vnd, 1_250_000.4), "1.250.000 đồng");
        assert_eq!(figure(Unit::Percent, 1050.0 / 11000.0 * 100.0), "9,55%");
        assert_eq!(figure(Unit::Count, 42.0), "42");
        assert_eq!(opt_figure(Unit::Count, None), "—");
        assert_eq!((percent(Some(95.5)), percent(None)), ("95,5%".to_string(), String::new()));
    }
}
