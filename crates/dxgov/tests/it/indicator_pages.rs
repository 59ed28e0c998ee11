//! Indicator values as officials and agencies' systems handle them: DHIS2 data value sets as CSV
//! and XLSX files (DHIS2's column names or the short set, every bad row named by its line,
//! dryRun, exports that import again unchanged), the entry grid (a Vietnamese field error beside
//! the indicator, out-of-range warnings, the seed's validation rules after saving), targets with
//! progress, the roll-up page "as of then" and "as of now", the data-quality page, and who may
//! open or save what.

use domain::repo::indicators::IndicatorStore;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DHIS2_HEADER: &str =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup";

/// Posts a file body to the data value set import with a bearer token.
async fn post_file(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let res = Client::new()
        .post(app.url(&format!("/api/v1/dataValueSets{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

/// GETs an export with a bearer token: the status, content type and bytes.
async fn get_bytes(app: &TestApp, token: &str, path: &str, accept: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = Client::new().get(app.url(path)).bearer_auth(token);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, ct, res.bytes().await.unwrap().to_vec())
}

/// Every stored value of 2025 (and its months), as (indicator id, unit id, value).
async fn values_2025(app: &TestApp) -> Vec<(i64, i64, f64)> {
    let ids: Vec<i64> = app.app.db.indicator_list().await.unwrap().iter().map(|i| i.id).collect();
    let d = |y, m| chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap();
    let mut v: Vec<(i64, i64, f64)> = app
        .app
        .db
        .value_points(&ids, d(2025, 1), d(2025, 12))
        .await
        .unwrap()
        .iter()
        .map(|p| (p.indicator_id, p.org_id, p.value))
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

async fn get_page(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The conflicts of an import summary as (row, column before the colon).
fn conflicts(summary: &Value) -> Vec<(u64, String)> {
    summary["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("{summary}"))
        .iter()
        .map(|c| (c["row"].as_u64().unwrap(), c["value"].as_str().unwrap().split(':').next().unwrap().to_string()))
        .collect()
}

#[tokio::test]
async fn csv_data_value_sets_import_with_dhis2_or_short_column_names() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;

    // DHIS2's own export columns, the default category option combination, a quoted comment.
    let dhis2 = format!(
        "{DHIS2_HEADER}\r\nCHI_CNTT,2025,51,HllvX50cXC0,HllvX50cXC0,12500.5,dhis2.user,2025-12-01T00:00:00.000+0000,\"Quyết toán, đợt 1\",false\r\n"
    );
    let (st, s) = post_file(&app, &token, "", "text/csv", dhis2.into_bytes()).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["importCount"], json!({"imported": 1, "updated": 0, "ignored": 0, "deleted": 0}));

    // The short set, in another order and case, with a BOM, quotes and a doubled quote.
    let short = "\u{feff}\"Period\",ORGUNIT,dataElement,value,Comment\n2025,51,CHI_ATTT,1300,\"Số liệu \"\"chính thức\"\"\"\n2025,51,TONG_CHI_NS,\"900000\",\n";
    let (st, s) = post_file(&app, &token, "", "text/csv; charset=utf-8", short.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["importCount"]["imported"], 2, "{s}");

    let out = app.get_json(&token, "/api/v1/dataValueSets?period=2025&orgUnit=51").await;
    let values = out["dataValues"].as_array().unwrap();
    let find = |de: &str| values.iter().find(|v| v["dataElement"] == de).unwrap_or_else(|| panic!("{de}: {out}"));
    assert_eq!(
        (find("CHI_CNTT")["value"].as_str(), find("CHI_CNTT")["comment"].as_str()),
        (Some("12500.5"), Some("Quyết toán, đợt 1"))
    );
    assert_eq!(find("CHI_ATTT")["comment"], "Số liệu \"chính thức\"");
    assert_eq!(find("TONG_CHI_NS")["value"], "900000");
    assert!(find("TONG_CHI_NS").get("comment").is_none(), "an empty comment is none: {out}");
    // The importing official is recorded, not the file's storedby.
    assert_eq!(find("CHI_CNTT")["storedBy"], "a.admin");
}

#[tokio::test]
async fn a_bad_csv_row_is_named_by_its_line_and_nothing_is_written_and_a_dry_run_writes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    // Line 1 header, 2 good, 3 blank, 4 not a number, 5 unknown unit, 6 a disaggregated value,
    // 7 a quoted comment over two lines (good), 9 the value of line 2 again.
    let csv = "dataElement,period,orgUnit,value,comment\n\
               CHI_CNTT,2025,51,10000,\n\
               \n\
               CHI_ATTT,2025,51,mười,\n\
               CHI_CDS,2025,99999,5,\n\
               SO_MAY_TINH,2025,51,4,\n\
               TONG_CHI_NS,2025,51,900000,\"hai\ndòng\"\n\
               CHI_CNTT,2025,51,10001,\n";
    let with_combo = csv
        .replace(
            "dataElement,period,orgUnit,value,comment",
            "dataElement,period,orgUnit,value,comment,categoryOptionCombo",
        )
        .replace("SO_MAY_TINH,2025,51,4,", "SO_MAY_TINH,2025,51,4,,Nam");
    let (st, s) = post_file(&app, &token, "", "text/csv", with_combo.into_bytes()).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    assert_eq!(s["status"], "ERROR");
    assert_eq!(
        conflicts(&s),
        [(4, "value"), (5, "orgUnit"), (6, "categoryOptionCombo"), (9, "dataElement")].map(|(r, c)| (r, c.to_string()))
    );
    let by_row = |r: u64| s["conflicts"].as_array().unwrap().iter().find(|c| c["row"] == r).unwrap().clone();
    assert!(by_row(4)["value"].as_str().unwrap().contains("'mười' không phải là số"), "{s}");
    assert_eq!(by_row(5)["object"], "99999");
    assert!(by_row(9)["value"].as_str().unwrap().contains("dòng 2 đã có giá trị"), "{s}");
    assert_eq!(s["importCount"]["ignored"], 6, "every row counted as not imported: {s}");
    assert!(values_2025(&app).await.is_empty(), "the good rows were not written");

    // A header missing a column is a problem of line 1.
    let (st, s) =
        post_file(&app, &token, "", "text/csv", b"dataElement,period,value\nCHI_CNTT,2025,1\n".to_vec()).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    assert_eq!(s["conflicts"][0]["row"], 1);
    assert_eq!(s["conflicts"][0]["object"], "orgunit");

    // A dry run of good rows counts them and writes nothing.
    let good = "dataElement,period,orgUnit,value\nCHI_CNTT,2025,51,10000\nCHI_ATTT,2025,51,500\n";
    let (st, s) = post_file(&app, &token, "?dryRun=true", "text/csv", good.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!((s["dryRun"].as_bool(), &s["importCount"]["imported"]), (Some(true), &json!(2)));
    assert!(values_2025(&app).await.is_empty(), "a dry run wrote");
    let (st, _) = post_file(&app, &token, "", "text/csv", good.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(values_2025(&app).await.len(), 2);

    // Neither JSON, CSV nor XLSX: refused, naming the content type.
    let (st, s) = post_file(&app, &token, "", "application/xml", b"<x/>".to_vec()).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{s}");
    assert_eq!(s["field"], "content-type");
}

#[tokio::test]
async fn a_csv_export_imports_again_unchanged() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let set = json!({"dataValues": [
        {"dataElement": "CHI_CNTT", "period": "2025", "orgUnit": "51", "value": "12500.5", "comment": "Quyết toán, có \"dấu ngoặc\""},
        {"dataElement": "SO_MAY_TINH", "period": "2025", "orgUnit": "51", "value": "-3"},
        {"dataElement": "CO_CHINH_SACH_TY_LE_CHI", "period": "2025", "orgUnit": "51", "value": "true", "comment": "=Nghị quyết 12"},
        {"dataElement": "SO_HO_SO_TTHC", "period": "202511", "orgUnit": "51", "value": "1520"},
        {"dataElement": "SO_HO_SO_TTHC", "period": "202511", "orgUnit": "51.SKHCN", "value": "80", "comment": "Sở"},
    ]});
    let (st, s) = app.api(&token, Method::POST, "/api/v1/dataValueSets", Some(set)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let before = app.get_json(&token, "/api/v1/dataValueSets?period=2025&orgUnit=51&children=true").await;

    let (st, ct, csv) =
        get_bytes(&app, &token, "/api/v1/dataValueSets?period=2025&orgUnit=51&children=true&format=csv", None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ct.starts_with("text/csv"), "{ct}");
    let text = String::from_utf8(csv.clone()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert_eq!(text.lines().next(), Some(DHIS2_HEADER), "DHIS2's columns: {text}");
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(text.contains("CHI_CNTT,2025,51,,,12500.5,a.admin,"), "{text}");
    assert!(text.contains("\"Quyết toán, có \"\"dấu ngoặc\"\"\""), "{text}");
    // The Accept header asks for the same file.
    let (_, ct, by_accept) =
        get_bytes(&app, &token, "/api/v1/dataValueSets?period=2025&orgUnit=51&children=true", Some("text/csv")).await;
    assert!(ct.starts_with("text/csv"));
    assert_eq!(by_accept, csv);

    let (st, s) = post_file(&app, &token, "", "text/csv", csv).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["importCount"], json!({"imported": 0, "updated": 0, "ignored": 5, "deleted": 0}));
    let after = app.get_json(&token, "/api/v1/dataValueSets?period=2025&orgUnit=51&children=true").await;
    assert_eq!(before, after, "the values are as they were");
}

#[tokio::test]
async fn xlsx_data_value_sets_import_and_export_round_trip() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let mut sheet = reports::Table::new(["orgUnit", "dataElement", "period", "value", "comment"]);
    sheet.push_row(vec!["51".into(), "CHI_CNTT".into(), "2025".into(), 10000.0.into(), "Sổ kế toán".into()]);
    sheet.push_row(vec!["51".into(), "CHI_ATTT".into(), "2025".into(), 1250.5.into(), reports::Cell::Empty]);
    sheet.push_row(vec!["51".into(), "SO_MAY_TINH".into(), "2025".into(), "bốn".into(), reports::Cell::Empty]);
    let bytes = reports::write_xlsx(&[("Số liệu", &sheet)]).unwrap();
    let (st, s) = post_file(&app, &token, "", XLSX, bytes).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    assert_eq!(conflicts(&s), [(4, "value".to_string())], "the sheet's row 4: {s}");
    assert!(values_2025(&app).await.is_empty());

    sheet.rows.pop();
    let bytes = reports::write_xlsx(&[("Số liệu", &sheet)]).unwrap();
    let (st, s) = post_file(&app, &token, "", XLSX, bytes).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["importCount"]["imported"], 2);

    let (st, ct, xlsx) =
        get_bytes(&app, &token, "/api/v1/dataValueSets?period=2025&orgUnit=51&format=xlsx", None).await;
    assert_eq!((st, ct.as_str()), (StatusCode::OK, XLSX));
    let table = reports::read_xlsx(&xlsx).unwrap();
    assert_eq!(table.headers.join(","), DHIS2_HEADER);
    let row = table.rows.iter().find(|r| r.get(0) == "CHI_ATTT").unwrap();
    assert_eq!((row.get(1), row.get(2), row.get(5)), ("2025", "51", "1250.5"));
    let (_, ct, _) = get_bytes(&app, &token, "/api/v1/dataValueSets?period=2025&orgUnit=51", Some(XLSX)).await;
    assert_eq!(ct, XLSX, "the Accept header asks for XLSX");
    let (st, s) = post_file(&app, &token, "", XLSX, xlsx).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["importCount"], json!({"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}));
    let (st, s) = app.api(&token, Method::GET, "/api/v1/dataValueSets?period=2025&orgUnit=51&format=pdf", None).await;
    assert_eq!((st, s["field"].as_str()), (StatusCode::BAD_REQUEST, Some("format")));
}

/// A Vietnamese official types "mười hai" in a number field: the grid comes back with the
/// message beside that indicator, the other values as typed, and nothing saved.
#[tokio::test]
async fn the_entry_grid_names_a_non_numeric_value_beside_its_indicator_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let (st, html) = get_page(&app, &client, "/indicators/entry?org=51&period=2025").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("Tỉnh Quảng Ngãi · Năm 2025"), "{html}");
    assert!(html.contains(r#"name="value.CHI_CNTT""#) && html.contains(r#"name="comment.CHI_CNTT""#));
    assert!(html.contains("<h3>Kinh phí</h3>"), "grouped by what they measure");
    // Ratios are computed, not typed in; monthly indicators belong to monthly grids.
    assert!(html.contains("TY_LE_CHI_ATTT_CNTT") && !html.contains(r#"name="value.TY_LE_CHI_ATTT_CNTT""#));
    assert!(!html.contains(">SO_HO_SO_TTHC<"), "monthly indicators are not in a yearly grid");

    let form = [
        ("org", "51"),
        ("period", "2025"),
        ("value.CHI_CNTT", "mười hai"),
        ("comment.CHI_CNTT", "Theo báo cáo"),
        ("value.CHI_ATTT", "1.300"),
        ("comment.CHI_ATTT", "Quyết toán"),
        ("value.SO_MAY_TINH", "4,5"),
    ];
    let res = app.post_form(&client, &csrf, "/indicators/entry", &form).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Chưa lưu số liệu nào: 2 chỉ tiêu có lỗi"), "{html}");
    let err = regex::Regex::new(r#"id="err-CHI_CNTT"[^>]*>([^<]*)<"#).unwrap();
    let msg = &err.captures(&html).unwrap_or_else(|| panic!("no error beside CHI_CNTT: {html}"))[1];
    assert!(
        msg.contains("&#39;mười hai&#39; không phải là số") || msg.contains("'mười hai' không phải là số"),
        "{msg}"
    );
    assert!(html.contains(r#"id="err-SO_MAY_TINH""#) && html.contains("không phải là số nguyên"), "{html}");
    assert!(html.contains(r#"value="mười hai""#) && html.contains(r#"value="1.300""#), "typed values kept");
    assert!(html.contains(r#"value="Quyết toán""#), "typed comments kept");
    assert!(values_2025(&app).await.is_empty(), "nothing written");

    // The API twin answers the same problem in `rows`, naming the indicator.
    let token = app.token("a.admin", PASSWORD).await;
    let body = json!({"org": "51", "period": "2025", "values": [{"indicator": "CHI_CNTT", "value": "mười hai"}]});
    let (st, p) = app.api(&token, Method::POST, "/api/v1/data-entry", Some(body)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["rows"][0]["column"], "CHI_CNTT");
    assert!(p["rows"][0]["message"].as_str().unwrap().contains("không phải là số"), "{p}");
    assert!(values_2025(&app).await.is_empty());
}

/// Saving the grid: values shown back the Vietnamese way with who and when, the computed ratio,
/// the security-spending rule of seed 003 IV.6 failing below 10 % and passing once raised, and a
/// value out of range saved with a warning and listed on the data-quality page.
#[tokio::test]
async fn the_entry_grid_saves_flags_out_of_range_values_and_shows_the_seed_rules() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let form = [
        ("org", "51"),
        ("period", "2025"),
        ("value.CHI_CNTT", "10.000"),
        ("comment.CHI_CNTT", "Quyết toán"),
        ("value.CHI_ATTT", "500"),
        ("value.TONG_CHI_NS", "1.000.000,5"),
        ("value.CHI_CDS", "12.000"),
        ("value.SO_MAY_TINH", "-3"),
        ("value.CO_CHINH_SACH_TY_LE_CHI", "có"),
        ("value.SO_CBCC", ""),
    ];
    let res = app.post_form(&client, &csrf, "/indicators/entry", &form).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.contains("imported=6"), "{to}");
    let (st, html) = get_page(&app, &client, &to).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("Đã lưu số liệu: 6 giá trị mới, 0 giá trị thay đổi"), "{html}");
    assert!(html.contains(r#"name="value.CHI_CNTT" value="10000""#), "{html}");
    assert!(html.contains(r#"name="value.TONG_CHI_NS" value="1000000,5""#), "every decimal kept: {html}");
    assert!(html.contains(r#"<option value="có" selected>"#), "{html}");
    assert!(html.contains("Quản trị Quảng Ngãi, "), "who changed it: {html}");
    // 500 / 10.000 = 5 %, computed and shown read-only.
    assert!(html.contains(r#"<strong id="v-TY_LE_CHI_ATTT_CNTT">5</strong>"#), "{html}");
    // The out-of-range count is saved with its warning.
    assert!(html.contains("⚠ Giá trị -3 nhỏ hơn mức dự kiến tối thiểu 0"), "{html}");
    // The rules after saving: security spending below 10 % fails, DX spending 1,2 % passes.
    let rules = &html[html.find("Kiểm tra số liệu").unwrap()..];
    assert!(
        rules.contains("Không đạt</span> Không đạt: Chi cho an toàn thông tin mạng đạt tối thiểu 10% tổng kinh phí ứng dụng CNTT: 5 so với yêu cầu ≥ 10."),
        "{rules}"
    );
    assert!(rules.contains("003_78fc1cb0f2550b87.txt, Phụ lục I, Phần II, mục IV.6"), "{rules}");
    assert!(
        rules.contains("Đạt</span> Đạt: Chi cho phát triển chính quyền số đạt tối thiểu 1% tổng chi ngân sách: 1,2"),
        "{rules}"
    );
    assert!(html.contains("1 quy tắc kiểm tra không đạt. 1 giá trị nằm ngoài khoảng dự kiến."), "{html}");

    // The data-quality page lists both, each linking to the grid where it is fixed.
    let (st, dq) = get_page(&app, &client, "/data-quality?org=51&period=2025").await;
    assert_eq!(st, StatusCode::OK, "{dq}");
    assert!(dq.contains("Quy tắc kiểm tra không đạt (1)") && dq.contains("5 so với yêu cầu ≥ 10"), "{dq}");
    assert!(dq.contains("Giá trị ngoài khoảng dự kiến (1)") && dq.contains("SO_MAY_TINH"), "{dq}");
    assert!(dq.contains(r#"href="/indicators/entry?org=51&#38;period=2025""#), "{dq}");
    // The same content as the API.
    let token = app.token("a.admin", PASSWORD).await;
    let q = app.get_json(&token, "/api/v1/data-quality?org=51&period=2025").await;
    assert_eq!((q["failures"].as_array().unwrap().len(), q["flagged"].as_array().unwrap().len()), (1, 1), "{q}");
    assert_eq!(q["flagged"][0]["name"], "Số máy tính phục vụ công việc của cán bộ, công chức");

    // Security spending raised to 12 %: the rule passes; the change is counted as such.
    let res = app
        .post_form(
            &client,
            &csrf,
            "/indicators/entry",
            &[
                ("org", "51"),
                ("period", "2025"),
                ("value.CHI_ATTT", "1.200"),
                ("value.CHI_CNTT", "10000"),
                ("comment.CHI_CNTT", "Quyết toán"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_page(&app, &client, &location(&res)).await;
    assert!(html.contains("0 giá trị mới, 1 giá trị thay đổi, 1 giá trị không đổi"), "{html}");
    assert!(html.contains("Đạt</span> Đạt: Chi cho an toàn thông tin mạng"), "{html}");
    let grid = app.get_json(&token, "/api/v1/data-entry?org=51&period=2025").await;
    let row = |code: &str| grid["rows"].as_array().unwrap().iter().find(|r| r["indicator"] == code).unwrap().clone();
    assert_eq!(
        (row("CHI_ATTT")["value"].as_f64(), row("TY_LE_CHI_ATTT_CNTT")["value"].as_f64()),
        (Some(1200.0), Some(12.0))
    );
    assert_eq!(row("CHI_CNTT")["comment"], "Quyết toán");
    assert!(row("SO_MAY_TINH")["flag"].as_str().unwrap().contains("-3"), "{grid}");
    let attt =
        grid["rules"].as_array().unwrap().iter().find(|r| r["rule"] == "ATTT_TOI_THIEU_10_PHAN_TRAM_CNTT").unwrap();
    assert_eq!(attt["status"], "pass");
}

/// Targets per unit and period: set on the page (a bad number refused beside its unit, nothing
/// set), through the API (all or none, audited), shown with the progress towards them on the
/// grid and the roll-up page.
#[tokio::test]
async fn targets_are_set_per_unit_and_period_and_shown_with_progress() {
    let app = TestApp::spawn().await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let token = app.token("a.admin", PASSWORD).await;
    let (st, html) = get_page(&app, &client, "/indicators/targets?indicator=CHI_CNTT&org=51&period=2025").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("Xã Bình Sơn") && html.contains(r#"name="target""#), "the province and its communes: {html}");

    let bad = [
        ("indicator", "CHI_CNTT"),
        ("org", "51"),
        ("period", "2025"),
        ("unit", "51"),
        ("target", "20.000"),
        ("note", "Nghị quyết HĐND tỉnh"),
        ("unit", "21040"),
        ("target", "hai trăm"),
        ("note", ""),
    ];
    let res = app.post_form(&client, &csrf, "/indicators/targets", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="err-21040""#) && html.contains("không phải là số"), "{html}");
    assert!(html.contains(r#"value="hai trăm""#), "{html}");
    let none = app.get_json(&token, "/api/v1/indicators/CHI_CNTT/targets?org=51&period=2025").await;
    assert_eq!(none, json!([]), "nothing set");

    let good = [&bad[..7], &[("target", "300"), ("note", "")]].concat();
    let res = app.post_form(&client, &csrf, "/indicators/targets", &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = get_page(&app, &client, &location(&res)).await;
    assert!(html.contains("Đã lưu chỉ tiêu kế hoạch.") && html.contains(r#"value="20000""#), "{html}");
    let set = app.get_json(&token, "/api/v1/indicators/CHI_CNTT/targets?org=51&period=2025").await;
    assert_eq!(set.as_array().unwrap().len(), 2, "{set}");
    assert_eq!((set[0]["org"]["code"].as_str(), set[0]["value"].as_f64()), (Some("51"), Some(20000.0)));
    assert_eq!(set[0]["note"], "Nghị quyết HĐND tỉnh");

    // A figure of 10.000 is 50 % of the target, on the grid and on the roll-up page.
    let entry = [("org", "51"), ("period", "2025"), ("value.CHI_CNTT", "10.000")];
    assert_eq!(app.post_form(&client, &csrf, "/indicators/entry", &entry).await.status(), StatusCode::SEE_OTHER);
    let (_, grid) = get_page(&app, &client, "/indicators/entry?org=51&period=2025").await;
    assert!(grid.contains("20.000 triệu đồng<br><small>đạt 50%</small>"), "{grid}");
    let (_, page) = get_page(&app, &client, "/indicators/CHI_CNTT?org=51&period=2025&structure=then").await;
    assert!(page.contains("10.000 triệu đồng") && page.contains("đạt <strong>50%</strong>"), "{page}");
    let r = app.get_json(&token, "/api/v1/indicators/CHI_CNTT/rollup?org=51&period=2025&structure=then").await;
    assert_eq!(
        (r["target"].as_f64(), r["progress"].as_f64(), r["editable"].as_bool()),
        (Some(20000.0), Some(50.0), Some(true)),
        "{r}"
    );

    // The API: a period finer than the indicator's is refused with the row named; another
    // province's admin may not set 51's targets; a good change is audited.
    let put = |targets: Value| json!({ "targets": targets });
    let (st, p) = app
        .api(
            &token,
            Method::PUT,
            "/api/v1/indicators/CHI_CNTT/targets",
            Some(put(json!([
                {"org": "51", "period": "2026", "value": 25000},
                {"org": "51", "period": "202601", "value": 1}
            ]))),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!((p["rows"][0]["line"].as_u64(), p["rows"][0]["column"].as_str()), (Some(2), Some("51")), "{p}");
    assert!(p["rows"][0]["message"].as_str().unwrap().contains("kỳ năm"), "{p}");
    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) = app
        .api(
            &b,
            Method::PUT,
            "/api/v1/indicators/CHI_CNTT/targets",
            Some(put(json!([{"org": "51", "period": "2026", "value": 1}]))),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, saved) = app
        .api(
            &token,
            Method::PUT,
            "/api/v1/indicators/CHI_CNTT/targets",
            Some(put(json!([{"org": "51", "period": "2026", "value": 25000}]))),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    assert_eq!(saved[0]["value_label"], "25.000");
    let audit = app.get_json(&token, "/api/v1/audit?limit=20").await;
    let entry = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "indicator.targets")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(entry["entity_id"], "CHI_CNTT", "{entry}");
}

/// Another province's admin can neither open nor save Quảng Ngãi's grid (page or API); its
/// auditor reads it and cannot save.
#[tokio::test]
async fn only_the_units_own_people_open_the_grid_and_an_auditor_cannot_save() {
    let app = TestApp::spawn().await;
    let (admin, admin_csrf) = app.sign_in("a.admin", PASSWORD).await;
    let entry = [("org", "51"), ("period", "2025"), ("value.CHI_CNTT", "10.000")];
    assert_eq!(app.post_form(&admin, &admin_csrf, "/indicators/entry", &entry).await.status(), StatusCode::SEE_OTHER);
    let before = values_2025(&app).await;

    let (b, b_csrf) = app.sign_in("b.admin", PASSWORD).await;
    let (st, html) = get_page(&app, &b, "/indicators/entry?org=51&period=2025").await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND, "{st}");
    assert!(!html.contains("10000") && !html.contains("name=\"value."), "{html}");
    let res = app
        .post_form(&b, &b_csrf, "/indicators/entry", &[("org", "51"), ("period", "2025"), ("value.CHI_CNTT", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let b_token = app.token("b.admin", PASSWORD).await;
    let (st, _) = app.api(&b_token, Method::GET, "/api/v1/data-entry?org=51&period=2025", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get_page(&app, &b, "/data-quality?org=51&period=2025").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get_page(&app, &b, "/indicators/CHI_CNTT?org=51&period=2025").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // B's own grid opens, and the unit picker offers Hà Nội, not Quảng Ngãi.
    let (st, html) = get_page(&app, &b, "/indicators/entry?period=2025").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("Thành phố Hà Nội · Năm 2025") && !html.contains("Quảng Ngãi"), "{html}");

    let (auditor, auditor_csrf) = app.sign_in("a.auditor", PASSWORD).await;
    let (st, html) = get_page(&app, &auditor, "/indicators/entry?org=51&period=2025").await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("Bạn chỉ có quyền xem số liệu của đơn vị này.") && html.contains(">10.000<"), "{html}");
    assert!(!html.contains("name=\"value.") && !html.contains("Lưu số liệu"), "{html}");
    let res = app
        .post_form(
            &auditor,
            &auditor_csrf,
            "/indicators/entry",
            &[("org", "51"), ("period", "2025"), ("value.CHI_CNTT", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let a_token = app.token("a.auditor", PASSWORD).await;
    let body = json!({"org": "51", "period": "2025", "values": [{"indicator": "CHI_CNTT", "value": "1"}]});
    let (st, _) = app.api(&a_token, Method::POST, "/api/v1/data-entry", Some(body)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let res = app
        .post_form(
            &auditor,
            &auditor_csrf,
            "/indicators/targets",
            &[
                ("indicator", "CHI_CNTT"),
                ("org", "51"),
                ("period", "2025"),
                ("unit", "51"),
                ("target", "5"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(values_2025(&app).await, before, "nothing changed");
}

/// The roll-up page of a province merged in 2025: 2024 figures of Quảng Ngãi (51) and Kon Tum
/// (62) count for today's Quảng Ngãi "as of now", whose children are today's communes; "as of
/// then" they stay with the old provinces, whose children were districts.
#[tokio::test]
async fn the_roll_up_page_shows_the_structure_then_or_now() {
    let app = TestApp::spawn().await;
    let token = app.token("root.admin", PASSWORD).await;
    let set = json!({"dataValues": [
        {"dataElement": "CHI_CNTT", "period": "2024", "orgUnit": "51", "value": "10000"},
        {"dataElement": "CHI_CNTT", "period": "2024", "orgUnit": "62", "value": "1000"},
    ]});
    let (st, s) = app.api(&token, Method::POST, "/api/v1/dataValueSets", Some(set)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let (client, _) = app.sign_in("root.admin", PASSWORD).await;

    let (st, now) = get_page(&app, &client, "/indicators/CHI_CNTT?org=VN&period=2024&structure=now").await;
    assert_eq!(st, StatusCode::OK, "{now}");
    assert!(now.contains("<p class=\"big\">11.000 triệu đồng</p>"), "{now}");
    assert!(now.contains("Tỉnh Quảng Ngãi</a> <small>51</small></td><td class=\"num\">11.000 triệu đồng"), "{now}");
    assert!(!now.contains("Tỉnh Kon Tum"), "Kon Tum is gone now: {now}");
    assert!(
        now.contains(r#"href="/indicators/CHI_CNTT?org=51&#38;period=2024&#38;structure=now""#),
        "each child links down"
    );
    assert!(now.contains("Số liệu của đơn vị đã sáp nhập"), "the rule is stated: {now}");

    let (st, then) = get_page(&app, &client, "/indicators/CHI_CNTT?org=VN&period=2024&structure=then").await;
    assert_eq!(st, StatusCode::OK);
    assert!(then.contains("Tỉnh Kon Tum</a> <small>62</small></td><td class=\"num\">1.000 triệu đồng"), "{then}");
    assert!(then.contains("Tỉnh Quảng Ngãi</a> <small>51</small></td><td class=\"num\">10.000 triệu đồng"), "{then}");

    // The merged province itself: communes of today's province now, the old districts then.
    let (_, now51) = get_page(&app, &client, "/indicators/CHI_CNTT?org=51&period=2024&structure=now").await;
    assert!(now51.contains("Phường Kon Tum") && !now51.contains("Huyện Bình Sơn"), "{now51}");
    assert!(now51.contains("<p class=\"big\">11.000 triệu đồng</p>"), "{now51}");
    let (_, then51) = get_page(&app, &client, "/indicators/CHI_CNTT?org=51&period=2024&structure=then").await;
    assert!(then51.contains("Huyện Bình Sơn") && !then51.contains("Phường Kon Tum"), "{then51}");
    assert!(then51.contains("<p class=\"big\">10.000 triệu đồng</p>"), "{then51}");
    // The rows behind: the entry grid of the old province, and the values as DHIS2 CSV.
    assert!(then51.contains(r#"href="/indicators/entry?org=51&#38;period=2024""#), "{then51}");
    let (_, grid) = get_page(&app, &client, "/indicators/entry?org=51&period=2024").await;
    assert!(grid.contains(r#"name="value.CHI_CNTT" value="10000""#), "{grid}");

    // The list of definitions links each to its roll-up and cites the seed.
    let (st, list) = get_page(&app, &client, "/indicators").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains(r#"href="/indicators/CHI_ATTT""#) && list.contains("003_78fc1cb0f2550b87.txt"), "{list}");
    assert!(list.contains("Tỷ lệ của tổng tử số trên tổng mẫu số: Σ CHI_ATTT / Σ CHI_CNTT × 100"), "{list}");
}

/// The demo shows the indicator pages at work: Quảng Ngãi's figures of this year with targets,
/// last year's security spending below 10 % on the data-quality page, monthly online files.
#[tokio::test]
async fn the_demo_has_figures_targets_and_a_data_quality_finding() {
    use domain::services::indicators::Structure;
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::test_config(dir.path());
    let clock = std::sync::Arc::new(domain::clock::ManualClock::new(crate::plan_pages::start()));
    let app = dxgov::app::App::open(&config, clock, true).await.unwrap();
    let s = &app.services;
    dxgov::demo::load(s, PASSWORD).await.unwrap();
    let admin = s.login("qngai.quantri", PASSWORD, None).await.unwrap();
    let grid = s.entry_grid(&admin, "51", "2026").await.unwrap();
    let cds = grid.rows.iter().find(|r| r.indicator == "CHI_CDS").unwrap();
    assert_eq!((cds.value.as_ref().and_then(|v| v.as_number()), cds.target), (Some(215_000.0), Some(230_000.0)));
    assert!(cds.progress.is_some_and(|p| (p - 215.0 / 230.0 * 100.0).abs() < 1e-9));
    let q = s.data_quality(&admin, "51", "2025").await.unwrap();
    let attt = q.failures.iter().find(|f| f.rule == "ATTT_TOI_THIEU_10_PHAN_TRAM_CNTT").expect("last year's finding");
    assert!(attt.message.contains("8,5"), "{}", attt.message);
    let online = s.roll_up(&admin, "TY_LE_HO_SO_TOAN_TRINH", "2026", "51", Structure::Now).await.unwrap();
    assert!(online.value.is_some() && online.inputs == 10, "January to October: {online:?}");
}
