//! `dxgov bench-data`: fills the configured database with a synthetic national load for the
//! benchmarks of plans and tasks (`scripts/bench-work.sh`).
//!
//! For every province and ministry valid today, `--multiplier` plans adopted from the provincial
//! or ministry framework (`Services::create_plan`, which makes the framework's tasks), each topped
//! up to `--tasks-per-agency` tasks; for every commune valid today, `--multiplier` plans of
//! `--tasks-per-commune` tasks. Each plan covers one year of 2024–2027 (spread over units), so
//! deadlines fall over 2024–2027 and many are past. With the defaults (200 and 20) one round is
//! about 77,000 tasks; `--multiplier 13` (or `--total 1000000`) about 1,000,000.
//!
//! Plans and users go through the services; tasks are inserted through the storage layer in big
//! batches (`WorkStore::task_insert_many`, one transaction and one audit entry per batch), and
//! their states are then set with the bench-only `Db::bench_set_states` (no history, no audit:
//! see `store::bench`). Agency plans are then submitted, approved and started through the
//! services; commune plans stay drafts (approving 40,000 plans one by one would dominate the load
//! time and no measured page depends on it).
//!
//! Accounts: `bench.admin` (admin on the root), `bench.dieuphoi` (coordinator on the root: reads
//! every task and the national view) and a few officers per province and ministry
//! (`bench.<code>.<n>`) to whom tasks are assigned; all with the password from
//! `BENCH_PASSWORD` (else a random one, printed). The figures and the ids the benchmark
//! script needs are printed as `BENCH_*=value` lines.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Datelike, Days, NaiveDate};
use domain::Services;
use domain::audit::AuditDraft;
use domain::auth::Role;
use domain::frameworks::{DeadlineRule, FrameworkKind};
use domain::org::{OrgQuery, OrgType, OrgUnit};
use domain::repo::Store;
use domain::repo::work::{NewTaskEvent, NewTaskRecord, TaskFilter, WorkStore};
use domain::services::work::{NewPlanInput, StepInput};
use domain::users::UserId;
use domain::work::{PlanId, PlanStep, TaskEventKind, TaskSort, TaskState};
use store::bench::BenchTaskState;
use tokio::task::JoinSet;

use crate::app::App;

/// Options of `dxgov bench-data`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Tasks per plan of a province or ministry (framework tasks topped up to this).
    #[arg(long, default_value_t = 200)]
    pub tasks_per_agency: usize,
    /// Tasks per plan of a commune.
    #[arg(long, default_value_t = 20)]
    pub tasks_per_commune: usize,
    /// Plans per unit (each of the sizes above): 1 ≈ 77,000 tasks, 13 ≈ 1,000,000.
    #[arg(long, default_value_t = 1)]
    pub multiplier: u32,
    /// Instead of --multiplier: the multiplier that comes nearest to this many tasks.
    #[arg(long)]
    pub total: Option<u64>,
    /// Tasks per `task_insert_many` transaction.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
    /// Officers per province (ministries get one less, at least one).
    #[arg(long, default_value_t = 3)]
    pub users_per_province: usize,
    /// Plans created at the same time (the services' reads overlap; SQLite queues the writes).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Leave the agency plans as drafts (skip submit, approve, start).
    #[arg(long)]
    pub no_approve: bool,
    /// Seed of the pseudo-random choices (same seed, same data).
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
}

pub const ADMIN: &str = "bench.admin";
pub const COORDINATOR: &str = "bench.dieuphoi";

/// SplitMix64: small, fast and deterministic; good enough for synthetic data.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const TITLES: &[&str] = &[
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Triển khai dịch vụ công trực tuyến toàn trình",
    "Kết nối, chia sẻ dữ liệu với Cơ sở dữ liệu quốc gia về dân cư",
    "Xây dựng kho dữ liệu dùng chung",
    "Bảo đảm an toàn thông tin theo cấp độ cho hệ thống thông tin",
    "Tập huấn kỹ năng số cho cán bộ, công chức",
    "Nâng cấp hạ tầng mạng nội bộ và đường truyền số liệu chuyên dùng",
    "Triển khai hệ thống quản lý văn bản và điều hành liên thông",
    "Cập nhật dữ liệu đất đai lên hệ thống thông tin đất đai",
    "Phát triển tổ công nghệ số cộng đồng",
    "Triển khai thanh toán không dùng tiền mặt trong dịch vụ công",
    "Xây dựng bản đồ số hạ tầng viễn thông",
    "Rà soát, đánh giá mức độ chuyển đổi số của đơn vị",
    "Ứng dụng chữ ký số trong xử lý văn bản",
    "Vận hành Trung tâm giám sát, điều hành thông minh",
    "Chuẩn hóa dữ liệu hộ tịch điện tử",
    "Phổ cập danh tính số cho người dân",
    "Xây dựng nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh",
    "Đánh giá chỉ số phục vụ người dân, doanh nghiệp",
    "Tuyên truyền, nâng cao nhận thức về chuyển đổi số",
    "Triển khai hội nghị trực tuyến đến cấp xã",
    "Lắp đặt hệ thống truyền thanh thông minh",
    "Cập nhật thông tin cơ sở giáo dục, y tế lên bản đồ số",
    "Thu thập, làm sạch dữ liệu doanh nghiệp",
    "Kiểm tra, đánh giá an toàn thông tin định kỳ",
];

/// A unit with its plans' shape.
#[derive(Clone)]
struct Unit {
    org: OrgUnit,
    kind: UnitKind,
    /// People tasks are assigned to (the province's officers for a commune).
    people: Arc<Vec<UserId>>,
    /// Units that may coordinate its tasks (communes of a province, other ministries).
    partners: Arc<Vec<i64>>,
    index: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Province,
    Ministry,
    Commune,
}

struct NewPlan {
    unit: Unit,
    plan_id: PlanId,
    year: i32,
    /// Framework tasks already made by `create_plan`.
    adopted: usize,
}

pub async fn run(app: &App, args: &BenchArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let services = &app.services;
    let today = services.clock().today();
    if app.db.user_by_username(ADMIN).await?.is_some() {
        bail!("dữ liệu thử tải đã có trong cơ sở dữ liệu này (người dùng {ADMIN}); hãy dùng cơ sở dữ liệu trống");
    }
    let (password, generated) = match std::env::var("BENCH_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (domain::users::random_password(), true),
    };
    let mut rng = Rng(args.seed);

    // ----- units ------------------------------------------------------------------------------
    let t = Instant::now();
    let root = services.root().await?;
    let provinces = all_orgs(services, OrgType::Province, today).await?;
    let ministries = all_orgs(services, OrgType::Ministry, today).await?;
    let communes = all_orgs(services, OrgType::Commune, today).await?;
    println!(
        "Đơn vị có hiệu lực hôm nay: {} tỉnh, {} bộ, {} xã ({:.1} s)",
        provinces.len(),
        ministries.len(),
        communes.len(),
        t.elapsed().as_secs_f64()
    );
    if provinces.is_empty() || communes.is_empty() {
        bail!("chưa có danh mục đơn vị hành chính (chạy `dxgov import-orgs`)");
    }
    let per_round =
        (provinces.len() + ministries.len()) * args.tasks_per_agency + communes.len() * args.tasks_per_commune;
    let multiplier = match args.total {
        Some(total) => ((total as f64 / per_round.max(1) as f64).round() as u32).max(1),
        None => args.multiplier.max(1),
    };
    println!("Mỗi vòng {per_round} nhiệm vụ; hệ số {multiplier} → khoảng {} nhiệm vụ", per_round * multiplier as usize);

    // ----- accounts ---------------------------------------------------------------------------
    let t = Instant::now();
    let admin = services.seed_user(ADMIN, "Quản trị thử tải", &root.code, Role::Admin, &root.code, &password).await?;
    services
        .seed_user(COORDINATOR, "Cơ quan điều phối thử tải", &root.code, Role::Coordinator, &root.code, &password)
        .await?;
    let admin = Arc::new(services.principal(admin.id).await?);
    let mut jobs: JoinSet<anyhow::Result<(i64, UserId)>> = JoinSet::new();
    let mut people: HashMap<i64, Vec<UserId>> = HashMap::new();
    let accounts: Vec<(i64, String, String, String)> = provinces
        .iter()
        .map(|o| (o, args.users_per_province))
        .chain(ministries.iter().map(|o| (o, args.users_per_province.saturating_sub(1).max(1))))
        .flat_map(|(o, n)| {
            (1..=n).map(move |i| {
                let username = format!("bench.{}.{i}", o.code.to_ascii_lowercase().replace('_', "."));
                (o.id, username, format!("Chuyên viên thử tải {i} — {}", o.name), o.code.clone())
            })
        })
        .collect();
    let n_accounts = accounts.len();
    for (org_id, username, full_name, code) in accounts {
        let services = services.clone();
        let password = password.clone();
        while jobs.len() >= args.concurrency.max(1) {
            let (org_id, user) = jobs.join_next().await.context("join")???;
            people.entry(org_id).or_default().push(user);
        }
        jobs.spawn(async move {
            let u = services.seed_user(&username, &full_name, &code, Role::Officer, &code, &password).await?;
            anyhow::Ok((org_id, u.id))
        });
    }
    while let Some(r) = jobs.join_next().await {
        let (org_id, user) = r.context("join")??;
        people.entry(org_id).or_default().push(user);
    }
    println!("Tài khoản: {} ({:.1} s)", n_accounts + 2, t.elapsed().as_secs_f64());

    // ----- units with their people and partners --------------------------------------------------
    let mut units: Vec<Unit> = Vec::new();
    let province_people: Vec<(String, Arc<Vec<UserId>>)> =
        provinces.iter().map(|p| (p.path.clone(), Arc::new(people.get(&p.id).cloned().unwrap_or_default()))).collect();
    let mut communes_of: HashMap<String, Vec<i64>> = HashMap::new();
    for c in &communes {
        if let Some((path, _)) = province_people.iter().find(|(p, _)| c.path.starts_with(p.as_str())) {
            communes_of.entry(path.clone()).or_default().push(c.id);
        }
    }
    let ministry_ids = Arc::new(ministries.iter().map(|m| m.id).collect::<Vec<_>>());
    for p in &provinces {
        units.push(Unit {
            people: Arc::new(people.get(&p.id).cloned().unwrap_or_default()),
            partners: Arc::new(communes_of.get(&p.path).cloned().unwrap_or_default()),
            org: p.clone(),
            kind: UnitKind::Province,
            index: units.len(),
        });
    }
    for m in &ministries {
        units.push(Unit {
            people: Arc::new(people.get(&m.id).cloned().unwrap_or_default()),
            partners: ministry_ids.clone(),
            org: m.clone(),
            kind: UnitKind::Ministry,
            index: units.len(),
        });
    }
    let no_partners = Arc::new(Vec::new());
    for c in &communes {
        let people = province_people
            .iter()
            .find(|(p, _)| c.path.starts_with(p.as_str()))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        units.push(Unit {
            org: c.clone(),
            kind: UnitKind::Commune,
            people,
            partners: no_partners.clone(),
            index: units.len(),
        });
    }

    // ----- frameworks -------------------------------------------------------------------------
    let summaries = services.frameworks().await?;
    let newest = |kind: FrameworkKind| {
        summaries.iter().filter(|f| f.kind == kind).max_by_key(|f| (f.version, f.id)).map(|f| f.id)
    };
    let provincial = newest(FrameworkKind::Provincial).context("không có khung kế hoạch cấp tỉnh")?;
    let ministry = newest(FrameworkKind::Ministry).context("không có khung kế hoạch cấp bộ")?;
    // Framework tasks a one-year plan gets, per framework and year (as `create_plan` makes them).
    let mut adopted_count: HashMap<(i64, i32), usize> = HashMap::new();
    for id in [provincial, ministry] {
        let fw = services.framework(id).await?;
        for year in 2024..=2027 {
            let n =
                fw.items().map(|(_, i)| i.deadline.unwrap_or(DeadlineRule::Ongoing).due_dates(year, year).len()).sum();
            adopted_count.insert((id, year), n);
        }
    }
    let template = services.templates().first().map(|t| t.code.clone()).context("không có mẫu kế hoạch")?;

    // ----- plans (through the services) ------------------------------------------------------------
    let t = Instant::now();
    let mut plans: Vec<NewPlan> = Vec::with_capacity(units.len() * multiplier as usize);
    let mut jobs: JoinSet<anyhow::Result<NewPlan>> = JoinSet::new();
    for round in 0..multiplier {
        for unit in &units {
            let year = 2024 + ((unit.index + round as usize) % 4) as i32;
            let fw = match unit.kind {
                UnitKind::Province => Some(provincial),
                UnitKind::Ministry => Some(ministry),
                UnitKind::Commune => None,
            };
            let title = if multiplier == 1 {
                format!("Kế hoạch chuyển đổi số {} năm {year}", unit.org.name)
            } else {
                format!("Kế hoạch chuyển đổi số {} năm {year} (đợt {})", unit.org.name, round + 1)
            };
            let input = NewPlanInput {
                org: unit.org.code.clone(),
                title,
                period: year.to_string(),
                template: template.clone(),
                frameworks: fw.into_iter().collect(),
                items: Vec::new(),
            };
            let adopted = fw.map(|id| adopted_count.get(&(id, year)).copied().unwrap_or(0)).unwrap_or(0);
            while jobs.len() >= args.concurrency.max(1) {
                plans.push(jobs.join_next().await.context("join")???);
            }
            let (services, admin, unit) = (services.clone(), admin.clone(), unit.clone());
            jobs.spawn(async move {
                let plan = services.create_plan(&admin, &input).await?;
                anyhow::Ok(NewPlan { unit, plan_id: plan.id, year, adopted })
            });
        }
    }
    while let Some(r) = jobs.join_next().await {
        plans.push(r.context("join")??);
    }
    plans.sort_by_key(|p| p.plan_id);
    let plan_secs = t.elapsed().as_secs_f64();
    println!(
        "Kế hoạch: {} ({plan_secs:.1} s, {:.2} ms mỗi kế hoạch)",
        plans.len(),
        plan_secs * 1000.0 / plans.len() as f64
    );

    // ----- tasks (storage, big batches) ---------------------------------------------------------------
    let t = Instant::now();
    let event = NewTaskEvent {
        at: services.clock().now(),
        actor_id: admin.user.id,
        actor: admin.user.full_name.clone(),
        kind: TaskEventKind::Created,
        changes: vec!["Dữ liệu thử tải".into()],
        text: None,
    };
    let mut buffer: Vec<NewTaskRecord> = Vec::with_capacity(args.batch + args.tasks_per_agency);
    let mut states: Vec<BenchTaskState> = Vec::new();
    let mut inserted = 0usize;
    let mut adopted_total = 0usize;
    let mut batches = 0usize;
    let mut insert_secs = 0.0;
    let mut state_secs = 0.0;
    for p in &plans {
        let size = match p.unit.kind {
            UnitKind::Commune => args.tasks_per_commune,
            _ => args.tasks_per_agency,
        };
        if p.adopted > 0 {
            // The framework tasks create_plan made: draw their states too.
            let page = app
                .db
                .task_list(&TaskFilter {
                    plan_id: Some(p.plan_id),
                    sort: TaskSort::Code,
                    limit: 1000,
                    ..TaskFilter::default()
                })
                .await?;
            adopted_total += page.items.len();
            for task in &page.items {
                states.push(draw_state(&mut rng, task.id, task.deadline, today));
            }
        }
        for n in p.adopted..size {
            buffer.push(own_task(&mut rng, p, n));
        }
        if buffer.len() >= args.batch {
            let (i, s) = flush(app, &mut buffer, &mut states, &event, &mut rng, today).await?;
            inserted += i;
            batches += 1;
            insert_secs += s.0;
            state_secs += s.1;
            if batches.is_multiple_of(10) {
                println!(
                    "  … {} nhiệm vụ ({:.0} nhiệm vụ/s)",
                    inserted + adopted_total,
                    (inserted + adopted_total) as f64 / t.elapsed().as_secs_f64()
                );
            }
        }
    }
    if !buffer.is_empty() || !states.is_empty() {
        let (i, s) = flush(app, &mut buffer, &mut states, &event, &mut rng, today).await?;
        inserted += i;
        batches += 1;
        insert_secs += s.0;
        state_secs += s.1;
    }
    let task_secs = t.elapsed().as_secs_f64();
    println!(
        "Nhiệm vụ: {} theo khung + {inserted} bổ sung trong {batches} lô ({task_secs:.1} s: chèn {insert_secs:.1} s, \
         trạng thái {state_secs:.1} s; {:.0} nhiệm vụ/s)",
        adopted_total,
        (inserted + adopted_total) as f64 / task_secs
    );

    // ----- agency plans through their workflow --------------------------------------------------------
    let mut approve_secs = 0.0;
    if !args.no_approve {
        let t = Instant::now();
        let agency_plans: Vec<PlanId> =
            plans.iter().filter(|p| p.unit.kind != UnitKind::Commune).map(|p| p.plan_id).collect();
        let mut jobs: JoinSet<anyhow::Result<()>> = JoinSet::new();
        for id in &agency_plans {
            while jobs.len() >= args.concurrency.max(1) {
                jobs.join_next().await.context("join")???;
            }
            let (services, admin, id) = (services.clone(), admin.clone(), *id);
            jobs.spawn(async move {
                for step in [PlanStep::Submit, PlanStep::Approve, PlanStep::Start] {
                    let row_version = services.plan(&admin, id).await?.row_version;
                    let input = StepInput {
                        step,
                        row_version,
                        decision_number: Some(format!("{id}/QĐ-UBND")),
                        decision_date: Some(today),
                        note: None,
                    };
                    services.plan_step(&admin, id, &input).await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(r) = jobs.join_next().await {
            r.context("join")??;
        }
        approve_secs = t.elapsed().as_secs_f64();
        println!("Phê duyệt và triển khai {} kế hoạch của tỉnh, bộ ({approve_secs:.1} s)", agency_plans.len());
    }

    // ----- an empty draft for the import benchmark ----------------------------------------------------------
    let target = provinces.iter().find(|p| p.code == "51").unwrap_or(&provinces[0]);
    let import_plan = services
        .create_plan(
            &admin,
            &NewPlanInput {
                org: target.code.clone(),
                title: format!("Kế hoạch nhập thử nhiệm vụ của {}", target.name),
                period: today.year().to_string(),
                template: template.clone(),
                frameworks: Vec::new(),
                items: Vec::new(),
            },
        )
        .await?;

    // ----- report --------------------------------------------------------------------------------------
    let total_secs = started.elapsed().as_secs_f64();
    println!();
    for (table, n) in app.db.bench_counts().await? {
        println!("  {table:<16} {n:>10}");
    }
    for (state, n) in app.db.bench_states().await? {
        println!("  tasks.{state:<16} {n:>10}");
    }
    let tasks = inserted + adopted_total;
    println!("Nạp xong {tasks} nhiệm vụ trong {total_secs:.1} s ({:.0} nhiệm vụ/s).", tasks as f64 / total_secs);
    if generated {
        println!("Tài khoản thử tải: {COORDINATOR} và {ADMIN}, mật khẩu: {password}");
    } else {
        println!("Tài khoản thử tải: {COORDINATOR} và {ADMIN}, mật khẩu trong BENCH_PASSWORD");
    }
    println!("BENCH_TASKS={tasks}");
    println!("BENCH_PLANS={}", plans.len() + 1);
    println!("BENCH_MULTIPLIER={multiplier}");
    println!("BENCH_SECONDS={total_secs:.1}");
    println!("BENCH_PLAN_SECONDS={plan_secs:.1}");
    println!("BENCH_TASK_SECONDS={task_secs:.1}");
    println!("BENCH_APPROVE_SECONDS={approve_secs:.1}");
    println!("BENCH_USER={COORDINATOR}");
    println!("BENCH_ADMIN={ADMIN}");
    println!("BENCH_FRAMEWORK_ID={provincial}");
    println!("BENCH_MINISTRY_FRAMEWORK_ID={ministry}");
    println!("BENCH_IMPORT_PLAN_ID={}", import_plan.id);
    println!("BENCH_IMPORT_ORG={}", target.code);
    Ok(())
}

/// Every unit of `kind` valid on `day`.
pub(crate) async fn all_orgs(services: &Services, kind: OrgType, day: NaiveDate) -> anyhow::Result<Vec<OrgUnit>> {
    let mut out = Vec::new();
    loop {
        let page = services
            .list_orgs(&OrgQuery {
                org_type: Some(kind),
                as_of: Some(day),
                offset: out.len() as u64,
                limit: 500,
                ..OrgQuery::default()
            })
            .await?;
        let n = page.items.len();
        out.extend(page.items);
        if n == 0 || out.len() as u64 >= page.total {
            return Ok(out);
        }
    }
}

/// The `n`-th task of a plan (after its framework tasks): a deadline in the plan's year, most
/// with a start date, one or two assignees, sometimes a coordinating unit.
fn own_task(rng: &mut Rng, p: &NewPlan, n: usize) -> NewTaskRecord {
    let year_start = NaiveDate::from_ymd_opt(p.year, 1, 1).unwrap_or(NaiveDate::MIN);
    let deadline = year_start + Days::new(14 + rng.below(350));
    let start_date = (rng.below(10) < 8).then(|| deadline - Days::new(30 + rng.below(210)));
    let mut assignees = Vec::new();
    if !p.unit.people.is_empty() {
        match rng.below(20) {
            0..=2 => {}
            3..=16 => assignees.push(*rng.pick(&p.unit.people)),
            _ => {
                assignees.push(*rng.pick(&p.unit.people));
                assignees.push(*rng.pick(&p.unit.people));
            }
        }
    }
    let coordinating = if !p.unit.partners.is_empty() && rng.below(10) == 0 {
        vec![*rng.pick(&p.unit.partners)].into_iter().filter(|id| *id != p.unit.org.id).collect()
    } else {
        Vec::new()
    };
    let title = rng.pick(TITLES);
    let prefix = if p.unit.kind == UnitKind::Commune { "X" } else { "NV" };
    NewTaskRecord {
        plan_id: p.plan_id,
        parent_id: None,
        framework_item_id: None,
        code: format!("{prefix}.{}", n + 1),
        title: format!("{title} năm {}", p.year),
        description: format!("{title} tại {}, theo kế hoạch năm {}.", p.unit.org.name, p.year),
        lead_org_id: p.unit.org.id,
        coordinating,
        assignees,
        start_date,
        deadline,
        depends_on: Vec::new(),
    }
}

/// A realistic state for a task due on `deadline`: past deadlines mostly completed (on time or
/// late), some still open (overdue), paused or cancelled; future ones mostly not started or in
/// progress.
fn draw_state(rng: &mut Rng, id: i64, deadline: NaiveDate, today: NaiveDate) -> BenchTaskState {
    let open = |state, progress| BenchTaskState { id, state, progress, completed_on: None, rating: None };
    let step = |rng: &mut Rng| (1 + rng.below(9)) as u8 * 10;
    let r = rng.below(100);
    if deadline < today {
        match r {
            0..=49 => {
                let on = deadline - Days::new(rng.below(20));
                let rating = (rng.below(10) < 4).then(|| 4 + rng.below(2) as u8);
                BenchTaskState { id, state: TaskState::Completed, progress: 100, completed_on: Some(on), rating }
            }
            50..=67 => {
                let on = (deadline + Days::new(1 + rng.below(60))).min(today);
                let rating = (rng.below(10) < 4).then(|| 2 + rng.below(2) as u8);
                BenchTaskState { id, state: TaskState::Completed, progress: 100, completed_on: Some(on), rating }
            }
            68..=79 => open(TaskState::InProgress, step(rng)),
            80..=87 => open(TaskState::NotStarted, 0),
            88..=93 => open(TaskState::Paused, step(rng)),
            _ => open(TaskState::Cancelled, 0),
        }
    } else {
        match r {
            0..=39 => open(TaskState::NotStarted, 0),
            40..=74 => open(TaskState::InProgress, step(rng)),
            75..=84 => {
                let on = today - Days::new(rng.below(30));
                BenchTaskState { id, state: TaskState::Completed, progress: 100, completed_on: Some(on), rating: None }
            }
            85..=92 => open(TaskState::Paused, step(rng)),
            _ => open(TaskState::Cancelled, 0),
        }
    }
}

/// Inserts the buffered tasks in one `task_insert_many` transaction, then sets the states of
/// those and of the queued framework tasks. Returns tasks inserted and (insert, state) seconds.
async fn flush(
    app: &App,
    buffer: &mut Vec<NewTaskRecord>,
    states: &mut Vec<BenchTaskState>,
    event: &NewTaskEvent,
    rng: &mut Rng,
    today: NaiveDate,
) -> anyhow::Result<(usize, (f64, f64))> {
    let t = Instant::now();
    let records: Vec<NewTaskRecord> = std::mem::take(buffer);
    let audit = AuditDraft {
        at: event.at,
        actor_id: Some(event.actor_id),
        actor: ADMIN.into(),
        action: "bench.task_insert".into(),
        entity: "task",
        entity_id: None,
        org_id: None,
        before: None,
        after: Some(serde_json::json!({ "tasks": records.len() })),
    };
    let ids = if records.is_empty() { Vec::new() } else { app.db.task_insert_many(&records, event, audit).await? };
    let insert = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for (id, r) in ids.iter().zip(&records) {
        states.push(draw_state(rng, *id, r.deadline, today));
    }
    app.db.bench_set_states(states).await?;
    states.clear();
    Ok((ids.len(), (insert, t.elapsed().as_secs_f64())))
}
