//! Backup and restore: a snapshot taken while the server writes restores to a consistent state,
//! and a restore reproduces every table exactly.

use std::sync::Arc;

use domain::clock::SystemClock;
use dxgov::app::App;

use crate::harness::{PASSWORD, TestApp, run_dxgov, test_config};

async fn restore_into_fresh(file: &std::path::Path) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    let out = run_dxgov(&config, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "restore failed: {}", String::from_utf8_lossy(&out.stderr));
    let app = App::open(&config, Arc::new(SystemClock), false).await.unwrap();
    (app, dir)
}

#[tokio::test]
async fn restore_reproduces_every_table_exactly() {
    let app = TestApp::spawn().await;
    let (client, _) = app.sign_in("a.officer", PASSWORD).await; // a session row too
    drop(client);
    // A plan with its adopted tasks, so that the work tables are in the snapshot too.
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let input = domain::services::work::NewPlanInput {
        org: "51".into(),
        title: "Kế hoạch chuyển đổi số năm 2026".into(),
        period: "2026".into(),
        template: s.templates()[0].code.clone(),
        frameworks: vec![s.frameworks().await.unwrap()[0].id],
        items: vec![],
    };
    s.create_plan(&admin, &input).await.unwrap();
    crate::schedules::sample_week(s).await;
    crate::registries::b_registries(s).await; // a row in each registry and its history
    let file = app.dir.path().join("backup.jsonl");
    let out = app.command(&["backup", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (restored, _dir) = restore_into_fresh(&file).await;
    let original = app.app.db.table_contents().await.unwrap();
    let copy = restored.db.table_contents().await.unwrap();
    assert_eq!(original.len(), store::backup::TABLES.len());
    for ((t1, rows1), (t2, rows2)) in original.iter().zip(copy.iter()) {
        assert_eq!(t1, t2);
        assert_eq!(rows1.len(), rows2.len(), "row count of {t1}");
        assert!(rows1 == rows2, "table {t1} differs after restore");
    }
    // The restored database works: logins, the chain, new ids past the restored ones.
    assert!(restored.services.login("a.officer", PASSWORD, None).await.is_ok());
    assert!(restored.services.verify_audit().await.unwrap().is_ok());
    let admin = restored.services.login("a.admin", PASSWORD, None).await.unwrap();
    restored.services.create_internal_unit(&admin, "51", "51.MOI", "Đơn vị mới sau khôi phục").await.unwrap();

    // Restoring into a database that already has data is refused and changes nothing.
    let out = app.command(&["restore", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("không trống"));
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_consistently() {
    let app = TestApp::spawn().await;
    let services = app.services().clone();
    let admin = services.login("a.admin", PASSWORD, None).await.unwrap();
    let writer = tokio::spawn(async move {
        let mut n = 0;
        for i in 0..300 {
            services
                .create_internal_unit(&admin, "51.SKHCN", &format!("51.SKHCN.T{i}"), &format!("Tổ công tác {i}"))
                .await
                .unwrap();
            n += 1;
        }
        n
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let file = app.dir.path().join("during.jsonl");
    let path = file.clone();
    let config = app.config.clone();
    let out = tokio::task::spawn_blocking(move || run_dxgov(&config, &["backup", "--out", path.to_str().unwrap()]))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = writer.await.unwrap();
    assert_eq!(written, 300);

    let (restored, _dir) = restore_into_fresh(&file).await;
    let s = &restored.services;
    // Consistent: the audit chain is whole, and every unit in the snapshot has its audit entry
    // (a write and its entry landed together or not at all).
    let chain = s.verify_audit().await.unwrap();
    assert!(chain.is_ok(), "{chain:?}");
    let tables = restored.db.table_contents().await.unwrap();
    let units = tables
        .iter()
        .find(|(t, _)| t == "org_units")
        .unwrap()
        .1
        .iter()
        .filter(|u| u["code"].as_str().unwrap().starts_with("51.SKHCN.T"))
        .count();
    let entries = tables
        .iter()
        .find(|(t, _)| t == "audit_log")
        .unwrap()
        .1
        .iter()
        .filter(|e| e["action"] == "org.create" && e["after_json"].as_str().unwrap_or("").contains("51.SKHCN.T"))
        .count();
    assert_eq!(units, entries, "units and their audit entries");
    assert!(units > 0 && units <= 300, "snapshot caught the writer mid-way or after: {units}");
}
