//! DOCX through docx-rs. Every run names Times New Roman, the decree's font, which the reader's
//! Word supplies; lengths are in twips (1/20 pt) and font sizes in points.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Header, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts,
    SpecialIndentType, Table, TableBorder, TableBorderPosition, TableCell, TableCellMargins, TableLayoutType, TableRow,
    WidthType,
};

use zip::result::ZipResult;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::{
    AdminDocument, Block, DocTable, DocumentError, HEADER_LEFT_CM, MOTTO, NATIONAL_NAME, SIGNATURE_SPACE_CM,
    agency_size_pt, fonts, looks_numeric,
};

const FONT: &str = "Times New Roman";
/// A4.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
/// Margins: top and bottom 20 mm, left 30 mm, right 15 mm.
const MARGIN_TOP: i32 = 1134;
const MARGIN_BOTTOM: i32 = 1134;
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
/// Where the page number sits: 10 mm from the top edge.
const HEADER_DISTANCE: i32 = 567;
const TEXT_WIDTH: i32 = PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT;
const FIRST_LINE_INDENT: i32 = 720; // 1.27 cm
const PARAGRAPH_SPACING: u32 = 120; // 6 pt
/// Rules are 0.5 pt thick (borders count eighths of a point).
const RULE_SIZE: usize = 4;
/// Space between a rule and the text above it.
const RULE_GAP: u32 = 40; // 2 pt

fn twips_from_cm(cm: f64) -> i32 {
    (cm * 1440.0 / 2.54).round() as i32
}

fn twips_from_pt(pt: f64) -> i32 {
    (pt * 20.0).round() as i32
}

/// Size and style of a run of text.
#[derive(Clone, Copy)]
struct Look {
    size_pt: usize,
    bold: bool,
    italic: bool,
}

impl Look {
    const fn regular(size_pt: usize) -> Self {
        Look { size_pt, bold: false, italic: false }
    }
    const fn bold(self) -> Self {
        Look { bold: true, ..self }
    }
    const fn italic(self) -> Self {
        Look { italic: true, ..self }
    }
}

const BODY: Look = Look::regular(14);

/// Renders `doc` as a DOCX (Office Open XML) package, A4, in Times New Roman.
pub fn to_docx(doc: &AdminDocument) -> Result<Vec<u8>, DocumentError> {
    doc.validate()?;
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(HEADER_DISTANCE)
                .footer(HEADER_DISTANCE),
        )
        .default_fonts(times())
        .default_size(BODY.size_pt * 2)
        .default_line_spacing(single_spacing())
        // Page numbers from page 2 on: the first page has its own, empty header.
        .header(Header::new().add_paragraph(page_number()))
        .first_header(Header::new().add_paragraph(Paragraph::new()))
        .add_table(header_table(doc));

    for paragraph in title(doc) {
        docx = docx.add_paragraph(paragraph);
    }
    for block in &doc.body {
        docx = match block {
            Block::Heading { level, text } => {
                let look = if *level > 2 { BODY.bold().italic() } else { BODY.bold() };
                docx.add_paragraph(body_paragraph(text, look).keep_next(true))
            }
            Block::Paragraph(text) => docx.add_paragraph(body_paragraph(text, BODY)),
            Block::Table(table) => {
                if let Some(caption) = &table.caption {
                    docx = docx.add_paragraph(
                        centred(caption, BODY.bold()).line_spacing(spaced_before(PARAGRAPH_SPACING)).keep_next(true),
                    );
                }
                docx.add_table(data_table(table))
            }
        };
    }
    docx = docx
        .add_paragraph(Paragraph::new().line_spacing(spaced_before(PARAGRAPH_SPACING)))
        .add_table(closing_table(doc));

    let mut stored = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut stored)
        .and_then(|()| deflate(stored.get_ref()))
        .map_err(|error| DocumentError::Docx(error.to_string()))
}

/// docx-rs stores the package's parts uncompressed; deflating them makes a 20-page report about
/// ten times smaller.
fn deflate(stored: &[u8]) -> ZipResult<Vec<u8>> {
    let mut parts = ZipArchive::new(Cursor::new(stored))?;
    let mut package = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for index in 0..parts.len() {
        let mut part = parts.by_index(index)?;
        if part.is_file() {
            package.start_file(part.name().to_owned(), options)?;
            std::io::copy(&mut part, &mut package)?;
        }
    }
    Ok(package.finish()?.into_inner())
}

fn times() -> RunFonts {
    RunFonts::new().ascii(FONT).hi_ansi(FONT).cs(FONT).east_asia(FONT)
}

fn single_spacing() -> LineSpacing {
    LineSpacing::new().before(0).after(0).line(240).line_rule(LineSpacingType::Auto)
}

fn spaced_before(twips: u32) -> LineSpacing {
    single_spacing().before(twips)
}

fn run(text: &str, look: Look) -> Run {
    let mut run = Run::new().add_text(text).fonts(times()).size(look.size_pt * 2);
    if look.bold {
        run = run.bold();
    }
    if look.italic {
        run = run.italic();
    }
    run
}

fn centred(text: &str, look: Look) -> Paragraph {
    Paragraph::new().add_run(run(text, look)).align(AlignmentType::Center)
}

fn body_paragraph(text: &str, look: Look) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, look))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(FIRST_LINE_INDENT)), None, None)
        .line_spacing(spaced_before(PARAGRAPH_SPACING))
}

/// A horizontal rule `length_pt` long, centred in a space `width` twips wide: the bottom border
/// of an empty paragraph in 1 pt type, indented from both sides.
fn rule(length_pt: f64, width: i32) -> Paragraph {
    let side = ((width - twips_from_pt(length_pt)) / 2).max(0);
    let mut paragraph =
        Paragraph::new().size(2).indent(Some(side), None, Some(side), None).line_spacing(spaced_before(RULE_GAP));
    let bottom = ParagraphBorder::new(ParagraphBorderPosition::Bottom).val(BorderType::Single).size(RULE_SIZE).space(0);
    paragraph.property = paragraph.property.set_borders(ParagraphBorders::with_empty().set(bottom));
    paragraph
}

/// A rule under `text` 40 % as long as its line (the decree asks for 1/3 to 1/2).
fn short_rule(text: &str, look: Look, width: i32) -> Paragraph {
    let face = if look.bold { fonts::BOLD } else { fonts::REGULAR };
    let line_pt = fonts::text_width(text, face, look.size_pt as f64).min(f64::from(width) / 20.0);
    rule(line_pt * 0.4, width)
}

fn page_number() -> Paragraph {
    let field = Run::new()
        .fonts(times())
        .size(26)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("2")
        .add_field_char(FieldCharType::End, false);
    Paragraph::new().align(AlignmentType::Center).add_run(field)
}

fn cell(width: i32, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs.into_iter().fold(TableCell::new(), TableCell::add_paragraph).width(width as usize, WidthType::Dxa)
}

/// A borderless table that places blocks side by side. Its cells have no padding, so their text
/// is exactly as wide as the columns, as in the PDF.
fn layout_table(widths: &[i32], rows: Vec<TableRow>) -> Table {
    let table = Table::without_borders(rows.into_iter().map(TableRow::cant_split).collect());
    fixed_columns(table, widths).margins(TableCellMargins::new().margin(0, 0, 0, 0))
}

/// `table` as wide as the text, in columns of the given widths whatever their content.
fn fixed_columns(table: Table, widths: &[i32]) -> Table {
    table
        .set_grid(widths.iter().map(|w| *w as usize).collect())
        .width(TEXT_WIDTH as usize, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// Agency and number on the left, national name, motto and date on the right.
fn header_table(doc: &AdminDocument) -> Table {
    let left = twips_from_cm(HEADER_LEFT_CM);
    let right = TEXT_WIDTH - left;
    let agency = doc.agency.to_uppercase();
    let agency_look = Look::regular(agency_size_pt(&agency, true)).bold();
    let motto_look = Look::regular(14).bold();

    let mut agency_cell = Vec::new();
    if let Some(parent) = &doc.parent_agency {
        let parent = parent.to_uppercase();
        let look = Look::regular(agency_size_pt(&parent, false));
        agency_cell.push(centred(&parent, look));
    }
    agency_cell.push(centred(&agency, agency_look));
    agency_cell.push(short_rule(&agency, agency_look, left));

    let motto_width = fonts::text_width(MOTTO, fonts::BOLD, motto_look.size_pt as f64);
    let motto_cell =
        vec![centred(NATIONAL_NAME, Look::regular(13).bold()), centred(MOTTO, motto_look), rule(motto_width, right)];

    let second_line = |text: &str, look| centred(text, look).line_spacing(spaced_before(160));
    layout_table(
        &[left, right],
        vec![
            TableRow::new(vec![cell(left, agency_cell), cell(right, motto_cell)]),
            TableRow::new(vec![
                cell(left, vec![second_line(&doc.number_line(), Look::regular(13))]),
                cell(right, vec![second_line(&doc.date_line(), Look::regular(14).italic())]),
            ]),
        ],
    )
}

/// Kind of document, its summary and the short rule under them.
fn title(doc: &AdminDocument) -> [Paragraph; 3] {
    let look = BODY.bold();
    [
        centred(&doc.kind.to_uppercase(), look).line_spacing(spaced_before(360)),
        centred(&doc.title, look),
        short_rule(&doc.title, look, TEXT_WIDTH),
    ]
}

/// A bordered table as wide as the text.
fn data_table(table: &DocTable) -> Table {
    let look = Look::regular(12);
    let shares = table.column_shares();
    let total: usize = shares.iter().sum();
    let widths: Vec<i32> = shares.iter().map(|share| (TEXT_WIDTH as usize * share / total) as i32).collect();

    let row = |texts: &[String], header: bool| {
        let cells = texts
            .iter()
            .zip(&widths)
            .map(|(text, width)| {
                let (align, look) = match (header, looks_numeric(text)) {
                    (true, _) => (AlignmentType::Center, look.bold()),
                    (false, true) => (AlignmentType::Right, look),
                    (false, false) => (AlignmentType::Left, look),
                };
                let paragraph = Paragraph::new().add_run(run(text, look)).align(align);
                cell(*width, vec![paragraph])
            })
            .collect();
        TableRow::new(cells).cant_split()
    };
    let rows =
        std::iter::once(row(&table.headers, true)).chain(table.rows.iter().map(|cells| row(cells, false))).collect();

    let positions = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ];
    positions.into_iter().fold(fixed_columns(Table::new(rows), &widths), |table, position| {
        table.set_border(TableBorder::new(position).size(RULE_SIZE))
    })
}

/// "Nơi nhận" on the left, the signature block on the right.
fn closing_table(doc: &AdminDocument) -> Table {
    let half = TEXT_WIDTH / 2;
    let mut recipients = vec![Paragraph::new().add_run(run("Nơi nhận:", Look::regular(12).bold().italic()))];
    recipients.extend(doc.recipient_lines().iter().map(|line| Paragraph::new().add_run(run(line, Look::regular(11)))));

    let signature = &doc.signature;
    let look = BODY.bold();
    let mut signer: Vec<Paragraph> =
        signature.authority.iter().chain([&signature.title]).map(|line| centred(&line.to_uppercase(), look)).collect();
    let space = twips_from_cm(SIGNATURE_SPACE_CM) as u32;
    signer.push(centred(&signature.name, look).line_spacing(spaced_before(space)));

    layout_table(
        &[half, TEXT_WIDTH - half],
        vec![TableRow::new(vec![cell(half, recipients), cell(TEXT_WIDTH - half, signer)])],
    )
}
