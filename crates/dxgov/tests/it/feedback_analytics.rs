//! Feedback analytics on a worked example: eight items sent over two weeks of October 2026 in
//! two provinces and four categories (one not categorised), answered on time, late (by an hour,
//! across Vietnam's midnight), rejected, merged, left overdue and left pending. Every figure is
//! checked against a count by hand, every figure's link against the officers' list it opens,
//! the workbook against the same figures, and the page for its charts and tables.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::auth::Role;
use domain::feedback::{FeedbackSettings, Step};
use domain::services::feedback::StepInput;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::feedback::{BA_DINH, CAM_THANH, NGHIA_LO, handlers, item_id, road, submitted};
use crate::harness::{PASSWORD, TestApp};

/// A Vietnamese wall-clock time in October 2026 as UTC (Vietnam is UTC+7).
fn vn(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, 0, minute, 0).unwrap() + Duration::hours(i64::from(hour) - 7)
}

fn move_to(app: &TestApp, at: DateTime<Utc>) {
    let now = app.clock.now();
    assert!(at >= now, "the clock only moves forward");
    app.advance(at - now);
}

fn item(service_code: Option<&str>, area: &str, description: &str) -> Value {
    let mut body = road(area, None);
    body["service_code"] = json!(service_code);
    body["description"] = json!(description);
    body
}

/// The example: the tracking codes of items 1 to 8 (index 0 to 7), the clock on Friday
/// 23/10/2026.
///
/// | # | sent (09:00) | category | area → handler | due | what happened | SLA on 23/10 |
/// |---|---|---|---|---|---|---|
/// | 1 | Mon 05/10 | giao thông | Cẩm Thành (51) → Sở Xây dựng | 19/10 | answered 19/10 23:30 | on time |
/// | 2 | Mon 05/10 | môi trường | Cẩm Thành → Cẩm Thành | 19/10 | answered 20/10 00:30 | late |
/// | 3 | Tue 06/10 | an ninh trật tự | Ba Đình (01) → Ba Đình | 13/10 | — | overdue |
/// | 4 | Mon 12/10 | giao thông | Nghĩa Lộ (51) → Sở Xây dựng | 26/10 | rejected 21/10 | on time |
/// | 5 | Tue 13/10 | giao thông | Ba Đình → Ba Đình | 27/10 | — | pending |
/// | 6 | Wed 14/10 | none | Cẩm Thành → Cẩm Thành | 04/11 | — | pending |
/// | 7 | Thu 15/10 | an ninh trật tự | Nghĩa Lộ → Nghĩa Lộ | 22/10 | — | overdue |
/// | 8 | Thu 15/10 | giao thông | Cẩm Thành → Sở Xây dựng | 29/10 | merged into 1 | — |
async fn example() -> (TestApp, Vec<String>) {
    let app = TestApp::spawn_at(vn(5, 9, 0)).await;
    let s = app.services();
    handlers(s).await;
    let admin = s.login("root.admin", PASSWORD, None).await.unwrap();
    // Road problems of Quảng Ngãi go to its Department of Construction.
    s.add_feedback_route(&admin, Some("giao-thong"), "51", "51.SXD").await.unwrap();
    // Nothing is sure enough to be categorised by the classifier: item 6 waits for triage.
    s.set_feedback_settings(&admin, FeedbackSettings { confidence_threshold: 1.0, ..Default::default() })
        .await
        .unwrap();
    let sent = [
        (vn(5, 9, 0), item(Some("giao-thong"), CAM_THANH, "Đường Hùng Vương có ổ gà rất lớn, xe máy bị ngã.")),
        (vn(5, 9, 0), item(Some("moi-truong"), CAM_THANH, "Rác thải đổ trộm bên bờ sông gây ô nhiễm.")),
        (vn(6, 9, 0), item(Some("an-ninh-trat-tu"), BA_DINH, "Thanh niên đua xe trái phép gây mất trật tự ban đêm.")),
        (vn(12, 9, 0), item(Some("giao-thong"), NGHIA_LO, "Ổ gà trên đường Quang Trung chưa được sửa chữa.")),
        (vn(13, 9, 0), item(Some("giao-thong"), BA_DINH, "Phố Đội Cấn có ổ gà sâu, xe máy bị ngã.")),
        (vn(14, 9, 0), item(None, CAM_THANH, "Cây xanh bật gốc chắn lối vào chợ.")),
        (vn(15, 9, 0), item(Some("an-ninh-trat-tu"), NGHIA_LO, "Đua xe trái phép trên phố Phạm Văn Đồng.")),
        (vn(15, 9, 0), item(Some("giao-thong"), CAM_THANH, "Ổ gà lớn trên đường Hùng Vương.")),
    ];
    let mut codes = Vec::new();
    for (at, body) in sent {
        move_to(&app, at);
        codes.push(submitted(&app, body).await);
    }
    let mut ids = Vec::new();
    for code in &codes {
        ids.push(item_id(&app, code).await);
    }
    let step = async |id: i64, step: Step, note: Option<&str>, into: Option<&str>| {
        let input = StepInput { note: note.map(String::from), into: into.map(String::from), ..Default::default() };
        s.feedback_step(&admin, id, step, &input).await.unwrap_or_else(|e| panic!("{step:?} on {id}: {e}"));
    };
    step(ids[7], Step::Merge, None, Some(&codes[0])).await;
    // 23:30 in Vietnam on the due day: on time; 00:30 the next day: late.
    move_to(&app, vn(19, 23, 30));
    step(ids[0], Step::Receive, None, None).await;
    step(ids[0], Step::Reply, Some("Đã vá ổ gà."), None).await;
    move_to(&app, vn(20, 0, 30));
    step(ids[1], Step::Receive, None, None).await;
    step(ids[1], Step::Reply, Some("Đã thu gom rác."), None).await;
    move_to(&app, vn(21, 9, 0));
    step(ids[3], Step::Reject, Some("Đoạn đường do Trung ương quản lý."), None).await;
    move_to(&app, vn(23, 9, 0));
    (app, codes)
}

/// Every `{count, href}` of a JSON value, with where it is.
fn linked_counts(v: &Value, at: &str, out: &mut Vec<(String, u64, String)>) {
    match v {
        Value::Object(m) => {
            if let (Some(count), Some(Value::String(href))) = (m.get("count").and_then(Value::as_u64), m.get("href")) {
                out.push((at.to_string(), count, href.clone()));
            }
            for (k, x) in m {
                linked_counts(x, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                linked_counts(x, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The tracking codes of the officers' list a figure links to, through the API twin.
async fn listed(app: &TestApp, token: &str, href: &str) -> (u64, BTreeSet<String>) {
    let query = href.strip_prefix("/feedback?").unwrap_or_else(|| panic!("not a list link: {href}"));
    let (st, v) = app.api(token, Method::GET, &format!("/api/v1/feedback?{query}&limit=500"), None).await;
    assert_eq!(st, StatusCode::OK, "{href}: {v}");
    let codes = v["items"].as_array().unwrap().iter().map(|i| i["tracking_code"].as_str().unwrap().into()).collect();
    (v["total"].as_u64().unwrap(), codes)
}

fn set(codes: &[String], items: &[usize]) -> BTreeSet<String> {
    items.iter().map(|i| codes[i - 1].clone()).collect()
}

fn rows(v: &Value, fields: &[&str]) -> Vec<Vec<Value>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| fields.iter().map(|f| f.split('.').fold(r, |x, k| &x[k]).clone()).collect())
        .collect()
}

const PERIOD: &str = "from=2026-10-05&to=2026-10-18";

#[tokio::test]
async fn every_figure_is_counted_by_hand_and_opens_exactly_its_items() {
    let (app, codes) = example().await;
    let token = app.token("root.admin", PASSWORD).await;
    let (st, a) = app.api(&token, Method::GET, &format!("/api/v1/feedback/analytics?{PERIOD}"), None).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!((&a["from"], &a["to"], &a["as_of"]), (&json!("2026-10-05"), &json!("2026-10-18"), &json!("2026-10-23")));
    assert_eq!(a["total"]["count"], 8);

    assert_eq!(
        rows(&a["by_category"], &["code", "name", "items.count"]),
        [
            [json!("giao-thong"), json!("Giao thông"), json!(4)],
            [json!("an-ninh-trat-tu"), json!("An ninh trật tự"), json!(2)],
            [Value::Null, json!("Chưa phân loại"), json!(1)],
            [json!("moi-truong"), json!("Môi trường"), json!(1)],
        ]
    );
    assert_eq!(rows(&a["by_area"], &["code", "items.count"]), [[json!("51"), json!(6)], [json!("01"), json!(2)]]);
    assert_eq!(
        rows(&a["by_week"], &["label", "from", "to", "items.count"]),
        [
            [json!("Tuần 41/2026 (05/10–11/10)"), json!("2026-10-05"), json!("2026-10-11"), json!(3)],
            [json!("Tuần 42/2026 (12/10–18/10)"), json!("2026-10-12"), json!("2026-10-18"), json!(5)],
        ]
    );
    assert_eq!(rows(&a["by_month"], &["label", "items.count"]), [[json!("Tháng 10/2026"), json!(8)]]);

    // Per handling unit, most overdue first: (items, on time, late, overdue, pending, %).
    let sla_fields = [
        "unit.code",
        "figures.items.count",
        "figures.on_time.count",
        "figures.late.count",
        "figures.overdue.count",
        "figures.pending.count",
        "figures.compliance",
    ];
    assert_eq!(
        rows(&a["sla"], &sla_fields),
        [
            [json!(BA_DINH), json!(2), json!(0), json!(0), json!(1), json!(1), json!(0.0)],
            [json!(NGHIA_LO), json!(1), json!(0), json!(0), json!(1), json!(0), json!(0.0)],
            [json!(CAM_THANH), json!(2), json!(0), json!(1), json!(0), json!(1), json!(0.0)],
            [json!("51.SXD"), json!(3), json!(2), json!(0), json!(0), json!(0), json!(100.0)],
        ]
    );
    let t = &a["sla_total"];
    let total: Vec<&Value> =
        ["items", "on_time", "late", "overdue", "pending"].iter().map(|k| &t[k]["count"]).collect();
    assert_eq!(total, [&json!(8), &json!(2), &json!(1), &json!(2), &json!(2)]);
    assert_eq!(t["compliance"], 40.0, "2 on time of 5 due");

    // This week (12–18/10) against the week before (05–11/10).
    assert_eq!((&a["this_week"]["from"], &a["previous_week"]["to"]), (&json!("2026-10-12"), &json!("2026-10-11")));
    assert_eq!(
        rows(&a["rising_topics"], &["code", "this_week.count", "previous_week.count", "change", "growth"]),
        [
            [json!("giao-thong"), json!(3), json!(1), json!(2), json!(200.0)],
            [Value::Null, json!(1), json!(0), json!(1), Value::Null],
            [json!("an-ninh-trat-tu"), json!(1), json!(1), json!(0), json!(0.0)],
            [json!("moi-truong"), json!(0), json!(1), json!(-1), json!(-100.0)],
        ]
    );

    // Words: "ổ gà" in items 1, 4, 5 and 8, "xe máy" in 1 and 5, "trái phép" in 3 and 7; this
    // week "ổ gà" in 4, 5 and 8 against 1 the week before (+2, as "phố" but in more items).
    let terms: Vec<(String, u64)> = a["top_terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["term"].as_str().unwrap().to_string(), t["items"].as_u64().unwrap()))
        .collect();
    assert_eq!(terms[0], ("ổ gà".to_string(), 4), "{terms:?}");
    for want in [("xe máy", 2), ("trái phép", 2)] {
        assert!(terms.contains(&(want.0.to_string(), want.1)), "{want:?} in {terms:?}");
    }
    assert!(terms.iter().all(|(t, _)| !t.chars().any(|c| c.is_ascii_digit() || c.is_uppercase())), "{terms:?}");
    assert!(!terms.iter().any(|(t, _)| ["có", "trên", "bị", "của"].contains(&t.as_str())), "stopwords: {terms:?}");
    let rising = &a["rising_terms"][0];
    assert_eq!(
        (&rising["term"], &rising["this_week"], &rising["previous_week"]),
        (&json!("ổ gà"), &json!(3), &json!(1))
    );
    assert_eq!(a["texts"], json!({"period": 8, "this_week": 5, "previous_week": 3, "capped": false}));
    // A word's link searches for it over the same items.
    let (n, found) = listed(&app, &token, a["top_terms"][0]["href"].as_str().unwrap()).await;
    assert!(n >= 4 && set(&codes, &[1, 4, 5, 8]).is_subset(&found), "{found:?}");

    // Every figure's link lists exactly the items it counts.
    let mut figures = Vec::new();
    linked_counts(&a, "", &mut figures);
    assert!(figures.len() > 40, "{}", figures.len());
    for (at, count, href) in &figures {
        let (n, found) = listed(&app, &token, href).await;
        assert_eq!((n, found.len() as u64), (*count, *count), "{at}: {href}");
    }
    // … and those items are the ones counted by hand.
    let link = |path: &str| path.split('.').fold(&a, |x, k| &x[k])["href"].as_str().unwrap().to_string();
    for (path, items) in [
        ("sla_total.on_time", &[1, 4][..]),
        ("sla_total.late", &[2]),
        ("sla_total.overdue", &[3, 7]),
        ("sla_total.pending", &[5, 6]),
    ] {
        assert_eq!(listed(&app, &token, &link(path)).await.1, set(&codes, items), "{path}");
    }
    let by_href = |list: &str, i: usize| a[list][i]["items"]["href"].as_str().unwrap().to_string();
    assert_eq!(listed(&app, &token, &by_href("by_category", 2)).await.1, set(&codes, &[6]));
    assert_eq!(listed(&app, &token, &by_href("by_area", 1)).await.1, set(&codes, &[3, 5]));
    assert_eq!(listed(&app, &token, &by_href("by_week", 0)).await.1, set(&codes, &[1, 2, 3]));
    let sxd = a["sla"][3]["figures"]["items"]["href"].as_str().unwrap();
    assert_eq!(listed(&app, &token, sxd).await.1, set(&codes, &[1, 4, 8]));

    // Narrowed to a unit: handled by it or sent about its area.
    let (_, q) = app.api(&token, Method::GET, &format!("/api/v1/feedback/analytics?org=51&{PERIOD}"), None).await;
    assert_eq!((q["total"]["count"].as_u64(), q["org"]["code"].as_str()), (Some(6), Some("51")), "{q}");
    let (_, q) = app.api(&token, Method::GET, &format!("/api/v1/feedback/analytics?org=51.SXD&{PERIOD}"), None).await;
    assert_eq!(q["total"]["count"], 3);
    assert_eq!(listed(&app, &token, q["total"]["href"].as_str().unwrap()).await.1, set(&codes, &[1, 4, 8]));

    // By default: twelve weeks from a Monday up to today.
    let (_, d) = app.api(&token, Method::GET, "/api/v1/feedback/analytics", None).await;
    assert_eq!((&d["from"], &d["to"], &d["total"]["count"]), (&json!("2026-08-03"), &json!("2026-10-23"), &json!(8)));
    assert_eq!(d["by_week"].as_array().unwrap().len(), 12);
    assert_eq!(d["this_week"], json!({"from": "2026-10-17", "to": "2026-10-23"}));

    // A province's admin sees their province only.
    let a_token = app.token("a.admin", PASSWORD).await;
    let (_, mine) = app.api(&a_token, Method::GET, &format!("/api/v1/feedback/analytics?{PERIOD}"), None).await;
    assert_eq!(mine["total"]["count"], 6);
    assert_eq!(rows(&mine["by_area"], &["code"]), [[json!("51")]]);
    assert!(!mine.to_string().contains("Đội Cấn") && !mine.to_string().contains(BA_DINH), "{mine}");

    // Bad input names the field.
    for (query, field) in [("from=31/02/2026", "from"), ("from=2026-10-18&to=2026-10-05", "to"), ("org=XYZ", "org")] {
        let (st, v) = app.api(&token, Method::GET, &format!("/api/v1/feedback/analytics?{query}"), None).await;
        assert_eq!((st, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{query}: {v}");
    }
    let (st, _) = app.api(&token, Method::GET, "/api/v1/feedback?sla=soon", None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_workbook_has_a_sheet_per_table_with_the_same_figures() {
    let (app, _) = example().await;
    let token = app.token("root.admin", PASSWORD).await;
    let res = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/feedback/analytics/file/xlsx?{PERIOD}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains("thong-ke-phan-anh-pham-vi-20261005-20261018.xlsx"), "{disposition}");
    let sheets = reports::read_xlsx_sheets(&res.bytes().await.unwrap()).expect("a readable workbook");
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Thông tin",
            "Theo lĩnh vực",
            "Theo địa bàn",
            "Theo tuần",
            "Theo tháng",
            "Đúng hạn theo đơn vị",
            "Chủ đề tăng",
            "Từ ngữ nhiều nhất",
            "Từ ngữ tăng",
        ]
    );
    let sheet = |name: &str| &sheets.iter().find(|(n, _)| n == name).unwrap().1;
    let cells = |name: &str| -> Vec<Vec<String>> { sheet(name).rows.iter().map(|r| r.cells.clone()).collect() };
    assert_eq!(cells("Thông tin")[1], ["Gửi từ ngày", "05/10/2026"]);
    assert_eq!(sheet("Theo lĩnh vực").headers, ["Lĩnh vực", "Mã", "Số phản ánh"]);
    assert_eq!(
        cells("Theo lĩnh vực"),
        [
            ["Giao thông", "giao-thong", "4"],
            ["An ninh trật tự", "an-ninh-trat-tu", "2"],
            ["Chưa phân loại", "", "1"],
            ["Môi trường", "moi-truong", "1"],
        ]
    );
    assert_eq!(cells("Theo tuần")[1], ["Tuần 42/2026 (12/10–18/10)", "12/10/2026", "18/10/2026", "5"]);
    let sla = sheet("Đúng hạn theo đơn vị");
    assert_eq!(
        sla.headers,
        [
            "Đơn vị xử lý",
            "Mã",
            "Số phản ánh",
            "Trả lời đúng hạn",
            "Trả lời quá hạn",
            "Chưa trả lời, quá hạn",
            "Chưa trả lời, còn hạn",
            "Tỷ lệ đúng hạn (%)"
        ]
    );
    assert_eq!(sla.rows.len(), 5);
    assert_eq!(sla.rows[3].cells[1..], ["51.SXD", "3", "2", "0", "0", "0", "100"]);
    assert_eq!(sla.rows[4].cells, ["Tổng số", "", "8", "2", "1", "2", "2", "40"]);
    assert_eq!(cells("Chủ đề tăng")[0], ["Giao thông", "giao-thong", "3", "1", "2", "200"]);
    assert_eq!(cells("Từ ngữ nhiều nhất")[0], ["ổ gà", "4"]);
}

#[tokio::test]
async fn the_page_draws_each_chart_beside_its_table_and_links_every_number() {
    let (app, codes) = example().await;
    let (client, _) = app.sign_in("root.admin", PASSWORD).await;
    let res = client.get(app.url("/feedback/analytics?from=05/10/2026&to=18/10/2026")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.len() < 100_000, "{} bytes", html.len());
    assert!(!html.contains("<script"), "works without JavaScript");
    assert_eq!(html.matches("role=\"img\"").count(), 3, "weeks, categories, SLA per unit");
    for want in [
        "Thống kê phản ánh, kiến nghị",
        // Each chart's description spells out its figures.
        "Tuần 41/2026 (05/10–11/10): 3; Tuần 42/2026 (12/10–18/10): 5",
        "Giao thông: 4; An ninh trật tự: 2; Chưa phân loại: 1; Môi trường: 1",
        "Sở Xây dựng tỉnh Quảng Ngãi: 100,0% · 2 / 2 đúng hạn",
        // The form gives the days back as typed, the total and the rate the Vietnamese way.
        "value=\"05/10/2026\"",
        "<th class=\"num\">40%</th>",
        "href=\"/feedback?from=2026-10-05&#38;to=2026-10-18&#38;sla=late\">1</a>",
        "href=\"/api/v1/feedback/analytics/file/xlsx?from=2026-10-05&#38;to=2026-10-18\">Tải XLSX</a>",
        "ổ gà",
    ] {
        assert!(html.contains(want), "{want} not in the page:\n{html}");
    }
    // A number opens its items in the officers' list, which says how it is narrowed.
    let list = client
        .get(app.url("/feedback?from=2026-10-05&to=2026-10-18&sla=overdue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&codes[2]) && list.contains(&codes[6]) && !list.contains(&codes[0]), "{list}");
    assert!(list.contains("Lọc theo: Chưa trả lời, quá hạn"), "{list}");
    assert!(list.contains("value=\"05/10/2026\"") && list.contains("name=\"sla\" value=\"overdue\""), "{list}");
    assert!(list.contains("href=\"/feedback/analytics\">Thống kê</a>"), "the list's tab");
    // Wrong days come back on the form with what is wrong.
    let res = client.get(app.url("/feedback/analytics?from=31/02/2026")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("31/02/2026"));
    // Someone without feedback rights is refused.
    let s = app.services();
    s.seed_user("hoc.vien", "Học viên", "51.SKHCN", Role::Trainee, "51.SKHCN", PASSWORD).await.unwrap();
    let token = app.token("hoc.vien", PASSWORD).await;
    let (st, _) = app.api(&token, Method::GET, "/api/v1/feedback/analytics", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
