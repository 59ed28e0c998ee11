//! Word segmentation with underthesea's CRF model (`ws_crf_vlsp2013_20230727`, underthesea
//! 9.5.0): the tokens of [`crate::tokenize`] are tagged B-W (begins a word) or I-W (goes on
//! with the word before) by a linear-chain CRF read by `crfs`, from the features that
//! `underthesea_core`'s `CRFFeaturizer` (3.3.2) makes; this file reproduces them string for
//! string.

use std::collections::HashSet;
use std::sync::LazyLock;

use crfs::{Attribute, Model, Tagger};

use crate::tokenize::tokenize;

/// The CRFsuite model, as shipped in the underthesea wheel (see data/README.md).
static MODEL_BYTES: &[u8] = include_bytes!("../data/ws_crf_vlsp2013_20230727.crfsuite");

/// The model's feature templates, one a line (`T[-1,0].lower`, …).
static TEMPLATES_TEXT: &str = include_str!("../data/features.txt");

/// underthesea's word list behind the `is_in_dict` features, lower case, one a line.
static DICTIONARY_TEXT: &str = include_str!("../data/dictionary.txt");

// The model is embedded at build time and checked by every test: if crfs cannot read it,
// that is a build bug, so the `expect`s below never fire in a released binary.
#[allow(clippy::expect_used)]
static MODEL: LazyLock<Model<'static>> =
    LazyLock::new(|| Model::new(MODEL_BYTES).expect("the embedded CRF model is a valid CRFsuite file"));

#[allow(clippy::expect_used)]
static TAGGER: LazyLock<Tagger<'static>> =
    LazyLock::new(|| MODEL.tagger().expect("the embedded CRF model has valid transition features"));

static TEMPLATES: LazyLock<Vec<Template>> =
    LazyLock::new(|| TEMPLATES_TEXT.lines().filter_map(Template::parse).collect());

static DICTIONARY: LazyLock<HashSet<&'static str>> = LazyLock::new(|| DICTIONARY_TEXT.lines().collect());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Identity,
    Lower,
    IsDigit,
    IsTitle,
    IsInDict,
}

/// One feature template: `T[offset1]` or `T[offset1,offset2]` (the tokens from offset1 to
/// offset2 joined by a space), then an optional function.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Template {
    syntax: &'static str,
    offset1: isize,
    offset2: Option<isize>,
    function: Function,
}

impl Template {
    /// Parses `T[-1,0].lower`; `None` for a line it does not know (there are none in the
    /// embedded file, which a test checks).
    fn parse(syntax: &'static str) -> Option<Template> {
        let rest = syntax.strip_prefix("T[")?;
        let (offsets, rest) = rest.split_once(']')?;
        let (offset1, offset2) = match offsets.split_once(',') {
            Some((a, b)) => (a.parse().ok()?, Some(b.parse().ok()?)),
            None => (offsets.parse().ok()?, None),
        };
        let function = match rest {
            "" => Function::Identity,
            ".lower" => Function::Lower,
            ".isdigit" => Function::IsDigit,
            ".istitle" => Function::IsTitle,
            ".is_in_dict" => Function::IsInDict,
            _ => return None,
        };
        Some(Template { syntax, offset1, offset2, function })
    }
}

/// `underthesea_core`'s `istitle`: every space-separated part starts with a character that
/// upper-casing leaves as it is (so digits and punctuation count as title case).
fn is_title(text: &str) -> bool {
    text.split(' ').all(|part| match part.chars().next() {
        Some(c) => c.to_uppercase().eq(std::iter::once(c)),
        None => true,
    })
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// The features of the token at `position`, exactly as `CRFFeaturizer::generate_token_features`.
fn token_features(tokens: &[String], position: usize) -> Vec<Attribute> {
    let n = tokens.len() as isize;
    let mut features = Vec::with_capacity(TEMPLATES.len());
    for template in TEMPLATES.iter() {
        let index1 = position as isize + template.offset1;
        let value = if index1 < 0 {
            "BOS".to_string()
        } else if index1 >= n {
            "EOS".to_string()
        } else {
            let text = match template.offset2 {
                None => Ok(tokens[index1 as usize].clone()),
                Some(offset2) => {
                    let index2 = position as isize + offset2;
                    if index2 < 0 {
                        Err("BOS")
                    } else if index2 >= n {
                        Err("EOS")
                    } else {
                        let mut text = tokens[index1 as usize].clone();
                        for i in (index1 + 1)..=index2 {
                            text.push(' ');
                            text.push_str(&tokens[i as usize]);
                        }
                        Ok(text)
                    }
                }
            };
            match text {
                Err(edge) => edge.to_string(),
                Ok(text) => match template.function {
                    Function::Identity => text,
                    Function::Lower => text.to_lowercase(),
                    Function::IsDigit => py_bool(text.parse::<i32>().is_ok()).to_string(),
                    Function::IsTitle => py_bool(is_title(&text)).to_string(),
                    Function::IsInDict => py_bool(DICTIONARY.contains(text.to_lowercase().as_str())).to_string(),
                },
            }
        };
        let mut name = String::with_capacity(template.syntax.len() + 1 + value.len());
        name.push_str(template.syntax);
        name.push('=');
        name.push_str(&value);
        features.push(Attribute::new(name, 1.0));
    }
    features
}

/// The CRF's tag for each token: `true` where the token begins a word (B-W).
fn begins_word(tokens: &[String]) -> Vec<bool> {
    let features: Vec<Vec<Attribute>> = (0..tokens.len()).map(|i| token_features(tokens, i)).collect();
    match TAGGER.tag(&features) {
        Ok(tags) => tags.iter().map(|tag| *tag != "I-W").collect(),
        // Only a corrupt model fails here; one word a token is the safe reading.
        Err(_) => vec![true; tokens.len()],
    }
}

/// Segments Vietnamese text into words, as underthesea's `word_tokenize(text)`: each word is
/// its syllables (tokens) joined by one space; punctuation, numbers, dates, URLs are words
/// of their own. The input is NFC-normalised first; tokens come out normalised as by
/// [`crate::tokenize`].
///
/// `segment("Bác sĩ bây giờ có thể thản nhiên")` is
/// `["Bác sĩ", "bây giờ", "có thể", "thản nhiên"]`.
pub fn segment(text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    if tokens.is_empty() {
        return Vec::new();
    }
    let begins = begins_word(&tokens);
    let mut words: Vec<String> = Vec::new();
    for (token, begins) in tokens.into_iter().zip(begins) {
        match words.last_mut() {
            Some(word) if !begins => {
                word.push(' ');
                word.push_str(&token);
            }
            _ => words.push(token),
        }
    }
    words
}

/// [`segment`] in underthesea's `format="text"`: the syllables of a word joined by `_`,
/// the words by a space (`"Bác_sĩ bây_giờ có_thể thản_nhiên"`).
pub fn segment_text(text: &str) -> String {
    segment(text).iter().map(|word| word.replace(' ', "_")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_and_templates_load() {
        assert_eq!(MODEL.num_labels(), 2);
        assert_eq!(TEMPLATES.len(), TEMPLATES_TEXT.lines().count());
        assert_eq!(TEMPLATES.len(), 43);
        assert!(DICTIONARY.contains("bác sĩ"));
        assert_eq!(
            Template::parse("T[-2,0].is_in_dict"),
            Some(Template {
                syntax: "T[-2,0].is_in_dict",
                offset1: -2,
                offset2: Some(0),
                function: Function::IsInDict,
            })
        );
    }

    #[test]
    fn features_match_underthesea_core() {
        // underthesea_core 3.3.2: CRFFeaturizer(features, dictionary).process(
        //     [[["Bác"], ["sĩ"], ["2025"]]]), tokens 0 and 2.
        let tokens: Vec<String> = ["Bác", "sĩ", "2025"].map(String::from).to_vec();
        let names = |i| -> Vec<String> { token_features(&tokens, i).into_iter().map(|a| a.name).collect() };
        let first = [
            "T[-2]=BOS",
            "T[-1]=BOS",
            "T[0]=Bác",
            "T[1]=sĩ",
            "T[2]=2025",
            "T[-2,-1]=BOS",
            "T[-1,0]=BOS",
            "T[0,1]=Bác sĩ",
            "T[1,2]=sĩ 2025",
            "T[-2,0]=BOS",
            "T[-1,1]=BOS",
            "T[0,2]=Bác sĩ 2025",
            "T[-2].lower=BOS",
            "T[-1].lower=BOS",
            "T[0].lower=bác",
            "T[1].lower=sĩ",
            "T[2].lower=2025",
            "T[-2,-1].lower=BOS",
            "T[-1,0].lower=BOS",
            "T[0,1].lower=bác sĩ",
            "T[1,2].lower=sĩ 2025",
            "T[-1].isdigit=BOS",
            "T[0].isdigit=False",
            "T[1].isdigit=False",
            "T[-2].istitle=BOS",
            "T[-1].istitle=BOS",
            "T[0].istitle=True",
            "T[1].istitle=False",
            "T[2].istitle=True",
            "T[0,1].istitle=False",
            "T[0,2].istitle=False",
            "T[-2].is_in_dict=BOS",
            "T[-1].is_in_dict=BOS",
            "T[0].is_in_dict=True",
            "T[1].is_in_dict=True",
            "T[2].is_in_dict=False",
            "T[-2,-1].is_in_dict=BOS",
            "T[-1,0].is_in_dict=BOS",
            "T[0,1].is_in_dict=True",
            "T[1,2].is_in_dict=False",
            "T[-2,0].is_in_dict=BOS",
            "T[-1,1].is_in_dict=BOS",
            "T[0,2].is_in_dict=False",
        ];
        let last = [
            "T[-2]=Bác",
            "T[-1]=sĩ",
            "T[0]=2025",
            "T[1]=EOS",
            "T[2]=EOS",
            "T[-2,-1]=Bác sĩ",
            "T[-1,0]=sĩ 2025",
            "T[0,1]=EOS",
            "T[1,2]=EOS",
            "T[-2,0]=Bác sĩ 2025",
            "T[-1,1]=EOS",
            "T[0,2]=EOS",
            "T[-2].lower=bác",
            "T[-1].lower=sĩ",
            "T[0].lower=2025",
            "T[1].lower=EOS",
            "T[2].lower=EOS",
            "T[-2,-1].lower=bác sĩ",
            "T[-1,0].lower=sĩ 2025",
            "T[0,1].lower=EOS",
            "T[1,2].lower=EOS",
            "T[-1].isdigit=False",
            "T[0].isdigit=True",
            "T[1].isdigit=EOS",
            "T[-2].istitle=True",
            "T[-1].istitle=False",
            "T[0].istitle=True",
            "T[1].istitle=EOS",
            "T[2].istitle=EOS",
            "T[0,1].istitle=EOS",
            "T[0,2].istitle=EOS",
            "T[-2].is_in_dict=True",
            "T[-1].is_in_dict=True",
            "T[0].is_in_dict=False",
            "T[1].is_in_dict=EOS",
            "T[2].is_in_dict=EOS",
            "T[-2,-1].is_in_dict=True",
            "T[-1,0].is_in_dict=False",
            "T[0,1].is_in_dict=EOS",
            "T[1,2].is_in_dict=EOS",
            "T[-2,0].is_in_dict=False",
            "T[-1,1].is_in_dict=EOS",
            "T[0,2].is_in_dict=EOS",
        ];
        assert_eq!(names(0), first);
        assert_eq!(names(2), last);
    }

    #[test]
    fn segments_words() {
        assert_eq!(segment("Bác sĩ bây giờ có thể thản nhiên"), ["Bác sĩ", "bây giờ", "có thể", "thản nhiên"]);
        assert_eq!(segment_text("Bác sĩ bây giờ có thể thản nhiên"), "Bác_sĩ bây_giờ có_thể thản_nhiên");
        assert!(segment("").is_empty());
        assert!(segment(" \t\n").is_empty());
    }
}
