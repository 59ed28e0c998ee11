//! A PNG card for posting a bulletin on social networks, through Typst: the layout is the
//! template `social_card.typ`; the card goes in as data (`sys.inputs`), so user text is never
//! parsed as markup and needs no escaping.

use typst::foundations::{Dict, dict};
use typst::utils::Scalar;

use crate::{DocumentError, engine};

/// Width of the card in pixels: the link-preview size of Facebook and Zalo.
pub const SOCIAL_CARD_WIDTH: u32 = 1200;

/// Height of the card in pixels.
pub const SOCIAL_CARD_HEIGHT: u32 = 630;

/// The card is laid out in points and rasterised at this many pixels per point.
const PIXELS_PER_PT: f64 = 2.0;

/// Heights, in points, of the coloured band at the top and of the footer with the origin and
/// the date; the title and the summary share what is left.
const BAND_PT: f64 = 42.0;
const FOOTER_PT: f64 = 44.0;

/// The most lines the title and the summary take; longer text is cut and ends with "…".
const TITLE_LINES: i64 = 4;
const SUMMARY_LINES: i64 = 4;

/// Text longer than this many characters could not fit its lines anyway: it is cut before
/// Typst sees it, so that a runaway summary costs no more to lay out than a full one.
const MAX_CHARS: usize = 600;

/// The label of the band on an emergency card, in place of the category.
const EMERGENCY_LABEL: &str = "KHẨN CẤP";

/// What a bulletin's social card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SocialCard {
    /// The bulletin's title, large and bold, on at most four lines.
    pub title: String,
    /// The category, e.g. "Thời tiết", printed in upper case in the band at the top (a blue
    /// band) unless the card is an emergency.
    pub category: String,
    /// The agency the bulletin comes from, e.g. "UBND tỉnh Quảng Ngãi", at the bottom left.
    pub origin: String,
    /// The date as it is printed, dd/mm/yyyy, at the bottom right.
    pub date: String,
    /// An emergency card has a dark red band reading "KHẨN CẤP" instead of the category.
    pub emergency: bool,
    /// A short summary under the title, on at most four lines.
    pub summary: String,
}

/// A 1200×630 PNG card for posting a bulletin on social networks (Facebook/Zalo link-preview
/// size), set in the bundled Liberation Serif. Text too long for its place is cut and ends
/// with "…".
///
/// ```
/// let card = documents::SocialCard {
///     title: "Cảnh báo mưa lớn diện rộng".into(),
///     category: "Thời tiết".into(),
///     origin: "UBND tỉnh Quảng Ngãi".into(),
///     date: "05/12/2026".into(),
///     emergency: true,
///     summary: "Người dân vùng trũng thấp chủ động di dời đến nơi an toàn.".into(),
/// };
/// let png: Vec<u8> = documents::social_card_png(&card)?;
/// assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
/// # Ok::<(), documents::DocumentError>(())
/// ```
pub fn social_card_png(card: &SocialCard) -> Result<Vec<u8>, DocumentError> {
    let laid_out = engine::compile(engine::SOCIAL_CARD, inputs(card)).map_err(DocumentError::Image)?;
    let page = laid_out.pages().first().ok_or_else(|| DocumentError::Image("Typst laid out no page".into()))?;
    let options = typst_render::RenderOptions { pixel_per_pt: Scalar::new(PIXELS_PER_PT), render_bleed: false };
    typst_render::render(page, &options).encode_png().map_err(|error| DocumentError::Image(error.to_string()))
}

/// The card as the template reads it: white space collapsed, over-long text cut, the band's
/// label chosen and upper-cased.
fn inputs(card: &SocialCard) -> Dict {
    let label = if card.emergency { EMERGENCY_LABEL.to_owned() } else { tidy(&card.category).to_uppercase() };
    dict! {
        "width_pt" => f64::from(SOCIAL_CARD_WIDTH) / PIXELS_PER_PT,
        "height_pt" => f64::from(SOCIAL_CARD_HEIGHT) / PIXELS_PER_PT,
        "band_pt" => BAND_PT,
        "footer_pt" => FOOTER_PT,
        "title_lines" => TITLE_LINES,
        "summary_lines" => SUMMARY_LINES,
        "emergency" => card.emergency,
        "label" => label,
        "title" => tidy(&card.title),
        "summary" => tidy(&card.summary),
        "origin" => tidy(&card.origin),
        "date" => tidy(&card.date),
    }
}

/// `text` on one line (runs of white space, line breaks included, become one space), at most
/// [`MAX_CHARS`] characters long.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_put_on_one_line_and_cut() {
        assert_eq!(tidy("  Mưa\n lớn\t kéo  dài "), "Mưa lớn kéo dài");
        assert_eq!(tidy(&"ạ".repeat(MAX_CHARS * 2)).chars().count(), MAX_CHARS);
    }

    #[test]
    fn every_face_has_the_glyphs_the_template_adds() {
        for face in crate::fonts::ALL {
            let face = ttf_parser::Face::parse(face, 0).expect("a TrueType font");
            for c in EMERGENCY_LABEL.chars().chain(['…']).filter(|c| !c.is_whitespace()) {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c:?}");
            }
        }
    }
}
