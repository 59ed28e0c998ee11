//! Registries of information systems, databases and projects: the inspection rule of every
//! security level through the API, every bad field named, optimistic conflicts, scope route by
//! route, the indicator figures the registry feeds, inspection reminders over a moving clock,
//! the tables as of a day, and the pages as an official uses them.

use chrono::{NaiveDate, TimeZone, Utc};
use domain::Services;
use domain::registries::{DatabaseKind, ProjectStatus, SecurityLevel};
use domain::services::registries::{DatabaseInput, ProjectInput, SystemInput};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// 09:00 in Vietnam on Monday 15/06/2026.
fn mid_june() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 2, 0, 0).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const SYSTEMS: &str = "/api/v1/registries/systems";
const DATABASES: &str = "/api/v1/registries/databases";
const PROJECTS: &str = "/api/v1/registries/projects";

fn system(org: &str, name: &str, level: Option<u8>, approved: Option<&str>, inspected: Option<&str>) -> Value {
    json!({
        "org": org, "name": name, "url": "https://example.gov.vn",
        "security_level": level, "dossier_approved_on": approved, "dossier_decision": approved.map(|_| "12/QĐ-UBND"),
        "last_inspection": inspected,
    })
}

fn database(org: &str, name: &str) -> Value {
    json!({
        "org": org, "kind": "local", "name": name, "as_of": "2026-06-01", "total_records": 12000,
        "records_since": "2020-01-01", "records_updated_since": 4000, "target_units": 20, "participating_units": 12,
    })
}

fn project(org: &str, name: &str) -> Value {
    json!({
        "org": org, "name": name, "lead_unit": "Văn phòng huyện", "objective": "Phục vụ họp, hội nghị, tập huấn qua mạng",
        "status": "new", "years": {"from": 2026, "to": 2027}, "total_million_vnd": 4000.0,
        "expenditure": "development_investment", "budget": "local",
    })
}

async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (st, v) = app.api(token, Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

/// The inspection rule of seed `002_…` Phụ lục I, mục 7 for every level, the state on today,
/// and a dossier approved after the last inspection starting the cycle again.
#[tokio::test]
async fn the_next_inspection_follows_the_security_level_and_a_later_approval_restarts_the_cycle() {
    let app = TestApp::spawn_at(mid_june()).await;
    let token = app.token("a.admin", PASSWORD).await;
    // Inspected 10/09/2025: levels 1–2 again within 2 years, 3–4 within 1 year, 5 within 6 months.
    let expected = [
        (1, "2027-09-10", "ok"),
        (2, "2027-09-10", "ok"),
        (3, "2026-09-10", "ok"),
        (4, "2026-09-10", "ok"),
        (5, "2026-03-10", "overdue"),
    ];
    for (level, due, state) in expected {
        let v = create(
            &app,
            &token,
            SYSTEMS,
            system("51", &format!("Hệ thống cấp độ {level}"), Some(level), None, Some("2025-09-10")),
        )
        .await;
        assert_eq!(v["security_level"], level);
        assert_eq!(
            (v["next_inspection_due"].as_str(), v["inspection"]["state"].as_str()),
            (Some(due), Some(state)),
            "{v}"
        );
    }
    let overdue =
        create(&app, &token, SYSTEMS, system("51", "Hệ thống cấp độ 5", Some(5), None, Some("2025-09-10"))).await;
    assert_eq!(overdue["inspection"], json!({"state": "overdue", "due": "2026-03-10", "days_overdue": 97}));
    assert_eq!(overdue["inspection_label"], "Quá hạn kiểm tra");
    // Level 3 inspected 01/07/2025: due 01/07/2026, within the 30-day window.
    let soon =
        create(&app, &token, SYSTEMS, system("51", "Cổng dịch vụ công", Some(3), None, Some("2025-07-01"))).await;
    assert_eq!(soon["inspection"], json!({"state": "due_soon", "due": "2026-07-01", "days_left": 16}));
    // Approved 20/05/2026 after a level-5 inspection of 10/01/2025: six months from the approval.
    let restarted = create(
        &app,
        &token,
        SYSTEMS,
        system("51", "Hệ thống phê duyệt lại", Some(5), Some("2026-05-20"), Some("2025-01-10")),
    )
    .await;
    assert_eq!(restarted["next_inspection_due"], "2026-11-20", "{restarted}");
    // Never inspected: from the approval. No level, or no dates: nothing to schedule.
    let fresh =
        create(&app, &token, SYSTEMS, system("51", "Hệ thống mới phê duyệt", Some(4), Some("2026-02-03"), None)).await;
    assert_eq!(fresh["next_inspection_due"], "2027-02-03");
    let unscheduled =
        create(&app, &token, SYSTEMS, system("51", "Hệ thống chưa xác định cấp độ", None, None, None)).await;
    assert_eq!(
        (unscheduled["next_inspection_due"].clone(), unscheduled["inspection"]["state"].as_str()),
        (Value::Null, Some("unscheduled"))
    );

    // The overdue level-5 system's dossier is approved again today: the cycle starts again.
    let id = overdue["id"].as_i64().unwrap();
    let mut body = system("51", "Hệ thống cấp độ 5", Some(5), Some("2026-06-15"), Some("2025-09-10"));
    body["row_version"] = overdue["row_version"].clone();
    let (st, v) = app.api(&token, Method::PUT, &format!("{SYSTEMS}/{id}"), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["next_inspection_due"].as_str(), v["inspection"]["state"].as_str()),
        (Some("2026-12-15"), Some("ok"))
    );
    assert_eq!(v["row_version"], 2);

    // The list filters by state; the schedule puts the soonest first and counts every state.
    let listed = app.get_json(&token, &format!("{SYSTEMS}?state=overdue")).await;
    let names: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Hệ thống cấp độ 5"], "{listed}");
    let schedule = app.get_json(&token, "/api/v1/registries/inspections?org=51").await;
    let dues: Vec<Value> =
        schedule["items"].as_array().unwrap().iter().map(|i| i["next_inspection_due"].clone()).collect();
    assert_eq!(dues.first().and_then(|v| v.as_str()), Some("2026-03-10"), "{schedule}");
    assert_eq!(dues.last(), Some(&Value::Null), "unscheduled last: {schedule}");
    let counts: Vec<(String, u64)> = schedule["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["state"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect();
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).unwrap().1;
    assert_eq!((count("overdue"), count("due_soon"), count("ok"), count("unscheduled")), (1, 1, 7, 1), "{schedule}");
    assert!(schedule["rule"].as_str().unwrap().contains("002_5e25b3b17a73c715.txt"));
}

/// Each bad field: 422 problem+json naming it with a Vietnamese sentence, and nothing written.
#[tokio::test]
async fn every_bad_field_is_named_and_nothing_is_written() {
    let app = TestApp::spawn_at(mid_june()).await;
    let token = app.token("a.admin", PASSWORD).await;
    let ok = system("51", "Cổng thông tin", Some(3), Some("2026-01-05"), Some("2026-02-01"));
    let with = |base: &Value, key: &str, value: Value| {
        let mut b = base.clone();
        if value.is_null() && key != "security_level" {
            b.as_object_mut().unwrap().remove(key);
        } else {
            b[key] = value;
        }
        b
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (SYSTEMS, with(&ok, "name", json!("  ")), "name", "chưa nhập tên"),
        (SYSTEMS, with(&ok, "org", Value::Null), "org", "thiếu trường"),
        (SYSTEMS, with(&ok, "org", json!("ZZ999")), "org", "không có đơn vị"),
        (SYSTEMS, with(&ok, "security_level", json!(7)), "security_level", "từ 1 đến 5"),
        (SYSTEMS, with(&ok, "security_level", json!("ba")), "security_level", "sai kiểu"),
        (SYSTEMS, with(&ok, "security_level", Value::Null), "security_level", "phải ghi cấp độ"),
        (SYSTEMS, with(&ok, "dossier_approved_on", json!("31/02/2026")), "dossier_approved_on", "yyyy-mm-dd"),
        (SYSTEMS, with(&ok, "dossier_approved_on", json!("2026-07-01")), "dossier_approved_on", "sau ngày hôm nay"),
        (SYSTEMS, with(&ok, "last_inspection", json!("2027-01-01")), "last_inspection", "01/01/2027"),
        (SYSTEMS, with(&ok, "url", json!("ftp://cong.gov.vn")), "url", "http"),
        (
            SYSTEMS,
            with(&with(&ok, "dossier_approved_on", Value::Null), "protection_plan_deployed", json!(true)),
            "protection_plan_deployed",
            "chưa có ngày phê duyệt",
        ),
        (SYSTEMS, with(&ok, "trust_label_on", json!("2026-03-01")), "trust_label_on", "trang, cổng thông tin"),
        (SYSTEMS, with(&ok, "four_layer", json!({"layers": ["done", "done", "done"]})), "four_layer", "phần tử"),
        (SYSTEMS, with(&ok, "four_layer", json!({"layers": ["xong", "done", "done", "done"]})), "four_layer", "'xong'"),
        (SYSTEMS, with(&ok, "portal", json!("có")), "portal", "true hoặc false"),
        (DATABASES, with(&database("51", "CSDL giá"), "kind", Value::Null), "kind", "chưa chọn loại"),
        (DATABASES, with(&database("51", "CSDL giá"), "kind", json!("open")), "kind", "'open'"),
        (DATABASES, with(&database("51", "CSDL giá"), "as_of", Value::Null), "as_of", "thời điểm báo cáo"),
        (DATABASES, with(&database("51", "CSDL giá"), "total_records", json!(-5)), "total_records", "sai kiểu"),
        (
            DATABASES,
            with(&database("51", "CSDL giá"), "records_updated_since", json!(12001)),
            "records_updated_since",
            "12.001",
        ),
        (DATABASES, with(&database("51", "CSDL giá"), "participating_units", json!(21)), "participating_units", "(21)"),
        (DATABASES, with(&database("51", "CSDL giá"), "records_since", Value::Null), "records_since", "từ ngày nào"),
        (
            PROJECTS,
            with(&project("51", "Hội nghị truyền hình"), "total_million_vnd", json!(-1)),
            "total_million_vnd",
            "không âm",
        ),
        (
            PROJECTS,
            with(&project("51", "Hội nghị truyền hình"), "years", json!({"from": 2027, "to": 2026})),
            "years",
            "2027",
        ),
        (
            PROJECTS,
            with(&project("51", "Hội nghị truyền hình"), "status", Value::Null),
            "status",
            "mới hay chuyển tiếp",
        ),
        (PROJECTS, with(&project("51", "Hội nghị truyền hình"), "budget", json!("oda")), "budget", "'oda'"),
        (
            PROJECTS,
            with(&project("51", "Hội nghị truyền hình"), "expenditure", Value::Null),
            "expenditure",
            "nguồn chi",
        ),
        (PROJECTS, with(&project("51", "Hội nghị truyền hình"), "lead_unit", json!("")), "lead_unit", "đơn vị chủ trì"),
        (
            PROJECTS,
            with(&project("51", "Hội nghị truyền hình"), "approved_on", json!("2026-06-16")),
            "approved_on",
            "16/06/2026",
        ),
    ];
    for (path, body, field, words) in cases {
        let res = Client::new().post(app.url(path)).bearer_auth(&token).json(&body).send().await.unwrap();
        let st = res.status();
        assert_eq!(res.headers()["content-type"], "application/problem+json", "{path} {field}");
        let p: Value = res.json().await.unwrap();
        assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{path} {body}: {p}");
        assert!(p["detail"].as_str().unwrap().contains(words), "{field}: '{words}' not in {p}");
    }
    let res = Client::new()
        .post(app.url(SYSTEMS))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"org\": \"51\", ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "body");
    for path in [SYSTEMS, DATABASES, PROJECTS] {
        assert_eq!(app.get_json(&token, path).await["total"], 0, "{path}: a bad request wrote something");
    }
    // Bad filters are named too.
    let (st, p) = app.api(&token, Method::GET, &format!("{SYSTEMS}?state=late"), None).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("state")), "{p}");
    // An update needs the version the editor loaded.
    let v = create(&app, &token, SYSTEMS, ok.clone()).await;
    let (st, p) = app.api(&token, Method::PUT, &format!("{SYSTEMS}/{}", v["id"]), Some(ok)).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("row_version")), "{p}");
}

/// Two editors load the same version: the second save is refused with what the first changed,
/// and a delete at a stale version too.
#[tokio::test]
async fn a_stale_edit_or_delete_is_refused_with_what_changed() {
    let app = TestApp::spawn_at(mid_june()).await;
    let admin = app.token("a.admin", PASSWORD).await;
    for (path, body, rename) in [
        (
            SYSTEMS,
            system("51.SKHCN", "Thư điện tử công vụ", Some(2), None, Some("2025-01-01")),
            "Tên: Thư điện tử công vụ → Thư điện tử công vụ tỉnh",
        ),
        (DATABASES, database("51", "Thư điện tử công vụ"), "Tên: Thư điện tử công vụ → Thư điện tử công vụ tỉnh"),
        (PROJECTS, project("51", "Thư điện tử công vụ"), "Tên: Thư điện tử công vụ → Thư điện tử công vụ tỉnh"),
    ] {
        let v = create(&app, &admin, path, body.clone()).await;
        let url = format!("{path}/{}", v["id"]);
        let mut first = body.clone();
        first["name"] = json!("Thư điện tử công vụ tỉnh");
        first["row_version"] = json!(1);
        let (st, saved) = app.api(&admin, Method::PUT, &url, Some(first)).await;
        assert_eq!((st, saved["row_version"].as_i64()), (StatusCode::OK, Some(2)), "{saved}");
        let mut second = body.clone();
        second["url"] = json!("https://mail.quangngai.gov.vn");
        second["row_version"] = json!(1);
        let (st, p) = app.api(&admin, Method::PUT, &url, Some(second)).await;
        assert_eq!(st, StatusCode::CONFLICT, "{p}");
        let changes: Vec<&str> = p["changes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert!(changes.iter().any(|c| c.starts_with(rename) && c.contains("Quản trị Quảng Ngãi")), "{p}");
        let (st, _) = app.api(&admin, Method::DELETE, &format!("{url}?row_version=1"), None).await;
        assert_eq!(st, StatusCode::CONFLICT);
        let now = app.get_json(&admin, &url).await;
        assert_eq!((now["name"].as_str(), now["row_version"].as_i64()), (Some("Thư điện tử công vụ tỉnh"), Some(2)));
        let (st, _) = app.api(&admin, Method::DELETE, &format!("{url}?row_version=2"), None).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = app.api(&admin, Method::GET, &url, None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    // Every write that landed is in the audit log, with what it was before; the refused ones are not.
    let audit = app.get_json(&admin, "/api/v1/audit?limit=500").await;
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for kind in ["system", "database", "project"] {
        for step in ["create", "update", "delete"] {
            let action = format!("registry.{kind}.{step}");
            assert_eq!(actions.iter().filter(|a| **a == action).count(), 1, "{action}: {actions:?}");
        }
    }
    let deleted = audit.as_array().unwrap().iter().find(|e| e["action"] == "registry.system.delete").unwrap();
    assert!(deleted["before"].as_str().unwrap().contains("Thư điện tử công vụ tỉnh"), "{deleted}");
}

/// Another province's admin neither reads nor changes A's entries; an auditor reads but
/// writes nothing; an officer writes in their own unit only; the national admin sees all.
#[tokio::test]
async fn scope_decides_who_reads_and_who_writes_each_entry() {
    let app = TestApp::spawn_at(mid_june()).await;
    let a_admin = app.token("a.admin", PASSWORD).await;
    let b_admin = app.token("b.admin", PASSWORD).await;
    let auditor = app.token("a.auditor", PASSWORD).await;
    let officer = app.token("a.officer", PASSWORD).await;
    let root = app.token("root.admin", PASSWORD).await;
    let mut a_urls = Vec::new();
    for (path, body) in [
        (SYSTEMS, system("51", "Cổng thông tin Quảng Ngãi", Some(3), None, Some("2025-09-10"))),
        (DATABASES, database("51", "CSDL giá Quảng Ngãi")),
        (PROJECTS, project("51", "Hội nghị truyền hình Quảng Ngãi")),
    ] {
        let v = create(&app, &a_admin, path, body.clone()).await;
        a_urls.push((path, format!("{path}/{}", v["id"]), body.clone()));
        create(
            &app,
            &b_admin,
            path,
            body.to_string().replace("\"51\"", "\"01\"").replace("Quảng Ngãi", "Hà Nội").parse().unwrap(),
        )
        .await;
    }
    for (path, url, body) in &a_urls {
        let mut edit = body.clone();
        edit["row_version"] = json!(1);
        edit["name"] = json!("Sửa trái phép");
        // B's admin: absent, whatever the verb.
        for (method, b) in [(Method::GET, None), (Method::PUT, Some(edit.clone())), (Method::DELETE, None)] {
            let (st, _) = app.api(&b_admin, method.clone(), url, b).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "B {method} {url}");
        }
        let list = app.get_json(&b_admin, path).await;
        assert_eq!(list["total"], 1, "B lists its own only: {list}");
        assert!(!list.to_string().contains("Quảng Ngãi"), "{list}");
        assert_eq!(app.get_json(&b_admin, &format!("{path}?org=51")).await["total"], 0);
        let (st, _) = app.api(&b_admin, Method::POST, path, Some(body.clone())).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "B adds to A's registry");
        // A's auditor: reads, changes nothing.
        let (st, v) = app.api(&auditor, Method::GET, url, None).await;
        assert_eq!((st, v["may_edit"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
        for (method, b) in
            [(Method::PUT, Some(edit.clone())), (Method::DELETE, None), (Method::POST, Some(body.clone()))]
        {
            let target = if method == Method::POST { path.to_string() } else { url.clone() };
            let (st, _) = app.api(&auditor, method.clone(), &target, b).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "auditor {method} {target}");
        }
        // The officer of 51.SKHCN: not the province's own entries…
        let (st, _) = app.api(&officer, Method::PUT, url, Some(edit.clone())).await;
        assert!(st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN, "officer {url}: {st}");
        let (st, _) = app.api(&officer, Method::POST, path, Some(body.clone())).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // …but those of the department.
        let mut own = body.clone();
        own["org"] = json!("51.SKHCN");
        let (st, v) = app.api(&officer, Method::POST, path, Some(own)).await;
        assert_eq!((st, v["may_edit"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
        // The national admin sees both provinces.
        let all = app.get_json(&root, path).await;
        assert_eq!(all["total"], 3, "{all}");
        let (st, _) = app.api(&root, Method::GET, url, None).await;
        assert_eq!(st, StatusCode::OK);
        let unchanged = app.get_json(&a_admin, url).await;
        assert_eq!(unchanged["row_version"], 1, "{unchanged}");
    }
    // The settings are national: only the system admin changes them.
    let (st, _) =
        app.api(&a_admin, Method::PUT, "/api/v1/settings/registries", Some(json!({"inspection_soon_days": 45}))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) =
        app.api(&root, Method::PUT, "/api/v1/settings/registries", Some(json!({"inspection_soon_days": 0}))).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("inspection_soon_days")));
    let (st, s) =
        app.api(&root, Method::PUT, "/api/v1/settings/registries", Some(json!({"inspection_soon_days": 120}))).await;
    assert_eq!((st, s["inspection_soon_days"].as_u64()), (StatusCode::OK, Some(120)));
    let v = app.get_json(&a_admin, &a_urls[0].1).await;
    assert_eq!(v["inspection"]["state"], "due_soon", "a 120-day window: due 10/09/2026 is soon: {v}");
}

fn rollup_value(v: &Value) -> Option<f64> {
    v["value"].as_f64()
}

/// The registry feeds the indicators of seed `002_…` mục 7: after each write the owner unit's
/// counts are stored for this year, so the share of systems with an approved dossier rolls up
/// per province and nationally; importing such a figure is refused.
#[tokio::test]
async fn registry_writes_feed_the_approved_dossier_share_per_province_and_nationally() {
    let app = TestApp::spawn_at(mid_june()).await;
    let a = app.token("a.admin", PASSWORD).await;
    let b = app.token("b.admin", PASSWORD).await;
    let root = app.token("root.admin", PASSWORD).await;
    let approved = |org: &str, name: &str| system(org, name, Some(3), Some("2026-01-05"), None);
    let pending = |org: &str, name: &str| system(org, name, Some(2), None, None);
    create(&app, &a, SYSTEMS, approved("51", "Cổng thông tin tỉnh")).await;
    let a_pending = create(&app, &a, SYSTEMS, pending("51", "Thư điện tử")).await;
    create(&app, &a, SYSTEMS, approved("51.SKHCN", "Trang thông tin Sở")).await;
    create(&app, &b, SYSTEMS, approved("01", "Cổng Hà Nội")).await;
    let b_second = create(&app, &b, SYSTEMS, approved("01.SKHCN", "Hệ thống Sở Hà Nội")).await;

    let share = |org: &'static str| {
        let (app, root) = (&app, &root);
        async move {
            app.get_json(root, &format!("/api/v1/indicators/TY_LE_HTTT_PHE_DUYET_CAP_DO/rollup?period=2026&org={org}"))
                .await
        }
    };
    let close = |v: Option<f64>, want: f64| v.is_some_and(|x| (x - want).abs() < 1e-9);
    let qn = share("51").await;
    assert!(close(rollup_value(&qn), 200.0 / 3.0), "2 of 3 in Quảng Ngãi: {qn}");
    let hn = share("01").await;
    assert!(close(rollup_value(&hn), 100.0), "{hn}");
    let vn = share("VN").await;
    assert!(close(rollup_value(&vn), 80.0), "4 of 5 nationally: {vn}");
    let row = |v: &Value, code: &str| {
        v["children"].as_array().unwrap().iter().find(|c| c["org"]["code"] == code).cloned().unwrap()
    };
    assert!(close(row(&vn, "51")["value"].as_f64(), 200.0 / 3.0), "{vn}");
    let count = app.get_json(&root, "/api/v1/indicators/SO_HTTT/rollup?period=2026&org=VN").await;
    assert_eq!(count["value"].as_f64(), Some(5.0), "{count}");

    // A's pending system gets its dossier approved: Quảng Ngãi 100 %, the country 100 %.
    let mut body = approved("51", "Thư điện tử");
    body["row_version"] = json!(1);
    let (st, v) = app.api(&a, Method::PUT, &format!("{SYSTEMS}/{}", a_pending["id"]), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(close(rollup_value(&share("51").await), 100.0));
    assert!(close(rollup_value(&share("VN").await), 100.0));
    // One of B's systems is deleted and a pending one added: Hà Nội 1 of 2, the country 4 of 5.
    let (st, _) = app.api(&b, Method::DELETE, &format!("{SYSTEMS}/{}", b_second["id"]), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    create(&app, &b, SYSTEMS, pending("01", "Hệ thống chưa phê duyệt")).await;
    assert!(close(rollup_value(&share("01").await), 50.0));
    assert!(close(rollup_value(&share("VN").await), 80.0));
    // Moving a system to another unit recounts both units.
    let b_sys = app.get_json(&b, &format!("{SYSTEMS}?org=01&q=chua phe duyet")).await["items"][0].clone();
    let mut moved = pending("01.SKHCN", "Hệ thống chưa phê duyệt");
    moved["row_version"] = b_sys["row_version"].clone();
    let (st, _) = app.api(&b, Method::PUT, &format!("{SYSTEMS}/{}", b_sys["id"]), Some(moved)).await;
    assert_eq!(st, StatusCode::OK);
    let by_unit =
        app.get_json(&b, "/api/v1/dataValueSets?period=2026&orgUnit=01&children=true&dataElement=SO_HTTT").await;
    let mut values: Vec<(String, String)> = by_unit["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["orgUnit"].as_str().unwrap().to_string(), v["value"].as_str().unwrap().to_string()))
        .collect();
    values.sort();
    assert_eq!(values, [("01".to_string(), "1".to_string()), ("01.SKHCN".to_string(), "1".to_string())], "{by_unit}");
    assert!(
        by_unit["dataValues"].as_array().unwrap().iter().all(|v| v["comment"] == domain::registries::FEED_COMMENT),
        "{by_unit}"
    );

    // A DHIS2 import of a registry figure is refused and names why; nothing changes.
    let set = json!({"dataValues": [{"dataElement": "SO_HTTT_PHE_DUYET_CAP_DO", "period": "2026", "orgUnit": "51", "value": "9"}]});
    let (st, s) = app.api(&a, Method::POST, "/api/v1/dataValueSets", Some(set)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    let why = s["conflicts"][0]["value"].as_str().unwrap();
    assert!(why.starts_with("dataElement:") && why.contains("danh mục hệ thống thông tin"), "{s}");
    assert!(close(rollup_value(&share("51").await), 100.0));
}

/// Inspections falling due within the window remind the owner unit once, and once more when
/// overdue — on working days, never twice however often the job runs; the count of systems
/// inspected on schedule drops when one falls overdue.
#[tokio::test]
async fn inspection_reminders_come_once_when_due_soon_and_once_when_overdue() {
    let app = TestApp::spawn_at(mid_june()).await;
    let admin = app.token("a.admin", PASSWORD).await;
    // Level 3 inspected 18/07/2025: due Saturday 18/07/2026; "soon" from Thursday 18/06.
    let v = create(
        &app,
        &admin,
        SYSTEMS,
        system("51.SKHCN", "Hệ thống một cửa điện tử", Some(3), Some("2025-07-01"), Some("2025-07-18")),
    )
    .await;
    assert_eq!(v["next_inspection_due"], "2026-07-18");
    // A fresh token each time: the clock moves past a token's lifetime.
    let on_schedule = || async {
        let token = app.token("a.admin", PASSWORD).await;
        app.get_json(&token, "/api/v1/indicators/SO_HTTT_KIEM_TRA_DINH_KY/rollup?period=2026&org=51").await["value"]
            .as_f64()
    };
    assert_eq!(on_schedule().await, Some(1.0));
    let s = app.services();
    let mut people = Vec::new();
    for who in ["a.officer", "a.admin", "b.admin", "root.admin"] {
        people.push((who, s.login(who, PASSWORD, None).await.unwrap()));
    }
    let mut seen: Vec<(String, String, String)> = Vec::new();
    let mut count_on_15_july = None;
    while app.clock.today() <= d(2026, 7, 22) {
        let today = app.clock.today();
        for _ in 0..2 {
            // Two ticks a day (several nodes, or a short interval): the second creates nothing.
            app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
        }
        for (who, p) in &people {
            for n in s.notifications(p, 100).await.unwrap() {
                let key = format!("{who}#{}", n.id);
                if !seen.iter().any(|(k, _, _)| *k == key) {
                    assert_eq!(n.link.as_deref(), Some(format!("/registries/systems/{}", v["id"]).as_str()));
                    seen.push((key, today.format("%d/%m").to_string(), format!("{who}: {}", n.title)));
                }
            }
        }
        if today == d(2026, 7, 15) {
            count_on_15_july = on_schedule().await;
        }
        app.advance(chrono::Duration::days(1));
    }
    let got: Vec<(String, String)> = seen.into_iter().map(|(_, day, t)| (day, t)).collect();
    let soon = "Sắp đến hạn kiểm tra an toàn thông tin: Hệ thống một cửa điện tử";
    let late = "Quá hạn kiểm tra an toàn thông tin: Hệ thống một cửa điện tử";
    assert_eq!(
        got,
        [
            ("18/06".to_string(), format!("a.officer: {soon}")),
            ("18/06".to_string(), format!("a.admin: {soon}")),
            // Overdue from Sunday 19/07: told on Monday 20/07, the next working day.
            ("20/07".to_string(), format!("a.officer: {late}")),
            ("20/07".to_string(), format!("a.admin: {late}")),
        ]
    );
    assert_eq!(count_on_15_july, Some(1.0));
    assert_eq!(on_schedule().await, Some(0.0), "the overdue system no longer counts as inspected on schedule");
}

/// The report tables read the registry as it stood at the end of a day: created later, absent;
/// changed since, as it was; deleted since, back.
#[tokio::test]
async fn the_tables_of_a_report_show_the_registry_as_of_a_day() {
    let app = TestApp::spawn_at(mid_june()).await;
    let token = app.token("a.admin", PASSWORD).await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let sys =
        create(&app, &token, SYSTEMS, system("51.SKHCN", "Cổng thông tin cũ", Some(3), Some("2026-01-05"), None)).await;
    let db = create(&app, &token, DATABASES, database("51", "CSDL giá")).await;
    app.advance(chrono::Duration::days(3));
    let token = app.token("a.admin", PASSWORD).await;
    let mut renamed = system("51.SKHCN", "Cổng thông tin mới", Some(3), Some("2026-01-05"), None);
    renamed["row_version"] = json!(1);
    let (st, _) = app.api(&token, Method::PUT, &format!("{SYSTEMS}/{}", sys["id"]), Some(renamed)).await;
    assert_eq!(st, StatusCode::OK);
    create(&app, &token, PROJECTS, project("51", "Hội nghị truyền hình")).await;
    app.advance(chrono::Duration::days(3));
    let token = app.token("a.admin", PASSWORD).await;
    let (st, _) = app.api(&token, Method::DELETE, &format!("{DATABASES}/{}", db["id"]), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    let names = |t: &domain::services::registries::RegistryTables| {
        (
            t.systems.iter().map(|x| x.system.name.clone()).collect::<Vec<_>>(),
            t.databases.iter().map(|x| x.database.name.clone()).collect::<Vec<_>>(),
            t.projects.iter().map(|x| x.project.name.clone()).collect::<Vec<_>>(),
        )
    };
    let before = s.registry_tables_as_of(&admin, "51", d(2026, 6, 14)).await.unwrap();
    assert_eq!(names(&before), (vec![], vec![], vec![]));
    let first = s.registry_tables_as_of(&admin, "51", d(2026, 6, 15)).await.unwrap();
    assert_eq!(names(&first), (vec!["Cổng thông tin cũ".into()], vec!["CSDL giá".into()], vec![]));
    assert_eq!(first.systems[0].org.code, "51.SKHCN");
    assert_eq!(first.systems[0].next_inspection_due, Some(d(2027, 1, 5)));
    let second = s.registry_tables_as_of(&admin, "51", d(2026, 6, 19)).await.unwrap();
    assert_eq!(
        names(&second),
        (vec!["Cổng thông tin mới".into()], vec!["CSDL giá".into()], vec!["Hội nghị truyền hình".into()])
    );
    assert_eq!(second.systems[0].info.row_version, 2);
    let now = app.get_json(&token, "/api/v1/registries/tables?org=51").await;
    assert_eq!(now["databases"], json!([]), "deleted today: {now}");
    assert_eq!(now["systems"][0]["name"], "Cổng thông tin mới");
    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) = app.api(&b, Method::GET, "/api/v1/registries/tables?org=51", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The pages as an official uses them: a bad value is named in Vietnamese beside its field and
/// everything typed stays; a good entry lands in the list with its badge; editing at a stale
/// version shows what changed; delete asks first; money and dates read the Vietnamese way.
#[tokio::test]
async fn the_registry_pages_keep_input_name_errors_in_vietnamese_and_list_what_was_saved() {
    let app = TestApp::spawn_at(mid_june()).await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let (st, home) = page(&app, &client, "/").await;
    assert_eq!(st, StatusCode::OK);
    assert!(home.contains(r#"href="/registries""#) && home.contains("Danh mục"), "menu link");
    let (st, html) = page(&app, &client, "/registries/systems/new").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains(r#"name="org" value="51""#) && html.contains("Mô hình 4 lớp"), "{html}");

    let form = |name: &'static str, inspected: &'static str| {
        vec![
            ("org", "51.SKHCN"),
            ("name", name),
            ("security_level", "3"),
            ("dossier_approved_on", "05/01/2026"),
            ("dossier_decision", "12/QĐ-UBND"),
            ("layer_1", "done"),
            ("layer_2", "in_progress"),
            ("four_layer_provider", "VNPT"),
            ("last_inspection", inspected),
            ("portal", "1"),
        ]
    };
    let res =
        app.post_form(&client, &csrf, "/registries/systems", &form("Cổng <b>thông tin</b> Sở", "31/02/2026")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Ngày kiểm tra, đánh giá gần nhất: &#39;31/02/2026&#39; không phải ngày dạng dd/mm/yyyy.")
            || html
                .contains("Ngày kiểm tra, đánh giá gần nhất: &#x27;31/02/2026&#x27; không phải ngày dạng dd/mm/yyyy."),
        "{html}"
    );
    assert!(
        html.contains(r#"id="err-last_inspection""#) && html.contains(r#"aria-invalid="true""#),
        "beside the field"
    );
    assert!(html.contains(r#"value="31/02/2026""#) && html.contains(r#"value="VNPT""#), "typed values stay");
    assert!(html.contains("Cổng &#60;b&#62;thông tin&#60;/b&#62; Sở") && !html.contains("<b>thông tin</b>"), "escaped");
    assert!(
        html.contains(r#"<option value="in_progress" selected>"#)
            && html.contains(r#"name="portal" value="1" checked"#)
    );
    // Without the CSRF token nothing is saved.
    let res = client
        .post(app.url("/registries/systems"))
        .form(&form("Cổng thông tin Sở", "01/03/2026"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = app.post_form(&client, &csrf, "/registries/systems", &form("Cổng thông tin Sở", "01/03/2026")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/registries/systems?ok=created");
    let (st, list) = page(&app, &client, "/registries/systems?ok=created").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains("Đã thêm vào danh mục.") && list.contains("Cổng thông tin Sở"), "{list}");
    assert!(list.contains("Cấp độ 3") && list.contains("05/01/2026 12/QĐ-UBND"), "{list}");
    assert!(list.contains(r#"class="badge badge-ok">Trong hạn"#) && list.contains("hạn 01/03/2027"), "{list}");
    let (_, filtered) = page(&app, &client, "/registries/systems?state=overdue").await;
    assert!(!filtered.contains("Cổng thông tin Sở") && filtered.contains("0 hệ thống thông tin"), "{filtered}");
    let (_, found) = page(&app, &client, "/registries/systems?q=cong%20thong%20tin%20so").await;
    assert!(found.contains("Cổng thông tin Sở"), "search without diacritics");

    // Edit: two tabs load version 1; the second save shows what the first changed.
    let id = regex::Regex::new(r#"href="/registries/systems/(\d+)""#).unwrap().captures(&list).unwrap()[1].to_string();
    let (st, edit) = page(&app, &client, &format!("/registries/systems/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(edit.contains(r#"value="01/03/2026""#) && edit.contains("Trong hạn, hạn 01/03/2027"), "{edit}");
    assert!(edit.contains(r#"name="row_version" value="1""#));
    let mut first = form("Cổng thông tin điện tử Sở", "01/03/2026");
    first.push(("row_version", "1"));
    let res = app.post_form(&client, &csrf, &format!("/registries/systems/{id}"), &first).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut second = form("Cổng thông tin Sở", "10/03/2026");
    second.push(("row_version", "1"));
    let res = app.post_form(&client, &csrf, &format!("/registries/systems/{id}"), &second).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Tên: Cổng thông tin Sở → Cổng thông tin điện tử Sở"), "{html}");
    assert!(html.contains(r#"value="10/03/2026""#) && html.contains(r#"name="row_version" value="2""#), "{html}");

    // A project with money typed the Vietnamese way.
    let project = [
        ("org", "51"),
        ("name", "Xây dựng hệ thống Hội nghị truyền hình huyện"),
        ("lead_unit", "Văn phòng huyện"),
        ("status", "new"),
        ("years", "2026-2027"),
        ("total_million_vnd", "bốn tỷ"),
        ("expenditure", "development_investment"),
        ("budget", "local"),
    ];
    let res = app.post_form(&client, &csrf, "/registries/projects", &project).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Tổng mức dự kiến (triệu đồng):") && html.contains(r#"value="bốn tỷ""#), "{html}");
    let mut good = project.to_vec();
    good[5] = ("total_million_vnd", "4.000,5");
    let res = app.post_form(&client, &csrf, "/registries/projects", &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&app, &client, "/registries/projects").await;
    assert!(
        list.contains("4.000,5")
            && list.contains("2026–2027")
            && list.contains("Chi đầu tư phát triển – Ngân sách địa phương"),
        "{list}"
    );

    // Delete asks first, then removes.
    let (st, confirm) = page(&app, &client, &format!("/registries/systems/{id}/delete")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(confirm.contains("Bạn có chắc muốn xóa") && confirm.contains("Cổng thông tin điện tử Sở"), "{confirm}");
    let res = app.post_form(&client, &csrf, &format!("/registries/systems/{id}/delete"), &[("row_version", "2")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(&app, &client, "/registries/systems?ok=deleted").await;
    assert!(list.contains("Đã xóa khỏi danh mục.") && !list.contains("Cổng thông tin điện tử Sở"));

    // The overview counts; an auditor reads an entry without a form.
    let (st, overview) = page(&app, &client, "/registries").await;
    assert_eq!(st, StatusCode::OK);
    assert!(overview.contains("Nhiệm vụ, dự án") && overview.contains("Quá hạn kiểm tra: 0"), "{overview}");
    let (auditor, _) = app.sign_in("a.auditor", PASSWORD).await;
    let (_, projects) = page(&app, &auditor, "/registries/projects").await;
    let pid =
        regex::Regex::new(r#"href="/registries/projects/(\d+)""#).unwrap().captures(&projects).unwrap()[1].to_string();
    let (st, shown) = page(&app, &auditor, &format!("/registries/projects/{pid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!shown.contains("<form method=\"post\" action=\"/registries") && shown.contains("4.000,5"), "{shown}");
    assert!(!projects.contains("+ Thêm mới"), "an auditor is offered no new entry");
}

/// B's entries for the authorisation matrix: one of each registry, named so any leak shows.
pub struct BEntries {
    pub system: i64,
    pub database: i64,
    pub project: i64,
}

pub async fn b_registries(s: &Services) -> BEntries {
    let b = s.login("b.admin", PASSWORD, None).await.unwrap();
    let today = s.clock().today();
    let system = SystemInput {
        org: "01.SKHCN".into(),
        name: "Hệ thống bí mật của Hà Nội".into(),
        security_level: Some(SecurityLevel::new(4).unwrap()),
        last_inspection: Some(today),
        ..Default::default()
    };
    let database = DatabaseInput {
        org: "01".into(),
        kind: Some(DatabaseKind::National),
        name: "CSDL bí mật của Hà Nội".into(),
        as_of: Some(today),
        total_records: Some(10),
        ..Default::default()
    };
    let project = ProjectInput {
        org: "01".into(),
        name: "Dự án bí mật của Hà Nội".into(),
        lead_unit: "Sở Khoa học và Công nghệ".into(),
        status: Some(ProjectStatus::New),
        years: Some(domain::work::YearSpan { from: 2026, to: 2026 }),
        total_million_vnd: Some(100.0),
        expenditure: Some(domain::registries::ExpenditureKind::Recurrent),
        budget: Some(domain::registries::BudgetSource::Local),
        ..Default::default()
    };
    BEntries {
        system: s.create_system(&b, &system).await.unwrap().system.id,
        database: s.create_database(&b, &database).await.unwrap().database.id,
        project: s.create_project(&b, &project).await.unwrap().project.id,
    }
}

/// The registry routes' cases of the authorisation matrix (`authz.rs`): A's admin reads none
/// of B's entries and changes none. Returns false for a route that is not a registry route.
pub async fn a_cannot_reach_b(
    app: &TestApp,
    page: &Client,
    csrf: &str,
    token: &str,
    def: &web::RouteDef,
    b: &BEntries,
) -> bool {
    if !def.path.starts_with("/registries") && !def.path.contains("/registries") {
        return false;
    }
    let denied = |st: StatusCode| st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND;
    let clean = |body: &str| !body.contains("bí mật của Hà Nội");
    let method = Method::from_bytes(def.method.as_bytes()).unwrap();
    let key = format!("{} {}", def.method, def.path);
    let form = [
        ("csrf", csrf),
        ("org", "01"),
        ("name", "Lấn sang"),
        ("kind", "local"),
        ("row_version", "1"),
        ("inspection_soon_days", "5"),
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
    let ids = [("systems", b.system), ("databases", b.database), ("projects", b.project)];
    let bodies = |kind: &str| match kind {
        "systems" => system("01", "Lấn sang", None, None, None),
        "databases" => database("01", "Lấn sang"),
        _ => project("01", "Lấn sang"),
    };
    match key.as_str() {
        "GET /registries" | "GET /registries/inspections" => {
            for q in ["", "?org=01"] {
                let (st, body) = call_page(format!("{}{q}", def.path)).await;
                assert_eq!(st, StatusCode::OK, "{key}{q}");
                assert!(clean(&body), "{key}{q} shows B's entries");
            }
        }
        "POST /registries/settings" | "PUT /api/v1/settings/registries" => {
            let (st, _) = if def.path.starts_with("/api") {
                call_api(def.path.into(), Some(json!({"inspection_soon_days": 5}))).await
            } else {
                call_page(def.path.into()).await
            };
            assert!(denied(st), "{key}: {st}");
        }
        "GET /api/v1/settings/registries" => {
            assert_eq!(def.access, web::Access::SignedIn, "{key}");
            let (st, _) = call_api(def.path.into(), None).await;
            assert_eq!(st, StatusCode::OK, "{key}");
        }
        "GET /registries/{kind}" | "GET /registries/{kind}/new" => {
            for (kind, _) in ids {
                for q in ["", "?org=01"] {
                    let (st, body) = call_page(format!("{}{q}", def.path.replace("{kind}", kind))).await;
                    assert_eq!(st, StatusCode::OK, "{key} {kind}{q}");
                    assert!(clean(&body), "{key} {kind}{q} shows B's entries");
                }
            }
        }
        "POST /registries/{kind}" => {
            for (kind, _) in ids {
                let (st, _) = call_page(def.path.replace("{kind}", kind)).await;
                assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key} {kind}: {st}");
            }
        }
        "GET /registries/{kind}/{id}"
        | "POST /registries/{kind}/{id}"
        | "GET /registries/{kind}/{id}/delete"
        | "POST /registries/{kind}/{id}/delete" => {
            for (kind, id) in ids {
                let (st, body) = call_page(def.path.replace("{kind}", kind).replace("{id}", &id.to_string())).await;
                assert!(denied(st), "{key} {kind}: {st}");
                assert!(clean(&body), "{key} {kind}");
            }
        }
        "GET /api/v1/registries" => {
            let (st, body) = call_api("/api/v1/registries?org=01".into(), None).await;
            assert_eq!(st, StatusCode::OK, "{key}");
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                (v["systems"].as_u64(), v["databases"].as_u64(), v["projects"].as_u64()),
                (Some(0), Some(0), Some(0)),
                "{v}"
            );
        }
        "GET /api/v1/registries/inspections" => {
            for q in ["", "?org=01"] {
                let (st, body) = call_api(format!("{}{q}", def.path), None).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(clean(&body), "{key}{q} lists B's systems");
            }
        }
        "GET /api/v1/registries/tables" => {
            let (st, body) = call_api("/api/v1/registries/tables?org=01".into(), None).await;
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        k if k.starts_with("GET /api/v1/registries/") && !k.ends_with("{id}") => {
            for q in ["?limit=500", "?org=01"] {
                let (st, body) = call_api(format!("{}{q}", def.path), None).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(clean(&body), "{key}{q} lists B's entries");
            }
        }
        k if k.starts_with("POST /api/v1/registries/") => {
            let kind = def.path.rsplit('/').next().unwrap();
            let (st, _) = call_api(def.path.into(), Some(bodies(kind))).await;
            assert!(denied(st), "{key}: {st}");
        }
        k if k.ends_with("{id}") => {
            let kind = def.path.trim_end_matches("/{id}").rsplit('/').next().unwrap();
            let id = ids.iter().find(|(k, _)| *k == kind).unwrap().1;
            let mut body = bodies(kind);
            body["row_version"] = json!(1);
            let (st, text) = call_api(def.path.replace("{id}", &id.to_string()), Some(body)).await;
            assert!(denied(st), "{key}: {st}");
            assert!(clean(&text), "{key}");
        }
        other => panic!("registry route {other} has no case in the authorisation matrix"),
    }
    true
}

/// After the matrix: B's entries are as B left them.
pub async fn b_registries_untouched(s: &Services, b: &BEntries) {
    let admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let system = s.system(&admin, b.system).await.unwrap();
    assert_eq!((system.info.row_version, system.system.name.as_str()), (1, "Hệ thống bí mật của Hà Nội"));
    assert_eq!(s.database(&admin, b.database).await.unwrap().info.row_version, 1);
    assert_eq!(s.project(&admin, b.project).await.unwrap().info.row_version, 1);
    let all = s.list_systems(&admin, &Default::default()).await.unwrap();
    assert!(all.items.iter().all(|x| x.system.name != "Lấn sang"), "A added to B's registry");
}

/// The demo agencies' registries look alive: systems of every level, inspections overdue, due
/// soon, on schedule and unscheduled, databases of the three kinds and projects with money.
#[tokio::test]
async fn the_demo_registries_have_every_level_and_inspection_state() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::test_config(dir.path());
    let clock = std::sync::Arc::new(domain::clock::ManualClock::new(mid_june()));
    let app = dxgov::app::App::open(&config, clock, true).await.unwrap();
    let s = &app.services;
    dxgov::demo::load(s, PASSWORD).await.unwrap();
    let national = s.login("cds.dieuphoi", PASSWORD, None).await.unwrap();
    let query = domain::services::registries::RegistryQuery { limit: 500, ..Default::default() };
    let schedule = s.inspection_schedule(&national, &query).await.unwrap();
    for c in &schedule.counts {
        assert!(c.count > 0, "no demo system is {}", c.label);
    }
    let mut levels: Vec<u8> = schedule.items.iter().filter_map(|v| v.system.security_level.map(|l| l.get())).collect();
    levels.sort_unstable();
    levels.dedup();
    assert_eq!(levels, [1, 2, 3, 4, 5]);
    let databases = s.list_databases(&national, &query).await.unwrap();
    for kind in DatabaseKind::ALL {
        assert!(databases.items.iter().any(|d| d.database.kind == kind), "no demo database is {}", kind.label());
    }
    let projects = s.list_projects(&national, &query).await.unwrap();
    assert!(projects.items.iter().any(|p| p.project.total_million_vnd == 4000.0), "the seed's example row");
    // The figures were fed: the national share of approved dossiers is there for this year.
    let share = s.roll_up(&national, "TY_LE_HTTT_PHE_DUYET_CAP_DO", "2026", "VN", Default::default()).await.unwrap();
    let approved = schedule.items.iter().filter(|v| v.system.dossier_approved_on.is_some()).count() as f64;
    let want = approved / schedule.items.len() as f64 * 100.0;
    assert!(share.value.is_some_and(|v| (v - want).abs() < 1e-9), "{:?} ≠ {want}", share.value);
}

/// Writers adding systems to one unit at the same time each count every system the others
/// committed: the unit's figure ends equal to its systems, on both databases.
#[tokio::test]
async fn concurrent_writes_to_one_unit_leave_the_right_count() {
    let app = TestApp::spawn_at(mid_june()).await;
    let s = app.services().clone();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let mut writers = Vec::new();
    for i in 0..12 {
        let (s, admin) = (s.clone(), admin.clone());
        writers.push(tokio::spawn(async move {
            let input = SystemInput {
                org: "51.SKHCN".into(),
                name: format!("Hệ thống song song {i}"),
                security_level: Some(SecurityLevel::new(2).unwrap()),
                dossier_approved_on: (i % 2 == 0).then(|| d(2026, 1, 5)),
                ..Default::default()
            };
            s.create_system(&admin, &input).await.unwrap();
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    for (code, want) in [("SO_HTTT", 12.0), ("SO_HTTT_PHE_DUYET_CAP_DO", 6.0), ("TY_LE_HTTT_PHE_DUYET_CAP_DO", 50.0)] {
        let r = s.roll_up(&root, code, "2026", "51.SKHCN", Default::default()).await.unwrap();
        assert_eq!(r.value, Some(want), "{code}");
    }
}
