//! Compares textvi with the real underthesea 9.5.0 on the sentences of
//! `tests/data/sentences.txt`, whose underthesea output is stored in `tests/data/segment.tsv`
//! and `tests/data/tokenize.tsv` (made by `tests/data/gen_fixture.py`; CI needs no Python).

use std::collections::HashSet;

/// (sentence, underthesea's tokens or words) per line: fields separated by a TAB.
fn fixture(text: &'static str) -> Vec<(&'static str, Vec<&'static str>)> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let sentence = fields.next().unwrap_or_default();
            (sentence, fields.collect())
        })
        .collect()
}

/// A word as a span of characters in the sentence with its white space removed, so that
/// segmentations compare even where tokens differ.
fn spans<S: AsRef<str>>(words: &[S]) -> HashSet<(usize, usize)> {
    let mut start = 0;
    words
        .iter()
        .map(|w| {
            let len = w.as_ref().chars().filter(|c| !c.is_whitespace()).count();
            let span = (start, start + len);
            start += len;
            span
        })
        .collect()
}

#[test]
fn tokens_match_underthesea() {
    let cases = fixture(include_str!("data/tokenize.tsv"));
    assert!(cases.len() >= 300, "{} sentences", cases.len());
    let mut differ = Vec::new();
    for (sentence, expected) in &cases {
        let got = textvi::tokenize(sentence);
        if got != *expected {
            differ.push(format!("{sentence}\n  underthesea: {expected:?}\n  textvi:      {got:?}"));
        }
    }
    assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), cases.len(), differ.join("\n"));
}

#[test]
fn segmentation_matches_underthesea() {
    let cases = fixture(include_str!("data/segment.tsv"));
    assert!(cases.len() >= 300, "{} sentences", cases.len());
    let (mut gold_n, mut pred_n, mut both, mut exact) = (0usize, 0usize, 0usize, 0usize);
    let mut differ = Vec::new();
    for (sentence, expected) in &cases {
        let got = textvi::segment(sentence);
        let (gold, pred) = (spans(expected), spans(&got));
        gold_n += gold.len();
        pred_n += pred.len();
        both += gold.intersection(&pred).count();
        if got == *expected {
            exact += 1;
        } else {
            differ.push(format!("{sentence}\n  underthesea: {expected:?}\n  textvi:      {got:?}"));
        }
    }
    let precision = both as f64 / pred_n as f64;
    let recall = both as f64 / gold_n as f64;
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!(
        "word F1 vs underthesea: {f1:.4} (P {precision:.4}, R {recall:.4}; {gold_n} words), \
         {exact}/{} sentences identical",
        cases.len()
    );
    for d in &differ {
        println!("{d}");
    }
    assert!(f1 >= 0.99, "word F1 {f1:.4} < 0.99");
}
