//! Vietnamese text helpers shared by every crate: folding for diacritic-insensitive search.
//!
//! Owns pure text functions only; knows nothing of storage or HTTP.

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
