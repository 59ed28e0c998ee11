//! The pages of frameworks, plans, tasks and the national view, used as an official would: forms
//! with CSRF tokens, file uploads, conflicts between two editors, Vietnamese text and formats.

use chrono::{NaiveDate, TimeZone, Utc};
use domain::auth::Role;
use domain::frameworks::FrameworkKind;
use domain::services::work::{NewPlanInput, StepInput};
use domain::work::{PlanStep, TaskInput};
use reqwest::{Client, StatusCode};

use crate::harness::{PASSWORD, TestApp};

/// 02:00 on 22/11/2026 in Vietnam.
pub fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 19, 0, 0).unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A `multipart/form-data` body as a browser sends it: the CSRF token, text fields, one file.
pub fn multipart(csrf: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----dxgovFormBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    };
    if !csrf.is_empty() {
        text("csrf", csrf);
    }
    for (k, v) in fields {
        text(k, v);
    }
    if let Some((name, file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form as a signed-in browser.
pub async fn post_multipart(
    app: &TestApp,
    client: &Client,
    path: &str,
    (content_type, body): (String, Vec<u8>),
) -> reqwest::Response {
    client.post(app.url(path)).header("content-type", content_type).body(body).send().await.unwrap()
}

/// A draft plan of province A (51) for 2026, with the provincial framework's items as tasks when
/// `adopt` is set.
pub async fn draft_plan(app: &TestApp, title: &str, adopt: bool) -> i64 {
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let frameworks = if adopt {
        let list = s.frameworks().await.unwrap();
        vec![list.iter().find(|f| f.kind == FrameworkKind::Provincial).unwrap().id]
    } else {
        Vec::new()
    };
    let input = NewPlanInput {
        org: "51".into(),
        title: title.into(),
        period: "2026".into(),
        template: s.templates()[0].code.clone(),
        frameworks,
        items: Vec::new(),
    };
    s.create_plan(&admin, &input).await.unwrap().id
}

/// Submits, approves and starts a plan as A's admin (who holds every role in 51).
pub async fn run_plan(app: &TestApp, id: i64) {
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    for step in [PlanStep::Submit, PlanStep::Approve, PlanStep::Start] {
        let row_version = s.plan(&admin, id).await.unwrap().row_version;
        let input = StepInput {
            step,
            row_version,
            decision_number: Some("9/QĐ-UBND".into()),
            decision_date: Some(d(2026, 11, 20)),
            note: None,
        };
        s.plan_step(&admin, id, &input).await.unwrap();
    }
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The value of the first hidden `row_version` field of a page.
fn row_version_in(html: &str) -> String {
    let re = regex::Regex::new(r#"name="row_version" value="(\d+)""#).unwrap();
    re.captures(html).unwrap_or_else(|| panic!("no row_version in {html}"))[1].to_string()
}

#[tokio::test]
async fn a_plan_made_through_the_forms_shows_its_tasks_workflow_and_versions() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let provincial = s.frameworks().await.unwrap().into_iter().find(|f| f.kind == FrameworkKind::Provincial).unwrap();

    // The frameworks are there to read, with their groups, counts, deadlines and citations.
    let (st, html) = get(&app, &client, "/frameworks").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("36 nhiệm vụ trong 12 nhóm"), "{html}");
    let (st, html) = get(&app, &client, &format!("/frameworks/{}", provincial.id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("30/11 hằng năm") && html.contains("Nguồn: 002_"), "{html}");
    assert!(html.contains("Khung kế hoạch") && html.contains("Đơn vị hỗ trợ"));

    // The form suggests the unit where the user may make plans and this year.
    let (st, html) = get(&app, &client, "/plans/new").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains(r#"name="org" value="51""#) && html.contains(r#"name="period" value="2026""#), "{html}");
    assert!(html.contains(&format!(r#"name="frameworks" value="{}""#, provincial.id)));
    let template = s.templates()[0].code.clone();
    let fw = provincial.id.to_string();
    let (app_ref, client_ref, csrf_ref) = (&app, &client, &csrf);
    let new_plan = |period: &'static str| {
        let form = [
            ("org", "51"),
            ("title", "Kế hoạch CĐS Quảng Ngãi 2026"),
            ("period", period),
            ("template", template.as_str()),
            ("frameworks", fw.as_str()),
        ];
        async move { app_ref.post_form(client_ref, csrf_ref, "/plans", &form).await }
    };
    // A wrong period re-shows the form with what was typed.
    let res = new_plan("năm nay").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("2021-2025") && html.contains(r#"value="Kế hoạch CĐS Quảng Ngãi 2026""#), "{html}");
    let res = new_plan("2026").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id: i64 = to.trim_start_matches("/plans/").split('?').next().unwrap().parse().unwrap();

    let (st, html) = get(&app, &client, &to).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.len() < 100 * 1024, "plan page is {} bytes", html.len());
    assert!(html.contains("Đã tạo kế hoạch.") && html.contains("Dự thảo"), "{html}");
    assert!(html.contains("Nhiệm vụ <small>(36)</small>"), "the framework's 36 items are the plan's tasks");
    assert!(html.contains("30/11/2026"), "deadlines as dd/mm/yyyy");
    assert!(html.contains("+ Thêm nhiệm vụ") && html.contains(&format!("/plans/{id}/import")));
    assert!(html.contains(r#"value="submit""#) && !html.contains(r#"value="close""#), "only the steps allowed now");
    let (_, list) = get(&app, &client, "/plans?org=51&year=2026").await;
    assert!(list.contains("Kế hoạch CĐS Quảng Ngãi 2026") && list.contains("1 kế hoạch"), "{list}");
    let (_, list) = get(&app, &client, "/plans?status=approved").await;
    assert!(!list.contains("Kế hoạch CĐS Quảng Ngãi 2026"));

    // A task through the form: a deadline before the start is refused with the text kept.
    let (st, html) = get(&app, &client, &format!("/plans/{id}/tasks/new")).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    let task = |start: &'static str| {
        vec![
            ("code", "R.1"),
            ("title", "Số hóa hồ sơ lưu trữ"),
            ("lead", "51.SKHCN"),
            ("coordinating", "01; 51"),
            ("assignees", "a.officer"),
            ("start_date", start),
            ("deadline", "2026-12-15"),
        ]
    };
    let res = app.post_form(&client, &csrf, &format!("/plans/{id}/tasks"), &task("2026-12-20")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("trước ngày bắt đầu (20/12/2026)") && html.contains(r#"value="Số hóa hồ sơ lưu trữ""#),
        "{html}"
    );
    let res = app.post_form(&client, &csrf, &format!("/plans/{id}/tasks"), &task("01/12/2026")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &client, &location(&res)).await;
    assert!(html.contains("Đã thêm nhiệm vụ.") && html.contains("Số hóa hồ sơ lưu trữ"));
    assert!(html.contains("01/12/2026") && html.contains("15/12/2026"), "{html}");
    assert!(html.contains("Sở Khoa học và Công nghệ tỉnh Quảng Ngãi (51.SKHCN)"));
    assert!(html.contains("Chuyên viên Quảng Ngãi (a.officer)") && html.contains("Thành phố Hà Nội (01)"), "{html}");

    // The workflow: submit; approving needs the decision's number; then a version is kept.
    let v = row_version_in(&get(&app, &client, &format!("/plans/{id}")).await.1);
    let steps = format!("/plans/{id}/steps");
    let res = app.post_form(&client, &csrf, &steps, &[("step", "submit"), ("row_version", &v)]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, format!("/plans/{id}?ok=submit")));
    let (_, html) = get(&app, &client, &location(&res)).await;
    assert!(html.contains("Đã trình phê duyệt.") && html.contains("Số, ký hiệu quyết định"), "{html}");
    assert!(!html.contains("+ Thêm nhiệm vụ"), "a submitted plan takes no new task");
    let v = row_version_in(&html);
    let res = app
        .post_form(&client, &csrf, &steps, &[("step", "approve"), ("row_version", &v), ("decision_date", "2026-11-20")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("cần số, ký hiệu quyết định phê duyệt"));
    let res = app
        .post_form(
            &client,
            &csrf,
            &steps,
            &[
                ("step", "approve"),
                ("row_version", &v),
                ("decision_number", "125/QĐ-UBND"),
                ("decision_date", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &client, &location(&res)).await;
    assert!(html.contains("Đã phê duyệt kế hoạch.") && html.contains("125/QĐ-UBND ngày 20/11/2026"), "{html}");
    assert!(html.contains(&format!("/plans/{id}/versions/1")));
    let (st, html) = get(&app, &client, &format!("/plans/{id}/versions/1")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Phiên bản 1") && html.contains("Không có (phiên bản đầu tiên)"), "{html}");
    assert!(html.contains("Nhiệm vụ thêm mới <small>(37)</small>"), "{html}");
}

#[tokio::test]
async fn a_plan_revised_and_approved_again_compares_its_versions_line_by_line() {
    let app = TestApp::spawn_at(start()).await;
    let id = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let plan = s.plan(&admin, id).await.unwrap();
    let mut sections = plan.sections.clone();
    sections[0].html = "<p>Quyết định số 749/QĐ-TTg</p>".into();
    s.update_plan(&admin, id, plan.row_version, &plan.title, &sections).await.unwrap();
    run_plan(&app, id).await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let v = row_version_in(&get(&app, &client, &format!("/plans/{id}")).await.1);
    let res =
        app.post_form(&client, &csrf, &format!("/plans/{id}/steps"), &[("step", "revise"), ("row_version", &v)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (st, form) = get(&app, &client, &format!("/plans/{id}/edit")).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    let v = row_version_in(&form);
    let titles: Vec<String> = regex::Regex::new(r#"name="section_title" value="([^"]*)""#)
        .unwrap()
        .captures_iter(&form)
        .map(|c| c[1].to_string())
        .collect();
    assert!(!titles.is_empty());
    let mut fields: Vec<(&str, &str)> = vec![("row_version", &v), ("title", "Kế hoạch CĐS năm 2026 (điều chỉnh)")];
    for (i, t) in titles.iter().enumerate() {
        fields.push(("section_title", t));
        fields
            .push(("section_html", if i == 0 { "<p>Nghị quyết số 57-NQ/TW</p><script>alert(1)</script>" } else { "" }));
    }
    let res = app.post_form(&client, &csrf, &format!("/plans/{id}/edit"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &client, &format!("/plans/{id}")).await;
    assert!(html.contains("<p>Nghị quyết số 57-NQ/TW</p>"), "sanitised HTML is shown as HTML");
    assert!(!html.contains("<script>alert(1)"), "scripts never reach the page");
    for step in [PlanStep::Submit, PlanStep::Approve] {
        let row_version = s.plan(&admin, id).await.unwrap().row_version;
        let input = StepInput {
            step,
            row_version,
            decision_number: Some("140/QĐ-UBND".into()),
            decision_date: Some(d(2026, 11, 21)),
            note: None,
        };
        s.plan_step(&admin, id, &input).await.unwrap();
    }
    let (st, html) = get(&app, &client, &format!("/plans/{id}/versions/2")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Phiên bản 2 so với phiên bản 1") && html.contains("140/QĐ-UBND ngày 21/11/2026"), "{html}");
    assert!(
        html.contains(r#"<div class="diff-add"><span aria-hidden="true">+ </span>Nghị quyết số 57-NQ/TW</div>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<div class="diff-del"><span aria-hidden="true">− </span>Quyết định số 749/QĐ-TTg</div>"#),
        "{html}"
    );
    let (st, _) = get(&app, &client, &format!("/plans/{id}/versions/3")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_second_editor_sees_the_first_ones_change_and_keeps_their_own_text() {
    let app = TestApp::spawn_at(start()).await;
    let id = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let input = TaskInput {
        code: Some("R.1".into()),
        title: "Số hóa hồ sơ lưu trữ".into(),
        deadline: Some(d(2026, 12, 1)),
        ..TaskInput::default()
    };
    let tid = s.create_task(&admin, id, &input).await.unwrap().id;
    s.seed_user("a.daumoi", "Đầu mối Quảng Ngãi", "51.SKHCN", Role::FocalPoint, "51", PASSWORD).await.unwrap();
    let (first, first_csrf) = app.sign_in("a.admin", PASSWORD).await;
    let (second, second_csrf) = app.sign_in("a.daumoi", PASSWORD).await;
    let edit = format!("/tasks/{tid}/edit");
    let (st, form) = get(&app, &second, &edit).await;
    assert_eq!(st, StatusCode::OK, "{form}");
    assert_eq!(row_version_in(&form), "1");
    assert!(form.contains(r#"value="2026-12-01""#), "a date input holds yyyy-mm-dd");
    let fields = |title: &'static str, deadline: &'static str, v: &str| {
        vec![
            ("row_version", v.to_string()),
            ("code", "R.1".into()),
            ("title", title.into()),
            ("deadline", deadline.into()),
        ]
    };
    let post = |client: &Client, csrf: &str, f: Vec<(&'static str, String)>| {
        let mut form: Vec<(&str, String)> = vec![("csrf", csrf.to_string())];
        form.extend(f);
        client.post(app.url(&edit)).form(&form).send()
    };
    let res = post(&first, &first_csrf, fields("Số hóa hồ sơ lưu trữ", "15/12/2026", "1")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The second editor saves over version 1: nothing is written, the page says what changed and
    // keeps the typed text, with the current version so that saving again works.
    let res = post(&second, &second_csrf, fields("Số hóa toàn bộ hồ sơ", "2026-12-01", "1")).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Người khác đã sửa"), "{html}");
    assert!(html.contains("Hạn hoàn thành: 01/12/2026 → 15/12/2026 (Quản trị Quảng Ngãi"), "{html}");
    assert!(html.contains(r#"value="Số hóa toàn bộ hồ sơ""#), "the user's text is kept");
    assert_eq!(row_version_in(&html), "2");
    assert_eq!(s.task(&admin, tid).await.unwrap().title, "Số hóa hồ sơ lưu trữ", "nothing written");
    let res = post(&second, &second_csrf, fields("Số hóa toàn bộ hồ sơ", "2026-12-01", "2")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = s.task(&admin, tid).await.unwrap();
    assert_eq!((t.title.as_str(), t.deadline), ("Số hóa toàn bộ hồ sơ", d(2026, 12, 1)));

    // The same for the plan's sections.
    let (_, a_form) = get(&app, &first, &format!("/plans/{id}/edit")).await;
    let (_, b_form) = get(&app, &second, &format!("/plans/{id}/edit")).await;
    let title =
        regex::Regex::new(r#"name="section_title" value="([^"]*)""#).unwrap().captures(&a_form).unwrap()[1].to_string();
    let save = |client: &Client, csrf: &str, v: String, text: &'static str| {
        let form = vec![
            ("csrf", csrf.to_string()),
            ("row_version", v),
            ("title", "Kế hoạch CĐS năm 2026".to_string()),
            ("section_title", title.clone()),
            ("section_html", text.to_string()),
        ];
        client.post(app.url(&format!("/plans/{id}/edit"))).form(&form).send()
    };
    let res = save(&first, &first_csrf, row_version_in(&a_form), "<p>Căn cứ Quyết định 749/QĐ-TTg</p>").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = save(&second, &second_csrf, row_version_in(&b_form), "<p>Căn cứ Nghị quyết 57-NQ/TW của tôi</p>")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Người khác đã sửa kế hoạch này") && html.contains("kế hoạch đã được lưu lúc"), "{html}");
    assert!(html.contains("Căn cứ Nghị quyết 57-NQ/TW của tôi"), "the user's text is kept");
    assert_ne!(row_version_in(&html), row_version_in(&b_form));
}

#[tokio::test]
async fn progress_evidence_comments_and_rating_through_the_task_page() {
    let app = TestApp::spawn_at(start()).await;
    let id = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let input = TaskInput {
        code: Some("1".into()),
        title: "Báo cáo kết quả chuyển đổi số".into(),
        assignees: vec!["a.officer".into()],
        deadline: Some(d(2026, 11, 30)),
        ..TaskInput::default()
    };
    let tid = s.create_task(&admin, id, &input).await.unwrap().id;
    let (officer, csrf) = app.sign_in("a.officer", PASSWORD).await;
    let page = format!("/tasks/{tid}");
    let (st, html) = get(&app, &officer, &page).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!html.contains("Cập nhật tiến độ"), "no progress while the plan is a draft");
    run_plan(&app, id).await;

    let (_, html) = get(&app, &officer, &page).await;
    assert!(html.contains("Cập nhật tiến độ") && !html.contains("Sửa nhiệm vụ"), "{html}");
    assert!(!html.contains("Đánh giá chất lượng</h2>"), "an officer does not rate");
    let v = row_version_in(&html);
    let res = app
        .post_form(
            &officer,
            &csrf,
            &format!("/tasks/{tid}/progress"),
            &[("row_version", &v), ("state", "in_progress"), ("progress", "40"), ("note", "Đã dự thảo báo cáo")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &officer, &location(&res)).await;
    assert!(html.contains("Đã cập nhật tiến độ.") && html.contains(r#"<progress max="100" value="40">"#), "{html}");
    assert!(html.contains("Tiến độ: 0% → 40%") && html.contains("Đã dự thảo báo cáo"), "history with changes");
    // A stale progress report keeps what was typed and says what changed.
    let res = app
        .post_form(
            &officer,
            &csrf,
            &format!("/tasks/{tid}/progress"),
            &[("row_version", &v), ("state", "in_progress"), ("progress", "60"), ("note", "Ghi chú giữ lại")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Tiến độ: 0% → 40%") && html.contains("Ghi chú giữ lại") && html.contains(r#"value="60""#),
        "{html}"
    );

    // Evidence: a PDF upload (larger than the general 1 MiB body limit), then its download.
    let mut pdf = b"%PDF-1.4\n% bao cao ket qua\n".to_vec();
    pdf.resize(1_500_000, b' ');
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart(&csrf, &[], Some(("file", "Báo cáo kết quả.pdf", &pdf))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    let (_, html) = get(&app, &officer, &page).await;
    let link = regex::Regex::new(&format!(
        r#"href="(/tasks/{tid}/evidence/\d+)">Báo cáo kết quả.pdf</a> <small>\(1.465 KB\)"#
    ))
    .unwrap()
    .captures(&html)
    .unwrap_or_else(|| panic!("{html}"))[1]
        .to_string();
    let res = officer.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    // Another task's path does not serve it.
    let other = s.create_task(&admin, draft_plan(&app, "Kế hoạch khác", false).await, &input).await.unwrap().id;
    let res = officer
        .get(app.url(&link.replace(&format!("/tasks/{tid}/"), &format!("/tasks/{other}/"))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A renamed executable is refused with the field's message beside the form.
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart(&csrf, &[], Some(("file", "bao-cao.pdf", b"MZ\x90\x00virus"))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("nội dung tệp không phải là tệp .pdf"), "{html}");
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart(&csrf, &[], Some(("file", "virus.exe", b"MZ\x90\x00"))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("chỉ nhận tệp PDF, Word, Excel"));
    // A link instead of a file; a form without the CSRF token is refused; a file over 10 MB too.
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart(
            &csrf,
            &[("url", "https://dichvucong.quangngai.gov.vn"), ("title", "Cổng dịch vụ công")],
            Some(("file", "", b"")),
        ),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart("", &[], Some(("file", "a.pdf", b"%PDF-1.4"))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(12 * 1024 * 1024, b' ');
    let res = post_multipart(
        &app,
        &officer,
        &format!("/tasks/{tid}/evidence"),
        multipart(&csrf, &[], Some(("file", "lon.pdf", &huge))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let detail = s.task_detail(&admin, tid).await.unwrap();
    assert_eq!(detail.evidence.len(), 2, "the PDF and the link");

    // Completed, commented, rated by the leader (A's admin holds the role).
    let v = row_version_in(&get(&app, &officer, &page).await.1);
    let res = app
        .post_form(
            &officer,
            &csrf,
            &format!("/tasks/{tid}/progress"),
            &[("row_version", &v), ("state", "completed"), ("progress", "100"), ("completed_on", "2026-11-21")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res =
        app.post_form(&officer, &csrf, &format!("/tasks/{tid}/comments"), &[("text", "Đã gửi báo cáo cho Sở")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (leader, leader_csrf) = app.sign_in("a.admin", PASSWORD).await;
    let (_, html) = get(&app, &leader, &page).await;
    assert!(
        html.contains("Hoàn thành") && html.contains("21/11/2026") && html.contains("Đã gửi báo cáo cho Sở"),
        "{html}"
    );
    assert!(html.contains("Đánh giá chất lượng</h2>") && html.contains("Phân công</h2>"));
    let v = row_version_in(&html);
    let res = app
        .post_form(&leader, &leader_csrf, &format!("/tasks/{tid}/rating"), &[("row_version", &v), ("rating", "4")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&app, &leader, &location(&res)).await;
    assert!(html.contains("4/5") && html.contains("Đã đánh giá chất lượng."), "{html}");
    let res = app
        .post_form(
            &leader,
            &leader_csrf,
            &format!("/tasks/{tid}/assignees"),
            &[("row_version", &row_version_in(&html)), ("assignees", "khong.co")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("không có người dùng") && html.contains("khong.co"), "{html}");
}

#[tokio::test]
async fn the_task_list_filters_sorts_exports_and_draws_the_timeline() {
    let app = TestApp::spawn_at(start()).await;
    let id = draft_plan(&app, "Kế hoạch CĐS năm 2026", true).await;
    let id2 = draft_plan(&app, "Kế hoạch xây dựng kho dữ liệu", false).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let parent = s
        .create_task(
            &admin,
            id2,
            &TaskInput {
                code: Some("Z.1".into()),
                title: "Xây dựng kho dữ liệu".into(),
                start_date: Some(d(2026, 11, 1)),
                deadline: Some(d(2026, 12, 31)),
                ..TaskInput::default()
            },
        )
        .await
        .unwrap();
    s.create_task(
        &admin,
        id2,
        &TaskInput {
            code: Some("Z.1.1".into()),
            title: "Khảo sát nguồn dữ liệu".into(),
            deadline: Some(d(2026, 12, 10)),
            parent_id: Some(parent.id),
            ..TaskInput::default()
        },
    )
    .await
    .unwrap();
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;

    let (st, html) = get(&app, &client, &format!("/tasks?plan={id}&status=overdue&sort=code")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.len() < 100 * 1024);
    let overdue = s
        .list_tasks(
            &admin,
            &domain::work::TaskQuery {
                plan_id: Some(id),
                status: Some(domain::work::TaskStatus::Overdue),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .total;
    assert!(overdue > 0);
    assert!(html.contains(&format!("<strong>{overdue}</strong> nhiệm vụ")), "{html}");
    assert!(html.contains(r#"<span class="st st-overdue">Quá hạn</span>"#));
    assert!(!html.contains("st-not_started"), "only overdue tasks");
    let query = format!("plan={id}&#38;status=overdue&#38;sort=code");
    assert!(
        html.contains(&format!("/api/v1/tasks/export.xlsx?{query}"))
            && html.contains(&format!("/api/v1/tasks/export.csv?{query}")),
        "{html}"
    );
    assert!(html.contains(&format!("/tasks/timeline?{query}")));
    assert!(
        html.contains(r#"<option value="overdue" selected>"#) && html.contains(r#"<option value="code" selected>"#)
    );
    // Words without diacritics, and paging with the total.
    let (_, html) = get(&app, &client, &format!("/tasks?plan={id2}&q=kho%20du%20LIEU")).await;
    assert!(html.contains("Xây dựng kho dữ liệu") && html.contains("<strong>1</strong> nhiệm vụ"), "{html}");
    let (_, html) = get(&app, &client, &format!("/tasks?plan={id}")).await;
    assert!(html.contains("<strong>36</strong> nhiệm vụ") && !html.contains("Trang sau →"), "{html}");
    let (_, html) = get(&app, &client, &format!("/tasks?plan={id}&offset=30")).await;
    assert!(html.contains("← Trang trước") && html.matches("<tr><td>").count() == 6, "{html}");
    // A wrong filter is said, not failed.
    let (st, html) = get(&app, &client, "/tasks?org=99.KHONGCO").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("không có đơn vị mã") && html.contains("99.KHONGCO"), "{html}");
    let (st, html) = get(&app, &client, "/tasks?from=30/02/2026").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("dd/mm/yyyy"));

    // The export link gives the same tasks.
    let res = client
        .get(app.url(&format!("/api/v1/tasks/export.csv?plan={id}&status=overdue&sort=code")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let table = reports::read_csv(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(table.rows.len() as u64, overdue);
    assert!(table.rows.iter().all(|r| r.get(table.column("Trạng thái").unwrap()) == "Quá hạn"));

    // The timeline: one bar per task, the subtask right under its parent and indented.
    let (st, html) = get(&app, &client, &format!("/tasks/timeline?plan={id2}&sort=deadline")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("Hôm nay") && html.contains("2 trên 2 nhiệm vụ"), "{html}");
    let parent_at = html.find("Z.1 Xây dựng kho dữ liệu").unwrap();
    let child_at = html.find("Z.1.1 Khảo sát nguồn dữ liệu").unwrap();
    assert!(parent_at < child_at);
    assert!(html.contains(&format!("/tasks/{}", parent.id)));
    let (_, all) = get(&app, &client, &format!("/tasks/timeline?plan={id}")).await;
    assert!(all.contains("bar-overdue") && all.contains("36 trên 36 nhiệm vụ"), "timeline of the framework's tasks");
    assert!(all.len() < 100 * 1024, "timeline is {} bytes", all.len());
}

#[tokio::test]
async fn the_national_view_counts_adoption_and_links_to_the_overdue_tasks() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    s.seed_user("dieuphoi", "Cơ quan điều phối", "VN", Role::Coordinator, "VN", PASSWORD).await.unwrap();
    draft_plan(&app, "Kế hoạch CĐS Quảng Ngãi 2026", true).await;
    let fw = s.frameworks().await.unwrap().into_iter().find(|f| f.kind == FrameworkKind::Provincial).unwrap();

    let (province, _) = app.sign_in("a.admin", PASSWORD).await;
    let (_, home) = get(&app, &province, "/").await;
    assert!(home.contains(">Kế hoạch</a>") && home.contains(">Nhiệm vụ</a>") && home.contains(">Khung</a>"));
    assert!(!home.contains(">Toàn quốc</a>"), "a province admin has no national view");
    assert_eq!(get(&app, &province, "/national").await.0, StatusCode::FORBIDDEN);

    let (national, _) = app.sign_in("dieuphoi", PASSWORD).await;
    let (_, home) = get(&app, &national, "/").await;
    assert!(home.contains(">Toàn quốc</a>"));
    let (st, html) = get(&app, &national, "/national").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains(&format!("/national/{}", fw.id)));
    let (st, html) = get(&app, &national, &format!("/national/{}", fw.id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("số liệu ngày 22/11/2026") && html.contains("Quá hạn") && html.contains("Cơ quan triển khai"),
        "{html}"
    );
    let link = regex::Regex::new(r#"href="(/tasks\?item=\d+&#38;status=overdue)">(\d+)</a>"#).unwrap();
    let caps = link.captures(&html).unwrap_or_else(|| panic!("{html}"));
    let (href, count) = (caps[1].replace("&#38;", "&"), caps[2].to_string());
    let (st, list) = get(&app, &national, &href).await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains(&format!("<strong>{count}</strong> nhiệm vụ")) && list.contains("Quảng Ngãi"), "{list}");
    // Drilling down to Hà Nội: no agency there adopted anything.
    let (_, html) = get(&app, &national, &format!("/national/{}?org=01", fw.id)).await;
    assert!(html.contains("Phạm vi: <strong>Thành phố Hà Nội</strong>") && !link.is_match(&html), "{html}");
}
