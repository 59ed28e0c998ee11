//! Accounts: who a user is, how a password is checked, and when an account locks.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::org::OrgId;
use crate::{DomainError, Result};

pub type UserId = i64;

/// Failed logins in a row before an account locks.
pub const MAX_FAILED_LOGINS: i32 = 5;
/// How long a lock lasts.
pub fn lockout_duration() -> Duration {
    Duration::minutes(15)
}
/// How long a session or API token lives without renewal.
pub fn session_lifetime() -> Duration {
    Duration::hours(12)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub org_id: OrgId,
    #[serde(skip)]
    pub org_path: String,
    pub org_name: String,
    pub active: bool,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub password_hash: String,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted, so a code cannot be replayed.
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    #[serde(skip)]
    pub failed_logins: i32,
    #[serde(skip)]
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A login name: 3–64 of a–z, 0–9, '.', '_', '-', starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        let ok = (3..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(Self(s))
        } else {
            Err(DomainError::invalid(
                "username",
                "tên đăng nhập dài 3–64 ký tự, bắt đầu bằng chữ cái, chỉ gồm chữ thường không dấu, chữ số, '.', '_', '-'",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password against the policy and returns it unchanged when it passes.
pub fn check_password_policy<'a>(username: &str, password: &'a str) -> Result<&'a str> {
    if password.chars().count() < 10 {
        return Err(DomainError::invalid("password", "mật khẩu phải có ít nhất 10 ký tự"));
    }
    if password.len() > 256 {
        return Err(DomainError::invalid("password", "mật khẩu dài quá 256 ký tự"));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(DomainError::invalid("password", "mật khẩu không được chứa tên đăng nhập"));
    }
    Ok(password)
}

/// Hashes with argon2id on the hashing pool (it is deliberately slow and memory-hard).
pub async fn hash_password(password: String) -> Result<String> {
    on_hash_pool(move || {
        let salt: [u8; 16] = rand::random();
        Argon2::default()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Storage(e.to_string()))
    })
    .await?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    on_hash_pool(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

type HashJob = Box<dyn FnOnce() + Send>;

/// argon2id takes 19 MiB per hash. Running it on a few long-lived threads (one per core) rather
/// than on tokio's growing blocking pool bounds both CPU contention and the memory the allocator
/// keeps per thread: measured 1.1–1.5 GB resident after a login load on the blocking pool.
async fn on_hash_pool<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex, OnceLock};
    static POOL: OnceLock<Mutex<mpsc::Sender<HashJob>>> = OnceLock::new();
    let sender = POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<HashJob>();
        let rx = Arc::new(Mutex::new(rx));
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        for i in 0..workers {
            let rx = rx.clone();
            let _ = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        }
        Mutex::new(tx)
    });
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        let _ = tx.send(f());
    });
    sender
        .lock()
        .map_err(|_| DomainError::Storage("hash pool poisoned".into()))?
        .send(job)
        .map_err(|_| DomainError::Storage("hash pool stopped".into()))?;
    rx.await.map_err(|_| DomainError::Storage("hash job dropped".into()))
}

/// A random password for first logins: 16 characters from an alphabet without look-alikes.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    (0..16).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

/// A random secret for sessions and API tokens (256 bits, hex).
pub fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Tokens are stored only as their SHA-256, so a database leak does not leak live tokens.
pub fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub mod totp {
    //! RFC 6238 second factor (30 s steps, 6 digits, SHA-1: what authenticator apps expect).
    use totp_rs::{Builder, Secret, Totp};

    use crate::{DomainError, Result};

    fn build(secret_b32: &str, username: &str) -> Result<Totp> {
        let secret = Secret::try_from_base32(secret_b32)
            .map_err(|_| DomainError::invalid("totp_secret", "khóa TOTP không hợp lệ"))?;
        Builder::new()
            .with_secret(secret)
            .with_issuer(Some("dxgov"))
            .with_account_name(username)
            .build()
            .map_err(|e| DomainError::invalid("totp_secret", e.to_string()))
    }

    pub fn new_secret() -> String {
        Secret::generate().to_base32()
    }

    /// The otpauth:// URL an authenticator app scans.
    pub fn url(secret_b32: &str, username: &str) -> Result<String> {
        build(secret_b32, username)?.to_url().map_err(|e| DomainError::invalid("totp_secret", e.to_string()))
    }

    /// The time step the code belongs to, when it is valid (one step of clock skew either way).
    /// RFC 6238 §5.2: a step is accepted once; callers compare it with the last one used.
    pub fn check(secret_b32: &str, username: &str, code: &str, unix_time: u64) -> Option<i64> {
        build(secret_b32, username).ok()?.check(code.trim(), unix_time).map(|s| s as i64)
    }

    /// The code for a given time (used by tests and the enrolment page's self-check).
    pub fn code_at(secret_b32: &str, username: &str, unix_time: u64) -> Result<String> {
        Ok(build(secret_b32, username)?.generate(unix_time).to_string())
    }
}
