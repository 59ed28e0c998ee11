//! Text that looks like markup prints as written, in both formats.

use crate::{docx, sample, tools};

/// Typst markup, XML and Word-field characters together.
const TITLE: &str = r#"#set *đậm* _nghiêng_ [a] $x$ \ <b> @c // d & e"#;
const PARAGRAPH: &str = r#"Ký tự đặc biệt: #let x = 1; `mã` ~ 'nháy' "kép" {ngoặc} = - + / * _ $ \ < > @ & ]"#;

fn tricky_document() -> documents::AdminDocument {
    let mut doc = sample::report();
    doc.title = TITLE.into();
    doc.body.push(documents::Block::Paragraph(PARAGRAPH.into()));
    doc
}

#[test]
fn markup_characters_print_literally_in_the_pdf() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let pdf = dir.path().join("dac-biet.pdf");
    std::fs::write(&pdf, documents::to_pdf(&tricky_document()).expect("PDF renders")).expect("PDF written");
    let lines = tools::pdf_lines(&pdf);
    tools::assert_lines_present(&lines, &[TITLE]);
    let text = lines.join(" ");
    assert!(text.contains(PARAGRAPH), "{PARAGRAPH:?} not in:\n{text}");
}

#[test]
fn markup_characters_print_literally_in_the_docx() {
    let docx = documents::to_docx(&tricky_document()).expect("DOCX renders");
    let xml = docx::document_xml(&docx);
    let paragraphs = docx::paragraph_texts(&roxmltree::Document::parse(&xml).expect("XML"));
    for wanted in [TITLE, PARAGRAPH] {
        assert!(paragraphs.iter().any(|p| p == wanted), "{wanted:?}");
    }
}
