//! The Liberation Serif faces compiled into the binary (SIL OFL 1.1, see `fonts/NOTICE.md`), and
//! text widths measured with them.
//!
//! Liberation Serif has the advance widths of Times New Roman, so a width measured here is also
//! the width Word gives the same text in Times New Roman.

pub(crate) const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
pub(crate) const BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
pub(crate) const ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");
pub(crate) const BOLD_ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf");

/// Every face, for the PDF engine.
pub(crate) const ALL: [&[u8]; 4] = [REGULAR, BOLD, ITALIC, BOLD_ITALIC];

/// Width of `text` on one line, in points, set in `face` at `size_pt`.
pub(crate) fn text_width(text: &str, face: &'static [u8], size_pt: f64) -> f64 {
    let Ok(face) = ttf_parser::Face::parse(face, 0) else {
        return 0.0;
    };
    let units: u32 = text
        .chars()
        .filter_map(|c| face.glyph_index(c))
        .filter_map(|glyph| face.glyph_hor_advance(glyph))
        .map(u32::from)
        .sum();
    f64::from(units) / f64::from(face.units_per_em()) * size_pt
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every vowel with every tone, and đ.
    const VIETNAMESE: &str = "aàáảãạ ăằắẳẵặ âầấẩẫậ eèéẻẽẹ êềếểễệ iìíỉĩị oòóỏõọ ôồốổỗộ \
                              ơờớởỡợ uùúủũụ ưừứửữự yỳýỷỹỵ đ";

    #[test]
    fn every_face_has_every_vietnamese_letter() {
        let letters: String = [VIETNAMESE.to_owned(), VIETNAMESE.to_uppercase()].concat();
        for data in ALL {
            let face = ttf_parser::Face::parse(data, 0).expect("a TrueType font");
            let missing: String =
                letters.chars().filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none()).collect();
            assert!(missing.is_empty(), "no glyphs for {missing:?}");
        }
    }

    #[test]
    fn the_national_name_fits_the_right_column_of_the_header() {
        let width_cm = text_width(crate::NATIONAL_NAME, BOLD, 13.0) / 72.0 * 2.54;
        assert!(width_cm > 9.0, "measured {width_cm} cm");
        assert!(width_cm < 16.5 - crate::HEADER_LEFT_CM, "measured {width_cm} cm");
    }
}
