//! Feedback analytics: volume by category, province and time, SLA compliance per handling unit,
//! rising topics and top terms, over the items in the caller's scope sent in a period.
//!
//! Nothing is counted here by a rule of its own. The items come from storage with the officers'
//! list's own conditions (`FeedbackStore::feedback_tally` selects with the very filter of
//! `feedback_list`), SLA states come from [`SlaState::of`] (the rule the list's `sla` filter
//! mirrors), and every figure carries `href`: the officers' list with the [`FeedbackFilter`]
//! that gives exactly the items counted (`/api/v1/feedback` takes the same query). The one
//! exception is said where it applies: a term's link is a text search.
//!
//! The counting itself is in plain functions over [`TallyRow`]s and texts, tested without a
//! database.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Services;
use super::feedback::{FeedbackFilter, UnitRef};
use crate::auth::{Action, Principal};
use crate::clock::{vietnam_date, vietnam_midnight};
use crate::feedback::SlaState;
use crate::org::{OrgId, OrgUnit, agency_path};
use crate::repo::feedback::{FeedbackQuery, TallyRow};
use crate::{DomainError, Result};

/// The default period: this many weeks up to today, from a Monday.
pub const DEFAULT_WEEKS: i64 = 12;
/// The longest period, in days (two years of weekly bars is already a long chart).
pub const MAX_DAYS: i64 = 731;
/// Descriptions read per window for the terms, the newest first.
pub const TEXT_CAP: u64 = 3000;
pub const TOP_TERMS: usize = 20;
pub const RISING_TERMS: usize = 10;
/// The label of items without a category.
pub const UNCATEGORIZED: &str = "Chưa phân loại";

/// What the analytics are asked for, as typed (page form and API alike).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// Unit code: items handled by it or sent about its area (default: all in the caller's scope).
    pub org: Option<String>,
    /// First day sent, Vietnam time: `2026-06-01` or `01/06/2026` (default: the Monday 11 weeks
    /// before this week's).
    pub from: Option<String>,
    /// Last day sent (default: today).
    pub to: Option<String>,
}

/// A count and the officers' list of exactly the items counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LinkedCount {
    pub count: u64,
    /// `None` only for a unit dissolved since (its code names another unit today).
    pub href: Option<String>,
}

/// Items of one category or one province.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VolumeRow {
    /// Category code (`None`: not categorised yet) or the province's unit code.
    pub code: Option<String>,
    pub name: String,
    pub items: LinkedCount,
}

/// Items sent in one week (Monday to Sunday) or one month, cut to the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodRow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// "Tuần 35/2026 (24/08–30/08)", "Tháng 8/2026".
    pub label: String,
    pub items: LinkedCount,
}

/// Items against their SLA as of today; `merged` items (they follow another) are in `items`
/// only.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaFigures {
    pub items: LinkedCount,
    pub on_time: LinkedCount,
    pub late: LinkedCount,
    pub overdue: LinkedCount,
    pub pending: LinkedCount,
    /// On time / (answered + overdue), in percent; `None` when nothing is due yet.
    pub compliance: Option<f64>,
}

/// One handling unit's SLA figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitSla {
    pub unit: UnitRef,
    pub figures: SlaFigures,
}

/// A range of days, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A category's items this week against the week before.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TopicTrend {
    pub code: Option<String>,
    pub name: String,
    pub this_week: LinkedCount,
    pub previous_week: LinkedCount,
    pub change: i64,
    /// The change in percent of the week before; `None` when it had none.
    pub growth: Option<f64>,
}

/// A word of the descriptions and how many items use it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TermCount {
    pub term: String,
    pub items: u64,
    /// A text search for the word over the same items: it finds them, and may find a few more
    /// (search ignores diacritics and reads titles and addresses too).
    pub href: String,
}

/// A word's items this week against the week before.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TermTrend {
    pub term: String,
    pub this_week: u64,
    pub previous_week: u64,
    pub change: i64,
    /// A text search for the word this week (see [`TermCount::href`]).
    pub href: String,
}

/// How many descriptions the terms were counted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TextSample {
    pub period: u64,
    pub this_week: u64,
    pub previous_week: u64,
    /// A window had more than [`TEXT_CAP`] items: its newest ones were read.
    pub capped: bool,
}

/// Everything the analytics page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackAnalytics {
    /// The unit the figures are narrowed to.
    pub org: Option<UnitRef>,
    /// Items sent from `from` to `to` (Vietnam time, both included).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// SLA states are as of this day.
    pub as_of: NaiveDate,
    pub total: LinkedCount,
    /// Most items first; "Chưa phân loại" among them.
    pub by_category: Vec<VolumeRow>,
    /// The provinces of the items' areas, most items first.
    pub by_area: Vec<VolumeRow>,
    /// Every week of the period, empty ones too.
    pub by_week: Vec<PeriodRow>,
    pub by_month: Vec<PeriodRow>,
    /// Per handling unit, most overdue first.
    pub sla: Vec<UnitSla>,
    pub sla_total: SlaFigures,
    /// The 7 days ending on the period's last day (or today, if sooner), and the 7 before.
    pub this_week: DayRange,
    pub previous_week: DayRange,
    /// Categories by their increase this week, the largest first.
    pub rising_topics: Vec<TopicTrend>,
    /// The period's most used words ([`TOP_TERMS`]).
    pub top_terms: Vec<TermCount>,
    /// The words that gained most this week ([`RISING_TERMS`]).
    pub rising_terms: Vec<TermTrend>,
    pub texts: TextSample,
}

// ---------------------------------------------------------------------------------------------
// Pure counting
// ---------------------------------------------------------------------------------------------

/// A day as typed: `2026-08-27` or `27/08/2026`.
pub fn parse_day(field: &'static str, s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| DomainError::invalid(field, format!("'{s}' không phải một ngày dạng dd/mm/yyyy")))
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The period asked for: by default [`DEFAULT_WEEKS`] weeks from a Monday up to `today`; a
/// missing end is today, a missing start the same span before the end.
pub fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<DayRange> {
    let to = match given(to) {
        Some(s) => parse_day("to", s)?,
        None => today,
    };
    let from = match given(from) {
        Some(s) => parse_day("from", s)?,
        None => monday_of(to) - Duration::weeks(DEFAULT_WEEKS - 1),
    };
    if to < from {
        return Err(DomainError::invalid("to", "ngày cuối trước ngày đầu"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(DomainError::invalid("from", format!("kỳ thống kê tối đa {MAX_DAYS} ngày")));
    }
    Ok(DayRange { from, to })
}

/// The weeks (Monday to Sunday) that meet `period`, each cut to it.
pub fn weeks(period: DayRange) -> Vec<DayRange> {
    let mut out = Vec::new();
    let mut monday = monday_of(period.from);
    while monday <= period.to {
        let sunday = monday + Duration::days(6);
        out.push(DayRange { from: monday.max(period.from), to: sunday.min(period.to) });
        monday += Duration::weeks(1);
    }
    out
}

/// The months that meet `period`, each cut to it.
pub fn months(period: DayRange) -> Vec<DayRange> {
    let mut out = Vec::new();
    let mut first = period.from.with_day(1).unwrap_or(period.from);
    while first <= period.to {
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
        out.push(DayRange { from: first.max(period.from), to: (next - Duration::days(1)).min(period.to) });
        first = next;
    }
    out
}

pub fn week_label(w: DayRange) -> String {
    let iso = w.from.iso_week();
    format!("Tuần {}/{} ({}–{})", iso.week(), iso.year(), w.from.format("%d/%m"), w.to.format("%d/%m"))
}

pub fn month_label(m: DayRange) -> String {
    format!("Tháng {}/{}", m.from.month(), m.from.year())
}

impl DayRange {
    /// Was the row sent on one of these days (Vietnam time)?
    pub fn holds(&self, row: &TallyRow) -> bool {
        let day = vietnam_date(row.submitted_at);
        self.from <= day && day <= self.to
    }
}

/// How many rows were sent in each range.
pub fn count_in(rows: &[TallyRow], ranges: &[DayRange]) -> Vec<u64> {
    ranges.iter().map(|w| rows.iter().filter(|r| w.holds(r)).count() as u64).collect()
}

/// Rows per key.
pub fn count_by<'a, K: Ord>(
    rows: impl IntoIterator<Item = &'a TallyRow>,
    key: impl Fn(&TallyRow) -> K,
) -> BTreeMap<K, u64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(key(r)).or_insert(0) += 1;
    }
    out
}

/// One unit's items by SLA state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaCounts {
    pub items: u64,
    pub on_time: u64,
    pub late: u64,
    pub overdue: u64,
    pub pending: u64,
}

impl SlaCounts {
    fn add(&mut self, state: Option<SlaState>) {
        self.items += 1;
        match state {
            Some(SlaState::OnTime) => self.on_time += 1,
            Some(SlaState::Late) => self.late += 1,
            Some(SlaState::Overdue) => self.overdue += 1,
            Some(SlaState::Pending) => self.pending += 1,
            None => {}
        }
    }

    pub fn get(&self, state: SlaState) -> u64 {
        match state {
            SlaState::OnTime => self.on_time,
            SlaState::Late => self.late,
            SlaState::Overdue => self.overdue,
            SlaState::Pending => self.pending,
        }
    }

    /// On time over everything that should have been answered by now, in percent.
    pub fn compliance(&self) -> Option<f64> {
        let due = self.on_time + self.late + self.overdue;
        (due > 0).then(|| self.on_time as f64 * 100.0 / due as f64)
    }
}

/// SLA counts per handling unit on `today`, and over all of them.
pub fn sla_by_handler(rows: &[TallyRow], today: NaiveDate) -> (BTreeMap<OrgId, SlaCounts>, SlaCounts) {
    let mut per = BTreeMap::<OrgId, SlaCounts>::new();
    let mut all = SlaCounts::default();
    for r in rows {
        let state = SlaState::of(r.status, r.due_on, r.resolved_at, today);
        per.entry(r.handler_org_id).or_default().add(state);
        all.add(state);
    }
    (per, all)
}

/// Keys with their count now and before, the largest increase first (then the most now, then
/// the key).
pub fn trends<K: Ord + Clone>(now: &BTreeMap<K, u64>, before: &BTreeMap<K, u64>) -> Vec<(K, u64, u64)> {
    let keys: std::collections::BTreeSet<&K> = now.keys().chain(before.keys()).collect();
    let mut out: Vec<(K, u64, u64)> = keys
        .into_iter()
        .map(|k| (k.clone(), now.get(k).copied().unwrap_or(0), before.get(k).copied().unwrap_or(0)))
        .collect();
    out.sort_by(|a, b| change(b.1, b.2).cmp(&change(a.1, a.2)).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    out
}

pub fn change(now: u64, before: u64) -> i64 {
    i64::try_from(now).unwrap_or(i64::MAX) - i64::try_from(before).unwrap_or(i64::MAX)
}

pub fn growth(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| change(now, before) as f64 * 100.0 / before as f64)
}

/// A segmented word worth counting: letters only (no punctuation, numbers, phone numbers,
/// e-mail addresses), more than one character, not a stopword.
pub fn is_term(word: &str) -> bool {
    word.chars().count() > 1
        && word.chars().all(|c| c.is_alphabetic() || c == ' ')
        && word.chars().any(char::is_alphabetic)
        && !textvi::is_stopword(word)
}

/// The words of each text (lower case, segmented by [`textvi::segment`]), counted once per text.
pub fn term_counts<S: AsRef<str>>(texts: &[S]) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for text in texts {
        let words: HashSet<String> =
            textvi::segment(text.as_ref()).into_iter().filter(|w| is_term(w)).map(|w| w.to_lowercase()).collect();
        for w in words {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    counts
}

/// The `n` most used words, then alphabetical.
pub fn top_terms(counts: &HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = counts.iter().map(|(w, c)| (w.clone(), *c)).collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(n);
    all
}

/// The `n` words that gained most, only those that gained.
pub fn rising_terms(now: &HashMap<String, u64>, before: &HashMap<String, u64>, n: usize) -> Vec<(String, u64, u64)> {
    let now: BTreeMap<String, u64> = now.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let before: BTreeMap<String, u64> = before.iter().map(|(k, v)| (k.clone(), *v)).collect();
    trends(&now, &before).into_iter().filter(|(_, a, b)| a > b).take(n).collect()
}

/// The id of the unit a path ends with.
fn last_id(path: &str) -> Option<OrgId> {
    path.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

fn unit_ref(u: &OrgUnit) -> UnitRef {
    UnitRef { id: u.id, code: u.code.clone(), name: u.name.clone() }
}

/// The list's filter of the items sent in `range`, with `base`'s other filters.
fn within(base: &FeedbackFilter, range: DayRange) -> FeedbackFilter {
    FeedbackFilter { from: Some(range.from.to_string()), to: Some(range.to.to_string()), ..base.clone() }
}

fn linked(count: u64, filter: &FeedbackFilter) -> LinkedCount {
    LinkedCount { count, href: Some(filter.href()) }
}

/// Categories by id: `(code, name)`.
struct Categories(HashMap<i64, (String, String)>);

impl Categories {
    fn code(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.0.get(&id)).map(|(code, _)| code.clone())
    }

    fn name(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.0.get(&id)).map_or(UNCATEGORIZED, |(_, name)| name.as_str()).to_string()
    }

    /// `f` narrowed to the category (the list's `category=none` for uncategorised items).
    fn filter(&self, f: &FeedbackFilter, id: Option<i64>) -> FeedbackFilter {
        FeedbackFilter { category: Some(self.code(id).unwrap_or_else(|| "none".into())), ..f.clone() }
    }
}

/// A unit's SLA counts with the links to their items (none when `filter` is `None`).
fn sla_figures(c: &SlaCounts, filter: Option<&FeedbackFilter>) -> SlaFigures {
    let link = |state: Option<SlaState>, count: u64| LinkedCount {
        count,
        href: filter.map(|f| FeedbackFilter { sla: state.map(|s| s.as_str().into()), ..f.clone() }.href()),
    };
    SlaFigures {
        items: link(None, c.items),
        on_time: link(Some(SlaState::OnTime), c.on_time),
        late: link(Some(SlaState::Late), c.late),
        overdue: link(Some(SlaState::Overdue), c.overdue),
        pending: link(Some(SlaState::Pending), c.pending),
        compliance: c.compliance(),
    }
}

/// What a term's link searches for: the word over the items of `f`.
fn search(f: &FeedbackFilter, term: &str) -> String {
    FeedbackFilter { q: Some(term.to_string()), ..f.clone() }.href()
}

impl Services {
    /// Narrows a list query by the filters of [`FeedbackFilter`] that analytics links use: unit
    /// (`org`, handled by it or about its area), handling unit itself (`handler`), area
    /// (`area`), days sent (`from`, `to`, Vietnam time) and SLA state today (`sla`).
    pub(super) async fn narrow_feedback_query(&self, filter: &FeedbackFilter, query: &mut FeedbackQuery) -> Result<()> {
        if let Some(code) = given(filter.org.as_deref()) {
            query.org_path = Some(self.filter_unit("org", code).await?.path);
        }
        if let Some(code) = given(filter.handler.as_deref()) {
            query.handler_org_id = Some(self.filter_unit("handler", code).await?.id);
        }
        if let Some(code) = given(filter.area.as_deref()) {
            query.area_path = Some(self.filter_unit("area", code).await?.path);
        }
        if let Some(day) = given(filter.from.as_deref()) {
            query.submitted_from = Some(vietnam_midnight(parse_day("from", day)?));
        }
        if let Some(day) = given(filter.to.as_deref()) {
            query.submitted_to = Some(vietnam_midnight(parse_day("to", day)?.succ_opt().unwrap_or(NaiveDate::MAX)));
        }
        if let Some(state) = given(filter.sla.as_deref()) {
            query.sla = Some((SlaState::parse(state)?, self.clock.today()));
        }
        Ok(())
    }

    /// The unit a filter names by its code (valid today).
    async fn filter_unit(&self, field: &'static str, code: &str) -> Result<OrgUnit> {
        self.org_by_code(code, None)
            .await
            .map_err(|_| DomainError::invalid(field, format!("không có đơn vị mã '{code}'")))
    }

    /// The list's query for `filter` in the caller's scope, for the tally and the texts.
    async fn analytics_query(&self, scope: &[String], filter: &FeedbackFilter, limit: u64) -> Result<FeedbackQuery> {
        let mut query =
            FeedbackQuery { within_paths: Some(scope.to_vec()), newest_first: true, limit, ..Default::default() };
        self.narrow_feedback_query(filter, &mut query).await?;
        Ok(query)
    }

    /// The descriptions of the items `filter` gives, the newest [`TEXT_CAP`].
    async fn analytics_texts(&self, scope: &[String], filter: &FeedbackFilter) -> Result<Vec<String>> {
        let query = self.analytics_query(scope, filter, TEXT_CAP).await?;
        Ok(self.store.feedback_texts(&query).await?.into_iter().map(|(_, text)| text).collect())
    }

    /// The analytics of the items in the caller's scope sent in a period. Needs
    /// [`Action::ReadFeedback`] somewhere.
    pub async fn feedback_analytics(&self, actor: &Principal, q: &AnalyticsQuery) -> Result<FeedbackAnalytics> {
        let scope = actor.scope_paths(Action::ReadFeedback);
        if scope.is_empty() {
            return Err(DomainError::Forbidden("xem phản ánh, kiến nghị"));
        }
        let today = self.clock.today();
        let period = period(q.from.as_deref(), q.to.as_deref(), today)?;
        let org = match given(q.org.as_deref()) {
            Some(code) => Some(self.filter_unit("org", code).await?),
            None => None,
        };
        let org_only = FeedbackFilter { org: org.as_ref().map(|u| u.code.clone()), ..Default::default() };
        let base = within(&org_only, period);
        let rows = self.store.feedback_tally(&self.analytics_query(&scope, &base, 0).await?).await?;
        let categories =
            Categories(self.store.feedback_categories().await?.into_iter().map(|c| (c.id, (c.code, c.name))).collect());

        let mut by_category: Vec<VolumeRow> = count_by(&rows, |r| r.category_id)
            .into_iter()
            .map(|(id, n)| VolumeRow {
                code: categories.code(id),
                name: categories.name(id),
                items: linked(n, &categories.filter(&base, id)),
            })
            .collect();
        by_category.sort_by(|a, b| b.items.count.cmp(&a.items.count).then(a.name.cmp(&b.name)));

        let periods = |ranges: Vec<DayRange>, label: fn(DayRange) -> String| -> Vec<PeriodRow> {
            let counts = count_in(&rows, &ranges);
            ranges
                .into_iter()
                .zip(counts)
                .map(|(r, n)| PeriodRow {
                    from: r.from,
                    to: r.to,
                    label: label(r),
                    items: linked(n, &within(&base, r)),
                })
                .collect()
        };
        let (by_area, sla, sla_total) = self.unit_figures(&rows, &base, today).await?;

        // This week and the one before, ending on the period's last day (today at the latest).
        let end = period.to.min(today);
        let this_week = DayRange { from: end - Duration::days(6), to: end };
        let previous_week = DayRange { from: end - Duration::days(13), to: end - Duration::days(7) };
        let (now, before) = (within(&org_only, this_week), within(&org_only, previous_week));
        let two_weeks = within(&org_only, DayRange { from: previous_week.from, to: end });
        let window_rows = self.store.feedback_tally(&self.analytics_query(&scope, &two_weeks, 0).await?).await?;
        let count_window = |w: DayRange| count_by(window_rows.iter().filter(|r| w.holds(r)), |r| r.category_id);
        let rising_topics = trends(&count_window(this_week), &count_window(previous_week))
            .into_iter()
            .map(|(id, n_now, n_before)| TopicTrend {
                code: categories.code(id),
                name: categories.name(id),
                this_week: linked(n_now, &categories.filter(&now, id)),
                previous_week: linked(n_before, &categories.filter(&before, id)),
                change: change(n_now, n_before),
                growth: growth(n_now, n_before),
            })
            .collect();
        let (top_terms, rising_terms, texts) = self.term_figures(&scope, &base, &now, &before).await?;

        Ok(FeedbackAnalytics {
            org: org.as_ref().map(unit_ref),
            from: period.from,
            to: period.to,
            as_of: today,
            total: linked(rows.len() as u64, &base),
            by_category,
            by_area,
            by_week: periods(weeks(period), week_label),
            by_month: periods(months(period), month_label),
            sla,
            sla_total,
            this_week,
            previous_week,
            rising_topics,
            top_terms,
            rising_terms,
            texts,
        })
    }

    /// Items per province of their area, and SLA figures per handling unit and over all.
    async fn unit_figures(
        &self,
        rows: &[TallyRow],
        base: &FeedbackFilter,
        today: NaiveDate,
    ) -> Result<(Vec<VolumeRow>, Vec<UnitSla>, SlaFigures)> {
        let provinces = count_by(rows, |r| agency_path(&r.area_path).to_string());
        let (per_handler, all) = sla_by_handler(rows, today);
        let mut ids: Vec<OrgId> = provinces.keys().filter_map(|p| last_id(p)).collect();
        ids.extend(per_handler.keys());
        ids.sort_unstable();
        ids.dedup();
        let units: HashMap<OrgId, OrgUnit> = self.store.org_many(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        // A link names a unit by its code, which names the unit valid today.
        let linkable = |id: OrgId| units.get(&id).filter(|u| u.is_valid_on(today));

        let mut by_area: Vec<VolumeRow> = provinces
            .iter()
            .map(|(path, n)| {
                let id = last_id(path);
                let unit = id.and_then(|id| units.get(&id));
                let href =
                    id.and_then(linkable).map(|u| FeedbackFilter { area: Some(u.code.clone()), ..base.clone() }.href());
                VolumeRow {
                    code: unit.map(|u| u.code.clone()),
                    name: unit.map_or_else(|| path.clone(), |u| u.name.clone()),
                    items: LinkedCount { count: *n, href },
                }
            })
            .collect();
        by_area.sort_by(|a, b| b.items.count.cmp(&a.items.count).then(a.name.cmp(&b.name)));

        let mut sla: Vec<UnitSla> = per_handler
            .iter()
            .filter_map(|(id, c)| {
                let filter = linkable(*id).map(|u| FeedbackFilter { handler: Some(u.code.clone()), ..base.clone() });
                Some(UnitSla { unit: unit_ref(units.get(id)?), figures: sla_figures(c, filter.as_ref()) })
            })
            .collect();
        // Most overdue first, then most answered late, then most items.
        sla.sort_by(|a, b| {
            let (x, y) = (&a.figures, &b.figures);
            (y.overdue.count, y.late.count, y.items.count)
                .cmp(&(x.overdue.count, x.late.count, x.items.count))
                .then(a.unit.name.cmp(&b.unit.name))
        });
        Ok((by_area, sla, sla_figures(&all, Some(base))))
    }

    /// The period's top terms and this week's rising ones, from the newest [`TEXT_CAP`]
    /// descriptions of each.
    async fn term_figures(
        &self,
        scope: &[String],
        period: &FeedbackFilter,
        now: &FeedbackFilter,
        before: &FeedbackFilter,
    ) -> Result<(Vec<TermCount>, Vec<TermTrend>, TextSample)> {
        let period_texts = self.analytics_texts(scope, period).await?;
        let now_texts = self.analytics_texts(scope, now).await?;
        let before_texts = self.analytics_texts(scope, before).await?;
        let sample = TextSample {
            period: period_texts.len() as u64,
            this_week: now_texts.len() as u64,
            previous_week: before_texts.len() as u64,
            capped: [&period_texts, &now_texts, &before_texts].iter().any(|t| t.len() as u64 >= TEXT_CAP),
        };
        // Segmenting a few thousand texts takes a moment of CPU: not on the async workers.
        let (top, rising) = tokio::task::spawn_blocking(move || {
            let top = top_terms(&term_counts(&period_texts), TOP_TERMS);
            (top, rising_terms(&term_counts(&now_texts), &term_counts(&before_texts), RISING_TERMS))
        })
        .await
        .map_err(|e| DomainError::Storage(format!("counting terms stopped: {e}")))?;
        let top = top.into_iter().map(|(term, items)| TermCount { href: search(period, &term), term, items }).collect();
        let rising = rising
            .into_iter()
            .map(|(term, n_now, n_before)| TermTrend {
                href: search(now, &term),
                term,
                this_week: n_now,
                previous_week: n_before,
                change: change(n_now, n_before),
            })
            .collect();
        Ok((top, rising, sample))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::feedback::Status;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    /// 09:00 in Vietnam on that day.
    fn at(m: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, day, 2, 0, 0).single().expect("time")
    }

    fn row(id: i64, category: Option<i64>, handler: OrgId, sent: DateTime<Utc>, status: Status) -> TallyRow {
        TallyRow {
            id,
            category_id: category,
            area_path: "/1/51/".into(),
            handler_org_id: handler,
            status,
            submitted_at: sent,
            due_on: d(9, 10),
            resolved_at: None,
        }
    }

    #[test]
    fn days_are_typed_either_way_and_the_period_defaults_to_twelve_weeks() {
        assert_eq!(parse_day("from", " 27/08/2026 ").expect("parses"), d(8, 27));
        assert_eq!(parse_day("from", "2026-08-27").expect("parses"), d(8, 27));
        assert!(parse_day("from", "31/02/2026").is_err());
        // Thursday 27/08/2026: from the Monday eleven weeks before this week's Monday 24/08.
        let p = period(None, None, d(8, 27)).expect("period");
        assert_eq!((p.from, p.to), (d(6, 8), d(8, 27)));
        assert_eq!(weeks(p).len(), 12);
        let p = period(Some("01/08/2026"), Some(""), d(8, 27)).expect("period");
        assert_eq!((p.from, p.to), (d(8, 1), d(8, 27)));
        assert!(period(Some("2026-08-28"), Some("2026-08-27"), d(8, 27)).is_err());
        assert!(period(Some("2024-01-01"), Some("2026-08-27"), d(8, 27)).is_err());
        // Vietnam's midnight is 17:00 UTC the day before.
        assert_eq!(vietnam_midnight(d(8, 27)), Utc.with_ymd_and_hms(2026, 8, 26, 17, 0, 0).unwrap());
    }

    #[test]
    fn weeks_and_months_are_cut_to_the_period() {
        let p = DayRange { from: d(8, 27), to: d(9, 8) };
        let w = weeks(p);
        assert_eq!(
            w,
            [
                DayRange { from: d(8, 27), to: d(8, 30) },
                DayRange { from: d(8, 31), to: d(9, 6) },
                DayRange { from: d(9, 7), to: d(9, 8) },
            ]
        );
        assert_eq!(week_label(w[1]), "Tuần 36/2026 (31/08–06/09)");
        let m = months(p);
        assert_eq!(m, [DayRange { from: d(8, 27), to: d(8, 31) }, DayRange { from: d(9, 1), to: d(9, 8) }]);
        assert_eq!(month_label(m[1]), "Tháng 9/2026");
        // 23:30 in Vietnam on Sunday 30/08 (16:30 UTC) is still that week.
        let late_sunday = Utc.with_ymd_and_hms(2026, 8, 30, 16, 30, 0).unwrap();
        let rows = [
            row(1, None, 7, at(8, 27), Status::New),
            row(2, None, 7, late_sunday, Status::New),
            row(3, None, 7, at(9, 7), Status::New),
        ];
        assert_eq!(count_in(&rows, &w), [2, 0, 1]);
    }

    #[test]
    fn sla_counts_per_handling_unit_and_compliance() {
        let today = d(9, 11);
        let answered = |id, handler, day| TallyRow {
            resolved_at: Some(at(9, day)),
            ..row(id, Some(1), handler, at(8, 27), Status::Answered)
        };
        let rows = [
            answered(1, 7, 10),                                                      // on time
            answered(2, 7, 11),                                                      // late
            row(3, Some(1), 7, at(8, 27), Status::InProgress),                       // overdue
            TallyRow { due_on: d(9, 20), ..row(4, None, 7, at(9, 9), Status::New) }, // pending
            row(5, None, 7, at(8, 28), Status::Merged),                              // only counted as an item
            answered(6, 8, 1),
        ];
        let (per, all) = sla_by_handler(&rows, today);
        assert_eq!(per[&7], SlaCounts { items: 5, on_time: 1, late: 1, overdue: 1, pending: 1 });
        assert_eq!(per[&8], SlaCounts { items: 1, on_time: 1, ..Default::default() });
        assert_eq!(all.items, 6);
        assert_eq!(all.get(SlaState::OnTime), 2);
        let c = per[&7].compliance().expect("due items");
        assert!((c - 100.0 / 3.0).abs() < 1e-9, "{c}");
        assert_eq!(per[&8].compliance(), Some(100.0));
        assert_eq!(SlaCounts { pending: 2, items: 2, ..Default::default() }.compliance(), None);
    }

    #[test]
    fn trends_put_the_largest_increase_first() {
        let now: BTreeMap<&str, u64> = [("a", 5), ("b", 2), ("c", 3)].into();
        let before: BTreeMap<&str, u64> = [("a", 4), ("b", 0), ("d", 6)].into();
        assert_eq!(trends(&now, &before), [("c", 3, 0), ("b", 2, 0), ("a", 5, 4), ("d", 0, 6)]);
        assert_eq!((change(3, 5), growth(3, 2), growth(1, 0)), (-2, Some(50.0), None));
    }

    #[test]
    fn terms_are_words_counted_once_per_text() {
        assert!(is_term("ổ gà") && is_term("đường"));
        for not in ["của", "và", "20", "0912", ",", "a", "dan@example.vn", "-"] {
            assert!(!is_term(not), "{not}");
        }
        let texts = [
            "Đường Hùng Vương có ổ gà lớn, ổ gà rất sâu.",
            "Ổ gà trên đường Quang Trung số 12.",
            "Rác thải ven đường.",
        ];
        let counts = term_counts(&texts);
        assert_eq!(counts.get("ổ gà"), Some(&2), "{counts:?}");
        assert_eq!(counts.get("đường"), Some(&3), "{counts:?}");
        assert!(!counts.keys().any(|w| w.chars().any(|c| c.is_ascii_digit() || c.is_uppercase())), "{counts:?}");
        let top = top_terms(&counts, 2);
        assert_eq!(top, [("đường".to_string(), 3), ("ổ gà".to_string(), 2)]);
        let before = term_counts(&["Rác thải ven đường, đường hỏng."]);
        let rising = rising_terms(&counts, &before, 10);
        // "đường": 3 against 1, "ổ gà" 2 against 0: the same gain, more items first.
        assert_eq!(rising[..2], [("đường".to_string(), 3, 1), ("ổ gà".to_string(), 2, 0)], "{rising:?}");
        assert!(rising.iter().all(|(_, a, b)| a > b));
    }

    #[test]
    fn links_carry_the_filters_that_counted() {
        let base = FeedbackFilter { org: Some("51".into()), ..Default::default() };
        let week = within(&base, DayRange { from: d(8, 24), to: d(8, 30) });
        let f = FeedbackFilter { category: Some("none".into()), sla: Some("late".into()), ..week };
        assert_eq!(f.href(), "/feedback?org=51&from=2026-08-24&to=2026-08-30&sla=late&category=none");
        assert_eq!(last_id("/1/51/"), Some(51));
        let cats = Categories([(3, ("giao-thong".to_string(), "Giao thông".to_string()))].into());
        assert_eq!(cats.filter(&base, None).category.as_deref(), Some("none"));
        assert_eq!(cats.filter(&base, Some(3)).category.as_deref(), Some("giao-thong"));
        assert_eq!((cats.name(None), cats.name(Some(3))), (UNCATEGORIZED.to_string(), "Giao thông".to_string()));
        assert_eq!(search(&base, "ổ gà"), "/feedback?org=51&q=%E1%BB%95+g%C3%A0");
    }
}
