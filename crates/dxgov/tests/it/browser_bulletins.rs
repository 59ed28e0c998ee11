//! A real browser follows an emergency bulletin: the centre's official writes it with its CAP
//! facts for two provinces and publishes it; the portal's banner shows on both provinces' sites
//! (on a phone-sized window) and not on a third's; a commune officer acknowledges it from the
//! unit's inbox; the reach dashboard counts the acknowledgement.

use chrono::{TimeZone, Utc};
use domain::auth::Role;
use fantoccini::{Client, Locator};

use crate::browser::{Driver, assert_fits, browser_available, fill, wait_h1};
use crate::browser_plans::{main_text, press, sign_in};
use crate::harness::{PASSWORD, TestApp};

const TITLE: &str = "Cảnh báo bão số 13 đổ bộ vào Quảng Ngãi và Hà Nội";

async fn choose(c: &Client, select: &str, value: &str) {
    c.find(Locator::Css(&format!("main select[name={select}] option[value='{value}']")))
        .await
        .unwrap_or_else(|e| panic!("no option {value} in {select}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn sign_out(c: &Client) {
    c.find(Locator::XPath("//header/nav//button[normalize-space()='Đăng xuất']"))
        .await
        .expect("logout button")
        .click()
        .await
        .expect("click Đăng xuất");
    wait_h1(c, "Đăng nhập").await;
}

#[tokio::test]
async fn an_official_publishes_an_emergency_a_commune_acknowledges_it_and_the_dashboard_counts_it() {
    if !browser_available() {
        return;
    }
    // Monday 23/11/2026, 09:00 in Vietnam.
    let app = TestApp::spawn_at(Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()).await;
    let s = app.services();
    let ward = crate::bulletins::communes(s, "51").await.remove(0);
    s.seed_user("xa.ttcs", "Cán bộ thông tin cơ sở", &ward.code, Role::GrassrootsOfficer, &ward.code, PASSWORD)
        .await
        .unwrap();

    let driver = Driver::start().await;
    let c = driver.browser().await;
    sign_in(&c, &app, "root.admin").await;
    c.goto(&app.url("/bulletins/new")).await.unwrap();
    wait_h1(&c, "Soạn bản tin").await;
    choose(&c, "org", "VN").await;
    fill(&c, "input[name=title]", TITLE).await;
    choose(&c, "category", "khan-cap-thien-tai").await;
    fill(&c, "textarea[name=body]", "Bão số 13 đổ bộ trong 24 giờ tới. Các xã ven biển sơ tán người dân.").await;
    fill(&c, "textarea[name=spoken]", "Khẩn cấp: bão số 13 sắp đổ bộ, bà con di chuyển đến nơi an toàn.").await;
    fill(&c, "input[name=targets]", "51, 01").await;
    // The browser's own date-time picker: set its value as the picker would.
    c.execute("document.querySelector('input[name=expires_at]').value = '2026-11-24T18:00';", vec![]).await.unwrap();
    fill(&c, "input[name=event]", "Bão số 13").await;
    choose(&c, "cap_category", "Met").await;
    choose(&c, "urgency", "Immediate").await;
    choose(&c, "severity", "Severe").await;
    choose(&c, "certainty", "Likely").await;
    fill(&c, "textarea[name=instruction]", "Di chuyển đến nơi trú ẩn an toàn, không ra khơi.").await;
    press(&c, "Lưu dự thảo").await;
    wait_h1(&c, TITLE).await;
    press(&c, "Trình duyệt").await;
    press(&c, "Duyệt và phát hành").await;
    let text = main_text(&c).await;
    assert!(text.contains("Đã phát hành bản tin đến các đơn vị nhận"), "{text}");
    let id: i64 = c.current_url().await.unwrap().path().rsplit('/').next().unwrap().parse().unwrap();

    // The banner on both provinces' sites, on a phone; not on Đà Nẵng's.
    for site in ["/p/51", "/p/01"] {
        c.goto(&app.url(site)).await.unwrap();
        let banner = c.find(Locator::Css(".alert-banner")).await.unwrap_or_else(|e| panic!("{site}: no banner: {e}"));
        assert!(banner.text().await.unwrap().contains("CẢNH BÁO KHẨN CẤP: Bão số 13"), "{site}");
        assert_fits(&c, site).await;
    }
    // Basic WCAG AA on the portal: text contrast at least 4.5:1, every field labelled, and the
    // keyboard's first stop is the link that skips to the content.
    let audit = c
        .execute(
            r#"
            const rgb = s => s.match(/[\d.]+/g).slice(0, 3).map(Number);
            const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const bg = el => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return rgb(c); } return [255, 255, 255]; };
            const worst = [];
            for (const el of document.querySelectorAll('main *, header *')) {
                if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
                const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
                const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                if (ratio < 4.5) worst.push(el.tagName + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
            }
            const unlabelled = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(f => !f.closest('label') && !(f.id && document.querySelector('label[for="' + f.id + '"]')))
                .map(f => f.name);
            return { worst, unlabelled };
            "#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(audit["worst"], serde_json::json!([]), "contrast below 4.5:1");
    assert_eq!(audit["unlabelled"], serde_json::json!([]), "fields without a label");
    c.find(Locator::Css("body")).await.unwrap().send_keys("\u{E004}").await.unwrap();
    let first = c.active_element().await.unwrap();
    assert_eq!(first.attr("href").await.unwrap().as_deref(), Some("#noi-dung"), "the first Tab stop");
    assert!(first.is_displayed().await.unwrap(), "the skip link shows when focused");
    c.goto(&app.url("/p/48")).await.unwrap();
    wait_h1(&c, "Thông tin cơ sở Thành phố Đà Nẵng").await;
    assert!(c.find(Locator::Css(".alert-banner")).await.is_err(), "Đà Nẵng was not targeted");

    // The commune's officer acknowledges it from the inbox.
    c.goto(&app.url("/bulletins")).await.unwrap();
    sign_out(&c).await;
    sign_in(&c, &app, "xa.ttcs").await;
    c.goto(&app.url("/bulletins/inbox?pending=1")).await.unwrap();
    wait_h1(&c, "Hộp thư bản tin của đơn vị").await;
    assert!(main_text(&c).await.contains(TITLE));
    press(&c, "Xác nhận đã nhận").await;
    wait_h1(&c, "Hộp thư bản tin của đơn vị").await;
    assert!(!main_text(&c).await.contains(TITLE), "no longer waiting for acknowledgement");
    c.goto(&app.url(&format!("/bulletins/{id}"))).await.unwrap();
    wait_h1(&c, TITLE).await;
    assert!(c.find(Locator::Css("main button[id^=ack-]")).await.is_err(), "acknowledged already");

    // The centre's dashboard counts it.
    sign_out(&c).await;
    sign_in(&c, &app, "root.admin").await;
    c.goto(&app.url("/bulletins/reach")).await.unwrap();
    wait_h1(&c, "Hiệu quả hệ thống thông tin cơ sở — Chính phủ nước Cộng hòa xã hội chủ nghĩa Việt Nam").await;
    let acked = c.find(Locator::Css(&format!("#acked-{id}"))).await.expect("the bulletin's row");
    assert_eq!(acked.text().await.unwrap(), "1");
    c.close().await.unwrap();
}
