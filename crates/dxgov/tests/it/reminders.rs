//! Reminders driven by a fake clock over real working days: 7, 3 and 1 working days before the
//! deadline, daily once overdue, one escalation to the lead unit's leader after 3 working days;
//! nothing twice across a restart; e-mails really received by an SMTP server on loopback; the
//! personal iCalendar feed read by an independent parser.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::auth::Role;
use domain::services::NewUserInput;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{PASSWORD, TestApp};
use crate::smtp::SmtpReceiver;
use crate::validators::check_ical;

/// 09:00 in Vietnam on Monday 30/11/2026.
fn monday_morning() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 2, 0, 0).unwrap()
}

/// A running plan of province A with one task due Friday 11/12/2026, led by 51.SKHCN and assigned
/// to `assignee`. Returns the task id.
async fn running_task(app: &TestApp, assignee: &str) -> i64 {
    let admin = app.token("a.admin", PASSWORD).await;
    let template = app.get_json(&admin, "/api/v1/plan-templates").await[0]["code"].clone();
    let (st, plan) = app
        .api(
            &admin,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"org": "51", "title": "Kế hoạch nhắc việc", "period": "2026", "template": template})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{plan}");
    let id = plan["id"].as_i64().unwrap();
    let (st, task) = app
        .api(&admin, Method::POST, &format!("/api/v1/plans/{id}/tasks"), Some(json!({
            "title": "Báo cáo sơ kết chuyển đổi số", "deadline": "2026-12-11", "lead": "51.SKHCN", "assignees": [assignee],
        })))
        .await;
    assert_eq!(st, StatusCode::OK, "{task}");
    for step in ["submit", "approve", "start"] {
        let v = app.get_json(&admin, &format!("/api/v1/plans/{id}")).await["row_version"].clone();
        let (st, p) = app
            .api(&admin, Method::POST, &format!("/api/v1/plans/{id}/steps"), Some(json!({"step": step, "row_version": v, "decision_number": "7/QĐ-SKHCN", "decision_date": "2026-11-30"})))
            .await;
        assert_eq!(st, StatusCode::OK, "{p}");
    }
    task["id"].as_i64().unwrap()
}

#[tokio::test]
async fn reminders_follow_working_days_escalate_once_and_never_repeat_across_a_restart() {
    let smtp = SmtpReceiver::start().await;
    let url = smtp.url();
    let mut app = TestApp::spawn_at_with(monday_morning(), |c| c.smtp_url = Some(url)).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let input = NewUserInput {
        username: "a.thuchien".into(),
        full_name: "Nguyễn Thị Thực Hiện".into(),
        email: Some("thuchien@quangngai.gov.vn".into()),
        org_code: "51.SKHCN".into(),
        role: Some("officer".into()),
    };
    let (officer, _) = s.create_user(&admin, &input).await.unwrap();
    s.seed_user("a.lanhdao", "Võ Lãnh Đạo", "51.SKHCN", Role::Leader, "51.SKHCN", PASSWORD).await.unwrap();
    let task = running_task(&app, "a.thuchien").await;

    // Day by day from Monday 30/11 to Thursday 17/12, ticking the scheduler each morning.
    let mut seen: Vec<(NaiveDate, String, String)> = Vec::new();
    let mut restarted = false;
    for _ in 0..18 {
        let today = app.clock.today();
        let tick = app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
        if today == NaiveDate::from_ymd_opt(2026, 12, 2).unwrap() && !restarted {
            // The same morning after a restart: nothing new, nothing sent twice.
            assert_eq!(tick.reminders.created, 1, "{tick:?}");
            assert_eq!(tick.mails_sent, 1);
            app = app.restart().await;
            restarted = true;
            let again = app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
            assert_eq!(
                (again.reminders.created, again.reminders.already_sent, again.mails_sent),
                (0, 1, 0),
                "{again:?}"
            );
        }
        for n in app.services().notifications(&app.services().principal(officer.id).await.unwrap(), 100).await.unwrap()
        {
            if !seen.iter().any(|(_, t, _)| *t == format!("{}#{}", n.title, n.id)) {
                seen.push((today, format!("{}#{}", n.title, n.id), "thực hiện".into()));
            }
        }
        app.advance(chrono::Duration::days(1));
    }
    let titles: Vec<(String, String)> = seen
        .iter()
        .map(|(d, t, _)| (d.format("%d/%m").to_string(), t.split('#').next().unwrap().to_string()))
        .collect();
    let t = "Báo cáo sơ kết chuyển đổi số";
    assert_eq!(
        titles,
        vec![
            ("02/12".into(), format!("Còn 7 ngày làm việc: {t}")),
            ("08/12".into(), format!("Còn 3 ngày làm việc: {t}")),
            ("10/12".into(), format!("Còn 1 ngày làm việc: {t}")),
            // Saturday 12 and Sunday 13 are not working days: no run, and they do not count.
            ("14/12".into(), format!("Quá hạn 1 ngày làm việc: {t}")),
            ("15/12".into(), format!("Quá hạn 2 ngày làm việc: {t}")),
            ("16/12".into(), format!("Quá hạn 3 ngày làm việc: {t}")),
            ("17/12".into(), format!("Quá hạn 4 ngày làm việc: {t}")),
        ]
    );
    // The leader of the lead unit hears once, when the task is 3 working days overdue.
    let leader = app.services().login("a.lanhdao", PASSWORD, None).await.unwrap();
    let to_leader = app.services().notifications(&leader, 100).await.unwrap();
    assert_eq!(to_leader.len(), 1, "{to_leader:?}");
    assert_eq!(to_leader[0].title, format!("Nhiệm vụ quá hạn 3 ngày làm việc: {t}"));
    assert!(to_leader[0].body.contains("Nguyễn Thị Thực Hiện"));
    assert_eq!(to_leader[0].link.as_deref(), Some(format!("/tasks/{task}").as_str()));

    // Every reminder of the officer arrived by e-mail exactly once; the leader has no address.
    let mails = smtp.wait_for(7, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 7);
    assert!(mails.iter().all(|m| m.to == vec!["thuchien@quangngai.gov.vn".to_string()]));
    assert_eq!(mails[0].subject, format!("Còn 7 ngày làm việc: {t}"));
    assert!(mails[0].body.contains("Hạn hoàn thành 11/12/2026."), "{}", mails[0].body);
}

#[tokio::test]
async fn the_notification_centre_counts_unread_and_marks_read() {
    let mut app = TestApp::spawn_at(monday_morning()).await;
    running_task(&app, "a.officer").await;
    app.advance(chrono::Duration::days(2)); // Wednesday 2/12: 7 working days before
    app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
    let token = app.token("a.officer", PASSWORD).await;
    let inbox = app.get_json(&token, "/api/v1/notifications").await;
    assert_eq!(inbox["unread"], 1, "{inbox}");
    let (client, _) = app.sign_in("a.officer", PASSWORD).await;
    let home = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Thông báo (1)"), "the menu shows the unread count");
    let (st, m) = app.api(&token, Method::POST, "/api/v1/notifications/read", Some(json!({}))).await;
    assert_eq!((st, m["marked"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(app.get_json(&token, "/api/v1/notifications").await["unread"], 0);
    // A weekend run adds nothing; neither does a rerun the same day.
    app = app.restart().await;
    let tick = app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
    assert_eq!(tick.reminders.created, 0);
}

#[tokio::test]
async fn the_personal_calendar_feed_is_valid_icalendar_behind_a_rotatable_secret() {
    let app = TestApp::spawn_at(monday_morning()).await;
    let task = running_task(&app, "a.officer").await;
    // A published meeting the officer attends (Wednesday 02/12, 14:00–16:00 in Vietnam).
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let meeting = s
        .create_schedule_event(
            &admin,
            &domain::schedule::ScheduleEventInput {
                org: Some("51.SKHCN".into()),
                starts_at: Some(Utc.with_ymd_and_hms(2026, 12, 2, 7, 0, 0).unwrap()),
                ends_at: Some(Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()),
                title: "Họp rà soát tiến độ chuyển đổi số".into(),
                place: "Phòng họp tầng 2".into(),
                participants: vec!["a.officer".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    s.publish_schedule_week(&admin, "51.SKHCN", NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).await.unwrap();
    let token = app.token("a.officer", PASSWORD).await;
    let (st, feed) = app.api(&token, Method::POST, "/api/v1/me/calendar-feed", None).await;
    assert_eq!(st, StatusCode::OK, "{feed}");
    let path = feed["url"].as_str().unwrap().to_string();
    let res = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    let parsed = check_ical(&ics);
    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{parsed}");
    let deadline = events.iter().find(|e| e["uid"] == format!("task-{task}@dxgov")).expect("the deadline");
    assert_eq!(deadline["summary"], "Hạn: Báo cáo sơ kết chuyển đổi số");
    assert_eq!(deadline["dtstart"], "2026-12-11");
    let held = events.iter().find(|e| e["summary"] == meeting.title).expect("the meeting");
    assert!(held["dtstart"].as_str().unwrap().starts_with("2026-12-02T07:00:00"), "{held}");
    assert_eq!(held["location"], "Phòng họp tầng 2");

    // Rotating replaces the address: the old one stops working.
    let (_, again) = app.api(&token, Method::POST, "/api/v1/me/calendar-feed", None).await;
    assert_ne!(again["url"], feed["url"]);
    assert_eq!(reqwest::get(app.url(&path)).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(reqwest::get(app.url(again["url"].as_str().unwrap())).await.unwrap().status(), StatusCode::OK);
    assert_eq!(reqwest::get(app.url("/api/v1/calendar/doan-bua.ics")).await.unwrap().status(), StatusCode::NOT_FOUND);

    // Someone with nothing due still gets a valid (strict RFC 5545) calendar.
    let other = app.token("b.officer", PASSWORD).await;
    let (_, feed) = app.api(&other, Method::POST, "/api/v1/me/calendar-feed", None).await;
    let empty = reqwest::get(app.url(feed["url"].as_str().unwrap())).await.unwrap().text().await.unwrap();
    assert_eq!(check_ical(&empty)["events"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn only_a_system_admin_edits_the_working_day_calendar() {
    let app = TestApp::spawn_at(monday_morning()).await;
    let root = app.token("root.admin", PASSWORD).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let days = app.get_json(&admin, "/api/v1/calendar-days?year=2026").await;
    assert!(days.as_array().unwrap().iter().any(|d| d["date"] == "2026-02-17" && d["kind"] == "holiday"), "Tết 2026");
    let (st, _) = app
        .api(
            &admin,
            Method::PUT,
            "/api/v1/calendar-days/2026-12-24",
            Some(json!({"kind": "day_off", "name": "Nghỉ riêng"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = app
        .api(
            &root,
            Method::PUT,
            "/api/v1/calendar-days/2026-12-26",
            Some(json!({"kind": "day_off", "name": "Thứ Bảy"})),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")), "{p}");
    let (st, _) = app
        .api(
            &root,
            Method::PUT,
            "/api/v1/calendar-days/2026-12-24",
            Some(json!({"kind": "day_off", "name": "Nghỉ bù Giáng sinh (thử)"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let cal = app.services().work_calendar().await.unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert!(!cal.is_working_day(d(12, 24)));
    assert_eq!(cal.add_working_days(d(12, 23), 1), d(12, 25));
    let (st, _) = app.api(&root, Method::DELETE, "/api/v1/calendar-days/2026-12-24", None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(app.services().work_calendar().await.unwrap().is_working_day(d(12, 24)));
    // Reminder rules: validated, admin only.
    let (st, _) = app
        .api(
            &admin,
            Method::PUT,
            "/api/v1/settings/reminder-rules",
            Some(json!({"before": [5], "overdue_daily": true, "escalate_after": 2})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = app
        .api(
            &root,
            Method::PUT,
            "/api/v1/settings/reminder-rules",
            Some(json!({"before": [0], "overdue_daily": true, "escalate_after": 2})),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("before")));
    let (st, r) = app
        .api(
            &root,
            Method::PUT,
            "/api/v1/settings/reminder-rules",
            Some(json!({"before": [1, 5, 5], "overdue_daily": false, "escalate_after": 2})),
        )
        .await;
    assert_eq!((st, r["before"].clone()), (StatusCode::OK, json!([5, 1])));
}
