//! Time is an input: services read it from an injected [`Clock`] so that deadlines, lockouts and
//! session expiry are testable with a [`ManualClock`].

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    /// Now, truncated to microseconds (what both databases store exactly).
    fn now(&self) -> DateTime<Utc>;
    fn today(&self) -> NaiveDate {
        vietnam_date(self.now())
    }
}

/// The Vietnamese date of an instant: Vietnam is UTC+7 all year, and "today" for deadlines and
/// validity is the Vietnamese date.
pub fn vietnam_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(7)).date_naive()
}

/// The instant a Vietnamese day begins (00:00 in Vietnam), the bound of a period of days.
pub fn vietnam_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - Duration::hours(7)
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that tests move by hand.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at.trunc_subsecs(6)))
    }
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
