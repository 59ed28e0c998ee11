//! Demo citizen feedback: items in every state across Quảng Ngãi, Hà Nội and Đà Nẵng, sent over
//! the last seven weeks (so the SLA, overdue items and trends look alive), with replies, a
//! transfer, a merge, a reopening, a rejection, a flagged item and the triage queue; grassroots
//! officers of two wards and the Department of Construction of Quảng Ngãi, which the routing
//! rules send road and building problems to. Every write goes through the feedback services,
//! acting at the time of each event.

use std::sync::Arc;

use chrono::Duration;
use domain::Services;
use domain::auth::{Principal, Role};
use domain::clock::ManualClock;
use domain::feedback::{FeedbackInput, Source, Step};
use domain::services::feedback::{StepInput, Submission};

/// The Open311 key of the demo (printed at start, for trying `POST /open311/v2/requests.json`).
pub const OPEN311_KEY: &str = "demo-open311-key-dxgov";

/// (username, full name, unit, role held on that unit)
pub const PEOPLE: &[(&str, &str, &str, Role)] = &[
    ("camthanh.ttcs", "Huỳnh Thị Cơ Sở", "21025", Role::GrassrootsOfficer),
    ("badinh.ttcs", "Đinh Văn Phường", "00004", Role::GrassrootsOfficer),
    ("qngai.sxd", "Trần Văn Xây Dựng", "51.SXD", Role::Officer),
    ("haichau.ttcs", "Phan Thị Hải", "20194", Role::GrassrootsOfficer),
];

/// What happens to an item after it is sent: (days after sending, step, note).
type Steps = &'static [(i64, Step, &'static str)];

struct Item {
    days_ago: i64,
    area: &'static str,
    service_code: Option<&'static str>,
    address: &'static str,
    description: &'static str,
    email: Option<&'static str>,
    steps: Steps,
}

const ITEMS: &[Item] = &[
    Item {
        days_ago: 45,
        area: "21025",
        service_code: Some("moi-truong"),
        address: "Bờ sông Trà Khúc, tổ 5",
        description: "Rác thải sinh hoạt bị đổ trộm ven bờ sông Trà Khúc, bốc mùi hôi thối, ruồi nhặng nhiều. Đề nghị phường thu gom và xử lý.",
        email: Some("nguyenvana@example.vn"),
        steps: &[
            (1, Step::Receive, ""),
            (2, Step::Start, "Đã giao tổ dân phố kiểm tra hiện trường."),
            (
                5,
                Step::Reply,
                "Phường đã phối hợp Công ty môi trường đô thị thu gom toàn bộ rác ngày 12/10 và lắp biển cấm đổ rác.",
            ),
            (12, Step::Close, ""),
        ],
    },
    Item {
        days_ago: 40,
        area: "21025",
        service_code: Some("giao-thong"),
        address: "Đường Hùng Vương, trước nhà số 120",
        description: "Mặt đường Hùng Vương đoạn trước nhà số 120 có ổ gà lớn, trời mưa đọng nước, nhiều người đi xe máy bị ngã.",
        email: Some("lethib@example.vn"),
        steps: &[(1, Step::Receive, ""), (6, Step::Reply, "Sở Xây dựng đã vá ổ gà bằng bê tông nhựa nóng ngày 20/10.")],
    },
    Item {
        days_ago: 38,
        area: "21025",
        service_code: Some("giao-thong"),
        address: "Hùng Vương gần số 120",
        description: "Ổ gà rất to trên đường Hùng Vương gần nhà 120, xe máy ngã liên tục, đề nghị sửa gấp.",
        email: Some("tranvanc@example.vn"),
        steps: &[(1, Step::Merge, "")],
    },
    Item {
        days_ago: 33,
        area: "21028",
        service_code: Some("dien-nuoc"),
        address: "Tổ 3, phường Nghĩa Lộ",
        description: "Đèn chiếu sáng công cộng trên đường Quang Trung hỏng cả tuần, buổi tối rất tối, không an toàn.",
        email: None,
        steps: &[(2, Step::Receive, ""), (4, Step::Reply, "Đã thay bóng đèn và sửa tủ điện chiếu sáng ngày 25/10.")],
    },
    Item {
        days_ago: 30,
        area: "21025",
        service_code: Some("thu-tuc-hanh-chinh"),
        address: "Bộ phận một cửa phường Cẩm Thành",
        description: "Tôi nộp hồ sơ chứng thực từ hai tuần trước nhưng đến nay chưa có kết quả, cán bộ hẹn nhiều lần.",
        email: Some("phamthid@example.vn"),
        steps: &[
            (1, Step::Receive, ""),
            (3, Step::Reply, "Hồ sơ đã được trả kết quả ngày 30/10; phường xin lỗi vì sự chậm trễ."),
            (6, Step::Reopen, "Tôi vẫn chưa nhận được bản chứng thực, cán bộ nói chưa ký."),
            (8, Step::Reply, "Bản chứng thực đã được ký và gửi qua bưu điện ngày 05/11."),
        ],
    },
    Item {
        days_ago: 26,
        area: "21025",
        service_code: Some("dat-dai"),
        address: "Thửa đất số 215, tờ bản đồ 12",
        description: "Hộ bên cạnh xây tường lấn sang đất nhà tôi khoảng nửa mét, đề nghị phường đo đạc và giải quyết.",
        email: None,
        steps: &[
            (2, Step::Receive, ""),
            (3, Step::Transfer, "Tranh chấp ranh giới cần Sở Xây dựng kiểm tra giấy phép xây dựng"),
        ],
    },
    Item {
        days_ago: 24,
        area: "00004",
        service_code: Some("xay-dung"),
        address: "Ngõ 12 phố Đội Cấn",
        description: "Công trình nhà 7 tầng trong ngõ 12 Đội Cấn xây vượt số tầng được cấp phép, thi công cả đêm gây ồn.",
        email: Some("hoangvane@example.vn"),
        steps: &[(1, Step::Receive, ""), (2, Step::Start, "")],
    },
    Item {
        days_ago: 21,
        area: "00004",
        service_code: Some("thong-tin-co-so"),
        address: "Tổ dân phố 8",
        description: "Loa phát thanh của tổ dân phố phát từ 5 giờ sáng, âm lượng quá to, đề nghị điều chỉnh giờ phát.",
        email: None,
        steps: &[(1, Step::Receive, ""), (2, Step::Reply, "Đã điều chỉnh giờ phát từ 6 giờ 30 và giảm âm lượng.")],
    },
    Item {
        days_ago: 18,
        area: "00004",
        service_code: Some("an-ninh-trat-tu"),
        address: "Công viên Thủ Lệ",
        description: "Buổi tối có nhóm thanh niên tụ tập đua xe, nẹt pô quanh công viên Thủ Lệ.",
        email: None,
        steps: &[(
            1,
            Step::Reject,
            "Nội dung thuộc thẩm quyền của Công an phường; phản ánh đã được chuyển thông tin tới Công an phường Ba Đình.",
        )],
    },
    Item {
        days_ago: 16,
        area: "20194",
        service_code: Some("moi-truong"),
        address: "Khu dân cư Hải Vân",
        description: "Cơ sở chế biến hải sản xả nước thải chưa xử lý ra mương thoát nước, mùi hôi nồng nặc.",
        email: Some("vothif@example.vn"),
        steps: &[(1, Step::Receive, "")],
    },
    Item {
        days_ago: 14,
        area: "21028",
        service_code: Some("giao-duc"),
        address: "Trường tiểu học Nghĩa Lộ",
        description: "Nhà trường thu thêm nhiều khoản ngoài quy định đầu năm học như quỹ lớp, tiền máy chiếu.",
        email: None,
        steps: &[],
    },
    Item {
        days_ago: 9,
        area: "21025",
        service_code: None,
        address: "Tổ 7",
        description: "Đường ống cấp nước bị vỡ, nước chảy lênh láng ra đường hai ngày nay mà chưa ai sửa, nhiều nhà mất nước.",
        email: None,
        steps: &[],
    },
    Item {
        days_ago: 6,
        area: "00004",
        service_code: Some("y-te"),
        address: "Trạm y tế phường",
        description: "Trạm y tế phường hết vắc xin tiêm chủng mở rộng cho trẻ, phải hẹn lại nhiều lần.",
        email: None,
        steps: &[(1, Step::Receive, "")],
    },
    Item {
        days_ago: 3,
        area: "20194",
        service_code: Some("giao-thong"),
        address: "Đường Nguyễn Tất Thành",
        description: "Đèn tín hiệu giao thông ngã tư Nguyễn Tất Thành hỏng từ sáng, xe cộ đi lại lộn xộn.",
        email: None,
        steps: &[],
    },
    Item {
        days_ago: 2,
        area: "21025",
        service_code: None,
        address: "",
        description: "Cán bộ phường làm ăn như đồ chó, đường hỏng mãi không sửa.",
        email: None,
        steps: &[],
    },
    Item {
        days_ago: 1,
        area: "21028",
        service_code: None,
        address: "",
        description: "Xin hỏi thủ tục.",
        email: None,
        steps: &[],
    },
];

pub async fn load(services: &Services, password: &str) -> domain::Result<()> {
    services.seed_internal_unit("51", "51.SXD", "Sở Xây dựng tỉnh Quảng Ngãi").await?;
    for (username, name, org, role) in PEOPLE {
        services.seed_user(username, name, org, *role, org, password).await?;
    }
    let admin = services.login("qngai.quantri", password, None).await?;
    services.add_feedback_route(&admin, Some("giao-thong"), "51", "51.SXD").await?;
    services.add_feedback_route(&admin, Some("xay-dung"), "51", "51.SXD").await?;
    services.seed_open311_key("Ứng dụng thử nghiệm (demo)", OPEN311_KEY).await?;
    let now = services.clock().now();
    let mut codes: Vec<String> = Vec::new();
    for item in ITEMS {
        let sent = now - Duration::days(item.days_ago) - Duration::hours(2);
        let at = |days: i64| {
            services.with_clock(Arc::new(ManualClock::new(sent + Duration::days(days) + Duration::hours(1))))
        };
        let input = FeedbackInput {
            service_code: item.service_code.map(str::to_string),
            description: item.description.into(),
            area_code: item.area.into(),
            address: Some(item.address.into()),
            name: Some("Người dân (demo)".into()),
            email: item.email.map(str::to_string),
            confirmed_new: true,
            ..Default::default()
        };
        let Submission::Submitted { item: sent_item } = at(0).submit_feedback(&input, &[], Source::Web).await? else {
            continue;
        };
        let code = sent_item.tracking_code.clone();
        for (days, step, note) in item.steps {
            let s = at(*days);
            let current = s.track_feedback(&code).await?;
            if *step == Step::Reopen {
                s.reopen_feedback(&code, note).await?;
                continue;
            }
            let handler = handler_of(&s, &current.item.handler_name, password).await?;
            let id = s
                .feedback_list(
                    &handler,
                    &domain::services::feedback::FeedbackFilter { q: Some(code.clone()), ..Default::default() },
                )
                .await?
                .items
                .first()
                .map(|v| v.item.id)
                .ok_or_else(|| domain::DomainError::not_found("phản ánh", code.clone()))?;
            let input = StepInput {
                note: Some(note.to_string()),
                to_org: Some("51.SXD".into()),
                // The road item sent two days earlier carries the answer.
                into: codes.get(1).cloned(),
                row_version: None,
            };
            s.feedback_step(&handler, id, *step, &input).await?;
        }
        codes.push(code);
    }
    Ok(())
}

/// Who acts for the unit now handling an item.
async fn handler_of(services: &Services, handler_name: &str, password: &str) -> domain::Result<Principal> {
    let username = match handler_name {
        "Sở Xây dựng tỉnh Quảng Ngãi" => "qngai.sxd",
        "Phường Ba Đình" => "badinh.ttcs",
        "Phường Hải Vân" => "haichau.ttcs",
        _ => "qngai.quantri",
    };
    services.login(username, password, None).await
}
