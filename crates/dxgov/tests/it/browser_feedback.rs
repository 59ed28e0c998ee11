//! A real browser follows a citizen's feedback: the citizen sends it from the public form on a
//! phone-sized window and gets a tracking code; the ward's officer finds it in the triage queue,
//! confirms the category, receives it and replies; the citizen opens the tracking page and reads
//! the answer.

use chrono::{TimeZone, Utc};
use domain::auth::Role;
use fantoccini::Locator;

use crate::browser::{Driver, assert_fits, browser_available, fill, wait_h1};
use crate::browser_plans::{main_text, press, sign_in};
use crate::harness::{PASSWORD, TestApp};

const REPLY: &str = "Phường đã sửa đường ống cấp nước tổ 7 ngày 24/11/2026. Cảm ơn bà đã phản ánh.";

#[tokio::test]
async fn a_citizen_sends_feedback_an_officer_triages_and_replies_and_the_citizen_reads_the_answer() {
    if !browser_available() {
        return;
    }
    // Monday 23/11/2026, 09:00 in Vietnam.
    let app = TestApp::spawn_at(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()).await;
    let s = app.services();
    s.seed_user("camthanh.ttcs", "Cán bộ Cẩm Thành", "21025", Role::GrassrootsOfficer, "21025", PASSWORD)
        .await
        .unwrap();
    // Every guess goes to triage, so the officer confirms the category by hand.
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let mut settings = s.feedback_settings().await.unwrap();
    settings.confidence_threshold = 1.0;
    s.set_feedback_settings(&root, settings).await.unwrap();

    let driver = Driver::start().await;
    let c = driver.browser().await;

    // The citizen, no account.
    c.goto(&app.url("/phan-anh")).await.unwrap();
    wait_h1(&c, "Gửi phản ánh, kiến nghị").await;
    assert_fits(&c, "/phan-anh").await;
    assert!(main_text(&c).await.contains("chỉ cán bộ cơ quan xử lý thấy"), "the privacy notice");
    fill(
        &c,
        "textarea[name=description]",
        "Đường ống cấp nước ở tổ 7 bị vỡ hai ngày nay, nước chảy ra đường, nhiều nhà mất nước.",
    )
    .await;
    c.find(Locator::Css("select[name=province] option[value='51']")).await.unwrap().click().await.unwrap();
    fill(&c, "input[name=commune]", "cam thanh").await; // without diacritics
    fill(&c, "input[name=address]", "Tổ 7, đường Phan Đình Phùng").await;
    fill(&c, "input[name=name]", "Lê Thị Hoa").await;
    fill(&c, "input[name=phone]", "0905 123 456").await;
    press(&c, "Gửi phản ánh").await;
    wait_h1(&c, "Tra cứu phản ánh, kiến nghị").await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã gửi phản ánh. Mã tra cứu của bạn là"), "{text}");
    let code = text.split_whitespace().find(|w| w.starts_with("PA-")).unwrap().trim_end_matches('.').to_string();
    assert!(text.contains("Phường Cẩm Thành") && text.contains("Mới"), "{text}");
    assert!(!text.contains("0905") && !text.contains("Lê Thị Hoa"), "contacts on the public page: {text}");

    // The ward's officer (the same browser, signing in).
    let officer = &c;
    sign_in(officer, &app, "camthanh.ttcs").await;
    officer.goto(&app.url("/feedback")).await.unwrap();
    wait_h1(officer, "Phản ánh, kiến nghị").await;
    officer
        .find(Locator::XPath("//main//nav//a[normalize-space()='Cần phân loại']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_h1(officer, "Phản ánh, kiến nghị").await;
    officer
        .find(Locator::XPath(&format!("//main//a[normalize-space()='{code}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The title is the description's first sentence.
    wait_h1(
        officer,
        &format!("{code}: Đường ống cấp nước ở tổ 7 bị vỡ hai ngày nay, nước chảy ra đường, nhiều nhà mất nước"),
    )
    .await;
    let detail = main_text(officer).await;
    assert!(detail.contains("Lê Thị Hoa") && detail.contains("0905 123 456"), "the officer sees the contact: {detail}");
    officer.find(Locator::Css("select[name=category] option[value='dien-nuoc']")).await.unwrap().click().await.unwrap();
    press(officer, "Xác nhận lĩnh vực").await;
    assert!(main_text(officer).await.contains("Đã cập nhật lĩnh vực."));
    press(officer, "Tiếp nhận").await;
    assert!(main_text(officer).await.contains("Đã tiếp nhận phản ánh."));
    fill(officer, "textarea[name=note]", REPLY).await;
    press(officer, "Gửi trả lời").await;
    let detail = main_text(officer).await;
    assert!(detail.contains("Đã gửi trả lời") && detail.contains("Đã trả lời"), "{detail}");

    // The citizen looks the code up again and reads the answer.
    officer
        .find(Locator::XPath("//header/nav//button[normalize-space()='Đăng xuất']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_h1(&c, "Đăng nhập").await;
    c.goto(&app.url("/phan-anh/tra-cuu")).await.unwrap();
    wait_h1(&c, "Tra cứu phản ánh, kiến nghị").await;
    fill(&c, "input[name=ma]", &code.to_lowercase()).await;
    press(&c, "Tra cứu").await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã trả lời") && text.contains(REPLY), "{text}");
    assert!(text.contains("Điện, nước"), "{text}");
    assert!(text.contains("Vấn đề chưa được giải quyết?"), "the reopen form: {text}");
    assert_fits(&c, "/phan-anh/tra-cuu").await;
}
