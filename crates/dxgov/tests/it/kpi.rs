//! KPI of people and units: a worked example computed by hand, weights changed by the admin,
//! a closed period judged at its close, who may see whose KPI, the XLSX export and the pages.
//!
//! The example (province A, unit 51.SKHCN, a plan approved and running, clock at 09:00 on
//! Thursday 10/12/2026, period Q4 2026 = 01/10–31/12/2026, evaluation day 10/12/2026):
//!
//! | task | deadline      | assignees                        | what happened                          |
//! |------|---------------|----------------------------------|----------------------------------------|
//! | K.1  | Fri 30/10     | a.officer                        | completed Wed 28/10, rated 5 → on time |
//! | K.2  | Fri 13/11     | a.officer                        | completed Wed 18/11, rated 3 → late    |
//! | K.3  | Fri 04/12     | a.officer                        | in progress → overdue                  |
//! | K.4  | Tue 22/12     | a.officer, a.cv2, b.officer      | not started → not yet due              |
//! | K.5  | Fri 20/11     | nobody                           | completed 20/11, unrated → on time     |
//! | K.6  | Wed 30/09     | a.officer                        | open, but due in Q3 → not counted      |
//! | K.7  | Tue 01/12     | a.officer                        | cancelled → not counted                |
//! | D.1  | Mon 02/11     | a.officer                        | in a plan never approved → not counted |

use chrono::{Duration, TimeZone, Utc};
use domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// 09:00 on Thursday 10/12/2026 in Vietnam.
fn thursday_10_december() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap()
}

struct Example {
    app: TestApp,
    admin: String,
    leader: String,
    officer: String,
    officer_id: i64,
    second_id: i64,
    b_officer_id: i64,
}

async fn new_plan(app: &TestApp, admin: &str, title: &str) -> i64 {
    let templates = app.get_json(admin, "/api/v1/plan-templates").await;
    let (st, plan) = app
        .api(
            admin,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"org": "51", "title": title, "period": "2026", "template": templates[0]["code"], "frameworks": []})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{plan}");
    plan["id"].as_i64().unwrap()
}

async fn add_task(app: &TestApp, admin: &str, plan: i64, code: &str, deadline: &str, people: &[&str]) -> i64 {
    let (st, t) = app
        .api(
            admin,
            Method::POST,
            &format!("/api/v1/plans/{plan}/tasks"),
            Some(json!({"code": code, "title": format!("Nhiệm vụ {code}"), "deadline": deadline,
                        "lead": "51.SKHCN", "assignees": people})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    t["id"].as_i64().unwrap()
}

async fn progress(app: &TestApp, token: &str, task: i64, body: Value) {
    let v = app.get_json(token, &format!("/api/v1/tasks/{task}")).await["row_version"].clone();
    let mut body = body;
    body["row_version"] = v;
    let (st, t) = app.api(token, Method::POST, &format!("/api/v1/tasks/{task}/progress"), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{t}");
}

async fn rate(app: &TestApp, token: &str, task: i64, rating: u8) {
    let v = app.get_json(token, &format!("/api/v1/tasks/{task}")).await["row_version"].clone();
    let (st, t) = app
        .api(
            token,
            Method::POST,
            &format!("/api/v1/tasks/{task}/rating"),
            Some(json!({"row_version": v, "rating": rating})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
}

async fn example() -> Example {
    let app = TestApp::spawn_at(thursday_10_december()).await;
    let s = app.services();
    s.seed_user("a.lanhdao", "Lãnh đạo Sở Quảng Ngãi", "51.SKHCN", Role::Leader, "51", PASSWORD).await.unwrap();
    let second = s.seed_user("a.cv2", "Trần Thị Hai", "51.SKHCN", Role::Officer, "51.SKHCN", PASSWORD).await.unwrap();
    let admin = app.token("a.admin", PASSWORD).await;
    let leader = app.token("a.lanhdao", PASSWORD).await;
    let officer = app.token("a.officer", PASSWORD).await;
    let officer_id = app.get_json(&officer, "/api/v1/me").await["user"]["id"].as_i64().unwrap();
    let b_officer_id = s.login("b.officer", PASSWORD, None).await.unwrap().user.id;

    let plan = new_plan(&app, &admin, "Kế hoạch công tác quý IV/2026").await;
    let k1 = add_task(&app, &admin, plan, "K.1", "2026-10-30", &["a.officer"]).await;
    let k2 = add_task(&app, &admin, plan, "K.2", "2026-11-13", &["a.officer"]).await;
    let k3 = add_task(&app, &admin, plan, "K.3", "2026-12-04", &["a.officer"]).await;
    add_task(&app, &admin, plan, "K.4", "2026-12-22", &["a.officer", "a.cv2", "b.officer"]).await;
    let k5 = add_task(&app, &admin, plan, "K.5", "2026-11-20", &[]).await;
    add_task(&app, &admin, plan, "K.6", "2026-09-30", &["a.officer"]).await;
    let k7 = add_task(&app, &admin, plan, "K.7", "2026-12-01", &["a.officer"]).await;
    // A second plan that stays a draft: its task is not yet assigned work.
    let draft = new_plan(&app, &admin, "Kế hoạch dự thảo").await;
    add_task(&app, &admin, draft, "D.1", "2026-11-02", &["a.officer"]).await;

    for step in ["submit", "approve", "start"] {
        let v = app.get_json(&admin, &format!("/api/v1/plans/{plan}")).await["row_version"].clone();
        let (st, p) = app
            .api(
                &admin,
                Method::POST,
                &format!("/api/v1/plans/{plan}/steps"),
                Some(json!({"step": step, "row_version": v, "decision_number": "15/QĐ-SKHCN", "decision_date": "2026-10-01"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{step}: {p}");
    }
    progress(&app, &officer, k1, json!({"state": "completed", "completed_on": "2026-10-28"})).await;
    rate(&app, &leader, k1, 5).await;
    progress(&app, &officer, k2, json!({"state": "completed", "completed_on": "2026-11-18"})).await;
    rate(&app, &leader, k2, 3).await;
    progress(&app, &officer, k3, json!({"state": "in_progress", "progress": 50})).await;
    progress(&app, &admin, k5, json!({"state": "completed", "completed_on": "2026-11-20"})).await;
    progress(&app, &admin, k7, json!({"state": "cancelled"})).await;
    Example { app, admin, leader, officer, officer_id, second_id: second.id, b_officer_id }
}

fn row<'a>(rows: &'a Value, key: &str, value: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r[key].as_str() == Some(value)
                || r["person"][key].as_str() == Some(value)
                || r["unit"][key].as_str() == Some(value)
        })
        .unwrap_or_else(|| panic!("no row with {key} = {value} in {rows}"))
}

/// (value, weight, share, points) of each component, in the order completion, on time,
/// quality, no overdue.
fn components(f: &Value) -> Vec<(Option<f64>, u64, f64, f64)> {
    f["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["value"].as_f64(),
                c["weight"].as_u64().unwrap(),
                c["share"].as_f64().unwrap(),
                c["points"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_worked_example_gives_every_figure_and_the_score_computed_by_hand() {
    let ex = example().await;
    let app = &ex.app;

    // a.officer counts K.1–K.4 (K.6 is due in Q3, K.7 cancelled, D.1 in a draft plan):
    //   assigned 4; completed 2 (K.1 on time, K.2 late); still open and overdue 1 (K.3, due
    //   4/12 < 10/12); K.4 not yet due. Overdue = 1 completed late + 1 open = 2.
    //   Delays in working days: K.2 Fri 13/11 → Wed 18/11 = Mon, Tue, Wed = 3 (5 calendar days,
    //   the weekend not counted); K.3 Fri 04/12 → Thu 10/12 = Mon–Thu = 4. Average (3+4)/2 = 3.5.
    //   Ratings 5 and 3: average 4.0.
    //   completion 2/4 = 0.5; on time 1/2 = 0.5; quality (4−1)/4 = 0.75; no overdue 1 − 2/4 = 0.5.
    //   Score with 30/30/30/10: 30·0.5 + 30·0.5 + 30·0.75 + 10·0.5 = 15 + 15 + 22.5 + 5 = 57.5.
    let b = app.get_json(&ex.leader, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.officer_id)).await;
    let f = &b["figures"];
    assert_eq!(b["period"]["label"], "Quý IV/2026", "{b}");
    assert_eq!((b["period"]["from"].as_str(), b["period"]["to"].as_str()), (Some("2026-10-01"), Some("2026-12-31")));
    assert_eq!(b["period"]["evaluation_day"], "2026-12-10");
    assert_eq!(
        [
            &f["assigned"],
            &f["completed"],
            &f["on_time"],
            &f["completed_late"],
            &f["open_overdue"],
            &f["overdue"],
            &f["rated"]
        ],
        [4, 2, 1, 1, 1, 2, 2],
        "{f}"
    );
    assert_eq!(f["on_time_percent"], 50.0);
    assert_eq!(f["avg_delay_days"], 3.5);
    assert_eq!(f["avg_rating"], 4.0);
    assert_eq!(
        components(f),
        [
            (Some(0.5), 30, 0.3, 15.0),
            (Some(0.5), 30, 0.3, 15.0),
            (Some(0.75), 30, 0.3, 22.5),
            (Some(0.5), 10, 0.1, 5.0)
        ]
    );
    assert_eq!(f["score"], 57.5);
    // Each task with where it stands and the counts it falls in.
    let tasks = &b["tasks"];
    let lines: Vec<(&str, &str, Option<i64>, Option<i64>)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap(),
                t["outcome"].as_str().unwrap(),
                t["delay_days"].as_i64(),
                t["rating"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("K.1", "on_time", None, Some(5)),
            ("K.2", "completed_late", Some(3), Some(3)),
            ("K.3", "overdue", Some(4), None),
            ("K.4", "not_due", None, None),
        ]
    );
    assert_eq!(tasks[1]["counts"], json!(["Được giao", "Hoàn thành", "Quá hạn"]));
    assert_eq!(tasks[2]["counts"], json!(["Được giao", "Quá hạn"]));
    assert_eq!(b["cancelled"], 1);
    assert!(b["definitions"].to_string().contains("ngày đầu tiên sau kỳ"), "{}", b["definitions"]);

    // The table of the unit: the same figures for a.officer; a.cv2 has only K.4 (not yet due):
    //   completion 0/1 = 0, no overdue 1 − 0/1 = 1, on time and quality without data → left out,
    //   weights renormalised over 30 + 10 = 40: (30·0 + 10·1) / 40 = 0.25 → 25.0.
    // The unit 51.SKHCN leads K.1–K.5 (K.4 once although three people share it):
    //   assigned 5; completed 3 (K.1, K.5 on time; K.2 late); open overdue 1 (K.3); overdue 2.
    //   completion 3/5 = 0.6; on time 2/3; quality 0.75; no overdue 1 − 2/5 = 0.6.
    //   30·0.6 + 30·2/3 + 30·0.75 + 10·0.6 = 18 + 20 + 22.5 + 6 = 66.5.
    let r = app.get_json(&ex.leader, "/api/v1/kpi?org=51&period=2026-Q4").await;
    let people = &r["people"];
    assert_eq!(people.as_array().map(Vec::len), Some(2), "only A's people, b.officer shares K.4 but is not A's: {r}");
    let me = row(people, "username", "a.officer");
    assert_eq!((me["assigned"].as_u64(), me["overdue"].as_u64(), me["score"].as_f64()), (Some(4), Some(2), Some(57.5)));
    let second = row(people, "username", "a.cv2");
    assert_eq!((second["assigned"].as_u64(), second["completed"].as_u64()), (Some(1), Some(0)));
    assert_eq!(
        components(second),
        [(Some(0.0), 30, 0.75, 0.0), (None, 30, 0.0, 0.0), (None, 30, 0.0, 0.0), (Some(1.0), 10, 0.25, 25.0)]
    );
    assert_eq!(second["score"], 25.0);
    assert_eq!(people[0]["person"]["username"], "a.officer", "best score first");
    let units = r["units"].as_array().unwrap();
    assert_eq!(units.len(), 1, "{r}");
    let unit = &units[0];
    assert_eq!(unit["unit"]["code"], "51.SKHCN");
    assert_eq!(
        [
            &unit["assigned"],
            &unit["completed"],
            &unit["on_time"],
            &unit["completed_late"],
            &unit["open_overdue"],
            &unit["overdue"]
        ],
        [5, 3, 2, 1, 1, 2]
    );
    assert_eq!(components(unit)[1].0, Some(2.0 / 3.0));
    assert_eq!(unit["score"], 66.5);
    assert_eq!(r["total"]["assigned"], 5);
    assert_eq!(r["total"]["score"], 66.5);

    // The officer sees their own KPI, in any way of naming the period.
    let own =
        app.get_json(&ex.officer, &format!("/api/v1/kpi/people/{}?period=Qu%C3%BD%20IV%2F2026", ex.officer_id)).await;
    assert_eq!(own["figures"]["score"], 57.5, "{own}");
    // November alone: K.2 only (completed 3 working days late, rated 3):
    //   completion 1, on time 0, quality (3−1)/4 = 0.5, no overdue 0 → 30 + 0 + 15 + 0 = 45.0.
    let nov =
        app.get_json(&ex.officer, &format!("/api/v1/kpi/people/{}?period=Th%C3%A1ng%2011%2F2026", ex.officer_id)).await;
    assert_eq!(
        (nov["period"]["code"].as_str(), nov["figures"]["assigned"].as_u64()),
        (Some("2026-11"), Some(1)),
        "{nov}"
    );
    assert_eq!(nov["figures"]["score"], 45.0);
    let (st, p) =
        app.api(&ex.officer, Method::GET, &format!("/api/v1/kpi/people/{}?period=2026-Q5", ex.officer_id), None).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")), "{p}");

    // After the quarter: judged as it stood on its first day after, Fri 01/01/2027 — a public
    // holiday (Tết Dương lịch) in the shipped calendar, so it adds no working day.
    //   K.3 (due Fri 04/12): Dec 7–11, 14–18, 21–25 = 15, Dec 28–31 = 4 → 19 working days.
    //   K.4 (due Tue 22/12): Dec 23, 24, 25, 28, 29, 30, 31 → 7 working days.
    //   Overdue 3 (K.2 late, K.3, K.4); average delay (3 + 19 + 7) / 3 = 29/3.
    //   no overdue 1 − 3/4 = 0.25: 30·0.5 + 30·0.5 + 30·0.75 + 10·0.25 = 15 + 15 + 22.5 + 2.5 = 55.0.
    app.advance(Duration::days(26));
    let leader = app.token("a.lanhdao", PASSWORD).await;
    let closed = app.get_json(&leader, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.officer_id)).await;
    let f = &closed["figures"];
    assert_eq!(closed["period"]["evaluation_day"], "2027-01-01", "{closed}");
    assert_eq!((f["open_overdue"].as_u64(), f["overdue"].as_u64()), (Some(2), Some(3)));
    let delays: Vec<Option<i64>> =
        closed["tasks"].as_array().unwrap().iter().map(|t| t["delay_days"].as_i64()).collect();
    assert_eq!(delays, [None, Some(3), Some(19), Some(7)]);
    assert_eq!(f["avg_delay_days"].as_f64(), Some(29.0 / 3.0));
    assert_eq!(f["score"], 55.0);
}

#[tokio::test]
async fn weights_set_by_the_admin_change_the_score_as_computed_by_hand() {
    let ex = example().await;
    let app = &ex.app;
    assert_eq!(
        app.get_json(&ex.officer, "/api/v1/settings/kpi-weights").await,
        json!({"completion": 30, "on_time": 30, "quality": 30, "no_overdue": 10})
    );
    let weights = json!({"completion": 50, "on_time": 0, "quality": 50, "no_overdue": 0});
    // Only the system admin sets them.
    let (st, _) = app.api(&ex.admin, Method::PUT, "/api/v1/settings/kpi-weights", Some(weights.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let root = app.token("root.admin", PASSWORD).await;
    // All zero, or one over 100: refused, naming the field.
    for (bad, field) in [
        (json!({"completion": 0, "on_time": 0, "quality": 0, "no_overdue": 0}), "completion"),
        (json!({"completion": 50, "on_time": 0, "quality": 101, "no_overdue": 0}), "quality"),
    ] {
        let (st, p) = app.api(&root, Method::PUT, "/api/v1/settings/kpi-weights", Some(bad)).await;
        assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{p}");
    }
    let (st, w) = app.api(&root, Method::PUT, "/api/v1/settings/kpi-weights", Some(weights.clone())).await;
    assert_eq!((st, &w), (StatusCode::OK, &weights));

    // completion 50, quality 50:
    //   a.officer: (50·0.5 + 50·0.75) / 100 = 25 + 37.5 = 62.5.
    //   a.cv2: quality has no data, so completion alone: 50·0 / 50 = 0 → 0.0.
    //   unit: (50·0.6 + 50·0.75) / 100 = 30 + 37.5 = 67.5.
    let r = app.get_json(&ex.leader, "/api/v1/kpi?org=51.SKHCN&period=2026-Q4").await;
    assert_eq!(r["weights"], weights);
    assert_eq!(row(&r["people"], "username", "a.officer")["score"], 62.5, "{r}");
    let second = row(&r["people"], "username", "a.cv2");
    assert_eq!(second["score"], 0.0);
    assert_eq!(components(second)[0], (Some(0.0), 50, 1.0, 0.0));
    assert_eq!(r["units"][0]["score"], 67.5);
    let b = app.get_json(&ex.officer, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.officer_id)).await;
    assert_eq!(components(&b["figures"])[2], (Some(0.75), 50, 0.5, 37.5));

    // The weights form: shown read-only to others, saved by the system admin.
    let (page, csrf) = app.sign_in("root.admin", PASSWORD).await;
    let html = page.get(app.url("/settings/kpi")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="quality" value="50""#), "{html}");
    let form = |quality| [("completion", "30"), ("on_time", "30"), ("quality", quality), ("no_overdue", "10")];
    let res = app.post_form(&page, &csrf, "/settings/kpi", &form("nhiều")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("số nguyên từ 0 đến 100"));
    let res = app.post_form(&page, &csrf, "/settings/kpi", &form("30")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = app.get_json(&ex.leader, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.officer_id)).await;
    assert_eq!(back["figures"]["score"], 57.5);
    let (leader_page, leader_csrf) = app.sign_in("a.lanhdao", PASSWORD).await;
    let html = leader_page.get(app.url("/settings/kpi")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(r#"name="quality""#) && html.contains("Chỉ quản trị hệ thống"), "{html}");
    let res = app.post_form(&leader_page, &leader_csrf, "/settings/kpi", &form("100")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn people_see_their_own_kpi_and_a_leader_sees_only_their_province() {
    let ex = example().await;
    let app = &ex.app;
    // An officer reads their own breakdown, not a colleague's, and has no unit table.
    let (st, _) = app.api(&ex.officer, Method::GET, &format!("/api/v1/kpi/people/{}", ex.officer_id), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = app.api(&ex.officer, Method::GET, &format!("/api/v1/kpi/people/{}", ex.second_id), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app.api(&ex.officer, Method::GET, "/api/v1/kpi?org=51.SKHCN", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = app.api(&ex.officer, Method::GET, "/api/v1/kpi", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // A's leader: B's unit and B's people are out of reach, though b.officer shares A's K.4.
    let (st, _) = app.api(&ex.leader, Method::GET, "/api/v1/kpi?org=01&period=2026-Q4", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) =
        app.api(&ex.leader, Method::GET, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.b_officer_id), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(!body.to_string().contains("Chuyên viên Hà Nội"));
    let (st, body) = app.api(&ex.leader, Method::GET, "/api/v1/kpi?period=2026-Q4", None).await;
    assert_eq!(
        (st, body["org"]["code"].as_str()),
        (StatusCode::OK, Some("51")),
        "the leader's own province by default"
    );
    assert!(!body.to_string().contains("b.officer"), "{body}");
    let (st, _) = app.api(&ex.leader, Method::GET, "/api/v1/kpi/export.xlsx?org=01", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // B's admin sees B's officer, whose KPI counts the task A assigned to them.
    let b_admin = app.token("b.admin", PASSWORD).await;
    let b = app.get_json(&b_admin, &format!("/api/v1/kpi/people/{}?period=2026-Q4", ex.b_officer_id)).await;
    assert_eq!(b["figures"]["assigned"], 1, "{b}");
    let b_table = app.get_json(&b_admin, "/api/v1/kpi?org=01&period=2026-Q4").await;
    assert_eq!(b_table["people"].as_array().map(Vec::len), Some(1), "{b_table}");
    assert_eq!(b_table["units"].as_array().map(Vec::len), Some(0), "B leads no task");

    // Pages: the leader's table, the officer sent to their own breakdown, B out of reach.
    let (leader, _) = app.sign_in("a.lanhdao", PASSWORD).await;
    let res = leader.get(app.url("/kpi?org=51&period=2026-Q4")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(">KPI</a>"), "the menu has KPI");
    assert!(html.contains("57,5") && html.contains("66,5") && html.contains("25,0"), "{html}");
    assert!(html.contains(r#"href="/api/v1/kpi/export.xlsx?org=51&#38;period=2026-Q4""#), "{html}");
    assert!(html.contains("01/10/2026") && html.contains("31/12/2026"), "the page states the period");
    assert!(!html.contains("Chuyên viên Hà Nội"));
    // Best score first by default; lowest first on request.
    let pos = |h: &str, s: &str| h.find(s).unwrap_or_else(|| panic!("{s} not in page"));
    assert!(pos(&html, "Chuyên viên Quảng Ngãi") < pos(&html, "Trần Thị Hai"));
    let asc =
        leader.get(app.url("/kpi?org=51&period=2026-Q4&sort=score_asc")).send().await.unwrap().text().await.unwrap();
    assert!(pos(&asc, "Trần Thị Hai") < pos(&asc, "Chuyên viên Quảng Ngãi"));
    let res = leader.get(app.url("/kpi?org=01")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = leader.get(app.url(&format!("/kpi/people/{}", ex.b_officer_id))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = leader
        .get(app.url(&format!("/kpi/people/{}?period=2026-Q4", ex.officer_id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "57,5",
        "22,5",
        "Hoàn thành quá hạn",
        "Ngày đánh giá",
        "10/12/2026",
        "18/11/2026",
        "Được giao, Hoàn thành, Quá hạn",
    ] {
        assert!(html.contains(expected), "breakdown page lacks {expected}: {html}");
    }
    let (officer, _) = app.sign_in("a.officer", PASSWORD).await;
    let res = officer.get(app.url("/kpi?period=2026-Q4")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], format!("/kpi/people/{}?period=2026-Q4", ex.officer_id));
    let html = officer.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(">KPI</a>"), "an officer reads no unit's KPI");
}

#[tokio::test]
async fn the_xlsx_export_has_a_row_per_person_per_unit_and_the_total() {
    let ex = example().await;
    let app = &ex.app;
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/kpi/export.xlsx?org=51&period=Qu%C3%BD%20IV%2F2026"))
        .bearer_auth(&ex.leader)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("kpi-51-2026-Q4.xlsx"));
    let table = reports::read_xlsx(&res.bytes().await.unwrap()).expect("a readable workbook");
    let col = |name: &str| table.column(name).unwrap_or_else(|| panic!("no column {name}: {:?}", table.headers));
    let (kind, code, assigned, overdue, delay, quality, score) = (
        col("Loại"),
        col("Mã"),
        col("Được giao"),
        col("Quá hạn"),
        col("Trễ trung bình (ngày làm việc)"),
        col("Chất lượng trung bình"),
        col("Điểm KPI"),
    );
    let rows: Vec<Vec<&str>> = table
        .rows
        .iter()
        .map(|r| {
            vec![r.get(kind), r.get(code), r.get(assigned), r.get(overdue), r.get(delay), r.get(quality), r.get(score)]
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec!["Cá nhân", "a.officer", "4", "2", "3.5", "4", "57.5"],
            vec!["Cá nhân", "a.cv2", "1", "0", "", "", "25"],
            vec!["Đơn vị", "51.SKHCN", "5", "2", "3.5", "4", "66.5"],
            vec!["Tổng", "51", "5", "2", "3.5", "4", "66.5"],
        ]
    );
}
