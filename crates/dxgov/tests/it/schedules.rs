//! Work schedules (lịch công tác): drafts seen by editors only until the week is published,
//! people booked twice flagged on both events, field errors, stale edits, the iCalendar export
//! read by an independent parser, and who may see and change what.

use chrono::{NaiveDate, TimeZone, Utc};
use domain::Services;
use domain::auth::Role;
use domain::schedule::ScheduleEventInput;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};
use crate::validators::check_ical;

/// 10:00 on Friday 20/11/2026 in Vietnam; the schedules are of the week of Monday 23/11/2026.
fn friday() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 3, 0, 0).unwrap()
}

/// "2026-11-DDTHH:MM:00+07:00": Vietnamese wall-clock time as the API takes it.
fn vn(day: u32, hour: u32, minute: u32) -> String {
    format!("2026-11-{day:02}T{hour:02}:{minute:02}:00+07:00")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A leader of province A, who chairs meetings of the province and of its departments.
async fn seed_leader(app: &TestApp) {
    app.services().seed_user("a.lanhdao", "Lãnh đạo Quảng Ngãi", "51", Role::Leader, "51", PASSWORD).await.unwrap();
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (st, e) = app.api(token, Method::POST, "/api/v1/schedules", Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    e
}

/// The standard meeting of 51.SKHCN on Monday 23/11/2026, 08:00–10:00.
fn meeting() -> Value {
    json!({
        "org": "51.SKHCN",
        "starts_at": vn(23, 8, 0),
        "ends_at": vn(23, 10, 0),
        "title": "Họp giao ban triển khai chuyển đổi số tuần 48",
        "place": "Phòng họp số 1, Sở Khoa học và Công nghệ",
        "chair": "a.lanhdao",
        "participants": ["a.officer"],
        "participants_text": "Trưởng các phòng chuyên môn",
        "preparing_org": "51.SKHCN",
        "notes": "Mang theo số liệu tháng 11",
    })
}

/// HTML with askama's character references turned back into characters.
fn unescape(html: &str) -> String {
    html.replace("&#38;", "&").replace("&#39;", "'").replace("&#34;", "\"").replace("&amp;", "&")
}

fn titles(list: &Value) -> Vec<String> {
    list["events"].as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap().to_string()).collect()
}

/// For the authorisation matrix: a published event and a draft of province B's schedule (01.SKHCN);
/// returns their ids.
pub async fn b_schedule(s: &Services) -> (i64, i64) {
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let at = |d, h| Some(Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap());
    let event = |title: &str, d, h| ScheduleEventInput {
        org: Some("01.SKHCN".into()),
        starts_at: at(d, h),
        ends_at: at(d, h + 2),
        title: title.into(),
        chair: Some("b.officer".into()),
        ..Default::default()
    };
    let published = s.create_schedule_event(&b_admin, &event("Họp bí mật của Hà Nội", 23, 1)).await.unwrap();
    s.publish_schedule_week(&b_admin, "01.SKHCN", date(2026, 11, 23)).await.unwrap();
    let draft = s.create_schedule_event(&b_admin, &event("Dự thảo bí mật của Hà Nội", 30, 1)).await.unwrap();
    (published.id, draft.id)
}

#[tokio::test]
async fn a_draft_is_seen_by_editors_only_until_its_week_is_published() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let officer = app.token("a.officer", PASSWORD).await;
    let week = "/api/v1/schedules?org=51.SKHCN&from=2026-11-23&to=2026-11-29";

    let e = create(&app, &admin, meeting()).await;
    let id = e["id"].as_i64().unwrap();
    assert_eq!(e["published"], false);
    assert_eq!(e["starts_at"], "2026-11-23T01:00:00Z", "08:00 in Vietnam is 01:00 UTC");
    assert_eq!(e["ends_at"], "2026-11-23T03:00:00Z");
    assert_eq!(e["chair"]["full_name"], "Lãnh đạo Quảng Ngãi");
    assert_eq!(e["participants"][0]["username"], "a.officer");
    assert_eq!(e["preparing_org"]["code"], "51.SKHCN");
    assert_eq!(e["row_version"], 1);

    // The draft: the editor sees it, the unit's officer does not, by list or by id.
    let list = app.get_json(&admin, week).await;
    assert_eq!((list["may_edit"].as_bool(), list["drafts"].as_u64()), (Some(true), Some(1)), "{list}");
    assert_eq!(titles(&list), vec!["Họp giao ban triển khai chuyển đổi số tuần 48"]);
    let list = app.get_json(&officer, week).await;
    assert_eq!(list["may_edit"], false);
    assert!(titles(&list).is_empty(), "the officer sees a draft: {list}");
    let (st, _) = app.api(&officer, Method::GET, &format!("/api/v1/schedules/events/{id}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Nor may the officer publish.
    let publish = Some(json!({"week_start": "2026-11-25"}));
    let (st, _) = app.api(&officer, Method::POST, "/api/v1/schedules/51.SKHCN/publish", publish.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // A draft of the next week stays a draft when this week is published.
    let mut next = meeting();
    next["starts_at"] = json!("2026-11-30T08:00:00+07:00");
    next["ends_at"] = json!("2026-11-30T09:00:00+07:00");
    next["title"] = json!("Họp giao ban tuần 49");
    create(&app, &admin, next).await;

    // Any day of the week publishes the week, Monday to Sunday.
    let (st, done) = app.api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", publish).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!((done["week_start"].as_str(), done["week_end"].as_str()), (Some("2026-11-23"), Some("2026-11-29")));
    assert_eq!(done["published"], 1);
    let list = app.get_json(&officer, week).await;
    assert_eq!(titles(&list), vec!["Họp giao ban triển khai chuyển đổi số tuần 48"]);
    assert_eq!(
        (list["events"][0]["published"].as_bool(), list["events"][0]["adjusted"].as_bool()),
        (Some(true), Some(false))
    );
    let next_week = app.get_json(&officer, "/api/v1/schedules?org=51.SKHCN&from=2026-11-30").await;
    assert!(titles(&next_week).is_empty(), "next week's draft was published too: {next_week}");
    assert_eq!(app.get_json(&admin, "/api/v1/schedules?org=51.SKHCN&from=2026-11-30").await["drafts"], 1);

    // Edited after publishing: still visible, marked as adjusted.
    let mut edit = meeting();
    edit["row_version"] = json!(1);
    edit["place"] = json!("Hội trường tầng 3");
    let (st, e) = app.api(&admin, Method::PUT, &format!("/api/v1/schedules/events/{id}"), Some(edit)).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    assert_eq!((e["row_version"].as_i64(), e["adjusted"].as_bool()), (Some(2), Some(true)));
    let seen = app.get_json(&officer, &format!("/api/v1/schedules/events/{id}")).await;
    assert_eq!((seen["place"].as_str(), seen["adjusted"].as_bool()), (Some("Hội trường tầng 3"), Some(true)), "{seen}");
}

#[tokio::test]
async fn a_person_in_two_overlapping_events_of_different_units_is_flagged_on_both() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    // The province's meeting, chaired by the leader, 08:00–10:00.
    let province = create(
        &app,
        &admin,
        json!({"org": "51", "starts_at": vn(23, 8, 0), "ends_at": vn(23, 10, 0),
               "title": "Họp Ủy ban nhân dân tỉnh thường kỳ", "chair": "a.lanhdao"}),
    )
    .await;
    assert!(province["conflicts"].as_array().unwrap().is_empty());
    // The department's meeting with the leader among the participants, 09:30–11:00: saved, with
    // the clash in the answer.
    let department = create(&app, &admin, {
        let mut m = meeting();
        m["chair"] = json!(null);
        m["chair_text"] = json!("Ông Nguyễn Văn Khách, Thứ trưởng Bộ Khoa học và Công nghệ");
        m["participants"] = json!(["a.lanhdao", "a.officer"]);
        m["starts_at"] = json!(vn(23, 9, 30));
        m["ends_at"] = json!(vn(23, 11, 0));
        m
    })
    .await;
    let clash = department["conflicts"].as_array().unwrap();
    assert_eq!(clash.len(), 1, "{department}");
    assert_eq!(clash[0]["person"]["username"], "a.lanhdao");
    assert_eq!(clash[0]["event_id"], province["id"]);
    assert_eq!(clash[0]["title"], "Họp Ủy ban nhân dân tỉnh thường kỳ");
    assert_eq!(clash[0]["org"]["code"], "51");
    // Touching is not overlapping (11:00 start after an 11:00 end); other people at the same time
    // are no clash.
    let after = create(
        &app,
        &admin,
        json!({"org": "51", "starts_at": vn(23, 11, 0), "ends_at": vn(23, 12, 0),
               "title": "Tiếp công dân định kỳ", "chair": "a.lanhdao"}),
    )
    .await;
    assert!(after["conflicts"].as_array().unwrap().is_empty(), "{after}");
    let guests = create(
        &app,
        &admin,
        json!({"org": "51.SKHCN", "starts_at": vn(23, 8, 0), "ends_at": vn(23, 10, 0),
               "title": "Đón đoàn công tác của Bộ", "chair_text": "Đại diện Bộ", "participants_text": "Khách mời"}),
    )
    .await;
    assert!(guests["conflicts"].as_array().unwrap().is_empty(), "{guests}");

    // Both events carry the flag on their weekly views.
    let flagged = |list: &Value, title: &str| -> Vec<(String, Value)> {
        let e = list["events"].as_array().unwrap().iter().find(|e| e["title"] == title).unwrap();
        e["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["person"]["username"].as_str().unwrap().to_string(), c["event_id"].clone()))
            .collect()
    };
    let week51 = app.get_json(&admin, "/api/v1/schedules?org=51&from=2026-11-23").await;
    assert_eq!(
        flagged(&week51, "Họp Ủy ban nhân dân tỉnh thường kỳ"),
        vec![("a.lanhdao".into(), department["id"].clone())]
    );
    assert!(flagged(&week51, "Tiếp công dân định kỳ").is_empty());
    let week_dept = app.get_json(&admin, "/api/v1/schedules?org=51.SKHCN&from=2026-11-23").await;
    assert_eq!(
        flagged(&week_dept, "Họp giao ban triển khai chuyển đổi số tuần 48"),
        vec![("a.lanhdao".into(), province["id"].clone())]
    );
    assert!(flagged(&week_dept, "Đón đoàn công tác của Bộ").is_empty());

    // The department's officer sees the clash but not the province's draft it clashes with.
    let (st, _) = app
        .api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", Some(json!({"week_start": "2026-11-23"})))
        .await;
    assert_eq!(st, StatusCode::OK);
    let officer = app.token("a.officer", PASSWORD).await;
    let seen = app.get_json(&officer, &format!("/api/v1/schedules/events/{}", department["id"])).await;
    let c = &seen["conflicts"][0];
    assert_eq!(c["person"]["username"], "a.lanhdao", "{seen}");
    assert!(c["event_id"].is_null() && c["title"].is_null(), "a draft of another unit leaks: {c}");
    assert_eq!(c["starts_at"], "2026-11-23T01:00:00Z");

    // The weekly page shows the flag on both.
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let html = client.get(app.url("/schedules?org=51&week=23/11/2026")).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Trùng lịch — Lãnh đạo Quảng Ngãi: trùng “Họp giao ban triển khai chuyển đổi số tuần 48”"),
        "{html}"
    );
    assert_eq!(html.matches("class=\"conflict\"").count(), 1, "only the province meeting clashes on 51's page");
}

#[tokio::test]
async fn an_end_before_the_start_is_refused_naming_the_field() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    for end in [vn(23, 7, 59), vn(23, 8, 0)] {
        let mut m = meeting();
        m["ends_at"] = json!(end);
        let (st, problem) = app.api(&admin, Method::POST, "/api/v1/schedules", Some(m)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], "ends_at", "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("phải sau thời gian bắt đầu (08:00 23/11/2026)"),
            "{problem}"
        );
    }
    // Through the form: the form comes back filled in, with the reason.
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let form = [
        ("org", "51.SKHCN"),
        ("date", "23/11/2026"),
        ("start", "14:00"),
        ("end", "13:30"),
        ("title", "Làm việc với Sở Tài chính"),
    ];
    let res = app.post_form(&client, &csrf, "/schedules/events", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(unescape(&html).contains("Trường 'ends_at': thời gian kết thúc (13:30 23/11/2026) phải sau"), "{html}");
    assert!(
        html.contains("Làm việc với Sở Tài chính") && html.contains("value=\"13:30\""),
        "form not refilled: {html}"
    );
    let list = app.get_json(&admin, "/api/v1/schedules?org=51.SKHCN&from=2026-11-23").await;
    assert!(titles(&list).is_empty(), "nothing saved: {list}");
}

#[tokio::test]
async fn a_stale_edit_or_delete_is_refused_with_what_changed() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let leader = app.token("a.lanhdao", PASSWORD).await;
    let id = create(&app, &admin, meeting()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/schedules/events/{id}");

    let mut theirs = meeting();
    theirs["row_version"] = json!(1);
    theirs["place"] = json!("Hội trường tầng 3");
    let (st, e) = app.api(&leader, Method::PUT, &path, Some(theirs)).await;
    assert_eq!((st, e["row_version"].as_i64()), (StatusCode::OK, Some(2)), "{e}");

    let mut mine = meeting();
    mine["row_version"] = json!(1);
    mine["title"] = json!("Họp giao ban (sửa của quản trị)");
    let (st, problem) = app.api(&admin, Method::PUT, &path, Some(mine)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{problem}");
    let changes = problem["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{problem}");
    let change = changes[0].as_str().unwrap();
    assert!(change.contains("Địa điểm: Phòng họp số 1, Sở Khoa học và Công nghệ → Hội trường tầng 3"), "{change}");
    assert!(change.contains("Lãnh đạo Quảng Ngãi") && change.contains("10:00 20/11/2026"), "{change}");
    let now = app.get_json(&admin, &path).await;
    assert_eq!(
        (now["title"].as_str(), now["row_version"].as_i64()),
        (Some("Họp giao ban triển khai chuyển đổi số tuần 48"), Some(2))
    );

    let (st, _) = app.api(&admin, Method::DELETE, &format!("{path}?row_version=1"), None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(app.get_json(&admin, &path).await["id"], id, "a stale delete deleted");
    let (st, _) = app.api(&admin, Method::DELETE, &format!("{path}?row_version=2"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = app.api(&admin, Method::GET, &path, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_published_schedule_exports_as_icalendar() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let officer = app.token("a.officer", PASSWORD).await;
    let e = create(&app, &admin, meeting()).await;
    let id = e["id"].as_i64().unwrap();
    let (st, _) = app
        .api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", Some(json!({"week_start": "2026-11-23"})))
        .await;
    assert_eq!(st, StatusCode::OK);
    // A draft added afterwards, with the officer too, is not exported.
    let mut draft = meeting();
    draft["title"] = json!("Dự thảo: làm việc với doanh nghiệp");
    draft["starts_at"] = json!(vn(24, 14, 0));
    draft["ends_at"] = json!(vn(24, 16, 30));
    create(&app, &admin, draft).await;

    let ics_of = |token: String, path: &'static str| {
        let url = app.url(path);
        async move {
            let res = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
            res.text().await.unwrap()
        }
    };
    let week = "/api/v1/schedules/51.SKHCN.ics?from=2026-11-23&to=2026-11-29";
    let cal = check_ical(&ics_of(officer.clone(), week).await);
    assert_eq!(cal["calendar_name"], "Lịch công tác Sở Khoa học và Công nghệ tỉnh Quảng Ngãi");
    let events = cal["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{cal:#}");
    let ev = &events[0];
    assert_eq!(ev["uid"], format!("schedule-{id}@dxgov"));
    assert_eq!(ev["summary"], "Họp giao ban triển khai chuyển đổi số tuần 48");
    assert_eq!(
        (ev["dtstart"].as_str(), ev["dtend"].as_str()),
        (Some("2026-11-23T01:00:00+00:00"), Some("2026-11-23T03:00:00+00:00"))
    );
    assert_eq!(ev["location"], "Phòng họp số 1, Sở Khoa học và Công nghệ");
    let description = ev["description"].as_str().unwrap();
    for part in [
        "Chủ trì: Lãnh đạo Quảng Ngãi",
        "Thành phần: Chuyên viên Quảng Ngãi, Trưởng các phòng chuyên môn",
        "Đơn vị chuẩn bị: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
        "Ghi chú: Mang theo số liệu tháng 11",
    ] {
        assert!(description.contains(part), "{part} missing from {description}");
    }

    // Moved by an hour: the same UID, the new time.
    let mut moved = meeting();
    moved["row_version"] = json!(1);
    moved["starts_at"] = json!(vn(23, 9, 0));
    moved["ends_at"] = json!(vn(23, 11, 0));
    let (st, _) = app.api(&admin, Method::PUT, &format!("/api/v1/schedules/events/{id}"), Some(moved)).await;
    assert_eq!(st, StatusCode::OK);
    let cal = check_ical(&ics_of(officer.clone(), week).await);
    let ev = &cal["events"][0];
    assert_eq!(
        (ev["uid"].as_str(), ev["dtstart"].as_str()),
        (Some(format!("schedule-{id}@dxgov").as_str()), Some("2026-11-23T02:00:00+00:00"))
    );
    assert!(ev["description"].as_str().unwrap().contains("Đã điều chỉnh lúc 10:00 20/11/2026"), "{ev}");

    // The personal feed's source: the published events the officer takes part in, not the draft.
    let s = app.services();
    let officer_id = s.login("a.officer", PASSWORD, None).await.unwrap().user.id;
    let feed = |user| async move {
        let events = s.schedule_events_for_user(user, date(2026, 11, 23), date(2026, 12, 6)).await.unwrap();
        events.into_iter().map(|e| e.title).collect::<Vec<_>>()
    };
    assert_eq!(feed(officer_id).await, vec!["Họp giao ban triển khai chuyển đổi số tuần 48"]);
    let admin_id = s.login("a.admin", PASSWORD, None).await.unwrap().user.id;
    assert!(feed(admin_id).await.is_empty(), "the admin takes part in nothing");

    // A range of two weeks, once the second is published.
    let (st, _) = app
        .api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", Some(json!({"week_start": "2026-11-24"})))
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut later = meeting();
    later["title"] = json!("Hội nghị tổng kết năm");
    later["starts_at"] = json!("2026-12-04T08:00:00+07:00");
    later["ends_at"] = json!("2026-12-04T11:30:00+07:00");
    create(&app, &admin, later).await;
    app.api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", Some(json!({"week_start": "2026-12-04"})))
        .await;
    let cal = check_ical(&ics_of(officer, "/api/v1/schedules/51.SKHCN.ics?from=2026-11-23&to=2026-12-06").await);
    let summaries: Vec<&str> =
        cal["events"].as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap()).collect();
    assert_eq!(
        summaries,
        vec![
            "Họp giao ban triển khai chuyển đổi số tuần 48",
            "Dự thảo: làm việc với doanh nghiệp",
            "Hội nghị tổng kết năm"
        ]
    );
}

#[tokio::test]
async fn province_b_cannot_read_or_change_a_schedule_and_officers_only_read() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let id = create(&app, &admin, meeting()).await["id"].as_i64().unwrap();
    let (st, _) = app
        .api(&admin, Method::POST, "/api/v1/schedules/51.SKHCN/publish", Some(json!({"week_start": "2026-11-23"})))
        .await;
    assert_eq!(st, StatusCode::OK);
    let event = format!("/api/v1/schedules/events/{id}");
    let mut edit = meeting();
    edit["row_version"] = json!(1);
    edit["title"] = json!("Sửa trái phép");

    let b = app.token("b.admin", PASSWORD).await;
    let calls: [(Method, String, Option<Value>); 6] = [
        (Method::GET, "/api/v1/schedules?org=51.SKHCN&from=2026-11-23".into(), None),
        (Method::GET, event.clone(), None),
        (Method::PUT, event.clone(), Some(edit.clone())),
        (Method::DELETE, event.clone(), None),
        (Method::POST, "/api/v1/schedules/51.SKHCN/publish".into(), Some(json!({"week_start": "2026-11-23"}))),
        (Method::GET, "/api/v1/schedules/51.SKHCN.ics?from=2026-11-23".into(), None),
    ];
    for (method, path, body) in calls {
        let (st, res) = app.api(&b, method.clone(), &path, body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{method} {path}: {res}");
        assert!(!res.to_string().contains("Họp giao ban"), "{method} {path} leaks: {res}");
    }
    let (st, _) = app.api(&b, Method::POST, "/api/v1/schedules", Some(meeting())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (client, _) = app.sign_in("b.admin", PASSWORD).await;
    let res = client.get(app.url("/schedules?org=51.SKHCN&week=23/11/2026")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The unit's officer reads the published week but changes nothing.
    let officer = app.token("a.officer", PASSWORD).await;
    assert_eq!(app.get_json(&officer, &event).await["id"], id);
    let (st, _) = app.api(&officer, Method::PUT, &event, Some(edit)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = app.api(&officer, Method::DELETE, &event, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = app.api(&officer, Method::POST, "/api/v1/schedules", Some(meeting())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let after = app.get_json(&admin, &event).await;
    assert_eq!(
        (after["title"].as_str(), after["row_version"].as_i64()),
        (Some("Họp giao ban triển khai chuyển đổi số tuần 48"), Some(1))
    );
    assert_eq!(titles(&app.get_json(&admin, "/api/v1/schedules?org=51.SKHCN&from=2026-11-23").await).len(), 1);
}

#[tokio::test]
async fn the_weekly_page_groups_by_day_and_lets_editors_add_edit_publish_and_delete() {
    let app = TestApp::spawn_at(friday()).await;
    seed_leader(&app).await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let page = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let res = client.get(url).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.text().await.unwrap()
        }
    };
    let new = page("/schedules/events/new?org=51.SKHCN&date=2026-11-23".into()).await;
    assert!(new.contains("value=\"23/11/2026\"") && new.contains("Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"), "{new}");

    let form = |start: &'static str, end: &'static str, title: &'static str| {
        vec![
            ("org", "51.SKHCN"),
            ("date", "23/11/2026"),
            ("start", start),
            ("end", end),
            ("title", title),
            ("place", "Phòng họp số 1"),
            ("chair", "a.lanhdao"),
            ("participants", "a.officer"),
            ("preparing_org", "51.SKHCN"),
        ]
    };
    let res =
        app.post_form(&client, &csrf, "/schedules/events", &form("14:00", "16:00", "Làm việc với Sở Tài chính")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/schedules?org=51.SKHCN&week=2026-11-23&saved="), "{to}");
    let id: i64 = to.rsplit('=').next().unwrap().parse().unwrap();
    let html = page(to).await;
    assert!(html.contains("Đã lưu lịch.") && !html.contains("Cảnh báo trùng lịch"), "{html}");
    for text in [
        "Thứ Hai, 23/11/2026",
        "Chủ nhật, 29/11/2026",
        "Chiều",
        "14:00–16:00",
        "Làm việc với Sở Tài chính",
        "Dự thảo",
        "Lãnh đạo Quảng Ngãi",
        "Tuần 48 (23/11/2026 – 29/11/2026)",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    let pager = unescape(&html);
    assert!(pager.contains("href=\"/schedules?org=51.SKHCN&week=2026-11-16\">← Tuần trước"), "{pager}");
    assert!(pager.contains("href=\"/schedules?org=51.SKHCN&week=2026-11-30\">Tuần sau →"), "{pager}");
    assert!(pager.contains("href=\"/api/v1/schedules/51.SKHCN.ics?from=2026-11-23&to=2026-11-29\""), "{pager}");

    // An overlapping event for the same leader is saved, with a warning.
    let res =
        app.post_form(&client, &csrf, "/schedules/events", &form("15:00", "17:00", "Tiếp đoàn doanh nghiệp")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(res.headers()["location"].to_str().unwrap().to_string()).await;
    assert!(html.contains("Cảnh báo trùng lịch"), "{html}");
    assert!(html.contains("Lãnh đạo Quảng Ngãi: trùng “Làm việc với Sở Tài chính”"), "{html}");

    // Edit through the form, then a second save from the same (now stale) form is refused.
    let edit = page(format!("/schedules/events/{id}/edit")).await;
    assert!(edit.contains("value=\"14:00\"") && edit.contains("name=\"row_version\" value=\"1\""), "{edit}");
    let mut fields = form("08:00", "09:30", "Làm việc với Sở Tài chính");
    fields.push(("row_version", "1"));
    let res = app.post_form(&client, &csrf, &format!("/schedules/events/{id}"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    fields[4] = ("title", "Sửa lần hai");
    let res = app.post_form(&client, &csrf, &format!("/schedules/events/{id}"), &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Người khác đã sửa")
            && html.contains("Thời gian: 14:00–16:00 23/11/2026 → 08:00–09:30 23/11/2026"),
        "{html}"
    );

    // Publish the week: the officer sees it on the page, without editing links.
    let res = app.post_form(&client, &csrf, "/schedules/51.SKHCN/publish", &[("week", "2026-11-23")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(res.headers()["location"].to_str().unwrap().to_string()).await;
    assert!(html.contains("Đã công bố lịch tuần.") && !html.contains("Dự thảo"), "{html}");
    let (officer, _) = app.sign_in("a.officer", PASSWORD).await;
    let html = officer.get(app.url("/schedules?week=2026-11-25")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sáng") && html.contains("08:00–09:30") && html.contains("Tiếp đoàn doanh nghiệp"), "{html}");
    assert!(!html.contains("/schedules/events/") && !html.contains("Thêm lịch"), "the officer is offered editing");
    let res = officer.get(app.url(&format!("/schedules/events/{id}/edit"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Delete.
    let res = app.post_form(&client, &csrf, &format!("/schedules/events/{id}/delete"), &[("row_version", "2")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(res.headers()["location"].to_str().unwrap().to_string()).await;
    assert!(html.contains("Đã xóa lịch.") && !html.contains("08:00–09:30"), "{html}");
}

/// For the backup test: a published, edited event of A's schedule with participants, so that
/// every schedule table has rows.
pub async fn sample_week(s: &Services) {
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let mut input = ScheduleEventInput {
        org: Some("51.SKHCN".into()),
        starts_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()),
        ends_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()),
        title: "Họp giao ban".into(),
        chair_text: Some("Giám đốc Sở".into()),
        participants: vec!["a.officer".into(), "a.admin".into()],
        preparing_org: Some("51.SKHCN".into()),
        ..Default::default()
    };
    let e = s.create_schedule_event(&admin, &input).await.unwrap();
    s.publish_schedule_week(&admin, "51.SKHCN", e.local_date()).await.unwrap();
    input.place = "Phòng họp số 2".into();
    s.update_schedule_event(&admin, e.id, e.row_version, &input).await.unwrap();
}
