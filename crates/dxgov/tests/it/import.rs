//! Importing tasks from CSV and XLSX files (all rows or none, every problem named by line and
//! column) through the page and the API, and exporting the task list so that it imports again.

use reports::{Cell, Table};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::harness::{PASSWORD, TestApp};
use crate::plan_pages::{d, draft_plan, multipart, post_multipart, run_plan, start};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Posts a file to the import API; the status and the JSON body.
async fn import(app: &TestApp, token: &str, plan: i64, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let res = Client::new()
        .post(app.url(&format!("/api/v1/plans/{plan}/tasks/import")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn task_count(app: &TestApp, token: &str, plan: i64) -> u64 {
    app.get_json(token, &format!("/api/v1/tasks?plan={plan}")).await["total"].as_u64().unwrap()
}

/// Three good rows (lines 2, 4, 6) and two bad ones: line 3 names an unknown unit and a date
/// that is no date; line 5 ends before it starts and names an unknown person.
const MIXED_CSV: &str = "\u{feff}Số thứ tự,Tên nhiệm vụ,Mô tả,Đơn vị chủ trì,Đơn vị phối hợp,Người thực hiện,Ngày bắt đầu,Hạn hoàn thành\r\n\
1,Số hóa hồ sơ lưu trữ,Toàn bộ hồ sơ từ năm 2015,51.SKHCN,01; 51,a.officer,01/12/2026,31/12/2026\r\n\
2,Nâng cấp cổng dịch vụ công,,99.KHONGCO,,,30/02/2026,31/12/2026\r\n\
3,Đào tạo kỹ năng số,\"Hai lớp, mỗi lớp 40 người\",,,,,15/12/2026\r\n\
4,Triển khai chữ ký số,,51,,khong.co.ai,20/12/2026,10/12/2026\r\n\
5,Báo cáo kết quả năm,,,,a.officer,,2026-12-25\r\n";

fn problems(v: &Value) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_every_line_and_column() {
    let app = TestApp::spawn_at(start()).await;
    let token = app.token("a.admin", PASSWORD).await;
    let plan = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;

    let (st, p) = import(&app, &token, plan, "text/csv", MIXED_CSV.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["type"], "/problems/import-rejected");
    let expected: Vec<(u64, String)> = vec![
        (3, "Ngày bắt đầu".into()),
        (3, "Đơn vị chủ trì".into()),
        (5, "Hạn hoàn thành".into()),
        (5, "Người thực hiện".into()),
    ];
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(problems(&p), expected_sorted, "{p}");
    let text = p.to_string();
    for needle in ["99.KHONGCO", "30/02/2026", "khong.co.ai", "trước ngày bắt đầu"] {
        assert!(text.contains(needle), "{needle} in {p}");
    }
    assert_eq!(task_count(&app, &token, plan).await, 0, "nothing imported");

    // The page shows the same report as a table, and imports nothing either.
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;
    let res = client.get(app.url(&format!("/plans/{plan}/import"))).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Tên nhiệm vụ") && html.contains("Hạn hoàn thành") && html.contains("multipart/form-data"));
    let res = post_multipart(
        &app,
        &client,
        &format!("/plans/{plan}/import"),
        multipart(&csrf, &[], Some(("file", "nhiem-vu.csv", MIXED_CSV.as_bytes()))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Không nhập nhiệm vụ nào: tệp có 4 lỗi"), "{html}");
    for (line, column) in &expected {
        assert!(html.contains(&format!(r#"<td class="num">{line}</td><td>{column}</td>"#)), "{line} {column}: {html}");
    }
    assert_eq!(task_count(&app, &token, plan).await, 0);

    // Columns the import does not know, or a missing required one, are problems of line 1.
    let csv = "Tên việc,Hạn hoàn thành,Ghi chú\nSố hóa,31/12/2026,x\n";
    let (st, p) = import(&app, &token, plan, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problems(&p),
        vec![(1, "Ghi chú".to_string()), (1, "Tên nhiệm vụ".to_string()), (1, "Tên việc".to_string())],
        "{p}"
    );
    // Not a table at all; a file that is not UTF-8; another content type.
    let (st, p) = import(&app, &token, plan, XLSX, b"PK\x03\x04 hong".to_vec()).await;
    assert_eq!(
        (st, p["rows"][0]["message"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Tệp không phải XLSX hợp lệ"))
    );
    let (st, p) = import(&app, &token, plan, "text/csv", b"T\xean nhi\xe1m v\xfb,H\xe1n\n".to_vec()).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["rows"][0]["message"].as_str().unwrap().contains("UTF-8"), "{p}");
    let (st, p) = import(&app, &token, plan, "application/json", b"{}".to_vec()).await;
    assert_eq!((st, p["field"].as_str()), (StatusCode::BAD_REQUEST, Some("content-type")));
    assert_eq!(task_count(&app, &token, plan).await, 0);
}

/// The good rows of [`MIXED_CSV`] as a workbook, with headers in capitals and without marks.
fn good_xlsx() -> Vec<u8> {
    let mut t = Table::new([
        "SO THU TU",
        "ten nhiem vu",
        "Mô tả",
        "Don vi chu tri",
        "Đơn vị phối hợp",
        "Người thực hiện",
        "Ngày bắt đầu",
        "HẠN HOÀN THÀNH",
    ]);
    t.push_row(vec![
        "1".into(),
        "Số hóa hồ sơ lưu trữ".into(),
        "Toàn bộ hồ sơ từ năm 2015".into(),
        "51.SKHCN".into(),
        "01; 51".into(),
        "a.officer".into(),
        Cell::Date(d(2026, 12, 1)),
        Cell::Date(d(2026, 12, 31)),
    ]);
    t.push_row(vec![
        "3".into(),
        "Đào tạo kỹ năng số".into(),
        "Hai lớp, mỗi lớp 40 người".into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        "15/12/2026".into(),
    ]);
    t.push_row(vec![
        Cell::Int(5),
        "Báo cáo kết quả năm".into(),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        "a.officer".into(),
        Cell::Empty,
        "2026-12-25".into(),
    ]);
    reports::write_xlsx(&[("Nhiệm vụ", &t)]).unwrap()
}

#[tokio::test]
async fn a_good_workbook_imports_every_row_through_the_page_and_the_api() {
    let app = TestApp::spawn_at(start()).await;
    let token = app.token("a.admin", PASSWORD).await;
    let plan = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;
    let (client, csrf) = app.sign_in("a.admin", PASSWORD).await;

    let res = post_multipart(
        &app,
        &client,
        &format!("/plans/{plan}/import"),
        multipart(&csrf, &[], Some(("file", "nhiem-vu.xlsx", &good_xlsx()))),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let html = client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Đã nhập 3 nhiệm vụ từ tệp.") && html.contains("Số hóa hồ sơ lưu trữ"), "{html}");

    let tasks = app.get_json(&token, &format!("/api/v1/tasks?plan={plan}&sort=code")).await;
    assert_eq!(tasks["total"], 3, "{tasks}");
    let first = &tasks["items"][0];
    assert_eq!((first["code"].as_str(), first["title"].as_str()), (Some("1"), Some("Số hóa hồ sơ lưu trữ")));
    assert_eq!((first["start_date"].as_str(), first["deadline"].as_str()), (Some("2026-12-01"), Some("2026-12-31")));
    assert_eq!(first["lead"]["code"], "51.SKHCN");
    let coordinating: Vec<&str> =
        first["coordinating"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
    assert_eq!(coordinating, ["01", "51"]);
    assert_eq!(first["assignees"][0]["username"], "a.officer");
    assert_eq!(tasks["items"][1]["lead"]["code"], "51", "the plan's unit leads by default");
    assert_eq!(tasks["items"][1]["description"], "Hai lớp, mỗi lớp 40 người");
    assert_eq!(tasks["items"][2]["code"], "5", "a number cell reads as its digits");
    let history = app.get_json(&token, &format!("/api/v1/tasks/{}", first["id"])).await;
    assert_eq!(history["history"][0]["kind"], "created");

    // The API takes the same file; a plan no longer a draft takes none.
    let (st, r) = import(&app, &token, plan, XLSX, good_xlsx()).await;
    assert_eq!((st, r["imported"].as_u64()), (StatusCode::OK, Some(3)), "{r}");
    assert_eq!(r["ids"].as_array().unwrap().len(), 3);
    assert_eq!(task_count(&app, &token, plan).await, 6);
    run_plan(&app, plan).await;
    let (st, p) = import(&app, &token, plan, XLSX, good_xlsx()).await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    assert_eq!(task_count(&app, &token, plan).await, 6);

    // A's auditor reads the plan but may not import into it; B's admin does not even see it.
    let auditor = app.token("a.auditor", PASSWORD).await;
    let other = draft_plan(&app, "Kế hoạch khác", false).await;
    let (st, _) = import(&app, &auditor, other, XLSX, good_xlsx()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) = import(&app, &b, other, XLSX, good_xlsx()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(task_count(&app, &token, other).await, 0);
}

/// What a task is, as far as an import can say it.
fn essence(t: &Value) -> Value {
    let codes = |k: &str, f: &str| -> Vec<String> {
        t[k].as_array().unwrap().iter().map(|x| x[f].as_str().unwrap().to_string()).collect()
    };
    serde_json::json!({
        "code": t["code"], "title": t["title"], "description": t["description"], "lead": t["lead"]["code"],
        "coordinating": codes("coordinating", "code"), "assignees": codes("assignees", "username"),
        "start_date": t["start_date"], "deadline": t["deadline"],
    })
}

async fn essences(app: &TestApp, token: &str, plan: i64) -> Vec<Value> {
    let tasks = app.get_json(token, &format!("/api/v1/tasks?plan={plan}&sort=code&limit=200")).await;
    tasks["items"].as_array().unwrap().iter().map(essence).collect()
}

#[tokio::test]
async fn an_exported_task_list_imports_again_unchanged() {
    let app = TestApp::spawn_at(start()).await;
    let token = app.token("a.admin", PASSWORD).await;
    // The framework's tasks (long descriptions over several lines, citations) and some of our own
    // with units, people and text a spreadsheet would take for a formula.
    let source = draft_plan(&app, "Kế hoạch CĐS năm 2026", true).await;
    let csv = "Tên nhiệm vụ,Hạn hoàn thành,Ngày bắt đầu,Đơn vị phối hợp,Người thực hiện,Mô tả,Số thứ tự\n\
        =Tổng hợp số liệu,31/12/2026,01/12/2026,01;79,a.officer;a.admin,\"-Dòng một\nDòng hai, có dấu phẩy \"\"trích\"\"\",Z.9\n";
    let (st, r) = import(&app, &token, source, "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let before = essences(&app, &token, source).await;
    assert_eq!(before.len(), 37);
    assert!(
        before
            .iter()
            .any(|t| t["title"] == "=Tổng hợp số liệu" && t["coordinating"] == serde_json::json!(["01", "79"]))
    );

    for (ext, content_type) in [("csv", "text/csv"), ("xlsx", XLSX)] {
        let res = Client::new()
            .get(app.url(&format!("/api/v1/tasks/export.{ext}?plan={source}&sort=code")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(content_type));
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains(&format!("nhiem-vu-20261122.{ext}")));
        let file = res.bytes().await.unwrap().to_vec();
        let table = if ext == "csv" { reports::read_csv(&file).unwrap() } else { reports::read_xlsx(&file).unwrap() };
        assert_eq!(
            table.headers,
            [
                "Số thứ tự",
                "Tên nhiệm vụ",
                "Mô tả",
                "Đơn vị chủ trì",
                "Đơn vị phối hợp",
                "Người thực hiện",
                "Ngày bắt đầu",
                "Hạn hoàn thành",
                "Trạng thái",
                "Tiến độ (%)",
                "Ngày hoàn thành",
                "Kế hoạch",
                "Cơ quan"
            ]
        );
        assert_eq!(table.rows.len(), 37);

        let copy = draft_plan(&app, &format!("Bản sao ({ext})"), false).await;
        let (st, r) = import(&app, &token, copy, content_type, file).await;
        assert_eq!((st, r["imported"].as_u64()), (StatusCode::OK, Some(37)), "{r}");
        assert_eq!(essences(&app, &token, copy).await, before, "{ext} round trip");
    }
}

/// A list longer than the count's cap: the total says "more than 10.000", paging goes on past
/// it while pages come back full, and the export still carries every row.
#[tokio::test]
async fn a_list_past_the_count_cap_says_more_than_and_still_pages_and_exports_every_row() {
    let app = TestApp::spawn_at(start()).await;
    let token = app.token("a.admin", PASSWORD).await;
    let plan = draft_plan(&app, "Kế hoạch CĐS năm 2026", false).await;
    let mut csv = String::from(
        "Số thứ tự,Tên nhiệm vụ,Mô tả,Đơn vị chủ trì,Đơn vị phối hợp,Người thực hiện,Ngày bắt đầu,Hạn hoàn thành\n",
    );
    for i in 1..=10_030 {
        csv.push_str(&format!("NK.{i},Nhiệm vụ số {i},,51,,,,{:02}/12/2026\n", 1 + i % 28));
    }
    let (st, p) = import(&app, &token, plan, "text/csv", csv.into_bytes()).await;
    assert_eq!(st, StatusCode::OK, "{p}");

    let first = app.get_json(&token, &format!("/api/v1/tasks?plan={plan}&limit=50")).await;
    assert_eq!((first["total"].as_u64(), first["total_capped"].as_bool()), (Some(10_000), Some(true)));
    let last = app.get_json(&token, &format!("/api/v1/tasks?plan={plan}&offset=10000&limit=50")).await;
    assert_eq!(last["items"].as_array().unwrap().len(), 30, "the 30 rows past the cap");
    // Under the cap the count is exact: "số 1000" and "số 10000" to "số 10009".
    let exact = app.get_json(&token, &format!("/api/v1/tasks?plan={plan}&q=so%201000&limit=1")).await;
    assert_eq!((exact["total"].as_u64(), exact["total_capped"].as_bool()), (Some(11), Some(false)), "{exact}");

    let (client, _) = app.sign_in("a.admin", PASSWORD).await;
    let page = |path: String| {
        let req = client.get(app.url(&path));
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let html = page(format!("/tasks?plan={plan}")).await;
    assert!(html.contains("<strong>hơn 10.000</strong> nhiệm vụ"), "{html}");
    let html = page(format!("/tasks?plan={plan}&offset=9950")).await;
    assert!(html.contains("offset=10000"), "a next page past the cap");
    let html = page(format!("/tasks?plan={plan}&offset=10000")).await;
    assert!(!html.contains("offset=10050"), "no next page after the last rows");

    let res = Client::new()
        .get(app.url(&format!("/api/v1/tasks/export.csv?plan={plan}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 10_030, "header and every task");
}
