//! Demo reports: the departments of Quảng Ngãi report their quarter to the province, one round
//! in every workflow state (accepted, waiting, sent back with a comment, sent again, still being
//! written) and the quarter before accepted, one of them late; the centre's yearly round is open
//! for every province. Periods are counted from today, so the pages look alive whenever the demo
//! is loaded. Everything goes through the same services as users do.

use chrono::Datelike;
use domain::Services;
use domain::auth::Principal;
use domain::indicators::{Period, PeriodType};
use domain::org::OrgType;
use domain::reporting::{Narrative, ReportContent, ReportState, ReportStep, Signer};
use domain::services::reporting::{OpenRoundInput, ReportQuery, StepInput};

const DEPARTMENTS: [(&str, &str); 4] = [
    ("51.STC", "Sở Tài chính tỉnh Quảng Ngãi"),
    ("51.SNV", "Sở Nội vụ tỉnh Quảng Ngãi"),
    ("51.SYT", "Sở Y tế tỉnh Quảng Ngãi"),
    ("51.VPUB", "Văn phòng Ủy ban nhân dân tỉnh Quảng Ngãi"),
];

fn content(unit: &str, number: &str) -> ReportContent {
    ReportContent {
        narratives: [
            (
                "ket_qua".to_string(),
                Narrative {
                    achieved: format!(
                        "{unit} hoàn thành các nhiệm vụ chuyển đổi số đúng tiến độ; 100% văn bản điều hành được \
                         ký số và gửi nhận trên môi trường mạng."
                    ),
                    shortcomings: "Kinh phí bố trí cho hạ tầng còn hạn chế; nhân lực chuyên trách mỏng.".into(),
                },
            ),
            (
                "kien_nghi".to_string(),
                Narrative {
                    achieved: "Đề nghị Ủy ban nhân dân tỉnh bổ sung kinh phí nâng cấp hạ tầng mạng.".into(),
                    shortcomings: String::new(),
                },
            ),
        ]
        .into(),
        number_symbol: number.into(),
        signer: Signer {
            authority: Some("KT. GIÁM ĐỐC".into()),
            title: "Phó Giám đốc".into(),
            name: "Nguyễn Văn Hòa".into(),
        },
        recipients: vec!["Ủy ban nhân dân tỉnh Quảng Ngãi".into(), "Lưu: VT".into()],
    }
}

async fn step(
    services: &Services,
    by: &Principal,
    id: i64,
    step: ReportStep,
    comment: Option<&str>,
) -> domain::Result<()> {
    let row_version = services.report(by, id).await?.report.row_version;
    let input = StepInput { step, row_version, comment: comment.map(str::to_string) };
    services.report_step(by, id, &input).await.map(|_| ())
}

/// Writes and submits the report of `code` in the round, then takes it to `state`.
async fn take_to(
    services: &Services,
    by: &Principal,
    ids: &[(String, i64)],
    code: &str,
    name: &str,
    number: &str,
    state: ReportState,
) -> domain::Result<()> {
    let Some((_, id)) = ids.iter().find(|(c, _)| c == code) else { return Ok(()) };
    let id = *id;
    let row_version = services.report(by, id).await?.report.row_version;
    services.save_report(by, id, row_version, &content(name, number)).await?;
    if state == ReportState::Draft {
        return Ok(());
    }
    step(services, by, id, ReportStep::Submit, None).await?;
    match state {
        ReportState::Accepted => step(services, by, id, ReportStep::Accept, None).await,
        ReportState::Returned | ReportState::Resubmitted => {
            step(services, by, id, ReportStep::Return, Some("Bổ sung số liệu giải ngân và kết quả ký số của quý."))
                .await?;
            if state == ReportState::Resubmitted {
                step(services, by, id, ReportStep::Submit, None).await?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn round(
    services: &Services,
    by: &Principal,
    period: &Period,
    due_on: Option<chrono::NaiveDate>,
) -> domain::Result<Vec<(String, i64)>> {
    let input = OpenRoundInput {
        template: "BC_TIEN_DO_QUY".into(),
        period: period.code(),
        receiver: "51".into(),
        org_types: vec![OrgType::Internal],
        due_on,
    };
    services.open_report_round(by, &input).await?;
    let list = services
        .list_reports(
            by,
            &ReportQuery {
                template: Some("BC_TIEN_DO_QUY".into()),
                period: Some(period.code()),
                receiver: Some("51".into()),
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
    Ok(list.items.into_iter().map(|r| (r.org.code, r.id)).collect())
}

pub async fn load(services: &Services, password: &str) -> domain::Result<()> {
    for (code, name) in DEPARTMENTS {
        services.seed_internal_unit("51", code, name).await?;
    }
    let qn = services.login("qngai.quantri", password, None).await?;
    let today = services.clock().today();
    let this_quarter = Period::of(PeriodType::Quarterly, today);
    let last_quarter = Period::of(PeriodType::Quarterly, this_quarter.start().pred_opt().unwrap_or(today));

    // Last quarter: every department accepted (submitted today, after the due date: late).
    let ids = round(services, &qn, &last_quarter, None).await?;
    take_to(services, &qn, &ids, "51.SKHCN", "Sở Khoa học và Công nghệ", "31/BC-SKHCN", ReportState::Accepted).await?;
    take_to(services, &qn, &ids, "51.STC", "Sở Tài chính", "18/BC-STC", ReportState::Accepted).await?;

    // This quarter, due ten days after it ends: one report in every state.
    let ids = round(services, &qn, &this_quarter, None).await?;
    let states = [
        ("51.SKHCN", "Sở Khoa học và Công nghệ", "45/BC-SKHCN", ReportState::Accepted),
        ("51.STC", "Sở Tài chính", "27/BC-STC", ReportState::Submitted),
        ("51.SNV", "Sở Nội vụ", "12/BC-SNV", ReportState::Returned),
        ("51.SYT", "Sở Y tế", "88/BC-SYT", ReportState::Resubmitted),
        ("51.VPUB", "Văn phòng Ủy ban nhân dân tỉnh", "5/BC-VP", ReportState::Draft),
    ];
    for (code, name, number, state) in states {
        take_to(services, &qn, &ids, code, name, number, state).await?;
    }

    // The centre's yearly round for every province (due 30/11), opened by the national leader.
    let centre = services.login("cds.lanhdao", password, None).await?;
    {
        let input = OpenRoundInput {
            template: "BC_CDS_NAM".into(),
            period: today.year().to_string(),
            receiver: domain::org::ROOT_CODE.into(),
            org_types: vec![OrgType::Province],
            due_on: None,
        };
        services.open_report_round(&centre, &input).await?;
    }
    Ok(())
}
