//! Citizen feedback (phản ánh, kiến nghị; seed `000_…` III.2.c, III.3.a–b): what a citizen
//! sends, the categories it is sorted into (Open311 service codes), where it is routed, its
//! states from "mới" to "đóng", and the text rules around it (privacy masking, abuse, likely
//! duplicates). Pure rules: no storage, no clock (times are always passed in).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::org::OrgId;
use crate::{DomainError, Result};

/// Longest description a citizen may send (Open311 bad-input rule of the issue).
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
/// Longest title (made from the description's start when none is given).
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest address, name or reply.
pub const ADDRESS_MAX_CHARS: usize = 500;
pub const REPLY_MAX_CHARS: usize = 8000;
/// Photos: at most this many per item, each at most this size, JPEG or PNG only.
pub const PHOTOS_MAX: usize = 3;
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------

/// Where an item stands. The only way to change it is [`Status::after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Mới: sent, waiting for the handling unit (or for triage).
    New,
    /// Đã tiếp nhận.
    Received,
    /// Đang xử lý.
    InProgress,
    /// Đã trả lời: the answer is published; the citizen may reopen within the window.
    Answered,
    /// Đã chuyển đơn vị khác: waiting for the new unit to receive it.
    Transferred,
    /// Từ chối (with a public reason).
    Rejected,
    /// Đã đóng.
    Closed,
    /// Đã gộp: a duplicate that follows the item it was merged into.
    Merged,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::New,
        Status::Received,
        Status::InProgress,
        Status::Answered,
        Status::Transferred,
        Status::Rejected,
        Status::Closed,
        Status::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::Answered => "answered",
            Status::Transferred => "transferred",
            Status::Rejected => "rejected",
            Status::Closed => "closed",
            Status::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("status", format!("không có trạng thái '{}'", s.trim())))
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::New => "Mới",
            Status::Received => "Đã tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::Answered => "Đã trả lời",
            Status::Transferred => "Đã chuyển đơn vị khác",
            Status::Rejected => "Từ chối",
            Status::Closed => "Đã đóng",
            Status::Merged => "Đã gộp",
        }
    }

    /// Still waiting for an answer from the handling unit (counts against its SLA).
    pub fn is_pending(self) -> bool {
        matches!(self, Status::New | Status::Received | Status::InProgress | Status::Transferred)
    }

    /// Open311's two states: `open` while pending, `closed` once answered, rejected, closed or merged.
    pub fn open311(self) -> &'static str {
        if self.is_pending() { "open" } else { "closed" }
    }

    /// The state after `step`, or the reason it is not allowed now.
    pub fn after(self, step: Step) -> Result<Status> {
        use Status::*;
        let next = match (step, self) {
            (Step::Receive, New | Transferred) => Received,
            (Step::Start, Received) => InProgress,
            (Step::Reply, Received | InProgress | Answered) => Answered,
            (Step::Transfer, New | Received | InProgress | Transferred) => Transferred,
            (Step::Reject, New | Received | InProgress | Transferred) => Rejected,
            (Step::Close, Answered | Rejected) => Closed,
            (Step::Reopen, Answered | Rejected | Closed) => InProgress,
            (Step::Merge, New | Received | InProgress | Transferred) => Merged,
            _ => return Err(DomainError::Transition { state: self.label(), action: step.label() }),
        };
        Ok(next)
    }
}

/// Where an item stands against its SLA on a day: the one rule that analytics count by, the
/// officers' list filters by (storage's condition for `FeedbackQuery::sla` mirrors it) and the
/// "quá hạn" mark comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// Answered (or rejected with a reason) on or before its due day, in Vietnam time.
    OnTime,
    /// Answered (or rejected) after its due day.
    Late,
    /// Still waiting for an answer and past its due day.
    Overdue,
    /// Still waiting for an answer, not yet due.
    Pending,
}

impl SlaState {
    pub const ALL: [SlaState; 4] = [SlaState::OnTime, SlaState::Late, SlaState::Overdue, SlaState::Pending];

    /// The state of an item on `today`; `None` for an item merged into another (it follows that
    /// one and has no answer of its own).
    pub fn of(status: Status, due_on: NaiveDate, resolved_at: Option<DateTime<Utc>>, today: NaiveDate) -> Option<Self> {
        if status.is_pending() {
            return Some(if today > due_on { SlaState::Overdue } else { SlaState::Pending });
        }
        let answered = crate::clock::vietnam_date(resolved_at?);
        Some(if answered <= due_on { SlaState::OnTime } else { SlaState::Late })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTime => "on_time",
            SlaState::Late => "late",
            SlaState::Overdue => "overdue",
            SlaState::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s.trim()).ok_or_else(|| {
            DomainError::invalid("sla", format!("'{}' không phải on_time, late, overdue hoặc pending", s.trim()))
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            SlaState::OnTime => "Trả lời đúng hạn",
            SlaState::Late => "Trả lời quá hạn",
            SlaState::Overdue => "Chưa trả lời, quá hạn",
            SlaState::Pending => "Chưa trả lời, còn hạn",
        }
    }
}

/// A workflow step on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Receive,
    Start,
    Reply,
    Transfer,
    Reject,
    Close,
    Reopen,
    Merge,
}

impl Step {
    pub const ALL: [Step; 8] =
        [Step::Receive, Step::Start, Step::Reply, Step::Transfer, Step::Reject, Step::Close, Step::Reopen, Step::Merge];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Receive => "receive",
            Step::Start => "start",
            Step::Reply => "reply",
            Step::Transfer => "transfer",
            Step::Reject => "reject",
            Step::Close => "close",
            Step::Reopen => "reopen",
            Step::Merge => "merge",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| DomainError::invalid("step", format!("không có bước '{}'", s.trim())))
    }

    /// The verb, as in "Không thể {label} khi đang ở trạng thái …".
    pub fn label(self) -> &'static str {
        match self {
            Step::Receive => "tiếp nhận",
            Step::Start => "bắt đầu xử lý",
            Step::Reply => "trả lời",
            Step::Transfer => "chuyển đơn vị khác",
            Step::Reject => "từ chối",
            Step::Close => "đóng",
            Step::Reopen => "mở lại",
            Step::Merge => "gộp",
        }
    }
}

/// What happened to an item, one line of its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Submitted,
    /// The category was confirmed or changed by an officer (the item becomes a training example).
    Categorized,
    Received,
    Started,
    Replied,
    Transferred,
    Rejected,
    Closed,
    Reopened,
    /// This item was merged into another.
    Merged,
    /// Another item was merged into this one.
    Absorbed,
    /// The public text was edited or the item hidden/shown by a moderator.
    Moderated,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        EventKind::Submitted,
        EventKind::Categorized,
        EventKind::Received,
        EventKind::Started,
        EventKind::Replied,
        EventKind::Transferred,
        EventKind::Rejected,
        EventKind::Closed,
        EventKind::Reopened,
        EventKind::Merged,
        EventKind::Absorbed,
        EventKind::Moderated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Categorized => "categorized",
            EventKind::Received => "received",
            EventKind::Started => "started",
            EventKind::Replied => "replied",
            EventKind::Transferred => "transferred",
            EventKind::Rejected => "rejected",
            EventKind::Closed => "closed",
            EventKind::Reopened => "reopened",
            EventKind::Merged => "merged",
            EventKind::Absorbed => "absorbed",
            EventKind::Moderated => "moderated",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| DomainError::Storage(format!("unknown feedback event '{s}'")))
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Submitted => "Đã gửi phản ánh",
            EventKind::Categorized => "Xác định lĩnh vực",
            EventKind::Received => "Đã tiếp nhận",
            EventKind::Started => "Bắt đầu xử lý",
            EventKind::Replied => "Trả lời",
            EventKind::Transferred => "Chuyển đơn vị khác",
            EventKind::Rejected => "Từ chối",
            EventKind::Closed => "Đóng phản ánh",
            EventKind::Reopened => "Mở lại (chưa được giải quyết)",
            EventKind::Merged => "Gộp vào phản ánh khác",
            EventKind::Absorbed => "Gộp phản ánh trùng",
            EventKind::Moderated => "Biên tập nội dung công khai",
        }
    }

    /// The step's event; every step leaves one line in the history.
    pub fn of(step: Step) -> Self {
        match step {
            Step::Receive => EventKind::Received,
            Step::Start => EventKind::Started,
            Step::Reply => EventKind::Replied,
            Step::Transfer => EventKind::Transferred,
            Step::Reject => EventKind::Rejected,
            Step::Close => EventKind::Closed,
            Step::Reopen => EventKind::Reopened,
            Step::Merge => EventKind::Merged,
        }
    }
}

/// How an item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The public form.
    Web,
    /// `POST /api/v1/feedback`.
    Api,
    /// `POST /open311/v2/requests`.
    Open311,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::Api => "api",
            Source::Open311 => "open311",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "web" => Ok(Source::Web),
            "api" => Ok(Source::Api),
            "open311" => Ok(Source::Open311),
            _ => Err(DomainError::Storage(format!("unknown feedback source '{s}'"))),
        }
    }
}

/// Who decided an item's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CategorySource {
    /// The classifier, with enough confidence.
    Model,
    /// The citizen chose it (form or Open311 `service_code`).
    Citizen,
    /// An officer confirmed or changed it: a training example.
    Officer,
    /// Not decided yet: the item waits in the triage queue.
    None,
}

impl CategorySource {
    pub fn as_str(self) -> &'static str {
        match self {
            CategorySource::Model => "model",
            CategorySource::Citizen => "citizen",
            CategorySource::Officer => "officer",
            CategorySource::None => "none",
        }
    }
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "model" => Ok(CategorySource::Model),
            "citizen" => Ok(CategorySource::Citizen),
            "officer" => Ok(CategorySource::Officer),
            "none" => Ok(CategorySource::None),
            _ => Err(DomainError::Storage(format!("unknown category source '{s}'"))),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Categories and routing
// ---------------------------------------------------------------------------------------------

/// A category of feedback: an Open311 service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Category {
    pub id: i64,
    /// The Open311 `service_code` (lower-case ASCII, digits, `_` or `-`).
    pub code: String,
    pub name: String,
    pub description: String,
    /// Words that typically mark it (they help the classifier before any example exists).
    pub keywords: Vec<String>,
    /// Working days the handling unit has to answer.
    pub sla_days: u32,
    pub active: bool,
    pub sort: i32,
}

/// A category as written (new or edited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub sla_days: u32,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub sort: i32,
}

fn yes() -> bool {
    true
}

impl CategoryInput {
    pub fn validate(mut self) -> Result<Self> {
        self.code = self.code.trim().to_ascii_lowercase();
        if self.code.is_empty()
            || self.code.len() > 40
            || !self.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(DomainError::invalid(
                "code",
                "mã lĩnh vực gồm chữ thường không dấu, số, '_' hoặc '-' (tối đa 40 ký tự)",
            ));
        }
        self.name = textvi::nfc(self.name.trim());
        if self.name.is_empty() || self.name.chars().count() > 120 {
            return Err(DomainError::invalid("name", "tên lĩnh vực không được để trống (tối đa 120 ký tự)"));
        }
        self.description = textvi::nfc(self.description.trim());
        if self.description.chars().count() > 2000 {
            return Err(DomainError::invalid("description", "mô tả tối đa 2.000 ký tự"));
        }
        self.keywords = self
            .keywords
            .iter()
            .map(|k| textvi::nfc(k.trim()))
            .filter(|k| !k.is_empty())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !(1..=60).contains(&self.sla_days) {
            return Err(DomainError::invalid("sla_days", "thời hạn xử lý từ 1 đến 60 ngày làm việc"));
        }
        Ok(self)
    }
}

/// A routing rule: items of `category` (any when `None`) in the area under `area` go to `handler`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Route {
    pub id: i64,
    pub category_id: Option<i64>,
    pub area_org_id: OrgId,
    /// The area unit's path, for matching items in its subtree.
    pub area_path: String,
    pub handler_org_id: OrgId,
}

/// The rule that routes an item of `category` in the area at `area_path`: rules naming the
/// category beat rules for any category; among those, the one for the smallest area containing
/// the item wins. `None` when no rule applies (the area's own unit then handles it).
pub fn pick_route<'a>(routes: &'a [Route], category: Option<i64>, area_path: &str) -> Option<&'a Route> {
    routes
        .iter()
        .filter(|r| area_path.starts_with(r.area_path.as_str()))
        .filter(|r| r.category_id.is_none() || r.category_id == category)
        .max_by_key(|r| (r.category_id.is_some(), r.area_path.len(), r.id))
}

/// An extra question a category asks (an Open311 service attribute).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attribute {
    pub code: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// (key, Vietnamese name) of each allowed answer.
    pub values: &'static [(&'static str, &'static str)],
}

/// The questions every category asks: how far the problem reaches, which helps the handling
/// unit order its work.
pub const ATTRIBUTES: &[Attribute] = &[Attribute {
    code: "pham_vi",
    description: "Phạm vi ảnh hưởng",
    required: false,
    values: &[
        ("ca_nhan", "Một người, một gia đình"),
        ("cong_dong", "Cả thôn, tổ dân phố"),
        ("dien_rong", "Nhiều thôn, xã trở lên"),
    ],
}];

/// Checks the answers given to [`ATTRIBUTES`] (`attribute[code]=key`).
pub fn parse_attributes(given: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (code, value) in given {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let attr = ATTRIBUTES
            .iter()
            .find(|a| a.code == code)
            .ok_or_else(|| DomainError::invalid("attribute", format!("không có câu hỏi mã '{code}'")))?;
        if !attr.values.iter().any(|(k, _)| *k == value) {
            let keys: Vec<&str> = attr.values.iter().map(|(k, _)| *k).collect();
            return Err(DomainError::invalid(
                "attribute",
                format!("'{value}' không phải câu trả lời của '{code}'; cần một trong: {}", keys.join(", ")),
            ));
        }
        out.insert(code.clone(), value.to_string());
    }
    for attr in ATTRIBUTES.iter().filter(|a| a.required) {
        if !out.contains_key(attr.code) {
            return Err(DomainError::invalid("attribute", format!("thiếu câu trả lời '{}'", attr.description)));
        }
    }
    Ok(out)
}

/// The twelve categories a local government starts with (Open311 service codes).
pub fn default_categories() -> Vec<CategoryInput> {
    let c = |code: &str, name: &str, description: &str, keywords: &[&str], sla_days: u32, sort: i32| CategoryInput {
        code: code.into(),
        name: name.into(),
        description: description.into(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        sla_days,
        active: true,
        sort,
    };
    vec![
        c(
            "dat-dai",
            "Đất đai",
            "Tranh chấp, lấn chiếm đất đai; cấp giấy chứng nhận quyền sử dụng đất (sổ đỏ); thu hồi đất, \
             bồi thường, giải phóng mặt bằng, tái định cư; quy hoạch sử dụng đất; chuyển mục đích sử dụng đất.",
            &[
                "đất",
                "sổ đỏ",
                "lấn chiếm",
                "tranh chấp đất",
                "thu hồi đất",
                "bồi thường",
                "giải phóng mặt bằng",
                "thửa đất",
                "quy hoạch",
            ],
            15,
            1,
        ),
        c(
            "xay-dung",
            "Xây dựng",
            "Xây dựng nhà ở, công trình trái phép, sai giấy phép; cấp phép xây dựng; công trình xuống cấp, \
             nứt, sụt lún; trật tự xây dựng đô thị; vật liệu xây dựng lấn chiếm vỉa hè.",
            &[
                "xây dựng",
                "giấy phép xây dựng",
                "xây trái phép",
                "công trình",
                "nhà ở",
                "sụt lún",
                "nứt tường",
                "cơi nới",
            ],
            15,
            2,
        ),
        c(
            "moi-truong",
            "Môi trường",
            "Ô nhiễm môi trường: rác thải, nước thải, khói bụi, mùi hôi, tiếng ồn; xả thải của cơ sở sản xuất; \
             thu gom rác; vệ sinh môi trường; cây xanh; kênh mương ô nhiễm.",
            &[
                "rác",
                "rác thải",
                "ô nhiễm",
                "nước thải",
                "mùi hôi",
                "khói bụi",
                "tiếng ồn",
                "xả thải",
                "thu gom rác",
                "vệ sinh",
            ],
            10,
            3,
        ),
        c(
            "giao-thong",
            "Giao thông",
            "Đường sá hư hỏng, ổ gà, sụt lún mặt đường; đèn tín hiệu, biển báo; ùn tắc giao thông; \
             lấn chiếm lòng đường, vỉa hè; cầu cống; an toàn giao thông; xe quá tải.",
            &["đường", "ổ gà", "ổ voi", "giao thông", "đèn tín hiệu", "biển báo", "ùn tắc", "vỉa hè", "cầu", "xe"],
            10,
            4,
        ),
        c(
            "y-te",
            "Y tế",
            "Khám chữa bệnh, trạm y tế, bệnh viện; bảo hiểm y tế; dịch bệnh, tiêm chủng; an toàn thực phẩm; \
             thuốc, dược phẩm; thái độ của nhân viên y tế.",
            &[
                "bệnh viện",
                "trạm y tế",
                "khám bệnh",
                "bảo hiểm y tế",
                "dịch bệnh",
                "tiêm chủng",
                "thực phẩm",
                "thuốc",
                "bác sĩ",
            ],
            10,
            5,
        ),
        c(
            "giao-duc",
            "Giáo dục",
            "Trường học, giáo viên, học sinh; học phí, các khoản thu; tuyển sinh; dạy thêm, học thêm; \
             cơ sở vật chất trường lớp; an toàn trường học.",
            &["trường", "giáo viên", "học sinh", "học phí", "tuyển sinh", "dạy thêm", "lớp học", "nhà trường"],
            10,
            6,
        ),
        c(
            "an-ninh-trat-tu",
            "An ninh trật tự",
            "Trộm cắp, đánh nhau, gây rối trật tự công cộng; tệ nạn xã hội: ma túy, cờ bạc, mại dâm; \
             tụ tập đua xe; cho vay nặng lãi; lừa đảo.",
            &["trộm", "cướp", "đánh nhau", "gây rối", "ma túy", "cờ bạc", "đua xe", "lừa đảo", "công an", "an ninh"],
            5,
            7,
        ),
        c(
            "dien-nuoc",
            "Điện, nước",
            "Mất điện, cắt điện, hóa đơn tiền điện; đèn chiếu sáng công cộng hỏng; cấp nước sinh hoạt, \
             mất nước, nước bẩn; đường ống vỡ; thoát nước, ngập úng.",
            &[
                "điện",
                "mất điện",
                "tiền điện",
                "đèn đường",
                "chiếu sáng",
                "nước sạch",
                "mất nước",
                "ống nước",
                "ngập",
                "thoát nước",
            ],
            7,
            8,
        ),
        c(
            "thu-tuc-hanh-chinh",
            "Thủ tục hành chính",
            "Giải quyết thủ tục hành chính chậm, trễ hẹn; hồ sơ bị yêu cầu bổ sung nhiều lần; dịch vụ công trực tuyến; \
             thái độ cán bộ tiếp nhận; phí, lệ phí; chứng thực, hộ tịch, cư trú.",
            &[
                "thủ tục",
                "hồ sơ",
                "trễ hẹn",
                "dịch vụ công",
                "một cửa",
                "chứng thực",
                "hộ tịch",
                "cư trú",
                "cán bộ",
                "lệ phí",
            ],
            7,
            9,
        ),
        c(
            "chinh-sach-xa-hoi",
            "Chính sách xã hội",
            "Trợ cấp, hỗ trợ người nghèo, hộ cận nghèo; người có công; bảo trợ xã hội, người cao tuổi, \
             người khuyết tật; bảo hiểm xã hội; lao động, việc làm, tiền lương.",
            &[
                "trợ cấp",
                "hộ nghèo",
                "cận nghèo",
                "người có công",
                "bảo trợ xã hội",
                "khuyết tật",
                "bảo hiểm xã hội",
                "lương",
                "việc làm",
            ],
            15,
            10,
        ),
        c(
            "thong-tin-co-so",
            "Thông tin cơ sở",
            "Hệ thống loa truyền thanh cơ sở, bản tin, bảng tin; thông tin tuyên truyền ở thôn, tổ dân phố; \
             loa phát thanh quá to, hỏng, phát sai giờ.",
            &["loa", "truyền thanh", "loa phát thanh", "bản tin", "bảng tin", "tuyên truyền", "thông tin"],
            10,
            11,
        ),
        c("khac", "Khác", "Các phản ánh, kiến nghị không thuộc các lĩnh vực trên.", &[], 15, 12),
    ]
}

// ---------------------------------------------------------------------------------------------
// The item
// ---------------------------------------------------------------------------------------------

/// A point on the map (WGS 84). Vietnam's territory and seas lie well inside the checked ranges.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Result<Self> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(DomainError::invalid("lat", "vĩ độ phải từ -90 đến 90"));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(DomainError::invalid("long", "kinh độ phải từ -180 đến 180"));
        }
        Ok(Self { lat, lon })
    }

    /// Metres along the earth's surface (haversine).
    pub fn distance_m(self, other: LatLon) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_000.0 * a.sqrt().asin()
    }
}

/// The citizen's own details: never shown on a public page or in a public API response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reporter {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Reporter {
    pub fn parse(name: Option<&str>, email: Option<&str>, phone: Option<&str>) -> Result<Self> {
        let clean = |s: Option<&str>| s.map(|s| textvi::nfc(s.trim())).filter(|s| !s.is_empty());
        let name = clean(name);
        if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
            return Err(DomainError::invalid("name", "họ tên tối đa 200 ký tự"));
        }
        let email = clean(email);
        if let Some(e) = &email {
            let (local, domain) = e.split_once('@').unwrap_or(("", ""));
            if local.is_empty() || !domain.contains('.') || e.len() > 200 || e.contains(char::is_whitespace) {
                return Err(DomainError::invalid("email", "địa chỉ thư điện tử không hợp lệ"));
            }
        }
        let phone = clean(phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(8..=15).contains(&digits)
                || !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'))
            {
                return Err(DomainError::invalid("phone", "số điện thoại không hợp lệ"));
            }
        }
        Ok(Self { name, email, phone })
    }
}

/// What a citizen sends, before checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackInput {
    /// The category's code, when the citizen chose one (Open311 `service_code`).
    pub service_code: Option<String>,
    pub title: Option<String>,
    pub description: String,
    /// Official code of the commune or province where it happens (Open311 `jurisdiction_id`).
    pub area_code: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Answers to the category's questions ([`ATTRIBUTES`]), by code.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The citizen saw the likely duplicates and still sends a new item.
    #[serde(default)]
    pub confirmed_new: bool,
}

/// The description as stored: NFC, trimmed, 1 to [`DESCRIPTION_MAX_CHARS`] characters. HTML is
/// kept as text (pages escape it).
pub fn parse_description(s: &str) -> Result<String> {
    let text = textvi::nfc(s.trim());
    if text.is_empty() {
        return Err(DomainError::invalid("description", "nội dung phản ánh không được để trống"));
    }
    let n = text.chars().count();
    if n > DESCRIPTION_MAX_CHARS {
        return Err(DomainError::invalid(
            "description",
            format!(
                "nội dung phản ánh tối đa {} ký tự (đang có {})",
                crate::indicators::format_number(DESCRIPTION_MAX_CHARS as f64),
                crate::indicators::format_number(n as f64)
            ),
        ));
    }
    Ok(text)
}

/// The title given, else the description's first sentence cut at a word boundary.
pub fn make_title(title: Option<&str>, description: &str) -> Result<String> {
    if let Some(t) = title.map(|t| textvi::nfc(t.trim())).filter(|t| !t.is_empty()) {
        if t.chars().count() > TITLE_MAX_CHARS {
            return Err(DomainError::invalid("title", format!("tiêu đề tối đa {TITLE_MAX_CHARS} ký tự")));
        }
        return Ok(t);
    }
    let first = description.split(['\n', '.', '!', '?']).map(str::trim).find(|s| !s.is_empty()).unwrap_or(description);
    const WANT: usize = 90;
    if first.chars().count() <= WANT {
        return Ok(first.to_string());
    }
    let mut out = String::new();
    for word in first.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > WANT {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = first.chars().take(WANT).collect();
    }
    out.push('…');
    Ok(out)
}

/// Checks free text of at most `max` characters (an address, a reply, a reason).
pub fn parse_text(field: &'static str, what: &str, s: &str, max: usize) -> Result<String> {
    let text = textvi::nfc(s.trim());
    if text.is_empty() {
        return Err(DomainError::invalid(field, format!("{what} không được để trống")));
    }
    if text.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{what} tối đa {} ký tự", crate::indicators::format_number(max as f64)),
        ));
    }
    Ok(text)
}

/// A stored item as officers see it. Public views are made from it by [`PublicFeedback::of`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Feedback {
    pub id: i64,
    /// What the citizen keeps to follow the item (also its Open311 `service_request_id`).
    pub tracking_code: String,
    pub category_id: Option<i64>,
    pub category_source: CategorySource,
    /// The classifier's best guess and its confidence, kept even when below the threshold.
    pub predicted_category_id: Option<i64>,
    pub confidence: Option<f64>,
    pub title: String,
    pub description: String,
    /// The text shown publicly: the description with contact details masked, or a moderator's edit.
    pub public_description: String,
    /// Hidden from every public list and page (abusive content, personal matters).
    pub hidden: bool,
    /// The text looked abusive when it came in: a moderator should look before it shows publicly.
    pub flagged: bool,
    pub address: Option<String>,
    pub location: Option<LatLon>,
    /// Answers to [`ATTRIBUTES`].
    pub attributes: BTreeMap<String, String>,
    pub area_org_id: OrgId,
    pub area_path: String,
    pub handler_org_id: OrgId,
    pub handler_path: String,
    pub status: Status,
    pub reporter: Reporter,
    pub source: Source,
    pub submitted_at: DateTime<Utc>,
    /// The answer is due by the end of this day (working days of the category's SLA).
    pub due_on: NaiveDate,
    /// When it was answered or rejected (the reopen window counts from here).
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: i32,
    pub merged_into: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub row_version: i32,
}

impl Feedback {
    /// Waiting in the triage queue: no category yet, or the classifier was not sure enough.
    pub fn needs_triage(&self) -> bool {
        self.status == Status::New && matches!(self.category_source, CategorySource::None)
    }
    /// Where it stands against its SLA on `today` ([`SlaState::of`]).
    pub fn sla_state(&self, today: NaiveDate) -> Option<SlaState> {
        SlaState::of(self.status, self.due_on, self.resolved_at, today)
    }
    /// Past its due day and still unanswered.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.sla_state(today) == Some(SlaState::Overdue)
    }
    /// May the citizen still reopen it on `now`?
    pub fn reopen_until(&self, reopen_days: u32) -> Option<DateTime<Utc>> {
        let from = self.resolved_at.or(self.closed_at)?;
        Some(from + chrono::Duration::days(i64::from(reopen_days)))
    }
}

/// One line of an item's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackEvent {
    pub id: i64,
    pub feedback_id: i64,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub status: Status,
    /// The officer's name, or empty for the citizen / the system.
    pub actor: String,
    /// The handling unit after the event.
    pub org_id: OrgId,
    /// The reply, reason or comment.
    pub note: Option<String>,
    /// Shown on the public tracking page and in Open311 updates.
    pub public: bool,
}

/// A photo's facts (the bytes are fetched on their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PhotoMeta {
    pub id: i64,
    pub feedback_id: i64,
    pub content_type: String,
    pub size: i64,
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// Settings of the feedback service (settings key `feedback`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackSettings {
    /// Below this confidence the classifier's guess is kept but the item goes to manual triage.
    pub confidence_threshold: f64,
    /// Days after the answer during which the citizen may reopen an item.
    pub reopen_days: u32,
    /// Items within this distance (metres) may be duplicates.
    pub duplicate_radius_m: u32,
    /// Items sent within this many days before may be duplicates.
    pub duplicate_days: u32,
    /// Retrain the classifier once this many new officer-confirmed examples exist.
    pub retrain_after: u32,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        Self {
            confidence_threshold: 0.45,
            reopen_days: 7,
            duplicate_radius_m: 300,
            duplicate_days: 30,
            retrain_after: 20,
        }
    }
}

impl FeedbackSettings {
    pub const KEY: &'static str = "feedback";

    pub fn validate(self) -> Result<Self> {
        if !(0.0..=1.0).contains(&self.confidence_threshold) {
            return Err(DomainError::invalid("confidence_threshold", "ngưỡng tin cậy từ 0 đến 1"));
        }
        if !(1..=90).contains(&self.reopen_days) {
            return Err(DomainError::invalid("reopen_days", "số ngày được mở lại từ 1 đến 90"));
        }
        if !(10..=10_000).contains(&self.duplicate_radius_m) {
            return Err(DomainError::invalid("duplicate_radius_m", "bán kính tìm trùng từ 10 đến 10.000 m"));
        }
        if !(1..=365).contains(&self.duplicate_days) {
            return Err(DomainError::invalid("duplicate_days", "số ngày tìm trùng từ 1 đến 365"));
        }
        if !(1..=100_000).contains(&self.retrain_after) {
            return Err(DomainError::invalid("retrain_after", "số mẫu mới để huấn luyện lại từ 1 đến 100.000"));
        }
        Ok(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Text rules: privacy masking, abuse, likely duplicates, tracking codes
// ---------------------------------------------------------------------------------------------

/// The text with e-mail addresses and phone numbers masked, for public display: citizens often
/// write their own number into the description.
pub fn mask_contacts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in split_keep_space(text) {
        if token.contains('@') && token.split('@').nth(1).is_some_and(|d| d.contains('.')) {
            out.push_str("***@***");
            if let Some(last) = token.chars().last().filter(|c| matches!(c, '.' | ',' | ';' | ')')) {
                out.push(last);
            }
        } else {
            out.push_str(token);
        }
    }
    mask_phone_numbers(&out)
}

fn split_keep_space(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_space.is_some_and(|s| s != space) {
            parts.push(&text[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        parts.push(&text[start..]);
    }
    parts
}

/// Masks runs of 9 to 15 digits (separators ` .-` allowed between them, a leading `+`): phone
/// numbers and ID card numbers. Shorter numbers (house numbers, amounts, dates) stay.
fn mask_phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            let mut j = i + usize::from(chars[i] == '+');
            let mut digits = 0;
            let mut end = j;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    j += 1;
                    end = j;
                } else if matches!(chars[j], ' ' | '.' | '-') && chars.get(j + 1).is_some_and(char::is_ascii_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            if (9..=15).contains(&digits) {
                out.push_str("*** ***");
            } else {
                out.extend(&chars[start..end]);
            }
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Words and phrases that mark abusive text (insults, obscenities), lower-case with their
/// diacritics: folding would turn "lớn" into an obscenity. A match does not refuse the item: it
/// is held from public view until a moderator looks.
const ABUSIVE: &[&str] = &[
    "đm",
    "dm",
    "đmm",
    "dmm",
    "đcm",
    "dcm",
    "vcl",
    "vkl",
    "clgt",
    "địt",
    "đéo",
    "đụ",
    "lồn",
    "cặc",
    "đĩ",
    "chó chết",
    "đồ chó",
    "thằng chó",
    "con chó",
    "óc chó",
    "mất dạy",
    "súc vật",
    "khốn nạn",
    "đồ khốn",
];

/// Does the text contain an abusive word or phrase (whole words, any case)?
pub fn looks_abusive(text: &str) -> bool {
    let lower = textvi::nfc(text).to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    ABUSIVE.iter().any(|bad| {
        let bad_words: Vec<&str> = bad.split(' ').collect();
        words.windows(bad_words.len()).any(|w| w == bad_words.as_slice())
    })
}

/// The folded word shingles of a text (single syllables and adjacent pairs), for similarity.
pub fn shingles(text: &str) -> std::collections::BTreeSet<String> {
    let folded = textvi::fold(text);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 1).collect();
    let mut set: std::collections::BTreeSet<String> = words.iter().map(|w| w.to_string()).collect();
    set.extend(words.windows(2).map(|p| format!("{} {}", p[0], p[1])));
    set
}

/// Jaccard similarity of two texts' shingles, 0 to 1.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (shingles(a), shingles(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(&b).count() as f64;
    common / (a.len() + b.len()) as f64 * 2.0
}

/// Texts at least this similar (Dice coefficient of shingles) are shown as likely duplicates.
pub const DUPLICATE_SIMILARITY: f64 = 0.25;

/// The alphabet of tracking codes: no 0/O, 1/I/L, U, so a code read over the phone is unambiguous.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh tracking code "PA-XXXX-XXXX" (30⁸ ≈ 6.6 × 10¹¹ codes).
pub fn new_tracking_code(rng: &mut impl rand::Rng) -> String {
    let mut code = String::from("PA-");
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char);
    }
    code
}

/// Reads a tracking code as typed: case, spaces and dashes do not matter; `None` when it cannot
/// be one.
pub fn parse_tracking_code(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
    let body = compact.strip_prefix("PA")?;
    (body.len() == 8 && body.bytes().all(|b| CODE_ALPHABET.contains(&b)))
        .then(|| format!("PA-{}-{}", &body[..4], &body[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_from_every_state_is_allowed_or_refused_by_the_table() {
        use Status::*;
        let allowed = [
            (Step::Receive, New, Received),
            (Step::Receive, Transferred, Received),
            (Step::Start, Received, InProgress),
            (Step::Reply, Received, Answered),
            (Step::Reply, InProgress, Answered),
            (Step::Reply, Answered, Answered),
            (Step::Transfer, New, Transferred),
            (Step::Transfer, Received, Transferred),
            (Step::Transfer, InProgress, Transferred),
            (Step::Transfer, Transferred, Transferred),
            (Step::Reject, New, Rejected),
            (Step::Reject, Received, Rejected),
            (Step::Reject, InProgress, Rejected),
            (Step::Reject, Transferred, Rejected),
            (Step::Close, Answered, Closed),
            (Step::Close, Rejected, Closed),
            (Step::Reopen, Answered, InProgress),
            (Step::Reopen, Rejected, InProgress),
            (Step::Reopen, Closed, InProgress),
            (Step::Merge, New, Merged),
            (Step::Merge, Received, Merged),
            (Step::Merge, InProgress, Merged),
            (Step::Merge, Transferred, Merged),
        ];
        for step in Step::ALL {
            for from in Status::ALL {
                let want = allowed.iter().find(|(s, f, _)| *s == step && *f == from).map(|(_, _, to)| *to);
                match (from.after(step), want) {
                    (Ok(got), Some(to)) => assert_eq!(got, to, "{step:?} from {from:?}"),
                    (Err(DomainError::Transition { .. }), None) => {}
                    (got, want) => panic!("{step:?} from {from:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!(Status::Merged.open311(), "closed");
        assert_eq!(Status::Transferred.open311(), "open");
    }

    #[test]
    fn contacts_are_masked_but_house_numbers_and_dates_stay() {
        let text = "Nhà số 12 ngõ 34, gọi 0912 345 678 hoặc 0912.345.678, mail nguyen.van.a@gmail.com. Từ 30/11/2025.";
        let masked = mask_contacts(text);
        assert!(!masked.contains("345"), "{masked}");
        assert!(!masked.contains("gmail"), "{masked}");
        assert!(masked.contains("Nhà số 12 ngõ 34"), "{masked}");
        assert!(masked.contains("30/11/2025"), "{masked}");
        assert_eq!(mask_contacts("+84 912 345 678"), "*** ***");
    }

    #[test]
    fn abusive_words_are_found_whole_and_without_diacritics() {
        assert!(looks_abusive("Cán bộ phường làm ăn như ĐM vậy"));
        assert!(looks_abusive("đồ chó"));
        assert!(!looks_abusive("Đường Lê Lợi có ổ gà lớn, đề nghị sửa"));
        assert!(!looks_abusive("Đường lớn bị đào xới, đeo khẩu trang vẫn bụi"), "folding must not make words abusive");
    }

    #[test]
    fn similar_texts_score_higher_than_unrelated_ones() {
        let a = "Đường Nguyễn Trãi trước nhà số 20 có ổ gà rất lớn, xe máy ngã liên tục";
        let b = "Ổ gà lớn trên đường Nguyễn Trãi gần nhà số 20 làm nhiều xe máy ngã";
        let c = "Trường tiểu học thu thêm nhiều khoản ngoài quy định đầu năm học";
        assert!(text_similarity(a, b) >= DUPLICATE_SIMILARITY, "{}", text_similarity(a, b));
        assert!(text_similarity(a, c) < 0.1, "{}", text_similarity(a, c));
    }

    #[test]
    fn routes_prefer_the_category_then_the_smallest_area() {
        let r = |id, category_id, area_path: &str, handler| Route {
            id,
            category_id,
            area_org_id: id,
            area_path: area_path.into(),
            handler_org_id: handler,
        };
        let routes = vec![r(1, None, "/1/2/", 100), r(2, Some(7), "/1/2/", 200), r(3, None, "/1/2/3/", 300)];
        assert_eq!(pick_route(&routes, Some(7), "/1/2/3/").map(|r| r.handler_org_id), Some(200));
        assert_eq!(pick_route(&routes, Some(8), "/1/2/3/").map(|r| r.handler_org_id), Some(300));
        assert_eq!(pick_route(&routes, Some(8), "/1/2/4/").map(|r| r.handler_org_id), Some(100));
        assert_eq!(pick_route(&routes, Some(8), "/1/9/"), None);
    }

    #[test]
    fn tracking_codes_read_back_however_typed() {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let code = new_tracking_code(&mut rng);
            assert_eq!(parse_tracking_code(&code.to_lowercase().replace('-', " ")), Some(code.clone()));
        }
        assert_eq!(parse_tracking_code("PA-0000-0000"), None);
        assert_eq!(parse_tracking_code("xyz"), None);
    }

    #[test]
    fn descriptions_over_the_limit_name_the_field() {
        let long = "a".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert!(matches!(parse_description(&long), Err(DomainError::Invalid { field: "description", .. })));
        assert!(matches!(parse_description("   "), Err(DomainError::Invalid { field: "description", .. })));
        assert_eq!(parse_description(" <b>x</b> ").ok().as_deref(), Some("<b>x</b>"));
    }

    #[test]
    fn titles_come_from_the_first_sentence() {
        assert_eq!(make_title(None, "Đèn đường hỏng. Đã ba ngày.").ok().as_deref(), Some("Đèn đường hỏng"));
        let long = "từ ".repeat(60);
        let t = make_title(None, &long).unwrap_or_default();
        assert!(t.ends_with('…') && t.chars().count() <= 91, "{t}");
    }

    #[test]
    fn default_categories_are_valid_and_cover_the_issue_list() {
        let cats: Vec<CategoryInput> = default_categories().into_iter().map(|c| c.validate().expect("valid")).collect();
        assert_eq!(cats.len(), 12);
        let names: Vec<&str> = cats.iter().map(|c| c.name.as_str()).collect();
        for want in [
            "Đất đai",
            "Xây dựng",
            "Môi trường",
            "Giao thông",
            "Y tế",
            "Giáo dục",
            "An ninh trật tự",
            "Thủ tục hành chính",
            "Chính sách xã hội",
            "Thông tin cơ sở",
            "Khác",
        ] {
            assert!(names.contains(&want), "{want}");
        }
    }

    #[test]
    fn distance_between_two_hanoi_points() {
        let a = LatLon::new(21.0285, 105.8542).expect("valid");
        let b = LatLon::new(21.0245, 105.8412).expect("valid");
        let d = a.distance_m(b);
        assert!((1_300.0..1_500.0).contains(&d), "{d}");
        assert!(LatLon::new(91.0, 0.0).is_err());
    }

    #[test]
    fn the_sla_state_counts_the_answer_day_in_vietnam_time() {
        use chrono::TimeZone;
        let due = NaiveDate::from_ymd_opt(2026, 9, 15).expect("date");
        let at = |d, h, m| Some(Utc.with_ymd_and_hms(2026, 9, d, h, m, 0).single().expect("time"));
        // 23:59 in Vietnam on the due day is 16:59 UTC: on time; 00:01 the next day is late.
        assert_eq!(SlaState::of(Status::Answered, due, at(15, 16, 59), due), Some(SlaState::OnTime));
        assert_eq!(SlaState::of(Status::Closed, due, at(15, 17, 1), due), Some(SlaState::Late));
        assert_eq!(SlaState::of(Status::Rejected, due, at(1, 2, 0), due), Some(SlaState::OnTime));
        let next_day = due.succ_opt().expect("date");
        for pending in [Status::New, Status::Received, Status::InProgress, Status::Transferred] {
            assert_eq!(SlaState::of(pending, due, None, due), Some(SlaState::Pending), "{pending:?}");
            assert_eq!(SlaState::of(pending, due, None, next_day), Some(SlaState::Overdue), "{pending:?}");
        }
        assert_eq!(SlaState::of(Status::Merged, due, None, next_day), None);
        for s in SlaState::ALL {
            assert_eq!(SlaState::parse(s.as_str()).expect("parses"), s);
        }
        assert!(SlaState::parse("soon").is_err());
    }
}
