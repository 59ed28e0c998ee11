//! Indicators: the shipped definitions, and DHIS2 data value sets imported all or nothing (every
//! conflict named by row), with `dryRun`, counts of new, changed and unchanged values, and the
//! out-of-range flag.

use domain::audit::AuditDraft;
use domain::indicators::{AggregationRule, Indicator, IndicatorCode, PeriodType, Unit, ValueType};
use domain::repo::indicators::IndicatorStore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp};

fn set(rows: &[(&str, &str, &str, &str)]) -> Value {
    json!({ "dataValues": rows.iter().map(|(de, pe, ou, v)| json!({
        "dataElement": de, "period": pe, "orgUnit": ou, "value": v, "comment": "Số liệu của Sở"
    })).collect::<Vec<_>>() })
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.api(token, Method::POST, path, Some(body)).await
}

#[tokio::test]
async fn the_shipped_indicators_are_loaded_once_with_their_seed_citations() {
    let app = TestApp::spawn().await;
    let token = app.token("a.officer", PASSWORD).await;
    let list = app.get_json(&token, "/api/v1/indicators").await;
    let list = list.as_array().unwrap();
    assert!(list.len() >= 20, "{}", list.len());
    let attt = list.iter().find(|i| i["code"] == "TY_LE_CHI_ATTT_CNTT").expect("the 10 % rule's ratio");
    assert_eq!(attt["aggregation"]["kind"], "ratio_of_sums", "{attt}");
    assert!(list.iter().all(|i| i["cite"].as_str().is_some_and(|c| c.contains("_"))), "every one cites its seed");
    let app = app.restart().await;
    let again = app.get_json(&token, "/api/v1/indicators").await;
    assert_eq!(again.as_array().unwrap().len(), list.len(), "a restart adds nothing twice");
}

#[tokio::test]
async fn a_data_value_set_imports_whole_counts_changes_and_flags_values_out_of_range() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let rows = [
        ("CHI_CNTT", "2025", "51", "12500.5"),
        ("CHI_ATTT", "2025", "51", "1300"),
        ("TONG_CHI_NS", "2025", "51", "900000"),
    ];

    // A dry run counts and writes nothing.
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets?dryRun=true", set(&rows)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!((s["status"].as_str(), s["dryRun"].as_bool()), (Some("SUCCESS"), Some(true)));
    assert_eq!(s["importCount"]["imported"], 3);
    let year = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
    let ids: Vec<i64> = app.app.db.indicator_list().await.unwrap().iter().map(|i| i.id).collect();
    assert!(app.app.db.value_points(&ids, year(2025), year(2026)).await.unwrap().is_empty(), "dry run wrote");

    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!(
        (st, &s["importCount"]),
        (StatusCode::OK, &json!({"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}))
    );
    let points = app.app.db.value_points(&ids, year(2025), year(2026)).await.unwrap();
    assert_eq!(points.len(), 3);
    assert!(points.iter().any(|p| p.value == 12500.5), "a DHIS2 decimal point: {points:?}");

    // Again with one figure changed: one update, two unchanged.
    let changed = [rows[0], ("CHI_ATTT", "2025", "51", "1350"), rows[2]];
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&changed)).await;
    assert_eq!(
        (st, &s["importCount"]),
        (StatusCode::OK, &json!({"imported": 0, "updated": 1, "ignored": 2, "deleted": 0}))
    );

    // A ratio computed by its formula takes no typed value: the conflict says so.
    let (st, s) =
        post(&app, &token, "/api/v1/dataValueSets", set(&[("TY_LE_HO_SO_TOAN_TRINH", "202511", "51", "130")])).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    assert!(s["conflicts"][0]["value"].as_str().unwrap().contains("công thức"), "{s}");
    // A negative count is stored, flagged for the data-quality page.
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&[("SO_MAY_TINH", "2025", "51", "-3")])).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let flagged = app.app.db.flagged_values(10).await.unwrap();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].record.value, Some(-3.0));
}

#[tokio::test]
async fn a_data_value_set_with_bad_rows_writes_nothing_and_names_each_conflict() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let rows = [
        ("CHI_CNTT", "2025", "51", "100"),  // good
        ("KHONG_CO", "2025", "51", "1"),    // unknown indicator
        ("CHI_CNTT", "2025Q1", "51", "1"),  // a quarter for a yearly indicator
        ("CHI_CNTT", "2025", "99999", "1"), // unknown unit
        ("CHI_CNTT", "2025", "51", "mười"), // not a number
        ("CHI_CNTT", "2025", "01", "5"),    // Hà Nội: not A's to fill
        ("CHI_CNTT", "20251", "51", "5"),   // no such period
    ];
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{s}");
    assert_eq!(s["status"], "ERROR");
    assert_eq!(s["importCount"], json!({"imported": 0, "updated": 0, "ignored": 7, "deleted": 0}));
    let conflicts: Vec<(u64, String)> = s["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["row"].as_u64().unwrap(), c["value"].as_str().unwrap().split(':').next().unwrap().to_string()))
        .collect();
    assert_eq!(
        conflicts,
        [(2, "dataElement"), (3, "period"), (4, "orgUnit"), (5, "value"), (6, "orgUnit"), (7, "period")]
            .map(|(r, f)| (r, f.to_string()))
    );
    assert!(s["conflicts"][1]["value"].as_str().unwrap().contains("theo kỳ năm"), "{s}");
    let ids: Vec<i64> = app.app.db.indicator_list().await.unwrap().iter().map(|i| i.id).collect();
    let y = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
    assert!(app.app.db.value_points(&ids, y(2025), y(2026)).await.unwrap().is_empty(), "the good row was not written");
}

#[tokio::test]
async fn a_data_value_set_exported_imports_again_unchanged() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let rows = [
        ("SO_HO_SO_TTHC", "202601", "51", "1520"),
        ("SO_HO_SO_TTHC", "202602", "51", "1388"),
        ("SO_HO_SO_TTHC_TOAN_TRINH", "202601", "51", "912"),
        ("SO_MAY_TINH", "2026", "51", "42"),
    ];
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let out = app.get_json(&token, "/api/v1/dataValueSets?period=2026&orgUnit=51&children=true").await;
    let values = out["dataValues"].as_array().unwrap();
    assert_eq!(values.len(), 4, "{out}");
    assert!(values.iter().all(|v| v["orgUnit"] == "51" && v["comment"] == "Số liệu của Sở"), "{out}");
    let q1 = app.get_json(&token, "/api/v1/dataValueSets?period=2026Q1&orgUnit=51&dataElement=SO_HO_SO_TTHC").await;
    assert_eq!(q1["dataValues"].as_array().unwrap().len(), 2, "the two months of the quarter: {q1}");
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", out.clone()).await;
    assert_eq!(
        (st, &s["importCount"]),
        (StatusCode::OK, &json!({"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}))
    );
    let b = app.token("b.admin", PASSWORD).await;
    let (st, _) = app.api(&b, Method::GET, "/api/v1/dataValueSets?period=2026&orgUnit=51", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "Hà Nội reads none of Quảng Ngãi's figures");
}

/// Worked example across the 2025 merger of Quảng Ngãi (51) and Kon Tum (62) into Quảng Ngãi:
/// 2024 figures recorded for the two old provinces count for the new one "as of now", and only
/// for each old province "as of then". The security/IT spending ratio is the ratio of the sums
/// (1.000 / 10.000 + 50 / 1.000 → 9,55 %), not the mean of the two ratios (7,5 %).
#[tokio::test]
async fn a_roll_up_counts_merged_provinces_for_their_successor_and_takes_the_ratio_of_sums() {
    let app = TestApp::spawn().await;
    let s = app.services();
    s.seed_user("dieuphoi", "Cơ quan điều phối", "VN", domain::auth::Role::Coordinator, "VN", PASSWORD).await.unwrap();
    s.seed_user("quantri", "Quản trị toàn quốc", "VN", domain::auth::Role::Admin, "VN", PASSWORD).await.unwrap();
    let national = app.token("dieuphoi", PASSWORD).await;
    let admin = app.token("quantri", PASSWORD).await;
    let rows = [
        ("CHI_CNTT", "2024", "51", "10000"),
        ("CHI_ATTT", "2024", "51", "1000"),
        ("CHI_CNTT", "2024", "62", "1000"),
        ("CHI_ATTT", "2024", "62", "50"),
    ];
    // 2024 belongs to the old structure: the codes name the two old provinces.
    let (st, sum) = post(&app, &admin, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!(st, StatusCode::OK, "{sum}");

    let now = app.get_json(&national, "/api/v1/indicators/CHI_CNTT/rollup?period=2024&org=51").await;
    assert_eq!((now["value"].as_f64(), now["structure"].as_str()), (Some(11000.0), Some("now")), "{now}");
    assert_eq!(now["value_label"], "11.000");
    let ratio = app.get_json(&national, "/api/v1/indicators/TY_LE_CHI_ATTT_CNTT/rollup?period=2024&org=51").await;
    let r = ratio["value"].as_f64().unwrap();
    assert!((r - 1050.0 / 11000.0 * 100.0).abs() < 1e-9, "ratio of sums 9,55 %, not 7,5 %: {ratio}");
    let country = app.get_json(&national, "/api/v1/indicators/CHI_CNTT/rollup?period=2024&org=VN").await;
    assert_eq!(country["value"].as_f64(), Some(11000.0), "{country}");
    let row = country["children"].as_array().unwrap().iter().find(|c| c["org"]["code"] == "51").unwrap();
    assert_eq!(row["value"].as_f64(), Some(11000.0), "the new province's row: {row}");
    assert!(country["children"].as_array().unwrap().iter().all(|c| c["org"]["code"] != "62"), "Kon Tum is gone now");

    let then = app.get_json(&national, "/api/v1/indicators/CHI_CNTT/rollup?period=2024&org=51&structure=then").await;
    assert_eq!(then["value"].as_f64(), Some(10000.0), "the old Quảng Ngãi alone: {then}");
    let country_then =
        app.get_json(&national, "/api/v1/indicators/CHI_CNTT/rollup?period=2024&org=VN&structure=then").await;
    let kon_tum = country_then["children"].as_array().unwrap().iter().find(|c| c["org"]["code"] == "62").unwrap();
    assert_eq!(kon_tum["value"].as_f64(), Some(1000.0), "{kon_tum}");
}

/// Defines a monthly indicator through storage (the shipped list has no average, minimum,
/// maximum or weighted average to roll up).
async fn define(app: &TestApp, code: &str, aggregation: AggregationRule) {
    let def = Indicator {
        code: IndicatorCode::parse(code).unwrap(),
        name: format!("Chỉ tiêu kiểm thử {code}"),
        description: String::new(),
        unit: Unit::Count,
        value_type: ValueType::Number,
        aggregation,
        period_type: PeriodType::Monthly,
        formula: None,
        expected_min: None,
        expected_max: None,
        cite: None,
    };
    let at = chrono::Utc::now();
    let audit = AuditDraft {
        at,
        actor_id: None,
        actor: "kiểm thử".into(),
        action: "indicator.define".into(),
        entity: "indicator",
        entity_id: Some(code.into()),
        org_id: None,
        before: None,
        after: None,
    };
    app.app.db.indicator_save(&def, None, at, audit).await.unwrap();
}

/// Every aggregation rule rolled up by storage from per-unit sums, across the 2025 merger (old
/// Kon Tum 62 and Quảng Ngãi 51 → new 51) and a commune split (00556 → 00541 and 00562 of Hà
/// Nội), on a worked example:
///
/// | month   | unit  | X  | W | N | D  |
/// |---------|-------|----|---|---|----|
/// | 2024-01 | 51    | 10 | 1 | 5 | 50 |
/// | 2024-02 | 51    | 20 | 3 | 5 |    |
/// | 2024-01 | 00556 | 40 | 2 | 8 | 16 |
/// | 2024-01 | 62    | 4  |   | 1 | 10 |
/// | 2024-02 | 62    | 6  |   |   |    |
///
/// Under the stated rule each successor of the split commune takes half of its additive
/// figures (X 20, W 1, N 4, D 8) and its value as it is for an average, minimum or maximum; a
/// ratio counts only months with both numerator and denominator, a weighted average only months
/// with both value and weight.
#[tokio::test]
async fn every_rule_rolls_up_from_storage_across_a_merger_and_a_split() {
    let app = TestApp::spawn().await;
    let s = app.services();
    s.seed_user("quantri", "Quản trị toàn quốc", "VN", domain::auth::Role::Admin, "VN", PASSWORD).await.unwrap();
    let code = |c: &str| IndicatorCode::parse(c).unwrap();
    for (c, rule) in [
        ("KT_X", AggregationRule::Sum),
        ("KT_X_TB", AggregationRule::Average),
        ("KT_X_MIN", AggregationRule::Min),
        ("KT_X_MAX", AggregationRule::Max),
        ("KT_W", AggregationRule::Sum),
        ("KT_N", AggregationRule::Sum),
        ("KT_D", AggregationRule::Sum),
    ] {
        define(&app, c, rule).await;
    }
    define(&app, "KT_X_GQ", AggregationRule::WeightedAverage { weight: code("KT_W") }).await;
    define(
        &app,
        "KT_TY_LE",
        AggregationRule::RatioOfSums { numerator: code("KT_N"), denominator: code("KT_D"), factor: Some(100.0) },
    )
    .await;
    let admin = app.token("quantri", PASSWORD).await;
    let x = [
        ("202401", "51", "10"),
        ("202402", "51", "20"),
        ("202401", "00556", "40"),
        ("202401", "62", "4"),
        ("202402", "62", "6"),
    ];
    let mut rows: Vec<(&str, &str, &str, &str)> = Vec::new();
    for ind in ["KT_X", "KT_X_TB", "KT_X_MIN", "KT_X_MAX", "KT_X_GQ"] {
        rows.extend(x.iter().map(|&(pe, ou, v)| (ind, pe, ou, v)));
    }
    rows.extend([
        ("KT_W", "202401", "51", "1"),
        ("KT_W", "202402", "51", "3"),
        ("KT_W", "202401", "00556", "2"),
        ("KT_N", "202401", "51", "5"),
        ("KT_N", "202402", "51", "5"),
        ("KT_N", "202401", "00556", "8"),
        ("KT_N", "202401", "62", "1"),
        ("KT_D", "202401", "51", "50"),
        ("KT_D", "202401", "00556", "16"),
        ("KT_D", "202401", "62", "10"),
    ]);
    let (st, sum) = post(&app, &admin, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!((st, sum["importCount"]["imported"].as_u64()), (StatusCode::OK, Some(rows.len() as u64)), "{sum}");

    let roll = |ind: &str, org: &str, structure: &str| {
        let path = format!("/api/v1/indicators/{ind}/rollup?period=2024&org={org}&structure={structure}");
        let (app, admin) = (&app, &admin);
        async move { app.get_json(admin, &path).await }
    };
    let close = |got: &Value, want: f64, what: &str| {
        let v = got["value"].as_f64().unwrap_or_else(|| panic!("{what}: no value: {got}"));
        assert!((v - want).abs() < 1e-9, "{what}: {v} ≠ {want}: {got}");
    };
    // The nation as of now: the split commune's value counts once per successor for an average.
    let expected_vn = [
        ("KT_X", 80.0, 5),
        ("KT_X_TB", 120.0 / 6.0, 5),
        ("KT_X_MIN", 4.0, 5),
        ("KT_X_MAX", 40.0, 5),
        ("KT_X_GQ", (10.0 * 1.0 + 20.0 * 3.0 + 40.0 * 1.0 + 40.0 * 1.0) / 6.0, 3),
        ("KT_TY_LE", 14.0 / 76.0 * 100.0, 3),
    ];
    for (ind, want, inputs) in expected_vn {
        let got = roll(ind, "VN", "now").await;
        close(&got, want, &format!("{ind} VN now"));
        assert_eq!(got["inputs"].as_u64(), Some(inputs), "{ind}: recorded inputs behind the figure: {got}");
    }
    let vn = roll("KT_X", "VN", "now").await;
    let child = |code: &str| vn["children"].as_array().unwrap().iter().find(|c| c["org"]["code"] == code).cloned();
    assert_eq!(child("51").unwrap()["value"].as_f64(), Some(40.0), "the merged province's row: {vn}");
    assert_eq!(child("01").unwrap()["value"].as_f64(), Some(40.0), "Hà Nội's row holds both halves: {vn}");
    assert!(child("62").is_none(), "Kon Tum is gone now: {vn}");

    // The new province: its two predecessors' figures.
    for (ind, want) in [
        ("KT_X", 40.0),
        ("KT_X_TB", 10.0),
        ("KT_X_MIN", 4.0),
        ("KT_X_MAX", 20.0),
        ("KT_X_GQ", 70.0 / 4.0),
        ("KT_TY_LE", 6.0 / 60.0 * 100.0),
    ] {
        close(&roll(ind, "51", "now").await, want, &format!("{ind} 51 now"));
    }
    // One successor of the split commune: half of the additive figures, the value as it is.
    for (ind, want) in [
        ("KT_X", 20.0),
        ("KT_X_TB", 40.0),
        ("KT_X_MIN", 40.0),
        ("KT_X_MAX", 40.0),
        ("KT_X_GQ", 40.0),
        ("KT_TY_LE", 50.0),
    ] {
        close(&roll(ind, "00541", "now").await, want, &format!("{ind} 00541 now"));
    }
    // As of then: every value counts once, for the unit it was recorded for.
    close(&roll("KT_X_TB", "VN", "then").await, 80.0 / 5.0, "KT_X_TB VN then");
    close(&roll("KT_X", "VN", "then").await, 80.0, "KT_X VN then");
    let then = roll("KT_X", "VN", "then").await;
    let kon_tum = then["children"].as_array().unwrap().iter().find(|c| c["org"]["code"] == "62").cloned();
    assert_eq!(kon_tum.and_then(|k| k["value"].as_f64()), Some(10.0), "{then}");
}

/// Values are written to storage in bulk as JSON text that the database parses: every number
/// must come back bit for bit (the shortest exact decimal of a double, parsed by SQLite's and
/// PostgreSQL's own conversions), and a second write of the same values changes nothing.
#[tokio::test]
async fn stored_values_come_back_bit_for_bit() {
    use domain::repo::Store;
    use domain::repo::indicators::ValueRecord;
    let app = TestApp::spawn().await;
    let db = &app.app.db;
    let ind = db.indicator_list().await.unwrap().into_iter().find(|i| i.def.code.as_str() == "SO_MAY_TINH").unwrap();
    let org = db.org_with_code("51").await.unwrap()[0].id;
    // SplitMix64: doubles over the magnitudes figures take (1e-9 … 1e18), and the classic
    // hard cases of decimal conversion.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut numbers = vec![
        0.1,
        0.2,
        0.3,
        1.0 / 3.0,
        2.0 / 3.0,
        1e-7,
        123_456_789.123_456_79,
        9_007_199_254_740_993.0,
        49.742_506_760_284_32,
        2.225_073_858_507_201e-308,
        5e-324,
        1.797_693_134_862_315_7e308,
        0.0,
        -1.5,
        1e21,
        1e22,
        8.589_973e9,
    ];
    while numbers.len() < 3000 {
        let bits = next();
        let exponent = 1023 - 30 + (bits >> 52) % 90; // 2^-30 … 2^59
        let x = f64::from_bits((exponent << 52) | (bits & ((1 << 52) - 1)));
        numbers.push(if bits & (1 << 63) == 0 { x } else { -x });
    }
    let day0 = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let records: Vec<ValueRecord> = numbers
        .iter()
        .enumerate()
        .map(|(i, &value)| ValueRecord {
            indicator_id: ind.id,
            org_id: org,
            period: format!("KT{i:05}"),
            period_start: day0 + chrono::Days::new(i as u64),
            period_months: 1,
            value: Some(value),
            text_value: None,
            comment: (i % 7 == 0).then(|| format!("ghi chú \"{i}\" — số liệu\\Sở")),
            flagged: i % 11 == 0,
        })
        .collect();
    let audit = || AuditDraft {
        at: chrono::Utc::now(),
        actor_id: None,
        actor: "kiểm thử".into(),
        action: "data_values.write".into(),
        entity: "data_value",
        entity_id: None,
        org_id: None,
        before: None,
        after: None,
    };
    let counts = db.values_write(&records, 1, chrono::Utc::now(), false, audit()).await.unwrap();
    assert_eq!(counts.imported, numbers.len() as u64);
    let last = day0 + chrono::Days::new(numbers.len() as u64);
    let points = db.value_points(&[ind.id], day0, last).await.unwrap();
    assert_eq!(points.len(), numbers.len());
    for p in &points {
        let i = (p.period_start - day0).num_days() as usize;
        assert_eq!(p.value.to_bits(), numbers[i].to_bits(), "value {i}: wrote {:e}, read {:e}", numbers[i], p.value);
    }
    let again = db.values_write(&records, 1, chrono::Utc::now(), false, audit()).await.unwrap();
    assert_eq!((again.imported, again.updated, again.ignored), (0, 0, numbers.len() as u64), "{again:?}");
    let stored = db.values_in(&[ind.id], Some(&[org]), day0, last).await.unwrap();
    let commented = stored.iter().find(|v| v.record.period == "KT00007").unwrap();
    assert_eq!(commented.record.comment.as_deref(), Some("ghi chú \"7\" — số liệu\\Sở"));
    assert!(stored.iter().find(|v| v.record.period == "KT00011").unwrap().record.flagged);
    assert!(!stored.iter().find(|v| v.record.period == "KT00012").unwrap().record.flagged);
}

/// A commune split in two (old 00556 → new 00541 and 00562): its additive figures go half to
/// each successor, as the stated rule says when the decision states no shares.
#[tokio::test]
async fn a_split_communes_figures_are_shared_between_its_successors() {
    let app = TestApp::spawn().await;
    let s = app.services();
    s.seed_user("quantri", "Quản trị toàn quốc", "VN", domain::auth::Role::Admin, "VN", PASSWORD).await.unwrap();
    let admin = app.token("quantri", PASSWORD).await;
    let (st, sum) = post(&app, &admin, "/api/v1/dataValueSets", set(&[("SO_MAY_TINH", "2024", "00556", "40")])).await;
    assert_eq!(st, StatusCode::OK, "{sum}");
    for code in ["00541", "00562"] {
        let r = app.get_json(&admin, &format!("/api/v1/indicators/SO_MAY_TINH/rollup?period=2024&org={code}")).await;
        assert_eq!(r["value"].as_f64(), Some(20.0), "{code}: {r}");
        assert!(r["rule"].as_str().unwrap().contains("chia đều"), "{r}");
    }
    let then = app.get_json(&admin, "/api/v1/indicators/SO_MAY_TINH/rollup?period=2024&org=00556&structure=then").await;
    assert_eq!(then["value"].as_f64(), Some(40.0), "{then}");
}

/// The data-quality page: security spending below 10 % of IT spending (`003_…` IV.6) is named
/// with its unit and seed; a value outside its expected range is listed; units with no figures
/// for a rule are only counted as skipped.
#[tokio::test]
async fn data_quality_names_the_failed_seed_rule_and_the_flagged_values() {
    let app = TestApp::spawn().await;
    let token = app.token("a.admin", PASSWORD).await;
    let rows =
        [("CHI_CNTT", "2025", "51", "10000"), ("CHI_ATTT", "2025", "51", "500"), ("SO_MAY_TINH", "2025", "51", "-3")];
    let (st, s) = post(&app, &token, "/api/v1/dataValueSets", set(&rows)).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    let q = app.get_json(&token, "/api/v1/data-quality?org=51&period=2025").await;
    let failures = q["failures"].as_array().unwrap_or_else(|| panic!("{q}"));
    let attt = failures.iter().find(|f| f["message"].as_str().unwrap().contains("10")).unwrap_or_else(|| panic!("{q}"));
    assert_eq!(attt["org"]["code"], "51");
    assert!(attt["message"].as_str().unwrap().starts_with("Không đạt"), "{attt}");
    assert!(attt["cite"].as_str().unwrap().contains("003_"), "{attt}");
    assert!(q["checked"].as_u64().unwrap() >= 1 && q["skipped"].as_u64().unwrap() >= 1, "{q}");
    let flagged = q["flagged"].as_array().unwrap();
    assert_eq!((flagged.len(), flagged[0]["indicator"].as_str()), (1, Some("SO_MAY_TINH")), "{q}");
    assert!(flagged[0]["message"].as_str().unwrap().contains("-3"), "{q}");

    // Spending raised to 12 %: the rule passes and no failure is listed for it.
    let (st, _) = post(&app, &token, "/api/v1/dataValueSets", set(&[("CHI_ATTT", "2025", "51", "1200")])).await;
    assert_eq!(st, StatusCode::OK);
    let q = app.get_json(&token, "/api/v1/data-quality?org=51&period=2025").await;
    assert!(q["failures"].as_array().unwrap().iter().all(|f| f["rule"] != attt["rule"]), "{q}");
}
