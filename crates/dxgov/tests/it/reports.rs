//! Periodic reports: a round opened for a receiver's units, the workflow draft → submitted →
//! returned → resubmitted → accepted → reopened with every refusal, figures frozen at
//! submission, the synthesis of accepted reports (ratio of sums, the missing listed),
//! completeness and timeliness, and the DOCX / PDF / XLSX files read by independent tools.

use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use domain::auth::Role;

use crate::harness::{PASSWORD, TestApp};

/// A small template: two narrative areas, the spending indicators with their ratio, the
/// information systems table and task statistics.
fn template() -> Value {
    json!({
        "code": "BC_THU",
        "name": "Kết quả thực hiện chuyển đổi số",
        "period_type": "yearly",
        "due": { "rule": "day_of_year", "month": 11, "day": 30 },
        "sections": [
            { "key": "I", "heading": "I. KẾT QUẢ", "level": 1, "kind": "heading" },
            { "key": "ha_tang", "heading": "1. Hạ tầng số", "level": 2, "kind": "narrative" },
            { "key": "attt", "heading": "2. An toàn thông tin mạng", "level": 2, "kind": "narrative" },
            { "key": "chi", "heading": "II. KINH PHÍ", "level": 1, "kind": "indicators",
              "codes": ["CHI_CNTT", "CHI_ATTT", "TY_LE_CHI_ATTT_CNTT"] },
            { "key": "httt", "heading": "III. HỆ THỐNG THÔNG TIN", "level": 1, "kind": "registry", "table": "systems" },
            { "key": "nv", "heading": "IV. NHIỆM VỤ", "level": 1, "kind": "task_stats" }
        ]
    })
}

fn content(number: &str, text: &str) -> Value {
    json!({
        "number_symbol": number,
        "signer": { "authority": "KT. GIÁM ĐỐC", "title": "Phó Giám đốc", "name": "Nguyễn Văn An" },
        "recipients": ["UBND tỉnh Quảng Ngãi", "Lưu: VT, KHTC"],
        "narratives": {
            "ha_tang": { "achieved": format!("{text}: 100% cơ quan có mạng LAN."), "shortcomings": "Thiết bị cũ." },
            "attt": { "achieved": "Hoàn thành phê duyệt cấp độ.", "shortcomings": "" }
        }
    })
}

async fn values(app: &TestApp, token: &str, rows: &[(&str, &str, &str)]) {
    let body = json!({ "dataValues": rows.iter().map(|(de, ou, v)| json!({
        "dataElement": de, "period": "2026", "orgUnit": ou, "value": v
    })).collect::<Vec<_>>() });
    let (st, s) = app.api(token, Method::POST, "/api/v1/dataValueSets", Some(body)).await;
    assert_eq!((st, s["status"].as_str()), (StatusCode::OK, Some("SUCCESS")), "{s}");
}

async fn setup(app: &TestApp) -> (String, String) {
    app.services().seed_internal_unit("51", "51.STC", "Sở Tài chính tỉnh Quảng Ngãi").await.unwrap();
    let root = app.token("root.admin", PASSWORD).await;
    let (st, t) = app.api(&root, Method::POST, "/api/v1/report-templates", Some(template())).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let a = app.token("a.admin", PASSWORD).await;
    (root, a)
}

async fn report_of(app: &TestApp, token: &str, org: &str) -> Value {
    let list = app.get_json(token, &format!("/api/v1/reports?template=BC_THU&org={org}")).await;
    let items = list["items"].as_array().unwrap_or_else(|| panic!("{list}"));
    assert_eq!(items.len(), 1, "{list}");
    items[0].clone()
}

async fn step(
    app: &TestApp,
    token: &str,
    id: i64,
    step: &str,
    row_version: i64,
    comment: Option<&str>,
) -> (StatusCode, Value) {
    let body = json!({ "step": step, "row_version": row_version, "comment": comment });
    app.api(token, Method::POST, &format!("/api/v1/reports/{id}/steps"), Some(body)).await
}

async fn save(app: &TestApp, token: &str, id: i64, row_version: i64, body: Value) -> (StatusCode, Value) {
    let body = json!({ "row_version": row_version, "content": body });
    app.api(token, Method::PUT, &format!("/api/v1/reports/{id}"), Some(body)).await
}

#[tokio::test]
async fn a_report_goes_through_every_step_with_its_figures_frozen_at_each_submission() {
    let app = TestApp::spawn().await;
    let (root, a) = setup(&app).await;
    let b = app.token("b.admin", PASSWORD).await;
    // The department's focal point writes and submits; the province (a.admin) receives.
    app.services()
        .seed_user("a.focal", "Đầu mối Sở KH&CN", "51.SKHCN", Role::FocalPoint, "51.SKHCN", PASSWORD)
        .await
        .unwrap();
    let f = app.token("a.focal", PASSWORD).await;

    // A province's admin opens the round for its departments; Hà Nội's may not open one for 51.
    let round = json!({ "template": "BC_THU", "period": "2026", "receiver": "51", "org_types": ["internal"] });
    let (st, _) = app.api(&b, Method::POST, "/api/v1/report-rounds", Some(round.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, r) = app.api(&a, Method::POST, "/api/v1/report-rounds", Some(round.clone())).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!((r["opened"].as_u64(), r["due_on"].as_str()), (Some(2), Some("2026-11-30")), "{r}");
    let (_, again) = app.api(&a, Method::POST, "/api/v1/report-rounds", Some(round)).await;
    assert_eq!(
        (again["opened"].as_u64(), again["existing"].as_u64()),
        (Some(0), Some(2)),
        "opening twice opens nothing"
    );

    let report = report_of(&app, &f, "51.SKHCN").await;
    let id = report["id"].as_i64().unwrap();
    assert_eq!((report["state"].as_str(), report["receiver"]["code"].as_str()), (Some("draft"), Some("51")));
    assert_eq!(report["title"], "Kết quả thực hiện chuyển đổi số năm 2026");

    // Another province sees nothing of it.
    let (st, _) = app.api(&b, Method::GET, &format!("/api/v1/reports/{id}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Submitting an empty draft is refused with every missing piece.
    let (st, p) = step(&app, &f, id, "submit", 1, None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let failures: Vec<&str> = p["failures"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    for field in ["number_symbol", "signer.title", "signer.name", "ha_tang", "attt", "chi"] {
        assert!(failures.contains(&field), "{field} missing from {failures:?}");
    }
    assert!(p["detail"].as_str().unwrap().contains("1. Hạ tầng số: chưa nhập kết quả đạt được"), "{p}");

    // A text longer than allowed and an unknown section are field errors; nothing is saved.
    let mut long = content("12/BC-SKHCN", "x");
    long["narratives"]["ha_tang"]["achieved"] = json!("a".repeat(20_001));
    let (st, p) = save(&app, &f, id, 1, long).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("narratives")), "{p}");
    let mut unknown = content("12/BC-SKHCN", "x");
    unknown["narratives"]["khac"] = json!({ "achieved": "?" });
    let (st, _) = save(&app, &f, id, 1, unknown).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, saved) = save(&app, &f, id, 1, content("12/BC-SKHCN", "Năm 2026")).await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    // A stale version is refused.
    let (st, _) = save(&app, &f, id, 1, content("13/BC-SKHCN", "cũ")).await;
    assert_eq!(st, StatusCode::CONFLICT);

    values(&app, &a, &[("CHI_CNTT", "51.SKHCN", "1000"), ("CHI_ATTT", "51.SKHCN", "50")]).await;
    // The department's registry fills the systems table.
    let system = json!({"org": "51.SKHCN", "name": "Hệ thống quản lý văn bản", "security_level": 3,
        "dossier_approved_on": "2026-03-02", "dossier_decision": "12/QĐ-UBND", "last_inspection": "2026-05-04"});
    let (st, sys) = app.api(&a, Method::POST, "/api/v1/registries/systems", Some(system)).await;
    assert_eq!(st, StatusCode::OK, "{sys}");
    // An officer reads but may not submit.
    let officer = app.token("a.officer", PASSWORD).await;
    let (st, _) = step(&app, &officer, id, "submit", 2, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let (st, sub) = step(&app, &f, id, "submit", 2, None).await;
    assert_eq!(st, StatusCode::OK, "{sub}");
    assert_eq!(
        (sub["state"].as_str(), sub["version"].as_i64(), sub["on_time"].as_bool()),
        (Some("submitted"), Some(1), Some(true))
    );
    // Submitting twice (a double click) changes nothing.
    let (st, twice) = step(&app, &f, id, "submit", 2, None).await;
    assert_eq!(
        (st, twice["row_version"].clone(), twice["version"].clone()),
        (StatusCode::OK, sub["row_version"].clone(), json!(1))
    );

    let detail = app.get_json(&f, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(detail["figures_frozen"], true);
    let chi = &detail["figures"]["sections"]["chi"]["rows"];
    assert_eq!((chi[0]["value"].as_f64(), chi[2]["value"].as_f64()), (Some(1000.0), Some(5.0)), "{chi}");
    assert!(detail["steps"].as_array().unwrap().is_empty(), "the sender has no step while it waits: {detail}");
    let systems = &detail["figures"]["sections"]["httt"]["rows"];
    assert_eq!(
        systems,
        &json!([[
            "Hệ thống quản lý văn bản",
            "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
            "Cấp độ 3",
            "03/2026",
            "Chưa đánh giá",
            "04/05/2027"
        ]])
    );
    assert_eq!(detail["events"].as_array().unwrap().len(), 1);

    // The figures stay as submitted when the values and the registry change later.
    values(&app, &a, &[("CHI_CNTT", "51.SKHCN", "2000")]).await;
    let (st, _) = app
        .api(
            &a,
            Method::DELETE,
            &format!("/api/v1/registries/systems/{}?row_version={}", sys["id"], sys["row_version"]),
            None,
        )
        .await;
    assert!(st.is_success(), "{st}");
    let detail = app.get_json(&a, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(detail["figures"]["sections"]["chi"]["rows"][0]["value"].as_f64(), Some(1000.0));
    assert_eq!(detail["figures"]["sections"]["httt"]["rows"].as_array().unwrap().len(), 1);
    // Locked while waiting.
    let (st, _) = save(&app, &f, id, sub["row_version"].as_i64().unwrap(), content("12/BC-SKHCN", "sửa")).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The receiver's side: the sender may not accept their own; returning needs a comment.
    let rv = sub["row_version"].as_i64().unwrap();
    let (st, _) = step(&app, &f, id, "accept", rv, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, p) = step(&app, &a, id, "return", rv, Some("  ")).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")), "{p}");
    let (st, p) = step(&app, &root, id, "accept", rv, None).await;
    assert_eq!(st, StatusCode::OK, "the national admin is also above 51: {p}");
    let (st, p) = step(&app, &f, id, "reopen", p["row_version"].as_i64().unwrap(), Some("?")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only the receiver reopens: {p}");
    let rv = app.get_json(&a, &format!("/api/v1/reports/{id}")).await["report"]["row_version"].as_i64().unwrap();
    let (st, reopened) = step(&app, &a, id, "reopen", rv, Some("Bổ sung số liệu chi năm 2026")).await;
    assert_eq!((st, reopened["state"].as_str()), (StatusCode::OK, Some("returned")), "{reopened}");
    let rv = reopened["row_version"].as_i64().unwrap();
    let (st, edited) = save(&app, &f, id, rv, content("12/BC-SKHCN", "Bản sửa")).await;
    assert_eq!(st, StatusCode::OK, "{edited}");
    let (st, again) = step(&app, &f, id, "submit", edited["row_version"].as_i64().unwrap(), None).await;
    assert_eq!(
        (st, again["state"].as_str(), again["version"].as_i64()),
        (StatusCode::OK, Some("resubmitted"), Some(2))
    );
    let (st, returned) =
        step(&app, &a, id, "return", again["row_version"].as_i64().unwrap(), Some("Thiếu phần tồn tại")).await;
    assert_eq!((st, returned["state"].as_str()), (StatusCode::OK, Some("returned")));
    let (st, third) = step(&app, &f, id, "submit", returned["row_version"].as_i64().unwrap(), None).await;
    assert_eq!(
        (st, third["state"].as_str(), third["version"].as_i64()),
        (StatusCode::OK, Some("resubmitted"), Some(3))
    );
    let (st, accepted) = step(&app, &a, id, "accept", third["row_version"].as_i64().unwrap(), None).await;
    assert_eq!((st, accepted["state"].as_str()), (StatusCode::OK, Some("accepted")));
    assert!(accepted["accepted_at"].is_string());
    // Accepted is locked; another accept is an illegal step.
    let rv = accepted["row_version"].as_i64().unwrap();
    let (st, _) = save(&app, &f, id, rv, content("12/BC-SKHCN", "sau")).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, p) = step(&app, &a, id, "accept", rv, None).await;
    assert_eq!((st, p["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/invalid-transition")), "{p}");

    let detail = app.get_json(&f, &format!("/api/v1/reports/{id}")).await;
    let versions = detail["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    // Versions 2 and 3 froze the value as it was at their submission.
    assert_eq!(detail["figures"]["sections"]["chi"]["rows"][0]["value"].as_f64(), Some(2000.0));
    let steps: Vec<&str> = detail["events"].as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["submit", "accept", "reopen", "submit", "return", "submit", "accept"]);
    assert_eq!(detail["events"][2]["comment"], "Bổ sung số liệu chi năm 2026");

    // Every step is in the audit log.
    let audit = app.get_json(&root, "/api/v1/audit?limit=100").await;
    let actions: Vec<&str> =
        audit["items"].as_array().or(audit.as_array()).unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["report.open_round", "report.save", "report.submit", "report.return", "report.accept", "report.reopen"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
}

#[tokio::test]
async fn the_synthesis_combines_accepted_reports_and_lists_the_missing_with_completeness() {
    let app = TestApp::spawn_at("2026-11-20T03:00:00Z".parse().unwrap()).await;
    let (root, mut a) = setup(&app).await;
    app.services().seed_internal_unit("51", "51.SNV", "Sở Nội vụ tỉnh Quảng Ngãi").await.unwrap();
    let round = json!({ "template": "BC_THU", "period": "2026", "receiver": "51", "org_types": ["internal"] });
    let (st, r) = app.api(&a, Method::POST, "/api/v1/report-rounds", Some(round)).await;
    assert_eq!((st, r["opened"].as_u64()), (StatusCode::OK, Some(3)), "{r}");
    // The province's own report to the centre.
    let round = json!({ "template": "BC_THU", "period": "2026", "receiver": "VN", "org_types": ["province"] });
    let (st, _) = app.api(&root, Method::POST, "/api/v1/report-rounds", Some(round)).await;
    assert_eq!(st, StatusCode::OK);

    // Worked example: Sở KH&CN spends 50 of 1.000 on security (5 %), Sở Tài chính 50 of 100
    // (50 %). The province's ratio is 100 / 1.100 = 9,09 %, not the mean of the ratios (27,5 %).
    values(
        &app,
        &a,
        &[
            ("CHI_CNTT", "51.SKHCN", "1000"),
            ("CHI_ATTT", "51.SKHCN", "50"),
            ("CHI_CNTT", "51.STC", "100"),
            ("CHI_ATTT", "51.STC", "50"),
        ],
    )
    .await;
    for (org, number) in [("51.SKHCN", "12/BC-SKHCN"), ("51.STC", "7/BC-STC")] {
        let rep = report_of(&app, &a, org).await;
        let id = rep["id"].as_i64().unwrap();
        let (_, saved) = save(&app, &a, id, 1, content(number, org)).await;
        let (st, sub) = step(&app, &a, id, "submit", saved["row_version"].as_i64().unwrap(), None).await;
        assert_eq!(st, StatusCode::OK, "{sub}");
        if org == "51.SKHCN" {
            // Sở KH&CN on time (20/11), accepted.
            let (st, _) = step(&app, &a, id, "accept", sub["row_version"].as_i64().unwrap(), None).await;
            assert_eq!(st, StatusCode::OK);
            app.advance(chrono::Duration::days(15));
            a = app.token("a.admin", PASSWORD).await;
        }
    }
    // Sở Tài chính submitted on 05/12, after the 30/11 due date, and is accepted; Sở Nội vụ never submits.
    let stc = report_of(&app, &a, "51.STC").await;
    assert_eq!(stc["on_time"], false);
    let (st, _) =
        step(&app, &a, stc["id"].as_i64().unwrap(), "accept", stc["row_version"].as_i64().unwrap(), None).await;
    assert_eq!(st, StatusCode::OK);

    let s = app.get_json(&a, "/api/v1/report-synthesis?template=BC_THU&period=2026&org=51").await;
    assert_eq!(
        s["synthesis"]["included"],
        json!(["Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", "Sở Tài chính tỉnh Quảng Ngãi"]),
        "{s}"
    );
    assert_eq!(
        s["synthesis"]["missing"],
        json!([{ "unit": "Sở Nội vụ tỉnh Quảng Ngãi", "state": "draft", "state_label": "Đang soạn" }])
    );
    let sections = s["synthesis"]["sections"].as_array().unwrap();
    let section = |key: &str| sections.iter().find(|x| x[0] == key).unwrap()[1].clone();
    let chi = section("chi");
    assert_eq!(chi["rows"][0]["value"].as_f64(), Some(1100.0));
    let ratio = chi["rows"][2]["value"].as_f64().unwrap();
    assert!((ratio - 100.0 / 1100.0 * 100.0).abs() < 1e-9, "ratio of sums, not average of ratios: {ratio}");
    let narratives = section("ha_tang")["units"].as_array().unwrap().clone();
    assert_eq!(narratives.len(), 2);
    assert!(narratives[1]["achieved"].as_str().unwrap().starts_with("51.STC"), "{narratives:?}");

    // Completeness at the province: 3 expected, 2 submitted, 1 on time; the drill-down rows.
    let c = app.get_json(&a, "/api/v1/report-completeness?template=BC_THU&period=2026&org=51").await;
    assert_eq!(c["total"], json!({ "expected": 3, "submitted": 2, "on_time": 1, "accepted": 2, "overdue": 1 }), "{c}");
    let rows = c["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let row = |code: &str| rows.iter().find(|r| r["org"]["code"] == code).unwrap().clone();
    assert_eq!((row("51.SKHCN")["on_time"].as_bool(), row("51.STC")["on_time"].as_bool()), (Some(true), Some(false)));
    assert!(row("51.SNV")["on_time"].is_null());
    // Nationally, per level: provinces report to the centre, departments to their province.
    let root = app.token("root.admin", PASSWORD).await;
    let n = app.get_json(&root, "/api/v1/report-completeness?template=BC_THU&period=2026&org=VN").await;
    let levels: Vec<(&str, u64, u64)> = n["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["org_type"].as_str().unwrap(),
                l["figures"]["expected"].as_u64().unwrap(),
                l["figures"]["submitted"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(levels.len(), 2, "{levels:?}");
    assert_eq!(levels[0].0, "province");
    assert_eq!(levels[0].2, 0);
    assert_eq!(levels[1], ("internal", 3, 2));
    let qn = n["rows"].as_array().unwrap().iter().find(|r| r["org"]["code"] == "51").unwrap().clone();
    assert_eq!(qn["below"]["submitted"], 2, "drill-down figures of the province's own units: {qn}");
    // Another province may not read 51's completeness.
    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) =
        app.api(&b, Method::GET, "/api/v1/report-completeness?template=BC_THU&period=2026&org=51", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The synthesis as files.
    let dir = tempfile::tempdir().unwrap();
    let docx = download(
        &app,
        &a,
        "/api/v1/report-synthesis/file/docx?template=BC_THU&period=2026&org=51",
        dir.path(),
        "t.docx",
    )
    .await;
    let xml = unzip_document(&docx);
    assert!(xml.contains("Sở Nội vụ tỉnh Quảng Ngãi") && xml.contains("Đang soạn"), "the missing unit is listed");
    assert!(xml.contains("9,1%"), "the ratio of sums, rounded");
    let xlsx = download(
        &app,
        &a,
        "/api/v1/report-synthesis/file/xlsx?template=BC_THU&period=2026&org=51",
        dir.path(),
        "t.xlsx",
    )
    .await;
    let book = reports::read_xlsx(&std::fs::read(&xlsx).unwrap()).unwrap();
    assert_eq!(book.headers[0], "Mã");
}

async fn download(app: &TestApp, token: &str, path: &str, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let res = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let file = dir.join(name);
    std::fs::write(&file, res.bytes().await.unwrap()).unwrap();
    file
}

fn unzip_document(docx: &std::path::Path) -> String {
    let out =
        Command::new("unzip").arg("-p").arg(docx).arg("word/document.xml").output().expect("unzip (Debian unzip)");
    assert!(out.status.success(), "unzip: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn a_submitted_report_downloads_as_docx_pdf_and_xlsx_in_the_official_format() {
    let app = TestApp::spawn().await;
    let (_root, a) = setup(&app).await;
    let round = json!({ "template": "BC_THU", "period": "2026", "receiver": "51", "org_types": ["internal"] });
    app.api(&a, Method::POST, "/api/v1/report-rounds", Some(round)).await;
    values(&app, &a, &[("CHI_CNTT", "51.SKHCN", "1234.5"), ("CHI_ATTT", "51.SKHCN", "150")]).await;
    let rep = report_of(&app, &a, "51.SKHCN").await;
    let id = rep["id"].as_i64().unwrap();
    let (_, saved) = save(&app, &a, id, 1, content("12/BC-SKHCN", "Năm 2026 Sở đã hoàn thành")).await;
    let (st, _) = step(&app, &a, id, "submit", saved["row_version"].as_i64().unwrap(), None).await;
    assert_eq!(st, StatusCode::OK);

    let dir = tempfile::tempdir().unwrap();
    let docx = download(&app, &a, &format!("/api/v1/reports/{id}/file/docx"), dir.path(), "bc.docx").await;
    let xml = unzip_document(&docx);
    for wanted in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Times New Roman",
        "Số: 12/BC-SKHCN",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH QUẢNG NGÃI",
        "BÁO CÁO",
        "Kết quả thực hiện chuyển đổi số năm 2026",
        "1. Hạ tầng số",
        "a) Kết quả đạt được",
        "b) Tồn tại, hạn chế",
        "Năm 2026 Sở đã hoàn thành: 100% cơ quan có mạng LAN.",
        "1.234,5",
        "Nơi nhận",
        "Nguyễn Văn An",
    ] {
        assert!(xml.contains(wanted) || xml.contains(&wanted.to_uppercase()), "DOCX lacks {wanted:?}");
    }
    // An independent tool opens it: LibreOffice converts it to PDF without error.
    let out = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path().join("lo"))
        .arg(&docx)
        .env("HOME", dir.path())
        .output()
        .expect("soffice (Debian libreoffice-writer-nogui)");
    assert!(out.status.success(), "libreoffice: {}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("lo/bc.pdf").is_file(), "{}", String::from_utf8_lossy(&out.stdout));

    // The PDF's text, extracted by pdftotext, is the Vietnamese of the report.
    let pdf = download(&app, &a, &format!("/api/v1/reports/{id}/file/pdf"), dir.path(), "bc.pdf").await;
    let out =
        Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(&pdf).arg("-").output().expect("pdftotext");
    let text: String = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for wanted in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/BC-SKHCN",
        "Quảng Ngãi, ngày",
        "Kết quả thực hiện chuyển đổi số năm 2026",
        "a) Kết quả đạt được",
        "Năm 2026 Sở đã hoàn thành: 100% cơ quan có mạng LAN.",
        "Thiết bị cũ.",
        "Nguyễn Văn An",
    ] {
        assert!(text.contains(wanted), "PDF text lacks {wanted:?}: {text}");
    }
    let fonts = Command::new("pdffonts").arg(&pdf).output().expect("pdffonts");
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    assert!(fonts.lines().skip(2).all(|l| l.split_whitespace().rev().nth(4) == Some("yes")), "fonts embedded: {fonts}");

    // The tables as a workbook.
    let xlsx = download(&app, &a, &format!("/api/v1/reports/{id}/file/xlsx"), dir.path(), "bc.xlsx").await;
    let book = reports::read_xlsx(&std::fs::read(&xlsx).unwrap()).unwrap();
    assert_eq!(book.headers, ["Mã", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Mục tiêu", "Tỷ lệ đạt (%)"]);
    assert_eq!(book.rows[0].get(3), "1234.5");

    // A format that does not exist.
    let (st, p) = app.api(&a, Method::GET, &format!("/api/v1/reports/{id}/file/odt"), None).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("format")));
}

#[tokio::test]
async fn a_report_not_sent_is_reminded_once_before_it_is_due_and_once_overdue() {
    // Monday 04/01/2027, 09:00 in Vietnam; the fourth quarter's reports are due on Sunday 10/01.
    let app = TestApp::spawn_at("2027-01-04T02:00:00Z".parse().unwrap()).await;
    let s = app.services();
    s.seed_user("a.focal", "Đầu mối Sở KH&CN", "51.SKHCN", Role::FocalPoint, "51.SKHCN", PASSWORD).await.unwrap();
    s.seed_internal_unit("51", "51.STC", "Sở Tài chính tỉnh Quảng Ngãi").await.unwrap();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let round = domain::services::reporting::OpenRoundInput {
        template: "BC_TIEN_DO_QUY".into(),
        period: "2026Q4".into(),
        receiver: "51".into(),
        org_types: vec![domain::org::OrgType::Internal],
        due_on: None,
    };
    s.open_report_round(&admin, &round).await.unwrap();
    let focal = s.login("a.focal", PASSWORD, None).await.unwrap();
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let d = |m: u32, day: u32| chrono::NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    while app.clock.today() <= d(1, 13) {
        let today = app.clock.today();
        for _ in 0..2 {
            app.app.scheduler(&app.config).unwrap().tick().await.unwrap();
        }
        for n in s.notifications(&focal, 100).await.unwrap() {
            if ids.insert(n.id) {
                seen.push((format!("{} {}", today.format("%d/%m"), n.title), n.link.unwrap_or_default()));
            }
        }
        if today == d(1, 12) {
            // The department sends its report: nothing more is reminded of it.
            let list = s.list_reports(&focal, &Default::default()).await.unwrap();
            let own = list.items.iter().find(|r| r.org.code == "51.SKHCN").unwrap();
            let content = domain::reporting::ReportContent {
                narratives: [
                    (
                        "ket_qua".to_string(),
                        domain::reporting::Narrative { achieved: "Xong".into(), shortcomings: String::new() },
                    ),
                    (
                        "kien_nghi".to_string(),
                        domain::reporting::Narrative { achieved: "Không".into(), shortcomings: String::new() },
                    ),
                ]
                .into(),
                number_symbol: "3/BC-SKHCN".into(),
                signer: domain::reporting::Signer {
                    authority: None,
                    title: "Giám đốc".into(),
                    name: "Lê Văn Tâm".into(),
                },
                recipients: vec![],
            };
            let saved = s.save_report(&focal, own.id, own.row_version, &content).await.unwrap();
            let input = domain::services::reporting::StepInput {
                step: domain::reporting::ReportStep::Submit,
                row_version: saved.row_version,
                comment: None,
            };
            s.report_step(&focal, own.id, &input).await.unwrap();
        }
        app.advance(chrono::Duration::days(1));
    }
    let titles: Vec<&str> = seen.iter().map(|(t, _)| t.as_str()).collect();
    let report = "Tiến độ thực hiện kế hoạch chuyển đổi số quý IV/2026 (Sở Khoa học và Công nghệ tỉnh Quảng Ngãi)";
    // 07/01 is the first day within three days of the 10th; Monday 11/01 is the first working day after it.
    assert_eq!(
        titles,
        [format!("07/01 Sắp đến hạn nộp báo cáo: {report}"), format!("11/01 Quá hạn nộp báo cáo: {report}")],
        "the focal point hears of its own unit's report only, once per state"
    );
    assert!(seen[0].1.starts_with("/reports/"));
    // The province's admin hears of both departments' reports.
    let admin_titles: Vec<String> = s.notifications(&admin, 100).await.unwrap().into_iter().map(|n| n.title).collect();
    assert_eq!(admin_titles.iter().filter(|t| t.contains("Sở Tài chính")).count(), 2, "{admin_titles:?}");
}

#[tokio::test]
async fn a_national_administrator_builds_a_template_from_sections_on_the_page() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("root.admin", PASSWORD).await;
    let sections = "I | I. KẾT QUẢ | 1 | heading\nattt | 1. An toàn thông tin | 2 | narrative\nchi | II. KINH PHÍ | 1 | indicators | CHI_CNTT, CHI_ATTT\nhttt | III. HỆ THỐNG | 1 | registry | hethong";
    let form = [
        ("code", "bc_attt_nam"),
        ("name", "Kết quả bảo đảm an toàn thông tin"),
        ("period_type", "yearly"),
        ("due_rule", "day_of_year"),
        ("due_day", "15"),
        ("due_month", "12"),
        ("sections", sections),
    ];
    // A bad line is named, in Vietnamese, and what was typed stays.
    let res = app.post_form(&client, &csrf, "/reports/templates", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("dòng 4: danh mục &#x27;hethong&#x27; không có")
            || html.contains("dòng 4: danh mục &#39;hethong&#39; không có"),
        "{html}"
    );
    assert!(html.contains("Kết quả bảo đảm an toàn thông tin"), "the name typed is kept");
    // An unknown indicator is refused too.
    let mut bad = form;
    bad[6].1 = "chi | II. KINH PHÍ | 1 | indicators | CHI_KHONG_CO";
    let res = app.post_form(&client, &csrf, "/reports/templates", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("không có chỉ tiêu mã CHI_KHONG_CO"));

    let mut good = form;
    good[6].1 = "I | I. KẾT QUẢ | 1 | heading\nattt | 1. An toàn thông tin | 2 | narrative\nchi | II. KINH PHÍ | 1 | indicators | CHI_CNTT, CHI_ATTT\nhttt | III. HỆ THỐNG | 1 | registry | systems";
    let res = app.post_form(&client, &csrf, "/reports/templates", &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let token = app.token("root.admin", PASSWORD).await;
    let list = app.get_json(&token, "/api/v1/report-templates").await;
    let t =
        list.as_array().unwrap().iter().find(|t| t["code"] == "BC_ATTT_NAM").expect("saved, code upper-cased").clone();
    assert_eq!(t["due"], json!({"rule": "day_of_year", "month": 12, "day": 15}));
    assert_eq!(t["sections"].as_array().unwrap().len(), 4);
    assert_eq!(
        t["sections"][3],
        json!({"key": "httt", "heading": "III. HỆ THỐNG", "level": 1, "kind": "registry", "table": "systems"})
    );
    // The page lists it; a round can be opened from it at once.
    let html = client.get(app.url("/reports/templates")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Kết quả bảo đảm an toàn thông tin") && html.contains("Bảng từ danh mục"), "{html}");
    let round = json!({ "template": "BC_ATTT_NAM", "period": "2026", "receiver": "VN", "org_types": ["province"] });
    let (st, r) = app.api(&token, Method::POST, "/api/v1/report-rounds", Some(round)).await;
    assert_eq!((st, r["due_on"].as_str()), (StatusCode::OK, Some("2026-12-15")), "{r}");
}
