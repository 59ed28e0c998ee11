//! `dxgov`: the one binary. Parses the command line and runs a command; everything else lives
//! in the library half (`app`, `config`, `demo`).

use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::clock::SystemClock;
use dxgov::app::App;
use dxgov::config::{Config, Overrides};

#[derive(Parser)]
#[command(name = "dxgov", version, about = "Nền tảng điều hành chuyển đổi số — dxgov")]
struct Cli {
    /// TOML configuration file (also `DXGOV_CONFIG`).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (SQLite database), default ./dxgov-data.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… or postgres://… (also `DXGOV_DATABASE_URL`).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve {
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        bind: Option<String>,
        /// Do not load demo data.
        #[arg(long)]
        no_demo: bool,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Load the shipped administrative divisions and central agencies (once).
    ImportOrgs,
    /// Create an admin account on the root unit (password from DXGOV_ADMIN_PASSWORD or printed).
    CreateAdmin {
        #[arg(long, default_value = "admin")]
        username: String,
    },
    /// Write a consistent snapshot of the whole database to FILE.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty database.
    Restore { file: PathBuf },
    /// Check the audit log's hash chain; names the first broken entry.
    AuditVerify,
    /// Fill the database with synthetic national load for benchmarks (see scripts/bench-work.sh).
    BenchData(dxgov::bench::BenchArgs),
    /// Fill the database with synthetic indicator values and a national report round for
    /// benchmarks (see scripts/bench-indicators.sh).
    BenchIndicators(dxgov::bench_indicators::BenchIndicatorArgs),
    /// Time the publication of national bulletins (the fan-out to every receiving unit) on the
    /// current and the old structure (see scripts/bench-bulletins.sh).
    BenchBulletins(dxgov::bench_bulletins::BenchBulletinArgs),
    /// The feedback classifier on labelled files: `train --data F.tsv --model OUT`, `eval --model
    /// OUT --data F.tsv` (accuracy, macro-F1, confusion matrix).
    Classify {
        #[command(subcommand)]
        action: dxgov::classify_cli::ClassifyCommand,
    },
    /// Ask a running server's /readyz; exit 0 when ready.
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/readyz")]
        url: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { port: None, bind: None, no_demo: false });
    let mut overrides = Overrides { data_dir: cli.data_dir, database_url: cli.database_url, ..Default::default() };
    if let Command::Serve { port, bind, no_demo } = &command {
        overrides.port = *port;
        overrides.bind = bind.clone();
        overrides.demo = no_demo.then_some(false);
    }
    let config = match Config::load(cli.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lỗi: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lỗi: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DXGOV_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    let clock = Arc::new(SystemClock);
    match command {
        Command::Serve { .. } => serve(config).await?,
        Command::Migrate => {
            App::open(&config, clock, false).await?;
            println!("Đã cập nhật cấu trúc cơ sở dữ liệu.");
        }
        Command::ImportOrgs => {
            let app = App::open(&config, clock, false).await?;
            let n = app.load_reference().await?;
            println!("Đã nạp {n} đơn vị.");
        }
        Command::CreateAdmin { username } => {
            let app = App::open(&config, clock, true).await?;
            match app.services.ensure_admin(&username, config.admin_password.as_deref()).await? {
                Some(pw) => println!("Đã tạo {username}, mật khẩu tạm thời: {pw} (đổi khi đăng nhập lần đầu)"),
                None if config.admin_password.is_some() => {
                    println!("Đã tạo {username} với mật khẩu từ DXGOV_ADMIN_PASSWORD.")
                }
                None => bail!("người dùng '{username}' đã có"),
            }
        }
        Command::Backup { out } => {
            let app = App::open(&config, clock, false).await?;
            let file = std::fs::File::create(&out).with_context(|| format!("không ghi được {}", out.display()))?;
            let mut w = BufWriter::new(file);
            let summary = app.db.backup(&mut w).await?;
            for (t, n) in summary.tables {
                println!("{t}: {n}");
            }
            println!("Đã sao lưu vào {}", out.display());
        }
        Command::Restore { file } => {
            let app = App::open(&config, clock, false).await?;
            let f = std::fs::File::open(&file).with_context(|| format!("không đọc được {}", file.display()))?;
            let summary = app.db.restore(&mut BufReader::new(f)).await?;
            for (t, n) in summary.tables {
                println!("{t}: {n}");
            }
            println!("Đã khôi phục từ {}", file.display());
        }
        Command::AuditVerify => {
            let app = App::open(&config, clock, false).await?;
            match app.services.verify_audit().await? {
                Ok(n) => println!("Nhật ký toàn vẹn: {n} mục, chuỗi băm khớp."),
                Err(brk) => {
                    eprintln!("NHẬT KÝ BỊ SỬA ĐỔI: {brk}");
                    return Ok(ExitCode::from(3));
                }
            }
        }
        Command::BenchData(args) => {
            let app = App::open(&config, clock, true).await?;
            dxgov::bench::run(&app, &args).await?;
        }
        Command::BenchIndicators(args) => {
            let app = App::open(&config, clock, true).await?;
            dxgov::bench_indicators::run(&app, &args).await?;
        }
        Command::BenchBulletins(args) => {
            let app = App::open(&config, clock, true).await?;
            dxgov::bench_bulletins::run(&app, &args).await?;
        }
        Command::Healthcheck { url } => return healthcheck(&url).await,
        Command::Classify { action } => {
            tokio::task::spawn_blocking(move || dxgov::classify_cli::run(action)).await??;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = App::open(&config, Arc::new(SystemClock), true).await?;
    let admin_password = app.services.ensure_admin(&config.admin_username, config.admin_password.as_deref()).await?;
    let mut demo_note = None;
    if config.demo {
        let password = config.demo_password.clone().unwrap_or_else(domain::users::random_password);
        let created = dxgov::demo::load(&app.services, &password).await?;
        if !created.is_empty() {
            demo_note = Some((created, password));
        }
    }
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok();
    let listener = tokio::net::TcpListener::bind((config.bind.as_str(), config.port))
        .await
        .with_context(|| format!("không mở được cổng {}:{}", config.bind, config.port))?;
    let addr = listener.local_addr()?;
    println!("dxgov đang chạy tại http://{addr}/ (cơ sở dữ liệu: {})", app.services.backend_name());
    match admin_password {
        Some(pw) => {
            println!("Đăng nhập: {} / {pw} — mật khẩu tạm thời, phải đổi ở lần đăng nhập đầu.", config.admin_username)
        }
        None if config.admin_password.is_some() => {
            println!("Đăng nhập: {} / (mật khẩu trong DXGOV_ADMIN_PASSWORD)", config.admin_username)
        }
        None => println!("Đăng nhập: {} (tài khoản đã có từ trước)", config.admin_username),
    }
    if let Some((users, pw)) = demo_note {
        println!("Tài khoản mẫu ({}), mật khẩu chung: {pw}", users.join(", "));
        println!(
            "Người dân gửi phản ánh tại http://{addr}/phan-anh; Open311: http://{addr}/open311/v2/ (api_key mẫu: {})",
            dxgov::demo::feedback::OPEN311_KEY
        );
        println!(
            "Cổng thông tin cơ sở: http://{addr}/p (đang có cảnh báo bão số 13); cảnh báo CAP: http://{addr}/cap/feed.atom"
        );
    }
    let scheduler = app.scheduler(&config)?;
    if config.jobs_interval_secs > 0 {
        scheduler.spawn(std::time::Duration::from_secs(config.jobs_interval_secs));
    }
    let state = app.web_state(&config, metrics);
    web::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// A tiny HTTP/1.1 GET over TCP, so the binary needs no HTTP client for its own health check.
async fn healthcheck(url: &str) -> anyhow::Result<ExitCode> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").context("chỉ hỗ trợ http://")?;
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream =
        tokio::net::TcpStream::connect(host).await.with_context(|| format!("không kết nối được {host}"))?;
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await?;
    let ok = buf.starts_with("HTTP/1.1 200");
    println!("{}", buf.lines().next().unwrap_or(""));
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
