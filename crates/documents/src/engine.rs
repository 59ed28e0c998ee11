//! The one Typst engine of the crate: the bundled faces and every template, built once and
//! shared by the PDF ([`crate::to_pdf`]) and the social card ([`crate::social_card_png`]).

use std::sync::LazyLock;

use typst::foundations::Dict;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::fonts;

/// The administrative document's template (see `pdf.rs`).
pub(crate) const ADMIN_DOCUMENT: &str = "admin_document.typ";

/// The social card's template (see `social_card.rs`).
pub(crate) const SOCIAL_CARD: &str = "social_card.typ";

/// Built once: parsing the templates and the four faces is not free.
static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts(fonts::ALL)
        .with_static_source_file_resolver([
            (ADMIN_DOCUMENT, include_str!("admin_document.typ")),
            (SOCIAL_CARD, include_str!("social_card.typ")),
        ])
        .build()
});

/// Lays out `template` with `inputs` as its `sys.inputs`; the error is Typst's message.
pub(crate) fn compile(template: &str, inputs: Dict) -> Result<PagedDocument, String> {
    ENGINE.compile_with_input(template, inputs).output.map_err(|error| error.to_string())
}
