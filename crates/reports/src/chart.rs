//! Server-rendered SVG bar charts for dashboards: one horizontal bar per row, its label above it
//! and its figure beside it, so a chart reads on a phone as well as on a desk.
//!
//! A chart is `role="img"` with a `<title>` (its name) and a `<desc>` that spells out every
//! figure, so a screen reader hears what the bars show; each bar also carries its own `<title>`
//! (a tooltip) and, when given, a link to the rows behind it. Figures are written the Vietnamese
//! way (`1.234`, `80,5%`). Two scales:
//! - [`ChartScale::Count`]: bars proportional to the largest value;
//! - [`ChartScale::Percent`]: a track from 0 to 100 % with a mark at 100 % (the target); a value
//!   above 100 % fills the track and its figure says how far above it is.
//!
//! The SVG is 400 units wide with a `viewBox`, so it scales to its container (15-unit text stays
//! legible at a phone's width); bars carry
//! `class="bar bar-{class}"` for the page stylesheet and inline default fills so the file also
//! stands alone. All text is escaped; links other than relative, `http`, `https` and `mailto`
//! are dropped.

use std::fmt::Write as _;

use crate::gantt::{FONT, css_class, default_fill, num, one_line, safe_href, truncate};
use crate::table::Cell;
use crate::xml::escape;

/// What the bars measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartScale {
    /// Counts: the longest bar is the largest value.
    Count,
    /// Percentages of a target: the track is 0–100 %, values above 100 % fill it.
    Percent,
}

/// One bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartRow {
    pub label: String,
    /// `None` when there is no figure: a dash, no bar.
    pub value: Option<f64>,
    /// Shown after the figure, e.g. `8 / 10`.
    pub note: Option<String>,
    /// The rows behind the figure.
    pub href: Option<String>,
    /// CSS class suffix (`overdue` gives `bar-overdue`), which also picks the default colour.
    pub class: String,
    /// Drawn emphasised: bold label and figure in the bar's colour.
    pub highlight: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique on the page: the ids of the chart's `<title>` and `<desc>` start with it.
    pub id: String,
    /// The chart's accessible name.
    pub title: String,
    pub scale: ChartScale,
    pub rows: Vec<ChartRow>,
}

// 400 units drawn in about 360 CSS pixels on a phone: 15-unit text reads as 13–14 px.
const WIDTH: f64 = 400.0;
const FONT_SIZE: f64 = 15.0;
const ROW_H: f64 = 46.0;
const PAD: f64 = 4.0;
const LABEL_DY: f64 = 16.0;
const BAR_DY: f64 = 23.0;
const BAR_H: f64 = 15.0;
const TRACK_X0: f64 = 2.0;
const TRACK_W: f64 = 160.0;
const FIGURE_X: f64 = 168.0;
/// A generous advance of a character at [`FONT_SIZE`] (Vietnamese diacritics, bold figures), so
/// that cut text never runs past the edge.
const CHAR_W: f64 = 8.8;

/// A figure as a Vietnamese reader writes it: `1.234`, `12,5`, `80,0%`; a dash for none.
pub fn figure_vi(scale: ChartScale, value: Option<f64>) -> String {
    match (scale, value) {
        (_, None) => "—".to_owned(),
        (ChartScale::Percent, Some(v)) => Cell::Percent(v).to_display_vi(),
        (ChartScale::Count, Some(v)) if v.fract() == 0.0 && v.abs() < 9.0e15 => Cell::Int(v as i64).to_display_vi(),
        (ChartScale::Count, Some(v)) => Cell::Number(v).to_display_vi(),
    }
}

/// The figure and its note as one line: `80,0% · 8 / 10`.
fn figure_text(scale: ChartScale, row: &ChartRow) -> String {
    let figure = figure_vi(scale, row.value);
    match row.note.as_deref().map(one_line).filter(|n| !n.is_empty()) {
        Some(note) => format!("{figure} · {note}"),
        None => figure,
    }
}

/// Renders the chart as an inline SVG element (`<svg …>…</svg>`).
pub fn render_chart(c: &Chart) -> String {
    let id = css_class(&c.id);
    let title = one_line(&c.title);
    if c.rows.is_empty() {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-empty\" width=\"{WIDTH}\" height=\"40\" \
             viewBox=\"0 0 {WIDTH} 40\" style=\"max-width:100%;height:auto\" role=\"img\" \
             aria-labelledby=\"{id}-t {id}-d\" font-family=\"{FONT}\" font-size=\"{FONT_SIZE}\">\
             <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">Không có số liệu</desc>\
             <text x=\"{}\" y=\"25\" text-anchor=\"middle\" fill=\"#6b7280\">Không có số liệu</text></svg>",
            escape(&title),
            WIDTH / 2.0
        );
    }
    let height = num(2.0 * PAD + c.rows.len() as f64 * ROW_H);
    let desc: Vec<String> =
        c.rows.iter().map(|r| format!("{}: {}", one_line(&r.label), figure_text(c.scale, r))).collect();
    let mut s = String::with_capacity(1024 + c.rows.len() * 900);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" class=\"chart\" \
         width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" style=\"max-width:100%;height:auto\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"{FONT}\" font-size=\"{FONT_SIZE}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(&title),
        escape(&desc.join("; "))
    );
    let max = c.rows.iter().filter_map(|r| r.value).filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    for (i, row) in c.rows.iter().enumerate() {
        bar(&mut s, c.scale, max, row, PAD + i as f64 * ROW_H);
    }
    s.push_str("</svg>");
    s
}

/// Inline fill for a bar's class (the dashboards' status names, then the timeline's).
fn fill_of(class: &str) -> &'static str {
    match class {
        "completed_late" | "due_soon" | "warn" => "#b26a00",
        "not_started" => "#78909c",
        "completed" | "ok" | "good" => "#2e7d32",
        "bad" => "#c62828",
        other => default_fill(other),
    }
}

/// The bar's length in units, 0 for none; a positive value is never thinner than 2 units.
fn bar_width(scale: ChartScale, max: f64, value: Option<f64>) -> f64 {
    let Some(v) = value.filter(|v| v.is_finite() && *v > 0.0) else { return 0.0 };
    let share = match scale {
        ChartScale::Count if max > 0.0 => v / max,
        ChartScale::Count => 0.0,
        ChartScale::Percent => v.min(100.0) / 100.0,
    };
    (share * TRACK_W).max(2.0)
}

fn bar(s: &mut String, scale: ChartScale, max: f64, row: &ChartRow, y: f64) {
    let class = css_class(&row.class);
    let fill = fill_of(&class);
    let href = row.href.as_deref().and_then(safe_href);
    let label = one_line(&row.label);
    let figure = figure_text(scale, row);
    if let Some(href) = &href {
        let href = escape(href);
        let _ = write!(s, "<a href=\"{href}\" xlink:href=\"{href}\">");
    }
    let _ = write!(s, "<g class=\"bar bar-{class}{}\">", if row.highlight { " highlight" } else { "" });
    let _ = write!(s, "<title>{}</title>", escape(&format!("{label}: {figure}")));
    if href.is_some() {
        // The whole row answers a tap, not only its painted text and bar.
        let _ = write!(
            s,
            "<rect class=\"hit\" x=\"0\" y=\"{}\" width=\"{WIDTH}\" height=\"{ROW_H}\" fill=\"#ffffff\" \
             fill-opacity=\"0\"/>",
            num(y)
        );
    }
    let room = ((WIDTH - 2.0 * TRACK_X0) / CHAR_W) as usize;
    let weight = if row.highlight { " font-weight=\"bold\"" } else { "" };
    let _ = write!(
        s,
        "<text class=\"label\" x=\"{TRACK_X0}\" y=\"{}\" fill=\"{}\"{weight}>{}</text>",
        num(y + LABEL_DY),
        if href.is_some() { "#0b57d0" } else { "#111827" },
        escape(&truncate(&label, room))
    );
    let by = num(y + BAR_DY);
    if scale == ChartScale::Percent {
        let _ = write!(
            s,
            "<rect class=\"track\" x=\"{TRACK_X0}\" y=\"{by}\" width=\"{TRACK_W}\" height=\"{BAR_H}\" rx=\"2\" \
             fill=\"#eef1f4\"/>"
        );
    }
    let w = bar_width(scale, max, row.value);
    if w > 0.0 {
        let _ = write!(
            s,
            "<rect class=\"fill\" x=\"{TRACK_X0}\" y=\"{by}\" width=\"{}\" height=\"{BAR_H}\" rx=\"2\" fill=\"{fill}\"/>",
            num(w)
        );
    }
    if scale == ChartScale::Percent {
        // The target: 100 %.
        let x = num(TRACK_X0 + TRACK_W);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#374151\" stroke-width=\"1.5\"/>",
            num(y + BAR_DY - 3.0),
            num(y + BAR_DY + BAR_H + 3.0)
        );
    }
    let room = ((WIDTH - FIGURE_X) / CHAR_W) as usize;
    let _ = write!(
        s,
        "<text class=\"figure\" x=\"{FIGURE_X}\" y=\"{}\" font-weight=\"bold\" fill=\"{}\">{}</text>",
        num(y + BAR_DY + BAR_H - 2.0),
        if row.highlight { fill } else { "#1f2937" },
        escape(&truncate(&figure, room))
    );
    s.push_str("</g>");
    if href.is_some() {
        s.push_str("</a>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
    }

    fn row(label: &str, value: Option<f64>) -> ChartRow {
        ChartRow { label: label.into(), value, ..Default::default() }
    }

    fn tasks() -> Chart {
        Chart {
            id: "tasks".into(),
            title: "Nhiệm vụ năm 2026 theo tình trạng".into(),
            scale: ChartScale::Count,
            rows: vec![
                ChartRow {
                    href: Some("/tasks?status=not_started&org=51".into()), ..row("Chưa bắt đầu", Some(3.0))
                },
                ChartRow {
                    href: Some("/tasks?status=overdue&org=51".into()),
                    class: "overdue".into(),
                    highlight: true,
                    ..row("Quá hạn", Some(1234.0))
                },
                row("Hủy", Some(0.0)),
            ],
        }
    }

    fn widths(doc: &roxmltree::Document<'_>, class: &str) -> Vec<f64> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .map(|n| n.attribute("width").unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn accessible_image_with_every_figure_in_vietnamese_format() {
        let svg = render_chart(&tasks());
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-labelledby"), Some("tasks-t tasks-d"));
        let text_of = |id: &str| {
            doc.descendants().find(|n| n.attribute("id") == Some(id)).and_then(|n| n.text()).unwrap().to_string()
        };
        assert_eq!(text_of("tasks-t"), "Nhiệm vụ năm 2026 theo tình trạng");
        assert_eq!(text_of("tasks-d"), "Chưa bắt đầu: 3; Quá hạn: 1.234; Hủy: 0");
        let figures: Vec<&str> =
            doc.descendants().filter(|n| n.attribute("class") == Some("figure")).filter_map(|n| n.text()).collect();
        assert_eq!(figures, ["3", "1.234", "0"]);
        assert_eq!(root.attribute("viewBox"), Some(&*format!("0 0 400 {}", root.attribute("height").unwrap())));
    }

    #[test]
    fn count_bars_are_proportional_and_linked() {
        let svg = render_chart(&tasks());
        let doc = parse(&svg);
        let w = widths(&doc, "fill");
        assert_eq!(w.len(), 2, "a zero draws no bar");
        assert_eq!(w[1], TRACK_W, "the largest value fills the width");
        assert_eq!(w[0], 2.0, "a small positive value stays visible");
        let links: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("a")).collect();
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].attribute("href"), Some("/tasks?status=overdue&org=51"));
        let overdue = links[1].children().find(|n| n.has_tag_name("g")).unwrap();
        assert_eq!(overdue.attribute("class"), Some("bar bar-overdue highlight"));
        // A linked row is tappable across its whole height and width.
        let hit = overdue.children().find(|n| n.attribute("class") == Some("hit")).unwrap();
        assert_eq!((hit.attribute("width"), hit.attribute("height")), (Some("400"), Some("46")));
        assert_eq!(
            doc.descendants().filter(|n| n.attribute("class") == Some("hit")).count(),
            2,
            "unlinked rows have none"
        );
        assert!(svg.contains("fill=\"#c62828\""), "overdue in red by default");
    }

    #[test]
    fn percent_bars_stop_at_the_target_and_say_how_far_above() {
        let chart = Chart {
            id: "ind".into(),
            title: "Chỉ tiêu".into(),
            scale: ChartScale::Percent,
            rows: vec![
                ChartRow { note: Some("8 / 10".into()), ..row("Tỷ lệ hồ sơ", Some(80.0)) },
                row("Vượt chỉ tiêu", Some(125.5)),
                row("Chưa có số liệu", None),
            ],
        };
        let svg = render_chart(&chart);
        let doc = parse(&svg);
        assert_eq!(widths(&doc, "fill"), [TRACK_W * 0.8, TRACK_W]);
        assert_eq!(widths(&doc, "track").len(), 3);
        assert_eq!(doc.descendants().filter(|n| n.attribute("class") == Some("target")).count(), 3);
        let figures: Vec<&str> =
            doc.descendants().filter(|n| n.attribute("class") == Some("figure")).filter_map(|n| n.text()).collect();
        assert_eq!(figures, ["80,0% · 8 / 10", "125,5%", "—"]);
    }

    #[test]
    fn text_is_escaped_and_hostile_links_dropped() {
        let chart = Chart {
            id: "x\" onload=\"y".into(),
            title: "<b>Báo cáo</b> & \"quý\"".into(),
            scale: ChartScale::Count,
            rows: vec![ChartRow {
                href: Some("javascript:alert(1)".into()),
                class: "a\" onclick=\"b".into(),
                ..row("Sở <Khoa học> & Công nghệ", Some(2.0))
            }],
        };
        let svg = render_chart(&chart);
        let doc = parse(&svg);
        assert!(!svg.contains("javascript") && !svg.contains("<b>") && !svg.contains("onload=\""));
        assert_eq!(doc.descendants().filter(|n| n.has_tag_name("a")).count(), 0);
        let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap();
        assert_eq!(title, "<b>Báo cáo</b> & \"quý\"");
        assert!(svg.contains("Sở &lt;Khoa học&gt; &amp; Công nghệ"));
    }

    #[test]
    fn long_labels_are_cut_with_the_whole_text_in_the_tooltip() {
        let long = "Tỷ lệ hệ thống thông tin được phê duyệt hồ sơ đề xuất cấp độ theo quy định của pháp luật";
        let svg = render_chart(&Chart {
            id: "c".into(),
            title: "t".into(),
            scale: ChartScale::Percent,
            rows: vec![row(long, Some(50.0))],
        });
        let doc = parse(&svg);
        let label = doc.descendants().find(|n| n.attribute("class") == Some("label")).and_then(|n| n.text()).unwrap();
        assert!(label.ends_with('…') && label.chars().count() <= 56, "{label}");
        assert!(svg.contains(&format!("<title>{long}: 50,0%</title>")));
    }

    #[test]
    fn empty_and_large_charts() {
        let empty =
            render_chart(&Chart { id: "e".into(), title: "Trống".into(), scale: ChartScale::Count, rows: vec![] });
        let doc = parse(&empty);
        assert_eq!(doc.root_element().attribute("role"), Some("img"));
        assert!(empty.contains("Không có số liệu"));
        let many = Chart {
            id: "m".into(),
            title: "Các tỉnh".into(),
            scale: ChartScale::Count,
            rows: (0..40)
                .map(|i| ChartRow {
                    href: Some(format!("/tasks?org={i}&status=overdue")),
                    ..row(&format!("Tỉnh số {i}"), Some(f64::from(i) * 10.5))
                })
                .collect(),
        };
        let svg = render_chart(&many);
        parse(&svg);
        assert!(svg.len() < 40 * 900 + 2_000, "{} bytes", svg.len());
        assert!(svg.contains(">409,5</text>"), "a non-integer count keeps a decimal comma");
    }

    #[test]
    fn figures() {
        assert_eq!(figure_vi(ChartScale::Count, Some(1_234_567.0)), "1.234.567");
        assert_eq!(figure_vi(ChartScale::Count, Some(12.3)), "12,3");
        assert_eq!(figure_vi(ChartScale::Percent, Some(66.666)), "66,7%");
        assert_eq!(figure_vi(ChartScale::Percent, None), "—");
        assert_eq!(fill_of("completed_late"), "#b26a00");
        assert_eq!(fill_of("overdue"), "#c62828");
        assert_eq!(fill_of("cancelled"), "#9e9e9e");
    }
}
