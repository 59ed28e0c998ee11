//! Bad input gets a clear error and loses nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{PASSWORD, TestApp};

fn dxgov(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(TestApp::bin());
    cmd.args(args).env("DXGOV_DATA_DIR", dir.path()).env_remove("DXGOV_DATABASE_URL").env_remove("DXGOV_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn malformed_configuration_names_the_key_and_exits_non_zero() {
    let out = dxgov(&["migrate"], &[("DXGOV_PORT", "tám-nghìn")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.to_lowercase().contains("key \"port\""), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dxgov.toml");
    std::fs::write(&file, "port = 8080\nmax_conections = 3\n").unwrap();
    let out = dxgov(&["--config", file.to_str().unwrap(), "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max_conections"), "{err}");

    let out = dxgov(&["--config", "/khong/co/tep.toml", "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unreachable_database_is_a_clear_error_without_a_panic() {
    let out = dxgov(&["migrate"], &[("DXGOV_DATABASE_URL", "postgres://dxgov:bimat@127.0.0.1:9/dxgov")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("không kết nối được cơ sở dữ liệu"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("bimat"), "{err}");
}

#[tokio::test]
async fn oversized_bodies_get_413_with_a_message() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body(format!("{{\"username\":\"{big}\",\"password\":\"p\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["status"], 413);
    assert!(problem["detail"].as_str().unwrap().contains("vượt quá giới hạn"));

    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let res = client
        .post(app.url("/orgs/51/units"))
        .form(&[("csrf", csrf.as_str()), ("code", "X"), ("name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("Dữ liệu gửi lên quá lớn"));
}

#[tokio::test]
async fn unknown_codes_and_bad_parameters_name_what_is_wrong() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let http = reqwest::Client::new();
    let res = http.get(app.url("/api/v1/org-units/ZZ999")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["key"], "ZZ999");
    assert!(problem["detail"].as_str().unwrap().contains("ZZ999"));

    let res = http.get(app.url("/api/v1/org-units?as_of=31/02/2025")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["field"], "as_of");
    let res = http.get(app.url("/api/v1/org-units?type=tinh")).bearer_auth(&token).send().await.unwrap();
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["field"], "type");

    // Pages answer in Vietnamese.
    let (client, _) = app.sign_in("a.officer", PASSWORD).await;
    let res = client.get(app.url("/orgs/ZZ999")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.unwrap().contains("Không tìm thấy đơn vị &#39;ZZ999&#39;"));
}

#[tokio::test]
async fn a_bad_form_keeps_what_was_typed_and_names_the_field() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let res = app
        .post_form(
            &client,
            &csrf,
            "/users",
            &[
                ("username", "1sai"),
                ("full_name", "Nguyễn Thị Hoà"),
                ("org_code", "51"),
                ("email", ""),
                ("role", "officer"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Trường &#39;username&#39;"), "{html}");
    assert!(html.contains("value=\"Nguyễn Thị Hoà\""));
    assert!(app.services().login("1sai", PASSWORD, None).await.is_err());
}
