//! Accuracy, macro-F1, per-label scores and the confusion matrix of a model on labelled examples.

use std::fmt;

use crate::{Example, Model};

/// Precision, recall and F1 of one label.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelScores {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Examples whose true label this is.
    pub support: usize,
    /// Examples predicted as this label.
    pub predicted: usize,
}

/// What a confidence threshold would do: the share of items routed automatically (confidence at
/// or above it) and the accuracy among them; the rest go to manual triage.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coverage {
    pub threshold: f64,
    /// Share of the items routed automatically, in [0, 1].
    pub routed: f64,
    /// Accuracy over the routed items (1 when none is routed).
    pub accuracy: f64,
}

/// The result of [`evaluate`]. `Display` prints a readable report with the confusion matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The model's labels, then labels found only in the data (sorted).
    pub labels: Vec<String>,
    /// `confusion[true][predicted]`, indices into `labels`.
    pub confusion: Vec<Vec<usize>>,
    /// Scores per label, in `labels` order.
    pub per_label: Vec<LabelScores>,
    pub total: usize,
    pub accuracy: f64,
    /// Mean F1 over the labels that occur in the data or in the predictions (as scikit-learn's
    /// `f1_score(average="macro")`).
    pub macro_f1: f64,
    /// (correct, confidence) of each example, in input order.
    pub outcomes: Vec<(bool, f64)>,
}

impl Evaluation {
    /// What routing with `threshold` would have done on these examples.
    pub fn coverage(&self, threshold: f64) -> Coverage {
        let routed: Vec<bool> = self.outcomes.iter().filter(|(_, c)| *c >= threshold).map(|(ok, _)| *ok).collect();
        let n = self.outcomes.len().max(1) as f64;
        let correct = routed.iter().filter(|ok| **ok).count();
        Coverage {
            threshold,
            routed: routed.len() as f64 / n,
            accuracy: if routed.is_empty() { 1.0 } else { correct as f64 / routed.len() as f64 },
        }
    }
}

/// Predicts every example (on all cores) and scores the predictions against their labels.
pub fn evaluate(model: &Model, examples: &[Example]) -> Evaluation {
    let mut labels: Vec<String> = model.labels().to_vec();
    let mut extra: Vec<&str> =
        examples.iter().map(|e| e.label.trim()).filter(|l| !model.labels().iter().any(|m| m == l)).collect();
    extra.sort_unstable();
    extra.dedup();
    labels.extend(extra.iter().map(|s| (*s).to_owned()));
    let index = |l: &str| labels.iter().position(|x| x == l).unwrap_or(0);

    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let predicted = model.classify_batch(&texts);
    let k = labels.len();
    let mut confusion = vec![vec![0usize; k]; k];
    let mut outcomes = Vec::with_capacity(examples.len());
    for (e, &(p, conf)) in examples.iter().zip(&predicted) {
        let t = index(e.label.trim());
        confusion[t][p] += 1;
        outcomes.push((t == p, conf));
    }
    let total = examples.len();
    let correct: usize = (0..k).map(|i| confusion[i][i]).sum();
    let per_label: Vec<LabelScores> = (0..k)
        .map(|i| {
            let tp = confusion[i][i] as f64;
            let support: usize = confusion[i].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[i]).sum();
            let precision = if predicted > 0 { tp / predicted as f64 } else { 0.0 };
            let recall = if support > 0 { tp / support as f64 } else { 0.0 };
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            LabelScores { label: labels[i].clone(), precision, recall, f1, support, predicted }
        })
        .collect();
    let present: Vec<&LabelScores> = per_label.iter().filter(|s| s.support > 0 || s.predicted > 0).collect();
    let macro_f1 =
        if present.is_empty() { 0.0 } else { present.iter().map(|s| s.f1).sum::<f64>() / present.len() as f64 };
    Evaluation {
        labels,
        confusion,
        per_label,
        total,
        accuracy: if total > 0 { correct as f64 / total as f64 } else { 0.0 },
        macro_f1,
        outcomes,
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.labels.iter().map(|l| l.chars().count()).max().unwrap_or(5).max(5);
        writeln!(f, "examples {}  accuracy {:.4}  macro-F1 {:.4}", self.total, self.accuracy, self.macro_f1)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:>3}  {:<width$}  {:>9}  {:>6}  {:>6}  {:>7}",
            "#", "label", "precision", "recall", "F1", "support"
        )?;
        for (i, s) in self.per_label.iter().enumerate() {
            writeln!(
                f,
                "{:>3}  {:<width$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                i + 1,
                s.label,
                s.precision,
                s.recall,
                s.f1,
                s.support
            )?;
        }
        writeln!(f)?;
        writeln!(f, "confusion matrix (rows: true label, columns: predicted label, by number)")?;
        let cell = self.confusion.iter().flatten().max().map_or(1, |m| m.to_string().len()).max(3);
        write!(f, "{:>3}  {:<width$}", "", "")?;
        for j in 0..self.labels.len() {
            write!(f, " {:>cell$}", j + 1)?;
        }
        writeln!(f)?;
        for (i, row) in self.confusion.iter().enumerate() {
            write!(f, "{:>3}  {:<width$}", i + 1, self.labels[i])?;
            for v in row {
                write!(f, " {v:>cell$}")?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(f, "confidence threshold: share routed automatically, accuracy of those (the rest to triage)")?;
        for t in [0.3, 0.5, 0.7, 0.9] {
            let c = self.coverage(t);
            writeln!(f, "  {:.1}: {:>5.1} % routed, {:>5.1} % correct", t, 100.0 * c.routed, 100.0 * c.accuracy)?;
        }
        Ok(())
    }
}
