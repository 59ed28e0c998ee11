//! Registries (danh mục) an agency keeps: its information systems with their security level and
//! inspection schedule, its databases, and its IT projects — the fields the seed forms ask for,
//! and the rules on them. Pure rules: no storage, no clock (`today` is always passed in).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::indicators::{format_number, parse_number};
use crate::org::OrgId;
use crate::work::YearSpan;
use crate::{DomainError, Result};

/// Where the inspection intervals come from.
pub const INSPECTION_CITE: &str = "002_5e25b3b17a73c715.txt, Phụ lục I, mục 7 (dòng 348–351); \
Phụ lục II, mục 6 (dòng 910–913): kiểm tra đánh giá định kỳ an toàn thông tin tối thiểu 1 lần/2 năm cho hệ thống \
cấp độ 1, 2; tối thiểu 1 lần/1 năm cho hệ thống cấp độ 3, 4 và 1 lần/06 tháng cho hệ thống cấp độ 5";

/// Where the yearly drill comes from.
pub const DRILL_CITE: &str = "002_5e25b3b17a73c715.txt, Phụ lục I, mục 7 (dòng 352–353); Phụ lục II, mục 6 \
(dòng 914–915): tổ chức tối thiểu 01 cuộc diễn tập thực chiến/năm, ưu tiên hệ thống thông tin cấp độ 3 trở lên";

/// Why a registry-derived indicator takes no typed or imported value: the registry is its one
/// source, and a typed figure would be overwritten at the next registry change (or counted twice).
pub const REGISTRY_DERIVED: &str = "được tính tự động từ danh mục hệ thống thông tin của đơn vị, không nhập số liệu; \
hãy cập nhật danh mục (/registries/systems)";

/// Days before an inspection falls due from which it shows as "sắp đến hạn", unless configured.
pub const DEFAULT_SOON_DAYS: u32 = 30;

// ---------------------------------------------------------------------------------------------
// Security level and inspection schedule
// ---------------------------------------------------------------------------------------------

/// Cấp độ an toàn hệ thống thông tin, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
pub struct SecurityLevel(u8);

impl SecurityLevel {
    pub fn new(level: u8) -> Result<Self> {
        if (1..=5).contains(&level) {
            Ok(Self(level))
        } else {
            Err(DomainError::invalid("security_level", format!("cấp độ an toàn phải từ 1 đến 5 (đang là {level})")))
        }
    }
    /// Reads "3", "cấp độ 3", "Cấp độ 3" (with or without diacritics).
    pub fn parse(s: &str) -> Result<Self> {
        let folded = textvi::fold(s);
        let digits = folded.strip_prefix("cap do").unwrap_or(&folded).trim();
        match digits.parse::<u8>() {
            Ok(level) => Self::new(level),
            Err(_) => Err(DomainError::invalid(
                "security_level",
                format!("không hiểu cấp độ '{}': ghi một số từ 1 đến 5", s.trim()),
            )),
        }
    }
    pub fn get(self) -> u8 {
        self.0
    }
    /// "Cấp độ 3".
    pub fn label(self) -> String {
        format!("Cấp độ {}", self.0)
    }
    /// Longest time between two periodic inspections: 24 months for levels 1–2, 12 for 3–4,
    /// 6 for level 5 ([`INSPECTION_CITE`]).
    pub fn inspection_interval_months(self) -> u32 {
        match self.0 {
            1 | 2 => 24,
            3 | 4 => 12,
            _ => 6,
        }
    }
    /// Systems of level 3 and above come first when choosing what the yearly drill targets.
    pub fn drill_priority(self) -> bool {
        self.0 >= 3
    }
}

impl TryFrom<u8> for SecurityLevel {
    type Error = DomainError;
    fn try_from(level: u8) -> Result<Self> {
        Self::new(level)
    }
}

impl From<SecurityLevel> for u8 {
    fn from(level: SecurityLevel) -> u8 {
        level.0
    }
}

/// `day` plus whole months, clamped to the end of a shorter month (31/08 + 6 months = 28/02 or
/// 29/02).
fn add_months(day: NaiveDate, months: u32) -> Option<NaiveDate> {
    day.checked_add_months(Months::new(months))
}

/// When the next periodic inspection is due: the level's interval after the last inspection, or
/// after the security-level dossier was approved when that is later (a newly approved dossier
/// starts the cycle again). `None` when neither date is known.
pub fn next_inspection_due(
    level: SecurityLevel,
    last_inspection: Option<NaiveDate>,
    dossier_approved_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let base = last_inspection.max(dossier_approved_on)?;
    add_months(base, level.inspection_interval_months())
}

/// Where a system stands against its inspection schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InspectionState {
    /// No level or no dates yet: nothing to schedule from.
    Unscheduled,
    Ok {
        due: NaiveDate,
    },
    /// Due within the "soon" window (or today).
    DueSoon {
        due: NaiveDate,
        days_left: i64,
    },
    Overdue {
        due: NaiveDate,
        days_overdue: i64,
    },
}

impl InspectionState {
    /// `due` against `today`, "soon" meaning within `soon_days` days.
    pub fn of(due: Option<NaiveDate>, today: NaiveDate, soon_days: u32) -> Self {
        let Some(due) = due else { return InspectionState::Unscheduled };
        let days_left = (due - today).num_days();
        if days_left < 0 {
            InspectionState::Overdue { due, days_overdue: -days_left }
        } else if days_left <= i64::from(soon_days) {
            InspectionState::DueSoon { due, days_left }
        } else {
            InspectionState::Ok { due }
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionState::Unscheduled => "unscheduled",
            InspectionState::Ok { .. } => "ok",
            InspectionState::DueSoon { .. } => "due_soon",
            InspectionState::Overdue { .. } => "overdue",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            InspectionState::Unscheduled => "Chưa xác định lịch kiểm tra",
            InspectionState::Ok { .. } => "Trong hạn",
            InspectionState::DueSoon { .. } => "Sắp đến hạn kiểm tra",
            InspectionState::Overdue { .. } => "Quá hạn kiểm tra",
        }
    }
}

/// The last day by which the next live-fire drill must be held: at least one drill every
/// calendar year ([`DRILL_CITE`]), so after a drill in year Y the next falls due by 31/12 of
/// Y + 1; with no drill on record, by 31/12 of the current year.
pub fn next_drill_due(last_drill: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    let year = last_drill.map_or(today.year(), |d| d.year() + 1);
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

// ---------------------------------------------------------------------------------------------
// Information systems
// ---------------------------------------------------------------------------------------------

/// A registry entry for an information system: the fields of the appendix seed `003_…` Phụ lục
/// I, Phần I, mục VI asks for (dòng 150: tên hệ thống thông tin; đơn vị quản lý; cấp độ an toàn;
/// thời gian xác định cấp độ; đáp ứng/chưa đáp ứng yêu cầu tối thiểu) and the dates seed
/// `002_…` Phụ lục I, mục 7 tracks (dòng 343–353: hồ sơ cấp độ phê duyệt, phương án triển khai
/// đầy đủ, kiểm tra định kỳ, diễn tập).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InformationSystem {
    pub id: i64,
    /// Đơn vị quản lý (chủ quản).
    pub org_id: OrgId,
    pub name: String,
    pub url: Option<String>,
    /// `None` while the level has not been determined.
    pub security_level: Option<SecurityLevel>,
    /// The approval of the security-level dossier (hồ sơ đề xuất cấp độ): the "thời gian xác
    /// định cấp độ" of the form.
    pub dossier_approved_on: Option<NaiveDate>,
    /// Number of the approval decision.
    pub dossier_decision: Option<String>,
    /// Đáp ứng yêu cầu tối thiểu bảo đảm an toàn thông tin theo cấp độ; `None` not yet assessed.
    pub meets_minimum_requirements: Option<bool>,
    /// The protection plan of the approved dossier is fully deployed.
    pub protection_plan_deployed: bool,
    /// Bảo đảm an toàn, an ninh mạng theo mô hình 4 lớp (seed `003_…` Phần I, mục VI, dòng
    /// 152–154): each layer's state and the service provider, if any.
    #[serde(default)]
    pub four_layer: FourLayer,
    pub last_inspection: Option<NaiveDate>,
    /// The last live-fire drill run on this system.
    pub last_drill: Option<NaiveDate>,
    /// The system is a website or portal of a state agency (trang, cổng thông tin điện tử).
    #[serde(default)]
    pub portal: bool,
    /// When the portal was assessed and given the network trust label (nhãn tín nhiệm mạng,
    /// seed `002_…` Phụ lục I, mục 7, dòng 354–355); only for portals.
    pub trust_label_on: Option<NaiveDate>,
}

impl InformationSystem {
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        required("name", &self.name, "chưa nhập tên hệ thống thông tin")?;
        check_url(self.url.as_deref())?;
        not_after_today("dossier_approved_on", self.dossier_approved_on, today, "ngày phê duyệt hồ sơ cấp độ")?;
        not_after_today("last_inspection", self.last_inspection, today, "ngày kiểm tra, đánh giá gần nhất")?;
        not_after_today("last_drill", self.last_drill, today, "ngày diễn tập gần nhất")?;
        if self.security_level.is_none() && self.dossier_approved_on.is_some() {
            return Err(DomainError::invalid("security_level", "hồ sơ đã phê duyệt thì phải ghi cấp độ an toàn"));
        }
        if self.dossier_approved_on.is_none() && self.protection_plan_deployed {
            return Err(DomainError::invalid(
                "protection_plan_deployed",
                "phương án bảo đảm an toàn triển khai theo hồ sơ cấp độ đã được phê duyệt; chưa có ngày phê duyệt hồ sơ",
            ));
        }
        not_after_today("trust_label_on", self.trust_label_on, today, "ngày gắn nhãn tín nhiệm mạng")?;
        if self.trust_label_on.is_some() && !self.portal {
            return Err(DomainError::invalid(
                "trust_label_on",
                "nhãn tín nhiệm mạng chỉ gắn cho trang, cổng thông tin điện tử; hãy đánh dấu hệ thống là trang, cổng thông tin",
            ));
        }
        self.four_layer.validate()?;
        max_len("name", &self.name, 300, "tên hệ thống thông tin")?;
        max_len("dossier_decision", self.dossier_decision.as_deref().unwrap_or(""), 100, "số quyết định phê duyệt")?;
        Ok(())
    }

    /// [`next_inspection_due`] for this system; `None` without a level.
    pub fn next_inspection_due(&self) -> Option<NaiveDate> {
        next_inspection_due(self.security_level?, self.last_inspection, self.dossier_approved_on)
    }

    pub fn inspection_state(&self, today: NaiveDate, soon_days: u32) -> InspectionState {
        InspectionState::of(self.next_inspection_due(), today, soon_days)
    }
}

/// The state of one layer of the 4-layer model ("đã hoàn thành/đang triển khai/chưa triển khai").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LayerState {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

impl LayerState {
    pub const ALL: [LayerState; 3] = [LayerState::NotStarted, LayerState::InProgress, LayerState::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            LayerState::NotStarted => "not_started",
            LayerState::InProgress => "in_progress",
            LayerState::Done => "done",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LayerState::NotStarted => "Chưa triển khai",
            LayerState::InProgress => "Đang triển khai",
            LayerState::Done => "Đã triển khai",
        }
    }
    /// Reads the code or the label; `field` names the layer's input.
    pub fn parse(field: &'static str, s: &str) -> Result<Self> {
        let folded = textvi::fold(s);
        if folded.is_empty() {
            return Ok(LayerState::NotStarted);
        }
        Self::ALL.into_iter().find(|x| x.as_str() == folded || textvi::fold(x.label()) == folded).ok_or_else(|| {
            DomainError::invalid(
                field,
                format!("không hiểu '{}': ghi 'chưa triển khai', 'đang triển khai' hoặc 'đã triển khai'", s.trim()),
            )
        })
    }
}

/// The four layers of the model (lớp 1 to 4), as the UI names them.
pub const LAYER_LABELS: [&str; 4] = [
    "Lớp 1: Tự bảo vệ (đơn vị vận hành hệ thống)",
    "Lớp 2: Giám sát, bảo vệ chuyên nghiệp",
    "Lớp 3: Kiểm tra, đánh giá độc lập",
    "Lớp 4: Kết nối, chia sẻ thông tin với hệ thống giám sát quốc gia",
];

/// Bảo đảm an toàn, an ninh mạng theo mô hình 4 lớp: each layer's state (layer 1 first) and the
/// name of the service provider, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct FourLayer {
    /// Four states, layer 1 first.
    #[schema(value_type = Vec<LayerState>, min_items = 4, max_items = 4)]
    pub layers: [LayerState; 4],
    /// Đơn vị cung cấp dịch vụ (nếu có).
    pub provider: Option<String>,
}

/// The model as a whole: "đã hoàn thành" when all four layers are done, "chưa triển khai" when
/// none is started, "đang triển khai" otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FourLayerStatus {
    NotStarted,
    InProgress,
    Completed,
}

impl FourLayerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FourLayerStatus::NotStarted => "not_started",
            FourLayerStatus::InProgress => "in_progress",
            FourLayerStatus::Completed => "completed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FourLayerStatus::NotStarted => "Chưa triển khai",
            FourLayerStatus::InProgress => "Đang triển khai",
            FourLayerStatus::Completed => "Đã hoàn thành",
        }
    }
}

impl FourLayer {
    pub fn status(&self) -> FourLayerStatus {
        if self.layers.iter().all(|l| *l == LayerState::Done) {
            FourLayerStatus::Completed
        } else if self.layers.iter().all(|l| *l == LayerState::NotStarted) {
            FourLayerStatus::NotStarted
        } else {
            FourLayerStatus::InProgress
        }
    }
    /// "Lớp 1, 2 đã triển khai; lớp 3 đang triển khai" — what the report form asks to name.
    pub fn summary(&self) -> String {
        let which = |state: LayerState| -> Vec<String> {
            self.layers.iter().enumerate().filter(|(_, l)| **l == state).map(|(i, _)| (i + 1).to_string()).collect()
        };
        let mut parts = Vec::new();
        for (state, words) in [(LayerState::Done, "đã triển khai"), (LayerState::InProgress, "đang triển khai")]
        {
            let layers = which(state);
            if !layers.is_empty() {
                parts.push(format!("lớp {} {words}", layers.join(", ")));
            }
        }
        let mut out = if parts.is_empty() { "Chưa triển khai lớp nào".to_string() } else { parts.join("; ") };
        if let Some(p) = self.provider.as_deref().filter(|p| !p.trim().is_empty()) {
            out.push_str(&format!(" (đơn vị cung cấp dịch vụ: {})", p.trim()));
        }
        if let Some(first) = out.get(..1) {
            out = first.to_uppercase() + &out[1..];
        }
        out
    }
    fn validate(&self) -> Result<()> {
        max_len(
            "four_layer",
            self.provider.as_deref().unwrap_or(""),
            200,
            "tên đơn vị cung cấp dịch vụ (mô hình 4 lớp)",
        )
    }
}

/// The three registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistryKind {
    System,
    Database,
    Project,
}

impl RegistryKind {
    pub const ALL: [RegistryKind; 3] = [RegistryKind::System, RegistryKind::Database, RegistryKind::Project];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistryKind::System => "system",
            RegistryKind::Database => "database",
            RegistryKind::Project => "project",
        }
    }
    /// The path segment of its pages and API (`/registries/systems`).
    pub fn segment(self) -> &'static str {
        match self {
            RegistryKind::System => "systems",
            RegistryKind::Database => "databases",
            RegistryKind::Project => "projects",
        }
    }
    pub fn from_segment(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.segment() == s)
    }
    /// "Hệ thống thông tin", …: the registry's title.
    pub fn label(self) -> &'static str {
        match self {
            RegistryKind::System => "Hệ thống thông tin",
            RegistryKind::Database => "Cơ sở dữ liệu",
            RegistryKind::Project => "Nhiệm vụ, dự án",
        }
    }
    /// "hệ thống thông tin", …: one entry, in a sentence (messages, not-found errors).
    pub fn noun(self) -> &'static str {
        match self {
            RegistryKind::System => "hệ thống thông tin",
            RegistryKind::Database => "cơ sở dữ liệu",
            RegistryKind::Project => "nhiệm vụ, dự án",
        }
    }
}

/// A filter on where systems stand against their inspection schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionFilter {
    Ok,
    DueSoon,
    Overdue,
    Unscheduled,
}

impl InspectionFilter {
    pub const ALL: [InspectionFilter; 4] =
        [InspectionFilter::Overdue, InspectionFilter::DueSoon, InspectionFilter::Ok, InspectionFilter::Unscheduled];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionFilter::Ok => "ok",
            InspectionFilter::DueSoon => "due_soon",
            InspectionFilter::Overdue => "overdue",
            InspectionFilter::Unscheduled => "unscheduled",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
            DomainError::invalid(
                "state",
                format!("không có tình trạng kiểm tra '{}': ok, due_soon, overdue hoặc unscheduled", s.trim()),
            )
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            InspectionFilter::Ok => InspectionState::Ok { due: NaiveDate::MIN }.label(),
            InspectionFilter::DueSoon => InspectionState::DueSoon { due: NaiveDate::MIN, days_left: 0 }.label(),
            InspectionFilter::Overdue => InspectionState::Overdue { due: NaiveDate::MIN, days_overdue: 0 }.label(),
            InspectionFilter::Unscheduled => InspectionState::Unscheduled.label(),
        }
    }
    /// The range of due dates in this state on `today` (`None` for "no due date"): overdue is
    /// before today, due soon from today to `soon_days` after, in time after that.
    pub fn due_range(self, today: NaiveDate, soon_days: u32) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        let soon_end = today.checked_add_days(chrono::Days::new(u64::from(soon_days))).unwrap_or(NaiveDate::MAX);
        match self {
            InspectionFilter::Unscheduled => None,
            InspectionFilter::Overdue => Some((None, today.pred_opt())),
            InspectionFilter::DueSoon => Some((Some(today), Some(soon_end))),
            InspectionFilter::Ok => Some((soon_end.succ_opt(), None)),
        }
    }
}

/// A filter on where systems stand against the security-level rules of seed `002_…` Phụ lục I,
/// mục 7: the dossier approved or not, the protection plan deployed or not. Each is a
/// [`SystemFigure`] counted or not, so a list filtered so holds exactly the systems the figure
/// counts (or leaves out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceFilter {
    DossierApproved,
    DossierPending,
    PlanDeployed,
    PlanPending,
}

impl ComplianceFilter {
    pub const ALL: [ComplianceFilter; 4] = [
        ComplianceFilter::DossierApproved,
        ComplianceFilter::DossierPending,
        ComplianceFilter::PlanDeployed,
        ComplianceFilter::PlanPending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceFilter::DossierApproved => "dossier_approved",
            ComplianceFilter::DossierPending => "dossier_pending",
            ComplianceFilter::PlanDeployed => "plan_deployed",
            ComplianceFilter::PlanPending => "plan_pending",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim()).ok_or_else(|| {
            DomainError::invalid(
                "compliance",
                format!(
                    "không có điều kiện '{}': dossier_approved, dossier_pending, plan_deployed hoặc plan_pending",
                    s.trim()
                ),
            )
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            ComplianceFilter::DossierApproved => "Đã phê duyệt hồ sơ cấp độ",
            ComplianceFilter::DossierPending => "Chưa phê duyệt hồ sơ cấp độ",
            ComplianceFilter::PlanDeployed => "Đã triển khai đầy đủ phương án bảo đảm an toàn",
            ComplianceFilter::PlanPending => "Chưa triển khai đầy đủ phương án bảo đảm an toàn",
        }
    }
    /// The figure and whether the systems listed are those it counts (or those it leaves out).
    pub fn figure(self) -> (SystemFigure, bool) {
        match self {
            ComplianceFilter::DossierApproved => (SystemFigure::DossierApproved, true),
            ComplianceFilter::DossierPending => (SystemFigure::DossierApproved, false),
            ComplianceFilter::PlanDeployed => (SystemFigure::PlanDeployed, true),
            ComplianceFilter::PlanPending => (SystemFigure::PlanDeployed, false),
        }
    }
}

impl InspectionState {
    pub fn filter(self) -> InspectionFilter {
        match self {
            InspectionState::Unscheduled => InspectionFilter::Unscheduled,
            InspectionState::Ok { .. } => InspectionFilter::Ok,
            InspectionState::DueSoon { .. } => InspectionFilter::DueSoon,
            InspectionState::Overdue { .. } => InspectionFilter::Overdue,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

/// The three groups of seed `003_…` Phụ lục I, Phần I, mục III (dòng 30, 34, 54, 80).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    /// a) Các CSDL quốc gia.
    National,
    /// b) CSDL/HTTT chuyên ngành do bộ ngành trung ương triển khai.
    Sectoral,
    /// c) CSDL/HTTT chuyên ngành do tỉnh đầu tư xây dựng, phát triển.
    Local,
}

impl DatabaseKind {
    pub const ALL: [DatabaseKind; 3] = [DatabaseKind::National, DatabaseKind::Sectoral, DatabaseKind::Local];

    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseKind::National => "national",
            DatabaseKind::Sectoral => "sectoral",
            DatabaseKind::Local => "local",
        }
    }
    /// Reads the code or the label ("CSDL quốc gia", "chuyên ngành", "địa phương").
    pub fn parse(s: &str) -> Result<Self> {
        let folded = textvi::fold(s);
        let words = folded.trim_start_matches("co so du lieu").trim_start_matches("csdl").trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == words || textvi::fold(k.short_label()) == words)
            .ok_or_else(|| DomainError::invalid("kind", format!("không có loại cơ sở dữ liệu '{}'", s.trim())))
    }
    pub fn label(self) -> &'static str {
        match self {
            DatabaseKind::National => "Cơ sở dữ liệu quốc gia",
            DatabaseKind::Sectoral => "Cơ sở dữ liệu chuyên ngành (bộ, ngành trung ương triển khai)",
            DatabaseKind::Local => "Cơ sở dữ liệu địa phương (tỉnh đầu tư xây dựng, phát triển)",
        }
    }
    fn short_label(self) -> &'static str {
        match self {
            DatabaseKind::National => "quốc gia",
            DatabaseKind::Sectoral => "chuyên ngành",
            DatabaseKind::Local => "địa phương",
        }
    }
}

/// A registry entry for a database, as the report form of seed `003_…` Phụ lục I, Phần I, mục
/// III asks (dòng 42–48): tên; địa chỉ truy cập; tổng số hồ sơ đã cập nhật tính đến thời điểm
/// báo cáo, trong đó số hồ sơ cập nhật từ một ngày (1/1/2020 in the form); số đơn vị tham gia
/// khai thác theo mục tiêu, trong đó số đơn vị đã tham gia.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Database {
    pub id: i64,
    /// The reporting unit.
    pub org_id: OrgId,
    pub kind: DatabaseKind,
    pub name: String,
    pub url: Option<String>,
    /// Thời điểm báo cáo: the day the counts are as of.
    pub as_of: NaiveDate,
    pub total_records: u64,
    /// The day from which `records_updated_since` counts.
    pub records_since: Option<NaiveDate>,
    pub records_updated_since: Option<u64>,
    /// Số đơn vị tham gia khai thác theo mục tiêu đề ra.
    pub target_units: Option<u32>,
    /// Trong đó số đơn vị đã tham gia khai thác.
    pub participating_units: Option<u32>,
}

impl Database {
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        required("name", &self.name, "chưa nhập tên cơ sở dữ liệu")?;
        max_len("name", &self.name, 300, "tên cơ sở dữ liệu")?;
        check_url(self.url.as_deref())?;
        not_after_today("as_of", Some(self.as_of), today, "thời điểm báo cáo")?;
        match (self.records_since, self.records_updated_since) {
            (Some(since), Some(updated)) => {
                if since > self.as_of {
                    return Err(DomainError::invalid(
                        "records_since",
                        "ngày bắt đầu tính phải trước thời điểm báo cáo",
                    ));
                }
                if updated > self.total_records {
                    return Err(DomainError::invalid(
                        "records_updated_since",
                        format!(
                            "số hồ sơ cập nhật trong kỳ ({}) lớn hơn tổng số hồ sơ ({})",
                            format_number(updated as f64),
                            format_number(self.total_records as f64)
                        ),
                    ));
                }
            }
            (None, None) => {}
            (None, Some(_)) => {
                return Err(DomainError::invalid("records_since", "ghi số hồ sơ cập nhật thì phải ghi từ ngày nào"));
            }
            (Some(_), None) => {
                return Err(DomainError::invalid(
                    "records_updated_since",
                    "chưa nhập số hồ sơ cập nhật từ ngày đã ghi",
                ));
            }
        }
        if let (Some(target), Some(joined)) = (self.target_units, self.participating_units)
            && joined > target
        {
            return Err(DomainError::invalid(
                "participating_units",
                format!("số đơn vị đã tham gia khai thác ({joined}) lớn hơn số đơn vị theo mục tiêu ({target})"),
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------

/// "nhiệm vụ/dự án mới hay chuyển tiếp" (seed `003_…` Phụ lục I, Phần II, mục IX, dòng 306;
/// `002_…` Phụ lục III, Phần II, mục VII, dòng 1225).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    New,
    Continuing,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 2] = [ProjectStatus::New, ProjectStatus::Continuing];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::New => "new",
            ProjectStatus::Continuing => "continuing",
        }
    }
    /// Reads the code or the label ("mới", "chuyển tiếp").
    pub fn parse(s: &str) -> Result<Self> {
        let folded = textvi::fold(s);
        Self::ALL.into_iter().find(|x| x.as_str() == folded || textvi::fold(x.label()) == folded).ok_or_else(|| {
            DomainError::invalid("status", format!("không hiểu '{}': ghi 'mới' hoặc 'chuyển tiếp'", s.trim()))
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::New => "Mới",
            ProjectStatus::Continuing => "Chuyển tiếp",
        }
    }
}

/// The kind of spending, the first "Nguồn vốn" column of the project table (seed `003_…` Phụ
/// lục I, Phần II, mục IX, dòng 313 "Chi thường xuyên", dòng 317 "Chi ĐTPT"; mục V.3, dòng 286).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpenditureKind {
    Recurrent,
    DevelopmentInvestment,
}

impl ExpenditureKind {
    pub const ALL: [ExpenditureKind; 2] = [ExpenditureKind::Recurrent, ExpenditureKind::DevelopmentInvestment];

    pub fn as_str(self) -> &'static str {
        match self {
            ExpenditureKind::Recurrent => "recurrent",
            ExpenditureKind::DevelopmentInvestment => "development_investment",
        }
    }
    /// Reads the code, the label or the seed's abbreviation "Chi ĐTPT".
    pub fn parse(s: &str) -> Result<Self> {
        match textvi::fold(s).as_str() {
            "recurrent" | "chi thuong xuyen" | "thuong xuyen" => Ok(ExpenditureKind::Recurrent),
            "development_investment" | "chi dau tu phat trien" | "dau tu phat trien" | "chi dtpt" | "dtpt" => {
                Ok(ExpenditureKind::DevelopmentInvestment)
            }
            _ => Err(DomainError::invalid(
                "expenditure",
                format!("không hiểu '{}': ghi 'Chi thường xuyên' hoặc 'Chi đầu tư phát triển'", s.trim()),
            )),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ExpenditureKind::Recurrent => "Chi thường xuyên",
            ExpenditureKind::DevelopmentInvestment => "Chi đầu tư phát triển",
        }
    }
}

/// Whose budget pays, the second "Nguồn vốn" column (dòng 313 "NSDP", dòng 317 "NS Tỉnh").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BudgetSource {
    Central,
    Local,
    Other,
}

impl BudgetSource {
    pub const ALL: [BudgetSource; 3] = [BudgetSource::Central, BudgetSource::Local, BudgetSource::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            BudgetSource::Central => "central",
            BudgetSource::Local => "local",
            BudgetSource::Other => "other",
        }
    }
    /// Reads the code, the label or the seed's abbreviations: "NSTW"; "NSĐP", "NSDP",
    /// "NS Tỉnh" (and huyện, xã: all local budgets); "Khác".
    pub fn parse(s: &str) -> Result<Self> {
        let folded = textvi::fold(s).replace("ngan sach", "ns");
        match folded.as_str() {
            "central" | "nstw" | "ns trung uong" => Ok(BudgetSource::Central),
            "local" | "nsdp" | "ns dia phuong" | "ns tinh" | "ns huyen" | "ns xa" => Ok(BudgetSource::Local),
            "other" | "khac" | "nguon khac" => Ok(BudgetSource::Other),
            _ => Err(DomainError::invalid(
                "budget",
                format!("không hiểu nguồn vốn '{}': ghi NSTW, NSĐP hoặc Khác", s.trim()),
            )),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            BudgetSource::Central => "Ngân sách trung ương",
            BudgetSource::Local => "Ngân sách địa phương",
            BudgetSource::Other => "Nguồn khác",
        }
    }
}

/// "Nguồn vốn" of a project: the kind of spending and whose budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct FundingSource {
    pub expenditure: ExpenditureKind,
    pub budget: BudgetSource,
}

impl FundingSource {
    /// "Chi thường xuyên – Ngân sách địa phương".
    pub fn label(self) -> String {
        format!("{} – {}", self.expenditure.label(), self.budget.label())
    }
}

/// An item of an agency's list of tasks and projects (danh mục nhiệm vụ, dự án), with the
/// columns of seed `003_…` Phụ lục I, Phần II, mục IX (dòng 304–318: danh mục, đơn vị chủ trì,
/// mục tiêu đầu tư, thời gian triển khai, tổng mức dự kiến in triệu đồng, nguồn vốn; mới hay
/// chuyển tiếp) and what the evaluation adds (Phần I, mục VII, dòng 170–172: hiệu quả/hiện
/// trạng, security projects listed apart; `002_…` Phụ lục III, Phần I, mục II.11, dòng
/// 1065–1071: tổng vốn/kinh phí đã chi).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Project {
    pub id: i64,
    /// The agency whose list it is.
    pub org_id: OrgId,
    pub name: String,
    /// Đơn vị chủ trì, as the list names it.
    pub lead_unit: String,
    /// Mục tiêu đầu tư.
    pub objective: String,
    pub status: ProjectStatus,
    /// Thời gian triển khai: "2022" or "2022-2023".
    pub years: YearSpan,
    /// Tổng mức dự kiến, triệu đồng.
    pub total_million_vnd: f64,
    /// Tổng vốn/kinh phí đã chi, triệu đồng.
    pub spent_million_vnd: Option<f64>,
    pub funding: FundingSource,
    /// A project dedicated to information security (dự án chuyên biệt về an toàn thông tin).
    pub security: bool,
    /// Hiệu quả/hiện trạng.
    pub result_note: Option<String>,
    pub approved_on: Option<NaiveDate>,
    pub decision: Option<String>,
}

impl Project {
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        required("name", &self.name, "chưa nhập tên nhiệm vụ, dự án")?;
        required("lead_unit", &self.lead_unit, "chưa nhập đơn vị chủ trì")?;
        max_len("name", &self.name, 500, "tên nhiệm vụ, dự án")?;
        max_len("lead_unit", &self.lead_unit, 300, "tên đơn vị chủ trì")?;
        max_len("objective", &self.objective, 4000, "mục tiêu đầu tư")?;
        max_len("result_note", self.result_note.as_deref().unwrap_or(""), 4000, "hiệu quả, hiện trạng")?;
        max_len("decision", self.decision.as_deref().unwrap_or(""), 100, "số quyết định phê duyệt")?;
        if self.years.from > self.years.to {
            return Err(DomainError::invalid(
                "years",
                format!("năm bắt đầu ({}) sau năm kết thúc ({})", self.years.from, self.years.to),
            ));
        }
        money("total_million_vnd", self.total_million_vnd, "tổng mức dự kiến")?;
        if let Some(spent) = self.spent_million_vnd {
            money("spent_million_vnd", spent, "kinh phí đã chi")?;
        }
        not_after_today("approved_on", self.approved_on, today, "ngày phê duyệt")?;
        Ok(())
    }
}

/// An amount in triệu đồng typed the Vietnamese way ("4.000", "1.234,5") or plainly.
pub fn parse_million_vnd(field: &'static str, s: &str) -> Result<f64> {
    let x = parse_number(s).ok_or_else(|| {
        DomainError::invalid(
            field,
            format!("'{}' không phải là số tiền (triệu đồng), ví dụ 4.000 hoặc 1.234,5", s.trim()),
        )
    })?;
    money(field, x, "số tiền")?;
    Ok(x)
}

// ---------------------------------------------------------------------------------------------
// Figures the registry of information systems gives the indicators
// ---------------------------------------------------------------------------------------------

/// The comment stored with every indicator value computed from the registry.
pub const FEED_COMMENT: &str = "Tính tự động từ danh mục hệ thống thông tin";

/// A count over a unit's information systems that an indicator of seed `002_…` Phụ lục I,
/// mục 7 or `003_…` Phần I, mục VI reports. These indicators are never typed or imported: they
/// are recomputed from the registry after every change of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemFigure {
    /// Every system of the unit.
    Systems,
    /// Systems whose security-level dossier is approved.
    DossierApproved,
    /// Systems whose protection plan of the approved dossier is fully deployed.
    PlanDeployed,
    /// Systems inspected and not overdue for their next periodic inspection on the day counted.
    InspectedOnSchedule,
    /// Websites and portals.
    Portals,
    /// Portals holding the network trust label.
    PortalsLabelled,
}

impl SystemFigure {
    pub const ALL: [SystemFigure; 6] = [
        SystemFigure::Systems,
        SystemFigure::DossierApproved,
        SystemFigure::PlanDeployed,
        SystemFigure::InspectedOnSchedule,
        SystemFigure::Portals,
        SystemFigure::PortalsLabelled,
    ];

    /// The shipped indicator it feeds.
    pub fn indicator_code(self) -> &'static str {
        match self {
            SystemFigure::Systems => "SO_HTTT",
            SystemFigure::DossierApproved => "SO_HTTT_PHE_DUYET_CAP_DO",
            SystemFigure::PlanDeployed => "SO_HTTT_TRIEN_KHAI_PHUONG_AN",
            SystemFigure::InspectedOnSchedule => "SO_HTTT_KIEM_TRA_DINH_KY",
            SystemFigure::Portals => "SO_CONG_TTDT",
            SystemFigure::PortalsLabelled => "SO_CONG_TTDT_GAN_NHAN",
        }
    }

    fn counts(self, s: &InformationSystem, today: NaiveDate) -> bool {
        match self {
            SystemFigure::Systems => true,
            SystemFigure::DossierApproved => s.dossier_approved_on.is_some_and(|d| d <= today),
            SystemFigure::PlanDeployed => s.protection_plan_deployed,
            SystemFigure::InspectedOnSchedule => {
                s.last_inspection.is_some_and(|d| d <= today) && s.next_inspection_due().is_some_and(|due| due >= today)
            }
            SystemFigure::Portals => s.portal,
            SystemFigure::PortalsLabelled => s.portal && s.trust_label_on.is_some_and(|d| d <= today),
        }
    }

    /// How many of `systems` count on `today`.
    pub fn count(self, systems: &[InformationSystem], today: NaiveDate) -> u64 {
        systems.iter().filter(|s| self.counts(s, today)).count() as u64
    }

    /// The figure an indicator code stands for, if it is one of the registry's.
    pub fn of_indicator(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.indicator_code() == code)
    }
}

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

fn required(field: &'static str, value: &str, message: &str) -> Result<()> {
    if value.trim().is_empty() { Err(DomainError::invalid(field, message)) } else { Ok(()) }
}

fn max_len(field: &'static str, value: &str, max: usize, what: &str) -> Result<()> {
    if value.chars().count() > max {
        Err(DomainError::invalid(field, format!("{what} dài quá {max} ký tự")))
    } else {
        Ok(())
    }
}

fn money(field: &'static str, x: f64, what: &str) -> Result<()> {
    if !x.is_finite() || x < 0.0 {
        return Err(DomainError::invalid(field, format!("{what} phải là số không âm (triệu đồng)")));
    }
    Ok(())
}

fn not_after_today(field: &'static str, day: Option<NaiveDate>, today: NaiveDate, what: &str) -> Result<()> {
    match day {
        Some(d) if d > today => Err(DomainError::invalid(
            field,
            format!("{what} ({}) sau ngày hôm nay ({})", d.format("%d/%m/%Y"), today.format("%d/%m/%Y")),
        )),
        _ => Ok(()),
    }
}

fn check_url(url: Option<&str>) -> Result<()> {
    match url.map(str::trim) {
        Some(u) if !u.is_empty() => {
            let ok = (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(char::is_whitespace);
            if ok {
                Ok(())
            } else {
                Err(DomainError::invalid("url", "địa chỉ truy cập phải bắt đầu bằng http:// hoặc https://"))
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn level(n: u8) -> SecurityLevel {
        SecurityLevel::new(n).unwrap()
    }
    fn field(e: DomainError) -> (&'static str, String) {
        match e {
            DomainError::Invalid { field, message } => (field, message),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn security_levels() {
        for s in ["3", " cấp độ 3", "Cấp độ 3", "cap do 3", "CẤP ĐỘ 3"] {
            assert_eq!(SecurityLevel::parse(s).unwrap(), level(3), "{s}");
        }
        for bad in ["0", "6", "ba", "", "cấp độ"] {
            assert_eq!(field(SecurityLevel::parse(bad).unwrap_err()).0, "security_level", "{bad}");
        }
        assert_eq!(level(5).label(), "Cấp độ 5");
        assert_eq!(serde_json::to_string(&level(4)).unwrap(), "4");
        assert!(serde_json::from_str::<SecurityLevel>("7").is_err());
        assert!(!level(2).drill_priority() && level(3).drill_priority() && level(5).drill_priority());
    }

    #[test]
    fn inspection_due_for_every_level() {
        let last = Some(d(2024, 3, 15));
        for (n, due) in
            [(1, d(2026, 3, 15)), (2, d(2026, 3, 15)), (3, d(2025, 3, 15)), (4, d(2025, 3, 15)), (5, d(2024, 9, 15))]
        {
            assert_eq!(next_inspection_due(level(n), last, None), Some(due), "cấp độ {n}");
        }
        assert!(INSPECTION_CITE.contains("002_5e25b3b17a73c715.txt") && INSPECTION_CITE.contains("348"));
    }

    #[test]
    fn month_arithmetic_clamps() {
        assert_eq!(next_inspection_due(level(5), Some(d(2023, 8, 31)), None), Some(d(2024, 2, 29)));
        assert_eq!(next_inspection_due(level(5), Some(d(2024, 8, 31)), None), Some(d(2025, 2, 28)));
        assert_eq!(next_inspection_due(level(3), Some(d(2024, 2, 29)), None), Some(d(2025, 2, 28)));
        assert_eq!(next_inspection_due(level(1), Some(d(2024, 2, 29)), None), Some(d(2026, 2, 28)));
        assert_eq!(next_inspection_due(level(5), Some(d(2024, 3, 31)), None), Some(d(2024, 9, 30)));
    }

    #[test]
    fn inspection_counts_from_the_later_of_inspection_and_approval() {
        // Never inspected: the cycle starts at the dossier's approval.
        assert_eq!(next_inspection_due(level(3), None, Some(d(2024, 6, 20))), Some(d(2025, 6, 20)));
        // Inspected after approval: from the inspection.
        assert_eq!(next_inspection_due(level(3), Some(d(2024, 10, 1)), Some(d(2024, 6, 20))), Some(d(2025, 10, 1)));
        // A dossier approved again after the last inspection restarts the cycle.
        assert_eq!(next_inspection_due(level(5), Some(d(2023, 1, 10)), Some(d(2024, 6, 20))), Some(d(2024, 12, 20)));
        assert_eq!(next_inspection_due(level(3), None, None), None);
    }

    #[test]
    fn inspection_states() {
        let due = Some(d(2025, 3, 15));
        assert_eq!(InspectionState::of(due, d(2025, 1, 1), 30), InspectionState::Ok { due: d(2025, 3, 15) });
        assert_eq!(
            InspectionState::of(due, d(2025, 2, 13), 30),
            InspectionState::DueSoon { due: d(2025, 3, 15), days_left: 30 }
        );
        assert_eq!(InspectionState::of(due, d(2025, 2, 12), 30).as_str(), "ok");
        assert_eq!(InspectionState::of(due, d(2025, 2, 12), 60).as_str(), "due_soon");
        assert_eq!(
            InspectionState::of(due, d(2025, 3, 15), 0),
            InspectionState::DueSoon { due: d(2025, 3, 15), days_left: 0 }
        );
        assert_eq!(
            InspectionState::of(due, d(2025, 3, 17), 30),
            InspectionState::Overdue { due: d(2025, 3, 15), days_overdue: 2 }
        );
        assert_eq!(InspectionState::of(None, d(2025, 3, 17), 30), InspectionState::Unscheduled);
        assert_eq!(InspectionState::of(due, d(2025, 3, 17), 30).label(), "Quá hạn kiểm tra");
        let json = serde_json::to_value(InspectionState::of(due, d(2025, 3, 17), 30)).unwrap();
        assert_eq!(json, serde_json::json!({"state": "overdue", "due": "2025-03-15", "days_overdue": 2}));
    }

    #[test]
    fn drills_once_every_calendar_year() {
        assert_eq!(next_drill_due(Some(d(2024, 5, 10)), d(2024, 11, 1)), d(2025, 12, 31));
        assert_eq!(next_drill_due(Some(d(2023, 12, 30)), d(2024, 11, 1)), d(2024, 12, 31));
        assert_eq!(next_drill_due(None, d(2024, 11, 1)), d(2024, 12, 31));
        assert!(DRILL_CITE.contains("352"));
    }

    fn system() -> InformationSystem {
        InformationSystem {
            id: 1,
            org_id: 51,
            name: "Cổng dịch vụ công tỉnh".into(),
            url: Some("https://dichvucong.quangngai.gov.vn".into()),
            security_level: Some(level(3)),
            dossier_approved_on: Some(d(2024, 6, 20)),
            dossier_decision: Some("123/QĐ-UBND".into()),
            meets_minimum_requirements: Some(true),
            protection_plan_deployed: true,
            four_layer: FourLayer::default(),
            last_inspection: Some(d(2024, 10, 1)),
            last_drill: None,
            portal: true,
            trust_label_on: Some(d(2024, 12, 1)),
        }
    }

    #[test]
    fn four_layer_model_status_and_summary() {
        use LayerState::*;
        let mut m = FourLayer::default();
        assert_eq!(m.status(), FourLayerStatus::NotStarted);
        assert_eq!(m.summary(), "Chưa triển khai lớp nào");
        m.layers = [Done, Done, InProgress, NotStarted];
        m.provider = Some("VNPT".into());
        assert_eq!(m.status(), FourLayerStatus::InProgress);
        assert_eq!(m.summary(), "Lớp 1, 2 đã triển khai; lớp 3 đang triển khai (đơn vị cung cấp dịch vụ: VNPT)");
        m.layers = [Done; 4];
        assert_eq!(m.status(), FourLayerStatus::Completed);
        assert_eq!(LayerState::parse("layer_1", "Đang triển khai").unwrap(), InProgress);
        assert_eq!(LayerState::parse("layer_1", "").unwrap(), NotStarted);
        assert_eq!(field(LayerState::parse("layer_2", "xong").unwrap_err()).0, "layer_2");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["layers"], serde_json::json!(["done", "done", "done", "done"]));
        assert!(serde_json::from_value::<FourLayer>(serde_json::json!({"layers": ["done"]})).is_err());
    }

    #[test]
    fn the_registry_counts_what_the_indicators_report() {
        let today = d(2025, 6, 1);
        let never = InformationSystem {
            dossier_approved_on: None,
            security_level: None,
            protection_plan_deployed: false,
            last_inspection: None,
            portal: false,
            trust_label_on: None,
            ..system()
        };
        // Level 3 inspected 01/10/2024: due 01/10/2025, on schedule on 01/06/2025.
        let overdue = InformationSystem {
            last_inspection: Some(d(2023, 1, 1)),
            dossier_approved_on: Some(d(2023, 1, 1)),
            ..system()
        };
        let unlabelled = InformationSystem { trust_label_on: None, protection_plan_deployed: false, ..system() };
        let all = [system(), never, overdue, unlabelled];
        let counts: Vec<(&str, u64)> =
            SystemFigure::ALL.iter().map(|f| (f.indicator_code(), f.count(&all, today))).collect();
        assert_eq!(
            counts,
            [
                ("SO_HTTT", 4),
                ("SO_HTTT_PHE_DUYET_CAP_DO", 3),
                ("SO_HTTT_TRIEN_KHAI_PHUONG_AN", 2),
                ("SO_HTTT_KIEM_TRA_DINH_KY", 2),
                ("SO_CONG_TTDT", 3),
                ("SO_CONG_TTDT_GAN_NHAN", 2),
            ]
        );
        assert_eq!(SystemFigure::of_indicator("SO_HTTT"), Some(SystemFigure::Systems));
        assert_eq!(SystemFigure::of_indicator("TY_LE_HTTT_PHE_DUYET_CAP_DO"), None);
        let shipped: Vec<String> =
            crate::indicators::shipped_indicators().unwrap().iter().map(|i| i.code.to_string()).collect();
        for f in SystemFigure::ALL {
            assert!(shipped.iter().any(|c| c == f.indicator_code()), "{} is shipped", f.indicator_code());
        }
    }

    #[test]
    fn inspection_filters_are_ranges_of_due_dates() {
        let today = d(2025, 3, 1);
        assert_eq!(InspectionFilter::Overdue.due_range(today, 30), Some((None, Some(d(2025, 2, 28)))));
        assert_eq!(InspectionFilter::DueSoon.due_range(today, 30), Some((Some(today), Some(d(2025, 3, 31)))));
        assert_eq!(InspectionFilter::Ok.due_range(today, 30), Some((Some(d(2025, 4, 1)), None)));
        assert_eq!(InspectionFilter::Unscheduled.due_range(today, 30), None);
        // The ranges agree with the state of a single due date.
        for offset in [-40i64, -1, 0, 1, 29, 30, 31, 400] {
            let due = today + chrono::Duration::days(offset);
            let state = InspectionState::of(Some(due), today, 30).filter();
            let (from, to) = state.due_range(today, 30).unwrap();
            assert!(from.is_none_or(|f| f <= due) && to.is_none_or(|t| due <= t), "{offset}: {state:?}");
        }
        assert_eq!(InspectionFilter::parse("due_soon").unwrap(), InspectionFilter::DueSoon);
        assert_eq!(field(InspectionFilter::parse("late").unwrap_err()).0, "state");
        assert_eq!(InspectionFilter::Overdue.label(), "Quá hạn kiểm tra");
    }

    #[test]
    fn compliance_filters_are_figures_counted_or_not() {
        for c in ComplianceFilter::ALL {
            assert_eq!(ComplianceFilter::parse(c.as_str()).unwrap(), c);
        }
        assert_eq!(ComplianceFilter::DossierPending.figure(), (SystemFigure::DossierApproved, false));
        assert_eq!(ComplianceFilter::PlanDeployed.figure(), (SystemFigure::PlanDeployed, true));
        assert_eq!(field(ComplianceFilter::parse("approved").unwrap_err()).0, "compliance");
        assert_eq!(ComplianceFilter::DossierPending.label(), "Chưa phê duyệt hồ sơ cấp độ");
    }

    #[test]
    fn information_systems_are_validated() {
        let today = d(2025, 1, 1);
        assert!(system().validate(today).is_ok());
        assert_eq!(system().next_inspection_due(), Some(d(2025, 10, 1)));
        assert_eq!(system().inspection_state(d(2025, 9, 15), DEFAULT_SOON_DAYS).as_str(), "due_soon");
        let cases = [
            (InformationSystem { name: " ".into(), ..system() }, "name"),
            (InformationSystem { url: Some("dichvucong.gov.vn".into()), ..system() }, "url"),
            (InformationSystem { dossier_approved_on: Some(d(2025, 1, 2)), ..system() }, "dossier_approved_on"),
            (InformationSystem { last_inspection: Some(d(2025, 2, 1)), ..system() }, "last_inspection"),
            (InformationSystem { last_drill: Some(d(2025, 2, 1)), ..system() }, "last_drill"),
            (InformationSystem { security_level: None, ..system() }, "security_level"),
            (InformationSystem { portal: false, ..system() }, "trust_label_on"),
            (InformationSystem { trust_label_on: Some(d(2025, 1, 2)), ..system() }, "trust_label_on"),
            (
                InformationSystem {
                    four_layer: FourLayer { provider: Some("x".repeat(201)), ..FourLayer::default() },
                    ..system()
                },
                "four_layer",
            ),
            (InformationSystem { name: "x".repeat(301), ..system() }, "name"),
            (
                InformationSystem { dossier_approved_on: None, last_inspection: None, ..system() },
                "protection_plan_deployed",
            ),
        ];
        for (sys, expected) in cases {
            assert_eq!(field(sys.validate(today).unwrap_err()).0, expected);
        }
        let (_, msg) = field(
            InformationSystem { dossier_approved_on: Some(d(2025, 1, 2)), ..system() }.validate(today).unwrap_err(),
        );
        assert!(msg.contains("02/01/2025") && msg.contains("01/01/2025"), "{msg}");
        let undetermined = InformationSystem {
            security_level: None,
            dossier_approved_on: None,
            protection_plan_deployed: false,
            ..system()
        };
        assert_eq!(undetermined.inspection_state(today, 30), InspectionState::Unscheduled);
    }

    fn database() -> Database {
        Database {
            id: 1,
            org_id: 51,
            kind: DatabaseKind::Local,
            name: "CSDL về giá trên địa bàn tỉnh".into(),
            url: None,
            as_of: d(2024, 11, 30),
            total_records: 12_000,
            records_since: Some(d(2020, 1, 1)),
            records_updated_since: Some(4_000),
            target_units: Some(20),
            participating_units: Some(12),
        }
    }

    #[test]
    fn databases_are_validated() {
        let today = d(2024, 12, 1);
        assert!(database().validate(today).is_ok());
        let cases = [
            (Database { name: String::new(), ..database() }, "name"),
            (Database { as_of: d(2024, 12, 2), ..database() }, "as_of"),
            (Database { records_updated_since: Some(12_001), ..database() }, "records_updated_since"),
            (Database { records_since: None, ..database() }, "records_since"),
            (Database { records_updated_since: None, ..database() }, "records_updated_since"),
            (Database { records_since: Some(d(2024, 12, 1)), ..database() }, "records_since"),
            (Database { participating_units: Some(21), ..database() }, "participating_units"),
            (Database { url: Some("ftp://x".into()), ..database() }, "url"),
        ];
        for (db, expected) in cases {
            assert_eq!(field(db.validate(today).unwrap_err()).0, expected);
        }
        let (_, msg) =
            field(Database { records_updated_since: Some(12_001), ..database() }.validate(today).unwrap_err());
        assert!(msg.contains("12.001") && msg.contains("12.000"), "{msg}");
    }

    #[test]
    fn database_kinds() {
        for k in DatabaseKind::ALL {
            assert_eq!(DatabaseKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(DatabaseKind::parse("CSDL quốc gia").unwrap(), DatabaseKind::National);
        assert_eq!(DatabaseKind::parse("Cơ sở dữ liệu chuyên ngành").unwrap(), DatabaseKind::Sectoral);
        assert_eq!(DatabaseKind::parse("địa phương").unwrap(), DatabaseKind::Local);
        assert_eq!(field(DatabaseKind::parse("CSDL mở").unwrap_err()).0, "kind");
    }

    #[test]
    fn funding_and_status_read_the_seed_wording() {
        // The two example rows of seed 003, Phần II, mục IX (dòng 313, 317).
        assert_eq!(ExpenditureKind::parse("Chi thường xuyên").unwrap(), ExpenditureKind::Recurrent);
        assert_eq!(ExpenditureKind::parse("Chi ĐTPT").unwrap(), ExpenditureKind::DevelopmentInvestment);
        assert_eq!(ExpenditureKind::parse("chi đầu tư phát triển").unwrap(), ExpenditureKind::DevelopmentInvestment);
        assert_eq!(BudgetSource::parse("NSDP").unwrap(), BudgetSource::Local);
        assert_eq!(BudgetSource::parse("NS Tỉnh").unwrap(), BudgetSource::Local);
        assert_eq!(BudgetSource::parse("NSĐP").unwrap(), BudgetSource::Local);
        assert_eq!(BudgetSource::parse("Ngân sách trung ương").unwrap(), BudgetSource::Central);
        assert_eq!(BudgetSource::parse("NSTW").unwrap(), BudgetSource::Central);
        assert_eq!(BudgetSource::parse("Khác").unwrap(), BudgetSource::Other);
        assert_eq!(field(BudgetSource::parse("ODA?").unwrap_err()).0, "budget");
        assert_eq!(field(ExpenditureKind::parse("vay").unwrap_err()).0, "expenditure");
        for k in ExpenditureKind::ALL {
            assert_eq!(ExpenditureKind::parse(k.as_str()).unwrap(), k);
            assert_eq!(ExpenditureKind::parse(k.label()).unwrap(), k);
        }
        for b in BudgetSource::ALL {
            assert_eq!(BudgetSource::parse(b.as_str()).unwrap(), b);
            assert_eq!(BudgetSource::parse(b.label()).unwrap(), b);
        }
        let f = FundingSource { expenditure: ExpenditureKind::Recurrent, budget: BudgetSource::Local };
        assert_eq!(f.label(), "Chi thường xuyên – Ngân sách địa phương");
        assert_eq!(ProjectStatus::parse("chuyển tiếp").unwrap(), ProjectStatus::Continuing);
        assert_eq!(ProjectStatus::parse("Mới").unwrap(), ProjectStatus::New);
        assert_eq!(ProjectStatus::parse("new").unwrap(), ProjectStatus::New);
        assert_eq!(field(ProjectStatus::parse("tạm dừng").unwrap_err()).0, "status");
    }

    fn project() -> Project {
        // Row 2 of the example table (seed 003, dòng 317).
        Project {
            id: 2,
            org_id: 7,
            name: "Xây dựng hệ thống Hội nghị truyền hình huyện".into(),
            lead_unit: "Văn phòng huyện".into(),
            objective: "Phục vụ họp, hội nghị, tập huấn qua mạng".into(),
            status: ProjectStatus::New,
            years: YearSpan::parse("2022-2023").unwrap(),
            total_million_vnd: parse_million_vnd("total_million_vnd", "4.000").unwrap(),
            spent_million_vnd: None,
            funding: FundingSource { expenditure: ExpenditureKind::DevelopmentInvestment, budget: BudgetSource::Local },
            security: false,
            result_note: None,
            approved_on: Some(d(2021, 12, 20)),
            decision: None,
        }
    }

    #[test]
    fn projects_are_validated() {
        let today = d(2022, 1, 10);
        assert_eq!(project().total_million_vnd, 4000.0);
        assert!(project().validate(today).is_ok());
        let cases = [
            (Project { name: " ".into(), ..project() }, "name"),
            (Project { lead_unit: String::new(), ..project() }, "lead_unit"),
            (Project { years: YearSpan { from: 2024, to: 2023 }, ..project() }, "years"),
            (Project { total_million_vnd: -1.0, ..project() }, "total_million_vnd"),
            (Project { total_million_vnd: f64::NAN, ..project() }, "total_million_vnd"),
            (Project { spent_million_vnd: Some(-5.0), ..project() }, "spent_million_vnd"),
            (Project { approved_on: Some(d(2022, 1, 11)), ..project() }, "approved_on"),
        ];
        for (p, expected) in cases {
            assert_eq!(field(p.validate(today).unwrap_err()).0, expected);
        }
        assert!(Project { total_million_vnd: 0.0, ..project() }.validate(today).is_ok());
        assert_eq!(parse_million_vnd("total_million_vnd", "1.234,5").unwrap(), 1234.5);
        let (f, msg) = field(parse_million_vnd("total_million_vnd", "bốn tỷ").unwrap_err());
        assert_eq!(f, "total_million_vnd");
        assert!(msg.contains("'bốn tỷ'"), "{msg}");
        assert_eq!(field(parse_million_vnd("total_million_vnd", "-5").unwrap_err()).0, "total_million_vnd");
    }

    #[test]
    fn registries_serialise() {
        let json = serde_json::to_value(project()).unwrap();
        assert_eq!(json["funding"], serde_json::json!({"expenditure": "development_investment", "budget": "local"}));
        assert_eq!(json["status"], "new");
        let back: Project = serde_json::from_value(json).unwrap();
        assert_eq!(back, project());
        let json = serde_json::to_value(system()).unwrap();
        assert_eq!(json["security_level"], 3);
        assert_eq!(serde_json::from_value::<InformationSystem>(json).unwrap(), system());
    }
}
