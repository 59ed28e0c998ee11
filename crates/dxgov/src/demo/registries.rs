//! Demo registries: information systems of Quảng Ngãi, Hà Nội and the Ministry of Finance at
//! every security level, with inspections overdue, due soon, on schedule and unscheduled (dates
//! counted back from today, so the pages look alive whenever the demo is loaded); databases of
//! the three kinds the seed names; and the project list of the seed's example table.

use chrono::{Days, NaiveDate};
use domain::Services;
use domain::auth::Principal;
use domain::registries::{
    BudgetSource, DatabaseKind, ExpenditureKind, FourLayer, LayerState, ProjectStatus, SecurityLevel,
};
use domain::services::registries::{DatabaseInput, ProjectInput, SystemInput};
use domain::work::YearSpan;

/// (owner unit, name, url, level, days since the dossier's approval, days since the last
/// inspection, portal with its trust label, 4-layer states)
type SystemRow =
    (&'static str, &'static str, &'static str, Option<u8>, Option<u64>, Option<u64>, (bool, bool), [u8; 4]);

const SYSTEMS: &[SystemRow] = &[
    // Level 3, inspected 350 days ago: due in about two weeks.
    (
        "51",
        "Cổng thông tin điện tử tỉnh Quảng Ngãi",
        "https://quangngai.gov.vn",
        Some(3),
        Some(420),
        Some(350),
        (true, true),
        [2, 2, 2, 2],
    ),
    // Level 4, inspected 380 days ago: overdue.
    (
        "51",
        "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh",
        "https://dichvucong.quangngai.gov.vn",
        Some(4),
        Some(700),
        Some(380),
        (true, true),
        [2, 2, 1, 2],
    ),
    (
        "51",
        "Hệ thống quản lý văn bản và điều hành",
        "https://qlvb.quangngai.gov.vn",
        Some(3),
        Some(200),
        Some(100),
        (false, false),
        [2, 1, 0, 2],
    ),
    (
        "51",
        "Thư điện tử công vụ tỉnh",
        "https://mail.quangngai.gov.vn",
        Some(2),
        Some(800),
        Some(600),
        (false, false),
        [2, 0, 0, 1],
    ),
    (
        "51",
        "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) tỉnh Quảng Ngãi",
        "https://lgsp.quangngai.gov.vn",
        Some(4),
        Some(90),
        None,
        (false, false),
        [2, 2, 1, 1],
    ),
    ("51", "Hệ thống camera giám sát giao thông", "", None, None, None, (false, false), [0, 0, 0, 0]),
    // Level 5, inspected 190 days ago: overdue (every 6 months).
    (
        "51.SKHCN",
        "Trung tâm giám sát, điều hành an toàn thông tin (SOC) tỉnh",
        "https://soc.quangngai.gov.vn",
        Some(5),
        Some(400),
        Some(190),
        (false, false),
        [2, 2, 2, 2],
    ),
    // Level 2, inspected 720 days ago: due in about ten days.
    (
        "51.SKHCN",
        "Trang thông tin điện tử Sở Khoa học và Công nghệ",
        "https://skhcn.quangngai.gov.vn",
        Some(2),
        Some(900),
        Some(720),
        (true, false),
        [2, 0, 0, 0],
    ),
    (
        "01",
        "Cổng thông tin điện tử thành phố Hà Nội",
        "https://hanoi.gov.vn",
        Some(3),
        Some(300),
        Some(120),
        (true, true),
        [2, 2, 2, 2],
    ),
    (
        "01",
        "Cổng dịch vụ công thành phố Hà Nội",
        "https://dichvucong.hanoi.gov.vn",
        Some(4),
        Some(500),
        Some(370),
        (true, false),
        [2, 2, 2, 1],
    ),
    ("01.SKHCN", "Hệ thống quản lý hồ sơ khoa học và công nghệ", "", Some(1), None, None, (false, false), [1, 0, 0, 0]),
    (
        "BTC",
        "Hệ thống thông tin quản lý ngân sách và kho bạc (TABMIS)",
        "",
        Some(5),
        Some(250),
        Some(170),
        (false, false),
        [2, 2, 2, 2],
    ),
    (
        "BTC",
        "Cổng thông tin điện tử Bộ Tài chính",
        "https://mof.gov.vn",
        Some(3),
        Some(600),
        Some(200),
        (true, true),
        [2, 2, 1, 2],
    ),
];

fn ago(today: NaiveDate, days: Option<u64>) -> Option<NaiveDate> {
    days.and_then(|d| today.checked_sub_days(Days::new(d)))
}

fn layers(states: [u8; 4]) -> [LayerState; 4] {
    states.map(|s| match s {
        2 => LayerState::Done,
        1 => LayerState::InProgress,
        _ => LayerState::NotStarted,
    })
}

pub(super) async fn load(services: &Services, password: &str) -> domain::Result<()> {
    let today = services.clock().today();
    let qn = services.login("qngai.quantri", password, None).await?;
    let hn = services.login("hanoi.quantri", password, None).await?;
    let btc = services.login("btc.daumoi", password, None).await?;
    let by = |org: &str| -> &Principal {
        if org.starts_with("01") {
            &hn
        } else if org.starts_with("BTC") {
            &btc
        } else {
            &qn
        }
    };
    for (org, name, url, level, approved, inspected, (portal, labelled), four) in SYSTEMS {
        let approved_on = ago(today, *approved);
        let input = SystemInput {
            org: (*org).into(),
            name: (*name).into(),
            url: Some((*url).to_string()).filter(|u| !u.is_empty()),
            security_level: level.map(SecurityLevel::new).transpose()?,
            dossier_approved_on: approved_on,
            dossier_decision: approved_on
                .map(|d| format!("{}/QĐ-UBND", 100 + d.format("%j").to_string().parse::<u32>().unwrap_or(0))),
            meets_minimum_requirements: approved_on.map(|_| four.iter().filter(|s| **s == 2).count() >= 3),
            protection_plan_deployed: approved_on.is_some() && four.iter().all(|s| *s == 2),
            four_layer: FourLayer {
                layers: layers(*four),
                provider: (four.iter().any(|s| *s > 0))
                    .then(|| "Trung tâm Giám sát an toàn không gian mạng quốc gia".into()),
            },
            last_inspection: ago(today, *inspected),
            last_drill: ago(today, inspected.map(|d| d / 2)),
            portal: *portal,
            trust_label_on: if *labelled { ago(today, Some(60)) } else { None },
            row_version: None,
        };
        services.create_system(by(org), &input).await?;
    }

    let databases = [
        (
            "51",
            DatabaseKind::National,
            "CSDL quốc gia về đất đai (phần dữ liệu tỉnh Quảng Ngãi)",
            "https://dlqg.gov.vn",
            412_530,
            96_204,
            24,
            24,
        ),
        (
            "51",
            DatabaseKind::Sectoral,
            "Cơ sở dữ liệu hộ tịch điện tử toàn quốc",
            "https://hotichdientu.moj.gov.vn",
            1_284_000,
            215_870,
            184,
            173,
        ),
        ("51", DatabaseKind::Local, "Cơ sở dữ liệu về giá trên địa bàn tỉnh Quảng Ngãi", "", 12_000, 4_000, 20, 12),
        (
            "51.SKHCN",
            DatabaseKind::Local,
            "CSDL Công báo tỉnh",
            "https://congbao.quangngai.gov.vn",
            35_420,
            9_310,
            30,
            30,
        ),
        (
            "01",
            DatabaseKind::Local,
            "Cơ sở dữ liệu dân cư, đất đai, nhà ở thành phố Hà Nội",
            "",
            8_350_000,
            1_920_000,
            579,
            512,
        ),
    ];
    for (org, kind, name, url, total, updated, target, joined) in databases {
        let input = DatabaseInput {
            org: org.into(),
            kind: Some(kind),
            name: name.into(),
            url: Some(url.to_string()).filter(|u| !u.is_empty()),
            as_of: Some(today),
            total_records: Some(total),
            records_since: NaiveDate::from_ymd_opt(2020, 1, 1),
            records_updated_since: Some(updated),
            target_units: Some(target),
            participating_units: Some(joined),
            row_version: None,
        };
        services.create_database(by(org), &input).await?;
    }

    let year = chrono::Datelike::year(&today);
    let projects = [
        // The two example rows of seed 003, Phần II, mục IX.
        (
            "51",
            "Xây dựng CSDL văn bản huyện",
            "Văn phòng huyện",
            "Đăng tải văn bản do UBND huyện, UBND xã và các phòng ban thuộc huyện ban hành phục vụ tra cứu của CC-CV và nhân dân",
            ProjectStatus::Continuing,
            (year - 1, year),
            500.0,
            ExpenditureKind::Recurrent,
            BudgetSource::Local,
            false,
        ),
        (
            "51",
            "Xây dựng hệ thống Hội nghị truyền hình huyện",
            "Văn phòng huyện",
            "Phục vụ họp, hội nghị, tập huấn qua mạng",
            ProjectStatus::New,
            (year, year + 1),
            4000.0,
            ExpenditureKind::DevelopmentInvestment,
            BudgetSource::Local,
            false,
        ),
        (
            "51",
            "Triển khai giám sát an toàn thông tin theo mô hình 4 lớp cho Trung tâm dữ liệu tỉnh",
            "Sở Khoa học và Công nghệ",
            "Bảo đảm an toàn thông tin cho các hệ thống cấp độ 3 trở lên",
            ProjectStatus::New,
            (year, year),
            2350.5,
            ExpenditureKind::Recurrent,
            BudgetSource::Local,
            true,
        ),
        (
            "01",
            "Nâng cấp Cổng dịch vụ công thành phố",
            "Sở Khoa học và Công nghệ thành phố Hà Nội",
            "Tích hợp 100% thủ tục hành chính đủ điều kiện lên Cổng dịch vụ công quốc gia",
            ProjectStatus::Continuing,
            (year - 1, year + 1),
            18_500.0,
            ExpenditureKind::DevelopmentInvestment,
            BudgetSource::Local,
            false,
        ),
        (
            "BTC",
            "Hiện đại hóa hệ thống thông tin quản lý ngân sách",
            "Cục Tin học và Thống kê tài chính",
            "Chuyển đổi số quy trình quản lý ngân sách nhà nước",
            ProjectStatus::New,
            (year, year + 2),
            125_000.0,
            ExpenditureKind::DevelopmentInvestment,
            BudgetSource::Central,
            false,
        ),
    ];
    for (org, name, lead, objective, status, (from, to), total, expenditure, budget, security) in projects {
        let input = ProjectInput {
            org: org.into(),
            name: name.into(),
            lead_unit: lead.into(),
            objective: objective.into(),
            status: Some(status),
            years: Some(YearSpan { from, to }),
            total_million_vnd: Some(total),
            spent_million_vnd: (status == ProjectStatus::Continuing).then_some(total * 0.4),
            expenditure: Some(expenditure),
            budget: Some(budget),
            security,
            result_note: None,
            approved_on: today.checked_sub_days(Days::new(120)),
            decision: Some("215/QĐ-UBND".into()),
            row_version: None,
        };
        services.create_project(by(org), &input).await?;
    }
    Ok(())
}
