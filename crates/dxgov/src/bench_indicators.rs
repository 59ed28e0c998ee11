//! `dxgov bench-indicators`: fills the configured database with synthetic indicator load for the
//! indicator benchmark (`scripts/bench-indicators.sh`, issue 4).
//!
//! - 100 monthly indicators `THU_TAI_001` … `THU_TAI_100` (sums, averages, maxima, minima; the
//!   first 20 are the numerators and denominators of 10 ratio-of-sums indicators
//!   `THU_TAI_TY_LE_01` … `_10`, which are computed and store nothing), defined through the
//!   storage layer with an audit entry each, as the shipped ones are;
//! - a value for every indicator × every province and commune valid today × every month of
//!   `--months` months from `--from` (by default 2024-01 … 2026-12: 3,355 × 100 × 36 ≈
//!   12,000,000 values), written by the bench-only `Db::bench_insert_values` (the import's
//!   multi-row statements, one transaction per indicator, no checks and no audit: see
//!   `store::bench`). The series is on today's structure for every month;
//! - yearly values of the inputs of the yearly report's indicators (`SO_HTTT…`, `CHI_CNTT`,
//!   `CHI_ATTT`) for every unit, so that reports have figures;
//! - the national synthesis round of `--round-year`: the yearly report `BC_CDS_NAM` opened for
//!   every province (receiver VN), each written (every narrative area, number, signer),
//!   submitted (figures computed and frozen) and accepted — all through the services, as the
//!   report pages do it.
//!
//! Accounts: `bench.admin` (admin on the root) and `bench.dieuphoi` (coordinator on the root),
//! created when missing, with the password from `BENCH_PASSWORD` (else a random one, printed).
//! The figures and the codes the benchmark script needs are printed as `BENCH_*=value` lines;
//! `--unit-codes FILE` writes the code of every unit that got values, one a line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use domain::Services;
use domain::audit::AuditDraft;
use domain::auth::{Principal, Role};
use domain::indicators::{AggregationRule, Formula, Indicator, IndicatorCode, Period, PeriodType, Unit, ValueType};
use domain::org::{OrgType, OrgUnit, ROOT_CODE};
use domain::repo::Store;
use domain::repo::indicators::{IndicatorStore, ValueRecord};
use domain::reporting::{Narrative, ReportContent, ReportStep, Signer};
use domain::services::reporting::{OpenRoundInput, ReportQuery, StepInput};
use tokio::task::JoinSet;

use crate::app::App;
use crate::bench::{ADMIN, COORDINATOR, Rng, all_orgs};

/// Options of `dxgov bench-indicators`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchIndicatorArgs {
    /// The first month of the series (DHIS2 month, `202401`).
    #[arg(long, default_value = "202401")]
    pub from: String,
    /// Months in the series.
    #[arg(long, default_value_t = 36)]
    pub months: u32,
    /// Monthly indicators with values (at least 20: the first 20 feed the ratios).
    #[arg(long, default_value_t = 100)]
    pub indicators: u32,
    /// The year of the national synthesis round (a yearly report of every province).
    #[arg(long, default_value_t = 2026)]
    pub round_year: i32,
    /// Skip the synthesis round.
    #[arg(long)]
    pub no_round: bool,
    /// Write the code of every unit that got values to this file, one a line.
    #[arg(long)]
    pub unit_codes: Option<PathBuf>,
    /// Seed of the pseudo-random values (same seed, same data).
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

/// Code of the `n`-th synthetic indicator (1-based).
pub fn indicator_code(n: u32) -> String {
    format!("THU_TAI_{n:03}")
}

/// Ratio indicators: `THU_TAI_TY_LE_k` = Σ `THU_TAI_(2k−1)` / Σ `THU_TAI_(2k)` × 100.
const RATIOS: u32 = 10;

/// The inputs of the yearly report template's indicators (`chi_tieu` of `BC_CDS_NAM`).
const REPORT_INPUTS: [&str; 5] =
    ["SO_HTTT", "SO_HTTT_PHE_DUYET_CAP_DO", "SO_HTTT_TRIEN_KHAI_PHUONG_AN", "CHI_CNTT", "CHI_ATTT"];

/// How the `n`-th synthetic indicator combines.
fn rule_of(n: u32) -> AggregationRule {
    match n {
        81..=90 => AggregationRule::Average,
        91..=95 => AggregationRule::Max,
        96..=100 => AggregationRule::Min,
        _ => AggregationRule::Sum,
    }
}

fn definition(n: u32) -> anyhow::Result<Indicator> {
    let rule = rule_of(n);
    let (unit, value_type, max) = match rule {
        AggregationRule::Average => (Unit::Percent, ValueType::Percent, Some(100.0)),
        _ => (Unit::Count, ValueType::Integer, None),
    };
    Ok(Indicator {
        code: IndicatorCode::parse(&indicator_code(n))?,
        name: format!("Chỉ tiêu thử tải số {n:03} ({})", rule.label().to_lowercase()),
        description: "Chỉ tiêu tổng hợp dùng để đo hiệu năng (dxgov bench-indicators); không phải số liệu thật.".into(),
        unit,
        value_type,
        aggregation: rule,
        period_type: PeriodType::Monthly,
        formula: None,
        expected_min: Some(0.0),
        expected_max: max,
        cite: None,
    })
}

fn ratio_definition(k: u32) -> anyhow::Result<Indicator> {
    let (num, den) = (indicator_code(2 * k - 1), indicator_code(2 * k));
    Ok(Indicator {
        code: IndicatorCode::parse(&format!("THU_TAI_TY_LE_{k:02}"))?,
        name: format!("Tỷ lệ thử tải số {k:02} ({num} trên {den})"),
        description: "Tỷ lệ tổng hợp dùng để đo hiệu năng (dxgov bench-indicators); không phải số liệu thật.".into(),
        unit: Unit::Percent,
        value_type: ValueType::Percent,
        aggregation: AggregationRule::RatioOfSums {
            numerator: IndicatorCode::parse(&num)?,
            denominator: IndicatorCode::parse(&den)?,
            factor: Some(100.0),
        },
        period_type: PeriodType::Monthly,
        formula: Some(Formula::parse(&format!("#{{{num}}} / #{{{den}}} * 100"))?),
        expected_min: Some(0.0),
        expected_max: Some(100.0),
        cite: None,
    })
}

/// A deterministic draw in `0..n` for (seed, indicator, unit, period).
fn draw(seed: u64, indicator: u32, org: i64, period: u32, n: u64) -> u64 {
    let mut rng = Rng(seed ^ (u64::from(indicator) << 48) ^ ((org as u64) << 16) ^ u64::from(period));
    rng.below(n)
}

/// The value of indicator `n` for a unit and month `m` (0-based in the series). Numerators stay
/// under their denominators; averages are percentages with one decimal.
fn value_of(seed: u64, n: u32, org: i64, m: u32) -> f64 {
    match n {
        1..=20 if n.is_multiple_of(2) => (50 + draw(seed, n, org, m, 950)) as f64,
        1..=20 => {
            let den = value_of(seed, n + 1, org, m);
            (den * draw(seed, n, org, m, 101) as f64 / 100.0).floor()
        }
        81..=90 => draw(seed, n, org, m, 1001) as f64 / 10.0,
        _ => draw(seed, n, org, m, 500 + 10 * u64::from(m)) as f64,
    }
}

pub async fn run(app: &App, args: &BenchIndicatorArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let services = &app.services;
    if args.indicators < 2 * RATIOS {
        bail!("--indicators phải từ {} trở lên (các chỉ tiêu đầu là tử số, mẫu số của tỷ lệ)", 2 * RATIOS);
    }
    let first = Period::parse(&args.from)?;
    if first.period_type() != PeriodType::Monthly {
        bail!("--from phải là một tháng (ví dụ 202401)");
    }
    let months: Vec<Period> = (0..args.months as i32).filter_map(|i| first.step(i)).collect();
    if app.db.indicator_list().await?.iter().any(|i| i.def.code.as_str() == indicator_code(1)) {
        bail!("chỉ tiêu thử tải đã có trong cơ sở dữ liệu này ({}); hãy dùng cơ sở dữ liệu trống", indicator_code(1));
    }
    let (password, generated) = match std::env::var("BENCH_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (domain::users::random_password(), true),
    };

    // ----- accounts and units ---------------------------------------------------------------------
    let admin = account(app, ADMIN, "Quản trị thử tải", Role::Admin, &password).await?;
    account(app, COORDINATOR, "Cơ quan điều phối thử tải", Role::Coordinator, &password).await?;
    let admin = Arc::new(services.principal(admin).await?);
    let today = services.clock().today();
    let provinces = all_orgs(services, OrgType::Province, today).await?;
    let communes = all_orgs(services, OrgType::Commune, today).await?;
    if provinces.is_empty() || communes.is_empty() {
        bail!("chưa có danh mục đơn vị hành chính (chạy `dxgov import-orgs`)");
    }
    let mut units: Vec<&OrgUnit> = provinces.iter().chain(&communes).collect();
    units.sort_by_key(|u| u.id);
    println!("Đơn vị có hiệu lực hôm nay: {} tỉnh, {} xã", provinces.len(), communes.len());
    if let Some(file) = &args.unit_codes {
        let text: String = units.iter().map(|u| format!("{}\n", u.code)).collect();
        std::fs::write(file, text).with_context(|| format!("không ghi được {}", file.display()))?;
    }

    // ----- definitions ----------------------------------------------------------------------------
    let t = Instant::now();
    let mut defs: Vec<Indicator> = (1..=args.indicators).map(definition).collect::<anyhow::Result<_>>()?;
    for k in 1..=RATIOS {
        defs.push(ratio_definition(k)?);
    }
    let now = services.clock().now();
    for def in &defs {
        let audit = AuditDraft {
            at: now,
            actor_id: Some(admin.user.id),
            actor: ADMIN.into(),
            action: "bench.indicator_define".into(),
            entity: "indicator",
            entity_id: Some(def.code.to_string()),
            org_id: None,
            before: None,
            after: None,
        };
        app.db.indicator_save(def, None, now, audit).await?;
    }
    let stored = app.db.indicator_list().await?;
    let id_of = |code: &str| stored.iter().find(|i| i.def.code.as_str() == code).map(|i| i.id);
    println!("Định nghĩa {} chỉ tiêu thử tải ({:.1} s)", defs.len(), t.elapsed().as_secs_f64());

    // ----- monthly values, one transaction per indicator -----------------------------------------------
    let t = Instant::now();
    let mut written = 0u64;
    let mut insert_secs = 0.0;
    for n in 1..=args.indicators {
        let id = id_of(&indicator_code(n)).context("chỉ tiêu vừa định nghĩa không thấy")?;
        let mut rows = Vec::with_capacity(units.len() * months.len());
        // In the order of the key (indicator, period, unit), so both indexes grow at their end.
        for (m, p) in months.iter().enumerate() {
            for u in &units {
                rows.push(record(id, u.id, p, value_of(args.seed, n, u.id, m as u32)));
            }
        }
        let ti = Instant::now();
        written += app.db.bench_insert_values(&rows, admin.user.id, now).await?;
        insert_secs += ti.elapsed().as_secs_f64();
        if n % 10 == 0 {
            println!("  … {written} giá trị ({:.0} giá trị/s)", written as f64 / t.elapsed().as_secs_f64());
        }
    }
    let value_secs = t.elapsed().as_secs_f64();
    println!(
        "Giá trị theo tháng: {written} trong {value_secs:.1} s (ghi {insert_secs:.1} s; {:.0} giá trị/s)",
        written as f64 / value_secs
    );

    // ----- yearly inputs of the report's indicators --------------------------------------------------
    let t = Instant::now();
    let years: Vec<i32> = {
        let mut y: Vec<i32> = months.iter().map(|p| p.year()).chain([args.round_year]).collect();
        y.sort_unstable();
        y.dedup();
        y
    };
    let mut rows = Vec::new();
    for (k, code) in REPORT_INPUTS.iter().enumerate() {
        let id = id_of(code).with_context(|| format!("không có chỉ tiêu {code} (chỉ tiêu có sẵn chưa được nạp)"))?;
        for u in &units {
            for &y in &years {
                let period = Period::new(PeriodType::Yearly, y, 1)?;
                let systems = (1 + draw(args.seed, 1000, u.id, y as u32, 12)) as f64;
                let spend = (100 + draw(args.seed, 1001, u.id, y as u32, 5000)) as f64;
                let value = match k {
                    0 => systems,
                    1 | 2 => systems - draw(args.seed, 1002 + k as u32, u.id, y as u32, 2).min(systems as u64) as f64,
                    3 => spend,
                    _ => (spend * (5 + draw(args.seed, 1005, u.id, y as u32, 15)) as f64 / 100.0).round(),
                };
                rows.push(record(id, u.id, &period, value));
            }
        }
    }
    let yearly = app.db.bench_insert_values(&rows, admin.user.id, now).await?;
    written += yearly;
    println!("Giá trị theo năm của các chỉ tiêu trong mẫu báo cáo năm: {yearly} ({:.1} s)", t.elapsed().as_secs_f64());

    // ----- the national synthesis round ----------------------------------------------------------------
    let mut round_secs = 0.0;
    if !args.no_round {
        let t = Instant::now();
        let accepted = synthesis_round(services, &admin, args.round_year).await?;
        round_secs = t.elapsed().as_secs_f64();
        println!("Kỳ báo cáo năm {}: {accepted} báo cáo của tỉnh đã tiếp nhận ({round_secs:.1} s)", args.round_year);
    }

    // ----- report ------------------------------------------------------------------------------
    let total_secs = started.elapsed().as_secs_f64();
    let bytes = app.db.bench_database_bytes().await?;
    println!("Nạp xong {written} giá trị trong {total_secs:.1} s; cơ sở dữ liệu {:.2} GB.", bytes as f64 / 1e9);
    if generated {
        println!("Tài khoản thử tải: {COORDINATOR} và {ADMIN}, mật khẩu: {password}");
    } else {
        println!("Tài khoản thử tải: {COORDINATOR} và {ADMIN}, mật khẩu trong BENCH_PASSWORD");
    }
    // The last calendar year the series covers whole: the roll-ups measure it.
    let full_year = years.iter().rev().find(|y| months.iter().filter(|p| p.year() == **y).count() == 12);
    println!("BENCH_VALUES={written}");
    println!("BENCH_MONTHLY_VALUES={}", written - yearly);
    println!("BENCH_UNITS={}", units.len());
    println!("BENCH_SECONDS={total_secs:.1}");
    println!("BENCH_VALUE_SECONDS={value_secs:.1}");
    println!("BENCH_ROUND_SECONDS={round_secs:.1}");
    println!("BENCH_DB_BYTES={bytes}");
    println!("BENCH_INDICATOR={}", indicator_code(21));
    println!("BENCH_RATIO=THU_TAI_TY_LE_01");
    println!("BENCH_INDICATORS={}", args.indicators);
    println!("BENCH_YEAR={}", full_year.copied().unwrap_or(args.round_year));
    // The month after the series: nothing is stored there, so an import of it inserts.
    if let Some(fresh) = months.last().and_then(|p| p.step(1)) {
        println!("BENCH_FRESH_PERIOD={}", fresh.code());
    }
    println!("BENCH_TEMPLATE=BC_CDS_NAM");
    println!("BENCH_ROUND_PERIOD={}", args.round_year);
    println!("BENCH_ROOT={ROOT_CODE}");
    Ok(())
}

fn record(indicator_id: i64, org_id: i64, period: &Period, value: f64) -> ValueRecord {
    ValueRecord {
        indicator_id,
        org_id,
        period: period.code(),
        period_start: period.start(),
        period_months: period.period_type().months() as i16,
        value: Some(value),
        text_value: None,
        comment: None,
        flagged: false,
    }
}

/// The account `username` with `role` on the root (created when missing); its id.
async fn account(
    app: &App,
    username: &str,
    full_name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<domain::users::UserId> {
    if let Some(u) = app.db.user_by_username(username).await? {
        return Ok(u.id);
    }
    Ok(app.services.seed_user(username, full_name, ROOT_CODE, role, ROOT_CODE, password).await?.id)
}

/// Opens the yearly report of `year` for every province (receiver: the root), then writes,
/// submits and accepts each through the services. Returns the reports accepted.
async fn synthesis_round(services: &Services, admin: &Arc<Principal>, year: i32) -> anyhow::Result<usize> {
    let template = "BC_CDS_NAM";
    services
        .open_report_round(
            admin,
            &OpenRoundInput {
                template: template.into(),
                period: year.to_string(),
                receiver: ROOT_CODE.into(),
                org_types: vec![OrgType::Province],
                due_on: None,
            },
        )
        .await?;
    let areas: Vec<(String, String)> = services
        .report_templates()
        .await?
        .into_iter()
        .find(|t| t.template.code == template)
        .context("không có mẫu báo cáo BC_CDS_NAM")?
        .template
        .narrative_keys()
        .map(|s| (s.key.clone(), s.heading.clone()))
        .collect();
    let reports = services
        .list_reports(
            admin,
            &ReportQuery {
                template: Some(template.into()),
                period: Some(year.to_string()),
                receiver: Some(ROOT_CODE.into()),
                limit: 200,
                ..Default::default()
            },
        )
        .await?
        .items;
    let mut jobs: JoinSet<anyhow::Result<()>> = JoinSet::new();
    for r in &reports {
        while jobs.len() >= 4 {
            jobs.join_next().await.context("join")???;
        }
        let (services, admin, areas) = (services.clone(), admin.clone(), areas.clone());
        let (id, row_version, name, org_code) = (r.id, r.row_version, r.org.name.clone(), r.org.code.clone());
        jobs.spawn(async move {
            let content = ReportContent {
                narratives: areas.iter().map(|(k, heading)| (k.clone(), narrative(&name, heading, year))).collect(),
                number_symbol: format!("{org_code}/BC-UBND"),
                signer: Signer {
                    authority: Some("TM. ỦY BAN NHÂN DÂN".into()),
                    title: "CHỦ TỊCH".into(),
                    name: format!("Chủ tịch {name}"),
                },
                recipients: vec!["Bộ Khoa học và Công nghệ".into(), "Lưu: VT, KHCN".into()],
            };
            let mut row_version = services.save_report(&admin, id, row_version, &content).await?.row_version;
            for step in [ReportStep::Submit, ReportStep::Accept] {
                let input = StepInput { step, row_version, comment: None };
                row_version = services.report_step(&admin, id, &input).await?.row_version;
            }
            anyhow::Ok(())
        });
    }
    while let Some(r) = jobs.join_next().await {
        r.context("join")??;
    }
    Ok(reports.len())
}

/// A province's narrative of one area: a few sentences of what was achieved and what fell short,
/// about as long as the areas of a real yearly report.
fn narrative(unit: &str, area: &str, year: i32) -> Narrative {
    // "3. Hạ tầng số" → "hạ tầng số"
    let area = area.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ').to_lowercase();
    Narrative {
        achieved: format!(
            "Năm {year}, {unit} đã triển khai đầy đủ các nhiệm vụ về {area} theo kế hoạch chuyển đổi số \
             của tỉnh; ban hành văn bản hướng dẫn, phân công rõ cơ quan chủ trì, cơ quan phối hợp và thời hạn hoàn \
             thành. Các sở, ban, ngành và Ủy ban nhân dân cấp xã đã cập nhật tiến độ hằng tháng trên hệ thống; tỷ lệ \
             nhiệm vụ hoàn thành đúng hạn tăng so với năm trước. Hạ tầng, nền tảng dùng chung tiếp tục được nâng cấp, \
             bảo đảm kết nối thông suốt từ tỉnh đến cấp xã; dữ liệu được số hóa, làm sạch và chia sẻ qua nền tảng tích \
             hợp, chia sẻ dữ liệu của tỉnh. Công tác tuyên truyền, tập huấn kỹ năng số cho cán bộ, công chức và người \
             dân được tổ chức thường xuyên, có sự tham gia của các tổ công nghệ số cộng đồng."
        ),
        shortcomings: format!(
            "Một số nhiệm vụ về {area} còn chậm so với kế hoạch do thiếu kinh phí và nhân lực chuyên trách; \
             việc cập nhật số liệu ở một số xã chưa kịp thời; chất lượng dữ liệu chưa đồng đều giữa các đơn vị."
        ),
    }
}
