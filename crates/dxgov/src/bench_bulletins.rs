//! `dxgov bench-bulletins`: measures the fan-out of a national bulletin (issue 6) on the
//! configured database (`scripts/bench-bulletins.sh`).
//!
//! Publishing a bulletin inserts one delivery row per receiving unit — every province, district
//! and commune valid on the publication day under its targets, except the issuing unit — in the
//! transaction that publishes it (`BulletinStore::bulletin_publish`, one `INSERT … SELECT`).
//! For two structures of the country, `--runs` times each, a bulletin of the root unit
//! targeting the root (the whole country) is written and submitted, then the approve step — which
//! publishes it at once and fans it out — is timed alone. The deliveries are then counted
//! (`Services::bulletin_reach`) and checked against the receiving units the org directory has on
//! the publication day, level by level; any difference fails the command.
//!
//! - the current structure: the real clock (a day after 1 July 2025): 34 provinces and 3,321
//!   communes in the shipped reference data;
//! - the old structure: a clock on 16 June 2025: 63 provinces, 696 districts and 10,035
//!   communes in the shipped reference data.
//!
//! The account `bench.admin` (admin on the root) is created when missing, with the password from
//! `BENCH_PASSWORD` (else a random one). Refuses a database that already has bulletins. The
//! figures are printed per run and per variant, then as `BENCH_*=value` lines.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{NaiveDate, TimeZone, Utc};
use domain::Services;
use domain::auth::{Principal, Role};
use domain::bulletins::{BulletinInput, Category, RECEIVING_LEVELS, Status, Step};
use domain::clock::{ManualClock, vietnam_date};
use domain::org::{OrgQuery, OrgType, OrgUnit, ROOT_CODE};
use domain::repo::Store;
use domain::repo::bulletins::{BulletinQuery, BulletinStore};

use crate::app::App;
use crate::bench::ADMIN;

/// Options of `dxgov bench-bulletins`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchBulletinArgs {
    /// National bulletins published (and timed) per structure.
    #[arg(long, default_value_t = 5)]
    pub runs: u32,
}

/// The first day of the current structure (34 provinces, no districts).
const NEW_STRUCTURE_FROM: (i32, u32, u32) = (2025, 7, 1);
/// A day of the old structure (63 provinces, districts, communes before the merger).
const OLD_STRUCTURE_DAY: (i32, u32, u32) = (2025, 6, 16);
/// The size the issue names for the old-structure variant (not what our reference data has).
const ISSUE_OLD_TARGETS: u64 = 10_599;

fn date((y, m, d): (i32, u32, u32)) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("ngày không hợp lệ")
}

/// One structure of the country, with the services acting on a day of it.
struct Variant {
    /// `now` or `old`: the key of its `BENCH_*` lines.
    key: &'static str,
    label: String,
    services: Services,
    /// The variant's own clock, moved on between runs (the current structure uses the real one).
    clock: Option<Arc<ManualClock>>,
}

/// The receiving units of one publication day: per level, what the org directory has.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    per_level: BTreeMap<&'static str, u64>,
    total: u64,
    communes: u64,
}

/// One timed publication.
struct Run {
    millis: f64,
    targets: u64,
    communes: u64,
}

pub async fn run(app: &App, args: &BenchBulletinArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    if args.runs == 0 {
        bail!("--runs phải từ 1 trở lên");
    }
    let existing = app.db.bulletin_list(&BulletinQuery { limit: 1, ..Default::default() }).await?.total;
    if existing > 0 {
        bail!(
            "cơ sở dữ liệu này đã có {existing} bản tin; hãy dùng cơ sở dữ liệu trống để đo (không chạy trên dữ liệu thật)"
        );
    }
    let (password, generated) = match std::env::var("BENCH_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (domain::users::random_password(), true),
    };

    // ----- units and account -------------------------------------------------------------------
    let services = &app.services;
    let root = services.root().await?;
    let admin = account(app, &password).await?;
    let admin = services.principal(admin).await?;
    let today = services.clock().today();
    if today < date(NEW_STRUCTURE_FROM)? {
        bail!("đồng hồ của máy chỉ ngày {today}, trước khi cấu trúc hiện hành có hiệu lực (1/7/2025)");
    }
    let old_day = date(OLD_STRUCTURE_DAY)?;
    // 09:00 in Vietnam on the old day.
    let old_at = Utc
        .from_local_datetime(&old_day.and_hms_opt(2, 0, 0).context("giờ không hợp lệ")?)
        .single()
        .context("giờ không hợp lệ")?;
    let old_clock = Arc::new(ManualClock::new(old_at));
    let variants = [
        Variant {
            key: "NOW",
            label: format!("cấu trúc hiện hành (hôm nay, {today})"),
            services: services.clone(),
            clock: None,
        },
        Variant {
            key: "OLD",
            label: format!("cấu trúc cũ (đồng hồ ngày {old_day})"),
            services: services.with_clock(old_clock.clone()),
            clock: Some(old_clock),
        },
    ];
    println!("Cơ sở dữ liệu: {}; {} lần phát hành mỗi cấu trúc.", services.backend_name(), args.runs);
    for v in &variants {
        let day = v.services.clock().today();
        let e = expected(&v.services, &root, day).await?;
        if e.total == 0 {
            bail!("không có đơn vị nhận nào ngày {day} (chạy `dxgov import-orgs`)");
        }
        println!("Đơn vị nhận theo danh mục, {}: {} ({})", v.label, e.total, levels_text(&e));
    }

    // ----- the runs ----------------------------------------------------------------------------------
    let mut summaries = Vec::new();
    for v in &variants {
        println!();
        println!("== {}", v.label);
        let mut runs = Vec::new();
        for n in 1..=args.runs {
            let r = publish_once(&v.services, &admin, &root, v.key, n).await?;
            println!(
                "  lần {n}: {} đơn vị nhận ({} xã) trong {:.1} ms ({:.0} đơn vị/s)",
                r.targets,
                r.communes,
                r.millis,
                r.targets as f64 / (r.millis / 1000.0)
            );
            runs.push(r);
            // Each publication at its own minute, as on a real day.
            if let Some(c) = &v.clock {
                c.advance(chrono::Duration::minutes(1));
            }
        }
        let mut ms: Vec<f64> = runs.iter().map(|r| r.millis).collect();
        ms.sort_by(f64::total_cmp);
        let median = if ms.len() % 2 == 1 { ms[ms.len() / 2] } else { (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0 };
        let max = ms[ms.len() - 1];
        let (targets, communes) = (runs[0].targets, runs[0].communes);
        let rate = targets as f64 / (median / 1000.0);
        println!(
            "  {}: {targets} đơn vị nhận ({communes} xã); trung vị {median:.1} ms, lâu nhất {max:.1} ms; {rate:.0} đơn vị/s (theo trung vị)",
            v.key
        );
        summaries.push((v.key, targets, communes, median, max, rate));
    }

    // ----- report --------------------------------------------------------------------------------
    println!();
    if let Some((_, targets, communes, ..)) = summaries.iter().find(|s| s.0 == "OLD") {
        println!(
            "Ghi chú: đề bài nêu biến thể {ISSUE_OLD_TARGETS} đơn vị nhận trên cấu trúc cũ; danh mục của chúng tôi ngày \
             {old_day} có {communes} xã, nên biến thể cấu trúc cũ ở đây có {targets} đơn vị nhận (tỉnh, huyện và xã), \
             không phải {ISSUE_OLD_TARGETS}."
        );
    }
    if generated {
        println!("Tài khoản thử tải: {ADMIN}, mật khẩu: {password}");
    } else {
        println!("Tài khoản thử tải: {ADMIN}, mật khẩu trong BENCH_PASSWORD");
    }
    println!("BENCH_BACKEND={}", services.backend_name());
    println!("BENCH_RUNS={}", args.runs);
    for (key, targets, communes, median, max, rate) in &summaries {
        println!("BENCH_{key}_TARGETS={targets}");
        println!("BENCH_{key}_COMMUNES={communes}");
        println!("BENCH_{key}_MEDIAN_MS={median:.1}");
        println!("BENCH_{key}_MAX_MS={max:.1}");
        println!("BENCH_{key}_TARGETS_PER_S={rate:.0}");
    }
    println!("BENCH_OLD_DAY={old_day}");
    println!("BENCH_SECONDS={:.1}", started.elapsed().as_secs_f64());
    Ok(())
}

/// Writes and submits a national bulletin, times its approval (publication and fan-out), then
/// checks its deliveries against the directory of the publication day.
async fn publish_once(
    services: &Services,
    admin: &Principal,
    root: &OrgUnit,
    key: &str,
    n: u32,
) -> anyhow::Result<Run> {
    let input = BulletinInput {
        title: format!("Bản tin thử tải {key} số {n}: thông tin chính sách gửi toàn quốc"),
        body: "Bản tin dùng để đo thời gian phát hành và chuyển đến mọi đơn vị nhận trên cả nước \
               (dxgov bench-bulletins); không phải thông tin thật."
            .into(),
        spoken: String::new(),
        category: Category::PolicyLaw,
        publish_at: None,
        expires_at: None,
        targets: vec![root.code.clone()],
        levels: RECEIVING_LEVELS.to_vec(),
        alert: None,
    };
    let draft = services.create_bulletin(admin, &root.code, input).await?;
    let sent = services.bulletin_step(admin, draft.id, Step::Submit, draft.row_version).await?;
    let t = Instant::now();
    let published = services.bulletin_step(admin, sent.id, Step::Approve, sent.row_version).await?;
    let millis = t.elapsed().as_secs_f64() * 1000.0;
    if published.status != Status::Published {
        bail!("bản tin {} chưa được phát hành sau khi duyệt (trạng thái {})", published.id, published.status.as_str());
    }
    let day = vietnam_date(published.published_at.context("bản tin đã phát hành mà không có thời điểm phát hành")?);
    let want = expected(services, root, day).await?;
    let reach = services.bulletin_reach(admin, published.id).await?;
    let got_levels: BTreeMap<&'static str, u64> = RECEIVING_LEVELS
        .iter()
        .map(|l| (l.as_str(), reach.levels.iter().find(|r| r.level == *l).map_or(0, |r| r.targeted)))
        .collect();
    let got = Expected {
        total: reach.targeted,
        communes: got_levels.get(OrgType::Commune.as_str()).copied().unwrap_or(0),
        per_level: got_levels,
    };
    if got != want {
        bail!(
            "bản tin {} ngày {day}: {} đơn vị nhận ({}), danh mục có {} ({})",
            published.id,
            got.total,
            levels_text(&got),
            want.total,
            levels_text(&want)
        );
    }
    Ok(Run { millis, targets: got.total, communes: got.communes })
}

/// The receiving units the directory has on `day` under the root, level by level (the issuing
/// unit — the root — is excluded when it is one of them).
async fn expected(services: &Services, root: &OrgUnit, day: NaiveDate) -> anyhow::Result<Expected> {
    let mut per_level = BTreeMap::new();
    for level in RECEIVING_LEVELS {
        let mut n = services
            .list_orgs(&OrgQuery {
                org_type: Some(level),
                as_of: Some(day),
                within_paths: Some(vec![root.path.clone()]),
                limit: 1,
                ..Default::default()
            })
            .await?
            .total;
        if root.org_type == level && root.is_valid_on(day) {
            n -= 1;
        }
        per_level.insert(level.as_str(), n);
    }
    Ok(Expected {
        total: per_level.values().sum(),
        communes: per_level.get(OrgType::Commune.as_str()).copied().unwrap_or(0),
        per_level,
    })
}

fn levels_text(e: &Expected) -> String {
    RECEIVING_LEVELS
        .iter()
        .map(|l| {
            let name = match l {
                OrgType::Province => "tỉnh",
                OrgType::District => "huyện",
                _ => "xã",
            };
            format!("{} {name}", e.per_level.get(l.as_str()).copied().unwrap_or(0))
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// `bench.admin` (admin on the root), created when missing; its id.
async fn account(app: &App, password: &str) -> anyhow::Result<domain::users::UserId> {
    if let Some(u) = app.db.user_by_username(ADMIN).await? {
        return Ok(u.id);
    }
    Ok(app.services.seed_user(ADMIN, "Quản trị thử tải", ROOT_CODE, Role::Admin, ROOT_CODE, password).await?.id)
}
