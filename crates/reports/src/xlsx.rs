//! XLSX out (rust_xlsxwriter) and in (calamine), from and to byte buffers only.

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate, Timelike};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::table::{Cell, ReadError, ReadRow, ReadTable, Table, format_date, plain_number};

/// Excel's row limit, header included.
pub const MAX_ROWS: usize = 1_048_576;
/// Excel's column limit.
pub const MAX_COLUMNS: usize = 16_384;
/// Widest column [`write_xlsx`] sets, in Excel character units.
pub const MAX_COLUMN_WIDTH: usize = 60;
/// Excel's limit on the length of one cell's text, in UTF-16 units; longer text is cut.
const MAX_CELL_TEXT: usize = 32_767;
const MAX_SHEET_NAME: usize = 31;

/// Why a workbook could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("Trang \"{sheet}\" có {rows} dòng dữ liệu, vượt giới hạn {max} dòng của Excel", max = MAX_ROWS - 1)]
    TooManyRows { sheet: String, rows: usize },
    #[error("Trang \"{sheet}\" có {columns} cột, vượt giới hạn {max} cột của Excel", max = MAX_COLUMNS)]
    TooManyColumns { sheet: String, columns: usize },
    /// The XLSX library refused; the text is its own explanation.
    #[error("Không tạo được tệp XLSX: {0}")]
    Xlsx(String),
}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        WriteError::Xlsx(e.to_string())
    }
}

struct Formats {
    header: Format,
    int: Format,
    number: Format,
    percent: Format,
    date: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDEBF7")
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap(),
            int: Format::new().set_num_format("#,##0"),
            number: Format::new().set_num_format("#,##0.0"),
            percent: Format::new().set_num_format("0.0\"%\""),
            date: Format::new().set_num_format("dd/mm/yyyy"),
        }
    }
}

/// Writes one worksheet per `(name, table)`, in order: bold frozen header row with an
/// autofilter, column widths from the content (capped at [`MAX_COLUMN_WIDTH`]), dates as real
/// Excel dates shown `dd/mm/yyyy`, `Int` as `#,##0`, `Number` as `#,##0.0`, `Percent` as the
/// number with `0.0"%"` (so `12.5` reads back as `12.5`). Excel shows the separators of the
/// reader's locale (`1.234,5` on Vietnamese Windows). Sheet names are made valid and unique
/// (at most 31 characters, none of `[]:*?/\`). Dates Excel cannot hold (before 1900) are
/// written as `dd/mm/yyyy` text; NaN and infinities as empty cells; text longer than Excel's
/// 32 767-character limit is cut.
///
/// # Errors
/// [`WriteError::TooManyRows`] / [`WriteError::TooManyColumns`] beyond Excel's limits, and
/// [`WriteError::Xlsx`] should the library fail.
pub fn write_xlsx(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, WriteError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // Excel's own level: about 30 % faster than the default 6 for about 5 % more bytes.
    workbook.set_zip_compression_level(3);
    let mut used_names = HashSet::new();
    for (index, (name, table)) in sheets.iter().enumerate() {
        let name = unique_sheet_name(&sanitize_sheet_name(name, index + 1), &mut used_names);
        if table.rows.len() >= MAX_ROWS {
            return Err(WriteError::TooManyRows { sheet: name, rows: table.rows.len() });
        }
        let width = table.width();
        if width > MAX_COLUMNS {
            return Err(WriteError::TooManyColumns { sheet: name, columns: width });
        }
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        write_sheet(sheet, table, width, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_sheet(sheet: &mut Worksheet, table: &Table, width: usize, f: &Formats) -> Result<(), WriteError> {
    // Both limits were checked by the caller, so these conversions cannot fail.
    let col_num = |c: usize| u16::try_from(c).map_err(|_| WriteError::Xlsx(format!("cột {c} ngoài giới hạn")));
    let row_num = |r: usize| u32::try_from(r).map_err(|_| WriteError::Xlsx(format!("dòng {r} ngoài giới hạn")));

    let mut widths = vec![0usize; width];
    for (c, header) in table.headers.iter().enumerate() {
        let text = fit_text(header);
        // Room for the autofilter arrow; bold is a little wider.
        widths[c] = display_len(text) + 4;
        if !text.is_empty() {
            sheet.write_string_with_format(0, col_num(c)?, text, &f.header)?;
        } else {
            sheet.write_blank(0, col_num(c)?, &f.header)?;
        }
    }
    for c in table.headers.len()..width {
        sheet.write_blank(0, col_num(c)?, &f.header)?;
    }

    for (r, cells) in table.rows.iter().enumerate() {
        let row = row_num(r + 1)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = col_num(c)?;
            let len = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    let text = fit_text(s);
                    if !text.is_empty() {
                        sheet.write_string(row, col, text)?;
                    }
                    display_len(text)
                }
                Cell::Int(i) => {
                    sheet.write_number_with_format(row, col, *i as f64, &f.int)?;
                    int_display_len(*i)
                }
                Cell::Number(x) => write_float(sheet, row, col, *x, &f.number, 0)?,
                Cell::Percent(x) => write_float(sheet, row, col, *x, &f.percent, 1)?,
                Cell::Date(d) => {
                    if (1900..=9999).contains(&d.year()) {
                        sheet.write_datetime_with_format(row, col, d, &f.date)?;
                    } else {
                        sheet.write_string(row, col, format_date(*d))?;
                    }
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(len);
            }
        }
    }

    for (c, w) in widths.iter().enumerate() {
        let w = (*w + 2).clamp(6, MAX_COLUMN_WIDTH);
        sheet.set_column_width(col_num(c)?, w as f64)?;
    }
    if width > 0 {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, row_num(table.rows.len())?, col_num(width - 1)?)?;
    }
    Ok(())
}

/// Writes a finite number and returns its displayed width (`extra` for a `%` sign).
fn write_float(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    x: f64,
    format: &Format,
    extra: usize,
) -> Result<usize, WriteError> {
    if !x.is_finite() {
        return Ok(0);
    }
    sheet.write_number_with_format(row, col, x, format)?;
    // `#,##0.0`: the integer digits grouped by three, a separator and one decimal.
    let int_digits = if x.abs() < 1.0 { 1 } else { (x.abs().log10().floor() as usize) + 1 };
    Ok(int_digits + (int_digits - 1) / 3 + 2 + usize::from(x < 0.0) + extra)
}

fn int_display_len(i: i64) -> usize {
    let digits = i.unsigned_abs().checked_ilog10().map_or(1, |d| d as usize + 1);
    digits + (digits - 1) / 3 + usize::from(i < 0)
}

/// Characters of the longest line, counting no further than the width cap.
fn display_len(s: &str) -> usize {
    s.lines().map(|l| l.chars().take(MAX_COLUMN_WIDTH).count()).max().unwrap_or(0)
}

/// `s` cut to Excel's cell text limit (in UTF-16 units), on a character boundary.
fn fit_text(s: &str) -> &str {
    if s.len() <= MAX_CELL_TEXT {
        // UTF-16 length never exceeds UTF-8 length.
        return s;
    }
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_TEXT {
            return &s[..i];
        }
    }
    s
}

/// A name Excel accepts: forbidden characters `[]:*?/\` and control characters replaced by
/// `-`, no leading or trailing apostrophe or space, at most 31 UTF-16 units, never empty
/// (`Trang N`) and never Excel's reserved `History`.
pub fn sanitize_sheet_name(name: &str, position: usize) -> String {
    let replaced: String = name
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { '-' } else { c })
        .collect();
    let mut out = truncate_utf16(replaced.trim_matches(|c: char| c == '\'' || c.is_whitespace()), MAX_SHEET_NAME)
        .trim_end_matches(|c: char| c == '\'' || c.is_whitespace())
        .to_owned();
    if out.is_empty() {
        out = format!("Trang {position}");
    }
    if out.eq_ignore_ascii_case("history") {
        out.push('-');
    }
    out
}

fn unique_sheet_name(base: &str, used: &mut HashSet<String>) -> String {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while !used.insert(candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = MAX_SHEET_NAME.saturating_sub(suffix.len());
        candidate = format!("{}{suffix}", truncate_utf16(base, keep).trim_end());
        n += 1;
    }
    candidate
}

fn truncate_utf16(s: &str, max_units: usize) -> &str {
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > max_units {
            return &s[..i];
        }
    }
    s
}

/// Reads the first worksheet. The header is the first non-empty row; every later non-empty
/// row comes with its true 1-based Excel row number. Cells become trimmed strings: integers
/// without `.0`, other numbers with a `.` decimal point (to Excel's 15 significant digits),
/// dates and date-times `dd/mm/yyyy`, times of day `HH:MM` (or `HH:MM:SS`), durations
/// `H:MM:SS`, booleans `true`/`false`, error cells as Excel shows them (`#DIV/0!`), empty `""`.
///
/// # Errors
/// [`ReadError::Empty`] for no bytes, no sheet or no non-empty row; [`ReadError::InvalidXlsx`]
/// for anything that is not a readable XLSX workbook (including old `.xls`).
pub fn read_xlsx(bytes: &[u8]) -> Result<ReadTable, ReadError> {
    let mut workbook = open_workbook(bytes)?;
    match workbook.worksheet_range_at(0) {
        None => Err(ReadError::Empty),
        Some(range) => table_of(&range.map_err(invalid)?).ok_or(ReadError::Empty),
    }
}

/// Reads every worksheet as [`read_xlsx`] reads the first, with its name, in order; sheets
/// without a non-empty row are left out.
///
/// # Errors
/// As [`read_xlsx`].
pub fn read_xlsx_sheets(bytes: &[u8]) -> Result<Vec<(String, ReadTable)>, ReadError> {
    let mut workbook = open_workbook(bytes)?;
    let mut sheets = Vec::new();
    for (name, range) in workbook.worksheets() {
        if let Some(table) = table_of(&range) {
            sheets.push((name, table));
        }
    }
    Ok(sheets)
}

fn invalid(e: calamine::XlsxError) -> ReadError {
    ReadError::InvalidXlsx { detail: e.to_string() }
}

fn open_workbook(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    Xlsx::new(Cursor::new(bytes)).map_err(invalid)
}

/// The header is the first non-empty row; `None` for a sheet with none.
fn table_of(range: &calamine::Range<Data>) -> Option<ReadTable> {
    let (first_row, _) = range.start()?;
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_string).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let line = first_row as usize + i + 1;
        match headers {
            None => headers = Some(cells),
            Some(_) => rows.push(ReadRow { line, cells }),
        }
    }
    headers.map(|headers| ReadTable { headers, rows })
}

fn cell_string(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => excel_number(*f),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) if dt.is_duration() => {
            let secs = (dt.as_f64() * 86_400.0).round();
            if !secs.is_finite() {
                return String::new();
            }
            let sign = if secs < 0.0 { "-" } else { "" };
            let secs = secs.abs() as u64;
            format!("{sign}{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
        }
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.as_f64() < 1.0 && dt.as_f64() >= 0.0 => {
                if t.second() == 0 {
                    t.format("%H:%M").to_string()
                } else {
                    t.format("%H:%M:%S").to_string()
                }
            }
            Some(t) => format_date(t.date()),
            None => excel_number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => {
            let s = s.trim();
            match s.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
                Some(d) => format_date(d),
                None => s.to_owned(),
            }
        }
        Data::DurationIso(s) => s.trim().to_owned(),
    }
}

/// A cell number as Excel would show it unformatted: at most 15 significant digits, so
/// binary noise like `0.30000000000000004` reads as `0.3`; whole numbers without `.0`.
fn excel_number(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    let rounded = format!("{f:.14e}").parse::<f64>().unwrap_or(f);
    plain_number(rounded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sample() -> Table {
        let mut t = Table::new(["Mã", "Tên nhiệm vụ", "Đơn vị chủ trì", "Kinh phí (đồng)", "Tỷ lệ", "Hạn", "Ghi chú"]);
        t.push_row(vec![
            "NV-01".into(),
            "Số hoá hồ sơ thủ tục hành chính".into(),
            "Sở Thông tin và Truyền thông".into(),
            Cell::Int(1_250_000_000),
            Cell::Percent(12.5),
            Cell::Date(date(2026, 12, 31)),
            "  có khoảng trắng  ".into(),
        ]);
        t.push_row(vec![Cell::Empty; 7]);
        t.push_row(vec![]);
        t.push_row(vec![
            "NV-02".into(),
            "Kết nối CSDL quốc gia về dân cư; \"ưu tiên\"".into(),
            Cell::Empty,
            Cell::Int(-42),
            Cell::Number(0.1 + 0.2),
            Cell::Date(date(2025, 2, 28)),
            Cell::Number(1234.56),
        ]);
        t.push_row(vec!["NV-03".into(), Cell::Number(7.0), Cell::Date(date(1850, 1, 1)), Cell::Number(f64::NAN)]);
        t
    }

    #[test]
    fn every_sheet_reads_back_by_name_in_order() {
        let mut second = Table::new(["Lĩnh vực", "Số phản ánh"]);
        second.push_row(vec!["Giao thông".into(), Cell::Int(3)]);
        let bytes =
            write_xlsx(&[("Nhiệm vụ", &sample()), ("Trống", &Table::default()), ("Lĩnh vực", &second)]).unwrap();
        let sheets = read_xlsx_sheets(&bytes).unwrap();
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Nhiệm vụ", "Lĩnh vực"], "a sheet without rows is left out");
        assert_eq!(sheets[0].1, read_xlsx(&bytes).unwrap());
        assert_eq!(sheets[1].1.rows[0].cells, ["Giao thông", "3"]);
        assert!(matches!(read_xlsx_sheets(b""), Err(ReadError::Empty)));
        assert!(matches!(read_xlsx_sheets(b"not a zip"), Err(ReadError::InvalidXlsx { .. })));
    }

    #[test]
    fn round_trip_gives_strings_dates_and_true_lines() {
        let bytes = write_xlsx(&[("Nhiệm vụ", &sample())]).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let read = read_xlsx(&bytes).unwrap();
        assert_eq!(
            read.headers,
            ["Mã", "Tên nhiệm vụ", "Đơn vị chủ trì", "Kinh phí (đồng)", "Tỷ lệ", "Hạn", "Ghi chú"]
        );
        assert_eq!(read.rows.len(), 3);
        assert_eq!(read.rows[0].line, 2);
        assert_eq!(
            read.rows[0].cells,
            [
                "NV-01",
                "Số hoá hồ sơ thủ tục hành chính",
                "Sở Thông tin và Truyền thông",
                "1250000000",
                "12.5",
                "31/12/2026",
                "có khoảng trắng"
            ]
        );
        assert_eq!(read.rows[1].line, 5, "rows 3 and 4 are empty and skipped");
        assert_eq!(
            read.rows[1].cells,
            ["NV-02", "Kết nối CSDL quốc gia về dân cư; \"ưu tiên\"", "", "-42", "0.3", "28/02/2025", "1234.56"]
        );
        assert_eq!(read.rows[2].line, 6);
        assert_eq!(read.rows[2].cells, ["NV-03", "7", "01/01/1850", "", "", "", ""]);
    }

    #[test]
    fn several_sheets_with_sanitised_unique_names_first_is_read() {
        let mut other = Table::new(["Khác"]);
        other.push_row(vec!["x".into()]);
        let bytes = write_xlsx(&[
            ("Báo cáo [tháng] 01/2026: tổng hợp tiến độ các nhiệm vụ", &other),
            ("Báo cáo [tháng] 01/2026: tổng hợp tiến độ các nhiệm vụ", &sample()),
            ("", &sample()),
        ])
        .unwrap();
        let workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let names = workbook.sheet_names();
        assert_eq!(names, ["Báo cáo -tháng- 01-2026- tổng h", "Báo cáo -tháng- 01-2026- tổ (2)", "Trang 3"]);
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        let read = read_xlsx(&bytes).unwrap();
        assert_eq!(read.headers, ["Khác"]);
        assert_eq!(read.rows, [ReadRow { line: 2, cells: vec!["x".into()] }]);
    }

    #[test]
    fn sheet_name_rules() {
        assert_eq!(sanitize_sheet_name("'Kế hoạch'", 1), "Kế hoạch");
        assert_eq!(sanitize_sheet_name("a*b?c\\d", 1), "a-b-c-d");
        assert_eq!(sanitize_sheet_name("   ", 4), "Trang 4");
        assert_eq!(sanitize_sheet_name("History", 1), "History-");
        assert_eq!(sanitize_sheet_name(&"ệ".repeat(40), 1).chars().count(), 31);
    }

    #[test]
    fn header_found_below_leading_empty_rows_and_columns() {
        let mut t = Table::new(Vec::<String>::new());
        t.push_row(vec![]);
        t.push_row(vec![Cell::Empty, "Họ tên".into(), "Ngày sinh".into()]);
        t.push_row(vec![Cell::Empty, "Nguyễn Văn Á".into(), Cell::Date(date(1990, 5, 1))]);
        let read = read_xlsx(&write_xlsx(&[("x", &t)]).unwrap()).unwrap();
        assert_eq!(read.headers, ["Họ tên", "Ngày sinh"]);
        assert_eq!(read.rows, [ReadRow { line: 4, cells: vec!["Nguyễn Văn Á".into(), "01/05/1990".into()] }]);
    }

    #[test]
    fn rejects_garbage_and_empty() {
        assert_eq!(read_xlsx(b""), Err(ReadError::Empty));
        let err = read_xlsx(b"Ma,Ten\n1,2\n").unwrap_err();
        assert!(matches!(err, ReadError::InvalidXlsx { .. }));
        assert_eq!(err.to_string(), "Tệp không phải XLSX hợp lệ");
        let empty = write_xlsx(&[("Trống", &Table::default())]).unwrap();
        assert_eq!(read_xlsx(&empty), Err(ReadError::Empty));
        let no_sheets = write_xlsx(&[]).unwrap();
        assert_eq!(read_xlsx(&no_sheets), Err(ReadError::Empty));
    }

    #[test]
    fn very_long_text_is_cut_not_refused() {
        let mut t = Table::new(["Nội dung"]);
        t.push_row(vec![Cell::Text("ồ".repeat(40_000))]);
        let read = read_xlsx(&write_xlsx(&[("x", &t)]).unwrap()).unwrap();
        assert_eq!(read.rows[0].cells[0].chars().count(), MAX_CELL_TEXT);
    }

    #[test]
    fn number_and_width_helpers() {
        assert_eq!(excel_number(0.1 + 0.2), "0.3");
        assert_eq!(excel_number(3.0), "3");
        assert_eq!(excel_number(-0.0), "0");
        assert_eq!(excel_number(123456789012.0), "123456789012");
        assert_eq!(excel_number(1.5e-7), "0.00000015");
        assert_eq!(int_display_len(0), 1);
        assert_eq!(int_display_len(-1_234_567), 10);
        assert_eq!(int_display_len(i64::MIN), 26);
        assert_eq!(display_len("ngắn\nmột dòng dài hơn"), 16);
    }

    fn big_table(rows: usize) -> Table {
        let mut t = Table::new((1..=12).map(|c| format!("Cột số {c}")));
        for r in 0..rows {
            let r64 = r as i64;
            t.push_row(vec![
                Cell::Int(r64),
                Cell::Text(format!("Nhiệm vụ chuyển đổi số thứ {r}")),
                Cell::Text(["Sở Nội vụ", "Sở Tài chính", "UBND tỉnh"][r % 3].into()),
                Cell::Date(date(2026, 1, 1) + chrono::Days::new((r % 365) as u64)),
                Cell::Number(r as f64 * 1.5),
                Cell::Percent((r % 101) as f64),
                Cell::Int(r64 * 1000),
                Cell::Text(format!("Ghi chú {r}")),
                Cell::Empty,
                Cell::Number(r as f64 / 7.0),
                Cell::Date(date(2025, 6, 1)),
                Cell::Text("Đang thực hiện".into()),
            ]);
        }
        t
    }

    #[test]
    fn big_sheet_round_trips() {
        let t = big_table(2_000);
        let read = read_xlsx(&write_xlsx(&[("Lớn", &t)]).unwrap()).unwrap();
        assert_eq!(read.rows.len(), 2_000);
        assert_eq!(read.rows[1999].line, 2001);
        assert_eq!(read.rows[1999].cells[1], "Nhiệm vụ chuyển đổi số thứ 1999");
        assert_eq!(read.rows[1999].cells[4], "2998.5");
    }

    /// `cargo test -p reports --release -- --ignored --nocapture`
    #[test]
    #[ignore = "timing; run in release"]
    fn timing_10000_by_12() {
        let t = big_table(10_000);
        let _ = write_xlsx(&[("warm-up", &big_table(100))]).unwrap();
        let runs = 5;
        let mut best = f64::MAX;
        let mut size = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let bytes = write_xlsx(&[("Lớn", &t)]).unwrap();
            best = best.min(started.elapsed().as_secs_f64());
            size = bytes.len();
        }
        let started = Instant::now();
        let read = read_xlsx(&write_xlsx(&[("Lớn", &t)]).unwrap()).unwrap();
        let round = started.elapsed().as_secs_f64();
        assert_eq!(read.rows.len(), 10_000);
        println!(
            "write_xlsx 10000x12: best of {runs} {:.1} ms, {} KiB; write+read_xlsx {:.1} ms",
            best * 1000.0,
            size / 1024,
            round * 1000.0
        );
        assert!(best < 1.0);
    }
}
