//! Storage: the domain's [`domain::repo::Store`] on SQLite (embedded default) and PostgreSQL,
//! with one set of migrations and one code path; backend differences are kept in this file.
//!
//! Owns SQL and entities. Must not hold business rules: it stores what services decide.

pub mod backup;
pub mod bench;
mod entities;
mod migrations;
mod repo;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tokio::sync::{Mutex, MutexGuard};

use domain::DomainError;

pub use migrations::Migrator;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("không kết nối được cơ sở dữ liệu ({url}): {source}")]
    Connect { url: String, source: DbErr },
    #[error("không chạy được migration: {0}")]
    Migrate(DbErr),
    #[error("{0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Other(String),
}

/// A database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// SQLite allows one writer at a time; writers in this process queue here instead of
    /// failing with SQLITE_BUSY. PostgreSQL needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
    /// New feedback items waiting for their group commit (`repo::feedback_intake`).
    intake: Arc<repo::IntakeQueue>,
}

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite://path/to/file.db` or `postgres://user@host:port/db`.
    pub url: String,
    /// PostgreSQL schema to use (created when missing); tests give each run its own.
    pub pg_schema: Option<String>,
    pub max_connections: u32,
}

/// How much of an SQLite file is read through memory mapping (1 GiB; beyond it, plain reads).
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

impl Db {
    pub async fn connect(config: &DbConfig) -> Result<Self, StoreError> {
        let url = if config.url.starts_with("sqlite:") && !config.url.contains("mode=") {
            format!("{}{}mode=rwc", config.url, if config.url.contains('?') { "&" } else { "?" })
        } else {
            config.url.clone()
        };
        let redacted = redact(&config.url);
        let connect_err = |source| StoreError::Connect { url: redacted.clone(), source };
        if let Some(schema) = &config.pg_schema {
            let plain = Database::connect(ConnectOptions::new(url.clone()).sqlx_logging(false).to_owned())
                .await
                .map_err(connect_err)?;
            plain.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema.replace('"', ""))).await?;
            plain.close().await?;
        }
        let mut opts = ConnectOptions::new(url);
        opts.sqlx_logging(false)
            .max_connections(config.max_connections)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(30))
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    // Every commit reaches the disk before it returns: an answered write
                    // survives a power cut, not only a crash of the process. Intake groups
                    // its commits to pay for the sync once per group (`repo::feedback_intake`).
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
                    // Reads straight from the operating system's file cache instead of copying
                    // each page into every connection's own 2 MB cache: a national roll-up
                    // joins 40,000 values to their pairs across the file (measured on 12,000,000
                    // values: the ratio roll-up's median 185 ms → 65 ms).
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            });
        if let Some(schema) = &config.pg_schema {
            opts.set_schema_search_path(schema.clone());
        }
        let conn = Database::connect(opts).await.map_err(connect_err)?;
        let write_lock = (conn.get_database_backend() == DbBackend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self { conn, write_lock, intake: Arc::default() })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.conn, None).await.map_err(StoreError::Migrate)
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Starts a write transaction (queued behind other writers on SQLite).
    async fn begin_write(&self) -> Result<(Option<MutexGuard<'_, ()>>, DatabaseTransaction), DbErr> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        // BEGIN IMMEDIATE takes SQLite's write lock up front, so a transaction that reads before
        // it writes cannot fail with SQLITE_BUSY when another process (a second node, `dxgov
        // restore`) wrote in between; busy_timeout makes it wait its turn instead.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        Ok((guard, self.conn.begin_with_options(options).await?))
    }

    /// After rows were inserted with explicit ids, PostgreSQL's sequences must move past them.
    async fn fix_sequences(&self, txn: &DatabaseTransaction, tables: &[&str]) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Postgres {
            return Ok(()); // SQLite's AUTOINCREMENT follows explicit ids by itself
        }
        for t in tables {
            txn.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {t}), 1))"
            ))
            .await?;
        }
        Ok(())
    }

    /// This handle without the intake queue, for the task that drains it (so the queue closes
    /// when the last handle holding it is dropped).
    fn without_queue(&self) -> Self {
        Self { conn: self.conn.clone(), write_lock: self.write_lock.clone(), intake: Arc::default() }
    }

    pub async fn close(self) -> Result<(), StoreError> {
        Ok(self.conn.close().await?)
    }
}

/// Hides the password part of a database URL for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn storage(e: DbErr) -> DomainError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) => DomainError::Conflict(m),
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(m)) => DomainError::Conflict(m),
        _ => DomainError::Storage(e.to_string()),
    }
}
