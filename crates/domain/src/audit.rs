//! The append-only, hash-chained audit log: every write records who, what, when, before and
//! after, and the hash of the entry before it, so an edited or deleted entry breaks the chain.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::org::OrgId;
use crate::users::UserId;

/// Hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a service hands to storage with a write; storage stamps sequence and hashes in the
/// same transaction as the write.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub entity: &'static str,
    /// Filled by storage when the write creates the entity.
    pub entity_id: Option<String>,
    /// The org unit the written thing lives in (for scoped reading of the log).
    pub org_id: Option<OrgId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub org_id: Option<OrgId>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256 over its fields in a fixed order, each length-prefixed so that
/// no two different entries serialise alike.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: &DateTime<Utc>,
    actor_id: Option<UserId>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<&str>,
    org_id: Option<OrgId>,
    before: Option<&str>,
    after: Option<&str>,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let seq = seq.to_string();
    let actor_id = actor_id.map(|v| v.to_string());
    let org_id = org_id.map(|v| v.to_string());
    let fields: [Option<&str>; 11] = [
        Some(&seq),
        Some(&at),
        actor_id.as_deref(),
        Some(actor),
        Some(action),
        Some(entity),
        entity_id,
        org_id.as_deref(),
        before,
        after,
        Some(prev_hash),
    ];
    for f in fields {
        match f {
            None => h.update(b"-"),
            Some(s) => {
                h.update(s.len().to_string().as_bytes());
                h.update(b":");
                h.update(s.as_bytes());
            }
        }
        h.update(b";");
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.at,
            self.actor_id,
            &self.actor,
            &self.action,
            &self.entity,
            self.entity_id.as_deref(),
            self.org_id,
            self.before.as_deref(),
            self.after.as_deref(),
            &self.prev_hash,
        )
    }
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's own content no longer matches its hash (it was edited).
    Edited { seq: i64 },
    /// The entry does not point at the hash of the entry before it (one was deleted or reordered).
    Unlinked { seq: i64 },
    /// Entries after the last one the log's head records are missing (the tail was deleted).
    Truncated { expected_last_seq: i64, found_last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Edited { seq } => write!(f, "entry {seq} was edited: its hash does not match its content"),
            ChainBreak::Unlinked { seq } => {
                write!(f, "entry {seq} does not follow the entry before it: an entry before it was deleted or changed")
            }
            ChainBreak::Truncated { expected_last_seq, found_last_seq } => {
                write!(f, "entries after {found_last_seq} were deleted: the log head records {expected_last_seq}")
            }
        }
    }
}

/// Walks entries in sequence order and returns the first break, if any. `head` is the
/// (last seq, last hash) the log head recorded, which catches a deleted tail.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: Option<(i64, &str)>,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1;
    let mut count = 0;
    for e in entries {
        if e.seq != expected_seq || e.prev_hash != prev {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        if e.computed_hash() != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        prev = e.hash.clone();
        expected_seq += 1;
        count += 1;
    }
    if let Some((last_seq, last_hash)) = head {
        let found = expected_seq - 1;
        if last_seq != found {
            return Err(ChainBreak::Truncated { expected_last_seq: last_seq, found_last_seq: found });
        }
        if last_hash != prev {
            return Err(ChainBreak::Edited { seq: found });
        }
    }
    Ok(count)
}
