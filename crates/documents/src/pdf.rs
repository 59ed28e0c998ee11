//! PDF through Typst: the layout is the template `admin_document.typ`; the document goes in as
//! data (`sys.inputs`), so user text is never parsed as markup and needs no escaping.

use typst::foundations::{Dict, IntoValue, Value, dict};

use crate::{
    AdminDocument, Block, DocTable, DocumentError, HEADER_LEFT_CM, MOTTO, NATIONAL_NAME, SIGNATURE_SPACE_CM,
    agency_size_pt, engine, looks_numeric,
};

/// Renders `doc` as a PDF, A4, with Liberation Serif (Times New Roman's metrics) embedded.
pub fn to_pdf(doc: &AdminDocument) -> Result<Vec<u8>, DocumentError> {
    doc.validate()?;
    let laid_out = engine::compile(engine::ADMIN_DOCUMENT, inputs(doc)).map_err(DocumentError::Pdf)?;
    typst_pdf::pdf(&laid_out, &typst_pdf::PdfOptions::default())
        .map_err(|errors| DocumentError::Pdf(format!("{errors:?}")))
}

/// The document as the template reads it; presentation rules shared with the DOCX (upper case,
/// the date line, recipients' punctuation) are applied here, not in Typst.
fn inputs(doc: &AdminDocument) -> Dict {
    let signature = &doc.signature;
    let parent = doc.parent_agency.as_ref().map(|name| name.to_uppercase());
    let agency = doc.agency.to_uppercase();
    dict! {
        "national_name" => NATIONAL_NAME,
        "motto" => MOTTO,
        "header_left_cm" => HEADER_LEFT_CM,
        "signature_space_cm" => SIGNATURE_SPACE_CM,
        "parent" => parent.as_deref(),
        "parent_size" => parent.as_deref().map_or(13, |name| agency_size_pt(name, false)),
        "agency" => agency.as_str(),
        "agency_size" => agency_size_pt(&agency, true),
        "number" => doc.number_line(),
        "dateline" => doc.date_line(),
        "kind" => doc.kind.to_uppercase(),
        "title" => doc.title.as_str(),
        "body" => doc.body.iter().map(block).collect::<Vec<_>>(),
        "recipients" => doc.recipient_lines(),
        "signature" => dict! {
            "authority" => signature.authority.as_ref().map(|a| a.to_uppercase()),
            "title" => signature.title.to_uppercase(),
            "name" => signature.name.as_str(),
        },
    }
}

fn block(block: &Block) -> Value {
    let dict = match block {
        Block::Heading { level, text } => dict! {
            "kind" => "heading",
            "level" => i64::from(*level),
            "text" => text.as_str(),
        },
        Block::Paragraph(text) => dict! { "kind" => "paragraph", "text" => text.as_str() },
        Block::Table(table) => table_dict(table),
    };
    dict.into_value()
}

fn table_dict(table: &DocTable) -> Dict {
    let cells: Vec<Vec<Value>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| dict! { "text" => cell.as_str(), "numeric" => looks_numeric(cell) }.into_value())
                .collect()
        })
        .collect();
    dict! {
        "kind" => "table",
        "caption" => table.caption.as_deref(),
        "headers" => table.headers.clone(),
        "widths" => table.column_shares(),
        "rows" => cells,
    }
}
