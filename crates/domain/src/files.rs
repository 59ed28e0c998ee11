//! Uploaded files: a type is accepted only when both the extension and the first bytes say it
//! (so a renamed executable is refused), and only up to a size. One rule for every upload
//! (task evidence, bulletin attachments).

use crate::{DomainError, Result};

/// Which files an upload takes: `(extension, MIME type)` pairs, the largest size, and how the
/// list reads to a user ("PDF, Word, …").
pub struct FileRule {
    pub types: &'static [(&'static str, &'static str)],
    pub max_bytes: usize,
    pub names: &'static str,
}

/// The MIME type of an accepted file, or an error on `field` saying what is wrong.
pub fn checked_type(rule: &FileRule, field: &'static str, file_name: &str, bytes: &[u8]) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(DomainError::invalid(field, "tệp rỗng"));
    }
    if bytes.len() > rule.max_bytes {
        return Err(DomainError::invalid(field, format!("tệp lớn hơn {} MB", rule.max_bytes / (1024 * 1024))));
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some(&(_, mime)) = rule.types.iter().find(|(e, _)| *e == ext) else {
        return Err(DomainError::invalid(field, format!("chỉ nhận tệp {}", rule.names)));
    };
    if looks_like(&ext, bytes) {
        Ok(mime)
    } else {
        Err(DomainError::invalid(field, format!("nội dung tệp không phải là tệp .{ext}")))
    }
}

/// Whether the first bytes are those of a file with this extension.
fn looks_like(ext: &str, bytes: &[u8]) -> bool {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    match ext {
        "pdf" => starts(b"%PDF-"),
        "docx" | "xlsx" | "odt" | "ods" | "zip" => starts(b"PK\x03\x04"),
        "doc" | "xls" => starts(&[0xD0, 0xCF, 0x11, 0xE0]),
        "png" => starts(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => starts(&[0xFF, 0xD8, 0xFF]),
        "txt" => std::str::from_utf8(bytes).is_ok(),
        // An ID3 tag, or an MPEG audio frame sync.
        "mp3" => starts(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0),
        "ogg" => starts(b"OggS"),
        "wav" => starts(b"RIFF") && bytes.get(8..12) == Some(b"WAVE"),
        "m4a" => bytes.get(4..8) == Some(b"ftyp"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: FileRule = FileRule {
        types: &[("pdf", "application/pdf"), ("mp3", "audio/mpeg")],
        max_bytes: 1024 * 1024,
        names: "PDF, MP3",
    };

    #[test]
    fn type_size_and_content_are_each_named() {
        assert_eq!(checked_type(&RULE, "file", "a.PDF", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(checked_type(&RULE, "file", "loa.mp3", b"ID3\x04...").unwrap(), "audio/mpeg");
        let message = |r: Result<&str>| match r {
            Err(DomainError::Invalid { field, message }) => format!("{field}: {message}"),
            other => panic!("{other:?}"),
        };
        assert_eq!(message(checked_type(&RULE, "file", "a.pdf", b"")), "file: tệp rỗng");
        assert_eq!(message(checked_type(&RULE, "file", "a.exe", b"MZ")), "file: chỉ nhận tệp PDF, MP3");
        assert_eq!(
            message(checked_type(&RULE, "file", "a.pdf", b"MZ\x90")),
            "file: nội dung tệp không phải là tệp .pdf"
        );
        let big = vec![b'%'; 2 * 1024 * 1024];
        assert_eq!(message(checked_type(&RULE, "attachment", "a.pdf", &big)), "attachment: tệp lớn hơn 1 MB");
    }
}
