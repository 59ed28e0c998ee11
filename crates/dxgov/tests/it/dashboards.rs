//! The dashboards of a unit and a year, on a worked example built through the services and the
//! API: tasks in every status (and outside the year), indicator values against a target, two
//! report rounds (one on time, one late and one missing), information systems in every
//! compliance state — in province A (Quảng Ngãi, 51), its department and province B (Hà Nội,
//! 01). Each figure is checked against the worked example AND against the rows its link lists;
//! the charts are parsed as XML; scope is enforced; the page stays light.

use chrono::NaiveDate;
use domain::auth::{Principal, Role};
use domain::services::Services;
use domain::services::work::{NewPlanInput, StepInput};
use domain::work::{PlanStep, ProgressInput, TaskInput, TaskState};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};
use crate::plan_pages::{d, start};

/// A task of the example: title, deadline, the state reported, the day it was completed.
type TaskSpec = (&'static str, NaiveDate, TaskState, Option<NaiveDate>);

/// A running 2026 plan of `org` made by `admin` with these tasks, each then reported in its state.
async fn plan_with_tasks(s: &Services, admin: &Principal, org: &str, tasks: &[TaskSpec]) {
    let input = NewPlanInput {
        org: org.into(),
        title: format!("Kế hoạch chuyển đổi số năm 2026 ({org})"),
        period: "2026".into(),
        template: s.templates()[0].code.clone(),
        frameworks: Vec::new(),
        items: Vec::new(),
    };
    let plan = s.create_plan(admin, &input).await.unwrap();
    let mut ids = Vec::new();
    for (title, deadline, _, _) in tasks {
        let t = TaskInput { title: (*title).into(), deadline: Some(*deadline), ..Default::default() };
        ids.push(s.create_task(admin, plan.id, &t).await.unwrap().id);
    }
    for step in [PlanStep::Submit, PlanStep::Approve, PlanStep::Start] {
        let row_version = s.plan(admin, plan.id).await.unwrap().row_version;
        let input = StepInput {
            step,
            row_version,
            decision_number: Some("15/QĐ-UBND".into()),
            decision_date: Some(d(2026, 11, 20)),
            note: None,
        };
        s.plan_step(admin, plan.id, &input).await.unwrap();
    }
    for (id, (_, _, state, completed_on)) in ids.into_iter().zip(tasks) {
        if *state == TaskState::NotStarted {
            continue;
        }
        let row_version = s.task(admin, id).await.unwrap().row_version;
        let progress = if *state == TaskState::InProgress { Some(30) } else { None };
        let input =
            ProgressInput { state: Some(*state), progress, completed_on: *completed_on, note: None, row_version };
        s.report_progress(admin, id, &input).await.unwrap();
    }
}

fn system(
    org: &str,
    name: &str,
    level: Option<u8>,
    approved: Option<&str>,
    inspected: Option<&str>,
    plan: bool,
) -> Value {
    json!({
        "org": org, "name": name, "url": "https://example.gov.vn", "security_level": level,
        "dossier_approved_on": approved, "dossier_decision": approved.map(|_| "12/QĐ-UBND"),
        "last_inspection": inspected, "protection_plan_deployed": plan,
    })
}

async fn ok(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (st, v) = app.api(token, method, path, Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{path}: {v}");
    v
}

/// A small quarterly template: one narrative section.
fn template() -> Value {
    json!({
        "code": "BC_DASH", "name": "Báo cáo tiến độ chuyển đổi số", "period_type": "quarterly",
        "due": { "rule": "days_after_end", "days": 15 },
        "sections": [{ "key": "kq", "heading": "I. KẾT QUẢ", "level": 1, "kind": "narrative" }]
    })
}

/// Writes and submits the report of `org` in the round of `period` (today, 22/11/2026).
async fn submit(app: &TestApp, token: &str, org: &str, period: &str) {
    let list = app.get_json(token, &format!("/api/v1/reports?template=BC_DASH&period={period}&org={org}")).await;
    let report = list["items"][0].clone();
    let id = report["id"].as_i64().unwrap_or_else(|| panic!("{list}"));
    let content = json!({
        "number_symbol": "5/BC-SO", "recipients": ["UBND tỉnh"],
        "signer": { "title": "Giám đốc", "name": "Nguyễn Văn An" },
        "narratives": { "kq": { "achieved": "Hoàn thành các nhiệm vụ của quý.", "shortcomings": "" } }
    });
    let body = json!({ "row_version": report["row_version"], "content": content });
    let saved = ok(app, token, Method::PUT, &format!("/api/v1/reports/{id}"), body).await;
    let step = json!({ "step": "submit", "row_version": saved["row_version"] });
    ok(app, token, Method::POST, &format!("/api/v1/reports/{id}/steps"), step).await;
}

/// The worked example, on 22/11/2026.
async fn worked_example(app: &TestApp) {
    let s = app.services();
    s.seed_internal_unit("51", "51.STC", "Sở Tài chính tỉnh Quảng Ngãi").await.unwrap();
    s.seed_user("a.ttcs", "Cán bộ TTCS Quảng Ngãi", "51", Role::GrassrootsOfficer, "51", PASSWORD).await.unwrap();
    let a = s.login("a.admin", PASSWORD, None).await.unwrap();
    let b = s.login("b.admin", PASSWORD, None).await.unwrap();
    use TaskState::*;
    plan_with_tasks(
        s,
        &a,
        "51",
        &[
            ("Khảo sát hiện trạng hạ tầng", d(2026, 12, 15), NotStarted, None),
            ("Triển khai nền tảng LGSP", d(2026, 12, 20), InProgress, None),
            ("Số hóa hồ sơ thủ tục hành chính", d(2026, 3, 31), NotStarted, None),
            ("Nâng cấp Cổng dịch vụ công", d(2026, 6, 30), InProgress, None),
            ("Đào tạo kỹ năng số", d(2026, 5, 31), Completed, Some(d(2026, 5, 1))),
            ("Kiểm thử an toàn thông tin", d(2026, 9, 30), Completed, Some(d(2026, 10, 10))),
            ("Thuê dịch vụ điện toán đám mây", d(2026, 8, 31), Paused, None),
            ("Mua sắm thiết bị", d(2026, 7, 31), Cancelled, None),
            ("Chuẩn bị kế hoạch năm 2027", d(2027, 1, 15), NotStarted, None),
            ("Tổng kết năm 2025", d(2025, 12, 31), NotStarted, None),
        ],
    )
    .await;
    plan_with_tasks(s, &a, "51.SKHCN", &[("Chuyển đổi số của Sở", d(2026, 10, 31), NotStarted, None)]).await;
    plan_with_tasks(
        s,
        &b,
        "01",
        &[
            ("Nhiệm vụ Hà Nội 1", d(2026, 4, 30), NotStarted, None),
            ("Nhiệm vụ Hà Nội 2", d(2026, 5, 31), InProgress, None),
            ("Nhiệm vụ Hà Nội 3", d(2026, 6, 30), Completed, Some(d(2026, 6, 1))),
        ],
    )
    .await;

    let a_token = app.token("a.admin", PASSWORD).await;
    let b_token = app.token("b.admin", PASSWORD).await;
    let root = app.token("root.admin", PASSWORD).await;
    // Indicators: 8.000 + 4.500,5 triệu đồng spent on IT in Quảng Ngãi, against 25.000.
    let values = json!({ "dataValues": [
        { "dataElement": "CHI_CNTT", "period": "2026", "orgUnit": "51", "value": "8000" },
        { "dataElement": "CHI_CNTT", "period": "2026", "orgUnit": "51.SKHCN", "value": "4500.5" },
    ]});
    ok(app, &a_token, Method::POST, "/api/v1/dataValueSets", values).await;
    let b_values =
        json!({ "dataValues": [{ "dataElement": "CHI_CNTT", "period": "2026", "orgUnit": "01", "value": "9999" }] });
    ok(app, &b_token, Method::POST, "/api/v1/dataValueSets", b_values).await;
    let target = |org: &str, value: f64| json!({ "targets": [{ "org": org, "period": "2026", "value": value }] });
    ok(app, &a_token, Method::PUT, "/api/v1/indicators/CHI_CNTT/targets", target("51", 25000.0)).await;
    ok(app, &b_token, Method::PUT, "/api/v1/indicators/CHI_CNTT/targets", target("01", 10000.0)).await;

    // Information systems of Quảng Ngãi: approved and deployed, in time (next due 05/01/2027);
    // approved, overdue (due 01/11/2026); approved and deployed, due soon (10/12/2026); a level
    // not yet determined. Hà Nội has one more.
    let systems = "/api/v1/registries/systems";
    for body in [
        system("51", "Cổng thông tin điện tử tỉnh", Some(3), Some("2026-01-05"), Some("2025-12-01"), true),
        system("51.SKHCN", "Hệ thống quản lý văn bản Sở", Some(3), Some("2025-10-01"), Some("2025-11-01"), false),
        system("51", "Hệ thống thư điện tử công vụ", Some(3), Some("2025-12-10"), Some("2025-12-10"), true),
        system("51", "Trang tin nội bộ", None, None, None, false),
    ] {
        ok(app, &a_token, Method::POST, systems, body).await;
    }
    let b_system = system("01", "Cổng Hà Nội", Some(2), Some("2026-02-01"), Some("2026-02-01"), true);
    ok(app, &b_token, Method::POST, systems, b_system).await;

    // Report rounds to Quảng Ngãi's departments: Q3 due 15/12/2026 (Sở KH&CN submits on
    // time), Q2 due 15/07/2026 (Sở Tài chính submits late, Sở KH&CN never). Hà Nội's Q3 too.
    ok(app, &root, Method::POST, "/api/v1/report-templates", template()).await;
    let round = |receiver: &str, period: &str, due: Option<&str>| json!({ "template": "BC_DASH", "period": period, "receiver": receiver, "org_types": ["internal"], "due_on": due });
    ok(app, &a_token, Method::POST, "/api/v1/report-rounds", round("51", "2026Q3", Some("2026-12-15"))).await;
    ok(app, &a_token, Method::POST, "/api/v1/report-rounds", round("51", "2026Q2", None)).await;
    ok(app, &b_token, Method::POST, "/api/v1/report-rounds", round("01", "2026Q3", Some("2026-12-15"))).await;
    submit(app, &a_token, "51.SKHCN", "2026Q3").await;
    submit(app, &a_token, "51.STC", "2026Q2").await;
}

/// The API twin of a page link (same query).
fn api_of(href: &str) -> String {
    for (page, api) in [
        ("/tasks?", "/api/v1/tasks?"),
        ("/registries/systems?", "/api/v1/registries/systems?"),
        ("/reports/completeness?", "/api/v1/report-completeness?"),
    ] {
        if let Some(q) = href.strip_prefix(page) {
            return format!("{api}{q}");
        }
    }
    let (path, q) = href.split_once('?').unwrap();
    let code = path.strip_prefix("/indicators/").unwrap_or_else(|| panic!("no API twin for {href}"));
    format!("/api/v1/indicators/{code}/rollup?{q}")
}

/// The rows a list link gives: its total, checked against the items listed.
async fn rows_behind(app: &TestApp, token: &str, href: &str) -> u64 {
    let list = app.get_json(token, &api_of(href)).await;
    let total = list["total"].as_u64().unwrap_or_else(|| panic!("{href}: {list}"));
    assert_eq!(list["items"].as_array().unwrap().len() as u64, total, "{href} lists every row it counts");
    total
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn count(v: &Value) -> u64 {
    v["count"].as_u64().unwrap_or_else(|| panic!("no count in {v}"))
}

fn statuses(tasks: &Value) -> Vec<(String, u64)> {
    tasks["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["status"].as_str().unwrap().to_string(), count(s)))
        .collect()
}

fn expected(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

#[tokio::test]
async fn task_figures_of_a_province_and_the_country_equal_the_rows_behind_their_links() {
    let app = TestApp::spawn_at(start()).await;
    worked_example(&app).await;
    let a = app.token("a.admin", PASSWORD).await;
    let dash = app.get_json(&a, "/api/v1/dashboards?org=51&year=2026").await;
    assert_eq!((dash["org"]["code"].as_str(), dash["year"].as_i64()), (Some("51"), Some(2026)), "{dash}");
    assert_eq!(dash["as_of"], "2026-11-22");
    let tasks = &dash["tasks"];
    // Ten tasks of the province's plan (two outside 2026) and one of its department's.
    assert_eq!(
        statuses(tasks),
        expected(&[
            ("not_started", 1),
            ("in_progress", 1),
            ("completed", 1),
            ("completed_late", 1),
            ("overdue", 3),
            ("paused", 1),
            ("cancelled", 1),
        ])
    );
    assert_eq!(count(&tasks["total"]), 9);
    assert_eq!(tasks["agencies"], json!([]), "one row per agency only nationally");
    for s in tasks["by_status"].as_array().unwrap().iter().chain([&tasks["total"]]) {
        let href = s["href"].as_str().unwrap();
        assert!(
            href.contains("org=51") && href.contains("from=2026-01-01") && href.contains("to=2026-12-31"),
            "{href}"
        );
        assert_eq!(rows_behind(&app, &a, href).await, count(s), "{href}");
    }
    let overdue = &tasks["by_status"][4];
    assert_eq!(overdue["href"], "/tasks?org=51&status=overdue&from=2026-01-01&to=2026-12-31");
    let listed = app.get_json(&a, &api_of(overdue["href"].as_str().unwrap())).await;
    let mut titles: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    titles.sort();
    assert_eq!(titles, ["Chuyển đổi số của Sở", "Nâng cấp Cổng dịch vụ công", "Số hóa hồ sơ thủ tục hành chính"]);
    // The page behind the link says the same.
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let (st, html) = page(&app, &client, overdue["href"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("<strong>3</strong> nhiệm vụ"), "{html}");

    // The country: both provinces, one row per province with its own links, most overdue first.
    let root = app.token("root.admin", PASSWORD).await;
    let vn = app.get_json(&root, "/api/v1/dashboards?year=2026").await;
    assert_eq!((vn["org"]["code"].as_str(), vn["national"].as_bool()), (Some("VN"), Some(true)), "default for root");
    assert_eq!(
        statuses(&vn["tasks"]),
        expected(&[
            ("not_started", 1),
            ("in_progress", 1),
            ("completed", 2),
            ("completed_late", 1),
            ("overdue", 5),
            ("paused", 1),
            ("cancelled", 1),
        ])
    );
    assert_eq!(count(&vn["tasks"]["total"]), 12);
    assert_eq!(rows_behind(&app, &root, vn["tasks"]["total"]["href"].as_str().unwrap()).await, 12);
    let agencies = vn["tasks"]["agencies"].as_array().unwrap();
    let rows: Vec<(&str, u64, u64)> = agencies
        .iter()
        .map(|r| (r["org"]["code"].as_str().unwrap(), r["overdue"].as_u64().unwrap(), r["total"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows, [("51", 3, 9), ("01", 2, 3)]);
    for r in agencies {
        let overdue_href = r["overdue_href"].as_str().unwrap();
        assert_eq!(rows_behind(&app, &root, overdue_href).await, r["overdue"].as_u64().unwrap(), "{overdue_href}");
        let total_href = r["total_href"].as_str().unwrap();
        assert_eq!(rows_behind(&app, &root, total_href).await, r["total"].as_u64().unwrap(), "{total_href}");
    }

    // Another year has none of them.
    let y2027 = app.get_json(&a, "/api/v1/dashboards?org=51&year=2027").await;
    assert_eq!(count(&y2027["tasks"]["total"]), 1, "the task due 15/01/2027");
}

#[tokio::test]
async fn indicator_report_and_registry_figures_equal_what_their_links_show() {
    let app = TestApp::spawn_at(start()).await;
    worked_example(&app).await;
    let a = app.token("a.admin", PASSWORD).await;
    let dash = app.get_json(&a, "/api/v1/dashboards?org=51&year=2026").await;

    // Indicators: the one with a target, and the registry's approved-dossier share (3 of 4
    // systems) against the programme's 100 %.
    let inds = dash["indicators"].as_array().unwrap();
    let codes: Vec<&str> = inds.iter().map(|i| i["indicator"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CHI_CNTT", "TY_LE_HTTT_PHE_DUYET_CAP_DO"], "{dash}");
    let chi = &inds[0];
    assert_eq!(
        (chi["value"].as_f64(), chi["target"].as_f64(), chi["target_source"].as_str()),
        (Some(12500.5), Some(25000.0), Some("set"))
    );
    assert!((chi["progress"].as_f64().unwrap() - 12500.5 / 250.0).abs() < 1e-9, "{chi}");
    assert_eq!(chi["href"], "/indicators/CHI_CNTT?org=51&period=2026");
    let share = &inds[1];
    assert_eq!(
        (share["value"].as_f64(), share["target"].as_f64(), share["target_source"].as_str()),
        (Some(75.0), Some(100.0), Some("programme"))
    );
    assert_eq!(share["progress"].as_f64(), Some(75.0));
    for i in inds {
        let rollup = app.get_json(&a, &api_of(i["href"].as_str().unwrap())).await;
        assert_eq!(rollup["value"], i["value"], "{rollup}");
    }
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let (_, html) = page(&app, &client, chi["href"].as_str().unwrap()).await;
    assert!(html.contains("12.500,5 triệu đồng"), "the roll-up page shows the figure");

    // Reports: the latest round first; Q3 one of two on time, Q2 one of two late, one missing.
    let rounds = dash["reports"].as_array().unwrap();
    let figures: Vec<(&str, &Value)> = rounds.iter().map(|r| (r["period"].as_str().unwrap(), &r["figures"])).collect();
    assert_eq!(
        figures,
        [
            ("2026Q3", &json!({"expected": 2, "submitted": 1, "on_time": 1, "accepted": 0, "overdue": 0})),
            ("2026Q2", &json!({"expected": 2, "submitted": 1, "on_time": 0, "accepted": 0, "overdue": 1})),
        ],
        "{dash}"
    );
    assert_eq!((rounds[1]["completeness"].as_f64(), rounds[1]["timeliness"].as_f64()), (Some(50.0), Some(0.0)));
    assert_eq!(rounds[0]["href"], "/reports/completeness?template=BC_DASH&period=2026Q3&org=51");
    for r in rounds {
        let view = app.get_json(&a, &api_of(r["href"].as_str().unwrap())).await;
        assert_eq!(view["total"], r["figures"], "{view}");
        assert_eq!(view["rows"].as_array().unwrap().len() as u64, r["figures"]["expected"].as_u64().unwrap());
    }
    let (_, html) = page(&app, &client, rounds[1]["href"].as_str().unwrap()).await;
    assert!(html.contains("Báo cáo gửi Tỉnh Quảng Ngãi") || html.contains("Báo cáo gửi"), "{html}");

    // Registry: every figure is the length of the list behind it.
    let reg = &dash["registry"];
    let figure = |key: &str| count(&reg[key]);
    assert_eq!(
        [
            "systems",
            "dossier_approved",
            "dossier_pending",
            "plan_deployed",
            "plan_pending",
            "inspections_overdue",
            "inspections_due_soon"
        ]
        .map(figure),
        [4, 3, 1, 2, 2, 1, 1],
        "{reg}"
    );
    assert_eq!((reg["dossier_approved_share"].as_f64(), reg["plan_deployed_share"].as_f64()), (Some(75.0), Some(50.0)));
    assert_eq!(reg["dossier_approved"]["href"], "/registries/systems?org=51&compliance=dossier_approved");
    for key in
        ["systems", "dossier_approved", "dossier_pending", "plan_deployed", "plan_pending", "inspections_overdue"]
    {
        let href = reg[key]["href"].as_str().unwrap();
        assert_eq!(rows_behind(&app, &a, href).await, figure(key), "{href}");
    }
    let soon = app.get_json(&a, &api_of(reg["inspections_due_soon"]["href"].as_str().unwrap())).await;
    assert_eq!(soon["items"][0]["name"], "Hệ thống thư điện tử công vụ", "{soon}");
    let (_, html) = page(&app, &client, reg["dossier_pending"]["href"].as_str().unwrap()).await;
    assert!(html.contains("1 hệ thống thông tin trong phạm vi của bạn") && html.contains("Trang tin nội bộ"), "{html}");

    // Nationally the rounds count Hà Nội's department too, the registry Hà Nội's system.
    let root = app.token("root.admin", PASSWORD).await;
    let vn = app.get_json(&root, "/api/v1/dashboards?org=VN&year=2026").await;
    assert_eq!(vn["reports"][0]["figures"]["expected"], 3, "{vn}");
    assert_eq!(count(&vn["registry"]["systems"]), 5);
    let vn_codes: Vec<&str> =
        vn["indicators"].as_array().unwrap().iter().map(|i| i["indicator"].as_str().unwrap()).collect();
    assert_eq!(vn_codes, ["TY_LE_HTTT_PHE_DUYET_CAP_DO"], "no target set for the country");
    assert_eq!(vn["indicators"][0]["value"].as_f64(), Some(80.0));
}

/// Every `<svg>…</svg>` of a page.
fn svgs(html: &str) -> Vec<String> {
    regex::Regex::new(r"(?s)<svg .*?</svg>").unwrap().find_iter(html).map(|m| m.as_str().to_string()).collect()
}

#[tokio::test]
async fn the_page_draws_accessible_svg_charts_carrying_the_figures_and_stays_light() {
    let app = TestApp::spawn_at(start()).await;
    worked_example(&app).await;
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let (st, html) = page(&app, &client, "/dashboard").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Bảng điều hành: Tỉnh Quảng Ngãi, năm 2026"), "the widest unit, this year: {html}");
    assert!(html.contains("Số liệu ngày 22/11/2026"));
    assert!(!html.contains("<script"), "no JavaScript");
    let charts = svgs(&html);
    assert_eq!(charts.len(), 4, "tasks, indicators, reports, registry");
    let mut descs = Vec::new();
    for svg in &charts {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        let ids: Vec<&str> = root.attribute("aria-labelledby").unwrap().split(' ').collect();
        for id in &ids {
            let named = doc.descendants().find(|n| n.attribute("id") == Some(*id)).unwrap();
            assert!(named.has_tag_name("title") || named.has_tag_name("desc"));
        }
        descs.push(doc.descendants().find(|n| n.has_tag_name("desc")).and_then(|n| n.text()).unwrap().to_string());
        // Every bar links to the rows behind it.
        let bars = doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("bar "))).count();
        let links = doc.descendants().filter(|n| n.has_tag_name("a")).count();
        assert_eq!(links, bars, "{svg}");
    }
    assert_eq!(
        descs[0],
        "Chưa bắt đầu: 1; Đang thực hiện: 1; Hoàn thành: 1; Hoàn thành quá hạn: 1; Quá hạn: 3; Tạm dừng: 1; Hủy: 1"
    );
    assert!(
        descs[1].contains("Kinh phí chi cho ứng dụng công nghệ thông tin: 50,0% · 12.500,5 / 25.000"),
        "{}",
        descs[1]
    );
    assert!(descs[1].contains("75,0% · 75 / 100"), "{}", descs[1]);
    assert!(
        descs[2].starts_with("Quý III/2026 · đã nộp · Báo cáo tiến độ chuyển đổi số: 50,0% · 1 / 2"),
        "{}",
        descs[2]
    );
    assert!(descs[2].contains("Quý II/2026 · đúng hạn · Báo cáo tiến độ chuyển đổi số: 0,0% · 0 / 2"), "{}", descs[2]);
    // The table gives the figures with their unit.
    assert!(html.contains("12.500,5 triệu đồng") && html.contains("25.000 triệu đồng"));
    assert_eq!(
        descs[3],
        "Đã phê duyệt hồ sơ đề xuất cấp độ: 75,0% · 3 / 4; Đã triển khai đầy đủ phương án bảo đảm an toàn: 50,0% · 2 / 4"
    );
    // The overdue bar is the highlighted one, and links to exactly the overdue tasks.
    let tasks = roxmltree::Document::parse(&charts[0]).unwrap();
    let overdue = tasks.descendants().find(|n| n.attribute("class") == Some("bar bar-overdue highlight")).unwrap();
    assert_eq!(
        overdue.parent().and_then(|a| a.attribute("href")),
        Some("/tasks?org=51&status=overdue&from=2026-01-01&to=2026-12-31")
    );
    // The tables beside the charts link every figure too (for keyboards and screen readers;
    // askama writes `&` as `&#38;`).
    assert!(
        html.contains("<a href=\"/tasks?org=51&#38;status=overdue&#38;from=2026-01-01&#38;to=2026-12-31\">3</a>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"/registries/systems?org=51&#38;state=overdue\">1</a>"), "{html}");
    // Links from the menu and the home page.
    let (_, home) = page(&app, &client, "/").await;
    assert!(home.matches("href=\"/dashboard\"").count() >= 2, "menu and home page link the dashboard");

    // Light: the national page with every ministry and province listed, plus the stylesheet.
    let (root, _) = app.sign_in("root.admin", PASSWORD).await;
    let (st, national) = page(&app, &root, "/dashboard?org=VN&year=2026&agencies=all").await;
    assert_eq!(st, StatusCode::OK);
    assert!(national.contains("Theo bộ, ngành, địa phương") && national.contains("Thành phố Hà Nội"), "{national}");
    assert_eq!(svgs(&national).len(), 5, "the agencies' overdue chart too");
    let (_, css) = page(&app, &root, "/static/app.css").await;
    assert!(national.len() + css.len() < 100 * 1024, "{} + {} bytes", national.len(), css.len());
}

#[tokio::test]
async fn a_user_sees_only_the_dashboards_of_units_in_scope() {
    let app = TestApp::spawn_at(start()).await;
    worked_example(&app).await;
    let denied = |st: StatusCode| st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND;
    for (user, org) in
        [("a.admin", "01"), ("a.admin", "VN"), ("b.admin", "51"), ("a.officer", "51"), ("a.auditor", "01.SKHCN")]
    {
        let token = app.token(user, PASSWORD).await;
        let (st, body) = app.api(&token, Method::GET, &format!("/api/v1/dashboards?org={org}&year=2026"), None).await;
        assert!(denied(st), "{user} reads {org}'s dashboard: {st} {body}");
        let (client, _) = app.sign_in(user, PASSWORD).await;
        let (st, html) = page(&app, &client, &format!("/dashboard?org={org}&year=2026")).await;
        assert!(denied(st), "{user} opens {org}'s dashboard page: {st}");
        assert!(!html.contains("Nhiệm vụ Hà Nội") && !html.contains("Cổng Hà Nội"));
    }
    // Each user's default is their widest unit: the officer's department, with its one task.
    let officer = app.token("a.officer", PASSWORD).await;
    let own = app.get_json(&officer, "/api/v1/dashboards").await;
    assert_eq!((own["org"]["code"].as_str(), own["year"].as_i64()), (Some("51.SKHCN"), Some(2026)), "{own}");
    assert_eq!(count(&own["tasks"]["total"]), 1);
    assert_eq!(count(&own["registry"]["systems"]), 1);
    // The auditor reads the whole province; a grassroots officer reads its work but not its registries.
    let auditor = app.token("a.auditor", PASSWORD).await;
    let v = app.get_json(&auditor, "/api/v1/dashboards").await;
    assert_eq!(
        (v["org"]["code"].as_str(), count(&v["tasks"]["total"]), count(&v["registry"]["systems"])),
        (Some("51"), 9, 4)
    );
    let ttcs = app.token("a.ttcs", PASSWORD).await;
    let v = app.get_json(&ttcs, "/api/v1/dashboards").await;
    assert_eq!((count(&v["tasks"]["total"]), &v["registry"]), (9, &Value::Null), "{v}");
    let (client, _) = app.sign_in("a.ttcs", PASSWORD).await;
    let (st, html) = page(&app, &client, "/dashboard").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"nhiem-vu\"") && !html.contains("id=\"danh-muc\""),
        "no registry section without the right to read it"
    );
    // A trainee reads no unit's work.
    app.services().seed_user("a.hocvien", "Học viên", "51", Role::Trainee, "51", PASSWORD).await.unwrap();
    let trainee = app.token("a.hocvien", PASSWORD).await;
    let (st, _) = app.api(&trainee, Method::GET, "/api/v1/dashboards", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Bad input is named.
    let a = app.token("a.admin", PASSWORD).await;
    for (q, status, field) in [
        ("year=hai-nghin", StatusCode::BAD_REQUEST, "year"),
        ("year=1999", StatusCode::UNPROCESSABLE_ENTITY, "year"),
        ("org=KHONG-CO", StatusCode::UNPROCESSABLE_ENTITY, "org"),
    ] {
        let (st, p) = app.api(&a, Method::GET, &format!("/api/v1/dashboards?{q}"), None).await;
        assert_eq!((st, p["field"].as_str()), (status, Some(field)), "{q}: {p}");
    }
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let (st, html) = page(&app, &client, "/dashboard?year=1999").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("năm từ 2000 đến 2100"), "{html}");
}

/// The compliance links list systems by a registry figure; storage matches each figure's rule on
/// its columns. For every figure, the systems listed as counted and as not counted are exactly
/// those `SystemFigure::count` counts and leaves out, on a registry with a case of each.
#[tokio::test]
async fn each_registry_figure_filter_lists_exactly_the_systems_the_figure_counts() {
    use domain::registries::SystemFigure;
    use domain::repo::registries::{FigureFilter, RegistryEntry, RegistryFilter, RegistryStore};

    let app = TestApp::spawn_at(start()).await;
    let a = app.token("a.admin", PASSWORD).await;
    let portal = |name: &str, label: Option<&str>| {
        let mut v = system("51", name, Some(3), Some("2026-02-01"), Some("2026-03-01"), true);
        v["portal"] = json!(true);
        v["trust_label_on"] = json!(label);
        v
    };
    for body in [
        portal("Cổng có nhãn tín nhiệm", Some("2026-04-01")),
        portal("Cổng chưa gắn nhãn", None),
        system("51", "Cấp độ 5 quá hạn kiểm tra", Some(5), Some("2026-01-01"), Some("2026-01-10"), true),
        system("51", "Cấp độ 1 kiểm tra năm ngoái", Some(1), None, Some("2025-06-01"), false),
        system("51", "Cấp độ 2 chưa kiểm tra", Some(2), Some("2026-02-01"), None, false),
        system("51.SKHCN", "Chưa xác định cấp độ", None, None, None, false),
    ] {
        ok(&app, &a, Method::POST, "/api/v1/registries/systems", body).await;
    }
    let db = &app.app.db;
    let list = |figure: Option<FigureFilter>| async move {
        let mut f = RegistryFilter::new(domain::registries::RegistryKind::System);
        f.figure = figure;
        f.limit = 500;
        let mut names: Vec<String> = db
            .registry_list(&f)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| match e.entry {
                RegistryEntry::System(s) => s.name,
                other => panic!("{other:?}"),
            })
            .collect();
        names.sort();
        names
    };
    let all: Vec<_> = {
        let mut f = RegistryFilter::new(domain::registries::RegistryKind::System);
        f.limit = 500;
        db.registry_list(&f)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|e| match e.entry {
                RegistryEntry::System(s) => Some(s),
                _ => None,
            })
            .collect()
    };
    assert_eq!(all.len(), 6);
    let today = d(2026, 11, 22);
    for figure in SystemFigure::ALL {
        for counted in [true, false] {
            let mut want: Vec<String> = all
                .iter()
                .filter(|s| (figure.count(std::slice::from_ref(*s), today) == 1) == counted)
                .map(|s| s.name.clone())
                .collect();
            want.sort();
            assert_eq!(list(Some(FigureFilter { figure, counted, today })).await, want, "{figure:?} counted={counted}");
        }
        let n = figure.count(&all, today) as usize;
        assert!(n > 0 && n < all.len() || figure == SystemFigure::Systems, "{figure:?} splits the example ({n})");
    }
}

/// Nationally the page lists the ten ministries and provinces with the most overdue tasks and
/// links to all of them; the JSON has them all, in that order.
#[tokio::test]
async fn the_national_page_lists_the_most_overdue_agencies_and_links_to_all() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let provinces = s
        .list_orgs(&domain::org::OrgQuery {
            org_type: Some(domain::org::OrgType::Province),
            as_of: Some(d(2026, 11, 22)),
            limit: 12,
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    assert_eq!(provinces.len(), 12);
    // Province i has i + 1 overdue tasks and one task not yet due.
    for (i, p) in provinces.iter().enumerate() {
        let mut tasks: Vec<TaskSpec> = vec![("Nhiệm vụ chưa đến hạn", d(2026, 12, 30), TaskState::NotStarted, None)];
        tasks.extend((0..=i).map(|_| ("Nhiệm vụ quá hạn", d(2026, 9, 30), TaskState::NotStarted, None)));
        plan_with_tasks(s, &root, &p.code, &tasks).await;
    }
    let token = app.token("root.admin", PASSWORD).await;
    let vn = app.get_json(&token, "/api/v1/dashboards?year=2026").await;
    let rows = vn["tasks"]["agencies"].as_array().unwrap();
    let order: Vec<&str> = rows.iter().map(|r| r["org"]["code"].as_str().unwrap()).collect();
    let want: Vec<&str> = provinces.iter().rev().map(|p| p.code.as_str()).collect();
    assert_eq!(order, want, "most overdue first");
    assert_eq!(count(&vn["tasks"]["by_status"][4]), (1..=12).sum::<u64>());

    let (client, _) = app.sign_in("root.admin", PASSWORD).await;
    let (_, html) = page(&app, &client, "/dashboard").await;
    let listed = |html: &str| provinces.iter().filter(|p| html.contains(&format!(">{}</a>", p.name))).count();
    assert_eq!(listed(&html), 10);
    assert!(!html.contains(&format!(">{}</a>", provinces[0].name)), "the least overdue is left out");
    let all = "/dashboard?org=VN&#38;year=2026&#38;agencies=all#bo-nganh-dia-phuong";
    assert!(html.contains(&format!("<a href=\"{all}\">Xem tất cả 12 bộ, ngành, địa phương →</a>")), "{html}");
    let (_, html) = page(&app, &client, &all.replace("&#38;", "&")).await;
    assert_eq!(listed(&html), 12);
    // Each name opens that province's own dashboard.
    let own = format!("/dashboard?org={}&#38;year=2026", provinces[11].code);
    assert!(html.contains(&own), "{own}");
}

/// In a phone-sized browser the dashboard does not scroll sideways, its chart text renders at a
/// legible size, and a bar of a chart is a working link to the rows behind it.
#[tokio::test]
async fn on_a_phone_the_charts_fit_read_and_their_bars_lead_to_the_rows() {
    use crate::browser::{Driver, assert_fits, browser_available, click, fill, path_of, wait_h1};
    if !browser_available() {
        return;
    }
    let app = TestApp::spawn_at(start()).await;
    worked_example(&app).await;
    let driver = Driver::start().await;
    let c = driver.browser().await;
    c.goto(&app.url("/login")).await.expect("open /login");
    fill(&c, "input[name=username]", "a.admin").await;
    fill(&c, "input[name=password]", PASSWORD).await;
    click(&c, "main form button[type=submit]").await;
    wait_h1(&c, "Tổng quan").await;
    click(&c, "header nav a[href='/dashboard']").await;
    wait_h1(&c, "Bảng điều hành: Tỉnh Quảng Ngãi, năm 2026").await;
    assert_fits(&c, "/dashboard").await;
    // Each chart within the viewport; its 15-unit text drawn at 12 CSS pixels or more.
    let sizes = c
        .execute(
            "return Array.from(document.querySelectorAll('figure.chart svg')).map(s => {
                const r = s.getBoundingClientRect();
                const t = s.querySelector('text').getBoundingClientRect();
                return [r.left, r.right, window.innerWidth, t.height];
            });",
            vec![],
        )
        .await
        .expect("measure charts");
    let sizes = sizes.as_array().unwrap();
    assert_eq!(sizes.len(), 4);
    for s in sizes {
        let [left, right, inner, text]: [f64; 4] = std::array::from_fn(|i| s[i].as_f64().unwrap());
        assert!(left >= 0.0 && right <= inner, "a chart runs past the screen: {s}");
        assert!(text >= 12.0, "chart text {text}px high: {s}");
    }
    // The overdue bar of the tasks chart is a link to exactly the overdue tasks.
    click(&c, "#nhiem-vu svg a[href*='status=overdue']").await;
    wait_h1(&c, "Nhiệm vụ").await;
    assert_eq!(path_of(&c).await, "/tasks");
    let count = c.find(fantoccini::Locator::Css("main p.muted strong")).await.unwrap().text().await.unwrap();
    assert_eq!(count, "3");
}
