//! The authorisation matrix: a user of province A (Quảng Ngãi, 51) — even its admin — cannot
//! read or change anything of province B (Hà Nội, 01) through any page or API route. The test
//! walks `web::route_table()`, so a route added without a case here fails it.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use web::Access;

use domain::services::work::StepInput;
use domain::work::PlanStep;

use crate::harness::{PASSWORD, TestApp};

struct Ctx {
    app: TestApp,
    /// A's admin, signed in through the login form, with the session's CSRF token.
    page: Client,
    csrf: String,
    /// A's admin's bearer token.
    token: String,
    b_officer: i64,
    b_grant: i64,
    /// A running plan of B with a task that has a file of evidence.
    b_plan: i64,
    b_task: i64,
    b_evidence: i64,
    framework: i64,
    /// A published event and a draft of B's schedule.
    b_event: i64,
    b_draft: i64,
    /// A quarterly report of B's department, sent to B.
    b_report: i64,
    /// One entry of each of B's registries.
    b_registries: crate::registries::BEntries,
    /// A citizen's feedback about a ward of B: (id, tracking code).
    b_feedback: (i64, String),
    /// B's draft bulletin, published bulletin and station.
    b_bulletins: (i64, i64, i64),
}

impl Ctx {
    async fn page(&self, method: Method, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let mut fields: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        let req = self.page.request(method.clone(), self.app.url(path));
        let req = if method == Method::GET { req } else { req.form(&fields) };
        let res = req.send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    async fn api(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, String) {
        let mut req = Client::new().request(method, self.app.url(path)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn denied(status: StatusCode) -> bool {
    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND
}

/// B's people and activity must not show in what A's admin sees.
fn no_trace_of_b(body: &str) -> bool {
    !body.contains("b.officer") && !body.contains("b.admin") && !body.contains("Chuyên viên Hà Nội")
}

#[tokio::test]
async fn province_a_cannot_read_or_change_anything_of_province_b() {
    let app = TestApp::spawn().await;
    let s = app.services();
    // Activity in B, so that B has users, grants and audit entries to leak.
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let (b_new, _) = s
        .create_user(
            &b_admin,
            &domain::services::NewUserInput {
                username: "b.moi".into(),
                full_name: "Người mới Hà Nội".into(),
                org_code: "01.SKHCN".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let b_officer = s.login("b.officer", PASSWORD, None).await.unwrap();
    let b_grant = s.grant_role(&b_admin, b_new.id, domain::auth::Role::Officer, "01.SKHCN").await.unwrap();
    let b_before = s.get_user(&b_admin, b_officer.user.id).await.unwrap();
    let b_unit_before = s.org_by_code("01.SKHCN", None).await.unwrap();
    let framework = s.frameworks().await.unwrap()[0].id;
    let b_plan = s
        .create_plan(
            &b_admin,
            &domain::services::work::NewPlanInput {
                org: "01".into(),
                title: "Kế hoạch bí mật của Hà Nội".into(),
                period: "2026".into(),
                template: s.templates()[0].code.clone(),
                frameworks: vec![framework],
                items: vec![],
            },
        )
        .await
        .unwrap();
    for step in [PlanStep::Submit, PlanStep::Approve, PlanStep::Start] {
        let v = s.plan(&b_admin, b_plan.id).await.unwrap().row_version;
        let input = StepInput {
            step,
            row_version: v,
            decision_number: Some("1/QĐ-UBND".into()),
            decision_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
            note: None,
        };
        s.plan_step(&b_admin, b_plan.id, &input).await.unwrap();
    }
    let b_tasks = s
        .list_tasks(&b_admin, &domain::work::TaskQuery { plan_id: Some(b_plan.id), ..Default::default() })
        .await
        .unwrap();
    let b_task = b_tasks.items[0].clone();
    let b_evidence = s.add_evidence(&b_admin, b_task.id, Some(("bi-mat.pdf", b"%PDF-1.4 bi mat")), None).await.unwrap();
    let (b_event, b_draft) = crate::schedules::b_schedule(s).await;
    let round = domain::services::reporting::OpenRoundInput {
        template: "BC_TIEN_DO_QUY".into(),
        period: "2026Q4".into(),
        receiver: "01".into(),
        org_types: vec![domain::org::OrgType::Internal],
        due_on: None,
    };
    s.open_report_round(&b_admin, &round).await.unwrap();
    let b_reports = s.list_reports(&b_admin, &Default::default()).await.unwrap();
    let b_report = b_reports.items[0].id;
    let b_registries = crate::registries::b_registries(s).await;
    let b_feedback = crate::feedback::b_feedback(&app).await;
    let b_bulletins = crate::bulletins::b_bulletins(&app).await;

    let (page, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let token = app.token("a.admin", PASSWORD).await;
    let ctx = Ctx {
        page,
        csrf,
        token,
        b_officer: b_officer.user.id,
        b_grant: b_grant.id,
        b_plan: b_plan.id,
        b_task: b_task.id,
        b_evidence: b_evidence.id,
        framework,
        b_event,
        b_draft,
        b_registries,
        b_feedback,
        b_bulletins,
        app,
        b_report,
    };
    let plan_b = |suffix: &str| format!("/api/v1/plans/{}{suffix}", ctx.b_plan);
    let task_b = |suffix: &str| format!("/api/v1/tasks/{}{suffix}", ctx.b_task);
    let b_user = format!("/users/{}", ctx.b_officer);
    let b_grant_path = format!("/grants/{}/revoke", ctx.b_grant);
    let api_b_user = format!("/api/v1/users/{}", ctx.b_officer);

    let mut checked = 0;
    for def in web::route_table() {
        let key = format!("{} {}", def.method, def.path);
        if crate::registries::a_cannot_reach_b(&ctx.app, &ctx.page, &ctx.csrf, &ctx.token, &def, &ctx.b_registries)
            .await
        {
            checked += 1;
            continue;
        }
        if crate::feedback::a_cannot_reach_b(&ctx.app, &ctx.page, &ctx.csrf, &ctx.token, &def, &ctx.b_feedback).await {
            checked += 1;
            continue;
        }
        if crate::bulletins::a_cannot_reach_b(&ctx.app, &ctx.page, &ctx.csrf, &ctx.token, &def, ctx.b_bulletins).await {
            checked += 1;
            continue;
        }
        use Method as M;
        match key.as_str() {
            // Public: no data of any org unit.
            "GET /healthz"
            | "GET /readyz"
            | "GET /metrics"
            | "GET /static/app.css"
            | "GET /api/v1/openapi.json"
            | "GET /login"
            | "POST /login"
            | "POST /api/v1/auth/token" => assert_eq!(def.access, Access::Public, "{key}"),
            // A personal calendar feed: the secret in the path is the credential.
            "GET /api/v1/calendar/{file}" => {
                assert_eq!(def.access, Access::Public, "{key}");
                assert!(def.limit.is_some(), "{key} must be rate limited");
                let (st, _) = ctx.api(M::GET, "/api/v1/calendar/khong-dung.ics", None).await;
                assert_eq!(st, StatusCode::NOT_FOUND);
            }
            // The national working-day calendar and reminder rules: read by all, changed by system admins.
            "GET /settings/calendar" | "GET /api/v1/calendar-days" | "GET /api/v1/settings/reminder-rules" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, def.path, None).await
                } else {
                    ctx.page(M::GET, def.path, &[]).await
                };
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(!body.contains("Lưu quy tắc"), "{key} offers a province admin the national settings");
            }
            "POST /settings/calendar" => {
                let (st, _) = ctx
                    .page(M::POST, def.path, &[("date", "24/12/2026"), ("kind", "day_off"), ("name", "Nghỉ riêng")])
                    .await;
                assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st}");
            }
            "POST /settings/calendar/delete" => {
                let (st, _) = ctx.page(M::POST, def.path, &[("date", "17/02/2026")]).await;
                assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st}");
            }
            "POST /settings/reminders" => {
                let (st, _) = ctx.page(M::POST, def.path, &[("before", "1"), ("escalate_after", "1")]).await;
                assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st}");
            }
            "PUT /api/v1/calendar-days/{date}" => {
                let (st, _) = ctx
                    .api(
                        M::PUT,
                        "/api/v1/calendar-days/2026-12-24",
                        Some(json!({"kind": "day_off", "name": "Nghỉ riêng"})),
                    )
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "DELETE /api/v1/calendar-days/{date}" => {
                let (st, _) = ctx.api(M::DELETE, "/api/v1/calendar-days/2026-02-17", None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PUT /api/v1/settings/reminder-rules" => {
                let body = json!({"before": [1], "overdue_daily": false, "escalate_after": 1});
                let (st, _) = ctx.api(M::PUT, def.path, Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            // The caller's own account: nothing of another unit is reachable through them.
            "POST /logout"
            | "GET /account"
            | "GET /account/password"
            | "POST /account/password"
            | "GET /api/v1/me"
            | "POST /api/v1/me/password"
            | "GET /account/totp"
            | "POST /account/totp"
            | "POST /account/totp/disable"
            | "GET /api/v1/me/totp/secret"
            | "POST /api/v1/me/totp"
            | "DELETE /api/v1/me/totp"
            | "GET /notifications"
            | "POST /notifications/read"
            | "GET /api/v1/notifications"
            | "POST /api/v1/notifications/read"
            | "POST /account/calendar-feed"
            | "POST /api/v1/me/calendar-feed" => {
                assert_ne!(def.access, Access::Public, "{key}");
                assert_ne!(def.access, Access::Scoped, "{key} takes no unit");
            }
            // The org directory (names, codes, structure of official and internal units) is shared
            // reference data every official reads; what lives in a unit is scoped (cases below).
            "GET /orgs" | "GET /api/v1/org-units" | "GET /api/v1/org-units/{code}" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, &def.path.replace("{code}", "01.SKHCN"), None).await
                } else {
                    ctx.page(M::GET, "/orgs?q=ha%20noi", &[]).await
                };
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(no_trace_of_b(&body), "{key} shows B's people");
            }
            "GET /" => {
                let (st, body) = ctx.page(M::GET, "/", &[]).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body), "dashboard shows B's activity");
            }
            "GET /api/v1/dashboard" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/dashboard", None).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body), "dashboard API shows B's activity");
            }
            // Dashboards: B's unit (or the country) is refused; A's own shows nothing of B.
            "GET /dashboard" | "GET /api/v1/dashboards" => {
                let (ctx, api) = (&ctx, def.path.starts_with("/api"));
                let call = |path: String| async move {
                    if api { ctx.api(M::GET, &path, None).await } else { ctx.page(M::GET, &path, &[]).await }
                };
                for org in ["01", "01.SKHCN", "VN"] {
                    let (st, body) = call(format!("{}?org={org}&year=2026", def.path)).await;
                    assert!(denied(st), "{key} of {org}: {st}");
                    assert!(!body.contains("Hà Nội"), "{key} of {org} shows B");
                }
                let (st, body) = call(format!("{}?year=2026", def.path)).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(body.contains("Quảng Ngãi") && !body.contains("Hà Nội"), "{key} shows B: {body}");
            }
            "GET /orgs/{code}" => {
                let (st, body) = ctx.page(M::GET, "/orgs/01.SKHCN", &[]).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body), "B's unit page lists B's users to A");
                assert!(
                    !body.contains("Thêm đơn vị nội bộ") && !body.contains("Đổi tên"),
                    "B's unit offers A management forms"
                );
            }
            "POST /orgs/{code}/units" => {
                let (st, _) =
                    ctx.page(M::POST, "/orgs/01.SKHCN/units", &[("code", "01.X"), ("name", "Phòng lạ")]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/org-units/{code}/units" => {
                let (st, _) = ctx
                    .api(M::POST, "/api/v1/org-units/01.SKHCN/units", Some(json!({"code": "01.Y", "name": "Phòng lạ"})))
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /orgs/{code}/rename" => {
                let (st, _) = ctx.page(M::POST, "/orgs/01.SKHCN/rename", &[("name", "Đổi tên trái phép")]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PATCH /api/v1/org-units/{code}" => {
                let (st, _) =
                    ctx.api(M::PATCH, "/api/v1/org-units/01.SKHCN", Some(json!({"name": "Đổi tên trái phép"}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /users" => {
                let (st, body) = ctx.page(M::GET, "/users", &[]).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body) && !body.contains("b.moi"), "users page lists B's users");
            }
            "GET /api/v1/users" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/users?org=01", None).await;
                assert_eq!(st, StatusCode::OK);
                let v: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(v["total"], 0, "users API lists B's users: {body}");
                let (_, all) = ctx.api(M::GET, "/api/v1/users", None).await;
                assert!(no_trace_of_b(&all) && !all.contains("b.moi"));
            }
            "GET /users/new" => {
                let (st, body) = ctx.page(M::GET, "/users/new", &[]).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body));
            }
            "POST /users" => {
                let (st, _) = ctx
                    .page(
                        M::POST,
                        "/users",
                        &[("username", "lan.sang"), ("full_name", "Lấn Sang"), ("org_code", "01.SKHCN"), ("role", "")],
                    )
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/users" => {
                let (st, _) = ctx
                    .api(
                        M::POST,
                        "/api/v1/users",
                        Some(json!({"username": "lan.sang2", "full_name": "Lấn Sang", "org_code": "01"})),
                    )
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /users/{id}" => {
                let (st, body) = ctx.page(M::GET, &b_user, &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(no_trace_of_b(&body));
            }
            "GET /api/v1/users/{id}" => {
                let (st, body) = ctx.api(M::GET, &api_b_user, None).await;
                assert!(denied(st), "{key}: {st}");
                assert!(no_trace_of_b(&body));
            }
            "POST /users/{id}/grants" => {
                let (st, _) =
                    ctx.page(M::POST, &format!("{b_user}/grants"), &[("role", "admin"), ("org_code", "01")]).await;
                assert!(denied(st), "{key}: {st}");
                // Nor may A grant its own people a role in B.
                let a_officer = ctx.app.services().org_by_code("51.SKHCN", None).await.unwrap();
                let _ = a_officer;
            }
            "POST /api/v1/users/{id}/grants" => {
                let (st, _) = ctx
                    .api(M::POST, &format!("{api_b_user}/grants"), Some(json!({"role": "admin", "org_code": "01"})))
                    .await;
                assert!(denied(st), "{key}: {st}");
                let a_officer = ctx.app.services().login("a.officer", PASSWORD, None).await.unwrap();
                let (st, _) = ctx
                    .api(
                        M::POST,
                        &format!("/api/v1/users/{}/grants", a_officer.user.id),
                        Some(json!({"role": "admin", "org_code": "01"})),
                    )
                    .await;
                assert!(denied(st), "A grants a role in B: {st}");
            }
            "POST /users/{id}/reset-password" => {
                let (st, body) = ctx.page(M::POST, &format!("{b_user}/reset-password"), &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("initial-password"));
            }
            "POST /api/v1/users/{id}/reset-password" => {
                let (st, _) = ctx.api(M::POST, &format!("{api_b_user}/reset-password"), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /grants/{id}/revoke" => {
                let (st, _) = ctx.page(M::POST, &b_grant_path, &[]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "DELETE /api/v1/grants/{id}" => {
                let (st, _) = ctx.api(M::DELETE, &format!("/api/v1/grants/{}", ctx.b_grant), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /audit" => {
                let (st, body) = ctx.page(M::GET, "/audit", &[]).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body), "audit page shows B's entries");
            }
            "GET /api/v1/audit" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/audit?limit=500", None).await;
                assert_eq!(st, StatusCode::OK);
                assert!(no_trace_of_b(&body), "audit API shows B's entries");
            }
            // Frameworks and templates are the programme's public texts.
            "GET /api/v1/frameworks" | "GET /api/v1/frameworks/{id}" | "GET /api/v1/plan-templates" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let path = def.path.replace("{id}", &ctx.framework.to_string());
                let (st, _) = ctx.api(M::GET, &path, None).await;
                assert_eq!(st, StatusCode::OK, "{key}");
            }
            "GET /api/v1/plans" | "GET /api/v1/tasks" => {
                let (st, body) = ctx.api(M::GET, &format!("{}?limit=200", def.path), None).await;
                assert_eq!(st, StatusCode::OK);
                assert!(
                    !body.contains("bí mật của Hà Nội") && !body.contains("\"code\":\"01\""),
                    "{key} lists B's work"
                );
            }
            "POST /api/v1/plans" => {
                let body = json!({"org": "01", "title": "Lấn sang", "period": "2026", "template": "x"});
                let (st, _) = ctx.api(M::POST, "/api/v1/plans", Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/plans/{id}"
            | "GET /api/v1/plans/{id}/versions"
            | "GET /api/v1/plans/{id}/versions/{number}/diff" => {
                let path = def.path.replace("{id}", &ctx.b_plan.to_string()).replace("{number}", "1");
                let (st, _) = ctx.api(M::GET, &path, None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PUT /api/v1/plans/{id}" => {
                let (st, _) =
                    ctx.api(M::PUT, &plan_b(""), Some(json!({"row_version": 4, "title": "x", "sections": []}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/plans/{id}/steps" => {
                let (st, _) =
                    ctx.api(M::POST, &plan_b("/steps"), Some(json!({"step": "close", "row_version": 4}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/plans/{id}/tasks" => {
                let (st, _) =
                    ctx.api(M::POST, &plan_b("/tasks"), Some(json!({"title": "x", "deadline": "2026-12-01"}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/tasks/{id}" => {
                let (st, _) = ctx.api(M::GET, &task_b(""), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PUT /api/v1/tasks/{id}" => {
                let body = json!({"row_version": 1, "title": "x", "deadline": "2026-12-01"});
                let (st, _) = ctx.api(M::PUT, &task_b(""), Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/tasks/{id}/assignees" => {
                let (st, _) = ctx
                    .api(M::POST, &task_b("/assignees"), Some(json!({"row_version": 1, "assignees": ["a.officer"]})))
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/tasks/{id}/progress" => {
                let (st, _) =
                    ctx.api(M::POST, &task_b("/progress"), Some(json!({"row_version": 1, "progress": 90}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/tasks/{id}/rating" => {
                let (st, _) = ctx.api(M::POST, &task_b("/rating"), Some(json!({"row_version": 1, "rating": 1}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/tasks/{id}/comments" => {
                let (st, _) = ctx.api(M::POST, &task_b("/comments"), Some(json!({"text": "Lấn sang"}))).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/tasks/{id}/evidence" => {
                let (st, _) = ctx
                    .api(M::POST, &task_b("/evidence"), Some(json!({"name": "x", "url": "https://example.org"})))
                    .await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/evidence/{id}" => {
                let (st, _) = ctx.api(M::GET, &format!("/api/v1/evidence/{}", ctx.b_evidence), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/indicators" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, _) = ctx.api(M::GET, "/api/v1/indicators", None).await;
                assert_eq!(st, StatusCode::OK, "{key}");
            }
            "GET /api/v1/indicators/{code}/rollup" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/indicators/CHI_CNTT/rollup?period=2026&org=01", None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "GET /api/v1/data-quality" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/data-quality?org=01&period=2026", None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "GET /api/v1/dataValueSets" => {
                let (st, body) =
                    ctx.api(M::GET, "/api/v1/dataValueSets?period=2026&orgUnit=01&children=true", None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "POST /api/v1/dataValueSets" => {
                // Figures for B's province: a conflict naming the unit, and nothing written.
                let set = json!({"dataValues": [{"dataElement": "CHI_CNTT", "period": "2026", "orgUnit": "01", "value": "100"}]});
                let (st, body) = ctx.api(M::POST, "/api/v1/dataValueSets", Some(set)).await;
                assert_eq!(st, StatusCode::CONFLICT, "{key}: {body}");
                assert!(body.contains("không có quyền"), "{body}");
            }
            // Indicator pages: the definitions are shared; B's figures, grid, targets and
            // data quality are neither readable nor writable by A.
            "GET /indicators" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, _) = ctx.page(M::GET, def.path, &[]).await;
                assert_eq!(st, StatusCode::OK, "{key}");
            }
            "GET /indicators/entry" | "GET /indicators/targets" | "GET /indicators/{code}" | "GET /data-quality" => {
                let path = def.path.replace("{code}", "CHI_CNTT");
                let (st, body) = ctx.page(M::GET, &format!("{path}?org=01&period=2026&indicator=CHI_CNTT"), &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("name=\"value.") && !body.contains("name=\"target\""), "{key}");
            }
            "POST /indicators/entry" => {
                let form = [("org", "01"), ("period", "2026"), ("value.CHI_CNTT", "100")];
                let (st, _) = ctx.page(M::POST, def.path, &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /indicators/targets" => {
                let form = [
                    ("indicator", "CHI_CNTT"),
                    ("org", "01"),
                    ("period", "2026"),
                    ("unit", "01"),
                    ("target", "1"),
                    ("note", ""),
                ];
                let (st, _) = ctx.page(M::POST, def.path, &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/data-entry" | "GET /api/v1/indicators/{code}/targets" => {
                let path = def.path.replace("{code}", "CHI_CNTT");
                let (st, body) = ctx.api(M::GET, &format!("{path}?org=01&period=2026"), None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "POST /api/v1/data-entry" => {
                let body = json!({"org": "01", "period": "2026", "values": [{"indicator": "CHI_CNTT", "value": "1"}]});
                let (st, body) = ctx.api(M::POST, def.path, Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "PUT /api/v1/indicators/{code}/targets" => {
                let body = json!({"targets": [{"org": "01", "period": "2026", "value": 1}]});
                let (st, body) = ctx.api(M::PUT, "/api/v1/indicators/CHI_CNTT/targets", Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            // Report pages: B's reports, rounds, completeness and synthesis stay B's.
            "GET /reports" => {
                let (st, body) = ctx.page(M::GET, "/reports", &[]).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(!body.contains("Sở Khoa học và Công nghệ thành phố Hà Nội"), "{key} lists B's reports");
            }
            "GET /reports/templates" => {
                // Templates are shared reference data; only national administrators get the form.
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, body) = ctx.page(M::GET, def.path, &[]).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(!body.contains("name=\"sections\""), "{key} offers a province the template form");
            }
            "POST /reports/templates" => {
                let form = [
                    ("code", "BC_LAN"),
                    ("name", "Lấn sang"),
                    ("period_type", "yearly"),
                    ("due_rule", "days_after_end"),
                    ("due_days", "5"),
                    ("sections", "a | A | 1 | narrative"),
                ];
                let (st, _) = ctx.page(M::POST, def.path, &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /reports/rounds" => {
                let form = [("template", "BC_TIEN_DO_QUY"), ("period", "2027Q1"), ("receiver", "01")];
                let (st, _) = ctx.page(M::POST, def.path, &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /reports/{id}" | "GET /reports/{id}/file/{format}" => {
                let path = def.path.replace("{id}", &ctx.b_report.to_string()).replace("{format}", "pdf");
                let (st, _) = ctx.page(M::GET, &path, &[]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /reports/{id}" => {
                let form = [("row_version", "1"), ("number_symbol", "1/BC-LAN"), ("then", "save")];
                let (st, _) = ctx.page(M::POST, &format!("/reports/{}", ctx.b_report), &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /reports/{id}/steps" => {
                let form = [("row_version", "1"), ("step", "submit")];
                let (st, _) = ctx.page(M::POST, &format!("/reports/{}/steps", ctx.b_report), &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /reports/completeness" | "GET /reports/synthesis" | "GET /reports/synthesis/file/{format}" => {
                let path =
                    format!("{}?template=BC_TIEN_DO_QUY&period=2026Q4&org=01", def.path.replace("{format}", "docx"));
                let (st, body) = ctx.page(M::GET, &path, &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("Sở Khoa học và Công nghệ thành phố Hà Nội"), "{key}");
            }
            "GET /api/v1/report-templates" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, _) = ctx.api(M::GET, def.path, None).await;
                assert_eq!(st, StatusCode::OK, "{key}");
            }
            "POST /api/v1/report-templates" => {
                // Templates are shared by every agency: a province's admin may not change them.
                let body = json!({"code": "BC_LAN", "name": "Lấn sang", "period_type": "yearly",
                    "due": {"rule": "days_after_end", "days": 5},
                    "sections": [{"key": "a", "heading": "A", "level": 1, "kind": "narrative"}]});
                let (st, body) = ctx.api(M::POST, def.path, Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "POST /api/v1/report-rounds" => {
                let body = json!({"template": "BC_TIEN_DO_QUY", "period": "2027Q1", "receiver": "01"});
                let (st, body) = ctx.api(M::POST, def.path, Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "GET /api/v1/reports" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/reports?limit=200", None).await;
                assert_eq!(st, StatusCode::OK);
                assert!(!body.contains("01.SKHCN"), "{key} lists B's reports: {body}");
            }
            "GET /api/v1/reports/{id}" | "GET /api/v1/reports/{id}/file/{format}" => {
                let path = def.path.replace("{id}", &ctx.b_report.to_string()).replace("{format}", "docx");
                let (st, body) = ctx.api(M::GET, &path, None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "PUT /api/v1/reports/{id}" => {
                let body = json!({"row_version": 1, "content": {"number_symbol": "1/BC-LAN"}});
                let (st, body) = ctx.api(M::PUT, &format!("/api/v1/reports/{}", ctx.b_report), Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "POST /api/v1/reports/{id}/steps" => {
                let body = json!({"step": "submit", "row_version": 1});
                let (st, body) = ctx.api(M::POST, &format!("/api/v1/reports/{}/steps", ctx.b_report), Some(body)).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "GET /api/v1/report-synthesis"
            | "GET /api/v1/report-synthesis/file/{format}"
            | "GET /api/v1/report-completeness" => {
                let path =
                    format!("{}?template=BC_TIEN_DO_QUY&period=2026Q4&org=01", def.path.replace("{format}", "pdf"));
                let (st, body) = ctx.api(M::GET, &path, None).await;
                assert!(denied(st), "{key}: {st} {body}");
            }
            "GET /api/v1/national/{framework_id}" => {
                // A province's admin is not the national authority.
                let (st, _) = ctx.api(M::GET, &format!("/api/v1/national/{}", ctx.framework), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            // Work schedules: B's events (published or not) are neither readable nor changeable by A.
            "GET /schedules" | "GET /api/v1/schedules" => {
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, "/api/v1/schedules?org=01.SKHCN&from=2026-11-23", None).await
                } else {
                    ctx.page(M::GET, "/schedules?org=01.SKHCN&week=2026-11-23", &[]).await
                };
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("bí mật của Hà Nội"), "{key} shows B's schedule");
                let own = def.path.replace("/schedules", "/schedules?week=2026-11-23&from=2026-11-23");
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, &own, None).await
                } else {
                    ctx.page(M::GET, &own, &[]).await
                };
                assert_eq!(st, StatusCode::OK, "{key}: {body}");
                assert!(!body.contains("bí mật của Hà Nội"), "{key} shows B's events in A's schedule");
            }
            "GET /schedules/events/new" => {
                let (st, _) = ctx.page(M::GET, "/schedules/events/new?org=01.SKHCN", &[]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /schedules/events" => {
                let form = [
                    ("org", "01.SKHCN"),
                    ("date", "24/11/2026"),
                    ("start", "08:00"),
                    ("end", "09:00"),
                    ("title", "Lấn sang"),
                ];
                let (st, _) = ctx.page(M::POST, "/schedules/events", &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/schedules" => {
                let body = json!({"org": "01.SKHCN", "title": "Lấn sang",
                    "starts_at": "2026-11-24T08:00:00+07:00", "ends_at": "2026-11-24T09:00:00+07:00"});
                let (st, _) = ctx.api(M::POST, "/api/v1/schedules", Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /schedules/events/{id}/edit" | "GET /api/v1/schedules/events/{id}" => {
                for id in [ctx.b_event, ctx.b_draft] {
                    let path = def.path.replace("{id}", &id.to_string());
                    let (st, body) = if def.path.starts_with("/api") {
                        ctx.api(M::GET, &path, None).await
                    } else {
                        ctx.page(M::GET, &path, &[]).await
                    };
                    assert!(denied(st), "{key}: {st}");
                    assert!(!body.contains("bí mật của Hà Nội"), "{key} shows B's event");
                }
            }
            "POST /schedules/events/{id}" => {
                let form = [
                    ("date", "24/11/2026"),
                    ("start", "08:00"),
                    ("end", "09:00"),
                    ("title", "Lấn sang"),
                    ("row_version", "1"),
                ];
                let (st, _) = ctx.page(M::POST, &format!("/schedules/events/{}", ctx.b_event), &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PUT /api/v1/schedules/events/{id}" => {
                let body = json!({"row_version": 1, "title": "Lấn sang",
                    "starts_at": "2026-11-24T08:00:00+07:00", "ends_at": "2026-11-24T09:00:00+07:00"});
                let (st, _) = ctx.api(M::PUT, &format!("/api/v1/schedules/events/{}", ctx.b_event), Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /schedules/events/{id}/delete" => {
                let (st, _) = ctx.page(M::POST, &format!("/schedules/events/{}/delete", ctx.b_event), &[]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "DELETE /api/v1/schedules/events/{id}" => {
                let (st, _) = ctx.api(M::DELETE, &format!("/api/v1/schedules/events/{}", ctx.b_draft), None).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /schedules/{code}/publish" => {
                let (st, _) = ctx.page(M::POST, "/schedules/01.SKHCN/publish", &[("week", "30/11/2026")]).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /api/v1/schedules/{code}/publish" => {
                let body = json!({"week_start": "2026-11-30"});
                let (st, _) = ctx.api(M::POST, "/api/v1/schedules/01.SKHCN/publish", Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /api/v1/schedules/{code}" => {
                let (st, body) = ctx.api(M::GET, "/api/v1/schedules/01.SKHCN.ics?from=2026-11-23", None).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("bí mật của Hà Nội"), "{key} exports B's schedule");
            }
            // KPI: A's admin reads A's people and units only; the weights are national settings.
            "GET /kpi" | "GET /api/v1/kpi" | "GET /api/v1/kpi/export.xlsx" => {
                let own = |org: &str| format!("{}?org={org}&period=2026", def.path);
                let (st, _) = if def.path == "/kpi" {
                    ctx.page(M::GET, &own("01"), &[]).await
                } else {
                    ctx.api(M::GET, &own("01"), None).await
                };
                assert!(denied(st), "{key}: {st}");
                if def.path != "/api/v1/kpi/export.xlsx" {
                    let (st, body) = if def.path == "/kpi" {
                        ctx.page(M::GET, "/kpi?period=2026", &[]).await
                    } else {
                        ctx.api(M::GET, "/api/v1/kpi?period=2026", None).await
                    };
                    assert_eq!(st, StatusCode::OK, "{key}");
                    assert!(no_trace_of_b(&body), "{key} shows B's people");
                }
            }
            "GET /kpi/people/{id}" | "GET /api/v1/kpi/people/{id}" => {
                let path = def.path.replace("{id}", &ctx.b_officer.to_string());
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, &path, None).await
                } else {
                    ctx.page(M::GET, &path, &[]).await
                };
                assert!(denied(st), "{key}: {st}");
                assert!(no_trace_of_b(&body));
            }
            "GET /settings/kpi" | "GET /api/v1/settings/kpi-weights" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, body) = if def.path.starts_with("/api") {
                    ctx.api(M::GET, def.path, None).await
                } else {
                    ctx.page(M::GET, def.path, &[]).await
                };
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(!body.contains("Lưu trọng số"), "{key} offers a province admin the national weights");
            }
            "POST /settings/kpi" => {
                let form = [("completion", "100"), ("on_time", "0"), ("quality", "0"), ("no_overdue", "0")];
                let (st, _) = ctx.page(M::POST, def.path, &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "PUT /api/v1/settings/kpi-weights" => {
                let body = json!({"completion": 100, "on_time": 0, "quality": 0, "no_overdue": 0});
                let (st, _) = ctx.api(M::PUT, def.path, Some(body)).await;
                assert!(denied(st), "{key}: {st}");
            }
            // Framework pages are the programme's public texts, like their API.
            "GET /frameworks" | "GET /frameworks/{id}" => {
                assert_eq!(def.access, Access::SignedIn, "{key}");
                let (st, _) = ctx.page(M::GET, &def.path.replace("{id}", &ctx.framework.to_string()), &[]).await;
                assert_eq!(st, StatusCode::OK, "{key}");
            }
            // A province's admin is not the national authority.
            "GET /national" | "GET /national/{framework_id}" => {
                let path = def.path.replace("{framework_id}", &ctx.framework.to_string());
                let (st, body) = ctx.page(M::GET, &format!("{path}?org=01"), &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("Thành phố Hà Nội"), "{key}");
            }
            // Lists and forms of A show nothing of B.
            "GET /plans" | "GET /plans/new" | "GET /tasks" | "GET /tasks/timeline" => {
                let (st, body) = ctx.page(M::GET, def.path, &[]).await;
                assert_eq!(st, StatusCode::OK, "{key}");
                assert!(!body.contains("bí mật của Hà Nội") && no_trace_of_b(&body), "{key} shows B's work");
                let (st, body) = ctx.page(M::GET, &format!("{}?org=01&plan={}", def.path, ctx.b_plan), &[]).await;
                assert!(st == StatusCode::OK || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st}");
                assert!(!body.contains("bí mật của Hà Nội"), "{key} filtered to B shows B's work");
            }
            "GET /api/v1/tasks/export.xlsx" | "GET /api/v1/tasks/export.csv" => {
                let res = ctx
                    .page
                    .get(ctx.app.url(&format!("{}?org=01", def.path)))
                    .bearer_auth(&ctx.token)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{key}");
                let bytes = res.bytes().await.unwrap();
                let table = if key.ends_with("xlsx") {
                    reports::read_xlsx(&bytes).unwrap()
                } else {
                    reports::read_csv(&bytes).unwrap()
                };
                assert!(table.rows.is_empty(), "{key} exports B's tasks");
            }
            "POST /plans" => {
                let form = [("org", "01"), ("title", "Lấn sang"), ("period", "2026"), ("template", "x")];
                let (st, _) = ctx.page(M::POST, "/plans", &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "GET /plans/{id}"
            | "GET /plans/{id}/edit"
            | "GET /plans/{id}/versions/{number}"
            | "GET /plans/{id}/import"
            | "GET /plans/{id}/tasks/new"
            | "GET /tasks/{id}"
            | "GET /tasks/{id}/edit"
            | "GET /tasks/{id}/evidence/{eid}" => {
                let id = if def.path.starts_with("/plans") { ctx.b_plan } else { ctx.b_task };
                let path = def
                    .path
                    .replace("{id}", &id.to_string())
                    .replace("{number}", "1")
                    .replace("{eid}", &ctx.b_evidence.to_string());
                let (st, body) = ctx.page(M::GET, &path, &[]).await;
                assert!(denied(st), "{key}: {st}");
                assert!(!body.contains("bí mật") && !body.contains("%PDF"), "{key} shows B's work");
            }
            "POST /plans/{id}/edit" | "POST /plans/{id}/steps" | "POST /plans/{id}/tasks" => {
                let form = [
                    ("row_version", "4"),
                    ("step", "close"),
                    ("title", "Lấn sang"),
                    ("deadline", "2026-12-01"),
                    ("section_title", "I"),
                    ("section_html", "x"),
                ];
                let (st, _) = ctx.page(M::POST, &def.path.replace("{id}", &ctx.b_plan.to_string()), &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /tasks/{id}/edit"
            | "POST /tasks/{id}/progress"
            | "POST /tasks/{id}/comments"
            | "POST /tasks/{id}/assignees"
            | "POST /tasks/{id}/rating" => {
                let form = [
                    ("row_version", "1"),
                    ("title", "Lấn sang"),
                    ("deadline", "2026-12-01"),
                    ("state", "completed"),
                    ("progress", "100"),
                    ("text", "Lấn sang"),
                    ("assignees", "a.officer"),
                    ("rating", "1"),
                ];
                let (st, _) = ctx.page(M::POST, &def.path.replace("{id}", &ctx.b_task.to_string()), &form).await;
                assert!(denied(st), "{key}: {st}");
            }
            "POST /plans/{id}/import" | "POST /tasks/{id}/evidence" => {
                let id = if def.path.starts_with("/plans") { ctx.b_plan } else { ctx.b_task };
                let file = ("file", "lan-sang.csv", "Tên nhiệm vụ,Hạn hoàn thành\nLấn sang,31/12/2026\n".as_bytes());
                let form = crate::plan_pages::multipart(&ctx.csrf, &[], Some(file));
                let res = crate::plan_pages::post_multipart(
                    &ctx.app,
                    &ctx.page,
                    &def.path.replace("{id}", &id.to_string()),
                    form,
                )
                .await;
                assert!(denied(res.status()), "{key}: {}", res.status());
            }
            "POST /api/v1/plans/{id}/tasks/import" => {
                let res = Client::new()
                    .post(ctx.app.url(&plan_b("/tasks/import")))
                    .bearer_auth(&ctx.token)
                    .header("content-type", "text/csv")
                    .body("Tên nhiệm vụ,Hạn hoàn thành\nLấn sang,31/12/2026\n")
                    .send()
                    .await
                    .unwrap();
                assert!(denied(res.status()), "{key}: {}", res.status());
            }
            other => panic!("route {other} has no case in the authorisation matrix: add one to tests/it/authz.rs"),
        }
        checked += 1;
    }
    assert_eq!(checked, web::route_table().len());

    // Nothing of B changed.
    let s = ctx.app.services();
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let b_after = s.get_user(&b_admin, ctx.b_officer).await.unwrap();
    assert_eq!(b_before.1.len(), b_after.1.len());
    assert_eq!(b_before.0.password_hash, b_after.0.password_hash);
    assert!(s.get_user(&b_admin, b_new.id).await.unwrap().1.iter().any(|g| g.id == ctx.b_grant), "B's grant survived");
    let b_unit_after = s.org_by_code("01.SKHCN", None).await.unwrap();
    assert_eq!(b_unit_before.name, b_unit_after.name);
    assert!(s.org_by_code("01.X", None).await.is_err() && s.org_by_code("01.Y", None).await.is_err());
    assert!(s.login("lan.sang", PASSWORD, None).await.is_err());
    let b_task_after = s.task(&b_admin, ctx.b_task).await.unwrap();
    assert_eq!((b_task_after.row_version, b_task_after.progress), (b_task.row_version, b_task.progress));
    let b_detail = s.task_detail(&b_admin, ctx.b_task).await.unwrap();
    assert!(b_detail.history.iter().all(|e| e.text.as_deref() != Some("Lấn sang")));
    assert_eq!(b_detail.evidence.len(), 1);
    let b_query = domain::work::TaskQuery { plan_id: Some(ctx.b_plan), ..Default::default() };
    assert_eq!(s.list_tasks(&b_admin, &b_query).await.unwrap().total, b_tasks.total, "no task imported into B");
    assert_eq!(s.plan(&b_admin, ctx.b_plan).await.unwrap().title, "Kế hoạch bí mật của Hà Nội");
    assert_eq!(s.plan(&b_admin, ctx.b_plan).await.unwrap().status, domain::work::PlanStatus::InExecution);
    let (b_event, b_draft) = (
        s.schedule_event(&b_admin, ctx.b_event).await.unwrap(),
        s.schedule_event(&b_admin, ctx.b_draft).await.unwrap(),
    );
    assert_eq!((b_event.row_version, b_event.title.as_str()), (1, "Họp bí mật của Hà Nội"));
    assert!(!b_draft.published, "A published B's week");
    let b_week =
        s.list_schedule(&b_admin, Some("01.SKHCN"), Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), None);
    assert!(b_week.await.unwrap().events.iter().all(|e| e.title != "Lấn sang"));
    // The national calendar and rules are untouched.
    let cal = s.work_calendar().await.unwrap();
    assert!(!cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()));
    assert!(cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()));
    assert_eq!(s.reminder_rules().await.unwrap(), domain::notify::ReminderRules::default());
    crate::registries::b_registries_untouched(s, &ctx.b_registries).await;
}

#[tokio::test]
async fn every_non_public_route_needs_a_signed_in_caller() {
    let app = TestApp::spawn().await;
    let http = app.client();
    for def in web::route_table().into_iter().filter(|d| d.access != Access::Public) {
        let path = def
            .path
            .replace("{code}", "51")
            .replace("{id}", "1")
            .replace("{number}", "1")
            .replace("{framework_id}", "1")
            .replace("{eid}", "1")
            .replace("{kind}", "systems");
        let method = Method::from_bytes(def.method.as_bytes()).unwrap();
        let res = http.request(method, app.url(&path)).send().await.unwrap();
        let st = res.status();
        if def.path.starts_with("/api/") {
            assert_eq!(st, StatusCode::UNAUTHORIZED, "{} {}", def.method, def.path);
        } else if def.method == "GET" {
            assert_eq!(st, StatusCode::SEE_OTHER, "{} {}", def.method, def.path);
            assert!(res.headers()["location"].to_str().unwrap().starts_with("/login"));
        } else {
            // A form post without a session has no CSRF token either.
            assert_eq!(st, StatusCode::FORBIDDEN, "{} {}", def.method, def.path);
        }
    }
}

#[tokio::test]
async fn the_national_view_reaches_every_province_and_the_auditor_changes_nothing() {
    let app = TestApp::spawn().await;
    let root = app.token("root.admin", PASSWORD).await;
    let users = app.get_json(&root, "/api/v1/users?limit=200").await;
    let names: Vec<&str> = users["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert!(names.contains(&"a.officer") && names.contains(&"b.officer"), "{names:?}");

    // The auditor of A reads A's users but cannot create, grant or reset.
    let auditor = app.token("a.auditor", PASSWORD).await;
    let list: Value =
        Client::new().get(app.url("/api/v1/users")).bearer_auth(&auditor).send().await.unwrap().json().await.unwrap();
    assert!(list["total"].as_u64().unwrap() >= 2);
    let officer_id = app.services().login("a.officer", PASSWORD, None).await.unwrap().user.id;
    let res = Client::new()
        .post(app.url(&format!("/api/v1/users/{officer_id}/reset-password")))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&auditor)
        .json(&json!({"username": "x.moi", "full_name": "X", "org_code": "51"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An officer has no user list at all.
    let officer = app.token("a.officer", PASSWORD).await;
    let res = Client::new().get(app.url("/api/v1/users")).bearer_auth(&officer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
