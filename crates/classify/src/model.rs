//! The model: two linear heads (accented and folded syllables), trained or built from category
//! descriptions, and the prediction path.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::svm::{self, Csr, Rng, Solver};
use crate::text::{self, Token, View};
use crate::{Category, Example, TrainError};

/// Training parameters. `Params::default()` is what the benchmark and the CLI use.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// SVM regularisation: larger fits the examples more closely (liblinear's `C`).
    pub c: f64,
    /// Stopping tolerance of the dual coordinate descent (projected-gradient gap).
    pub epsilon: f64,
    /// At most this many passes over the examples per class.
    pub max_epochs: usize,
    /// A feature must occur in at least this many training documents to be kept.
    pub min_df: u32,
    /// Syllable bigrams inside phrases as well as unigrams.
    pub bigrams: bool,
    /// Texts whose share of syllables with Vietnamese marks is at least this are read by the
    /// accented head; others (typed without marks, or mostly so) by the folded head.
    pub accent_ratio: f64,
    /// A fixed softmax temperature for trained models; `None` fits it by cross-validation.
    pub temperature: Option<f64>,
    /// Folds of the cross-validation that fits the temperature (at least 2 to fit one).
    pub calibration_folds: usize,
    /// The temperature when it cannot be fitted (too few examples).
    pub fallback_temperature: f64,
    /// Softmax temperature over cosine similarities of a zero-shot model.
    pub zero_shot_temperature: f64,
    /// How much a category's description counts, as a training document, beside an example
    /// (multiplies C for that document).
    pub description_weight: f64,
    /// Seed of the coordinate-descent order and of the folds: same seed, same model.
    pub seed: u64,
    /// Training threads; 0 = all cores. The model does not depend on it.
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            c: 1.0,
            epsilon: 0.1,
            max_epochs: 1000,
            min_df: 1,
            bigrams: true,
            accent_ratio: 0.5,
            temperature: None,
            calibration_folds: 3,
            fallback_temperature: 0.3,
            zero_shot_temperature: 0.05,
            description_weight: 1.0,
            seed: 0x5eed_c1a5_51f1,
            threads: 0,
        }
    }
}

impl Params {
    fn check(&self) -> Result<(), TrainError> {
        let positive = |v: f64| v.is_finite() && v > 0.0;
        if !positive(self.c) {
            return Err(TrainError::InvalidParams("c must be positive"));
        }
        if !positive(self.epsilon) {
            return Err(TrainError::InvalidParams("epsilon must be positive"));
        }
        if self.max_epochs == 0 {
            return Err(TrainError::InvalidParams("max_epochs must be at least 1"));
        }
        if !(0.0..=1.0).contains(&self.accent_ratio) {
            return Err(TrainError::InvalidParams("accent_ratio must be within 0..=1"));
        }
        if self.temperature.is_some_and(|t| !positive(t))
            || !positive(self.fallback_temperature)
            || !positive(self.zero_shot_temperature)
        {
            return Err(TrainError::InvalidParams("temperatures must be positive"));
        }
        if !positive(self.description_weight) {
            return Err(TrainError::InvalidParams("description_weight must be positive"));
        }
        Ok(())
    }

    fn threads(&self) -> usize {
        if self.threads > 0 { self.threads } else { std::thread::available_parallelism().map_or(1, |n| n.get()) }
    }
}

/// How a model was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// From category names, descriptions and keywords only (nearest centroid, cosine).
    ZeroShot,
    /// A linear SVM trained on examples (and on the category descriptions, if any).
    Trained,
}

/// The label a text gets, with a confidence in `[0, 1]` (the softmax probability of the label)
/// and every label ranked by probability, highest first (ties in label order).
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The most probable label (a category code).
    pub label: String,
    /// Its probability: compare with a threshold to send uncertain items to manual triage.
    pub confidence: f64,
    /// Every label with its probability (they sum to 1), highest first.
    pub ranked: Vec<(String, f64)>,
}

impl Prediction {
    /// Whether the item should go to the manual triage queue: its confidence is below
    /// `threshold`.
    pub fn needs_triage(&self, threshold: f64) -> bool {
        self.confidence < threshold
    }
}

/// Open addressing from a feature key to its row: slot = high 32 bits of the key << 32 | row + 1,
/// home slot from the low bits (so a slot stands for 32 + log2(capacity) bits of the key).
/// No row: the feature is unknown to the head.
const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    slots: Vec<u64>,
    mask: usize,
}

impl Table {
    fn build(keys: &[u64]) -> Table {
        let capacity = (keys.len() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut slots = vec![0u64; capacity];
        for (row, &key) in keys.iter().enumerate() {
            let fp = key >> 32;
            let mut s = (key as usize) & mask;
            loop {
                let slot = slots[s];
                if slot == 0 {
                    slots[s] = (fp << 32) | (row as u64 + 1);
                    break;
                }
                if slot >> 32 == fp {
                    break; // a key indistinguishable from an earlier one: the earlier keeps it
                }
                s = (s + 1) & mask;
            }
        }
        Table { slots, mask }
    }

    /// The slot where `key`'s search starts (the load that misses the cache).
    #[inline]
    fn home(&self, key: u64) -> u64 {
        self.slots[(key as usize) & self.mask]
    }

    /// The row of `key` given the content of its home slot, or [`NONE`].
    #[inline]
    fn resolve(&self, key: u64, home: u64) -> u32 {
        if home == 0 {
            return NONE;
        }
        if home >> 32 == key >> 32 {
            return (home & 0xffff_ffff) as u32 - 1;
        }
        self.get(key).map_or(NONE, |row| row as u32)
    }

    #[inline]
    fn get(&self, key: u64) -> Option<usize> {
        let fp = key >> 32;
        let mut s = (key as usize) & self.mask;
        loop {
            let slot = self.slots[s];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == fp {
                return Some((slot & 0xffff_ffff) as usize - 1);
            }
            s = (s + 1) & self.mask;
        }
    }
}

/// One linear head over the features of one view.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    /// Feature key of each row.
    pub keys: Vec<u64>,
    /// Rows of `1 + labels` floats: the feature's idf, then its weight per label times the idf.
    pub rows: Vec<f32>,
    /// Bias per label.
    pub bias: Vec<f32>,
    /// Idf that features unknown to the head add to a text's norm (0: they are left out, as
    /// scikit-learn's vectoriser does).
    pub unknown_idf: f32,
    pub table: Table,
}

impl Head {
    pub(crate) fn new(keys: Vec<u64>, rows: Vec<f32>, bias: Vec<f32>, unknown_idf: f32) -> Head {
        let table = Table::build(&keys);
        Head { keys, rows, bias, unknown_idf, table }
    }

    fn features(&self) -> usize {
        self.keys.len()
    }
}

/// A trained (or zero-shot) classifier. Cheap to share between threads (`&Model` is `Sync`).
/// `Debug` shows a summary, not the weights.
#[derive(Clone)]
pub struct Model {
    pub(crate) labels: Vec<String>,
    pub(crate) kind: ModelKind,
    pub(crate) temperature: f64,
    pub(crate) accent_ratio: f64,
    pub(crate) bigrams: bool,
    /// Accented head, folded head.
    pub(crate) heads: [Head; 2],
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("kind", &self.kind)
            .field("labels", &self.labels)
            .field("temperature", &self.temperature)
            .field("features", &self.features())
            .finish_non_exhaustive()
    }
}

/// A training document: its label, text and weight (C multiplier).
struct Doc {
    label: usize,
    weight: f64,
    tokens: Vec<Token>,
}

/// The text a category contributes: name, description and keywords.
fn category_text(c: &Category) -> String {
    let mut s = String::with_capacity(c.name.len() + c.description.len() + 16);
    for part in std::iter::once(&c.name).chain(std::iter::once(&c.description)).chain(&c.keywords) {
        let part = part.trim();
        if !part.is_empty() {
            if !s.is_empty() {
                s.push_str(" . ");
            }
            s.push_str(part);
        }
    }
    s
}

/// TF-IDF space of one view over a set of documents: vocabulary in order of first appearance
/// (dropping features in fewer than `min_df` documents), smooth idf, and the l2-normalised
/// sublinear-tf vectors of the documents.
struct Space {
    keys: Vec<u64>,
    idf: Vec<f64>,
    docs: Csr,
}

fn sublinear(tf: u32) -> f64 {
    if tf <= 1 { 1.0 } else { 1.0 + f64::from(tf).ln() }
}

fn build_space(docs: &[Doc], view: View, bigrams: bool, min_df: u32) -> Space {
    // vocabulary in order of first appearance: documents in order, keys as they occur
    let mut df: HashMap<u64, (u32, u32)> = HashMap::new(); // key -> (first-seen rank, df)
    let mut counted: Vec<Vec<(u64, u32)>> = Vec::with_capacity(docs.len());
    let mut keys = Vec::new();
    for doc in docs {
        keys.clear();
        text::features(&doc.tokens, view, bigrams, &mut keys);
        for &k in &keys {
            let next = df.len() as u32;
            df.entry(k).or_insert((next, 0));
        }
        keys.sort_unstable();
        let mut c: Vec<(u64, u32)> = Vec::with_capacity(keys.len());
        for &k in &keys {
            match c.last_mut() {
                Some((last, n)) if *last == k => *n += 1,
                _ => c.push((k, 1)),
            }
        }
        for &(k, _) in &c {
            if let Some(e) = df.get_mut(&k) {
                e.1 += 1;
            }
        }
        counted.push(c);
    }
    let mut kept: Vec<(u32, u64, u32)> =
        df.into_iter().filter(|(_, (_, n))| *n >= min_df.max(1)).map(|(k, (rank, n))| (rank, k, n)).collect();
    kept.sort_unstable();
    let n_docs = docs.len() as f64;
    let keys: Vec<u64> = kept.iter().map(|&(_, k, _)| k).collect();
    let idf: Vec<f64> = kept.iter().map(|&(_, _, n)| ((1.0 + n_docs) / (1.0 + f64::from(n))).ln() + 1.0).collect();
    let index: HashMap<u64, u32> = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
    let mut csr = Csr::new();
    for doc in &counted {
        let mut row: Vec<(u32, f64)> =
            doc.iter().filter_map(|&(k, tf)| index.get(&k).map(|&i| (i, sublinear(tf) * idf[i as usize]))).collect();
        row.sort_unstable_by_key(|&(i, _)| i);
        let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        csr.push_row(row.into_iter().map(|(i, v)| (i, (v * scale) as f32)));
    }
    Space { keys, idf, docs: csr }
}

/// One-vs-rest SVMs of every label over `rows` of the space; the weights per label.
fn train_ovr(space: &Space, docs: &[Doc], rows: &[u32], labels: usize, params: &Params, seed: u64) -> Vec<svm::Binary> {
    let weight: Vec<f64> = docs.iter().map(|d| d.weight).collect();
    let solver = Solver { c: params.c, epsilon: params.epsilon, max_epochs: params.max_epochs };
    svm::run_parallel(labels, params.threads(), |label| {
        let positive: Vec<bool> = docs.iter().map(|d| d.label == label).collect();
        let seed = seed ^ (label as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        svm::train_binary(&space.docs, space.keys.len(), rows, &positive, &weight, solver, seed)
    })
}

fn linear_head(space: Space, models: &[svm::Binary]) -> Head {
    let k = models.len();
    let mut rows = Vec::with_capacity(space.keys.len() * (k + 1));
    for (j, &idf) in space.idf.iter().enumerate() {
        rows.push(idf as f32);
        rows.extend(models.iter().map(|m| (m.w[j] * idf) as f32));
    }
    let bias = models.iter().map(|m| m.b as f32).collect();
    Head::new(space.keys, rows, bias, 0.0)
}

/// Nearest centroid: each label's weights are the normalised tf-idf vector of its documents
/// summed (cosine similarity with the text).
fn centroid_head(mut space: Space, docs: &[Doc], labels: usize, view: View) -> Head {
    let n = space.keys.len();
    // stop words are known (so they add nothing to a text's norm either) but weigh nothing
    let stop = text::stopword_keys(view);
    for (key, idf) in space.keys.iter().zip(space.idf.iter_mut()) {
        if stop.contains(key) {
            *idf = 0.0;
        }
    }
    let mut w = vec![0f64; n * labels];
    for (d, doc) in docs.iter().enumerate() {
        let (idx, val) = space.docs.row(d);
        for (&j, &v) in idx.iter().zip(val) {
            if space.idf[j as usize] > 0.0 {
                w[j as usize * labels + doc.label] += f64::from(v);
            }
        }
    }
    let mut norms = vec![0f64; labels];
    for j in 0..n {
        for (l, norm) in norms.iter_mut().enumerate() {
            *norm += w[j * labels + l].powi(2);
        }
    }
    let mut rows = Vec::with_capacity(n * (labels + 1));
    for (j, &idf) in space.idf.iter().enumerate() {
        rows.push(idf as f32);
        for (l, norm) in norms.iter().enumerate() {
            let v = if *norm > 0.0 { w[j * labels + l] / norm.sqrt() } else { 0.0 };
            rows.push((v * idf) as f32);
        }
    }
    // a feature no category mentions counts as if it were in no document
    let unknown_idf = ((1.0 + docs.len() as f64).ln() + 1.0) as f32;
    Head::new(space.keys, rows, vec![0.0; labels], unknown_idf)
}

/// Softmax of `scores / t` in place; returns nothing, `p` sums to 1.
fn softmax(scores: &[f64], t: f64, p: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (p, &s) in p.iter_mut().zip(scores) {
        *p = ((s - max) / t).exp();
        sum += *p;
    }
    for p in p.iter_mut() {
        *p /= sum;
    }
}

/// The temperature that minimises the negative log-likelihood of the true labels given their
/// out-of-fold scores (golden-section search over log t in [0.01, 10]).
fn fit_temperature(margins: &[(usize, Vec<f64>)]) -> f64 {
    let nll = |log_t: f64| {
        let t = log_t.exp();
        let mut p = Vec::new();
        margins
            .iter()
            .map(|(y, s)| {
                p.resize(s.len(), 0.0);
                softmax(s, t, &mut p);
                -(p[*y].max(1e-300)).ln()
            })
            .sum::<f64>()
    };
    let (mut a, mut b) = (0.01f64.ln(), 10f64.ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (nll(c), nll(d));
    for _ in 0..60 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = nll(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = nll(d);
        }
    }
    ((a + b) / 2.0).exp()
}

/// Stratified folds: documents of each label shuffled and dealt round-robin.
fn folds(docs: &[Doc], rows: &[u32], k: usize, labels: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0usize; docs.len()];
    let mut rng = Rng::new(seed ^ 0xf01d);
    let mut deal = 0usize;
    for label in 0..labels {
        let mut of: Vec<u32> = rows.iter().copied().filter(|&r| docs[r as usize].label == label).collect();
        rng.shuffle(&mut of);
        for r in of {
            fold[r as usize] = deal % k;
            deal += 1;
        }
    }
    fold
}

impl Model {
    /// Trains a model for `categories` (in their order) and any labels that only `examples` use
    /// (after them, sorted).
    ///
    /// - With no examples the model is zero-shot: each category's name, description and keywords
    ///   form a document, and a text goes to the category whose tf-idf vector is nearest
    ///   (cosine), confidence a softmax of the similarities at `params.zero_shot_temperature`.
    /// - With examples, one-vs-rest linear SVMs are trained over TF-IDF (sublinear tf, l2 norm)
    ///   of syllable unigrams and bigrams; categories that have a name or description add it as
    ///   one more document of their label (weighted by `params.description_weight`), so a
    ///   category still without examples can be predicted. The softmax temperature of the
    ///   confidence is fitted by cross-validation (`params.calibration_folds`) unless
    ///   `params.temperature` fixes it.
    ///
    /// Each model has two heads, one over syllables as written and one over folded syllables
    /// (no marks, đ → d); a text typed without marks is read by the folded head.
    /// Training is deterministic for given inputs and `params.seed`, whatever `params.threads`.
    pub fn train(categories: &[Category], examples: &[Example], params: &Params) -> Result<Model, TrainError> {
        params.check()?;
        let mut labels: Vec<String> = Vec::with_capacity(categories.len());
        let mut index: HashMap<&str, usize> = HashMap::new();
        for c in categories {
            let code = c.code.trim();
            if code.is_empty() {
                return Err(TrainError::EmptyCode);
            }
            if index.insert(code, labels.len()).is_some() {
                return Err(TrainError::DuplicateCode(code.to_owned()));
            }
            labels.push(code.to_owned());
        }
        let mut extra: Vec<&str> = Vec::new();
        for e in examples {
            let label = e.label.trim();
            if label.is_empty() {
                return Err(TrainError::EmptyLabel);
            }
            if !index.contains_key(label) && !extra.contains(&label) {
                extra.push(label);
            }
        }
        extra.sort_unstable();
        for l in extra {
            index.insert(l, labels.len());
            labels.push(l.to_owned());
        }
        if labels.len() < 2 {
            return Err(TrainError::TooFewLabels(labels.len()));
        }

        let mut docs: Vec<Doc> = Vec::with_capacity(examples.len() + categories.len());
        let mut has_doc = vec![false; labels.len()];
        let tokenize = |t: &str| {
            let mut v = Vec::new();
            text::tokenize(t, &mut v);
            v
        };
        let example_tokens =
            svm::run_parallel(examples.len().div_ceil(256), params.threads(), |chunk| -> Vec<Vec<Token>> {
                examples[chunk * 256..((chunk + 1) * 256).min(examples.len())]
                    .iter()
                    .map(|e| tokenize(&e.text))
                    .collect()
            });
        for (e, tokens) in examples.iter().zip(example_tokens.into_iter().flatten()) {
            let label = index.get(e.label.trim()).copied().ok_or(TrainError::EmptyLabel)?;
            has_doc[label] |= !tokens.is_empty();
            docs.push(Doc { label, weight: 1.0, tokens });
        }
        let n_examples = docs.len();
        for (label, c) in categories.iter().enumerate() {
            let tokens = tokenize(&category_text(c));
            if !tokens.is_empty() {
                has_doc[label] = true;
                docs.push(Doc { label, weight: params.description_weight, tokens });
            }
        }
        if let Some(l) = has_doc.iter().position(|h| !h) {
            return Err(TrainError::NothingToLearn(labels[l].clone()));
        }

        if n_examples == 0 {
            let heads = [View::Accented, View::Folded].map(|view| {
                let space = build_space(&docs, view, params.bigrams, 1);
                centroid_head(space, &docs, labels.len(), view)
            });
            return Ok(Model {
                labels,
                kind: ModelKind::ZeroShot,
                temperature: params.zero_shot_temperature,
                accent_ratio: params.accent_ratio,
                bigrams: params.bigrams,
                heads,
            });
        }

        let all: Vec<u32> = (0..docs.len() as u32).collect();
        let k = labels.len();
        let heads = [View::Accented, View::Folded].map(|view| {
            let space = build_space(&docs, view, params.bigrams, params.min_df);
            let models = train_ovr(&space, &docs, &all, k, params, params.seed);
            (space, models)
        });
        let temperature = match params.temperature {
            Some(t) => t,
            None => calibrate(&heads[0].0, &docs, n_examples, k, params).unwrap_or(params.fallback_temperature),
        };
        let [(s0, m0), (s1, m1)] = heads;
        Ok(Model {
            labels,
            kind: ModelKind::Trained,
            temperature,
            accent_ratio: params.accent_ratio,
            bigrams: params.bigrams,
            heads: [linear_head(s0, &m0), linear_head(s1, &m1)],
        })
    }

    /// The labels (category codes) the model predicts, in its order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Whether the model is zero-shot or trained on examples.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The softmax temperature of the confidences.
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// Number of features of the accented and of the folded head.
    pub fn features(&self) -> (usize, usize) {
        (self.heads[0].features(), self.heads[1].features())
    }

    /// Probabilities of every label (in [`Model::labels`] order) for `text`, written to `probs`
    /// (resized to the number of labels). Allocates nothing once `probs` has its size.
    pub fn probabilities(&self, text: &str, probs: &mut Vec<f64>) {
        let k = self.labels.len();
        probs.resize(k, 0.0);
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => self.probabilities_with(text, &mut s, probs),
            Err(_) => self.probabilities_with(text, &mut Scratch::default(), probs),
        });
    }

    fn probabilities_with(&self, text: &str, s: &mut Scratch, probs: &mut [f64]) {
        s.tokens.clear();
        text::tokenize(text, &mut s.tokens);
        let view = if text::marked_share(&s.tokens) >= self.accent_ratio { View::Accented } else { View::Folded };
        let head = &self.heads[match view {
            View::Accented => 0,
            View::Folded => 1,
        }];
        s.keys.clear();
        text::features(&s.tokens, view, self.bigrams, &mut s.keys);
        s.counts.count(&s.keys);

        let k = self.labels.len();
        s.scores.clear();
        s.scores.resize(k, 0.0);
        // Three passes so that the cache misses of many features overlap instead of one after
        // the other: home slots of every key, then the rows they name, then the sums.
        s.slots.clear();
        s.slots.extend(s.counts.entries.iter().map(|&(key, _)| head.table.home(key)));
        s.found.clear();
        s.found.extend(s.counts.entries.iter().zip(&s.slots).map(|(&(key, _), &slot)| head.table.resolve(key, slot)));
        let mut norm2 = 0f64;
        s.idf.clear();
        s.idf.extend(
            s.found.iter().map(|&row| if row == NONE { head.unknown_idf } else { head.rows[row as usize * (k + 1)] }),
        );
        for ((&(_, tf), &row), &idf) in s.counts.entries.iter().zip(&s.found).zip(&s.idf) {
            let tfw = sublinear(tf);
            let x = tfw * f64::from(idf);
            norm2 += x * x;
            if row != NONE {
                let start = row as usize * (k + 1) + 1;
                for (score, &w) in s.scores.iter_mut().zip(&head.rows[start..start + k]) {
                    *score += tfw * f64::from(w);
                }
            }
        }
        let scale = if norm2 > 0.0 { 1.0 / norm2.sqrt() } else { 0.0 };
        for (score, &b) in s.scores.iter_mut().zip(&head.bias) {
            *score = *score * scale + f64::from(b);
        }
        softmax(&s.scores, self.temperature, probs);
    }

    /// The most probable label's index in [`Model::labels`] and its probability, without
    /// allocating: the fast path for counting or routing.
    pub fn classify(&self, text: &str) -> (usize, f64) {
        PROBS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut p) => {
                self.probabilities(text, &mut p);
                best(&p)
            }
            Err(_) => {
                let mut p = Vec::new();
                self.probabilities(text, &mut p);
                best(&p)
            }
        })
    }

    /// The label of `text`, its confidence and the ranking of every label.
    pub fn predict(&self, text: &str) -> Prediction {
        let mut p = Vec::with_capacity(self.labels.len());
        self.probabilities(text, &mut p);
        let mut order: Vec<usize> = (0..p.len()).collect();
        order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
        let ranked: Vec<(String, f64)> = order.iter().map(|&i| (self.labels[i].clone(), p[i])).collect();
        let (label, confidence) = ranked.first().cloned().unwrap_or_default();
        Prediction { label, confidence, ranked }
    }

    /// [`Model::predict`] of many texts on all cores; results in input order.
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction> {
        self.batch(texts, |t| self.predict(t))
    }

    /// [`Model::classify`] of many texts on all cores; results in input order.
    pub fn classify_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<(usize, f64)> {
        self.batch(texts, |t| self.classify(t))
    }

    fn batch<S: AsRef<str> + Sync, T: Send>(&self, texts: &[S], f: impl Fn(&str) -> T + Sync) -> Vec<T> {
        const CHUNK: usize = 64;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunks = texts.len().div_ceil(CHUNK);
        svm::run_parallel(chunks, threads, |c| {
            texts[c * CHUNK..((c + 1) * CHUNK).min(texts.len())].iter().map(|t| f(t.as_ref())).collect::<Vec<T>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

fn best(p: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &v) in p.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best
}

/// Out-of-fold scores of the accented head, and the temperature fitted to them; `None` when
/// there are too few examples to fit one.
fn calibrate(space: &Space, docs: &[Doc], n_examples: usize, labels: usize, params: &Params) -> Option<f64> {
    let k = params.calibration_folds;
    if k < 2 || n_examples < 10 * k {
        return None;
    }
    let examples: Vec<u32> = (0..n_examples as u32).collect();
    let fold = folds(docs, &examples, k, labels, params.seed);
    let solver = Solver { c: params.c, epsilon: params.epsilon, max_epochs: params.max_epochs };
    let weight: Vec<f64> = docs.iter().map(|d| d.weight).collect();
    let train_rows: Vec<Vec<u32>> = (0..k)
        .map(|f| (0..docs.len() as u32).filter(|&r| (r as usize) >= n_examples || fold[r as usize] != f).collect())
        .collect();
    let models = svm::run_parallel(k * labels, params.threads(), |job| {
        let (f, label) = (job / labels, job % labels);
        let positive: Vec<bool> = docs.iter().map(|d| d.label == label).collect();
        let seed = params.seed ^ 0xca1 ^ (job as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        svm::train_binary(&space.docs, space.keys.len(), &train_rows[f], &positive, &weight, solver, seed)
    });
    let margins: Vec<(usize, Vec<f64>)> = examples
        .iter()
        .map(|&r| {
            let f = fold[r as usize];
            let (idx, val) = space.docs.row(r as usize);
            let scores = (0..labels)
                .map(|l| {
                    let m = &models[f * labels + l];
                    m.b + idx.iter().zip(val).map(|(&j, &v)| m.w[j as usize] * f64::from(v)).sum::<f64>()
                })
                .collect();
            (docs[r as usize].label, scores)
        })
        .collect();
    Some(fit_temperature(&margins))
}

/// Counts of the distinct feature keys of one text, in order of first occurrence (a small open
/// addressing table reused between calls; keys are never 0, which marks a free slot).
#[derive(Default)]
struct Counter {
    slots: Vec<u64>,
    positions: Vec<u32>,
    used: Vec<u32>,
    entries: Vec<(u64, u32)>,
}

impl Counter {
    fn count(&mut self, keys: &[u64]) {
        let capacity = (keys.len() * 2).next_power_of_two().max(64);
        if self.slots.len() < capacity {
            self.slots = vec![0; capacity];
            self.positions = vec![0; capacity];
        } else {
            for &s in &self.used {
                self.slots[s as usize] = 0;
            }
        }
        self.used.clear();
        self.entries.clear();
        let mask = self.slots.len() - 1;
        for &key in keys {
            let mut s = (key as usize) & mask;
            loop {
                let slot = self.slots[s];
                if slot == 0 {
                    self.slots[s] = key;
                    self.positions[s] = self.entries.len() as u32;
                    self.used.push(s as u32);
                    self.entries.push((key, 1));
                    break;
                }
                if slot == key {
                    self.entries[self.positions[s] as usize].1 += 1;
                    break;
                }
                s = (s + 1) & mask;
            }
        }
    }
}

#[derive(Default)]
struct Scratch {
    tokens: Vec<Token>,
    keys: Vec<u64>,
    counts: Counter,
    slots: Vec<u64>,
    found: Vec<u32>,
    idf: Vec<f32>,
    scores: Vec<f64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static PROBS: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_counts_and_resets() {
        let mut c = Counter::default();
        c.count(&[5, 7, 5, 9, 5]);
        assert_eq!(c.entries, vec![(5, 3), (7, 1), (9, 1)]);
        c.count(&[7, 7]);
        assert_eq!(c.entries, vec![(7, 2)]);
        let many: Vec<u64> = (1..500).collect();
        c.count(&many);
        assert_eq!(c.entries.len(), 499);
        c.count(&[3]);
        assert_eq!(c.entries, vec![(3, 1)]);
    }

    #[test]
    fn table_finds_its_keys_only() {
        let keys: Vec<u64> = (0..1000u64).map(text::unigram).collect();
        let t = Table::build(&keys);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i));
        }
        assert_eq!(t.get(text::unigram(5000)), None);
    }

    #[test]
    fn temperature_fit_is_sane() {
        // margins that separate perfectly but with a gap of 1: a small temperature fits
        let m: Vec<(usize, Vec<f64>)> =
            (0..50).map(|i| (i % 2, if i % 2 == 0 { vec![1.0, 0.0] } else { vec![0.0, 1.0] })).collect();
        assert!(fit_temperature(&m) < 0.05);
        // uninformative margins: a large one
        let m: Vec<(usize, Vec<f64>)> = (0..50).map(|i| (i % 2, vec![1.0, 0.0])).collect();
        assert!(fit_temperature(&m) > 5.0);
    }
}
