//! The common in-memory table every writer takes, and what every reader gives back.
//!
//! Writing goes through [`Table`] (typed [`Cell`]s, so XLSX gets real numbers and dates);
//! reading gives a [`ReadTable`] of plain strings with the source line of every row, so an
//! import can tell an official exactly which line of their file is wrong.

use chrono::NaiveDate;

/// One typed cell of a [`Table`].
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// Nothing: an empty cell in XLSX, an empty field in CSV.
    #[default]
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    Date(NaiveDate),
    /// A percentage on the 0..=100 scale (`12.5` means 12,5 %).
    Percent(f64),
}

impl Cell {
    /// The value as a machine-readable string, the form CSV export writes and imports read
    /// back: dates `dd/mm/yyyy`, numbers without thousands separators and with a `.` decimal
    /// point, percentages as their number (`12.5`), non-finite numbers as an empty string.
    pub fn to_plain_string(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Number(f) | Cell::Percent(f) => plain_number(*f),
            Cell::Date(d) => format_date(*d),
        }
    }

    /// The value as a Vietnamese reader expects to see it on a page: `1.234`, `1.234,5`,
    /// `12,5%`, `31/12/2026`. Numbers keep one decimal, like the XLSX number formats.
    pub fn to_display_vi(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => group_thousands_vi(&i.unsigned_abs().to_string(), *i < 0),
            Cell::Number(f) => number_vi(*f, 1),
            Cell::Percent(f) => {
                if f.is_finite() {
                    format!("{}%", number_vi(*f, 1))
                } else {
                    String::new()
                }
            }
            Cell::Date(d) => format_date(*d),
        }
    }

    /// True for [`Cell::Empty`] and for text that is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl From<i32> for Cell {
    fn from(i: i32) -> Self {
        Cell::Int(i64::from(i))
    }
}

impl From<u32> for Cell {
    fn from(i: u32) -> Self {
        Cell::Int(i64::from(i))
    }
}

impl From<f64> for Cell {
    fn from(f: f64) -> Self {
        Cell::Number(f)
    }
}

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A table to export: one header row and typed rows. Rows may be shorter than the header
/// (missing cells are empty); writers size the sheet to the widest row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with these headers and no rows.
    pub fn new<I, S>(headers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Table { headers: headers.into_iter().map(Into::into).collect(), rows: Vec::new() }
    }

    /// Appends a row.
    pub fn push_row(&mut self, row: Vec<Cell>) -> &mut Self {
        self.rows.push(row);
        self
    }

    /// Number of columns a writer emits: the header count or the widest row, whichever is larger.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).fold(self.headers.len(), usize::max)
    }
}

/// What an import reads: every row keeps its 1-based line number in the source (header is
/// line 1 when the file starts with it). Rows are at least as wide as the headers (missing
/// cells are `""`); a row may be wider when the file has data right of the last header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadRow {
    pub line: usize,
    pub cells: Vec<String>,
}

impl ReadRow {
    /// The cell in column `index`, or `""` when the row is shorter.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// A file as read by an import: the first non-empty row as headers, then every non-empty row.
/// All cells are trimmed strings; fully empty rows are skipped but line numbers stay true.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadTable {
    pub headers: Vec<String>,
    pub rows: Vec<ReadRow>,
}

impl ReadTable {
    /// The index of the first header equal to `name`, ignoring case and surrounding whitespace.
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim().to_lowercase();
        self.headers.iter().position(|h| h.trim().to_lowercase() == name)
    }
}

/// Why an uploaded file could not be read. Messages are shown to officials as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not a ZIP/XLSX container, or a damaged one. `detail` is the reader's own (English)
    /// explanation, for logs only.
    #[error("Tệp không phải XLSX hợp lệ")]
    InvalidXlsx { detail: String },
    /// No bytes, no sheet, or no non-empty row.
    #[error("Tệp trống")]
    Empty,
    /// The CSV structure is broken at `line` (1-based).
    #[error("Tệp CSV không đọc được ở dòng {line}: {detail}")]
    Csv { line: usize, detail: String },
    /// The bytes are not UTF-8; `line` is where the first invalid byte is.
    #[error("Tệp không phải UTF-8 (lỗi mã hoá ở dòng {line}); hãy lưu lại tệp với bảng mã UTF-8")]
    NotUtf8 { line: usize },
}

/// `dd/mm/yyyy`, the only date form officials see and the one imports read.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A number as plain text: shortest exact form, `.` decimal, no exponent, no `-0`;
/// non-finite values become an empty string.
pub(crate) fn plain_number(f: f64) -> String {
    if !f.is_finite() {
        String::new()
    } else if f == 0.0 {
        "0".to_owned()
    } else {
        f.to_string()
    }
}

/// `f` with `decimals` decimals, `.` thousands separators and `,` decimal comma.
fn number_vi(f: f64, decimals: usize) -> String {
    if !f.is_finite() {
        return String::new();
    }
    let s = format!("{:.*}", decimals, f.abs());
    let (int_part, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let negative = f < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    let mut out = group_thousands_vi(int_part, negative);
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

fn group_thousands_vi(digits: &str, negative: bool) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_reimport() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(Cell::Date(d).to_plain_string(), "09/03/2026");
        assert_eq!(Cell::Int(-1234567).to_plain_string(), "-1234567");
        assert_eq!(Cell::Number(1234.5).to_plain_string(), "1234.5");
        assert_eq!(Cell::Number(3.0).to_plain_string(), "3");
        assert_eq!(Cell::Number(-0.0).to_plain_string(), "0");
        assert_eq!(Cell::Number(1e21).to_plain_string(), "1000000000000000000000");
        assert_eq!(Cell::Number(f64::NAN).to_plain_string(), "");
        assert_eq!(Cell::Percent(12.5).to_plain_string(), "12.5");
        assert_eq!(Cell::Empty.to_plain_string(), "");
    }

    #[test]
    fn vietnamese_display() {
        assert_eq!(Cell::Int(1234).to_display_vi(), "1.234");
        assert_eq!(Cell::Int(-1234567).to_display_vi(), "-1.234.567");
        assert_eq!(Cell::Int(123).to_display_vi(), "123");
        assert_eq!(Cell::Int(i64::MIN).to_display_vi(), "-9.223.372.036.854.775.808");
        assert_eq!(Cell::Number(1234.5).to_display_vi(), "1.234,5");
        assert_eq!(Cell::Number(-0.04).to_display_vi(), "0,0");
        assert_eq!(Cell::Number(-1234567.25).to_display_vi(), "-1.234.567,2");
        assert_eq!(Cell::Percent(12.5).to_display_vi(), "12,5%");
    }

    #[test]
    fn read_table_helpers() {
        let t = ReadTable {
            headers: vec!["Mã".into(), " Tên nhiệm vụ ".into()],
            rows: vec![ReadRow { line: 2, cells: vec!["A".into()] }],
        };
        assert_eq!(t.column("tên NHIỆM vụ"), Some(1));
        assert_eq!(t.column("khác"), None);
        assert_eq!(t.rows[0].get(0), "A");
        assert_eq!(t.rows[0].get(5), "");
    }

    #[test]
    fn error_messages_are_vietnamese() {
        assert_eq!(ReadError::Empty.to_string(), "Tệp trống");
        assert_eq!(ReadError::InvalidXlsx { detail: "zip".into() }.to_string(), "Tệp không phải XLSX hợp lệ");
        assert_eq!(ReadError::Csv { line: 7, detail: "x".into() }.to_string(), "Tệp CSV không đọc được ở dòng 7: x");
        assert!(ReadError::NotUtf8 { line: 3 }.to_string().starts_with("Tệp không phải UTF-8"));
    }
}
