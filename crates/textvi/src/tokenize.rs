//! The regex tokenizer of underthesea 9.5.0 (`underthesea/pipeline/word_tokenize/regex_tokenize.py`),
//! ported to `fancy-regex`: splits text into syllables, numbers, dates, URLs, e-mails,
//! abbreviations and punctuation, then normalises each short token (`token_normalize`).
//!
//! The Python pattern is one alternation whose order decides which kind of token wins;
//! it is kept in the same order here. Where Rust's regex dialect differs from Python's `re`,
//! the pattern spells out Python's meaning:
//! - `\w` (Python: letters, numbers, `_`) is `[\p{L}\p{N}_]`, not Rust's wider `\w`
//!   (which also takes combining marks and connector punctuation);
//! - `\s` (Python: also U+001C..U+001F) is `[\s\x1C-\x1F]`;
//! - `$` (Python, no MULTILINE: the end, or before a final `\n`) is `\n?\z`;
//! - `\b` before or after a word is a look-around on the `\w` above;
//! - `\<`, `\>`, `\,` (Python: the plain characters) are written plainly.

use std::collections::HashMap;
use std::sync::LazyLock;

use fancy_regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Python's `\w` for `str` patterns (`str.isalnum()` or `_`).
const PW: &str = r"[\p{L}\p{N}_]";
/// Python's `\s` for `str` patterns (`str.isspace()`).
const PS: &str = r"\s\x1C-\x1F";

const UPPER_CHARS: &str = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ";

fn pattern() -> String {
    let upper = format!("[{UPPER_CHARS}]");
    // Python builds LOWER with str.lower() on the same text ("A-Z" becomes "a-z").
    let lower_chars = UPPER_CHARS.to_lowercase();
    let w = format!("[{UPPER_CHARS}{lower_chars}]");
    let end = r"\n?\z";

    let specials =
        [r"=>", r"==>", r"->", r"\.{2,}", r"-{2,}", r">>", r"\d+x\d+", r"v\.v\.\.\.", r"v\.v\.", r"v\.v", r"°[CF]"]
            .join("|");
    let abbreviations = [
        r"[A-ZĐ]+&[A-ZĐ]+".to_string(),
        r"T\.Ư".to_string(),
        format!(r"{upper}+(?:\.{w}+)+\.?"),
        format!(r"{w}+['’]{w}+"),
        format!(r"[A-ZĐ]+\.(?!{end})"),
        r"Tp\.".to_string(),
        r"Mr\.".to_string(),
        r"Mrs\.".to_string(),
        r"Ms\.".to_string(),
        r"Dr\.".to_string(),
        r"ThS\.".to_string(),
        "Th.S".to_string(),
        "Th.s".to_string(),
        r"e-mail".to_string(),
        r"\d+[A-Z]+\d*-\d+".to_string(),
        r"NĐ-CP".to_string(),
    ]
    .join("|");
    // nltk's URL pattern, as modified by underthesea, with the verbose-mode layout removed.
    let url = format!(
        concat!(
            r"(?:(?:ftp|http)s?:(?:/{{1,3}}|[a-z0-9%])|[a-z0-9.\-]+[.](?:[a-z]{{2,13}})/)",
            r"(?:[^{s}()<>{{}}\[\]]+|\([^{s}()]*?\([^{s}()]+\)[^{s}()]*?\)|\([^{s}]+?\))+",
            r#"(?:\([^{s}()]*?\([^{s}()]+\)[^{s}()]*?\)|\([^{s}]+?\)|[^{s}`!()\[\]{{}};:'".,<>?«»“”‘’])"#,
            r"|(?:(?<!@)[a-z0-9]+(?:[.\-][a-z0-9]+)*[.](?:[a-z]{{2,13}})(?!{pw})/?(?!@))"
        ),
        s = PS,
        pw = PW
    );
    let email = r"[a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+\.[a-zA-Z0-9.\-]+";
    let phone = r"\d{2,}-\d{3,}-\d{3,}";
    let datetime = [
        r"\d{1,2}/\d{1,2}/\d+",
        r"\d{1,2}/\d{1,4}",
        r"\d{1,2}-\d{1,2}-\d+",
        r"\d{1,2}-\d{1,4}",
        r"\d{1,2}\.\d{1,2}\.\d+",
        r"\d{4}/\d{1,2}/\d{1,2}",
        r"\d{2}:\d{2}:\d{2}",
    ]
    .join("|");
    let name = [r"\d+[A-Z]+\d+", r"\d+[A-Z]+"].join("|");
    let number = [r"\d+(?:\.\d+)+,\d+", r"\d+(?:\.\d+)+", r"\d+(?:,\d+)+", r"\d+(?:[.,_]\d+)?"].join("|");
    let emoji = [
        r":\)\)*".to_string(),
        r"=\)\)+".to_string(),
        "♥‿♥".to_string(),
        format!(r":D+(?=[{PS}])"),
        format!(r":D+(?={end})"),
        r"<3".to_string(),
    ]
    .join("|");
    let punct = [r"\.", ",", r"\(", r"\)", "ʺ"].join("|");
    // Python: (?<=\b)\w+\-[\w+-]*\w+ ; the boundary before a word character is "no word
    // character before".
    let word_hyphen = format!(r"(?<!{PW}){PW}+-[\p{{L}}\p{{N}}_+\-]*{PW}+");
    let word = format!("{PW}+");
    let symbol = [r"\+", "×", "-", "÷", ":+", "%", "%", r"\$", ">", "<", "=", r"\^", "_", ":+"].join("|");
    let non_word = format!(r"[^\p{{L}}\p{{N}}_{PS}]");

    [
        specials,
        abbreviations,
        url,
        email.to_string(),
        phone.to_string(),
        datetime,
        name,
        number,
        emoji,
        punct,
        word_hyphen,
        word,
        symbol,
        non_word,
    ]
    .iter()
    .map(|p| format!("(?:{p})"))
    .collect::<Vec<_>>()
    .join("|")
}

/// The compiled tokenizer. The pattern is a constant of this file, so failing to compile
/// it is a bug caught by every test, never a run-time condition.
static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(&pattern()).expect("the tokenizer pattern is a valid regex (constant)")
});

/// `token_normalize`'s map of misspelt syllables (`tn_rules_2023_07_14.bin`, see data/README.md).
static TOKEN_MAP: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| include_str!("../data/token_map.tsv").lines().filter_map(|line| line.split_once('\t')).collect());

/// underthesea's `normalize_characters_in_text`: NFC, then ð/Ð (Icelandic eth, often typed
/// for đ) to đ/Đ.
pub(crate) fn normalize_characters(text: &str) -> String {
    text.nfc()
        .map(|c| match c {
            'ð' => 'đ',
            'Ð' => 'Đ',
            c => c,
        })
        .collect()
}

/// underthesea's `token_normalize`: tokens of at most 6 characters are looked up in the map
/// of misspellings (`"nghành"` → `"ngành"`, `"hoà"` stays).
fn token_normalize(token: &str) -> String {
    if token.chars().count() > 6 {
        return token.to_string();
    }
    let token = normalize_characters(token);
    match TOKEN_MAP.get(token.as_str()) {
        Some(fixed) => (*fixed).to_string(),
        None => token,
    }
}

/// Runs of more characters than this without white space are cut into pieces of this many
/// characters, each tokenized on its own. underthesea's pattern needs time quadratic in the
/// length of such a run (the e-mail and URL branches rescan it from every position: 34 s for
/// 40,000 characters of `a.a.a.…`); natural text never has one, and cutting bounds the cost
/// of hostile input at about `MAX_RUN` steps a character.
const MAX_RUN: usize = 500;

/// Python's `str.isspace()`, which the tokenizer's `\s` follows.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1C'..='\x1F').contains(&c)
}

/// The pieces that are tokenized one by one: the whole text, unless it has a run of more
/// than [`MAX_RUN`] characters without white space; then the text around such runs, and
/// each run cut every [`MAX_RUN`] characters.
fn pieces(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut run_start = 0;
    let mut run_chars = 0;
    for (i, c) in text.char_indices() {
        if is_py_space(c) {
            run_chars = 0;
            continue;
        }
        if run_chars == 0 {
            run_start = i;
        }
        run_chars += 1;
        if run_chars > MAX_RUN && (run_chars - 1) % MAX_RUN == 0 {
            // The run has just grown past a multiple of MAX_RUN: cut before this character
            // (and, the first time, before the run).
            let cut_at_run = run_chars == MAX_RUN + 1;
            if cut_at_run && run_start > piece_start {
                pieces.push(&text[piece_start..run_start]);
                piece_start = run_start;
            }
            pieces.push(&text[piece_start..i]);
            piece_start = i;
        }
    }
    if piece_start < text.len() {
        pieces.push(&text[piece_start..]);
    }
    pieces
}

/// Appends the tokens of one piece: the matches of the pattern, left to right, as Python's
/// `re.finditer`.
fn tokenize_piece(text: &str, tokens: &mut Vec<String>) {
    let mut pos = 0;
    while pos < text.len() {
        match PATTERN.find_from_pos(text, pos) {
            Ok(Some(m)) => {
                tokens.push(token_normalize(m.as_str()));
                // Every branch of the pattern takes at least one character; step over one
                // anyway should that ever change, so that the loop always ends.
                pos = if m.end() > m.start() {
                    m.end()
                } else {
                    m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8)
                };
            }
            Ok(None) => break,
            // fancy-regex's backtracking limit was hit, which the cut into pieces should
            // prevent: carry on with the rest of the piece split at white space.
            Err(_) => {
                tokens.extend(text[pos..].split(is_py_space).filter(|t| !t.is_empty()).map(token_normalize));
                break;
            }
        }
    }
}

/// Splits text into underthesea's tokens: syllables, numbers, dates, URLs, e-mails,
/// abbreviations, punctuation marks (white space dropped), each normalised as underthesea
/// does (NFC, ð→đ, a few hundred common misspellings fixed). The same tokens as
/// underthesea 9.5.0's `regex_tokenize.tokenize`, except around runs of more than 500
/// characters without white space, which are cut every 500 characters to keep the cost
/// linear.
///
/// `tokenize("Ngày 30/11/2025, xem https://dichvucong.gov.vn.")` is
/// `["Ngày", "30/11/2025", ",", "xem", "https://dichvucong.gov.vn", "."]`.
pub fn tokenize(text: &str) -> Vec<String> {
    let text = normalize_characters(text);
    let mut tokens = Vec::new();
    for piece in pieces(&text) {
        tokenize_piece(piece, &mut tokens);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_compiles() {
        assert!(PATTERN.find("a").is_ok());
    }

    #[test]
    fn splits_kinds_of_tokens() {
        assert_eq!(
            tokenize("Ngày 30/11/2025, xem https://dichvucong.gov.vn."),
            ["Ngày", "30/11/2025", ",", "xem", "https://dichvucong.gov.vn", "."]
        );
        assert_eq!(
            tokenize("Liên hệ ubnd@hanoi.gov.vn, giá 1.250.000,50 đồng"),
            ["Liên", "hệ", "ubnd@hanoi.gov.vn", ",", "giá", "1.250.000,50", "đồng"]
        );
        assert_eq!(tokenize("TP.HCM. COVID-19"), ["TP.HCM.", "COVID-19"]);
        // underthesea's "Th.S" has an unescaped dot, which takes any character, a space too.
        assert_eq!(tokenize("Th S Lan, Th s. Hoa"), ["Th S", "Lan", ",", "Th s", ".", "Hoa"]);
        assert_eq!(tokenize(""), Vec::<String>::new());
        assert_eq!(tokenize("  \n "), Vec::<String>::new());
    }

    #[test]
    fn long_runs_are_cut_and_stay_fast() {
        assert_eq!(pieces("a b"), ["a b"]);
        let run = "x".repeat(1200);
        let text = format!("đi {run} về");
        let p = pieces(&text);
        assert_eq!(p.concat(), text);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0], "đi ");
        assert_eq!(p[1].chars().count(), MAX_RUN);
        assert_eq!(p[2].chars().count(), MAX_RUN);
        assert_eq!(p[3], format!("{} về", "x".repeat(200)));
        assert_eq!(pieces(&"y".repeat(MAX_RUN)).len(), 1);
        assert_eq!(pieces(&"y".repeat(MAX_RUN + 1)).len(), 2);
        // Quadratic in the whole run for underthesea (tens of seconds at this length); cut,
        // well under a second. No time is asserted: a regression shows as a slow test.
        let hostile = format!("{}@", "a.".repeat(20_000));
        assert_eq!(tokenize(&hostile).len(), 40_001);
    }

    #[test]
    fn normalises_tokens() {
        assert_eq!(tokenize("nghành"), ["ngành"]);
        assert_eq!(tokenize("Ðà"), ["Đà"]);
        let decomposed: String = "Quảng".nfd().collect();
        assert_eq!(tokenize(&decomposed), ["Quảng"]);
    }
}
