//! External programs the tests read documents with, found on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The program `name`, or a panic naming the Debian package that provides it.
pub fn find(name: &str, package: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("`{name}` not found on PATH: apt-get install {package}"))
}

/// Runs a poppler tool (`pdftotext`, `pdffonts`, `pdfinfo`) and returns its standard output.
pub fn poppler(tool: &str, args: &[&str]) -> String {
    let output = Command::new(find(tool, "poppler-utils"))
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{tool} did not start: {error}"));
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler writes UTF-8")
}

/// The text of a PDF as `pdftotext -layout` lays it out, each line's runs of white space
/// collapsed to one space.
pub fn pdf_lines(pdf: &Path) -> Vec<String> {
    let pdf = pdf.to_str().expect("temporary paths are UTF-8");
    poppler("pdftotext", &["-layout", "-enc", "UTF-8", pdf, "-"])
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect()
}

/// Asserts that every expected line occurs within one line of the text (two-column parts of the
/// layout put two lines side by side).
pub fn assert_lines_present(lines: &[String], expected: &[&str]) {
    for wanted in expected {
        assert!(lines.iter().any(|line| line.contains(wanted)), "{wanted:?} not found in:\n{}", lines.join("\n"));
    }
}

/// What `pdfinfo` says of a PDF's pages.
#[derive(Debug)]
pub struct PageSize {
    pub width_pt: f64,
    pub height_pt: f64,
    pub pages: usize,
}

impl PageSize {
    /// 210 × 297 mm, give or take rounding.
    pub fn is_a4(&self) -> bool {
        (self.width_pt - 595.28).abs() < 1.0 && (self.height_pt - 841.89).abs() < 1.0
    }
}

/// Reads "Page size: 595.276 x 841.89 pts (A4)" and "Pages: 2" from `pdfinfo`.
pub fn page_size(pdf: &Path) -> PageSize {
    let info = poppler("pdfinfo", &[pdf.to_str().expect("temporary paths are UTF-8")]);
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name:?} in:\n{info}"))
            .trim()
            .to_owned()
    };
    let size = field("Page size:");
    let numbers: Vec<f64> = size.split_whitespace().filter_map(|word| word.parse().ok()).collect();
    PageSize { width_pt: numbers[0], height_pt: numbers[1], pages: field("Pages:").parse().expect("a page count") }
}
