//! The model file: a small versioned binary format, little-endian throughout.
//!
//! ```text
//! magic      8 bytes  "DXCLSMDL"
//! version    u32      FORMAT_VERSION
//! kind       u8       0 zero-shot, 1 trained
//! bigrams    u8       0 / 1
//! temperature f64, accent_ratio f64
//! labels     u32 count, then per label: u32 byte length, UTF-8
//! 2 heads (accented, folded), each:
//!   features u32 n, unknown_idf f32,
//!   keys     n × u64 (feature hashes of text.rs)
//!   rows     n × (1 + labels) × f32 (idf, then weight × idf per label)
//!   bias     labels × f32
//! checksum   u64      FNV-1a of every byte before it
//! ```

use std::io::{Read, Write};
use std::path::Path;

use crate::FormatError;
use crate::model::{Head, Model, ModelKind};

const MAGIC: &[u8; 8] = b"DXCLSMDL";
/// Version of the model format (and of the feature hashing it depends on).
pub const FORMAT_VERSION: u32 = 1;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Model {
    /// The model in the versioned binary format ([`Model::from_bytes`] reads it back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let k = self.labels.len();
        let size: usize = 64
            + self.labels.iter().map(|l| 4 + l.len()).sum::<usize>()
            + self.heads.iter().map(|h| 8 + h.keys.len() * (8 + 4 * (k + 1)) + 4 * k).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.push(match self.kind {
            ModelKind::ZeroShot => 0,
            ModelKind::Trained => 1,
        });
        out.push(u8::from(self.bigrams));
        out.extend_from_slice(&self.temperature.to_le_bytes());
        out.extend_from_slice(&self.accent_ratio.to_le_bytes());
        out.extend_from_slice(&(k as u32).to_le_bytes());
        for l in &self.labels {
            out.extend_from_slice(&(l.len() as u32).to_le_bytes());
            out.extend_from_slice(l.as_bytes());
        }
        for h in &self.heads {
            out.extend_from_slice(&(h.keys.len() as u32).to_le_bytes());
            out.extend_from_slice(&h.unknown_idf.to_le_bytes());
            for key in &h.keys {
                out.extend_from_slice(&key.to_le_bytes());
            }
            for v in &h.rows {
                out.extend_from_slice(&v.to_le_bytes());
            }
            for v in &h.bias {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads a model written by [`Model::to_bytes`], checking magic, version, checksum and
    /// every size.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, FormatError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let mut r = Reader { bytes, at: MAGIC.len() };
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion { found: version, supported: FORMAT_VERSION });
        }
        if bytes.len() < r.at + 8 {
            return Err(FormatError::Truncated);
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut stored = [0u8; 8];
        stored.copy_from_slice(sum);
        if fnv1a(body) != u64::from_le_bytes(stored) {
            return Err(FormatError::Checksum);
        }
        let mut r = Reader { bytes: body, at: r.at };
        let kind = match r.u8()? {
            0 => ModelKind::ZeroShot,
            1 => ModelKind::Trained,
            _ => return Err(FormatError::Corrupt("unknown model kind")),
        };
        let bigrams = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(FormatError::Corrupt("bigrams flag")),
        };
        let temperature = r.f64()?;
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(FormatError::Corrupt("temperature"));
        }
        let accent_ratio = r.f64()?;
        if !(0.0..=1.0).contains(&accent_ratio) {
            return Err(FormatError::Corrupt("accent ratio"));
        }
        let k = r.u32()? as usize;
        if k < 2 {
            return Err(FormatError::Corrupt("fewer than two labels"));
        }
        let mut labels = Vec::with_capacity(k.min(1 << 16));
        for _ in 0..k {
            let len = r.u32()? as usize;
            let raw = r.take(len)?;
            let label = std::str::from_utf8(raw).map_err(|_| FormatError::Corrupt("label is not UTF-8"))?;
            labels.push(label.to_owned());
        }
        let mut head = || -> Result<Head, FormatError> {
            let n = r.u32()? as usize;
            let unknown_idf = r.f32()?;
            if !unknown_idf.is_finite() {
                return Err(FormatError::Corrupt("unknown idf"));
            }
            let keys = r.take(n.checked_mul(8).ok_or(FormatError::Truncated)?)?;
            let keys: Vec<u64> = keys.chunks_exact(8).map(|c| u64::from_le_bytes(array(c))).collect();
            let row_bytes = n.checked_mul(4 * (k + 1)).ok_or(FormatError::Truncated)?;
            let rows: Vec<f32> = r.take(row_bytes)?.chunks_exact(4).map(|c| f32::from_le_bytes(array(c))).collect();
            let bias: Vec<f32> = r.take(4 * k)?.chunks_exact(4).map(|c| f32::from_le_bytes(array(c))).collect();
            if rows.iter().chain(&bias).any(|v| !v.is_finite()) {
                return Err(FormatError::Corrupt("weight is not finite"));
            }
            Ok(Head::new(keys, rows, bias, unknown_idf))
        };
        let accented = head()?;
        let folded = head()?;
        if r.at != body.len() {
            return Err(FormatError::Corrupt("trailing bytes"));
        }
        Ok(Model { labels, kind, temperature, accent_ratio, bigrams, heads: [accented, folded] })
    }

    /// Writes [`Model::to_bytes`] to `w`.
    pub fn write_to(&self, mut w: impl Write) -> Result<(), FormatError> {
        w.write_all(&self.to_bytes())?;
        w.flush()?;
        Ok(())
    }

    /// Reads a model from `r` (all of it).
    pub fn read_from(mut r: impl Read) -> Result<Model, FormatError> {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)?;
        Model::from_bytes(&bytes)
    }

    /// Writes the model to a file (through a temporary file beside it, renamed into place, so a
    /// reader never sees half a model).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FormatError> {
        let path = path.as_ref();
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, self.to_bytes())?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Reads a model file written by [`Model::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Model, FormatError> {
        Model::from_bytes(&std::fs::read(path)?)
    }
}

fn array<const N: usize>(c: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(c);
    a
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.at.checked_add(n).ok_or(FormatError::Truncated)?;
        let s = self.bytes.get(self.at..end).ok_or(FormatError::Truncated)?;
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(array(self.take(4)?)))
    }
    fn f32(&mut self) -> Result<f32, FormatError> {
        Ok(f32::from_le_bytes(array(self.take(4)?)))
    }
    fn f64(&mut self) -> Result<f64, FormatError> {
        Ok(f64::from_le_bytes(array(self.take(8)?)))
    }
}
