//! The audit chain: every write leaves an entry; `dxgov audit-verify` finds an edited or
//! deleted entry and names the first broken one.

use sea_orm::{ConnectionTrait, Statement};

use crate::harness::{PASSWORD, TestApp};

async fn try_exec(app: &TestApp, sql: &str) -> Result<(), sea_orm::DbErr> {
    let db = app.app.db.connection();
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.map(|_| ())
}

/// Tampering as someone with full rights on the database: first drop the append-only triggers.
async fn exec(app: &TestApp, sql: &str) {
    let drops: &[&str] = match app.app.db.backend() {
        sea_orm::DbBackend::Postgres => &["DROP TRIGGER audit_log_no_update ON audit_log"],
        _ => &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
    };
    for d in drops {
        try_exec(app, d).await.unwrap();
    }
    try_exec(app, sql).await.unwrap();
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_entries() {
    let app = TestApp::spawn().await;
    assert!(try_exec(&app, "UPDATE audit_log SET actor = 'ke.gian' WHERE seq = 2").await.is_err());
    assert!(try_exec(&app, "DELETE FROM audit_log WHERE seq = 2").await.is_err());
    assert_eq!(verify(&app).0, 0);
}

fn verify(app: &TestApp) -> (i32, String, String) {
    let out = app.command(&["audit-verify"]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[tokio::test]
async fn writes_are_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    // An official unit is renamed only by a system admin.
    assert!(s.rename_org(&admin, "51", "Tỉnh khác").await.is_err());
    let _ = s.create_internal_unit(&admin, "51.SKHCN", "51.SKHCN.TTDL", "Trung tâm dữ liệu").await.unwrap();
    s.rename_org(&admin, "51.SKHCN.TTDL", "Trung tâm Dữ liệu tỉnh").await.unwrap();
    let entries = s.recent_audit(&admin, 10).await.unwrap();
    let rename = entries.iter().find(|e| e.action == "org.rename").expect("rename audited");
    assert_eq!(rename.actor, "a.admin");
    assert!(rename.before.as_deref().unwrap().contains("Trung tâm dữ liệu"));
    assert!(rename.after.as_deref().unwrap().contains("Trung tâm Dữ liệu tỉnh"));
    let (code, stdout, _) = verify(&app);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("toàn vẹn"));
}

#[tokio::test]
async fn an_edited_entry_is_detected_and_named() {
    let app = TestApp::spawn().await;
    assert_eq!(verify(&app).0, 0);
    exec(&app, "UPDATE audit_log SET actor = 'ke.gian' WHERE seq = 5").await;
    let (code, _, stderr) = verify(&app);
    assert_eq!(code, 3);
    assert!(stderr.contains("entry 5 was edited"), "{stderr}");
}

#[tokio::test]
async fn a_deleted_entry_or_tail_is_detected() {
    let app = TestApp::spawn().await;
    exec(&app, "DELETE FROM audit_log WHERE seq = 4").await;
    let (code, _, stderr) = verify(&app);
    assert_eq!(code, 3);
    assert!(stderr.contains("entry 5 does not follow"), "{stderr}");

    let app = TestApp::spawn().await;
    exec(&app, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").await;
    let (code, _, stderr) = verify(&app);
    assert_eq!(code, 3);
    assert!(stderr.contains("were deleted"), "{stderr}");
}
