//! A real browser walks the heart of the plans issue: a province's admin creates its plan from
//! the provincial framework, adds and assigns a task and gets the plan approved; the officer
//! records progress with a file of evidence; the fake clock moves past the deadline and the
//! scheduler runs; the task shows as overdue and the reminder is in the notification centre.

use chrono::{TimeZone, Utc};
use fantoccini::{Client, Locator};

use crate::browser::{Driver, assert_fits, browser_available, click, fill, path_of, wait_h1};
use crate::harness::{PASSWORD, TestApp};

const PLAN: &str = "Kế hoạch chuyển đổi số tỉnh Quảng Ngãi năm 2026";
const TASK: &str = "Số hóa hồ sơ lưu trữ của Sở";

/// Sets a field's value directly (date inputs take keystrokes in the browser's locale order).
pub(crate) async fn set_value(c: &Client, css: &str, value: &str) {
    let found = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) { return false; } e.value = arguments[1]; return true;",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .expect("set value");
    assert_eq!(found, serde_json::json!(true), "no field {css}");
}

/// Clicks the button and waits until the form's answer has replaced the page (the page after a
/// post often has the same heading, so the heading alone cannot tell).
pub(crate) async fn press(c: &Client, label: &str) {
    c.execute("window.__dxgovOld = true;", vec![]).await.expect("mark the page");
    let xpath = format!("//main//button[normalize-space()='{label}']");
    c.find(Locator::XPath(&xpath))
        .await
        .unwrap_or_else(|e| panic!("no button “{label}”: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click “{label}”: {e}"));
    for _ in 0..200 {
        let old = c.execute("return window.__dxgovOld === true && document.readyState === 'complete';", vec![]).await;
        if matches!(old, Ok(serde_json::Value::Bool(false))) {
            let ready = c.execute("return document.readyState;", vec![]).await;
            if matches!(ready, Ok(serde_json::Value::String(ref r)) if r == "complete") {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("“{label}” did not load a new page");
}

/// The text of the page's `main` (retried while a navigation replaces the document).
pub(crate) async fn main_text(c: &Client) -> String {
    let mut last = None;
    for _ in 0..20 {
        match c.find(Locator::Css("main")).await {
            Ok(m) => match m.text().await {
                Ok(t) => return t,
                Err(e) => last = Some(e),
            },
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("no main text: {last:?}");
}

pub(crate) async fn sign_in(c: &Client, app: &TestApp, username: &str) {
    c.goto(&app.url("/login")).await.expect("open /login");
    wait_h1(c, "Đăng nhập").await;
    fill(c, "input[name=username]", username).await;
    fill(c, "input[name=password]", PASSWORD).await;
    click(c, "main form button[type=submit]").await;
    for _ in 0..200 {
        if path_of(c).await == "/" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{username} not signed in: still at {}", path_of(c).await);
}

#[tokio::test]
async fn plan_from_the_framework_to_an_overdue_reminder() {
    if !browser_available() {
        return;
    }
    // Monday 07/12/2026, 08:00 in Vietnam.
    let app = TestApp::spawn_at(Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()).await;
    let driver = Driver::start().await;
    let c = driver.browser().await;

    // The province's admin creates the plan from the provincial framework.
    sign_in(&c, &app, "a.admin").await;
    c.goto(&app.url("/plans/new")).await.expect("open /plans/new");
    wait_h1(&c, "Lập kế hoạch").await;
    assert_fits(&c, "/plans/new").await;
    fill(&c, "input[name=org]", "51").await;
    fill(&c, "input[name=title]", PLAN).await;
    fill(&c, "input[name=period]", "2026").await;
    c.find(Locator::XPath("//label[contains(., 'Chuyển đổi số cấp tỉnh')]/input[@name='frameworks']"))
        .await
        .expect("the provincial framework's checkbox")
        .click()
        .await
        .expect("tick it");
    press(&c, "Tạo kế hoạch").await;
    wait_h1(&c, PLAN).await;
    let plan_path = path_of(&c).await;
    let text = main_text(&c).await;
    assert!(text.contains("Dự thảo"), "a new plan is a draft");
    assert!(text.contains("Ban hành chính sách"), "framework tasks adopted: {text}");

    // Its own task, led by the department and assigned to the officer.
    c.goto(&app.url(&format!("{plan_path}/tasks/new"))).await.expect("new task form");
    fill(&c, "input[name=title]", TASK).await;
    fill(&c, "input[name=lead]", "51.SKHCN").await;
    fill(&c, "input[name=assignees]", "a.officer").await;
    set_value(&c, "input[name=deadline]", "2026-12-11").await;
    press(&c, "Lưu").await;
    wait_h1(&c, TASK).await;
    let task_path = path_of(&c).await;
    assert!(main_text(&c).await.contains("Chuyên viên Quảng Ngãi"), "assigned");

    // Submit, approve with the decision, put into execution.
    c.goto(&app.url(&plan_path)).await.expect("plan page");
    wait_h1(&c, PLAN).await;
    press(&c, "Trình phê duyệt").await;
    wait_h1(&c, PLAN).await;
    fill(&c, "input[name=decision_number]", "125/QĐ-UBND").await;
    set_value(&c, "input[name=decision_date]", "2026-12-07").await;
    press(&c, "Phê duyệt").await;
    wait_h1(&c, PLAN).await;
    assert!(main_text(&c).await.contains("125/QĐ-UBND"));
    press(&c, "Đưa vào thực hiện").await;
    wait_h1(&c, PLAN).await;
    assert!(main_text(&c).await.contains("Đang thực hiện"));
    c.find(Locator::XPath("//header/nav//button[normalize-space()='Đăng xuất']"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("sign out");
    wait_h1(&c, "Đăng nhập").await;

    // The officer records progress and attaches evidence.
    sign_in(&c, &app, "a.officer").await;
    c.goto(&app.url(&task_path)).await.expect("task page");
    wait_h1(&c, TASK).await;
    assert_fits(&c, &task_path).await;
    c.find(Locator::Css("select[name=state] option[value=in_progress]"))
        .await
        .expect("state option")
        .click()
        .await
        .expect("choose");
    fill(&c, "input[name=progress]", "40").await;
    fill(&c, "textarea[name=note]", "Đã số hóa 40% hồ sơ").await;
    press(&c, "Cập nhật").await;
    wait_h1(&c, TASK).await;
    let evidence = driver.profile_dir().with_file_name("bien-ban-nghiem-thu.pdf");
    std::fs::write(&evidence, b"%PDF-1.4\n% bien ban\n").expect("write evidence file");
    c.find(Locator::Css("input[type=file][name=file]"))
        .await
        .expect("file input")
        .send_keys(evidence.to_str().unwrap())
        .await
        .expect("choose file");
    press(&c, "Thêm minh chứng").await;
    wait_h1(&c, TASK).await;
    let text = main_text(&c).await;
    assert!(text.contains("bien-ban-nghiem-thu.pdf"), "evidence listed: {text}");
    assert!(text.contains("40%") && text.contains("Đang thực hiện"), "progress shown: {text}");

    // Thursday 10/12: one working day left, a reminder. Monday 14/12: overdue.
    app.advance(chrono::Duration::days(3));
    app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
    app.advance(chrono::Duration::days(4));
    app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
    // A week later the 12-hour session is long gone: the officer signs in again.
    sign_in(&c, &app, "a.officer").await;
    c.goto(&app.url(&task_path)).await.expect("task page again");
    wait_h1(&c, TASK).await;
    assert!(main_text(&c).await.contains("Quá hạn"), "the task shows as overdue");
    let bell =
        c.find(Locator::XPath("//header/nav/a[@href='/notifications']")).await.expect("bell").text().await.unwrap();
    assert_eq!(bell.trim(), "Thông báo (2)");
    c.goto(&app.url("/notifications")).await.expect("notifications");
    wait_h1(&c, "Thông báo").await;
    let text = main_text(&c).await;
    assert!(text.contains(&format!("Còn 1 ngày làm việc: {TASK}")), "{text}");
    assert!(text.contains(&format!("Quá hạn 1 ngày làm việc: {TASK}")), "{text}");
    assert_fits(&c, "/notifications").await;
    c.find(Locator::XPath(&format!("//main//a[normalize-space()='Quá hạn 1 ngày làm việc: {TASK}']")))
        .await
        .expect("link to the task")
        .click()
        .await
        .expect("open the task from the reminder");
    wait_h1(&c, TASK).await;
    assert_eq!(path_of(&c).await, task_path);

    c.close().await.expect("close the browser");
    drop(driver);
}
