//! The DOCX package read back with `zip` and an XML parser.

use std::io::Read;

use roxmltree::{Document, Node};

use crate::sample;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// `word/document.xml` of a DOCX package.
pub fn document_xml(docx: &[u8]) -> String {
    let mut archive = zip9::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip archive");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("word/document.xml in the package")
        .read_to_string(&mut xml)
        .expect("UTF-8 XML");
    xml
}

/// The text of every paragraph, in document order.
pub fn paragraph_texts(xml: &Document) -> Vec<String> {
    xml.descendants().filter(|node| node.has_tag_name((W, "p"))).map(text_of).collect()
}

fn text_of(paragraph: Node) -> String {
    paragraph.descendants().filter(|node| node.has_tag_name((W, "t"))).filter_map(|node| node.text()).collect()
}

/// The first paragraph that reads `text`.
fn paragraph<'a>(xml: &'a Document, text: &str) -> Node<'a, 'a> {
    xml.descendants()
        .find(|node| node.has_tag_name((W, "p")) && text_of(*node) == text)
        .unwrap_or_else(|| panic!("no paragraph reads {text:?}"))
}

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|child| child.has_tag_name((W, name)))
}

fn attribute<'a>(node: Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

#[test]
fn document_xml_holds_every_line_in_times_new_roman_on_a4() {
    let doc = sample::report();
    let docx = documents::to_docx(&doc).expect("DOCX renders");
    let xml_text = document_xml(&docx);
    let xml = Document::parse(&xml_text).expect("well-formed XML");

    let paragraphs = paragraph_texts(&xml);
    let mut expected: Vec<&str> = sample::EXPECTED_LINES.to_vec();
    expected.push(sample::DIACRITICS);
    for block in &doc.body {
        match block {
            documents::Block::Paragraph(text) => expected.push(text),
            documents::Block::Table(table) => {
                expected.extend(table.headers.iter().map(String::as_str));
                expected.extend(table.rows.iter().flatten().map(String::as_str));
            }
            documents::Block::Heading { text, .. } => expected.push(text),
        }
    }
    for line in expected {
        assert!(
            paragraphs.iter().any(|paragraph| paragraph == line),
            "no paragraph reads {line:?}; paragraphs: {paragraphs:#?}"
        );
    }

    // Every run with text names Times New Roman for all four scripts.
    let runs: Vec<Node> =
        xml.descendants().filter(|node| node.has_tag_name((W, "r")) && child(*node, "t").is_some()).collect();
    assert!(runs.len() > 40);
    for run in &runs {
        let fonts =
            child(*run, "rPr").and_then(|properties| child(properties, "rFonts")).expect("every run sets its fonts");
        for script in ["ascii", "hAnsi", "cs", "eastAsia"] {
            assert_eq!(attribute(fonts, script), Some("Times New Roman"), "{script}");
        }
    }

    // Body text is 14 pt (28 half-points), justified, with a 1.27 cm first-line indent.
    let body = paragraph(&xml, sample::DIACRITICS);
    let size = body.descendants().find(|node| node.has_tag_name((W, "sz"))).and_then(|sz| attribute(sz, "val"));
    assert_eq!(size, Some("28"));
    let properties = child(body, "pPr").expect("paragraph properties");
    assert_eq!(child(properties, "jc").and_then(|jc| attribute(jc, "val")), Some("both"));
    assert_eq!(child(properties, "ind").and_then(|ind| attribute(ind, "firstLine")), Some("720"));

    // A4 with the decree's margins, in twips.
    let section = xml.descendants().find(|node| node.has_tag_name((W, "sectPr"))).expect("section properties");
    let size = child(section, "pgSz").expect("page size");
    assert_eq!(attribute(size, "w"), Some("11906"));
    assert_eq!(attribute(size, "h"), Some("16838"));
    let margins = child(section, "pgMar").expect("page margins");
    for (side, twips) in [("top", "1134"), ("bottom", "1134"), ("left", "1701"), ("right", "850")] {
        assert_eq!(attribute(margins, side), Some(twips), "{side} margin");
    }
}

#[test]
fn numbers_are_right_aligned_and_headers_bold() {
    let docx = documents::to_docx(&sample::report()).expect("DOCX renders");
    let xml_text = document_xml(&docx);
    let xml = Document::parse(&xml_text).expect("well-formed XML");
    let alignment = |text: &str| {
        child(paragraph(&xml, text), "pPr")
            .and_then(|properties| child(properties, "jc"))
            .and_then(|jc| attribute(jc, "val"))
            .map(str::to_owned)
    };
    assert_eq!(alignment("12.345").as_deref(), Some("right"));
    assert_eq!(alignment("87,5").as_deref(), Some("right"));
    assert_eq!(alignment("Huyện Lý Sơn").as_deref(), Some("left"));
    let header_is_bold = paragraph(&xml, "Đơn vị").descendants().any(|node| node.has_tag_name((W, "b")));
    assert!(header_is_bold);
}
