//! User administration through the pages, the dashboard's figures, admin-only edits, and the
//! `create-admin` command.

use reqwest::StatusCode;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn an_admin_creates_a_user_grants_revokes_and_resets_through_the_pages() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let res = app
        .post_form(
            &client,
            &csrf,
            "/users",
            &[
                ("username", "nguyen.hoa"),
                ("full_name", "Nguyễn Thị Hoà"),
                ("email", "hoa@quangngai.gov.vn"),
                ("org_code", "51.SKHCN"),
                ("role", "officer"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let password =
        regex::Regex::new(r#"id="initial-password">([^<]+)<"#).unwrap().captures(&html).unwrap()[1].to_string();
    let user = app.services().login("nguyen.hoa", &password, None).await.unwrap();
    assert!(user.user.must_change_password);
    assert_eq!(user.grants.len(), 1);

    // The list finds her without diacritics; her page shows the role.
    let list = client.get(app.url("/users?q=hoa")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("nguyen.hoa"));
    let page = client.get(app.url(&format!("/users/{}", user.user.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Chuyên viên"));

    // Grant a second role on a unit below, then revoke the first.
    let res = client
        .post(app.url(&format!("/users/{}/grants", user.user.id)))
        .form(&[("csrf", csrf.as_str()), ("role", "leader"), ("org_code", "51.SKHCN")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = app.services().principal(user.user.id).await.unwrap();
    assert_eq!(p.grants.len(), 2);
    let first = p.grants.iter().find(|g| g.role == domain::auth::Role::Officer).unwrap().id;
    let res =
        client.post(app.url(&format!("/grants/{first}/revoke"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = app.services().principal(user.user.id).await.unwrap();
    assert_eq!(p.grants.iter().map(|g| g.role).collect::<Vec<_>>(), [domain::auth::Role::Leader]);

    // Reset: a new one-time password; the old one stops working.
    let res = client
        .post(app.url(&format!("/users/{}/reset-password", user.user.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    let new_password =
        regex::Regex::new(r#"id="initial-password">([^<]+)<"#).unwrap().captures(&html).unwrap()[1].to_string();
    assert!(app.services().login("nguyen.hoa", &password, None).await.is_err());
    assert!(app.services().login("nguyen.hoa", &new_password, None).await.unwrap().user.must_change_password);

    // The list pages through more than a page of people.
    let admin = app.services().login("a.admin", PASSWORD, None).await.unwrap();
    for i in 0..105 {
        let input = domain::services::NewUserInput {
            username: format!("cb.{i:03}"),
            full_name: format!("Cán bộ {i}"),
            org_code: "51.SKHCN".into(),
            ..Default::default()
        };
        app.services().create_user(&admin, &input).await.unwrap();
    }
    let first = client.get(app.url("/users?q=can%20bo")).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("105 người dùng") && first.contains("cb.000") && !first.contains("cb.104"));
    let next = regex::Regex::new(r#"href="(/users\?[^"]+)">Trang sau"#).unwrap().captures(&first).unwrap()[1]
        .replace("&#38;", "&");
    let second = client.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
    assert!(second.contains("cb.104") && !second.contains("cb.000"), "{next}: {second}");

    // A duplicate username is refused, naming it.
    let res = client
        .post(app.url("/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "nguyen.hoa"),
            ("full_name", "Người khác"),
            ("email", ""),
            ("org_code", "51"),
            ("role", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("nguyen.hoa"));
}

#[tokio::test]
async fn the_dashboard_shows_real_figures() {
    let app = TestApp::spawn().await;
    let token = app.token("root.admin", PASSWORD).await;
    let d = app.get_json(&token, "/api/v1/dashboard").await;
    let count = |list: &str, t: &str| {
        d[list].as_array().unwrap().iter().find(|c| c["type"] == t).unwrap()["count"].as_u64().unwrap()
    };
    assert_eq!(count("current_by_type", "province"), 34);
    assert_eq!(count("current_by_type", "commune"), 3_321);
    assert_eq!(count("before_reform_by_type", "province"), 63);
    assert_eq!(count("before_reform_by_type", "district"), 696);
    assert_eq!(d["users"], 6);
    assert!(!d["recent_audit"].as_array().unwrap().is_empty());
    // A's admin counts only A's people.
    let a = app.get_json(&app.token("a.admin", PASSWORD).await, "/api/v1/dashboard").await;
    assert_eq!(a["users"], 3);
    // The page shows the same figures, Vietnamese style.
    let (client, _) = app.sign_in("root.admin", PASSWORD).await;
    let html = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<td class=\"num\">3.321</td>") && html.contains("<td class=\"num\">10.035</td>"), "{html}");
}

#[tokio::test]
async fn only_a_system_admin_renames_an_official_unit() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let body = serde_json::json!({ "name": "Bộ Khoa học, Công nghệ và Đổi mới sáng tạo" });
    let a = app.token("a.admin", PASSWORD).await;
    let res = http.patch(app.url("/api/v1/org-units/BKHCN")).bearer_auth(&a).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let root = app.token("root.admin", PASSWORD).await;
    let res = http.patch(app.url("/api/v1/org-units/BKHCN")).bearer_auth(&root).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let found = app
        .services()
        .list_orgs(&domain::org::OrgQuery { q: Some("doi moi sang tao".into()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(found.items[0].code, "BKHCN");
}

#[tokio::test]
async fn create_admin_takes_the_password_from_the_environment() {
    let app = TestApp::spawn().await;
    let config = app.config.clone();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(TestApp::bin());
        cmd.args(["create-admin", "--username", "quantri.tinh"])
            .env("DXGOV_DATA_DIR", &config.data_dir)
            .env("DXGOV_DATABASE_URL", config.database_url())
            .env("DXGOV_ADMIN_PASSWORD", "Mat-khau-quan-tri-2026");
        if let Some(s) = &config.database_schema {
            cmd.env("DXGOV_DATABASE_SCHEMA", s);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let p = app.services().login("quantri.tinh", "Mat-khau-quan-tri-2026", None).await.unwrap();
    assert!(!p.user.must_change_password);
    assert!(p.is_root_admin());
}
