//! Operations: the one-command start, health, readiness, metrics, several nodes on one database,
//! concurrent writers on the audit chain.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

use crate::harness::{PASSWORD, TestApp};

/// Kills the child on drop, so a failing test leaves no server behind.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_starts_on_an_empty_data_dir_and_prints_where_to_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dxgov-data");
    let mut child = Child(
        Command::new(TestApp::bin())
            .args(["serve", "--port", "0", "--data-dir", data.to_str().unwrap()])
            .env_remove("DXGOV_DATABASE_URL")
            .env_remove("DXGOV_ADMIN_PASSWORD")
            .env_remove("DXGOV_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let url_line = lines.next().unwrap().unwrap();
    let login_line = lines.next().unwrap().unwrap();
    let demo_line = lines.next().unwrap().unwrap();
    let url = regex::Regex::new(r"http://[0-9.:]+/")
        .unwrap()
        .find(&url_line)
        .unwrap()
        .as_str()
        .trim_end_matches('/')
        .to_string();
    assert!(url_line.contains("sqlite"), "{url_line}");
    let password =
        regex::Regex::new(r"admin / (\S+) —").unwrap().captures(&login_line).unwrap_or_else(|| panic!("{login_line}"))
            [1]
        .to_string();
    assert!(demo_line.contains("qngai.daumoi"), "{demo_line}");
    assert!(data.join("dxgov.db").exists());

    let http =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(http.get(format!("{url}/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(http.get(format!("{url}/readyz")).send().await.unwrap().status(), StatusCode::OK);
    // The printed admin login works and must change its password first.
    let html = http.get(format!("{url}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::harness::csrf_in(&html).unwrap();
    let res = http
        .post(format!("{url}/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/account/password");
    // The journal is in WAL mode.
    let mode = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sqlite3; print(sqlite3.connect('{}').execute('pragma journal_mode').fetchone()[0])",
                data.join("dxgov.db").display()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&mode.stdout).trim(), "wal");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    assert_eq!(reqwest::get(app.url("/healthz")).await.unwrap().text().await.unwrap(), "ok");
    assert_eq!(reqwest::get(app.url("/readyz")).await.unwrap().status(), StatusCode::OK);
    // The server runs on this test's runtime: wait for the child off it.
    let config = app.config.clone();
    let url = app.url("/readyz");
    let out = tokio::task::spawn_blocking(move || crate::harness::run_dxgov(&config, &["healthcheck", "--url", &url]))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let login = reqwest::get(app.url("/login")).await.unwrap();
    assert_eq!(login.headers()["x-frame-options"], "DENY");
    assert_eq!(login.headers()["x-content-type-options"], "nosniff");
    assert!(login.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let metrics = reqwest::get(app.url("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("dxgov_http_requests_total"), "{metrics}");
}

#[tokio::test]
async fn a_session_works_on_every_node_sharing_the_database() {
    let app = TestApp::spawn().await;
    let node2 = app.another_node().await;
    let (client, _) = app.sign_in("a.officer", PASSWORD).await;
    let res = client.get(node2.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("a.officer"));
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_audit_chain() {
    let app = TestApp::spawn().await;
    let admin = app.services().login("a.admin", PASSWORD, None).await.unwrap();
    let node2 = app.another_node().await;
    let mut tasks = Vec::new();
    for w in 0..4 {
        // Two app nodes write at once (on PostgreSQL they are separate pools).
        let services = if w % 2 == 0 { app.services().clone() } else { node2.services().clone() };
        let admin = admin.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                services
                    .create_internal_unit(&admin, "51.SKHCN", &format!("51.SKHCN.W{w}N{i}"), &format!("Tổ {w}-{i}"))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let db = app.app.db.connection();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM audit_log WHERE action = 'org.create' AND actor = 'a.admin'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 60);
    let chain = app.services().verify_audit().await.unwrap();
    assert!(chain.is_ok(), "{chain:?}");
}

#[test]
fn migrate_and_import_orgs_from_a_toml_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("du-lieu");
    let file = dir.path().join("dxgov.toml");
    std::fs::write(&file, format!("data_dir = \"{}\"\nport = 9000\n", data.display())).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(TestApp::bin())
            .arg("--config")
            .arg(&file)
            .args(args)
            .env_remove("DXGOV_DATABASE_URL")
            .env_remove("DXGOV_DATA_DIR")
            // The log filter shares the prefix but is no configuration key: never "unknown field".
            .env("DXGOV_LOG", "warn")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    run(&["migrate"]);
    assert!(data.join("dxgov.db").exists(), "the TOML file's data_dir was used");
    let first = run(&["import-orgs"]);
    let loaded: u64 = regex::Regex::new(r"Đã nạp (\d+) đơn vị").unwrap().captures(&first).unwrap()[1].parse().unwrap();
    assert_eq!(loaded, 1 + 29 + 63 + 696 + 10_035 + 34 + 3_321, "root, central agencies, both structures");
    let again = run(&["import-orgs"]);
    assert!(again.contains("Đã nạp 0 đơn vị"), "importing twice adds nothing: {again}");
}

#[test]
fn serve_without_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Child(
        Command::new(TestApp::bin())
            .args(["serve", "--no-demo", "--port", "0", "--data-dir", dir.path().join("d").to_str().unwrap()])
            .env_remove("DXGOV_DATABASE_URL")
            .env_remove("DXGOV_CONFIG")
            .env("DXGOV_ADMIN_PASSWORD", "Mat-khau-quan-tri-2026")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let _url = lines.next().unwrap().unwrap();
    let login = lines.next().unwrap().unwrap();
    assert!(login.contains("DXGOV_ADMIN_PASSWORD"), "{login}");
    drop(child); // the demo line would have come right after the login line, before serving
    let out = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import sqlite3; print(sqlite3.connect('{}').execute('select count(*) from users').fetchone()[0])",
                dir.path().join("d/dxgov.db").display()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "only the admin, no demo accounts");
}
