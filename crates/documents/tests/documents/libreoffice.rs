//! LibreOffice, a word processor we did not write, opens the DOCX and prints it to PDF.

use std::process::Command;

use crate::{sample, tools};

#[test]
fn libreoffice_opens_the_docx_and_prints_it() {
    let soffice = tools::find("soffice", "libreoffice-writer-nogui");
    // Without a font with Times New Roman's metrics LibreOffice substitutes a wider one and the
    // header's lines break differently.
    let substitute =
        Command::new(tools::find("fc-match", "fontconfig")).arg("Times New Roman").output().expect("fc-match runs");
    assert!(
        String::from_utf8_lossy(&substitute.stdout).contains("Liberation Serif"),
        "Times New Roman is not mapped to Liberation Serif: apt-get install fonts-liberation2"
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let docx = dir.path().join("bao-cao.docx");
    std::fs::write(&docx, documents::to_docx(&sample::report()).expect("DOCX renders")).expect("DOCX written");

    // A profile of its own, so the test neither needs nor disturbs one in $HOME.
    let profile = dir.path().join("profile");
    let output = Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .expect("soffice starts");
    assert!(output.status.success(), "soffice failed: {}", String::from_utf8_lossy(&output.stderr));

    let pdf = dir.path().join("bao-cao.pdf");
    let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
    assert!(size > 0, "soffice wrote no PDF");
    let lines = tools::pdf_lines(&pdf);
    tools::assert_lines_present(
        &lines,
        &[
            documents::NATIONAL_NAME,
            documents::MOTTO,
            "Số: 123/BC-SKHCN",
            "Quảng Ngãi, ngày 05 tháng 12 năm 2026",
            sample::SIGNER,
        ],
    );
    assert!(tools::page_size(&pdf).is_a4(), "LibreOffice did not see A4");
}
