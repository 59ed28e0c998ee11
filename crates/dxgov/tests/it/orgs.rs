//! The real org hierarchy: reference data in both structures, succession, search without
//! diacritics, subtree and ancestors, internal units.

use chrono::NaiveDate;
use domain::org::{OrgQuery, OrgType};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::harness::{PASSWORD, TestApp};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.app.db.connection();
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn both_structures_have_their_official_counts() {
    let app = TestApp::spawn().await;
    let app = &app;
    let counts = |as_of| async move {
        app.services()
            .count_by_type(Some(as_of))
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.org_type, c.count))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let before = counts(day(2025, 6, 30)).await;
    assert_eq!(before[&OrgType::Province], 63);
    assert_eq!(before[&OrgType::District], 696);
    assert_eq!(before[&OrgType::Commune], 10_035);
    let after = counts(day(2025, 7, 1)).await;
    assert_eq!(after[&OrgType::Province], 34);
    assert_eq!(after[&OrgType::District], 0);
    assert_eq!(after[&OrgType::Commune], 3_321);
    // Ministries: 14 ministries + 3 ministry-level agencies after 1/3/2025; 22 before the merger.
    assert_eq!(after[&OrgType::Ministry], 17);
    assert_eq!(counts(day(2025, 2, 28)).await[&OrgType::Ministry], 22);
}

#[tokio::test]
async fn every_old_commune_maps_to_a_current_commune_and_every_current_commune_has_a_current_province() {
    let app = TestApp::spawn().await;
    let unmapped = count(
        &app,
        "SELECT COUNT(*) FROM org_units o WHERE o.org_type = 'commune' AND o.valid_to IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM org_successions s JOIN org_units n ON n.id = s.new_id
           WHERE s.old_id = o.id AND n.org_type = 'commune' AND n.valid_to IS NULL)",
    )
    .await;
    assert_eq!(unmapped, 0);
    let orphaned = count(
        &app,
        "SELECT COUNT(*) FROM org_units c WHERE c.org_type = 'commune' AND c.valid_to IS NULL AND NOT EXISTS (
           SELECT 1 FROM org_units p WHERE p.id = c.parent_id AND p.org_type = 'province' AND p.valid_to IS NULL)",
    )
    .await;
    assert_eq!(orphaned, 0);
    let current_communes =
        count(&app, "SELECT COUNT(*) FROM org_units WHERE org_type = 'commune' AND valid_to IS NULL").await;
    assert_eq!(current_communes, 3_321);
    // Split communes: some old communes went to more than one new commune.
    let split = count(
        &app,
        "SELECT COUNT(*) FROM (SELECT s.old_id FROM org_successions s JOIN org_units o ON o.id = s.old_id
           WHERE o.org_type = 'commune' GROUP BY s.old_id HAVING COUNT(*) > 1) x",
    )
    .await;
    assert!(split > 0, "the mapping has split communes");
}

#[tokio::test]
async fn a_merged_province_names_its_successor_and_the_new_one_its_predecessors() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let kon_tum = app.get_json(&token, "/api/v1/org-units/62").await;
    assert_eq!(kon_tum["name"], "Tỉnh Kon Tum");
    assert_eq!(kon_tum["valid_to"], "2025-06-30");
    let names: Vec<&str> =
        kon_tum["successors"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Tỉnh Quảng Ngãi"]);

    // Code 51 today is the new Quảng Ngãi, formed from the old Quảng Ngãi and Kon Tum.
    let qn = app.get_json(&token, "/api/v1/org-units/51").await;
    assert_eq!(qn["valid_from"], "2025-07-01");
    let preds: Vec<&str> = qn["predecessors"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(preds.contains(&"Tỉnh Kon Tum") && preds.contains(&"Tỉnh Quảng Ngãi"), "{preds:?}");
    // The same code as of 2024 is the old province.
    let old = app.get_json(&token, "/api/v1/org-units/51?as_of=2024-01-01").await;
    assert_eq!(old["valid_to"], "2025-06-30");

    // Code reuse: 15 was Yên Bái and is now Lào Cai.
    let lc = app.get_json(&token, "/api/v1/org-units/15").await;
    assert_eq!(lc["name"], "Tỉnh Lào Cai");
    let yb = app.get_json(&token, "/api/v1/org-units/15?as_of=2025-06-30").await;
    assert_eq!(yb["name"], "Tỉnh Yên Bái");

    // Successors are transitive over the ministries' merger: Bộ TT&TT → Bộ KH&CN and Bộ VHTTDL.
    let s = app.services();
    let bttt = s.org_by_code("BTTTT", None).await.unwrap();
    let mut succ: Vec<String> = s.successors(bttt.id).await.unwrap().into_iter().map(|u| u.code).collect();
    succ.sort();
    assert_eq!(succ, ["BKHCN", "BVHTTDL"]);
}

#[tokio::test]
async fn search_ignores_diacritics() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let search = |q: &'static str| async move {
        s.list_orgs(&OrgQuery { q: Some(q.into()), as_of: None, limit: 500, ..Default::default() }).await.unwrap()
    };
    let qn = search("quang ngai").await;
    assert_eq!(qn.items[0].name, "Tỉnh Quảng Ngãi");
    let with_marks = search("Quảng Ngãi").await;
    assert_eq!(qn.total, with_marks.total);

    // "đà" and "da" match.
    let a = search("đà nẵng").await;
    let b = search("da nang").await;
    assert!(a.items.iter().any(|u| u.name == "Thành phố Đà Nẵng"));
    assert_eq!(a.total, b.total);

    // "hoa" finds both spellings of the tone mark: "Hoà" and "Hòa".
    let root = s.root().await.unwrap();
    s.seed_internal_unit(&root.code, "T.HOABINH", "Phòng Hoà Bình").await.unwrap();
    let hb = search("hoa binh").await;
    let names: Vec<&str> = hb.items.iter().map(|u| u.name.as_str()).collect();
    assert!(names.contains(&"Phòng Hoà Bình"), "{names:?}");
    assert!(names.contains(&"Tỉnh Hòa Bình"), "{names:?}");

    // Through the API, as_of defaults to today and type filters.
    let token = app.token("a.officer", PASSWORD).await;
    let res = app.get_json(&token, "/api/v1/org-units?type=province&q=quang%20ngai").await;
    assert_eq!(res["total"], 1);
    assert_eq!(res["items"][0]["code"], "51");
    let old = app.get_json(&token, "/api/v1/org-units?type=province&as_of=2025-06-30&limit=100").await;
    assert_eq!(old["total"], 63);
    assert_eq!(old["items"].as_array().unwrap().len(), 63);
}

#[tokio::test]
async fn subtree_ancestors_and_structure_as_of_a_date() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let qn = s.org_by_code("51", None).await.unwrap();
    let today = s.clock().today();
    let sub = s.subtree(&qn, Some(today)).await.unwrap();
    let communes = sub.iter().filter(|u| u.org_type == OrgType::Commune).count();
    assert!(communes > 50, "new Quảng Ngãi has its communes: {communes}");
    assert!(sub.iter().all(|u| qn.contains(u)));

    let root = s.root().await.unwrap();
    let country_now = s.subtree(&root, Some(today)).await.unwrap();
    let country_before = s.subtree(&root, Some(day(2025, 6, 30))).await.unwrap();
    assert!(country_now.iter().all(|u| u.org_type != OrgType::District));
    assert_eq!(country_before.iter().filter(|u| u.org_type == OrgType::District).count(), 696);

    let commune = sub.iter().find(|u| u.org_type == OrgType::Commune).unwrap();
    let ancestors: Vec<String> = s.ancestors(commune).await.unwrap().into_iter().map(|u| u.code).collect();
    assert_eq!(ancestors, ["VN", "51"]);
}

#[tokio::test]
async fn internal_units_are_added_within_scope_only() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let http = reqwest::Client::new();
    let ok = http
        .post(app.url("/api/v1/org-units/51.SKHCN/units"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "code": "51.SKHCN.VP", "name": "Văn phòng Sở" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let unit: Value = ok.json().await.unwrap();
    assert_eq!(unit["type"], "internal");
    let detail = app.services().org_detail("51.SKHCN.VP", None).await.unwrap();
    assert_eq!(detail.ancestors.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["VN", "51", "51.SKHCN"]);

    let dup = http
        .post(app.url("/api/v1/org-units/51/units"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "code": "51.skhcn.vp", "name": "Trùng mã" }))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);

    let bad = http
        .post(app.url("/api/v1/org-units/51/units"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "code": "mã có dấu", "name": "X" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    assert_eq!(problem["field"], "code");
}
