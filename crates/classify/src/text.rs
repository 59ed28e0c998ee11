//! Tokenisation into syllables and hashing of syllable unigrams and bigrams.
//!
//! Vietnamese writes one syllable per space-separated word, and most compound words are two
//! syllables, so syllable unigrams + bigrams (bigrams only inside a phrase: never across
//! punctuation) capture most of what word segmentation would. Each syllable is hashed twice while
//! it is read: as written (NFC, lower-cased) and folded (tone and vowel marks stripped, đ → d), so
//! one pass serves both the accented and the folded feature space. Syllables made of digits only
//! all become the same token (`0`): the number itself rarely tells the topic.
//!
//! The hashes are part of the model format: changing them needs a new format version.

use std::cell::RefCell;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// One syllable: its hash as written and folded, whether folding changed it (it carries a
/// Vietnamese mark), and whether it starts a phrase (no bigram with the syllable before).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub accented: u64,
    pub folded: u64,
    pub has_marks: bool,
    pub phrase_start: bool,
}

/// Which spelling of the syllables a feature space uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum View {
    Accented,
    Folded,
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const MUL: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn feed(h: u64, c: u32) -> u64 {
    (h.rotate_left(7) ^ u64::from(c)).wrapping_mul(MUL)
}

/// The finaliser of SplitMix64: a well-mixed 64-bit key from a running hash.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)).max(1) // 0 marks a free slot in the tables
}

/// The key of a unigram feature.
#[inline]
pub(crate) fn unigram(h: u64) -> u64 {
    mix(h ^ 0x1111_1111_1111_1111)
}

/// The key of a bigram feature (order matters).
#[inline]
pub(crate) fn bigram(a: u64, b: u64) -> u64 {
    mix(a.wrapping_mul(0xff51_afd7_ed55_8ccd) ^ b.rotate_left(29) ^ 0x2222_2222_2222_2222)
}

/// The hash that every all-digit syllable gets (the hash of `0`).
fn digits_hash() -> u64 {
    feed(SEED, u32::from('0'))
}

/// Folds one lower-case character: its base letters without combining marks, đ → d.
#[inline]
fn fold_char(c: char, mut out: impl FnMut(char)) {
    match c {
        'đ' | 'Đ' => out('d'),
        c if c.is_ascii() => out(c),
        c => decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out(d)
            }
        }),
    }
}

/// What the tokenizer needs to know of a character.
#[derive(Clone, Copy, Debug, Default)]
struct CharInfo {
    /// Lower-case form (when it is a single character; else the slow path).
    lower: char,
    /// Folded form of `lower` (no marks, đ → d), or '\0' when it has none.
    folded: char,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    /// Letter or digit with single-character lower and folded forms.
    #[default]
    Word,
    /// Combining mark: part of the syllable before it (and a sign that NFC is needed).
    Mark,
    Space,
    /// Punctuation and symbols: end a phrase.
    Other,
    /// Needs the general (slow) path.
    Slow,
}

/// Ranges kept in the table: ASCII, Latin-1, Latin Extended-A/B, combining diacritics, and Latin
/// Extended Additional (where the Vietnamese precomposed letters with two marks live).
const LOW_END: u32 = 0x370;
const HIGH_START: u32 = 0x1E00;
const HIGH_END: u32 = 0x1F00;

fn char_info_slow(c: char) -> CharInfo {
    if c.is_whitespace() {
        return CharInfo { lower: c, folded: c, kind: Kind::Space };
    }
    if is_combining_mark(c) {
        return CharInfo { lower: c, folded: '\0', kind: Kind::Mark };
    }
    if !c.is_alphanumeric() {
        return CharInfo { lower: c, folded: c, kind: Kind::Other };
    }
    let mut lower = c.to_lowercase();
    let (Some(l), None) = (lower.next(), lower.next()) else {
        return CharInfo { lower: c, folded: c, kind: Kind::Slow };
    };
    let mut folded = ['\0'; 2];
    let mut n = 0;
    fold_char(l, |d| {
        if n < 2 {
            folded[n] = d;
        }
        n += 1;
    });
    if n != 1 {
        return CharInfo { lower: l, folded: l, kind: Kind::Slow };
    }
    CharInfo { lower: l, folded: folded[0], kind: Kind::Word }
}

fn table() -> &'static [CharInfo] {
    static TABLE: std::sync::OnceLock<Vec<CharInfo>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..LOW_END)
            .chain(HIGH_START..HIGH_END)
            .map(|u| {
                char::from_u32(u).map_or(CharInfo { lower: '\0', folded: '\0', kind: Kind::Other }, char_info_slow)
            })
            .collect()
    })
}

#[inline]
fn char_info(table: &[CharInfo], c: char) -> CharInfo {
    let u = c as u32;
    let i = if u < LOW_END {
        u as usize
    } else if (HIGH_START..HIGH_END).contains(&u) {
        (u - HIGH_START + LOW_END) as usize
    } else {
        return char_info_slow(c);
    };
    table.get(i).copied().unwrap_or_else(|| char_info_slow(c))
}

struct Builder {
    accented: u64,
    folded: u64,
    len: usize,
    has_marks: bool,
    digits_only: bool,
    phrase_start: bool,
}

impl Builder {
    fn new() -> Self {
        Builder { accented: SEED, folded: SEED, len: 0, has_marks: false, digits_only: true, phrase_start: true }
    }

    /// A lower-case character whose folded form is `folded`.
    #[inline]
    fn push_folded(&mut self, lower: char, folded: char) {
        self.len += 1;
        self.accented = feed(self.accented, u32::from(lower));
        self.folded = feed(self.folded, u32::from(folded));
        self.digits_only &= lower.is_ascii_digit();
        self.has_marks |= lower != folded;
    }

    /// A combining mark left after NFC: part of the syllable, dropped by folding.
    #[inline]
    fn push_mark(&mut self, mark: char) {
        self.len += 1;
        self.accented = feed(self.accented, u32::from(mark));
        self.digits_only = false;
        self.has_marks = true;
    }

    /// Any alphanumeric character (the general path).
    fn push_slow(&mut self, c: char) {
        for l in c.to_lowercase() {
            self.len += 1;
            self.accented = feed(self.accented, u32::from(l));
            self.digits_only &= l.is_ascii_digit();
            let mut folded = self.folded;
            let mut changed = false;
            let mut n = 0;
            fold_char(l, |d| {
                n += 1;
                changed |= d != l;
                folded = feed(folded, u32::from(d));
            });
            self.folded = folded;
            self.has_marks |= changed || n != 1;
        }
    }

    #[inline]
    fn finish(&mut self, out: &mut Vec<Token>) {
        if self.len == 0 {
            return;
        }
        let (accented, folded) =
            if self.digits_only { (digits_hash(), digits_hash()) } else { (self.accented, self.folded) };
        out.push(Token { accented, folded, has_marks: self.has_marks, phrase_start: self.phrase_start });
        self.accented = SEED;
        self.folded = SEED;
        self.len = 0;
        self.has_marks = false;
        self.digits_only = true;
        self.phrase_start = false;
    }
}

/// Splits text into syllable tokens appended to `out`, as if it were NFC. Returns false (with
/// `out` as it was) when the text holds a combining mark, which NFC may compose.
fn tokenize_composed(text: &str, out: &mut Vec<Token>, stop_at_mark: bool) -> bool {
    let start = out.len();
    let table = table();
    let mut b = Builder::new();
    for c in text.chars() {
        let info = char_info(table, c);
        match info.kind {
            Kind::Word => b.push_folded(info.lower, info.folded),
            Kind::Mark if stop_at_mark => {
                out.truncate(start);
                return false;
            }
            Kind::Mark if b.len > 0 => b.push_mark(c),
            Kind::Slow => b.push_slow(c),
            Kind::Space => b.finish(out),
            Kind::Mark | Kind::Other => {
                b.finish(out);
                b.phrase_start = true;
            }
        }
    }
    b.finish(out);
    true
}

thread_local! {
    static NFC_SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Splits text into syllable tokens, appended to `out` (NFC first when the text holds a
/// combining mark: decomposed input reads as composed input).
pub(crate) fn tokenize(text: &str, out: &mut Vec<Token>) {
    if tokenize_composed(text, out, true) {
        return;
    }
    NFC_SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut s) => {
            s.clear();
            s.extend(text.nfc());
            tokenize_composed(&s, out, false);
        }
        Err(_) => {
            tokenize_composed(&text.nfc().collect::<String>(), out, false);
        }
    });
}

/// The share of syllables that carry a Vietnamese mark (0 when there are none).
pub(crate) fn marked_share(tokens: &[Token]) -> f64 {
    let mut letters = 0usize;
    let mut marked = 0usize;
    let digits = digits_hash();
    for t in tokens {
        if t.accented == digits {
            continue;
        }
        letters += 1;
        marked += usize::from(t.has_marks);
    }
    if letters == 0 { 0.0 } else { marked as f64 / letters as f64 }
}

/// The feature keys (unigrams, then bigrams inside phrases) of tokens in one view, appended to
/// `out`; a key appears once per occurrence.
pub(crate) fn features(tokens: &[Token], view: View, bigrams: bool, out: &mut Vec<u64>) {
    let pick = |t: &Token| match view {
        View::Accented => t.accented,
        View::Folded => t.folded,
    };
    out.reserve(tokens.len() * 2);
    let mut prev: Option<u64> = None;
    for t in tokens {
        let h = pick(t);
        out.push(unigram(h));
        if bigrams {
            if let (Some(p), false) = (prev, t.phrase_start) {
                out.push(bigram(p, h));
            }
            prev = Some(h);
        }
    }
}

/// Vietnamese function words (and pronouns) that say nothing of a category. Only the zero-shot
/// model leaves them out: with a handful of descriptions their idf cannot tell, whereas a trained
/// model learns their weights. Words whose folded form is also a common content word (và / va
/// chạm, mà / ma túy, là / lá, đã / đá) are not listed.
const STOPWORDS: &[&str] = &[
    "không", "được", "có", "của", "các", "những", "cho", "với", "trong", "đang", "sẽ", "bị", "rất", "này", "đó", "khi",
    "thì", "để", "từ", "đến", "ra", "vào", "lên", "một", "nhiều", "cũng", "đều", "lại", "nên", "vì", "nếu", "nhưng",
    "hoặc", "hay", "tôi", "chúng", "ta", "họ", "anh", "chị", "em", "mình", "ở", "tại", "theo", "như", "sau", "về",
    "qua", "nay", "gì", "ai", "nào", "đây", "kia", "rồi", "chưa", "mới", "vẫn", "còn", "đi", "làm", "cả", "quá", "lắm",
    "thế", "vậy", "do", "bởi", "nhà", "người", "xin", "đề", "nghị", "việc", "gây",
];

/// Feature keys (unigrams, and bigrams of two of them) of the stop words in one view.
pub(crate) fn stopword_keys(view: View) -> std::collections::HashSet<u64> {
    let mut hashes = Vec::new();
    for w in STOPWORDS {
        let mut t = Vec::new();
        tokenize(w, &mut t);
        if let [t] = t.as_slice() {
            hashes.push(match view {
                View::Accented => t.accented,
                View::Folded => t.folded,
            });
        }
    }
    let mut keys: std::collections::HashSet<u64> = hashes.iter().map(|&h| unigram(h)).collect();
    for &a in &hashes {
        for &b in &hashes {
            keys.insert(bigram(a, b));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Token> {
        let mut v = Vec::new();
        tokenize(s, &mut v);
        v
    }

    #[test]
    fn folded_view_ignores_marks_and_case() {
        let a = toks("Đường Quảng Ngãi");
        let b = toks("duong quang ngai");
        assert_eq!(a.len(), 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.folded, y.folded);
            assert_ne!(x.accented, y.accented);
            assert!(x.has_marks);
            assert!(!y.has_marks);
        }
        assert_eq!(marked_share(&a), 1.0);
        assert_eq!(marked_share(&b), 0.0);
    }

    #[test]
    fn decomposed_input_is_composed_first() {
        let composed = toks("Hòa Bình");
        let decomposed: String = "Hòa Bình".nfd().collect();
        let d = toks(&decomposed);
        assert_eq!(composed.len(), d.len());
        for (x, y) in composed.iter().zip(&d) {
            assert_eq!(x.accented, y.accented);
        }
    }

    #[test]
    fn punctuation_starts_a_phrase_and_digits_merge() {
        let t = toks("ngập nước, 2024 và 15");
        assert_eq!(t.len(), 5);
        assert!(t[0].phrase_start && !t[1].phrase_start && t[2].phrase_start && !t[3].phrase_start);
        assert_eq!(t[2].accented, t[4].accented);
        let mut f = Vec::new();
        features(&t, View::Accented, true, &mut f);
        // 5 unigrams, bigrams: ngập nước, 0 và, và 0
        assert_eq!(f.len(), 8);
    }
}
