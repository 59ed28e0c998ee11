//! Frameworks, plans and tasks through the API: transcription counts, every plan workflow step,
//! task edits with optimistic concurrency, progress with evidence, and who may see and do what.

use chrono::{TimeZone, Utc};
use domain::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

/// 02:00 on 22/11/2026 in Vietnam.
fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 19, 0, 0).unwrap()
}

async fn provincial_framework(app: &TestApp, token: &str) -> Value {
    let list = app.get_json(token, "/api/v1/frameworks").await;
    list.as_array().unwrap().iter().find(|f| f["kind"] == "provincial").cloned().expect("provincial framework")
}

/// A province-A plan for 2026 from the provincial framework, created by A's admin.
async fn plan_from_framework(app: &TestApp, token: &str) -> Value {
    let fw = provincial_framework(app, token).await;
    let templates = app.get_json(token, "/api/v1/plan-templates").await;
    let template = templates[0]["code"].as_str().unwrap().to_string();
    let (st, plan) = app
        .api(
            token,
            Method::POST,
            "/api/v1/plans",
            Some(json!({
                "org": "51", "title": "Kế hoạch chuyển đổi số tỉnh Quảng Ngãi năm 2026", "period": "2026",
                "template": template, "frameworks": [fw["id"]],
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{plan}");
    plan
}

#[tokio::test]
async fn frameworks_are_transcribed_with_the_seed_counts_and_citations() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let fw = provincial_framework(&app, &token).await;
    assert_eq!(fw["item_count"], 36, "{fw}");
    assert_eq!(fw["groups"].as_array().unwrap().len(), 12);
    let list = app.get_json(&token, "/api/v1/frameworks").await;
    let ministry = list.as_array().unwrap().iter().find(|f| f["kind"] == "ministry").unwrap();
    assert_eq!(ministry["groups"].as_array().unwrap().len(), 7);

    let detail = app.get_json(&token, &format!("/api/v1/frameworks/{}", fw["id"])).await;
    let items: Vec<&Value> =
        detail["groups"].as_array().unwrap().iter().flat_map(|g| g["items"].as_array().unwrap()).collect();
    assert_eq!(items.len(), 36);
    assert!(items.iter().all(|i| i["cite"].as_str().unwrap().starts_with("002_")), "every item cites its seed");
    assert!(
        items.iter().any(|i| i["deadline"] == json!({"kind": "yearly", "month": 11, "day": 30})),
        "the yearly report before 30 November"
    );
    assert!(
        items
            .iter()
            .flat_map(|i| i["targets"].as_array().unwrap())
            .any(|t| t["value"] == 100.0 && t["by"] == json!({"kind": "date", "date": "2024-06-30"})),
        "100 % of information systems with an approved dossier before 30/6/2024"
    );

    // Loading the shipped data again (a restart) adds no second copy.
    let app = app.restart().await;
    let again = app.get_json(&token, "/api/v1/frameworks").await;
    assert_eq!(again.as_array().unwrap().len(), list.as_array().unwrap().len());
}

#[tokio::test]
async fn a_plan_goes_through_every_workflow_step_and_keeps_each_approved_version() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    s.seed_user("a.lanhdao", "Lãnh đạo Quảng Ngãi", "51.SKHCN", Role::Leader, "51", PASSWORD).await.unwrap();
    let admin = app.token("a.admin", PASSWORD).await;
    let leader = app.token("a.lanhdao", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let id = plan["id"].as_i64().unwrap();
    assert_eq!(plan["status"], "draft");
    let tasks = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&limit=200")).await;
    // 36 items; the yearly ones give one task for the single year 2026.
    assert_eq!(tasks["total"], 36, "{tasks}");
    assert!(tasks["items"].as_array().unwrap().iter().all(|t| t["framework_item_id"].is_i64()));
    assert!(!plan["sections"].as_array().unwrap().is_empty());

    let step = |step: &str, v: i64, extra: Value| {
        let mut body = json!({ "step": step, "row_version": v });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let path = format!("/api/v1/plans/{id}/steps");
    // Illegal: approve a draft that was never submitted; start or close a draft.
    for illegal in ["approve", "start", "close", "return", "revise"] {
        let (st, p) = app
            .api(
                &leader,
                Method::POST,
                &path,
                Some(step(
                    illegal,
                    1,
                    json!({"decision_number": "1/QĐ-UBND", "decision_date": "2026-11-20", "note": "x"}),
                )),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{illegal}: {p}");
        assert_eq!(p["type"], "/problems/invalid-transition");
        assert!(p["detail"].as_str().unwrap().contains("Dự thảo"), "{p}");
    }
    // Only a leader approves; the admin role of the province may edit and submit.
    let (st, p) = app.api(&admin, Method::POST, &path, Some(step("submit", 1, json!({})))).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "submitted");
    // Editing a submitted plan is refused.
    let (st, _) = app
        .api(
            &admin,
            Method::PUT,
            &format!("/api/v1/plans/{id}"),
            Some(json!({"row_version": 2, "title": "Sửa", "sections": []})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // Return needs remarks; then back to draft.
    let (st, p) = app.api(&leader, Method::POST, &path, Some(step("return", 2, json!({})))).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")), "{p}");
    let (st, p) =
        app.api(&leader, Method::POST, &path, Some(step("return", 2, json!({"note": "Bổ sung kinh phí"})))).await;
    assert_eq!((st, p["status"].as_str()), (StatusCode::OK, Some("draft")), "{p}");
    assert_eq!(p["return_note"], "Bổ sung kinh phí");
    let (_, p) = app.api(&admin, Method::POST, &path, Some(step("submit", 3, json!({})))).await;
    assert_eq!(p["status"], "submitted");
    // Approve needs the decision number and date.
    let (st, p) =
        app.api(&leader, Method::POST, &path, Some(step("approve", 4, json!({"decision_date": "2026-11-20"})))).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision_number")), "{p}");
    let (st, p) = app
        .api(
            &leader,
            Method::POST,
            &path,
            Some(step("approve", 4, json!({"decision_number": "125/QĐ-UBND", "decision_date": "2026-11-20"}))),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!((p["status"].as_str(), p["approved_version"].as_i64()), (Some("approved"), Some(1)));
    assert_eq!(p["approved_by"], "Lãnh đạo Quảng Ngãi");
    // A stale row version is refused without writing.
    let (st, p) = app.api(&admin, Method::POST, &path, Some(step("start", 4, json!({})))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["type"], "/problems/edit-conflict");
    let (_, p) = app.api(&admin, Method::POST, &path, Some(step("start", 5, json!({})))).await;
    assert_eq!(p["status"], "in_execution");
    // Revise: a new draft; the approved version stays.
    let (_, p) = app.api(&admin, Method::POST, &path, Some(step("revise", 6, json!({})))).await;
    assert_eq!(p["status"], "draft");
    let mut sections = p["sections"].clone();
    sections[0]["html"] = json!("<p>Nghị quyết số 57-NQ/TW</p><script>alert(1)</script>");
    let (st, p) = app
        .api(&admin, Method::PUT, &format!("/api/v1/plans/{id}"), Some(json!({"row_version": 7, "title": "Kế hoạch CĐS tỉnh Quảng Ngãi năm 2026 (điều chỉnh)", "sections": sections})))
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["sections"][0]["html"], "<p>Nghị quyết số 57-NQ/TW</p>", "HTML is sanitised");
    let (_, p) = app.api(&admin, Method::POST, &path, Some(step("submit", 8, json!({})))).await;
    assert_eq!(p["status"], "submitted");
    let (_, p) = app
        .api(
            &leader,
            Method::POST,
            &path,
            Some(step("approve", 9, json!({"decision_number": "140/QĐ-UBND", "decision_date": "2026-11-21"}))),
        )
        .await;
    assert_eq!(p["approved_version"], 2);
    let (_, p) = app.api(&admin, Method::POST, &path, Some(step("start", 10, json!({})))).await;
    let (_, p) =
        app.api(&admin, Method::POST, &path, Some(step("close", p["row_version"].as_i64().unwrap(), json!({})))).await;
    assert_eq!(p["status"], "closed");

    let versions = app.get_json(&admin, &format!("/api/v1/plans/{id}/versions")).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["decision_number"], "125/QĐ-UBND");
    assert_eq!(versions[0]["tasks"].as_array().unwrap().len(), 36);
    let diff = app.get_json(&admin, &format!("/api/v1/plans/{id}/versions/2/diff")).await;
    assert_eq!(diff["sections"][0]["change"], "changed", "{diff}");
    assert!(
        diff["sections"][0]["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["tag"] == "+" && l["text"] == "Nghị quyết số 57-NQ/TW")
    );
}

#[tokio::test]
async fn tasks_refuse_bad_dates_and_tell_the_second_editor_what_changed() {
    let app = TestApp::spawn_at(start()).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let id = plan["id"].as_i64().unwrap();
    let (st, p) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/plans/{id}/tasks"),
            Some(json!({
                "title": "Số hóa hồ sơ lưu trữ", "start_date": "2026-12-10", "deadline": "2026-12-01",
            })),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("deadline")), "{p}");
    let (st, p) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/plans/{id}/tasks"),
            Some(json!({
                "title": "Số hóa hồ sơ lưu trữ", "deadline": "2026-12-01", "lead": "99.KHONGCO",
            })),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lead")), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("99.KHONGCO"));
    let (st, task) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/plans/{id}/tasks"),
            Some(json!({
                "code": "R.1", "title": "Số hóa hồ sơ lưu trữ", "start_date": "2026-11-23", "deadline": "2026-12-01",
                "lead": "51.SKHCN", "assignees": ["a.officer"], "coordinating": ["01"],
            })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{task}");
    assert_eq!(task["assignees"][0]["username"], "a.officer");
    assert_eq!(task["status"], "not_started");
    let tid = task["id"].as_i64().unwrap();
    // A subtask may not end after its parent; the parent's deadline is never stretched.
    let (st, p) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/plans/{id}/tasks"),
            Some(json!({
                "title": "Scan hồ sơ", "deadline": "2026-12-15", "parent_id": tid,
            })),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("deadline")), "{p}");

    // Two people edit the same version: the second gets 409 naming the first one's change.
    let edit = |deadline: &str, title: &str| {
        json!({"row_version": 1, "code": "R.1", "title": title, "deadline": deadline, "start_date": "2026-11-23",
               "lead": "51.SKHCN", "assignees": ["a.officer"], "coordinating": ["01"]})
    };
    let (st, first) = app
        .api(&admin, Method::PUT, &format!("/api/v1/tasks/{tid}"), Some(edit("2026-12-15", "Số hóa hồ sơ lưu trữ")))
        .await;
    assert_eq!(st, StatusCode::OK, "{first}");
    assert_eq!(first["row_version"], 2);
    let (st, second) = app
        .api(&admin, Method::PUT, &format!("/api/v1/tasks/{tid}"), Some(edit("2026-12-01", "Số hóa toàn bộ hồ sơ")))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{second}");
    assert_eq!(second["type"], "/problems/edit-conflict");
    let changes = second["changes"].to_string();
    assert!(changes.contains("Hạn hoàn thành: 01/12/2026 → 15/12/2026"), "{changes}");
    let now = app.get_json(&admin, &format!("/api/v1/tasks/{tid}")).await;
    assert_eq!(now["title"], "Số hóa hồ sơ lưu trữ", "the second edit wrote nothing");
    assert_eq!(now["deadline"], "2026-12-15");
    assert!(now["history"].as_array().unwrap().len() >= 2);

    // Progress needs a running plan.
    let (st, p) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/progress"),
            Some(json!({"row_version": 2, "progress": 10, "state": "in_progress"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
}

/// Submits, approves and starts a plan as the province admin (who holds every role in 51).
async fn run_plan(app: &TestApp, token: &str, id: i64) {
    let path = format!("/api/v1/plans/{id}/steps");
    for step in ["submit", "approve", "start"] {
        let v = app.get_json(token, &format!("/api/v1/plans/{id}")).await["row_version"].as_i64().unwrap();
        let (st, p) = app
            .api(token, Method::POST, &path, Some(json!({"step": step, "row_version": v, "decision_number": "9/QĐ-UBND", "decision_date": "2026-11-20"})))
            .await;
        assert_eq!(st, StatusCode::OK, "{step}: {p}");
    }
}

#[tokio::test]
async fn progress_evidence_and_rating_turn_a_task_done_and_the_list_filters_it() {
    let app = TestApp::spawn_at(start()).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let officer = app.token("a.officer", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let id = plan["id"].as_i64().unwrap();
    // The yearly report due 30/11/2026: not yet due on 22/11/2026.
    let tasks = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&from=2026-11-22&limit=1")).await;
    let task = &tasks["items"][0];
    assert_eq!(task["deadline"], "2026-11-30", "{tasks}");
    let tid = task["id"].as_i64().unwrap();
    let (st, t) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/assignees"),
            Some(json!({"row_version": 1, "assignees": ["a.officer"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    run_plan(&app, &admin, id).await;

    // The officer, assigned, reports progress with a file and a link.
    let (st, t) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/progress"),
            Some(json!({"row_version": 2, "state": "in_progress", "progress": 40, "note": "Đã dự thảo"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!((t["status"].as_str(), t["progress"].as_i64()), (Some("in_progress"), Some(40)));
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n% bao cao\n");
    let (st, e) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/evidence"),
            Some(json!({"name": "Dự thảo chính sách.pdf", "content_base64": pdf})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let exe = base64::engine::general_purpose::STANDARD.encode(b"MZ\x90\x00");
    let (st, p) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/evidence"),
            Some(json!({"name": "chinh-sach.pdf", "content_base64": exe})),
        )
        .await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "{p}");
    let res = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/evidence/{}", e["id"])))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(&res.bytes().await.unwrap()[..], b"%PDF-1.4\n% bao cao\n");
    let (st, _) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/evidence"),
            Some(json!({"name": "Cổng dịch vụ công", "url": "https://dichvucong.quangngai.gov.vn"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // An officer may not rate; the leader (admin holds it) rates once completed.
    let (st, t) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/progress"),
            Some(json!({"row_version": 3, "state": "completed"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        (t["status"].as_str(), t["progress"].as_i64(), t["completed_on"].as_str()),
        (Some("completed"), Some(100), Some("2026-11-22"))
    );
    let (st, _) = app
        .api(
            &officer,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/rating"),
            Some(json!({"row_version": 4, "rating": 5})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, t) = app
        .api(&admin, Method::POST, &format!("/api/v1/tasks/{tid}/rating"), Some(json!({"row_version": 4, "rating": 4})))
        .await;
    assert_eq!((st, t["rating"].as_i64()), (StatusCode::OK, Some(4)), "{t}");
    let (st, c) = app
        .api(&officer, Method::POST, &format!("/api/v1/tasks/{tid}/comments"), Some(json!({"text": "Cảm ơn anh"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");

    let detail = app.get_json(&officer, &format!("/api/v1/tasks/{tid}")).await;
    let kinds: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "updated", "progress", "evidence", "evidence", "progress", "rated", "comment"]);
    assert_eq!(detail["evidence"].as_array().unwrap().len(), 2);

    // Filters: status, assignee, deadline range, search without diacritics.
    let done = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&status=completed")).await;
    assert_eq!(done["total"], 1);
    let mine = app.get_json(&officer, "/api/v1/tasks?assignee=a.officer").await;
    assert_eq!(mine["total"], 1);
    let (st, p) = app.api(&admin, Method::GET, "/api/v1/tasks?status=xong", None).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("status")));
    let overdue = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&status=overdue")).await;
    // Every 2024 deadline of the framework is past on 22/11/2026.
    assert!(overdue["total"].as_u64().unwrap() > 0);
    let by_word = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&q=chinh%20sach")).await;
    assert!(by_word["total"].as_u64().unwrap() >= 1, "{by_word}");
    let range = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&from=01/01/2030&to=31/12/2030")).await;
    assert_eq!(range["total"], 0);
}

#[tokio::test]
async fn province_b_cannot_see_a_plan_and_the_national_authority_sees_but_cannot_edit() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    s.seed_user("dieuphoi", "Cơ quan điều phối", "VN", Role::Coordinator, "VN", PASSWORD).await.unwrap();
    let admin = app.token("a.admin", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let id = plan["id"].as_i64().unwrap();
    let tid =
        app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&limit=1")).await["items"][0]["id"].as_i64().unwrap();

    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) = app.api(&b, Method::GET, &format!("/api/v1/plans/{id}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app.api(&b, Method::GET, &format!("/api/v1/tasks/{tid}"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(app.get_json(&b, "/api/v1/plans").await["total"], 0);
    assert_eq!(app.get_json(&b, "/api/v1/tasks").await["total"], 0);
    let (st, _) = app
        .api(
            &b,
            Method::POST,
            &format!("/api/v1/plans/{id}/tasks"),
            Some(json!({"title": "x", "deadline": "2026-12-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app
        .api(
            &b,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"org": "51", "title": "x", "period": "2026", "template": "ke-hoach-cds-2024"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let national = app.token("dieuphoi", PASSWORD).await;
    assert_eq!(app.get_json(&national, &format!("/api/v1/plans/{id}")).await["id"], id);
    assert_eq!(app.get_json(&national, "/api/v1/tasks").await["total"], 36);
    let (st, _) = app
        .api(
            &national,
            Method::PUT,
            &format!("/api/v1/tasks/{tid}"),
            Some(json!({"row_version": 1, "title": "Sửa từ trung ương", "deadline": "2026-12-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = app
        .api(
            &national,
            Method::POST,
            &format!("/api/v1/tasks/{tid}/progress"),
            Some(json!({"row_version": 1, "progress": 50})),
        )
        .await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::CONFLICT, "{st}");
    let (st, _) = app
        .api(
            &national,
            Method::POST,
            &format!("/api/v1/plans/{id}/steps"),
            Some(json!({"step": "submit", "row_version": 1})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The national view counts A's adoption; a province admin may not open it.
    let fw = provincial_framework(&app, &national).await;
    let view = app.get_json(&national, &format!("/api/v1/national/{}", fw["id"])).await;
    let rows = view["rows"].as_array().unwrap_or_else(|| panic!("{view}"));
    assert_eq!(rows.len(), 36);
    assert!(rows.iter().all(|r| r["agencies"] == 1 && r["tasks"] == 1), "{view}");
    let overdue: u64 = rows.iter().map(|r| r["overdue"].as_u64().unwrap()).sum();
    assert!(overdue > 0);
    let drill = app.get_json(&national, &format!("/api/v1/national/{}?org=01", fw["id"])).await;
    assert!(drill["rows"].as_array().unwrap().iter().all(|r| r["agencies"] == 0));
    let (st, _) = app.api(&admin, Method::GET, &format!("/api/v1/national/{}", fw["id"]), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_framework_version_does_not_rewrite_plans_made_from_the_old_one() {
    let app = TestApp::spawn_at(start()).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let id = plan["id"].as_i64().unwrap();
    let before = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&sort=code&limit=200")).await;

    // The authority issues version 2 with a changed first item and a new deadline.
    let s = app.services();
    let v1 = s
        .frameworks()
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.kind == domain::frameworks::FrameworkKind::Provincial)
        .unwrap();
    let mut v2 = s.framework(v1.id).await.unwrap();
    v2.version = 2;
    v2.groups[0].items[0].title = "Ban hành chính sách dịch vụ công trực tuyến (sửa đổi 2026)".into();
    v2.groups[0].items[0].deadline =
        Some(domain::frameworks::DeadlineRule::Date { date: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() });
    assert_eq!(s.load_frameworks(&[v2.clone()]).await.unwrap(), 1);
    assert_eq!(s.load_frameworks(&[v2]).await.unwrap(), 0, "a version loads once");

    let list = app.get_json(&admin, "/api/v1/frameworks").await;
    let versions: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == v1.code)
        .map(|f| f["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![1, 2]);
    let after = app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&sort=code&limit=200")).await;
    assert_eq!(before["items"], after["items"], "the plan made from version 1 is unchanged");
    assert!(
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["title"] != "Ban hành chính sách dịch vụ công trực tuyến (sửa đổi 2026)")
    );
}

#[tokio::test]
async fn demo_data_has_plans_of_provinces_a_ministry_and_a_commune_with_tasks_in_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::test_config(dir.path());
    let clock = std::sync::Arc::new(domain::clock::ManualClock::new(start()));
    let app = dxgov::app::App::open(&config, clock, true).await.unwrap();
    let s = &app.services;
    dxgov::demo::load(s, PASSWORD).await.unwrap();
    let national = s.login("cds.dieuphoi", PASSWORD, None).await.unwrap();
    let plans = s.list_plans(&national, None, None, None, 0, 100).await.unwrap();
    let orgs: Vec<&str> = plans.items.iter().map(|p| p.org.code.as_str()).collect();
    assert!(orgs.contains(&"51") && orgs.contains(&"01") && orgs.contains(&"BTC"), "{orgs:?}");
    let commune = s
        .org_by_code(orgs.iter().find(|c| c.chars().all(|ch| ch.is_ascii_digit()) && c.len() == 5).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(commune.org_type, domain::org::OrgType::Commune);
    for status in domain::work::TaskStatus::ALL {
        let q = domain::work::TaskQuery { status: Some(status), limit: Some(1), ..Default::default() };
        let n = s.list_tasks(&national, &q).await.unwrap().total;
        assert!(n > 0, "no demo task is {}", status.label());
    }
    let leader = s.login("qngai.lanhdao", PASSWORD, None).await.unwrap();
    let week = s.published_schedule(&leader, "51.SKHCN", None, None).await.unwrap();
    assert_eq!(week.events.len(), 3, "the department's published week");
}

/// Every count of the national view equals the task list's own count for that item and status
/// (which reads the tasks themselves): the stored tally never drifts from the tasks.
async fn assert_tally_matches_the_tasks(app: &TestApp, token: &str, fw: i64, org: &str) -> Value {
    let view = app.get_json(token, &format!("/api/v1/national/{fw}?org={org}")).await;
    let statuses = ["not_started", "in_progress", "completed", "completed_late", "overdue", "paused", "cancelled"];
    for row in view["rows"].as_array().unwrap_or_else(|| panic!("{view}")) {
        for (i, status) in statuses.iter().enumerate() {
            let list = app
                .get_json(token, &format!("/api/v1/tasks?item={}&status={status}&org={org}&limit=1", row["item_id"]))
                .await;
            assert_eq!(row["by_status"][i], list["total"], "item {} status {status}: {row}", row["code"]);
        }
    }
    view
}

#[tokio::test]
async fn the_national_tally_follows_every_task_write_and_the_turn_of_the_day() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    s.seed_user("dieuphoi", "Cơ quan điều phối", "VN", Role::Coordinator, "VN", PASSWORD).await.unwrap();
    let national = app.token("dieuphoi", PASSWORD).await;
    let admin = app.token("a.admin", PASSWORD).await;
    let plan = plan_from_framework(&app, &admin).await;
    let fw = provincial_framework(&app, &admin).await["id"].as_i64().unwrap();
    let view = assert_tally_matches_the_tasks(&app, &national, fw, "VN").await;
    let rows = view["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 36);
    assert!(rows.iter().all(|r| r["agencies"] == 1 && r["tasks"].as_u64().unwrap() >= 1), "{view}");
    let overdue_before: u64 = rows.iter().map(|r| r["overdue"].as_u64().unwrap()).sum();
    assert!(overdue_before > 0, "the 2024 deadlines are past on 22/11/2026");

    // Hà Nội adopts the framework too: two agencies per item; drilling down shows one.
    let b = app.token("b.admin", PASSWORD).await;
    let templates = app.get_json(&b, "/api/v1/plan-templates").await;
    let (st, p) = app
        .api(
            &b,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"org": "01", "title": "Kế hoạch CĐS Hà Nội 2026", "period": "2026",
                "template": templates[0]["code"], "frameworks": [fw]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let view = assert_tally_matches_the_tasks(&app, &national, fw, "VN").await;
    assert!(view["rows"].as_array().unwrap().iter().all(|r| r["agencies"] == 2), "{view}");
    let hanoi = assert_tally_matches_the_tasks(&app, &national, fw, "01").await;
    assert!(hanoi["rows"].as_array().unwrap().iter().all(|r| r["agencies"] == 1), "{hanoi}");

    // Progress on the task due 30/11/2026 moves it between statuses at once.
    let id = plan["id"].as_i64().unwrap();
    let task =
        app.get_json(&admin, &format!("/api/v1/tasks?plan={id}&from=2026-11-22&limit=1")).await["items"][0].clone();
    assert_eq!(task["deadline"], "2026-11-30");
    run_plan(&app, &admin, id).await;
    let (st, t) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/tasks/{}/progress", task["id"]),
            Some(json!({"row_version": task["row_version"], "state": "in_progress", "progress": 30})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let view = assert_tally_matches_the_tasks(&app, &national, fw, "VN").await;
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["item_id"] == task["framework_item_id"]).unwrap();
    assert!(row["by_status"][1].as_u64().unwrap() >= 1, "in progress: {row}");

    // Past 30/11/2026 the task is overdue: the first read of the new day moves the tally.
    app.advance(chrono::Duration::days(10));
    let (national, admin) = (app.token("dieuphoi", PASSWORD).await, app.token("a.admin", PASSWORD).await);
    let view = assert_tally_matches_the_tasks(&app, &national, fw, "VN").await;
    let overdue_after: u64 = view["rows"].as_array().unwrap().iter().map(|r| r["overdue"].as_u64().unwrap()).sum();
    assert!(overdue_after > 2 * overdue_before, "{overdue_before} → {overdue_after}");
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["item_id"] == task["framework_item_id"]).unwrap();
    assert_eq!(row["by_status"][1], 0, "no longer in progress but overdue: {row}");

    // Completed late, after a restart: still in step.
    let app = app.restart().await;
    let version = app.get_json(&admin, &format!("/api/v1/tasks/{}", task["id"])).await["row_version"].clone();
    let (st, t) = app
        .api(
            &admin,
            Method::POST,
            &format!("/api/v1/tasks/{}/progress", task["id"]),
            Some(json!({"row_version": version, "state": "completed"})),
        )
        .await;
    assert_eq!((st, t["status"].as_str()), (StatusCode::OK, Some("completed_late")), "{t}");
    let view = assert_tally_matches_the_tasks(&app, &national, fw, "VN").await;
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["item_id"] == task["framework_item_id"]).unwrap();
    assert!(row["by_status"][3].as_u64().unwrap() >= 1, "completed late: {row}");
}

/// Every page of `path` (`limit` 5), in order.
async fn every_page(app: &TestApp, token: &str, path: &str) -> (Vec<i64>, u64) {
    let mut ids = Vec::new();
    let mut total = None;
    loop {
        let page = app.get_json(token, &format!("{path}&limit=5&offset={}", ids.len())).await;
        let items = page["items"].as_array().unwrap_or_else(|| panic!("{page}"));
        total.get_or_insert(page["total"].as_u64().unwrap());
        ids.extend(items.iter().map(|t| t["id"].as_i64().unwrap()));
        if items.len() < 5 {
            return (ids, total.unwrap_or(0));
        }
    }
}

#[tokio::test]
async fn an_officers_list_is_exactly_the_tasks_in_scope_on_every_page_in_every_order() {
    let app = TestApp::spawn_at(start()).await;
    let s = app.services();
    // A province-wide officer (scope keyed by the province) and one of a department (a range of
    // paths); both are assigned tasks elsewhere.
    s.seed_user("p.officer", "Chuyên viên cấp tỉnh", "51", Role::Officer, "51", PASSWORD).await.unwrap();
    let admin = app.token("a.admin", PASSWORD).await;
    let plan_a = plan_from_framework(&app, &admin).await["id"].as_i64().unwrap();
    let add = |token: String, plan: i64, body: Value| {
        let app = &app;
        async move {
            let (st, t) = app.api(&token, Method::POST, &format!("/api/v1/plans/{plan}/tasks"), Some(body)).await;
            assert_eq!(st, StatusCode::OK, "{t}");
            t["id"].as_i64().unwrap()
        }
    };
    let led_by_dept =
        add(admin.clone(), plan_a, json!({"title": "Sở KH&CN chủ trì", "deadline": "2026-12-03", "lead": "51.SKHCN", "assignees": ["p.officer", "a.officer"]}))
            .await;

    let b = app.token("b.admin", PASSWORD).await;
    let (st, plan_b) = app
        .api(
            &b,
            Method::POST,
            "/api/v1/plans",
            Some(json!({"org": "01", "title": "Kế hoạch Hà Nội 2026", "period": "2026",
                "template": app.get_json(&b, "/api/v1/plan-templates").await[0]["code"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{plan_b}");
    let plan_b = plan_b["id"].as_i64().unwrap();
    // Led by Hà Nội at first, then handed to the province.
    let led_by_province = add(b.clone(), plan_b, json!({"title": "Tỉnh chủ trì", "deadline": "2026-12-20"})).await;
    let (st, t) = app
        .api(
            &b,
            Method::PUT,
            &format!("/api/v1/tasks/{led_by_province}"),
            Some(json!({"row_version": 1, "title": "Tỉnh chủ trì", "deadline": "2026-12-20", "lead": "51"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let led_by_a_dept =
        add(b.clone(), plan_b, json!({"title": "Sở chủ trì", "deadline": "2027-01-10", "lead": "51.SKHCN"})).await;
    let coordinated =
        add(b.clone(), plan_b, json!({"title": "Phối hợp", "deadline": "2024-05-01", "coordinating": ["51.SKHCN"]}))
            .await;
    let assigned_p =
        add(b.clone(), plan_b, json!({"title": "Giao tỉnh", "deadline": "2026-06-30", "assignees": ["p.officer"]}))
            .await;
    let assigned_a =
        add(b.clone(), plan_b, json!({"title": "Giao sở", "deadline": "2027-03-01", "assignees": ["a.officer"]})).await;
    let _unrelated = add(b.clone(), plan_b, json!({"title": "Không liên quan", "deadline": "2023-01-01"})).await;
    // More assignments than a page holds, so that the order of a person's assignments counts.
    let mut shared = Vec::new();
    for (i, day) in ["2027-06-30", "2026-02-14", "2026-12-01", "2025-09-09", "2027-02-01", "2026-07-07", "2026-12-01"]
        .into_iter()
        .enumerate()
    {
        let body =
            json!({"title": format!("Giao cả hai {i}"), "deadline": day, "assignees": ["p.officer", "a.officer"]});
        shared.push(add(b.clone(), plan_b, body).await);
    }
    let moved = shared[0];
    // Moved to the earliest deadline after the assignment: first in both lists.
    let (st, t) = app
        .api(
            &b,
            Method::PUT,
            &format!("/api/v1/tasks/{moved}"),
            Some(json!({"row_version": 1, "title": "Giao cả hai 0", "deadline": "2020-01-02",
                "assignees": ["p.officer", "a.officer"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    // And the earliest of the others moved to the latest: last, not among the first.
    let (st, t) = app
        .api(
            &b,
            Method::PUT,
            &format!("/api/v1/tasks/{}", shared[3]),
            Some(json!({"row_version": 1, "title": "Giao cả hai 3", "deadline": "2028-01-01",
                "assignees": ["p.officer", "a.officer"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");

    // Status changes after the assignment: the lists filter by the new status.
    run_plan(&app, &b, plan_b).await;
    for (task, body) in [
        (shared[1], json!({"row_version": 1, "state": "completed", "progress": 100, "note": "Xong"})),
        (shared[2], json!({"row_version": 1, "state": "paused", "progress": 10, "note": "Tạm dừng"})),
    ] {
        let (st, t) = app.api(&b, Method::POST, &format!("/api/v1/tasks/{task}/progress"), Some(body)).await;
        assert_eq!(st, StatusCode::OK, "{t}");
    }

    let root = app.token("root.admin", PASSWORD).await;
    let all: Vec<Value> = app.get_json(&root, "/api/v1/tasks?limit=200").await["items"].as_array().unwrap().to_vec();
    let in_plan_a: Vec<i64> =
        all.iter().filter(|t| t["plan_id"] == plan_a).map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(in_plan_a.len(), 37);
    let province_scope: Vec<i64> = in_plan_a
        .iter()
        .copied()
        .chain([led_by_province, led_by_a_dept, coordinated, assigned_p])
        .chain(shared.iter().copied())
        .collect();
    let mut dept_scope = vec![led_by_dept, led_by_a_dept, coordinated, assigned_a];
    dept_scope.extend(&shared);

    // The national filter by a province: its agencies' tasks, every page.
    for query in ["sort=deadline", "sort=deadline&status=overdue"] {
        let (ids, _) = every_page(&app, &root, &format!("/api/v1/tasks?{query}")).await;
        let expected: Vec<i64> = ids.into_iter().filter(|id| in_plan_a.contains(id)).collect();
        let (got, total) = every_page(&app, &root, &format!("/api/v1/tasks?org=51&{query}")).await;
        assert!(!expected.is_empty());
        assert_eq!((got.len() as u64, &got), (total, &expected), "{query}");
    }

    let p = app.token("p.officer", PASSWORD).await;
    let a = app.token("a.officer", PASSWORD).await;
    for (token, scope) in [(&p, &province_scope), (&a, &dept_scope)] {
        for query in [
            "sort=deadline",
            "sort=deadline_desc",
            "sort=title",
            "sort=deadline&status=overdue",
            "sort=deadline_desc&status=not_started",
            "sort=deadline&status=completed_late",
            "sort=deadline&status=paused",
        ] {
            let expected: Vec<i64> = {
                let (ids, _) = every_page(&app, &root, &format!("/api/v1/tasks?{query}")).await;
                ids.into_iter().filter(|id| scope.contains(id)).collect()
            };
            assert!(!expected.is_empty(), "{query}");
            let (got, total) = every_page(&app, token, &format!("/api/v1/tasks?{query}")).await;
            assert_eq!(got, expected, "{query}");
            assert_eq!(total, expected.len() as u64, "{query}");
        }
        let (first, _) = every_page(&app, token, "/api/v1/tasks?sort=deadline").await;
        assert_eq!(first[0], moved);
    }
}
