//! Citizen feedback: intake by the JSON API and Open311 (checked by the independent `georeport`
//! client and JSON Schemas), bad input answered in each edge's error form, the SLA across
//! holidays, every workflow step, reopening inside and outside the window, reassignment keeping
//! the due day, merges that carry the answer to every reporter, privacy of contact details on
//! every public response, escaped output, photos without GPS, the flood limit, routing rules,
//! triage and retraining, SLA reminders, and scope route by route.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::Services;
use domain::auth::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// 09:00 in Vietnam on Thursday 27/08/2026, before the National Day holidays (31/08 day off,
/// 01–02/09 holidays).
fn before_national_day() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 27, 2, 0, 0).unwrap()
}

pub(crate) const CAM_THANH: &str = "21025"; // Phường Cẩm Thành, Quảng Ngãi
pub(crate) const NGHIA_LO: &str = "21028"; // Phường Nghĩa Lộ, Quảng Ngãi
pub(crate) const BA_DINH: &str = "00004"; // Phường Ba Đình, Hà Nội

/// People who handle feedback: a grassroots officer of Cẩm Thành, an officer and a leader of
/// the province's Department of Construction (routed road problems).
pub async fn handlers(s: &Services) {
    s.seed_internal_unit("51", "51.SXD", "Sở Xây dựng tỉnh Quảng Ngãi").await.unwrap();
    s.seed_user("camthanh.ttcs", "Cán bộ Cẩm Thành", CAM_THANH, Role::GrassrootsOfficer, CAM_THANH, PASSWORD)
        .await
        .unwrap();
    s.seed_user("sxd.chuyenvien", "Chuyên viên Sở Xây dựng", "51.SXD", Role::Officer, "51.SXD", PASSWORD)
        .await
        .unwrap();
    s.seed_user("sxd.lanhdao", "Lãnh đạo Sở Xây dựng", "51.SXD", Role::Leader, "51.SXD", PASSWORD).await.unwrap();
}

async fn submit(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let res = Client::new().post(app.url("/api/v1/feedback")).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn submitted(app: &TestApp, body: Value) -> String {
    let (st, v) = submit(app, body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["outcome"], "submitted", "{v}");
    v["item"]["tracking_code"].as_str().unwrap().to_string()
}

pub(crate) fn road(area: &str, email: Option<&str>) -> Value {
    json!({
        "service_code": "giao-thong",
        "description": "Đường Hùng Vương trước nhà số 20 có ổ gà lớn, xe máy ngã liên tục. Gọi tôi 0912 345 678.",
        "area_code": area,
        "address": "20 Hùng Vương",
        "lat": 15.1205, "lon": 108.7923,
        "name": "Nguyễn Văn Dân",
        "email": email,
        "phone": "0912345678",
    })
}

async fn track(app: &TestApp, code: &str) -> Value {
    let res = Client::new().get(app.url(&format!("/api/v1/feedback/track/{code}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub(crate) async fn item_id(app: &TestApp, code: &str) -> i64 {
    let s = app.services();
    let admin = s.login("root.admin", PASSWORD, None).await.unwrap();
    let page = s
        .feedback_list(
            &admin,
            &domain::services::feedback::FeedbackFilter { q: Some(code.into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "{code}");
    page.items[0].item.id
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) -> (StatusCode, Value) {
    app.api(token, Method::POST, &format!("/api/v1/feedback/{id}/steps/{step}"), Some(body)).await
}

/// The SLA is counted in working days of the national calendar: ten working days from Thursday
/// 27/08/2026 skip the weekend, the swapped day off of 31/08 and the holidays of 01–02/09.
#[tokio::test]
async fn the_sla_counts_working_days_across_the_national_day_holidays() {
    let app = TestApp::spawn_at(before_national_day()).await;
    let code = submitted(&app, road(CAM_THANH, None)).await;
    let t = track(&app, &code).await;
    assert_eq!(t["item"]["due_on"], "2026-09-15", "{t}");
    assert_eq!(t["item"]["status"], "new");
    // Without the holidays it would have been Thursday 10/09.
    let cal = app.services().work_calendar().await.unwrap();
    assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 9, 2).unwrap()));
    // A category with 5 working days: Friday 28/08, then 03, 04, 07, 08/09.
    let mut body = road(CAM_THANH, None);
    body["service_code"] = json!("an-ninh-trat-tu");
    let code = submitted(&app, body.clone()).await;
    assert_eq!(track(&app, &code).await["item"]["due_on"], "2026-09-08");
    // A day off the admin adds counts for the very next report (intake keeps the calendar
    // between reports, and the write drops it): Monday 07/09 off moves the due day to 09/09.
    let root = app.services().login("root.admin", PASSWORD, None).await.unwrap();
    let day = domain::calendar::CalendarDay {
        date: NaiveDate::from_ymd_opt(2026, 9, 7).unwrap(),
        kind: domain::calendar::DayKind::DayOff,
        name: "Nghỉ bù thử nghiệm".into(),
    };
    app.services().set_calendar_day(&root, day).await.unwrap();
    let code = submitted(&app, body).await;
    assert_eq!(track(&app, &code).await["item"]["due_on"], "2026-09-09");
}

/// receive → start → reply → close, as the handling unit; the reply is public on the tracking
/// page and e-mailed to the citizen; every step is in the history and the audit log.
#[tokio::test]
async fn every_workflow_step_and_the_reply_reaches_the_citizen() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let code = submitted(&app, road(CAM_THANH, Some("dan@example.vn"))).await;
    let id = item_id(&app, &code).await;
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    // Steps out of order are refused with the state named.
    let (st, v) = step(&app, &officer, id, "close", json!({})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("Mới"), "{v}");
    let (st, v) = step(&app, &officer, id, "reply", json!({ "note": "" })).await;
    assert_eq!(st, StatusCode::CONFLICT, "reply before receiving: {v}");
    for s in ["receive", "start"] {
        let (st, v) = step(&app, &officer, id, s, json!({})).await;
        assert_eq!(st, StatusCode::OK, "{s}: {v}");
    }
    let (st, v) = step(&app, &officer, id, "reply", json!({ "note": "" })).await;
    assert_eq!((st, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")), "{v}");
    let reply = "Phường đã vá ổ gà ngày 28/08/2026. Cảm ơn ông đã phản ánh.";
    let (st, v) = step(&app, &officer, id, "reply", json!({ "note": reply })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "answered");
    let t = track(&app, &code).await;
    assert_eq!(t["item"]["status"], "answered");
    let kinds: Vec<&str> = t["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["submitted", "received", "started", "replied"]);
    assert_eq!(t["history"][3]["note"], reply);
    // The e-mail waits in the outbox, addressed to the citizen, naming the code.
    let mails = app.services().claim_outbox(10).await.unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, "dan@example.vn");
    assert!(mails[0].subject.contains(&code) && mails[0].body.contains(reply), "{mails:?}");
    let (st, v) = step(&app, &officer, id, "close", json!({})).await;
    assert_eq!((st, &v["status"]), (StatusCode::OK, &json!("closed")), "{v}");
    let audit = app.services().verify_audit().await.unwrap();
    assert!(audit.is_ok());
    let admin = app.services().login("root.admin", PASSWORD, None).await.unwrap();
    let actions: Vec<String> =
        app.services().recent_audit(&admin, 50).await.unwrap().into_iter().map(|e| e.action).collect();
    for a in ["feedback.submit", "feedback.receive", "feedback.start", "feedback.reply", "feedback.close"] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited: {actions:?}");
    }
}

/// Rejecting needs a public reason; a rejected item may be reopened by the citizen within the
/// window, with a new due day, and no longer after it.
#[tokio::test]
async fn reopening_works_inside_the_window_and_not_after() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    let code = submitted(&app, road(CAM_THANH, None)).await;
    let id = item_id(&app, &code).await;
    step(&app, &officer, id, "receive", json!({})).await;
    let (st, _) = step(&app, &officer, id, "reply", json!({ "note": "Đã sửa." })).await;
    assert_eq!(st, StatusCode::OK);
    assert!(track(&app, &code).await["reopen_until"].is_string());
    // Six days later (window: 7 days) the citizen says it is not fixed.
    app.advance(Duration::days(6));
    let reopen = |reason: &str| {
        Client::new()
            .post(app.url(&format!("/api/v1/feedback/track/{}/reopen", code.to_lowercase())))
            .json(&json!({ "reason": reason }))
            .send()
    };
    let res = reopen("").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = reopen("Ổ gà vẫn còn, mới chỉ rải đá.").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["item"]["status"], "in_progress");
    assert_eq!(t["history"].as_array().unwrap().last().unwrap()["kind"], "reopened");
    // A new SLA from the day of reopening: 02/09 + 6 days = 02/09/2026 (a holiday)…
    // …counted from Wednesday 02/09: ten working days end on Wednesday 16/09.
    assert_eq!(t["item"]["due_on"], "2026-09-16", "{t}");
    // Reopening twice in a row is a step the state does not allow.
    assert_eq!(reopen("Lần nữa").await.unwrap().status(), StatusCode::CONFLICT);
    // Rejected, then eight days pass: too late. (Tokens last a day: sign in again.)
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    let (st, v) = step(&app, &officer, id, "reject", json!({ "note": "" })).await;
    assert_eq!((st, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let (st, _) = step(&app, &officer, id, "reject", json!({ "note": "Đoạn đường do tỉnh quản lý." })).await;
    assert_eq!(st, StatusCode::OK);
    app.advance(Duration::days(8));
    let res = reopen("Vẫn chưa sửa").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("7 ngày"), "{v}");
    assert!(track(&app, &code).await["reopen_until"].is_null());
}

/// Transferring changes the handling unit, keeps the due day, is audited, and moves the right
/// to handle it: the old unit may no longer act, the new one receives it.
#[tokio::test]
async fn reassignment_moves_the_item_and_keeps_its_sla() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let code = submitted(&app, road(CAM_THANH, None)).await;
    let id = item_id(&app, &code).await;
    let due = track(&app, &code).await["item"]["due_on"].clone();
    let commune = app.token("camthanh.ttcs", PASSWORD).await;
    let sxd = app.token("sxd.chuyenvien", PASSWORD).await;
    // The department cannot act on the commune's item yet.
    let (st, _) = step(&app, &sxd, id, "receive", json!({})).await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND, "{st}");
    let (st, v) = step(&app, &commune, id, "transfer", json!({ "to_org": "KHONG-CO", "note": "x" })).await;
    assert_eq!((st, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_org")), "{v}");
    let (st, v) =
        step(&app, &commune, id, "transfer", json!({ "to_org": "51.SXD", "note": "Quốc lộ do Sở quản lý" })).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!((v["status"].as_str(), v["handler"]["code"].as_str()), (Some("transferred"), Some("51.SXD")));
    assert_eq!(v["due_on"], due, "the SLA moves with the item");
    let (st, _) = step(&app, &commune, id, "receive", json!({})).await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND, "the old unit still acts: {st}");
    let (st, v) = step(&app, &sxd, id, "receive", json!({})).await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("received")), "{v}");
    assert_eq!(track(&app, &code).await["item"]["handler_name"], "Sở Xây dựng tỉnh Quảng Ngãi");
    let admin = app.services().login("root.admin", PASSWORD, None).await.unwrap();
    let entry = app
        .services()
        .recent_audit(&admin, 50)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "feedback.transfer")
        .expect("transfer audited");
    assert!(entry.before.unwrap().contains("due_on") && entry.after.unwrap().contains("Quốc lộ do Sở quản lý"));
}

/// A duplicate merged into another item follows it: the answer shows on the duplicate's
/// tracking page and is e-mailed to both reporters.
#[tokio::test]
async fn merged_duplicates_get_the_answer_of_the_item_they_joined() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let first = submitted(&app, road(CAM_THANH, Some("mot@example.vn"))).await;
    let mut body = road(CAM_THANH, Some("hai@example.vn"));
    body["description"] = json!("Ổ gà rất lớn trên đường Hùng Vương gần nhà số 20, nhiều xe máy bị ngã");
    let second = submitted(&app, body.clone()).await;
    // The form would have shown the first as a likely duplicate.
    let similar: Value = Client::new()
        .get(app.url("/api/v1/feedback/similar"))
        .query(&[
            ("area_code", CAM_THANH),
            ("text", body["description"].as_str().unwrap()),
            ("lat", "15.1206"),
            ("lon", "108.7924"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> =
        similar.as_array().unwrap().iter().map(|s| s["item"]["tracking_code"].as_str().unwrap()).collect();
    assert!(codes.contains(&first.as_str()), "{similar}");
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    let (first_id, second_id) = (item_id(&app, &first).await, item_id(&app, &second).await);
    let (st, v) = step(&app, &officer, second_id, "merge", json!({ "into": second })).await;
    assert_eq!((st, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("into")), "into itself: {v}");
    let (st, v) = step(&app, &officer, second_id, "merge", json!({ "into": first })).await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("merged")), "{v}");
    let (st, _) = step(&app, &officer, first_id, "merge", json!({ "into": second })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "merging into a merged item");
    step(&app, &officer, first_id, "receive", json!({})).await;
    let (st, _) = step(&app, &officer, first_id, "reply", json!({ "note": "Đã vá xong đoạn đường." })).await;
    assert_eq!(st, StatusCode::OK);
    let t = track(&app, &second).await;
    assert_eq!(t["item"]["status"], "merged");
    assert_eq!(t["item"]["merged_into_code"], first.as_str());
    assert_eq!(t["master"]["item"]["status"], "answered");
    assert!(t["master"]["history"].to_string().contains("Đã vá xong đoạn đường."), "{t}");
    let mails = app.services().claim_outbox(10).await.unwrap();
    let mut to: Vec<&str> = mails.iter().map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(to, ["hai@example.vn", "mot@example.vn"]);
    assert!(mails.iter().any(|m| m.to == "hai@example.vn" && m.subject.contains(&second)), "{mails:?}");
}

/// Contact details never leave through a public page or public response; numbers written into
/// the text are masked; HTML stays text and is escaped.
#[tokio::test]
async fn contact_details_never_appear_in_public_and_markup_is_escaped() {
    let app = TestApp::spawn_at(before_national_day()).await;
    let mut body = road(CAM_THANH, Some("bi.mat@example.vn"));
    body["name"] = json!("Trần Thị Kín Đáo");
    body["phone"] = json!("0987 654 321");
    body["description"] =
        json!("<script>alert('x')</script> Đèn đường hỏng <b>ba tuần</b>. Liên hệ 0987654321 hoặc bi.mat@example.vn");
    body["service_code"] = json!("dien-nuoc");
    let code = submitted(&app, body).await;
    let key = app.services().open311_key_valid("x").await.unwrap();
    assert!(!key);
    let secrets = ["bi.mat", "Kín Đáo", "0987", "654 321", "654321"];
    let public_paths = [
        format!("/api/v1/feedback/track/{code}"),
        format!("/phan-anh/tra-cuu?ma={code}"),
        format!("/open311/v2/requests.json?jurisdiction_id={CAM_THANH}"),
        "/open311/v2/requests.xml".to_string(),
        format!("/open311/v2/requests/{code}.json"),
        format!("/open311/v2/requests/{code}.xml"),
        "/open311/v2/servicerequestupdates.xml".to_string(),
        format!(
            "/api/v1/feedback/similar?area_code={CAM_THANH}&text=%C4%90%C3%A8n%20%C4%91%C6%B0%E1%BB%9Dng%20h%E1%BB%8Fng"
        ),
    ];
    for path in &public_paths {
        let res = Client::new().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let text = res.text().await.unwrap();
        assert!(text.contains(&code) || path.contains("similar"), "{path} lacks the item: {text}");
        for s in secrets {
            assert!(!text.contains(s), "{path} leaks '{s}': {text}");
        }
        if path.starts_with("/phan-anh") {
            assert!(!text.contains("<script>alert"), "unescaped script on {path}");
            assert!(text.contains("&lt;script&gt;") || text.contains("&#60;script&#62;"), "{text}");
        }
    }
    // The officer sees them.
    let officer = app.token("root.admin", PASSWORD).await;
    let id = item_id(&app, &code).await;
    let v = app.get_json(&officer, &format!("/api/v1/feedback/{id}")).await;
    assert_eq!(v["view"]["reporter"]["email"], "bi.mat@example.vn");
    assert!(v["view"]["description"].as_str().unwrap().starts_with("<script>"), "stored as typed: {v}");
}

/// Missing or wrong fields are field errors in the JSON API (problem+json) and Open311 error
/// arrays with the right status on the Open311 endpoint; nothing is stored.
#[tokio::test]
async fn bad_input_is_named_in_each_edge_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({ "description": "", "area_code": CAM_THANH }), "description"),
        (json!({ "description": "x".repeat(4001), "area_code": CAM_THANH }), "description"),
        (json!({ "description": "Rác", "area_code": "" }), "jurisdiction_id"),
        (json!({ "description": "Rác", "area_code": "99999" }), "jurisdiction_id"),
        (json!({ "description": "Rác", "area_code": CAM_THANH, "service_code": "khong-co" }), "service_code"),
        (json!({ "description": "Rác", "area_code": CAM_THANH, "email": "khong-phai-thu" }), "email"),
        (json!({ "description": "Rác", "area_code": CAM_THANH, "lat": 95.0, "lon": 108.0 }), "lat"),
        (json!({ "description": "Rác", "area_code": CAM_THANH, "lat": "abc", "lon": 108.0 }), "lat"),
    ];
    for (body, field) in cases {
        let (st, v) = submit(&app, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert_eq!(v["field"], field, "{body}: {v}");
    }
    let key = "khoa-thu-nghiem-open311";
    app.services().seed_open311_key("Ứng dụng thử", key).await.unwrap();
    let post =
        |fields: Vec<(&str, String)>| Client::new().post(app.url("/open311/v2/requests.json")).form(&fields).send();
    let base = |extra: &[(&'static str, &str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("api_key", key.to_string()),
            ("jurisdiction_id", CAM_THANH.into()),
            ("service_code", "moi-truong".into()),
            ("lat", "15.12".into()),
            ("long", "108.79".into()),
            ("description", "Rác thải đổ trộm ven sông".into()),
        ];
        for (k, v) in extra {
            f.retain(|(name, _)| name != k);
            if !v.is_empty() {
                f.push((k, v.to_string()));
            }
        }
        f
    };
    let long = "y".repeat(4001);
    type Fields = Vec<(&'static str, String)>;
    let open311_cases: Vec<(Fields, u16, &str)> = vec![
        (base(&[("api_key", "")]), 403, "api_key"),
        (base(&[("api_key", "sai")]), 403, "api_key"),
        (base(&[("service_code", "khong-co")]), 404, "service_code"),
        (base(&[("service_code", "")]), 400, "service_code"),
        (base(&[("jurisdiction_id", "")]), 400, "jurisdiction_id"),
        (base(&[("lat", ""), ("long", "")]), 400, "vị trí"),
        (base(&[("description", "")]), 400, "description"),
        (base(&[("description", &long)]), 400, "4.000"),
        (base(&[("attribute[pham_vi]", "rat_rong")]), 400, "pham_vi"),
    ];
    for (fields, status, mentions) in open311_cases {
        let res = post(fields.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{fields:?}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v[0]["code"], status, "{v}");
        assert!(v[0]["description"].as_str().unwrap().contains(mentions), "{fields:?}: {v}");
        let text = v.to_string();
        crate::validators::run_validator("check_open311.py", &["--document", "errors"], &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
    // The XML form of an error.
    let res =
        Client::new().post(app.url("/open311/v2/requests.xml")).form(&base(&[("api_key", "")])).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let xml = res.text().await.unwrap();
    assert!(xml.contains("<errors><error><code>403</code>"), "{xml}");
    crate::validators::run_validator("check_open311.py", &["--document", "errors"], &xml).unwrap();
    let admin = app.services().login("root.admin", PASSWORD, None).await.unwrap();
    assert_eq!(app.services().feedback_list(&admin, &Default::default()).await.unwrap().total, 0, "nothing stored");
}

async fn get_text(app: &TestApp, path: &str) -> String {
    Client::new().get(app.url(path)).send().await.unwrap().text().await.unwrap()
}

/// POSTs a form to `/open311/v2/{file}`; the body of the 200 answer.
async fn post_open311(app: &TestApp, file: &str, form: &[(&str, &str)]) -> String {
    let res = Client::new().post(app.url(&format!("/open311/v2/{file}"))).form(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// The body, once `check_open311.py` accepted it as the named Open311 document.
fn schema_checked(document: &str, body: String) -> String {
    crate::validators::run_validator("check_open311.py", &["--document", document], &body)
        .unwrap_or_else(|e| panic!("{e}\n{body}"));
    body
}

/// Open311 end to end: POST, tokens, discovery checked against the schemas; the read side
/// exercised by the independent `georeport` client in JSON and XML with `check_open311.py`.
#[tokio::test]
async fn open311_passes_the_independent_client_and_schemas() {
    let app = TestApp::spawn().await;
    let key = "khoa-open311-ung-dung";
    app.services().seed_open311_key("Ứng dụng phản ánh", key).await.unwrap();
    let created = post_open311(
        &app,
        "requests.json",
        &[
            ("api_key", key),
            ("jurisdiction_id", CAM_THANH),
            ("service_code", "moi-truong"),
            ("lat", "15.1201"),
            ("long", "108.7911"),
            ("address_string", "Bờ sông Trà Khúc, phường Cẩm Thành"),
            ("description", "Rác thải đổ trộm ven sông Trà Khúc, bốc mùi hôi"),
            ("email", "nguoidan@example.vn"),
            ("first_name", "Lê"),
            ("last_name", "Văn Tám"),
            ("attribute[pham_vi]", "cong_dong"),
        ],
    )
    .await;
    let created: Value = serde_json::from_str(&schema_checked("request-created", created)).unwrap();
    let code = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap();
    let xml = post_open311(
        &app,
        "requests.xml",
        &[
            ("api_key", key),
            ("jurisdiction_id", NGHIA_LO),
            ("service_code", "giao-thong"),
            ("address_string", "Ngã tư Quang Trung"),
            ("description", "Đèn tín hiệu giao thông hỏng"),
        ],
    )
    .await;
    schema_checked("request-created", xml);
    for fmt in ["json", "xml"] {
        let body = schema_checked("token", get_text(&app, &format!("/open311/v2/tokens/{token}.{fmt}")).await);
        assert!(body.contains(&code));
        schema_checked("discovery", get_text(&app, &format!("/open311/v2/discovery.{fmt}")).await);
    }
    // The officer's answer shows as an update (FixMyStreet's extension).
    let admin = app.token("root.admin", PASSWORD).await;
    let id = item_id(&app, &code).await;
    step(&app, &admin, id, "receive", json!({})).await;
    let (st, _) = step(&app, &admin, id, "reply", json!({ "note": "Đã thu gom rác ngày 25/11." })).await;
    assert_eq!(st, StatusCode::OK);
    let updates = get_text(&app, "/open311/v2/servicerequestupdates.xml").await;
    assert!(updates.contains("<status>fixed</status>") && updates.contains("Đã thu gom rác ngày 25/11."), "{updates}");
    // The read side, by the independent client, in both formats, with error answers.
    let python = crate::validators::python().expect("validators' python");
    let script = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../scripts/validators/check_open311.py");
    let base = app.url("/open311/v2");
    for jurisdiction in [None, Some("51")] {
        let mut cmd = tokio::process::Command::new(&python);
        cmd.arg(&script).arg(&base).arg("--check-errors");
        if let Some(j) = jurisdiction {
            cmd.args(["--jurisdiction", j]);
        }
        let out = cmd.output().await.unwrap(); // async: the server answers on this same runtime
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "check_open311.py failed:\n{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
        let summary: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        assert_eq!((summary["requests"].as_u64(), summary["services"].as_u64()), (Some(2), Some(12)), "{summary}");
        assert_eq!(summary["errors_checked"].as_u64(), Some(if jurisdiction.is_some() { 6 } else { 4 }), "{summary}");
    }
    // Closed/open filters and the service filter.
    let v: Value = serde_json::from_str(&get_text(&app, "/open311/v2/requests.json?status=closed").await).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let v: Value =
        serde_json::from_str(&get_text(&app, "/open311/v2/requests.json?service_code=giao-thong").await).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["service_code"], "giao-thong");
    let res = Client::new().get(app.url("/open311/v2/requests.json?jurisdiction_id=KHONG")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// A flood of submissions from one address is refused with 429 after the configured rate, in
/// the error form of each edge.
#[tokio::test]
async fn a_flood_from_one_address_gets_429() {
    let app = TestApp::spawn_with(|c| c.feedback_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (st, _) = submit(&app, road(CAM_THANH, None)).await;
        statuses.push(st);
    }
    assert!(statuses[..3].iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let res = Client::new().post(app.url("/open311/v2/requests.json")).form(&[("api_key", "x")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v[0]["code"], 429, "{v}");
    // Reading stays open.
    let res = Client::new().get(app.url("/open311/v2/services.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// Photos: the GPS position in a JPEG's EXIF is gone from what is stored and served; other
/// types and oversized files are refused with the field named.
#[tokio::test]
async fn photos_lose_their_gps_and_bad_files_are_refused() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0x00];
    let exif = b"Exif\0\0GPSLatitude 15.1205 GPSLongitude 108.7923";
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(exif);
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0x10, 0x20, 0xFF, 0xD9]);
    let input = domain::feedback::FeedbackInput {
        service_code: Some("moi-truong".into()),
        description: "Bãi rác tự phát".into(),
        area_code: CAM_THANH.into(),
        confirmed_new: true,
        ..Default::default()
    };
    let sub = s.submit_feedback(&input, std::slice::from_ref(&jpeg), domain::feedback::Source::Web).await.unwrap();
    let domain::services::feedback::Submission::Submitted { item } = sub else { panic!("not submitted") };
    assert_eq!(item.photo_ids.len(), 1);
    let res =
        Client::new().get(app.url(&format!("/api/v1/feedback/photos/{}", item.photo_ids[0]))).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let served = res.bytes().await.unwrap();
    assert!(!String::from_utf8_lossy(&served).contains("GPS"), "GPS served");
    assert!(served.starts_with(&[0xFF, 0xD8]) && served.ends_with(&[0x10, 0x20, 0xFF, 0xD9]));
    for (bytes, what) in [
        (b"GIF89a....".to_vec(), "JPEG hoặc PNG"),
        ([vec![0xFF, 0xD8, 0xFF], vec![0; domain::feedback::PHOTO_MAX_BYTES]].concat(), "5 MB"),
    ] {
        match s.submit_feedback(&input, &[bytes], domain::feedback::Source::Web).await {
            Err(domain::DomainError::Invalid { field: "media", message }) => {
                assert!(message.contains(what), "{message}")
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    match s
        .submit_feedback(&input, &[jpeg.clone(), jpeg.clone(), jpeg.clone(), jpeg], domain::feedback::Source::Web)
        .await
    {
        Err(domain::DomainError::Invalid { field: "media", .. }) => {}
        other => panic!("four photos: {other:?}"),
    }
}

/// Routing rules send a category in an area to its unit; the classifier's unsure guesses wait
/// in the triage queue; an officer's choice re-routes the item and becomes training data that
/// the retraining job learns from.
#[tokio::test]
async fn routing_triage_and_retraining() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    // Before any rule the commune handles it; a rule added counts for the very next report.
    let code = submitted(&app, road(CAM_THANH, None)).await;
    assert_eq!(track(&app, &code).await["item"]["handler_name"], "Phường Cẩm Thành");
    s.add_feedback_route(&admin, Some("giao-thong"), "51", "51.SXD").await.unwrap();
    let err = s.add_feedback_route(&admin, Some("giao-thong"), "01", "51.SXD").await.unwrap_err();
    assert!(matches!(err, domain::DomainError::Forbidden(_)), "A routes B's area: {err:?}");
    let dup = s.add_feedback_route(&admin, Some("giao-thong"), "51", "51.SKHCN").await.unwrap_err();
    assert!(matches!(dup, domain::DomainError::Conflict(_)));
    let code = submitted(&app, road(CAM_THANH, None)).await;
    assert_eq!(track(&app, &code).await["item"]["handler_name"], "Sở Xây dựng tỉnh Quảng Ngãi");
    // Other categories stay with the commune.
    let mut body = road(CAM_THANH, None);
    body["service_code"] = json!("moi-truong");
    let code = submitted(&app, body).await;
    assert_eq!(track(&app, &code).await["item"]["handler_name"], "Phường Cẩm Thành");

    // Without a chosen category, an obvious text is classified from the descriptions alone…
    let (st, v) = submit(
        &app,
        json!({
            "description": "Rác thải sinh hoạt đổ bừa bãi ven đường, bốc mùi hôi thối, ô nhiễm môi trường",
            "area_code": NGHIA_LO,
        }),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let guessed = item_id(&app, v["item"]["tracking_code"].as_str().unwrap()).await;
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let d = s.feedback_detail(&root, guessed).await.unwrap();
    assert_eq!(d.view.predicted_category.as_ref().map(|c| c.code.as_str()), Some("moi-truong"), "{:?}", d.view);
    // …and with a threshold no guess reaches, everything waits for triage.
    let mut settings = s.feedback_settings().await.unwrap();
    settings.confidence_threshold = 1.0;
    s.set_feedback_settings(&root, settings).await.unwrap();
    let (_, v) =
        submit(&app, json!({ "description": "Ổ gà lớn giữa đường, xe cộ đi lại nguy hiểm", "area_code": CAM_THANH }))
            .await;
    let code = v["item"]["tracking_code"].as_str().unwrap().to_string();
    let id = item_id(&app, &code).await;
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    let queue = app.get_json(&officer, "/api/v1/feedback?category=none").await;
    assert!(queue["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "{queue}");
    assert!(track(&app, &code).await["item"]["category"].is_null());
    let (st, v) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/feedback/{id}/category"),
            Some(json!({"category": "giao-thong"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["category"]["code"].as_str(), v["handler"]["code"].as_str()),
        (Some("giao-thong"), Some("51.SXD")),
        "re-routed: {v}"
    );
    assert_eq!(v["category_source"], "officer");
    // Retraining: not yet (1 confirmed example, the setting wants 20), then forced.
    assert_eq!(s.retrain_classifier(false).await.unwrap(), None);
    assert_eq!(s.retrain_classifier(true).await.unwrap(), Some(1));
    let (st, v) = app
        .api(&app.token("root.admin", PASSWORD).await, Method::POST, "/api/v1/feedback/classifier/retrain", None)
        .await;
    assert_eq!((st, v["examples"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let (st, _) = app.api(&officer, Method::POST, "/api/v1/feedback/classifier/retrain", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// SLA reminders go to the handling unit's officers before the due day, daily once overdue, and
/// to its leaders after the escalation delay; once each per day.
#[tokio::test]
async fn sla_reminders_and_escalation_follow_the_reminder_rules() {
    let app = TestApp::spawn_at(before_national_day()).await;
    handlers(app.services()).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    s.add_feedback_route(&admin, Some("giao-thong"), "51", "51.SXD").await.unwrap();
    let code = submitted(&app, road(CAM_THANH, None)).await; // due 15/09/2026
    let officer = s.login("sxd.chuyenvien", PASSWORD, None).await.unwrap();
    let leader = s.login("sxd.lanhdao", PASSWORD, None).await.unwrap();
    let titles = |n: Vec<domain::notify::Notification>| n.into_iter().map(|n| n.title).collect::<Vec<_>>();
    // Monday 14/09 is one working day before.
    app.advance(Duration::days(18));
    let run = s.run_feedback_reminders(false).await.unwrap();
    assert!(run.created >= 1, "{run:?}");
    assert_eq!(s.run_feedback_reminders(false).await.unwrap().created, 0, "once a day");
    let got = titles(s.notifications(&officer, 10).await.unwrap());
    assert!(got[0].contains(&code) && got[0].contains("còn 1 ngày"), "{got:?}");
    // Thursday 17/09: 2 working days overdue; Monday 21/09: 4, past the escalation (3).
    app.advance(Duration::days(3));
    s.run_feedback_reminders(false).await.unwrap();
    assert!(titles(s.notifications(&officer, 10).await.unwrap())[0].contains("quá hạn 2"));
    assert!(s.notifications(&leader, 10).await.unwrap().is_empty());
    app.advance(Duration::days(4));
    s.run_feedback_reminders(false).await.unwrap();
    let got = titles(s.notifications(&leader, 10).await.unwrap());
    assert!(got.len() == 1 && got[0].contains("quá hạn 4"), "{got:?}");
    // Answered: no more reminders.
    let id = item_id(&app, &code).await;
    let token = app.token("sxd.chuyenvien", PASSWORD).await;
    step(&app, &token, id, "receive", json!({})).await;
    step(&app, &token, id, "reply", json!({"note": "Đã xử lý"})).await;
    app.advance(Duration::days(1));
    assert_eq!(s.run_feedback_reminders(false).await.unwrap().checked_tasks, 0);
}

/// Abusive text is held from public view until a moderator looks; a moderator's edit and
/// hiding are what the public then sees.
#[tokio::test]
async fn moderation_holds_abuse_and_hides_personal_matters() {
    let app = TestApp::spawn().await;
    handlers(app.services()).await;
    let mut body = road(CAM_THANH, None);
    body["description"] = json!("Cán bộ phường làm ăn như đồ chó, đường hỏng mãi không sửa");
    let code = submitted(&app, body).await;
    let list = get_text(&app, "/open311/v2/requests.json").await;
    assert!(!list.contains(&code), "flagged item listed publicly");
    let t = track(&app, &code).await;
    assert!(!t.to_string().contains("đồ chó"), "{t}");
    let officer = app.token("camthanh.ttcs", PASSWORD).await;
    let id = item_id(&app, &code).await;
    let (st, v) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/feedback/{id}/moderation"),
            Some(json!({"public_description": "Đường hỏng lâu ngày chưa được sửa chữa."})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let one = get_text(&app, &format!("/open311/v2/requests/{code}.json")).await;
    assert!(one.contains("Đường hỏng lâu ngày chưa được sửa chữa.") && !one.contains("đồ chó"), "{one}");
    app.api(&officer, Method::POST, &format!("/api/v1/feedback/{id}/moderation"), Some(json!({"hidden": true}))).await;
    let res = Client::new().get(app.url(&format!("/open311/v2/requests/{code}.json"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// Scope (called by the authorisation matrix of `authz.rs`)
// ---------------------------------------------------------------------------------------------

/// An item of Hà Nội (province B).
pub async fn b_feedback(app: &TestApp) -> (i64, String) {
    let mut body = road(BA_DINH, Some("ha.noi@example.vn"));
    body["description"] = json!("Phản ánh bí mật của Hà Nội về ổ gà phố Đội Cấn");
    let code = submitted(app, body).await;
    (item_id(app, &code).await, code)
}

/// Checks one feedback route for A's admin against B's item; false when the route is not a
/// feedback route.
#[allow(clippy::too_many_arguments)]
pub async fn a_cannot_reach_b(
    app: &TestApp,
    page: &Client,
    csrf: &str,
    token: &str,
    def: &web::RouteDef,
    b: &(i64, String),
) -> bool {
    let is_feedback = def.path.starts_with("/feedback")
        || def.path.starts_with("/api/v1/feedback")
        || def.path.starts_with("/phan-anh")
        || def.path.starts_with("/open311")
        || def.path == "/api/v1/settings/feedback"
        || def.path == "/api/v1/open311/keys"
        || def.path == "/static/feedback.js";
    if !is_feedback {
        return false;
    }
    let denied = |st: StatusCode| st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND;
    let clean = |body: &str| !body.contains("bí mật của Hà Nội") && !body.contains("ha.noi@");
    let method = Method::from_bytes(def.method.as_bytes()).unwrap();
    let key = format!("{} {}", def.method, def.path);
    let (id, code) = (b.0, b.1.as_str());
    let form = [
        ("csrf", csrf),
        ("step", "receive"),
        ("category", "khac"),
        ("note", "lấn sang"),
        ("form", "route"),
        ("area", "01"),
        ("handler", "51.SKHCN"),
        ("name", "x"),
    ];
    let call_page = |path: String| {
        let req = page.request(method.clone(), app.url(&path));
        let req = if method == Method::GET { req } else { req.form(&form) };
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let call_api = |path: String, body: Option<Value>| {
        let mut req = Client::new().request(method.clone(), app.url(&path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let with_id = def.path.replace("{id}", &id.to_string()).replace("{step}", "receive").replace("{code}", code);
    match key.as_str() {
        // Public by design: what they show is public, contacts never.
        "GET /phan-anh"
        | "GET /phan-anh/tra-cuu"
        | "GET /static/feedback.js"
        | "GET /api/v1/feedback/categories"
        | "GET /api/v1/feedback/similar"
        | "GET /api/v1/feedback/track/{code}"
        | "GET /api/v1/feedback/photos/{id}"
        | "GET /open311/v2/{file}"
        | "GET /open311/v2/services/{file}"
        | "GET /open311/v2/requests/{file}"
        | "GET /open311/v2/tokens/{file}" => assert_eq!(def.access, web::Access::Public, "{key}"),
        // Citizens' writes: public and rate-limited.
        "POST /phan-anh"
        | "POST /phan-anh/tra-cuu/mo-lai"
        | "POST /api/v1/feedback"
        | "POST /api/v1/feedback/track/{code}/reopen"
        | "POST /open311/v2/{file}" => {
            assert_eq!(def.access, web::Access::Public, "{key}");
            assert!(def.limit.is_some(), "{key} must be rate limited");
        }
        "GET /feedback" | "GET /api/v1/feedback" => {
            let (st, body) = if def.path.starts_with("/api") {
                call_api(format!("{}?org=01", def.path), None).await
            } else {
                call_page(format!("{}?org=01", def.path)).await
            };
            assert!(st == StatusCode::OK || denied(st), "{key}: {st}");
            assert!(clean(&body), "{key} shows B's feedback");
            let (_, body) = if def.path.starts_with("/api") {
                call_api(def.path.into(), None).await
            } else {
                call_page(def.path.into()).await
            };
            assert!(clean(&body), "{key} shows B's feedback");
        }
        // Analytics: A's figures hold nothing of B, even narrowed to B's province, and B's words
        // are not among A's terms.
        "GET /feedback/analytics" | "GET /api/v1/feedback/analytics" | "GET /api/v1/feedback/analytics/file/xlsx" => {
            let secret = |text: &str| {
                let lower = text.to_lowercase();
                ["bí mật", "đội cấn", "ha.noi@"].iter().any(|w| lower.contains(w))
            };
            for query in ["?org=01", ""] {
                let path = format!("{}{query}", def.path);
                let text = if def.path.ends_with("/xlsx") {
                    let res = Client::new().get(app.url(&path)).bearer_auth(token).send().await.unwrap();
                    assert_eq!(res.status(), StatusCode::OK, "{key}");
                    let sheets = reports::read_xlsx_sheets(&res.bytes().await.unwrap()).unwrap();
                    format!("{sheets:?}")
                } else if def.path.starts_with("/api") {
                    let (st, body) = call_api(path, None).await;
                    assert_eq!(st, StatusCode::OK, "{key}");
                    let v: Value = serde_json::from_str(&body).unwrap();
                    if !query.is_empty() {
                        assert_eq!(v["total"]["count"], 0, "{key}: A counts B's items: {v}");
                    }
                    body
                } else {
                    let (st, body) = call_page(path).await;
                    assert_eq!(st, StatusCode::OK, "{key}");
                    body
                };
                assert!(clean(&text) && !secret(&text), "{key}{query} shows B's feedback");
            }
        }
        "GET /feedback/{id}" | "GET /api/v1/feedback/{id}" => {
            let (st, body) =
                if def.path.starts_with("/api") { call_api(with_id, None).await } else { call_page(with_id).await };
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        "POST /feedback/{id}/steps" | "POST /feedback/{id}/category" | "POST /feedback/{id}/moderation" => {
            let (st, body) = call_page(with_id).await;
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        "POST /api/v1/feedback/{id}/steps/{step}"
        | "POST /api/v1/feedback/{id}/category"
        | "POST /api/v1/feedback/{id}/moderation" => {
            let (st, _) = call_api(with_id, Some(json!({"category": "khac", "hidden": true}))).await;
            assert!(denied(st), "{key}: {st}");
        }
        "GET /feedback/settings" | "GET /api/v1/feedback/routes" | "GET /api/v1/settings/feedback" => {
            let (st, body) = if def.path.starts_with("/api") {
                call_api(def.path.into(), None).await
            } else {
                call_page(def.path.into()).await
            };
            assert_eq!(st, StatusCode::OK, "{key}");
            assert!(clean(&body));
        }
        "POST /feedback/settings" => {
            let (st, body) = call_page(def.path.into()).await;
            assert!(denied(st) && clean(&body), "A routes B's area: {st}");
        }
        "POST /api/v1/feedback/routes" => {
            let (st, _) = call_api(def.path.into(), Some(json!({"area": "01", "handler": "51.SKHCN"}))).await;
            assert!(denied(st), "{key}: {st}");
        }
        "DELETE /api/v1/feedback/routes/{id}" => {
            let s = app.services();
            let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
            let route = s.add_feedback_route(&b_admin, None, BA_DINH, "01.SKHCN").await.unwrap();
            let (st, _) = call_api(def.path.replace("{id}", &route.id.to_string()), None).await;
            assert!(denied(st), "{key}: {st}");
            assert!(s.feedback_routes().await.unwrap().iter().any(|r| r.id == route.id), "A deleted B's rule");
        }
        // National settings: system admins only (A's admin is a province admin).
        "PUT /api/v1/settings/feedback"
        | "PUT /api/v1/feedback/categories/{code}"
        | "POST /api/v1/feedback/classifier/retrain"
        | "POST /api/v1/open311/keys"
        | "POST /feedback/settings/keys" => {
            let path = def.path.replace("{code}", "khac");
            let body = json!({"confidence_threshold": 0.1, "reopen_days": 1, "duplicate_radius_m": 50, "duplicate_days": 1,
                "retrain_after": 1, "code": "khac", "name": "x", "description": "", "sla_days": 1, "name": "x"});
            let (st, _) =
                if def.path.starts_with("/api") { call_api(path, Some(body)).await } else { call_page(path).await };
            assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st}");
        }
        other => panic!("feedback route without an authorisation case: {other}"),
    }
    // Nothing of B's item changed.
    let s = app.services();
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let d = s.feedback_detail(&b_admin, id).await.unwrap();
    assert_eq!(
        (d.view.item.status, d.view.item.row_version),
        (domain::feedback::Status::New, 1),
        "{key} changed B's item"
    );
    true
}

/// The demo shows a living service: items in every state in three provinces, overdue ones, the
/// triage queue, a flagged item, a merge, a reopening, replies on the public page.
#[tokio::test]
async fn the_demo_has_feedback_in_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::test_config(dir.path());
    let clock =
        std::sync::Arc::new(domain::clock::ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap()));
    let app = dxgov::app::App::open(&config, clock, true).await.unwrap();
    let s = &app.services;
    dxgov::demo::load(s, PASSWORD).await.unwrap();
    let national = s.login("cds.dieuphoi", PASSWORD, None).await.unwrap();
    let filter = domain::services::feedback::FeedbackFilter { limit: Some(500), ..Default::default() };
    let all = s.feedback_list(&national, &filter).await.unwrap().items;
    for status in domain::feedback::Status::ALL {
        assert!(all.iter().any(|v| v.item.status == status), "no demo item is {}", status.label());
    }
    let provinces: std::collections::BTreeSet<&str> =
        all.iter().map(|v| v.item.area_path.split('/').nth(2).unwrap_or("")).collect();
    assert!(provinces.len() >= 3, "{provinces:?}");
    assert!(all.iter().any(|v| v.overdue), "an overdue item");
    assert!(all.iter().any(|v| v.item.needs_triage()), "the triage queue");
    assert!(all.iter().any(|v| v.item.flagged), "an item waiting for moderation");
    assert!(all.iter().any(|v| v.item.reopen_count > 0), "a reopened item");
    assert!(
        all.iter().any(|v| v.item.category_source == domain::feedback::CategorySource::Model),
        "classified by the model"
    );
    let merged = all.iter().find(|v| v.item.status == domain::feedback::Status::Merged).unwrap();
    let t = s.track_feedback(&merged.item.tracking_code).await.unwrap();
    assert_eq!(t.master.as_ref().unwrap().item.status, domain::feedback::Status::Answered);
    // Routed road items went to the Department of Construction.
    assert!(
        all.iter().any(|v| v.handler.code == "51.SXD" && v.category.as_ref().is_some_and(|c| c.code == "giao-thong"))
    );
    assert!(s.open311_key_valid(dxgov::demo::feedback::OPEN311_KEY).await.unwrap());
}

/// Reports sent at the same moment are committed together (one transaction per group), yet each
/// one as its own: 48 at once through the store, two of them carrying the same tracking code —
/// every other report is stored with its history line and audit entry, the clash is refused on
/// its own, and the audit chain still verifies.
#[tokio::test]
async fn reports_sent_at_once_are_each_stored_and_a_bad_one_fails_alone() {
    use domain::audit::AuditDraft;
    use domain::feedback::{CategorySource, EventKind, Reporter, Source};
    use domain::repo::feedback::{FeedbackStore, NewEvent, NewFeedback};

    let app = TestApp::spawn_at(before_national_day()).await;
    let s = app.services();
    let area = s.org_by_code(CAM_THANH, None).await.unwrap();
    let now = before_national_day();
    let new = |i: usize| {
        let code = if i == 47 { "PA-SAME-0001".to_string() } else { format!("PA-GRP{:01}-{i:04}", i % 10) };
        let item = NewFeedback {
            tracking_code: if i == 46 { "PA-SAME-0001".into() } else { code },
            category_id: None,
            category_source: CategorySource::None,
            predicted_category_id: None,
            confidence: Some(0.5),
            title: format!("Phản ánh số {i}"),
            description: format!("Nội dung phản ánh số {i}"),
            public_description: format!("Nội dung phản ánh số {i}"),
            flagged: false,
            address: None,
            location: None,
            attributes: Default::default(),
            area_org_id: area.id,
            area_path: area.path.clone(),
            handler_org_id: area.id,
            handler_path: area.path.clone(),
            reporter: Reporter { name: None, email: None, phone: None },
            source: Source::Api,
            submitted_at: now,
            due_on: now.date_naive(),
            search_key: format!("phan anh so {i}"),
        };
        let event = NewEvent {
            at: now,
            kind: EventKind::Submitted,
            actor_id: None,
            actor: String::new(),
            note: None,
            public: true,
        };
        let audit = AuditDraft {
            at: now,
            actor_id: None,
            actor: "system".into(),
            action: "feedback.submit".into(),
            entity: "feedback",
            entity_id: None,
            org_id: Some(area.id),
            before: None,
            after: None,
        };
        (item, event, audit)
    };
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..48 {
        let (db, (item, event, audit)) = (app.app.db.clone(), new(i));
        tasks.spawn(async move { db.feedback_insert(&item, &[], &event, audit).await });
    }
    let results = tasks.join_all().await;
    let db = &app.app.db;
    let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(|r| r.is_ok());
    assert_eq!((ok.len(), failed.len()), (47, 1), "{failed:?}");
    assert!(matches!(failed[0], Err(domain::DomainError::Conflict(_))), "{failed:?}");
    let mut ids: Vec<i64> = ok.into_iter().map(|r| r.unwrap().id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 47);
    for (i, id) in ids.iter().enumerate() {
        let item = db.feedback_get(*id).await.unwrap().expect("stored");
        let events = db.feedback_events(*id).await.unwrap();
        assert_eq!(events.len(), 1, "item {i}: one history line");
        assert_eq!(item.status, domain::feedback::Status::New);
    }
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let submits: Vec<_> =
        s.recent_audit(&root, 500).await.unwrap().into_iter().filter(|e| e.action == "feedback.submit").collect();
    assert_eq!(submits.len(), 47, "one audit entry per stored report");
    assert!(submits.iter().all(|e| e.entity_id.as_deref().is_some_and(|id| ids.contains(&id.parse().unwrap()))));
    assert!(s.verify_audit().await.unwrap().is_ok(), "the chain verifies");
}
