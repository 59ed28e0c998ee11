//! Configuration from defaults, an optional TOML file, `DXGOV_*` environment variables and
//! command-line flags, in that order of precedence (later wins).

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the embedded SQLite database and backups live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// PostgreSQL schema (default `public`).
    pub database_schema: Option<String>,
    pub bind: String,
    pub port: u16,
    /// Load demo data at start.
    pub demo: bool,
    pub admin_username: String,
    /// The first admin's password; when unset a random one is printed once.
    pub admin_password: Option<String>,
    /// Password of the demo accounts; when unset a random one is printed once.
    pub demo_password: Option<String>,
    /// Set when served over HTTPS.
    pub cookie_secure: bool,
    /// Login attempts per IP per minute (0 = no limit).
    pub login_per_minute: u32,
    pub feedback_per_minute: u32,
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Database pool size.
    pub max_connections: u32,
    /// `text` or `json`.
    pub log_format: String,
    /// Outgoing mail server (`smtp://host:port`, `smtps://…`, `smtp://user:pass@host:port?tls=starttls`);
    /// reminders are only in the app when unset.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// Seconds between scheduler ticks (reminders, e-mail); 0 turns the scheduler off.
    pub jobs_interval_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("dxgov-data"),
            database_url: None,
            database_schema: None,
            bind: "127.0.0.1".into(),
            port: 8080,
            demo: true,
            admin_username: "admin".into(),
            admin_password: None,
            demo_password: None,
            cookie_secure: false,
            login_per_minute: 30,
            feedback_per_minute: 10,
            body_limit: 1024 * 1024,
            max_connections: 8,
            log_format: "text".into(),
            smtp_url: None,
            smtp_from: "dxgov <no-reply@dxgov.local>".into(),
            jobs_interval_secs: 300,
        }
    }
}

/// Flags that override the file and environment (only those given).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("cấu hình không hợp lệ: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads the TOML file (when given or `DXGOV_CONFIG` names one), then `DXGOV_*`, then flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let file = file.map(Path::to_path_buf).or_else(|| std::env::var_os("DXGOV_CONFIG").map(PathBuf::from));
        if let Some(f) = file {
            if !f.exists() {
                return Err(ConfigError(format!("không tìm thấy tệp cấu hình {}", f.display())));
            }
            fig = fig.merge(Toml::file(f));
        }
        fig = fig.merge(Env::prefixed("DXGOV_").ignore(&["CONFIG", "LOG"]));
        fig = fig.merge(Serialized::defaults(overrides));
        let config: Config = fig.extract().map_err(|e| {
            let e = e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            ConfigError(e)
        })?;
        if config.log_format != "text" && config.log_format != "json" {
            return Err(ConfigError("key `log_format`: phải là \"text\" hoặc \"json\"".into()));
        }
        Ok(config)
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("dxgov.db").display()))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }
}
