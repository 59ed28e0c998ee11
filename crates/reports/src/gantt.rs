//! A server-rendered SVG timeline (Gantt-like): one row per bar, a month axis, a "Hôm nay"
//! line.
//!
//! The SVG is 960 units wide with a `viewBox`, so it scales down on phones, and grows in
//! height with the rows. Bars carry `class="bar bar-{status}"` for the page stylesheet and
//! inline default fills (presentation attributes, which any CSS rule overrides) so the file
//! also stands alone. Grid lines are weekly for short spans and monthly otherwise; nothing is
//! drawn per day, so long spans stay small. All text is escaped.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::table::format_date;
use crate::xml::escape;

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub start: NaiveDate,
    /// Last day, inclusive. Before `start` means a milestone, drawn as a diamond at `start`.
    pub end: NaiveDate,
    /// 0..=100; larger values count as 100.
    pub progress: u8,
    /// CSS class suffix (`overdue` gives `bar-overdue`). Characters other than ASCII letters,
    /// digits, `-` and `_` are replaced by `-`.
    pub status: String,
    /// Link for the row (label and bar). Only relative links and `http`, `https`, `mailto`
    /// are kept; anything else (`javascript:` …) is dropped.
    pub href: Option<String>,
    /// Indent level for subtasks.
    pub depth: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub bars: Vec<Bar>,
    /// Drawn as the "Hôm nay" line and included in the date range, unless it lies so far from
    /// the bars (more than the bars' own span, and more than 90 days) that it would squash them.
    pub today: NaiveDate,
}

const WIDTH: f64 = 960.0;
const LABEL_W: f64 = 260.0;
const CHART_X0: f64 = 270.0;
const CHART_X1: f64 = 948.0;
const HEADER_H: f64 = 46.0;
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 16.0;
const BOTTOM_PAD: f64 = 8.0;
const INDENT: f64 = 14.0;
/// Average advance of a 12px label character, Vietnamese diacritics included.
const CHAR_W: f64 = 6.6;
pub(crate) const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

/// Renders the timeline as a standalone SVG document fragment (`<svg …>…</svg>`).
pub fn render_svg(t: &Timeline) -> String {
    if t.bars.is_empty() {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt gantt-empty\" width=\"{WIDTH}\" height=\"60\" \
             viewBox=\"0 0 {WIDTH} 60\" style=\"max-width:100%;height:auto\" role=\"img\" \
             aria-label=\"Không có nhiệm vụ\" font-family=\"{FONT}\" font-size=\"14\">\
             <rect width=\"{WIDTH}\" height=\"60\" fill=\"#ffffff\"/>\
             <text x=\"{}\" y=\"35\" text-anchor=\"middle\" fill=\"#6b7280\">Không có nhiệm vụ</text></svg>",
            WIDTH / 2.0
        );
    }

    let scale = Scale::new(t);
    let height = HEADER_H + t.bars.len() as f64 * ROW_H + BOTTOM_PAD;
    let h = num(height);
    let mut s = String::with_capacity(2048 + t.bars.len() * 700);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" class=\"gantt\" \
         width=\"{WIDTH}\" height=\"{h}\" viewBox=\"0 0 {WIDTH} {h}\" style=\"max-width:100%;height:auto\" \
         role=\"img\" aria-label=\"Biểu đồ tiến độ: {} nhiệm vụ\" font-family=\"{FONT}\" font-size=\"12\">\
         <rect class=\"gantt-bg\" width=\"{WIDTH}\" height=\"{h}\" fill=\"#ffffff\"/>",
        t.bars.len()
    );

    // Row stripes first, so grid lines and bars are drawn over them.
    for i in (1..t.bars.len()).step_by(2) {
        let _ = write!(
            s,
            "<rect class=\"row-alt\" x=\"0\" y=\"{}\" width=\"{WIDTH}\" height=\"{ROW_H}\" fill=\"#f6f8fa\"/>",
            num(HEADER_H + i as f64 * ROW_H)
        );
    }
    axis(&mut s, &scale, height);
    for (i, bar) in t.bars.iter().enumerate() {
        row(&mut s, &scale, bar, HEADER_H + i as f64 * ROW_H);
    }
    if scale.show_today {
        let x_line = scale.x(t.today) + scale.px_per_day / 2.0;
        let x = num(x_line);
        // The label stays inside the picture when today is near an edge.
        let x_text = num(x_line.clamp(CHART_X0 + 30.0, WIDTH - 30.0));
        let _ = write!(
            s,
            "<g class=\"today\"><line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#d32f2f\" stroke-width=\"1.5\" \
             stroke-dasharray=\"4 3\"/><text x=\"{x_text}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" \
             font-weight=\"bold\" fill=\"#d32f2f\">Hôm nay<title>Hôm nay {}</title></text></g>",
            num(HEADER_H - 14.0),
            num(height - BOTTOM_PAD),
            num(HEADER_H - 17.0),
            format_date(t.today)
        );
    }
    s.push_str("</svg>");
    s
}

/// Maps days to x positions over whole months covering the bars (and usually today).
struct Scale {
    start: NaiveDate,
    end: NaiveDate,
    px_per_day: f64,
    show_today: bool,
}

impl Scale {
    fn new(t: &Timeline) -> Self {
        let mut lo = NaiveDate::MAX;
        let mut hi = NaiveDate::MIN;
        for b in &t.bars {
            let last = if b.end < b.start { b.start } else { b.end };
            lo = lo.min(b.start);
            hi = hi.max(last);
        }
        let span = (hi - lo).num_days().max(90);
        let distance = if t.today < lo {
            (lo - t.today).num_days()
        } else if t.today > hi {
            (t.today - hi).num_days()
        } else {
            0
        };
        let show_today = distance <= span;
        if show_today {
            lo = lo.min(t.today);
            hi = hi.max(t.today);
        }
        let start = month_start(lo);
        let end = next_month_start(hi).unwrap_or(hi);
        let days = (end - start).num_days().max(1) as f64;
        Scale { start, end, px_per_day: (CHART_X1 - CHART_X0) / days, show_today }
    }

    fn x(&self, d: NaiveDate) -> f64 {
        CHART_X0 + (d - self.start).num_days() as f64 * self.px_per_day
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month_start(d: NaiveDate) -> Option<NaiveDate> {
    if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    }
}

/// Header with month labels, month (or week) grid lines down to `bottom`.
fn axis(s: &mut String, scale: &Scale, height: f64) {
    let bottom = num(height - BOTTOM_PAD);
    let top = num(HEADER_H);
    let total_days = (scale.end - scale.start).num_days().max(1);
    let month_px = 30.44 * scale.px_per_day;
    // Months between labels, so that labels ("Th12 2026", about 58 units) never overlap:
    // 1, 2, 3 or 6 months, else whole years in steps of 1, 2, 5, 10, 20, 50 …
    let fits = |months: u32| f64::from(months) * month_px >= 64.0;
    let step = match [1u32, 2, 3, 6].into_iter().find(|k| fits(*k)) {
        Some(k) => k,
        None => {
            let mut magnitude = 1u32;
            let years = 'found: loop {
                for m in [1u32, 2, 5] {
                    let years = m.saturating_mul(magnitude);
                    if fits(years.saturating_mul(12)) || years >= 100_000 {
                        break 'found years;
                    }
                }
                magnitude = magnitude.saturating_mul(10);
            };
            years.saturating_mul(12)
        }
    };
    let year_labels = step >= 12;

    s.push_str("<g class=\"axis\" fill=\"#374151\" font-size=\"11\">");
    let _ = write!(
        s,
        "<line x1=\"0\" y1=\"{top}\" x2=\"{WIDTH}\" y2=\"{top}\" stroke=\"#9ca3af\"/>\
         <line x1=\"{CHART_X0}\" y1=\"0\" x2=\"{CHART_X0}\" y2=\"{bottom}\" stroke=\"#9ca3af\"/>\
         <text x=\"8\" y=\"{}\" font-weight=\"bold\">Nhiệm vụ</text>",
        num(HEADER_H - 17.0)
    );

    // Weekly lines (Mondays) for spans up to about four months.
    if total_days <= 124 {
        let mut d = scale.start;
        while d < scale.end {
            if d.weekday() == Weekday::Mon && d.day() != 1 {
                let x = num(scale.x(d));
                let _ = write!(
                    s,
                    "<line class=\"grid-week\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#e5e7eb\"/>"
                );
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
    }

    // Every month gets a grid line while months are wide enough; otherwise only labelled ones,
    // and the loop then jumps from label to label so long spans stay cheap.
    let every_month = month_px >= 6.0;
    let is_labelled = |d: NaiveDate| {
        let index = i64::from(d.year()) * 12 + i64::from(d.month0());
        index.rem_euclid(i64::from(step)) == 0
    };
    let mut m = Some(scale.start);
    if !every_month {
        // The first labelled month at or after the start.
        let index = i64::from(scale.start.year()) * 12 + i64::from(scale.start.month0());
        let first = index + (i64::from(step) - index.rem_euclid(i64::from(step))) % i64::from(step);
        m = i32::try_from(first.div_euclid(12))
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, first.rem_euclid(12) as u32 + 1, 1));
    }
    while let Some(d) = m.filter(|d| *d < scale.end) {
        let labelled = is_labelled(d);
        let x = scale.x(d);
        if x > CHART_X0 + 0.5 {
            let xs = num(x);
            let colour = if d.month0() == 0 { "#c4cad1" } else { "#dfe3e8" };
            let _ = write!(
                s,
                "<line class=\"grid-month\" x1=\"{xs}\" y1=\"{}\" x2=\"{xs}\" y2=\"{bottom}\" stroke=\"{colour}\"/>",
                num(HEADER_H - 26.0)
            );
        }
        if labelled && x + 50.0 <= CHART_X1 + 8.0 {
            let text = if year_labels { d.year().to_string() } else { format!("Th{} {}", d.month(), d.year()) };
            let _ = write!(s, "<text x=\"{}\" y=\"14\">{text}</text>", num(x + 4.0));
        }
        m = if every_month { next_month_start(d) } else { d.checked_add_months(chrono::Months::new(step)) };
    }
    s.push_str("</g>");
}

fn row(s: &mut String, scale: &Scale, bar: &Bar, y: f64) {
    let status = css_class(&bar.status);
    let fill = default_fill(&status);
    let href = bar.href.as_deref().and_then(safe_href);
    let label = one_line(&bar.label);
    let progress = bar.progress.min(100);

    if let Some(href) = &href {
        let href = escape(href);
        let _ = write!(s, "<a href=\"{href}\" xlink:href=\"{href}\">");
    }
    let _ = write!(s, "<g class=\"row\">");

    // Label, cut to the column with a tooltip holding the full text.
    let indent = f64::from(bar.depth.min(8)) * INDENT;
    let room = ((LABEL_W - 12.0 - indent) / CHAR_W).max(4.0) as usize;
    let _ = write!(
        s,
        "<text class=\"label depth-{}\" x=\"{}\" y=\"{}\" fill=\"{}\"><title>{}</title>{}</text>",
        bar.depth,
        num(8.0 + indent),
        num(y + ROW_H / 2.0 + 4.0),
        if href.is_some() { "#0b57d0" } else { "#111827" },
        escape(&label),
        escape(&truncate(&label, room))
    );

    let tooltip = if bar.end < bar.start {
        format!("{label} — mốc {}", format_date(bar.start))
    } else {
        format!("{label} — {} → {} · {progress}%", format_date(bar.start), format_date(bar.end))
    };
    let _ = write!(s, "<g class=\"bar bar-{status}{}\">", if bar.end < bar.start { " milestone" } else { "" });
    let _ = write!(s, "<title>{}</title>", escape(&tooltip));
    let cy = y + ROW_H / 2.0;
    if bar.end < bar.start {
        let cx = scale.x(bar.start) + scale.px_per_day / 2.0;
        let r = 7.0;
        let _ = write!(
            s,
            "<polygon class=\"bar-milestone\" points=\"{},{} {},{} {},{} {},{}\" fill=\"{fill}\" stroke=\"#ffffff\"/>",
            num(cx),
            num(cy - r),
            num(cx + r),
            num(cy),
            num(cx),
            num(cy + r),
            num(cx - r),
            num(cy)
        );
    } else {
        let x0 = scale.x(bar.start);
        let x1 = scale.x(bar.end) + scale.px_per_day;
        let w = (x1 - x0).max(2.0);
        let by = num(cy - BAR_H / 2.0);
        let _ = write!(
            s,
            "<rect class=\"bar-track\" x=\"{}\" y=\"{by}\" width=\"{}\" height=\"{BAR_H}\" rx=\"3\" fill=\"{fill}\" \
             fill-opacity=\"0.3\"/>",
            num(x0),
            num(w)
        );
        if progress > 0 {
            let _ = write!(
                s,
                "<rect class=\"bar-progress\" x=\"{}\" y=\"{by}\" width=\"{}\" height=\"{BAR_H}\" rx=\"3\" fill=\"{fill}\"/>",
                num(x0),
                num(w * f64::from(progress) / 100.0)
            );
        }
        // The percentage right of the bar, or inside its right end when the bar reaches the edge.
        let pct_at = if x0 + w + 34.0 <= WIDTH {
            Some((x0 + w + 4.0, "start"))
        } else if w >= 40.0 {
            Some((x0 + w - 4.0, "end"))
        } else {
            None
        };
        if let Some((x, anchor)) = pct_at {
            let _ = write!(
                s,
                "<text class=\"bar-pct\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-size=\"10\" \
                 fill=\"#1f2937\">{progress}%</text>",
                num(x),
                num(cy + 3.5)
            );
        }
    }
    s.push_str("</g></g>");
    if href.is_some() {
        s.push_str("</a>");
    }
}

/// `status` reduced to a safe CSS class suffix.
pub(crate) fn css_class(status: &str) -> String {
    let cleaned: String = status
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if cleaned.is_empty() { "default".to_owned() } else { cleaned }
}

/// Inline fill for a status class, used when no stylesheet colours the bar.
pub(crate) fn default_fill(status: &str) -> &'static str {
    match status {
        "done" | "completed" | "complete" | "finished" | "hoan-thanh" => "#2e7d32",
        "overdue" | "late" | "qua-han" | "blocked" => "#c62828",
        "at-risk" | "risk" | "warning" | "delayed" | "cham" => "#ef6c00",
        "cancelled" | "canceled" | "paused" | "on-hold" | "huy" => "#9e9e9e",
        "planned" | "not-started" | "todo" | "new" | "draft" => "#78909c",
        _ => "#1565c0",
    }
}

/// Keeps relative links and http(s)/mailto; drops other schemes such as `javascript:`.
pub(crate) fn safe_href(href: &str) -> Option<String> {
    let cleaned: String = href.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect();
    if cleaned.is_empty() {
        return None;
    }
    let lower = cleaned.to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let before_path = lower.find(['/', '?', '#']).unwrap_or(lower.len());
    match scheme_end {
        Some(i) if i < before_path => {
            let scheme = &lower[..i];
            matches!(scheme, "http" | "https" | "mailto").then_some(cleaned)
        }
        _ => Some(cleaned),
    }
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, the last one `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// A coordinate with at most one decimal, without a trailing `.0`.
pub(crate) fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() { format!("{}", r as i64) } else { format!("{r:.1}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn bar(label: &str, start: NaiveDate, end: NaiveDate) -> Bar {
        Bar { label: label.into(), start, end, progress: 40, status: "in-progress".into(), href: None, depth: 0 }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
    }

    fn sample() -> Timeline {
        Timeline {
            bars: vec![
                Bar {
                    label: "<script>alert('x')</script> Số hoá & \"kết nối\"".into(),
                    href: Some("/nhiem-vu/1?tab=a&b=c".into()),
                    status: "overdue".into(),
                    progress: 60,
                    ..bar("", d(2026, 1, 5), d(2026, 3, 20))
                },
                Bar {
                    depth: 1,
                    progress: 100,
                    status: "done".into(),
                    ..bar("Khảo sát hiện trạng", d(2026, 1, 5), d(2026, 1, 30))
                },
                Bar {
                    label: "Nghiệm thu giai đoạn 1".into(),
                    status: "planned".into(),
                    ..bar("", d(2026, 4, 15), d(2026, 4, 1))
                },
                Bar {
                    label: "Xây dựng nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh (LGSP) và kết nối với NDXP quốc gia"
                        .into(),
                    href: Some("javascript:alert(1)".into()),
                    status: "x\" onmouseover=\"alert(1)".into(),
                    ..bar("", d(2026, 2, 1), d(2026, 6, 30))
                },
            ],
            today: d(2026, 2, 10),
        }
    }

    #[test]
    fn well_formed_and_escaped() {
        let svg = render_svg(&sample());
        let doc = parse(&svg);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Số hoá &amp; &quot;kết nối&quot;"));
        assert!(svg.contains("href=\"/nhiem-vu/1?tab=a&amp;b=c\""));
        // The hostile status became a harmless class, the javascript: link is gone.
        assert!(svg.contains("class=\"bar bar-x--onmouseover--alert-1-\""));
        assert!(!svg.contains("javascript"));
        // The parsed tree gives the original text back.
        let titles: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
        assert!(titles.contains(&"<script>alert('x')</script> Số hoá & \"kết nối\""));
        let root = doc.root_element();
        assert_eq!(root.attribute("width"), Some("960"));
        assert_eq!(root.attribute("viewBox"), Some(&*format!("0 0 960 {}", root.attribute("height").unwrap())));
    }

    #[test]
    fn links_classes_and_progress() {
        let svg = render_svg(&sample());
        let doc = parse(&svg);
        let links: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].attribute("href"), Some("/nhiem-vu/1?tab=a&b=c"));
        let bars: Vec<_> = doc
            .descendants()
            .filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == "bar")))
            .collect();
        assert_eq!(bars.len(), 4);
        assert_eq!(bars[0].attribute("class"), Some("bar bar-overdue"));
        assert!(links[0].descendants().any(|n| n == bars[0]), "the first bar is inside its link");
        // Progress fill is 60 % of the track.
        let rect_w = |class: &str| -> f64 {
            bars[0]
                .descendants()
                .find(|n| n.attribute("class") == Some(class))
                .and_then(|n| n.attribute("width"))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!((rect_w("bar-progress") / rect_w("bar-track") - 0.6).abs() < 0.01);
        assert!(svg.contains("fill=\"#c62828\""), "inline default colour for overdue");
    }

    #[test]
    fn milestone_for_end_before_start() {
        let doc_svg = render_svg(&sample());
        let doc = parse(&doc_svg);
        let ms: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("polygon")).collect();
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].parent().and_then(|p| p.attribute("class")), Some("bar bar-planned milestone"));
        assert!(doc_svg.contains("Nghiệm thu giai đoạn 1 — mốc 15/04/2026"));
    }

    #[test]
    fn today_line_and_month_axis() {
        let svg = render_svg(&sample());
        let doc = parse(&svg);
        let today = doc.descendants().find(|n| n.attribute("class") == Some("today")).expect("today line");
        assert!(today.descendants().any(|n| n.text() == Some("Hôm nay")));
        for m in ["Th1 2026", "Th2 2026", "Th6 2026"] {
            assert!(svg.contains(&format!(">{m}</text>")), "{m}");
        }
        // Today is 10/02/2026 on a range starting 01/01/2026.
        let line = today.descendants().find(|n| n.has_tag_name("line")).unwrap();
        let x: f64 = line.attribute("x1").unwrap().parse().unwrap();
        let per_day = (CHART_X1 - CHART_X0) / 181.0;
        assert!((x - (CHART_X0 + 40.5 * per_day)).abs() < 0.2, "{x}");
        // Today far away from the bars is not drawn.
        let mut far = sample();
        far.today = d(2030, 1, 1);
        assert!(!render_svg(&far).contains("Hôm nay"));
    }

    #[test]
    fn long_labels_are_truncated_with_full_tooltip() {
        let svg = render_svg(&sample());
        let doc = parse(&svg);
        let label =
            doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("label"))).nth(3).unwrap();
        let shown: String = label.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        assert!(shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() < 40);
        let title = label.children().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap();
        assert!(title.ends_with("NDXP quốc gia"));
    }

    #[test]
    fn grid_weekly_for_short_monthly_for_long_spans_and_stays_small() {
        let short = Timeline { bars: vec![bar("a", d(2026, 3, 2), d(2026, 3, 20))], today: d(2026, 3, 10) };
        let svg = render_svg(&short);
        parse(&svg);
        assert!(svg.contains("grid-week"));
        let long = Timeline {
            bars: (0..50).map(|i| bar(&format!("Nhiệm vụ {i}"), d(2020, 1, 1), d(2035, 12, 31))).collect(),
            today: d(2026, 1, 1),
        };
        let svg = render_svg(&long);
        parse(&svg);
        assert!(!svg.contains("grid-week"));
        assert!(svg.contains(">2020</text>") || svg.contains(">2024</text>"));
        assert!(svg.len() < 50 * 1200 + 20_000, "{} bytes", svg.len());
        let extreme = Timeline { bars: vec![bar("x", NaiveDate::MIN, NaiveDate::MAX)], today: d(2026, 1, 1) };
        let svg = render_svg(&extreme);
        parse(&svg);
        assert!(svg.len() < 20_000, "{} bytes", svg.len());
    }

    #[test]
    fn empty_timeline() {
        let svg = render_svg(&Timeline { bars: vec![], today: d(2026, 1, 1) });
        parse(&svg);
        assert!(svg.contains("Không có nhiệm vụ"));
    }

    #[test]
    fn helpers() {
        assert_eq!(safe_href("https://a.vn/x"), Some("https://a.vn/x".into()));
        assert_eq!(safe_href(" JaVa\tScript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
        assert_eq!(safe_href("tasks/1?a=b:c"), Some("tasks/1?a=b:c".into()));
        assert_eq!(css_class(" Đang làm "), "-ang-l-m");
        assert_eq!(css_class(""), "default");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(escape("a\u{1}b'"), "ab&#39;");
    }
}
