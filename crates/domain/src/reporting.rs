//! Periodic reports (báo cáo định kỳ): templates built from sections, a report for one org unit ×
//! template × period with its due date, the workflow draft → submitted → returned → resubmitted →
//! accepted, the figures frozen at submission, the parent's synthesis of its children's accepted
//! reports, and completeness and timeliness. Pure rules: no storage, no clock.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::indicators::{AggregationRule, Contribution, IndicatorCode, Period, PeriodType, Unit, aggregate};
use crate::{DomainError, Result};

/// Where the yearly report's areas come from.
pub const AREAS_CITE: &str = "002_5e25b3b17a73c715.txt, Phụ lục III, Phần I, mục II (dòng 1017–1072): \
mỗi lĩnh vực đánh giá a) Kết quả đạt được; b) Tồn tại, hạn chế";

/// Where the yearly due date comes from.
pub const DUE_CITE: &str = "002_5e25b3b17a73c715.txt, dòng 75 và 717: báo cáo về Bộ Thông tin và Truyền thông \
trước ngày 30 tháng 11 hàng năm";

/// Where the registry tables come from.
pub const TABLES_CITE: &str = "003_78fc1cb0f2550b87.txt, Phụ lục I, Phần I, mục III (biểu mẫu CSDL), \
mục VI (phụ lục hệ thống thông tin), mục VII (danh mục dự án)";

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// What a section of a report holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SectionKind {
    /// A heading only, grouping the sections after it (e.g. "II. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ").
    Heading,
    /// Text the unit writes for one area: "a) Kết quả đạt được" and "b) Tồn tại, hạn chế".
    Narrative,
    /// The unit's figures for these indicators in the report's period, with their targets.
    Indicators { codes: Vec<IndicatorCode> },
    /// A table filled from one of the unit's registries.
    Registry { table: RegistryTable },
    /// Counts of the unit's plan tasks due in the period, by status.
    TaskStats,
}

/// The registries a report table can be filled from (the forms of seed `003_…` Phần I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistryTable {
    /// Hệ thống thông tin với cấp độ an toàn (mục VI).
    Systems,
    /// Cơ sở dữ liệu (mục III).
    Databases,
    /// Nhiệm vụ, dự án (mục VII).
    Projects,
}

impl RegistryTable {
    pub fn label(self) -> &'static str {
        match self {
            RegistryTable::Systems => "Hệ thống thông tin và cấp độ an toàn",
            RegistryTable::Databases => "Cơ sở dữ liệu",
            RegistryTable::Projects => "Nhiệm vụ, dự án",
        }
    }
}

/// One section of a template. `key` names it in the report's content and figures; `heading`
/// carries its own numbering ("1.1. Ngày Chuyển đổi số").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Section {
    pub key: String,
    pub heading: String,
    /// Depth of the heading, 1 for "I.", 2 for "1.", 3 for "1.1.".
    pub level: u8,
    #[serde(flatten)]
    pub kind: SectionKind,
}

/// When a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DueRule {
    /// A fixed day of the year the period ends in, e.g. 30/11 for the yearly report.
    DayOfYear { month: u32, day: u32 },
    /// So many days after the period ends.
    DaysAfterEnd { days: u32 },
}

impl DueRule {
    /// The due date of the report for `period`.
    pub fn due_on(self, period: &Period) -> NaiveDate {
        let end = period.end();
        match self {
            DueRule::DayOfYear { month, day } => {
                let first = NaiveDate::from_ymd_opt(end.year(), month, 1).unwrap_or(end);
                let last = first.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(first);
                first.with_day(day).unwrap_or(last)
            }
            DueRule::DaysAfterEnd { days } => end + chrono::Days::new(u64::from(days)),
        }
    }

    pub fn label(self) -> String {
        match self {
            DueRule::DayOfYear { month, day } => format!("ngày {day:02}/{month:02} hằng năm"),
            DueRule::DaysAfterEnd { days } => format!("{days} ngày sau khi hết kỳ"),
        }
    }

    fn validate(self) -> Result<()> {
        match self {
            DueRule::DayOfYear { month, day } => {
                if NaiveDate::from_ymd_opt(2024, month, day).is_none() {
                    return Err(DomainError::invalid("due", format!("không có ngày {day}/{month}")));
                }
            }
            DueRule::DaysAfterEnd { days } => {
                if days > 366 {
                    return Err(DomainError::invalid("due", "hạn nộp tối đa 366 ngày sau khi hết kỳ"));
                }
            }
        }
        Ok(())
    }
}

/// A report template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportTemplate {
    /// Upper-case code, e.g. `BC_CDS_NAM`.
    pub code: String,
    /// The report's summary line without the period ("Kết quả thực hiện chuyển đổi số"); the
    /// period's label is added ("… năm 2026").
    pub name: String,
    /// The symbol of the document kind in the number ("BC" for báo cáo).
    pub period_type: PeriodType,
    pub due: DueRule,
    pub sections: Vec<Section>,
    pub cite: Option<String>,
}

impl ReportTemplate {
    pub fn validate(&self) -> Result<()> {
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 40
            && self.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            return Err(DomainError::invalid(
                "code",
                "mã mẫu báo cáo gồm chữ in hoa không dấu, số và '_', tối đa 40 ký tự",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(DomainError::invalid("name", "chưa nhập tên báo cáo"));
        }
        self.due.validate()?;
        if self.sections.is_empty() {
            return Err(DomainError::invalid("sections", "mẫu báo cáo cần ít nhất một phần"));
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, s) in self.sections.iter().enumerate() {
            let n = i + 1;
            let key_ok = !s.key.is_empty()
                && s.key.len() <= 40
                && s.key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
            if !key_ok {
                return Err(DomainError::invalid("sections", format!("phần thứ {n}: khóa '{}' không hợp lệ", s.key)));
            }
            if !keys.insert(s.key.as_str()) {
                return Err(DomainError::invalid("sections", format!("phần thứ {n}: khóa '{}' bị trùng", s.key)));
            }
            if s.heading.trim().is_empty() {
                return Err(DomainError::invalid("sections", format!("phần thứ {n}: chưa có tiêu đề")));
            }
            if !(1..=4).contains(&s.level) {
                return Err(DomainError::invalid("sections", format!("phần thứ {n}: cấp tiêu đề từ 1 đến 4")));
            }
            if let SectionKind::Indicators { codes } = &s.kind
                && codes.is_empty()
            {
                return Err(DomainError::invalid("sections", format!("phần thứ {n}: chưa chọn chỉ tiêu nào")));
            }
        }
        Ok(())
    }

    /// The report's summary line for `period`: "Kết quả thực hiện chuyển đổi số năm 2026".
    pub fn title_for(&self, period: &Period) -> String {
        let label = period.label();
        let mut chars = label.chars();
        let lowered = match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
            None => String::new(),
        };
        format!("{} {lowered}", self.name.trim())
    }

    pub fn narrative_keys(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.kind == SectionKind::Narrative)
    }
}

/// The areas of seed `002_…` Phụ lục III, Phần I, mục II, each with "Kết quả đạt được" and
/// "Tồn tại, hạn chế" ([`AREAS_CITE`]); groups are headings.
pub const PLAN_AREAS: [(&str, &str, u8, bool); 16] = [
    ("1", "1. Nhận thức số", 2, false),
    ("1.1", "1.1. Ngày Chuyển đổi số", 3, true),
    ("1.2", "1.2. Chia sẻ bài toán, sáng kiến, cách làm về chuyển đổi số", 3, true),
    ("1.3", "1.3. Truyền thông về chuyển đổi số", 3, true),
    ("2", "2. Thể chế số", 2, false),
    ("2.1", "2.1. Ban hành Nghị quyết của cấp ủy và kế hoạch của cấp chính quyền về chuyển đổi số", 3, true),
    ("2.2", "2.2. Hoạt động của Ban Chỉ đạo chuyển đổi số", 3, true),
    ("3", "3. Hạ tầng số", 2, true),
    ("4", "4. Dữ liệu số", 2, true),
    ("5", "5. Nền tảng số", 2, true),
    ("6", "6. Nhân lực số", 2, true),
    ("7", "7. An toàn thông tin mạng", 2, true),
    ("8", "8. Chính phủ số", 2, true),
    ("9", "9. Kinh tế số", 2, true),
    ("10", "10. Xã hội số", 2, true),
    ("11", "11. Kinh phí thực hiện", 2, true),
];

/// The shipped templates: the yearly digital-transformation report (seed `002_…` Phụ lục III
/// Phần I, with the tables of seed `003_…` Phần I) and a quarterly progress report.
pub fn shipped_templates() -> Result<Vec<ReportTemplate>> {
    let code = |c: &str| IndicatorCode::parse(c);
    let section = |key: &str, heading: &str, level: u8, kind: SectionKind| Section {
        key: key.into(),
        heading: heading.into(),
        level,
        kind,
    };
    let mut yearly = vec![
        section("I", "I. TÌNH HÌNH THỰC HIỆN MỤC TIÊU", 1, SectionKind::Heading),
        section(
            "chi_tieu",
            "Các chỉ tiêu chủ yếu",
            2,
            SectionKind::Indicators {
                codes: vec![
                    code("TY_LE_HTTT_PHE_DUYET_CAP_DO")?,
                    code("TY_LE_HTTT_TRIEN_KHAI_PHUONG_AN")?,
                    code("CHI_CNTT")?,
                    code("CHI_ATTT")?,
                    code("TY_LE_CHI_ATTT_CNTT")?,
                ],
            },
        ),
        section("II", "II. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ", 1, SectionKind::Heading),
        section("nhiem_vu", "Thống kê nhiệm vụ trong kế hoạch", 2, SectionKind::TaskStats),
    ];
    for (key, heading, level, narrative) in PLAN_AREAS {
        let kind = if narrative { SectionKind::Narrative } else { SectionKind::Heading };
        yearly.push(section(key, heading, level, kind));
    }
    yearly.extend([
        section("III", "III. PHỤ LỤC SỐ LIỆU", 1, SectionKind::Heading),
        section(
            "httt",
            "Phụ lục 1. Hệ thống thông tin và cấp độ an toàn",
            2,
            SectionKind::Registry { table: RegistryTable::Systems },
        ),
        section("csdl", "Phụ lục 2. Cơ sở dữ liệu", 2, SectionKind::Registry { table: RegistryTable::Databases }),
        section(
            "du_an",
            "Phụ lục 3. Danh mục nhiệm vụ, dự án",
            2,
            SectionKind::Registry { table: RegistryTable::Projects },
        ),
    ]);
    let quarterly = vec![
        section("nhiem_vu", "I. TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ", 1, SectionKind::TaskStats),
        section("ket_qua", "II. KẾT QUẢ NỔI BẬT VÀ TỒN TẠI", 1, SectionKind::Narrative),
        section("kien_nghi", "III. ĐỀ XUẤT, KIẾN NGHỊ", 1, SectionKind::Narrative),
    ];
    let templates = vec![
        ReportTemplate {
            code: "BC_CDS_NAM".into(),
            name: "Kết quả thực hiện chuyển đổi số".into(),
            period_type: PeriodType::Yearly,
            due: DueRule::DayOfYear { month: 11, day: 30 },
            sections: yearly,
            cite: Some(format!("{AREAS_CITE}; {DUE_CITE}; {TABLES_CITE}")),
        },
        ReportTemplate {
            code: "BC_TIEN_DO_QUY".into(),
            name: "Tiến độ thực hiện kế hoạch chuyển đổi số".into(),
            period_type: PeriodType::Quarterly,
            due: DueRule::DaysAfterEnd { days: 10 },
            sections: quarterly,
            cite: None,
        },
    ];
    for t in &templates {
        t.validate()?;
    }
    Ok(templates)
}

impl SectionKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            SectionKind::Heading => "heading",
            SectionKind::Narrative => "narrative",
            SectionKind::Indicators { .. } => "indicators",
            SectionKind::Registry { .. } => "registry",
            SectionKind::TaskStats => "task_stats",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            SectionKind::Heading => "Tiêu đề nhóm",
            SectionKind::Narrative => "Kết quả đạt được; Tồn tại, hạn chế",
            SectionKind::Indicators { .. } => "Bảng chỉ tiêu",
            SectionKind::Registry { .. } => "Bảng từ danh mục",
            SectionKind::TaskStats => "Thống kê nhiệm vụ",
        }
    }
}

impl RegistryTable {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryTable::Systems => "systems",
            RegistryTable::Databases => "databases",
            RegistryTable::Projects => "projects",
        }
    }
}

impl Section {
    /// One section as a line of the template form: `key | heading | level | kind | detail`,
    /// the detail being indicator codes (comma-separated) or a registry (`systems`,
    /// `databases`, `projects`).
    pub fn to_line(&self) -> String {
        let detail = match &self.kind {
            SectionKind::Indicators { codes } => {
                format!(" | {}", codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))
            }
            SectionKind::Registry { table } => format!(" | {}", table.as_str()),
            _ => String::new(),
        };
        format!("{} | {} | {} | {}{detail}", self.key, self.heading, self.level, self.kind.as_str())
    }

    /// Reads a line of the template form (see [`Section::to_line`]); `n` is its line number
    /// for the error.
    pub fn parse_line(n: usize, line: &str) -> Result<Section> {
        let bad = |m: String| DomainError::invalid("sections", format!("dòng {n}: {m}"));
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if parts.len() < 4 {
            return Err(bad("cần ghi: khóa | tiêu đề | cấp | loại (| chi tiết)".into()));
        }
        let level = parts[2].parse::<u8>().map_err(|_| bad(format!("cấp '{}' phải là số từ 1 đến 4", parts[2])))?;
        let detail = parts.get(4).copied().unwrap_or("");
        let kind = match parts[3] {
            "heading" => SectionKind::Heading,
            "narrative" => SectionKind::Narrative,
            "task_stats" => SectionKind::TaskStats,
            "indicators" => SectionKind::Indicators {
                codes: detail
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(IndicatorCode::parse)
                    .collect::<Result<_>>()
                    .map_err(|e| bad(crate::messages::detail(&e)))?,
            },
            "registry" => SectionKind::Registry {
                table: match detail {
                    "systems" => RegistryTable::Systems,
                    "databases" => RegistryTable::Databases,
                    "projects" => RegistryTable::Projects,
                    other => {
                        return Err(bad(format!("danh mục '{other}' không có; ghi systems, databases hoặc projects")));
                    }
                },
            },
            other => {
                return Err(bad(format!(
                    "loại '{other}' không có; ghi heading, narrative, indicators, registry hoặc task_stats"
                )));
            }
        };
        Ok(Section { key: parts[0].to_string(), heading: parts[1].to_string(), level, kind })
    }
}

// ---------------------------------------------------------------------------------------------
// Workflow
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Draft,
    Submitted,
    /// Sent back by the receiver with comments; editable again.
    Returned,
    Resubmitted,
    /// Locked until the receiver reopens it.
    Accepted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStep {
    Submit,
    Return,
    Accept,
    Reopen,
}

/// Who takes a step: the reporting unit or the unit receiving the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSide {
    Sender,
    Receiver,
}

impl ReportState {
    pub const ALL: [ReportState; 5] = [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Resubmitted,
        ReportState::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Resubmitted => "resubmitted",
            ReportState::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("state", format!("không có trạng thái báo cáo '{s}'")))
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportState::Draft => "Đang soạn",
            ReportState::Submitted => "Đã gửi",
            ReportState::Returned => "Bị trả lại",
            ReportState::Resubmitted => "Đã gửi lại",
            ReportState::Accepted => "Đã tiếp nhận",
        }
    }

    /// The unit may change the content.
    pub fn editable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::Returned)
    }

    /// Waiting for the receiver.
    pub fn awaiting_receiver(self) -> bool {
        matches!(self, ReportState::Submitted | ReportState::Resubmitted)
    }

    /// The state after `step`, or the reason it is refused.
    pub fn after(self, step: ReportStep) -> Result<ReportState> {
        use ReportState::*;
        use ReportStep::*;
        match (self, step) {
            (Draft, Submit) => Ok(Submitted),
            (Returned, Submit) => Ok(Resubmitted),
            (Submitted | Resubmitted, Return) => Ok(Returned),
            (Submitted | Resubmitted, Accept) => Ok(Accepted),
            (Accepted, Reopen) => Ok(Returned),
            _ => Err(DomainError::Transition { state: self.label(), action: step.label() }),
        }
    }
}

impl ReportStep {
    pub const ALL: [ReportStep; 4] = [ReportStep::Submit, ReportStep::Return, ReportStep::Accept, ReportStep::Reopen];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStep::Submit => "submit",
            ReportStep::Return => "return",
            ReportStep::Accept => "accept",
            ReportStep::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| DomainError::invalid("step", format!("không có thao tác '{s}'")))
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportStep::Submit => "Gửi báo cáo",
            ReportStep::Return => "Trả lại",
            ReportStep::Accept => "Tiếp nhận",
            ReportStep::Reopen => "Mở lại",
        }
    }

    pub fn side(self) -> StepSide {
        match self {
            ReportStep::Submit => StepSide::Sender,
            _ => StepSide::Receiver,
        }
    }

    /// Returning and reopening say why.
    pub fn needs_comment(self) -> bool {
        matches!(self, ReportStep::Return | ReportStep::Reopen)
    }
}

// ---------------------------------------------------------------------------------------------
// Content and frozen figures
// ---------------------------------------------------------------------------------------------

/// The text of one area.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Narrative {
    /// a) Kết quả đạt được.
    #[serde(default)]
    pub achieved: String,
    /// b) Tồn tại, hạn chế.
    #[serde(default)]
    pub shortcomings: String,
}

/// Who signs the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signer {
    /// "KT. GIÁM ĐỐC" when a deputy signs.
    #[serde(default)]
    pub authority: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub name: String,
}

/// What the unit writes: the narratives per area and the document's particulars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportContent {
    /// By section key.
    #[serde(default)]
    pub narratives: BTreeMap<String, Narrative>,
    /// Số, ký hiệu, e.g. "125/BC-UBND".
    #[serde(default)]
    pub number_symbol: String,
    #[serde(default)]
    pub signer: Signer,
    /// Nơi nhận; the receiver and the archive when empty.
    #[serde(default)]
    pub recipients: Vec<String>,
}

/// Longest narrative text, in characters.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;

impl ReportContent {
    /// Checks what is wrong whatever the state: lengths and unknown sections.
    pub fn validate(&self, template: &ReportTemplate) -> Result<()> {
        for (key, n) in &self.narratives {
            let known = template.narrative_keys().any(|s| &s.key == key);
            if !known {
                return Err(DomainError::invalid("narratives", format!("mẫu báo cáo không có phần '{key}'")));
            }
            if n.achieved.chars().count() > MAX_NARRATIVE_CHARS || n.shortcomings.chars().count() > MAX_NARRATIVE_CHARS
            {
                return Err(DomainError::invalid(
                    "narratives",
                    format!("phần {key}: tối đa {MAX_NARRATIVE_CHARS} ký tự mỗi mục"),
                ));
            }
        }
        if self.number_symbol.chars().count() > 60 {
            return Err(DomainError::invalid("number_symbol", "số, ký hiệu tối đa 60 ký tự"));
        }
        for (field, text) in [("signer.title", &self.signer.title), ("signer.name", &self.signer.name)] {
            if text.chars().count() > 200 {
                return Err(DomainError::invalid(field, "tối đa 200 ký tự"));
            }
        }
        if self.recipients.len() > 50 {
            return Err(DomainError::invalid("recipients", "tối đa 50 nơi nhận"));
        }
        Ok(())
    }
}

/// A value of a figure table: a number (summed in a synthesis when its column allows) or text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FigureCell {
    Number(f64),
    Text(String),
}

impl FigureCell {
    pub fn text(s: impl Into<String>) -> Self {
        FigureCell::Text(s.into())
    }
    pub fn opt_number(x: Option<f64>) -> Self {
        x.map_or_else(|| FigureCell::Text(String::new()), FigureCell::Number)
    }
    pub fn label(&self) -> String {
        match self {
            FigureCell::Number(x) => crate::indicators::format_number(*x),
            FigureCell::Text(s) => s.clone(),
        }
    }
}

/// A table of figures (a registry's rows as of submission).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FigureTable {
    pub headers: Vec<String>,
    /// Which columns a synthesis totals.
    pub summed: Vec<bool>,
    pub rows: Vec<Vec<FigureCell>>,
}

/// One indicator's figure for the unit and period, with what a parent needs to combine it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorFigure {
    pub code: String,
    pub name: String,
    pub unit: Unit,
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// The aggregation rule's inputs for this unit (numerator and denominator of a ratio, the
    /// weight of a weighted average), so a parent combines ratios from sums.
    #[serde(default)]
    pub numerator: Option<f64>,
    #[serde(default)]
    pub denominator: Option<f64>,
    #[serde(default)]
    pub weight: Option<f64>,
}

/// Plan tasks of the unit (led under it) with a deadline in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaskStats {
    pub total: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    /// Not done, deadline passed.
    pub overdue: u64,
    /// Not done, deadline still ahead.
    pub open: u64,
}

impl TaskStats {
    pub fn add(&mut self, other: &TaskStats) {
        self.total += other.total;
        self.done_on_time += other.done_on_time;
        self.done_late += other.done_late;
        self.overdue += other.overdue;
        self.open += other.open;
    }
    pub fn done(&self) -> u64 {
        self.done_on_time + self.done_late
    }
}

/// The figures of one section as frozen at submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SectionFigures {
    Indicators { rows: Vec<IndicatorFigure> },
    Table(FigureTable),
    Tasks(TaskStats),
}

/// Every figure of a report, by section key, as of `as_of`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    pub as_of: Option<NaiveDate>,
    pub sections: BTreeMap<String, SectionFigures>,
}

/// Why a report may not be submitted yet: one line per missing piece, naming the section.
pub fn submission_failures(
    template: &ReportTemplate,
    content: &ReportContent,
    figures: &Figures,
) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    if content.number_symbol.trim().is_empty() {
        failures.push(("number_symbol".to_string(), "chưa ghi số, ký hiệu văn bản".to_string()));
    }
    if content.signer.title.trim().is_empty() {
        failures.push(("signer.title".to_string(), "chưa ghi chức vụ người ký".to_string()));
    }
    if content.signer.name.trim().is_empty() {
        failures.push(("signer.name".to_string(), "chưa ghi họ tên người ký".to_string()));
    }
    for s in &template.sections {
        match &s.kind {
            SectionKind::Narrative => {
                let written = content.narratives.get(&s.key).is_some_and(|n| !n.achieved.trim().is_empty());
                if !written {
                    failures.push((s.key.clone(), format!("{}: chưa nhập kết quả đạt được", s.heading)));
                }
            }
            SectionKind::Indicators { .. } => {
                if let Some(SectionFigures::Indicators { rows }) = figures.sections.get(&s.key) {
                    // A ratio whose denominator is recorded as zero has no value and needs none.
                    for r in rows.iter().filter(|r| r.value.is_none() && r.denominator.is_none()) {
                        failures.push((
                            s.key.clone(),
                            format!("{}: chưa có số liệu chỉ tiêu {} ({})", s.heading, r.name, r.code),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    failures
}

// ---------------------------------------------------------------------------------------------
// Synthesis
// ---------------------------------------------------------------------------------------------

/// One child of the synthesising unit: its name and, when accepted, the frozen version.
#[derive(Debug, Clone)]
pub struct ChildReport<'a> {
    pub unit: String,
    pub state: Option<ReportState>,
    pub accepted: Option<(&'a ReportContent, &'a Figures)>,
}

/// A unit's writing for one area in a synthesis.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitNarrative {
    pub unit: String,
    pub achieved: String,
    pub shortcomings: String,
}

/// A child whose accepted report is missing, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MissingChild {
    pub unit: String,
    /// `None`: no report was opened for it.
    pub state: Option<ReportState>,
    pub state_label: String,
}

/// What a synthesis shows for one section.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SynthesisSection {
    Heading,
    Narratives { units: Vec<UnitNarrative> },
    Indicators { rows: Vec<IndicatorFigure> },
    Table(FigureTable),
    Tasks(TaskStats),
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Synthesis {
    /// By section key, in template order.
    pub sections: Vec<(String, SynthesisSection)>,
    /// Children whose reports went in.
    pub included: Vec<String>,
    pub missing: Vec<MissingChild>,
}

/// Gathers the children's accepted reports: narratives collected per area (units in the given
/// order), indicator figures combined by each indicator's rule (ratios from the sums of
/// numerators and denominators), registry tables stacked with the unit in the first column and a
/// total row, task counts added. `rules` gives each indicator code's aggregation.
pub fn synthesize(
    template: &ReportTemplate,
    children: &[ChildReport<'_>],
    rules: &BTreeMap<String, AggregationRule>,
) -> Synthesis {
    let accepted: Vec<(&str, &ReportContent, &Figures)> =
        children.iter().filter_map(|c| c.accepted.map(|(content, f)| (c.unit.as_str(), content, f))).collect();
    let missing = children
        .iter()
        .filter(|c| c.accepted.is_none())
        .map(|c| MissingChild {
            unit: c.unit.clone(),
            state: c.state,
            state_label: c.state.map_or("Chưa có báo cáo", ReportState::label).to_string(),
        })
        .collect();
    let mut sections = Vec::new();
    for s in &template.sections {
        let section = match &s.kind {
            SectionKind::Heading => SynthesisSection::Heading,
            SectionKind::Narrative => SynthesisSection::Narratives {
                units: accepted
                    .iter()
                    .filter_map(|(unit, content, _)| {
                        let n = content.narratives.get(&s.key)?;
                        Some(UnitNarrative {
                            unit: unit.to_string(),
                            achieved: n.achieved.clone(),
                            shortcomings: n.shortcomings.clone(),
                        })
                    })
                    .collect(),
            },
            SectionKind::Indicators { codes } => {
                let mut rows = Vec::new();
                for code in codes {
                    let figures: Vec<&IndicatorFigure> = accepted
                        .iter()
                        .filter_map(|(_, _, f)| match f.sections.get(&s.key) {
                            Some(SectionFigures::Indicators { rows }) => rows.iter().find(|r| r.code == code.as_str()),
                            _ => None,
                        })
                        .collect();
                    let Some(first) = figures.first() else { continue };
                    let contributions: Vec<Contribution> = figures
                        .iter()
                        .map(|f| Contribution {
                            value: f.value,
                            numerator: f.numerator,
                            denominator: f.denominator,
                            weight: f.weight,
                        })
                        .collect();
                    let rule = rules.get(code.as_str()).cloned().unwrap_or(AggregationRule::Sum);
                    let sum_of = |pick: fn(&IndicatorFigure) -> Option<f64>| {
                        figures
                            .iter()
                            .filter_map(|f| pick(f))
                            .fold(None, |acc: Option<f64>, x| Some(acc.unwrap_or(0.0) + x))
                    };
                    rows.push(IndicatorFigure {
                        code: first.code.clone(),
                        name: first.name.clone(),
                        unit: first.unit,
                        value: aggregate(&rule, &contributions),
                        target: None,
                        numerator: sum_of(|f| f.numerator),
                        denominator: sum_of(|f| f.denominator),
                        weight: sum_of(|f| f.weight),
                    });
                }
                SynthesisSection::Indicators { rows }
            }
            SectionKind::Registry { .. } => {
                let mut out = FigureTable::default();
                for (unit, _, f) in &accepted {
                    let Some(SectionFigures::Table(t)) = f.sections.get(&s.key) else { continue };
                    if out.headers.is_empty() {
                        out.headers = std::iter::once("Đơn vị".to_string()).chain(t.headers.iter().cloned()).collect();
                        out.summed = std::iter::once(false).chain(t.summed.iter().copied()).collect();
                    }
                    for row in &t.rows {
                        out.rows.push(std::iter::once(FigureCell::text(*unit)).chain(row.iter().cloned()).collect());
                    }
                }
                if !out.rows.is_empty() && out.summed.iter().any(|s| *s) {
                    let total = (0..out.headers.len())
                        .map(|col| {
                            if col == 0 {
                                FigureCell::text("Tổng cộng")
                            } else if out.summed.get(col).copied().unwrap_or(false) {
                                FigureCell::Number(
                                    out.rows
                                        .iter()
                                        .filter_map(|r| match r.get(col) {
                                            Some(FigureCell::Number(x)) => Some(*x),
                                            _ => None,
                                        })
                                        .sum(),
                                )
                            } else {
                                FigureCell::text("")
                            }
                        })
                        .collect();
                    out.rows.push(total);
                }
                SynthesisSection::Table(out)
            }
            SectionKind::TaskStats => {
                let mut total = TaskStats::default();
                for (_, _, f) in &accepted {
                    if let Some(SectionFigures::Tasks(t)) = f.sections.get(&s.key) {
                        total.add(t);
                    }
                }
                SynthesisSection::Tasks(total)
            }
        };
        sections.push((s.key.clone(), section));
    }
    Synthesis { sections, included: accepted.iter().map(|(u, _, _)| u.to_string()).collect(), missing }
}

// ---------------------------------------------------------------------------------------------
// Completeness and timeliness
// ---------------------------------------------------------------------------------------------

/// One expected report as completeness counts it.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    pub state: ReportState,
    pub due_on: NaiveDate,
    /// The day it was first submitted.
    pub first_submitted_on: Option<NaiveDate>,
}

/// Submitted / expected and on time / expected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Completeness {
    pub expected: u64,
    /// Submitted at least once (whatever happened after).
    pub submitted: u64,
    /// First submitted on or before the due date.
    pub on_time: u64,
    pub accepted: u64,
    /// Never submitted and past due.
    pub overdue: u64,
}

impl Completeness {
    pub fn count(&mut self, e: &Expected, today: NaiveDate) {
        self.expected += 1;
        match e.first_submitted_on {
            Some(day) => {
                self.submitted += 1;
                if day <= e.due_on {
                    self.on_time += 1;
                }
            }
            None if today > e.due_on => self.overdue += 1,
            None => {}
        }
        if e.state == ReportState::Accepted {
            self.accepted += 1;
        }
    }

    pub fn of(items: &[Expected], today: NaiveDate) -> Self {
        let mut c = Self::default();
        for e in items {
            c.count(e, today);
        }
        c
    }

    pub fn add(&mut self, other: &Completeness) {
        self.expected += other.expected;
        self.submitted += other.submitted;
        self.on_time += other.on_time;
        self.accepted += other.accepted;
        self.overdue += other.overdue;
    }

    /// Submitted / expected, in percent.
    pub fn completeness_pct(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.submitted as f64 * 100.0 / self.expected as f64)
    }

    /// On time / expected, in percent.
    pub fn timeliness_pct(&self) -> Option<f64> {
        (self.expected > 0).then(|| self.on_time as f64 * 100.0 / self.expected as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn yearly() -> ReportTemplate {
        shipped_templates().unwrap().into_iter().next().unwrap()
    }

    #[test]
    fn the_shipped_templates_hold_every_area_of_the_seed() {
        let t = yearly();
        let narratives: Vec<&str> = t.narrative_keys().map(|s| s.key.as_str()).collect();
        assert_eq!(narratives, ["1.1", "1.2", "1.3", "2.1", "2.2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
        assert!(t.sections.iter().any(|s| s.kind == SectionKind::Registry { table: RegistryTable::Systems }));
        assert_eq!(t.due.due_on(&Period::parse("2026").unwrap()), d(2026, 11, 30));
        assert_eq!(t.title_for(&Period::parse("2026").unwrap()), "Kết quả thực hiện chuyển đổi số năm 2026");
        let q = &shipped_templates().unwrap()[1];
        assert_eq!(q.due.due_on(&Period::parse("2026Q1").unwrap()), d(2026, 4, 10));
        assert_eq!(
            q.title_for(&Period::parse("2026Q1").unwrap()),
            "Tiến độ thực hiện kế hoạch chuyển đổi số quý I/2026"
        );
    }

    #[test]
    fn due_dates_clamp_to_the_month() {
        let rule = DueRule::DayOfYear { month: 2, day: 29 };
        assert!(rule.validate().is_ok());
        assert_eq!(rule.due_on(&Period::parse("2025").unwrap()), d(2025, 2, 28));
        assert_eq!(rule.due_on(&Period::parse("2024").unwrap()), d(2024, 2, 29));
        assert!(DueRule::DayOfYear { month: 2, day: 30 }.validate().is_err());
        assert!(DueRule::DaysAfterEnd { days: 400 }.validate().is_err());
    }

    #[test]
    fn templates_are_validated() {
        let mut t = yearly();
        t.sections.push(t.sections[1].clone());
        assert!(matches!(t.validate(), Err(DomainError::Invalid { field: "sections", .. })));
        let mut t = yearly();
        t.code = "bc nam".into();
        assert!(matches!(t.validate(), Err(DomainError::Invalid { field: "code", .. })));
        let mut t = yearly();
        t.sections[1].kind = SectionKind::Indicators { codes: vec![] };
        assert!(matches!(t.validate(), Err(DomainError::Invalid { field: "sections", .. })));
    }

    #[test]
    fn sections_read_and_write_as_form_lines() {
        for t in shipped_templates().unwrap() {
            for (i, s) in t.sections.iter().enumerate() {
                assert_eq!(&Section::parse_line(i + 1, &s.to_line()).unwrap(), s);
            }
        }
        let line = "chi | II. KINH PHÍ | 1 | indicators | CHI_CNTT, CHI_ATTT";
        let s = Section::parse_line(3, line).unwrap();
        assert_eq!(s.kind.as_str(), "indicators");
        for (bad, wanted) in [
            ("a | b | 1", "dòng 4: cần ghi"),
            ("a | b | x | heading", "cấp 'x'"),
            ("a | b | 1 | bang", "loại 'bang'"),
            ("a | b | 1 | registry | tasks", "danh mục 'tasks'"),
        ] {
            let Err(DomainError::Invalid { field: "sections", message }) = Section::parse_line(4, bad) else {
                panic!("{bad}")
            };
            assert!(message.contains(wanted), "{message}");
        }
    }

    #[test]
    fn every_workflow_transition() {
        use ReportState::*;
        use ReportStep::*;
        let allowed = [
            (Draft, Submit, Submitted),
            (Returned, Submit, Resubmitted),
            (Submitted, Return, Returned),
            (Resubmitted, Return, Returned),
            (Submitted, Accept, Accepted),
            (Resubmitted, Accept, Accepted),
            (Accepted, Reopen, Returned),
        ];
        for state in ReportState::ALL {
            for step in ReportStep::ALL {
                let expected = allowed.iter().find(|(s, st, _)| *s == state && *st == step).map(|x| x.2);
                match (state.after(step), expected) {
                    (Ok(next), Some(e)) => assert_eq!(next, e),
                    (Err(DomainError::Transition { .. }), None) => {}
                    (got, want) => panic!("{state:?} + {step:?}: {got:?}, expected {want:?}"),
                }
            }
        }
        assert!(Draft.editable() && Returned.editable());
        assert!(!Submitted.editable() && !Resubmitted.editable() && !Accepted.editable());
        assert_eq!(Submit.side(), StepSide::Sender);
        assert!(ReportStep::ALL.iter().filter(|s| **s != Submit).all(|s| s.side() == StepSide::Receiver));
    }

    #[test]
    fn submission_lists_every_missing_piece() {
        let t = yearly();
        let content = ReportContent::default();
        let figures = Figures {
            as_of: None,
            sections: [(
                "chi_tieu".to_string(),
                SectionFigures::Indicators {
                    rows: vec![IndicatorFigure {
                        code: "CHI_CNTT".into(),
                        name: "Chi CNTT".into(),
                        unit: Unit::Vnd,
                        value: None,
                        target: None,
                        numerator: None,
                        denominator: None,
                        weight: None,
                    }],
                },
            )]
            .into(),
        };
        let failures = submission_failures(&t, &content, &figures);
        // number, signer title and name, 14 narratives, 1 indicator.
        assert_eq!(failures.len(), 3 + 14 + 1, "{failures:?}");
        assert!(failures.iter().any(|(k, m)| k == "7" && m.contains("An toàn thông tin mạng")));
        assert!(failures.iter().any(|(k, m)| k == "chi_tieu" && m.contains("CHI_CNTT")));
        let mut content = ReportContent {
            number_symbol: "12/BC-UBND".into(),
            signer: Signer { authority: None, title: "Chủ tịch".into(), name: "Nguyễn Văn A".into() },
            ..Default::default()
        };
        for s in t.narrative_keys() {
            content
                .narratives
                .insert(s.key.clone(), Narrative { achieved: "Đã làm".into(), shortcomings: String::new() });
        }
        assert_eq!(submission_failures(&t, &content, &Figures::default()), vec![]);
    }

    fn figure(code: &str, value: f64, num: Option<f64>, den: Option<f64>) -> IndicatorFigure {
        IndicatorFigure {
            code: code.into(),
            name: code.into(),
            unit: Unit::Percent,
            value: Some(value),
            target: None,
            numerator: num,
            denominator: den,
            weight: None,
        }
    }

    #[test]
    fn a_synthesis_combines_ratios_from_sums_stacks_tables_and_lists_the_missing() {
        let t = ReportTemplate {
            code: "T".into(),
            name: "Báo cáo".into(),
            period_type: PeriodType::Yearly,
            due: DueRule::DayOfYear { month: 11, day: 30 },
            sections: vec![
                Section { key: "a".into(), heading: "1. Hạ tầng".into(), level: 1, kind: SectionKind::Narrative },
                Section {
                    key: "b".into(),
                    heading: "Chỉ tiêu".into(),
                    level: 1,
                    kind: SectionKind::Indicators {
                        codes: vec![IndicatorCode::parse("TY_LE").unwrap(), IndicatorCode::parse("SO").unwrap()],
                    },
                },
                Section {
                    key: "c".into(),
                    heading: "HTTT".into(),
                    level: 1,
                    kind: SectionKind::Registry { table: RegistryTable::Systems },
                },
                Section { key: "d".into(), heading: "Nhiệm vụ".into(), level: 1, kind: SectionKind::TaskStats },
            ],
            cite: None,
        };
        let content = |text: &str| ReportContent {
            narratives: [("a".to_string(), Narrative { achieved: text.into(), shortcomings: "Thiếu người".into() })]
                .into(),
            ..Default::default()
        };
        let figures = |ratio: f64, num: f64, den: f64, count: f64, systems: f64, tasks: u64| Figures {
            as_of: None,
            sections: [
                (
                    "b".to_string(),
                    SectionFigures::Indicators {
                        rows: vec![figure("TY_LE", ratio, Some(num), Some(den)), figure("SO", count, None, None)],
                    },
                ),
                (
                    "c".to_string(),
                    SectionFigures::Table(FigureTable {
                        headers: vec!["Tên".into(), "Số".into()],
                        summed: vec![false, true],
                        rows: vec![vec![FigureCell::text("Cổng"), FigureCell::Number(systems)]],
                    }),
                ),
                (
                    "d".to_string(),
                    SectionFigures::Tasks(TaskStats {
                        total: tasks,
                        done_on_time: 1,
                        done_late: 0,
                        overdue: 1,
                        open: tasks - 2,
                    }),
                ),
            ]
            .into(),
        };
        // Unit A: 1 of 10 (10 %); unit B: 9 of 10 (90 %)... and unit C 30 of 80 (37,5 %).
        let (ca, fa) = (content("A làm"), figures(10.0, 1.0, 10.0, 3.0, 2.0, 5));
        let (cb, fb) = (content("B làm"), figures(90.0, 9.0, 10.0, 4.0, 5.0, 4));
        let (cc, fc) = (content("C làm"), figures(37.5, 30.0, 80.0, 5.0, 1.0, 3));
        let children = [
            ChildReport { unit: "A".into(), state: Some(ReportState::Accepted), accepted: Some((&ca, &fa)) },
            ChildReport { unit: "B".into(), state: Some(ReportState::Accepted), accepted: Some((&cb, &fb)) },
            ChildReport { unit: "C".into(), state: Some(ReportState::Accepted), accepted: Some((&cc, &fc)) },
            ChildReport { unit: "D".into(), state: Some(ReportState::Returned), accepted: None },
            ChildReport { unit: "E".into(), state: None, accepted: None },
        ];
        let rules: BTreeMap<String, AggregationRule> = [
            (
                "TY_LE".to_string(),
                AggregationRule::RatioOfSums {
                    numerator: IndicatorCode::parse("TU").unwrap(),
                    denominator: IndicatorCode::parse("MAU").unwrap(),
                    factor: Some(100.0),
                },
            ),
            ("SO".to_string(), AggregationRule::Sum),
        ]
        .into();
        let s = synthesize(&t, &children, &rules);
        assert_eq!(s.included, ["A", "B", "C"]);
        assert_eq!(
            s.missing.iter().map(|m| (m.unit.as_str(), m.state_label.as_str())).collect::<Vec<_>>(),
            [("D", "Bị trả lại"), ("E", "Chưa có báo cáo")]
        );
        let section = |key: &str| &s.sections.iter().find(|(k, _)| k == key).unwrap().1;
        let SynthesisSection::Narratives { units } = section("a") else { panic!() };
        assert_eq!(units.iter().map(|u| u.achieved.as_str()).collect::<Vec<_>>(), ["A làm", "B làm", "C làm"]);
        let SynthesisSection::Indicators { rows } = section("b") else { panic!() };
        // Ratio of sums: 40 / 100 = 40 %, not the mean of the ratios (45,8 %).
        assert_eq!(rows[0].value, Some(40.0));
        assert_eq!((rows[0].numerator, rows[0].denominator), (Some(40.0), Some(100.0)));
        assert_eq!(rows[1].value, Some(12.0));
        let SynthesisSection::Table(table) = section("c") else { panic!() };
        assert_eq!(table.headers, ["Đơn vị", "Tên", "Số"]);
        assert_eq!(table.rows.len(), 4);
        assert_eq!(table.rows[3], vec![FigureCell::text("Tổng cộng"), FigureCell::text(""), FigureCell::Number(8.0)]);
        let SynthesisSection::Tasks(tasks) = section("d") else { panic!() };
        assert_eq!((tasks.total, tasks.done_on_time, tasks.overdue, tasks.open), (12, 3, 3, 6));
    }

    #[test]
    fn completeness_counts_submitted_on_time_and_overdue() {
        let due = d(2026, 11, 30);
        let items = [
            Expected { state: ReportState::Accepted, due_on: due, first_submitted_on: Some(d(2026, 11, 20)) },
            Expected { state: ReportState::Returned, due_on: due, first_submitted_on: Some(d(2026, 11, 30)) },
            Expected { state: ReportState::Resubmitted, due_on: due, first_submitted_on: Some(d(2026, 12, 1)) },
            Expected { state: ReportState::Draft, due_on: due, first_submitted_on: None },
        ];
        let before = Completeness::of(&items, d(2026, 11, 30));
        assert_eq!(before, Completeness { expected: 4, submitted: 3, on_time: 2, accepted: 1, overdue: 0 });
        let after = Completeness::of(&items, d(2026, 12, 1));
        assert_eq!(after.overdue, 1);
        assert_eq!(after.completeness_pct(), Some(75.0));
        assert_eq!(after.timeliness_pct(), Some(50.0));
        assert_eq!(Completeness::default().completeness_pct(), None);
    }
}
