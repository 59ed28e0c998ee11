//! Frameworks (khung kế hoạch) and plan templates transcribed from the programme's own texts,
//! shipped as TOML in `data/frameworks/` and `data/plan-templates/`, embedded in the binary and
//! parsed into the domain's types. Provenance and transcription conventions:
//! `data/frameworks/NOTICE.md`.
//!
//! Parsing checks what the transcription must satisfy: every item has a title, a body and a cite;
//! codes are unique within a framework; a group that states how many tasks it has ("Địa phương
//! thực hiện 6 nhiệm vụ") has exactly that many items; the framework's own stated counts ("36
//! nhiệm vụ cụ thể thuộc 12 nhóm") equal the actual ones; deadlines and target dates are valid
//! [`DeadlineRule`]s; template sections are numbered uniquely and nest one level at a time.

use std::collections::HashSet;

use domain::frameworks::{
    DeadlineRule, Framework, FrameworkGroup, FrameworkItem, FrameworkKind, PlanTemplate, Target, TemplateSection,
};
use serde::Deserialize;

use crate::ParseError;

const FRAMEWORK_FILES: &[(&str, &str)] = &[
    ("frameworks/tinh-2024.toml", include_str!("../../../data/frameworks/tinh-2024.toml")),
    ("frameworks/bo-2024.toml", include_str!("../../../data/frameworks/bo-2024.toml")),
    ("frameworks/ttcs-2021-2025.toml", include_str!("../../../data/frameworks/ttcs-2021-2025.toml")),
    ("frameworks/dao-tao-2022.toml", include_str!("../../../data/frameworks/dao-tao-2022.toml")),
];

const TEMPLATE_FILES: &[(&str, &str)] = &[
    ("plan-templates/ke-hoach-cds-2024.toml", include_str!("../../../data/plan-templates/ke-hoach-cds-2024.toml")),
    (
        "plan-templates/ke-hoach-ud-cntt-2021-2025.toml",
        include_str!("../../../data/plan-templates/ke-hoach-ud-cntt-2021-2025.toml"),
    ),
    (
        "plan-templates/ke-hoach-ud-cntt-2021.toml",
        include_str!("../../../data/plan-templates/ke-hoach-ud-cntt-2021.toml"),
    ),
    (
        "plan-templates/chuong-trinh-cds-2025-2030.toml",
        include_str!("../../../data/plan-templates/chuong-trinh-cds-2025-2030.toml"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    code: String,
    version: i32,
    title: String,
    kind: String,
    issuer: String,
    source: String,
    stated_groups: Option<u32>,
    stated_items: Option<u32>,
    groups: Vec<RawGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    code: String,
    title: String,
    cite: String,
    support_unit: Option<String>,
    /// "Địa phương thực hiện N nhiệm vụ", when the text says it. Checked here, not kept.
    stated_items: Option<u32>,
    items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    title: String,
    body: String,
    cite: String,
    deadline: Option<String>,
    deadline_text: Option<String>,
    support_unit: Option<String>,
    lead_unit: Option<String>,
    coordinating_units: Option<String>,
    #[serde(default)]
    targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    description: String,
    value: Option<f64>,
    unit: Option<String>,
    by: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    code: String,
    title: String,
    source: String,
    sections: Vec<RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    number: String,
    title: String,
    level: u8,
    hint: Option<String>,
}

/// Every shipped framework, in a fixed order (provincial, ministry, programme, timeline).
pub fn frameworks() -> Result<Vec<Framework>, ParseError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(FRAMEWORK_FILES.len());
    for &(file, text) in FRAMEWORK_FILES {
        let framework = parse_framework(file, text)?;
        if !seen.insert((framework.code.clone(), framework.version)) {
            return Err(ParseError {
                file,
                line: line_of(text, "", "code", Some(&framework.code)),
                message: format!("khung '{}' phiên bản {} đã có ở tệp khác", framework.code, framework.version),
            });
        }
        out.push(framework);
    }
    Ok(out)
}

/// Every shipped plan template, in a fixed order.
pub fn templates() -> Result<Vec<PlanTemplate>, ParseError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(TEMPLATE_FILES.len());
    for &(file, text) in TEMPLATE_FILES {
        let template = parse_template(file, text)?;
        if !seen.insert(template.code.clone()) {
            return Err(ParseError {
                file,
                line: line_of(text, "", "code", Some(&template.code)),
                message: format!("mẫu '{}' đã có ở tệp khác", template.code),
            });
        }
        out.push(template);
    }
    Ok(out)
}

fn deserialize<T: for<'de> Deserialize<'de>>(file: &'static str, text: &str) -> Result<T, ParseError> {
    toml::from_str(text).map_err(|e| ParseError {
        file,
        line: e.span().map_or(0, |span| line_at(text, span.start)),
        message: e.message().to_string(),
    })
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// 1-based line of `key = "value"` (or of `key = …` when `value` is `None`) inside the tables
/// whose header is `table` (`""` for the top level, `"[[groups.items]]"`, …); 0 if not found.
fn line_of(text: &str, table: &str, key: &str, value: Option<&str>) -> usize {
    let mut current = "";
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            current = line;
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        if current == table && k.trim() == key && value.is_none_or(|value| v.trim() == format!("\"{value}\"")) {
            return i + 1;
        }
    }
    0
}

/// Line of `field` inside the entry of `table` whose `key` is `code` (the entry's own line when it
/// has no such field, 0 when the entry is not found).
fn field_line(text: &str, table: &str, key: &str, code: &str, field: &str) -> usize {
    let start = line_of(text, table, key, Some(code));
    if start == 0 {
        return 0;
    }
    text.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| l.split_once('=').is_some_and(|(k, _)| k.trim() == field))
        .map_or(start, |(i, _)| i + 1)
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn parse_framework(file: &'static str, text: &str) -> Result<Framework, ParseError> {
    const GROUP: &str = "[[groups]]";
    const ITEM: &str = "[[groups.items]]";
    let raw: RawFramework = deserialize(file, text)?;
    let top = |field: &str, message: String| ParseError { file, line: line_of(text, "", field, None), message };

    let kind = FrameworkKind::parse(&raw.kind)
        .ok_or_else(|| top("kind", format!("loại khung '{}' không hợp lệ", raw.kind)))?;
    if raw.version < 1 {
        return Err(top("version", format!("phiên bản {} không hợp lệ", raw.version)));
    }
    for (field, value) in [("code", &raw.code), ("title", &raw.title), ("issuer", &raw.issuer), ("source", &raw.source)]
    {
        if blank(value) {
            return Err(top(field, format!("thiếu '{field}'")));
        }
    }
    if raw.groups.is_empty() {
        return Err(top("code", "khung không có nhóm nào".into()));
    }

    let mut group_codes = HashSet::new();
    let mut item_codes = HashSet::new();
    let mut groups = Vec::with_capacity(raw.groups.len());
    for g in raw.groups {
        let group_err = |field: &str, message: String| ParseError {
            file,
            line: field_line(text, GROUP, "code", &g.code, field),
            message,
        };
        if !group_codes.insert(g.code.clone()) {
            return Err(group_err("code", format!("mã nhóm '{}' bị trùng", g.code)));
        }
        if blank(&g.title) || blank(&g.cite) {
            return Err(group_err("title", format!("nhóm {}: thiếu tiêu đề hoặc trích dẫn", g.code)));
        }
        if g.items.is_empty() {
            return Err(group_err("code", format!("nhóm {} không có nhiệm vụ nào", g.code)));
        }
        if let Some(stated) = g.stated_items
            && stated as usize != g.items.len()
        {
            return Err(group_err(
                "stated_items",
                format!("nhóm {} nêu {stated} nhiệm vụ nhưng có {} nhiệm vụ", g.code, g.items.len()),
            ));
        }

        let mut items = Vec::with_capacity(g.items.len());
        for it in g.items {
            let item_err = |field: &str, message: String| ParseError {
                file,
                line: field_line(text, ITEM, "code", &it.code, field),
                message,
            };
            if !item_codes.insert(it.code.clone()) {
                return Err(item_err("code", format!("mã nhiệm vụ '{}' bị trùng", it.code)));
            }
            for (field, value) in [("title", &it.title), ("body", &it.body), ("cite", &it.cite)] {
                if blank(value) {
                    return Err(item_err(field, format!("nhiệm vụ {}: thiếu '{field}'", it.code)));
                }
            }
            let rule = |field: &str, s: &str| {
                DeadlineRule::parse(s)
                    .ok_or_else(|| item_err(field, format!("nhiệm vụ {}: thời hạn '{s}' không hợp lệ", it.code)))
            };
            let deadline = it.deadline.as_deref().map(|s| rule("deadline", s)).transpose()?;
            let mut targets = Vec::with_capacity(it.targets.len());
            for t in &it.targets {
                if blank(&t.description) {
                    return Err(item_err("targets", format!("nhiệm vụ {}: chỉ tiêu thiếu mô tả", it.code)));
                }
                if t.value.is_some_and(|v| !v.is_finite()) {
                    return Err(item_err("targets", format!("nhiệm vụ {}: giá trị chỉ tiêu không hợp lệ", it.code)));
                }
                targets.push(Target {
                    description: t.description.clone(),
                    value: t.value,
                    unit: t.unit.clone(),
                    by: t.by.as_deref().map(|s| rule("by", s)).transpose()?,
                });
            }
            items.push(FrameworkItem {
                id: 0,
                code: it.code,
                title: it.title,
                body: it.body,
                cite: it.cite,
                deadline,
                deadline_text: it.deadline_text,
                support_unit: it.support_unit,
                lead_unit: it.lead_unit,
                coordinating_units: it.coordinating_units,
                targets,
            });
        }
        groups.push(FrameworkGroup {
            id: 0,
            code: g.code,
            title: g.title,
            cite: g.cite,
            support_unit: g.support_unit,
            items,
        });
    }

    let framework = Framework {
        id: 0,
        code: raw.code,
        version: raw.version,
        title: raw.title,
        kind,
        issuer: raw.issuer,
        source: raw.source,
        stated_groups: raw.stated_groups,
        stated_items: raw.stated_items,
        groups,
    };
    if let Some(stated) = framework.stated_groups
        && stated as usize != framework.groups.len()
    {
        return Err(top("stated_groups", format!("khung nêu {stated} nhóm nhưng có {} nhóm", framework.groups.len())));
    }
    if let Some(stated) = framework.stated_items
        && stated as usize != framework.item_count()
    {
        return Err(top(
            "stated_items",
            format!("khung nêu {stated} nhiệm vụ nhưng có {} nhiệm vụ", framework.item_count()),
        ));
    }
    Ok(framework)
}

fn parse_template(file: &'static str, text: &str) -> Result<PlanTemplate, ParseError> {
    const SECTION: &str = "[[sections]]";
    let raw: RawTemplate = deserialize(file, text)?;
    for (field, value) in [("code", &raw.code), ("title", &raw.title), ("source", &raw.source)] {
        if blank(value) {
            return Err(ParseError {
                file, line: line_of(text, "", field, None), message: format!("thiếu '{field}'")
            });
        }
    }
    if raw.sections.is_empty() {
        return Err(ParseError { file, line: 0, message: "mẫu không có mục nào".into() });
    }
    let mut numbers = HashSet::new();
    let mut previous = 0u8;
    let mut sections = Vec::with_capacity(raw.sections.len());
    for s in raw.sections {
        let err = |field: &str, message: String| ParseError {
            file,
            line: field_line(text, SECTION, "number", &s.number, field),
            message,
        };
        if blank(&s.number) || !numbers.insert(s.number.clone()) {
            return Err(err("number", format!("số mục '{}' trống hoặc bị trùng", s.number)));
        }
        if blank(&s.title) || s.hint.as_deref().is_some_and(blank) {
            return Err(err("title", format!("mục {}: tiêu đề hoặc gợi ý trống", s.number)));
        }
        // The first section is top-level; a section is at most one level below the one before.
        if s.level == 0 || s.level > previous + 1 {
            return Err(err("level", format!("mục {}: cấp {} không hợp lệ sau cấp {previous}", s.number, s.level)));
        }
        previous = s.level;
        sections.push(TemplateSection { number: s.number, title: s.title, level: s.level, hint: s.hint });
    }
    Ok(PlanTemplate { code: raw.code, title: raw.title, source: raw.source, sections })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    const SEEDS: [&str; 5] = [
        "000_e32b3bde7652db48.txt",
        "001_b7b739a46bc2557f.txt",
        "002_5e25b3b17a73c715.txt",
        "003_78fc1cb0f2550b87.txt",
        "004_ce653a71869abe57.txt",
    ];

    fn framework(code: &str) -> Framework {
        frameworks().expect("shipped frameworks parse").into_iter().find(|f| f.code == code).expect(code)
    }

    fn raw_framework(file: &str) -> RawFramework {
        let (_, text) = FRAMEWORK_FILES.iter().find(|(f, _)| *f == file).expect(file);
        toml::from_str(text).expect(file)
    }

    fn template(code: &str) -> PlanTemplate {
        templates().expect("shipped templates parse").into_iter().find(|t| t.code == code).expect(code)
    }

    fn item<'a>(f: &'a Framework, code: &str) -> &'a FrameworkItem {
        f.items().map(|(_, i)| i).find(|i| i.code == code).unwrap_or_else(|| panic!("{} has no item {code}", f.code))
    }

    fn date(y: i32, m: u32, d: u32) -> DeadlineRule {
        DeadlineRule::Date { date: NaiveDate::from_ymd_opt(y, m, d).unwrap() }
    }

    fn top_titles(t: &PlanTemplate) -> Vec<&str> {
        t.top_sections().map(|s| s.title.as_str()).collect()
    }

    #[test]
    fn shipped_files_parse() {
        let all = frameworks().unwrap();
        assert_eq!(
            all.iter().map(|f| (f.code.as_str(), f.version, f.kind)).collect::<Vec<_>>(),
            [
                ("cds-tinh-2024", 1, FrameworkKind::Provincial),
                ("cds-bo-2024", 1, FrameworkKind::Ministry),
                ("cds-ttcs-2021-2025", 1, FrameworkKind::Programme),
                ("dao-tao-cds-2022", 1, FrameworkKind::Timeline),
            ]
        );
        assert_eq!(templates().unwrap().len(), 4);
    }

    #[test]
    fn provincial_has_36_tasks_in_12_groups_as_the_text_states() {
        let f = framework("cds-tinh-2024");
        assert_eq!(f.issuer, "Bộ Thông tin và Truyền thông");
        assert_eq!((f.stated_groups, f.stated_items), (Some(12), Some(36)));
        assert_eq!(f.groups.len(), 12);
        assert_eq!(f.item_count(), 36);
        let counts: Vec<(&str, &str, usize)> =
            f.groups.iter().map(|g| (g.code.as_str(), g.title.as_str(), g.items.len())).collect();
        assert_eq!(
            counts,
            [
                ("1", "Thể chế số", 6),
                ("2", "Hạ tầng số", 4),
                ("3", "Nhân lực số", 3),
                ("4", "Nhận thức số", 1),
                ("5", "Nền tảng số cơ bản", 2),
                ("6", "Dữ liệu số", 3),
                ("7", "An toàn thông tin mạng", 1),
                ("8", "Doanh nghiệp công nghệ số", 1),
                ("9", "Chính phủ số", 3),
                ("10", "Kinh tế số", 3),
                ("11", "Xã hội số", 8),
                ("12", "Không gian trải nghiệm sản phẩm, dịch vụ công nghệ số", 1),
            ]
        );
        // "Địa phương thực hiện N nhiệm vụ": groups 4, 7, 8 and 12 state no number.
        let raw = raw_framework("frameworks/tinh-2024.toml");
        let stated: Vec<(&str, Option<u32>, usize)> =
            raw.groups.iter().map(|g| (g.code.as_str(), g.stated_items, g.items.len())).collect();
        assert_eq!(
            stated.iter().map(|&(c, s, _)| (c, s)).collect::<Vec<_>>(),
            [
                ("1", Some(6)),
                ("2", Some(4)),
                ("3", Some(3)),
                ("4", None),
                ("5", Some(2)),
                ("6", Some(3)),
                ("7", None),
                ("8", None),
                ("9", Some(3)),
                ("10", Some(3)),
                ("11", Some(8)),
                ("12", None),
            ]
        );
        for (code, s, n) in stated {
            if let Some(s) = s {
                assert_eq!(s as usize, n, "group {code}");
            }
        }
    }

    #[test]
    fn provincial_deadlines_and_support_units() {
        let f = framework("cds-tinh-2024");
        let g1 = &f.groups[0];
        assert_eq!(g1.support_unit.as_deref(), Some("Cục Chuyển đổi số quốc gia"));
        assert_eq!(
            g1.items.iter().map(|i| i.deadline).collect::<Vec<_>>(),
            [
                Some(date(2024, 3, 30)),
                Some(date(2024, 3, 30)),
                Some(date(2024, 3, 30)),
                Some(date(2024, 3, 30)),
                Some(date(2024, 5, 30)),
                Some(DeadlineRule::Yearly { month: 11, day: 30 }),
            ]
        );
        assert_eq!(item(&f, "1.1").deadline_text.as_deref(), Some("Thời hạn hoàn thành: 30/3/2024"));
        assert!(item(&f, "1.4").title.contains("thuê chuyên gia chuyển đổi số"));
        assert_eq!(item(&f, "1.6").deadline_text.as_deref(), Some("trước ngày 30 tháng 11 hàng năm"));
        assert_eq!(item(&f, "2.4").deadline, Some(DeadlineRule::Year { year: 2024 }));
        assert_eq!(item(&f, "3.2").deadline, Some(DeadlineRule::Yearly { month: 11, day: 30 }));
        assert_eq!(item(&f, "3.2").targets[0].by, Some(DeadlineRule::Yearly { month: 3, day: 30 }));
        assert_eq!(item(&f, "4.1").deadline, Some(DeadlineRule::Ongoing));
        assert_eq!(item(&f, "5.1").deadline, Some(DeadlineRule::Years { from: 2024, to: 2025 }));
        assert_eq!(item(&f, "6.2").deadline, Some(date(2024, 6, 30)));
        assert_eq!(item(&f, "6.3").deadline, Some(DeadlineRule::Month { year: 2024, month: 6 }));
        assert_eq!(item(&f, "9.1").deadline, Some(DeadlineRule::Month { year: 2024, month: 6 }));
        assert_eq!(item(&f, "9.3").deadline, Some(DeadlineRule::Year { year: 2024 }));
        assert_eq!(item(&f, "11.1").deadline, Some(DeadlineRule::Year { year: 2024 }));
        for code in ["11.2", "11.3", "11.4", "11.5", "11.6", "11.7", "11.8"] {
            assert_eq!(item(&f, code).deadline, Some(DeadlineRule::Years { from: 2024, to: 2025 }), "{code}");
        }
        for code in ["2.1", "2.2", "2.3", "3.1", "3.3", "7.1", "8.1", "9.2", "10.1", "10.3", "12.1"] {
            assert_eq!(item(&f, code).deadline, None, "{code} states no deadline");
        }
        let units =
            |codes: &[&str]| codes.iter().map(|c| item(&f, c).support_unit.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(units(&["2.1", "2.2", "2.3", "11.2"]), ["Cục Viễn thông"; 4]);
        assert_eq!(units(&["7.1", "11.5"]), ["Cục An toàn thông tin"; 2]);
        assert_eq!(units(&["3.1", "10.1", "11.8"]), ["Vụ Kinh tế số và Xã hội số"; 3]);
        assert_eq!(units(&["8.1"]), ["Cục Công nghiệp Công nghệ thông tin và Truyền thông"]);
        assert_eq!(units(&["11.4"]), ["Trung tâm Chứng thực điện tử quốc gia"]);
        assert!(f.items().all(|(_, i)| i.support_unit.is_some()), "every task names its supporting unit");
        // What the ministry itself provides ("b) Bộ Thông tin và Truyền thông đã …") is not a task.
        assert!(f.items().all(|(_, i)| !i.body.contains("b) Bộ Thông tin và Truyền thông")));
    }

    #[test]
    fn provincial_security_level_target() {
        let f = framework("cds-tinh-2024");
        let t = item(&f, "7.1")
            .targets
            .iter()
            .find(|t| t.description.contains("hồ sơ đề xuất cấp độ cho 100% hệ thống thông tin"))
            .expect("security-level dossier target");
        assert_eq!(t.value, Some(100.0));
        assert_eq!(t.unit.as_deref(), Some("%"));
        assert_eq!(t.by, Some(date(2024, 6, 30)));
        let plan = item(&f, "7.1").targets.iter().find(|t| t.by == Some(date(2024, 11, 30))).expect("30/11/2024");
        assert_eq!((plan.value, plan.unit.as_deref()), (Some(100.0), Some("%")));
    }

    #[test]
    fn ministry_has_7_groups() {
        let f = framework("cds-bo-2024");
        assert_eq!(f.kind, FrameworkKind::Ministry);
        assert_eq!((f.stated_groups, f.stated_items), (Some(7), None));
        assert_eq!(
            f.groups.iter().map(|g| (g.title.as_str(), g.items.len())).collect::<Vec<_>>(),
            [
                ("Thể chế số", 3),
                ("Hạ tầng số", 1),
                ("Nhân lực số", 1),
                ("Nền tảng số cơ bản", 2),
                ("Dữ liệu số", 3),
                ("An toàn thông tin mạng", 1),
                ("Các hoạt động chuyển đổi số", 2),
            ]
        );
        assert_eq!(item(&f, "1.1").deadline, Some(date(2024, 5, 30)));
        assert_eq!(item(&f, "1.2").deadline, Some(DeadlineRule::Year { year: 2024 }));
        assert_eq!(item(&f, "1.3").deadline, Some(DeadlineRule::Yearly { month: 11, day: 30 }));
        assert_eq!(item(&f, "5.2").deadline, Some(date(2024, 6, 30)));
        assert_eq!(item(&f, "7.2").support_unit.as_deref(), Some("Vụ Kinh tế số và Xã hội số"));
        let t = &item(&f, "6.1").targets[0];
        assert!(t.description.contains("100% hệ thống thông tin của Bộ, ngành trước 30/6/2024"));
        assert_eq!((t.value, t.unit.as_deref(), t.by), (Some(100.0), Some("%"), Some(date(2024, 6, 30))));
    }

    #[test]
    fn programme_groups_leads_and_years() {
        let f = framework("cds-ttcs-2021-2025");
        assert_eq!(f.kind, FrameworkKind::Programme);
        assert_eq!(
            f.groups.iter().map(|g| (g.code.as_str(), g.items.len())).collect::<Vec<_>>(),
            [("I", 3), ("II", 4), ("III", 5), ("IV", 3), ("V", 3)]
        );
        assert_eq!(f.groups[0].title, "Xây dựng thể chế, quy định");
        assert_eq!(f.groups[4].title, "Đào tạo, bồi dưỡng phổ cập kỹ năng số");
        for (_, i) in f.items() {
            assert_eq!(i.lead_unit.as_deref(), Some("Cục TTCS"), "{}", i.code);
            assert!(
                i.coordinating_units.as_deref().is_some_and(|c| c.ends_with("và các đơn vị liên quan")),
                "{}",
                i.code
            );
            assert!(
                matches!(i.deadline, Some(DeadlineRule::Year { .. } | DeadlineRule::Years { .. })),
                "{} is dated in years",
                i.code
            );
        }
        assert_eq!(item(&f, "I.1").deadline, Some(DeadlineRule::Year { year: 2022 }));
        assert_eq!(item(&f, "I.2").coordinating_units.as_deref(), Some("Vụ Pháp chế và các đơn vị liên quan"));
        assert_eq!(item(&f, "II.1").deadline, Some(DeadlineRule::Years { from: 2022, to: 2023 }));
        assert_eq!(item(&f, "II.3").deadline, Some(DeadlineRule::Year { year: 2021 }));
        assert_eq!(item(&f, "III.5").deadline, Some(DeadlineRule::Year { year: 2022 }));
        assert_eq!(item(&f, "IV.1").coordinating_units.as_deref(), Some("Trung tâm Thông tin và các đơn vị liên quan"));
        assert_eq!(item(&f, "IV.2").deadline, Some(DeadlineRule::Years { from: 2022, to: 2025 }));
        assert_eq!(item(&f, "V.2").deadline, Some(DeadlineRule::Years { from: 2022, to: 2025 }));
        assert!(item(&f, "V.3").title.starts_with("Thuê chuyên gia tư vấn"));
    }

    #[test]
    fn timeline_has_9_steps_in_order() {
        let f = framework("dao-tao-cds-2022");
        assert_eq!(f.kind, FrameworkKind::Timeline);
        assert_eq!(f.groups.len(), 1);
        let steps = &f.groups[0].items;
        assert_eq!(
            steps.iter().map(|i| i.code.as_str()).collect::<Vec<_>>(),
            ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
        );
        let months: Vec<(i32, u32)> = steps
            .iter()
            .map(|i| {
                let due = i.deadline.expect("every step is dated").due_dates(2022, 2022);
                (due[0].year(), due[0].month())
            })
            .collect();
        assert_eq!(
            months,
            [(2022, 1), (2022, 1), (2022, 2), (2022, 2), (2022, 1), (2022, 1), (2022, 6), (2022, 11), (2022, 12)]
        );
        assert!(steps[0].title.starts_with("Xây dựng Nền tảng học trực tuyến mở đại trà"));
        assert_eq!(steps[5].deadline, Some(date(2022, 1, 24)));
        assert_eq!(steps[6].deadline_text.as_deref(), Some("Từ tháng 03/2022 đến 6/2022"));
        assert!(steps[8].title.starts_with("Tổng kết, đánh giá"));
        // Step 8's list of learners continues after a page break in the seed.
        assert_eq!(steps[7].body.lines().filter(|l| l.starts_with("- ")).count(), 6);
        assert_eq!((steps[7].targets[0].value, steps[7].targets[0].unit.as_deref()), (Some(10000.0), Some("cán bộ")));
        assert!(steps.iter().all(|s| s.targets.len() == 1), "each step's Kết quả is kept as its target");
    }

    #[test]
    fn template_top_sections_follow_the_seeds() {
        let t = template("ke-hoach-cds-2024");
        assert_eq!(
            top_titles(&t),
            [
                "Đánh giá kết quả thực hiện năm 2023",
                "Căn cứ lập kế hoạch",
                "Mục tiêu",
                "Nhiệm vụ",
                "Giải pháp",
                "Kinh phí thực hiện",
                "Tổ chức thực hiện",
                "Danh mục nhiệm vụ, dự án",
            ]
        );
        let tasks: Vec<&str> =
            t.sections.iter().filter(|s| s.number.starts_with("III.")).map(|s| s.title.as_str()).collect();
        assert_eq!(
            tasks,
            [
                "Nhận thức số",
                "Thể chế số",
                "Hạ tầng số",
                "Dữ liệu số",
                "Nền tảng số",
                "Nhân lực số",
                "An toàn thông tin mạng",
                "Chính phủ số",
                "Kinh tế số",
                "Xã hội số",
            ]
        );

        let t = template("ke-hoach-ud-cntt-2021-2025");
        assert_eq!(
            top_titles(&t),
            [
                "Đánh giá kết quả thực hiện Kế hoạch ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước \
                 giai đoạn 2016-2020",
                "Căn cứ lập kế hoạch",
                "Mục tiêu tổng quát",
                "Mục tiêu cụ thể",
                "Nhiệm vụ",
                "Giải pháp",
                "Lộ trình thực hiện",
                "Kinh phí thực hiện",
                "Tổ chức thực hiện",
                "Danh mục nhiệm vụ, dự án",
            ]
        );

        let t = template("ke-hoach-ud-cntt-2021");
        assert_eq!(
            top_titles(&t),
            [
                "Căn cứ lập kế hoạch",
                "Mục tiêu",
                "Nhiệm vụ",
                "Giải pháp",
                "Kinh phí thực hiện",
                "Tổ chức thực hiện",
                "Danh mục nhiệm vụ, dự án",
            ]
        );
        assert_eq!(t.sections.iter().filter(|s| s.level == 2 && s.number.starts_with("III.")).count(), 7);
        assert_eq!(t.sections.iter().filter(|s| s.level == 2 && s.number.starts_with("IV.")).count(), 5);

        let t = template("chuong-trinh-cds-2025-2030");
        assert_eq!(
            top_titles(&t),
            [
                "Đánh giá hiện trạng",
                "Tầm nhìn đến năm 2030",
                "Mục tiêu",
                "Nhiệm vụ, giải pháp",
                "Kinh phí thực hiện",
                "Tổ chức thực hiện",
            ]
        );
        let foundations: Vec<&str> =
            t.sections.iter().filter(|s| s.number.starts_with("IV.1.")).map(|s| s.title.as_str()).collect();
        assert_eq!(foundations.len(), 8);
        assert_eq!(foundations[0], "Chuyển đổi nhận thức");
        assert_eq!(foundations[7], "Phát triển nguồn nhân lực");
    }

    #[test]
    fn every_cite_and_source_names_its_seed() {
        for f in frameworks().unwrap() {
            let seed = f.source.split(',').next().unwrap();
            assert!(SEEDS.contains(&seed), "{}: source '{}'", f.code, f.source);
            for g in &f.groups {
                assert!(g.cite.starts_with(&format!("{seed}, ")), "{} group {}: {}", f.code, g.code, g.cite);
                for i in &g.items {
                    assert!(i.cite.starts_with(&format!("{seed}, ")), "{} item {}: {}", f.code, i.code, i.cite);
                }
            }
        }
        for t in templates().unwrap() {
            assert!(SEEDS.iter().any(|s| t.source.starts_with(&format!("{s}, "))), "{}: {}", t.code, t.source);
        }
    }

    /// Every string as shipped: NFC (no combining marks: every Vietnamese letter has a precomposed
    /// form), no stray whitespace, no leftover markup from the seeds.
    #[test]
    fn text_is_clean() {
        let mut texts: Vec<(String, String)> = Vec::new();
        for f in frameworks().unwrap() {
            texts.extend([f.title.clone(), f.issuer.clone(), f.source.clone()].map(|s| (f.code.clone(), s)));
            for g in &f.groups {
                texts.extend([g.title.clone(), g.cite.clone()].map(|s| (g.code.clone(), s)));
                texts.extend(g.support_unit.clone().map(|s| (g.code.clone(), s)));
                for i in &g.items {
                    let mut fields = vec![i.title.clone(), i.body.clone(), i.cite.clone()];
                    fields.extend(
                        [&i.deadline_text, &i.support_unit, &i.lead_unit, &i.coordinating_units]
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                    for t in &i.targets {
                        fields.push(t.description.clone());
                        fields.extend(t.unit.clone());
                    }
                    texts.extend(fields.into_iter().map(|s| (i.code.clone(), s)));
                }
            }
        }
        for t in templates().unwrap() {
            texts.extend([t.title.clone(), t.source.clone()].map(|s| (t.code.clone(), s)));
            for s in &t.sections {
                texts.push((s.number.clone(), s.title.clone()));
                texts.extend(s.hint.clone().map(|h| (s.number.clone(), h)));
            }
        }
        for (whose, s) in texts {
            assert!(!s.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)), "{whose}: not NFC: {s}");
            for line in s.lines() {
                assert!(!line.is_empty() && line.trim() == line && !line.contains("  "), "{whose}: whitespace: {s:?}");
            }
            for markup in ["**", "<p>", "<li>", "</"] {
                assert!(!s.contains(markup), "{whose}: markup {markup}: {s}");
            }
        }
    }

    #[test]
    fn errors_name_the_file_line_and_item() {
        const BAD_DEADLINE: &str = r#"
code = "x"
version = 1
title = "X"
kind = "timeline"
issuer = "Y"
source = "000_e32b3bde7652db48.txt, Phụ lục"

[[groups]]
code = "1"
title = "G"
cite = "000_e32b3bde7652db48.txt, Phụ lục, mục 1"

[[groups.items]]
code = "1.1"
title = "T"
body = "B"
cite = "000_e32b3bde7652db48.txt, Phụ lục, mục 1, TT 1"
deadline = "30/3/2024"
"#;
        let e = parse_framework("test.toml", BAD_DEADLINE).unwrap_err();
        assert_eq!((e.file, e.line), ("test.toml", 19));
        assert!(e.message.contains("1.1") && e.message.contains("30/3/2024"), "{}", e.message);

        let miscounted = BAD_DEADLINE
            .replace("deadline = \"30/3/2024\"", "")
            .replace("title = \"G\"", "title = \"G\"\nstated_items = 2");
        let e = parse_framework("test.toml", &miscounted).unwrap_err();
        assert!(e.message.contains("nêu 2 nhiệm vụ nhưng có 1"), "{}", e.message);
        assert_eq!(e.line, 12);

        let uncited = BAD_DEADLINE
            .replace("deadline = \"30/3/2024\"", "")
            .replace("cite = \"000_e32b3bde7652db48.txt, Phụ lục, mục 1, TT 1\"", "cite = \" \"");
        assert!(parse_framework("test.toml", &uncited).unwrap_err().message.contains("cite"));

        let duplicate = format!(
            "{}\n[[groups.items]]\ncode = \"1.1\"\ntitle = \"T\"\nbody = \"B\"\ncite = \"c\"\n",
            BAD_DEADLINE.replace("deadline = \"30/3/2024\"", "")
        );
        let e = parse_framework("test.toml", &duplicate).unwrap_err();
        assert!(e.message.contains("bị trùng"), "{}", e.message);

        let e = parse_framework("test.toml", "code = \"x\"\nversion = \"one\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{}", e.message);

        let e = parse_template(
            "t.toml",
            "code = \"t\"\ntitle = \"T\"\nsource = \"s\"\n\n[[sections]]\nnumber = \"I.1\"\ntitle = \"A\"\nlevel = 2\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 8, "{}", e.message);
    }
}
