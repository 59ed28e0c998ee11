//! Official administrative documents (văn bản hành chính) laid out as Nghị định 30/2020/NĐ-CP,
//! Phụ lục I prescribes, rendered to DOCX ([`to_docx`]) and PDF ([`to_pdf`]).
//!
//! This crate owns the layout only: A4, the margins, the header with the agency and the national
//! motto, the body, the "Nơi nhận" list and the signature block. It does not decide what a
//! document says; callers (the reports module) fill in an [`AdminDocument`].
//!
//! Both formats name the decree's font, Times New Roman: the DOCX names it and lets Word supply
//! it; the PDF embeds Liberation Serif, a free font with the same metrics (see `fonts/NOTICE.md`).
//!
//! The same Typst engine and fonts also draw a bulletin's card for social networks as a PNG
//! ([`social_card_png`]).
//!
//! ```
//! use documents::{AdminDocument, Block, Signature};
//!
//! let report = AdminDocument {
//!     parent_agency: Some("UBND TỈNH QUẢNG NGÃI".into()),
//!     agency: "SỞ KHOA HỌC VÀ CÔNG NGHỆ".into(),
//!     number_symbol: "123/BC-SKHCN".into(),
//!     place: "Quảng Ngãi".into(),
//!     date: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
//!     kind: "BÁO CÁO".into(),
//!     title: "Kết quả thực hiện chuyển đổi số năm 2026".into(),
//!     body: vec![Block::Paragraph("Năm 2026, Sở đã hoàn thành các nhiệm vụ được giao.".into())],
//!     recipients: vec!["UBND tỉnh".into(), "Lưu: VT, KHTC".into()],
//!     signature: Signature {
//!         authority: Some("KT. GIÁM ĐỐC".into()),
//!         title: "PHÓ GIÁM ĐỐC".into(),
//!         name: "Nguyễn Văn A".into(),
//!     },
//! };
//! let docx: Vec<u8> = documents::to_docx(&report)?;
//! let pdf: Vec<u8> = documents::to_pdf(&report)?;
//! assert!(docx.starts_with(b"PK") && pdf.starts_with(b"%PDF"));
//! # Ok::<(), documents::DocumentError>(())
//! ```

#![warn(missing_docs)]

mod docx;
mod engine;
mod fonts;
mod pdf;
mod social_card;

use chrono::Datelike;

pub use docx::to_docx;
pub use pdf::to_pdf;
pub use social_card::{SOCIAL_CARD_HEIGHT, SOCIAL_CARD_WIDTH, SocialCard, social_card_png};

/// The national name (Quốc hiệu), printed at the top right of every document.
pub const NATIONAL_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";

/// The motto (Tiêu ngữ), printed under the national name.
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// Width of the header's left column (agency, number); the right one takes the rest of the
/// 16.5 cm between the margins and must hold the national name on one line.
const HEADER_LEFT_CM: f64 = 6.5;

/// Blank space left for the handwritten signature and the seal.
const SIGNATURE_SPACE_CM: f64 = 2.5;

/// An administrative document: what the decree calls the "thể thức" of a văn bản hành chính.
///
/// Names of agencies, the kind of document and the signer's titles are printed in upper case
/// whatever case they are given in; all other text is printed as given.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminDocument {
    /// The governing agency (cơ quan chủ quản), e.g. "UBND TỈNH QUẢNG NGÃI"; regular weight.
    pub parent_agency: Option<String>,
    /// The issuing agency (cơ quan ban hành), e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ"; bold.
    pub agency: String,
    /// Number and symbol, e.g. "123/BC-SKHCN", printed as "Số: 123/BC-SKHCN".
    pub number_symbol: String,
    /// Place name for the date line, e.g. "Quảng Ngãi".
    pub place: String,
    /// Date of issue, printed "Quảng Ngãi, ngày 05 tháng 12 năm 2026".
    pub date: chrono::NaiveDate,
    /// Kind of document (tên loại), e.g. "BÁO CÁO".
    pub kind: String,
    /// Summary of the content (trích yếu), e.g. "Kết quả thực hiện chuyển đổi số năm 2026".
    pub title: String,
    /// The content, in order.
    pub body: Vec<Block>,
    /// Recipients (nơi nhận), one per item without the leading "- " or the closing ";" or ".":
    /// those are added. The last is usually the archive, e.g. "Lưu: VT, KHTC".
    pub recipients: Vec<String>,
    /// Who signs.
    pub signature: Signature,
}

/// One piece of the document's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading such as "I. KẾT QUẢ ĐẠT ĐƯỢC"; the text carries its own numbering.
    /// Levels 1 and 2 are bold, deeper levels bold italic.
    Heading {
        /// Depth, from 1.
        level: u8,
        /// The heading's text.
        text: String,
    },
    /// A paragraph of body text: justified, first line indented.
    Paragraph(String),
    /// A table with borders.
    Table(DocTable),
}

/// A table in the body. Cells that look like numbers ("1.234", "95,5%") are right-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTable {
    /// Printed bold and centred above the table, e.g. "Bảng 1. Chỉ số chuyển đổi số".
    pub caption: Option<String>,
    /// Column headings, printed bold; they fix the number of columns.
    pub headers: Vec<String>,
    /// Rows of cells; each row has exactly as many cells as there are headers.
    pub rows: Vec<Vec<String>>,
}

/// The signature block (quyền hạn, chức vụ, họ tên của người ký).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// Signing on behalf of someone, e.g. "KT. GIÁM ĐỐC"; `None` when the head signs.
    pub authority: Option<String>,
    /// The signer's position, e.g. "PHÓ GIÁM ĐỐC".
    pub title: String,
    /// The signer's full name, e.g. "Nguyễn Văn A".
    pub name: String,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A table has no columns.
    #[error("Bảng thứ {table} không có cột nào")]
    EmptyTable {
        /// Which table of the body, from 1.
        table: usize,
    },
    /// A row of a table has a different number of cells than the table has columns.
    #[error("Bảng thứ {table}: hàng {row} có {cells} ô, nhưng bảng có {columns} cột")]
    RaggedTable {
        /// Which table of the body, from 1.
        table: usize,
        /// Which row of the table, from 1.
        row: usize,
        /// Cells in that row.
        cells: usize,
        /// Columns of the table.
        columns: usize,
    },
    /// The DOCX package could not be written.
    #[error("Không tạo được tệp DOCX: {0}")]
    Docx(String),
    /// Typst could not lay out or export the PDF.
    #[error("Không tạo được tệp PDF: {0}")]
    Pdf(String),
    /// Typst could not lay out the social card, or the PNG could not be encoded.
    #[error("Không tạo được ảnh PNG: {0}")]
    Image(String),
}

impl AdminDocument {
    /// The line under the agency's name: "Số: 123/BC-SKHCN".
    fn number_line(&self) -> String {
        format!("Số: {}", self.number_symbol)
    }

    /// The place and date line, e.g. "Quảng Ngãi, ngày 05 tháng 3 năm 2026". The decree
    /// (Phụ lục I, mục II.4.b) writes a leading zero for days below 10 and for months 1 and 2.
    fn date_line(&self) -> String {
        let (day, month) = (self.date.day(), self.date.month());
        let month = if month < 3 { format!("{month:02}") } else { month.to_string() };
        format!("{}, ngày {day:02} tháng {month} năm {}", self.place, self.date.year())
    }

    /// The "Nơi nhận" items as printed: "- " before each, ";" after each but the last, which
    /// ends with ".".
    fn recipient_lines(&self) -> Vec<String> {
        let last = self.recipients.len().saturating_sub(1);
        self.recipients
            .iter()
            .enumerate()
            .map(|(i, recipient)| {
                let recipient = recipient.trim().trim_end_matches([';', '.', ',']);
                let end = if i == last { '.' } else { ';' };
                format!("- {recipient}{end}")
            })
            .collect()
    }

    /// Checks what neither format could print sensibly: tables whose rows do not match their
    /// columns.
    fn validate(&self) -> Result<(), DocumentError> {
        let tables = self.body.iter().filter_map(|block| match block {
            Block::Table(table) => Some(table),
            _ => None,
        });
        for (index, table) in tables.enumerate() {
            let columns = table.headers.len();
            if columns == 0 {
                return Err(DocumentError::EmptyTable { table: index + 1 });
            }
            if let Some((row, cells)) = table.rows.iter().enumerate().find(|(_, cells)| cells.len() != columns) {
                return Err(DocumentError::RaggedTable { table: index + 1, row: row + 1, cells: cells.len(), columns });
            }
        }
        Ok(())
    }
}

impl DocTable {
    /// How the text width is shared among the columns: by the length of each column's longest
    /// cell, within limits so that short columns stay readable and long ones wrap.
    fn column_shares(&self) -> Vec<usize> {
        (0..self.headers.len())
            .map(|column| {
                std::iter::once(&self.headers[column])
                    .chain(self.rows.iter().map(|row| &row[column]))
                    .map(|text| text.chars().count())
                    .max()
                    .unwrap_or(0)
                    .clamp(5, 30)
            })
            .collect()
    }
}

/// Agency names are set in 13 pt, or in 12 pt (the decree allows 12 to 13) when 13 pt would not
/// fit the header's left column on one line.
fn agency_size_pt(name: &str, bold: bool) -> usize {
    let face = if bold { fonts::BOLD } else { fonts::REGULAR };
    let column_pt = HEADER_LEFT_CM / 2.54 * 72.0;
    if fonts::text_width(name, face, 13.0) <= column_pt { 13 } else { 12 }
}

/// Whether a table cell reads as a number and so is right-aligned: digits with Vietnamese
/// grouping and decimal marks ("1.234.567", "12,5"), an optional sign and an optional "%".
fn looks_numeric(cell: &str) -> bool {
    let cell = cell.trim();
    let cell = cell.strip_suffix('%').unwrap_or(cell).trim_end();
    let cell = cell.strip_prefix(['-', '+', '−']).unwrap_or(cell);
    cell.starts_with(|c: char| c.is_ascii_digit())
        && cell.ends_with(|c: char| c.is_ascii_digit())
        && cell.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(year: i32, month: u32, day: u32) -> AdminDocument {
        AdminDocument {
            parent_agency: None,
            agency: "SỞ KHOA HỌC VÀ CÔNG NGHỆ".into(),
            number_symbol: "1/BC-SKHCN".into(),
            place: "Quảng Ngãi".into(),
            date: chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap(),
            kind: "BÁO CÁO".into(),
            title: "Thử".into(),
            body: vec![],
            recipients: vec!["Như trên".into(), "Lưu: VT".into()],
            signature: Signature { authority: None, title: "GIÁM ĐỐC".into(), name: "Nguyễn Văn A".into() },
        }
    }

    #[test]
    fn date_line_pads_days_below_ten_and_months_one_and_two_only() {
        let line = |y, m, d| dated(y, m, d).date_line();
        assert_eq!(line(2026, 12, 5), "Quảng Ngãi, ngày 05 tháng 12 năm 2026");
        assert_eq!(line(2026, 1, 9), "Quảng Ngãi, ngày 09 tháng 01 năm 2026");
        assert_eq!(line(2026, 2, 28), "Quảng Ngãi, ngày 28 tháng 02 năm 2026");
        assert_eq!(line(2026, 3, 10), "Quảng Ngãi, ngày 10 tháng 3 năm 2026");
        assert_eq!(line(2026, 9, 1), "Quảng Ngãi, ngày 01 tháng 9 năm 2026");
    }

    #[test]
    fn recipients_get_dashes_and_closing_punctuation() {
        let mut doc = dated(2026, 1, 1);
        doc.recipients = vec!["Bộ KH&CN;".into(), "UBND tỉnh".into(), "Lưu: VT, KHTC.".into()];
        assert_eq!(doc.recipient_lines(), ["- Bộ KH&CN;", "- UBND tỉnh;", "- Lưu: VT, KHTC."]);
    }

    #[test]
    fn numbers_are_recognised_with_vietnamese_marks() {
        for number in ["12", "1.234.567", "95,5", "-3", "87,5 %", "100%"] {
            assert!(looks_numeric(number), "{number}");
        }
        for text in ["", "Quảng Ngãi", "01/2026", "2.", "%", "Tỉnh 2"] {
            assert!(!looks_numeric(text), "{text}");
        }
    }

    #[test]
    fn long_agency_names_drop_to_twelve_points_to_stay_on_one_line() {
        assert_eq!(agency_size_pt("BỘ TÀI CHÍNH", true), 13);
        assert_eq!(agency_size_pt("SỞ KHOA HỌC VÀ CÔNG NGHỆ", true), 12);
        assert_eq!(agency_size_pt("UBND TỈNH QUẢNG NGÃI", false), 13);
    }

    #[test]
    fn ragged_tables_are_refused() {
        let mut doc = dated(2026, 1, 1);
        doc.body.push(Block::Table(DocTable {
            caption: None,
            headers: vec!["A".into(), "B".into()],
            rows: vec![vec!["1".into(), "2".into()], vec!["3".into()]],
        }));
        let error = doc.validate().unwrap_err();
        assert_eq!(error.to_string(), "Bảng thứ 1: hàng 2 có 1 ô, nhưng bảng có 2 cột");
    }
}
