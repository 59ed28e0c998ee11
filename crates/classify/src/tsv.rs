//! Labelled examples as `text<TAB>label` lines.

use std::io::BufRead;

use crate::Example;

/// A line of a TSV file that cannot be read as an example; `line` counts from 1.
#[derive(Debug, thiserror::Error)]
pub enum TsvError {
    /// The line has no tab between text and label.
    #[error("line {line}: no tab between text and label")]
    MissingTab { line: usize },
    /// Nothing but white space before the tab.
    #[error("line {line}: empty text")]
    EmptyText { line: usize },
    /// Nothing but white space after the tab.
    #[error("line {line}: empty label")]
    EmptyLabel { line: usize },
    /// The line could not be read (or is not UTF-8).
    #[error("line {line}: {source}")]
    Io {
        line: usize,
        #[source]
        source: std::io::Error,
    },
}

impl TsvError {
    /// The line (from 1) the error is about.
    pub fn line(&self) -> usize {
        match self {
            TsvError::MissingTab { line }
            | TsvError::EmptyText { line }
            | TsvError::EmptyLabel { line }
            | TsvError::Io { line, .. } => *line,
        }
    }
}

/// Reads `text<TAB>label` lines. The label is what follows the last tab (so a text may hold
/// tabs); both are trimmed. Blank lines are skipped; `\r\n` endings are accepted.
pub fn read_tsv(reader: impl BufRead) -> Result<Vec<Example>, TsvError> {
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|source| TsvError::Io { line: line_no, source })?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((text, label)) = line.rsplit_once('\t') else {
            return Err(TsvError::MissingTab { line: line_no });
        };
        let (text, label) = (text.trim(), label.trim());
        if text.is_empty() {
            return Err(TsvError::EmptyText { line: line_no });
        }
        if label.is_empty() {
            return Err(TsvError::EmptyLabel { line: line_no });
        }
        out.push(Example { text: text.to_owned(), label: label.to_owned() });
    }
    Ok(out)
}
