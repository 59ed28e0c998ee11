//! Source information end to end, on SQLite and PostgreSQL: an emergency from the centre to
//! every commune of two provinces, published once; the portal's banner where it applies and
//! nowhere else; relay with local additions, acknowledgement and reminders on a fake clock;
//! reach on a worked example; corrections (CAP Update), withdrawal (CAP Cancel), expiry and
//! scheduled publication in the CAP and Atom feeds, every emitted document checked by `oasiscap`
//! and `capvalidator`, every feed by `feedparser`; stations and playlists; field errors.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::Services;
use domain::auth::{Principal, Role};
use domain::bulletins::{AlertFacts, BroadcastInput, BulletinInput, Category, StationInput, Status, Step};
use domain::org::{OrgQuery, OrgType, OrgUnit};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};
use crate::validators::{try_check_atom, try_check_cap};

/// 08:00 in Vietnam on Monday 23/11/2026.
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

pub(crate) async fn communes(s: &Services, province: &str) -> Vec<OrgUnit> {
    let p = s.org_by_code(province, None).await.unwrap();
    let page = s
        .list_orgs(&OrgQuery {
            org_type: Some(OrgType::Commune),
            within_paths: Some(vec![p.path]),
            as_of: Some(s.clock().today()),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page.total > 0 && page.total <= 500, "{province}: {}", page.total);
    page.items
}

fn plain(title: &str, targets: &[&str]) -> BulletinInput {
    BulletinInput {
        title: title.into(),
        body: "Nội dung bản tin gửi các đơn vị.".into(),
        spoken: "Bà con chú ý lắng nghe.".into(),
        category: Category::PolicyLaw,
        publish_at: None,
        expires_at: None,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        levels: domain::bulletins::RECEIVING_LEVELS.to_vec(),
        alert: None,
    }
}

pub(crate) fn storm(title: &str, targets: &[&str], expires: DateTime<Utc>) -> BulletinInput {
    BulletinInput {
        title: title.into(),
        body: "Bão số 13 đổ bộ vào đất liền trong 24 giờ tới.\n\nCác xã ven biển sơ tán người dân.".into(),
        spoken: "Khẩn cấp: bão số 13 sắp đổ bộ.".into(),
        category: Category::Emergency,
        publish_at: None,
        expires_at: Some(expires),
        targets: targets.iter().map(|t| t.to_string()).collect(),
        levels: domain::bulletins::RECEIVING_LEVELS.to_vec(),
        alert: Some(AlertFacts {
            event: "Bão số 13".into(),
            cap_category: "Met".into(),
            urgency: "Immediate".into(),
            severity: "Severe".into(),
            certainty: "Likely".into(),
            instruction: "Di chuyển đến nơi trú ẩn an toàn.".into(),
            polygons: vec!["15.0,108.6 15.5,108.6 16.2,108.3 15.0,108.6".into()],
            circles: vec!["15.38,109.12 60".into()],
        }),
    }
}

/// Writes, submits and approves (which publishes) through the services.
pub(crate) async fn publish(s: &Services, who: &Principal, org: &str, b: BulletinInput) -> domain::bulletins::Bulletin {
    let d = s.create_bulletin(who, org, b).await.unwrap();
    let d = s.bulletin_step(who, d.id, Step::Submit, d.row_version).await.unwrap();
    let p = s.bulletin_step(who, d.id, Step::Approve, d.row_version).await.unwrap();
    assert_eq!(p.status, Status::Published);
    p
}

async fn text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = Client::new().get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

const BANNER: &str = "CẢNH BÁO KHẨN CẤP";

/// Checks a CAP document with both independent validators; its parsed form.
fn valid_cap(xml: &str) -> Value {
    let parsed: oasiscap::Alert = xml.parse().unwrap_or_else(|e| panic!("oasiscap refuses it: {e}\n{xml}"));
    assert!(matches!(parsed, oasiscap::Alert::V1dot2(_)), "not CAP 1.2: {xml}");
    try_check_cap(xml).unwrap_or_else(|e| panic!("capvalidator refuses it: {e}\n{xml}"))
}

/// The CAP feed's entries (feedparser) and each linked CAP document (both validators).
async fn cap_feed(app: &TestApp, path: &str) -> Vec<Value> {
    let (st, xml) = text(app, path).await;
    assert_eq!(st, StatusCode::OK, "{path}");
    let feed = try_check_atom(&xml).unwrap_or_else(|e| panic!("feedparser refuses {path}: {e}\n{xml}"));
    let mut docs = Vec::new();
    for e in feed["entries"].as_array().unwrap() {
        let link = e["links"].as_array().unwrap().iter().find(|l| l["type"] == "application/cap+xml").unwrap();
        let href = link["href"].as_str().unwrap();
        let local = href.split_once("://").unwrap().1.split_once('/').unwrap().1;
        let (st, doc) = text(app, &format!("/{local}")).await;
        assert_eq!(st, StatusCode::OK, "{href}");
        docs.push(valid_cap(&doc));
    }
    docs
}

#[tokio::test]
async fn an_emergency_reaches_every_commune_of_two_provinces_once_and_raises_their_banners() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let token = app.token("root.admin", PASSWORD).await;
    let draft = s
        .create_bulletin(&root, "VN", storm("Cảnh báo bão số 13", &["51", "01"], s.clock().now() + Duration::hours(6)))
        .await
        .unwrap();
    assert_eq!(draft.status, Status::Draft);
    let step = |name: &str, rv: i64| {
        let token = token.clone();
        let path = format!("/api/v1/bulletins/{}/steps/{name}", draft.id);
        let app = &app;
        async move { app.api(&token, Method::POST, &path, Some(json!({ "row_version": rv }))).await }
    };
    let (st, b) = step("submit", 1).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let rv = b["row_version"].as_i64().unwrap();
    let (st, b) = step("approve", rv).await;
    assert_eq!((st, b["status"].as_str()), (StatusCode::OK, Some("published")), "{b}");
    // A double click, a retry, a second "publish": one publication.
    for (name, version) in [("approve", rv), ("publish", rv), ("publish", b["row_version"].as_i64().unwrap())] {
        let (st, again) = step(name, version).await;
        assert!(st == StatusCode::CONFLICT || st == StatusCode::UNPROCESSABLE_ENTITY, "{name}: {st} {again}");
    }
    let expected = 2 + communes(s, "51").await.len() + communes(s, "01").await.len();
    let reach = s.bulletin_reach(&root, draft.id).await.unwrap();
    assert_eq!(reach.targeted as usize, expected, "the two provinces and every one of their communes");
    assert_eq!(reach.acknowledged, 0);
    let view = s.bulletin(&root, draft.id).await.unwrap();
    assert_eq!(view.cap.len(), 1, "one CAP Alert");

    // The banner on both provinces' sites (and the national one), not on a third province's.
    for site in ["/p/51", "/p/01", "/p"] {
        let (st, page) = text(&app, site).await;
        assert_eq!(st, StatusCode::OK, "{site}");
        assert!(page.contains(BANNER) && page.contains("Bão số 13"), "{site} has no banner");
        assert!(page.len() < 100 * 1024, "{site}: {} bytes", page.len());
        assert!(page.contains("lang=\"vi\"") && page.contains("<label>Tìm bản tin"), "{site}: language and labels");
    }
    let (st, page) = text(&app, "/p/48").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!page.contains(BANNER), "Đà Nẵng was not targeted");
    assert_eq!(text(&app, "/p/khong-co").await.0, StatusCode::NOT_FOUND);

    // The national CAP feed holds it; both validators accept the document.
    let docs = cap_feed(&app, "/cap/feed.atom").await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["msgType"], "Alert");
    assert_eq!(docs[0]["info"][0]["language"], "vi-VN");
    assert_eq!(docs[0]["info"][0]["urgency"], "Immediate");
    assert!(docs[0]["sent"].as_str().unwrap().ends_with("+07:00"), "{}", docs[0]);

    // Search ignores diacritics; a citizen finds it typing "bao so 13".
    let (_, found) = text(&app, "/p/51?q=bao+so+13").await;
    assert!(found.contains(&format!("/p/tin/{}", draft.id)));
    let (_, none) = text(&app, "/p/51?q=khong+co+tin+nay").await;
    assert!(none.contains("Không có bản tin nào"));
    // Atom feeds per site and per category, read by feedparser.
    for path in ["/p/51/feed.atom", "/p/feed.atom", "/p/01/feed.atom?chuyen-muc=khan-cap-thien-tai"] {
        let (st, xml) = text(&app, path).await;
        assert_eq!(st, StatusCode::OK, "{path}");
        let feed = try_check_atom(&xml).unwrap_or_else(|e| panic!("{path}: {e}\n{xml}"));
        assert_eq!(feed["entries"].as_array().unwrap().len(), 1, "{path}: {feed}");
        assert_eq!(feed["entries"][0]["categories"][0], "khan-cap-thien-tai");
    }
    let (_, xml) = text(&app, "/p/51/feed.atom?chuyen-muc=y-te").await;
    assert_eq!(try_check_atom(&xml).unwrap()["entries"].as_array().unwrap().len(), 0, "another category");
}

#[tokio::test]
async fn relay_acknowledgement_and_reminders_follow_a_fake_clock() {
    let t0 = monday_morning();
    let app = TestApp::spawn_at(t0).await;
    let s = app.services();
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let a_admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let wards = communes(s, "51").await;
    let (c1, c2) = (&wards[0], &wards[1]);
    s.seed_user("xa.mot", "Cán bộ xã Một", &c1.code, Role::GrassrootsOfficer, &c1.code, PASSWORD).await.unwrap();
    s.seed_user("xa.hai", "Cán bộ xã Hai", &c2.code, Role::GrassrootsOfficer, &c2.code, PASSWORD).await.unwrap();
    s.seed_user("xa.hai.ld", "Lãnh đạo xã Hai", &c2.code, Role::Leader, &c2.code, PASSWORD).await.unwrap();
    let tick = || async { app.app.scheduler(&app.config).unwrap().tick().await.unwrap() };
    let notes = |user: &'static str| async move {
        let p = s.login(user, PASSWORD, None).await.unwrap();
        s.notifications(&p, 100).await.unwrap()
    };

    // The centre sends a bulletin to the province only (its communes get the relay); the province
    // acknowledges in 10 minutes.
    let mut to_province = plain("Tuyên truyền dịch vụ công trực tuyến", &["51"]);
    to_province.levels = vec![OrgType::Province];
    let source = publish(s, &root, "VN", to_province).await;
    assert_eq!(s.bulletin_reach(&root, source.id).await.unwrap().targeted, 1, "the province only");
    app.advance(Duration::minutes(10));
    let ack = s.acknowledge_bulletin(&a_admin, source.id, "51").await.unwrap();
    assert_eq!(ack.acknowledged_at, Some(t0 + Duration::minutes(10)));
    let again = s.acknowledge_bulletin(&a_admin, source.id, "51").await.unwrap();
    assert_eq!(again.acknowledged_at, ack.acknowledged_at, "acknowledging twice keeps the first time");

    // It relays it to its communes with local additions: a new draft of the province, linked.
    app.advance(Duration::minutes(10));
    let relay =
        s.relay_bulletin(&a_admin, source.id, "51", "Xã tổ chức hướng dẫn tại bộ phận một cửa.", vec![]).await.unwrap();
    assert_eq!((relay.status, relay.source_id), (Status::Draft, Some(source.id)));
    assert!(relay.body.contains("Thông tin bổ sung của") && relay.body.contains("bộ phận một cửa"));
    assert!(s.relay_bulletin(&a_admin, source.id, "01", "", vec![]).await.is_err(), "Hà Nội did not receive it");
    let relay = s.bulletin_step(&a_admin, relay.id, Step::Submit, relay.row_version).await.unwrap();
    let relay = s.bulletin_step(&a_admin, relay.id, Step::Approve, relay.row_version).await.unwrap();
    let published = relay.published_at.unwrap();
    let reach = s.bulletin_reach(&a_admin, relay.id).await.unwrap();
    assert_eq!(reach.targeted as usize, wards.len(), "every commune of the province, not the province itself");
    let source_view = s.bulletin(&root, source.id).await.unwrap();
    assert_eq!(source_view.relays.len(), 1);
    // On the province's site the relay replaces its source.
    let (_, page) = text(&app, "/p/51").await;
    assert!(
        page.contains(&format!("/p/tin/{}", relay.id)) && !page.contains(&format!("/p/tin/{}\"", source.id)),
        "{page}"
    );

    // One hour on: nothing is due yet (24 hours to acknowledge an ordinary bulletin).
    app.advance(Duration::hours(1));
    tick().await;
    assert!(notes("xa.mot").await.is_empty());
    // Ward one acknowledges through the API after 3 hours.
    app.advance(Duration::hours(2));
    let token = app.token("xa.mot", PASSWORD).await;
    let (st, d) = app
        .api(
            &token,
            Method::POST,
            &format!("/api/v1/bulletins/{}/acknowledgements", relay.id),
            Some(json!({"org": c1.code})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let (st, _) = app
        .api(
            &token,
            Method::POST,
            &format!("/api/v1/bulletins/{}/acknowledgements", relay.id),
            Some(json!({"org": c2.code})),
        )
        .await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND, "another ward's acknowledgement: {st}");
    // A day after publication ward two, which has not acknowledged, is reminded once.
    app.advance(Duration::hours(21));
    let run = tick().await;
    assert!(run.bulletins.created >= 1, "{run:?}");
    let two = notes("xa.hai").await;
    assert_eq!(two.len(), 1, "{two:?}");
    assert_eq!(two[0].link.as_deref(), Some(format!("/bulletins/{}", relay.id).as_str()));
    assert!(two[0].title.contains("Chưa xác nhận"));
    assert!(notes("xa.mot").await.is_empty(), "ward one acknowledged");
    assert!(notes("xa.hai.ld").await.is_empty(), "no escalation yet");
    app.advance(Duration::hours(1));
    tick().await;
    assert_eq!(notes("xa.hai").await.len(), 1, "reminded once, not on every tick");
    // Three days after publication, its leader is told.
    app.advance(Duration::hours(48));
    tick().await;
    let leader = notes("xa.hai.ld").await;
    assert_eq!(leader.len(), 1, "{leader:?}");
    assert_eq!(leader[0].kind, "escalation");

    // Reach on the worked example: ward one acknowledged 3 h after publication.
    let reach = s.bulletin_reach(&a_admin, relay.id).await.unwrap();
    assert_eq!((reach.acknowledged, reach.received), (1, 1));
    let commune = reach.levels.iter().find(|l| l.level == OrgType::Commune).unwrap();
    let waited = (t0 + Duration::minutes(20) + Duration::hours(3) - published).num_seconds();
    assert_eq!((commune.median_ack_secs, commune.slowest_ack_secs), (Some(waited), Some(waited)));
    assert_eq!(reach.never_acknowledged.len(), wards.len() - 1);
    // The province's dashboard counts it too.
    let d = s.reach_dashboard(&a_admin, Some("51"), t0 - Duration::days(1), t0 + Duration::days(7)).await.unwrap();
    let row = d.bulletins.iter().find(|b| b.bulletin_id == relay.id).unwrap();
    assert_eq!((row.targeted as usize, row.acknowledged), (wards.len(), 1));
    assert!(d.never_acknowledging.iter().any(|u| u.code == c2.code));
    assert!(!d.never_acknowledging.iter().any(|u| u.code == c1.code));
}

#[tokio::test]
async fn corrections_cancels_expiry_and_schedules_shape_the_cap_and_atom_feeds() {
    let t0 = monday_morning();
    let app = TestApp::spawn_at(t0).await;
    let s = app.services();
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let tick = || async { app.app.scheduler(&app.config).unwrap().tick().await.unwrap() };

    let v1 = publish(s, &root, "VN", storm("Bão số 13", &["51"], t0 + Duration::hours(12))).await;
    let brief = publish(s, &root, "VN", storm("Lũ quét cục bộ", &["01"], t0 + Duration::hours(1))).await;
    let docs = cap_feed(&app, "/cap/feed.atom").await;
    assert_eq!(docs.len(), 2);
    let first = s.bulletin(&root, v1.id).await.unwrap().cap[0].clone();

    // A correction is a new version; the old one stays in the history, superseded.
    app.advance(Duration::minutes(30));
    let v2 = s.correct_bulletin(&root, v1.id).await.unwrap();
    assert_eq!((v2.series_id, v2.version, v2.status), (v1.series_id, 2, Status::Draft));
    assert!(s.correct_bulletin(&root, v1.id).await.is_err(), "one correction at a time");
    let mut fixed = v2.input();
    fixed.body = "Bão số 13 đã đổi hướng, đổ bộ vào Quảng Ngãi lúc 16 giờ.".into();
    let v2 = s.update_bulletin(&root, v2.id, fixed, v2.row_version).await.unwrap();
    let v2 = s.bulletin_step(&root, v2.id, Step::Submit, v2.row_version).await.unwrap();
    let v2 = s.bulletin_step(&root, v2.id, Step::Approve, v2.row_version).await.unwrap();
    let view = s.bulletin(&root, v2.id).await.unwrap();
    assert_eq!(view.versions.iter().map(|v| v.status).collect::<Vec<_>>(), [Status::Superseded, Status::Published]);
    assert_eq!(view.cap.len(), 2);
    let (_, old_page) = text(&app, &format!("/p/tin/{}", v1.id)).await;
    assert!(old_page.contains("đã được đính chính") && old_page.contains(&format!("/p/tin/{}", v2.id)));
    // The feed holds the alert once, as its Update, which references the Alert.
    let docs = cap_feed(&app, "/cap/feed.atom").await;
    let update = docs.iter().find(|d| d["msgType"] == "Update").unwrap_or_else(|| panic!("{docs:?}"));
    assert_eq!(docs.len(), 2, "{docs:?}");
    let refs = update["references"].as_str().unwrap();
    assert!(refs.contains(&first.identifier) && refs.contains(&first.sender), "{refs}");
    let (st, _) = text(&app, &crate::bulletins::cap_href(&first.identifier)).await;
    assert_eq!(st, StatusCode::OK, "a referenced message still resolves");

    // Expired: out of the feed and the banner goes.
    app.advance(Duration::hours(1));
    let docs = cap_feed(&app, "/cap/feed.atom").await;
    assert_eq!(docs.len(), 1, "the flash-flood alert expired: {docs:?}");
    let (_, page) = text(&app, "/p/01").await;
    assert!(!page.contains(BANNER));
    let _ = brief;

    // Withdrawn: a Cancel referencing both earlier messages, and the feed is empty.
    let view = s.bulletin(&root, v2.id).await.unwrap();
    let v2 = s.bulletin_step(&root, v2.id, Step::Withdraw, view.bulletin.row_version).await.unwrap();
    assert_eq!(v2.status, Status::Withdrawn);
    assert!(cap_feed(&app, "/cap/feed.atom").await.is_empty());
    let cancel = s.bulletin(&root, v2.id).await.unwrap().cap.last().cloned().unwrap();
    assert_eq!(cancel.msg_type, domain::bulletins::MsgType::Cancel);
    let (_, xml) = text(&app, &cap_href(&cancel.identifier)).await;
    let doc = valid_cap(&xml);
    assert_eq!(doc["msgType"], "Cancel");
    assert_eq!(doc["references"].as_str().unwrap().split_whitespace().count(), 2, "{doc}");
    let (_, page) = text(&app, "/p/51").await;
    assert!(!page.contains(BANNER));
    assert!(s.bulletin_step(&root, v2.id, Step::Withdraw, v2.row_version).await.is_err(), "a second Cancel");

    // A province is its own alerting authority: its alert is in its feed, not the national one.
    let a_admin = s.login("a.admin", PASSWORD, None).await.unwrap();
    let local =
        publish(s, &a_admin, "51", storm("Sạt lở đất tại huyện miền núi", &["51"], t0 + Duration::days(1))).await;
    let docs = cap_feed(&app, "/cap/51/feed.atom").await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["sender"], "canhbao.51@dxgov.gov.vn");
    assert_eq!(docs[0]["identifier"], s.bulletin(&a_admin, local.id).await.unwrap().cap[0].identifier.as_str());
    assert!(cap_feed(&app, "/cap/feed.atom").await.is_empty());
    assert!(cap_feed(&app, "/cap/01/feed.atom").await.is_empty());

    // Scheduled: approved now, published by the scheduler at its time.
    let mut later = plain("Ngày hội chuyển đổi số", &["51"]);
    later.publish_at = Some(t0 + Duration::hours(4));
    let d = s.create_bulletin(&root, "VN", later).await.unwrap();
    let d = s.bulletin_step(&root, d.id, Step::Submit, d.row_version).await.unwrap();
    let d = s.bulletin_step(&root, d.id, Step::Approve, d.row_version).await.unwrap();
    assert_eq!(d.status, Status::Approved);
    tick().await;
    assert!(!text(&app, "/p/51").await.1.contains("Ngày hội chuyển đổi số"), "not before its time");
    assert_eq!(text(&app, &format!("/p/tin/{}", d.id)).await.0, StatusCode::NOT_FOUND);
    app.advance(Duration::hours(3));
    let run = tick().await;
    assert_eq!(run.published, 1);
    assert_eq!(s.bulletin(&root, d.id).await.unwrap().bulletin.status, Status::Published);
    assert!(text(&app, "/p/51").await.1.contains("Ngày hội chuyển đổi số"));
    assert_eq!(tick().await.published, 0, "published once");
}

/// Where the app serves a CAP message.
pub(crate) fn cap_href(identifier: &str) -> String {
    format!("/cap/alerts/{identifier}.xml")
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let s = app.services();
    let token = app.token("root.admin", PASSWORD).await;
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let expires = (s.clock().now() + Duration::hours(6)).to_rfc3339();
    let mut body = json!({
        "org": "VN", "title": "Cảnh báo lũ", "body": "Lũ lên nhanh.", "category": "emergency",
        "expires_at": expires, "targets": ["51"],
        "alert": {"event": "Lũ", "cap_category": "Met", "urgency": "Soon", "severity": "Severe",
                  "certainty": "Likely", "instruction": "Sơ tán."}
    });
    let (st, problem) = app.api(&token, Method::POST, "/api/v1/bulletins", Some(body.clone())).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("alert.urgency"), "{problem}");
    body["alert"]["urgency"] = json!("Immediate");
    body["alert"]["severity"] = json!("");
    let (_, problem) = app.api(&token, Method::POST, "/api/v1/bulletins", Some(body.clone())).await;
    assert!(problem.to_string().contains("alert.severity"), "{problem}");
    body["alert"]["severity"] = json!("Severe");
    body["targets"] = json!(["BTC"]);
    let (_, problem) = app.api(&token, Method::POST, "/api/v1/bulletins", Some(body.clone())).await;
    assert!(problem.to_string().contains("targets"), "a ministry is not a receiving unit: {problem}");
    body["targets"] = json!(["51"]);
    let (st, created) = app.api(&token, Method::POST, "/api/v1/bulletins", Some(body.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    // Files: the wrong type, and too large.
    let fake = base64_of(b"MZ\x90\x00 not a pdf");
    let (st, problem) = app
        .api(
            &token,
            Method::POST,
            &format!("/api/v1/bulletins/{id}/attachments"),
            Some(json!({"name": "cong-van.pdf", "content_base64": fake})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.to_string().contains("file"), "{problem}");
    let big = vec![0u8; domain::bulletins::ATTACHMENT_RULE.max_bytes + 1];
    assert!(s.add_bulletin_attachment(&root, id, "am-thanh.mp3", &big).await.is_err());
    let mp3 = [b"ID3\x04\x00\x00\x00\x00\x00\x00".as_slice(), &[0u8; 64]].concat();
    let (st, file) = app
        .api(
            &token,
            Method::POST,
            &format!("/api/v1/bulletins/{id}/attachments"),
            Some(json!({"name": "ban-doc.mp3", "content_base64": base64_of(&mp3)})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{file}");
    assert_eq!(file["content_type"], "audio/mpeg");
    // Nothing of a refused write remains.
    let view = s.bulletin(&root, id).await.unwrap();
    assert_eq!(view.attachments.len(), 1);
    // A draft cannot be withdrawn (no Cancel without an Alert) nor corrected.
    assert!(s.bulletin_step(&root, id, Step::Withdraw, view.bulletin.row_version).await.is_err());
    assert!(s.correct_bulletin(&root, id).await.is_err());
    assert!(s.bulletin(&root, id).await.unwrap().cap.is_empty());
    // A broadcast that ends before it starts.
    let published = publish(s, &root, "VN", plain("Tin thường", &["51"])).await;
    let ward = communes(s, "51").await.remove(0);
    let station = s
        .save_station(&root, &ward.code, None, StationInput { name: "Cụm loa thôn 1".into(), active: true })
        .await
        .unwrap();
    let now = s.clock().now();
    let (st, problem) = app
        .api(
            &token,
            Method::POST,
            "/api/v1/broadcasts",
            Some(json!({
            "bulletin_id": published.id, "station_id": station.id, "starts_at": now.to_rfc3339(),
            "ends_at": (now - Duration::minutes(5)).to_rfc3339(), "times": 2, "aired": false})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("ends_at"), "{problem}");
    let (st, problem) =
        app.api(&token, Method::POST, "/api/v1/stations", Some(json!({"org": ward.code, "name": "  "}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("name"), "{problem}");
    // The form names the field in Vietnamese and keeps what was typed.
    let (client, csrf) = app.sign_in("root.admin", PASSWORD).await;
    let res = client
        .post(app.url("/bulletins/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("org", "VN"),
            ("title", "Cảnh báo sạt lở"),
            ("body", "Sạt lở đất."),
            ("category", "khan-cap-thien-tai"),
            ("targets", "51"),
            ("levels", "province"),
            ("levels", "commune"),
            ("expires_at", "30/11/2026 17:00"),
            ("event", "Sạt lở đất"),
            ("cap_category", "Geo"),
            ("urgency", "Immediate"),
            ("severity", ""),
            ("certainty", "Likely"),
            ("instruction", "Tránh xa sườn đồi."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("alert.severity") && page.contains("mức nghiêm trọng"), "{page}");
    assert!(page.contains("value=\"Cảnh báo sạt lở\""), "the title is kept");
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn stations_export_their_playlists_and_record_broadcasts() {
    let t0 = monday_morning();
    let app = TestApp::spawn_at(t0).await;
    let s = app.services();
    let root = s.login("root.admin", PASSWORD, None).await.unwrap();
    let ward = communes(s, "51").await.remove(0);
    s.seed_user("loa.xa", "Cán bộ truyền thanh", &ward.code, Role::GrassrootsOfficer, &ward.code, PASSWORD)
        .await
        .unwrap();
    let officer = s.login("loa.xa", PASSWORD, None).await.unwrap();
    // A draft's file is not public; once published it is.
    let d = s.create_bulletin(&root, "VN", plain("Lịch tiêm chủng tháng 12", &["51"])).await.unwrap();
    let pdf = s.add_bulletin_attachment(&root, d.id, "lich-tiem.pdf", b"%PDF-1.4 lich tiem chung").await.unwrap();
    assert_eq!(text(&app, &format!("/p/tep/{}", pdf.id)).await.0, StatusCode::NOT_FOUND);
    let d = s.bulletin_step(&root, d.id, Step::Submit, d.row_version).await.unwrap();
    let b = s.bulletin_step(&root, d.id, Step::Approve, d.row_version).await.unwrap();
    let res = Client::new().get(app.url(&format!("/p/tep/{}", pdf.id))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 lich tiem chung");
    let token = app.token("loa.xa", PASSWORD).await;
    let (st, station) = app
        .api(&token, Method::POST, "/api/v1/stations", Some(json!({"org": ward.code, "name": "Đài truyền thanh xã"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{station}");
    let sid = station["id"].as_i64().unwrap();
    let slot = |start: DateTime<Utc>, aired: bool| BroadcastInput {
        bulletin_id: b.id,
        station_id: sid,
        starts_at: start,
        ends_at: start + Duration::minutes(10),
        times: 2,
        aired,
    };
    let planned = s.add_broadcast(&officer, slot(t0 + Duration::hours(9), false)).await.unwrap();
    assert!(s.add_broadcast(&officer, slot(t0 + Duration::hours(9), true)).await.is_err(), "not aired before its time");
    let (st, list) = app.api(&token, Method::GET, &format!("/api/v1/stations/{sid}/playlist"), None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["slots"].as_array().unwrap().len(), 1);
    assert_eq!(list["slots"][0]["title"], "Lịch tiêm chủng tháng 12");
    assert_eq!(list["slots"][0]["spoken"], "Bà con chú ý lắng nghe.");
    let res = Client::new()
        .get(app.url(&format!("/api/v1/stations/{sid}/playlist?format=csv")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = reports::read_csv(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(csv.rows.len(), 1);
    let start_col = csv.column("Bắt đầu").unwrap();
    assert_eq!(csv.rows[0].get(start_col), "23/11/2026 17:00");
    assert_eq!(s.bulletin_reach(&root, b.id).await.unwrap().broadcast, 0);
    app.advance(Duration::hours(10));
    let aired = s.mark_broadcast_aired(&officer, planned.id).await.unwrap();
    assert!(aired.aired);
    let reach = s.bulletin_reach(&root, b.id).await.unwrap();
    assert_eq!(reach.broadcast, 1, "{reach:?}");
    // The province's dashboard: SVG charts with their figures, and the same tables as XLSX.
    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let page = client.get(app.url("/bulletins/reach?org=51")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("role=\"img\"") && page.contains("Tỷ lệ xác nhận đã nhận theo cấp"));
    assert!(page.contains("Lịch tiêm chủng tháng 12"));
    let a_token = app.token("a.admin", PASSWORD).await;
    let res = Client::new()
        .get(app.url("/api/v1/bulletin-reach/file/xlsx?org=51"))
        .bearer_auth(&a_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let sheets = reports::read_xlsx_sheets(&res.bytes().await.unwrap()).unwrap();
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Bản tin", "Theo cấp", "Theo tỉnh", "Chưa từng xác nhận"]);
    let (_, bulletins) = &sheets[0];
    let row = bulletins.rows.iter().find(|r| r.get(0) == "Lịch tiêm chủng tháng 12").expect("the bulletin's row");
    let aired_col = bulletins.column("Đã phát loa").unwrap();
    assert_eq!(row.get(aired_col), "1");
    // Another province's officer sees nothing of this station.
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    assert!(s.playlist(&b_admin, sid, t0, t0 + Duration::days(1)).await.is_err());
    // The social package: text with the link, and a PNG card.
    let (st, page) = text(&app, &format!("/p/tin/{}/mang-xa-hoi", b.id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Lịch tiêm chủng tháng 12")
            && page.contains(&format!("/p/tin/{}", b.id))
            && page.contains("#ThongTinCoSo")
    );
    let res = Client::new().get(app.url(&format!("/p/tin/{}/anh.png", b.id))).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(res.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    // Portal views are counted.
    for _ in 0..3 {
        assert_eq!(text(&app, &format!("/p/tin/{}", b.id)).await.0, StatusCode::OK);
    }
    assert!(s.bulletin_reach(&root, b.id).await.unwrap().portal_views >= 3);
}

/// B's bulletins and station, for the authorisation matrix: (draft id, published id, station id).
pub(crate) async fn b_bulletins(app: &TestApp) -> (i64, i64, i64) {
    let s = app.services();
    let b_admin = s.login("b.admin", PASSWORD, None).await.unwrap();
    let draft = s.create_bulletin(&b_admin, "01", plain("Bản tin bí mật Hà Nội", &["01"])).await.unwrap();
    let published = publish(s, &b_admin, "01", plain("Tin của Hà Nội", &["01"])).await;
    let ward = communes(s, "01").await.remove(0);
    let station = s
        .save_station(&b_admin, &ward.code, None, StationInput { name: "Cụm loa bí mật Hà Nội".into(), active: true })
        .await
        .unwrap();
    (draft.id, published.id, station.id)
}

/// The authorisation matrix's cases for the bulletin routes: `true` when `def` is one of them.
pub(crate) async fn a_cannot_reach_b(
    app: &TestApp,
    page: &Client,
    csrf: &str,
    token: &str,
    def: &web::RouteDef,
    b: (i64, i64, i64),
) -> bool {
    let p = def.path;
    let ours = p.starts_with("/bulletins")
        || p.starts_with("/api/v1/bulletin")
        || p.starts_with("/stations")
        || p.starts_with("/api/v1/stations")
        || p.starts_with("/broadcasts")
        || p.starts_with("/api/v1/broadcasts")
        || p.starts_with("/bulletin-files")
        || p == "/p"
        || p.starts_with("/p/")
        || p.starts_with("/cap/");
    if !ours {
        return false;
    }
    let key = format!("{} {}", def.method, p);
    if p == "/p" || p.starts_with("/p/") || p.starts_with("/cap/") {
        assert_eq!(def.access, web::Access::Public, "{key}: the portal and feeds are public");
        if p.ends_with("/anh.png") {
            assert!(def.limit.is_some(), "{key}: rendering a card costs; it must be rate limited");
        }
        if p.contains("{id}") {
            let st = Client::new().get(app.url(&p.replace("{id}", &b.0.to_string()))).send().await.unwrap().status();
            assert_eq!(st, StatusCode::NOT_FOUND, "{key}: B's draft is not public");
        }
        return true;
    }
    let denied = |st: StatusCode| st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND;
    let clean = |body: &str| !body.contains("bí mật Hà Nội");
    let method = Method::from_bytes(def.method.as_bytes()).unwrap();
    let (draft, published, station) = b;
    let fill = |id: i64| p.replace("{id}", &id.to_string()).replace("{step}", "approve").replace("{attachment}", "1");
    let form = [
        ("csrf", csrf),
        ("org", "01"),
        ("step", "approve"),
        ("row_version", "1"),
        ("title", "lấn sang"),
        ("body", "x"),
        ("category", "khac"),
        ("targets", "01"),
        ("name", "x"),
        ("bulletin_id", "1"),
        ("starts_at", "23/11/2026 08:00"),
        ("ends_at", "23/11/2026 09:00"),
        ("times", "1"),
        ("station", "1"),
    ];
    let body = json!({"org": "01", "row_version": 1, "title": "x", "body": "x", "category": "other",
        "targets": ["01"], "name": "x", "additions": "", "content_base64": "", "bulletin_id": published,
        "station_id": station, "starts_at": "2026-11-23T01:00:00Z", "ends_at": "2026-11-23T02:00:00Z", "times": 1});
    let call = |path: String| {
        let method = method.clone();
        let api = path.starts_with("/api");
        let body = body.clone();
        async move {
            let req = if api {
                let r = Client::new().request(method.clone(), app.url(&path)).bearer_auth(token);
                if method == Method::GET || method == Method::DELETE { r } else { r.json(&body) }
            } else {
                let r = page.request(method.clone(), app.url(&path));
                if method == Method::GET { r } else { r.form(&form) }
            };
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    match key.as_str() {
        // Lists and dashboards: A's own, never B's; narrowed to B: refused.
        "GET /bulletins" | "GET /api/v1/bulletins" | "GET /bulletins/inbox" | "GET /api/v1/bulletin-inbox" => {
            let (st, body) = call(p.to_string()).await;
            assert_eq!(st, StatusCode::OK, "{key}");
            assert!(clean(&body) && !body.contains("Tin của Hà Nội"), "{key} shows B's bulletins");
            let (st, body) = call(format!("{p}?org=01&origin=01")).await;
            assert!((st == StatusCode::OK || denied(st)) && clean(&body), "{key}: {st}");
        }
        "GET /bulletins/reach" | "GET /api/v1/bulletin-reach" | "GET /api/v1/bulletin-reach/file/xlsx" => {
            let (st, body) = call(format!("{p}?org=01")).await;
            assert!(denied(st), "{key}: {st}");
            assert!(clean(&body));
            let (st, _) = call(p.to_string()).await;
            assert_eq!(st, StatusCode::OK, "{key}");
        }
        "GET /bulletins/new" | "GET /stations" => {
            let (st, body) = call(format!("{p}?org=01")).await;
            assert!((st == StatusCode::OK || denied(st)) && clean(&body), "{key}: {st}");
        }
        "GET /api/v1/stations" => {
            let (st, body) = call(format!("{p}?org=01")).await;
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        // Writes naming B's units.
        "POST /bulletins/new" | "POST /api/v1/bulletins" | "POST /stations" | "POST /api/v1/stations" => {
            let (st, body) = call(p.to_string()).await;
            assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st} {body}");
        }
        "POST /api/v1/broadcasts" => {
            let (st, body) = call(p.to_string()).await;
            assert!(denied(st) || st == StatusCode::UNPROCESSABLE_ENTITY, "{key}: {st} {body}");
        }
        // B's station and slots.
        "GET /stations/{id}"
        | "POST /stations/{id}/slots"
        | "GET /api/v1/stations/{id}/playlist"
        | "PUT /api/v1/stations/{id}" => {
            let (st, body) = call(fill(station)).await;
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        "POST /broadcasts/{id}/aired"
        | "POST /api/v1/broadcasts/{id}/aired"
        | "GET /bulletin-files/{id}"
        | "GET /api/v1/bulletin-files/{id}" => {
            let (st, body) = call(fill(1)).await;
            assert!(denied(st) && clean(&body), "{key}: {st}");
        }
        "POST /bulletins/{id}/attachments" => {
            for id in [draft, published] {
                let file = ("file", "lan-sang.pdf", b"%PDF-1.4 lan sang".as_slice());
                let form = crate::plan_pages::multipart(csrf, &[], Some(file));
                let res = crate::plan_pages::post_multipart(app, page, &fill(id), form).await;
                assert!(denied(res.status()), "{key} on {id}: {}", res.status());
            }
        }
        // B's bulletins themselves: neither the draft nor the published one's workings.
        _ if p.contains("{id}") => {
            for id in [draft, published] {
                let (st, body) = call(fill(id)).await;
                assert!(denied(st), "{key} on {id}: {st} {body}");
                assert!(clean(&body), "{key} on {id} shows B's draft");
            }
        }
        _ => panic!("{key}: a bulletin route without a case in the authorisation matrix"),
    }
    true
}

#[tokio::test]
async fn the_demo_has_bulletins_in_every_state_and_an_active_alert() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::test_config(dir.path());
    let clock = std::sync::Arc::new(domain::clock::ManualClock::new(monday_morning()));
    let app = dxgov::app::App::open(&config, clock, true).await.unwrap();
    let s = &app.services;
    dxgov::demo::load(s, PASSWORD).await.unwrap();
    let national = s.login("cds.dieuphoi", PASSWORD, None).await.unwrap();
    for status in Status::ALL {
        let filter =
            domain::services::bulletins::BulletinFilter { status: Some(*status), limit: 50, ..Default::default() };
        assert!(s.bulletins(&national, &filter).await.unwrap().total > 0, "no demo bulletin is {}", status.label());
    }
    for site in ["51", "48", "VN"] {
        let portal = s.portal(site, None, None).await.unwrap();
        assert!(!portal.alerts.is_empty(), "{site}: the banner");
    }
    assert!(s.portal("01", None, None).await.unwrap().alerts.is_empty());
    assert_eq!(s.cap_feed("VN").await.unwrap().len(), 1, "the national CAP feed");
    assert_eq!(s.cap_feed("51").await.unwrap().len(), 1, "Quảng Ngãi's relay is its own alert");
    let filter = domain::services::bulletins::BulletinFilter { limit: 200, ..Default::default() };
    let all = s.bulletins(&national, &filter).await.unwrap().items;
    let relay = all.iter().find(|b| b.source_id.is_some()).expect("a relayed bulletin");
    let reach = s.bulletin_reach(&national, relay.id).await.unwrap();
    assert!(reach.acknowledged > 0 && reach.acknowledged < reach.targeted && reach.broadcast > 0, "{reach:?}");
}
