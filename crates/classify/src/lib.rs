//! Text classifier for Vietnamese citizen feedback: which category (Open311 service code) an
//! item belongs to, with a confidence that decides whether it is routed automatically or goes
//! to a manual triage queue.
//!
//! Pure: no I/O beyond the readers and files handed to it, no download, no global state.
//!
//! - Before any example exists a model is built from the categories alone ([`Model::train`] with
//!   no examples): each category's name, description and keywords are a document, and a text
//!   goes to the nearest one (TF-IDF cosine). [`default_categories`] is a generic starting set.
//! - Once officers have confirmed categories, [`Model::train`] learns from those examples:
//!   one-vs-rest linear SVMs (dual coordinate descent, as liblinear) over TF-IDF (sublinear tf,
//!   l2 norm) of syllable unigrams and bigrams, the descriptions counting as one more example of
//!   their category. Labels that only examples use are learnt too (a TSV file has only labels).
//! - Every model reads text twice over: as written (NFC, lower case) and folded (no tone or vowel
//!   marks, đ → d), so complaints typed without marks are classified by a head trained on folded
//!   text instead of missing every feature.
//! - [`Model::predict`] gives the label, a confidence in [0, 1] (softmax of the scores at a
//!   temperature fitted by cross-validation) and the ranking; [`Prediction::needs_triage`]
//!   compares it with the deployment's threshold.
//! - [`Model::to_bytes`] / [`Model::from_bytes`] (and `save` / `load`) keep a model in a
//!   versioned binary format; [`read_tsv`] reads `text<TAB>label` files; [`evaluate`] reports
//!   accuracy, macro-F1, per-label scores and the confusion matrix.
//!
//! Syllables rather than words: Vietnamese separates syllables by spaces, and syllable bigrams
//! cover most two-syllable compounds, so no word segmenter is needed.
//!
//! ```
//! use classify::{Category, Example, Model, Params};
//!
//! let categories = vec![
//!     Category::new("giao_thong", "Giao thông", "Đường hư hỏng, ổ gà, đèn tín hiệu, ùn tắc"),
//!     Category::new("moi_truong", "Môi trường", "Rác thải, ô nhiễm, khói bụi, nước thải"),
//! ];
//! let model = Model::train(&categories, &[], &Params::default())?;
//! let p = model.predict("Đường trước nhà có nhiều ổ gà");
//! assert_eq!(p.label, "giao_thong");
//!
//! let examples = vec![
//!     Example::new("Xe tải chở rác làm rơi vãi", "moi_truong"),
//!     Example::new("Đèn giao thông ở ngã tư bị hỏng", "giao_thong"),
//! ];
//! let model = Model::train(&categories, &examples, &Params::default())?;
//! let again = Model::from_bytes(&model.to_bytes())?;
//! assert_eq!(again.predict("rác thải bốc mùi"), model.predict("rác thải bốc mùi"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod defaults;
mod eval;
mod format;
mod model;
mod svm;
mod text;
mod tsv;

pub use defaults::default_categories;
pub use eval::{Coverage, Evaluation, LabelScores, evaluate};
pub use format::FORMAT_VERSION;
pub use model::{Model, ModelKind, Params, Prediction};
pub use tsv::{TsvError, read_tsv};

use serde::{Deserialize, Serialize};

/// A category of a deployment: an Open311 service code with its Vietnamese name, description and
/// optional keywords (all of which a zero-shot model learns from).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The label predictions carry (Open311 `service_code`).
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl Category {
    /// A category without keywords.
    pub fn new(code: impl Into<String>, name: impl Into<String>, description: impl Into<String>) -> Self {
        Category { code: code.into(), name: name.into(), description: description.into(), keywords: Vec::new() }
    }

    /// The category with these keywords.
    pub fn with_keywords<S: Into<String>>(mut self, keywords: impl IntoIterator<Item = S>) -> Self {
        self.keywords = keywords.into_iter().map(Into::into).collect();
        self
    }
}

/// A text with its label (a category code), e.g. an item whose category an officer confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    pub label: String,
}

impl Example {
    pub fn new(text: impl Into<String>, label: impl Into<String>) -> Self {
        Example { text: text.into(), label: label.into() }
    }
}

/// Why a model could not be trained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainError {
    /// Categories and examples together name fewer than two labels.
    #[error("need at least two labels (categories or example labels), got {0}")]
    TooFewLabels(usize),
    /// A category has an empty code.
    #[error("a category has an empty code")]
    EmptyCode,
    /// Two categories share a code.
    #[error("two categories have the code {0:?}")]
    DuplicateCode(String),
    /// An example has an empty label.
    #[error("an example has an empty label")]
    EmptyLabel,
    /// A label has neither examples with text nor a name, description or keyword.
    #[error("label {0:?} has no example and no name, description or keyword to learn from")]
    NothingToLearn(String),
    /// A parameter is out of range.
    #[error("invalid parameters: {0}")]
    InvalidParams(&'static str),
}

/// Why bytes are not a model.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a classifier model (bad magic)")]
    BadMagic,
    #[error("model format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("model file is truncated")]
    Truncated,
    #[error("model file is damaged (checksum mismatch)")]
    Checksum,
    #[error("model file is corrupt: {0}")]
    Corrupt(&'static str),
    #[error("reading or writing the model: {0}")]
    Io(#[from] std::io::Error),
}
