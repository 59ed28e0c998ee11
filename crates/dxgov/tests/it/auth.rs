//! Accounts and sessions: login, lockout, CSRF, sessions across restarts, forced password
//! change, bearer tokens, TOTP, rate limit.

use std::sync::Arc;

use chrono::Duration;
use domain::clock::{Clock, ManualClock};
use domain::{DomainError, Services};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp, csrf_in};

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = TestApp::spawn().await;
    let (client, _) = app.sign_in("a.officer", PASSWORD).await;
    let before = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    let app = app.restart().await;
    let after = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::OK, "the session lives in the database, not the process");
    assert!(after.text().await.unwrap().contains("Chuyên viên Quảng Ngãi"));
}

#[tokio::test]
async fn form_posts_without_the_csrf_token_are_rejected() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let fields = |token: Option<&str>| {
        let mut f = vec![
            ("current_password", PASSWORD.to_string()),
            ("new_password", "Mat-khau-moi-2026".into()),
            ("confirm_password", "Mat-khau-moi-2026".into()),
        ];
        if let Some(t) = token {
            f.push(("csrf", t.to_string()));
        }
        f
    };
    let missing = client.post(app.url("/account/password")).form(&fields(None)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("Biểu mẫu không hợp lệ"));
    let wrong = client.post(app.url("/account/password")).form(&fields(Some(&"0".repeat(64)))).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    // The password did not change.
    assert!(app.services().login("a.admin", PASSWORD, None).await.is_ok());
    // The login form itself needs the token (no login CSRF).
    let anon = app.client();
    let res =
        anon.post(app.url("/login")).form(&[("username", "a.admin"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Cookie-authenticated API writes need the X-CSRF-Token header; with it they pass.
    let body = json!({ "code": "51.SKHCN.P1", "name": "Phòng Một" });
    let res = client.post(app.url("/api/v1/org-units/51.SKHCN/units")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client
        .post(app.url("/api/v1/org-units/51.SKHCN/units"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // With the right token, the form works.
    let ok = client.post(app.url("/account/password")).form(&fields(Some(&csrf))).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_login_says_the_same_whether_or_not_the_user_exists() {
    let app = TestApp::spawn().await;
    let attempt = |user: &'static str| {
        let app = &app;
        async move {
            let client = app.client();
            let csrf = app.csrf_of(&client, "/login").await;
            let res = client
                .post(app.url("/login"))
                .form(&[("csrf", csrf.as_str()), ("username", user), ("password", "sai-mat-khau-123")])
                .send()
                .await
                .unwrap();
            let status = res.status();
            let html = res.text().await.unwrap();
            let msg =
                regex::Regex::new(r#"<p class="error" role="alert">([^<]*)</p>"#).unwrap().captures(&html).unwrap()[1]
                    .to_string();
            (status, msg)
        }
    };
    let known = attempt("a.officer").await;
    let unknown = attempt("khong.ton.tai").await;
    assert_eq!(known, unknown);
    assert_eq!(known.0, StatusCode::UNAUTHORIZED);
    let api = |user: &'static str| {
        let app = &app;
        async move {
            reqwest::Client::new()
                .post(app.url("/api/v1/auth/token"))
                .json(&json!({ "username": user, "password": "sai-mat-khau-123" }))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert_eq!(api("a.officer").await, api("khong.ton.tai").await);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let s = Services::new(Arc::new(app.app.db.clone()), clock.clone());
    for _ in 0..domain::users::MAX_FAILED_LOGINS {
        assert!(matches!(s.login("a.officer", "sai-mat-khau-123", None).await, Err(DomainError::Unauthenticated)));
    }
    // Locked: even the right password fails, with the same generic error at the edge.
    let locked = s.login("a.officer", PASSWORD, None).await;
    assert!(matches!(locked, Err(DomainError::Locked { .. })), "{locked:?}");
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "a.officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["detail"], domain::messages::LOGIN_FAILED);
    // The lock is in the audit log.
    let entries = app.app.db.table_contents().await.unwrap();
    let audit = &entries.iter().find(|(t, _)| t == "audit_log").unwrap().1;
    assert!(audit.iter().any(|e| e["action"] == "user.locked"));
    // After the lock expires, the right password works again.
    clock.advance(domain::users::lockout_duration() + Duration::seconds(1));
    assert!(s.login("a.officer", PASSWORD, None).await.is_ok());
    assert!(clock.now() > chrono::Utc::now());
}

#[tokio::test]
async fn a_generated_admin_password_must_be_changed_at_first_login() {
    let app = TestApp::spawn().await;
    let generated = app.services().ensure_admin("quantri", None).await.unwrap().expect("a generated password");
    // The page flow: login lands on the password form, and every other page sends back to it.
    let client = app.client();
    let csrf = app.csrf_of(&client, "/login").await;
    let res = client
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "quantri"), ("password", generated.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account/password");
    let res = client.get(app.url("/users")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/account/password");
    // The API refuses work too until the password is changed.
    let token = app.token("quantri", &generated).await;
    let res = reqwest::Client::new().get(app.url("/api/v1/users")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/password-change-required");
    // A weak new password is refused with the field named.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(&token)
        .json(&json!({"current_password": generated, "new_password": "ngan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["field"], "password");
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(&token)
        .json(&json!({"current_password": generated, "new_password": "Mat-khau-moi-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = reqwest::Client::new().get(app.url("/api/v1/users")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(app.services().login("quantri", &generated, None).await.is_err());
}

#[tokio::test]
async fn bearer_tokens_and_logout() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let me = app.get_json(&token, "/api/v1/me").await;
    assert_eq!(me["user"]["username"], "a.officer");
    assert_eq!(me["grants"][0]["role"], "officer");
    let bad = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth("khong-hop-le").send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);

    let (client, csrf) = app.sign_in("a.officer", PASSWORD).await;
    let res = client.post(app.url("/logout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn totp_second_factor() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let http = reqwest::Client::new();
    let secret: Value =
        http.get(app.url("/api/v1/me/totp/secret")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let secret = secret["secret"].as_str().unwrap().to_string();
    let now = || chrono::Utc::now().timestamp() as u64;
    let wrong = http
        .post(app.url("/api/v1/me/totp"))
        .bearer_auth(&token)
        .json(&json!({"secret": secret, "code": "000000"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = domain::users::totp::code_at(&secret, "a.officer", now()).unwrap();
    let res = http
        .post(app.url("/api/v1/me/totp"))
        .bearer_auth(&token)
        .json(&json!({"secret": secret, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    // Now the password alone is not enough, on the form or the API.
    let no_code = http
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "a.officer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_code.status(), StatusCode::UNAUTHORIZED);
    let token_with = |code: String| {
        let http = http.clone();
        let url = app.url("/api/v1/auth/token");
        async move {
            http.post(url)
                .json(&json!({"username": "a.officer", "password": PASSWORD, "totp": code}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // The code that confirmed enrolment cannot be used again (RFC 6238 §5.2: once per step).
    assert_eq!(token_with(code.clone()).await, StatusCode::UNAUTHORIZED);
    // The next step's code works on the form …
    let next = domain::users::totp::code_at(&secret, "a.officer", now() + 30).unwrap();
    let client = app.client();
    let csrf = app.csrf_of(&client, "/login").await;
    let res = client
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "a.officer"), ("password", PASSWORD), ("totp", next.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // … once: replayed on the API it is refused.
    assert_eq!(token_with(next).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(|c| c.login_per_minute = 5).await;
    let client = app.client();
    let html = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&html).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let res = client
            .post(app.url("/login"))
            .form(&[("csrf", csrf.as_str()), ("username", "x.y"), ("password", "sai-mat-khau-123")])
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let res = client
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "x.y"), ("password", "z")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("Quá nhiều yêu cầu"));
}
