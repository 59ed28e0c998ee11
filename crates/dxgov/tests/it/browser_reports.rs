//! A real browser walks a periodic report through its workflow: the department's focal point
//! fills in the quarterly report and submits it; the province returns it with a comment; the
//! focal point sees the comment, completes the text and resubmits; the province accepts it and
//! downloads the DOCX; the completeness page counts it.

use chrono::{TimeZone, Utc};
use domain::auth::Role;
use domain::org::OrgType;
use domain::services::reporting::OpenRoundInput;
use fantoccini::{Client, Locator};

use crate::browser::{Driver, assert_fits, browser_available, fill, wait_h1};
use crate::browser_plans::{main_text, press, sign_in};
use crate::harness::{PASSWORD, TestApp};

const TITLE: &str = "Tiến độ thực hiện kế hoạch chuyển đổi số quý IV/2026";

async fn sign_out(c: &Client) {
    c.find(Locator::XPath("//header/nav//button[normalize-space()='Đăng xuất']"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("sign out");
    wait_h1(c, "Đăng nhập").await;
}

async fn open_report(c: &Client, app: &TestApp) {
    c.goto(&app.url("/reports")).await.expect("open /reports");
    wait_h1(c, "Báo cáo định kỳ").await;
    c.find(Locator::XPath(&format!("//main//a[normalize-space()='{TITLE}']")))
        .await
        .expect("the report in the list")
        .click()
        .await
        .expect("open it");
    wait_h1(c, TITLE).await;
}

#[tokio::test]
async fn a_report_is_submitted_returned_resubmitted_accepted_and_downloaded() {
    if !browser_available() {
        return;
    }
    // Monday 04/01/2027, 09:00 in Vietnam: the fourth quarter's report is due on 10/01.
    let app = TestApp::spawn_at(Utc.with_ymd_and_hms(2027, 1, 4, 2, 0, 0).unwrap()).await;
    let s = app.services();
    s.seed_user("a.focal", "Đầu mối Sở KH&CN", "51.SKHCN", Role::FocalPoint, "51.SKHCN", PASSWORD).await.unwrap();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let round = OpenRoundInput {
        template: "BC_TIEN_DO_QUY".into(),
        period: "2026Q4".into(),
        receiver: "51".into(),
        org_types: vec![OrgType::Internal],
        due_on: None,
    };
    s.open_report_round(&admin, &round).await.unwrap();

    let driver = Driver::start().await;
    let c = driver.browser().await;

    // The focal point fills in the report and submits it.
    sign_in(&c, &app, "a.focal").await;
    open_report(&c, &app).await;
    assert_fits(&c, "/reports/{id}").await;
    let report_path = crate::browser::path_of(&c).await;
    assert!(main_text(&c).await.contains("Đang soạn"));
    fill(&c, "textarea[name='achieved.ket_qua']", "Hoàn thành 12/15 nhiệm vụ của quý.").await;
    fill(&c, "textarea[name='shortcomings.ket_qua']", "Thiếu kinh phí cho hạ tầng.").await;
    fill(&c, "input[name=number_symbol]", "45/BC-SKHCN").await;
    fill(&c, "input[name=signer_title]", "Giám đốc").await;
    fill(&c, "input[name=signer_name]", "Trần Thị Bình").await;
    // Submitting with an area left empty is refused, naming it; the text typed is kept.
    press(&c, "Lưu và gửi báo cáo").await;
    let text = main_text(&c).await;
    assert!(text.contains("III. ĐỀ XUẤT, KIẾN NGHỊ: chưa nhập kết quả đạt được"), "{text}");
    let kept = c.find(Locator::Css("textarea[name='achieved.ket_qua']")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("Hoàn thành 12/15 nhiệm vụ của quý."));
    fill(&c, "textarea[name='achieved.kien_nghi']", "Đề nghị bổ sung kinh phí.").await;
    press(&c, "Lưu và gửi báo cáo").await;
    wait_h1(&c, TITLE).await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã gửi") && text.contains("phiên bản 1") && text.contains("nộp đúng hạn"), "{text}");
    sign_out(&c).await;

    // The province returns it with a comment.
    sign_in(&c, &app, "a.admin").await;
    c.goto(&app.url(&report_path)).await.expect("report page");
    wait_h1(&c, TITLE).await;
    fill(&c, "textarea[name=comment]", "Bổ sung số liệu giải ngân quý IV").await;
    press(&c, "Trả lại").await;
    wait_h1(&c, TITLE).await;
    assert!(main_text(&c).await.contains("Bị trả lại"));
    sign_out(&c).await;

    // The focal point reads the comment, completes the text and resubmits.
    sign_in(&c, &app, "a.focal").await;
    c.goto(&app.url(&report_path)).await.expect("report page");
    wait_h1(&c, TITLE).await;
    let text = main_text(&c).await;
    assert!(text.contains("Bổ sung số liệu giải ngân quý IV") && text.contains("Bị trả lại"), "{text}");
    fill(&c, "textarea[name='achieved.ket_qua']", "Hoàn thành 12/15 nhiệm vụ; giải ngân 85% kế hoạch vốn.").await;
    press(&c, "Lưu và gửi báo cáo").await;
    wait_h1(&c, TITLE).await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã gửi lại") && text.contains("phiên bản 2"), "{text}");
    sign_out(&c).await;

    // The province accepts it and downloads the DOCX.
    sign_in(&c, &app, "a.admin").await;
    c.goto(&app.url(&report_path)).await.expect("report page");
    wait_h1(&c, TITLE).await;
    press(&c, "Tiếp nhận").await;
    wait_h1(&c, TITLE).await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã tiếp nhận") && text.contains("giải ngân 85%"), "{text}");
    let href = c
        .find(Locator::XPath("//main//a[normalize-space()='DOCX']"))
        .await
        .expect("the DOCX link")
        .attr("href")
        .await
        .unwrap()
        .expect("href");
    // The browser fetches it with its own session, as a click would.
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(b => {
               const u = new Uint8Array(b);
               done({ status: r.status, type: r.headers.get('content-type'),
                      disposition: r.headers.get('content-disposition'), size: b.byteLength,
                      zip: u[0] === 0x50 && u[1] === 0x4b });
             }));",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("download the DOCX");
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_eq!(got["zip"], true, "{got}");
    assert!(got["disposition"].as_str().unwrap().contains(".docx"), "{got}");

    // The completeness page counts it, on time.
    c.goto(&app.url("/reports/completeness?template=BC_TIEN_DO_QUY&period=2026Q4&org=51")).await.unwrap();
    wait_h1(&c, "Tình hình nộp báo cáo").await;
    let text = main_text(&c).await;
    assert!(text.contains("Sở Khoa học và Công nghệ tỉnh Quảng Ngãi") && text.contains("Đúng hạn"), "{text}");
    assert_fits(&c, "/reports/completeness").await;

    c.close().await.expect("close the browser");
    drop(driver);
}
