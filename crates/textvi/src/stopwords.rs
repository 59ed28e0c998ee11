//! Vietnamese stopwords: the Vietnamese list of Stopwords ISO (645 words and phrases, as
//! shipped in the crate `stop-words` 0.10.1; see data/README.md), meant for the words that
//! [`crate::segment`] returns (`"bao giờ"`, `"của"`, `"tuy nhiên"`).

use std::collections::HashSet;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

static STOPWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/stopwords_vi.txt").lines().collect());

/// Whether a segmented word (syllables joined by spaces, as [`crate::segment`] gives them,
/// or by `_` as [`crate::segment_text`] gives them) is a stopword. Case-insensitive; the
/// word is NFC-normalised and trimmed first, so `"Của"`, `"của"` and a decomposed `"của"`
/// all are.
pub fn is_stopword(word: &str) -> bool {
    let word: String = word.trim().nfc().flat_map(char::to_lowercase).map(|c| if c == '_' { ' ' } else { c }).collect();
    STOPWORDS.contains(word.as_str())
}

/// The stopword list itself (lower case, NFC, syllables joined by a space), sorted.
pub fn stopwords() -> impl Iterator<Item = &'static str> {
    include_str!("../data/stopwords_vi.txt").lines()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_function_words_are_stopwords() {
        for word in ["của", "và", "là", "những", "bao giờ", "tuy nhiên", "bởi vì"] {
            assert!(is_stopword(word), "{word}");
        }
    }

    #[test]
    fn case_form_and_underscores_do_not_matter() {
        assert!(is_stopword("Của"));
        assert!(is_stopword("CỦA"));
        let decomposed: String = "của".nfd().collect();
        assert!(is_stopword(&decomposed));
        assert!(is_stopword("Bao_giờ"));
        assert!(is_stopword(" bao giờ "));
    }

    #[test]
    fn content_words_are_not() {
        for word in ["đường", "rác", "điện", "đất", "ổ gà", "ô nhiễm", "sổ đỏ", "", "bao"] {
            assert!(!is_stopword(word), "{word}");
        }
    }

    #[test]
    fn the_list_is_clean() {
        let words: Vec<&str> = stopwords().collect();
        assert_eq!(words.len(), 645);
        assert!(words.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        for w in &words {
            assert_eq!(w.nfc().collect::<String>(), *w);
            assert_eq!(w.to_lowercase(), *w);
            assert_eq!(w.trim(), *w);
        }
    }
}
