//! Demo data, so a newcomer sees a living system: internal units and accounts in several roles
//! and places, plans made from the frameworks with tasks in every state, indicators, registries,
//! reports, citizen feedback and bulletins with an active emergency alert. Idempotent: does
//! nothing when the demo accounts exist. Everything goes through the same services as users do.

use chrono::{Days, NaiveDate};
use domain::Services;
use domain::auth::{Principal, Role};
use domain::frameworks::FrameworkKind;
use domain::org::{OrgQuery, OrgType};
use domain::services::work::{NewPlanInput, StepInput};
use domain::work::{PlanStep, ProgressInput, TaskInput, TaskQuery, TaskState};

mod bulletins;
pub mod feedback;
mod registries;
mod reports;

/// (username, full name, org code of the account, role, org code of the grant)
const ACCOUNTS: &[(&str, &str, &str, Role, &str)] = &[
    ("cds.dieuphoi", "Nguyễn Văn Điều Phối", "BKHCN.CDS", Role::Coordinator, "VN"),
    ("cds.lanhdao", "Ngô Lãnh Đạo", "BKHCN.CDS", Role::Leader, "VN"),
    ("thanhtra", "Trần Thị Thanh Tra", "TTCP", Role::Auditor, "VN"),
    ("qngai.quantri", "Lê Quản Trị", "51.SKHCN", Role::Admin, "51"),
    ("qngai.daumoi", "Phạm Đầu Mối", "51.SKHCN", Role::FocalPoint, "51"),
    ("qngai.lanhdao", "Võ Lãnh Đạo", "51.SKHCN", Role::Leader, "51.SKHCN"),
    ("qngai.chuyenvien", "Đặng Chuyên Viên", "51.SKHCN.CDS", Role::Officer, "51.SKHCN.CDS"),
    ("hanoi.quantri", "Hoàng Quản Trị", "01.SKHCN", Role::Admin, "01"),
    ("hanoi.chuyenvien", "Bùi Chuyên Viên", "01.SKHCN", Role::Officer, "01.SKHCN"),
    ("btc.daumoi", "Đỗ Đầu Mối", "BTC", Role::FocalPoint, "BTC"),
];

const UNITS: &[(&str, &str, &str)] = &[
    ("BKHCN", "BKHCN.CDS", "Cục Chuyển đổi số quốc gia"),
    ("51", "51.SKHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"),
    ("51.SKHCN", "51.SKHCN.CDS", "Phòng Chuyển đổi số"),
    ("01", "01.SKHCN", "Sở Khoa học và Công nghệ thành phố Hà Nội"),
];

/// Loads the demo data; returns the usernames created (empty when already there).
pub async fn load(services: &Services, password: &str) -> domain::Result<Vec<&'static str>> {
    if services.org_by_code("51.SKHCN", None).await.is_ok() {
        return Ok(Vec::new());
    }
    for (parent, code, name) in UNITS {
        services.seed_internal_unit(parent, code, name).await?;
    }
    let mut created = Vec::new();
    for (username, full_name, org, role, grant_org) in ACCOUNTS {
        services.seed_user(username, full_name, org, *role, grant_org, password).await?;
        created.push(*username);
    }
    work(services, password).await?;
    indicator_values(services, password).await?;
    registries::load(services, password).await?;
    reports::load(services, password).await?;
    feedback::load(services, password).await?;
    bulletins::load(services, password).await?;
    created.extend(feedback::PEOPLE.iter().map(|p| p.0));
    Ok(created)
}

async fn framework_id(services: &Services, kind: FrameworkKind) -> domain::Result<i64> {
    let all = services.frameworks().await?;
    all.iter()
        .find(|f| f.kind == kind)
        .map(|f| f.id)
        .ok_or_else(|| domain::DomainError::not_found("khung kế hoạch", kind.as_str()))
}

async fn plan(
    services: &Services,
    by: &Principal,
    org: &str,
    title: &str,
    period: &str,
    frameworks: Vec<i64>,
) -> domain::Result<i64> {
    let template = services.templates().first().map(|t| t.code.clone()).unwrap_or_default();
    let input = NewPlanInput {
        org: org.into(),
        title: title.into(),
        period: period.into(),
        template,
        frameworks,
        items: Vec::new(),
    };
    Ok(services.create_plan(by, &input).await?.id)
}

async fn steps(services: &Services, by: &Principal, id: i64, steps: &[PlanStep], on: NaiveDate) -> domain::Result<()> {
    for step in steps {
        let row_version = services.plan(by, id).await?.row_version;
        let input = StepInput {
            step: *step,
            row_version,
            decision_number: Some(format!("{}/QĐ-UBND", 100 + id)),
            decision_date: Some(on),
            note: Some("Đề nghị bổ sung dự toán kinh phí".into()),
        };
        services.plan_step(by, id, &input).await?;
    }
    Ok(())
}

async fn progress(
    services: &Services,
    by: &Principal,
    task: i64,
    state: TaskState,
    percent: u8,
    done: Option<NaiveDate>,
    note: &str,
) -> domain::Result<()> {
    let row_version = services.task(by, task).await?.row_version;
    let input = ProgressInput {
        state: Some(state),
        progress: Some(percent),
        completed_on: done,
        note: Some(note.into()),
        row_version,
    };
    services.report_progress(by, task, &input).await.map(|_| ())
}

/// Plans of Quảng Ngãi (running, with tasks in every state), Hà Nội (a draft), the Ministry of
/// Finance (submitted) and a commune of Quảng Ngãi (its own tasks, running).
async fn work(services: &Services, password: &str) -> domain::Result<()> {
    let today = services.clock().today();
    let year = chrono::Datelike::year(&today);
    let login = |u: &'static str| services.login(u, password, None);
    let admin = login("qngai.quantri").await?;
    let focal = login("qngai.daumoi").await?;
    let officer = login("qngai.chuyenvien").await?;
    let provincial = framework_id(services, FrameworkKind::Provincial).await?;
    let ministry = framework_id(services, FrameworkKind::Ministry).await?;

    // Quảng Ngãi: adopted from the provincial framework, approved and running.
    let qn = plan(
        services,
        &focal,
        "51",
        &format!("Kế hoạch chuyển đổi số tỉnh Quảng Ngãi năm {year}"),
        &year.to_string(),
        vec![provincial],
    )
    .await?;
    let extra = TaskInput {
        code: Some("QN.1".into()),
        title: "Số hóa hồ sơ thủ tục hành chính cấp tỉnh".into(),
        description: "Số hóa 100% hồ sơ tiếp nhận tại Trung tâm phục vụ hành chính công.".into(),
        lead: Some("51.SKHCN.CDS".into()),
        coordinating: vec!["51.SKHCN".into()],
        assignees: vec!["qngai.chuyenvien".into()],
        start_date: today.checked_sub_days(Days::new(20)),
        deadline: today.checked_add_days(Days::new(25)),
        ..TaskInput::default()
    };
    services.create_task(&focal, qn, &extra).await?;
    let tasks =
        services.list_tasks(&admin, &TaskQuery { plan_id: Some(qn), limit: Some(200), ..TaskQuery::default() }).await?;
    for t in &tasks.items {
        let row_version = services.task(&admin, t.id).await?.row_version;
        services.assign_task(&admin, t.id, row_version, &["qngai.chuyenvien".to_string()]).await?;
    }
    steps(services, &admin, qn, &[PlanStep::Submit, PlanStep::Approve, PlanStep::Start], today).await?;
    // Tasks in every state: completed on time and late (rated), in progress, paused, cancelled,
    // the rest not started (overdue when their deadline has passed).
    for (i, t) in tasks.items.iter().enumerate() {
        let t = services.task(&admin, t.id).await?;
        let before = t.deadline.checked_sub_days(Days::new(3)).filter(|d| *d <= today);
        let after = t.deadline.checked_add_days(Days::new(10)).filter(|d| *d <= today);
        match i % 6 {
            0 if before.is_some() => {
                progress(
                    services,
                    &officer,
                    t.id,
                    TaskState::Completed,
                    100,
                    before,
                    "Đã hoàn thành, có văn bản ban hành",
                )
                .await?;
                let v = services.task(&admin, t.id).await?.row_version;
                services.rate_task(&admin, t.id, v, 5).await?;
            }
            1 if after.is_some() => {
                progress(
                    services,
                    &officer,
                    t.id,
                    TaskState::Completed,
                    100,
                    after,
                    "Hoàn thành chậm do chờ ý kiến các sở",
                )
                .await?;
                let v = services.task(&admin, t.id).await?.row_version;
                services.rate_task(&admin, t.id, v, 3).await?;
            }
            2 | 3 => {
                progress(
                    services,
                    &officer,
                    t.id,
                    TaskState::InProgress,
                    40 + 10 * (i % 5) as u8,
                    None,
                    "Đang triển khai",
                )
                .await?
            }
            4 if i % 12 == 4 => {
                progress(services, &admin, t.id, TaskState::Paused, 20, None, "Tạm dừng chờ bố trí kinh phí").await?
            }
            4 => {
                progress(
                    services,
                    &admin,
                    t.id,
                    TaskState::Cancelled,
                    0,
                    None,
                    "Không còn phù hợp sau sắp xếp đơn vị hành chính",
                )
                .await?
            }
            _ => {}
        }
    }
    services.comment_task(&officer, tasks.items[0].id, "Đã gửi dự thảo xin ý kiến các sở, ngành.").await?;

    // This week's schedule of the department, published, with two meetings for its leader.
    let monday = today.checked_sub_days(Days::new(u64::from(chrono::Datelike::weekday(&today).num_days_from_monday())));
    if let Some(monday) = monday {
        let at = |day: u64, hour: u32| {
            monday
                .checked_add_days(Days::new(day))
                .and_then(|d| d.and_hms_opt(hour, 0, 0))
                .map(|t| t.and_utc() - chrono::Duration::hours(7))
        };
        for (title, place, day, start, end, preparing) in [
            ("Giao ban tuần của Sở", "Phòng họp số 1", 0, 8, 10, "51.SKHCN"),
            (
                "Làm việc với Cục Chuyển đổi số quốc gia về nền tảng dữ liệu tỉnh",
                "Hội trường UBND tỉnh",
                2,
                14,
                17,
                "51.SKHCN.CDS",
            ),
            ("Kiểm tra tiến độ số hóa hồ sơ tại xã", "UBND xã", 3, 8, 11, "51.SKHCN.CDS"),
        ] {
            let input = domain::schedule::ScheduleEventInput {
                org: Some("51.SKHCN".into()),
                starts_at: at(day, start),
                ends_at: at(day, end),
                title: title.into(),
                place: place.into(),
                chair: Some("qngai.lanhdao".into()),
                participants: vec!["qngai.chuyenvien".into()],
                preparing_org: Some(preparing.into()),
                ..Default::default()
            };
            services.create_schedule_event(&admin, &input).await?;
        }
        services.publish_schedule_week(&admin, "51.SKHCN", monday).await?;
    }

    // Hà Nội: a draft from the same framework.
    let hanoi = login("hanoi.quantri").await?;
    plan(
        services,
        &hanoi,
        "01",
        &format!("Kế hoạch chuyển đổi số thành phố Hà Nội năm {year}"),
        &year.to_string(),
        vec![provincial],
    )
    .await?;

    // Ministry of Finance: from the ministry framework, submitted for approval.
    let btc = login("btc.daumoi").await?;
    let m = plan(
        services,
        &btc,
        "BTC",
        &format!("Kế hoạch chuyển đổi số Bộ Tài chính năm {year}"),
        &year.to_string(),
        vec![ministry],
    )
    .await?;
    steps(services, &btc, m, &[PlanStep::Submit], today).await?;

    // A commune of Quảng Ngãi: its own tasks, running.
    let province = services.org_by_code("51", None).await?;
    let communes = services
        .list_orgs(&OrgQuery {
            parent_id: Some(province.id),
            as_of: Some(today),
            org_type: Some(OrgType::Commune),
            offset: 0,
            limit: 1,
            ..OrgQuery::default()
        })
        .await?;
    if let Some(commune) = communes.items.first() {
        let c = plan(
            services,
            &admin,
            &commune.code,
            &format!("Kế hoạch chuyển đổi số {} năm {year}", commune.name),
            &year.to_string(),
            vec![],
        )
        .await?;
        for (n, (title, days)) in [
            ("Lắp đặt cụm loa thông minh tại các thôn", 30u64),
            ("Tập huấn kỹ năng số cho tổ công nghệ số cộng đồng", 60),
            ("Cập nhật dữ liệu dân cư phục vụ dịch vụ công", 15),
        ]
        .into_iter()
        .enumerate()
        {
            let input = TaskInput {
                code: Some(format!("X.{}", n + 1)),
                title: title.into(),
                lead: Some(commune.code.clone()),
                start_date: today.checked_sub_days(Days::new(10)),
                deadline: today.checked_add_days(Days::new(days)),
                ..TaskInput::default()
            };
            services.create_task(&admin, c, &input).await?;
        }
        steps(services, &admin, c, &[PlanStep::Submit, PlanStep::Approve, PlanStep::Start], today).await?;
    }
    Ok(())
}

/// Quảng Ngãi's figures of last year and this year — last year's security spending below 10 % of
/// IT spending, so the data-quality page has a finding — its monthly administrative procedure
/// files so far this year, and targets for its IT and DX spending.
async fn indicator_values(services: &Services, password: &str) -> domain::Result<()> {
    use domain::indicators::{Dhis2DataValue, Period, PeriodType};
    use domain::services::indicator_entry::TargetInput;
    let admin = services.login("qngai.quantri", password, None).await?;
    let today = services.clock().today();
    let year = chrono::Datelike::year(&today);
    let (last, this) = ((year - 1).to_string(), year.to_string());
    let row = |de: &str, pe: &str, ou: &str, value: &str, comment: Option<&str>| Dhis2DataValue {
        data_element: de.into(),
        period: pe.into(),
        org_unit: ou.into(),
        value: value.into(),
        comment: comment.map(str::to_string),
        ..Default::default()
    };
    let mut rows = vec![
        row("TONG_CHI_NS", &last, "51", "18500000", Some("Quyết toán ngân sách")),
        row("CHI_CNTT", &last, "51", "96500", Some("Quyết toán")),
        row("CHI_ATTT", &last, "51", "8200", Some("Quyết toán")),
        row("CHI_CDS", &last, "51", "205000", Some("Quyết toán")),
        row("CO_CHINH_SACH_TY_LE_CHI", &last, "51", "true", Some("Nghị quyết của HĐND tỉnh")),
        row("TONG_CHI_NS", &this, "51", "19200000", Some("Dự toán")),
        row("CHI_CNTT", &this, "51", "104000", Some("Dự toán")),
        row("CHI_ATTT", &this, "51", "11200", Some("Dự toán")),
        row("CHI_CDS", &this, "51", "215000", Some("Dự toán")),
        row("CHI_CNTT", &this, "51.SKHCN", "12500", None),
        row("CHI_ATTT", &this, "51.SKHCN", "1500", None),
    ];
    for (i, month) in Period::of(PeriodType::Yearly, today).months().into_iter().filter(|m| m.end() < today).enumerate()
    {
        let files = 5200 + 140 * i;
        rows.push(row("SO_HO_SO_TTHC", &month.code(), "51", &files.to_string(), None));
        rows.push(row(
            "SO_HO_SO_TTHC_TOAN_TRINH",
            &month.code(),
            "51",
            &(files * (45 + 2 * i) / 100).to_string(),
            None,
        ));
    }
    let summary = services.import_data_values(&admin, &rows, false).await?;
    if summary.status != "SUCCESS" {
        let conflicts: Vec<String> = summary.conflicts.iter().map(|c| format!("{}: {}", c.row, c.value)).collect();
        return Err(domain::DomainError::Conflict(format!("số liệu mẫu: {}", conflicts.join("; "))));
    }
    for (code, value) in [("CHI_CNTT", 110_000.0), ("CHI_CDS", 230_000.0)] {
        let target = TargetInput {
            org: "51".into(),
            period: this.clone(),
            value,
            note: Some("Kế hoạch chuyển đổi số của tỉnh".into()),
        };
        services.set_targets(&admin, code, &[target]).await?;
    }
    Ok(())
}
