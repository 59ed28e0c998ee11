//! Vietnamese text helpers shared by every crate. Owns pure text functions only; knows
//! nothing of storage or HTTP.
//!
//! - [`fold`], [`nfc`]: normalisation for diacritic-insensitive search and byte-exact names.
//! - [`tokenize`]: underthesea's regex tokenizer (syllables, numbers, dates, URLs, e-mails,
//!   abbreviations, punctuation).
//! - [`segment`], [`segment_text`]: word segmentation with underthesea's CRF model
//!   (`ws_crf_vlsp2013_20230727`, underthesea 9.5.0, Apache-2.0) read by `crfs`, giving
//!   underthesea's `word_tokenize` output ("Bác sĩ bây giờ" → `["Bác sĩ", "bây giờ"]`).
//! - [`is_stopword`], [`stopwords`]: Vietnamese stopwords (Stopwords ISO) on segmented words.
//!
//! The model, its dictionary and the stopword list are embedded in the binary (about 6 MB,
//! see `data/README.md`) and loaded once, on first use.

mod segment;
mod stopwords;
mod tokenize;

pub use segment::{segment, segment_text};
pub use stopwords::{is_stopword, stopwords};
pub use tokenize::tokenize;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds Vietnamese text for search: NFC first (so composed and decomposed input agree),
/// then strips tone and vowel marks, maps đ/Đ to d (plain "strip marks" would keep đ),
/// lower-cases and collapses white space.
///
/// `fold("Quảng Ngãi") == "quang ngai"`, `fold("Hoà") == fold("Hòa") == "hoa"`.
pub fn fold(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut last_space = true;
    for c in nfc.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// NFC-normalises text at the edge so that stored names compare byte for byte.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_tones_marks_and_d() {
        assert_eq!(fold("Quảng Ngãi"), "quang ngai");
        assert_eq!(fold("Đà Nẵng"), "da nang");
        assert_eq!(fold("đà"), fold("da"));
        assert_eq!(fold("Hoà"), "hoa");
        assert_eq!(fold("Hòa"), "hoa");
        assert_eq!(fold("  Thừa   Thiên\tHuế "), "thua thien hue");
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        let decomposed: String = "Quảng Ngãi".nfd().collect();
        assert_eq!(fold(&decomposed), "quang ngai");
        assert_eq!(nfc(&decomposed), "Quảng Ngãi");
    }
}
