//! Photo metadata removal: citizens' phone photos carry the GPS position of where they were
//! taken (and often the phone's owner and serial) in EXIF/XMP. Only the image itself is kept.
//! Pure byte surgery on the container; the image data is not decoded or re-encoded.

/// A JPEG without its APP1 (EXIF, XMP), APP13 (IPTC) and comment segments; `None` when the
/// segment structure is broken. APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe colour
/// transform) stay: the image needs them to show right.
pub fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let rest = bytes.strip_prefix(&[0xFF, 0xD8])?;
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 0;
    loop {
        // Fill bytes (0xFF padding) may precede a marker.
        while rest.get(i) == Some(&0xFF) && rest.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        if rest.get(i) != Some(&0xFF) {
            return None;
        }
        let marker = *rest.get(i + 1)?;
        match marker {
            // End of image, or markers without a length.
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&rest[i..i + 2]);
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*rest.get(i + 2)?, *rest.get(i + 3)?]));
        if len < 2 {
            return None;
        }
        let end = i + 2 + len;
        let segment = rest.get(i..end)?;
        let drop = matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE);
        if !drop {
            out.extend_from_slice(segment);
        }
        if marker == 0xDA {
            // Start of scan: the entropy-coded data and everything after it is the image.
            out.extend_from_slice(rest.get(end..)?);
            return Some(out);
        }
        i = end;
    }
}

/// A PNG without its text, time and EXIF chunks; `None` when the chunk structure is broken.
pub fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut rest = bytes.strip_prefix(SIGNATURE)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest.get(0..4)?.try_into().ok()?) as usize;
        let kind = rest.get(4..8)?;
        let total = 12usize.checked_add(len)?;
        let chunk = rest.get(..total)?;
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        rest = &rest[total..];
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG: SOI, APP0, APP1 with a GPS-looking EXIF, COM, SOS with data, EOI.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0x00]);
        let exif = b"Exif\0\0GPSLatitude 21.0285 GPSLongitude 105.8542";
        j.extend_from_slice(&[0xFF, 0xE1]);
        j.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        j.extend_from_slice(exif);
        j.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06, b'm', b'y', b'p', b'h']);
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0x01, 0x02, 0x11, 0x22, 0xFF, 0x00, 0x33]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn jpeg_loses_exif_and_comments_and_keeps_the_image() {
        let stripped = strip_jpeg(&jpeg_with_exif()).expect("valid");
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("GPS") && !text.contains("Exif") && !text.contains("myph"), "{text}");
        assert!(text.contains("JFIF"));
        assert!(stripped.ends_with(&[0x11, 0x22, 0xFF, 0x00, 0x33, 0xFF, 0xD9]));
        assert!(strip_jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]).is_none());
        assert!(strip_jpeg(b"not a jpeg").is_none());
    }

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    }

    #[test]
    fn png_loses_exif_and_text_chunks() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"GPS 21.02"));
        png.extend(chunk(b"tEXt", b"Author\0Nguyen Van A"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let stripped = strip_png(&png).expect("valid");
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("GPS") && !text.contains("Nguyen"), "{text}");
        assert!(text.contains("IHDR") && text.contains("IDAT") && text.contains("IEND"));
        assert!(strip_png(&png[..png.len() - 5]).is_none());
    }
}
