//! CSV out (UTF-8 with BOM, comma, RFC 4180) and in (BOM optional, `,` or `;`, line numbers kept).
//!
//! Export guards against spreadsheet formula injection: a text cell that starts with `=`, `+`,
//! `-`, `@`, tab or carriage return is written with a leading `'`, which Excel shows as text.
//! Import removes such an apostrophe again, so exported files re-import unchanged.

use crate::table::{Cell, ReadError, ReadRow, ReadTable, Table};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `table` as CSV: UTF-8 with a BOM (so Excel shows Vietnamese correctly), comma
/// separated, CRLF line ends, fields quoted only when they hold `,`, `"`, CR or LF (quotes
/// doubled), dates `dd/mm/yyyy`, numbers plain (`1234.5`) so the file re-imports. Every
/// record has [`Table::width`] fields (short rows are padded with empty fields).
pub fn write_csv(table: &Table) -> Vec<u8> {
    let width = table.width();
    let mut out = Vec::with_capacity(64 + table.rows.len() * width * 8);
    out.extend_from_slice(BOM);
    let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    write_record(&mut out, width, headers.iter().map(|h| FieldText::Plain(h)));
    for row in &table.rows {
        write_record(&mut out, width, row.iter().map(cell_field));
    }
    out
}

enum FieldText<'a> {
    Plain(&'a str),
    Owned(String),
    /// Text that must not be taken for a formula.
    Guarded(&'a str),
}

fn cell_field(cell: &Cell) -> FieldText<'_> {
    match cell {
        Cell::Text(s) => FieldText::Guarded(s),
        other => FieldText::Owned(other.to_plain_string()),
    }
}

fn write_record<'a>(out: &mut Vec<u8>, width: usize, fields: impl Iterator<Item = FieldText<'a>>) {
    let record_start = out.len();
    let mut count = 0;
    for field in fields {
        if count > 0 {
            out.push(b',');
        }
        match field {
            FieldText::Plain(s) => write_field(out, s, false),
            FieldText::Owned(s) => write_field(out, &s, false),
            FieldText::Guarded(s) => write_field(out, s, true),
        }
        count += 1;
    }
    for i in count..width {
        if i > 0 {
            out.push(b',');
        }
    }
    if out.len() == record_start {
        // A lone empty field would be a blank line, which readers skip.
        out.extend_from_slice(b"\"\"");
    }
    out.extend_from_slice(b"\r\n");
}

fn write_field(out: &mut Vec<u8>, s: &str, guard: bool) {
    let apostrophe = guard && starts_with_formula_trigger(s);
    let needs_quotes = s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if needs_quotes {
        out.push(b'"');
    }
    if apostrophe {
        out.push(b'\'');
    }
    if needs_quotes {
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn starts_with_formula_trigger(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// Reads a CSV upload. Accepts an optional UTF-8 BOM, detects `;` or `,` (or tab) from the
/// header line, trims every cell, skips fully empty rows and keeps each row's 1-based starting
/// line (a quoted field spanning lines reports the line it starts on). The first non-empty
/// row is the header.
///
/// # Errors
/// [`ReadError::NotUtf8`] for other encodings (including UTF-16 exports), [`ReadError::Empty`]
/// when nothing is in the file, [`ReadError::Csv`] for an unclosed quote or a broken record.
pub fn read_csv(bytes: &[u8]) -> Result<ReadTable, ReadError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ReadError::NotUtf8 { line: 1 });
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(ReadError::NotUtf8 { line: line_at(bytes, e.valid_up_to()) }),
    };
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    // Old Mac files end lines with a lone CR; the parser counts lines by LF.
    let normalised;
    let text = if !text.contains('\n') && text.contains('\r') {
        normalised = text.replace('\r', "\n");
        normalised.as_str()
    } else {
        text
    };
    let delimiter = detect_delimiter(text);
    if let Some(line) = unclosed_quote_line(text, delimiter) {
        return Err(ReadError::Csv {
            line, detail: "dấu ngoặc kép (\") mở ở dòng này không được đóng".into()
        });
    }

    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(lines.line, |p| lines.record_line(p.byte()));
                return Err(ReadError::Csv { line, detail: e.to_string() });
            }
        };
        let line = record.position().map_or(lines.line, |p| lines.record_line(p.byte()));
        let mut cells: Vec<String> = record.iter().map(clean_cell).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        match &headers {
            None => headers = Some(cells),
            Some(h) => {
                if cells.len() < h.len() {
                    cells.resize(h.len(), String::new());
                }
                rows.push(ReadRow { line, cells });
            }
        }
    }
    match headers {
        Some(headers) => Ok(ReadTable { headers, rows }),
        None => Err(ReadError::Empty),
    }
}

/// Turns the parser's byte positions into 1-based starting lines. (The parser's own line
/// count is that of the previous record's end, so it is off after CRLF and blank lines.)
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, offset: 0, line: 1 }
    }

    /// The line of the record the parser reports at byte `pos`: the first byte from there on
    /// that is not a line break. Positions must not decrease between calls.
    fn record_line(&mut self, pos: u64) -> usize {
        let mut start = usize::try_from(pos).unwrap_or(usize::MAX).min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.offset {
            self.line += self.bytes[self.offset..start].iter().filter(|&&b| b == b'\n').count();
            self.offset = start;
        }
        self.line
    }
}

fn clean_cell(raw: &str) -> String {
    let s = raw.trim();
    match s.strip_prefix('\'') {
        Some(rest) if starts_with_formula_trigger(rest) => rest.trim().to_owned(),
        _ => s.to_owned(),
    }
}

/// 1-based line of byte offset `at`.
fn line_at(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The delimiter used most often outside quotes on the first non-blank line; `,` on a tie.
fn detect_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut tabs) = (0usize, 0usize, 0usize);
    let mut in_quotes = false;
    let mut seen_content = false;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes && seen_content => break,
            b',' if !in_quotes => commas += 1,
            b';' if !in_quotes => semicolons += 1,
            b'\t' if !in_quotes => tabs += 1,
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            seen_content = true;
        }
    }
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

/// The line where a quoted field opens without ever being closed, following the parser's
/// rules (a quote opens a quoted field only at the start of a field; `""` inside is a quote).
fn unclosed_quote_line(text: &str, delimiter: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line = 1;
    let mut opened_at = 1;
    for b in text.bytes() {
        state = match (state, b) {
            (State::FieldStart, b'"') => {
                opened_at = line;
                State::Quoted
            }
            (State::FieldStart | State::Unquoted | State::QuoteInQuoted, b'\n' | b'\r') => State::FieldStart,
            (State::FieldStart | State::Unquoted | State::QuoteInQuoted, d) if d == delimiter => State::FieldStart,
            (State::FieldStart | State::Unquoted, _) => State::Unquoted,
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::QuoteInQuoted, _) => State::Unquoted,
        };
        if b == b'\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(opened_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn sample() -> Table {
        let mut t = Table::new(["Mã", "Tên nhiệm vụ", "Ghi chú", "Kinh phí", "Tỷ lệ", "Hạn"]);
        t.push_row(vec![
            Cell::Text("NV-01".into()),
            Cell::Text("Số hoá hồ sơ, \"một cửa\"".into()),
            Cell::Text("dòng 1\ndòng 2".into()),
            Cell::Int(1_234_567),
            Cell::Percent(12.5),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()),
        ]);
        t.push_row(vec![Cell::Empty; 6]);
        t.push_row(vec![
            Cell::Text("NV-02".into()),
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
            Cell::Text("-".into()),
            Cell::Number(-0.5),
            Cell::Empty,
        ]);
        t
    }

    #[test]
    fn writes_bom_crlf_and_rfc4180_quoting() {
        let bytes = write_csv(&sample());
        assert!(bytes.starts_with(BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let expected = "Mã,Tên nhiệm vụ,Ghi chú,Kinh phí,Tỷ lệ,Hạn\r\n\
            NV-01,\"Số hoá hồ sơ, \"\"một cửa\"\"\",\"dòng 1\ndòng 2\",1234567,12.5,31/01/2026\r\n\
            ,,,,,\r\n\
            NV-02,\"'=HYPERLINK(\"\"http://x\"\")\",'-,-0.5,,\r\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn round_trip_keeps_values_and_lines() {
        let read = read_csv(&write_csv(&sample())).unwrap();
        assert_eq!(read.headers, ["Mã", "Tên nhiệm vụ", "Ghi chú", "Kinh phí", "Tỷ lệ", "Hạn"]);
        assert_eq!(read.rows.len(), 2, "the empty row is skipped");
        assert_eq!(read.rows[0].line, 2);
        assert_eq!(
            read.rows[0].cells,
            ["NV-01", "Số hoá hồ sơ, \"một cửa\"", "dòng 1\ndòng 2", "1234567", "12.5", "31/01/2026"]
        );
        // Line 3 is the second half of the multi-line field, line 4 the empty row.
        assert_eq!(read.rows[1].line, 5);
        assert_eq!(read.rows[1].cells, ["NV-02", "=HYPERLINK(\"http://x\")", "-", "-0.5", "", ""]);
    }

    #[test]
    fn semicolon_delimiter_without_bom_and_trimming() {
        let src = "Mã ; Tên;Số lượng\n\n A1 ;Xã Phú Mỹ, huyện Tân Thành; 1.234,5 \n;;\nA2;\"x;y\";2\n";
        let read = read_csv(src.as_bytes()).unwrap();
        assert_eq!(read.headers, ["Mã", "Tên", "Số lượng"]);
        assert_eq!(read.rows.len(), 2);
        assert_eq!(
            read.rows[0],
            ReadRow {
                line: 3, cells: vec!["A1".into(), "Xã Phú Mỹ, huyện Tân Thành".into(), "1.234,5".into()]
            }
        );
        assert_eq!(read.rows[1], ReadRow { line: 5, cells: vec!["A2".into(), "x;y".into(), "2".into()] });
    }

    #[test]
    fn comma_wins_when_header_has_no_semicolon_and_quoted_delimiters_do_not_count() {
        assert_eq!(detect_delimiter("\"a;b;c\",d\n1;2;3;4"), b',');
        assert_eq!(detect_delimiter("\n\na;b,c;d\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(detect_delimiter("single\n"), b',');
    }

    #[test]
    fn short_rows_are_padded_and_cr_only_files_count_lines() {
        let read = read_csv(b"a,b,c\r1\r2,3,4,5\r").unwrap();
        assert_eq!(read.rows[0], ReadRow { line: 2, cells: vec!["1".into(), "".into(), "".into()] });
        assert_eq!(read.rows[1].cells.len(), 4);
        assert_eq!(read.rows[1].line, 3);
    }

    #[test]
    fn rejects_non_utf8_with_line() {
        // "Hà Nội" in Windows-1258-ish single bytes on line 3.
        let bytes = b"ma,ten\n1,abc\n2,H\xE0 N\xF4i\n";
        assert_eq!(read_csv(bytes), Err(ReadError::NotUtf8 { line: 3 }));
        assert_eq!(read_csv(b"\xFF\xFEa\x00,\x00"), Err(ReadError::NotUtf8 { line: 1 }));
        let msg = read_csv(bytes).unwrap_err().to_string();
        assert!(msg.starts_with("Tệp không phải UTF-8"), "{msg}");
    }

    #[test]
    fn empty_files() {
        assert_eq!(read_csv(b""), Err(ReadError::Empty));
        assert_eq!(read_csv(b"\xEF\xBB\xBF"), Err(ReadError::Empty));
        assert_eq!(read_csv(b" \r\n\r\n"), Err(ReadError::Empty));
        assert_eq!(read_csv(b";;\n;;\n"), Err(ReadError::Empty));
        let only_header = read_csv(b"a,b\n").unwrap();
        assert_eq!(only_header.headers, ["a", "b"]);
        assert!(only_header.rows.is_empty());
    }

    #[test]
    fn unclosed_quote_is_reported_where_it_opens() {
        let err = read_csv(b"a,b\n1,2\n3,\"never closed\n4,5\n").unwrap_err();
        assert_eq!(
            err,
            ReadError::Csv {
                line: 3, detail: "dấu ngoặc kép (\") mở ở dòng này không được đóng".into()
            }
        );
        assert!(err.to_string().starts_with("Tệp CSV không đọc được ở dòng 3: "));
        // A quote inside an unquoted field is literal, not an opening quote.
        let ok = read_csv(b"a,b\n5\" pipe,2\n").unwrap();
        assert_eq!(ok.rows[0].cells, ["5\" pipe", "2"]);
    }

    #[test]
    fn single_column_with_empty_cell_keeps_its_line() {
        let mut t = Table::new(["Ghi chú"]);
        t.push_row(vec![Cell::Empty]);
        t.push_row(vec![Cell::Text("x".into())]);
        let bytes = write_csv(&t);
        assert_eq!(&bytes[3..], "Ghi chú\r\n\"\"\r\nx\r\n".as_bytes());
        let read = read_csv(&bytes).unwrap();
        assert_eq!(read.rows, [ReadRow { line: 3, cells: vec!["x".into()] }]);
    }
}
