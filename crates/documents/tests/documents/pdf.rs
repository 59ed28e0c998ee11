//! The PDF read back with poppler.

use crate::{sample, tools};

fn rendered_sample() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bao-cao.pdf");
    std::fs::write(&path, documents::to_pdf(&sample::report()).expect("PDF renders")).expect("PDF written");
    (dir, path)
}

#[test]
fn pdf_prints_every_line_in_vietnamese() {
    let (_dir, pdf) = rendered_sample();
    let lines = tools::pdf_lines(&pdf);
    let mut expected = sample::EXPECTED_LINES.to_vec();
    expected.push("1 Thành phố Quảng Ngãi 12.345 87,5");
    tools::assert_lines_present(&lines, &expected);

    // A justified paragraph runs over several lines; read them as one.
    let text = lines.join(" ");
    let paragraph = sample::DIACRITICS.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(&paragraph), "{paragraph:?} not in:\n{text}");
}

#[test]
fn pdf_embeds_its_fonts_and_is_a4() {
    let (_dir, pdf) = rendered_sample();
    let path = pdf.to_str().expect("temporary paths are UTF-8");
    let fonts = tools::poppler("pdffonts", &[path]);
    // Columns: name type encoding emb sub uni object ID; names have no spaces.
    let rows: Vec<Vec<&str>> = fonts.lines().skip(2).map(|row| row.split_whitespace().collect()).collect();
    assert!(rows.len() >= 4, "regular, bold, italic and bold italic:\n{fonts}");
    for row in &rows {
        assert!(row[0].contains("LiberationSerif"), "unexpected font:\n{fonts}");
        assert_eq!(row[row.len() - 5], "yes", "not embedded:\n{fonts}");
    }

    let size = tools::page_size(&pdf);
    assert!(size.is_a4(), "{size:?}");
    assert!(size.pages >= 2, "the sample should fill more than a page");
}

#[test]
fn page_numbers_start_on_page_two() {
    let (_dir, pdf) = rendered_sample();
    let path = pdf.to_str().expect("temporary paths are UTF-8");
    let first_line = |page: &str| {
        tools::poppler("pdftotext", &["-f", page, "-l", page, "-layout", path, "-"])
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(first_line("1").starts_with("UBND TỈNH QUẢNG NGÃI"));
    assert_eq!(first_line("2"), "2");
}
