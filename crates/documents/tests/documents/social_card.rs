//! The social card: a 1200×630 PNG, whatever text it is given.

use documents::{SOCIAL_CARD_HEIGHT, SOCIAL_CARD_WIDTH, SocialCard, social_card_png};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Every character Typst gives a meaning to in markup, code or math.
const SPECIAL: &str = r#"#set *đậm* _nghiêng_ $x$ [a] \ <b> @c 'nháy' "kép" `mã` {ngoặc} // ~ = - + & ]"#;

fn card() -> SocialCard {
    SocialCard {
        title: "Cảnh báo mưa lớn, lũ quét và sạt lở đất ở khu vực miền núi".into(),
        category: "Thời tiết".into(),
        origin: "Ban Chỉ huy Phòng thủ dân sự tỉnh Quảng Ngãi".into(),
        date: "05/12/2026".into(),
        emergency: false,
        summary: "Từ đêm nay đến hết ngày mai, các huyện miền núi có mưa to đến rất to. Người dân \
                  vùng trũng thấp, ven sông suối chủ động di dời đến nơi an toàn."
            .into(),
    }
}

/// Width and height from the PNG's IHDR chunk, which follows the signature: 4 bytes of length,
/// "IHDR", then the width and the height, big-endian.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(PNG_SIGNATURE), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("four bytes"));
    (word(16), word(20))
}

#[test]
fn the_card_is_a_png_of_link_preview_size() {
    let png = social_card_png(&card()).expect("the card renders");
    assert!(png.starts_with(PNG_SIGNATURE));
    assert_eq!(png_size(&png), (1200, 630));
    assert_eq!((SOCIAL_CARD_WIDTH, SOCIAL_CARD_HEIGHT), (1200, 630));
}

#[test]
fn markup_characters_are_text_not_markup() {
    let mut tricky = card();
    tricky.title = SPECIAL.into();
    tricky.summary = SPECIAL.repeat(3);
    tricky.category = SPECIAL.into();
    tricky.origin = SPECIAL.into();
    tricky.date = r"05/12/2026 \ #".into();
    let png = social_card_png(&tricky).expect("markup characters render as text");
    assert_eq!(png_size(&png), (1200, 630));
    assert_ne!(png, social_card_png(&card()).expect("the card renders"), "the title is drawn");
}

#[test]
fn an_emergency_card_looks_different() {
    let normal = social_card_png(&card()).expect("the card renders");
    let emergency = social_card_png(&SocialCard { emergency: true, ..card() }).expect("the card renders");
    assert_eq!(png_size(&emergency), (1200, 630));
    assert_ne!(normal, emergency);
}

#[test]
fn very_long_text_is_cut_to_fit() {
    let long = card();
    let words = "Thông báo khẩn về việc sơ tán dân cư khỏi vùng nguy hiểm ".repeat(200);
    let long =
        SocialCard { title: words.clone(), summary: words.clone(), origin: words.clone(), category: words, ..long };
    let png = social_card_png(&long).expect("long text renders");
    assert_eq!(png_size(&png), (1200, 630));

    // One word with no space to break at, and empty text.
    let unbroken = SocialCard { title: "Ạ".repeat(5_000), summary: String::new(), ..card() };
    assert_eq!(png_size(&social_card_png(&unbroken).expect("an unbroken word renders")), (1200, 630));
    let empty = SocialCard {
        title: String::new(),
        category: String::new(),
        origin: String::new(),
        date: String::new(),
        emergency: false,
        summary: String::new(),
    };
    assert_eq!(png_size(&social_card_png(&empty).expect("an empty card renders")), (1200, 630));
}
